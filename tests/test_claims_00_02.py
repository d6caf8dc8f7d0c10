"""Claims of notebooks 00-02 checked here instead of in the lesson cells.

Each test would fail if the sentence it backs stopped being true: the strict
environment check that 00 only warns about, the search that chose 01's crop,
NumPy 2's uint8 rules as 01 states them, and the sweeps behind 02's padding
rule, its comparisons with SciPy and its kernel-flip claims.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import platform
import re
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
import scipy.ndimage
from skimage import data

import helpers
import helpers.exercises
import helpers.fast
from helpers.exercises import nb01, nb02
from helpers.figures.nb02 import show_value_grids

ROOT = Path(__file__).resolve().parent.parent
TESTED_PYTHON = (3, 11)
ON_X86_64 = platform.machine().lower() in ("x86_64", "amd64")


def stand_in_gray() -> np.ndarray:
    """The image every stored output was made with."""
    return helpers.to_grayscale(data.chelsea())


# --------------------------------------------------------------------------
# 00_start_here: the strict version of the environment check, and the sentences about the course


def test_every_pinned_package_is_installed_at_its_pin():
    from packaging.markers import Marker

    lines = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)(?: *; *(.+))?$", (ROOT / "requirements.txt").read_text(), flags=re.M)
    # a pin with an environment marker (tbb: x86-64 Linux and Windows only) counts where the marker holds
    pins = {name: pin for name, pin, marker in lines if not marker or Marker(marker).evaluate()}
    assert len(pins) > 10 and "numpy" in pins
    assert any(marker for _, _, marker in lines) and all(";" not in pin for _, pin, _ in lines)

    def installed(name):
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    differences = {name: installed(name) for name, pin in pins.items() if installed(name) != pin}
    assert not differences, f"installed versions differ from requirements.txt: {differences}"


def test_python_is_the_tested_version():
    # A report, not a failure (issue 19): the pins install on 3.12 and 3.13 as well, and a learner
    # there should see a passing suite. The skip's reason says which Python ran.
    tested = ".".join(map(str, TESTED_PYTHON))
    here = ".".join(map(str, sys.version_info[:2]))
    if sys.version_info[:2] != TESTED_PYTHON:
        pytest.skip(f"running on Python {here}; the course is tested on Python {tested} (README)")
    # the places that name the tested version name this one
    assert f"Tested on Python {tested}" in (ROOT / "README.md").read_text(encoding="utf-8")
    notebook = json.loads((ROOT / "notebooks" / "00_start_here.ipynb").read_text(encoding="utf-8"))
    assert any(f'TESTED_PYTHON = "{tested}"' in "".join(cell["source"]) for cell in notebook["cells"])


def test_the_helpers_named_in_00_exist():
    text = (ROOT / "notebooks" / "00_start_here.ipynb").read_text(encoding="utf-8")
    named = ["correlate2d_loop", "correlate2d", "convolve2d", "KERNELS", "load_lion", "to_grayscale"]
    named += ["show_images", "import_tensorflow"]
    for name in named:
        assert f"`{name}`" in text, f"00 no longer names {name}"
        assert name in helpers.__all__, f"00 says helpers holds {name}, but it does not"


def _names_exported_by(module_file: Path) -> set[str]:
    """The names a TensorFlow API file exports: its generated lines read ``from X import NAME # line: N``."""
    text = module_file.read_text(encoding="utf-8")
    return set(re.findall(r"^from \S+ import (\w+)(?: as \w+)?\s*(?:#.*)?$", text, flags=re.M))


