"""Time the course's correlation methods side by side with SciPy, OpenCV and TensorFlow.

    python benchmarks/run.py            # the full sweep (several minutes)
    python benchmarks/run.py --quick    # a one-minute version

Everything runs in one process, in float32 with zero borders, on random
images from 303x497 up to 4096x4096 and random (not separable) kernels of
3, 5, 9, 15 and 31 pixels; the separable method is timed on a Gaussian of
the same size. Every result is checked against ``scipy.ndimage.correlate``
in float64 before it is timed. Times are medians over repeats; ratios are
against ``scipy.ndimage.correlate`` and OpenCV's ``filter2D`` in the same run.

Also measured, in the same run:

* the memory-bandwidth bound for 3x3: reading the image once and writing the
  output once, at the bandwidth of an ``np.copyto`` of the same size;
* peak memory of each method at 2048x2048 with a 15x15 kernel, each in a
  fresh process (resident memory sampled during the call, minus before it);
* a lazy Dask run on an image larger than this machine would comfortably
  hold as float64 (20000x20000; 8000x8000 with --quick), generated chunk by
  chunk, with its peak resident memory against the image's size: once with
  the whole graph handed to Dask, once fed to it one band of chunk rows at a
  time.

Results go to ``benchmarks/results/`` (git-ignored): ``timings.csv``,
``memory.csv``, ``dask.csv``, ``summary.md`` and two log-log plots. Timings
depend on the machine and on whatever else runs on it; no test asserts them.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import helpers  # noqa: E402
from helpers import fast  # noqa: E402

OUT = ROOT / "benchmarks" / "results"
COURSE = ["auto", "shift", "compiled", "im2col", "fft", "separable"]
REFERENCES = ["scipy.ndimage", "scipy.signal.fftconvolve", "cv2.filter2D", "tf.nn.conv2d"]
FULL = {"sizes": [(303, 497), (512, 512), (1024, 1024), (2048, 2048), (4096, 4096)], "kernels": [3, 5, 9, 15, 31]}
QUICK = {"sizes": [(303, 497), (1024, 1024), (2048, 2048)], "kernels": [3, 15, 31]}


# --------------------------------------------------------------------------
# the contenders


def load_references() -> dict:
    import cv2
    import scipy.ndimage
    import scipy.signal

    tf = helpers.import_tensorflow()

    def tf_conv(image, kernel):
        return tf.nn.conv2d(image[None, :, :, None], kernel[:, :, None, None], 1, "SAME").numpy()[0, :, :, 0]

    return {
        "scipy.ndimage": lambda image, kernel: scipy.ndimage.correlate(image, kernel, mode="constant"),
        "scipy.signal.fftconvolve": lambda image, kernel: scipy.signal.fftconvolve(image, kernel[::-1, ::-1], "same"),
        "cv2.filter2D": lambda image, kernel: cv2.filter2D(image, -1, kernel, borderType=cv2.BORDER_CONSTANT),
        "tf.nn.conv2d": tf_conv,
        "_versions": {
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "opencv": cv2.__version__,
            "tensorflow": tf.__version__,
        },
    }


def course_function(method: str):
    return lambda image, kernel: helpers.correlate2d(image, kernel, method=method)


def median_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def checked(name: str, result: np.ndarray, reference: np.ndarray) -> float:
    error = float(np.abs(result.astype(np.float64) - reference).max() / np.abs(reference).max())
    if result.shape != reference.shape or error > 1e-4:
        raise AssertionError(f"{name} disagrees with scipy.ndimage: shape {result.shape}, relative error {error:.1e}")
    return error


# --------------------------------------------------------------------------
# bandwidth, timings


def copy_bound(shape: tuple[int, int], repeats: int) -> float:
    """Seconds for np.copyto of a float32 image: read it once, write it once, as a 3x3 correlation must."""
    source = np.random.default_rng(0).random(shape, dtype=np.float32)
    target = np.empty_like(source)
    np.copyto(target, source)
    return median_time(lambda: np.copyto(target, source), max(repeats, 5))


def sweep(config: dict, repeats: int, budget_s: float, references: dict) -> list[dict]:
    rows = []
    rng = np.random.default_rng(0)
    fast._compiled_loops()  # numba's start-up is paid here, once, as in any long-running program
    for shape in config["sizes"]:
        image = rng.random(shape, dtype=np.float32)
        bound = copy_bound(shape, repeats)
        for k in config["kernels"]:
            general = rng.standard_normal((k, k)).astype(np.float32)
            gaussian = helpers.gaussian_kernel(k).astype(np.float32)
            costs = fast.estimate_costs(image, general)
            for name in COURSE + [r for r in REFERENCES if r in references]:
                kernel = gaussian if name == "separable" else general
                row = {"height": shape[0], "width": shape[1], "pixels": shape[0] * shape[1], "kernel": k}
                row |= {"method": name, "kernel_kind": "gaussian" if name == "separable" else "random"}
                predicted = costs.get(name, fast.estimate_costs(image, kernel).get(name, 0.0))
                if name in fast.METHODS and predicted > budget_s:
                    rows.append(row | {"seconds": "", "note": f"skipped: about {predicted:.0f} s predicted"})
                    continue
                function = references[name] if name in references else course_function(name)
                reference = references["_exact"](image, kernel)
                start = time.perf_counter()
                result = function(image, kernel)  # also the warm-up
                first = time.perf_counter() - start
                error = checked(name, result, reference)
                runs = max(1, min(repeats, int(3 * budget_s / max(first, 1e-9))))  # fewer repeats for slow ones
                seconds = median_time(lambda f=function, img=image, kern=kernel: f(img, kern), runs)
                note = f"auto chose {fast.choose_method(image, kernel)}" if name == "auto" else ""
                rows.append(row | {"seconds": seconds, "relative_error": f"{error:.1e}", "note": note})
                if k == 3 and name == "auto":
                    rows.append(
                        {**row, "method": "bandwidth bound (np.copyto)", "kernel_kind": "", "seconds": bound}
                        | {"note": f"{2 * image.nbytes / bound / 1e9:.1f} GB/s"}
                    )
            done = [r for r in rows if r["pixels"] == row["pixels"] and r["kernel"] == k and r["seconds"] != ""]
            print(
                f"  {shape[0]}x{shape[1]}, {k}x{k}: "
                + ", ".join(f"{r['method']} {1e3 * r['seconds']:.2f}" for r in done)
            )
    add_ratios(rows)
    return rows


def add_ratios(rows: list[dict]) -> None:
    for row in rows:
        same = [r for r in rows if r["pixels"] == row["pixels"] and r["kernel"] == row["kernel"]]
        for reference, column in (("scipy.ndimage", "vs_ndimage"), ("cv2.filter2D", "vs_opencv")):
            ref = [r["seconds"] for r in same if r["method"] == reference and r["seconds"] != ""]
            row[column] = f"{row['seconds'] / ref[0]:.3g}" if ref and row["seconds"] != "" else ""


# --------------------------------------------------------------------------
# memory: each method in a fresh process


def rss() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def sampled_peak(function) -> tuple[int, float]:
    """Peak resident memory above the level before the call, sampled every millisecond, and the call's time."""
    baseline, peak, running = rss(), [0], [True]

    def sample():
        while running[0]:
            peak[0] = max(peak[0], rss())
            time.sleep(0.001)

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.perf_counter()
    try:
        function()
    finally:
        elapsed = time.perf_counter() - start
        running[0] = False
        sampler.join()
    return max(peak[0], rss()) - baseline, elapsed


