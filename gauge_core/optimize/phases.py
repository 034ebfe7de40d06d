"""Gauge phases: P1's Goldstone-GD phase (Algorithm 1, lines 6–9) and the exact gauge step.

A gauge phase rotates every time step so as to lower the coupling ``psi`` without touching the
local losses. :class:`gauge_core.Run` calls one after every ``k1`` inner steps; :func:`goldstone_phase`
and :func:`dissect_phase` run P1's phase on their own, the latter keeping every intermediate step
(the same implementation, with a trace).

Each phase returns the new configuration and the map it applied to it (``Z -> R Z`` or, with P1's
truncated update, ``Z -> Z + Gamma Z``), so that an inner optimiser can move its state along.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_array, check_bool, check_choice, check_float, check_int
from ..coupling import check_coupling
from ..expansions import _p1_value_and_grad, _transport
from ..gauge.fixing import _exact_gauge_step
from ..lie import _expm_skew, _rotation_log, _unwrap_along_time

APPLY_RULES = ("exp", "linear")


class ExactPhase:
    """The exact chain gauge step as a gauge phase (one Procrustes problem per link)."""

    def __init__(self, group, reference):
        self.group, self.reference = group, reference

    def __call__(self, Z):
        Z_new, R = _exact_gauge_step(Z, self.group, self.reference)
        return Z_new, lambda A: np.matmul(R, A)


class GoldstonePhase:
    """P1's gauge phase with its persistent (warm-started) gauge fields ``Gamma~``."""

    def __init__(self, coupling, d, k2, step_scale, apply, warm_start):
        self.coupling, self.k2, self.step_scale = coupling, k2, step_scale
        self.apply, self.warm_start = apply, warm_start
        self.gauge_raw = np.zeros((coupling.T, d, d))  # P1's unconstrained Gamma~
        self.Lplus = coupling.laplacian_pinv

    def __call__(self, Z):
        return _goldstone_phase(Z, self.gauge_raw, self.coupling, self.Lplus, self.k2,
                                self.step_scale, self.apply, self.warm_start)


def goldstone_phase(Z, gauge_raw, coupling, Lplus=None, k2=10, step_scale=0.25, apply="exp",
                    warm_start=True):
    """One gauge phase of P1 Algorithm 1 (lines 6–9), updating ``gauge_raw`` in place.

    Line 6: ``M_{tt'}`` (Eq. 15) and ``rho' = step_scale * d / sum ||z_{t,i}||^2`` (Eq. 17 is
    ``step_scale = 1``; the authors' code uses 0.25). Lines 7–8: ``k2`` natural-gradient steps
    ``Gamma~ <- Gamma~ - rho' L^+ grad L''`` on Eq. 14. Line 9: ``Z_t <- exp(Gamma_t) Z_t`` (or the
    paper's truncation ``Z_t + Gamma_t Z_t`` with ``apply="linear"``). With ``warm_start`` the gauge
    fields are kept for the next phase, as in P1; otherwise they are reset to zero.

    Parameters
    ----------
    Z : array_like of shape (T, d, N)
    gauge_raw : numpy.ndarray of shape (T, d, d)
        P1's unconstrained gauge fields ``Gamma~``; updated in place.
    coupling : Coupling
    Lplus : array_like of shape (T, T), optional
        Pseudo-inverse of the coupling's Laplacian (default: ``coupling.laplacian_pinv``).
    k2 : int
        Natural-gradient steps, ``>= 0``.
    step_scale : float
        Factor on P1 Eq. 17, ``> 0``.
    apply : {"exp", "linear"}
    warm_start : bool

    Returns the new ``Z``.
    """
    check_coupling(coupling)
    Z = coupling.check_Z(Z)
    T, d, _ = Z.shape
    if not isinstance(gauge_raw, np.ndarray) or gauge_raw.dtype != np.float64:
        raise TypeError("gauge_raw must be a float64 numpy array (it is updated in place)")
    if gauge_raw.shape != (T, d, d):
        raise ValueError(f"gauge_raw must have shape (T, d, d) = {(T, d, d)} to match Z of shape "
                         f"{Z.shape}, got {gauge_raw.shape}")
    check_array("gauge_raw", gauge_raw, ndim=3, shape=(T, d, d))
    Lplus = coupling.laplacian_pinv if Lplus is None else check_array("Lplus", Lplus, ndim=2,
                                                                      shape=(T, T))
    k2 = check_int("k2", k2, minimum=0)
    step_scale = check_float("step_scale", step_scale, minimum=0.0, strict_min=True)
    check_choice("apply", apply, APPLY_RULES)
    warm_start = check_bool("warm_start", warm_start)
    return _goldstone_phase(Z, gauge_raw, coupling, Lplus, k2, step_scale, apply, warm_start)[0]


