"""Property: tiles by hand and Dask tiles equal the in-memory correlate2d exactly, whatever the border.

Hypothesis draws the image (float64, float32 or an integer dtype), the kernel
(up to larger than the image on either axis), the tile and chunk sizes (down to
one pixel, smaller than the halo), the border mode and, for ``'constant'``, a
fractional or negative ``cval``. Derandomized, so every run tries the same
cases. Dask runs with the synchronous scheduler here (tests/test_tiles.py runs
one LocalCluster).
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helpers
from helpers import tiles

MODES = sorted(helpers.BORDER_MODES)
DTYPES = [np.float64, np.float32, np.uint8, np.int16]


@st.composite
def cases(draw):
    height, width = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    # kernels from 1 tap to more than twice the image, on each axis
    kh, kw = draw(st.integers(1, 2 * height + 3)), draw(st.integers(1, 2 * width + 3))
    dtype = draw(st.sampled_from(DTYPES))
    kernel_dtype = draw(st.sampled_from([np.float64, np.float32]))
    mode = draw(st.sampled_from(MODES))
    cval = draw(st.sampled_from([0.0, 0.5, -1.0, 2.75, 300.125, -0.1])) if mode == "constant" else 0.0
    tile = draw(st.integers(1, 13))
    chunks = (draw(st.integers(1, 13)), draw(st.integers(1, 13)))
    method = draw(st.sampled_from(["shift", "compiled", "separable"]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        image = (rng.standard_normal((height, width)) * 40).astype(dtype)
    else:
        info = np.iinfo(dtype)
        image = rng.integers(max(info.min, -1000), min(info.max, 1000), (height, width), endpoint=True).astype(dtype)
    kernel = rng.standard_normal((kh, kw)).astype(kernel_dtype)
    return image, kernel, mode, cval, tile, chunks, method


@settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_tiled_and_dask_equal_the_in_memory_result_exactly(case):
    image, kernel, mode, cval, tile, chunks, method = case
    whole = helpers.correlate2d(image, kernel, mode=mode, cval=cval, method=method)
    tiled = tiles.correlate2d_tiled(image, kernel, tile=tile, mode=mode, cval=cval, method=method)
    lazy = tiles.correlate2d_dask(image, kernel, mode=mode, cval=cval, method=method, chunks=chunks)
    assert lazy.shape == whole.shape and lazy.dtype == whole.dtype
    np.testing.assert_array_equal(tiled, whole)
    np.testing.assert_array_equal(lazy.compute(scheduler="sync"), whole)
