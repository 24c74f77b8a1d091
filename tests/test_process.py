"""The console script as a real process: exit statuses, flushed output, closed pipes.

``cli.main`` leaves through ``os._exit`` once it has flushed stdout and
stderr, so these run ``python -m mlroadmap`` in a child process: what a
shell sees is what is checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mlroadmap import __version__


def mlroadmap(*args: str, stdout: Any = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    """Run the console script's code in a child process; stdout is captured unless given."""
    return subprocess.run(
        [sys.executable, "-m", "mlroadmap", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )


def test_success_prints_everything_and_exits_0() -> None:
    result = mlroadmap("--version")
    assert (result.returncode, result.stdout.strip(), result.stderr) == (
        0,
        f"mlroadmap {__version__}",
        "",
    )


def test_a_write_then_a_read_in_separate_processes(isolated_home: Path) -> None:
    done = mlroadmap("done", "week-1")
    assert done.returncode == 0, done.stderr
    assert "Marked 5 items done" in done.stdout + done.stderr
    shown = mlroadmap("show", "week-1", "--json")
    assert shown.returncode == 0, shown.stderr
    (week,) = json.loads(shown.stdout)["items"]
    assert (week["id"], week["done"], week["total"]) == ("week-1", 5, 5)
    assert (isolated_home / "store.json").exists()


ITEMS = 600


@pytest.fixture
def big_roadmap(isolated_home: Path) -> str:
    """A user roadmap whose JSON view is several pipe buffers long."""
    lines = [
        "id: big",
        "title: A big roadmap",
        "summary: Many items.",
        "source:",
        "  title: The tests",
        "children:",
        "  - id: part",
        "    title: Part",
        "    children:",
    ]
    for n in range(ITEMS):
        lines += [f"      - id: item-{n}", f"        title: Item {n} {'with a long title ' * 4}"]
    folder = isolated_home / "roadmaps"
    folder.mkdir(parents=True)
    (folder / "big.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "big"


def test_output_larger_than_a_pipe_buffer_arrives_whole(tmp_path: Path, big_roadmap: str) -> None:
    # All of it must be written before the process leaves.
    out = tmp_path / "out.json"
    with out.open("w") as f:
        result = mlroadmap("show", "-r", big_roadmap, "--json", stdout=f)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert len(text) > 65_536
    document = json.loads(text)
    (part,) = document["items"]
    assert [c["id"] for c in part["children"]] == [f"item-{n}" for n in range(ITEMS)]


def test_a_user_error_exits_2_with_its_message() -> None:
    result = mlroadmap("done", "no-such-item-anywhere")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "no-such-item-anywhere" in result.stderr


def test_a_bad_option_exits_2_with_usage() -> None:
    result = mlroadmap("progress", "--no-such-option")
    assert result.returncode == 2
    assert "No such option" in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes")
@pytest.mark.parametrize("args", [["show", "--json"], ["progress"], ["next"]])
def test_a_reader_that_has_gone_ends_the_command_quietly(args: list[str]) -> None:
    # Like `mlroadmap show | head -0`: the pipe's read end is closed before
    # anything is written, so the first write fails.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = mlroadmap(*args, stdout=write_end)
    finally:
        os.close(write_end)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Exception ignored" not in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["show"], ["show", "--json"], ["progress", "--json"]])
def test_output_to_a_full_disk_is_an_error_not_a_traceback(args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        result = mlroadmap(*args, stdout=full)
    assert result.returncode == 1
    assert result.stderr == "error: cannot write the output: No space left on device\n"
