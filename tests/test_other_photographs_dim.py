"""Every notebook, top to bottom, on a dark, flat photograph (see ``tests/other_photographs.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from other_photographs import notebook_cases, run_on_photograph, write_lion_like

PHOTOGRAPH = "dim_astronaut"
pytestmark = pytest.mark.other_photographs


@pytest.fixture(scope="module")
def image(tmp_path_factory) -> Path:
    return write_lion_like(PHOTOGRAPH, tmp_path_factory.mktemp(PHOTOGRAPH))


@pytest.mark.parametrize("notebook", notebook_cases(PHOTOGRAPH))
def test_notebook_runs_on_a_dim_photograph(notebook: Path, image: Path) -> None:
    run_on_photograph(notebook, image)
