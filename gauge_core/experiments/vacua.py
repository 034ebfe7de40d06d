"""Chapters 01 and 02: data and starting points for the symmetries, spontaneous symmetry breaking
and reflection domain walls.

- :func:`symmetry_data` and :func:`fitted_start`: a small drifting factorisation and a plausible
  trained configuration (each step fitted alone, then aligned by the exact gauge step);
- :func:`hat_chain_run`: plain GD on the d = 2 Mexican-hat chain from a seeded start, with
  snapshots at log-spaced iterations (symmetry breaking frozen in as a twist);
- :func:`wall_data` and :func:`wall_start`: the optimum of a factorisation with part of the chain
  reflected (a reflection domain wall).
"""
from __future__ import annotations

import numpy as np

from .._validate import check_float, check_int, check_rng
from ..gauge import domain_wall, exact_gauge_step
from ..models import MexicanHatChain, best_factorization
from ..optimize import Run
from .replica import p1_data

SNAPSHOT_ITERATIONS = (0, 1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700,
                       1000, 1500, 2000, 3000)


def symmetry_data(T=6, m=6, n=5, rank=2, rng=0, drift=0.15, noise=0.03):
    """Slowly drifting rank-``rank`` data ``X_t`` of shape ``(T, m, n)``, plus noise.

    ``U + drift t A`` and ``V + drift t B`` with standard normal ``U, V, A, B`` (drawn from ``rng``
    in this order), ``X_t = U_t^T V_t + noise * E_t``.
    """
    rng = check_rng("rng", rng)
    T = check_int("T", T, minimum=2)
    U, V = rng.standard_normal((rank, m)), rng.standard_normal((rank, n))
    A, B = rng.standard_normal((rank, m)), rng.standard_normal((rank, n))
    t = np.arange(T)[:, None, None]
    Ut, Vt = U + drift * t * A, V + drift * t * B
    return np.matmul(np.swapaxes(Ut, 1, 2), Vt) + noise * rng.standard_normal((T, m, n))


def fitted_start(X, d):
    """Every step fitted on its own (truncated SVD), then rotated into line with its neighbours by
    the exact gauge step with O(d) links: a plausible 'trained' configuration."""
    return exact_gauge_step(best_factorization(X, d), group="O")[0]


def hat_chain_run(T, lam, init, scale, rng, lr, snapshots=SNAPSHOT_ITERATIONS):
    """A plain-GD :class:`gauge_core.Run` on ``MexicanHatChain(T, lam, d=2)`` from a start drawn
    from ``rng`` (``model.random_init(rng, init, scale)``), keeping snapshots at the given
    iterations. Advance it with ``run.advance(k)``."""
    model = MexicanHatChain(T, lam, d=2, N=1)
    Z0 = model.random_init(check_rng("rng", rng), init, scale)
    return Run(model, Z0, "gd", lr=lr, snapshots=snapshots)


def wall_data(m=6, n=5, d=2, rng=0, noise=1e-3):
    """Time-independent rank-``d`` data ``X = U^T V + sqrt(noise) * E`` (the P1 §5.1 recipe,
    :func:`p1_data`)."""
    return p1_data(rng, m=m, n=n, rank=d, noise_var=noise)


def wall_start(model, X, wall, rng=0, noise=0.01):
    """The optimum (every step the same best factorisation) with steps ``t >= wall`` reflected,
    plus a little noise. Returns ``(Z_optimum, Z_start)``.

    An integer ``rng`` is combined with ``wall`` (``default_rng(rng + 7919 wall)``) so that every
    wall position gets its own noise; a Generator is used as it is.
    """
    wall = check_int("wall", wall, minimum=0, maximum=model.T)
    noise = check_float("noise", noise, minimum=0.0)
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        rng = check_rng("rng", int(rng) + 7919 * wall)
    rng = check_rng("rng", rng)
    Zs = best_factorization(X, model.d, T=model.T)
    return Zs, domain_wall(Zs, wall) + noise * rng.standard_normal(Zs.shape)
