"""Export the README's picture from a stored notebook output, so it is never drawn by hand.

    python tools/export_readme_figure.py           # (re)write docs/readme_figure.png
    python tools/export_readme_figure.py --check   # exit 1 if the file differs from the stored output

The picture is the static rendering of one playground state in
09_kernel_playground (sobel_x on the disk: input, output, and the patch,
products and sum at one pixel), taken byte for byte from the figure stored in
the notebook. Re-executing the notebook and running this script refreshes it.
"""

from __future__ import annotations

import argparse
import base64
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "09_kernel_playground.ipynb"
#: The code cell whose stored figure is the picture, found by what it runs.
CELL_SOURCE = "fig = playground.draw_rendering(rendering)"
FIGURE = ROOT / "docs" / "readme_figure.png"


def stored_figure(notebook: Path = NOTEBOOK, marker: str = CELL_SOURCE) -> bytes:
    """The PNG stored as the output of the one code cell whose source contains ``marker``."""
    cells = [c for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code" and marker in c.source]
    if len(cells) != 1:
        raise ValueError(f"{notebook.name}: expected one code cell containing {marker!r}, found {len(cells)}")
    images = [o["data"]["image/png"] for o in cells[0].outputs if "image/png" in o.get("data", {})]
    if len(images) != 1:
        raise ValueError(f"{notebook.name}: the cell with {marker!r} has {len(images)} stored figures, expected 1")
    return base64.b64decode(images[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if the file is stale")
    args = parser.parse_args(argv)
    png = stored_figure()
    current = FIGURE.read_bytes() if FIGURE.exists() else None
    if args.check:
        if current != png:
            print(f"{FIGURE.relative_to(ROOT)} is not the figure stored in {NOTEBOOK.name}; run {Path(__file__).name}")
            return 1
        return 0
    if current != png:
        FIGURE.parent.mkdir(exist_ok=True)
        FIGURE.write_bytes(png)
        print(f"wrote {FIGURE.relative_to(ROOT)} ({len(png)} bytes) from {NOTEBOOK.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
