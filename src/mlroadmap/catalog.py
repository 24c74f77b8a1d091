"""Find roadmaps (bundled and the user's), load and validate them, resolve IDs.

A roadmap file is YAML read with safe-load semantics only. Problems are
reported as ``file:line: path.to.field: message``. Validated roadmaps are
cached as JSON keyed by the file's content, so a later run skips YAML.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mlroadmap import fsio, paths
from mlroadmap.errors import (
    AmbiguousIdError,
    RoadmapFileError,
    UnknownIdError,
    UserError,
)
from mlroadmap.models import (
    MAX_ID_LENGTH,
    Problem,
    Roadmap,
    RoadmapIndex,
    SkillsCatalogue,
    id_problems,
)

if TYPE_CHECKING:
    import yaml

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000
MAX_QUERY_LENGTH = 200
ROADMAP_SUFFIXES = (".yaml", ".yml")
CACHE_FORMAT = "2"


# ---------------------------------------------------------------------------
# Reading YAML safely


class _YamlProblem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _loader_class() -> type[yaml.SafeLoader]:
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc]
        """Safe loader that refuses duplicate keys."""

        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                try:
                    first = seen.get(key)
                except TypeError:
                    raise _YamlProblem(line, "a mapping key must be a plain value") from None
                if first is not None:
                    raise _YamlProblem(line, f"duplicate key {key!r} (first on line {first})")
                seen[key] = line
            result: dict[Any, Any] = super().construct_mapping(node, deep=deep)
            return result

    return Loader


def _expanded_size(document: object) -> int:
    """Nodes in the document once aliases are expanded (computed without expanding)."""
    memo: dict[int, int] = {}

    def size(obj: object, depth: int) -> int:
        if depth > 200:
            raise _YamlProblem(1, "the document is nested too deeply")
        if isinstance(obj, dict):
            key = id(obj)
            if key not in memo:
                memo[key] = 1 + sum(size(v, depth + 1) for v in obj.values())
            return memo[key]
        if isinstance(obj, list):
            key = id(obj)
            if key not in memo:
                memo[key] = 1 + sum(size(v, depth + 1) for v in obj)
            return memo[key]
        return 1

    return size(document, 0)


def read_text(path: Path) -> tuple[str, bytes]:
    """The file's text, refusing huge files and invalid UTF-8; also its raw bytes."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RoadmapFileError(
                [f"{path}:1: the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}"]
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, not a roadmap file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8"), raw
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RoadmapFileError([f"{path}:{line}: the file is not valid UTF-8 text"]) from None


