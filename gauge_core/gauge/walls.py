"""Reflection domain walls: neighbouring time steps in opposite components of O(d).

A local loss is invariant under all of O(d) (P1 §3.1), but ``exp`` of a skew matrix only reaches
SO(d) (P1 Eq. 12, P2 Eq. 4). When neighbouring time steps sit in opposite O(d) components, the best
orthogonal link between them (an orthogonal Procrustes problem) has determinant -1: a reflection
domain wall, which no continuous rotation removes (the book's chapter 02).
"""
from __future__ import annotations

import numpy as np

from .._validate import check_array, check_int, unit_scaled
from ..lie import reflection


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


def reflection_walls(Z):
    """Links ``(t-1, t)`` whose best alignment is a reflection: ``det(Z_{t-1} Z_t^T) < 0``.

    The loss of a factorisation does not change under any orthogonal (indeed any invertible) map of
    one time step, but rotations cannot change the sign of a determinant. Where neighbouring steps
    sit in opposite components (``det < 0``: the best orthogonal map between them, the polar factor
    of ``Z_{t-1} Z_t^T``, is a reflection), no gauge rotation can align them: a domain wall
   . Steps of rank below ``d`` give ``det = 0`` and are not counted. These are the
    links that :func:`link_signs` marks ``-1``.

    Parameters
    ----------
    Z : array_like of shape (T, d, N)

    Returns
    -------
    numpy.ndarray of int
        The indices ``t`` (``1 <= t <= T-1``) of the walls; its length is the number of walls.
    """
    return np.nonzero(link_signs(Z) < 0)[0] + 1


def domain_wall(Z, position, axis=-1):
    """Reflect every time step from ``position`` on: ``Z_t -> F Z_t`` for ``t >= position``.

    Applied to a configuration whose steps are aligned, this puts a reflection domain wall between
    steps ``position - 1`` and ``position``. Every local loss is unchanged (``F`` is
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
