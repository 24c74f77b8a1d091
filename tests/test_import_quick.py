"""The quick reading of plain checklists gives exactly the blocks markdown-it gives."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlroadmap import importer
from mlroadmap.catalog import Catalog
from mlroadmap.importer import Block, _markdown_tree, convert, quick_tree

PROPERTY = settings(max_examples=400, deadline=None)


def shape(block: Block) -> tuple[object, ...]:
    """Everything the importer reads of a block, children included."""
    return (
        block.type,
        block.tag,
        block.content,
        block.attrs,
        tuple(shape(child) for child in block.children),
    )


def same_as_markdown_it(text: str) -> bool:
    """Whether the quick reading took the document; when it did, it must match markdown-it."""
    quick = quick_tree(text)
    if quick is None:
        return False
    tree, anchors, has_checkboxes = quick
    slow_tree, slow_anchors, slow_checkboxes, images = _markdown_tree(text)
    assert [shape(b) for b in tree] == [shape(b) for b in slow_tree]
    assert anchors == slow_anchors
    assert has_checkboxes == slow_checkboxes
    assert images == 0
    return True


# Pieces of plain text and links the quick reading takes.
WORDS = st.sampled_from(
    [
        "Item",
        "linear algebra",
        "week 3",
        "2024",
        "C#",
        "a - b",
        "Q & A",
        "x|y",
        "(notes)",
        "done!",
        "why?",
        "über",
        "📚 reading",
        "~tilde~",
        ":tada:",
        "a: b",
        "50%",
        "$5",
        "'q'",
    ]
)
GOOD_URLS = st.sampled_from(
    [
        "https://example.org",
        "https://example.org/course/s1/g2/3",
        "http://a.b-c.io:8080/x?y=1&z=2",
        "#basics",
        "lessons/1-intro.md",
        "01-intro/",
        "https://x.org/a%20b",
        "?page=2",
        "./x.md",
    ]
)
# And what it refuses (the document then goes to markdown-it).
ODD_TEXT = st.sampled_from(
    [
        "*em*",
        "_u_",
        "`code`",
        "a\\b",
        "<b>",
        "&amp;",
        "[x]",
        "]",
        "![img](https://x.org/i.png)",
        "a\tb",
        "nbsp\xa0here",
        "snake_case",
        "<!-- id: kept -->",
        "[ref]",
        "&#35;",
    ]
)
ODD_URLS = st.sampled_from(
    [
        "https://Example.org",
        "javascript:alert(1)",
        "//host/x",
        "https://x.org/é",
        "a b",
        "%zz",
        "https://x.org/(a)",
        "mailto:a@b.org",
        "",
        "<https://x.org>",
        "https://x.org/a;b",
    ]
)


@st.composite
def inline_text(draw: st.DrawFn, odd: bool) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["word", "word", "link"] + (["odd", "oddlink"] if odd else [])))
        if kind == "word":
            parts.append(draw(WORDS))
        elif kind == "link":
            parts.append(f"[{draw(WORDS)}]({draw(GOOD_URLS)})")
        elif kind == "odd":
            parts.append(draw(ODD_TEXT))
        else:
            parts.append(f"[{draw(WORDS)}]({draw(ODD_URLS)})")
    joiners = st.sampled_from([" ", "", " (", ") ", ", "])
    out = parts[0]
    for part in parts[1:]:
        joiner = draw(joiners)
        if not odd and not joiner and out.endswith("!") and part.startswith("["):
            joiner = " "  # "![" would make the link an image
        out += joiner + part
    if re.match(r"~|\d+[.)]( |$)", out):
        out = "a " + out  # "~~~" opens a fenced code block, "1." or "1)" an ordered list
    return out


@st.composite
def documents(draw: st.DrawFn, odd: bool) -> str:
    """Headings, nested checklists and entries, paragraphs and blank lines; with ``odd``,
    also lines and text of every other kind, and indents the quick reading does not take."""
    lines: list[str] = []
    depth = 0
    after_item = False
    for _ in range(draw(st.integers(1, 30))):
        after_item = bool(lines) and lines[-1].lstrip().startswith(("- ", "* ", "+ "))
        kinds = ["blank", "heading", "item", "item", "item", "text"]
        if odd:
            kinds += ["odd-line", "odd-item"]
        kind = draw(st.sampled_from(kinds))
        if kind == "blank":
            lines.append("")
        elif kind == "heading":
            lines.append("#" * draw(st.integers(1, 6)) + " " + draw(inline_text(odd)))
            depth = 0
        elif kind in ("item", "odd-item"):
            level = draw(st.integers(0, depth))
            indent = "  " * level
            if kind == "odd-item":
                indent = " " * draw(st.integers(0, 7))
            marker = draw(st.sampled_from(["-", "-", "*", "+"]))
            box = draw(
                st.sampled_from(["", "[ ] ", "[x] ", "[X] "] + (["[]", "[ ]"] if odd else []))
            )
            trailing = draw(st.sampled_from(["", "", "  "]))
            lines.append(f"{indent}{marker} {box}{draw(inline_text(odd))}{trailing}")
            depth = level + 1
        elif kind == "text":
            if after_item and not odd:
                lines.append("")  # text right under an entry continues it (taken with odd)
            lines.append(draw(inline_text(odd)))
            depth = 0
        else:
            lines.append(
                draw(
                    st.sampled_from(
                        [
                            "---",
                            "***",
                            "> quote",
                            "1. one",
                            "2) two",
                            "```",
                            "<div>",
                            "===",
                            "#x",
                            "| a | b |",
                            "|---|---|",
                            "[ref]: https://x.org",
                            "    code",
                            "\t- tab",
                            "  indented text",
                            "text  ",
                            "## closed ##",
                            "-",
                            "- ",
                        ]
                    )
                )
            )
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


@PROPERTY
@given(documents(odd=False))
def test_plain_checklists_are_read_quickly_and_exactly_as_markdown_it_reads_them(
    text: str,
) -> None:
    assert same_as_markdown_it(text)


@PROPERTY
@given(documents(odd=True))
def test_a_document_the_quick_reading_takes_is_read_as_markdown_it_reads_it(text: str) -> None:
    same_as_markdown_it(text)


@pytest.mark.parametrize(
    "text",
    [
        "- [ ] *emphasis*\n",
        "- [ ] a\nlazy continuation\n",
        "Para\n  - indented entry under a paragraph\n",
        "- a\n    - four spaces deeper\n",
        "---\ntitle: Front\n---\n- [ ] a\n",
        "- [ ] a\n\n  text inside the entry\n",
        "line one  \nline two\n",
        "- [ ] ![image](https://x.org/i.png)\n",
        "<h1>Title</h1>\n\n- [ ] a\n",
    ],
)
def test_more_than_a_plain_checklist_goes_to_markdown_it(text: str) -> None:
    assert quick_tree(text) is None


def bench_like(units: int) -> str:
    lines = ["# Generated", "", "A roadmap of many units.", ""]
    for s in range(1, 3):
        lines += [f"## Section {s} (week {s})", ""]
        for i in range(1, units // 2 + 1):
            mark = "x" if i % 4 == 0 else " "
            lines.append(f"- [{mark}] Item {i} of section {s} ([notes](https://x.org/s{s}/{i}))")
            if i % 3 == 0:
                lines.append("  - Read the chapter and work through the examples.")
        lines.append("")
    return "\n".join(lines)


def test_a_long_checklist_imports_the_same_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    text = bench_like(200)
    assert quick_tree(text) is not None
    quick = convert(text, roadmap_id="g", source="g.md")
    monkeypatch.setattr(importer, "quick_tree", lambda text: None)
    slow = convert(text, roadmap_id="g", source="g.md")
    assert quick.document == slow.document
    assert quick.checked == slow.checked
    assert quick.marks == slow.marks
    assert quick.summary == slow.summary
    assert quick.items == 200
    assert len(quick.checked) == 50
    first = quick.document["children"][0]["children"][0]
    assert first["title"] == "Item 1 of section 1 (notes)"
    assert first["resources"][0]["url"] == "https://x.org/s1/1"


def test_an_import_leaves_the_cache_loading_its_file_would_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next command finds the new roadmap cached, and the cache holds exactly what
    validating the written file gives."""
    from mlroadmap import catalog
    from mlroadmap.models import Roadmap
    from mlroadmap.tracker import Tracker, import_roadmap

    source = tmp_path / "plan.md"
    source.write_text(bench_like(40) + "\nSome *emphasis* too.\n", encoding="utf-8")
    result = import_roadmap(Tracker(), source=source, roadmap_id="plan")
    assert result.path is not None
    text, raw = catalog.read_text(result.path)
    cache = catalog._cache_path(raw, "roadmap")
    validated, problems = catalog._validated(catalog.parse_yaml(text, result.path), Roadmap)
    assert problems == []
    assert json.loads(cache.read_text(encoding="utf-8")) == validated

    def no_parsing(*args: object) -> object:
        raise AssertionError("the roadmap was parsed again")

    monkeypatch.setattr(catalog, "parse_yaml", no_parsing)
    loaded = Catalog().get("plan")
    assert [loaded.index.node(i).title for i in loaded.index.leaves] == [
        result.roadmap.index.node(i).title for i in result.roadmap.index.leaves
    ]
    assert len(loaded.index.leaves) == 40


