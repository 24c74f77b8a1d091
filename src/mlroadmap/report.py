"""The progress report: one self-contained HTML page, or a small SVG card.

``page`` and ``card`` turn the tracker's results into typed models in which
every text is already safe to show (control and bidi characters as visible
escapes, as in every other view); ``html`` and ``svg`` render them with the
Jinja2 templates shipped in ``mlroadmap/templates``, autoescaping on. The
page loads nothing from anywhere (no script, font, image or style sheet) and
says so in a Content-Security-Policy, so it works from ``file://`` and when
e-mailed; the card is a standalone SVG with no script and no reference.

Counting is not done here: counts, pace, schedule, streaks and skills come
from the tracker; this module only lays them out.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from mlroadmap.progress import DONE, SKIPPED, STARTED, TODO, Count
from mlroadmap.text import UNSAFE_CHARS, clean, plural
from mlroadmap.views import pace_lines, percent
from mlroadmap.vocabulary import SETTLED

if TYPE_CHECKING:
    from collections.abc import Callable

    from jinja2 import Environment

    from mlroadmap.models import Node, Source
    from mlroadmap.tracker import CalendarResult, ReportData, RoadmapReport, SkillsResult

CREDITED = "credited"
STATUSES = (DONE, STARTED, SKIPPED, CREDITED, TODO)
LABELS = {
    DONE: "done",
    STARTED: "in progress",
    SKIPPED: "skipped",
    CREDITED: "credited",
    TODO: "to do",
}
# Marks that tell the statuses apart without colour (in grey, in print).
MARKS = {DONE: "✓", STARTED: "◐", SKIPPED: "\u2013", CREDITED: "★", TODO: "○"}

# Not allowed in XML 1.0 even as references: shown as escapes like the control characters.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
# Every character ``clean`` or ``_NOT_XML`` changes (a test holds it to them): most
# texts have none, and are returned as they are.
_ODD = re.compile(f"[{UNSAFE_CHARS}\ud800-\udfff\ufffe\uffff]")
_SAFE_URL = re.compile(r"https?://[^\s\"'<>\\]+")


def visible(text: str) -> str:
    """Text as every view shows it: control, bidi and non-XML characters as escapes."""
    if _ODD.search(text) is None:
        return text
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", clean(text))


def safe_url(url: str | None) -> str | None:
    """A link target only for http(s) URLs with nothing odd in them."""
    if url is None or not _SAFE_URL.fullmatch(url) or visible(url) != url:
        return None
    return url


def _pct(part: int, whole: int) -> float:
    return round(part * 100 / whole, 1) if whole else 0.0


# ---------------------------------------------------------------------------
# The model of the page


class Bar(NamedTuple):
    """A progress bar's segments, as percentages of the width."""

    done: float
    skipped: float
    started: float
    credited: float

    @classmethod
    def of(cls, count: Count) -> Bar:
        credited = min(count.credited, count.total - count.settled - count.started)
        return cls(
            _pct(count.done, count.total),
            _pct(count.skipped, count.total),
            _pct(count.started, count.total),
            _pct(max(0, credited), count.total),
        )


class Chip(NamedTuple):
    """One item on the map."""

    id: str
    title: str
    status: str  # one of STATUSES
    detail: str  # since when, or where it was learned

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def mark(self) -> str:
        return MARKS[self.status]


class Group(NamedTuple):
    """A run of items under one sub-section (``title`` None: the section's own items)."""

    title: str | None
    items: Count | None
    chips: list[Chip]


class Block(NamedTuple):
    """A top-level section: its count, bar and the groups of its items."""

    id: str
    title: str
    items: Count
    percent: str
    bar: Bar
    extra: str  # "1 skipped, 2 in progress", or ""
    groups: list[Group]


class Chart(NamedTuple):
    """The burn-up chart: settled items over time, the pace's projection and the plan."""

    width: int
    height: int
    left: int
    top: int
    bottom: int
    right: int
    settled: str  # polyline points
    projection: tuple[float, float, float, float] | None
    plan: tuple[float, float, float, float] | None
    today_x: float
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    summary: str
    rows: list[tuple[str, int]]  # week starting, items settled by its end


