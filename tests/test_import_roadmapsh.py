"""Import of a roadmap.sh roadmap folder (built here, with invented text, in its shape)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from mlroadmap.catalog import Catalog
from mlroadmap.cli import app
from mlroadmap.roadmapsh import convert_folder, parse_content

runner = CliRunner()


def node(node_id: str, kind: str, label: str, x: float, y: float) -> dict[str, Any]:
    return {
        "id": node_id,
        "type": kind,
        "position": {"x": x, "y": y},
        "width": 200,
        "height": 40,
        "data": {"label": label, "style": {"fontSize": 17}},
    }


def build_folder(root: Path, *, edges: bool = True) -> Path:
    folder = root / "src" / "data" / "roadmaps" / "kettle-care"
    (folder / "content").mkdir(parents=True)
    nodes = [
        node("t0", "title", "Kettle Care", 400, 0),
        node("p0", "paragraph", "Find the detailed version of this roadmap", 0, 0),
        node("b0", "button", "Visit the beginner version", 0, 50),
        node("T2", "topic", "Descaling", 400, 400),
        node("T1", "topic", "Filling Water", 400, 200),
        node("S1", "subtopic", "Cold or Warm", 700, 180),
        node("S2", "subtopic", "Filter Jugs", 700, 230),
        node("S3", "subtopic", "Vinegar Method", 100, 390),
        node("S4", "subtopic", "Citric Acid", 100, 440),
    ]
    links = [
        {"id": "e1", "source": "T1", "target": "S1"},
        {"id": "e2", "source": "S2", "target": "T1"},
        {"id": "e3", "source": "T2", "target": "S3"},
        {"id": "e4", "source": "T1", "target": "T2"},
    ]
    document = {"nodes": nodes, "edges": links if edges else []}
    (folder / "kettle-care.json").write_text(json.dumps(document), encoding="utf-8")
    (folder / "kettle-care.md").write_text(
        "---\ntitle: 'Kettle Care'\nbriefTitle: 'Kettle Care'\n---\n", encoding="utf-8"
    )
    contents = {
        "filling-water@T1.md": (
            "# Filling Water\n\nPour water up to the line, never past the **maximum** mark.\n\n"
            "Visit the following resources to learn more:\n\n"
            "- [@article@Water Levels Explained](https://example.org/levels)\n"
            "- [@video@Pouring Without Spills](https://www.youtube.com/watch?v=abc123)\n"
            "- [@official@Kettle Manual](https://example.org/manual)\n"
        ),
        "cold-or-warm@S1.md": "# Cold or Warm\n\nStart from cold water.\n",
        "vinegar-method@S3.md": (
            "# Vinegar Method\n\nSoak overnight.\n\n"
            "- [@opensource@descale-scripts](https://github.com/example/descale)\n"
            "- [@course@Descaling 101](https://example.org/course)\n"
        ),
    }
    for name, text in contents.items():
        (folder / "content" / name).write_text(text, encoding="utf-8")
    return folder


def test_topics_and_subtopics_by_edges_with_descriptions_links_and_credit(
    tmp_path: Path,
) -> None:
    result = convert_folder(build_folder(tmp_path), roadmap_id="kettle")
    doc = result.document
    assert doc["title"] == "Kettle Care"
    assert doc["source"] == {
        "title": "roadmap.sh: Kettle Care",
        "author": "roadmap.sh",
        "url": "https://roadmap.sh/kettle-care",
    }
    water, descaling = doc["children"]
    assert (water["title"], descaling["title"]) == ("Filling Water", "Descaling")  # top to bottom
    assert [c["title"] for c in water["children"]] == ["Cold or Warm", "Filter Jugs"]
    # S4 has no edge: it joins the nearest topic on the drawing.
    assert [c["title"] for c in descaling["children"]] == ["Vinegar Method", "Citric Acid"]
    assert water["description"] == ("Pour water up to the line, never past the **maximum** mark.")
    assert [(r["title"], r["kind"]) for r in water["resources"]] == [
        ("Water Levels Explained", "article"),
        ("Pouring Without Spills", "video"),
        ("Kettle Manual", "docs"),
    ]
    vinegar = descaling["children"][0]
    assert [r["kind"] for r in vinegar["resources"]] == ["repo", "course"]
    assert result.items == 4
    assert dict(result.summary.units) == {"subtopic": 4}
    assert (
        result.summary.left_out["drawing nodes that are not topics (titles, paragraphs, buttons …)"]
        == 3
    )


def test_without_edges_subtopics_join_the_nearest_topic(tmp_path: Path) -> None:
    result = convert_folder(build_folder(tmp_path, edges=False), roadmap_id="kettle")
    water, descaling = result.document["children"]
    assert [c["title"] for c in water["children"]] == ["Cold or Warm", "Filter Jugs"]
    assert [c["title"] for c in descaling["children"]] == ["Vinegar Method", "Citric Acid"]


def test_the_import_command_reads_a_folder(tmp_path: Path) -> None:
    folder = build_folder(tmp_path)
    result = runner.invoke(app, ["import", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Found 4 units to track: 4 subtopics." in result.stderr
    roadmap = Catalog().get("kettle-care")
    assert roadmap.source.title == "roadmap.sh: Kettle Care"
    assert len(roadmap.index.leaves) == 4
    json_only = runner.invoke(app, ["import", str(folder / "kettle-care.json"), "--id", "k2"])
    assert json_only.exit_code == 2
    assert "give the folder" in json_only.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = runner.invoke(app, ["import", str(empty)])
    assert refused.exit_code == 2
    assert "not a roadmap.sh roadmap folder" in refused.stderr


def test_content_file_parts() -> None:
    title, description, links = parse_content(
        "# Title\n\nFirst [inline](https://x.org) line.\nSecond line.\n\n"
        "Visit the following resources to learn more:\n\n"
        "- [@feed@News](https://example.org/feed)\n"
    )
    assert (title, description) == ("Title", "First inline line. Second line.")
    assert links == [("feed", "News", "https://example.org/feed")]
