"""Events without Pydantic: their place in the log, their day, new ones as JSON lines,
and old ones read back from lines validated already.

``records.Event`` validates what the store holds. The commands that tick,
start, skip or note append a few new events, made here from values the
tracker has already checked: ``PlainEvent.make`` checks them by ``Event``'s
rules and writes the very line ``Event.model_dump_json(exclude_none=True)``
writes (property tests hold it to that), so a tick never imports Pydantic.
Values outside what it checks (a time zone with seconds, text that is not
valid Unicode) are left to ``Event``, which accepts or refuses them.

``read_indexed`` reads events back, through the log's index, from lines
validated when they were indexed: without Pydantic when a line is in the form
the store writes (any other is left to the store's validator), each with the
day the index holds for it. ``read_event`` reads one line so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from itertools import repeat
from typing import TYPE_CHECKING, Any, overload

from mlroadmap.vocabulary import ACTIONS, ID_RE, MAX_ID_LENGTH

__all__ = [
    "FIRST_DAY",
    "MAX_NOTE_LENGTH",
    "IndexedEvent",
    "Placed",
    "PlainEvent",
    "day_in_range",
    "event_day",
    "last_day",
    "local_zone",
    "read_event",
    "read_indexed",
]

# The days a record may name: from the Unix epoch to the day after today
# (a learner a time zone ahead may already be "tomorrow").
FIRST_DAY = date(1970, 1, 1)
MAX_NOTE_LENGTH = 10_000
MIN_EVENT_ID, MAX_EVENT_ID = 8, 64  # the length of an event's ID
SEQ_LIMIT = 2**53  # sequence numbers stay below it (exact in every JSON reader)


def last_day(today: date) -> date:
    return today + timedelta(days=1)


def day_in_range(day: date, today: date) -> bool:
    return FIRST_DAY <= day <= last_day(today)


def event_day(ts: datetime, on: date | None) -> date:
    """``Event.day``: ``on`` when back-dated, else the local date of ``ts``."""
    if on is not None:
        return on
    try:
        return ts.astimezone().date()
    except (OverflowError, ValueError):  # a time at the very end of the calendar
        return ts.date()


class Placed:
    """Where an event stands in the log and the day it counts for; shared by
    every kind of event, which declare the fields these read."""

    __slots__ = ()
    if TYPE_CHECKING:  # declared by the classes (not here: that would reorder their fields)
        seq: int | None
        ts: datetime
        id: str
        on: date | None

    @property
    def order(self) -> tuple[int, datetime, str]:
        """The event's place in the log (merged copies agree on it)."""
        return (self.seq or 0, self.ts, self.id)

    @property
    def day(self) -> date:
        """The day the work happened: the local date, unless back-dated."""
        return event_day(self.ts, self.on)


def _text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _slug(value: object) -> bool:
    return type(value) is str and len(value) <= MAX_ID_LENGTH and ID_RE.fullmatch(value) is not None


def _event_id(value: object) -> bool:
    return type(value) is str and MIN_EVENT_ID <= len(value) <= MAX_EVENT_ID


def _whole_minutes(ts: object) -> bool:
    """An aware time whose offset is whole minutes (as ``Event`` writes it)."""
    if type(ts) is not datetime:
        return False
    offset = ts.utcoffset()
    return offset is not None and offset.microseconds == 0 and offset.seconds % 60 == 0


