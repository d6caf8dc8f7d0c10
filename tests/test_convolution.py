"""The loop, the vectorised helpers and scipy.ndimage compute the same thing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage

import helpers
from helpers import convolve2d, correlate2d, correlate2d_loop, output_size, pool2d

ODD_SIZES = (1, 3, 5, 7)
PROPERTY = settings(max_examples=150, deadline=None, derandomize=True)


@st.composite
def image_and_odd_kernel(draw):
    """A random image (1x1 up) and an odd-sized kernel that may be 1xN, Nx1 or square."""
    height = draw(st.integers(1, 12))
    width = draw(st.integers(1, 12))
    kh = draw(st.sampled_from(ODD_SIZES))
    kw = draw(st.sampled_from(ODD_SIZES))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, size=(height, width)).astype(draw(st.sampled_from([np.uint8, np.float64])))
    kernel = rng.normal(size=(kh, kw))
    return image, kernel


@PROPERTY
@given(image_and_odd_kernel())
def test_loop_vectorised_and_scipy_agree(case):
    image, kernel = case
    expected = ndimage.correlate(image.astype(float), kernel, mode="constant", cval=0.0)
    np.testing.assert_allclose(correlate2d_loop(image, kernel), expected, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(correlate2d(image, kernel), expected, rtol=1e-12, atol=1e-9)


@PROPERTY
@given(image_and_odd_kernel(), st.sampled_from(sorted(helpers.BORDER_MODES)))
def test_every_border_mode_matches_scipy(case, mode):
    image, kernel = case
    for function, reference in ((correlate2d, ndimage.correlate), (convolve2d, ndimage.convolve)):
        expected = reference(image.astype(float), kernel, mode=mode, cval=0.0)
        np.testing.assert_allclose(function(image, kernel, mode=mode), expected, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("cval", [0.0, 7.5, -3.0])
def test_cval_matches_scipy(cval):
    rng = np.random.default_rng(1)
    image, kernel = rng.normal(size=(6, 9)), rng.normal(size=(5, 3))
    expected = ndimage.correlate(image, kernel, mode="constant", cval=cval)
    np.testing.assert_allclose(correlate2d(image, kernel, cval=cval), expected, rtol=1e-12, atol=1e-12)


def test_uint8_input_does_not_overflow():
    image = np.full((5, 5), 250, dtype=np.uint8)
    kernel = np.ones((3, 3))
    assert correlate2d_loop(image, kernel)[2, 2] == 2250
    assert correlate2d(image, kernel)[2, 2] == 2250


def test_non_contiguous_views_are_read_correctly():
    rng = np.random.default_rng(2)
    base = rng.integers(0, 256, size=(20, 30)).astype(np.uint8)
    view = base[::2, 1::3].T  # strided and transposed
    assert not view.flags.c_contiguous
    kernel = rng.normal(size=(3, 5))
    expected = ndimage.correlate(np.ascontiguousarray(view, dtype=float), kernel, mode="constant")
    np.testing.assert_allclose(correlate2d(view, kernel), expected, atol=1e-9)
    np.testing.assert_allclose(correlate2d_loop(view, kernel), expected, atol=1e-9)


def test_identity_kernel_returns_the_image_exactly():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, size=(7, 9)).astype(np.uint8)
    identity = helpers.KERNELS["identity"]
    np.testing.assert_array_equal(correlate2d_loop(image, identity), image)
    np.testing.assert_array_equal(correlate2d(image, identity), image)


def test_convolution_flips_the_kernel():
    impulse = np.zeros((5, 5))
    impulse[2, 2] = 1.0
    kernel = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(convolve2d(impulse, kernel)[1:4, 1:4], kernel)
    np.testing.assert_array_equal(correlate2d(impulse, kernel)[1:4, 1:4], kernel[::-1, ::-1])


def test_squash_on_the_loop_clips_to_the_pixel_range():
    image = np.array([[0.0, 255.0, 0.0]])
    result = correlate2d_loop(image, [[-1.0, 2.0, -1.0]], squash=True)
    np.testing.assert_array_equal(result, [[0.0, 255.0, 0.0]])
    np.testing.assert_array_equal(helpers.squash([-1.0, 300.0, 12.5]), [0.0, 255.0, 12.5])


@pytest.mark.parametrize(
    ("padding", "shape"),
    [("valid", (4, 6)), ("same", (6, 8)), ("full", (8, 10)), (((1, 0), (0, 2)), (5, 8))],
)
def test_padding_words_and_explicit_padding_give_the_expected_shapes(padding, shape):
    image = np.ones((6, 8))
    assert correlate2d(image, np.ones((3, 3)), padding=padding).shape == shape


def test_full_padding_equals_scipy_on_a_zero_padded_image():
    rng = np.random.default_rng(4)
    image, kernel = rng.normal(size=(5, 6)), rng.normal(size=(3, 5))
    padded = np.pad(image, ((2, 2), (4, 4)))
    expected = ndimage.correlate(padded, kernel, mode="constant")[1:-1, 2:-2]  # where the kernel fits
    np.testing.assert_allclose(correlate2d(image, kernel, padding="full"), expected, atol=1e-12)


def test_even_kernel_same_padding_puts_the_extra_row_at_the_bottom_and_right():
    rng = np.random.default_rng(5)
    image, kernel = rng.normal(size=(6, 7)), rng.normal(size=(4, 4))
    explicit = correlate2d(image, kernel, padding=((1, 2), (1, 2)))
    np.testing.assert_allclose(correlate2d(image, kernel, padding="same"), explicit, atol=1e-12)


def test_stride_and_dilation_against_their_definitions():
    rng = np.random.default_rng(6)
    image, kernel = rng.normal(size=(11, 13)), rng.normal(size=(3, 3))
    dense = correlate2d(image, kernel, padding="valid")
    np.testing.assert_allclose(correlate2d(image, kernel, padding="valid", stride=(2, 3)), dense[::2, ::3])
    spread = np.zeros((5, 5))
    spread[::2, ::2] = kernel
    np.testing.assert_allclose(
        correlate2d(image, kernel, padding="valid", dilation=2), correlate2d(image, spread, padding="valid")
    )


@pytest.mark.parametrize(
    ("n", "k", "padding", "stride", "dilation", "expected"),
    [
        (7, 3, "valid", 1, 1, 5),
        (7, 3, "same", 1, 1, 7),
        (7, 3, "same", 2, 1, 4),
        (7, 3, "full", 1, 1, 9),
        (7, 3, "valid", 1, 2, 3),
        (8, 4, "same", 3, 1, 3),
        (5, 7, "valid", 1, 1, 0),
        (10, 3, (2, 1), 2, 1, 6),
    ],
)
def test_output_size(n, k, padding, stride, dilation, expected):
    assert output_size(n, k, padding=padding, stride=stride, dilation=dilation) == expected


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    n=st.integers(1, 15),
    k=st.integers(1, 6),
    padding=st.sampled_from(["same", "valid", "full"]),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 3),
)
def test_output_size_matches_the_array_correlate2d_returns(n, k, padding, stride, dilation):
    expected = output_size(n, k, padding=padding, stride=stride, dilation=dilation)
    image, kernel = np.ones((n, 2)), np.ones((k, 1))
    if expected == 0:
        with pytest.raises(ValueError, match="larger than the padded image"):
            correlate2d(image, kernel, padding=padding, stride=stride, dilation=dilation)
    else:
        result = correlate2d(image, kernel, padding=padding, stride=stride, dilation=dilation)
        assert result.shape[0] == expected


def test_channels_and_batches_follow_nhwc_and_hwio():
    rng = np.random.default_rng(7)
    batch = rng.normal(size=(2, 6, 5, 3))
    kernel = rng.normal(size=(3, 3, 3, 4))
    result = correlate2d(batch, kernel)
    assert result.shape == (2, 6, 5, 4)
    for n in range(2):
        for o in range(4):
            expected = sum(ndimage.correlate(batch[n, :, :, c], kernel[:, :, c, o], mode="constant") for c in range(3))
            np.testing.assert_allclose(result[n, :, :, o], expected, atol=1e-12)
    np.testing.assert_allclose(correlate2d(batch[1], kernel), result[1], atol=1e-12)


def test_depthwise_keeps_channels_apart():
    rng = np.random.default_rng(8)
    image = rng.normal(size=(6, 7, 3))
    kernel = rng.normal(size=(3, 3, 3, 2))
    result = helpers.depthwise_correlate2d(image, kernel)
    assert result.shape == (6, 7, 6)
    for c in range(3):
        for m in range(2):
            expected = ndimage.correlate(image[:, :, c], kernel[:, :, c, m], mode="constant")
            np.testing.assert_allclose(result[:, :, c * 2 + m], expected, atol=1e-12)


def test_pooling_matches_scipy_filters_on_non_overlapping_windows():
    rng = np.random.default_rng(9)
    image = rng.normal(size=(8, 12))
    maxed = ndimage.maximum_filter(image, size=2, origin=(-1, -1))[::2, ::2]
    np.testing.assert_array_equal(pool2d(image, 2), maxed)
    np.testing.assert_allclose(pool2d(image, 2, kind="mean"), image.reshape(4, 2, 6, 2).mean(axis=(1, 3)))
    box = np.ones((2, 2)) / 4
    np.testing.assert_allclose(
        pool2d(image, 2, kind="mean"), correlate2d(image, box, padding="valid", stride=2), atol=1e-12
    )


def test_pool_same_padding_ignores_padded_cells():
    image = -np.ones((3, 3))
    np.testing.assert_array_equal(pool2d(image, 2, padding="same"), -np.ones((2, 2)))
    np.testing.assert_array_equal(pool2d(image, 2, kind="mean", padding="same"), -np.ones((2, 2)))


# --------------------------------------------------------------------------
# Kernels


def test_kernel_sums_follow_their_descriptions():
    for name, kernel in helpers.KERNELS.items():
        expected = 0.0 if "Sums to 0" in helpers.KERNEL_INFO[name].description else 1.0
        assert (
            "Sums to 0" in helpers.KERNEL_INFO[name].description or "Sums to 1" in helpers.KERNEL_INFO[name].description
        )
        assert kernel.sum() == pytest.approx(expected, abs=1e-12), name


def test_unsharp_is_twice_identity_minus_the_5x5_gaussian():
    identity = np.zeros((5, 5))
    identity[2, 2] = 1.0
    np.testing.assert_allclose(helpers.KERNELS["unsharp_5x5"], 2 * identity - helpers.KERNELS["gaussian_blur_5x5"])


def test_kernels_are_read_only_and_documented():
    for name, kernel in helpers.KERNELS.items():
        assert kernel.dtype == np.float64 and kernel.ndim == 2
        with pytest.raises(ValueError):
            kernel[0, 0] = 1.0
        assert helpers.KERNEL_INFO[name].source.startswith("https://en.wikipedia.org/wiki/")
        assert helpers.describe_kernel(name).startswith(name)
    with pytest.raises(ValueError, match=r"name must be one of .*, got 'blurr'"):
        helpers.describe_kernel("blurr")


def test_gaussian_kernel_rows_are_binomial():
    np.testing.assert_array_equal(helpers.gaussian_kernel(5)[2] * 256, [6, 24, 36, 24, 6])
    with pytest.raises(ValueError, match="odd positive int"):
        helpers.gaussian_kernel(4)


# --------------------------------------------------------------------------
# Bad input gets a named error, never a traceback from deep inside numpy


BAD_IMAGES = [
    (np.zeros(5), ValueError, "image must be a 2-D grayscale image"),
    (np.zeros((0, 4)), ValueError, "image is empty"),
    (np.array([[1.0, np.nan], [0.0, 0.0]]), ValueError, "image contains NaN or infinity"),
    (np.array([[1.0, np.inf], [0.0, 0.0]]), ValueError, "image contains NaN or infinity"),
    (np.ones((3, 3), dtype=bool), TypeError, "image has dtype bool"),
    (np.ones((3, 3), dtype=complex), TypeError, "complex"),
    (np.array([[object(), 1], [1, 1]], dtype=object), TypeError, "image must hold numbers"),
    (np.array([["a", "b"], ["c", "d"]]), TypeError, "image must hold numbers"),
    ("not an image", TypeError, "image must be an array of numbers"),
    ([[1, 2], [3]], ValueError, "rectangular"),
]


@pytest.mark.parametrize(("image", "error", "message"), BAD_IMAGES)
def test_bad_images_are_named(image, error, message):
    with pytest.raises(error, match=message):
        correlate2d_loop(image, np.ones((3, 3)))
    with pytest.raises(error, match=message.replace("a 2-D grayscale image", "")):
        correlate2d(image, np.ones((3, 3)))


@pytest.mark.parametrize(
    ("kernel", "error", "message"),
    [
        (np.ones(3), ValueError, "kernel must be a 2-D kernel"),
        (np.ones((3, 3, 1)), ValueError, "kernel must be a 2-D kernel"),
        (np.ones((0, 3)), ValueError, "kernel is empty"),
        (np.ones((3, 3), dtype=bool), TypeError, "kernel has dtype bool"),
        (np.full((3, 3), np.nan), ValueError, "kernel contains NaN"),
    ],
)
def test_bad_kernels_are_named(kernel, error, message):
    with pytest.raises(error, match=message):
        correlate2d(np.ones((5, 5)), kernel)


def test_even_kernel_is_refused_by_the_loop():
    with pytest.raises(ValueError, match="kernel must have odd sizes"):
        correlate2d_loop(np.ones((5, 5)), np.ones((2, 3)))


def test_kernel_larger_than_padded_image():
    with pytest.raises(ValueError, match="larger than the padded image"):
        correlate2d(np.ones((3, 3)), np.ones((5, 5)), padding="valid")
    with pytest.raises(ValueError, match="larger than the padded image"):
        correlate2d(np.ones((3, 8)), np.ones((3, 3)), padding="valid", dilation=2)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"stride": 0}, ValueError, "stride must be at least 1"),
        ({"dilation": (1, 0)}, ValueError, "dilation must be at least 1"),
        ({"stride": 1.5}, TypeError, "stride must be an int or a pair of ints"),
        ({"padding": "middle"}, ValueError, "padding must be one of"),
        ({"padding": ((1, -1), (0, 0))}, ValueError, "must not be negative"),
        ({"padding": 3}, ValueError, "padding must be one of"),
        ({"mode": "zeros"}, ValueError, "mode must be one of"),
        ({"mode": "reflect", "cval": 1.0}, ValueError, "cval is only used with mode='constant'"),
        ({"cval": "0"}, TypeError, "cval must be a number"),
    ],
)
def test_bad_options_are_named(options, error, message):
    with pytest.raises(error, match=message):
        correlate2d(np.ones((5, 5)), np.ones((3, 3)), **options)


def test_channel_mismatch_is_named():
    with pytest.raises(ValueError, match="kernel has 2 input channels"):
        correlate2d(np.ones((5, 5, 3)), np.ones((3, 3, 2, 1)))
    with pytest.raises(ValueError, match="kernel has 2 input channels"):
        helpers.depthwise_correlate2d(np.ones((5, 5, 3)), np.ones((3, 3, 2, 1)))
    with pytest.raises(ValueError, match="use depthwise_correlate2d"):
        correlate2d(np.ones((5, 5, 3)), np.ones((3, 3)))


def test_bad_pooling_options_are_named():
    with pytest.raises(ValueError, match="kind must be 'max' or 'mean'"):
        pool2d(np.ones((4, 4)), 2, kind="median")
    with pytest.raises(ValueError, match="size must be at least 1"):
        pool2d(np.ones((4, 4)), 0)
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same'"):
        pool2d(np.ones((4, 4)), 2, padding="full")


def test_output_size_refuses_bad_arguments():
    with pytest.raises(ValueError, match="k must be a positive int"):
        output_size(5, 0)
    with pytest.raises(ValueError, match="stride must be at least 1"):
        output_size(5, 3, stride=0)
