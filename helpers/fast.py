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
``helpers._window._plan_window`` checks them and works out the padded and
output sizes, and each method sees a ``'valid'`` correlation of the padded
image. The padding is made only when a method asks for the array
(:class:`helpers._window.PaddedBatch`): ``'compiled'`` on one channel of a
large image reads the image where it lies and takes the border from index
arrays instead, saving a copy of the image (:func:`_reads_unpadded`).

Dtypes: when both image and kernel are float32, every method but ``'loop'``
computes and returns float32, within ``1e-4 * max|image| * sum|kernel|`` of
the float64 result (per output channel; ``max|image| * sum|kernel|`` is the
largest output any image of that range could give, and what rounding scales
with). It is not a bound relative to the largest output: a kernel that
cancels the image's level (zero-mean, on ``1000 + noise``) gives small
outputs with the same rounding, 9e-4 of the largest of them on a 31x31
kernel. Anything else is computed in float64.

Limits: every method's own work arrays (im2col's patch matrix block, the
FFT's spectra, separable's intermediate) are sized before they are made and
kept under :data:`helpers._checks.MAX_ARRAY_BYTES`, like the inputs: an
explicit method refuses with a ``ValueError`` naming one that fits, and
``'auto'`` only picks a method that fits. ``'fft'`` is also left out when its
intermediate sums could overflow (:func:`fft_magnitude_bound`).
numba, the compiler behind ``'compiled'``, is imported only when that method
runs (or when ``'auto'`` chooses it), never by ``import helpers``.
"""

from __future__ import annotations

import importlib.util
import math
import sys
import threading
import time
from collections.abc import Callable
from functools import cache, partial
from types import ModuleType

import numpy as np

from helpers._checks import as_pair, as_real_array, check_array_size, check_ndim
from helpers._window import PaddedBatch, Padding, _pad_for_window, _plan_window, _source_indices, _squeeze, _taps

__all__ = [
    "METHODS",
    "SkiRental",
    "choose_method",
    "correlate",
    "estimate_costs",
    "fft_magnitude_bound",
    "im2col_bytes",
    "numba_available",
    "separable_factors",
]

#: The methods :func:`correlate` accepts, besides ``'auto'``.
METHODS = ("loop", "shift", "compiled", "im2col", "fft", "separable")

#: Time per unit of work, in nanoseconds, for the cost model of ``'auto'``
#: (see :func:`estimate_costs`). Fitted by ``python benchmarks/run.py --fit``
#: (non-negative least squares on 190 runs of every method: 256² to 2048²,
#: kernels 3 to 31, 1 to 64 channels, float32 and float64; then one common
#: factor so that the median prediction equals the measurement) on a loaded
#: 2-core x86 machine with numpy/OpenBLAS and numba 0.68. There the model
#: ranked the fastest method first in 29 of 40 cases; where it did not, its
#: pick was separable's two compiled passes against the direct compiled loop
#: (at most 1.2x the fastest at 2048², 4.4x at 1024² 3x3 float64) or the
#: compiled loop against 'shift' on 128² with 3 channels (1.9x). Run it to
#: fit them to your machine and update this dict with the printed one. Each
#: unit is counted for float64; float32 work counts half (half the bytes to
#: move, twice the SIMD lanes).
COST_NS = {
    "pass": 0.296,  # per value read or written by a NumPy pass ('shift', its products and sums)
    "gemm": 0.0603,  # per multiply-add in a BLAS matrix product ('shift' with channels, 'im2col')
    "compiled": 0.286,  # per multiply-add in the compiled loops (SIMD, threads)
    "im2col_copy": 13.1,  # per value copied into the patch matrix (strided reads, a large write)
    "fft": 0.0,  # per padded pixel per log2(pixels), per transform: fitted to 0 there (the next two carry it)
    "fft_product": 77.3,  # per spectrum value and (C_in, C_out) pair: the complex multiply-add
    "fft_memory": 10.5,  # per padded pixel, per transform, per doubling of its size past FFT_CACHE_BYTES
    "numpy_call": 0.0,  # fixed overhead of one NumPy call: too small to fit there
    # importing numba, loading the compiled loops from its cache (on their first call) and starting its
    # threads (TBB's), once a process: benchmarks/run.py's numba_start_seconds, three of its medians
    # (0.466-0.472 s) on the same machine at rest (0.39-0.43 s on numba's 'workqueue' threads, one core free)
    "numba_start": 4.7e8,
}
#: ``'compiled'`` spreads rows over threads from this many multiply-adds on.
PARALLEL_WORK = 2**22
#: The largest patch matrix ``'im2col'`` builds at once; larger outputs are
#: done in row blocks so that memory stays bounded.
IM2COL_BLOCK_BYTES = 128 * 2**20
#: A transform larger than this (about a core's L2 cache) no longer fits in
#: cache: each doubling past it adds a pass over memory (``COST_NS['fft_memory']``).
FFT_CACHE_BYTES = 2**20
#: ``'fft'`` is used only while its largest possible intermediate value,
#: ``FFT_HEADROOM`` times the bound of :func:`fft_magnitude_bound`, stays
#: below the dtype's largest finite number.
FFT_HEADROOM = 4.0


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
    if not isinstance(method, str):
        raise TypeError(f"method must be 'auto' or one of {METHODS} (a string), got {method!r}")
    if method != "auto" and method not in METHODS:
        raise ValueError(f"method must be 'auto' or one of {METHODS}, got {method!r}")
    if method == "loop":
        return _loop(image, kernel, padding=padding, mode=mode, cval=cval, stride=stride, dilation=dilation)
    batch, weights, squeeze = _prepare(image, kernel)
    window = _plan_window(
        batch, weights.shape[:2], padding, mode, cval, stride, dilation, out_channels=weights.shape[3]
    )
    # padded when a method asks for the array: 'compiled' reads the image and handles the border itself
    padded, out_shape, s, d = PaddedBatch(batch, window), window.out_shape, window.s, window.d
    saving = 0.0
    if method == "auto":
        method, saving = _choose_and_saving(padded, weights, out_shape)
    else:
        _refuse_if_unusable(method, padded, weights, out_shape)
    start = _clock()
    output = _run(method, padded, weights, out_shape, s, d, threads)
    if saving:  # the ski rental: the share of this call's measured time that numba would have saved
        NUMBA_RENTAL.missed(saving * (_clock() - start) * 1e9)
    return _squeeze(output, squeeze)


def _run(method: str, padded: PaddedBatch, weights: np.ndarray, out_shape: tuple, s: tuple, d: tuple, threads: bool):
    if method == "separable":
        factors = _factors_hwio(weights)
        if factors is None:
            method = _choose(padded, weights, out_shape, exclude=("separable",))
        else:
            return _separable(padded, factors, out_shape, s, d, threads=threads)
    if method == "compiled":
        return _compiled(padded, weights, out_shape, s, d, threads=threads)
    return _ENGINES[method](np.asarray(padded), weights, out_shape, s, d)


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


_PARALLEL_LOCK = threading.Lock()


@cache
def _compiled_loops() -> ModuleType:
    """Compile (or load from numba's cache) the loops of :mod:`helpers._compiled`; imports numba."""
    try:
        from helpers import _compiled
    except ImportError:  # pragma: no cover - numba is in requirements.txt
        raise ImportError(
            "method='compiled' needs numba (pip install numba==0.68.1); method='shift', 'fft' or 'auto' work without it"
        ) from None
    return _compiled


def _plane_arguments(padded: PaddedBatch, kernel_hw: tuple, out_w: int, s: tuple, d: tuple) -> tuple:
    """What the one-channel loops read instead of a padded copy (see ``helpers._compiled.plane_rows_parallel``).

    The unpadded images (N, H, W); the two edge strips, the few padded
    columns that the output columns near the left and right borders read
    (N, H, a few columns each); for each row of the padded image, the image
    row it copies (-1 where it holds cval); a row of cvals; the left padding;
    and the output columns ``(x0, x1)`` whose taps all land on image columns.
    """
    kw = kernel_hw[1]
    window = padded.window
    image = np.ascontiguousarray(padded.batch[..., 0])
    rows = _source_indices(image.shape[1], *window.rows, window.mode)
    cols = _source_indices(image.shape[2], *window.cols, window.mode)
    left, cval = window.cols[0], window.cval
    # x0: the first x with x * s1 >= left; x1: one past the last with x * s1 + (kw - 1) * d1 < left + width
    x0 = min(-(-left // s[1]), out_w)
    x1 = max(min((left + image.shape[2] - 1 - (kw - 1) * d[1]) // s[1] + 1, out_w), x0)
    span = (kw - 1) * d[1] + 1  # padded columns one output pixel reads
    left_edge = _edge_strip(image, cols[: (x0 - 1) * s[1] + span] if x0 else cols[:0], cval)
    right_edge = _edge_strip(image, cols[x1 * s[1] : (out_w - 1) * s[1] + span] if x1 < out_w else cols[:0], cval)
    longest = max(image.shape[2], left_edge.shape[2], right_edge.shape[2])
    fill = np.full(longest, cval, dtype=image.dtype)
    return image, (left_edge, right_edge), rows, fill, left, (x0, x1)


def _edge_strip(image: np.ndarray, columns: np.ndarray, cval: float) -> np.ndarray:
    """The padded columns ``columns`` (image column indices, -1 for cval) of every row of ``image``."""
    strip = image[:, :, np.maximum(columns, 0)]
    strip[:, :, columns < 0] = cval
    return strip


#: 'compiled' reads a one-channel image without padding it first (see :func:`_reads_unpadded`) from
#: this many bytes of image on. Below it the copy is cheap while the border's pixel-by-pixel sums and
#: the extra work per row are not: at 512x512 float32, 3x3, in the benchmark's process, 0.41-0.43 ms
#: unpadded against 0.34 ms padded (in a fresh process, whose allocator still maps each array anew,
#: 0.43 against 0.83); at 1024x1024, 0.85 against 1.95; at 2048x2048, 3.4-4.2 against 6.1 (2 cores).
UNPADDED_MIN_BYTES = 2**21


def _reads_unpadded(padded: PaddedBatch | np.ndarray, kernel_shape: tuple) -> bool:
    """Whether 'compiled' reads the image itself rather than a padded copy.

    Padding copies the whole image, once more through memory than the
    correlation needs; reading the image in place instead costs a pass per
    tap over each border row, and sums pixel by pixel, not in SIMD, for the
    border columns: (padded columns) x (kernel taps) of them per row. That
    pays for one channel, an image of :data:`UNPADDED_MIN_BYTES` or more, and
    at most a row's width of those border sums per row: at 2048x2048 up to
    9x9 (15x15: 31.5 ms unpadded against 26.4 padded), at 4096x4096 up to
    15x15 (112.7 against 118.0), measured side by side on 2 cores.
    """
    if not isinstance(padded, PaddedBatch) or kernel_shape[2:] != (1, 1):
        return False
    kh, kw = kernel_shape[:2]
    width = padded.batch.shape[2]
    return padded.batch.nbytes >= UNPADDED_MIN_BYTES and sum(padded.window.cols) * kh * kw <= width


def _compiled(
    padded: PaddedBatch | np.ndarray,
    weights: np.ndarray,
    out_shape: tuple,
    s: tuple,
    d: tuple,
    *,
    threads: bool = True,
) -> np.ndarray:
    loops = _compiled_loops()
    # waking threads costs more than a small image: below about 4 million multiply-adds, one thread
    work = math.prod(out_shape) * weights.size
    if _reads_unpadded(padded, weights.shape):
        output = np.empty((*out_shape, 1), dtype=padded.dtype)  # the loop zeroes each row before its sum
        image, edges, rows, fill, left, inner = _plane_arguments(padded, weights.shape[:2], out_shape[2], s, d)
        kernel = np.ascontiguousarray(weights[:, :, 0, 0])
        arguments = (image, edges, kernel, output[..., 0], *s, *d, rows, fill, left, inner)
        parallel, serial = loops.plane_rows_parallel, loops.plane_rows_serial
    elif weights.shape[2:] == (1, 1):  # one channel: 3-D arrays, so the inner loop is over contiguous memory
        output = np.empty((*out_shape, 1), dtype=padded.dtype)  # the loop zeroes each row before its sum
        image, kernel, target = np.asarray(padded)[..., 0], weights[:, :, 0, 0], output[..., 0]
        arguments = (np.ascontiguousarray(image), np.ascontiguousarray(kernel), target, *s, *d)
        parallel, serial = loops.correlate_rows_parallel, loops.correlate_rows_serial
    else:
        output = np.zeros((*out_shape, weights.shape[3]), dtype=padded.dtype)
        arguments = (np.ascontiguousarray(padded), np.ascontiguousarray(weights), output, *s, *d)
        parallel, serial = loops.correlate_rows_parallel, loops.correlate_rows_serial
    # numba's 'workqueue' layer, its fallback where TBB is not installed, runs one parallel loop at a
    # time (see helpers._compiled): a thread that finds the lock taken runs the serial loop
    if threads and work >= PARALLEL_WORK and _PARALLEL_LOCK.acquire(blocking=False):
        try:
            parallel(*arguments)
        finally:
            _PARALLEL_LOCK.release()
    else:
        serial(*arguments)
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


def _im2col_block_bytes() -> int:
    """IM2COL_BLOCK_BYTES, or the size limit if that is lower (a test may lower it)."""
    from helpers import _checks

    return min(IM2COL_BLOCK_BYTES, _checks.MAX_ARRAY_BYTES)


def _im2col_rows_per_block(out_w: int, kernel_shape: tuple, itemsize: int, block_bytes: int) -> int:
    """Output rows per block: the patch matrix block and the product block each stay under ``block_bytes``."""
    kh, kw, c_in, c_out = kernel_shape
    row_bytes = out_w * max(kh * kw * c_in, c_out) * itemsize
    return max(1, block_bytes // row_bytes)


def _im2col(
    padded: np.ndarray,
    weights: np.ndarray,
    out_shape: tuple,
    s: tuple,
    d: tuple,
    *,
    block_bytes: int | None = None,
) -> np.ndarray:
    kh, kw, c_in, c_out = weights.shape
    n_images, out_h, out_w = out_shape
    # the kernel as a (C_out, kh * kw * C_in) matrix, columns ordered (u, v, c) like the patch rows
    matrix = weights.reshape(kh * kw * c_in, c_out).T
    output = np.empty((*out_shape, c_out), dtype=padded.dtype)
    block = _im2col_block_bytes() if block_bytes is None else block_bytes
    rows_per_block = _im2col_rows_per_block(out_w, weights.shape, padded.itemsize, block)
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
    if c_in == 1:  # one input channel: a plain product, several times faster than einsum
        product = image_spectrum * kernel_spectrum[np.newaxis, :, :, 0, :]
    else:
        product = np.einsum("nhwc,hwco->nhwo", image_spectrum, kernel_spectrum)
    full = scipy.fft.irfft2(product, s=lengths, axes=(1, 2))
    _, out_h, out_w = out_shape
    rows = slice(ext_h - 1, ext_h - 1 + s[0] * (out_h - 1) + 1, s[0])
    cols = slice(ext_w - 1, ext_w - 1 + s[1] * (out_w - 1) + 1, s[1])
    return np.ascontiguousarray(full[:, rows, cols, :], dtype=padded.dtype)


# --------------------------------------------------------------------------
# 'separable': a rank-1 kernel as two 1-D passes


def separable_factors(
    kernel: np.ndarray, *, eps: float = float(np.finfo(np.float64).eps)
) -> tuple[np.ndarray, np.ndarray] | None:
    """Split a 2-D kernel into ``column[:, None] * row[None, :]``, or return None.

    The factors are taken from the kernel's own largest entry (its column,
    and its row divided by that entry), so integer kernels such as Sobel
    split into integers and give exact results. They are accepted only when
    the part of the kernel they leave out, ``R = kernel - outer(column, row)``,
    changes no output by more than rounding already can: a direct method
    adds ``kh * kw`` products, so its rounding error can reach about
    ``kh * kw * eps * sum|kernel| * max|image|``, while dropping ``R`` changes
    an output by up to ``sum|R| * max|image|``. The rule is therefore
    ``sum|R| <= kh * kw * eps * sum|kernel|``, whatever the image. A kernel
    computed as a product of two 1-D kernels passes (its ``R`` is a few
    roundings); Sobel plus noise of 5e-12 does not, since on an image of
    1e9 the noise alone moves outputs by about 1e-2.

    Parameters
    ----------
    kernel : array_like, shape (kh, kw)
    eps : float, optional
        The unit roundoff of the computation (float64's by default; the
        ``'separable'`` method passes float32's for float32 inputs).

    Returns
    -------
    (column, row) or None
        None when the kernel is zero or not rank 1 within the rule above.

    Examples
    --------
    >>> column, row = separable_factors([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])  # Sobel
    >>> column, row
    (array([1., 2., 1.]), array([-1.,  0.,  1.]))
    >>> separable_factors([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]) is None  # sharpen: rank 3
    True
    >>> separable_factors(np.outer([1, 2, 1], [-1, 0, 1]) + 5e-12) is None  # rank 1 plus noise
    True
    """
    weights = as_real_array(kernel, "kernel").astype(np.float64)
    check_ndim(weights, "kernel", (2,), "a 2-D kernel (kh, kw)")
    total = np.abs(weights).sum()
    if total == 0:
        return None
    i, j = np.unravel_index(np.argmax(np.abs(weights)), weights.shape)
    column = weights[:, j].copy()
    row = weights[i, :] / weights[i, j]
    if np.abs(np.outer(column, row) - weights).sum() > weights.size * eps * total:
        return None
    if column[np.argmax(np.abs(column))] < 0:
        column, row = -column, -row  # the product is unchanged
    return column + 0.0, row + 0.0  # + 0.0 turns -0.0 into 0.0


def _factors_hwio(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    if weights.shape[2:] != (1, 1) or min(weights.shape[:2]) == 1:
        return None
    factors = separable_factors(weights[:, :, 0, 0].astype(np.float64), eps=float(np.finfo(weights.dtype).eps))
    if factors is None:
        return None
    column, row = factors
    return column.astype(weights.dtype), row.astype(weights.dtype)


def _separable(
    padded: np.ndarray,
    factors: tuple,
    out_shape: tuple,
    s: tuple,
    d: tuple,
    *,
    threads: bool = True,
    engine: str | None = None,
) -> np.ndarray:
    column, row = factors
    n_images, out_h, _out_w = out_shape
    shape = (padded.shape[1], padded.shape[2])
    costs = _separable_costs(n_images, shape, (len(column), len(row)), out_shape, padded.itemsize)
    if engine is None:  # the cheaper one; benchmarks/run.py --fit times each
        engine = _separable_engine({f"separable/{name}": cost for name, cost in costs.items()})
    if engine == "compiled":  # the column pass reads the image through the border's indices (see _compiled)
        engine = partial(_compiled, threads=threads)
    else:
        engine, padded = _shift, np.asarray(padded)
    # down the columns first, only on the rows the output keeps, then along the rows
    tall = engine(padded, column[:, None, None, None], (n_images, out_h, padded.shape[2]), (s[0], 1), (d[0], 1))
    return engine(tall, row[None, :, None, None], out_shape, (1, s[1]), (1, d[1]))


_ENGINES: dict[str, Callable] = {"shift": _shift, "compiled": _compiled, "im2col": _im2col, "fft": _fft}


# --------------------------------------------------------------------------
# What each method allocates, and whether fft can represent the answer


def _fft_lengths(padded_shape: tuple) -> tuple[int, int]:
    import scipy.fft

    return scipy.fft.next_fast_len(padded_shape[1], real=True), scipy.fft.next_fast_len(padded_shape[2], real=True)


def _work_arrays(method: str, padded_shape: tuple, kernel_shape: tuple, out_shape: tuple, itemsize: int) -> list:
    """(shape, itemsize, what) of each array ``method`` allocates besides the padded image and the output."""
    kh, kw, c_in, c_out = kernel_shape
    n_images, out_h, out_w = out_shape
    if method == "im2col":
        rows = min(out_h, _im2col_rows_per_block(out_w, kernel_shape, itemsize, _im2col_block_bytes()))
        return [
            ((kh * kw * c_in, rows * out_w), itemsize, f"im2col's patch matrix for {rows} output row(s)"),
            ((c_out, rows * out_w), itemsize, f"im2col's matrix product for {rows} output row(s)"),
        ]
    if method == "fft":
        length_h, length_w = _fft_lengths(padded_shape)
        half = length_w // 2 + 1
        return [
            ((padded_shape[1], padded_shape[2], c_in, c_out), itemsize, "fft's dilated kernel"),
            ((n_images, length_h, half, c_in), 2 * itemsize, "fft's image spectrum (N, H, W/2 + 1, C_in)"),
            ((length_h, half, c_in, c_out), 2 * itemsize, "fft's kernel spectrum (H, W/2 + 1, C_in, C_out)"),
            ((n_images, length_h, half, c_out), 2 * itemsize, "fft's product of spectra (N, H, W/2 + 1, C_out)"),
            ((n_images, length_h, length_w, c_out), itemsize, "fft's inverse transform (N, H, W, C_out)"),
        ]
    if method == "separable":
        return [((n_images, out_h, padded_shape[2]), itemsize, "separable's intermediate (N, H_out, W_padded)")]
    return []  # 'shift' and 'compiled' hold one output-sized array at most


def _too_large(method: str, padded_shape: tuple, kernel_shape: tuple, out_shape: tuple, itemsize: int) -> str:
    """Why ``method``'s work arrays are over the size limit, or '' when they fit."""
    for shape, size, what in _work_arrays(method, padded_shape, kernel_shape, out_shape, itemsize):
        try:
            check_array_size(shape, what, itemsize=size)
        except ValueError as error:
            return str(error)
    return ""


def fft_magnitude_bound(padded: np.ndarray, weights: np.ndarray) -> float:
    """An upper bound on every intermediate value of ``'fft'``, in float64.

    A spectrum value is a sum over the image, at most ``H * W * C * max|image|``;
    times the kernel's spectrum (at most ``sum|kernel|``) it gives the
    product; the inverse transform adds up ``L`` (the transform's length, H x W
    padded) of those before dividing by ``L``. So no intermediate exceeds
    ``L * H * W * C * max|image| * sum|kernel|``. When that is near the
    dtype's largest number, an overflow in one spectrum value spreads inf or
    NaN over the whole output, where a direct method would give finite
    values; ``'auto'`` then does not pick fft and ``method='fft'`` refuses.

    Examples
    --------
    >>> fft_magnitude_bound(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 1))) > 16 * 9
    True
    """
    length_h, length_w = _fft_lengths(padded.shape)
    largest = max(float(np.max(padded)), -float(np.min(padded)))
    per_output = float(np.abs(weights.astype(np.float64)).sum(axis=(0, 1, 2)).max())
    return float(length_h * length_w) * math.prod(padded.shape[1:]) * largest * per_output


def _fft_overflows(padded: np.ndarray, weights: np.ndarray) -> str:
    bound = FFT_HEADROOM * fft_magnitude_bound(padded, weights)
    largest = float(np.finfo(padded.dtype).max)
    if bound < largest:
        return ""
    return (
        f"its intermediate sums could reach {bound:.3g}, over {padded.dtype}'s largest number {largest:.3g}, and "
        "one overflow would spread inf or NaN over the whole output (see fast.fft_magnitude_bound)"
    )


def _unusable(method: str, padded: np.ndarray, weights: np.ndarray, out_shape: tuple) -> str:
    """Why ``method`` cannot compute this correlation, or ''."""
    reason = _too_large(method, padded.shape, weights.shape, out_shape, padded.itemsize)
    if not reason and method == "fft":
        reason = _fft_overflows(padded, weights)
    return reason


def _refuse_if_unusable(method: str, padded: np.ndarray, weights: np.ndarray, out_shape: tuple) -> None:
    reason = _unusable(method, padded, weights, out_shape)
    if reason:
        instead = _choose(padded, weights, out_shape, exclude=(method,))
        raise ValueError(f"method={method!r} cannot take these arguments: {reason}; method={instead!r} can")


# --------------------------------------------------------------------------
# 'auto': a cost model, and when to start numba


class SkiRental:
    """When to pay a one-off start-up cost, knowing only the calls made so far.

    ``'compiled'`` needs numba, whose start-up (importing it and loading the
    compiled loops) costs ``price`` once per process, while each later call
    is faster than the other methods by some ``saving``. Paying at once is a
    waste if few calls follow; never paying wastes ``saving`` on every call.
    The ski-rental rule (Karlin et al., 1988) pays as soon as the savings
    missed so far, plus this call's, reach the price: in effect each call
    sees the start-up cost as ``price - missed`` (:meth:`cost_left`). Whatever
    calls come later, the time lost to this rule is at most twice that of
    the best choice made in hindsight (pay on the first call, or never). If
    it never pays, it lost the savings missed, which stayed under ``price``,
    and never paying loses exactly those. If it pays on some call, it lost
    under ``price`` before that call and ``price`` on it, so under twice
    ``price``; in hindsight, paying at once loses ``price``, and never paying
    loses at least the savings missed up to that call, which reached
    ``price``. ``'auto'`` estimates each call's saving as the model's
    fraction (1 - cost with numba / cost of its pick) of the call's measured
    time, so the bound holds up to the model's error in that fraction.

    Examples
    --------
    >>> rental = SkiRental()
    >>> rental.cost_left(price=10.0)
    10.0
    >>> rental.missed(4.0)
    >>> rental.cost_left(price=10.0)
    6.0
    """

    def __init__(self) -> None:
        self.missed_total = 0.0

    def cost_left(self, price: float) -> float:
        """The start-up cost still to be charged: ``price`` minus the savings missed so far, at least 0."""
        return max(price - self.missed_total, 0.0)

    def missed(self, saving: float) -> None:
        """Record a call that ran without the start-up paid, ``saving`` slower than it could have."""
        self.missed_total += max(saving, 0.0)


#: The savings ``'auto'`` has missed in this process by not starting numba.
NUMBA_RENTAL = SkiRental()
#: The clock the ski rental reads (a test replaces it).
_clock = time.perf_counter


def _numba_ready() -> bool:
    """numba is loaded and the loops are compiled: using them costs nothing extra."""
    return _compiled_loops.cache_info().currsize > 0


def _numba_cost_left() -> float:
    return 0.0 if _numba_ready() else NUMBA_RENTAL.cost_left(COST_NS["numba_start"])


def _separable_terms(n_images: int, padded_hw: tuple, kernel_hw: tuple, out_shape: tuple, itemsize: int) -> dict:
    """Units of work of 'separable' with each engine ('separable/shift', 'separable/compiled').

    The column pass runs ``kh`` taps over (H_out x padded width) values and
    writes that intermediate array; the row pass reads it back with ``kw``
    taps per output.
    """
    kh, kw = kernel_hw
    scale = itemsize / 8
    middle = n_images * out_shape[1] * padded_hw[1]
    outputs = math.prod(out_shape)
    taps = middle * kh + outputs * kw
    terms = {"separable/shift": {"pass": 5 * taps * scale, "numpy_call": 2 * (kh + kw)}}
    if numba_available():
        # each pass zeroes its output, then the loops add into it
        passes = 2 * (middle + outputs) * scale
        terms["separable/compiled"] = {"compiled": taps * scale, "pass": passes, "numpy_call": 8}
    return terms


def _terms(padded_shape: tuple, kernel_shape: tuple, out_shape: tuple, itemsize: int, separable: bool) -> dict:
    """Units of work of each method (and separable's engines): the counts that :data:`COST_NS` prices.

    Counted for float64; float32 work counts half (``scale``). ``numpy_call``
    counts the NumPy calls a method makes, each with a fixed overhead that
    matters on small images.
    """
    kh, kw, c_in, c_out = kernel_shape
    outputs = math.prod(out_shape)
    taps = kh * kw
    macs = outputs * taps * c_in * c_out
    scale = itemsize / 8  # float32 moves half the bytes and fills twice the SIMD lanes
    if c_in == c_out == 1:  # per tap: multiply into a scratch array (2 values), add it to the output (3)
        shift = {"pass": 5 * outputs * taps * scale}
    else:  # per tap: a BLAS product (C_in read, C_out written), then the sum (3 C_out)
        shift = {"pass": outputs * taps * (c_in + 4 * c_out) * scale, "gemm": macs * scale}
    terms = {"shift": shift | {"numpy_call": 2 * taps}}
    if numba_available():
        terms["compiled"] = {"compiled": macs * scale, "pass": 2 * outputs * c_out * scale, "numpy_call": 4}
    rows = _im2col_rows_per_block(out_shape[2], kernel_shape, itemsize, IM2COL_BLOCK_BYTES)
    n_blocks = -(-out_shape[1] // rows)
    terms["im2col"] = {
        "im2col_copy": outputs * taps * c_in * scale,
        "gemm": macs * scale,
        "numpy_call": out_shape[0] * n_blocks * (taps + 3),
    }
    length_h, length_w = _fft_lengths(padded_shape)
    n_images = padded_shape[0]
    transforms = n_images * (c_in + c_out) + c_in * c_out  # forward, inverse and kernel transforms
    spectrum = length_h * (length_w // 2 + 1)
    terms["fft"] = {
        "fft": length_h * length_w * math.log2(length_h * length_w + 1) * transforms * scale,
        "fft_product": spectrum * n_images * c_in * c_out * scale,
        "fft_memory": length_h * length_w * transforms * scale * _doublings_past_cache(length_h * length_w, itemsize),
        "numpy_call": 8,
    }
    if separable:
        terms |= _separable_terms(n_images, padded_shape[1:3], (kh, kw), out_shape, itemsize)
    return terms


def _doublings_past_cache(pixels: int, itemsize: int) -> float:
    """How many times one transform's array doubles past :data:`FFT_CACHE_BYTES` (0 while it fits)."""
    return max(0.0, math.log2(pixels * itemsize / FFT_CACHE_BYTES))


def _price(terms: dict) -> float:
    return sum(COST_NS[name] * count for name, count in terms.items())


def _separable_costs(n_images: int, padded_hw: tuple, kernel_hw: tuple, out_shape: tuple, itemsize: int) -> dict:
    """Nanoseconds of 'separable' with each engine, without numba's start-up."""
    terms = _separable_terms(n_images, padded_hw, kernel_hw, out_shape, itemsize)
    return {name.split("/")[1]: _price(units) for name, units in terms.items()}


def _model(padded_shape: tuple, kernel_shape: tuple, out_shape: tuple, itemsize: int, separable: bool) -> dict:
    """Estimated nanoseconds per method, without numba's start-up; see :func:`estimate_costs`."""
    terms = _terms(padded_shape, kernel_shape, out_shape, itemsize, separable)
    return {name: _price(units) for name, units in terms.items()}


def _numba_methods(costs: dict) -> set:
    return {name for name in costs if name in ("compiled", "separable/compiled")}


def _costs(padded: np.ndarray, weights: np.ndarray, out_shape: tuple, exclude: tuple = ()) -> tuple[dict, dict]:
    """(costs per method as estimate_costs gives them, costs without numba's start-up per variant)."""
    separable = "separable" not in exclude and _factors_hwio(weights) is not None
    raw = _model(padded.shape, weights.shape, out_shape, padded.itemsize, separable)
    raw = {
        name: cost
        for name, cost in raw.items()
        if name.split("/")[0] not in exclude
        and not _too_large(name.split("/")[0], padded.shape, weights.shape, out_shape, padded.itemsize)
    }
    start = _numba_cost_left()
    charged = {name: cost + (start if name in _numba_methods(raw) else 0.0) for name, cost in raw.items()}
    costs: dict[str, float] = {}
    for name, cost in charged.items():
        method = name.split("/")[0]
        costs[method] = min(cost, costs.get(method, math.inf))
    return costs, raw


def _choose(padded: np.ndarray, weights: np.ndarray, out_shape: tuple, exclude: tuple = ()) -> str:
    """The cheapest method that can run (see :func:`estimate_costs`)."""
    return _choose_and_saving(padded, weights, out_shape, exclude)[0]


def _choose_and_saving(padded: np.ndarray, weights: np.ndarray, out_shape: tuple, exclude: tuple = ()) -> tuple:
    """The cheapest method, and the fraction of its time that numba would save (0 if it runs with numba).

    The fraction comes from the model, ``1 - cost with numba / cost of the pick``; :func:`correlate`
    multiplies it by the call's measured time and adds that to the savings missed
    (:data:`NUMBA_RENTAL`), so a slow or busy machine reaches numba's start-up cost in fewer calls.
    """
    exclude = tuple(exclude)
    while True:
        costs, raw = _costs(padded, weights, out_shape, exclude)
        chosen = min(costs, key=costs.get)
        if chosen != "fft" or not _fft_overflows(padded, weights):
            break
        exclude += ("fft",)  # fft cannot represent this answer: price the others
    saving = 0.0
    if not _numba_ready():
        with_numba = [raw[name] for name in _numba_methods(raw)]
        engine = _separable_engine(raw) if chosen == "separable" else chosen
        if with_numba and engine != "compiled":
            own = raw["separable/shift"] if chosen == "separable" else raw[chosen]
            saving = max(0.0, 1.0 - min(with_numba) / own) if own > 0 else 0.0
    return chosen, saving


def _separable_engine(raw: dict) -> str:
    """The engine 'separable' runs its passes with: compiled when cheaper counting numba's start-up left."""
    compiled = raw.get("separable/compiled", math.inf) + _numba_cost_left()
    return "compiled" if compiled < raw["separable/shift"] else "shift"


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
        these arguments: ``'loop'`` is never a candidate, ``'compiled'`` only
        with numba installed, ``'separable'`` only for a rank-1 kernel, no
        method whose work arrays would be over the size limit, and not
        ``'fft'`` when it could overflow (:func:`fft_magnitude_bound`).

    Notes
    -----
    Each method's work is counted in units (values a NumPy pass reads or
    writes, multiply-adds in BLAS or in the compiled loops, values copied
    into im2col's patch matrix, FFT butterflies and the passes over memory
    of a transform too large for the cache, spectrum products) and each
    count is multiplied by its cost in :data:`COST_NS`. Multi-channel
    ``'shift'`` is priced as one BLAS product per tap; ``'separable'``
    includes writing and reading back its intermediate array. A method that
    needs numba (``'compiled'``, and ``'separable'`` when it runs its passes
    compiled) is charged what is left of numba's start-up,
    ``COST_NS['numba_start']`` minus the time ``'auto'`` has already lost in
    this process by not starting it (the ski-rental rule, see
    :class:`SkiRental`); nothing once numba has run.

    Examples
    --------
    >>> costs = estimate_costs(np.zeros((64, 64)), np.ones((3, 3)))
    >>> "loop" in costs, "shift" in costs, "separable" in costs  # a box is rank 1
    (False, True, True)
    """
    batch, weights, _ = _prepare(image, kernel)
    options = {"padding": "same", "mode": "constant", "cval": 0.0, "stride": 1, "dilation": 1, **options}
    padded, _, _, out_shape, _, _ = _pad_for_window(batch, weights.shape[:2], **options, out_channels=weights.shape[3])
    costs, _ = _costs(padded, weights, out_shape)
    if "fft" in costs and _fft_overflows(padded, weights):
        del costs["fft"]
    return {name: cost * 1e-9 for name, cost in costs.items()}


def choose_method(image: np.ndarray, kernel: np.ndarray, **options: object) -> str:
    """The method ``'auto'`` picks now: the cheapest in :func:`estimate_costs`.

    Asking does not count as a call: only ``correlate2d(..., method='auto')``
    adds to the savings missed by not starting numba.

    Examples
    --------
    >>> choose_method(np.zeros((64, 64)), [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]) in ("shift", "compiled")
    True
    >>> choose_method(np.zeros((512, 512)), np.random.default_rng(0).random((31, 31)))  # 961 taps
    'fft'
    """
    costs = estimate_costs(image, kernel, **options)
    return min(costs, key=costs.get)
