"""Find roadmaps (bundled and the user's), load and validate them, resolve IDs.

A roadmap file is YAML read with safe-load semantics only, and the work is
bounded: only regular files up to MAX_FILE_BYTES are read, nesting beyond
MAX_DEPTH is refused as the parser reaches it, and alias and merge-key
expansion is measured before anything is built. Problems are reported as
``file:line: path.to.field: message``. Validated roadmaps are cached as JSON
keyed by the file's content, so a later run skips YAML and these checks.
A user roadmap that cannot be loaded is skipped by ``Catalog.all`` and kept
in ``Catalog.problems``; the command line reports it (``take_warnings``).
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

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
MAX_DEPTH = 100  # nested collections, aliases expanded
MAX_NODES = 400_000  # nodes as written (10,000 items with a link each: about 170,000)
MAX_ALIAS_NODES = 10_000  # nodes that aliases and merge keys may add
MAX_QUERY_LENGTH = 200
ROADMAP_SUFFIXES = (".yaml", ".yml")
CACHE_FORMAT = "3"


# ---------------------------------------------------------------------------
# Reading a file, without reading past the size cap

_FILE_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a pipe"),
    (stat.S_ISSOCK, "a socket"),
)


def read_text(path: Path) -> tuple[str, bytes]:
    """The file's text, refusing huge files and invalid UTF-8; also its raw bytes.

    Only regular files are read, and never more than MAX_FILE_BYTES + 1 bytes
    (a file may grow between the size check and the read).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, not a roadmap file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UserError(f"{path}: is a directory, not a roadmap file")
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _FILE_KINDS if test(info.st_mode)), "special")
            raise RoadmapFileError([f"{path}:1: the file is {kind}, not a regular file"])
        if info.st_size > MAX_FILE_BYTES:
            raise RoadmapFileError(
                [f"{path}:1: the file is {info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,}"]
            )
        chunks: list[bytes] = []
        left = MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        raw = b"".join(chunks)
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_FILE_BYTES:
        raise RoadmapFileError(
            [f"{path}:1: the file grew past the limit of {MAX_FILE_BYTES:,} bytes"]
        )
    try:
        return raw.decode("utf-8"), raw
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RoadmapFileError([f"{path}:{line}: the file is not valid UTF-8 text"]) from None


# ---------------------------------------------------------------------------
# Reading YAML safely, with bounded work
#
# A stranger's file must not cost more than its size: YAML is composed here,
# one event at a time, with a cap on nesting (the C composer recurses and
# would overflow the stack), then the node graph is measured with aliases
# and merge keys expanded (memoised, so a bomb is measured, never built),
# and only then constructed.


class _YamlProblem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@functools.cache
def _non_printable() -> re.Pattern[str]:
    """Characters YAML does not allow in a stream (the reader's own rule); compiled on
    first use, as it costs milliseconds that a command reading cached roadmaps never needs."""
    return re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _loader_class() -> type[yaml.SafeLoader]:
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc]
        """Safe loader that refuses duplicate keys and reports values it cannot make."""

        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep=deep)
            except (_YamlProblem, yaml.YAMLError):
                raise
            except Exception as exc:  # a tagged or implicit scalar its constructor refuses
                what = str(node.tag).rpartition(":")[2] or str(node.tag)
                value = str(node.value) if isinstance(node, yaml.ScalarNode) else ""
                shown = value if len(value) <= 40 else f"{value[:37]}..."
                if "digits" in str(exc):
                    detail = "the number has too many digits"
                elif isinstance(exc, ValueError) and str(exc):
                    detail = str(exc)
                else:
                    detail = f"not a valid {what}"
                raise _YamlProblem(
                    _line(node), f"cannot read {shown!r} as {what}: {detail}"
                ) from None

        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                line = _line(key_node)
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


def _attach(top: list[Any], node: Any) -> None:
    """Put a new node in its open collection (``top``), or make it the root."""
    parent = top[0]
    if parent is None:
        top[1] = node
    elif parent.id == "sequence":
        parent.value.append(node)
    elif top[1] is None:
        top[1] = node
    else:
        parent.value.append((top[1], node))
        top[1] = None


