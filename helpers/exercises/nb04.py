"""Exercises for notebook 04, Run convolution through TensorFlow's ``tf.nn.conv2d``.

No TensorFlow is needed to check them: the references use NumPy and the
course's helpers, which notebook 04 shows agree with TensorFlow.

>>> q3.check(lambda k: ((k - 1) // 2, k - 1 - (k - 1) // 2))
Correct.
True
"""

from __future__ import annotations

import numpy as np

from helpers.convolution import convolve2d, correlate2d
from helpers.exercises._core import (
    Case,
    Exercise,
    Mistake,
    as_kernel,
    call_learner,
    design_exercise,
    frozen,
    function_exercise,
    show,
    value_exercise,
)

__all__ = ["EXERCISES", "q1", "q2", "q3", "q4", "q5"]


# --------------------------------------------------------------------------
# q1: predict an output shape

q1 = value_exercise(
    "04.q1",
    question=(
        "What shape does tf.nn.conv2d return for an input of shape (1, 32, 45, 1), a filter of shape "
        "(5, 5, 1, 1), strides=2 and padding='VALID'? Answer a tuple of four numbers."
    ),
    reference=(1, 14, 21, 1),
    hints=[
        "The batch and channel axes pass through: N stays 1 and there is one output channel.",
        "'VALID' gives floor((n - k) / s) + 1 outputs along an axis of length n.",
        "Rows: (32 - 5) // 2 + 1; columns: (45 - 5) // 2 + 1.",
    ],
    solution="answer = (1, (32 - 5) // 2 + 1, (45 - 5) // 2 + 1, 1)  # (1, 14, 21, 1)",
    mistakes={
        "forgot the + 1": Mistake((1, 13, 20, 1), "one short on each axis: 'VALID' gives floor((n - k) / s) + 1"),
        "used SAME's ceil(n / s)": Mistake((1, 16, 23, 1), "that is 'SAME' (ceil(n / s)); 'VALID' adds no padding"),
        "ignored the stride": Mistake(
            (1, 28, 41, 1), "that is stride 1; with stride 2 the kernel moves 2 pixels a step"
        ),
        "dropped the batch and channel axes": (14, 21),
        "floor(n / s)": (1, 16, 22, 1),
        "rows and columns swapped": Mistake(
            (1, 21, 14, 1), "rows and columns are swapped: NHWC puts the height (32 rows) first"
        ),
        "NCHW order": Mistake((1, 1, 14, 21), "that is NCHW order; tf.nn.conv2d's default is NHWC, channels last"),
    },
    rules=[
        (lambda a: len(a) == 2, "tf.nn.conv2d returns a 4-D NHWC array: keep the batch and channel axes"),
    ],
)


# --------------------------------------------------------------------------
# q2: put one image and one kernel into TensorFlow's layouts


