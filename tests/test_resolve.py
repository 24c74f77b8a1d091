"""Resolving what the user typed to a node ID: exact, alias, old ID, unique prefix."""

from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlroadmap import paths
from mlroadmap.catalog import Catalog, load_file, resolve, resolve_name
from mlroadmap.errors import (
    AmbiguousIdError,
    MlroadmapError,
    UnknownIdError,
    UserError,
)
from mlroadmap.models import Roadmap

BUNDLED = ("advanced-mle", "ml-12-weeks", "mle-6-months", "pro-mle", "stats-to-mle")

# The autouse fixture only sets environment variables, the same for every example.
PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@functools.cache
def bundled(roadmap_id: str) -> Roadmap:
    """A bundled roadmap read straight from its file (no cache, so no home directory)."""
    return load_file(paths.bundled_roadmaps_dir() / f"{roadmap_id}.yaml", use_cache=False)


RENAMED = Roadmap.validate(
    {
        "id": "demo",
        "title": "Demo",
        "summary": "S",
        "source": {"title": "S"},
        "children": [
            {
                "id": "basics",
                "title": "Basics",
                "aliases": ["intro"],
                "children": [
                    {"id": "tensors", "title": "Tensors", "renamed_from": ["arrays"]},
                    {"id": "tensor-ops", "title": "Tensor ops"},
                ],
            },
            {"id": "zebra", "title": "Zebra"},
        ],
    }
)


def expected(roadmap: Roadmap, query: str) -> str | None:
    """What resolution should give, by brute force: exact name, else a unique target."""
    names = roadmap.index.names
    q = query.strip().lower()
    if q in names:
        return names[q]
    targets = {target for name, target in names.items() if name.startswith(q)}
    return targets.pop() if len(targets) == 1 else None


# ---------------------------------------------------------------------------
# Examples


def test_exact_id() -> None:
    assert resolve(bundled("ml-12-weeks"), "week-5") == "week-5"
    assert resolve(bundled("ml-12-weeks"), "week-1") == "week-1"  # exact beats longer names


def test_exact_id_ignores_case_and_surrounding_space() -> None:
    assert resolve(bundled("ml-12-weeks"), "  Week-5 ") == "week-5"


def test_alias_resolves_to_its_node() -> None:
    r = bundled("mle-6-months")
    assert resolve(r, "week-5") == "week-5-6"
    assert resolve(r, "week-6") == "week-5-6"
    assert resolve(r, "week-5-6") == "week-5-6"


def test_old_id_resolves_to_the_renamed_node() -> None:
    assert resolve(RENAMED, "arrays") == "tensors"
    assert resolve(RENAMED, "intro") == "basics"


def test_unique_prefix() -> None:
    r = bundled("ml-12-weeks")
    assert resolve(r, "regression-al") == "regression-algorithms"
    assert resolve(RENAMED, "z") == "zebra"
    assert resolve(RENAMED, "arr") == "tensors"  # a prefix of an old ID
    assert resolve(RENAMED, "in") == "basics"  # a prefix of an alias


def test_prefix_of_an_alias_and_its_id_together_is_still_unique() -> None:
    # "week-5" is an alias and "week-5-6" the ID: both name one node.
    assert resolve(bundled("mle-6-months"), "week-5-") == "week-5-6"


def test_ambiguous_prefix_raises_with_candidates() -> None:
    with pytest.raises(AmbiguousIdError) as info:
        resolve(bundled("ml-12-weeks"), "week")
    error = info.value
    assert error.candidates[:4] == ["week-1", "week-1-topics", "week-1-practice", "week-2"]
    assert len(error.candidates) == 36
    assert "'week' matches 36 items in roadmap ml-12-weeks" in error.message
    assert "week-1, week-1-topics" in error.message
    assert "and 28 more" in error.message
    assert error.hint == "type more of the ID"
    assert isinstance(error, UserError)


def test_ambiguous_prefix_small() -> None:
    with pytest.raises(AmbiguousIdError) as info:
        resolve(RENAMED, "tensor")
    assert info.value.candidates == ["tensors", "tensor-ops"]
    assert "tensors, tensor-ops" in info.value.message


def test_unknown_id_suggests_the_nearest() -> None:
    with pytest.raises(UnknownIdError) as info:
        resolve(bundled("ml-12-weeks"), "week-55")
    assert info.value.message == "no item 'week-55' in roadmap ml-12-weeks"
    assert info.value.hint is not None
    assert "did you mean" in info.value.hint
    assert "week-5" in info.value.hint


def test_unknown_id_with_nothing_near_points_to_show() -> None:
    with pytest.raises(UnknownIdError) as info:
        resolve(RENAMED, "qqqqqqqqqqqq")
    assert info.value.hint == "run 'mlroadmap show' to see the IDs"


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_empty_id_is_a_user_error(query: str) -> None:
    with pytest.raises(UserError, match="empty"):
        resolve(bundled("ml-12-weeks"), query)


def test_huge_id_is_a_user_error_not_a_search() -> None:
    with pytest.raises(UserError) as info:
        resolve(bundled("ml-12-weeks"), "a" * 10_000)
    assert not isinstance(info.value, (UnknownIdError, AmbiguousIdError))
    assert "10,000 characters" in info.value.message


def test_resolve_name_for_roadmaps() -> None:
    names = {rid: rid for rid in BUNDLED}
    assert resolve_name("stats", names, what="roadmap") == "stats-to-mle"
    assert resolve_name("mle-", names, what="roadmap") == "mle-6-months"
    with pytest.raises(AmbiguousIdError) as info:
        resolve_name("ml", names, what="roadmap")
    assert info.value.candidates == ["ml-12-weeks", "mle-6-months"]
    with pytest.raises(UnknownIdError) as unknown:
        resolve_name("nope", names, what="roadmap")
    assert unknown.value.message == "no roadmap 'nope'"


