"""Exercises of ``02_convolution_by_hand``: output sizes, padding, the loop without padding, the kernel flip.

>>> from helpers.exercises import nb02
>>> [exercise.kind for exercise in nb02.EXERCISES]
['predict', 'implement', 'implement', 'design', 'design']
"""

from __future__ import annotations

import numpy as np

from helpers.exercises._core import (
    FRACTIONS_LOST,
    INPUT_UNCHANGED,
    KERNEL_TURNED,
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

__all__ = ["EXERCISES", "q1", "q2", "q3", "q4", "q5"]


def _correlate_zero_padded(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Cross-correlation of an odd-sized kernel with zero padding, the output the image's size."""
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    pad_rows, pad_cols = (kernel.shape[0] - 1) // 2, (kernel.shape[1] - 1) // 2
    padded = np.pad(image, ((pad_rows, pad_rows), (pad_cols, pad_cols)))
    output = np.zeros(image.shape)
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            output[i, j] = np.sum(padded[i : i + kernel.shape[0], j : j + kernel.shape[1]] * kernel)
    return output


# --------------------------------------------------------------------------
# q1: predict the output shape without padding

q1 = value_exercise(
    "02.q1",
    question="What shape does a 5 x 3 kernel (5 rows, 3 columns) give on a 6 x 9 image with padding='valid'?",
    reference=(2, 7),
    hints=[
        "Work out each axis on its own: an m-wide kernel fits n - m + 1 times along an axis of length n.",
        "Rows: 6 - 5 + 1. Columns: 9 - 3 + 1.",
    ],
    solution="answer = (6 - 5 + 1, 9 - 3 + 1)  # (2, 7)",
    mistakes={
        "forgot the + 1": Mistake(
            (1, 6), "you dropped the + 1: a 5-row kernel fits twice in 6 rows (rows 0-4 and 1-5)"
        ),
        "kept the input size": Mistake((6, 9), "that is the input's shape: without padding the output shrinks"),
        "kernel sides swapped": Mistake(
            (4, 5), "the kernel has 5 rows and 3 columns: subtract 5 from the rows, 3 from the columns"
        ),
        "axes swapped": Mistake((7, 2), "a shape is (rows, columns): rows first"),
    },
    rules=[
        (
            lambda a: len(a) == 2 and a[0] == 2,
            "the rows are right; the columns are not: a 3-wide kernel fits 9 - 3 + 1 times",
        ),
        (
            lambda a: len(a) == 2 and a[1] == 7,
            "the columns are right; the rows are not: a 5-tall kernel fits 6 - 5 + 1 times",
        ),
    ],
)

# --------------------------------------------------------------------------
# q2: implement the padding that keeps the size


def same_padding(m: int) -> int:
    """Zeros to add on each side so that an m x m kernel (m odd) keeps the image's size."""
    return (m - 1) // 2


def _not_whole(got, expected, case, reference):
    try:
        if float(got) != int(got):
            return "padding comes in whole pixels: divide with //, which drops the half"
    except (TypeError, ValueError, OverflowError):
        return None
    return None


q2 = function_exercise(
    "02.q2",
    question="Write same_padding(m): how many zeros to pad on each side so an m x m kernel (m odd) keeps the size.",
    reference=same_padding,
    cases=[Case(f"m = {m}", (m,)) for m in (3, 5, 1, 7, 11)],
    dtype=(
        "iu",
        "a number of zeros is a whole number, and np.pad refuses a float: divide with //",
    ),
    hints=[
        "The padded side is n + 2p, and the kernel fits n + 2p - m + 1 times. Set that equal to n.",
        "n + 2p - m + 1 = n gives 2p = m - 1.",
    ],
    solution="""
    def same_padding(m):
        return (m - 1) // 2
    """,
    mistakes={
        "the post's m - 2": Mistake(
            lambda m: m - 2,
            lambda case: (
                f"that is the 2016 post's rule m - 2: it keeps the size only for m = 3 (here m = {case.args[0]})"
            ),
        ),
        "both sides together": Mistake(
            lambda m: m - 1, "m - 1 is the padding of both sides together: each side gets half of it"
        ),
        "the kernel size": lambda m: m,
        "one, always": lambda m: 1,
        "rounded up": lambda m: (m + 1) // 2,
        "half as a float": lambda m: m / 2,
    },
    rules=[_not_whole],
)

# --------------------------------------------------------------------------
# q3: implement the double loop without padding


def correlate_valid(image, kernel):
    """Cross-correlation without padding: the output has (H - kh + 1) x (W - kw + 1) values, float64."""
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    kh, kw = kernel.shape
    output = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(output.shape[0]):
        for j in range(output.shape[1]):
            output[i, j] = np.sum(image[i : i + kh, j : j + kw] * kernel)
    return output


def _valid_into_uint8(image, kernel):
    """A common mistake: the output array takes the image's dtype."""
    kh, kw = np.shape(kernel)
    output = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1), dtype=image.dtype)
    for i in range(output.shape[0]):
        for j in range(output.shape[1]):
            output[i, j] = np.sum(image[i : i + kh, j : j + kw].astype(np.int64) * kernel)
    return output


