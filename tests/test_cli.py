"""Every command through Typer's CliRunner: output, JSON contracts, exit codes, errors."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from mlroadmap import __version__
from mlroadmap.cli import app
from tests.cli_run import Clock, install_clock, run, run_json, runner

NOW = datetime(2026, 3, 4, 10, 30, tzinfo=timezone.utc)  # a Wednesday
TODAY = NOW.date()
BUNDLED = ["advanced-mle", "ml-12-weeks", "mle-6-months", "pro-mle", "stats-to-mle"]
WEEK_5 = [
    "regression-algorithms",
    "classification-algorithms",
    "regression-from-scratch",
    "sklearn-train-evaluate",
]


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return install_clock(monkeypatch, NOW)


def flat(text: str) -> str:
    """Text with all whitespace removed (Rich wraps long messages at 80 columns)."""
    return "".join(text.split())


def leaf_statuses(show_doc: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}

    def visit(node: dict[str, Any]) -> None:
        if "status" in node:
            found[node["id"]] = node["status"]
        for child in node.get("children", []):
            visit(child)

    for item in show_doc["items"]:
        visit(item)
    return found


def statuses(*extra: str) -> dict[str, str]:
    return leaf_statuses(run_json("show", *extra))


def total(*extra: str) -> dict[str, Any]:
    return run_json("progress", *extra)["total"]


def store_file(home: Path) -> Path:
    return home / "store.json"


def stored(home: Path) -> dict[str, Any]:
    """The store file as one document: its first line's keys, and ``events`` (one a line)."""
    head, *lines = store_file(home).read_text(encoding="utf-8").splitlines()
    document: dict[str, Any] = json.loads(head)
    assert document["schema_version"] == 2
    assert "events" not in document
    document["events"] = [json.loads(line) for line in lines]
    return document


def events_in(home: Path) -> list[dict[str, Any]]:
    return stored(home)["events"]


# ---------------------------------------------------------------------------
# --version and help


def test_version() -> None:
    result = run("--version")
    assert result.stdout.strip() == f"mlroadmap {__version__}"


def test_help_lists_the_commands() -> None:
    out = run("--help").stdout
    for name in (
        "list",
        "use",
        "show",
        "done",
        "undo",
        "start",
        "skip",
        "note",
        "progress",
        "next",
    ):
        assert name in out


# ---------------------------------------------------------------------------
# list


def test_list_table_shows_every_roadmap_and_marks_the_active_one() -> None:
    out = run("list").stdout
    for rid in BUNDLED:
        assert rid in out
    active = [line for line in out.splitlines() if line.startswith("*")]
    assert len(active) == 1
    assert "ml-12-weeks" in active[0]
    assert "0/63" in active[0]


def test_list_json_contract() -> None:
    doc = run_json("list")
    assert doc["active"] == "ml-12-weeks"
    assert [r["id"] for r in doc["roadmaps"]] == BUNDLED
    for entry in doc["roadmaps"]:
        assert {
            "id",
            "title",
            "summary",
            "source",
            "done",
            "skipped",
            "started",
            "total",
            "percent",
            "active",
            "bundled",
        } <= set(entry)
        assert entry["bundled"] is True
        assert entry["source"]["title"]
        assert entry["total"] > 0
        assert entry["active"] is (entry["id"] == "ml-12-weeks")
    ml = next(r for r in doc["roadmaps"] if r["id"] == "ml-12-weeks")
    assert (ml["done"], ml["total"], ml["percent"]) == (0, 63, 0.0)


def test_list_json_counts_follow_ticks() -> None:
    run("done", "week-5")
    run("skip", "vectors-matrices")
    run("start", "derivatives")
    ml = next(r for r in run_json("list")["roadmaps"] if r["id"] == "ml-12-weeks")
    assert (ml["done"], ml["skipped"], ml["started"], ml["total"]) == (4, 1, 1, 63)
    assert ml["percent"] == round(100 * 5 / 63, 1)


# ---------------------------------------------------------------------------
# use


def test_use_changes_the_active_roadmap(isolated_home: Path) -> None:
    result = run("use", "mle-6-months")
    assert "Now following mle-6-months" in result.stderr
    assert result.stdout == ""
    assert run_json("list")["active"] == "mle-6-months"
    assert run_json("progress")["roadmap"] == "mle-6-months"
    assert stored(isolated_home)["settings"]["active"] == "mle-6-months"


