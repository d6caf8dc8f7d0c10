"""Tiles with halos, by hand and with Dask: equal to the in-memory correlation, exactly, for every border mode."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import helpers
from helpers import tiles

MODES = sorted(helpers.BORDER_MODES)
EXACT_METHODS = ["shift", "compiled", "separable"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", EXACT_METHODS)
def test_tiles_by_hand_equal_the_whole_image_exactly(mode, method):
    rng = np.random.default_rng(1)
    image = rng.standard_normal((45, 38)) * 50
    for kernel in (rng.standard_normal((5, 5)), rng.standard_normal((3, 6)), helpers.gaussian_kernel(7)):
        cval = 2.5 if mode == "constant" else 0.0
        whole = helpers.correlate2d(image, kernel, mode=mode, cval=cval, method=method)
        for tile in (7, 16, 64):
            tiled = tiles.correlate2d_tiled(image, kernel, tile=tile, mode=mode, cval=cval, method=method)
            np.testing.assert_array_equal(tiled, whole, err_msg=f"tile {tile}, kernel {kernel.shape}")


@pytest.mark.parametrize("mode", MODES)
def test_dask_map_overlap_equals_the_whole_image_exactly(mode):
    rng = np.random.default_rng(2)
    image = rng.standard_normal((70, 53))
    cval = -1.0 if mode == "constant" else 0.0
    for kernel, chunks, method in [
        (rng.standard_normal((5, 5)), 16, "shift"),
        (rng.standard_normal((4, 7)), (25, 20), "compiled"),
        (np.ones((9, 9)) / 81, 30, "separable"),
    ]:
        whole = helpers.correlate2d(image, kernel, mode=mode, cval=cval, method=method)
        lazy = tiles.correlate2d_dask(image, kernel, mode=mode, cval=cval, method=method, chunks=chunks)
        assert lazy.shape == image.shape
        np.testing.assert_array_equal(lazy.compute(scheduler="threads"), whole, err_msg=f"{kernel.shape} {chunks}")


def test_dask_keeps_float32_and_runs_on_a_local_cluster():
    from dask.distributed import Client, LocalCluster

    image = np.random.default_rng(3).random((64, 80)).astype(np.float32)
    kernel = np.random.default_rng(4).random((3, 3)).astype(np.float32)
    whole = helpers.correlate2d(image, kernel, mode="nearest", method="shift")
    cluster_options = {"processes": False, "n_workers": 1, "threads_per_worker": 2, "dashboard_address": None}
    with LocalCluster(**cluster_options, silence_logs=logging.ERROR) as cluster, Client(cluster):
        lazy = tiles.correlate2d_dask(image, kernel, mode="nearest", method="shift", chunks=32)
        result = lazy.compute()
    assert lazy.dtype == result.dtype == np.float32
    np.testing.assert_array_equal(result, whole)


def test_dask_refuses_what_it_cannot_take():
    with pytest.raises(ValueError, match="mode must be one of"):
        tiles.correlate2d_dask(np.ones((8, 8)), np.ones((3, 3)), mode="edge")
    with pytest.raises(ValueError, match="cval is only used with mode='constant'"):
        tiles.correlate2d_dask(np.ones((8, 8)), np.ones((3, 3)), mode="wrap", cval=1)
    with pytest.raises(ValueError, match="image must be a 2-D grayscale image"):
        tiles.correlate2d_dask(np.ones((8, 8, 3)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="tile must be a positive int"):
        tiles.correlate2d_tiled(np.ones((8, 8)), np.ones((3, 3)), tile=0)


@pytest.mark.parametrize("mode", MODES)
def test_border_indices_fill_like_numpy_pad_even_far_past_the_edge(mode):
    row = np.arange(10.0, 15.0)
    for before, after in [(2, 2), (7, 12), (0, 3)]:
        indices = tiles.border_indices(-before, len(row) + after, len(row), mode)
        filled = np.where(indices >= 0, row[np.maximum(indices, 0)], 0.0)
        numpy_mode = helpers.BORDER_MODES[mode]["numpy"]
        np.testing.assert_array_equal(filled, np.pad(row, (before, after), mode=numpy_mode))


def test_halo_overhead_counts_the_extra_pixels_read():
    for tile, k in [(8, 3), (100, 15), (512, 31)]:
        read = len(tiles.border_indices(-(k // 2), tile + k // 2, tile, "constant")) ** 2
        assert tiles.halo_overhead(tile, k) == pytest.approx(read / tile**2 - 1)
    overheads = [tiles.halo_overhead(t, 15) for t in (16, 64, 256, 1024)]
    assert overheads == sorted(overheads, reverse=True)


# ---------------------------------------------------------------------------
# the edges (issue 24): padding longer than the image, kernels larger than it,
# chunks smaller than the halo, integer images with a fractional cval


def _both_paths(image, kernel, *, mode, cval=0.0, method="shift", tile=4, chunks=4):
    whole = helpers.correlate2d(image, kernel, mode=mode, cval=cval, method=method)
    tiled = tiles.correlate2d_tiled(image, kernel, tile=tile, mode=mode, cval=cval, method=method)
    lazy = tiles.correlate2d_dask(image, kernel, mode=mode, cval=cval, method=method, chunks=chunks)
    return whole, tiled, lazy


@pytest.mark.parametrize("mode", MODES)
def test_padding_longer_than_the_image_axis_gives_the_in_memory_result(mode):
    image = np.arange(40.0).reshape(8, 5)
    for kernel_shape in [(3, 11), (3, 13), (19, 3), (21, 17)]:
        kernel = np.random.default_rng(5).standard_normal(kernel_shape)
        whole, tiled, lazy = _both_paths(image, kernel, mode=mode)
        assert lazy.shape == whole.shape == image.shape  # mirror with (3, 11) gave (8, 4)
        np.testing.assert_array_equal(tiled, whole, err_msg=f"tiled {kernel_shape}")
        np.testing.assert_array_equal(lazy.compute(scheduler="sync"), whole, err_msg=f"dask {kernel_shape}")


@pytest.mark.parametrize("cval", [0.5, -1.0, 300.25, -0.1])
def test_an_integer_image_keeps_a_fractional_or_negative_cval(cval):
    image = np.arange(40, dtype=np.uint8).reshape(8, 5) * 6
    kernel = np.ones((3, 3))
    whole, tiled, lazy = _both_paths(image, kernel, mode="constant", cval=cval)
    np.testing.assert_array_equal(tiled, whole)
    np.testing.assert_array_equal(lazy.compute(scheduler="sync"), whole)  # cval=0.5 was off by 3.4, -1 raised


def test_a_float32_image_with_a_float64_kernel_pads_with_cval_in_float64():
    image = np.random.default_rng(6).random((9, 7)).astype(np.float32)
    whole, tiled, lazy = _both_paths(image, np.ones((3, 3)), mode="constant", cval=0.1)
    assert whole.dtype == tiled.dtype == lazy.dtype == np.float64
    np.testing.assert_array_equal(tiled, whole)  # the tile rounded cval to float32 before
    np.testing.assert_array_equal(lazy.compute(scheduler="sync"), whole)


@pytest.mark.parametrize("chunks", [1, (1, 2), (2, 1), (3, 1)])
def test_chunks_smaller_than_the_halo_give_the_in_memory_result(chunks):
    image = np.random.default_rng(7).standard_normal((11, 9))
    kernel = np.random.default_rng(8).standard_normal((7, 6))
    for mode in MODES:
        whole = helpers.correlate2d(image, kernel, mode=mode, method="shift")
        lazy = tiles.correlate2d_dask(image, kernel, mode=mode, method="shift", chunks=chunks)
        np.testing.assert_array_equal(lazy.compute(scheduler="sync"), whole, err_msg=mode)


@pytest.mark.parametrize("chunks", [0, -3, (4, 0), 2.5, True, "auto", (4,), (4, 4, 4), None])
def test_bad_chunks_are_refused_by_name(chunks):
    with pytest.raises((TypeError, ValueError), match="chunks"):
        tiles.correlate2d_dask(np.ones((8, 8)), np.ones((3, 3)), chunks=chunks)


@pytest.mark.parametrize("tile", [0, -1, 2.5, True, "4", None])
def test_bad_tiles_are_refused_by_name(tile):
    with pytest.raises(ValueError, match="tile must be a positive int"):
        tiles.correlate2d_tiled(np.ones((8, 8)), np.ones((3, 3)), tile=tile)


@pytest.mark.parametrize(
    ("mode", "cval"),
    [
        ("constant", np.nan),
        ("constant", np.inf),
        ("constant", -np.inf),
        ("wrap", 5),
        ("edge", 0),
        (["wrap"], 0),
        ("constant", "1"),
        ("constant", True),
    ],
)
def test_the_tiles_refuse_a_border_exactly_as_correlate2d_does(mode, cval):
    image, kernel = np.ones((8, 8)), np.ones((3, 3))
    with pytest.raises((TypeError, ValueError)) as in_memory:
        helpers.correlate2d(image, kernel, mode=mode, cval=cval)
    for tiled_call in (tiles.correlate2d_tiled, tiles.correlate2d_dask):
        with pytest.raises(in_memory.type) as refused:
            tiled_call(image, kernel, mode=mode, cval=cval)
        assert str(refused.value) == str(in_memory.value), tiled_call.__name__


def test_a_dask_array_of_strings_or_an_empty_one_is_refused_by_name():
    import dask.array as da

    with pytest.raises(TypeError, match="image must hold real numbers"):
        tiles.correlate2d_dask(da.from_array(np.array([["a", "b"], ["c", "d"]])), np.ones((3, 3)))
    with pytest.raises(ValueError, match="image is empty"):
        tiles.correlate2d_dask(da.zeros((0, 4)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="image must be a 2-D grayscale image"):
        tiles.correlate2d_dask(da.zeros((4, 4, 3)), np.ones((3, 3)))


def test_dask_refuses_an_unknown_method_before_computing():
    with pytest.raises(ValueError, match="method must be one of 'auto'"):
        tiles.correlate2d_dask(np.ones((8, 8)), np.ones((3, 3)), method="bogus")  # was refused only at .compute()
    with pytest.raises(TypeError, match="method must be one of"):
        tiles.correlate2d_dask(np.ones((8, 8)), np.ones((3, 3)), method=["shift"])


def test_dask_with_the_loop_declares_the_float64_it_returns():
    image = np.random.default_rng(9).random((10, 12)).astype(np.float32)
    kernel = np.ones((3, 3), dtype=np.float32)
    lazy = tiles.correlate2d_dask(image, kernel, method="loop", chunks=5)
    result = lazy.compute(scheduler="sync")
    assert lazy.dtype == result.dtype == np.float64
    np.testing.assert_allclose(result, helpers.correlate2d(image, kernel, method="loop"), rtol=1e-12)


# Hostile arguments to the small tile helpers (issue 24, second round): named, never silent, never a numpy error
@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: tiles.halo_widths((-3, 3)), ValueError, "kernel_shape must be at least 1"),
        (lambda: tiles.halo_widths((3, 3), dilation=0), ValueError, "dilation must be at least 1"),
        (lambda: tiles.halo_overhead(0, 3), ValueError, "tile must be at least 1"),
        (lambda: tiles.halo_overhead(64, 0), ValueError, "kernel_size must be at least 1"),
        (lambda: tiles.tile_starts(-5, 2), ValueError, "length must be at least 0"),
        (lambda: tiles.tile_starts(10, True), TypeError, "tile must be an int"),
        (lambda: tiles.border_indices(0, 3, 3, ["wrap"]), TypeError, "mode must be one of"),
        (lambda: tiles.border_indices(-2, 3, 0, "wrap"), ValueError, "length must be at least 1"),
        (lambda: tiles.border_indices(3, 0, 3, "wrap"), ValueError, "stop must be at least start"),
        (lambda: tiles.border_indices(-(10**12), 3, 3, "wrap"), ValueError, "over the limit"),
    ],
)
def test_tile_helpers_name_a_bad_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()
