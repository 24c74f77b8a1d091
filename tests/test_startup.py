"""Start-up: what the everyday commands import, and the shortcuts that spare it.

The everyday commands (``progress``, ``show``, ``list``, ``next``) never
import Pydantic, Rich's heavy modules or the YAML parser when their caches are
warm; each shortcut is held to what it replaces.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.main import get_command

from mlroadmap import cli, paths, tracker, views
from mlroadmap.events import PlainEvent
from mlroadmap.records import Event, as_event
from mlroadmap.store import encode_events
from mlroadmap.vocabulary import ExportFormat, Status

from .cli_run import run

# --------------------------------------------------------------------------
# Plain option values, held to Typer's own coercion


def all_params() -> list[tuple[Any, Any]]:
    """Every parameter of the command line, with a context of its command."""
    root = get_command(cli.app)
    found = [(root, p) for p in root.get_params(typer.Context(root))]
    for command in root.commands.values():  # type: ignore[attr-defined]
        found += [(command, p) for p in command.get_params(typer.Context(command))]
    return found


PARAMS = all_params()

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(),
    st.from_regex(r"[ +\-]?[0-9_]{0,25}[ .0]{0,3}", fullmatch=True),
    st.lists(st.one_of(st.text(), st.integers())).map(tuple),
    st.lists(st.text()),
    # paths that exist (a file, a folder) and names a system refuses
    st.sampled_from([__file__, str(Path(__file__).parent), "", "-", "a\x00b", "\ud800"]),
)


def outcome(runtime: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    try:
        result = runtime.coerce(value, param=param, ctx=ctx)
    except typer.BadParameter as exc:
        return "error", exc.format_message()
    return type(result).__name__, result


def test_every_everyday_option_takes_plain_values() -> None:
    coercion = pytest.importorskip("typer._coercion")
    del coercion
    plain = cli._runtime_param_classes()
    assert plain is not None
    names = {p.name for _, p in PARAMS if cli._plain_annotation(p.type_descriptor)}
    # What progress, show, list, next and done take: none needs Pydantic.
    assert {"roadmap", "json", "credit", "item", "depth", "todo", "count", "items", "help"} <= names
    assert {"version", "install_completion", "show_completion", "all_"} <= names
    # Choices of a string Enum are plain too (a member, when the value is one's exactly),
    # and paths (Typer's checks of them, without Pydantic).
    assert "fmt" in names  # export --format
    assert {"other", "file", "output"} <= names  # merge FILE, import PATH, export -o
    assert "files" not in names  # validate FILE...: a list of paths keeps Typer's coercion


@settings(max_examples=400, deadline=None)
@given(index=st.integers(min_value=0, max_value=len(PARAMS) - 1), value=values)
def test_plain_values_are_what_typers_coercion_makes_of_them(index: int, value: Any) -> None:
    coercion = pytest.importorskip("typer._coercion")
    command, param = PARAMS[index]
    descriptor = param.type_descriptor
    ctx = typer.Context(command)
    classes = cli._runtime_param_classes()
    assert classes is not None
    plain, lazy = classes  # the lazy one for a parameter whose values are not plain
    runtime = plain if cli._plain_annotation(descriptor) else lazy
    quick = runtime(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)
    full = coercion.build_runtime_param(descriptor)
    param._runtime_param = None
    assert outcome(quick, value, param, ctx) == outcome(full, value, param, ctx)


PATH_PARAMS = [(c, p) for c, p in PARAMS if p.type_descriptor.annotation is Path]
FOLDERS = [str(Path(__file__).parent), "", "./", "tests//"]  # "" is "." to Path()
REFUSED = ["a\x00b", "\ud800"]  # a NUL; a surrogate no file name can hold
PATH_VALUES = [__file__, *FOLDERS, "no/such/file", "./no/such", "-", *REFUSED]


@pytest.mark.parametrize("value", PATH_VALUES)
def test_a_path_is_what_typers_coercion_makes_of_it(value: str) -> None:
    coercion = pytest.importorskip("typer._coercion")
    classes = cli._runtime_param_classes()
    assert classes is not None
    assert len(PATH_PARAMS) >= 3
    kinds = set()
    for command, param in PATH_PARAMS:
        descriptor = param.type_descriptor
        ctx = typer.Context(command)
        quick = classes[0](parameter_info=descriptor.parameter_info, annotation=Path)
        full = coercion.build_runtime_param(descriptor)
        param._runtime_param = None
        got = outcome(quick, value, param, ctx)
        assert got == outcome(full, value, param, ctx)
        kinds.add(got[0])
    # merge FILE refuses a folder (dir_okay=False); the others take it as a path.
    # A name the system refuses is an error for every one.
    if value in REFUSED:
        assert kinds == {"error"}
    else:
        assert kinds == ({"error", "PosixPath"} if value in FOLDERS else {"PosixPath"})


@pytest.mark.parametrize(
    ("annotation", "value", "expected"),
    [
        (str, "week-5", "week-5"),
        (bool, True, True),
        (int, "12", 12),
        (int, 7, 7),
        (list[str], ("a", "b"), ["a", "b"]),
        (ExportFormat, "json", ExportFormat.JSON),
        (ExportFormat, ExportFormat.CSV, ExportFormat.CSV),
    ],
)
def test_plain_value_takes_what_needs_no_coercion(
    annotation: Any, value: Any, expected: Any
) -> None:
    result = cli.plain_value(annotation, value)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("annotation", "value"),
    [
        (int, "+3"),
        (int, " 3"),
        (int, "1_000"),
        (int, "٣"),  # a digit, not an ASCII one
        (int, "9" * 19),
        (int, True),
        (str, 3),
        (bool, "yes"),
        (list[str], ("a", 1)),
        (float, "1.5"),
        (ExportFormat, "MD"),  # Typer's coercion settles the case
        (ExportFormat, "pdf"),
    ],
)
def test_plain_value_leaves_the_rest_to_typer(annotation: Any, value: Any) -> None:
    assert cli.plain_value(annotation, value) is cli._NOT_PLAIN


# --------------------------------------------------------------------------
# What each command imports, in a process of its own

PROBE = """
import json, sys
sys.argv = ["mlroadmap", *sys.argv[1:]]
from mlroadmap import cli
status = cli.run()
sys.stdout.flush()
names = ("pydantic", "pydantic_core", "yaml", "mlroadmap.records", "mlroadmap.schema",
         "rich", "rich.console", "hashlib", "importlib.resources")
