"""The kernel playground's logic (helpers/playground.py), checked without a browser.

The widgets are built and driven from Python: changing a kernel cell must
change the figure and the summary, exactly as a click in JupyterLab would
(tools/try_playground.py does that part in a real browser).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage

import helpers
from helpers import playground
from helpers.playground import PlaygroundState, display, patch_at, render_state, synthetic_image


@pytest.mark.parametrize("name", playground.SYNTHETIC_IMAGES)
def test_synthetic_images_are_black_and_white_with_both(name):
    image = synthetic_image(name, shape=(40, 48))
    assert image.shape == (40, 48) and image.dtype == np.float64
    assert set(np.unique(image)) == {0.0, 255.0}


def test_synthetic_image_edges_are_where_they_are_said_to_be():
    step = synthetic_image("step", shape=(10, 20))
    assert np.all(step[:, :10] == 0) and np.all(step[:, 10:] == 255)
    disk = synthetic_image("disk", shape=(64, 64))
    assert disk[32, 32] == 255 and disk[0, 0] == 0 and disk[32, 32 + 17] == 0
    board = synthetic_image("checkerboard", shape=(32, 32))
    assert board[0, 0] == 0 and board[0, 8] == 255 and board[8, 8] == 0 and board[7, 7] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [(("stripes",), "no synthetic image named 'stripes'"), (("step", (4, 64)), "each at least 8")],
)
def test_synthetic_image_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        synthetic_image(*args)


def test_display_modes_against_their_definitions():
    values = np.array([[-300.0, -20.0, 0.0], [20.0, 100.0, 400.0]])
    np.testing.assert_array_equal(display(values, "clip"), np.clip(values, 0, 255))
    np.testing.assert_array_equal(display(values, "absolute"), np.clip(np.abs(values), 0, 255))
    np.testing.assert_array_equal(display(values, "offset"), np.clip(values + 128, 0, 255))
    rescaled = display(values, "rescale")
    assert rescaled.min() == 0 and rescaled.max() == 255
    np.testing.assert_allclose(rescaled[0, 2], 255 * 300 / 700)
    np.testing.assert_array_equal(display(np.full((2, 2), 7.0), "rescale"), np.full((2, 2), 127.5))
    with pytest.raises(ValueError, match="unknown display 'log'"):
        display(values, "log")


@pytest.mark.parametrize("mode", list(helpers.BORDER_MODES))
@pytest.mark.parametrize("kernel_name", ["sobel_x", "emboss", "unsharp_5x5", "laplacian_of_gaussian"])
def test_patch_sums_equal_correlate2d_everywhere_near_the_border(mode, kernel_name):
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, size=(9, 11)).astype(np.float64)
    kernel = helpers.KERNELS[kernel_name]
    output = helpers.correlate2d(image, kernel, mode=mode)
    for row in (0, 1, 4, 8):
        for col in (0, 2, 10):
            table = patch_at(image, kernel, row, col, mode=mode)
            assert table.pixels.shape == kernel.shape
            np.testing.assert_allclose(table.products, table.pixels * kernel)
            np.testing.assert_allclose(table.total, output[row, col], atol=1e-9)
    # and scipy, an independent implementation, agrees on the whole output (odd kernels, stride 1)
    np.testing.assert_allclose(output, scipy.ndimage.correlate(image, kernel, mode=mode), atol=1e-9)


def test_patch_in_the_corner_shows_the_border_mode():
    image = np.arange(16.0).reshape(4, 4)
    kernel = np.ones((3, 3))
    assert patch_at(image, kernel, 0, 0, mode="constant", cval=-1).pixels[0, 0] == -1
    np.testing.assert_array_equal(patch_at(image, kernel, 0, 0, mode="nearest").pixels[0], [0, 0, 1])
    np.testing.assert_array_equal(patch_at(image, kernel, 0, 0, mode="wrap").pixels[0], [15, 12, 13])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"row": 4}, "row must be an int from 0 to 3"),
        ({"col": -1}, "col must be an int from 0 to 3"),
        ({"kernel": np.ones((2, 2))}, "odd sizes"),
        ({"mode": "edge"}, "unknown mode 'edge'"),
    ],
)
def test_patch_at_rejects_bad_input(kwargs, message):
    arguments = {"image": np.zeros((4, 4)), "kernel": np.ones((3, 3)), "row": 0, "col": 0} | kwargs
    with pytest.raises(ValueError, match=message):
        patch_at(**arguments)


def test_state_rejects_what_the_playground_cannot_show():
    with pytest.raises(ValueError, match="3x3 or 5x5"):
        PlaygroundState(kernel=np.ones((7, 7)))
    with pytest.raises(ValueError, match="unknown display"):
        PlaygroundState(kernel=np.ones((3, 3)), display="gamma")
    with pytest.raises(ValueError, match="unknown mode"):
        PlaygroundState(kernel=np.ones((3, 3)), mode="zeros")


def test_render_state_on_a_step():
    image = synthetic_image("step", shape=(16, 16))
    state = PlaygroundState(kernel=helpers.KERNELS["sobel_x"], kernel_name="sobel_x", display="offset", row=8, col=7)
    rendering = render_state(state, image)
    np.testing.assert_array_equal(rendering.output, helpers.correlate2d(image, helpers.KERNELS["sobel_x"]))
    np.testing.assert_array_equal(rendering.shown, np.clip(128 + rendering.output, 0, 255))
    assert rendering.patch.total == rendering.output[8, 7] == 4 * 255  # the step: 1 + 2 + 1 times 255
    assert set(rendering.titles) == {"input", "output", "pixels", "kernel", "products", "total"}
    assert "sobel_x (3x3), mode=constant, 128 + value" in rendering.titles["output"]
    assert rendering.summary().endswith("at (row 8, col 7) the products add up to 1020.0")


@pytest.mark.parametrize("how", list(playground.DISPLAY_MODES))
def test_every_display_draws_a_titled_figure(how):
    state = PlaygroundState(kernel=helpers.KERNELS["edge_2"], display=how, row=3, col=3)
    fig = playground.draw_rendering(render_state(state, synthetic_image("disk", shape=(16, 16))))
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert len(titled) == 6
    assert all(not ax.axison for ax in titled[2:])  # the patch table's grids
    assert all(ax.get_xticks().size == ax.get_yticks().size == 0 for ax in titled[:2])  # framed images, no ticks
    assert len(fig.axes) == 6 + (how == "offset")  # a colour bar only for the offset display
    playground.plt.close(fig)


def test_the_widgets_follow_their_controls():
    images = {"step": synthetic_image("step", shape=(24, 24)), "disk": synthetic_image("disk", shape=(24, 24))}
    box = playground.make_playground(images, kernel_name="box_blur")
    controls = box.controls
    first_png, first = bytes(controls["figure"].value), box.current()
    assert first_png.startswith(b"\x89PNG") and first.state.kernel_name == "box_blur"
    np.testing.assert_array_equal(first.state.kernel, helpers.KERNELS["box_blur"])

    controls["cells"][2][2].value = 5.0  # edit the centre cell, as a learner would
    edited = box.current()
    assert controls["kernel"].value == "custom" and edited.state.kernel[1, 1] == 5.0
    assert bytes(controls["figure"].value) != first_png and "custom on step" in controls["summary"].value

    controls["kernel"].value = "unsharp_5x5"  # a 5x5 gallery kernel fills all 25 cells
    assert controls["size"].value == "5x5"
    np.testing.assert_array_equal(box.current().state.kernel, helpers.KERNELS["unsharp_5x5"])
    assert controls["cells"][4][4].layout.visibility == "visible"

    controls["size"].value = "3x3"  # back to 3x3: the outer cells hide, the kernel is the inner 3x3
    assert box.current().state.kernel.shape == (3, 3) and controls["cells"][4][4].layout.visibility == "hidden"
    visible = [[cell.layout.visibility == "visible" for cell in line] for line in controls["cells"]]
    assert visible == [[1 <= r <= 3 and 1 <= c <= 3 for c in range(5)] for r in range(5)]  # the inner 3x3 only
    np.testing.assert_array_equal(box.current().state.kernel, helpers.KERNELS["unsharp_5x5"][1:4, 1:4])

    controls["image"].value, controls["display"].value, controls["mode"].value = "disk", "rescale", "wrap"
    controls["row"].value, controls["col"].value = 0, 23
    state = box.current().state
    assert (state.image, state.display, state.mode, state.row, state.col) == ("disk", "rescale", "wrap", 0, 23)
    np.testing.assert_allclose(box.current().patch.total, box.current().output[0, 23])


def test_make_playground_rejects_bad_input():
    with pytest.raises(ValueError, match="images is empty"):
        playground.make_playground({})
    with pytest.raises(ValueError, match="no image named 'cat'"):
        playground.make_playground({"step": synthetic_image("step")}, image="cat")
    with pytest.raises(ValueError, match="kernel_name must be one of"):
        playground.make_playground({"step": synthetic_image("step")}, kernel_name="nope")


def test_switching_size_keeps_the_kernel_centred():
    # a 3x3 kernel grown to 5x5 gains a ring of zeros around it, so the output does not move
    step = synthetic_image("step", shape=(16, 16))
    box = playground.make_playground({"step": step}, kernel_name="sobel_x")
    three = box.current().output
    box.controls["size"].value = "5x5"
    grown = box.current()
    np.testing.assert_array_equal(grown.state.kernel[1:4, 1:4], helpers.KERNELS["sobel_x"])
    assert np.count_nonzero(grown.state.kernel) == np.count_nonzero(helpers.KERNELS["sobel_x"])
    np.testing.assert_array_equal(grown.output, three)


def test_rescale_cannot_show_a_doubled_blur():
    # notebook 09, exercise 5: doubling box_blur's weights leaves the rescaled course image unchanged
    course = helpers.to_grayscale(helpers.load_lion()).astype(np.float64)
    blur = helpers.correlate2d(course, helpers.KERNELS["box_blur"])
    doubled = helpers.correlate2d(course, 2 * helpers.KERNELS["box_blur"])
    np.testing.assert_allclose(display(doubled, "rescale"), display(blur, "rescale"), atol=1e-9)
    assert not np.array_equal(display(doubled, "clip"), display(blur, "clip"))  # clip does show it
