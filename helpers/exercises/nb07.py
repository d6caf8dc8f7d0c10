"""Exercises of ``07_making_it_fast``: the patch matrix's size and contents, a separable split, halos.

>>> q1.check(...)
Not attempted yet: replace the ... in the cell above with your answer, then run the cell again.
False
>>> q1.check(q1.reference)
Correct.
True
"""

from __future__ import annotations

import numpy as np

from helpers.exercises._core import (
    FRACTIONS_LOST,
    AnswerProblem,
    Case,
    Mistake,
    design_exercise,
    function_exercise,
    value_exercise,
)

# --------------------------------------------------------------------------
# q1: how big is the patch matrix?

_PATCH_BYTES = 2048 * 2048 * 15 * 15 * 4

q1 = value_exercise(
    "07.q1",
    question=(
        "im2col on a 2048x2048 float32 image with a 15x15 kernel and padding='same': "
        "how many bytes does the whole patch matrix take?"
    ),
    reference=_PATCH_BYTES,
    hints=[
        "One row per output pixel, one column per kernel tap; each entry is one float32.",
        "'same' keeps 2048 x 2048 output pixels; a 15x15 kernel has 225 taps; a float32 is 4 bytes.",
    ],
    solution="answer = 2048 * 2048 * 15 * 15 * 4  # 3,774,873,600 bytes, about 3.5 GiB",
    mistakes={
        "counted entries, not bytes": Mistake(
            2048 * 2048 * 15 * 15, "that is the number of entries; each float32 entry takes 4 bytes"
        ),
        "float64 bytes": Mistake(2 * _PATCH_BYTES, "that is for float64; the image is float32, 4 bytes per entry"),
        "the kernel's side, not its area": Mistake(
            2048 * 2048 * 15 * 4, "a 15x15 kernel has 15 * 15 taps, one column each"
        ),
        "the padded image's pixels": Mistake(
            2062 * 2062 * 15 * 15 * 4, "one row per output pixel: 'same' keeps 2048 x 2048 of them"
        ),
        "in GiB": _PATCH_BYTES / 2**30,
        "a few bytes off": _PATCH_BYTES + 4,
        "in GB, times 10**9": 3_770_000_000,
    },
    rules=[
        (lambda a: 3 < a < 4, "that looks like GiB; the question asks for bytes (1 GiB is 2**30 bytes)"),
        (
            lambda a: a != _PATCH_BYTES and abs(a - _PATCH_BYTES) < 0.03 * _PATCH_BYTES,
            "close, but rounded: multiply the exact counts (pixels x taps x bytes per entry)",
        ),
    ],
)


# --------------------------------------------------------------------------
# q2: build the patch matrix


