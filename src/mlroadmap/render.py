"""Turn results into Rich tables and trees for people, or JSON for scripts.

Text that comes from roadmaps, notes or stores is always printed as text:
Rich markup in it is not interpreted, and control characters are made
visible instead of reaching the terminal.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from mlroadmap.progress import DONE, SKIPPED, STARTED, Count, ItemState, status_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from rich.console import Console, ConsoleOptions, RenderableType
    from rich.segment import Segment
    from rich.style import Style
    from rich.table import Table
    from rich.text import Text

    from mlroadmap.models import Node, Resource, Roadmap
    from mlroadmap.records import Event
    from mlroadmap.skills import SkillState
    from mlroadmap.tracker import (
        CalendarResult,
        DoctorReport,
        LogEntry,
        MarkResult,
        NextResult,
        ProgressResult,
        RoadmapSummary,
        SearchHit,
        ShowResult,
        SkillsResult,
    )

MARKS = {DONE: "[x]", STARTED: "[~]", SKIPPED: "[-]"}
CREDIT_MARK = "[c]"
TODO_MARK = "[ ]"
MARK_STYLES = {DONE: "green", STARTED: "yellow", SKIPPED: "dim"}
BAR_WIDTH = 20

# C0 and C1 control characters (but tab and newline), DEL, and the bidi controls.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """Text with every terminal control character shown as a visible escape."""
    return _UNSAFE.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def one_line(text: str) -> str:
    return " ".join(clean(text).split())


# ---------------------------------------------------------------------------
# Consoles and output


def console(*, stderr: bool = False) -> Console:
    """Stdout for data; stderr for messages, which are never hard-wrapped (logs stay greppable)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=stderr)


def emit_json(document: Any) -> None:
    """One JSON document on stdout; control characters (C1 and bidi too) escaped."""
    text = json.dumps(document, ensure_ascii=False, indent=2, default=_json_default)
    text = _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    sys.stdout.write(text + "\n")


def _json_default(value: object) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def error(message: str, hint: str | None = None) -> None:
    """An error on stderr: the message, then what to do next."""
    out = console(stderr=True)
    from rich.text import Text

    text = Text("error: ", style="bold red")
    text.append(clean(message))
    out.print(text)
    if hint:
        out.print(Text(clean(hint), style="dim"))