def memory_probe(method: str) -> None:
    """Run in a child process: warm the method up on a small image, then measure it once at 2048², 15x15."""
    rng = np.random.default_rng(0)
    image = rng.random((2048, 2048), dtype=np.float32)
    kernel = rng.standard_normal((15, 15)).astype(np.float32)
    references = load_references() if method in REFERENCES else {}
    function = references[method] if method in references else course_function(method)
    function(image[:64, :64].copy(), kernel)
    peak, seconds = sampled_peak(lambda: function(image, kernel))
    print(json.dumps({"method": method, "peak_bytes": peak, "seconds": seconds, "image_bytes": image.nbytes}))


def memory_table() -> list[dict]:
    rows = []
    for method in [m for m in COURSE if m not in ("auto", "separable")] + REFERENCES:
        child = subprocess.run(
            [sys.executable, __file__, "--memory-probe", method], capture_output=True, text=True, check=True
        )
        rows.append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(f"  {method}: peak {rows[-1]['peak_bytes'] / 2**20:.0f} MiB above the inputs")
    full_patch = fast.im2col_bytes((1, 2048, 2048), (15, 15, 1, 1), 4)
    rows.append({"method": "im2col, whole patch matrix (computed)", "peak_bytes": full_patch, "seconds": ""})
    return rows


# --------------------------------------------------------------------------
# past memory: Dask


