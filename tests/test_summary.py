"""The log summary and its cache: what the everyday commands read instead of every event.

The summary must say exactly what replaying the whole log says (status, day
and note count of every item, following renames), whatever the log; the
cache must never be used for a file it was not made from.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlroadmap import tracker
from mlroadmap.errors import StoreError
from mlroadmap.progress import LogSummary, active_days, counts, ordered, replay
from mlroadmap.records import Event, RoadmapSettings, Settings, StoreData
from mlroadmap.store import Store, backup_path, decode, encode

from .test_progress import DEMO, LEAVES, T0

ITEMS = [*LEAVES, "bee", "gone"]  # "bee" is b's old ID; "gone" is no longer in the roadmap
ACTIONS = ["done", "start", "skip", "todo", "note"]

events_strategy = st.lists(
    st.tuples(
        st.sampled_from(ITEMS),
        st.sampled_from(ACTIONS),
        st.integers(min_value=0, max_value=400),  # hours after T0; ties are common
        st.booleans(),  # with a note
        st.one_of(st.none(), st.integers(min_value=0, max_value=30)),  # back-dated
        st.sampled_from(["demo", "other"]),
    ),
    max_size=40,
)


def make_events(rows: list[tuple[str, str, int, bool, int | None, str]]) -> list[Event]:
    return [
        Event(
            id=f"e-{n:04d}-{hours:03d}",
            ts=T0 + timedelta(hours=hours),
            roadmap=roadmap,
            item=item,
            action=action,
            note="a note" if (note or action == "note") else None,
            on=(T0.date() - timedelta(days=back)) if back is not None else None,
        )
        for n, (item, action, hours, note, back, roadmap) in enumerate(rows)
    ]


def as_tuples(states: dict[str, object]) -> dict[str, tuple[object, object, object]]:
    return {
        item: (s.status, s.day, s.note_count)  # type: ignore[attr-defined]
        for item, s in states.items()
    }


@settings(max_examples=300, deadline=None)
@given(events_strategy)
def test_summary_states_equal_a_full_replay(
    rows: list[tuple[str, str, int, bool, int | None, str]],
) -> None:
    events = make_events(rows)
    summary = LogSummary.of(StoreData(events=events))
    replayed = replay(DEMO, events)
    assert as_tuples(summary.states(DEMO)) == as_tuples(replayed)
    for leaf in LEAVES:
        assert summary.status(DEMO, leaf) == (replayed[leaf].status if leaf in replayed else "todo")
    assert summary.count == len(events)
    assert summary.newest == max((e.ts for e in events), default=None)
    expected = {}
    for e in sorted(events, key=lambda e: (e.ts, e.id)):
        if e.action != "note":
            expected[(e.roadmap, e.item)] = e.action
    assert summary.statuses() == expected
    assert summary.active_days() == active_days(events)


@settings(max_examples=150, deadline=None)
@given(events_strategy)
def test_summary_survives_its_json_form(
    rows: list[tuple[str, str, int, bool, int | None, str]],
) -> None:
    events = make_events(rows)
    summary = LogSummary.of(StoreData(events=events))
    again = LogSummary.from_json(json.loads(json.dumps(summary.to_json())))
    assert as_tuples(again.states(DEMO)) == as_tuples(summary.states(DEMO))
    assert counts(DEMO, again.states(DEMO)) == counts(DEMO, replay(DEMO, events))
    assert (again.newest, again.count, again.statuses(), again.active_days()) == (
        summary.newest,
        summary.count,
        summary.statuses(),
        active_days(events),
    )


@settings(max_examples=100, deadline=None)
@given(events_strategy, events_strategy)
def test_adding_newer_events_equals_summarising_the_whole_log(
    first: list[tuple[str, str, int, bool, int | None, str]],
    later: list[tuple[str, str, int, bool, int | None, str]],
) -> None:
    old = make_events(first)
    new = [
        e.model_copy(update={"id": f"n-{i:04d}", "ts": e.ts + timedelta(days=30)})
        for i, e in enumerate(make_events(later))
    ]
    grown = LogSummary.of(StoreData(events=old))
    for event in sorted(new, key=lambda e: (e.ts, e.id)):
        grown.add(event)
    whole = LogSummary.of(StoreData(events=old + new))
    assert as_tuples(grown.states(DEMO)) == as_tuples(whole.states(DEMO))
    assert grown.statuses() == whole.statuses()
    assert grown.active_days() == whole.active_days() == active_days(old + new)


# Events of every kind, for inserting some among the others: sequence numbers,
# UTC offsets, undos, back-dated and undated ticks, notes edited and deleted.
rich_rows = st.lists(
    st.tuples(
        st.sampled_from(ITEMS),
        st.sampled_from(ACTIONS),
        st.integers(min_value=0, max_value=60),  # hours after T0: equal times are common
        st.none() | st.integers(1, 4),  # sequence number
        st.sampled_from([0, 0, 90, -300]),  # the time's UTC offset in minutes
        st.sampled_from(["", "note", "undo", "edit", "delete", "back", "undated"]),
        st.sampled_from(["demo", "other"]),
        st.booleans(),  # put among the others (inserted) rather than summarised first
    ),
    max_size=40,
)


def rich_events(rows: list[tuple[str, str, int, int | None, int, str, str, bool]]) -> list[Event]:
    made = []
    for n, (item, action, hours, seq, offset, kind, roadmap, _) in enumerate(rows):
        zone = timezone(timedelta(minutes=offset))
        earlier = f"ev-{max(n - 1, 0):06d}"
        made.append(
            Event.model_validate({
                "id": f"ev-{n:06d}", "seq": seq, "roadmap": roadmap, "item": item,
                "ts": (T0 + timedelta(hours=hours)).astimezone(zone),
                "action": "note" if kind in ("edit", "delete") else action,
                "note": "a note" if kind in ("note", "edit") or action == "note" else None,
                "reverts": earlier if kind == "undo" else None,
                "replaces": earlier if kind in ("edit", "delete") else None,
                "on": T0.date() - timedelta(days=3) if kind == "back" else None,
                "undated": True if kind == "undated" else None,
            })
        )  # fmt: skip
    return made


@settings(max_examples=400, deadline=None)
@given(rich_rows)
def test_inserting_events_among_the_log_equals_summarising_the_whole_log(
    rows: list[tuple[str, str, int, int | None, int, str, str, bool]],
) -> None:
    events = rich_events(rows)
    inserted = [e for e, row in zip(events, rows, strict=True) if row[-1]]
    first = [e for e, row in zip(events, rows, strict=True) if not row[-1]]
    summary = LogSummary.of(StoreData(events=first))
    before = summary.to_json()
    chosen = Settings(active="other", shared_credit=False)
    roadmaps = {"demo": RoadmapSettings(started=T0.date())}

    deletes = any(e.replaces and not e.note for e in first)

    if summary.insert(chosen, roadmaps, ordered(inserted), log_deletes_notes=deletes):
        whole = LogSummary.build(chosen, roadmaps, events)
        assert summary.to_json() == whole.to_json()
        assert not any(e.replaces for e in inserted)
    else:  # only notes edited or deleted, or a newest time in two forms, need the log
        assert summary.to_json() == before
        forms = {e.ts.utcoffset() for e in events if e.ts == max(e.ts for e in events)}
        assert (
            any(e.replaces for e in inserted)
            or (deletes and any(e.note for e in inserted))
            or len(forms) > 1
        )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.none() | st.integers(1, 3),  # sequence number: runs of one number are common
            st.integers(0, 5),  # hours after T0: equal times are common
            st.sampled_from([0, 60, -90]),  # the time's UTC offset in minutes
        ),
        max_size=30,
    )
)
def test_the_newest_time_is_the_one_adding_each_event_in_turn_keeps(
    rows: list[tuple[int | None, int, int]],
) -> None:
    """Of equal times written with different offsets, the first in log order."""
    events = [
        Event(id=f"ev-{n:06d}", seq=seq, roadmap="demo", item="a", action="done",
              ts=(T0 + timedelta(hours=hours)).astimezone(timezone(timedelta(minutes=offset))))
        for n, (seq, hours, offset) in enumerate(rows)
    ]  # fmt: skip
    added = LogSummary()
    for event in ordered(events):
        added.add(event)
    built = LogSummary.of(StoreData(events=events))
    assert built.to_json() == added.to_json()
    if events:
        assert built.newest == max(e.ts for e in events)


# ---------------------------------------------------------------------------
# The cache beside the store


def tick(*items: str) -> None:
    tracker.mark(tracker.Tracker(), queries=list(items), action="done")


def summary_files(home: Path) -> list[Path]:
    return sorted((home / "cache" / "stores").glob("*.json"))


def test_a_tick_leaves_a_summary_that_the_next_command_uses(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tick("vectors-matrices")
    tick("probability-basics")
    assert len(summary_files(isolated_home)) == 1

    def no_full_read(*args: object, **kwargs: object) -> object:
        raise AssertionError("the store was read in full")

    for name in ("decode", "decode_full", "decode_events", "decode_log"):
        monkeypatch.setattr(f"mlroadmap.store.{name}", no_full_read)
    t = tracker.Tracker()
    states = t.states(t.roadmap())
    assert states["vectors-matrices"].status == "done"
    assert states["probability-basics"].status == "done"
    tick("descriptive-stats")  # the append path reads no event either
    t = tracker.Tracker()
    assert t.states(t.roadmap())["descriptive-stats"].status == "done"
    # Without the cache the same command must read the log: the guard above can fail.
    shutil.rmtree(isolated_home / "cache")
    with pytest.raises(AssertionError, match="read in full"):
        tracker.Tracker().states(t.roadmap())


def forbid_full_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_full_read(*args: object, **kwargs: object) -> object:
        raise AssertionError("the store was read in full")

    for name in ("decode", "decode_full", "decode_events", "decode_log"):
        monkeypatch.setattr(f"mlroadmap.store.{name}", no_full_read)


def put_back_a_copy(path: Path) -> None:
    """``path`` replaced by a copy of its bytes: another file (inode, times)."""
    copy = path.with_name("copy")
    copy.write_bytes(path.read_bytes())
    os.replace(copy, path)


@pytest.mark.parametrize("backup", ["as it was", "a copy", "none"])
def test_a_copy_of_the_very_bytes_summarised_keeps_the_summary(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, backup: str
) -> None:
    tick("vectors-matrices")
    tick("probability-basics")  # the backup is now the store's first line and tick
    tracker.Tracker().indexed()  # the log's index, built
    path = isolated_home / "store.json"
    key = os.stat(path)
    put_back_a_copy(path)
    if backup == "a copy":
        put_back_a_copy(backup_path(path))
    elif backup == "none":
        backup_path(path).unlink()
    assert os.stat(path).st_ino != key.st_ino
    before = path.read_bytes()

    with monkeypatch.context() as patched:
        forbid_full_reads(patched)
        t = tracker.Tracker()
        assert t.states(t.roadmap())["probability-basics"].status == "done"
        _, log = tracker.Tracker().indexed()  # the index is known again by its checksum
        assert [e.item for e in log.events(range(len(log)))] == [
            "vectors-matrices", "probability-basics"
        ]  # fmt: skip
        tick("descriptive-stats")  # appended, the backup caught up as for any append
    assert t.store.cache_problem is None
    data = Store(path).load()
    assert [e.item for e in data.events] == [
        "vectors-matrices", "probability-basics", "descriptive-stats"
    ]  # fmt: skip
    assert Store(path).read_bytes() == encode(data)
    assert backup_path(path).read_bytes() == before  # the store as it was before the tick


@pytest.mark.parametrize("change", ["one byte", "the backup"])
def test_a_copy_that_differs_is_read_in_full(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    tick("vectors-matrices")
    tick("probability-basics")
    path = isolated_home / "store.json"
    put_back_a_copy(path)
    if change == "one byte":  # the same size, another status
        path.write_bytes(path.read_bytes().replace(b'"done"}', b'"skip"}', 1))
    else:  # a backup that is not the start of the store: checked against it
        backup_path(path).write_bytes(path.read_bytes()[:-1] + b" \n")
    with monkeypatch.context() as patched:
        forbid_full_reads(patched)
        with pytest.raises(AssertionError, match="read in full"):
            tracker.Tracker().summary.statuses()
    statuses = tracker.Tracker().summary.statuses()
    first = "skip" if change == "one byte" else "done"
    assert statuses[("ml-12-weeks", "vectors-matrices")] == first


def test_a_hand_edit_of_the_store_is_seen_by_the_next_command(isolated_home: Path) -> None:
    tick("vectors-matrices")
    path = isolated_home / "store.json"
    lines = path.read_bytes().splitlines(keepends=True)
    event = json.loads(lines[1])
    event["action"] = "skip"
    path.write_bytes(lines[0] + json.dumps(event).encode() + b"\n")
    t = tracker.Tracker()
    assert t.states(t.roadmap())["vectors-matrices"].status == "skip"


def test_a_summary_for_another_file_is_never_used(isolated_home: Path) -> None:
    tick("vectors-matrices")
    path = isolated_home / "store.json"
    same_size = path.read_bytes().replace(b'"done"', b'"skip"')
    os.replace(path, path.with_name("old"))
    path.write_bytes(same_size)  # a new file (new inode) of the same size
    t = tracker.Tracker()
    assert t.states(t.roadmap())["vectors-matrices"].status == "skip"


def test_a_broken_summary_cache_costs_only_time(isolated_home: Path) -> None:
    tick("vectors-matrices")
    for cache in summary_files(isolated_home):
        cache.write_text("{ not json")
    t = tracker.Tracker()
    assert t.states(t.roadmap())["vectors-matrices"].status == "done"
    tick("probability-basics")
    assert Store().summary().statuses()[("ml-12-weeks", "probability-basics")] == "done"


# ---------------------------------------------------------------------------
# Appending: a line a write, torn lines, older formats


def test_ticks_append_one_line_each_and_keep_earlier_bytes(isolated_home: Path) -> None:
    tick("vectors-matrices")
    first = (isolated_home / "store.json").read_bytes()
    tick("probability-basics", "descriptive-stats")
    after = (isolated_home / "store.json").read_bytes()
    assert after.startswith(first)
    added = after[len(first) :].decode().splitlines()
    assert [json.loads(line)["item"] for line in added] == [
        "probability-basics",
        "descriptive-stats",
    ]


def test_a_torn_last_line_is_ignored_and_cut_by_the_next_write(isolated_home: Path) -> None:
    tick("vectors-matrices")
    path = isolated_home / "store.json"
    whole = path.read_bytes()
    path.write_bytes(whole + b'{"id":"torn","ts":"2026-')  # a write killed half-way
    data = Store().load()
    assert [e.item for e in data.events] == ["vectors-matrices"]
    t = tracker.Tracker()
    assert t.states(t.roadmap())["vectors-matrices"].status == "done"
    tick("probability-basics")
    text = path.read_text()
    assert "torn" not in text
    assert text.endswith("\n")
    assert [e.item for e in Store().load().events] == ["vectors-matrices", "probability-basics"]


def test_a_bad_line_in_the_middle_is_reported_with_its_line_number(isolated_home: Path) -> None:
    tick("vectors-matrices")
    tick("probability-basics")
    path = isolated_home / "store.json"
    head, _, second = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(head + b"{oops\n" + second)
    with pytest.raises(StoreError, match=r"line 2 is not valid JSON \(Expecting .*; column 2\)"):
        Store().load()


def test_a_version_1_store_is_read_and_rewritten_as_lines_on_the_next_write(
    isolated_home: Path,
) -> None:
    event = tracker.new_event("ml-12-weeks", "vectors-matrices", "done")
    version_1 = json.dumps(
        {
            "schema_version": 1,
            "settings": {"active": "ml-12-weeks"},
            "events": [json.loads(event.model_dump_json(exclude_none=True))],
        }
    ).encode()
    isolated_home.mkdir(parents=True, exist_ok=True)
    path = isolated_home / "store.json"
    path.write_bytes(version_1)
    t = tracker.Tracker()
    assert t.states(t.roadmap())["vectors-matrices"].status == "done"
    assert path.read_bytes() == version_1  # reading never rewrites
    tick("probability-basics")
    assert path.with_name("store.json.v1.bak").read_bytes() == version_1
    data, migrated = decode(path.read_bytes(), path)
    assert not migrated
    assert [e.item for e in data.events] == ["vectors-matrices", "probability-basics"]
    assert json.loads(path.read_bytes().splitlines()[0])["schema_version"] == 2


def test_encode_and_decode_agree(isolated_home: Path) -> None:
    events = [
        tracker.new_event("ml-12-weeks", item, "done", note='quote " and },{"id": inside')
        for item in ("vectors-matrices", "probability-basics")
    ]
    data = StoreData(events=events)
    raw = encode(data)
    assert raw.count(b"\n") == 3  # the settings line and one line an event
    assert decode(raw, Path("store.json")) == (data, False)


def test_a_backup_that_is_not_the_start_of_the_store_becomes_a_whole_copy(
    isolated_home: Path,
) -> None:
    tick("vectors-matrices")
    tick("probability-basics")
    backup = backup_path(isolated_home / "store.json")
    backup.write_bytes(b"something else entirely\n")  # not the start of the store
    tick("descriptive-stats")
    assert backup.read_bytes() == b"".join(
        (isolated_home / "store.json").read_bytes().splitlines(keepends=True)[:3]
    )


def test_start_dates_come_from_the_earliest_tick(isolated_home: Path) -> None:
    tick("vectors-matrices")
    t = tracker.Tracker()
    roadmap = t.roadmap()
    assert t.started(roadmap.id) == tracker.local_today()
    assert Store().summary().started == {}  # derived, never written by a tick
