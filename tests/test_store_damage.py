"""A store that survives damage: the log only grows, copies are hints until proven,
and ``doctor --restore`` salvages every intact event.

The damage matrix at the end damages a store built by real commands in each of
the ways a file gets damaged, and checks what the commands do and that after
``doctor --restore`` every event that was acknowledged is back.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from mlroadmap import fsio, tracker
from mlroadmap.cli import app
from mlroadmap.errors import StoreError
from mlroadmap.progress import LogSummary
from mlroadmap.records import Event, Settings, StoreData
from mlroadmap.store import Store, backup_path, encode, lock_path, merge_data

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file-system semantics")

ROADMAP = "ml-12-weeks"


def run(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    escaped = result.exception
    assert escaped is None or isinstance(escaped, SystemExit), (
        f"mlroadmap {' '.join(args)} raised {escaped!r}; stderr: {result.stderr}"
    )
    assert "Traceback" not in result.output
    return result


def flat(text: str) -> str:
    return " ".join(text.split())


def history(home: Path) -> set[str]:
    """Three commands' worth of ticks; the IDs of every event they acknowledged."""
    for week in ("week-1", "week-2", "week-3"):
        assert run("done", week).exit_code == 0
    return {e.id for e in Store(home / "store.json").load().events}


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def cache_files(home: Path) -> list[Path]:
    return sorted((home / "cache" / "stores").glob("*.json"))


def ids_now(home: Path) -> set[str]:
    return {e.id for e in Store(home / "store.json").load().events}


# ---------------------------------------------------------------------------
# The log only grows


def test_a_store_cut_at_a_line_is_refused_untouched_and_named(isolated_home: Path) -> None:
    acknowledged = history(isolated_home)
    store = isolated_home / "store.json"
    backup = backup_path(store)
    store.write_bytes(b"".join(lines_of(store)[:4]))
    before, backup_before = store.read_bytes(), backup.read_bytes()
    for args in (("done", "week-4"), ("progress",), ("use", "mle-6-months"), ("log",)):
        result = run(*args)
        assert result.exit_code == 1, args
        message = flat(result.stderr)
        assert "missing" in message or "lacks" in message
        assert "doctor" in message
        assert store.read_bytes() == before
        assert backup.read_bytes() == backup_before
    healed = run("doctor", "--restore")
    assert healed.exit_code == 0, healed.output
    assert ids_now(isolated_home) == acknowledged


def test_a_store_cut_without_backup_or_cache_of_its_last_events_is_still_refused(
    isolated_home: Path,
) -> None:
    history(isolated_home)
    store = isolated_home / "store.json"
    for cache in cache_files(isolated_home):
        cache.unlink()
    store.write_bytes(b"".join(lines_of(store)[:3]))  # events the backup holds are gone
    result = run("done", "week-4")
    assert result.exit_code == 1
    assert "backup" in flat(result.stderr)


def test_the_last_commands_events_are_named_when_they_are_cut_off(isolated_home: Path) -> None:
    acknowledged = history(isolated_home)
    store = isolated_home / "store.json"
    last = json.loads(lines_of(store)[-1])["id"]
    store.write_bytes(b"".join(lines_of(store)[:-1]))  # the backup never had this one
    result = run("done", "week-4")
    assert result.exit_code == 1
    assert "missing" in flat(result.stderr)
    report = json.loads(run("doctor", "--json").stdout)
    assert report["healthy"] is False
    assert last in report["missing"]
    assert run("doctor", "--restore").exit_code == 0
    assert ids_now(isolated_home) == acknowledged


def test_a_killed_append_is_accepted_only_when_nothing_before_it_is_missing(
    isolated_home: Path,
) -> None:
    history(isolated_home)
    store = isolated_home / "store.json"
    whole = store.read_bytes()
    store.write_bytes(whole + b'{"id":"torn-write-0001","ts":"2026-')
    assert run("progress").exit_code == 0  # a torn last line after every event: accepted
    cut = b"".join(lines_of(store)[:5]) + lines_of(store)[5][:20]
    store.write_bytes(cut)  # a cut in a line, with whole events gone before it
    result = run("progress")
    assert result.exit_code == 1
    assert store.read_bytes() == cut


