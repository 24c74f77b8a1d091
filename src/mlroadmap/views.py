"""The human views: Rich tables, trees and lines made from the tracker's results.

Text that comes from roadmaps, notes or stores is always printed as text:
Rich markup in it is not interpreted, and control characters are made
visible (``text.clean``) instead of reaching the terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from mlroadmap.progress import DONE, SKIPPED, STARTED, Count, ItemState, status_of
from mlroadmap.renderables import PLAIN_WIDTH, Line, Outline, Rows, Sheet, Styled, plain_rows
from mlroadmap.text import clean, one_line, plural, safe_link

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType
    from rich.measure import Measurement
    from rich.text import Text

    from mlroadmap.models import Node, Resource, Roadmap
    from mlroadmap.records import EventLike
    from mlroadmap.skills import SkillState
    from mlroadmap.tracker import (
        CalendarResult,
        ConfigResult,
        DoctorReport,
        FileCheck,
        LogEntry,
        LogResult,
        MarkResult,
        NextResult,
        NoteChange,
        OverviewResult,
        ProgressResult,
        RemoveResult,
        RoadmapSummary,
        SearchHit,
        ShowResult,
        SkillsResult,
        UndoResult,
        UseResult,
    )

__all__ = ["clean", "one_line", "plural"]


MARKS: dict[str, str] = {DONE: "[x]", STARTED: "[~]", SKIPPED: "[-]"}
CREDIT_MARK = "[c]"
TODO_MARK = "[ ]"
MARK_STYLES: dict[str, str] = {DONE: "green", STARTED: "yellow", SKIPPED: "dim"}
BAR_WIDTH = 20


PIPE_WIDTH = PLAIN_WIDTH  # "no wrapping" for output that goes to a file or a pipe


def console(*, stderr: bool = False) -> Console:
    """Stdout for data; stderr for messages, which are never hard-wrapped (logs stay greppable).

    On a terminal the output fits its width. Sent to a pipe or a file it is not
    wrapped at all, unless ``COLUMNS`` asks for a width.
    """
    import os

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None
    if not stderr and not _is_terminal(stream) and not os.environ.get("COLUMNS"):
        width = PIPE_WIDTH
    return Console(stderr=stderr, highlight=False, soft_wrap=stderr, width=width)


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except ValueError:  # a closed stream
        return False


def plain_stdout() -> bool | None:
    """Whether only ASCII can be written to stdout, when its output is neither
    coloured nor wrapped (a pipe or a file, no ``COLUMNS``): what Rich's console
    would decide, told without Rich. None when Rich may decide otherwise (a
    terminal; colour or a terminal forced by the environment; Jupyter; Windows)."""
    import builtins
    import os

    stream = sys.stdout
    environ = os.environ
    if (
        stream is None
        or os.name == "nt"
        or environ.get("COLUMNS")
        or "FORCE_COLOR" in environ
        or "TTY_COMPATIBLE" in environ
        or hasattr(builtins, "get_ipython")
        or _is_terminal(stream)
    ):
        return None
    stream = getattr(stream, "rich_proxied_file", stream)
    encoding = (getattr(stream, "encoding", "utf-8") or "utf-8").lower()
    return not encoding.startswith("utf")


def show(view: RenderableType | Iterable[RenderableType]) -> None:
    """Print a view on stdout; an iterable of renderables is printed one by one, as
    it comes. Off a terminal, lines lose their trailing spaces."""
    parts = view if isinstance(view, (list, tuple, Iterator)) else [view]
    # Neither coloured nor wrapped (a pipe, a file): the light renderables give
    # their lines without Rich (its import is most of a quick command's work,
    # and its pipeline what a long tree costs).
    ascii_only = plain_stdout()
    out: Console | None = None
    for part in parts:
        if ascii_only is not None and isinstance(part, (Outline, Rows, Sheet, Line, LogRows)):
            lines = part.plain_lines(ascii_only)
            if lines is not None:
                sys.stdout.write("".join(line.rstrip(" ") + "\n" for line in lines))
                continue
        if out is None:
            out = console()
        if out.is_terminal:
            out.print(part)
            continue
        with out.capture() as captured:
            out.print(part)
        text = captured.get()
        sys.stdout.write("\n".join(line.rstrip(" ") for line in text.split("\n")))


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


def mark_part(status: str, credited: bool = False) -> tuple[str, str]:
    """An item's mark and its style; ``[c]`` for an item credited by skills learned elsewhere."""
    if credited and status not in (DONE, SKIPPED):
        return CREDIT_MARK, "blue"
    return MARKS.get(status, TODO_MARK), MARK_STYLES.get(status, "")


