"""The methods of helpers.correlate2d: each one against SciPy and the formula, and what 'auto' may pick.

No timing is asserted here: speed is measured side by side in benchmarks/run.py.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy import ndimage

import helpers
from helpers import fast

MODES = sorted(helpers.BORDER_MODES)
EVERYTHING_BUT_LOOP = [m for m in fast.METHODS if m != "loop"]


def by_formula(image, kernel, padded, stride, dilation, out_hw):
    """out[n, y, x, o] = sum over (u, v, c) of kernel[u, v, c, o] * padded[n, y*s + u*d, x*s + v*d, c], by loops."""
    n_images, (out_h, out_w) = image.shape[0], out_hw
    kh, kw, _, c_out = kernel.shape
    out = np.zeros((n_images, out_h, out_w, c_out))
    for n in range(n_images):
        for y in range(out_h):
            for x in range(out_w):
                for u in range(kh):
                    for v in range(kw):
                        pixel = padded[n, y * stride[0] + u * dilation[0], x * stride[1] + v * dilation[1]]
                        out[n, y, x] += pixel @ kernel[u, v]
    return out


@pytest.mark.parametrize("method", fast.METHODS)
@pytest.mark.parametrize("seed", range(4))
def test_every_method_agrees_with_scipy_on_random_cases(method, seed):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(5, 40, size=2))
    k = int(rng.choice([1, 3, 5, 7]))
    kernel = rng.standard_normal((k, int(rng.choice([1, 3, 5]))))
    image = rng.standard_normal(shape) * 100
    mode = "constant" if method == "loop" else MODES[seed % len(MODES)]
    expected = ndimage.correlate(image, kernel, mode=mode)
    got = helpers.correlate2d(image, kernel, mode=mode, method=method)
    assert got.dtype == np.float64 and got.shape == shape
    tolerance = 1e-12 if method == "fft" else 1e-13  # relative to the largest value
    np.testing.assert_allclose(got, expected, rtol=0, atol=tolerance * np.abs(expected).max())


@pytest.mark.parametrize("method", EVERYTHING_BUT_LOOP)
@pytest.mark.parametrize(
    ("padding", "stride", "dilation"),
    [("same", 1, 1), ("valid", 2, 1), ("full", (1, 3), 2), (((2, 0), (1, 3)), (2, 1), (1, 2)), ("same", 3, 3)],
)
def test_every_method_follows_the_formula_with_channels_batches_strides_and_dilation(method, padding, stride, dilation):
    rng = np.random.default_rng(7)
    image = rng.standard_normal((2, 11, 13, 3))
    kernel = rng.standard_normal((3, 4, 3, 2))
    got = helpers.correlate2d(image, kernel, padding=padding, stride=stride, dilation=dilation, method=method)
    batch = image.astype(np.float64)
    padded, _, _, out_shape, s, d = helpers.convolution._pad_for_window(
        batch, kernel.shape[:2], padding, "constant", 0.0, stride, dilation
    )
    expected = by_formula(batch, kernel, padded, s, d, out_shape[1:])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-11)


@pytest.mark.parametrize("method", EVERYTHING_BUT_LOOP)
def test_single_channel_with_stride_and_dilation_matches_shift(method):
    rng = np.random.default_rng(3)
    image, kernel = rng.standard_normal((30, 41)), rng.standard_normal((5, 3))
    for options in ({"stride": 2}, {"dilation": (2, 3)}, {"stride": (3, 2), "dilation": 2, "mode": "wrap"}):
        expected = helpers.correlate2d(image, kernel, method="shift", **options)
        got = helpers.correlate2d(image, kernel, method=method, **options)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-11, err_msg=str(options))


def test_compiled_and_shift_give_identical_floats_for_one_channel():
    rng = np.random.default_rng(4)
    image, kernel = rng.standard_normal((64, 70)), rng.standard_normal((5, 5))
    for dtype in (np.float64, np.float32):
        a, b = image.astype(dtype), kernel.astype(dtype)
        np.testing.assert_array_equal(
            helpers.correlate2d(a, b, method="compiled"), helpers.correlate2d(a, b, method="shift")
        )


@pytest.mark.parametrize("method", EVERYTHING_BUT_LOOP)
def test_float32_stays_float32_within_1e_4(method):
    rng = np.random.default_rng(5)
    image = rng.random((50, 60)).astype(np.float32) * 255
    kernel = rng.standard_normal((7, 7)).astype(np.float32)
    got = helpers.correlate2d(image, kernel, method=method, mode="reflect")
    exact = ndimage.correlate(image.astype(np.float64), kernel.astype(np.float64), mode="reflect")
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, exact, rtol=0, atol=1e-4 * np.abs(exact).max())
    # a float64 kernel (or image) makes it float64
    assert helpers.correlate2d(image, kernel.astype(np.float64), method=method).dtype == np.float64
    assert helpers.correlate2d(image.astype(np.uint8), kernel, method=method).dtype == np.float64


def test_loop_is_notebook_02s_loop_and_names_what_else_can():
    image, kernel = np.arange(20.0).reshape(4, 5), np.ones((3, 3))
    np.testing.assert_array_equal(
        helpers.correlate2d(image, kernel, method="loop"), helpers.correlate2d_loop(image, kernel)
    )
    assert helpers.correlate2d(image.astype(np.float32), kernel.astype(np.float32), method="loop").dtype == np.float64
    for options, word in [
        ({"stride": 2}, "stride"),
        ({"dilation": 2}, "dilation"),
        ({"padding": "valid"}, "padding"),
        ({"mode": "wrap"}, "mode"),
        ({"cval": 1.0}, "cval"),
    ]:
        with pytest.raises(ValueError, match=rf"method='loop'.*{word}.*method='shift' or 'auto'"):
            helpers.correlate2d(image, kernel, method="loop", **options)
    with pytest.raises(ValueError, match=r"method='loop'.*2-D image.*method='shift'"):
        helpers.correlate2d(np.ones((4, 4, 1)), np.ones((3, 3, 1, 1)), method="loop")
    with pytest.raises(ValueError, match=r"method='loop'.*odd kernel.*method='shift'"):
        helpers.correlate2d(image, np.ones((2, 2)), method="loop")
    assert helpers.correlate2d(image, kernel, method="loop", stride=(1, 1)).shape == image.shape


def test_unknown_method_lists_the_methods():
    with pytest.raises(ValueError, match=r"method must be 'auto' or one of \('loop', 'shift'"):
        helpers.correlate2d(np.ones((4, 4)), np.ones((3, 3)), method="fastest")


def test_compiled_without_numba_names_the_methods_that_work(monkeypatch):
    fast._compiled_loops.cache_clear()
    monkeypatch.setitem(sys.modules, "helpers._compiled", None)  # as if numba could not be imported
    monkeypatch.delattr(helpers, "_compiled", raising=False)
    monkeypatch.setattr(fast, "numba_available", lambda: False)
    try:
        with pytest.raises(ImportError, match=r"needs numba.*'shift', 'fft' or 'auto'"):
            helpers.correlate2d(np.ones((4, 4)), np.ones((3, 3)), method="compiled")
        big = np.ones((600, 600))
        assert "compiled" not in fast.estimate_costs(big, np.ones((9, 9)) + np.eye(9))
        np.testing.assert_allclose(helpers.correlate2d(big, np.ones((9, 9)) + np.eye(9))[300, 300], 90)
    finally:
        fast._compiled_loops.cache_clear()


def test_import_helpers_imports_neither_numba_nor_dask():
    code = "import sys, helpers; print(sorted(m for m in ('numba', 'dask') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    "kernel",
    [
        np.outer([1.0, 2.0, 1.0], [-1.0, 0.0, 1.0]),  # Sobel
        np.ones((5, 5)) / 25,  # box
        helpers.gaussian_kernel(9),
        np.outer(np.random.default_rng(0).standard_normal(7), np.random.default_rng(1).standard_normal(3)),
    ],
    ids=["sobel", "box", "gaussian", "random rank 1"],
)
def test_separable_splits_rank_1_kernels_and_agrees_with_scipy(kernel):
    factors = fast.separable_factors(kernel)
    assert factors is not None
    np.testing.assert_allclose(np.outer(*factors), kernel, rtol=0, atol=1e-14)
    image = np.random.default_rng(2).standard_normal((40, 33))
    for mode in MODES:
        expected = ndimage.correlate(image, kernel, mode=mode)
        got = helpers.correlate2d(image, kernel, mode=mode, method="separable")
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_separable_on_integer_sobel_is_exact():
    ramp = np.tile(np.arange(8.0), (6, 1))
    sobel_x = helpers.KERNELS["sobel_x"]
    assert np.all(helpers.correlate2d(ramp, sobel_x, padding="valid", method="separable") == 8)


@pytest.mark.parametrize("size", [1e-6, 1e-9])
def test_separable_falls_back_on_a_nearly_rank_1_kernel(size):
    rng = np.random.default_rng(8)
    rank_1 = np.outer(rng.standard_normal(5), rng.standard_normal(5))
    nearly = rank_1 + size * rng.standard_normal((5, 5))
    assert fast.separable_factors(rank_1) is not None
    assert fast.separable_factors(nearly) is None
    assert "separable" not in fast.estimate_costs(np.zeros((30, 30)), nearly)
    image = rng.standard_normal((30, 30)) * 100
    got = helpers.correlate2d(image, nearly, method="separable")
    expected = ndimage.correlate(image, nearly, mode="constant")
    # the rank-1 approximation would be off by about size * 100 * 5; the fallback is exact to rounding
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert np.abs(helpers.correlate2d(image, rank_1, method="separable") - expected).max() > size


def test_separable_factors_refuse_what_is_not_rank_1():
    assert fast.separable_factors(helpers.KERNELS["sharpen"]) is None
    assert fast.separable_factors(np.zeros((3, 3))) is None
    assert fast.separable_factors(np.eye(3)) is None
    with pytest.raises(ValueError, match="kernel must be a 2-D kernel"):
        fast.separable_factors(np.ones(3))


def test_a_multi_channel_kernel_is_never_split():
    kernel = np.ones((3, 3, 2, 1))
    assert "separable" not in fast.estimate_costs(np.zeros((9, 9, 2)), kernel)
    np.testing.assert_allclose(helpers.correlate2d(np.ones((9, 9, 2)), kernel, method="separable")[4, 4], 18)


CASES = [
    (np.zeros((10, 10)), np.ones((3, 3)), {}),
    (np.zeros((300, 400)), helpers.KERNELS["sharpen"], {"mode": "reflect"}),
    (np.zeros((256, 256)), np.random.default_rng(0).random((31, 31)), {}),
    (np.zeros((256, 256)), np.ones((31, 31)), {"stride": 2}),
    (np.zeros((64, 64)), np.ones((4, 6)), {"padding": "full", "dilation": 2}),
    (np.zeros((2, 32, 32, 3)), np.ones((3, 3, 3, 8)), {"stride": 2}),
    (np.zeros((48, 48, 16)), np.ones((1, 1, 16, 32)), {}),
    (np.zeros((20, 20), np.float32), np.ones((5, 5), np.float32), {"mode": "wrap"}),
]


@pytest.mark.parametrize(("image", "kernel", "options"), CASES)
def test_auto_only_picks_a_method_that_takes_the_arguments(image, kernel, options):
    costs = fast.estimate_costs(image, kernel, **options)
    chosen = fast.choose_method(image, kernel, **options)
    assert chosen == min(costs, key=costs.get) and chosen != "loop"
    if chosen == "separable":
        assert np.ndim(kernel) == 2 and fast.separable_factors(kernel) is not None
    if chosen == "compiled":
        assert fast.numba_available()
    expected = helpers.correlate2d(image, kernel, method="shift", **options)
    np.testing.assert_allclose(helpers.correlate2d(image, kernel, **options), expected, atol=1e-9)
    # every candidate the model prices can in fact take these arguments
    for method in costs:
        helpers.correlate2d(image, kernel, method=method, **options)


def test_auto_prefers_what_the_cost_model_says():
    assert fast.choose_method(np.zeros((512, 512)), np.random.default_rng(0).random((31, 31))) == "fft"
    assert fast.choose_method(np.zeros((512, 512)), np.ones((15, 15))) in ("separable", "fft")
    # numba's start-up (COST_NS['numba_start']) is only worth paying for a large image; once paid, it is free
    small = fast.choose_method(np.zeros((8, 8)), helpers.KERNELS["sharpen"])
    assert small == ("compiled" if fast._numba_ready() else "shift")


def test_im2col_in_blocks_equals_one_block_and_reports_its_size():
    rng = np.random.default_rng(6)
    image, kernel = rng.standard_normal((1, 37, 29, 2)), rng.standard_normal((3, 5, 2, 3))
    padded, _, _, out_shape, s, d = helpers.convolution._pad_for_window(image, (3, 5), "same", "constant", 0, 1, 1)
    one = fast._im2col(padded, kernel, out_shape, s, d)
    blocks = fast._im2col(padded, kernel, out_shape, s, d, block_bytes=1)  # one output row at a time
    np.testing.assert_allclose(blocks, one, rtol=0, atol=1e-12)
    assert fast.im2col_bytes(out_shape, kernel.shape, 8) == 37 * 29 * 3 * 5 * 2 * 8
