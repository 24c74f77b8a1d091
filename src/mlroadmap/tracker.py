"""What the commands do, as keyword-only functions over the catalogue and the store.

Each function returns a typed result for ``render`` or raises an
``MlroadmapError``; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, overload

from mlroadmap.catalog import Catalog, resolve
from mlroadmap.errors import UserError
from mlroadmap.models import MAX_ID_LENGTH, Node, Roadmap
from mlroadmap.progress import (
    DONE,
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
from mlroadmap.text import plural
from mlroadmap.vocabulary import (
    DEFAULT_LOG_LIMIT,
    NOTE,
    ON_OFF,
    SETTLED,
    STATUS_ACTIONS,
    ExportFormat,
    Setting,
)

if TYPE_CHECKING:
    from mlroadmap.events import PlainEvent
    from mlroadmap.importer import Imported
    from mlroadmap.importer import Summary as ImportSummary
    from mlroadmap.logindex import IndexedLog
    from mlroadmap.models import SkillsCatalogue
    from mlroadmap.records import Event, EventLike, Settings, StoreData
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
        self._log: tuple[LogSummary, IndexedLog] | None = None
        self._summary: LogSummary | None = None
        self._skills: SkillsCatalogue | None = None
        self._statuses: tuple[LogSummary, dict[tuple[str, str], str]] | None = None

    @property
    def data(self) -> StoreData:
        """The whole store, every event validated (for the commands that show events)."""
        if self._data is None:
            self._data = self.store.load()
        return self._data

    def indexed(self) -> tuple[LogSummary, IndexedLog]:
        """The summary and the log's events through its index (read only where needed)."""
        if self._log is None:
            self._log = self.store.indexed()
            if self._summary is None:
                self._summary = self._log[0]  # the same read's
        return self._log

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
        self._log = None

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
        rid = self.catalog.resolve_roadmap(query) if query is not None else self.active_id(summary)
        return self.catalog.get(rid)

    def states(self, roadmap: Roadmap) -> dict[str, ItemState]:
        """Status, day and note count of every item the log mentions."""
        return self.summary.states(roadmap)

    def full_states(self, roadmap: Roadmap, item: str | None = None) -> dict[str, ItemState]:
        """As ``states``, with notes and history: of every item, or of ``item`` alone
        (then only its events are read, under its ID and its old IDs)."""
        summary, log = self.indexed()
        if item is None:
            return replay(roadmap, log.events(log.index.positions(roadmap=roadmap.id)))
        names = [item, *roadmap.index.node(item).renamed_from]
        states = summary.states(roadmap)
        states.update(replay(roadmap, log.events(log.index.of_items(roadmap.id, names))))
        return states

    def noted_states(self, roadmap: Roadmap) -> dict[str, ItemState]:
        """As ``states``, with each item's notes but not its history: what an export
        shows. Only the events that carry or change a note are read (from the log's
        index, which holds them) and replayed."""
        from mlroadmap.progress import attach_notes

        summary, log = self.indexed()
        return attach_notes(roadmap, summary.states(roadmap), log.notes(roadmap.id))

    def started(self, roadmap_id: str) -> date | None:
        """When the learner started a roadmap: the earlier of the start date they set
        (``use --start``) and the first day anything in it was done, started or
        skipped (even if undone since)."""
        days = [self.summary.started.get(roadmap_id)]
        first = self.summary.first.get(roadmap_id)
        if first is not None:
            days.append(date.fromisoformat(first))
        return min((d for d in days if d is not None), default=None)

    def roadmap_of(
        self, queries: list[str], roadmap_query: str | None, summary: LogSummary | None = None
    ) -> tuple[Roadmap, list[str]]:
        """The roadmap items are named in, and the item part of each name.

        A name may carry its roadmap as the tool prints it (``roadmap/item``);
        every name of one command must be in the same roadmap.
        """
        named = {q.partition("/")[0].strip().lower() for q in queries if "/" in q}
        if roadmap_query is not None:
            named.add(self.catalog.resolve_roadmap(roadmap_query))
        rids = {self.catalog.resolve_roadmap(r) for r in named}
        if len(rids) > 1:
            raise UserError(
                f"those items are in different roadmaps ({', '.join(sorted(rids))})",
                hint="name the items of one roadmap at a time",
            )
        roadmap = self.roadmap(rids.pop() if rids else None, summary)
        return roadmap, [q.partition("/")[2] if "/" in q else q for q in queries]

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


class RoadmapSummary(NamedTuple):
    roadmap: Roadmap
    total: Count
    active: bool
    bundled: bool


def list_roadmaps(tracker: Tracker, *, credit: bool | None = None) -> list[RoadmapSummary]:
    active = tracker.active_id()
    return [
        RoadmapSummary(
            roadmap=roadmap,
            total=total(roadmap, tracker.states(roadmap), tracker.credits(roadmap, credit)),
            active=roadmap.id == active,
            bundled=tracker.catalog.files[roadmap.id].bundled,
        )
        for roadmap in tracker.catalog.all()
    ]


