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


# --------------------------------------------------------------------------
# Each wrong answer is stated once, with its message; the message is what the learner sees


def _case_messages(exercise, message):
    """The texts a Mistake's message can take: itself, or its value on each case."""
    return [message(case) for case in exercise.cases] if callable(message) else [message]


@pytest.mark.parametrize("key", KEYS)
def test_every_mistake_with_a_message_gets_it(key, capsys):
    exercise = ALL[key]
    for name, message in exercise.messages.items():
        if message is None:
            continue
        _, printed = _run(exercise, exercise.mistakes[name], capsys)
        assert any(text in printed for text in _case_messages(exercise, message)), (key, name, printed)


def test_a_formula_is_named_only_when_it_matches_on_every_case(capsys):
    """(m + 1) // 2 gives m - 1 for m = 3, but it is not m - 1: the check does not say so."""
    from helpers.exercises import nb02

    _, printed = _run(nb02.q2, lambda m: (m + 1) // 2, capsys)
    assert printed.startswith("Not yet: on m = 3, ") and "m - 1" not in printed and "2016" not in printed
    _, printed = _run(nb02.q2, lambda m: m - 1, capsys)
    assert "m - 1 is the padding of both sides together" in printed
    _, printed = _run(nb02.q2, lambda m: max(m - 2, 0) if m != 7 else 3, capsys)  # m - 2 except where it is not
    assert "2016" not in printed


# --------------------------------------------------------------------------
# Checks that cannot be fooled


def _arrays(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _arrays(item)


@pytest.mark.parametrize("key", [key for key in KEYS if ALL[key].kind == "implement"])
def test_cases_hold_fractions_and_shapes_that_are_not_square_with_odd_and_even_sides(key):
    exercise = ALL[key]
    assert exercise.cases, f"{key}: an implement exercise lists its cases"
    arrays = [array for case in exercise.cases for array in _arrays(case.args)]
    if not arrays:  # the arguments are whole numbers (a kernel size, a padding)
        return
    uint8_only = key == "01.q3"  # the question is about uint8 images
    assert uint8_only or any(array.dtype.kind == "f" and np.any(array != np.round(array)) for array in arrays), key
    sides = {side for array in arrays if array.ndim >= 2 for side in array.shape[-2:]}
    assert any(array.ndim >= 2 and array.shape[-2] != array.shape[-1] for array in arrays), key
    assert any(side % 2 for side in sides) and any(side % 2 == 0 for side in sides), (key, sides)


def test_whole_numbers_are_compared_exactly(capsys):
    from helpers.exercises import nb07

    assert nb07.q1.check(2048 * 2048 * 15 * 15 * 4)
    assert nb07.q1.check(3774873600.0)
    for near in (3774873601, 3774873599, 3774873600 + 1024, 3774873600.5):
        assert not nb07.q1.check(near), near
    assert "Correct" not in capsys.readouterr().out.split("\n", 2)[-1]


def test_an_integer_output_array_does_not_pass_for_floats(capsys):
    from helpers.exercises import nb05, nb09

    def max_pool_into_ints(image):
        output = np.zeros((image.shape[0] // 2, image.shape[1] // 2), dtype=int)
        for i in range(output.shape[0]):
            for j in range(output.shape[1]):
                output[i, j] = image[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].max()
        return output

    assert not nb05.q3.check(max_pool_into_ints)
    assert "lost their fractions" in capsys.readouterr().out
    for wrong in (
        lambda values: np.clip(128 + np.asarray(values), 0, 255).astype(np.uint8),
        lambda values: np.clip(128 + np.asarray(values), 0, 255).astype(int),
        lambda values: np.clip(128 + np.asarray(values, dtype=float), 0, 255).astype(np.uint8),
    ):
        assert not nb09.q4.check(wrong)
        printed = capsys.readouterr().out
        assert "the question asks for floats" in printed or "lost their fractions" in printed, printed


ARRAYS_NAMED_BY_QUESTIONS = [
    ("nb02", "E", "02.q5"),
    ("nb03", "STEP_ROW", "03.q1"),
    ("nb03", "STEP_TO_BOTTOM_RIGHT", "03.q4"),
    ("nb03", "STEP_TO_TOP_RIGHT", "03.q4"),
    ("nb04", "K", "04.q5"),
    ("nb06", "BT709_WEIGHTS", "06.q4"),
]


def test_every_public_array_of_an_exercise_module_is_read_only():
    import importlib

    for name in sorted({exercise.key[:2] for exercise in ALL.values()}):
        module = importlib.import_module(f"helpers.exercises.nb{name}")
        for attribute, value in vars(module).items():
            if isinstance(value, np.ndarray) and not attribute.startswith("_"):
                assert not value.flags.writeable, f"nb{name}.{attribute} can be changed in place"
    for key, exercise in ALL.items():
        reference = exercise.reference
        for part in reference if isinstance(reference, tuple) else (reference,):
            assert not (isinstance(part, np.ndarray) and part.flags.writeable), f"{key}'s reference can be changed"
    named = {(module, attribute) for module, attribute, _ in ARRAYS_NAMED_BY_QUESTIONS}
    assert ("nb04", "K") in named and ("nb06", "BT709_WEIGHTS") in named


@pytest.mark.parametrize(("module_name", "attribute", "key"), ARRAYS_NAMED_BY_QUESTIONS)
def test_changing_a_named_array_in_place_cannot_make_a_right_answer_fail(module_name, attribute, key, capsys):
    import importlib

    module = importlib.import_module(f"helpers.exercises.{module_name}")
    array = getattr(module, attribute)
    with pytest.raises(ValueError, match="read-only"):
        array[...] = 0
    kept = array.copy()
    array.setflags(write=True)  # a learner determined to change it
    try:
        array[...] = 7
        verdict, printed = _run(ALL[key], ALL[key].reference, capsys)
        assert verdict, printed
    finally:
        array[...] = kept
        array.setflags(write=False)


def test_a_tensorshape_like_answer_is_read_as_a_tuple(capsys):
    """What `tf.nn.conv2d(...).shape` gives: an object with as_list(), iterable, not a tuple."""
    from helpers.exercises import nb02, nb04, nb06

    class ShapeLike:
        def __init__(self, dims):
            self._dims = list(dims)

        def as_list(self):
            return list(self._dims)

        def __iter__(self):
            return iter(self._dims)

        def __len__(self):
            return len(self._dims)

    assert nb04.q1.check(ShapeLike([1, 14, 21, 1]))
    assert nb06.q2.check(ShapeLike([8, 32, 32, 16]))
    assert nb02.q1.check(ShapeLike([2, 7]))
    capsys.readouterr()
    assert not nb04.q1.check(ShapeLike([1, 1, 14, 21]))
    assert "that is NCHW order" in capsys.readouterr().out
    assert not nb04.q1.check(ShapeLike([1, 14, 21]))
    assert "expected 4 values, got 3" in capsys.readouterr().out


def test_a_zero_dimensional_array_or_a_tensor_answers_a_number_or_a_tuple(capsys):
    from helpers.exercises import nb04, nb06, nb08

    class TensorLike:  # what NumPy can read, as tf.shape(y) or tf.size(k) is
        def __init__(self, values):
            self._values = np.asarray(values)

        def __array__(self, dtype=None, copy=None):
            return self._values if dtype is None else self._values.astype(dtype)

    assert nb06.q3.check(np.array(123))
    assert nb08.q4.check(TensorLike(1168))
    assert nb04.q1.check(TensorLike([1, 14, 21, 1]))
    capsys.readouterr()
    assert not nb08.q4.check(np.array(1152))
    assert "that is the kernel alone" in capsys.readouterr().out
    assert not nb06.q3.check(np.array([123, 1]))
    assert "expected a number, got ndarray" in capsys.readouterr().out


def test_the_shape_tensorflow_returns_answers_04_q1(capsys):
    import importlib.util

    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow is not installed")
    import helpers
    from helpers.exercises import nb04

    tf = helpers.import_tensorflow()
    shape = tf.nn.conv2d(tf.zeros((1, 32, 45, 1)), tf.zeros((5, 5, 1, 1)), strides=2, padding="VALID").shape
    assert type(shape).__name__ == "TensorShape"
    assert nb04.q1.check(shape)
    assert capsys.readouterr().out == "Correct.\n"


def test_messages_print_numpy_scalars_as_plain_numbers(capsys):
    from helpers.exercises import nb02, nb05

    for exercise, answer in (
        (nb02.q1, (np.int64(4), np.int64(4))),
        (nb05.q1, np.array([111, 57])),
        (nb05.q1, (np.int64(111), np.float64(57.0))),
        (nb05.q4, np.array([2, 2, 4])),
    ):
        assert not exercise.check(answer)
        printed = capsys.readouterr().out
        assert "np." not in printed and "int64" not in printed, printed
    assert not nb05.q4.check(np.array([2, 2, 4]))
    assert "dilations (2, 2, 4)" in capsys.readouterr().out


def test_a_fraction_is_not_cut_off_before_the_mistake_is_named(capsys):
    from helpers.exercises import nb05

    assert not nb05.q1.check((112, 55.5))
    printed = capsys.readouterr().out
    assert "55 is 'VALID'" not in printed and "whole number of pixels" in printed


def test_question_03_q4_says_which_padding_it_checks():
    from helpers.exercises import nb03

    assert "padding='valid'" in nb03.q4.question
    assert nb03.q4.verdict(nb03.q4.reference) is None


# --------------------------------------------------------------------------
# The time limit


def _forever(*args):
    while True:
        pass


def _forever_swallowing_errors(*args):
    while True:
        try:
            sum(range(100))
        except Exception:  # the time limit is not an Exception, so this cannot keep it out
            pass


@pytest.mark.parametrize("key", [key for key in KEYS if ALL[key].kind == "implement"])
def test_an_answer_that_never_returns_is_stopped(key, capsys, monkeypatch):
    import signal
    import time

    from helpers.exercises import _core

    monkeypatch.setattr(_core, "TIME_LIMIT", 0.3)
    handler = signal.getsignal(signal.SIGALRM)
    for answer in (_forever, _forever_swallowing_errors):
        started = time.monotonic()
        verdict, printed = _run(ALL[key], answer, capsys)
        assert time.monotonic() - started < 5
        assert not verdict
        assert printed.startswith("Not yet: ") and "still running after 0.3 seconds" in printed, printed
        assert "Traceback" not in printed
    assert signal.getsignal(signal.SIGALRM) is handler
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    verdict, printed = _run(ALL[key], ALL[key].reference, capsys)  # the next check has its own time
    assert verdict, printed


def test_the_time_limit_gives_back_a_timer_that_was_running(monkeypatch, capsys):
    import signal

    from helpers.exercises import _core

    monkeypatch.setattr(_core, "TIME_LIMIT", 0.2)
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *args: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        assert not CORRELATE.check(_forever)
        assert "still running" in capsys.readouterr().out
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25 < left <= 30 and not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------
# Right answers written differently from the reference, and wrong answers of our own (not in `mistakes`)


class _ShapeLike:
    def __init__(self, dims):
        self._dims = list(dims)

    def as_list(self):
        return list(self._dims)


def _loop_negative(image):
    output = np.empty_like(image)
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            output[i, j] = 255 - int(image[i, j])
    return output


def _brightest_by_loop(image):
    best, where = None, None
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            if best is None or image[i, j] > best:
                best, where = image[i, j], [i, j]
    return where  # a list


def _valid_by_windows(image, kernel):
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(image, dtype=float), np.shape(kernel))
    return np.einsum("ijkl,kl->ij", windows, kernel)


def _fixed_by_tensordot(image, kernel):
    kh, kw = np.shape(kernel)
    padded = np.pad(np.asarray(image, np.float32), ((kh // 2, kh // 2), (kw // 2, kw // 2)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw))
    return np.tensordot(windows, np.asarray(kernel, dtype=float), axes=([2, 3], [0, 1]))


def _fixed_by_scipy(image, kernel):
    import scipy.ndimage

    return scipy.ndimage.correlate(np.asarray(image, dtype=float), np.asarray(kernel, dtype=float), mode="constant")


def _same_padding_by_ceil(n, k, stride=1, dilation=1):
    import math

    total = max(0, (math.ceil(n / stride) - 1) * stride + (k - 1) * dilation + 1 - n)
    return [total // 2, total - total // 2]


def _same_padding_by_remainder(n, k, stride=1, dilation=1):
    span = (k - 1) * dilation + 1
    total = max(span - (stride if n % stride == 0 else n % stride), 0)
    return np.int64(total // 2), np.int64(total - total // 2)


def _pool_by_loop(image):
    output = np.zeros((image.shape[0] // 2, image.shape[1] // 2))
    for i in range(output.shape[0]):
        for j in range(output.shape[1]):
            output[i, j] = max(
                image[2 * i, 2 * j], image[2 * i + 1, 2 * j], image[2 * i, 2 * j + 1], image[2 * i + 1, 2 * j + 1]
            )
    return output


def _pool_by_slices(image):
    height, width = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
    a = image[:height, :width]
    return np.maximum.reduce([a[0::2, 0::2], a[1::2, 0::2], a[0::2, 1::2], a[1::2, 1::2]])


def _pool_into_zeros_like(image):
    """np.zeros_like keeps the input's dtype: exact for a maximum, so right."""
    output = np.zeros_like(image)[: image.shape[0] // 2, : image.shape[1] // 2]
    for i in range(output.shape[0]):
        for j in range(output.shape[1]):
            output[i, j] = image[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].max()
    return output


def _nhwc_by_loop(batch):
    n, c, h, w = batch.shape
    output = np.zeros((n, h, w, c), dtype=batch.dtype)
    for channel in range(c):
        output[..., channel] = batch[:, channel]
    return output


def _patch_matrix_by_loop(image, kh, kw):
    padded = np.pad(image.astype(float), ((kh // 2, kh // 2), (kw // 2, kw // 2)))
    return np.array(
        [padded[y : y + kh, x : x + kw].ravel() for y in range(image.shape[0]) for x in range(image.shape[1])]
    )


def _gradient_by_loop_over_the_error(image, error):
    rows, cols = error.shape
    kh, kw = image.shape[0] - rows + 1, image.shape[1] - cols + 1
    gradient = np.zeros((kh, kw))
    for i in range(rows):
        for j in range(cols):
            gradient += 2 * error[i, j] * image[i : i + kh, j : j + kw] / error.size
    return gradient


def _offset_by_loop(values):
    values = np.asarray(values, dtype=float)
    output = np.empty(values.shape)
    for index in np.ndindex(values.shape):
        output[index] = min(255.0, max(0.0, 128 + values[index]))
    return output


def _right_answers():
    from helpers.convolution import correlate2d
    from helpers.exercises import nb02, nb04

    return {
        "01.q1": [[144, 255], np.array([144, 255], np.uint8), (np.uint8(144), np.uint8(255)), (144.0, 255.0)],
        "01.q2": [np.int64(260), 260.0],
        "01.q3": [_loop_negative, lambda image: np.uint8(255) - image, np.invert],
        "01.q4": [_brightest_by_loop, lambda image: np.argwhere(image == image.max())[0]],
        "01.q5": [(0.3, 0.6, 0.1), np.array([0.2126, 0.7152, 0.0722])],
        "02.q1": [[2, 7], np.array([2, 7]), (np.int64(2), np.int64(7)), _ShapeLike([2, 7])],
        "02.q2": [lambda m: m // 2, lambda m: int((m - 1) / 2), lambda m: (m - 1) >> 1, lambda m: np.int64(m) // 2],
        "02.q3": [_valid_by_windows, lambda image, kernel: _valid_by_windows(image, kernel).astype(np.float32)],
        "02.q4": [[[0, 0, 0], [1, 0, 0], [0, 0, 0]], np.array([[0, 0, 0], [1, 0, 0], [0, 0, 0]], np.float32)],
        "02.q5": [np.rot90(nb02.E, 2), [[-1, 0, 0], [0, 1, 0], [0, 2, 1]], np.flip(nb02.E)],
        "03.q1": [(0.0, 0.0, 255.0, 200.0), np.array([0, 0, 255, 200], np.uint8)],
        "03.q2": [[1, 5], np.array([1, 5])],
        "03.q3": [_fixed_by_tensordot, _fixed_by_scipy],
        "03.q4": [[[-1, 0, 0], [0, 0, 0], [0, 0, 1]], np.array([[-0.5, 0, 0], [0, 0, 0], [0, 0, 0.5]])],
        "04.q1": [[1, 14, 21, 1], np.array([1, 14, 21, 1]), _ShapeLike([1, 14, 21, 1])],
        "04.q2": [
            lambda image, kernel: [
                np.expand_dims(np.asarray(image, np.float64), (0, -1)),
                np.reshape(np.asarray(kernel, np.float16), (*np.shape(kernel), 1, 1)),
            ]
        ],
        "04.q3": [lambda k: [(k - 1) // 2, k // 2], lambda k: np.array([(k - 1) // 2, k // 2])],
        "04.q4": [[22, 11, 5], (22.0, 11.0, 5.0), np.array([22, 11, 5], np.uint8)],
        "04.q5": [np.rot90(nb04.K, 2), [[8, 7, 6], [5, 4, 3], [2, 1, 0]]],
        "05.q1": [[112, 56], (112.0, 56.0), np.array([112, 56])],
        "05.q2": [_same_padding_by_ceil, _same_padding_by_remainder],
        "05.q3": [_pool_by_loop, _pool_by_slices, _pool_into_zeros_like],
        "05.q4": [[3, 2, 1], (2, 1, 3), np.array([1, 2, 3]), (1, 1, 4)],
        "06.q1": [lambda batch: np.moveaxis(batch, 1, -1), _nhwc_by_loop],
        "06.q2": [[8, 32, 32, 16], _ShapeLike([8, 32, 32, 16])],
        "06.q3": [123.0, np.int64(123)],
        "06.q4": [[[[[0.2126], [0.7152], [0.0722]]]]],
        "06.q5": [lambda kernel: np.einsum("hwc,cd->hwcd", kernel[..., 0], np.eye(kernel.shape[2]))],
        "07.q1": [3774873600.0, np.int64(2048) ** 2 * 225 * 4],
        "07.q2": [_patch_matrix_by_loop],
        "07.q3": [([1, 2, 1], [-1, 0, 1]), (np.array([-1, -2, -1]), np.array([1, 0, -1])), ([0.5, 1, 0.5], [-2, 0, 2])],
        "07.q4": [276676.0, np.int64(526) * 526],
        "08.q1": [
            _gradient_by_loop_over_the_error,
            lambda image, error: 2 / error.size * correlate2d(image, error, padding="valid"),
        ],
        "08.q2": [13.0, np.int64(13)],
        "08.q3": [[[0.25, 0.5, 0.25], [0.5, 1, 0.5], [0.25, 0.5, 0.25]]],
        "08.q4": [1168.0],
        "09.q1": [170, np.float32(170)],
        "09.q2": ["constant"],
        "09.q3": [[[0, 0, 0], [-1, 1, 0], [0, 0, 0]], np.array([[0, -1, 1]] * 3)],
        "09.q4": [
            _offset_by_loop,
            lambda values: np.clip(np.float32(128) + np.asarray(values, np.float32), 0, 255),
            lambda values: np.minimum(np.maximum(np.add(values, 128.0), 0), 255),
        ],
    }


RIGHT_ANSWERS = _right_answers()


def test_every_exercise_has_right_answers_written_differently():
    assert sorted(RIGHT_ANSWERS) == KEYS


@pytest.mark.parametrize("key", KEYS)
def test_right_answers_written_differently_pass(key, capsys):
    for answer in RIGHT_ANSWERS[key]:
        verdict, printed = _run(ALL[key], answer, capsys)
        assert verdict, (key, answer, printed)


def _correlate_valid(image, kernel):
    from helpers.convolution import correlate2d

    return correlate2d(image, kernel, padding="valid")


def _int_output_valid(image, kernel):
    kh, kw = np.shape(kernel)
    output = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1), dtype=int)
    for i in range(output.shape[0]):
        for j in range(output.shape[1]):
            output[i, j] = np.sum(image[i : i + kh, j : j + kw] * kernel)
    return output


def _fixed_padded_one_too_many(image, kernel):
    kh, kw = np.shape(kernel)
    padded = np.pad(np.asarray(image, dtype=float), ((kh // 2 + 1, kh // 2 + 1), (kw // 2 + 1, kw // 2 + 1)))
    output = np.zeros(np.shape(image))
    for i in range(output.shape[0]):
        for j in range(output.shape[1]):
            output[i, j] = np.sum(padded[i : i + kh, j : j + kw] * kernel)
    return output


def _same_padding_swapped_at_stride_1(n, k, stride=1, dilation=1):
    from helpers.exercises.nb05 import reference_same_padding

    before, after = reference_same_padding(n, k, stride, dilation)
    return (after, before) if stride == 1 else (before, after)


def _rounded_fixed(image, kernel):
    from helpers.exercises.nb03 import reference_fixed_conv_2d

    return np.round(reference_fixed_conv_2d(image, kernel))


OWN_WRONG_ANSWERS = [
    ("01.q1", (np.int64(144), np.int64(-1)), "remainder modulo 256"),
    ("01.q2", np.uint8(4), "4 is what a Python int gives"),
    ("01.q2", 260.5, "260.5 is not it"),
    ("01.q3", lambda image: 255 - image.astype(np.int16), "the result is int16: stay in uint8"),
    ("01.q3", lambda image: np.uint8(254) - image, "the values differ"),
    ("01.q4", lambda image: np.unravel_index(np.argmax(image.astype(np.uint8)), image.shape), "would tie"),
    ("01.q4", lambda image: tuple(float(v) for v in np.unravel_index(np.argmax(image), image.shape)), "two ints"),
    ("02.q1", (2.5, 7), "the columns are right; the rows are not"),
    ("02.q1", (np.int64(1), np.int64(6)), "you dropped the + 1"),
    ("02.q2", lambda m: (m + 1) // 2, "on m = 3, the values differ"),
    ("02.q2", lambda m: (m - 1) / 2, "np.pad refuses a float"),
    ("02.q3", _int_output_valid, "the result is int64: the question asks for a float64 output"),
    ("02.q3", lambda image, kernel: _int_output_valid(image, kernel).astype(float), "lost their fractions"),
    ("02.q4", [[0, 0, 0], [0.5, 0, 0], [0, 0, 0]], "the weight is 0.5"),
    ("02.q5", np.rot90(np.array([[1, 2, 0], [0, 1, 0], [0, 0, -1]]), -1), "turned by 90 degrees (clockwise)"),
    ("03.q1", [0, 0, 255, 200.5], "is not it"),
    ("03.q1", np.array([[0, 0, 255, 200]]), "four values"),
    ("03.q2", (5, 1.0), "row and column are swapped"),
    ("03.q2", (2, 5), "only one of the two moved"),
    ("03.q3", _rounded_fixed, "lost their fractions"),
    ("03.q3", _fixed_padded_one_too_many, "shifted by one pixel"),
    ("03.q3", lambda image, kernel: _fixed_by_scipy(image, kernel).astype(int), "lost their fractions"),
    ("03.q4", np.eye(3) - np.eye(3)[::-1], "positive and negative values"),
    ("04.q1", (1, 14.5, 21, 1), "is not it"),
    ("04.q3", lambda k: ((k - 1) / 2, (k - 1) / 2), "np.pad refuses a float"),
    ("04.q4", (22.5, 11, 5), "no fractions"),
    ("04.q4", (23, 11, 6), "SciPy does not round"),
    ("04.q5", np.rot90(np.arange(9.0).reshape(3, 3), -1), "turned K by 90 degrees (clockwise)"),
    ("05.q1", (112.5, 56), "whole number of pixels"),
    ("05.q1", (109, 56), "109 is 'VALID' arithmetic"),
    ("05.q2", lambda n, k, stride=1, dilation=1: ((k - 1) // 2, k // 2), "on n=8, k=3, stride 2"),
    ("05.q2", _same_padding_swapped_at_stride_1, "on n=7, an even kernel k=4, before and after are swapped"),
    ("05.q4", (1, 2, 3.0), "each dilation is an int"),
    ("06.q1", lambda batch: np.transpose(batch, (0, 2, 3, 1)).round(), "lost their fractions"),
    ("06.q1", lambda batch: np.transpose(batch, (0, 2, 1, 3)), "the shape is (2, 4, 3, 5)"),
    ("06.q3", 123.5, "is not it"),
    ("07.q1", 3774873601, "close, but rounded"),
    ("07.q1", 3.516, "looks like GiB"),
    (
        "07.q2",
        lambda image, kh, kw: np.lib.stride_tricks.sliding_window_view(
            np.pad(image.astype(float), kh // 2), (kh, kw)
        ).reshape(-1, kh * kw),
        "one number pads both axes alike",
    ),
    ("07.q4", 540 * 540, "not k"),
    ("07.q4", 276676.5, "is not it"),
    ("08.q1", lambda image, error: 2 * _correlate_valid(image, error) / image.size, "the right one times 0.4"),
    ("08.q2", 13.5, "is not it"),
    ("08.q3", np.outer([0.5, 1, 0.5], [0.5, 1, 0.5]) / 2, "not 1: scale your kernel"),
    ("08.q4", 144, "and there are 16 biases"),
    ("09.q1", 170.5, "is not it"),
    ("09.q2", "Constant", "write it exactly as 'constant'"),
    ("09.q4", lambda values: np.clip(128 + np.asarray(values), 0, 255).astype(int), "asks for floats"),
    ("09.q4", lambda values: np.clip(values + 128, 0, 255), "on a uint8 array, 128 + a uint8 array wrapped around"),
    ("09.q4", lambda values: np.clip(np.round(128 + np.asarray(values, float)), 0, 255), "lost their fractions"),
    ("09.q4", lambda values: np.clip(128 + np.asarray(values, float), 1, 255), "the values differ"),
]


@pytest.mark.parametrize(("key", "answer", "words"), OWN_WRONG_ANSWERS)
def test_wrong_answers_of_our_own_are_rejected_with_a_true_message(key, answer, words, capsys):
    verdict, printed = _run(ALL[key], answer, capsys)
    assert not verdict and printed.startswith("Not yet: "), printed
    assert words in printed, printed


# --------------------------------------------------------------------------
# Hostile answers (issue 24, second round): the answer's own code cannot make check() lie, crash,
# hang past its time limit or change what later checks print


def _forever_swallowing_everything(*args):
    import time

    while True:
        try:
            time.sleep(0.01)
        except:  # noqa: E722 - a bare except swallows the time limit too; the check must still end
            continue


def test_a_bare_except_in_an_endless_loop_is_still_stopped(monkeypatch, capsys):
    import signal
    import sys
    import time

    from helpers.exercises import _core

    monkeypatch.setattr(_core, "TIME_LIMIT", 0.3)
    trace = sys.gettrace()
    started = time.monotonic()
    verdict, printed = _run(CORRELATE, _forever_swallowing_everything, capsys)
    assert time.monotonic() - started < 3
    assert not verdict and "still running after 0.3 seconds" in printed, printed
    assert sys.gettrace() is trace and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert _run(CORRELATE, CORRELATE.reference, capsys)[0]  # the next check is not stopped at every line


class _Reading:
    """An answer whose methods the checker calls: each raises, or takes for ever."""

    def __init__(self, method, action):
        self.method, self.action = method, action

    def _act(self, *args):
        if self.action == "raise":
            raise RuntimeError(f"{self.method} refuses")
        import time

        time.sleep(60)

    def __array__(self, *args, **kwargs):
        return self._act() if self.method == "__array__" else np.zeros((3, 4))

    def __eq__(self, other):
        return self._act() if self.method == "__eq__" else False

    __hash__ = None

    def __repr__(self):
        return self._act() if self.method == "__repr__" else "_Reading()"


@pytest.mark.parametrize("method", ["__array__", "__eq__", "__repr__"])
@pytest.mark.parametrize("key", ["02.q1", "02.q3", "02.q4", "09.q2"])
def test_an_answer_whose_methods_raise_gets_a_verdict_not_a_traceback(key, method, capsys):
    exercise = ALL[key]
    answer = _Reading(method, "raise")
    if exercise.kind == "implement":
        answer = lambda *args, reading=answer: reading  # noqa: E731
    verdict, printed = _run(exercise, answer, capsys)
    assert not verdict and printed.startswith("Not yet: "), printed


@pytest.mark.parametrize("method", ["__array__", "__repr__"])
def test_an_answer_whose_methods_never_return_is_stopped(method, monkeypatch, capsys):
    import time

    from helpers.exercises import _core

    monkeypatch.setattr(_core, "TIME_LIMIT", 0.2)
    monkeypatch.setattr(_core, "_JUDGE_GRACE", 0.3)
    started = time.monotonic()
    exercise = CORRELATE if method == "__array__" else ALL["02.q2"]  # a number's answer is shown by its repr
    verdict, printed = _run(exercise, lambda *args: _Reading(method, "sleep"), capsys)
    assert time.monotonic() - started < 3
    assert not verdict and "still running" in printed, printed


def test_a_number_that_lies_about_its_value_is_read_as_the_value_it_holds(capsys):
    class LyingInt(int):
        def __int__(self):
            return 260

        def __index__(self):
            return 260

        def __eq__(self, other):
            return True

        __hash__ = int.__hash__

    class LyingFloat(float):
        def __float__(self):
            return 260.0

        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    question = ALL["01.q2"]  # the answer is 260
    assert question.reference == 260
    for liar in (LyingInt(0), LyingFloat(0.0), (LyingInt(2), LyingInt(0))):
        assert not _run(question if not isinstance(liar, tuple) else ALL["02.q1"], liar, capsys)[0], liar
    assert _run(question, LyingInt(260), capsys)[0]


@pytest.mark.parametrize("error", [SystemExit, GeneratorExit, SystemExit(0)])
def test_exit_in_the_answer_is_a_verdict(error, capsys):
    def leaves(image, kernel):
        raise error

    verdict, printed = _run(CORRELATE, leaves, capsys)
    assert not verdict and "your code raised" in printed, printed


def test_keyboard_interrupt_still_stops_the_cell():
    def interrupted(image, kernel):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        CORRELATE.check(interrupted)


def test_a_generator_is_named_without_a_memory_address(capsys):
    def yields(image, kernel):
        yield 0

    verdict, printed = _run(CORRELATE, yields, capsys)
    assert not verdict and "generator" in printed and " at 0x" not in printed, printed


def test_print_options_set_by_the_answer_do_not_change_what_checks_print(capsys):
    def wrong(image, kernel):
        return CORRELATE.reference(image, kernel) + 1

    def changes_print_options(image, kernel):
        np.set_printoptions(threshold=2, precision=0, linewidth=20)
        return wrong(image, kernel)

    before = _run(CORRELATE, wrong, capsys)[1]
    try:
        _run(CORRELATE, changes_print_options, capsys)
        assert _run(CORRELATE, wrong, capsys)[1] == before
    finally:
        np.set_printoptions(threshold=1000, precision=8, linewidth=75)


def test_a_very_long_array_is_not_turned_into_a_list(capsys):
    import time

    huge = np.broadcast_to(np.int64(2), (10**8,))  # no memory; a list of it would be gigabytes
    started = time.monotonic()
    verdict, printed = _run(ALL["02.q1"], huge, capsys)
    assert time.monotonic() - started < 2 and not verdict, printed


def test_a_text_that_lies_about_itself_is_read_as_the_text_it_holds(capsys):
    question = ALL["09.q2"]
    right = question.reference  # a border mode's name

    class LyingText(str):
        def strip(self, *args):
            return right

        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

    wrong = "reflect" if right != "reflect" else "wrap"
    assert not _run(question, LyingText(wrong), capsys)[0]
    assert _run(question, LyingText(right), capsys)[0]