class Credit(NamedTuple):
    title: str
    url: str | None
    author: str | None
    author_url: str | None
    license: str | None


class RoadmapView(NamedTuple):
    id: str
    title: str
    summary: str
    credit: Credit
    total: Count
    percent: str
    bar: Bar
    status_counts: list[tuple[str, str, str, int]]  # status, label, mark, items
    lines: list[str]  # pace and schedule, in sentences
    blocks: list[Block]
    chart: Chart


class Cell(NamedTuple):
    x: int
    y: int
    level: int
    label: str


class Heatmap(NamedTuple):
    width: int
    height: int
    cells: list[Cell]
    months: list[tuple[int, str]]
    days: list[tuple[int, str]]
    summary: str
    stats: list[tuple[int, str]]  # current and longest streak, active days
    rows: list[tuple[str, int, int]]  # month, active days, things done


class SkillsView(NamedTuple):
    learned: list[tuple[str, str]]  # name, where learned
    total: int
    partly: int


class Page(NamedTuple):
    title: str
    generated: str
    roadmaps: list[RoadmapView]
    heatmap: Heatmap
    skills: SkillsView
    statuses: list[tuple[str, str, str]]  # status, label, mark: the legend


# ---------------------------------------------------------------------------
# Building the model


def chip_status(report: RoadmapReport, item: str) -> str:
    """The learner's own status first, then credited, then to do."""
    state = report.states.get(item)
    status = state.status if state is not None else TODO
    if status == TODO and item in report.credited:
        return CREDITED
    return status


def _chip(report: RoadmapReport, node: Node) -> Chip:
    status = chip_status(report, node.id)
    state = report.states.get(node.id)
    day = state.day.isoformat() if state is not None and state.day is not None else None
    if status == CREDITED:
        detail = "credited: learned in " + ", ".join(report.credited[node.id])
    elif status == TODO or day is None:
        detail = LABELS[status]
    else:
        detail = f"{LABELS[status]} since {day}"
    return Chip(node.id, visible(node.title), status, visible(detail))


def _groups(report: RoadmapReport, section: Node) -> list[Group]:
    """The section's items in roadmap order, a group per run of items under one branch."""
    if section.is_leaf:
        return [Group(None, None, [_chip(report, section)])]
    groups: list[Group] = []

    def visit(node: Node, path: list[str]) -> None:
        run: list[Chip] = []
        title = " \u203a ".join(path) or None
        count = report.counts.get(node.id) if path else None
        for child in node.children:
            if child.is_leaf:
                run.append(_chip(report, child))
                continue
            if run:
                groups.append(Group(title, count, run))
                run = []
            visit(child, [*path, visible(child.title)])
        if run:
            groups.append(Group(title, count, run))

    visit(section, [])
    return groups


def _extra(count: Count) -> str:
    parts = []
    if count.skipped:
        parts.append(f"{count.skipped} skipped")
    if count.started:
        parts.append(f"{count.started} in progress")
    if count.credited:
        parts.append(f"{count.credited} credited")
    return ", ".join(parts)


def _planned_end(report: RoadmapReport) -> date | None:
    schedule = report.progress.schedule
    weeks = schedule.last_week if schedule is not None else report.progress.roadmap.duration_weeks
    if report.started is None or not weeks:
        return None
    return report.started + timedelta(weeks=weeks)


def _lines(report: RoadmapReport) -> list[str]:
    result = report.progress
    lines = pace_lines(result)  # the pace and schedule as 'progress' words them
    planned = _planned_end(report)
    if planned is not None:
        lines.append(f"The plan ends on {planned.isoformat()}.")
    if result.total.credited:
        lines.append(
            f"{plural(result.total.credited, 'more item')} credited: their skills "
            "were learned in other roadmaps."
        )
    return lines


