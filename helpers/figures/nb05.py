"""Figures of notebook 05 (borders, strides, dilation): padded grids with every cell numbered.

Figure code that only one notebook uses lives here, one module per notebook;
the drawing every notebook shares is :mod:`helpers.plotting`.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from helpers.plotting import show_images

__all__ = ["show_numbered"]


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

    Raises
    ------
    ValueError
        If the numbers of arrays and titles differ or are zero, an array is
        not 2-D or is empty, or ``frame`` is not four whole numbers with a
        positive height and width; checked before anything is drawn.

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
    for index, array in enumerate(values):
        if array.ndim != 2 or array.size == 0:
            raise ValueError(f"arrays[{index}] has shape {array.shape}; show_numbered draws non-empty 2-D arrays only")
    if frame is not None and (len(frame) != 4 or any(int(side) != side for side in frame) or min(frame[2:]) < 1):
        raise ValueError(
            f"frame must be (top, left, height, width) in whole cells, height and width at least 1; got {frame}"
        )
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
