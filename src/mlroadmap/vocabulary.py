"""The words every layer shares: item statuses, event actions, ID rules, format versions."""

from __future__ import annotations

import re
from enum import Enum


class Status(str, Enum):
    """An item's status, as the log records it (the value is the word in the store)."""

    TODO = "todo"
    DONE = "done"
    STARTED = "start"
    SKIPPED = "skip"

    def __str__(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        """The status as people read it."""
        return _LABELS[self]


_LABELS = {
    Status.TODO: "to do",
    Status.DONE: "done",
    Status.STARTED: "in progress",
    Status.SKIPPED: "skipped",
}

NOTE = "note"  # the event action that only adds a note
# Event actions that set an item's status ("note" only adds a note).
STATUS_ACTIONS: frozenset[str] = frozenset(s.value for s in Status)
ACTIONS: frozenset[str] = STATUS_ACTIONS | {NOTE}
# Settled items count toward progress: done, or skipped as not needed.
SETTLED: frozenset[str] = frozenset({Status.DONE.value, Status.SKIPPED.value})


class ExportFormat(str, Enum):
    MD = "md"
    JSON = "json"
    CSV = "csv"

    def __str__(self) -> str:
        return self.value


class ReportFormat(str, Enum):
    HTML = "html"
    SVG = "svg"

    def __str__(self) -> str:
        return self.value


class Setting(str, Enum):
    """A setting ``mlroadmap config`` shows and changes."""

    SHARED_CREDIT = "shared-credit"

    def __str__(self) -> str:
        return self.value


DEFAULT_LOG_LIMIT = 20  # log entries shown when no -n is given

ON_OFF = {"on": True, "true": True, "yes": True, "off": False, "false": False, "no": False}

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID_LENGTH = 64
SCHEMA_VERSION = 2  # the store's format; records.StoreData.schema_version must match
