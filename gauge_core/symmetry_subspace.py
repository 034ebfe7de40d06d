"""The coupling restricted to local rotations, to second order in the gauge fields.

For rotations ``R_t = exp(Gamma_t)`` the change of the coupling ``psi(R Z) - psi(Z)`` (P1 Eq. 11)
depends on ``Z`` only through the ``d x d`` matrices ``M_{tt'} = Z_t Z_{t'}^T`` (P1 Eq. 15). P1
Eq. 14 expands it to second order in ``Gamma``; P2 Eq. 6 writes the same expansion for a chain
but, as printed, misses ``+1/2 [Gamma_t, Gamma_{t-1}]``, which matters only when SO(d) is
non-abelian (``d >= 3``; design.md §5).
"""
from __future__ import annotations

import numpy as np

from ._validate import check_array, check_bool, check_skew
from .coupling import Coupling


def _swapT(A):
    return np.swapaxes(A, -1, -2)


def transport_matrices(Z, coupling):
    """``M_e = Z_a Z_b^T`` for every edge ``e = (a, b)`` of the coupling (P1 Eq. 15), shape ``(E, d, d)``."""
    _check_coupling(coupling)
    Z = _check_Z(Z, coupling)
    return _transport(Z, coupling)


def _transport(Z, coupling):
    return np.matmul(Z[coupling.a], _swapT(Z[coupling.b]))


def _check_coupling(coupling):
    if not isinstance(coupling, Coupling):
        raise TypeError(f"coupling must be a gauge_core.Coupling, got {type(coupling).__name__}")


def _check_Z(Z, coupling):
    Z = check_array("Z", Z, ndim=3)
    if Z.shape[0] != coupling.T:
        raise ValueError(f"Z must have T={coupling.T} time steps, got shape {Z.shape}")
    return Z


def _check_gamma_M(Gamma, M, coupling):
    _check_coupling(coupling)
    M = check_array("M", M, ndim=3)
    E, d = len(coupling.a), M.shape[1]
    if M.shape != (E, d, d):
        raise ValueError(f"M must have shape ({E}, d, d), one matrix per edge, got {M.shape}")
    G = check_skew("Gamma", check_array("Gamma", Gamma, ndim=3, shape=(coupling.T, d, d)))
    return G, M


def coupling_change(Z, Gamma, coupling):
    """Exact ``psi(exp(Gamma) Z) - psi(Z)`` (P1 Eq. 11), for checking the expansions."""
    Z, G = _check(Z, Gamma, coupling)
    from .rotations import _expm_skew

    return coupling.value(np.matmul(_expm_skew(G), Z)) - coupling.value(Z)


def _check(Z, Gamma, coupling):
    _check_coupling(coupling)
    Z = _check_Z(Z, coupling)
    d = Z.shape[1]
    G = check_skew("Gamma", check_array("Gamma", Gamma, ndim=3, shape=(coupling.T, d, d)))
    return Z, G


def p1_objective(Gamma, M, coupling):
    """P1 Eq. 14: ``L''(Gamma; M) = sum_{t,t'} A_{tt'} Tr[(Gamma_{t'} + 1/2 (Gamma_{t'} - Gamma_t) Gamma_t) M_{tt'}]``.

    The sum runs over ordered pairs, i.e. both directions of each edge, with
    ``M_{t't} = M_{tt'}^T``. Equals ``psi(exp(Gamma) Z) - psi(Z)`` up to ``O(Gamma^3)`` in every
    dimension ``d``.

    Parameters
    ----------
    Gamma : numpy.ndarray of shape (T, d, d)
        Skew-symmetric gauge fields ``Gamma_t = Gamma~_t - Gamma~_t^T``.
    M : numpy.ndarray of shape (E, d, d)
        :func:`transport_matrices` of the current ``Z``.
    coupling : Coupling
    """
    G, M = _check_gamma_M(Gamma, M, coupling)
    return _p1_value_and_grad(G, M, coupling, need_grad=False)[0]


