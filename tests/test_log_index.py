"""The log's index: what ``log``, ``export`` and ``doctor`` read the log through.

The index must hold the events in the order ``by_day`` gives, answer every
filter as filtering the events would, grow by appended events to exactly
what building it anew gives, survive no damage unnoticed, and never let a
command see a store other than the one on disk: after appends, rewrites,
edits in place and a change of time zone the commands answer as a full read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from mlroadmap.events import read_event
from mlroadmap.logindex import LogIndex, id_hash
from mlroadmap.progress import by_day, ordered
from mlroadmap.records import Event, LogEvent
from mlroadmap.store import Store

from .cli_run import install_clock, run, run_json
from .test_light_log import FIELDS, event_lines, make_events, rows_strategy, same_event

ZONE = "test-zone"
LIGHT = TypeAdapter(LogEvent)


def built(events: list[Event]) -> LogIndex:
    """An index whose offsets are the events' positions in ``events``."""
    return LogIndex.build(enumerate(events), zone=ZONE, store_key=None, covered=0, crc=0)


def notes_of(index: LogIndex, roadmap: str) -> list[tuple[Any, ...]]:
    """The note events the index holds for ``roadmap``: every field, the day and the
    time's text kept for the JSON export."""
    held = index.notes(roadmap)
    assert held is not None
    assert all(e.at == e.ts.isoformat() for e in held)
    return [(*(getattr(e, f) for f in FIELDS), e.day, e.at) for e in held]


def columns(index: LogIndex) -> list[tuple[Any, ...]]:
    """Each indexed event as (offset, day, (roadmap, item), flags, ID hash)."""
    return [
        (index.offsets[p], index.days[p], index.pairs[index.codes[p]], index.flags[p],
         index.hashes[p])
        for p in range(len(index))
    ]  # fmt: skip


# ---------------------------------------------------------------------------
# The index itself


@settings(max_examples=300, deadline=None)
@given(rows_strategy, st.data())
def test_the_index_holds_the_log_by_day_and_answers_filters_as_the_events_do(
    rows: list[tuple[Any, ...]], data: st.DataObject
) -> None:
    events = make_events(rows)
    index = built(events)
    assert [events[o].id for o in index.offsets] == [e.id for e in by_day(events)]
    assert list(index.days) == [e.day.toordinal() for e in by_day(events)]
    day = st.one_of(st.none(), st.dates(date(2025, 12, 1), date(2026, 4, 1)))
    since, until = data.draw(day), data.draw(day)
    roadmap = data.draw(st.sampled_from([None, "demo", "other", "absent"]))
    expected = [
        e.id
        for e in by_day(events)
        if (roadmap is None or e.roadmap == roadmap)
        and (since is None or e.day >= since)
        and (until is None or e.day <= until)
    ]
    found = index.positions(roadmap=roadmap, since=since, until=until)
    assert [events[index.offsets[p]].id for p in found] == expected
    noted = [
        e.id for e in by_day(events) if e.roadmap == "demo" and (e.note or e.replaces is not None)
    ]
    assert [events[index.offsets[p]].id for p in index.noted("demo")] == noted
    # ... and holds those events whole, with their days, in the order they were indexed
    assert notes_of(index, "demo") == [
        (*(getattr(e, f) for f in FIELDS), e.day, e.ts.isoformat())
        for e in events
        if e.roadmap == "demo" and (e.note or e.replaces is not None)
    ]
    assert index.per_item() == Counter((e.roadmap, e.item) for e in events)
    assert index.duplicates == len(events) - len({e.id for e in events})


@settings(max_examples=300, deadline=None)
@given(rows_strategy, st.integers(0, 40))
def test_an_index_grown_by_appended_events_is_the_index_built_whole(
    rows: list[tuple[Any, ...]], cut: int
) -> None:
    events = ordered(make_events(rows))  # log order: each after every one before it
    whole = built(events)
    grown = built(events[:cut])
    assert grown.extend(list(enumerate(events))[cut:], store_key=None, covered=7, crc=9)
    assert columns(grown) == columns(whole)
    for roadmap in ("demo", "other"):
        assert notes_of(grown, roadmap) == notes_of(whole, roadmap)
    assert (grown.last, grown.low, grown.high, grown.duplicates) == (
        whole.last,
        whole.low,
        whole.high,
        whole.duplicates,
    )
    assert (grown.covered, grown.crc) == (7, 9)