def test_use_accepts_a_unique_prefix() -> None:
    run("use", "stats")
    assert run_json("list")["active"] == "stats-to-mle"


def test_done_uses_aliases_of_the_active_roadmap() -> None:
    run("use", "mle-6-months")
    run("done", "week-5")  # an alias of week-5-6 there
    doc = run_json("show", "week-5-6")
    assert doc["node"] == "week-5-6"
    assert doc["items"][0]["done"] == doc["items"][0]["total"] == 2
    assert total("-r", "ml-12-weeks")["done"] == 0


def test_use_start_date_is_stored_and_drives_the_schedule(isolated_home: Path) -> None:
    run("use", "ml-12-weeks", "--start", "2026-02-01")
    assert stored(isolated_home)["roadmaps"]["ml-12-weeks"]["started"] == "2026-02-01"
    schedule = run_json("progress")["schedule"]
    assert schedule["started"] == "2026-02-01"
    assert schedule["calendar_week"] == (TODAY - date(2026, 2, 1)).days // 7 + 1 == 5
    assert schedule["learner_week"] == 1
    assert schedule["weeks_ahead"] == -4


def test_use_with_an_impossible_date_exits_2(isolated_home: Path) -> None:
    result = run("use", "mle-6-months", "--start", "2026-02-30", code=2)
    assert "--start '2026-02-30' is not a valid date" in result.stderr
    assert "day is out of range for month" in result.stderr
    assert result.stdout == ""
    assert not store_file(isolated_home).exists()
    assert run_json("list")["active"] == "ml-12-weeks"


def test_use_with_a_malformed_date_says_the_format() -> None:
    result = run("use", "ml-12-weeks", "--start", "next monday", code=2)
    assert "expected YYYY-MM-DD" in result.stderr


def test_use_unknown_roadmap_exits_2() -> None:
    result = run("use", "ml-13-weeks", code=2)
    assert "no roadmap 'ml-13-weeks'" in result.stderr
    assert "did you mean ml-12-weeks?" in result.stderr


# ---------------------------------------------------------------------------
# show


def test_show_tree_has_ids_and_marks() -> None:
    out = run("show").stdout
    for node_id in ("ml-12-weeks", "month-1", "week-1", "week-1-topics", "vectors-matrices"):
        assert node_id in out
    assert out.count("[ ]") == 63
    assert out.count("[x]") == 0
    assert "0/63" in out.splitlines()[0]


def test_show_section_after_done_shows_four_ticks() -> None:
    run("done", "week-5")
    out = run("show", "week-5").stdout
    assert out.count("[x]") == 4
    assert out.count("[ ]") == 0
    for leaf in WEEK_5:
        assert leaf in out
    assert "4/4" in out.splitlines()[0]
    whole = run("show").stdout
    assert (whole.count("[x]"), whole.count("[ ]")) == (4, 59)


def test_show_marks_started_and_skipped() -> None:
    run("start", "derivatives")
    run("skip", "optimizers")
    out = run("show", "week-2").stdout
    started = next(line for line in out.splitlines() if "derivatives" in line)
    skipped = next(line for line in out.splitlines() if "optimizers" in line)
    assert "[~]" in started
    assert "[-]" in skipped


def test_show_depth_1_hides_everything_below_the_top() -> None:
    out = run("show", "--depth", "1").stdout
    assert "month-1" in out
    assert "month-3" in out
    assert "week-1" not in out
    assert "[ ]" not in out


def test_show_depth_2_stops_at_weeks() -> None:
    out = run("show", "-d", "2").stdout
    assert "week-12" in out
    assert "week-1-topics" not in out
    assert "[ ]" not in out


def test_show_todo_hides_what_is_done() -> None:
    run("done", "week-5")
    out = run("show", "--todo").stdout
    assert "week-5" not in out
    assert "regression-algorithms" not in out
    assert "week-6" in out
    assert "[x]" not in out
    assert out.count("[ ]") == 59
    doc = run_json("show", "--todo")
    assert "regression-algorithms" not in leaf_statuses(doc)
    assert set(leaf_statuses(doc).values()) == {"todo"}


@pytest.mark.parametrize("depth", ["0", "-1"])
def test_show_depth_below_1_exits_2(depth: str) -> None:
    result = run("show", "--depth", depth, code=2)
    assert f"--depth must be 1 or more, not {depth}" in result.stderr
    assert result.stdout == ""


