"""Goldstone modes: the eigenmodes of the chain Laplacian, twists built from them, and Hessians.

On a free chain the Laplacian's eigenvectors are ``cos(pi nu (t + 1/2) / T)`` (``t = 0..T-1``, the
papers' ``cos(q_nu (t - 1/2))`` with 1-based t) with eigenvalues :func:`dispersion`. A smooth
rotation profile ``theta_t`` decomposes into these modes, and under gradient descent with step
``lr`` the amplitude of mode ``nu`` shrinks by ``1 - lr * h_nu`` per step (design.md §2).
"""
from __future__ import annotations

import numpy as np

from ._validate import check_array, check_float, check_int
from .coupling import dispersion
from .gauge import _check_model, twist_profile


def goldstone_modes(T):
    """Orthonormal Goldstone (twist) modes of a free chain, as the columns of a ``(T, T)`` matrix.

    Column ``nu`` is ``cos(pi nu (t + 1/2) / T)`` normalised; it is the eigenvector of
    :func:`chain_laplacian` with eigenvalue ``dispersion(T, lam)[nu]`` (P2 §2.2).
    """
    T = check_int("T", T, minimum=2)
    t = np.arange(T) + 0.5
    modes = np.cos(np.pi * np.outer(t, np.arange(T)) / T)
    return modes / np.linalg.norm(modes, axis=0)


def twist_mode(T, nu=1, amplitude=0.5, d=2, N=1, radius=1.0, phases=None):
    """A configuration on the ring of minima twisted along Goldstone mode ``nu``.

    Every embedding vector ``i`` lies at radius ``radius`` in the plane of the first two axes, at
    angle ``phases[i] + amplitude * cos(pi nu (t + 1/2) / T)``.

    Parameters
    ----------
    T : int
        Number of time steps, ``>= 2``.
    nu : int
        Mode number, ``0 <= nu < T`` (``nu = 0`` is a global rotation, ``nu = 1`` the slowest twist).
    amplitude : float
        Twist amplitude in radians.
    d : int
        Embedding dimension, ``>= 2``.
    N : int
        Number of embedding vectors per step.
    radius : float
        Length of every vector, ``> 0``.
    phases : array_like of shape (N,), optional
        Base angle of each vector (default: evenly spread).

    Returns
    -------
    numpy.ndarray of shape (T, d, N)
    """
    T = check_int("T", T, minimum=2)
    nu = check_int("nu", nu, minimum=0, maximum=T - 1)
    amplitude = check_float("amplitude", amplitude)
    d = check_int("d", d, minimum=2)
    N = check_int("N", N, minimum=1)
    radius = check_float("radius", radius, minimum=0.0, strict_min=True)
    if phases is None:
        phases = 2 * np.pi * np.arange(N) / N
    phases = check_array("phases", phases, ndim=1, shape=(N,))
    theta = amplitude * np.cos(np.pi * nu * (np.arange(T) + 0.5) / T)
    angle = theta[:, None] + phases[None, :]
    Z = np.zeros((T, d, N))
    Z[:, 0] = radius * np.cos(angle)
    Z[:, 1] = radius * np.sin(angle)
    return Z


def mode_amplitudes(theta):
    """Project a rotation profile ``theta_t`` (shape ``(T,)``) onto the Goldstone modes.

    Returns the ``T`` amplitudes ``c_nu`` with ``theta = goldstone_modes(T) @ c``.
    """
    theta = check_array("theta", theta, ndim=1)
    if theta.size < 2:
        raise ValueError(f"theta must have at least 2 entries, got {theta.size}")
    return goldstone_modes(theta.size).T @ theta


def twist_amplitudes(Z, reference=0):
    """Twist amplitude of each Goldstone mode ``nu`` in a configuration, shape ``(T,)``.

    The :func:`twist_profile` of ``Z`` against ``reference`` projected onto
    :func:`goldstone_modes`. Entry 0 is the global rotation, entry 1 the slowest twist.
    """
    return mode_amplitudes(twist_profile(Z, reference))


def gd_decay_factor(T, lam, lr):
    """Per-step factor ``1 - lr * h_nu`` by which GD shrinks each Goldstone mode (design.md §2)."""
    lr = check_float("lr", lr, minimum=0.0, strict_min=True)
    return 1.0 - lr * dispersion(T, lam)


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
    _check_model(model)
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