def mark_text(status: str, credited: bool = False) -> Text:
    from rich.text import Text

    mark, style = mark_part(status, credited)
    return Text(mark, style=style)


def status_label(status: str) -> str:
    """A status as people read it: done, in progress, skipped, to do."""
    return VERBS.get(status, status) if status != "todo" else "to do"


def bar(count: Count, width: int = BAR_WIDTH) -> Bar:
    """A bar that reads without colour: done █, skipped ▒, to do ░; it narrows
    (down to 5 cells) when the terminal is narrow."""
    return Bar(count, width)


BAR_BLOCKS = "█▒░"  # done, skipped, to do
ASCII_BAR_BLOCKS = "#=-"


def bar_text(count: Count, width: int = BAR_WIDTH, blocks: str = BAR_BLOCKS) -> Text:
    from rich.text import Text

    done, skipped, todo = bar_parts(count, width, blocks)
    if not count.total:
        return Text(todo, style="dim")
    text = Text(done, style="green")
    text.append(skipped, style="dim green")
    text.append(todo, style="dim")
    return text


def bar_parts(count: Count, width: int, blocks: str = BAR_BLOCKS) -> tuple[str, str, str]:
    """A bar's done, skipped and to-do blocks."""
    done_block, skipped_block, todo_block = blocks[0], blocks[1], blocks[2]
    if not count.total:
        return "", "", todo_block * width
    done = round(width * count.done / count.total)
    skipped = min(width - done, round(width * count.skipped / count.total))
    if count.done and not done:
        done = 1
    return done_block * done, skipped_block * skipped, todo_block * (width - done - skipped)


