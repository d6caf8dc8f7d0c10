"""Rewrite section links in the notebooks to the one anchor form that works on GitHub, in JupyterLab and on the site.

    python tools/fix_links.py                      # every notebook in notebooks/, in place
    python tools/fix_links.py notebooks/05_x.ipynb # only these
    python tools/fix_links.py --check              # change nothing; exit 1 if a notebook needs rewriting

The form: a link names the heading by its GitHub slug (lowercase, punctuation
dropped, spaces as hyphens: ``## What's next`` is ``#whats-next``), and the
heading it points to carries an explicit ``<a id="whats-next"></a>`` on the line
before it, in the same cell.

- The course website (Jupyter Book with ``myst_heading_anchors``) gives every
  heading that same slug, so ``05_borders_strides_dilation.ipynb#output-size``
  becomes a link to the section of the page.
- JupyterLab keeps a heading's case (``#What's-next``), so a lowercase slug
  alone does not scroll there; the explicit ``<a id>`` does (measured in
  JupyterLab 4.6 with headless Chromium). JupyterLab ignores the fragment of a
  link into another notebook, in any form: it opens that notebook at the top.
- Markdown files (README.md, CONTRIBUTING.md) use GitHub's slugs, which this is.
- GitHub's notebook viewer is the one that loses: its section links have not
  worked since 2023, in any form (see the tools-measured notes); it still opens
  the right notebook for links between notebooks.

Old links in the Jupyter form (``#What's-next``, the heading with spaces as
hyphens) are rewritten when they name a heading of the target notebook. A link
to another notebook's title (its ``# `` heading) becomes a link to the notebook:
the title is the top of the page, and it stays the first line of its cell,
where tools/navigation.py and the hygiene test look for it.

Every notebook is rewritten in memory before any is written, so an error
leaves them all as they were; ``--check`` writes nothing at all.
``tests/test_links.py`` checks every link against this form.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", flags=re.MULTILINE)
#: A markdown link or image: [text](target) or ![alt](target), target without spaces.
LINK = re.compile(r"(!?\[(?:[^\]\[]|\[[^\]]*\])*\])\(([^)\s]+)\)")
EXPLICIT_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"\s*>\s*</a>")
FENCE = re.compile(r"^```.*?^```", flags=re.MULTILINE | re.DOTALL)


def plain_text(heading: str) -> str:
    """A heading's text as a reader sees it: no backticks, emphasis marks or link targets."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = EXPLICIT_ANCHOR.sub("", text)
    return re.sub(r"[`*]", "", text).strip()


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation dropped, each space a hyphen.

    >>> slug("What's next")
    'whats-next'
    >>> slug("Run convolution through TensorFlow's `tf.nn.conv2d`")
    'run-convolution-through-tensorflows-tfnnconv2d'
    >>> slug("A 1x1 convolution mixes channels")
    'a-1x1-convolution-mixes-channels'
    """
    text = plain_text(heading).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def jupyter_anchor(heading: str) -> str:
    """The anchor JupyterLab gives a heading: its text with spaces as hyphens, case kept."""
    return plain_text(heading).replace(" ", "-")


def markdown_of(path: Path) -> list[str]:
    """The markdown a file shows: each markdown cell of a notebook, or the whole of a .md file."""
    if path.suffix == ".ipynb":
        return [cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "markdown"]
    return [path.read_text(encoding="utf-8")]


def headings(path: Path) -> list[str]:
    """Every heading's text in a markdown file or notebook (outside code fences), in order."""
    return [text for _, text in headings_with_levels(path)]


def headings_with_levels(path: Path) -> list[tuple[int, str]]:
    """Every heading as (level, text), outside code fences, in order."""
    found = []
    for text in markdown_of(path):
        found += [(len(match.group(1)), match.group(2)) for match in HEADING.finditer(FENCE.sub("", text))]
    return found


def explicit_anchors(path: Path) -> set[str]:
    return {anchor for text in markdown_of(path) for anchor in EXPLICIT_ANCHOR.findall(text)}


def links(text: str) -> list[str]:
    """Every link target in a piece of markdown, code fences and inline code left out."""
    text = FENCE.sub("", text)
    text = re.sub(r"`[^`\n]*`", "", text)
    return [match.group(2) for match in LINK.finditer(text)]


def is_external(target: str) -> bool:
    return bool(re.match(r"[a-z][a-z0-9+.-]*:", target))


