"""The animations show the windows the course's functions really use, and the stored GIFs are current.

``helpers.animation`` finds its windows by probing the functions; here they
are checked a second way: one-hot images (one batch per kernel tap) for the
input pixels, a padding of ones (``cval=1``) for the padded cells, and the
textbook offsets of notebook 05 for where the padding lies. Then the drawn
frames are read back (every cell patch carries a ``gid`` naming its panel,
row, column and state) and compared with those windows. A test checks that
the folder holds exactly the defined files; ``tests/test_animation_files.py``
re-renders every one of them byte for byte (in its own file, so pytest-xdist
runs it beside this one).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from scripts import load_script

from helpers import animation, correlate2d, correlate2d_loop, pool2d, transposed_correlate2d

ROOT = Path(__file__).resolve().parent.parent


def _load_tool():
    return load_script("tools/make_animations.py")


def _textbook_start(padding: str, n: int, k: int, s: int, d: int) -> int:
    """Padding before the image along one axis, as notebook 05 states it (TensorFlow's rule for 'same')."""
    if padding == "valid":
        return 0
    if padding == "full":
        return d * (k - 1)
    total = max((-(-n // s) - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2


def _reference_reads(shape, kernel_shape, padding, stride, dilation, *, loop=False):
    """{output (i, j): {(u, v): (row, col)}}, each in-image read confirmed by a one-hot probe."""
    (h, w), (kh, kw), (sr, sc), (dr, dc) = shape, kernel_shape, stride, dilation
    ones = np.zeros((h * w, h, w, 1))
    ones[np.arange(h * w), np.arange(h * w) // w, np.arange(h * w) % w, 0] = 1.0
    top = _textbook_start(padding, h, kh, sr, dr)
    left = _textbook_start(padding, w, kw, sc, dc)
    reads = {}
    for u, v in itertools.product(range(kh), range(kw)):
        tap = np.zeros((kh, kw))
        tap[u, v] = 1.0
        if loop:
            hits = np.stack([correlate2d_loop(one[..., 0], tap) for one in ones])
        else:
            hits = correlate2d(ones, tap[:, :, None, None], padding=padding, stride=stride, dilation=dilation)[..., 0]
        on_padding = correlate2d(
            np.zeros((h, w)), tap, padding=padding, stride=stride, dilation=dilation, cval=1.0
        )  # 1 exactly where the tap reads a padded cell
        for i, j in itertools.product(range(hits.shape[1]), range(hits.shape[2])):
            row, col = i * sr + u * dr - top, j * sc + v * dc - left
            inside = 0 <= row < h and 0 <= col < w
            expected = np.zeros(h * w)
            if inside:
                expected[row * w + col] = 1.0
            np.testing.assert_array_equal(hits[:, i, j], expected)  # the pixel the tap really reads, and only it
            assert on_padding[i, j] == (0.0 if inside else 1.0)
            reads.setdefault((i, j), {})[(u, v)] = (row, col)
    return reads


CONFIGS = [
    (shape, kernel, padding, stride, dilation)
    for shape in ((5, 5), (4, 6), (7, 5))
    for kernel in ((3, 3), (2, 3), (1, 2))
    for padding in ("valid", "same", "full")
    for stride in ((1, 1), (2, 2), (2, 1))
    for dilation in ((1, 1), (2, 2), (1, 2))
    if dilation[0] * (kernel[0] - 1) < shape[0] and dilation[1] * (kernel[1] - 1) < shape[1]
]


@pytest.mark.parametrize(("shape", "kernel", "padding", "stride", "dilation"), CONFIGS)
def test_windows_are_the_reads_of_correlate2d(shape, kernel, padding, stride, dilation):
    windows = animation.correlation_windows(shape, kernel, padding=padding, stride=stride, dilation=dilation)
    reference = _reference_reads(shape, kernel, padding, stride, dilation)
    assert (
        windows.output_shape
        == correlate2d(np.zeros(shape), np.zeros(kernel), padding=padding, stride=stride, dilation=dilation).shape
    )
    assert [w.out for w in windows.windows] == sorted(reference)  # row by row, as the loop visits them
    for window in windows.windows:
        assert {(t.u, t.v): (t.row, t.col) for t in window.taps} == reference[window.out]


@pytest.mark.parametrize(("shape", "kernel"), [((5, 5), (3, 3)), ((4, 6), (1, 3)), ((3, 4), (3, 5))])
def test_loop_windows_are_the_reads_of_correlate2d_loop(shape, kernel):
    windows = animation.correlation_windows(shape, kernel, loop=True)
    reference = _reference_reads(shape, kernel, "same", (1, 1), (1, 1), loop=True)
    for window in windows.windows:
        assert {(t.u, t.v): (t.row, t.col) for t in window.taps} == reference[window.out]


def test_loop_windows_refuse_what_the_loop_cannot_do():
    with pytest.raises(ValueError, match="correlate2d_loop"):
        animation.correlation_windows((5, 5), (3, 3), padding="valid", loop=True)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("stride", [1, 2])
def test_channel_windows_add_up_to_correlate2d(padding, stride):
    rng = np.random.default_rng(0)
    image, kernel = rng.standard_normal((5, 6, 3)), rng.standard_normal((3, 3, 3, 1))
    windows = animation.channel_windows(image.shape, (3, 3), padding=padding, stride=stride)
    expected = correlate2d(image, kernel, padding=padding, stride=stride)[..., 0]
    for window in windows.windows:
        total = sum(
            kernel[t.u, t.v, c, 0] * image[t.row, t.col, c]
            for t in window.taps
            for c in range(3)
            if 0 <= t.row < 5 and 0 <= t.col < 6
        )
        assert total == pytest.approx(expected[window.out], abs=1e-9)


@pytest.mark.parametrize(
    ("shape", "size", "stride", "padding"),
    [
        ((6, 6), 2, None, "valid"),
        ((7, 5), 3, 2, "valid"),
        ((5, 7), (2, 3), 1, "valid"),
        ((7, 5), 3, 2, "same"),
        ((6, 4), 2, None, "same"),
    ],
)
def test_pooling_windows_are_the_windows_of_pool2d(shape, size, stride, padding):
    windows = animation.pooling_windows(shape, size, stride=stride, padding=padding)
    rng = np.random.default_rng(1)
    for _ in range(3):  # distinct values: each window's maximum names its cells
        image = rng.permutation(shape[0] * shape[1]).reshape(shape).astype(float)
        pooled = pool2d(image, size, stride=stride, padding=padding)
        assert pooled.shape == windows.output_shape
        for window in windows.windows:
            assert max(image[t.row, t.col] for t in window.taps) == pooled[window.out]
            mean = np.mean([image[t.row, t.col] for t in window.taps])
            assert mean == pytest.approx(pool2d(image, size, stride=stride, padding=padding, kind="mean")[window.out])


@pytest.mark.parametrize(
    ("shape", "kernel", "stride", "dilation", "padding"),
    [
        ((3, 3), (3, 3), 2, 1, "valid"),
        ((2, 4), (2, 3), (2, 3), 1, "valid"),
        ((3, 2), (3, 3), 1, 2, "valid"),
        ((4, 4), (3, 3), 2, 1, "same"),
        ((3, 3), (4, 4), 2, 1, "valid"),
        ((3, 4), (3, 2), 3, (1, 2), "full"),
    ],
)
def test_scatter_rebuilds_transposed_correlate2d(shape, kernel, stride, dilation, padding):
    scatter = animation.scatter_targets(shape, kernel, stride=stride, dilation=dilation, padding=padding)
    rng = np.random.default_rng(2)
    image, weights = rng.standard_normal(shape), rng.standard_normal(kernel)
    expected = transposed_correlate2d(image, weights, stride=stride, dilation=dilation, padding=padding)
    rebuilt = np.zeros(scatter.output_shape)
    for (y, x), taps in scatter.targets.items():
        for t in taps:
            rebuilt[t.row, t.col] += image[y, x] * weights[t.u, t.v]
    np.testing.assert_allclose(rebuilt, expected, rtol=0, atol=1e-12)


# --------------------------------------------------------------------------
# The frames draw those windows


def _cells(fig, panel):
    """{(row, col): state} of the cell patches of one panel, read from their gids."""
    cells = {}
    for patch in fig.axes[0].patches:
        gid = patch.get_gid()
        if gid and gid.split()[0] == panel:
            _, row, col, state = gid.split()
            cells[(int(row), int(col))] = state
    return cells


@pytest.mark.parametrize(
    ("shape", "padding", "stride", "dilation"),
    [
        ((5, 5), "valid", 1, 1),
        ((5, 5), "same", 1, 1),
        ((3, 4), "full", 1, 1),
        ((5, 5), "same", 2, 1),
        ((7, 7), "valid", 1, 2),
        ((9, 8), "valid", 2, 2),
    ],
)
def test_each_frame_highlights_the_window_correlate2d_reads(shape, padding, stride, dilation):
    reference = _reference_reads(shape, (3, 3), padding, (stride, stride), (dilation, dilation))
    windows = animation.correlation_windows(shape, (3, 3), padding=padding, stride=stride, dilation=dilation)
    with matplotlib.rc_context(animation._RC):
        frames = animation.sliding_window_frames(windows)
    assert len(frames) == len(reference)
    for number, (fig, out) in enumerate(zip(frames, sorted(reference), strict=True)):
        read = {cell for cell, state in _cells(fig, "input").items() if state == "read"}
        assert read == set(reference[out].values()), f"frame {number}"
        output = _cells(fig, "output")
        assert [cell for cell, state in output.items() if state == "current"] == [out]
        assert {cell for cell, state in output.items() if state == "done"} == set(sorted(reference)[:number])
        assert f"computing output {out}" in fig.texts[0].get_text()


def test_the_loop_frames_show_its_products_and_sums():
    with matplotlib.rc_context(animation._RC):
        frames = animation.loop_frames(animation.X02, animation.K02)
    reference = _reference_reads((5, 5), (3, 3), "same", (1, 1), (1, 1), loop=True)
    assert len(frames) == 9 + 24  # output (0, 0) tap by tap, then one frame per output pixel
    output = correlate2d_loop(animation.X02, animation.K02)
    for fig, out in zip(frames[8:], sorted(reference), strict=True):
        read = {cell for cell, state in _cells(fig, "input").items() if state == "read"}
        assert read == set(reference[out].values())
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert f"sum\n= {output[out]:.0f}" in texts
    first = [next(t.get_text() for t in fig.axes[0].texts if "sum" in t.get_text()) for fig in frames[:9]]
    assert first[0].startswith("running sum") and first[-1] == f"sum\n= {output[0, 0]:.0f}"


def test_the_pooling_and_scatter_frames_draw_their_windows():
    image = np.arange(36).reshape(6, 6) % 7
    with matplotlib.rc_context(animation._RC):
        pooling = animation.pooling_frames(image, 2)
        scatter = animation.scatter_frames(np.ones((3, 3)), np.ones((3, 3)), stride=2)
    windows = animation.pooling_windows(image.shape, 2)
    for fig, window in zip(pooling, windows.windows, strict=True):
        read = {cell for cell, state in _cells(fig, "input").items() if state == "read"}
        assert read == {(t.row, t.col) for t in window.taps}
    targets = animation.scatter_targets((3, 3), (3, 3), stride=2).targets
    for fig, source in zip(scatter, sorted(targets), strict=False):
        assert [cell for cell, state in _cells(fig, "input").items() if state == "current"] == [source]
        landing = {cell for cell, state in _cells(fig, "output").items() if state == "landing"}
        assert landing == {(t.row, t.col) for t in targets[source]}
    assert "1, 2, 4 adds" in scatter[-1].texts[0].get_text()  # the uneven overlap: the checkerboard


def test_every_cell_keeps_its_role_colour():
    windows = animation.correlation_windows((5, 5), (3, 3), padding="same", stride=2)
    with matplotlib.rc_context(animation._RC):
        fig = animation.sliding_window_frames(windows)[1]
    colours = {"input": "input", "padding": "padding", "read": "kernel", "current": "output", "done": "output_done"}
    for patch in fig.axes[0].patches:
        if patch.get_gid():
            state = patch.get_gid().split()[-1]
            if state in colours:
                assert matplotlib.colors.to_hex(patch.get_facecolor()) == animation.PALETTE[colours[state]].lower()


# --------------------------------------------------------------------------
# The stored GIFs


def test_the_stored_animations_are_exactly_the_defined_ones():
    stored = {p.stem for p in (ROOT / "notebooks" / "animations").glob("*")}
    assert stored == set(animation.ANIMATIONS), "run python tools/make_animations.py"
    sizes = {p.name: p.stat().st_size for p in (ROOT / "notebooks" / "animations").glob("*.gif")}
    assert max(sizes.values()) < 150_000, sizes  # each small enough for a notebook page


def test_check_reports_a_stale_or_missing_file(tmp_path, monkeypatch, capsys):
    tool = _load_tool()
    monkeypatch.setattr(tool, "FOLDER", tmp_path)
    assert tool.main(["--check", "--only", "padding_valid_05"]) == 1
    assert "missing" in capsys.readouterr().out
    assert tool.main(["--only", "padding_valid_05"]) == 0  # writes it
    path = tmp_path / "padding_valid_05.gif"
    path.write_bytes(path.read_bytes()[:-1] + b"!")
    assert tool.main(["--check", "--only", "padding_valid_05"]) == 1
    assert "stale" in capsys.readouterr().out


# --------------------------------------------------------------------------
# Hostile arguments (issue 24, second round): named, and refused before anything is probed or allocated


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: animation.render_animation(["loop_02"]), TypeError, "name must be one of"),
        (lambda: animation.channel_windows((4, 4), (3, 3)), TypeError, "input_shape must be"),
        (lambda: animation.channel_windows((4, 4, 0), (3, 3)), ValueError, "channels must be at least 1"),
        (lambda: animation.channel_windows((-4, 4, 1), (3, 3)), ValueError, "input_shape must be at least 1"),
        (lambda: animation.channel_windows((4.5, 4, 1), (3, 3)), TypeError, "input_shape must be an int"),
        (lambda: animation.channel_windows((4, 4, 9), (3, 3)), ValueError, "channels must be at most"),
        (lambda: animation.pooling_windows((3000, 3000), 2), ValueError, "input_shape must be at most"),
        (lambda: animation.correlation_windows((20000, 20000), (3, 3)), ValueError, "input_shape must be at most"),
        (lambda: animation.correlation_windows((5, 5), (400, 400)), ValueError, "kernel_shape must be at most"),
        (lambda: animation.scatter_targets((300, 300), (3, 3)), ValueError, "input_shape must be at most"),
    ],
)
def test_probing_functions_name_a_bad_or_oversized_argument_at_once(call, error, words):
    import time

    started = time.monotonic()
    with pytest.raises(error, match=words):
        call()
    assert time.monotonic() - started < 1


def test_gif_bytes_names_frames_that_are_not_figures():
    with pytest.raises(TypeError, match="frames must hold Matplotlib figures, got int at index 0"):
        animation.gif_bytes([1, 2])
    with pytest.raises(ValueError, match="frames is empty"):
        animation.gif_bytes(iter([]))


def test_make_animations_never_leaves_a_half_written_gif(tmp_path, monkeypatch):
    from helpers import images

    tool = _load_tool()
    monkeypatch.setattr(tool, "FOLDER", tmp_path)
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    (tmp_path / "padding_valid_05.gif").write_bytes(b"old, whole")

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(images.os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        tool.main(["--only", "padding_valid_05"])
    assert (tmp_path / "padding_valid_05.gif").read_bytes() == b"old, whole"
    assert [p.name for p in tmp_path.iterdir()] == ["padding_valid_05.gif"]


def test_make_animations_writes_files_readable_as_before(tmp_path, monkeypatch):
    import os

    tool = _load_tool()
    monkeypatch.setattr(tool, "FOLDER", tmp_path)
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    assert tool.main(["--only", "padding_valid_05"]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "padding_valid_05.gif").stat().st_mode & 0o777 == 0o666 & ~umask