class UseResult(NamedTuple):
    roadmap: Roadmap
    start: date | None  # the start date set, if one was given
    started: date | None  # the start that counts (an earlier tick comes first)


def use(tracker: Tracker, *, query: str, start: date | None = None) -> UseResult:
    """Make a roadmap the active one; optionally set its start date."""
    if start is not None:
        check_day(start, "--start")
    roadmap = tracker.roadmap(query)

    def change(data: StoreData) -> StoreData:
        settings = set_setting(data, "active", roadmap.id)
        roadmaps = dict(data.roadmaps)
        if start is not None:
            from mlroadmap.records import RoadmapSettings

            roadmaps[roadmap.id] = RoadmapSettings(started=start)
        if settings == data.settings and roadmaps == data.roadmaps:
            return data
        return data.model_copy(update={"settings": settings, "roadmaps": roadmaps})

    tracker.wrote(None, tracker.store.update(change))
    return UseResult(roadmap, start, tracker.started(roadmap.id))


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
    # named items already in that status, moved to another day (``--on``)
    redated: tuple[str, ...] = ()
    on: date | None = None


# What marking a whole section leaves alone: starting a week does not reopen
# what is already done or skipped in it, and skipping it does not hide what is
# done. Naming the item itself always changes it.
SECTION_KEEPS: dict[str, frozenset[str]] = {STARTED: SETTLED, SKIPPED: frozenset({DONE})}


def check_day(day: date, option: str) -> None:
    """Refuse a day before 1970 or after tomorrow (``--on`` also refuses tomorrow)."""
    from mlroadmap.events import FIRST_DAY, last_day

    if day < FIRST_DAY:
        raise UserError(f"{option} {day.isoformat()} is before {FIRST_DAY.isoformat()}")
    if day > last_day(local_today()):
        raise UserError(f"{option} {day.isoformat()} is too far in the future")


def set_setting(data: StoreData, name: str, value: object) -> Settings:
    """``data``'s settings with ``name`` set to ``value``, stamped with when it changed.

    The stamp (the log's highest sequence number, then the time) lets a merge
    keep the later choice; an unchanged value keeps its old stamp.
    """
    if getattr(data.settings, name) == value:
        return data.settings
    top = max((e.seq or 0 for e in data.events), default=0)
    changed: dict[Any, tuple[int, datetime]] = dict(data.settings.changed or {})
    changed[name] = (top, now())
    return data.settings.model_copy(update={name: value, "changed": changed})


def new_event(
    roadmap: str,
    item: str,
    action: str,
    *,
    note: str | None = None,
    on: date | None = None,
    ts: datetime | None = None,
    seq: int | None = None,
    reverts: str | None = None,
    replaces: str | None = None,
    undated: bool = False,
) -> Event:
    """A new event, validated as an ``Event``."""
    from mlroadmap.records import Event

    return Event.model_validate(
        _event_fields(roadmap, item, action, note, on, ts, seq, reverts, replaces, undated)
    )


def quick_event(
    roadmap: str,
    item: str,
    action: str,
    *,
    note: str | None = None,
    on: date | None = None,
    ts: datetime | None = None,
    seq: int | None = None,
    reverts: str | None = None,
    replaces: str | None = None,
    undated: bool = False,
) -> Event | PlainEvent:
    """``new_event`` for the events a command appends: a ``PlainEvent`` (no Pydantic) when
    its values pass ``Event``'s rules as ``PlainEvent.make`` checks them; otherwise an
    ``Event`` (which validates them, and may refuse them)."""
    from mlroadmap.events import PlainEvent

    fields = _event_fields(roadmap, item, action, note, on, ts, seq, reverts, replaces, undated)
    event = PlainEvent.make(**fields)
    if event is not None:
        return event
    from mlroadmap.records import Event

    return Event.model_validate(fields)


def _event_fields(
    roadmap: str,
    item: str,
    action: str,
    note: str | None,
    on: date | None,
    ts: datetime | None,
    seq: int | None,
    reverts: str | None,
    replaces: str | None,
    undated: bool,
) -> dict[str, Any]:
    import uuid

    return {
        "id": uuid.uuid4().hex,
        "seq": seq,
        "ts": ts if ts is not None else now(),
        "roadmap": roadmap,
        "item": item,
        "action": action,
        "note": note,
        "on": on,
        "reverts": reverts,
        "replaces": replaces,
        "undated": True if undated else None,
    }


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
    _check_note(note)
    if on is not None and on > local_today():
        raise UserError(f"--on {on.isoformat()} is in the future")
    if on is not None:
        check_day(on, "--on")
    result: MarkResult | None = None

    def plan(summary: LogSummary) -> tuple[list[Event | PlainEvent], dict[str, date]]:
        nonlocal result
        roadmap, names = tracker.roadmap_of(queries, roadmap_query, summary)
        targets = list(dict.fromkeys(resolve(roadmap, q) for q in names))
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
        redated: list[str] = []
        if on is not None and action != TODO:
            days = summary.states(roadmap)
            redated = [leaf for leaf in unchanged if leaf in named and days[leaf].day != on]
            unchanged = [leaf for leaf in unchanged if leaf not in redated]
            changed += redated
        was = {leaf: before[leaf] for leaf in changed if leaf in named and before[leaf] != TODO}
        events: list[Event | PlainEvent] = []
        noted: list[str] = []
        single_leaf = len(targets) == 1 and targets[0] in named
        stamps = _timestamps(summary)
        for leaf in changed:
            leaf_note = note if single_leaf else None
            ts, seq = next(stamps)
            events.append(
                quick_event(roadmap.id, leaf, action, note=leaf_note, on=on, ts=ts, seq=seq)
            )
        if note and not (single_leaf and changed):
            for target in targets:
                ts, seq = next(stamps)
                events.append(
                    quick_event(roadmap.id, target, "note", note=note, on=on, ts=ts, seq=seq)
                )
        if note:
            noted = targets
        changed_now = [leaf for leaf in changed if leaf not in redated]
        result = MarkResult(
            roadmap, action, targets, changed_now, unchanged, noted, kept, was, tuple(redated), on
        )
        return events, {}  # the start date is derived from the days (Tracker.started)

    tracker.wrote(tracker.store.append(plan))
    assert result is not None
    return result


