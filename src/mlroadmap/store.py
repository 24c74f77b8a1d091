"""The learner's store: a log that only grows, read validated, written under a lock.

Format (``schema_version`` 2): JSON Lines. The first line is a JSON object
with ``schema_version``, ``settings`` and ``roadmaps`` and nothing else; every
other line is one event, parsed and validated on its own. Version 1 (one JSON
document with an ``events`` list) and the pre-release version 0 (``done``,
``active``, ``created``) are read and rewritten as version 2 on the next
write, keeping the original as ``store.json.vN.bak``. Any other file is
refused, never migrated.

Guarantees:

- Every read-modify-write holds one exclusive lock (a separate lock file that
  is never deleted); the store is re-read after the lock is taken.
- New events are appended and fsynced (a merge's too, when each comes after
  every event of the log and the settings stay as they are); a failed append
  is cut off again, so the file is as it was. A line without its newline (a write that was
  killed) is ignored and cut off by the next writer.
- A change of settings rewrites the whole file: a temporary file in the same
  directory, flushed and fsynced, replaces the store with ``os.replace``; the
  directory is then fsynced. The previous version is kept as
  ``store.json.bak``.
- The log only grows. A store that lacks an event its backup holds, or holds
  fewer events than the store's summary last counted, is refused untouched
  (``doctor`` says what is missing; ``doctor --restore`` salvages). The
  backup is brought up to date only from a store that holds every one of its
  events, and is compared with the store byte for byte, not by its ends. The
  lines of the last write, which the backup does not hold yet, are kept a
  second time in the cache (up to 4 MiB).
- Order never depends on the clock: each new event takes the next sequence
  number (``Event.seq``).
- A store that cannot be read, fails validation or comes from a newer version
  of the tool is never overwritten.
- A symlinked store is resolved once: every file is written beside its
  target, and the link is left as it is.
- The commands that read events and write none (``log``, ``export``, ``show
  ITEM``, ``doctor``) read them through the log's index (``logindex``): a
  cache of where each event's line lies, built only from lines validated
  whole and bound to the store's bytes by their CRC-32. They read only the
  lines they need; ``doctor`` validates every line again only when the
  store's bytes are not those the index describes (or with ``--full``).
- What the everyday commands need from the log (``progress.LogSummary``) is
  kept in a cache beside the file's identity (device, inode, size, times), the
  local time zone and a checksum of its own content; a cache that is damaged,
  of another format, zone or file is rebuilt from the log.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar, cast

from mlroadmap import fsio, paths
from mlroadmap.errors import LockTimeoutError, StoreError
from mlroadmap.events import local_zone
from mlroadmap.fsio import FileKey, file_key
from mlroadmap.progress import LogSummary, ordered
from mlroadmap.vocabulary import SCHEMA_VERSION

if TYPE_CHECKING:
    from pydantic import ValidationError

    from mlroadmap.events import PlainEvent
    from mlroadmap.logindex import IndexedLog, LogIndex
    from mlroadmap.records import (
        Event,
        EventLike,
        Header,
        LogEvent,
        RoadmapSettings,
        Settings,
        StoreData,
    )

E = TypeVar("E", bound="EventLike")

SUMMARY_FORMAT = 5
MAX_OTHER_BYTES = 64 * 1024 * 1024  # the largest store ``merge`` reads

DEFAULT_LOCK_TIMEOUT = 15.0
ENV_LOCK_TIMEOUT = "MLROADMAP_LOCK_TIMEOUT"

DOCTOR_HINT = (
    "run 'mlroadmap doctor' to see what is wrong, then 'mlroadmap doctor --restore' "
    "to salvage every intact event; the files were left as they are"
)

# Each migration takes a document of version N (a dict) and returns version N + 1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
# The keys a document of each older version may have.
KNOWN_KEYS = {
    0: frozenset({"schema_version", "done", "active", "created"}),
    1: frozenset({"schema_version", "settings", "roadmaps", "events"}),
    2: frozenset({"schema_version", "settings", "roadmaps", "events"}),
}
# Copies of the store kept by this module, which ``doctor --restore`` reads too.
SET_ASIDE_LABELS = ("replaced", "restored")


def _migrate_0(document: dict[str, Any]) -> dict[str, Any]:
    """Version 0 (pre-release) kept ``done`` as a list of ``roadmap/item`` names."""
    from mlroadmap.records import Event

    events = []
    ts = document.get("created") or "2026-01-01T00:00:00Z"
    for n, name in enumerate(document.get("done", [])):
        roadmap, _, item = str(name).partition("/")
        event = Event(id=f"v0-{n:08d}", ts=ts, roadmap=roadmap, item=item, action="done")
        events.append(event.model_dump(mode="json", exclude_none=True))
    return {
        "schema_version": 1,
        "settings": {"active": document.get("active")},
        "events": events,
    }


def _migrate_1(document: dict[str, Any]) -> dict[str, Any]:
    """Version 1 was one JSON document; version 2 has the same keys, written as lines."""
    return {**document, "schema_version": 2}


MIGRATIONS[0] = _migrate_0
MIGRATIONS[1] = _migrate_1


def _recovery_hint(path: Path) -> str:
    backup = backup_path(path)
    if backup.exists():
        return (
            f"the previous version is kept at {backup}; run 'mlroadmap doctor --restore' "
            "to salvage every intact event from both, or fix the file by hand"
        )
    return "fix the file by hand, or move it away to start a new store"


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _describe(exc: OSError) -> str:
    return exc.strerror or str(exc)


# ---------------------------------------------------------------------------
# Reading a store file


class Decoded(NamedTuple):
    data: StoreData
    migrated: bool  # read from an older version
    torn: bool  # the last line was unfinished (a killed append) and is not part of the log


@dataclass(frozen=True, slots=True)
class Log(Generic[E]):
    """A store as read: its header and its events, validated line by line.

    ``Log[Event]`` is what a change writes back; ``Log[LogEvent]`` is what a
    command that only reads the events holds (``decode_log``).
    """

    settings: Settings
    roadmaps: dict[str, RoadmapSettings]
    events: list[E]
    migrated: bool = False  # read from an older version
    torn: bool = False  # the last line was unfinished (a killed append), not part of the log


def _empty_log() -> Log[Any]:
    from mlroadmap.records import Settings

    return Log(Settings(), {}, [])


def _store_data(log: Log[Event]) -> StoreData:
    from mlroadmap.records import StoreData

    return StoreData.model_construct(
        schema_version=2, settings=log.settings, roadmaps=log.roadmaps, events=log.events
    )


def _event_validator() -> Callable[[bytes], Event]:
    from mlroadmap.records import Event

    return Event.model_validate_json


@cache
def _log_event_validator() -> Callable[[bytes], LogEvent]:
    """``LogEvent``'s validator of one JSON line (built once, on first use)."""
    from pydantic import TypeAdapter

    from mlroadmap.records import LogEvent

    return TypeAdapter(LogEvent).validate_json


def _as_log_event(event: Event) -> LogEvent:
    from pydantic import TypeAdapter

    from mlroadmap.records import LogEvent

    return TypeAdapter(LogEvent).validate_python(event.model_dump())


SLICE_BYTES = 1024 * 1024  # lines are split and validated about this many bytes at a time


def line_slices(data: bytes) -> Iterator[list[bytes]]:
    """The lines of ``data`` that end with a newline, in order, a slice of about
    ``SLICE_BYTES`` at a time (so a whole log's lines are never held at once);
    what follows the last newline (an unfinished line) is left out."""
    start = 0
    while True:
        end = data.rfind(b"\n", start, start + SLICE_BYTES)
        if end < 0:
            end = data.find(b"\n", start + SLICE_BYTES)  # a line longer than a slice
            if end < 0:
                return
        yield data[start:end].split(b"\n")
        start = end + 1


