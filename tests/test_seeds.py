"""Each bundled roadmap is checked against the seed document it was made from.

Every checkbox, list item, heading and URL of a seed must have a counterpart
in its roadmap: checkboxes are exactly the leaves' titles, URLs are resource
links, and list items and headings appear in a node's title, description or
resources. Seed lines that are deliberately not content are listed below,
each with its reason. Prose shown to the learner (descriptions and resource
notes) is the seed's own words, so nothing is claimed that the seed does not say.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlroadmap.catalog import Catalog
from mlroadmap.models import Node, Roadmap, walk
from tests.conftest import SEEDS, need_shared

ROADMAP_OF_SEED = {
    "000_a9ee0f2c341d3e7d.txt": "stats-to-mle",
    "001_b5b1ae7495730895.txt": "mle-6-months",
    "002_fdd4244a5c34da9e.txt": "pro-mle",
    "003_4af09ab83d08b3a7.txt": "advanced-mle",
    "004_cb57375843097630.txt": "ml-12-weeks",
}

# Seed lines (cleaned text, as `clean` makes it) that are deliberately not nodes.
NOT_CONTENT: dict[str, dict[str, str]] = {
    "ml-12-weeks": {
        "overview": "a heading over the roadmap's own description",
    },
    "stats-to-mle": {},
    "mle-6-months": {},
    "pro-mle": {
        "table of contents": "a heading over links to the seed's own nine sections",
        "follow me": "the author's sign-off; their link is the roadmap's source.author_url",
    },
    "advanced-mle": {},
}

# Seed lines that run two items together with no separator: each part must be
# found instead, and the parts joined must give the line back.
RUN_TOGETHER: dict[str, dict[str, tuple[str, ...]]] = {
    "pro-mle": {
        "handling unstructured text datasentiment analysis": (
            "handling unstructured text data",
            "sentiment analysis",
        ),
    },
}

# Misspellings of a seed that its roadmap corrects (seed word -> roadmap word).
SPELLING = {"tutorails": "tutorials", "ploty": "plotly"}

URL_RE = re.compile(r"https?://[^\s)<>\]]+")
LIST_RE = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+(?:\[[ xX]\]\s+)?(?P<text>.+?)\s*$")
CHECKBOX_RE = re.compile(r"^\s*[-*+]\s+\[[ xX]\]\s+(?P<text>.+?)\s*$")
ATX_RE = re.compile(r"^#{1,6}\s+(?P<text>.+?)\s*#*\s*$")
SETEXT_RE = re.compile(r"^(=+|-+)\s*$")


def clean(text: str) -> str:
    """Markdown line text as words: links to their text, no URLs, emphasis or quotes."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\(?\s*" + URL_RE.pattern + r"\s*\)?", "", text)
    text = text.replace("**", "").replace("__", "").replace("`", "")
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"<--.*$", "", text)
    text = re.sub(r"\s+", " ", text).strip().strip(":").strip()
    return text.lower()


def node_text(node: Node) -> str:
    parts = [node.title, node.description or ""]
    for resource in node.resources:
        parts += [resource.title, resource.note or ""]
    return clean(" ".join(parts))


def seed_lines(seed: Path) -> dict[str, list[str]]:
    lines = seed.read_text(encoding="utf-8").splitlines()
    found: dict[str, list[str]] = {"checkbox": [], "list": [], "heading": []}
    for i, line in enumerate(lines):
        if m := CHECKBOX_RE.match(line):
            found["checkbox"].append(clean(m["text"]))
        elif m := LIST_RE.match(line):
            found["list"].append(clean(m["text"]))
        elif m := ATX_RE.match(line):
            found["heading"].append(clean(m["text"]))
        elif SETEXT_RE.match(line) and i > 0 and lines[i - 1].strip():
            found["heading"].append(clean(lines[i - 1]))
    for kind in found:
        found[kind] = [t for t in found[kind] if t]
    return found


def roadmap_for(seed_name: str) -> Roadmap:
    return Catalog().get(ROADMAP_OF_SEED[seed_name])


SEED_NAMES = sorted(ROADMAP_OF_SEED)


@pytest.fixture(params=SEED_NAMES)
def seed(request: pytest.FixtureRequest) -> Path:
    return need_shared(SEEDS / request.param)


def test_every_seed_has_a_roadmap() -> None:
    need_shared(SEEDS)
    assert sorted(p.name for p in SEEDS.glob("*.txt")) == SEED_NAMES


def test_checkboxes_are_exactly_the_leaves(seed: Path) -> None:
    roadmap = roadmap_for(seed.name)
    boxes = seed_lines(seed)["checkbox"]
    if not boxes:
        pytest.skip(f"{seed.name} has no checkboxes")
    leaves = [clean(roadmap.index.node(i).title) for i in roadmap.index.leaves]
    assert sorted(leaves) == sorted(boxes)