def _too_many(event: Any) -> None:
    line = event.start_mark.line + 1
    raise _YamlProblem(line, f"the document has more than {MAX_NODES:,} nodes")


def _anchor(anchors: dict[str, Any], event: Any, node: Any) -> None:
    if event.anchor in anchors:
        first = _line(anchors[event.anchor])
        raise _YamlProblem(
            event.start_mark.line + 1,
            f"found duplicate anchor {event.anchor!r} (first on line {first})",
        )
    anchors[event.anchor] = node


def _compose(loader: Any) -> tuple[yaml.Node | None, int]:
    """The document's node graph and how many nodes it has, composed without recursion.

    Refuses nesting deeper than MAX_DEPTH as soon as the parser reaches it,
    a second document, and an unknown or redefined anchor.
    """
    from yaml.events import (
        AliasEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
    )
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    get = loader.get_event
    resolve = loader.resolve
    implicit: dict[str, list[tuple[str, re.Pattern[str]]]] = loader.yaml_implicit_resolvers
    if loader.yaml_path_resolvers or None in implicit:  # pragma: no cover - not in SafeLoader
        raise TypeError("path and wildcard resolvers are not supported")
    anchors: dict[str, Any] = {}
    # The open collections: [node, the key waiting for its value (mappings only)].
    stack: list[list[Any]] = []
    top: list[Any] = [None, None]  # stack[-1], or a holder for the root
    root_holder = top
    count = aliases = 0
    get()  # the stream starts
    event: Any = get()
    if isinstance(event, StreamEndEvent):
        return None, 0
    while True:
        event = get()
        cls = type(event)
        if cls is ScalarEvent:
            tag = event.tag
            if tag is None or tag == "!":  # as Resolver.resolve does (no path resolvers)
                tag = "tag:yaml.org,2002:str"
                value = event.value
                if event.implicit[0]:
                    for implicit_tag, pattern in implicit.get(value[:1], ()):
                        if pattern.match(value):
                            tag = implicit_tag
                            break
            node: Any = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
            count += 1
            if count > MAX_NODES:
                _too_many(event)
            if event.anchor is not None:
                _anchor(anchors, event, node)
        elif cls is SequenceEndEvent or cls is MappingEndEvent:
            stack.pop()[0].end_mark = event.end_mark  # attached when it started
            top = stack[-1] if stack else root_holder
            continue
        elif cls is SequenceStartEvent or cls is MappingStartEvent:
            if len(stack) >= MAX_DEPTH:
                line = event.start_mark.line + 1
                raise _YamlProblem(line, f"the document is nested more than {MAX_DEPTH} deep")
            kind = SequenceNode if cls is SequenceStartEvent else MappingNode
            tag = event.tag
            if tag is None or tag == "!":
                tag = resolve(kind, None, event.implicit)
            node = kind(tag, [], event.start_mark, None, event.flow_style)
            count += 1
            if count > MAX_NODES:
                _too_many(event)
            if event.anchor is not None:
                _anchor(anchors, event, node)
            _attach(top, node)
            top = [node, None]
            stack.append(top)
            continue
        elif cls is AliasEvent:
            if event.anchor not in anchors:
                line = event.start_mark.line + 1
                raise _YamlProblem(line, f"found undefined alias {event.anchor!r}")
            node = anchors[event.anchor]
            aliases += 1  # each adds at least one node: refuse before composing the rest
            if aliases > MAX_ALIAS_NODES:
                line = event.start_mark.line + 1
                raise _YamlProblem(line, "the document expands to too many nodes (aliases?)")
        else:
            break
        parent = top[0]  # inline _attach: most nodes are scalars
        if type(parent) is SequenceNode:
            parent.value.append(node)
        elif top[1] is None:
            top[1] = node
        else:
            parent.value.append((top[1], node))
            top[1] = None
    root = root_holder[1]
    event = get()
    if isinstance(event, DocumentStartEvent):
        line = event.start_mark.line + 1 if event.start_mark is not None else 1
        raise _YamlProblem(line, "expected one document, but found another one")
    return root, count


