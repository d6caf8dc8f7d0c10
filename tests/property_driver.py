"""Random arguments to every public helper, run by tests/test_properties.py in a subprocess.

Usage: ``python tests/property_driver.py SEED CASES LIMIT_BYTES``. It lowers
``helpers._checks.MAX_ARRAY_BYTES`` to ``LIMIT_BYTES`` (so the limit is met
with small arrays), caps the process's address space with
``resource.setrlimit``, and for each case checks that the helper either
returns the right answer (against scipy, numpy or Pillow) or raises
``ValueError`` or ``TypeError`` with a message; that it refuses exactly the
calls whose arrays would pass the limit; and, with ``tracemalloc``, that its
peak allocation stays within the documented four times the limit. It prints
one JSON line: the failures and how many cases ended each way.
"""

from __future__ import annotations

import json
import math
import resource
import sys
import tracemalloc
from collections import Counter

import matplotlib.pyplot as plt  # the test runs this with MPLBACKEND=Agg
import numpy as np
from PIL import Image
from scipy import ndimage, signal

import helpers
from helpers import _checks

NUMPY_MODE = {"constant": "constant", "reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap"}
MODES = sorted(NUMPY_MODE)


class Refusal(Exception):
    """The call must be refused with ValueError whose message holds this text."""


