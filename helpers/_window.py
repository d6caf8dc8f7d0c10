"""The sliding window's arithmetic, shared by every correlation in ``helpers``.

One home for what ``helpers.convolution`` (the readable API) and
``helpers.fast`` (the methods) both need, so that the imports run one way:
``_checks`` <- ``_window`` <- ``fast`` <- ``convolution``.

* :func:`_padding_along`: the padding (before, after) one axis gets for a
  padding word (``'same'``, ``'valid'``, ``'full'``) or an explicit pair;
* :func:`_plan_window`: check the border arguments and size the padded
  image and the output against the size limit (a :class:`Window`);
* :func:`_pad_for_window`: that, then pad (:func:`_pad_to_window`);
* :class:`PaddedBatch`: a batch and its window, padded only when a method
  asks for the array; :func:`_source_indices` says which image row or
  column each padded one copies, for code that reads the image unpadded;
* :func:`_taps`: for each kernel tap, the strided view of the padded image it
  meets;
* :func:`_squeeze`: drop the batch and channel axes a 2-D or 3-D input did
  not have.

Examples
--------
>>> _padding_along("same", 7, 3, 1, 1, "padding")
(1, 1)
>>> _padding_along("full", 7, 3, 1, 2, "padding")
(4, 4)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from helpers._checks import as_pair, check_array_size, check_choice

Padding = str | tuple[tuple[int, int], tuple[int, int]]

#: How each border mode extends the row ``a b c d`` past its edges, with the
#: name numpy.pad uses for it and the name on Wikipedia's kernel page.
BORDER_MODES: dict[str, dict[str, str]] = {
    "constant": {"numpy": "constant", "wikipedia": "constant", "diagram": "k k k k | a b c d | k k k k"},
    "reflect": {"numpy": "symmetric", "wikipedia": "mirror", "diagram": "d c b a | a b c d | d c b a"},
    "mirror": {"numpy": "reflect", "wikipedia": "mirror", "diagram": "d c b | a b c d | c b a"},
    "nearest": {"numpy": "edge", "wikipedia": "extend", "diagram": "a a a a | a b c d | d d d d"},
    "wrap": {"numpy": "wrap", "wikipedia": "wrap", "diagram": "a b c d | a b c d | a b c d"},
}

_PADDING_WORDS = ("same", "valid", "full")

#: The largest stride or dilation accepted: a step longer than any image
#: gives the same output as this one, and compiled code takes 32-bit steps.
MAX_STEP = 2**31 - 1


def _steps(stride: object, dilation: object) -> tuple[tuple[int, int], tuple[int, int]]:
    """Check stride and dilation: ints or pairs of ints, at least 1 (see :func:`_check_step_limit` for the top)."""
    return as_pair(stride, "stride", minimum=1), as_pair(dilation, "dilation", minimum=1)


def _check_step_limit(s: tuple[int, int], d: tuple[int, int]) -> None:
    """Refuse a stride or dilation above :data:`MAX_STEP`, which compiled code could not take.

    Called after the size checks, so a dilation that would need a huge padded
    image is refused by its size first, with the shape it would have.
    """
    for name, pair in (("stride", s), ("dilation", d)):
        if max(pair) > MAX_STEP:
            raise ValueError(
                f"{name} must be at most {MAX_STEP} (2**31 - 1; a longer step than any image has), got {max(pair)}"
            )


def _squeeze(output: np.ndarray, how: bool | str) -> np.ndarray:
    if how == "2d":
        return output[0, :, :, 0]
    if how == "3d":
        return output[0]
    return output


def _padding_along(padding: object, n: int, k: int, stride: int, dilation: int, name: str) -> tuple[int, int]:
    """Padding (before, after) along one axis for a padding word or an explicit pair."""
    if isinstance(padding, str):
        word = padding.lower()
        if word == "valid":
            return 0, 0
        if word == "full":
            return dilation * (k - 1), dilation * (k - 1)
        if word == "same":
            wanted = (-(-n // stride) - 1) * stride + dilation * (k - 1) + 1
            total = max(wanted - n, 0)
            return total // 2, total - total // 2
        raise ValueError(f"padding must be one of {_PADDING_WORDS} or ((top, bottom), (left, right)), got {padding!r}")
    if (
        isinstance(padding, (tuple, list))
        and len(padding) == 2
        and all(isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in padding)
    ):
        before, after = int(padding[0]), int(padding[1])
        if before < 0 or after < 0:
            raise ValueError(f"{name} must not be negative, got {tuple(padding)!r}")
        return before, after
    raise ValueError(
        f"{name} must be one of {_PADDING_WORDS} or ((top, bottom), (left, right)) of ints, got {padding!r}"
    )


class Window(NamedTuple):
    """Where the window goes: the padding and output :func:`_plan_window` worked out for a batch."""

    rows: tuple[int, int]  #: padding (top, bottom)
    cols: tuple[int, int]  #: padding (left, right)
    padded_shape: tuple[int, int, int, int]  #: (N, H + top + bottom, W + left + right, C)
    out_shape: tuple[int, int, int]  #: (N, H_out, W_out)
    s: tuple[int, int]  #: stride (rows, columns)
    d: tuple[int, int]  #: dilation (rows, columns)
    mode: str
    cval: float


def _plan_window(
    batch: np.ndarray,
    kernel_hw: tuple[int, int],
    padding: Padding,
    mode: str,
    cval: float,
    stride: object,
    dilation: object,
    *,
    out_channels: int | None = None,
) -> Window:
    """Check the border arguments and size the padded (N, H, W, C) batch and the output, allocating nothing.

    Every public function that pads goes through here, so here the arguments
    are checked and the sizes of the padded batch and of the output
    ``(N, H_out, W_out, out_channels)`` (``C`` when not given) are checked
    against :data:`helpers._checks.MAX_ARRAY_BYTES`.
    """
    s, d = _steps(stride, dilation)
    check_choice(mode, "mode", BORDER_MODES)
    if not isinstance(cval, (int, float, np.integer, np.floating)) or isinstance(cval, (bool, np.bool_)):
        raise TypeError(f"cval must be a number, got {cval!r}")
    if not np.isfinite(cval):
        raise ValueError(f"cval must be a finite number, got {cval!r}")
    if mode != "constant" and cval != 0:
        raise ValueError(f"cval is only used with mode='constant', got mode={mode!r} and cval={cval!r}")
    kh, kw = kernel_hw
    _, height, width, _ = batch.shape
    if isinstance(padding, str):
        rows = _padding_along(padding, height, kh, s[0], d[0], "padding")
        cols = _padding_along(padding, width, kw, s[1], d[1], "padding")
    elif isinstance(padding, (tuple, list)) and len(padding) == 2:
        rows = _padding_along(padding[0], height, kh, s[0], d[0], "padding (top, bottom)")
        cols = _padding_along(padding[1], width, kw, s[1], d[1], "padding (left, right)")
    else:
        raise ValueError(f"padding must be one of {_PADDING_WORDS} or ((top, bottom), (left, right)), got {padding!r}")
    for axis, size, pad, k, dil in (("rows", height, rows, kh, d[0]), ("columns", width, cols, kw, d[1])):
        extent = dil * (k - 1) + 1
        if extent > size + sum(pad):
            raise ValueError(
                f"kernel (spanning {extent} {axis} with dilation {dil}) is larger than the "
                f"padded image ({size + sum(pad)} {axis})"
            )
    out_h = (height + sum(rows) - d[0] * (kh - 1) - 1) // s[0] + 1
    out_w = (width + sum(cols) - d[1] * (kw - 1) - 1) // s[1] + 1
    channels = batch.shape[3] if out_channels is None else out_channels
    padded_shape = (batch.shape[0], height + sum(rows), width + sum(cols), batch.shape[3])
    check_array_size(padded_shape, "the padded image (N, H, W, C)")
    check_array_size((batch.shape[0], out_h, out_w, channels), "the output (N, H_out, W_out, C_out)")
    _check_step_limit(s, d)
    return Window(rows, cols, padded_shape, (batch.shape[0], out_h, out_w), s, d, mode, float(cval))


def _pad_to_window(batch: np.ndarray, window: Window) -> np.ndarray:
    """The batch padded as ``window`` says (a new array)."""
    if window.mode == "constant":
        return _pad_constant(batch, window.rows, window.cols, window.cval)
    widths = ((0, 0), window.rows, window.cols, (0, 0))
    return np.pad(batch, widths, mode=BORDER_MODES[window.mode]["numpy"])


def _pad_for_window(
    batch: np.ndarray,
    kernel_hw: tuple[int, int],
    padding: Padding,
    mode: str,
    cval: float,
    stride: object,
    dilation: object,
    *,
    out_channels: int | None = None,
) -> tuple[np.ndarray, int, int, tuple[int, int, int], tuple[int, int], tuple[int, int]]:
    """Pad an (N, H, W, C) batch and work out the output's (N, H_out, W_out).

    :func:`_plan_window` checks the arguments and sizes first, then
    :func:`_pad_to_window` pads.
    """
    window = _plan_window(batch, kernel_hw, padding, mode, cval, stride, dilation, out_channels=out_channels)
    return _pad_to_window(batch, window), kernel_hw[0], kernel_hw[1], window.out_shape, window.s, window.d


def _source_indices(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each position along one padded axis, the image index it copies, or -1 where it holds ``cval``.

    The same indices the padding copies (it pads ``0 .. size - 1`` with
    numpy.pad), so code that reads the unpadded image through them reads
    the values the padded image would hold.

    Examples
    --------
    >>> _source_indices(4, 2, 3, "reflect")
    array([1, 0, 0, 1, 2, 3, 3, 2, 1])
    >>> _source_indices(4, 1, 1, "constant")
    array([-1,  0,  1,  2,  3, -1])
    """
    indices = np.arange(size, dtype=np.int64)
    if mode == "constant":
        return np.pad(indices, (before, after), constant_values=-1)
    return np.pad(indices, (before, after), mode=BORDER_MODES[mode]["numpy"])