def parse_yaml(text: str, source: Path | str) -> object:
    """Parse one YAML document with safe-load semantics, or raise RoadmapFileError."""
    import yaml

    try:
        document = yaml.load(text, Loader=_loader_class())
        if _expanded_size(document) > MAX_EXPANDED_NODES:
            raise _YamlProblem(1, "the document expands to too many nodes (aliases?)")
    except _YamlProblem as exc:
        raise RoadmapFileError([f"{source}:{exc.line}: {exc.message}"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise RoadmapFileError([f"{source}:{line}: invalid YAML: {what}"]) from None
    except yaml.YAMLError as exc:
        raise RoadmapFileError([f"{source}:1: invalid YAML: {exc}"]) from None
    except RecursionError:
        raise RoadmapFileError([f"{source}:1: the document is nested too deeply"]) from None
    return document


def _line_of(text: str, path: tuple[str | int, ...]) -> int:
    """The line of the deepest YAML node along ``path`` (1-based)."""
    import yaml

    try:
        node: Any = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return 1
    line = 1
    for part in path:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            found = None
            for key_node, value_node in node.value:
                if getattr(key_node, "value", None) == part:
                    found = value_node
                    line = key_node.start_mark.line + 1
                    break
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if part < len(node.value) else None
        else:
            break
    else:
        if node is not None:
            line = node.start_mark.line + 1
    return line


def _dotted(path: Iterable[str | int]) -> str:
    return ".".join(str(p) for p in path)


K = TypeVar("K", Roadmap, SkillsCatalogue)


def _validated(document: object, kind: type[K]) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The validated document of a ``kind`` file, as plain JSON data, or every problem found."""
    from pydantic import ValidationError

    from mlroadmap import schema

    if not isinstance(document, dict):
        what = "a roadmap" if kind is Roadmap else "the file"
        found = "empty" if document is None else type(document).__name__
        return None, [Problem(path=(), message=f"{what} must be a mapping of keys, not {found}")]
    model = schema.Roadmap if kind is Roadmap else schema.SkillsCatalogue
    try:
        return schema.validated(model, document), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                message = f"unknown key {loc[-1]!r}"
            problems.append(Problem(path=loc, message=message))
        return None, problems


def validate_document(document: object, kind: type[K]) -> tuple[K | None, list[Problem]]:
    """Validate a parsed document as a ``kind`` file: the value, or every problem found."""
    doc, problems = _validated(document, kind)
    if doc is None:
        return None, problems
    value = kind.from_dict(doc)
    problems = id_problems(value) if isinstance(value, Roadmap) else []
    return (None if problems else value), problems


def problems_in(document: object) -> tuple[Roadmap | None, list[Problem]]:
    """Validate a parsed roadmap document: the roadmap, or every problem found."""
    return validate_document(document, Roadmap)


def format_problems(text: str, source: Path | str, problems: list[Problem]) -> list[str]:
    lines = []
    for problem in problems:
        where = f"{source}:{_line_of(text, problem.path) if problem.path else 1}"
        field = f" {_dotted(problem.path)}:" if problem.path else ""
        lines.append(f"{where}:{field} {problem.message}")
    return lines


def check_text(text: str, source: Path | str, kind: type[K] = Roadmap) -> K:  # type: ignore[assignment]
    """Parse and validate YAML text, or raise RoadmapFileError listing every problem."""
    return _checked(text, source, kind)[0]


def _checked(text: str, source: Path | str, kind: type[K]) -> tuple[K, dict[str, Any]]:
    """The value and its validated document, or RoadmapFileError listing every problem."""
    document = parse_yaml(text, source)
    doc, problems = _validated(document, kind)
    value = kind.from_dict(doc) if doc is not None else None
    if isinstance(value, Roadmap):
        problems = id_problems(value)
    if value is None or problems:
        raise RoadmapFileError(format_problems(text, source, problems))
    return value, doc  # type: ignore[return-value]


# ---------------------------------------------------------------------------
# Loading with a cache


def _cache_path(raw: bytes, kind: str) -> Path:
    digest = hashlib.sha256(raw).hexdigest()[:40]
    return paths.cache_dir() / "roadmaps" / f"{digest}-{kind}-{CACHE_FORMAT}.json"


def load_model(path: Path, kind: type[K], *, use_cache: bool = True) -> K:
    """Load and validate one YAML file; the validated document is cached by file content.

    A cached document is built into plain objects without validating it again.
    """
    import json

    text, raw = read_text(path)
    cache = _cache_path(raw, kind.__name__.lower()) if use_cache else None
    if cache is not None:
        try:
            return kind.from_dict(json.loads(cache.read_bytes()))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
    value, doc = _checked(text, path, kind)
    if cache is not None:
        fsio.write_cache(cache, json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
    return value


def load_file(path: Path, *, use_cache: bool = True) -> Roadmap:
    """Load one roadmap file (cached by content)."""
    return load_model(path, Roadmap, use_cache=use_cache)


# ---------------------------------------------------------------------------
# The catalogue of roadmaps


@dataclass(frozen=True, slots=True)
class RoadmapFile:
    id: str
    path: Path
    bundled: bool


class Catalog:
    """Every roadmap the tool knows: bundled ones, then the user's own."""

    def __init__(self, *, bundled_dir: Path | None = None, user_dir: Path | None = None) -> None:
        self.bundled_dir = bundled_dir if bundled_dir is not None else paths.bundled_roadmaps_dir()
        self.user_dir = user_dir if user_dir is not None else paths.user_roadmaps_dir()
        self._files: dict[str, RoadmapFile] | None = None
        self._loaded: dict[str, Roadmap] = {}

    @property
    def files(self) -> dict[str, RoadmapFile]:
        if self._files is None:
            self._files = self._discover()
        return self._files

    def _discover(self) -> dict[str, RoadmapFile]:
        found: dict[str, RoadmapFile] = {}
        for directory, bundled in ((self.bundled_dir, True), (self.user_dir, False)):
            try:
                names = sorted(os.listdir(directory))
            except OSError:
                continue
            for name in names:
                stem, dot, suffix = name.rpartition(".")
                if not dot or f".{suffix}" not in ROADMAP_SUFFIXES or name.startswith("."):
                    continue
                if stem == "skills":
                    continue
                path = directory / name
                if stem in found:
                    raise UserError(
                        f"two roadmaps have the ID {stem!r}: {found[stem].path} and {path}",
                        hint="rename or remove one of the files",
                    )
                found[stem] = RoadmapFile(stem, path, bundled)
        return found

    def ids(self) -> list[str]:
        return list(self.files)

    def get(self, roadmap_id: str) -> Roadmap:
        if roadmap_id not in self._loaded:
            file = self.files.get(roadmap_id)
            if file is None:
                raise UnknownIdError(
                    f"no roadmap {roadmap_id!r}", hint=self._roadmap_hint(roadmap_id)
                )
            roadmap = load_file(file.path)
            if roadmap.id != file.id:
                raise RoadmapFileError(
                    [
                        f"{file.path}:1: id: the ID {roadmap.id!r} must match "
                        f"the file name {file.id!r}"
                    ]
                )
            self._loaded[roadmap_id] = roadmap
        return self._loaded[roadmap_id]

    def add_user_roadmap(self, roadmap_id: str, text: str) -> Path:
        """Write a user roadmap file (already validated) and forget what was discovered."""
        from mlroadmap.errors import StoreError

        target = self.user_dir / f"{roadmap_id}.yaml"
        try:
            fsio.make_dir(self.user_dir)
            fsio.atomic_write(target, text.encode("utf-8"))
        except fsio.WriteError as exc:
            raise StoreError(f"{target}: could not {exc.step}: {exc.strerror}") from None
        except OSError as exc:
            raise StoreError(f"{self.user_dir}: cannot create: {exc.strerror or exc}") from None
        self._files = None
        self._loaded.pop(roadmap_id, None)
        return target

    def remove_user_roadmap(self, roadmap_id: str) -> None:
        """Delete a user roadmap's file (the store keeps what was recorded on it)."""
        from mlroadmap.errors import StoreError

        path = self.files[roadmap_id].path
        try:
            fsio.remove(path)
        except OSError as exc:
            raise StoreError(f"{path}: cannot remove: {exc.strerror or exc}") from None
        self._files = None
        self._loaded.pop(roadmap_id, None)

    def find(self, roadmap_id: str) -> Roadmap | None:
        """The installed roadmap with this exact ID, or None (an event's roadmap may be gone)."""
        return self.get(roadmap_id) if roadmap_id in self.files else None

    def all(self) -> list[Roadmap]:
        return [self.get(rid) for rid in self.files]

    def resolve_roadmap(self, query: str) -> str:
        """A roadmap ID from an exact ID or a unique prefix."""
        return resolve_name(query, {rid: rid for rid in self.files}, what="roadmap")

    def _roadmap_hint(self, query: str) -> str:
        return _suggest(query, list(self.files), "run 'mlroadmap list' to see the roadmaps")


# ---------------------------------------------------------------------------
# Resolving IDs


def normalise_query(query: str, what: str) -> str:
    q = query.strip().lower()
    if not q:
        raise UserError(f"an empty {what} ID was given")
    if len(q) > MAX_QUERY_LENGTH or len(q) > MAX_ID_LENGTH * 3:
        raise UserError(f"that {what} ID is {len(q):,} characters long; IDs are short slugs")
    return q


def _suggest(query: str, names: list[str], fallback: str) -> str:
    import difflib

    query = query.strip().lower()
    scored = sorted(
        ((difflib.SequenceMatcher(None, query, name).ratio(), name) for name in names),
        key=lambda pair: (-pair[0], pair[1]),
    )
    close = [name for score, name in scored[:3] if score >= 0.6 and score >= scored[0][0] - 0.05]
    if close:
        return "did you mean " + " or ".join(close) + "?"
    return fallback


def resolve_name(
    query: str,
    names: dict[str, str],
    *,
    what: str,
    order: dict[str, int] | None = None,
    scope: str = "",
) -> str:
    """Resolve ``query`` against ``names`` (name -> target): exact, then unique prefix."""
    q = normalise_query(query, what)
    if q in names:
        return names[q]
    targets = {target for name, target in names.items() if name.startswith(q)}
    if len(targets) == 1:
        return targets.pop()
    where = f" in {scope}" if scope else ""
    if targets:
        ranked = (
            sorted(targets, key=lambda t: (order or {}).get(t, 0)) if order else sorted(targets)
        )
        shown = ", ".join(ranked[:8]) + (f" and {len(ranked) - 8} more" if len(ranked) > 8 else "")
        raise AmbiguousIdError(
            f"{query.strip()!r} matches {len(ranked)} {what}s{where}: {shown}",
            ranked,
            hint="type more of the ID",
        )
    listing = "run 'mlroadmap show' to see the IDs" if what == "item" else "run 'mlroadmap list'"
    raise UnknownIdError(
        f"no {what} {query.strip()!r}{where}", hint=_suggest(q, list(names), listing)
    )


def resolve(roadmap: Roadmap, query: str) -> str:
    """The ID of the node ``query`` names in ``roadmap`` (ID, alias, old ID or unique prefix)."""
    index: RoadmapIndex = roadmap.index
    order = {nid: i for i, nid in enumerate(index.entries)}
    return resolve_name(query, index.names, what="item", order=order, scope=f"roadmap {roadmap.id}")
