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

BUNDLED = {"progress", "show", "list", "next", "done", "complete"}
LARGE = {
    "start-up",
    "progress",
    "done",
    "show --depth 1",
    "show",
    "log",
    "log --calendar",
    "search",
    "export md",
    "export json",
    "export csv",
    "doctor",
    "merge",
    "import",
    "import --with-progress",
}
WRITES = {"done", "merge", "import", "import --with-progress"}


def _help_exits_0(*words: str, mentions: str | None = None) -> bool:
    """Whether `mlroadmap WORDS --help` exits 0 (and mentions ``mentions``)."""
    result = subprocess.run(
        [sys.executable, "-m", "mlroadmap", *words, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode == 0 and (mentions is None or mentions in result.stdout)


def _bench_module() -> dict[str, Any]:
    """bench.py's globals (it is a script, not an importable module)."""
    return runpy.run_path(str(BENCH), run_name="bench_under_test")


def test_quick_benchmark_runs_and_reports_every_command(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {**os.environ, "MLROADMAP_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--workdir", str(tmp_path), "--json", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "ratio" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80

    # Commands still being built are timed exactly when they exist.
    large = set(LARGE)
    if _help_exits_0("report"):
        large.add("report")
    if _help_exits_0("log", mentions="--all"):
        large.add("log --all")
    if _help_exits_0("doctor", mentions="--full"):
        large.add("doctor --full")
    expected = {"bundled": BUNDLED, "large": large, "half": large}

    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["quick"] is True
    assert set(document["cases"]) == set(expected)
    for case, commands in expected.items():
        reported = document["cases"][case]["commands"]
        assert set(reported) == commands, case
        for name, figures in reported.items():
            where = f"{case}/{name}"
            assert figures["pairs"] >= 1, where
            assert figures["hello_median_ms"] > 0, where
            assert figures["cmd_median_ms"] > 0, where
            assert figures["ratio_median"] > 0, where
            assert figures["output_bytes"] > 0, where  # it printed something
            if sys.platform.startswith("linux"):
                assert figures["peak_rss_mib"] > 0, where
            if case == "large":
                assert figures["ratio_target"] is not None, where
                # every read command, and done, has a memory target
                assert (figures["rss_target_mib"] is None) == (name in WRITES - {"done"}), where
            if case == "half":
                assert figures["ratio_target"] is None, where
    scaled = document["scaling"]["commands"]
    assert set(scaled) == large - {"start-up"}  # what the other ratios are also taken from
    for name, figures in scaled.items():
        assert "ratio_above_startup" in figures, name
    assert document["cases"]["large"]["items"] == 2 * document["cases"]["half"]["items"]
    assert document["cases"]["large"]["events"] == 2 * document["cases"]["half"]["events"]


def test_scaling_is_taken_above_the_floor_and_above_mlroadmaps_own_start_up() -> None:
    bench = _bench_module()
    run, result, case = bench["Run"], bench["Result"], bench["CaseResult"]

    def timed(label: str, hello_s: float, cmd_s: float) -> Any:
        return result(label, [], [run(hello_s, None)], [run(cmd_s, None)], None, None)

    # hello 0.2 s; start-up 0.1 s at both sizes; 0.1 s of work at half size, 0.2 s at large
    half = case("half", "", 5, 50, [timed("start-up", 0.2, 0.1), timed("export", 0.2, 0.2)])
    large = case("large", "", 10, 100, [timed("start-up", 0.2, 0.1), timed("export", 0.2, 0.3)])
    figures = bench["scaling"]({"half": half, "large": large})["commands"]
    assert set(figures) == {"export"}
    export = figures["export"]
    assert export["small_above_floor_ms"] == pytest.approx(0.0)
    assert export["ratio"] is None  # no time above the floor at half size
    assert export["ratio_above_startup"] == pytest.approx(2.0)
    assert export["ok_above_startup"] is True


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


def test_large_case_inputs_merge_new_events_and_import_to_every_unit(tmp_path: Path) -> None:
    """The other copy adds exactly the events it says; the document imports to its units."""
    from mlroadmap.catalog import Catalog
    from mlroadmap.progress import DONE, replay, status_of
    from mlroadmap.store import Store, decode_log

    home, inputs = tmp_path / "home", tmp_path / "inputs"
    env = {**os.environ, "MLROADMAP_HOME": str(home)}

    def run(*argv: str) -> str:
        result = subprocess.run(
            [sys.executable, *argv], capture_output=True, text=True, env=env, timeout=300
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    info = json.loads(
        run(str(BENCH), "--setup-case", "large", str(home), "500", "2000", str(inputs))
    )

    mine = {e.id for e in Store(home / "store.json").load().events}
    other = Path(info["merge_other"])
    theirs = {e.id for e in decode_log(other.read_bytes(), other).events}
    assert (len(mine), len(theirs)) == (2000, info["merge_events"])
    assert len(theirs - mine) == info["merge_new"] > 0

    run("-m", "mlroadmap", "import", info["document"], "--id", "doc")
    roadmap = Catalog(user_dir=home / "roadmaps").get("doc")
    assert len(roadmap.index.leaves) == info["document_units"] == 500
    run("-m", "mlroadmap", "import", info["document"], "--id", "ticked", "--with-progress")
    ticked = Catalog(user_dir=home / "roadmaps").get("ticked")
    states = replay(ticked, Store(home / "store.json").load().events)
    done = [leaf for leaf in ticked.index.leaves if status_of(states, leaf) == DONE]
    assert len(done) == 500 // 4  # every fourth unit is ticked in the document


def test_home_snapshot_puts_back_what_changed_and_leaves_the_rest(tmp_path: Path) -> None:
    bench = _bench_module()
    home = tmp_path / "home"
    (home / "cache").mkdir(parents=True)
    kept, replaced, removed = home / "kept.yaml", home / "store.json", home / "cache" / "c.json"
    kept.write_text("kept")
    replaced.write_text("old store")
    removed.write_text("cache")
    kept_inode = kept.stat().st_ino
    snapshot = bench["HomeSnapshot"](home, tmp_path / "snapshot")

    for _ in range(2):  # the second round checks the keys were renewed after the first
        new = home / "store.json.tmp"
        new.write_text("new store, longer")
        os.replace(new, replaced)  # replaced by rename, as atomic writes do
        removed.unlink()
        (home / "added.json").write_text("added")
        snapshot.restore()

        files = {str(p.relative_to(home)): p.read_text() for p in home.rglob("*") if p.is_file()}
        assert files == {"kept.yaml": "kept", "store.json": "old store", "cache/c.json": "cache"}
        assert kept.stat().st_ino == kept_inode  # untouched, so caches bound to it stay valid


def test_markdown_document_has_one_checkbox_per_unit() -> None:
    bench = _bench_module()
    text = bench["markdown_document"](1000)
    boxes = [line for line in text.splitlines() if line.startswith("- [")]
    assert len(boxes) == 1000
    assert sum(line.startswith("- [x]") for line in boxes) == 250
    assert len({line.split("](")[1] for line in boxes}) == 1000  # a distinct link on each
    with pytest.raises(bench["BenchError"]):
        bench["markdown_document"](750)
