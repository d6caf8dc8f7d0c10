"""Exercises of ``05_borders_strides_dilation``: output sizes, 'SAME' padding, pooling, dilated stacks.

>>> q2.check(reference_same_padding)
Correct.
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises._core import (
    FRACTIONS_LOST,
    INPUT_UNCHANGED,
    AnswerProblem,
    Case,
    Mistake,
    design_exercise,
    function_exercise,
    show,
    value_exercise,
)

__all__ = ["EXERCISES", "q1", "q2", "q3", "q4"]


# --------------------------------------------------------------------------
# 1. Predict, then check: a network's stem on a 224x224 input


q1 = value_exercise(
    "05.q1",
    question=(
        "A 7x7 convolution at stride 2, then a 3x3 max pool at stride 2, both 'SAME', on a 224x224 input: "
        "what is the side after the convolution, and after the pool?"
    ),
    reference=(112, 56),
    hints=[
        "'SAME' keeps ceil(n / s) outputs along an axis, whatever the kernel size.",
        "ceil(224 / 2) after the convolution, then ceil of that over 2 after the pool.",
    ],
    solution="answer = (112, 56)  # ceil(224 / 2) = 112, then ceil(112 / 2) = 56",
    mistakes={
        "'VALID' arithmetic": Mistake(
            (109, 54), "that is 'VALID' arithmetic (floor((n - k) / s) + 1); 'SAME' pads, and keeps ceil(n / s)"
        ),
        "'VALID' without the + 1": Mistake((108, 52), "you dropped the + 1 of the formula, and 'SAME' pads anyway"),
        "the pool's stride left out": Mistake((112, 112), "the pool has stride 2 as well: it halves the side again"),
        "strides left out": Mistake((224, 224), "with stride 2 every layer keeps only every second position"),
        "the pool as 'VALID'": Mistake(
            (112, 55),
            "the convolution is right; the pool is 'SAME' too, so it keeps ceil(n / s) outputs (55 is 'VALID')",
        ),
        "the convolution as 'VALID', the pool 'SAME'": (109, 55),
        "the two numbers swapped": Mistake(
            (56, 112),
            "the order: first the side after the convolution, then the side after the pool, which is smaller",
        ),
        "only one number": 56,
        "the pool as 'VALID' without the floor": (112, 55.5),
    },
    rules=[
        (
            lambda a: len(a) == 2 and any(float(v) != int(v) for v in a),
            "a side is a whole number of pixels: 'SAME' keeps ceil(n / s), which rounds up",
        ),
        (
            lambda a: a[0] == 109,
            "109 is 'VALID' arithmetic for the convolution; 'SAME' pads, and keeps ceil(n / s) outputs",
        ),
    ],
)


# --------------------------------------------------------------------------
# 2. Implement: TensorFlow's 'SAME' padding along one axis


def reference_same_padding(n: int, k: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """TensorFlow's 'SAME' padding (before, after) along an axis of n pixels."""
    outputs = -(-n // stride)  # ceil(n / stride)
    total = max((outputs - 1) * stride + dilation * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def _total(n: int, k: int, stride: int, dilation: int) -> int:
    return sum(reference_same_padding(n, k, stride, dilation))


def _swapped(got, expected, case, reference):
    if tuple(got) == tuple(expected)[::-1]:
        return "before and after are swapped: TensorFlow puts the odd pixel after the image (bottom, right)"
    return None


def _not_whole(got, expected, case, reference):
    if any(isinstance(value, float) and not value.is_integer() for value in got):
        return "padding comes in whole pixels: before = total // 2, and after = total - before takes the odd one"
    return None


def _negative(got, expected, case, reference):
    if any(value < 0 for value in got):
        return "negative padding: when the window already fits, the total is 0 (take max(..., 0))"
    return None


def _floor_outputs(n: int, k: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """A wrong answer: the padding for floor(n / stride) outputs."""
    total = max((n // stride - 1) * stride + dilation * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def _no_max(n: int, k: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """A wrong answer: the total without max(..., 0), negative when the window already fits."""
    total = (-(-n // stride) - 1) * stride + dilation * (k - 1) + 1 - n
    return total // 2, total - total // 2


q2 = function_exercise(
    "05.q2",
    question="Write same_padding(n, k, stride=1, dilation=1): TensorFlow's 'SAME' padding (before, after).",
    reference=reference_same_padding,
    cases=[
        Case("n=7, k=3 (stride 1)", (7, 3, 1, 1)),
        Case("n=7, an even kernel k=4", (7, 4, 1, 1)),
        Case("n=8, k=3, stride 2 (an even axis)", (8, 3, 2, 1)),
        Case("n=7, k=3, stride 2 (an odd axis)", (7, 3, 2, 1)),
        Case("n=7, k=3, dilation 2", (7, 3, 1, 2)),
        Case("n=6, k=1, stride 4 (the window fits without padding)", (6, 1, 4, 1)),
        Case("n=11, k=3, stride 2, dilation 2", (11, 3, 2, 2)),
        Case("n=224, k=7, stride 2", (224, 7, 2, 1)),
    ],
    dtype=(
        "iu",
        "a number of zeros is a whole number, and np.pad refuses a float: divide with //",
    ),
    hints=[
        "First the number of outputs, ceil(n / stride); then how many pixels the last window needs to end inside.",
        "total = max((outputs - 1) * stride + dilation * (k - 1) + 1 - n, 0); the odd pixel goes after the image.",
    ],
    solution="""
        def same_padding(n, k, stride=1, dilation=1):
            outputs = -(-n // stride)  # ceil(n / stride)
            total = max((outputs - 1) * stride + dilation * (k - 1) + 1 - n, 0)
            return (total // 2, total - total // 2)
    """,
    mistakes={
        "odd pixel before the image": lambda n, k, s=1, d=1: (
            _total(n, k, s, d) - _total(n, k, s, d) // 2,
            _total(n, k, s, d) // 2,
        ),
        "stride ignored": Mistake(
            lambda n, k, s=1, d=1: reference_same_padding(n, k, 1, d),
            "you padded as for stride 1: 'SAME' keeps ceil(n / stride) outputs, so the total depends on the stride",
        ),
        "dilation ignored": Mistake(
            lambda n, k, s=1, d=1: reference_same_padding(n, k, s, 1),
            "the dilation is missing: a dilated kernel spans d(k - 1) + 1 pixels",
        ),
        "no max(..., 0)": _no_max,
        "PyTorch's (k - 1) // 2 on both sides": Mistake(
            lambda n, k, s=1, d=1: (d * (k - 1) // 2, d * (k - 1) // 2),
            "that is PyTorch's usual padding=(k - 1) // 2 on both sides; TensorFlow's 'SAME' pads just enough "
            "to keep ceil(n / stride) outputs, with the odd pixel after the image",
        ),
        "the total instead of the pair": lambda n, k, s=1, d=1: _total(n, k, s, d),
        "floor(n / stride) outputs": Mistake(
            _floor_outputs,
            "you counted floor(n / stride) outputs; 'SAME' keeps ceil(n / stride), in Python -(-n // stride)",
        ),
        "halves as floats": lambda n, k, s=1, d=1: (_total(n, k, s, d) / 2, _total(n, k, s, d) / 2),
    },
    rules=[_swapped, _not_whole, _negative],
)


# --------------------------------------------------------------------------
# 3. Implement: 2x2 max pooling


def reference_max_pool_2x2(image: np.ndarray) -> np.ndarray:
    """Non-overlapping 2x2 max pooling; an incomplete last row or column is dropped ('valid')."""
    pixels = np.asarray(image, dtype=np.float64)
    height, width = pixels.shape[0] // 2 * 2, pixels.shape[1] // 2 * 2
    return pixels[:height, :width].reshape(height // 2, 2, width // 2, 2).max(axis=(1, 3))


def _mean_pool(image):
    pixels = np.asarray(image, dtype=np.float64)
    height, width = pixels.shape[0] // 2 * 2, pixels.shape[1] // 2 * 2
    return pixels[:height, :width].reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3))


def _overlapping(image):
    pixels = np.asarray(image, dtype=np.float64)
    return np.maximum.reduce([pixels[:-1, :-1], pixels[1:, :-1], pixels[:-1, 1:], pixels[1:, 1:]])


def _top_left(image):
    pixels = np.asarray(image, dtype=np.float64)
    return pixels[: pixels.shape[0] // 2 * 2 : 2, : pixels.shape[1] // 2 * 2 : 2]


def _blocks_not_square(image):
    pixels = np.asarray(image, dtype=np.float64)
    height, width = pixels.shape[0] // 2 * 2, pixels.shape[1] // 2 * 2
    return pixels[:height, :width].reshape(height // 2, width // 2, 2, 2).max(axis=(2, 3))


def _into_integers(image):
    """A wrong answer: the output array made with dtype=int, so fractions are cut off."""
    pixels = np.asarray(image)
    output = np.zeros((pixels.shape[0] // 2, pixels.shape[1] // 2), dtype=int)
    for i in range(output.shape[0]):
        for j in range(output.shape[1]):
            output[i, j] = pixels[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].max()
    return output


def _keeps_the_edge(image):
    pixels = np.asarray(image, dtype=np.float64)
    padded = np.pad(pixels, ((0, pixels.shape[0] % 2), (0, pixels.shape[1] % 2)), constant_values=-np.inf)
    return reference_max_pool_2x2(padded)


_RNG = np.random.default_rng(5)
_DISTINCT_4x6 = _RNG.permutation(24).reshape(4, 6) / 4 + 0.5  # distinct quarters: 0.5 to 6.25
_ODD_5x7 = _RNG.integers(0, 100, size=(5, 7)).astype(np.float64)
_ODD_5x7[-1, :] = _ODD_5x7[:, -1] = 200.0  # the largest values sit in the row and column to drop
_NEGATIVE = -1.0 - _RNG.permutation(16).reshape(4, 4)
_UINT8 = _RNG.integers(0, 256, size=(4, 4), dtype=np.uint8)
_ODD_BY_EVEN = np.round(_RNG.uniform(-3, 3, size=(5, 4)), 2)  # 5 rows (one to drop), 4 columns, fractions

q3 = function_exercise(
    "05.q3",
    question="Write max_pool_2x2(image): non-overlapping 2x2 max pooling of a 2-D array, 'valid'.",
    reference=reference_max_pool_2x2,
    cases=[
        Case("a 4x6 image of distinct values with fractions", (_DISTINCT_4x6,)),
        Case("a 5x7 image (odd sizes: the last row and column are dropped)", (_ODD_5x7,)),
        Case("a 4x4 image of negative values", (_NEGATIVE,)),
        Case("a 4x4 uint8 image", (_UINT8,)),
        Case("a 5x4 image of values between -3 and 3 with fractions (the last row is dropped)", (_ODD_BY_EVEN,)),
    ],
    hints=[
        "Cut the image into 2x2 blocks: output pixel (i, j) is the largest of rows 2i, 2i+1 and columns 2j, 2j+1.",
        "Crop to even sizes first, then image.reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3)).",
    ],
    solution="""
        def max_pool_2x2(image):
            image = np.asarray(image, dtype=float)
            h, w = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2  # drop an incomplete last row / column
            return image[:h, :w].reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))
    """,
    mistakes={
        "mean instead of max": Mistake(_mean_pool, "you averaged each block: max pooling keeps its largest value"),
        "overlapping windows (stride 1)": Mistake(
            _overlapping, "your windows overlap: a 2x2 pool steps 2 pixels, so the output is half the size"
        ),
        "incomplete edge blocks kept": Mistake(
            _keeps_the_edge, "you kept the incomplete last row or column: 'valid' pooling drops it"
        ),
        "maximum starting from 0": Mistake(
            lambda image: np.maximum(reference_max_pool_2x2(image), 0.0),
            "your maximum starts from 0: on negative values start from the block's own values (or -inf)",
        ),
        "rows and columns swapped": Mistake(
            lambda image: reference_max_pool_2x2(image).T, "rows and columns are swapped"
        ),
        "the top-left pixel of each block": Mistake(
            _top_left, "you kept the top-left pixel of each block; max pooling keeps the largest of its four"
        ),
        "reshaped to (h // 2, w // 2, 2, 2)": Mistake(
            _blocks_not_square,
            "your blocks are not 2x2 squares of the image: reshape to (h // 2, 2, w // 2, 2) and take the maximum "
            "over axes 1 and 3",
        ),
        "the input returned": lambda image: image,
        "an integer output array": _into_integers,
    },
    rules=[INPUT_UNCHANGED, FRACTIONS_LOST],
)


# --------------------------------------------------------------------------
# 4. Design: dilations with a receptive field of 13 and no gridding holes

FIELD = 13


def _reached_offsets(dilations: tuple[int, ...]) -> set[int]:
    """Offsets (along one axis) that a stack of 3-tap layers with these dilations reaches."""
    offsets = {0}
    for dilation in dilations:
        offsets = {offset + tap * dilation for offset in offsets for tap in range(3)}
    return offsets


def judge_dilations(answer: Any) -> str | None:
    """None if three 3x3 layers with these dilations see a 13-pixel field without holes, else what is wrong."""
    if answer is None or isinstance(answer, (str, bytes, dict)) or callable(answer):
        raise AnswerProblem("expected three dilations, one per layer, like (1, 1, 1)")
    try:
        values = list(answer)
    except TypeError:
        raise AnswerProblem("expected three dilations, one per layer, like (1, 1, 1)") from None
    if len(values) != 3:
        return f"expected three dilations, one per layer, got {len(values)} values"
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1 for v in values):
        return "each dilation is an int, at least 1: a layer's taps lie a whole number of pixels apart"
    field = 1 + 2 * sum(values)
    if field != FIELD:
        return (
            f"three 3x3 layers with dilations {show(tuple(values))} see 1 + 2 * (d1 + d2 + d3) = {field} pixels, "
            f"not {FIELD}"
        )
    missing = sorted(set(range(FIELD)) - _reached_offsets(tuple(int(v) for v in values)))
    if missing:
        return (
            f"the field is {FIELD} wide, but offsets {missing} are never reached: gridding holes "
            "(a reached offset is one tap per layer, 0, d or 2d, added up)"
        )
    return None


q4 = design_exercise(
    "05.q4",
    question=(
        "Choose dilations (d1, d2, d3) for three 3x3 layers at stride 1 so that the receptive field is 13 pixels "
        "and every pixel of it reaches the output."
    ),
    reference=(1, 2, 3),
    judge=judge_dilations,
    hints=[
        "The field is 1 + 2 * (d1 + d2 + d3), so the dilations must add up to 6.",
        "Offsets reached are sums of one tap per layer (0, d or 2d); equal dilations above 1 skip the odd offsets.",
    ],
    solution="dilations = (1, 2, 3)  # taps {0, 1, 2} + {0, 2, 4} + {0, 3, 6} give every offset 0..12",
    mistakes={
        "holes (2, 2, 2)": (2, 2, 2),
        "field 15 (1, 2, 4)": (1, 2, 4),
        "no dilation (1, 1, 1)": (1, 1, 1),
        "two layers": (3, 3),
        "a dilation of 0": (0, 3, 3),
    },
)

EXERCISES = [q1, q2, q3, q4]