@settings(max_examples=200, deadline=None)
@given(rows_strategy.filter(lambda rows: len(rows) >= 2), st.data())
def test_an_event_not_after_the_last_is_refused_and_changes_nothing(
    rows: list[tuple[Any, ...]], data: st.DataObject
) -> None:
    events = ordered(make_events(rows))
    index = built(events[1:])
    before = index.to_bytes()
    late = data.draw(st.integers(1, len(events) - 1))
    # the first event of the log comes before every one indexed (or is one of them)
    appended = [(len(events), e) for e in [*events[late:], events[0]]]
    assert not index.extend(appended, store_key=None, covered=1, crc=1)
    assert index.to_bytes() == before


@settings(max_examples=100, deadline=None)
@given(rows_strategy, st.data())
def test_the_index_file_reads_back_whole_and_any_damaged_byte_is_noticed(
    rows: list[tuple[Any, ...]], data: st.DataObject
) -> None:
    index = built(make_events(rows))
    index.store_key = (1, 2, 3, 4, 5)
    raw = index.to_bytes()
    back = LogIndex.from_bytes(raw, zone=ZONE)
    assert back is not None
    assert columns(back) == columns(index)
    assert notes_of(back, "demo") == notes_of(index, "demo")
    assert (back.store_key, back.last, back.low, back.high) == (
        index.store_key,
        index.last,
        index.low,
        index.high,
    )
    assert LogIndex.from_bytes(raw, zone="another zone") is None
    at = data.draw(st.integers(0, len(raw) - 1))
    flip = data.draw(st.integers(1, 255))
    damaged = raw[:at] + bytes([raw[at] ^ flip]) + raw[at + 1 :]
    assert LogIndex.from_bytes(damaged, zone=ZONE) is None
    assert LogIndex.from_bytes(raw[: data.draw(st.integers(0, len(raw) - 1))], zone=ZONE) is None


def test_note_columns_that_do_not_read_back_leave_the_export_to_the_logs_lines(
    clocked: Path,
) -> None:
    run("note", "derivatives", "first try")
    run("note", "derivatives", "second try")
    expected = run("export", "--format", "json").stdout
    path = index_file(clocked)
    index = LogIndex.from_bytes(path.read_bytes(), zone=_zone())
    assert index is not None
    held = index.notes("ml-12-weeks")
    assert held is not None
    assert [e.note for e in held] == ["first try", "second try"]
    for junk in (b"[]", b'{"code":[0],"day":[1]}', b"not json"):
        index.noted_bytes = [junk + b"\n"]  # whole (the file's checksum holds), not columns
        assert index.notes("ml-12-weeks") is None
        path.write_bytes(index.to_bytes())
        assert run("export", "--format", "json").stdout == expected
        assert LogIndex.from_bytes(path.read_bytes(), zone=_zone()) is not None  # left as it was


def test_note_text_that_is_not_unicode_is_read_from_the_lines_not_the_columns() -> None:
    from mlroadmap.events import PlainEvent

    ts = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    events = [
        PlainEvent(id="abcdefgh", ts=ts, roadmap="demo", item="a", action="note", note="ok"),
        PlainEvent(id="ijklmnop", ts=ts, roadmap="demo", item="a", action="note", note="\udcff"),
    ]
    index = LogIndex.build(enumerate(events), zone=ZONE, store_key=None, covered=0, crc=0)
    back = LogIndex.from_bytes(index.to_bytes(), zone=ZONE)
    assert back is not None
    assert columns(back) == columns(index)
    assert back.notes("demo") is None  # so IndexedLog.notes reads the lines


def test_an_id_hash_is_the_same_in_every_process() -> None:
    # Python's own hash() of a string changes from one process to the next; this must not.
    ids = ["0123456789abcdef", "abcdefgh", "abcdefgi"]
    code = f"from mlroadmap.logindex import id_hash; print([id_hash(i) for i in {ids!r}])"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert json.loads(other.stdout) == [id_hash(i) for i in ids]
    assert len(set(json.loads(other.stdout))) == 3


@settings(max_examples=600, deadline=None)
@given(event_lines())
def test_a_line_read_back_without_pydantic_holds_what_validation_gives(line: bytes) -> None:
    try:
        validated = LIGHT.validate_json(line)
    except ValidationError:
        return  # the index points only at lines that validated
    read = read_event(line)
    if read is not None:
        assert same_event(read, validated)


@settings(max_examples=200, deadline=None)
@given(rows_strategy)
def test_every_line_the_store_writes_is_read_back_without_pydantic(
    rows: list[tuple[Any, ...]],
) -> None:
    for event in make_events(rows):
        line = event.model_dump_json(exclude_none=True).encode()
        read = read_event(line)
        assert read is not None
        assert same_event(read, LIGHT.validate_json(line))


