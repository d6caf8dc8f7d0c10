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

from helpers._checks import as_pair, as_real_array, check_array_size, check_choice, check_ndim
from helpers.convolution import BORDER_MODES, _pad_for_window, _padding_along
from helpers.fast import METHODS, _compute_dtype, correlate

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
    kernel_shape = as_pair(
        tuple(kernel_shape) if isinstance(kernel_shape, list) else kernel_shape, "kernel_shape", minimum=1
    )
    dilation = as_pair(dilation, "dilation", minimum=1)[0]
    return tuple(_padding_along("same", 1, k, 1, dilation, "padding") for k in kernel_shape)  # type: ignore[return-value]


def tile_starts(length: int, tile: int) -> list[tuple[int, int]]:
    """(start, stop) of each tile along an axis of ``length`` pixels.

    >>> tile_starts(10, 4)
    [(0, 4), (4, 8), (8, 10)]
    """
    length = as_pair(length, "length", minimum=0)[0]
    tile = as_pair(tile, "tile", minimum=1)[0]
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
    check_choice(mode, "mode", sorted(BORDER_MODES))
    start, stop = as_pair(start, "start", minimum=-(2**63)), as_pair(stop, "stop", minimum=-(2**63))
    length = as_pair(length, "length", minimum=1)[0]
    start, stop = start[0], stop[0]
    if stop < start:
        raise ValueError(f"stop must be at least start, got start={start}, stop={stop}")
    check_array_size((stop - start,), "the indices from start to stop")
    check_array_size((length + max(-start, 0) + max(stop - length, 0),), "the padded axis")
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
    tile = as_pair(tile, "tile", minimum=1)[0]
    kernel_size = as_pair(kernel_size, "kernel_size", minimum=1)[0]
    return (tile + kernel_size - 1) ** 2 / tile**2 - 1


def _check_2d(image: object, kernel: object) -> tuple[np.ndarray, np.ndarray]:
    pixels = as_real_array(image, "image")
    check_ndim(pixels, "image", (2,), "a 2-D grayscale image (H, W) for tiling")
    weights = as_real_array(kernel, "kernel")
    check_ndim(weights, "kernel", (2,), "a 2-D kernel (kh, kw)")
    return pixels, weights


