"""Light Rich renderables that draw what Rich's Tree and Table draw, for less.

They know Rich's internals (segments, cell widths, wrapping); the property
tests in ``tests/test_render.py`` hold them to the output of ``rich.tree.Tree``
and ``rich.table.Table``. ``benchmarks/`` shows what they save.

Each has ``plain_lines``: what Rich prints when the output is neither coloured
nor wrapped (a pipe or a file), given without importing Rich at all (the
everyday commands' start-up), or None when only Rich can tell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from rich.console import Console, ConsoleOptions
    from rich.segment import Segment
    from rich.style import Style
    from rich.table import Table
    from rich.text import Text


PLAIN_WIDTH = 10_000  # the width of output that is not wrapped (views.PIPE_WIDTH)
# Characters Rich removes from text (bell, backspace, vertical tab, form feed,
# carriage return) or breaks lines at when it measures (besides "\n"): text
# holding any is left to Rich.
_NOT_PLAIN = frozenset("\x07\x08\x0b\x0c\r\t\x1c\x1d\x1e\x85\u2028\u2029")


# Characters other than ASCII that the views draw, each one cell wide (the bars' blocks).
_NARROW = frozenset("█▒░")


def cell_len(text: str) -> int:
    """``rich.cells.cell_len``: the cells a text takes on a terminal (Rich only for
    text that is not printable ASCII or the views' own blocks)."""
    if (text.isascii() and text.isprintable()) or _NARROW.issuperset(text):
        return len(text)
    from rich.cells import cell_len as rich_cell_len

    return rich_cell_len(text)


def _plain_text(text: str) -> bool:
    """Whether Rich draws ``text`` as it is, character for character."""
    return _NOT_PLAIN.isdisjoint(text)


class Styled:
    """Text in styled pieces, made a Rich ``Text`` only when Rich draws it: the
    ``Text(style=base)`` that has each piece appended in its own style."""

    __slots__ = ("base", "pieces")

    def __init__(self, *pieces: tuple[str, str], base: str = "") -> None:
        self.base = base
        self.pieces = list(pieces)

    def append(self, text: str, style: str = "") -> Styled:
        self.pieces.append((text, style))
        return self

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.pieces)

    def text(self) -> Text:
        from rich.text import Text

        text = Text(style=self.base)
        for piece, style in self.pieces:
            text.append(piece, style=style)
        return text


def as_text(cell: Text | Styled) -> Text:
    return cell.text() if isinstance(cell, Styled) else cell


class Line:
    """One line of text in one style: Rich's ``Text(text, style=style)``."""

    __slots__ = ("style", "text")

    def __init__(self, text: str = "", style: str = "") -> None:
        self.text = text
        self.style = style

    def plain_lines(self, ascii_only: bool = False) -> list[str] | None:
        text = self.text
        if "\n" in text or not _plain_text(text) or cell_len(text) > PLAIN_WIDTH:
            return None
        return [text]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        from rich.text import Text

        yield Text(self.text, style=self.style)


