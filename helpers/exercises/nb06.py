"""Exercises for notebook 06, Filter colour photographs: channels, filter banks and batches.

>>> q1.check(lambda batch: np.transpose(batch, (0, 2, 3, 1)))
Correct.
True
"""

from __future__ import annotations

import numpy as np

from helpers.convolution import correlate2d
from helpers.exercises._core import (
    FRACTIONS_LOST,
    INPUT_UNCHANGED,
    AnswerProblem,
    Case,
    Mistake,
    as_kernel,
    design_exercise,
    frozen,
    function_exercise,
    value_exercise,
)

__all__ = ["BT709_WEIGHTS", "EXERCISES", "q1", "q2", "q3", "q4", "q5"]


# --------------------------------------------------------------------------
# q1: NCHW back to NHWC


def reference_to_nhwc(batch_nchw: np.ndarray) -> np.ndarray:
    """An (N, C, H, W) batch as (N, H, W, C)."""
    return np.transpose(batch_nchw, (0, 2, 3, 1))


_NCHW = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)

q1 = function_exercise(
    "06.q1",
    question="Write to_nhwc(batch_nchw): turn an (N, C, H, W) batch into (N, H, W, C), the layout TensorFlow uses.",
    reference=reference_to_nhwc,
    cases=[
        Case("a batch of 2 images, 3 channels, 4 rows and 5 columns (values 0 to 119)", (_NCHW,)),
        Case("one 1-channel 2x3 image with fractions", (np.array([[[[1.5, 2.25, 3.0], [-4.5, 5.0, 0.75]]]]),)),
    ],
    hints=[
        "np.transpose(a, axes) puts old axis axes[i] at new position i.",
        "NCHW has N at 0, C at 1, H at 2, W at 3; NHWC wants them in the order N, H, W, C.",
        "np.transpose(batch_nchw, (0, 2, 3, 1))",
    ],
    solution="""
        def to_nhwc(batch_nchw):
            return np.transpose(batch_nchw, (0, 2, 3, 1))
    """,
    mistakes={
        "the forward permutation (0, 3, 1, 2)": Mistake(
            lambda b: np.transpose(b, (0, 3, 1, 2)),
            "you used (0, 3, 1, 2), the permutation from NHWC to NCHW; the way back is its inverse",
        ),
        "reshape instead of transpose": Mistake(
            lambda b: np.reshape(b, (b.shape[0], b.shape[2], b.shape[3], b.shape[1])),
            "right shape, scrambled pixels: reshape keeps the memory order; np.transpose moves the axes",
        ),
        "height and width swapped": Mistake(
            lambda b: np.transpose(b, (0, 3, 2, 1)),
            "height and width are swapped: the axes must come out as N, H, W, C",
        ),
        "returned unchanged": lambda b: b,
        "whole numbers only": lambda b: np.transpose(b, (0, 2, 3, 1)).astype(int),
    },
    rules=[INPUT_UNCHANGED, FRACTIONS_LOST],
)


# --------------------------------------------------------------------------
# q2: a filter bank's output shape

q2 = value_exercise(
    "06.q2",
    question=(
        "A batch of shape (8, 64, 64, 3) goes through helpers.correlate2d with a kernel of shape (5, 5, 3, 16), "
        "stride=2 and padding='same'. What shape comes out? Answer a tuple of four numbers."
    ),
    reference=(8, 32, 32, 16),
    hints=[
        "The batch axis passes through; the kernel's last axis is the number of output channels.",
        "'same' with stride s gives ceil(n / s) rows and columns.",
    ],
    solution="answer = (8, 32, 32, 16)  # ceil(64 / 2) = 32; 16 output channels",
    mistakes={
        "'valid' instead of 'same'": Mistake(
            (8, 30, 30, 16), "that is 'valid'; 'same' pads so that ceil(64 / 2) = 32 remain"
        ),
        "ignored the stride": (8, 64, 64, 16),
        "kept the input's channels": (8, 32, 32, 3),
        "one output per input channel and filter": (8, 32, 32, 48),
        "NCHW order": Mistake((8, 16, 32, 32), "that is NCHW order; helpers.correlate2d keeps NHWC, channels last"),
    },
    rules=[
        (lambda a: tuple(a)[1:3] == (64, 64), "stride 2 keeps every second position: ceil(64 / 2)"),
        (
            lambda a: tuple(a)[3] == 3,
            "a full convolution sums over the input channels; the kernel's last axis is C_out",
        ),
        (lambda a: tuple(a)[3] == 48, "that is depthwise thinking; a full kernel mixes the 3 channels into each of 16"),
    ],
)