def settled_days(report: RoadmapReport) -> dict[date, int]:
    """How many of the roadmap's items were settled (done or skipped) on each day."""
    per_day: dict[date, int] = {}
    today = report.progress.today
    for leaf in report.progress.roadmap.index.leaves:
        state = report.states.get(leaf)
        if state is not None and state.status in SETTLED and state.day is not None:
            day = min(state.day, today)
            per_day[day] = per_day.get(day, 0) + 1
    return per_day


CHART_W, CHART_H = 640, 260
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 48, 16, 12, 30
MAX_AHEAD = timedelta(days=2 * 365)  # the x axis never runs further than this past today


def _chart(report: RoadmapReport) -> Chart:
    result = report.progress
    today, total, pace = result.today, result.total.total, result.pace
    per_day = settled_days(report)
    settled_now = sum(per_day.values())
    planned = _planned_end(report)
    starts = [today - timedelta(days=27), *per_day]
    if report.started is not None:
        starts.append(report.started)
    first = min(starts)
    ends = [today + timedelta(days=7)]
    if planned is not None:
        ends.append(planned)
    if pace.eta is not None and pace.remaining:
        ends.append(pace.eta)
    last = min(max(ends), today + MAX_AHEAD)
    span = max(1, (last - first).days)
    plot_w = CHART_W - CHART_LEFT - CHART_RIGHT
    plot_h = CHART_H - CHART_TOP - CHART_BOTTOM
    top = max(1, total)

    def x(day: date) -> float:
        return round(CHART_LEFT + plot_w * (day - first).days / span, 1)

    def y(items: float) -> float:
        return round(CHART_TOP + plot_h * (1 - items / top), 1)

    points = [(x(first), y(0))]
    running = 0
    for day in sorted(per_day):
        points.append((x(day), y(running)))
        running += per_day[day]
        points.append((x(day), y(running)))
    points.append((x(today), y(running)))

    projection = None
    if pace.remaining and pace.eta is not None and pace.per_week > 0:
        end = min(pace.eta, last)
        reached = settled_now + pace.per_week * (end - today).days / 7
        projection = (x(today), y(settled_now), x(end), y(min(total, reached)))
    plan = None
    if planned is not None and report.started is not None:
        plan_end = min(planned, last)
        planned_items = (
            total * (plan_end - report.started).days / max(1, (planned - report.started).days)
        )
        plan = (x(report.started), y(0), x(plan_end), y(planned_items))

    x_ticks = [(x(first), first.isoformat()), (x(last), last.isoformat())]
    if plot_w * (today - first).days / span > 90 and plot_w * (last - today).days / span > 90:
        x_ticks.insert(1, (x(today), today.isoformat()))
    y_ticks = [(y(0), "0"), (y(top), str(total))]
    if total >= 4:
        y_ticks.insert(1, (y(total / 2), f"{total / 2:g}"))

    summary = (
        f"{settled_now} of {plural(total, 'item')} settled (done or skipped) by "
        f"{today.isoformat()}."
    )
    if pace.remaining == 0:
        summary += " Every item is settled."
    elif pace.eta is not None and pace.per_week > 0:
        summary += (
            f" At {pace.per_week:.1f} items a week the rest is settled around "
            f"{pace.eta.isoformat()}."
        )
    else:
        summary += " Nothing was finished recently, so there is no projection."
    if planned is not None:
        summary += f" The plan ends on {planned.isoformat()}."

    rows: list[tuple[str, int]] = []
    running = 0
    monday = first - timedelta(days=first.weekday())
    ordered = sorted(per_day.items())
    i = 0
    while monday <= today:
        sunday = monday + timedelta(days=6)
        before = running
        while i < len(ordered) and ordered[i][0] <= sunday:
            running += ordered[i][1]
            i += 1
        if running != before or not rows or monday + timedelta(days=7) > today:
            rows.append((monday.isoformat(), running))
        monday += timedelta(days=7)

    return Chart(
        width=CHART_W,
        height=CHART_H,
        left=CHART_LEFT,
        top=CHART_TOP,
        bottom=CHART_H - CHART_BOTTOM,
        right=CHART_W - CHART_RIGHT,
        settled=" ".join(f"{px},{py}" for px, py in points),
        projection=projection,
        plan=plan,
        today_x=x(today),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        summary=summary,
        rows=rows,
    )


