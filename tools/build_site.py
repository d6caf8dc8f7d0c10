"""Build the course as a static website, from the stored notebook outputs, executing nothing.

    python tools/build_site.py                 # writes _build/html/ (git-ignored); open _build/html/index.html
    python tools/build_site.py --out DIR       # DIR/_build/html instead (the tests build into a temporary folder)

Jupyter Book 1 (Sphinx, sphinx-book-theme and myst-nb, pinned in
requirements.txt) turns every notebook into a page, with the table of
contents of ``book/_toc.yml`` (written by ``tools/navigation.py`` in course
order), full-text search, and links between notebooks as links between pages.
It runs offline: the notebooks and ``book/_config.yml`` are copied into a
staging folder, built with ``execute_notebooks: off``, and MathJax is copied
from the ``jupyter-server-mathjax`` package into the site instead of being
loaded from a CDN.

The staging copy differs from the notebooks in three ways, so the notebooks
keep their own metadata and outputs:

* a code cell tagged ``check`` also gets myst-nb's ``hide-input`` tag, so its
  source is collapsed on the page as it is in JupyterLab;
* a stored ipywidgets output (the repr text ``VBox(children=...`` of notebook
  09's playground, or a widget view) is replaced by a note that the controls
  need a running kernel, with a link to the in-browser playground;
* every other file under ``notebooks/`` (the GIF animations, images a markdown
  cell links to) is copied along, keeping its folder, so links to it resolve.

The in-browser playground (``site/playground/``: plain JavaScript, its data
written by ``site/playground/make_data.py``) is copied into the site as
``playground/``, and a page in the table of contents after the last notebook
(``in_your_browser``) links to it.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT
#: Where MathJax ends up inside the site (``mathjax_path`` in book/_config.yml is relative to _static).
MATHJAX_IN_SITE = Path("_static") / "mathjax"
#: The in-browser playground in the repository, and where it goes in the site.
PLAYGROUND = Path("site") / "playground"
PLAYGROUND_IN_SITE = Path("playground")
#: The files of the playground the site serves (make_data.py writes course-data.js; it is not served).
PLAYGROUND_FILES = ("index.html", "playground.js", "course-data.js")
#: The page, added to the staged table of contents after the notebooks, that links to the playground.
PLAYGROUND_PAGE = "in_your_browser"
#: The cell tag the course uses for collapsed checks, and the myst-nb tag that collapses a cell's source.
CHECK_TAG, HIDE_TAG = "check", "hide-input"
#: The text a widget cell stores as text/plain: ipywidgets' repr of a container (``VBox(children=(...``), or
#: the one line notebook 09's playground gives instead (``helpers.playground.PLAYGROUND_TEXT``, "Kernel
#: playground (ipywidgets): its controls need a running Jupyter kernel.").
WIDGET_REPR = re.compile(r"^\s*(\w+\(children=|[^\n]*\(ipywidgets\): its controls need a running Jupyter kernel)")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = (
    '<p class="widget-note"><em>The controls of this cell need a running Jupyter kernel (JupyterLab or Binder); '
    "this page shows the stored outputs only. The same playground runs without installing anything in "
    f'<a href="{PLAYGROUND_IN_SITE.as_posix()}/index.html">the in-browser playground</a>.</em></p>'
)
PLAYGROUND_PAGE_TEXT = f"""# The playground in your browser

Notebook 09's kernel playground also runs in the page, in plain JavaScript, with nothing to install and
nothing downloaded: the course image, the step, the disk and the checkerboard, the gallery kernels and a
kernel you type (`1/9`, `-0.5` and `2e-1` are all numbers), the five border modes, the four displays of a
signed output, and a click on the image that shows that pixel's patch, products and sum.

<p><a href="{PLAYGROUND_IN_SITE.as_posix()}/index.html"><strong>Open the in-browser playground</strong></a></p>

