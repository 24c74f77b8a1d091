"""Pydantic records of the learner's store: settings and the log of events.

Their validators are built on first use (``defer_build``): the commands that
run most read the store's cached summary and never validate a record.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints

from mlroadmap.models import ID_RE, MAX_ID_LENGTH, SCHEMA_VERSION, STATUS_ACTIONS

Slug = Annotated[
    str,
    StringConstraints(pattern=ID_RE.pattern, min_length=1, max_length=MAX_ID_LENGTH),
]

__all__ = ["SCHEMA_VERSION", "STATUS_ACTIONS", "Event", "RoadmapSettings", "Settings", "StoreData"]


Action = Literal["done", "start", "skip", "todo", "note"]


class _Record(BaseModel):
    # Built on first use: the commands that run most never validate a record.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Event(_Record):
    """One thing the learner did, for one item of one roadmap.

    ``ts`` is when it was recorded (UTC); ``on`` is the day it really happened
    when the learner back-dated it; ``undated`` marks a tick imported without
    a day (it counts as done, not toward pace).
    """

    id: Annotated[str, StringConstraints(min_length=8, max_length=64)]
    ts: AwareDatetime
    roadmap: Slug
    item: Slug
    action: Action
    on: date | None = None
    note: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    # Set on ticks imported from a document that does not say when they were done:
    # dated the import day, but not counted toward pace.
    undated: Literal[True] | None = None

    @property
    def day(self) -> date:
        """The day the work happened: the local date, unless back-dated."""
        return self.on if self.on is not None else self.ts.astimezone().date()


class RoadmapSettings(_Record):
    started: date | None = None


class Settings(_Record):
    active: Slug | None = None
    shared_credit: bool = True


class StoreData(_Record):
    """The whole store document."""

    schema_version: Literal[2] = 2
    settings: Settings = Settings()
    roadmaps: dict[Slug, RoadmapSettings] = {}
    events: list[Event] = []
