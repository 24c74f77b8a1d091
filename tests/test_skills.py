"""Skills across roadmaps: an item done in one roadmap credits the same skill elsewhere."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from mlroadmap.catalog import Catalog
from mlroadmap.cli import app
from mlroadmap.models import Skill, SkillsCatalogue
from mlroadmap.skills import credits, load, partly_learned_items, skill_states

runner = CliRunner()

CATALOGUE = SkillsCatalogue(
    skills=[
        Skill(
            id="lr", name="Linear Regression", items={"a": ["lr-1", "lr-2"], "b": ["regression"]}
        ),
        Skill(id="ridge", name="Ridge", items={"a": ["ridge"], "b": ["regression"]}),
    ]
)


def test_a_skill_is_learned_when_all_its_items_in_a_roadmap_are_done() -> None:
    partly = {("a", "lr-1"): "done"}
    states = {s.skill.id: s for s in skill_states(CATALOGUE, partly)}
    assert (states["lr"].learned_in, states["lr"].partly_in) == ([], ["a"])
    full = {("a", "lr-1"): "done", ("a", "lr-2"): "done"}
    states = {s.skill.id: s for s in skill_states(CATALOGUE, full)}
    assert states["lr"].learned_in == ["a"]
    assert not states["ridge"].learned


def test_an_item_is_credited_only_when_every_skill_it_teaches_is_learned_elsewhere() -> None:
    status = {("a", "lr-1"): "done", ("a", "lr-2"): "done"}
    assert credits(CATALOGUE, status, "b") == {}  # ridge is not learned yet
    status[("a", "ridge")] = "done"
    assert credits(CATALOGUE, status, "b") == {"regression": ["a"]}
    assert credits(CATALOGUE, status, "a") == {}  # a roadmap never credits itself
    status[("b", "regression")] = "done"
    assert credits(CATALOGUE, status, "b") == {}  # done items are not "credited"
    assert partly_learned_items(CATALOGUE, {("b", "regression"): "done"}, "a") == {
        "lr-1": 1,
        "lr-2": 1,
        "ridge": 1,
    }


def _items(doc: dict[str, object]) -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = {}

    def visit(nodes: list[dict[str, object]]) -> None:
        for n in nodes:
            found[str(n["id"])] = n
            visit(n.get("children", []))  # type: ignore[arg-type]

    visit(doc["items"])  # type: ignore[arg-type]
    return found


def _credited_pair() -> tuple[str, str, str]:
    """A skill whose items in pro-mle, once done, credit an item of ml-12-weeks."""
    catalogue = load(Catalog().bundled_dir)
    for skill in catalogue.skills:
        if "pro-mle" in skill.items and "ml-12-weeks" in skill.items:
            target = skill.items["ml-12-weeks"][0]
            others = [s for s in catalogue.skills if target in s.items.get("ml-12-weeks", [])]
            if len(others) == 1:
                return skill.id, target, " ".join(skill.items["pro-mle"])
    raise AssertionError("the catalogue shares no single-skill item of pro-mle and ml-12-weeks")


def test_show_and_progress_credit_across_roadmaps_and_can_turn_it_off() -> None:
    _, target, pro_items = _credited_pair()
    assert runner.invoke(app, ["done", "-r", "pro-mle", *pro_items.split()]).exit_code == 0
    shown = _items(json.loads(runner.invoke(app, ["show", "--json"]).stdout))
    assert shown[target]["status"] == "todo"
    assert shown[target]["credited_from"] == ["pro-mle"]
    progress = json.loads(runner.invoke(app, ["progress", "--json"]).stdout)
    assert progress["total"]["done"] == 0
    assert progress["total"]["credited"] >= 1
    table = runner.invoke(app, ["progress"]).stdout
    assert "credited" in table
    alone = json.loads(runner.invoke(app, ["progress", "--json", "--no-credit"]).stdout)
    assert alone["total"]["credited"] == 0
    assert (
        "credited_from"
        not in _items(json.loads(runner.invoke(app, ["show", "--json", "--no-credit"]).stdout))[
            target
        ]
    )
    assert runner.invoke(app, ["config", "shared-credit", "off"]).stdout == "shared-credit = off\n"
    off = json.loads(runner.invoke(app, ["progress", "--json"]).stdout)
    assert off["total"]["credited"] == 0
    on = json.loads(runner.invoke(app, ["progress", "--json", "--credit"]).stdout)
    assert on["total"]["credited"] == progress["total"]["credited"]


def test_show_marks_credited_items_with_c() -> None:
    _, target, pro_items = _credited_pair()
    runner.invoke(app, ["done", "-r", "pro-mle", *pro_items.split()])
    out = runner.invoke(app, ["show"]).stdout
    line = next(line for line in out.splitlines() if f" {target} " in line)
    assert "[c]" in line


def test_skills_table_and_todo() -> None:
    skill, _, pro_items = _credited_pair()
    runner.invoke(app, ["done", "-r", "pro-mle", *pro_items.split()])
    doc = json.loads(runner.invoke(app, ["skills", "--json"]).stdout)
    by_id = {s["id"]: s for s in doc["skills"]}
    assert by_id[skill]["learned"] is True
    assert by_id[skill]["roadmaps"]["pro-mle"]["status"] == "learned"
    assert by_id[skill]["roadmaps"]["ml-12-weeks"]["status"] == "todo"
    todo = runner.invoke(app, ["skills", "--todo"]).stdout
    assert f" {skill} " not in todo
    table = runner.invoke(app, ["skills"]).stdout.splitlines()
    # The columns are headed by the roadmaps' IDs, broken after a dash.
    assert "ml-12-" in table[0]
    assert "weeks" in table[1]
    header = next(line for line in table[:2] if "pro-mle" in line)
    column = header.index("pro-mle")
    row = next(line for line in table if line.startswith(f"{skill} "))
    assert row[column : column + len("pro-mle")].strip() == "x"
    spans = [len(s["roadmaps"]) for s in doc["skills"] if not s["learned"]]
    todo_json = json.loads(runner.invoke(app, ["skills", "--todo", "--json"]).stdout)
    assert [len(s["roadmaps"]) for s in todo_json["skills"]] == sorted(spans, reverse=True)


def test_next_quick_wins_puts_credited_items_first() -> None:
    _, target, pro_items = _credited_pair()
    runner.invoke(app, ["done", "-r", "pro-mle", *pro_items.split()])
    plain = json.loads(runner.invoke(app, ["next", "-n", "3", "--json"]).stdout)
    assert plain["items"][0]["id"] == "vectors-matrices"
    quick = json.loads(runner.invoke(app, ["next", "--quick-wins", "-n", "3", "--json"]).stdout)
    assert target in [i["id"] for i in quick["items"]]


def test_config_refuses_unknown_settings_and_values() -> None:
    assert runner.invoke(app, ["config", "colour", "on"]).exit_code == 2
    assert runner.invoke(app, ["config", "shared-credit", "maybe"]).exit_code == 2
    assert runner.invoke(app, ["config", "shared-credit"]).stdout == "shared-credit = on\n"
    shown = runner.invoke(app, ["config"]).stdout.splitlines()
    assert shown[:2] == ["shared-credit = on", "active = ml-12-weeks"]
