"""What the commands do, as keyword-only functions over the catalogue and the store.

Each function returns a typed result for ``render`` or raises an
``MlroadmapError``; nothing here prints.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from mlroadmap.catalog import Catalog, resolve
from mlroadmap.errors import UserError
from mlroadmap.models import MAX_ID_LENGTH, Problem, Roadmap
from mlroadmap.progress import (
    DONE,
    SETTLED,
    SKIPPED,
    STARTED,
    TODO,
    Count,
    ItemState,
    LogSummary,
    Pace,
    Schedule,
    counts,
    next_items,
    pace,
    replay,
    schedule,
    section_counts,
    status_of,
    total,
)
from mlroadmap.store import Store

if TYPE_CHECKING:
    from mlroadmap.importer import Imported
    from mlroadmap.importer import Summary as ImportSummary
    from mlroadmap.models import SkillsCatalogue
    from mlroadmap.records import Event, StoreData
    from mlroadmap.skills import SkillState

DEFAULT_ROADMAP = "ml-12-weeks"


def now() -> datetime:
    """The current time in UTC (tests replace this)."""
    return datetime.now(timezone.utc)


def local_today() -> date:
    return now().astimezone().date()


class Tracker:
    """The catalogue of roadmaps and the learner's store, together."""

    def __init__(self, *, catalog: Catalog | None = None, store: Store | None = None) -> None:
        self.catalog = catalog if catalog is not None else Catalog()
        self.store = store if store is not None else Store()
        self._data: StoreData | None = None
        self._summary: LogSummary | None = None
        self._skills: SkillsCatalogue | None = None
        self._statuses: tuple[LogSummary, dict[tuple[str, str], str]] | None = None

    @property
    def data(self) -> StoreData:
        """The whole store, every event validated (for the commands that show events)."""
        if self._data is None:
            self._data = self.store.load()
        return self._data

    @property
    def summary(self) -> LogSummary:
        """What most commands need from the log, without reading every event."""
        if self._summary is None:
            self._summary = self.store.summary()
        return self._summary

    def wrote(self, summary: LogSummary | None, data: StoreData | None = None) -> None:
        """The store changed: remember what is known of it now (None: read it when needed)."""
        self._summary = summary
        self._data = data

    def active_id(self, summary: LogSummary | None = None) -> str:
        active = (summary or self.summary).active
        if active and active in self.catalog.files:
            return active
        if DEFAULT_ROADMAP in self.catalog.files:
            return DEFAULT_ROADMAP
        ids = self.catalog.ids()
        if not ids:
            raise UserError("no roadmaps are installed", hint="reinstall mlroadmap")
        return ids[0]

    def roadmap(self, query: str | None = None, summary: LogSummary | None = None) -> Roadmap:
        """The roadmap ``query`` names (ID or unique prefix), or the active one."""
        rid = self.catalog.resolve_roadmap(query) if query else self.active_id(summary)
        return self.catalog.get(rid)

    def states(self, roadmap: Roadmap) -> dict[str, ItemState]:
        """Status, day and note count of every item the log mentions."""
        return self.summary.states(roadmap)

    def full_states(self, roadmap: Roadmap) -> dict[str, ItemState]:
        """As ``states``, with each item's notes and history (reads every event)."""
        return replay(roadmap, self.data.events)

    def credit_on(self, override: bool | None = None) -> bool:
        return self.summary.shared_credit if override is None else override

    def credits(self, roadmap: Roadmap, enabled: bool | None = None) -> dict[str, list[str]]:
        """Items of ``roadmap`` credited by skills learned in other roadmaps."""
        if not self.credit_on(enabled):
            return {}
        from mlroadmap import skills

        catalogue = self.skills_catalogue()
        if not any(roadmap.id in s.items for s in catalogue.skills):
            return {}
        return skills.credits(catalogue, self.skill_statuses(), roadmap.id)

    def skills_catalogue(self) -> SkillsCatalogue:
        if self._skills is None:
            from mlroadmap import skills

            self._skills = skills.load(self.catalog.bundled_dir)
        return self._skills

    def skill_statuses(self) -> dict[tuple[str, str], str]:
        """The status of every (roadmap, item) in the log, computed once per store state."""
        if self._statuses is None or self._statuses[0] is not self.summary:
            self._statuses = (self.summary, self.summary.statuses())
        return self._statuses[1]