def _measure(root: yaml.Node, composed: int) -> None:
    """Refuse a node graph too large or too deep once aliases and merge keys are expanded.

    Sizes are memoised per node, so a graph that would expand to billions of
    nodes is measured in time linear in its composed size.
    """
    from yaml.nodes import ScalarNode, SequenceNode

    limit = composed + MAX_ALIAS_NODES
    memo: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()

    def visit(node: Any, depth: int) -> tuple[int, int]:
        if type(node) is ScalarNode:
            return 1, 0
        key = id(node)
        known = memo.get(key)
        if known is None:
            if key in open_nodes:
                raise _YamlProblem(_line(node), "an alias refers to a collection that holds it")
            if depth >= MAX_DEPTH:
                raise _YamlProblem(
                    _line(node), f"the document is nested more than {MAX_DEPTH} deep (aliases?)"
                )
            open_nodes.add(key)
            size, height = 1, 0
            if type(node) is SequenceNode:
                children = node.value
            else:
                children = [part for pair in node.value for part in pair]
            for child in children:
                child_size, child_height = visit(child, depth + 1)
                size += child_size
                height = max(height, child_height + 1)
                if size > limit:  # where the collection starts (at the top: the entry)
                    where = child if depth == 0 and type(child) is not ScalarNode else node
                    raise _YamlProblem(
                        _line(where), "the document expands to too many nodes (aliases?)"
                    )
            open_nodes.discard(key)
            memo[key] = known = (size, height)
        if depth + known[1] > MAX_DEPTH:
            raise _YamlProblem(
                _line(node), f"the document is nested more than {MAX_DEPTH} deep (aliases?)"
            )
        return known

    visit(root, 0)


def _compose_checked(text: str, loader: Any) -> yaml.Node | None:
    """The checked node graph of ``text`` (see ``_compose`` and ``_measure``)."""
    bad = _non_printable().search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise _YamlProblem(
            line, f"the file contains the control character U+{ord(bad.group()):04X}"
        )
    root, composed = _compose(loader)
    if root is not None:
        _measure(root, composed)
    return root


def parse_yaml(text: str, source: Path | str) -> object:
    """Parse one YAML document with safe-load semantics, or raise RoadmapFileError.

    The work is bounded: nesting, alias and merge-key expansion are checked
    before any value is built.
    """
    import yaml

    loader = _loader_class()(text)
    try:
        root = _compose_checked(text, loader)
        return None if root is None else loader.construct_document(root)
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
    finally:
        loader.dispose()


def _compose_for_lines(text: str) -> Any:
    """The node graph of text that parsed before (for the lines of problems), or None."""
    import yaml

    loader = _loader_class()(text)
    try:
        return _compose_checked(text, loader)
    except (_YamlProblem, yaml.YAMLError):
        return None
    finally:
        loader.dispose()


def _line_of(root: Any, path: tuple[str | int, ...]) -> int:
    """The line of the deepest YAML node along ``path`` (1-based)."""
    from yaml.nodes import MappingNode, SequenceNode

    node = root
    line = 1
    for part in path:
        if node is None:
            break
        line = _line(node)
        if isinstance(node, MappingNode):
            found = None
            for key_node, value_node in node.value:
                if getattr(key_node, "value", None) == part:
                    found = value_node
                    line = _line(key_node)
                    break
            node = found
        elif isinstance(node, SequenceNode) and isinstance(part, int):
            node = node.value[part] if part < len(node.value) else None
        else:
            break
    else:
        if node is not None:
            line = _line(node)
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


def format_problems(text: str, source: Path | str, problems: list[Problem]) -> list[str]:
    root = _compose_for_lines(text) if any(p.path for p in problems) else None
    lines = []
    for problem in problems:
        where = f"{source}:{_line_of(root, problem.path) if problem.path else 1}"
        field = f" {_dotted(problem.path)}:" if problem.path else ""
        lines.append(f"{where}:{field} {problem.message}")
    return lines


def check_text(text: str, source: Path | str, kind: type[K] = Roadmap) -> K:  # type: ignore[assignment]
    """Parse and validate YAML text, or raise RoadmapFileError listing every problem."""
    return _checked(text, source, kind)[0]


def _checked(text: str, source: Path | str, kind: type[K]) -> tuple[K, dict[str, Any]]:
    """The value and its validated document, or RoadmapFileError listing every problem."""
    value, doc, problems = checked_document(parse_yaml(text, source), kind)
    if value is None or doc is None:
        raise RoadmapFileError(format_problems(text, source, problems))
    return value, doc


