"""Exercises of ``09_kernel_playground``: predict a blurred pixel, pick a border mode, design an edge kernel,
write the offset display.

>>> from helpers.exercises import nb09
>>> [q.key for q in nb09.EXERCISES]
['09.q1', '09.q2', '09.q3', '09.q4']
"""

from __future__ import annotations

import numpy as np

from helpers.convolution import BORDER_MODES, correlate2d
from helpers.exercises._core import (
    FRACTIONS_LOST,
    INPUT_UNCHANGED,
    AnswerProblem,
    Case,
    Exercise,
    Mistake,
    as_kernel,
    design_exercise,
    frozen,
    function_exercise,
    value_exercise,
)
from helpers.kernels import KERNELS
from helpers.playground import synthetic_image

__all__ = ["EXERCISES", "q1", "q2", "q3", "q4"]

_STEP = synthetic_image("step", shape=(64, 64))

_BOX_BLUR = frozen(KERNELS["box_blur"])  # the check's own copy

q1 = value_exercise(
    "09.q1",
    question="What is box_blur's output on the 64x64 step at row 32, column 32 (the first white column)?",
    reference=float(correlate2d(_STEP, _BOX_BLUR)[32, 32]),
    hints=[
        "Write down the 3x3 patch centred on (32, 32): column 31 is black (0), columns 32 and 33 are white (255).",
        "box_blur weighs each of the nine pixels by 1/9, and six of them are white: 6 x 255 / 9.",
    ],
    solution="answer = 6 * 255 / 9  # 170: six of the nine pixels in the patch are white",
    mistakes={
        "the last black column instead": Mistake(
            85.0, "that is the output at column 31, where only three of the nine pixels are white"
        ),
        "the weights not divided by 9": Mistake(
            1530.0, "box_blur's weights are 1/9 each, not 1: the nine add up to 1, so a flat area keeps its value"
        ),
        "only the centre pixel": Mistake(255.0, "the blur averages the whole 3x3 patch, not only its centre pixel"),
    },
)


def _judge_border_mode(answer: object) -> str | None:
    # a judge of its own: value_exercise compares a str reference with ==, which fails on an array answer
    if not isinstance(answer, str):
        return f"expected the mode's name as a string, like 'nearest', got {type(answer).__name__}"
    name = answer.strip().lower()
    if name == "constant":
        return None if answer == "constant" else "almost: write it exactly as 'constant'"
    if name == "wrap":
        return (
            "'wrap' puts the last row above row 0, and each column of the step is the same from top to bottom, "
            "so the output in row 0 is 0"
        )
    if name in BORDER_MODES:
        return f"{answer!r} repeats the step's own rows above row 0, the same values as below it, so row 0 gives 0"
    return f"{answer!r} is not a border mode; the modes are {list(BORDER_MODES)}"


q2 = Exercise(
    "09.q2",
    question="Which border mode makes sobel_y's output on the step non-zero in row 0? Give its name as a string.",
    kind="predict",
    reference="constant",
    judge=_judge_border_mode,
    hints=[
        "sobel_y subtracts the row above from the row below. Which mode puts above row 0 something other than "
        "row 0's own values?",
        "Every column of the step is one value from top to bottom; one mode puts zeros above it instead.",
    ],
    solution='answer = "constant"  # zeros above row 0: under the white half, white below meets black above',
    mistakes={
        "the other side": "wrap",
        "repeat the edge": "nearest",
        "mirror the edge": "reflect",
        "mirror without the edge": "mirror",
        "unknown": "edge",
    },
)


def _judge_edge_kernel(answer: object) -> str | None:
    kernel = as_kernel(answer, (3, 3))
    output = correlate2d(_STEP, kernel, mode="nearest")
    flat = np.concatenate([output[:, :29].ravel(), output[:, 35:].ravel()])
    if not np.allclose(flat, 0, atol=1e-9):
        raise AnswerProblem(
            f"on the flat black and white areas your kernel gives values up to {np.abs(flat).max():.4g}; "
            "its weights must add up to 0"
        )
    if output.min() < -1e-9:
        raise AnswerProblem(
            f"near the edge your kernel gives negative values (down to {output.min():.4g}); the edge goes from dark "
            "to bright to the right, and the output should be positive or zero there"
        )
    if output.max() <= 1e-9:
        raise AnswerProblem("your kernel gives 0 at the edge too: it must respond to brightness rising to the right")
    return None


