"""Six ways to compute the same cross-correlation, and a rule that picks one.

``helpers.correlate2d(image, kernel, method=...)`` calls :func:`correlate`
here. Every method computes the sum of ``notebooks/02``'s double loop; they
differ only in how the work is arranged, which is what
``07_making_it_fast`` measures.

=========== ========================================================== =========================
method      how                                                        cost per output pixel
=========== ========================================================== =========================
'loop'      notebook 02's two Python loops, one pixel at a time         k² taps, in Python
'shift'     one NumPy pass per tap: add the kernel weight times the     k² passes over the image
            image shifted under that tap
'compiled'  the two loops compiled by numba, rows spread over threads,  k² multiply-adds, in SIMD
            a contiguous inner loop the compiler vectorises
'im2col'    every window as one row of a patch matrix, times the        k² copies, then a GEMM
            kernel as a column (what frameworks call lowering to GEMM)
'fft'       multiply the Fourier transforms (convolution theorem),      ~ log2(pixels), any k
            padded so the result is linear, not circular
'separable' a rank-1 kernel as a column pass then a row pass            2k taps
=========== ========================================================== =========================

Borders, stride and dilation come from one place for every method:
``helpers._window._pad_for_window`` pads the image (so each method sees
a ``'valid'`` correlation of the padded image) and works out the output size.

Dtypes: when both image and kernel are float32, every method but ``'loop'``
computes and returns float32, within ``1e-4`` of the float64 result relative
to the output's largest absolute value. Anything else is computed in float64.
numba, the compiler behind ``'compiled'``, is imported only when that method
runs (or when ``'auto'`` chooses it), never by ``import helpers``.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from collections.abc import Callable
from functools import cache, partial

import numpy as np

from helpers._checks import as_pair, as_real_array, check_ndim
from helpers._window import Padding, _pad_for_window, _squeeze, _taps

__all__ = [
    "METHODS",
    "choose_method",
    "correlate",
    "estimate_costs",
    "im2col_bytes",
    "numba_available",
    "separable_factors",
]

#: The methods :func:`correlate` accepts, besides ``'auto'``.
METHODS = ("loop", "shift", "compiled", "im2col", "fft", "separable")

#: Rough time per unit of work on a 2-core x86 machine, in nanoseconds, for
#: the cost model of ``'auto'`` (see :func:`estimate_costs`). Only their
#: ratios matter: they decide which method wins, not how long it takes.
COST_NS = {
    "shift": 1.0,  # per output pixel, tap and channel pair: two NumPy passes
    "compiled": 0.15,  # per multiply-add in the compiled loop (SIMD, 2 threads)
    "im2col_copy": 4.0,  # per element copied into the patch matrix (strided reads, a large write)
    "gemm": 0.05,  # per multiply-add in the matrix product (BLAS)
    "fft": 0.7,  # per padded pixel per log2(pixels), per transform
    "numba_start": 3e8,  # importing numba and loading the compiled loops from its cache, once
}
#: ``'compiled'`` spreads rows over threads from this many multiply-adds on.
PARALLEL_WORK = 2**22
#: The largest patch matrix ``'im2col'`` builds at once; larger outputs are
#: done in row blocks so that memory stays bounded.
IM2COL_BLOCK_BYTES = 128 * 2**20
#: ``'separable'`` takes a kernel as rank 1 when its second singular value is
#: below this fraction of the first.
SEPARABLE_RTOL = 1e-10


# --------------------------------------------------------------------------
# The entry point


def correlate(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    method: str = "auto",
    padding: Padding = "same",
    mode: str = "constant",
    cval: float = 0.0,
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
    threads: bool = True,
) -> np.ndarray:
    """Cross-correlate with the chosen method; the body of ``helpers.correlate2d``.

    Parameters
    ----------
    image, kernel, padding, mode, cval, stride, dilation
        As in :func:`helpers.correlate2d`.
    method : {'auto', 'loop', 'shift', 'compiled', 'im2col', 'fft', 'separable'}, optional
        How to compute it; see the module's table. ``'auto'`` asks
        :func:`choose_method`. ``'separable'`` falls back to the method
        ``'auto'`` would pick among the others when a kernel is not rank 1.
    threads : bool, optional
        Let ``'compiled'`` spread rows over threads; pass False from code
        that already runs many correlations at once (Dask's chunks).

    Returns
    -------
    numpy.ndarray
        float32 when image and kernel are both float32 (except with
        ``'loop'``), float64 otherwise.

    Raises
    ------
    ValueError
        An unknown method, or arguments the method cannot take (the message
        names a method that can).
    ImportError
        ``method='compiled'`` without numba installed.

    Examples
    --------
    >>> image = np.arange(25.0).reshape(5, 5)
    >>> box = np.ones((3, 3))
    >>> results = [correlate(image, box, method=m) for m in METHODS]
    >>> all(np.allclose(r, results[0]) for r in results)
    True
    >>> correlate(image, box, method="loop", stride=2)
    Traceback (most recent call last):
        ...
    ValueError: method='loop' is notebook 02's loop: it takes stride 1 only; method='shift' or 'auto' take stride=2
    """
    if method != "auto" and method not in METHODS:
        raise ValueError(f"method must be 'auto' or one of {METHODS}, got {method!r}")
    if method == "loop":
        return _loop(image, kernel, padding=padding, mode=mode, cval=cval, stride=stride, dilation=dilation)
    batch, weights, squeeze = _prepare(image, kernel)
    padded, _, _, out_shape, s, d = _pad_for_window(
        batch, weights.shape[:2], padding, mode, cval, stride, dilation, out_channels=weights.shape[3]
    )
    if method == "auto":
        method = _choose(batch.shape, padded.shape, weights, out_shape)
    if method == "separable":
        factors = _factors_hwio(weights)
        if factors is None:
            method = _choose(batch.shape, padded.shape, weights, out_shape, exclude=("separable",))
        else:
            output = _separable(padded, factors, out_shape, s, d, threads=threads)
            return _squeeze(output, squeeze)
    if method == "compiled":
        return _squeeze(_compiled(padded, weights, out_shape, s, d, threads=threads), squeeze)
    output = _ENGINES[method](padded, weights, out_shape, s, d)
    return _squeeze(output, squeeze)


def numba_available() -> bool:
    """Whether numba can be imported (``'compiled'`` needs it), without importing it.

    >>> isinstance(numba_available(), bool)
    True
    """
    return "numba" in sys.modules or importlib.util.find_spec("numba") is not None


# --------------------------------------------------------------------------
# Preparing the arrays


def _compute_dtype(pixels: np.ndarray, weights: np.ndarray) -> type:
    if pixels.dtype == np.float32 and weights.dtype == np.float32:
        return np.float32
    return np.float64


def _prepare(image: object, kernel: object) -> tuple[np.ndarray, np.ndarray, str | bool]:
    """(N, H, W, C) image and (kh, kw, C, O) kernel in the dtype of the computation."""
    pixels = as_real_array(image, "image")
    weights = as_real_array(kernel, "kernel")
    dtype = _compute_dtype(pixels, weights)
    check_ndim(pixels, "image", (2, 3, 4), "(H, W), (H, W, C_in) or a batch (N, H, W, C_in)")
    if pixels.ndim == 2:
        check_ndim(weights, "kernel", (2,), "a 2-D kernel (kh, kw) for a 2-D image")
        batch = pixels[np.newaxis, :, :, np.newaxis].astype(dtype, copy=False)
        return batch, weights[:, :, np.newaxis, np.newaxis].astype(dtype), "2d"
    check_ndim(
        weights,
        "kernel",
        (4,),
        "a 4-D kernel (kh, kw, C_in, C_out) for an image with channels; "
        "to filter each channel on its own use depthwise_correlate2d",
    )
    batch = pixels[np.newaxis] if pixels.ndim == 3 else pixels
    if weights.shape[2] != batch.shape[3]:
        raise ValueError(
            f"kernel has {weights.shape[2]} input channels (axis 2) but image has {batch.shape[3]} channels"
        )
    return batch.astype(dtype, copy=False), weights.astype(dtype), "3d" if pixels.ndim == 3 else False


# --------------------------------------------------------------------------
# 'loop': notebook 02's double loop


def _loop(image: object, kernel: object, **options: object) -> np.ndarray:
    allowed = {"padding": "same", "mode": "constant", "cval": 0.0, "stride": 1, "dilation": 1}
    for name, default in allowed.items():
        value = options[name]
        if name in ("stride", "dilation") and as_pair(value, name, minimum=1) == (1, 1):
            continue
        if value != default:
            raise ValueError(
                f"method='loop' is notebook 02's loop: it takes {name} {default!r} only; "
                f"method='shift' or 'auto' take {name}={value!r}"
            )
    pixels = as_real_array(image, "image")
    if pixels.ndim != 2:
        raise ValueError(
            "method='loop' is notebook 02's loop: it takes one 2-D image (H, W); "
            f"method='shift' or 'auto' take images of shape {pixels.shape}"
        )
    weights = as_real_array(kernel, "kernel")
    if weights.ndim == 2 and (weights.shape[0] % 2 == 0 or weights.shape[1] % 2 == 0):
        raise ValueError(
            f"method='loop' is notebook 02's loop: it takes odd kernel sizes only; "
            f"method='shift' or 'auto' take a kernel of shape {weights.shape}"
        )
    check_ndim(weights, "kernel", (2,), "a 2-D kernel (kh, kw) for a 2-D image")
    batch = pixels[np.newaxis, :, :, np.newaxis].astype(np.float64)
    padded, kh, kw, (_, height, width), _, _ = _pad_for_window(batch, weights.shape, "same", "constant", 0.0, 1, 1)
    padded, weights = padded[0, :, :, 0], weights.astype(np.float64)
    # notebook 02's loop (helpers.correlate2d_loop), on the image padded above
    output = np.zeros((height, width), dtype=np.float64)
    for i in range(height):
        for j in range(width):
            output[i, j] = np.sum(padded[i : i + kh, j : j + kw] * weights)
    return output


# --------------------------------------------------------------------------
# 'shift': one pass per tap over shifted views


def _shift(padded: np.ndarray, weights: np.ndarray, out_shape: tuple, s: tuple, d: tuple) -> np.ndarray:
    """Sum over taps of (kernel weight) x (the image shifted under that tap), accumulated in place."""
    kh, kw, c_in, c_out = weights.shape
    output = np.zeros((*out_shape, c_out), dtype=padded.dtype)
    if c_in == 1 and c_out == 1:
        # drop the channel axis so every pass runs over plain rows, and reuse one scratch array
        flat_out, scratch = output[..., 0], np.empty(out_shape, dtype=padded.dtype)
        for u, v, window in _taps(padded, kh, kw, out_shape[1:], s, d):
            np.multiply(window[..., 0], weights[u, v, 0, 0], out=scratch)
            flat_out += scratch
        return output
    scratch = np.empty_like(output)
    for u, v, window in _taps(padded, kh, kw, out_shape[1:], s, d):
        np.matmul(window, weights[u, v], out=scratch)
        output += scratch
    return output


# --------------------------------------------------------------------------
# 'compiled': the two loops, compiled by numba


@cache
def _compiled_loops() -> tuple[Callable, Callable]:
    """Compile (or load from numba's cache) the parallel and the serial loop; imports numba."""
    try:
        from helpers import _compiled
    except ImportError:  # pragma: no cover - numba is in requirements.txt
        raise ImportError(
            "method='compiled' needs numba (pip install numba==0.68.1); method='shift', 'fft' or 'auto' work without it"
        ) from None
    return _compiled.correlate_rows_parallel, _compiled.correlate_rows_serial


def _compiled(
    padded: np.ndarray, weights: np.ndarray, out_shape: tuple, s: tuple, d: tuple, *, threads: bool = True
) -> np.ndarray:
    parallel, serial = _compiled_loops()
    # waking threads costs more than a small image: below about 4 million multiply-adds, one thread
    work = math.prod(out_shape) * weights.size
    loops = parallel if threads and work >= PARALLEL_WORK else serial
    output = np.zeros((*out_shape, weights.shape[3]), dtype=padded.dtype)
    if weights.shape[2:] == (1, 1):  # one channel: 3-D arrays, so the inner loop is over contiguous memory
        image, kernel, target = padded[..., 0], weights[:, :, 0, 0], output[..., 0]
    else:
        image, kernel, target = padded, weights, output
    loops(np.ascontiguousarray(image), np.ascontiguousarray(kernel), target, s[0], s[1], d[0], d[1])
    return output


# --------------------------------------------------------------------------
# 'im2col': lower the correlation to one matrix product


def im2col_bytes(out_shape: tuple[int, int, int], kernel_shape: tuple[int, int, int, int], itemsize: int) -> int:
    """Bytes of the full patch matrix: one row per output pixel, one column per tap and input channel.

    Examples
    --------
    >>> im2col_bytes((1, 2048, 2048), (15, 15, 1, 1), 4) / 2**30  # GiB for float32
    3.515625
    """
    n, out_h, out_w = out_shape
    kh, kw, c_in, _ = kernel_shape
    return n * out_h * out_w * kh * kw * c_in * itemsize


def _im2col(
    padded: np.ndarray,
    weights: np.ndarray,
    out_shape: tuple,
    s: tuple,
    d: tuple,
    *,
    block_bytes: int = IM2COL_BLOCK_BYTES,
) -> np.ndarray:
    kh, kw, c_in, c_out = weights.shape
    n_images, out_h, out_w = out_shape
    # the kernel as a (C_out, kh * kw * C_in) matrix, columns ordered (u, v, c) like the patch rows
    matrix = weights.reshape(kh * kw * c_in, c_out).T
    output = np.empty((*out_shape, c_out), dtype=padded.dtype)
    row_bytes = out_w * kh * kw * c_in * padded.itemsize
    rows_per_block = max(1, block_bytes // row_bytes)
    for n in range(n_images):
        for top in range(0, out_h, rows_per_block):
            rows = min(rows_per_block, out_h - top)
            # the patch matrix, one block: row (u, v, c) holds what tap (u, v) sees in channel c at every
            # output pixel, so each tap is one contiguous copy (the layout Caffe's im2col uses)
            patches = np.empty((kh, kw, c_in, rows, out_w), dtype=padded.dtype)
            for u, v, window in _taps(padded[n : n + 1, top * s[0] :], kh, kw, (rows, out_w), s, d):
                patches[u, v] = np.moveaxis(window[0], -1, 0)
            product = matrix @ patches.reshape(kh * kw * c_in, rows * out_w)  # (C_out, pixels)
            output[n, top : top + rows] = product.T.reshape(rows, out_w, c_out)
    return output


# --------------------------------------------------------------------------
# 'fft': the convolution theorem


def _fft(padded: np.ndarray, weights: np.ndarray, out_shape: tuple, s: tuple, d: tuple) -> np.ndarray:
    """Valid correlation of the padded image by multiplying spectra.

    Correlating with ``k`` is convolving with ``k`` turned by 180 degrees. A
    circular convolution of length ``L >= padded size`` equals the linear one
    at every position where the kernel fits inside the image, which is all
    that a valid correlation keeps, so no wrapped-around value reaches the
    output.
    """
    import scipy.fft

    kh, kw, c_in, c_out = weights.shape
    ext_h, ext_w = d[0] * (kh - 1) + 1, d[1] * (kw - 1) + 1
    spread = np.zeros((ext_h, ext_w, c_in, c_out), dtype=weights.dtype)
    spread[:: d[0], :: d[1]] = weights  # dilation: zeros between the taps
    turned = spread[::-1, ::-1]
    height, width = padded.shape[1:3]
    lengths = (scipy.fft.next_fast_len(height, real=True), scipy.fft.next_fast_len(width, real=True))
    image_spectrum = scipy.fft.rfft2(padded, s=lengths, axes=(1, 2))
    kernel_spectrum = scipy.fft.rfft2(turned, s=lengths, axes=(0, 1))
    product = np.einsum("nhwc,hwco->nhwo", image_spectrum, kernel_spectrum)
    full = scipy.fft.irfft2(product, s=lengths, axes=(1, 2))
    _, out_h, out_w = out_shape
    rows = slice(ext_h - 1, ext_h - 1 + s[0] * (out_h - 1) + 1, s[0])
    cols = slice(ext_w - 1, ext_w - 1 + s[1] * (out_w - 1) + 1, s[1])
    return np.ascontiguousarray(full[:, rows, cols, :], dtype=padded.dtype)


# --------------------------------------------------------------------------
# 'separable': a rank-1 kernel as two 1-D passes


def separable_factors(kernel: np.ndarray, *, rtol: float = SEPARABLE_RTOL) -> tuple[np.ndarray, np.ndarray] | None:
    """Split a 2-D kernel into ``column[:, None] * row[None, :]``, or return None.

    The rank test is the singular value decomposition: the kernel is rank 1
    when its second singular value is below ``rtol`` times the first. The
    factors are then taken from the kernel's own largest entry (its column
    and its row divided by that entry), so integer kernels such as Sobel
    split into integers and give exact results.

    Parameters
    ----------
    kernel : array_like, shape (kh, kw)
    rtol : float, optional
        How close to rank 1 counts as rank 1.

    Returns
    -------
    (column, row) or None
        None when the kernel is not rank 1 within ``rtol``, or when the
        factors do not rebuild it to within ``rtol`` of its largest entry.

    Examples
    --------
    >>> column, row = separable_factors([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])  # Sobel
    >>> column, row
    (array([1., 2., 1.]), array([-1.,  0.,  1.]))
    >>> separable_factors([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]) is None  # sharpen: rank 3
    True
    """
    weights = as_real_array(kernel, "kernel").astype(np.float64)
    check_ndim(weights, "kernel", (2,), "a 2-D kernel (kh, kw)")
    singular = np.linalg.svd(weights, compute_uv=False)
    if singular[0] == 0 or (len(singular) > 1 and singular[1] > rtol * singular[0]):
        return None
    i, j = np.unravel_index(np.argmax(np.abs(weights)), weights.shape)
    column = weights[:, j].copy()
    row = weights[i, :] / weights[i, j]
    if np.max(np.abs(np.outer(column, row) - weights)) > rtol * np.max(np.abs(weights)):
        return None
    if column[np.argmax(np.abs(column))] < 0:
        column, row = -column, -row  # the product is unchanged
    return column + 0.0, row + 0.0  # + 0.0 turns -0.0 into 0.0


def _factors_hwio(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    if weights.shape[2:] != (1, 1) or min(weights.shape[:2]) == 1:
        return None
    factors = separable_factors(weights[:, :, 0, 0].astype(np.float64))
    if factors is None:
        return None
    column, row = factors
    return column.astype(weights.dtype), row.astype(weights.dtype)


def _separable(
    padded: np.ndarray, factors: tuple, out_shape: tuple, s: tuple, d: tuple, *, threads: bool = True
) -> np.ndarray:
    column, row = factors
    n_images, out_h, out_w = out_shape
    passes = n_images * out_h * (padded.shape[2] * len(column) + out_w * len(row))
    if _separable_compiled_cost(passes) < COST_NS["shift"] * passes:
        engine = partial(_compiled, threads=threads)
    else:
        engine = _shift
    # down the columns first, only on the rows the output keeps, then along the rows
    tall = engine(padded, column[:, None, None, None], (n_images, out_h, padded.shape[2]), (s[0], 1), (d[0], 1))
    return engine(tall, row[None, :, None, None], out_shape, (1, s[1]), (1, d[1]))


_ENGINES: dict[str, Callable] = {"shift": _shift, "compiled": _compiled, "im2col": _im2col, "fft": _fft}


# --------------------------------------------------------------------------
# 'auto': a small cost model


def _numba_ready() -> bool:
    """numba is loaded and the loops are compiled: using them costs nothing extra."""
    return _compiled_loops.cache_info().currsize > 0


def _separable_compiled_cost(passes: int) -> float:
    if not numba_available():
        return math.inf
    return COST_NS["compiled"] * passes + (0.0 if _numba_ready() else COST_NS["numba_start"])


def _costs(
    batch_shape: tuple, padded_shape: tuple, weights: np.ndarray, out_shape: tuple, exclude: tuple = ()
) -> dict[str, float]:
    """Estimated nanoseconds per method: (units of work) x (COST_NS of that unit), see estimate_costs.

    ``outputs`` is every output value of one output channel; with channels
    each tap is a (C_in x C_out) multiply-add. im2col pays for copying each
    tap once per input channel, then for the matrix product. The FFT
    transforms each image channel, each output channel back, and each kernel
    slice, at the padded size. Methods that cannot take the arguments are
    left out, so ``min`` over the result is always a method that works.
    """
    kh, kw, c_in, c_out = weights.shape
    outputs = math.prod(out_shape)
    taps = kh * kw
    costs = {"shift": COST_NS["shift"] * outputs * taps * c_in * c_out}
    if numba_available():
        start = 0.0 if _numba_ready() else COST_NS["numba_start"]
        costs["compiled"] = COST_NS["compiled"] * outputs * taps * c_in * c_out + start
    costs["im2col"] = COST_NS["im2col_copy"] * outputs * taps * c_in + COST_NS["gemm"] * outputs * taps * c_in * c_out
    n_images, height, width = padded_shape[:3]
    transforms = n_images * (c_in + c_out) + c_in * c_out  # forward, inverse and kernel transforms
    costs["fft"] = COST_NS["fft"] * height * width * math.log2(height * width + 1) * transforms
    if _factors_hwio(weights) is not None:
        # two 1-D passes: kh taps on (out_h x padded width), then kw taps on the output
        passes = n_images * out_shape[1] * (padded_shape[2] * kh + out_shape[2] * kw)
        costs["separable"] = min(COST_NS["shift"] * passes, _separable_compiled_cost(passes))
    return {name: cost for name, cost in costs.items() if name not in exclude}


def _choose(batch_shape: tuple, padded_shape: tuple, weights: np.ndarray, out_shape: tuple, exclude=()) -> str:
    costs = _costs(batch_shape, padded_shape, weights, out_shape, exclude)
    return min(costs, key=costs.get)


def estimate_costs(image: np.ndarray, kernel: np.ndarray, **options: object) -> dict[str, float]:
    """The cost model behind ``'auto'``: estimated seconds per method for these arguments.

    Parameters
    ----------
    image, kernel : array_like
        As for :func:`helpers.correlate2d`.
    **options
        ``padding``, ``mode``, ``cval``, ``stride``, ``dilation``.

    Returns
    -------
    dict
        Method name to estimated seconds, only for the methods that can take
        these arguments (``'loop'`` is never a candidate; ``'compiled'`` only
        with numba installed; ``'separable'`` only for a rank-1 kernel). The
        model counts, per output pixel, ``k²`` taps for ``'shift'`` and
        ``'compiled'`` (the latter about 7 times cheaper each, plus numba's
        start-up, ``COST_NS['numba_start']``, until it has run once in this
        Python session), ``k²`` copies plus a matrix product for
        ``'im2col'``, ``2k`` taps for ``'separable'``, and about
        ``log2(pixels)`` per transform for ``'fft'`` whatever ``k``. Each
        count is multiplied by its cost in :data:`COST_NS`.

    Examples
    --------
    >>> costs = estimate_costs(np.zeros((64, 64)), np.ones((3, 3)))
    >>> "loop" in costs, "shift" in costs, "separable" in costs  # a box is rank 1
    (False, True, True)
    """
    batch, weights, _ = _prepare(image, kernel)
    options = {"padding": "same", "mode": "constant", "cval": 0.0, "stride": 1, "dilation": 1, **options}
    padded, _, _, out_shape, _, _ = _pad_for_window(batch, weights.shape[:2], **options, out_channels=weights.shape[3])
    return {name: cost * 1e-9 for name, cost in _costs(batch.shape, padded.shape, weights, out_shape).items()}


def choose_method(image: np.ndarray, kernel: np.ndarray, **options: object) -> str:
    """The method ``'auto'`` picks: the cheapest in :func:`estimate_costs`.

    Examples
    --------
    >>> choose_method(np.zeros((64, 64)), [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]) in ("shift", "compiled")
    True
    >>> choose_method(np.zeros((512, 512)), np.random.default_rng(0).random((31, 31)))  # 961 taps
    'fft'
    """
    costs = estimate_costs(image, kernel, **options)
    return min(costs, key=costs.get)