sys.stderr.write("\\nPROBE " + json.dumps(
    {"status": status, "loaded": [n for n in names if n in sys.modules]}) + "\\n")
"""


def probe(*args: str) -> dict[str, Any]:
    """Run a command in a child process: its exit status and the heavy modules it loaded."""
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}  # a pipe, as it comes
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    line = done.stderr.rsplit("PROBE ", 1)[-1]
    result: dict[str, Any] = json.loads(line)
    result["stdout"] = done.stdout
    return result


@pytest.fixture
def warm_home(isolated_home: Path) -> Path:
    """A home with ticks and warm caches, as on any day after the first."""
    for args in (("done", "week-1"), ("start", "week-2-topics"), ("progress", "--all")):
        assert probe(*args)["status"] == 0
    return isolated_home


EVERYDAY = [
    ("progress",),
    ("progress", "--all"),
    ("show",),
    ("show", "week-1"),
    ("show", "--depth", "2", "--todo"),
    ("list",),
    ("next",),
    ("next", "-n", "3"),
]


@pytest.mark.parametrize("args", EVERYDAY, ids=" ".join)
def test_everyday_commands_never_import_pydantic_or_yaml(
    warm_home: Path, args: tuple[str, ...]
) -> None:
    result = probe(*args)
    assert result["status"] == 0
    assert result["stdout"].strip()
    loaded = set(result["loaded"])
    assert not loaded & {"pydantic", "pydantic_core", "yaml", "mlroadmap.records"}, loaded
    assert "mlroadmap.schema" not in loaded
    # Output to a pipe is drawn without Rich's console; a section's own description
    # and links (show week-1) are still Rich text.
    assert "rich.console" not in loaded, loaded
    if args != ("show", "week-1"):
        assert "rich" not in loaded, loaded
    assert not loaded & {"hashlib", "importlib.resources"}, loaded


def test_a_value_typer_must_coerce_still_gets_its_message(warm_home: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mlroadmap", "show", "--depth", "two"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "Invalid value for '--depth' / '-d'" in result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------
# New events without Pydantic, held to records.Event

slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)
event_ids = st.text(alphabet="0123456789abcdef-xyz", min_size=8, max_size=64)
offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
zones = st.one_of(st.just(timezone.utc), offsets, st.timezones())
times = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=zones)
notes = st.one_of(st.none(), st.text(max_size=60), st.just('quote " and },{"id": inside'))


@st.composite
def valid_fields(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "id": draw(event_ids),
        "seq": draw(st.one_of(st.none(), st.integers(min_value=1, max_value=2**53 - 1))),
        "ts": draw(times),
        "roadmap": draw(slugs),
        "item": draw(slugs),
        "action": draw(st.sampled_from(["done", "start", "skip", "todo", "note"])),
        "on": draw(st.one_of(st.none(), st.dates())),
        "note": draw(notes),
        "undated": draw(st.sampled_from([None, True])),
        "reverts": draw(st.one_of(st.none(), event_ids)),
        "replaces": draw(st.one_of(st.none(), event_ids)),
    }


EVENT_ATTRIBUTES = (
    *("id", "seq", "ts", "roadmap", "item", "action", "on", "note", "undated", "reverts"),
    *("replaces", "order", "day"),
)


def whole_minutes(ts: datetime) -> bool:
    offset = ts.utcoffset()
    return offset is not None and offset % timedelta(minutes=1) == timedelta(0)


@settings(max_examples=500, deadline=None)
@given(fields=valid_fields())
def test_a_new_event_is_written_as_event_writes_it(fields: dict[str, Any]) -> None:
    event = Event.model_validate(fields)
    new = PlainEvent.make(**fields)
    if not whole_minutes(fields["ts"]):  # an offset with seconds: left to Event
        assert new is None
        return
    assert new is not None
    assert new.json_line() == event.json_line()
    assert encode_events([new]) == encode_events([event])
    for name in EVENT_ATTRIBUTES:
        assert getattr(new, name) == getattr(event, name), name
    assert as_event(new) == event


def odd(valid: Any, *others: Any) -> st.SearchStrategy[Any]:
    return st.one_of(valid, st.sampled_from(others))


@st.composite
def any_fields(draw: st.DrawFn) -> dict[str, Any]:
    """Fields that may break any of Event's rules."""
    fields = draw(valid_fields())
    overrides = {
        "id": odd(event_ids, "short", "x" * 65, 12345678, None),
        "seq": odd(st.none(), 0, -1, 2**53, True, "3", 1.0),
        "ts": odd(times, datetime(2026, 1, 1), "2026-01-01T00:00:00Z", date(2026, 1, 1)),
        "roadmap": odd(slugs, "", "A", "a--b", "a-", "a\n", "é", "a" * 65, None),
        "item": odd(slugs, "", "Week-1", "week_1", "-a", 5),
        "action": odd(st.just("done"), "undo", "", "DONE", None, Status.DONE),
        "on": odd(st.none(), datetime(2026, 1, 1), "2026-01-01"),
        "note": odd(notes, "x" * 10_001, "a\udcff", "\ud800", 3),
        "undated": odd(st.none(), False, 1, "true"),
        "reverts": odd(st.none(), "short", "y" * 65),
        "replaces": odd(st.none(), "short", 7),
    }
    for name in draw(st.sets(st.sampled_from(sorted(overrides)), max_size=3)):
        fields[name] = draw(overrides[name])
    return fields