def _uint8_output(got, expected, case, reference):
    if (
        isinstance(got, np.ndarray)
        and got.dtype == np.uint8
        and got.shape == expected.shape
        and (np.min(expected) < 0 or np.max(expected) > 255)
    ):
        return (
            "your output array is uint8 (np.zeros_like(image) takes the image's dtype), so sums below 0 or "
            "above 255 cannot be stored: make it float64"
        )
    return None


def _one_too_small(got, expected, case, reference):
    shape = np.shape(got)
    if len(shape) == 2 and shape == (expected.shape[0] - 1, expected.shape[1] - 1):
        return "your output is one row and one column short: a kernel fits n - m + 1 times, loop over range(n - m + 1)"
    return None


def _window_off_by_one(got, expected, case, reference):
    """Right shape, but every window starts one row and/or column away from (i, j)."""
    values = np.asarray(got, dtype=np.float64)
    if values.shape != expected.shape:
        return None
    for rows, cols in [(1, 1), (1, 0), (0, 1), (-1, -1), (-1, 0), (0, -1), (1, -1), (-1, 1)]:
        # got[i, j] == expected[i - rows, j - cols] wherever both exist
        mine = values[max(rows, 0) : values.shape[0] + min(rows, 0), max(cols, 0) : values.shape[1] + min(cols, 0)]
        theirs = expected[
            max(-rows, 0) : expected.shape[0] + min(-rows, 0), max(-cols, 0) : expected.shape[1] + min(-cols, 0)
        ]
        if mine.size and np.allclose(mine, theirs):
            return (
                "your output is the right one moved by a pixel: the window for output[i, j] is "
                "image[i:i + kh, j:j + kw], starting at row i and column j (check the loop bounds and slices)"
            )
    return None


def _padded_like_the_notebook(got, expected, case, reference):
    if np.shape(got) == np.shape(case.args[0]):
        return "your output has the image's shape: this exercise asks for no padding, so the output shrinks"
    return None


_IMAGE_4X6 = np.array(
    [[10, 20, 30, 40, 50, 60], [5, 15, 25, 35, 45, 55], [0, 0, 255, 255, 0, 0], [9, 8, 7, 6, 5, 4]], np.uint8
)
_KERNEL_2X3 = np.array([[1, 0, -1], [2, 0, -2]])  # even height, not symmetric, negative weights
_IMAGE_5X4 = np.arange(20, dtype=np.float64).reshape(5, 4) ** 1.5
_KERNEL_3X3 = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.5, 0.0, 2.0]])

