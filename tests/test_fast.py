"""The methods of helpers.correlate2d: each one against SciPy and the formula, and what 'auto' may pick.

No timing is asserted here: speed is measured side by side in benchmarks/run.py.
"""

from __future__ import annotations

import itertools
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
    padded, _, _, out_shape, s, d = helpers._window._pad_for_window(
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


@pytest.mark.parametrize(
    ("kernel_shape", "options"),
    [
        ((5, 5), {}),  # 25 taps: three passes of eight, then one tap
        ((1, 1), {}),  # a single tap
        ((1, 3), {}),  # fewer than four taps
        ((3, 3), {}),  # eight taps and one
        ((3, 4), {"padding": "valid"}),  # eight and four
        ((3, 5), {"padding": "valid", "dilation": 2}),  # eight, four and three
        ((3, 3), {"stride": 2}),  # the strided loop
        ((3, 3), {"stride": (1, 3)}),
    ],
)
def test_compiled_and_shift_give_identical_floats_for_one_channel(kernel_shape, options):
    rng = np.random.default_rng(4)
    image, kernel = rng.standard_normal((64, 70)), rng.standard_normal(kernel_shape)
    image[:8, :8] = 0.0  # zeros times negative weights: -0.0 products, which 'shift' adds to +0.0
    for dtype in (np.float64, np.float32):
        a, b = image.astype(dtype), kernel.astype(dtype)
        compiled = helpers.correlate2d(a, b, method="compiled", **options)
        shift = helpers.correlate2d(a, b, method="shift", **options)
        np.testing.assert_array_equal(compiled, shift)
        np.testing.assert_array_equal(np.signbit(compiled), np.signbit(shift))


@pytest.mark.parametrize("method", EVERYTHING_BUT_LOOP)
def test_float32_stays_float32_within_1e_4(method):
    rng = np.random.default_rng(5)
    image = rng.random((50, 60)).astype(np.float32) * 255
    kernel = rng.standard_normal((7, 7)).astype(np.float32)
    got = helpers.correlate2d(image, kernel, method=method, mode="reflect")
    exact = ndimage.correlate(image.astype(np.float64), kernel.astype(np.float64), mode="reflect")
    assert got.dtype == np.float32
    scale = np.abs(image).max() * np.abs(kernel).sum()  # the bound the fast module documents
    np.testing.assert_allclose(got, exact, rtol=0, atol=1e-4 * scale)
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
    padded, _, _, out_shape, s, d = helpers._window._pad_for_window(image, (3, 5), "same", "constant", 0, 1, 1)
    one = fast._im2col(padded, kernel, out_shape, s, d)
    blocks = fast._im2col(padded, kernel, out_shape, s, d, block_bytes=1)  # one output row at a time
    np.testing.assert_allclose(blocks, one, rtol=0, atol=1e-12)
    assert fast.im2col_bytes(out_shape, kernel.shape, 8) == 37 * 29 * 3 * 5 * 2 * 8


# --------------------------------------------------------------------------
# Issue 24: the edges of the method ladder


@pytest.mark.parametrize("method", EVERYTHING_BUT_LOOP)
def test_float32_error_is_bounded_by_the_scale_not_by_the_largest_output(method):
    # a zero-mean kernel cancels the offset of 1000: outputs are small, rounding is not
    rng = np.random.default_rng(11)
    image = (1000 + rng.standard_normal((96, 96))).astype(np.float32)
    kernel = rng.standard_normal((31, 31)).astype(np.float32)
    kernel -= kernel.mean()
    got = helpers.correlate2d(image, kernel, method=method)
    exact = ndimage.correlate(image.astype(np.float64), kernel.astype(np.float64), mode="constant")
    scale = np.abs(image).max() * np.abs(kernel).sum()
    np.testing.assert_allclose(got, exact, rtol=0, atol=1e-4 * scale)


@pytest.mark.parametrize(
    ("image", "kernel"),
    [
        (np.full((64, 64), 1e33, np.float32), np.random.default_rng(0).random((31, 31)).astype(np.float32)),
        (np.pad(np.full((1, 1), 1e305), ((20, 43), (30, 33))), np.random.default_rng(1).random((15, 15))),
    ],
    ids=["float32 1e33", "float64 one 1e305 pixel"],
)
def test_fft_is_never_picked_when_it_could_overflow_and_refuses_when_asked(image, kernel):
    direct = helpers.correlate2d(image, kernel, method="shift")
    assert np.all(np.isfinite(direct))
    assert "fft" not in fast.estimate_costs(image, kernel)
    assert fast.choose_method(image, kernel) != "fft"
    np.testing.assert_allclose(helpers.correlate2d(image, kernel), direct, rtol=1e-5)
    with pytest.raises(ValueError, match=r"method='fft' cannot.*largest number.*method='\w+' can"):
        helpers.correlate2d(image, kernel, method="fft")


def test_fft_magnitude_bound_covers_the_spectrum():
    rng = np.random.default_rng(3)
    padded, weights = rng.random((1, 40, 30, 2)), rng.standard_normal((5, 5, 2, 3))
    spectrum = np.fft.rfft2(padded, axes=(1, 2))
    assert np.abs(spectrum).max() * np.abs(weights).sum(axis=(0, 1, 2)).max() <= fast.fft_magnitude_bound(
        padded, weights
    )


def test_separable_refuses_a_kernel_that_is_rank_1_only_to_1e_11():
    ramp = 1e9 + np.add.outer(np.arange(40.0), 3 * np.arange(50.0))
    sobel = helpers.KERNELS["sobel_x"] + 5e-12 * np.random.default_rng(4).standard_normal((3, 3))
    assert fast.separable_factors(sobel) is None
    got = helpers.correlate2d(ramp, sobel, method="separable", padding="valid")
    exact = ndimage.correlate(ramp, sobel)[1:-1, 1:-1]
    rounding = 9 * np.finfo(np.float64).eps * np.abs(sobel).sum() * np.abs(ramp).max()
    assert np.abs(got - exact).max() <= rounding


@pytest.mark.parametrize("method", EVERYTHING_BUT_LOOP)
@pytest.mark.parametrize("argument", ["stride", "dilation"])
def test_a_step_too_large_for_compiled_code_is_refused_by_every_method(method, argument):
    with pytest.raises(ValueError, match=f"{argument} must be at most 2147483647"):
        helpers.correlate2d(np.ones((5, 5)), np.ones((1, 1)), method=method, **{argument: 2**63})
    # the largest step allowed works, and gives one output row and column
    big = helpers.correlate2d(np.ones((5, 5)), np.ones((1, 1)), method=method, padding="valid", stride=2**31 - 1)
    assert big.shape == (1, 1)


def test_a_list_where_a_name_is_expected_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="mode must be one of"):
        helpers.correlate2d(np.ones((5, 5)), np.ones((3, 3)), mode=["wrap"])
    with pytest.raises(TypeError, match="method must be"):
        helpers.correlate2d(np.ones((5, 5)), np.ones((3, 3)), method=["shift"])