def test_every_url_is_a_resource(seed: Path) -> None:
    roadmap = roadmap_for(seed.name)
    urls = {r.url for _, n, _ in walk(roadmap.children) for r in n.resources if r.url}
    urls |= {u for u in (roadmap.source.url, roadmap.source.author_url) if u}
    seed_urls = URL_RE.findall(seed.read_text(encoding="utf-8"))
    assert seed_urls or seed.name.startswith(("003",)), "a seed with no URL at all is unexpected"
    missing = [u for u in seed_urls if u not in urls]
    assert missing == []


def test_every_list_item_and_heading_has_a_node(seed: Path) -> None:
    roadmap = roadmap_for(seed.name)
    exempt = NOT_CONTENT[roadmap.id]
    texts = [node_text(n) for _, n, _ in walk(roadmap.children)]
    texts.append(clean(f"{roadmap.title} {roadmap.summary} {roadmap.description or ''}"))
    texts.append(clean(roadmap.source.title))
    found = seed_lines(seed)
    split = RUN_TOGETHER.get(roadmap.id, {})
    missing = [
        (kind, part)
        for kind in ("list", "heading")
        for line in found[kind]
        if line not in exempt
        for part in split.get(line, (line,))
        if not any(part in text for text in texts)
    ]
    assert missing == []


def test_exemptions_are_real_seed_lines(seed: Path) -> None:
    """An exemption that no longer matches a seed line is stale and must go."""
    roadmap = roadmap_for(seed.name)
    found = seed_lines(seed)
    lines = set(found["list"]) | set(found["heading"]) | set(found["checkbox"])
    assert [e for e in NOT_CONTENT[roadmap.id] if e not in lines] == []
    split = RUN_TOGETHER.get(roadmap.id, {})
    assert [line for line in split if line not in lines] == []
    assert [line for line, parts in split.items() if "".join(parts) != line] == []


def words(text: str) -> list[str]:
    """The words of a text, case-folded, without URLs, punctuation or Markdown."""
    text = URL_RE.sub(" ", text).replace("\u2019", "'")
    return [SPELLING.get(w, w) for w in re.findall(r"\w+", text.casefold())]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?:])\s+", text) if words(s)]


def test_descriptions_and_notes_say_only_what_the_seed_says(seed: Path) -> None:
    """Every sentence of a description and every resource note is a run of the seed's words.

    Titles may be shortened into labels, but prose shown to the learner is the
    seed's own: a note or description the seed does not contain is invented.
    """
    roadmap = roadmap_for(seed.name)
    seed_text = " " + " ".join(words(seed.read_text(encoding="utf-8"))) + " "
    prose = [("roadmap", roadmap.description or "")]
    for _, node, _ in walk(roadmap.children):
        prose.append((node.id, node.description or ""))
        prose += [(f"{node.id} ({r.title})", r.note or "") for r in node.resources]
    invented = [
        (where, sentence)
        for where, text in prose
        for sentence in sentences(text)
        if " " + " ".join(words(sentence)) + " " not in seed_text
    ]
    assert invented == []


def test_the_words_check_catches_an_invented_note() -> None:
    seed = need_shared(SEEDS / "001_b5b1ae7495730895.txt")
    seed_text = " " + " ".join(words(seed.read_text(encoding="utf-8"))) + " "
    assert " first 14 " in seed_text
    assert " tutorial 15 to 27 " in seed_text
    assert " " + " ".join(words("The same course in Hindi.")) + " " not in seed_text


def test_hindi_ml_playlist_says_what_the_seed_says() -> None:
    need_shared(SEEDS)
    node = Catalog().get("mle-6-months").index.node("ml-playlist")
    hindi = [r for r in node.resources if "hindi" in r.title.casefold()]
    assert [(r.title, r.url, r.note) for r in hindi] == [
        (
            "HINDI codebasics ml playlist (first 14)",
            "https://www.youtube.com/playlist?list=PLPbgcxheSpE0aBsefANDYe2X_-tyJbBMr",
            None,
        )
    ]


def test_no_bundled_text_speaks_of_a_seed() -> None:
    """Seeds are how the roadmaps were made, not something a learner knows of."""
    found: list[str] = []
    for roadmap in Catalog().all():
        texts = [roadmap.title, roadmap.summary, roadmap.description or ""]
        texts += [roadmap.source.title, roadmap.source.author or ""]
        for _, node, _ in walk(roadmap.children):
            texts += [node.title, node.description or ""]
            texts += [f"{r.title} {r.note or ''}" for r in node.resources]
        found += [f"{roadmap.id}: {t}" for t in texts if re.search(r"\bseeds?\b", t, re.I)]
    assert found == []
