"""Exercises of ``03_kernel_gallery``: the sign of an edge, the post's padding bug, and a diagonal edge kernel.

>>> from helpers.exercises import nb03
>>> [exercise.kind for exercise in nb03.EXERCISES]
['predict', 'predict', 'implement', 'design']
>>> nb03.q4.check(np.zeros((3, 3)))
Not yet: your kernel gives 0 everywhere on STEP_TO_BOTTOM_RIGHT: it does not see that edge at all
False
"""

from __future__ import annotations

import numpy as np

from helpers.exercises._core import (
    FRACTIONS_LOST,
    INPUT_UNCHANGED,
    KERNEL_TURNED,
    SHIFTED_BY_ONE,
    UINT8_CLIPPED,
    UINT8_WRAPPED,
    AnswerProblem,
    Case,
    Mistake,
    as_kernel,
    design_exercise,
    frozen,
    function_exercise,
    value_exercise,
)
from helpers.kernels import KERNELS

__all__ = ["EXERCISES", "STEP_TO_BOTTOM_RIGHT", "STEP_TO_TOP_RIGHT", "q1", "q2", "q3", "q4"]


# --------------------------------------------------------------------------
# Plain reference functions (no helpers.correlate2d, so a learner can read them)


def reference_fixed_conv_2d(image, kernel):
    """Cross-correlation with (kh - 1) // 2 rows and (kw - 1) // 2 columns of zeros around: float, unclipped."""
    kernel = np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    padded = np.pad(np.asarray(image, dtype=float), (((kh - 1) // 2,) * 2, ((kw - 1) // 2,) * 2))
    output = np.zeros(np.shape(image))
    for i in range(output.shape[0]):
        for j in range(output.shape[1]):
            output[i, j] = np.sum(padded[i : i + kh, j : j + kw] * kernel)
    return output


def _post_conv_2d(image, kernel, clip=False):
    """The 2016 post's function: ONE zero of padding whatever the kernel size."""
    padded = np.pad(np.asarray(image, dtype=float), 1)
    kh, kw = np.shape(kernel)
    output = np.zeros(np.shape(image))
    for i in range(padded.shape[0] - kh + 1):
        for j in range(padded.shape[1] - kw + 1):
            value = np.sum(padded[i : i + kh, j : j + kw] * kernel)
            output[i, j] = min(max(value, 0.0), 255.0) if clip else value
    return output


def _correlate_valid(image, kernel):
    kh, kw = kernel.shape
    rows, cols = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    return np.array([[np.sum(image[i : i + kh, j : j + kw] * kernel) for j in range(cols)] for i in range(rows)])


# --------------------------------------------------------------------------
# q1: predict the clipped sharpen response on a step (the lesson shows edge_2 and edge_3 on it)

_STEP_ROW = frozen([[0.0, 0, 0, 100, 100, 100]] * 3)
STEP_ROW = frozen(_STEP_ROW)
_SHARPEN_CLIPPED = frozen(np.clip(_correlate_valid(2 * _STEP_ROW, KERNELS["sharpen"])[0], 0, 255))


q1 = value_exercise(
    "03.q1",
    question=(
        "The step 2 * step_row (three equal rows, 0 0 0 200 200 200) goes through sharpen with padding='valid', "
        "then through squash. What four values come out?"
    ),
    reference=_SHARPEN_CLIPPED,
    hints=[
        "sharpen is 5 x the centre minus its four neighbours: up, down, left and right. The rows above and below "
        "equal the middle row, so up and down are the pixel's own value. Work out the raw value at each of the "
        "four positions first, then clip each one to 0..255.",
        "At the last dark pixel: 5 x 0 - (0 + 0 + 0 + 200) = -200. At the first bright pixel: "
        "5 x 200 - (200 + 200 + 0 + 200) = 400. Next to it every neighbour is 200. Now clip.",
    ],
    solution=(
        "answer = [0, 0, 255, 200]  # raw 0, -200, 400, 200: sharpen overshoots on both sides of the step; "
        "squash turns -200 into 0 and 400 into 255"
    ),
    mistakes={
        "not clipped": [0, -200, 400, 200],
        "the step unchanged (a sum of 1)": Mistake(
            [0, 0, 200, 200],
            "that is the step unchanged: a kernel that sums to 1 keeps flat areas as they are, but at an edge "
            "sharpen overshoots on both sides",
        ),
        "clipped below only": [0, 0, 400, 200],
        "left and right neighbours only": Mistake(
            [0, 0, 255, 255],
            "the last value counts the left and right neighbours only: sharpen also subtracts the pixels above "
            "and below, which here equal the pixel itself",
        ),
        "edge_3's answer": [0, 0, 255, 0],
        "padding='same' (six values)": [0, 0, 0, 255, 200, 200],
        "step_row, not twice it": Mistake(
            [0, 0, 200, 100], "that is the answer for step_row itself; the question doubles it, to 0 0 0 200 200 200"
        ),
    },
    rules=[
        (
            lambda a: not isinstance(a, str) and np.shape(a) != (4,),
            "padding='valid' gives four values for six inputs (6 - 3 + 1), as one flat list",
        ),
        (lambda a: np.min(a) < 0, "a value below 0 is left: squash clips every value to 0..255"),
        (lambda a: np.max(a) > 255, "a value above 255 is left: squash clips above as well as below"),
        (
            lambda a: np.asarray(a, dtype=float)[1] > 0,
            "the last dark pixel comes out positive here: its centre weight multiplies 0, so subtracting its "
            "bright neighbour makes it negative, and squash turns that into 0",
        ),
        (
            lambda a: np.asarray(a, dtype=float)[3] == 0,
            "the last position is inside the flat bright area, where a kernel that sums to 1 keeps the value",
        ),
    ],
)


# --------------------------------------------------------------------------
# q2: predict where the post's function puts a single bright pixel

_BRIGHT = np.zeros((9, 9))
_BRIGHT[2, 6] = 255
_LANDED = _post_conv_2d(_BRIGHT, KERNELS["gaussian_blur_5x5"])
_LANDED_AT = tuple(int(v) for v in np.unravel_index(_LANDED.argmax(), _LANDED.shape))

_ONE_MOVED = (
    "only one of the two moved: the padding is one zero short on every side, so the picture moves one row up and "
    "one column left"
)

q2 = value_exercise(
    "03.q2",
    question=(
        "A single pixel at (row 2, column 6) of a 9x9 black image goes through the post's function with the "
        "5x5 Gaussian blur. At which (row, column) is the blurred pixel centred?"
    ),
    reference=_LANDED_AT,
    hints=[
        "With one zero of padding instead of two, output[i, j] holds the correct value of pixel (i + 1, j + 1).",
        "So the correct result at (2, 6) is stored one row and one column earlier.",
    ],
    solution="answer = (1, 5)  # output[i, j] is the correct value of (i + 1, j + 1)",
    mistakes={
        "no shift": Mistake((2, 6), "that is where the correct function puts it; the post pads by one zero, not two"),
        "shifted the wrong way": Mistake(
            (3, 7), "right distance, wrong way: the post's picture moves up and to the left"
        ),
        "shifted by two": Mistake(
            (0, 4), "one pixel too far: the padding is one zero short, so the shift is one pixel"
        ),
        "row and column swapped": Mistake((5, 1), "row and column are swapped: the row comes first"),
        "only the row moved": Mistake((1, 6), _ONE_MOVED),
        "only the column moved": Mistake((2, 5), _ONE_MOVED),
    },
)


# --------------------------------------------------------------------------
# q3: implement the fixed version of the post's function


_PADDED_BY_ONE = (
    "you padded by one zero whatever the kernel: that is the post's bug; a 5-wide kernel needs (5 - 1) // 2 = 2 "
    "on each side"
)


def SAME_PADDING_BOTH_AXES(got, expected, case, reference):
    """Rows and columns padded by the same amount, taken from one side of a non-square kernel."""
    if len(case.args) < 2 or np.ndim(case.args[1]) != 2 or np.shape(case.args[1])[0] == np.shape(case.args[1])[1]:
        return None
    image, kernel = case.args[:2]
    for side in np.shape(kernel):
        if np.shape(got) == np.shape(expected) and np.allclose(got, _pad_all_sides(image, kernel, (side - 1) // 2)):
            return (
                "you padded rows and columns by the same amount; a kernel that is not square needs "
                "(kh - 1) // 2 rows and (kw - 1) // 2 columns"
            )
    return None


def WRONG_BORDER(got, expected, case, reference):
    """Right away from the border, wrong on it: a border other than zeros (reflected, repeated edge pixels)."""
    if len(case.args) < 2 or np.ndim(case.args[1]) != 2 or np.shape(got) != np.shape(expected):
        return None
    height, width = np.shape(expected)
    kh, kw = np.shape(case.args[1])
    inner = (slice((kh - 1) // 2, height - (kh - 1) // 2), slice((kw - 1) // 2, width - (kw - 1) // 2))
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if got[inner].size and np.allclose(got[inner], expected[inner]) and not np.allclose(got, expected):
        return (
            "the pixels away from the border are right and the border ones are not: pad with zeros "
            "(np.pad's default), (kh - 1) // 2 rows and (kw - 1) // 2 columns on each side"
        )
    return None


_IMAGE_BRIGHT_AND_DARK = np.array(
    [
        [0, 0, 250, 250, 250, 0, 0],
        [0, 0, 250, 250, 250, 0, 0],
        [0, 0, 250, 10, 250, 0, 0],
        [0, 0, 250, 250, 250, 0, 0],
        [0, 0, 0, 0, 0, 0, 30],
    ],
    dtype=np.uint8,
)
_IMAGE_4X6 = np.arange(24, dtype=np.uint8).reshape(4, 6) * 10
_IMAGE_6X5 = np.array([[(3 * i + 7 * j) % 11 for j in range(5)] for i in range(6)], dtype=float) / 4  # 0 to 2.5
_ROW_KERNEL = np.array([[1.0, 2.0, 0.0, -1.0, 3.0]])  # 1x5, not symmetric
_TALL_KERNEL = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0], [4.0, 0.0, 0.0]])  # 5x3

q3 = function_exercise(
    "03.q3",
    question=(
        "Write fixed_conv_2d(image, kernel): the post's function with (kh - 1) // 2 rows and (kw - 1) // 2 "
        "columns of zero padding, returning the correlation as float, unclipped, the size of the input."
    ),
    reference=reference_fixed_conv_2d,
    cases=[
        Case(
            "a 5x7 uint8 image of 0s and 250s and the 5x5 unsharp kernel",
            (_IMAGE_BRIGHT_AND_DARK, KERNELS["unsharp_5x5"]),
        ),
        Case("a 4x6 uint8 image and emboss, a kernel that is not symmetric", (_IMAGE_4X6, KERNELS["emboss"])),
        Case("a 6x5 image of quarters and a 1x5 kernel (one row, five columns)", (_IMAGE_6X5, _ROW_KERNEL)),
        Case("a 6x5 image of quarters and a 5x3 kernel (five rows, three columns)", (_IMAGE_6X5, _TALL_KERNEL)),
    ],
    dtype=("f", "the question asks for floats: np.zeros(image.shape) makes a float64 output array"),
    hints=[
        "Start from post_conv_2d. Only two things change: how much padding goes on, and that nothing is clipped.",
        "kh, kw = kernel.shape; np.pad(image.astype(float), (((kh - 1) // 2,) * 2, ((kw - 1) // 2,) * 2)) pads the "
        "rows and the columns separately. Then loop over every pixel of the input: output[i, j] = "
        "np.sum(padded[i : i + kh, j : j + kw] * kernel).",
    ],
    solution="""
        def fixed_conv_2d(image, kernel):
            kh, kw = kernel.shape
            padding = (((kh - 1) // 2,) * 2, ((kw - 1) // 2,) * 2)
            padded = np.pad(np.asarray(image, dtype=float), padding)
            output = np.zeros(np.shape(image))
            for i in range(output.shape[0]):
                for j in range(output.shape[1]):
                    output[i, j] = np.sum(padded[i : i + kh, j : j + kw] * kernel)
            return output
    """,
    mistakes={
        "the post's padding of one": Mistake(lambda image, kernel: _post_conv_2d(image, kernel), _PADDED_BY_ONE),
        "the post's function as it is (padding of one, clipped)": Mistake(
            lambda image, kernel: _post_conv_2d(image, kernel, clip=True), _PADDED_BY_ONE
        ),
        "the post's clipping kept": lambda image, kernel: np.clip(reference_fixed_conv_2d(image, kernel), 0, 255),
        "kernel turned (convolution)": lambda image, kernel: reference_fixed_conv_2d(
            image, np.asarray(kernel)[::-1, ::-1]
        ),
        "uint8 output array": lambda image, kernel: np.mod(np.trunc(reference_fixed_conv_2d(image, kernel)), 256),
        "rows padded like columns": lambda image, kernel: _pad_all_sides(image, kernel, (kernel.shape[1] - 1) // 2),
        "the post's rule, m - 2 zeros": lambda image, kernel: _pad_all_sides(image, kernel, kernel.shape[0] - 2),
        "a reflected border": lambda image, kernel: _fixed_with_border(image, kernel, "reflect"),
        "returns the input": lambda image, kernel: image,
    },
    rules=[
        SHIFTED_BY_ONE,
        KERNEL_TURNED,
        UINT8_WRAPPED,
        UINT8_CLIPPED,
        FRACTIONS_LOST,
        INPUT_UNCHANGED,
        SAME_PADDING_BOTH_AXES,
        WRONG_BORDER,
    ],
)


def _pad_all_sides(image, kernel, width):
    """A wrong answer: the same padding on every side, which breaks for a kernel that is not square."""
    kernel = np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    padded = np.pad(np.asarray(image, dtype=float), width)
    rows, cols = padded.shape[0] - kh + 1, padded.shape[1] - kw + 1
    output = np.zeros(np.shape(image))
    for i in range(min(rows, output.shape[0])):
        for j in range(min(cols, output.shape[1])):
            output[i, j] = np.sum(padded[i : i + kh, j : j + kw] * kernel)
    return output


def _fixed_with_border(image, kernel, mode):
    """A wrong answer: the right padding widths, filled by ``np.pad``'s ``mode`` instead of with zeros."""
    kernel = np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    padded = np.pad(np.asarray(image, dtype=float), (((kh - 1) // 2,) * 2, ((kw - 1) // 2,) * 2), mode=mode)
    output = np.zeros(np.shape(image))
    for i in range(output.shape[0]):
        for j in range(output.shape[1]):
            output[i, j] = np.sum(padded[i : i + kh, j : j + kw] * kernel)
    return output


# --------------------------------------------------------------------------
# q4: design a kernel for one diagonal

_SIZE = 10
_ROW_INDEX, _COL_INDEX = np.indices((_SIZE, _SIZE))
_TO_BOTTOM_RIGHT = frozen(100.0 * (_ROW_INDEX + _COL_INDEX >= _SIZE - 1))  # the check's own copies
_TO_TOP_RIGHT = frozen(100.0 * (_COL_INDEX > _ROW_INDEX))
#: Dark top-left, bright bottom-right: the border runs from bottom-left to top-right (read-only).
STEP_TO_BOTTOM_RIGHT = frozen(_TO_BOTTOM_RIGHT)
#: Dark bottom-left, bright top-right: the border runs from top-left to bottom-right, along the other diagonal.
STEP_TO_TOP_RIGHT = frozen(_TO_TOP_RIGHT)
_FLAT = np.full((5, 5), 100.0)


def _judge_diagonal(answer):
    kernel = as_kernel(answer, (3, 3))
    flat = _correlate_valid(_FLAT, kernel)
    if np.abs(flat).max() > 1e-9:
        raise AnswerProblem(
            f"on a flat patch of gray 100 your kernel gives {flat.max():g}, not 0: "
            f"its weights add up to {kernel.sum():g}; make them add up to 0"
        )
    wanted = _correlate_valid(_TO_BOTTOM_RIGHT, kernel)
    other = _correlate_valid(_TO_TOP_RIGHT, kernel)
    if np.abs(wanted).max() <= 1e-9 and np.abs(other).max() > 1e-9:
        return (
            "your kernel gives 0 everywhere on STEP_TO_BOTTOM_RIGHT and responds to STEP_TO_TOP_RIGHT: it "
            "detects the other diagonal; mirror it left to right"
        )
    if np.abs(wanted).max() <= 1e-9:
        return "your kernel gives 0 everywhere on STEP_TO_BOTTOM_RIGHT: it does not see that edge at all"
    if wanted.max() <= 1e-9:
        return (
            "your kernel gives only negative values on STEP_TO_BOTTOM_RIGHT: it is turned round, it detects "
            "brightness rising towards the top left; turn it by 180 degrees"
        )
    if wanted.min() < -1e-9:
        return (
            f"on STEP_TO_BOTTOM_RIGHT your kernel gives positive and negative values ({wanted.min():g} to "
            f"{wanted.max():g}), like edge_1, a second derivative; use a first difference across the diagonal"
        )
    if np.abs(other).max() > 1e-9:
        return (
            f"your kernel also responds to STEP_TO_TOP_RIGHT (values {other.min():g} to {other.max():g}), whose "
            "border runs along the other diagonal: compare the top-left part of the window with its "
            "bottom-right part, and nothing else"
        )
    return None


_DIAGONAL_SOBEL = np.array([[-2.0, -1.0, 0.0], [-1.0, 0.0, 1.0], [0.0, 1.0, 2.0]])

q4 = design_exercise(
    "03.q4",
    question=(
        "Design a 3x3 kernel that, under correlation with padding='valid' (only windows that lie wholly inside the "
        "image, so no padded zeros), gives 0 on a flat patch, positive values (and nothing negative) where the "
        "bright corner of STEP_TO_BOTTOM_RIGHT begins, and 0 everywhere on STEP_TO_TOP_RIGHT."
    ),
    reference=_DIAGONAL_SOBEL,
    judge=_judge_diagonal,
    hints=[
        "sobel_x subtracts the left column from the right one. Do the same across the diagonal: subtract the "
        "top-left corner of the window from the bottom-right one.",
        "Give each weight the value (row + column - 2), for row and column 0, 1, 2: negative towards the top "
        "left, positive towards the bottom right, 0 on the diagonal in between. Its weights add up to 0.",
    ],
    solution="""
        diagonal_kernel = np.array([[-2, -1, 0], [-1, 0, 1], [0, 1, 2]])
        # the bottom-right corner minus the top-left one, [[-1, 0, 0], [0, 0, 0], [0, 0, 1]], works too
    """,
    mistakes={
        "edge_1 (a mixed second derivative)": KERNELS["edge_1"],
        "sobel_x (a straight edge detector)": KERNELS["sobel_x"],
        "emboss (sums to 1)": KERNELS["emboss"],
        "turned round": _DIAGONAL_SOBEL[::-1, ::-1],
        "the other diagonal": np.fliplr(_DIAGONAL_SOBEL),
        "a 5x5 kernel": np.zeros((5, 5)),
    },
)

EXERCISES = [q1, q2, q3, q4]
