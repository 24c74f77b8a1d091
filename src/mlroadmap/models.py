"""Pydantic models of a roadmap file and of the learner's store.

Every model refuses unknown keys, so a typo in a hand-written file is an
error rather than a silently ignored field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import cached_property
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID_LENGTH = 64

Slug = Annotated[
    str,
    StringConstraints(pattern=ID_RE.pattern, min_length=1, max_length=MAX_ID_LENGTH),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _check_url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError("a link must start with https:// or http://")
    if any(c.isspace() for c in value):
        raise ValueError("a link must not contain spaces")
    return value


Url = Annotated[str, AfterValidator(_check_url)]

NodeKind = Literal[
    "stage",
    "phase",
    "month",
    "week",
    "section",
    "group",
    "topic",
    "task",
    "project",
    "exercise",
    "resource",
    "item",
]
ResourceKind = Literal[
    "video",
    "playlist",
    "course",
    "book",
    "docs",
    "dataset",
    "article",
    "community",
    "repo",
    "tool",
    "other",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Resource(_Strict):
    """A link or a reference that helps with a node: a course, a book, a video."""

    title: Text
    url: Url | None = None
    kind: ResourceKind = "other"
    note: Text | None = None


class Node(_Strict):
    """One node of a roadmap: a branch (it has children) or a checkable item (a leaf)."""

    id: Slug
    title: Text
    kind: NodeKind = "topic"
    description: Text | None = None
    weeks: list[Annotated[int, Field(ge=1, le=520)]] = []
    aliases: list[Slug] = []
    renamed_from: list[Slug] = []
    resources: list[Resource] = []
    children: list[Node] = []

    @property
    def is_leaf(self) -> bool:
        return not self.children


class Source(_Strict):
    """Who wrote the roadmap this file was made from, so they are credited."""

    title: Text
    author: Text | None = None
    author_url: Url | None = None
    url: Url | None = None
    license: Text | None = None


class Roadmap(_Strict):
    """A whole roadmap, as loaded from one YAML file."""

    id: Slug
    title: Text
    summary: Text
    description: Text | None = None
    source: Source
    duration_weeks: Annotated[int, Field(ge=1, le=520)] | None = None
    children: list[Node] = Field(min_length=1)

    @cached_property
    def index(self) -> RoadmapIndex:
        return RoadmapIndex(self)


class Problem(BaseModel):
    """One thing wrong with a roadmap document, at a path inside it."""

    model_config = ConfigDict(frozen=True)

    path: tuple[str | int, ...]
    message: str


def walk(
    nodes: list[Node], path: tuple[str | int, ...] = ("children",)
) -> Iterator[tuple[tuple[str | int, ...], Node, int]]:
    """Yield ``(path, node, depth)`` for every node, in roadmap (pre-)order."""
    stack: list[tuple[tuple[str | int, ...], Node, int]] = [
        ((*path, i), node, 0) for i, node in enumerate(nodes)
    ]
    stack.reverse()
    while stack:
        node_path, node, depth = stack.pop()
        yield node_path, node, depth
        children = [
            ((*node_path, "children", i), child, depth + 1) for i, child in enumerate(node.children)
        ]
        children.reverse()
        stack.extend(children)


def id_problems(roadmap: Roadmap) -> list[Problem]:
    """Duplicate IDs, and aliases or old IDs that clash with an ID or each other."""
    problems: list[Problem] = []
    owner: dict[str, str] = {}  # name -> what first claimed it
    for path, node, _ in walk(roadmap.children):
        if node.id in owner:
            problems.append(
                Problem(path=(*path, "id"), message=f"duplicate ID {node.id!r} ({owner[node.id]})")
            )
        else:
            owner[node.id] = f"ID of {node.title!r}"
    for path, node, _ in walk(roadmap.children):
        for field in ("aliases", "renamed_from"):
            for i, name in enumerate(getattr(node, field)):
                if name in owner:
                    problems.append(
                        Problem(
                            path=(*path, field, i),
                            message=f"{name!r} is already taken ({owner[name]})",
                        )
                    )
                else:
                    owner[name] = f"{field.replace('_', ' ')} of {node.id!r}"
    return problems


class Entry:
    """A node with where it sits in its roadmap."""

    __slots__ = ("depth", "node", "parent")

    def __init__(self, node: Node, parent: str | None, depth: int) -> None:
        self.node = node
        self.parent = parent
        self.depth = depth


class RoadmapIndex:
    """Look-ups over one roadmap: by ID, by alias or old ID, leaves in order."""

    def __init__(self, roadmap: Roadmap) -> None:
        self.entries: dict[str, Entry] = {}
        self.names: dict[str, str] = {}  # id, alias or old id -> id
        self.leaves: list[str] = []
        parents: list[str] = []
        for _, node, depth in walk(roadmap.children):
            del parents[depth:]
            self.entries[node.id] = Entry(node, parents[-1] if parents else None, depth)
            parents.append(node.id)
            self.names.setdefault(node.id, node.id)
            if node.is_leaf:
                self.leaves.append(node.id)
        for entry in self.entries.values():
            for name in (*entry.node.aliases, *entry.node.renamed_from):
                self.names.setdefault(name, entry.node.id)
        self.old_ids: dict[str, str] = {
            old: entry.node.id for entry in self.entries.values() for old in entry.node.renamed_from
        }

    def current(self, recorded: str) -> str | None:
        """The ID a recorded item has now (following renames), or None when it is gone."""
        node_id = self.old_ids.get(recorded, recorded)
        return node_id if node_id in self.entries else None

    def node(self, node_id: str) -> Node:
        return self.entries[node_id].node

    def leaves_under(self, node_id: str) -> list[str]:
        node = self.node(node_id)
        if node.is_leaf:
            return [node_id]
        return [n.id for _, n, _ in walk(node.children) if n.is_leaf]

    def ancestors(self, node_id: str) -> list[str]:
        """IDs from the top-level section down to the node's parent."""
        chain: list[str] = []
        parent = self.entries[node_id].parent
        while parent is not None:
            chain.append(parent)
            parent = self.entries[parent].parent
        chain.reverse()
        return chain