Its arithmetic is checked against the course's own `helpers.correlate2d` in a browser by the course's tests,
on random images and kernels in every border mode. It works from a copy of this website on your disk too.
"""


def mathjax_folder() -> Path:
    """The MathJax 2.7 files shipped by the pinned ``jupyter-server-mathjax`` package."""
    import jupyter_server_mathjax

    folder = Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (folder / "MathJax.js").is_file():
        raise FileNotFoundError(f"no MathJax.js in {folder}; pip install -r requirements.txt")
    return folder


def _is_widget_output(output: dict) -> bool:
    data = output.get("data", {})
    if WIDGET_VIEW in data:
        return True
    text = data.get("text/plain", "")
    text = "".join(text) if isinstance(text, list) else text
    return set(data) == {"text/plain"} and bool(WIDGET_REPR.match(text))


def site_notebook(notebook: dict) -> dict:
    """The notebook as the site shows it: check cells collapsed, widget reprs replaced by a note (a new dict)."""
    notebook = json.loads(json.dumps(notebook))  # a deep copy: the caller's stays as it was
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        tags = cell.setdefault("metadata", {}).get("tags", [])
        if CHECK_TAG in tags and HIDE_TAG not in tags:
            cell["metadata"]["tags"] = [*tags, HIDE_TAG]
        outputs = cell.get("outputs", [])
        if any(_is_widget_output(output) for output in outputs):
            kept = [output for output in outputs if not _is_widget_output(output)]
            note = {"output_type": "display_data", "metadata": {}, "data": {"text/html": WIDGET_NOTE}}
            cell["outputs"] = [*kept, note]
    return notebook


def _assets(folder: Path) -> list[Path]:
    """Every file under ``folder`` the pages may link to: all but the course notebooks and caches."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
            continue
        if len(relative.parts) == 1 and path.suffix == ".ipynb":
            continue  # the notebooks themselves are staged by site_notebook
        found.append(relative)
    return found


def _toc_with_playground(text: str) -> str:
    """book/_toc.yml with the playground page after the last chapter."""
    import yaml  # PyYAML, installed with jupyter-book

    toc = yaml.safe_load(text)
    chapters = toc["parts"][-1]["chapters"] if "parts" in toc else toc.setdefault("chapters", [])
    chapters.append({"file": PLAYGROUND_PAGE})
    return (
        "# Staged by tools/build_site.py from book/_toc.yml, with the in-browser playground's page.\n"
        + yaml.safe_dump(toc, sort_keys=False)
    )


def stage(staging: Path, root: Path = ROOT) -> None:
    """Copy what the book is built from (config, table of contents, notebooks, their assets) into ``staging``."""
    shutil.copy2(root / "book" / "_config.yml", staging / "_config.yml")
    toc = (root / "book" / "_toc.yml").read_text(encoding="utf-8")
    (staging / "_toc.yml").write_text(_toc_with_playground(toc), encoding="utf-8")
    (staging / f"{PLAYGROUND_PAGE}.md").write_text(PLAYGROUND_PAGE_TEXT, encoding="utf-8")
    for notebook in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        content = json.loads(notebook.read_text(encoding="utf-8"))
        text = json.dumps(site_notebook(content), indent=1, ensure_ascii=False) + "\n"
        (staging / notebook.name).write_text(text, encoding="utf-8")
    for relative in _assets(root / "notebooks"):
        (staging / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / "notebooks" / relative, staging / relative)


def copy_playground(html: Path, root: Path = ROOT) -> Path:
    """Copy the in-browser playground's files into the built site; return its folder there."""
    target = html / PLAYGROUND_IN_SITE
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in PLAYGROUND_FILES:
        source = root / PLAYGROUND / name
        if not source.is_file():
            raise FileNotFoundError(f"{source} is missing; run python site/playground/make_data.py")
        shutil.copy2(source, target / name)
    return target


def build(out: Path, *, root: Path = ROOT, quiet: bool = False) -> Path:
    """Build the site of the course in ``root`` into ``out``/_build/html and return that folder."""
    out = out.resolve()
    with tempfile.TemporaryDirectory(prefix="course-site-") as staging_name:
        staging = Path(staging_name)
        stage(staging, root)
        cli = "from jupyter_book.cli.main import main; main()"
        command = [sys.executable, "-c", cli, "build", str(staging), "--path-output", str(out)]
        command += ["--builder", "html", "--all", "--warningiserror", "--keep-going"]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            sys.stderr.write(result.stdout[-6000:] + result.stderr[-6000:])
            raise SystemExit(f"jupyter-book build failed (exit {result.returncode}); the messages are above")
        if not quiet:
            print(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "built")
    html = out / "_build" / "html"
    target = html / MATHJAX_IN_SITE
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(mathjax_folder(), target)
    copy_playground(html, root)
    return html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where _build/html goes")
    parser.add_argument("--root", type=Path, default=ROOT, help="the course to build (default: this repository)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    html = build(args.out, root=args.root.resolve())
    print(f"site built in {time.perf_counter() - start:.0f} s: open {html / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