def dask_probe(side: int, how: str) -> None:
    """Run in a child process: a lazy side x side float32 image, 3x3 correlation chunk by chunk, summed.

    ``how``: 'graph' hands the whole graph to Dask at once, 'bands' one band of chunk rows at a time. Each
    runs in its own process: memory freed by one run stays with the process and would hide the other's peak.
    """
    import dask
    import dask.array as da

    from helpers import tiles

    chunk = 1024
    fast._compiled_loops()
    kernel = np.random.default_rng(1).standard_normal((3, 3)).astype(np.float32)
    lazy_image = da.random.default_rng(0).random((side, side), chunks=chunk, dtype=np.float32)
    lazy = tiles.correlate2d_dask(lazy_image, kernel, mode="reflect", method="compiled")
    result = {"side": side, "image_bytes_float32": side * side * 4, "image_bytes_float64": side * side * 8}
    result["chunk_bytes"] = chunk * chunk * 4
    with dask.config.set(scheduler="threads", num_workers=2):
        total = []

        def whole_graph():
            total.append(float(lazy.sum(dtype=np.float64).compute()))

        def by_bands():
            band_total = 0.0
            for top in range(0, side, chunk):
                band_total += float(lazy[top : top + chunk].sum(dtype=np.float64).compute())
            total.append(band_total)

        peak, seconds = sampled_peak(whole_graph if how == "graph" else by_bands)
        result |= {"how": how, "band_rows": chunk, "peak_rss_above_start": peak, "seconds": seconds}
        # one window, checked against the in-memory correlation of the same pixels
        top, left = side // 2, side // 3
        window = lazy[top : top + 300, left : left + 300].compute()
        pixels = lazy_image[top - 1 : top + 301, left - 1 : left + 301].compute()
    exact = helpers.correlate2d(pixels, kernel, padding="valid", method="compiled")
    assert np.array_equal(window, exact), "the lazy result differs from the in-memory one"
    print(json.dumps(result | {"window_equal_to_in_memory": True, "sum": total[0]}))


# --------------------------------------------------------------------------
# output


