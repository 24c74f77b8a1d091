"""A month of daily use: the answers a learner relies on, and the content they must see."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mlroadmap.skills import load
from mlroadmap.tracker import Tracker
from tests.cli_run import Clock, install_clock, run, run_json

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=timezone.utc)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return install_clock(monkeypatch, NOW)


def flat(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------
# Wrong answers


def credited_stats_item() -> tuple[str, list[str]]:
    """An item of stats-to-mle taught by one skill only, and that skill's pro-mle items."""
    catalogue = load(Tracker().catalog.bundled_dir)
    for skill in catalogue.skills:
        for item in skill.items.get("stats-to-mle", []):
            teaching = [s for s in catalogue.skills if item in s.items.get("stats-to-mle", [])]
            if len(teaching) == 1 and "pro-mle" in skill.items:
                return item, skill.items["pro-mle"]
    raise AssertionError("no stats-to-mle item is credited by pro-mle alone")


def test_quick_wins_lists_the_next_items_even_when_nothing_is_credited() -> None:
    plain = run_json("next", "-r", "stats-to-mle", "-n", "3")
    quick = run_json("next", "--quick-wins", "-r", "stats-to-mle", "-n", "3")
    assert [i["id"] for i in quick["items"]] == [i["id"] for i in plain["items"]]
    assert len(quick["items"]) == 3
    assert "Nothing left" not in run("next", "--quick-wins", "-r", "stats-to-mle").stdout


def test_quick_wins_puts_credited_items_first_then_the_rest() -> None:
    item, pro_items = credited_stats_item()
    run("done", "-r", "pro-mle", *pro_items)
    quick = run_json("next", "--quick-wins", "-r", "stats-to-mle", "-n", "7")["items"]
    credited = [i["id"] for i in quick if "credited_from" in i]
    assert item in credited
    assert [i["id"] for i in quick[: len(credited)]] == credited  # credited first
    assert len(quick) == 7  # then the others, in roadmap order


def test_log_lists_by_day_and_says_when_a_range_is_empty() -> None:
    run("done", "derivatives", "--on", "2026-11-10")
    run("done", "vectors-matrices", "--on", "2026-11-01")
    run("done", "gradient-descent")
    doc = run_json("log")
    assert [e["item"] for e in doc["events"]] == [
        "vectors-matrices",
        "derivatives",
        "gradient-descent",
    ]
    assert [e["day"] for e in doc["events"]] == ["2026-11-01", "2026-11-10", TODAY.isoformat()]
    empty = run("log", "--since", "2026-11-21")
    assert empty.stdout.strip() == "Nothing recorded since 2026-11-21."
    none_yet = run("log", "-r", "pro-mle")
    assert "Nothing recorded" in none_yet.stdout


def test_log_until_and_count_and_the_hint_about_earlier_entries() -> None:
    for n, item in enumerate(["vectors-matrices", "derivatives", "gradient-descent"], start=1):
        run("done", item, "--on", f"2026-11-0{n}")
    until = run_json("log", "--until", "2026-11-02")
    assert [e["item"] for e in until["events"]] == ["vectors-matrices", "derivatives"]
    last = run_json("log", "-n", "1")
    assert [e["item"] for e in last["events"]] == ["gradient-descent"]
    assert (last["matched"], last["shown"]) == (3, 1)
    view = run("log", "-n", "2").stdout
    assert "1 earlier entry not shown" in view
    assert "vectors-matrices" not in view
    every = run_json("log", "--all")
    assert every["shown"] == 3
    run("log", "-n", "2", "--all", code=2)
    run("log", "--since", "2026-11-05", "--until", "2026-11-01", code=2)


def test_log_shows_twenty_entries_by_default() -> None:
    run("done", "month-1")  # 20 items
    run("done", "week-5")
    doc = run_json("log")
    assert doc["shown"] == 20
    assert doc["matched"] == 24


def test_start_date_is_the_earliest_day_worked() -> None:
    run("done", "derivatives", "--on", "2026-11-10")
    run("done", "vectors-matrices", "--on", "2026-11-01")
    assert run_json("progress")["schedule"]["started"] == "2026-11-01"
    assert "started 2026-11-01" in flat(run("progress").stdout)
    config = run_json("config")
    assert config["started"] == {"ml-12-weeks": "2026-11-01"}