CASES_OVER_A_SMALL_LIMIT = [
    ("im2col", np.ones((31, 400)), np.ones((31, 31)) + np.eye(31), {"padding": "valid"}),
    ("fft", np.ones((40, 40, 16)), np.ones((15, 15, 16, 16)), {}),
]
# ('separable''s intermediate has out_h <= padded rows: it fits whenever the padded image does)


@pytest.mark.parametrize(("method", "image", "kernel", "options"), CASES_OVER_A_SMALL_LIMIT)
def test_work_arrays_are_under_the_size_limit_checked_before_allocating(monkeypatch, method, image, kernel, options):
    import tracemalloc

    from helpers import _checks

    limit = 2**21  # 2 MiB: these inputs and outputs fit, the method's work arrays do not
    monkeypatch.setattr(_checks, "MAX_ARRAY_BYTES", limit)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=f"method={method!r} cannot take these arguments.*over the limit"):
            helpers.correlate2d(image, kernel, method=method, **options)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        chosen = fast.choose_method(image, kernel, **options)
        assert chosen != method
        helpers.correlate2d(image, kernel, **options)  # auto picks a method that fits
        _, auto_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    padded_bytes = 8 * (image.shape[0] + 2 * kernel.shape[0]) * (image.shape[1] + 2 * kernel.shape[1])
    assert peak < padded_bytes + 2 * limit
    assert auto_peak < 4 * limit


def test_im2col_blocks_follow_a_lowered_size_limit(monkeypatch):
    import tracemalloc

    from helpers import _checks

    limit = 2**20
    monkeypatch.setattr(_checks, "MAX_ARRAY_BYTES", limit)
    rng = np.random.default_rng(12)
    image, kernel = rng.random((40, 300, 4)), rng.random((5, 5, 4, 1))  # the whole patch matrix: 9.2 MiB
    expected = helpers.correlate2d(image, kernel, method="shift")
    tracemalloc.start()
    try:
        got = helpers.correlate2d(image, kernel, method="im2col")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert fast._im2col_rows_per_block(300, kernel.shape, 8, fast._im2col_block_bytes()) == 4
    assert peak < 4 * limit


