"""Export then import --with-progress loses nothing: marks, their days, notes, IDs, weeks,
descriptions, resources, kinds and the start date (a property over random roadmaps and
histories); ticks from a document without dates do not count toward pace."""

from __future__ import annotations

import json
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mlroadmap import tracker as T
from mlroadmap.catalog import Catalog
from mlroadmap.cli import app
from mlroadmap.store import Store

runner = CliRunner()
KINDS = ["stage", "phase", "month", "week", "section", "group", "topic", "task", "project", "item"]
RESOURCE_KINDS = ["video", "course", "book", "docs", "article", "repo", "other"]
SPECIAL_TITLES = [
    "Week 3: Linear Algebra",
    "C++ & <b>templates</b>",
    ":tada: party time",
    "a -- b --> c",
    "ends with a colon:",
    "[x] not a box",
    "**bold** label: rest",
    "# not a heading",
    "1. not a number",
    "https://example.com/bare",
    "&amp; entity",
    "x " * 70,
    "Ünïcödé ✓ 🚀",
    "0.",
    "2) second",
    "- dash",
    "---",
    "~~~ fence",
    "+ plus",
]
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp", "Co", "Cn")),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip())
titles = st.one_of(text, st.sampled_from(SPECIAL_TITLES))
urls = st.builds(
    lambda path, query: f"https://example.com/{path}{query}",
    st.from_regex(r"[a-z0-9\-]{0,12}", fullmatch=True),
    st.sampled_from(["", "?list=a--b", "#frag", "?q=<x>"]),
)
resource = st.fixed_dictionaries(
    {"title": titles, "url": urls, "kind": st.sampled_from(RESOURCE_KINDS)},
    optional={"note": text},
)