# ---------------------------------------------------------------------------
# list and use


class RoadmapSummary:
    __slots__ = ("active", "bundled", "count", "roadmap")

    def __init__(self, *, roadmap: Roadmap, count: Count, active: bool, bundled: bool) -> None:
        self.roadmap = roadmap
        self.count = count
        self.active = active
        self.bundled = bundled


def list_roadmaps(tracker: Tracker, *, credit: bool | None = None) -> list[RoadmapSummary]:
    active = tracker.active_id()
    return [
        RoadmapSummary(
            roadmap=roadmap,
            count=total(roadmap, tracker.states(roadmap), tracker.credits(roadmap, credit)),
            active=roadmap.id == active,
            bundled=tracker.catalog.files[roadmap.id].bundled,
        )
        for roadmap in tracker.catalog.all()
    ]


def use(tracker: Tracker, *, query: str, start: date | None = None) -> Roadmap:
    """Make a roadmap the active one; optionally set its start date."""
    roadmap = tracker.roadmap(query)

    def change(data: StoreData) -> StoreData:
        settings = data.settings.model_copy(update={"active": roadmap.id})
        roadmaps = dict(data.roadmaps)
        if start is not None:
            from mlroadmap.records import RoadmapSettings

            roadmaps[roadmap.id] = RoadmapSettings(started=start)
        if settings == data.settings and roadmaps == data.roadmaps:
            return data
        return data.model_copy(update={"settings": settings, "roadmaps": roadmaps})

    tracker.wrote(None, tracker.store.update(change))
    return roadmap


# ---------------------------------------------------------------------------
# done, undo, start, skip, note


class MarkResult(NamedTuple):
    roadmap: Roadmap
    action: str
    targets: list[str]
    changed: list[str]
    unchanged: list[str]
    noted: list[str]
    # items under a named section that the action would have reopened, left as they were
    kept: dict[str, str]
    # named items that had another status than to-do before: what it was
    was: dict[str, str]


# What marking a whole section leaves alone: starting a week does not reopen
# what is already done or skipped in it, and skipping it does not hide what is
# done. Naming the item itself always changes it.
SECTION_KEEPS = {STARTED: SETTLED, SKIPPED: frozenset({DONE})}


def new_event(
    roadmap: str,
    item: str,
    action: str,
    *,
    note: str | None = None,
    on: date | None = None,
    ts: datetime | None = None,
    undated: bool = False,
) -> Event:
    from mlroadmap.records import Event

    return Event.model_validate(
        {
            "id": uuid.uuid4().hex,
            "ts": ts if ts is not None else now(),
            "roadmap": roadmap,
            "item": item,
            "action": action,
            "note": note,
            "on": on,
            "undated": True if undated else None,
        }
    )


def mark(
    tracker: Tracker,
    *,
    queries: list[str],
    action: str,
    roadmap_query: str | None = None,
    note: str | None = None,
    on: date | None = None,
) -> MarkResult:
    """Set the status of the items ``queries`` name (a branch means every leaf under it).

    Every query is resolved before anything is written: one bad ID changes nothing.
    Marking is idempotent: items already in that status are left alone.
    """
    if not queries:
        raise UserError("name at least one item ID")
    if on is not None and on > local_today():
        raise UserError(f"--on {on.isoformat()} is in the future")
    result: MarkResult | None = None

    def plan(summary: LogSummary) -> tuple[list[Event], dict[str, date]]:
        nonlocal result
        roadmap = tracker.roadmap(roadmap_query, summary)
        targets = list(dict.fromkeys(resolve(roadmap, q) for q in queries))
        leaves = list(
            dict.fromkeys(leaf for t in targets for leaf in roadmap.index.leaves_under(t))
        )
        before = {leaf: summary.status(roadmap, leaf) for leaf in leaves}
        named = {t for t in targets if roadmap.index.node(t).is_leaf}
        keeps = SECTION_KEEPS.get(action, frozenset())
        kept = {
            leaf: status for leaf, status in before.items() if status in keeps and leaf not in named
        }
        changed = [leaf for leaf, status in before.items() if status != action and leaf not in kept]
        unchanged = [leaf for leaf, status in before.items() if status == action]
        was = {leaf: before[leaf] for leaf in changed if leaf in named and before[leaf] != TODO}
        events: list[Event] = []
        noted: list[str] = []
        single_leaf = len(targets) == 1 and targets[0] in named
        stamps = _timestamps(summary)
        for leaf in changed:
            leaf_note = note if single_leaf else None
            events.append(
                new_event(roadmap.id, leaf, action, note=leaf_note, on=on, ts=next(stamps))
            )
        if note and not (single_leaf and changed):
            for target in targets:
                events.append(
                    new_event(roadmap.id, target, "note", note=note, on=on, ts=next(stamps))
                )
        if note:
            noted = targets
        result = MarkResult(roadmap, action, targets, changed, unchanged, noted, kept, was)
        started: dict[str, date] = {}
        if events and action in (DONE, STARTED, SKIPPED) and roadmap.id not in summary.started:
            started[roadmap.id] = on or local_today()  # a roadmap's start date is its first tick
        return events, started

    tracker.wrote(tracker.store.append(plan))
    assert result is not None
    return result


