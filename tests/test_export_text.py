"""The text an export writes: Markdown escaping, the JSON of its comments, CSV rows,
and the counts the JSON export adds up itself.

The quick paths (titles that need no escaping, a node's comment written
field by field, CSV rows that need no quoting) must write exactly what the
general ones write, whatever the text: pipes, brackets, backslashes, every
kind of whitespace, control and bidirectional characters, Markdown's
specials and lone surrogates.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date, datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mlroadmap.events import PlainEvent
from mlroadmap.exporter import (
    _csv_line,
    _escape,
    _escape_all,
    _node_fields,
    _node_payload,
    compact_json,
    json_document,
    json_text,
    payload,
)
from mlroadmap.models import Node, Resource, Roadmap
from mlroadmap.progress import ItemState, counts, status_of
from mlroadmap.vocabulary import Status
from tests.test_progress import trees

# Every character str.split() splits on, the ones Markdown and HTML comments
# care about, and some that often break text handling.
WHITESPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
AWKWARD = [
    *"|[](){}<>\\`*_#&!-+=~:.;)\"'/",
    *"0123456789",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\u200e",  # left-to-right mark
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\ufeff",
    "\udcff",  # a lone surrogate
    "\ud800",
    "🚀",
    "é",
    "--",
    "-->",
    "<!--",
    ":tada:",
    "1.",
    "2)",
    "123456789.",
    "1234567890.",
    "  ",
    "a",
    "Z",
]
hostile = st.lists(
    st.one_of(st.sampled_from(AWKWARD + WHITESPACE), st.text(max_size=3)), max_size=10
).map("".join)


@settings(max_examples=800, deadline=None)
@given(hostile)
def test_escape_writes_what_the_general_escape_writes(text: str) -> None:
    assert _escape(text) == _escape_all(text)


@given(st.sampled_from(WHITESPACE), st.sampled_from(["", "a", "1.", "x y"]))
def test_escape_puts_every_kind_of_whitespace_on_one_line(space: str, around: str) -> None:
    escaped = _escape(f"{around}{space}b{space}")
    assert escaped == _escape_all(f"{around}{space}b{space}")
    assert escaped.split(" ")[-1] == "b"
    assert escaped.count(" ") == len(around.split())
    assert escaped.isprintable()


def test_plain_titles_are_kept_and_markup_is_escaped() -> None:
    for title in ("Item 1 of group 1", "Linear algebra (review)", "Week 3: vectors", "1.5x"):
        assert _escape(title) is title  # the shortcut: no new string
    assert _escape("a_b *c* [d](e) <i> #1 & `x` \\") == (
        "a\\_b \\*c\\* \\[d\\](e) \\<i\\> \\#1 \\& \\`x\\` \\\\"
    )
    assert _escape("1. first") == "1\\. first"
    assert _escape("12) twelfth") == "12\\) twelfth"
    assert _escape("- dash") == "\\- dash"
    assert _escape("  two\tlines\n here ") == "two lines here"


json_documents = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), hostile),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(hostile, inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=250, deadline=None)
@given(json_documents)
def test_compact_json_is_what_the_standard_library_writes(document: object) -> None:
    expected = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    assert compact_json(document) == expected


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(hostile, st.one_of(hostile, st.lists(hostile, max_size=3)), max_size=4))
def test_a_comment_reads_back_to_its_fields_and_never_closes_early(
    fields: dict[str, object],
) -> None:
    comment = payload(fields)
    assert comment.startswith("<!-- mlroadmap ")
    assert comment.endswith(" -->")
    inner = comment.removeprefix("<!-- mlroadmap ").removesuffix(" -->")
    assert not any(closing in inner for closing in ("--", "<", ">"))
    assert json.loads(inner) == fields


@st.composite
def nodes_with_states(draw: st.DrawFn) -> tuple[Node, ItemState | None]:
    """A node with any of its fields set to hostile text, and its item's state."""
    maybe = st.one_of(st.none(), hostile)
    resources = st.lists(
        st.builds(Resource, title=hostile, url=maybe, kind=st.sampled_from(["other", "video"]),
                  note=maybe),
        max_size=2,
    )  # fmt: skip
    node = Node(
        id="an-item",
        title=draw(hostile),
        kind=draw(st.sampled_from(["topic", "project", "section", "group"])),
        description=draw(maybe),
        weeks=draw(st.lists(st.integers(1, 52), max_size=3)),
        aliases=draw(st.lists(hostile, max_size=2)),
        renamed_from=draw(st.lists(st.sampled_from(["old-1", "old-2"]), max_size=2)),
        resources=draw(resources),
        children=[Node(id="child", title="C")] if draw(st.integers(0, 4)) == 0 else [],
    )
    if draw(st.booleans()):
        return node, None
    state = ItemState()
    state.status = draw(st.sampled_from([*Status, *(s.value for s in Status)]))
    state.day = draw(st.one_of(st.none(), st.dates(date(1970, 1, 1), date(2999, 12, 31))))
    state.undated = draw(st.booleans())
    for n in range(draw(st.integers(0, 3))):
        on = draw(st.dates(date(1970, 1, 1), date(2999, 12, 31)))
        text = draw(st.one_of(hostile, st.none()))
        ts = datetime(2026, 3, 2, tzinfo=timezone.utc)
        state.notes.append(
            PlainEvent(id=f"note-{n:04d}", ts=ts, roadmap="r", item="an-item", action="note",
                       on=on, note=text)
        )  # fmt: skip
    return node, state


