"""A roadmap with the learner's marks as Markdown, JSON or CSV.

The Markdown form imports back (``mlroadmap import --with-progress``) to the
same items with the same marks: each entry carries its ID in a comment.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from datetime import date
from itertools import pairwise
from json.encoder import encode_basestring
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlroadmap.events import IndexedEvent
from mlroadmap.models import Node, Roadmap
from mlroadmap.progress import DONE, SKIPPED, STARTED, TODO, ItemState

if TYPE_CHECKING:
    from mlroadmap.records import EventLike

MAX_HEADING = 6
MAX_TITLE = 100  # the importer shortens longer titles read from Markdown
_SHORTCODE = re.compile(r":[a-z0-9_+\-]+:")
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_BACKSLASHED = str.maketrans({ch: "\\" + ch for ch in "\\`*_[]<>#&"})
_MARKUP = re.compile(r"[\\`*_\[\]<>#&]")  # what _BACKSLASHED escapes
_LIST_START = (" ", "-", "+", "=", "~")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _escape(text: str) -> str:
    """Text that Markdown shows as written (no emphasis, links or HTML from it)."""
    if (
        text.isprintable()  # no whitespace but spaces (every other kind is unprintable)
        and "  " not in text
        and not text.startswith(_LIST_START)
        and not text.endswith(" ")
        and _MARKUP.search(text) is None
        and _ORDERED.match(text) is None
    ):
        return text  # the usual case: nothing to escape, found without building a string
    return _escape_all(text)


def _escape_all(text: str) -> str:
    """``_escape`` without its shortcut for text that needs nothing escaped."""
    out = _one_line(text).translate(_BACKSLASHED)
    # What would start a list, a rule or a fence at the start of a line: "1. ", "- ", "~~~".
    if out[:1] in ("-", "+", "=", "~"):
        return "\\" + out
    return _ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), out, count=1)


def payload(fields: dict[str, Any]) -> str:
    """A comment carrying exact values Markdown cannot (JSON; no "--" inside, as HTML needs)."""
    return _comment(compact_json(fields))


def _comment(text: str) -> str:
    """``payload`` of fields whose compact JSON is ``text``."""
    text = text.replace("<", "\\u003c").replace(">", "\\u003e")
    return "<!-- mlroadmap " + text.replace("--", "-\\u002d") + " -->"


def _needs_exact_title(title: str, escaped: str) -> bool:
    """Whether reading the title back from Markdown could change it (``escaped``
    is ``_escape(title)``)."""
    return (
        escaped != title
        or len(title) > MAX_TITLE
        or (":" in title and (title.endswith(":") or _SHORTCODE.search(title) is not None))
    )


def _node_fields(node: Node, state: ItemState | None, exact_title: bool) -> dict[str, Any]:
    """What a node's comment carries: its kind, the fields Markdown cannot say
    exactly (as ``Node.to_dict`` writes them) and, for an item, the learner's mark."""
    fields: dict[str, Any] = {"kind": node.kind}
    if exact_title:
        fields["title"] = node.title
    if node.description:
        fields["description"] = node.description
    if node.weeks:
        fields["weeks"] = node.weeks
    if node.aliases:
        fields["aliases"] = node.aliases
    if node.renamed_from:
        fields["renamed_from"] = node.renamed_from
    if node.resources:
        fields["resources"] = node.to_dict()["resources"]
    if state is None or node.children:
        return fields
    if state.status != TODO:
        fields["status"] = state.status
        if state.day is not None:
            fields["day"] = state.day.isoformat()
        if state.undated:
            fields["undated"] = True
    if state.notes:
        fields["notes"] = [{"text": e.note, "day": e.day.isoformat()} for e in state.notes]
    return fields


def _node_payload(node: Node, state: ItemState | None, exact_title: bool) -> str:
    """``payload(_node_fields(node, state, exact_title))``, the JSON written field by
    field (a large roadmap has one comment a node): each string as the standard
    library writes it (its own string encoder), the rarer lists by ``compact_json``."""
    text = '{"kind":' + _string(node.kind)
    if exact_title:
        text += ',"title":' + _string(node.title)
    if node.description or node.weeks or node.aliases or node.renamed_from or node.resources:
        text += _rarer_fields(node)
    if state is not None and not node.children:
        if state.status != TODO:
            text += ',"status":' + _string(state.status)
            if state.day is not None:
                text += ',"day":"' + state.day.isoformat() + '"'
            if state.undated:
                text += ',"undated":true'
        if state.notes:
            notes = ",".join(
                [
                    f'{{"text":{"null" if e.note is None else _string(e.note)},'
                    f'"day":"{e.day.isoformat()}"}}'
                    for e in state.notes
                ]
            )
            text = f'{text},"notes":[{notes}]'
    return _comment(text + "}")


