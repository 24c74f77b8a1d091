"""Every test runs with its own MLROADMAP_HOME and a fixed 80-column, colourless terminal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
REAL_ROADMAPS = SHARED / "real-roadmaps"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "mlroadmap-home"
    monkeypatch.setenv("MLROADMAP_HOME", str(home))
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "50")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TZ", "UTC")
    return home


def need_shared(path: Path) -> Path:
    """Skip, with the reason, when the project's shared/ folder is not beside the checkout."""
    if not path.exists():
        pytest.skip(f"{path} is not present (tests of seed/real roadmaps need ../shared)")
    return path
