"""How bytes reach the disk: the one module that writes files.

Every write of the package goes through these functions:

- ``atomic_write``: a private temporary file in the same directory (created
  with ``O_CREAT|O_EXCL|O_NOFOLLOW``, mode 0600, an unpredictable name), every
  byte written and fsynced (in another thread while the caller goes on with
  other work, if it asks), renamed over the target, then the directory
  fsynced. A killed writer leaves the old file or the new one, never half.
- ``append_lines``: whole lines appended and fsynced; on failure the file is
  cut back to its old size.
- ``link_backup``: the current version of a file kept under another name (a
  hard link where the file system allows it, else a private copy).
- ``write_new``: a file that must not exist yet, created privately, written,
  fsynced and made durable in its directory before it is used.
- ``keep_copy``: a file kept under a new, unique name (never over another).
- ``replace``: a rename made durable (the directory fsynced).
- ``write_cache``: a best-effort ``atomic_write`` for files that only save
  time (a failure is ignored).
- ``remove_leftovers``: the temporary files of killed writers, deleted.

What is written where is decided by ``store``, ``catalog`` and ``exporter``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from collections.abc import Callable
from pathlib import Path

_NO_HARD_LINKS = (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_TMP_NAME = re.compile(r"^\.(?P<name>.+)\.[0-9a-f]+\.tmp$")


class WriteError(OSError):
    """An ``OSError`` that says which step of a write failed (``step``)."""

    def __init__(self, step: str, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror or str(cause), cause.filename)
        self.step = step
        self.cause = cause


# A file's identity as the caches record it: device, inode, size, modification
# and change times (any write changes one of them).
FileKey = tuple[int, int, int, int, int]


def file_key(st: os.stat_result) -> FileKey:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def temp_name(path: Path) -> Path:
    """A fresh, unpredictable temporary name beside ``path``."""
    return path.with_name(f".{path.name}.{os.urandom(8).hex()}.tmp")


def is_temp_of(entry: str, names: tuple[str, ...]) -> bool:
    """Whether ``entry`` is a temporary file ``temp_name`` made for one of ``names``."""
    match = _TMP_NAME.match(entry)
    return match is not None and match.group("name") in names


def write_all(fd: int, data: bytes) -> None:
    """Write every byte (``os.write`` may write fewer than it was given)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _create_private(path: Path) -> tuple[Path, int]:
    """A new temporary file beside ``path``, opened for writing; never an existing one."""
    for _ in range(16):
        tmp = temp_name(path)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        except FileExistsError:
            continue
        return tmp, fd
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path))


def atomic_write(
    path: Path,
    data: bytes,
    *,
    backup: Path | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> None:
    """Replace ``path`` with ``data``, all or nothing; keep the old file as ``backup``.

    ``meanwhile`` is run while another thread writes and flushes the temporary
    file (the wait for the disk overlaps its work); ``path`` is replaced once
    both are done. Raises ``WriteError`` naming the step that failed (or what
    ``meanwhile`` raised); the temporary file is removed and ``path`` is as it was.
    """
    step = "create a temporary file"
    tmp: Path | None = None
    try:
        tmp, fd = _create_private(path)
        try:
            failed = _write_and_flush(fd, data, meanwhile)
        finally:
            os.close(fd)
        if failed is not None:
            step, cause = failed
            raise cause
        if backup is not None and path.exists():
            step = "keep a backup"
            link_backup(path, backup)
        step = "replace the file"
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if isinstance(exc, OSError):
            raise WriteError(step, exc) from None
        raise
    fsync_dir(path.parent)


def _write_and_flush(
    fd: int, data: bytes, meanwhile: Callable[[], object] | None
) -> tuple[str, OSError] | None:
    """Write ``data`` to ``fd`` and fsync it (in another thread while ``meanwhile``
    runs, when there is one); the step that failed and why, if one did."""

    def work() -> tuple[str, OSError] | None:
        step = "write"
        try:
            write_all(fd, data)
            step = "flush to disk"
            os.fsync(fd)
        except OSError as exc:
            return step, exc
        return None

    if meanwhile is None:
        return work()
    import threading

    failed: list[tuple[str, OSError] | None] = [None]
    worker = threading.Thread(target=lambda: failed.__setitem__(0, work()), name="fsync")
    worker.start()
    try:
        meanwhile()
    finally:
        worker.join()
    return failed[0]


def append_lines(path: Path, lines: bytes) -> None:
    """Append ``lines`` to ``path`` and fsync; on failure cut the file back to its old size."""
    if not lines:
        return
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | _NOFOLLOW)
    try:
        size = os.fstat(fd).st_size
        try:
            write_all(fd, lines)
            os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
            raise
    finally:
        os.close(fd)


