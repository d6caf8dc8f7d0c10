"""Write the course's animations (GIFs in notebooks/animations/) from helpers.animation.

    python tools/make_animations.py                  # (re)write every GIF that changed
    python tools/make_animations.py --check          # change nothing; exit 1 if a GIF is stale, missing or extra
    python tools/make_animations.py --only NAME ...  # just these (with or without --check)

Each GIF is drawn from the windows that the course's own functions use
(``helpers.animation`` probes them), with Matplotlib's Agg renderer at a fixed
DPI and Pillow's GIF writer, so a fresh render gives the same bytes and
``--check`` can compare byte for byte, like ``tools/export_readme_figure.py``.
The notebooks show them from markdown cells: ``![alt text](animations/NAME.gif)``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "notebooks" / "animations"


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    from helpers.animation import ANIMATIONS, render_animation
    from helpers.images import _write_atomically

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a GIF is stale")
    parser.add_argument("--only", nargs="+", metavar="NAME", choices=sorted(ANIMATIONS), help="only these")
    args = parser.parse_args(argv)
    names = args.only or sorted(ANIMATIONS)
    problems = []
    if not args.only:  # the folder holds exactly the animations the module defines
        extra = sorted(p.name for p in FOLDER.glob("*.gif") if p.stem not in ANIMATIONS)
        problems += [f"{name} is not an animation of helpers.animation.ANIMATIONS" for name in extra]
    for name in names:
        path = FOLDER / f"{name}.gif"
        fresh = render_animation(name)
        current = path.read_bytes() if path.exists() else None
        if current == fresh:
            continue
        if args.check:
            problems.append(f"{_shown(path)} is {'stale' if current else 'missing'}")
        else:
            _write_atomically(path, fresh)  # a temporary file renamed: never a half-written GIF
            print(f"wrote {_shown(path)} ({len(fresh) / 1000:.0f} kB)")
    for problem in problems:
        print(problem)
    if problems and args.check:
        print(f"run python tools/{Path(__file__).name}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