NUMBA_WITHOUT_A_CACHE = """
import warnings
import numba.core.caching as caching
caching.CacheImpl._locator_classes = []  # as on a read-only install with a read-only home
import numpy as np, helpers
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    got = helpers.correlate2d(np.ones((6, 6)), np.ones((3, 3)), method="compiled")
print(got[2, 2], any("cannot cache" in str(w.message) for w in caught))
"""


def test_compiled_works_uncached_where_numba_cannot_write_its_cache():
    result = subprocess.run(
        [sys.executable, "-c", NUMBA_WITHOUT_A_CACHE], capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["9.0", "True"]


FORK_AFTER_COMPILED = """
import multiprocessing
import numpy as np, helpers
from helpers import fast
image = np.random.default_rng(0).random((1024, 1024))
helpers.correlate2d(image, np.ones((5, 5)), method="compiled")  # over PARALLEL_WORK: the threads start
assert 1024 * 1024 * 25 >= fast.PARALLEL_WORK
with multiprocessing.get_context("fork").Pool(2) as pool:
    print(sum(pool.map(abs, range(-4, 4))))
import numba
print(numba.threading_layer())
"""


def test_a_fork_based_pool_after_compiled_does_not_hang():
    result = subprocess.run(
        [sys.executable, "-c", FORK_AFTER_COMPILED], capture_output=True, text=True, check=False, timeout=240
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.split()
    # TBB where requirements.txt installs it (x86-64 Linux and Windows), numba's 'workqueue' elsewhere
    assert lines[0] == "16" and lines[1] == ("tbb" if _tbb_installed() else "workqueue")


def _tbb_installed() -> bool:
    import importlib.metadata

    try:
        importlib.metadata.version("tbb")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def test_compiled_from_two_threads_at_once_gives_the_right_answer():
    from concurrent.futures import ThreadPoolExecutor

    image = np.random.default_rng(9).random((1024, 1024))
    expected = helpers.correlate2d(image, np.ones((5, 5)), method="shift")
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: helpers.correlate2d(image, np.ones((5, 5)), method="compiled"), range(6)))
    for got in results:
        np.testing.assert_allclose(got, expected, rtol=1e-12)


# --------------------------------------------------------------------------
# Issue 23: 'auto' and numba's start-up, by the ski-rental rule (fake costs, no clock)