q3 = design_exercise(
    "09.q3",
    question=(
        "Design a 3x3 kernel whose output on the step (border mode 'nearest') is 0 on the flat areas and positive, "
        "never negative, at the edge."
    ),
    reference=np.array(KERNELS["sobel_x"]),
    judge=_judge_edge_kernel,
    hints=[
        "Flat areas give the kernel's sum times the pixel value, so the weights must add up to 0.",
        "Weigh the right-hand pixels positive and the left-hand ones negative, the same in every row.",
    ],
    solution=(
        "answer = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])  # sobel_x\n"
        "# [[0, 0, 0], [-1, 1, 0], [0, 0, 0]] works as well"
    ),
    mistakes={
        "columns swapped (falls to the right)": np.array(KERNELS["sobel_x"])[:, ::-1],
        "a blur keeps flat areas": np.array(KERNELS["box_blur"]),
        "a Laplacian gives both signs": np.array(KERNELS["edge_2"]),
        "the identity": np.array(KERNELS["identity"]),
    },
)


def _offset_display(values):
    return np.clip(128.0 + np.asarray(values, dtype=np.float64), 0.0, 255.0)


def _as_numbers(got: object) -> np.ndarray | None:
    try:
        array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array


def _not_clipped(got, expected, case, reference):
    values = _as_numbers(got)
    if values is None or values.shape != np.shape(expected):
        return None
    if np.any(values < 0):
        return "some of your values are below 0: clip at 0 as well as at 255"
    if np.any(values > 255):
        return "some of your values are above 255: clip at 255 as well as at 0"
    return None


def _offset_by_other_than_128(got, expected, case, reference):
    values = _as_numbers(got)
    if values is None or values.shape != np.shape(expected):
        return None
    inside = (expected > 0) & (expected < 255) & (values > 0) & (values < 255)
    shift = values[inside] - expected[inside]
    if shift.size >= 2 and np.allclose(shift, shift[0]) and shift[0] != 0:
        return f"your values are {128 + shift[0]:g} + value: the offset is 128, so that 0 is drawn as 128"
    return None


q4 = function_exercise(
    "09.q4",
    question="Write offset_display(values): 128 plus each value, clipped to 0-255, as floats.",
    reference=_offset_display,
    cases=[
        Case("values from -300 to 300", (np.array([[-300.0, -128.0, -1.0], [0.0, 127.0, 300.0]]),)),
        Case("a 3x2 array of values with fractions", (np.array([[-128.5, -0.25], [0.5, 126.75], [127.25, -129.5]]),)),
        Case("a uint8 array", (np.array([0, 100, 127, 200], dtype=np.uint8),)),
        Case("a 1-D int array", (np.array([-200, -50, 0, 50, 200]),)),
        Case("an all-zero output", (np.zeros((2, 3)),)),
    ],
    dtype=("f", "the question asks for floats: np.asarray(values, dtype=np.float64) before adding 128"),
    hints=[
        "Add 128 first, then clip: np.clip(x, 0, 255).",
        "Turn the input into floats with np.asarray(values, dtype=np.float64): 128 + a uint8 array wraps past 255.",
    ],
    solution=(
        "def offset_display(values):\n    return np.clip(128.0 + np.asarray(values, dtype=np.float64), 0.0, 255.0)"
    ),
    mistakes={
        "no clipping": lambda values: 128.0 + np.asarray(values, dtype=np.float64),
        "offset 127": lambda values: np.clip(127.0 + np.asarray(values, dtype=np.float64), 0.0, 255.0),
        "clipped before the offset": Mistake(
            lambda values: np.clip(np.asarray(values, dtype=np.float64), 0.0, 255.0) + 128,
            "you clipped before adding 128: add 128 first, then clip to 0-255",
        ),
        "the absolute display": Mistake(
            lambda values: np.clip(np.abs(np.asarray(values, dtype=np.float64)), 0.0, 255.0),
            "that is the absolute display, |value|: the offset display adds 128 and keeps the sign",
        ),
        "uint8 wrapped": Mistake(
            lambda values: np.clip(128 + np.asarray(values), 0, 255),
            "128 + a uint8 array wrapped around past 255: turn the values into floats before adding",
        ),
        "whole numbers (uint8 for display)": lambda values: np.clip(128 + np.asarray(values, float), 0, 255).astype(
            np.uint8
        ),
        "ints": lambda values: np.clip(128 + np.asarray(values), 0, 255).astype(int),
    },
    rules=[INPUT_UNCHANGED, _not_clipped, FRACTIONS_LOST, _offset_by_other_than_128],
)

EXERCISES = [q1, q2, q3, q4]
