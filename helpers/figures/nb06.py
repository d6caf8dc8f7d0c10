"""Figures of notebook 06 (colour and channels): maps scaled to their own range.

Figure code that only one notebook uses lives here, one module per notebook;
the drawing every notebook shares is :mod:`helpers.plotting`.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from helpers.plotting import PANEL_SIZE

__all__ = ["show_scaled_maps"]


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