def plots(rows: list[dict], folder: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    timed = [r for r in rows if r["seconds"] != "" and not r["method"].startswith("bandwidth")]
    methods = [m for m in COURSE + REFERENCES if any(r["method"] == m for r in timed)]
    paths = []
    kernels = sorted({r["kernel"] for r in timed})
    fig, axes = plt.subplots(1, len(kernels), figsize=(4.5 * len(kernels), 4.2), squeeze=False)
    for ax, k in zip(axes[0], kernels, strict=True):
        for method in methods:
            points = sorted((r["pixels"], r["seconds"]) for r in timed if r["method"] == method and r["kernel"] == k)
            if points:
                ax.loglog(*zip(*points, strict=True), marker="o", label=method)
        bound = sorted((r["pixels"], r["seconds"]) for r in rows if r["method"].startswith("bandwidth"))
        if k == 3 and bound:
            ax.loglog(*zip(*bound, strict=True), "k--", label="bandwidth bound")
        ax.set(title=f"{k}x{k} kernel, float32", xlabel="pixels", ylabel="seconds (median)")
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.grid(True, which="both", alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="center right", fontsize=8)
    fig.tight_layout(rect=(0, 0, 0.83, 1))
    paths.append(folder / "time_vs_pixels.png")
    fig.savefig(paths[-1], dpi=90)

    largest = max(r["pixels"] for r in timed)
    fig, ax = plt.subplots(figsize=(8.5, 4.5), layout="constrained")
    for method in methods:
        points = sorted((r["kernel"], r["seconds"]) for r in timed if r["method"] == method and r["pixels"] == largest)
        if points:
            ax.loglog(*zip(*points, strict=True), marker="o", label=method)
    crossover = fft_crossover([r for r in timed if r["pixels"] == largest])
    if crossover:
        ax.axvline(crossover, color="gray", linestyle=":", label=f"FFT beats compiled from k = {crossover}")
    side = next(r for r in timed if r["pixels"] == largest)
    ax.set(title=f"time against kernel size, {side['height']}x{side['width']}", xlabel="kernel side k")
    ax.set(ylabel="seconds (median)")
    kernels_here = sorted({r["kernel"] for r in timed if r["pixels"] == largest})
    ax.set_xticks(kernels_here, [str(k) for k in kernels_here])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    paths.append(folder / "time_vs_kernel.png")
    fig.savefig(paths[-1], dpi=90)
    plt.close("all")
    return paths


def fft_crossover(rows: list[dict]) -> int | None:
    """The smallest kernel side at which 'fft' is faster than 'compiled', if any."""
    by = {(r["method"], r["kernel"]): r["seconds"] for r in rows}
    for k in sorted({r["kernel"] for r in rows}):
        if ("fft", k) in by and ("compiled", k) in by and by[("fft", k)] < by[("compiled", k)]:
            return k
    return None


def summary(rows, memory, dask_rows, versions, quick, elapsed) -> str:
    lines = [f"# Benchmark ({'--quick' if quick else 'full'}), {time.strftime('%Y-%m-%d %H:%M')}", ""]
    lines.append(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; " + json.dumps(versions))
    lines += ["", "Ratios are time / time of scipy.ndimage.correlate and of cv2.filter2D (float32, zero borders).", ""]
    lines.append("| image | k | method | ms | vs ndimage | vs OpenCV | note |")
    lines.append("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        ms = f"{1e3 * r['seconds']:.2f}" if r["seconds"] != "" else "-"
        lines.append(
            f"| {r['height']}x{r['width']} | {r['kernel']} | {r['method']} | {ms} | {r['vs_ndimage']} "
            f"| {r['vs_opencv']} | {r.get('note', '')} |"
        )
    auto = [r for r in rows if r["method"] == "auto" and r["seconds"] != ""]
    worst = max(auto, key=lambda r: float(r["vs_ndimage"]))
    large = [r for r in auto if r["kernel"] >= 15]
    lines += ["", "## Targets for 'auto'", ""]
    lines.append(
        f"- no slower than scipy.ndimage anywhere: worst ratio {worst['vs_ndimage']} at "
        f"{worst['height']}x{worst['width']}, {worst['kernel']}x{worst['kernel']} "
        f"({'met' if float(worst['vs_ndimage']) <= 1 else 'missed'})"
    )
    if large:
        big = max(large, key=lambda r: float(r["vs_ndimage"]))
        lines.append(
            f"- at most 0.15x ndimage for k >= 15: worst {big['vs_ndimage']} at {big['height']}x{big['width']}, "
            f"{big['kernel']}x{big['kernel']} ({'met' if float(big['vs_ndimage']) <= 0.15 else 'missed'})"
        )
    target = [r for r in auto if r["pixels"] == 2048 * 2048 and r["kernel"] == 3]
    if target:
        ratio = float(target[0]["vs_opencv"])
        lines.append(f"- within 4x of OpenCV at 3x3 on 2048²: {ratio:.2f}x ({'met' if ratio <= 4 else 'missed'})")
    lines += compiled_targets(rows)
    lines += [
        "",
        "## Peak memory at 2048x2048, 15x15 (float32 image: 16 MiB)",
        "",
        "| method | peak MiB |",
        "| --- | --- |",
    ]
    lines += [f"| {m['method']} | {m['peak_bytes'] / 2**20:.0f} |" for m in memory]
    if dask_rows:
        d = dask_rows[0]
        lines += ["", f"## Past memory: lazy Dask, 3x3, chunks of {d['band_rows']}² pixels", ""]
        lines.append(
            f"- image {d['side']}x{d['side']}: {d['image_bytes_float32'] / 2**30:.2f} GiB as float32, "
            f"{d['image_bytes_float64'] / 2**30:.2f} GiB as float64; one chunk {d['chunk_bytes'] / 2**20:.0f} MiB"
        )
        names = {"graph": "the whole graph at once", "bands": "one band of chunk rows at a time"}
        for d in dask_rows:
            peak = d["peak_rss_above_start"]
            lines.append(
                f"- {names[d['how']]} (own process): peak resident memory above the start {peak / 2**20:.0f} MiB "
                f"({peak / d['image_bytes_float32']:.1%} of the float32 image), {d['seconds']:.1f} s"
            )
        lines.append("- in each run a 300x300 window equals the in-memory result exactly")
    lines += ["", f"Whole run: {elapsed:.0f} s."]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# a fresh process: what a script that calls correlate2d 50 times gets

FRESH_CALLS = 50
FRESH_CASES = [("2048x2048", 3), ("2048x2048", 15), ("2048x2048", 31), ("128x128x64", 3)]

FRESH_CODE = """
import json, sys, time
import numpy as np
shape, k, method, calls = json.loads(sys.argv[1])
rng = np.random.default_rng(0)
image = rng.random(shape, dtype=np.float32)
kernel = rng.standard_normal((k, k) if len(shape) == 2 else (k, k, shape[2], shape[2])).astype(np.float32)
if method == "scipy.ndimage":
    import scipy.ndimage
    function = lambda: scipy.ndimage.correlate(image, kernel, mode="constant")
else:
    import helpers
    from helpers import fast
    function = lambda: helpers.correlate2d(image, kernel, method=method)
picks, seconds = [], 0.0
for _ in range(calls):
    if method == "auto":  # what auto is about to pick; asking is not timed
        picks.append(fast.choose_method(image, kernel))
    start = time.perf_counter()
    function()
    seconds += time.perf_counter() - start
print(json.dumps({"seconds": seconds, "picks": picks}))
"""


def parse_case(text: str) -> tuple[tuple[int, ...], int]:
    """'2048x2048' and 3 -> ((2048, 2048), 3); '128x128x64' is an image with 64 channels, kernel 64 to 64."""
    return tuple(int(n) for n in text.split("x"))


def fresh_run(shape: tuple, k: int, method: str, calls: int = FRESH_CALLS) -> dict:
    """Seconds for ``calls`` calls in a new interpreter (imports not counted, numba's start-up counted)."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    argument = json.dumps([list(shape), k, method, calls])
    child = subprocess.run(
        [sys.executable, "-c", FRESH_CODE, argument], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def fresh_table(cases: list[tuple[str, int]]) -> list[dict]:
    """Per case: auto, scipy.ndimage (one channel) and the course's fastest method, each in a fresh process."""
    rows = []
    for text, k in cases:
        shape = parse_case(text)
        rng = np.random.default_rng(0)
        image = rng.random(shape, dtype=np.float32)
        kernel = rng.standard_normal((k, k) if len(shape) == 2 else (k, k, shape[2], shape[2])).astype(np.float32)
        fast._compiled_loops()
        warm = {}
        predicted = fast.estimate_costs(image, kernel)
        for method in ("shift", "compiled", "im2col", "fft"):
            if predicted.get(method, 0.0) > 5.0:  # far from the fastest: not worth minutes here
                continue
            function = partial(course_function(method), image, kernel)
            try:
                function()
            except ValueError:  # over the size limit, or fft could overflow
                continue
            warm[method] = median_time(function, 3)
        fastest = min(warm, key=warm.get)
        contenders = ["auto", fastest] + (["scipy.ndimage"] if len(shape) == 2 else [])
        result = {"image": text, "kernel": k, "fastest_own": fastest, "fastest_own_warm_ms": 1e3 * warm[fastest]}
        for method in contenders:
            run = fresh_run(shape, k, method)
            result[f"{method}_s"] = run["seconds"]
            if method == "auto":
                picks = run["picks"]
                result["auto_picks"] = ", ".join(f"{name} x{picks.count(name)}" for name in dict.fromkeys(picks))
        result["auto_vs_fastest_own"] = result["auto_s"] / result[f"{fastest}_s"]
        if "scipy.ndimage_s" in result:
            result["auto_vs_ndimage"] = result["auto_s"] / result["scipy.ndimage_s"]
        rows.append(result)
        print(
            f"  {text}, {k}x{k}, {FRESH_CALLS} calls in a fresh process: auto {result['auto_s']:.3f} s "
            f"({result['auto_picks']}), {fastest} {result[f'{fastest}_s']:.3f} s"
            + (f", scipy.ndimage {result['scipy.ndimage_s']:.3f} s" if "scipy.ndimage_s" in result else "")
        )
    return rows


def compiled_targets(rows: list[dict]) -> list[str]:
    """The target for 'compiled' (issue 23): within 2.5x of OpenCV at 3x3 on 2048² and 4096², float32."""
    timed = [
        r
        for r in rows
        if r["method"] == "compiled" and r["kernel"] == 3 and r["pixels"] in (2048**2, 4096**2) and r["seconds"] != ""
    ]
    if not timed:
        return []
    lines = ["", "## Target for 'compiled'", ""]
    for r in timed:
        ratio = float(r["vs_opencv"])
        lines.append(
            f"- within 2.5x of OpenCV at 3x3 on {r['height']}x{r['width']}: {ratio:.2f}x "
            f"({'met' if ratio <= 2.5 else 'missed'})"
        )
    return lines


def fresh_targets(rows: list[dict]) -> list[str]:
    """The targets in a fresh process: auto at most 1.0x scipy.ndimage below 15x15 and 0.15x from 15x15 on,
    and at most 2x the course's fastest method (warm, in its own fresh process) in every case."""
    lines = []
    for r in rows:
        case = f"{r['image']}, {r['kernel']}x{r['kernel']}"
        if "auto_vs_ndimage" in r:
            limit = 1.0 if r["kernel"] < 15 else 0.15
            ratio = r["auto_vs_ndimage"]
            lines.append(
                f"- {case}: auto {ratio:.2f}x ndimage, at most {limit}x ({'met' if ratio <= limit else 'missed'})"
            )
        ratio = r["auto_vs_fastest_own"]
        lines.append(
            f"- {case}: auto {ratio:.2f}x {r['fastest_own']}, at most 2x ({'met' if ratio <= 2 else 'missed'})"
        )
    return ["", "Targets:", "", *lines] if lines else []


def fresh_summary(rows: list[dict]) -> list[str]:
    lines = ["", f"## A fresh process: {FRESH_CALLS} calls, float32, zero borders (numba's start-up included)", ""]
    lines.append(
        "| image | k | auto s | auto's picks | fastest own (warm) | its s | ndimage s | auto/ndimage | auto/own |"
    )
    lines.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        ndimage_s = f"{r['scipy.ndimage_s']:.3f}" if "scipy.ndimage_s" in r else "-"
        vs_ndimage = f"{r['auto_vs_ndimage']:.2f}" if "auto_vs_ndimage" in r else "-"
        lines.append(
            f"| {r['image']} | {r['kernel']} | {r['auto_s']:.3f} | {r['auto_picks']} | {r['fastest_own']} | "
            f"{r[r['fastest_own'] + '_s']:.3f} | {ndimage_s} | {vs_ndimage} | {r['auto_vs_fastest_own']:.2f} |"
        )
    return lines + fresh_targets(rows)


# --------------------------------------------------------------------------
# a GPU, when TensorFlow sees one


def gpu_timings(repeats: int = 20) -> tuple[list[dict], str]:
    """tf.nn.conv2d on the GPU at 2048² and 4096², float32, or ([], the reason it was skipped).

    Honest GPU timing: the GPU runs asynchronously, so the clock is read only after
    synchronising (``tf.test.experimental.sync_devices``). TF32 (10-bit mantissas in the
    products, TensorFlow's default on Ampere and later GPUs) is turned off here, so the
    products are float32 as on the CPU.
    """
    tf = helpers.import_tensorflow()
    tf.config.experimental.enable_tensor_float_32_execution(False)
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return [], "skipped: TensorFlow sees no GPU (tf.config.list_physical_devices('GPU') is empty)"
    sync = getattr(getattr(tf.test, "experimental", None), "sync_devices", None)
    if sync is None:
        return [], f"skipped: TensorFlow {tf.__version__} has no tf.test.experimental.sync_devices to time honestly"
    rows = []
    rng = np.random.default_rng(0)
    for side in (2048, 4096):
        for k in (3, 15):
            with tf.device("/GPU:0"):
                image = tf.constant(rng.random((1, side, side, 1), dtype=np.float32))
                kernel = tf.constant(rng.standard_normal((k, k, 1, 1)).astype(np.float32))
                tf.nn.conv2d(image, kernel, 1, "SAME")
                sync()
                start = time.perf_counter()
                for _ in range(repeats):
                    tf.nn.conv2d(image, kernel, 1, "SAME")
                sync()
                seconds = (time.perf_counter() - start) / repeats
            rows.append({"side": side, "kernel": k, "ms": 1e3 * seconds, "device": gpus[0].name})
            print(f"  tf.nn.conv2d on {gpus[0].name}, {side}x{side}, {k}x{k}: {1e3 * seconds:.3f} ms")
    return rows, ""


# --------------------------------------------------------------------------
# fitting the cost model of 'auto' (helpers.fast.COST_NS) to this machine

FIT_SINGLE = {"sizes": [(256, 256), (1024, 1024), (2048, 2048)], "kernels": [3, 7, 15, 31]}
FIT_CHANNELS = [((128, 128), 3, 8), ((128, 128), 16, 16), ((64, 64), 64, 64), ((128, 128), 64, 64)]
VARIANTS = ["shift", "compiled", "im2col", "fft", "separable/shift", "separable/compiled"]


def variant_call(variant: str, image: np.ndarray, kernel: np.ndarray):
    """A function that runs one method (or separable with one engine) on prepared arrays, and its work units."""
    batch, weights, _ = fast._prepare(image, kernel)
    padded, _, _, out_shape, s, d = fast._pad_for_window(
        batch, weights.shape[:2], "same", "constant", 0.0, 1, 1, out_channels=weights.shape[3]
    )
    factors = fast._factors_hwio(weights)
    terms = fast._terms(padded.shape, weights.shape, out_shape, padded.itemsize, factors is not None)
    if variant not in terms:
        return None, None
    if variant.startswith("separable/"):
        engine = variant.split("/")[1]
        return (lambda: fast._separable(padded, factors, out_shape, s, d, engine=engine)), terms[variant]
    if variant == "compiled":
        return (lambda: fast._compiled(padded, weights, out_shape, s, d)), terms[variant]
    return (lambda: fast._ENGINES[variant](padded, weights, out_shape, s, d)), terms[variant]


def numba_start_seconds() -> float:
    """Importing numba and loading the compiled loops, in a fresh process (its cache already written).

    numba loads a loop's machine code from its cache on the first call with each type signature (and starts
    its threads on the first parallel one), not at import: the start-up is the import plus the first
    call's time beyond what a second identical call takes. The call, a float32 512x512 image and a 9x9
    kernel, is large enough to run the parallel loop.
    """
    code = (
        "import time, numpy, helpers; from helpers import fast\n"
        "image, kernel = numpy.ones((512, 512), numpy.float32), numpy.ones((9, 9), numpy.float32)\n"
        "times = []\n"
        "for _ in range(2):\n"
        "    start = time.perf_counter()\n"
        "    helpers.correlate2d(image, kernel, method='compiled')\n"
        "    times.append(time.perf_counter() - start)\n"
        "print(times[0] - times[1])"
    )
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], env=environment, check=True, capture_output=True)  # fills the cache
    times = [
        float(subprocess.run([sys.executable, "-c", code], env=environment, check=True, capture_output=True).stdout)
        for _ in range(3)
    ]
    return statistics.median(times)


def fit_measurements(budget_s: float = 1.0, repeats: int = 3) -> list[tuple[str, dict, float, str]]:
    """(variant, work units, seconds, case) for each method over sizes, kernels, channels and both dtypes."""
    rng = np.random.default_rng(0)
    fast._compiled_loops()
    cases = []
    for dtype in (np.float32, np.float64):
        for shape in FIT_SINGLE["sizes"]:
            for k in FIT_SINGLE["kernels"]:
                cases.append((f"{shape[0]}x{shape[1]} {k}x{k} {np.dtype(dtype).name}", shape, (k, k), dtype))
        for shape, c_in, c_out in FIT_CHANNELS:
            for k in (1, 3):
                name = f"{shape[0]}x{shape[1]}x{c_in} {k}x{k}x{c_in}x{c_out} {np.dtype(dtype).name}"
                cases.append((name, (*shape, c_in), (k, k, c_in, c_out), dtype))
    rows = []
    for name, shape, kernel_shape, dtype in cases:
        image = rng.random(shape).astype(dtype)
        if len(kernel_shape) == 2:
            kernel = np.outer(*[helpers.gaussian_kernel(kernel_shape[0])[kernel_shape[0] // 2]] * 2).astype(dtype)
        else:
            kernel = rng.standard_normal(kernel_shape).astype(dtype)
        for variant in VARIANTS:
            function, terms = variant_call(variant, image, kernel)
            if function is None or fast._price(terms) * 1e-9 > budget_s:
                continue
            function()  # warm-up
            rows.append((variant, terms, median_time(function, repeats), name))
        print(f"  {name}: " + ", ".join(f"{v} {1e3 * t:.2f} ms" for v, _, t, c in rows if c == name))
    return rows


def fit_cost_model(rows: list[tuple[str, dict, float, str]]) -> dict[str, float]:
    """Non-negative least squares on relative error: sum over units of COST_NS[unit] * count ~ seconds."""
    from scipy.optimize import nnls

    units = sorted({unit for _, terms, _, _ in rows for unit in terms})
    matrix = np.array([[terms.get(unit, 0.0) / (seconds * 1e9) for unit in units] for _, terms, seconds, _ in rows])
    solution, _ = nnls(matrix, np.ones(len(rows)))
    # least squares on relative errors favours predicting too little; one common factor (which leaves the
    # ranking of methods alone) makes the median prediction equal the measurement, as the ski rental needs
    # absolute times to weigh them against numba's start-up
    ratios = matrix @ solution
    solution = solution / float(np.median(ratios[ratios > 0])) if np.any(ratios > 0) else solution
    return {unit: float(f"{value:.3g}") for unit, value in zip(units, solution, strict=True)}


def fit_report(rows: list, constants: dict) -> str:
    """How well the fitted model predicts the times, and how often it ranks the fastest method first."""
    saved = dict(fast.COST_NS)
    fast.COST_NS.update(constants)
    try:
        errors = [fast._price(terms) * 1e-9 / seconds for _, terms, seconds, _ in rows]
        cases = sorted({case for *_, case in rows})
        hits, lines = 0, []
        for case in cases:
            measured = {v: t for v, _, t, c in rows if c == case}
            predicted = {v: fast._price(terms) for v, terms, _, c in rows if c == case}
            best, picked = min(measured, key=measured.get), min(predicted, key=predicted.get)
            hits += best == picked
            if best != picked:
                lines.append(
                    f"    {case}: fastest {best} ({1e3 * measured[best]:.2f} ms), model picks {picked} "
                    f"({1e3 * measured[picked]:.2f} ms, {measured[picked] / measured[best]:.2f}x)"
                )
    finally:
        fast.COST_NS.clear()
        fast.COST_NS.update(saved)
    quartiles = np.percentile(errors, [10, 50, 90])
    return "\n".join(
        [
            f"predicted / measured time over {len(rows)} runs: 10%, 50%, 90% quantiles "
            + ", ".join(f"{q:.2f}" for q in quartiles),
            f"the model ranks the measured fastest first in {hits} of {len(cases)} cases; where it does not:",
            *lines,
        ]
    )


def fit_main() -> int:
    print("timing every method across sizes, kernels, channels and dtypes (a few minutes):")
    rows = fit_measurements()
    constants = fit_cost_model(rows)
    constants["numba_start"] = float(f"{numba_start_seconds() * 1e9:.3g}")
    print(fit_report(rows, constants))
    print("\nfitted constants; to use them: helpers.fast.COST_NS.update(...) or paste into helpers/fast.py")
    print("COST_NS = " + json.dumps(constants, indent=4))
    return 0


def positive_int(text: str) -> int:
    """argparse type: an int of at least 1 (``--dask-probe 0`` is refused, not taken as 'not given')."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of pixels, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def writable_folder(folder: Path) -> str:
    """Why results cannot be written to ``folder``, or '' (checked before any timing)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        return f"cannot write results to {folder}: {error.strerror or error}"
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats: about a minute")
    parser.add_argument(
        "--fit", action="store_true", help="time each method and fit the constants of auto's cost model (COST_NS)"
    )
    parser.add_argument(
        "--fresh",
        nargs="*",
        metavar="IMAGExK",
        help="only the fresh-process table, for these cases (default: "
        + " ".join(f"{image}x{k}" for image, k in FRESH_CASES)
        + "); e.g. --fresh 2048x2048x3 128x128x64x3",
    )
    parser.add_argument("--gpu", action="store_true", help="only time tf.nn.conv2d on a GPU (skips without one)")
    parser.add_argument("--memory-probe", choices=COURSE + REFERENCES, help=argparse.SUPPRESS)
    parser.add_argument("--dask-probe", type=positive_int, help=argparse.SUPPRESS)
    parser.add_argument("--dask-how", choices=("graph", "bands"), default="bands", help=argparse.SUPPRESS)
    parser.add_argument("--replot", action="store_true", help="redraw the plots from the folder's timings.csv")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the results (default benchmarks/results)")
    args = parser.parse_args(argv)
    if args.fit:
        return fit_main()
    if args.gpu:
        rows, reason = gpu_timings()
        print(reason or json.dumps(rows))
        return 0
    if args.fresh is not None:
        cases = FRESH_CASES
        if args.fresh:
            try:
                cases = [(text.rsplit("x", 1)[0], int(text.rsplit("x", 1)[1])) for text in args.fresh]
                [parse_case(image) for image, _ in cases]
            except (ValueError, IndexError):
                parser.error(f"--fresh takes cases such as 2048x2048x3 (image, then kernel side), got {args.fresh}")
        print("\n".join(fresh_summary(fresh_table(cases))))
        return 0
    if args.memory_probe:
        memory_probe(args.memory_probe)
        return 0
    if args.dask_probe:
        dask_probe(args.dask_probe, args.dask_how)
        return 0

    if args.replot:
        with open(args.out / "timings.csv", newline="") as handle:
            rows = [
                r
                | {"pixels": int(r["pixels"]), "kernel": int(r["kernel"])}
                | {"seconds": float(r["seconds"]) if r["seconds"] else ""}
                for r in csv.DictReader(handle)
            ]
        print("\n".join(str(path) for path in plots(rows, args.out)))
        return 0

    problem = writable_folder(args.out)
    if problem:
        parser.error(f"--out: {problem}")
    started = time.perf_counter()
    config = QUICK if args.quick else FULL
    repeats, budget = (3, 1.5) if args.quick else (7, 10.0)
    references = load_references()
    import scipy.ndimage

    references["_exact"] = lambda image, kernel: scipy.ndimage.correlate(
        image.astype(np.float64), kernel.astype(np.float64), mode="constant"
    )
    versions = references.pop("_versions")
    versions["numba"] = __import__("numba").__version__
    print("timings (ms, median):")
    rows = sweep(config, repeats, budget, references)
    if not args.quick:
        loop_image = np.random.default_rng(0).random((303, 497), dtype=np.float32)
        loop_kernel = np.random.default_rng(1).standard_normal((3, 3)).astype(np.float32)
        seconds = median_time(lambda: helpers.correlate2d(loop_image, loop_kernel, method="loop"), 1)
        rows.append(
            {
                "height": 303,
                "width": 497,
                "pixels": 303 * 497,
                "kernel": 3,
                "method": "loop",
                "kernel_kind": "random",
                "seconds": seconds,
                "note": "notebook 02's loop, once",
            }
        )
        add_ratios(rows)
    print(f"{FRESH_CALLS} calls in a fresh process:")
    fresh_rows = fresh_table(FRESH_CASES if not args.quick else FRESH_CASES[:1])
    print("peak memory at 2048x2048, 15x15, each method in a fresh process:")
    memory = memory_table()
    side = 8000 if args.quick else 20000
    dask_rows = []
    for how in ("graph", "bands"):
        print(f"lazy Dask run on {side}x{side} ({how}):")
        command = [sys.executable, __file__, "--dask-probe", str(side), "--dask-how", how]
        child = subprocess.run(command, capture_output=True, text=True)
        if child.returncode == 0:
            dask_rows.append(json.loads(child.stdout.strip().splitlines()[-1]))
        else:
            print(child.stderr[-2000:])

    fields = ["height", "width", "pixels", "kernel", "method", "kernel_kind", "seconds", "relative_error"]
    fields += ["vs_ndimage", "vs_opencv", "note"]
    with open(args.out / "timings.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    with open(args.out / "memory.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["method", "peak_bytes", "seconds"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(memory)
    if dask_rows:
        with open(args.out / "dask.csv", "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(dask_rows[0]))
            writer.writeheader()
            writer.writerows(dask_rows)
    plots(rows, args.out)
    text = summary(rows, memory, dask_rows, versions, args.quick, time.perf_counter() - started)
    text = text.replace("\n## Peak memory", "\n".join(fresh_summary(fresh_rows)) + "\n\n## Peak memory", 1)
    (args.out / "summary.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