def _timestamps(summary: LogSummary) -> Iterator[datetime]:
    """Times for new events: now, but always after the newest event already logged,
    so a clock that went back cannot put an undo before the tick it undoes."""
    stamp = now()
    if summary.newest is not None and summary.newest >= stamp:
        stamp = summary.newest + timedelta(microseconds=1)
    while True:
        yield stamp
        stamp += timedelta(microseconds=1)


def add_note(
    tracker: Tracker, *, query: str, text: str, roadmap_query: str | None = None
) -> MarkResult:
    """Attach a note (a thought, or a link to the work that proves it) to an item."""
    if not text.strip():
        raise UserError("the note is empty")
    result: MarkResult | None = None

    def plan(summary: LogSummary) -> tuple[list[Event], dict[str, date]]:
        nonlocal result
        roadmap = tracker.roadmap(roadmap_query, summary)
        target = resolve(roadmap, query)
        result = MarkResult(roadmap, "note", [target], [], [], [target], {}, {})
        stamp = next(_timestamps(summary))
        return [new_event(roadmap.id, target, "note", note=text.strip(), ts=stamp)], {}

    tracker.wrote(tracker.store.append(plan))
    assert result is not None
    return result


# ---------------------------------------------------------------------------
# show and progress


class ShowResult(NamedTuple):
    roadmap: Roadmap
    node: str | None
    states: dict[str, ItemState]
    counts: dict[str, Count]
    depth: int | None
    todo_only: bool
    credited: dict[str, list[str]]


def show(
    tracker: Tracker,
    *,
    query: str | None = None,
    roadmap_query: str | None = None,
    depth: int | None = None,
    todo_only: bool = False,
    credit: bool | None = None,
    with_notes: bool = False,
) -> ShowResult:
    """The roadmap (or one node of it) with every item's state.

    The states carry notes and history when ``with_notes`` is set or the node
    is one item (its detail shows them); otherwise only note counts.
    """
    if depth is not None and depth < 1:
        raise UserError(f"--depth must be 1 or more, not {depth}")
    roadmap = tracker.roadmap(roadmap_query)
    node = resolve(roadmap, query) if query else None
    if with_notes or (node is not None and roadmap.index.node(node).is_leaf):
        states = tracker.full_states(roadmap)
    else:
        states = tracker.states(roadmap)
    credited = tracker.credits(roadmap, credit)
    return ShowResult(
        roadmap, node, states, counts(roadmap, states, credited), depth, todo_only, credited
    )


class SectionProgress:
    __slots__ = ("count", "id", "title")

    def __init__(self, *, id: str, title: str, count: Count) -> None:
        self.id = id
        self.title = title
        self.count = count


class ProgressResult(NamedTuple):
    roadmap: Roadmap
    sections: list[SectionProgress]
    total: Count
    pace: Pace
    schedule: Schedule | None
    today: date


def progress(tracker: Tracker, *, roadmap: Roadmap, credit: bool | None = None) -> ProgressResult:
    states = tracker.states(roadmap)
    per_section = section_counts(roadmap, states, tracker.credits(roadmap, credit))
    today = local_today()
    started = tracker.summary.started.get(roadmap.id)
    return ProgressResult(
        roadmap=roadmap,
        sections=[
            SectionProgress(id=n.id, title=n.title, count=count)
            for n, count in zip(roadmap.children, per_section, strict=True)
        ],
        total=sum(per_section, Count()),
        pace=pace(roadmap, states, today=today, started=started),
        schedule=schedule(roadmap, states, started=started, today=today) if started else None,
        today=today,
    )


