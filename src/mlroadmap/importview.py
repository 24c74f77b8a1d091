"""What an import found, as lines for people: the summary and the outline (``--dry-run``).

Plain strings; ``cli`` prints them (escaped) on stderr and stdout.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from mlroadmap.importer import UNIT_NAMES

if TYPE_CHECKING:
    from mlroadmap.importer import Summary
    from mlroadmap.models import Node, Roadmap

WIDTH = 80
MAX_NAMED_SECTIONS = 8
SINGULAR = {
    "sections that are not the roadmap": "section that is not the roadmap",
    "table-of-contents entries": "table-of-contents entry",
    "links inside the page": "link inside the page",
    "relative links (give --base-url to keep them)": "relative link (give --base-url to keep it)",
    "sections with nothing to track (text only)": "section with nothing to track (text only)",
}


def _plural(count: int, kind: str) -> str:
    one, many = UNIT_NAMES.get(kind, (kind, kind + "s"))
    return f"{count:,} {one if count == 1 else many}"


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, subsequent_indent="  ", break_on_hyphens=False) or [""]


def _week_ranges(weeks: list[int]) -> str:
    found = sorted(set(weeks))
    ranges: list[str] = []
    start = prev = found[0]
    for week in [*found[1:], None]:
        if week is not None and week == prev + 1:
            prev = week
            continue
        ranges.append(str(start) if start == prev else f"{start}\u2013{prev}")
        if week is not None:
            start = prev = week
    return ", ".join(ranges)


def summary_lines(summary: Summary) -> list[str]:
    """Units found by kind, what was left out and why, weeks found, nesting folded."""
    total = sum(summary.units.values())
    kinds = ", ".join(_plural(n, kind) for kind, n in summary.units.most_common())
    lines = _wrap(f"Found {total:,} units to track: {kinds}.")
    left: list[str] = []
    for reason, count in summary.left_out.most_common():
        text = f"{count:,} {SINGULAR.get(reason, reason) if count == 1 else reason}"
        if reason == "sections that are not the roadmap" and summary.noise_sections:
            names = summary.noise_sections[:MAX_NAMED_SECTIONS]
            more = len(summary.noise_sections) - len(names)
            text += " (" + ", ".join(names) + (f" and {more} more" if more > 0 else "") + ")"
        left.append(text)
    if left:
        lines += _wrap("Left out: " + "; ".join(left) + ".")
    if summary.weeks:
        lines += _wrap(f"Weeks found: {_week_ranges(summary.weeks)}.")
    else:
        lines.append("Weeks found: none.")
    lines += _wrap(f"Title from the {summary.title_from}.")
    for note in summary.notes:
        lines += _wrap(note[0].upper() + note[1:] + ".")
    return lines


def outline_lines(roadmap: Roadmap) -> list[str]:
    """The roadmap as an indented outline: branches with their item counts, items with IDs."""
    lines = [f"{roadmap.title}  ({len(roadmap.index.leaves):,} items)"]

    def visit(nodes: list[Node], depth: int) -> None:
        for node in nodes:
            pad = "  " * (depth + 1)
            if node.children:
                count = len(roadmap.index.leaves_under(node.id))
                lines.append(f"{pad}{node.title}  [{node.id}, {count:,} items]")
                visit(node.children, depth + 1)
            else:
                lines.append(f"{pad}- {node.title}  [{node.id}]")

    visit(roadmap.children, 0)
    return lines
