"""Exercises that run the learner's own answer and say what is wrong with it.

Each notebook's exercises live in a module named after it (``nb02`` for
``02_convolution_by_hand``), as ``q1``, ``q2``, ... and the list ``EXERCISES``.
In a notebook::

    from helpers.exercises import nb02

    def correlate_valid(image, kernel):
        ...  # your code here

    nb02.q2.check(correlate_valid)   # runs your function on several small cases
    nb02.q2.hint()                   # one hint; call again for a stronger one
    nb02.q2.solution()               # the reference answer

``check`` prints one verdict and returns whether the answer is right (a
:class:`Verdict`, a bool that the notebook does not display a second time).
An answer still holding ``...`` is "not attempted yet", never a failure; a
function that runs past :data:`TIME_LIMIT` seconds is stopped and the verdict
says so. Each wrong answer an exercise knows is stated once, as a
:class:`Mistake` with the sentence its check prints. The machinery is in
``_core.py``.

>>> from helpers.exercises import all_exercises
>>> all(key == exercise.key for key, exercise in all_exercises().items())
True
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from helpers.exercises._core import (
    FRACTIONS_LOST,
    INPUT_UNCHANGED,
    KERNEL_TURNED,
    NOT_ATTEMPTED,
    SHIFTED_BY_ONE,
    TIME_LIMIT,
    UINT8_CLIPPED,
    UINT8_WRAPPED,
    AnswerProblem,
    Case,
    Exercise,
    Mistake,
    Verdict,
    as_kernel,
    call_learner,
    design_exercise,
    frozen,
    function_exercise,
    value_exercise,
)

__all__ = [
    "FRACTIONS_LOST",
    "INPUT_UNCHANGED",
    "KERNEL_TURNED",
    "NOT_ATTEMPTED",
    "SHIFTED_BY_ONE",
    "TIME_LIMIT",
    "UINT8_CLIPPED",
    "UINT8_WRAPPED",
    "AnswerProblem",
    "Case",
    "Exercise",
    "Mistake",
    "Verdict",
    "all_exercises",
    "as_kernel",
    "call_learner",
    "design_exercise",
    "frozen",
    "function_exercise",
    "value_exercise",
]


def all_exercises() -> dict[str, Exercise]:
    """Every exercise of the course, keyed like ``"02.q3"``, in course order.

    Imports each ``nbNN`` module of this package and collects its ``EXERCISES``.
    """
    found: dict[str, Exercise] = {}
    names = sorted(info.name for info in pkgutil.iter_modules(__path__) if re.fullmatch(r"nb\d\d", info.name))
    for name in names:
        module = importlib.import_module(f"{__name__}.{name}")
        for exercise in module.EXERCISES:
            if exercise.key in found:
                raise RuntimeError(f"two exercises share the key {exercise.key!r}")
            if not exercise.key.startswith(f"{name[2:]}."):
                raise RuntimeError(f"{exercise.key!r} is defined in {name}; keys start with the notebook's number")
            found[exercise.key] = exercise
    return found