def notice(message: str) -> None:
    """A message for people, on stderr (stdout carries only data).

    One unstyled line, never wrapped: written directly, as Rich would print it,
    so the commands that only report a change do not load Rich.
    """
    sys.stderr.write(clean(message) + "\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------
# Pieces


def mark_text(status: str) -> Text:
    from rich.text import Text

    return Text(MARKS.get(status, TODO_MARK), style=MARK_STYLES.get(status, ""))


def bar(count: Count, width: int = BAR_WIDTH) -> Text:
    """A bar that reads without colour: done █, skipped ▒, to do ░."""
    from rich.text import Text

    if not count.total:
        return Text("░" * width, style="dim")
    done = round(width * count.done / count.total)
    skipped = min(width - done, round(width * count.skipped / count.total))
    if count.done and not done:
        done = 1
    text = Text("█" * done, style="green")
    text.append("▒" * skipped, style="dim green")
    text.append("░" * (width - done - skipped), style="dim")
    return text


def percent(count: Count) -> str:
    return f"{(count.settled * 100 // count.total) if count.total else 0}%"


def fraction(count: Count) -> str:
    return f"{count.settled}/{count.total}"


def local_time(ts: datetime) -> str:
    return ts.astimezone().strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------------------
# list


def list_table(summaries: list[RoadmapSummary]) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("", width=1)
    table.add_column("Roadmap", overflow="fold")
    table.add_column("Done", justify="right", no_wrap=True)
    table.add_column("%", justify="right", no_wrap=True)
    for s in summaries:
        title = Text(clean(s.roadmap.id), style="bold cyan")
        title.append(f"  {one_line(s.roadmap.title)}")
        title.append(f"\n{one_line(s.roadmap.summary)}", style="dim")
        table.add_row("*" if s.active else "", title, fraction(s.count), percent(s.count))
    return table


def list_json(summaries: list[RoadmapSummary]) -> dict[str, Any]:
    return {
        "active": next((s.roadmap.id for s in summaries if s.active), None),
        "roadmaps": [
            {
                "id": s.roadmap.id,
                "title": s.roadmap.title,
                "summary": s.roadmap.summary,
                "source": s.roadmap.source.to_dict(),
                "duration_weeks": s.roadmap.duration_weeks,
                "active": s.active,
                "bundled": s.bundled,
                **count_json(s.count),
            }
            for s in summaries
        ],
    }


def count_json(count: Count) -> dict[str, Any]:
    return {
        "done": count.done,
        "skipped": count.skipped,
        "started": count.started,
        "total": count.total,
        "credited": count.credited,
        "percent": round(100 * count.fraction, 1),
    }


# ---------------------------------------------------------------------------
# show


def _node_label(node: Node, result: ShowResult) -> Text:
    from rich.text import Text

    label = Text()
    credited_from = result.credited.get(node.id)
    if node.is_leaf:
        status = status_of(result.states, node.id)
        if credited_from and status not in (DONE, SKIPPED):
            label.append(CREDIT_MARK, style="blue")
        else:
            label.append_text(mark_text(status))
        label.append(" ")
    label.append(clean(node.id), style="cyan" if node.is_leaf else "bold cyan")
    label.append("  ")
    label.append(one_line(node.title), style="" if node.is_leaf else "bold")
    if not node.is_leaf:
        count = result.counts[node.id]
        label.append(
            f"  {fraction(count)}", style="green" if count.settled == count.total else "dim"
        )
        if count.credited:
            label.append(f" +{count.credited} credited", style="blue")
    elif credited_from and status not in (DONE, SKIPPED):
        label.append(f"  (credited: {', '.join(credited_from)})", style="dim")
    state = result.states.get(node.id)
    if state is not None and state.note_count:
        label.append(f"  ({plural(state.note_count, 'note')})", style="dim")
    return label


def _hidden(node: Node, result: ShowResult) -> bool:
    count = result.counts.get(node.id)
    return result.todo_only and count is not None and count.settled == count.total


class Outline:
    """A tree of Text labels with guide lines: what ``rich.tree.Tree`` draws, for less.

    Rich's Tree sends every label through the console's whole rendering
    pipeline; drawing the same guides and wrapping each label with
    ``Text.wrap`` gives the same characters and styles in about half the time
    (``show`` of the 12-week roadmap: about 19 ms, now about 9).
    ``tests/test_render.py`` checks that both draw the same output.
    """

    __slots__ = ("children", "label")
    GUIDES = ("    ", "│   ", "├── ", "└── ")  # space, continue, fork, end: as Rich draws them
    ASCII_GUIDES = ("    ", "|   ", "+-- ", "`-- ")
    GUIDE_STYLE = "dim"

    def __init__(self, label: Text) -> None:
        self.label = label
        self.children: list[Outline] = []

    def add(self, label: Text) -> Outline:
        child = Outline(label)
        self.children.append(child)
        return child

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        from rich.segment import Segment

        space, more, fork, end = self.ASCII_GUIDES if options.ascii_only else self.GUIDES
        guide = console.get_style(self.GUIDE_STYLE)
        new_line = Segment.line()
        width = options.max_width
        # (node, its first line's guides, the guides of its other lines and of its children)
        stack: list[tuple[Outline, str, str]] = [(self, "", "")]
        while stack:
            node, first, rest = stack.pop()
            label, room = node.label, width - len(first)
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
            last = len(node.children) - 1
            for i in range(last, -1, -1):  # pushed last first, so drawn in order
                child = node.children[i]
                stack.append(
                    (
                        child,
                        rest + (end if i == last else fork),
                        rest + (space if i == last else more),
                    )
                )


class Rows:
    """Rows of one-line cells and a last cell that wraps in its own column.

    It draws what a borderless ``rich.table.Table`` (``pad_edge=False``, the
    short columns ``no_wrap``, the last one folding) draws, without sending
    every cell through the console's pipeline: ``log`` of a year's 2,000
    events took about 0.9 s to draw as a Table. When the short cells are not
    one line each, or leave no room for the last column, it lets Rich's Table
    draw the rows. ``tests/test_render.py`` checks that both draw the same.
    """

    __slots__ = ("headers", "rows")
    HEADER_STYLE = "bold"

    def __init__(self, headers: Sequence[str] | None = None) -> None:
        self.headers = list(headers) if headers is not None else None
        self.rows: list[tuple[Text, ...]] = []

    def add_row(self, *cells: Text) -> None:
        self.rows.append(cells)

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
        for row in self.rows:
            table.add_row(*row)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Any]:
        from rich.cells import cell_len
        from rich.segment import Segment
        from rich.text import Text

        header = None if self.headers is None else tuple(Text(h) for h in self.headers)
        rows = [header, *self.rows] if header is not None else self.rows
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


