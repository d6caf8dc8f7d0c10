"""Animations of the sliding window, drawn from the course's own arithmetic.

Every window an animation highlights is found by *probing* the functions that
compute the course's numbers, never by a second copy of the window formula:
correlating an image whose pixels hold their own index with a kernel that
has a single 1 at tap ``(u, v)`` returns, at every output pixel, the index of
the input pixel that tap reads there (0 where it reads padding). The same
probe with one-hot images finds each pooling window of :func:`~helpers.pool2d`
and the scatter of each input pixel in :func:`~helpers.transposed_correlate2d`.
So an animation cannot disagree with the numbers: if the arithmetic changed,
the frames would change with it (and ``python tools/make_animations.py
--check`` would say the stored GIFs are stale).

The colours are fixed for the whole course (:data:`PALETTE`, from Okabe and
Ito's colour-blind-safe set) and every frame carries a legend; the sizes are
in the title. Frames are drawn with Matplotlib's Agg renderer at a fixed DPI
and written as GIFs with Pillow, so regenerating gives the same bytes.

>>> windows = correlation_windows((5, 5), (3, 3), padding="valid")
>>> windows.output_shape, len(windows.windows)
((3, 3), 9)
>>> [(tap.row, tap.col) for tap in windows.windows[0].taps][:3]
[(0, 0), (0, 1), (0, 2)]
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from PIL import Image

from helpers._checks import as_pair, check_choice
from helpers.convolution import correlate2d, correlate2d_loop, pool2d, transposed_correlate2d

__all__ = [
    "ANIMATIONS",
    "PALETTE",
    "Scatter",
    "Tap",
    "Window",
    "Windows",
    "channel_windows",
    "correlation_windows",
    "gif_bytes",
    "pooling_windows",
    "render_animation",
    "scatter_targets",
]

#: The one set of colours of every animation (Okabe and Ito's colour-blind-safe
#: palette, https://jfly.uni-koeln.de/color/): each role keeps its colour in
#: every frame of every notebook. ``output_done`` is the output colour, paler.
PALETTE: dict[str, str] = {
    "input": "#D9D9D9",  # light gray: the input's cells
    "padding": "#FFFFFF",  # white: the padding cells past the input
    "kernel": "#56B4E9",  # sky blue: the kernel's weights and the input cells its taps read
    "output": "#E69F00",  # orange: the output pixel being computed
    "output_done": "#F3CF80",  # pale orange: output pixels already computed
    "maximum": "#D55E00",  # vermillion outline: the largest value of a pooling window
    "edge": "#555555",  # cell borders
    "text": "#000000",
}

#: Inches per grid cell and the fixed resolution: 30 pixels per cell.
CELL_INCHES = 0.3
DPI = 100
#: No frame is narrower than this, so the title and the legend fit.
MIN_WIDTH_INCHES = 6.2
#: How long each frame stays, and the last one, in milliseconds.
FRAME_MS = 700
LAST_FRAME_MS = 2500

_RC = {
    "font.family": "DejaVu Sans",  # ships with Matplotlib: the same glyphs on every machine
    "font.size": 9,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "text.antialiased": True,
    "patch.antialiased": True,
}


# --------------------------------------------------------------------------
# The windows, found by probing the functions that compute the numbers.


@dataclass(frozen=True)
class Tap:
    """Kernel tap ``(u, v)`` reading input pixel ``(row, col)``; outside the image it reads padding."""

    u: int
    v: int
    row: int
    col: int


@dataclass(frozen=True)
class Window:
    """The output pixel ``out`` and the taps whose products add up to it."""

    out: tuple[int, int]
    taps: tuple[Tap, ...]


@dataclass(frozen=True)
class Windows:
    """Every window of one correlation (or pooling), in the order the loop visits the output."""

    input_shape: tuple[int, int]
    kernel_shape: tuple[int, int]
    output_shape: tuple[int, int]
    padding: object
    stride: tuple[int, int]
    dilation: tuple[int, int]
    windows: tuple[Window, ...]

    def padded_extent(self) -> tuple[int, int, int, int]:
        """Rows and columns of input coordinates any window reads: (top, bottom, left, right), inclusive.

        Rows and columns below 0 or past the image are the padding a window reads.
        """
        rows = [t.row for w in self.windows for t in w.taps] + [0, self.input_shape[0] - 1]
        cols = [t.col for w in self.windows for t in w.taps] + [0, self.input_shape[1] - 1]
        return min(rows), max(rows), min(cols), max(cols)


@dataclass(frozen=True)
class Scatter:
    """Where each input pixel of a transposed correlation lands: ``targets[(y, x)]`` lists (u, v, row, col)."""

    input_shape: tuple[int, int]
    kernel_shape: tuple[int, int]
    output_shape: tuple[int, int]
    stride: tuple[int, int]
    targets: dict[tuple[int, int], tuple[Tap, ...]]


#: The most cells an animation's grid has along a side (input, kernel or window): a frame draws every cell,
#: 30 pixels each, and the probes cost about (cells of the input) x (cells of the kernel) correlations.
MAX_GRID_CELLS = 16
#: The most channels :func:`channel_windows` probes (each pair of channels is probed at every tap).
MAX_CHANNELS = 4


def _grid(value: object, name: str) -> tuple[int, int]:
    """A shape of at most :data:`MAX_GRID_CELLS` a side, checked before anything is probed or drawn."""
    pair = as_pair(value, name, minimum=1)
    if max(pair) > MAX_GRID_CELLS:
        raise ValueError(
            f"{name} must be at most {MAX_GRID_CELLS} cells a side for an animation (every cell is drawn), "
            f"got {value!r}"
        )
    return pair


def _probe_indices(values: np.ndarray) -> np.ndarray:
    """Round a probe's output to the integers it must hold; refuse anything else."""
    whole = np.rint(values)
    if not np.allclose(values, whole, rtol=0, atol=1e-6):
        raise AssertionError("a one-hot probe returned values that are not whole numbers")
    return whole.astype(np.int64)


