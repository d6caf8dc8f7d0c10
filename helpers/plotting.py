"""The one figure layout the course uses: a grid of titled image panels.

Every panel has a title and no axes; single-channel images are drawn in gray
on a fixed 0-255 scale, so a figure cannot hide what the numbers did (left to
itself, ``plt.imshow`` stretches each image to its own minimum and maximum).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
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
    cmap: str = "gray",
    suptitle: str | None = None,
) -> Figure:
    """Draw images side by side, each with its title, axes off.

    Parameters
    ----------
    images : sequence of array_like
        ``(H, W)`` images (drawn with ``cmap``) or ``(H, W, 3)`` RGB images.
    titles : sequence of str
        One non-empty title per image.
    ncols : int, optional
        Panels per row; defaults to all in one row (at most 4 per row).
    vmin, vmax : float or None, optional
        The data values drawn as black and white. Pass ``None`` for both to
        let matplotlib stretch each panel to its own range (and say so in the
        title).
    cmap : str, optional
        Colour map for single-channel images.
    suptitle : str, optional
        A title over the whole figure.

    Returns
    -------
    matplotlib.figure.Figure
        Call ``plt.show()`` after it in a notebook.

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
    if not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    arrays = [np.asarray(image) for image in images]
    for array, title in zip(arrays, titles, strict=True):
        if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))):
            raise ValueError(f"cannot show an image of shape {array.shape} (panel {title!r})")
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(PANEL_SIZE[0] * ncols, PANEL_SIZE[1] * nrows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, array, title in zip(axes.flat, arrays, titles, strict=False):
        if array.ndim == 3:
            ax.imshow(array)
        else:
            ax.imshow(array, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        ax.set_title(title)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


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


def draw_windows(ax: plt.Axes, n: int, k: int, *, stride: int = 1, dilation: int = 1, pad: int = 0) -> None:
    """Draw the taps of outputs (0, 0) and (0, 1) over an n x n input, and the output grid beside it.

    A drawing in the spirit of Dumoulin and Visin's *A guide to convolution
    arithmetic for deep learning* (arXiv:1603.07285), used by
    ``05_borders_strides_dilation``: input cells gray, padding white, the
    taps of the first window as blue squares and those of the next window
    along the row as orange dots; the output grid on the right with the same
    two outputs coloured.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw; its title is set to the configuration and output size.
    n, k : int
        Input and kernel side.
    stride, dilation, pad : int, optional
        Step between windows, between taps, and zero padding on every side.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> draw_windows(ax, 5, 3, stride=2, pad=1)
    >>> ax.get_title().splitlines()[-1]
    'stride 2, dilation 1: output 3x3'
    >>> plt.close(fig)
    """
    size = n + 2 * pad
    out = max((size - dilation * (k - 1) - 1) // stride + 1, 0)
    for r in range(size):
        for c in range(size):
            inside = pad <= r < pad + n and pad <= c < pad + n
            ax.add_patch(plt.Rectangle((c, r), 1, 1, facecolor="0.75" if inside else "white", edgecolor="0.4"))
    for u in range(k):
        for v in range(k):
            ax.add_patch(plt.Rectangle((v * dilation + 0.1, u * dilation + 0.1), 0.8, 0.8, color="tab:blue", alpha=0.8))
            ax.add_patch(plt.Circle((stride + v * dilation + 0.5, u * dilation + 0.5), 0.22, color="tab:orange"))
    for r in range(out):
        for c in range(out):
            colour = {(0, 0): "tab:blue", (0, 1): "tab:orange"}.get((r, c), "white")
            ax.add_patch(plt.Rectangle((size + 1 + c, r), 1, 1, facecolor=colour, edgecolor="0.4"))
    ax.set(xlim=(-0.2, 2 * size + 1.2), ylim=(size + 0.2, -0.2), aspect="equal")  # one scale for every panel
    ax.set_title(
        f"{n}x{n} input, {k}x{k} kernel, padding {pad},\nstride {stride}, dilation {dilation}: output {out}x{out}"
    )
    ax.axis("off")