def reference_patch_matrix(image: np.ndarray, kh: int, kw: int) -> np.ndarray:
    """im2col with zero 'same' padding: row y * W + x holds the kh x kw window of output pixel (y, x), row by row."""
    padded = np.pad(np.asarray(image, dtype=np.float64), ((kh // 2, kh // 2), (kw // 2, kw // 2)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw))
    return windows.reshape(-1, kh * kw)


def _square_padding(got, expected, case, reference):
    image, kh, kw = case.args
    if kh == kw:
        return None
    for half in (kh // 2, kw // 2):
        padded = np.pad(np.asarray(image, dtype=np.float64), half)
        windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw)).reshape(-1, kh * kw)
        if np.shape(got) == windows.shape and np.allclose(got, windows):
            return "pad the rows by kh // 2 and the columns by kw // 2: one number pads both axes alike"
    return None


def _border_not_zero(got, expected, case, reference):
    image, kh, kw = case.args
    if np.shape(got) != expected.shape:
        return None
    height, width = np.shape(image)
    rows = np.arange(height)[:, None]
    cols = np.arange(width)[None, :]
    inside = ((rows >= kh // 2) & (rows < height - kh // 2) & (cols >= kw // 2) & (cols < width - kw // 2)).ravel()
    got = np.asarray(got, dtype=np.float64)
    if inside.any() and np.allclose(got[inside], expected[inside]) and not np.allclose(got, expected):
        return "the windows inside the image are right, those at the border are not: pad with zeros (np.pad's default)"
    return None


def _no_padding(got, expected, case, reference):
    image, kh, kw = case.args
    height, width = np.shape(image)
    if np.shape(got) == ((height - kh + 1) * (width - kw + 1), kh * kw):
        return "one row per *valid* window: pad (kh // 2, kw // 2) zeros first so every pixel gets a row"
    return None


_IMAGE_4x5 = np.arange(1, 21, dtype=np.uint8).reshape(4, 5)

q2 = function_exercise(
    "07.q2",
    question=(
        "Write patch_matrix(image, kh, kw): with zero padding (kh // 2, kw // 2), one row per pixel (row by row), "
        "holding the kh x kw window centred on it, flattened row by row."
    ),
    reference=reference_patch_matrix,
    cases=[
        Case("a 4x5 uint8 image and a 3x3 window", (_IMAGE_4x5, 3, 3)),
        Case("a 4x5 uint8 image and a 1x3 window", (_IMAGE_4x5, 1, 3)),
        Case("a 5x4 random image and a 3x5 window", (np.random.default_rng(3).standard_normal((5, 4)), 3, 5)),
    ],
    hints=[
        "np.pad the image, then np.lib.stride_tricks.sliding_window_view(padded, (kh, kw)) gives an "
        "(H, W, kh, kw) view of every window.",
        "Reshape that view to (H * W, kh * kw): the reshape makes the copy that is the patch matrix.",
    ],
    solution="""
        def patch_matrix(image, kh, kw):
            padded = np.pad(np.asarray(image, dtype=float), ((kh // 2, kh // 2), (kw // 2, kw // 2)))
            windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw))
            return windows.reshape(-1, kh * kw)
    """,
    mistakes={
        "taps in column order": Mistake(
            lambda image, kh, kw: np.swapaxes(
                np.lib.stride_tricks.sliding_window_view(
                    np.pad(np.asarray(image, dtype=float), ((kh // 2, kh // 2), (kw // 2, kw // 2))), (kh, kw)
                ),
                -1,
                -2,
            ).reshape(-1, kh * kw),
            "your columns go down the window first; go along each window row first, as window.ravel() does",
        ),
        "no padding": lambda image, kh, kw: np.lib.stride_tricks.sliding_window_view(
            np.asarray(image, dtype=float), (kh, kw)
        ).reshape(-1, kh * kw),
        "padding all at the end": Mistake(
            lambda image, kh, kw: np.lib.stride_tricks.sliding_window_view(
                np.pad(np.asarray(image, dtype=float), ((0, kh - 1), (0, kw - 1))), (kh, kw)
            ).reshape(-1, kh * kw),
            "each window starts at its pixel; centre it: pad kh // 2 rows above and below, kw // 2 columns each side",
        ),
        "input returned": lambda image, kh, kw: image,
    },
    rules=[_square_padding, _no_padding, _border_not_zero, FRACTIONS_LOST],
)


# --------------------------------------------------------------------------
# q3: split Sobel into two 1-D passes

_SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])


def _judge_split(answer: object) -> str | None:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise AnswerProblem("expected a pair (column, row) of two 1-D arrays of 3 numbers")
    parts = []
    for name, part in zip(("column", "row"), answer, strict=True):
        if part is None or isinstance(part, (str, bytes, dict)) or callable(part):
            raise AnswerProblem(f"the {name} must be 3 numbers, got {type(part).__name__}")
        try:
            array = np.asarray(part, dtype=np.float64)
        except (ValueError, TypeError):
            raise AnswerProblem(f"the {name} must be 3 numbers") from None
        if array.shape != (3,) or not np.all(np.isfinite(array)):
            raise AnswerProblem(f"the {name} must be 3 finite numbers, got shape {array.shape}")
        parts.append(array)
    column, row = parts
    product = np.outer(column, row)
    if np.allclose(product, _SOBEL_X):
        return None
    if np.allclose(product, _SOBEL_X.T):
        return "np.outer(column, row) is sobel_x transposed: the column is the smoothing [1, 2, 1]"
    if np.allclose(product, -_SOBEL_X):
        return "np.outer(column, row) is sobel_x with every sign flipped: the row should go from -1 to +1"
    return (
        f"np.outer(column, row) is\n{np.array2string(product, precision=3)}\nnot sobel_x; try again or ask for a hint()"
    )


q3 = design_exercise(
    "07.q3",
    question=(
        "Split sobel_x = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]] into (column, row) with np.outer(column, row) == sobel_x."
    ),
    reference=(np.array([1.0, 2.0, 1.0]), np.array([-1.0, 0.0, 1.0])),
    judge=_judge_split,
    hints=[
        "Every row of sobel_x is a multiple of the same 1-D difference; the multiples form the column.",
        "The rows are 1, 2 and 1 times [-1, 0, 1].",
    ],
    solution="answer = (np.array([1, 2, 1]), np.array([-1, 0, 1]))",
    mistakes={
        "swapped": (np.array([-1.0, 0.0, 1.0]), np.array([1.0, 2.0, 1.0])),
        "sign flipped": (np.array([1.0, 2.0, 1.0]), np.array([1.0, 0.0, -1.0])),
        "box column (Prewitt)": (np.array([1.0, 1.0, 1.0]), np.array([-1.0, 0.0, 1.0])),
        "the kernel itself": _SOBEL_X,
    },
)


# --------------------------------------------------------------------------
# q4: how much does a tile read?

_NOT_K = "the halo is (k - 1) / 2 = 7 per side, not k"
_SIDE_ONLY = "that is the side of the tile with its halo; the tile reads side x side pixels"

q4 = value_exercise(
    "07.q4",
    question="With a 15x15 kernel, how many input pixels does one 512x512 tile read, halo included?",
    reference=526 * 526,
    hints=[
        "A 15x15 kernel needs (15 - 1) / 2 = 7 extra pixels on each side of the tile.",
        "The tile grows to (512 + 2 * 7) pixels per side.",
    ],
    solution="answer = (512 + 15 - 1) ** 2  # 276,676 pixels: 5.5 % more than the tile",
    mistakes={
        "no halo": Mistake(512 * 512, "that is the tile alone; each output pixel near its edge needs pixels beyond it"),
        "halo on one side only": Mistake(519 * 519, "the halo goes on both sides of the tile: 7 before and 7 after"),
        "k on each side": Mistake(542 * 542, _NOT_K),
        "k in all": Mistake(540 * 540, _NOT_K),
        "the side, not the area": Mistake(526, _SIDE_ONLY),
        "the side with a halo on one side only": Mistake(519, _SIDE_ONLY),
    },
)

EXERCISES = [q1, q2, q3, q4]
