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
