"""to_grayscale, show_images and their errors."""

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image
from skimage import data

import helpers


def test_equal_channels_give_channel_zero_unchanged():
    gray = np.random.default_rng(0).integers(0, 256, size=(4, 5)).astype(np.uint8)
    result = helpers.to_grayscale(np.dstack([gray, gray, gray]))
    assert result.dtype == np.uint8
    np.testing.assert_array_equal(result, gray)


def test_colour_uses_bt601_and_agrees_with_pillow_within_one_level():
    photo = data.chelsea()
    ours = helpers.to_grayscale(photo).astype(int)
    pillow = np.asarray(Image.fromarray(photo).convert("L")).astype(int)
    assert np.abs(ours - pillow).max() <= 1


def test_float_colour_stays_float_and_rgba_ignores_alpha():
    rgba = np.zeros((2, 2, 4))
    rgba[..., 1] = 100.0
    rgba[..., 3] = 50.0
    np.testing.assert_allclose(helpers.to_grayscale(rgba), np.full((2, 2), 58.7))


@pytest.mark.parametrize(
    ("image", "error", "message"),
    [
        (np.zeros((2, 2, 2)), ValueError, "3 \\(RGB\\) or 4 \\(RGBA\\) channels"),
        (np.zeros((2, 2, 3, 1)), ValueError, "image must be"),
        (np.zeros((2, 2, 3), dtype=bool), TypeError, "dtype bool"),
    ],
)
def test_to_grayscale_errors_are_named(image, error, message):
    with pytest.raises(error, match=message):
        helpers.to_grayscale(image)


def test_show_images_titles_every_panel_turns_axes_off_and_fixes_the_scale():
    fig = helpers.show_images([np.zeros((3, 3)), np.ones((3, 3, 3))], ["gray", "colour"], ncols=2)
    try:
        axes = [ax for ax in fig.axes if ax.images]
        assert [ax.get_title() for ax in axes] == ["gray", "colour"]
        assert all(not ax.axison for ax in fig.axes)
        assert axes[0].images[0].get_clim() == (0.0, 255.0)
        width, height = fig.get_size_inches()
        assert (width, height) == (2 * helpers.PANEL_SIZE[0], helpers.PANEL_SIZE[1])
        fig.savefig(io.BytesIO(), format="png")
    finally:
        plt.close(fig)


@pytest.mark.parametrize(
    ("images", "titles", "message"),
    [
        ([], [], "images is empty"),
        ([np.zeros((2, 2))], [], "every panel needs a title"),
        ([np.zeros((2, 2))], [""], "non-empty string"),
        ([np.zeros((2, 2, 2))], ["two channels"], "cannot show an image of shape"),
    ],
)
def test_show_images_errors_are_named(images, titles, message):
    with pytest.raises(ValueError, match=message):
        helpers.show_images(images, titles)
    plt.close("all")


def _drawn_centre(fig, ax) -> np.ndarray:
    """The RGB colour drawn at the centre of a panel, 0-255."""
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    box = ax.get_window_extent()
    x, y = int((box.x0 + box.x1) / 2), int((box.y0 + box.y1) / 2)
    return pixels[pixels.shape[0] - 1 - y, x].astype(int)


def test_float_rgb_is_drawn_on_the_same_0_255_scale_as_gray():
    # issue 16 item 3: np.full((4, 4, 3), 128.0) was clipped to [0, 1] and drawn white
    panels = [np.full((4, 4, 3), 128.0), np.full((4, 4), 128.0), np.full((4, 4, 3), 128, dtype=np.uint8)]
    fig = helpers.show_images(panels, ["float RGB", "gray", "uint8 RGB"])
    try:
        colours = [_drawn_centre(fig, ax) for ax in fig.axes]
    finally:
        plt.close(fig)
    for colour in colours:
        assert np.all(np.abs(colour - 128) <= 1), colours


def test_float_rgb_from_a_depthwise_blur_looks_like_the_photo():
    photo = data.chelsea()[::10, ::10]
    blurred = helpers.depthwise_correlate2d(photo, np.full((3, 3, 3, 1), 1 / 9))
    assert blurred.dtype == np.float64 and blurred.max() > 1
    fig = helpers.show_images([blurred], ["blurred, float64 0-255"])
    try:
        drawn = fig.axes[0].images[0].get_array()
        np.testing.assert_allclose(drawn, blurred / 255, atol=1e-12)
    finally:
        plt.close(fig)


def test_autoscaled_rgb_is_stretched_to_its_own_range():
    rgb = np.zeros((2, 2, 3))
    rgb[0, 0] = 10.0
    rgb[1, 1] = 20.0
    fig = helpers.show_images([rgb], ["autoscaled"], vmin=None, vmax=None)
    try:
        drawn = np.asarray(fig.axes[0].images[0].get_array())
        assert drawn.min() == 0.0 and drawn.max() == 1.0 and drawn[0, 0, 0] == 0.5
    finally:
        plt.close(fig)


@pytest.mark.parametrize(
    ("images", "options", "error", "message"),
    [
        ([np.zeros((2, 2), dtype=complex)], {}, TypeError, "must hold real numbers"),
        ([np.array([["a", "b"], ["c", "d"]])], {}, TypeError, "must hold real numbers"),
        ([np.array([[object(), 1], [2, 3]], dtype=object)], {}, TypeError, "must hold real numbers"),
        (["not an image"], {}, TypeError, "not an image array"),
        ([np.zeros((2, 2), dtype=bool)], {}, TypeError, "255 \\* mask"),
        ([np.zeros((0, 3))], {}, ValueError, "is empty"),
        ([np.zeros((2, 2))], {"cmap": "no-such-map"}, ValueError, "not a matplotlib colour map"),
        ([np.zeros((2, 2))], {"cmap": 3}, TypeError, "cmap must be"),
        ([np.zeros((2, 2))], {"ncols": True}, TypeError, "ncols must be an int"),
        ([np.zeros((2, 2))], {"ncols": 2.0}, TypeError, "ncols must be an int"),
        ([np.zeros((2, 2))], {"ncols": 0}, ValueError, "ncols must be at least 1"),
        ([np.zeros((2, 2))], {"vmin": 5, "vmax": 5}, ValueError, "vmin must be below vmax"),
        ([np.zeros((2, 2))], {"vmin": float("nan")}, ValueError, "vmin must be finite"),
        ([np.zeros((2, 2))], {"vmax": "255"}, TypeError, "vmax must be a number"),
    ],
)
def test_show_images_refuses_bad_panels_and_options_and_leaves_no_figure_open(images, options, error, message):
    # issue 16 item 12: these reached matplotlib, raised its errors and left a figure open
    plt.close("all")
    with pytest.raises(error, match=message):
        helpers.show_images(images, ["panel"] * len(images), **options)
    assert plt.get_fignums() == []


def test_show_images_accepts_numpy_integers_for_ncols():
    fig = helpers.show_images([np.zeros((2, 2))] * 3, ["a", "b", "c"], ncols=np.int64(2))
    try:
        assert len(fig.axes) == 4
    finally:
        plt.close(fig)


@pytest.mark.parametrize(
    "image",
    [np.arange(12, dtype=np.uint8).reshape(3, 4), np.dstack([np.arange(12, dtype=np.uint8).reshape(3, 4)] * 3)],
)
def test_decided_to_grayscale_returns_a_new_array_never_a_view(image):
    # decided in issue 16 (documented): a learner who edits the gray image must not change the photo behind it
    original = image.copy()
    gray = helpers.to_grayscale(image)
    assert not np.shares_memory(gray, image)
    gray[...] = 0
    np.testing.assert_array_equal(image, original)