def _unicode(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


class PlainEvent(Placed):
    """An event in plain Python, with ``records.Event``'s fields in its order: a new
    one (``make``) or one read back (``read_event``); see the module's text."""

    __slots__ = (
        "action",
        "id",
        "item",
        "note",
        "on",
        "replaces",
        "reverts",
        "roadmap",
        "seq",
        "ts",
        "undated",
    )

    id: str
    seq: int | None
    ts: datetime
    roadmap: str
    item: str
    action: str
    on: date | None
    note: str | None
    undated: bool | None
    reverts: str | None
    replaces: str | None

    def __init__(
        self,
        *,
        id: str,
        ts: datetime,
        roadmap: str,
        item: str,
        action: str,
        seq: int | None = None,
        on: date | None = None,
        note: str | None = None,
        undated: bool | None = None,
        reverts: str | None = None,
        replaces: str | None = None,
    ) -> None:
        self.id = id
        self.seq = seq
        self.ts = ts
        self.roadmap = roadmap
        self.item = item
        self.action = action
        self.on = on
        self.note = note
        self.undated = undated
        self.reverts = reverts
        self.replaces = replaces

    @classmethod
    def make(
        cls,
        *,
        id: str,
        ts: datetime,
        roadmap: str,
        item: str,
        action: str,
        seq: int | None = None,
        on: date | None = None,
        note: str | None = None,
        undated: bool | None = None,
        reverts: str | None = None,
        replaces: str | None = None,
    ) -> PlainEvent | None:
        """The event, when every value passes ``Event``'s rules as checked here; else None."""
        ok = (
            _event_id(id)
            and (seq is None or (type(seq) is int and 1 <= seq < SEQ_LIMIT))
            and _whole_minutes(ts)
            and _slug(roadmap)
            and _slug(item)
            and type(action) is str
            and action in ACTIONS
            and (on is None or type(on) is date)
            and (note is None or (type(note) is str and len(note) <= MAX_NOTE_LENGTH))
            and (note is None or _unicode(note))
            and undated in (None, True)
            and (reverts is None or _event_id(reverts))
            and (replaces is None or _event_id(replaces))
        )
        if not ok:
            return None
        return cls(
            id=id,
            seq=seq,
            ts=ts,
            roadmap=roadmap,
            item=item,
            action=action,
            on=on,
            note=note,
            undated=undated,
            reverts=reverts,
            replaces=replaces,
        )

    def fields(self) -> dict[str, object]:
        """The fields that are set, in ``Event``'s order (for ``Event.model_validate``)."""
        every = {name: getattr(self, name) for name in _FIELDS}
        return {name: value for name, value in every.items() if value is not None}

    def json_line(self) -> str:
        """The event as ``Event.model_dump_json(exclude_none=True)`` writes it."""
        ts = self.ts.isoformat()
        if ts.endswith("+00:00"):
            ts = ts[:-6] + "Z"
        parts = [f'{{"id":{_text(self.id)}']
        if self.seq is not None:
            parts.append(f'"seq":{self.seq}')
        parts.append(f'"ts":"{ts}"')
        parts.append(f'"roadmap":"{self.roadmap}"')
        parts.append(f'"item":"{self.item}"')
        parts.append(f'"action":"{self.action}"')
        if self.on is not None:
            parts.append(f'"on":"{self.on.isoformat()}"')
        if self.note is not None:
            parts.append(f'"note":{_text(self.note)}')
        if self.undated is not None:
            parts.append('"undated":true')
        if self.reverts is not None:
            parts.append(f'"reverts":{_text(self.reverts)}')
        if self.replaces is not None:
            parts.append(f'"replaces":{_text(self.replaces)}')
        return ",".join(parts) + "}"


_FIELDS = (
    "id",
    "seq",
    "ts",
    "roadmap",
    "item",
    "action",
    "on",
    "note",
    "undated",
    "reverts",
    "replaces",
)


def local_zone() -> str:
    """What the local days of events depend on: what is worked out from them (the
    log's summary and index) is made anew in another time zone."""
    import os
    import sys
    import time

    return json.dumps(
        [os.environ.get("TZ"), list(time.tzname), time.timezone, time.altzone, sys.byteorder]
    )


# The forms the store writes (what Pydantic writes): any other is left to Pydantic.
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)\Z")
_DAY = re.compile(r"\d{4}-\d\d-\d\d\Z")
_decode = json.JSONDecoder().decode
_KEYS = frozenset(("id", "seq", "ts", "roadmap", "item", "action", "on", "note", "undated",
                   "reverts", "replaces"))  # fmt: skip


def read_event(line: bytes) -> PlainEvent | None:
    """The event of ``line``, a line validated already: None when it is not in the
    plain form the store writes (then ``LogEvent``'s validator reads it)."""
    return _read(_decoded([line]), None)[0]


