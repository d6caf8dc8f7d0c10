"""The one figure layout the course uses: a grid of titled image panels.

Every panel has a title and no axes; every image, gray or colour, integer or
float, is drawn on the same fixed 0-255 scale, so a figure cannot hide what the
numbers did (left to itself, ``plt.imshow`` stretches each gray image to its own
minimum and maximum, and clips float colour images to [0, 1]).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Colormap
from matplotlib.figure import Figure

__all__ = ["PANEL_SIZE", "show_images"]

#: Width and height of one panel, in inches. Every course figure uses it.
PANEL_SIZE = (4.0, 3.2)


def show_images(
    images: Sequence[np.ndarray],
    titles: Sequence[str],
    *,
    ncols: int | None = None,
    vmin: float | None = 0.0,
    vmax: float | None = 255.0,
    cmap: str | Colormap = "gray",
    suptitle: str | None = None,
) -> Figure:
    """Draw images side by side, each with its title, axes off.

    Parameters
    ----------
    images : sequence of array_like
        ``(H, W)`` images (drawn with ``cmap``) or ``(H, W, 3)`` RGB and
        ``(H, W, 4)`` RGBA images, of any integer or float dtype. NaN is drawn
        blank in a gray panel and black in a colour one. Bool, complex and
        non-numeric arrays are refused.
    titles : sequence of str
        One non-empty title per image.
    ncols : int, optional
        Panels per row; defaults to all in one row (at most 4 per row).
    vmin, vmax : float or None, optional
        The data values drawn as black and white, for gray and colour panels
        alike: a float RGB image holding 0-255 (what a convolution of a photo
        returns) looks like the photo, and values outside the range are drawn
        as the nearest end. Pass ``None`` for both to stretch each panel to its
        own minimum and maximum instead (and say so in the title).
    cmap : str or matplotlib.colors.Colormap, optional
        Colour map for single-channel images.
    suptitle : str, optional
        A title over the whole figure.

    Returns
    -------
    matplotlib.figure.Figure
        Call ``plt.show()`` after it in a notebook.

    Raises
    ------
    ValueError
        No images, a title missing or empty, a shape that is not an image, an
        empty image, ``ncols`` below 1, ``vmin >= vmax``, or an unknown colour
        map. Every argument is checked before a figure is made, so an error
        leaves no figure open.
    TypeError
        An image that is not an array of real numbers (bool, complex, object,
        strings), or ``ncols``, ``vmin``, ``vmax`` of the wrong type.

    Examples
    --------
    >>> fig = show_images([np.zeros((4, 4)), np.full((4, 4), 255.0)], ["black", "white"])
    >>> [ax.get_title() for ax in fig.axes]
    ['black', 'white']
    >>> plt.close(fig)
    """
    images = list(images)
    titles = list(titles)
    if not images:
        raise ValueError("images is empty: nothing to show")
    if len(titles) != len(images):
        raise ValueError(f"got {len(images)} images but {len(titles)} titles; every panel needs a title")
    if any(not isinstance(title, str) or not title.strip() for title in titles):
        raise ValueError("every title must be a non-empty string")
    if ncols is None:
        ncols = min(len(images), 4)
    if not isinstance(ncols, (numbers.Integral, np.integer)) or isinstance(ncols, (bool, np.bool_)):
        raise TypeError(f"ncols must be an int, got {ncols!r}")
    ncols = int(ncols)
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
    scale = _check_scale(vmin, vmax)
    colormap = _check_cmap(cmap)
    arrays = [_check_panel(image, title) for image, title in zip(images, titles, strict=True)]
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(PANEL_SIZE[0] * ncols, PANEL_SIZE[1] * nrows), squeeze=False)
    try:
        for ax in axes.flat:
            ax.axis("off")
        for ax, array, title in zip(axes.flat, arrays, titles, strict=False):
            if array.ndim == 3:
                ax.imshow(_colour_on_scale(array, scale))  # default interpolation, as before for colour
            else:
                low, high = scale if scale is not None else (None, None)
                ax.imshow(array, cmap=colormap, vmin=low, vmax=high, interpolation="nearest")
            ax.set_title(title)
        if suptitle:
            fig.suptitle(suptitle)
        fig.tight_layout()
    except BaseException:
        plt.close(fig)
        raise
    return fig


def _check_scale(vmin: object, vmax: object) -> tuple[float, float] | None:
    """``(vmin, vmax)`` as floats, or None when both are None (each panel stretched)."""
    if vmin is None and vmax is None:
        return None
    for name, value in (("vmin", vmin), ("vmax", vmax)):
        if not isinstance(value, (numbers.Real, np.integer, np.floating)) or isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be a number, or None together with the other, got {value!r}")
        if not np.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value!r}")
    if not vmin < vmax:
        raise ValueError(f"vmin must be below vmax, got vmin={vmin!r} and vmax={vmax!r}")
    return float(vmin), float(vmax)


def _check_cmap(cmap: object) -> Colormap:
    if isinstance(cmap, Colormap):
        return cmap
    if not isinstance(cmap, str):
        raise TypeError(f"cmap must be a colour map name such as 'gray', got {cmap!r}")
    try:
        return matplotlib.colormaps[cmap]
    except KeyError:
        raise ValueError(f"cmap {cmap!r} is not a matplotlib colour map; try 'gray' or 'viridis'") from None


def _check_panel(image: object, title: str) -> np.ndarray:
    """The panel as an array, or an error naming the panel by its title."""
    if isinstance(image, (str, bytes)):
        raise TypeError(f"panel {title!r} is a {type(image).__name__}, not an image array")
    try:
        array = np.asarray(image)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"panel {title!r} is not a rectangular array: {error}") from None
    if array.dtype.kind == "b":
        raise TypeError(f"panel {title!r} has dtype bool; draw it as 0 and 255 with 255 * mask.astype(np.uint8)")
    if array.dtype.kind not in "iuf":
        raise TypeError(f"panel {title!r} must hold real numbers, got an array of dtype {array.dtype}")
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))):
        raise ValueError(f"cannot show an image of shape {array.shape} (panel {title!r})")
    if array.size == 0:
        raise ValueError(f"panel {title!r} is empty (shape {array.shape})")
    return array


def _colour_on_scale(array: np.ndarray, scale: tuple[float, float] | None) -> np.ndarray:
    """An RGB(A) image mapped to the [0, 1] floats imshow draws, with ``scale`` (or its own range) as 0 and 1.

    uint8 images on the default 0-255 scale are passed through unchanged, so
    imshow draws them exactly as before.
    """
    if scale == (0.0, 255.0) and array.dtype == np.uint8:
        return array
    values = array.astype(np.float64)
    if scale is None:
        finite = values[np.isfinite(values)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if high == low:
            high = low + 1.0
    else:
        low, high = scale
    values = (values - low) / (high - low)
    return np.clip(np.nan_to_num(values, nan=0.0, posinf=1.0, neginf=0.0), 0.0, 1.0)


# --- Figure helpers of the kernel gallery (03_kernel_gallery) ---------------------------------------------


def show_fixed_and_autoscaled(images: Sequence[np.ndarray], titles: Sequence[str]) -> Figure:
    """Draw each image twice: on the fixed 0-255 scale (top row) and on ``imshow``'s own scale (bottom row).

    The bottom row is what ``plt.imshow(image, cmap="gray")`` shows without
    ``vmin`` and ``vmax``: each panel stretched from its own minimum (black)
    to its own maximum (white).

    Parameters
    ----------
    images : sequence of array_like
        ``(H, W)`` images.
    titles : sequence of str
        One non-empty title per image; each row adds its scale to it.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = show_fixed_and_autoscaled([np.arange(16.0).reshape(4, 4)], ["ramp"])
    >>> [ax.get_title() for ax in fig.axes]
    ['ramp, 0-255', "ramp, imshow's own scale"]
    >>> fig.axes[1].images[0].get_clim()
    (0.0, 15.0)
    >>> plt.close(fig)
    """
    images = list(images)
    titles = list(titles)
    if not images or len(titles) != len(images):
        raise ValueError(f"need one title per image, got {len(images)} images and {len(titles)} titles")
    ncols = len(images)
    fig, axes = plt.subplots(2, ncols, figsize=(PANEL_SIZE[0] * ncols, PANEL_SIZE[1] * 2), squeeze=False)
    for column, (image, title) in enumerate(zip(images, titles, strict=True)):
        fixed, autoscaled = axes[0, column], axes[1, column]
        fixed.imshow(image, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
        fixed.set_title(f"{title}, 0-255")
        autoscaled.imshow(image, cmap="gray", interpolation="nearest")  # no vmin, no vmax
        autoscaled.set_title(f"{title}, imshow's own scale")
    for ax in axes.flat:
        ax.axis("off")
    fig.tight_layout()
    return fig


def add_offset_colorbar(
    fig: Figure, ax: plt.Axes, *, offset: float = 128.0, divisor: float = 1.0, label: str = "value"
) -> None:
    """Add a colour bar, labelled in the signed values, to a panel drawn as ``offset + value / divisor``.

    A signed output (an edge map) is often shown by adding 128, so that 0 is
    mid-gray, and clipping to 0-255. The gray levels then mean nothing on
    their own; the bar translates them back: gray level ``g`` is the value
    ``(g - offset) * divisor``, written as a whole number from 10 up.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure holding ``ax``.
    ax : matplotlib.axes.Axes
        A panel with one image drawn on the 0-255 scale.
    offset, divisor : float, optional
        How the values were turned into gray levels.
    label : str, optional
        The bar's label.

    A bar takes some width from its panel: give every panel of a figure one
    (``offset=0`` for a plain 0-255 panel), so that the panels keep one size.

    Examples
    --------
    >>> fig = show_images([np.full((4, 4), 128.0)], ["zero"])
    >>> add_offset_colorbar(fig, fig.axes[0], divisor=4)
    >>> fig.axes[1].get_yticklabels()[0].get_text()
    '-512'
    >>> plt.close(fig)
    """
    if not ax.images:
        raise ValueError("ax has no image to add a colour bar to")
    if divisor == 0:
        raise ValueError("divisor must not be 0")
    levels = [0, 64, 128, 192, 255]
    bar = fig.colorbar(ax.images[0], ax=ax, ticks=levels, fraction=0.046, pad=0.04)
    values = [(level - offset) * divisor for level in levels]
    bar.ax.set_yticklabels([f"{value:.0f}" if abs(value) >= 10 else f"{value:g}" for value in values])
    bar.set_label(label)
    fig.tight_layout()


def mark_pixel(fig: Figure, row: int, col: int, *, color: str = "red") -> None:
    """Outline pixel ``(row, col)`` with a square on every image panel of ``fig``.

    Examples
    --------
    >>> fig = show_images([np.zeros((5, 5)), np.zeros((5, 5))], ["a", "b"])
    >>> mark_pixel(fig, 2, 3)
    >>> [len(ax.patches) for ax in fig.axes]
    [1, 1]
    >>> plt.close(fig)
    """
    for ax in fig.axes:
        if ax.images:
            ax.add_patch(plt.Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor=color, linewidth=2))


# --- Figure helpers of the convolution by hand (02_convolution_by_hand) --------------------------------------


def show_value_grids(
    grids: Sequence[np.ndarray],
    titles: Sequence[str],
    *,
    between: Sequence[str] | None = None,
    outlines: Sequence[tuple[int, int, int, int] | None] | None = None,
    scale: float = 1.0,
    shared_colours: bool = True,
) -> Figure:
    """Draw small 2-D arrays side by side as grids, each value written in its cell.

    Positive values are tinted red and negative ones blue, pale enough for
    the numbers to stay readable. By default every panel uses one colour
    scale, so equal colours mean equal numbers across panels. Used by
    ``02_convolution_by_hand`` to show a patch, a kernel and their products;
    it computes nothing.

    Parameters
    ----------
    grids : sequence of array_like
        Small 2-D arrays of real numbers (a few rows and columns each).
    titles : sequence of str
        One non-empty title per grid.
    between : sequence of str, optional
        ``len(grids) - 1`` symbols (for example ``"×"``, ``"="``) written in
        the gaps between neighbouring panels.
    outlines : sequence of (top, left, height, width) or None, optional
        One entry per grid: a block of cells to outline in black, or None.
    scale : float, optional
        Size of each panel in multiples of :data:`PANEL_SIZE`.
    shared_colours : bool, optional
        True (the default): one colour scale for all panels, set by the
        largest absolute value of any of them. False: each panel tinted on its
        own scale, so the same colour can mean different numbers side by side;
        say so in the titles.

    Returns
    -------
    matplotlib.figure.Figure
        Call ``plt.show()`` after it in a notebook.

    Raises
    ------
    ValueError
        If a grid is not 2-D, or the numbers of titles, symbols or outlines
        do not match the number of grids.
    TypeError
        If ``shared_colours`` is not a bool.

    Examples
    --------
    >>> fig = show_value_grids([np.eye(2), [[-1, 1]]], ["identity", "a row"], between=["→"])
    >>> [ax.get_title() for ax in fig.axes]
    ['identity', 'a row']
    >>> sorted(text.get_text() for text in fig.axes[1].texts)
    ['-1', '1']
    >>> [image.get_clim() for ax in fig.axes for image in ax.images]  # one shared colour scale
    [(-2.0, 2.0), (-2.0, 2.0)]
    >>> plt.close(fig)
    """
    if not isinstance(shared_colours, bool):
        raise TypeError(f"shared_colours must be True or False, got {shared_colours!r}")
    arrays = [np.asarray(grid, dtype=np.float64) + 0.0 for grid in grids]  # + 0.0 turns -0.0 into 0.0
    titles = list(titles)
    if not arrays:
        raise ValueError("grids is empty: nothing to show")
    if len(titles) != len(arrays) or any(not isinstance(t, str) or not t.strip() for t in titles):
        raise ValueError(f"got {len(arrays)} grids and {len(titles)} titles; every grid needs a non-empty title")
    for array, title in zip(arrays, titles, strict=True):
        if array.ndim != 2 or array.size == 0:
            raise ValueError(f"each grid must be a non-empty 2-D array, got shape {array.shape} (panel {title!r})")
    between = list(between) if between is not None else []
    if between and len(between) != len(arrays) - 1:
        raise ValueError(f"between needs {len(arrays) - 1} symbols (one per gap), got {len(between)}")
    outlines = list(outlines) if outlines is not None else [None] * len(arrays)
    if len(outlines) != len(arrays):
        raise ValueError(f"outlines needs one entry per grid ({len(arrays)}), got {len(outlines)}")

    figsize = (scale * PANEL_SIZE[0] * len(arrays), scale * PANEL_SIZE[1])
    fig, axes = plt.subplots(1, len(arrays), figsize=figsize, squeeze=False)
    shared_limit = 2 * max(max(np.abs(values).max() for values in arrays), 1.0)  # twice the largest: pale colours
    for ax, values, title, outline in zip(axes.flat, arrays, titles, outlines, strict=True):
        limit = shared_limit if shared_colours else 2 * max(np.abs(values).max(), 1.0)
        ax.imshow(values, cmap="coolwarm", vmin=-limit, vmax=limit)
        rows, cols = values.shape
        ax.hlines(np.arange(rows + 1) - 0.5, -0.5, cols - 0.5, color="white", linewidth=1)
        ax.vlines(np.arange(cols + 1) - 0.5, -0.5, rows - 0.5, color="white", linewidth=1)
        for (r, c), value in np.ndenumerate(values):
            ax.text(c, r, f"{value:g}", ha="center", va="center", fontsize=11)
        if outline is not None:
            top, left, height, width = outline
            ax.add_patch(plt.Rectangle((left - 0.5, top - 0.5), width, height, fill=False, linewidth=3))
        ax.set_title(title)
        ax.axis("off")
    fig.tight_layout()
    for left_ax, right_ax, symbol in zip(axes.flat[:-1], axes.flat[1:], between, strict=False):
        gap_middle = (left_ax.get_position().x1 + right_ax.get_position().x0) / 2  # in figure coordinates
        fig.text(gap_middle, 0.45, symbol, ha="center", va="center", fontsize=22)
    return fig


# --- Figure helpers of notebooks 04 (tf.nn.conv2d) and 06 (channels) ------------------------------------


def show_layout_nhwc_hwio(image: np.ndarray, kernel: np.ndarray) -> Figure:
    """Draw the 4-D shapes ``tf.nn.conv2d`` wants for one gray image and one kernel.

    Left, the image as an NHWC array ``(1, H, W, 1)``; right, the kernel as an
    HWIO array ``(kh, kw, 1, 1)`` with each weight written on its square. Four
    labelled boxes above each picture name the axes. Used by notebook 04.

    Parameters
    ----------
    image : array_like
        A 2-D gray image on the 0-255 scale.
    kernel : array_like
        A 2-D kernel with non-negative weights (drawn as gray squares).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = show_layout_nhwc_hwio(np.zeros((6, 8)), np.full((3, 3), 1 / 9))
    >>> [ax.get_title() for ax in fig.axes]
    ['input, NHWC (1, 6, 8, 1)', 'filter, HWIO (3, 3, 1, 1)']
    >>> plt.close(fig)
    """
    from fractions import Fraction

    image, kernel = np.asarray(image), np.asarray(kernel, dtype=float)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"image and kernel must be 2-D, got shapes {image.shape} and {kernel.shape}")
    height, width = image.shape
    kh, kw = kernel.shape
    fig, (ax_input, ax_filter) = plt.subplots(1, 2, figsize=(2 * PANEL_SIZE[0], 1.5 * PANEL_SIZE[1]))
    _draw_axes_and_slice(
        ax_input,
        f"input, NHWC {(1, height, width, 1)}",
        ["N\nbatch 1", f"H\n{height}", f"W\n{width}", "C\ngray 1"],
        image,
        "H: rows (axis 1)",
        "W: columns (axis 2)",
    )
    square = 20  # screen pixels per kernel weight
    largest = max(float(np.abs(kernel).max()), 1e-12)
    picture = np.kron(np.abs(kernel) / largest * 200, np.ones((square, square)))
    left, right, _, top = _draw_axes_and_slice(
        ax_filter,
        f"filter, HWIO {(kh, kw, 1, 1)}",
        [f"kh\n{kh}", f"kw\n{kw}", "I\nin 1", "O\nout 1"],
        picture,
        "kh: kernel rows",
        "kw: kernel columns",
    )
    step = (right - left) / kw
    for (row, col), weight in np.ndenumerate(kernel):
        label = str(Fraction(weight).limit_denominator(256))
        x, y = left + (col + 0.5) * step, top - (row + 0.5) * step
        ax_filter.text(x, y, label, ha="center", va="center", color="white")
    return fig


def _draw_axes_and_slice(ax, title, labels, picture, side, top_label):
    """Four labelled boxes (one per axis of a 4-D array) above the 2-D slice they hold; returns its extent."""
    for axis, label in enumerate(labels):
        ax.add_patch(plt.Rectangle((axis * 1.05, 3.0), 0.95, 0.9, facecolor="whitesmoke", edgecolor="black"))
        ax.text(axis * 1.05 + 0.475, 3.45, label, ha="center", va="center")
        ax.text(axis * 1.05 + 0.475, 4.05, f"axis {axis}", ha="center", fontsize=8, color="dimgray")
    scale = min(2.6 / picture.shape[1], 2.3 / picture.shape[0])  # keep the picture's proportions
    extent = (1.3, 1.3 + picture.shape[1] * scale, 2.3 - picture.shape[0] * scale, 2.3)
    ax.imshow(picture, cmap="gray", vmin=0, vmax=255, extent=extent)
    ax.annotate("", xy=(1.15, extent[2]), xytext=(1.15, 2.3), arrowprops={"arrowstyle": "->"})
    ax.annotate("", xy=(extent[1], 2.5), xytext=(1.3, 2.5), arrowprops={"arrowstyle": "->"})
    ax.text(1.0, (extent[2] + 2.3) / 2, side, rotation=90, ha="center", va="center", fontsize=9)
    ax.text((1.3 + extent[1]) / 2, 2.72, top_label, ha="center", va="center", fontsize=9)
    ax.set(xlim=(-0.1, 4.3), ylim=(-0.1, 4.3), title=title)
    ax.axis("off")
    return extent


def show_rounding_error(values: np.ndarray, errors: np.ndarray, *, dtype: type = np.float32) -> Figure:
    """Show rounding errors as a map, and against the value they belong to.

    Left, ``|errors|`` as an image from 0 to its largest value, with a colour
    bar. Right, each pixel's ``|error|`` against its value, with the gap
    between neighbouring ``dtype`` numbers (``np.spacing``) drawn as a
    staircase: it doubles at every power of two. Used by notebook 04.

    Parameters
    ----------
    values : array_like
        The exact results (2-D), for example a float64 convolution.
    errors : array_like
        The differences from ``values`` of the same results computed in
        ``dtype``; same shape as ``values``.
    dtype : numpy floating type, optional
        The type whose spacing is drawn.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> values = np.linspace(1.0, 255.0, 12).reshape(3, 4)
    >>> errors = values.astype(np.float32) + np.float32(1e-5) - values
    >>> fig = show_rounding_error(values, errors)
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['|difference|, own scale', '|difference| against the value']
    >>> plt.close(fig)
    """
    values, errors = np.asarray(values, dtype=float), np.abs(np.asarray(errors, dtype=float))
    if values.ndim != 2 or values.shape != errors.shape:
        raise ValueError(f"values and errors must be 2-D and of one shape, got {values.shape} and {errors.shape}")
    fig, (ax_map, ax_plot) = plt.subplots(1, 2, figsize=(2 * PANEL_SIZE[0], PANEL_SIZE[1]))
    shown = ax_map.imshow(errors, cmap="gray", vmin=0, vmax=max(float(errors.max()), 1e-30), interpolation="nearest")
    ax_map.set_title("|difference|, own scale")
    ax_map.axis("off")
    fig.colorbar(shown, ax=ax_map, fraction=0.046, pad=0.04, format="%.1e")
    ax_plot.scatter(values.ravel(), errors.ravel(), s=1, alpha=0.3, color="tab:blue", rasterized=True)
    grid = np.linspace(max(values.min(), 1.0), values.max(), 2000)
    ax_plot.step(
        grid, np.spacing(grid.astype(dtype)), where="post", color="black", label=f"{np.dtype(dtype).name} spacing"
    )
    ax_plot.set(xlabel="exact value", ylabel="|difference|", title="|difference| against the value")
    ax_plot.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def show_scaled_maps(
    maps: Sequence[np.ndarray], titles: Sequence[str], *, percentile: float = 99.0, suptitle: str | None = None
) -> Figure:
    """Draw 2-D maps in gray, each from 0 to its own percentile, with a colour bar.

    For feature maps whose few large values would leave a fixed 0-255 scale
    almost black (edge responses, absolute values): every value at or above the
    ``percentile``-th percentile of a map is drawn white. Say so in the
    caption. Used by notebook 06.

    Parameters
    ----------
    maps : sequence of array_like
        2-D arrays of non-negative values.
    titles : sequence of str
        One non-empty title per map.
    percentile : float, optional
        Between 0 (exclusive) and 100: the percentile drawn as white.
    suptitle : str, optional
        A title over the whole figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = show_scaled_maps([np.arange(100.0).reshape(10, 10)], ["ramp"], percentile=90)
    >>> fig.axes[0].images[0].get_clim()
    (0.0, 89.1)
    >>> plt.close(fig)
    """
    maps, titles = [np.asarray(m, dtype=float) for m in maps], list(titles)
    if not maps or len(maps) != len(titles):
        raise ValueError(f"got {len(maps)} maps and {len(titles)} titles; give one title per map")
    if not 0 < percentile <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {percentile}")
    if any(m.ndim != 2 for m in maps) or any((m < 0).any() for m in maps):
        raise ValueError("every map must be 2-D with no negative values (take np.abs first)")
    fig, axes = plt.subplots(1, len(maps), figsize=(PANEL_SIZE[0] * len(maps), PANEL_SIZE[1]), squeeze=False)
    for ax, values, title in zip(axes.flat, maps, titles, strict=True):
        top = max(float(np.percentile(values, percentile)), 1e-12)
        shown = ax.imshow(values, cmap="gray", vmin=0, vmax=top, interpolation="nearest")
        ax.set_title(title)
        ax.axis("off")
        fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


# --- Figure helpers of 05_borders_strides_dilation ----------------------------------------------------


def show_numbered(
    arrays: Sequence[np.ndarray],
    titles: Sequence[str],
    *,
    frame: tuple[int, int, int, int] | None = None,
) -> Figure:
    """Draw small integer arrays cell by cell, with each cell's value written in it.

    Used by ``05_borders_strides_dilation`` to show how each border mode
    fills the cells around a small numbered image.

    Parameters
    ----------
    arrays : sequence of array_like
        2-D arrays of small integers (a few dozen cells a side at most).
    titles : sequence of str
        One title per array.
    frame : (top, left, height, width), optional
        A dashed red rectangle drawn on every panel, for example around the
        original image inside its padding.

    Returns
    -------
    matplotlib.figure.Figure
        Call ``plt.show()`` after it in a notebook.

    Examples
    --------
    >>> fig = show_numbered([np.arange(6).reshape(2, 3)], ["0 to 5"], frame=(0, 0, 1, 1))
    >>> [text.get_text() for text in fig.axes[0].texts]
    ['0', '1', '2', '3', '4', '5']
    >>> plt.close(fig)
    """
    values = [np.asarray(array) for array in arrays]
    titles = list(titles)
    if len(values) != len(titles) or not values:
        raise ValueError(f"got {len(values)} arrays but {len(titles)} titles; every panel needs a title")
    if any(array.ndim != 2 for array in values):
        raise ValueError("show_numbered draws 2-D arrays only")
    low = min(float(array.min()) for array in values)
    high = max(float(array.max()) for array in values)
    fig = show_images(values, titles, ncols=len(values), vmin=low, vmax=high)
    middle = (low + high) / 2
    for ax, array in zip(fig.axes, values, strict=True):
        for (row, col), value in np.ndenumerate(array):
            colour = "black" if value > middle else "white"
            ax.text(col, row, f"{value:g}", ha="center", va="center", color=colour, fontsize=8)
        if frame is not None:
            top, left, height, width = frame
            ax.add_patch(
                plt.Rectangle((left - 0.5, top - 0.5), width, height, fill=False, edgecolor="red", linestyle="--")
            )
    return fig
