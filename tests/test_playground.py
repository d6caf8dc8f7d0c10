"""The kernel playground's logic (helpers/playground.py), checked without a browser.

The widgets are built and driven from Python: changing a kernel cell must
change the figure and the summary, exactly as a click in JupyterLab would
(tools/try_playground.py does that part in a real browser).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage
from scripts import load_script

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
    [
        (("stripes",), "name must be one of 'step', 'disk', 'checkerboard', got 'stripes'"),
        (("step", (4, 64)), "each at least 8"),
    ],
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
    with pytest.raises(ValueError, match=r"how must be one of 'clip'.*got 'log'"):
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
        ({"mode": "edge"}, "mode must be one of .*got 'edge'"),
    ],
)
def test_patch_at_rejects_bad_input(kwargs, message):
    arguments = {"image": np.zeros((4, 4)), "kernel": np.ones((3, 3)), "row": 0, "col": 0} | kwargs
    with pytest.raises(ValueError, match=message):
        patch_at(**arguments)


def test_state_rejects_what_the_playground_cannot_show():
    with pytest.raises(ValueError, match="3x3 or 5x5"):
        PlaygroundState(kernel=np.ones((7, 7)))
    with pytest.raises(ValueError, match="display must be one of"):
        PlaygroundState(kernel=np.ones((3, 3)), display="gamma")
    with pytest.raises(ValueError, match="mode must be one of"):
        PlaygroundState(kernel=np.ones((3, 3)), mode="zeros")


def test_render_state_on_a_step():
    image = synthetic_image("step", shape=(16, 16))
    state = PlaygroundState(kernel=helpers.KERNELS["sobel_x"], kernel_name="sobel_x", display="offset", row=8, col=7)
    rendering = render_state(state, image)
    np.testing.assert_array_equal(rendering.output, helpers.correlate2d(image, helpers.KERNELS["sobel_x"]))
    np.testing.assert_array_equal(rendering.shown, np.clip(128 + rendering.output, 0, 255))
    assert rendering.patch.total == rendering.output[8, 7] == 4 * 255  # the step: 1 + 2 + 1 times 255
    assert set(rendering.titles) == {"input", "output", "pixels", "kernel", "products", "total"}
    assert "sobel_x (3x3), constant, 128 + value" in rendering.titles["output"]
    assert rendering.summary().endswith("at (row 8, col 7) the products add up to 1020.0")


@pytest.mark.parametrize("how", list(playground.DISPLAY_MODES))
def test_every_display_draws_a_titled_figure(how):
    state = PlaygroundState(kernel=helpers.KERNELS["edge_2"], display=how, row=3, col=3)
    fig = playground.draw_rendering(render_state(state, synthetic_image("disk", shape=(16, 16))))
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert len(titled) == 6
    assert all(not ax.axison for ax in titled[2:])  # the patch table's grids
    assert all(ax.get_xticks().size == ax.get_yticks().size == 0 for ax in titled[:2])  # framed images, no ticks
    assert len(fig.axes) == 6
    bars = fig.axes[1].child_axes  # a colour bar only for the offset display, inside the output panel
    assert len(bars) == (how == "offset")
    if bars:  # within the output image's height (its end triangles take the rest), square or wide
        for shape in [(16, 16), (30, 90)]:
            wide = render_state(PlaygroundState(kernel=np.ones((3, 3)), display="offset"), np.zeros(shape))
            other = playground.draw_rendering(wide)
            other.canvas.draw()
            image_box, bar_box = other.axes[1].get_position(), other.axes[1].child_axes[0].get_position()
            assert image_box.y0 - 1e-9 <= bar_box.y0 < bar_box.y1 <= image_box.y1 + 1e-9, shape
            assert bar_box.height > 0.8 * image_box.height, shape
            playground.plt.close(other)
    playground.plt.close(fig)


def test_the_widgets_follow_their_controls():
    images = {"step": synthetic_image("step", shape=(24, 24)), "disk": synthetic_image("disk", shape=(24, 24))}
    box = playground.make_playground(images, kernel_name="box_blur")
    controls = box.controls
    first_png, first = bytes(controls["figure"].value), box.current()
    assert first_png.startswith(b"\x89PNG") and first.state.kernel_name == "box_blur"
    np.testing.assert_array_equal(first.state.kernel, helpers.KERNELS["box_blur"])

    assert controls["cells"][2][2].value == "1/9"  # box_blur's weights, shown as fractions
    controls["cells"][2][2].value = "5"  # edit the centre cell, as a learner would
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
    with pytest.raises(ValueError, match="images must be a non-empty dict"):
        playground.make_playground({})
    with pytest.raises(ValueError, match="image must be one of 'step', got 'cat'"):
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


# ---------------------------------------------------------------------------------------------
# issue 24: hostile inputs; each of these failed on the playground before the fix


def test_rescale_survives_the_extremes_of_float64():
    # high - low overflowed to infinity: [0, nan, nan]
    np.testing.assert_array_equal(display(np.array([-1e308, 0.0, 1e308]), "rescale"), [0.0, 127.5, 255.0])
    np.testing.assert_array_equal(display(np.array([-1.7e308, 1.7e308]), "rescale"), [0.0, 255.0])


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: synthetic_image(["step"]), "name"),
        (lambda: synthetic_image(None), "name"),
        (lambda: display(np.zeros(3), ["clip"]), "how"),
        (lambda: PlaygroundState(kernel=np.ones((3, 3)), mode=["wrap"]), "mode"),
        (lambda: PlaygroundState(kernel=np.ones((3, 3)), display={"clip"}), "display"),
    ],
)
def test_a_list_where_a_name_is_expected_names_the_argument(call, name):
    with pytest.raises(TypeError, match=f"^{name} must be one of .* \\(a string\\), got"):
        call()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cval": np.nan}, "cval must be a finite number"),
        ({"cval": np.inf}, "cval must be a finite number"),
        ({"mode": "wrap", "cval": 5.0}, "cval is only used with mode='constant'"),
        ({"cval": "0"}, "cval must be a number"),
        ({"mode": ["wrap"]}, "mode must be one of"),
    ],
)
def test_patch_at_refuses_the_borders_correlate2d_refuses(kwargs, message):
    image, kernel = np.zeros((4, 4)), np.ones((3, 3))
    for call in (lambda: patch_at(image, kernel, 0, 0, **kwargs), lambda: helpers.correlate2d(image, kernel, **kwargs)):
        with pytest.raises((ValueError, TypeError), match=message):
            call()


def test_draw_grid_refuses_infinity_and_draws_huge_values():
    fig, ax = playground.plt.subplots()
    for bad in ([[np.inf]], [[1.0, np.nan]]):
        with pytest.raises(ValueError, match="values contains NaN or infinity"):
            playground.draw_grid(ax, bad, "bad")
    ax.clear()
    playground.draw_grid(ax, [[1e308, -1e308]], "huge")  # finite: drawn, not overflowing the colour scale
    assert [text.get_text() for text in ax.texts] == ["1e+308", "-1e+308"]
    assert np.all(np.isfinite(ax.images[0].get_array()))
    playground.plt.close(fig)


def test_sizes_are_checked_before_allocating(monkeypatch):
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="the synthetic image would have shape \\(30000, 30000\\)"):
            synthetic_image("step", (30000, 30000))
        rendering = render_state(PlaygroundState(kernel=np.ones((3, 3))), synthetic_image("step"))
        tracemalloc.reset_peak()
        with pytest.raises(ValueError, match="the figure's pixels at dpi=5000 would have shape"):
            playground.rendering_png(rendering, dpi=5000)
        assert tracemalloc.get_traced_memory()[1] < 10 << 20  # refused before drawing anything
    finally:
        tracemalloc.stop()
    for dpi in (0, -3, 2.5, True, "72"):
        with pytest.raises(ValueError, match="dpi must be a positive int"):
            playground.rendering_png(rendering, dpi=dpi)
    # the same limit as every helper: lowering it refuses a smaller image too
    monkeypatch.setattr(helpers._checks, "MAX_ARRAY_BYTES", 64 * 64 * 8 - 1)
    with pytest.raises(ValueError, match="over the limit"):
        synthetic_image("disk", (64, 64))


def test_a_huge_kernel_names_the_kernel_and_draws_nothing():
    state = PlaygroundState(kernel=np.full((3, 3), 1e308), kernel_name="custom", image="step")
    with pytest.raises(
        ValueError, match="kernel custom \\(weights from 1e\\+308 to 1e\\+308\\) gives outputs too large"
    ):
        render_state(state, synthetic_image("step", shape=(16, 16)))


# ---------------------------------------------------------------------------------------------
# issue 20, notebook 09: typed weights, the overflow message, one redraw, the pixel kept, clicks


@pytest.mark.parametrize(
    ("text", "value"),
    [("1/9", 1 / 9), ("-0.5", -0.5), ("2e-1", 0.2), (" -1 / 16 ", -1 / 16), ("+3", 3.0), (".5", 0.5), ("7.", 7.0)],
)
def test_parse_weight_reads_numbers_and_fractions(text, value):
    assert playground.parse_weight(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,5", "not a number.*comma"),
        ("19/", "not a number"),
        ("", "not a number"),
        ("1/9/2", "not a number"),
        ("__import__('os')", "not a number"),
        ("2**3", "not a number"),
        ("nan", "not a number"),
        ("inf", "not a number"),
        ("1/0", "division by zero"),
        ("1e400", "too large for float64"),
        ("1e308/1e-10", "too large for float64"),
    ],
)
def test_parse_weight_refuses_the_rest_and_says_which_cell(text, message):
    with pytest.raises(ValueError, match=f"^the cell at the top {message}|^the cell at the top holds .*{message}"):
        playground.parse_weight(text, "the cell at the top")


@pytest.mark.parametrize("name", [n for n, k in helpers.KERNELS.items() if k.shape in ((3, 3), (5, 5))])
def test_gallery_weights_read_back_exactly_from_their_cells(name):
    for value in helpers.KERNELS[name].ravel():
        assert playground.parse_weight(playground.weight_text(value)) == value


def _playground(**kwargs):
    images = {
        "step": synthetic_image("step", shape=(64, 64)),
        "disk": synthetic_image("disk", shape=(64, 64)),
        "wide": synthetic_image("checkerboard", shape=(40, 96)),
    }
    return playground.make_playground(images, **kwargs)


def test_typed_fractions_and_bad_cells_in_the_widget():
    box = _playground(kernel_name="sobel_x")
    cells, summary, figure = box.controls["cells"], box.controls["summary"], box.controls["figure"]
    cells[2][2].value = "1/9"  # was 19 in a number box
    assert box.current().state.kernel[1, 1] == 1 / 9 and box.controls["kernel"].value == "custom"
    cells[1][3].value = "1,5"  # was 15, silently
    assert box.current() is None and figure.layout.display == "none"  # no stale figure
    assert "row 1, column 3" in summary.value and "&#x27;1,5&#x27;, which is not a number" in summary.value
    assert cells[1][3].layout.border == "2px solid red"
    cells[1][3].value = "1.5"
    assert box.current().state.kernel[0, 2] == 1.5 and figure.layout.display == "" and cells[1][3].layout.border == ""


def test_a_huge_weight_in_the_widget_names_the_kernel_and_hides_the_figure():
    box = _playground(kernel_name="box_blur")
    box.controls["cells"][2][2].value = "1e308"
    assert box.current() is None and box.controls["figure"].layout.display == "none"
    assert "kernel custom (weights from 0.111 to 1e+308) gives outputs too large for float64" in (
        box.controls["summary"].value
    )
    box.controls["kernel"].value = "sobel_x"  # a gallery kernel draws again
    assert box.current().state.kernel_name == "sobel_x" and box.controls["figure"].layout.display == ""


def test_switching_image_draws_once_and_keeps_the_pixel():
    box = _playground(kernel_name="sobel_x")
    controls = box.controls
    controls["row"].value, controls["col"].value = 20, 45
    drawn = []
    controls["figure"].observe(lambda change: drawn.append(change), names="value")
    controls["image"].value = "disk"  # the same size: the same pixel
    assert len(drawn) == 1 and (box.current().state.row, box.current().state.col) == (20, 45)
    controls["image"].value = "wide"  # 40 x 96: the same place in the picture, not a corner
    state = box.current().state
    assert len(drawn) == 2 and (state.row, state.col) == (12, 68)
    assert (controls["row"].max, controls["col"].max) == (39, 95)
    controls["image"].value = "step"  # and back to where it was
    assert len(drawn) == 3 and (box.current().state.row, box.current().state.col) == (20, 45)


def test_a_click_on_either_image_chooses_the_pixel():
    box = _playground(kernel_name="sobel_x")
    where = playground.rendering_png_and_map(box.current())[1]
    assert where.size == (900, 600) and len(where.panels) == 2
    png = bytes(box.controls["figure"].value)
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == where.size  # the PNG's size
    for left, top, right, bottom in where.panels:  # a click in the middle of row 10, column 50 of either panel
        x, y = left + (50.5 / 64) * (right - left), top + (10.5 / 64) * (bottom - top)
        box.controls["row"].value, box.controls["col"].value = 32, 32
        box.controls["click"]._dom_handlers({"type": "click", "dataX": x, "dataY": y})
        state = box.current().state
        assert (state.row, state.col) == (10, 50) == (box.controls["row"].value, box.controls["col"].value)
    box.controls["click"]._dom_handlers({"type": "click", "dataX": 1.0, "dataY": 1.0})  # outside both: no change
    assert (box.current().state.row, box.current().state.col) == (10, 50)


def test_the_figure_is_shown_at_its_drawn_size():
    # 900 pixels wide fits JupyterLab's output area beside its side bar, so it is not shrunk and its
    # 12-point titles stay 12 pixels high
    fig = playground.draw_rendering(render_state(PlaygroundState(kernel=np.ones((3, 3))), synthetic_image("step")))
    assert tuple(fig.get_size_inches()) == playground.FIGURE_SIZE
    assert min(ax.title.get_fontsize() for ax in fig.axes if ax.get_title()) >= 12
    playground.plt.close(fig)


# ---------------------------------------------------------------------------------------------
# tools/try_playground.py: it checks its output folder first and removes only files it made


def _try_playground():
    return load_script("tools/try_playground.py")


def test_try_playground_removes_only_its_own_files(tmp_path):
    tool = _try_playground()
    theirs = tmp_path / "playground-mine.png"  # a learner's screenshot with a name like the tool's
    theirs.write_bytes(b"keep")
    ours = tool.record(tmp_path, tmp_path / "playground-before.png")
    ours.write_bytes(b"old run")
    (tmp_path / tool.MANIFEST).open("a").write("../outside.png\n/etc/passwd\n")  # never followed
    (tmp_path.parent / "outside.png").write_bytes(b"keep")
    tool.prepare_out(tmp_path)
    assert theirs.read_bytes() == b"keep" and not ours.exists() and not (tmp_path / tool.MANIFEST).exists()
    assert (tmp_path.parent / "outside.png").exists()


def test_try_playground_checks_its_output_folder_before_any_work(tmp_path, capsys):
    tool = _try_playground()
    a_file = tmp_path / "shots"
    a_file.write_text("not a folder")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        tool.prepare_out(a_file)
    tool.find_chromium = lambda: "/usr/bin/true"  # main must stop at the folder, before starting anything
    tool.try_playground = lambda *args: pytest.fail("started work despite a bad --out")
    assert tool.main(["--out", str(a_file)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    made = tmp_path / "new" / "deeper"
    tool.prepare_out(made)  # a folder that does not exist yet is made
    assert made.is_dir()


def test_the_stored_text_form_names_the_playground_not_its_children():
    # a notebook stores the widget's text/plain; GitHub and the website showed a cut-off VBox(children=... dump
    import ipywidgets

    box = _playground(kernel_name="sobel_x")
    bundle = box._repr_mimebundle_()
    assert bundle["text/plain"] == playground.PLAYGROUND_TEXT == repr(box)
    assert "application/vnd.jupyter.widget-view+json" in bundle  # a running Jupyter still draws the controls
    assert isinstance(box, ipywidgets.VBox) and len(box.children) == 4
