"""Every stored animation is current: a fresh render gives the same bytes (``python tools/make_animations.py --check``).

One test per animation, so a stale file is named in the test id. The
animations' arithmetic is tested in ``tests/test_animation.py``; this file only
re-renders, and sits apart from it so that pytest-xdist (``--dist loadfile``)
can run the two on different workers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scripts import load_script

from helpers import animation

ROOT = Path(__file__).resolve().parent.parent


def _load_tool():
    return load_script("tools/make_animations.py")


@pytest.mark.parametrize("name", sorted(animation.ANIMATIONS))
def test_the_stored_animation_is_current(name):
    assert _load_tool().main(["--check", "--only", name]) == 0, f"run python tools/make_animations.py --only {name}"
