"""Small labelled image sets made from a formula, so a network can be trained offline.

``08_learning_kernels`` trains a small convolutional network on
:func:`oriented_edges`: each image holds one straight step edge, and the
label says which way the edge runs. Nothing is downloaded; a seed fixes every
image.

Examples
--------
>>> images, labels = oriented_edges(8, size=12, seed=0)
>>> images.shape, images.dtype, labels.tolist()
((8, 12, 12, 1), dtype('float32'), [2, 0, 3, 2, 1, 0, 1, 3])
>>> [EDGE_CLASSES[label] for label in labels[:2]]
['diagonal, rising', 'vertical']
"""

from __future__ import annotations

import numbers

import numpy as np

from helpers._checks import check_array_size

__all__ = ["EDGE_ANGLES", "EDGE_CLASSES", "oriented_edges"]

#: The class names of :func:`oriented_edges`, indexed by label.
EDGE_CLASSES: tuple[str, ...] = ("vertical", "horizontal", "diagonal, rising", "diagonal, falling")

#: For each class, the direction (degrees, anticlockwise from the +x axis, with y pointing up on the screen)
#: in which the brightness changes across the edge. A vertical edge changes along x.
EDGE_ANGLES: tuple[float, ...] = (0.0, 90.0, 135.0, 45.0)


#: The largest ``noise`` of :func:`oriented_edges`: its draws (a few times ``noise``) stay far below float32's
#: largest value, 3.4e38, so no pixel becomes infinite.
MAX_NOISE = 1e30


def oriented_edges(
    count: int,
    *,
    size: int = 16,
    jitter: float = 10.0,
    noise: float = 0.1,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Images of one straight step edge each, labelled by the edge's orientation.

    Each image is a dark side and a bright side of random brightness, split by
    a straight, slightly soft edge that passes near the centre. Which side is
    bright is random, so the label is the orientation alone: vertical,
    horizontal, rising diagonal (``/``) or falling diagonal (``\\``).

    Parameters
    ----------
    count : int
        Number of images, at least 1; the four classes take turns, in a
        shuffled order, so each holds ``count // 4`` or one more.
    size : int, optional
        Height and width in pixels, at least 4.
    jitter : float, optional
        The edge's angle varies uniformly by up to this many degrees either
        way around its class's angle; 0 to 22.5, so classes never overlap.
    noise : float, optional
        Standard deviation of the Gaussian noise added to every pixel, 0 to
        :data:`MAX_NOISE`.
    seed : int, optional
        Seed of the ``numpy.random.default_rng`` that draws everything.

    Returns
    -------
    images : numpy.ndarray, shape (count, size, size, 1), float32
        TensorFlow's NHWC layout; values around 0 to 1 (noise may go past).
    labels : numpy.ndarray, shape (count,), int64
        Indices into :data:`EDGE_CLASSES`.

    Raises
    ------
    ValueError
        A count below 1, a size below 4, a jitter outside 0 to 22.5, a
        noise outside 0 to :data:`MAX_NOISE`, or images over the size limit
        :data:`helpers._checks.MAX_ARRAY_BYTES` as float64 (checked before
        anything is allocated).
    TypeError
        A count, size or seed that is not an int; a jitter or noise that is
        not a number.

    Notes
    -----
    Pixel ``(y, x)`` at distance ``t`` from the edge, measured along the
    direction of :data:`EDGE_ANGLES`, has the value
    ``middle + polarity * contrast / 2 * tanh(2 * t)`` plus noise: a
    transition about one pixel wide.

    Examples
    --------
    >>> images, labels = oriented_edges(4, size=6, noise=0.0, seed=1)
    >>> EDGE_CLASSES[labels[0]]
    'vertical'
    >>> np.round(images[0, 0, :, 0], 1)  # the top row: dark on the left, bright on the right
    array([0.1, 0.1, 0.1, 0.2, 0.6, 0.7], dtype=float32)
    """
    for name, value, minimum in (("count", count, 1), ("size", size, 4), ("seed", seed, 0)):
        if not isinstance(value, (numbers.Integral, np.integer)) or isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be an int, got {value!r}")
        if value < minimum:
            raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    for name, value in (("jitter", jitter), ("noise", noise)):
        if not isinstance(value, (numbers.Real, np.integer, np.floating)) or isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be a number, got {value!r}")
    if not 0.0 <= float(jitter) <= 22.5:
        raise ValueError(f"jitter must be between 0 and 22.5 degrees so classes do not overlap, got {jitter!r}")
    if not np.isfinite(float(noise)):
        raise ValueError(f"noise must be a finite number, got {noise!r}")
    if not 0.0 <= float(noise) <= MAX_NOISE:
        raise ValueError(f"noise must be between 0 and {MAX_NOISE:g} (the images are float32), got {noise!r}")
    count, size = int(count), int(size)
    # the float64 images, made in place below: about two of them at once, plus the float32 copy
    check_array_size((count, size, size), f"the images of oriented_edges(count={count}, size={size}) in float64")

    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(count) % len(EDGE_CLASSES)).astype(np.int64)
    angles = np.radians(np.asarray(EDGE_ANGLES)[labels] + rng.uniform(-jitter, jitter, count))
    offsets = rng.uniform(-size / 6, size / 6, count)  # the edge's distance from the centre
    polarity = rng.choice([-1.0, 1.0], count)
    contrast = rng.uniform(0.4, 0.9, count)
    middle = rng.uniform(contrast / 2, 1 - contrast / 2)  # both sides stay within 0 to 1

    centre = (size - 1) / 2
    y, x = np.mgrid[0:size, 0:size].astype(np.float64) - centre
    up = -y  # rows grow downwards; angles are measured with y pointing up
    images = np.cos(angles)[:, None, None] * x  # the distance along the edge's direction, then the step
    images += np.sin(angles)[:, None, None] * up
    images -= offsets[:, None, None]
    images *= 2.0
    np.tanh(images, out=images)
    images *= (polarity * contrast / 2)[:, None, None]
    images += middle[:, None, None]
    images += rng.normal(0.0, float(noise), images.shape)
    return images[..., np.newaxis].astype(np.float32), labels