q3 = function_exercise(
    "02.q3",
    question=(
        "Write correlate_valid(image, kernel): the double loop without padding, returning the smaller float64 output."
    ),
    reference=correlate_valid,
    cases=[
        Case("a 4x6 uint8 image and a 2x3 kernel with negative weights", (_IMAGE_4X6, _KERNEL_2X3)),
        Case("a 5x4 float image and a 3x3 kernel that is not symmetric, with a weight 0.5", (_IMAGE_5X4, _KERNEL_3X3)),
        Case("a 3x3 image and a 3x3 kernel (one output value)", (np.arange(9.0).reshape(3, 3), _KERNEL_3X3)),
    ],
    dtype=("f", "the question asks for a float64 output: np.zeros((rows, cols)) makes one"),
    hints=[
        "The output has image.shape[0] - kh + 1 rows and image.shape[1] - kw + 1 columns; no np.pad.",
        "output[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel), with a float64 output array.",
    ],
    solution="""
    def correlate_valid(image, kernel):
        image = np.asarray(image, dtype=np.float64)
        kh, kw = kernel.shape
        output = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
        for i in range(output.shape[0]):
            for j in range(output.shape[1]):
                output[i, j] = np.sum(image[i : i + kh, j : j + kw] * kernel)
        return output
    """,
    mistakes={
        "kernel turned (that is convolution)": lambda image, kernel: correlate_valid(
            image, np.asarray(kernel)[::-1, ::-1]
        ),
        "output array in uint8": _valid_into_uint8,
        "loops one step short": lambda image, kernel: correlate_valid(image, kernel)[:-1, :-1],
        "zero padding kept": _correlate_zero_padded,
        "returns the input": lambda image, kernel: image,
        "windows start one pixel early": lambda image, kernel: correlate_valid(
            np.pad(np.asarray(image, dtype=np.float64), ((1, 0), (1, 0)))[: np.shape(image)[0], : np.shape(image)[1]],
            kernel,
        ),
    },
    rules=[
        INPUT_UNCHANGED,
        KERNEL_TURNED,
        _uint8_output,
        UINT8_WRAPPED,
        UINT8_CLIPPED,
        FRACTIONS_LOST,
        _one_too_small,
        _padded_like_the_notebook,
        _window_off_by_one,
    ],
)

# --------------------------------------------------------------------------
# q4: design a kernel that moves the image one pixel to the right

_TEST_IMAGE = np.random.default_rng(2).integers(1, 10, size=(4, 6)).astype(np.float64)  # every pixel differs from 0


def _moved(image: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """The image moved down by ``rows`` and right by ``cols`` pixels (each -1, 0 or 1), zeros coming in."""
    padded = np.pad(image, 1)
    height, width = image.shape
    return padded[1 - rows : 1 - rows + height, 1 - cols : 1 - cols + width]


def _judge_shift(answer):
    kernel = as_kernel(answer, (3, 3))
    output = _correlate_zero_padded(_TEST_IMAGE, kernel)
    if np.allclose(output, _moved(_TEST_IMAGE, 0, 1)):
        return None
    effects = {(0, -1): "moves the image one pixel to the left (the answer for convolution, which turns the kernel)"}
    effects[0, 0] = "leaves the image where it is (the identity)"
    for rows in (-1, 0, 1):
        for cols in (-1, 0, 1):
            way = " and ".join(
                w for w in ({-1: "up", 1: "down"}.get(rows), {-1: "to the left", 1: "to the right"}.get(cols)) if w
            )
            effects.setdefault((rows, cols), f"moves the image one pixel {way}")
    for (rows, cols), effect in effects.items():
        if np.allclose(output, _moved(_TEST_IMAGE, rows, cols)):
            raise AnswerProblem(
                f"your kernel {effect}: output[i, j] must read image[i, j - 1], "
                "and under cross-correlation the output reads the pixel under the kernel's 1"
            )
    if np.count_nonzero(kernel) == 1 and np.allclose(output / kernel.sum(), _moved(_TEST_IMAGE, 0, 1)):
        raise AnswerProblem(
            f"the position is right but the weight is {kernel.sum():g}: a move keeps every value, so use 1"
        )
    raise AnswerProblem(
        "the output is not the image moved one pixel to the right; a kernel holding a single 1 moves it"
    )


q4 = design_exercise(
    "02.q4",
    question="Design a 3 x 3 kernel that, under cross-correlation, moves the image one pixel to the right.",
    reference=np.array([[0, 0, 0], [1, 0, 0], [0, 0, 0]]),
    judge=_judge_shift,
    hints=[
        "Moving right means output[i, j] == image[i, j - 1]: each output pixel copies its left neighbour.",
        "The identity kernel copies the pixel under its centre. Which cell lies over image[i, j - 1]?",
    ],
    solution="""
    answer = np.array([[0, 0, 0], [1, 0, 0], [0, 0, 0]])  # the 1 sits over the left neighbour
    """,
    mistakes={
        "the convolution answer (moves left)": np.array([[0, 0, 0], [0, 0, 1], [0, 0, 0]]),
        "the identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
        "moves down": np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]]),
        "weight 2": np.array([[0, 0, 0], [2, 0, 0], [0, 0, 0]]),
        "a 1 x 3 row": np.array([[1, 0, 0]]),
    },
)