def progress_all(tracker: Tracker, *, credit: bool | None = None) -> list[ProgressResult]:
    return [progress(tracker, roadmap=r, credit=credit) for r in tracker.catalog.all()]


class NextResult(NamedTuple):
    roadmap: Roadmap
    items: list[str]
    states: dict[str, ItemState]


def next_up(
    tracker: Tracker, *, limit: int, roadmap_query: str | None = None, quick_wins: bool = False
) -> NextResult:
    """What to do now. With ``quick_wins``, items whose skills are already (partly)
    learned in another roadmap come first, the most learned first."""
    if limit < 1:
        raise UserError(f"-n must be 1 or more, not {limit}")
    roadmap = tracker.roadmap(roadmap_query)
    states = tracker.states(roadmap)
    if not quick_wins:
        return NextResult(roadmap, next_items(roadmap, states, limit), states)
    from mlroadmap import skills

    catalogue = tracker.skills_catalogue()
    status = tracker.skill_statuses()
    credited = skills.credits(catalogue, status, roadmap.id)
    partly = skills.partly_learned_items(catalogue, status, roadmap.id)
    pending = next_items(roadmap, states, len(roadmap.index.leaves))
    order = {item: i for i, item in enumerate(pending)}
    ranked = sorted(
        (i for i in pending if i in credited or i in partly),
        key=lambda i: (i not in credited, -partly.get(i, 0), order[i]),
    )
    return NextResult(roadmap, ranked[:limit], states)


__all__ = [
    "DONE",
    "SETTLED",
    "SKIPPED",
    "STARTED",
    "TODO",
    "Tracker",
]


# ---------------------------------------------------------------------------
# doctor and merge


class Orphan(NamedTuple):
    """Events on an item (or roadmap) that no installed roadmap has any more."""

    roadmap: str
    item: str
    events: int
    reason: str


class DoctorReport(NamedTuple):
    store: Path
    healthy: bool
    problem: str | None
    events: int
    backup: Path | None
    backup_events: int | None
    orphans: list[Orphan]
    restored_from: Path | None = None
    set_aside: Path | None = None
    unfinished_line: bool = False  # a write was killed half-way; its line is ignored
    removed: tuple[Path, ...] = ()  # temporary files left by killed writers, now deleted


def _orphans(catalog: Catalog, data: StoreData) -> list[Orphan]:
    found: dict[tuple[str, str], list[str | int]] = {}
    for event in data.events:
        roadmap = catalog.find(event.roadmap)
        if roadmap is None:
            reason = "the roadmap is not installed"
        elif roadmap.index.current(event.item) is not None:
            continue
        else:
            reason = "the roadmap has no such item"
        key = (event.roadmap, event.item)
        entry = found.setdefault(key, [reason, 0])
        entry[1] = int(entry[1]) + 1
    return [Orphan(r, i, int(n), str(why)) for (r, i), (why, n) in sorted(found.items())]


def doctor(tracker: Tracker, *, restore: bool = False) -> DoctorReport:
    """Check the store and its backup; report orphaned ticks; restore on request."""
    from mlroadmap.errors import StoreError
    from mlroadmap.store import backup_path, decode

    store = tracker.store
    backup = backup_path(store.path)
    backup_data: StoreData | None = None
    if backup.exists():
        try:
            backup_data = decode(backup.read_bytes(), backup)[0]
        except (StoreError, OSError):
            backup_data = None
    problem: str | None = None
    data: StoreData | None = None
    try:
        data = store.load()
    except StoreError as exc:
        problem = exc.message
    raw = store.read_bytes() if data is not None else None
    removed = store.remove_leftovers()
    restored_from = set_aside = None
    if restore:
        if backup_data is None:
            raise StoreError(
                f"{backup}: there is no readable backup to restore",
                hint="fix the store by hand, or move it away to start a new one",
            )
        with store.locked():
            if store.path.exists():
                stamp = now().strftime("%Y%m%dT%H%M%SZ")
                set_aside = store.path.with_name(f"{store.path.name}.replaced-{stamp}")
                os.replace(store.path, set_aside)
            store.write(backup_data)
        restored_from, data, problem = backup, backup_data, None
    return DoctorReport(
        store=store.path,
        healthy=problem is None,
        problem=problem,
        events=len(data.events) if data is not None else 0,
        backup=backup if backup.exists() else None,
        backup_events=len(backup_data.events) if backup_data is not None else None,
        orphans=_orphans(tracker.catalog, data) if data is not None else [],
        restored_from=restored_from,
        set_aside=set_aside,
        unfinished_line=bool(raw and not raw.endswith(b"\n")) and restored_from is None,
        removed=tuple(removed),
    )


