"""The grids behind notebook 05's claims (borders, strides, dilation), moved out of the notebook.

Notebook 05 shows each idea on one small example with a short assert; the
sweeps that back its general statements run here:

* the output-size formula, ``helpers.output_size`` and ``helpers.correlate2d``
  agree with ``tf.nn.conv2d`` on every combination of odd and even image
  and kernel sizes, stride, dilation (stride > 1 with dilation > 1 included)
  and padding, and ``'VALID'`` with a kernel wider than the image is refused
  by both;
* strided convolutions on batches of two images match (the configurations
  where oneDNN went wrong, see ``helpers/quiet_tensorflow.py``);
* every border mode equals numpy.pad under numpy's name, then ``'valid'``;
* with oneDNN on (one subprocess for all three tests), TensorFlow gets strided
  batches wrong (on CPUs where oneDNN runs its AVX-512 kernels; elsewhere
  that test is skipped, saying why), returns leftover memory for a kernel
  wider than the image, and accepts a dilated ``conv2d_transpose``: the three
  ways its results differ from the oneDNN-off ones the notebook shows;
* notebook 05 runs top to bottom with oneDNN limited to its AVX2 kernels, as
  on a CPU without AVX-512 (its oneDNN cell reports the bug, asserts nothing);
* the middle column of its stride-and-dilation table: what each function's
  installed documentation says about stride with dilation (the values are
  checked in the notebook and in ``tests/test_against_tensorflow.py``).

Everything else here runs with oneDNN off, as the course does.
"""

from __future__ import annotations

import itertools
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import helpers

tf = helpers.import_tensorflow()

TOLERANCE = 1e-4
RNG_SEED = 5  # the notebook's number

# Image rows run 5..12 while columns run back 12..5, so every image is oblong and
# both axes meet odd and even sizes; kernels do the same from 1x7 to 7x1.
IMAGE_ROWS, IMAGE_SIDES_SUM = range(5, 13), 17
KERNEL_ROWS, KERNEL_SIDES_SUM = range(1, 8), 8
STEPS = (1, 2, 3)  # strides and dilations
PADDINGS = ("SAME", "VALID")


