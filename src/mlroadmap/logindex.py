"""Where each event of the store's log lies, in the order ``log`` shows them.

The index is a cache derived from the log, kept beside the log's summary. For
every event line of the store it holds the line's byte offset, the day the
event counts for, its roadmap and item, whether it carries or changes a note,
and a 64-bit hash of its ID, sorted by day and then by log order (what
``progress.by_day`` gives); and every event that carries or changes a note,
whole (its fields as columns of JSON, in the order they were indexed). It is
built only from lines that were validated whole, and it is bound to the bytes
it describes by their CRC-32. So the commands that read events read only the
lines they show (``log``), an export reads its notes without reading the log
at all, and ``doctor`` knows a store whose bytes have not changed since every
line of it was last validated.

An event appended to the log comes after every event already in it (each
takes the next sequence number, and a merge appends only when that holds),
so the index grows with the log: each new event goes after the events of its
day. Anything else (a rewrite, an edited line, another time zone) makes the
index be built again from the whole log.
"""

from __future__ import annotations

import json
import os
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta, timezone
from itertools import compress
from typing import TYPE_CHECKING, Any

from mlroadmap.errors import StoreError
from mlroadmap.events import local_zone
from mlroadmap.fsio import FileKey, file_key

__all__ = ["INDEX_FORMAT", "IndexedLog", "LogIndex", "id_hash", "local_zone"]

if TYPE_CHECKING:
    from pathlib import Path

    from mlroadmap.events import IndexedEvent
    from mlroadmap.records import EventLike, LogEvent

INDEX_FORMAT = 2  # 2: the note events kept whole
MAGIC = b"mlroadmap log index\n"
NOTE = 1  # flag: the event carries a note, or edits or deletes one
_NOTE_ONLY = bytes(flag & NOTE for flag in range(256))  # a flags byte to its note flag

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)

Order = tuple[int, int, str]  # seq (0 when none), time in microseconds since 1970, ID

# The columns of the note events, each a list of one value an event: the event's
# (roadmap, item) code and day (ordinal), then its own fields as the line has them.
NOTE_COLUMNS = ("code", "day", "id", "seq", "ts", "action", "on", "note", "undated", "reverts",
                "replaces")  # fmt: skip


def id_hash(event_id: str) -> int:
    """A 64-bit hash of an event ID, the same in every process (for counting duplicates)."""
    raw = event_id.encode("utf-8")
    return (zlib.crc32(raw) << 32) | zlib.adler32(raw)