def p1_gradient(Gamma, M, coupling):
    """Gradient of :func:`p1_objective` with respect to ``Gamma`` (shape ``(T, d, d)``).

    The gradient with respect to the unconstrained gauge fields ``Gamma~`` of P1 Eq. 13 is
    ``g - g^T``.
    """
    G, M = _check_gamma_M(Gamma, M, coupling)
    return _p1_value_and_grad(G, M, coupling, need_grad=True)[1]


def _p1_value_and_grad(Gamma, M, coupling, need_grad=True):
    A = coupling.edge_strength[:, None, None]
    Ga, Gb = Gamma[coupling.a], Gamma[coupling.b]
    MT = _swapT(M)
    # the two orientations of each edge (a, b): (t, t') = (a, b) with M_ab, and (b, a) with M_ab^T
    X_ab = Gb + 0.5 * np.matmul(Gb - Ga, Ga)
    X_ba = Ga + 0.5 * np.matmul(Ga - Gb, Gb)
    value = float(np.sum(A * (np.matmul(X_ab, M).trace(axis1=1, axis2=2)[:, None, None]
                              + np.matmul(X_ba, MT).trace(axis1=1, axis2=2)[:, None, None]))) / 1.0
    if not need_grad:
        return value, None
    GaT, GbT = _swapT(Ga), _swapT(Gb)
    # d/dGamma_u Tr[(G_u + G_u G_t / 2) M_tu] = M^T + M^T G_t^T / 2
    # d/dGamma_t Tr[(G_u G_t - G_t G_t) M_tu] / 2 = (G_u^T M^T - M^T G_t^T - G_t^T M^T) / 2
    # orientation (t, u) = (a, b) uses M; (b, a) uses M^T, whose transpose is M
    to_b = MT + 0.5 * np.matmul(MT, GaT) + 0.5 * (np.matmul(GaT, M) - np.matmul(M, GbT)
                                                 - np.matmul(GbT, M))
    to_a = M + 0.5 * np.matmul(M, GbT) + 0.5 * (np.matmul(GbT, MT) - np.matmul(MT, GaT)
                                               - np.matmul(GaT, MT))
    grad = coupling.scatter(A * to_a, "a") + coupling.scatter(A * to_b, "b")
    return value, grad


def p2_objective(Gamma, Z, lam, commutator=False):
    """P2 Eq. 6 times ``lam``: ``lam sum_t Tr[(D_t - D_t^2/2) Z_{t-1} Z_t^T]`` with ``D_t = Gamma_t - Gamma_{t-1}``.

    As printed in P2 this matches ``psi(exp(Gamma) Z) - psi(Z)`` to second order only for ``d = 2``
    (SO(2) is abelian). With ``commutator=True`` the missing ``+1/2 [Gamma_t, Gamma_{t-1}]`` is added
    inside the trace, which makes it second-order exact in every ``d`` (design.md §5).

    Parameters
    ----------
    Gamma : array_like of shape (T, d, d)
        Skew-symmetric gauge fields.
    Z : array_like of shape (T, d, N)
    lam : float
        Coupling strength of an unweighted chain.
    commutator : bool
        Add the commutator term.
    """
    from ._validate import check_float

    lam = check_float("lam", lam, minimum=0.0)
    commutator = check_bool("commutator", commutator)
    Z = check_array("Z", Z, ndim=3)
    if Z.shape[0] < 2:
        raise ValueError(f"Z must have at least 2 time steps (shape (T, d, N)), got {Z.shape}")
    Z, G = _check(Z, Gamma, Coupling(Z.shape[0], lam))
    D = G[1:] - G[:-1]
    X = D - 0.5 * np.matmul(D, D)
    if commutator:
        X = X + 0.5 * (np.matmul(G[1:], G[:-1]) - np.matmul(G[:-1], G[1:]))
    M = np.matmul(Z[:-1], _swapT(Z[1:]))
    return lam * float(np.einsum("eij,eji->", X, M))