class MergeResult(NamedTuple):
    other: Path
    added: int
    total: int


def merge(tracker: Tracker, *, other: Path) -> MergeResult:
    """Merge another copy of the store (say, from a laptop) into this one."""
    from mlroadmap.store import merge_data, read_other

    theirs = read_other(other)
    added = 0

    def change(data: StoreData) -> StoreData:
        nonlocal added
        merged = merge_data(data, theirs)
        added = len(merged.events) - len(data.events)
        return data if merged == data else merged

    result = tracker.store.update(change)
    tracker.wrote(None, result)
    return MergeResult(other=other, added=added, total=len(result.events))


# ---------------------------------------------------------------------------
# log, calendar and search


class LogEntry(NamedTuple):
    event: Event
    title: str | None  # None when the item is no longer in its roadmap


def log(
    tracker: Tracker, *, since: date | None = None, roadmap_query: str | None = None
) -> list[LogEntry]:
    """What happened when, oldest first (all roadmaps unless one is named)."""
    from mlroadmap.progress import ordered

    only = tracker.roadmap(roadmap_query).id if roadmap_query else None
    entries = []
    for event in ordered(tracker.data.events):
        if only is not None and event.roadmap != only:
            continue
        if since is not None and event.day < since:
            continue
        roadmap = tracker.catalog.find(event.roadmap)
        item = roadmap.index.current(event.item) if roadmap is not None else None
        title = roadmap.index.node(item).title if roadmap is not None and item else None
        entries.append(LogEntry(event, title))
    return entries


class CalendarResult(NamedTuple):
    today: date
    first: date  # a Monday
    days: dict[date, int]
    current_streak: int
    longest_streak: int

    @property
    def active_in_range(self) -> int:
        return sum(1 for d in self.days if self.first <= d <= self.today)


def calendar(tracker: Tracker, *, weeks: int = 53) -> CalendarResult:
    from datetime import timedelta

    from mlroadmap.progress import active_days, streaks

    today = local_today()
    days = active_days(tracker.data.events)
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    runs = streaks(days, today=today)
    return CalendarResult(today, first, days, runs.current, runs.longest)


class SearchHit(NamedTuple):
    roadmap: Roadmap
    item: str
    status: str


def search(tracker: Tracker, *, text: str, roadmap_query: str | None = None) -> list[SearchHit]:
    """Items whose ID, title, description or resources contain every word of ``text``."""
    from mlroadmap.models import walk
    from mlroadmap.progress import search_text

    words = text.casefold().split()
    if not words:
        raise UserError("give some text to search for")
    roadmaps = [tracker.roadmap(roadmap_query)] if roadmap_query else tracker.catalog.all()
    hits = []
    for roadmap in roadmaps:
        states = tracker.states(roadmap)
        for _, node, _ in walk(roadmap.children):
            haystack = search_text(node)
            if all(word in haystack for word in words):
                status = status_of(states, node.id) if node.is_leaf else "branch"
                hits.append(SearchHit(roadmap, node.id, status))
    return hits


# ---------------------------------------------------------------------------
# import, validate, export


class ImportResult(NamedTuple):
    roadmap: Roadmap
    path: Path | None  # None for a dry run: nothing was written
    items: int
    checked: int  # items recorded done
    summary: ImportSummary
    restored: int = 0  # items whose mark (done, in progress, skipped) or notes were recorded