def test_the_backup_is_rebuilt_when_it_differs_in_its_middle(isolated_home: Path) -> None:
    history(isolated_home)
    store = isolated_home / "store.json"
    backup = backup_path(store)
    good = backup.read_bytes()
    middle = len(good) // 2
    damaged = good[:middle] + bytes([good[middle] ^ 0x20]) + good[middle + 1 :]
    backup.write_bytes(damaged)  # same size, same first and last 4 KiB when large
    before = store.read_bytes()
    assert run("done", "week-4").exit_code == 0
    assert backup.read_bytes() == before  # caught up from a store that holds it all


def test_a_backup_is_never_replaced_by_a_store_that_lacks_its_events(
    isolated_home: Path,
) -> None:
    history(isolated_home)
    store = isolated_home / "store.json"
    backup = backup_path(store)
    keep = backup.read_bytes()
    header = lines_of(store)[0]
    store.write_bytes(header)  # an "empty" but well-formed store
    for cache in cache_files(isolated_home):
        cache.unlink()
    for args in (("done", "week-4"), ("config", "shared-credit", "off")):
        assert run(*args).exit_code == 1
        assert backup.read_bytes() == keep
        assert store.read_bytes() == header


def test_a_backup_holding_more_than_the_store_is_never_replaced(isolated_home: Path) -> None:
    history(isolated_home)
    store = isolated_home / "store.json"
    backup = backup_path(store)
    extra = tracker.new_event(ROADMAP, "derivatives", "done", seq=99)
    richer = store.read_bytes() + extra.model_dump_json(exclude_none=True).encode() + b"\n"
    backup.write_bytes(richer)  # put back from somewhere else, with one more event
    for args in (("use", "mle-6-months"), ("done", "week-4"), ("config", "shared-credit", "off")):
        result = run(*args)
        assert result.exit_code == 1, args
        assert extra.id in result.stderr.replace("\n", "")
        assert backup.read_bytes() == richer
    assert run("doctor", "--restore").exit_code == 0
    assert extra.id in ids_now(isolated_home)


# ---------------------------------------------------------------------------
# Strict shapes


@pytest.mark.parametrize(
    "junk",
    [b'{"name": "pkg"}', b"{}", b'{"schema_version": 2, "settings": {}, "extra": 1}\n'],
    ids=["other-json", "empty-object", "unknown-key"],
)
def test_a_file_that_is_not_a_store_is_refused_never_migrated(
    isolated_home: Path, tmp_path: Path, junk: bytes
) -> None:
    history(isolated_home)
    store = isolated_home / "store.json"
    keep, original = backup_path(store).read_bytes(), store.read_bytes()
    store.write_bytes(junk)
    result = run("done", "week-4")
    assert result.exit_code == 1
    assert store.read_bytes() == junk
    assert backup_path(store).read_bytes() == keep
    assert not list(isolated_home.glob("store.json.v*.bak"))
    other = tmp_path / "other.json"
    other.write_bytes(junk)
    store.write_bytes(original)
    active = json.loads(original.splitlines()[0])["settings"].get("active")
    assert run("merge", str(other)).exit_code == 2
    assert Store(store).load().settings.active == active


def test_each_line_is_parsed_on_its_own(isolated_home: Path) -> None:
    history(isolated_home)
    store = isolated_home / "store.json"
    lines = lines_of(store)
    # A line that would turn the joined text into a document with a second
    # "events" key, hiding every earlier event.
    sneaky = lines[-1].rstrip(b"\n") + b'],"events":[' + lines[-2]
    store.write_bytes(b"".join([*lines[:-2], sneaky]))
    with pytest.raises(StoreError, match=f"line {len(lines) - 1}"):
        Store(store).load()
    assert run("progress").exit_code == 1


def test_a_note_with_json_punctuation_keeps_every_event(isolated_home: Path) -> None:
    acknowledged = history(isolated_home)
    assert run("note", "derivatives", '],"events":[{"id":"x"}').exit_code == 0
    data = Store(isolated_home / "store.json").load()
    assert acknowledged < {e.id for e in data.events}
    assert len(data.events) == len(acknowledged) + 1