def show_tree(result: ShowResult) -> RenderableType:
    from rich.text import Text

    roadmap = result.roadmap
    if result.node is not None:
        node = roadmap.index.node(result.node)
        if node.is_leaf:
            return item_detail(roadmap, node, result.states.get(node.id))
        root = Outline(_node_label(node, result))
        nodes = node.children
    else:
        title = Text(clean(roadmap.id), style="bold cyan")
        title.append(f"  {one_line(roadmap.title)}  ", style="bold")
        title.append(fraction(result.counts[""]), style="dim")
        root = Outline(title)
        nodes = roadmap.children

    def add(parent: Outline, children: list[Node], level: int) -> None:
        for child in children:
            if _hidden(child, result):
                continue
            branch = parent.add(_node_label(child, result))
            if child.children and (result.depth is None or level < result.depth):
                add(branch, child.children, level + 1)

    add(root, nodes, 1)
    return root


def item_detail(roadmap: Roadmap, node: Node, state: ItemState | None) -> RenderableType:
    """One item: title, status, description, resources as links, notes, history."""
    from rich.console import Group
    from rich.text import Text

    status = state.status if state is not None else "todo"
    parts: list[RenderableType] = []
    head = mark_text(status) if node.is_leaf else Text("")
    head.append(f" {clean(node.id)}", style="bold cyan")
    head.append(f"  {one_line(node.title)}", style="bold")
    parts.append(head)
    crumbs = [one_line(roadmap.index.node(a).title) for a in roadmap.index.ancestors(node.id)]
    parts.append(Text(" > ".join([one_line(roadmap.title), *crumbs]), style="dim"))
    if node.weeks:
        parts.append(
            Text(f"Week{'s' if len(node.weeks) > 1 else ''}: " + ", ".join(map(str, node.weeks)))
        )
    if node.aliases:
        parts.append(Text("Also answers to: " + ", ".join(node.aliases), style="dim"))
    if node.description:
        parts.append(Text(""))
        parts.append(Text(clean(node.description)))
    if node.resources:
        parts.append(Text(""))
        parts.append(Text("Resources", style="bold"))
        parts.extend(resource_line(r) for r in node.resources)
    if state is not None and state.notes:
        parts.append(Text(""))
        parts.append(Text("Notes", style="bold"))
        parts.extend(_event_line(e, with_note=True) for e in state.notes)
    if state is not None and state.history:
        parts.append(Text(""))
        parts.append(Text("History", style="bold"))
        parts.extend(_event_line(e) for e in state.history if e.action != "note")
    return Group(*parts)


