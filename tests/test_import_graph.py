"""The helpers package imports one way: no module imports, directly or through others, one that imports it.

A cycle makes the result of ``import helpers.x`` depend on which module a
program happens to import first, and hides which module is the base of which.
The graph is read from the source (``import`` statements anywhere in a module,
inside functions too, since a deferred import is still a dependency), and each
module is also imported first, on its own, in a fresh interpreter.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

HELPERS = Path(__file__).resolve().parents[1] / "helpers"


def _module_name(path: Path) -> str:
    parts = path.relative_to(HELPERS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(HELPERS.rglob("*.py"))}


def _imports(name: str, path: Path) -> set[str]:
    """The helpers modules that ``name`` imports (``from helpers import fast`` counts as helpers.fast)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # a relative import
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        found.update(target for target in targets if target in MODULES and target != name)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of modules, or None (depth-first search)."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = "done"
        stack.pop()
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_graph_is_read():
    assert "helpers._window" in GRAPH["helpers.fast"]
    assert "helpers.fast" in GRAPH["helpers.convolution"]
    assert "helpers._compiled" in GRAPH["helpers.fast"]  # an import inside a function counts


def test_helpers_imports_have_no_cycle():
    assert _cycle(GRAPH) is None, f"import cycle: {' -> '.join(_cycle(GRAPH))}"


def test_the_window_arithmetic_sits_below_convolution_and_fast():
    assert GRAPH["helpers._window"] <= {"helpers._checks"}
    assert "helpers.convolution" not in GRAPH["helpers.fast"]


@pytest.mark.parametrize("name", sorted(name for name in MODULES if name.count(".") == 1))
def test_each_module_imports_first_in_a_fresh_interpreter(name):
    result = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