# --------------------------------------------------------------------------
# q3: the weights of a depthwise-separable layer

q3 = value_exercise(
    "06.q3",
    question=(
        "How many weights (no biases) does a depthwise-separable layer hold with 5x5 kernels, 3 input channels, "
        "a channel multiplier M = 1 and 16 output channels? Answer a number."
    ),
    reference=123,
    hints=[
        "Two parts: a depthwise kernel of shape (kh, kw, C_in, M) and a 1x1 kernel of shape (1, 1, C_in * M, C_out).",
        "5 * 5 * 3 * 1 + 3 * 1 * 16",
    ],
    solution="answer = 5 * 5 * 3 * 1 + 3 * 1 * 16  # 75 depthwise + 48 pointwise = 123",
    mistakes={
        "a full kernel": Mistake(1200, "that is the full (5, 5, 3, 16) kernel; the separable layer replaces it"),
        "the depthwise part only": Mistake(75, "that is the depthwise part only; add the 1x1 (pointwise) kernel"),
        "the pointwise part only": Mistake(48, "that is the 1x1 (pointwise) part only; add the depthwise kernel"),
        "no C_in": Mistake(91, "the 1x1 (pointwise) kernel has C_in * M * C_out = 3 * 1 * 16 weights, not 16"),
    },
)


# --------------------------------------------------------------------------
# q4: a 1x1 kernel that makes a given gray

_BT709 = frozen([0.2126, 0.7152, 0.0722])  # the check's own copy
BT709_WEIGHTS = frozen(_BT709)  # Rec. 709 luma, for HDTV and sRGB; read-only
_BT601_WEIGHTS = frozen([0.299, 0.587, 0.114])  # Rec. 601, the course's helpers.to_grayscale
_RGB = np.array(
    [[[255, 0, 0], [0, 255, 0], [0, 0, 255]], [[255, 255, 255], [10, 200, 30], [90, 40, 160]]], dtype=np.uint8
)  # red, green, blue; white, and two mixed colours


def _judge_gray_kernel(answer) -> str | None:
    try:
        shape = np.shape(answer) if not callable(answer) and not isinstance(answer, (str, bytes, dict)) else None
    except ValueError:  # a ragged list; as_kernel below says so
        shape = None
    if shape == (1, 1, 1, 3):
        raise AnswerProblem("shape (1, 1, 1, 3) is 1 input channel and 3 outputs; HWIO puts C_in third: (1, 1, 3, 1)")
    if shape == (3,):
        raise AnswerProblem("those are three weights; as a kernel they need the shape (1, 1, 3, 1) (HWIO)")
    kernel = as_kernel(answer)
    if kernel.ndim != 4 or kernel.shape[2:] != (3, 1):
        raise AnswerProblem(
            f"expected a kernel of shape (kh, kw, 3, 1) (HWIO: 3 input channels, 1 output), got shape {kernel.shape}"
        )
    if np.allclose(correlate2d(_RGB, kernel), (_RGB @ _BT709)[..., np.newaxis]):
        return None  # a 1x1 kernel, or a larger one with weights only at its centre
    weights = kernel.sum(axis=(0, 1))[:, 0]
    if kernel.shape[:2] != (1, 1) and np.allclose(weights, _BT709):
        return "your kernel mixes in neighbouring pixels; a pixel's gray depends on that pixel only (try 1x1)"
    if np.allclose(weights, _BT601_WEIGHTS):
        return "those are Rec. 601's weights (helpers.to_grayscale); the exercise asks for Rec. 709's"
    if np.allclose(weights, _BT709[::-1]):
        return "your weights are in the order B, G, R; the channels of an RGB image are R, G, B"
    if not np.isclose(weights.sum(), 1):
        return f"your weights add up to {weights.sum():g}: white (255, 255, 255) would come out {255 * weights.sum():g}"
    return f"your kernel gives the wrong gray on a small RGB test image; its weights are {np.round(weights, 4)}"