def _goldstone_phase(Z, gauge_raw, coupling, Lplus, k2, step_scale, apply, warm_start,
                     trace=None):
    """P1's phase, updating ``gauge_raw`` in place; returns ``(Z_new, applied_map)``.

    ``Lplus=None`` drops the preconditioner: the step is then the plain gradient with ``rho'``
    divided by the largest Laplacian eigenvalue. With a ``trace`` (a dict) every gauge field
    ``Gamma`` is appended to ``trace["gamma"]``, ``rho'`` is stored, and a step whose gauge fields
    are non-finite or above 1e6 stops the phase (``trace["diverged_at"]``) instead of running on.
    """
    T, d, _ = Z.shape
    M = _transport(Z, coupling)
    rho = step_scale * d / max(float(np.einsum("tdn,tdn->", Z, Z)), 1e-300)
    if Lplus is None:
        rho = rho / max(float(np.linalg.eigvalsh(coupling.laplacian)[-1]), 1e-300)
    G = gauge_raw - np.swapaxes(gauge_raw, 1, 2)
    if trace is not None:
        trace.update(rho=rho, gamma=[G.copy()], diverged_at=None)
    for j in range(k2):
        _, g = _p1_value_and_grad(G, M, coupling)
        g_raw = g - np.swapaxes(g, 1, 2)  # chain rule through Gamma = Gamma~ - Gamma~^T
        step = g_raw if Lplus is None else (Lplus @ g_raw.reshape(T, d * d)).reshape(T, d, d)
        if trace is None:
            gauge_raw -= rho * step
            G = gauge_raw - np.swapaxes(gauge_raw, 1, 2)
            continue
        new_raw = gauge_raw - rho * step
        G_new = new_raw - np.swapaxes(new_raw, 1, 2)
        if not np.all(np.isfinite(G_new)) or np.abs(G_new).max() > 1e6:
            trace["diverged_at"] = j + 1
            break
        gauge_raw[:] = new_raw
        G = G_new
        trace["gamma"].append(G.copy())
    if apply == "exp":
        R = _expm_skew(G)
        Z = np.matmul(R, Z)
        applied = lambda A: np.matmul(R, A)  # noqa: E731
    else:
        Z = Z + np.matmul(G, Z)
        applied = lambda A: A + np.matmul(G, A)  # noqa: E731
    if not warm_start:
        gauge_raw[:] = 0.0
    return Z, applied


@dataclass
class PhaseTrace:
    """Everything that happens inside one gauge phase (P1 Algorithm 1, lines 6–9).

    Attributes
    ----------
    rho : float
        The gauge step size ``rho'`` actually used (Eq. 17 times ``step_scale``; divided by the
        largest Laplacian eigenvalue when not preconditioned).
    gamma : numpy.ndarray of shape (k2 + 1, T, d, d)
        The skew gauge fields ``Gamma = Gamma~ - Gamma~^T`` before the first and after every
        natural-gradient step (entry 0 is the warm start).
    objective : numpy.ndarray of shape (k2 + 1,)
        ``L''(Gamma; M)`` (P1 Eq. 14) at each of them.
    exact : numpy.ndarray of shape (k2 + 1,)
        The exact change ``psi(exp(Gamma) Z) - psi(Z)`` (P1 Eq. 11) at each of them.
    best : float
        ``psi`` change of the exact optimum over rotations (the exact gauge step), the best any
        gauge phase can do.
    target : numpy.ndarray of shape (T, d, d)
        Logarithms of the exact optimum's rotations, with their mean over t removed (the global
        zero mode, which ``L^+`` leaves untouched): the profile the gauge fields aim at.
    Z_exp, Z_linear : numpy.ndarray of shape (T, d, N)
        The configuration after the transformation back with ``exp(Gamma)`` (exact) or with
        ``I + Gamma`` (P1 Algorithm 1 line 9).
    psi_before, psi_exp, psi_linear : float
        The coupling before and after either transformation back.
    norm_growth_linear : float
        ``||Z_linear|| / ||Z||``: ``I + Gamma`` is not orthogonal,
        ``(I+Gamma)^T (I+Gamma) = I - Gamma^2``.
    steps : int
        Natural-gradient steps done (fewer than ``k2`` if the iteration ran away).
    diverged_at : int or None
        Step at which the gauge fields became non-finite or absurdly large (> 1e6); the arrays then
        stop at the last finite step.
    """

    rho: float
    gamma: np.ndarray
    objective: np.ndarray
    exact: np.ndarray
    best: float
    target: np.ndarray
    Z_exp: np.ndarray
    Z_linear: np.ndarray
    psi_before: float
    psi_exp: float
    psi_linear: float
    norm_growth_linear: float
    steps: int
    diverged_at: int | None