@settings(max_examples=500, deadline=None)
@given(nodes_with_states(), st.booleans())
def test_a_nodes_comment_is_the_comment_of_its_fields(
    case: tuple[Node, ItemState | None], exact_title: bool
) -> None:
    node, state = case
    assert _node_payload(node, state, exact_title) == payload(
        _node_fields(node, state, exact_title)
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(hostile, st.sampled_from(["", ",", '"', "\r\n", " "])), min_size=1))
def test_a_csv_line_is_what_the_csv_module_writes(row: list[str]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    assert _csv_line(row) + "\n" == out.getvalue()


@st.composite
def roadmaps_with_states(draw: st.DrawFn) -> tuple[Roadmap, dict[str, ItemState], date | None]:
    """A roadmap of hostile text (branches nested up to four deep, every kind of
    field), and states with notes for some of its items and for IDs it lacks."""
    ids = iter(range(10_000))
    maybe = st.one_of(st.none(), hostile)

    def node(depth: int) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": f"n{next(ids)}", "title": draw(hostile)}
        extra = draw(st.sampled_from(["", "", "kind", "description", "weeks", "aliases",
                                      "renamed_from", "resources"]))  # fmt: skip
        if extra == "kind":
            doc["kind"] = draw(st.sampled_from(["project", "section", "topic"]))
        elif extra == "description":
            doc["description"] = draw(hostile)
        elif extra == "weeks":
            doc["weeks"] = draw(st.lists(st.integers(1, 52), min_size=1, max_size=3))
        elif extra == "aliases":
            doc["aliases"] = draw(st.lists(hostile, min_size=1, max_size=2))
        elif extra == "renamed_from":
            doc["renamed_from"] = [f"old-{doc['id']}"]
        elif extra == "resources":
            doc["resources"] = [{"title": draw(hostile), "url": draw(maybe), "note": draw(maybe),
                                 "kind": draw(st.sampled_from(["other", "book"]))}]  # fmt: skip
        if depth < 4 and draw(st.integers(0, 2)) == 0:
            doc["children"] = [node(depth + 1) for _ in range(draw(st.integers(1, 3)))]
        return doc

    top = {"id": "r", "title": draw(hostile), "summary": draw(hostile),
           "source": {"title": draw(hostile), "author": draw(maybe), "url": draw(maybe)},
           "description": draw(maybe),
           "duration_weeks": draw(st.one_of(st.none(), st.integers(1, 60))),
           "children": [node(1) for _ in range(draw(st.integers(0, 5)))]}  # fmt: skip
    roadmap = Roadmap.from_dict(top)
    states: dict[str, ItemState] = {}
    for item in draw(st.lists(st.sampled_from([*roadmap.index.entries, "gone"]), unique=True)):
        state = states[item] = ItemState()
        state.status = draw(st.sampled_from([*Status, *(s.value for s in Status)]))
        state.day = draw(st.one_of(st.none(), st.dates(date(1970, 1, 1), date(2999, 12, 31))))
        state.undated = draw(st.booleans())
        for n in range(draw(st.integers(0, 2))):
            offset = timezone(timedelta(minutes=draw(st.integers(-14 * 60, 14 * 60))))
            ts = draw(st.datetimes(datetime(1970, 1, 2), datetime(2999, 12, 30)))
            state.notes.append(
                PlainEvent(id=f"note-{n:04d}", ts=ts.replace(tzinfo=offset), roadmap="r",
                           item=item, action="note", note=draw(maybe),
                           on=draw(st.one_of(st.none(), st.dates())))
            )  # fmt: skip
    started = draw(st.one_of(st.none(), st.dates()))
    return roadmap, states, started


@settings(max_examples=300, deadline=None)
@given(roadmaps_with_states())
def test_the_json_export_is_its_document_as_the_standard_library_writes_it(
    case: tuple[Roadmap, dict[str, ItemState], date | None],
) -> None:
    roadmap, states, started = case
    document = json_document(roadmap, states, started)
    expected = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    assert json_text(roadmap, states, started) == expected


@given(trees())
def test_the_json_export_counts_each_branch_as_progress_does(
    case: tuple[Roadmap, dict[str, ItemState], set[str]],
) -> None:
    roadmap, states, _ = case
    per_node = counts(roadmap, states)
    branches = 0

    def visit(nodes: list[dict[str, Any]]) -> None:
        nonlocal branches
        for node in nodes:
            if "children" not in node:
                assert node["status"] == status_of(states, node["id"])
                continue
            branches += 1
            c = per_node[node["id"]]
            assert (node["done"], node["skipped"], node["started"], node["total"]) == (
                c.done,
                c.skipped,
                c.started,
                c.total,
            )
            visit(node["children"])

    visit(json.loads(json_text(roadmap, states))["children"])
    assert branches == sum(1 for e in roadmap.index.entries.values() if e.node.children)
