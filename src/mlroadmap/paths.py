"""Where mlroadmap keeps its files: one place, with ``MLROADMAP_HOME`` first."""

from __future__ import annotations

import os
from pathlib import Path

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

    An installed wheel carries them as ``mlroadmap/roadmaps``; a development
    checkout (editable install) reads them from the work tree's ``roadmaps/``.
    """
    from importlib.resources import files

    packaged = Path(str(files("mlroadmap"))) / "roadmaps"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "roadmaps"
