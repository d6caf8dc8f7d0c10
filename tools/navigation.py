"""Write everything that depends on which notebooks exist and in what order.

    python tools/navigation.py            # rewrite what is stale
    python tools/navigation.py --check    # change nothing; exit 1 and say what is stale

From the notebooks in notebooks/ (``NN_topic.ipynb``, in number order) it writes:

- each notebook's navigation cells (previous | contents | next, Binder), one
  right after its title and one at the end, each starting with an HTML comment
  marker, so a second run rewrites them instead of adding new ones;
- the course map in 00_start_here: a markdown cell starting with
  ``<!-- course-map -->``, one row per notebook (its title, its "What you'll
  do" line, the time its "Time to learn" line states, and the course
  notebooks its prerequisites table marks Necessary), and the course's total;
- the website's table of contents, ``book/_toc.yml``, in course order.

Titles come from each notebook's first level-1 heading. tests/test_navigation.py
runs ``--check``; tests/test_links.py checks that every link resolves.
"""

from __future__ import annotations

import argparse
import functools
import os
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
COURSE_MAP = (
    "<!-- course-map: written by tools/navigation.py from each notebook's title, first line, time and prerequisites -->"
)
COURSE_MAP_HEADING = "## The course map"
TOC = Path("book") / "_toc.yml"


def course_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


@functools.lru_cache(maxsize=64)
def _read(path: Path, modified: int):
    return nbformat.read(path, as_version=4)


def read(path: Path):
    """A notebook, read once per version of the file (the script reads each several times)."""
    return _read(path, path.stat().st_mtime_ns)


TITLE = re.compile(r"^# (.+)$", flags=re.MULTILINE)


def title_cell(cells: list, name: str) -> int:
    """Index of the title cell: the first markdown cell with a level-1 heading line (not only on its first line)."""
    for index, cell in enumerate(cells):
        if cell.cell_type == "markdown" and TITLE.search(cell.source):
            return index
    raise ValueError(f"{name} has no level-1 title (a markdown line '# Title')")


def title_of(path: Path) -> str:
    cells = read(path).cells
    return TITLE.search(cells[title_cell(cells, path.name)].source).group(1).strip()


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


def what_you_do(path: Path) -> str:
    """The sentence after ``*What you'll do:*`` in a notebook's title cell, on one line."""
    first = read(path).cells[0].source
    match = re.search(r"\*What you'll do:\*\s*(.+?)(?:\n\s*\n|$)", first, flags=re.DOTALL)
    if not match:
        raise ValueError(f"{path.name}: the title cell has no '*What you'll do:*' line")
    return " ".join(match.group(1).split()).replace("|", "\\|")


def necessary_notebooks(path: Path) -> list[str]:
    """The numbers of the course notebooks that ``path``'s prerequisites table marks Necessary."""
    text = "\n".join(c.source for c in read(path).cells if c.cell_type == "markdown")
    rows = re.findall(r"^\|.*\]\((\d\d)_[^)]*\.ipynb[^)]*\).*\|\s*Necessary\s*\|.*$", text, flags=re.MULTILINE)
    return sorted(set(rows))


_TIME_LINE = re.compile(r"Time to (?:learn|read):?\**:?\**\s*(.+?)(?:\n\s*\n|\n- |\n\S|$)", flags=re.DOTALL)


def minutes_stated(text: str) -> int:
    """The total a "Time to learn" line states, in minutes, read from its first sentence (asides in brackets skipped).

    Three phrasings are in use: a total first (``about 60 minutes: 35 for ... and 25 for ...`` or
    ``about 60 minutes, measured by ...``), a total and what is added to it (``about 60 minutes,
    plus about 30 for the exercises``), and parts only (``about 45 minutes for the sections, about
    20 for the exercises, and 5 more for the asides``), which are added up.

    >>> minutes_stated("about 70 minutes: 5 minutes for each of the nine sections, 10 for the two long ones")
    70
    >>> minutes_stated("about 60 minutes (seven sections; the first is long), plus about 30 for the exercises.")
    90
    >>> minutes_stated("about 45 minutes for the six sections (a minute for each of 19 cells), about 20 for the "
    ...                "five exercises, and 5 more for the two optional asides.")
    70
    """
    flat = " ".join(text.split())
    while True:  # drop bracketed asides, innermost first
        shorter = re.sub(r"\([^()]*\)", "", flat)
        if shorter == flat:
            break
        flat = shorter
    sentence = re.split(r"\.(?:\s|$)", flat, maxsplit=1)[0]
    first = re.search(r"about (\d+) minutes?", sentence)
    if not first:
        raise ValueError(f"no 'about N minutes' in the time line {text[:80]!r}")
    total, rest = int(first.group(1)), sentence[first.end() :]
    added = [int(n) for n in re.findall(r"\bplus about (\d+)\b", rest)]
    if added:
        return total + sum(added)
    if rest.lstrip().startswith("for "):  # parts only: add them up
        return total + sum(int(n) for n in re.findall(r"\b(\d+) (?:minutes )?(?:more )?for\b", rest))
    return total


def time_to_learn(path: Path) -> int:
    """The minutes ``path``'s "Time to learn" (or "Time to read") line states; see :func:`minutes_stated`."""
    text = "\n".join(c.source for c in read(path).cells if c.cell_type == "markdown")
    match = _TIME_LINE.search(text)
    if not match:
        raise ValueError(f"{path.name} states no 'Time to learn: about N minutes'")
    try:
        return minutes_stated(match.group(1))
    except ValueError as error:
        raise ValueError(f"{path.name}: {error}") from None