def _order(event: EventLike) -> Order:
    return (event.seq or 0, (event.ts - _EPOCH) // _MICROSECOND, event.id)


def _row(offset: int, event: EventLike) -> tuple[Any, ...]:
    """An event as the index sorts and keeps it: (day, *order), offset, roadmap,
    item, flags, ID hash, and the earliest and latest day it names."""
    when = event.ts.date().toordinal()
    on = event.on.toordinal() if event.on is not None else when
    flag = NOTE if event.note or event.replaces is not None else 0
    return (
        (event.day.toordinal(), *_order(event)),
        offset,
        event.roadmap,
        event.item,
        flag,
        id_hash(event.id),
        min(when, on),
        max(when, on),
    )


class LogIndex:
    """The events of a store's log by day, then log order (see the module's text).

    ``covered`` bytes of the store are described, whose CRC-32 is ``crc``;
    ``store_key`` is the identity of the file when the index last matched it
    exactly. ``low`` and ``high`` are the earliest and latest days any event
    names (its time's date or the day it was back-dated to), as ordinals.
    ``noted_bytes`` holds the note events whole: a JSON line of ``NOTE_COLUMNS``
    for those indexed together (the events of a build, or of one append), each
    ending in a line break, in one or more parts (as read, then appended); they
    are read only by ``notes``.
    """

    __slots__ = (
        "codes",
        "covered",
        "crc",
        "days",
        "duplicates",
        "flags",
        "hashes",
        "high",
        "last",
        "low",
        "noted_bytes",
        "offsets",
        "pairs",
        "store_key",
        "zone",
    )

    def __init__(self, *, zone: str, store_key: FileKey | None, covered: int, crc: int) -> None:
        self.zone = zone
        self.store_key = store_key
        self.covered = covered
        self.crc = crc
        self.last: Order | None = None  # the latest event in log order
        self.pairs: list[tuple[str, str]] = []  # (roadmap, item) by code
        self.offsets = array("q")
        self.days = array("i")
        self.codes = array("I")  # into ``pairs``
        self.flags = array("B")
        self.hashes = array("Q")
        self.duplicates = 0
        self.low, self.high = date.max.toordinal(), 0  # as if empty
        self.noted_bytes: list[bytes | memoryview] = []

    def __len__(self) -> int:
        return len(self.offsets)

    # -- building ---------------------------------------------------------

    @classmethod
    def build(
        cls,
        located: Iterable[tuple[int, EventLike]],
        *,
        zone: str,
        store_key: FileKey | None,
        covered: int,
        crc: int,
    ) -> LogIndex:
        """The index of every ``(offset, event)`` of a log, in any order."""
        index = cls(zone=zone, store_key=store_key, covered=covered, crc=crc)
        # Each event's row is taken apart as it is made (a whole log's rows at once
        # would be most of a full check's memory), then the columns put in order.
        keys: list[tuple[Any, ...]] = []
        offsets, codes, flags, hashes = array("q"), array("I"), array("B"), array("Q")
        known: dict[tuple[str, str], int] = {}
        notes = _NoteColumns()
        for offset, event in located:
            row = _row(offset, event)
            index._note((row,))
            keys.append(row[0])
            offsets.append(row[1])
            code = index._code(row[2], row[3], known)
            codes.append(code)
            flags.append(row[4])
            hashes.append(row[5])
            if row[4] & NOTE:
                notes.add(code, row[0][0], event)
        index._keep(notes)
        order = sorted(range(len(keys)), key=keys.__getitem__)
        index.days = array("i", [keys[i][0] for i in order])
        del keys
        index.offsets = array("q", [offsets[i] for i in order])
        index.codes = array("I", [codes[i] for i in order])
        index.flags = array("B", [flags[i] for i in order])
        index.hashes = array("Q", [hashes[i] for i in order])
        seen: set[int] = set()
        for h in index.hashes:
            if h in seen:
                index.duplicates += 1
            seen.add(h)
        return index

    def extend(
        self,
        located: Sequence[tuple[int, EventLike]],
        *,
        store_key: FileKey | None,
        covered: int,
        crc: int,
    ) -> bool:
        """Add events appended to the log (in log order); False, and nothing changed,
        when one of them does not come after every event indexed (build anew then)."""
        rows = [_row(offset, event) for offset, event in located]
        previous = self.last
        for row in rows:
            if previous is not None and row[0][1:] <= previous:
                return False
            previous = row[0][1:]
        if rows:
            self._note(rows)
            known = set(self.hashes)
            for row in rows:
                if row[5] in known:
                    self.duplicates += 1
                known.add(row[5])
            codes = {pair: code for code, pair in enumerate(self.pairs)}
            notes = _NoteColumns()
            for row, (_, event) in zip(rows, located, strict=True):
                if row[4] & NOTE:
                    notes.add(self._code(row[2], row[3], codes), row[0][0], event)
            self._keep(notes)
            rows.sort(key=lambda row: row[0][0])  # by day; log order within a day
            self._insert(rows)
        self.store_key, self.covered, self.crc = store_key, covered, crc
        return True

    def _note(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Widen the days and the latest order to cover ``rows``."""
        for row in rows:
            self.low, self.high = min(self.low, row[6]), max(self.high, row[7])
            order = row[0][1:]
            if self.last is None or order > self.last:
                self.last = order

    def _keep(self, notes: _NoteColumns) -> None:
        if notes.count:
            self.noted_bytes.append(notes.to_line() + b"\n")

    def _code(self, roadmap: str, item: str, codes: dict[tuple[str, str], int]) -> int:
        pair = (roadmap, item)
        code = codes.get(pair)
        if code is None:
            code = codes[pair] = len(self.pairs)
            self.pairs.append(pair)
        return code

    def _insert(self, rows: list[tuple[Any, ...]]) -> None:
        """Merge ``rows`` (sorted by day) in: each after the indexed events of its day."""
        codes = {pair: code for code, pair in enumerate(self.pairs)}
        columns = (self.offsets, self.days, self.codes, self.flags, self.hashes)
        merged = tuple(array(c.typecode) for c in columns)
        start = 0
        for row in rows:
            at = bisect_right(self.days, row[0][0], lo=start)
            values = (row[1], row[0][0], self._code(row[2], row[3], codes), row[4], row[5])
            for old, new, value in zip(columns, merged, values, strict=True):
                new.extend(old[start:at])
                new.append(value)
            start = at
        for old, new in zip(columns, merged, strict=True):
            new.extend(old[start:])
        self.offsets, self.days, self.codes, self.flags, self.hashes = merged

    # -- asking -----------------------------------------------------------

    def span(self, since: date | None, until: date | None) -> range:
        """Positions of the events whose day is within ``since`` .. ``until``."""
        lo = bisect_left(self.days, since.toordinal()) if since is not None else 0
        hi = bisect_right(self.days, until.toordinal()) if until is not None else len(self)
        return range(lo, max(lo, hi))

    def positions(
        self, *, roadmap: str | None = None, since: date | None = None, until: date | None = None
    ) -> Sequence[int]:
        """Positions of the events of ``roadmap`` (every one when None) within the days."""
        span = self.span(since, until)
        if roadmap is None:
            return span
        wanted, codes = self._codes(roadmap), self.codes
        return [p for p in span if codes[p] in wanted]

    def noted(self, roadmap: str) -> list[int]:
        """Positions of ``roadmap``'s events that carry, edit or delete a note."""
        wanted, codes = self._codes(roadmap), self.codes
        noted = compress(range(len(self)), self.flags.tobytes().translate(_NOTE_ONLY))
        return [p for p in noted if codes[p] in wanted]

    def dates(self, positions: Sequence[int]) -> list[date]:
        """The day of the event at each of ``positions``, as the event's ``day`` gives it."""
        days = self.days
        ordinals = [days[p] for p in positions]
        known = {n: date.fromordinal(n) for n in set(ordinals)}
        return [known[n] for n in ordinals]

    def notes(self, roadmap: str) -> list[IndexedEvent] | None:
        """``roadmap``'s events that carry, edit or delete a note, in the order they
        were indexed, each with its day; None when the columns do not read back
        (then the log's lines are read: see ``IndexedLog.notes``)."""
        from mlroadmap.events import IndexedEvent

        wanted, pairs = self._codes(roadmap), self.pairs
        new, parse_time, parse_day = object.__new__, datetime.fromisoformat, date.fromisoformat
        events: list[IndexedEvent] = []
        append = events.append
        try:
            for columns in _json_lines(self.noted_bytes):
                code, day = columns["code"], columns["day"]
                if not (type(code) is type(day) is list and len(code) == len(day)):
                    return None
                if not wanted.intersection(code):
                    continue
                days = {n: date.fromordinal(n) for n in set(day)}
                rows = zip(*[columns[name] for name in NOTE_COLUMNS], strict=True)
                for code_, day_, id_, seq, ts, action, on, note, undated, reverts, replaces in rows:
                    if code_ not in wanted:
                        continue
                    event = new(IndexedEvent)
                    event.roadmap, event.item = pairs[code_]
                    event.day = days[day_]
                    event.id = id_
                    event.seq = seq
                    event.ts = parse_time(ts)
                    event.at = ts  # as ``ts.isoformat()`` wrote it
                    event.action = action
                    event.on = parse_day(on) if on is not None else None
                    event.note = note
                    event.undated = undated
                    event.reverts = reverts
                    event.replaces = replaces
                    append(event)
        except (ValueError, KeyError, TypeError, IndexError):
            return None
        return events

    def of_items(self, roadmap: str, items: Collection[str]) -> list[int]:
        """Positions of the events recorded on these items of ``roadmap``."""
        wanted, codes = self._codes(roadmap, items), self.codes
        return [p for p in range(len(self)) if codes[p] in wanted]

    def _codes(self, roadmap: str, items: Collection[str] | None = None) -> set[int]:
        """The codes of ``roadmap``'s (roadmap, item) pairs: of ``items`` only, when given."""
        return {
            code
            for code, (rid, item) in enumerate(self.pairs)
            if rid == roadmap and (items is None or item in items)
        }

    def per_item(self) -> Counter[tuple[str, str]]:
        """How many events each (roadmap, item) has."""
        pairs = self.pairs
        return Counter({pairs[code]: n for code, n in Counter(self.codes).items()})

    def within(self, first: date, last: date) -> bool:
        """Whether every event's time and day lie within ``first`` .. ``last``."""
        return first.toordinal() <= self.low and self.high <= last.toordinal()

    # -- the cache file ---------------------------------------------------

    def to_bytes(self) -> bytes:
        """The cache file: a first line, the CRC-32 of the rest, a JSON line, the columns."""
        columns = (self.offsets, self.days, self.codes, self.flags, self.hashes)
        head = {
            "format": INDEX_FORMAT,
            "zone": self.zone,
            "store": self.store_key,
            "covered": self.covered,
            "crc": self.crc,
            "last": self.last,
            "pairs": self.pairs,
            "duplicates": self.duplicates,
            "low": self.low,
            "high": self.high,
            "count": len(self),
        }
        rest = [
            json.dumps(head, separators=(",", ":")).encode("utf-8") + b"\n",
            *(c.tobytes() for c in columns),
            *self.noted_bytes,
        ]
        crc = 0
        for part in rest:  # the parts checked and joined as they are (the notes are large)
            crc = zlib.crc32(part, crc)
        return b"".join([MAGIC, b"%08x\n" % crc, *rest])

    @classmethod
    def from_bytes(cls, raw: bytes, *, zone: str) -> LogIndex | None:
        """The index in ``raw``; None when it is damaged, of another format or zone."""
        start = len(MAGIC) + 9
        if not raw.startswith(MAGIC) or raw[start - 1 : start] != b"\n":
            return None
        view = memoryview(raw)[start:]
        try:
            if int(raw[len(MAGIC) : start - 1], 16) != zlib.crc32(view):
                return None
            end = raw.index(b"\n", start)
            head = json.loads(raw[start:end])
            if head["format"] != INDEX_FORMAT or head["zone"] != zone:
                return None
            key = head["store"]
            index = cls(
                zone=zone,
                store_key=tuple(key) if key is not None else None,
                covered=int(head["covered"]),
                crc=int(head["crc"]),
            )
            last = head["last"]
            index.last = (int(last[0]), int(last[1]), str(last[2])) if last else None
            index.pairs = [(str(r), str(i)) for r, i in head["pairs"]]
            index.duplicates, index.low, index.high = head["duplicates"], head["low"], head["high"]
            n = int(head["count"])
            body = memoryview(raw)[end + 1 :]
            at = 0
            columns = []
            for typecode in ("q", "i", "I", "B", "Q"):
                column = array(typecode)
                size = column.itemsize * n
                column.frombytes(body[at : at + size])
                at += size
                columns.append(column)
            if n and max(columns[2]) >= len(index.pairs):
                return None
            index.offsets, index.days, index.codes, index.flags, index.hashes = columns
            noted = body[at:]
            if noted and noted[-1] != ord("\n"):
                return None
            index.noted_bytes = [noted] if noted else []  # read by ``notes``, if ever
            return index
        except (ValueError, KeyError, TypeError, IndexError):
            return None


class IndexedLog:
    """A store's events read through its index: only the lines asked for.

    ``raw`` is the store's bytes when they were read already; otherwise lines
    are read from the file at their offsets, once the file is known to be the
    one indexed (its identity, else the checksum of the bytes indexed). Those
    lines were validated when they were indexed, so a line in the form the
    store writes is read back without Pydantic, with the day the index holds
    for it (``events.read_indexed``); any other, and any read of many lines,
    goes through ``validator()``. The events that carry notes come from the
    index itself (``notes``), without reading a line.
    ``held`` is a log read into memory whole (an older format has no lines):
    its index's offsets are positions in that list.
    """

    __slots__ = ("held", "index", "path", "raw", "validator")

    MANY = 2_000  # more lines than this are cut from the whole file, read once
    PLAIN_MAX = 20_000  # reading more lines than this, Pydantic's validator is quicker

    def __init__(
        self,
        index: LogIndex,
        path: Path,
        validator: Callable[[], Callable[[bytes], LogEvent]],
        *,
        raw: bytes | None = None,
        held: list[LogEvent] | None = None,
    ) -> None:
        self.index = index
        self.path = path
        self.validator = validator
        self.raw = raw
        self.held = held

    def __len__(self) -> int:
        return len(self.index)

    def events(self, positions: Sequence[int], *, of: int = 0) -> list[EventLike]:
        """The events at ``positions`` of the index, in that order. ``of``: how many
        the caller reads in all, over several calls (when more than these)."""
        offsets = self.index.offsets
        if self.held is not None:
            return [self.held[offsets[p]] for p in positions]
        from mlroadmap.events import read_indexed

        lines = self._lines([offsets[p] for p in positions], max(of, len(positions)))
        if max(of, len(lines)) > self.PLAIN_MAX:
            return self._validated(lines)
        read = read_indexed(lines, self.index.dates(positions))
        return [
            event if event is not None else self._validated([line])[0]
            for event, line in zip(read, lines, strict=True)
        ]

    def notes(self, roadmap: str) -> list[EventLike]:
        """``roadmap``'s events that carry, edit or delete a note (what ``export``
        replays): from the index, which holds them whole, without reading the log."""
        noted = self.index.notes(roadmap)
        if noted is not None:
            return list(noted)
        return self.events(self.index.noted(roadmap))

    def _validated(self, lines: list[bytes]) -> list[EventLike]:
        from pydantic import ValidationError

        validate = self.validator()
        try:
            return [validate(line) for line in lines]
        except ValidationError:
            raise StoreError(
                f"{self.path}: a line the log's index points at is not an event",
                hint="run 'mlroadmap doctor --full': it checks every line and rebuilds the index",
            ) from None

    def _lines(self, offsets: list[int], of: int) -> list[bytes]:
        """The lines at ``offsets``; ``of``: how many the caller reads in all."""
        if self.raw is None and of > self.MANY:
            self.raw = self._read_verified()
        raw = self.raw
        if raw is not None:
            return [raw[o : raw.index(b"\n", o)] for o in offsets]
        fd = os.open(self.path, os.O_RDONLY)
        try:
            st = os.fstat(fd)
            if file_key(st) != self.index.store_key:
                os.close(fd)
                fd = -1
                self.raw = raw = self._read_verified()
                return [raw[o : raw.index(b"\n", o)] for o in offsets]
            return [_line_at(fd, o) for o in offsets]
        except ValueError:  # no newline where a line should end
            raise self._changed() from None
        finally:
            if fd >= 0:
                os.close(fd)

    def _read_verified(self) -> bytes:
        with open(self.path, "rb") as f:
            raw = f.read()
        covered = self.index.covered
        if len(raw) < covered or zlib.crc32(memoryview(raw)[:covered]) != self.index.crc:
            raise self._changed()
        return raw

    def _changed(self) -> StoreError:
        return StoreError(
            f"{self.path}: the store changed while it was being read",
            hint="run the command again",
        )


def _json_lines(parts: list[bytes | memoryview]) -> Iterator[Any]:
    """The value of each line of JSON in ``parts`` (each part whole lines), decoded
    where it lies in the text (a large index has megabytes of them)."""
    decode = _DECODER.raw_decode
    for part in parts:
        text = str(part, "utf-8")
        at, end = 0, len(text)
        while at < end:
            value, at = decode(text, at)
            if text[at] != "\n":
                raise ValueError("not one value a line")
            at += 1
            yield value


_DECODER = json.JSONDecoder()


class _NoteColumns:
    """Note events gathered as ``NOTE_COLUMNS``, for the index to keep as one line."""

    __slots__ = ("columns", "count")

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {name: [] for name in NOTE_COLUMNS}
        self.count = 0

    def add(self, code: int, day: int, event: EventLike) -> None:
        c = self.columns
        c["code"].append(code)
        c["day"].append(day)
        c["id"].append(event.id)
        c["seq"].append(event.seq)
        c["ts"].append(event.ts.isoformat())
        c["action"].append(event.action)
        c["on"].append(event.on.isoformat() if event.on is not None else None)
        c["note"].append(event.note)
        c["undated"].append(event.undated)
        c["reverts"].append(event.reverts)
        c["replaces"].append(event.replaces)
        self.count += 1

    def to_line(self) -> bytes:
        """The columns as one line of JSON (its strings' line breaks are escaped). Text
        that is not Unicode, which no validated line holds, is kept as it is: it does
        not read back, and the log's lines are read instead."""
        text = json.dumps(self.columns, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8", "surrogatepass")


def _line_at(fd: int, offset: int) -> bytes:
    """The line that starts at ``offset`` of the file ``fd``, without its newline."""
    size = 512
    while True:
        chunk = os.pread(fd, size, offset)
        end = chunk.find(b"\n")
        if end >= 0:
            return chunk[:end]
        if len(chunk) < size:
            raise ValueError("no newline")
        size *= 4
