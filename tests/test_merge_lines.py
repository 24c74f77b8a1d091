"""`merge` works on the lines of both copies as read: what it keeps, appends and rewrites.

The store's events are compared by value with the other copy's, and the
merged store is written from the lines as they were read; every line of the
other copy is validated unless it is byte for byte a line of the store.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlroadmap.errors import StoreError, UserError
from mlroadmap.progress import LogSummary, ordered
from mlroadmap.records import Event, Settings, StoreData
from mlroadmap.store import (
    Merged,
    Store,
    _days,
    _log_event_validator,
    _log_order,
    backup_path,
    decode_events,
    encode,
    merge_data,
    read_other,
)

from .test_summary import rich_events, rich_rows

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
TODAY = T0.date() + timedelta(days=30)


def event(n: int, hours: int, seq: int | None = None, **fields: object) -> Event:
    values: dict[str, object] = {
        "id": f"ev-{n:06d}", "seq": seq, "ts": T0 + timedelta(hours=hours),
        "roadmap": "demo", "item": f"item-{n % 5}", "action": "done", **fields,
    }  # fmt: skip
    return Event.model_validate(values)


def ours_of(events: list[Event]) -> StoreData:
    return StoreData(settings=Settings(active="demo"), events=events)


def respelled(e: Event) -> bytes:
    """``e`` as another writer might put it: keys reversed, spaces, "+00:00", nulls."""
    doc = e.model_dump(mode="json")  # with the fields that are None, as null
    doc["ts"] = e.ts.isoformat()  # "+00:00" where the store writes "Z"
    return json.dumps(dict(reversed(doc.items())), separators=(", ", ": ")).encode()


def other_file(tmp_path: Path, data: StoreData, lines: list[bytes]) -> Path:
    head = data.model_dump_json(exclude_none=True, exclude={"events"}).encode()
    path = tmp_path / "laptop.json"
    path.write_bytes(b"\n".join([head, *lines, b""]))
    return path


def store_with(tmp_path: Path, data: StoreData) -> Store:
    store = Store(tmp_path / "home" / "store.json")
    with store.locked():
        store.write(data)
    return store


def merge(store: Store, other: Path) -> Merged:
    return store.merge(read_other(other, today=TODAY))


def the_store(store: Store) -> StoreData:
    return Store(store.path).load()


def decoded(path: Path) -> StoreData:
    from mlroadmap.store import _store_data

    return _store_data(decode_events(path.read_bytes(), path))


# ---------------------------------------------------------------------------
# Equal by value, different as bytes


def test_shared_events_spelled_differently_add_nothing_and_leave_the_store(
    tmp_path: Path,
) -> None:
    mine = [event(n, n, seq=n + 1, note="a note" if n % 2 else None) for n in range(6)]
    store = store_with(tmp_path, ours_of(mine))
    before, inode = store.path.read_bytes(), store.path.stat().st_ino
    other = other_file(tmp_path, ours_of(mine), [respelled(e) for e in mine])
    assert all(line not in before for line in other.read_bytes().splitlines()[1:])

    merged = merge(store, other)

    assert (merged.added, merged.total) == (0, 6)
    assert store.path.read_bytes() == before
    assert store.path.stat().st_ino == inode
    assert merged.summary.to_json() == LogSummary.of(ours_of(mine)).to_json()


def test_new_events_after_the_log_are_appended_as_the_other_wrote_them(tmp_path: Path) -> None:
    mine = [event(n, n, seq=n + 1) for n in range(5)]
    new = [event(10 + n, 50 + n, seq=6 + n, note=f"from the laptop {n}") for n in range(3)]
    store = store_with(tmp_path, ours_of(mine))
    before, inode = store.path.read_bytes(), store.path.stat().st_ino
    lines = [respelled(e) for e in [*mine[::2], *new]]
    other = other_file(tmp_path, ours_of(mine), lines)

    merged = merge(store, other)

    assert (merged.added, merged.total) == (3, 8)
    assert store.path.stat().st_ino == inode  # appended, not rewritten
    assert store.path.read_bytes() == before + b"".join(line + b"\n" for line in lines[-3:])
    expected = merge_data(ours_of(mine), decoded(other))
    assert the_store(store) == expected
    assert Store(store.path).summary().to_json() == LogSummary.of(expected).to_json()
    assert backup_path(store.path).read_bytes() == before  # the store as it was


@settings(max_examples=120, deadline=None)
@given(rich_rows, st.sampled_from(["current", "a copy", "missing"]), st.integers(0, 3))
def test_the_summary_a_merge_leaves_is_that_of_the_merged_store(
    rows: list[tuple[Any, ...]], cache: str, shared: int
) -> None:
    """Whether the merge adds the other's events to the store's summary (a summary
    that vouches for the store, and nothing that needs the whole log) or builds
    the summary anew: the same summary as reading the merged store whole."""
    made = rich_events(rows)
    mine = [e for e, row in zip(made, rows, strict=True) if not row[-1]]
    theirs = [*mine[:shared], *(e for e, row in zip(made, rows, strict=True) if row[-1])]
    with tempfile.TemporaryDirectory() as tmp:
        store = store_with(Path(tmp), ours_of(mine))
        if cache == "missing":
            for path in store._summary_cache().parent.glob("*.json"):
                path.unlink()
        elif cache == "a copy":
            _copy_in_place(store.path)
        other = Path(tmp) / "laptop.json"
        other.write_bytes(encode(ours_of(theirs)))

        merged = merge(Store(store.path), other)

        expected = merge_data(ours_of(mine), ours_of(theirs))
        got = the_store(store)  # (events appended after a store out of order stay so)
        assert got.model_copy(update={"events": ordered(got.events)}) == expected
        whole = LogSummary.of(expected).to_json()
        assert merged.summary.to_json() == whole
        assert Store(store.path).summary().to_json() == whole


def test_new_events_among_the_stores_are_added_to_its_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A merge into a store its summary vouches for (or a copy of its very bytes)
    adds the other's events to that summary: the log is not summarised anew."""
    mine = [event(n, 2 * n, seq=n + 1, note="mine" if n % 3 else None) for n in range(8)]
    new = [event(20 + n, 2 * n + 1, seq=n + 1, action="skip") for n in range(0, 8, 3)]
    store = store_with(tmp_path, ours_of(mine))
    _copy_in_place(store.path)
    other = tmp_path / "laptop.json"
    other.write_bytes(encode(ours_of([*mine[:4], *new])))

    def no_build(*args: object, **kwargs: object) -> LogSummary:
        raise AssertionError("the whole log was summarised")

    with monkeypatch.context() as patched:
        patched.setattr(LogSummary, "build", no_build)
        merged = merge(Store(store.path), other)

    expected = merge_data(ours_of(mine), ours_of([*mine[:4], *new]))
    assert (merged.added, merged.total) == (3, 11)
    assert the_store(store) == expected
    assert [e.id for e in expected.events][:3] == ["ev-000000", "ev-000020", "ev-000001"]
    assert merged.summary.to_json() == LogSummary.of(expected).to_json()
    statuses = merged.summary.statuses()
    assert statuses[("demo", "item-1")] == "skip"  # ev-000026 comes after ev-000006
    assert statuses[("demo", "item-0")] == "done"  # ev-000020 comes before ev-000005


