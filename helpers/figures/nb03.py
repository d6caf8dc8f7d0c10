"""Figures of notebook 03 (the kernel gallery): fixed against autoscaled panels, the offset colour bar, a marked pixel.

Figure code that only one notebook uses lives here, one module per notebook;
the drawing every notebook shares is :mod:`helpers.plotting`.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from helpers.plotting import PANEL_SIZE

__all__ = ["add_offset_colorbar", "mark_pixel", "show_fixed_and_autoscaled"]


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
    >>> from helpers.plotting import show_images
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
    >>> from helpers.plotting import show_images
    >>> fig = show_images([np.zeros((5, 5)), np.zeros((5, 5))], ["a", "b"])
    >>> mark_pixel(fig, 2, 3)
    >>> [len(ax.patches) for ax in fig.axes]
    [1, 1]
    >>> plt.close(fig)
    """
    for ax in fig.axes:
        if ax.images:
            ax.add_patch(plt.Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor=color, linewidth=2))