def test_use_start_refuses_the_future_and_says_the_date() -> None:
    future = (TODAY + timedelta(days=30)).isoformat()
    refused = run("use", "pro-mle", "--start", future, code=2)
    assert "in the future" in refused.stderr
    said = run("use", "pro-mle", "--start", "2026-10-01").stderr
    assert "Start date: 2026-10-01." in said
    run("done", "-r", "pro-mle", "python-basics", "--on", "2026-09-15")
    again = run("use", "pro-mle", "--start", "2026-10-01").stderr
    assert "work recorded from 2026-09-15" in flat(again)


def test_schedule_is_not_on_schedule_when_the_eta_is_past_the_end() -> None:
    start = TODAY - timedelta(weeks=1)
    run("use", "ml-12-weeks", "--start", start.isoformat())
    run("done", "week-1", "--on", start.isoformat())  # week 2 of 12, on week 2: on time
    text = flat(run("progress").stdout)
    # 5 items in 8 days: 53 to go takes far longer than the 11 weeks left
    assert "on schedule so far, and at this pace you finish" in text
    assert "after the planned end" in text
    doc = run_json("progress")
    assert doc["pace"]["eta"] > (start + timedelta(weeks=12)).isoformat()


def test_an_old_start_says_the_plan_has_ended_not_week_47_of_12() -> None:
    run("use", "ml-12-weeks", "--start", "2025-12-01")
    run("done", "week-1", "--on", "2025-12-05")
    text = flat(run("progress").stdout)
    assert "of 12" not in text
    assert "the planned 12 weeks ended 2026-02-22" in text
    assert "weeks behind" in text


def test_credit_shows_in_show_item_next_and_search() -> None:
    item, pro_items = credited_stats_item()
    run("done", "-r", "pro-mle", *pro_items)
    detail = run("show", "-r", "stats-to-mle", item).stdout
    assert detail.startswith(f"[c] {item}")
    assert "credited: its skills were learned in pro-mle" in flat(detail)
    coming = run("next", "-r", "stats-to-mle", "--quick-wins", "-n", "1").stdout
    assert coming.startswith("[c]")
    found = run("search", "-r", "stats-to-mle", item).stdout
    assert any(line.startswith("[c]") and item in line for line in found.splitlines())
    hits = run_json("search", "-r", "stats-to-mle", item)["results"]
    assert next(h for h in hits if h["id"] == item)["credited_from"] == ["pro-mle"]


def test_progress_done_column_counts_done_apart_from_skipped() -> None:
    run("done", "vectors-matrices", "probability-basics")
    run("skip", "descriptive-stats")
    out = run("progress").stdout
    row = next(line for line in out.splitlines() if line.startswith("month-1"))
    assert " 2/20 " in row
    assert "15%" in row  # settled: 3 of 20
    assert "(1 skipped)" in flat(out)


# ---------------------------------------------------------------------------
# Hidden content


def test_show_of_a_section_shows_its_description_and_links() -> None:
    out = run("show", "-r", "mle-6-months", "cs-principles").stdout
    text = flat(out)
    assert "only follow first 4 sections" in text
    assert "Khan Academy: AP Computer Science Principles, Computers 101" in text
    assert "khanacademy.org/computing/ap-computer-science-principles" in text
    assert out.splitlines()[0].startswith("cs-principles")
    assert "cs-digital-information" in out  # and its items


def test_show_of_a_roadmap_id_shows_the_roadmap() -> None:
    out = run("show", "pro-mle").stdout
    text = flat(out)
    assert out.startswith("pro-mle  Professional Machine Learning Engineer Pathway")
    assert "Source: Professional Machine Learning Engineer Pathway" in text
    assert "'mlroadmap use pro-mle' makes it the active roadmap" in text
    assert "python  1. Python Programming  0/8" in out


