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
