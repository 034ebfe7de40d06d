"""From gapless to gapped: the Hessian in the symmetry subspace, before and after preconditioning.

Restricted to local rotations ``R_t = exp(Gamma_t)``, the loss changes only through the coupling
(P1 Eq. 11, P2 §3.2), so its curvature there is the Hessian of ``Gamma -> psi(exp(Gamma) Z)`` at
``Gamma = 0``. On a chain with every time step at the same configuration (the aligned minimum) it is
``L ⊗ K``: the chain Laplacian ``L`` (P1 Eq. 7) times a ``k x k`` matrix ``K`` set by the embeddings
(``k = d(d-1)/2`` rotation planes; for ``d = 2``, ``K = sum_i ||z_i||^2``). Its spectrum is the gapless
Goldstone dispersion (P2 §2.2, Fig. 1b), condition number ``O(T^2)``. Preconditioning with ``L^+``
(P1 Eq. 16) turns it into ``P ⊗ K`` with ``P`` the projector off the global rotation: the spectrum
is flat, independent of ``T`` and ``lam`` — the "gapped" picture of the Higgs mechanism (P2 §3.1,
digest §4.3).
"""
from __future__ import annotations

import math

import numpy as np

from ._validate import check_array, check_float, check_int
from .coupling import Coupling, dispersion
from .symmetry_subspace import transport_matrices

__all__ = ["so_basis", "symmetry_hessian", "preconditioned_spectrum", "condition_number",
           "predicted_gd_iterations"]


def so_basis(d):
    """The ``k = d(d-1)/2`` rotation generators ``G_p = E_ji - E_ij`` (``i < j``), shape ``(k, d, d)``.

    ``exp(phi G_p)`` rotates the ``(i, j)`` plane by the angle ``phi``, so coordinates in this basis
    are rotation angles. For ``d = 2`` the single generator is ``J = [[0, -1], [1, 0]]``.
    """
    d = check_int("d", d, minimum=2)
    pairs = [(i, j) for i in range(d) for j in range(i + 1, d)]
    G = np.zeros((len(pairs), d, d))
    for p, (i, j) in enumerate(pairs):
        G[p, j, i] = 1.0
        G[p, i, j] = -1.0
    return G


def _check_Z_coupling(Z, coupling):
    if not isinstance(coupling, Coupling):
        raise TypeError(f"coupling must be a gauge_core.Coupling, got {type(coupling).__name__}")
    Z = check_array("Z", Z, ndim=3)
    if Z.shape[0] != coupling.T:
        raise ValueError(f"Z must have T={coupling.T} time steps, got shape {Z.shape}")
    if Z.shape[1] < 2:
        raise ValueError(f"Z must have embedding dimension d >= 2 to rotate, got shape {Z.shape}")
    return Z


def symmetry_hessian(Z, coupling):
    """Hessian of ``x -> psi(exp(Gamma(x)) Z)`` at ``x = 0``, with ``Gamma_t = sum_p x_{t,p} G_p``.

    This is the curvature of the loss along local rotations (the "symmetry subspace", P1 §3.3,
    P2 §2.2): the local losses are flat there, so only the coupling ``psi`` contributes. Exact (from
    the second-order terms of P1 Eq. 14 / P2 Eq. 6 with the commutator), for any ``d``, chain or ring,
    weighted or not.

    Parameters
    ----------
    Z : array_like of shape (T, d, N)
    coupling : Coupling

    Returns
    -------
    numpy.ndarray of shape (T k, T k)
        Symmetric; index ``t * k + p`` is the angle in plane ``p`` (:func:`so_basis`) at step ``t``.
        At the aligned minimum (all ``Z_t`` equal) it equals ``L ⊗ K`` with
        ``K_pq = -Tr(G_p G_q Z_0 Z_0^T)`` (symmetrised); for ``d = 2``, ``K = ||Z_0||_F^2``.
    """
    Z = _check_Z_coupling(Z, coupling)
    T, d, _ = Z.shape
    G = so_basis(d)
    k = G.shape[0]
    M = transport_matrices(Z, coupling)                     # M_e = Z_a Z_b^T (P1 Eq. 15)
    S = np.einsum("pij,qjl,eli->epq", G, G, M)              # S_e[p, q] = Tr(G_p G_q M_e)
    ST = np.swapaxes(S, 1, 2)
    A = coupling.edge_strength[:, None, None]
    # psi(RZ) - psi(Z) = -sum_e A_e Tr[(exp(-Gamma_b) exp(Gamma_a) - I) M_e]; its second-order part
    # is -A Tr[(Gamma_a^2 / 2 + Gamma_b^2 / 2 - Gamma_b Gamma_a) M_e]
    diag = -0.5 * A * (S + ST)
    H4 = np.zeros((T, T, k, k))
    a, b = coupling.a, coupling.b
    np.add.at(H4, (a, a), diag)
    np.add.at(H4, (b, b), diag)
    np.add.at(H4, (a, b), A * ST)   # d^2/dx_{a,p} dx_{b,q} = A Tr(G_q G_p M_e)
    np.add.at(H4, (b, a), A * S)
    H = H4.transpose(0, 2, 1, 3).reshape(T * k, T * k)
    return 0.5 * (H + H.T)


