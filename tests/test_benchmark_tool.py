"""benchmarks/run.py checks its arguments and its output folder before any timing (no timing is asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scripts import load_script

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "run.py"


def run(*arguments: str, **environment: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **environment}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True, env=env, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def bench():
    return load_script(SCRIPT, name="bench_run")


def test_an_output_folder_it_cannot_write_is_refused_before_any_timing(tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    start = time.perf_counter()
    result = run("--quick", "--out", str(blocker / "results"))
    assert result.returncode == 2
    assert "--out: cannot write results to" in result.stderr
    assert "timings" not in result.stdout  # the sweep never started
    assert time.perf_counter() - start < 120


def test_the_writable_check_writes_nothing_behind(bench, tmp_path):
    assert bench.writable_folder(tmp_path / "new") == ""
    assert list((tmp_path / "new").iterdir()) == []


@pytest.mark.parametrize("value", ["0", "-5", "many"])
def test_dask_probe_needs_a_positive_side(value):
    result = run("--dask-probe", value)
    assert result.returncode == 2
    assert "--dask-probe" in result.stderr


def test_fresh_cases_must_read_as_image_then_kernel():
    result = run("--fresh", "2048by2048")
    assert result.returncode == 2 and "--fresh takes cases such as" in result.stderr


def test_a_fresh_process_run_reports_auto_s_picks(bench):
    result = bench.fresh_run((64, 64), 3, "auto", calls=3)
    assert len(result["picks"]) == 3 and result["seconds"] > 0


def test_gpu_timing_is_skipped_with_a_reason_without_a_gpu():
    result = run("--gpu", CUDA_VISIBLE_DEVICES="")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "skipped: TensorFlow sees no GPU" in result.stdout


def test_the_fit_recovers_known_constants(bench):
    """Times made from known costs per unit come back from the fit (no clock involved)."""
    truth = {"pass": 0.3, "gemm": 0.07, "numpy_call": 1500.0}
    rows = []
    for i, terms in enumerate(
        [{"pass": 1e7, "numpy_call": 18}, {"pass": 4e6, "gemm": 2e8, "numpy_call": 18}, {"pass": 1e5, "numpy_call": 50}]
    ):
        seconds = sum(truth[unit] * count for unit, count in terms.items()) * 1e-9
        rows.append(("shift", terms, seconds, f"case {i}"))
    fitted = bench.fit_cost_model(rows)
    for unit, value in truth.items():
        assert fitted[unit] == pytest.approx(value, rel=1e-2)


def test_the_summary_says_whether_each_target_is_met(bench):
    # made-up measurements, one on each side of every limit
    fresh = [
        {
            "image": "2048x2048",
            "kernel": 3,
            "auto_vs_ndimage": 0.66,
            "auto_vs_fastest_own": 1.76,
            "fastest_own": "compiled",
        },
        {"image": "2048x2048", "kernel": 15, "auto_vs_ndimage": 0.16, "auto_vs_fastest_own": 2.1, "fastest_own": "fft"},
        {"image": "128x128x64", "kernel": 3, "auto_vs_fastest_own": 0.93, "fastest_own": "shift"},
    ]
    assert bench.fresh_targets(fresh) == [
        "",
        "Targets:",
        "",
        "- 2048x2048, 3x3: auto 0.66x ndimage, at most 1.0x (met)",
        "- 2048x2048, 3x3: auto 1.76x compiled, at most 2x (met)",
        "- 2048x2048, 15x15: auto 0.16x ndimage, at most 0.15x (missed)",
        "- 2048x2048, 15x15: auto 2.10x fft, at most 2x (missed)",
        "- 128x128x64, 3x3: auto 0.93x shift, at most 2x (met)",
    ]
    timings = [
        {
            "method": "compiled",
            "kernel": 3,
            "pixels": 2048**2,
            "height": 2048,
            "width": 2048,
            "seconds": 0.003,
            "vs_opencv": "1.62",
        },
        {
            "method": "compiled",
            "kernel": 3,
            "pixels": 4096**2,
            "height": 4096,
            "width": 4096,
            "seconds": 0.05,
            "vs_opencv": "2.6",
        },
        {
            "method": "compiled",
            "kernel": 5,
            "pixels": 2048**2,
            "height": 2048,
            "width": 2048,
            "seconds": 0.007,
            "vs_opencv": "9",
        },
        {
            "method": "compiled",
            "kernel": 3,
            "pixels": 512**2,
            "height": 512,
            "width": 512,
            "seconds": 0.001,
            "vs_opencv": "9",
        },
    ]
    assert bench.compiled_targets(timings)[3:] == [
        "- within 2.5x of OpenCV at 3x3 on 2048x2048: 1.62x (met)",
        "- within 2.5x of OpenCV at 3x3 on 4096x4096: 2.60x (missed)",
    ]
    assert bench.compiled_targets(timings[2:]) == []