def dissect_phase(Z, coupling, k2=10, step_scale=0.25, gauge_raw=None, precondition=True,
                  Lplus=None):
    """One gauge phase of P1 Algorithm 1, keeping every intermediate step.

    With ``precondition=True`` the steps are exactly those of :func:`goldstone_phase` (the same
    code, with a trace): ``M`` from Eq. 15, ``rho' = step_scale * d / sum ||z||^2`` (Eq. 17), then
    ``k2`` natural-gradient steps ``Gamma~ <- Gamma~ - rho' L^+ grad L''`` (Eq. 16). With
    ``precondition=False`` the ``L^+`` is dropped and the step becomes ``rho' / h_max`` (``h_max``
    the largest eigenvalue of ``L``), so the stiffest mode moves as fast as before and the soft
    ones ``h_max / h_nu`` times slower: plain gradient descent inside the symmetry subspace.

    Parameters
    ----------
    Z : array_like of shape (T, d, N)
        The configuration at the start of the phase (after the ``k1`` ordinary steps).
    coupling : Coupling
        The model's coupling (``model.coupling``).
    k2 : int
        Number of gauge steps, ``>= 0``.
    step_scale : float
        Factor on Eq. 17, ``> 0`` (P1 as printed: 1; the authors' code: 0.25).
    gauge_raw : array_like of shape (T, d, d), optional
        The unconstrained gauge fields ``Gamma~`` at the start (warm start); zeros by default.
        Not modified.
    precondition : bool
        Natural gradient with ``L^+`` (P1) or plain gradient.
    Lplus : array_like of shape (T, T), optional
        Precomputed pseudo-inverse of the Laplacian (default ``coupling.laplacian_pinv``).

    Returns
    -------
    PhaseTrace
    """
    check_coupling(coupling)
    Z = check_array("Z", Z, ndim=3)
    T, d, _ = Z.shape
    if T != coupling.T:
        raise ValueError(f"Z must have T={coupling.T} time steps, got shape {Z.shape}")
    k2 = check_int("k2", k2, minimum=0)
    step_scale = check_float("step_scale", step_scale, minimum=0.0, strict_min=True)
    raw = (np.zeros((T, d, d)) if gauge_raw is None
           else check_array("gauge_raw", gauge_raw, ndim=3, shape=(T, d, d)).copy())
    precondition = check_bool("precondition", precondition)
    if precondition:
        Lplus = coupling.laplacian_pinv if Lplus is None else check_array("Lplus", Lplus, ndim=2,
                                                                          shape=(T, T))
    else:
        Lplus = None
    trace = {}
    with np.errstate(all="ignore"):
        Z_exp = _goldstone_phase(Z, raw, coupling, Lplus, k2, step_scale, "exp", True, trace)[0]
    gammas = np.array(trace["gamma"])
    M = _transport(Z, coupling)
    psi0 = coupling.value(Z)
    objective = np.array([_p1_value_and_grad(G, M, coupling, need_grad=False)[0] for G in gammas])
    exact = np.array([coupling.value(np.matmul(_expm_skew(G), Z)) - psi0 for G in gammas])
    R_best = _exact_gauge_step(Z, "SO", "mean")[1]
    logs = _unwrap_along_time(_rotation_log(R_best))
    Z_lin = Z + np.matmul(gammas[-1], Z)
    norm0 = max(float(np.linalg.norm(Z)), 1e-300)
    return PhaseTrace(rho=trace["rho"], gamma=gammas, objective=objective, exact=exact,
                      best=coupling.value(np.matmul(R_best, Z)) - psi0,
                      target=logs - logs.mean(axis=0), Z_exp=Z_exp, Z_linear=Z_lin,
                      psi_before=psi0, psi_exp=coupling.value(Z_exp),
                      psi_linear=coupling.value(Z_lin),
                      norm_growth_linear=float(np.linalg.norm(Z_lin)) / norm0,
                      steps=gammas.shape[0] - 1, diverged_at=trace["diverged_at"])
