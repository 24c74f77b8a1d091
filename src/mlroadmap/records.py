"""Pydantic records of the learner's store: settings and the log of events.

Their validators are built on first use (``defer_build``): the commands that
run most read the store's cached summary and never validate a record.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from mlroadmap.vocabulary import ID_RE, MAX_ID_LENGTH, SCHEMA_VERSION, STATUS_ACTIONS

Slug = Annotated[
    str,
    StringConstraints(pattern=ID_RE.pattern, min_length=1, max_length=MAX_ID_LENGTH),
]

__all__ = [
    "FIRST_DAY",
    "SCHEMA_VERSION",
    "STATUS_ACTIONS",
    "Event",
    "Header",
    "RoadmapSettings",
    "Settings",
    "StoreData",
    "day_in_range",
]

# The days a record may name: from the Unix epoch to the day after today
# (a learner a time zone ahead may already be "tomorrow").
FIRST_DAY = date(1970, 1, 1)


def last_day(today: date) -> date:
    return today + timedelta(days=1)


def day_in_range(day: date, today: date) -> bool:
    return FIRST_DAY <= day <= last_day(today)


MAX_NOTE_LENGTH = 10_000

Action = Literal["done", "start", "skip", "todo", "note"]
SettingName = Literal["active", "shared_credit"]


class _Record(BaseModel):
    # Built on first use: the commands that run most never validate a record.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Event(_Record):
    """One thing the learner did, for one item of one roadmap.

    ``seq`` orders the log: each new event gets one more than the highest in
    the store, so the order never depends on the wall clock (events written
    before it existed have none and come first, by time). ``ts`` is when it
    was recorded (UTC); ``on`` is the day it really happened when the learner
    back-dated it; ``undated`` marks a tick imported without a day (it counts
    as done, not toward pace). The events one command records share one ``ts``.
    """

    id: Annotated[str, StringConstraints(min_length=8, max_length=64)]
    seq: Annotated[int, Field(ge=1, lt=2**53)] | None = None
    ts: AwareDatetime
    roadmap: Slug
    item: Slug
    action: Action
    on: date | None = None
    note: Annotated[str, StringConstraints(max_length=MAX_NOTE_LENGTH)] | None = None
    # Set on ticks imported from a document that does not say when they were done:
    # dated the import day, but not counted toward pace.
    undated: Literal[True] | None = None
    # An undo: the event this one takes back (it restores what was before).
    reverts: Annotated[str, StringConstraints(min_length=8, max_length=64)] | None = None
    # A note edited or deleted: the event whose note this one replaces (no text: deletes).
    replaces: Annotated[str, StringConstraints(min_length=8, max_length=64)] | None = None

    @property
    def order(self) -> tuple[int, datetime, str]:
        """The event's place in the log (merged copies agree on it)."""
        return (self.seq or 0, self.ts, self.id)

    @property
    def day(self) -> date:
        """The day the work happened: the local date, unless back-dated."""
        if self.on is not None:
            return self.on
        try:
            return self.ts.astimezone().date()
        except (OverflowError, ValueError):  # a time at the very end of the calendar
            return self.ts.date()


class RoadmapSettings(_Record):
    started: date | None = None


class Settings(_Record):
    """The learner's settings; ``changed`` says when each was last set (for merges).

    A stamp is ``[seq, time]``: the highest event ``seq`` in the store when
    the setting was changed, then the time. The larger stamp wins a merge.
    """

    active: Slug | None = None
    shared_credit: bool = True
    changed: dict[SettingName, tuple[Annotated[int, Field(ge=0)], AwareDatetime]] | None = None


class Header(_Record):
    """The first line of a store of the current version."""

    schema_version: Literal[2]
    settings: Settings = Settings()
    roadmaps: dict[Slug, RoadmapSettings] = {}


class StoreData(_Record):
    """The whole store document."""

    schema_version: Literal[2] = 2
    settings: Settings = Settings()
    roadmaps: dict[Slug, RoadmapSettings] = {}
    events: list[Event] = []
