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
import re
from dataclasses import dataclass, field
from fractions import Fraction
from html import escape as html_escape

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from helpers._checks import as_real_array, check_array_size, check_choice, check_ndim
from helpers.convolution import BORDER_MODES, _pad_for_window, correlate2d, squash
from helpers.kernels import KERNELS
from helpers.plotting import PANEL_SIZE

__all__ = [
    "DISPLAY_MODES",
    "PLAYGROUND_TEXT",
    "SYNTHETIC_IMAGES",
    "ClickMap",
    "PatchTable",
    "PlaygroundState",
    "Rendering",
    "display",
    "draw_grid",
    "draw_rendering",
    "frame",
    "make_playground",
    "parse_weight",
    "patch_at",
    "render_state",
    "rendering_png",
    "rendering_png_and_map",
    "synthetic_image",
    "weight_text",
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
    check_choice(name, "name", SYNTHETIC_IMAGES)
    if (
        not isinstance(shape, tuple)
        or len(shape) != 2
        or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 8 for n in shape)
    ):
        raise ValueError(f"shape must be a pair of ints, each at least 8, got {shape!r}")
    check_array_size(shape, "the synthetic image")  # before anything of that size exists
    rows, cols = np.arange(shape[0])[:, np.newaxis], np.arange(shape[1])[np.newaxis, :]
    if name == "step":
        white = np.broadcast_to(cols >= shape[1] // 2, shape)
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
    >>> display(np.array([-1e308, 0.0, 1e308]), "rescale")  # the extremes of float64 too
    array([  0. , 127.5, 255. ])
    """
    check_choice(how, "how", DISPLAY_MODES)
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
    # halves first: high - low itself overflows to infinity for values near +-1.8e308
    return (array / 2 - low / 2) / (high / 2 - low / 2) * 255.0


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
    for name, value, size in (("row", row, pixels.shape[0]), ("col", col, pixels.shape[1])):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or not 0 <= value < size:
            raise ValueError(f"{name} must be an int from 0 to {size - 1}, got {value!r}")
    # the very padding step of helpers.correlate2d, with its checks of mode and cval (a finite number,
    # and non-zero only with mode='constant'), so the patch cannot show pixels the output never used
    batch = pixels[np.newaxis, :, :, np.newaxis]
    padded = _pad_for_window(batch, (kh, kw), "same", mode, cval, 1, 1)[0][0, :, :, 0]
    patch = padded[row : row + kh, col : col + kw]
    with np.errstate(over="ignore", invalid="ignore"):  # huge weights: render_state reports the overflow
        products = patch * weights
        total = float(products.sum())
    return PatchTable(int(row), int(col), patch, weights, products, total)


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
        check_choice(self.mode, "mode", BORDER_MODES)
        check_choice(self.display, "display", DISPLAY_MODES)


def _value_text(value: float) -> str:
    """A value for the summary line: one decimal, or three significant digits when it is huge."""
    return f"{value:.1f}" if abs(value) < 1e9 else f"{value:.3g}"


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
            f"{state.kernel_name} on {state.image}, mode={state.mode}: output from "
            f"{_value_text(self.output.min())} to {_value_text(self.output.max())}; at (row {self.patch.row}, "
            f"col {self.patch.col}) the products add up to {_value_text(self.patch.total)}"
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

    Raises
    ------
    ValueError
        If the output is too large for float64 (weights like ``1e308``): the
        message names the kernel, and nothing is drawn.

    Examples
    --------
    >>> huge = PlaygroundState(kernel=np.full((3, 3), 1e308), kernel_name="custom")
    >>> render_state(huge, synthetic_image("step", shape=(16, 16)))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: kernel custom (weights from 1e+308 to 1e+308) gives outputs too large for float64 on step ...
    """
    pixels = as_real_array(image, "image").astype(np.float64)
    check_ndim(pixels, "image", (2,), "a 2-D grayscale image (H, W)")
    with np.errstate(over="ignore", invalid="ignore"):
        output = correlate2d(pixels, state.kernel, padding="same", mode=state.mode)
    patch = patch_at(pixels, state.kernel, state.row, state.col, mode=state.mode)
    if not (np.all(np.isfinite(output)) and np.all(np.isfinite(patch.products)) and np.isfinite(patch.total)):
        low, high = state.kernel.min(), state.kernel.max()
        raise ValueError(
            f"kernel {state.kernel_name} (weights from {low:.3g} to {high:.3g}) gives outputs too large for "
            f"float64 on {state.image} (past +-1.8e308, so infinity or NaN); make its weights smaller"
        )
    if not np.isclose(patch.total, output[state.row, state.col], rtol=1e-12, atol=1e-9):
        raise AssertionError(  # pragma: no cover - would mean the patch table reads other pixels than correlate2d
            f"patch sum {patch.total} differs from correlate2d's {output[state.row, state.col]}"
        )
    size = f"{state.kernel.shape[0]}x{state.kernel.shape[1]}"
    titles = {
        "input": f"input: {state.image}",
        "output": f"{state.kernel_name} ({size}), {state.mode}, {DISPLAY_MODES[state.display]}",
        "pixels": f"patch at (row {state.row}, col {state.col})",
        "kernel": f"kernel {state.kernel_name}",
        "products": "patch × kernel",
        "total": "sum of the products",
    }
    return Rendering(state, pixels, output, display(output, state.display), patch, titles)


def _number(value: float) -> str:
    value = float(value) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{value:.0f}" if value == round(value) and abs(value) < 1e6 else f"{value:.3g}"


def draw_grid(ax: plt.Axes, values: np.ndarray, title: str, *, fractions: bool = False) -> None:
    """Draw a small array as coloured cells with each value written in its cell (red positive, blue negative).

    With ``fractions=True`` the cells read as the playground's kernel cells do
    (:func:`weight_text`: ``1/9`` rather than ``0.111``), where that is short.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> draw_grid(ax, [[1.0, -2.0], [0.5, 0.0]], "a grid")
    >>> [text.get_text() for text in ax.texts]
    ['1', '-2', '0.5', '0']
    >>> draw_grid(ax, [[np.inf]], "infinity")
    Traceback (most recent call last):
    ...
    ValueError: values contains NaN or infinity
    >>> plt.close(fig)
    """
    values = np.atleast_2d(as_real_array(values, "values").astype(np.float64))
    check_ndim(values, "values", (2,), "a number, a row or a 2-D array")
    check_array_size(values.shape, "the grid", itemsize=1 << 16)  # one text label per cell
    largest = max(float(np.abs(values).max()), 1e-300)
    ax.imshow(values / largest, cmap="coolwarm", vmin=-2, vmax=2)  # pale colours, so the numbers stay readable
    rows, cols = values.shape
    ax.hlines(np.arange(rows + 1) - 0.5, -0.5, cols - 0.5, color="white", linewidth=1)
    ax.vlines(np.arange(cols + 1) - 0.5, -0.5, rows - 0.5, color="white", linewidth=1)
    fontsize = 12 if max(rows, cols) <= 3 else 9
    for (r, c), value in np.ndenumerate(values):
        label = weight_text(value) if fractions else ""
        ax.text(c, r, label if 0 < len(label) <= 6 else _number(value), ha="center", va="center", fontsize=fontsize)
    ax.set_title(title, fontsize=12)
    ax.axis("off")


def frame(ax: plt.Axes) -> None:
    """Turn an image panel's axes off but keep a thin gray frame, so white areas stay visible on white paper.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> _ = ax.imshow(np.full((4, 4), 255.0), cmap="gray", vmin=0, vmax=255)
    >>> ax.axis("off")  # as helpers.show_images leaves it: no frame is drawn at all
    (np.float64(-0.5), np.float64(3.5), np.float64(3.5), np.float64(-0.5))
    >>> frame(ax)
    >>> ax.axison, ax.get_xticks().size, ax.get_yticks().size, ax.spines["left"].get_visible()
    (True, 0, 0, True)
    >>> plt.close(fig)
    """
    ax.set_axis_on()  # an axes turned off draws no spines, whatever their settings
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_edgecolor("0.6")


def _outline(ax: plt.Axes, left: float, top: float, width: float, height: float) -> None:
    """A red rectangle on a wider white one: visible on black, on white and on a photograph.

    It is not clipped to the image, so at a border the patch shows how far it reaches past the edge.
    """
    for colour, linewidth in (("white", 3.5), ("red", 1.5)):
        box = plt.Rectangle((left, top), width, height, fill=False, edgecolor=colour, linewidth=linewidth)
        ax.add_patch(box).set_clip_on(False)


#: The playground figure's size in inches: three panels wide and two and a half high, so
#: that at the widget's 75 dpi it is 900 x 600 pixels, narrow enough for JupyterLab's
#: output area not to shrink it, and its 12-point titles are 12 pixels high.
FIGURE_SIZE = (3 * PANEL_SIZE[0], 2.5 * PANEL_SIZE[1])


def draw_rendering(rendering: Rendering) -> Figure:
    """Draw a :class:`Rendering`: input and output on top, the patch table below.

    The top row shows the input with the patch outlined (red inside white, so
    it shows on dark and light pixels alike) and the output as displayed, its
    pixel at ``(row, col)`` outlined the same way (with a colour bar of output
    values for the ``'offset'`` display); the bottom row shows patch, kernel,
    products and their sum, as 02's patch figure does.
    """
    fig = plt.figure(figsize=FIGURE_SIZE)
    grid = fig.add_gridspec(2, 4, height_ratios=(1.6, 1))
    top_left, top_right = fig.add_subplot(grid[0, 0:2]), fig.add_subplot(grid[0, 2:4])
    state, patch = rendering.state, rendering.patch
    half_h, half_w = state.kernel.shape[0] // 2, state.kernel.shape[1] // 2
    top_left.imshow(rendering.image, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    _outline(top_left, patch.col - half_w - 0.5, patch.row - half_h - 0.5, 2 * half_w + 1, 2 * half_h + 1)
    top_left.set_title(rendering.titles["input"] + ", patch outlined", fontsize=12)
    if state.display == "offset":
        shown = top_right.imshow(rendering.output, cmap="gray", vmin=-128, vmax=127, interpolation="nearest")
        # an inset in the panel's own coordinates: as tall as the image drawn, whatever its aspect
        # (a colour bar beside the panel's box was taller than a wide image such as the course's)
        bar = top_right.inset_axes((1.03, 0.0, 0.04, 1.0))
        fig.colorbar(shown, cax=bar, label="output value", extend="both")
    else:
        top_right.imshow(rendering.shown, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    _outline(top_right, patch.col - 0.5, patch.row - 0.5, 1, 1)  # the output pixel the patch's sum lands on
    top_right.set_title(rendering.titles["output"], fontsize=12)
    for ax in (top_left, top_right):
        frame(ax)
    for column, (key, values) in enumerate(
        [("pixels", patch.pixels), ("kernel", patch.kernel), ("products", patch.products), ("total", [[patch.total]])]
    ):
        draw_grid(fig.add_subplot(grid[1, column]), values, rendering.titles[key], fractions=key == "kernel")
    fig.tight_layout()
    return fig


@dataclass(frozen=True)
class ClickMap:
    """Where the input and output panels lie in a PNG of :func:`draw_rendering`, to turn a click into a pixel.

    ``panels`` holds, for each of the two image panels, ``(left, top, right,
    bottom)`` in the PNG's pixels (origin at the top left, as a browser
    reports a click); ``shape`` is the image's ``(H, W)``.

    Examples
    --------
    >>> where = ClickMap(size=(900, 480), panels=((10.0, 20.0, 110.0, 120.0),), shape=(64, 64))
    >>> where.pixel(60.0, 70.0)  # the middle of the panel
    (32, 32)
    >>> where.pixel(5.0, 70.0) is None  # left of it
    True
    """

    size: tuple[int, int]
    panels: tuple[tuple[float, float, float, float], ...]
    shape: tuple[int, int]

    def pixel(self, x: float, y: float) -> tuple[int, int] | None:
        """The image's ``(row, col)`` under the PNG point ``(x, y)``, or None outside both image panels."""
        for left, top, right, bottom in self.panels:
            if left <= x <= right and top <= y <= bottom:
                row = int((y - top) / (bottom - top) * self.shape[0])
                col = int((x - left) / (right - left) * self.shape[1])
                return min(row, self.shape[0] - 1), min(col, self.shape[1] - 1)
        return None


def _check_dpi(dpi: object) -> int:
    if not isinstance(dpi, (int, np.integer)) or isinstance(dpi, bool) or dpi < 1:
        raise ValueError(f"dpi must be a positive int, got {dpi!r}")
    width, height = round(FIGURE_SIZE[0] * dpi), round(FIGURE_SIZE[1] * dpi)
    check_array_size((height, width, 4), f"the figure's pixels at dpi={dpi}", itemsize=1)
    return int(dpi)


def rendering_png_and_map(rendering: Rendering, *, dpi: int = 75) -> tuple[bytes, ClickMap]:
    """The figure of :func:`draw_rendering` as PNG bytes, and where its two image panels lie in it.

    ``dpi`` is checked, and the figure's size in pixels against
    :data:`helpers._checks.MAX_ARRAY_BYTES`, before anything is drawn.
    """
    dpi = _check_dpi(dpi)
    fig = draw_rendering(rendering)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    width, height = round(fig.get_figwidth() * dpi), round(fig.get_figheight() * dpi)
    panels = []
    for ax in fig.axes[:2]:  # input and output, in the order draw_rendering adds them
        box = ax.get_position()  # after drawing: the box the image really fills (aspect applied)
        panels.append((box.x0 * width, (1 - box.y1) * height, box.x1 * width, (1 - box.y0) * height))
    plt.close(fig)
    return buffer.getvalue(), ClickMap((width, height), tuple(panels), rendering.image.shape)


def rendering_png(rendering: Rendering, *, dpi: int = 75) -> bytes:
    """The figure of :func:`draw_rendering` as PNG bytes (what the playground's image widget shows).

    Examples
    --------
    >>> state = PlaygroundState(kernel=np.ones((3, 3)), image="step")
    >>> rendering_png(render_state(state, synthetic_image("step")), dpi=5000)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the figure's pixels at dpi=5000 would have shape (40000, 60000, 4): ...
    """
    return rendering_png_and_map(rendering, dpi=dpi)[0]


_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_WEIGHT = re.compile(rf"\s*({_NUMBER})\s*(?:/\s*({_NUMBER})\s*)?")


def parse_weight(text: str, where: str = "the kernel cell") -> float:
    """Read one kernel weight typed by a learner: a number, or a fraction of two numbers. No ``eval``.

    Parameters
    ----------
    text : str
        ``'0.5'``, ``'-2'``, ``'2e-1'``, ``'1/9'``, ``'-1 / 16'``. A comma is refused,
        not read as a thousands separator or a decimal point.
    where : str, optional
        Which cell, for the message.

    Returns
    -------
    float, finite

    Raises
    ------
    ValueError
        Naming ``where`` and the text, for anything else, a division by zero, or
        a value too large for float64.

    Examples
    --------
    >>> [parse_weight(t) for t in ["1/9", "-0.5", "2e-1", " 3 "]]
    [0.1111111111111111, -0.5, 0.2, 3.0]
    >>> parse_weight("1,5", "the kernel cell in row 1, column 2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the kernel cell in row 1, column 2 holds '1,5', which is not a number: ... (a point, not a comma, ...)
    """
    if not isinstance(text, str):
        raise TypeError(f"{where} must hold text, got {text!r}")
    match = _WEIGHT.fullmatch(text)
    if match is None:
        raise ValueError(
            f"{where} holds {text!r}, which is not a number: type a number such as 0.5, -2 or 2e-1, or a "
            "fraction such as 1/9 (a point, not a comma, for decimals)"
        )
    numerator = float(match.group(1))
    denominator = 1.0 if match.group(2) is None else float(match.group(2))
    if denominator == 0:
        raise ValueError(f"{where} holds {text!r}, a division by zero")
    with np.errstate(over="ignore"):
        value = float(np.float64(numerator) / np.float64(denominator))
    if not np.isfinite(value) or not np.isfinite(numerator):
        raise ValueError(f"{where} holds {text!r}, too large for float64 (at most about 1.8e308)")
    return value


def weight_text(value: float) -> str:
    """How a kernel cell shows a weight: a whole number, a fraction such as ``1/9``, or the float itself.

    The text reads back through :func:`parse_weight` to exactly ``value``.

    Examples
    --------
    >>> [weight_text(v) for v in [2.0, -0.0, 1 / 9, 0.0625, -0.09375, 0.1]]
    ['2', '0', '1/9', '1/16', '-3/32', '0.1']
    """
    value = float(value) + 0.0
    if value == round(value) and abs(value) < 1e15:
        return f"{value:.0f}"
    short = repr(value)
    fraction = Fraction(value).limit_denominator(256)
    text = f"{fraction.numerator}/{fraction.denominator}"
    if fraction.numerator / fraction.denominator == value and len(text) < len(short):
        return text
    return short


def _scaled_pixel(index: int, old: int, new: int) -> int:
    """The pixel index at the same place in an axis of ``new`` pixels as ``index`` in one of ``old``."""
    return min(new - 1, max(0, round((index + 0.5) * new / old - 0.5)))


#: What a notebook stores as the playground's text form, and what GitHub and the course website show in
#: place of the controls (ipywidgets' own is a cut-off ``VBox(children=(HBox(...`` dump).
PLAYGROUND_TEXT = "Kernel playground (ipywidgets): its controls need a running Jupyter kernel."


def _playground_box(widgets):
    """A VBox whose text form is :data:`PLAYGROUND_TEXT`; the live widget is the same VBox."""

    class PlaygroundBox(widgets.VBox):
        def __repr__(self) -> str:
            return PLAYGROUND_TEXT

    return PlaygroundBox


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
        Its text form (what a notebook stores and a static page shows) is
        :data:`PLAYGROUND_TEXT`. Its ``.controls`` attribute holds the widgets by name (``'kernel'``,
        ``'size'``, ``'image'``, ``'mode'``, ``'display'``, ``'row'``, ``'col'``,
        ``'cells'`` (a 5x5 list of Text cells, each taking a number or a
        fraction such as ``1/9``; a 3x3 kernel uses the inner 3x3),
        ``'figure'``, ``'summary'``, and ``'click'``, the ipyevents ``Event``
        that turns a click on either image into the chosen pixel);
        ``.current()`` returns the :class:`Rendering` on show, or None while
        the summary line shows an error instead of a figure, so the widget
        can be driven and checked without a browser.
    """
    import ipywidgets as widgets  # only the playground needs them
    from ipyevents import Event

    if not isinstance(images, dict) or not images:
        raise ValueError("images must be a non-empty dict: the playground needs at least one input")
    if image is None:
        image = next(iter(images))
    check_choice(image, "image", images)
    choices = [name for name, weights in KERNELS.items() if weights.shape in ((3, 3), (5, 5))]
    check_choice(kernel_name, "kernel_name", choices)
    arrays = {name: as_real_array(pixels, f"images[{name!r}]").astype(np.float64) for name, pixels in images.items()}
    for name, pixels in arrays.items():
        check_ndim(pixels, f"images[{name!r}]", (2,), "a 2-D grayscale image (H, W)")

    # one Layout per cell: a shared one would hide or show all 25 cells at once
    cells = [
        [widgets.Text(value="0", continuous_update=False, layout=widgets.Layout(width="4.5em")) for _ in range(5)]
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
    click = Event(source=figure, watched_events=["click"])
    holder: dict[str, object] = {"rendering": None, "map": None}
    busy = {"loading": False}

    # a 3x3 kernel uses the inner 3x3 cells of the 5x5 grid, so its centre stays the grid's centre
    # and switching size keeps the kernel centred (the outer ring is hidden, not dropped)
    def in_use(r: int, c: int) -> bool:
        return size.value == "5x5" or (1 <= r <= 3 and 1 <= c <= 3)

    def kernel_from_cells() -> np.ndarray:
        first = 0 if size.value == "5x5" else 1
        lines = []
        for r in range(5):
            line = []
            for c in range(5):
                if in_use(r, c):
                    where = f"the kernel cell in row {r - first + 1}, column {c - first + 1} (from the top left)"
                    try:
                        line.append(parse_weight(cells[r][c].value, where))
                    except ValueError:
                        cells[r][c].layout.border = "2px solid red"
                        raise
                    cells[r][c].layout.border = ""
            if line:
                lines.append(line)
        return np.array(lines, dtype=np.float64)

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
                    cells[r][c].value = weight_text(placed[r, c])
                    cells[r][c].layout.border = ""
            show_cells()
        finally:
            busy["loading"] = False

    def fail(message: str) -> None:
        """Show the problem instead of a figure: never leave an old figure standing for a new state."""
        holder["rendering"], holder["map"] = None, None
        figure.layout.display = "none"
        summary.value = f'<span style="color: #b00020"><b>Not drawn:</b> {html_escape(message)}</span>'

    def redraw(_change: object = None) -> None:
        if busy["loading"]:
            return
        pixels = arrays[image_menu.value]
        try:
            state = PlaygroundState(
                kernel=kernel_from_cells(),
                kernel_name=kernel_menu.value,
                image=image_menu.value,
                mode=mode.value,
                display=shown.value,
                row=min(row.value, pixels.shape[0] - 1),
                col=min(col.value, pixels.shape[1] - 1),
            )
            rendering = render_state(state, pixels)
        except ValueError as error:
            fail(str(error))
            return
        holder["rendering"] = rendering
        figure.value, holder["map"] = rendering_png_and_map(rendering)
        figure.layout.display = ""
        summary.value = f"<code>{html_escape(rendering.summary())}</code>"

    def move_pixel(new_row: int, new_col: int, rows: int, cols: int) -> None:
        """Set both sliders (and their ranges) without a redraw for each; the caller redraws once."""
        busy["loading"] = True
        try:
            for slider, value, count in ((row, new_row, rows), (col, new_col, cols)):
                if count - 1 >= slider.max:
                    slider.max = count - 1
                    slider.value = value
                else:  # shrinking: move the value into the new range first
                    slider.value = value
                    slider.max = count - 1
        finally:
            busy["loading"] = False

    def on_image(change: dict) -> None:
        old, new = arrays[change["old"]].shape, arrays[change["new"]].shape
        # the same place in the new image (the same pixel when the sizes agree), then one redraw
        move_pixel(_scaled_pixel(row.value, old[0], new[0]), _scaled_pixel(col.value, old[1], new[1]), *new)
        redraw()

    def on_click(event: dict) -> None:
        where = holder["map"]
        if where is None or "dataX" not in event:
            return
        pixel = where.pixel(float(event["dataX"]), float(event["dataY"]))
        if pixel is not None and pixel != (row.value, col.value):
            move_pixel(*pixel, *arrays[image_menu.value].shape)
            redraw()

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
    move_pixel(pixels.shape[0] // 2, pixels.shape[1] // 2, *pixels.shape)
    kernel_menu.observe(on_kernel, names="value")
    size.observe(on_size, names="value")
    for line in cells:
        for cell in line:
            cell.observe(on_cell, names="value")
    image_menu.observe(on_image, names="value")
    for control in (mode, shown, row, col):
        control.observe(redraw, names="value")
    click.on_dom_event(on_click)
    redraw()

    grid = widgets.GridBox(
        [cell for line in cells for cell in line],
        layout=widgets.Layout(grid_template_columns="repeat(5, 4.8em)", grid_gap="2px"),
    )
    controls_box = widgets.VBox([kernel_menu, size, image_menu, mode, shown, row, col])
    kernel_box = widgets.VBox([widgets.Label("kernel cells: a number or a fraction (1/9), then Enter"), grid])
    hint = widgets.Label("Click the input or the output to choose the pixel whose patch is shown.")
    box = _playground_box(widgets)([widgets.HBox([controls_box, kernel_box]), summary, hint, figure])
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
        "click": click,
    }
    box.current = lambda: holder["rendering"]
    return box
