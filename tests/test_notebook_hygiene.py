"""What every stored notebook must be like, read from its JSON (nothing is executed here).

nbval (run by the same `python -m pytest`) re-executes each notebook and
compares outputs; these tests check what nbval does not: that outputs are
stored at all, that they are clean, and that the course's structure and links
hold together.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
from scripts import load_script

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MAX_BYTES = 3_000_000
IGNORED_TAGS = {"nbval-ignore-output", "nbval-skip"}
REQUIRED_SECTIONS = ["## Overview", "## Prerequisites", "## Exercises", "## Summary", "## What's next", "## References"]


def load_navigation():
    return load_script("tools/navigation.py")


def code_cells(notebook):
    return [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]


def runs_code(source: str) -> bool:
    """False for a cell that only defines functions or classes (its prints run later)."""
    definitions = (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
    return not all(isinstance(node, definitions) for node in ast.parse(source).body)


def markdown(notebook) -> str:
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def test_the_course_has_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert names[0] == "00_start_here.ipynb", names
    numbers = [int(name[:2]) for name in names]
    assert numbers == list(range(len(names))), f"notebook numbers must run 00, 01, 02, ... without gaps: {names}"


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def notebook(request):
    path = request.param
    return path, nbformat.read(path, as_version=4)


def test_valid_format_and_standard_kernel(notebook):
    path, nb = notebook
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3", f"{path.name}: use the standard python3 kernelspec"
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes, over {MAX_BYTES}"


def test_executed_in_order_top_to_bottom(notebook):
    path, nb = notebook
    counts = [c.execution_count for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: re-execute it (execution counts {counts})"


def test_outputs_are_stored_and_clean(notebook):
    path, nb = notebook
    for index, cell in enumerate(code_cells(nb)):
        where = f"{path.name}, code cell {index + 1}"
        kinds = [output.output_type for output in cell.outputs]
        assert "error" not in kinds, f"{where}: a stored error"
        assert all(output.get("name") != "stderr" for output in cell.outputs), f"{where}: stored stderr text"
        assert "execution" not in cell.metadata, f"{where}: per-cell timing metadata is stored"
        if re.search(r"\bprint\(|plt\.show\(\)", cell.source) and runs_code(cell.source):
            assert cell.outputs, f"{where}: it prints or plots but has no stored output"
        if re.search(r"plt\.show\(\)", cell.source):
            assert any("image/png" in o.get("data", {}) for o in cell.outputs), f"{where}: no stored figure"
        if IGNORED_TAGS & set(cell.metadata.get("tags", [])):
            continue
        for output in cell.outputs:
            text = "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/plain", ""))
            assert not re.search(r" at 0x[0-9a-f]{6,}", text), f"{where}: a memory address in a compared output"
            assert "WARNING" not in text and "Warning:" not in text, f"{where}: a warning in the output"


def test_no_absolute_paths_of_any_machine(notebook):
    path, _ = notebook
    text = path.read_text(encoding="utf-8")
    # JSON doubles each backslash, so C:\Users is stored as C:\\Users
    found = re.findall(r"(?:/(?:home|root|tmp|work|Users)/[\w.-]+|[A-Z]:\\\\(?:Users|home)\b)", text)
    assert not found, f"{path.name}: absolute paths {sorted(set(found))[:5]}"


def test_structure_follows_the_template(notebook):
    path, nb = notebook
    text = markdown(nb)
    assert re.match(r"# \S", nb.cells[0].source), f"{path.name}: the first cell must be the # title"
    if path.name == "00_start_here.ipynb":
        return
    for heading in REQUIRED_SECTIONS:
        assert re.search(rf"^{re.escape(heading)}\s*$", text, flags=re.MULTILINE), f"{path.name}: no '{heading}'"
    assert "| Concept | Importance | Notes |" in text, f"{path.name}: no prerequisites table"
    assert re.search(r"Time to learn", text), f"{path.name}: no time to learn"


def test_navigation_cells_are_current():
    navigation = load_navigation()
    paths = navigation.course_notebooks()
    for index, path in enumerate(paths):
        top, bottom = navigation.navigation_cells(paths, index)
        sources = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]
        assert sources.count(top) == 1 and sources.count(bottom) == 1, (
            f"{path.name}: navigation is missing or stale; run python tools/navigation.py"
        )


# Links (files and #anchors, in notebooks and the markdown files) are checked by tests/test_links.py.


def test_readme_lists_every_notebook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in readme, f"README.md does not list {path.name}"


# --------------------------------------------------------------------------
# Checks kept out of the lesson's way, and exercises that never give themselves away

CHECK_TAG = "check"


def test_check_cells_are_collapsed_and_say_what_they_check(notebook):
    """A cell tagged `check` holds verification moved out of the lesson: collapsed, and labelled."""
    path, nb = notebook
    for index, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags", [])
        if CHECK_TAG not in tags:
            continue
        where = f"{path.name}, cell {index + 1}"
        assert cell.cell_type == "code", f"{where}: only code cells carry the '{CHECK_TAG}' tag"
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, (
            f"{where}: a '{CHECK_TAG}' cell is collapsed (metadata jupyter.source_hidden: true)"
        )
        assert cell.source.startswith("# Checks"), f"{where}: start a '{CHECK_TAG}' cell with '# Checks: ...'"
        assert "assert" in cell.source, f"{where}: a '{CHECK_TAG}' cell that asserts nothing checks nothing"


def _stored_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        parts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def test_exercise_cells_store_no_answer(notebook):
    """A learner's exercise cell is stored as a stub: its output is 'not attempted', never a verdict or a solution."""
    from helpers.exercises import NOT_ATTEMPTED

    path, nb = notebook
    for index, cell in enumerate(code_cells(nb)):
        where = f"{path.name}, code cell {index + 1}"
        assert not re.search(r"\.(solution|hint)\(\)", cell.source), f"{where}: a stored hint or solution"
        if re.search(r"\bq\d+\.check\(", cell.source):
            outputs = _stored_text(cell).strip().splitlines()
            assert outputs and all(line == NOT_ATTEMPTED for line in outputs), (
                f"{where}: an exercise cell must be stored with its stub, showing only {NOT_ATTEMPTED!r}"
            )


