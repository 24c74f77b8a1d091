"""Import keeps every level of nesting, validates before writing, and stays within the
size limit of roadmap files; any Markdown either imports to a valid roadmap or is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mlroadmap import catalog
from mlroadmap.cli import app
from mlroadmap.errors import UserError
from mlroadmap.importer import MAX_DEPTH, convert, to_yaml
from mlroadmap.models import Roadmap

runner = CliRunner()


def nested(levels: int, indent: int = 2) -> str:
    lines = ["# Deep", ""]
    for i in range(levels):
        box = "[x]" if i == levels - 1 else "[ ]"
        lines.append(" " * (indent * i) + f"- {box} level {i}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("levels", "indent"), [(MAX_DEPTH, 2), (40, 2), (120, 4)])
def test_every_level_of_nesting_is_kept(levels: int, indent: int) -> None:
    result = convert(nested(levels, indent), roadmap_id="d", source="d.md")
    roadmap = Roadmap.validate(result.document)
    titles = [roadmap.index.node(i).title for i in roadmap.index.leaves]
    assert titles == [f"level {i}" for i in range(levels)]
    assert result.checked == [f"level-{levels - 1}"]
    assert max(e.depth for e in roadmap.index.entries.values()) < MAX_DEPTH
    folded = max(0, levels - MAX_DEPTH)
    assert result.summary.folded == folded
    assert bool(result.summary.notes) == (folded > 0)


def test_the_summary_says_when_nesting_was_folded(tmp_path: Path) -> None:
    doc = tmp_path / "deep.md"
    doc.write_text(nested(30))
    result = runner.invoke(app, ["import", str(doc), "--with-progress"])
    assert result.exit_code == 0, result.output
    assert "22 entries nested deeper than 8 levels were folded" in " ".join(result.stderr.split())
    progress = json.loads(runner.invoke(app, ["progress", "-r", "deep", "--json"]).stdout)
    assert (progress["total"]["total"], progress["total"]["done"]) == (30, 1)


def test_a_document_whose_roadmap_would_be_over_the_size_limit_writes_nothing(
    tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog, "MAX_FILE_BYTES", 4_000)
    doc = tmp_path / "many.md"
    doc.write_text("".join(f"- t{i}\n" for i in range(500)))  # 3,390 bytes: under the limit
    assert doc.stat().st_size < 4_000
    result = runner.invoke(app, ["import", str(doc)])
    assert result.exit_code == 2
    assert "over the 4,000-byte limit" in result.stderr
    assert "nothing was written" in result.stderr
    assert not list(isolated_home.rglob("*.yaml"))
    monkeypatch.undo()  # the bundled roadmaps are bigger than the lowered limit
    assert runner.invoke(app, ["list"]).exit_code == 0


markdown_bits = st.sampled_from(
    [
        "# T\n",
        "## S\n",
        "- a\n",
        "  - b\n",
        "    - [x] c\n",
        "- [ ] d\n",
        "1. e\n",
        "| A | B |\n|---|---|\n| x | [y](https://e.org) |\n",
        "<table><tr><td>z</td></tr>\n",
        "[l](https://e.org/l)\n",
        "[t](#t)\n",
        "---\ntitle: F\n---\n",
        "\n",
        "> - q\n",
        "- **b** text\n",
        ":tada:\n",
        "\x1b[2J\n",
        "\u202e- r\n",
        "      - deep\n" * 3,
        "![i](i.png)\n",
        "## Contributing\n",
        "- [m](rel/m.md)\n",
    ]
)


@settings(max_examples=60, deadline=None)
@given(parts=st.lists(markdown_bits, max_size=25))
def test_any_markdown_imports_to_a_valid_roadmap_or_is_refused(parts: list[str]) -> None:
    text = "".join(parts)
    try:
        result = convert(text, roadmap_id="g", source="g.md", base_url="https://e.org/r/")
    except UserError as exc:
        refused = exc.message
    else:
        refused = ""
    if refused:
        assert "found nothing to track" in refused
        return
    roadmap = Roadmap.validate(result.document)
    assert len(roadmap.index.leaves) == result.items >= 1


any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
yaml_values = st.recursive(
    st.one_of(any_text, st.integers(0, 10**6), st.booleans()),
    lambda inner: st.one_of(
        st.lists(st.one_of(any_text, st.integers(0, 520)), max_size=3),
        st.lists(
            st.dictionaries(
                st.from_regex(r"[a-z_]{1,8}", fullmatch=True), inner, min_size=1, max_size=3
            ),
            min_size=1,
            max_size=3,
        ),
        st.dictionaries(
            st.from_regex(r"[a-z_]{1,8}", fullmatch=True), inner, min_size=1, max_size=3
        ),
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(
    document=st.dictionaries(
        st.from_regex(r"[a-z_]{1,8}", fullmatch=True), yaml_values, min_size=1, max_size=4
    )
)
def test_the_roadmap_file_reads_back_as_the_document(document: dict[str, object]) -> None:
    assert yaml.safe_load(to_yaml(document)) == document


def test_deep_quotes_and_emphasis_lose_no_entry_and_never_recurse_too_far() -> None:
    quoted = "".join(">" * i + f" - [ ] q{i}\n" for i in range(1, 300))
    result = convert(quoted, roadmap_id="q", source="q.md")
    assert result.items == 299
    emphasis = "- " + "*" * 4000 + "deep" + "*" * 4000 + "\n- plain\n"
    roadmap = Roadmap.validate(convert(emphasis, roadmap_id="e", source="e.md").document)
    titles = [roadmap.index.node(i).title for i in roadmap.index.leaves]
    assert titles[-1] == "plain"
    assert "deep" in titles[0]


def test_folded_list_entries_stay_as_items_in_a_document_without_checkboxes() -> None:
    text = "".join(" " * (3 * i) + f"1. o{i}\n" for i in range(60))
    result = convert(text, roadmap_id="o", source="o.md")
    roadmap = Roadmap.validate(result.document)
    titles = [roadmap.index.node(i).title for i in roadmap.index.leaves]
    groups = [e.node.title for e in roadmap.index.entries.values() if e.node.children]
    assert sorted(titles + groups, key=lambda t: int(t[1:])) == [f"o{i}" for i in range(60)]
    assert result.summary.folded == 60 - MAX_DEPTH


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_text_written_without_escapes_is_what_the_escaping_writer_gives(text: str) -> None:
    from mlroadmap.importer import _yaml_escaped, _yaml_string

    assert _yaml_string(text) == _yaml_escaped(text)
    assert yaml.safe_load(f"key: {_yaml_string(text)}") == {"key": text}


def _collection_depth(node: object) -> int:
    from yaml.nodes import MappingNode, SequenceNode

    if isinstance(node, SequenceNode):
        return 1 + max((_collection_depth(v) for v in node.value), default=0)
    if isinstance(node, MappingNode):
        return 1 + max((_collection_depth(v) for pair in node.value for v in pair), default=0)
    return 0


@settings(max_examples=200, deadline=None)
@given(
    document=st.dictionaries(
        st.from_regex(r"[a-z_]{1,8}", fullmatch=True), yaml_values, min_size=1, max_size=4
    )
)
def test_the_shape_of_the_roadmap_file_is_what_its_loader_measures(
    document: dict[str, object],
) -> None:
    """Nesting and node count, as the loader's limits see them (an import over them is
    refused before anything is written)."""
    from mlroadmap.importer import yaml_shape

    text, depth, nodes = yaml_shape(document)
    loader = catalog._loader_class()(text)
    try:
        root, count = catalog._compose(loader)
    finally:
        loader.dispose()
    assert count == nodes
    assert _collection_depth(root) == depth