def import_roadmap(
    tracker: Tracker,
    *,
    source: Path,
    roadmap_id: str | None = None,
    with_progress: bool = False,
    force: bool = False,
    base_url: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Turn a Markdown roadmap, an exported JSON roadmap or a roadmap.sh folder into a
    roadmap YAML file in the user roadmaps directory (validated in memory first: a
    refused import writes nothing)."""
    from mlroadmap.catalog import normalise_query
    from mlroadmap.importer import slugify
    from mlroadmap.models import ID_RE

    name = (
        source.name if source.suffix.lower() not in (".md", ".markdown", ".json") else source.stem
    )
    rid = (
        normalise_query(roadmap_id, "roadmap")
        if roadmap_id is not None
        else slugify(name, "roadmap")
    )
    if not ID_RE.match(rid) or len(rid) > MAX_ID_LENGTH:
        raise UserError(f"--id {rid!r} is not a valid ID (lowercase letters, digits and dashes)")
    existing = tracker.catalog.files.get(rid)
    if existing is not None and (existing.bundled or not force) and not dry_run:
        raise UserError(
            f"a roadmap with the ID {rid!r} exists already ({existing.path})",
            hint="choose another --id" + ("" if existing.bundled else ", or --force to replace it"),
        )
    imported = _read_import(source, rid, base_url)
    target = tracker.catalog.user_dir / f"{rid}.yaml"
    roadmap: Roadmap = _checked_roadmap(imported.document, target)
    text = _roadmap_yaml(imported.document, source)
    if dry_run:
        return ImportResult(roadmap, None, imported.items, len(imported.checked), imported.summary)
    target = tracker.catalog.add_user_roadmap(rid, text)
    checked = restored = 0
    if with_progress and (imported.marks or imported.started):
        checked, restored = _record_marks(tracker, rid, imported)
    return ImportResult(roadmap, target, imported.items, checked, imported.summary, restored)


def _read_import(source: Path, rid: str, base_url: str | None) -> Imported:
    from mlroadmap.catalog import read_text
    from mlroadmap.importer import convert, convert_json

    if source.is_dir():
        from mlroadmap.roadmapsh import convert_folder

        return convert_folder(source, roadmap_id=rid)
    text, _ = read_text(source)
    if source.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        return convert_json(text, roadmap_id=rid, source=str(source))
    return convert(text, roadmap_id=rid, source=str(source), base_url=base_url)


def _roadmap_yaml(document: dict[str, Any], source: Path) -> str:
    """The roadmap file's text; refused when it would be over the size limit for roadmaps."""
    from mlroadmap.catalog import MAX_FILE_BYTES
    from mlroadmap.importer import to_yaml

    body = to_yaml(document)
    header = (
        f"# Imported by mlroadmap from {source.name}; "
        "edit freely, 'mlroadmap validate' checks it.\n"
    )
    text = header + body
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise UserError(
            f"{source}: the roadmap would be {size:,} bytes of YAML, over the "
            f"{MAX_FILE_BYTES:,}-byte limit of roadmap files; nothing was written",
            hint="import a part of the document (split it at its headings)",
        )
    return text


def _checked_roadmap(document: dict[str, object], target: Path) -> Roadmap:
    """The roadmap the file will hold, validated as loading it would (in memory)."""
    from mlroadmap.catalog import format_problems, problems_in
    from mlroadmap.errors import RoadmapFileError

    roadmap, problems = problems_in(document)
    if roadmap is None:
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        text = yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True)
        raise RoadmapFileError(
            format_problems(text, target, problems),
            hint="the document gave a roadmap that is not valid; nothing was written",
        )
    return roadmap


