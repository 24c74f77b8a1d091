"""import (Markdown → roadmap), validate, export, and roadmaps that change."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mlroadmap.catalog import Catalog
from mlroadmap.cli import app
from mlroadmap.importer import convert, resource_kind, slugify, weeks_in
from mlroadmap.models import walk
from tests.conftest import REAL_ROADMAPS, need_shared

runner = CliRunner()
CHECKBOX = re.compile(r"^\s*[-*+]\s+\[([ xX])\]\s+", re.MULTILINE)


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def leaves(roadmap_id: str) -> list[str]:
    roadmap = Catalog().get(roadmap_id)
    return [roadmap.index.node(i).title for i in roadmap.index.leaves]


def done_titles(roadmap_id: str) -> set[str]:
    doc = json.loads(invoke("export", "-r", roadmap_id, "--format", "json")[1])
    found = set()

    def visit(nodes: list[dict[str, object]]) -> None:
        for node in nodes:
            if node.get("status") == "done":
                found.add(str(node["title"]))
            visit(node.get("children", []))  # type: ignore[arg-type]

    visit(doc["children"])
    return found


@pytest.mark.parametrize(
    ("name", "boxes", "ticked"),
    [("coding-interview-university.md", 463, 0), ("ml-study-12-month.md", 172, 2)],
)
def test_every_checkbox_of_a_real_roadmap_is_one_item(name: str, boxes: int, ticked: int) -> None:
    path = need_shared(REAL_ROADMAPS / name)
    text = path.read_text(encoding="utf-8")
    assert len(CHECKBOX.findall(text)) == boxes
    code, _, err = invoke("import", str(path), "--id", "real", "--with-progress")
    assert code == 0, err
    assert f"({boxes} items)" in err
    assert len(leaves("real")) == boxes
    progress = json.loads(invoke("progress", "-r", "real", "--json")[1])
    assert progress["total"]["total"] == boxes
    assert progress["total"]["done"] == ticked


def test_the_12_month_plan_keeps_its_phases_weeks_and_links() -> None:
    path = need_shared(REAL_ROADMAPS / "ml-study-12-month.md")
    imported = convert(path.read_text(encoding="utf-8"), roadmap_id="ml", source=str(path))
    top = imported.document["children"]
    assert top[0]["id"] == "phase-1"
    assert top[0]["weeks"] == list(range(1, 9))
    assert top[0]["children"][0]["id"] == "week-1"
    assert top[0]["children"][0]["weeks"] == [1]
    week1 = top[0]["children"][0]
    # Its "Resources:" lists have no links: they stay as the week's description.
    assert "- Python Data Science Handbook (Ch. 1–3)." in week1["description"]
    assert "Kaggle Python micro-course" in week1["description"]


def test_headings_lists_links_and_paragraphs() -> None:
    text = """# My Plan

Intro paragraph.

## Week 1: Basics

Read this first. **Bold label:** more text.