def _rarer_fields(node: Node) -> str:
    """The part of a node's comment after its title: its description, weeks, aliases,
    old IDs and resources, those it has."""
    text = ""
    if node.description:
        text += ',"description":' + _string(node.description)
    if node.weeks:
        text += ',"weeks":' + compact_json(node.weeks)
    if node.aliases:
        text += ',"aliases":' + compact_json(node.aliases)
    if node.renamed_from:
        text += ',"renamed_from":' + compact_json(node.renamed_from)
    if node.resources:
        text += ',"resources":' + compact_json(node.to_dict()["resources"])
    return text


def markdown(roadmap: Roadmap, states: dict[str, ItemState], started: date | None = None) -> str:
    """The roadmap as a Markdown checklist; each heading and entry carries its ID and,
    in a comment, what Markdown cannot say exactly (kind, weeks, description,
    resources, the learner's mark with its day, notes), so it imports back whole."""
    top: dict[str, Any] = {k: v for k, v in roadmap.to_dict().items() if k not in ("id",)}
    title = _escape(roadmap.title)
    if not _needs_exact_title(roadmap.title, title):
        del top["title"]
    if started is not None:
        top["started"] = started.isoformat()
    lines = [f"# {title} {payload(top)}", "", _escape(roadmap.summary), ""]
    source = roadmap.source
    credit = f"Source: {_escape(source.title)}" + (
        f" by {_escape(source.author)}" if source.author else ""
    )
    lines += [credit + (f" ({source.url})" if source.url else ""), ""]
    append = lines.append

    def labelled(node: Node, state: ItemState | None) -> str:
        """The node's title as Markdown shows it, then its ID and its fields in comments."""
        escaped = _escape(node.title)
        comment = _node_payload(node, state, _needs_exact_title(node.title, escaped))
        return f"{escaped} <!-- id: {node.id} --> {comment}"

    def entry(node: Node, pad: str) -> None:
        if node.children:
            append(f"{pad}- {labelled(node, None)}")
            inner = pad + "  "
            for child in node.children:
                entry(child, inner)
            return
        state = states.get(node.id)
        box = "[x]" if state is not None and state.status == DONE else "[ ]"
        append(f"{pad}- {box} {labelled(node, state)}")
        if node.description:
            append(f"{pad}  - {_escape(node.description)}")
        for r in node.resources:
            label = _escape(r.title)
            append(f"{pad}  - [{label}]({r.url})" if r.url else f"{pad}  - {label}")

    def section(node: Node, level: int) -> None:
        append(f"{'#' * level} {labelled(node, None)}")
        append("")
        if node.description:
            lines.extend([_escape(node.description), ""])
        links = [f"- [{_escape(r.title)}]({r.url})" for r in node.resources if r.url]
        if links:  # links of a section are kept as plain (non-checkbox) entries
            lines.extend([*links, ""])
        kinds = [not child.children for child in node.children]
        # Items after a sub-section would fall under its heading on import, so a
        # section whose items and sub-sections interleave is written as one list.
        as_list = level >= MAX_HEADING or any(
            leaf and not before for before, leaf in pairwise(kinds)
        )
        for child in node.children:
            if as_list or not child.children:
                entry(child, "")
        if any(kinds) or as_list:
            append("")
        if not as_list:
            for child in node.children:
                if child.children:
                    section(child, level + 1)

    last_item = max((i for i, n in enumerate(roadmap.children) if not n.children), default=-1)
    for position, top_node in enumerate(roadmap.children):
        if position <= last_item:
            # A top-level item, or a branch followed by one: a list keeps them in order.
            entry(top_node, "")
            append("")
        else:
            section(top_node, 2)
    return "\n".join(lines).rstrip() + "\n"


CSV_COLUMNS = (
    *("roadmap", "id", "parent", "depth", "kind", "title"),
    *("status", "day", "weeks", "notes", "links"),
)


