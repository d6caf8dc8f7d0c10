"""Figures of notebook 02 (convolution by hand): value grids drawn as numbers on coloured cells.

Figure code that only one notebook uses lives here, one module per notebook;
the drawing every notebook shares is :mod:`helpers.plotting`.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from helpers.plotting import PANEL_SIZE

__all__ = ["show_value_grids"]


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