- [ ] Learn [NumPy](https://numpy.org/doc/stable/) arrays 🚀
  - a note under the item
- [x] Watch [the playlist](https://www.youtube.com/playlist?list=abc)
- Resources:
  - [A course](https://www.coursera.org/learn/x)

## Week 2

- [ ] Parent task
  - [ ] Child task
"""
    imported = convert(text, roadmap_id="plan", source="plan.md")
    doc = imported.document
    assert doc["title"] == "My Plan"
    assert doc["description"].startswith("Intro paragraph.")
    week1, week2 = doc["children"]
    assert (week1["id"], week1["weeks"]) == ("week-1", [1])
    assert "Bold label: more text." in week1["description"]
    numpy, playlist = week1["children"]
    assert numpy["title"] == "Learn NumPy arrays 🚀"
    assert numpy["resources"] == [
        {"title": "NumPy", "url": "https://numpy.org/doc/stable/", "kind": "docs"}
    ]
    assert numpy["description"] == "- a note under the item"
    assert playlist["resources"][0]["kind"] == "playlist"
    assert {"title": "A course", "url": "https://www.coursera.org/learn/x", "kind": "course"} in (
        week1["resources"]
    )
    assert imported.checked == [playlist["id"]]
    # A checkbox with checkboxes under it stays one item, beside its children.
    group = week2["children"][0]
    assert [c["title"] for c in group["children"]] == ["Parent task", "Child task"]
    assert imported.items == 4


def test_a_document_without_checkboxes_makes_items_of_its_list_entries() -> None:
    text = "# Plan\n\n## Part A\n\n- one\n- two\n  - two-a\n  - two-b\n\n## Part B\n\n1. three\n"
    doc = convert(text, roadmap_id="p", source="p.md").document
    titles = [n.title for _, n, _ in walk(_roadmap(doc).children) if n.is_leaf]
    assert titles == ["one", "two-a", "two-b", "three"]


def _roadmap(doc: dict[str, object]):  # type: ignore[no-untyped-def]
    from mlroadmap.models import Roadmap

    return Roadmap.validate(doc)


def test_import_refuses_a_file_with_nothing_to_track(tmp_path: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("# Title\n\nJust prose.\n")
    code, _, err = invoke("import", str(empty))
    assert code == 2
    assert "found nothing to track" in err


def test_import_refuses_to_shadow_a_bundled_roadmap(tmp_path: Path) -> None:
    md = tmp_path / "x.md"
    md.write_text("- [ ] a\n")
    code, _, err = invoke("import", str(md), "--id", "ml-12-weeks")
    assert code == 2
    assert "exists already" in err
    assert invoke("import", str(md), "--id", "mine")[0] == 0
    assert invoke("import", str(md), "--id", "mine")[0] == 2
    assert invoke("import", str(md), "--id", "mine", "--force")[0] == 0


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.youtube.com/playlist?list=PL1", "playlist"),
        ("https://youtu.be/abc", "video"),
        ("https://www.coursera.org/learn/ml", "course"),
        ("https://github.com/a/b", "repo"),
        ("https://www.kaggle.com/datasets/x", "dataset"),
        ("https://scikit-learn.org/stable/documentation.html", "docs"),
        ("https://discord.gg/abc", "community"),
        ("https://example.com/post", "article"),
    ],
)
def test_resource_kinds(url: str, kind: str) -> None:
    assert resource_kind(url) == kind


def test_slugs_and_weeks() -> None:
    assert slugify("Week 3: Linear Algebra I") == "week-3"
    assert slugify("Phase 1: Foundations (Weeks 1–8)") == "phase-1"
    assert slugify("Implement a vector (mutable array with automatic resizing)") == (
        "implement-a-vector-mutable-array"
    )
    assert slugify("🚀 !!") == "item"
    assert weeks_in("Phase 2: Core ML (Weeks 9–20)") == list(range(9, 21))
    assert weeks_in("Week 5, 6") == [5, 6]
    assert weeks_in("Stage 1") == []


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
@pytest.mark.parametrize("roadmap_id", ["ml-12-weeks", "pro-mle", "advanced-mle", "mle-6-months"])
def test_markdown_export_imports_back_to_the_same_items_and_marks(
    roadmap_id: str, data: st.DataObject, tmp_path: Path
) -> None:
    ids = Catalog().get(roadmap_id).index.leaves
    ticked = data.draw(st.lists(st.sampled_from(ids), max_size=10, unique=True))
    home = tmp_path / f"home-{len(list(tmp_path.iterdir()))}"
    env = {"MLROADMAP_HOME": str(home)}
    if ticked:
        assert runner.invoke(app, ["done", "-r", roadmap_id, *ticked], env=env).exit_code == 0
    out = home / "export.md"
    assert runner.invoke(app, ["export", "-r", roadmap_id, "-o", str(out)], env=env).exit_code == 0
    result = runner.invoke(app, ["import", str(out), "--id", "back", "--with-progress"], env=env)
    assert result.exit_code == 0, result.output
    back = runner.invoke(app, ["export", "-r", "back", "--format", "json"], env=env)
    original = runner.invoke(app, ["export", "-r", roadmap_id, "--format", "json"], env=env)

    def items(doc: dict[str, object]) -> list[tuple[str, str, str]]:
        found: list[tuple[str, str, str]] = []

        def visit(nodes: list[dict[str, object]]) -> None:
            for n in nodes:
                if "children" in n:
                    visit(n["children"])  # type: ignore[arg-type]
                else:
                    found.append((str(n["id"]), str(n["title"]), str(n["status"])))

        visit(doc["children"])  # type: ignore[arg-type]
        return found

    assert items(json.loads(back.stdout)) == items(json.loads(original.stdout))


def test_export_csv_and_json_carry_the_marks() -> None:
    invoke("done", "week-5")
    invoke("note", "gradient-descent", "notebook: https://example.com/nb")
    rows = list(csv.DictReader(io.StringIO(invoke("export", "--format", "csv")[1])))
    by_id = {r["id"]: r for r in rows}
    assert by_id["regression-algorithms"]["status"] == "done"
    assert by_id["regression-algorithms"]["parent"] == "week-5-topics"
    assert by_id["week-5"]["status"] == ""
    assert by_id["gradient-descent"]["notes"] == "notebook: https://example.com/nb"
    assert len([r for r in rows if r["status"]]) == 63
    doc = json.loads(invoke("export", "--format", "json")[1])
    assert doc["id"] == "ml-12-weeks"
    month2 = doc["children"][1]
    assert (month2["id"], month2["done"], month2["total"]) == ("month-2", 4, 18)
    assert invoke("export", "--format", "pdf")[0] == 2


def test_validate_prints_every_problem_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: bad\ntitle: Bad\nsummary: s\nsource: {title: t}\nchildren:\n"
        "  - id: a\n    title: A\n    colour: red\n"
        "  - id: a\n    title: Again\n"
        "  - id: Not_A_Slug\n    title: C\n"
    )
    code, out, _ = invoke("validate", str(bad))
    assert code == 2
    lines = out.strip().splitlines()
    assert f"{bad}:8: children.0.colour: unknown key 'colour'" in lines
    assert any(line.startswith(f"{bad}:11: children.2.id:") for line in lines)
    good = tmp_path / "good.yaml"
    good.write_text(
        "id: good\ntitle: G\nsummary: s\nsource: {title: t}\nchildren:\n  - {id: a, title: A}\n"
    )
    code, out, _ = invoke("validate", str(good))
    assert (code, out.strip()) == (0, f"{good}: ok (1 items)")
    assert invoke("validate", str(good), str(bad))[0] == 2


def _write_user_roadmap(home: Path, body: str) -> None:
    (home / "roadmaps").mkdir(parents=True, exist_ok=True)
    (home / "roadmaps" / "mine.yaml").write_text(
        "id: mine\ntitle: Mine\nsummary: s\nsource: {title: t}\nchildren:\n" + body
    )


def test_renamed_items_keep_their_ticks_and_removed_ones_are_kept(isolated_home: Path) -> None:
    _write_user_roadmap(isolated_home, "  - {id: old-name, title: A}\n  - {id: b, title: B}\n")
    assert invoke("done", "-r", "mine", "old-name", "b")[0] == 0
    _write_user_roadmap(
        isolated_home,
        "  - {id: new-name, title: A, renamed_from: [old-name]}\n  - {id: c, title: C}\n",
    )
    progress = json.loads(invoke("progress", "-r", "mine", "--json")[1])
    assert (progress["total"]["done"], progress["total"]["total"]) == (1, 2)
    show = json.loads(invoke("show", "-r", "mine", "--json")[1])
    assert [(i["id"], i["status"]) for i in show["items"]] == [("new-name", "done"), ("c", "todo")]
    assert invoke("show", "-r", "mine", "old-name")[0] == 0  # an old ID still addresses the item
    report = json.loads(invoke("doctor", "--json")[1])
    assert [(o["roadmap"], o["item"]) for o in report["orphans"]] == [("mine", "b")]
    # The tick on the removed item counts again when it comes back.
    _write_user_roadmap(isolated_home, "  - {id: new-name, title: A}\n  - {id: b, title: B}\n")
    progress = json.loads(invoke("progress", "-r", "mine", "--json")[1])
    assert progress["total"]["done"] == 1  # b is back; new-name lost its renamed_from link


def test_a_user_roadmap_with_a_bundled_id_is_skipped_naming_both(isolated_home: Path) -> None:
    (isolated_home / "roadmaps").mkdir(parents=True)
    clash = isolated_home / "roadmaps" / "ml-12-weeks.yaml"
    clash.write_text("id: ml-12-weeks\n")
    code, out, err = invoke("list")
    assert code == 0
    assert "ml-12-weeks" in out  # the bundled roadmap, untouched
    bundled = Catalog().files["ml-12-weeks"].path
    assert err.splitlines() == [
        f"warning: skipped {clash}:1: the ID 'ml-12-weeks' is taken by {bundled}; "
        "rename or remove one of the files"
    ]
    code, out, err = invoke("doctor")
    assert code == 2
    flat = "".join(out.split())  # the line may wrap, at a space or inside the long path
    assert "".join(f"FAIL  {clash}:1: the ID 'ml-12-weeks' is taken".split()) in flat