def test_items_are_accepted_as_the_tool_prints_them() -> None:
    detail = run("show", "pro-mle/linear-regression").stdout
    assert "linear-regression" in detail.splitlines()[0]
    assert "Professional Machine Learning Engineer Pathway" in detail
    said = run("done", "pro-mle/linear-regression").stderr
    assert "in pro-mle" in said
    assert run_json("show", "-r", "pro-mle", "linear-regression")["items"][0]["status"] == "done"
    both = run("done", "pro-mle/linear-regression", "ml-12-weeks/derivatives", code=2)
    assert "different roadmaps" in both.stderr
    run("note", "pro-mle/linear-regression", "fitted by hand")
    assert "fitted by hand" in run("show", "pro-mle/linear-regression").stdout


# ---------------------------------------------------------------------------
# What a user expects


def test_done_on_re_dates_an_item_already_done() -> None:
    run("done", "derivatives", "--on", "2026-11-10")
    said = run("done", "derivatives", "--on", "2026-11-03").stderr
    assert "Re-dated derivatives (done) to 2026-11-03 in ml-12-weeks." in flat(said)
    events = run_json("log", "--all")["events"]
    assert [(e["item"], e["day"]) for e in events][-1] == ("derivatives", "2026-11-10")
    assert run_json("show", "derivatives")["items"][0]["status"] == "done"
    assert "Status: done (since 2026-11-03)" in run("show", "derivatives").stdout
    same = run("done", "derivatives", "--on", "2026-11-03").stderr
    assert "already done" in same


def test_start_and_skip_take_on() -> None:
    run("start", "derivatives", "--on", "2026-11-05")
    run("skip", "descriptive-stats", "--on", "2026-11-06")
    days = {e["item"]: (e["action"], e["day"]) for e in run_json("log", "--all")["events"]}
    assert days["derivatives"] == ("start", "2026-11-05")
    assert days["descriptive-stats"] == ("skip", "2026-11-06")


def test_history_and_log_say_statuses_in_one_vocabulary() -> None:
    run("start", "derivatives")
    run("done", "derivatives")
    history = run("show", "derivatives").stdout
    assert "in progress" in history
    assert "  start" not in history
    log = run("log").stdout
    assert "in progress" in log
    assert " start " not in log


def test_reset_is_undo_by_another_name() -> None:
    run("done", "week-1")
    run("reset", "week-1")
    assert run_json("progress")["total"]["done"] == 0


def test_remove_an_imported_roadmap_keeps_its_ticks(tmp_path: Path) -> None:
    doc = tmp_path / "plan.md"
    doc.write_text("# Plan\n\n- [ ] First thing\n- [ ] Second thing\n", encoding="utf-8")
    run("import", str(doc), "--id", "plan")
    run("done", "-r", "plan", "first-thing")
    said = run("remove", "plan").stderr
    assert "Removed plan" in said
    assert "1 item is kept" in flat(said)
    assert "plan" not in [r["id"] for r in run_json("list")["roadmaps"]]
    refused = run("remove", "pro-mle", code=2)
    assert "comes with mlroadmap" in refused.stderr
    run("import", str(doc), "--id", "plan")
    assert run_json("show", "-r", "plan")["roadmap"]["done"] == 1


def test_bare_mlroadmap_prints_an_overview() -> None:
    run("done", "week-1")
    out = run().stdout
    assert out.startswith("ml-12-weeks  AI/ML Engineer")
    assert "5/63 done" in out
    assert "Next:" in out
    assert "derivatives" in out
    assert "Streak: 1 day" in out


def test_config_json_names_where_everything_lives(isolated_home: Path) -> None:
    doc = run_json("config")
    assert doc["settings"] == {"shared-credit": "on"}
    assert doc["active"] == "ml-12-weeks"
    assert doc["data_dir"] == str(isolated_home)
    assert doc["store"] == str(isolated_home / "store.json")


def test_merge_and_doctor_count_in_words(tmp_path: Path, isolated_home: Path) -> None:
    run("done", "vectors-matrices")
    other = tmp_path / "other.json"
    other.write_bytes((isolated_home / "store.json").read_bytes())
    run("undo", "vectors-matrices")
    said = run("merge", str(other)).stderr
    assert "0 new events" in said
    assert "events(s)" not in said


# ---------------------------------------------------------------------------
# Terminal manners


