"""The learner's store: one JSON document, read validated, written atomically under a lock.

Guarantees:

- A write goes to a temporary file in the same directory, is flushed and
  fsynced, and replaces the store with ``os.replace``; the directory is then
  fsynced. A failure at any step leaves the old file as it was.
- Every read-modify-write holds one exclusive lock (a separate lock file that
  is never deleted); the store is re-read after the lock is taken.
- The previous version is kept beside the store as ``store.json.bak``.
- A store that cannot be read, fails validation or comes from a newer version
  of the tool is never overwritten.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mlroadmap import paths
from mlroadmap.errors import LockTimeoutError, StoreError
from mlroadmap.models import SCHEMA_VERSION, StoreData

DEFAULT_LOCK_TIMEOUT = 15.0
ENV_LOCK_TIMEOUT = "MLROADMAP_LOCK_TIMEOUT"

# Each migration takes a document of version N (a dict) and returns version N + 1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _migrate_0(document: dict[str, Any]) -> dict[str, Any]:
    """Version 0 (pre-release) kept ``done`` as a list of ``roadmap/item`` names."""
    from mlroadmap.models import Event

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


MIGRATIONS[0] = _migrate_0


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


def decode(raw: bytes, path: Path) -> tuple[StoreData, bool]:
    """Parse and validate a store document; the flag says whether it was migrated."""
    try:
        return StoreData.model_validate_json(raw), False
    except ValidationError as exc:
        error = exc
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise StoreError(
            f"{path}: the store is not valid JSON ({exc})", hint=_recovery_hint(path)
        ) from None
    if not isinstance(document, dict):
        raise StoreError(f"{path}: the store must be a JSON object", hint=_recovery_hint(path))
    version = document.get("schema_version", 0)
    if isinstance(version, int) and not isinstance(version, bool):
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{path}: the store has schema_version {version}, newer than this "
                f"mlroadmap understands ({SCHEMA_VERSION})",
                hint="upgrade mlroadmap (pip install -U mlroadmap); the file is left untouched",
            )
        if version < SCHEMA_VERSION and version in MIGRATIONS:
            try:
                while version < SCHEMA_VERSION:
                    document = MIGRATIONS[version](document)
                    version += 1
                return StoreData.model_validate(document), True
            except (ValidationError, ValueError, TypeError, AttributeError) as exc:
                if isinstance(exc, ValidationError):
                    error = exc
    lines = [
        f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
        for e in error.errors(include_url=False)[:5]
    ]
    more = error.error_count() - len(lines)
    detail = "; ".join(lines) + (f"; and {more} more" if more > 0 else "")
    raise StoreError(f"{path}: the store is not valid: {detail}", hint=_recovery_hint(path))


def encode(data: StoreData) -> bytes:
    """The store as JSON: settings on the first line, then one event a line."""
    text = data.model_dump_json(exclude_none=True)
    text = text.replace('"events":[{', '"events":[\n{', 1).replace('},{"id":', '},\n{"id":')
    return (text + "\n").encode("utf-8")


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
        raw = self.read_bytes()
        if raw is None:
            return StoreData()
        return decode(raw, self.path)[0]

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

    def replace_with(self, data: StoreData) -> None:
        """Write ``data`` as the whole store, under the lock (used by restore and merge)."""
        with self.locked():
            self.write(data)

    def write(self, data: StoreData) -> None:
        """Atomically replace the store with ``data``. The caller holds the lock."""
        self._ensure_dir()
        atomic_write(self.path, encode(data), backup=backup_path(self.path))

    def _ensure_dir(self) -> None:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # A cache write may have made the directory first, with looser permissions.
            if os.name == "posix" and self.path.parent.stat().st_mode & 0o077:
                with contextlib.suppress(OSError):  # not ours to change: the file stays 0600
                    os.chmod(self.path.parent, 0o700)
        except OSError as exc:
            raise StoreError(
                f"{self.path.parent}: cannot create the data directory: {_describe(exc)}"
            ) from None

    def _keep_pre_migration_copy(self, raw: bytes) -> None:
        version = json.loads(raw).get("schema_version", 0)
        copy = self.path.with_name(f"{self.path.name}.v{version}.bak")
        if not copy.exists():
            atomic_write(copy, raw)


def atomic_write(path: Path, data: bytes, *, backup: Path | None = None) -> None:
    """Write ``data`` to ``path`` all or nothing; keep the old file as ``backup``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    step = "create a temporary file"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            step = "write"
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            step = "flush to disk"
            os.fsync(fd)
        finally:
            os.close(fd)
        if backup is not None and path.exists():
            step = "keep a backup"
            _link_backup(path, backup)
        step = "replace the store"
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        reason = _describe(exc)
        if exc.errno == errno.ENOSPC:
            reason += " (free some disk space and try again)"
        raise StoreError(
            f"{path}: could not {step}: {reason}; the store was left as it was"
        ) from None
    _fsync_dir(path.parent)


_NO_HARD_LINKS = (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP)


def _link_backup(path: Path, backup: Path) -> None:
    """Make ``backup`` the current version of ``path`` (a hard link, or a private copy)."""
    tmp = backup.with_name(f".{backup.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    try:
        try:
            os.link(path, tmp)
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(path.read_bytes())
        os.replace(tmp, backup)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable. The data is already on disk; old or new, both are whole."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------
# Merging two copies of a store


def merge_data(a: StoreData, b: StoreData) -> StoreData:
    """The union of two stores' logs; the same result whichever comes first.

    Events are united by ID (an event recorded on both sides is kept once)
    and ordered by time. Start dates keep the earlier day. Settings come from
    the store used most recently (the one with the newest event).
    """
    from mlroadmap.models import RoadmapSettings

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