class Outline:
    """A tree of labels with guide lines: what ``rich.tree.Tree`` draws, for less.

    Rich's Tree sends every label through the console's whole rendering
    pipeline; drawing the same guides and wrapping each label with
    ``Text.wrap`` gives the same characters and styles in less time
    (``benchmarks/`` measures ``show``). ``plain_lines`` gives the same
    characters without Rich, for output that is neither coloured nor wrapped.
    ``tests/test_render.py`` checks that both draw what Rich's Tree draws.
    """

    __slots__ = ("children", "label")
    GUIDES = ("    ", "│   ", "├── ", "└── ")  # space, continue, fork, end: as Rich draws them
    ASCII_GUIDES = ("    ", "|   ", "+-- ", "`-- ")
    GUIDE_STYLE = "dim"

    # A label is a Rich Text, or its pieces as (text, style) pairs, made a Text only
    # when Rich draws it: plain output joins the texts and never builds one.
    def __init__(self, label: Text | tuple[tuple[str, str], ...]) -> None:
        self.label = label
        self.children: list[Outline] = []

    def add(self, label: Text | tuple[tuple[str, str], ...]) -> Outline:
        child = Outline(label)
        self.children.append(child)
        return child

    def text(self) -> Text:
        """The label as a Rich Text."""
        from rich.text import Text

        label = self.label
        return Text.assemble(*label) if isinstance(label, tuple) else label

    def plain(self) -> str:
        label = self.label
        return "".join(part for part, _ in label) if isinstance(label, tuple) else label.plain

    def _walk(self, ascii_only: bool) -> Iterator[tuple[Outline, str, str]]:
        """Every node with its first line's guides and its other lines' guides, in order."""
        space, more, fork, end = self.ASCII_GUIDES if ascii_only else self.GUIDES
        stack: list[tuple[Outline, str, str]] = [(self, "", "")]
        while stack:
            node, first, rest = stack.pop()
            yield node, first, rest
            last = len(node.children) - 1
            for i in range(last, -1, -1):  # pushed last first, so drawn in order
                stack.append(
                    (
                        node.children[i],
                        rest + (end if i == last else fork),
                        rest + (space if i == last else more),
                    )
                )

    def plain_lines(self, ascii_only: bool) -> list[str] | None:
        """The tree as lines of text, unwrapped and uncoloured, as Rich prints it at any
        width wide enough; None when a label holds a tab (Rich expands those) or a
        blank line among several (left to Rich too)."""
        lines: list[str] = []
        for node, first, rest in self._walk(ascii_only):
            plain = node.plain()
            if "\t" in plain:
                return None
            split = _split_lines(plain)
            if split is None:
                return None
            prefix = first
            for line in split:
                lines.append(prefix + line)
                prefix = rest
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        from rich.segment import Segment

        guide = console.get_style(self.GUIDE_STYLE)
        new_line = Segment.line()
        width = options.max_width
        # (node, its first line's guides, the guides of its other lines and of its children)
        for node, first, rest in self._walk(options.ascii_only):
            label, room = node.text(), width - len(first)
            if room <= 0:  # no room left beside the guides: Rich draws nothing either
                lines: Iterable[Text] = ()
            elif _fits(label, room):
                lines = (label,)
            else:
                lines = label.wrap(console, room)
            prefix = first
            for line in lines:
                for level in range(0, len(prefix), 4):  # one segment a level, as Rich
                    yield Segment(prefix[level : level + 4], guide)
                yield from _segments(line, console)
                yield new_line
                prefix = rest


class Rows:
    """Rows of one-line cells and a last cell that wraps in its own column.

    It draws what a borderless ``rich.table.Table`` (``pad_edge=False``, the
    short columns ``no_wrap``, the last one folding) draws, without sending
    every cell through the console's pipeline (``benchmarks/`` measures
    ``log``, ``search`` and ``next``). When the short cells are not
    one line each, or leave no room for the last column, it lets Rich's Table
    draw the rows. ``tests/test_render.py`` checks that both draw the same.

    ``whole`` is the width of the longest word of the last column that must
    never be split (an ID): when the terminal leaves the last column less than
    that, each row is drawn as one line of text instead, wrapped at spaces.
    """

    __slots__ = ("headers", "rows", "whole")
    HEADER_STYLE = "bold"

    def __init__(self, headers: Sequence[str] | None = None, *, whole: int = 0) -> None:
        self.headers = list(headers) if headers is not None else None
        self.rows: list[tuple[Text | Styled, ...]] = []
        self.whole = whole

    def add_row(self, *cells: Text | Styled) -> None:
        self.rows.append(cells)

    def _text_rows(self) -> list[tuple[Text, ...]]:
        return [tuple(as_text(cell) for cell in row) for row in self.rows]

    def plain_lines(self, ascii_only: bool = False) -> list[str] | None:
        """The rows as lines of text, unwrapped and uncoloured, as Rich prints them at
        any width wide enough; None when a cell holds a tab or a short cell a newline."""
        header = None if self.headers is None else tuple(self.headers)
        return plain_rows(header, [tuple(cell.plain for cell in row) for row in self.rows])

    def _lines(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        """Each row as one text, its cells two spaces apart, wrapped at spaces."""
        from rich.text import Text

        for row in self._text_rows():
            line = Text()
            for i, cell in enumerate(row):
                if i:
                    line.append("  ")
                line.append_text(cell)
            yield from console.render(line, options)

    def table(self) -> Table:
        """The Rich Table of the same rows."""
        from rich.table import Table
        from rich.text import Text

        columns = len(self.headers) if self.headers is not None else len(self.rows[0])
        names = self.headers or [""] * columns
        table = Table(
            box=None,
            pad_edge=False,
            header_style=self.HEADER_STYLE,
            show_header=self.headers is not None,
        )
        for name in names[:-1]:
            table.add_column(Text(name), no_wrap=True)
        table.add_column(Text(names[-1]), overflow="fold")
        for row in self._text_rows():
            table.add_row(*row)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Any]:
        from rich.cells import cell_len
        from rich.segment import Segment
        from rich.text import Text

        header = None if self.headers is None else tuple(Text(h) for h in self.headers)
        body = self._text_rows()
        rows = [header, *body] if header is not None else body
        if not rows:
            return
        short = len(rows[0]) - 1
        widths = [0] * short
        for row in rows:
            for i in range(short):
                if not _fits(row[i], options.max_width):
                    yield self.table()
                    return
                widths[i] = max(widths[i], row[i].cell_len)
        # Rich pads a column with one space each side, and none at the table's edges.
        gaps = [2] * (short - 1) + [1]
        indent = sum(widths) + sum(gaps) + 1
        natural = max(
            (max(map(cell_len, row[-1].plain.splitlines()), default=0) for row in rows),
            default=0,
        )
        room = min(natural, options.max_width - indent)
        if self.whole and options.max_width - indent < self.whole:
            yield from self._lines(console, options)
            return
        if room < 1:
            yield self.table()
            return
        new_line = Segment.line()
        bold = console.get_style(self.HEADER_STYLE)
        for row in rows:
            style = bold if row is header else None
            last = row[-1]
            if _fits(last, room):
                last = last.copy()  # it fits: pad it, as wrapping would
                last.pad_right(room - last.cell_len)
                lines = [last]
            else:
                lines = list(last.wrap(console, room, justify="left", overflow="fold"))
            at = len(lines) - 1 if row is header else 0  # Rich puts a header at the bottom
            for n, line in enumerate(lines):
                for i in range(short):
                    if n == at:  # the cell, padded with its own style, as Rich justifies it
                        cell = row[i]
                        yield from _styled(_segments(cell, console), style)
                        pad = widths[i] - cell.cell_len
                        if pad:
                            own = console.get_style(cell.style) if cell.style else None
                            yield from _styled([Segment(" " * pad, own)], style)
                        yield Segment(" " * gaps[i], style)
                    else:
                        yield Segment(" " * (widths[i] + gaps[i]), style)
                yield Segment(" ", style)
                yield from _styled(_segments(line, console), style)
                yield new_line