@settings(max_examples=500, deadline=None)
@given(fields=any_fields())
def test_a_new_event_is_made_only_of_what_event_accepts(fields: dict[str, Any]) -> None:
    new = PlainEvent.make(**fields)
    try:
        event = Event.model_validate(fields)
    except ValidationError:
        assert new is None
        return
    if new is not None:
        assert new.json_line() == event.json_line()


def test_the_tracker_writes_new_events_without_pydantic() -> None:
    new = tracker.quick_event("ml-12-weeks", "vectors-matrices", "done", note="a note", seq=3)
    assert isinstance(new, PlainEvent)
    with pytest.raises(ValidationError):  # what PlainEvent does not check, Event refuses
        tracker.quick_event("ml-12-weeks", "vectors-matrices", "note", note="x\ud800")


WRITES = [
    ("done", "week-3-topics"),
    ("start", "week-4"),
    ("skip", "week-5-practice", "--note", "known"),
    ("note", "week-6", "a link: https://example.org"),
    ("done", "pro-mle/linear-regression", "--on", "2026-01-05"),
]


@pytest.mark.parametrize("args", WRITES, ids=" ".join)
def test_ticks_never_import_pydantic(warm_home: Path, args: tuple[str, ...]) -> None:
    before = (warm_home / "store.json").read_bytes()
    result = probe(*args)
    assert result["status"] == 0
    loaded = set(result["loaded"])
    assert not loaded & {"pydantic", "pydantic_core", "yaml", "mlroadmap.records"}, loaded
    assert "rich" not in loaded, loaded  # the message is one plain line
    after = (warm_home / "store.json").read_bytes()
    assert after.startswith(before)
    added = after[len(before) :].decode("utf-8").splitlines()
    assert added
    for line in added:  # each line as Event writes it
        assert Event.model_validate_json(line).json_line() == line


