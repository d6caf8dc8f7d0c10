"""The maintenance tools at their edges: they check their arguments first and never leave a half-written course.

Every test works on copies of notebooks in a temporary folder, never on the
worktree's notebooks.
"""

from __future__ import annotations

import builtins
import io
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from scripts import load_script

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"


def _load(name: str):
    return load_script(TOOLS / f"{name}.py", name=f"tool_{name}")


navigation = _load("navigation")
fix_links = _load("fix_links")
execute_notebooks = _load("execute_notebooks")


@pytest.fixture
def course(tmp_path):
    """A copy of notebooks 00-04 and the book folder, with current navigation and links."""
    (tmp_path / "notebooks").mkdir()
    for path in sorted((ROOT / "notebooks").glob("0[0-4]_*.ipynb")):
        shutil.copy2(path, tmp_path / "notebooks" / path.name)
    shutil.copytree(ROOT / "book", tmp_path / "book")
    assert navigation.main(["--root", str(tmp_path)]) == 0
    assert fix_links.main(["--root", str(tmp_path)]) == 0
    return tmp_path


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _edit_markdown(path: Path, change) -> None:
    notebook = nbformat.read(path, as_version=4)
    change(notebook.cells)
    nbformat.write(notebook, path)


def _title(path: Path) -> str:
    return navigation.title_of(path)


def test_a_link_to_a_title_then_navigation_neither_crashes(course):
    gallery = course / "notebooks" / "03_kernel_gallery.ipynb"
    title = _title(gallery)

    def add_link(cells):
        section = next(c for c in cells if c.cell_type == "markdown" and c.source.startswith("## "))
        section.source += f"\n\nSee [the gallery](03_kernel_gallery.ipynb#{title.replace(' ', '-')})."

    _edit_markdown(course / "notebooks" / "01_images_as_arrays.ipynb", add_link)
    # fix_links used to put <a id> before 03's title; navigation then died with a bare
    # StopIteration after rewriting the notebooks before 03
    assert fix_links.main(["--root", str(course)]) == 0
    assert navigation.main(["--root", str(course)]) == 0
    assert nbformat.read(gallery, as_version=4).cells[0].source.startswith("# ")
    text = (course / "notebooks" / "01_images_as_arrays.ipynb").read_text()
    assert "[the gallery](03_kernel_gallery.ipynb)" in text  # the title is the top of the page
    assert fix_links.main(["--root", str(course), "--check"]) == 0
    assert navigation.main(["--root", str(course), "--check"]) == 0


def test_navigation_finds_a_title_after_an_anchor_and_writes_all_or_nothing(course):
    gallery = course / "notebooks" / "03_kernel_gallery.ipynb"

    def anchor_title(cells):
        cells[0].source = '<a id="top"></a>\n\n' + cells[0].source

    _edit_markdown(gallery, anchor_title)
    (course / "notebooks" / "04_tensorflow_conv2d.ipynb").rename(course / "notebooks" / "04_tf.ipynb")
    assert navigation.main(["--root", str(course)]) == 0  # was StopIteration at 03, after writing 00-02
    assert navigation.main(["--root", str(course), "--check"]) == 0
    assert "(04_tf.ipynb)" in (course / "notebooks" / "03_kernel_gallery.ipynb").read_text()


def test_a_notebook_without_a_title_is_named_and_nothing_is_written(course, capsys):
    (course / "notebooks" / "04_tensorflow_conv2d.ipynb").rename(course / "notebooks" / "04_tf.ipynb")

    def drop_title(cells):
        cells[0].source = cells[0].source.replace("# ", "", 1)

    _edit_markdown(course / "notebooks" / "03_kernel_gallery.ipynb", drop_title)
    before = _snapshot(course)
    with pytest.raises(SystemExit) as stopped:
        navigation.main(["--root", str(course)])
    assert stopped.value.code == 2
    assert "03_kernel_gallery.ipynb has no level-1 title" in capsys.readouterr().err
    assert _snapshot(course) == before


