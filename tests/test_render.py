"""renderables.Outline draws what rich.tree.Tree draws, character and style alike."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from mlroadmap.renderables import Outline, Rows

WORDS = st.text(alphabet=st.sampled_from("abcdefghij  -/()’漢字é\t"), min_size=0, max_size=30).map(
    str.strip
)
STYLES = st.sampled_from(["", "bold", "dim", "cyan", "bold cyan", "green", "blue"])


@st.composite
def labels(draw: st.DrawFn) -> Text:
    text = Text(style=draw(STYLES))
    for _ in range(draw(st.integers(0, 4))):
        text.append(draw(WORDS) + draw(st.sampled_from(["", " ", "  "])), style=draw(STYLES))
    return text


@st.composite
def outlines(draw: st.DrawFn) -> list[Any]:
    """A tree as nested [label, [children...]] lists, up to five levels."""

    def node(depth: int) -> list[Any]:
        count = draw(st.integers(0, 3)) if depth < 5 else 0
        return [draw(labels()), [node(depth + 1) for _ in range(count)]]

    return node(0)


def draw_with(tree: list[Any], rich_tree: bool) -> Tree | Outline:
    label, children = tree
    root: Tree | Outline = Tree(label, guide_style="dim") if rich_tree else Outline(label)

    def add(parent: Any, nodes: list[Any]) -> None:
        for child_label, grandchildren in nodes:
            add(parent.add(child_label), grandchildren)

    add(root, children)
    return root


class AsciiFile(io.StringIO):
    encoding = "ascii"  # Rich draws ASCII guides when the output is not UTF-8


def printed(renderable: Any, width: int, colour: bool, ascii_only: bool) -> str:
    file = AsciiFile() if ascii_only else io.StringIO()
    console = Console(
        file=file,
        width=width,
        color_system="truecolor" if colour else None,
        force_terminal=colour,
        highlight=False,
    )
    console.print(renderable)
    return file.getvalue()


@settings(max_examples=300)
@given(
    outlines(),
    st.integers(min_value=1, max_value=120),
    st.booleans(),
    st.booleans(),
)
def test_outline_prints_what_rich_tree_prints(
    tree: list[Any], width: int, colour: bool, ascii_only: bool
) -> None:
    expected = printed(draw_with(tree, rich_tree=True), width, colour, ascii_only)
    assert printed(draw_with(tree, rich_tree=False), width, colour, ascii_only) == expected


def test_outline_guides_and_wrapping_by_hand() -> None:
    root = Outline(Text("root"))
    first = root.add(Text("a label long enough to wrap at twenty columns"))
    first.add(Text("child"))
    root.add(Text("last"))
    assert printed(root, 20, colour=False, ascii_only=False).splitlines() == [
        "root",
        "├── a label long ",  # Rich keeps the space a line was broken at
        "│   enough to wrap ",
        "│   at twenty ",
        "│   columns",
        "│   └── child",
        "└── last",
    ]
    assert printed(root, 20, colour=False, ascii_only=True).splitlines()[-2:] == [
        "|   `-- child",
        "`-- last",
    ]


# ---------------------------------------------------------------------------
# Rows and the Rich Table it stands for

SHORT = st.text(alphabet=st.sampled_from("0123456789-: abc漢\t"), min_size=0, max_size=16)


@st.composite
def row_sets(draw: st.DrawFn) -> Rows:
    short = draw(st.integers(1, 3))
    headers = draw(st.none() | st.lists(SHORT, min_size=short + 1, max_size=short + 1))
    rows = Rows(headers)
    for _ in range(draw(st.integers(1, 6))):
        cells = [Text(draw(SHORT), style=draw(STYLES)) for _ in range(short)]
        last = draw(labels())
        if draw(st.booleans()):
            last.append("\n" + draw(WORDS), style=draw(STYLES))
        rows.add_row(*cells, last)
    return rows


def styled_chars(renderable: Any, width: int) -> list[tuple[str, str]]:
    """Every character drawn, with the style it is drawn in (however Rich splits segments)."""
    console = Console(file=io.StringIO(), width=width, color_system="truecolor")
    drawn = []
    for segment in console.render(renderable, console.options):
        style = str(segment.style) if segment.style else "none"
        drawn += [(ch, style) for ch in segment.text]
    return drawn


@settings(max_examples=300)
@given(row_sets(), st.integers(min_value=1, max_value=120))
def test_rows_draw_what_a_rich_table_draws(rows: Rows, width: int) -> None:
    table = rows.table()
    assert printed(rows, width, colour=False, ascii_only=False) == printed(
        table,
        width,
        colour=False,
        ascii_only=False,
    )
    assert styled_chars(rows, width) == styled_chars(table, width)


def test_rows_by_hand() -> None:
    rows = Rows(["When", "What", "Item"])
    rows.add_row(Text("2026-03-04 10:30"), Text("done"), Text("r/a  A title that wraps"))
    rows.add_row(Text("2026-03-05 (on)"), Text("in progress"), Text("r/b  Short"))
    assert printed(rows, 48, colour=False, ascii_only=False).splitlines() == [
        "When              What         Item             ",
        "2026-03-04 10:30  done         r/a  A title that",
        "                               wraps            ",
        "2026-03-05 (on)   in progress  r/b  Short       ",
    ]
