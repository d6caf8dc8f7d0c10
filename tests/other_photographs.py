"""Shared by ``tests/test_other_photographs_*.py``: every notebook, top to bottom, on another photograph.

The stored outputs all show the stand-in cat, and nbval compares them, so
nbval alone cannot tell whether a notebook's asserts and claims hold for the
photograph a learner actually gets (the 2016 lion, online) or any other. These
tests run every notebook with :data:`helpers.COURSE_IMAGE_ENV` pointing at a
photograph made lion-like (gray, 303x497, three equal channels, uint8: the
lion's layout), with every assert holding and no output compared.

One test module per photograph, since ``--dist loadfile`` sends each file to
one xdist worker: two files let the two workers share the runs. One test per
notebook, so a failure names the notebook, the cell and the error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scripts import load_script
from skimage import data

import helpers

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

#: The lion's layout: rows, columns (a 303x497 PNG with three equal channels).
LION_SHAPE = (303, 497)


def dim_astronaut() -> np.ndarray:
    """scikit-image's astronaut (CC0, NASA) dark and flat: 10 + 0.3 x its values, so nothing reaches 128.

    A learner's photograph may be under-exposed or hazy; a claim that needs bright and dark
    pixels, or strong edges, fails here first (a second reader found two such asserts in 03
    and 04 with photographs like this one).
    """
    return (10 + 0.3 * data.astronaut().astype(np.float64)).astype(np.uint8)


#: Photographs shipped inside scikit-image, none of them the stand-in (chelsea).
#: Licences, from their docstrings: camera, CC0 (Lav Varshney); coffee, CC0 (Rachel Michetti);
#: astronaut, public domain (NASA), here dimmed to a dark, low-contrast picture.
PHOTOGRAPHS: dict[str, Callable[[], np.ndarray]] = {
    "camera": data.camera,
    "coffee": data.coffee,
    "dim_astronaut": dim_astronaut,
}

#: (notebook stem, photograph) pairs that fail today, each with the failure it shows.
#: They are ``xfail(strict=True)``: the day one passes, the run fails until its entry
#: is removed here, so a fix cannot go unnoticed and a failure cannot hide.
#: Empty since issue 19's fix to 08 (its loss curves are now compared within a bound computed from the image's
#: condition number; measured: 08 passes on camera and coffee).
KNOWN_FAILURES_ON_OTHER_PHOTOGRAPHS: dict[tuple[str, str], str] = {}


def lion_like(pixels: np.ndarray) -> np.ndarray:
    """A photograph in the lion's layout: gray, the centre crop of the lion's aspect, 303x497, three equal channels.

    Examples
    --------
    >>> out = lion_like(np.zeros((512, 512), dtype=np.uint8))
    >>> out.shape, out.dtype
    ((303, 497, 3), dtype('uint8'))
    """
    gray = helpers.to_grayscale(pixels)
    rows, columns = gray.shape
    target_rows, target_columns = LION_SHAPE
    if rows * target_columns > columns * target_rows:  # too tall: crop rows
        keep = round(columns * target_rows / target_columns)
        top = (rows - keep) // 2
        gray = gray[top : top + keep]
    else:  # too wide: crop columns
        keep = round(rows * target_columns / target_rows)
        left = (columns - keep) // 2
        gray = gray[:, left : left + keep]
    resized = np.asarray(Image.fromarray(gray).resize((target_columns, target_rows), Image.Resampling.LANCZOS))
    return np.repeat(resized[..., None], 3, axis=2)


def write_lion_like(photograph: str, folder: Path) -> Path:
    """Write ``photograph`` made lion-like to ``folder`` as a PNG and return its path."""
    path = folder / f"{photograph}-lion-like.png"
    Image.fromarray(lion_like(PHOTOGRAPHS[photograph]())).save(path)
    return path


def notebook_cases(photograph: str) -> list:
    """One ``pytest.param`` per notebook, with the known failures on ``photograph`` marked strict xfail."""
    unknown = {pair for pair in KNOWN_FAILURES_ON_OTHER_PHOTOGRAPHS if pair[1] not in PHOTOGRAPHS}
    unknown |= {pair for pair in KNOWN_FAILURES_ON_OTHER_PHOTOGRAPHS if pair[0] not in {p.stem for p in NOTEBOOKS}}
    assert not unknown, f"KNOWN_FAILURES_ON_OTHER_PHOTOGRAPHS names no such notebook or photograph: {unknown}"
    cases = []
    for path in NOTEBOOKS:
        reason = KNOWN_FAILURES_ON_OTHER_PHOTOGRAPHS.get((path.stem, photograph))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        cases.append(pytest.param(path, id=path.stem, marks=marks))
    return cases


def _execute_notebooks_tool():
    return load_script("tools/execute_notebooks.py")


def run_on_photograph(notebook: Path, image: Path) -> None:
    """Run ``notebook`` top to bottom with the course image set to ``image``; fail naming the cell and error."""
    tool = _execute_notebooks_tool()
    try:
        tool.run_notebook(notebook, {helpers.COURSE_IMAGE_ENV: str(image)})
    except tool.NotebookCellError as error:
        failure = f"on {image.name}: {error}"
    else:
        return
    pytest.fail(failure, pytrace=False)  # outside the except block: no "during handling" chain
