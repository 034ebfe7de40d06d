"""The symmetry group of one time step: rotations, reflections, their generators and logarithms.

The local losses are invariant under the orthogonal group O(d) (P1 §3.1); its connected part, the
rotations SO(d), is what the gauge fields ``R_t = exp(Gamma_t)`` reach (P1 Eqs. 12–13, P2 Eq. 4).
A reflection (determinant -1) is a separate, discrete symmetry that no exponential reaches.
Everything here acts on the last two axes and is batched over the leading ones.
"""
from __future__ import annotations

import numpy as np

from ._validate import (check_array, check_choice, check_float, check_int, check_rng, check_skew,
                        check_square)

GROUPS = ("SO", "O")


# --- drawing group elements -------------------------------------------------------------------
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


def reflection(d, axis=-1):
    """The reflection ``diag(1, ..., -1, ..., 1)`` flipping one axis: orthogonal, determinant -1.

    Parameters
    ----------
    d : int
        Dimension, ``>= 1``.
    axis : int
        The axis to flip (default the last), ``-d <= axis < d``.

    Returns
    -------
    numpy.ndarray of shape (d, d)
    """
    d = check_int("d", d, minimum=1)
    axis = check_int("axis", axis, minimum=-d, maximum=d - 1)
    F = np.eye(d)
    F[axis, axis] = -1.0
    return F


# --- generators (the Lie algebra so(d)) ---------------------------------------------------------
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
    upper = np.triu(scale * rng.standard_normal(shape), 1)
    return upper - np.swapaxes(upper, -1, -2)


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


def unit_generator(d, rng=None):
    """A skew-symmetric generator ``G`` of a rotation in one plane, normalised so that
    ``expm_skew(theta * G)`` rotates by exactly ``theta`` radians.

    ``G = v u^T - u v^T`` for orthonormal ``u, v``. Without ``rng`` the plane is that of the first
    two axes (for ``d = 2``, ``G = [[0, -1], [1, 0]]``, a counter-clockwise rotation); with ``rng``
    it is a uniformly random plane.

    Parameters
    ----------
    d : int
        Dimension, ``>= 2``.
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    numpy.ndarray of shape (d, d)
    """
    d = check_int("d", d, minimum=2)
    if rng is None:
        u, v = np.eye(d)[0], np.eye(d)[1]
    else:
        rng = check_rng("rng", rng)
        Q, _ = np.linalg.qr(rng.standard_normal((d, 2)))
        u, v = Q[:, 0], Q[:, 1]
    return np.outer(v, u) - np.outer(u, v)


def generator_components(Gamma):
    """The ``d(d-1)/2`` independent entries of skew matrices, as a vector.

    For ``d = 2`` this is the angle ``phi`` of ``Gamma = phi J`` (``J`` the 90° generator), for
    ``d = 3`` the rotation vector ``(Gamma_32, Gamma_13, Gamma_21)`` (axis times angle); in general
    the entries ``Gamma_ji`` with ``i < j``.

    Parameters
    ----------
    Gamma : array_like of shape (..., d, d)

    Returns
    -------
    numpy.ndarray of shape (..., d(d-1)/2)
    """
    G = check_square("Gamma", check_array("Gamma", Gamma))
    return _components(G)


def _components(G):
    d = G.shape[-1]
    if d == 3:
        return np.stack([G[..., 2, 1], G[..., 0, 2], G[..., 1, 0]], axis=-1)
    i, j = np.triu_indices(d, 1)
    return G[..., j, i]


