"""'compiled' on one channel of a large image reads the image where it lies, with no padded copy.

The border comes from index arrays (which image row or column each padded one
copies, or cval) and two thin strips of padded columns. These tests hold that
path to the floats of 'shift' (which pads) in every border mode, and check
that it runs where the rule says and pads nothing when it does.
"""

from __future__ import annotations

import numpy as np
import pytest

import helpers
from helpers import _window, fast

pytest.importorskip("numba")

MODES = tuple(_window.BORDER_MODES)
OPTIONS = [
    {},
    {"stride": 2},
    {"stride": (1, 3)},
    {"dilation": (2, 3)},
    {"padding": "full"},
    {"padding": "valid", "stride": (2, 1)},
    {"padding": ((9, 0), (30, 2))},  # more padding than the image is wide, on one side only
    {"padding": "full", "stride": (2, 3), "dilation": 2},
]


@pytest.fixture
def always_unpadded(monkeypatch):
    """Send every one-channel 'compiled' call down the unpadded path, whatever its size."""
    monkeypatch.setattr(fast, "_reads_unpadded", lambda padded, shape: isinstance(padded, fast.PaddedBatch))


def _shift_then_compiled(image, kernel, monkeypatch, **options):
    shift = helpers.correlate2d(image, kernel, method="shift", **options)
    with monkeypatch.context() as patch:
        patch.setattr(_window, "_pad_to_window", lambda batch, window: pytest.fail("a padded copy was made"))
        compiled = helpers.correlate2d(image, kernel, method="compiled", **options)
    return shift, compiled


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kernel_shape", [(3, 3), (1, 1), (3, 5), (2, 4), (5, 1), (7, 2)])
def test_unpadded_compiled_gives_the_floats_of_shift(always_unpadded, monkeypatch, mode, kernel_shape):
    rng = np.random.default_rng(11)
    kernel = rng.standard_normal(kernel_shape)
    checked = 0
    for shape in [(40, 53), (5, 4), (3, 3), (1, 7)]:
        image = rng.standard_normal(shape)
        image[:3, :3] = 0.0  # zeros times negative weights: -0.0 products, which 'shift' adds to +0.0
        for options in OPTIONS:
            for cval in (0.0, 1.5, -2.0) if mode == "constant" else (0.0,):
                for dtype in (np.float64, np.float32):
                    a, b = image.astype(dtype), kernel.astype(dtype)
                    try:
                        shift, compiled = _shift_then_compiled(a, b, monkeypatch, mode=mode, cval=cval, **options)
                    except ValueError as error:  # a kernel larger than the padded image, for both methods
                        assert "larger than the padded image" in str(error)
                        continue
                    np.testing.assert_array_equal(compiled, shift, err_msg=f"{shape} {options} {cval} {dtype}")
                    np.testing.assert_array_equal(np.signbit(compiled), np.signbit(shift))
                    checked += 1
    assert checked >= 40  # most of the 64 (shape, options, dtype) cases per cval fit the image


def test_unpadded_compiled_takes_a_batch_of_one_channel_images(always_unpadded, monkeypatch):
    rng = np.random.default_rng(12)
    images, kernel = rng.standard_normal((3, 30, 41, 1)), rng.standard_normal((3, 3, 1, 1))
    for mode in MODES:
        shift, compiled = _shift_then_compiled(images, kernel, monkeypatch, mode=mode, stride=(1, 2))
        np.testing.assert_array_equal(compiled, shift)


def test_unpadded_compiled_on_threads_matches_one_thread(always_unpadded):
    # over PARALLEL_WORK, so the rows are spread over numba's threads
    rng = np.random.default_rng(13)
    image, kernel = rng.random((700, 900)), rng.standard_normal((3, 3))
    assert 700 * 900 * 9 >= fast.PARALLEL_WORK
    parallel = helpers.correlate2d(image, kernel, method="compiled", mode="reflect")
    serial = fast.correlate(image, kernel, method="compiled", mode="reflect", threads=False)
    np.testing.assert_array_equal(parallel, serial)
    np.testing.assert_array_equal(parallel, helpers.correlate2d(image, kernel, method="shift", mode="reflect"))