def node_strategy(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    base = st.fixed_dictionaries(
        {"title": titles, "kind": st.sampled_from(KINDS)},
        optional={
            "description": st.one_of(text, st.just("line one\nline *two* <i>\n\n- [ ] x")),
            "weeks": st.lists(st.integers(1, 52), min_size=1, max_size=3),
            "resources": st.lists(resource, min_size=1, max_size=2),
        },
    )
    if depth >= 3:
        return base
    return st.one_of(
        base,
        st.builds(
            lambda n, children: {**n, "children": children},
            base,
            st.lists(node_strategy(depth + 1), min_size=1, max_size=3),
        ),
    )


def with_ids(nodes: list[dict[str, Any]], counter: list[int]) -> list[dict[str, Any]]:
    out = []
    for n in nodes:
        counter[0] += 1
        made = {"id": f"n-{counter[0]}", **n}
        if "children" in n:
            made["children"] = with_ids(n["children"], counter)
        out.append(made)
    return out


def leaves_of(nodes: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for n in nodes:
        found.extend(leaves_of(n["children"]) if "children" in n else [n["id"]])
    return found


history_step = st.tuples(
    st.sampled_from(["done", "start", "skip", "todo", "note"]),
    st.integers(0, 1000),  # which item
    st.integers(0, 400),  # how many days ago
    st.one_of(st.none(), text),
)


def comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """An exported JSON roadmap without what a new import is free to change."""
    doc = dict(doc)
    doc.pop("id")

    def clean(n: dict[str, Any]) -> None:
        for note in n.get("notes", []):
            note.pop("at")
        for child in n.get("children", []):
            clean(child)

    for child in doc["children"]:
        clean(child)
    return doc


def make_tracker(home: Path) -> T.Tracker:
    return T.Tracker(catalog=Catalog(user_dir=home / "roadmaps"), store=Store(home / "store.json"))


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    children=st.lists(node_strategy(0), min_size=1, max_size=4),
    history=st.lists(history_step, max_size=12),
    fmt=st.sampled_from(["md", "json"]),
)
def test_export_then_import_with_progress_restores_everything(
    children: list[dict[str, Any]], history: list[tuple[str, int, int, str | None]], fmt: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / "roadmaps").mkdir()
        nodes = with_ids(children, [0])
        document = {
            "id": "orig",
            "title": "Original <plan> & :tada:",
            "summary": "A summary -- with dashes.",
            "description": "Roadmap description\nwith two lines.",
            "source": {"title": "Someone's list", "url": "https://example.com/src"},
            "children": nodes,
        }
        (home / "roadmaps" / "orig.yaml").write_text(
            yaml.safe_dump(document, allow_unicode=True), encoding="utf-8"
        )
        leaves = leaves_of(nodes)
        today = T.local_today()
        for action, which, ago, note in history:
            item = leaves[which % len(leaves)]
            day = today - timedelta(days=ago)
            tracker = make_tracker(home)
            if action == "note":
                T.add_note(tracker, query=item, text=note or "a note", roadmap_query="orig")
            else:
                T.mark(
                    tracker, queries=[item], action=action, roadmap_query="orig", note=note, on=day
                )
        before = T.export(make_tracker(home), roadmap_query="orig", fmt="json")
        exported = home / f"export.{fmt}"
        exported.write_text(T.export(make_tracker(home), roadmap_query="orig", fmt=fmt))
        T.import_roadmap(make_tracker(home), source=exported, roadmap_id="back", with_progress=True)
        after = T.export(make_tracker(home), roadmap_query="back", fmt="json")
        assert comparable(json.loads(after)) == comparable(json.loads(before))


def test_ticks_from_a_document_without_dates_are_dated_today_but_not_counted_in_pace(
    tmp_path: Path,
) -> None:
    doc = tmp_path / "plan.md"
    doc.write_text("# Plan\n\n- [x] one\n- [x] two\n- [ ] three\n")
    result = runner.invoke(app, ["import", str(doc), "--with-progress"])
    assert result.exit_code == 0, result.output
    progress = json.loads(runner.invoke(app, ["progress", "-r", "plan", "--json"]).stdout)
    assert progress["total"]["done"] == 2
    assert progress["pace"]["per_week"] == 0
    assert progress["pace"]["remaining"] == 1
    exported = json.loads(runner.invoke(app, ["export", "-r", "plan", "-f", "json"]).stdout)
    one = exported["children"][0]
    assert (one["status"], one["day"], one["undated"]) == ("done", str(date.today()), True)
    assert exported["started"] == str(date.today())
    # A tick made here counts; and the undated ones stay undated through an export.
    assert runner.invoke(app, ["done", "-r", "plan", "three"]).exit_code == 0
    progress = json.loads(runner.invoke(app, ["progress", "-r", "plan", "--json"]).stdout)
    assert progress["pace"]["per_week"] == 1.0
    md = tmp_path / "back.md"
    assert runner.invoke(app, ["export", "-r", "plan", "-o", str(md)]).exit_code == 0
    assert runner.invoke(app, ["import", str(md), "--id", "back", "--with-progress"]).exit_code == 0
    back = json.loads(runner.invoke(app, ["progress", "-r", "back", "--json"]).stdout)
    assert (back["total"]["done"], back["pace"]["per_week"]) == (3, 1.0)


def test_a_box_ticked_by_hand_in_an_export_wins_over_its_comment(tmp_path: Path) -> None:
    assert runner.invoke(app, ["start", "gradient-descent"]).exit_code == 0
    assert (
        runner.invoke(app, ["done", "regression-algorithms", "--on", "2026-01-05"]).exit_code == 0
    )
    md = tmp_path / "mine.md"
    assert runner.invoke(app, ["export", "-o", str(md)]).exit_code == 0
    text = md.read_text(encoding="utf-8")
    lines = text.splitlines()
    gd = next(i for i, line in enumerate(lines) if "<!-- id: gradient-descent -->" in line)
    ra = next(i for i, line in enumerate(lines) if "<!-- id: regression-algorithms -->" in line)
    assert '"status":"start"' in lines[gd]
    assert "- [ ]" in lines[gd]
    lines[gd] = lines[gd].replace("- [ ]", "- [x]", 1)  # finished since
    lines[ra] = lines[ra].replace("- [x]", "- [ ]", 1)  # not done after all
    md.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(md), "--id", "mine", "--with-progress"])
    assert result.exit_code == 0, result.output
    items = json.loads(runner.invoke(app, ["show", "-r", "mine", "--json"]).stdout)

    def status(node_id: str) -> str:
        stack = list(items["items"])
        while stack:
            n = stack.pop()
            if n["id"] == node_id:
                return str(n["status"])
            stack.extend(n.get("children", []))
        raise AssertionError(node_id)

    assert status("gradient-descent") == "done"
    assert status("regression-algorithms") == "todo"


def test_an_undated_tick_keeps_its_mark_through_the_cached_summary() -> None:
    from mlroadmap.catalog import Catalog as Cat
    from mlroadmap.progress import LogSummary

    roadmap = Cat().get("ml-12-weeks")
    item = roadmap.index.leaves[0]
    summary = LogSummary()
    summary.add(T.new_event("ml-12-weeks", item, "done", undated=True, seq=1))
    again = LogSummary.from_json(json.loads(json.dumps(summary.to_json())))
    assert again.states(roadmap)[item].undated is True
    assert again.states(roadmap)[item].status == "done"


def test_the_start_date_comes_back_even_when_every_mark_was_undone(tmp_path: Path) -> None:
    assert runner.invoke(app, ["done", "week-5", "--on", "2026-02-03"]).exit_code == 0
    assert runner.invoke(app, ["undo", "week-5"]).exit_code == 0
    md = tmp_path / "plan.md"
    assert runner.invoke(app, ["export", "-o", str(md)]).exit_code == 0
    assert (
        runner.invoke(app, ["import", str(md), "--id", "again", "--with-progress"]).exit_code == 0
    )
    doc = json.loads(runner.invoke(app, ["export", "-r", "again", "-f", "json"]).stdout)
    assert doc["started"] == "2026-02-03"
