"""Rotations and reflections: the symmetry group of each time step.

The local losses are invariant under the orthogonal group O(d) (P1 §3.1); its connected part, the
rotations SO(d), is what the gauge fields ``R_t = exp(Gamma_t)`` reach (P1 Eqs. 12–13, P2 Eq. 4).
"""
from __future__ import annotations

import numpy as np

from ._validate import check_array, check_choice, check_float, check_int, check_rng, check_skew, check_square

GROUPS = ("SO", "O")


def random_rotation(d, rng, group="SO", size=None):
    """Haar-random orthogonal matrices.

    Parameters
    ----------
    d : int
        Dimension, ``>= 1``.
    rng : numpy.random.Generator or int
        Source of randomness.
    group : {"SO", "O"}
        ``"SO"``: determinant +1 (rotations). ``"O"``: rotations and reflections, each with
        probability 1/2.
    size : int, optional
        If given, return a stack of ``size`` independent matrices.

    Returns
    -------
    numpy.ndarray of shape (d, d) or (size, d, d)
    """
    d = check_int("d", d, minimum=1)
    rng = check_rng("rng", rng)
    check_choice("group", group, GROUPS)
    count = 1 if size is None else check_int("size", size, minimum=1)
    A = rng.standard_normal((count, d, d))
    Q, Rr = np.linalg.qr(A)
    Q = Q * np.sign(np.diagonal(Rr, axis1=1, axis2=2))[:, None, :]  # Haar measure (Mezzadri 2007)
    if group == "SO":
        flip = np.linalg.det(Q) < 0
        Q[flip, :, 0] *= -1.0
    return Q[0] if size is None else Q


def skew(A):
    """Skew-symmetric part ``A - A^T`` (P1 Eq. 13: ``Gamma_t = Gamma~_t - Gamma~_t^T``)."""
    A = check_square("A", check_array("A", A, ndim=(2, 3, 4)))
    return A - np.swapaxes(A, -1, -2)


def random_skew(d, rng, scale=1.0, size=None):
    """Random skew-symmetric matrices with i.i.d. ``N(0, scale^2)`` entries above the diagonal."""
    d = check_int("d", d, minimum=1)
    rng = check_rng("rng", rng)
    scale = check_float("scale", scale, minimum=0.0)
    shape = (d, d) if size is None else (check_int("size", size, minimum=1), d, d)
    return _skew_from_upper(scale * rng.standard_normal(shape))


def _skew_from_upper(A):
    upper = np.triu(A, 1)
    return upper - np.swapaxes(upper, -1, -2)


def expm_skew(Gamma):
    """Exact matrix exponential of skew-symmetric matrices (P1 Eq. 12, P2 Eq. 4).

    ``i Gamma`` is Hermitian, so ``exp(Gamma) = V diag(exp(-i w)) V^H`` from its eigendecomposition;
    the result is orthogonal with determinant +1 to machine precision, for any size of ``Gamma``.

    Parameters
    ----------
    Gamma : array_like of shape (..., d, d)
        Skew-symmetric (checked to 1e-8 relative).

    Returns
    -------
    numpy.ndarray of shape (..., d, d)
    """
    G = check_skew("Gamma", check_array("Gamma", Gamma))
    return _expm_skew(G)


def _expm_skew(G):
    w, V = np.linalg.eigh(1j * G)
    return np.real(np.matmul(V * np.exp(-1j * w)[..., None, :], np.conj(np.swapaxes(V, -1, -2))))


def rotation_angle(R):
    """Geodesic angle of rotation matrices, ``sqrt(sum_k theta_k^2)`` over the rotation planes.

    For d = 2 this is ``|theta|``; for d = 3 the usual rotation angle. Shape ``(...)``.
    """
    R = check_array("R", R)
    if R.ndim < 2 or R.shape[-1] != R.shape[-2]:
        raise ValueError(f"R must have shape (..., d, d), got {R.shape}")
    ang = np.abs(np.angle(np.linalg.eigvals(R)))
    return np.sqrt(0.5 * np.sum(ang ** 2, axis=-1))


def procrustes(B, group="SO"):
    """Orthogonal ``U`` maximising ``tr(U B)`` (orthogonal Procrustes problem), batched.

    With ``B = Z_s Z_t^T`` this ``U`` minimises ``||Z_t - U Z_s||_F`` (design.md §3). For ``"SO"``
    the determinant is forced to +1 (Kabsch correction).
    """
    B = check_array("B", B)
    if B.ndim < 2 or B.shape[-1] != B.shape[-2]:
        raise ValueError(f"B must have shape (..., d, d), got {B.shape}")
    check_choice("group", group, GROUPS)
    return _procrustes(B, group)


def _procrustes(B, group):
    P, _, Qh = np.linalg.svd(B)
    Q = np.swapaxes(Qh, -1, -2)
    U = np.matmul(Q, np.swapaxes(P, -1, -2))
    if group == "SO":
        det = np.sign(np.linalg.det(U))
        det = np.where(det == 0, 1.0, det)  # also works for a single (d, d) matrix (0-d det)
        Q = Q.copy()
        Q[..., :, -1] *= det[..., None]
        U = np.matmul(Q, np.swapaxes(P, -1, -2))
    return U
