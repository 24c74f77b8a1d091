"""An export reads only the log's note events, through its index, without Pydantic.

What it writes must be byte for byte what the same export writes from a full
read of the store (every event validated, every item replayed), whatever the
notes hold and however they came: text with Markdown's specials, control and
bidirectional characters and line breaks; times with offsets other than UTC;
back-dated events; notes edited and deleted; events on an item's old ID; in
local time zones whose days differ from UTC's. The events read through the
index must hold what validation gives, with the day the index holds.
"""

from __future__ import annotations

import os
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
from pydantic import TypeAdapter

from mlroadmap import exporter
from mlroadmap.events import IndexedEvent, read_indexed
from mlroadmap.logindex import IndexedLog, LogIndex
from mlroadmap.progress import replay
from mlroadmap.records import Event, LogEvent, StoreData
from mlroadmap.store import Store, encode
from mlroadmap.tracker import Tracker

from .test_export_text import AWKWARD, WHITESPACE
from .test_light_log import same_event
from .test_progress import DEMO, LEAVES, T0

LIGHT = TypeAdapter(LogEvent)
ZONES = ["UTC", "Asia/Kolkata", "America/St_Johns", "Pacific/Kiritimati", "Etc/GMT+12"]
ITEMS = [*LEAVES, "bee", "gone"]  # "bee" is b's old ID; "gone" is no longer in the roadmap

VALID = [t for t in AWKWARD + WHITESPACE if t.encode("utf-8", "replace").decode() == t]
note_text = st.lists(
    st.one_of(
        st.sampled_from(VALID),  # no lone surrogates: the store holds only valid Unicode
        st.text(max_size=4),
    ),
    max_size=8,
).map("".join)

event_rows = st.lists(
    st.tuples(
        st.sampled_from(ITEMS),
        st.sampled_from(["note", "note", "done", "start", "skip", "todo"]),
        st.integers(0, 24 * 40 * 60),  # minutes after T0: days cross in every zone
        st.integers(0, 999_999),  # microseconds (0: a time written to the second)
        st.integers(-14 * 4, 14 * 4).map(lambda q: timedelta(minutes=15 * q)),  # its offset
        st.one_of(st.none(), note_text),
        st.one_of(st.none(), st.integers(0, 30)),  # back-dated by so many days
        st.one_of(st.none(), st.integers(1, 10**6)),  # seq
        st.sampled_from(["new", "new", "new", "edit", "delete"]),
        st.sampled_from(["demo", "demo", "other"]),
    ),
    max_size=30,
)


def make_events(rows: list[tuple[Any, ...]]) -> list[Event]:
    """Events of the rows; an edit or a deletion replaces an earlier event's note."""
    events: list[Event] = []
    for n, (item, action, minutes, micro, offset, note, back, seq, kind, roadmap) in enumerate(
        rows
    ):
        ts = (T0 + timedelta(minutes=minutes, microseconds=micro)).astimezone(timezone(offset))
        replaces = None
        if kind != "new" and events:
            replaces = events[(n * 7) % len(events)].id
            note = None if kind == "delete" else (note or "edited")
        events.append(
            Event(
                id=f"event-{n:04d}",
                seq=seq,
                ts=ts,
                roadmap=roadmap,
                item=item,
                action="note" if replaces is not None else action,
                note=note,
                on=(T0.date() - timedelta(days=back)) if back is not None else None,
                replaces=replaces,
            )
        )
    return events


@contextmanager
def local_zone(name: str) -> Iterator[None]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def exports(roadmap: Any, states: Any) -> list[str]:
    started = date(2026, 3, 1)
    return [
        exporter.markdown(roadmap, states, started),
        exporter.json_text(roadmap, states, started),
        exporter.csv_text(roadmap, states),
    ]


def carries_note(event: Event) -> bool:
    return bool(event.note) or event.replaces is not None


