"""Hostile and broken input: the only outcomes are a result or an MlroadmapError.

Generated YAML, Markdown and store documents go to the loaders, generated
text to the terminal renderer; nothing may raise anything else, execute
anything, or reach the terminal as a control sequence.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mlroadmap import text as render_text
from mlroadmap.catalog import _checked, check_text
from mlroadmap.cli import app
from mlroadmap.errors import MlroadmapError, RoadmapFileError
from mlroadmap.importer import convert
from mlroadmap.models import Roadmap
from mlroadmap.store import decode
from mlroadmap.text import escape_json, escape_lines, unsafe

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


# ---------------------------------------------------------------------------
# Generated YAML with anchors, aliases, merge keys, tags and deep nesting

PROBLEM_LINE = re.compile(r"fuzz\.yaml:[1-9]\d*: \S")
TAGS = [
    "!!str",
    "!!int",
    "!!float",
    "!!bool",
    "!!null",
    "!!timestamp",
    "!!binary",
    "!!merge",
    "!!value",
    "!foo",
    "!!python/name:os.system",
]
ODD_PLAIN = [
    "2026-02-30",
    "2001-12-14t21:59:43.10-05:00",
    "0x",
    "0x1F",
    "0o17",
    "1:2:3",
    ".nan",
    "-.inf",
    "1.0e+400",
    "9" * 5_000,
    "~",
    "yes",
    "Off",
    "=",
    "<<",
]
SCALAR_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@st.composite
def yaml_nodes(draw: st.DrawFn, anchors: list[str], depth: int = 0) -> str:
    """One flow-style YAML node: scalars (tagged or odd), collections, anchors, aliases."""
    choices = ["scalar", "plain", "tagged"]
    if depth < 4:
        choices += ["seq", "map", "merge"]
    if anchors:
        choices.append("alias")
    if depth <= 1:
        choices.append("deep")
    kind = draw(st.sampled_from(choices))
    if kind == "scalar":
        # A JSON string is a YAML double-quoted string (raw characters the reader may refuse).
        text = json.dumps(draw(SCALAR_TEXT), ensure_ascii=False)
    elif kind == "plain":
        text = draw(st.sampled_from(ODD_PLAIN))
    elif kind == "tagged":
        quoted = SCALAR_TEXT.map(lambda t: json.dumps(t, ensure_ascii=False))
        value = draw(st.sampled_from(ODD_PLAIN) | quoted)
        text = f"{draw(st.sampled_from(TAGS))} {value}"
    elif kind == "alias":
        return f"*{draw(st.sampled_from(anchors))}"
    elif kind == "deep":
        n = draw(st.integers(90, 110))
        return "[" * n + "]" * n
    else:
        items = draw(st.lists(yaml_nodes(anchors, depth + 1), max_size=3))
        if kind == "seq":
            text = "[" + ", ".join(items) + "]"
        else:
            keys = draw(st.lists(st.sampled_from(["id", "title", "x", "<<", "a"]), max_size=3))
            pairs = [f"{k}: {v}" for k, v in zip(keys, items, strict=False)]
            if kind == "merge" and anchors:
                alias = draw(st.sampled_from(anchors))
                pairs.append(f"<<: {draw(st.sampled_from([f'*{alias}', f'[*{alias}, *{alias}]']))}")
            text = "{" + ", ".join(pairs) + "}"
    if draw(st.booleans()):
        name = f"a{len(anchors)}"
        anchors.append(name)
        return f"&{name} {text}"
    return text


@st.composite
def yaml_documents(draw: st.DrawFn) -> str:
    """A roadmap whose children are plain, anchored, merged (``<<``) or generated nodes."""
    anchors: list[str] = []
    odd_title = draw(st.booleans()) and draw(st.booleans())
    title = draw(yaml_nodes(anchors, depth=4)) if odd_title else "Fuzz"
    lines = ["id: fuzz", f"title: {title}", "summary: S", "source: {title: S}", "children:"]
    for i in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["plain", "anchored", "merge", "merge", "node"]))
        if kind == "merge" and anchors:
            merged = draw(st.lists(st.sampled_from(anchors), min_size=1, max_size=3))
            lines.append(f"  - {{<<: [{', '.join('*' + a for a in merged)}], id: c{i}}}")
        elif kind == "anchored":
            anchors.append(f"a{len(anchors)}")
            lines.append(f"  - &{anchors[-1]} {{id: c{i}, title: Shared, kind: task}}")
        elif kind == "node":
            lines.append(f"  - {draw(yaml_nodes(anchors, depth=1))}")
        else:
            lines.append(f"  - {{id: c{i}, title: T{i}}}")
    return "\n".join(lines) + "\n"


@FUZZ
@given(yaml_documents())
def test_generated_yaml_loads_or_is_refused_at_a_line(text: str) -> None:
    problems: list[str] = []
    try:
        roadmap, doc = _checked(text, "fuzz.yaml", Roadmap)
    except RoadmapFileError as exc:
        problems = exc.problems
    if problems:
        assert all(PROBLEM_LINE.match(p) for p in problems), problems
        return
    assert roadmap.id == "fuzz"
    # What is cached is plain JSON text that builds the same roadmap again.
    cached = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    assert Roadmap.from_dict(json.loads(cached)) == roadmap


# ---------------------------------------------------------------------------
# Generated text with control and bidi characters through every view

CONTROLS = "\x00\x07\x08\x0b\x0c\x0d\x1b\x7f\x85\x9b\u061c\u200e\u200f\u202a\u202e\u2066\u2069"
HOSTILE_TEXT = st.text(
    alphabet=st.sampled_from(CONTROLS) | st.sampled_from("ab [/]()\\;:é漢\t"),
    min_size=1,
    max_size=20,
).filter(lambda t: bool(t.strip()))


def _raw_controls(text: str) -> list[str]:
    return [c for c in text if c not in "\n" and unsafe().match(c)]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(title=HOSTILE_TEXT, item=HOSTILE_TEXT, note=HOSTILE_TEXT, url_text=HOSTILE_TEXT)
def test_generated_control_text_never_reaches_the_output(
    isolated_home: Path, title: str, item: str, note: str, url_text: str
) -> None:
    import yaml

    document = {
        "id": "hostile",
        "title": title,
        "summary": item,
        "source": {"title": title, "url": "https://example.com/"},
        "children": [
            {
                "id": "part",
                "title": item,
                "description": note,
                "children": [
                    {
                        "id": "leaf",
                        "title": title,
                        "resources": [{"title": url_text, "url": "https://example.com/x"}],
                    }
                ],
            }
        ],
    }
    folder = isolated_home / "roadmaps"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hostile.yaml").write_text(
        yaml.safe_dump(document, allow_unicode=True), encoding="utf-8"
    )
    noted = runner.invoke(app, ["note", "leaf", "-r", "hostile", note])
    assert noted.exit_code in (0, 2), noted.output  # a note of spaces only is refused
    views = [
        ["show", "-r", "hostile"],
        ["show", "-r", "hostile", "leaf"],
        ["list"],
        ["search", "a", "-r", "hostile"],
        ["progress", "-r", "hostile"],
        ["next", "-r", "hostile"],
        ["log", "-r", "hostile"],
        ["show", "-r", "hostile", "--json"],
        ["log", "--json"],
    ]
    for args in views:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert _raw_controls(result.stdout) == [], args
        assert _raw_controls(result.stderr) == [], args
    for fmt in ("md", "csv", "json"):
        exported = runner.invoke(app, ["export", "-r", "hostile", "-f", fmt]).stdout
        shown = escape_json(exported) if fmt == "json" else escape_lines(exported)
        assert _raw_controls(shown.replace("\r\n", "\n")) == []
