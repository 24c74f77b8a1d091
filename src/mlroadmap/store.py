"""The learner's store: an append-only log, read validated, written under a lock.

Format (``schema_version`` 2): JSON Lines. The first line is a JSON object
with ``schema_version``, ``settings`` and ``roadmaps``; every other line is
one event. Version 1 (one JSON document with an ``events`` list) and the
pre-release version 0 are read and rewritten as version 2 on the next write.

Guarantees:

- Every read-modify-write holds one exclusive lock (a separate lock file that
  is never deleted); the store is re-read after the lock is taken.
- New events are appended and fsynced; a failed append is cut off again, so
  the file is as it was. A line without its newline (a write that was
  killed) is ignored and cut off by the next writer.
- A change of settings rewrites the whole file: a temporary file in the same
  directory, flushed and fsynced, replaces the store with ``os.replace``; the
  directory is then fsynced. The previous version is kept as
  ``store.json.bak``.
- A store that cannot be read, fails validation or comes from a newer version
  of the tool is never overwritten.
- What the everyday commands need from the log (``progress.LogSummary``) is
  kept in the cache beside the file's identity (device, inode, size, times),
  so they do not re-read and re-validate every old event; any other change
  to the file makes the next command rebuild it.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from mlroadmap import fsio, paths
from mlroadmap.errors import LockTimeoutError, StoreError
from mlroadmap.progress import LogSummary
from mlroadmap.vocabulary import SCHEMA_VERSION

if TYPE_CHECKING:
    from mlroadmap.records import Event, StoreData

SUMMARY_FORMAT = 1

DEFAULT_LOCK_TIMEOUT = 15.0
ENV_LOCK_TIMEOUT = "MLROADMAP_LOCK_TIMEOUT"

# Each migration takes a document of version N (a dict) and returns version N + 1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


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
            "to put it back, or fix the file by hand"
        )
    return "fix the file by hand, or move it away to start a new store"


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _describe(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _header(raw: bytes) -> tuple[dict[str, Any] | None, bytes, bytes]:
    """The first line parsed (None when it is not a JSON object), the line, and the rest."""
    head, _, rest = raw.partition(b"\n")
    try:
        header = json.loads(head)
    except (ValueError, UnicodeDecodeError):
        return None, head, rest
    return (header if isinstance(header, dict) else None), head, rest


def _is_lines(header: dict[str, Any] | None) -> bool:
    return (
        header is not None
        and header.get("schema_version") == SCHEMA_VERSION
        and ("events" not in header)
    )


def decode(raw: bytes, path: Path) -> tuple[StoreData, bool]:
    """Parse and validate a store; the flag says whether it was migrated from an older format."""
    header, head, rest = _header(raw)
    if _is_lines(header):
        return _decode_lines(head, rest, path), False
    return _decode_document(raw, path)


def _decode_lines(head: bytes, rest: bytes, path: Path) -> StoreData:
    from mlroadmap.records import StoreData

    if rest and not rest.endswith(b"\n"):
        rest = rest[: rest.rfind(b"\n") + 1]  # a write that never finished: not part of the log
    lines = [line for line in rest.split(b"\n") if line.strip()]
    document = head.rstrip()[:-1] + b',"events":[' + b",".join(lines) + b"]}"
    try:
        return StoreData.model_validate_json(document)
    except ValidationError as exc:
        error = exc
    problems = []
    for e in error.errors(include_url=False)[:5]:
        loc = e["loc"]
        if e["type"] == "json_invalid":
            problems.append(_first_bad_line(head, lines))
            break
        if len(loc) >= 2 and loc[0] == "events" and isinstance(loc[1], int):
            where = f"line {loc[1] + 2}: " + ".".join(str(p) for p in loc[2:])
        else:
            where = "line 1: " + ".".join(str(p) for p in loc)
        problems.append(f"{where.rstrip(': ')}: {e['msg']}")
    more = error.error_count() - len(problems)
    detail = "; ".join(problems) + (f"; and {more} more" if more > 0 else "")
    raise StoreError(f"{path}: the store is not valid: {detail}", hint=_recovery_hint(path))


def _first_bad_line(head: bytes, lines: list[bytes]) -> str:
    for number, line in enumerate([head, *lines], start=1):
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            return f"line {number} is not valid JSON ({exc.msg} at column {exc.colno})"
        except ValueError:  # not UTF-8
            return f"line {number} is not valid UTF-8 text"
        if not isinstance(value, dict):
            return f"line {number} is not a JSON object"
    return "the store is not valid JSON"


def _decode_document(raw: bytes, path: Path) -> tuple[StoreData, bool]:
    """A store written as one JSON document (versions 0 and 1), or a newer one."""
    from mlroadmap.records import StoreData

    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        header = _header(raw)[0]
        version = header.get("schema_version") if header is not None else None
        if not (isinstance(version, int) and version > SCHEMA_VERSION):
            raise StoreError(
                f"{path}: the store is not valid JSON ({exc})", hint=_recovery_hint(path)
            ) from None
        document = header
    if not isinstance(document, dict):
        raise StoreError(f"{path}: the store must be a JSON object", hint=_recovery_hint(path))
    version = document.get("schema_version", 0)
    error: ValidationError | None = None
    if isinstance(version, int) and not isinstance(version, bool):
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{path}: the store has schema_version {version}, newer than this "
                f"mlroadmap understands ({SCHEMA_VERSION})",
                hint="upgrade mlroadmap (pip install -U mlroadmap); the file is left untouched",
            )
        if version in MIGRATIONS or version == SCHEMA_VERSION:
            try:
                while version < SCHEMA_VERSION:
                    document = MIGRATIONS[version](document)
                    version += 1
                return StoreData.model_validate(document), True
            except (ValidationError, ValueError, TypeError, AttributeError) as exc:
                if isinstance(exc, ValidationError):
                    error = exc
    if error is None:
        try:
            StoreData.model_validate({**document, "schema_version": SCHEMA_VERSION})
        except ValidationError as exc:
            error = exc
        else:
            error = None
    if error is None:
        raise StoreError(
            f"{path}: the store has an unknown schema_version {version!r}",
            hint=_recovery_hint(path),
        )
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
    if not data.events:
        return (head + "\n").encode("utf-8")
    events = data.model_dump_json(exclude_none=True, include={"events"})
    body = events[len('{"events":[') : -len("]}")].replace('},{"id":', '}\n{"id":')
    return (head + "\n" + body + "\n").encode("utf-8")


def encode_events(events: list[Event]) -> bytes:
    return "".join(e.model_dump_json(exclude_none=True) + "\n" for e in events).encode("utf-8")


FileKey = tuple[int, int, int, int, int]


def _key(st: os.stat_result) -> FileKey:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class Store:
    """The store file at ``path`` (``paths.store_file()`` by default)."""

    def __init__(self, path: Path | None = None, *, lock_timeout: float | None = None) -> None:
        self.path = path if path is not None else paths.store_file()
        if lock_timeout is None:
            lock_timeout = float(os.environ.get(ENV_LOCK_TIMEOUT, DEFAULT_LOCK_TIMEOUT))
        self.lock_timeout = lock_timeout

    # -- reading ----------------------------------------------------------

    def read_bytes(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot read the store: {_describe(exc)}") from None

    def load(self) -> StoreData:
        """The store's data (an empty store when there is no file yet). Takes no lock."""
        from mlroadmap.records import StoreData

        raw = self.read_bytes()
        if raw is None:
            return StoreData()
        return decode(raw, self.path)[0]

    def summary(self) -> LogSummary:
        """What the everyday commands need from the log, from the cache when it is current."""
        return self._summary()[0]

    def _stat(self) -> os.stat_result | None:
        try:
            return os.stat(self.path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot read the store: {_describe(exc)}") from None

    def _summary(self) -> tuple[LogSummary, bool]:
        """The summary, and whether the file can take appended lines."""
        st = self._stat()
        if st is None:
            return LogSummary(), False
        cached = self._cached_summary(_key(st))
        if cached is not None:
            return cached
        raw = self.read_bytes()
        if raw is None:
            return LogSummary(), False
        data, migrated = decode(raw, self.path)
        summary = LogSummary.of(data)
        appendable = not migrated and raw.endswith(b"\n")
        if len(raw) == st.st_size:
            self._save_summary(summary, _key(st), appendable=appendable)
        return summary, appendable

    def _summary_cache(self) -> Path:
        import hashlib

        name = hashlib.sha256(os.fsencode(os.path.abspath(self.path))).hexdigest()[:20]
        return paths.cache_dir() / "stores" / f"{name}-{SUMMARY_FORMAT}.json"

    def _cached_summary(self, key: FileKey) -> tuple[LogSummary, bool] | None:
        try:
            doc = json.loads(self._summary_cache().read_bytes())
            if doc.get("key") != list(key):
                return None
            return LogSummary.from_json(doc["summary"]), doc["appendable"] is True
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def _save_summary(self, summary: LogSummary, key: FileKey, *, appendable: bool = True) -> None:
        document = {"key": list(key), "appendable": appendable, "summary": summary.to_json()}
        fsio.write_cache(self._summary_cache(), json.dumps(document, separators=(",", ":")))

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

        ``change`` returns the same object to mean "nothing to write".
        """
        with self.locked():
            return self._update(change)

    def _update(self, change: Callable[[StoreData], StoreData]) -> StoreData:
        """``update``'s read-modify-write; the caller holds the lock."""
        from mlroadmap.records import StoreData

        raw = self.read_bytes()
        if raw is None:
            data, migrated = StoreData(), False
        else:
            data, migrated = decode(raw, self.path)
            if migrated:
                self._keep_pre_migration_copy(raw)
        new = change(data)
        if new is not data or migrated:
            self.write(new)
        return new

    def append(
        self, plan: Callable[[LogSummary], tuple[list[Event], dict[str, date]]]
    ) -> LogSummary:
        """Log the events ``plan`` returns, under the lock; ``plan`` sees the current summary.

        ``plan`` also returns roadmap start dates to set. Events alone are
        appended to the file; start dates, or a file in an older format,
        rewrite it whole.
        """
        with self.locked():
            summary, appendable = self._summary()
            events, started = plan(summary)
            if not events and not started:
                return summary
            if appendable and not started:
                self._append(encode_events(events))
                for event in events:
                    summary.add(event)
                st = self._stat()
                if st is not None:
                    self._save_summary(summary, _key(st))
                return summary
            from mlroadmap.records import RoadmapSettings

            def add(data: StoreData) -> StoreData:
                roadmaps = {**data.roadmaps}
                for rid, day in started.items():
                    roadmaps[rid] = RoadmapSettings(started=day)
                events_now = [*data.events, *events]
                return data.model_copy(update={"events": events_now, "roadmaps": roadmaps})

            self._update(add)  # a whole rewrite, which also saves the new summary
            return self._summary()[0]

    def _append(self, lines: bytes) -> None:
        """Append whole lines and fsync, after bringing the backup up to the current version.

        On any failure the files are cut back to what they were.
        """
        backup = backup_path(self.path)
        try:
            self._catch_up_backup(backup)
        except OSError as exc:
            raise _write_error(self.path, "keep a backup", exc) from None
        try:
            fsio.append_lines(self.path, lines)
        except OSError as exc:
            raise _write_error(self.path, "append to the store", exc) from None

    def _catch_up_backup(self, backup: Path) -> None:
        """Make ``backup`` a copy of the store as it is now.

        After an append the backup is the store less that append, so it is
        caught up by appending the same lines; otherwise (after a whole
        rewrite, or no backup yet) it becomes a full private copy.
        """
        with open(self.path, "rb") as current:
            size = os.fstat(current.fileno()).st_size
            try:
                st = os.stat(backup)
            except FileNotFoundError:
                st = None
            if st is not None and st.st_size <= size and _same_start(current, backup, st.st_size):
                current.seek(st.st_size)
                fsio.append_lines(backup, current.read(size - st.st_size))
                return
            current.seek(0)
            data = current.read(size)
        try:
            fsio.atomic_write(backup, data)
        except fsio.WriteError as exc:
            raise exc.cause from None

    def write(self, data: StoreData) -> LogSummary:
        """Atomically replace the store with ``data``. The caller holds the lock."""
        self._ensure_dir()
        try:
            fsio.atomic_write(self.path, encode(data), backup=backup_path(self.path))
        except fsio.WriteError as exc:
            step = "replace the store" if exc.step == "replace the file" else exc.step
            raise _write_error(self.path, step, exc.cause) from None
        summary = LogSummary.of(data)
        st = self._stat()
        if st is not None:
            self._save_summary(summary, _key(st))
        return summary

    def remove_leftovers(self) -> list[Path]:
        """Delete the temporary files of writers that were killed; return their paths.

        Under the lock no writer is running, so every temporary file of the
        store or its backup is a leftover.
        """
        if not self.path.parent.is_dir():
            return []
        with self.locked():
            names = (self.path.name, backup_path(self.path).name)
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


def _write_error(path: Path, step: str, exc: OSError) -> StoreError:
    reason = _describe(exc)
    if exc.errno == errno.ENOSPC:
        reason += " (free some disk space and try again)"
    return StoreError(f"{path}: could not {step}: {reason}; the store was left as it was")


def _same_start(current: Any, backup: Path, length: int) -> bool:
    """Whether ``backup`` holds the first ``length`` bytes of ``current`` (checked at both ends)."""
    probe = min(length, 4096)
    with open(backup, "rb") as other:
        head = other.read(probe)
        other.seek(length - probe)
        tail = other.read(probe)
    current.seek(0)
    if current.read(probe) != head:
        return False
    current.seek(length - probe)
    return bool(current.read(probe) == tail)


# ---------------------------------------------------------------------------
# Merging two copies of a store


def merge_data(a: StoreData, b: StoreData) -> StoreData:
    """The union of two stores' logs; the same result whichever comes first.

    Events are united by ID (an event recorded on both sides is kept once)
    and ordered by time. Start dates keep the earlier day. Settings come from
    the store used most recently (the one with the newest event).
    """
    from mlroadmap.records import RoadmapSettings, StoreData

    by_id: dict[str, Any] = {}
    for event in (*a.events, *b.events):
        kept = by_id.get(event.id)
        # Two versions of one event (only a hand edit makes them): keep the later.
        if kept is None or (event.ts, event.model_dump_json()) > (
            kept.ts,
            kept.model_dump_json(),
        ):
            by_id[event.id] = event
    events = sorted(by_id.values(), key=lambda e: (e.ts, e.id))

    roadmaps: dict[str, RoadmapSettings] = {}
    for rid in sorted({*a.roadmaps, *b.roadmaps}):
        days = [s.started for s in (a.roadmaps.get(rid), b.roadmaps.get(rid)) if s and s.started]
        roadmaps[rid] = RoadmapSettings(started=min(days) if days else None)

    def recency(data: StoreData) -> tuple[str, str, str]:
        newest = max(((e.ts.isoformat(), e.id) for e in data.events), default=("", ""))
        return (*newest, data.settings.model_dump_json())

    settings = max((a, b), key=recency).settings
    if settings.active is None:
        settings = settings.model_copy(update={"active": a.settings.active or b.settings.active})
    return StoreData(settings=settings, roadmaps=roadmaps, events=events)


def read_other(path: Path) -> StoreData:
    """Another copy of a store, named by the user (errors are input errors, exit 2)."""
    from mlroadmap.errors import UserError

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {_describe(exc)}") from None
    try:
        return decode(raw, path)[0]
    except StoreError as exc:
        raise UserError(f"{exc.message} (it is not a store this mlroadmap can merge)") from None
