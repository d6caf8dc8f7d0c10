"""Exercises of ``01_images_as_arrays``: uint8 arithmetic, pixel positions, grayscale weights.

>>> from helpers.exercises import nb01
>>> [exercise.kind for exercise in nb01.EXERCISES]
['predict', 'predict', 'implement', 'implement', 'design']
"""

from __future__ import annotations

import numpy as np

from helpers.exercises._core import (
    INPUT_UNCHANGED,
    AnswerProblem,
    Case,
    Mistake,
    as_kernel,
    design_exercise,
    function_exercise,
    value_exercise,
)

__all__ = ["EXERCISES", "q1", "q2", "q3", "q4", "q5"]

# --------------------------------------------------------------------------
# q1: predict what uint8 arithmetic gives

q1 = value_exercise(
    "01.q1",
    question=(
        "What do (np.array([200], dtype=np.uint8) * 2)[0] and (np.array([100], dtype=np.uint8) - 101)[0] hold? "
        "answer = (first, second)"
    ),
    reference=(144, 255),
    hints=[
        "A uint8 keeps only the remainder after dividing by 256.",
        "200 * 2 = 400 and 100 - 101 = -1; take each modulo 256 (Python's % does it: -1 % 256).",
    ],
    solution="answer = (400 % 256, (100 - 101) % 256)  # (144, 255)",
    mistakes={
        "no wrap-around": (400, -1),
        "clipped instead of wrapped": Mistake(
            (255, 0), "NumPy does not clip uint8 arithmetic to 0..255: it wraps round modulo 256"
        ),
        "only the product wrapped": (144, -1),
        "only the difference wrapped": (400, 255),
        "one number": 144,
    },
    rules=[
        (
            lambda a: len(a) == 2 and (a[0] == 400 or a[1] == -1),
            "a uint8 has no room for 400 or for -1: the result keeps only the remainder modulo 256",
        ),
    ],
)

# --------------------------------------------------------------------------
# q2: predict NumPy 2's promotion with a NumPy scalar

q2 = value_exercise(
    "01.q2",
    question="What is (np.array([250], dtype=np.uint8) + np.int64(10))[0]?",
    reference=260,
    hints=[
        "The 10 here is not a Python int: it is a NumPy scalar with a dtype of its own.",
        "NumPy 2 gives the result a dtype that can hold both int64 and uint8 values: int64.",
    ],
    solution="answer = 260  # np.int64(10) brings its dtype along, so the sum is int64 and nothing wraps",
    mistakes={
        "stays uint8 and wraps": Mistake(
            4,
            "4 is what a Python int gives (np.array([250], dtype=np.uint8) + 10); np.int64(10) is a NumPy "
            "scalar with its own dtype, and NumPy 2 picks a result dtype that holds both",
        ),
        "clipped to 255": Mistake(255, "NumPy never clips integer arithmetic; and here nothing overflows at all"),
        "wrapped to 0": 0,
        "as text": "260",
    },
)

# --------------------------------------------------------------------------
# q3: implement the photographic negative, staying in uint8


def negative(image):
    """The photographic negative of a uint8 image, still uint8: 0 becomes 255 and 255 becomes 0."""
    return 255 - image


_NEGATIVE_CASES = [
    Case(
        "a 2x3 uint8 image holding 0, 1, 128, 200, 254 and 255", (np.array([[0, 1, 128], [200, 254, 255]], np.uint8),)
    ),
    Case("a 3x2 uint8 image", (np.array([[10, 20], [30, 40], [50, 60]], np.uint8),)),
    Case("a 1x1 uint8 image holding 37", (np.array([[37]], np.uint8),)),
]


q3 = function_exercise(
    "01.q3",
    question="Write negative(image): the photographic negative of a uint8 image (black becomes white), still uint8.",
    reference=negative,
    cases=_NEGATIVE_CASES,
    dtype=("uint8", "stay in uint8 (255 - image never leaves 0..255)"),
    hints=[
        "A pixel x becomes 255 - x: 0 turns into 255, 255 into 0.",
        "Which order of subtraction stays inside 0..255 for every x from 0 to 255?",
    ],
    solution="""
    def negative(image):
        return 255 - image  # 255 - x lies in 0..255 for every uint8 x, so nothing wraps
    """,
    mistakes={
        "subtracts the wrong way (wraps)": Mistake(
            lambda image: image - 255,
            "image - 255 wraps round to image + 1: subtract the image from 255 instead, which never leaves 0..255",
        ),
        "minus the image (wraps)": Mistake(
            lambda image: -image,
            "-image in uint8 wraps round to 256 - x, and black (0) stays black: compute 255 - image instead",
        ),
        "from 256 instead of 255": Mistake(
            lambda image: 256 - image.astype(np.int64),
            "256 - x is one too many (black would become 256, which uint8 cannot hold): white is 255, so 255 - x",
        ),
        "returns float": lambda image: 255.0 - image,
        "returns the input": lambda image: image,
        "mirrors left to right instead": lambda image: image[:, ::-1],
    },
    rules=[INPUT_UNCHANGED],
)

