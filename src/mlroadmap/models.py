"""What a roadmap is to the rest of the tool: plain objects, quick to build.

Roadmap files are validated by the Pydantic models in ``schema``; the
validated document becomes these objects (and is cached as JSON, so a later
run builds them straight from it). The learner's store is described by the
Pydantic records of ``records``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

from mlroadmap.vocabulary import ID_RE, MAX_ID_LENGTH, SCHEMA_VERSION, STATUS_ACTIONS

__all__ = ["ID_RE", "MAX_ID_LENGTH", "SCHEMA_VERSION", "STATUS_ACTIONS"]


def _set_fields(record: Any) -> dict[str, Any]:
    """A record's fields that are set (not None), in declaration order."""
    values = ((f.name, getattr(record, f.name)) for f in fields(record))
    return {name: value for name, value in values if value is not None}


@dataclass(slots=True)
class Resource:
    """A link or a reference that helps with a node: a course, a book, a video."""

    title: str
    url: str | None = None
    kind: str = "other"
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Every field that is set (the kind always)."""
        return _set_fields(self)


@dataclass(slots=True)
class Node:
    """One node of a roadmap: a branch (it has children) or a checkable item (a leaf)."""

    id: str
    title: str
    kind: str = "topic"
    description: str | None = None
    weeks: list[int] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    renamed_from: list[str] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Node:
        """A node from a validated document (a dict of its fields, defaults left out)."""
        node = cls.__new__(cls)  # no __init__: this builds every node of every roadmap loaded
        get = doc.get
        node.id = doc["id"]
        node.title = doc["title"]
        node.kind = get("kind", "topic")
        node.description = get("description")
        node.weeks = get("weeks") or []
        node.aliases = get("aliases") or []
        node.renamed_from = get("renamed_from") or []
        resources = get("resources")
        node.resources = [Resource(**r) for r in resources] if resources else []
        children = get("children")
        node.children = [Node.from_dict(c) for c in children] if children else []
        return node

    def to_dict(self) -> dict[str, Any]:
        """The node's own fields that differ from their defaults (children left out)."""
        doc: dict[str, Any] = {"id": self.id, "title": self.title}
        if self.kind != "topic":
            doc["kind"] = self.kind
        for name in ("description", "weeks", "aliases", "renamed_from"):
            value = getattr(self, name)
            if value:
                doc[name] = value
        if self.resources:
            doc["resources"] = [
                {k: v for k, v in r.to_dict().items() if not (k == "kind" and v == "other")}
                for r in self.resources
            ]
        return doc


@dataclass(slots=True)
class Source:
    """Who wrote the roadmap this file was made from, so they are credited."""

    title: str
    author: str | None = None
    author_url: str | None = None
    url: str | None = None
    license: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _set_fields(self)


@dataclass(slots=True)
class Roadmap:
    """A whole roadmap, as loaded from one YAML file."""

    id: str
    title: str
    summary: str
    source: Source
    children: list[Node]
    description: str | None = None
    duration_weeks: int | None = None
    _index: RoadmapIndex | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def index(self) -> RoadmapIndex:
        if self._index is None:
            self._index = RoadmapIndex(self)
        return self._index

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Roadmap:
        """A roadmap from a validated document."""
        return cls(
            doc["id"],
            doc["title"],
            doc["summary"],
            Source(**doc["source"]),
            [Node.from_dict(c) for c in doc["children"]],
            doc.get("description"),
            doc.get("duration_weeks"),
        )

    @classmethod
    def validate(cls, document: object) -> Roadmap:
        """Validate a parsed document (raises pydantic's ValidationError) and build it."""
        from mlroadmap import schema

        return cls.from_dict(schema.validated(schema.Roadmap, document))

    def to_dict(self) -> dict[str, Any]:
        """The roadmap's own fields that differ from their defaults (children left out)."""
        doc: dict[str, Any] = {"id": self.id, "title": self.title, "summary": self.summary}
        if self.description is not None:
            doc["description"] = self.description
        doc["source"] = self.source.to_dict()
        if self.duration_weeks is not None:
            doc["duration_weeks"] = self.duration_weeks
        return doc


class Problem(NamedTuple):
    """One thing wrong with a roadmap document, at a path inside it."""

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
    if not _names_clash(roadmap.children):
        return []  # the usual case, found without building every node's path
    return _located_id_problems(roadmap)


def _names_clash(nodes: list[Node]) -> bool:
    """Whether any ID, alias or old ID is taken twice (as ``id_problems`` would find)."""
    seen: set[str] = set()
    named: list[Node] = []
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if node.id in seen:
            return True
        seen.add(node.id)
        if node.aliases or node.renamed_from:
            named.append(node)
        stack.extend(node.children)
    for node in named:
        for name in (*node.aliases, *node.renamed_from):
            if name in seen:
                return True
            seen.add(name)
    return False


def _located_id_problems(roadmap: Roadmap) -> list[Problem]:
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
        for attr in ("aliases", "renamed_from"):
            for i, name in enumerate(getattr(node, attr)):
                if name in owner:
                    problems.append(
                        Problem(
                            path=(*path, attr, i),
                            message=f"{name!r} is already taken ({owner[name]})",
                        )
                    )
                else:
                    owner[name] = f"{attr.replace('_', ' ')} of {node.id!r}"
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
        self.old_ids: dict[str, str] = {}
        named: list[Node] = []  # nodes with aliases or old IDs
        entries, leaves = self.entries, self.leaves

        # Pre-order, a loop per branch: this runs on every command, over every node.
        # Recursion is as deep as the roadmap, which the YAML loader keeps shallow.
        def visit(nodes: list[Node], parent: str | None, depth: int) -> None:
            for node in nodes:
                node_id = node.id
                entries[node_id] = Entry(node, parent, depth)
                if node.children:
                    visit(node.children, node_id, depth + 1)
                else:
                    leaves.append(node_id)
                if node.aliases or node.renamed_from:
                    named.append(node)

        visit(roadmap.children, None, 0)
        self.names.update((node_id, node_id) for node_id in entries)
        for node in named:
            for name in (*node.aliases, *node.renamed_from):
                self.names.setdefault(name, node.id)
            for old in node.renamed_from:
                self.old_ids[old] = node.id

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
# The skills catalogue: one skill, the items of several roadmaps that teach it


@dataclass(slots=True)
class Skill:
    id: str
    name: str
    items: dict[str, list[str]]  # roadmap ID -> item IDs


@dataclass(slots=True)
class SkillsCatalogue:
    skills: list[Skill]

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> SkillsCatalogue:
        return cls([Skill(**s) for s in doc.get("skills", [])])

    @classmethod
    def validate(cls, document: object) -> SkillsCatalogue:
        """Validate a parsed document (raises pydantic's ValidationError) and build it."""
        from mlroadmap import schema

        return cls.from_dict(schema.validated(schema.SkillsCatalogue, document))
