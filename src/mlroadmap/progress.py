"""Pure functions over a roadmap and the event log: state, counts, pace, schedule.

Nothing here reads files or prints; every function takes what it needs.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from mlroadmap.models import Node, Roadmap
from mlroadmap.vocabulary import SETTLED, STATUS_ACTIONS, Status

if TYPE_CHECKING:
    from mlroadmap.records import EventLike, RoadmapSettings, Settings, StoreData

E = TypeVar("E", bound="EventLike")

TODO, DONE, STARTED, SKIPPED = Status.TODO, Status.DONE, Status.STARTED, Status.SKIPPED
PACE_WINDOW_DAYS = 28


class ItemState:
    """What the log says of one item: its status, since when, and its notes.

    States made from a ``LogSummary`` carry ``note_count`` but not the events
    themselves (``notes`` and ``history`` are empty); ``replay`` fills both.
    """

    __slots__ = ("day", "history", "note_count", "notes", "since", "status", "undated")

    def __init__(self) -> None:
        self.status: str = TODO
        self.since: datetime | None = None
        self.day: date | None = None
        self.undated = False  # imported without a day: not counted toward pace
        self.notes: list[EventLike] = []
        self.history: list[EventLike] = []
        self.note_count = 0


def ordered(events: Iterable[E]) -> list[E]:
    """Events in log order: by sequence number, then time, then ID (so merges agree).

    The order never depends on the wall clock for events that carry a sequence
    number; older events without one come first, by time.
    """
    return sorted(events, key=lambda e: (e.seq or 0, e.ts, e.id))


def by_day(events: Iterable[E]) -> list[E]:
    """Events by the day they count for, then in the order they were recorded.

    One sort, each event's day worked out once: what sorting ``ordered(events)``
    by day gives (both sorts are stable).
    """
    return sorted(events, key=lambda e: (e.day, e.seq or 0, e.ts, e.id))


def replay(roadmap: Roadmap, events: Iterable[EventLike]) -> dict[str, ItemState]:
    """The state of every item the log mentions, keyed by the item's current ID.

    Events on an old ID (listed in a node's ``renamed_from``) count for the new
    one; events on IDs the roadmap no longer has are kept under their own ID.
    """
    renamed = roadmap.index.old_ids
    states: dict[str, ItemState] = {}
    origin: dict[str, str] = {}  # a note event -> the event that first wrote its note
    for event in ordered(e for e in events if e.roadmap == roadmap.id):
        item = renamed.get(event.item, event.item)
        state = states.get(item)
        if state is None:
            state = states[item] = ItemState()
        state.history.append(event)
        if event.action in STATUS_ACTIONS:
            state.status = event.action
            state.since = event.ts
            state.day = event.day
            state.undated = bool(event.undated)
        if event.note or event.replaces is not None:
            state.note_count += _take_note(state.notes, event, origin)
    return states


def _take_note(notes: list[EventLike], event: EventLike, origin: dict[str, str]) -> int:
    """Apply a note event, in log order, to its item's notes; how many notes it adds
    (1, 0 or -1). ``origin`` maps each note event to the one that first wrote its note."""
    if event.replaces is not None:
        # an edited note keeps its place; a deleted one goes. Any version of a
        # note stands for it: each replacement takes its first version's place.
        first = origin[event.id] = origin.get(event.replaces, event.replaces)
        at = next((i for i, n in enumerate(notes) if origin.get(n.id) == first), None)
        if at is None:
            return 0
        if event.note:
            notes[at] = event
            return 0
        del notes[at]
        return -1
    if not event.note:
        return 0
    origin[event.id] = event.id
    notes.append(event)
    return 1


def attach_notes(
    roadmap: Roadmap, states: dict[str, ItemState], events: Iterable[EventLike]
) -> dict[str, ItemState]:
    """``states`` (a summary's: no notes) given each item's notes as ``replay`` gives
    them. Only the roadmap's events that carry or replace a note are replayed, and
    only for their notes: no other event, and nothing else of these, changes a note."""
    rid, renamed = roadmap.id, roadmap.index.old_ids
    noted = [e for e in events if e.roadmap == rid and (e.note or e.replaces is not None)]
    notes: dict[str, list[EventLike]] = {}
    origin: dict[str, str] = {}
    for event in ordered(noted):
        item = renamed.get(event.item, event.item)
        kept = notes.get(item)
        if kept is None:
            kept = notes[item] = []
        _take_note(kept, event, origin)
    for item, kept in notes.items():
        state = states.get(item)
        if state is None:
            state = states[item] = ItemState()
        state.notes = kept
    return states


def _set_at(record: list[Any]) -> tuple[int, datetime, str]:
    """The log order of the event that set a status: the later of two recorded IDs wins."""
    return (record[5], datetime.fromisoformat(record[1]), record[2])


def _newest(log: Sequence[EventLike]) -> datetime | None:
    """The newest time of a log in log order: of equal times, the first (what
    comparing each event's time with the newest so far keeps, as ``add`` does).

    The events of one sequence number (or of none) are in time order, so only
    the last time of each run of one sequence number is compared.
    """
    newest: datetime | None = None
    start = 0
    end = len(log)
    while start < end:
        group = log[start].seq or 0
        stop = start + 1
        while stop < end and (log[stop].seq or 0) == group:
            stop += 1
        latest = stop - 1
        ts = log[latest].ts
        while latest > start and log[latest - 1].ts == ts:
            latest -= 1  # an earlier event of the same time
        if newest is None or ts > newest:
            newest = log[latest].ts
        start = stop
    return newest


_FIRST_ISO_DAY = "1970-01-01"
_LAST_ISO_DAY = (date.max - timedelta(days=1)).isoformat()


class LogSummary:
    """What the commands that run most need from the whole log, without its events.

    Per roadmap and recorded item ID: the last status (``""`` when the item
    only has notes), when and by which event it was set, the day it counts
    for, how many notes it has, and the setting event's sequence number. Also
    the settings, the newest time stamp, the highest sequence number, the
    number of events, how many things were done on each day (what
    ``active_days`` counts, for the calendar), and the first day anything was
    done, started or skipped in each roadmap (its start). Built by adding every event in
    log order (``ordered``); an event added later must come after every event
    already added (new events always do: each takes ``seq + 1``).
    """

    __slots__ = (
        "active",
        "count",
        "days",
        "first",
        "items",
        "newest",
        "seq",
        "shared_credit",
        "started",
    )

    def __init__(
        self,
        *,
        active: str | None = None,
        shared_credit: bool = True,
        started: dict[str, date] | None = None,
    ) -> None:
        self.active = active
        self.shared_credit = shared_credit
        self.started: dict[str, date] = started or {}
        self.first: dict[str, str] = {}  # roadmap -> ISO day of its first work (undo or not)
        self.newest: datetime | None = None
        self.seq = 0
        self.count = 0
        # roadmap -> item -> [status, ts of that status, its event ID, day, notes, its seq,
        # imported without a day (0 or 1)]
        self.items: dict[str, dict[str, list[Any]]] = {}
        self.days: dict[str, int] = {}  # ISO day -> things done that day

    @classmethod
    def of(cls, data: StoreData) -> LogSummary:
        return cls.build(data.settings, data.roadmaps, data.events)

    @classmethod
    def build(
        cls,
        settings: Settings,
        roadmaps: Mapping[str, RoadmapSettings],
        events: Iterable[EventLike],
        *,
        in_order: bool = False,
        days: Sequence[date] | None = None,
    ) -> LogSummary:
        """What ``add`` gives for every event in log order, in one pass.

        Each event's day is worked out once, and each item's time and day are
        written out as text once at the end, not once per event. ``in_order``
        says the events are in log order already (``ordered``), as a merge
        leaves them; ``days`` are then their days (``EventLike.day``), when the
        caller has worked them out already.
        """
        if days is not None and not in_order:
            raise ValueError("days are given only for events in log order")
        summary = cls(
            active=settings.active,
            shared_credit=settings.shared_credit,
            started={rid: s.started for rid, s in roadmaps.items() if s.started},
        )
        items = summary.items
        active: dict[date, int] = {}
        first: dict[str, date] = {}
        lowest, highest = date.fromisoformat(_FIRST_ISO_DAY), date.fromisoformat(_LAST_ISO_DAY)
        log = list(events) if in_order else ordered(events)
        if days is None:
            days = [event.day for event in log]
        elif len(days) != len(log):
            raise ValueError("one day for each event")
        for event, day in zip(log, days, strict=True):
            action = event.action
            per = items.get(event.roadmap)
            if per is None:
                per = items[event.roadmap] = {}
            record = per.get(event.item)
            if record is None:
                record = per[event.item] = ["", "", "", "", 0, 0, 0]
            work = action != TODO and event.reverts is None  # an undo is no day's work
            if action in STATUS_ACTIONS:
                record[0] = action
                record[1] = event.ts  # as text once the log is read
                record[2] = event.id
                record[3] = day  # as text once the log is read
                record[5] = event.seq or 0
                record[6] = 1 if event.undated else 0
                if work and lowest <= day < highest:
                    known = first.get(event.roadmap)
                    if known is None or day < known:
                        first[event.roadmap] = day
            if event.replaces is not None:
                if not event.note:
                    record[4] = max(0, record[4] - 1)  # a note deleted (an edit replaces one)
            elif event.note:
                record[4] += 1
            if work and lowest <= day < highest:
                active[day] = active.get(day, 0) + 1
        for per in items.values():
            for record in per.values():
                if record[0]:
                    record[1] = record[1].isoformat()
                    record[3] = record[3].isoformat()
        summary.days = {day.isoformat(): n for day, n in active.items()}
        summary.first = {rid: day.isoformat() for rid, day in first.items()}
        summary.newest = _newest(log)
        summary.seq = max(filter(None, map(attrgetter("seq"), log)), default=0)
        summary.count = len(log)
        return summary

    def add(self, event: EventLike) -> None:
        record = self.items.setdefault(event.roadmap, {}).get(event.item)
        if record is None:
            record = self.items[event.roadmap][event.item] = ["", "", "", "", 0, 0, 0]
        if event.action in STATUS_ACTIONS:
            record[0] = event.action
            record[1] = event.ts.isoformat()
            record[2] = event.id
            record[3] = event.day.isoformat()
            record[5] = event.seq or 0
            record[6] = int(bool(event.undated))
            if event.action != TODO and event.reverts is None:
                day = record[3]
                if _FIRST_ISO_DAY <= day < _LAST_ISO_DAY and day < self.first.get(
                    event.roadmap, "~"
                ):
                    self.first[event.roadmap] = day
        if event.replaces is not None:
            if not event.note:
                record[4] = max(0, record[4] - 1)  # a note deleted (an edit replaces one)
        elif event.note:
            record[4] += 1
        if event.action != TODO and event.reverts is None:  # an undo is no day's work
            day = record[3] if event.action in STATUS_ACTIONS else event.day.isoformat()
            if _FIRST_ISO_DAY <= day < _LAST_ISO_DAY:  # as active_days: no impossible dates
                self.days[day] = self.days.get(day, 0) + 1
        if self.newest is None or event.ts > self.newest:
            self.newest = event.ts
        if event.seq is not None and event.seq > self.seq:
            self.seq = event.seq
        self.count += 1

    def insert(
        self,
        settings: Settings,
        roadmaps: Mapping[str, RoadmapSettings],
        events: Sequence[EventLike],
        *,
        log_deletes_notes: bool,
    ) -> bool:
        """Add ``events`` (in log order; none of them in the log already) wherever each
        falls among the log's events, not only after them as ``add`` does, with the
        settings given: what ``build`` gives for the whole log. A merge adds another
        copy's events so.

        Only an event's place among its item's status events is decided by the
        order: what it sets wins over the recorded status when it comes later
        (both are known by their order, ``_set_at``); days, counts and firsts do not
        depend on the order. False, with nothing changed, when something does
        depend on what came before: an event that edits or deletes a note, or a
        note added to a log that deletes notes (``log_deletes_notes``: a deletion
        counts only when there was a note to delete); or when it cannot be told
        (a newest time equal to the log's in another form).
        """
        if log_deletes_notes and any(event.note for event in events):
            return False
        latest: datetime | None = None  # of the events: the first of equal times
        for event in events:
            if event.replaces is not None:
                return False
            if latest is None or event.ts > latest:
                latest = event.ts
        newest = self.newest
        if latest is not None and (newest is None or latest > newest):
            newest = latest
        elif latest is not None and latest == newest and latest.utcoffset() != newest.utcoffset():
            return False
        self.active = settings.active
        self.shared_credit = settings.shared_credit
        self.started = {rid: s.started for rid, s in roadmaps.items() if s.started}
        items, first, days = self.items, self.first, self.days
        for event in events:
            action, day = event.action, event.day.isoformat()
            per = items.get(event.roadmap)
            if per is None:
                per = items[event.roadmap] = {}
            record = per.get(event.item)
            if record is None:
                record = per[event.item] = ["", "", "", "", 0, 0, 0]
            # as ``build``: an undo is no day's work, and an impossible date none
            work = action != TODO and event.reverts is None
            work = work and _FIRST_ISO_DAY <= day < _LAST_ISO_DAY
            if action in STATUS_ACTIONS:
                if not record[0] or event.order > _set_at(record):
                    record[0] = action
                    record[1] = event.ts.isoformat()
                    record[2] = event.id
                    record[3] = day
                    record[5] = event.seq or 0
                    record[6] = 1 if event.undated else 0
                if work and day < first.get(event.roadmap, "~"):
                    first[event.roadmap] = day
            if event.note:
                record[4] += 1
            if work:
                days[day] = days.get(day, 0) + 1
        self.newest = newest
        self.seq = max(self.seq, max((e.seq or 0 for e in events), default=0))
        self.count += len(events)
        return True

    def active_days(self) -> dict[date, int]:
        """What ``active_days`` gives for the whole log."""
        return {date.fromisoformat(day): n for day, n in self.days.items()}

    def statuses(self) -> dict[tuple[str, str], str]:
        """The status of every (roadmap, recorded item) that has one."""
        return {
            (rid, item): record[0]
            for rid, items in self.items.items()
            for item, record in items.items()
            if record[0]
        }

    def states(self, roadmap: Roadmap) -> dict[str, ItemState]:
        """Like ``replay``, without the events: status, day and note count per current ID."""
        renamed = roadmap.index.old_ids
        states: dict[str, ItemState] = {}
        new_ids = set(renamed.values())
        latest: dict[str, tuple[int, datetime, str]] = {}  # only for IDs recorded under two names
        for recorded, record in self.items.get(roadmap.id, {}).items():
            status, day, notes = record[0], record[3], record[4]
            item = renamed.get(recorded, recorded)
            state = states.get(item)
            if state is None:
                state = states[item] = ItemState()
            state.note_count += notes
            if not status:
                continue
            if item in new_ids:  # the item's events may be under an old ID too
                key = _set_at(record)
                if item in latest and latest[item] > key:
                    continue
                latest[item] = key
            state.status = status
            state.day = date.fromisoformat(day)
            state.undated = bool(record[6])
        return states

    def status(self, roadmap: Roadmap, item: str) -> str:
        """One item's status, as ``states`` would give it (events under its old IDs count)."""
        recorded = self.items.get(roadmap.id, {})
        names = [item, *roadmap.index.node(item).renamed_from]
        found = [recorded[name] for name in names if name in recorded and recorded[name][0]]
        if not found:
            return TODO
        if len(found) == 1:
            return str(found[0][0])
        return str(max(found, key=_set_at)[0])

    def to_json(self) -> dict[str, Any]:
        return {
            "active": self.active,
            "shared_credit": self.shared_credit,
            "started": {rid: day.isoformat() for rid, day in self.started.items()},
            "newest": self.newest.isoformat() if self.newest else None,
            "seq": self.seq,
            "count": self.count,
            "items": self.items,
            "days": self.days,
            "first": self.first,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> LogSummary:
        summary = cls(
            active=doc["active"],
            shared_credit=doc["shared_credit"],
            started={rid: date.fromisoformat(day) for rid, day in doc["started"].items()},
        )
        summary.newest = datetime.fromisoformat(doc["newest"]) if doc["newest"] else None
        summary.seq = doc["seq"]
        summary.count = doc["count"]
        summary.items = doc["items"]
        summary.days = doc["days"]  # a cache written before it had days is rebuilt
        summary.first = doc["first"]
        if not (
            isinstance(summary.seq, int)
            and isinstance(summary.count, int)
            and isinstance(summary.items, dict)
            and isinstance(summary.days, dict)
            and isinstance(summary.first, dict)
            and isinstance(summary.active, str | None)
            and isinstance(summary.shared_credit, bool)
        ):
            raise ValueError("not a log summary")
        return summary


def status_of(states: dict[str, ItemState], item: str) -> str:
    state = states.get(item)
    return state.status if state is not None else TODO


@dataclass(slots=True, unsafe_hash=True)
class Count:
    """Items of a node by status; ``credited`` ones are not done here but learned elsewhere."""

    done: int = 0
    skipped: int = 0
    started: int = 0
    total: int = 0
    credited: int = 0

    @property
    def settled(self) -> int:
        return self.done + self.skipped

    @property
    def fraction(self) -> float:
        return self.settled / self.total if self.total else 0.0

    def __add__(self, other: Count) -> Count:
        return Count(
            self.done + other.done,
            self.skipped + other.skipped,
            self.started + other.started,
            self.total + other.total,
            self.credited + other.credited,
        )


def _leaf_sums(status: str, credited: bool) -> list[int]:
    """One item as [done, skipped, started, total, credited]."""
    return [
        int(status == DONE),
        int(status == SKIPPED),
        int(status == STARTED),
        1,
        int(credited and status not in SETTLED),
    ]


def _add_into(sums: list[int], more: list[int]) -> None:
    for i in range(5):
        sums[i] += more[i]


def counts(
    roadmap: Roadmap, states: dict[str, ItemState], credited: Collection[str] = ()
) -> dict[str, Count]:
    """Done/skipped/started/credited/total leaves under every node, in one pass."""
    result: dict[str, Count] = {}

    def visit(node: Node) -> list[int]:
        """[done, skipped, started, total, credited] under ``node``."""
        if not node.children:
            sums = _leaf_sums(status_of(states, node.id), node.id in credited)
        else:
            sums = [0, 0, 0, 0, 0]
            for child in node.children:
                _add_into(sums, visit(child))
        result[node.id] = Count(*sums)
        return sums

    whole = [0, 0, 0, 0, 0]
    for top in roadmap.children:
        _add_into(whole, visit(top))
    result[""] = Count(*whole)
    return result


def _tally(nodes: Iterable[Node], states: dict[str, ItemState], credited: Collection[str]) -> Count:
    """The count of the leaves under ``nodes``, without a Count per node: one loop.

    It applies ``_leaf_sums``'s rule inline, which the benchmark's large case
    shows is several times quicker than a call per leaf. ``test_progress`` holds the two
    to the same answers on random trees.
    """
    done = skipped = started = leaves = learned = 0
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if node.children:
            stack.extend(node.children)
            continue
        leaves += 1
        state = states.get(node.id)
        status = state.status if state is not None else TODO
        if status == DONE:
            done += 1
        elif status == SKIPPED:
            skipped += 1
        else:
            started += status == STARTED
            learned += node.id in credited
    return Count(done, skipped, started, leaves, learned)


def total(roadmap: Roadmap, states: dict[str, ItemState], credited: Collection[str] = ()) -> Count:
    """The roadmap's whole count, without building per-node counts."""
    return _tally(roadmap.children, states, credited)


def section_counts(
    roadmap: Roadmap, states: dict[str, ItemState], credited: Collection[str] = ()
) -> list[Count]:
    """The count of each top-level section, in order (what ``counts`` gives them)."""
    return [_tally((section,), states, credited) for section in roadmap.children]


# ---------------------------------------------------------------------------
# Pace and schedule


class Pace(NamedTuple):
    """Items finished a week over the last four weeks, and when that pace ends the roadmap."""

    per_week: float
    window_days: int
    remaining: int
    eta: date | None


def pace(
    roadmap: Roadmap,
    states: dict[str, ItemState],
    *,
    today: date,
    started: date | None = None,
    window_days: int = PACE_WINDOW_DAYS,
) -> Pace:
    """Pace over the last four weeks, or since the start when that is more recent.

    The window is never shorter than a week, so one busy first day does not
    promise a finish next Tuesday.
    """
    if started is not None:
        window_days = max(7, min(window_days, (today - started).days + 1))
    leaves = roadmap.index.leaves
    start = today - timedelta(days=window_days - 1)
    recent = 0
    remaining = 0
    for leaf in leaves:
        state = states.get(leaf)
        if state is None or state.status not in SETTLED:
            remaining += 1
        elif (
            state.status == DONE
            and state.day is not None
            and not state.undated
            and start <= state.day <= today
        ):
            recent += 1
    per_week = recent * 7 / window_days
    eta: date | None = None
    if remaining == 0:
        eta = today
    elif per_week > 0:
        eta = today + timedelta(days=round(remaining / per_week * 7))
    return Pace(per_week=per_week, window_days=window_days, remaining=remaining, eta=eta)


class Schedule(NamedTuple):
    """Where the calendar says the learner should be, and where they are."""

    started: date
    calendar_week: int
    learner_week: int | None  # the first week with unsettled items; None when all are settled
    last_week: int

    @property
    def planned_end(self) -> date:
        """The last day of the last planned week."""
        return self.started + timedelta(weeks=self.last_week, days=-1)

    @property
    def weeks_ahead(self) -> int:
        """Positive when ahead of the calendar, negative when behind."""
        position = self.learner_week if self.learner_week is not None else self.last_week + 1
        return position - self.calendar_week


def leaf_weeks(roadmap: Roadmap) -> dict[str, int]:
    """The week each item is scheduled in: the last of its own weeks or its nearest
    ancestor's; items with no week anywhere above them are left out. One pass."""
    weeks: dict[str, int] = {}

    def visit(nodes: list[Node], inherited: int | None) -> None:
        for node in nodes:
            week = max(node.weeks) if node.weeks else inherited
            if node.children:
                visit(node.children, week)
            elif week is not None:
                weeks[node.id] = week

    visit(roadmap.children, None)
    return weeks


def schedule(
    roadmap: Roadmap, states: dict[str, ItemState], *, started: date, today: date
) -> Schedule | None:
    """The schedule, for roadmaps whose nodes carry week numbers."""
    weeks = leaf_weeks(roadmap)
    if not weeks:
        return None
    pending = [w for leaf, w in weeks.items() if status_of(states, leaf) not in SETTLED]
    return Schedule(
        started=started,
        calendar_week=max(1, (today - started).days // 7 + 1),
        learner_week=min(pending) if pending else None,
        last_week=max(weeks.values()),
    )


def next_items(roadmap: Roadmap, states: dict[str, ItemState], limit: int) -> list[str]:
    """What to work on now: items in progress first, then unsettled ones in roadmap order."""
    leaves = roadmap.index.leaves
    started = [leaf for leaf in leaves if status_of(states, leaf) == STARTED]
    todo = [leaf for leaf in leaves if status_of(states, leaf) == TODO]
    return (started + todo)[:limit]


# ---------------------------------------------------------------------------
# Activity: the calendar and streaks


def active_days(events: Iterable[EventLike]) -> dict[date, int]:
    """How many things the learner did on each day (status changes and notes; neither
    a step back to to-do nor an undo).

    Days before 1970 or at the calendar's very end (impossible dates, which
    ``doctor`` reports) are left out.
    """
    from mlroadmap.records import FIRST_DAY

    last = date.max - timedelta(days=1)
    days: dict[date, int] = {}
    for event in events:
        if event.action != TODO and event.reverts is None:
            day = event.day
            if FIRST_DAY <= day < last:
                days[day] = days.get(day, 0) + 1
    return days


class Streaks(NamedTuple):
    current: int
    longest: int


def streaks(days: Iterable[date], *, today: date) -> Streaks:
    """The current run of active days (ending today, or yesterday when today is
    still empty) and the longest run ever."""
    active = set(days)
    longest = 0
    for day in active:
        if day - timedelta(days=1) in active:
            continue
        length = 1
        while day + timedelta(days=length) in active:
            length += 1
        longest = max(longest, length)
    end = today if today in active else today - timedelta(days=1)
    current = 0
    while end - timedelta(days=current) in active:
        current += 1
    return Streaks(current=current, longest=longest)


def search_text(node: Node) -> str:
    parts = [node.id, node.title, node.description or "", *node.aliases]
    for resource in node.resources:
        parts += [resource.title, resource.url or "", resource.note or ""]
    return " ".join(parts).casefold()
