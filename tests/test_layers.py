"""The package's imports follow the README's code map: down the layers, never in a cycle."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "src" / "mlroadmap"
ROW = re.compile(r"^\| `(?P<module>[\w]+)` \| (?P<layer>[a-z]+) \|")


def code_map() -> tuple[dict[str, str], list[str]]:
    """The README's code map: module -> layer, and the layers from the bottom up."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Code map", 1)[1].split("\n## ", 1)[0]
    modules: dict[str, str] = {}
    layers: list[str] = []
    for line in section.splitlines():
        match = ROW.match(line)
        if match:
            modules[match["module"]] = match["layer"]
            if match["layer"] not in layers:
                layers.append(match["layer"])
    return modules, layers


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path) -> set[str]:
    """The package modules a file imports, at the top or inside functions; not for types only."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[0] == "mlroadmap":
                if len(parts) > 1:
                    found.add(parts[1])
                else:
                    found.update(a.name for a in node.names if (PACKAGE / f"{a.name}.py").exists())
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "mlroadmap" and len(parts) > 1:
                    found.add(parts[1])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    found.discard(path.stem)
    return found


def graph() -> dict[str, set[str]]:
    return {p.stem: imports_of(p) for p in sorted(PACKAGE.glob("*.py"))}


def test_every_module_is_on_the_code_map_and_nothing_else() -> None:
    modules, _ = code_map()
    assert set(modules) == set(graph())


def climbs(edges: dict[str, set[str]], modules: dict[str, str], layers: list[str]) -> list[str]:
    rank = {layer: n for n, layer in enumerate(layers)}
    return [
        f"{module} ({modules[module]}) imports {target} ({modules[target]})"
        for module, targets in edges.items()
        for target in sorted(targets)
        if rank[modules[target]] > rank[modules[module]]
    ]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(edges.get(module, ())):
            if state.get(target) == 1:
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
    return found


def test_imports_never_climb_a_layer() -> None:
    modules, layers = code_map()
    assert climbs(graph(), modules, layers) == []


def test_imports_have_no_cycle() -> None:
    assert cycles(graph()) == []


def test_the_checks_see_lazy_imports_and_skip_type_only_ones(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "from mlroadmap import fsio\n"
        "if TYPE_CHECKING:\n"
        "    from mlroadmap.cli import app\n"
        "def f():\n"
        "    from mlroadmap.store import Store\n"
        "    import mlroadmap.views\n",
        encoding="utf-8",
    )
    assert imports_of(sample) == {"fsio", "store", "views"}


def test_a_climb_and_a_cycle_are_caught() -> None:
    modules, layers = code_map()
    assert layers[0] == "base"
    assert layers[-1] == "cli"
    edges = {"fsio": {"cli"}, "cli": {"fsio"}, "store": {"catalog"}, "catalog": {"store"}}
    assert climbs(edges, modules, layers) == ["fsio (base) imports cli (cli)"]
    assert cycles(edges) == [["catalog", "store", "catalog"], ["cli", "fsio", "cli"]]
