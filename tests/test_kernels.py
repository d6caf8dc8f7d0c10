"""The kernel gallery at its edges: huge Gaussian sizes, and names that are not names."""

from __future__ import annotations

import math
import tracemalloc
from fractions import Fraction

import numpy as np
import pytest

import helpers
from helpers import _checks


@pytest.mark.parametrize("size", [1, 3, 5, 9, 31, 57, 59, 101, 257])
def test_gaussians_are_the_binomial_weights_rounded_once_or_twice(size):
    n = size - 1
    row = [Fraction(math.comb(n, i), 2**n) for i in range(size)]
    expected = np.array([[float(a * b) for b in row] for a in row])
    if size <= 57:  # every C(n, i) below 2**53: each weight is the exact product, rounded once
        np.testing.assert_array_equal(helpers.gaussian_kernel(size), expected)
    else:
        np.testing.assert_allclose(helpers.gaussian_kernel(size), expected, rtol=4e-16, atol=0)


@pytest.mark.parametrize("size", [513, 519, 1025, 2049, 4097])
def test_large_gaussians_are_finite_normalised_and_binomial(size):
    kernel = helpers.gaussian_kernel(size)  # 513 was all zeros, 519 and up held NaN
    assert kernel.shape == (size, size)
    assert np.all(np.isfinite(kernel)) and kernel.min() >= 0
    assert kernel.sum() == pytest.approx(1.0, abs=1e-12)
    centre = size // 2
    # the largest weight is C(n, n/2)^2 / 4^n, about 2 / (pi n) for large n
    n = size - 1
    exact_centre = Fraction(math.comb(n, n // 2), 2**n) ** 2
    assert kernel[centre, centre] == pytest.approx(float(exact_centre), rel=1e-13)
    np.testing.assert_array_equal(kernel, kernel.T)
    np.testing.assert_array_equal(kernel, kernel[::-1, ::-1])


def test_a_gaussian_over_the_size_limit_is_refused_before_allocating():
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"size.*over the limit"):
            helpers.gaussian_kernel(60001)  # ended in MemoryError after allocating
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


def test_the_gaussian_size_limit_follows_max_array_bytes(monkeypatch):
    monkeypatch.setattr(_checks, "MAX_ARRAY_BYTES", 8 * 101 * 101)
    assert helpers.gaussian_kernel(101).shape == (101, 101)
    with pytest.raises(ValueError, match="over the limit"):
        helpers.gaussian_kernel(103)


@pytest.mark.parametrize("size", [0, -1, 4, 2.0, True, "5", None])
def test_a_gaussian_size_that_is_not_an_odd_positive_int_is_refused(size):
    with pytest.raises(ValueError, match="size must be an odd positive int"):
        helpers.gaussian_kernel(size)


@pytest.mark.parametrize("name", [["sobel_x"], None, 3, ("sobel_x",)])
def test_describe_kernel_refuses_a_name_that_is_not_a_string(name):
    with pytest.raises(TypeError, match=r"name must be one of .*'sobel_x'.* \(a string\)"):
        helpers.describe_kernel(name)


def test_describe_kernel_refuses_an_unknown_name_listing_the_gallery():
    with pytest.raises(ValueError, match=r"name must be one of 'identity', .*'motion_blur', got 'blurr'"):
        helpers.describe_kernel("blurr")