def _timestamps(summary: LogSummary) -> Iterator[tuple[datetime, int]]:
    """Time and sequence number of each new event.

    The sequence number orders the log: one more than the highest logged, so
    a clock that went back (or ran ahead) never reorders events, and the time
    is only ever the time of the run.
    """
    stamp = now()
    seq = summary.seq
    while True:
        seq += 1
        yield stamp, seq


def _check_note(note: str | None) -> None:
    from mlroadmap.events import MAX_NOTE_LENGTH

    if note is not None and len(note) > MAX_NOTE_LENGTH:
        raise UserError(
            f"the note is {len(note):,} characters long; the limit is {MAX_NOTE_LENGTH:,}"
        )
    if note is not None and not note.isascii():
        try:
            note.encode("utf-8")
        except UnicodeEncodeError:
            raise UserError(
                "the note holds bytes that are not text in this terminal's encoding",
                hint="write it as UTF-8 text",
            ) from None


def add_note(
    tracker: Tracker, *, query: str, text: str, roadmap_query: str | None = None
) -> MarkResult:
    """Attach a note (a thought, or a link to the work that proves it) to an item."""
    if not text.strip():
        raise UserError("the note is empty")
    _check_note(text.strip())
    result: MarkResult | None = None

    def plan(summary: LogSummary) -> tuple[list[Event | PlainEvent], dict[str, date]]:
        nonlocal result
        roadmap, (name,) = tracker.roadmap_of([query], roadmap_query, summary)
        target = resolve(roadmap, name)
        result = MarkResult(roadmap, "note", [target], [], [], [target], {}, {})
        ts, seq = next(_timestamps(summary))
        return [quick_event(roadmap.id, target, "note", note=text.strip(), ts=ts, seq=seq)], {}

    tracker.wrote(tracker.store.append(plan))
    assert result is not None
    return result


class UndoResult(NamedTuple):
    roadmap: str
    recorded: datetime  # when the change that was undone was recorded
    action: str  # what that change did: a status, or "note"
    items: list[str]  # the items it changed, now as they were before it
    restored: dict[str, str]  # item -> the status it is back to
    notes: int  # notes the change added, now removed


def _last_change(events: list[Event]) -> list[Event]:
    """The events of the most recent change not yet undone (one command's events
    share their time), skipping undos themselves; empty when there is none."""
    reverted = {e.reverts for e in events if e.reverts is not None}
    change: list[Event] = []
    for event in reversed(events):
        if change and (event.ts != change[0].ts or event.roadmap != change[0].roadmap):
            if any(e.id not in reverted for e in change):
                break
            change = []
        if event.reverts is None and event.id not in reverted:
            change.append(event)
        elif event.reverts is not None and change:
            change = []
    return [] if any(e.id in reverted for e in change) else change[::-1]


def undo_last(tracker: Tracker) -> UndoResult:
    """Take back the most recent change (a tick, a start, a skip, a note, a
    back to to-do), restoring each item's status and day as they were before
    it; repeated, it goes further back. Undos are recorded, never erased."""
    from mlroadmap.progress import ordered

    result: UndoResult | None = None

    def plan(summary: LogSummary) -> tuple[list[Event | PlainEvent], dict[str, date]]:
        nonlocal result
        events = ordered(tracker.store.load().events)
        change = _last_change(events)
        if not change:
            raise UserError("there is nothing to undo", hint="tick something first")
        rid = change[0].roadmap
        first = change[0].order
        before: dict[str, Event] = {}
        for event in events:
            if event.order >= first:
                break
            if event.roadmap == rid and event.action in STATUS_ACTIONS:
                before[event.item] = event
        by_id = {e.id: e for e in events}
        stamps = _timestamps(summary)
        out: list[Event | PlainEvent] = []
        restored: dict[str, str] = {}
        notes = 0

        def add(item: str, action: str, **fields: Any) -> None:
            ts, seq = next(stamps)
            out.append(quick_event(rid, item, action, ts=ts, seq=seq, **fields))

        for event in change:
            if event.action in STATUS_ACTIONS:
                prev = before.get(event.item)
                action = str(prev.action) if prev is not None else TODO
                on = prev.day if prev is not None and action != TODO else None
                add(event.item, action, on=on, reverts=event.id)
                restored[event.item] = action
            old = by_id.get(event.replaces) if event.replaces is not None else None
            if event.replaces is not None and event.note:  # an edit: the text it replaced
                text = old.note if old is not None else None
                add(event.item, NOTE, note=text, reverts=event.id, replaces=event.id)
            elif event.replaces is not None:  # a deletion: the note comes back
                add(event.item, NOTE, note=old.note if old else None, reverts=event.id)
            elif event.note:  # a note added: it goes
                add(event.item, NOTE, reverts=event.id, replaces=event.id)
                notes += 1
        items = list(dict.fromkeys(e.item for e in change))
        did = [str(e.action) for e in change if e.action in STATUS_ACTIONS]
        result = UndoResult(rid, change[0].ts, did[0] if did else NOTE, items, restored, notes)
        return out, {}

    tracker.wrote(tracker.store.append(plan))
    assert result is not None
    return result


