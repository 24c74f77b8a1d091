"""The light renderables draw what Rich's Tree, Table and Text draw, character and style alike."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from mlroadmap.progress import Count
from mlroadmap.renderables import Line, Outline, Rows, Sheet, Styled, cell_len
from mlroadmap.views import Bar

WORDS = st.text(alphabet=st.sampled_from("abcdefghij  -/()’漢字é\t"), min_size=0, max_size=30).map(
    str.strip
)
STYLES = st.sampled_from(["", "bold", "dim", "cyan", "bold cyan", "green", "blue"])


@st.composite
def labels(draw: st.DrawFn) -> Text:
    text = Text(style=draw(STYLES))
    for _ in range(draw(st.integers(0, 4))):
        text.append(draw(WORDS) + draw(st.sampled_from(["", " ", "  "])), style=draw(STYLES))
    return text


@st.composite
def outlines(draw: st.DrawFn) -> list[Any]:
    """A tree as nested [label, [children...]] lists, up to five levels."""

    def node(depth: int) -> list[Any]:
        count = draw(st.integers(0, 3)) if depth < 5 else 0
        return [draw(labels()), [node(depth + 1) for _ in range(count)]]

    return node(0)


def draw_with(tree: list[Any], rich_tree: bool) -> Tree | Outline:
    label, children = tree
    root: Tree | Outline = Tree(label, guide_style="dim") if rich_tree else Outline(label)

    def add(parent: Any, nodes: list[Any]) -> None:
        for child_label, grandchildren in nodes:
            add(parent.add(child_label), grandchildren)

    add(root, children)
    return root


class AsciiFile(io.StringIO):
    encoding = "ascii"  # Rich draws ASCII guides when the output is not UTF-8


def printed(renderable: Any, width: int, colour: bool, ascii_only: bool) -> str:
    file = AsciiFile() if ascii_only else io.StringIO()
    console = Console(
        file=file,
        width=width,
        color_system="truecolor" if colour else None,
        force_terminal=colour,
        highlight=False,
    )
    console.print(renderable)
    return file.getvalue()


@settings(max_examples=300)
@given(
    outlines(),
    st.integers(min_value=1, max_value=120),
    st.booleans(),
    st.booleans(),
)
def test_outline_prints_what_rich_tree_prints(
    tree: list[Any], width: int, colour: bool, ascii_only: bool
) -> None:
    expected = printed(draw_with(tree, rich_tree=True), width, colour, ascii_only)
    assert printed(draw_with(tree, rich_tree=False), width, colour, ascii_only) == expected


def test_outline_guides_and_wrapping_by_hand() -> None:
    root = Outline(Text("root"))
    first = root.add(Text("a label long enough to wrap at twenty columns"))
    first.add(Text("child"))
    root.add(Text("last"))
    assert printed(root, 20, colour=False, ascii_only=False).splitlines() == [
        "root",
        "├── a label long ",  # Rich keeps the space a line was broken at
        "│   enough to wrap ",
        "│   at twenty ",
        "│   columns",
        "│   └── child",
        "└── last",
    ]
    assert printed(root, 20, colour=False, ascii_only=True).splitlines()[-2:] == [
        "|   `-- child",
        "`-- last",
    ]


# ---------------------------------------------------------------------------
# Rows and the Rich Table it stands for

SHORT = st.text(alphabet=st.sampled_from("0123456789-: abc漢\t"), min_size=0, max_size=16)


@st.composite
def row_sets(draw: st.DrawFn) -> Rows:
    short = draw(st.integers(1, 3))
    headers = draw(st.none() | st.lists(SHORT, min_size=short + 1, max_size=short + 1))
    rows = Rows(headers)
    for _ in range(draw(st.integers(1, 6))):
        cells = [Text(draw(SHORT), style=draw(STYLES)) for _ in range(short)]
        last = draw(labels())
        if draw(st.booleans()):
            last.append("\n" + draw(WORDS), style=draw(STYLES))
        rows.add_row(*cells, last)
    return rows


def styled_chars(renderable: Any, width: int) -> list[tuple[str, str]]:
    """Every character drawn, with the style it is drawn in (however Rich splits segments)."""
    console = Console(file=io.StringIO(), width=width, color_system="truecolor")
    drawn = []
    for segment in console.render(renderable, console.options):
        style = str(segment.style) if segment.style else "none"
        drawn += [(ch, style) for ch in segment.text]
    return drawn


@settings(max_examples=300)
@given(row_sets(), st.integers(min_value=1, max_value=120))
def test_rows_draw_what_a_rich_table_draws(rows: Rows, width: int) -> None:
    table = rows.table()
    assert printed(rows, width, colour=False, ascii_only=False) == printed(
        table,
        width,
        colour=False,
        ascii_only=False,
    )
    assert styled_chars(rows, width) == styled_chars(table, width)


def test_rows_by_hand() -> None:
    rows = Rows(["When", "What", "Item"])
    rows.add_row(Text("2026-03-04 10:30"), Text("done"), Text("r/a  A title that wraps"))
    rows.add_row(Text("2026-03-05 (on)"), Text("in progress"), Text("r/b  Short"))
    assert printed(rows, 48, colour=False, ascii_only=False).splitlines() == [
        "When              What         Item             ",
        "2026-03-04 10:30  done         r/a  A title that",
        "                               wraps            ",
        "2026-03-05 (on)   in progress  r/b  Short       ",
    ]


def _unwrapped(renderable: Any, ascii_only: bool) -> list[str]:
    """What Rich prints, uncoloured and wide enough not to wrap, less trailing spaces."""
    text = printed(renderable, 10_000, colour=False, ascii_only=ascii_only)
    return [line.rstrip(" ") for line in text.splitlines()]


@settings(max_examples=300)
@given(outlines(), st.booleans(), st.booleans())
def test_outline_plain_lines_are_what_rich_prints(
    tree: list[Any], ascii_only: bool, as_pieces: bool
) -> None:
    outline = draw_with(tree, rich_tree=False)
    assert isinstance(outline, Outline)
    if as_pieces:  # labels given as (text, style) pieces, as the show view builds them
        for node, _, _ in outline._walk(ascii_only):
            assert not isinstance(node.label, tuple)
            node.label = tuple((span.plain, "") for span in node.label.divide([]))
    lines = outline.plain_lines(ascii_only)
    plains = [node.plain() for node, _, _ in outline._walk(ascii_only)]
    blank = ("\n" in p and not all(line.strip() for line in p.split("\n")) for p in plains)
    if any("\t" in p for p in plains) or any(blank):
        assert lines is None  # tabs and blank lines: left to Rich
        return
    assert lines is not None
    assert [line.rstrip(" ") for line in lines] == _unwrapped(outline, ascii_only)


@settings(max_examples=300)
@given(row_sets())
def test_rows_plain_lines_are_what_rich_prints(rows: Rows) -> None:
    lines = rows.plain_lines()
    if any("\t" in cell.plain for row in rows.rows for cell in row):
        assert lines is None
        return
    if lines is None:
        return
    assert [line.rstrip(" ") for line in lines] == _unwrapped(rows, ascii_only=False)


def test_plain_lines_by_hand() -> None:
    tree = Outline((("root", "bold"), ("  2/3", "dim")))
    child = tree.add((("[x] a", ""),))
    child.add(Text("deep\nsecond line"))
    tree.add((("[ ] b", ""),))
    assert tree.plain_lines(ascii_only=False) == [
        "root  2/3",
        "├── [x] a",
        "│   └── deep",
        "│       second line",
        "└── [ ] b",
    ]
    rows = Rows(["When", "What", "Item"])
    rows.add_row(Text("2026-11-01"), Text("done"), Text("r/a  Title\nnote"))
    assert rows.plain_lines() == [
        "When        What  Item",
        "2026-11-01  done  r/a  Title",
        "                  note",
    ]


# ---------------------------------------------------------------------------
# Sheet, Line and Styled: the tables and lines the everyday views print, drawn
# without Rich when the output is plain


PLAIN_WORDS = st.text(alphabet=st.sampled_from("abcdefghij  -/()’漢字é█"), max_size=24)
MARKUP_FREE = st.text(alphabet=st.sampled_from("abc 0123456789/%.,-"), max_size=12)


@st.composite
def styled(draw: st.DrawFn, lines: bool = True) -> Styled:
    cell = Styled(base=draw(STYLES))
    for _ in range(draw(st.integers(0, 3))):
        cell.append(draw(PLAIN_WORDS), draw(STYLES))
    if lines and draw(st.booleans()):
        cell.append("\n" + draw(PLAIN_WORDS), draw(STYLES))
    return cell


@st.composite
def bars(draw: st.DrawFn) -> Bar:
    total = draw(st.integers(0, 40))
    done = draw(st.integers(0, total))
    skipped = draw(st.integers(0, total - done))
    return Bar(Count(done=done, skipped=skipped, total=total), draw(st.integers(1, 20)))


def cells(draw: st.DrawFn) -> Any:
    return draw(st.one_of(styled(), MARKUP_FREE, bars()))


@st.composite
def sheets(draw: st.DrawFn) -> Sheet:
    footer = draw(st.booleans())
    settings: dict[str, Any] = {"header_style": "bold"}
    if footer:
        settings.update(show_footer=True, footer_style="bold")
    if draw(st.booleans()):
        settings["show_edge"] = False
    title = draw(st.none() | styled(lines=False))
    if title is not None:
        settings["title_justify"] = "left"
    sheet = Sheet(title=title, **settings)
    for _ in range(draw(st.integers(1, 5))):
        options: dict[str, Any] = {}
        if draw(st.booleans()):
            options["justify"] = "right"
            options["no_wrap"] = True
        elif draw(st.booleans()):
            options["overflow"] = "fold"
            options["ratio"] = 1
        if draw(st.integers(0, 5)) == 0:
            options["width"] = draw(st.integers(1, 6))
        if footer:
            options["footer"] = cells(draw)
        sheet.add_column(draw(MARKUP_FREE), **options)
    for _ in range(draw(st.integers(0, 5))):
        sheet.add_row(*(cells(draw) for _ in sheet.columns))
    return sheet


def _drawable(sheet: Sheet) -> bool:
    """Whether plain_lines must draw the sheet: no blank line among a cell's lines, no
    cell wider than its fixed width, no title wider than the table."""
    rows = [[h for h, _ in sheet.columns], *sheet.rows]
    if sheet.settings.get("show_footer"):
        rows.append([o.get("footer", "") for _, o in sheet.columns])
    for row in rows:
        for cell, (_, options) in zip(row, sheet.columns, strict=True):
            text = cell if isinstance(cell, str) else cell.plain if isinstance(cell, Styled) else ""
            lines = text.split("\n")
            if len(lines) > 1 and not all(line.strip() for line in lines):
                return False
            fixed = options.get("width")
            if fixed is not None and max(cell_len(line) for line in lines) > fixed:
                return False
            if isinstance(cell, Bar) and fixed is not None and cell.width > fixed:
                return False
    return True


@settings(max_examples=400, deadline=None)
@given(sheets(), st.booleans())
def test_sheet_plain_lines_are_what_its_rich_table_prints(sheet: Sheet, ascii_only: bool) -> None:
    lines = sheet.plain_lines(ascii_only)
    expected = _unwrapped(sheet.table(), ascii_only)
    if lines is None:
        untitled = Sheet(**sheet.settings)
        untitled.columns, untitled.rows = sheet.columns, sheet.rows
        body = untitled.plain_lines(ascii_only)
        if body is None:
            assert not _drawable(sheet)
        else:  # the title alone is left to Rich: it is wider than the table, which wraps it
            assert sheet.title is not None
            assert cell_len(sheet.title.plain) > cell_len(body[0])
        return
    assert [line.rstrip(" ") for line in lines] == expected


def test_a_sheet_is_drawn_by_rich_as_its_table() -> None:
    sheet = Sheet(title=Styled(("Title", ""), base="bold"), header_style="bold")
    sheet.add_column("Name", overflow="fold")
    sheet.add_column("Done", justify="right", no_wrap=True)
    sheet.add_row(Styled(("a", ""), ("  b", "dim"), base="cyan"), "1/2")
    for width in (8, 80):
        assert printed(sheet, width, colour=True, ascii_only=False) == printed(
            sheet.table(), width, colour=True, ascii_only=False
        )
    assert sheet.plain_lines() == ["Title", "Name  Done", "a  b   1/2"]


def test_sheet_plain_lines_by_hand() -> None:
    sheet = Sheet(show_footer=True, footer_style="bold")
    sheet.add_column("", width=1, footer="")
    sheet.add_column("Roadmap", overflow="fold", footer="Total")
    sheet.add_column("Bar", footer=Bar(Count(done=1, total=4), 8))
    sheet.add_column("%", justify="right", no_wrap=True, footer="25%")
    sheet.add_row("*", Styled(("r1  First", ""), ("\nits summary", "dim")), "", "100%")
    assert sheet.plain_lines() == [
        "   Roadmap      Bar          %",
        "*  r1  First              100%",
        "   its summary                ",
        "   Total        ██░░░░░░   25%",
    ]
    assert [line.rstrip() for line in sheet.plain_lines() or []] == _unwrapped(
        sheet.table(), ascii_only=False
    )
    markup = Sheet()
    markup.add_column("x")
    markup.add_row("[bold]not plain[/bold]")
    assert markup.plain_lines() is None  # Rich reads markup in a string: left to Rich


@settings(max_examples=200)
@given(PLAIN_WORDS | st.text(max_size=20), STYLES, st.booleans())
def test_a_line_is_what_rich_prints_of_its_text(text: str, style: str, ascii_only: bool) -> None:
    line = Line(text, style)
    assert printed(line, 80, True, ascii_only) == printed(
        Text(text, style=style), 80, True, ascii_only
    )
    plain = line.plain_lines(ascii_only)
    if plain is None:
        return
    assert [p.rstrip(" ") for p in plain] == _unwrapped(Text(text, style=style), ascii_only)


@settings(max_examples=200)
@given(styled())
def test_styled_text_is_the_text_the_views_built(cell: Styled) -> None:
    text = Text(style=cell.base)
    for piece, style in cell.pieces:
        text.append(piece, style=style or None)
    assert cell.text() == text
    assert cell.plain == text.plain
    assert cell_len(cell.plain) == text.cell_len