def reference_to_tf_layout(image: np.ndarray, kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One 2-D image and one 2-D kernel as float32 NHWC (1, H, W, 1) and HWIO (kh, kw, 1, 1) arrays."""
    batch = np.asarray(image, dtype=np.float32)[np.newaxis, :, :, np.newaxis]
    weights = np.asarray(kernel, dtype=np.float32)[:, :, np.newaxis, np.newaxis]
    return batch, weights


_IMAGE = np.array([[0, 10, 20, 30, 40], [50, 60, 70, 80, 90], [100, 110, 120, 130, 255]], dtype=np.uint8)
_KERNEL = np.array([[1.0, 0.0, -1.0], [2.0, 0.5, -2.0]])
_LAYOUT_CASES = [
    Case("a 3x5 uint8 image and a 2x3 kernel", (_IMAGE, _KERNEL)),
    Case("a 1x4 float64 image and a 1x1 kernel", (np.array([[0.25, 1.5, 2.0, 3.0]]), np.array([[2.0]]))),
]


def _layout_problem(got, image, kernel) -> str | None:
    """What is wrong with the learner's (input, filter) pair for one image and kernel, or None."""
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return f"return two arrays, (input, filter); got {show(got)}"
    (height, width), (kh, kw) = np.shape(image), np.shape(kernel)
    parts = [np.asarray(part) for part in got]
    shapes = [part.shape for part in parts]
    if shapes[0] == (1, 1, height, width) != (1, height, width, 1):
        return "your input is NCHW, (1, 1, H, W); tf.nn.conv2d wants NHWC, (1, H, W, 1): channels last"
    if len(shapes[0]) != 4:
        return f"your input has shape {shapes[0]}; tf.nn.conv2d wants 4 axes, (1, H, W, 1) = {(1, height, width, 1)}"
    if shapes[1] == (1, 1, kh, kw) != (kh, kw, 1, 1):
        return "your filter is (1, 1, kh, kw); tf.nn.conv2d wants HWIO, (kh, kw, 1, 1): kernel rows and columns first"
    if shapes[1] == (kw, kh, 1, 1) and kh != kw:
        return "your filter's rows and columns are swapped: the kernel is transposed"
    expected = reference_to_tf_layout(image, kernel)
    for name, part, wanted in zip(("input", "filter"), parts, expected, strict=True):
        if part.shape != wanted.shape:
            return f"your {name} has shape {part.shape}, expected {wanted.shape}"
        if part.dtype.kind != "f":
            return (
                f"your {name} has dtype {part.dtype}: tf.nn.conv2d refuses integer types such as uint8; "
                "convert with .astype(np.float32)"
            )
        if not np.allclose(part, wanted):
            return f"your {name} has the right shape but not the right values"
    return None


def _judge_layout(answer) -> str | None:
    if not callable(answer):
        return f"expected a function (def ...), got {type(answer).__name__}"
    for case in _LAYOUT_CASES:
        got = call_learner(answer, *(arg.copy() for arg in case.args))
        if got is None:
            return f"on {case.description}, your function returned None: did you forget the return line?"
        problem = _layout_problem(got, *case.args)
        if problem:
            return f"on {case.description}, {problem}"
    return None


def _as_f32(array):
    return np.asarray(array, dtype=np.float32)


_LAYOUT_MISTAKES = {
    "NCHW input": lambda i, k: (_as_f32(i)[None, None], _as_f32(k)[:, :, None, None]),
    "no batch axis": lambda i, k: (_as_f32(i)[:, :, None], _as_f32(k)[:, :, None, None]),
    "filter as (1, 1, kh, kw)": lambda i, k: (_as_f32(i)[None, :, :, None], _as_f32(k)[None, None]),
    "kernel transposed": lambda i, k: (_as_f32(i)[None, :, :, None], _as_f32(k).T[:, :, None, None]),
    "kept uint8": lambda i, k: (np.asarray(i)[None, :, :, None], _as_f32(k)[:, :, None, None]),
    "returns the inputs unchanged": lambda i, k: (i, k),
}


q2 = Exercise(
    "04.q2",
    question=(
        "Write to_tf_layout(image, kernel): for a 2-D image and a 2-D kernel, return the pair (input, filter) "
        "that tf.nn.conv2d takes, as float arrays of shapes (1, H, W, 1) and (kh, kw, 1, 1)."
    ),
    kind="implement",
    reference=reference_to_tf_layout,
    judge=_judge_layout,
    hints=[
        "image[np.newaxis, :, :, np.newaxis] adds an axis in front and one at the back.",
        "The filter keeps the kernel's rows and columns first: kernel[:, :, np.newaxis, np.newaxis].",
        "Convert both with .astype(np.float32): TensorFlow has no uint8 convolution.",
    ],
    solution="""
        def to_tf_layout(image, kernel):
            batch = np.asarray(image, dtype=np.float32)[np.newaxis, :, :, np.newaxis]
            weights = np.asarray(kernel, dtype=np.float32)[:, :, np.newaxis, np.newaxis]
            return batch, weights
    """,
    mistakes=_LAYOUT_MISTAKES,
    cases=_LAYOUT_CASES,
)


# --------------------------------------------------------------------------
# q3: where SAME puts its zeros


def reference_same_pads(k: int) -> tuple[int, int]:
    """Zeros (before, after) that TensorFlow's 'SAME' adds along one axis at stride 1 for a kernel of length k."""
    before = (k - 1) // 2
    return before, k - 1 - before


def _wrong_total(got, expected, case, reference):
    try:
        total = sum(got)
    except TypeError:
        return None
    if total != sum(expected):
        return f"your pads add up to {total:g}; keeping the size at stride 1 takes k - 1 = {sum(expected)} zeros"
    return None


def _uneven_split(got, expected, case, reference):
    try:
        before, after = got
        if before + after == sum(expected) and abs(before - after) > 1:
            return "the total is right, but 'SAME' splits the zeros as evenly as it can: at most one more after"
    except (TypeError, ValueError):
        return None
    return None


def _not_whole(got, expected, case, reference):
    try:
        if any(float(v) != int(v) for v in got):
            return "padding counts whole pixels: use integer division, //"
    except (TypeError, ValueError):
        return None
    return None


q3 = function_exercise(
    "04.q3",
    question=(
        "Write same_pads(k): the zeros (before, after) that tf.nn.conv2d's padding='SAME' adds along one axis "
        "at stride 1, for a kernel of length k."
    ),
    reference=reference_same_pads,
    cases=[
        Case("k = 3", (3,)),
        Case("k = 4 (an even kernel)", (4,)),
        Case("k = 1", (1,)),
        Case("k = 6", (6,)),
    ],
    dtype=(
        "iu",
        "a number of zeros is a whole number, and np.pad refuses a float: divide with //",
    ),
    hints=[
        "Keeping n outputs at stride 1 takes k - 1 zeros in all.",
        "For an even k, k - 1 is odd: TensorFlow puts the extra zero after (bottom, right).",
        "before = (k - 1) // 2, after = the rest.",
    ],
    solution="""
        def same_pads(k):
            before = (k - 1) // 2
            return before, k - 1 - before
    """,
    mistakes={
        "SciPy's split": Mistake(
            lambda k: (k // 2, (k - 1) // 2),
            "your extra zero goes before, as in scipy.ndimage; TensorFlow's 'SAME' puts it after",
        ),
        "k // 2 on both sides": lambda k: (k // 2, k // 2),
        "(k - 1) / 2 as a float": lambda k: ((k - 1) / 2, (k - 1) / 2),
        "always one pixel, as the 2016 post": lambda k: (1, 1),
        "all the zeros after": lambda k: (0, k - 1),
    },
    rules=[_wrong_total, _uneven_split, _not_whole],
)


# --------------------------------------------------------------------------
# q4: what SciPy returns for uint8 input

_NO_ROUNDING = "SciPy does not round: it drops the fraction"

q4 = value_exercise(
    "04.q4",
    question=(
        "A uint8 image is 0 everywhere except one pixel of value 90. scipy.ndimage.correlate(image, "
        "KERNELS['gaussian_blur_3x3'], mode='constant') (weights 4/16 in the centre, 2/16 beside it, 1/16 in "
        "the corners) returns what at that pixel, at its right neighbour and at its top-right diagonal "
        "neighbour? Answer a tuple of three numbers."
    ),
    reference=(22, 11, 5),
    hints=[
        "Each output is 90 times the weight that lands on the bright pixel: 90 * 4/16, 90 * 2/16, 90 * 1/16.",
        "Those are 22.5, 11.25 and 5.625; SciPy writes the result in the input's dtype, uint8.",
        "Converting to an integer type drops the fraction (truncation), it does not round.",
    ],
    solution="answer = (22, 11, 5)  # 22.5, 11.25 and 5.625 with their fractions dropped",
    mistakes={
        "rounded": Mistake((23, 11, 6), _NO_ROUNDING),
        "kept the fractions": (22.5, 11.25, 5.625),
        "rounded half to even": Mistake((22, 11, 6), _NO_ROUNDING),
        "no spread to the neighbours": (22, 0, 0),
        "in the wrong order": (5, 11, 22),
    },
    rules=[
        (lambda a: any(float(v) != int(v) for v in a), "SciPy returns the input's dtype, uint8: no fractions"),
        (
            lambda a: tuple(a)[1:] == (0, 0),
            "the neighbours' windows hold the bright pixel too, under the weights 2/16 and 1/16",
        ),
        (
            lambda a: sorted(a) == [5, 11, 22],
            "the right numbers in the wrong order: give (pixel, right neighbour, diagonal neighbour)",
        ),
    ],
)


# --------------------------------------------------------------------------
# q5: a kernel that makes tf.nn.conv2d compute a true convolution

_K = frozen(np.arange(9.0).reshape(3, 3))  # the check's own copy
K = frozen(_K)  # [[0, 1, 2], [3, 4, 5], [6, 7, 8]]: no symmetry at all; read-only
_TEST_IMAGE = np.array(
    [[3, 0, 7, 1, 0, 2], [0, 9, 1, 4, 8, 0], [5, 2, 0, 6, 1, 3], [1, 0, 4, 2, 7, 9], [8, 3, 1, 0, 2, 5]],
    dtype=np.float64,
)


def _judge_true_convolution(answer) -> str | None:
    kernel = as_kernel(answer, (3, 3))
    if np.allclose(correlate2d(_TEST_IMAGE, kernel), convolve2d(_TEST_IMAGE, _K)):
        return None
    return f"tf.nn.conv2d with this kernel does not give the convolution with K; yours is {show(kernel)}"


q5 = design_exercise(
    "04.q5",
    question=(
        "tf.nn.conv2d computes cross-correlation. Which 3x3 kernel must you give it so that it computes the "
        "true convolution of an image with K = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]? Answer the kernel as an array."
    ),
    reference=frozen(_K[::-1, ::-1]),
    judge=_judge_true_convolution,
    hints=[
        "Convolution turns the kernel by 180 degrees before sliding it; cross-correlation does not.",
        "Turning by 180 degrees reverses both the rows and the columns: K[::-1, ::-1].",
    ],
    solution="answer = K[::-1, ::-1]  # [[8, 7, 6], [5, 4, 3], [2, 1, 0]]",
    mistakes={
        "K itself": Mistake(
            _K, "that is K as written: tf.nn.conv2d would slide it unturned, which is cross-correlation"
        ),
        "rows flipped only": Mistake(
            _K[::-1], "you flipped the rows only (upside down); a 180-degree turn flips the columns too"
        ),
        "columns flipped only": Mistake(
            _K[:, ::-1], "you flipped the columns only (left to right); a 180-degree turn flips the rows too"
        ),
        "transposed": Mistake(
            _K.T, "you transposed K: that reflects it across the diagonal, it does not turn it by 180 degrees"
        ),
        "turned by 90 degrees": Mistake(np.rot90(_K), "you turned K by 90 degrees; convolution turns it by 180"),
        "turned by 90 degrees clockwise": Mistake(
            np.rot90(_K, -1), "you turned K by 90 degrees (clockwise); convolution turns it by 180"
        ),
    },
)

EXERCISES = [q1, q2, q3, q4, q5]
