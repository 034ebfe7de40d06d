"""Chapter 02's reflection domain walls (re-exported by :mod:`gauge_core.experiments.vacua`).

:func:`wall_data` and :func:`wall_start` build a factorisation at its optimum with part of the chain
reflected; :func:`wall_stall` runs plain GD into the metastable state; :func:`zero_modes` reads the
Hessian's null space there as global GL(d) moves (a rotation and a stretch); :func:`gauge_repair`,
:func:`wall_survey` and :func:`wall_outcomes` measure what removes a wall.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_float, check_int, check_rng
from ..gauge import count_walls, domain_wall, exact_gauge_step
from ..lie import rotation_angle
from ..models import DynamicFactorization, best_factorization
from ..optimize import optimize
from ..spectra import fd_hessian
from .replica import p1_data


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


@dataclass
class WallStall:
    """Plain GD from a reflection wall (:func:`wall_stall`)."""

    model: DynamicFactorization
    X: np.ndarray
    Z_opt: np.ndarray
    Z_start: np.ndarray
    Z: np.ndarray  # where GD ended
    loss: np.ndarray  # GD's loss at every iteration

    @property
    def optimum(self):
        return self.model.loss(self.Z_opt)

    def ratio(self, k=-1):
        """``L / L*`` at iteration ``k``."""
        return float(self.loss[k] / self.optimum)

    def walls(self):
        return count_walls(self.Z)

    def grad_norm(self):
        return float(np.linalg.norm(self.model.grad(self.Z)))

    def hessian_eigenvalues(self):
        """Eigenvalues of the finite-difference Hessian where GD ended, ascending."""
        return np.linalg.eigvalsh(fd_hessian(self.model, self.Z))


def wall_stall(lam=1.0, wall=5, rng=0, steps=5000, lr=0.02, T=10, d=2):
    """Plain GD for ``steps`` iterations from :func:`wall_start` on ``T`` steps of
    :func:`wall_data` (seeded by ``rng``)."""
    X = wall_data(d=d, rng=rng)
    model = DynamicFactorization(X, d, lam, T=T)
    Z_opt, Z0 = wall_start(model, X, wall, rng=rng)
    res = optimize(model, Z0, "gd", steps, lr=lr)
    return WallStall(model, X, Z_opt, Z0, res.Z, res.loss)


def orbit_tangent(model, Z, A):
    """The direction ``d/dε`` of ``U_t -> (I + εA) U_t``, ``V_t -> (I - εA^T) V_t`` at every step
    (the global GL(d) move of a factorisation), flattened like ``Z.ravel()``."""
    U, V = model.split(Z)
    out = np.empty_like(Z)
    out[:, :, :model.m] = A @ U
    out[:, :, model.m:] = -A.T @ V
    return out.ravel()


@dataclass(frozen=True)
class ZeroModes:
    """The Hessian's lowest eigenvectors at a factorisation, read as global GL(d) moves.

    ``generators[k]`` is the ``A`` whose :func:`orbit_tangent` is closest to eigenvector ``k``
    (least squares over all ``d x d`` matrices), and ``outside[k]`` the part of the (unit)
    eigenvector that no global GL(d) move explains. ``stretch`` is the unit symmetric matrix
    ``S`` spanned by the generators' symmetric parts (the non-rotation part), ``cosines`` the
    cosines of the principal angles between the eigenvectors' span and the span of the rotation
    and the stretch ``S`` directions (1: the same plane), ``stretch_curvature`` the Hessian's
    Rayleigh quotient along the stretch. ``axis`` is the unit vector that ``S`` stretches, and
    ``along`` / ``largest`` the largest component of a neighbour difference ``Z_t - Z_{t-1}``
    along ``axis`` and overall: a stretch changes no difference (so no coupling) when ``along`` is 0.
    """

    eigenvalues: np.ndarray
    generators: np.ndarray
    outside: np.ndarray
    stretch: np.ndarray
    cosines: np.ndarray
    stretch_curvature: float
    axis: np.ndarray
    along: float
    largest: float


def zero_modes(model, Z, count=2):
    """:class:`ZeroModes` of the fd Hessian of ``model`` (a :class:`DynamicFactorization`) at ``Z``:
    its ``count`` lowest eigenvectors fitted by global GL(d) moves."""
    d = model.d
    H = fd_hessian(model, Z)
    w, vecs = np.linalg.eigh(H)
    basis = np.stack([orbit_tangent(model, Z, E.reshape(d, d)) for E in np.eye(d * d)], axis=1)
    coef = np.linalg.lstsq(basis, vecs[:, :count], rcond=None)[0]
    outside = np.linalg.norm(vecs[:, :count] - basis @ coef, axis=0)
    A = coef.T.reshape(count, d, d)
    sym = (A + np.swapaxes(A, 1, 2)) / 2
    S = np.linalg.svd(sym.reshape(count, -1))[2][0].reshape(d, d)
    S = S * np.sign(np.trace(S) or 1.0)
    G = np.zeros((d, d))
    G[1, 0], G[0, 1] = 1.0, -1.0
    plane = np.linalg.qr(np.stack([orbit_tangent(model, Z, G), orbit_tangent(model, Z, S)], 1))[0]
    cosines = np.linalg.svd(plane.T @ vecs[:, :count], compute_uv=False)
    v = orbit_tangent(model, Z, S)
    axis = np.linalg.eigh(S)[1][:, -1]
    diffs = np.diff(Z, axis=0)
    return ZeroModes(w, A, outside, S, cosines, float(v @ H @ v / (v @ v)), axis,
                     float(np.abs(axis @ diffs).max()), float(np.abs(diffs).max()))


def gauge_repair(stall, group, polish=300, lr=0.02):
    """One exact gauge step with ``group`` links where GD stalled, then ``polish`` GD steps: ``L/L*``
    right after and after polishing, the walls left, the largest rotation the step applied."""
    Z, R = exact_gauge_step(stall.Z, group=group)
    after = optimize(stall.model, Z, "gd", polish, lr=lr).loss[-1]
    return {"right after": stall.model.loss(Z) / stall.optimum, "after polish": after / stall.optimum,
            "walls": count_walls(Z), "largest rotation (rad)": float(rotation_angle(R).max())}


def wall_survey(stall, group, seeds=range(8), steps=600, lr=0.02, k1=10):
    """GD + exact gauge step (``group`` links, every ``k1`` steps) from ``random_init(seed)`` (every
    entry N(0, 1)) on the model of ``stall``: ``loss / optimum`` and walls at the end, per seed."""
    ratios, walls = [], []
    for seed in seeds:
        Z0 = stall.model.random_init(np.random.default_rng(seed))
        res = optimize(stall.model, Z0, "gauge", steps, lr=lr, k1=k1, group=group)
        ratios.append(res.loss[-1] / stall.optimum)
        walls.append(count_walls(res.Z))
    return {"seed": list(seeds), "loss / optimum": np.array(ratios), "walls": walls}


def wall_outcomes(X, lam, wall, steps, lr=0.02, rng=0, T=10):
    """Plain GD from a wall before step ``wall`` at coupling ``lam``: ``L/L*`` at every iteration."""
    model = DynamicFactorization(X, 2, lam, T=T)
    Z_opt, Z0 = wall_start(model, X, wall, rng=rng)
    return optimize(model, Z0, "gd", steps, lr=lr).loss / model.loss(Z_opt)