def test_new_events_within_the_log_rewrite_it_in_log_order(tmp_path: Path) -> None:
    mine = [event(n, 2 * n) for n in range(6)]  # no sequence numbers: ordered by time
    new = [event(20, 3), event(21, 7)]  # between the store's events
    store = store_with(tmp_path, ours_of(mine))
    before, inode = store.path.read_bytes(), store.path.stat().st_ino
    theirs = StoreData(settings=Settings(active="demo"), events=[*mine[:2], *new])
    other = other_file(tmp_path, theirs, [e.model_dump_json(exclude_none=True).encode()
                                          for e in theirs.events])  # fmt: skip

    merged = merge(store, other)

    expected = merge_data(ours_of(mine), theirs)
    assert (merged.added, merged.total) == (2, 8)
    assert store.path.stat().st_ino != inode
    assert store.path.read_bytes() == encode(expected)
    assert [e.id for e in the_store(store).events] == [
        "ev-000000", "ev-000001", "ev-000020", "ev-000002", "ev-000003", "ev-000021",
        "ev-000004", "ev-000005",
    ]  # fmt: skip
    assert backup_path(store.path).read_bytes() == before
    assert Store(store.path).summary().to_json() == LogSummary.of(expected).to_json()
    assert merged.summary.to_json() == LogSummary.of(expected).to_json()