class NoteChange(NamedTuple):
    roadmap: Roadmap
    item: str
    number: int
    text: str | None  # the new text; None: the note was deleted


def change_note(
    tracker: Tracker,
    *,
    query: str,
    number: int,
    text: str | None,
    roadmap_query: str | None = None,
) -> NoteChange:
    """Edit (``text``) or delete (None) an item's note N, as ``show ITEM`` numbers them."""
    if text is not None:
        text = text.strip()
        if not text:
            raise UserError("the note is empty", hint="--delete N removes a note")
        _check_note(text)
    result: NoteChange | None = None

    def plan(summary: LogSummary) -> tuple[list[Event | PlainEvent], dict[str, date]]:
        nonlocal result
        roadmap, (name,) = tracker.roadmap_of([query], roadmap_query, summary)
        target = resolve(roadmap, name)
        notes = replay(roadmap, tracker.store.load().events).get(target)
        existing = notes.notes if notes is not None else []
        if not 1 <= number <= len(existing):
            have = f"it has {plural(len(existing), 'note')}" if existing else "it has no notes"
            raise UserError(
                f"{target} has no note {number}: {have}",
                hint=f"'mlroadmap show {target}' lists them, numbered",
            )
        old = existing[number - 1]
        ts, seq = next(_timestamps(summary))
        event = quick_event(roadmap.id, old.item, NOTE, note=text, ts=ts, seq=seq, replaces=old.id)
        result = NoteChange(roadmap, target, number, text)
        return [event], {}

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
    overview: bool = False  # the roadmap itself was named: its description, credit, sections
    active: str | None = None  # the active roadmap's ID
    started: date | None = None  # (overview) when the learner started it

    def hidden(self, node: Node) -> bool:
        """Whether ``--todo`` hides the node: a branch with nothing left to do."""
        count = self.counts.get(node.id)
        return self.todo_only and count is not None and count.settled == count.total


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
    overview = False
    if query is not None and "/" not in query and roadmap_query is None:
        # A roadmap's ID (as 'list' prints it) shows that roadmap, unless the
        # active roadmap has an item of that name.
        wanted = query.strip().lower()
        if wanted in tracker.catalog.files and wanted not in tracker.roadmap().index.names:
            roadmap_query, query, overview = wanted, None, True
    if query is not None:
        roadmap, (name,) = tracker.roadmap_of([query], roadmap_query)
    else:
        roadmap, name = tracker.roadmap(roadmap_query), None
    node = resolve(roadmap, name) if name is not None else None
    if with_notes:
        states = tracker.full_states(roadmap)
    elif node is not None and roadmap.index.node(node).is_leaf:
        states = tracker.full_states(roadmap, node)
    else:
        states = tracker.states(roadmap)
    credited = tracker.credits(roadmap, credit)
    return ShowResult(
        roadmap,
        node,
        states,
        counts(roadmap, states, credited),
        depth,
        todo_only,
        credited,
        overview,
        tracker.active_id(),
        tracker.started(roadmap.id) if overview else None,
    )


class SectionProgress(NamedTuple):
    id: str
    title: str
    total: Count


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
    started = tracker.started(roadmap.id)
    return ProgressResult(
        roadmap=roadmap,
        sections=[
            SectionProgress(id=n.id, title=n.title, total=count)
            for n, count in zip(roadmap.children, per_section, strict=True)
        ],
        total=sum(per_section, Count()),
        pace=pace(roadmap, states, today=today, started=started),
        schedule=schedule(roadmap, states, started=started, today=today) if started else None,
        today=today,
    )


def progress_all(tracker: Tracker, *, credit: bool | None = None) -> list[ProgressResult]:
    return [progress(tracker, roadmap=r, credit=credit) for r in tracker.catalog.all()]


class OverviewResult(NamedTuple):
    progress: ProgressResult
    next: NextResult
    current_streak: int
    longest_streak: int


