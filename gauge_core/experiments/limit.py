"""How close the exact gauge method gets to an untwisted start (``benchmarks/limit.py``).

On ``MexicanHatChain(T, lam, d=2, N=1)`` from ``random_init(rng, scale=0.5)``: iterations until
the relative loss gap is ``tol`` (:func:`gauge_core.iterations_to_converge` semantics, each run
against its own start) for the exact gauge method with ``gauge_at_start=True``, the same method
from a twist-free ("aligned") start ``random_init(rng, "aligned", 0.5)``, and beside them the gauge
method without the start step, Goldstone-GD, heavy-ball momentum tuned to the spectrum at the
aligned minimum (:func:`gauge_core.spectrum_bounds`, :func:`gauge_core.tuned_momentum`; tuned
exactly, and with a safety factor :data:`SAFETY` on ``h_max``: exact tuning puts the stiffest mode
on the edge of stability, and from a random start the radial curvature ``12 |z|^2 - 4`` exceeds
``8 r^2``) and Adam.
"""
from __future__ import annotations

from ..models import MexicanHatChain
from ..spectra import spectrum_bounds
from ..theory import tuned_momentum
from .runs import run_to_tolerance

LIMIT_T = (8, 32, 128, 512, 1024)
LIMIT_LAMBDAS = (0.01, 0.1, 1.0, 10.0, 100.0)
LIMIT_METHODS = ("aligned", "gauge_at_start", "gauge", "goldstone", "momentum", "momentum_safe",
                 "adam")
#: the margin on h_max of "momentum_safe": tuned for a spectrum up to SAFETY * h_max
SAFETY = 4.0
ADAM_LR = 0.01


def limit_settings(model, k1=50):
    """``{name: (start kind, method, options)}`` of every run in one cell of the grid."""
    lr = 1.0 / (8.0 + 4.0 * model.lam)
    h_min, h_max = spectrum_bounds(model)
    return {
        "aligned": ("aligned", "gauge", dict(lr=lr, k1=k1, gauge_at_start=True)),
        "gauge_at_start": ("random", "gauge", dict(lr=lr, k1=k1, gauge_at_start=True)),
        "gauge": ("random", "gauge", dict(lr=lr, k1=k1)),
        "goldstone": ("random", "goldstone", dict(lr=lr, k1=k1, k2=10)),
        "momentum": ("random", "momentum", tuned_momentum(h_min, h_max, "momentum")),
        "momentum_safe": ("random", "momentum", tuned_momentum(h_min, SAFETY * h_max, "momentum")),
        "adam": ("random", "adam", dict(lr=ADAM_LR)),
    }


def limit_cell(T, lam, methods=LIMIT_METHODS, rng=7, scale=0.5, k1=50, tol=1e-6, cap=100_000):
    """One cell of the grid: ``{name: (iterations or None, seconds, diverged)}``."""
    model = MexicanHatChain(T, lam, d=2, N=1)
    settings = limit_settings(model, k1)
    out = {}
    for name in methods:
        kind, method, options = settings[name]
        Z0 = model.random_init(rng, kind, scale)
        out[name] = run_to_tolerance(model, Z0, method, cap, tol=tol, **options)
    return out