def _credit(source: Source) -> Credit:
    return Credit(
        title=visible(source.title),
        url=safe_url(source.url),
        author=visible(source.author) if source.author else None,
        author_url=safe_url(source.author_url),
        license=visible(source.license) if source.license else None,
    )


def roadmap_view(report: RoadmapReport) -> RoadmapView:
    result = report.progress
    roadmap = result.roadmap
    blocks = [
        Block(
            id=section.id,
            title=visible(section.title),
            items=section.total,
            percent=percent(section.total),
            bar=Bar.of(section.total),
            extra=_extra(section.total),
            groups=_groups(report, node),
        )
        for section, node in zip(result.sections, roadmap.children, strict=True)
    ]
    tally = dict.fromkeys(STATUSES, 0)
    for block in blocks:
        for group in block.groups:
            for chip in group.chips:
                tally[chip.status] += 1
    return RoadmapView(
        id=roadmap.id,
        title=visible(roadmap.title),
        summary=visible(roadmap.summary),
        credit=_credit(roadmap.source),
        total=result.total,
        percent=percent(result.total),
        bar=Bar.of(result.total),
        status_counts=[(s, LABELS[s], MARKS[s], tally[s]) for s in STATUSES],
        lines=_lines(report),
        blocks=blocks,
        chart=_chart(report),
    )


CELL, GAP, DAY_LABELS, MONTH_LABELS = 11, 2, 30, 16


def _word(n: int, word: str) -> str:
    return plural(n, word).split(" ", 1)[1]