@pytest.mark.parametrize("command", ["done", "show", "log", "config", "export", "validate"])
def test_help_names_values_as_people_write_them(command: str) -> None:
    out = run(command, "--help").stdout
    for python_ish in ("<list[str]>", "<str>", "<int>", "{items}", "<path>"):
        assert python_ish not in out
    assert "Example" in out


def test_help_lists_examples_one_a_line_and_summaries_whole() -> None:
    done = run("done", "--help").stdout
    examples = [line.strip() for line in done.splitlines() if line.strip().startswith("mlroadmap")]
    assert examples[:2] == [
        "mlroadmap done week-5",
        'mlroadmap done gradient-descent --note "notebook: https://..."',
    ]
    top = run("--help").stdout
    assert "..." not in top.split("Commands:")[1].replace("ITEM...", "")
    assert "default: every roadmap" in flat(run("log", "--help").stdout)
    assert "default: every roadmap" in flat(run("search", "--help").stdout)


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mlroadmap", *args],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )


def test_piped_output_is_not_wrapped_and_has_no_trailing_spaces() -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    _cli("done", "week-1", env=env)
    for args in (["progress"], ["show"], ["next"], ["log"], ["list"]):
        out = _cli(*args, env=env)
        assert out.returncode == 0, out.stderr
        lines = out.stdout.splitlines()
        assert all(line == line.rstrip() for line in lines), args
    progress = _cli("progress", env=env).stdout
    assert "month-1  Month 1: Foundations of Mathematics and Python for ML" in progress


@pytest.mark.parametrize(
    "args", [["progress"], ["log", "--calendar"], ["show"], [], ["list"], ["skills"]]
)
@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_output_that_cannot_encode_blocks_degrades_to_ascii(args: list[str], encoding: str) -> None:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    _cli("done", "week-1", env=env)
    out = _cli(*args, env=env)
    assert out.returncode == 0, out.stderr
    assert "Error" not in out.stderr
    if args == ["progress"]:
        assert "#####" in out.stdout
        assert "█" not in out.stdout


def test_narrow_terminal_keeps_ids_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    out = run("progress").stdout
    for section in ("month-1", "month-2", "month-3", "resources"):
        assert any(line.startswith(section + " ") for line in out.splitlines())
    assert max(len(line) for line in out.splitlines()) <= 60


def test_validate_a_markdown_file_suggests_import(tmp_path: Path) -> None:
    doc = tmp_path / "plan.md"
    doc.write_text("# Plan\n\n- [ ] One\n", encoding="utf-8")
    result = run("validate", str(doc), code=2)
    assert result.stdout == (
        f"{doc}:1: this is a Markdown document, not a roadmap file; "
        f"'mlroadmap import {doc}' turns it into one\n"
    )


def test_validate_checks_the_skills_catalogue_as_one() -> None:
    bundled = Tracker().catalog.bundled_dir
    files = sorted(str(p) for p in bundled.glob("*.yaml"))
    doc = run_json("validate", *files)
    by_name = {Path(f["path"]).name: f for f in doc["files"]}
    assert by_name["skills.yaml"]["ok"] is True
    assert by_name["skills.yaml"]["kind"] == "skills"
    assert all(f["ok"] for f in doc["files"])
    assert "a skills catalogue, " in run("validate", str(bundled / "skills.yaml")).stdout


def test_validate_reports_a_broken_skills_catalogue(tmp_path: Path) -> None:
    bad = tmp_path / "skills.yaml"
    bad.write_text("skills:\n  - id: x\n    name: X\n    items: {}\n", encoding="utf-8")
    out = run("validate", str(bad), code=2).stdout
    assert out.startswith(f"{bad}:")
    assert "items" in out


