"""Argument checks shared by every public function.

Each helper raises ``TypeError`` for a value of the wrong kind and ``ValueError`` for a value of the
right kind but out of range, and always names the parameter and what was expected.
"""
from __future__ import annotations

import numbers

import numpy as np


def check_int(name, value, minimum=None, maximum=None):
    """Return ``value`` as an ``int`` after checking its type and range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_float(name, value, minimum=None, maximum=None, *, strict_min=False):
    """Return ``value`` as a finite ``float`` after checking its type and range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None:
        if strict_min and value <= minimum:
            raise ValueError(f"{name} must be > {minimum}, got {value}")
        if not strict_min and value < minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_choice(name, value, choices):
    """Check that ``value`` is one of the strings in ``choices``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {sorted(choices)}, got {value!r}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


def check_array(name, value, ndim=None, shape=None, *, min_size=1):
    """Return ``value`` as a finite float64 array, checking dimensions and shape.

    ``shape`` may contain ``None`` for axes of any length. The input is never modified: a new
    array is returned whenever a conversion is needed, and callers copy before writing.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged nested lists and the like
        raise TypeError(f"{name} must be an array of numbers: {exc}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got a complex array")
    arr = arr.astype(np.float64, copy=False)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimensions, "
                             f"got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if arr.size < min_size:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers (found NaN or inf)")
    return arr


def check_index_array(name, value, upper):
    """Return ``value`` as an int64 array after checking it is 1-D, integer and in ``[0, upper)``."""
    arr = np.asarray(value)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be a 1-D array of integers, got dtype {arr.dtype} and shape "
                        f"{arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() >= upper):
        raise ValueError(f"{name} must lie in [0, {upper - 1}]")
    return arr.astype(np.int64)


def check_rng(name, value):
    """Accept a ``numpy.random.Generator`` or an integer seed and return a Generator."""
    if isinstance(value, np.random.Generator):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        if value < 0:
            raise ValueError(f"{name} must be a non-negative seed or a numpy Generator, got {value}")
        return np.random.default_rng(int(value))
    raise TypeError(f"{name} must be a numpy.random.Generator or an integer seed, "
                    f"got {type(value).__name__}")


def check_weights(name, value, count):
    """Positive, finite per-edge weights of length ``count`` (``None`` means all ones)."""
    if value is None:
        return np.ones(count)
    arr = check_array(name, value, ndim=1, shape=(count,))
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be strictly positive")
    return arr.copy()


def check_bool(name, value):
    """Accept only a real boolean (``"False"`` and ``0`` are refused: they hide mistakes)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_square(name, arr):
    """``arr`` must have shape ``(..., d, d)``."""
    if arr.ndim < 2 or arr.shape[-1] != arr.shape[-2]:
        raise ValueError(f"{name} must have shape (..., d, d) (square matrices), got {arr.shape}")
    return arr


def check_skew(name, arr, rtol=1e-8):
    """``arr`` must hold skew-symmetric matrices (``A^T = -A``) to ``rtol`` relative."""
    check_square(name, arr)
    asym = np.abs(arr + np.swapaxes(arr, -1, -2)).max(initial=0.0)
    if asym > rtol * max(1.0, np.abs(arr).max(initial=0.0)):
        raise ValueError(f"{name} must be skew-symmetric ({name}^T = -{name}); "
                         f"max |{name} + {name}^T| = {asym:.2e}")
    return arr


def unit_scaled(Z):
    """``Z`` divided by its largest entry, so that products like ``Z Z^T`` cannot overflow.

    Rotations, angles and cosines do not change under a positive rescaling.
    """
    top = np.abs(Z).max(initial=0.0)
    return Z / top if top > 0 else Z
