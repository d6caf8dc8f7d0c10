"""Claims that notebooks 04 and 06 state about TensorFlow and SciPy, checked where the notebooks do not.

Notebook 06 used to run a grid of 216 configurations against TensorFlow; the
property-based tests in ``test_against_tensorflow.py`` cover that ground, and
this file adds the part they did not (depthwise convolution with explicit
padding) and the library behaviours the two notebooks describe in prose.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.ndimage
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import helpers

tf = helpers.import_tensorflow()

TOLERANCE = 1e-4


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    n=st.integers(1, 3),
    height=st.integers(1, 9),
    width=st.integers(1, 9),
    channels=st.integers(1, 3),
    multiplier=st.integers(1, 2),
    size=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    pads=st.tuples(*[st.integers(0, 2)] * 4),
    stride=st.integers(1, 2),
    seed=st.integers(0, 2**32 - 1),
)
def test_depthwise_with_explicit_padding_matches_tf(n, height, width, channels, multiplier, size, pads, stride, seed):
    explicit = ((pads[0], pads[1]), (pads[2], pads[3]))
    assume(height + pads[0] + pads[1] >= size[0] and width + pads[2] + pads[3] >= size[1])
    rng = np.random.default_rng(seed)
    images = rng.normal(size=(n, height, width, channels)).astype(np.float32)
    kernel = rng.normal(size=(*size, channels, multiplier)).astype(np.float32)
    tf_padding = [[0, 0], list(explicit[0]), list(explicit[1]), [0, 0]]
    expected = tf.nn.depthwise_conv2d(images, kernel, strides=[1, stride, stride, 1], padding=tf_padding).numpy()
    ours = helpers.depthwise_correlate2d(images, kernel, padding=explicit, stride=stride)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=TOLERANCE)


# --------------------------------------------------------------------------
# Notebook 06: stride > 1 together with dilation > 1 (TensorFlow 2.21)

STRIDE, DILATION = 2, 2


@pytest.fixture(scope="module")
def eleven_by_eleven():
    rng = np.random.default_rng(0)
    images = rng.normal(size=(1, 11, 11, 2)).astype(np.float32)
    kernel = rng.normal(size=(3, 3, 2, 1)).astype(np.float32)
    return images, kernel


def test_conv2d_computes_stride_with_dilation(eleven_by_eleven):
    images, kernel = eleven_by_eleven
    result = tf.nn.conv2d(images, kernel, strides=STRIDE, padding="VALID", dilations=DILATION).numpy()
    ours = helpers.correlate2d(images, kernel, padding="valid", stride=STRIDE, dilation=DILATION)
    assert result.shape == ours.shape == (1, 4, 4, 1)
    np.testing.assert_allclose(result, ours, atol=TOLERANCE)


def test_convolution_and_keras_conv2d_refuse_stride_with_dilation(eleven_by_eleven):
    images, kernel = eleven_by_eleven
    with pytest.raises(ValueError, match="not supported in conjunction"):
        tf.nn.convolution(images, kernel, strides=STRIDE, padding="VALID", dilations=DILATION)
    with pytest.raises(ValueError, match="not supported in conjunction"):
        tf.keras.layers.Conv2D(1, 3, strides=STRIDE, dilation_rate=DILATION)(images)


def test_depthwise_conv2d_warns_and_returns_the_wrong_shape(eleven_by_eleven):
    images, kernel = eleven_by_eleven
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = tf.nn.depthwise_conv2d(
            images, kernel, strides=[1, STRIDE, STRIDE, 1], padding="VALID", dilations=[DILATION, DILATION]
        )
    assert any("dilation rate is greater than 1" in str(warning.message) for warning in caught)
    right = helpers.depthwise_correlate2d(images, kernel, padding="valid", stride=STRIDE, dilation=DILATION)
    assert right.shape == (1, 4, 4, 2)
    assert tuple(result.shape) == (1, 3, 3, 2)


def test_separable_conv2d_returns_the_wrong_shape_without_a_warning(eleven_by_eleven):
    images, depthwise = eleven_by_eleven
    pointwise = np.random.default_rng(1).normal(size=(1, 1, 2, 3)).astype(np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = tf.nn.separable_conv2d(
            images,
            depthwise,
            pointwise,
            strides=[1, STRIDE, STRIDE, 1],
            padding="VALID",
            dilations=[DILATION, DILATION],
        )
    assert not caught and tuple(result.shape) == (1, 3, 3, 3)
    spatial = helpers.depthwise_correlate2d(images, depthwise, padding="valid", stride=STRIDE, dilation=DILATION)
    right = helpers.correlate2d(spatial, pointwise)
    assert right.shape == (1, 4, 4, 3)
    # Keras's layer gets the shape right (notebook 06 says so; its values are notebook 05's business)
    layer = tf.keras.layers.SeparableConv2D(3, 3, strides=STRIDE, dilation_rate=DILATION, use_bias=False)
    assert tuple(layer(images).shape) == (1, 4, 4, 3)


# --------------------------------------------------------------------------
# Notebook 06: NCHW on the CPU (oneDNN on is shown in a subprocess in the notebook itself)


def test_cpu_conv2d_refuses_nchw_with_onednn_off():
    import os

    assert os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "0", "helpers.import_tensorflow() should have set it"
    with tf.device("/CPU:0"), pytest.raises(tf.errors.UnimplementedError, match="only supports the NHWC"):
        tf.nn.conv2d(tf.ones((1, 3, 5, 5)), tf.ones((3, 3, 3, 1)), strides=1, padding="SAME", data_format="NCHW")


# --------------------------------------------------------------------------
# Notebook 04: SciPy on integer input, float32 exactness


def test_scipy_integer_output_truncates_toward_zero():
    box = np.full((3, 3), 1 / 9)
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, size=(20, 30)).astype(np.uint8)
    as_float = scipy.ndimage.correlate(image.astype(np.float64), box, mode="constant")
    np.testing.assert_array_equal(scipy.ndimage.correlate(image, box, mode="constant"), np.trunc(as_float))
    signed = np.array([[7, -7]], dtype=np.int32)
    np.testing.assert_array_equal(scipy.ndimage.correlate(signed, np.array([[0.5]])), [[3, -3]])  # toward zero


def test_weights_on_a_power_of_two_grid_make_float32_exact():
    image = np.random.default_rng(2).integers(0, 256, size=(40, 50)).astype(np.float32)
    for name, kernel in helpers.KERNELS.items():
        exact_in_float32 = np.array_equal(kernel * 256, np.round(kernel * 256))
        tf_result = tf.nn.conv2d(image[None, :, :, None], kernel.astype(np.float32)[:, :, None, None], 1, "SAME")
        equal = np.array_equal(tf_result.numpy()[0, :, :, 0], helpers.correlate2d(image, kernel))
        assert equal == exact_in_float32, name


# --------------------------------------------------------------------------
# Notebook 06: its prose must hold for the stand-in (the cat, in the stored outputs) and for the
# astronaut, which it uses when the course image is the 2016 post's gray lion.


@pytest.mark.parametrize("name", ["chelsea", "astronaut"])
def test_filter_bank_figure_and_batch_claims_hold_for_both_photographs(name):
    from skimage import data

    photo = getattr(data, name)()
    luma = np.array([0.299, 0.587, 0.114])
    names = ["sobel_x", "sobel_y", "gaussian_blur_3x3", "edge_2"]
    bank_2d = np.stack([helpers.KERNELS[n] for n in names], axis=-1)
    bank = luma[None, None, :, None] * bank_2d[:, :, None, :]
    quarter_h, quarter_w = photo.shape[0] // 4, photo.shape[1] // 4
    detail = (slice(quarter_h, 2 * quarter_h), slice(quarter_w, 2 * quarter_w))
    magnitudes = [np.abs(helpers.correlate2d(photo[detail], bank)[..., o]) for o in range(4)]
    # the Laplacian's panel has the lowest 99th percentile and would be almost black on 0-255
    assert np.percentile(magnitudes[3], 99) < min(np.percentile(m, 99) for m in magnitudes[:3])
    assert np.median(magnitudes[3]) < 255 / 16
    # the strided batch: values above 255, and at most the Sobel bound 4 x 255 that the notebook prints
    tiles, h, w = [(1, 1), (1, 2), (2, 1), (2, 2)], quarter_h, quarter_w
    batch = np.stack([photo[r * h : (r + 1) * h, c * w : (c + 1) * w] for r, c in tiles])
    # each tile's sobel_x map is white (> 255) in its first and last columns wherever the tile is bright
    # next to them (luma over 128): the tile meets its zero padding
    edge_maps, tile_luma = np.abs(helpers.correlate2d(batch, bank)[..., 0]), batch.astype(np.float64) @ luma
    for edge, neighbour in ((0, 1), (-1, -2)):
        bright = tile_luma[:, :, neighbour] > 128
        assert bright.any() and np.all(edge_maps[:, :, edge][bright] > 255)
    strided = helpers.correlate2d(batch, bank, stride=2)
    assert 255 < np.abs(strided).max() <= 4 * 255
    tf_strided = tf.nn.conv2d(batch.astype(np.float32), bank.astype(np.float32), strides=2, padding="SAME")
    np.testing.assert_allclose(strided, tf_strided.numpy(), rtol=0, atol=1e-3)


# --------------------------------------------------------------------------
# Notebook 04: grouped convolution, Keras Conv2D, the gallery table's powers of ten


def test_conv2d_runs_a_grouped_convolution_when_c_is_a_multiple_of_i():
    rng = np.random.default_rng(3)
    for channels, per_group, out in [(4, 2, 4), (6, 3, 2), (6, 2, 3), (4, 1, 4), (4, 4, 3)]:
        groups = channels // per_group
        images = rng.normal(size=(2, 5, 6, channels)).astype(np.float32)
        kernel = rng.normal(size=(3, 3, per_group, out)).astype(np.float32)
        result = tf.nn.conv2d(images, kernel, 1, "SAME").numpy()
        assert result.shape == (2, 5, 6, out)
        step = out // groups
        by_group = [
            tf.nn.conv2d(
                images[..., g * per_group : (g + 1) * per_group], kernel[..., g * step : (g + 1) * step], 1, "SAME"
            )
            for g in range(groups)
        ]
        np.testing.assert_allclose(result, np.concatenate(by_group, axis=-1), atol=TOLERANCE)


@pytest.mark.parametrize(
    ("filter_shape", "words"), [((3, 3, 3, 4), "evenly divisible"), ((3, 3, 2, 3), "evenly divisible")]
)
def test_conv2d_refuses_channels_that_do_not_split_into_groups(filter_shape, words):
    with pytest.raises(tf.errors.InvalidArgumentError, match=words):
        tf.nn.conv2d(tf.ones((1, 5, 5, 4)), tf.ones(filter_shape), 1, "SAME")


def test_keras_conv2d_holds_an_hwio_kernel_and_a_bias_and_calls_conv2d():
    rng = np.random.default_rng(4)
    images = rng.normal(size=(1, 7, 6, 4)).astype(np.float32)
    layer = tf.keras.layers.Conv2D(filters=6, kernel_size=(3, 2), padding="valid", groups=2)
    layer.build(images.shape)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 2, 2, 6) and bias.shape == (6,)
    bias = rng.normal(size=6).astype(np.float32)
    layer.set_weights([kernel, bias])
    expected = tf.nn.conv2d(images, kernel, 1, "VALID").numpy() + bias
    np.testing.assert_allclose(layer(images).numpy(), expected, atol=TOLERANCE)
    assert layer.padding == "valid" and tf.keras.layers.Conv2D(1, 3, padding="same").padding == "same"
    with pytest.raises(ValueError, match="padding"):
        tf.keras.layers.Conv2D(1, 3, padding="full")


def _power_of_ten(value):
    return 10.0 ** np.floor(np.log10(value))


@pytest.mark.parametrize("name", ["box_blur", "motion_blur"])
def test_the_gallery_tables_power_of_ten_holds_for_other_orders_of_addition(name):
    """On the stand-in cat's crop, float32 and float64 sums added in other orders land in the notebook's bucket."""
    from skimage import data

    image = helpers.to_grayscale(data.chelsea())
    height, width = image.shape
    top, left = (height - 96) // 2, (width - 128) // 2
    crop = image[top : top + 96, left : left + 128]
    kernel = helpers.KERNELS[name]
    loop = helpers.correlate2d_loop(crop, kernel)
    for dtype, bucket, bound in [(np.float32, 1e-5, 1e-4), (np.float64, 1e-14, 1e-12)]:
        padded = np.pad(crop.astype(dtype), 2 if kernel.shape[0] == 5 else 1)
        terms = [
            padded[i : i + 96, j : j + 128] * dtype(kernel[i, j])
            for i in range(kernel.shape[0])
            for j in range(kernel.shape[1])
        ]
        forwards, backwards = np.zeros_like(terms[0]), np.zeros_like(terms[0])
        for term in terms:
            forwards = forwards + term
        for term in reversed(terms):
            backwards = backwards + term
        by_tf = tf.nn.conv2d(crop.astype(dtype)[None, :, :, None], kernel.astype(dtype)[:, :, None, None], 1, "SAME")
        for result in (forwards, backwards, np.sum(np.stack(terms), axis=0), by_tf.numpy()[0, :, :, 0]):
            largest = np.abs(result - loop).max()
            assert largest < bound and _power_of_ten(largest) == bucket, (dtype, largest)


def test_float32_box_blur_is_bit_identical_with_one_thread_and_oneDNN_limited_to_avx2(tmp_path):
    """04 prints float32 powers of ten as machine-independent: with oneDNN off TensorFlow runs Eigen, built in the
    same for every x86 CPU. A second process with one thread and ONEDNN_MAX_CPU_ISA=AVX2 gives the same bits."""
    import os
    import subprocess
    import sys

    rng = np.random.default_rng(5)
    image = rng.integers(0, 256, size=(96, 128)).astype(np.float32)
    np.save(tmp_path / "image.npy", image)
    script = (
        "import sys, numpy as np, helpers\n"
        "tf = helpers.import_tensorflow()\n"
        "image = np.load(sys.argv[1])\n"
        "out = [tf.nn.conv2d(image[None, :, :, None], helpers.KERNELS[n].astype(np.float32)[:, :, None, None],"
        " 1, 'SAME').numpy() for n in ('box_blur', 'motion_blur')]\n"
        "np.save(sys.argv[2], np.stack(out))\n"
    )
    env = {**os.environ, "ONEDNN_MAX_CPU_ISA": "AVX2", "OMP_NUM_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1"}
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "image.npy"), str(tmp_path / "out.npy")],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    here = [
        tf.nn.conv2d(image[None, :, :, None], helpers.KERNELS[n].astype(np.float32)[:, :, None, None], 1, "SAME")
        for n in ("box_blur", "motion_blur")
    ]
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), np.stack([t.numpy() for t in here]))


def test_what_notebook_04_reports_for_the_cat_and_no_longer_asserts_for_any_photograph():
    """On the stand-in cat: pad-by-one is off at most pixels for every 5x5 kernel, sharpen leaves [0, 255] on the
    crop, and the float32 box blur's largest difference is more than twice as large where it is bright (>= 128)
    as where it is dark (< 32). The notebook's check cell asserts these only where they hold for any photograph."""
    from skimage import data

    image = helpers.to_grayscale(data.chelsea()).astype(np.float64)
    height, width = image.shape
    top, left = (height - 96) // 2, (width - 128) // 2
    crop = image[top : top + 96, left : left + 128]
    for name, kernel in helpers.KERNELS.items():
        if kernel.shape != (3, 3):
            shifted = np.zeros(image.shape)
            valid = helpers.correlate2d(image, kernel, padding=((1, 1), (1, 1)))
            shifted[: valid.shape[0], : valid.shape[1]] = valid
            assert (np.abs(shifted - helpers.correlate2d(image, kernel)) > 1e-4).mean() > 0.5, name
    sharpened = helpers.correlate2d(crop, helpers.KERNELS["sharpen"])
    assert (sharpened < 0).any() and (sharpened > 255).any()
    box = helpers.KERNELS["box_blur"]
    loop = helpers.correlate2d_loop(image, box)
    batch, kernel = image.astype(np.float32)[None, :, :, None], box.astype(np.float32)[:, :, None, None]
    by_tf = tf.nn.conv2d(batch, kernel, 1, "SAME")
    difference = np.abs(by_tf.numpy()[0, :, :, 0] - loop)
    assert difference[loop >= 128].max() > 2 * difference[loop < 32].max()


def test_the_stated_time_of_notebook_04_counts_what_it_holds():
    """ "Time to learn" names the words, lesson code cells and figures it was measured from: they must be current."""
    from stated_time import assert_stated_time_is_current

    assert_stated_time_is_current("04_tensorflow_conv2d.ipynb")