def _check_border(mode: object, cval: object) -> None:
    """Refuse a ``mode`` and ``cval`` exactly as :func:`helpers.correlate2d` does.

    It runs correlate2d's own check (the one in ``_pad_for_window``) on a
    one-pixel image, so the tiles can never accept what the whole image
    refuses, nor refuse what it accepts.
    """
    _pad_for_window(np.zeros((1, 1, 1, 1)), (1, 1), "valid", mode, cval, 1, 1)  # type: ignore[arg-type]


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
    _check_border(mode, cval)
    if not isinstance(tile, (int, np.integer)) or isinstance(tile, (bool, np.bool_)) or tile < 1:
        raise ValueError(f"tile must be a positive int, got {tile!r}")
    (top, bottom), (left, right) = halo_widths(weights.shape)
    height, width = pixels.shape
    side = min(int(tile), max(height, width))
    check_array_size((side + top + bottom, side + left + right), "a tile with its halo")
    # the dtype correlate2d computes in, so that cval is rounded as it is there
    dtype = _compute_dtype(pixels, weights)
    output = None
    for y0, y1 in tile_starts(height, tile):
        rows = border_indices(y0 - top, y1 + bottom, height, mode)
        for x0, x1 in tile_starts(width, tile):
            cols = border_indices(x0 - left, x1 + right, width, mode)
            with_halo = pixels[np.ix_(np.maximum(rows, 0), np.maximum(cols, 0))].astype(dtype)
            if mode == "constant":
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

    The image is padded by the border mode exactly as ``numpy.pad`` pads it
    in :func:`helpers.correlate2d`, for any width (rows and columns gathered
    by :func:`border_indices`; ``dask.array.pad`` differs from ``numpy.pad``
    when the padding is longer than the image), then every chunk is
    correlated together with a halo of its neighbours' pixels
    (``map_overlap``), the halos are trimmed off and the padding is cut
    away. Chunks shorter than the halo are first merged with a neighbour.
    Nothing is computed until ``.compute()`` (or ``.store``). How many
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
        Chunk size for a NumPy input, at least 1 (checked for a Dask input
        too, which keeps its own chunks).

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
    _check_border(mode, cval)
    check_choice(method, "method", ("auto", *METHODS))  # here, not when the first chunk is computed
    chunk_pair = as_pair(chunks, "chunks", minimum=1)
    if isinstance(image, da.Array):
        if image.dtype.kind not in "iuf":
            raise TypeError(f"image must hold real numbers (int or float), got a Dask array of dtype {image.dtype}")
        if 0 in image.shape:
            raise ValueError(f"image is empty (shape {image.shape})")
        check_ndim(image, "image", (2,), "a 2-D grayscale image (H, W)")
    else:
        pixels = as_real_array(image, "image")
        check_ndim(pixels, "image", (2,), "a 2-D grayscale image (H, W)")
        image = da.from_array(pixels, chunks=chunk_pair)
    # the dtype correlate2d computes in (float32 only when both are float32), so cval is rounded as it is there
    dtype = np.float32 if image.dtype == np.float32 and weights.dtype == np.float32 else np.float64
    image = image.astype(dtype)
    if method == "loop":  # notebook 02's loop always answers in float64
        dtype = np.float64
    halos = halo_widths(weights.shape)
    depth = {axis: max(halos[axis]) for axis in (0, 1)}
    # every chunk at least as long as its halo, so each chunk's halo comes from its neighbours only
    image = image.rechunk(tuple(_at_least(image.chunks[axis], depth[axis]) for axis in (0, 1)))
    check_array_size(
        tuple(max(image.chunks[axis]) + 2 * depth[axis] for axis in (0, 1)), "a chunk with its halo", itemsize=8
    )
    padded = _pad_like_numpy(image, halos, mode, cval)
    # the padding joins the first and last chunks, so the output's chunks are the image's
    padded = padded.rechunk(
        tuple(
            (halos[axis][0] + image.chunks[axis][0], *image.chunks[axis][1:-1], image.chunks[axis][-1] + halos[axis][1])
            if len(image.chunks[axis]) > 1
            else (sum(halos[axis]) + image.shape[axis],)
            for axis in (0, 1)
        )
    )

    def correlate_chunk(chunk: np.ndarray) -> np.ndarray:
        # the chunk arrives with its halo; pixels within the halo of its edge come out wrong
        # (they see zeros) and map_overlap trims them off
        return correlate(chunk, weights, method=method, threads=False)

    result = padded.map_overlap(correlate_chunk, depth=depth, boundary="none", trim=True, dtype=dtype)
    (top, _), (left, _) = halos
    return result[top : top + image.shape[0], left : left + image.shape[1]]


def _at_least(chunks: tuple[int, ...], size: int) -> tuple[int, ...]:
    """Merge neighbouring chunks until every one (but a lone one) holds at least ``size``.

    >>> _at_least((4, 4, 4, 1), 3)
    (4, 4, 5)
    >>> _at_least((1, 1, 1, 1, 1), 2)
    (2, 3)
    """
    merged: list[int] = []
    for length in chunks:
        if merged and merged[-1] < size:
            merged[-1] += length
        else:
            merged.append(length)
    if len(merged) > 1 and merged[-1] < size:
        last = merged.pop()
        merged[-1] += last
    return tuple(merged)


def _pad_like_numpy(
    image: dask.array.Array, halos: tuple[tuple[int, int], tuple[int, int]], mode: str, cval: float
) -> dask.array.Array:
    """Pad a 2-D Dask array as ``numpy.pad`` would, for any width (even past the image's length).

    ``dask.array.pad`` differs from ``numpy.pad`` when the padding is longer
    than the axis (other values, even another shape), so every mode but
    ``'constant'`` gathers rows and columns by :func:`border_indices`.
    """
    import dask.array as da

    if mode == "constant":
        # image is already in the dtype of the computation, so cval is cast as np.pad casts it in correlate2d
        return da.pad(image, halos, mode="constant", constant_values=cval)
    (top, bottom), (left, right) = halos
    height, width = image.shape
    rows = border_indices(-top, height + bottom, height, mode)
    cols = border_indices(-left, width + right, width, mode)
    return image[rows, :][:, cols]
