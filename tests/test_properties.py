"""Every public helper, given random arguments, answers right or refuses by name, within its memory limit.

The cases are made and checked by tests/property_driver.py, run in a
subprocess whose address space is capped with resource.setrlimit (a helper
that tried to allocate gigabytes would fail there with MemoryError, not fill
this machine), with the size limit lowered to 4 MiB so that ordinary small
arrays reach it. See the driver's docstring for what is checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests" / "property_driver.py"
LIMIT = 4 << 20


def test_random_arguments_give_a_right_answer_or_a_named_refusal_within_the_limit():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, str(DRIVER), "0", "200", str(LIMIT)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["failure_count"] == 0, "\n".join(report["failures"])
    outcomes = report["outcomes"]
    # the property has teeth only if both sides were reached: right answers, and refusals at the limit
    for name in ("correlate2d", "convolve2d", "depthwise_correlate2d", "pool2d"):
        assert outcomes.get(f"{name}: ok", 0) >= 5, outcomes
        assert outcomes.get(f"{name}: refused (over the limit)", 0) >= 2, outcomes
    for name in ("output_size", "correlate2d_loop", "squash", "to_grayscale", "show_images", "gaussian_kernel"):
        assert outcomes.get(f"{name}: ok", 0) >= 3, outcomes
    assert outcomes.get("fetch_image: refused", 0) >= 3, outcomes