def test_the_rule_reads_large_images_with_small_kernels_unpadded():
    def unpadded(shape, kernel_hw, dtype=np.float32, **options):
        batch = np.zeros((1, *shape, 1), dtype=dtype)
        window = _window._plan_window(batch, kernel_hw, "same", "constant", 0.0, 1, 1, **options)
        return fast._reads_unpadded(fast.PaddedBatch(batch, window), (*kernel_hw, 1, 1))

    assert unpadded((1024, 1024), (3, 3))  # 4 MiB
    assert unpadded((1024, 512), (5, 5))  # 2 MiB: 4 border columns x 25 taps = 100 sums a row, of 512
    assert not unpadded((1023, 512), (3, 3))  # under UNPADDED_MIN_BYTES: the copy costs less
    assert unpadded((724, 724), (3, 3), dtype=np.float64)  # the threshold is in bytes
    assert not unpadded((2048, 2048), (15, 15))  # 14 border columns x 225 taps = 3150 sums a row, over 2048
    assert unpadded((4096, 4096), (15, 15))
    assert not fast._reads_unpadded(np.zeros((1, 1030, 1030, 1)), (3, 3, 1, 1))  # already padded
    batch = np.zeros((1, 1024, 1024, 2))
    window = _window._plan_window(batch, (3, 3), "same", "constant", 0.0, 1, 1)
    assert not fast._reads_unpadded(fast.PaddedBatch(batch, window), (3, 3, 2, 1))  # channels: padded


def test_a_large_image_is_correlated_without_a_padded_copy(monkeypatch):
    rng = np.random.default_rng(14)
    image, kernel = rng.random((740, 720), dtype=np.float32), rng.standard_normal((3, 3)).astype(np.float32)
    assert image.nbytes >= fast.UNPADDED_MIN_BYTES  # the size at which the rule reads it in place
    for mode in ("constant", "wrap"):
        shift, compiled = _shift_then_compiled(image, kernel, monkeypatch, mode=mode)
        np.testing.assert_array_equal(compiled, shift)


def test_source_indices_give_the_values_every_padding_holds():
    rng = np.random.default_rng(15)
    for mode in MODES:
        cval = 7.5 if mode == "constant" else 0.0
        for height, width in [(1, 1), (2, 3), (5, 4)]:
            batch = rng.standard_normal((1, height, width, 1))
            for rows, cols in [((0, 0), (0, 0)), ((1, 2), (3, 0)), ((9, 11), (12, 10))]:
                window = _window._plan_window(batch, (1, 1), (rows, cols), mode, cval, 1, 1)
                padded = _window._pad_to_window(batch, window)[0, :, :, 0]
                r = _window._source_indices(height, *rows, mode)
                c = _window._source_indices(width, *cols, mode)
                expected = np.where(
                    (r[:, None] >= 0) & (c[None, :] >= 0), batch[0, np.maximum(r, 0)][:, np.maximum(c, 0), 0], cval
                )
                np.testing.assert_array_equal(padded, expected, err_msg=f"{mode} {rows} {cols}")


def test_a_padded_batch_pads_once_and_only_when_asked():
    batch = np.arange(6.0).reshape(1, 2, 3, 1)
    window = _window._plan_window(batch, (3, 3), "same", "reflect", 0.0, 1, 1)
    padded = _window.PaddedBatch(batch, window)
    assert padded.shape == (1, 4, 5, 1) and padded.itemsize == 8 and padded.dtype == np.float64
    assert padded._array is None  # sizing it made no copy
    array = np.asarray(padded)
    assert array is padded.array()  # padded once, then kept
    expected, *_ = _window._pad_for_window(batch, (3, 3), "same", "reflect", 0.0, 1, 1)
    np.testing.assert_array_equal(array, expected)
    assert np.asarray(padded, dtype=np.float32).dtype == np.float32
    copied = np.array(padded, copy=True)  # asked for a copy, gets one: the kept array is not handed out
    assert copied is not array and not np.shares_memory(copied, array)


def test_separable_passes_read_the_image_in_place_with_the_floats_of_shift(always_unpadded):
    # the column pass of 'separable' runs the compiled loop on the unpadded image, over every padded column
    rng = np.random.default_rng(16)
    image = rng.standard_normal((37, 45))
    factors = (rng.standard_normal(5), rng.standard_normal(3))
    for mode in MODES:
        for options in ({}, {"stride": 2}, {"dilation": (2, 1)}, {"padding": "full"}):
            batch = image[None, :, :, None]
            window = _window._plan_window(
                batch,
                (5, 3),
                options.get("padding", "same"),
                mode,
                0.0,
                options.get("stride", 1),
                options.get("dilation", 1),
            )
            results = [
                fast._separable(
                    _window.PaddedBatch(batch, window), factors, window.out_shape, window.s, window.d, engine=engine
                )
                for engine in ("compiled", "shift")
            ]
            np.testing.assert_array_equal(results[0], results[1], err_msg=f"{mode} {options}")
