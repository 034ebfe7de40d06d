"""The vacuum manifold: the Mexican hat's ring of minima, rotations versus reflections, and
reflection domain walls.

Chapters 01 and 02 of the book use these tools.

- The Mexican hat ``l(z) = (||z||^2 - r^2)^2`` (digest §7.1 Toy A; the potential drawn in P1 Fig. 1a
  and P2 Fig. 2) has its minima on the sphere ``||z|| = r``. Its Hessian
  ``4 (||z||^2 - r^2) I + 8 z z^T`` is ``8 r^2`` across the ring (radial) and ``0`` along it
  (tangential, the symmetry direction), and ``-4 r^2 I`` at the symmetric point ``z = 0``.
- A local loss is invariant under all of O(d) (P1 §3.1), but ``exp`` of a skew matrix only reaches
  SO(d) (P1 Eq. 12, P2 Eq. 4). A reflection ``diag(1, ..., 1, -1)`` has determinant -1, so it is a
  separate, discrete symmetry (design.md §4).
- When neighbouring time steps sit in opposite O(d) components, the best orthogonal link between
  them (a Procrustes problem, design.md §3) has determinant -1: a reflection domain wall, which no
  continuous rotation removes.

Shapes follow the papers: ``Z`` has shape ``(T, d, N)``.
"""
from __future__ import annotations

import numpy as np

from ._validate import check_array, check_float, check_int, check_rng, unit_scaled


def hat_potential(points, radius=1.0):
    """The Mexican hat ``l(z) = (||z||^2 - radius^2)^2`` at each point.

    This is the local loss of :class:`MexicanHatChain` for one embedding vector (digest §7.1).

    Parameters
    ----------
    points : array_like of shape (..., d)
        Points; the last axis holds the ``d`` coordinates of each point.
    radius : float
        Radius of the ring of minima, ``> 0``.

    Returns
    -------
    numpy.ndarray of shape (...)
    """
    z = check_array("points", points)
    if z.ndim < 1:
        raise ValueError("points must have shape (..., d)")
    radius = check_float("radius", radius, minimum=0.0, strict_min=True)
    excess = np.einsum("...d,...d->...", z, z) - radius ** 2
    return excess * excess


def hat_hessian(point, radius=1.0):
    """Hessian ``4 (||z||^2 - r^2) I + 8 z z^T`` of the Mexican hat at one point.

    On the ring (``||z|| = r``) it is ``8 z z^T``: curvature ``8 r^2`` in the radial direction and
    ``0`` in the ``d - 1`` tangential (symmetry) directions, the zero modes of P1 §3.1 / P2 Fig. 2.
    At the symmetric point ``z = 0`` it is ``-4 r^2 I``: the top of the hat is a maximum.

    Parameters
    ----------
    point : array_like of shape (d,)
    radius : float
        Radius of the ring of minima, ``> 0``.

    Returns
    -------
    numpy.ndarray of shape (d, d)
    """
    z = check_array("point", point, ndim=1)
    radius = check_float("radius", radius, minimum=0.0, strict_min=True)
    d = z.size
    return 4.0 * (float(z @ z) - radius ** 2) * np.eye(d) + 8.0 * np.outer(z, z)


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


