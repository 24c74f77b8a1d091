"""`merge` unites two copies of a store; `doctor` checks, reports orphans and restores."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mlroadmap.cli import app
from mlroadmap.records import Event, RoadmapSettings, Settings, StoreData
from mlroadmap.store import Store, merge_data

runner = CliRunner()
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)

events = st.builds(
    Event,
    id=st.text("0123456789abcdef", min_size=8, max_size=12),
    ts=st.integers(0, 10**6).map(lambda s: T0 + timedelta(seconds=s)),
    roadmap=st.sampled_from(["ml-12-weeks", "pro-mle"]),
    item=st.sampled_from(["week-1", "week-5", "python", "numpy"]),
    action=st.sampled_from(["done", "todo", "start", "skip", "note"]),
    note=st.none() | st.text(max_size=20),
)
stores = st.builds(
    StoreData,
    settings=st.builds(Settings, active=st.none() | st.sampled_from(["ml-12-weeks", "pro-mle"])),
    roadmaps=st.dictionaries(
        st.sampled_from(["ml-12-weeks", "pro-mle"]),
        st.builds(RoadmapSettings, started=st.none() | st.dates(date(2025, 1, 1))),
    ),
    events=st.lists(events, max_size=12),
)


@settings(max_examples=150, deadline=None)
@given(stores, stores)
def test_merge_is_the_same_in_either_order(a: StoreData, b: StoreData) -> None:
    assert merge_data(a, b) == merge_data(b, a)


@settings(max_examples=150, deadline=None)
@given(stores, stores)
def test_merge_keeps_every_event_once(a: StoreData, b: StoreData) -> None:
    merged = merge_data(a, b)
    ids = [e.id for e in merged.events]
    assert len(ids) == len(set(ids))
    assert set(ids) == {e.id for e in a.events} | {e.id for e in b.events}
    assert [(e.ts, e.id) for e in merged.events] == sorted((e.ts, e.id) for e in merged.events)


@settings(max_examples=100, deadline=None)
@given(stores, stores, stores)
def test_merge_is_idempotent_and_associative(a: StoreData, b: StoreData, c: StoreData) -> None:
    ab = merge_data(a, b)
    assert merge_data(ab, b) == ab
    assert merge_data(merge_data(a, b), c).events == merge_data(a, merge_data(b, c)).events


@settings(max_examples=100, deadline=None)
@given(stores, stores)
def test_merge_keeps_the_earlier_start_date(a: StoreData, b: StoreData) -> None:
    merged = merge_data(a, b)
    for rid, value in merged.roadmaps.items():
        days = [s.started for s in (a.roadmaps.get(rid), b.roadmaps.get(rid)) if s and s.started]
        assert value.started == (min(days) if days else None)


def _ticks(home: Path) -> set[str]:
    data = Store(home / "store.json").load()
    return {e.item for e in data.events if e.action == "done"}


def test_merge_command_unites_two_machines(isolated_home: Path, tmp_path: Path) -> None:
    laptop = tmp_path / "laptop"
    runner.invoke(app, ["done", "week-1"], env={"MLROADMAP_HOME": str(laptop)})
    assert runner.invoke(app, ["done", "week-2"]).exit_code == 0
    result = runner.invoke(app, ["merge", str(laptop / "store.json")])
    assert result.exit_code == 0, result.output
    assert "5 new events" in result.stderr
    mine = _ticks(isolated_home)
    assert {"vectors-matrices", "derivatives"} <= mine
    assert len(mine) == 10
    again = runner.invoke(app, ["merge", str(laptop / "store.json")])
    assert "0 new events" in again.stderr
    assert len(Store(isolated_home / "store.json").load().events) == 10


def test_merge_refuses_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"schema_version": 1, "events": [{"id": 3}]}')
    result = runner.invoke(app, ["merge", str(other)])
    assert result.exit_code == 2
    assert str(other) in result.stderr
    assert "Traceback" not in result.output


def test_doctor_reports_orphans_and_keeps_them(isolated_home: Path) -> None:
    runner.invoke(app, ["done", "week-1"])
    store = Store(isolated_home / "store.json")
    data = store.load()
    ghost = data.events[0].model_copy(update={"id": "ghost-0001", "item": "gone-item"})
    other = data.events[0].model_copy(update={"id": "ghost-0002", "roadmap": "uninstalled"})
    store.write(data.model_copy(update={"events": [*data.events, ghost, other]}))
    result = runner.invoke(app, ["doctor", "--json"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["healthy"] is True
    assert report["events"] == 7
    assert [(o["roadmap"], o["item"]) for o in report["orphans"]] == [
        ("ml-12-weeks", "gone-item"),
        ("uninstalled", "vectors-matrices"),
    ]
    # progress still counts what exists, and the orphaned events stay in the store
    progress = json.loads(runner.invoke(app, ["progress", "--json"]).stdout)
    assert progress["total"]["done"] == 5
    assert len(store.load().events) == 7


def test_doctor_restores_the_backup(isolated_home: Path) -> None:
    runner.invoke(app, ["done", "week-1"])
    runner.invoke(app, ["done", "week-2"])
    store_file = isolated_home / "store.json"
    store_file.write_text("{ not json")
    # Without the cache's second copy of the last write, the backup is all there is
    # (tests/test_store_damage.py restores that copy too).
    shutil.rmtree(isolated_home / "cache")
    sick = runner.invoke(app, ["doctor"])
    assert sick.exit_code == 1
    assert "doctor --restore" in sick.stdout
    healed = runner.invoke(app, ["doctor", "--restore", "--json"])
    assert healed.exit_code == 0, healed.output
    report = json.loads(healed.stdout)
    assert report["healthy"] is True
    assert report["events"] == 5  # the backup is the version before the last write
    kept = Path(report["set_aside"])
    assert kept.read_text() == "{ not json"
    week_1 = {"vectors-matrices", "probability-basics", "descriptive-stats", "numpy-vector-ops"}
    assert week_1 < _ticks(isolated_home)
    assert len(_ticks(isolated_home)) == 5


def test_doctor_restore_without_backup_fails_clearly(isolated_home: Path) -> None:
    runner.invoke(app, ["done", "week-1"])
    result = runner.invoke(app, ["doctor", "--restore"])
    assert result.exit_code == 1
    assert "no readable backup" in result.stderr
    assert len(_ticks(isolated_home)) == 5


def test_doctor_removes_leftovers_and_reports_an_unfinished_line(isolated_home: Path) -> None:
    runner.invoke(app, ["done", "week-1"])
    store_file = isolated_home / "store.json"
    leftovers = [
        isolated_home / ".store.json.4242.tmp",
        isolated_home / ".store.json.bak.4243.tmp",
    ]
    for path in leftovers:
        path.write_text("half a write")
    kept = isolated_home / ".notes.4244.tmp"  # not ours: left alone
    kept.write_text("mine")
    with store_file.open("a") as f:
        f.write('{"id": "killed-half-way", "ts": ')
    result = runner.invoke(app, ["doctor", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["healthy"] is True
    assert report["events"] == 5
    assert report["unfinished_line"] is True
    assert sorted(report["removed"]) == sorted(str(p) for p in leftovers)
    assert not any(p.exists() for p in leftovers)
    assert kept.read_text() == "mine"
    view = runner.invoke(app, ["doctor"]).stdout
    assert "last line is unfinished" in view
    runner.invoke(app, ["done", "week-2"])
    assert json.loads(runner.invoke(app, ["doctor", "--json"]).stdout)["unfinished_line"] is False