def test_a_new_setting_rewrites_even_when_the_events_could_be_appended(tmp_path: Path) -> None:
    mine = [event(n, n, seq=n + 1) for n in range(3)]
    store = store_with(tmp_path, ours_of(mine))
    stamp = (9, T0)
    theirs = StoreData(
        settings=Settings(active="other", changed={"active": stamp}),
        events=[*mine, event(9, 40, seq=4)],
    )
    other = tmp_path / "laptop.json"
    other.write_bytes(encode(theirs))
    inode = store.path.stat().st_ino

    merged = merge(store, other)

    assert (merged.added, merged.total) == (1, 4)
    assert store.path.stat().st_ino != inode
    data = the_store(store)
    assert data == merge_data(ours_of(mine), theirs)
    assert (data.settings.active, merged.summary.active) == ("other", "other")


@pytest.mark.parametrize("later", [True, False])
def test_blank_lines_in_the_store_leave_each_event_with_its_own_line(
    tmp_path: Path, later: bool
) -> None:
    mine = [event(n, 2 * n, note=f"note {n}") for n in range(5)]
    store = store_with(tmp_path, ours_of(mine))
    head, *lines = store.path.read_bytes().splitlines(keepends=True)
    store.path.write_bytes(b"".join([head, lines[0], b"\n", lines[1], b" \t\n", *lines[2:]]))
    new = [event(20, 100 if later else 3, note="from the laptop")]
    theirs = ours_of([*mine, *new])
    other = tmp_path / "laptop.json"
    other.write_bytes(encode(theirs))

    merged = merge(Store(store.path), other)

    expected = merge_data(ours_of(mine), theirs)
    assert (merged.added, merged.total) == (1, 6)
    assert sorted(the_store(store).events, key=lambda e: e.order) == expected.events
    if not later:  # rewritten: in log order, without the blank lines
        assert store.path.read_bytes() == encode(expected)


# ---------------------------------------------------------------------------
# Two versions of one event (a hand edit)


@pytest.mark.parametrize("note", ["b: edited on the laptop", "0: edited on the laptop"])
def test_of_two_versions_of_one_event_the_later_is_kept(tmp_path: Path, note: str) -> None:
    mine = [event(n, n, seq=n + 1, note="a: as first written") for n in range(4)]
    edited = mine[2].model_copy(update={"note": note})
    store = store_with(tmp_path, ours_of(mine))
    before = store.path.read_bytes()
    theirs = ours_of([*mine[:2], edited, mine[3]])
    other = tmp_path / "laptop.json"
    other.write_bytes(encode(theirs))

    merged = merge(store, other)

    expected = merge_data(ours_of(mine), theirs)
    kept = {e.id: e.note for e in expected.events}["ev-000002"]
    assert kept == max(note, "a: as first written")  # same place in the log: by JSON text
    assert (merged.added, merged.total) == (0, 4)
    assert the_store(store) == expected
    assert (store.path.read_bytes() == before) == (kept == "a: as first written")


# ---------------------------------------------------------------------------
# The store's cache gone or stale: the store is read and checked whole


def _copy_in_place(path: Path) -> None:
    """The store replaced by a copy of itself (a new inode: the cache is stale)."""
    shutil.copy2(path, path.with_name("copy"))
    os.replace(path.with_name("copy"), path)


