"""Import of real roadmaps nobody here wrote (../shared/real-roadmaps): the counts that judge it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mlroadmap.importer import convert
from mlroadmap.models import Node, Roadmap, walk
from tests.conftest import REAL_ROADMAPS, need_shared


def load(name: str) -> tuple[Roadmap, Any, str]:
    path = need_shared(REAL_ROADMAPS / name)
    text = path.read_text(encoding="utf-8")
    result = convert(text, roadmap_id="real", source=str(path))
    return Roadmap.validate(result.document), result, text


def leaves(roadmap: Roadmap) -> list[Node]:
    return [roadmap.index.node(i) for i in roadmap.index.leaves]


def all_text(roadmap: Roadmap) -> str:
    return " ".join(
        f"{n.title} {n.description or ''} {' '.join(r.url or '' for r in n.resources)}"
        for _, n, _ in walk(roadmap.children)
    )


def test_ossu_data_science_gives_its_courses_and_nothing_from_the_rest() -> None:
    roadmap, result, text = load("ossu-data-science.md")
    # Every course is a paragraph under "## Curriculum" that starts with a link.
    curriculum = text.split("## Curriculum", 1)[1].split("## How to contribute", 1)[0]
    curriculum = curriculum.split("### Final project", 1)[0]
    courses = re.findall(r"^\[[^\]]+\]\((?!#)", curriculum, re.MULTILINE)
    assert len(courses) == 34
    assert len(leaves(roadmap)) == 34
    assert dict(result.summary.units) == {"link": 34}
    assert [n.title for n in roadmap.children] == ["Curriculum"]
    titles = [n.title for n in leaves(roadmap)]
    assert titles[0] == "What is Data Science"
    assert "Process Mining" in titles
    everything = all_text(roadmap)
    for outside in ("Waciuma", "discord.gg", "code-of-conduct", "#about", "Kanban", "spreadsheet"):
        assert outside not in everything
    for section in ("Contents", "About", "Community", "Team", "How to contribute"):
        assert section in result.summary.noise_sections
    assert result.summary.left_out["table-of-contents entries"] == 11


def test_ml_course_notes_gives_one_item_per_lecture_row() -> None:
    roadmap, result, text = load("ml-course-notes.md")
    header_rows = text.count("<th class") // 5  # five header cells a table
    lecture_rows = text.count("<tr") - header_rows
    assert len(leaves(roadmap)) == lecture_rows == 16
    assert dict(result.summary.units) == {"row": 16}
    first = leaves(roadmap)[0]
    assert first.title == "Introduction to Machine Learning"
    assert (
        first.description
        == "Description: Supervised Machine Learning: Regression and Classification"
    )
    assert [r.title for r in first.resources] == ["Videos", "Notes", "Elvis"]
    assert "How To Contribute" in result.summary.noise_sections
    assert len(roadmap.children) == 7  # one section per course


def test_deep_learning_drizzle_gives_one_item_per_course_row_with_its_links() -> None:
    roadmap, result, text = load("deep-learning-drizzle.md")
    rows = re.findall(r"^\|\s*-?\d+\.?\s*\|", text, re.MULTILINE)
    assert len(leaves(roadmap)) == len(rows) == 391
    first = leaves(roadmap)[0]
    assert first.title == "Neural Networks for Machine Learning"
    assert [r.url for r in first.resources] == [
        "http://www.cs.toronto.edu/~hinton/coursera_slides.html",
        "https://www.cs.toronto.edu/~tijmen/csc321/",
        "https://www.youtube.com/playlist?list=PLoRl3Ht4JOcdU872GhiYWf6jwrk_SNhz9",
        "https://www.cs.toronto.edu/~hinton/coursera_lectures.html",
    ]
    assert first.resources[2].kind == "playlist"
    assert "Geoffrey Hinton" in (first.description or "")
    # Shortcodes are emoji, the contents table and the "Go to Contents" links are gone.
    assert ":tada:" not in all_text(roadmap)
    assert roadmap.title.startswith("\U0001f388")
    assert "Contents" in result.summary.noise_sections
    assert result.summary.left_out["links inside the page"] == 15


def test_the_checklists_are_unchanged(tmp_path: Path) -> None:
    roadmap, result, _ = load("coding-interview-university.md")
    assert len(leaves(roadmap)) == 463
    assert dict(result.summary.units) == {"checkbox": 463}
    plan, result, _ = load("ml-study-12-month.md")
    assert len(leaves(plan)) == 172
    assert len(result.checked) == 2
    assert sorted(set(result.summary.weeks)) == list(range(1, 53))