# --------------------------------------------------------------------------
# q5: design the kernel that makes correlation compute a convolution

_E = frozen([[1, 2, 0], [0, 1, 0], [0, 0, -1]])  # the check's own copy
E = frozen(_E)  # no flip or transpose leaves it unchanged; read-only, like every array a question names


def _judge_turned(answer):
    kernel = as_kernel(answer, (3, 3))
    wanted = _correlate_zero_padded(_TEST_IMAGE, _E[::-1, ::-1])  # convolution with E
    if np.allclose(_correlate_zero_padded(_TEST_IMAGE, kernel), wanted):
        return None
    return "correlating with your kernel does not give the convolution with E"


q5 = design_exercise(
    "02.q5",
    question=(
        "E = nb02.E = [[1, 2, 0], [0, 1, 0], [0, 0, -1]]. Give the kernel that, used with cross-correlation, "
        "computes the convolution with E."
    ),
    reference=np.array([[-1, 0, 0], [0, 1, 0], [0, 2, 1]]),
    judge=_judge_turned,
    hints=[
        "Convolution is cross-correlation with the kernel turned 180 degrees.",
        "Turning 180 degrees flips the rows and the columns: E[::-1, ::-1].",
    ],
    solution="""
    answer = nb02.E[::-1, ::-1]  # [[-1, 0, 0], [0, 1, 0], [0, 2, 1]]
    """,
    mistakes={
        "E itself": Mistake(_E, "that is E itself: correlating with E is not convolving with it"),
        "rows flipped only": Mistake(
            _E[::-1, :], "that is E flipped top to bottom only: the turn also flips left to right"
        ),
        "columns flipped only": Mistake(
            _E[:, ::-1], "that is E flipped left to right only: the turn also flips top to bottom"
        ),
        "transposed": Mistake(
            _E.T, "that is the transpose of E: a half turn is not a transpose (E.T mirrors along the diagonal)"
        ),
        "negated": Mistake(
            -_E,
            "that is -E: for the Sobel kernel K the half turn happened to equal -K, but turning moves weights, it "
            "does not change their sign",
        ),
        "turned 90 degrees": Mistake(
            np.rot90(_E), "that is E turned by 90 degrees, not 180: np.rot90(E, 2) or E[::-1, ::-1]"
        ),
        "turned 90 degrees clockwise": Mistake(
            np.rot90(_E, -1), "that is E turned by 90 degrees (clockwise), not 180: np.rot90(E, 2) or E[::-1, ::-1]"
        ),
    },
)

EXERCISES = [q1, q2, q3, q4, q5]