q4 = design_exercise(
    "06.q4",
    question=(
        "Design a kernel for helpers.correlate2d that turns an (H, W, 3) RGB image into its Rec. 709 luma "
        "0.2126 R + 0.7152 G + 0.0722 B, one output channel. Answer the kernel as an array."
    ),
    reference=frozen(_BT709.reshape(1, 1, 3, 1)),
    judge=_judge_gray_kernel,
    hints=[
        "A 1x1 kernel looks at one pixel: its output is a weighted sum of that pixel's channels.",
        "HWIO: (1, 1, C_in, C_out) = (1, 1, 3, 1), with the weight of channel c at [0, 0, c, 0].",
        "np.array([0.2126, 0.7152, 0.0722]).reshape(1, 1, 3, 1)",
    ],
    solution="answer = np.array([0.2126, 0.7152, 0.0722]).reshape(1, 1, 3, 1)",
    mistakes={
        "Rec. 601 weights": _BT601_WEIGHTS.reshape(1, 1, 3, 1),
        "B, G, R order": _BT709[::-1].reshape(1, 1, 3, 1),
        "all ones": np.ones((1, 1, 3, 1)),
        "shape (1, 1, 1, 3)": _BT709.reshape(1, 1, 1, 3),
        "three bare weights": _BT709,
        "spread over a 3x3 window": np.tile(_BT709.reshape(1, 1, 3, 1) / 9, (3, 3, 1, 1)),
    },
)


# --------------------------------------------------------------------------
# q5: a depthwise kernel written as a full one


def reference_depthwise_as_full(kernel: np.ndarray) -> np.ndarray:
    """The full (kh, kw, C, C) kernel that does what a (kh, kw, C, 1) depthwise kernel does."""
    kernel = np.asarray(kernel)
    kh, kw, channels, _ = kernel.shape
    full = np.zeros((kh, kw, channels, channels))
    for c in range(channels):
        full[:, :, c, c] = kernel[:, :, c, 0]
    return full


def _mixing_diagnosis(got, expected, case, reference):
    array = np.asarray(got, dtype=float)
    if array.shape != expected.shape:
        return None
    channels = array.shape[2]
    off_diagonal = ~np.eye(channels, dtype=bool)
    if np.any(array[:, :, off_diagonal] != 0):
        return "some weights off the channel diagonal are not 0: output channel o must see input channel o only"
    if not np.allclose(np.diagonal(array, axis1=2, axis2=3), np.diagonal(expected, axis1=2, axis2=3)):
        return "the diagonal is right in shape but not in values: full[:, :, c, c] is channel c's own 2-D kernel"
    return None


_DEPTHWISE = np.stack([np.arange(6.0).reshape(2, 3), -np.eye(2, 3), np.full((2, 3), 0.5)], axis=-1)[..., np.newaxis]

q5 = function_exercise(
    "06.q5",
    question=(
        "Write depthwise_as_full(kernel): for a depthwise kernel of shape (kh, kw, C, 1), return the full "
        "(kh, kw, C, C) kernel with which helpers.correlate2d gives the same result."
    ),
    reference=reference_depthwise_as_full,
    cases=[
        Case("a (2, 3, 3, 1) kernel, a different 2x3 kernel per channel", (_DEPTHWISE,)),
        Case("a (1, 1, 2, 1) kernel", (np.array([[[[2.0], [-1.0]]]]),)),
    ],
    hints=[
        "Output channel o of the full kernel sums kernel[:, :, c, o] * image[..., c] over every input channel c.",
        "Depthwise: output channel c sees input channel c only, so every weight with c != o is 0.",
        "Start from np.zeros((kh, kw, C, C)) and set full[:, :, c, c] = kernel[:, :, c, 0] for each c.",
    ],
    solution="""
        def depthwise_as_full(kernel):
            kh, kw, channels, _ = kernel.shape
            full = np.zeros((kh, kw, channels, channels))
            for c in range(channels):
                full[:, :, c, c] = kernel[:, :, c, 0]
            return full
    """,
    mistakes={
        "every channel pair filled": lambda k: np.repeat(k, k.shape[2], axis=3),
        "channel 0's kernel everywhere": lambda k: np.einsum("uv,co->uvco", k[:, :, 0, 0], np.eye(k.shape[2])),
        "identity instead of the kernel": lambda k: np.einsum("uv,co->uvco", np.ones(k.shape[:2]), np.eye(k.shape[2])),
        "returned unchanged": lambda k: k,
    },
    rules=[_mixing_diagnosis, INPUT_UNCHANGED],
)

EXERCISES = [q1, q2, q3, q4, q5]
