"""Local (gauge) transformations, link variables and holonomy.

Giving the embeddings a "charge" (P2 §3.2) means letting every time step carry its own rotation
``R_t = exp(Gamma_t)``. The loss ``L'(Z; Gamma) = L(R_1 Z_1, ..., R_T Z_T)`` (P2 Eq. 5) is then
invariant under gauge transformations, and the coupling only sees the *link variables*
``U_t = R_t^T R_{t-1}`` through the covariant difference ``Z_t - U_t Z_{t-1}`` (the lattice
covariant derivative of P2 §3.2).
"""
from __future__ import annotations

import numpy as np

from .._validate import check_array, check_bool, check_skew
from ..lie import _expm_skew
from ..models.base import check_model


def check_Z(Z, name="Z"):
    """A configuration ``(T, d, N)`` with at least two time steps, as a float64 array."""
    Z = check_array(name, Z, ndim=3)
    if Z.shape[0] < 2:
        raise ValueError(f"{name} must have at least 2 time steps (shape (T, d, N)), got {Z.shape}")
    return Z


def check_rotations(R, T, d, name="R"):
    """``(T, d, d)`` orthogonal matrices (``R^T R = I`` to 1e-6)."""
    R = check_array(name, R, ndim=3, shape=(T, d, d))
    err = np.abs(np.matmul(np.swapaxes(R, 1, 2), R) - np.eye(d)).max()
    if err > 1e-6:
        raise ValueError(f"{name} must hold orthogonal matrices (R^T R = I); max error {err:.2e}")
    return R


def apply_rotations(Z, R):
    """The local (gauge) transformation ``Z_t -> R_t Z_t`` for every t.

    Parameters
    ----------
    Z : array_like of shape (T, d, N)
    R : array_like of shape (T, d, d) or (d, d)
        Orthogonal matrices, one per time step, or one for all (a global rotation).

    Returns
    -------
    numpy.ndarray of shape (T, d, N)
    """
    Z = check_Z(Z)
    T, d, _ = Z.shape
    R = check_array("R", R, ndim=(2, 3))
    if R.ndim == 2:
        R = np.broadcast_to(R, (T,) + R.shape)
    check_rotations(R, T, d)
    return np.matmul(R, Z)


def gauge_invariant_loss(model, Z, Gamma):
    """``L'(Z; Gamma) = L(exp(Gamma_1) Z_1, ..., exp(Gamma_T) Z_T)`` (P2 Eq. 5).

    Parameters
    ----------
    model : EmbeddingModel
    Z : array_like of shape (T, d, N)
    Gamma : array_like of shape (T, d, d)
        Skew-symmetric gauge fields.
    """
    check_model(model)
    Z = model.check_Z(Z)
    G = check_array("Gamma", Gamma, ndim=3, shape=(model.T, model.d, model.d))
    return model.loss(np.matmul(_expm_skew(check_skew("Gamma", G)), Z))


def gauge_transform(Z, Gamma, Gamma_new):
    """Move to new gauge fields keeping ``L'`` fixed (P2 §3.2, after Eq. 5).

    Returns ``Z~_t = exp(-Gamma~_t) exp(Gamma_t) Z_t`` so that ``L'(Z~; Gamma~) = L'(Z; Gamma)``: the
    embeddings and the gauge fields both move, the physics does not.
    """
    Z = check_Z(Z)
    T, d, _ = Z.shape
    G = check_skew("Gamma", check_array("Gamma", Gamma, ndim=3, shape=(T, d, d)))
    Gn = check_skew("Gamma_new", check_array("Gamma_new", Gamma_new, ndim=3, shape=(T, d, d)))
    return np.matmul(np.matmul(_expm_skew(-Gn), _expm_skew(G)), Z)


def link_variables(R, ring=False):
    """Link variables ``U_t = R_t^T R_{t-1}`` (P2 §3.2), shape ``(T-1, d, d)``.

    With ``ring=True`` a last link ``U_0 = R_0^T R_{T-1}`` closes the loop (shape ``(T, d, d)``).
    The coupling of rotated embeddings is ``||R_t Z_t - R_{t-1} Z_{t-1}|| = ||Z_t - U_t Z_{t-1}||``.
    """
    R = check_array("R", R, ndim=3)
    if R.shape[0] < 2 or R.shape[1] != R.shape[2]:
        raise ValueError(f"R must have shape (T, d, d) with T >= 2, got {R.shape}")
    check_rotations(R, *R.shape[:2])
    U = np.matmul(np.swapaxes(R[1:], 1, 2), R[:-1])
    if check_bool("ring", ring):
        U = np.concatenate([U, (R[0].T @ R[-1])[None]])
    return U


def covariant_difference(Z, U):
    """Lattice covariant difference ``D_t Z = Z_t - U_t Z_{t-1}`` for each link, shape ``(T-1, d, N)``."""
    Z = check_Z(Z)
    T, d, _ = Z.shape
    U = check_array("U", U, ndim=3, shape=(T - 1, d, d))
    return Z[1:] - np.matmul(U, Z[:-1])


def holonomy(U):
    """Ordered product of the links around a loop, ``U_{T-1} ... U_1 U_0`` (a Wilson loop).

    On a ring this is gauge-covariant (its rotation angle is gauge invariant) and cannot be removed
    by any local rotation: it measures the winding trapped in the loop.
    """
    U = check_array("U", U, ndim=3)
    if U.shape[1] != U.shape[2]:
        raise ValueError(f"U must have shape (K, d, d) (square links), got {U.shape}")
    P = np.eye(U.shape[1])
    for link in U:  # the only loop over T: a product of d x d matrices
        P = link @ P
    return P