def csv_text(roadmap: Roadmap, states: dict[str, ItemState]) -> str:
    """One row per node, in roadmap order, as the ``csv`` module writes them."""
    lines = [_csv_line(CSV_COLUMNS)]
    roadmap_id, get = roadmap.id, states.get
    # The index lists every node in roadmap order (a loaded roadmap's IDs are unique).
    for node_id, place in roadmap.index.entries.items():
        node, state = place.node, get(node_id)
        if state is None:
            status = "" if node.children else TODO
            day = notes = ""
        else:
            status = "" if node.children else state.status
            day = state.day.isoformat() if state.day else ""
            notes = " | ".join([_one_line(e.note or "") for e in state.notes])
        row = [
            roadmap_id,
            node_id,
            place.parent or "",
            str(place.depth),
            node.kind,
            _one_line(node.title),
            status,
            day,
            " ".join(map(str, node.weeks)) if node.weeks else "",
            notes,
            " ".join([r.url for r in node.resources if r.url]) if node.resources else "",
        ]
        lines.append(_csv_line(row))
    lines.append("")
    return "\n".join(lines)


def _csv_line(row: Sequence[str]) -> str:
    """A row as the ``csv`` module writes it, without its line end. It quotes a
    field only for a comma, a quote or a line break in it (or a row of one empty
    field); most rows have none, and are their fields joined by commas."""
    line = ",".join(row)
    quoted = line.count(",") != len(row) - 1 or '"' in line or "\n" in line or "\r" in line
    if line and not quoted:
        return line
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    return out.getvalue()[:-1]


def json_text(roadmap: Roadmap, states: dict[str, ItemState], started: date | None = None) -> str:
    """``json_document`` as ``json.dumps(..., ensure_ascii=False, indent=2)`` writes
    it, and a line end. Written node by node without making the document (a large
    roadmap has thousands of items and notes): each item's usual fields directly,
    any other field of a node by ``indented_json``."""
    get = states.get
    done, skipped, started_ = DONE, SKIPPED, STARTED

    def item(node: Node, pad: str) -> tuple[str, str]:
        """The item at ``pad`` (a line end and its fields' indent), and its status."""
        text = "{" + pad + _node_head(node, pad)
        state = get(node.id)
        if state is None:
            return f'{text},{pad}"status": "todo"{pad[:-2]}}}', TODO
        status = str(state.status)
        text = f'{text},{pad}"status": {_string(status)}'
        if state.status != TODO:
            if state.day is not None:
                text = f'{text},{pad}"day": "{state.day.isoformat()}"'
            if state.undated:
                text = f'{text},{pad}"undated": true'
        if state.notes:
            inner = pad + "  "
            deeper = inner + "  "
            notes = [
                f'{{{deeper}"at": "{_time_text(e)}",{deeper}"day": "{e.day.isoformat()}",'
                f'{deeper}"text": {_string(e.note) if e.note is not None else "null"}{inner}}}'
                for e in state.notes
            ]
            text = f'{text},{pad}"notes": [{inner}{("," + inner).join(notes)}{pad}]'
        return f"{text}{pad[:-2]}}}", status

    def branch(node: Node, pad: str, sums: list[int]) -> str:
        """The branch at ``pad``; adds its [done, skipped, started, total] into ``sums``."""
        inner = pad + "    "
        mine = [0, 0, 0, 0]
        children: list[str] = []
        for child in node.children:
            if child.children:
                children.append(branch(child, inner, mine))
                continue
            text, status = item(child, inner)
            children.append(text)
            if status == done:
                mine[0] += 1
            elif status == skipped:
                mine[1] += 1
            elif status == started_:
                mine[2] += 1
            mine[3] += 1
        for i, n in enumerate(mine):
            sums[i] += n
        head, around = _node_head(node, pad), inner[:-2]
        return (
            f'{{{pad}{head},{pad}"done": {mine[0]},{pad}"skipped": {mine[1]},{pad}"started": '
            f'{mine[2]},{pad}"total": {mine[3]},{pad}"children": [{around}'
            f"{(',' + around).join(children)}{pad}]{pad[:-2]}}}"
        )

    top: dict[str, object] = roadmap.to_dict()
    if started is not None:
        top["started"] = started.isoformat()
    head = indented_json(top)[:-2]  # without its closing line ("\n}")
    whole = [0, 0, 0, 0]
    children = [
        branch(n, "\n      ", whole) if n.children else item(n, "\n      ")[0]
        for n in roadmap.children
    ]
    listed = "[\n    " + ",\n    ".join(children) + "\n  ]" if children else "[]"
    return head + ',\n  "children": ' + listed + "\n}\n"


def _time_text(event: EventLike) -> str:
    """``event.ts.isoformat()``, kept by an event read from the log's index."""
    if type(event) is IndexedEvent and event.at is not None:
        return event.at
    return event.ts.isoformat()