def formula(n: int, k: int, p_total: int, stride: int, dilation: int) -> int:
    """The notebook's output-size formula: floor((n + p_total - d(k - 1) - 1) / s) + 1, at least 0."""
    return max((n + p_total - dilation * (k - 1) - 1) // stride + 1, 0)


def same_total(n: int, k: int, stride: int, dilation: int) -> int:
    """TensorFlow's 'SAME': just enough zeros (before and after together) to keep ceil(n / stride) outputs."""
    return max((-(-n // stride) - 1) * stride + dilation * (k - 1) + 1 - n, 0)


def _arrays():
    rng = np.random.default_rng(RNG_SEED)
    images = {n: rng.standard_normal((n, IMAGE_SIDES_SUM - n)).astype(np.float32) for n in IMAGE_ROWS}
    kernels = {k: rng.standard_normal((k, KERNEL_SIDES_SUM - k)).astype(np.float32) for k in KERNEL_ROWS}
    return images, kernels


IMAGES, KERNELS = _arrays()
GRID = list(itertools.product(IMAGE_ROWS, KERNEL_ROWS, STEPS, STEPS, PADDINGS))


def test_the_grid_has_every_combination():
    assert len(GRID) == 8 * 7 * 3 * 3 * 2 == 1008
    assert sum(1 for *_, s, d, _ in GRID if s > 1 and d > 1) == 448


@pytest.mark.parametrize("stride", STEPS)
@pytest.mark.parametrize("dilation", STEPS)
def test_output_size_and_values_match_tf_conv2d(stride, dilation):
    """One test per (stride, dilation): every image, kernel and padding; shapes by three routes, then values."""
    compared = refused = 0
    for n, k, _, _, padding in (c for c in GRID if c[2:4] == (stride, dilation)):
        x, w = IMAGES[n], KERNELS[k]
        options = {"padding": padding.lower(), "stride": stride, "dilation": dilation}
        shape = []
        for length, width in zip(x.shape, w.shape, strict=True):
            p_total = same_total(length, width, stride, dilation) if padding == "SAME" else 0
            shape.append(formula(length, width, p_total, stride, dilation))
            assert shape[-1] == helpers.output_size(length, width, **options), (n, k, stride, dilation, padding)
        if padding == "SAME":
            assert shape == [-(-length // stride) for length in x.shape]
        args = (x[None, :, :, None], w[:, :, None, None], stride, padding)
        if min(shape) == 0:  # the dilated kernel is wider than the image: no output
            with pytest.raises(ValueError, match="larger than the padded image"):
                helpers.correlate2d(x, w, **options)
            # TensorFlow (oneDNN off) computes (n - span + s) / s, truncated towards zero: below 0 it refuses,
            # at 0 it returns an empty array (a window that overhangs by less than two strides)
            truncated = [
                int((length - (dilation * (width - 1) + 1) + stride) / stride)
                for length, width in zip(x.shape, w.shape, strict=True)
            ]
            if min(truncated) < 0:
                with pytest.raises(tf.errors.InvalidArgumentError):
                    tf.nn.conv2d(*args, dilations=dilation)
            else:
                assert tf.nn.conv2d(*args, dilations=dilation).shape[1:3] == tuple(truncated)
            refused += 1
            continue
        theirs = tf.nn.conv2d(*args, dilations=dilation).numpy()[0, :, :, 0]
        ours = helpers.correlate2d(x, w, **options)
        assert theirs.shape == ours.shape == tuple(shape), (n, k, stride, dilation, padding)
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOLERANCE, err_msg=str((n, k, stride, dilation)))
        compared += 1
    assert compared + refused == len(IMAGE_ROWS) * len(KERNEL_ROWS) * len(PADDINGS)
    assert compared > 0


BATCH_IMAGE_SIZES = [(2, 3), (3, 3), (3, 4), (4, 3)]
BATCH_PAIRS = [(1, 2), (2, 1), (2, 2)]  # kernel shapes and strides


@pytest.mark.parametrize("padding", PADDINGS)
def test_strided_batches_of_two_match_tf_conv2d(padding):
    """The configurations in which TensorFlow 2.21 with oneDNN on returned wrong values (the course turns it off)."""
    rng = np.random.default_rng(RNG_SEED)
    for size, kernel_shape, stride in itertools.product(BATCH_IMAGE_SIZES, BATCH_PAIRS, BATCH_PAIRS):
        batch = rng.standard_normal((2, *size, 1)).astype(np.float32)
        filters = rng.standard_normal((*kernel_shape, 1, 1)).astype(np.float32)
        theirs = tf.nn.conv2d(batch, filters, stride, padding).numpy()
        ours = helpers.correlate2d(batch, filters, padding=padding.lower(), stride=stride)
        assert theirs.shape == ours.shape, (size, kernel_shape, stride)
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOLERANCE, err_msg=str((size, kernel_shape, stride)))


@pytest.mark.parametrize("size", [3, 4, 5])
@pytest.mark.parametrize("mode", sorted(helpers.BORDER_MODES))
def test_border_mode_is_numpy_pad_then_valid(mode, size):
    """Each row of helpers.BORDER_MODES: pad with numpy's name, correlate 'valid'; odd kernels also equal scipy."""
    import scipy.ndimage

    rng = np.random.default_rng(size)
    x, kernel = rng.standard_normal((7, 9)), rng.standard_normal((size, size))
    widths = ((size - 1) // 2, size // 2)  # 'same' puts an even kernel's extra row and column after the image
    padded = np.pad(x, (widths, widths), mode=helpers.BORDER_MODES[mode]["numpy"])
    ours = helpers.correlate2d(x, kernel, mode=mode)
    np.testing.assert_allclose(ours, helpers.correlate2d(padded, kernel, padding="valid"), rtol=0, atol=1e-12)
    if size % 2:
        np.testing.assert_allclose(ours, scipy.ndimage.correlate(x, kernel, mode=mode), rtol=0, atol=1e-12)


def test_letter_diagrams_are_what_numpy_pad_draws():
    letters = np.array(list("abcd"))
    for mode, names in helpers.BORDER_MODES.items():
        left, middle, right = (part.split() for part in names["diagram"].split(" | "))
        fill = {"constant_values": "k"} if mode == "constant" else {}
        padded = np.pad(letters, (len(left), len(right)), mode=names["numpy"], **fill)
        assert padded.tolist() == left + middle + right, mode


# TensorFlow with oneDNN on, in a fresh process (oneDNN can only be switched on before TensorFlow is imported).
# It loads only TensorFlow's core and the two ops behind tf.nn.conv2d and tf.nn.conv2d_transpose: an empty
# stand-in for the tensorflow package skips its __init__ (the public API and Keras), so the process starts several
# times faster (1-2 s against 6-13 s for a full import, measured side by side on the course machine under load).
# The ops, and so the oneDNN kernels they run, are the ones tf.nn.conv2d and tf.nn.conv2d_transpose call.
ONEDNN_RUN = """
import importlib.util
import sys
import types

package = types.ModuleType("tensorflow")
package.__path__ = importlib.util.find_spec("tensorflow").submodule_search_locations
sys.modules["tensorflow"] = package

import numpy as np
from tensorflow.python.framework import constant_op, ops
from tensorflow.python.ops import gen_nn_ops

ops.enable_eager_execution()
inputs = np.load(sys.argv[1], allow_pickle=True)
outputs = {}
for i, (x, k, stride, padding) in enumerate(inputs["cases"]):
    outputs[f"case {i}"] = gen_nn_ops.conv2d(constant_op.constant(x), constant_op.constant(k), [1, *stride, 1], padding)
ones = np.ones((1, 3, 3, 1), np.float32), np.ones((4, 4, 1, 1), np.float32)
outputs["kernel wider than the image"] = gen_nn_ops.conv2d(*map(constant_op.constant, ones), [1, 1, 1, 1], "VALID")
for stride, gradient in zip((2, 1), (inputs["gradient 2"], inputs["gradient 1"])):
    outputs[f"transpose, stride {stride}"] = gen_nn_ops.conv2d_backprop_input(
        constant_op.constant(np.array(TRANSPOSE_SHAPE, np.int32)),
        constant_op.constant(inputs["weights"]),
        constant_op.constant(gradient),
        [1, stride, stride, 1],
        "VALID",
        dilations=[1, 2, 2, 1],
    )
np.savez(sys.argv[2], **{name: out.numpy() for name, out in outputs.items()})
"""
TRANSPOSE_SHAPE = (1, 11, 11, 2)  # the notebook's 11x11 image with two channels


def _onednn_cases():
    """Small configurations: batches of 1 to 3, kernels of 1 or 2 taps, strides 1-3 along each axis."""
    rng = np.random.default_rng(RNG_SEED)
    cases = []
    for n, h, w, kh, kw, stride, padding in itertools.product(
        (1, 2, 3), (2, 3), (3, 4), (1, 2), (1, 2), [(1, 1), (1, 2), (2, 1), (2, 2), (1, 3)], PADDINGS
    ):
        x = rng.standard_normal((n, h, w, 1)).astype(np.float32)
        k = rng.standard_normal((kh, kw, 1, 1)).astype(np.float32)
        cases.append((x, k, stride, padding))
    return cases


def _direction(stride: tuple[int, int]) -> str:
    if stride[0] == 1 < stride[1]:
        return "width only"
    if stride[1] == 1 < stride[0]:
        return "height only"
    return "both" if stride[0] > 1 else "none"


def _transposed(gradient: np.ndarray, weights: np.ndarray, stride: int, dilation: int) -> np.ndarray:
    """conv2d_transpose by its definition: each input pixel adds its weighted, dilated kernel back at its window."""
    out = np.zeros(TRANSPOSE_SHAPE)
    kh, kw = weights.shape[:2]
    for (_, i, j, o), value in np.ndenumerate(gradient):
        for a, b in itertools.product(range(kh), range(kw)):
            out[0, i * stride + a * dilation, j * stride + b * dilation, :] += value * weights[a, b, :, o]
    return out


@pytest.fixture(scope="module")
def onednn_results(tmp_path_factory):
    """Everything the oneDNN tests need from TensorFlow with oneDNN on, from one subprocess."""
    rng = np.random.default_rng(RNG_SEED)
    cases = _onednn_cases()
    transpose_inputs = {
        "weights": rng.standard_normal((3, 3, 2, 1)).astype(np.float32),
        "gradient 2": rng.standard_normal((1, 4, 4, 1)).astype(np.float32),  # stride 2, dilation 2: 4x4 from 11x11
        "gradient 1": rng.standard_normal((1, 7, 7, 1)).astype(np.float32),  # stride 1, dilation 2: 7x7 from 11x11
    }
    folder = tmp_path_factory.mktemp("onednn")
    inputs, outputs = folder / "inputs.npz", folder / "outputs.npz"
    np.savez(inputs, cases=np.array(cases, dtype=object), **transpose_inputs)
    environment = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    script = f"TRANSPOSE_SHAPE = {TRANSPOSE_SHAPE}\n{ONEDNN_RUN}"
    process = subprocess.run(
        [sys.executable, "-c", script, str(inputs), str(outputs)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert process.returncode == 0, f"TensorFlow with oneDNN on failed:\n{process.stderr[-2000:]}"
    with np.load(outputs) as results:
        returned = dict(results)
    return cases, transpose_inputs, returned


ON_X86 = platform.machine().lower() in ("x86_64", "amd64")
needs_onednn = pytest.mark.skipif(not ON_X86, reason="oneDNN is TensorFlow's x86 path")


@needs_onednn
def test_onednn_gets_only_batches_strided_along_the_width_wrong(onednn_results):
    """Notebook 05's 'Trust but verify': with oneDNN on, TensorFlow 2.21's conv2d goes wrong on batches of two or
    more images with a stride along the width only, and nowhere else in this grid. If an upgrade fixes the bug,
    this test fails: then update the notebook and helpers/quiet_tensorflow.py."""
    cases, _, returned = onednn_results
    wrong, tried = set(), set()
    for i, (x, k, stride, padding) in enumerate(cases):
        key = (f"batch {x.shape[0]}", f"stride along {_direction(stride)}")
        tried.add(key)
        ours = helpers.correlate2d(x, k, padding=padding.lower(), stride=stride)
        result = returned[f"case {i}"]
        if result.shape != ours.shape or not np.allclose(result, ours, atol=TOLERANCE):
            wrong.add(key)
    assert len(tried) == 3 * 4  # every (batch size, stride direction) pair was tried
    if not wrong:
        pytest.skip(
            "the strided-batch bug does not reproduce on this CPU: oneDNN picks its kernels for the CPU it finds, "
            "and the bug is in its AVX-512 ones (with ONEDNN_MAX_CPU_ISA=AVX2 the same calls give the right values)"
        )
    # batches of three go wrong as well as batches of two: "two or more" is measured, not guessed
    assert wrong == {("batch 2", "stride along width only"), ("batch 3", "stride along width only")}


@needs_onednn
def test_onednn_returns_an_array_for_a_kernel_wider_than_the_image(onednn_results):
    """With oneDNN off, a 4x4 kernel on a 3x3 image under 'VALID' gives an empty array; with it on, an array of
    leftover memory (notebook 05, Output size and Trust but verify)."""
    *_, returned = onednn_results
    assert tf.nn.conv2d(tf.ones((1, 3, 3, 1)), tf.ones((4, 4, 1, 1)), 1, "VALID").shape == (1, 0, 0, 1)
    assert returned["kernel wider than the image"].size > 0


@needs_onednn
def test_onednn_conv2d_transpose_accepts_dilation(onednn_results):
    """With oneDNN off, conv2d_transpose refuses dilation 2 at stride 2 and 1
    (test_against_tensorflow.test_stride_with_dilation_what_each_tensorflow_function_does); with it on, it computes
    the definition."""
    _, inputs, returned = onednn_results
    for stride in (2, 1):
        expected = _transposed(inputs[f"gradient {stride}"], inputs["weights"], stride, dilation=2)
        np.testing.assert_allclose(returned[f"transpose, stride {stride}"], expected, rtol=0, atol=TOLERANCE)


@needs_onednn
def test_notebook_05_runs_with_onednn_limited_to_avx2(monkeypatch):
    """Notebook 05 top to bottom (no output comparison) with ONEDNN_MAX_CPU_ISA=AVX2, which makes oneDNN use the
    kernels it picks on an x86 CPU without AVX-512; there the strided-batch bug does not reproduce, and the
    notebook must still run to its end."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    path = Path(__file__).resolve().parent.parent / "notebooks" / "05_borders_strides_dilation.ipynb"
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")  # the kernel, and the oneDNN process it starts, inherit it
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    reports = [
        line
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        for line in output.get("text", "").splitlines()
        if "strided-batch bug" in line
    ]
    assert reports == ["on this CPU, the strided-batch bug does not reproduce with oneDNN on"]


def _words(text: str | None) -> str:
    """A docstring on one line, runs of white space made single spaces."""
    return " ".join((text or "").split())


RESTRICTIONS = ("must be equal to 1", "must be 1", "not supported", "incompatible")

#: Notebook 05's table: which phrase each function's documentation uses about stride > 1 with dilation > 1.
DOCUMENTED = {
    "tf.nn.convolution": "output striding is not supported for atrous convolutions",
    "keras.layers.Conv2D": "`strides > 1` is incompatible with `dilation_rate > 1`",
    "tf.nn.depthwise_conv2d": "all values in the `strides` tensor must be equal to 1",
    "keras.layers.DepthwiseConv2D": "`strides > 1` is incompatible with `dilation_rate > 1`",
    "tf.nn.separable_conv2d": "all values in the `strides` tensor must be equal to 1",
    "keras.layers.SeparableConv2D": "`strides > 1` is incompatible with `dilation_rate > 1`",
}


def _documented(name: str):
    module, attribute = name.rsplit(".", 1)
    return getattr(tf.keras.layers if module == "keras.layers" else tf.nn, attribute)


@pytest.mark.parametrize("name", DOCUMENTED)
def test_documentation_calls_stride_with_dilation_unsupported(name):
    """The quotation in notebook 05's table is in the installed docstring (TensorFlow 2.21, Keras 3)."""
    assert DOCUMENTED[name] in _words(_documented(name).__doc__), name


@pytest.mark.parametrize("name", ["tf.nn.conv2d", "tf.nn.conv2d_transpose"])
def test_documentation_states_no_restriction(name):
    """The table's "no restriction": the docstring speaks of dilation, and only to say batch and depth stay at 1."""
    text = _words(_documented(name).__doc__)
    assert "dilation" in text
    assert "incompatible" not in text and "not supported" not in text
    sentences = [s for s in text.split(". ") if "dilation" in s.lower() and any(r in s for r in RESTRICTIONS)]
    assert sentences == ["Dilations in the batch and depth dimensions if a 4-d tensor must be 1"], sentences


def test_the_stated_time_of_notebook_05_counts_what_it_holds():
    """ "Time to learn" names the words, lesson code cells, animations and figures it was measured from: current."""
    import re

    import nbformat

    notebook = Path(__file__).resolve().parent.parent / "notebooks" / "05_borders_strides_dilation.ipynb"
    cells = nbformat.read(notebook, as_version=4).cells
    stated = re.search(
        r"some ([\d,]+) words .* the (\d+) code cells, (\d+) animations and (\d+) figures",
        " ".join(cells[2].source.split()),
    )
    markdown = [c.source for c in cells if c.cell_type == "markdown" and "navigation:" not in c.source]
    exercises = next(i for i, text in enumerate(markdown) if "## Exercises" in text)
    summary = next(text for text in markdown if "## Summary" in text).split("## References")[0]
    words = sum(len(text.split()) for text in markdown[:exercises]) + len(summary.split())
    lesson = [
        c
        for c in cells
        if c.cell_type == "code" and "check" not in c.metadata.get("tags", []) and ".check(" not in c.source
    ]
    figures = [c for c in lesson if any("image/png" in o.get("data", {}) for o in c.outputs)]
    animations = sum(text.count("](animations/") for text in markdown)
    assert abs(words - int(stated[1].replace(",", ""))) < 150, words
    assert tuple(int(n) for n in stated.groups()[1:]) == (len(lesson), animations, len(figures))
    assert len(cells) <= 60


@pytest.mark.parametrize(
    ("arrays", "titles", "frame", "named"),
    [
        ([np.ones((2, 2))], [], None, "titles"),
        ([np.ones(3)], ["a row"], None, r"arrays\[0\]"),
        ([np.ones((2, 2)), np.ones((0, 2))], ["a", "b"], None, r"arrays\[1\]"),
        ([np.ones((2, 2))], ["a"], (0, 0, 1), "frame"),
        ([np.ones((2, 2))], ["a"], (0, 0, 1.5, 1), "frame"),
        ([np.ones((2, 2))], ["a"], (0, 0, 0, 1), "frame"),
    ],
)
def test_show_numbered_refuses_bad_input_by_name(arrays, titles, frame, named):
    from helpers.figures import nb05 as nb05_figures

    with pytest.raises(ValueError, match=named):
        nb05_figures.show_numbered(arrays, titles, frame=frame)