def test_ski_rental_pays_once_the_missed_savings_reach_the_price_and_loses_at_most_twice():
    for price, saving, calls in [(10.0, 3.0, 2), (10.0, 3.0, 3), (10.0, 3.0, 4), (10.0, 3.0, 50), (10.0, 20.0, 5)]:
        rental, lost, started = fast.SkiRental(), 0.0, None
        for call in range(calls):
            if started is None and saving >= rental.cost_left(price):
                started, lost = call, lost + price  # pays the start-up on this call
            elif started is None:
                rental.missed(saving)
                lost += saving
        best = min(price, saving * calls)  # in hindsight: start at once, or never
        assert lost <= 2 * best
        assert started == (None if saving * calls < price and calls <= price // saving else started)
    rental = fast.SkiRental()
    for _ in range(3):
        rental.missed(3.0)
    assert rental.cost_left(10.0) == 1.0
    rental.missed(-5.0)  # a call that saved nothing misses nothing
    assert rental.cost_left(10.0) == 1.0


def _numba_not_started(monkeypatch, start_ns: float, model_ns: dict, seconds_per_call: float) -> None:
    """A process where numba has not run: a fresh ski rental, a start-up of ``start_ns``, the model's
    estimates replaced by ``model_ns``, and a fake clock by which every call takes ``seconds_per_call``."""
    monkeypatch.setattr(fast, "NUMBA_RENTAL", fast.SkiRental())
    monkeypatch.setattr(fast, "_numba_ready", lambda: False)
    monkeypatch.setattr(fast, "numba_available", lambda: True)
    monkeypatch.setitem(fast.COST_NS, "numba_start", start_ns)
    monkeypatch.setattr(fast, "_model", lambda *args: dict(model_ns))
    ticks = itertools.count(0.0, seconds_per_call)  # each reading one call's time after the last
    monkeypatch.setattr(fast, "_clock", lambda: next(ticks))


def test_auto_starts_numba_after_enough_calls_that_it_would_have_sped_up(monkeypatch):
    """numba not started; fake model: shift 10 ms, compiled 2 ms (a saving of 80 %), start-up 50 ms; a fake
    clock makes every call take 10 ms, so each call misses 8 ms: after 6 calls 48 ms, and the 7th starts numba."""
    _numba_not_started(monkeypatch, 50e6, {"shift": 10e6, "compiled": 2e6, "im2col": 1e9, "fft": 1e9}, 0.010)
    image, kernel = np.ones((8, 8)), np.eye(3) + 1
    padded, weights = np.pad(image, 1)[None, :, :, None], kernel[:, :, None, None]
    picks = []
    for _ in range(8):
        picks.append(fast._choose(padded, weights, (1, 8, 8)))
        np.testing.assert_allclose(
            helpers.correlate2d(image, kernel), helpers.correlate2d(image, kernel, method="shift")
        )
    assert picks == ["shift"] * 6 + ["compiled"] * 2
    assert fast.NUMBA_RENTAL.missed_total == pytest.approx(6 * 8e6)


def test_auto_leaves_fft_for_compiled_when_the_saving_repays_numbas_start(monkeypatch):
    """Fake model of a large image with a 15x15 kernel: fft 250 ms, compiled 100 ms (60 % saved), numba's
    start-up 700 ms; each call takes 250 ms and misses 150 ms, so after 4 calls 600 ms are missed and the
    5th starts numba. Over 10 calls that loses 600 + 700 = 1.3 s against the best in hindsight, starting at
    once, 0.7 s: within the rule's factor of 2, where staying with fft would lose 1.5 s."""
    _numba_not_started(monkeypatch, 700e6, {"shift": 1e10, "compiled": 100e6, "im2col": 1e11, "fft": 250e6}, 0.250)
    monkeypatch.setattr(fast, "_run", lambda *args: np.zeros((1, 8, 8, 1)))
    image, kernel = np.ones((8, 8)), np.eye(15) + 1
    padded, weights = np.pad(image, 7)[None, :, :, None], kernel[:, :, None, None]
    picks = []
    for _ in range(10):
        picks.append(fast._choose(padded, weights, (1, 8, 8)))
        fast.correlate(image, kernel)
    assert picks == ["fft"] * 4 + ["compiled"] * 6
    lost = fast.NUMBA_RENTAL.missed_total + 0.7e9
    assert lost == pytest.approx(1.3e9) and lost <= 2 * min(0.7e9, 10 * 150e6)


def test_the_fft_costs_more_per_pixel_once_its_transform_leaves_the_cache():
    """The model's memory term: zero while one transform fits in FFT_CACHE_BYTES, one per doubling past it."""
    fits = int(fast.FFT_CACHE_BYTES // 8)
    assert fast._doublings_past_cache(fits, 8) == 0 and fast._doublings_past_cache(fits // 4, 8) == 0
    assert fast._doublings_past_cache(4 * fits, 8) == pytest.approx(2.0)
    assert fast._doublings_past_cache(4 * fits, 4) == pytest.approx(1.0)  # float32: half the bytes
    small = fast._terms((1, 258, 258, 1), (3, 3, 1, 1), (1, 256, 256, 1), 8, False)["fft"]
    large = fast._terms((1, 2050, 2050, 1), (3, 3, 1, 1), (1, 2048, 2048, 1), 8, False)["fft"]
    assert small["fft_memory"] == 0 and large["fft_memory"] > 0


def test_the_numbers_notebook_07_quotes_follow_from_their_inputs():
    """07 quotes a GPU's measured time and its memory bound, and the benchmark's Dask image in GiB: the text
    holds the numbers, and the bound, the ratio and the sizes are what the inputs give."""
    import json
    from pathlib import Path

    notebook = Path(__file__).parent.parent / "notebooks" / "07_making_it_fast.ipynb"
    text = " ".join(" ".join(cell["source"]) for cell in json.loads(notebook.read_text())["cells"])
    text = " ".join(text.split())
    for quoted in ("0.047 ms at 2048²", "at 4.3 TB/s takes 0.008 ms", "six times", "1.5 GiB as float32 and 3 GiB"):
        assert quoted in text, quoted
    # numba's start-up and the size from which 'compiled' reads an image in place, as the helpers hold them
    assert f"once in each Python process: {fast.COST_NS['numba_start'] / 1e9:.2f} s on the machine" in text
    mebibytes = fast.UNPADDED_MIN_BYTES // 2**20
    assert f"an image of {mebibytes} MiB or more and a small kernel" in text
    assert f"From `fast.UNPADDED_MIN_BYTES` ({mebibytes} MiB) of image on" in text
    bound_ms = 2 * 2048**2 * 4 / 4.3e12 * 1e3  # read the image once, write it once, float32
    assert round(bound_ms, 3) == 0.008 and round(0.047 / bound_ms) == 6
    assert round(20000**2 * 4 / 2**30, 1) == 1.5 and round(20000**2 * 8 / 2**30) == 3
