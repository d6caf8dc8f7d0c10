"""Cross-correlation, convolution and pooling of images.

Three ways to compute the same thing, from the most readable to the most
general:

* :func:`correlate2d_loop`: the two plain loops of ``02_convolution_by_hand``,
  for one grayscale image, an odd-sized kernel and zero padding.
* :func:`correlate2d` and :func:`convolve2d`: one vectorised implementation
  with padding, border modes, stride, dilation, colour channels and batches,
  in TensorFlow's NHWC / HWIO layout (``05_borders_strides_dilation`` and
  ``06_color_and_channels``).
* :func:`depthwise_correlate2d` and :func:`pool2d`: the same sliding window
  with each channel kept apart.

Cross-correlation slides the kernel as it is; convolution first turns it by
180 degrees. ``tf.nn.conv2d`` computes cross-correlation.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from helpers import fast
from helpers._checks import as_pair, as_real_array, check_array_size, check_ndim

# The window arithmetic shared with helpers.fast; BORDER_MODES, Padding and
# _padding_along are imported from here by helpers.tiles and the notebooks.
from helpers._window import (
    BORDER_MODES,
    Padding,
    _check_step_limit,
    _pad_for_window,
    _padding_along,
    _padding_pairs,
    _squeeze,
    _steps,
    _taps,
)

__all__ = [
    "BORDER_MODES",
    "convolve2d",
    "correlate2d",
    "correlate2d_loop",
    "depthwise_correlate2d",
    "output_size",
    "pool2d",
    "squash",
    "transposed_correlate2d",
]


def squash(values: np.ndarray) -> np.ndarray:
    """Clip values to the displayable pixel range [0, 255].

    Parameters
    ----------
    values : array_like
        Any real numbers, for example the output of a convolution.

    Returns
    -------
    numpy.ndarray
        A float64 copy with values below 0 set to 0 and above 255 set to 255.

    Examples
    --------
    >>> squash([-20.0, 0.0, 127.5, 300.0])
    array([  0. ,   0. , 127.5, 255. ])
    """
    array = as_real_array(values, "values")
    return np.clip(array.astype(np.float64), 0.0, 255.0)


def correlate2d_loop(image: np.ndarray, kernel: np.ndarray, *, squash: bool = False) -> np.ndarray:
    """Cross-correlate a grayscale image with a kernel, one pixel at a time.

    The readable version, introduced in ``02_convolution_by_hand``: pad the
    image with ``(k - 1) / 2`` zeros on each side, then for every pixel
    multiply the kernel with the patch under it and add up the products.

    Parameters
    ----------
    image : array_like, shape (H, W)
        A grayscale image; any real dtype (it is converted to float64 first).
    kernel : array_like, shape (kh, kw)
        Both sizes must be odd so that the kernel has a centre pixel.
    squash : bool, optional
        Clip each output value to [0, 255], as the 2016 post did.

    Returns
    -------
    numpy.ndarray, shape (H, W), float64

    Raises
    ------
    ValueError
        If an input is not 2-D, is empty, holds NaN or infinity, the kernel
        has an even size, or the padded image would be over the size limit
        :data:`helpers._checks.MAX_ARRAY_BYTES` (1 GiB per array).
    TypeError
        If an input is not an array of real numbers.

    Notes
    -----
    ``out[i, j] = sum over (u, v) of kernel[u, v] * padded[i + u, j + v]``.
    The kernel is not flipped, so this is cross-correlation, the operation
    ``tf.nn.conv2d`` computes. It equals :func:`correlate2d` with the default
    ``padding='same', mode='constant'``.

    Examples
    --------
    >>> image = np.arange(9).reshape(3, 3)
    >>> correlate2d_loop(image, np.ones((3, 3)))
    array([[ 8., 15., 12.],
           [21., 36., 27.],
           [20., 33., 24.]])
    """
    pixels = as_real_array(image, "image")
    check_ndim(pixels, "image", (2,), "a 2-D grayscale image (H, W)")
    weights = as_real_array(kernel, "kernel")
    check_ndim(weights, "kernel", (2,), "a 2-D kernel (kh, kw)")
    kh, kw = weights.shape
    if kh % 2 == 0 or kw % 2 == 0:
        raise ValueError(f"kernel must have odd sizes so it has a centre pixel, got shape {weights.shape}")

    pad_rows, pad_cols = (kh - 1) // 2, (kw - 1) // 2
    check_array_size((pixels.shape[0] + 2 * pad_rows, pixels.shape[1] + 2 * pad_cols), "the padded image (H, W)")
    padded = np.pad(pixels.astype(np.float64), ((pad_rows, pad_rows), (pad_cols, pad_cols)))
    weights = weights.astype(np.float64)
    output = np.zeros(pixels.shape, dtype=np.float64)
    for i in range(pixels.shape[0]):
        for j in range(pixels.shape[1]):
            patch = padded[i : i + kh, j : j + kw]
            output[i, j] = np.sum(patch * weights)
    if squash:
        output = np.clip(output, 0.0, 255.0)
    return output


def output_size(
    n: int,
    k: int,
    *,
    padding: str | tuple[int, int] = "same",
    stride: int = 1,
    dilation: int = 1,
) -> int:
    """Length of a correlation's output along one axis.

    Parameters
    ----------
    n : int
        Input length (rows or columns).
    k : int
        Kernel length along the same axis.
    padding : {'same', 'valid', 'full'} or (int, int), optional
        ``'same'`` follows TensorFlow (output ``ceil(n / stride)``), ``'valid'``
        pads nothing, ``'full'`` pads ``dilation * (k - 1)`` on both sides, a
        pair gives the zeros added (before, after).
    stride, dilation : int, optional
        Step between output positions and between kernel taps, at least 1.
        One int each: this function works along one axis, so a pair such as
        ``stride=(2, 3)`` is refused; call it once per axis.

    Returns
    -------
    int
        ``floor((n + p_total - dilation * (k - 1) - 1) / stride) + 1``, where
        ``p_total`` is the padding added on both sides together; 0 when the
        dilated kernel does not fit. Computed with Python integers, so numpy
        integer arguments (``np.int8(100)``) cannot overflow.

    Raises
    ------
    ValueError
        ``n`` or ``k`` below 1, ``stride`` or ``dilation`` below 1, an
        unknown padding word or negative padding.
    TypeError
        An argument that is not an int (bool and float included), or a pair
        given for ``stride`` or ``dilation``.

    Examples
    --------
    >>> output_size(7, 3, padding="valid")
    5
    >>> output_size(7, 3, padding="same", stride=2)
    4
    >>> output_size(7, 3, padding=(1, 1), dilation=2)
    5
    """
    for name, value in (("n", n), ("k", k), ("stride", stride), ("dilation", dilation)):
        if isinstance(value, (tuple, list)):
            raise TypeError(
                f"output_size works along one axis, so {name} must be one int, got {value!r}; "
                "call it once for the rows and once for the columns"
            )
        if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be an int, got {value!r}")
    n, k = int(n), int(k)  # Python ints: np.int8(100) + 99 would wrap around
    for name, value in (("n", n), ("k", k)):
        if value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    (s, _), (d, _) = as_pair(stride, "stride", minimum=1), as_pair(dilation, "dilation", minimum=1)
    before, after = _padding_along(padding, n, k, s, d, "padding")
    return max((n + before + after - d * (k - 1) - 1) // s + 1, 0)


def correlate2d(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    padding: Padding = "same",
    mode: str = "constant",
    cval: float = 0.0,
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
    method: str = "auto",
) -> np.ndarray:
    """Cross-correlate an image (or a batch of them) with a kernel.

    Parameters
    ----------
    image : array_like
        ``(H, W)`` grayscale, ``(H, W, C_in)`` with channels last, or a batch
        ``(N, H, W, C_in)`` (TensorFlow's NHWC layout). Any real dtype; the
        computation is done in float64, or in float32 when image and kernel
        are both float32 (see ``method``).
    kernel : array_like
        ``(kh, kw)`` for a 2-D image, else ``(kh, kw, C_in, C_out)``
        (TensorFlow's HWIO layout). Any size, odd or even.
    padding : {'same', 'valid', 'full'} or ((top, bottom), (left, right)), optional
        How many border pixels to add. ``'same'`` keeps ``ceil(H / stride)``
        rows; when the padding needed is odd (an even kernel), the extra row
        and column go at the bottom and right, as in TensorFlow. ``'valid'``
        adds none; ``'full'`` adds ``dilation * (k - 1)`` on every side.
    mode : {'constant', 'reflect', 'mirror', 'nearest', 'wrap'}, optional
        What the added pixels hold, named as in ``scipy.ndimage``; see
        :data:`BORDER_MODES` for numpy's and Wikipedia's names.
    cval : float, optional
        The value of the added pixels with ``mode='constant'``; any other
        mode refuses a non-zero ``cval``. NaN and infinity are refused, as
        they are in the image.
    stride : int or (int, int), optional
        Step between output positions (rows, columns).
    dilation : int or (int, int), optional
        Step between kernel taps; ``dilation=2`` spreads a 3x3 kernel over a
        5x5 window.
    method : {'auto', 'loop', 'shift', 'compiled', 'im2col', 'fft', 'separable'}, optional
        How to compute it; every method gives the same numbers up to
        rounding (``07_making_it_fast``). ``'loop'`` is notebook 02's double
        loop (one 2-D image, odd kernel, default padding only, always
        float64); ``'shift'`` sums shifted views, one per tap; ``'compiled'``
        runs the loops compiled by numba; ``'im2col'`` is one matrix
        product over a patch matrix of ``H_out * W_out * kh * kw * C_in``
        values (built in blocks of at most 128 MiB); ``'fft'`` multiplies
        spectra (error about 1e-12 of the largest value in float64);
        ``'separable'`` does two 1-D passes for a rank-1 kernel and falls
        back otherwise. All but ``'loop'`` compute float32 inputs in
        float32, within ``1e-4 * max|image| * sum|kernel|`` of float64.
        ``'auto'`` picks by the cost model of
        :func:`helpers.fast.estimate_costs`, among the methods that can take
        the arguments, keep their work arrays under the size limit and
        (for ``'fft'``) cannot overflow; it starts numba once the time lost
        without it reaches numba's start-up (:class:`helpers.fast.SkiRental`).

    Returns
    -------
    numpy.ndarray, float64 (or float32, see ``method``)
        ``(H_out, W_out)``, ``(H_out, W_out, C_out)`` or
        ``(N, H_out, W_out, C_out)``; see :func:`output_size`.

    Raises
    ------
    ValueError
        Wrong number of dimensions, a channel count that differs between image
        and kernel, an unknown padding or mode, negative padding, stride or
        dilation below 1, NaN or infinity (in the arrays or in ``cval``), an
        empty array, a kernel larger than the padded image, or a padded image
        or output over the size limit :data:`helpers._checks.MAX_ARRAY_BYTES`
        (1 GiB per array, about 134 million float64 values): a ``dilation``
        of 20000 on a 6x7 image would need 11.9 GiB and is refused before
        anything is allocated.
    TypeError
        An input that is not an array of real numbers.

    Notes
    -----
    ``out[n, y, x, o] = sum over (u, v, c) of
    kernel[u, v, c, o] * padded[n, y * s + u * d, x * s + v * d, c]``
    with ``s`` the stride and ``d`` the dilation. The kernel is not flipped:
    this is cross-correlation, what ``tf.nn.conv2d`` computes. For odd kernels
    and stride 1 it equals ``scipy.ndimage.correlate`` with the same ``mode``
    and ``cval``.

    Examples
    --------
    >>> image = np.arange(16).reshape(4, 4)
    >>> correlate2d(image, [[0, 0, 0], [0, 0, 1], [0, 0, 0]])
    array([[ 1.,  2.,  3.,  0.],
           [ 5.,  6.,  7.,  0.],
           [ 9., 10., 11.,  0.],
           [13., 14., 15.,  0.]])
    >>> correlate2d(image, np.ones((2, 2)), padding="valid", stride=2)
    array([[10., 18.],
           [42., 50.]])
    """
    options = {"padding": padding, "mode": mode, "cval": cval, "stride": stride, "dilation": dilation}
    return fast.correlate(image, kernel, method=method, **options)


def convolve2d(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    padding: Padding = "same",
    mode: str = "constant",
    cval: float = 0.0,
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """Convolve an image with a kernel: cross-correlation with the kernel turned 180 degrees.

    Takes the same arguments as :func:`correlate2d` and returns the same
    shapes.

    Notes
    -----
    ``convolve2d(image, k) == correlate2d(image, k[::-1, ::-1])``. For odd
    kernels and stride 1 this equals ``scipy.ndimage.convolve`` with the same
    ``mode`` and ``cval``. For a kernel that is symmetric under a 180 degree
    turn (every blur in :data:`helpers.KERNELS`) the two operations agree.

    Examples
    --------
    >>> impulse = np.zeros((3, 3))
    >>> impulse[1, 1] = 1
    >>> kernel = np.arange(1, 10).reshape(3, 3)
    >>> convolve2d(impulse, kernel)
    array([[1., 2., 3.],
           [4., 5., 6.],
           [7., 8., 9.]])
    >>> correlate2d(impulse, kernel)
    array([[9., 8., 7.],
           [6., 5., 4.],
           [3., 2., 1.]])
    """
    weights = as_real_array(kernel, "kernel")
    check_ndim(weights, "kernel", (2, 4), "a 2-D kernel (kh, kw) or a 4-D kernel (kh, kw, C_in, C_out)")
    return correlate2d(
        image, weights[::-1, ::-1], padding=padding, mode=mode, cval=cval, stride=stride, dilation=dilation
    )


def depthwise_correlate2d(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    padding: Padding = "same",
    mode: str = "constant",
    cval: float = 0.0,
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """Cross-correlate each channel with its own kernels, without mixing channels.

    Parameters
    ----------
    image : array_like
        ``(H, W, C)`` or ``(N, H, W, C)``.
    kernel : array_like
        ``(kh, kw, C, M)``: ``M`` kernels (the channel multiplier) for each of
        the ``C`` input channels, as in ``tf.nn.depthwise_conv2d``.
    padding, mode, cval, stride, dilation
        As in :func:`correlate2d`, with the same checks and the same size
        limit (:data:`helpers._checks.MAX_ARRAY_BYTES`, 1 GiB per array).

    Returns
    -------
    numpy.ndarray, float64
        ``(H_out, W_out, C * M)`` or ``(N, H_out, W_out, C * M)``; output
        channel ``c * M + m`` is channel ``c`` correlated with
        ``kernel[:, :, c, m]``.

    Examples
    --------
    >>> image = np.stack([np.eye(3), 2 * np.eye(3)], axis=-1)
    >>> kernel = np.ones((1, 1, 2, 1))
    >>> depthwise_correlate2d(image, kernel)[..., 1]
    array([[2., 0., 0.],
           [0., 2., 0.],
           [0., 0., 2.]])
    """
    pixels = as_real_array(image, "image")
    check_ndim(pixels, "image", (3, 4), "(H, W, C) or a batch (N, H, W, C)")
    weights = as_real_array(kernel, "kernel")
    check_ndim(weights, "kernel", (4,), "a depthwise kernel (kh, kw, C, multiplier)")
    squeeze = pixels.ndim == 3
    batch = pixels[np.newaxis] if squeeze else pixels
    if weights.shape[2] != batch.shape[3]:
        raise ValueError(
            f"kernel has {weights.shape[2]} input channels (axis 2) but image has {batch.shape[3]} channels"
        )
    weights = weights.astype(np.float64)
    padded, kh, kw, out_shape, s, d = _pad_for_window(
        batch.astype(np.float64),
        weights.shape[:2],
        padding,
        mode,
        cval,
        stride,
        dilation,
        out_channels=weights.shape[2] * weights.shape[3],
    )
    channels, multiplier = weights.shape[2], weights.shape[3]
    output = np.zeros((*out_shape, channels, multiplier), dtype=np.float64)
    for u, v, window in _taps(padded, kh, kw, out_shape[1:], s, d):
        output += window[..., np.newaxis] * weights[u, v]
    output = output.reshape(*out_shape, channels * multiplier)
    return output[0] if squeeze else output


def transposed_correlate2d(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    padding: Padding = "valid",
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
    output_shape: tuple[int, int] | None = None,
) -> np.ndarray:
    """Transposed cross-correlation: spread each input value over the output through the kernel.

    The transpose (adjoint) of :func:`correlate2d` with the same kernel,
    padding, stride and dilation, and so the gradient of a loss with respect
    to that correlation's input. ``tf.nn.conv2d_transpose`` computes the same
    thing. Introduced in ``08_learning_kernels``.

    Parameters
    ----------
    image : array_like
        Shaped like the *output* of the forward correlation: ``(H, W)`` with
        a 2-D kernel, else ``(H, W, C_out)`` or ``(N, H, W, C_out)``.
    kernel : array_like
        ``(kh, kw)`` for a 2-D image, else the forward correlation's
        ``(kh, kw, C_in, C_out)`` kernel, the layout ``tf.nn.conv2d_transpose``
        takes as well.
    padding : {'valid', 'same', 'full'} or ((top, bottom), (left, right)), optional
        The forward correlation's zero padding, as in :func:`correlate2d`;
        here it is cropped off the result. Only zero padding has a transpose
        this simple, so there is no ``mode``. The default is ``'valid'``.
    stride, dilation : int or (int, int), optional
        The forward correlation's step between output positions and between
        kernel taps.
    output_shape : (int, int), optional
        ``(H_out, W_out)`` of the result. With a stride above 1 several sizes
        correlate back to ``(H, W)``; the default is the smallest,
        ``(n - 1) * stride + dilation * (k - 1) + 1 - p_total`` along each
        axis, or ``n * stride`` for ``padding='same'`` (as in TensorFlow).

    Returns
    -------
    numpy.ndarray, float64
        ``(H_out, W_out)``, ``(H_out, W_out, C_in)`` or
        ``(N, H_out, W_out, C_in)``.

    Raises
    ------
    ValueError
        Wrong number of dimensions, channel counts that differ between image
        and kernel, an ``output_shape`` that the forward correlation does not
        map back to the image's size, a padding, stride or dilation that
        :func:`correlate2d` refuses, or an output over the size limit
        :data:`helpers._checks.MAX_ARRAY_BYTES` (1 GiB per array).
    TypeError
        An input that is not an array of real numbers.

    Notes
    -----
    On a zero canvas the size of the padded output,
    ``canvas[n, y * s + u * d, x * s + v * d, c] += kernel[u, v, c, o] * image[n, y, x, o]``
    for every ``(y, x, u, v, o)``; then the padding is cropped off. Hence
    ``sum(correlate2d(a, k, ...) * b) == sum(a * transposed_correlate2d(b, k, ...))``
    for any ``a`` and ``b`` of matching shapes. With stride 1 and
    ``padding='valid'`` it equals ``correlate2d(image, k[::-1, ::-1], padding='full')``,
    a correlation with the kernel turned 180 degrees.

    Examples
    --------
    >>> transposed_correlate2d([[1, 2], [3, 4]], np.ones((2, 2)), stride=2)
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.],
           [3., 3., 4., 4.],
           [3., 3., 4., 4.]])
    >>> transposed_correlate2d([[1, 0], [0, 0]], [[1, 2], [3, 4]], stride=1)
    array([[1., 2., 0.],
           [3., 4., 0.],
           [0., 0., 0.]])
    """
    values = as_real_array(image, "image")
    weights = as_real_array(kernel, "kernel")
    check_ndim(values, "image", (2, 3, 4), "(H, W), (H, W, C_out) or a batch (N, H, W, C_out)")
    squeeze: bool | str = "2d" if values.ndim == 2 else "3d" if values.ndim == 3 else False
    if values.ndim == 2:
        check_ndim(weights, "kernel", (2,), "a 2-D kernel (kh, kw) for a 2-D image")
        batch, weights = values[np.newaxis, :, :, np.newaxis].astype(np.float64), _as_hwio(weights)
    else:
        check_ndim(weights, "kernel", (4,), "a 4-D kernel (kh, kw, C_in, C_out) for an image with channels")
        batch = (values[np.newaxis] if values.ndim == 3 else values).astype(np.float64)
        weights = weights.astype(np.float64)
        if weights.shape[3] != batch.shape[3]:
            raise ValueError(
                f"kernel has {weights.shape[3]} output channels (axis 3) but image has {batch.shape[3]} channels"
            )
    s, d = _steps(stride, dilation)
    kh, kw = weights.shape[:2]
    count, height, width, _ = batch.shape
    if output_shape is None:
        output_shape = (
            _transposed_length(padding, 0, height, kh, s[0], d[0]),
            _transposed_length(padding, 1, width, kw, s[1], d[1]),
        )
    out_h, out_w = as_pair(output_shape, "output_shape", minimum=1)
    rows, cols = _padding_pairs(padding, (out_h, out_w), (kh, kw), s, d)
    canvas_shape = (count, out_h + sum(rows), out_w + sum(cols), weights.shape[2])
    check_array_size(canvas_shape, "the transposed output before cropping (N, H_out, W_out, C_in)")
    _check_step_limit(s, d)
    canvas = np.zeros(canvas_shape)
    forward = tuple((canvas.shape[1 + a] - d[a] * (k - 1) - 1) // s[a] + 1 for a, k in ((0, kh), (1, kw)))
    if forward != (height, width) or min(canvas.shape[1] - d[0] * (kh - 1), canvas.shape[2] - d[1] * (kw - 1)) < 1:
        raise ValueError(
            f"output_shape {(out_h, out_w)} does not correlate back to the image's {(height, width)} with this "
            "kernel, padding, stride and dilation; leave output_shape out to get the smallest size that does"
        )
    for u, v, window in _taps(canvas, kh, kw, (height, width), s, d):
        window += batch @ weights[u, v].T  # each input value, times the tap's weights, lands on the canvas
    return _squeeze(canvas[:, rows[0] : rows[0] + out_h, cols[0] : cols[0] + out_w, :], squeeze)


def _transposed_length(padding: Padding, axis: int, n: int, k: int, s: int, d: int) -> int:
    """The smallest length that a correlation maps to ``n``: ``(n - 1) * s + d * (k - 1) + 1 - p_total``."""
    if isinstance(padding, str) and padding.lower() == "same":
        return n * s
    pads = padding if isinstance(padding, str) else padding[axis] if isinstance(padding, (tuple, list)) else padding
    before, after = _padding_along(pads, n, k, s, d, "padding")
    length = (n - 1) * s + d * (k - 1) + 1 - before - after
    if length < 1:
        raise ValueError(f"padding {padding!r} crops away the whole output ({length} rows or columns left)")
    return length


def pool2d(
    image: np.ndarray,
    size: int | tuple[int, int],
    *,
    stride: int | tuple[int, int] | None = None,
    kind: Literal["max", "mean"] = "max",
    padding: Literal["valid", "same"] = "valid",
) -> np.ndarray:
    """Max or mean pooling: the largest or the average value in each window.

    Parameters
    ----------
    image : array_like
        ``(H, W)``, ``(H, W, C)`` or ``(N, H, W, C)``; channels are pooled
        separately.
    size : int or (int, int)
        Window size (rows, columns).
    stride : int or (int, int), optional
        Step between windows; defaults to ``size`` (windows that do not overlap).
    kind : {'max', 'mean'}, optional
        Which summary of the window to keep.
    padding : {'valid', 'same'}, optional
        ``'same'`` pads as :func:`correlate2d` does, but padded cells never
        count: they are ignored by the maximum and left out of the mean, as in
        ``tf.nn.max_pool2d`` and ``tf.nn.avg_pool2d``. Upper case
        (``'SAME'``, TensorFlow's spelling) is accepted, as in
        :func:`correlate2d`.

    Returns
    -------
    numpy.ndarray, float64
        The input's shape with H and W replaced by the pooled sizes.

    Raises
    ------
    ValueError
        An unknown ``kind`` or ``padding``, a window larger than the (padded)
        image, or a padded image or output over the size limit of
        :data:`helpers._checks.MAX_ARRAY_BYTES` (1 GiB per array; for example
        ``size=10**5`` with ``padding='same'``).
    TypeError
        An image that is not an array of real numbers, or a size or stride
        that is not an int or a pair of ints.

    Examples
    --------
    >>> image = np.arange(16).reshape(4, 4)
    >>> pool2d(image, 2)
    array([[ 5.,  7.],
           [13., 15.]])
    >>> pool2d(image, 2, kind="mean")
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    pixels = as_real_array(image, "image")
    check_ndim(pixels, "image", (2, 3, 4), "(H, W), (H, W, C) or (N, H, W, C)")
    window = as_pair(size, "size", minimum=1)
    step = window if stride is None else as_pair(stride, "stride", minimum=1)
    if not isinstance(kind, str) or kind not in ("max", "mean"):
        raise ValueError(f"kind must be 'max' or 'mean', got {kind!r}")
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same' for pooling, got {padding!r}")
    padding = padding.lower()
    shape = pixels.shape
    batch = pixels.reshape((1, *shape, 1) if pixels.ndim == 2 else (1, *shape) if pixels.ndim == 3 else shape)
    batch = batch.astype(np.float64)

    # Padded cells must never count. For the maximum they hold the image's own
    # minimum: every window of 'same' padding covers at least one real pixel,
    # whose value is at least that. The mean leaves them out through the count.
    fill = float(batch.min()) if kind == "max" else 0.0
    padded, kh, kw, out_shape, s, d = _pad_for_window(batch, window, padding, "constant", fill, step, 1)
    if kind == "max":
        output = np.full((*out_shape, batch.shape[3]), -np.inf)
        for _, _, values in _taps(padded, kh, kw, out_shape[1:], s, d):
            np.maximum(output, values, out=output)
    else:
        ones = np.ones((1, *batch.shape[1:3], 1))
        counted, *_ = _pad_for_window(ones, window, padding, "constant", 0.0, step, 1)
        total = np.zeros((*out_shape, batch.shape[3]))
        count = np.zeros((1, *out_shape[1:], 1))
        for (_, _, values), (_, _, ones_window) in zip(
            _taps(padded, kh, kw, out_shape[1:], s, d),
            _taps(counted, kh, kw, out_shape[1:], s, d),
            strict=True,
        ):
            total += values
            count += ones_window
        output = np.divide(total, count, out=total)  # in place: no second output-sized array
    if pixels.ndim == 2:
        return output[0, :, :, 0]
    return output[0] if pixels.ndim == 3 else output


# --------------------------------------------------------------------------
# The window arithmetic (padding sizes, pad, taps) lives in helpers._window.


def _as_hwio(weights: np.ndarray) -> np.ndarray:
    return weights.astype(np.float64)[:, :, np.newaxis, np.newaxis]
