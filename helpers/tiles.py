"""Convolving an image too big for memory: tiles with halos, by hand and with Dask.

A tile's output pixels near its edge need input pixels from the next tile:
``(k - 1) / 2`` of them on each side for an odd ``k x k`` kernel. Reading
each tile with that border, its *halo*, and correlating with
``padding='valid'`` gives exactly the pixels the whole image would have
given. At the image's edges the halo holds what the border mode says
(``helpers.BORDER_MODES``).

:func:`correlate2d_tiled` does it by hand, one tile after another, on an
array in memory; :func:`correlate2d_dask` hands the same idea to
``dask.array.map_overlap``, which can run on a ``dask.distributed`` cluster
and on arrays that are never in memory at once. Dask is imported only by
:func:`correlate2d_dask`.

Both equal ``helpers.correlate2d`` exactly (not just closely) with
``method='shift'``, ``'compiled'`` or ``'separable'``, which compute each
output pixel with the same operations in the same order whatever the size
of the array around it. ``'fft'`` and ``'im2col'`` round differently on
arrays of different sizes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from helpers._checks import as_real_array, check_ndim
from helpers.convolution import BORDER_MODES, _padding_along
from helpers.fast import correlate

if TYPE_CHECKING:  # pragma: no cover
    import dask.array

__all__ = ["border_indices", "correlate2d_dask", "correlate2d_tiled", "halo_overhead", "halo_widths", "tile_starts"]


def halo_widths(kernel_shape: tuple[int, int], dilation: int = 1) -> tuple[tuple[int, int], tuple[int, int]]:
    """Halo (before, after) per axis: the 'same' padding a kernel needs.

    Examples
    --------
    >>> halo_widths((3, 3))
    ((1, 1), (1, 1))
    >>> halo_widths((15, 4))  # an even size puts the extra pixel after, as TensorFlow does
    ((7, 7), (1, 2))
    """
    return tuple(_padding_along("same", 1, k, 1, dilation, "padding") for k in kernel_shape)  # type: ignore[return-value]


def tile_starts(length: int, tile: int) -> list[tuple[int, int]]:
    """(start, stop) of each tile along an axis of ``length`` pixels.

    >>> tile_starts(10, 4)
    [(0, 4), (4, 8), (8, 10)]
    """
    if not isinstance(tile, (int, np.integer)) or tile < 1:
        raise ValueError(f"tile must be a positive int, got {tile!r}")
    return [(start, min(start + tile, length)) for start in range(0, length, tile)]


def border_indices(start: int, stop: int, length: int, mode: str) -> np.ndarray:
    """Indices into an axis of ``length`` for positions ``start .. stop - 1``, some outside it.

    Positions outside ``0 .. length - 1`` are mapped by the border mode, as
    ``numpy.pad`` would fill them; with ``'constant'`` they come back as -1
    (the caller puts ``cval`` there).

    Examples
    --------
    >>> for mode in ("constant", "reflect", "mirror", "nearest", "wrap"):
    ...     print(f"{mode:8}", border_indices(-3, 7, 4, mode).tolist())
    constant [-1, -1, -1, 0, 1, 2, 3, -1, -1, -1]
    reflect  [2, 1, 0, 0, 1, 2, 3, 3, 2, 1]
    mirror   [3, 2, 1, 0, 1, 2, 3, 2, 1, 0]
    nearest  [0, 0, 0, 0, 1, 2, 3, 3, 3, 3]
    wrap     [1, 2, 3, 0, 1, 2, 3, 0, 1, 2]
    """
    if mode not in BORDER_MODES:
        raise ValueError(f"mode must be one of {sorted(BORDER_MODES)}, got {mode!r}")
    positions = np.arange(start, stop)
    inside = (positions >= 0) & (positions < length)
    if mode == "constant":
        return np.where(inside, positions, -1)
    # the same rule numpy.pad uses, for any distance past the edge
    extended = np.pad(np.arange(length), (max(-start, 0), max(stop - length, 0)), mode=BORDER_MODES[mode]["numpy"])
    return extended[positions + max(-start, 0)]


def halo_overhead(tile: int, kernel_size: int) -> float:
    """Extra pixels read per tile, as a fraction of the tile: ``(t + k - 1)² / t² - 1``.

    Examples
    --------
    >>> round(halo_overhead(64, 3), 4)
    0.0635
    >>> round(halo_overhead(1024, 3), 4)
    0.0039
    """
    return (tile + kernel_size - 1) ** 2 / tile**2 - 1


def _check_2d(image: object, kernel: object) -> tuple[np.ndarray, np.ndarray]:
    pixels = as_real_array(image, "image")
    check_ndim(pixels, "image", (2,), "a 2-D grayscale image (H, W) for tiling")
    weights = as_real_array(kernel, "kernel")
    check_ndim(weights, "kernel", (2,), "a 2-D kernel (kh, kw)")
    return pixels, weights


def correlate2d_tiled(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    tile: int = 256,
    mode: str = "constant",
    cval: float = 0.0,
    method: str = "shift",
) -> np.ndarray:
    """``correlate2d(image, kernel, mode=mode, cval=cval)`` computed one tile at a time.

    Each tile is read with its halo (:func:`halo_widths`), positions past the
    image's edge taken by the border mode (:func:`border_indices`), then
    correlated with ``padding='valid'``. Memory beyond input and output: one
    tile with its halo at a time.

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (kh, kw)
    tile : int, optional
        Side of the square tiles, in output pixels.
    mode, cval
        As in :func:`helpers.correlate2d`.
    method : str, optional
        The method for each tile; see :func:`helpers.correlate2d`.

    Returns
    -------
    numpy.ndarray, shape (H, W)

    Examples
    --------
    >>> import helpers
    >>> image = np.arange(30.0).reshape(5, 6)
    >>> kernel = np.arange(9.0).reshape(3, 3)
    >>> tiled = correlate2d_tiled(image, kernel, tile=2, mode="mirror")
    >>> np.array_equal(tiled, helpers.correlate2d(image, kernel, mode="mirror", method="shift"))
    True
    """
    pixels, weights = _check_2d(image, kernel)
    (top, bottom), (left, right) = halo_widths(weights.shape)
    height, width = pixels.shape
    output = None
    for y0, y1 in tile_starts(height, tile):
        rows = border_indices(y0 - top, y1 + bottom, height, mode)
        for x0, x1 in tile_starts(width, tile):
            cols = border_indices(x0 - left, x1 + right, width, mode)
            with_halo = pixels[np.ix_(np.maximum(rows, 0), np.maximum(cols, 0))]
            if mode == "constant":
                with_halo = with_halo.astype(with_halo.dtype if with_halo.dtype.kind == "f" else np.float64)
                with_halo[rows < 0, :] = cval
                with_halo[:, cols < 0] = cval
            result = correlate(with_halo, weights, method=method, padding="valid")
            if output is None:
                output = np.empty((height, width), dtype=result.dtype)
            output[y0:y1, x0:x1] = result
    return output


def correlate2d_dask(
    image: dask.array.Array | np.ndarray,
    kernel: np.ndarray,
    *,
    mode: str = "constant",
    cval: float = 0.0,
    method: str = "auto",
    chunks: int | tuple[int, int] = 1024,
) -> dask.array.Array:
    """A lazy ``correlate2d`` of a Dask array, chunk by chunk with ``map_overlap``.

    The image is padded by the border mode (``dask.array.pad``, with the
    same ``numpy.pad`` names as :func:`helpers.correlate2d`), then every
    chunk is correlated together with a halo of its neighbours' pixels
    (``map_overlap``), the halos are trimmed off and the padding is cut
    away. Nothing is computed until ``.compute()`` (or ``.store``). How many
    chunks are in memory at once is up to the scheduler: handed the whole
    graph, Dask may generate many input chunks before it frees any, because
    each is needed by its neighbours' halos; computing one band of chunk rows
    at a time (``lazy[top : top + band].compute()``) keeps memory to a few
    bands (``benchmarks/run.py`` measures both). On a ``dask.distributed``
    cluster the same call runs on its workers.

    Parameters
    ----------
    image : dask.array.Array or array_like, shape (H, W)
        A NumPy array is wrapped with ``chunks``.
    kernel : array_like, shape (kh, kw)
    mode, cval, method
        As in :func:`helpers.correlate2d`; each chunk is computed with
        ``method`` in one thread (Dask runs the chunks in parallel).
    chunks : int or (int, int), optional
        Chunk size for a NumPy input.

    Returns
    -------
    dask.array.Array, shape (H, W)

    Examples
    --------
    >>> import helpers
    >>> image = np.random.default_rng(0).random((40, 50))
    >>> kernel = np.ones((5, 5)) / 25
    >>> lazy = correlate2d_dask(image, kernel, mode="wrap", method="shift", chunks=16)
    >>> lazy.chunks[0]
    (16, 16, 8)
    >>> np.array_equal(lazy.compute(), helpers.correlate2d(image, kernel, mode="wrap", method="shift"))
    True
    """
    import dask.array as da

    weights = as_real_array(kernel, "kernel")
    check_ndim(weights, "kernel", (2,), "a 2-D kernel (kh, kw)")
    if mode not in BORDER_MODES:
        raise ValueError(f"mode must be one of {sorted(BORDER_MODES)}, got {mode!r}")
    if mode != "constant" and cval != 0:
        raise ValueError(f"cval is only used with mode='constant', got mode={mode!r} and cval={cval!r}")
    if not isinstance(image, da.Array):
        image = da.from_array(as_real_array(image, "image"), chunks=chunks)
    check_ndim(image, "image", (2,), "a 2-D grayscale image (H, W)")
    (top, bottom), (left, right) = halo_widths(weights.shape)
    widths = ((top, bottom), (left, right))
    if mode == "constant":
        padded = da.pad(image, widths, mode="constant", constant_values=cval)
    else:
        padded = da.pad(image, widths, mode=BORDER_MODES[mode]["numpy"])
    depth = {0: max(top, bottom), 1: max(left, right)}

    def correlate_chunk(chunk: np.ndarray) -> np.ndarray:
        # the chunk arrives with its halo; pixels within the halo of its edge come out wrong
        # (they see zeros) and map_overlap trims them off
        return correlate(chunk, weights, method=method, threads=False)

    if weights.dtype == np.float32 and image.dtype == np.float32:
        dtype = np.float32
    else:
        dtype = np.float64
    result = padded.map_overlap(correlate_chunk, depth=depth, boundary="none", trim=True, dtype=dtype)
    return result[top : top + image.shape[0], left : left + image.shape[1]]