def course_map(paths: list[Path]) -> str:
    """The course map of 00_start_here: one table row per notebook, with the marker line first and the total last."""
    lines = [COURSE_MAP, "| # | Notebook | What you'll do | Minutes | Needs |", "| --- | --- | --- | --- | --- |"]
    total = 0
    for path in paths:
        needs = ", ".join(necessary_notebooks(path)) or "nothing"
        minutes = time_to_learn(path)
        total += minutes
        row = f"| {path.name[:2]} | [{title_of(path)}]({path.name}) | {what_you_do(path)} | {minutes} | {needs} |"
        lines.append(row)
    lines.append("")
    lines.append(
        f"*Minutes* is each notebook's own estimate of its time, exercises included: about {round(total / 60)} hours "
        f"({total} minutes) for the whole course. *Needs* lists the notebooks marked Necessary in its prerequisites."
    )
    return "\n".join(lines)


def toc_yaml(paths: list[Path]) -> str:
    """book/_toc.yml for Jupyter Book: the first notebook is the home page, the rest are chapters in order."""
    lines = [
        "# Written by tools/navigation.py from the notebooks in notebooks/; do not edit by hand.",
        "format: jb-book",
    ]
    lines.append(f"root: {paths[0].stem}")
    if len(paths) > 1:
        lines.append("chapters:")
        lines += [f"- file: {path.stem}" for path in paths[1:]]
    return "\n".join(lines) + "\n"


def _split_old_course_map(cells: list) -> list:
    """Once: cut the hand-written table out of the '## The course map' cell, leaving a place for the generated one."""
    for index, cell in enumerate(cells):
        if cell.cell_type != "markdown" or not re.search(
            rf"^{COURSE_MAP_HEADING}\s*$", cell.source, flags=re.MULTILINE
        ):
            continue
        lines = cell.source.split("\n")
        table = [i for i, line in enumerate(lines) if line.startswith("|")]
        head = "\n".join(lines[: table[0]] if table else lines).strip()
        tail = "\n".join(lines[table[-1] + 1 :] if table else []).strip()
        cell.source = head
        placeholder = nbformat.v4.new_markdown_cell(COURSE_MAP, id="course-map")
        extra = [nbformat.v4.new_markdown_cell(tail, id="course-map-after")] if tail else []
        return [*cells[: index + 1], placeholder, *extra, *cells[index + 1 :]]
    raise ValueError(f"00_start_here has no cell with the heading {COURSE_MAP_HEADING!r} to hold the course map")


def updated(paths: list[Path], index: int):
    """Notebook ``index`` of ``paths`` with its navigation cells (and, for 00, its course map) current."""
    path = paths[index]
    top, bottom = navigation_cells(paths, index)
    notebook = nbformat.read(path, as_version=4)
    cells = [c for c in notebook.cells if not (c.cell_type == "markdown" and c.source.startswith((TOP, BOTTOM)))]
    title_index = title_cell(cells, path.name)
    cells.insert(title_index + 1, nbformat.v4.new_markdown_cell(top, id="navigation-top"))
    cells.append(nbformat.v4.new_markdown_cell(bottom, id="navigation-bottom"))
    if index == 0:
        if not any(c.cell_type == "markdown" and c.source.startswith(COURSE_MAP) for c in cells):
            cells = _split_old_course_map(cells)
        for cell in cells:
            if cell.cell_type == "markdown" and cell.source.startswith(COURSE_MAP):
                cell.source = course_map(paths)
    notebook.cells = cells
    return notebook


def stale_items(root: Path = ROOT, *, write: bool) -> list[str]:
    """What is out of date under ``root`` (notebooks and book/_toc.yml); with ``write``, bring it up to date.

    Everything is worked out before anything is written, and every file to be
    written is checked to be writable first: a notebook without a title, or a
    read-only file, leaves all files as they were.
    """
    paths = course_notebooks(root / "notebooks")
    if not paths:
        raise ValueError(f"no notebooks NN_topic.ipynb in {root / 'notebooks'}")
    changes: dict[Path, str] = {}
    for index, path in enumerate(paths):
        before = nbformat.writes(nbformat.read(path, as_version=4))
        after = nbformat.writes(updated(paths, index))
        if after != before:
            changes[path] = after if after.endswith("\n") else after + "\n"  # as nbformat.write writes it
    toc = root / TOC
    text = toc_yaml(paths)
    if not toc.exists() or toc.read_text(encoding="utf-8") != text:
        changes[toc] = text
    stale = [path.name if path != toc else str(TOC) for path in changes]
    if write:
        for path in changes:
            writable = os.access(path, os.W_OK) if path.exists() else os.access(path.parent, os.W_OK)
            if not writable and (path.exists() or path.parent.exists()):
                raise PermissionError(f"{path} cannot be written; nothing was changed")
        for path, new_text in changes.items():
            path.parent.mkdir(exist_ok=True)
            path.write_text(new_text, encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is stale")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this one)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if not (root / "notebooks").is_dir():
        parser.error(f"--root {root} has no notebooks/ folder")
    try:
        stale = stale_items(root, write=not args.check)
    except (ValueError, PermissionError) as error:
        parser.exit(2, f"navigation.py: {error}\n")
    if args.check:
        if stale:
            print("stale (navigation cells, 00's course map or the site's table of contents): " + ", ".join(stale))
            print("run: python tools/navigation.py")
            return 1
        print("navigation, course map and table of contents are current")
        return 0
    for name in stale:
        print(f"updated {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