def level(count: int) -> int:
    """How dark a day of the heatmap is: 0 (nothing) to 4."""
    return 0 if count <= 0 else min(4, 1 + (count - 1) // 2)


def heatmap(cal: CalendarResult) -> Heatmap:
    """A year of active days, a column a week with Monday on top (as ``log --calendar``)."""
    step = CELL + GAP
    weeks = (cal.today - cal.first).days // 7 + 1
    cells = []
    months: list[tuple[int, str]] = []
    per_month: dict[str, list[int]] = {}
    for w in range(weeks):
        monday = cal.first + timedelta(weeks=w)
        if monday.day <= 7 and (not months or DAY_LABELS + w * step - months[-1][0] >= 3 * step):
            months.append((DAY_LABELS + w * step, monday.strftime("%b")))
        for weekday in range(7):
            day = monday + timedelta(days=weekday)
            if day > cal.today:
                break
            count = cal.days.get(day, 0)
            label = f"{day.isoformat()}: {plural(count, 'thing')} done"
            cells.append(
                Cell(DAY_LABELS + w * step, MONTH_LABELS + weekday * step, level(count), label)
            )
            month = per_month.setdefault(day.strftime("%Y-%m"), [0, 0])
            month[0] += count > 0
            month[1] += count
    summary = (
        f"{plural(cal.active_in_range, 'active day')} from {cal.first.isoformat()} to "
        f"{cal.today.isoformat()}. Current streak: {plural(cal.current_streak, 'day')}; "
        f"longest: {plural(cal.longest_streak, 'day')}."
    )
    return Heatmap(
        width=DAY_LABELS + weeks * step,
        height=MONTH_LABELS + 7 * step,
        cells=cells,
        months=months,
        days=[(MONTH_LABELS + i * step + CELL - 2, name) for i, name in ((0, "Mon"), (2, "Wed"))]
        + [(MONTH_LABELS + 4 * step + CELL - 2, "Fri")],
        summary=summary,
        stats=[
            (cal.current_streak, f"{_word(cal.current_streak, 'day')} in the current streak"),
            (cal.longest_streak, f"{_word(cal.longest_streak, 'day')} in the longest streak"),
            (cal.active_in_range, f"active {_word(cal.active_in_range, 'day')}"),
        ],
        rows=[(month, days, things) for month, (days, things) in per_month.items()],
    )


def skills_view(result: SkillsResult) -> SkillsView:
    learned = [(visible(s.skill.name), ", ".join(s.learned_in)) for s in result.states if s.learned]
    partly = sum(1 for s in result.states if not s.learned and s.partly_in)
    return SkillsView(learned=learned, total=len(result.states), partly=partly)


def page(data: ReportData) -> Page:
    roadmaps = [roadmap_view(r) for r in data.roadmaps]
    title = roadmaps[0].title if len(roadmaps) == 1 else f"Progress on {len(roadmaps)} roadmaps"
    return Page(
        title=title,
        generated=data.generated.astimezone().strftime("%Y-%m-%d %H:%M"),
        roadmaps=roadmaps,
        heatmap=heatmap(data.calendar),
        skills=skills_view(data.skills),
        statuses=[(s, LABELS[s], MARKS[s]) for s in STATUSES],
    )


# ---------------------------------------------------------------------------
# The card


class CardBar(NamedTuple):
    x: float
    width: float
    fill_y: float
    fill_height: float
    label: str


class Card(NamedTuple):
    width: int
    height: int
    title: str
    roadmap: str
    percent: str
    items: str
    streak: str
    generated: str
    bars: list[CardBar]
    bars_top: int
    bars_height: int
    description: str


CARD_W, CARD_H = 500, 200
CARD_TITLE_CHARS = 46
BARS_LEFT, BARS_RIGHT, BARS_TOP, BARS_BOTTOM = 220, 480, 64, 164


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def card(data: ReportData) -> Card:
    """A 500x200 card of one roadmap: percent, done/total, streak, a bar per section."""
    report = data.roadmaps[0]
    result = report.progress
    sections = result.sections
    slot = (BARS_RIGHT - BARS_LEFT) / max(1, len(sections))
    width = min(40.0, max(1.0, round(slot * 0.7, 1)))
    height = BARS_BOTTOM - BARS_TOP
    bars = []
    for i, section in enumerate(sections):
        fill = round(height * section.total.fraction, 1)
        bars.append(
            CardBar(
                x=round(BARS_LEFT + i * slot + (slot - width) / 2, 1),
                width=width,
                fill_y=round(BARS_BOTTOM - fill, 1),
                fill_height=fill,
                label=visible(
                    f"{section.title}: {section.total.settled}/{section.total.total} "
                    f"({percent(section.total)})"
                ),
            )
        )
    cal = data.calendar
    streak = f"Streak: {plural(cal.current_streak, 'day')} (longest {cal.longest_streak})"
    items = f"{result.total.settled}/{result.total.total} items"
    title = visible(result.roadmap.title)
    return Card(
        width=CARD_W,
        height=CARD_H,
        title=_shorten(title, CARD_TITLE_CHARS),
        roadmap=result.roadmap.id,
        percent=percent(result.total),
        items=items,
        streak=streak,
        generated=data.generated.astimezone().date().isoformat(),
        bars=bars,
        bars_top=BARS_TOP,
        bars_height=height,
        description=f"{title}: {percent(result.total)}, {items}. {streak}.",
    )


# ---------------------------------------------------------------------------
# Rendering


def environment() -> Environment:
    """Jinja2 over the package's templates, autoescaping every template.

    Every string a template prints goes through ``visible`` first, so even a
    text the model did not prepare is shown safely.
    """
    from jinja2 import Environment, PackageLoader, StrictUndefined
    from markupsafe import Markup

    def _finalize(value: Any) -> Any:
        if type(value) is str:
            return visible(value)
        if isinstance(value, str) and not isinstance(value, Markup):
            return visible(value)
        return value

    return Environment(
        loader=PackageLoader("mlroadmap", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _render(template: str, **context: Any) -> str:
    render: Callable[..., str] = environment().get_template(template).render
    return render(**context)


def html(data: ReportData) -> str:
    """The report page."""
    return _render("report.html.j2", page=page(data))


def svg(data: ReportData) -> str:
    """The card of the first (or only) roadmap."""
    return _render("card.svg.j2", card=card(data))
