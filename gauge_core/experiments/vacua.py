"""Chapters 00–02: symmetries, spontaneous symmetry breaking and reflection domain walls.

Chapter 00: :func:`gauge_speedups` (plain GD against the exact gauge method from the same random
starts) and :func:`efold_steps` (GD steps per e-fold of the slowest twist, at a fixed step size and
at the largest sensible one). Chapter 01: :func:`symmetry_data`, :func:`fitted_start`,
:func:`loss_changes`, :func:`group_check` (which models are invariant under O(d) and which under
all of GL(d)), :func:`exp_determinants`, :func:`undo_reflection`, :func:`hat_curvatures`.
Chapter 02: :func:`hat_chain_run`, :func:`uncoupled_sites`, :func:`chain_history`,
:func:`decay_factor`, :func:`cold_start`, :func:`scale_survey`, and the reflection domain walls of
:mod:`.domain_walls` (re-exported here): :func:`wall_data`, :func:`wall_start`, :func:`wall_stall`,
:func:`zero_modes` (the Hessian's null space as global GL(d) moves: a rotation and a stretch),
:func:`gauge_repair`, :func:`wall_survey`, :func:`wall_outcomes`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_float, check_int, check_rng
from ..gauge import exact_gauge_step, twist_profile
from ..lie import expm_skew, procrustes, random_rotation, random_skew
from ..models import DynamicFactorization, MexicanHatChain, best_factorization, hat_hessian
from ..optimize import Run, optimize
from ..spectra import fd_hessian, twist_amplitudes
from ..theory import gd_stability_limit, untwist_theory
from .domain_walls import (WallStall, ZeroModes, gauge_repair, orbit_tangent, wall_data,
                           wall_outcomes, wall_start, wall_stall, wall_survey, zero_modes)
from .runs import steps_to_converge

__all__ = ["SNAPSHOT_ITERATIONS", "Speedups", "gauge_speedups", "efold_steps", "symmetry_data",
           "fitted_start", "Changes", "loss_changes", "one_step_rotations", "random_invertible",
           "transform_factors", "group_check", "exp_determinants", "undo_reflection",
           "hat_curvatures", "MODES", "symmetry_scan", "hat_site_paths", "hat_directions",
           "hat_chain_run", "off_ring", "uncoupled_sites", "chain_history", "decay_factor",
           "cold_start", "scale_survey", "wall_data", "wall_start", "WallStall", "wall_stall",
           "orbit_tangent", "ZeroModes", "zero_modes", "gauge_repair", "wall_survey",
           "wall_outcomes"]

SNAPSHOT_ITERATIONS = (0, 1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700,
                       1000, 1500, 2000, 3000)


# --- chapter 00 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Speedups:
    """Iterations to converge (loss below ``tol`` of its start) for plain GD and GD + exact gauge
    step from the same random starts, one entry per seed."""

    seeds: tuple
    gd: np.ndarray
    gauge: np.ndarray

    def ratios(self):
        """Plain-GD iterations over gauge-method iterations, per seed."""
        return self.gd / self.gauge

    def table(self):
        return {"seed": list(self.seeds), "plain GD": self.gd, "GD + exact gauge step": self.gauge,
                "ratio": np.round(self.ratios(), 1)}


def gauge_speedups(T=32, lam=1.0, lr=0.02, seeds=(0, 1, 2), k1=10, tol=1e-6, max_steps=30000):
    """Plain GD against GD + exact gauge step (every ``k1`` steps) on the Mexican-hat chain, from
    ``model.random_init(seed)`` for every seed; each run stops once its loss is below ``tol`` of its
    start (the minimum is 0). A run that does not converge within ``max_steps`` counts as
    ``max_steps``."""
    model = MexicanHatChain(check_int("T", T, minimum=2), lam)
    counts = {"gd": [], "gauge": []}
    for seed in seeds:
        Z0 = model.random_init(np.random.default_rng(seed))
        for method in counts:
            n = steps_to_converge(model, Z0, method, 0.0, tol, max_steps, chunk=500, lr=lr, k1=k1)
            counts[method].append(max_steps if n is None else n)
    return Speedups(tuple(seeds), np.array(counts["gd"], float), np.array(counts["gauge"], float))


def efold_steps(T, lams, lr):
    """GD steps per e-fold of the slowest twist (:func:`gauge_core.untwist_theory`) for each
    coupling in ``lams``: at the fixed step ``lr`` (``inf`` where ``lr`` is above the stability
    limit, :func:`gauge_core.gd_stability_limit`), and at the step ``1 / h_max`` (half the
    limit, about ``1 / (8 + 4 lam)``). Returns a dict of arrays."""
    lams = np.atleast_1d(np.asarray(lams, dtype=float))
    limit = np.array([gd_stability_limit(T, lam) for lam in lams])
    fixed = np.array([untwist_theory(T, lam, lr) if lr < lim else np.inf
                      for lam, lim in zip(lams, limit)])
    scaled = np.array([untwist_theory(T, lam, lim / 2) for lam, lim in zip(lams, limit)])
    return {"lam": lams, f"steps at η = {lr:g}": fixed, "η = 1/h_max": limit / 2,
            "steps at η = 1/h_max": scaled}


# --- chapter 01 ------------------------------------------------------------------------------
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


@dataclass(frozen=True)
class Changes:
    """How far a transformation moved the embeddings, and the change of each part of the loss."""

    moved: float
    local: float
    coupling: float

    def __str__(self):
        return (f"embeddings moved by up to {self.moved:.2f};  Δ local loss = {self.local:+.1e},  "
                f"Δ coupling ψ = {self.coupling:+.3g}")


def loss_changes(model, Z, Z_new):
    """:class:`Changes` from ``Z`` to ``Z_new`` (coupling at the model's λ)."""
    return Changes(float(np.abs(Z_new - Z).max()), model.local_loss(Z_new) - model.local_loss(Z),
                   model.coupling_loss(Z_new) - model.coupling_loss(Z))


def one_step_rotations(T, d, step, angle):
    """Rotations ``(T, d, d)``: the identity except at ``step``, rotated by ``angle`` (radians) in
    the plane of the first two axes."""
    R = np.repeat(np.eye(d)[None], check_int("T", T, minimum=1), axis=0)
    G = np.zeros((d, d))
    G[1, 0], G[0, 1] = 1.0, -1.0
    R[check_int("step", step, minimum=-T, maximum=T - 1)] = expm_skew(float(angle) * G)
    return R


def random_invertible(d, rng, spread=0.5):
    """A random invertible, non-orthogonal ``d x d`` matrix ``Q_1 diag(exp(s)) Q_2`` (``s`` normal
    with standard deviation ``spread``): a stretch between two rotations."""
    rng = check_rng("rng", rng)
    s = rng.normal(0.0, check_float("spread", spread, minimum=0.0, strict_min=True), d)
    return random_rotation(d, rng) @ np.diag(np.exp(s)) @ random_rotation(d, rng)


def transform_factors(model, Z, A):
    """``U_t -> A U_t``, ``V_t -> A^{-T} V_t`` at every step: the factorisation's GL(d) action
    (``(A U)^T (A^{-T} V) = U^T V``)."""
    U, V = model.split(Z)
    out = np.empty_like(Z)
    out[:, :, :model.m] = A @ U
    out[:, :, model.m:] = np.linalg.solve(A.T, V)
    return out


def group_check(rng=0, d=2, T=6):
    """Which losses are invariant under a random orthogonal ``R`` and which under a random
    invertible ``A`` (:func:`random_invertible`), as relative changes of the loss, ``|Δloss| / loss``.

    Rows: the factorisation's local loss ``1/2 ||X - U^T V||^2`` (``U -> A U``, ``V -> A^{-T} V``);
    the same with a norm regulariser ``1/2 ||Z_t||^2`` added (as in P1's sparse model); the
    Mexican hat ``sum (|z|^2 - 1)^2`` (``z -> A z``); the coupling ψ of the factorisation under the
    same global transformation. Returns ``(rows, A)``: a dict row name -> ``(under R, under A)``,
    and the matrix ``A``.
    """
    rng = check_rng("rng", rng)
    X = symmetry_data(T, rng=rng)
    model = DynamicFactorization(X, d, 1.0)
    Z = fitted_start(X, d)
    hat = MexicanHatChain(T, 1.0, d=d, N=3)
    z = hat.random_init(rng)
    R, A = random_rotation(d, rng), random_invertible(d, rng)

    def rel(f, before, after):
        return abs(f(after) - f(before)) / abs(f(before))

    def regularised(W):
        return model.local_loss(W) + 0.5 * float(np.sum(W * W))

    rows = {}
    for name, f, g, W in (("factorisation, local loss", model.local_loss, transform_factors, Z),
                          ("factorisation + norm regulariser", regularised, transform_factors, Z),
                          ("Mexican hat, local loss", hat.local_loss, None, z),
                          ("coupling ψ (global transformation)", model.coupling_loss,
                           transform_factors, Z)):
        moved = [g(model, W, M) if g is not None else M @ W for M in (R, A)]
        rows[name] = tuple(rel(f, W, Wm) for Wm in moved)
    return rows, A


def exp_determinants(ds=(2, 3, 4, 5), count=1000, scale=3.0, rng=1):
    """Largest ``|det(exp(Γ)) - 1|`` over ``count`` random skew-symmetric ``Γ`` per dimension."""
    rng = check_rng("rng", rng)
    worst = 0.0
    for d in ds:
        dets = np.linalg.det(expm_skew(random_skew(d, rng, scale=scale, size=count)))
        worst = max(worst, float(np.abs(dets - 1.0).max()))
    return worst


def undo_reflection(Zt, F):
    """Residual ``||Z_t - Q F Z_t||`` of the best ``Q`` in SO(d) and in O(d) (Procrustes) that undoes
    the reflection ``F`` of one step: a dict ``{"SO": ..., "O": ...}``."""
    W = F @ Zt
    return {g: float(np.linalg.norm(Zt - procrustes(W @ Zt.T, g) @ W)) for g in ("SO", "O")}


def hat_curvatures(radius=1.0, angle=0.7):
    """The Mexican hat's curvatures at a point of its ring, from finite differences of the model's
    gradient (no formula): a dict with the two eigenvalues, ``|flat direction · rotation
    direction|``, the largest deviation from the closed form :func:`gauge_core.hat_hessian`, and
    the closed-form curvatures at the top ``z = 0``."""
    hat = MexicanHatChain(T=2, lam=0.0, d=2, N=1, radius=radius)
    z = radius * np.array([np.cos(angle), np.sin(angle)])
    H = fd_hessian(hat, np.stack([z[:, None]] * 2))[:2, :2]
    curv, dirs = np.linalg.eigh(H)
    tangent = np.array([-z[1], z[0]]) / radius
    return {"curvatures": curv, "overlap": float(abs(dirs[:, 0] @ tangent)),
            "closed_form_error": float(np.abs(H - hat_hessian(z, radius)).max()),
            "top": np.linalg.eigvalsh(hat_hessian(np.zeros(2), radius))}


MODES = ("global", "one", "random")


def symmetry_scan(X, d, angles, mode="global", step=0, reflect=False, rng=0):
    """Orthogonal transformations of :func:`fitted_start` by each angle (degrees) and what the loss
    makes of them: a dict with ``R`` ``(A, T, d, d)``, ``Z`` ``(A, T, d, N)``, ``local`` and
    ``coupling`` (ψ at λ = 1) per angle, ``before`` (both for the untransformed start) and the
    ``model``.

    ``mode``: ``"global"`` (the same rotation at every step, in the plane of the first two axes),
    ``"one"`` (step ``step`` only) or ``"random"`` (step ``t`` by ``f_t θ`` in a random plane, ``f_t``
    uniform in [-1, 1]; planes and factors drawn from ``rng + 1000``). ``reflect`` composes every
    acting rotation with :func:`gauge_core.reflection`.
    """
    from ..lie import reflection, unit_generator

    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    model = DynamicFactorization(X, d, 1.0)
    Z0 = fitted_start(X, d)
    T = model.T
    draw = np.random.default_rng(int(rng) + 1000)
    gens = np.stack([unit_generator(d, draw) for _ in range(T)])
    factors = draw.uniform(-1.0, 1.0, T)
    G = np.zeros((T, d, d))
    acting = np.ones(T, dtype=bool)
    if mode == "global":
        G[:] = unit_generator(d)
    elif mode == "one":
        G[step] = unit_generator(d)
        acting[:] = False
        acting[step] = True
    else:
        G = gens * factors[:, None, None]
    theta = np.radians(np.atleast_1d(np.asarray(angles, dtype=float)))
    R = expm_skew(theta[:, None, None, None] * G[None])
    if reflect:
        R = R @ np.where(acting[:, None, None], reflection(d), np.eye(d))[None]
    Z = R @ Z0[None]
    return {"R": R, "Z": Z, "local": np.array([model.local_loss(z) for z in Z]),
            "coupling": np.array([model.coupling_loss(z) for z in Z]), "model": model,
            "before": (model.local_loss(Z0), model.coupling_loss(Z0))}


def hat_site_paths(radius=1.0, n_sites=6, rng=0, steps=150):
    """Plain GD of ``n_sites`` independent sites in the Mexican hat of ring radius ``radius`` from
    random starts (N(0, (0.7 r)^2) entries) with step ``0.02 / r^2``: positions at every iteration,
    shape ``(steps + 1, n_sites, 2)``, and the step size."""
    model = MexicanHatChain(max(int(n_sites), 2), 0.0, d=2, N=1, radius=radius)
    Z0 = model.random_init(check_rng("rng", rng), "random", 0.7 * radius)
    lr = 0.02 / radius ** 2
    res = optimize(model, Z0, "gd", steps, lr=lr, snapshots=range(steps + 1))
    paths = np.stack([res.snapshots[k][:n_sites, :, 0] for k in sorted(res.snapshots)])
    return paths, lr


def hat_directions(point, radius=1.0, extent=0.9, samples=121):
    """The point of the ring nearest ``point``, its curved (radial) and flat (tangential) unit
    directions with their Hessian curvatures (:func:`gauge_core.hat_principal_curvatures`), and the
    loss along three lines through it: across the ring, along the tangent line, exactly along the
    ring, at distances ``s`` in ``[-extent r, extent r]``. A dict."""
    from ..models import hat_potential, hat_principal_curvatures

    point = np.asarray(point, dtype=float)
    z = radius * point / max(float(np.linalg.norm(point)), 1e-12)
    w, V = hat_principal_curvatures(z, radius)
    i = int(np.argmax(np.abs(V.T @ z)))
    e_r, e_t = V[:, i] * np.sign(V[:, i] @ z), V[:, 1 - i]
    s = np.linspace(-extent * radius, extent * radius, samples)
    phi = np.arctan2(z[1], z[0]) + s / radius
    ring = radius * np.stack([np.cos(phi), np.sin(phi)], axis=1)
    return {"point": z, "radial": e_r, "tangent": e_t, "k_radial": float(w[i]),
            "k_tangent": float(w[1 - i]), "s": s,
            "across": hat_potential(z + s[:, None] * e_r, radius),
            "along_tangent": hat_potential(z + s[:, None] * e_t, radius),
            "along_ring": hat_potential(ring, radius)}


# --- chapter 02: symmetry breaking on the Mexican-hat chain ----------------------------------
def hat_chain_run(T, lam, init, scale, rng, lr, snapshots=SNAPSHOT_ITERATIONS):
    """A plain-GD :class:`gauge_core.Run` on ``MexicanHatChain(T, lam, d=2)`` from a start drawn
    from ``rng`` (``model.random_init(rng, init, scale)``), keeping snapshots at the given
    iterations. Advance it with ``run.advance(k)``."""
    model = MexicanHatChain(T, lam, d=2, N=1)
    Z0 = model.random_init(check_rng("rng", rng), init, scale)
    return Run(model, Z0, "gd", lr=lr, snapshots=snapshots)


def _angles(Z):
    return np.arctan2(Z[:, 1, 0], Z[:, 0, 0])


def off_ring(Z, radius=1.0):
    """Largest distance of a ``(T, 2, 1)`` configuration's vectors from the ring ``|z| = radius``."""
    return float(np.abs(np.sqrt(np.sum(Z[:, :, 0] ** 2, axis=1)) - radius).max())


def uncoupled_sites(n=200, steps=300, scale=0.5, lr=0.03, rng=0):
    """``n`` independent sites in the Mexican hat (λ = 0) after ``steps`` of GD: the farthest
    distance from the ring, the largest change of direction (rad), and the mean resultant length
    ``|mean exp(iθ)|`` of the final directions (1: all aligned; about ``1/sqrt(n)``: no preferred
    direction)."""
    sites = MexicanHatChain(T=check_int("n", n, minimum=2), lam=0.0, d=2, N=1)
    Z0 = sites.random_init(check_rng("rng", rng), "random", scale)
    Z = optimize(sites, Z0, "gd", steps, lr=lr).Z
    turned = np.abs(np.angle(np.exp(1j * (_angles(Z) - _angles(Z0))))).max()
    return {"off_ring": off_ring(Z), "turned": float(turned),
            "spread": float(np.abs(np.exp(1j * _angles(Z)).mean()))}


def chain_history(run, iterations):
    """At each snapshot iteration of a :func:`hat_chain_run`: the farthest site from the ring, the
    span of the twist profile (rad), the slowest twist's amplitude ``|a_1|`` and the loss."""
    Zs = [run.snapshots[k] for k in iterations]
    return {"iteration": list(iterations), "off ring": [off_ring(Z) for Z in Zs],
            "twist span (rad)": [float(np.ptp(twist_profile(Z))) for Z in Zs],
            "|a_1| (rad)": [float(abs(twist_amplitudes(Z)[1])) for Z in Zs],
            "loss": [float(run.loss[k]) for k in iterations]}


def decay_factor(run, k0, k1):
    """Measured per-step factor of the slowest twist between snapshots ``k0 < k1``:
    ``(a_1(k1) / a_1(k0))^(1 / (k1 - k0))``."""
    a0, a1 = (twist_amplitudes(run.snapshots[k])[1] for k in (k0, k1))
    return float((a1 / a0) ** (1.0 / (k1 - k0)))


def cold_start(T, lam, lr, steps=200, below=1e-8, rng=0):
    """An aligned ("cold") start: its largest twist after ``steps`` GD steps and the first
    iteration with loss ``<= below``."""
    run = hat_chain_run(T, lam, "aligned", 1.0, rng, lr, snapshots=())
    run.advance(steps)
    hit = np.flatnonzero(np.asarray(run.loss) <= below)
    return {"twist": float(np.abs(twist_profile(run.Z)).max()),
            "iterations": int(hit[0]) if hit.size else None}


def scale_survey(T, lam, lr, scales=(1.0, 1e-3), seeds=range(5), at=300, late=1000):
    """Random starts at several scales: the mean slowest-twist amplitude ``|a_1|`` at iteration
    ``at`` and the lowest loss at iteration ``late`` over ``seeds``, per scale (dicts)."""
    amplitude, lowest = {}, {}
    for scale in scales:
        runs = [hat_chain_run(T, lam, "random", scale, s, lr, snapshots=(at,)) for s in seeds]
        for r in runs:
            r.advance(late)
        amplitude[scale] = float(np.mean([abs(twist_amplitudes(r.snapshots[at])[1])
                                          for r in runs]))
        lowest[scale] = float(min(r.loss[late] for r in runs))
    return {"scale": list(scales), f"mean |a_1| at iteration {at}": list(amplitude.values()),
            f"lowest loss at iteration {late}": list(lowest.values())}
