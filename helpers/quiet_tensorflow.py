"""Import TensorFlow without its start-up log lines reaching a notebook.

TensorFlow's C++ start-up messages ("oneDNN custom operations are on",
"Could not find cuda drivers", ...) ignore ``TF_CPP_MIN_LOG_LEVEL`` and are
written straight to file descriptor 2. A notebook executed by nbconvert would
store them as stderr output, and nbval, which does not capture that file
descriptor, would then report the cell as different. So the import happens
once, here, with file descriptor 2 pointed at ``os.devnull`` while TensorFlow
starts and runs its first operation.

It also turns TensorFlow's oneDNN kernels off (``TF_ENABLE_ONEDNN_OPTS=0``)
unless the environment already says otherwise. Measured on TensorFlow 2.21.0
on this course's CPU machines: with oneDNN on, ``tf.nn.conv2d`` on a batch of
two or more images with a stride along the width only returns wrong values
(zeros or uninitialised memory), for example input (2, 2, 3, 1), kernel
(1, 2, 1, 1), strides [1, 1, 2, 1], VALID; with oneDNN off every
configuration tried matches ``scipy`` and the course's helpers
(``tests/test_claims_05.py`` measures the scope). A course whose point is
checking TensorFlow against the definition uses the path that computes the
definition.

It turns TF32 off (``tf.config.experimental.enable_tensor_float_32_execution(False)``),
every time it is called. On NVIDIA GPUs from Ampere on, TensorFlow by default
lets float32 matrix multiplications and convolutions run in TF32, a format that
keeps only 10 of float32's 23 mantissa bits in the multiplies: a weight such as
1/9 or 1/5 is rounded before it meets the pixel. Measured on an NVIDIA H200
with cuDNN (the library TensorFlow calls there; through PyTorch, since no GPU
build of TensorFlow was at hand), on the stand-in in gray: the gallery's
``motion_blur`` in float32 was off by 0.047 from float64 with TF32 allowed and
by 2.1e-5 with it off (``shared/notes/tools-measured.md`` has the table). The
course's float32 bounds are float32's, so it turns TF32 off and they hold on
any GPU. On a CPU the setting changes nothing.

The oneDNN switch only works before TensorFlow is first imported. So when TensorFlow
was already imported (a plain ``import tensorflow`` earlier in the kernel), or
oneDNN is forced on (``TF_ENABLE_ONEDNN_OPTS=1``), ``import_tensorflow`` runs
that small case as a self-test and, if TensorFlow gets it wrong, warns once,
saying what is wrong and how to fix it.

If the import itself fails, whatever TensorFlow wrote to file descriptor 2 is
written out again (to ``sys.stderr``) before the error is raised, and the
environment variables are left as they were.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from types import ModuleType

import numpy as np

__all__ = ["import_tensorflow"]

#: The self-test: input (2, 2, 3, 1) holding 1..12, kernel (1, 2, 1, 1) holding 1 and 10,
#: strides [1, 1, 2, 1], VALID. Each output is 1 * left + 10 * right of a row's first two pixels.
_SELF_TEST_EXPECTED = [21.0, 54.0, 87.0, 120.0]
_warned = False


class _Captured:
    """What was written to file descriptor 2 while it was redirected (empty if it could not be)."""

    def __init__(self) -> None:
        self.data = b""


def _flush_stderr() -> None:
    if sys.stderr is not None:
        with contextlib.suppress(Exception):  # a closed or detached stream
            sys.stderr.flush()


@contextlib.contextmanager
def _stderr_fd_captured() -> Iterator[_Captured]:
    """Point file descriptor 2 at a temporary file for the block; what was written is in the yielded object.

    When fd 2 is closed (or cannot be duplicated) nothing is redirected: nothing
    written there could have been seen anyway.
    """
    captured = _Captured()
    _flush_stderr()
    try:
        saved = os.dup(2)
    except OSError:
        yield captured
        return
    try:
        with tempfile.TemporaryFile() as sink:
            os.dup2(sink.fileno(), 2)
            try:
                yield captured
            finally:
                _flush_stderr()
                os.dup2(saved, 2)
                sink.seek(0)
                captured.data = sink.read()
    finally:
        os.close(saved)


def _replay(data: bytes) -> None:
    """Write TensorFlow's captured diagnostics where the learner will see them."""
    if not data:
        return
    text = data.decode("utf-8", errors="replace")
    if sys.stderr is not None:
        with contextlib.suppress(Exception):
            sys.stderr.write(text)
            sys.stderr.flush()
            return
    with contextlib.suppress(OSError):
        os.write(2, data)


