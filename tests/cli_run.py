"""Running the command line in-process, as the CLI tests do, with a clock they control."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from mlroadmap.cli import app

runner = CliRunner()


class Clock:
    """A clock that starts at ``start`` and moves on a second each time it is read."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current


def install_clock(monkeypatch: pytest.MonkeyPatch, start: datetime) -> Clock:
    """Make the tracker's ``now`` a ``Clock`` starting at ``start``."""
    ticking = Clock(start)
    monkeypatch.setattr("mlroadmap.tracker.now", ticking)
    return ticking


def run(*args: str, code: int = 0) -> Result:
    """Run the CLI; check the exit code and that no traceback reached the user."""
    result = runner.invoke(app, list(args))
    detail = f"stdout={result.stdout!r}\nstderr={result.stderr!r}\nexc={result.exception!r}"
    assert result.exit_code == code, detail
    assert "Traceback" not in result.output, detail
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), detail
    return result


def run_json(*args: str) -> Any:
    """Run a --json command: stdout is one JSON document and nothing else."""
    result = run(*args, "--json")
    assert result.stdout.lstrip().startswith(("{", "["))
    return json.loads(result.stdout)  # fails on anything else on stdout
