"""Exercises of ``08_learning_kernels``: a kernel gradient, a transposed size, even upsampling, a layer's weights.

>>> from helpers.exercises import nb08
>>> [exercise.kind for exercise in nb08.EXERCISES]
['implement', 'predict', 'design', 'predict']
>>> nb08.q4.check(1152)
Not yet: that is the kernel alone: each of the 16 output channels also has a bias
False
"""

from __future__ import annotations

import numpy as np

from helpers.convolution import correlate2d, transposed_correlate2d
from helpers.exercises._core import (
    AnswerProblem,
    Case,
    Mistake,
    as_kernel,
    design_exercise,
    function_exercise,
    same,
    value_exercise,
)

__all__ = ["EXERCISES", "q1", "q2", "q3", "q4"]


# --------------------------------------------------------------------------
# q1: the gradient of the mean squared error with respect to the kernel


def reference_kernel_gradient(image, error):
    """d(mean of error**2) / d kernel, where error = (image correlated with kernel, 'valid') - target."""
    image, error = np.asarray(image, dtype=float), np.asarray(error, dtype=float)
    rows, cols = error.shape
    kh, kw = image.shape[0] - rows + 1, image.shape[1] - cols + 1
    gradient = np.zeros((kh, kw))
    for u in range(kh):
        for v in range(kw):
            gradient[u, v] = 2 * np.mean(error * image[u : u + rows, v : v + cols])
    return gradient


_IMAGE_5X6 = np.array(
    [[3, 1, 4, 1, 5, 9], [2, 6, 5, 3, 5, 8], [9, 7, 9, 3, 2, 3], [8, 4, 6, 2, 6, 4], [3, 3, 8, 3, 2, 7]], dtype=float
)
_ERROR_3X4 = np.array([[1.0, -2.0, 0.5, 0.0], [0.0, 1.5, -1.0, 2.0], [-0.5, 0.0, 1.0, -1.0]])
_IMAGE_4X4 = np.array([[1, 2, 0, 4], [0, 3, 1, 1], [5, 0, 2, 2], [1, 1, 0, 3]], dtype=float)
_ERROR_2X3 = np.array([[2.0, -1.0, 0.0], [0.5, 0.0, -2.0]])


def _scaled_by_something(got, expected, case, reference):
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if got.shape != expected.shape or not np.any(expected):
        return None
    factor = float(np.sum(got * expected) / np.sum(expected * expected))
    if factor > 0 and same(got, factor * expected):
        count = np.asarray(case.args[1]).size
        return (
            f"your gradient is the right one times {factor:.3g}: check the 2 (from e**2) and the mean, which "
            f"divides by the {count} error values (the output pixels), not by the image's size"
        )
    return None


q1 = function_exercise(
    "08.q1",
    question=(
        "Write kernel_gradient(image, error): the gradient of the mean squared error with respect to the kernel, "
        "where error = (image correlated with the kernel, 'valid') - target."
    ),
    reference=reference_kernel_gradient,
    cases=[
        Case("a 5x6 image and a 3x4 error (a 3x3 kernel)", (_IMAGE_5X6, _ERROR_3X4)),
        Case("a 4x4 image and a 2x3 error (a 3x2 kernel, not square)", (_IMAGE_4X4, _ERROR_2X3)),
    ],
    hints=[
        "The kernel has (H - rows + 1) x (W - cols + 1) weights, where the error is rows x cols. Weight (u, v) "
        "multiplies image[i + u, j + v] in output (i, j).",
        "For each (u, v): gradient[u, v] = 2 * np.mean(error * image[u : u + rows, v : v + cols]), that is, "
        "twice the mean of the error times the part of the image that weight saw.",
    ],
    solution="""
        def kernel_gradient(image, error):
            rows, cols = error.shape
            kh, kw = image.shape[0] - rows + 1, image.shape[1] - cols + 1
            gradient = np.zeros((kh, kw))
            for u in range(kh):
                for v in range(kw):
                    gradient[u, v] = 2 * np.mean(error * image[u : u + rows, v : v + cols])
            return gradient
    """,
    mistakes={
        "turned 180 degrees (a convolution)": Mistake(
            lambda image, error: reference_kernel_gradient(image, error)[::-1, ::-1],
            "your gradient is turned 180 degrees: weight (u, v) meets image[i + u, j + v], so slide the error "
            "over the image as it is (a correlation, not a convolution)",
        ),
        "the factor 2 forgotten": Mistake(
            lambda image, error: reference_kernel_gradient(image, error) / 2,
            "your gradient is half the right one: the derivative of e**2 is 2 * e",
        ),
        "a sum, not a mean": Mistake(
            lambda image, error: reference_kernel_gradient(image, error) * np.size(error),
            lambda case: (
                f"your gradient is {np.size(case.args[1])} times too large: the loss is a mean over the "
                f"{np.size(case.args[1])} error values, so divide"
            ),
        ),
        "the wrong sign": Mistake(
            lambda image, error: -reference_kernel_gradient(image, error),
            "your gradient has the wrong sign: the error is prediction - target, and enters as + 2 * e",
        ),
        "the error's shape": lambda image, error: np.asarray(error),
        "convolved, not correlated": Mistake(
            lambda image, error: (
                2 / np.size(error) * correlate2d(image, np.asarray(error)[::-1, ::-1], padding="valid")
            ),
            "you convolved, which turns the error 180 degrees: weight (u, v) meets image[i + u, j + v] where the "
            "error is e[i, j], so slide the error over the image as it is (a correlation)",
        ),
        "rows and columns swapped": Mistake(
            lambda image, error: reference_kernel_gradient(image, error).T,
            "your gradient is transposed: rows and columns are swapped, so u should run down and v across",
        ),
        "divided by the image's size": lambda image, error: (
            reference_kernel_gradient(image, error) * np.size(error) / np.size(image)
        ),
    },
    rules=[_scaled_by_something],
)