def test_show_json_structure_and_statuses() -> None:
    run("done", "week-5")
    run("start", "derivatives")
    doc = run_json("show")
    assert doc["node"] is None
    assert doc["roadmap"]["id"] == "ml-12-weeks"
    assert (doc["roadmap"]["done"], doc["roadmap"]["started"], doc["roadmap"]["total"]) == (
        4,
        1,
        63,
    )
    assert [item["id"] for item in doc["items"]][:3] == ["month-1", "month-2", "month-3"]
    month_2 = doc["items"][1]
    assert month_2["done"] == 4
    assert "status" not in month_2
    found = leaf_statuses(doc)
    assert len(found) == 63
    assert {k for k, v in found.items() if v == "done"} == set(WEEK_5)
    assert found["derivatives"] == "start"
    assert found["vectors-matrices"] == "todo"


def test_show_json_of_a_section() -> None:
    run("done", "week-5")
    doc = run_json("show", "week-5")
    assert doc["node"] == "week-5"
    (week,) = doc["items"]
    assert week["id"] == "week-5"
    assert week["weeks"] == [5]
    assert (week["done"], week["total"], week["percent"]) == (4, 4, 100.0)
    assert leaf_statuses(doc) == dict.fromkeys(WEEK_5, "done")


def test_show_json_depth_limits_children() -> None:
    doc = run_json("show", "--depth", "1")
    assert all("children" not in item for item in doc["items"])
    assert leaf_statuses(doc) == {}


def test_show_one_item_in_detail() -> None:
    run("done", "regression-algorithms")
    out = run("show", "regression-algorithms").stdout
    assert out.startswith("[x] regression-algorithms")
    assert "Month2:CoreMachineLearning>Week5" in flat(out)
    assert "History" in out
    assert "done" in out.split("History", 1)[1]


# ---------------------------------------------------------------------------
# done / undo / start / skip / note


def test_done_week_5_ticks_exactly_its_four_items(isolated_home: Path) -> None:
    result = run("done", "week-5")
    assert "Marked 4 items done" in result.stderr
    assert result.stdout == ""
    found = statuses()
    assert {k for k, v in found.items() if v == "done"} == set(WEEK_5)
    assert total()["done"] == 4
    assert len(events_in(isolated_home)) == 4


def test_done_is_idempotent(isolated_home: Path) -> None:
    run("done", "week-5")
    before = store_file(isolated_home).read_bytes()
    again = run("done", "week-5")
    assert "already" in again.stderr
    assert "Marked" not in again.stderr
    assert store_file(isolated_home).read_bytes() == before
    assert total()["done"] == 4


def test_done_partly_done_section_reports_both() -> None:
    run("done", "regression-algorithms")
    result = run("done", "week-5")
    assert "Marked 3 items done" in result.stderr
    assert "1 already done" in result.stderr
    assert total()["done"] == 4


def test_undo_reverts_a_section() -> None:
    run("done", "week-5")
    result = run("undo", "week-5")
    assert "back to to-do" in result.stderr
    assert total()["done"] == 0
    assert set(statuses().values()) == {"todo"}
    assert "already" in run("undo", "week-5").stderr


def test_done_several_ids_and_prefixes() -> None:
    run("done", "regression-al", "week-6-practice")
    found = statuses()
    done = {k for k, v in found.items() if v == "done"}
    assert "regression-algorithms" in done
    assert len(done) == 1 + len(run_json("show", "week-6-practice")["items"][0]["children"])


def test_one_bad_id_changes_nothing(isolated_home: Path) -> None:
    result = run("done", "week-5", "week-55", code=2)
    assert "did you mean week-5?" in result.stderr
    assert not store_file(isolated_home).exists()
    assert total()["done"] == 0


def test_start_skip_and_settled_counts() -> None:
    assert "in progress" in run("start", "derivatives").stderr
    assert "skipped" in run("skip", "optimizers", "--note", "know it").stderr
    t = total()
    assert (t["done"], t["skipped"], t["started"]) == (0, 1, 1)
    assert t["percent"] == round(100 / 63, 1)
    found = statuses()
    assert found["derivatives"] == "start"
    assert found["optimizers"] == "skip"


