"""Arguments an attacker (or a tired learner) would try: sizes, types and values the helpers must refuse by name.

Refusals of huge sizes run in a subprocess whose address space is capped with
``resource.setrlimit``, so a regression fails with MemoryError in a fraction of
a second instead of filling the machine's memory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import helpers
from helpers import correlate2d, output_size, pool2d

ROOT = Path(__file__).resolve().parent.parent


def run_with_memory_limit(code: str, *, budget: int, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh Python whose address space may grow by at most ``budget`` bytes after the imports."""
    prelude = textwrap.dedent(
        f"""
        import resource
        import numpy as np
        import helpers
        from helpers import _checks

        def _address_space():
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmSize:"):
                        return int(line.split()[1]) * 1024

        _limit = _address_space() + {budget}
        resource.setrlimit(resource.RLIMIT_AS, (_limit, _limit))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
    )


HUGE_CALLS = {
    "dilation=20000": "helpers.correlate2d(np.ones((6, 7)), np.ones((3, 3)), dilation=20000)",
    "dilation=10**30": "helpers.correlate2d(np.ones((6, 7)), np.ones((3, 3)), dilation=10**30)",
    "pool size 10**5, same": "helpers.pool2d(np.ones((300, 451)), 10**5, padding='same')",
    "padding 10**6": "helpers.correlate2d(np.ones((4, 4)), np.ones((3, 3)), padding=((10**6, 0), (10**6, 0)))",
    "depthwise dilation": "helpers.depthwise_correlate2d(np.ones((5, 5, 3)), np.ones((3, 3, 3, 1)), dilation=30000)",
    "convolve full": "helpers.convolve2d(np.ones((5, 5)), np.ones((3, 3)), padding='full', dilation=10**5)",
    "loop, tall and wide": "helpers.correlate2d_loop(np.ones((1, 200001)), np.ones((200001, 1)))",
    "output channels": "helpers.correlate2d(np.ones((300, 300, 1)), np.ones((1, 1, 1, 4000)))",
    "transposed stride": "helpers.transposed_correlate2d(np.ones((300, 300)), np.ones((3, 3)), stride=10**4)",
}


def test_huge_padding_dilation_and_pool_sizes_are_refused_before_allocating():
    # issue 16 item 5: these tried to allocate 11.9 GiB, 74.5 GiB, ... or failed inside np.pad
    code = (
        "for call in "
        + repr(list(HUGE_CALLS.values()))
        + """:
    try:
        eval(call)
        print("RETURNED")
    except Exception as error:
        print(type(error).__name__, "|", str(error).replace(chr(10), " "))
"""
    )
    result = run_with_memory_limit(code, budget=512 << 20)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(HUGE_CALLS)
    for name, line in zip(HUGE_CALLS, lines, strict=True):
        assert line.startswith("ValueError |"), f"{name}: {line}"
        assert "over the limit of 1 GiB per array" in line and "would have shape" in line, f"{name}: {line}"
    assert "(1, 40006, 40007, 1): 1,600,520,042 float64 values, 11.9 GiB" in lines[0]


def test_the_limit_is_documented_in_every_padding_helper():
    for function in (
        helpers.correlate2d,
        helpers.depthwise_correlate2d,
        helpers.pool2d,
        helpers.correlate2d_loop,
        helpers.transposed_correlate2d,
    ):
        assert "MAX_ARRAY_BYTES" in function.__doc__ or "size limit" in function.__doc__, function.__name__


@pytest.mark.parametrize("cval", [float("nan"), float("inf"), -np.inf, np.float32("nan")])
def test_nan_or_infinite_cval_is_refused(cval):
    # issue 16 item 8
    for function in (helpers.correlate2d, helpers.convolve2d):
        with pytest.raises(ValueError, match="cval must be a finite number"):
            function(np.ones((4, 4)), np.ones((3, 3)), cval=cval)
    with pytest.raises(ValueError, match="cval must be a finite number"):
        helpers.depthwise_correlate2d(np.ones((4, 4, 2)), np.ones((3, 3, 2, 1)), cval=cval)


def test_max_pooling_with_same_padding_still_ignores_padded_cells():
    # pool2d no longer pads with -inf (cval must be finite); all-negative images show padded cells never win
    image = -np.arange(1.0, 26.0).reshape(5, 5)
    pooled = pool2d(image, 2, padding="same")
    np.testing.assert_array_equal(pooled, [[-1.0, -3.0, -5.0], [-11.0, -13.0, -15.0], [-21.0, -23.0, -25.0]])
    np.testing.assert_array_equal(pool2d(image, 3, stride=1, padding="same")[0], [-1.0, -1.0, -2.0, -3.0, -4.0])


def test_output_size_converts_numpy_integers_to_python_ints():
    # issue 16 item 10: np.int8(100) + 99 wrapped around and gave 0
    assert output_size(np.int8(100), np.int8(100), padding="full") == 199
    assert output_size(np.uint8(200), np.uint8(3), padding="valid", stride=np.int8(1)) == 198
    assert output_size(np.int16(30000), np.int16(30000), padding="full") == 59999


@pytest.mark.parametrize("option", [{"stride": (2, 3)}, {"dilation": (1, 2)}, {"stride": [2, 2]}])
def test_output_size_refuses_pairs_where_one_axis_is_meant(option):
    # issue 16 item 10: stride=(2, 3) silently used 2
    with pytest.raises(TypeError, match="works along one axis"):
        output_size(7, 3, **option)


@pytest.mark.parametrize("value", [2.0, True, "7", None])
def test_output_size_refuses_non_integers(value):
    with pytest.raises(TypeError, match="must be an int"):
        output_size(value, 3)


@pytest.mark.parametrize("mode", [["wrap"], {"wrap": 1}, ("wrap",), None, 3])
def test_an_unhashable_or_non_string_mode_is_named(mode):
    # issue 16 item 12: mode=["wrap"] said "unhashable type: 'list'"; issue 24: a TypeError naming mode
    with pytest.raises(TypeError, match="mode must be one of"):
        correlate2d(np.ones((4, 4)), np.ones((3, 3)), mode=mode)


@pytest.mark.parametrize("padding", ["SAME", "Same", "VALID"])
def test_pool2d_accepts_tensorflow_spelling_like_correlate2d(padding):
    # issue 16 item 12: pool2d refused 'SAME', which correlate2d accepts
    image = np.arange(30.0).reshape(5, 6)
    np.testing.assert_array_equal(pool2d(image, 2, padding=padding), pool2d(image, 2, padding=padding.lower()))


@pytest.mark.parametrize("padding", [["same"], None, 2])
def test_pool2d_refuses_padding_that_is_not_a_word(padding):
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same'"):
        pool2d(np.ones((4, 4)), 2, padding=padding)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_infinity_is_found_in_every_block_of_a_large_image(dtype, bad):
    image = np.ones((300, 500), dtype=dtype)  # 150000 values: three blocks of _checks._all_finite, the last partial
    for position in (0, 65535, 65536, 131072, image.size - 1):
        spoiled = image.copy()
        spoiled.flat[position] = bad
        with pytest.raises(ValueError, match="image contains NaN or infinity"):
            helpers.correlate2d(spoiled, np.ones((3, 3)))
        with pytest.raises(ValueError, match="image contains NaN or infinity"):
            helpers.correlate2d(spoiled.T, np.ones((3, 3)))  # not C-contiguous
    assert helpers.correlate2d(image, np.ones((3, 3))).shape == image.shape