def best_factorization(X, d, T=None):
    """The minimiser of every local loss of :class:`DynamicFactorization`, step by step.

    For each ``X_t`` the truncated SVD ``X_t ~ P_d S_d Q_d^T`` minimises
    ``1/2 ||X_t - U_t^T V_t||_F^2`` over rank-``d`` factors (Eckart–Young). This returns the
    balanced split ``U_t = S_d^{1/2} P_d^T``, ``V_t = S_d^{1/2} Q_d^T``; every ``R U_t, R V_t`` with ``R`` in
    O(d) is an equally good minimiser (P1 §3.1). Each step's orientation is whatever the SVD
    returns, so neighbouring steps are generally not aligned.

    Parameters
    ----------
    X : array_like of shape (T, m, n) or (m, n)
        The data (a 2-D array is used at every one of ``T`` steps).
    d : int
        Rank, ``1 <= d <= min(m, n)``.
    T : int, optional
        Number of steps; required when ``X`` is 2-D.

    Returns
    -------
    numpy.ndarray of shape (T, d, m + n)
        ``Z_t = [U_t, V_t]``.
    """
    X = check_array("X", X, ndim=(2, 3))
    if X.ndim == 2:
        if T is None:
            raise ValueError("T must be given when X is 2-D (the same data at every step)")
        X = np.broadcast_to(X, (check_int("T", T, minimum=1),) + X.shape)
    elif T is not None and check_int("T", T, minimum=1) != X.shape[0]:
        raise ValueError(f"T={T} does not match X.shape[0]={X.shape[0]}")
    m, n = X.shape[1:]
    d = check_int("d", d, minimum=1, maximum=min(m, n))
    P, s, Qh = np.linalg.svd(X, full_matrices=False)
    root = np.sqrt(s[:, :d])[:, :, None]
    U = root * np.swapaxes(P[:, :, :d], 1, 2)
    V = root * Qh[:, :d, :]
    return np.concatenate([U, V], axis=2)


def domain_wall(Z, position, axis=-1):
    """Reflect every time step from ``position`` on: ``Z_t -> F Z_t`` for ``t >= position``.

    Applied to a configuration whose steps are aligned, this puts a reflection domain wall between
    steps ``position - 1`` and ``position`` (design.md §4). Every local loss is unchanged (``F`` is
    orthogonal); only the coupling across the wall changes.

    Parameters
    ----------
    Z : array_like of shape (T, d, N)
    position : int
        First reflected step, ``0 <= position <= T`` (``0`` reflects everything, a global
        symmetry; ``T`` reflects nothing).
    axis : int
        The axis that :func:`reflection` flips.

    Returns
    -------
    numpy.ndarray of shape (T, d, N)
    """
    Z = check_array("Z", Z, ndim=3)
    T, d, _ = Z.shape
    position = check_int("position", position, minimum=0, maximum=T)
    out = Z.copy()
    out[position:] = np.matmul(reflection(d, axis), Z[position:])
    return out


def link_signs(Z):
    """Determinant (+1 or -1) of the best orthogonal link between each pair of neighbours.

    ``U_t = argmin_{U in O(d)} ||Z_t - U Z_{t-1}||`` (an orthogonal Procrustes problem). A ``-1``
    marks a reflection domain wall: no rotation aligns the two steps as well as a reflection does.
    The signs are unchanged by any local rotations ``Z_t -> R_t Z_t`` with ``R_t`` in SO(d)
    (``U_t -> R_t U_t R_{t-1}^T``), and by a global reflection: they are a discrete (Z2)
    gauge-invariant quantity. ``det U_t`` is the sign of ``det(Z_{t-1} Z_t^T)`` (the polar factor
    carries the sign), so no SVD is needed; steps of rank below ``d`` (``det = 0``) count as +1.

    Parameters
    ----------
    Z : array_like of shape (T, d, N)

    Returns
    -------
    numpy.ndarray of shape (T - 1,)
    """
    Z = check_array("Z", Z, ndim=3)
    if Z.shape[0] < 2:
        raise ValueError(f"Z must have at least 2 time steps, got shape {Z.shape}")
    Z = unit_scaled(Z)  # the sign is scale-free; this keeps the products finite
    det = np.linalg.det(np.matmul(Z[:-1], np.swapaxes(Z[1:], 1, 2)))
    return np.where(det < 0, -1.0, 1.0)


def domain_signs(Z):
    """O(d) component of each time step relative to the first: the running product of
    :func:`link_signs`, shape ``(T,)``, starting at +1.

    Steps with ``-1`` sit across an odd number of reflection walls from step 0.
    """
    return np.concatenate([[1.0], np.cumprod(link_signs(Z))])


def count_walls(Z):
    """Number of reflection domain walls (links with determinant -1) in ``Z``."""
    return int(np.sum(link_signs(Z) < 0))


__all__ = ["hat_potential", "hat_hessian", "reflection", "unit_generator", "best_factorization",
           "domain_wall", "link_signs", "domain_signs", "count_walls"]