def test_no_solution_appears_in_a_stored_output():
    from helpers.exercises import all_exercises

    solution_lines = set()
    for exercise in all_exercises().values():
        for line in exercise._solution.splitlines():
            line = line.strip()
            if len(line) >= 20 and not line.startswith("#"):
                solution_lines.add(line)
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(code_cells(nb)):
            text = _stored_text(cell)
            leaked = sorted(line for line in solution_lines if line in text)
            assert not leaked, f"{path.name}, code cell {index + 1}: a stored output shows a solution: {leaked[:2]}"


def test_no_widget_view_with_a_random_model_id_is_stored(notebook):
    """A widget view names a random model id, so storing it would make every re-execution differ."""
    path, nb = notebook
    for index, cell in enumerate(code_cells(nb)):
        for output in cell.outputs:
            assert "application/vnd.jupyter.widget-view+json" not in output.get("data", {}), (
                f"{path.name}, code cell {index + 1}: re-execute it with tools/execute_notebooks.py"
            )


def test_every_figure_has_alt_text_that_says_what_it_shows(notebook):
    """Issue 21: myst-nb reads a figure's alt text from the cell's ``mystnb.image.alt``; a sentence, not a path."""
    path, nb = notebook
    for cell in code_cells(nb):
        if any("image/png" in output.get("data", {}) for output in cell.get("outputs", [])):
            alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
            assert alt.endswith(".") and 40 < len(alt) < 400, f"{path.name}: no alt text: {cell.source[:60]}"
