"""The light read of the log: what ``log``, ``export`` and ``doctor`` hold instead of models.

``LogEvent`` must accept exactly the lines ``Event`` accepts and hold the same
values; reading a store light must give the same events, the same refusals and
the same messages; the one-pass summary, the one-sort ``by_day``, the notes an
export replays and the count of a backup from its lines must each equal what
they replace.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from mlroadmap import store as store_module
from mlroadmap.errors import StoreError
from mlroadmap.progress import (
    LogSummary,
    attach_notes,
    by_day,
    ordered,
    replay,
)
from mlroadmap.records import Event, LogEvent, Settings, StoreData
from mlroadmap.store import (
    _prefix_events,
    decode_full,
    decode_log,
    encode,
    line_slices,
    salvage,
    salvage_log,
)

from .test_progress import DEMO, LEAVES, T0

FIELDS = ("id", "seq", "ts", "roadmap", "item", "action", "on", "note", "undated", "reverts",
          "replaces")  # fmt: skip
LIGHT = TypeAdapter(LogEvent)


def same_event(a: Any, b: Any) -> bool:
    return all(getattr(a, f) == getattr(b, f) for f in FIELDS) and (a.order, a.day) == (
        b.order,
        b.day,
    )


# ---------------------------------------------------------------------------
# LogEvent validates as Event does

good = {
    "id": st.sampled_from(["abcdefgh", "0123456789abcdef0123456789abcdef", "x" * 64]),
    "seq": st.one_of(st.none(), st.integers(min_value=1, max_value=2**53 - 1)),
    "ts": st.sampled_from(
        ["2026-03-02T09:00:00Z", "2026-03-02T23:30:00.5+05:30", "1970-01-01T00:00:00Z"]
    ),
    "roadmap": st.sampled_from(["demo", "ml-12-weeks"]),
    "item": st.sampled_from(["a", "week-1", "s1-g2-item-3"]),
    "action": st.sampled_from(["done", "start", "skip", "todo", "note"]),
    "on": st.one_of(st.none(), st.sampled_from(["2026-03-01", "1999-12-31"])),
    "note": st.one_of(st.none(), st.text(max_size=30)),
    "undated": st.one_of(st.none(), st.just(True)),
    "reverts": st.one_of(st.none(), st.just("abcdefgh")),
    "replaces": st.one_of(st.none(), st.just("01234567")),
}  # fmt: skip
bad = {
    "id": st.sampled_from(["short", "y" * 65, 12345678, None]),
    "seq": st.sampled_from([0, -1, 2**53, "7", 1.5, True]),
    "ts": st.sampled_from(["2026-03-02T09:00:00", "yesterday", 5, "2026-02-30T00:00:00Z"]),
    "roadmap": st.sampled_from(["Demo", "", "a--b", "-a", "x" * 65]),
    "item": st.sampled_from(["A", "a b", "a_b", None]),
    "action": st.sampled_from(["undo", "DONE", "", None]),
    "on": st.sampled_from(["2026-13-01", "soon", 3]),
    "note": st.sampled_from(["n" * 10_001, 3, ["x"]]),
    "undated": st.sampled_from([False, "yes", 1]),
    "reverts": st.sampled_from(["short", 5]),
    "replaces": st.sampled_from(["short", ""]),
}  # fmt: skip


@st.composite
def event_lines(draw: st.DrawFn) -> bytes:
    """A JSON line that is an event, nearly one, or something else altogether."""
    shape = draw(st.sampled_from(["object", "object", "object", "other", "text"]))
    if shape == "other":
        value = draw(st.sampled_from([[], ["abcdefgh"], "done", 3, None, True]))
        return json.dumps(value).encode()
    if shape == "text":
        return draw(st.sampled_from([b"", b"   ", b"{", b'{"id": }', b"\xff\xfe", b"{}{}"]))
    doc: dict[str, Any] = {}
    for name in FIELDS:
        kind = draw(st.sampled_from(["good", "good", "good", "good", "missing", "bad"]))
        if kind == "good":
            value = draw(good[name])
            if value is not None or draw(st.booleans()):
                doc[name] = value
        elif kind == "bad":
            doc[name] = draw(bad[name])
    if draw(st.integers(0, 9)) == 0:
        doc["extra"] = 1
    return json.dumps(doc, separators=(",", ":")).encode()


@settings(max_examples=600, deadline=None)
@given(event_lines())
def test_a_log_event_accepts_exactly_the_lines_an_event_accepts(line: bytes) -> None:
    try:
        model: Event | None = Event.model_validate_json(line)
    except ValidationError:
        model = None
    try:
        light: LogEvent | None = LIGHT.validate_json(line)
    except ValidationError:
        light = None
    assert (model is None) == (light is None)
    if model is not None:
        assert same_event(model, light)


def test_a_log_event_is_lighter_than_an_event() -> None:
    line = (b'{"id":"0123456789abcdef","ts":"2026-03-02T09:00:00Z","roadmap":"demo",'
            b'"item":"a","action":"done"}')  # fmt: skip
    light = LIGHT.validate_json(line)
    assert not hasattr(light, "__dict__")  # slotted
    with pytest.raises(AttributeError):
        light.note = "changed"  # type: ignore[misc]
    assert same_event(light, Event.model_validate_json(line))


# ---------------------------------------------------------------------------
# Stores read light: the same events, the same refusals


ACTIONS = ["done", "start", "skip", "todo", "note"]
ITEMS = [*LEAVES, "bee", "gone"]

rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(ITEMS),
        st.sampled_from(ACTIONS),
        st.integers(min_value=0, max_value=400),  # hours after T0; ties are common
        st.booleans(),  # with a note
        st.one_of(st.none(), st.integers(min_value=0, max_value=30)),  # back-dated
        st.sampled_from(["demo", "other"]),
        st.one_of(st.none(), st.integers(min_value=1, max_value=60)),  # seq
        st.integers(min_value=0, max_value=5),  # 1: undated; 2: reverts; 3, 4: replaces
    ),
    max_size=40,
)


def make_events(rows: list[tuple[Any, ...]]) -> list[Event]:
    events: list[Event] = []
    for n, (item, action, hours, note, back, roadmap, seq, extra) in enumerate(rows):
        earlier = events[n // 2].id if events else "missing0"
        events.append(
            Event(
                id=f"e-{n:04d}-{hours:03d}",
                seq=seq,
                ts=T0 + timedelta(hours=hours),
                roadmap=roadmap,
                item=item,
                action=action,
                note=("a note" if extra != 4 else None) if (note or action == "note") else None,
                on=(T0.date() - timedelta(days=back)) if back is not None else None,
                undated=True if extra == 1 else None,
                reverts=earlier if extra == 2 else None,
                replaces=earlier if extra in (3, 4) else None,
            )
        )
    return events


def store_bytes(events: list[Event], blanks: list[int], torn: bool) -> bytes:
    lines = encode(StoreData(events=events)).split(b"\n")[:-1]
    for at in sorted(blanks, reverse=True):
        lines.insert(min(1 + at, len(lines)), b"  " if at % 2 else b"")
    raw = b"\n".join(lines) + b"\n"
    return raw + (b'{"id":"torn-off' if torn else b"")


@settings(max_examples=150, deadline=None)
@given(rows_strategy, st.lists(st.integers(0, 40), max_size=3), st.booleans())
def test_a_store_read_light_holds_the_same_events(
    rows: list[tuple[Any, ...]], blanks: list[int], torn: bool
) -> None:
    raw = store_bytes(make_events(rows), blanks, torn)
    full = decode_full(raw, Path("s"))
    light = decode_log(raw, Path("s"))
    assert (light.torn, light.migrated) == (full.torn, full.migrated) == (torn, False)
    assert light.settings == full.data.settings
    assert len(light.events) == len(full.data.events) == len(rows)
    assert all(same_event(a, b) for a, b in zip(full.data.events, light.events, strict=True))
    assert all(type(e) is LogEvent for e in light.events)


@settings(max_examples=60, deadline=None)
@given(rows_strategy.filter(bool), st.data())
def test_a_damaged_store_read_light_is_refused_with_the_same_message(
    rows: list[tuple[Any, ...]], data: st.DataObject
) -> None:
    lines = encode(StoreData(events=make_events(rows))).split(b"\n")[:-1]
    for _ in range(data.draw(st.integers(1, 7))):
        at = data.draw(st.integers(1, len(lines) - 1))
        lines[at] = data.draw(event_lines().filter(lambda b: b.strip() != b""))
    raw = b"\n".join(lines) + b"\n"
    try:
        decode_full(raw, Path("s"))
    except StoreError as exc:
        expected: str | None = exc.message
    else:
        expected = None
    assume(expected is not None)
    with pytest.raises(StoreError) as caught:
        decode_log(raw, Path("s"))
    assert caught.value.message == expected
    whole, light = salvage(raw), salvage_log(raw)
    assert whole.data is not None
    assert light.log is not None
    assert (light.bad_lines, light.lost_ids) == (whole.bad_lines, whole.lost_ids)
    assert [e.id for e in light.log.events] == [e.id for e in whole.data.events]


def test_a_version_1_store_reads_light_too() -> None:
    event = {"id": "v1-event-1", "ts": "2026-03-02T09:00:00Z", "roadmap": "demo",
             "item": "a", "action": "done"}  # fmt: skip
    raw = json.dumps({"schema_version": 1, "events": [event]}).encode()
    light = decode_log(raw, Path("s"))
    assert (light.migrated, light.torn) == (True, False)
    assert [type(e) for e in light.events] == [LogEvent]
    assert same_event(light.events[0], decode_full(raw, Path("s")).data.events[0])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=12).map(lambda b: b.replace(b"\n", b"")), max_size=30),
       st.booleans(), st.integers(1, 40))  # fmt: skip
def test_lines_in_slices_are_the_lines_that_end(lines: list[bytes], torn: bool, size: int) -> None:
    data = b"".join(line + b"\n" for line in lines) + (b"rest" if torn else b"")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store_module, "SLICE_BYTES", size)
        sliced = [line for part in line_slices(data) for line in part]
    assert sliced == lines


# ---------------------------------------------------------------------------
# The summary in one pass, by_day in one sort, an export's notes


def summary_by_adding(events: list[Event]) -> LogSummary:
    summary = LogSummary()
    for event in ordered(events):
        summary.add(event)
    return summary


@settings(max_examples=300, deadline=None)
@given(rows_strategy, st.booleans())
def test_building_a_summary_equals_adding_every_event_in_order(
    rows: list[tuple[Any, ...]], light: bool
) -> None:
    events: list[Any] = make_events(rows)
    if light:
        events = [LIGHT.validate_json(e.model_dump_json()) for e in events]
    built = LogSummary.build(Settings(), {}, events)
    assert built.to_json() == summary_by_adding(events).to_json()
    in_order = LogSummary.build(Settings(), {}, ordered(events), in_order=True)
    assert in_order.to_json() == built.to_json()


@settings(max_examples=200, deadline=None)
@given(rows_strategy)
def test_by_day_is_log_order_sorted_by_day(rows: list[tuple[Any, ...]]) -> None:
    events = make_events(rows)
    assert [e.id for e in by_day(events)] == [
        e.id for e in sorted(ordered(events), key=lambda e: e.day)
    ]


@settings(max_examples=300, deadline=None)
@given(rows_strategy)
def test_an_export_sees_the_notes_and_states_a_full_replay_gives(
    rows: list[tuple[Any, ...]],
) -> None:
    events = make_events(rows)
    summary = LogSummary.build(Settings(), {}, events)
    noted = attach_notes(DEMO, summary.states(DEMO), events)
    full = replay(DEMO, events)
    for item in {*noted, *full}:
        a, b = noted.get(item), full.get(item)
        assert a is not None
        assert b is not None
        assert (a.status, a.day, a.undated) == (b.status, b.day, b.undated)
        assert [n.id for n in a.notes] == [n.id for n in b.notes]


# ---------------------------------------------------------------------------
# doctor: a backup that is the store's first bytes, counted from its lines


@settings(max_examples=150, deadline=None)
@given(rows_strategy, st.lists(st.integers(0, 40), max_size=3), st.booleans(), st.data())
def test_a_backup_counted_from_its_lines_matches_one_salvaged(
    rows: list[tuple[Any, ...]], blanks: list[int], torn: bool, data: st.DataObject
) -> None:
    raw = store_bytes(make_events(rows), blanks, torn)
    cut = data.draw(st.integers(0, len(raw)))
    braw = raw[:cut]
    count = _prefix_events(braw, raw)
    salvaged = salvage(braw)
    if count is None:
        assert cut <= raw.index(b"\n")  # only a backup without a whole header line
    else:
        assert salvaged.data is not None
        assert (count, 0) == (len(salvaged.data.events), salvaged.bad_lines)


@pytest.mark.parametrize("blank", [b"", b" \t"])
def test_a_blank_line_and_an_unfinished_last_line_are_not_counted(blank: bytes) -> None:
    raw = store_bytes(make_events([("a", "done", 1, False, None, "demo", None, 0)] * 2), [], False)
    head, first, second = raw.split(b"\n")[:3]
    damaged = b"\n".join([head, first, blank, second, b'{"id":"never-ended'])
    salvaged = salvage(damaged)
    assert salvaged.data is not None
    assert _prefix_events(damaged, damaged) == len(salvaged.data.events) == 2


def test_a_backup_that_differs_from_the_store_is_not_counted_from_its_lines() -> None:
    raw = store_bytes(make_events([("a", "done", 1, False, None, "demo", None, 0)]), [], False)
    assert _prefix_events(raw.replace(b'"done"', b'"skip"'), raw) is None
    assert _prefix_events(raw, raw) == 1


def test_day_and_order_of_a_light_event_follow_the_model() -> None:
    event = Event(id="abcdefgh", seq=3, ts=datetime(2026, 3, 2, 23, 30, tzinfo=timezone.utc),
                  roadmap="demo", item="a", action="done", on=date(2026, 3, 1))  # fmt: skip
    light = LIGHT.validate_json(event.model_dump_json())
    assert (light.day, light.order) == (date(2026, 3, 1), (3, event.ts, "abcdefgh"))


# ---------------------------------------------------------------------------
# merge: appended when every new event comes after the log, else rewritten


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 300), min_size=1, max_size=12),  # the store's events (hours)
    st.lists(st.integers(-50, 400), min_size=0, max_size=8),  # the other's new events
    st.booleans(),  # the new events carry sequence numbers after the store's
)
def test_a_merge_appends_exactly_when_it_equals_the_rewrite(
    ours: list[int], theirs: list[int], numbered: bool
) -> None:
    import tempfile

    from mlroadmap.store import Store, merge_data, read_other

    def event(n: int, hours: int, seq: int | None) -> Event:
        ts = T0 + timedelta(hours=hours)
        return Event(id=f"ev-{n:06d}", seq=seq, ts=ts, roadmap="demo", item="a", action="done")

    mine = [event(n, h, n + 1) for n, h in enumerate(ours)]
    top = len(mine)
    new = [event(100 + n, h, top + 1 + n if numbered else None) for n, h in enumerate(theirs)]
    a = StoreData(settings=Settings(active="demo"), events=mine)
    b = StoreData(settings=Settings(active="demo"), events=[*mine[::2], *new])
    expected = merge_data(a, b)
    with tempfile.TemporaryDirectory() as folder:
        path, other = Path(folder) / "store.json", Path(folder) / "other.json"
        Store(path).write(a)
        inode = path.stat().st_ino
        other.write_bytes(encode(b))
        theirs_read = read_other(other, today=T0.date() + timedelta(days=30))
        merged = Store(path).merge(theirs_read)
        assert (merged.added, merged.total) == (
            len(expected.events) - len(mine),
            len(expected.events),
        )
        # Appended or rewritten, the store is byte for byte what the rewrite writes
        # (its events in log order), and its summary is the merged log's.
        assert path.read_bytes() == encode(expected)
        assert Store(path).summary().to_json() == LogSummary.of(expected).to_json()
        later = all(e.order > max(m.order for m in mine) for e in new)
        rewritten = path.stat().st_ino != inode  # a rewrite replaces the file
        assert rewritten == bool(new and not later)  # nothing new: nothing written
        assert Store(path).load() == expected  # the store, with its backup, still reads


# ---------------------------------------------------------------------------
# export --format json: the same text as the standard library's indented JSON

json_documents = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.text()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(json_documents)
def test_indented_json_is_what_the_standard_library_writes(document: object) -> None:
    from mlroadmap.exporter import indented_json

    assert indented_json(document) == json.dumps(document, ensure_ascii=False, indent=2)


def test_indented_json_writes_a_lone_surrogate_as_the_standard_library_does() -> None:
    from mlroadmap.exporter import indented_json

    document = {"notes": ["a \udcff b", {"x": "\ud800"}], "n": 3, "empty": [{}, []]}
    assert indented_json(document) == json.dumps(document, ensure_ascii=False, indent=2)