def test_schema_version_2_lines_without_sequence_numbers_still_load(isolated_home: Path) -> None:
    """Stores written before events carried ``seq`` read as before, in time order."""
    base = tracker.now() - timedelta(days=3)
    events = [
        Event(id=f"old-{n:05d}", ts=base + timedelta(hours=n), roadmap=ROADMAP,
              item="derivatives", action=action)
        for n, action in enumerate(["done", "todo", "done"])
    ]  # fmt: skip
    isolated_home.mkdir(parents=True)
    store = isolated_home / "store.json"
    store.write_bytes(encode(StoreData(events=events)))
    assert b'"seq"' not in store.read_bytes()
    assert run("undo", "derivatives").exit_code == 0
    data = Store(store).load()
    assert data.events[-1].seq == 1
    t = tracker.Tracker()
    assert t.states(t.roadmap())["derivatives"].status == "todo"


# ---------------------------------------------------------------------------
# The cache is a hint


def test_a_damaged_cache_is_rebuilt_never_trusted_and_doctor_says_so(isolated_home: Path) -> None:
    history(isolated_home)
    [cache] = cache_files(isolated_home)
    raw = cache.read_bytes()
    # Forge an entry: week-4's first item "done", so 'done' would record nothing.
    digest, _, body = raw.partition(b"\n")
    doc = json.loads(body)
    doc["summary"]["items"][ROADMAP]["linear-regression"] = ["done", "", "x", "2026-01-01", 0, 0]
    cache.write_bytes(digest + b"\n" + json.dumps(doc).encode())
    report = json.loads(run("doctor", "--json").stdout)
    assert report["cache_rebuilt"] is not None
    assert "damaged" in report["cache_rebuilt"]
    cache.write_bytes(digest + b"\n" + json.dumps(doc).encode())
    t = tracker.Tracker()
    assert t.states(t.roadmap()).get("linear-regression") is None


@pytest.mark.parametrize(
    "content",
    [b"", b"{ not json", b"0" * 64 + b"\n{}", b"\x00\xff" * 40],
    ids=["empty", "not-json", "bad-checksum", "binary"],
)
def test_any_cache_content_costs_only_time(isolated_home: Path, content: bytes) -> None:
    history(isolated_home)
    [cache] = cache_files(isolated_home)
    cache.write_bytes(content)
    assert run("progress", "--json").exit_code == 0
    assert run("done", "week-4").exit_code == 0
    assert run("show").exit_code == 0


def test_a_cache_with_a_valid_checksum_for_another_store_is_not_used(
    isolated_home: Path, tmp_path: Path
) -> None:
    history(isolated_home)
    [cache] = cache_files(isolated_home)
    other = Store(tmp_path / "elsewhere" / "store.json")
    assert other._cached() is None
    (other._summary_cache()).write_bytes(cache.read_bytes())  # same content, other path
    assert other._cached() is None
    assert other.cache_problem is not None


# ---------------------------------------------------------------------------
# doctor --restore