def test_a_section_start_or_skip_leaves_settled_items_as_they_are() -> None:
    regression, classification = WEEK_5[:2]
    run("done", regression)
    run("skip", classification)
    started = run("start", "week-5").stderr
    assert flat("Marked 2 items in progress (week-5 in ml-12-weeks).") in flat(started)
    assert flat("2 items already done or skipped: they stay so") in flat(started)
    found = statuses()
    assert [found[i] for i in WEEK_5] == ["done", "skip", "start", "start"]

    again = run("start", "week-5").stderr
    assert flat("Nothing to change (week-5 in ml-12-weeks). 2 already in progress.") in flat(again)

    run("skip", "week-5")  # the done item stays done; the rest are skipped
    found = statuses()
    assert [found[i] for i in WEEK_5] == ["done", "skip", "skip", "skip"]

    run("done", "week-5")  # done is never held back: everything is done now
    assert {statuses()[i] for i in WEEK_5} == {"done"}


def test_naming_a_settled_item_changes_it_and_says_what_it_was() -> None:
    run("done", "derivatives")
    message = run("start", "derivatives").stderr
    assert flat("Marked derivatives in progress in ml-12-weeks (it was done).") in flat(message)
    assert statuses()["derivatives"] == "start"
    run("skip", "optimizers")
    both = run("done", "derivatives", "optimizers").stderr
    assert flat("Before, derivatives was in progress, optimizers was skipped.") in flat(both)
    fresh = run("done", "vectors-matrices").stderr
    assert "it was" not in fresh


def test_start_then_done_then_undo_follows_the_last_action() -> None:
    run("start", "derivatives")
    run("done", "derivatives")
    assert statuses()["derivatives"] == "done"
    run("undo", "derivatives")
    assert statuses()["derivatives"] == "todo"


def test_undo_after_the_clock_went_back_still_undoes(clock: Clock) -> None:
    run("done", "week-5")
    clock.current -= timedelta(minutes=5)
    result = run("undo", "week-5")
    assert "Marked 4 items back to to-do" in result.stderr
    assert total()["done"] == 0


def test_note_command_attaches_a_note() -> None:
    result = run("note", "gradient-descent", "https://example.org/my-notebook")
    assert "Noted on gradient-descent" in result.stderr
    out = run("show", "gradient-descent").stdout
    assert "Notes" in out
    assert "https://example.org/my-notebook" in out
    assert statuses()["gradient-descent"] == "todo"  # a note is not a tick
    doc = run_json("show", "gradient-descent")
    assert [n["text"] for n in doc["items"][0]["notes"]] == ["https://example.org/my-notebook"]
    tree = run("show", "week-2").stdout
    assert "(1 note)" in tree


def test_empty_note_exits_2() -> None:
    result = run("note", "gradient-descent", "   ", code=2)
    assert "the note is empty" in result.stderr


def test_done_with_a_note() -> None:
    result = run("done", "gradient-descent", "--note", "notebook: https://example.org/gd")
    assert "Note saved." in result.stderr
    out = run("show", "gradient-descent").stdout
    assert out.startswith("[x] gradient-descent")
    assert "notebook: https://example.org/gd" in out


def test_done_on_a_past_day(isolated_home: Path) -> None:
    run("done", "derivatives", "--on", "2026-01-05")
    (event,) = events_in(isolated_home)
    assert event["on"] == "2026-01-05"
    assert "(on 2026-01-05)" in run("show", "derivatives").stdout
    doc = run_json("progress")
    assert doc["schedule"]["started"] == "2026-01-05"  # the first tick sets the start
    assert doc["pace"]["per_week"] == 0  # two months ago: outside the pace window
    assert doc["pace"]["eta"] is None


def test_done_on_a_future_day_exits_2(isolated_home: Path) -> None:
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    result = run("done", "derivatives", "--on", tomorrow, code=2)
    assert f"--on {tomorrow} is in the future" in result.stderr
    assert not store_file(isolated_home).exists()


def test_done_on_a_bad_date_exits_2() -> None:
    result = run("done", "derivatives", "--on", "05/01/2026", code=2)
    assert "--on '05/01/2026' is not a valid date" in result.stderr