def overview(tracker: Tracker) -> OverviewResult:
    """The active roadmap at a glance: progress, pace, what is next, the streak."""
    from mlroadmap.progress import streaks

    roadmap = tracker.roadmap()
    result = progress(tracker, roadmap=roadmap)
    runs = streaks(tracker.summary.active_days(), today=result.today)
    coming = next_up(tracker, limit=3)
    return OverviewResult(result, coming, runs.current, runs.longest)


class NextResult(NamedTuple):
    roadmap: Roadmap
    items: list[str]
    states: dict[str, ItemState]
    credited: dict[str, list[str]]  # item -> the roadmaps whose skills credit it


def next_up(
    tracker: Tracker, *, limit: int, roadmap_query: str | None = None, quick_wins: bool = False
) -> NextResult:
    """What to do now. With ``quick_wins``, items whose skills are already (partly)
    learned in another roadmap come first, the most learned first, then the rest."""
    if limit < 1:
        raise UserError(f"-n must be 1 or more, not {limit}")
    roadmap = tracker.roadmap(roadmap_query)
    states = tracker.states(roadmap)
    if not quick_wins:
        credited_now = tracker.credits(roadmap)
        return NextResult(roadmap, next_items(roadmap, states, limit), states, credited_now)
    from mlroadmap import skills

    catalogue = tracker.skills_catalogue()
    status = tracker.skill_statuses()
    credited = skills.credits(catalogue, status, roadmap.id)
    partly = skills.partly_learned_items(catalogue, status, roadmap.id)
    pending = next_items(roadmap, states, len(roadmap.index.leaves))
    order = {item: i for i, item in enumerate(pending)}
    ranked = sorted(pending, key=lambda i: (i not in credited, -partly.get(i, 0), order[i]))
    return NextResult(roadmap, ranked[:limit], states, credited)


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
    # every problem of the roadmap files that cannot be loaded (they are skipped)
    roadmap_problems: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()  # IDs of backup events the store lacks
    backup_bad_lines: int = 0  # lines of the backup that cannot be read
    cache_rebuilt: str | None = None  # why the cached summary was rebuilt
    out_of_range: tuple[str, ...] = ()  # events with impossible times or days
    duplicates: int = 0  # event lines written twice
    copies: tuple[Path, ...] = ()  # earlier copies kept beside the store
    symlink: Path | None = None  # the link the store is reached through
    salvaged: tuple[tuple[Path, int], ...] = ()  # restore: every file read, intact events
    backup_set_aside: Path | None = None
    unreadable: int = 0  # restore: damaged lines whose event no copy holds
    # False: the store's bytes were those of its last full check, by their checksum
    checked_every_line: bool = True


def _orphans(catalog: Catalog, per_item: Mapping[tuple[str, str], int]) -> list[Orphan]:
    """Recorded items their roadmap lacks, with their number of events."""
    found = []
    roadmaps = {rid: catalog.find(rid) for rid, _ in per_item}  # each looked up once
    for (rid, item), n in sorted(per_item.items()):
        roadmap = roadmaps[rid]
        if roadmap is None and rid in catalog.files:
            continue  # its file cannot be loaded: listed among the roadmap problems
        if roadmap is None:
            reason = "the roadmap is not installed"
        elif roadmap.index.current(item) is not None:
            continue
        else:
            reason = "the roadmap has no such item"
        found.append(Orphan(rid, item, n, reason))
    return found


def doctor(tracker: Tracker, *, restore: bool = False, full: bool = False) -> DoctorReport:
    """Check the store, its backup and cache; report orphaned ticks and impossible dates;
    on request salvage every intact event (``Store.restore``). A store unchanged since
    its lines were last validated is not validated again, unless ``full``."""
    store = tracker.store
    roadmap_problems = tuple(
        line for problems in tracker.catalog.check().values() for line in problems
    )
    removed = store.remove_leftovers()
    restored = None
    if restore:
        restored = store.restore()
    check = store.check(today=local_today(), full=full or restore)
    sources = restored.sources if restored is not None else []
    restored_from = next((p for p, _ in sources if p != store.path), None)
    return DoctorReport(
        store=store.path,
        healthy=check.problem is None,
        problem=check.problem,
        events=check.events,
        backup=check.backup,
        backup_events=check.backup_events,
        orphans=_orphans(tracker.catalog, check.per_item),
        checked_every_line=not check.unchanged,
        restored_from=restored_from,
        set_aside=restored.set_aside if restored is not None else None,
        unfinished_line=check.torn,
        removed=tuple(removed),
        roadmap_problems=roadmap_problems,
        missing=tuple(check.missing),
        backup_bad_lines=check.backup_bad_lines,
        cache_rebuilt=check.cache,
        out_of_range=tuple(check.out_of_range),
        duplicates=check.duplicates,
        copies=tuple(check.copies),
        symlink=check.symlink,
        salvaged=tuple(sources),
        backup_set_aside=restored.backup_set_aside if restored is not None else None,
        unreadable=restored.unreadable if restored is not None else 0,
    )


class MergeResult(NamedTuple):
    other: Path
    added: int
    total: int


