"""The Mexican-hat chain: the XY-like toy model of the book, and its single-site potential.

The Mexican hat ``l(z) = (||z||^2 - r^2)^2`` (the potential drawn in P1 Fig. 1a and P2 Fig. 2) has
its minima on the sphere ``||z|| = r``. Its Hessian ``4 (||z||^2 - r^2) I + 8 z z^T`` is ``8 r^2``
across the ring (radial) and ``0`` along it (tangential, the symmetry direction), and ``-4 r^2 I``
at the symmetric point ``z = 0``.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_array, check_float
from .base import EmbeddingModel


class MexicanHatChain(EmbeddingModel):
    """The XY-like toy: a Mexican-hat loss per embedding vector, coupled along time.

    ``l(Z_t) = sum_i (||z_{t,i}||^2 - radius^2)^2`` (the potential of P1 Fig. 1a
    and P2 Fig. 2), plus ``psi``. Minimum ``0`` at any configuration with all vectors on the ring of
    radius ``radius`` and identical across time. At that minimum the Hessian has one zero mode per
    global rotation generator, angular modes ``lam * (2 - 2cos(pi nu/T)) * (per-vector factor)``
    and radial modes gapped at about ``8 radius^2``.

    Parameters
    ----------
    T : int
        Number of time steps, ``>= 2``.
    lam : float
        Coupling strength, ``>= 0``.
    d : int
        Embedding dimension, ``>= 1`` (``d = 2`` is the XY model).
    N : int
        Number of independent embedding vectors per time step.
    radius : float
        Radius of the ring of minima, ``> 0``.
    weights, ring
        See :class:`Coupling`.
    """

    minimum_loss = 0.0

    def __init__(self, T, lam, d=2, N=1, radius=1.0, weights=None, ring=False):
        super().__init__(T, d, N, lam, weights=weights, ring=ring)
        self.radius = check_float("radius", radius, minimum=0.0, strict_min=True)

    def _local(self, Z):
        excess = np.einsum("tdn,tdn->tn", Z, Z)
        excess -= self.radius ** 2
        flat = excess.ravel()
        value = float(np.dot(flat, flat))
        excess *= 4.0
        return value, np.multiply(Z, excess[:, None, :])

    def __repr__(self):
        return (f"MexicanHatChain(T={self.T}, lam={self.lam:g}, d={self.d}, N={self.N}, "
                f"radius={self.radius:g}{', ring=True' if self.ring else ''})")


def hat_potential(points, radius=1.0):
    """The Mexican hat ``l(z) = (||z||^2 - radius^2)^2`` at each point.

    This is the local loss of :class:`MexicanHatChain` for one embedding vector.

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


def hat_principal_curvatures(point, radius=1.0):
    """Eigenvalues (ascending) and eigenvectors (columns) of :func:`hat_hessian` at one point: on
    the ring, ``0`` along the ring (the symmetry direction) and ``8 r^2`` across it."""
    return np.linalg.eigh(hat_hessian(point, radius))