def reference_ids(calls: list[tuple[str, str | None]]) -> list[str]:
    """IDs as the first free of base, base-2, base-3, ... searched from the start each time."""
    from mlroadmap.importer import slugify
    from mlroadmap.models import ID_RE, MAX_ID_LENGTH

    used: set[str] = set()
    out = []
    for title, hint in calls:
        if hint and ID_RE.match(hint) and len(hint) <= MAX_ID_LENGTH and hint not in used:
            chosen = hint
        else:
            base = slugify(title)
            chosen, n = base, 2
            while chosen in used:
                chosen, n = f"{base}-{n}", n + 1
        used.add(chosen)
        out.append(chosen)
    return out


@PROPERTY
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Read", "Read 2", "read-2", "Week 1", "Week 1!", "", "a b c d e f"]),
            st.sampled_from([None, None, "read", "read-2", "read-3", "week-1-2", "item", "Bad"]),
        ),
        max_size=60,
    )
)
def test_ids_are_the_first_free_of_each_title_slug(calls: list[tuple[str, str | None]]) -> None:
    from mlroadmap.importer import Builder, Summary

    builder = Builder(Summary())
    assert [builder.new_id(title, hint) for title, hint in calls] == reference_ids(calls)


def test_thousands_of_equal_titles_get_numbered_ids() -> None:
    text = "# Same\n\n" + "- [ ] Read\n" * 3000
    result = convert(text, roadmap_id="s", source="s.md")
    ids = [child["id"] for child in result.document["children"]]
    assert ids == ["read", *(f"read-{n}" for n in range(2, 3001))]


