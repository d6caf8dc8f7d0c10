"""The two loops of ``correlate2d_loop``, compiled by numba (imports numba; see ``helpers.fast``).

``correlate_rows_parallel`` spreads the output rows over numba's threads;
``correlate_rows_serial`` runs them in the calling thread, for callers that
already run many of these at once (the tiles of ``helpers.tiles``).

Both accumulate each output pixel tap by tap in the kernel's row-major order,
as the ``'shift'`` method does, so for one channel the two give identical
floats. Their innermost loop runs along an output row, over contiguous
memory when the stride is 1, which the compiler turns into SIMD instructions;
no branch depends on the pixel.

Two settings make the loops safe where numba's defaults are not:

* **The threading layer.** Unless ``NUMBA_THREADING_LAYER`` is set, this
  module asks numba for a fork-safe layer (``'forksafe'``: TBB if installed,
  else numba's own ``'workqueue'``). numba's default on Linux is GNU OpenMP,
  after which a ``multiprocessing`` pool started with ``fork`` (Python's
  default on Linux before 3.14) hangs: its children abort with "fork() called
  from a process already using GNU OpenMP" and ``Pool.map`` waits for ever.
  ``'workqueue'`` runs one parallel loop at a time, so
  :func:`helpers.fast.correlate` takes a lock around the parallel loop and
  runs the serial one when another thread holds it.
* **The cache.** The loops are compiled once and cached on disk. Where numba
  finds no writable place for its cache (a read-only install and a read-only
  home; numba raises "cannot cache function ... no locator available"),
  they are compiled in memory at every start instead, with a warning.
"""

import os
import warnings

import numba

if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "forksafe"


def _jit(**options):
    """``numba.njit(cache=True, nogil=True, **options)``, uncached where numba has nowhere to write its cache."""

    def decorate(function):
        try:
            return numba.njit(cache=True, nogil=True, **options)(function)
        except RuntimeError as error:
            if "cannot cache" not in str(error):
                raise
            warnings.warn(
                f"numba cannot cache {function.__name__} ({error}); compiling it in memory at each start. "
                "Set NUMBA_CACHE_DIR to a writable folder to keep the compiled code",
                RuntimeWarning,
                stacklevel=2,
            )
            return numba.njit(cache=False, nogil=True, **options)(function)

    return decorate


@_jit()
def _row_one_channel(padded, weights, out, n, y, s0, s1, d0, d1):  # pragma: no cover - compiled
    target = out[n, y]
    for u in range(weights.shape[0]):
        row = padded[n, y * s0 + u * d0]
        for v in range(weights.shape[1]):
            weight = weights[u, v]
            if s1 == 1:
                # a slice that starts at the tap: indices from range() alone are known
                # to be non-negative, so numba drops its negative-index check and the loop vectorises
                source = row[v * d1 :]
                for x in range(target.shape[0]):
                    target[x] += weight * source[x]
            else:
                strided = row[v * d1 :: s1]
                for x in range(target.shape[0]):
                    target[x] += weight * strided[x]


@_jit()
def _row_channels(padded, weights, out, n, y, s0, s1, d0, d1):  # pragma: no cover - compiled
    target = out[n, y]
    for u in range(weights.shape[0]):
        row = padded[n, y * s0 + u * d0]
        for v in range(weights.shape[1]):
            source = row[v * d1 :: s1]
            for c in range(weights.shape[2]):
                for x in range(target.shape[0]):
                    value = source[x, c]
                    for o in range(target.shape[1]):
                        target[x, o] += weights[u, v, c, o] * value


@_jit(parallel=True)
def correlate_rows_parallel(padded, weights, out, s0, s1, d0, d1):  # pragma: no cover - compiled
    """``out[n, y, x(, o)] += sum of weights[u, v(, c, o)] * padded[n, y*s0 + u*d0, x*s1 + v*d1(, c)]``.

    One channel: ``padded`` (N, Hp, Wp), ``weights`` (kh, kw), ``out`` (N, H_out, W_out).
    Channels: ``padded`` (N, Hp, Wp, C), ``weights`` (kh, kw, C, O), ``out`` (N, H_out, W_out, O).
    """
    out_h = out.shape[1]
    for row in numba.prange(out.shape[0] * out_h):
        if out.ndim == 3:
            _row_one_channel(padded, weights, out, row // out_h, row % out_h, s0, s1, d0, d1)
        else:
            _row_channels(padded, weights, out, row // out_h, row % out_h, s0, s1, d0, d1)


@_jit()
def correlate_rows_serial(padded, weights, out, s0, s1, d0, d1):  # pragma: no cover - compiled
    """The same sum, one row after another in the calling thread."""
    out_h = out.shape[1]
    for row in range(out.shape[0] * out_h):
        if out.ndim == 3:
            _row_one_channel(padded, weights, out, row // out_h, row % out_h, s0, s1, d0, d1)
        else:
            _row_channels(padded, weights, out, row // out_h, row % out_h, s0, s1, d0, d1)