def test_the_post_tensorflow_1_names_are_gone_from_tensorflow_2():
    # Reads TensorFlow's generated API files instead of importing it (the import alone takes seconds).
    spec = importlib.util.find_spec("tensorflow")
    assert spec is not None and spec.origin, "TensorFlow is not installed"
    package = Path(spec.origin).parent
    top_level = _names_exported_by(package / "__init__.py")
    compat_v1 = _names_exported_by(package / "_api" / "v2" / "compat" / "v1" / "__init__.py")
    # The parse works: names the post used that TensorFlow 2 still has, and the TF1 names under compat.v1.
    assert {"Graph", "Variable"} <= top_level, "the layout of TensorFlow's API files changed: update this test"
    assert {"Session", "initialize_all_variables", "Graph"} <= compat_v1
    for name in ("Session", "initialize_all_variables"):
        assert name not in top_level, f"tf.{name} exists again: 00's errata row on TF1-only code is wrong"


def test_00s_environment_check_lists_every_pinned_package_the_notebooks_import():
    # 00 prints the packages "a notebook imports, directly or through the helpers": every pinned
    # distribution imported by a notebook's code or by a helpers module (some import lazily) is there.
    from importlib.metadata import packages_distributions

    notebook = json.loads((ROOT / "notebooks" / "00_start_here.ipynb").read_text(encoding="utf-8"))
    sources = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    (listed,) = [
        re.search(r"COURSE_PACKAGES = (\[.*?\])", s, flags=re.S).group(1) for s in sources if "COURSE_PACKAGES =" in s
    ]
    listed = set(ast.literal_eval(listed))
    code = [path.read_text(encoding="utf-8") for path in (ROOT / "helpers").rglob("*.py")]
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code += ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    modules = set()
    for text in code:
        for dotted in re.findall(r"^\s*(?:from|import)\s+([A-Za-z_][\w.]*)", text, flags=re.M):
            parts = dotted.split(".")
            modules.update(".".join(parts[:n]) for n in (1, 2))  # dask.distributed comes from distributed
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / "requirements.txt").read_text(), flags=re.M))
    owners = packages_distributions()
    needed = set()
    for module in modules:
        for name in owners.get(module.split(".")[-1] if module.startswith("dask.") else module, []):
            if name in pins:
                needed.add(name)
    assert {"numpy", "tensorflow", "numba", "distributed", "ipyevents"} <= needed  # the search finds them
    assert needed <= listed, f"00's environment check misses {sorted(needed - listed)}"
    assert listed <= set(pins), f"00 lists packages requirements.txt does not pin: {sorted(listed - set(pins))}"


POST_KERNELS = ["identity", "edge_1", "edge_2", "edge_3", "sharpen", "unsharp_5x5", "box_blur", "gaussian_blur_3x3"]


def test_every_kernel_the_post_used_is_unchanged_by_a_half_turn():
    # 00's errata row 3: naming correlation "convolution" did not change the post's numbers
    for name in POST_KERNELS:
        kernel = helpers.KERNELS[name]
        assert np.array_equal(kernel, kernel[::-1, ::-1]), name
    assert not np.array_equal(helpers.KERNELS["sobel_x"], helpers.KERNELS["sobel_x"][::-1, ::-1])


# --------------------------------------------------------------------------
# 01_images_as_arrays: the crop, and NumPy 2's uint8 rules


def test_the_five_floats_01_stores_are_the_nonzero_products_of_02s_example():
    patch = np.array([[2, 1, 7], [0, 2, 9], [3, 1, 8]])  # 02's X[1:4, 1:4]
    kernel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])  # 02's K
    products = (patch * kernel).ravel()
    assert list(products[products != 0]) == [2, -7, -18, 3, -8] and products.sum() == -28