def merge(tracker: Tracker, *, other: Path) -> MergeResult:
    """Merge another copy of the store (say, from a laptop) into this one."""
    from mlroadmap.store import read_other

    merged = tracker.store.merge(read_other(other, today=local_today()))
    tracker.wrote(merged.summary)
    return MergeResult(other=other, added=merged.added, total=merged.total)


# ---------------------------------------------------------------------------
# log, calendar and search


class LogEntry(NamedTuple):
    event: EventLike
    title: str | None  # None when the item is no longer in its roadmap


class LogResult(NamedTuple):
    entries: Sequence[LogEntry]  # the ones to show, by day, oldest first (read when used)
    matched: int  # entries within the filters (more than shown when ``limit`` cut them)
    recorded: int  # events in the log, before any filter
    since: date | None
    until: date | None


def log(
    tracker: Tracker,
    *,
    since: date | None = None,
    until: date | None = None,
    roadmap_query: str | None = None,
    limit: int | None = DEFAULT_LOG_LIMIT,
) -> LogResult:
    """What happened when, by day (all roadmaps unless one is named): the ``limit``
    most recent entries (None: every one), oldest first."""
    if limit is not None and limit < 1:
        raise UserError(f"-n must be 1 or more, not {limit}")
    if since is not None and until is not None and until < since:
        raise UserError(f"--until {until} is before --since {since}")
    only = tracker.roadmap(roadmap_query).id if roadmap_query is not None else None
    _, log = tracker.indexed()
    chosen = log.index.positions(roadmap=only, since=since, until=until)
    shown = chosen if limit is None else chosen[max(0, len(chosen) - limit) :]
    return LogResult(LogEntries(tracker, log, shown), len(chosen), len(log), since, until)


class LogEntries(Sequence[LogEntry]):
    """Log entries read from the store only when asked for (a slice at a time), so
    a long log is never held whole."""

    def __init__(self, tracker: Tracker, log: IndexedLog, positions: Sequence[int]) -> None:
        self.tracker = tracker
        self.log = log
        self.positions = positions
        self.titles: dict[tuple[str, str], str | None] = {}

    def __len__(self) -> int:
        return len(self.positions)

    @overload
    def __getitem__(self, at: int) -> LogEntry: ...
    @overload
    def __getitem__(self, at: slice) -> list[LogEntry]: ...
    def __getitem__(self, at: int | slice) -> LogEntry | list[LogEntry]:
        whole = len(self.positions)  # they may all be read, a slice at a time
        if isinstance(at, slice):
            events = self.log.events(self.positions[at], of=whole)
            return [LogEntry(e, self._title(e)) for e in events]
        (event,) = self.log.events([self.positions[at]])
        return LogEntry(event, self._title(event))

    def __iter__(self) -> Iterator[LogEntry]:
        for start in range(0, len(self), LOG_READ_CHUNK):
            yield from self[start : start + LOG_READ_CHUNK]

    def _title(self, event: EventLike) -> str | None:
        key = (event.roadmap, event.item)
        if key not in self.titles:
            roadmap = self.tracker.catalog.find(event.roadmap)
            item = roadmap.index.current(event.item) if roadmap is not None else None
            found = roadmap.index.node(item).title if roadmap is not None and item else None
            self.titles[key] = found
        return self.titles[key]


LOG_READ_CHUNK = 1_000  # log entries read at a time when all are gone through


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

    from mlroadmap.progress import streaks

    today = local_today()
    days = tracker.summary.active_days()  # active_days of the log, from its summary
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    runs = streaks(days, today=today)
    return CalendarResult(today, first, days, runs.current, runs.longest)


class SearchHit(NamedTuple):
    roadmap: Roadmap
    item: str
    status: str
    credited_from: list[str]  # roadmaps whose skills credit the item (not done here)


