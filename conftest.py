"""Settings for the whole test run (helpers' doctests, tests/ and notebooks/)."""

import os

# Stored notebook outputs were made with the stand-in image; every machine,
# online or not, must reproduce them. Set before nbval starts any kernel.
os.environ["CONVOLUTION_COURSE_STAND_IN"] = "1"
# A photograph chosen with CONVOLUTION_COURSE_IMAGE would win over the stand-in;
# only tests/test_other_photographs_*.py set it, for the kernels they start.
os.environ.pop("CONVOLUTION_COURSE_IMAGE", None)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("PYTHONHASHSEED", "0")

import matplotlib
import matplotlib.font_manager
import numpy as np
import pytest

matplotlib.use("Agg")  # for this process only; kernels keep their inline backend


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    doctest_namespace["np"] = np


def _category(nodeid: str) -> str:
    if nodeid.startswith("notebooks/"):
        return "nbval notebook cells"
    if nodeid.startswith("helpers/"):
        return "docstring examples"
    if nodeid.startswith("tests/test_other_photographs_"):
        return "notebooks run on other photographs (no output comparison)"
    if nodeid.startswith("tests/test_download.py"):
        return "download tests (local HTTP server)"
    if nodeid.startswith(("tests/test_against_tensorflow.py", "tests/test_transposed.py")):
        return "TensorFlow comparison tests"
    if nodeid.startswith("tests/test_notebook_hygiene.py"):
        return "notebook hygiene tests"
    if nodeid.startswith("tests/test_claims_"):
        return "notebook claims checked in tests"
    if nodeid.startswith("tests/test_exercises.py"):
        return "exercise checker tests"
    if nodeid.startswith("tests/test_site.py"):
        return "website build and browser tests"
    if nodeid.startswith(("tests/test_links.py", "tests/test_navigation.py")):
        return "link and navigation tests"
    return "unit tests"


def pytest_terminal_summary(terminalreporter):
    """One line per kind of test, so a run says what it covered, not only how many passed."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "error", "skipped", "xfailed", "xpassed"):
        for report in terminalreporter.stats.get(outcome, []):
            # a test passes in its call; it may fail, error or be skipped already in its setup
            when = getattr(report, "when", None)
            if when == "call" or (when == "setup" and outcome != "passed"):
                bucket = counts.setdefault(_category(report.nodeid), {})
                bucket[outcome] = bucket.get(outcome, 0) + 1
    if counts:
        terminalreporter.section("what ran")
        for name in sorted(counts):
            detail = ", ".join(f"{n} {outcome}" for outcome, n in counts[name].items())
            terminalreporter.write_line(f"{name}: {detail}")
