"""The claims of ``03_kernel_gallery`` that left the notebook, each as a test that fails if the claim breaks.

The notebook states them once, on one image; here they are checked on many
steps, positions and heights (hypothesis), and on the stand-in cat where the
claim is about it: such a claim is a property of that photograph, which the
notebook reports ("on the cat") and does not assert, since a learner's image
(the lion, or any other photograph) may differ.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpers
from helpers import KERNELS
from helpers.exercises import nb03
from helpers.figures import nb03 as nb03_figures

EDGE_NAMES = ["edge_1", "edge_2", "edge_3"]
INSIDE = (slice(2, -2), slice(2, -2))  # away from the zero padding of a 5x5 kernel


def valid(image, kernel):
    return helpers.correlate2d(image, kernel, padding="valid")


def post_conv_2d(image, kernel, clip=True):
    """The notebook's copy of the 2016 post's function: ONE zero of padding whatever the kernel size."""
    padded = np.pad(np.asarray(image, dtype=float), 1)
    kh, kw = kernel.shape
    output = np.zeros(np.shape(image))
    for i in range(padded.shape[0] - kh + 1):
        for j in range(padded.shape[1] - kw + 1):
            value = (padded[i : i + kh, j : j + kw] * kernel).sum()
            output[i, j] = min(max(value, 0.0), 255.0) if clip else value
    return output


@pytest.fixture(scope="module")
def image():
    """The stand-in cat itself, not whatever load_lion() returns: the claims "on the cat" are about this image."""
    from skimage import data

    return helpers.to_grayscale(data.chelsea())


@pytest.fixture(scope="module")
def outputs(image):
    return {name: helpers.correlate2d(image, kernel) for name, kernel in KERNELS.items()}


# --------------------------------------------------------------------------
# Three edge kernels


def test_the_positive_weights_of_the_edge_kernels_add_up_to_2_4_and_8():
    assert [KERNELS[name][KERNELS[name] > 0].sum() for name in EDGE_NAMES] == [2, 4, 8]


def test_per_unit_of_weight_the_edge_kernels_no_longer_rank_as_their_panels(outputs):
    raw = [np.abs(outputs[name][INSIDE]).mean() for name in EDGE_NAMES]
    per_unit = [value / KERNELS[name][KERNELS[name] > 0].sum() for value, name in zip(raw, EDGE_NAMES, strict=True)]
    assert raw[0] < raw[1] < raw[2]  # the panels grow brighter from edge_1 to edge_3
    assert not per_unit[0] < per_unit[1] < per_unit[2]  # "the order is no longer edge_1 < edge_2 < edge_3"
    assert per_unit[0] == max(per_unit)  # "on the cat ... the dimmest panel, edge_1, responds most"
    assert per_unit[1] == min(per_unit)  # "and edge_2 least"


@settings(max_examples=60, deadline=None)
@given(position=st.integers(1, 7), height=st.integers(1, 255), vertical=st.booleans())
def test_edge_1_gives_exactly_zero_on_every_straight_step(position, height, vertical):
    step = np.zeros((8, 8))
    step[:, position:] = height
    if not vertical:
        step = step.T
    assert np.all(valid(step, KERNELS["edge_1"]) == 0)
    assert np.any(valid(step, KERNELS["edge_2"]) != 0)  # while edge_2 marks it


@settings(max_examples=30, deadline=None)
@given(offset=st.integers(4, 12), height=st.integers(1, 255))
def test_edge_1_responds_to_a_diagonal_step(offset, height):
    rows, cols = np.indices((8, 8))
    step = height * (rows + cols >= offset).astype(float)
    assert np.abs(valid(step, KERNELS["edge_1"])).max() == height


def test_the_post_autoscaled_panels_stretch_each_brightest_value_to_white(outputs):
    fig = nb03_figures.show_fixed_and_autoscaled([helpers.squash(outputs["edge_1"])], ["edge_1"])
    fixed, autoscaled = (ax.images[0] for ax in fig.axes)
    assert fixed.get_clim() == (0, 255)
    assert autoscaled.get_clim() == (0, helpers.squash(outputs["edge_1"]).max()) and autoscaled.get_clim()[1] < 255
    plt.close(fig)


def test_imshow_without_vmin_and_vmax_maps_the_data_range_to_black_and_white(image):
    dim = image / 4
    fig, ax = plt.subplots()
    shown = ax.imshow(dim, cmap="gray")
    assert shown.get_clim() == (dim.min(), dim.max())
    stretched = (image - image.min()) / (image.max() - image.min())
    np.testing.assert_allclose(shown.norm(dim), stretched, atol=1e-12)  # a quarter of the image looks like all of it
    plt.close(fig)


# --------------------------------------------------------------------------
# What clipping hides


@pytest.mark.parametrize(
    ("name", "sign_on_the_dark_side"),
    [("edge_2", 1), ("edge_3", -1), ("laplacian_of_gaussian", -1)],
)
@settings(max_examples=20, deadline=None)
@given(height=st.integers(1, 255))
def test_the_sign_at_a_step_follows_the_sign_of_the_centre_weight(name, sign_on_the_dark_side, height):
    kernel = KERNELS[name]
    half = kernel.shape[1] // 2
    step = np.zeros((kernel.shape[0], 12))
    step[:, 6:] = height  # columns 0-5 dark, 6-11 bright
    response = valid(step, kernel)[0]
    last_dark, first_bright = 5 - half, 6 - half  # output index of the pixel centred on column 5, and on 6
    assert np.sign(response[last_dark]) == sign_on_the_dark_side
    assert np.sign(response[first_bright]) == -sign_on_the_dark_side
    assert np.sign(kernel[kernel.shape[0] // 2, half]) == -sign_on_the_dark_side


@pytest.mark.parametrize("name", ["edge_1", "sobel_x"])
def test_a_zero_centre_kernel_takes_its_sign_from_the_direction_of_the_edge(name):
    rows, cols = np.indices((8, 8))
    for step in (100.0 * (cols >= 4), 100.0 * (rows + cols >= 8)):
        if not np.any(valid(step, KERNELS[name])):
            continue
        rising, falling = valid(step, KERNELS[name]), valid(100 - step, KERNELS[name])
        np.testing.assert_array_equal(falling, -rising)


def test_zero_sum_kernels_send_close_to_half_their_outputs_below_zero_and_blurs_none(outputs):
    for name, kernel in KERNELS.items():
        share_negative = (outputs[name] < 0).mean()
        if np.isclose(kernel.sum(), 0):
            assert 0.4 < share_negative <= 0.5, name  # "on the cat, close to half"
        if kernel.min() >= 0:
            assert share_negative == 0, name


@settings(max_examples=30, deadline=None)
@given(scale=st.floats(0.1, 100))
def test_min_max_rescaling_cannot_tell_a_response_from_a_multiple_of_it(scale):
    response = valid(np.pad(np.full((5, 5), 100.0), 3), KERNELS["edge_2"])

    def min_max(values):
        return 255 * (values - values.min()) / (values.max() - values.min())

    np.testing.assert_allclose(min_max(scale * response), min_max(response), atol=1e-9)


# --------------------------------------------------------------------------
# Sharpen and blur; what a kernel sum does


def detail(picture):
    return np.abs(valid(picture[INSIDE], KERNELS["edge_2"])).mean()


def test_detail_falls_to_about_a_third_with_a_blur_while_the_standard_deviation_barely_moves(image, outputs):
    for name in ["box_blur", "gaussian_blur_3x3"]:
        assert 0.25 < detail(outputs[name]) / detail(image) < 0.4
        assert 0.95 < outputs[name][INSIDE].std() / image[INSIDE].std() < 1
    assert 4 < detail(outputs["sharpen"]) / detail(image) < 6
    assert 1.5 < detail(outputs["unsharp_5x5"]) / detail(image) < 2.5


def test_the_numbers_the_notebook_gives_for_the_cat(image, outputs):
    """The optional asides and the summary quote these, rounded, for the stand-in cat."""
    per_unit = [np.abs(outputs[name][INSIDE]).mean() / KERNELS[name][KERNELS[name] > 0].sum() for name in EDGE_NAMES]
    assert np.round(per_unit, 2).tolist() == [4.28, 2.94, 3.51]
    names = ["sharpen", "unsharp_5x5", "box_blur", "gaussian_blur_3x3"]
    assert [round(detail(outputs[name]) / detail(image), 2) for name in names] == [5.11, 1.88, 0.30, 0.36]
    spread = [round(outputs[name][INSIDE].std() / image[INSIDE].std(), 2) for name in names]
    assert spread == [1.31, 1.07, 0.97, 0.97]  # "about a third", "7 %", "only 3 %"


def test_the_sobel_figure_scale_leaves_the_magnitude_visible(image, outputs):
    """White is the 99th percentile of the magnitude; divided by 4, as before, the median gray was about 9."""
    magnitude = np.hypot(outputs["sobel_x"], outputs["sobel_y"])
    reach = round(np.percentile(magnitude, 99))
    assert reach == 338 and np.mean(magnitude > reach) <= 0.011
    assert np.median(helpers.squash(magnitude / 4)) < 10 < np.median(helpers.squash(magnitude * 255 / reach))


def test_autoscaling_changes_the_blurred_panels_and_not_the_sharpened_ones(outputs):
    """On the cat the clipped sharpened outputs run from 0 to 255; the blurred ones stop short of both ends."""
    for name in ["sharpen", "unsharp_5x5"]:
        shown = helpers.squash(outputs[name])
        assert (shown.min(), shown.max()) == (0, 255), name
    for name in ["box_blur", "gaussian_blur_3x3"]:
        shown = helpers.squash(outputs[name])
        assert shown.min() > 0 and shown.max() < 255, name


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_a_kernel_sum_is_what_it_does_to_a_flat_patch(name):
    kernel = KERNELS[name]
    assert np.isclose(kernel.sum(), 1) or np.isclose(kernel.sum(), 0)
    np.testing.assert_allclose(valid(np.full((9, 9), 100.0), kernel), 100 * kernel.sum(), atol=1e-9)


def test_unsharp_masking_is_twice_the_image_minus_a_blur(image, outputs):
    identity = np.zeros((5, 5))
    identity[2, 2] = 1
    np.testing.assert_allclose(KERNELS["unsharp_5x5"], 2 * identity - KERNELS["gaussian_blur_5x5"], atol=1e-15)
    np.testing.assert_allclose(
        outputs["unsharp_5x5"], 2 * image.astype(float) - outputs["gaussian_blur_5x5"], atol=1e-9
    )


# --------------------------------------------------------------------------
# A bug with the 5x5 kernel

SMALL_IMAGES = st.tuples(st.integers(5, 10), st.integers(5, 10), st.integers(0, 2**32 - 1)).map(
    lambda t: np.random.default_rng(t[2]).integers(0, 256, size=(t[0], t[1])).astype(float)
)


@settings(max_examples=30, deadline=None)
@given(picture=SMALL_IMAGES, name=st.sampled_from(["sharpen", "edge_3", "box_blur", "emboss", "sobel_x"]))
def test_the_posts_function_is_right_for_every_3x3_kernel(picture, name):
    np.testing.assert_allclose(
        post_conv_2d(picture, KERNELS[name], clip=False), helpers.correlate2d(picture, KERNELS[name]), atol=1e-9
    )


@settings(max_examples=30, deadline=None)
@given(picture=SMALL_IMAGES, name=st.sampled_from(["unsharp_5x5", "gaussian_blur_5x5", "laplacian_of_gaussian"]))
def test_with_a_5x5_kernel_the_posts_output_moves_up_left_and_ends_in_two_unwritten_rows(picture, name):
    kernel = KERNELS[name]
    post, correct = post_conv_2d(picture, kernel, clip=False), helpers.correlate2d(picture, kernel)
    np.testing.assert_allclose(post[:-2, :-2], correct[1:-1, 1:-1], atol=1e-9)
    assert np.all(post[-2:, :] == 0) and np.all(post[:, -2:] == 0)
    np.testing.assert_array_equal(post_conv_2d(picture, kernel), helpers.squash(post))  # clipping comes after


@settings(max_examples=30, deadline=None)
@given(row=st.integers(0, 8), col=st.integers(0, 8))
def test_a_single_bright_pixel_lands_one_up_and_one_left(row, col):
    bright = np.zeros((11, 11))
    bright[row + 1, col + 1] = 100  # rows and columns 1-9, so the landing spot is inside
    landed = post_conv_2d(bright, KERNELS["unsharp_5x5"])
    assert np.count_nonzero(landed) == 1 and landed[row, col] == pytest.approx(100 * 476 / 256)


@settings(max_examples=30, deadline=None)
@given(picture=SMALL_IMAGES, kh=st.sampled_from([1, 3, 5]), kw=st.sampled_from([1, 3, 5, 7]), seed=st.integers(0, 99))
def test_the_exercise_reference_fix_agrees_with_correlate2d(picture, kh, kw, seed):
    kernel = np.random.default_rng(seed).normal(size=(kh, kw))
    np.testing.assert_allclose(nb03.reference_fixed_conv_2d(picture, kernel), helpers.correlate2d(picture, kernel))


# --------------------------------------------------------------------------
# Kernels beyond the post


def test_only_sobel_and_emboss_change_when_turned_so_only_they_tell_correlation_from_convolution(image, outputs):
    asymmetric = [name for name, kernel in KERNELS.items() if not np.array_equal(kernel, np.rot90(kernel, 2))]
    assert asymmetric == ["sobel_x", "sobel_y", "emboss"]
    for name, kernel in KERNELS.items():
        same = np.allclose(helpers.convolve2d(image, kernel), outputs[name])
        assert same == (name not in asymmetric), name


def test_sobel_on_ramps_and_under_convolution():
    rightwards = np.tile(np.arange(8.0), (6, 1))
    assert np.all(valid(rightwards, KERNELS["sobel_x"]) == 8)
    assert np.all(valid(rightwards, KERNELS["sobel_y"]) == 0)
    assert np.all(valid(rightwards.T, KERNELS["sobel_y"]) == 8)
    assert np.all(helpers.convolve2d(rightwards, KERNELS["sobel_x"], padding="valid") == -8)  # turned, negated


def test_transposing_the_image_swaps_sobel_x_and_sobel_y(image, outputs):
    gx_t, gy_t = helpers.correlate2d(image.T, KERNELS["sobel_x"]), helpers.correlate2d(image.T, KERNELS["sobel_y"])
    np.testing.assert_array_equal(gx_t, outputs["sobel_y"].T)
    np.testing.assert_array_equal(np.hypot(gx_t, gy_t), np.hypot(outputs["sobel_x"], outputs["sobel_y"]).T)


def test_sobel_divisor_is_the_sum_of_the_positive_weights_and_outputs_exceed_255(outputs):
    for name in ["sobel_x", "sobel_y"]:
        assert KERNELS[name][KERNELS[name] > 0].sum() == 4
        assert np.abs(outputs[name]).max() > 255


# --------------------------------------------------------------------------
# The exercises name the usual mistakes (tests/test_exercises.py only checks that they are rejected)


@pytest.mark.parametrize(
    ("exercise", "mistake", "words"),
    [
        (nb03.q1, "not clipped", "below 0"),
        (nb03.q1, "the step unchanged (a sum of 1)", "overshoots"),
        (nb03.q1, "clipped below only", "above 255"),
        (nb03.q1, "left and right neighbours only", "above and below"),
        (nb03.q1, "edge_3's answer", "flat bright area"),
        (nb03.q1, "padding='same' (six values)", "four values"),
        (nb03.q2, "no shift", "pads by one zero"),
        (nb03.q2, "shifted the wrong way", "up and to the left"),
        (nb03.q2, "only the row moved", "only one of the two"),
        (nb03.q3, "the post's padding of one", "the post's bug"),
        (nb03.q3, "the post's clipping kept", "clipped"),
        (nb03.q3, "kernel turned (convolution)", "turned 180 degrees"),
        (nb03.q3, "uint8 output array", "wrapped around"),
        (nb03.q3, "rows padded like columns", "rows and columns by the same amount"),
        (nb03.q3, "the post's rule, m - 2 zeros", "shifted by one pixel"),
        (nb03.q3, "a reflected border", "pad with zeros"),
        (nb03.q3, "returns the input", "input unchanged"),
        (nb03.q4, "edge_1 (a mixed second derivative)", "second derivative"),
        (nb03.q4, "sobel_x (a straight edge detector)", "other diagonal"),
        (nb03.q4, "emboss (sums to 1)", "add up to 0"),
        (nb03.q4, "turned round", "turn it by 180 degrees"),
        (nb03.q4, "the other diagonal", "mirror it left to right"),
    ],
)
def test_each_usual_mistake_gets_its_own_explanation(exercise, mistake, words, capsys):
    assert not exercise.check(exercise.mistakes[mistake])
    assert words in capsys.readouterr().out


def test_the_first_exercise_is_not_answered_by_the_lesson():
    """The lesson prints edge_2 and edge_3 on step_row; exercise 1 asks for sharpen on twice that step."""
    assert not nb03.q1.check(np.clip(valid(nb03.STEP_ROW, KERNELS["edge_3"])[0], 0, 255))
    np.testing.assert_array_equal(nb03.q1.reference, helpers.squash(valid(2 * nb03.STEP_ROW, KERNELS["sharpen"])[0]))


# --------------------------------------------------------------------------
# The notebook itself: alt text on every figure, checks after the lesson


def test_every_figure_has_alt_text_and_the_checks_come_after_the_lesson():
    from pathlib import Path

    import nbformat

    notebook = Path(__file__).resolve().parent.parent / "notebooks" / "03_kernel_gallery.ipynb"
    cells = nbformat.read(notebook, as_version=4).cells
    figures = [c for c in cells if c.cell_type == "code" and any("image/png" in o.get("data", {}) for o in c.outputs)]
    assert len(figures) == 7
    for cell in figures:
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
        assert alt.endswith(".") and 40 < len(alt) < 400, cell.source[:60]
    checks = [i for i, c in enumerate(cells) if "check" in c.metadata.get("tags", [])]
    exercises = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and "## Exercises" in c.source)
    last_lesson_code = max(i for i, c in enumerate(cells[:exercises]) if c.cell_type == "code" and i not in checks)
    assert checks and all(last_lesson_code < i < exercises for i in checks)


def test_the_stated_time_counts_what_the_notebook_holds():
    """ "Time to learn" names the words, lesson code cells and figures it was measured from: they must be current."""
    from stated_time import assert_stated_time_is_current

    assert_stated_time_is_current("03_kernel_gallery.ipynb")
