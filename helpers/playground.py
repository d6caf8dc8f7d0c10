"""The kernel playground of ``09_kernel_playground``: plain functions behind its widgets.

Everything the playground shows is computed here, without a browser, so the
tests can check it:

* :func:`synthetic_image`: a step, a disk or a checkerboard, whose edges are
  known exactly (they live here until the course has a module for test images).
* :func:`display`: four ways to draw a signed output on the 0-255 gray scale.
* :func:`patch_at`: the patch under the kernel at one pixel, the products and
  their sum, as in 02's patch figure.
* :func:`render_state`: the whole playground for one :class:`PlaygroundState`;
  :func:`draw_rendering` draws it; :func:`make_playground` wires it to
  ipywidgets.

The output always comes from :func:`helpers.correlate2d`; the patch table reads
the same padded pixels and its sum is checked against that output, so there
is no second convolution to disagree with the first.

Examples
--------
>>> state = PlaygroundState(kernel=np.ones((3, 3)) / 9, image="step", row=32, col=32)
>>> rendering = render_state(state, synthetic_image("step", shape=(64, 64)))
>>> rendering.patch.pixels
array([[  0., 255., 255.],
       [  0., 255., 255.],
       [  0., 255., 255.]])
>>> round(float(rendering.patch.total), 2), round(float(rendering.output[32, 32]), 2)
(170.0, 170.0)
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from helpers._checks import as_real_array, check_ndim
from helpers.convolution import BORDER_MODES, correlate2d, squash
from helpers.kernels import KERNELS
from helpers.plotting import PANEL_SIZE

__all__ = [
    "DISPLAY_MODES",
    "SYNTHETIC_IMAGES",
    "PatchTable",
    "PlaygroundState",
    "Rendering",
    "display",
    "draw_grid",
    "draw_rendering",
    "frame",
    "make_playground",
    "patch_at",
    "render_state",
    "rendering_png",
    "synthetic_image",
]

#: The four ways to draw a signed output, with what each title says.
DISPLAY_MODES: dict[str, str] = {
    "clip": "clipped to 0-255",
    "absolute": "|value|, clipped to 0-255",
    "offset": "128 + value, clipped to 0-255",
    "rescale": "min-max rescaled to 0-255",
}

#: The synthetic images :func:`synthetic_image` can make.
SYNTHETIC_IMAGES: tuple[str, ...] = ("step", "disk", "checkerboard")


def synthetic_image(name: str, shape: tuple[int, int] = (64, 64)) -> np.ndarray:
    """A black-and-white test image whose edges are known exactly.

    Parameters
    ----------
    name : {'step', 'disk', 'checkerboard'}
        ``'step'``: black left half, white right half (one vertical edge).
        ``'disk'``: a white disk of radius ``min(shape) / 4`` centred on a black
        background (edges in every direction).
        ``'checkerboard'``: 8 x 8 pixel squares, black in the top-left corner.
    shape : (int, int), optional
        Rows and columns, each at least 8.

    Returns
    -------
    numpy.ndarray, shape ``shape``, float64, values 0 and 255 only

    Examples
    --------
    >>> synthetic_image("step", shape=(8, 8))[0]
    array([  0.,   0.,   0.,   0., 255., 255., 255., 255.])
    >>> synthetic_image("checkerboard", shape=(16, 16))[::8, ::8]
    array([[  0., 255.],
           [255.,   0.]])
    """
    if name not in SYNTHETIC_IMAGES:
        raise ValueError(f"no synthetic image named {name!r}; choose one of {list(SYNTHETIC_IMAGES)}")
    if (
        not isinstance(shape, tuple)
        or len(shape) != 2
        or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 8 for n in shape)
    ):
        raise ValueError(f"shape must be a pair of ints, each at least 8, got {shape!r}")
    rows, cols = np.indices(shape)
    if name == "step":
        white = cols >= shape[1] // 2
    elif name == "disk":
        radius = min(shape) / 4
        white = (rows - (shape[0] - 1) / 2) ** 2 + (cols - (shape[1] - 1) / 2) ** 2 <= radius**2
    else:
        white = (rows // 8 + cols // 8) % 2 == 1
    return np.where(white, 255.0, 0.0)


def display(values: np.ndarray, how: str) -> np.ndarray:
    """Map a signed output onto the 0-255 gray scale in one of four ways.

    Parameters
    ----------
    values : array_like
        A convolution output: any real numbers.
    how : {'clip', 'absolute', 'offset', 'rescale'}
        ``'clip'`` keeps 0-255 and cuts the rest (what the 2016 post did);
        ``'absolute'`` draws ``|value|`` (both sides of an edge bright);
        ``'offset'`` draws ``128 + value`` (zero is mid-gray, negative darker);
        ``'rescale'`` stretches the lowest value to 0 and the highest to 255
        (a flat output is drawn mid-gray).

    Returns
    -------
    numpy.ndarray, float64, values in [0, 255]

    Examples
    --------
    >>> values = np.array([-100.0, 0.0, 100.0, 300.0])
    >>> for how in DISPLAY_MODES:
    ...     print(how, display(values, how))
    clip [  0.   0. 100. 255.]
    absolute [100.   0. 100. 255.]
    offset [ 28. 128. 228. 255.]
    rescale [  0.   63.75 127.5  255.  ]
    """
    if how not in DISPLAY_MODES:
        raise ValueError(f"unknown display {how!r}; choose one of {list(DISPLAY_MODES)}")
    array = as_real_array(values, "values").astype(np.float64)
    if how == "clip":
        return squash(array)
    if how == "absolute":
        return squash(np.abs(array))
    if how == "offset":
        return squash(128.0 + array)
    low, high = array.min(), array.max()
    if high == low:
        return np.full_like(array, 127.5)
    return 255.0 * (array - low) / (high - low)


@dataclass(frozen=True)
class PatchTable:
    """The patch under the kernel at one output pixel, the products and their sum."""

    row: int
    col: int
    pixels: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    total: float


def patch_at(
    image: np.ndarray, kernel: np.ndarray, row: int, col: int, *, mode: str = "constant", cval: float = 0.0
) -> PatchTable:
    """The patch that :func:`helpers.correlate2d` multiplies by the kernel at ``(row, col)``.

    The image is padded with the same border ``mode`` the output uses (through
    numpy.pad's name for it in :data:`helpers.BORDER_MODES`), so near an edge
    the patch shows the border pixels that mode invents.

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (kh, kw), both odd
    row, col : int
        The output pixel, inside the image.
    mode, cval
        As in :func:`helpers.correlate2d`.

    Returns
    -------
    PatchTable

    Examples
    --------
    >>> table = patch_at(np.arange(16).reshape(4, 4), np.ones((3, 3)), 0, 0)
    >>> table.pixels
    array([[0., 0., 0.],
           [0., 0., 1.],
           [0., 4., 5.]])
    >>> table.total
    10.0
    """
    pixels = as_real_array(image, "image").astype(np.float64)
    check_ndim(pixels, "image", (2,), "a 2-D grayscale image (H, W)")
    weights = as_real_array(kernel, "kernel").astype(np.float64)
    check_ndim(weights, "kernel", (2,), "a 2-D kernel (kh, kw)")
    kh, kw = weights.shape
    if kh % 2 == 0 or kw % 2 == 0:
        raise ValueError(f"kernel must have odd sizes so it has a centre pixel, got shape {weights.shape}")
    if mode not in BORDER_MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {list(BORDER_MODES)}")
    for name, value, size in (("row", row, pixels.shape[0]), ("col", col, pixels.shape[1])):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or not 0 <= value < size:
            raise ValueError(f"{name} must be an int from 0 to {size - 1}, got {value!r}")
    pad = ((kh // 2, kh // 2), (kw // 2, kw // 2))
    numpy_mode = BORDER_MODES[mode]["numpy"]
    if numpy_mode == "constant":
        padded = np.pad(pixels, pad, mode="constant", constant_values=cval)
    else:
        padded = np.pad(pixels, pad, mode=numpy_mode)
    patch = padded[row : row + kh, col : col + kw]
    products = patch * weights
    return PatchTable(int(row), int(col), patch, weights, products, float(products.sum()))


@dataclass(frozen=True)
class PlaygroundState:
    """Everything the playground's controls choose.

    ``kernel`` is a 3x3 or 5x5 array; ``image`` names the input ('course' or a
    :data:`SYNTHETIC_IMAGES` name); ``mode`` is a border mode of
    :data:`helpers.BORDER_MODES`; ``display`` a key of :data:`DISPLAY_MODES`;
    ``row`` and ``col`` the pixel whose patch is shown.
    """

    kernel: np.ndarray
    kernel_name: str = "custom"
    image: str = "step"
    mode: str = "constant"
    display: str = "clip"
    row: int = 0
    col: int = 0

    def __post_init__(self) -> None:
        weights = as_real_array(self.kernel, "kernel").astype(np.float64)
        if weights.shape not in ((3, 3), (5, 5)):
            raise ValueError(f"the playground edits 3x3 or 5x5 kernels, got shape {weights.shape}")
        object.__setattr__(self, "kernel", weights)
        if self.mode not in BORDER_MODES:
            raise ValueError(f"unknown mode {self.mode!r}; choose one of {list(BORDER_MODES)}")
        if self.display not in DISPLAY_MODES:
            raise ValueError(f"unknown display {self.display!r}; choose one of {list(DISPLAY_MODES)}")


@dataclass(frozen=True)
class Rendering:
    """What the playground shows for one state: input, raw and displayed output, patch table."""

    state: PlaygroundState
    image: np.ndarray
    output: np.ndarray
    shown: np.ndarray
    patch: PatchTable
    titles: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line of text: the output's range and the chosen pixel's sum."""
        state = self.state
        return (
            f"{state.kernel_name} on {state.image}, mode={state.mode}: output from {self.output.min():.1f} "
            f"to {self.output.max():.1f}; at (row {self.patch.row}, col {self.patch.col}) the products "
            f"add up to {self.patch.total:.1f}"
        )


def render_state(state: PlaygroundState, image: np.ndarray) -> Rendering:
    """Compute everything the playground shows for ``state`` on ``image``.

    Parameters
    ----------
    state : PlaygroundState
    image : array_like, shape (H, W)
        The grayscale input the state's ``image`` names (the caller loads it).

    Returns
    -------
    Rendering
        ``output`` is :func:`helpers.correlate2d` of the image with the kernel
        (``padding='same'`` and the state's mode); ``shown`` is
        :func:`display` of it; ``patch`` is :func:`patch_at` the state's
        pixel, whose sum equals ``output[row, col]`` (checked here).
    """
    pixels = as_real_array(image, "image").astype(np.float64)
    check_ndim(pixels, "image", (2,), "a 2-D grayscale image (H, W)")
    output = correlate2d(pixels, state.kernel, padding="same", mode=state.mode)
    patch = patch_at(pixels, state.kernel, state.row, state.col, mode=state.mode)
    if not np.isclose(patch.total, output[state.row, state.col], rtol=0, atol=1e-9 * max(1.0, np.abs(output).max())):
        raise AssertionError(  # pragma: no cover - would mean the patch table reads other pixels than correlate2d
            f"patch sum {patch.total} differs from correlate2d's {output[state.row, state.col]}"
        )
    size = f"{state.kernel.shape[0]}x{state.kernel.shape[1]}"
    titles = {
        "input": f"input: {state.image}",
        "output": f"{state.kernel_name} ({size}), mode={state.mode}, {DISPLAY_MODES[state.display]}",
        "pixels": f"patch at (row {state.row}, col {state.col})",
        "kernel": f"kernel {state.kernel_name}",
        "products": "patch × kernel, cell by cell",
        "total": "sum of the products",
    }
    return Rendering(state, pixels, output, display(output, state.display), patch, titles)


def _number(value: float) -> str:
    value = float(value) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{value:.0f}" if value == round(value) else f"{value:.3g}"


def draw_grid(ax: plt.Axes, values: np.ndarray, title: str) -> None:
    """Draw a small array as coloured cells with each value written in its cell (red positive, blue negative)."""
    values = np.atleast_2d(np.asarray(values, dtype=np.float64))
    limit = 2 * max(float(np.abs(values).max()), 1e-12)  # pale colours, so the numbers stay readable
    ax.imshow(values, cmap="coolwarm", vmin=-limit, vmax=limit)
    rows, cols = values.shape
    ax.hlines(np.arange(rows + 1) - 0.5, -0.5, cols - 0.5, color="white", linewidth=1)
    ax.vlines(np.arange(cols + 1) - 0.5, -0.5, rows - 0.5, color="white", linewidth=1)
    fontsize = 11 if max(rows, cols) <= 3 else 8
    for (r, c), value in np.ndenumerate(values):
        ax.text(c, r, _number(value), ha="center", va="center", fontsize=fontsize)
    ax.set_title(title)
    ax.axis("off")


def frame(ax: plt.Axes) -> None:
    """Turn an image panel's axes off but keep a thin gray frame, so white areas stay visible on white paper.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> _ = ax.imshow(np.full((4, 4), 255.0), cmap="gray", vmin=0, vmax=255)
    >>> frame(ax)
    >>> ax.get_xticks().size, ax.get_yticks().size, ax.spines["left"].get_visible()
    (0, 0, True)
    >>> plt.close(fig)
    """
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_edgecolor("0.6")


def draw_rendering(rendering: Rendering) -> Figure:
    """Draw a :class:`Rendering`: input and output on top, the patch table below.

    The top row shows the input with the patch outlined in red and the output
    as displayed, its pixel at ``(row, col)`` outlined in red (with a colour
    bar of output values for the ``'offset'`` display); the bottom row shows
    patch, kernel, products and their sum, as 02's patch figure does.
    """
    fig = plt.figure(figsize=(4 * PANEL_SIZE[0], 2 * PANEL_SIZE[1]))
    grid = fig.add_gridspec(2, 4)
    top_left, top_right = fig.add_subplot(grid[0, 0:2]), fig.add_subplot(grid[0, 2:4])
    state, patch = rendering.state, rendering.patch
    half_h, half_w = state.kernel.shape[0] // 2, state.kernel.shape[1] // 2
    top_left.imshow(rendering.image, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    outline = plt.Rectangle(
        (patch.col - half_w - 0.5, patch.row - half_h - 0.5), 2 * half_w + 1, 2 * half_h + 1, fill=False, color="red"
    )
    top_left.add_patch(outline)
    top_left.set_title(rendering.titles["input"] + ", patch outlined in red")
    if state.display == "offset":
        shown = top_right.imshow(rendering.output, cmap="gray", vmin=-128, vmax=127, interpolation="nearest")
        fig.colorbar(
            shown, ax=top_right, label="output value (gray = 128 + value)", extend="both", fraction=0.046, pad=0.02
        )
    else:
        top_right.imshow(rendering.shown, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    # the output pixel the patch's sum lands on, outlined in red as well
    top_right.add_patch(plt.Rectangle((patch.col - 0.5, patch.row - 0.5), 1, 1, fill=False, color="red"))
    top_right.set_title(rendering.titles["output"], fontsize=10)
    for ax in (top_left, top_right):
        frame(ax)
    for column, (key, values) in enumerate(
        [("pixels", patch.pixels), ("kernel", patch.kernel), ("products", patch.products), ("total", [[patch.total]])]
    ):
        draw_grid(fig.add_subplot(grid[1, column]), values, rendering.titles[key])
    fig.tight_layout()
    return fig


def rendering_png(rendering: Rendering, *, dpi: int = 72) -> bytes:
    """The figure of :func:`draw_rendering` as PNG bytes (what the playground's image widget shows)."""
    fig = draw_rendering(rendering)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()


def make_playground(images: dict[str, np.ndarray], *, kernel_name: str = "edge_2", image: str | None = None):
    """Build the playground's widgets: controls, a kernel grid, the figure and a summary line.

    Parameters
    ----------
    images : dict of str to array_like
        The inputs to choose from, by name (for example the course image and
        the three :func:`synthetic_image` images).
    kernel_name : str, optional
        The :data:`helpers.KERNELS` entry to start with (3x3 or 5x5).
    image : str, optional
        The name in ``images`` to start with; the first one by default.

    Returns
    -------
    ipywidgets.VBox
        Its ``.controls`` attribute holds the widgets by name (``'kernel'``,
        ``'size'``, ``'image'``, ``'mode'``, ``'display'``, ``'row'``, ``'col'``,
        ``'cells'`` (a 5x5 list of FloatText; a 3x3 kernel uses the inner 3x3),
        ``'figure'``, ``'summary'``) and
        ``.current()`` returns the :class:`Rendering` on show, so it can be
        driven and checked without a browser.
    """
    import ipywidgets as widgets  # only the playground needs it

    if not images:
        raise ValueError("images is empty: the playground needs at least one input")
    if image is None:
        image = next(iter(images))
    if image not in images:
        raise ValueError(f"no image named {image!r}; choose one of {list(images)}")
    choices = [name for name, weights in KERNELS.items() if weights.shape in ((3, 3), (5, 5))]
    if kernel_name not in choices:
        raise ValueError(f"kernel_name must be one of {choices}, got {kernel_name!r}")
    arrays = {name: as_real_array(pixels, f"images[{name!r}]").astype(np.float64) for name, pixels in images.items()}

    # one Layout per cell: a shared one would hide or show all 25 cells at once
    cells = [
        [widgets.FloatText(value=0.0, step=0.1, layout=widgets.Layout(width="4.5em")) for _ in range(5)]
        for _ in range(5)
    ]
    kernel_menu = widgets.Dropdown(options=[*choices, "custom"], value=kernel_name, description="kernel")
    size = widgets.ToggleButtons(options=["3x3", "5x5"], description="size")
    image_menu = widgets.Dropdown(options=list(arrays), value=image, description="image")
    mode = widgets.Dropdown(options=list(BORDER_MODES), value="constant", description="border")
    shown = widgets.ToggleButtons(options=list(DISPLAY_MODES), value="clip", description="display")
    row = widgets.IntSlider(description="row", min=0, continuous_update=False)
    col = widgets.IntSlider(description="col", min=0, continuous_update=False)
    figure = widgets.Image(format="png")
    summary = widgets.HTML()
    holder: dict[str, Rendering] = {}
    busy = {"loading": False}

    # a 3x3 kernel uses the inner 3x3 cells of the 5x5 grid, so its centre stays the grid's centre
    # and switching size keeps the kernel centred (the outer ring is hidden, not dropped)
    def in_use(r: int, c: int) -> bool:
        return size.value == "5x5" or (1 <= r <= 3 and 1 <= c <= 3)

    def kernel_from_cells() -> np.ndarray:
        lines = [[cells[r][c].value for c in range(5) if in_use(r, c)] for r in range(5)]
        return np.array([line for line in lines if line], dtype=np.float64)

    def show_cells() -> None:
        for r in range(5):
            for c in range(5):
                cells[r][c].layout.visibility = "visible" if in_use(r, c) else "hidden"

    def load_kernel(name: str) -> None:
        busy["loading"] = True
        try:
            weights = KERNELS[name]
            size.value = f"{weights.shape[0]}x{weights.shape[1]}"
            placed = np.zeros((5, 5))
            first = (5 - weights.shape[0]) // 2  # 0 for a 5x5 kernel, 1 for a 3x3 one
            placed[first : first + weights.shape[0], first : first + weights.shape[1]] = weights
            for r in range(5):
                for c in range(5):
                    cells[r][c].value = float(placed[r, c])
            show_cells()
        finally:
            busy["loading"] = False

    def redraw(_change: object = None) -> None:
        if busy["loading"]:
            return
        pixels = arrays[image_menu.value]
        row.max, col.max = pixels.shape[0] - 1, pixels.shape[1] - 1
        state = PlaygroundState(
            kernel=kernel_from_cells(),
            kernel_name=kernel_menu.value,
            image=image_menu.value,
            mode=mode.value,
            display=shown.value,
            row=min(row.value, row.max),
            col=min(col.value, col.max),
        )
        holder["rendering"] = render_state(state, pixels)
        figure.value = rendering_png(holder["rendering"], dpi=90)
        summary.value = f"<code>{holder['rendering'].summary()}</code>"

    def on_kernel(change: dict) -> None:
        if change["new"] != "custom":
            load_kernel(change["new"])
        redraw()

    def on_cell(_change: object) -> None:
        if busy["loading"]:
            return
        if kernel_menu.value != "custom":
            busy["loading"] = True
            kernel_menu.value = "custom"
            busy["loading"] = False
        redraw()

    def on_size(_change: object) -> None:
        show_cells()
        if not busy["loading"]:
            on_cell(None)

    load_kernel(kernel_name)
    pixels = arrays[image]
    row.max, col.max = pixels.shape[0] - 1, pixels.shape[1] - 1
    row.value, col.value = pixels.shape[0] // 2, pixels.shape[1] // 2
    kernel_menu.observe(on_kernel, names="value")
    size.observe(on_size, names="value")
    for line in cells:
        for cell in line:
            cell.observe(on_cell, names="value")
    for control in (image_menu, mode, shown, row, col):
        control.observe(redraw, names="value")
    redraw()

    grid = widgets.GridBox(
        [cell for line in cells for cell in line],
        layout=widgets.Layout(grid_template_columns="repeat(5, 4.8em)", grid_gap="2px"),
    )
    controls_box = widgets.VBox([kernel_menu, size, image_menu, mode, shown, row, col])
    kernel_box = widgets.VBox([widgets.Label("kernel cells"), grid])
    box = widgets.VBox([widgets.HBox([controls_box, kernel_box]), summary, figure])
    box.controls = {
        "kernel": kernel_menu,
        "size": size,
        "image": image_menu,
        "mode": mode,
        "display": shown,
        "row": row,
        "col": col,
        "cells": cells,
        "figure": figure,
        "summary": summary,
    }
    box.current = lambda: holder["rendering"]
    return box
