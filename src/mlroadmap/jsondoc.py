"""The ``--json`` contract: one JSON document per command, keys as the README lists.

Every document is built here from the same typed results the human views
use; ``emit`` writes it. Text is kept as it is, with control characters
(C1 and bidi too) escaped as JSON ``\\u`` sequences.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from mlroadmap.progress import DONE, SKIPPED, Count, status_of
from mlroadmap.text import escape_json

if TYPE_CHECKING:
    from mlroadmap.models import Node
    from mlroadmap.skills import SkillState
    from mlroadmap.tracker import (
        CalendarResult,
        ConfigResult,
        DoctorReport,
        FileCheck,
        LogResult,
        NextResult,
        ProgressResult,
        RoadmapSummary,
        SearchHit,
        ShowResult,
        SkillsResult,
    )


def emit(document: Any) -> None:
    """One JSON document on stdout; control characters (C1 and bidi too) escaped.

    It is written as it is encoded, so an array made as it goes (``Streamed``)
    is never held whole.
    """
    encoder = json.JSONEncoder(ensure_ascii=False, indent=2, default=_json_default)
    parts: list[str] = []
    size = 0
    for part in encoder.iterencode(document):
        parts.append(part)
        size += len(part)
        if size > 1 << 16:
            sys.stdout.write(escape_json("".join(parts)))
            parts, size = [], 0
    sys.stdout.write(escape_json("".join(parts)) + "\n")


class Streamed(list[Any]):
    """A JSON array whose items are made as the encoder reaches them (``emit``
    encodes with an indent, so the standard library's Python encoder does, and
    it only asks an array for its length and its items in order)."""

    def __init__(self, count: int, items: Callable[[], Iterator[Any]]) -> None:
        super().__init__()
        self.size = count
        self.make = items

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[Any]:
        return self.make()


def _json_default(value: object) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def list_json(summaries: list[RoadmapSummary]) -> dict[str, Any]:
    return {
        "active": next((s.roadmap.id for s in summaries if s.active), None),
        "roadmaps": [
            {
                "id": s.roadmap.id,
                "title": s.roadmap.title,
                "summary": s.roadmap.summary,
                "source": s.roadmap.source.to_dict(),
                "duration_weeks": s.roadmap.duration_weeks,
                "active": s.active,
                "bundled": s.bundled,
                **count_json(s.total),
            }
            for s in summaries
        ],
    }


def count_json(count: Count) -> dict[str, Any]:
    return {
        "done": count.done,
        "skipped": count.skipped,
        "started": count.started,
        "total": count.total,
        "credited": count.credited,
        "percent": round(100 * count.fraction, 1),
    }


def node_json(node: Node, result: ShowResult, level: int) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": node.id, "title": node.title, "kind": node.kind}
    if node.weeks:
        doc["weeks"] = node.weeks
    if node.is_leaf:
        doc["status"] = status_of(result.states, node.id)
        if node.id in result.credited and doc["status"] not in (DONE, SKIPPED):
            doc["credited_from"] = result.credited[node.id]
    else:
        doc.update(count_json(result.counts[node.id]))
    if node.description:
        doc["description"] = node.description
    if node.aliases:
        doc["aliases"] = node.aliases
    if node.resources:
        doc["resources"] = [r.to_dict() for r in node.resources]
    state = result.states.get(node.id)
    if state is not None and state.notes:
        doc["notes"] = [{"at": e.ts, "text": e.note} for e in state.notes]
    if node.children and (result.depth is None or level < result.depth):
        doc["children"] = [
            node_json(c, result, level + 1) for c in node.children if not result.hidden(c)
        ]
    return doc


def show_json(result: ShowResult) -> dict[str, Any]:
    roadmap = result.roadmap
    if result.node is not None:
        nodes = [roadmap.index.node(result.node)]
    else:
        nodes = [n for n in roadmap.children if not result.hidden(n)]
    return {
        "roadmap": {"id": roadmap.id, "title": roadmap.title, **count_json(result.counts[""])},
        "node": result.node,
        "items": [node_json(n, result, 1) for n in nodes],
    }


def progress_json(result: ProgressResult) -> dict[str, Any]:
    p, s = result.pace, result.schedule
    return {
        "roadmap": result.roadmap.id,
        "title": result.roadmap.title,
        "sections": [
            {"id": sec.id, "title": sec.title, **count_json(sec.total)} for sec in result.sections
        ],
        "total": count_json(result.total),
        "pace": {
            "per_week": round(p.per_week, 2),
            "window_days": p.window_days,
            "remaining": p.remaining,
            "eta": p.eta,
        },
        "schedule": None
        if s is None
        else {
            "started": s.started,
            "calendar_week": s.calendar_week,
            "learner_week": s.learner_week,
            "last_week": s.last_week,
            "weeks_ahead": s.weeks_ahead,
        },
    }


def next_json(result: NextResult) -> dict[str, Any]:
    index = result.roadmap.index
    return {
        "roadmap": result.roadmap.id,
        "items": [
            {
                "id": item,
                "title": index.node(item).title,
                "status": status_of(result.states, item),
                "path": index.ancestors(item),
                **(
                    {"credited_from": result.credited[item]}
                    if item in result.credited
                    and status_of(result.states, item) not in (DONE, SKIPPED)
                    else {}
                ),
            }
            for item in result.items
        ],
    }


def doctor_json(report: DoctorReport) -> dict[str, Any]:
    return {
        "store": str(report.store),
        "healthy": report.healthy,
        "problem": report.problem,
        "events": report.events,
        "checked_every_line": report.checked_every_line,
        "backup": str(report.backup) if report.backup else None,
        "backup_events": report.backup_events,
        "orphans": [
            {"roadmap": o.roadmap, "item": o.item, "events": o.events, "reason": o.reason}
            for o in report.orphans
        ],
        "restored_from": str(report.restored_from) if report.restored_from else None,
        "set_aside": str(report.set_aside) if report.set_aside else None,
        "unfinished_line": report.unfinished_line,
        "removed": [str(p) for p in report.removed],
        "missing": list(report.missing),
        "duplicates": report.duplicates,
        "out_of_range": list(report.out_of_range),
        "cache_rebuilt": report.cache_rebuilt,
        "backup_bad_lines": report.backup_bad_lines,
        "copies": [str(p) for p in report.copies],
        "symlink": str(report.symlink) if report.symlink else None,
        "salvaged": [{"path": str(p), "events": n} for p, n in report.salvaged],
        "backup_set_aside": str(report.backup_set_aside) if report.backup_set_aside else None,
        "unreadable": report.unreadable,
        "roadmap_problems": list(report.roadmap_problems),
    }


def log_json(result: LogResult) -> dict[str, Any]:
    def events() -> Iterator[dict[str, Any]]:
        for entry in result.entries:
            yield {
                "id": entry.event.id,
                "at": entry.event.ts,
                "day": entry.event.day,
                "roadmap": entry.event.roadmap,
                "item": entry.event.item,
                "title": entry.title,
                "action": entry.event.action,
                "note": entry.event.note,
            }

    return {
        "matched": result.matched,
        "shown": len(result.entries),
        "events": Streamed(len(result.entries), events),
    }


def calendar_json(result: CalendarResult) -> dict[str, Any]:
    return {
        "from": result.first,
        "to": result.today,
        "days": {d.isoformat(): n for d, n in sorted(result.days.items()) if d >= result.first},
        "active_days": result.active_in_range,
        "current_streak": result.current_streak,
        "longest_streak": result.longest_streak,
    }


def search_json(hits: list[SearchHit], text: str) -> dict[str, Any]:
    return {
        "query": text,
        "results": [
            {
                "roadmap": hit.roadmap.id,
                "id": hit.item,
                "title": hit.roadmap.index.node(hit.item).title,
                "kind": hit.roadmap.index.node(hit.item).kind,
                "status": hit.status,
                **({"credited_from": hit.credited_from} if hit.credited_from else {}),
            }
            for hit in hits
        ],
    }


def skills_json(result: SkillsResult) -> dict[str, Any]:
    def status(state: SkillState, roadmap: str) -> str:
        if roadmap in state.learned_in:
            return "learned"
        return "partly" if roadmap in state.partly_in else "todo"

    return {
        "skills": [
            {
                "id": s.skill.id,
                "name": s.skill.name,
                "learned": s.learned,
                "roadmaps": {
                    r: {"items": items, "status": status(s, r)}
                    for r, items in s.skill.items.items()
                },
            }
            for s in result.states
        ]
    }


def progress_doc(results: list[ProgressResult], every: bool) -> dict[str, Any]:
    """One roadmap's progress, or (``--all``) every roadmap's under ``roadmaps``."""
    docs = [progress_json(r) for r in results]
    return {"roadmaps": docs} if every else docs[0]


def validate_json(checks: list[FileCheck]) -> dict[str, Any]:
    return {
        "files": [
            {
                "path": str(check.path),
                "ok": check.ok,
                "kind": "skills" if check.skills is not None else "roadmap",
                "id": check.roadmap.id if check.roadmap is not None else None,
                "items": len(check.roadmap.index.leaves) if check.roadmap is not None else None,
                "problems": check.problems,
            }
            for check in checks
        ]
    }


def config_json(result: ConfigResult) -> dict[str, Any]:
    return {
        "settings": result.settings,
        "active": result.active,
        "started": {rid: day.isoformat() for rid, day in sorted(result.started.items())},
        "data_dir": str(result.home),
        "store": str(result.store),
        "roadmaps_dir": str(result.user_roadmaps),
    }
