"""The synthetic edge images that notebook 08 trains a network on."""

from __future__ import annotations

import numpy as np
import pytest

import helpers
from helpers.synthetic import EDGE_ANGLES, EDGE_CLASSES, oriented_edges


def test_shapes_dtypes_and_balanced_labels():
    images, labels = oriented_edges(103, size=10, seed=3)
    assert images.shape == (103, 10, 10, 1) and images.dtype == np.float32
    assert labels.shape == (103,) and labels.dtype == np.int64
    counts = np.bincount(labels, minlength=len(EDGE_CLASSES))
    assert counts.tolist() == [26, 26, 26, 25]
    assert len(EDGE_CLASSES) == len(EDGE_ANGLES) == 4


def test_the_seed_fixes_everything_and_changes_everything():
    first, first_labels = oriented_edges(20, seed=5)
    again, again_labels = oriented_edges(20, seed=5)
    other, _ = oriented_edges(20, seed=6)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first_labels, again_labels)
    assert not np.array_equal(first, other)


def test_without_noise_values_stay_between_0_and_1_and_both_sides_differ():
    images, _ = oriented_edges(200, noise=0.0, seed=1)
    assert images.min() >= 0.0 and images.max() <= 1.0
    spread = images.max(axis=(1, 2, 3)) - images.min(axis=(1, 2, 3))
    assert spread.min() > 0.3  # every image has a visible edge (contrast at least 0.4, softened a little)


def test_noise_has_the_asked_standard_deviation():
    clean, _ = oriented_edges(300, noise=0.0, seed=2)
    noisy, _ = oriented_edges(300, noise=0.2, seed=2)
    # the same seed draws the same edges; the noise is drawn last
    assert abs(float(np.std(noisy - clean)) - 0.2) < 0.005


@pytest.mark.parametrize("label", range(4))
def test_the_label_is_the_direction_the_brightness_changes(label):
    """Sobel responses point across the edge: compare them with the class's angle."""
    images, labels = oriented_edges(200, noise=0.0, jitter=0.0, seed=4)
    for image in images[labels == label][:10, :, :, 0]:
        gx = helpers.correlate2d(image, helpers.KERNELS["sobel_x"], padding="valid")
        gy = -helpers.correlate2d(image, helpers.KERNELS["sobel_y"], padding="valid")  # y up, as the angles
        # orientation of the summed gradient, doubled so that both polarities agree
        doubled = np.sum((gx + 1j * gy) ** 2)
        angle = np.degrees(np.angle(doubled)) / 2 % 180
        expected = EDGE_ANGLES[label] % 180
        assert min(abs(angle - expected), 180 - abs(angle - expected)) < 3, (label, angle)


def test_both_polarities_occur_in_every_class():
    images, labels = oriented_edges(400, noise=0.0, jitter=0.0, seed=7)
    left_brighter = images[:, :, :4, 0].mean(axis=(1, 2)) > images[:, :, -4:, 0].mean(axis=(1, 2))
    vertical = labels == 0
    assert 0 < np.count_nonzero(left_brighter & vertical) < np.count_nonzero(vertical)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"count": 0}, ValueError, "count must be at least 1"),
        ({"count": 2.5}, TypeError, "count must be an int"),
        ({"count": 4, "size": 3}, ValueError, "size must be at least 4"),
        ({"count": 4, "jitter": 30}, ValueError, "jitter must be between 0 and 22.5"),
        ({"count": 4, "noise": -0.1}, ValueError, "noise must be between 0 and"),
        ({"count": 4, "seed": True}, TypeError, "seed must be an int"),
    ],
)
def test_bad_arguments_name_the_problem(options, error, message):
    with pytest.raises(error, match=message):
        oriented_edges(**options)


# ---------------------------------------------------------------------------
# every argument checked first (issue 24)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"noise": np.inf}, ValueError, "noise must be a finite number"),  # gave all-inf images
        ({"noise": np.nan}, ValueError, "noise must be a finite number"),
        ({"jitter": None}, TypeError, "jitter must be a number"),  # failed obscurely
        ({"jitter": "5"}, TypeError, "jitter must be a number"),
        ({"jitter": True}, TypeError, "jitter must be a number"),
        ({"jitter": np.nan}, ValueError, "jitter must be between 0 and 22.5"),
        ({"jitter": -np.inf}, ValueError, "jitter must be between 0 and 22.5"),
        ({"noise": None}, TypeError, "noise must be a number"),
        ({"noise": [0.1]}, TypeError, "noise must be a number"),
        ({"noise": 1 + 2j}, TypeError, "noise must be a number"),
        ({"size": 4.0}, TypeError, "size must be an int"),
        ({"seed": -1}, ValueError, "seed must be at least 0"),
    ],
)
def test_every_argument_is_checked_by_name(options, error, message):
    with pytest.raises(error, match=message):
        oriented_edges(4, **options)


def test_a_set_over_the_size_limit_is_refused_before_allocating():
    import tracemalloc

    tracemalloc.start()
    try:
        # (20000, size=256) ended in MemoryError after allocating 10 GiB; ten times that is refused by
        # the operating system at once, so this test cannot fill the machine even on the old code
        with pytest.raises(ValueError, match=r"oriented_edges.*\(200000, 256, 256\).*over the limit"):
            oriented_edges(200000, size=256)
        with pytest.raises(ValueError, match="over the limit"):
            oriented_edges(10**15, size=4)  # not even the labels are drawn
        with pytest.raises(ValueError, match="over the limit"):
            oriented_edges(1, size=10**6)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


def test_the_size_limit_follows_max_array_bytes_and_peak_memory_stays_within_four_times_it(monkeypatch):
    import tracemalloc

    from helpers import _checks

    limit = 8 * 64 * 32 * 32
    monkeypatch.setattr(_checks, "MAX_ARRAY_BYTES", limit)
    tracemalloc.start()
    try:
        images, _ = oriented_edges(64, size=32)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert images.shape == (64, 32, 32, 1)
    assert peak <= 4 * limit
    with pytest.raises(ValueError, match="over the limit"):
        oriented_edges(65, size=32)


def test_noise_so_large_that_float32_overflows_is_refused():
    """noise=1e300 gave all-infinite float32 images with only a RuntimeWarning (issue 24, second round)."""
    import warnings

    with pytest.raises(ValueError, match="noise must be between 0 and"):
        oriented_edges(2, size=4, noise=1e300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        images, _ = oriented_edges(2, size=4, noise=helpers.synthetic.MAX_NOISE)
    assert np.isfinite(images).all()