def test_fix_links_writes_everything_or_nothing(course, monkeypatch):
    def add_old_link(cells):
        section = next(c for c in cells if c.cell_type == "markdown" and c.source.startswith("## "))
        section.source += "\n\nSee [the summary](#Summary) and [sizes](02_convolution_by_hand.ipynb#Summary)."

    _edit_markdown(course / "notebooks" / "01_images_as_arrays.ipynb", add_old_link)
    _edit_markdown(course / "notebooks" / "03_kernel_gallery.ipynb", add_old_link)
    before = _snapshot(course)
    # fail while rewriting 02, after 00 and 01 (which has a link to rewrite) have been worked out
    first_two = sorted((course / "notebooks").glob("0[01]_*.ipynb"))
    markdown_cells = sum(len(fix_links.markdown_of(path)) for path in first_two)
    calls = []
    real_anchor_headings = fix_links._anchor_headings

    def fail_in_02(source, wanted):
        calls.append(1)
        if len(calls) > markdown_cells:
            raise ValueError("a notebook that cannot be read")
        return real_anchor_headings(source, wanted)

    monkeypatch.setattr(fix_links, "_anchor_headings", fail_in_02)
    with pytest.raises(ValueError, match="cannot be read"):
        fix_links.main(["--root", str(course)])
    assert _snapshot(course) == before


def _refuse_writes(monkeypatch) -> None:
    """From here on, every way of writing, renaming or deleting a file raises."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"wrote a file: {args[:1]}")

    real_open = builtins.open

    def open_for_reading(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            refuse(file)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", open_for_reading)
    monkeypatch.setattr(io, "open", open_for_reading)
    for name in ("write_text", "write_bytes", "unlink", "rename", "replace", "touch"):
        monkeypatch.setattr(Path, name, refuse)
    monkeypatch.setattr(nbformat, "write", refuse)


def test_fix_links_check_writes_nothing(course, capsys, monkeypatch):
    def add_old_link(cells):
        section = next(c for c in cells if c.cell_type == "markdown" and c.source.startswith("## "))
        section.source += "\n\nSee [the summary](#Summary)."

    _edit_markdown(course / "notebooks" / "01_images_as_arrays.ipynb", add_old_link)
    before = _snapshot(course)
    _refuse_writes(monkeypatch)
    # --check used to write a copy beside each notebook, rewrite it and delete it
    assert fix_links.main(["--root", str(course), "--check"]) == 1
    monkeypatch.undo()
    assert "01_images_as_arrays.ipynb" in capsys.readouterr().out
    assert _snapshot(course) == before


@pytest.mark.parametrize("arguments", [["missing.ipynb"], ["README.md"]])
def test_fix_links_refuses_a_path_that_is_not_a_notebook_before_any_work(course, arguments, capsys):
    (course / "README.md").write_text("# readme\n")
    before = _snapshot(course)
    with pytest.raises(SystemExit) as stopped:
        fix_links.main(["--root", str(course), *[str(course / a) for a in arguments]])
    assert stopped.value.code == 2 and "is not a notebook file" in capsys.readouterr().err
    assert _snapshot(course) == before


@pytest.mark.parametrize("tool", [fix_links, navigation])
def test_a_root_without_notebooks_is_refused_by_name(tmp_path, tool, capsys):
    with pytest.raises(SystemExit) as stopped:
        tool.main(["--root", str(tmp_path)])
    assert stopped.value.code == 2 and "has no notebooks/ folder" in capsys.readouterr().err


def _run_execute(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(TOOLS / "execute_notebooks.py"), *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("jobs", ["0", "-2", "two", "1.5"])
def test_execute_notebooks_names_a_bad_jobs(jobs, tmp_path):
    notebook = tmp_path / "a.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), notebook)
    before = notebook.read_bytes()
    result = _run_execute("--jobs", jobs, str(notebook))
    assert result.returncode == 2, result.stderr
    assert "--jobs" in result.stderr and "Traceback" not in result.stderr
    assert notebook.read_bytes() == before


def test_execute_notebooks_checks_every_path_before_running_any(tmp_path):
    notebook = tmp_path / "a.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), notebook)
    before = notebook.read_bytes()
    result = _run_execute(str(notebook), str(tmp_path / "missing.ipynb"))
    assert result.returncode == 2 and "missing.ipynb is not a notebook file" in result.stderr
    assert notebook.read_bytes() == before  # the first notebook was not executed
