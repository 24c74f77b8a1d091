"""Start-up: what the everyday commands import, and the shortcuts that spare it.

The everyday commands (``progress``, ``show``, ``list``, ``next``) never
import Pydantic, Rich's heavy modules or the YAML parser when their caches are
warm; each shortcut is held to what it replaces.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.main import get_command

from mlroadmap import cli

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
    plain = cli._plain_param_class()
    assert plain is not None
    names = {p.name for _, p in PARAMS if cli._plain_annotation(p.type_descriptor)}
    # What progress, show, list, next and done take: none needs Pydantic.
    assert {"roadmap", "json", "credit", "item", "depth", "todo", "count", "items", "help"} <= names
    assert {"version", "install_completion", "show_completion", "all_"} <= names
    # Paths and choices keep Typer's coercion.
    assert "other" not in names  # merge FILE
    assert "format" not in names  # export --format


@settings(max_examples=400, deadline=None)
@given(index=st.integers(min_value=0, max_value=len(PARAMS) - 1), value=values)
def test_plain_values_are_what_typers_coercion_makes_of_them(index: int, value: Any) -> None:
    coercion = pytest.importorskip("typer._coercion")
    command, param = PARAMS[index]
    descriptor = param.type_descriptor
    if not cli._plain_annotation(descriptor):
        return
    ctx = typer.Context(command)
    plain = cli._plain_param_class()
    assert plain is not None
    quick = plain(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)
    full = coercion.build_runtime_param(descriptor)
    param._runtime_param = None
    assert outcome(quick, value, param, ctx) == outcome(full, value, param, ctx)


@pytest.mark.parametrize(
    ("annotation", "value", "expected"),
    [
        (str, "week-5", "week-5"),
        (bool, True, True),
        (int, "12", 12),
        (int, 7, 7),
        (list[str], ("a", "b"), ["a", "b"]),
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
         "rich.console", "rich.table", "rich.text")
sys.stderr.write("\\nPROBE " + json.dumps(
    {"status": status, "loaded": [n for n in names if n in sys.modules]}) + "\\n")
"""


def probe(*args: str) -> dict[str, Any]:
    """Run a command in a child process: its exit status and the heavy modules it loaded."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
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
