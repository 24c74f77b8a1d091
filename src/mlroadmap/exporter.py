"""A roadmap with the learner's marks as Markdown, JSON or CSV.

The Markdown form imports back (``mlroadmap import --with-progress``) to the
same items with the same marks: each entry carries its ID in a comment.
"""

from __future__ import annotations

import csv
import io
import json
from itertools import pairwise
from pathlib import Path

from mlroadmap.models import Node, Roadmap, walk
from mlroadmap.progress import DONE, ItemState, counts, status_of

MAX_HEADING = 6


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _escape(text: str) -> str:
    """Text that Markdown shows as written (no emphasis, links or HTML from it)."""
    out = _one_line(text)
    for ch in "\\`*_[]<>#":
        out = out.replace(ch, "\\" + ch)
    return out


def markdown(roadmap: Roadmap, states: dict[str, ItemState]) -> str:
    lines = [f"# {_escape(roadmap.title)}", "", _escape(roadmap.summary), ""]
    source = roadmap.source
    credit = f"Source: {_escape(source.title)}" + (
        f" by {_escape(source.author)}" if source.author else ""
    )
    lines += [credit + (f" ({source.url})" if source.url else ""), ""]

    def entry(node: Node, indent: int) -> None:
        pad = "  " * indent
        if node.is_leaf:
            box = "[x]" if status_of(states, node.id) == DONE else "[ ]"
            lines.append(f"{pad}- {box} {_escape(node.title)} <!-- id: {node.id} -->")
            if node.description:
                lines.append(f"{pad}  - {_escape(node.description)}")
            for r in node.resources:
                label = _escape(r.title)
                lines.append(f"{pad}  - [{label}]({r.url})" if r.url else f"{pad}  - {label}")
        else:
            lines.append(f"{pad}- {_escape(node.title)} <!-- id: {node.id} -->")
            for child in node.children:
                entry(child, indent + 1)

    def section(node: Node, level: int) -> None:
        lines.append(f"{'#' * level} {_escape(node.title)} <!-- id: {node.id} -->")
        lines.append("")
        if node.description:
            lines.extend([_escape(node.description), ""])
        links = [f"- [{_escape(r.title)}]({r.url})" for r in node.resources if r.url]
        if links:  # links of a section are kept as plain (non-checkbox) entries
            lines.extend([*links, ""])
        kinds = [child.is_leaf for child in node.children]
        # Items after a sub-section would fall under its heading on import, so a
        # section whose items and sub-sections interleave is written as one list.
        as_list = level >= MAX_HEADING or any(
            leaf and not before for before, leaf in pairwise(kinds)
        )
        for child in node.children:
            if child.is_leaf or as_list:
                entry(child, 0)
        if any(kinds) or as_list:
            lines.append("")
        if not as_list:
            for child in node.children:
                if not child.is_leaf:
                    section(child, level + 1)

    for top in roadmap.children:
        if top.is_leaf:
            entry(top, 0)
            lines.append("")
        else:
            section(top, 2)
    return "\n".join(lines).rstrip() + "\n"


def csv_text(roadmap: Roadmap, states: dict[str, ItemState]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "roadmap",
            "id",
            "parent",
            "depth",
            "kind",
            "title",
            "status",
            "day",
            "weeks",
            "notes",
            "links",
        ]
    )
    index = roadmap.index
    for _, node, depth in walk(roadmap.children):
        state = states.get(node.id)
        writer.writerow(
            [
                roadmap.id,
                node.id,
                index.entries[node.id].parent or "",
                depth,
                node.kind,
                _one_line(node.title),
                status_of(states, node.id) if node.is_leaf else "",
                state.day.isoformat() if state is not None and state.day else "",
                " ".join(map(str, node.weeks)),
                " | ".join(_one_line(e.note or "") for e in state.notes) if state else "",
                " ".join(r.url for r in node.resources if r.url),
            ]
        )
    return out.getvalue()


def json_text(roadmap: Roadmap, states: dict[str, ItemState]) -> str:
    per_node = counts(roadmap, states)

    def node_doc(node: Node) -> dict[str, object]:
        doc: dict[str, object] = node.to_dict()
        if node.is_leaf:
            state = states.get(node.id)
            doc["status"] = status_of(states, node.id)
            if state is not None and state.day is not None:
                doc["day"] = state.day.isoformat()
            if state is not None and state.notes:
                doc["notes"] = [{"at": e.ts.isoformat(), "text": e.note} for e in state.notes]
        else:
            c = per_node[node.id]
            doc.update(done=c.done, skipped=c.skipped, started=c.started, total=c.total)
            doc["children"] = [node_doc(child) for child in node.children]
        return doc

    document: dict[str, object] = roadmap.to_dict()
    document["children"] = [node_doc(n) for n in roadmap.children]
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def write(path: Path, text: str) -> None:
    """Write an export file whole (a temporary file renamed over it)."""
    from mlroadmap import fsio
    from mlroadmap.errors import StoreError

    try:
        fsio.atomic_write(path, text.encode("utf-8"))
    except fsio.WriteError as exc:
        reason = exc.strerror or str(exc)
        raise StoreError(f"{path}: could not {exc.step}: {reason}") from None
