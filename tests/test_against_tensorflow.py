"""The helpers against TensorFlow on random shapes, kernels, paddings, modes, strides,
dilations, channel counts and batch sizes.

TensorFlow computes in float32 here, the helpers in float64; values are drawn
from a standard normal, so 1e-4 is far above float32 rounding for these sizes.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import helpers

tf = helpers.import_tensorflow()

TOLERANCE = 1e-4
# derandomize: CI runs the same examples every time, so a pass is repeatable
CASES = settings(max_examples=200, deadline=None, derandomize=True)


@st.composite
def conv_case(draw, *, depthwise: bool = False):
    n = draw(st.integers(1, 3))
    height, width = draw(st.integers(1, 10)), draw(st.integers(1, 10))
    c_in = draw(st.integers(1, 3))
    c_out = draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    if depthwise:
        # tf.nn.depthwise_conv2d wants equal strides; with stride > 1 and dilation > 1 it only warns and returns
        # the wrong shape and values (see test_stride_with_dilation_what_each_tensorflow_function_does), so
        # those cases are left out here
        stride = (stride[0], stride[0])
        dilation = (1, 1) if stride[0] > 1 else dilation
    padding = draw(st.sampled_from(["SAME", "VALID"]))
    for size, k, s, d in ((height, kh, stride[0], dilation[0]), (width, kw, stride[1], dilation[1])):
        assume(helpers.output_size(size, k, padding=padding.lower(), stride=s, dilation=d) > 0)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    image = rng.normal(size=(n, height, width, c_in)).astype(np.float32)
    kernel = rng.normal(size=(kh, kw, c_in, c_out)).astype(np.float32)
    return image, kernel, stride, dilation, padding


@CASES
@given(conv_case())
def test_correlate2d_matches_tf_conv2d(case):
    image, kernel, stride, dilation, padding = case
    expected = tf.nn.conv2d(image, kernel, strides=stride, padding=padding, dilations=dilation).numpy()
    ours = helpers.correlate2d(image, kernel, padding=padding.lower(), stride=stride, dilation=dilation)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=TOLERANCE)
    # an unbatched image gives the batch's first element
    first = helpers.correlate2d(image[0], kernel, padding=padding.lower(), stride=stride, dilation=dilation)
    np.testing.assert_allclose(first, expected[0], atol=TOLERANCE)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(conv_case(), st.data())
def test_explicit_padding_matches_tf(case, data):
    image, kernel, stride, dilation, _ = case
    pads = [data.draw(st.integers(0, 3)) for _ in range(4)]
    explicit = ((pads[0], pads[1]), (pads[2], pads[3]))
    height, width = image.shape[1] + pads[0] + pads[1], image.shape[2] + pads[2] + pads[3]
    assume(height >= dilation[0] * (kernel.shape[0] - 1) + 1 and width >= dilation[1] * (kernel.shape[1] - 1) + 1)
    tf_padding = [[0, 0], list(explicit[0]), list(explicit[1]), [0, 0]]
    expected = tf.nn.conv2d(image, kernel, strides=stride, padding=tf_padding, dilations=dilation).numpy()
    ours = helpers.correlate2d(image, kernel, padding=explicit, stride=stride, dilation=dilation)
    np.testing.assert_allclose(ours, expected, atol=TOLERANCE)


# scipy's mode names against tf.pad's: scipy 'reflect' repeats the edge pixel
# (tf SYMMETRIC), scipy 'mirror' does not (tf REFLECT).
TF_PAD_MODES = {"constant": "CONSTANT", "reflect": "SYMMETRIC", "mirror": "REFLECT"}


@settings(max_examples=100, deadline=None, derandomize=True)
@given(conv_case(), st.sampled_from(sorted(TF_PAD_MODES)))
def test_border_modes_match_tf_pad_then_valid(case, mode):
    image, kernel, stride, dilation, _ = case
    rows, cols = (dilation[0] * (kernel.shape[0] - 1)) // 2, (dilation[1] * (kernel.shape[1] - 1)) // 2
    # tf.pad's SYMMETRIC allows padding up to the image size, REFLECT only below it
    assume(rows <= image.shape[1] and cols <= image.shape[2])
    assume(mode != "mirror" or (rows < image.shape[1] and cols < image.shape[2]))
    height, width = image.shape[1] + 2 * rows, image.shape[2] + 2 * cols
    assume(height >= dilation[0] * (kernel.shape[0] - 1) + 1 and width >= dilation[1] * (kernel.shape[1] - 1) + 1)
    padded = tf.pad(image, [[0, 0], [rows, rows], [cols, cols], [0, 0]], mode=TF_PAD_MODES[mode])
    expected = tf.nn.conv2d(padded, kernel, strides=stride, padding="VALID", dilations=dilation).numpy()
    ours = helpers.correlate2d(
        image, kernel, padding=((rows, rows), (cols, cols)), mode=mode, stride=stride, dilation=dilation
    )
    np.testing.assert_allclose(ours, expected, atol=TOLERANCE)


@CASES
@given(conv_case(depthwise=True))
def test_depthwise_matches_tf(case):
    image, kernel, stride, dilation, padding = case
    expected = tf.nn.depthwise_conv2d(
        image, kernel, strides=(1, *stride, 1), padding=padding, dilations=dilation
    ).numpy()
    ours = helpers.depthwise_correlate2d(image, kernel, padding=padding.lower(), stride=stride, dilation=dilation)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=TOLERANCE)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(conv_case())
def test_convolve2d_is_tf_conv2d_with_the_kernel_turned(case):
    image, kernel, stride, dilation, padding = case
    turned = kernel[::-1, ::-1].copy()
    expected = tf.nn.conv2d(image, turned, strides=stride, padding=padding, dilations=dilation).numpy()
    ours = helpers.convolve2d(image, kernel, padding=padding.lower(), stride=stride, dilation=dilation)
    np.testing.assert_allclose(ours, expected, atol=TOLERANCE)


@CASES
@given(
    n=st.integers(1, 2),
    height=st.integers(1, 9),
    width=st.integers(1, 9),
    channels=st.integers(1, 3),
    size=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.sampled_from(["SAME", "VALID"]),
    kind=st.sampled_from(["max", "mean"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_pool2d_matches_tf_pooling(n, height, width, channels, size, stride, padding, kind, seed):
    assume(padding == "SAME" or (size[0] <= height and size[1] <= width))
    image = np.random.default_rng(seed).normal(size=(n, height, width, channels)).astype(np.float32)
    pool = tf.nn.max_pool2d if kind == "max" else tf.nn.avg_pool2d
    expected = pool(image, ksize=size, strides=stride, padding=padding).numpy()
    ours = helpers.pool2d(image, size, stride=stride, kind=kind, padding=padding.lower())
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=TOLERANCE)


def test_the_gallery_matches_tf_on_the_course_image():
    image = helpers.to_grayscale(helpers.load_lion_with_source().pixels).astype(np.float32)
    for name, kernel in helpers.KERNELS.items():
        expected = tf.nn.conv2d(image[None, :, :, None], kernel[:, :, None, None].astype(np.float32), 1, "SAME")
        np.testing.assert_allclose(
            helpers.correlate2d(image, kernel), expected.numpy()[0, :, :, 0], atol=1e-3, err_msg=f"kernel {name}"
        )


def test_stride_with_dilation_what_each_tensorflow_function_does():
    """Stride 2 with dilation 2 on an 11x11 VALID input (the right answer is 4x4), as notebook 05's table states
    (TensorFlow 2.21, Keras 3, oneDNN off)."""
    rng = np.random.default_rng(5)
    image = rng.normal(size=(1, 11, 11, 2)).astype(np.float32)
    kernel = rng.normal(size=(3, 3, 2, 1)).astype(np.float32)
    options = {"padding": "valid", "stride": 2, "dilation": 2}
    right, right_depthwise = (
        helpers.correlate2d(image, kernel, **options),
        helpers.depthwise_correlate2d(image, kernel, **options),
    )
    # tf.nn.conv2d computes it
    np.testing.assert_allclose(tf.nn.conv2d(image, kernel, 2, "VALID", dilations=2).numpy(), right, atol=TOLERANCE)
    # tf.nn.convolution and Keras Conv2D refuse it
    with pytest.raises(ValueError, match="not supported in conjunction"):
        tf.nn.convolution(image, kernel, strides=2, padding="VALID", dilations=2)
    with pytest.raises(ValueError, match="not supported in conjunction"):
        tf.keras.layers.Conv2D(1, 3, strides=2, dilation_rate=2)
    # tf.nn.depthwise_conv2d warns, then returns a 3x3 output that is not the strided result
    with pytest.warns(UserWarning, match="dilation rate is greater than 1"):
        wrong = tf.nn.depthwise_conv2d(image, kernel, [1, 2, 2, 1], "VALID", dilations=[2, 2]).numpy()
    assert wrong.shape == (1, 3, 3, 2) != right_depthwise.shape == (1, 4, 4, 2)
    assert not np.allclose(wrong, right_depthwise[:, :3, :3], atol=TOLERANCE)
    # Keras DepthwiseConv2D computes it
    layer = tf.keras.layers.DepthwiseConv2D(3, strides=2, dilation_rate=2, use_bias=False)
    layer.build(image.shape)
    layer.set_weights([kernel])
    np.testing.assert_allclose(layer(image).numpy(), right_depthwise, atol=TOLERANCE)
    # tf.nn.separable_conv2d returns a 3x3 output from the wrong windows, without even a warning
    pointwise = rng.normal(size=(1, 1, 2, 1)).astype(np.float32)
    right_separable = helpers.correlate2d(right_depthwise, pointwise)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test: there is none
        wrong = tf.nn.separable_conv2d(image, kernel, pointwise, [1, 2, 2, 1], "VALID", dilations=[2, 2]).numpy()
    assert wrong.shape == (1, 3, 3, 1) != right_separable.shape == (1, 4, 4, 1)
    assert not np.allclose(wrong, right_separable[:, :3, :3], atol=TOLERANCE)
    # Keras SeparableConv2D computes it
    layer = tf.keras.layers.SeparableConv2D(1, 3, strides=2, dilation_rate=2, use_bias=False)
    layer.build(image.shape)
    layer.set_weights([kernel, pointwise])
    np.testing.assert_allclose(layer(image).numpy(), right_separable, atol=TOLERANCE)
    # tf.nn.conv2d_transpose refuses any dilation above 1 on a CPU, stride 2 or 1 (with oneDNN off, as here;
    # with it on it computes it: tests/test_claims_05.py::test_onednn_conv2d_transpose_accepts_dilation)
    for stride, side in ((2, 4), (1, 7)):
        with pytest.raises(tf.errors.InvalidArgumentError):
            tf.nn.conv2d_transpose(
                rng.normal(size=(1, side, side, 1)).astype(np.float32),
                kernel,
                (1, 11, 11, 2),
                stride,
                "VALID",
                dilations=2,
            )
