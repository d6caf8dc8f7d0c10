"""ruff, on the helpers, tests, tools and every notebook, is part of the test run."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def ruff(*arguments: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "ruff", *arguments]  # the pinned ruff of this environment
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "arguments",
    [("check", "."), ("format", "--check", "helpers", "tests", "tools", "conftest.py")],
    ids=["ruff check", "ruff format --check"],
)
def test_ruff(arguments):
    result = ruff(*arguments)
    assert result.returncode == 0, result.stdout + result.stderr