class Bar:
    """A progress bar as wide as the room a table gives it, from 5 to ``width`` cells."""

    __slots__ = ("count", "width")
    MIN_WIDTH = 5

    def __init__(self, count: Count, width: int = BAR_WIDTH) -> None:
        self.count = count
        self.width = width

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        """Its full width from 80 columns on; narrower below, leaving room for titles."""
        from rich.measure import Measurement

        room = max(self.MIN_WIDTH, (console.width - 40) // 2)
        return Measurement(min(self.MIN_WIDTH, self.width), min(self.width, room))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        blocks = ASCII_BAR_BLOCKS if options.ascii_only else BAR_BLOCKS
        yield bar_text(self.count, max(1, min(self.width, options.max_width)), blocks)

    def plain_cell(self, ascii_only: bool) -> str:
        """The bar in a ``Sheet`` drawn without Rich: its full width (the room a
        table gives it, unwrapped)."""
        blocks = ASCII_BAR_BLOCKS if ascii_only else BAR_BLOCKS
        return "".join(bar_parts(self.count, max(1, self.width), blocks))


def percent(count: Count) -> str:
    return f"{(count.settled * 100 // count.total) if count.total else 0}%"


def fraction(count: Count) -> str:
    """Settled (done or skipped) of all."""
    return f"{count.settled}/{count.total}"


def done_fraction(count: Count) -> str:
    """Done of all (skipped items are counted apart)."""
    return f"{count.done}/{count.total}"


def local_time(ts: datetime) -> str:
    """``ts`` as local "YYYY-MM-DD HH:MM" (years from 1970 on: four digits)."""
    return ts.astimezone().isoformat(" ", "minutes")[:16]


def list_table(summaries: list[RoadmapSummary]) -> RenderableType:
    table = Sheet(show_edge=False, header_style="bold")
    table.add_column("", width=1)
    table.add_column("Roadmap", overflow="fold")
    table.add_column("Done", justify="right", no_wrap=True)
    table.add_column("%", justify="right", no_wrap=True)
    for s in summaries:
        title = Styled((clean(s.roadmap.id), ""), base="bold cyan")
        title.append(f"  {one_line(s.roadmap.title)}")
        title.append(f"\n{one_line(s.roadmap.summary)}", "dim")
        table.add_row("*" if s.active else "", title, fraction(s.total), percent(s.total))
    return table


def _node_label(node: Node, result: ShowResult) -> tuple[tuple[str, str], ...]:
    """A node's line in the tree, as (text, style) pieces."""
    parts: list[tuple[str, str]] = []
    credited_from = result.credited.get(node.id)
    if node.is_leaf:
        status = status_of(result.states, node.id)
        parts.append(mark_part(status, bool(credited_from)))
        parts.append((" ", ""))
    parts.append((clean(node.id), "cyan" if node.is_leaf else "bold cyan"))
    parts.append(("  ", ""))
    parts.append((one_line(node.title), "" if node.is_leaf else "bold"))
    if not node.is_leaf:
        count = result.counts[node.id]
        done_style = "green" if count.settled == count.total else "dim"
        parts.append((f"  {fraction(count)}", done_style))
        if count.credited:
            parts.append((f" +{count.credited} credited", "blue"))
    elif credited_from and status not in (DONE, SKIPPED):
        parts.append((f"  (credited: {', '.join(credited_from)})", "dim"))
    state = result.states.get(node.id)
    if state is not None and state.note_count:
        parts.append((f"  ({plural(state.note_count, 'note')})", "dim"))
    return tuple(parts)


def show_tree(result: ShowResult) -> RenderableType:
    roadmap = result.roadmap
    if result.overview:
        return roadmap_detail(result)
    if result.node is not None:
        node = roadmap.index.node(result.node)
        if node.is_leaf:
            return item_detail(
                roadmap, node, result.states.get(node.id), result.credited.get(node.id)
            )
        about = _about(node)  # a branch's own description and resources come first
        if about.plain:
            from rich.text import Text

            label = Text.assemble(*_node_label(node, result), "\n")
            label.append_text(about)
            root = Outline(label)
        else:
            root = Outline(_node_label(node, result))
        nodes = node.children
    else:
        title = (
            (clean(roadmap.id), "bold cyan"),
            (f"  {one_line(roadmap.title)}  ", "bold"),
            (fraction(result.counts[""]), "dim"),
        )
        root = Outline(title)
        nodes = roadmap.children

    def add(parent: Outline, children: list[Node], level: int) -> None:
        for child in children:
            if result.hidden(child):
                continue
            branch = parent.add(_node_label(child, result))
            if child.children and (result.depth is None or level < result.depth):
                add(branch, child.children, level + 1)

    add(root, nodes, 1)
    return root


def _about(node: Node) -> Text:
    """A branch's description and resources, as lines under its label."""
    from rich.text import Text

    about = Text()
    if node.description:
        about.append(clean(node.description).strip())
    if node.resources:
        if about.plain:
            about.append("\n")
        about.append("Resources", style="bold")
        for resource in node.resources:
            about.append("\n")
            about.append_text(resource_line(resource))
    return about


def roadmap_detail(result: ShowResult) -> RenderableType:
    """A roadmap named by its ID: title, credit, description, start, its sections."""
    from rich.console import Group
    from rich.text import Text

    roadmap = result.roadmap
    head = Text(clean(roadmap.id), style="bold cyan")
    head.append(f"  {one_line(roadmap.title)}", style="bold")
    parts: list[RenderableType] = [head, Text(one_line(roadmap.summary), style="dim")]
    source = roadmap.source
    credit = Text("Source: ")
    credit.append(one_line(source.title))
    if source.author:
        credit.append(f", by {one_line(source.author)}")
    if source.license:
        credit.append(f" ({one_line(source.license)})")
    if source.url:
        credit.append(f"\n        {clean(source.url)}", style=_link_style(source.url, "dim"))
    parts.append(credit)
    facts = []
    if roadmap.duration_weeks:
        facts.append(f"Planned length: {plural(roadmap.duration_weeks, 'week')}.")
    if result.started is not None:
        facts.append(f"Started {result.started.isoformat()}.")
    if roadmap.id == result.active:
        facts.append("This is the active roadmap.")
    else:
        facts.append(f"'mlroadmap use {roadmap.id}' makes it the active roadmap.")
    parts.append(Text(" ".join(facts)))
    if roadmap.description:
        parts.append(Text(""))
        parts.append(Text(clean(roadmap.description).strip()))
    parts.append(Text(""))
    sections = Outline(((f"Sections ({fraction(result.counts[''])} items settled)", ""),))
    for node in roadmap.children:
        sections.add(_node_label(node, result))
    parts.append(sections)
    parts.append(Text(f"See every item: mlroadmap show -r {roadmap.id}", style="dim"))
    return Group(*parts)


def item_detail(
    roadmap: Roadmap, node: Node, state: ItemState | None, credited_from: list[str] | None = None
) -> RenderableType:
    """One item: title, status, description, resources as links, notes, history."""
    from rich.console import Group
    from rich.text import Text

    status = state.status if state is not None else "todo"
    parts: list[RenderableType] = []
    head = mark_text(status, bool(credited_from)) if node.is_leaf else Text("")
    head.append(f" {clean(node.id)}", style="bold cyan")
    head.append(f"  {one_line(node.title)}", style="bold")
    parts.append(head)
    crumbs = [one_line(roadmap.index.node(a).title) for a in roadmap.index.ancestors(node.id)]
    parts.append(Text(" > ".join([one_line(roadmap.title), *crumbs]), style="dim"))
    line = f"Status: {status_label(status)}"
    if state is not None and state.day is not None and status != "todo":
        line += f" (since {state.day.isoformat()})"
    if credited_from and status not in (DONE, SKIPPED):
        line += f"; credited: its skills were learned in {', '.join(credited_from)}"
    parts.append(Text(line))
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
        parts.extend(_event_line(e, with_note=True, number=n) for n, e in enumerate(state.notes, 1))
    if state is not None and state.history:
        parts.append(Text(""))
        parts.append(Text("History", style="bold"))
        parts.extend(_event_line(e) for e in state.history if e.action != "note")
    return Group(*parts)


def resource_line(resource: Resource) -> Text:
    from rich.text import Text

    line = Text(f"  - [{resource.kind}] ", style="dim")
    line.append(one_line(resource.title), style=_link_style(resource.url))
    if resource.note:
        line.append(f" ({one_line(resource.note)})", style="dim")
    if resource.url:
        line.append(f"\n    {clean(resource.url)}", style=_link_style(resource.url, "dim"))
    return line


def _link_style(url: str | None, style: str = "") -> str:
    """``style`` with a terminal hyperlink to ``url`` when it is safe to make one."""
    if url is None or not safe_link(url):
        return style
    return f"{style} link {url}".strip()


def _event_line(event: EventLike, *, with_note: bool = False, number: int | None = None) -> Text:
    from rich.text import Text

    line = Text(f"  {local_time(event.ts)}  ", style="dim")
    if number is not None:
        line.append(f"{number}. ")
    if with_note:
        line.append(clean(event.note or ""))
    else:
        line.append(status_label(event.action))
        if event.on is not None:
            line.append(f" (on {event.on.isoformat()})", style="dim")
        if event.reverts is not None or event.replaces is not None:
            line.append(f" {_revert_word(event)}", style="dim")
    return line


def _revert_word(event: EventLike) -> str:
    """How a taking-back event reads: an undo, or a note edited or deleted."""
    if event.reverts is not None:
        return "(undo)"
    return "(note replaced)" if event.note else "(note removed)"


VERBS: dict[str, str] = {
    DONE: "done",
    "todo": "back to to-do",
    STARTED: "in progress",
    SKIPPED: "skipped",
}


def mark_message(result: MarkResult) -> str:
    verb = VERBS.get(result.action, result.action)
    where = f"in {result.roadmap.id}"
    target = ", ".join(result.targets)
    if result.action == "note":
        return f"Noted on {target} {where}."
    n = len(result.changed)
    redated = ""
    if result.redated and result.on is not None:
        redated = (
            f"Re-dated {', '.join(result.redated)} ({verb}) to {result.on.isoformat()} {where}."
        )
    if n == 0 and redated and not result.unchanged and not result.kept:
        message = redated
    elif n == 0:
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
    if redated and message != redated:
        message += " " + redated
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


def _days(days: int) -> str:
    return f"{days // 7} weeks" if days % 7 == 0 and days > 7 else f"{days} days"


def pace_lines(result: ProgressResult) -> list[str]:
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
        lines.append(_schedule_line(result))
    return lines


def _schedule_line(result: ProgressResult) -> str:
    """Where the calendar says the learner should be, where they are, and whether
    the pace's ETA keeps to the planned end."""
    s, eta = result.schedule, result.pace.eta
    assert s is not None
    end = s.planned_end
    if s.learner_week is None:
        return f"Schedule: started {s.started}; planned to end {end}; you have finished."
    if s.calendar_week > s.last_week:
        when = f"the planned {plural(s.last_week, 'week')} ended {end}"
    else:
        when = f"the calendar says week {s.calendar_week} of {s.last_week} (ends {end})"
    ahead = s.weeks_ahead
    verdict = (
        "on schedule"
        if ahead == 0
        else f"{plural(abs(ahead), 'week')} {'ahead' if ahead > 0 else 'behind'}"
    )
    line = f"Schedule: started {s.started}; {when}; you are on week {s.learner_week}: {verdict}"
    if eta is not None and eta > end:
        late = max(1, round((eta - end).days / 7))
        line += f", and at this pace you finish {plural(late, 'week')} after the planned end"
        if ahead >= 0:
            line = line.replace(": on schedule,", ": on schedule so far,")
    elif eta is None and result.pace.remaining and s.calendar_week >= s.last_week:
        line += ", with no pace to finish by the planned end"
    return line + "."


def progress_view(result: ProgressResult) -> list[RenderableType]:
    table = Sheet(
        title=Styled((f"{one_line(result.roadmap.title)} ({result.roadmap.id})", ""), base="bold"),
        title_justify="left",
        header_style="bold",
        show_footer=True,
        footer_style="bold",
    )
    table.add_column("Section", footer="Total", overflow="fold", ratio=1)
    table.add_column("Done", footer=done_fraction(result.total), justify="right", no_wrap=True)
    table.add_column("", footer=bar(result.total), no_wrap=True)
    table.add_column("%", footer=percent(result.total), justify="right", no_wrap=True)
    for section in result.sections:
        name = Styled((clean(section.id), ""), base="cyan")
        name.append(f"  {one_line(section.title)}")
        extra = []
        if section.total.skipped:
            extra.append(f"{section.total.skipped} skipped")
        if section.total.started:
            extra.append(f"{section.total.started} in progress")
        if section.total.credited:
            extra.append(f"{section.total.credited} credited")
        if extra:
            name.append(f" ({', '.join(extra)})", "dim")
        count = section.total
        table.add_row(name, done_fraction(count), bar(count), percent(count))
    footer = pace_lines(result)
    if result.total.credited:
        footer.insert(
            0,
            f"{plural(result.total.credited, 'more item')} credited: their skills were "
            "learned in other roadmaps (see 'mlroadmap skills'; --no-credit hides them).",
        )
    if result.total.skipped:
        footer.insert(
            0,
            f"{result.total.done} done and {result.total.skipped} skipped "
            f"of {result.total.total} items.",
        )
    return [table, Line(""), *map(Line, footer)]


def progress_views(
    results: list[ProgressResult], every: bool
) -> RenderableType | list[RenderableType]:
    """One roadmap's progress in full, or (``--all``) a line per roadmap."""
    if not every:
        return progress_view(results[0])
    table = Sheet(header_style="bold")
    table.add_column("Roadmap", overflow="fold", ratio=1)
    table.add_column("Done", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("%", justify="right", no_wrap=True)
    table.add_column("Pace, ETA", overflow="fold")
    for result in results:
        name = Styled((clean(result.roadmap.id), ""), base="cyan")
        p = result.pace
        if p.remaining == 0:
            pace_text = "finished"
        elif p.per_week == 0:
            pace_text = "no pace yet" if p.eta is None and not result.total.done else "stalled"
        else:
            pace_text = f"{p.per_week:.1f}/week, ETA {p.eta}"
        total = result.total
        table.add_row(name, done_fraction(total), bar(total, 10), percent(total), pace_text)
    return table


def next_view(result: NextResult) -> RenderableType:
    if not result.items:
        return Line(f"Nothing left to do in {result.roadmap.id}: every item is done or skipped.")
    index = result.roadmap.index
    table = Rows()
    for item in result.items:
        node = index.node(item)
        where = " > ".join(one_line(index.node(a).title) for a in index.ancestors(item)[-2:])
        text = Styled((clean(item), ""), base="cyan")
        text.append(f"  {one_line(node.title)}")
        credited_from = result.credited.get(item)
        status = status_of(result.states, item)
        if credited_from and status not in (DONE, SKIPPED):
            text.append(f"  (credited: {', '.join(credited_from)})", "dim")
        if where:
            text.append(f"\n{where}", "dim")
        mark, style = mark_part(status, bool(credited_from))
        table.add_row(Styled((mark, ""), base=style), text)
    return table


def doctor_view(report: DoctorReport) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    lines: list[RenderableType] = []
    if report.salvaged:
        lines.append(
            Text(f"Restored {clean(str(report.store))}: {report.events} events from", style="green")
        )
        for path, count in report.salvaged:
            lines.append(Text(f"      {clean(str(path))}: {plural(count, 'intact event')}"))
        if report.set_aside is not None:
            lines.append(Text(f"The replaced file was kept as {clean(str(report.set_aside))}."))
        if report.backup_set_aside is not None:
            lines.append(Text(f"The old backup was kept as {clean(str(report.backup_set_aside))}."))
        if report.unreadable:
            lines.append(
                Text(
                    f"warn  {plural(report.unreadable, 'damaged event line')} in no other copy; "
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
        lines.append(Text(f"ok    {clean(str(report.store))}: {report.events} events"))
        if not report.checked_every_line:
            lines.append(
                Text(
                    "info  its lines are as last validated (checksum); --full validates them again"
                )
            )
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
            more = len(report.missing) - 5
            lines.append(
                Text(
                    f"      missing from the store: {', '.join(report.missing[:5])}"
                    + (f" and {more} more" if more > 0 else "")
                )
            )
    if report.duplicates:
        lines.append(
            Text(f"info  {plural(report.duplicates, 'event line')} appear twice; each counts once")
        )
    for problem in report.out_of_range:
        lines.append(Text(f"warn  {clean(problem)}"))
    if report.cache_rebuilt is not None:
        lines.append(Text(f"fixed {clean(report.cache_rebuilt)}; rebuilt from the log"))
    if report.backup_bad_lines:
        lines.append(
            Text(
                f"warn  {plural(report.backup_bad_lines, 'line')} of the backup cannot be read; "
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
                f"info  {plural(n, 'event')} on {plural(len(report.orphans), 'item')} "
                "that no roadmap has now; "
                "they are kept, and count again if the item comes back:"
            )
        )
        for orphan in report.orphans:
            lines.append(
                Text(
                    f"      {clean(orphan.roadmap)}/{clean(orphan.item)}: "
                    f"{plural(orphan.events, 'event')}; {orphan.reason}",
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
    for problem in report.roadmap_problems:
        lines.append(Text(f"FAIL  {clean(problem)}", style="red"))
    return Group(*lines)


LOG_CHUNK = 500  # rows drawn at a time, so a long log is never held whole as rows


def log_view(result: LogResult) -> Iterator[RenderableType]:
    """The log as rows, a chunk at a time (the columns have fixed widths, so
    chunks line up), then a line saying what was left out."""
    if not result.entries:
        if not result.recorded:
            yield Line("Nothing recorded yet. Tick something with 'mlroadmap done ID'.")
        else:
            yield Line(f"Nothing recorded{_log_range(result)}.")
        return
    for start in range(0, len(result.entries), LOG_CHUNK):
        yield LogRows(result.entries[start : start + LOG_CHUNK], header=start == 0)
    hidden = result.matched - len(result.entries)
    if hidden:
        yield Line(
            f"{hidden} earlier {'entry' if hidden == 1 else 'entries'}{_log_range(result)}"
            " not shown: "
            "-n N shows more, --all every one.",
            style="dim",
        )


def _log_range(result: LogResult) -> str:
    if result.since and result.until:
        return f" from {result.since} to {result.until}"
    if result.since:
        return f" since {result.since}"
    if result.until:
        return f" until {result.until}"
    return ""


class LogRows:
    """A chunk of the log's rows: Rich's ``Rows`` on a terminal; elsewhere the plain
    lines those rows print, made straight from the entries (a long log is quick)."""

    __slots__ = ("entries", "header")
    HEADERS = ("When", "What", "Item")

    def __init__(self, entries: Sequence[LogEntry], *, header: bool) -> None:
        self.entries = entries
        self.header = header

    def rows(self) -> Rows:
        whole = max(len(e.event.roadmap) + 1 + len(e.event.item) for e in self.entries)
        table = Rows(list(self.HEADERS) if self.header else None, whole=whole)
        for entry in self.entries:
            table.add_row(*_log_row(entry))
        return table

    def plain_lines(self, ascii_only: bool = False) -> list[str] | None:
        rows: list[tuple[str, ...]] = []
        for entry in self.entries:
            when, what, item, title, revert, note = _log_cells(entry)
            rows.append((when, what, f"{item}{title}{revert}{note}"))
        return plain_rows(self.HEADERS if self.header else None, rows)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Rows]:
        yield self.rows()


def _log_cells(entry: LogEntry) -> tuple[str, str, str, str, str, str]:
    """A log row's texts: when, what, the item, its title, the undo or note
    replacement it is, and its note on a line of its own."""
    e = entry.event
    when = local_time(e.ts) if e.on is None else f"{e.on.isoformat()} (on)"
    title = "  (no longer in the roadmap)" if entry.title is None else f"  {one_line(entry.title)}"
    revert = "  " + _revert_word(e) if e.reverts is not None or e.replaces is not None else ""
    note = f"\n{one_line(e.note)}" if e.note else ""
    item = f"{clean(e.roadmap)}/{clean(e.item)}"
    return f"{when:<16}", f"{status_label(e.action):<11}", item, title, revert, note


def _log_row(entry: LogEntry) -> tuple[Text, Text, Text]:
    from rich.text import Text

    when, what, head, title, revert, note = _log_cells(entry)
    item = Text(head, style="cyan")
    item.append(title, style="dim" if entry.title is None else "")
    if revert:
        item.append(revert, style="dim")
    if note:
        item.append(note, style="dim")
    return Text(when), Text(what), item


HEAT = "·░▒▓█"
ASCII_HEAT = ".:-=#"


def _heat(count: int, scale: str = HEAT) -> str:
    if count <= 0:
        return scale[0]
    return scale[min(4, 1 + (count - 1) // 2)]


def ascii_only() -> bool:
    """Whether stdout's encoding cannot show the bars' and the heatmap's blocks."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    return not encoding.startswith(("utf", "cp65001"))


def calendar_view(result: CalendarResult) -> RenderableType:
    """A GitHub-style year of active days: a column a week, Monday at the top."""
    from datetime import timedelta

    from rich.console import Group
    from rich.text import Text

    scale = ASCII_HEAT if ascii_only() else HEAT
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
            row.append(_heat(count, scale), style="green" if count else "dim")
        lines.append(row)
    lines.append(Text("    less " + " ".join(scale) + " more", style="dim"))
    lines.append(Text(""))
    lines.append(
        Text(
            f"{plural(result.active_in_range, 'active day')} in the last year. "
            f"Current streak: {plural(result.current_streak, 'day')}; "
            f"longest: {plural(result.longest_streak, 'day')}."
        )
    )
    return Group(*lines)


def search_view(hits: list[SearchHit], text: str) -> RenderableType:
    from rich.text import Text

    if not hits:
        return Text(f"Nothing matches {one_line(text)!r}.")
    table = Rows()
    for hit in hits:
        node = hit.roadmap.index.node(hit.item)
        credited = bool(hit.credited_from)
        mark = Text("   ") if hit.status == "branch" else mark_text(hit.status, credited)
        label = Text(f"{clean(hit.roadmap.id)}/", style="dim")
        label.append(clean(hit.item), style="cyan")
        label.append(f"  {one_line(node.title)}")
        table.add_row(mark, label)
    return table


SKILL_MARKS = {"learned": "x", "partly": "~", "todo": "."}


def _skill_cell(state: SkillState, roadmap: str) -> str:
    if roadmap not in state.skill.items:
        return ""
    if roadmap in state.learned_in:
        return SKILL_MARKS["learned"]
    return SKILL_MARKS["partly"] if roadmap in state.partly_in else SKILL_MARKS["todo"]


def _stacked(name: str, width: int = 7) -> str:
    """An ID over a few short lines, broken after its dashes (a narrow column header)."""
    lines: list[str] = []
    for part in name.replace("-", "-\n").splitlines():
        if lines and len(lines[-1]) + len(part) <= width:
            lines[-1] += part
        else:
            lines.append(part)
    return "\n".join(lines)


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
    for rid in result.roadmaps:
        table.add_column(_stacked(clean(rid)), justify="center", overflow="fold")
    for state in result.states:
        name = Text(clean(state.skill.id), style="cyan")
        name.append(f"  {one_line(state.skill.name)}")
        table.add_row(name, *(_skill_cell(state, r) for r in result.roadmaps))
    learned = sum(s.learned for s in result.states)
    summary = (
        f"{plural(len(result.states), 'skill')} not learned anywhere yet, most shared first."
        if result.todo_only
        else f"{learned} of {plural(len(result.states), 'shared skill')} learned."
    )
    return Group(
        table,
        Text(""),
        Text("x learned there (all its items done)  ~ partly  . not yet", style="dim"),
        Text(summary),
    )


# ---------------------------------------------------------------------------
# validate and config (plain lines: file:line messages are never wrapped)


def validate_view(checks: list[FileCheck]) -> str:
    lines: list[str] = []
    for check in checks:
        lines.extend(clean(line) for line in check.problems)
        if check.skills is not None:
            skills = plural(len(check.skills.skills), "skill")
            lines.append(f"{clean(str(check.path))}: ok (a skills catalogue, {skills})")
        if check.roadmap is not None:
            lines.append(f"{clean(str(check.path))}: ok ({len(check.roadmap.index.leaves)} items)")
    return "".join(line + "\n" for line in lines)


def config_view(result: ConfigResult) -> str:
    """``name = value`` lines: the settings (one, when a key was named); with every
    setting, the active roadmap, start dates and where the files live, read-only."""
    lines = [f"{name} = {value}" for name, value in result.settings.items()]
    if result.key is None:
        lines.append(f"active = {clean(result.active)}")
        lines.extend(
            f"started.{clean(rid)} = {day.isoformat()}"
            for rid, day in sorted(result.started.items())
        )
        lines.append(f"data-dir = {clean(str(result.home))}")
        lines.append(f"store = {clean(str(result.store))}")
        lines.append(f"roadmaps-dir = {clean(str(result.user_roadmaps))}")
    return "".join(line + "\n" for line in lines)


def overview_view(result: OverviewResult) -> RenderableType:
    """Bare ``mlroadmap``: the active roadmap, its progress and pace, what is next."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    p = result.progress
    head = Text(clean(p.roadmap.id), style="bold cyan")
    head.append(f"  {one_line(p.roadmap.title)}", style="bold")
    line = Table.grid(padding=(0, 1))
    line.add_row(bar(p.total), Text(f"{done_fraction(p.total)} done  {percent(p.total)}"))
    parts: list[RenderableType] = [head, line]
    parts.extend(Text(text) for text in pace_lines(p))
    if result.next.items:
        parts.append(Text(""))
        parts.append(Text("Next:", style="bold"))
        parts.append(next_view(result.next))
    streak = f"Streak: {plural(result.current_streak, 'day')}"
    streak += f" (longest {plural(result.longest_streak, 'day')})."
    parts.append(Text(""))
    parts.append(Text(streak))
    parts.append(
        Text(
            "mlroadmap show, done ITEM, progress, log; mlroadmap --help for every command.",
            style="dim",
        )
    )
    return Group(*parts)


def use_message(result: UseResult) -> str:
    message = f"Now following {result.roadmap.id}: {result.roadmap.title}."
    if result.start is not None:
        message += f" Start date: {result.start.isoformat()}."
        if result.started is not None and result.started < result.start:
            message += (
                f" You have work recorded from {result.started.isoformat()}, so pace and"
                " schedule count from that day."
            )
    return message


def remove_message(result: RemoveResult) -> str:
    message = f"Removed {result.roadmap.id} ({clean(str(result.path))})."
    if result.items:
        message += (
            f" What you recorded on {plural(result.items, 'item')} is kept in the store"
            " and counts again if you import it back."
        )
    return message


def undo_message(result: UndoResult) -> str:
    when = local_time(result.recorded)
    what = status_label(result.action) if result.action != "note" else "a note"
    items = ", ".join(result.items[:5]) + (
        f" and {len(result.items) - 5} more" if len(result.items) > 5 else ""
    )
    message = f"Undid the change of {when} in {result.roadmap} ({what}: {items})."
    back = sorted(set(result.restored.values()))
    if back:
        message += " " + ("It is" if len(result.restored) == 1 else "They are")
        message += " back to " + " or ".join(status_label(s) for s in back) + "."
    if result.notes:
        message += f" {plural(result.notes, 'note')} removed."
    return message + " 'mlroadmap undo' again goes further back."


def note_message(change: NoteChange) -> str:
    verb = "Deleted" if change.text is None else "Replaced"
    return f"{verb} note {change.number} of {change.item} in {change.roadmap.id}."