# ---------------------------------------------------------------------------
# Through the commands: never a stale answer

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def clocked(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    install_clock(monkeypatch, START)
    monkeypatch.setattr("mlroadmap.tracker.local_today", lambda: date(2026, 3, 10))
    return isolated_home


def index_file(home: Path) -> Path:
    [found] = (home / "cache" / "stores").glob("*-index-*.bin")
    return found


def log_ids(*args: str) -> list[str]:
    return [e["id"] for e in run_json("log", "--all", *args)["events"]]


def full_read_ids(home: Path) -> list[str]:
    return [e.id for e in by_day(Store(home / "store.json").load().events)]


def test_log_after_appends_rewrites_and_edits_answers_as_a_full_read(clocked: Path) -> None:
    store = clocked / "store.json"
    run("done", "week-1")
    run("note", "derivatives", "first try")
    assert log_ids() == full_read_ids(clocked)
    indexed = index_file(clocked).read_bytes()
    # an append grows the index (the store is not read again for it)
    run("start", "week-2")
    assert index_file(clocked).read_bytes() != indexed
    index = LogIndex.from_bytes(index_file(clocked).read_bytes(), zone=_zone())
    assert index is not None
    assert index.covered == store.stat().st_size
    assert log_ids() == full_read_ids(clocked)
    # a rewrite (a start date) and an undo
    run("use", "ml-12-weeks", "--start", "2026-03-01")
    run("undo")
    assert log_ids() == full_read_ids(clocked)
    # an edit in place, the same size: the note's text changes
    raw = store.read_bytes()
    assert raw.count(b"first try") == 1
    store.write_bytes(raw.replace(b"first try", b"FIRST TRY"))
    notes = [e["note"] for e in run_json("log", "--all")["events"] if e["note"]]
    assert notes == ["FIRST TRY"]
    assert "FIRST TRY" in run("export", "--format", "md").stdout
    # the index deleted, or damaged: built again
    index_file(clocked).write_bytes(b"junk")
    assert log_ids() == full_read_ids(clocked)
    index_file(clocked).unlink()
    assert log_ids("-r", "ml-12-weeks") == full_read_ids(clocked)


def test_a_line_appended_by_hand_is_validated_before_the_index_takes_it(clocked: Path) -> None:
    store = clocked / "store.json"
    run("done", "week-1")
    log_ids()  # the index now describes the store
    with store.open("ab") as f:
        f.write(b'{"id":"by-hand-0001","ts":"2026-03-03T10:00:00Z","roadmap":"ml-12-weeks",'
                b'"item":"derivatives","action":"skip"}\n')  # fmt: skip
    assert log_ids()[-1] == "by-hand-0001"
    with store.open("ab") as f:
        f.write(b'{"id":"by-hand-0002","ts":"not a time","roadmap":"ml-12-weeks",'
                b'"item":"derivatives","action":"skip"}\n')  # fmt: skip
    result = run("log", code=1)
    assert "line" in result.stderr
    assert "not valid" in result.stderr


def _zone() -> str:
    from mlroadmap.events import local_zone

    return local_zone()


@pytest.fixture
def zone_of() -> Iterator[Any]:
    """Set the local time zone for the rest of the test (and put it back after)."""
    before = os.environ.get("TZ")

    def set_zone(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield set_zone
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_another_time_zone_gives_its_own_days(clocked: Path, zone_of: Any) -> None:
    zone_of("UTC")
    run("done", "week-1")  # at 09:00 UTC on 2026-03-02
    [event, *_] = run_json("log", "--all")["events"]
    assert event["day"] == "2026-03-02"
    zone_of("America/Los_Angeles")  # 01:00 on the same day
    assert run_json("log", "--all")["events"][0]["day"] == "2026-03-02"
    zone_of("Etc/GMT+12")  # 21:00 the day before
    assert run_json("log", "--all")["events"][0]["day"] == "2026-03-01"
    assert run_json("log", "--since", "2026-03-02")["events"] == []
    # the summary (what the calendar counts) is made anew for the zone too
    days = run_json("log", "--calendar")["days"]
    assert list(days) == ["2026-03-01"]
    zone_of("UTC")
    assert list(run_json("log", "--calendar")["days"]) == ["2026-03-02"]


def test_doctor_checks_every_line_once_then_only_changed_bytes(clocked: Path) -> None:
    store = clocked / "store.json"
    run("done", "week-1")
    first = run_json("doctor")
    second = run_json("doctor")
    assert first["checked_every_line"] is True
    assert second["checked_every_line"] is False
    assert {k: v for k, v in second.items() if k != "checked_every_line"} == {
        k: v for k, v in first.items() if k != "checked_every_line"
    }
    assert run_json("doctor", "--full")["checked_every_line"] is True
    run("done", "week-2")  # appended: the index grows, still no full check
    grown = run_json("doctor")
    assert grown["checked_every_line"] is False
    assert grown["events"] == first["events"] * 2
    # A changed byte, the same size: the checksum no longer matches, every line is read.
    raw = bytearray(store.read_bytes())
    at = raw.index(b'"action":"done"') + len(b'"action":"')
    raw[at] = ord("D")
    store.write_bytes(bytes(raw))
    damaged = json.loads(run("doctor", "--json", code=1).stdout)
    assert damaged["healthy"] is False
    assert damaged["checked_every_line"] is True
    assert "not valid" in damaged["problem"]


def test_doctor_counts_orphans_the_same_both_ways(clocked: Path) -> None:
    store = clocked / "store.json"
    run("done", "week-1")
    with store.open("ab") as f:
        for n in range(3):
            f.write(b'{"id":"orphan-%04d","ts":"2026-03-03T10:00:00Z","roadmap":"ml-12-weeks",'
                    b'"item":"no-such-item","action":"done"}\n' % n)  # fmt: skip
    full = run_json("doctor")
    quick = run_json("doctor")
    assert full["orphans"] == quick["orphans"] == [
        {"roadmap": "ml-12-weeks", "item": "no-such-item", "events": 3,
         "reason": "the roadmap has no such item"}
    ]  # fmt: skip
    assert quick["checked_every_line"] is False


def test_show_item_reads_only_that_items_events_and_shows_them_all(clocked: Path) -> None:
    run("done", "week-1")
    run("note", "derivatives", "one")
    run("note", "derivatives", "two")
    run("start", "derivatives")
    shown = run("show", "derivatives").stdout
    assert "one" in shown
    assert "two" in shown
    index = LogIndex.from_bytes(index_file(clocked).read_bytes(), zone=_zone())
    assert index is not None
    wanted = index.of_items("ml-12-weeks", {"derivatives"})
    events = Store(clocked / "store.json").load().events
    assert len(wanted) == sum(e.item == "derivatives" for e in events) == 3  # notes, start


def test_the_index_file_is_one_an_export_never_overwrites(clocked: Path) -> None:
    run("done", "week-1")
    log_ids()
    target = index_file(clocked)
    before = target.read_bytes()
    result = run("export", "-o", str(target), code=2)
    assert "store's own files" in result.stderr
    assert target.read_bytes() == before


def test_a_read_event_has_the_fields_a_log_event_has() -> None:
    line = (b'{"id":"abcdefgh","seq":3,"ts":"2026-03-02T23:30:00.5+05:30","roadmap":"demo",'
            b'"item":"a","action":"note","on":"2026-03-01","note":"x",'
            b'"replaces":"01234567"}')  # fmt: skip
    read = read_event(line)
    assert read is not None
    assert read.ts == datetime(2026, 3, 2, 18, 0, 0, 500000, tzinfo=timezone.utc)
    assert read.on == date(2026, 3, 1)
    assert read.order == (3, read.ts, "abcdefgh")
    assert read.day == date(2026, 3, 1)
    assert read_event(line.replace(b'"seq":3', b'"seq":3.0')) is None  # left to Pydantic
    assert read_event(line.replace(b"+05:30", b"")) is None
    assert read_event(b"[1]") is None


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.text(), st.none())),
        max_size=8,
    ),
    st.text(),
)
def test_a_streamed_array_is_written_as_the_same_json_as_a_list(
    items: list[dict[str, Any]], text: str
) -> None:
    import contextlib
    import io

    from mlroadmap.jsondoc import Streamed, emit

    made: list[int] = []

    def each() -> Iterator[dict[str, Any]]:
        for n, item in enumerate(items):
            made.append(n)
            yield item

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        emit({"text": text, "events": Streamed(len(items), each), "after": 1})
    assert json.loads(out.getvalue()) == {"text": text, "events": items, "after": 1}
    assert made == list(range(len(items)))  # made once each, in order
    plain = io.StringIO()
    with contextlib.redirect_stdout(plain):
        emit({"text": text, "events": items, "after": 1})
    assert out.getvalue() == plain.getvalue()


def test_log_all_as_json_lists_every_event_by_day(clocked: Path) -> None:
    for week in ("week-1", "week-2"):
        run("done", week)
    run("note", "derivatives", "a note")
    document = run_json("log", "--all")
    assert document["matched"] == document["shown"] == len(full_read_ids(clocked))
    assert [e["id"] for e in document["events"]] == full_read_ids(clocked)
    assert run_json("log", "-n", "2")["events"] == document["events"][-2:]
