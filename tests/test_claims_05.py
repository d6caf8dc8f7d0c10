"""The grids behind notebook 05's claims (borders, strides, dilation), moved out of the notebook.

Notebook 05 shows each idea on one small example with a short assert; the
sweeps that back its general statements run here:

* the output-size formula, ``helpers.output_size`` and ``helpers.correlate2d``
  agree with ``tf.nn.conv2d`` on every combination of odd and even image
  and kernel sizes, stride, dilation (stride > 1 with dilation > 1 included)
  and padding, and ``'VALID'`` with a kernel wider than the image is refused
  by both;
* strided convolutions on batches of two images match (the configurations
  where oneDNN went wrong, see ``helpers/quiet_tensorflow.py``);
* every border mode equals numpy.pad under numpy's name, then ``'valid'``.
"""

from __future__ import annotations

import itertools
import os
import platform
import subprocess
import sys

import numpy as np
import pytest

import helpers

tf = helpers.import_tensorflow()

TOLERANCE = 1e-4
RNG_SEED = 5  # the notebook's number

# Image rows run 5..12 while columns run back 12..5, so every image is oblong and
# both axes meet odd and even sizes; kernels do the same from 1x7 to 7x1.
IMAGE_ROWS, IMAGE_SIDES_SUM = range(5, 13), 17
KERNEL_ROWS, KERNEL_SIDES_SUM = range(1, 8), 8
STEPS = (1, 2, 3)  # strides and dilations
PADDINGS = ("SAME", "VALID")


