"""Axis limits that change rarely, so that the static background is rarely re-rendered.

A live panel's data move every frame; its axes should not. These helpers choose limits once per
setting (at a restart) and widen them only when the data leave them: snapped to whole decades on
log axes and to a 5 % margin on linear ones.
"""
from __future__ import annotations

import math

import numpy as np


def decades(lo, hi):
    """The smallest whole-decade interval ``[10^a, 10^b]`` holding ``[lo, hi]`` (both > 0)."""
    lo = min(max(float(lo), 1e-300), 1e299)
    hi = min(max(float(hi), lo * 10.0), 1e300)  # a diverging run must not overflow the ticks
    return 10.0 ** math.floor(math.log10(lo)), 10.0 ** math.ceil(math.log10(hi))


def padded(lo, hi, pad=0.05):
    """``[lo, hi]`` widened by ``pad`` of its span on both sides (a point gets a unit span)."""
    lo, hi = float(lo), float(hi)
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    return lo - pad * span, hi + pad * span


def data_range(*arrays):
    """``(min, max)`` over the finite values of several arrays, or ``None`` if there are none."""
    vals = [np.asarray(a, dtype=float).ravel() for a in arrays if np.size(a)]
    if not vals:
        return None
    v = np.concatenate(vals)
    v = v[np.isfinite(v)]
    return (float(v.min()), float(v.max())) if v.size else None


def widen(ax, axis, lo, hi, log=False, pad=0.05):
    """Widen ``ax``'s ``axis`` ("x" or "y") to hold ``[lo, hi]``; never narrow it.

    Returns True if the limits changed (the background will then be re-rendered).
    """
    get, set_ = (ax.get_xlim, ax.set_xlim) if axis == "x" else (ax.get_ylim, ax.set_ylim)
    a, b = get()
    if lo >= a and hi <= b:
        return False
    new = decades(min(lo, a), max(hi, b)) if log else padded(min(lo, a), max(hi, b), pad)
    set_(*new)
    return True