@pytest.mark.parametrize("columns", ["60", "50", "80"])
def test_log_never_splits_an_id_on_a_narrow_terminal(
    columns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    run("done", "basic-stats-on-data", "numpy-vector-ops")
    out = run("log").stdout
    words = out.split()
    assert "ml-12-weeks/basic-stats-on-data" in words
    assert "ml-12-weeks/numpy-vector-ops" in words
    assert max(len(line) for line in out.splitlines()) <= int(columns)


# ---------------------------------------------------------------------------
# A real undo, and notes that can be changed


def statuses(*items: str) -> dict[str, tuple[str, str | None]]:
    shown = {}
    for item in items:
        node = run_json("show", item)["items"][0]
        shown[item] = (node["status"], None)
    return shown


def test_undo_takes_back_the_last_change_then_the_one_before() -> None:
    run("done", "week-1", "--on", "2026-11-02")
    run("start", "derivatives")
    run("done", "derivatives", "--note", "solved all exercises")
    said = run("undo").stderr
    assert "(done: derivatives)" in flat(said)
    assert "It is back to in progress." in flat(said)
    assert run_json("show", "derivatives")["items"][0]["status"] == "start"
    assert "solved all exercises" not in run("show", "derivatives").stdout
    run("undo")  # the start
    assert run_json("show", "derivatives")["items"][0]["status"] == "todo"
    said = run("undo").stderr  # week-1, five items
    assert "They are back to to do." in flat(said)
    assert run_json("progress")["total"]["done"] == 0
    refused = run("undo", code=2)
    assert "nothing to undo" in refused.stderr


def test_undo_restores_the_earlier_date_of_a_re_dated_tick() -> None:
    run("done", "derivatives", "--on", "2026-11-10")
    run("done", "derivatives", "--on", "2026-11-03")
    run("undo")
    assert "Status: done (since 2026-11-10)" in run("show", "derivatives").stdout
    history = run("show", "derivatives").stdout
    assert "(undo)" in history


def test_undo_is_recorded_and_an_undo_is_not_undone_by_the_next() -> None:
    run("done", "derivatives")
    run("done", "optimizers")
    run("undo")
    run("undo")
    events = run_json("log", "--all")["events"]
    assert [e["action"] for e in events] == ["done", "done", "todo", "todo"]
    assert run_json("progress")["total"]["done"] == 0
    assert run_json("log", "--calendar")["active_days"] == 1  # an undo is no day's work


def test_undo_item_still_means_back_to_to_do() -> None:
    run("done", "week-1")
    run("undo", "vectors-matrices")
    assert run_json("progress")["total"]["done"] == 4
    run("undo", "-r", "ml-12-weeks", code=2)


def test_notes_are_numbered_and_can_be_edited_and_deleted() -> None:
    run("note", "derivatives", "first thought")
    run("note", "derivatives", "second thought")
    run("note", "derivatives", "third thought")
    shown = run("show", "derivatives").stdout
    assert "1. first thought" in shown
    assert "3. third thought" in shown
    said = run("note", "derivatives", "--edit", "2", "a better second thought").stderr
    assert "Replaced note 2 of derivatives" in said
    run("note", "derivatives", "--delete", "1")
    shown = run("show", "derivatives").stdout
    assert "first thought" not in shown
    assert "1. a better second thought" in shown
    assert "2. third thought" in shown
    tree = run("show", "week-2").stdout
    assert "(2 notes)" in tree
    assert [n["text"] for n in run_json("show", "derivatives")["items"][0]["notes"]] == [
        "a better second thought",
        "third thought",
    ]
    missing = run("note", "derivatives", "--delete", "5", code=2)
    assert "has no note 5: it has 2 notes" in missing.stderr
    run("note", "derivatives", "--edit", "1", "--delete", "1", code=2)
    run("note", "derivatives", code=2)


def test_undo_of_a_note_removes_it_and_an_edit_is_undone_too() -> None:
    run("note", "derivatives", "keep me")
    run("note", "derivatives", "--edit", "1", "changed")
    run("undo")  # the edit
    assert "1. keep me" in run("show", "derivatives").stdout
    run("undo")  # the note itself
    assert "keep me" not in run("show", "derivatives").stdout
    assert "note" not in run("show", "week-2").stdout


def test_a_broken_store_line_is_reported_without_at_at(isolated_home: Path) -> None:
    run("done", "derivatives")
    with (isolated_home / "store.json").open("a", encoding="utf-8") as store:
        store.write('{"id": "unterminated\n')
    result = run("progress", code=1)
    assert "Unterminated string starting at; column" in flat(result.stderr)
    assert "at at" not in result.stderr
