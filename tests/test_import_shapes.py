"""Import finds the units of each shape of roadmap and leaves out what is not the roadmap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mlroadmap.cli import app
from mlroadmap.errors import UserError
from mlroadmap.importer import convert, normalise_base, short_title
from mlroadmap.models import Roadmap

runner = CliRunner()


def imported(text: str, **kwargs: Any) -> tuple[Roadmap, Any]:
    result = convert(text, roadmap_id="t", source=kwargs.pop("source", "plan.md"), **kwargs)
    return Roadmap.validate(result.document), result


def leaf_titles(roadmap: Roadmap) -> list[str]:
    return [roadmap.index.node(i).title for i in roadmap.index.leaves]


def node(roadmap: Roadmap, node_id: str) -> Any:
    return roadmap.index.node(node_id)


COURSE = """---
title: "Applied ML: A Course"
author: Jane Doe
---

# Something else

Welcome text.

## Table of Contents

- [Schedule](#schedule)
- [Team](#team)

## Schedule

| Week | Lesson | Topics | Link |
|---|---|---|---|
| 1 | Intro to ML | history, setup | [slides](lessons/1-intro.md) |
| 2 | Linear models | regression | [video](https://youtu.be/abc) |
| 3-4 | Trees | forests, boosting | [notes](https://example.com/trees) |

## Team

- **Jane Doe** — instructor
- **John Roe** — TA

## FAQ

- Is it free? Yes.
"""


def test_a_course_table_with_a_week_column_gives_one_item_per_row() -> None:
    roadmap, result = imported(COURSE, base_url="https://github.com/o/r/blob/main/README.md")
    assert roadmap.title == "Applied ML: A Course"  # front matter before the H1
    assert roadmap.source.author == "Jane Doe"
    assert leaf_titles(roadmap) == ["Intro to ML", "Linear models", "Trees"]
    intro = node(roadmap, "intro-to-ml")
    assert intro.weeks == [1]
    assert node(roadmap, "trees").weeks == [3, 4]
    assert intro.description == "Topics: history, setup"
    assert [(r.title, r.url) for r in intro.resources] == [
        ("slides", "https://github.com/o/r/blob/main/lessons/1-intro.md")
    ]
    assert node(roadmap, "linear-models").resources[0].kind == "video"
    summary = result.summary
    assert dict(summary.units) == {"row": 3}
    assert summary.noise_sections == ["Table of Contents", "Team", "FAQ"]
    assert summary.title_from == "front matter"
    assert sorted(set(summary.weeks)) == [1, 2, 3, 4]


def test_relative_links_without_a_base_url_are_left_out_and_counted() -> None:
    roadmap, result = imported(COURSE)
    assert node(roadmap, "intro-to-ml").resources == []
    assert result.summary.left_out["relative links (give --base-url to keep them)"] == 1


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        (
            "https://raw.githubusercontent.com/o/r/main/docs/README.md",
            "https://github.com/o/r/blob/main/docs/README.md",
        ),
        ("https://github.com/o/r", "https://github.com/o/r/blob/HEAD/"),
        ("https://github.com/o/r/blob/dev/x.md", "https://github.com/o/r/blob/dev/x.md"),
    ],
)
def test_github_raw_and_repository_urls_work_as_the_base(base: str, expected: str) -> None:
    assert normalise_base(base) == expected
    roadmap, _ = imported("## Lessons\n\n- [One](lessons/1-intro.md)\n- Two\n", base_url=base)
    link = node(roadmap, "one").resources[0].url
    assert link == expected.rsplit("/", 1)[0] + "/lessons/1-intro.md"


def test_a_base_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(UserError, match="not an http"):
        normalise_base("file:///etc/passwd")


LISTS = """# Deep Learning Plan

## Unit 1: Basics

- **Tensors**: A long paragraph about tensors that goes on and on, explaining shapes, strides.
  - [PyTorch tensors tutorial](https://pytorch.org/tutorials/tensors.html)
  - [Broadcasting explained](https://numpy.org/doc/stable/broadcasting.html) - the rules
- **Autograd**: how gradients are computed.
- 📚 Resources
  - [The book](https://www.deeplearningbook.org/)

## Unit 2 :rocket:

- Convolutions :tada:
- Pooling

### Further reading

- [CS231n](https://cs231n.github.io/)

## Contributing

- Fork the repo
- Open a pull request
"""


def test_bold_labels_link_lists_and_resource_labels() -> None:
    roadmap, result = imported(LISTS)
    assert leaf_titles(roadmap) == ["Tensors", "Autograd", "Convolutions 🎉", "Pooling"]
    tensors = node(roadmap, "tensors")
    assert tensors.description.startswith("A long paragraph about tensors")
    assert [r.title for r in tensors.resources] == [
        "PyTorch tensors tutorial",
        "Broadcasting explained",
    ]
    assert tensors.resources[1].note == "the rules"
    unit1 = node(roadmap, "unit-1")
    assert [r.url for r in unit1.resources] == ["https://www.deeplearningbook.org/"]
    unit2 = node(roadmap, "unit-2")
    assert unit2.title == "Unit 2 🚀"
    assert [r.url for r in unit2.resources] == ["https://cs231n.github.io/"]
    assert result.summary.noise_sections == ["Contributing"]
    assert "Fork the repo" not in str(roadmap.to_dict())


def test_long_titles_are_cut_and_the_rest_is_the_description() -> None:
    long = "Learn the basics of probability. " + "Then go deeper into measure theory " * 8
    roadmap, _ = imported(f"## Maths\n\n- {long}\n- Short one\n")
    first = roadmap.index.node(roadmap.index.leaves[0])
    assert first.title == "Learn the basics of probability"
    assert first.description is not None
    assert first.description.startswith("Then go deeper")
    title, rest = short_title("word " * 60)
    assert len(title) <= 101
    assert title.endswith("\u2026")
    assert rest.startswith("word")


def test_a_table_of_contents_does_not_push_sections_to_new_ids() -> None:
    text = (
        "# P\n\n- [Basics](#basics)\n- [Advanced](#advanced)\n\n"
        "## Basics\n\n- a\n\n## Advanced\n\n- b\n"
    )
    roadmap, result = imported(text)
    assert [n.id for n in roadmap.children] == ["basics", "advanced"]
    assert leaf_titles(roadmap) == ["a", "b"]
    assert result.summary.left_out["table-of-contents entries"] == 2


def test_link_paragraphs_are_units_and_prose_is_description() -> None:
    text = (
        "# Curriculum\n\n## Maths\n\nStart here, slowly.\n\n"
        "[Calculus 1](https://ocw.mit.edu/calc1)\n\n"
        "[Linear algebra](https://ocw.mit.edu/la) ([book](https://math.mit.edu/book))\n\n"
        "Read [this](https://example.com/why) before you start the rest of the courses here.\n"
    )
    roadmap, result = imported(text)
    assert leaf_titles(roadmap) == ["Calculus 1", "Linear algebra"]
    assert [r.url for r in node(roadmap, "linear-algebra").resources] == [
        "https://ocw.mit.edu/la",
        "https://math.mit.edu/book",
    ]
    maths = node(roadmap, "maths")
    assert maths.description.startswith("Start here, slowly.")
    assert dict(result.summary.units) == {"link": 2}


HTML = """<div align="center">
<h1>Course of <b>Things</b></h1>
</div>

## Lectures

<table>
<tr><th>#</th><th>Topic</th><th>Slides</th></tr>
<tr><td>1</td><td>Welcome</td><td><a href="slides/1.pdf">pdf<a></td></tr>

<tr><td>2</td><td>Search</td><td><a href="https://example.com/2.pdf">pdf</a></td></tr>
</table>
"""


def test_html_tables_split_by_blank_lines_and_an_h1_inside_html() -> None:
    roadmap, result = imported(HTML, base_url="https://github.com/o/r/blob/main/README.md")
    assert roadmap.title == "Course of Things"
    assert result.summary.title_from == "first H1 (HTML)"
    assert leaf_titles(roadmap) == ["Welcome", "Search"]
    assert [r.url for r in node(roadmap, "welcome").resources] == [
        "https://github.com/o/r/blob/main/slides/1.pdf"
    ]
    assert node(roadmap, "welcome").description is None  # the number column is not a detail


def test_two_h1s_the_first_is_the_title_numbered_h1s_are_parts() -> None:
    roadmap, _ = imported("# Title One\n\n- a\n\n# Title Two\n\n- b\n")
    assert roadmap.title == "Title One"
    assert [n.title for n in roadmap.children] == ["a", "Title Two"]
    parts, result = imported(
        "# Part 1: Basics\n\n- a\n\n# Part 2: More\n\n- c\n", source="x/my_plan.md"
    )
    assert parts.title == "my plan"
    assert [n.id for n in parts.children] == ["part-1", "part-2"]
    assert result.summary.title_from == "file name"
    readme, _ = imported("- a\n", source="/tmp/great-course/README.md")
    assert readme.title == "great course"


def test_front_matter_is_not_an_item() -> None:
    roadmap, _ = imported("---\ntitle: T\ntags: [a, b]\n---\n\n- one\n- two\n")
    assert (roadmap.title, leaf_titles(roadmap)) == ("T", ["one", "two"])


def test_team_acknowledgements_faq_and_star_history_are_left_out() -> None:
    sections = [
        "Acknowledgements",
        "Credits 🙏",
        "Sponsors",
        "Community",
        "Support",
        "FAQ",
        "Star History",
        "Citation",
        "License",
        "Code of Conduct",
        "Instructors",
        "How to use this guide",
        "Getting Started",
    ]
    body = "".join(f"## {name}\n\n- something\n- more\n\n" for name in sections)
    roadmap, result = imported("# R\n\n## Lessons\n\n- real one\n\n" + body)
    assert leaf_titles(roadmap) == ["real one"]
    assert result.summary.noise_sections == sections
    assert result.summary.left_out["sections that are not the roadmap"] == len(sections)


def test_a_roadmap_that_is_an_image_is_refused_saying_so(tmp_path: Path) -> None:
    doc = tmp_path / "image.md"
    doc.write_text(
        "# My Roadmap\n\n![The roadmap](roadmap.png)\n\n## Contributing\n\n"
        "- Fork\n- Branch\n- Commit\n- Pull request\n"
    )
    result = runner.invoke(app, ["import", str(doc)])
    assert result.exit_code == 2
    assert "its roadmap may be an image" in result.stderr
    assert "left out as not the roadmap: Contributing" in result.stderr
    assert not list((tmp_path / "mlroadmap-home").rglob("*.yaml"))


def test_dry_run_prints_the_outline_and_summary_and_writes_nothing(
    tmp_path: Path, isolated_home: Path
) -> None:
    doc = tmp_path / "course.md"
    doc.write_text(COURSE)
    result = runner.invoke(app, ["import", str(doc), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Applied ML: A Course  (3 items)"
    assert "    - Linear models  [linear-models]" in result.stdout.splitlines()
    err = result.stderr
    assert "Found 3 units to track: 3 table rows." in err
    assert "3 sections that are not the roadmap (Table of Contents, Team, FAQ)" in " ".join(
        err.split()
    )
    assert "Weeks found: 1\u20134." in err
    assert "nothing was written" in err
    assert not (isolated_home / "roadmaps").exists()
    assert all(len(line) <= 80 for line in err.splitlines())
    written = runner.invoke(app, ["import", str(doc), "--base-url", "https://github.com/o/r"])
    assert written.exit_code == 0
    assert "Found 3 units to track" in written.stderr
    assert (isolated_home / "roadmaps" / "course.yaml").exists()


LESSONS = """# Garden Science for Beginners

| Lesson Number | Topic | Lesson Grouping | Learning Objectives | Linked Lesson | Author |
|:-:|:-:|:-:|---|:-:|:-:|
| 01 | Introduction | Soil | Learn what soil is made of | [lesson](1-intro/soil/README.md) | Ana |
| 02 | Watering | Water | When and how much to water | [lesson](2-water/README.md) | Bo |
| 03 | [Compost](3-compost/README.md) | Soil | Turn waste into food | [lesson](3-compost/) | Cy |
"""


def test_a_lesson_table_is_titled_by_its_topic_not_its_number_or_link_column() -> None:
    roadmap, result = imported(LESSONS, base_url="https://github.com/o/garden/blob/main/README.md")
    assert leaf_titles(roadmap) == ["Introduction", "Watering", "Compost"]
    intro = node(roadmap, "introduction")
    assert intro.description == (
        "Lesson Grouping: Soil\nLearning Objectives: Learn what soil is made of\nAuthor: Ana"
    )
    assert [r.url for r in intro.resources] == [
        "https://github.com/o/garden/blob/main/1-intro/soil/README.md"
    ]
    assert intro.resources[0].title == "lesson"
    compost = node(roadmap, "compost")
    assert [r.url for r in compost.resources] == [
        "https://github.com/o/garden/blob/main/3-compost/README.md",
        "https://github.com/o/garden/blob/main/3-compost/",
    ]
    assert dict(result.summary.units) == {"row": 3}


def test_an_awesome_list_names_each_entry_by_its_link_and_describes_it_by_the_rest() -> None:
    text = (
        "# Awesome Gardening [![Awesome](https://awesome.re/badge.svg)](https://awesome.re)\n\n"
        "## Contents\n\n- [Tools](#tools)\n\n## Tools\n\n"
        "- [Spade Pro](https://example.com/spade) - A sturdy spade.\n"
        "- [Hose Max](https://example.com/hose) and [its manual](https://example.com/m)\n"
        "\n## License\n\n- [CC0](https://creativecommons.org/publicdomain/zero/1.0/)\n"
    )
    roadmap, result = imported(text)
    assert roadmap.title == "Awesome Gardening"
    assert leaf_titles(roadmap) == ["Spade Pro", "Hose Max and its manual"]
    spade = node(roadmap, "spade-pro")
    assert spade.description == "A sturdy spade."
    assert [r.url for r in spade.resources] == ["https://example.com/spade"]
    assert result.summary.noise_sections == ["Contents", "License"]
