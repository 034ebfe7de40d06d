"""How twisted a configuration is: rotation profiles along time and first-vs-last alignment.

A Goldstone twist rotates whole time steps against each other (P2 §2.2). :func:`twist_profile`
measures the angle of every step against a reference *frame* (a time step of ``Z`` or an explicit
``(d, N)`` configuration); :func:`alignment` the cosine between the first and the last embedding
of every vector (P1 Fig. 4, P2 Fig. 3).
"""
from __future__ import annotations

import numbers

import numpy as np

from .._validate import check_array, check_int
from ..lie import _procrustes
from .transforms import check_Z


def _frame(Z, frame, name="frame"):
    """The reference configuration ``(d, N)``: a time step of ``Z`` (int) or an explicit array."""
    T, d, N = Z.shape
    if isinstance(frame, numbers.Integral) and not isinstance(frame, (bool, np.bool_)):
        return Z[check_int(name, frame, minimum=-T, maximum=T - 1)]
    return check_array(name, frame, ndim=2, shape=(d, N))


def base_frame(N):
    """The evenly spread unit vectors of :func:`gauge_core.twist_mode`, shape ``(2, N)``."""
    phases = 2 * np.pi * np.arange(N) / N
    return np.stack([np.cos(phases), np.sin(phases)])


def _planar_profiles(Zs, ref):
    """Signed angle of every ``d = 2`` step against ``ref``, unwrapped along time, ``(K, T)``."""
    dot = np.einsum("ktdn,dn->kt", Zs, ref)
    cross = Zs[:, :, 1] @ ref[0] - Zs[:, :, 0] @ ref[1]
    return np.unwrap(np.arctan2(cross, dot), axis=1)


def twist_profile(Z, frame=0):
    """Angle by which each time step is rotated against a reference frame, shape ``(T,)``.

    For ``d = 2`` the signed angle of the best rotation taking the frame to ``Z_t`` (unwrapped
    along time), so a Goldstone twist shows as ``a cos(pi nu (t + 1/2) / T)``. For ``d >= 3`` the
    geodesic angle of the best rotation (Procrustes), or, when ``N < d`` makes that rotation
    ambiguous, the mean angle between corresponding vectors.

    Parameters
    ----------
    Z : array_like of shape (T, d, N)
    frame : int or array_like of shape (d, N)
        A time step of ``Z`` (default the first) or an explicit reference configuration.
    """
    Z = check_Z(Z)
    T, d, N = Z.shape
    ref = _frame(Z, frame)
    top = max(np.abs(Z).max(initial=0.0), np.abs(ref).max(initial=0.0))
    if top > 0:  # angles are scale-free; rescaling keeps the products below finite
        Z, ref = Z / top, ref / top
    if d == 1:
        return np.where(np.sum(Z[:, 0, :] * ref[0], axis=1) >= 0, 0.0, np.pi)
    if d == 2:
        return _planar_profiles(Z[None], ref)[0]
    if N >= d:
        Q = _procrustes(np.matmul(ref, np.swapaxes(Z, 1, 2)), "SO")  # Q_t: ref -> Z_t
        ang = np.abs(np.angle(np.linalg.eigvals(Q)))
        return np.sqrt(0.5 * np.sum(ang ** 2, axis=-1))
    return np.arccos(np.clip(_cosines(Z, ref[None]), -1.0, 1.0)).mean(axis=1)


def angle_profiles(Zs, frame=None):
    """:func:`twist_profile` of many ``d = 2`` configurations at once, shape ``(K, T)``.

    Parameters
    ----------
    Zs : array_like of shape (K, T, 2, N)
    frame : array_like of shape (2, N), optional
        Fixed reference frame; default the base phases of :func:`gauge_core.twist_mode` (so a twist
        mode's profile is exactly its angle).
    """
    Zs = check_array("Zs", Zs, ndim=4)
    if Zs.shape[2] != 2:
        raise ValueError(f"Zs must have shape (K, T, 2, N), got {Zs.shape}")
    N = Zs.shape[3]
    ref = base_frame(N) if frame is None else check_array("frame", frame, ndim=2, shape=(2, N))
    return _planar_profiles(Zs, ref)


def _cosines(A, B):
    # normalise each vector first (by its largest entry, then its norm) so nothing overflows
    def unit(V):
        V = V / np.maximum(np.abs(V).max(axis=1, keepdims=True), 1e-300)
        return V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-300)

    return np.einsum("tdn,tdn->tn", unit(A), unit(B))


def alignment(Z, first=0, last=-1):
    """Cosine similarity ``cos(z_{first,i}, z_{last,i})`` of each embedding vector, shape ``(N,)``.

    Near 1 when the embeddings are comparable across time; spread out when a Goldstone twist has
    rotated whole time steps against each other (P1 Fig. 4, P2 Fig. 3). A zero vector gives 0.
    """
    Z = check_Z(Z)
    T = Z.shape[0]
    first = check_int("first", first, minimum=-T, maximum=T - 1)
    last = check_int("last", last, minimum=-T, maximum=T - 1)
    return _cosines(Z[first][None], Z[last][None])[0]