def checked_document(
    document: object, kind: type[K]
) -> tuple[K | None, dict[str, Any] | None, list[Problem]]:
    """A parsed document validated as a ``kind`` file (IDs too, for a roadmap): the value
    and its validated document, or None and every problem found."""
    doc, problems = _validated(document, kind)
    value = kind.from_dict(doc) if doc is not None else None
    if isinstance(value, Roadmap):
        problems = id_problems(value)
    if value is None or problems:
        return None, None, problems
    return value, doc, []


# ---------------------------------------------------------------------------
# Loading with a cache


def _cache_path(raw: bytes, kind: str) -> Path:
    digest = paths.digest(raw)[:40]
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
        refused = _refused_before(cache, path)
        if refused is not None:
            raise RoadmapFileError(refused)
    try:
        value, doc = _checked(text, path, kind)
    except RoadmapFileError as exc:
        if cache is not None:
            _remember_refusal(cache, path, exc.problems)
        raise
    if cache is not None:
        remember_valid(text, doc, kind)
    return value


def remember_valid(text: str, document: dict[str, Any], kind: type[K]) -> None:
    """Cache the validated document of a file that holds ``text`` as ``load_model`` does
    (for a file written from a document validated in memory)."""
    import json

    cache = _cache_path(text.encode("utf-8"), kind.__name__.lower())
    fsio.write_cache(cache, json.dumps(document, ensure_ascii=False, separators=(",", ":")))


# A file that was refused is refused again for the same content without being
# parsed: its problems are kept beside the cache, without the file's name.


def _refusal_path(cache: Path) -> Path:
    return cache.with_name(cache.stem + "-refused.json")


def _remember_refusal(cache: Path, path: Path, problems: list[str]) -> None:
    import json

    prefix = f"{path}:"
    if all(p.startswith(prefix) for p in problems):
        rest = [p[len(prefix) :] for p in problems]
        fsio.write_cache(_refusal_path(cache), json.dumps(rest, ensure_ascii=False))