class PaddedBatch:
    """A batch with the padding its :class:`Window` gives it, padded only when a method asks for the array.

    ``shape``, ``dtype`` and ``itemsize`` are the padded array's, so code
    that sizes work reads them without padding; ``array()`` (or any NumPy
    function, through ``__array__``) pads once and keeps the result. A
    method that handles the border itself reads ``batch`` and ``window``.

    Examples
    --------
    >>> batch = np.ones((1, 2, 3, 1))
    >>> padded = PaddedBatch(batch, _plan_window(batch, (3, 3), "same", "constant", 0.0, 1, 1))
    >>> padded.shape
    (1, 4, 5, 1)
    >>> float(np.asarray(padded).sum())
    6.0
    """

    def __init__(self, batch: np.ndarray, window: Window) -> None:
        self.batch, self.window = batch, window
        self.shape, self.dtype, self.itemsize = window.padded_shape, batch.dtype, batch.itemsize
        self._array: np.ndarray | None = None

    def array(self) -> np.ndarray:
        """The padded batch, padded on the first call."""
        if self._array is None:
            self._array = _pad_to_window(self.batch, self.window)
        return self._array

    def __array__(self, dtype: object = None, copy: object = None) -> np.ndarray:
        array = self.array()
        if dtype is not None:
            return array.astype(dtype)  # a new array
        return array.copy() if copy else array