def test_catalog_resolve_roadmap() -> None:
    assert Catalog().resolve_roadmap("pro") == "pro-mle"
    with pytest.raises(UnknownIdError):
        Catalog().resolve_roadmap("ml-13-weeks")


# ---------------------------------------------------------------------------
# Properties

roadmap_ids = st.sampled_from(BUNDLED)


@st.composite
def queries(draw: st.DrawFn) -> tuple[Roadmap, str]:
    """Any text, or text built from real names (prefixes, case, space, typos)."""
    r = draw(st.sampled_from([*(bundled(i) for i in BUNDLED), RENAMED]))
    name = draw(st.sampled_from(sorted(r.index.names)))
    query = draw(
        st.one_of(
            st.text(max_size=30),
            st.text(alphabet="abcdekmnorstw-0123456789 ", max_size=20),
            st.integers(0, len(name)).map(lambda k: name[:k]),
            st.tuples(st.integers(0, len(name)), st.text(max_size=3)).map(
                lambda p: name[: p[0]] + p[1]
            ),
            st.just(name.upper()),
            st.just(f"  {name}\t"),
        )
    )
    return r, query


@PROPERTY
@given(queries())
def test_resolve_returns_a_real_id_or_raises_a_tool_error(case: tuple[Roadmap, str]) -> None:
    r, query = case
    error: MlroadmapError | None = None
    try:
        got = resolve(r, query)
    except MlroadmapError as exc:
        error = exc
    if error is not None:
        assert error.message
        assert int(error.exit_code) == 2
        want = expected(r, query) if query.strip() else None
        assert want is None, f"{query!r} should have resolved to {want}"
    else:
        assert got in r.index.entries
        assert got == expected(r, query)


@pytest.mark.parametrize("roadmap_id", BUNDLED)
def test_every_id_and_alias_resolves_to_its_node(roadmap_id: str) -> None:
    r = bundled(roadmap_id)
    for name, target in r.index.names.items():
        assert resolve(r, name) == target
    for node_id in r.index.entries:
        assert resolve(r, node_id) == node_id


def unique_prefixes(r: Roadmap, node_id: str) -> list[str]:
    names = r.index.names
    found = []
    for k in range(1, len(node_id) + 1):
        prefix = node_id[:k]
        if {t for n, t in names.items() if n.startswith(prefix)} == {node_id}:
            found.append(prefix)
    return found


@PROPERTY
@given(st.data())
def test_every_unique_prefix_resolves_to_its_id(data: st.DataObject) -> None:
    r = bundled(data.draw(roadmap_ids))
    node_id = data.draw(st.sampled_from(sorted(r.index.entries)))
    prefixes = unique_prefixes(r, node_id)
    assert node_id in prefixes or r.index.names.get(node_id) == node_id
    for prefix in prefixes:
        assert resolve(r, prefix) == node_id


@pytest.mark.parametrize("roadmap_id", BUNDLED)
def test_every_unique_prefix_resolves_exhaustively(roadmap_id: str) -> None:
    r = bundled(roadmap_id)
    checked = 0
    for node_id in r.index.entries:
        for prefix in unique_prefixes(r, node_id):
            assert resolve(r, prefix) == node_id
            checked += 1
    assert checked >= len(r.index.leaves)


# ---------------------------------------------------------------------------
# Many names at once


def _wide_roadmap(items: int) -> dict[str, object]:
    return {
        "id": "wide",
        "title": "Wide",
        "summary": "Many items",
        "source": {"title": "Generated"},
        "children": [
            {
                "id": f"part-{p}",
                "title": f"Part {p}",
                "children": [
                    {"id": f"topic-{p}-{i}", "title": f"Topic {p} {i}"} for i in range(items // 4)
                ],
            }
            for p in range(4)
        ],
    }


def test_done_of_thousands_of_named_items_builds_the_entry_order_only_when_ambiguous(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Exact IDs never need the roadmap's order of entries: naming 2,000 items builds it
    no time at all, and an ambiguous prefix builds it once (resolution stays linear)."""
    import yaml

    from mlroadmap import catalog
    from mlroadmap.tracker import Tracker, mark

    built: list[int] = []
    original = catalog.entry_order

    def counting(index: object) -> dict[str, int]:
        order = original(index)  # type: ignore[arg-type]
        built.append(len(order))
        return order

    monkeypatch.setattr(catalog, "entry_order", counting)
    user_dir = paths.user_roadmaps_dir()
    user_dir.mkdir(parents=True)
    (user_dir / "wide.yaml").write_text(yaml.safe_dump(_wide_roadmap(2_400)), encoding="utf-8")
    names = [f"topic-{p}-{i}" for p in range(4) for i in range(500)]
    result = mark(Tracker(), queries=names, action="done", roadmap_query="wide")
    assert result.changed == names
    assert built == []
    with pytest.raises(AmbiguousIdError) as info:
        mark(Tracker(), queries=["topic-3-"], action="done", roadmap_query="wide")
    assert built == [2_404]  # every node: 4 parts and their 2,400 items
    # Listed in the roadmap's order, not sorted as text (topic-3-10 would come third).
    assert info.value.candidates[:3] == ["topic-3-0", "topic-3-1", "topic-3-2"]
    assert len(info.value.candidates) == 600