def _pinv_sqrt(L, rtol=1e-10):
    w, V = np.linalg.eigh(L)
    keep = w > rtol * max(float(np.abs(w).max()), 1e-300)
    s = np.zeros_like(w)
    s[keep] = 1.0 / np.sqrt(w[keep])
    return (V * s) @ V.T


def preconditioned_spectrum(H, L):
    """Eigenvalues of ``(L^+ ⊗ I_k) H``: the symmetry-subspace curvature after P1's natural gradient.

    ``L^+`` (the pseudo-inverse of the coupling Laplacian, P1 Eq. 16) acts on the time index of
    each of the ``k`` rotation planes. The product is similar to the symmetric matrix
    ``(L^{+1/2} ⊗ I) H (L^{+1/2} ⊗ I)``, so its eigenvalues are real; they are returned sorted.
    At the aligned minimum they are ``k`` zeros (the global rotation, projected out) and the
    eigenvalues of ``K`` (see :func:`symmetry_hessian`), each ``T - 1`` times: a flat spectrum.

    Parameters
    ----------
    H : array_like of shape (T k, T k)
        A symmetric Hessian in the symmetry subspace, e.g. from :func:`symmetry_hessian`.
    L : array_like of shape (T, T)
        The coupling Laplacian (``Coupling.laplacian`` or :func:`chain_laplacian`).
    """
    L = check_array("L", L, ndim=2)
    T = L.shape[0]
    if L.shape != (T, T) or np.abs(L - L.T).max() > 1e-10 * max(1.0, np.abs(L).max()):
        raise ValueError(f"L must be a symmetric (T, T) matrix, got shape {L.shape}")
    H = check_array("H", H, ndim=2)
    n = H.shape[0]
    if H.shape != (n, n) or n % T:
        raise ValueError(f"H must be square with a size that is a multiple of T={T}, got {H.shape}")
    k = n // T
    P = np.kron(_pinv_sqrt(L), np.eye(k))
    return np.linalg.eigvalsh(P @ (0.5 * (H + H.T)) @ P)


def condition_number(eigenvalues, rtol=1e-9):
    """``max / min`` over the eigenvalues above ``rtol * max``: zero modes (global rotations) excluded.

    Parameters
    ----------
    eigenvalues : array_like
        Real eigenvalues, e.g. of :func:`symmetry_hessian` or :func:`preconditioned_spectrum`.
    rtol : float
        Eigenvalues with ``|h| <= rtol * max|h|`` count as zero modes.

    Returns
    -------
    float
        ``inf`` if a remaining eigenvalue is negative (not a minimum); ``1.0`` for a flat spectrum.
    """
    h = check_array("eigenvalues", eigenvalues, ndim=1)
    rtol = check_float("rtol", rtol, minimum=0.0)
    scale = float(np.abs(h).max())
    if scale == 0.0:
        raise ValueError("eigenvalues are all zero: no condition number")
    live = h[np.abs(h) > rtol * scale]
    if np.any(live < 0):
        return math.inf
    return float(live.max() / live.min())


def predicted_gd_iterations(T, lam, lr, tol=1e-6):
    """Plain-GD iterations until the slowest Goldstone twist has shrunk the loss gap by ``tol``.

    GD multiplies the amplitude of twist mode 1 by ``1 - lr h_1`` per step (design.md §2,
    :func:`gd_decay_factor`), ``h_1 = lam (2 - 2 cos(pi / T))``; the loss gap is quadratic in the
    amplitude, so it reaches ``tol`` times its start after ``ln(1/tol) / (-2 ln|1 - lr h_1|)`` steps.
    ``~ T^2 ln(1/tol) / (2 pi^2 lr lam)`` for large ``T``: the ``T^2`` law. Only the slowest mode is
    modelled; the step must also be stable for the model's stiff (radial) modes.

    Parameters
    ----------
    T : int
        Number of time steps, ``>= 2``.
    lam : float
        Coupling strength, ``> 0``.
    lr : float
        GD step size, ``0 < lr h_1 < 2``.
    tol : float
        Relative loss gap to reach, ``0 < tol < 1``.

    Returns
    -------
    float
    """
    T = check_int("T", T, minimum=2)
    lam = check_float("lam", lam, minimum=0.0, strict_min=True)
    lr = check_float("lr", lr, minimum=0.0, strict_min=True)
    tol = check_float("tol", tol, minimum=0.0, maximum=1.0, strict_min=True)
    h1 = dispersion(T, lam)[1]
    factor = abs(1.0 - lr * h1)
    if lr * h1 >= 2.0:
        raise ValueError(f"lr * h_1 = {lr * h1:.3g} >= 2: GD diverges along the slowest mode")
    if factor == 0.0 or tol == 1.0:
        return 1.0 if tol < 1.0 else 0.0
    return math.log(tol) / (2.0 * math.log(factor))