def _windows_from_probes(
    index_maps: dict[tuple[int, int], np.ndarray],
    input_shape: tuple[int, int],
    kernel_shape: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> tuple[tuple[int, int], tuple[Window, ...]]:
    """Turn one index map per tap into windows, and check they form the sliding-window lattice.

    ``index_maps[(u, v)][i, j]`` is 1 + the flat index of the input pixel tap
    ``(u, v)`` reads at output ``(i, j)``, or 0 where it reads padding. Where
    a tap reads padding its position is found from the offset the other taps
    show; every probed position is checked against that offset, so a window
    that does not slide by ``stride`` or spread by ``dilation`` is refused.
    """
    height, width = input_shape
    out_shape = next(iter(index_maps.values())).shape
    offsets = set()
    for (u, v), indices in index_maps.items():
        for (i, j), index in np.ndenumerate(indices):
            if index:
                row, col = divmod(int(index) - 1, width)
                offsets.add((i * stride[0] + u * dilation[0] - row, j * stride[1] + v * dilation[1] - col))
    if len(offsets) != 1:
        raise AssertionError(f"the probed windows do not slide by one fixed offset: {sorted(offsets)[:4]}")
    top, left = offsets.pop()
    windows = []
    for i in range(out_shape[0]):
        for j in range(out_shape[1]):
            taps = []
            for u in range(kernel_shape[0]):
                for v in range(kernel_shape[1]):
                    row, col = i * stride[0] + u * dilation[0] - top, j * stride[1] + v * dilation[1] - left
                    inside = 0 <= row < height and 0 <= col < width
                    index = int(index_maps[(u, v)][i, j])
                    if inside != (index != 0) or (inside and index - 1 != row * width + col):
                        raise AssertionError(f"tap {(u, v)} of output {(i, j)}: the probe disagrees with the lattice")
                    taps.append(Tap(u, v, row, col))
            windows.append(Window((i, j), tuple(taps)))
    return (int(out_shape[0]), int(out_shape[1])), tuple(windows)


def correlation_windows(
    input_shape: tuple[int, int],
    kernel_shape: tuple[int, int],
    *,
    padding: object = "same",
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
    loop: bool = False,
) -> Windows:
    """The input pixels each output pixel of a correlation reads, found by probing the correlation itself.

    Parameters
    ----------
    input_shape, kernel_shape : (int, int)
        Sizes of a 2-D image and kernel.
    padding, stride, dilation
        As in :func:`helpers.correlate2d`.
    loop : bool, optional
        Probe :func:`helpers.correlate2d_loop` (notebook 02's double loop,
        zero 'same' padding, stride 1 and dilation 1 only) instead of
        :func:`helpers.correlate2d`.

    Returns
    -------
    Windows
        One :class:`Window` per output pixel, row by row, each with the taps
        ``(u, v)`` in the order the kernel is read and the input pixel each
        reads (a row or column outside the image is padding).

    Examples
    --------
    >>> w = correlation_windows((5, 5), (3, 3), padding="same", stride=2)
    >>> w.output_shape, [(t.row, t.col) for t in w.windows[0].taps][:2]
    ((3, 3), [(-1, -1), (-1, 0)])
    """
    height, width = _grid(input_shape, "input_shape")
    kh, kw = _grid(kernel_shape, "kernel_shape")
    s, d = as_pair(stride, "stride", minimum=1), as_pair(dilation, "dilation", minimum=1)
    if loop and (padding != "same" or s != (1, 1) or d != (1, 1)):
        raise ValueError("loop=True probes correlate2d_loop, which has 'same' padding, stride 1 and dilation 1 only")
    image = np.arange(1, height * width + 1, dtype=np.float64).reshape(height, width)
    maps = {}
    for u in range(kh):
        for v in range(kw):
            one_hot = np.zeros((kh, kw))
            one_hot[u, v] = 1.0
            if loop:
                out = correlate2d_loop(image, one_hot)
            else:
                out = correlate2d(image, one_hot, padding=padding, stride=s, dilation=d)
            maps[(u, v)] = _probe_indices(out)
    out_shape, windows = _windows_from_probes(maps, (height, width), (kh, kw), s, d)
    return Windows((height, width), (kh, kw), out_shape, padding, s, d, windows)


def channel_windows(
    input_shape: tuple[int, int, int],
    kernel_shape: tuple[int, int],
    *,
    padding: object = "same",
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
) -> Windows:
    """The windows of a multi-channel correlation, probed channel by channel.

    Each channel ``c`` of an ``(H, W, C)`` image is probed with the kernel
    ``(kh, kw, C, 1)`` that has a single 1 at ``(u, v, c, 0)``; every channel
    must give the same windows, and a tap of one channel must read nothing of
    another. The windows are returned once, for all channels.

    Examples
    --------
    >>> channel_windows((4, 4, 3), (3, 3), padding="valid").output_shape
    (2, 2)
    """
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise TypeError(f"input_shape must be (height, width, channels), got {input_shape!r}")
    height, width = _grid(tuple(input_shape[:2]), "input_shape")
    channels = as_pair(input_shape[2], "input_shape's channels", minimum=1)[0]
    if channels > MAX_CHANNELS:
        raise ValueError(f"input_shape's channels must be at most {MAX_CHANNELS} for an animation, got {channels}")
    kh, kw = _grid(kernel_shape, "kernel_shape")
    s, d = as_pair(stride, "stride", minimum=1), as_pair(dilation, "dilation", minimum=1)
    index = np.arange(1, height * width + 1, dtype=np.float64).reshape(height, width)
    found = set()
    for c in range(channels):
        image = np.zeros((height, width, channels))
        image[:, :, c] = index
        maps = {}
        for u in range(kh):
            for v in range(kw):
                for k in range(channels):
                    one_hot = np.zeros((kh, kw, channels, 1))
                    one_hot[u, v, k, 0] = 1.0
                    out = _probe_indices(correlate2d(image, one_hot, padding=padding, stride=s, dilation=d)[..., 0])
                    if k == c:
                        maps[(u, v)] = out
                    elif out.any():
                        raise AssertionError(f"a tap of channel {k} reads channel {c}")
        found.add(_windows_from_probes(maps, (height, width), (kh, kw), s, d))
    if len(found) != 1:
        raise AssertionError("the channels do not share one set of windows")
    out_shape, windows = found.pop()
    return Windows((height, width), (kh, kw), out_shape, padding, s, d, windows)


def pooling_windows(
    input_shape: tuple[int, int],
    size: int | tuple[int, int],
    *,
    stride: int | tuple[int, int] | None = None,
    padding: str = "valid",
) -> Windows:
    """The input pixels each output of :func:`helpers.pool2d` takes its maximum over, found by probing.

    A single 1 on zeros at ``(row, col)`` comes out of max pooling as 1
    exactly in the windows that hold that pixel. The taps ``(u, v)`` are
    counted from each window's first pixel inside the image (padded cells
    never count in pooling, so they are not listed).

    Examples
    --------
    >>> w = pooling_windows((4, 4), 2)
    >>> w.output_shape, [(t.row, t.col) for t in w.windows[3].taps]
    ((2, 2), [(2, 2), (2, 3), (3, 2), (3, 3)])
    """
    height, width = _grid(input_shape, "input_shape")
    window = _grid(size, "size")
    step = window if stride is None else as_pair(stride, "stride", minimum=1)
    batch = np.zeros((height * width, height, width, 1))
    batch[np.arange(height * width), *np.divmod(np.arange(height * width), width), 0] = 1.0
    hits = _probe_indices(pool2d(batch, window, stride=step, padding=padding)[..., 0])  # (pixel, i, j)
    out_shape = hits.shape[1:]
    windows = []
    for i in range(out_shape[0]):
        for j in range(out_shape[1]):
            cells = [divmod(int(p), width) for p in np.flatnonzero(hits[:, i, j])]
            rows, cols = {r for r, _ in cells}, {c for _, c in cells}
            if len(cells) != len(rows) * len(cols) or len(rows) > window[0] or len(cols) > window[1]:
                raise AssertionError(f"pooling window {(i, j)} is not a rectangle within {window}: {cells}")
            r0, c0 = min(rows), min(cols)
            windows.append(Window((i, j), tuple(Tap(r - r0, c - c0, r, c) for r, c in cells)))
    return Windows(
        (height, width), window, (int(out_shape[0]), int(out_shape[1])), padding, step, (1, 1), tuple(windows)
    )


def scatter_targets(
    input_shape: tuple[int, int],
    kernel_shape: tuple[int, int],
    *,
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
    padding: object = "valid",
) -> Scatter:
    """Where :func:`helpers.transposed_correlate2d` adds each input pixel, found by probing it.

    A single 1 at ``(y, x)`` with the kernel ``1, 2, ..., kh * kw`` (row by
    row) comes out as the number of each tap at the output pixel it lands on;
    taps cropped off by the padding do not appear.

    Examples
    --------
    >>> scatter = scatter_targets((2, 2), (3, 3), stride=2)
    >>> scatter.output_shape, [(t.row, t.col) for t in scatter.targets[(0, 1)]][:3]
    ((5, 5), [(0, 2), (0, 3), (0, 4)])
    """
    height, width = _grid(input_shape, "input_shape")
    kh, kw = _grid(kernel_shape, "kernel_shape")
    s, d = as_pair(stride, "stride", minimum=1), as_pair(dilation, "dilation", minimum=1)
    numbered = np.arange(1, kh * kw + 1, dtype=np.float64).reshape(kh, kw)
    targets = {}
    out_shape: tuple[int, int] | None = None
    for y in range(height):
        for x in range(width):
            one_hot = np.zeros((height, width))
            one_hot[y, x] = 1.0
            out = _probe_indices(transposed_correlate2d(one_hot, numbered, stride=s, dilation=d, padding=padding))
            out_shape = (int(out.shape[0]), int(out.shape[1]))
            landed = sorted((int(out[r, c]), int(r), int(c)) for r, c in zip(*np.nonzero(out), strict=True))
            numbers = [n for n, _, _ in landed]
            if len(set(numbers)) != len(numbers) or not all(1 <= n <= kh * kw for n in numbers):
                raise AssertionError(f"input {(y, x)}: each tap must land once, got {numbers}")
            targets[(y, x)] = tuple(Tap(*divmod(n - 1, kw), r, c) for n, r, c in landed)
    assert out_shape is not None
    return Scatter((height, width), (kh, kw), out_shape, s, targets)


# --------------------------------------------------------------------------
# Drawing: one axes in cell units, 30 pixels per cell, a title and a legend.


class _Canvas:
    """A figure whose axes are measured in grid cells (x to the right, y down)."""

    def __init__(self, width: float, height: float, title: str, legend: Sequence[str]) -> None:
        self.title_rows, self.legend_rows = title.count("\n") + 1, 1.4
        top_in, bottom_in = 0.12 + 0.17 * self.title_rows, 0.35
        fig_w = max(width * CELL_INCHES + 0.2, MIN_WIDTH_INCHES)
        fig_h = height * CELL_INCHES + top_in + bottom_in
        self.fig = Figure(figsize=(fig_w, fig_h), dpi=DPI)
        FigureCanvasAgg(self.fig)
        left = (fig_w - width * CELL_INCHES) / 2
        self.ax = self.fig.add_axes(
            (left / fig_w, bottom_in / fig_h, width * CELL_INCHES / fig_w, height * CELL_INCHES / fig_h)
        )
        self.ax.set_xlim(0, width)
        self.ax.set_ylim(height, 0)
        self.ax.set_aspect("equal")
        self.ax.axis("off")
        self.fig.text(0.5, 1 - 0.08 / fig_h, title, ha="center", va="top", fontsize=10, fontweight="bold")
        handles = [_LEGEND[name] for name in legend]
        self.fig.legend(
            handles=handles,
            loc="lower center",
            ncol=len(handles),
            frameon=False,
            fontsize=8,
            handlelength=1.2,
            columnspacing=1.2,
            bbox_to_anchor=(0.5, 0.0),
        )

    def cell(
        self, x: float, y: float, face: str, gid: str, *, text: str = "", edge: str | None = None, width: float = 0.8
    ) -> None:
        """One cell with its top-left corner at (x, y); ``gid`` names it for the tests ('panel row col role')."""
        self.ax.add_patch(
            Rectangle(
                (x, y), 1, 1, facecolor=face, edgecolor=edge or PALETTE["edge"], linewidth=width, gid=gid, clip_on=False
            )
        )
        if text:
            self.ax.text(x + 0.5, y + 0.52, text, ha="center", va="center", fontsize=8, color=PALETTE["text"])

    def outline(self, x: float, y: float, w: float, h: float, colour: str, width: float = 2.5) -> None:
        self.ax.add_patch(Rectangle((x, y), w, h, fill=False, edgecolor=colour, linewidth=width, clip_on=False))

    def label(self, x: float, y: float, text: str, **kwargs: object) -> None:
        options = {"ha": "center", "va": "bottom", "fontsize": 9, "color": PALETTE["text"]}
        options.update(kwargs)
        self.ax.text(x, y, text, **options)


_LEGEND = {
    "input": Patch(facecolor=PALETTE["input"], edgecolor=PALETTE["edge"], label="input"),
    "padding": Patch(facecolor=PALETTE["padding"], edgecolor=PALETTE["edge"], label="padding (zeros)"),
    "kernel": Patch(facecolor=PALETTE["kernel"], edgecolor=PALETTE["edge"], label="kernel taps"),
    "window": Patch(facecolor=PALETTE["kernel"], edgecolor=PALETTE["edge"], label="pooling window"),
    "output": Patch(facecolor=PALETTE["output"], edgecolor=PALETTE["edge"], label="output now"),
    "output_done": Patch(facecolor=PALETTE["output_done"], edgecolor=PALETTE["edge"], label="output done"),
    "maximum": Patch(facecolor="white", edgecolor=PALETTE["maximum"], linewidth=2, label="maximum"),
    "overlap": Patch(facecolor=PALETTE["output"], edgecolor=PALETTE["edge"], label="output (darker: more adds)"),
}


def _number(value: float) -> str:
    """A whole number as an integer, anything else with at most two decimals; never '-0'."""
    value = float(value) + 0.0
    return f"{value:.0f}" if value == round(value) else f"{value:.2f}".rstrip("0")


def _size(shape: Sequence[int]) -> str:
    return "x".join(str(int(n)) for n in shape)


def _draw_input(
    canvas: _Canvas,
    windows: Windows,
    x0: float,
    y0: float,
    window: Window | None,
    *,
    values: np.ndarray | None = None,
    panel: str = "input",
    role: str = "kernel",
) -> None:
    """The input with the padding any window reads; the cells the window's taps read in the kernel colour."""
    top, bottom, left, right = windows.padded_extent()
    height, width = windows.input_shape
    read = {(t.row, t.col) for t in window.taps} if window is not None else set()
    for row in range(top, bottom + 1):
        for col in range(left, right + 1):
            inside = 0 <= row < height and 0 <= col < width
            kind = "input" if inside else "padding"
            face = PALETTE[role] if (row, col) in read else PALETTE[kind]
            text = ""
            if values is not None:
                text = _number(values[row, col]) if inside else "0"
            state = "read" if (row, col) in read else kind
            canvas.cell(x0 + col - left, y0 + row - top, face, f"{panel} {row} {col} {state}", text=text)


def _draw_output(
    canvas: _Canvas,
    shape: tuple[int, int],
    x0: float,
    y0: float,
    current: tuple[int, int] | None,
    done: set[tuple[int, int]],
    *,
    values: np.ndarray | None = None,
) -> None:
    for row in range(shape[0]):
        for col in range(shape[1]):
            if (row, col) == current:
                face, state = PALETTE["output"], "current"
            elif (row, col) in done:
                face, state = PALETTE["output_done"], "done"
            else:
                face, state = "white", "todo"
            text = _number(values[row, col]) if values is not None and state != "todo" else ""
            canvas.cell(x0 + col, y0 + row, face, f"output {row} {col} {state}", text=text)


def _draw_kernel(canvas: _Canvas, kernel: np.ndarray, x0: float, y0: float, panel: str = "kernel") -> None:
    for (u, v), weight in np.ndenumerate(kernel):
        canvas.cell(x0 + v, y0 + u, PALETTE["kernel"], f"{panel} {u} {v} weight", text=_number(weight))


def _padding_words(windows: Windows) -> str:
    top, bottom, left, right = windows.padded_extent()
    height, width = windows.input_shape
    sides = (-top, bottom - height + 1, -left, right - width + 1)
    if not any(sides):
        return "no padding"
    if len(set(sides)) == 1:
        return f"{sides[0]} zero{'s' if sides[0] > 1 else ''} each side"
    return "zeros (top, bottom, left, right) = " + ", ".join(str(n) for n in sides)


# --------------------------------------------------------------------------
# The animations: each returns its frames as figures (closed after use).


def sliding_window_frames(windows: Windows) -> list[Figure]:
    """One frame per output pixel: the taps on the padded input and the output filled so far (notebook 05)."""
    top, bottom, left, right = windows.padded_extent()
    in_h, in_w = bottom - top + 1, right - left + 1
    out_h, out_w = windows.output_shape
    width = in_w + 2 + out_w
    height = max(in_h, out_h) + 1
    settings = f"stride {_pair_words(windows.stride)}, dilation {_pair_words(windows.dilation)}"
    padding = windows.padding if isinstance(windows.padding, str) else "explicit"
    legend = ["input", "padding", "kernel", "output", "output_done"]
    if in_h == windows.input_shape[0] and in_w == windows.input_shape[1]:
        legend.remove("padding")
    frames, done = [], set()
    for window in windows.windows:
        title = (
            f"padding '{padding}' ({_padding_words(windows)}), {settings}\n"
            f"input {_size(windows.input_shape)}, kernel {_size(windows.kernel_shape)} -> output "
            f"{_size(windows.output_shape)}; computing output {window.out}"
        )
        canvas = _Canvas(width, height, title, legend)
        _draw_input(canvas, windows, 0, 1, window)
        canvas.label(in_w / 2, 0.85, "input, padded" if "padding" in legend else "input")
        x_out, y_out = in_w + 2, 1 + (max(in_h, out_h) - out_h) / 2
        _draw_output(canvas, windows.output_shape, x_out, y_out, window.out, done)
        canvas.label(x_out + out_w / 2, y_out - 0.15, "output")
        frames.append(canvas.fig)
        done.add(window.out)
    return frames


def _pair_words(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}x{pair[1]}"


def loop_frames(image: np.ndarray, kernel: np.ndarray) -> list[Figure]:
    """Notebook 02's double loop: padded input, kernel, the products and the output, with the running sum.

    The first output pixel is built tap by tap (the running sum growing);
    every later pixel gets one frame with all its products and their sum.
    The sums drawn are checked against :func:`helpers.correlate2d_loop`.
    """
    image, kernel = np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    windows = correlation_windows(image.shape, kernel.shape, loop=True)
    output = correlate2d_loop(image, kernel)
    top, bottom, left, right = windows.padded_extent()
    in_h, in_w = bottom - top + 1, right - left + 1
    kh, kw = kernel.shape
    out_h, out_w = output.shape
    x_kernel, x_products, x_out = in_w + 1.5, in_w + kw + 3, in_w + 2 * kw + 4.5
    width, height = x_out + out_w, max(in_h, out_h) + 1.2
    legend = ["input", "padding", "kernel", "output", "output_done"]
    frames, done = [], set()
    for number, window in enumerate(windows.windows):
        steps = range(1, len(window.taps) + 1) if number == 0 else [len(window.taps)]
        for step in steps:
            products = np.full(kernel.shape, np.nan)
            for tap in window.taps[:step]:
                inside = 0 <= tap.row < image.shape[0] and 0 <= tap.col < image.shape[1]
                products[tap.u, tap.v] = kernel[tap.u, tap.v] * (image[tap.row, tap.col] if inside else 0.0)
            running = float(np.nansum(products))
            finished = step == len(window.taps)
            if finished and running != output[window.out]:
                raise AssertionError(f"the products of output {window.out} do not add up to correlate2d_loop's value")
            title = (
                f"the double loop of notebook 02: input {_size(image.shape)}, kernel {_size(kernel.shape)}, "
                f"'same' padding -> output {_size(output.shape)}\n"
                f"output {window.out} = sum of the products of the kernel and the window under it"
            )
            canvas = _Canvas(width, height, title, legend)
            partial = Window(window.out, window.taps[:step])
            _draw_input(canvas, windows, 0, 1, partial, values=image)
            canvas.label(in_w / 2, 0.85, "input, padded with zeros")
            _draw_kernel(canvas, kernel, x_kernel, 1)
            canvas.label(x_kernel + kw / 2, 0.85, "kernel")
            for (u, v), value in np.ndenumerate(products):
                text = "" if np.isnan(value) else _number(value)
                face = PALETTE["kernel"] if text else "white"
                canvas.cell(x_products + v, 1 + u, face, f"products {u} {v} {'product' if text else 'todo'}", text=text)
            canvas.label(x_products + kw / 2, 0.85, "products")
            canvas.label(
                x_products + kw / 2,
                1 + kh + 0.9,
                f"{'sum' if finished else 'running sum'}\n= {_number(running)}",
                va="top",
                fontsize=9,
            )
            shown = output.copy()
            if not finished:
                shown[window.out] = running
            _draw_output(canvas, output.shape, x_out, 1, window.out, done, values=shown)
            canvas.label(x_out + out_w / 2, 0.85, "output")
            canvas.label(x_kernel - 0.75, 1 + kh / 2 + 0.35, "×", fontsize=14, va="center")  # window times kernel
            canvas.label(x_products - 0.75, 1 + kh / 2 + 0.35, "=", fontsize=14, va="center")
            frames.append(canvas.fig)
        done.add(window.out)
    return frames


def pooling_frames(
    image: np.ndarray, size: int | tuple[int, int], stride: int | tuple[int, int] | None = None
) -> list[Figure]:
    """Max pooling, one frame per output pixel: the window, its largest value, and the output so far."""
    image = np.asarray(image, dtype=np.float64)
    windows = pooling_windows(image.shape, size, stride=stride)
    output = pool2d(image, size, stride=stride)
    in_h, in_w = image.shape
    out_h, out_w = output.shape
    width, height = in_w + 2 + out_w, max(in_h, out_h) + 1
    legend = ["input", "window", "maximum", "output", "output_done"]
    frames, done = [], set()
    for window in windows.windows:
        values = [image[t.row, t.col] for t in window.taps]
        largest = window.taps[int(np.argmax(values))]
        if image[largest.row, largest.col] != output[window.out]:
            raise AssertionError(f"the window's maximum is not pool2d's output {window.out}")
        title = (
            f"max pooling {_size(windows.kernel_shape)}, stride {_pair_words(windows.stride)}: "
            f"input {_size(image.shape)} -> output {_size(output.shape)}\n"
            f"output {window.out} = the largest value in the window, {_number(output[window.out])}"
        )
        canvas = _Canvas(width, height, title, legend)
        _draw_input(canvas, windows, 0, 1, window, values=image, role="kernel")
        canvas.outline(largest.col, 1 + largest.row, 1, 1, PALETTE["maximum"], width=3)
        canvas.label(in_w / 2, 0.85, "input")
        y_out = 1 + (max(in_h, out_h) - out_h) / 2
        _draw_output(canvas, output.shape, in_w + 2, y_out, window.out, done, values=output)
        canvas.label(in_w + 2 + out_w / 2, y_out - 0.15, "output")
        frames.append(canvas.fig)
        done.add(window.out)
    return frames


def channel_frames(image: np.ndarray, kernel: np.ndarray, *, padding: str = "valid") -> list[Figure]:
    """One kernel across C channels: per output pixel, each channel's window, its partial sum, and their total."""
    image, kernel = np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    height, width, channels = image.shape
    windows = channel_windows(image.shape, kernel.shape[:2], padding=padding)
    output = correlate2d(image, kernel, padding=padding)[..., 0]
    top, bottom, left, right = windows.padded_extent()
    in_h, in_w = bottom - top + 1, right - left + 1
    kh, kw = kernel.shape[:2]
    out_h, out_w = output.shape
    band = in_h + 1.2
    x_kernel, x_sum, x_out = in_w + 1.5, in_w + kw + 2.2, in_w + kw + 6.2
    fig_w, fig_h = x_out + out_w + 0.2, channels * band + 0.2
    legend = ["input", "kernel", "output", "output_done"] + (["padding"] if in_h > height else [])
    frames, done = [], set()
    for window in windows.windows:
        partial = []
        for c in range(channels):
            total = 0.0
            for tap in window.taps:
                inside = 0 <= tap.row < height and 0 <= tap.col < width
                total += kernel[tap.u, tap.v, c, 0] * (image[tap.row, tap.col, c] if inside else 0.0)
            partial.append(total)
        if sum(partial) != output[window.out]:
            raise AssertionError(f"the channels' sums do not add up to correlate2d's output {window.out}")
        words = " + ".join(_number(p) for p in partial).replace("+ -", "- ")
        title = (
            f"kernel {_size(kernel.shape)} across {channels} channels: input {_size(image.shape)} "
            f"-> output {_size(output.shape)}\n"
            f"output {window.out} = the channels' sums added: {words} = {_number(output[window.out])}"
        )
        canvas = _Canvas(fig_w, fig_h, title, legend)
        for c in range(channels):
            y0 = 1 + c * band
            _draw_input(canvas, windows, 0, y0, window, values=image[..., c], panel=f"input{c}")
            canvas.label(in_w / 2, y0 - 0.15, f"input, channel {c}")
            yk = y0 + (in_h - kh) / 2
            _draw_kernel(canvas, kernel[:, :, c, 0], x_kernel, yk, panel=f"kernel{c}")
            canvas.label(x_kernel + kw / 2, yk - 0.15, f"kernel[:, :, {c}, 0]")
            canvas.label(x_sum + 0.2, yk + kh / 2, f"sum: {_number(partial[c])}", ha="left", va="center")
        y_out = 1 + (channels * band - 1.2 - out_h) / 2
        _draw_output(canvas, output.shape, x_out, y_out, window.out, done, values=output)
        canvas.label(x_out + out_w / 2, y_out - 0.15, "output")
        canvas.label(x_out + out_w / 2, y_out + out_h + 0.4, f"{words}\n= {_number(output[window.out])}", va="top")
        frames.append(canvas.fig)
        done.add(window.out)
    return frames


def scatter_frames(image: np.ndarray, kernel: np.ndarray, *, stride: int = 2) -> list[Figure]:
    """Transposed correlation as scatter-add: each input pixel adds value x kernel into the output.

    With an input and a kernel of ones, each output cell ends up counting the
    windows that overlap on it, which is the uneven overlap behind the
    checkerboard. The running totals are checked against
    :func:`helpers.transposed_correlate2d` at the end.
    """
    image, kernel = np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    scatter = scatter_targets(image.shape, kernel.shape, stride=stride)
    final = transposed_correlate2d(image, kernel, stride=stride)
    in_h, in_w = image.shape
    out_h, out_w = final.shape
    kw = kernel.shape[1]
    x_kernel, x_out = in_w + 1.5, in_w + kw + 3
    width, height = x_out + out_w, max(in_h, out_h) + 1
    legend = ["input", "kernel", "overlap"]
    total = np.zeros(final.shape)
    frames = []
    order = sorted(scatter.targets)
    for source in [*order, None]:
        y, x = source if source is not None else (None, None)
        landed = scatter.targets[source] if source is not None else ()
        for tap in landed:
            total[tap.row, tap.col] += image[y, x] * kernel[tap.u, tap.v]
        if y is None:
            np.testing.assert_array_equal(total, final)  # the scatter adds up to transposed_correlate2d
            counts = sorted({_number(v) for v in final.ravel()}, key=float)
            title = (
                f"transposed correlation, stride {stride}: input {_size(image.shape)}, kernel {_size(kernel.shape)} "
                f"-> output {_size(final.shape)}\n"
                f"done: cells receive {', '.join(counts)} adds, an uneven grid (the checkerboard)"
            )
        else:
            title = (
                f"transposed correlation, stride {stride}: input {_size(image.shape)}, kernel {_size(kernel.shape)} "
                f"-> output {_size(final.shape)}\n"
                f"input {(y, x)} adds {_number(image[y, x])} x kernel to output rows {_span(landed, 'row')}, "
                f"columns {_span(landed, 'col')}"
            )
        canvas = _Canvas(width, height, title, legend)
        for (row, col), value in np.ndenumerate(image):
            state = "current" if (row, col) == (y, x) else "input"
            canvas.cell(col, 1 + row, PALETTE["input"], f"input {row} {col} {state}", text=_number(value))
        if y is not None:
            canvas.outline(x, 1 + y, 1, 1, PALETTE["text"], width=2.5)
        canvas.label(in_w / 2, 0.85, "input")
        _draw_kernel(canvas, kernel, x_kernel, 1)
        canvas.label(x_kernel + kw / 2, 0.85, "kernel")
        peak = max(float(np.abs(final).max()), 1.0)
        hit = {(t.row, t.col) for t in landed}
        for (row, col), value in np.ndenumerate(total):
            if (row, col) in hit:
                face, state = PALETTE["kernel"], "landing"
            elif value:
                face, state = _blend(PALETTE["output"], abs(value) / peak), "sum"
            else:
                face, state = "white", "todo"
            canvas.cell(x_out + col, 1 + row, face, f"output {row} {col} {state}", text=_number(value) if value else "")
        canvas.label(x_out + out_w / 2, 0.85, "output (running sums)")
        frames.append(canvas.fig)
    return frames


def _span(taps: Sequence[Tap], axis: str) -> str:
    values = [getattr(t, axis) for t in taps]
    return f"{min(values)}-{max(values)}"


def _blend(colour: str, amount: float) -> str:
    """``colour`` mixed with white: ``amount`` 1 gives the colour, 0 white (output shades by how much landed)."""
    rgb = np.array(matplotlib.colors.to_rgb(colour))
    mixed = 1 - (1 - rgb) * (0.25 + 0.75 * min(max(amount, 0.0), 1.0))
    return matplotlib.colors.to_hex(mixed)


# --------------------------------------------------------------------------
# Frames to GIF bytes, the same bytes on every run.


def _pixels(fig: Figure) -> np.ndarray:
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def _pin_colours(entries: list[int]) -> list[int]:
    """Set the palette entry nearest to each colour of :data:`PALETTE` (and white) to that exact colour.

    Median cut averages the colours it groups, so white could come out as a
    light gray; pinned, the background and every role keep their true colour.
    """
    table = np.array(entries, dtype=np.int64).reshape(-1, 3)
    free = np.ones(len(table), dtype=bool)
    for colour in ["#FFFFFF", *PALETTE.values()]:
        rgb = np.round(np.array(matplotlib.colors.to_rgb(colour)) * 255).astype(np.int64)
        distance = np.where(free, ((table - rgb) ** 2).sum(axis=1), np.iinfo(np.int64).max)
        nearest = int(np.argmin(distance))
        table[nearest], free[nearest] = rgb, False
    return [int(v) for v in table.ravel()]


def gif_bytes(frames: Sequence[Figure], *, colours: int = 48) -> bytes:
    """Render figures with Agg and join them into one looping GIF (a shared palette of ``colours``).

    The palette comes from all frames together (median cut, no dithering),
    so every frame shares it and regenerating gives the same bytes; Pillow
    stores only the part of each frame that changed.
    """
    frames = list(frames) if not isinstance(frames, Figure) else [frames]
    if not frames:
        raise ValueError("frames is empty: nothing to animate")
    for index, fig in enumerate(frames):
        if not isinstance(fig, Figure):
            raise TypeError(f"frames must hold Matplotlib figures, got {type(fig).__name__} at index {index}")
    with matplotlib.rc_context(_RC):
        pixels = [_pixels(fig) for fig in frames]
    shapes = {p.shape for p in pixels}
    if len(shapes) != 1:
        raise ValueError(f"every frame must have one size, got {sorted(shapes)}")
    stacked = Image.fromarray(np.concatenate(pixels, axis=0))
    palette = stacked.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette.putpalette(_pin_colours(palette.getpalette()[: 3 * colours]))
    images = [Image.fromarray(p).quantize(palette=palette, dither=Image.Dither.NONE) for p in pixels]
    durations = [FRAME_MS] * (len(images) - 1) + [LAST_FRAME_MS]
    buffer = io.BytesIO()
    images[0].save(
        buffer, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0, optimize=True
    )
    return buffer.getvalue()


# --------------------------------------------------------------------------
# The course's animations, by file name (notebooks/animations/NAME.gif).

#: Notebook 02's example: a 5x5 image, dark on the left, and a kernel asking "is the left brighter?".
X02 = np.array([[3, 1, 0, 2, 5], [4, 2, 1, 7, 8], [1, 0, 2, 9, 9], [2, 3, 1, 8, 7], [0, 1, 2, 6, 9]])
K02 = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])


