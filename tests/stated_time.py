"""Shared by the notebooks' claims tests: a "Time to learn" line that names its counts must name current ones.

03 and 04 state their time as "some N words ..., the N code cells and N figures"; the counts behind
it are computed here the same way for both, so a notebook that grows cannot keep an old time.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
STATED = re.compile(r"some ([\d,]+) words .* the (\d+) code cells and (\d+) figures")


def assert_stated_time_is_current(notebook_name: str, *, word_slack: int = 150) -> None:
    """Assert that ``notebook_name``'s stated words (within ``word_slack``), code cells and figures are current.

    Words are those of the markdown cells outside ``<details>`` asides and navigation; lesson code
    cells are those neither tagged ``check`` nor calling an exercise's ``.check(``; figures are the
    lesson cells with an image output.
    """
    cells = nbformat.read(NOTEBOOKS / notebook_name, as_version=4).cells
    stated = STATED.search(" ".join(cells[2].source.split()))
    assert stated, f"{notebook_name}: no 'some N words ... the N code cells and N figures' in its Time to learn"
    words = sum(
        len(re.sub(r"<details>.*?</details>", "", c.source, flags=re.S).split())
        for c in cells
        if c.cell_type == "markdown" and "navigation:" not in c.source
    )
    lesson = [
        c
        for c in cells
        if c.cell_type == "code" and "check" not in c.metadata.get("tags", []) and ".check(" not in c.source
    ]
    figures = [c for c in lesson if any("image/png" in o.get("data", {}) for o in c.outputs)]
    assert abs(words - int(stated[1].replace(",", ""))) < word_slack, (notebook_name, words, stated[1])
    assert (int(stated[2]), int(stated[3])) == (len(lesson), len(figures)), notebook_name