def _node_head(node: Node, pad: str) -> str:
    """The fields ``Node.to_dict`` gives, as an indented document's lines at ``pad``."""
    if not (node.description or node.weeks or node.aliases or node.renamed_from or node.resources):
        head = f'"id": {_string(node.id)},{pad}"title": {_string(node.title)}'
        if node.kind != "topic":
            head = f'{head},{pad}"kind": {_string(node.kind)}'
        return head
    depth = len(pad) - 1
    fields = [f"{_string(key)}: {_indented(value, depth)}" for key, value in node.to_dict().items()]
    return ("," + pad).join(fields)


def json_document(
    roadmap: Roadmap, states: dict[str, ItemState], started: date | None = None
) -> dict[str, object]:
    """The roadmap with every item's status, day and notes (``import`` reads it back),
    and under each branch how many of its items are done, skipped, started and
    in all (what ``progress.counts`` gives, added up here as the items are written).
    ``json_text`` writes this document without making it."""
    get = states.get

    def item_doc(node: Node) -> dict[str, object]:
        doc: dict[str, object] = node.to_dict()
        state = get(node.id)
        if state is None:
            doc["status"] = TODO.value
            return doc
        doc["status"] = str(state.status)
        if state.status != TODO:
            if state.day is not None:
                doc["day"] = state.day.isoformat()
            if state.undated:
                doc["undated"] = True
        if state.notes:
            doc["notes"] = [
                {"at": e.ts.isoformat(), "day": e.day.isoformat(), "text": e.note}
                for e in state.notes
            ]
        return doc

    def branch_doc(node: Node, sums: list[int]) -> dict[str, object]:
        """A branch with its items; adds its [done, skipped, started, total] into ``sums``."""
        doc: dict[str, object] = node.to_dict()
        mine = [0, 0, 0, 0]
        children: list[dict[str, object]] = []
        for child in node.children:
            if child.children:
                children.append(branch_doc(child, mine))
                continue
            item = item_doc(child)
            children.append(item)
            status = item["status"]
            if status == DONE:
                mine[0] += 1
            elif status == SKIPPED:
                mine[1] += 1
            elif status == STARTED:
                mine[2] += 1
            mine[3] += 1
        doc.update(done=mine[0], skipped=mine[1], started=mine[2], total=mine[3])
        doc["children"] = children
        for i, n in enumerate(mine):
            sums[i] += n
        return doc

    document: dict[str, object] = roadmap.to_dict()
    if started is not None:
        document["started"] = started.isoformat()
    whole = [0, 0, 0, 0]
    document["children"] = [
        branch_doc(n, whole) if n.children else item_doc(n) for n in roadmap.children
    ]
    return document


def compact_json(document: object) -> str:
    """``json.dumps(document, ensure_ascii=False, separators=(",", ":"))``, by one
    encoder made once (the standard library's C encoder: for the small documents
    of a Markdown export's comments as quick as pydantic-core's, without its import)."""
    return _COMPACT(document)


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_string = encode_basestring  # a string as ``json.dumps(..., ensure_ascii=False)`` writes it


def indented_json(document: object) -> str:
    """``json.dumps(document, ensure_ascii=False, indent=2)`` (the standard library
    indents in Python, through a generator a value; this writes each string by its
    C string encoder). A document with anything but strings, integers, booleans,
    None, lists and dicts with string keys is left to the standard library."""
    try:
        return _indented(document, 0)
    except _Unwritable:
        return json.dumps(document, ensure_ascii=False, indent=2)


class _Unwritable(Exception):
    """A value ``_indented`` leaves to the standard library."""


def _indented(value: object, depth: int) -> str:
    """``value`` as ``indented_json`` writes it, its lines after the first indented
    by ``depth`` spaces."""
    if isinstance(value, str):
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    pad = "\n" + " " * (depth + 2)
    if isinstance(value, list):
        if not value:
            return "[]"
        inner = [_indented(v, depth + 2) for v in value]
        return "[" + pad + ("," + pad).join(inner) + pad[:-2] + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        if not all(type(k) is str for k in value):
            raise _Unwritable
        fields = [_string(k) + ": " + _indented(v, depth + 2) for k, v in value.items()]
        return "{" + pad + ("," + pad).join(fields) + pad[:-2] + "}"
    raise _Unwritable


def write(path: Path, text: str) -> None:
    """Write an export file whole (a temporary file renamed over it)."""
    from mlroadmap import fsio
    from mlroadmap.errors import StoreError

    try:
        fsio.atomic_write(path, text.encode("utf-8"))
    except fsio.WriteError as exc:
        reason = exc.strerror or str(exc)
        raise StoreError(f"{path}: could not {exc.step}: {reason}") from None