def test_restore_writes_the_union_before_moving_anything(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    acknowledged = history(isolated_home)
    store = isolated_home / "store.json"
    damaged = b"".join(lines_of(store)[:-2])
    store.write_bytes(damaged)

    def full_disk(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    real = fsio.write_new
    monkeypatch.setattr(fsio, "write_new", full_disk)
    result = run("doctor", "--restore")
    assert result.exit_code == 1
    assert "disk space" in flat(result.stderr)
    assert store.read_bytes() == damaged  # nothing moved
    assert not list(isolated_home.glob("store.json.replaced-*"))
    monkeypatch.setattr(fsio, "write_new", real)
    assert run("doctor", "--restore").exit_code == 0
    assert ids_now(isolated_home) == acknowledged


@pytest.mark.parametrize("step", ["keep_copy", "replace", "atomic_write"])
def test_a_restore_stopped_at_any_step_leaves_a_store_and_loses_nothing(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    acknowledged = history(isolated_home)
    store = isolated_home / "store.json"
    damaged = b"".join(lines_of(store)[:-2]) + b"{garbage\n"
    store.write_bytes(damaged)

    def killed(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EIO, "killed here")

    real = getattr(fsio, step)
    monkeypatch.setattr(fsio, step, killed)
    # Only the backup's refresh comes after the store is in place: that restore worked.
    assert run("doctor", "--restore").exit_code == (0 if step == "atomic_write" else 1)
    monkeypatch.setattr(fsio, step, real)
    assert store.exists()
    assert run("doctor").exit_code in (0, 1)  # doctor never deletes a restored copy
    restored = list(isolated_home.glob("store.json.restored-*"))
    assert all(p.exists() for p in restored)
    assert run("doctor", "--restore").exit_code == 0
    assert ids_now(isolated_home) == acknowledged
    assert run("doctor").exit_code == 0


def test_set_aside_copies_get_unique_names_and_are_never_overwritten(
    isolated_home: Path,
) -> None:
    history(isolated_home)
    store = isolated_home / "store.json"
    kept = []
    for n in range(3):
        store.write_bytes(b"{ damaged %d" % n)
        report = json.loads(run("doctor", "--restore", "--json").stdout)
        kept.append(Path(report["set_aside"]))
    assert len(set(kept)) == 3
    assert [p.read_bytes() for p in kept] == [b"{ damaged %d" % n for n in range(3)]


def test_restore_salvages_intact_lines_of_the_store_not_just_the_backup(
    isolated_home: Path,
) -> None:
    acknowledged = history(isolated_home)
    store = isolated_home / "store.json"
    lines = lines_of(store)
    lines[2] = b"{" + lines[2][2:]  # one line damaged; the newest ones are only here
    store.write_bytes(b"".join(lines))
    for cache in cache_files(isolated_home):
        cache.unlink()  # the second copy of the last write's lines is gone too
    report = json.loads(run("doctor", "--restore", "--json").stdout)
    assert report["healthy"] is True
    assert ids_now(isolated_home) == acknowledged
    sources = {Path(s["path"]).name: s["events"] for s in report["salvaged"]}
    assert sources["store.json"] == len(acknowledged) - 1
    assert sources["store.json.bak"] < len(acknowledged)


def test_restore_reads_earlier_set_aside_copies(isolated_home: Path) -> None:
    acknowledged = history(isolated_home)
    store = isolated_home / "store.json"
    copy = isolated_home / "store.json.replaced-20260101T000000Z-0a0b0c0d"
    copy.write_bytes(store.read_bytes())  # what an earlier restore set aside
    store.write_bytes(b"{ gone")
    backup_path(store).write_bytes(b"{ gone too")
    for cache in cache_files(isolated_home):
        cache.unlink()
    assert run("doctor", "--restore").exit_code == 0
    assert ids_now(isolated_home) == acknowledged
    assert copy.exists()


# ---------------------------------------------------------------------------
# Symlinks, special files, export -o


def test_a_symlinked_store_keeps_its_link_and_writes_beside_the_target(
    isolated_home: Path, tmp_path: Path
) -> None:
    target_dir = tmp_path / "synced"
    target_dir.mkdir()
    target = target_dir / "real-store.json"
    isolated_home.mkdir(parents=True)
    link = isolated_home / "store.json"
    link.symlink_to(target)
    assert run("done", "week-1").exit_code == 0
    assert run("config", "shared-credit", "off").exit_code == 0
    assert run("done", "week-2").exit_code == 0
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    data = Store(target).load()
    assert data.settings.shared_credit is False
    assert len(data.events) == 10
    assert backup_path(target).exists()
    assert lock_path(target).exists()
    assert not backup_path(link).exists()
    report = json.loads(run("doctor", "--json").stdout)
    assert report["symlink"] == str(link)


def test_a_store_that_is_not_a_regular_file_is_refused(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True)
    os.mkfifo(isolated_home / "store.json")
    result = run("progress")
    assert result.exit_code == 1
    assert "not a regular file" in flat(result.stderr)


@pytest.mark.parametrize("name", ["store.json", "store.json.bak", "store.json.lock", "cache"])
def test_export_never_overwrites_the_stores_own_files(isolated_home: Path, name: str) -> None:
    history(isolated_home)
    target = cache_files(isolated_home)[0] if name == "cache" else isolated_home / name
    before = target.read_bytes()
    result = run("export", "-o", str(target))
    assert result.exit_code == 2
    assert "store" in flat(result.stderr)
    assert target.read_bytes() == before


def test_export_refuses_a_link_to_the_store(isolated_home: Path, tmp_path: Path) -> None:
    history(isolated_home)
    link = tmp_path / "progress.md"
    link.symlink_to(isolated_home / "store.json")
    assert run("export", "-o", str(link)).exit_code == 2
    assert run("export", "-o", str(tmp_path / "fine.md")).exit_code == 0


# ---------------------------------------------------------------------------
# Time


def test_a_run_with_a_clock_a_year_ahead_cannot_move_later_events(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_now = tracker.now
    monkeypatch.setattr(tracker, "now", lambda: real_now() + timedelta(days=365))
    assert run("done", "derivatives").exit_code == 0
    monkeypatch.setattr(tracker, "now", real_now)
    assert run("undo", "derivatives").exit_code == 0
    assert run("done", "probability-basics").exit_code == 0
    data = Store(isolated_home / "store.json").load()
    undo = next(e for e in data.events if e.action == "todo")
    assert abs(undo.ts - real_now()) < timedelta(hours=1)  # its own time, not the future's
    assert [e.seq for e in data.events] == [1, 2, 3]
    t = tracker.Tracker()
    assert t.states(t.roadmap())["derivatives"].status == "todo"
    log = json.loads(run("log", "--json").stdout)["events"]
    # The log lists by day: the tick stamped a year ahead counts for that day.
    assert [(e["item"], e["action"]) for e in log] == [
        ("derivatives", "todo"),
        ("probability-basics", "done"),
        ("derivatives", "done"),
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("done", "derivatives", "--on", "1969-12-31"),
        ("done", "derivatives", "--on", "0001-01-01"),
        ("use", "ml-12-weeks", "--start", "0001-01-01"),
        ("use", "ml-12-weeks", "--start", "9999-12-31"),
    ],
)
def test_days_outside_1970_to_tomorrow_are_refused_on_input(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")


def test_tomorrow_is_a_valid_start(isolated_home: Path) -> None:
    tomorrow = tracker.local_today() + timedelta(days=1)
    assert run("use", "ml-12-weeks", "--start", tomorrow.isoformat()).exit_code == 0


def _store_with(tmp_path: Path, events: list[Event]) -> Path:
    path = tmp_path / "other" / "store.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode(StoreData(events=events)))
    return path


def _event(n: int, ts: str, on: date | None = None) -> Event:
    return Event(
        id=f"odd-{n:05d}", ts=ts, roadmap=ROADMAP, item="derivatives", action="done", on=on
    )


@pytest.mark.parametrize(
    ("ts", "on"),
    [
        ("9999-12-31T23:59:59Z", None),
        ("0001-01-01T00:00:00Z", None),
        ("2026-01-01T00:00:00Z", date(1, 1, 1)),
    ],
)
def test_merge_refuses_impossible_dates(
    isolated_home: Path, tmp_path: Path, ts: str, on: date | None
) -> None:
    history(isolated_home)
    before = (isolated_home / "store.json").read_bytes()
    other = _store_with(tmp_path, [_event(1, ts, on)])
    result = run("merge", str(other))
    assert result.exit_code == 2
    assert "impossible dates" in flat(result.stderr)
    assert (isolated_home / "store.json").read_bytes() == before


def test_existing_events_with_impossible_dates_are_reported_never_a_crash(
    isolated_home: Path,
) -> None:
    history(isolated_home)
    store = Store(isolated_home / "store.json")
    data = store.load()
    odd = [_event(1, "9999-12-31T23:59:59Z"), _event(2, "0001-01-01T00:00:00Z")]
    with store.locked():
        store.write(data.model_copy(update={"events": [*data.events, *odd]}))
    for args in (
        ("progress",), ("show",), ("done", "week-4"), ("log",), ("log", "--calendar"),
        ("next",), ("list",), ("export",), ("show", "derivatives"),
    ):  # fmt: skip
        assert run(*args).exit_code == 0, args
    report = json.loads(run("doctor", "--json").stdout)
    assert len(report["out_of_range"]) == 2
    assert all("odd-0000" in p for p in report["out_of_range"])


# ---------------------------------------------------------------------------
# merge


def test_merging_an_older_copy_never_reverts_a_newer_setting(
    isolated_home: Path, tmp_path: Path
) -> None:
    history(isolated_home)
    older = tmp_path / "laptop.json"
    older.write_bytes((isolated_home / "store.json").read_bytes())
    assert run("config", "shared-credit", "off").exit_code == 0
    assert run("merge", str(older)).exit_code == 0
    assert "shared-credit = off" in run("config").stdout
    # and the other way: the laptop takes the newer choice
    laptop = Store(older)
    with laptop.locked():
        laptop.write(merge_data(laptop.load(), Store(isolated_home / "store.json").load()))
    assert Store(older).load().settings.shared_credit is False


def test_settings_merge_per_setting_by_when_each_changed(tmp_path: Path) -> None:
    t1 = tracker.now() - timedelta(days=2)
    t2 = tracker.now() - timedelta(days=1)
    a = Settings(active="pro-mle", shared_credit=True, changed={"active": (5, t2)})
    b = Settings(active="ml-12-weeks", shared_credit=False, changed={"active": (3, t1),
                 "shared_credit": (4, t1)})  # fmt: skip
    merged = merge_data(StoreData(settings=a), StoreData(settings=b)).settings
    assert (merged.active, merged.shared_credit) == ("pro-mle", False)
    assert merge_data(StoreData(settings=b), StoreData(settings=a)).settings == merged


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "directory", "too-large"])
def test_merge_reads_only_regular_files_under_the_cap(tmp_path: Path, kind: str) -> None:
    if kind == "dev-zero":
        other = Path("/dev/zero")
    elif kind == "fifo":
        other = tmp_path / "pipe"
        os.mkfifo(other)
    elif kind == "directory":
        other = tmp_path / "dir"
        other.mkdir()
    else:
        other = tmp_path / "huge.json"
        with other.open("wb") as f:
            f.truncate(64 * 1024 * 1024 + 1)  # sparse: no disk used
    result = run("merge", str(other))
    assert result.exit_code == 2
    message = flat(result.stderr)
    expected = {"too-large": "64 MiB", "directory": "dir"}.get(kind, "not a regular file")
    assert expected in message


# ---------------------------------------------------------------------------
# The damage matrix


def _cut_at_line(home: Path) -> None:
    store = home / "store.json"
    store.write_bytes(b"".join(lines_of(store)[:4]))


def _cut_in_line(home: Path) -> None:
    store = home / "store.json"
    lines = lines_of(store)
    store.write_bytes(b"".join(lines[:5]) + lines[5][: len(lines[5]) // 2])


def _lines_removed(home: Path) -> None:
    store = home / "store.json"
    lines = lines_of(store)
    store.write_bytes(b"".join([*lines[:2], *lines[4:]]))


def _last_line_removed(home: Path) -> None:
    store = home / "store.json"
    store.write_bytes(b"".join(lines_of(store)[:-1]))


def _junk_json(home: Path) -> None:
    (home / "store.json").write_bytes(b'{"name": "pkg"}\n')


def _flipped_byte(home: Path) -> None:
    store = home / "store.json"
    lines = lines_of(store)
    lines[3] = bytes([lines[3][0] ^ 0x01]) + lines[3][1:]
    store.write_bytes(b"".join(lines))


def _duplicated_line(home: Path) -> None:
    store = home / "store.json"
    lines = lines_of(store)
    store.write_bytes(b"".join([*lines[:4], lines[3], *lines[4:]]))


def _reordered_lines(home: Path) -> None:
    store = home / "store.json"
    lines = lines_of(store)
    lines[2], lines[-1] = lines[-1], lines[2]
    store.write_bytes(b"".join(lines))


def _header_moved(home: Path) -> None:
    store = home / "store.json"
    lines = lines_of(store)
    lines[0], lines[1] = lines[1], lines[0]
    store.write_bytes(b"".join(lines))


def _damaged_header(home: Path) -> None:
    store = home / "store.json"
    lines = lines_of(store)
    lines[0] = lines[0].replace(b"schema_version", b"schema_versiom")
    store.write_bytes(b"".join(lines))


def _store_deleted(home: Path) -> None:
    (home / "store.json").unlink()


def _damaged_backup(home: Path) -> None:
    backup = backup_path(home / "store.json")
    raw = backup.read_bytes()
    backup.write_bytes(raw[:30] + b"#" + raw[31:])


def _cut_backup(home: Path) -> None:
    backup = backup_path(home / "store.json")
    backup.write_bytes(backup.read_bytes()[:50])


def _damaged_cache(home: Path) -> None:
    for cache in cache_files(home):
        raw = cache.read_bytes()
        cache.write_bytes(raw[:-10] + b"0" * 10)


REFUSED, ACCEPTED = 1, 0
MATRIX: dict[str, tuple[Callable[[Path], None], int]] = {
    "cut-at-line": (_cut_at_line, REFUSED),
    "cut-in-line": (_cut_in_line, REFUSED),
    "lines-removed": (_lines_removed, REFUSED),
    "last-line-removed": (_last_line_removed, REFUSED),
    "junk-json": (_junk_json, REFUSED),
    "flipped-byte": (_flipped_byte, REFUSED),
    "duplicated-line": (_duplicated_line, ACCEPTED),
    "reordered-lines": (_reordered_lines, ACCEPTED),
    "header-moved": (_header_moved, REFUSED),
    "damaged-header": (_damaged_header, REFUSED),
    "store-deleted": (_store_deleted, REFUSED),
    "damaged-backup": (_damaged_backup, ACCEPTED),
    "cut-backup": (_cut_backup, ACCEPTED),
    "damaged-cache": (_damaged_cache, ACCEPTED),
}


@pytest.mark.parametrize("variant", list(MATRIX))
def test_damage_matrix(isolated_home: Path, variant: str) -> None:
    damage, expected = MATRIX[variant]
    acknowledged = history(isolated_home)
    store = isolated_home / "store.json"
    t = tracker.Tracker()
    statuses = {i: s.status for i, s in t.states(t.roadmap()).items()}
    damage(isolated_home)
    files = {p.name: p.read_bytes() for p in isolated_home.iterdir() if p.is_file()}
    files.pop("store.json.lock", None)

    progress = run("progress", "--json")
    done = run("done", "week-4")
    assert (progress.exit_code, done.exit_code) == (expected, expected), done.stderr
    if expected == REFUSED:
        assert "doctor" in flat(done.stderr)
        now = {p.name: p.read_bytes() for p in isolated_home.iterdir() if p.is_file()}
        now.pop("store.json.lock", None)
        assert now == files  # untouched: not the store, not the backup, nothing new
        assert run("doctor").exit_code == 1
    else:
        acknowledged |= {e.id for e in Store(store).load().events}
        t = tracker.Tracker()
        after = {i: s.status for i, s in t.states(t.roadmap()).items()}
        assert {i: after[i] for i in statuses} == statuses
        assert len(after) > len(statuses)
        assert run("doctor").exit_code == 0

    healed = run("doctor", "--restore", "--json")
    assert healed.exit_code == 0, healed.output
    assert acknowledged <= ids_now(isolated_home)
    assert run("doctor").exit_code == 0
    assert run("done", "week-5").exit_code == 0
    assert backup_path(store).exists()


# ---------------------------------------------------------------------------
# merge_data with sequence numbers and setting stamps: a join (any order, any grouping)

T0 = tracker.now().replace(microsecond=0) - timedelta(days=30)
stamps = st.tuples(st.integers(0, 5), st.integers(0, 3).map(lambda h: T0 + timedelta(hours=h)))
seq_events = st.builds(
    Event,
    id=st.sampled_from([f"ev-{n:05d}" for n in range(8)]),
    seq=st.none() | st.integers(1, 6),
    ts=st.integers(0, 5).map(lambda h: T0 + timedelta(hours=h)),
    roadmap=st.just(ROADMAP),
    item=st.sampled_from(["derivatives", "probability-basics"]),
    action=st.sampled_from(["done", "todo", "start"]),
)
seq_stores = st.builds(
    StoreData,
    settings=st.builds(
        Settings,
        active=st.none() | st.sampled_from(["ml-12-weeks", "pro-mle"]),
        shared_credit=st.booleans(),
        changed=st.none()
        | st.dictionaries(st.sampled_from(["active", "shared_credit"]), stamps, max_size=2),
    ),
    events=st.lists(seq_events, max_size=8),
)


@settings(max_examples=200, deadline=None)
@given(seq_stores, seq_stores, seq_stores)
def test_merge_is_a_join_with_sequence_numbers_and_stamps(
    a: StoreData, b: StoreData, c: StoreData
) -> None:
    ab = merge_data(a, b)
    assert ab == merge_data(b, a)
    assert merge_data(ab, b) == ab
    assert merge_data(ab, c) == merge_data(a, merge_data(b, c))
    assert [e.order for e in ab.events] == sorted(e.order for e in ab.events)
    for name in ("active", "shared_credit"):
        stamped = [s for s in (a.settings, b.settings) if s.changed and name in s.changed]
        if stamped:
            newest = max(stamped, key=lambda s: s.changed[name])  # type: ignore[index]
            assert getattr(ab.settings, name) == getattr(newest, name) or (
                len(stamped) == 2 and stamped[0].changed[name] == stamped[1].changed[name]  # type: ignore[index]
            )


@settings(max_examples=200, deadline=None)
@given(seq_stores, seq_stores)
def test_merging_a_file_into_a_store_equals_merge_data(a: StoreData, b: StoreData) -> None:
    """Two versions of one ID on either side, logs out of order, stamped settings:
    the store after ``merge`` holds what ``merge_data`` gives."""
    import tempfile

    from mlroadmap.store import read_other

    expected = merge_data(a, b)
    with tempfile.TemporaryDirectory() as folder:
        path, other = Path(folder) / "store.json", Path(folder) / "other.json"
        with Store(path).locked():
            Store(path).write(a)
        inode = path.stat().st_ino
        other.write_bytes(encode(b))
        merged = Store(path).merge(read_other(other, today=tracker.local_today()))
        assert (merged.added, merged.total) == (
            len(expected.events) - len(a.events),
            len(expected.events),
        )
        data = Store(path).load()
        assert (data.settings, data.roadmaps) == (expected.settings, expected.roadmaps)
        # An append leaves the store's own events where they were; a rewrite sorts them.
        assert sorted(data.events, key=lambda e: e.order) == expected.events
        if path.stat().st_ino != inode:
            assert path.read_bytes() == encode(expected)
        assert merged.summary.to_json() == LogSummary.of(expected).to_json()
        assert Store(path).summary().to_json() == merged.summary.to_json()


def test_merge_of_a_large_store_keeps_every_event(isolated_home: Path, tmp_path: Path) -> None:
    history(isolated_home)
    base = tracker.now() - timedelta(days=5)
    events = [
        Event(id=f"big-{n:07d}", seq=n + 1, ts=base + timedelta(seconds=n), roadmap=ROADMAP,
              item="derivatives", action="done" if n % 2 else "todo")
        for n in range(5000)
    ]  # fmt: skip
    other = _store_with(tmp_path, events)
    result = run("merge", str(other))
    assert result.exit_code == 0, result.stderr
    assert "5000 new events" in result.stderr
    data = Store(isolated_home / "store.json").load()
    assert {e.id for e in events} <= {e.id for e in data.events}
    t = tracker.Tracker()
    assert t.states(t.roadmap())["derivatives"].status == "done"  # seq 5000, the last