@pytest.mark.parametrize("cache", ["missing", "stale"])
def test_a_merge_reads_a_store_its_cache_does_not_vouch_for(tmp_path: Path, cache: str) -> None:
    mine = [event(n, n, seq=n + 1) for n in range(5)]
    store = store_with(tmp_path, ours_of(mine))
    if cache == "missing":
        for path in store._summary_cache().parent.glob("*.json"):
            path.unlink()
    else:
        _copy_in_place(store.path)
    theirs = ours_of([*mine, event(30, 60, seq=6), event(31, 61, seq=7)])
    other = tmp_path / "laptop.json"
    other.write_bytes(encode(theirs))

    merged = merge(Store(store.path), other)

    expected = merge_data(ours_of(mine), theirs)
    assert (merged.added, merged.total) == (2, 7)
    assert the_store(store) == expected
    fresh = Store(store.path)
    assert fresh.summary().to_json() == LogSummary.of(expected).to_json()
    assert fresh.cache_problem is None


def test_a_merge_into_a_store_missing_events_its_cache_counted_is_refused(
    tmp_path: Path,
) -> None:
    mine = [event(n, n, seq=n + 1) for n in range(5)]
    store = store_with(tmp_path, ours_of(mine))
    cut = store.path.read_bytes().rsplit(b"\n", 2)[0] + b"\n"  # the last event removed
    store.path.write_bytes(cut)
    other = tmp_path / "laptop.json"
    other.write_bytes(encode(ours_of([*mine, event(30, 60, seq=6)])))

    with pytest.raises(StoreError, match="missing"):
        merge(Store(store.path), other)
    assert store.path.read_bytes() == cut


def test_a_torn_last_line_of_the_store_is_left_out_and_the_store_rewritten(
    tmp_path: Path,
) -> None:
    mine = [event(n, n, seq=n + 1) for n in range(4)]
    store = store_with(tmp_path, ours_of(mine))
    store.path.write_bytes(store.path.read_bytes() + b'{"id":"ev-000099","seq":9')
    inode = store.path.stat().st_ino
    theirs = ours_of([*mine, event(30, 60, seq=5)])
    other = tmp_path / "laptop.json"
    other.write_bytes(encode(theirs))

    merged = merge(Store(store.path), other)

    assert (merged.added, merged.total) == (1, 5)
    assert store.path.stat().st_ino != inode  # the unfinished line is cut by a rewrite
    assert store.path.read_bytes() == encode(merge_data(ours_of(mine), theirs))


def test_a_merge_into_a_store_with_a_bad_line_is_refused_with_its_number(
    tmp_path: Path,
) -> None:
    mine = [event(n, n, seq=n + 1) for n in range(4)]
    store = store_with(tmp_path, ours_of(mine))
    head, *lines = store.path.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1].replace(b'"done"', b'"finished"')
    damaged = b"".join([head, *lines])
    store.path.write_bytes(damaged)
    other = tmp_path / "laptop.json"
    other.write_bytes(encode(ours_of([*mine, event(30, 60, seq=5)])))

    with pytest.raises(StoreError, match=r"line 3: action"):
        merge(Store(store.path), other)
    assert store.path.read_bytes() == damaged


# ---------------------------------------------------------------------------
# The other copy is validated line by line


def test_a_bad_line_of_the_other_copy_is_refused_with_its_number(tmp_path: Path) -> None:
    mine = [event(n, n, seq=n + 1) for n in range(3)]
    store = store_with(tmp_path, ours_of(mine))
    before = store.path.read_bytes()
    lines = [e.model_dump_json(exclude_none=True).encode() for e in mine]
    bad = respelled(event(7, 9, seq=4)).replace(b'"done"', b'"finished"')
    other = other_file(tmp_path, ours_of(mine), [*lines, bad])

    with pytest.raises(UserError, match=r"line 5: action") as raised:
        merge(store, other)
    assert "not a store this mlroadmap can merge" in raised.value.message
    assert store.path.read_bytes() == before


def test_an_impossible_date_is_refused_even_on_an_event_the_store_holds(tmp_path: Path) -> None:
    odd = event(1, 0).model_copy(update={"ts": datetime(9999, 12, 31, tzinfo=timezone.utc)})
    mine = [event(0, 0, seq=1), odd]
    store = store_with(tmp_path, ours_of(mine))
    before = store.path.read_bytes()
    other = tmp_path / "laptop.json"
    other.write_bytes(before)  # byte for byte the store: its lines need no second check

    with pytest.raises(UserError, match="impossible dates"):
        merge(store, other)
    assert store.path.read_bytes() == before