@settings(max_examples=150, deadline=None)
@given(
    event_rows,
    st.integers(0, 30),
    st.booleans(),
    st.sampled_from(ZONES),
    st.sampled_from(["index", "lines", "whole file"]),
)
def test_an_export_through_the_index_is_the_export_of_a_full_read(
    rows: list[tuple[Any, ...]], cut: int, later: bool, zone: str, way: str
) -> None:
    """The export reads its notes from the index (``index``); when the index's note
    columns do not read back, from the log's lines, one by one or cut from the
    whole file. Events are added after the index is built: appended as a command
    appends them (``later``: each after every event of the log, so the index grows
    by them), or written on the end of the file by hand (the index is built again)."""
    events = make_events(rows)
    first, rest = events[:cut], events[cut:]
    if later:
        rest = [e.model_copy(update={"seq": 2_000_000 + n}) for n, e in enumerate(rest)]
    with local_zone(zone), tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "store.json")
        store.path.write_bytes(encode(StoreData(events=first)))
        Tracker(store=store).noted_states(DEMO)  # the index, built from the whole store
        if rest and later:
            store.append(lambda _: (rest, {}))
        elif rest:
            with store.path.open("ab") as f:
                f.write(encode(StoreData(events=rest)).split(b"\n", 1)[1])
        Tracker(store=store).indexed()  # the index brought up to date and saved
        expected = exports(DEMO, replay(DEMO, store.load().events))
        with pytest.MonkeyPatch.context() as patch:
            if way != "index":
                patch.setattr(LogIndex, "notes", lambda self, roadmap: None)
            if way == "whole file":
                patch.setattr(IndexedLog, "MANY", 0)
            tracker = Tracker(store=store)
            assert exports(DEMO, tracker.noted_states(DEMO)) == expected
            log = tracker.indexed()[1]
            read_whole = way == "whole file" and bool(log.index.noted("demo"))
            assert (log.raw is not None) == read_whole
        if later and first and rest and way == "index":
            grew = any(map(carries_note, first)) and any(map(carries_note, rest))
            assert b"".join(log.index.noted_bytes).count(b"\n") == (
                2 if grew else 1 if any(map(carries_note, events)) else 0
            )


@settings(max_examples=200, deadline=None)
@given(event_rows, st.sampled_from(ZONES))
def test_events_read_through_the_index_hold_what_validation_gives(
    rows: list[tuple[Any, ...]], zone: str
) -> None:
    with local_zone(zone):
        events = make_events(rows)
        lines = [e.model_dump_json(exclude_none=True).encode() for e in events]
        validated = [LIGHT.validate_json(line) for line in lines]
        days = [e.day for e in validated]  # what the index holds for each line
        read = read_indexed(lines, days)
        assert all(type(e) is IndexedEvent for e in read)
        assert all(same_event(a, b) for a, b in zip(read, validated, strict=True))
        assert [e.day for e in read if e is not None] == days
        assert [e.ts.isoformat() for e in read if e is not None] == [
            e.ts.isoformat() for e in validated
        ]


def test_a_line_not_in_the_stores_form_is_left_to_the_validator() -> None:
    good = (b'{"id":"abcdefgh","ts":"2026-03-02T09:00:00Z","roadmap":"demo","item":"a",'
            b'"action":"note","note":"x"}')  # fmt: skip
    day = date(2026, 3, 2)
    others = [
        good.replace(b'"ts":"2026-03-02T09:00:00Z"', b'"ts":1772442000'),  # a Unix time
        good.replace(b"09:00:00Z", b"09:00:00"),  # no offset
        good.replace(b'"note":"x"', b'"note":7'),
        good.replace(b'"action":"note"', b'"action":"note","seq":"3"'),
        good.replace(b'"action":"note"', b'"action":"note","undated":false'),
        good.replace(b'"action":"note"', b'"action":"note","extra":1'),
        good.replace(b'"item":"a",', b""),
        b"not json",
        b"[1]",
    ]
    read = read_indexed([good, *others, good], [day] * (len(others) + 2))
    assert read[1:-1] == [None] * len(others)
    for event in (read[0], read[-1]):
        assert event is not None
        assert (event.id, event.note, event.day) == ("abcdefgh", "x", day)
        assert event.ts == datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
