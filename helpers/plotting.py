"""The one figure layout the course uses: a grid of titled image panels.

Every panel has a title and no axes; every image, gray or colour, integer or
float, is drawn on the same fixed 0-255 scale, so a figure cannot hide what the
numbers did (left to itself, ``plt.imshow`` stretches each gray image to its own
minimum and maximum, and clips float colour images to [0, 1]).

Figures that only one notebook draws live in :mod:`helpers.figures`, one module
per notebook.
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
