"""Periodic time: winding numbers, flux and holonomy of a configuration on a ring.

Closing the chain into a ring (the edge ``(T-1, 0)``, :class:`gauge_core.Coupling` with
``ring=True``) models periodic data such as seasons. The loop carries a gauge-invariant quantity.
The best link rotation on each edge (one orthogonal Procrustes problem, as in the exact chain step)
transports ``Z_{t-1}`` onto ``Z_t``; the ordered product of the links around the loop, the
*holonomy* (a Wilson loop), is changed only by a conjugation under any local rotation, so its
angle cannot be gauged away. For ``d = 2`` the sum of the signed link angles, the *flux*, is
``2 pi w`` plus the holonomy angle, where the integer ``w`` is the winding number.

A uniformly twisted ring of the Mexican-hat model (:func:`wound_ring`) is a metastable state: a
continuous path can change ``w`` only through a vector that passes through zero (a phase slip over
the top of the hat). Its loss is known in closed form (:func:`gauge_core.winding_plateau`).
"""
from __future__ import annotations

import numpy as np

from .._validate import check_array, check_choice, check_float, check_int, check_rng
from ..lie import GROUPS, _procrustes, rotation_angle
from .transforms import holonomy


def _check_ring_Z(Z, d=None):
    Z = check_array("Z", Z, ndim=3)
    if Z.shape[0] < 3:
        raise ValueError(f"Z must have at least 3 time steps for a ring, got shape {Z.shape}")
    if d is not None and Z.shape[1] != d:
        raise ValueError(f"Z must have d = {d} (shape (T, {d}, N)), got shape {Z.shape}")
    return Z


def ring_links(Z, group="SO"):
    """The best link rotation on every edge of the ring, shape ``(T, d, d)``.

    ``U_t = argmin_U ||Z_t - U Z_{t-1}||_F`` over SO(d) (or O(d)), for ``t = 1..T-1``, followed by
    the closing link ``U_0 = argmin_U ||Z_0 - U Z_{T-1}||``: the same order as
    ``link_variables(R, ring=True)``, so :func:`gauge_core.holonomy` takes it directly.

    Parameters
    ----------
    Z : array_like of shape (T, d, N)
    group : {"SO", "O"}
    """
    Z = _check_ring_Z(Z)
    check_choice("group", group, GROUPS)
    prev = np.concatenate([Z[:-1], Z[-1:]])   # Z_{t-1} for t = 1..T-1, then Z_{T-1}
    nxt = np.concatenate([Z[1:], Z[:1]])      # Z_t     for t = 1..T-1, then Z_0
    return _procrustes(np.matmul(prev, np.swapaxes(nxt, 1, 2)), group)


def link_angles(U):
    """Signed rotation angle in ``(-pi, pi]`` of each 2 x 2 rotation, shape ``(E,)``."""
    U = check_array("U", U, ndim=3)
    if U.shape[1:] != (2, 2):
        raise ValueError(f"U must hold 2 x 2 rotations (shape (E, 2, 2)), got {U.shape}")
    return np.arctan2(U[:, 1, 0] - U[:, 0, 1], U[:, 0, 0] + U[:, 1, 1])


def ring_flux(Z):
    """The flux around the ring: the sum of the signed angles of the best links (``d = 2``).

    Equals ``2 pi w + phi`` where ``w`` is the winding number and ``phi`` the signed holonomy
    angle. For a single vector per step (``N = 1``) every link is exact and the flux is exactly
    ``2 pi w``. In a superconducting ring it is the fluxoid (flux plus the winding of the
    condensate's phase) that is quantised; here the winding ``w`` plays that part.

    Parameters
    ----------
    Z : array_like of shape (T, 2, N)

    Returns
    -------
    float
        Radians.
    """
    Z = _check_ring_Z(Z, d=2)
    return float(np.sum(link_angles(ring_links(Z))))


def winding_number(Z):
    """The integer ``w`` nearest to ``ring_flux(Z) / (2 pi)`` (``d = 2``)."""
    return int(np.rint(ring_flux(Z) / (2.0 * np.pi)))


def holonomy_angle(Z, group="SO"):
    """Rotation angle of the holonomy of the best links around the ring (any ``d``).

    Gauge invariant: rotating every time step by its own ``R_t`` conjugates the holonomy, which
    keeps its angle. It is zero exactly when the best links could all be produced by local
    rotations, i.e. when the frustration around the loop could be gauged away.
    """
    return float(rotation_angle(holonomy(ring_links(Z, group))))


def wound_ring(T, w, N=1, radius=1.0, noise=0.0, rng=0):
    """A ``d = 2`` configuration whose vectors turn ``w`` times around the circle along the ring.

    ``z_{t,i} = radius (cos(theta_{t,i}), sin(theta_{t,i}))`` with
    ``theta_{t,i} = 2 pi w t / T + 2 pi i / N + noise * xi_{t,i}``, ``xi`` standard normal, the same
    rigid frame of ``N`` vectors carried around the loop.

    Parameters
    ----------
    T : int
        Time steps, ``>= 3``.
    w : int
        Winding number (any sign).
    N : int
        Vectors per time step, ``>= 1``.
    radius : float
        Length of every vector, ``> 0``.
    noise : float
        Standard deviation of a random angle added to every vector, ``>= 0``.
    rng : numpy.random.Generator or int
        Source of the noise.

    Returns
    -------
    numpy.ndarray of shape (T, 2, N)
    """
    T = check_int("T", T, minimum=3)
    w = check_int("w", w)
    N = check_int("N", N, minimum=1)
    radius = check_float("radius", radius, minimum=0.0, strict_min=True)
    noise = check_float("noise", noise, minimum=0.0)
    rng = check_rng("rng", rng)
    theta = (2.0 * np.pi * w * np.arange(T)[:, None] / T + 2.0 * np.pi * np.arange(N)[None] / N
             + noise * rng.standard_normal((T, N)))
    return radius * np.stack([np.cos(theta), np.sin(theta)], axis=1)
