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
"""

from __future__ import annotations

import argparse
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


def mathjax_folder() -> Path:
    """The MathJax 2.7 files shipped by the pinned ``jupyter-server-mathjax`` package."""
    import jupyter_server_mathjax

    folder = Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (folder / "MathJax.js").is_file():
        raise FileNotFoundError(f"no MathJax.js in {folder}; pip install -r requirements.txt")
    return folder


def stage(staging: Path, root: Path = ROOT) -> None:
    """Copy what the book is built from (config, table of contents, notebooks, animations) into ``staging``."""
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(root / "book" / name, staging / name)
    for notebook in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        shutil.copy2(notebook, staging / notebook.name)
    animations = root / "notebooks" / "animations"  # GIFs the markdown shows (tools/make_animations.py)
    if animations.is_dir():
        shutil.copytree(animations, staging / "animations")


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
