"""The bundled skills catalogue (roadmaps/skills.yaml) against the bundled roadmaps.

Every mapped roadmap and item must exist, items must be leaves, and each skill
must span at least two roadmaps (a skill in one roadmap credits nothing). A
few spot checks pin known overlaps so that a wrong mapping fails.
"""

from __future__ import annotations

import re
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


# A leaf whose title names a skill's subject teaches that skill. Each pattern
# is matched against every leaf title of every bundled roadmap, so a leaf that
# names the subject but is missing from the skill fails the test below.
NAMED_IN_TITLE: dict[str, str] = {
    "python": r"(?<!opencv-)\bpython\b",
    "oop": r"object.oriented|\boop\b",
    "data-structures-algorithms": r"data structures",
    "sql": r"\bsql\b",
    "nosql": r"nosql|mongodb",
    "docker": r"docker",
    "ci-cd": r"\bci/cd\b",
    "spark": r"spark",
    "numpy": r"numpy",
    "pandas": r"pandas",
    "matplotlib": r"matplotlib",
    "seaborn": r"seaborn",
    "scikit-learn": r"scikit-learn|sklearn|gridsearchcv",
    "linear-algebra": r"linear algebra|matri(x|ces)",
    "calculus": r"calculus|derivative",
    "gradient-descent": r"gradient descent|\badam\b|rmsprop|\bsgd\b",
    "probability": r"probability",
    "hypothesis-testing": r"hypothesis|\banova\b|chi-square test|normality test|t-test|ab testing",
    "eda": r"\beda\b|exploratory data analysis",
    "missing-values": r"missing values",
    "feature-engineering": r"feature engineering|encoding",
    "linear-regression": r"(?<!non-)linear regression",
    "ridge-lasso": r"ridge|lasso",
    "regularization": r"regulari[sz]ation",
    "logistic-regression": r"logistic regression",
    "decision-trees": r"decision tree",
    "random-forest": r"random forest",
    "svm": r"support vector",
    "naive-bayes": r"naive bayes",
    "k-means": r"k-?means",
    "pca": r"\bpca\b|principal component",
    "overfitting": r"overfitting|bias-variance",
    "cross-validation": r"cross.validat",
    "hyperparameter-tuning": r"hyperparameter|grid search",
    "evaluation-metrics": r"evaluation metrics",
    "perceptron": r"perceptron",
    "activation-functions": r"activation functions",
    "backpropagation": r"backpropagation",
    "cnn": r"\bcnns?\b|convolution|resnet|vgg|alexnet",
    "transfer-learning": r"transfer learning|pretrained",
    "rnn": r"recurrent|\brnn\b",
    "gan": r"generative adversarial",
    "text-preprocessing": r"text data|text preprocessing",
    "language-models": r"language model",
    "model-deployment": r"deploy|serving|serialization",
    "model-serving-api": r"flask|fastapi|rest api",
    "mlflow": r"mlflow",
    "cloud": r"\baws\b|amazon (?!alexa)|cloud",
    "sagemaker": r"sagemaker",
    "end-to-end-project": r"end-to-end",
}

# Leaves that name a subject without teaching it, with the reason.
NAMED_BUT_NOT_TAUGHT: dict[tuple[str, str, str], str] = {
    ("python", "ml-12-weeks", "gradient-descent-scratch"): "Python is the tool, not the topic",
    ("python", "ml-12-weeks", "deep-learning-python-book"): "a whole book on deep learning",
    ("scikit-learn", "ml-12-weeks", "hands-on-ml-book"): "a whole book on ML, not only one library",
    ("model-deployment", "advanced-mle", "services"): "APIs and containers for any service",
    ("model-deployment", "advanced-mle", "deployment-infrastructure"): (
        "building MLOps infrastructure, an advanced target"
    ),
}


def test_every_leaf_naming_a_skill_is_mapped_to_it(
    catalogue: SkillsCatalogue, catalog: Catalog
) -> None:
    by_id = {skill.id: skill for skill in catalogue.skills}
    assert set(NAMED_IN_TITLE) <= set(by_id)
    missing: list[str] = []
    for roadmap in catalog.all():
        for item_id in roadmap.index.leaves:
            title = roadmap.index.node(item_id).title.casefold()
            for skill_id, pattern in NAMED_IN_TITLE.items():
                if not re.search(pattern, title):
                    continue
                if (skill_id, roadmap.id, item_id) in NAMED_BUT_NOT_TAUGHT:
                    continue
                if item_id not in by_id[skill_id].items.get(roadmap.id, []):
                    missing.append(f"{skill_id}: {roadmap.id}/{item_id}")
    assert missing == []


def test_named_but_not_taught_entries_still_name_the_skill(catalog: Catalog) -> None:
    """An exemption whose leaf no longer names the subject is stale and must go."""
    stale = [
        key
        for key in NAMED_BUT_NOT_TAUGHT
        if not re.search(
            NAMED_IN_TITLE[key[0]], catalog.get(key[1]).index.node(key[2]).title.casefold()
        )
    ]
    assert stale == []


@pytest.mark.parametrize(
    ("skill_id", "roadmap_id", "item_ids"),
    [
        ("gradient-descent", "ml-12-weeks", {"optimizers"}),
        ("scikit-learn", "ml-12-weeks", {"gridsearchcv"}),
        (
            "hypothesis-testing",
            "pro-mle",
            {"chi-square-test", "anova", "one-two-way-anova", "normality-test"},
        ),
        (
            "cloud",
            "pro-mle",
            {
                "aws-deep-learning",
                "amazon-rekognition",
                "amazon-textract",
                "amazon-transcribe",
                "aws-polly",
                "amazon-lex",
                "amazon-sagemaker",
            },
        ),
        ("cnn", "ml-12-weeks", {"resnet-vgg-transfer"}),
        ("cnn", "pro-mle", {"pretrained-models"}),
        ("model-deployment", "ml-12-weeks", {"model-serialization"}),
        ("python", "stats-to-mle", {"python-oop"}),
        ("python", "pro-mle", {"oop"}),
        ("end-to-end-project", "stats-to-mle", {"sagemaker-project", "brain-tumor-cnn"}),
        ("cloud", "stats-to-mle", {"brain-tumor-cnn"}),
        ("end-to-end-project", "ml-12-weeks", {"combine-techniques", "end-to-end-system"}),
        ("matplotlib", "ml-12-weeks", {"plot-loss-minimization"}),
        ("feature-engineering", "ml-12-weeks", {"categorical-text-data"}),
        ("model-serving-api", "advanced-mle", {"serving-hosting"}),
    ],
)
def test_known_overlaps_are_mapped(
    skills: dict[str, Skill], skill_id: str, roadmap_id: str, item_ids: set[str]
) -> None:
    assert item_ids <= _items(skills[skill_id], roadmap_id)


def test_hypothesis_testing_leaves_out_feature_selection(skills: dict[str, Skill]) -> None:
    """Chi-square as a feature score does not teach hypothesis testing."""
    assert "ml-12-weeks" not in skills["hypothesis-testing"].items
