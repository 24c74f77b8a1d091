"""Hostile and broken input: the only outcomes are a result or an MlroadmapError.

Generated YAML, Markdown and store documents go to the loaders, generated
text to the terminal renderer; nothing may raise anything else, execute
anything, or reach the terminal as a control sequence.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mlroadmap import text as render_text
from mlroadmap.catalog import check_text
from mlroadmap.cli import app
from mlroadmap.errors import MlroadmapError
from mlroadmap.importer import convert
from mlroadmap.store import decode

runner = CliRunner()
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30)
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
roadmap_like = st.fixed_dictionaries(
    {"id": st.sampled_from(["r", "R!", ""]), "title": yaml_scalars, "summary": yaml_scalars},
    optional={
        "source": yaml_values,
        "children": st.lists(
            st.dictionaries(
                st.sampled_from(["id", "title", "kind", "children", "weeks", "aliases", "x"]),
                yaml_values,
                max_size=5,
            ),
            max_size=4,
        ),
    },
)
yaml_snippets = st.lists(
    st.sampled_from(
        [
            "id: a\n",
            "title: [\n",
            "- x\n",
            "  - y\n",
            "&a [*a]\n",
            "!!python/object/apply:os.system ['true']\n",
            "key: !!binary AAAA\n",
            "dup: 1\ndup: 2\n",
            "? [a, b]\n: c\n",
            "\t\x00\x1b[31m\n",
            "children: &c [{id: x, title: y}]\nmore: *c\n",
            "'unterminated\n",
            "id: a\nid: b\n",
        ]
    ),
    max_size=6,
).map("".join)


def _outcome(call: object) -> None:
    """Run ``call``: it may succeed or raise an MlroadmapError, nothing else."""
    with contextlib.suppress(MlroadmapError):
        call()  # type: ignore[operator]


@FUZZ
@given(st.text(max_size=300) | yaml_snippets)
def test_any_yaml_text_loads_or_fails_cleanly(text: str) -> None:
    _outcome(lambda: check_text(text, "fuzz.yaml"))


@FUZZ
@given(roadmap_like)
def test_any_roadmap_shaped_document_loads_or_fails_cleanly(document: dict[str, object]) -> None:
    import yaml

    _outcome(lambda: check_text(yaml.safe_dump(document), "fuzz.yaml"))


markdown_pieces = st.lists(
    st.sampled_from(
        [
            "# Title\n",
            "## Week 3: x\n",
            "- [ ] item\n",
            "- [x] done [link](https://example.com/a b)\n",
            "  - [ ] nested\n",
            "1. ordered\n",
            "<!-- id: UPPER -->\n",
            "- [ ] <!-- id: dup --> a\n- [ ] <!-- id: dup --> b\n",
            "> - [ ] quoted\n",
            "```\n- [ ] in code\n```\n",
            "| a | b |\n|---|---|\n| - [ ] | x |\n",
            "**bold** text 🚀\n",
            "[x](javascript:alert(1))\n",
            "\n",
        ]
    ),
    max_size=10,
).map("".join)


@FUZZ
@given(markdown_pieces | st.text(max_size=200))
def test_any_markdown_imports_to_a_valid_roadmap_or_fails_cleanly(text: str) -> None:
    import yaml

    try:
        imported = convert(text, roadmap_id="fuzz", source="fuzz.md")
    except MlroadmapError:
        return
    roadmap = check_text(yaml.safe_dump(imported.document, allow_unicode=True), "fuzz.yaml")
    assert len(roadmap.index.leaves) == imported.items


store_docs = st.one_of(
    st.binary(max_size=100),
    st.builds(
        lambda v, e: json.dumps({"schema_version": v, "events": e}).encode(),
        st.one_of(st.integers(-2, 3), st.text(max_size=3), st.none()),
        st.lists(
            st.dictionaries(
                st.sampled_from(["id", "ts", "roadmap", "item", "action", "on", "note", "x"]),
                yaml_scalars,
                max_size=8,
            ),
            max_size=3,
        ),
    ),
)


@FUZZ
@given(store_docs)
def test_any_store_document_decodes_or_fails_cleanly(raw: bytes) -> None:
    _outcome(lambda: decode(raw, Path("store.json")))


@FUZZ
@given(st.text(max_size=80))
def test_rendered_text_never_carries_control_characters(text: str) -> None:
    shown = render_text.clean(text)
    bad = [c for c in shown if (ord(c) < 32 and c not in "\t\n") or 0x7F <= ord(c) <= 0x9F]
    bad += [c for c in shown if 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069]
    assert bad == []


def test_python_tags_are_refused_with_no_effect(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"id: x\ntitle: !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(MlroadmapError) as caught:
        check_text(text, "evil.yaml")
    assert "evil.yaml:2:" in str(caught.value)
    assert not marker.exists()


def test_markup_and_escape_codes_in_notes_are_shown_as_text() -> None:
    note = "[bold red]loud[/bold red] \x1b[2J\u202eevil"
    assert runner.invoke(app, ["note", "derivatives", note]).exit_code == 0
    out = runner.invoke(app, ["show", "derivatives"]).stdout
    assert "[bold red]loud[/bold red]" in out
    assert "\x1b" not in out
    assert "\\x1b[2J" in out
    assert "\u202e" not in out
    doc = runner.invoke(app, ["log", "--json"]).stdout
    assert "\\u001b" in doc
    assert "\\u202e" in doc
    assert json.loads(doc)["events"][0]["note"] == note


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["done", ""], "empty"),
        (["done", "x" * 10_000], "characters long"),
        (["show", "-r", "no-such-roadmap"], "no roadmap"),
        (["done", "week-5", "--on", "2026-02-30"], "day is out of range"),
        (["show", "--depth", "-1"], "--depth"),
        (["use", "ml-12-weeks", "--start", "tomorrow"], "YYYY-MM-DD"),
        (["next", "-n", "0"], "1 or more"),
        (["log", "--since", "2026-13-01"], "not a valid date"),
        (["search", "   "], "text to search"),
    ],
)
def test_bad_arguments_are_one_clear_line(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert message in result.stderr
    assert result.stderr.startswith("error: ")
