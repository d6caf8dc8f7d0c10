"""The two loops of ``correlate2d_loop``, compiled by numba (imports numba; see ``helpers.fast``).

``correlate_rows_parallel`` spreads the output rows over numba's threads;
``correlate_rows_serial`` runs them in the calling thread, for callers that
already run many of these at once (the tiles of ``helpers.tiles``). Both read
a padded image. ``plane_rows_parallel`` and ``plane_rows_serial`` compute the
same sum for one channel without the padded copy: they read the image where
it lies, an index per padded row (which image row, or cval), and two thin
strips holding the padded columns by the left and right borders. For a large
image and a small kernel that saves the copy, a pass over memory (2048x2048
float32, 3x3: 2.9 ms a call against 8.7 ms with the copy, on 2 cores; see
``helpers.fast._reads_unpadded`` for where it pays).

Both accumulate each output pixel tap by tap in the kernel's row-major order,
as the ``'shift'`` method does, so for one channel the two give identical
floats. Their innermost loop runs along an output row, over contiguous
memory when the stride is 1, which the compiler turns into SIMD instructions;
no branch depends on the pixel. For one channel it takes four taps per pass
over the output row, keeping the running sum in a register between them:
the output row is read and written a quarter as often (at 2048² float32 3x3,
2.7 ms against 7.9 ms for one tap per pass, measured side by side on a
loaded 2-core machine).

Two settings make the loops safe where numba's defaults are not:

* **The threading layer.** Unless ``NUMBA_THREADING_LAYER`` is set, this
  module asks numba for a fork-safe layer (``'forksafe'``: TBB, which
  requirements.txt installs on x86-64 Linux and Windows, else numba's own
  ``'workqueue'``). numba's default on Linux is GNU OpenMP, after which a
  ``multiprocessing`` pool started with ``fork`` (Python's default on Linux
  before 3.14) hangs: its children abort with "fork() called from a process
  already using GNU OpenMP" and ``Pool.map`` waits for ever. ``'workqueue'``
  is slow to start its threads after the caller has been busy on its own
  (2048x2048 float32, 3x3, each call after checking the image: 4.3 ms
  against 2.7 with TBB, on 2 cores) and runs one parallel loop at a time,
  so :func:`helpers.fast.correlate` takes a lock around the parallel loop
  and runs the serial one when another thread holds it.
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
    # Sets out[n, y] to +0.0 first (x - x is +0.0 for finite x), as 'shift' starts from np.zeros, so the
    # caller may pass np.empty: the row is zeroed while in cache rather than the whole output beforehand.
    target = out[n, y]
    top = y * s0
    kw = weights.shape[1]
    taps = weights.shape[0] * kw
    zero = weights[0, 0] - weights[0, 0]
    for x in range(target.shape[0]):  # in cache from here on: the caller's np.empty is never read
        target[x] = zero
    if s1 != 1:
        for t in range(taps):
            strided = padded[n, top + (t // kw) * d0, (t % kw) * d1 :: s1]
            weight = weights[t // kw, t % kw]
            for x in range(target.shape[0]):
                target[x] += weight * strided[x]
        return
    # Four taps per pass over the output row (taps in the kernel's row-major order, t = u * kw + v): the
    # row is loaded and stored once per four taps instead of once per tap, and each pixel still gets
    # 0 + w0 * a, then + w1 * b, ... in the same order as 'shift', so the floats stay identical. (Eight
    # taps per pass measured no faster at 3x3, 2048x2048, and doubled this code.)
    # The slices start at the tap, so indices from range() are known non-negative and the loop vectorises.
    t = 0
    while t + 4 <= taps:
        a = padded[n, top + (t // kw) * d0, (t % kw) * d1 :]
        b = padded[n, top + ((t + 1) // kw) * d0, ((t + 1) % kw) * d1 :]
        c = padded[n, top + ((t + 2) // kw) * d0, ((t + 2) % kw) * d1 :]
        d = padded[n, top + ((t + 3) // kw) * d0, ((t + 3) % kw) * d1 :]
        wa, wb = weights[t // kw, t % kw], weights[(t + 1) // kw, (t + 1) % kw]
        wc, wd = weights[(t + 2) // kw, (t + 2) % kw], weights[(t + 3) // kw, (t + 3) % kw]
        for x in range(target.shape[0]):
            value = target[x]
            value += wa * a[x]
            value += wb * b[x]
            value += wc * c[x]
            value += wd * d[x]
            target[x] = value
        t += 4
    while t < taps:
        source = padded[n, top + (t // kw) * d0, (t % kw) * d1 :]
        weight = weights[t // kw, t % kw]
        for x in range(target.shape[0]):
            target[x] += weight * source[x]
        t += 1


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


# --------------------------------------------------------------------------
# One channel, read without a padded copy


@_jit()
def _source_row(image, n, rows, fill, padded_row, start):  # pragma: no cover - compiled
    """Image row ``rows[padded_row]`` of image ``n`` from column ``start`` on, or ``fill`` there for -1."""
    r = rows[padded_row]
    if r >= 0:
        return image[n, r, start:]
    return fill[start:]


@_jit()
def _rows_inside(rows, top, kh, d0):  # pragma: no cover - compiled
    """Whether every row of the kernel, placed at padded row ``top``, lands on an image row."""
    for u in range(kh):
        if rows[top + u * d0] < 0:
            return False
    return True


@_jit(inline="always")
def _accumulate(source, weights, n, top, d0, s1, d1, rows, fill, start, row):  # pragma: no cover - compiled
    """``row[x] += weights[u, v] * source[n, rows[top + u * d0], start + x * s1 + v * d1]``, tap by tap.

    Taps go in the kernel's row-major order, t = u * kw + v, as in 'shift', so each pixel gets
    0 + w0 * a, then + w1 * b, ... and the floats are identical to those of 'shift'. A row of
    ``rows`` that is -1 reads ``fill`` (cval) instead of ``source``.
    """
    kw = weights.shape[1]
    taps = weights.shape[0] * kw
    if s1 != 1 or not _rows_inside(rows, top, weights.shape[0], d0):
        # a stride, or a kernel row on the border's rows: one tap per pass over the output row
        for t in range(taps):
            line = _source_row(source, n, rows, fill, top + (t // kw) * d0, start + (t % kw) * d1)
            weight = weights[t // kw, t % kw]
            for x in range(row.shape[0]):
                row[x] += weight * line[x * s1]
        return
    # Four taps per pass over the output row: the row is loaded and stored once per four taps instead
    # of once per tap. The slices start at the tap, so indices from range() are known non-negative
    # and the loop vectorises.
    t = 0
    while t + 4 <= taps:
        a = source[n, rows[top + (t // kw) * d0], start + (t % kw) * d1 :]
        b = source[n, rows[top + ((t + 1) // kw) * d0], start + ((t + 1) % kw) * d1 :]
        c = source[n, rows[top + ((t + 2) // kw) * d0], start + ((t + 2) % kw) * d1 :]
        d = source[n, rows[top + ((t + 3) // kw) * d0], start + ((t + 3) % kw) * d1 :]
        wa, wb = weights[t // kw, t % kw], weights[(t + 1) // kw, (t + 1) % kw]
        wc, wd = weights[(t + 2) // kw, (t + 2) % kw], weights[(t + 3) // kw, (t + 3) % kw]
        for x in range(row.shape[0]):
            value = row[x]
            value += wa * a[x]
            value += wb * b[x]
            value += wc * c[x]
            value += wd * d[x]
            row[x] = value
        t += 4
    while t < taps:
        line = source[n, rows[top + (t // kw) * d0], start + (t % kw) * d1 :]
        weight = weights[t // kw, t % kw]
        for x in range(row.shape[0]):
            row[x] += weight * line[x]
        t += 1


@_jit()
def _row_plane(image, edges, weights, out, n, y, s0, s1, d0, d1, rows, fill, left, inner):  # pragma: no cover
    # Sets out[n, y] to +0.0 first (x - x is +0.0 for finite x), as 'shift' starts from np.zeros, so the
    # caller may pass np.empty: the row is zeroed while in cache rather than the whole output beforehand.
    target = out[n, y]
    zero = weights[0, 0] - weights[0, 0]
    for x in range(target.shape[0]):  # in cache from here on: the caller's np.empty is never read
        target[x] = zero
    top = y * s0
    x0, x1 = inner[0], inner[1]
    # Columns x0 <= x < x1 see only image columns, x * s1 + v * d1 - left; those left of x0 read the
    # left edge strip from its column x * s1 + v * d1, those from x1 on the right one from
    # (x - x1) * s1 + v * d1. (Slicing the row first keeps range() indices non-negative: numba then
    # drops its negative-index check and the loops vectorise; range(x0, x1) measured 1.3x slower.)
    if x1 > x0:
        _accumulate(image, weights, n, top, d0, s1, d1, rows, fill, x0 * s1 - left, target[x0:x1])
    if x0 > 0:
        _edge_pixels(edges[0], weights, n, top, d0, s1, d1, rows, fill, target[:x0])
    if x1 < target.shape[0]:
        _edge_pixels(edges[1], weights, n, top, d0, s1, d1, rows, fill, target[x1:])


@_jit()
def _edge_pixels(strip, weights, n, top, d0, s1, d1, rows, fill, row):  # pragma: no cover - compiled
    """``row[x] = sum of weights[u, v] * strip[n, rows[top + u * d0], x * s1 + v * d1]``, pixel by pixel.

    The same sum as :func:`_accumulate`, in the same order, for the few columns by the left or right
    border: one pixel at a time, since a pass per tap over a row of a few pixels costs more in loop
    set-up than in arithmetic (15x15 at 512x512, passes per tap on the edges: 5.4 ms a call against
    2.7 ms for the padded loop).
    """
    cval = fill[0]
    for x in range(row.shape[0]):  # scalar indexing only: a slice here would cost a reference count per pixel
        value = row[x]
        for u in range(weights.shape[0]):
            r = rows[top + u * d0]
            for v in range(weights.shape[1]):
                value += weights[u, v] * (strip[n, r, x * s1 + v * d1] if r >= 0 else cval)
        row[x] = value


@_jit(parallel=True)
def plane_rows_parallel(image, edges, weights, out, s0, s1, d0, d1, rows, fill, left, inner):  # pragma: no cover
    """``out[n, y, x] = sum of weights[u, v] * padded[n, y*s0 + u*d0, x*s1 + v*d1]``, one channel, unpadded.

    ``image`` (N, H, W) is not padded. ``rows`` gives, for each row of the
    padded image, the image row it copies, or -1 where it holds cval (then
    ``fill``, a row of cvals at least as long as any row read, is read). The
    output columns ``inner[0] <= x < inner[1]`` read only image columns,
    ``x * s1 + v * d1 - left``; ``edges`` holds the padded columns the others
    read, (N, H, w) each: the left edge from padded column 0, the right one
    from column ``inner[1] * s1``. ``out`` (N, H_out, W_out) may be
    uninitialised.
    """
    out_h = out.shape[1]
    for row in numba.prange(out.shape[0] * out_h):
        _row_plane(image, edges, weights, out, row // out_h, row % out_h, s0, s1, d0, d1, rows, fill, left, inner)


@_jit()
def plane_rows_serial(image, edges, weights, out, s0, s1, d0, d1, rows, fill, left, inner):  # pragma: no cover
    """The same sum, one row after another in the calling thread."""
    out_h = out.shape[1]
    for row in range(out.shape[0] * out_h):
        _row_plane(image, edges, weights, out, row // out_h, row % out_h, s0, s1, d0, d1, rows, fill, left, inner)