def _sane_day(value: str | None, today: date) -> date | None:
    """A day from an imported file, if it is a real date between 1970 and today."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if date(1970, 1, 1) <= day <= today else None


def _record_marks(tracker: Tracker, rid: str, imported: Imported) -> tuple[int, int]:
    """Log the file's marks and notes: each event built once, with a known ID (no lookups
    per item), so a long checklist is recorded in one pass."""
    checked = restored = 0
    today = local_today()

    def plan(summary: LogSummary) -> tuple[list[Event], dict[str, date]]:
        nonlocal checked, restored
        stamps = _timestamps(summary)
        recorded = summary.items.get(rid, {})
        events: list[Event] = []
        days: list[date] = []
        for item, mark in imported.marks.items():
            before = recorded.get(item)
            day = _sane_day(mark.day, today)
            if mark.status and (before is None or before[0] != mark.status):
                undated = day is None or mark.undated
                events.append(
                    new_event(rid, item, mark.status, on=day, ts=next(stamps), undated=undated)
                )
                checked += mark.status == DONE
                if day is not None and not mark.undated:
                    days.append(day)
            if mark.notes and (before is None or not before[4]):
                for text, note_day in mark.notes:
                    if text.strip():
                        on = _sane_day(note_day, today)
                        events.append(
                            new_event(rid, item, "note", note=text, on=on, ts=next(stamps))
                        )
            restored += 1
        started: dict[str, date] = {}
        first = _sane_day(imported.started, today)
        if rid not in summary.started:
            if first is not None:
                started[rid] = first  # the start date the file records
            elif any(e.action != "note" for e in events):
                started[rid] = min(days) if days else today  # as marking would set it
        return events, started

    tracker.wrote(tracker.store.append(plan))
    return checked, restored


def validate_file(path: Path) -> tuple[Roadmap | None, list[str]]:
    """A roadmap file's problems as ``file:line: message`` lines (none: the roadmap)."""
    from mlroadmap.catalog import format_problems, parse_yaml, problems_in, read_text
    from mlroadmap.errors import RoadmapFileError

    try:
        text, _ = read_text(path)
        document = parse_yaml(text, path)
    except RoadmapFileError as exc:
        return None, exc.problems
    roadmap, problems = problems_in(document)
    if roadmap is not None and path.stem != roadmap.id:
        problems.append(
            Problem(path=("id",), message=f"the ID {roadmap.id!r} must match the file name")
        )
        roadmap = None
    return roadmap, format_problems(text, path, problems)


def export(tracker: Tracker, *, roadmap_query: str | None, fmt: str) -> str:
    """The roadmap with the learner's marks, as Markdown, JSON or CSV text."""
    from mlroadmap import exporter

    roadmap = tracker.roadmap(roadmap_query)
    states = tracker.full_states(roadmap)
    started = tracker.summary.started.get(roadmap.id)
    if fmt == "md":
        return exporter.markdown(roadmap, states, started)
    if fmt == "csv":
        return exporter.csv_text(roadmap, states)
    if fmt == "json":
        return exporter.json_text(roadmap, states, started)
    raise UserError(f"unknown format {fmt!r}: use md, json or csv")


def write_export(text: str, path: Path) -> None:
    """Write an export to ``path``."""
    from mlroadmap import exporter

    exporter.write(path, text)


# ---------------------------------------------------------------------------
# skills and settings


class SkillsResult(NamedTuple):
    roadmaps: list[str]
    states: list[SkillState]
    todo_only: bool


def skills_table(tracker: Tracker, *, todo_only: bool = False) -> SkillsResult:
    from mlroadmap import skills

    states = skills.skill_states(tracker.skills_catalogue(), tracker.skill_statuses())
    if todo_only:
        states = [s for s in states if not s.learned]
        states.sort(key=lambda s: (-len(s.skill.items), s.skill.name.lower()))
    roadmaps = [r for r in tracker.catalog.ids() if any(r in s.skill.items for s in states)]
    return SkillsResult(roadmaps, states, todo_only)


SETTINGS = {"shared-credit": "shared_credit"}


def config(tracker: Tracker, *, key: str | None, value: str | None) -> dict[str, str]:
    """Show the settings, or set one (``shared-credit on|off``)."""
    if key is not None and key not in SETTINGS:
        raise UserError(f"unknown setting {key!r}; settings: {', '.join(SETTINGS)}")
    if key is not None and value is not None:
        flag = {"on": True, "true": True, "yes": True, "off": False, "false": False, "no": False}
        if value.lower() not in flag:
            raise UserError(f"{key} takes on or off, not {value!r}")

        def change(data: StoreData) -> StoreData:
            settings = data.settings.model_copy(update={SETTINGS[key]: flag[value.lower()]})
            return (
                data
                if settings == data.settings
                else data.model_copy(update={"settings": settings})
            )

        tracker.wrote(None, tracker.store.update(change))
    shown = {"shared-credit": "on" if tracker.data.settings.shared_credit else "off"}
    return {key: shown[key]} if key is not None else shown
