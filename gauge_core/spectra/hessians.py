"""Hessians: the full (finite-difference) Hessian, its angular and radial branches, and the
curvature along local rotations before and after P1's ``L^+`` preconditioning.

Restricted to local rotations ``R_t = exp(Gamma_t)``, the loss changes only through the coupling
(P1 Eq. 11, P2 §3.2), so its curvature there is the Hessian of ``Gamma -> psi(exp(Gamma) Z)`` at
``Gamma = 0``. On a chain with every time step at the same configuration (the aligned minimum) it is
``L ⊗ K``: the chain Laplacian ``L`` (P1 Eq. 7) times a ``k x k`` matrix ``K`` set by the embeddings
(``k = d(d-1)/2`` rotation planes; for ``d = 2``, ``K = sum_i ||z_i||^2``). Its spectrum is the gapless
Goldstone dispersion (P2 §2.2, Fig. 1b), condition number ``O(T^2)``. Preconditioning with ``L^+``
(P1 Eq. 16) turns it into ``P ⊗ K`` with ``P`` the projector off the global rotation: the spectrum
is flat, independent of ``T`` and ``lam`` (the "gapped" picture of the Higgs mechanism, P2 §3.1).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validate import check_array, check_float
from ..coupling import check_coupling
from ..expansions import _transport
from ..lie import so_basis
from ..models.base import check_model
from ..models.hat import MexicanHatChain
from .modes import twist_mode


def fd_hessian(model, Z, eps=1e-5):
    """Finite-difference Hessian of ``model.loss`` at ``Z`` from central differences of the gradient.

    Symmetrised. Meant for small systems (at most 3000 parameters).

    Parameters
    ----------
    model : EmbeddingModel
    Z : array_like of shape model.shape
    eps : float
        Step of the central differences, ``> 0``.

    Returns
    -------
    numpy.ndarray of shape (n, n), ``n = T * d * N``, in ``Z.ravel()`` order.
    """
    check_model(model)
    Z = model.check_Z(Z)
    eps = check_float("eps", eps, minimum=0.0, strict_min=True)
    n = Z.size
    if n > 3000:
        raise ValueError(f"Z has {n} parameters; fd_hessian is limited to 3000 (use a smaller model)")
    H = np.empty((n, n))
    flat = Z.ravel().copy()
    for k in range(n):  # one column per parameter: fine for the small systems this is for
        flat[k] += eps
        gp = model.grad(flat.reshape(Z.shape)).ravel()
        flat[k] -= 2 * eps
        gm = model.grad(flat.reshape(Z.shape)).ravel()
        flat[k] += eps
        H[:, k] = (gp - gm) / (2 * eps)
    return 0.5 * (H + H.T)


@dataclass
class HessianBranches:
    """The finite-difference Hessian of a ``d = 2`` model, split into its two branches.

    Attributes
    ----------
    angular : numpy.ndarray of shape (T * N,)
        Sorted eigenvalues of the Hessian restricted to the tangent (rotation) directions
        ``J z_{t,i} / |z_{t,i}|``: the Goldstone branch.
    radial : numpy.ndarray of shape (T * N,)
        Sorted eigenvalues restricted to the radial directions ``z_{t,i} / |z_{t,i}|``.
    eigenvalues : numpy.ndarray of shape (2 T N,)
        Sorted eigenvalues of the whole Hessian.
    off_block : float
        Largest ``|H|`` entry coupling a tangent to a radial direction (zero at the aligned minimum,
        so the two lists together are then exactly the whole spectrum).
    hessian : numpy.ndarray of shape (2 T N, 2 T N)
    """

    angular: np.ndarray
    radial: np.ndarray
    eigenvalues: np.ndarray
    off_block: float
    hessian: np.ndarray


def _check_planar(model):
    check_model(model)
    if model.d != 2:
        raise ValueError(f"model must have d = 2 (planar embeddings), got d = {model.d}")


def hessian_branches(model, Z=None, eps=1e-5):
    """Finite-difference Hessian at ``Z`` and its angular and radial branches (P2 Fig. 1b).

    Parameters
    ----------
    model : EmbeddingModel
        A model with ``d = 2``, typically :class:`MexicanHatChain`.
    Z : array_like of shape (T, 2, N), optional
        Where to take the Hessian; no vector may be zero. Default: the aligned minimum
        ``twist_mode(T, 1, 0.0, N=N, radius=model.radius)`` of a :class:`MexicanHatChain`.
    eps : float
        Central-difference step of :func:`fd_hessian`.

    Returns
    -------
    HessianBranches
    """
    _check_planar(model)
    if Z is None:
        if not isinstance(model, MexicanHatChain):
            raise ValueError("Z must be given for models other than MexicanHatChain")
        Z = twist_mode(model.T, 1, 0.0, d=2, N=model.N, radius=model.radius)
    Z = model.check_Z(Z)
    H = fd_hessian(model, Z, eps)
    T, d, N = Z.shape
    norms = np.linalg.norm(Z, axis=1)  # (T, N)
    if np.any(norms < 1e-12):
        raise ValueError("Z has a zero vector: its tangent and radial directions are undefined")
    u = Z / norms[:, None, :]  # radial unit vectors, (T, 2, N)
    v = np.stack([-u[:, 1], u[:, 0]], axis=1)  # tangent: J u
    m = T * N
    P_rad = np.zeros((m, Z.size))
    P_ang = np.zeros((m, Z.size))
    rows = np.arange(m)
    t, i = np.divmod(rows, N)
    for k in range(2):  # flat index of component k of vector (t, i) in Z.ravel()
        cols = t * d * N + k * N + i
        P_rad[rows, cols] = u[t, k, i]
        P_ang[rows, cols] = v[t, k, i]
    H_ang = P_ang @ H @ P_ang.T
    H_rad = P_rad @ H @ P_rad.T
    off = float(np.abs(P_ang @ H @ P_rad.T).max())
    return HessianBranches(angular=np.linalg.eigvalsh(H_ang), radial=np.linalg.eigvalsh(H_rad),
                           eigenvalues=np.linalg.eigvalsh(H), off_block=off, hessian=H)


def _check_Z_coupling(Z, coupling):
    check_coupling(coupling)
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
    M = _transport(Z, coupling)                             # M_e = Z_a Z_b^T (P1 Eq. 15)
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