def test_ascii_text_is_refused_for_the_same_characters_as_any_text() -> None:
    """The quick reading refuses a character the same way in ASCII and in other text."""
    for code in range(128):
        char = chr(code)
        ascii_text = f"# T\n\n- [ ] a{char}b\n"
        other_text = f"# T\n\n- [ ] a{char}b \u00e9\n"
        assert (quick_tree(ascii_text) is None) == (quick_tree(other_text) is None), repr(char)
    assert quick_tree("- [ ] a\tb\n") is None
    assert quick_tree("- [ ] a b\r\n") is None
    assert quick_tree("- [ ] a b\n") is not None


@PROPERTY
@given(
    st.lists(
        st.sampled_from(
            [
                "youtube.com",
                "youtu.be/",
                "list=",
                "coursera.org",
                "github.com",
                "docs.",
                "x.com/",
                "example.org",
                "/a",
                "AMAZON.",
                "kaggle.com/datasets",
                "reddit.com",
                "e",
                ".",
            ]
        ),
        max_size=5,
    ).map("".join)
)
def test_a_link_is_an_article_exactly_when_no_rule_names_it(host_path: str) -> None:
    from mlroadmap.importer import _KIND_RULES, resource_kind

    lowered = host_path.lower()
    first = next((k for needles, k in _KIND_RULES if any(n in lowered for n in needles)), None)
    assert resource_kind(f"https://{host_path}") == (first or "article")