def resource_line(resource: Resource) -> Text:
    from rich.text import Text

    line = Text(f"  - [{resource.kind}] ", style="dim")
    style = f"link {resource.url}" if resource.url else ""
    line.append(one_line(resource.title), style=style)
    if resource.note:
        line.append(f" ({one_line(resource.note)})", style="dim")
    if resource.url:
        line.append(f"\n    {clean(resource.url)}", style=f"dim link {resource.url}")
    return line


def _event_line(event: Event, *, with_note: bool = False) -> Text:
    from rich.text import Text

    line = Text(f"  {local_time(event.ts)}  ", style="dim")
    if with_note:
        line.append(clean(event.note or ""))
    else:
        line.append(event.action)
        if event.on is not None:
            line.append(f" (on {event.on.isoformat()})", style="dim")
    return line


def node_json(node: Node, result: ShowResult, level: int) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": node.id, "title": node.title, "kind": node.kind}
    if node.weeks:
        doc["weeks"] = node.weeks
    if node.is_leaf:
        doc["status"] = status_of(result.states, node.id)
        if node.id in result.credited and doc["status"] not in (DONE, SKIPPED):
            doc["credited_from"] = result.credited[node.id]
    else:
        doc.update(count_json(result.counts[node.id]))
    if node.description:
        doc["description"] = node.description
    if node.aliases:
        doc["aliases"] = node.aliases
    if node.resources:
        doc["resources"] = [r.to_dict() for r in node.resources]
    state = result.states.get(node.id)
    if state is not None and state.notes:
        doc["notes"] = [{"at": e.ts, "text": e.note} for e in state.notes]
    if node.children and (result.depth is None or level < result.depth):
        doc["children"] = [
            node_json(c, result, level + 1) for c in node.children if not _hidden(c, result)
        ]
    return doc


def show_json(result: ShowResult) -> dict[str, Any]:
    roadmap = result.roadmap
    if result.node is not None:
        nodes = [roadmap.index.node(result.node)]
    else:
        nodes = [n for n in roadmap.children if not _hidden(n, result)]
    return {
        "roadmap": {"id": roadmap.id, "title": roadmap.title, **count_json(result.counts[""])},
        "node": result.node,
        "items": [node_json(n, result, 1) for n in nodes],
    }


# ---------------------------------------------------------------------------
# done / undo / start / skip / note


VERBS = {DONE: "done", "todo": "back to to-do", STARTED: "in progress", SKIPPED: "skipped"}


def mark_message(result: MarkResult) -> str:
    verb = VERBS.get(result.action, result.action)
    where = f"in {result.roadmap.id}"
    target = ", ".join(result.targets)
    if result.action == "note":
        return f"Noted on {target} {where}."
    n = len(result.changed)
    if n == 0:
        if result.kept:
            message = f"Nothing to change ({target} {where})."
            if result.unchanged:
                message += f" {len(result.unchanged)} already {verb}."
        elif result.targets == result.unchanged:
            message = f"Nothing to change: {target} {where} is already {verb}."
        else:
            message = f"Nothing to change: every item of {target} {where} is already {verb}."
    else:
        if n == 1 and result.targets == result.changed:
            message = f"Marked {target} {verb} {where}"
            was = result.was.get(target)
            message += f" (it was {VERBS[was]})." if was else "."
        else:
            message = f"Marked {plural(n, 'item')} {verb} ({target} {where})."
            if result.was:
                message += " Before, " + ", ".join(
                    f"{item} was {VERBS[status]}" for item, status in result.was.items()
                )
                message += "."
        if result.unchanged:
            message += f" {len(result.unchanged)} already {verb}."
    if result.kept:
        statuses = " or ".join(VERBS[s] for s in sorted(set(result.kept.values())))
        they = "it stays" if len(result.kept) == 1 else "they stay"
        message += (
            f" {plural(len(result.kept), 'item')} already {statuses}: {they} so"
            " (name an item to change it)."
        )
    if result.noted:
        message += " Note saved."
    return message


# ---------------------------------------------------------------------------
# progress


