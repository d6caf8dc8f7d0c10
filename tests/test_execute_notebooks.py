"""tools/execute_notebooks.run_notebook, used by the other-photograph tests: its environment and failure report."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pytest
from other_photographs import LION_SHAPE, PHOTOGRAPHS, lion_like
from scripts import load_script

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tool():
    return load_script("tools/execute_notebooks.py")


def _notebook(tmp_path: Path, *sources: str) -> Path:
    cells = [nbformat.v4.new_markdown_cell("# a title")] + [nbformat.v4.new_code_cell(s) for s in sources]
    path = tmp_path / "small.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def test_a_failing_cell_is_reported_by_notebook_cell_and_line(tool, tmp_path):
    path = _notebook(tmp_path, "x = 1", "y = 2\nassert x == y\nprint('never')")
    with pytest.raises(tool.NotebookCellError) as raised:
        tool.run_notebook(path)
    first_line = str(raised.value).splitlines()[0]
    assert first_line == "small.ipynb, cell 2: AssertionError: at line 2: assert x == y"
    assert "\x1b[" not in str(raised.value)  # no terminal colours in a test report


def test_the_course_image_comes_only_from_the_argument(tool, tmp_path, monkeypatch):
    path = _notebook(tmp_path, "import os\nprint(os.environ.get('CONVOLUTION_COURSE_IMAGE'))")
    written = path.read_bytes()
    monkeypatch.setenv("CONVOLUTION_COURSE_IMAGE", "/set/in/the/shell.png")  # never reaches a stored output
    assert tool.run_notebook(path).cells[1].outputs[0]["text"] == "None\n"
    chosen = tool.run_notebook(path, {"CONVOLUTION_COURSE_IMAGE": "/chosen.png"})
    assert chosen.cells[1].outputs[0]["text"] == "/chosen.png\n"
    assert path.read_bytes() == written  # run, not written back


@pytest.mark.parametrize("photograph", sorted(PHOTOGRAPHS))
def test_the_other_photographs_are_lion_like_and_natural(photograph):
    image = lion_like(PHOTOGRAPHS[photograph]())
    assert image.shape == (*LION_SHAPE, 3) and image.dtype == np.uint8
    assert np.array_equal(image[..., 0], image[..., 1]) and np.array_equal(image[..., 1], image[..., 2])
    # a photograph, not a flat or posterised image (the dimmed astronaut keeps 84 gray levels of its 256)
    assert image.std() > 20 and np.unique(image).size > 60