def test_done_without_ids_is_a_usage_error() -> None:
    result = runner.invoke(app, ["done"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_rich_markup_in_a_note_is_shown_literally() -> None:
    run("note", "gradient-descent", "[bold]x[/bold] and [red]y[/]")
    out = run("show", "gradient-descent").stdout
    assert "[bold]x[/bold] and [red]y[/]" in out


def test_control_characters_in_a_note_do_not_reach_the_terminal() -> None:
    run("note", "gradient-descent", "evil \x1b[2J clear")
    out = run("show", "gradient-descent").stdout
    assert "\x1b" not in out
    assert "\\x1b[2J" in out


# ---------------------------------------------------------------------------
# progress


def test_progress_table_text() -> None:
    run("done", "week-5")
    out = run("progress").stdout
    total_line = next(line for line in out.splitlines() if line.startswith("Total"))
    assert "4/63" in total_line
    assert "6%" in total_line
    month_2 = next(line for line in out.splitlines() if line.startswith("month-2"))
    assert "4/18" in month_2
    assert "22%" in month_2
    assert "Pace: 4.0 items a week over the last 7 days; 59 to go" in out
    assert "Schedule: started 2026-03-04" in out


def test_progress_json_contract() -> None:
    run("done", "week-5")
    doc = run_json("progress")
    assert set(doc) >= {"roadmap", "title", "sections", "total", "pace", "schedule"}
    assert doc["roadmap"] == "ml-12-weeks"
    assert doc["title"].startswith("AI/ML Engineer")
    assert [s["id"] for s in doc["sections"]][:3] == ["month-1", "month-2", "month-3"]
    for section in doc["sections"]:
        assert {"id", "title", "done", "skipped", "started", "total", "percent"} <= set(section)
    assert sum(s["total"] for s in doc["sections"]) == 63
    assert doc["total"] == {
        "done": 4,
        "skipped": 0,
        "started": 0,
        "total": 63,
        "credited": 0,
        "percent": 6.3,
    }
    pace = doc["pace"]
    assert set(pace) == {"per_week", "window_days", "remaining", "eta"}
    # Started today: the window is the minimum week; 4 done in it.
    assert (pace["per_week"], pace["window_days"], pace["remaining"]) == (4.0, 7, 59)
    assert pace["eta"] == (TODAY + timedelta(days=round(59 / 4 * 7))).isoformat()
    assert doc["schedule"] == {
        "started": TODAY.isoformat(),
        "calendar_week": 1,
        "learner_week": 1,
        "last_week": 12,
        "weeks_ahead": 0,
    }


def test_progress_json_before_any_tick_has_no_schedule() -> None:
    doc = run_json("progress")
    assert doc["schedule"] is None
    assert doc["pace"] == {"per_week": 0, "window_days": 28, "remaining": 63, "eta": None}


def test_progress_of_another_roadmap() -> None:
    doc = run_json("progress", "-r", "stats-to-mle")
    assert doc["roadmap"] == "stats-to-mle"
    assert doc["total"]["total"] == 7


def test_progress_all_json() -> None:
    run("done", "week-5")
    doc = run_json("progress", "--all")
    assert set(doc) == {"roadmaps"}
    assert [r["roadmap"] for r in doc["roadmaps"]] == BUNDLED
    ml = next(r for r in doc["roadmaps"] if r["roadmap"] == "ml-12-weeks")
    assert ml["total"]["done"] == 4
    assert all(r["total"]["done"] == 0 for r in doc["roadmaps"] if r is not ml)


def test_progress_all_text_shows_every_roadmap_on_one_line() -> None:
    run("done", "week-1")
    out = run("progress", "--all").stdout
    lines = out.splitlines()
    assert lines[0].split() == ["Roadmap", "Done", "%", "Pace,", "ETA"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert sorted(rows) == sorted(BUNDLED)
    assert " 5/63 " in rows["ml-12-weeks"]
    assert " 0/93 " in rows["pro-mle"]
    assert "no pace yet" in rows["pro-mle"]
    assert "/week, ETA " in rows["ml-12-weeks"]


def test_progress_all_and_roadmap_together_exit_2() -> None:
    result = run("progress", "--all", "-r", "pro-mle", code=2)
    assert "either --roadmap or --all" in result.stderr


# ---------------------------------------------------------------------------
# next


def test_next_n_3() -> None:
    out = run("next", "-n", "3").stdout
    for item in ("vectors-matrices", "probability-basics", "descriptive-stats"):
        assert item in out
    assert "numpy-vector-ops" not in out
    assert out.count("[ ]") == 3


def test_next_json_puts_started_items_first() -> None:
    run("done", "vectors-matrices")
    run("start", "derivatives")
    doc = run_json("next", "-n", "3")
    assert doc["roadmap"] == "ml-12-weeks"
    assert [i["id"] for i in doc["items"]] == [
        "derivatives",
        "probability-basics",
        "descriptive-stats",
    ]
    assert [i["status"] for i in doc["items"]] == ["start", "todo", "todo"]
    assert doc["items"][1]["path"] == ["month-1", "week-1", "week-1-topics"]
    assert doc["items"][1]["title"].startswith("Probability Basics")


def test_next_when_everything_is_settled() -> None:
    run("use", "stats-to-mle")
    run("done", *[s["id"] for s in run_json("progress")["sections"]])
    assert run_json("next")["items"] == []
    assert "Nothing left to do" in run("next").stdout


@pytest.mark.parametrize("n", ["0", "-2"])
def test_next_n_below_1_exits_2(n: str) -> None:
    result = run("next", "-n", n, code=2)
    assert "-n must be 1 or more" in result.stderr


# ---------------------------------------------------------------------------
# Errors


def test_unknown_id_exits_2_with_a_suggestion() -> None:
    result = run("done", "week-55", code=2)
    assert "error: no item 'week-55' in roadmap ml-12-weeks" in result.stderr
    assert "did you mean week-5?" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["show", "start", "skip", "undo"])
def test_unknown_id_in_every_command(command: str) -> None:
    result = run(command, "week-55", code=2)
    assert "did you mean week-5?" in result.stderr


def test_ambiguous_prefix_lists_candidates() -> None:
    result = run("done", "week-1", "gradient", code=2)
    message = flat(result.stderr)
    assert "'gradient'matches2items" in message
    assert "gradient-descent,gradient-descent-scratch" in message
    assert "typemoreoftheID" in message
    assert total()["done"] == 0


def test_unknown_roadmap_option_exits_2() -> None:
    result = run("show", "-r", "nope", code=2)
    assert "no roadmap 'nope'" in result.stderr
    assert "mlroadmap list" in result.stderr
    result = run("done", "week-5", "-r", "nope", code=2)
    assert "no roadmap 'nope'" in result.stderr


GARBAGE = b"this is {not json\x00\xff"


@pytest.mark.parametrize(
    "args",
    [("done", "week-5"), ("list",), ("show",), ("progress", "--json"), ("use", "pro-mle")],
)
def test_corrupt_store_exits_1_naming_the_file_and_leaves_it_alone(
    isolated_home: Path, args: tuple[str, ...]
) -> None:
    isolated_home.mkdir(parents=True)
    path = store_file(isolated_home)
    path.write_bytes(GARBAGE)
    result = run(*args, code=1)
    assert str(path) in flat(result.stderr)
    assert "not valid JSON" in result.stderr
    assert result.stdout == ""
    assert path.read_bytes() == GARBAGE
    assert sorted(p.name for p in isolated_home.iterdir() if p.name != "cache") in (
        ["store.json"],
        ["store.json", "store.json.lock"],
    )


def test_store_from_a_newer_version_is_left_alone(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True)
    path = store_file(isolated_home)
    content = b'{"schema_version": 99, "events": []}'
    path.write_bytes(content)
    result = run("done", "week-5", code=1)
    assert "schema_version 99" in result.stderr
    assert "upgrademlroadmap" in flat(result.stderr)
    assert path.read_bytes() == content


def test_store_that_fails_validation_exits_1_naming_the_file(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True)
    path = store_file(isolated_home)
    content = b'{"schema_version": 1, "events": "not a list"}'
    path.write_bytes(content)
    result = run("list", code=1)
    assert str(path) in flat(result.stderr)
    assert "events" in result.stderr
    assert path.read_bytes() == content


def test_store_event_without_a_time_zone_is_not_a_crash(isolated_home: Path) -> None:
    run("done", "week-5")
    path = store_file(isolated_home)
    event = {
        "id": "hand-edited-1",
        "ts": "2026-01-05T10:00:00",
        "roadmap": "ml-12-weeks",
        "item": "derivatives",
        "action": "done",
    }
    with path.open("a", encoding="utf-8") as f:  # a hand edit after the last command
        f.write(json.dumps(event) + "\n")
    result = runner.invoke(app, ["show", "week-2"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1  # refused as an invalid store, never a crash
    assert str(path) in flat(result.stderr)
    assert "timezone" in flat(result.stderr)


# ---------------------------------------------------------------------------
# The user's own roadmaps

MINE = """\
id: mine
title: My own roadmap
summary: Things I want to learn.
source: {title: My notes}
children:
  - id: part-one
    title: Part one
    children:
      - {id: read-paper, title: Read the paper}
      - {id: write-code, title: "Write [bold]code[/bold]"}
"""


def test_a_user_roadmap_is_listed_and_usable(isolated_home: Path) -> None:
    (isolated_home / "roadmaps").mkdir(parents=True)
    (isolated_home / "roadmaps" / "mine.yaml").write_text(MINE, encoding="utf-8")
    doc = run_json("list")
    mine = next(r for r in doc["roadmaps"] if r["id"] == "mine")
    assert (mine["bundled"], mine["total"], mine["title"]) == (False, 2, "My own roadmap")
    run("done", "part-one", "-r", "mine")
    assert total("-r", "mine")["done"] == 2
    assert "Write [bold]code[/bold]" in run("show", "-r", "mine").stdout


def test_an_invalid_user_roadmap_exits_2_with_file_and_line(isolated_home: Path) -> None:
    (isolated_home / "roadmaps").mkdir(parents=True)
    path = isolated_home / "roadmaps" / "mine.yaml"
    path.write_text(
        MINE.replace("title: Read the paper", "titel: Read the paper"), encoding="utf-8"
    )
    result = run("show", "-r", "mine", code=2)
    message = flat(result.stderr)
    assert f"{path}:9:children.0.children.0" in message
    assert "unknownkey'titel'" in message
    listed = run("list")  # the other roadmaps are still listed; the bad one is named once
    assert "mine" not in listed.stdout.split()
    assert "ml-12-weeks" in listed.stdout
    assert listed.stderr.splitlines() == [
        f"warning: skipped {path}:9: children.0.children.0.title: Field required "
        "(and 1 more problem)"
    ]


def test_a_user_roadmap_whose_id_differs_from_its_file_name(isolated_home: Path) -> None:
    (isolated_home / "roadmaps").mkdir(parents=True)
    path = isolated_home / "roadmaps" / "other.yaml"
    path.write_text(MINE, encoding="utf-8")
    result = run("show", "-r", "other", code=2)
    assert f"{path}:1:id:theID'mine'mustmatchthefilename'other'" in flat(result.stderr)


def test_mlroadmap_home_holds_everything_written(isolated_home: Path, tmp_path: Path) -> None:
    run("done", "week-5")
    assert store_file(isolated_home).is_file()
    written = {p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {isolated_home.name}


# ---------------------------------------------------------------------------
# Only the invoked command is built


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["progress", "--json"], "progress"),
        (["--version"], None),
        (["-h"], None),
        (["done", "week-5"], "done"),
        (["progres"], None),  # a typo: every command is built, so Typer can suggest one
        (["--", "done"], None),
        ([], None),
    ],
)
def test_invoked_command(words: list[str], expected: str | None) -> None:
    from mlroadmap.cli import invoked_command

    assert invoked_command(words) == expected


def test_command_words_come_from_the_shell_when_completing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mlroadmap.cli import _command_words

    monkeypatch.setenv("_MLROADMAP_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "mlroadmap done week-")
    monkeypatch.setenv("COMP_CWORD", "2")
    assert _command_words() == ["done"]
    monkeypatch.setenv("COMP_WORDS", "mlroadmap do")
    monkeypatch.setenv("COMP_CWORD", "1")
    assert _command_words() == []  # the command itself is being completed
    monkeypatch.delenv("COMP_WORDS")
    monkeypatch.setenv("_MLROADMAP_COMPLETE", "complete_zsh")
    monkeypatch.setenv("_TYPER_COMPLETE_ARGS", "mlroadmap show week")
    assert _command_words() == ["show"]


def test_run_builds_one_command_and_restores_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    from mlroadmap import cli

    before = list(cli.app.registered_commands)
    seen: list[list[str]] = []
    # Typer builds its commands from registered_commands when the app is called.
    monkeypatch.setattr(
        type(cli.app),
        "__call__",
        lambda self: seen.append([c.name or "" for c in self.registered_commands]),
    )
    monkeypatch.setattr(sys, "argv", ["mlroadmap", "next", "-n", "2"])
    assert cli.run() == 0
    monkeypatch.setattr(sys, "argv", ["mlroadmap", "--help"])
    assert cli.run() == 0
    assert seen == [["next"], [c.name for c in before]]
    assert cli.app.registered_commands == before