def _days(days: int) -> str:
    return f"{days // 7} weeks" if days % 7 == 0 and days > 7 else f"{days} days"


def _pace_lines(result: ProgressResult) -> list[str]:
    p = result.pace
    lines = []
    if p.remaining == 0:
        lines.append("Finished: every item is done or skipped.")
    elif p.per_week == 0:
        lines.append(
            f"Pace: nothing finished in the last {_days(p.window_days)}; {p.remaining} items to go."
        )
    else:
        weeks = (p.eta - result.today).days / 7 if p.eta else 0
        lines.append(
            f"Pace: {p.per_week:.1f} items a week over the last {_days(p.window_days)}; "
            f"{p.remaining} to go, finishing around {p.eta} (in {weeks:.0f} weeks)."
        )
    s = result.schedule
    if s is not None:
        where = (
            f"you are on week {s.learner_week}"
            if s.learner_week is not None
            else "you have finished"
        )
        ahead = s.weeks_ahead
        verdict = (
            "on schedule"
            if ahead == 0
            else f"{plural(abs(ahead), 'week')} {'ahead' if ahead > 0 else 'behind'}"
        )
        lines.append(
            f"Schedule: started {s.started}; the calendar says week {s.calendar_week} "
            f"of {s.last_week}, {where}: {verdict}."
        )
    return lines


def progress_view(result: ProgressResult) -> RenderableType:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=Text(f"{one_line(result.roadmap.title)} ({result.roadmap.id})", style="bold"),
        title_justify="left",
        box=None,
        pad_edge=False,
        header_style="bold",
        show_footer=True,
        footer_style="bold",
    )
    table.add_column("Section", footer="Total", overflow="fold", ratio=1)
    table.add_column("Done", footer=fraction(result.total), justify="right", no_wrap=True)
    table.add_column("", footer=bar(result.total), no_wrap=True)
    table.add_column("%", footer=percent(result.total), justify="right", no_wrap=True)
    for section in result.sections:
        name = Text(clean(section.id), style="cyan")
        name.append(f"  {one_line(section.title)}")
        extra = []
        if section.count.skipped:
            extra.append(f"{section.count.skipped} skipped")
        if section.count.started:
            extra.append(f"{section.count.started} in progress")
        if section.count.credited:
            extra.append(f"{section.count.credited} credited")
        if extra:
            name.append(f" ({', '.join(extra)})", style="dim")
        table.add_row(name, fraction(section.count), bar(section.count), percent(section.count))
    footer = [Text(line) for line in _pace_lines(result)]
    if result.total.credited:
        footer.insert(
            0,
            Text(
                f"{plural(result.total.credited, 'more item')} credited: their skills were "
                "learned in other roadmaps (see 'mlroadmap skills'; --no-credit hides them)."
            ),
        )
    if result.total.skipped:
        footer.insert(
            0,
            Text(
                f"{result.total.done} done and {result.total.skipped} skipped "
                f"of {result.total.total} items."
            ),
        )
    return Group(table, Text(""), *footer)


def progress_json(result: ProgressResult) -> dict[str, Any]:
    p, s = result.pace, result.schedule
    return {
        "roadmap": result.roadmap.id,
        "title": result.roadmap.title,
        "sections": [
            {"id": sec.id, "title": sec.title, **count_json(sec.count)} for sec in result.sections
        ],
        "total": count_json(result.total),
        "pace": {
            "per_week": round(p.per_week, 2),
            "window_days": p.window_days,
            "remaining": p.remaining,
            "eta": p.eta,
        },
        "schedule": None
        if s is None
        else {
            "started": s.started,
            "calendar_week": s.calendar_week,
            "learner_week": s.learner_week,
            "last_week": s.last_week,
            "weeks_ahead": s.weeks_ahead,
        },
    }


# ---------------------------------------------------------------------------
# next


