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
two or more small images with a stride along the width returns wrong values
(zeros or uninitialised memory) in 48 of 504 small configurations tried (for
example input (2, 2, 3, 1), kernel (1, 2, 1, 1), strides [1, 1, 2, 1],
VALID); with oneDNN off all 504 match ``scipy`` and the course's helpers. A
course whose point is checking TensorFlow against the definition uses the
path that computes the definition.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from types import ModuleType

__all__ = ["import_tensorflow"]


@contextlib.contextmanager
def _stderr_fd_silenced() -> Iterator[None]:
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def import_tensorflow() -> ModuleType:
    """Return the ``tensorflow`` module, imported quietly and warmed up.

    Examples
    --------
    >>> tf = import_tensorflow()
    >>> int(tf.reduce_sum(tf.ones((2, 2))))
    4
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    with _stderr_fd_silenced():
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")
        tf.constant(1.0) + tf.constant(1.0)  # the first op logs too (cuInit on GPU-less machines)
        tf.nn.conv2d(tf.zeros((1, 3, 3, 1)), tf.zeros((3, 3, 1, 1)), strides=1, padding="SAME")
    return tf