def search(tracker: Tracker, *, text: str, roadmap_query: str | None = None) -> list[SearchHit]:
    """Items whose ID, title, description or resources contain every word of ``text``."""
    from mlroadmap.models import walk
    from mlroadmap.progress import search_text

    words = text.casefold().split()
    if not words:
        raise UserError("give some text to search for")
    roadmaps = (
        [tracker.roadmap(roadmap_query)] if roadmap_query is not None else tracker.catalog.all()
    )
    hits = []
    for roadmap in roadmaps:
        states = tracker.states(roadmap)
        credited: dict[str, list[str]] | None = None
        for _, node, _ in walk(roadmap.children):
            haystack = search_text(node)
            if all(word in haystack for word in words):
                if credited is None:
                    credited = tracker.credits(roadmap)
                status = status_of(states, node.id) if node.is_leaf else "branch"
                hits.append(SearchHit(roadmap, node.id, status, credited.get(node.id, [])))
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
        raise UserError(
            f"--id {rid!r} is not a valid ID "
            f"(at most {MAX_ID_LENGTH} lowercase letters, digits and dashes)"
        )
    existing = tracker.catalog.files.get(rid)
    if existing is not None and (existing.bundled or not force) and not dry_run:
        raise UserError(
            f"a roadmap with the ID {rid!r} exists already ({existing.path})",
            hint="choose another --id" + ("" if existing.bundled else ", or --force to replace it"),
        )
    imported = _read_import(source, rid, base_url)
    target = tracker.catalog.user_dir / f"{rid}.yaml"
    roadmap, document = _checked_roadmap(imported.document, target)
    text = _roadmap_yaml(imported.document, source)
    if dry_run:
        return ImportResult(roadmap, None, imported.items, len(imported.checked), imported.summary)
    # The file reads back as the document (to_yaml's property), so what was validated
    # here is what loading the file would give: it is cached for the next command.
    target = tracker.catalog.add_user_roadmap(rid, text, (roadmap, document))
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
    """The roadmap file's text; refused when loading it would be refused (over the size,
    depth or node limits of roadmap files)."""
    from mlroadmap.catalog import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES
    from mlroadmap.importer import yaml_shape

    body, depth, nodes = yaml_shape(document)
    # What loading the file would refuse is refused here: nothing unreadable is written.
    too_much = (
        f"nested {depth} deep, over the limit of {MAX_DEPTH}"
        if depth > MAX_DEPTH
        else f"{nodes:,} YAML nodes, over the limit of {MAX_NODES:,}"
        if nodes > MAX_NODES
        else None
    )
    if too_much is not None:
        raise UserError(
            f"{source}: the roadmap file would be {too_much}; nothing was written",
            hint="import a part of the document (split it at its headings)",
        )
    # A line break in the name would end the comment; other unprintable characters would
    # make the whole file unreadable as YAML.
    name = "".join(c if c.isprintable() else "?" for c in source.name)
    header = f"# Imported by mlroadmap from {name}; edit freely, 'mlroadmap validate' checks it.\n"
    text = header + body
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise UserError(
            f"{source}: the roadmap would be {size:,} bytes of YAML, over the "
            f"{MAX_FILE_BYTES:,}-byte limit of roadmap files; nothing was written",
            hint="import a part of the document (split it at its headings)",
        )
    return text


def _checked_roadmap(document: dict[str, object], target: Path) -> tuple[Roadmap, dict[str, Any]]:
    """The roadmap the file will hold and its validated document, validated as loading the
    file would (in memory)."""
    from mlroadmap.catalog import checked_document, format_problems
    from mlroadmap.errors import RoadmapFileError

    roadmap, validated, problems = checked_document(document, Roadmap)
    if roadmap is None or validated is None:
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        text = yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True)
        raise RoadmapFileError(
            format_problems(text, target, problems),
            hint="the document gave a roadmap that is not valid; nothing was written",
        )
    return roadmap, validated


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

    def plan(summary: LogSummary) -> tuple[list[Event | PlainEvent], dict[str, date]]:
        nonlocal checked, restored
        stamps = _timestamps(summary)
        recorded = summary.items.get(rid, {})
        events: list[Event | PlainEvent] = []
        for item, mark in imported.marks.items():
            before = recorded.get(item)
            day = _sane_day(mark.day, today)
            if mark.status and (before is None or before[0] != mark.status):
                undated = day is None or mark.undated
                ts, seq = next(stamps)
                events.append(
                    quick_event(rid, item, mark.status, on=day, ts=ts, seq=seq, undated=undated)
                )
                checked += mark.status == DONE
            if mark.notes and (before is None or not before[4]):
                for text, note_day in mark.notes:
                    if text.strip():
                        on = _sane_day(note_day, today)
                        ts, seq = next(stamps)
                        events.append(
                            quick_event(rid, item, NOTE, note=text, on=on, ts=ts, seq=seq)
                        )
            restored += 1
        started: dict[str, date] = {}
        first = _sane_day(imported.started, today)
        if rid not in summary.started and first is not None:
            started[rid] = first  # the start date the file records (else: from the days)
        return events, started

    tracker.wrote(tracker.store.append(plan))
    return checked, restored


class FileCheck(NamedTuple):
    path: Path
    roadmap: Roadmap | None  # the roadmap, when the file is a valid one
    problems: list[str]  # each "file:line: message"
    skills: SkillsCatalogue | None = None  # the catalogue, when the file is a valid one

    @property
    def ok(self) -> bool:
        return self.roadmap is not None or self.skills is not None


MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")


def validate_files(files: list[Path]) -> list[FileCheck]:
    """Check roadmap files (and a skills catalogue, ``skills.yaml``), each on its own."""
    return [validate_file(path) for path in files]


def validate_file(path: Path) -> FileCheck:
    """A roadmap file's problems as ``file:line: message`` lines, or the roadmap."""
    from mlroadmap.catalog import load_model, load_roadmap
    from mlroadmap.errors import RoadmapFileError
    from mlroadmap.models import SkillsCatalogue

    if path.suffix.lower() in MARKDOWN_SUFFIXES:
        return FileCheck(
            path,
            None,
            [
                f"{path}:1: this is a Markdown document, not a roadmap file; "
                f"'mlroadmap import {path}' turns it into one"
            ],
        )
    try:
        if path.stem == "skills":
            return FileCheck(path, None, [], load_model(path, SkillsCatalogue, use_cache=False))
        return FileCheck(path, load_roadmap(path, use_cache=False), [])
    except RoadmapFileError as exc:
        return FileCheck(path, None, exc.problems)


