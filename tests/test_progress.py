"""The pure functions of progress.py, over small hand-made roadmaps and event logs."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlroadmap import progress
from mlroadmap.models import Roadmap, walk
from mlroadmap.progress import (
    Count,
    ItemState,
    counts,
    leaf_weeks,
    next_items,
    pace,
    replay,
    schedule,
    section_counts,
    status_of,
    total,
)
from mlroadmap.records import Event

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday
_ids = itertools.count()


def ev(
    item: str,
    action: str = "done",
    *,
    at: datetime | None = None,
    days: float = 0,
    roadmap: str = "demo",
    id: str | None = None,
    note: str | None = None,
    on: date | None = None,
) -> Event:
    """An event ``days`` after T0 (or at ``at``); IDs increase with each call."""
    return Event(
        id=id if id is not None else f"ev-{next(_ids):08d}",
        ts=at if at is not None else T0 + timedelta(days=days),
        roadmap=roadmap,
        item=item,
        action=action,
        note=note,
        on=on,
    )


# week-1 (a, b), week-2 (c, d, e), week-3-4 (f), extras (g: no week)
DEMO = Roadmap.validate(
    {
        "id": "demo",
        "title": "Demo",
        "summary": "S",
        "source": {"title": "S"},
        "children": [
            {
                "id": "week-1",
                "title": "Week 1",
                "weeks": [1],
                "children": [
                    {"id": "a", "title": "A"},
                    {"id": "b", "title": "B", "renamed_from": ["bee"]},
                ],
            },
            {
                "id": "week-2",
                "title": "Week 2",
                "weeks": [2],
                "children": [
                    {
                        "id": "week-2-topics",
                        "title": "Topics",
                        "children": [{"id": "c", "title": "C"}, {"id": "d", "title": "D"}],
                    },
                    {"id": "e", "title": "E"},
                ],
            },
            {
                "id": "week-3-4",
                "title": "Weeks 3-4",
                "weeks": [3, 4],
                "children": [
                    {"id": "f", "title": "F"},
                ],
            },
            {"id": "extras", "title": "Extras", "children": [{"id": "g", "title": "G"}]},
        ],
    }
)
LEAVES = ["a", "b", "c", "d", "e", "f", "g"]

NO_WEEKS = Roadmap.validate(
    {
        "id": "demo",
        "title": "Demo",
        "summary": "S",
        "source": {"title": "S"},
        "children": [{"id": "x", "title": "X"}, {"id": "y", "title": "Y"}],
    }
)


def states_of(*events: Event) -> dict[str, progress.ItemState]:
    return replay(DEMO, events)


def test_demo_leaves() -> None:
    assert DEMO.index.leaves == LEAVES


# ---------------------------------------------------------------------------
# replay


def test_replay_last_status_event_wins() -> None:
    states = states_of(ev("a", "done", days=0), ev("a", "todo", days=1), ev("b", "start", days=0))
    assert status_of(states, "a") == "todo"
    assert status_of(states, "b") == "start"
    assert status_of(states, "c") == "todo"  # never mentioned
    assert [e.action for e in states["a"].history] == ["done", "todo"]


def test_replay_orders_by_time_not_by_log_position() -> None:
    later = ev("a", "skip", days=2)
    earlier = ev("a", "done", days=1)
    states = states_of(later, earlier)
    assert status_of(states, "a") == "skip"
    assert states["a"].since == T0 + timedelta(days=2)
    assert [e.action for e in states["a"].history] == ["done", "skip"]


def test_replay_breaks_time_ties_by_event_id() -> None:
    first = ev("a", "done", at=T0, id="aaaaaaaa")
    second = ev("a", "skip", at=T0, id="bbbbbbbb")
    assert status_of(states_of(second, first), "a") == "skip"
    assert status_of(states_of(first, second), "a") == "skip"


def test_replay_note_events_keep_the_status_and_collect_notes() -> None:
    states = states_of(
        ev("a", "done", days=0, note="notebook link"),
        ev("a", "note", days=1, note="and a blog post"),
    )
    state = states["a"]
    assert state.status == "done"
    assert state.since == T0  # the note did not move it
    assert [e.note for e in state.notes] == ["notebook link", "and a blog post"]
    assert len(state.history) == 2


def test_replay_day_is_the_backdated_day_when_given() -> None:
    states = states_of(ev("a", "done", days=5, on=date(2026, 2, 1)), ev("b", "done", days=5))
    assert states["a"].day == date(2026, 2, 1)
    assert states["b"].day == date(2026, 3, 7)


def test_replay_ignores_other_roadmaps() -> None:
    states = states_of(ev("a", "done", roadmap="other"), ev("b", "done"))
    assert set(states) == {"b"}


def test_replay_maps_old_ids_to_the_new_id() -> None:
    states = states_of(ev("bee", "done", days=0), ev("b", "note", days=1, note="renamed"))
    assert "bee" not in states
    assert status_of(states, "b") == "done"
    assert [e.item for e in states["b"].history] == ["bee", "b"]
    assert [i for i in states if i not in DEMO.index.entries] == []


def test_replay_keeps_unknown_ids() -> None:
    states = states_of(ev("gone", "done"), ev("zz-removed", "skip"), ev("a", "done"))
    assert status_of(states, "gone") == "done"
    assert sorted(i for i in states if i not in DEMO.index.entries) == ["gone", "zz-removed"]
    # An orphan does not count towards the roadmap.
    assert total(DEMO, states) == Count(done=1, skipped=0, started=0, total=7)


# ---------------------------------------------------------------------------
# counts and total


def test_counts_per_node_and_overall() -> None:
    states = states_of(
        ev("a", "done"), ev("c", "skip"), ev("d", "start"), ev("e", "done"), ev("g", "done")
    )
    per_node = counts(DEMO, states)
    assert per_node["week-1"] == Count(done=1, skipped=0, started=0, total=2)
    assert per_node["week-2-topics"] == Count(done=0, skipped=1, started=1, total=2)
    assert per_node["week-2"] == Count(done=1, skipped=1, started=1, total=3)
    assert per_node["a"] == Count(done=1, total=1)
    assert per_node["f"] == Count(total=1)
    assert per_node[""] == Count(done=3, skipped=1, started=1, total=7)
    assert total(DEMO, states) == per_node[""]
    assert set(per_node) == {"", *DEMO.index.entries}


@st.composite
def trees(draw: st.DrawFn) -> tuple[Roadmap, dict[str, ItemState], set[str]]:
    """A random roadmap (sections nested up to four deep), states for some of
    its items (and for IDs it does not have), and some credited items."""
    ids = itertools.count()

    def node(depth: int) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": f"n{next(ids)}", "title": "T"}
        if draw(st.booleans()):
            doc["weeks"] = draw(st.lists(st.integers(1, 52), min_size=1, max_size=3))
        if draw(st.booleans()):
            doc["renamed_from"] = [f"old-{doc['id']}"]
        if depth < 4 and draw(st.booleans()):
            doc["children"] = [node(depth + 1) for _ in range(draw(st.integers(1, 4)))]
        return doc

    sections = [node(1) for _ in range(draw(st.integers(0, 5)))]
    roadmap = Roadmap.from_dict(
        {"id": "r", "title": "R", "summary": "S", "source": {"title": "S"}, "children": sections}
    )
    known = [*roadmap.index.entries, "gone-1", "gone-2"]
    states: dict[str, ItemState] = {}
    for item in draw(st.lists(st.sampled_from(known), unique=True)):
        state = states[item] = ItemState()
        state.status = draw(st.sampled_from(["todo", "done", "start", "skip"]))
    credited = set(draw(st.lists(st.sampled_from(known))))
    return roadmap, states, credited


@given(trees())
def test_section_counts_and_total_agree_with_counts(
    case: tuple[Roadmap, dict[str, ItemState], set[str]],
) -> None:
    roadmap, states, credited = case
    per_node = counts(roadmap, states, credited)
    assert section_counts(roadmap, states, credited) == [per_node[n.id] for n in roadmap.children]
    assert total(roadmap, states, credited) == per_node[""]
    assert per_node[""].total == len(roadmap.index.leaves)


@given(trees())
def test_index_and_leaf_weeks_agree_with_a_walk_of_the_tree(
    case: tuple[Roadmap, dict[str, ItemState], set[str]],
) -> None:
    roadmap = case[0]
    walked = list(walk(roadmap.children))
    index = roadmap.index
    assert list(index.entries) == [node.id for _, node, _ in walked]
    assert index.leaves == [node.id for _, node, _ in walked if node.is_leaf]
    assert [index.entries[node.id].depth for _, node, _ in walked] == [d for _, _, d in walked]
    for _, node, _ in walked:
        for child in node.children:
            assert index.entries[child.id].parent == node.id
        for old in node.renamed_from:
            assert index.old_ids[old] == node.id
            assert index.names[old] == node.id
    # A leaf's week: the last of its own weeks, else of its nearest ancestor that has some.
    expected: dict[str, int] = {}
    for _, node, _ in walked:
        if node.is_leaf:
            chain = [*index.ancestors(node.id), node.id]
            weeks = [max(index.node(n).weeks) for n in chain if index.node(n).weeks]
            if weeks:
                expected[node.id] = weeks[-1]
    assert leaf_weeks(roadmap) == expected


def test_count_settled_fraction_and_sum() -> None:
    c = Count(done=2, skipped=1, started=1, total=6)
    assert c.settled == 3
    assert c.fraction == 0.5
    assert c + Count(done=1, total=2) == Count(done=3, skipped=1, started=1, total=8)
    assert Count().fraction == 0.0


def test_counts_of_an_empty_log() -> None:
    assert counts(DEMO, {})[""] == Count(total=7)
    assert total(DEMO, {}) == Count(total=7)


# ---------------------------------------------------------------------------
# pace

TODAY = date(2026, 3, 31)


def done_on(item: str, day: date) -> Event:
    return ev(item, "done", at=datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc))


def test_pace_counts_done_items_in_the_last_four_weeks() -> None:
    states = states_of(
        done_on("a", TODAY),
        done_on("b", TODAY - timedelta(days=27)),  # first day of the window
        done_on("c", TODAY - timedelta(days=28)),  # one day too old
        ev("d", "skip", at=datetime(2026, 3, 30, tzinfo=timezone.utc)),  # settled, not done
    )
    p = pace(DEMO, states, today=TODAY)
    assert p.window_days == 28
    assert p.per_week == pytest.approx(2 * 7 / 28)
    assert p.remaining == 3  # e, f, g
    # 3 items at 0.5 a week: 6 weeks.
    assert p.eta == TODAY + timedelta(days=42)


def test_pace_uses_the_backdated_day() -> None:
    states = states_of(
        ev("a", "done", at=datetime(2026, 3, 30, tzinfo=timezone.utc), on=date(2026, 1, 1))
    )
    p = pace(DEMO, states, today=TODAY)
    assert p.per_week == 0
    assert p.eta is None
    assert p.remaining == 6


def test_pace_window_starts_at_the_start_date_but_never_under_a_week() -> None:
    states = states_of(done_on("a", TODAY), done_on("b", TODAY))
    short = pace(DEMO, states, today=TODAY, started=TODAY)
    assert short.window_days == 7
    assert short.per_week == pytest.approx(2.0)
    assert short.eta == TODAY + timedelta(days=round(5 / 2.0 * 7))
    three_days = pace(DEMO, states, today=TODAY, started=TODAY - timedelta(days=2))
    assert three_days.window_days == 7
    ten_days = pace(DEMO, states, today=TODAY, started=TODAY - timedelta(days=9))
    assert ten_days.window_days == 10
    assert ten_days.per_week == pytest.approx(1.4)
    long_ago = pace(DEMO, states, today=TODAY, started=TODAY - timedelta(days=300))
    assert long_ago.window_days == 28
    future = pace(DEMO, states, today=TODAY, started=TODAY + timedelta(days=30))
    assert future.window_days == 7


def test_pace_when_everything_is_settled_eta_is_today() -> None:
    events = [done_on(leaf, date(2025, 1, 1)) for leaf in LEAVES[:-1]]
    events.append(ev("g", "skip", at=datetime(2025, 1, 1, tzinfo=timezone.utc)))
    p = pace(DEMO, states_of(*events), today=TODAY)
    assert p.remaining == 0
    assert p.per_week == 0
    assert p.eta == TODAY


def test_pace_with_nothing_done_has_no_eta() -> None:
    p = pace(DEMO, {}, today=TODAY)
    assert (p.per_week, p.remaining, p.eta, p.window_days) == (0, 7, None, 28)


def test_pace_undone_items_do_not_count() -> None:
    states = states_of(
        done_on("a", TODAY), ev("a", "todo", at=datetime(2026, 3, 31, 13, tzinfo=timezone.utc))
    )
    p = pace(DEMO, states, today=TODAY)
    assert p.per_week == 0
    assert p.remaining == 7


# ---------------------------------------------------------------------------
# schedule

START = date(2026, 3, 2)


def test_leaf_weeks_use_the_nearest_week_numbers() -> None:
    weeks = leaf_weeks(DEMO)
    assert weeks["a"] == 1
    assert weeks["c"] == 2  # from week-2, two levels up
    assert weeks["f"] == 4  # the last week of a range
    assert "g" not in weeks  # no week anywhere above it
    assert weeks == {"a": 1, "b": 1, "c": 2, "d": 2, "e": 2, "f": 4}


@pytest.mark.parametrize(
    ("today", "calendar_week"),
    [
        (START, 1),
        (START + timedelta(days=6), 1),
        (START + timedelta(days=7), 2),
        (START + timedelta(days=20), 3),
        (START + timedelta(days=21), 4),
        (START - timedelta(days=10), 1),  # before the start: week 1
    ],
)
def test_schedule_calendar_week_counts_from_the_start(today: date, calendar_week: int) -> None:
    s = schedule(DEMO, {}, started=START, today=today)
    assert s is not None
    assert s.started == START
    assert s.calendar_week == calendar_week
    assert s.learner_week == 1
    assert s.last_week == 4
    assert s.weeks_ahead == 1 - calendar_week


def test_schedule_ahead_behind_and_finished() -> None:
    week_1_done = states_of(ev("a"), ev("b", "skip"))
    ahead = schedule(DEMO, week_1_done, started=START, today=START)
    assert ahead is not None
    assert (ahead.learner_week, ahead.weeks_ahead) == (2, 1)

    behind = schedule(DEMO, week_1_done, started=START, today=START + timedelta(days=21))
    assert behind is not None
    assert (behind.calendar_week, behind.learner_week, behind.weeks_ahead) == (4, 2, -2)

    # g has no week, so it does not hold the learner back.
    all_weeks = states_of(*(ev(leaf) for leaf in "abcdef"))
    done = schedule(DEMO, all_weeks, started=START, today=START + timedelta(days=14))
    assert done is not None
    assert done.learner_week is None
    assert done.weeks_ahead == 4 + 1 - 3


def test_schedule_learner_week_is_the_first_unsettled_week() -> None:
    # Week 2 is done but week 1 still has b: the learner is on week 1.
    s = schedule(DEMO, states_of(ev("a"), ev("c"), ev("d"), ev("e")), started=START, today=START)
    assert s is not None
    assert s.learner_week == 1


def test_schedule_is_none_without_week_numbers() -> None:
    assert schedule(NO_WEEKS, {}, started=START, today=START) is None


# ---------------------------------------------------------------------------
# next_items


def test_next_items_started_first_then_todo_in_roadmap_order() -> None:
    states = states_of(ev("a"), ev("f", "start"), ev("c", "skip"), ev("d", "start"))
    assert next_items(DEMO, states, 10) == ["d", "f", "b", "e", "g"]
    assert next_items(DEMO, states, 3) == ["d", "f", "b"]
    assert next_items(DEMO, states, 1) == ["d"]


def test_next_items_of_a_fresh_and_a_finished_log() -> None:
    assert next_items(DEMO, {}, 3) == ["a", "b", "c"]
    finished = states_of(*(ev(leaf) for leaf in LEAVES))
    assert next_items(DEMO, finished, 5) == []


def test_ordered_sorts_by_time_then_id() -> None:
    e1 = ev("a", at=T0, id="bbbbbbbb")
    e2 = ev("a", at=T0, id="aaaaaaaa")
    e3 = ev("a", at=T0 - timedelta(seconds=1), id="zzzzzzzz")
    assert progress.ordered([e1, e2, e3]) == [e3, e2, e1]