def next_view(result: NextResult) -> RenderableType:
    from rich.text import Text

    if not result.items:
        return Text(f"Nothing left to do in {result.roadmap.id}: every item is done or skipped.")
    index = result.roadmap.index
    table = Rows()
    for item in result.items:
        node = index.node(item)
        where = " > ".join(one_line(index.node(a).title) for a in index.ancestors(item)[-2:])
        text = Text(clean(item), style="cyan")
        text.append(f"  {one_line(node.title)}")
        if where:
            text.append(f"\n{where}", style="dim")
        table.add_row(mark_text(status_of(result.states, item)), text)
    return table


def next_json(result: NextResult) -> dict[str, Any]:
    index = result.roadmap.index
    return {
        "roadmap": result.roadmap.id,
        "items": [
            {
                "id": item,
                "title": index.node(item).title,
                "status": status_of(result.states, item),
                "path": index.ancestors(item),
            }
            for item in result.items
        ],
    }


# ---------------------------------------------------------------------------
# doctor


def doctor_view(report: DoctorReport) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    lines: list[RenderableType] = []
    if report.salvaged:
        lines.append(
            Text(f"Restored {clean(str(report.store))}: {report.events} events from", style="green")
        )
        for path, count in report.salvaged:
            lines.append(Text(f"      {clean(str(path))}: {count} intact events"))
        if report.set_aside is not None:
            lines.append(Text(f"The replaced file was kept as {clean(str(report.set_aside))}."))
        if report.backup_set_aside is not None:
            lines.append(Text(f"The old backup was kept as {clean(str(report.backup_set_aside))}."))
        if report.unreadable:
            lines.append(
                Text(
                    f"warn  {report.unreadable} damaged event line(s) are in no other copy; "
                    "the kept files still hold them"
                )
            )
    if report.symlink is not None:
        lines.append(
            Text(
                f"info  {clean(str(report.symlink))} links to the store; "
                "its files are written beside the link's target"
            )
        )
    if report.healthy:
        lines.append(Text(f"ok    {clean(str(report.store))}: {report.events} events", style=""))
        if report.unfinished_line:
            lines.append(
                Text(
                    "info  the last line is unfinished (a write was killed); it is ignored, "
                    "and the next change removes it"
                )
            )
    else:
        lines.append(Text(f"FAIL  {clean(report.problem or '')}", style="red"))
        if report.missing:
            lines.append(
                Text(
                    f"      missing from the store: {', '.join(report.missing[:5])}"
                    + (f" and {len(report.missing) - 5} more" if len(report.missing) > 5 else "")
                )
            )
    if report.duplicates:
        lines.append(
            Text(f"info  {report.duplicates} event line(s) appear twice; each counts once")
        )
    for problem in report.out_of_range:
        lines.append(Text(f"warn  {clean(problem)}"))
    if report.cache_rebuilt is not None:
        lines.append(Text(f"fixed {clean(report.cache_rebuilt)}; rebuilt from the log"))
    if report.backup_bad_lines:
        lines.append(
            Text(
                f"warn  {report.backup_bad_lines} line(s) of the backup cannot be read; "
                "the next write replaces it"
            )
        )
    if report.backup is None:
        lines.append(Text("info  no backup yet (one is kept from the second write on)"))
    elif report.backup_events is None:
        lines.append(Text(f"warn  {clean(str(report.backup))}: the backup is not readable"))
    else:
        lines.append(
            Text(f"ok    {clean(str(report.backup))}: backup with {report.backup_events} events")
        )
    if report.orphans:
        n = sum(o.events for o in report.orphans)
        lines.append(
            Text(
                f"info  {n} event(s) on {len(report.orphans)} item(s) that no roadmap has now; "
                "they are kept, and count again if the item comes back:"
            )
        )
        for orphan in report.orphans:
            lines.append(
                Text(
                    f"      {clean(orphan.roadmap)}/{clean(orphan.item)}: {orphan.events} "
                    f"event(s); {orphan.reason}",
                    style="dim",
                )
            )
    elif report.healthy:
        lines.append(Text("ok    every recorded item exists in its roadmap"))
    for path in report.removed:
        lines.append(Text(f"fixed {clean(str(path))}: removed, a temporary file of a killed write"))
    if not report.healthy:
        lines.append(
            Text("Run 'mlroadmap doctor --restore' to salvage every intact event.", style="bold")
        )
    return Group(*lines)


