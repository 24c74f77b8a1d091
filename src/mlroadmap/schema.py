"""Pydantic models of the files people write: roadmaps and the skills catalogue.

They validate a file once (unknown keys refused, a typo is an error, not a
silently ignored field); the rest of the tool uses the plain objects of
``models`` made from the validated document, which are quick to build from
the cache.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from mlroadmap.text import url_problem
from mlroadmap.vocabulary import ID_RE, MAX_ID_LENGTH

Slug = Annotated[
    str,
    StringConstraints(pattern=ID_RE.pattern, min_length=1, max_length=MAX_ID_LENGTH),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _check_url(value: str) -> str:
    problem = url_problem(value)
    if problem is not None:
        raise ValueError(problem)
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
    weeks: list[Annotated[int, Field(ge=1, le=520)]] = Field(default_factory=list)
    aliases: list[Slug] = Field(default_factory=list)
    renamed_from: list[Slug] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    children: list[Node] = Field(default_factory=list)


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


class Skill(_Strict):
    id: Slug
    name: Text
    items: dict[Slug, list[Slug]] = Field(min_length=1)  # roadmap ID -> item IDs


class SkillsCatalogue(_Strict):
    skills: list[Skill]


def validated(model: type[Roadmap] | type[SkillsCatalogue], document: object) -> dict[str, Any]:
    """The document as ``model`` validates it (text stripped, defaults left out), as JSON data.

    Raises pydantic's ValidationError.
    """
    return model.model_validate(document).model_dump(mode="json", exclude_defaults=True)