# --------------------------------------------------------------------------
# q4: implement finding the brightest pixel


def brightest_pixel(image):
    """(row, column) of the largest value; the first one in reading order if it occurs twice."""
    row, col = np.unravel_index(np.argmax(image), np.shape(image))
    return int(row), int(col)


q4 = function_exercise(
    "01.q4",
    question="Write brightest_pixel(image): the (row, column) of the brightest pixel.",
    reference=brightest_pixel,
    cases=[
        Case(
            "a 3x5 uint8 image (more columns than rows)",
            (np.array([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12, 13, 99, 14]], np.uint8),),
        ),
        Case(
            "a 5x2 float image, brightest on the left border", (np.array([[0.5, 0], [1, 2], [3, 4], [9, 5], [6, 7]]),)
        ),
        Case(
            "a 2x3 float image in which 2.75 comes after 2.25 (whole numbers would tie)",
            (np.array([[0.5, 2.25, 1.0], [2.75, 0.0, 1.5]]),),
        ),
    ],
    dtype=("iu", "a position is two ints (image[row, column] refuses floats): int(row), int(col)"),
    hints=[
        "np.argmax(image) gives the position in the flattened image, counted row by row.",
        "np.unravel_index(flat_index, image.shape) turns it into (row, column).",
    ],
    solution="""
    def brightest_pixel(image):
        row, col = np.unravel_index(np.argmax(image), image.shape)
        return int(row), int(col)
    """,
    mistakes={
        "(column, row)": Mistake(
            lambda image: brightest_pixel(image)[::-1],
            "you returned (column, row): NumPy indexes image[row, column], rows first",
        ),
        "the flat index": lambda image: int(np.argmax(image)),
        "shape read backwards": lambda image: tuple(
            int(v) for v in np.unravel_index(np.argmax(image), image.shape[::-1])
        ),
        "the darkest pixel": lambda image: tuple(int(v) for v in np.unravel_index(np.argmin(image), image.shape)),
        "whole numbers only": lambda image: brightest_pixel(np.asarray(image).astype(int)),
    },
)

# --------------------------------------------------------------------------
# q5: design grayscale weights

_PURE = {"white": (255, 255, 255), "red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255)}


def _judge_weights(answer):
    if isinstance(answer, (list, tuple)) and len(answer) != 3:
        raise AnswerProblem(f"expected three weights [r, g, b], got {len(answer)}")
    if isinstance(answer, np.ndarray) and answer.shape != (3,):
        raise AnswerProblem(f"expected three weights [r, g, b], got an array of shape {answer.shape}")
    weights = as_kernel(answer, (3,))
    gray = {name: float(np.dot(weights, colour)) for name, colour in _PURE.items()}
    if not np.isclose(gray["white"], 255):
        raise AnswerProblem(
            f"white (255, 255, 255) comes out as {gray['white']:g}, not 255: the weights must add up to 1"
        )
    for name in ("red", "green", "blue"):
        if gray[name] < 0:
            raise AnswerProblem(
                f"pure {name} comes out as {gray[name]:g}, darker than black: no weight may be negative"
            )
    if not gray["green"] > gray["red"] > gray["blue"]:
        order = ", ".join(f"{name} {gray[name]:g}" for name in ("green", "red", "blue"))
        raise AnswerProblem(f"pure colours come out as {order}: green must be brightest, then red, then blue")
    return None


q5 = design_exercise(
    "01.q5",
    question=(
        "Choose weights (r, g, b) for a grayscale image in which white stays 255, no colour is darker than "
        "black, and pure green looks brighter than pure red, which looks brighter than pure blue."
    ),
    reference=np.array([0.299, 0.587, 0.114]),
    judge=_judge_weights,
    hints=[
        "A pure colour such as (0, 255, 0) comes out as 255 times its own weight.",
        "White comes out as 255 times the sum of the weights.",
    ],
    solution="""
    answer = [0.299, 0.587, 0.114]  # the BT.601 luma weights; any g > r > b >= 0 adding up to 1 works
    """,
    mistakes={
        "equal thirds": [1 / 3, 1 / 3, 1 / 3],
        "add up to 3": [1.0, 1.0, 1.0],
        "red and blue swapped": [0.114, 0.587, 0.299],
        "a negative weight": [0.5, 0.7, -0.2],
    },
)

EXERCISES = [q1, q2, q3, q4, q5]