def export(tracker: Tracker, *, roadmap_query: str | None, fmt: str) -> str:
    """The roadmap with the learner's marks, as Markdown, JSON or CSV text."""
    from mlroadmap import exporter

    roadmap = tracker.roadmap(roadmap_query)
    states = tracker.noted_states(roadmap)
    started = tracker.started(roadmap.id)
    if fmt == ExportFormat.MD:
        return exporter.markdown(roadmap, states, started)
    if fmt == ExportFormat.CSV:
        return exporter.csv_text(roadmap, states)
    if fmt == ExportFormat.JSON:
        return exporter.json_text(roadmap, states, started)
    raise UserError(f"unknown format {fmt!r}: use md, json or csv")


def write_export(tracker: Tracker, text: str, path: Path) -> None:
    """Write an export to ``path``: never onto the store's own files."""
    from mlroadmap import exporter

    if tracker.store.refuses_output(path):
        raise UserError(
            f"{path} is one of the store's own files; an export never overwrites it",
            hint="choose another file name for -o",
        )
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


SETTINGS = {Setting.SHARED_CREDIT.value: "shared_credit"}


class ConfigResult(NamedTuple):
    key: str | None  # the setting named, if one was
    settings: dict[str, str]  # the settings shown (one, when a key was named)
    home: Path  # where every file of the tool lives
    store: Path
    user_roadmaps: Path
    active: str
    started: dict[str, date]  # roadmap -> the start date that counts, for those begun


def config(tracker: Tracker, *, key: str | None, value: str | None) -> ConfigResult:
    """Show the settings, or set one (``shared-credit on|off``)."""
    if key is not None and key not in SETTINGS:
        raise UserError(f"unknown setting {key!r}; settings: {', '.join(SETTINGS)}")
    if key is not None and value is not None:
        if value.lower() not in ON_OFF:
            raise UserError(f"{key} takes on or off, not {value!r}")

        def change(data: StoreData) -> StoreData:
            settings = set_setting(data, SETTINGS[key], ON_OFF[value.lower()])
            return (
                data
                if settings == data.settings
                else data.model_copy(update={"settings": settings})
            )

        tracker.wrote(None, tracker.store.update(change))
    shown = {"shared-credit": "on" if tracker.summary.shared_credit else "off"}
    started: dict[str, date] = {}
    for rid in tracker.catalog.ids():
        day = tracker.started(rid)
        if day is not None:
            started[rid] = day
    from mlroadmap import paths

    return ConfigResult(
        key=key,
        settings={key: shown[key]} if key is not None else shown,
        home=paths.home(),
        store=tracker.store.path,
        user_roadmaps=tracker.catalog.user_dir,
        active=tracker.active_id(),
        started=started,
    )


class RemoveResult(NamedTuple):
    roadmap: Roadmap
    path: Path
    items: int  # items with something recorded on them, kept in the store


def remove_roadmap(tracker: Tracker, *, query: str) -> RemoveResult:
    """Remove an imported roadmap's file; its ticks stay in the store, as orphans."""
    rid = tracker.catalog.resolve_roadmap(query)
    file = tracker.catalog.files[rid]
    if file.bundled:
        raise UserError(
            f"{rid} comes with mlroadmap and cannot be removed",
            hint="only roadmaps you imported can be removed",
        )
    roadmap = tracker.catalog.get(rid)
    tracker.catalog.remove_user_roadmap(rid)
    return RemoveResult(roadmap, file.path, len(tracker.summary.items.get(rid, {})))


# ---------------------------------------------------------------------------
# report


class RoadmapReport(NamedTuple):
    """One roadmap's progress with every item's state, for the report page and card."""

    progress: ProgressResult
    states: dict[str, ItemState]
    credited: dict[str, list[str]]
    counts: dict[str, Count]
    started: date | None  # the roadmap's start date, when one is set


class ReportData(NamedTuple):
    roadmaps: list[RoadmapReport]
    calendar: CalendarResult
    skills: SkillsResult
    generated: datetime


def report(
    tracker: Tracker,
    *,
    roadmap_query: str | None = None,
    all_roadmaps: bool = False,
    credit: bool | None = None,
) -> ReportData:
    """Progress, item states, the year of activity and the skills learned, for ``report``."""
    if all_roadmaps and roadmap_query:
        raise UserError("give either --roadmap or --all, not both")
    chosen = tracker.catalog.all() if all_roadmaps else [tracker.roadmap(roadmap_query)]
    reports = []
    for roadmap in chosen:
        states = tracker.states(roadmap)
        credited = tracker.credits(roadmap, credit)
        reports.append(
            RoadmapReport(
                progress=progress(tracker, roadmap=roadmap, credit=credit),
                states=states,
                credited=credited,
                counts=counts(roadmap, states, credited),
                started=tracker.started(roadmap.id),
            )
        )
    return ReportData(
        roadmaps=reports,
        calendar=calendar(tracker),
        skills=skills_table(tracker),
        generated=now(),
    )
