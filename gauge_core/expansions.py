"""The coupling restricted to local rotations, exactly and to second order in the gauge fields.

For rotations ``R_t = exp(Gamma_t)`` the change of the coupling ``psi(R Z) - psi(Z)`` (P1 Eq. 11,
:func:`exact_change`) depends on ``Z`` only through the ``d x d`` matrices ``M_{tt'} = Z_t Z_{t'}^T``
(P1 Eq. 15, :func:`transport_matrices`). P1 Eq. 14 (:func:`p1_objective`) expands it to second
order in ``Gamma`` for any coupling; P2 Eq. 6 (:func:`p2_objective`) writes the same expansion for
an unweighted chain but, as printed, misses ``+1/2 [Gamma_t, Gamma_{t-1}]``, which matters only
when SO(d) is non-abelian (``d >= 3``; chapter 05 measures it).

The three expansions the book compares take the same arguments ``(Gamma, Z, coupling)``.
"""
from __future__ import annotations

import numpy as np

from ._validate import check_array, check_bool, check_skew
from .coupling import check_coupling
from .lie import _expm_skew


def _swapT(A):
    return np.swapaxes(A, -1, -2)


def _check_Z(Z, coupling):
    check_coupling(coupling)
    Z = check_array("Z", Z, ndim=3)
    if Z.shape[0] != coupling.T:
        raise ValueError(f"Z must have T={coupling.T} time steps, got shape {Z.shape}")
    return Z


def _check(Gamma, Z, coupling):
    Z = _check_Z(Z, coupling)
    d = Z.shape[1]
    G = check_skew("Gamma", check_array("Gamma", Gamma, ndim=3, shape=(coupling.T, d, d)))
    return G, Z


def transport_matrices(Z, coupling):
    """``M_e = Z_a Z_b^T`` for every edge ``e = (a, b)`` of the coupling (P1 Eq. 15), shape ``(E, d, d)``."""
    return _transport(_check_Z(Z, coupling), coupling)


def _transport(Z, coupling):
    return np.matmul(Z[coupling.a], _swapT(Z[coupling.b]))


def exact_change(Gamma, Z, coupling):
    """Exact ``psi(exp(Gamma) Z) - psi(Z)`` (P1 Eq. 11), the reference for the expansions.

    Parameters
    ----------
    Gamma : array_like of shape (T, d, d)
        Skew-symmetric gauge fields.
    Z : array_like of shape (T, d, N)
    coupling : Coupling
        Any coupling: chain or ring, weighted or not.
    """
    G, Z = _check(Gamma, Z, coupling)
    return coupling.value(np.matmul(_expm_skew(G), Z)) - coupling.value(Z)


def p1_objective(Gamma, Z, coupling):
    """P1 Eq. 14: ``L''(Gamma) = sum_{t,t'} A_{tt'} Tr[(Gamma_{t'} + 1/2 (Gamma_{t'} - Gamma_t) Gamma_t) M_{tt'}]``.

    The sum runs over ordered pairs, i.e. both directions of each edge, with
    ``M_{tt'} = Z_t Z_{t'}^T`` (Eq. 15) and ``M_{t't} = M_{tt'}^T``. Equals
    ``psi(exp(Gamma) Z) - psi(Z)`` up to ``O(Gamma^3)`` in every dimension ``d``, for any coupling.

    Parameters
    ----------
    Gamma : array_like of shape (T, d, d)
        Skew-symmetric gauge fields ``Gamma_t = Gamma~_t - Gamma~_t^T``.
    Z : array_like of shape (T, d, N)
    coupling : Coupling
    """
    G, Z = _check(Gamma, Z, coupling)
    return _p1_value_and_grad(G, _transport(Z, coupling), coupling, need_grad=False)[0]


def p1_gradient(Gamma, Z, coupling):
    """Gradient of :func:`p1_objective` with respect to ``Gamma`` (shape ``(T, d, d)``).

    The gradient with respect to the unconstrained gauge fields ``Gamma~`` of P1 Eq. 13 is
    ``g - g^T``.
    """
    G, Z = _check(Gamma, Z, coupling)
    return _p1_value_and_grad(G, _transport(Z, coupling), coupling, need_grad=True)[1]


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


def p2_objective(Gamma, Z, coupling, commutator=False):
    """P2 Eq. 6 times ``lam``: ``lam sum_t Tr[(D_t - D_t^2/2) Z_{t-1} Z_t^T]`` with ``D_t = Gamma_t - Gamma_{t-1}``.

    As printed in P2 this matches ``psi(exp(Gamma) Z) - psi(Z)`` to second order only for ``d = 2``
    (SO(2) is abelian). With ``commutator=True`` the missing ``+1/2 [Gamma_t, Gamma_{t-1}]`` is added
    inside the trace, which makes it second-order exact in every ``d``.

    Parameters
    ----------
    Gamma : array_like of shape (T, d, d)
        Skew-symmetric gauge fields.
    Z : array_like of shape (T, d, N)
    coupling : Coupling
        An unweighted chain: P2 Eq. 6 is written for one coupling strength ``lam`` on the links
        ``(t-1, t)``. A ring or edge weights raise a ``ValueError`` (use :func:`p1_objective`).
    commutator : bool
        Add the commutator term.
    """
    G, Z = _check(Gamma, Z, coupling)
    if coupling.ring:
        raise ValueError("coupling must be a chain: P2 Eq. 6 has no closing link (T-1, 0); use "
                         "p1_objective for a ring")
    if np.any(coupling.weights != 1.0):
        raise ValueError("coupling must be unweighted: P2 Eq. 6 has one coupling strength lam; "
                         "use p1_objective for edge weights")
    commutator = check_bool("commutator", commutator)
    D = G[1:] - G[:-1]
    X = D - 0.5 * np.matmul(D, D)
    if commutator:
        X = X + 0.5 * (np.matmul(G[1:], G[:-1]) - np.matmul(G[:-1], G[1:]))
    M = np.matmul(Z[:-1], _swapT(Z[1:]))
    return coupling.lam * float(np.einsum("eij,eji->", X, M))
