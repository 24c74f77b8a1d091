"""Skills shared across roadmaps: learn it once, see it credited everywhere.

A skill is *learned in a roadmap* when every item of that roadmap that teaches
it is done. An item not done itself is *credited* when each skill it teaches
was learned in some other roadmap. Crediting never writes events: it is a
view of the log, and turning it off shows each roadmap counted alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from mlroadmap.models import Skill, SkillsCatalogue
from mlroadmap.progress import DONE, TODO

SKILLS_FILE = "skills.yaml"


def load(bundled_dir: Path) -> SkillsCatalogue:
    """The bundled skills catalogue (validated, cached like a roadmap)."""
    from mlroadmap.catalog import load_model

    path = bundled_dir / SKILLS_FILE
    if not path.exists():
        return SkillsCatalogue(skills=[])
    return load_model(path, SkillsCatalogue)


class SkillState(NamedTuple):
    skill: Skill
    learned_in: list[str]  # roadmaps where every item of the skill is done
    partly_in: list[str]  # roadmaps where some (not all) are done

    @property
    def learned(self) -> bool:
        return bool(self.learned_in)


def skill_states(
    catalogue: SkillsCatalogue, status: dict[tuple[str, str], str]
) -> list[SkillState]:
    states = []
    for skill in catalogue.skills:
        learned, partly = [], []
        for roadmap, items in skill.items.items():
            done = sum(status.get((roadmap, item), TODO) == DONE for item in items)
            if done == len(items):
                learned.append(roadmap)
            elif done:
                partly.append(roadmap)
        states.append(SkillState(skill, learned, partly))
    return states


def credits(
    catalogue: SkillsCatalogue, status: dict[tuple[str, str], str], roadmap: str
) -> dict[str, list[str]]:
    """Items of ``roadmap`` credited from others: item -> the roadmaps that credit it."""
    learned_in = {s.skill.id: s.learned_in for s in skill_states(catalogue, status)}
    taught: dict[str, list[str]] = {}
    for skill in catalogue.skills:
        for item in skill.items.get(roadmap, []):
            taught.setdefault(item, []).append(skill.id)
    result: dict[str, list[str]] = {}
    for item, skill_ids in taught.items():
        if status.get((roadmap, item), TODO) == DONE:
            continue
        sources: list[str] = []
        for skill_id in skill_ids:
            elsewhere = [r for r in learned_in[skill_id] if r != roadmap]
            if not elsewhere:
                break
            sources.extend(r for r in elsewhere if r not in sources)
        else:
            result[item] = sources
    return result


def partly_learned_items(
    catalogue: SkillsCatalogue, status: dict[tuple[str, str], str], roadmap: str
) -> dict[str, int]:
    """Items of ``roadmap`` whose skills are partly learned elsewhere: item -> how many skills."""
    states = {s.skill.id: s for s in skill_states(catalogue, status)}
    found: dict[str, int] = {}
    for skill in catalogue.skills:
        state = states[skill.id]
        if any(r != roadmap for r in (*state.learned_in, *state.partly_in)):
            for item in skill.items.get(roadmap, []):
                found[item] = found.get(item, 0) + 1
    return found
