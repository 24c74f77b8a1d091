"""The benchmark still runs: benchmarks/bench.py --quick, checked through its JSON (no timings)."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"

EXPECTED = {
    "bundled": {"progress", "show", "list", "next", "done", "complete"},
    "large": {"progress", "done", "show --depth 1", "report"},
    "half": {"progress", "done"},
}


def test_quick_benchmark_runs_and_reports_every_command(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {**os.environ, "MLROADMAP_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--workdir", str(tmp_path), "--json", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "ratio" in result.stdout

    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["quick"] is True
    assert set(document["cases"]) == set(EXPECTED)
    for case, commands in EXPECTED.items():
        reported = document["cases"][case]["commands"]
        assert set(reported) == commands, case
        for name, figures in reported.items():
            where = f"{case}/{name}"
            assert figures["pairs"] >= 1, where
            assert figures["hello_median_ms"] > 0, where
            assert figures["cmd_median_ms"] > 0, where
            assert figures["ratio_median"] > 0, where
            if sys.platform.startswith("linux"):
                assert figures["peak_rss_mib"] > 0, where
    assert set(document["scaling"]["commands"]) == EXPECTED["half"]


def _bench_module() -> dict[str, Any]:
    """bench.py's globals (it is a script, not an importable module)."""
    return runpy.run_path(str(BENCH), run_name="bench_under_test")


@pytest.mark.parametrize("floor", ["plain", "fast-exit"])
def test_each_floor_is_a_hello_app_that_prints_and_exits_0(tmp_path: Path, floor: str) -> None:
    bench = _bench_module()
    script = bench["write_hello"](tmp_path, bench["FLOORS"][floor])
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "Hello, world!\n", "")
    bad = subprocess.run(
        [sys.executable, str(script), "--no-such-option"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2
    assert "No such option" in bad.stderr