def _rewrite_target(
    target: str, here: Path, cache: dict[Path, list[tuple[int, str]]]
) -> tuple[str, Path | None, str | None]:
    """The target in the slug form, the notebook it points into and the heading it names (None if not a section).

    A link to another notebook's title (its level-1 heading) becomes a link to
    the notebook: the title is the top of the page, and an ``<a id>`` before it
    would push the title off the first line of the title cell, where the
    hygiene test and tools/navigation.py look for it.
    """
    file_part, hash_mark, anchor = target.partition("#")
    if not hash_mark or not anchor or is_external(target):
        return target, None, None
    destination = (here.parent / file_part).resolve() if file_part else here.resolve()
    if destination.suffix != ".ipynb" or not destination.exists():
        return target, None, None
    if destination not in cache:
        cache[destination] = headings_with_levels(destination)
    for level, heading in cache[destination]:
        if anchor in (slug(heading), jupyter_anchor(heading)):
            if level == 1:
                return (file_part, None, None) if file_part else (target, None, None)
            return f"{file_part}#{slug(heading)}", destination, heading
    return target, None, None  # a broken anchor: tests/test_links.py reports it


def link_targets(paths: list[Path]) -> dict[Path, set[str]]:
    """For every notebook, the headings (by text) that some link in ``paths`` points at."""
    targets: dict[Path, set[str]] = {}
    cache: dict[Path, list[tuple[int, str]]] = {}
    for path in paths:
        for text in markdown_of(path):
            for target in links(text):
                _, destination, heading = _rewrite_target(target, path, cache)
                if destination is not None:
                    targets.setdefault(destination, set()).add(heading)
    return targets


def _anchor_headings(source: str, wanted: set[str]) -> str:
    """Put ``<a id="slug"></a>`` on the line before each heading in ``wanted`` that lacks one."""
    lines = source.split("\n")
    result: list[str] = []
    in_fence = False
    for line in lines:
        if line.startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else HEADING.match(line)
        if match and match.group(2) in wanted:
            tag = f'<a id="{slug(match.group(2))}"></a>'
            previous = [text for text in result if text.strip()]
            if not (previous and previous[-1].strip() == tag):
                if result and result[-1].strip():
                    result.append("")
                result += [tag, ""]
        result.append(line)
    return "\n".join(result)


def rewritten(path: Path, targets: set[str]) -> str | None:
    """One notebook with its links in the slug form and its linked headings anchored, as text; None if unchanged.

    Reads ``path`` and writes nothing.
    """
    notebook = nbformat.read(path, as_version=4)
    before = nbformat.writes(notebook)
    cache: dict[Path, list[tuple[int, str]]] = {}
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue

        def rewrite(match: re.Match) -> str:
            new_target, _, _ = _rewrite_target(match.group(2), path, cache)
            return f"{match.group(1)}({new_target})"

        # rewrite only the prose: code fences and inline code keep their text
        pieces = re.split(r"(^```.*?^```|`[^`\n]*`)", cell.source, flags=re.MULTILINE | re.DOTALL)
        source = "".join(piece if index % 2 else LINK.sub(rewrite, piece) for index, piece in enumerate(pieces))
        cell.source = _anchor_headings(source, targets)
    after = nbformat.writes(notebook)
    # the text nbformat.write would write: writes() and a final newline
    if after == before:
        return None
    return after if after.endswith("\n") else after + "\n"


def fix_notebook(path: Path, targets: set[str]) -> bool:
    """Rewrite one notebook's links to the slug form and anchor its linked headings; True if it changed."""
    text = rewritten(path, targets)
    if text is not None:
        path.write_text(text, encoding="utf-8")
    return text is not None


def linking_files(root: Path) -> list[Path]:
    """Every file whose links count: the course notebooks and the markdown files beside them."""
    files = [root / name for name in ("README.md", "CONTRIBUTING.md", "data/README.md") if (root / name).exists()]
    return files + sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _check_arguments(parser: argparse.ArgumentParser, chosen: list[Path], *, writing: bool) -> None:
    """Refuse a path that is not a notebook file, or one that cannot be written."""
    for path in chosen:
        if path.suffix != ".ipynb" or not path.is_file():
            parser.error(f"notebooks: {path} is not a notebook file (.ipynb)")
        if writing and not os.access(path, os.W_OK):
            parser.error(f"notebooks: {path} cannot be written; nothing was changed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to rewrite (default: all)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this one)")
    parser.add_argument("--check", action="store_true", help="rewrite nothing; exit 1 if anything would change")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if not (root / "notebooks").is_dir():
        parser.error(f"--root {root} has no notebooks/ folder")
    everything = linking_files(root)
    chosen = [path.resolve() for path in args.notebooks] or [p for p in everything if p.suffix == ".ipynb"]
    _check_arguments(parser, chosen, writing=not args.check)
    targets = link_targets(everything)
    # every notebook is rewritten in memory first, so an error leaves all of them as they were
    changes = {path: rewritten(path, targets.get(path, set())) for path in chosen}
    stale = [path for path, text in changes.items() if text is not None]
    if args.check:
        if stale:
            print("links not in the slug form, or linked headings without <a id>: " + ", ".join(p.name for p in stale))
            print("run: python tools/fix_links.py")
            return 1
        return 0
    for path in stale:
        path.write_text(changes[path], encoding="utf-8")
        print(f"rewrote links in {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