def _refused_before(cache: Path, path: Path) -> list[str] | None:
    import json

    try:
        rest = json.loads(_refusal_path(cache).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(rest, list) or not rest or not all(isinstance(p, str) for p in rest):
        return None
    return [f"{path}:{p}" for p in rest]


def load_file(path: Path, *, use_cache: bool = True) -> Roadmap:
    """Load one roadmap file (cached by content)."""
    return load_model(path, Roadmap, use_cache=use_cache)


def load_roadmap(path: Path, *, use_cache: bool = True) -> Roadmap:
    """Load one installed roadmap file: valid, and its ID the file's name."""
    roadmap = load_file(path, use_cache=use_cache)
    expected = path.name.rpartition(".")[0] or path.name
    if roadmap.id != expected:
        text, _ = read_text(path)
        line = _line_of(_compose_for_lines(text), ("id",))
        raise RoadmapFileError(
            [f"{path}:{line}: id: the ID {roadmap.id!r} must match the file name {expected!r}"]
        )
    return roadmap


# ---------------------------------------------------------------------------
# The catalogue of roadmaps


class RoadmapFile(NamedTuple):
    id: str
    path: Path
    bundled: bool


# Problems of skipped roadmaps not yet shown (file -> one line), for the command line.
_unreported: dict[str, str] = {}


def take_warnings() -> list[str]:
    """One line per roadmap skipped since the last call: the file and its first problem."""
    lines = list(_unreported.values())
    _unreported.clear()
    return lines


def _one_line(problems: list[str]) -> str:
    more = len(problems) - 1
    return problems[0] + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")


class Catalog:
    """Every roadmap the tool knows: bundled ones, then the user's own.

    A user roadmap that cannot be loaded never takes the others down: the
    commands that read every roadmap skip it, and its problems are kept in
    ``problems`` (file -> every ``file:line: message``) and reported once by
    the command line (``take_warnings``). Naming it still fails with them.
    """

    def __init__(self, *, bundled_dir: Path | None = None, user_dir: Path | None = None) -> None:
        self.bundled_dir = bundled_dir if bundled_dir is not None else paths.bundled_roadmaps_dir()
        self.user_dir = user_dir if user_dir is not None else paths.user_roadmaps_dir()
        self._files: dict[str, RoadmapFile] | None = None
        self._loaded: dict[str, Roadmap] = {}
        self._clashes: dict[Path, list[str]] = {}
        self.problems: dict[Path, list[str]] = {}

    @property
    def files(self) -> dict[str, RoadmapFile]:
        if self._files is None:
            self._files = self._discover()
        return self._files

    def _discover(self) -> dict[str, RoadmapFile]:
        """Every roadmap file by ID; a second file with a taken ID is left out (a clash)."""
        found: dict[str, RoadmapFile] = {}
        self._clashes = {}
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
                    self._clashes[path] = [
                        f"{path}:1: the ID {stem!r} is taken by {found[stem].path}; "
                        "rename or remove one of the files"
                    ]
                    continue
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
            if file.path in self.problems:
                raise RoadmapFileError(self.problems[file.path])
            self._loaded[roadmap_id] = load_roadmap(file.path)
        return self._loaded[roadmap_id]

    def _usable(self, file: RoadmapFile, *, report: bool = True) -> Roadmap | None:
        """The roadmap of ``file``, or None when it is a user file that cannot be loaded."""
        if file.path in self.problems:
            return None
        try:
            return self.get(file.id)
        except RoadmapFileError as exc:
            if file.bundled:
                raise
            self._skip(file.path, exc.problems, report=report)
            return None

    def _skip(self, path: Path, problems: list[str], *, report: bool) -> None:
        self.problems[path] = problems
        if report:
            _unreported.setdefault(str(path), _one_line(problems))

    def _skip_clashes(self, *, report: bool) -> None:
        _ = self.files
        for path, problems in self._clashes.items():
            if path not in self.problems:
                self._skip(path, problems, report=report)

    def add_user_roadmap(
        self,
        roadmap_id: str,
        text: str,
        validated: tuple[Roadmap, dict[str, Any]] | None = None,
    ) -> Path:
        """Write a user roadmap file (already validated) and forget what was discovered.

        ``validated``: the roadmap the text holds and its validated document (as
        ``checked_document`` gives them), kept as loading the file would keep them, so
        the next command does not parse the new file.
        """
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
        self.problems.pop(target, None)
        if validated is not None:
            roadmap, document = validated
            remember_valid(text, document, Roadmap)
            self._loaded[roadmap_id] = roadmap
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
        """The installed roadmap with this exact ID, or None (an event's roadmap may be
        gone, or its file skipped)."""
        file = self.files.get(roadmap_id)
        return self._usable(file) if file is not None else None

    def all(self) -> list[Roadmap]:
        """Every roadmap that loads; the others are skipped (see ``problems``)."""
        self._skip_clashes(report=True)
        loaded = (self._usable(file) for file in self.files.values())
        return [roadmap for roadmap in loaded if roadmap is not None]

    def check(self) -> dict[Path, list[str]]:
        """Load every roadmap; the problems of each file that cannot be used (nothing reported)."""
        self._skip_clashes(report=False)
        for file in self.files.values():
            self._usable(file, report=False)
        return dict(self.problems)

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
    order: Callable[[], dict[str, int]] | None = None,
    scope: str = "",
) -> str:
    """Resolve ``query`` against ``names`` (name -> target): exact, then unique prefix.

    ``order`` gives each target's place for listing the matches of an ambiguous
    prefix; it is called only then, so resolving many exact names stays linear.
    """
    q = normalise_query(query, what)
    if q in names:
        return names[q]
    targets = {target for name, target in names.items() if name.startswith(q)}
    if len(targets) == 1:
        return targets.pop()
    where = f" in {scope}" if scope else ""
    if targets:
        if order is not None:
            places = order()
            ranked = sorted(targets, key=lambda t: places.get(t, 0))
        else:
            ranked = sorted(targets)
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
    return resolve_name(
        query,
        index.names,
        what="item",
        order=lambda: entry_order(index),
        scope=f"roadmap {roadmap.id}",
    )


def entry_order(index: RoadmapIndex) -> dict[str, int]:
    """Each node's place in the roadmap (document order), for listing ambiguous matches."""
    return {nid: i for i, nid in enumerate(index.entries)}