def plain_rows(header: tuple[str, ...] | None, rows: list[tuple[str, ...]]) -> list[str] | None:
    """``Rows.plain_lines`` of rows given as their cells' plain text."""
    if header is not None:
        rows.insert(0, header)
    if not rows:
        return []
    short = len(rows[0]) - 1
    widths = [0] * short
    cells: list[list[int]] = []  # each row's short cells' widths
    for row in rows:
        if not _plain_text(row[-1]):
            return None
        sizes = []
        for i in range(short):
            cell = row[i]
            if "\n" in cell or not _plain_text(cell):
                return None
            size = cell_len(cell)
            sizes.append(size)
            if size > widths[i]:
                widths[i] = size
        cells.append(sizes)
    gaps = [2] * (short - 1) + [1]
    indent = " " * (sum(widths) + sum(gaps) + 1)
    lines = []
    for row, sizes in zip(rows, cells, strict=True):
        start = "".join(row[i] + " " * (widths[i] - sizes[i] + gaps[i]) for i in range(short))
        split = _split_lines(row[-1])
        if split is None:
            return None
        first, *more = split
        lines.append(f"{start} {first}")
        lines.extend(indent + line for line in more)
    return lines


class Sheet:
    """A borderless table (``rich.table.Table(box=None, pad_edge=False)``) whose
    cells are Rich markup-free strings, ``Styled`` text or light renderables with
    ``plain_cell``: Rich draws ``table()``, the Table it stands for, and
    ``plain_lines`` gives what that Table prints unwrapped and uncoloured
    without Rich (``tests/test_render.py`` holds it to Rich's output).
    ``settings`` and each column's options go to Rich as they are.
    """

    __slots__ = ("columns", "rows", "settings", "title")
    # What plain_lines knows of Rich's Table: other settings are left to Rich.
    PLAIN_SETTINGS = frozenset(
        {"show_footer", "header_style", "footer_style", "title_justify", "show_edge"}
    )
    PLAIN_COLUMN = frozenset({"footer", "justify", "no_wrap", "overflow", "ratio", "width"})

    def __init__(self, *, title: Styled | None = None, **settings: Any) -> None:
        self.title = title
        self.settings = settings
        self.columns: list[tuple[str, dict[str, Any]]] = []
        self.rows: list[tuple[Any, ...]] = []

    def add_column(self, header: str, **options: Any) -> None:
        self.columns.append((header, options))

    def add_row(self, *cells: Any) -> None:
        self.rows.append(cells)

    def table(self) -> Table:
        from rich.table import Table

        title = self.title.text() if self.title is not None else None
        table = Table(title=title, box=None, pad_edge=False, **self.settings)
        for header, options in self.columns:
            if isinstance(options.get("footer"), Styled):
                options = {**options, "footer": options["footer"].text()}
            table.add_column(header, **options)
        for row in self.rows:
            table.add_row(*(as_text(cell) if isinstance(cell, Styled) else cell for cell in row))
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Table]:
        yield self.table()

    def plain_lines(self, ascii_only: bool = False) -> list[str] | None:
        """The lines the Table prints, unwrapped and uncoloured, as Rich prints them at
        ``PLAIN_WIDTH`` columns; None when only Rich can tell (markup, tabs, blank
        lines in a cell, a title wider than the table, a table too wide, ...)."""
        settings = self.settings
        if not self.PLAIN_SETTINGS.issuperset(settings):
            return None
        if settings.get("title_justify", "left") != "left":
            return None
        columns = self.columns
        if not columns or any(not self.PLAIN_COLUMN.issuperset(o) for _, o in columns):
            return None
        footer = bool(settings.get("show_footer", False))
        grid: list[list[Any]] = [[header for header, _ in columns], *map(list, self.rows)]
        if footer:
            grid.append([options.get("footer", "") for _, options in columns])
        if any(len(row) != len(columns) for row in grid):
            return None
        cells: list[list[list[str]]] = []
        for row in grid:
            split_row: list[list[str]] = []
            for cell in row:
                plain = _plain_cell(cell, ascii_only)
                split = _split_lines(plain) if plain is not None else None
                if split is None:
                    return None
                split_row.append(split)
            cells.append(split_row)
        last = len(columns) - 1
        widths: list[int] = []
        for c, (_, options) in enumerate(columns):
            pad = (c > 0) + (c < last)
            fixed = options.get("width")
            longest = max((cell_len(line) for row in cells for line in row[c]), default=0)
            if fixed is not None:
                if longest > fixed:
                    return None
                longest = fixed
            widths.append((longest + pad) or 1)
        table_width = sum(widths)
        if table_width > PLAIN_WIDTH:
            return None
        out: list[str] = []
        title = self.title.plain if self.title is not None else ""
        if title:  # as Rich: an empty title is not drawn
            if "\n" in title or not _plain_text(title) or cell_len(title) > table_width:
                return None
            out.append(title)
        for n, row in enumerate(cells):
            height = max(len(cell_lines) for cell_lines in row)
            for i in range(height):
                parts = []
                for c, (_, options) in enumerate(columns):
                    cell_lines = row[c]
                    at = i - (height - len(cell_lines)) if n == 0 else i  # a header: at the bottom
                    text = cell_lines[at] if 0 <= at < len(cell_lines) else ""
                    room = widths[c] - (c > 0) - (c < last)
                    if options.get("justify", "left") == "right":
                        text = text.rstrip()
                        text = " " * (room - cell_len(text)) + text
                    else:
                        text += " " * (room - cell_len(text))
                    parts.append((" " if c > 0 else "") + text + (" " if c < last else ""))
                out.append("".join(parts))
        return out