@pytest.mark.parametrize("name", ["plan.md", "two\nlines: x.md", "tab\there\u2028.md", "café.md"])
def test_the_written_file_holds_the_cached_roadmap_whatever_the_source_is_called(
    tmp_path: Path, name: str
) -> None:
    from mlroadmap import catalog
    from mlroadmap.tracker import Tracker, import_roadmap

    source = tmp_path / name
    source.write_text("# Plan\n\n- [ ] one\n- [x] two\n", encoding="utf-8")
    result = import_roadmap(Tracker(), source=source, roadmap_id="plan")
    assert result.path is not None
    fresh = catalog.load_file(result.path, use_cache=False)  # the file alone, parsed
    assert [fresh.index.node(i).title for i in fresh.index.leaves] == ["one", "two"]
    assert catalog.Catalog().get("plan").index.leaves == fresh.index.leaves
    first_line = result.path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# Imported by mlroadmap from ")
    if name.isprintable():
        assert name in first_line


@pytest.mark.parametrize(("nesting", "refused"), [(47, False), (49, True)])
def test_an_import_the_loader_would_refuse_is_refused_before_anything_is_written(
    tmp_path: Path, nesting: int, refused: bool
) -> None:
    """A file nested deeper than roadmap files may be is never written (nor cached)."""
    from mlroadmap import catalog
    from mlroadmap.errors import UserError
    from mlroadmap.tracker import Tracker, import_roadmap

    node: dict[str, object] = {"id": "leaf", "title": "Leaf"}
    for i in range(nesting):
        node = {"id": f"n{i}", "title": f"N{i}", "children": [node]}
    source = tmp_path / "deep.json"
    source.write_text(
        json.dumps({"title": "D", "summary": "S", "source": {"title": "s"}, "children": [node]}),
        encoding="utf-8",
    )
    if refused:
        with pytest.raises(UserError, match="would be nested 101 deep, over the limit of 100"):
            import_roadmap(Tracker(), source=source, roadmap_id="deep")
        assert not (catalog.paths.user_roadmaps_dir() / "deep.yaml").exists()
        return
    result = import_roadmap(Tracker(), source=source, roadmap_id="deep")
    assert result.path is not None
    assert catalog.load_file(result.path, use_cache=False).index.leaves == ["leaf"]


def test_an_import_over_the_loaders_node_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlroadmap import catalog
    from mlroadmap.errors import UserError
    from mlroadmap.tracker import Tracker, import_roadmap

    source = tmp_path / "plan.md"
    source.write_text(bench_like(20), encoding="utf-8")
    monkeypatch.setattr(catalog, "MAX_NODES", 100)
    with pytest.raises(UserError, match=r"would be [\d,]+ YAML nodes, over the limit of 100;"):
        import_roadmap(Tracker(), source=source, roadmap_id="plan")
    assert not (catalog.paths.user_roadmaps_dir() / "plan.yaml").exists()
    monkeypatch.setattr(catalog, "MAX_NODES", 200_000)
    result = import_roadmap(Tracker(), source=source, roadmap_id="plan")
    assert result.items == 20
