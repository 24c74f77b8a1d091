"""The bundled skills catalogue (roadmaps/skills.yaml) against the bundled roadmaps.

Every mapped roadmap and item must exist, items must be leaves, and each skill
must span at least two roadmaps (a skill in one roadmap credits nothing). A
few spot checks pin known overlaps so that a wrong mapping fails.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import pytest
import yaml

from mlroadmap import paths
from mlroadmap.catalog import Catalog
from mlroadmap.models import Skill, SkillsCatalogue


@pytest.fixture(scope="module")
def catalogue() -> SkillsCatalogue:
    path = paths.bundled_roadmaps_dir() / "skills.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return SkillsCatalogue.validate(document)


@pytest.fixture
def catalog() -> Catalog:
    return Catalog()


@pytest.fixture(scope="module")
def skills(catalogue: SkillsCatalogue) -> dict[str, Skill]:
    return {skill.id: skill for skill in catalogue.skills}


def test_catalogue_is_not_a_roadmap(catalog: Catalog) -> None:
    assert "skills" not in catalog.ids()
    assert set(catalog.ids()) >= {
        "ml-12-weeks",
        "mle-6-months",
        "pro-mle",
        "advanced-mle",
        "stats-to-mle",
    }


def test_catalogue_has_many_skills(catalogue: SkillsCatalogue) -> None:
    assert 40 <= len(catalogue.skills) <= 80


def test_skill_ids_and_names_are_unique(catalogue: SkillsCatalogue) -> None:
    ids = Counter(skill.id for skill in catalogue.skills)
    names = Counter(skill.name.casefold() for skill in catalogue.skills)
    assert [i for i, n in ids.items() if n > 1] == []
    assert [i for i, n in names.items() if n > 1] == []


def test_mapped_roadmaps_exist(catalogue: SkillsCatalogue, catalog: Catalog) -> None:
    known = set(catalog.ids())
    unknown = {
        (skill.id, roadmap_id)
        for skill in catalogue.skills
        for roadmap_id in skill.items
        if roadmap_id not in known
    }
    assert unknown == set()


def test_mapped_items_exist_and_are_leaves(catalogue: SkillsCatalogue, catalog: Catalog) -> None:
    bad: list[str] = []
    for skill in catalogue.skills:
        for roadmap_id, item_ids in skill.items.items():
            index = catalog.get(roadmap_id).index
            leaves = set(index.leaves)
            for item_id in item_ids:
                if item_id not in leaves:
                    bad.append(f"{skill.id}: {roadmap_id}/{item_id}")
    assert bad == []


def test_every_skill_spans_two_roadmaps(catalogue: SkillsCatalogue) -> None:
    single = [skill.id for skill in catalogue.skills if len(skill.items) < 2]
    empty = [
        f"{skill.id}: {roadmap_id}"
        for skill in catalogue.skills
        for roadmap_id, item_ids in skill.items.items()
        if not item_ids
    ]
    assert single == []
    assert empty == []


def test_no_item_listed_twice_under_a_skill(catalogue: SkillsCatalogue) -> None:
    repeated = [
        f"{skill.id}: {roadmap_id}/{item_id}"
        for skill in catalogue.skills
        for roadmap_id, item_ids in skill.items.items()
        for item_id, count in Counter(item_ids).items()
        if count > 1
    ]
    assert repeated == []


def test_same_leaf_id_in_two_roadmaps_shares_a_skill(
    catalogue: SkillsCatalogue, catalog: Catalog
) -> None:
    """Leaves with one ID in several roadmaps (svm, cnn, oop, ...) teach the same thing."""
    leaves = {roadmap.id: set(roadmap.index.leaves) for roadmap in catalog.all()}
    missing: list[str] = []
    for first, second in combinations(sorted(leaves), 2):
        for item_id in sorted(leaves[first] & leaves[second]):
            shared = any(
                item_id in skill.items.get(first, []) and item_id in skill.items.get(second, [])
                for skill in catalogue.skills
            )
            if not shared:
                missing.append(f"{first}/{item_id} ~ {second}/{item_id}")
    assert missing == []


def _items(skill: Skill, roadmap_id: str) -> set[str]:
    return set(skill.items.get(roadmap_id, []))


def test_linear_regression(skills: dict[str, Skill]) -> None:
    skill = skills["linear-regression"]
    assert _items(skill, "ml-12-weeks") >= {"regression-algorithms", "regression-from-scratch"}
    assert "linear-regression" in _items(skill, "pro-mle")
    assert _items(skill, "advanced-mle") == {"linear-regression"}
    # The week-5 item names Ridge and Lasso too.
    assert "regression-algorithms" in _items(skills["ridge-lasso"], "ml-12-weeks")
    assert "ridge-lasso" in _items(skills["ridge-lasso"], "pro-mle")


def test_cnn_spans_at_least_three_roadmaps(skills: dict[str, Skill]) -> None:
    skill = skills["cnn"]
    assert len(skill.items) >= 3
    assert "cnn-architecture" in _items(skill, "ml-12-weeks")
    assert "cnn" in _items(skill, "pro-mle")
    assert "cnn" in _items(skill, "advanced-mle")
    assert "brain-tumor-cnn" in _items(skill, "stats-to-mle")


def test_sql(skills: dict[str, Skill]) -> None:
    skill = skills["sql"]
    assert _items(skill, "mle-6-months") == {"sql-khan-academy", "sql-kudvenkat"}
    assert _items(skill, "advanced-mle") == {"databases"}


def test_mlflow(skills: dict[str, Skill]) -> None:
    skill = skills["mlflow"]
    assert _items(skill, "ml-12-weeks") == {"mlflow-pipeline"}
    assert _items(skill, "mle-6-months") == {"mlflow-tutorials"}


def test_deployment_and_cloud(skills: dict[str, Skill]) -> None:
    assert "flask-deploy" in _items(skills["model-serving-api"], "pro-mle")
    assert "model-serving" in _items(skills["model-serving-api"], "mle-6-months")
    assert "flask-fastapi-deploy" in _items(skills["model-serving-api"], "ml-12-weeks")
    assert "ml-deployment" in _items(skills["model-deployment"], "stats-to-mle")
    assert _items(skills["sagemaker"], "pro-mle") == {"amazon-sagemaker"}
    assert _items(skills["sagemaker"], "stats-to-mle") == {"sagemaker-project"}
    assert "cloud" in _items(skills["cloud"], "advanced-mle")
    assert "cloud-deploy" in _items(skills["cloud"], "ml-12-weeks")


def test_tools_and_foundations(skills: dict[str, Skill]) -> None:
    assert _items(skills["docker"], "mle-6-months") == {"docker"}
    assert set(skills["ci-cd"].items) == {"ml-12-weeks", "mle-6-months", "advanced-mle"}
    assert set(skills["oop"].items) == {"pro-mle", "advanced-mle", "stats-to-mle"}
    assert "numpy-playlist" in _items(skills["numpy"], "mle-6-months")
    assert "pandas-playlist" in _items(skills["pandas"], "mle-6-months")
    assert "matplotlib-playlist" in _items(skills["matplotlib"], "mle-6-months")
    assert "calculus" in _items(skills["gradient-descent"], "advanced-mle")
    assert "calculus" in _items(skills["backpropagation"], "advanced-mle")
    assert "pretrained-models" in _items(skills["transfer-learning"], "pro-mle")
    assert "deep-learning-playlist" in _items(skills["rnn"], "mle-6-months")
    assert "pca" in _items(skills["pca"], "pro-mle")