# --- exponential and logarithm ------------------------------------------------------------------
def expm_skew(Gamma):
    """Exact matrix exponential of skew-symmetric matrices (P1 Eq. 12, P2 Eq. 4).

    ``i Gamma`` is Hermitian, so ``exp(Gamma) = V diag(exp(-i w)) V^H`` from its eigendecomposition;
    the result is orthogonal with determinant +1 to machine precision, for any size of ``Gamma``.
    This is the library's only exponential: the optimisers' gauge phases use it too.

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


def rotation_log(R):
    """Principal logarithm of rotation matrices: the skew ``Gamma`` with ``exp(Gamma) = R``.

    Uses the eigendecomposition of ``R`` (a normal matrix), so it holds in every dimension for
    rotation angles below ``pi``; at exactly ``pi`` one of the two logarithms is returned.

    Parameters
    ----------
    R : array_like of shape (..., d, d)
        Rotations (orthogonal, determinant +1).

    Returns
    -------
    numpy.ndarray of shape (..., d, d)
        Skew-symmetric.
    """
    R = check_square("R", check_array("R", R))
    err = np.abs(np.matmul(np.swapaxes(R, -1, -2), R) - np.eye(R.shape[-1])).max(initial=0.0)
    if err > 1e-6:
        raise ValueError(f"R must hold orthogonal matrices; max |R^T R - I| = {err:.2e}")
    if np.any(np.linalg.det(R) < 0):
        raise ValueError("R must hold rotations (determinant +1): a reflection has no real "
                         "logarithm")
    return _rotation_log(R)


def _rotation_log(R):
    w, V = np.linalg.eig(R)
    theta = np.angle(w)
    # V diag(i theta) V^-1; for degenerate eigenvalues theta is equal inside the eigenspace
    G = np.real(np.matmul(V * (1j * theta)[..., None, :], np.linalg.inv(V)))
    return 0.5 * (G - np.swapaxes(G, -1, -2))


def _unwrap_along_time(G):
    """Choose, for each t, the logarithm closest to that of t-1 (angles continue past pi).

    ``exp(G)`` is unchanged: for d = 2 the angle moves by multiples of ``2 pi``; for d = 3 the
    rotation vector ``w`` may be replaced by ``w - 2 pi k w/|w|``. Larger d is returned as is.
    """
    d = G.shape[-1]
    if d == 2:
        phi = np.unwrap(G[:, 1, 0])
        out = np.zeros_like(G)
        out[:, 1, 0], out[:, 0, 1] = phi, -phi
        return out
    if d != 3:
        return G
    w = _components(G).copy()
    for t in range(1, w.shape[0]):  # T small rotation vectors: a loop over time is cheap
        norm = np.linalg.norm(w[t])
        if norm < 1e-12:
            continue
        axis = w[t] / norm
        cands = [w[t] + 2 * np.pi * k * axis for k in (-1, 0, 1)]
        w[t] = min(cands, key=lambda c: float(np.sum((c - w[t - 1]) ** 2)))
    out = np.zeros_like(G)
    out[:, 2, 1], out[:, 0, 2], out[:, 1, 0] = w[:, 0], w[:, 1], w[:, 2]
    return out - np.swapaxes(out, 1, 2)


# --- angles -------------------------------------------------------------------------------------
def orientation(R):
    """Component of orthogonal matrices in O(d): ``+1`` for a rotation, ``-1`` for a reflection
    (the sign of the determinant), shape ``(...)``."""
    R = check_square("R", check_array("R", R))
    return np.sign(np.linalg.det(R))


def rotation_angle(R):
    """Geodesic angle of rotation matrices, ``sqrt(sum_k theta_k^2)`` over the rotation planes.

    For d = 2 this is ``|theta|``; for d = 3 the usual rotation angle. Shape ``(...)``.
    """
    R = check_square("R", check_array("R", R))
    ang = np.abs(np.angle(np.linalg.eigvals(R)))
    return np.sqrt(0.5 * np.sum(ang ** 2, axis=-1))


def planar_angle(R):
    """Signed angle in ``(-pi, pi]`` of 2 x 2 rotations, ``arctan2(R_10, R_00)``, shape ``(...)``.

    ``planar_angle(expm_skew(phi * J)) = phi`` for ``|phi| < pi``; unwrap along time with
    ``numpy.unwrap`` to follow an angle past ``pi``.
    """
    R = check_array("R", R)
    if R.ndim < 2 or R.shape[-2:] != (2, 2):
        raise ValueError(f"R must hold 2 x 2 rotations (shape (..., 2, 2)), got {R.shape}")
    return np.arctan2(R[..., 1, 0], R[..., 0, 0])


# --- the orthogonal Procrustes problem ----------------------------------------------------------
def procrustes(B, group="SO"):
    """Orthogonal ``U`` maximising ``tr(U B)`` (orthogonal Procrustes problem), batched.

    With ``B = Z_s Z_t^T`` this ``U`` minimises ``||Z_t - U Z_s||_F`` (Schönemann 1966; the exact
    gauge step of docs/architecture.md solves one per link). For ``"SO"`` the determinant is
    forced to +1 (Kabsch correction).
    """
    B = check_square("B", check_array("B", B))
    check_choice("group", group, GROUPS)
    return _procrustes(B, group)


def _procrustes(B, group):
    if group == "SO" and B.shape[-1] == 2:
        return _procrustes_so2(B)
    return _procrustes_svd(B, group)


def _procrustes_so2(B):
    """The SO(2) case in closed form: the rotation by ``theta`` has
    ``tr(U B) = cos(theta) (B_00 + B_11) + sin(theta) (B_01 - B_10)``, largest at
    ``theta = atan2(B_01 - B_10, B_00 + B_11)`` (the identity when both vanish). An optimiser
    solves one such problem per link at every gauge phase; this is several times cheaper than
    the batched SVD."""
    theta = np.arctan2(B[..., 0, 1] - B[..., 1, 0], B[..., 0, 0] + B[..., 1, 1])
    c, s = np.cos(theta), np.sin(theta)
    U = np.empty(B.shape)
    U[..., 0, 0] = c
    U[..., 0, 1] = -s
    U[..., 1, 0] = s
    U[..., 1, 1] = c
    return U


def _procrustes_svd(B, group):
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
