"""Write the navigation cells of every notebook (previous | contents | next, Binder).

    python tools/navigation.py

Each notebook gets one markdown cell right after its title and one at the
end, each starting with an HTML comment marker; running the script again
rewrites those cells instead of adding new ones. Titles come from each
notebook's first level-1 heading. tests/test_notebook_hygiene.py checks that
the cells are current and that every link resolves.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
#: The GitHub repository Binder builds from; a fork changes it here and in README.md.
REPOSITORY = "understanding-convolution/understanding-convolution"
TOP = "<!-- navigation:top -->"
BOTTOM = "<!-- navigation:bottom -->"


def course_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def title_of(path: Path) -> str:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^# (.+)$", cell.source, flags=re.MULTILINE)
            if match:
                return match.group(1).strip()
    raise ValueError(f"{path.name} has no level-1 title")


def binder_link(path: Path) -> str:
    return f"https://mybinder.org/v2/gh/{REPOSITORY}/main?labpath=notebooks%2F{path.name}"


def navigation_cells(paths: list[Path], index: int) -> tuple[str, str]:
    path = paths[index]
    parts = []
    if index > 0:
        parts.append(f"[← {title_of(paths[index - 1])}]({paths[index - 1].name})")
    if index != 0:
        parts.append(f"[Contents]({paths[0].name})")
    if index + 1 < len(paths):
        parts.append(f"[{title_of(paths[index + 1])} →]({paths[index + 1].name})")
    links = " | ".join(parts)
    badge = f"[![Run this notebook on Binder](https://mybinder.org/badge_logo.svg)]({binder_link(path)})"
    return f"{TOP}\n{badge} {links}", f"{BOTTOM}\n{links}"


def update(path: Path, top: str, bottom: str) -> bool:
    notebook = nbformat.read(path, as_version=4)
    before = nbformat.writes(notebook)
    cells = [c for c in notebook.cells if not (c.cell_type == "markdown" and c.source.startswith((TOP, BOTTOM)))]
    title_index = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.startswith("# "))
    cells.insert(title_index + 1, nbformat.v4.new_markdown_cell(top, id="navigation-top"))
    cells.append(nbformat.v4.new_markdown_cell(bottom, id="navigation-bottom"))
    notebook.cells = cells
    after = nbformat.writes(notebook)
    if after != before:
        nbformat.write(notebook, path)
        return True
    return False


def main() -> int:
    paths = course_notebooks()
    for index, path in enumerate(paths):
        top, bottom = navigation_cells(paths, index)
        if update(path, top, bottom):
            print(f"updated {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