def _pad_constant(batch: np.ndarray, rows: tuple[int, int], cols: tuple[int, int], cval: float) -> np.ndarray:
    """``np.pad(batch, ((0, 0), rows, cols, (0, 0)), constant_values=cval)`` in one copy of the image.

    np.pad takes about two copies' time; this copies the image once and fills
    only the four border strips.
    """
    n, height, width, channels = batch.shape
    padded = np.empty((n, height + sum(rows), width + sum(cols), channels), dtype=batch.dtype)
    padded[:, rows[0] : rows[0] + height, cols[0] : cols[0] + width] = batch
    padded[:, : rows[0]] = cval
    padded[:, rows[0] + height :] = cval
    padded[:, rows[0] : rows[0] + height, : cols[0]] = cval
    padded[:, rows[0] : rows[0] + height, cols[0] + width :] = cval
    return padded


def _taps(
    padded: np.ndarray, kh: int, kw: int, out_hw: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int]
) -> Iterator[tuple[int, int, np.ndarray]]:
    """For each kernel tap (u, v), the strided view of the pixels it meets.

    ``window[n, y, x, c] == padded[n, y * stride + u * dilation, x * stride + v * dilation, c]``.
    """
    out_h, out_w = out_hw
    for u in range(kh):
        top = u * dilation[0]
        for v in range(kw):
            left = v * dilation[1]
            yield (
                u,
                v,
                padded[
                    :,
                    top : top + stride[0] * (out_h - 1) + 1 : stride[0],
                    left : left + stride[1] * (out_w - 1) + 1 : stride[1],
                    :,
                ],
            )


def _padding_pairs(
    padding: Padding, size: tuple[int, int], kernel_hw: tuple[int, int], s: tuple[int, int], d: tuple[int, int]
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Zero padding ((top, bottom), (left, right)) that correlate2d adds to an image of ``size``."""
    if isinstance(padding, str):
        per_axis: tuple[object, object] = (padding, padding)
    elif isinstance(padding, (tuple, list)) and len(padding) == 2:
        per_axis = (padding[0], padding[1])
    else:
        raise ValueError(f"padding must be one of {_PADDING_WORDS} or ((top, bottom), (left, right)), got {padding!r}")
    return (
        _padding_along(per_axis[0], size[0], kernel_hw[0], s[0], d[0], "padding (top, bottom)"),
        _padding_along(per_axis[1], size[1], kernel_hw[1], s[1], d[1], "padding (left, right)"),
    )