def doctor_json(report: DoctorReport) -> dict[str, Any]:
    return {
        "store": str(report.store),
        "healthy": report.healthy,
        "problem": report.problem,
        "events": report.events,
        "backup": str(report.backup) if report.backup else None,
        "backup_events": report.backup_events,
        "orphans": [
            {"roadmap": o.roadmap, "item": o.item, "events": o.events, "reason": o.reason}
            for o in report.orphans
        ],
        "restored_from": str(report.restored_from) if report.restored_from else None,
        "set_aside": str(report.set_aside) if report.set_aside else None,
        "unfinished_line": report.unfinished_line,
        "removed": [str(p) for p in report.removed],
        "missing": list(report.missing),
        "duplicates": report.duplicates,
        "out_of_range": list(report.out_of_range),
        "cache_rebuilt": report.cache_rebuilt,
        "backup_bad_lines": report.backup_bad_lines,
        "copies": [str(p) for p in report.copies],
        "symlink": str(report.symlink) if report.symlink else None,
        "salvaged": [{"path": str(p), "events": n} for p, n in report.salvaged],
        "backup_set_aside": str(report.backup_set_aside) if report.backup_set_aside else None,
        "unreadable": report.unreadable,
    }


# ---------------------------------------------------------------------------
# log, calendar, search


def log_view(entries: list[LogEntry]) -> RenderableType:
    from rich.text import Text

    if not entries:
        return Text("Nothing recorded yet. Tick something with 'mlroadmap done ID'.")
    table = Rows(["When", "What", "Item"])
    for entry in entries:
        e = entry.event
        when = local_time(e.ts) if e.on is None else f"{e.on.isoformat()} (on)"
        item = Text(f"{clean(e.roadmap)}/{clean(e.item)}", style="cyan")
        if entry.title is not None:
            item.append(f"  {one_line(entry.title)}")
        else:
            item.append("  (no longer in the roadmap)", style="dim")
        if e.note:
            item.append(f"\n{one_line(e.note)}", style="dim")
        table.add_row(Text(when), Text(VERBS.get(e.action, e.action)), item)
    return table


def log_json(entries: list[LogEntry]) -> dict[str, Any]:
    return {
        "events": [
            {
                "id": entry.event.id,
                "at": entry.event.ts,
                "day": entry.event.day,
                "roadmap": entry.event.roadmap,
                "item": entry.event.item,
                "title": entry.title,
                "action": entry.event.action,
                "note": entry.event.note,
            }
            for entry in entries
        ]
    }


HEAT = " ░▒▓█"


