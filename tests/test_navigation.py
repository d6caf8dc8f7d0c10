"""`tools/navigation.py --check`: the navigation cells, 00's course map and the site's table of contents are current.

The first test runs the check on the repository itself. The others work on a
copy of the notebooks in a temporary folder and show that adding, renaming or
reordering a notebook makes the check fail until ``python tools/navigation.py``
has been run.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from scripts import load_script

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "navigation.py"


def _load():
    return load_script(SCRIPT)


navigation = _load()


def test_the_repository_is_current():
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def course(tmp_path):
    """A copy of the first three notebooks and the book folder, brought up to date."""
    (tmp_path / "notebooks").mkdir()
    for path in navigation.course_notebooks()[:3]:
        shutil.copy2(path, tmp_path / "notebooks" / path.name)
    shutil.copytree(ROOT / "book", tmp_path / "book")
    navigation.main(["--root", str(tmp_path)])
    assert navigation.main(["--root", str(tmp_path), "--check"]) == 0
    return tmp_path


def _map_rows(root: Path) -> list[str]:
    first = navigation.course_notebooks(root / "notebooks")[0]
    cells = nbformat.read(first, as_version=4).cells
    (course_map,) = [c.source for c in cells if c.source.startswith(navigation.COURSE_MAP)]
    return [line for line in course_map.splitlines() if line.startswith("| 0")]


def test_a_second_run_changes_nothing(course):
    before = {p.name: p.read_bytes() for p in (course / "notebooks").iterdir()}
    assert navigation.main(["--root", str(course)]) == 0
    assert before == {p.name: p.read_bytes() for p in (course / "notebooks").iterdir()}


def test_the_generated_parts(course):
    rows = _map_rows(course)
    assert [row[2:4] for row in rows] == ["00", "01", "02"]
    assert "[Compute a convolution by hand](02_convolution_by_hand.ipynb)" in rows[2] and rows[2].endswith("| 01 |")
    toc = (course / "book" / "_toc.yml").read_text()
    assert "root: 00_start_here\nchapters:\n- file: 01_images_as_arrays\n- file: 02_convolution_by_hand\n" in toc


def test_adding_a_notebook_is_caught(course, capsys):
    shutil.copy2(ROOT / "notebooks" / "02_convolution_by_hand.ipynb", course / "notebooks" / "03_extra.ipynb")
    assert navigation.main(["--root", str(course), "--check"]) == 1
    stale = capsys.readouterr().out
    assert "00_start_here.ipynb" in stale and "02_convolution_by_hand.ipynb" in stale and "book/_toc.yml" in stale
    navigation.main(["--root", str(course)])
    assert navigation.main(["--root", str(course), "--check"]) == 0
    assert len(_map_rows(course)) == 4 and "- file: 03_extra" in (course / "book" / "_toc.yml").read_text()


def test_renaming_a_notebook_is_caught(course):
    (course / "notebooks" / "02_convolution_by_hand.ipynb").rename(course / "notebooks" / "02_by_hand.ipynb")
    assert navigation.main(["--root", str(course), "--check"]) == 1
    navigation.main(["--root", str(course)])
    assert "(02_by_hand.ipynb)" in _map_rows(course)[2]


def test_reordering_notebooks_is_caught(course):
    folder = course / "notebooks"
    (folder / "01_images_as_arrays.ipynb").rename(folder / "tmp.ipynb")
    (folder / "02_convolution_by_hand.ipynb").rename(folder / "01_convolution_by_hand.ipynb")
    (folder / "tmp.ipynb").rename(folder / "02_images_as_arrays.ipynb")
    assert navigation.main(["--root", str(course), "--check"]) == 1
    navigation.main(["--root", str(course)])
    assert "Compute a convolution by hand" in _map_rows(course)[1]


def test_a_hand_edited_course_map_is_caught(course):
    first = course / "notebooks" / "00_start_here.ipynb"
    notebook = nbformat.read(first, as_version=4)
    for cell in notebook.cells:
        if cell.source.startswith(navigation.COURSE_MAP):
            cell.source += "\n| 99 | [Gone](99_gone.ipynb) | nothing | nothing |"
    nbformat.write(notebook, first)
    assert navigation.main(["--root", str(course), "--check"]) == 1


@pytest.mark.parametrize(
    ("line", "minutes"),
    [
        ("about 60 minutes, measured by reading pace: about 35 for the four sections and 25 for the exercises.", 60),
        ("about 70 minutes: 5 minutes for each of the nine sections, 10 for the two long ones", 70),
        ("about 60 minutes (seven sections; the first and the last are long), plus about 30 for the exercises.", 90),
        ("about 50 minutes for the six sections, plus about 20 for the exercises.", 70),
        (
            "about 45 minutes for the six sections (some 3,000 words at 200 a minute, and a minute for each of the 19 "
            "code cells and 7 figures), about 20 for the five exercises, and 5 more for the two optional asides.",
            70,
        ),
        ("about 40 minutes for the eight sections, about 25 for the six exercises, and 5 for the aside.", 70),
        ("about 15 minutes. The asides add about 3 minutes.", 15),
    ],
)
def test_the_time_a_notebook_states_is_read_as_its_total(line, minutes):
    assert navigation.minutes_stated(line) == minutes


def test_the_course_map_shows_each_notebooks_stated_time(course):
    rows = _map_rows(course)
    for row, path in zip(rows, navigation.course_notebooks(course / "notebooks"), strict=True):
        assert f" | {navigation.time_to_learn(path)} | " in row


def test_a_notebook_without_a_stated_time_is_refused_by_name(course, capsys):
    path = course / "notebooks" / "02_convolution_by_hand.ipynb"
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        cell.source = cell.source.replace("Time to learn", "Time to think")
    nbformat.write(notebook, path)
    with pytest.raises(SystemExit):
        navigation.main(["--root", str(course), "--check"])
    assert "02_convolution_by_hand.ipynb states no 'Time to learn" in capsys.readouterr().err