def pads(word: str, n: int, k: int, s: int, d: int) -> tuple[int, int]:
    """TensorFlow's padding rule, written from its documentation."""
    if word == "valid":
        return 0, 0
    if word == "full":
        return d * (k - 1), d * (k - 1)
    out = -(-n // s)
    total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def small_or_huge(rng, small_high: int, huge_high: int) -> int:
    """Mostly small, sometimes anywhere up to huge_high (log-uniform)."""
    if rng.random() < 0.75:
        return int(rng.integers(1, small_high + 1))
    return int(math.exp(rng.uniform(0, math.log(huge_high))))


def random_image(rng, ndims=(2, 3, 4), channels=3):
    ndim = int(rng.choice(ndims))
    shape = [int(rng.integers(1, 10)), int(rng.integers(1, 10))]
    if ndim >= 3:
        shape.append(int(rng.integers(1, channels + 1)))
    if ndim == 4:
        shape.insert(0, int(rng.integers(1, 4)))
    dtype = rng.choice([np.uint8, np.int16, np.float32, np.float64])
    return (rng.normal(size=shape) * 50 + 100).astype(dtype)


def geometry(rng, height, width, kh, kw, words=("same", "valid", "full", "SAME", "Valid")):
    """Random padding, stride and dilation (valid, sometimes huge), and the padded and output sizes they imply."""
    stride = (small_or_huge(rng, 3, 50), small_or_huge(rng, 3, 50))
    dilation = (small_or_huge(rng, 3, 10**6), small_or_huge(rng, 3, 10**6))
    if rng.random() < 0.7:
        padding = str(rng.choice(words))
        rows = pads(padding.lower(), height, kh, stride[0], dilation[0])
        cols = pads(padding.lower(), width, kw, stride[1], dilation[1])
    else:
        rows = (small_or_huge(rng, 3, 10**6) - 1, small_or_huge(rng, 3, 10**6) - 1)
        cols = (small_or_huge(rng, 3, 10**6) - 1, small_or_huge(rng, 3, 10**6) - 1)
        padding = (rows, cols)
    padded = (height + sum(rows), width + sum(cols))
    extent = (dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1)
    out = tuple((p - e) // s + 1 for p, e, s in zip(padded, extent, stride, strict=True))
    argument_stride = stride if stride[0] != stride[1] or rng.random() < 0.5 else stride[0]
    argument_dilation = dilation if dilation[0] != dilation[1] or rng.random() < 0.5 else dilation[0]
    return padding, argument_stride, argument_dilation, rows, cols, padded, extent, out, stride, dilation


def expect_fits(batch_shape, padded, extent, out, out_channels, inputs=()):
    """Raise Refusal unless the helper must accept: the kernel fits and every array is within the limit.

    The checks come in the helpers' order: the inputs' float64 copies, the
    kernel's reach, then the padded image and the output.
    """
    limit = _checks.MAX_ARRAY_BYTES
    if any(8 * np.size(array) > limit for array in inputs):
        raise Refusal("over the limit")
    if extent[0] > padded[0] or extent[1] > padded[1]:
        raise Refusal("larger than the padded image")
    n, _, _, c = batch_shape
    if 8 * n * padded[0] * padded[1] * c > limit or 8 * n * out[0] * out[1] * out_channels > limit:
        raise Refusal("over the limit")


def reference_correlate(batch, weights, rows, cols, mode, cval, stride, dilation):
    """(N, H, W, C) x (kh, kw, C, O) on a numpy-padded image, from the definition.

    One channel in and out, no dilation: ``scipy.signal.correlate``. Otherwise
    the strided, dilated windows of the padded image, summed against the
    kernel with ``einsum`` (a dilated kernel spread out with zeros would make
    scipy's direct method slow).
    """
    widths = ((0, 0), rows, cols, (0, 0))
    if mode == "constant":
        padded = np.pad(batch.astype(np.float64), widths, constant_values=cval)
    else:
        padded = np.pad(batch.astype(np.float64), widths, mode=NUMPY_MODE[mode])
    kh, kw, c_in, c_out = weights.shape
    extent = (dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1)
    if c_in == 1 and c_out == 1 and dilation == (1, 1):
        result = [
            signal.correlate(image[..., 0], weights[:, :, 0, 0], mode="valid", method="direct") for image in padded
        ]
        return np.stack(result)[:, :: stride[0], :: stride[1], np.newaxis]
    windows = np.lib.stride_tricks.sliding_window_view(padded, extent, axis=(1, 2))
    taps = windows[:, :: stride[0], :: stride[1], :, :: dilation[0], :: dilation[1]]
    return np.einsum("nhwcuv,uvco->nhwo", taps, weights)


def case_correlate(rng):
    image = random_image(rng)
    batch = image[np.newaxis, ..., np.newaxis] if image.ndim == 2 else image[np.newaxis] if image.ndim == 3 else image
    kh, kw = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    c_out = int(rng.choice([1, 2, 3, 50_000])) if image.ndim > 2 else 1
    weights = rng.normal(size=(kh, kw, batch.shape[3], c_out))
    kernel = weights[:, :, 0, 0] if image.ndim == 2 else weights
    padding, stride, dilation, rows, cols, padded, extent, out, s, d = geometry(rng, *batch.shape[1:3], kh, kw)
    mode = str(rng.choice(MODES))
    cval = float(rng.normal() * 10) if mode == "constant" and rng.random() < 0.5 else 0.0
    flip = rng.random() < 0.5
    function = helpers.convolve2d if flip else helpers.correlate2d
    options = {"padding": padding, "mode": mode, "cval": cval, "stride": stride, "dilation": dilation}

    def call():
        return function(image, kernel, **options)

    def expected():
        expect_fits(batch.shape, padded, extent, out, c_out, (image, kernel))
        turned = weights[::-1, ::-1] if flip else weights
        result = reference_correlate(batch, turned, rows, cols, mode, cval, s, d)
        if image.ndim == 2 and s == (1, 1) and d == (1, 1) and kh % 2 and kw % 2 and padding in ("same", "SAME"):
            scipy_result = (ndimage.convolve if flip else ndimage.correlate)(
                image.astype(float), kernel, mode=mode, cval=cval
            )
            np.testing.assert_allclose(result[0, ..., 0], scipy_result, rtol=1e-9, atol=1e-6)
        return result[0, ..., 0] if image.ndim == 2 else result[0] if image.ndim == 3 else result

    return function.__name__, call, expected, options


def case_depthwise(rng):
    image = random_image(rng, ndims=(3, 4))
    batch = image[np.newaxis] if image.ndim == 3 else image
    kh, kw = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    multiplier = int(rng.choice([1, 2, 50_000]))
    weights = rng.normal(size=(kh, kw, batch.shape[3], multiplier))
    padding, stride, dilation, rows, cols, padded, extent, out, s, d = geometry(rng, *batch.shape[1:3], kh, kw)
    mode = str(rng.choice(MODES))
    options = {"padding": padding, "mode": mode, "stride": stride, "dilation": dilation}

    def call():
        return helpers.depthwise_correlate2d(image, weights, **options)

    def expected():
        expect_fits(batch.shape, padded, extent, out, batch.shape[3] * multiplier, (image, weights))
        # channel c with its own M kernels is a correlation with one input channel and M outputs
        channels = [
            reference_correlate(batch[..., c : c + 1], weights[:, :, c : c + 1, :], rows, cols, mode, 0.0, s, d)
            for c in range(batch.shape[3])
        ]
        result = np.concatenate(channels, axis=-1)
        return result[0] if image.ndim == 3 else result

    return "depthwise_correlate2d", call, expected, options


def case_pool(rng):
    image = random_image(rng)
    batch = image[np.newaxis, ..., np.newaxis] if image.ndim == 2 else image[np.newaxis] if image.ndim == 3 else image
    size = (small_or_huge(rng, 4, 10**6), small_or_huge(rng, 4, 10**6))
    stride = None if rng.random() < 0.4 else (small_or_huge(rng, 3, 50), small_or_huge(rng, 3, 50))
    step = size if stride is None else stride
    word = str(rng.choice(["valid", "same", "SAME"]))
    kind = str(rng.choice(["max", "mean"]))
    rows = pads(word.lower(), batch.shape[1], size[0], step[0], 1)
    cols = pads(word.lower(), batch.shape[2], size[1], step[1], 1)
    padded = (batch.shape[1] + sum(rows), batch.shape[2] + sum(cols))
    out = tuple((p - k) // s + 1 for p, k, s in zip(padded, size, step, strict=True))
    options = {"size": size if size[0] != size[1] else size[0], "stride": stride, "kind": kind, "padding": word}

    def call():
        return helpers.pool2d(image, options["size"], stride=stride, kind=kind, padding=word)

    def expected():
        expect_fits(batch.shape, padded, size, out, batch.shape[3], (image,))
        holes = np.pad(batch.astype(np.float64), ((0, 0), rows, cols, (0, 0)), constant_values=np.nan)
        windows = np.lib.stride_tricks.sliding_window_view(holes, size, axis=(1, 2))[:, :: step[0], :: step[1]]
        result = (np.nanmax if kind == "max" else np.nanmean)(windows, axis=(-2, -1))
        return result[0, ..., 0] if image.ndim == 2 else result[0] if image.ndim == 3 else result

    return "pool2d", call, expected, options


def case_output_size(rng):
    integer = rng.choice([int, np.int8, np.int16, np.int64, np.uint8])
    n, k = integer(rng.integers(1, 100)), integer(rng.integers(1, 100))
    stride, dilation = small_or_huge(rng, 4, 10**9), small_or_huge(rng, 4, 10**30)
    word = str(rng.choice(["same", "valid", "full", "SAME"]))
    padding = word if rng.random() < 0.7 else (int(rng.integers(0, 10)), int(rng.integers(0, 10)))
    options = {"n": n, "k": k, "padding": padding, "stride": stride, "dilation": dilation}

    def call():
        return helpers.output_size(n, k, padding=padding, stride=stride, dilation=dilation)

    def expected():
        before, after = pads(word.lower(), int(n), int(k), stride, dilation) if isinstance(padding, str) else padding
        return max((int(n) + before + after - dilation * (int(k) - 1) - 1) // stride + 1, 0)

    return "output_size", call, expected, options


def case_loop(rng):
    image = random_image(rng, ndims=(2,))
    kernel = rng.normal(size=(int(rng.choice([1, 3, 5])), int(rng.choice([1, 3, 5]))))

    def expected():
        return ndimage.correlate(image.astype(float), kernel, mode="constant")

    return "correlate2d_loop", lambda: helpers.correlate2d_loop(image, kernel), expected, {"shape": image.shape}


def case_squash(rng):
    values = rng.normal(size=int(rng.integers(1, 20))) * 300
    return "squash", lambda: helpers.squash(values), lambda: np.clip(values, 0, 255), {}


def case_grayscale(rng):
    shape = [int(rng.integers(1, 8)), int(rng.integers(1, 8))]
    form = rng.choice(["gray", "rgb", "rgba", "equal"])
    dtype = rng.choice([np.uint8, np.float64])
    image = rng.integers(0, 256, size=(*shape, 4)).astype(dtype)
    if form == "gray":
        image = image[..., 0]
    elif form == "rgb":
        image = image[..., :3]
    elif form == "equal":
        image = np.repeat(image[..., :1], 3, axis=-1)

    def expected():
        if image.ndim == 2:
            return image
        if form == "equal":
            return image[..., 0]
        if dtype == np.uint8:
            pillow = np.asarray(Image.fromarray(np.ascontiguousarray(image[..., :3])).convert("L")).astype(float)
            return pillow, 1.0  # Pillow rounds its integer arithmetic: within one level
        return image[..., :3] @ np.array([0.299, 0.587, 0.114])

    return "to_grayscale", lambda: helpers.to_grayscale(image), expected, {"form": str(form)}


def case_show(rng):
    count = int(rng.integers(1, 4))
    panels = []
    for _ in range(count):
        shape = [int(rng.integers(1, 6)), int(rng.integers(1, 6))]
        if rng.random() < 0.5:
            shape.append(int(rng.choice([3, 4])))
        dtype = rng.choice([np.uint8, np.float64, np.float32, np.int32])
        panels.append((rng.random(size=shape) * 300).astype(dtype))
    vmin, vmax = (None, None) if rng.random() < 0.3 else (0.0, 255.0)
    ncols = None if rng.random() < 0.5 else int(rng.integers(1, 5))
    titles = [f"panel {i}" for i in range(count)]

    def call():
        fig = helpers.show_images(panels, titles, ncols=ncols, vmin=vmin, vmax=vmax)
        try:
            return [ax.get_title() for ax in fig.axes if ax.images]
        finally:
            plt.close(fig)

    return "show_images", call, lambda: titles, {"count": count}


def case_gaussian(rng):
    size = int(rng.integers(-2, 40))

    def expected():
        if size < 1 or size % 2 == 0:
            raise Refusal("odd positive int")
        row = np.array([math.comb(size - 1, i) for i in range(size)], dtype=float)
        return np.outer(row, row) / row.sum() ** 2

    return "gaussian_kernel", lambda: helpers.gaussian_kernel(size), expected, {"size": size}


BAD_FETCH = [
    {"timeout": float("inf")},
    {"timeout": "5"},
    {"timeout": -1},
    {"timeout": 1e300},
    {"sha256": "xyz"},
    {"sha256": b"0" * 64},
    {"max_bytes": 0},
    {"max_bytes": 2.5},
    {"max_pixels": True},
    {"url": "file:///etc/passwd"},
    {"path": 3},
]


def case_fetch(rng):
    options = BAD_FETCH[int(rng.integers(len(BAD_FETCH)))]
    arguments = {"url": "http://127.0.0.1:9/never.png", "path": "/nonexistent/never.png", **options}

    def expected():
        raise Refusal("")  # every one of these is a bad argument, refused before any request

    return "fetch_image", lambda: helpers.fetch_image(**arguments), expected, {k: repr(v) for k, v in options.items()}


BAD_OPTIONS = [
    {"stride": 1.5},
    {"stride": (1, 2, 3)},
    {"dilation": 0},
    {"mode": ["wrap"]},
    {"mode": "zeros"},
    {"padding": "middle"},
    {"padding": ((1, -1), (0, 0))},
    {"cval": float("nan")},
    {"cval": "1"},
    {"mode": "wrap", "cval": 2.0},
]


def case_bad_options(rng):
    options = BAD_OPTIONS[int(rng.integers(len(BAD_OPTIONS)))]

    def expected():
        raise Refusal("")

    return (
        "correlate2d (bad option)",
        lambda: helpers.correlate2d(np.ones((4, 4)), np.ones((3, 3)), **options),
        expected,
        {k: repr(v) for k, v in options.items()},
    )


CASES = [
    (case_correlate, 6),
    (case_depthwise, 3),
    (case_pool, 4),
    (case_output_size, 3),
    (case_loop, 1),
    (case_squash, 1),
    (case_grayscale, 2),
    (case_show, 1),
    (case_gaussian, 1),
    (case_fetch, 1),
    (case_bad_options, 1),
]


def address_space() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


def main(seed: int, count: int, limit: int) -> None:
    _checks.MAX_ARRAY_BYTES = limit
    budget = 4 * limit + (256 << 20)  # the documented peak, plus room for the interpreter and the references
    cap = address_space() + budget
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    rng = np.random.default_rng(seed)
    makers = [maker for maker, weight in CASES for _ in range(weight)]
    outcomes: Counter = Counter()
    failures: list[str] = []
    for index in range(count):
        name, call, expected, options = makers[int(rng.integers(len(makers)))](rng)
        where = f"case {index} {name} {options}"
        try:
            wanted = expected()
            refusal = None
        except Refusal as reason:
            wanted, refusal = None, str(reason)
        measured = name != "show_images"  # matplotlib's memory is not the helpers' limit, and tracing it is slow
        if measured:
            tracemalloc.start()
        before, _ = tracemalloc.get_traced_memory()
        try:
            result = call()
        except (ValueError, TypeError) as error:
            tracemalloc.stop()
            if not str(error).strip():
                failures.append(f"{where}: {type(error).__name__} without a message")
            elif refusal is None:
                failures.append(f"{where}: refused valid arguments: {type(error).__name__}: {error}")
            elif refusal not in str(error):
                failures.append(f"{where}: refused for the wrong reason (wanted {refusal!r}): {error}")
            outcomes[f"{name}: refused" + (" (over the limit)" if "over the limit" in str(error) else "")] += 1
            continue
        except BaseException as error:  # anything else is the failure being looked for
            tracemalloc.stop()
            failures.append(f"{where}: raised {type(error).__name__}: {str(error)[:300]}")
            outcomes[f"{name}: crashed"] += 1
            continue
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        if measured and peak - before > 4 * limit + (1 << 20):
            failures.append(f"{where}: allocated {peak - before} bytes at its peak, over 4 x {limit}")
        if refusal is not None:
            failures.append(f"{where}: returned, but should have refused ({refusal})")
            continue
        tolerance = 1e-6
        if isinstance(wanted, tuple):
            wanted, tolerance = wanted
        try:
            if isinstance(wanted, (int, list)):
                assert result == wanted, (result, wanted)
            else:
                np.testing.assert_allclose(np.asarray(result, dtype=float), wanted, rtol=1e-9, atol=tolerance)
        except AssertionError as error:
            failures.append(f"{where}: wrong result: {str(error)[:300]}")
        outcomes[f"{name}: ok"] += 1
    print(
        json.dumps(
            {"failures": failures[:20], "failure_count": len(failures), "outcomes": dict(sorted(outcomes.items()))}
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