def _pool_input() -> np.ndarray:
    return np.array(
        [
            [1, 3, 2, 0, 4, 1],
            [5, 2, 7, 1, 0, 3],
            [0, 6, 1, 2, 8, 2],
            [3, 1, 4, 9, 1, 5],
            [2, 8, 0, 3, 6, 1],
            [4, 1, 5, 2, 0, 7],
        ]
    )


def _channel_example() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(6)
    image = rng.integers(0, 10, size=(5, 5, 3))
    kernel = rng.integers(-1, 2, size=(3, 3, 3, 1))
    return image, kernel


ANIMATIONS: dict[str, tuple[str, Callable[[], list[Figure]]]] = {
    "loop_02": ("02", lambda: loop_frames(X02, K02)),
    "padding_valid_05": ("05", lambda: sliding_window_frames(correlation_windows((5, 5), (3, 3), padding="valid"))),
    "padding_same_05": ("05", lambda: sliding_window_frames(correlation_windows((5, 5), (3, 3), padding="same"))),
    "padding_full_05": ("05", lambda: sliding_window_frames(correlation_windows((5, 5), (3, 3), padding="full"))),
    "stride_2_05": ("05", lambda: sliding_window_frames(correlation_windows((5, 5), (3, 3), padding="same", stride=2))),
    "dilation_2_05": (
        "05",
        lambda: sliding_window_frames(correlation_windows((7, 7), (3, 3), padding="valid", dilation=2)),
    ),
    "stride_2_dilation_2_05": (
        "05",
        lambda: sliding_window_frames(correlation_windows((11, 11), (3, 3), padding="valid", stride=2, dilation=2)),
    ),
    "max_pooling_05": ("05", lambda: pooling_frames(_pool_input(), 2)),
    "channels_06": ("06", lambda: channel_frames(*_channel_example())),
    "transposed_stride_2_08": ("08", lambda: scatter_frames(np.ones((3, 3)), np.ones((3, 3)), stride=2)),
}


def render_animation(name: str) -> bytes:
    """The GIF bytes of the animation ``name`` (a key of :data:`ANIMATIONS`).

    Examples
    --------
    >>> render_animation("padding_valid_05")[:6]
    b'GIF89a'
    """
    check_choice(name, "name", sorted(ANIMATIONS))
    with matplotlib.rc_context(_RC):
        frames = ANIMATIONS[name][1]()
    return gif_bytes(frames)
