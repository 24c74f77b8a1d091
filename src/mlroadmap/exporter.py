"""A roadmap with the learner's marks as Markdown, JSON or CSV.

The Markdown form imports back (``mlroadmap import --with-progress``) to the
same items with the same marks: each entry carries its ID in a comment.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

from mlroadmap.models import Node, Roadmap, walk
from mlroadmap.progress import DONE, TODO, ItemState, counts, status_of

MAX_HEADING = 6
MAX_TITLE = 100  # the importer shortens longer titles read from Markdown
_SHORTCODE = re.compile(r":[a-z0-9_+\-]+:")
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _escape(text: str) -> str:
    """Text that Markdown shows as written (no emphasis, links or HTML from it)."""
    out = _one_line(text)
    for ch in "\\`*_[]<>#&":
        out = out.replace(ch, "\\" + ch)
    # What would start a list, a rule or a fence at the start of a line: "1. ", "- ", "~~~".
    if out[:1] in ("-", "+", "=", "~"):
        return "\\" + out
    return _ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), out, count=1)


def payload(fields: dict[str, Any]) -> str:
    """A comment carrying exact values Markdown cannot (JSON; no "--" inside, as HTML needs)."""
    text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e")
    return "<!-- mlroadmap " + re.sub("--", "-\\\\u002d", text) + " -->"


def _needs_exact_title(title: str) -> bool:
    """Whether reading the title back from Markdown could change it."""
    return (
        _escape(title) != title
        or len(title) > MAX_TITLE
        or title.endswith(":")
        or _SHORTCODE.search(title) is not None
    )


def _mark_fields(state: ItemState | None) -> dict[str, Any]:
    if state is None:
        return {}
    fields: dict[str, Any] = {}
    if state.status != TODO:
        fields["status"] = state.status
        if state.day is not None:
            fields["day"] = state.day.isoformat()
        if state.undated:
            fields["undated"] = True
    if state.notes:
        fields["notes"] = [{"text": e.note, "day": e.day.isoformat()} for e in state.notes]
    return fields


def _node_fields(node: Node, state: ItemState | None) -> dict[str, Any]:
    doc = node.to_dict()
    fields: dict[str, Any] = {"kind": node.kind}
    if _needs_exact_title(node.title):
        fields["title"] = node.title
    for key in ("description", "weeks", "aliases", "renamed_from", "resources"):
        if key in doc:
            fields[key] = doc[key]
    if node.is_leaf:
        fields.update(_mark_fields(state))
    return fields


def markdown(roadmap: Roadmap, states: dict[str, ItemState], started: date | None = None) -> str:
    """The roadmap as a Markdown checklist; each heading and entry carries its ID and,
    in a comment, what Markdown cannot say exactly (kind, weeks, description,
    resources, the learner's mark with its day, notes), so it imports back whole."""
    top: dict[str, Any] = {k: v for k, v in roadmap.to_dict().items() if k not in ("id",)}
    if not _needs_exact_title(roadmap.title):
        del top["title"]
    if started is not None:
        top["started"] = started.isoformat()
    lines = [f"# {_escape(roadmap.title)} {payload(top)}", "", _escape(roadmap.summary), ""]
    source = roadmap.source
    credit = f"Source: {_escape(source.title)}" + (
        f" by {_escape(source.author)}" if source.author else ""
    )
    lines += [credit + (f" ({source.url})" if source.url else ""), ""]

    def comment(node: Node) -> str:
        return f"<!-- id: {node.id} --> {payload(_node_fields(node, states.get(node.id)))}"

    def entry(node: Node, indent: int) -> None:
        pad = "  " * indent
        if node.is_leaf:
            box = "[x]" if status_of(states, node.id) == DONE else "[ ]"
            lines.append(f"{pad}- {box} {_escape(node.title)} {comment(node)}")
            if node.description:
                lines.append(f"{pad}  - {_escape(node.description)}")
            for r in node.resources:
                label = _escape(r.title)
                lines.append(f"{pad}  - [{label}]({r.url})" if r.url else f"{pad}  - {label}")
        else:
            lines.append(f"{pad}- {_escape(node.title)} {comment(node)}")
            for child in node.children:
                entry(child, indent + 1)

    def section(node: Node, level: int) -> None:
        lines.append(f"{'#' * level} {_escape(node.title)} {comment(node)}")
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

    for position, top_node in enumerate(roadmap.children):
        if top_node.is_leaf or any(n.is_leaf for n in roadmap.children[position + 1 :]):
            # A top-level item, or a branch followed by one: a list keeps them in order.
            entry(top_node, 0)
            lines.append("")
        else:
            section(top_node, 2)
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


def json_text(roadmap: Roadmap, states: dict[str, ItemState], started: date | None = None) -> str:
    """The roadmap with every item's status, day and notes (``import`` reads it back)."""
    per_node = counts(roadmap, states)

    def node_doc(node: Node) -> dict[str, object]:
        doc: dict[str, object] = node.to_dict()
        if node.is_leaf:
            state = states.get(node.id)
            doc["status"] = status_of(states, node.id)
            if state is not None and state.day is not None and state.status != TODO:
                doc["day"] = state.day.isoformat()
            if state is not None and state.undated and state.status != TODO:
                doc["undated"] = True
            if state is not None and state.notes:
                doc["notes"] = [
                    {"at": e.ts.isoformat(), "day": e.day.isoformat(), "text": e.note}
                    for e in state.notes
                ]
        else:
            c = per_node[node.id]
            doc.update(done=c.done, skipped=c.skipped, started=c.started, total=c.total)
            doc["children"] = [node_doc(child) for child in node.children]
        return doc

    document: dict[str, object] = roadmap.to_dict()
    if started is not None:
        document["started"] = started.isoformat()
    document["children"] = [node_doc(n) for n in roadmap.children]
    return indented_json(document) + "\n"


def indented_json(document: object) -> str:
    """``json.dumps(document, ensure_ascii=False, indent=2)`` for a document of
    strings, integers, booleans, None, lists and dicts, written by pydantic-core's
    serializer (the standard library's indents in Python, several times slower on
    a large roadmap); text it cannot write (a lone surrogate) goes to the standard
    library."""
    from pydantic_core import PydanticSerializationError, to_json

    try:
        return to_json(document, indent=2).decode("utf-8")
    except PydanticSerializationError:
        return json.dumps(document, ensure_ascii=False, indent=2)


def write(path: Path, text: str) -> None:
    """Write an export file whole (a temporary file renamed over it)."""
    from mlroadmap import fsio
    from mlroadmap.errors import StoreError

    try:
        fsio.atomic_write(path, text.encode("utf-8"))
    except fsio.WriteError as exc:
        reason = exc.strerror or str(exc)
        raise StoreError(f"{path}: could not {exc.step}: {reason}") from None