# --------------------------------------------------------------------------
# q2: the output size of a transposed convolution

q2 = value_exercise(
    "08.q2",
    question=(
        "A 3x3 correlation with stride 2 and one pixel of zero padding on each side gives a 7x7 output. "
        "What is the smallest input size n (an int, rows = columns) that it could have come from, which "
        "helpers.transposed_correlate2d makes by default?"
    ),
    reference=13,
    hints=[
        "Going back, (n_out - 1) steps of s pixels, plus the kernel's extent d * (k - 1) + 1, minus the padding.",
        "(7 - 1) * 2 + 1 * (3 - 1) + 1 - (1 + 1).",
    ],
    solution="n = (7 - 1) * 2 + (3 - 1) + 1 - 2  # 13; 14 correlates back to 7 too",
    mistakes={
        "7 times the stride": Mistake(
            14, "14 also correlates back to 7, but it is not the smallest: use (n - 1) * s, not n * s"
        ),
        "the padding not taken off": Mistake(
            15, "that is the size before the padding is cropped: take off p_total = 2"
        ),
        "the + 1 dropped": Mistake(12, "one short: the kernel's extent is d * (k - 1) + 1, count the + 1"),
        "the forward size": Mistake(4, "that is the forward output size of a 7x7 input; go the other way, from 7 back"),
    },
)


# --------------------------------------------------------------------------
# q3: design a 3x3 kernel that upsamples by 2 without a checkerboard

_ONES = np.ones((6, 6))


def _judge_even_upsampling(answer):
    kernel = as_kernel(answer, (3, 3))
    inside = transposed_correlate2d(_ONES, kernel, stride=2)[2:-2, 2:-2]
    low, high = float(inside.min()), float(inside.max())
    if high - low > 1e-9:
        # at stride 2 an output pixel takes one of four groups of taps, by the parity of its row and column
        groups = (kernel[1, 1], kernel[0, 1] + kernel[2, 1], kernel[1, 0] + kernel[1, 2], kernel[::2, ::2].sum())
        raise AnswerProblem(
            f"a flat image of ones comes out as a checkerboard of {low:.3g} to {high:.3g}, not flat: the output "
            "pixels reached by the centre tap, by the taps above and below it, by those beside it and by the "
            "corners get " + ", ".join(f"{g:.3g}" for g in groups) + ", which differ"
        )
    if abs(low) <= 1e-9:
        raise AnswerProblem("a flat image of ones comes out as all zeros: the kernel needs some weight")
    if abs(low - 1.0) > 1e-9:
        raise AnswerProblem(f"a flat image of ones comes out flat, but at {low:.3g}, not 1: scale your kernel")
    return None


q3 = design_exercise(
    "08.q3",
    question=(
        "Design a 3x3 kernel that, in a stride-2 transposed convolution (helpers.transposed_correlate2d with "
        "stride=2), turns a flat image of ones into a flat image of ones, away from the border."
    ),
    reference=np.outer([0.5, 1.0, 0.5], [0.5, 1.0, 0.5]),
    judge=_judge_even_upsampling,
    hints=[
        "Each output pixel is reached by the kernel weights in rows u of one parity (even or odd) and columns v of "
        "one parity. For a flat result, each of the four groups (even/odd rows x even/odd columns) must add up "
        "to the same number, 1.",
        "The centre weight is a group on its own, so it is 1. The two weights above and below it share a group, "
        "as do the two beside it, and the four corners.",
    ],
    solution="""
        even_kernel = np.outer([0.5, 1.0, 0.5], [0.5, 1.0, 0.5])  # bilinear interpolation
    """,
    mistakes={
        "a box of ones": np.ones((3, 3)),
        "the box blur": np.ones((3, 3)) / 9,
        "bilinear, twice too strong": 2 * np.outer([0.5, 1.0, 0.5], [0.5, 1.0, 0.5]),
        "a 4x4 kernel": np.ones((4, 4)) / 4,
        "all zeros": np.zeros((3, 3)),
        "the centre tap alone": np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]),
    },
)


# --------------------------------------------------------------------------
# q4: how many weights a convolution layer holds

q4 = value_exercise(
    "08.q4",
    question=(
        "How many weights (kernel and biases) does keras.layers.Conv2D(16, 3) hold when its input has 8 "
        "channels, like the second convolution layer of section 7?"
    ),
    reference=1168,
    hints=[
        "The kernel is (kh, kw, C_in, C_out); the bias has one number per output channel.",
        "3 * 3 * 8 * 16 kernel weights, plus 16 biases.",
    ],
    solution="weights = 3 * 3 * 8 * 16 + 16  # 1,168",
    mistakes={
        "biases left out": Mistake(1152, "that is the kernel alone: each of the 16 output channels also has a bias"),
        "input channels left out": Mistake(160, "each kernel spans all 8 input channels: the kernel is (3, 3, 8, 16)"),
        "input channels and biases left out": Mistake(
            144, "each kernel spans all 8 input channels, and there are 16 biases"
        ),
        "one bias per input channel": Mistake(
            1160, "the bias is one number per output channel (16), not per input channel"
        ),
        "the whole network": Mistake(
            1508, "that is the whole network (model.count_params()); the question asks for one layer"
        ),
        "the first layer": Mistake(
            80, "that is the first convolution layer (1 input channel); the second takes 8 channels in"
        ),
    },
)

EXERCISES = [q1, q2, q3, q4]