def _heat(count: int) -> str:
    if count <= 0:
        return "·"
    return HEAT[min(4, 1 + (count - 1) // 2)]


def calendar_view(result: CalendarResult) -> RenderableType:
    """A GitHub-style year of active days: a column a week, Monday at the top."""
    from datetime import timedelta

    from rich.console import Group
    from rich.text import Text

    weeks = ((result.today - result.first).days // 7) + 1
    months = [" "] * weeks
    for w in range(weeks):
        monday = result.first + timedelta(weeks=w)
        if monday.day <= 7:
            label = monday.strftime("%b")
            if w + len(label) <= weeks and all(c == " " for c in months[w : w + len(label)]):
                months[w : w + len(label)] = list(label)
    lines: list[RenderableType] = [Text("    " + "".join(months), style="dim")]
    for weekday, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        row = Text(f"{name:<4}", style="dim")
        for w in range(weeks):
            day = result.first + timedelta(weeks=w, days=weekday)
            if day > result.today:
                row.append(" ")
                continue
            count = result.days.get(day, 0)
            row.append(_heat(count), style="green" if count else "dim")
        lines.append(row)
    lines.append(Text("    less · ░ ▒ ▓ █ more", style="dim"))
    lines.append(Text(""))
    lines.append(
        Text(
            f"{plural(result.active_in_range, 'active day')} in the last year. "
            f"Current streak: {plural(result.current_streak, 'day')}; "
            f"longest: {plural(result.longest_streak, 'day')}."
        )
    )
    return Group(*lines)


def calendar_json(result: CalendarResult) -> dict[str, Any]:
    return {
        "from": result.first,
        "to": result.today,
        "days": {d.isoformat(): n for d, n in sorted(result.days.items()) if d >= result.first},
        "active_days": result.active_in_range,
        "current_streak": result.current_streak,
        "longest_streak": result.longest_streak,
    }


def search_view(hits: list[SearchHit], text: str) -> RenderableType:
    from rich.text import Text

    if not hits:
        return Text(f"Nothing matches {one_line(text)!r}.")
    table = Rows()
    for hit in hits:
        node = hit.roadmap.index.node(hit.item)
        mark = Text("   ") if hit.status == "branch" else mark_text(hit.status)
        label = Text(f"{clean(hit.roadmap.id)}/", style="dim")
        label.append(clean(hit.item), style="cyan")
        label.append(f"  {one_line(node.title)}")
        table.add_row(mark, label)
    return table


def search_json(hits: list[SearchHit], text: str) -> dict[str, Any]:
    return {
        "query": text,
        "results": [
            {
                "roadmap": hit.roadmap.id,
                "id": hit.item,
                "title": hit.roadmap.index.node(hit.item).title,
                "kind": hit.roadmap.index.node(hit.item).kind,
                "status": hit.status,
            }
            for hit in hits
        ],
    }


# ---------------------------------------------------------------------------
# skills


SKILL_MARKS = {"learned": "x", "partly": "~", "todo": "."}


def _skill_cell(state: SkillState, roadmap: str) -> str:
    if roadmap not in state.skill.items:
        return ""
    if roadmap in state.learned_in:
        return SKILL_MARKS["learned"]
    return SKILL_MARKS["partly"] if roadmap in state.partly_in else SKILL_MARKS["todo"]


def skills_view(result: SkillsResult) -> RenderableType:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    if not result.states:
        return Text(
            "Every shared skill is learned somewhere." if result.todo_only else "No skills."
        )
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("Skill", overflow="fold", ratio=1)
    for n, _ in enumerate(result.roadmaps, 1):
        table.add_column(str(n), justify="center", no_wrap=True)
    for state in result.states:
        name = Text(clean(state.skill.id), style="cyan")
        name.append(f"  {one_line(state.skill.name)}")
        table.add_row(name, *(_skill_cell(state, r) for r in result.roadmaps))
    legend = "  ".join(f"{n} {r}" for n, r in enumerate(result.roadmaps, 1))
    learned = sum(s.learned for s in result.states)
    summary = (
        f"{plural(len(result.states), 'skill')} not learned anywhere yet, most shared first."
        if result.todo_only
        else f"{learned} of {plural(len(result.states), 'shared skill')} learned."
    )
    return Group(
        table,
        Text(""),
        Text(legend, style="dim"),
        Text("x learned there (all its items done)  ~ partly  . not yet", style="dim"),
        Text(summary),
    )


def skills_json(result: SkillsResult) -> dict[str, Any]:
    def status(state: SkillState, roadmap: str) -> str:
        if roadmap in state.learned_in:
            return "learned"
        return "partly" if roadmap in state.partly_in else "todo"

    return {
        "skills": [
            {
                "id": s.skill.id,
                "name": s.skill.name,
                "learned": s.learned,
                "roadmaps": {
                    r: {"items": items, "status": status(s, r)}
                    for r, items in s.skill.items.items()
                },
            }
            for s in result.states
        ]
    }
