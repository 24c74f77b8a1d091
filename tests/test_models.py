"""The roadmap model, the safe YAML loader and every bundled roadmap."""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mlroadmap import catalog
from mlroadmap.catalog import Catalog, check_text, load_file, read_text
from mlroadmap.errors import RoadmapFileError
from mlroadmap.models import Node, Roadmap, RoadmapIndex, Source, id_problems, walk

BUNDLED_IDS = {"advanced-mle", "ml-12-weeks", "mle-6-months", "pro-mle", "stats-to-mle"}


def doc(children: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A minimal valid roadmap document with the given children."""
    return {
        "id": "demo",
        "title": "Demo",
        "summary": "A demo roadmap.",
        "source": {"title": "Somebody's notes"},
        "children": children,
        **extra,
    }


def roadmap(children: list[dict[str, Any]]) -> Roadmap:
    return Roadmap.validate(doc(children))


TREE = [
    {
        "id": "part-a",
        "title": "Part A",
        "aliases": ["first"],
        "children": [
            {"id": "a-one", "title": "One"},
            {
                "id": "a-group",
                "title": "Group",
                "children": [
                    {"id": "a-two", "title": "Two", "renamed_from": ["old-two"]},
                    {"id": "a-three", "title": "Three"},
                ],
            },
        ],
    },
    {"id": "part-b", "title": "Part B", "children": [{"id": "b-one", "title": "B one"}]},
    {"id": "lonely", "title": "A top-level leaf"},
]


def problems_of(text: str, source: str = "demo.yaml") -> list[str]:
    with pytest.raises(RoadmapFileError) as info:
        check_text(textwrap.dedent(text), source)
    return info.value.problems


# ---------------------------------------------------------------------------
# The Pydantic model


@pytest.mark.parametrize(
    ("where", "document"),
    [
        ("top", doc([{"id": "a", "title": "A"}], colour="red")),
        ("node", doc([{"id": "a", "title": "A", "colour": "red"}])),
        ("source", {**doc([{"id": "a", "title": "A"}]), "source": {"title": "S", "colour": "x"}}),
        ("resource", doc([{"id": "a", "title": "A", "resources": [{"title": "R", "colour": 1}]}])),
    ],
)
def test_unknown_keys_are_refused_and_named(where: str, document: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as info:
        Roadmap.validate(document)
    errors = info.value.errors()
    assert [e["type"] for e in errors] == ["extra_forbidden"]
    assert errors[0]["loc"][-1] == "colour"
    assert "colour" in str(info.value)


def test_unknown_key_message_from_check_text_names_the_key() -> None:
    problems = problems_of(
        """\
        id: demo
        title: Demo
        summary: S
        source: {title: S}
        childs: []
        children:
          - {id: a, title: A}
        """
    )
    assert problems == ["demo.yaml:5: childs: unknown key 'childs'"]


@pytest.mark.parametrize(
    "bad",
    ["Week-5", "week_5", "week 5", "-week", "week-", "week--5", "", "wéék", "a" * 65, "week.5"],
)
def test_bad_slug_ids_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        roadmap([{"id": bad, "title": "A"}])
    assert info.value.errors()[0]["loc"] == ("children", 0, "id")


@pytest.mark.parametrize("good", ["a", "week-5", "0", "a1-b2-c3", "a" * 64])
def test_good_slug_ids_are_accepted(good: str) -> None:
    assert roadmap([{"id": good, "title": "A"}]).children[0].id == good


def test_bad_slug_in_aliases_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        roadmap([{"id": "a", "title": "A", "aliases": ["Bad Alias"]}])
    assert info.value.errors()[0]["loc"] == ("children", 0, "aliases", 0)


def test_roadmap_needs_at_least_one_child_and_a_source() -> None:
    with pytest.raises(ValidationError) as info:
        Roadmap.validate({"id": "x", "title": "X", "summary": "S", "children": []})
    locs = {e["loc"] for e in info.value.errors()}
    assert locs == {("source",), ("children",)}


def test_links_must_be_http() -> None:
    with pytest.raises(ValidationError, match="https://"):
        roadmap([{"id": "a", "title": "A", "resources": [{"title": "R", "url": "ftp://x"}]}])
    with pytest.raises(ValidationError, match="spaces"):
        roadmap([{"id": "a", "title": "A", "resources": [{"title": "R", "url": "https://a b"}]}])


def test_id_problems_reports_duplicate_ids_with_their_path() -> None:
    problems = id_problems(
        roadmap(
            [
                {"id": "a", "title": "A", "children": [{"id": "x", "title": "X"}]},
                {"id": "b", "title": "B", "children": [{"id": "x", "title": "X again"}]},
            ]
        )
    )
    assert len(problems) == 1
    assert problems[0].path == ("children", 1, "children", 0, "id")
    assert "duplicate ID 'x'" in problems[0].message
    assert "'X'" in problems[0].message  # names what claimed the ID first


def test_id_problems_reports_alias_and_old_id_clashes() -> None:
    problems = id_problems(
        roadmap(
            [
                {"id": "a", "title": "A", "aliases": ["b", "shared"]},
                {"id": "b", "title": "B", "aliases": ["shared"], "renamed_from": ["a"]},
            ]
        )
    )
    by_path = {p.path: p.message for p in problems}
    assert set(by_path) == {
        ("children", 0, "aliases", 0),
        ("children", 1, "aliases", 0),
        ("children", 1, "renamed_from", 0),
    }
    assert "'b' is already taken" in by_path[("children", 0, "aliases", 0)]
    assert "aliases of 'a'" in by_path[("children", 1, "aliases", 0)]
    assert "'a' is already taken" in by_path[("children", 1, "renamed_from", 0)]


def test_id_problems_is_empty_for_a_clean_roadmap() -> None:
    assert id_problems(roadmap(TREE)) == []


def test_walk_is_preorder_with_depths_and_paths() -> None:
    r = roadmap(TREE)
    got = [(node.id, depth) for _, node, depth in walk(r.children)]
    assert got == [
        ("part-a", 0),
        ("a-one", 1),
        ("a-group", 1),
        ("a-two", 2),
        ("a-three", 2),
        ("part-b", 0),
        ("b-one", 1),
        ("lonely", 0),
    ]
    paths = {node.id: path for path, node, _ in walk(r.children)}
    assert paths["a-three"] == ("children", 0, "children", 1, "children", 1)


def test_index_leaves_in_order_and_under_a_node() -> None:
    index = RoadmapIndex(roadmap(TREE))
    assert index.leaves == ["a-one", "a-two", "a-three", "b-one", "lonely"]
    assert index.leaves_under("part-a") == ["a-one", "a-two", "a-three"]
    assert index.leaves_under("a-group") == ["a-two", "a-three"]
    assert index.leaves_under("a-two") == ["a-two"]
    assert index.leaves_under("lonely") == ["lonely"]


def test_index_ancestors_and_parents() -> None:
    index = roadmap(TREE).index
    assert index.ancestors("a-three") == ["part-a", "a-group"]
    assert index.ancestors("b-one") == ["part-b"]
    assert index.ancestors("part-a") == []
    assert index.entries["a-two"].parent == "a-group"
    assert index.entries["a-two"].depth == 2
    assert index.node("a-group").title == "Group"


def test_index_names_include_aliases_and_old_ids() -> None:
    index = roadmap(TREE).index
    assert index.names["first"] == "part-a"
    assert index.names["old-two"] == "a-two"
    assert index.names["a-two"] == "a-two"
    assert index.old_ids == {"old-two": "a-two"}
    assert set(index.names) == {
        "part-a",
        "first",
        "a-one",
        "a-group",
        "a-two",
        "old-two",
        "a-three",
        "part-b",
        "b-one",
        "lonely",
    }


def test_roadmap_index_is_cached_on_the_model() -> None:
    r = roadmap(TREE)
    assert r.index is r.index


# ---------------------------------------------------------------------------
# check_text: file:line: path: message

DEEP = """\
id: demo
title: Demo
summary: S
source:
  title: Src
children:
  - id: a
    title: A
    children:
      - id: a-one
        title: One
      - id: a-two
        title: Two
        kind: bogus
      - {id: a-three, title: Three, colour: red}
  - id: b
    title: B
    resources:
      - title: R
        url: ftp://example.org
"""


def test_check_text_names_file_line_and_path_deep_in_the_tree() -> None:
    problems = problems_of(DEEP, "roadmaps/demo.yaml")
    assert len(problems) == 3
    kind, colour, url = problems
    assert kind.startswith("roadmaps/demo.yaml:14: children.0.children.1.kind: ")
    assert "'week'" in kind  # lists what is allowed
    assert colour == "roadmaps/demo.yaml:15: children.0.children.2.colour: unknown key 'colour'"
    assert url.startswith("roadmaps/demo.yaml:20: children.1.resources.0.url: ")
    assert "https://" in url


def test_check_text_format_matches_the_contract() -> None:
    for line in problems_of(DEEP):
        assert re.fullmatch(r"demo\.yaml:\d+: [\w.]+: .+", line), line


def test_check_text_reports_id_clashes_at_their_line() -> None:
    problems = problems_of(
        """\
        id: demo
        title: Demo
        summary: S
        source: {title: S}
        children:
          - id: a
            title: A
            aliases: [b]
          - id: b
            title: B
          - id: a
            title: A2
        """
    )
    assert "demo.yaml:11: children.2.id: duplicate ID 'a' (ID of 'A')" in problems
    assert any(
        p.startswith("demo.yaml:8: children.0.aliases.0: 'b' is already taken") for p in problems
    )


def test_check_text_accepts_a_valid_document() -> None:
    r = check_text(
        textwrap.dedent(
            """\
            id: demo
            title: Demo
            summary: S
            source: {title: S, url: "https://example.org"}
            children:
              - id: a
                title: A
                weeks: [1, 2]
                children:
                  - {id: a-one, title: One, kind: task}
            """
        ),
        "demo.yaml",
    )
    assert r.index.leaves == ["a-one"]
    assert r.children[0].weeks == [1, 2]
    assert r.source.url == "https://example.org"


def test_duplicate_yaml_keys_are_refused_with_the_line() -> None:
    problems = problems_of(
        """\
        id: demo
        title: Demo
        summary: S
        source: {title: S}
        children:
          - id: a
            title: A
            title: B
        """
    )
    assert problems == ["demo.yaml:8: duplicate key 'title' (first on line 7)"]


def test_a_list_at_top_level_is_refused() -> None:
    assert problems_of("- id: demo\n- title: Demo\n") == [
        "demo.yaml:1: a roadmap must be a mapping of keys, not list"
    ]


def test_an_empty_file_is_refused() -> None:
    assert problems_of("# nothing here\n") == [
        "demo.yaml:1: a roadmap must be a mapping of keys, not empty"
    ]


def test_broken_yaml_is_refused_with_a_line() -> None:
    problems = problems_of("id: demo\ntitle: [unclosed\nsummary: x\n")
    assert len(problems) == 1
    assert re.match(r"demo\.yaml:[23]: invalid YAML: ", problems[0])


def test_python_tags_are_refused_without_running_anything(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"id: !!python/object/apply:os.system ['touch {marker}']\ntitle: Demo\n"
    problems = problems_of(text)
    assert len(problems) == 1
    assert problems[0].startswith("demo.yaml:1: invalid YAML: ")
    assert "python/object/apply:os.system" in problems[0]
    assert not marker.exists()


def test_python_tags_in_a_file_are_refused_without_running_anything(tmp_path: Path) -> None:
    marker = tmp_path / "pwned-too"
    path = tmp_path / "evil.yaml"
    path.write_text(
        f"id: evil\ntitle: Evil\nsummary: S\nsource: {{title: S}}\n"
        f"children:\n  - !!python/object/apply:os.system ['touch {marker}']\n",
        encoding="utf-8",
    )
    with pytest.raises(RoadmapFileError) as info:
        load_file(path, use_cache=False)
    assert info.value.problems[0].startswith(f"{path}:6: invalid YAML")
    assert not marker.exists()


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused() -> None:
    # Expanded, this is 9**9 (387 million) strings; refused without expanding it.
    problems = problems_of(billion_laughs())
    # Reported at the first anchor whose expansion is over the budget: a4 (9**5 strings).
    assert 9**4 < catalog.MAX_ALIAS_NODES < 9**5
    assert problems == ["demo.yaml:5: the document expands to too many nodes (aliases?)"]


def test_alias_bomb_inside_a_roadmap_is_refused() -> None:
    text = billion_laughs() + "id: demo\ntitle: Demo\nsummary: S\nsource: {title: S}\n"
    text += "children: *a8\n"
    assert "too many nodes" in problems_of(text)[0]


def test_a_few_aliases_are_fine() -> None:
    r = check_text(
        textwrap.dedent(
            """\
            id: demo
            title: Demo
            summary: &s Shared words
            description: *s
            source: {title: S}
            children:
              - {id: a, title: A}
            """
        ),
        "demo.yaml",
    )
    assert r.description == "Shared words"


def test_self_referencing_alias_is_refused() -> None:
    problems = problems_of("id: demo\nchildren: &c [*c]\n")
    assert len(problems) == 1
    assert problems == ["demo.yaml:2: an alias refers to a collection that holds it"]


def test_a_file_over_5_mb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# padding\n" * (catalog.MAX_FILE_BYTES // 10 + 1))
    assert path.stat().st_size > 5 * 1024 * 1024
    with pytest.raises(RoadmapFileError) as info:
        read_text(path)
    message = info.value.problems[0]
    assert message.startswith(f"{path}:1: ")
    assert "5,242,880" in message


def test_a_file_of_exactly_5_mb_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * catalog.MAX_FILE_BYTES)
    text, raw = read_text(path)
    assert len(raw) == catalog.MAX_FILE_BYTES
    assert text.startswith("#")


def test_invalid_utf8_is_refused_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"id: demo\ntitle: Demo\nsummary: caf\xe9\n")
    with pytest.raises(RoadmapFileError) as info:
        load_file(path, use_cache=False)
    assert info.value.problems == [f"{path}:3: the file is not valid UTF-8 text"]


def test_load_file_reports_the_file_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(textwrap.dedent(DEEP), encoding="utf-8")
    with pytest.raises(RoadmapFileError) as info:
        load_file(path)
    assert info.value.problems[1] == (
        f"{path}:15: children.0.children.2.colour: unknown key 'colour'"
    )


def test_load_file_cache_gives_the_same_roadmap(tmp_path: Path, isolated_home: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(
        "id: demo\ntitle: Demo\nsummary: S\nsource: {title: S}\n"
        "children:\n  - {id: a, title: A, aliases: [x]}\n",
        encoding="utf-8",
    )
    first = load_file(path)
    cached = list((isolated_home / "cache").rglob("*.json"))
    assert len(cached) == 1
    second = load_file(path)
    assert second == first
    assert second.index.names["x"] == "a"


# ---------------------------------------------------------------------------
# The bundled roadmaps


@pytest.fixture
def bundled() -> list[Roadmap]:
    return Catalog().all()


def test_every_bundled_roadmap_loads(bundled: list[Roadmap]) -> None:
    assert {r.id for r in bundled} == BUNDLED_IDS


def test_every_bundled_roadmap_credits_its_source(bundled: list[Roadmap]) -> None:
    for r in bundled:
        assert r.source.title.strip(), r.id
        assert r.title.strip(), r.id
        assert r.summary.strip(), r.id


def test_every_bundled_roadmap_has_unique_ids_and_leaves(bundled: list[Roadmap]) -> None:
    for r in bundled:
        ids = [node.id for _, node, _ in walk(r.children)]
        duplicates = [i for i, n in Counter(ids).items() if n > 1]
        assert duplicates == [], r.id
        assert id_problems(r) == [], r.id
        assert len(r.index.leaves) >= 1, r.id
        assert all(r.index.node(leaf).is_leaf for leaf in r.index.leaves)


def test_bundled_files_are_valid_without_the_cache() -> None:
    for rf in Catalog().files.values():
        r = load_file(rf.path, use_cache=False)
        assert r.id == rf.id == rf.path.stem
        assert rf.bundled


def test_ml_12_weeks_shape(bundled: list[Roadmap]) -> None:
    r = next(r for r in bundled if r.id == "ml-12-weeks")
    index = r.index
    assert len(index.leaves) == 63
    assert [n.id for n in r.children][:3] == ["month-1", "month-2", "month-3"]
    for week in range(1, 13):
        node = index.node(f"week-{week}")
        groups = [c.id for c in node.children]
        assert groups[-1] == f"week-{week}-practice"
        assert groups[0] in (f"week-{week}-topics", f"week-{week}-review")
    assert len(index.leaves_under("week-5")) == 4
    assert index.ancestors("week-5-topics") == ["month-2", "week-5"]


def test_mle_6_months_week_ranges_have_aliases(bundled: list[Roadmap]) -> None:
    r = next(r for r in bundled if r.id == "mle-6-months")
    node: Node = r.index.node("week-5-6")
    assert node.aliases == ["week-5", "week-6"]
    assert node.weeks == [5, 6]
    assert r.index.names["week-6"] == "week-5-6"


def test_the_validated_document_leaves_out_empty_lists_and_keeps_the_rest() -> None:
    """What the cache keeps: defaults (empty lists, the topic kind) are left out, values stay."""
    from mlroadmap import schema

    empty: dict[str, Any] = {"aliases": [], "weeks": [], "resources": [], "renamed_from": []}
    document = {
        "id": "r",
        "title": " T ",
        "summary": "S",
        "source": {"title": "s"},
        "children": [
            {"id": "a", "title": "A", "kind": "topic", "children": [], **empty},
            {"id": "b", "title": "B", "weeks": [2], "aliases": ["bee"], "kind": "week"},
        ],
    }
    assert schema.validated(schema.Roadmap, document) == {
        "id": "r",
        "title": "T",
        "summary": "S",
        "source": {"title": "s"},
        "children": [
            {"id": "a", "title": "A"},
            {"id": "b", "title": "B", "kind": "week", "weeks": [2], "aliases": ["bee"]},
        ],
    }


names = st.sampled_from(["a", "b", "c", "d"])


@st.composite
def named_trees(draw: st.DrawFn, depth: int = 0) -> list[Node]:
    nodes = []
    for _ in range(draw(st.integers(1, 3))):
        children = draw(named_trees(depth + 1)) if depth < 2 and draw(st.booleans()) else []
        nodes.append(
            Node(
                id=draw(names),
                title="T",
                aliases=draw(st.lists(names, max_size=2)),
                renamed_from=draw(st.lists(names, max_size=1)),
                children=children,
            )
        )
    return nodes


@settings(max_examples=300, deadline=None)
@given(named_trees())
def test_id_problems_finds_a_clash_exactly_when_some_name_is_taken_twice(nodes: list[Node]) -> None:
    every = [
        name for _, node, _ in walk(nodes) for name in (node.id, *node.aliases, *node.renamed_from)
    ]
    problems = id_problems(
        Roadmap(id="r", title="R", summary="S", source=Source("s"), children=nodes)
    )
    assert len(problems) == len(every) - len(set(every))