def _onednn_forced_on() -> bool:
    return os.environ.get("TF_ENABLE_ONEDNN_OPTS", "").strip().lower() in ("1", "true")


def _self_test(tf: ModuleType) -> list[float]:
    image = np.arange(1.0, 13.0, dtype=np.float32).reshape(2, 2, 3, 1)
    kernel = np.array([1.0, 10.0], dtype=np.float32).reshape(1, 2, 1, 1)
    result = tf.nn.conv2d(image, kernel, strides=[1, 1, 2, 1], padding="VALID")
    return [float(v) for v in np.asarray(result).ravel()]


def _self_test_warning(got: list[float], already_imported: bool) -> str:
    why = (
        "TensorFlow was imported before helpers.import_tensorflow() could switch them off"
        if already_imported
        else "TF_ENABLE_ONEDNN_OPTS is set to switch them on"
    )
    fix = "restart the kernel, then import TensorFlow only with `tf = helpers.import_tensorflow()`"
    if _onednn_forced_on():
        fix = "unset TF_ENABLE_ONEDNN_OPTS (or set it to 0), " + fix
    shown = ", ".join(f"{v:g}" for v in got)
    expected = ", ".join(f"{v:g}" for v in _SELF_TEST_EXPECTED)
    return (
        f"TensorFlow computes tf.nn.conv2d wrongly in this Python process: a batch of two small images "
        f"with a stride along the width gave [{shown}] instead of [{expected}]. This is a bug in "
        f"TensorFlow's oneDNN kernels, which are on because {why}. Checks in this course that compare with "
        f"TensorFlow will fail. To fix it: {fix}."
    )


def import_tensorflow() -> ModuleType:
    """Return the ``tensorflow`` module, imported quietly and warmed up.

    Before a first import it sets ``TF_CPP_MIN_LOG_LEVEL=3`` and
    ``TF_ENABLE_ONEDNN_OPTS=0`` unless they are already set (and takes them
    back if the import fails). On every call it turns TF32 off, so float32
    convolutions on a recent NVIDIA GPU keep float32's precision (see the
    module's docstring for the error TF32 gives). If TensorFlow was imported earlier, or oneDNN
    is forced on, a small ``tf.nn.conv2d`` self-test runs, and a
    ``RuntimeWarning`` (given once per process) says what is wrong and how to
    fix it when TensorFlow fails it.

    Raises
    ------
    ImportError
        Or whatever TensorFlow raises when it cannot be imported; its messages
        on file descriptor 2 are written to ``sys.stderr`` first.

    Examples
    --------
    >>> tf = import_tensorflow()
    >>> int(tf.reduce_sum(tf.ones((2, 2))))
    4
    >>> tf.config.experimental.tensor_float_32_execution_enabled()
    False
    """
    global _warned
    already_imported = "tensorflow" in sys.modules
    added = []
    if not already_imported:
        for name, value in (("TF_CPP_MIN_LOG_LEVEL", "3"), ("TF_ENABLE_ONEDNN_OPTS", "0")):
            if name not in os.environ:
                os.environ[name] = value
                added.append(name)
    got, failure = None, None
    with _stderr_fd_captured() as captured:
        try:
            import tensorflow as tf

            tf.get_logger().setLevel("ERROR")
            tf.config.experimental.enable_tensor_float_32_execution(False)  # float32 stays float32 on GPUs
            tf.constant(1.0) + tf.constant(1.0)  # the first op logs too (cuInit on GPU-less machines)
            tf.nn.conv2d(tf.zeros((1, 3, 3, 1)), tf.zeros((3, 3, 1, 1)), strides=1, padding="SAME")
            if already_imported or _onednn_forced_on():
                got = _self_test(tf)
        except BaseException as error:  # re-raised below, once fd 2 is back and the output replayed
            failure = error
            for name in added:
                os.environ.pop(name, None)
    if failure is not None:
        _replay(captured.data)
        raise failure
    if got is not None and got != _SELF_TEST_EXPECTED and not _warned:
        _warned = True
        warnings.warn(_self_test_warning(got, already_imported), RuntimeWarning, stacklevel=2)
    return tf
