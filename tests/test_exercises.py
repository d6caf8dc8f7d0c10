"""The exercise checkers, checked: right answers pass, wrong ones are caught and explained.

This is a mutation test of the checkers: every exercise lists wrong answers of
the common kind (``mistakes``), and a checker that accepts one is a bug.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import exercises
from helpers.exercises import (
    INPUT_UNCHANGED,
    KERNEL_TURNED,
    NOT_ATTEMPTED,
    SHIFTED_BY_ONE,
    UINT8_CLIPPED,
    UINT8_WRAPPED,
    Case,
    Mistake,
    as_kernel,
    design_exercise,
    function_exercise,
    value_exercise,
)

ALL = exercises.all_exercises()
KEYS = sorted(ALL)


def _run(exercise, answer, capsys):
    verdict = exercise.check(answer)
    printed = capsys.readouterr().out
    return verdict, printed


# --------------------------------------------------------------------------
# Every exercise of the course


@pytest.mark.parametrize("key", KEYS)
def test_the_reference_answer_passes(key, capsys):
    exercise = ALL[key]
    verdict, printed = _run(exercise, exercise.reference, capsys)
    assert verdict, f"{key} rejects its own reference: {printed}"
    assert printed.strip() == "Correct."


@pytest.mark.parametrize("key", KEYS)
def test_every_listed_mistake_is_rejected_with_a_message(key, capsys):
    exercise = ALL[key]
    assert len(exercise.mistakes) >= 3, f"{key}: list at least three wrong answers of the common kind"
    for name, wrong in exercise.mistakes.items():
        verdict, printed = _run(exercise, wrong, capsys)
        assert not verdict, f"{key} accepts the mistake {name!r}"
        assert printed.startswith("Not yet: ") and len(printed) > len("Not yet: ") + 10, (key, name, printed)
        assert "Traceback" not in printed


@pytest.mark.parametrize("key", KEYS)
def test_stubs_are_not_attempted(key, capsys):
    exercise = ALL[key]

    def stub(*args, **kwargs): ...

    for answer in (..., None, stub):
        verdict, printed = _run(exercise, answer, capsys)
        assert not verdict and printed.strip() == NOT_ATTEMPTED, (key, printed)


@pytest.mark.parametrize("key", KEYS)
def test_raising_and_wrongly_typed_answers_get_a_clean_verdict(key, capsys):
    exercise = ALL[key]

    def raises(*args, **kwargs):
        raise ValueError("my own message")

    def returns_text(*args, **kwargs):
        return "a string"

    answers = [raises, returns_text, "a string", 3.5, [[1, 2], [3]], {"a": 1}, np.zeros((2, 2, 2))]
    for answer in answers:
        verdict, printed = _run(exercise, answer, capsys)
        assert not verdict, (key, answer)
        assert printed.startswith("Not yet: "), (key, answer, printed)
        assert "Traceback" not in printed
    _, printed = _run(exercise, raises, capsys)
    if exercise.kind == "implement":
        assert "your code raised ValueError: my own message" in printed


@pytest.mark.parametrize("key", KEYS)
def test_hints_and_solution_print(key, capsys):
    exercise = ALL[key]
    for number in range(1, len(exercise.hints) + 2):
        exercise.hint()
        shown = min(number, len(exercise.hints))
        assert capsys.readouterr().out.startswith(f"Hint {shown} of {len(exercise.hints)}: ")
    exercise._hints_given = 0
    exercise.solution()
    assert capsys.readouterr().out.strip()


def test_keys_follow_the_notebooks():
    for key, exercise in ALL.items():
        assert key == exercise.key
        assert exercise.kind in ("predict", "implement", "design")
        notebook, _, number = key.partition(".q")
        assert notebook.isdigit() and number.isdigit(), key


# --------------------------------------------------------------------------
# The machinery on small exercises defined here


def _correlate_same(image, kernel):
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    padded = np.pad(image, 1)
    out = np.zeros(image.shape)
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            out[i, j] = np.sum(padded[i : i + 3, j : j + 3] * kernel)
    return out


IMAGE = np.array([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12, 13, 14, 15], [16, 17, 18, 19, 20]], dtype=np.uint8)
TURNED = np.array([[0, 0, 0], [0, 0, 1], [0, -2, 0]])

CORRELATE = function_exercise(
    "99.q1",
    question="correlate with zero padding",
    reference=_correlate_same,
    cases=[Case("a 4x5 uint8 image and a kernel with a negative weight", (IMAGE, TURNED))],
    hints=["pad by one"],
    solution="def correlate(image, kernel): ...",
    mistakes={},
    rules=[KERNEL_TURNED, SHIFTED_BY_ONE, UINT8_WRAPPED, UINT8_CLIPPED, INPUT_UNCHANGED],
)


def test_a_right_function_passes(capsys):
    assert CORRELATE.check(_correlate_same)
    assert capsys.readouterr().out == "Correct.\n"


@pytest.mark.parametrize(
    ("wrong", "named"),
    [
        (lambda image, kernel: _correlate_same(image, np.asarray(kernel)[::-1, ::-1]), "turned 180 degrees"),
        (lambda image, kernel: np.roll(_correlate_same(image, kernel), 1, axis=1), "shifted by one pixel"),
        (lambda image, kernel: np.mod(_correlate_same(image, kernel), 256), "wrapped around modulo 256"),
        (lambda image, kernel: np.clip(_correlate_same(image, kernel), 0, 255), "clipped to 0..255"),
        (lambda image, kernel: image, "returned its input unchanged"),
        (lambda image, kernel: _correlate_same(image, kernel)[1:-1, 1:-1], "the shape is (2, 3), expected (4, 5)"),
        (lambda image, kernel: None, "did you forget the return line?"),
        (lambda image, kernel: 1 / 0, "your code raised ZeroDivisionError: division by zero"),
    ],
)
def test_named_mistakes_are_recognised(wrong, named, capsys):
    assert not CORRELATE.check(wrong)
    printed = capsys.readouterr().out
    assert printed.startswith("Not yet: on a 4x5 uint8 image")
    assert named in printed, printed
    assert ("expected:" in printed and "yours:" in printed) or "raised" in printed or "return line" in printed


def test_the_learners_function_cannot_spoil_the_case(capsys):
    def writes_into_input(image, kernel):
        image[...] = 0
        return image

    CORRELATE.check(writes_into_input)
    capsys.readouterr()
    assert IMAGE[0, 0] == 1


def test_a_stub_function_with_a_comment_is_not_attempted(capsys):
    def correlate(image, kernel): ...  # your code here

    assert not CORRELATE.check(correlate)
    assert capsys.readouterr().out.strip() == NOT_ATTEMPTED


def test_a_function_that_forgets_return_is_not_a_stub(capsys):
    def correlate(image, kernel):
        _correlate_same(image, kernel)

    assert not CORRELATE.check(correlate)
    assert "did you forget the return line?" in capsys.readouterr().out


def test_value_exercises_never_reveal_the_answer(capsys):
    shape = value_exercise(
        "99.q2",
        question="shape?",
        reference=(3, 5),
        hints=["n - m + 1"],
        solution="(3, 5)",
        mistakes={"forgot the + 1": Mistake((2, 4), "you dropped the + 1")},
    )
    assert not shape.check((2, 4))
    assert capsys.readouterr().out == "Not yet: you dropped the + 1\n"
    assert shape.check([3, 5])  # a list is as good as a tuple
    capsys.readouterr()
    assert not shape.check((4, 4))
    printed = capsys.readouterr().out
    assert "(3, 5)" not in printed and "(4, 4)" in printed
    assert not shape.check("3, 5")
    assert "expected a tuple of 2 values, got str" in capsys.readouterr().out


def test_design_exercises_report_unusable_answers(capsys):
    def judge(answer):
        kernel = as_kernel(answer, (3, 3))
        return None if kernel.sum() == 0 else f"the weights add up to {kernel.sum():g}, not 0"

    design = design_exercise(
        "99.q3",
        question="a kernel whose weights add up to 0",
        reference=np.zeros((3, 3)),
        judge=judge,
        hints=["zeros work"],
        solution="np.zeros((3, 3))",
        mistakes={},
    )
    assert not design.check(np.ones((3, 3)))
    assert capsys.readouterr().out == "Not yet: the weights add up to 9, not 0\n"
    assert not design.check(np.ones((2, 2)))
    assert "expected a kernel of shape (3, 3), got shape (2, 2)" in capsys.readouterr().out
    assert not design.check([[np.nan] * 3] * 3)
    assert "NaN" in capsys.readouterr().out
    assert design.check(np.eye(3) - np.eye(3))


def test_hints_get_stronger_then_repeat(capsys):
    exercise = value_exercise("99.q4", question="?", reference=1, hints=["first", "second"], solution="1", mistakes={})
    for _ in range(3):
        exercise.hint()
    assert capsys.readouterr().out.splitlines() == ["Hint 1 of 2: first", "Hint 2 of 2: second", "Hint 2 of 2: second"]


def test_the_verdict_is_a_bool_that_a_notebook_does_not_show_twice(capsys):
    right, wrong = CORRELATE.check(_correlate_same), CORRELATE.check(lambda image, kernel: image)
    capsys.readouterr()
    assert right == True and wrong == False  # noqa: E712 (it compares as a bool)
    assert repr(right) == "True" and repr(wrong) == "False"
    assert right._ipython_display_() is None


def test_a_one_dimensional_array_answers_a_tuple(capsys):
    shape = value_exercise("99.q5", question="shape?", reference=(3, 5), hints=["h"], solution="(3, 5)", mistakes={})
    assert shape.check(np.array([3, 5]))
    assert not shape.check(np.array([3, 5, 1]))
    assert "expected 2 values, got 3" in capsys.readouterr().out


def test_a_text_reference_is_compared_as_text(capsys):
    word = value_exercise(
        "99.q6", question="mode?", reference="reflect", hints=["h"], solution="'reflect'", mistakes={}
    )
    assert word.check("reflect")
    assert not word.check(np.zeros(3))
    assert not word.check("mirror")
    assert "Traceback" not in capsys.readouterr().out
