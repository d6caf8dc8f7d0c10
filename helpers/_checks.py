"""Input checks shared by the helpers.

Each check raises ``TypeError`` or ``ValueError`` with a message that names the
parameter at fault, so a learner never meets a numpy traceback from deep inside
a helper.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_real_array(value: object, name: str) -> np.ndarray:
    """Return ``value`` as a numpy array of real numbers, or raise.

    Rejects bool, complex, object, string and other non-numeric dtypes, empty
    arrays and arrays holding NaN or infinity.
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got a {type(value).__name__}")
    try:
        array = np.asarray(value)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers: {error}") from None
    if array.dtype.kind == "b":
        raise TypeError(f"{name} has dtype bool; convert it to a number type first")
    if array.dtype.kind == "c":
        raise TypeError(f"{name} has dtype {array.dtype} (complex); only real numbers are supported")
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers, got an array of dtype {array.dtype}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinity")
    return array


def check_ndim(array: np.ndarray, name: str, allowed: tuple[int, ...], meaning: str) -> None:
    """Raise ``ValueError`` unless ``array.ndim`` is one of ``allowed``."""
    if array.ndim not in allowed:
        raise ValueError(f"{name} must be {meaning}, got an array of shape {array.shape}")


def as_pair(value: object, name: str, *, minimum: int) -> tuple[int, int]:
    """Return an int or a pair of ints as a pair, each at least ``minimum``."""
    if isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool):
        pair = (int(value), int(value))
    elif (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, bool) for v in value)
    ):
        pair = (int(value[0]), int(value[1]))
    else:
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return pair
