"""Where an event stands in the log and the day it counts for, in plain Python.

``Placed`` gives ``order`` and ``day`` to the store's Pydantic records
(``records.Event``, ``records.LogEvent``) and to ``ReadEvent``: an event read
back from a line that was validated already (through the log's index, which
is bound to the validated bytes), made without importing Pydantic when the
line is in the form the store writes.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

__all__ = ["Placed", "ReadEvent", "event_day", "local_zone", "read_event"]


def local_zone() -> str:
    """What the local days of events depend on: what is worked out from them (the
    log's summary and index) is made anew in another time zone."""
    import os
    import sys
    import time

    return json.dumps(
        [os.environ.get("TZ"), list(time.tzname), time.timezone, time.altzone, sys.byteorder]
    )


def event_day(ts: datetime, on: date | None) -> date:
    """``Event.day``: ``on`` when back-dated, else the local date of ``ts``."""
    if on is not None:
        return on
    try:
        return ts.astimezone().date()
    except (OverflowError, ValueError):  # a time at the very end of the calendar
        return ts.date()


class Placed:
    """Where an event stands in the log and the day it counts for; shared by the
    event classes, which declare the fields these read."""

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


class ReadEvent(Placed):
    """An event of a line validated already, with ``LogEvent``'s fields and values."""

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

    def __init__(self, fields: dict[str, Any], ts: datetime, on: date | None) -> None:
        self.id: str = fields["id"]
        self.seq: int | None = fields.get("seq")
        self.ts = ts
        self.roadmap: str = fields["roadmap"]
        self.item: str = fields["item"]
        self.action: str = fields["action"]
        self.on = on
        self.note: str | None = fields.get("note")
        self.undated: bool | None = fields.get("undated")
        self.reverts: str | None = fields.get("reverts")
        self.replaces: str | None = fields.get("replaces")


# The forms the store writes (what Pydantic writes): any other is left to Pydantic.
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)\Z")
_DAY = re.compile(r"\d{4}-\d\d-\d\d\Z")
_TEXT = ("id", "roadmap", "item", "action")
_OPTIONAL_TEXT = ("note", "reverts", "replaces")
_decode = json.JSONDecoder().decode
_KEYS = frozenset(("id", "seq", "ts", "roadmap", "item", "action", "on", "note", "undated",
                   "reverts", "replaces"))  # fmt: skip


def read_event(line: bytes) -> ReadEvent | None:
    """The event of ``line``, a line validated already: None when it is not in the
    plain form the store writes (then ``LogEvent``'s validator reads it)."""
    try:
        fields = _decode(line.decode("utf-8"))
    except ValueError:
        return None
    if type(fields) is not dict or not _KEYS.issuperset(fields):
        return None
    get = fields.get
    for key in _TEXT:
        if type(get(key)) is not str:
            return None
    for key in _OPTIONAL_TEXT:
        value = get(key)
        if value is not None and type(value) is not str:
            return None
    seq, undated, ts, on = get("seq"), get("undated"), get("ts"), get("on")
    if (seq is not None and type(seq) is not int) or (undated is not None and undated is not True):
        return None
    if (
        type(ts) is not str
        or not _TIME.match(ts)
        or (on is not None and (type(on) is not str or not _DAY.match(on)))
    ):
        return None
    try:
        return ReadEvent(
            fields,
            datetime.fromisoformat(ts),
            date.fromisoformat(on) if on is not None else None,
        )
    except ValueError:
        return None