def test_the_crop_is_the_ten_by_ten_block_that_varies_most():
    image = stand_in_gray().astype(np.int64)
    size = 10
    height, width = image.shape
    blocks = image[: height // size * size, : width // size * size].reshape(height // size, size, width // size, size)
    spread = size * size * (blocks**2).sum(axis=(1, 3)) - blocks.sum(axis=(1, 3)) ** 2  # n^2 times the variance
    block_row, block_col = np.unravel_index(np.argmax(spread), spread.shape)
    assert (block_row * size, block_col * size) == (110, 130)


def test_the_crop_drops_from_about_150_to_about_30():
    crop = stand_in_gray()[110:120, 130:140].astype(float)
    assert 140 <= crop[:, :3].mean() <= 160
    assert 25 <= crop.min() <= 35


def test_a_python_int_keeps_uint8_and_wraps():
    pixels = np.array([250], dtype=np.uint8)
    assert (pixels + 10).dtype == np.uint8 and (pixels + 10)[0] == 4
    assert (np.array([10], dtype=np.uint8) - 20)[0] == 246
    with pytest.raises(OverflowError, match="out of bounds for uint8"):
        _ = pixels + 300


def test_a_numpy_scalar_or_a_python_float_brings_its_own_dtype():
    pixels = np.array([250], dtype=np.uint8)
    assert (pixels + np.int64(10)).dtype == np.int64 and (pixels + np.int64(10))[0] == 260
    assert (pixels + 10.0).dtype == np.float64 and (pixels + 10.0)[0] == 260.0


def test_storing_into_a_uint8_array():
    output = np.zeros(4, dtype=np.uint8)
    output[0] = 2.9
    output[1] = np.int64(-28)
    assert output[0] == 2 and output[1] == 228  # cut off; integer casts wrap modulo 256
    for python_number in (-28, -28.0, 300):
        with pytest.raises(OverflowError):
            output[2] = python_number
    output[3] = np.float64(-28.0)  # no error: the value is whatever the C conversion gives
    assert isinstance(np.sum(np.array([2.0, -30.0])), np.float64)


def test_01s_summary_python_numbers_raise_and_numpy_floats_are_stored_silently():
    # 01's summary: a Python int or float that does not fit raises; a NumPy float is stored with no error
    output = np.zeros(3, dtype=np.uint8)
    for python_number in (-28, -28.0, 256, 300.0):
        with pytest.raises(OverflowError, match="out of bounds for uint8"):
            output[0] = python_number
    output[1] = 2.9  # a Python fraction that fits after cutting off is stored, cut off
    assert output[1] == 2
    with np.errstate(all="raise"):  # no FloatingPointError: no warning for -28 or 300 either
        output[2] = np.float64(-28.0)
        output[2] = np.float32(300.0)


def test_every_convolution_function_returns_float64_for_uint8_input():
    # 01: "Every convolution function in the course returns float64"
    image = np.arange(7 * 9, dtype=np.uint8).reshape(7, 9)
    kernel = helpers.KERNELS["sobel_x"]
    results = {
        "correlate2d_loop": helpers.correlate2d_loop(image, kernel),
        "convolve2d": helpers.convolve2d(image, kernel),
        "depthwise_correlate2d": helpers.depthwise_correlate2d(
            np.stack([image] * 2, axis=-1), np.stack([kernel] * 2, -1)[..., None]
        ),
        "transposed_correlate2d": helpers.transposed_correlate2d(image, kernel, stride=2),
    }
    for method in helpers.fast.METHODS:
        if method == "compiled" and not helpers.fast.numba_available():
            continue
        if method == "separable":
            results["correlate2d separable"] = helpers.correlate2d(image, helpers.KERNELS["box_blur"], method=method)
            continue
        results[f"correlate2d {method}"] = helpers.correlate2d(image, kernel, method=method)
    for name, result in results.items():
        assert result.dtype == np.float64, name


@pytest.mark.skipif(not ON_X86_64, reason="out-of-range float casts are undefined; 01 states the x86-64 result")
def test_on_x86_64_out_of_range_floats_wrap_without_a_warning():
    output = np.zeros(2, dtype=np.uint8)
    with np.errstate(all="raise"):  # a RuntimeWarning would raise here
        output[0] = np.float64(-28.0)
        output[1] = np.float64(300.0)
        np.array([2.1e9, -2.1e9]).astype(np.uint8)  # still no warning just inside the int32 range (2**31)
    assert list(output) == [228, 44]
    with pytest.warns(RuntimeWarning, match="invalid value"):
        np.array([2.2e9]).astype(np.uint8)  # "NumPy warns only beyond about two billion"


# --------------------------------------------------------------------------
# 02_convolution_by_hand: padding, the comparisons, the kernel flip


def test_the_posts_padding_rule_agrees_with_the_right_one_only_for_3():
    assert [m for m in range(1, 200, 2) if m - 2 == (m - 1) // 2] == [3]


@pytest.mark.parametrize("m", [3, 5, 7, 9])
def test_padding_m_minus_1_over_2_keeps_the_size_and_m_minus_2_does_not(m):
    image = np.arange(6 * 9, dtype=float).reshape(6, 9)  # not square
    ones = np.ones((m, m))
    right = helpers.correlate2d(np.pad(image, (m - 1) // 2), ones, padding="valid")
    assert right.shape == image.shape
    post = helpers.correlate2d(np.pad(image, max(m - 2, 0)), ones, padding="valid")
    assert (post.shape == image.shape) == (m == 3)


def test_the_loop_the_fast_helper_and_scipy_agree_on_every_kernel():
    image = stand_in_gray()  # 02 compares four kernels on a 96 x 128 crop; here every kernel, on a smaller one
    top, left = (image.shape[0] - 48) // 2, (image.shape[1] - 64) // 2
    crop = image[top : top + 48, left : left + 64].astype(np.float64)
    for name, kernel in helpers.KERNELS.items():
        loop = helpers.correlate2d_loop(crop, kernel)
        np.testing.assert_allclose(loop, helpers.correlate2d(crop, kernel), rtol=0, atol=1e-9, err_msg=name)
        np.testing.assert_allclose(loop, scipy.ndimage.correlate(crop, kernel, mode="constant"), atol=1e-9)


def test_only_kernels_a_half_turn_changes_tell_correlation_from_convolution():
    image = np.random.default_rng(0).normal(size=(9, 11))
    symmetric = {name for name, k in helpers.KERNELS.items() if np.array_equal(k, k[::-1, ::-1])}
    assert {name for name in helpers.KERNELS if "blur" in name} <= symmetric
    assert set(helpers.KERNELS) - symmetric == {"sobel_x", "sobel_y", "emboss"}
    for name, kernel in helpers.KERNELS.items():
        same = np.allclose(helpers.convolve2d(image, kernel), helpers.correlate2d(image, kernel))
        assert same == (name in symmetric), name


@pytest.mark.parametrize("shape", [(3, 3), (3, 5), (5, 3)])
def test_an_impulse_draws_the_kernel_turned_under_correlation_and_as_written_under_convolution(shape):
    kernel = np.arange(1.0, 1.0 + shape[0] * shape[1]).reshape(shape)
    impulse = np.zeros((7, 9))
    impulse[3, 4] = 1
    rows = slice(3 - shape[0] // 2, 3 + shape[0] // 2 + 1)
    cols = slice(4 - shape[1] // 2, 4 + shape[1] // 2 + 1)
    np.testing.assert_array_equal(helpers.correlate2d_loop(impulse, kernel)[rows, cols], kernel[::-1, ::-1])
    np.testing.assert_array_equal(helpers.convolve2d(impulse, kernel)[rows, cols], kernel)


def test_wikipedias_sobel_gx_is_the_course_sobel_x_turned():
    gx = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])  # en.wikipedia.org/wiki/Sobel_operator, for convolution
    sobel_x = helpers.KERNELS["sobel_x"]
    np.testing.assert_array_equal(gx, -sobel_x)
    np.testing.assert_array_equal(gx[::-1, ::-1], sobel_x)
    image = np.random.default_rng(1).integers(0, 256, size=(6, 8)).astype(float)
    np.testing.assert_array_equal(helpers.convolve2d(image, gx), helpers.correlate2d(image, sobel_x))
    ramp = np.tile(np.arange(8.0), (6, 1))  # brighter to the right
    assert np.all(helpers.correlate2d(ramp, sobel_x, padding="valid") > 0)


def _shift(array, down, right):
    moved = np.zeros_like(array)
    moved[down:, right:] = array[: array.shape[0] - down, : array.shape[1] - right]
    return moved


@pytest.mark.parametrize("name", ["sobel_x", "sharpen", "emboss", "unsharp_5x5", "motion_blur"])
@pytest.mark.parametrize(("down", "right"), [(0, 1), (3, 0), (5, 7)])
def test_shift_then_correlate_equals_correlate_then_shift_away_from_the_borders(name, down, right):
    # 02's translation equivariance section, for kernels of every size in the gallery and other shifts
    kernel = helpers.KERNELS[name]
    reach_rows, reach_cols = kernel.shape[0] // 2, kernel.shape[1] // 2
    image = np.random.default_rng(3).integers(0, 256, size=(23, 31)).astype(np.float64)
    shift_first = helpers.correlate2d_loop(_shift(image, down, right), kernel)
    correlate_first = _shift(helpers.correlate2d_loop(image, kernel), down, right)
    inside = (
        slice(down + reach_rows, image.shape[0] - reach_rows),
        slice(right + reach_cols, image.shape[1] - reach_cols),
    )
    np.testing.assert_array_equal(shift_first[inside], correlate_first[inside])
    assert not np.array_equal(shift_first, correlate_first)  # near the edges they differ on a random image
    # 02's caption: the differences lie only just outside the moved picture and along the last rows and columns
    rows, cols = np.nonzero(shift_first - correlate_first)
    near_rows = ((down - reach_rows <= rows) & (rows < down)) | (rows >= image.shape[0] - reach_rows)
    near_cols = ((right - reach_cols <= cols) & (cols < right)) | (cols >= image.shape[1] - reach_cols)
    assert np.all(near_rows | near_cols)


def test_the_layer_sketch_in_02_matches_a_direct_sum_over_channels_with_bias_and_stride():
    # 02's Conv2D box: sum over input channels, plus a bias, every second position; checked by a plain loop
    rng = np.random.default_rng(4)
    channels = rng.normal(size=(3, 7, 9))
    kernels = rng.normal(size=(3, 3, 3))
    bias, stride = 0.25, 2
    summed = sum(helpers.correlate2d_loop(channels[c], kernels[c]) for c in range(3)) + bias
    padded = np.pad(channels, ((0, 0), (1, 1), (1, 1)))
    rows, cols = range(0, 7, stride), range(0, 9, stride)
    direct = np.array([[np.sum(padded[:, i : i + 3, j : j + 3] * kernels) + bias for j in cols] for i in rows])
    np.testing.assert_allclose(summed[::stride, ::stride], direct, rtol=0, atol=1e-12)
    assert direct.shape == (4, 5)


def test_a_box_blur_of_a_flat_image_darkens_its_border_as_exercise_6_answers():
    flat = helpers.correlate2d(np.full((6, 7), 100.0), helpers.KERNELS["box_blur"])  # zero padding
    np.testing.assert_allclose(flat[[0, 0, -1, -1], [0, -1, 0, -1]], 400 / 9)  # four of nine pixels real
    np.testing.assert_allclose(flat[0, 1:-1], 600 / 9)  # six of nine along an edge
    np.testing.assert_allclose(flat[1:-1, 1:-1], 100)


# --------------------------------------------------------------------------
# helpers.plotting.show_value_grids, which draws 02's grids


def test_show_value_grids_writes_every_value_and_the_symbols():
    fig = show_value_grids([[[1, -2], [3, 0]], [[5]]], ["a", "b"], between=["→"], outlines=[(0, 0, 1, 1), None])
    try:
        assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
        assert sorted(t.get_text() for t in fig.axes[0].texts) == ["-2", "0", "1", "3"]
        assert [t.get_text() for t in fig.texts] == ["→"]
        assert len(fig.axes[0].patches) == 1 and not fig.axes[1].patches
        assert not fig.axes[0].axison
    finally:
        plt.close(fig)


def test_show_value_grids_uses_one_colour_scale_unless_told_otherwise():
    grids = [[[1, -2]], [[0, 8]]]
    fig = show_value_grids(grids, ["a", "b"])
    separate = show_value_grids(grids, ["a", "b"], shared_colours=False)
    try:
        assert [ax.images[0].get_clim() for ax in fig.axes] == [(-16.0, 16.0)] * 2  # the same number, the same colour
        assert [ax.images[0].get_clim() for ax in separate.axes] == [(-4.0, 4.0), (-16.0, 16.0)]
    finally:
        plt.close(fig)
        plt.close(separate)
    with pytest.raises(TypeError, match="shared_colours"):
        show_value_grids(grids, ["a", "b"], shared_colours="yes")


@pytest.mark.parametrize(
    ("grids", "titles", "kwargs", "message"),
    [
        ([], [], {}, "grids is empty"),
        ([np.zeros((2, 2))], [], {}, "every grid needs a non-empty title"),
        ([np.zeros((2, 2))], [" "], {}, "every grid needs a non-empty title"),
        ([np.zeros(3)], ["a row"], {}, "non-empty 2-D array"),
        ([np.zeros((2, 2))] * 2, ["a", "b"], {"between": ["=", "="]}, "between needs 1 symbols"),
        ([np.zeros((2, 2))] * 2, ["a", "b"], {"outlines": [None]}, "outlines needs one entry per grid"),
    ],
)
def test_show_value_grids_refuses_bad_input(grids, titles, kwargs, message):
    with pytest.raises(ValueError, match=message):
        show_value_grids(grids, titles, **kwargs)


# --------------------------------------------------------------------------
# The exercises of 01 and 02 name the usual mistakes (tests/test_exercises.py checks that each is rejected)


def _verdict_of(exercise, answer, capsys) -> str:
    assert not exercise.check(answer)
    return capsys.readouterr().out


@pytest.mark.parametrize(
    ("key", "answer", "named"),
    [
        ("02.q1", (2, 6), "the rows are right"),
        ("02.q1", (3, 7), "the columns are right"),
        ("01.q3", lambda image: -image, "-image in uint8 wraps round"),
        ("01.q3", lambda image: image - 255, "wraps round to image + 1"),
        ("01.q3", lambda image: 256 - image.astype(np.int64), "256 - x is one too many"),
        ("01.q3", lambda image: image, "returned its input unchanged"),
        ("01.q4", lambda image: nb01.brightest_pixel(image)[::-1], "(column, row)"),
        ("01.q5", [0.3, 0.6], "three weights"),
        ("02.q3", lambda image, kernel: image, "returned its input unchanged"),
        ("02.q3", lambda image, kernel: nb02.correlate_valid(image, kernel[::-1, ::-1]), "turned"),
        ("02.q3", lambda image, kernel: nb02.correlate_valid(image, kernel)[:-1, :-1], "short"),
        ("02.q3", "windows start one pixel early", "moved by a pixel"),
        ("02.q3", "output array in uint8", "your output array is uint8"),
        ("02.q4", [[1, 0, 0], [0, 0, 0], [0, 0, 0]], "down and to the right"),
        ("02.q4", [[0, 0, 0], [0, 0, 1], [0, 0, 0]], "to the left (the answer for convolution"),
        ("02.q5", -nb02.E, "does not change their sign"),
        ("02.q5", np.rot90(nb02.E), "90 degrees"),
    ],
)
def test_a_usual_mistake_gets_its_own_explanation(key, answer, named, capsys):
    exercise = helpers.exercises.all_exercises()[key]
    if isinstance(answer, str):  # the name of one of the exercise's listed mistakes
        answer = exercise.mistakes[answer]
    assert named in _verdict_of(exercise, answer, capsys)