# ---------------------------------------------------------------------------
# The day of each event, worked out with its place in the log


@contextmanager
def local_zone(name: str) -> Iterator[None]:
    if not Path("/usr/share/zoneinfo", name).exists():
        pytest.skip(f"no time zone data for {name}")
    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


# Local midnights fall on a quarter of an hour in UTC in every zone below; times
# are drawn a moment either side of one, up to past where seconds are exact.
instants = st.builds(
    lambda day, quarter, micros: (
        datetime(1970, 1, 1, tzinfo=timezone.utc)
        + timedelta(days=day, minutes=15 * quarter, microseconds=micros)
    ),
    st.integers(0, 2**32 // 86400 + 3),
    st.integers(0, 95),
    st.sampled_from([-1_000_001, -1, 0, 1, 999_999, 1_000_000]) | st.integers(-(10**6), 10**6),
)
offsets = st.sampled_from([0, 345, -210, 780, -600]).map(lambda m: timezone(timedelta(minutes=m)))


@pytest.mark.parametrize(
    "zone",
    ["UTC", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns",
     "Pacific/Chatham", "Africa/Casablanca"],
)  # fmt: skip
@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(instants, offsets, st.none() | st.integers(1, 3), st.booleans()), max_size=12
    )
)
def test_the_merge_orders_events_and_finds_their_days_as_the_records_do(
    zone: str, rows: list[tuple[datetime, timezone, int | None, bool]]
) -> None:
    validate = _log_event_validator()
    events = [
        validate(
            Event(id=f"ev-{n:06d}", seq=seq, ts=ts.astimezone(offset), roadmap="demo",
                  item="a", action="done", on=date(2026, 1, 1) if on else None)
            .model_dump_json(exclude_none=True)
        )
        for n, (ts, offset, seq, on) in enumerate(rows)
    ]  # fmt: skip
    with local_zone(zone):
        order, seconds = _log_order(events, list(range(len(events)))[::-1])
        assert order == sorted(range(len(events)), key=lambda k: events[k].order)
        assert _days(events, order, seconds) == [events[k].day for k in order]


# ---------------------------------------------------------------------------
# A rewrite that fails leaves the store as it was


@pytest.mark.parametrize("call", ["write", "fsync", "link", "replace"])
def test_a_merge_whose_rewrite_fails_leaves_the_store_as_it_was(tmp_path: Path, call: str) -> None:
    import errno

    from .test_store_durability import Faults, tmp_files

    mine = [event(n, 2 * n) for n in range(6)]
    store = store_with(tmp_path, ours_of(mine))
    before, backup_before = store.path.read_bytes(), backup_path(store.path).exists()
    other = tmp_path / "laptop.json"
    other.write_bytes(encode(ours_of([*mine, event(20, 3)])))  # within the log: a rewrite
    theirs = read_other(other, today=TODAY)

    with pytest.MonkeyPatch.context() as mp:
        faults = Faults(mp, store.path.parent)
        faults.fail(call, errno.ENOSPC)
        with pytest.raises(StoreError, match="No space left on device"):
            Store(store.path).merge(theirs)

    assert faults.raised >= 1
    assert store.path.read_bytes() == before
    assert backup_path(store.path).exists() == backup_before
    assert tmp_files(store.path.parent) == []
    assert Store(store.path).summary().to_json() == LogSummary.of(ours_of(mine)).to_json()


def test_work_done_while_a_file_is_flushed_that_fails_leaves_no_file(tmp_path: Path) -> None:
    from mlroadmap import fsio

    target = tmp_path / "file"
    target.write_bytes(b"old")
    ran: list[int] = []

    def work() -> None:
        ran.append(1)
        raise RuntimeError("the work failed")

    with pytest.raises(RuntimeError, match="the work failed"):
        fsio.atomic_write(target, b"new" * 100_000, meanwhile=work)
    assert ran == [1]
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]

    fsio.atomic_write(target, b"new", meanwhile=lambda: ran.append(2))
    assert (ran, target.read_bytes()) == ([1, 2], b"new")
