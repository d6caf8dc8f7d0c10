"""Figures of notebook 04 (tf.nn.conv2d): the NHWC/HWIO layout drawing and the float32 rounding-error plot.

Figure code that only one notebook uses lives here, one module per notebook;
the drawing every notebook shares is :mod:`helpers.plotting`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from helpers.plotting import PANEL_SIZE

__all__ = ["show_layout_nhwc_hwio", "show_rounding_error"]


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
