"""Where mlroadmap keeps its files: one place, with ``MLROADMAP_HOME`` first."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

ENV_HOME = "MLROADMAP_HOME"


def home() -> Path:
    """The directory that holds everything the tool writes."""
    override = os.environ.get(ENV_HOME)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("mlroadmap", appauthor=False))


def store_file() -> Path:
    return home() / "store.json"


def user_roadmaps_dir() -> Path:
    return home() / "roadmaps"


def cache_dir() -> Path:
    return home() / "cache"


def bundled_roadmaps_dir() -> Path:
    """The roadmaps shipped with the package.

    An installed wheel carries them as ``mlroadmap/roadmaps`` (beside this
    module: what ``importlib.resources.files`` gives for a package on disk,
    without importing it); a development checkout (editable install) reads
    them from the work tree's ``roadmaps/``.
    """
    packaged = Path(__file__).parent / "roadmaps"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "roadmaps"


# Up to this size the interpreter's own SHA-256 is quicker than loading OpenSSL
# (which ``hashlib`` does on import) and hashing there.
_BUILTIN_SHA256_BYTES = 512 * 1024


def digest(data: bytes) -> str:
    """The SHA-256 of ``data`` in hex, as ``hashlib.sha256(data).hexdigest()`` (the names
    of cache files). Small inputs are hashed without importing ``hashlib``."""
    if len(data) <= _BUILTIN_SHA256_BYTES:
        sha256 = _builtin_sha256()
        if sha256 is not None:
            return str(sha256(data).hexdigest())
    import hashlib

    return hashlib.sha256(data).hexdigest()


@cache
def _builtin_sha256() -> Any:
    """CPython's own SHA-256 constructor (``_sha2`` from 3.12, ``_sha256`` before), if built."""
    for module in ("_sha2", "_sha256"):
        try:
            return __import__(module).sha256
        except (ImportError, AttributeError):
            continue
    return None