def _json_object(line: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def decode(raw: bytes, path: Path) -> tuple[StoreData, bool]:
    """Parse and validate a store; the flag says whether it was migrated from an older format."""
    decoded = decode_full(raw, path)
    return decoded.data, decoded.migrated


def decode_full(raw: bytes, path: Path) -> Decoded:
    log = decode_events(raw, path)
    return Decoded(_store_data(log), log.migrated, log.torn)


def decode_events(raw: bytes, path: Path) -> Log[Event]:
    """The store in ``raw``, validated, as a ``Log`` of ``Event``s (what a change writes)."""
    log = _decode(raw, path, _event_validator())
    if log is not None:
        return log
    data = _decode_document(raw, path, _json_object(raw.partition(b"\n")[0])).data
    return Log(data.settings, dict(data.roadmaps), list(data.events), migrated=True)


def decode_log(raw: bytes, path: Path, offsets: list[int] | None = None) -> Log[LogEvent]:
    """As ``decode_events``, every line validated by the same rules, each event a
    ``LogEvent`` (for the commands that only read the log). ``offsets`` is given
    each event's line's offset in ``raw`` (nothing for an older format)."""
    log = _decode(raw, path, _log_event_validator(), offsets)
    if log is not None:
        return log
    data = _decode_document(raw, path, _json_object(raw.partition(b"\n")[0])).data
    events = [_as_log_event(e) for e in data.events]
    return Log(data.settings, dict(data.roadmaps), events, migrated=True)


def _decode(
    raw: bytes, path: Path, validate: Callable[[bytes], E], offsets: list[int] | None = None
) -> Log[E] | None:
    """A store of the current version as a ``Log``; None for a whole document."""
    head, _, rest = raw.partition(b"\n")
    header = _json_object(head)
    lines = header is not None and "events" not in header
    if lines and header is not None and header.get("schema_version") == SCHEMA_VERSION:
        return _decode_lines(head, rest, path, validate, offsets)
    return None


def _decode_lines(
    head: bytes,
    rest: bytes,
    path: Path,
    validate: Callable[[bytes], E],
    offsets: list[int] | None = None,
) -> Log[E]:
    from pydantic import ValidationError

    from mlroadmap.records import Header

    try:
        header = Header.model_validate_json(head)
    except ValidationError as exc:
        raise _invalid(path, [_line_problem(1, head, exc)], 1) from None
    # After the last newline: nothing, or a line never finished.
    torn = bool(rest) and not rest.endswith(b"\n")
    events: list[E] = []
    problems: list[str] = []
    bad = 0
    number = 1
    at = len(head) + 1  # where the line starts in the store
    for lines in line_slices(rest):
        for line in lines:
            number += 1
            try:
                events.append(validate(line))
            except ValidationError as exc:
                if line.strip():
                    bad += 1
                    if len(problems) < 5:
                        problems.append(_line_problem(number, line, _event_error(line, exc)))
            else:
                if offsets is not None:
                    offsets.append(at)
            at += len(line) + 1
    if bad:
        raise _invalid(path, problems, bad)
    return Log(header.settings, header.roadmaps, events, False, torn)


def _event_error(line: bytes, exc: ValidationError) -> ValidationError:
    """``Event``'s own account of why ``line`` is not an event (what every reader reports)."""
    from pydantic import ValidationError

    from mlroadmap.records import Event

    try:
        Event.model_validate_json(line)
    except ValidationError as error:
        return error
    return exc


def _invalid(path: Path, problems: list[str], bad: int) -> StoreError:
    more = bad - len(problems)
    detail = "; ".join(problems) + (f"; and {more} more" if more > 0 else "")
    return StoreError(f"{path}: the store is not valid: {detail}", hint=_recovery_hint(path))


def _line_problem(number: int, line: bytes, exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    if any(e["type"] in ("json_invalid", "model_type", "dict_type") for e in errors):
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            return f"line {number} is not valid JSON ({error.msg}; column {error.colno})"
        except ValueError:  # not UTF-8
            return f"line {number} is not valid UTF-8 text"
        if not isinstance(value, dict):
            return f"line {number} is not a JSON object"
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in errors[:3]]
    return f"line {number}: " + "; ".join(parts)


def _decode_document(raw: bytes, path: Path, header: dict[str, Any] | None) -> Decoded:
    """A store written as one JSON document (versions 0 and 1), or a newer one."""
    from pydantic import ValidationError

    from mlroadmap.records import StoreData

    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        version = header.get("schema_version") if header is not None else None
        if not (isinstance(version, int) and version > SCHEMA_VERSION):
            raise StoreError(
                f"{path}: the store is not valid JSON ({exc})", hint=_recovery_hint(path)
            ) from None
        document = header
    if not isinstance(document, dict):
        raise StoreError(f"{path}: the store must be a JSON object", hint=_recovery_hint(path))
    version = document.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise StoreError(
            f"{path}: the store has an unknown schema_version {version!r}",
            hint=_recovery_hint(path),
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: the store has schema_version {version}, newer than this "
            f"mlroadmap understands ({SCHEMA_VERSION})",
            hint="upgrade mlroadmap (pip install -U mlroadmap); the file is left untouched",
        )
    unknown = sorted(set(document) - KNOWN_KEYS[version])
    if unknown or (version == 0 and not isinstance(document.get("done"), list)):
        what = f"unknown keys {', '.join(map(repr, unknown[:5]))}" if unknown else "no 'done' list"
        raise StoreError(
            f"{path}: not an mlroadmap store of any known version ({what})",
            hint=_recovery_hint(path),
        )
    try:
        while version < SCHEMA_VERSION:
            document = MIGRATIONS[version](document)
            version += 1
        return Decoded(StoreData.model_validate(document), True, False)
    except ValidationError as exc:
        error = exc
    except (ValueError, TypeError, AttributeError) as exc:
        hint = _recovery_hint(path)
        raise StoreError(f"{path}: the store is not valid: {exc}", hint=hint) from None
    lines = [
        f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
        for e in error.errors(include_url=False)[:5]
    ]
    more = error.error_count() - len(lines)
    detail = "; ".join(lines) + (f"; and {more} more" if more > 0 else "")
    raise StoreError(f"{path}: the store is not valid: {detail}", hint=_recovery_hint(path))


def encode(data: StoreData) -> bytes:
    """The store as JSON Lines: settings on the first line, then one event a line."""
    head = data.model_dump_json(exclude_none=True, exclude={"events"})
    return (head + "\n").encode("utf-8") + encode_events(data.events)


def encode_events(events: Iterable[Event | PlainEvent]) -> bytes:
    return "".join(e.json_line() + "\n" for e in events).encode("utf-8")


class Salvaged(NamedTuple):
    """What can be read of a file that may be damaged: every intact line on its own."""

    data: StoreData | None  # None: nothing of a store could be read
    bad_lines: int  # lines that are neither the header nor an event
    lost_ids: frozenset[str]  # event IDs seen on those lines (to look for elsewhere)


class SalvagedLog(NamedTuple):
    """``Salvaged``, its events as ``LogEvent``s: for what only counts or compares them."""

    log: Log[LogEvent] | None
    bad_lines: int
    lost_ids: frozenset[str]


_ID_ON_LINE = re.compile(rb'"id"\s*:\s*"([^"\\]{8,64})"')


def salvage(raw: bytes) -> Salvaged:
    """Every intact event of ``raw`` (and its header if intact), line by line.

    A whole document of an older version is read as a whole.
    """
    log, bad, lost = _salvage(raw, decode_events, _event_validator())
    return Salvaged(_store_data(log) if log is not None else None, bad, lost)


def salvage_log(raw: bytes) -> SalvagedLog:
    """``salvage``, each event a ``LogEvent``: the same events, lines and IDs."""
    return SalvagedLog(*_salvage(raw, decode_log, _log_event_validator()))


def _salvage(
    raw: bytes, decode: Callable[[bytes, Path], Log[E]], validate: Callable[[bytes], E]
) -> tuple[Log[E] | None, int, frozenset[str]]:
    from pydantic import ValidationError

    from mlroadmap.records import Header

    try:
        return decode(raw, Path("store")), 0, frozenset()
    except StoreError:
        pass
    header: Header | None = None
    events: list[E] = []
    bad = 0
    lost: set[str] = set()
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            events.append(validate(line))
            continue
        except ValidationError:
            pass
        if header is None:
            try:
                header = Header.model_validate_json(line)
                continue
            except ValidationError:
                pass
        bad += 1
        lost.update(m.decode("utf-8", "replace") for m in _ID_ON_LINE.findall(line))
    if header is None and not events:
        return None, bad, frozenset(lost)
    if header is None:
        return Log(_default_settings(), {}, events), bad, frozenset(lost)
    return Log(header.settings, header.roadmaps, events), bad, frozenset(lost)


def _default_settings() -> Settings:
    from mlroadmap.records import Settings

    return Settings()


def out_of_range(events: Iterable[EventLike], today: date) -> list[str]:
    """Events whose time or day lies outside 1970-01-01 .. the day after ``today``."""
    from mlroadmap.records import FIRST_DAY, day_in_range, last_day

    first, last = FIRST_DAY, last_day(today)
    found = []
    for event in events:
        when, on = event.ts.date(), event.on
        if first <= when <= last and (on is None or first <= on <= last):
            continue  # the common case, in one test
        for name, day in (("time", when), ("day", on)):
            if day is not None and not day_in_range(day, today):
                found.append(
                    f"event {event.id} ({event.roadmap}/{event.item}): its {name} "
                    f"{day.isoformat()} is outside {FIRST_DAY.isoformat()}.."
                    f"{last.isoformat()}"
                )
    return found


# ---------------------------------------------------------------------------
# The cached summary


@dataclass(slots=True)
class Seen:
    """What the store knew of its files when it last read or wrote them (the cache).

    ``backup_within``: every event of the backup (as ``backup`` identifies it)
    is in the store; ``backup_prefix``: the backup is the store's first that
    many bytes. ``crc``: the CRC-32 of the store's bytes (None when not worked
    out), which knows them again in another file (``Store._same_bytes``).
    """

    summary: LogSummary
    store: FileKey | None
    count: int
    appendable: bool = True
    backup: FileKey | None = None
    backup_within: bool = False
    backup_prefix: int | None = None
    # The event lines the last write added, which its backup does not hold yet:
    # a second copy of them until the next write catches the backup up.
    tail: bytes = b""
    summarised: bool = True  # False: ``summary`` was left empty (never saved so)
    crc: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "crc": self.crc,
            "count": self.count,
            "appendable": self.appendable,
            "backup": self.backup,
            "backup_within": self.backup_within,
            "backup_prefix": self.backup_prefix,
            "tail": self.tail.decode("utf-8"),
            "summary": self.summary.to_json(),
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Seen:
        def key(value: Any) -> FileKey | None:
            if value is None:
                return None
            if not (isinstance(value, list) and len(value) == 5):
                raise ValueError("not a file key")
            if not all(isinstance(v, int) for v in value):
                raise ValueError("not a file key")
            return (value[0], value[1], value[2], value[3], value[4])

        seen = cls(
            summary=LogSummary.from_json(doc["summary"]),
            store=key(doc["store"]),
            count=doc["count"],
            appendable=doc["appendable"],
            backup=key(doc["backup"]),
            backup_within=doc["backup_within"],
            backup_prefix=doc["backup_prefix"],
            tail=doc["tail"].encode("utf-8"),
            crc=doc["crc"],
        )
        if not (
            isinstance(seen.count, int)
            and isinstance(seen.crc, int | None)
            and seen.count == seen.summary.count
            and isinstance(seen.appendable, bool)
            and isinstance(seen.backup_within, bool)
            and isinstance(seen.backup_prefix, int | None)
        ):
            raise ValueError("not a store summary")
        return seen


# ---------------------------------------------------------------------------
# What doctor finds and does


@dataclass(slots=True)
class Check:
    """The state of the store's files, as ``doctor`` reports it."""

    path: Path
    problem: str | None = None
    events: int = 0
    per_item: Counter[tuple[str, str]] = field(default_factory=Counter)  # events by item
    # The store's bytes were those of its last full validation (by their checksum),
    # so its lines were not validated again (``check(full=True)`` validates them).
    unchanged: bool = False
    torn: bool = False
    duplicates: int = 0
    backup: Path | None = None
    backup_events: int | None = None
    backup_bad_lines: int = 0
    missing: list[str] = field(default_factory=list)  # backup events the store lacks
    cache: str | None = None  # why the cached summary was rebuilt
    out_of_range: list[str] = field(default_factory=list)
    copies: list[Path] = field(default_factory=list)  # earlier set-aside copies
    symlink: Path | None = None  # the link the store was reached through


@dataclass(slots=True)
class Restored:
    """What ``doctor --restore`` put together, and where the old files were kept."""

    events: int
    sources: list[tuple[Path, int]]  # every file read, with its intact events
    set_aside: Path | None = None
    backup_set_aside: Path | None = None
    unreadable: int = 0  # damaged lines whose event is in no other copy


class Store:
    """The store file at ``path`` (``paths.store_file()`` by default).

    A symlinked store file is resolved once: the store, its backup, lock and
    temporary files all live beside the link's target.
    """

    def __init__(self, path: Path | None = None, *, lock_timeout: float | None = None) -> None:
        given = path if path is not None else paths.store_file()
        self.link: Path | None = None
        if os.path.islink(given):
            self.link = given
            given = Path(os.path.realpath(given))
        self.path = given
        if lock_timeout is None:
            lock_timeout = float(os.environ.get(ENV_LOCK_TIMEOUT, DEFAULT_LOCK_TIMEOUT))
        self.lock_timeout = lock_timeout
        self.cache_problem: str | None = None  # why the cache could not be used, if it existed

    @property
    def backup(self) -> Path:
        return backup_path(self.path)

    # -- reading ----------------------------------------------------------

    def read_bytes(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot read the store: {_describe(exc)}") from None

    def _stat(self) -> os.stat_result | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot read the store: {_describe(exc)}") from None
        if not stat.S_ISREG(st.st_mode):
            raise StoreError(
                f"{self.path}: the store is not a regular file",
                hint="move it away; mlroadmap keeps its store in a regular file",
            )
        return st

    def load(self) -> StoreData:
        """The store's data (an empty store when there is no file yet). Takes no lock.

        Refused (``StoreError``) when the store lacks events its backup or
        its last summary knew of.
        """
        return self._read()[1].data

    def summary(self) -> LogSummary:
        """What the everyday commands need from the log, from the cache when it is current."""
        return self._seen().summary

    # -- the log index ----------------------------------------------------

    def indexed(self) -> tuple[LogSummary, IndexedLog]:
        """The summary, and the log's events through its index (``logindex``),
        brought up to date first.

        The store is checked as ``load`` checks it: a store missing events is
        refused. The index is built only from lines validated whole, and grown
        only by appended lines, each validated; any other change builds it anew.
        """
        from mlroadmap.logindex import IndexedLog

        zone = local_zone()
        st = self._stat()
        cache = self._cached()
        raw: bytes | None = None
        if st is not None and cache is not None and cache.store != file_key(st):
            raw = self.read_bytes()  # the very bytes summarised, maybe, in another file
            if raw is None or not self._same_bytes(cache, st, raw):
                raw = None
        if st is not None and cache is not None and cache.store == file_key(st):
            key = file_key(st)
            index = self._load_index(zone)
            if index is not None and index.store_key == key:
                return cache.summary, IndexedLog(index, self.path, _log_event_validator)
            if raw is None:
                raw = self.read_bytes()
            if raw is not None and len(raw) == st.st_size:
                grown = self._grown(index, raw, key) if index is not None else None
                if grown is not None:
                    indexed = IndexedLog(grown, self.path, _log_event_validator, raw=raw)
                    return cache.summary, indexed
                offsets: list[int] = []
                log = decode_log(raw, self.path, offsets)
                return cache.summary, self._index_of(log, offsets, raw, key, zone)
        offsets = []
        seen, log, raw = self._read_as(lambda r, p: decode_log(r, p, offsets), st, cache)
        return seen.summary, self._index_of(log, offsets, raw, seen.store, zone)

    def _index_file(self) -> Path:
        from mlroadmap.logindex import INDEX_FORMAT

        return self._summary_cache().with_name(f"{self._cache_name()}-index-{INDEX_FORMAT}.bin")

    def _load_index(self, zone: str) -> LogIndex | None:
        from mlroadmap.logindex import LogIndex

        try:
            raw = self._index_file().read_bytes()
        except OSError:
            return None
        return LogIndex.from_bytes(raw, zone=zone)

    def _index_of(
        self,
        log: Log[LogEvent],
        offsets: list[int],
        raw: bytes,
        key: FileKey | None,
        zone: str,
    ) -> IndexedLog:
        """The index of a log just read whole (saved for the next command)."""
        from mlroadmap.logindex import IndexedLog, LogIndex

        validate = _log_event_validator
        if log.migrated:  # an older format has no lines: the index points into the list
            held = enumerate(log.events)
            index = LogIndex.build(held, zone=zone, store_key=None, covered=0, crc=0)
            return IndexedLog(index, self.path, validate, held=log.events)
        covered = raw.rfind(b"\n") + 1
        if key is not None and key[2] != len(raw):
            key = None  # the file changed after it was looked at: check its bytes next time
        crc = zlib.crc32(memoryview(raw)[:covered])
        located = zip(offsets, log.events, strict=True)
        index = LogIndex.build(located, zone=zone, store_key=key, covered=covered, crc=crc)
        if raw:
            fsio.write_cache(self._index_file(), index.to_bytes())
        return IndexedLog(index, self.path, validate, raw=raw)

    def _grown(self, index: LogIndex, raw: bytes, key: FileKey) -> LogIndex | None:
        """``index`` brought up to ``raw``, the store's bytes, when they are the bytes
        indexed and then appended lines (each validated); else None."""
        covered = index.covered
        view = memoryview(raw)
        if covered > len(raw) or zlib.crc32(view[:covered]) != index.crc:
            return None
        end = max(covered, raw.rfind(b"\n") + 1)
        located: list[tuple[int, LogEvent]] = []
        if end > covered:
            from pydantic import ValidationError

            validate = _log_event_validator()
            at = covered
            for line in raw[covered : end - 1].split(b"\n"):
                if line.strip():
                    try:
                        located.append((at, validate(line)))
                    except ValidationError:
                        return None  # read whole, which says what is wrong
                at += len(line) + 1
        before = index.store_key
        crc = zlib.crc32(view[covered:end], index.crc)
        if not index.extend(located, store_key=key, covered=end, crc=crc):
            return None
        if located or before != key:
            fsio.write_cache(self._index_file(), index.to_bytes())
        return index

    def _seen(self) -> Seen:
        """The summary and what is known of the files: from the cache when it is current."""
        st = self._stat()
        cache = self._cached()
        if (
            st is not None
            and cache is not None
            and (cache.store == file_key(st) or self._same_bytes(cache, st))
        ):
            return cache
        return self._read(st, cache)[0]

    def _read(
        self, st: os.stat_result | None = None, cache: Seen | None = None, *, force: bool = False
    ) -> tuple[Seen, Decoded]:
        """Read the whole store; save a fresh summary. Raises when events are missing.

        The checks against the backup and the last count are skipped when
        the cache says this very file was checked already (unless ``force``).
        """
        seen, log, _ = self._read_as(decode_events, st, cache, force=force)
        return seen, Decoded(_store_data(log), log.migrated, log.torn)

    def _read_as(
        self,
        decode: Callable[[bytes, Path], Log[E]],
        st: os.stat_result | None = None,
        cache: Seen | None = None,
        *,
        force: bool = False,
        summarise: bool = True,
    ) -> tuple[Seen, Log[E], bytes]:
        """``_read``, the events decoded by ``decode``; also the bytes that were read.

        Without ``summarise`` a store the cache does not vouch for is checked
        but not summarised (the summary is left empty, ``Seen.summarised`` false,
        and nothing is saved): for a caller that writes a new summary anyway.
        """
        if st is None or force:
            st = self._stat()
            cache = self._cached()
        if st is None:
            self._check_backup(None, list)
            return Seen(LogSummary(), None, 0, appendable=False), _empty_log(), b""
        raw = self.read_bytes()
        if raw is None:  # removed since the stat
            return Seen(LogSummary(), None, 0, appendable=False), _empty_log(), b""
        decoded = decode(raw, self.path)
        events = decoded.events
        verified = (
            not force
            and cache is not None
            and len(raw) == st.st_size
            and (cache.store == file_key(st) or self._same_bytes(cache, st, raw, save=summarise))
        )
        if not verified and cache is not None and cache.count > len(events):
            raise StoreError(
                f"{self.path}: the store holds {len(events)} events, but it held "
                f"{cache.count} when it was last written: {cache.count - len(events)} "
                "are missing (the file was cut or lines were removed)",
                hint=DOCTOR_HINT,
            )
        tail = cache.tail if cache is not None else b""
        if not verified and tail:
            have = {e.id for e in events}
            lost = [i for i in _tail_ids(tail) if i not in have]
            if lost:
                raise StoreError(
                    f"{self.path}: the store lacks {len(lost)} event(s) its last write "
                    f"added ({', '.join(lost[:3])}); the file was cut or lines were removed",
                    hint=DOCTOR_HINT,
                )
        if verified and cache is not None:
            return cache, decoded, raw  # this very file was checked and summarised already
        prefix: int | None = None
        backup_key: FileKey | None = None
        within = False
        found = self._check_backup(raw, lambda: events)
        if found is not None:
            backup_key, prefix = found
            within = True
        if summarise:
            summary = LogSummary.build(decoded.settings, decoded.roadmaps, events)
        else:
            summary = LogSummary()
        seen = Seen(
            summary,
            file_key(st),
            len(events),
            appendable=not decoded.migrated and raw.endswith(b"\n"),
            backup=backup_key,
            backup_within=within,
            backup_prefix=prefix,
            tail=tail,
            summarised=summarise,
            crc=zlib.crc32(raw) if len(raw) == st.st_size else None,
        )
        if len(raw) == st.st_size and summarise:
            self._save(seen)
        return seen, decoded, raw

    def _same_bytes(
        self, cache: Seen, st: os.stat_result, raw: bytes | None = None, *, save: bool = True
    ) -> bool:
        """Whether the store, a file other than the one ``cache`` describes, holds the
        very bytes it summarised (a copy put back, a rewrite by a tool that syncs
        files): their size and CRC-32 (``raw``, when read already). Then the cache
        is made this file's, and saved unless ``save`` is false (for a caller that
        writes a new summary anyway).

        The backup must be the one the cache knew, the start of those bytes, or
        none; any other is left to a whole read, which checks it.
        """
        if cache.crc is None or cache.store is None or not cache.summarised:
            return False
        if cache.store[2] != st.st_size:
            return False
        if raw is None:
            raw = self.read_bytes()
        if raw is None or len(raw) != st.st_size or zlib.crc32(raw) != cache.crc:
            return False
        now = self._stat()
        if now is None or file_key(now) != file_key(st):  # changed while it was read
            return False
        try:
            bst: os.stat_result | None = os.lstat(self.backup)
        except FileNotFoundError:
            bst = None
        except OSError:
            return False
        if bst is None:
            cache.backup, cache.backup_within, cache.backup_prefix = None, False, None
        elif file_key(bst) != cache.backup:
            backup = self._read_backup()
            if backup is None or not raw.startswith(backup[1]):
                return False
            cache.backup, cache.backup_within = file_key(backup[0]), True
            cache.backup_prefix = len(backup[1])
        cache.store = file_key(st)
        if save:
            self._save(cache)
        return True

    def _check_backup(
        self, raw: bytes | None, events: Callable[[], Sequence[EventLike]]
    ) -> tuple[FileKey, int | None] | None:
        """Raise unless the store holds every intact event of its backup.

        Returns the backup's key and, when the backup is the store's first
        bytes, their number (None when there is no backup).
        """
        read = self._read_backup()
        if read is None:
            return None
        st, braw = read
        if raw is not None and raw.startswith(braw):
            return file_key(st), len(braw)
        backup = salvage_log(braw).log
        if backup is None:
            return file_key(st), None  # nothing readable: nothing to lose
        have = {e.id for e in events()}
        missing = [e.id for e in backup.events if e.id not in have]
        if missing:
            what = "the store is missing" if raw is None else "the store lacks"
            raise StoreError(
                f"{self.path}: {what} {len(missing)} of the {len(backup.events)} events "
                f"its backup {self.backup} holds (for example {', '.join(missing[:3])})",
                hint=DOCTOR_HINT,
            )
        return file_key(st), None

    def _read_backup(self) -> tuple[os.stat_result, bytes] | None:
        """The backup's status and bytes (None when there is none)."""
        try:
            fd = os.open(self.backup, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"{self.backup}: cannot read the backup: {_describe(exc)}") from None
        with open(fd, "rb") as f:
            return os.fstat(f.fileno()), f.read()

    def _cache_name(self) -> str:
        return paths.digest(os.fsencode(os.path.abspath(self.path)))[:20]

    def _summary_cache(self) -> Path:
        return paths.cache_dir() / "stores" / f"{self._cache_name()}-{SUMMARY_FORMAT}.json"

    def _cached(self) -> Seen | None:
        """The cached summary when it is whole and of this store; else None (and why)."""
        try:
            raw = self._summary_cache().read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.cache_problem = f"the cached summary could not be read ({_describe(exc)})"
            return None
        view = memoryview(raw)
        if len(raw) < _CHECK_LEN or raw[:_CHECK_LEN] != _checksum(view[_CHECK_LEN:]):
            self.cache_problem = "the cached summary was damaged (its checksum did not match)"
            return None
        try:
            doc, end = json.JSONDecoder().raw_decode(raw.decode("utf-8"), _CHECK_LEN)
            if end != len(raw) or doc["path"] != os.path.abspath(self.path):
                raise ValueError("another store")
            if doc["zone"] != local_zone():
                self.cache_problem = "the cached summary was made in another time zone"
                return None
            return Seen.from_json(doc)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self.cache_problem = f"the cached summary was not usable ({exc})"
            return None

    def _save(self, seen: Seen) -> None:
        doc = {"path": os.path.abspath(self.path), "zone": local_zone(), **seen.to_json()}
        body = json.dumps(doc, separators=(",", ":")).encode("utf-8")
        fsio.write_cache(self._summary_cache(), (_checksum(body) + body).decode("utf-8"))

    # -- writing ----------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        from filelock import FileLock, Timeout

        self._ensure_dir()
        lock = FileLock(str(lock_path(self.path)), timeout=self.lock_timeout, mode=0o600)
        try:
            lock.acquire()
        except Timeout:
            raise LockTimeoutError(
                f"{self.path}: another mlroadmap has held the store's lock for "
                f"{self.lock_timeout:g} s",
                hint="wait for the other command to finish, then try again",
            ) from None
        except OSError as exc:
            raise StoreError(f"{lock_path(self.path)}: cannot lock: {_describe(exc)}") from None
        try:
            yield
        finally:
            lock.release()

    def update(self, change: Callable[[StoreData], StoreData]) -> StoreData:
        """Apply ``change`` to the current data under the lock and save the result.

        ``change`` returns the same object to mean "nothing to write". It may
        add events and change settings; it must keep every event.
        """
        with self.locked():
            return self._update(change)

    def _update(self, change: Callable[[StoreData], StoreData]) -> StoreData:
        """``update``'s read-modify-write; the caller holds the lock.

        A change that only adds events, every one after the last of the log
        (by ``Event.order``), is appended, as ``append`` does; any other is
        written whole.
        """
        seen, log, _ = self._read_as(decode_events, summarise=False)
        decoded = Decoded(_store_data(log), log.migrated, log.torn)
        data = decoded.data
        try:
            bst: os.stat_result | None = os.lstat(self.backup)
        except FileNotFoundError:
            bst = None
        if bst is not None and not (seen.backup == file_key(bst) and seen.backup_within):
            # The rewrite makes the old store the backup: the backup must lose nothing.
            self._check_backup(b"", lambda: data.events)
        if decoded.migrated:
            raw = self.read_bytes()
            if raw is not None:
                self._keep_pre_migration_copy(raw)
        new = change(data)
        if new is not data or decoded.migrated:
            had = {e.id for e in data.events}
            added = [e for e in new.events if e.id not in had]
            appendable = seen.appendable and seen.store is not None and not decoded.migrated
            if appendable and _only_appends(data, new, added):
                if not seen.summarised:
                    seen.summary = LogSummary.build(data.settings, data.roadmaps, data.events)
                self._append_events(seen, ordered(added))
            else:
                self.write(new, added=added)
        elif not seen.summarised:  # nothing to write: keep the summary of what was read
            seen.summary = LogSummary.build(data.settings, data.roadmaps, data.events)
            seen.summarised = True
            self._save(seen)
        return new

    def append(
        self, plan: Callable[[LogSummary], tuple[Sequence[Event | PlainEvent], dict[str, date]]]
    ) -> LogSummary:
        """Log the events ``plan`` returns, under the lock; ``plan`` sees the current summary.

        ``plan`` also returns roadmap start dates to set. Events alone are
        appended to the file; start dates, or a file in an older format,
        rewrite it whole.
        """
        with self.locked():
            seen = self._seen()
            summary = seen.summary
            events, started = plan(summary)
            if not events and not started:
                return summary
            if seen.appendable and seen.store is not None and not started:
                return self._append_events(seen, events)
            from mlroadmap.records import RoadmapSettings, as_event

            def add(data: StoreData) -> StoreData:
                roadmaps = {**data.roadmaps}
                for rid, day in started.items():
                    roadmaps[rid] = RoadmapSettings(started=day)
                events_now = [*data.events, *map(as_event, events)]
                return data.model_copy(update={"events": events_now, "roadmaps": roadmaps})

            self._update(add)  # a whole rewrite, which also saves the new summary
            return self._seen().summary

    def _append_events(
        self, seen: Seen, events: Sequence[EventLike], lines: bytes | None = None
    ) -> LogSummary:
        """Append ``events`` (in log order, each after every event of the store) to the
        store ``seen`` describes; the backup first becomes the store as it was.
        ``lines`` are the events as written, when they are at hand already."""
        if seen.store is None or not seen.summarised:
            raise ValueError("appending needs the summary of a store that exists")
        summary = seen.summary
        size = seen.store[2]
        backup_key = self._catch_up_backup(seen, size)
        if lines is None:  # events made here, not read: they write their own lines
            lines = encode_events(cast("Sequence[Event | PlainEvent]", events))
        try:
            fsio.append_lines(self.path, lines)
        except OSError as exc:
            raise _write_error(self.path, "append to the store", exc) from None
        for event in events:
            summary.add(event)
        st = self._stat()
        if st is not None:
            crc = None
            if seen.crc is not None and st.st_size == size + len(lines):
                crc = zlib.crc32(lines, seen.crc)
            self._save(Seen(summary, file_key(st), seen.count + len(events), True,
                            backup_key, True, size, _tail(lines), crc=crc))  # fmt: skip
            self._index_appended(seen.store, file_key(st), events, lines)
        return summary

    def _index_appended(
        self, before: FileKey, after: FileKey, events: Sequence[EventLike], lines: bytes
    ) -> None:
        """Grow the log's index by the events just appended, when it described the
        store exactly as it was (else the next reader brings it up to date)."""
        index = self._load_index(local_zone())
        size = before[2]
        if index is None or index.store_key != before or index.covered != size:
            return
        located = []
        at = size
        for event, line in zip(events, lines.split(b"\n"), strict=False):
            located.append((at, event))
            at += len(line) + 1
        crc = zlib.crc32(lines, index.crc)
        if at == size + len(lines) and index.extend(located, store_key=after, covered=at, crc=crc):
            fsio.write_cache(self._index_file(), index.to_bytes())

    def _catch_up_backup(self, seen: Seen, size: int) -> FileKey:
        """Make the backup a copy of the store's first ``size`` bytes (the store as it is).

        The backup is trusted as the cache knew it; any other backup is read
        whole: it is caught up when it is the start of the store, replaced
        when the store holds every one of its events, and otherwise left as
        it is and the append refused.
        """
        backup = self.backup
        try:
            try:
                bst: os.stat_result | None = os.lstat(backup)
            except FileNotFoundError:
                bst = None
            if bst is not None and seen.backup == file_key(bst) and seen.backup_within:
                prefix = seen.backup_prefix
                if prefix is not None and prefix <= size:
                    with open(self.path, "rb") as current:
                        current.seek(prefix)
                        fsio.append_lines(backup, current.read(size - prefix))
                else:
                    self._copy_to_backup(size)
            else:
                with open(self.path, "rb") as current:
                    raw = current.read(size)
                found = None
                if bst is not None:
                    found = self._check_backup(raw, lambda: decode_log(raw, self.path).events)
                if found is not None and found[1] is not None:
                    fsio.append_lines(backup, raw[found[1] :])
                else:
                    fsio.atomic_write(backup, raw)
            return file_key(os.lstat(backup))
        except fsio.WriteError as exc:
            raise _write_error(self.path, "keep a backup", exc.cause) from None
        except OSError as exc:
            raise _write_error(self.path, "keep a backup", exc) from None

    def _copy_to_backup(self, size: int) -> None:
        with open(self.path, "rb") as current:
            data = current.read(size)
        fsio.atomic_write(self.backup, data)

    def write(self, data: StoreData, *, added: Iterable[Event] = ()) -> LogSummary:
        """Atomically replace the store with ``data``; the old file becomes the backup.

        The caller holds the lock, and ``data`` holds every event of the store;
        ``added`` are the events the old file did not have.
        """
        self._ensure_dir()
        raw = encode(data)
        try:
            fsio.atomic_write(self.path, raw, backup=self.backup)
        except fsio.WriteError as exc:
            step = "replace the store" if exc.step == "replace the file" else exc.step
            raise _write_error(self.path, step, exc.cause) from None
        summary = LogSummary.of(data)
        self._saw_whole(summary, len(data.events), _tail_of(added), raw)
        return summary

    def _replace(
        self, raw: bytes, count: int, tail: bytes, summarise: Callable[[], LogSummary]
    ) -> LogSummary:
        """``write`` of a store already encoded (``raw``); its summary is made by
        ``summarise`` while the file is flushed to disk."""
        self._ensure_dir()
        made: list[LogSummary] = []
        try:
            fsio.atomic_write(
                self.path, raw, backup=self.backup, meanwhile=lambda: made.append(summarise())
            )
        except fsio.WriteError as exc:
            step = "replace the store" if exc.step == "replace the file" else exc.step
            raise _write_error(self.path, step, exc.cause) from None
        self._saw_whole(made[0], count, tail, raw)
        return made[0]

    def _saw_whole(
        self, summary: LogSummary, count: int, tail: bytes = b"", raw: bytes | None = None
    ) -> None:
        """Save the summary of a store just written whole, as ``raw`` when they are at
        hand (its backup: the version before)."""
        st = self._stat()
        if st is None:
            return
        try:
            bkey: FileKey | None = file_key(os.lstat(self.backup))
        except OSError:
            bkey = None
        crc = zlib.crc32(raw) if raw is not None and len(raw) == st.st_size else None
        self._save(
            Seen(summary, file_key(st), count, True, bkey, bkey is not None, None, tail, crc=crc)
        )

    def remove_leftovers(self) -> list[Path]:
        """Delete the temporary files of writers that were killed; return their paths.

        Under the lock no writer is running, so every temporary file of the
        store or its backup is a leftover.
        """
        if not self.path.parent.is_dir():
            return []
        with self.locked():
            return self._remove_leftovers()

    def _remove_leftovers(self) -> list[Path]:
        names = (self.path.name, self.backup.name)
        return fsio.remove_leftovers(self.path.parent, names)

    def _ensure_dir(self) -> None:
        try:
            fsio.make_dir(self.path.parent, private=True)
        except OSError as exc:
            raise StoreError(
                f"{self.path.parent}: cannot create the data directory: {_describe(exc)}"
            ) from None

    def _keep_pre_migration_copy(self, raw: bytes) -> None:
        version = json.loads(raw).get("schema_version", 0)
        copy = self.path.with_name(f"{self.path.name}.v{version}.bak")
        if not copy.exists():
            try:
                fsio.atomic_write(copy, raw)
            except fsio.WriteError as exc:
                raise _write_error(copy, exc.step, exc.cause) from None

    # -- doctor -----------------------------------------------------------

    def copies(self) -> list[Path]:
        """Earlier copies of the store kept beside it (set aside, restored, pre-migration)."""
        try:
            names = sorted(os.listdir(self.path.parent))
        except OSError:
            return []
        prefixes = tuple(f"{self.path.name}.{label}-" for label in SET_ASIDE_LABELS)
        migrated = re.compile(re.escape(self.path.name) + r"\.v\d+\.bak$")
        return [self.path.parent / n for n in names if n.startswith(prefixes) or migrated.match(n)]

    def check(self, *, today: date, full: bool = False) -> Check:
        """Everything ``doctor`` reports of the store's files; rebuilds a bad cache.

        A store whose bytes are those the log index was last built or grown
        from (their CRC-32 says so), with a current summary and a backup that
        is its first bytes, is not validated again unless ``full``; every other
        store is read and validated whole, and its summary compared with the
        cache's.
        """
        report = Check(path=self.path, symlink=self.link, copies=self.copies())
        braw: bytes | None = None
        if self.backup.exists():
            report.backup = self.backup
            try:
                braw = self.backup.read_bytes()
            except OSError:
                braw = b""
        cached = self._cached()
        problem_before = self.cache_problem
        if not full and problem_before is None and self._unchanged(report, cached, braw, today):
            return report
        offsets: list[int] = []
        try:
            seen, log, raw = self._read_as(lambda r, p: decode_log(r, p, offsets), force=True)
        except StoreError as exc:
            report.problem = exc.message
            if braw is not None:
                self._count_backup(report, braw, None)
            salvaged = salvage_log(self.read_bytes() or b"").log
            report.events = len(salvaged.events) if salvaged is not None else 0
            report.missing = self._missing_from_backup(salvaged)
            if salvaged is not None:
                report.per_item = Counter((e.roadmap, e.item) for e in salvaged.events)
                report.out_of_range = out_of_range(salvaged.events, today)
            return report
        if braw is not None:
            self._count_backup(report, braw, None if log.migrated else raw)
            braw = None  # let go before the index is built
        report.per_item = Counter((e.roadmap, e.item) for e in log.events)
        report.events = len(log.events)
        report.torn = log.torn
        report.duplicates = len(log.events) - len({e.id for e in log.events})
        report.out_of_range = out_of_range(log.events, today)
        if problem_before is not None:
            report.cache = problem_before
        elif (
            cached is not None
            and cached.store == seen.store
            and cached.summary.to_json() != seen.summary.to_json()
        ):
            report.cache = "the cached summary did not match the log"
        cached = None
        self._index_of(log, offsets, raw, seen.store, local_zone())  # for the next check
        return report

    def _unchanged(
        self, report: Check, cached: Seen | None, braw: bytes | None, today: date
    ) -> bool:
        """``check``'s report of a store unchanged since its lines were validated
        (True), when it is one: else False, and nothing reported."""
        from mlroadmap.records import FIRST_DAY, last_day

        try:
            st = self._stat()
        except StoreError:
            return False
        if st is None or cached is None or cached.store != file_key(st):
            return False
        index = self._load_index(local_zone())
        raw = self.read_bytes() if index is not None else None
        if index is None or raw is None or len(raw) != st.st_size:
            return False
        if braw is not None and not raw.startswith(braw):
            return False  # the backup's events are looked up one by one, in a full read
        grown = self._grown(index, raw, file_key(st))
        if grown is None or not grown.within(FIRST_DAY, last_day(today)):
            return False
        report.unchanged = True
        report.events = len(grown)
        report.per_item = grown.per_item()
        report.torn = len(raw) > grown.covered
        report.duplicates = grown.duplicates
        if braw is not None:
            self._count_backup(report, braw, raw)
        return True

    @staticmethod
    def _count_backup(report: Check, braw: bytes, raw: bytes | None) -> None:
        """The backup's intact events and damaged lines: counted from its lines when
        it is the first bytes of ``raw`` (a store of lines that read whole), else
        salvaged line by line."""
        count = _prefix_events(braw, raw) if raw is not None else None
        if count is not None:
            report.backup_events, report.backup_bad_lines = count, 0
            return
        salvaged = salvage_log(braw)
        if salvaged.log is not None:
            report.backup_events = len(salvaged.log.events)
        report.backup_bad_lines = salvaged.bad_lines

    def _missing_from_backup(self, data: Log[LogEvent] | None) -> list[str]:
        """IDs of events the backup or the last write's second copy hold and ``data`` lacks."""
        try:
            braw = self.backup.read_bytes()
        except OSError:
            braw = b""
        backup = salvage_log(braw).log
        known = [e.id for e in backup.events] if backup is not None else []
        cache = self._cached()
        if cache is not None:
            known += _tail_ids(cache.tail)
        have = {e.id for e in data.events} if data is not None else set()
        return list(dict.fromkeys(i for i in known if i not in have))

    def restore(self) -> Restored:
        """Salvage every intact event of the store, its backup and earlier copies.

        The union is written durably to a new file first; then the store is
        kept under a unique name (a hard link, so it never goes missing) and
        the new file renamed over it; the backup becomes a copy of the result.
        A kill or a full disk at any step leaves a store that loads (the old
        one, or the restored one) and every file that was read.
        """
        with self.locked():
            sources: list[tuple[Path, int]] = []
            found: list[StoreData] = []
            bad = 0
            lost: set[str] = set()
            store_healthy = True
            for path in (self.path, self.backup, *reversed(self.copies())):
                try:
                    raw = path.read_bytes()
                except OSError:
                    continue
                salvaged = salvage(raw)
                if path == self.path:
                    try:
                        self._read(force=True)
                    except StoreError:
                        store_healthy = False
                bad += salvaged.bad_lines
                lost |= salvaged.lost_ids
                if salvaged.data is not None:
                    sources.append((path, len(salvaged.data.events)))
                    found.append(salvaged.data)
            others = [p for p, n in sources if p != self.path and n]
            cache = self._cached()
            if cache is not None and cache.tail:
                from mlroadmap.records import StoreData

                tail = _tail_events(cache.tail)
                sources.append((self._summary_cache(), len(tail)))
                found.append(StoreData.model_construct(events=tail))
            if store_healthy and not others:
                raise StoreError(
                    f"{self.backup}: there is no readable backup to restore",
                    hint="the store itself reads without a problem; nothing was changed",
                )
            merged = _union(found)
            have = {e.id for e in merged.events}
            data = encode(merged)
            self._ensure_dir()
            restored = fsio.unique_name(self.path, "restored")
            set_aside = backup_aside = None
            try:
                fsio.write_new(restored, data)
                if self.path.exists():
                    set_aside = fsio.keep_copy(self.path, "replaced")
                if self.backup.exists() and salvage(self.backup.read_bytes()).bad_lines:
                    backup_aside = fsio.keep_copy(self.backup, "replaced")
                fsio.replace(restored, self.path)
            except OSError as exc:
                raise _write_error(self.path, "restore the store", exc) from None
            with contextlib.suppress(OSError):
                # The store is restored; a backup that could not be replaced holds
                # nothing the store lacks, and the next write catches it up.
                fsio.atomic_write(self.backup, data)
            self._saw_whole(LogSummary.of(merged), len(merged.events), raw=data)
            return Restored(
                events=len(merged.events),
                sources=sources,
                set_aside=set_aside,
                backup_set_aside=backup_aside,
                unreadable=len(lost - have),
            )

    # -- merge ------------------------------------------------------------

    def merge(self, other: OtherCopy) -> Merged:
        """Unite ``other`` with the store under the lock, as ``merge_data`` unites two stores.

        The store is read and checked as ``update`` reads it, each event kept
        with its line as read: events are compared as values and written as the
        lines they were read from. The new events are appended when each comes
        after every event of the store and the settings stay as they are (as
        ``update`` appends); otherwise the store is written whole, in log order.
        """
        with self.locked():
            lines: list[bytes] = []
            seen, log, _ = self._read_as(
                lambda raw, path: _decode_keeping_lines(raw, path, lines), summarise=False
            )
            events = log.events
            ours = len(events)
            try:
                bst: os.stat_result | None = os.lstat(self.backup)
            except FileNotFoundError:
                bst = None
            if bst is not None and not (seen.backup == file_key(bst) and seen.backup_within):
                # A rewrite makes the old store the backup: the backup must lose nothing.
                self._check_backup(b"", lambda: events)
            if log.migrated:
                raw = self.read_bytes()
                if raw is not None:
                    self._keep_pre_migration_copy(raw)
            union = _unite(events, lines, other)
            settings, roadmaps = _merged_header(
                log.settings, log.roadmaps, other.settings, other.roadmaps
            )
            chosen, fresh, total = union.chosen, union.fresh, len(union.chosen)
            intact = total - len(fresh) == ours  # every event of the store is kept
            same = settings == log.settings and roadmaps == log.roadmaps and not log.migrated
            if intact and not fresh and same and _in_order(events):
                if not seen.summarised:  # nothing to write: keep the summary of what was read
                    seen.summary = LogSummary.build(log.settings, log.roadmaps, events)
                    seen.summarised = True
                    self._save(seen)
                return Merged(0, total, seen.summary)
            appendable = seen.appendable and seen.store is not None and same and intact
            if appendable and fresh and _all_before(events[:ours], [events[k] for k in fresh]):
                fresh = sorted(fresh, key=lambda k: events[k].order)
                if not seen.summarised:  # read whole, not summarised yet
                    seen.summary = LogSummary.build(log.settings, log.roadmaps, events[:ours])
                    seen.summarised = True
                added = [events[k] for k in fresh]
                appended = b"".join(lines[k] + b"\n" for k in fresh)
                summary = self._append_events(seen, added, appended)
                return Merged(len(fresh), total, summary)
            from itertools import compress
            from operator import attrgetter

            order, seconds = _log_order(events, chosen)
            head = _header_line(settings, roadmaps)
            body = b"\n".join([head, *map(lines.__getitem__, order), b""])

            def summarise() -> LogSummary:
                if seen.summarised and intact:  # the store's summary, and events among its own
                    added = [events[k] for k in order if k >= ours]
                    mine = events[:ours]
                    replacing = compress(mine, map(attrgetter("replaces"), mine))
                    deletes = any(not e.note for e in replacing)
                    summary = seen.summary
                    if summary.insert(settings, roadmaps, added, log_deletes_notes=deletes):
                        return summary
                merged = [events[k] for k in order]
                days = _days(events, order, seconds)
                return LogSummary.build(settings, roadmaps, merged, in_order=True, days=days)

            new = union.new_ids
            tail = _tail(
                b"".join(lines[k] + b"\n" for k in order if k >= ours and events[k].id in new)
            )
            summary = self._replace(body, total, tail, summarise)
            return Merged(total - ours, total, summary)

    def refuses_output(self, target: Path) -> bool:
        """Whether ``target`` is one of the store's own files (the store, backup, lock,
        cache, a kept copy), which an export must never overwrite."""
        own = [self.path, self.backup, lock_path(self.path), self._summary_cache(),
               self._index_file()]  # fmt: skip
        if self.link is not None:
            own.append(self.link)
        real = os.path.realpath(target)
        if any(real == os.path.realpath(p) for p in own):
            return True
        home = Path(os.path.realpath(self.path.parent))
        if Path(real).parent == home and Path(real).name.startswith(self.path.name + "."):
            return True
        try:
            tst = os.stat(target)
        except OSError:
            return False
        for p in own:
            with contextlib.suppress(OSError):
                if os.path.samestat(tst, os.stat(p)):
                    return True
        return False


_CHECK_LEN = len("crc32:12345678\n")


def _checksum(body: bytes | memoryview) -> bytes:
    """The cache's first line: a CRC-32 of the rest, which any accidental damage changes."""
    import zlib

    return b"crc32:%08x\n" % zlib.crc32(body)


MAX_TAIL_BYTES = 4 * 1024 * 1024  # a larger write (a big merge) keeps no second copy


_BLANK_LINE = re.compile(rb"\n[ \t\r\x0b\x0c]*(?=\n)")


def _prefix_events(braw: bytes, raw: bytes) -> int | None:
    """The events of a backup that is the first bytes of ``raw``, a store of lines
    that read whole: its lines after the header that are ended and not blank
    (each is one of the store's valid lines). None when it is not such a prefix."""
    head_end = raw.find(b"\n")
    if head_end < 0 or len(braw) <= head_end or not raw.startswith(braw):
        return None
    lines = braw.count(b"\n", head_end + 1)
    starts = braw.count(b"\n{", head_end)  # lines that start as an event does
    last = braw.rfind(b"\n")
    if braw[last + 1 : last + 2] == b"{":
        starts -= 1  # the unfinished last line
    if starts == lines:
        return lines
    return lines - len(_BLANK_LINE.findall(braw, head_end))  # blank lines are no events


def _tail(lines: bytes) -> bytes:
    return lines if len(lines) <= MAX_TAIL_BYTES else b""


def _tail_of(events: Iterable[Event]) -> bytes:
    """``events`` as lines for the cache's second copy; nothing when they are too many."""
    lines: list[bytes] = []
    size = 0
    for event in events:
        line = event.model_dump_json(exclude_none=True).encode("utf-8") + b"\n"
        size += len(line)
        if size > MAX_TAIL_BYTES:
            return b""
        lines.append(line)
    return b"".join(lines)


def _write_error(path: Path, step: str, exc: OSError) -> StoreError:
    reason = _describe(exc)
    if exc.errno == errno.ENOSPC:
        reason += " (free some disk space and try again)"
    return StoreError(f"{path}: could not {step}: {reason}; the store was left as it was")


def _tail_events(tail: bytes) -> list[Event]:
    salvaged = salvage(tail)
    return salvaged.data.events if salvaged.data is not None else []


def _tail_ids(tail: bytes) -> list[str]:
    """The IDs of the events in the cache's second copy of the last write."""
    log = salvage_log(tail).log
    return [e.id for e in log.events] if log is not None else []


def _only_appends(data: StoreData, new: StoreData, added: list[Event]) -> bool:
    """Whether ``new`` is ``data`` (the same header, every event kept as it was)
    with ``added`` after the last event of ``data``: what appending ``added`` gives."""
    if not added or new.settings != data.settings or new.roadmaps != data.roadmaps:
        return False
    if len(new.events) != len(data.events) + len(added):
        return False
    first = min(e.order for e in added)
    if any(e.order >= first for e in data.events):  # stops at the first later event
        return False
    kept = {id(e) for e in data.events}
    return sum(1 for e in new.events if id(e) in kept) == len(data.events)


def _union(stores: list[StoreData]) -> StoreData:
    from mlroadmap.records import StoreData

    merged = StoreData()
    for data in stores:
        merged = merge_data(merged, data)
    return merged


# ---------------------------------------------------------------------------
# Merging two copies of a store


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def merge_settings(a: Settings, b: Settings) -> Settings:
    """Each setting from the copy where it was changed last (``Settings.changed``).

    A setting never changed on either side keeps a value that differs from
    the default over the default (someone chose it); the same result in
    either order.
    """
    from mlroadmap.records import Settings

    default = Settings()
    values: dict[str, Any] = {}
    changed: dict[str, Any] = {}
    for name in ("active", "shared_credit"):

        def rank(s: Settings, name: str = name) -> tuple[Any, ...]:
            stamp = (s.changed or {}).get(name)  # type: ignore[call-overload]
            value = getattr(s, name)
            return (
                stamp[0] if stamp else -1,
                stamp[1] if stamp else _EPOCH,
                value != getattr(default, name),
                json.dumps(value),
            )

        winner = max((a, b), key=rank)
        values[name] = getattr(winner, name)
        stamp = (winner.changed or {}).get(name)
        if stamp is not None:
            changed[name] = stamp
    return Settings(**values, changed=changed or None)


def _later(kept: EventLike, event: EventLike, kept_json: str, event_json: str) -> bool:
    """Of two versions of one event (only a hand edit makes them), whether ``event`` wins."""
    return (event.order, event_json) > (kept.order, kept_json)


def _wins(kept: EventLike, event: EventLike) -> bool:
    """``_later`` of two versions of one event, each written out as its model's JSON."""
    kept_json, event_json = _as_event(kept).model_dump_json(), _as_event(event).model_dump_json()
    return _later(kept, event, kept_json, event_json)


def _fold(by_id: dict[str, Event], event: Event) -> None:
    """Add ``event`` to ``by_id``; of two versions of one ID keep the later."""
    kept = by_id.get(event.id)
    if kept is None or (
        kept != event and _later(kept, event, kept.model_dump_json(), event.model_dump_json())
    ):
        by_id[event.id] = event


def _merged_header(
    a: Settings, a_roadmaps: dict[str, RoadmapSettings],
    b: Settings, b_roadmaps: dict[str, RoadmapSettings],
) -> tuple[Settings, dict[str, RoadmapSettings]]:  # fmt: skip
    """The settings and start dates of the union of two stores."""
    from mlroadmap.records import RoadmapSettings

    roadmaps: dict[str, RoadmapSettings] = {}
    for rid in sorted({*a_roadmaps, *b_roadmaps}):
        days = [s.started for s in (a_roadmaps.get(rid), b_roadmaps.get(rid)) if s and s.started]
        roadmaps[rid] = RoadmapSettings(started=min(days) if days else None)
    return merge_settings(a, b), roadmaps


def merge_data(a: StoreData, b: StoreData) -> StoreData:
    """The union of two stores' logs; the same result whichever comes first.

    Events are united by ID (an event recorded on both sides is kept once)
    and kept in log order (``Event.order``). Start dates keep the earlier day.
    Each setting comes from the side where it was changed last.
    """
    from mlroadmap.records import StoreData

    by_id: dict[str, Event] = {}
    for event in (*a.events, *b.events):
        _fold(by_id, event)
    settings, roadmaps = _merged_header(a.settings, a.roadmaps, b.settings, b.roadmaps)
    # Both logs are in order already: the sort merges two runs in one pass.
    events = sorted(by_id.values(), key=lambda e: e.order)
    return StoreData(settings=settings, roadmaps=roadmaps, events=events)


class OtherCopy(NamedTuple):
    """Another copy of a store, as ``read_other`` read it, for ``Store.merge``.

    Its header is validated; its event lines are not yet: ``Store.merge``
    validates each one that is not, byte for byte, a line of the store (a line
    of the store was validated as the store was read). A copy of an older
    version is validated whole (``events``).
    """

    path: Path
    today: date  # events with a time or day after the day after this are refused
    settings: Settings
    roadmaps: dict[str, RoadmapSettings]
    lines: list[bytes]  # the finished lines after the header, of the current version
    events: list[LogEvent]  # the events of a copy of an older version


class Merged(NamedTuple):
    """What ``Store.merge`` did: events new to the store, events now, the summary."""

    added: int
    total: int
    summary: LogSummary


EVENT_FIELDS = ("id", "seq", "ts", "roadmap", "item", "action", "on", "note", "undated",
                "reverts", "replaces")  # fmt: skip


@cache
def _fields() -> Callable[[Any], tuple[Any, ...]]:
    from operator import attrgetter

    return attrgetter(*EVENT_FIELDS)


def _as_event(event: EventLike) -> Event:
    """The model of a validated event (for a store that is written)."""
    from mlroadmap.records import Event

    values = zip(EVENT_FIELDS, _fields()(event), strict=True)
    return Event.model_validate({name: value for name, value in values if value is not None})


def _line_of(event: EventLike) -> bytes:
    """``event`` as a line of the store, without its newline."""
    return _as_event(event).model_dump_json(exclude_none=True).encode("utf-8")


def _decode_keeping_lines(raw: bytes, path: Path, lines: list[bytes]) -> Log[LogEvent]:
    """``decode_log``, each event's line as it was read put in ``lines`` (in the same
    order as the events); a store of an older version gets each event's line as a
    store of this version holds it.

    Every line is validated as ``decode_log`` validates it, all in one call; a
    store with a blank line or a line that is not an event is read again line
    by line by ``decode_log``'s own reader, which leaves out the blank lines
    and says what is wrong with the others.
    """
    from pydantic import ValidationError

    from mlroadmap.records import Header

    head = raw[: raw.find(b"\n")] if b"\n" in raw else raw
    header = _json_object(head)
    if header is None or "events" in header or header.get("schema_version") != SCHEMA_VERSION:
        log = decode_log(raw, path)
        lines[:] = [_line_of(e) for e in log.events]
        return log
    parts = raw.split(b"\n")  # the header, each line, and what follows the last newline
    body = parts[1:-1]
    torn = len(parts) > 1 and parts[-1] != b""  # an unfinished last line: not read
    try:
        first = Header.model_validate_json(head)
        events = list(map(_line_validator(), body))
    except ValidationError:
        rest = raw[len(head) + 1 :]
        log = _decode_lines(head, rest, path, _line_validator())  # raises, or skips blanks
        lines[:] = [line for line in body if line.strip()]
        return log
    lines[:] = body
    return Log(first.settings, first.roadmaps, events, False, torn)


class _Union(NamedTuple):
    """Two logs united by ID: ``events`` and ``lines`` hold the store's events first,
    then each version of the other's that the union may keep; ``chosen`` indexes the
    one version of each ID kept (unordered)."""

    events: list[LogEvent]
    lines: list[bytes]
    chosen: list[int]
    fresh: list[int]  # those of ``chosen`` that are the other's (in the order read)
    new_ids: set[str]  # the IDs the store did not hold


def _unite(events: list[LogEvent], lines: list[bytes], other: OtherCopy) -> _Union:
    """The store's ``events`` (and their ``lines``) united with the other copy's, as
    ``merge_data`` unites them. Extends both lists.

    Every line of the other copy is validated, as the store reads its own, and
    its times and days checked (``out_of_range``); a line that is byte for byte
    one of the store's is the store's event, validated already. Raises
    ``UserError`` for a line that is not an event or a date out of range.
    """
    from itertools import compress
    from operator import attrgetter, not_

    from pydantic import ValidationError

    fields = _fields()
    ours = len(events)
    by_id = dict(zip(map(attrgetter("id"), events), range(ours), strict=True))
    if len(by_id) != ours:  # two versions of one ID (a hand edit): keep the later
        by_id = {}
        for i, mine in enumerate(events):
            j = by_id.get(mine.id)
            if j is None or (fields(events[j]) != fields(mine) and _wins(events[j], mine)):
                by_id[mine.id] = i
    known = dict(zip(lines, events, strict=True))
    new_ids: set[str] = set()

    def add(event: LogEvent, line: bytes) -> None:
        j = by_id.get(event.id)
        if j is None:
            new_ids.add(event.id)
        elif fields(events[j]) == fields(event) or not _wins(events[j], event):
            return
        by_id[event.id] = len(events)
        events.append(event)
        lines.append(line)

    for older in other.events:
        add(older, _line_of(older))
    validate = _line_validator()
    impossible: list[str] = []
    problems: list[str] = []
    bad = 0
    found: list[LogEvent | None] = list(map(known.get, other.lines))
    for i in list(compress(range(len(found)), map(not_, found))):  # lines not the store's
        line = other.lines[i]
        try:
            found[i] = event = validate(line)
        except ValidationError as exc:
            if line.strip():
                bad += 1
                if len(problems) < 5:  # the header is line 1
                    problems.append(_line_problem(i + 2, line, _event_error(line, exc)))
            continue
        add(event, line)
    read: list[LogEvent] = list(filter(None, found))
    if not _within(read, other.today):
        impossible += out_of_range(read, other.today)
    if bad:
        raise _not_mergeable(_invalid(other.path, problems, bad))
    if impossible:
        raise _impossible_dates(other.path, impossible)
    fresh = [k for k in range(ours, len(events)) if by_id[events[k].id] == k]
    return _Union(events, lines, list(by_id.values()), fresh, new_ids)


def _within(events: list[LogEvent], today: date) -> bool:
    """Whether no event has a time or day ``out_of_range`` reports (a quick test of
    the earliest and latest, which says yes for almost every log)."""
    from operator import attrgetter

    from mlroadmap.records import FIRST_DAY, last_day

    if not events:
        return True
    days = list(map(datetime.date, map(attrgetter("ts"), events)))
    days += filter(None, map(attrgetter("on"), events))
    return min(days) >= FIRST_DAY and max(days) <= last_day(today)


@cache
def _line_validator() -> Callable[[bytes], LogEvent]:
    """``LogEvent``'s validator of one JSON line, called without the adapter's wrapper."""
    from pydantic import TypeAdapter

    from mlroadmap.records import LogEvent

    validate: Callable[[bytes], LogEvent] = TypeAdapter(LogEvent).validator.validate_json
    return validate


def _all_before(events: list[LogEvent], later: list[LogEvent]) -> bool:
    """Whether every one of ``events`` comes before every one of ``later`` (not empty)
    in log order."""
    from operator import attrgetter

    top = max(filter(None, map(attrgetter("seq"), events)), default=0)
    low = min(e.seq or 0 for e in later)
    if top != low:  # decided by the sequence numbers alone
        return top < low
    first = min(e.order for e in later)
    return not any(e.order >= first for e in reversed(events))


# A time from 1970 until this many seconds later, as a float of seconds, is within
# 2**-22 s of the time: rounded to the microsecond (as ``datetime.fromtimestamp``
# rounds it) it is the time again, and its local date the one ``astimezone`` gives.
_EXACT_SECONDS = 2**32


def _log_order(events: list[LogEvent], chosen: list[int]) -> tuple[list[int], list[float]]:
    """``chosen`` (indexes of ``events``) in log order (``Event.order``), and the time
    of each as a number of seconds (for ``_days``).

    Each time is read once as a number of seconds, which orders two times as
    the times themselves do or ties (then the times decide; comparing two
    parsed times calls each one's time zone object).
    """
    from operator import attrgetter, itemgetter

    picked = list(map(events.__getitem__, chosen))
    times = list(map(attrgetter("ts"), picked))
    seconds = list(map(datetime.timestamp, times))
    numbers = [seq or 0 for seq in map(attrgetter("seq"), picked)]
    ids = map(attrgetter("id"), picked)
    keyed = sorted(zip(numbers, seconds, times, ids, chosen, strict=True))
    return list(map(itemgetter(4), keyed)), list(map(itemgetter(1), keyed))


def _days(events: list[LogEvent], order: list[int], seconds: list[float]) -> list[date]:
    """The day of each of ``events`` at ``order`` (``Event.day``), from its time in
    ``seconds`` (as ``_log_order`` gives them): the local date of that many
    seconds, where they are exact."""
    from operator import attrgetter

    back_dated = next(filter(None, map(attrgetter("on"), map(events.__getitem__, order))), None)
    if seconds and back_dated is None and min(seconds) >= 0 and max(seconds) < _EXACT_SECONDS:
        return list(map(datetime.date, map(datetime.fromtimestamp, seconds)))
    days = []
    for k, at in zip(order, seconds, strict=True):
        if events[k].on is None and 0 <= at < _EXACT_SECONDS:
            days.append(datetime.fromtimestamp(at).date())
        else:
            days.append(events[k].day)
    return days


def _in_order(events: list[LogEvent]) -> bool:
    """Whether ``events`` are in log order (as a merge writes them)."""
    from itertools import pairwise

    return all(a.order < b.order for a, b in pairwise(events))


def _header_line(settings: Settings, roadmaps: dict[str, RoadmapSettings]) -> bytes:
    """The first line of a store with these settings, as ``encode`` writes it."""
    from mlroadmap.records import Header

    header = Header(schema_version=SCHEMA_VERSION, settings=settings, roadmaps=roadmaps)
    return header.model_dump_json(exclude_none=True).encode("utf-8")


def _not_mergeable(exc: StoreError) -> Exception:
    from mlroadmap.errors import UserError

    return UserError(f"{exc.message} (it is not a store this mlroadmap can merge)")


def _impossible_dates(path: Path, bad: list[str]) -> Exception:
    from mlroadmap.errors import UserError

    more = f"; and {len(bad) - 3} more" if len(bad) > 3 else ""
    return UserError(
        f"{path}: {len(bad)} event(s) have impossible dates, so nothing was merged: "
        + "; ".join(bad[:3])
        + more,
        hint="fix the other machine's clock and the events it wrote, then merge again",
    )


def read_other(path: Path, *, today: date) -> OtherCopy:
    """Another copy of a store, named by the user (errors are input errors, exit 2).

    It must be a regular file of at most ``MAX_OTHER_BYTES``, a store of a
    known version, with every time and day from 1970 to the day after
    ``today``. Its header is validated here; ``Store.merge`` validates each
    event line, as the store reads its own, and checks its dates.
    """
    try:
        return _other_copy(_read_capped(path), path, today)
    except StoreError as exc:
        raise _not_mergeable(exc) from None


def _read_capped(path: Path) -> bytes:
    """The bytes of ``path``: a regular file of at most ``MAX_OTHER_BYTES``."""
    from mlroadmap.errors import UserError

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {_describe(exc)}") from None
    with open(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise UserError(f"{path}: not a regular file (merge reads a copy of store.json)")
        if st.st_size > MAX_OTHER_BYTES:
            raise UserError(
                f"{path}: {st.st_size:,} bytes is more than a store merge reads "
                f"({MAX_OTHER_BYTES // (1024 * 1024)} MiB)"
            )
        raw = f.read(MAX_OTHER_BYTES + 1)
    if len(raw) > MAX_OTHER_BYTES:
        raise UserError(f"{path}: the file grew past {MAX_OTHER_BYTES // (1024 * 1024)} MiB")
    return raw


def _other_copy(raw: bytes, path: Path, today: date) -> OtherCopy:
    from pydantic import ValidationError

    from mlroadmap.records import Header

    head = raw[: raw.find(b"\n")] if b"\n" in raw else raw
    header = _json_object(head)
    if header is None or "events" in header or header.get("schema_version") != SCHEMA_VERSION:
        log = decode_log(raw, path)  # an older version: small, read whole
        bad = out_of_range(log.events, today)
        if bad:
            raise _impossible_dates(path, bad)
        return OtherCopy(path, today, log.settings, dict(log.roadmaps), [], log.events)
    try:
        first = Header.model_validate_json(head)
    except ValidationError as exc:
        raise _invalid(path, [_line_problem(1, head, exc)], 1) from None
    lines = raw.split(b"\n")[1:-1]  # what follows the last newline is no finished line
    return OtherCopy(path, today, first.settings, dict(first.roadmaps), lines, [])
