"""Import a roadmap.sh roadmap folder from a local clone of its repository.

roadmap.sh keeps each roadmap as ``src/data/roadmaps/NAME/``: ``NAME.json``
holds the drawing (nodes of type ``topic``, ``subtopic``, ``title``,
``paragraph``, ``button`` … with ``data.label``, positions and edges), and
``content/SLUG@NODEID.md`` the text of each node: a ``#`` title, a paragraph
and links written ``[@article@Title](url)``.

Topics, in reading order (top to bottom, then left to right), become the
roadmap's entries; each subtopic joins the topic an edge connects it to, else
the nearest topic on the drawing. A topic with subtopics is a branch whose
items are its subtopics; the others are items. Every node keeps its
description and links, the ``@type@`` prefix giving the resource's kind. The
roadmap credits roadmap.sh as its source.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mlroadmap.errors import UserError
from mlroadmap.importer import Builder, Imported, Summary, Unit, slugify

SITE = "https://roadmap.sh"
TRACKED = ("topic", "subtopic")
RESOURCE_KINDS = {
    "article": "article",
    "video": "video",
    "course": "course",
    "book": "book",
    "official": "docs",
    "docs": "docs",
    "opensource": "repo",
    "feed": "article",
    "podcast": "other",
    "roadmap": "other",
}
_LINK = re.compile(r"\[@(\w+)@([^\]]*)\]\((\S+?)\)")
_PLAIN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
MAX_JSON_BYTES = 20 * 1024 * 1024


class _Node:
    __slots__ = ("cx", "cy", "id", "kind", "label", "x", "y")

    def __init__(self, raw: dict[str, Any]) -> None:
        self.id = str(raw.get("id", ""))
        self.kind = str(raw.get("type", ""))
        data = raw.get("data") if isinstance(raw.get("data"), dict) else {}
        label = data.get("label") if isinstance(data, dict) else None
        self.label = " ".join(str(label).split()) if isinstance(label, str) else ""
        position = raw.get("position") if isinstance(raw.get("position"), dict) else {}
        self.x = _number(position.get("x") if isinstance(position, dict) else None)
        self.y = _number(position.get("y") if isinstance(position, dict) else None)
        width = _number(raw.get("width")) or _number(_style(raw).get("width"))
        height = _number(raw.get("height")) or _number(_style(raw).get("height"))
        self.cx = self.x + width / 2
        self.cy = self.y + height / 2


def _style(raw: dict[str, Any]) -> dict[str, Any]:
    style = raw.get("style")
    return style if isinstance(style, dict) else {}


def _number(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def find_json(folder: Path) -> Path:
    named = folder / f"{folder.name}.json"
    if named.is_file():
        return named
    found = sorted(p for p in folder.glob("*.json") if p.is_file())
    if len(found) == 1:
        return found[0]
    raise UserError(
        f"{folder}: not a roadmap.sh roadmap folder (no {folder.name}.json)",
        hint="give src/data/roadmaps/NAME/ of a clone of roadmap.sh's repository, or a file",
    )


def read_content(folder: Path) -> dict[str, tuple[str, str, list[tuple[str, str, str]]]]:
    """Node ID -> (title, description, links (kind, title, url)) from ``content/``."""
    out: dict[str, tuple[str, str, list[tuple[str, str, str]]]] = {}
    content = folder / "content"
    if not content.is_dir():
        return out
    for path in sorted(content.glob("*@*.md")):
        node_id = path.stem.rsplit("@", 1)[1]
        try:
            text = path.read_text(encoding="utf-8")[:200_000]
        except (OSError, UnicodeDecodeError):
            continue
        out[node_id] = parse_content(text)
    return out


def parse_content(text: str) -> tuple[str, str, list[tuple[str, str, str]]]:
    title = ""
    paragraphs: list[str] = []
    links: list[tuple[str, str, str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        found = _LINK.findall(stripped)
        if found:
            links.extend((kind.lower(), label.strip(), url) for kind, label, url in found)
            continue
        if not stripped:
            paragraphs.append("")
            continue
        if stripped.startswith("#"):
            if not title:
                title = stripped.lstrip("#").strip()
            continue
        if stripped.lower().startswith(("visit the following resources", "learn more from")):
            continue
        paragraphs.append(_PLAIN_LINK.sub(r"\1", stripped))
    description = "\n".join(" ".join(p.split()) for p in "\n".join(paragraphs).split("\n\n"))
    return title, description.strip(), links


def _read_json(path: Path) -> dict[str, Any]:
    try:
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            raise UserError(f"{path}: the file is {size:,} bytes; the limit is {MAX_JSON_BYTES:,}")
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (ValueError, RecursionError) as exc:
        raise UserError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise UserError(f"{path}: not a roadmap.sh roadmap (no list of nodes)")
    return data


def _title(folder: Path, name: str) -> str:
    """The roadmap's title from ``NAME.md``'s front matter, else from its name."""
    page = folder / f"{name}.md"
    if page.is_file():
        try:
            head = page.read_text(encoding="utf-8")[:20_000]
        except (OSError, UnicodeDecodeError):
            head = ""
        match = re.search(r"^(?:briefTitle|title):\s*['\"]?(.+?)['\"]?\s*$", head, re.M)
        if match:
            return match.group(1).strip()
    return name.replace("-", " ").replace("_", " ").title()


def convert_folder(folder: Path, *, roadmap_id: str) -> Imported:
    """A roadmap document from a roadmap.sh roadmap folder."""
    path = find_json(folder)
    data = _read_json(path)
    name = path.stem
    nodes = [_Node(n) for n in data["nodes"] if isinstance(n, dict)]
    tracked = [n for n in nodes if n.kind in TRACKED and n.label]
    topics = sorted((n for n in tracked if n.kind == "topic"), key=lambda n: (n.y, n.x))
    subtopics = [n for n in tracked if n.kind == "subtopic"]
    if not topics and not subtopics:
        raise UserError(f"{path}: found no topics or subtopics to track")
    by_id = {n.id: n for n in tracked}
    attached: dict[str, list[_Node]] = {t.id: [] for t in topics}
    edges = data.get("edges") if isinstance(data.get("edges"), list) else []
    parent: dict[str, str] = {}
    for edge in edges or []:
        if not isinstance(edge, dict):
            continue
        ends = [by_id.get(str(edge.get("source"))), by_id.get(str(edge.get("target")))]
        ends_kinds = [n.kind if n else None for n in ends]
        if ends_kinds in (["topic", "subtopic"], ["subtopic", "topic"]):
            first_topic = ends_kinds[0] == "topic"
            topic, sub = (ends[0], ends[1]) if first_topic else (ends[1], ends[0])
            assert topic is not None
            assert sub is not None
            parent.setdefault(sub.id, topic.id)
    loose: list[_Node] = []
    for sub in subtopics:
        owner = parent.get(sub.id)
        if owner is None and topics:
            nearest = min(topics, key=lambda t: (t.cx - sub.cx) ** 2 + (t.cy - sub.cy) ** 2)
            owner = nearest.id
        if owner is None:
            loose.append(sub)
        else:
            attached[owner].append(sub)
    content = read_content(folder)
    summary = Summary(title_from="roadmap.sh page")
    summary.left_out["drawing nodes that are not topics (titles, paragraphs, buttons …)"] = sum(
        1 for n in nodes if n.kind not in TRACKED
    )

    def unit(node: _Node) -> Unit:
        title, description, links = content.get(node.id, ("", "", []))
        made = Unit(title=node.label or title, kind=node.kind)
        if description:
            made.text.append(description)
        made.links = [(label or url, url, None) for _, label, url in links]
        return made

    kinds: dict[str, str] = {}
    units: list[Unit] = []
    for topic in topics:
        top = unit(topic)
        children = sorted(attached[topic.id], key=lambda n: (n.y, n.x))
        top.children = [unit(sub) for sub in children]
        units.append(top)
    units.extend(unit(sub) for sub in sorted(loose, key=lambda n: (n.y, n.x)))
    for topic in [*topics, *subtopics]:
        for kind, _, url in content.get(topic.id, ("", "", []))[2]:
            kinds[url] = RESOURCE_KINDS.get(kind, "other")
    builder = Builder(summary)
    made = [n for u in units if (n := builder.node(u, 0)) is not None]
    for _, node in _walk(made):
        for resource in node.get("resources", []):
            resource["kind"] = kinds.get(resource["url"], resource["kind"])
        if node.get("kind") == "group":
            node["kind"] = "topic"
        if node.get("kind") == "item" and node.get("id") is not None:
            node["kind"] = "topic"
        if node.get("kind") == "topic":
            del node["kind"]
    title = _title(folder, name)
    document: dict[str, Any] = {
        "id": roadmap_id,
        "title": title,
        "summary": f"The roadmap.sh {title} roadmap: {builder.items} topics to learn.",
        "source": {
            "title": f"roadmap.sh: {title}",
            "author": "roadmap.sh",
            "url": f"{SITE}/{slugify(name, 'roadmap')}",
        },
        "children": made,
    }
    return Imported(document=document, checked=[], items=builder.items, summary=summary)


def _walk(nodes: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    out: list[tuple[int, dict[str, Any]]] = []
    stack = [(0, n) for n in reversed(nodes)]
    while stack:
        depth, node = stack.pop()
        out.append((depth, node))
        stack.extend((depth + 1, c) for c in reversed(node.get("children", [])))
    return out
