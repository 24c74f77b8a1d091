"""Pydantic records of the learner's store: settings and the log of events.

Their validators are built on first use (``defer_build``): the commands that
run most read the store's cached summary and never validate a record.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from pydantic.dataclasses import dataclass

from mlroadmap.events import (
    FIRST_DAY,
    MAX_EVENT_ID,
    MAX_NOTE_LENGTH,
    MIN_EVENT_ID,
    SEQ_LIMIT,
    Placed,
    PlainEvent,
    day_in_range,
    last_day,
)
from mlroadmap.vocabulary import ID_RE, MAX_ID_LENGTH, SCHEMA_VERSION, STATUS_ACTIONS

Slug = Annotated[
    str,
    StringConstraints(pattern=ID_RE.pattern, min_length=1, max_length=MAX_ID_LENGTH),
]

__all__ = [
    "FIRST_DAY",
    "MAX_NOTE_LENGTH",
    "SCHEMA_VERSION",
    "STATUS_ACTIONS",
    "Event",
    "EventLike",
    "Header",
    "LogEvent",
    "RoadmapSettings",
    "Settings",
    "StoreData",
    "as_event",
    "day_in_range",
    "last_day",
]


Action = Literal["done", "start", "skip", "todo", "note"]
EventId = Annotated[str, StringConstraints(min_length=MIN_EVENT_ID, max_length=MAX_EVENT_ID)]
Seq = Annotated[int, Field(ge=1, lt=SEQ_LIMIT)]
NoteText = Annotated[str, StringConstraints(max_length=MAX_NOTE_LENGTH)]
SettingName = Literal["active", "shared_credit"]


class _Record(BaseModel):
    # Built on first use: the commands that run most never validate a record.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Event(_Record, Placed):
    """One thing the learner did, for one item of one roadmap.

    ``seq`` orders the log: each new event gets one more than the highest in
    the store, so the order never depends on the wall clock (events written
    before it existed have none and come first, by time). ``ts`` is when it
    was recorded (UTC); ``on`` is the day it really happened when the learner
    back-dated it; ``undated`` marks a tick imported without a day (it counts
    as done, not toward pace). The events one command records share one ``ts``.
    """

    id: EventId
    seq: Seq | None = None
    ts: AwareDatetime
    roadmap: Slug
    item: Slug
    action: Action
    on: date | None = None
    note: NoteText | None = None
    # Set on ticks imported from a document that does not say when they were done:
    # dated the import day, but not counted toward pace.
    undated: Literal[True] | None = None
    # An undo: the event this one takes back (it restores what was before).
    reverts: EventId | None = None
    # A note edited or deleted: the event whose note this one replaces (no text: deletes).
    replaces: EventId | None = None

    def json_line(self) -> str:
        """The event as the store writes it: one line of JSON, without the fields not set."""
        return self.model_dump_json(exclude_none=True)


def as_event(event: Event | PlainEvent) -> Event:
    """``event`` as an ``Event`` (for a store that is written whole)."""
    return event if isinstance(event, Event) else Event.model_validate(event.fields())


@dataclass(slots=True, frozen=True, config=ConfigDict(extra="forbid", defer_build=True))
class LogEvent(Placed):
    """An event as the commands that only read the log hold it: the same fields,
    validated by the same rules as ``Event``, in a slotted object about a
    quarter of a model's size (a log of 100,000 events is read whole by
    ``log``, ``export`` and ``doctor``). Never written back: writes use ``Event``.
    """

    id: EventId
    ts: AwareDatetime
    roadmap: Slug
    item: Slug
    action: Action
    seq: Seq | None = None
    on: date | None = None
    note: NoteText | None = None
    undated: Literal[True] | None = None
    reverts: EventId | None = None
    replaces: EventId | None = None


class EventLike(Protocol):
    """What reading an event needs: an ``Event`` or a ``LogEvent``."""

    @property
    def id(self) -> str: ...
    @property
    def seq(self) -> int | None: ...
    @property
    def ts(self) -> datetime: ...
    @property
    def roadmap(self) -> str: ...
    @property
    def item(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def on(self) -> date | None: ...
    @property
    def note(self) -> str | None: ...
    @property
    def undated(self) -> bool | None: ...
    @property
    def reverts(self) -> str | None: ...
    @property
    def replaces(self) -> str | None: ...
    @property
    def order(self) -> tuple[int, datetime, str]: ...
    @property
    def day(self) -> date: ...


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
