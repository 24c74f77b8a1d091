"""The README stays true: its test command is what CI runs, and it documents every command."""

from __future__ import annotations

import re

import typer

from mlroadmap.cli import app
from tests.conftest import REPO


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^(python3 -m venv .venv && .*)$", readme, re.MULTILINE)
    assert len(commands) == 1
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands[0] in ci
    assert "pytest" in commands[0]


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    names = [c.name for c in typer.main.get_command(app).commands.values()]  # type: ignore[attr-defined]
    assert len(names) >= 18
    missing = [n for n in names if f"| `{n}" not in readme]
    assert missing == []
