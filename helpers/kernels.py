"""The course's kernel gallery: named 2-D float arrays with their sources.

The first eight come from Wikipedia's "Kernel (image processing)" page, the
list the 2016 post walked through; the rest are classic kernels the gallery
notebook (``03_kernel_gallery``) adds. Each array is read-only, so a notebook
cannot change a shared kernel by accident; copy it first (``kernel.copy()``).

Examples
--------
>>> KERNELS["box_blur"].sum()
np.float64(1.0)
>>> print(describe_kernel("sharpen"))
sharpen (3x3): Sharpen: five times the centre minus its four neighbours. Sums to 1.
Source: https://en.wikipedia.org/wiki/Kernel_(image_processing)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers._checks import check_array_size, check_choice

__all__ = ["KERNELS", "KERNEL_INFO", "KernelInfo", "describe_kernel", "gaussian_kernel"]

WIKIPEDIA_KERNELS = "https://en.wikipedia.org/wiki/Kernel_(image_processing)"
WIKIPEDIA_SOBEL = "https://en.wikipedia.org/wiki/Sobel_operator"
WIKIPEDIA_LOG = "https://en.wikipedia.org/wiki/Blob_detection#The_Laplacian_of_Gaussian"
WIKIPEDIA_EMBOSS = "https://en.wikipedia.org/wiki/Image_embossing"
WIKIPEDIA_MOTION_BLUR = "https://en.wikipedia.org/wiki/Motion_blur"


@dataclass(frozen=True)
class KernelInfo:
    """What a kernel in :data:`KERNELS` does and where it comes from."""

    description: str
    source: str


def gaussian_kernel(size: int) -> np.ndarray:
    """The binomial approximation of a Gaussian blur, normalised to sum 1.

    Row ``size - 1`` of Pascal's triangle, outer product with itself: for
    size 3 that is ``[1, 2, 1]`` and the 3x3 kernel over 16; for size 5,
    ``[1, 4, 6, 4, 1]`` and the 5x5 kernel over 256.

    Each 1-D weight ``C(n, i) / 2**n`` (``n = size - 1``) is computed from
    Python's exact integers and rounded once to float64, so any size gives
    finite weights: summing the row in float64 first would overflow from
    size 513 on (``2**1024`` is past float64's largest value) and give
    zeros, then NaN. Weights below float64's smallest value come out 0.

    Parameters
    ----------
    size : int
        An odd number, at least 1; the ``(size, size)`` kernel must fit the
        size limit :data:`helpers._checks.MAX_ARRAY_BYTES` (1 GiB: size up to
        11,585), checked before anything is allocated.

    Returns
    -------
    numpy.ndarray, shape (size, size), float64

    Examples
    --------
    >>> gaussian_kernel(3) * 16
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> bool(np.isfinite(gaussian_kernel(1025)).all())
    True
    """
    if not isinstance(size, (int, np.integer)) or isinstance(size, (bool, np.bool_)) or size < 1 or size % 2 == 0:
        raise ValueError(f"size must be an odd positive int, got {size!r}")
    size = int(size)
    check_array_size((size, size), f"gaussian_kernel(size={size})")
    n = size - 1
    weights = []
    count = 1  # C(n, i), exact
    for i in range(size):
        weights.append(count / 2**n)  # int / int: rounded once, never overflows
        count = count * (n - i) // (i + 1)
    row = np.array(weights)
    return np.outer(row, row)


def _identity(size: int) -> np.ndarray:
    kernel = np.zeros((size, size))
    kernel[size // 2, size // 2] = 1.0
    return kernel


# Sobel: a [1, 2, 1] smoothing across times a [-1, 0, 1] difference along.
_SMOOTH = np.array([1.0, 2.0, 1.0])
_DIFFERENCE = np.array([-1.0, 0.0, 1.0])

_GALLERY: list[tuple[str, np.ndarray, str, str]] = [
    ("identity", _identity(3), "Identity: copies the centre pixel. Sums to 1.", WIKIPEDIA_KERNELS),
    (
        "edge_1",
        np.array([[1.0, 0.0, -1.0], [0.0, 0.0, 0.0], [-1.0, 0.0, 1.0]]),
        "Edge detection 1: diagonal differences of the corners. Sums to 0.",
        WIKIPEDIA_KERNELS,
    ),
    (
        "edge_2",
        np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]),
        "Edge detection 2: the four-neighbour Laplacian. Sums to 0.",
        WIKIPEDIA_KERNELS,
    ),
    (
        "edge_3",
        np.array([[-1.0, -1.0, -1.0], [-1.0, 8.0, -1.0], [-1.0, -1.0, -1.0]]),
        "Edge detection 3: the centre against all eight neighbours. Sums to 0.",
        WIKIPEDIA_KERNELS,
    ),
    (
        "sharpen",
        np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]]),
        "Sharpen: five times the centre minus its four neighbours. Sums to 1.",
        WIKIPEDIA_KERNELS,
    ),
    (
        "unsharp_5x5",
        np.array(
            [
                [1.0, 4.0, 6.0, 4.0, 1.0],
                [4.0, 16.0, 24.0, 16.0, 4.0],
                [6.0, 24.0, -476.0, 24.0, 6.0],
                [4.0, 16.0, 24.0, 16.0, 4.0],
                [1.0, 4.0, 6.0, 4.0, 1.0],
            ]
        )
        / -256.0,
        "Unsharp masking 5x5: twice the image minus its 5x5 Gaussian blur. Sums to 1.",
        WIKIPEDIA_KERNELS,
    ),
    ("box_blur", np.ones((3, 3)) / 9.0, "Box blur: the mean of the 3x3 neighbourhood. Sums to 1.", WIKIPEDIA_KERNELS),
    (
        "gaussian_blur_3x3",
        gaussian_kernel(3),
        "Gaussian blur 3x3: the binomial weights [1, 2, 1] x [1, 2, 1] / 16. Sums to 1.",
        WIKIPEDIA_KERNELS,
    ),
    (
        "gaussian_blur_5x5",
        gaussian_kernel(5),
        "Gaussian blur 5x5: the binomial weights [1, 4, 6, 4, 1] x [1, 4, 6, 4, 1] / 256. Sums to 1.",
        WIKIPEDIA_KERNELS,
    ),
    (
        "sobel_x",
        np.outer(_SMOOTH, _DIFFERENCE),
        "Sobel x: brightness increasing to the right gives positive values. Sums to 0.",
        WIKIPEDIA_SOBEL,
    ),
    (
        "sobel_y",
        np.outer(_DIFFERENCE, _SMOOTH),
        "Sobel y: brightness increasing downwards gives positive values. Sums to 0.",
        WIKIPEDIA_SOBEL,
    ),
    (
        "emboss",
        np.array([[-2.0, -1.0, 0.0], [-1.0, 1.0, 1.0], [0.0, 1.0, 2.0]]),
        "Emboss: a diagonal difference plus the pixel itself, so flat areas keep their value. Sums to 1.",
        WIKIPEDIA_EMBOSS,
    ),
    (
        "laplacian_of_gaussian",
        np.array(
            [
                [0.0, 0.0, -1.0, 0.0, 0.0],
                [0.0, -1.0, -2.0, -1.0, 0.0],
                [-1.0, -2.0, 16.0, -2.0, -1.0],
                [0.0, -1.0, -2.0, -1.0, 0.0],
                [0.0, 0.0, -1.0, 0.0, 0.0],
            ]
        ),
        "Laplacian of Gaussian 5x5 (negated, 'Mexican hat'): responds to blobs and edges, "
        "ignores flat areas. Sums to 0.",
        WIKIPEDIA_LOG,
    ),
    (
        "motion_blur",
        np.eye(5) / 5.0,
        "Motion blur: the mean along a 5-pixel diagonal, like a camera moving during the exposure. Sums to 1.",
        WIKIPEDIA_MOTION_BLUR,
    ),
]

for _, _weights, _, _ in _GALLERY:
    _weights.setflags(write=False)

#: Every kernel of the course by name: read-only float64 arrays.
KERNELS: dict[str, np.ndarray] = {name: weights for name, weights, _, _ in _GALLERY}

#: What each kernel in :data:`KERNELS` does and where it is documented.
KERNEL_INFO: dict[str, KernelInfo] = {name: KernelInfo(text, source) for name, _, text, source in _GALLERY}


def describe_kernel(name: str) -> str:
    """A two-line description of a kernel in :data:`KERNELS`: what it does and its source.

    Raises
    ------
    TypeError
        ``name`` is not a string (a list, ``None``).
    ValueError
        No kernel has that name; the message lists the gallery.
    """
    check_choice(name, "name", KERNELS)
    rows, cols = KERNELS[name].shape
    info = KERNEL_INFO[name]
    return f"{name} ({rows}x{cols}): {info.description}\nSource: {info.source}"