def link_backup(path: Path, backup: Path) -> None:
    """Make ``backup`` the current version of ``path`` (a hard link, or a private copy)."""
    tmp = temp_name(backup)
    try:
        try:
            os.link(path, tmp)
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise
            data = path.read_bytes()
            tmp, fd = _create_private(backup)
            try:
                write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(tmp, backup)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (it must not exist; a symlink is never followed), write ``data``
    and make it durable: the file and its directory entry are fsynced.

    On failure the half-written file is removed and the error raised.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    try:
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    fsync_dir(path.parent)


def unique_name(path: Path, label: str) -> Path:
    """A name beside ``path`` for a copy of it: ``NAME.LABEL-<UTC time>-<random>``."""
    from datetime import datetime, timezone

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return path.with_name(f"{path.name}.{label}-{stamp}-{os.urandom(4).hex()}")


def keep_copy(path: Path, label: str) -> Path:
    """Keep the current ``path`` under a new unique name (``unique_name``); return it.

    A hard link where the file system allows it, else a private copy; an
    existing file is never overwritten. The new name is made durable.
    """
    for _ in range(16):
        kept = unique_name(path, label)
        try:
            os.link(path, kept, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise
            try:
                write_new(kept, path.read_bytes())
            except FileExistsError:
                continue
            return kept
        fsync_dir(path.parent)
        return kept
    raise FileExistsError(errno.EEXIST, "no free name for a copy", str(path))


def replace(source: Path, target: Path) -> None:
    """Rename ``source`` over ``target`` and make the rename durable."""
    os.replace(source, target)
    fsync_dir(target.parent)


def fsync_dir(directory: Path) -> None:
    """Make a rename durable. The data is already on disk; old or new, both are whole."""
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


def remove(path: Path) -> None:
    """Delete a file, durably (the directory is fsynced)."""
    os.unlink(path)
    fsync_dir(path.parent)


def write_cache(path: Path, content: str | bytes) -> None:
    """Write a cache file whole; a failure only costs time later, so it is ignored."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp, fd = _create_private(path)
        try:
            write_all(fd, content.encode("utf-8") if isinstance(content, str) else content)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        pass


def make_dir(directory: Path, *, private: bool = False) -> None:
    """Create ``directory`` and its parents (0700 when ``private``); raises OSError."""
    directory.mkdir(mode=0o700 if private else 0o777, parents=True, exist_ok=True)
    # A cache write may have made the directory first, with looser permissions.
    if private and os.name == "posix" and directory.stat().st_mode & 0o077:
        with contextlib.suppress(OSError):  # not ours to change: the files stay 0600
            os.chmod(directory, 0o700)


def remove_leftovers(directory: Path, names: tuple[str, ...]) -> list[Path]:
    """Delete the temporary files of killed writers of ``names`` in ``directory``.

    The caller makes sure no writer is running (it holds the store's lock).
    """
    try:
        entries = sorted(os.listdir(directory))
    except OSError:
        return []
    removed = []
    for entry in entries:
        if is_temp_of(entry, names):
            with contextlib.suppress(OSError):
                os.unlink(directory / entry)
                removed.append(directory / entry)
    return removed