# ---------------------------------------------------------------------------
# The store

SCHEMA_VERSION = 2  # StoreData.schema_version's Literal must match

Action = Literal["done", "start", "skip", "todo", "note"]
STATUS_ACTIONS: frozenset[str] = frozenset({"done", "start", "skip", "todo"})


class Event(_Strict):
    """One thing the learner did, for one item of one roadmap.

    ``ts`` is when it was recorded (UTC); ``on`` is the day it really happened
    when the learner back-dated it.
    """

    id: Annotated[str, StringConstraints(min_length=8, max_length=64)]
    ts: AwareDatetime
    roadmap: Slug
    item: Slug
    action: Action
    on: date | None = None
    note: Annotated[str, StringConstraints(max_length=10_000)] | None = None

    @property
    def day(self) -> date:
        """The day the work happened: the local date, unless back-dated."""
        return self.on if self.on is not None else self.ts.astimezone().date()


class RoadmapSettings(_Strict):
    started: date | None = None


class Settings(_Strict):
    active: Slug | None = None
    shared_credit: bool = True


class StoreData(_Strict):
    """The whole store document."""

    schema_version: Literal[2] = 2
    settings: Settings = Settings()
    roadmaps: dict[Slug, RoadmapSettings] = {}
    events: list[Event] = []


# ---------------------------------------------------------------------------
# The skills catalogue: one skill, the items of several roadmaps that teach it


class Skill(_Strict):
    id: Slug
    name: Text
    items: dict[Slug, list[Slug]] = Field(min_length=1)  # roadmap ID -> item IDs


class SkillsCatalogue(_Strict):
    skills: list[Skill]
