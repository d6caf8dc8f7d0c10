"""Re-execute notebooks in place, deterministically.

    python tools/execute_notebooks.py            # every notebook in notebooks/
    python tools/execute_notebooks.py notebooks/03_kernel_gallery.ipynb

Runs each notebook top to bottom in a fresh ``python3`` kernel, in its own
folder, with the same environment the test suite uses (the stand-in image
forced, TensorFlow's log level up), without per-cell timing metadata and
without capturing the kernel's file-descriptor output (as under nbval), and
with consecutive stream outputs merged. Two runs give byte-identical files.
A notebook whose execution fails is left unchanged and the script exits
with an error.

``run_notebook`` (execute without writing) is also what
``tests/test_other_photographs_*.py`` use to run every notebook on other
photographs.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENT = {
    "CONVOLUTION_COURSE_STAND_IN": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONHASHSEED": "0",
}
COURSE_IMAGE_ENV = "CONVOLUTION_COURSE_IMAGE"  # helpers.COURSE_IMAGE_ENV; see helpers/images.py
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # terminal colours in nbclient's tracebacks
_ARROW = re.compile(r"^\s*-+>\s*(\d+)\s+(.*\S)")  # IPython's "---> 21 assert ..." in a traceback frame
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


class NotebookCellError(RuntimeError):
    """A notebook stopped at a cell that raised; the message names the notebook, the cell and the error."""


def run_notebook(path: Path, environment: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """Execute the notebook at ``path`` top to bottom in a fresh kernel and return it, outputs filled in.

    The kernel runs in the notebook's folder with this process's environment
    (less ``CONVOLUTION_COURSE_IMAGE``), :data:`ENVIRONMENT` and then
    ``environment`` on top; this process's own environment is not changed.
    So the stand-in is used unless ``environment`` names another image. The
    file is not written.

    Raises
    ------
    NotebookCellError
        A cell raised: the message starts with the notebook's name, the
        cell's index (counting every cell from 0, markdown included) and the
        error's first line, followed by nbclient's full report.
    """
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    notebook.metadata["kernelspec"] = KERNELSPEC
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=600,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
        extra_arguments=["--IPKernelApp.capture_fd_output=False"],
    )
    # a course image is used only when asked for here: never one the caller's shell happened to set
    inherited = {name: value for name, value in os.environ.items() if name != COURSE_IMAGE_ENV}
    try:
        client.execute(env={**inherited, **ENVIRONMENT, **(environment or {})})
    except CellExecutionError as error:
        located = first_error(notebook)
        where = f"cell {located[0]}: {located[1]}" if located else "a cell failed"
        raise NotebookCellError(f"{path.name}, {where}\n\n{_ANSI.sub('', str(error))}") from None
    return notebook


def first_error(notebook: nbformat.NotebookNode) -> tuple[int, str] | None:
    """The index of the first cell with an error output and the error on one line, or None.

    An error with no message (a bare ``assert``) is shown with the line that
    raised it, taken from the traceback.
    """
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                message = " ".join(str(output.get("evalue", "")).split())
                if not message:
                    arrows = [
                        found.groups()
                        for frame in output.get("traceback", [])
                        for line in _ANSI.sub("", frame).splitlines()
                        if (found := _ARROW.match(line))
                    ]
                    message = f"at line {arrows[-1][0]}: {arrows[-1][1]}" if arrows else "(no message)"
                return index, f"{output.get('ename')}: {message}"
    return None


def execute(path: Path) -> str:
    notebook = run_notebook(path)
    # ipykernel may flush one print() as two stream messages; merge them so the
    # stored file does not depend on that timing (nbval merges them as well)
    CoalesceStreamsPreprocessor().preprocess(notebook, {})
    notebook.metadata.pop("widgets", None)
    # a widget's view names its model by a random id, new on every run; with the
    # widget state dropped above, the stored view could not be drawn anyway, so
    # keep only its text form (a learner who runs the cell gets the live widget)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
    nbformat.write(notebook, path)
    return path.name


def positive_int(text: str) -> int:
    """An argparse type: an int of at least 1 (argparse names the option in its message)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all in notebooks/)")
    parser.add_argument("-j", "--jobs", type=positive_int, default=2, help="notebooks run at once (default 2)")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    # every notebook is checked before the first one starts: a typo in the last name costs no run
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            parser.error(f"notebooks: {path} is not a notebook file (.ipynb)")
        if not os.access(path, os.W_OK):
            parser.error(f"notebooks: {path} cannot be written (it is executed in place)")
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for name in pool.map(execute, paths):
            print(f"executed {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