def formula(n: int, k: int, p_total: int, stride: int, dilation: int) -> int:
    """The notebook's output-size formula: floor((n + p_total - d(k - 1) - 1) / s) + 1, at least 0."""
    return max((n + p_total - dilation * (k - 1) - 1) // stride + 1, 0)


def same_total(n: int, k: int, stride: int, dilation: int) -> int:
    """TensorFlow's 'SAME': just enough zeros (before and after together) to keep ceil(n / stride) outputs."""
    return max((-(-n // stride) - 1) * stride + dilation * (k - 1) + 1 - n, 0)


def _arrays():
    rng = np.random.default_rng(RNG_SEED)
    images = {n: rng.standard_normal((n, IMAGE_SIDES_SUM - n)).astype(np.float32) for n in IMAGE_ROWS}
    kernels = {k: rng.standard_normal((k, KERNEL_SIDES_SUM - k)).astype(np.float32) for k in KERNEL_ROWS}
    return images, kernels


IMAGES, KERNELS = _arrays()
GRID = list(itertools.product(IMAGE_ROWS, KERNEL_ROWS, STEPS, STEPS, PADDINGS))


def test_the_grid_has_every_combination():
    assert len(GRID) == 8 * 7 * 3 * 3 * 2 == 1008
    assert sum(1 for *_, s, d, _ in GRID if s > 1 and d > 1) == 448


@pytest.mark.parametrize("stride", STEPS)
@pytest.mark.parametrize("dilation", STEPS)
def test_output_size_and_values_match_tf_conv2d(stride, dilation):
    """One test per (stride, dilation): every image, kernel and padding; shapes by three routes, then values."""
    compared = refused = 0
    for n, k, _, _, padding in (c for c in GRID if c[2:4] == (stride, dilation)):
        x, w = IMAGES[n], KERNELS[k]
        options = {"padding": padding.lower(), "stride": stride, "dilation": dilation}
        shape = []
        for length, width in zip(x.shape, w.shape, strict=True):
            p_total = same_total(length, width, stride, dilation) if padding == "SAME" else 0
            shape.append(formula(length, width, p_total, stride, dilation))
            assert shape[-1] == helpers.output_size(length, width, **options), (n, k, stride, dilation, padding)
        if padding == "SAME":
            assert shape == [-(-length // stride) for length in x.shape]
        args = (x[None, :, :, None], w[:, :, None, None], stride, padding)
        if min(shape) == 0:  # the dilated kernel is wider than the image: no output
            with pytest.raises(ValueError, match="larger than the padded image"):
                helpers.correlate2d(x, w, **options)
            # TensorFlow computes (n - span + s) / s, truncated towards zero: below 0 it refuses, at 0 it
            # returns an empty array (a window that overhangs by less than about a stride)
            truncated = [
                int((length - (dilation * (width - 1) + 1) + stride) / stride)
                for length, width in zip(x.shape, w.shape, strict=True)
            ]
            if min(truncated) < 0:
                with pytest.raises(tf.errors.InvalidArgumentError):
                    tf.nn.conv2d(*args, dilations=dilation)
            else:
                assert tf.nn.conv2d(*args, dilations=dilation).shape[1:3] == tuple(truncated)
            refused += 1
            continue
        theirs = tf.nn.conv2d(*args, dilations=dilation).numpy()[0, :, :, 0]
        ours = helpers.correlate2d(x, w, **options)
        assert theirs.shape == ours.shape == tuple(shape), (n, k, stride, dilation, padding)
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOLERANCE, err_msg=str((n, k, stride, dilation)))
        compared += 1
    assert compared + refused == len(IMAGE_ROWS) * len(KERNEL_ROWS) * len(PADDINGS)
    assert compared > 0


BATCH_IMAGE_SIZES = [(2, 3), (3, 3), (3, 4), (4, 3)]
BATCH_PAIRS = [(1, 2), (2, 1), (2, 2)]  # kernel shapes and strides


@pytest.mark.parametrize("padding", PADDINGS)
def test_strided_batches_of_two_match_tf_conv2d(padding):
    """The configurations in which TensorFlow 2.21 with oneDNN on returned wrong values (the course turns it off)."""
    rng = np.random.default_rng(RNG_SEED)
    for size, kernel_shape, stride in itertools.product(BATCH_IMAGE_SIZES, BATCH_PAIRS, BATCH_PAIRS):
        batch = rng.standard_normal((2, *size, 1)).astype(np.float32)
        filters = rng.standard_normal((*kernel_shape, 1, 1)).astype(np.float32)
        theirs = tf.nn.conv2d(batch, filters, stride, padding).numpy()
        ours = helpers.correlate2d(batch, filters, padding=padding.lower(), stride=stride)
        assert theirs.shape == ours.shape, (size, kernel_shape, stride)
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOLERANCE, err_msg=str((size, kernel_shape, stride)))


@pytest.mark.parametrize("size", [3, 4, 5])
@pytest.mark.parametrize("mode", sorted(helpers.BORDER_MODES))
def test_border_mode_is_numpy_pad_then_valid(mode, size):
    """Each row of helpers.BORDER_MODES: pad with numpy's name, correlate 'valid'; odd kernels also equal scipy."""
    import scipy.ndimage

    rng = np.random.default_rng(size)
    x, kernel = rng.standard_normal((7, 9)), rng.standard_normal((size, size))
    widths = ((size - 1) // 2, size // 2)  # 'same' puts an even kernel's extra row and column after the image
    padded = np.pad(x, (widths, widths), mode=helpers.BORDER_MODES[mode]["numpy"])
    ours = helpers.correlate2d(x, kernel, mode=mode)
    np.testing.assert_allclose(ours, helpers.correlate2d(padded, kernel, padding="valid"), rtol=0, atol=1e-12)
    if size % 2:
        np.testing.assert_allclose(ours, scipy.ndimage.correlate(x, kernel, mode=mode), rtol=0, atol=1e-12)


def test_letter_diagrams_are_what_numpy_pad_draws():
    letters = np.array(list("abcd"))
    for mode, names in helpers.BORDER_MODES.items():
        left, middle, right = (part.split() for part in names["diagram"].split(" | "))
        fill = {"constant_values": "k"} if mode == "constant" else {}
        padded = np.pad(letters, (len(left), len(right)), mode=names["numpy"], **fill)
        assert padded.tolist() == left + middle + right, mode


ONEDNN_RUN = """
import sys
import numpy as np
import tensorflow as tf
cases = np.load(sys.argv[1], allow_pickle=True)["cases"]
outputs = [tf.nn.conv2d(x, k, [1, *stride, 1], padding).numpy() for x, k, stride, padding in cases]
np.savez(sys.argv[2], **{str(i): out for i, out in enumerate(outputs)})
"""


def _onednn_cases():
    """Small configurations: batches of 1 and 2, kernels of 1 or 2 taps, strides 1-3 along each axis."""
    rng = np.random.default_rng(RNG_SEED)
    cases = []
    for n, h, w, kh, kw, stride, padding in itertools.product(
        (1, 2), (2, 3), (3, 4), (1, 2), (1, 2), [(1, 1), (1, 2), (2, 1), (2, 2), (1, 3)], PADDINGS
    ):
        x = rng.standard_normal((n, h, w, 1)).astype(np.float32)
        k = rng.standard_normal((kh, kw, 1, 1)).astype(np.float32)
        cases.append((x, k, stride, padding))
    return cases


def _direction(stride: tuple[int, int]) -> str:
    if stride[0] == 1 < stride[1]:
        return "width only"
    if stride[1] == 1 < stride[0]:
        return "height only"
    return "both" if stride[0] > 1 else "none"


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="oneDNN is TensorFlow's x86 path")
def test_onednn_gets_only_batches_strided_along_the_width_wrong(tmp_path):
    """Notebook 05's 'Trust, but verify': with oneDNN on, TensorFlow 2.21's conv2d goes wrong on batches of two or
    more images with a stride along the width only, and nowhere else in this grid. oneDNN can only be switched on
    before TensorFlow is imported, so TensorFlow runs in a fresh process. If an upgrade fixes the bug, this test
    fails: then update the notebook and helpers/quiet_tensorflow.py."""
    cases = _onednn_cases()
    inputs, outputs = tmp_path / "cases.npz", tmp_path / "outputs.npz"
    np.savez(inputs, cases=np.array(cases, dtype=object))
    environment = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    subprocess.run(
        [sys.executable, "-c", ONEDNN_RUN, str(inputs), str(outputs)],
        env=environment,
        capture_output=True,
        check=True,
        timeout=300,
    )
    with np.load(outputs) as results:
        theirs = [results[str(i)] for i in range(len(cases))]
    wrong, tried = set(), set()
    for (x, k, stride, padding), result in zip(cases, theirs, strict=True):
        key = (f"batch {'>= 2' if x.shape[0] >= 2 else '1'}", f"stride along {_direction(stride)}")
        tried.add(key)
        ours = helpers.correlate2d(x, k, padding=padding.lower(), stride=stride)
        if result.shape != ours.shape or not np.allclose(result, ours, atol=TOLERANCE):
            wrong.add(key)
    assert len(tried) == 8  # every (batch, stride direction) pair was tried
    assert wrong == {("batch >= 2", "stride along width only")}