class IndexedEvent(PlainEvent):
    """A ``PlainEvent`` read through the log's index, its ``day`` the one the index
    holds for its line: worked out as ``Placed.day`` works it out when the line was
    indexed, in the same time zone (an index of another zone is never used).
    ``at`` is ``ts.isoformat()`` when it is at hand (the index keeps it), else None."""

    __slots__ = ("at", "day")

    day: date  # the index's, rather than ``Placed.day`` worked out again
    at: str | None


def read_indexed(lines: list[bytes], days: Sequence[date]) -> list[IndexedEvent | None]:
    """``read_event`` of each line read through the log's index (their JSON decoded
    in one go), each event with its line's day from ``days`` (the index's)."""
    return _read(_decoded(lines), days)


def _decoded(lines: list[bytes]) -> list[Any]:
    """The JSON value of each line (``_NOT_JSON`` for a line that is not JSON),
    decoded in one go when every line is one value."""
    try:
        decoded: list[Any] = _decode("[" + b",".join(lines).decode("utf-8") + "]")
    except ValueError:  # a line that is not JSON: each one on its own
        decoded = []
    if len(decoded) == len(lines):  # else a line with a comma between two values
        return decoded
    return [_decode_one(line) for line in lines]


_NOT_JSON = object()


def _decode_one(line: bytes) -> Any:
    try:
        return _decode(line.decode("utf-8"))
    except ValueError:
        return _NOT_JSON


@overload
def _read(decoded: list[Any], days: None) -> list[PlainEvent | None]: ...
@overload
def _read(decoded: list[Any], days: Sequence[date]) -> list[IndexedEvent | None]: ...
def _read(decoded: list[Any], days: Sequence[date] | None) -> Sequence[PlainEvent | None]:
    """The events of decoded lines in the plain form the store writes, None for any
    other; each an ``IndexedEvent`` with its day when ``days`` are given.

    One loop over every line, the checks written out in it: an export reads the
    events of every note (a large log has tens of thousands) this way.
    """
    keys, new, time_form, fromisoformat = _KEYS, object.__new__, _TIME.match, _fromisoformat
    out: list[PlainEvent | None] = []
    append = out.append
    paired = zip(decoded, repeat(None)) if days is None else zip(decoded, days, strict=True)
    for fields, day in paired:
        if type(fields) is not dict or not keys.issuperset(fields):
            append(None)
            continue
        try:  # the fields every event has (a validated line has them all)
            id_, ts, roadmap = fields["id"], fields["ts"], fields["roadmap"]
            item, action = fields["item"], fields["action"]
        except KeyError:
            append(None)
            continue
        get = fields.get
        note, seq, on = get("note"), get("seq"), get("on")
        undated, reverts, replaces = get("undated"), get("reverts"), get("replaces")
        if not (
            type(id_) is type(roadmap) is type(item) is type(action) is type(ts) is str
            and (note is None or type(note) is str)
            and (seq is None or type(seq) is int)
            and (on is None or (type(on) is str and _DAY.match(on) is not None))
            and (undated is None or undated is True)
            and (reverts is None or type(reverts) is str)
            and (replaces is None or type(replaces) is str)
            # The UTC form the store writes, to the second or the microsecond (what
            # ``_TIME`` matches, checked more quickly; ``fromisoformat`` checks the digits).
            and (
                (
                    (len(ts) == 20 or (len(ts) == 27 and ts[19] == "."))
                    and ts[-1] == "Z"
                    and ts[4] == ts[7] == "-"
                    and ts[10] == "T"
                    and ts[13] == ts[16] == ":"
                )
                or time_form(ts) is not None
            )
        ):
            append(None)
            continue
        try:
            when = fromisoformat(ts)
            on_day = None if on is None else date.fromisoformat(on)
        except ValueError:
            append(None)
            continue
        if day is None:
            event: PlainEvent = new(PlainEvent)
        else:
            dated: IndexedEvent = new(IndexedEvent)
            dated.day = day
            dated.at = None
            event = dated
        event.id = id_
        event.seq = seq
        event.ts = when
        event.roadmap = roadmap
        event.item = item
        event.action = action
        event.on = on_day
        event.note = note
        event.undated = undated
        event.reverts = reverts
        event.replaces = replaces
        append(event)
    return out


_fromisoformat = datetime.fromisoformat
