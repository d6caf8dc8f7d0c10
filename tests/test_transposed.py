"""helpers.transposed_correlate2d against TensorFlow's transposed convolution and gradient.

TensorFlow computes in float32 here, the helper in float64; values are drawn
from a standard normal, so 1e-4 is far above float32 rounding for these sizes.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import helpers

tf = helpers.import_tensorflow()

TOLERANCE = 1e-4
CASES = settings(max_examples=150, deadline=None, derandomize=True)


@st.composite
def transposed_case(draw, *, dilated: bool = False):
    n = draw(st.integers(1, 2))
    height, width = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if dilated else (1, 1)
    padding = draw(
        st.one_of(
            st.sampled_from(["same", "valid"]),
            st.tuples(st.tuples(st.integers(0, 2), st.integers(0, 2)), st.tuples(st.integers(0, 2), st.integers(0, 2))),
        )
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    image = rng.normal(size=(n, height, width, c_out)).astype(np.float32)
    kernel = rng.normal(size=(kh, kw, c_in, c_out)).astype(np.float32)
    return image, kernel, padding, stride, dilation


def tf_padding(padding):
    if isinstance(padding, str):
        return padding.upper()
    return [[0, 0], list(padding[0]), list(padding[1]), [0, 0]]


def smallest_shape(image, kernel, padding, stride, dilation):
    """The default output size, or None when the padding leaves nothing."""
    try:
        out = helpers.transposed_correlate2d(image, kernel, padding=padding, stride=stride, dilation=dilation)
    except ValueError:
        return None
    return out.shape[1:3]


@CASES
@given(transposed_case())
def test_matches_tf_conv2d_transpose(case):
    image, kernel, padding, stride, _ = case
    shape = smallest_shape(image, kernel, padding, stride, 1)
    assume(shape is not None)
    ours = helpers.transposed_correlate2d(image, kernel, padding=padding, stride=stride)
    output_shape = [image.shape[0], *shape, kernel.shape[2]]
    theirs = tf.nn.conv2d_transpose(image, kernel, output_shape, strides=stride, padding=tf_padding(padding))
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours, theirs.numpy(), atol=TOLERANCE)
    # an unbatched image gives the batch's first element
    first = helpers.transposed_correlate2d(image[0], kernel, padding=padding, stride=stride)
    np.testing.assert_allclose(first, ours[0], atol=1e-12)


def spread(kernel, dilation):
    """The dilated kernel written out: dilation - 1 zeros between neighbouring taps."""
    kh, kw = kernel.shape[:2]
    dh, dw = dilation
    out = np.zeros((dh * (kh - 1) + 1, dw * (kw - 1) + 1, *kernel.shape[2:]), dtype=kernel.dtype)
    out[::dh, ::dw] = kernel
    return out


@CASES
@given(transposed_case(dilated=True))
def test_dilated_matches_tf_with_the_kernel_spread_out(case):
    """TensorFlow's CPU transposed convolution refuses dilation; a kernel with zeros between its taps is the same."""
    image, kernel, padding, stride, dilation = case
    shape = smallest_shape(image, kernel, padding, stride, dilation)
    assume(shape is not None)
    ours = helpers.transposed_correlate2d(image, kernel, padding=padding, stride=stride, dilation=dilation)
    output_shape = [image.shape[0], *shape, kernel.shape[2]]
    theirs = tf.nn.conv2d_transpose(
        image, spread(kernel, dilation), output_shape, strides=stride, padding=tf_padding(padding)
    )
    np.testing.assert_allclose(ours, theirs.numpy(), atol=TOLERANCE)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.integers(2, 9),
    st.integers(2, 9),
    st.integers(1, 4),
    st.integers(1, 4),
    st.integers(1, 3),
    st.integers(1, 3),
    st.sampled_from(["same", "valid", "full", ((1, 0), (2, 1))]),
    st.integers(0, 2**32 - 1),
)
def test_is_the_adjoint_of_correlate2d(height, width, kh, kw, stride, dilation, padding, seed):
    """sum(correlate2d(a) * b) == sum(a * transposed(b)) for every a and b: the definition of a transpose."""
    for size, k in ((height, kh), (width, kw)):
        assume(helpers.output_size(size, k, padding=padding if isinstance(padding, str) else padding[0],
                                   stride=stride, dilation=dilation) > 0)  # fmt: skip
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(height, width))
    kernel = rng.normal(size=(kh, kw))
    options = {"padding": padding, "stride": stride, "dilation": dilation}
    forward = helpers.correlate2d(a, kernel, **options)
    b = rng.normal(size=forward.shape)
    back = helpers.transposed_correlate2d(b, kernel, output_shape=a.shape, **options)
    assert back.shape == a.shape
    np.testing.assert_allclose(np.sum(forward * b), np.sum(a * back), rtol=1e-10, atol=1e-10)


