"""Settings for the whole test run (helpers' doctests, tests/ and notebooks/)."""

import os

# Stored notebook outputs were made with the stand-in image; every machine,
# online or not, must reproduce them. Set before nbval starts any kernel.
os.environ["CONVOLUTION_COURSE_STAND_IN"] = "1"
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