@pytest.mark.parametrize(
    "args",
    [("note", "week-1", "a \udcff b"), ("done", "week-1", "--note", "\udcff")],
    ids=["note", "done --note"],
)
def test_a_note_that_is_not_text_is_refused_with_a_message(args: tuple[str, ...]) -> None:
    result = run(*args, code=2)
    assert "the note holds bytes that are not text" in result.stderr
    assert not (Path(os.environ["MLROADMAP_HOME"]) / "store.json").exists()


# --------------------------------------------------------------------------
# Plain output, told without Rich: what Rich's console decides


class Stream(io.StringIO):
    def __init__(self, encoding: str | None, tty: bool) -> None:
        super().__init__()
        self._encoding = encoding
        self._tty = tty

    @property
    def encoding(self) -> str | None:  # type: ignore[override]
        return self._encoding

    def isatty(self) -> bool:
        return self._tty


@settings(max_examples=300, deadline=None)
@given(
    force_color=st.sampled_from([None, "", "1", "0"]),
    tty_compatible=st.sampled_from([None, "", "0", "1"]),
    columns=st.sampled_from([None, "", "100", "x", "20000"]),
    no_color=st.sampled_from([None, "1"]),
    encoding=st.sampled_from([None, "utf-8", "UTF-8", "ascii", "cp1252", "utf_8"]),
    tty=st.booleans(),
)
def test_plain_output_is_decided_as_rich_decides_it(
    force_color: str | None,
    tty_compatible: str | None,
    columns: str | None,
    no_color: str | None,
    encoding: str | None,
    tty: bool,
) -> None:
    env = {"FORCE_COLOR": force_color, "TTY_COMPATIBLE": tty_compatible}
    env |= {"COLUMNS": columns, "NO_COLOR": no_color}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            if value is None:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)
        patch.setattr(sys, "stdout", Stream(encoding, tty))
        ascii_only = views.plain_stdout()
        out = views.console()
        rich_plain = (
            not out.is_terminal and out.color_system is None and out.width >= views.PIPE_WIDTH
        )
        if ascii_only is not None:
            assert rich_plain
            assert ascii_only == out.options.ascii_only
        if not tty and force_color is None and tty_compatible is None and not columns:
            assert ascii_only is not None  # a pipe with nothing asked of it: plain


# --------------------------------------------------------------------------
# Paths without importlib.resources, digests without OpenSSL


@settings(max_examples=200)
@given(
    st.binary(max_size=64)
    | st.integers(0, 3).map(lambda n: b"y" * (paths._BUILTIN_SHA256_BYTES - 1 + n))
)
def test_digest_is_hashlibs_sha256(data: bytes) -> None:
    assert paths.digest(data) == hashlib.sha256(data).hexdigest()


def test_the_bundled_roadmaps_are_where_importlib_resources_says() -> None:
    from importlib.resources import files

    packaged = Path(str(files("mlroadmap"))) / "roadmaps"
    found = paths.bundled_roadmaps_dir()
    if packaged.is_dir():
        assert found == packaged
    else:  # a checkout: the work tree's roadmaps
        assert found == Path(cli.__file__).resolve().parents[2] / "roadmaps"
    assert (found / "ml-12-weeks.yaml").is_file()