def test_stride_one_valid_is_full_correlation_with_the_turned_kernel():
    rng = np.random.default_rng(1)
    image, kernel = rng.normal(size=(5, 6)), rng.normal(size=(3, 2))
    expected = helpers.correlate2d(image, kernel[::-1, ::-1], padding="full")
    np.testing.assert_allclose(helpers.transposed_correlate2d(image, kernel), expected, atol=1e-12)


@pytest.mark.parametrize(("n", "k", "s", "pads"), [(4, 3, 2, (0, 0)), (3, 3, 3, (1, 1)), (5, 2, 2, (0, 1))])
def test_every_size_that_maps_back_is_accepted_and_matches_tf(n, k, s, pads):
    """With stride s, s output sizes correlate back to n; the default is the smallest of them."""
    rng = np.random.default_rng(2)
    image = rng.normal(size=(1, n, n, 1)).astype(np.float32)
    kernel = rng.normal(size=(k, k, 1, 1)).astype(np.float32)
    padding = (pads, pads)
    smallest = (n - 1) * s + k - sum(pads)
    assert helpers.transposed_correlate2d(image, kernel, padding=padding, stride=s).shape[1] == smallest
    for size in range(smallest, smallest + s):
        ours = helpers.transposed_correlate2d(image, kernel, padding=padding, stride=s, output_shape=(size, size))
        theirs = tf.nn.conv2d_transpose(image, kernel, [1, size, size, 1], strides=s, padding=tf_padding(padding))
        np.testing.assert_allclose(ours, theirs.numpy(), atol=TOLERANCE)
    with pytest.raises(ValueError, match="does not correlate back"):
        helpers.transposed_correlate2d(image, kernel, padding=padding, stride=s, output_shape=(smallest + s,) * 2)
    with pytest.raises(ValueError, match="does not correlate back"):
        helpers.transposed_correlate2d(image, kernel, padding=padding, stride=s, output_shape=(smallest - 1,) * 2)


def test_same_padding_gives_n_times_stride():
    out = helpers.transposed_correlate2d(np.ones((3, 4)), np.ones((3, 3)), padding="same", stride=2)
    assert out.shape == (6, 8)


def test_checkerboard_of_a_stride_two_3x3_kernel():
    """Uneven overlap: 1, 2 or 4 taps land on each interior pixel; a 4x4 kernel covers them evenly."""
    uneven = helpers.transposed_correlate2d(np.ones((6, 6)), np.ones((3, 3)), stride=2)
    assert set(np.unique(uneven[2:-2, 2:-2])) == {1.0, 2.0, 4.0}
    even = helpers.transposed_correlate2d(np.ones((6, 6)), np.ones((4, 4)), stride=2)
    assert set(np.unique(even[2:-2, 2:-2])) == {4.0}


@pytest.mark.parametrize(
    ("image", "kernel", "options", "message"),
    [
        (np.ones((3, 3)), np.ones((2, 2, 1, 1)), {}, "kernel must be a 2-D kernel"),
        (np.ones((3, 3, 2)), np.ones((2, 2, 1, 1)), {}, "1 output channels .* 2 channels"),
        (np.ones((3,)), np.ones((2, 2)), {}, "image must be"),
        (np.ones((3, 3)), np.ones((2, 2)), {"stride": 0}, "stride must be at least 1"),
        (np.ones((3, 3)), np.ones((2, 2)), {"padding": "wide"}, "padding must be one of"),
        (np.ones((3, 3)), np.ones((2, 2)), {"output_shape": (9, 9)}, "does not correlate back"),
        (np.ones((1, 1)), np.ones((2, 2)), {"padding": ((2, 2), (0, 0))}, "crops away the whole output"),
        (np.full((2, 2), np.nan), np.ones((2, 2)), {}, "NaN"),
    ],
)
def test_bad_input_names_the_problem(image, kernel, options, message):
    with pytest.raises(ValueError, match=message):
        helpers.transposed_correlate2d(image, kernel, **options)


def test_not_numbers_is_a_type_error():
    with pytest.raises(TypeError, match="kernel"):
        helpers.transposed_correlate2d(np.ones((3, 3)), "ones")
