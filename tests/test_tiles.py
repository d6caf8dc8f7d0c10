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