def _plain_cell(cell: Any, ascii_only: bool) -> str | None:
    """A cell's text as Rich draws it in plain output; None when only Rich can tell."""
    if isinstance(cell, str):  # Rich reads markup and emoji codes in a string
        text = None if ("[" in cell or ":" in cell) else cell
    elif isinstance(cell, Styled):
        text = cell.plain
    else:
        plain_cell = getattr(cell, "plain_cell", None)
        text = plain_cell(ascii_only) if plain_cell is not None else None
    return text if text is not None and _plain_text(text) else None


def _split_lines(text: str) -> list[str] | None:
    """The lines of a text; None when it has a blank line among several (Rich draws
    those differently in a tree and in a table: left to Rich)."""
    lines = text.split("\n")
    if len(lines) > 1 and not all(line.strip() for line in lines):
        return None
    return lines


def _fits(text: Text, width: int) -> bool:
    """Whether Rich would draw ``text`` as it is on one line ``width`` cells wide
    (it breaks lines at newlines and expands tabs; Text has no other control codes)."""
    plain = text.plain
    return text.cell_len <= width and "\n" not in plain and "\t" not in plain


def _segments(text: Text, console: Console) -> Iterable[Segment]:
    """``text.render``, in the text's own style even when it has no spans (Rich
    applies that style when it joins a cell's lines; ``render`` alone does not)."""
    if text.spans or not text.style:
        return text.render(console)
    from rich.segment import Segment

    return [Segment(text.plain, console.get_style(text.style))]


def _styled(segments: Iterable[Segment], style: Style | None) -> Iterable[Segment]:
    """The segments with ``style`` under their own (a header row's bold)."""
    if style is None:
        return segments
    from rich.segment import Segment

    return Segment.apply_style(segments, style)
