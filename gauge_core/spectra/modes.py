"""Dispersion relations and Goldstone modes: the spectrum of the coupling and twists built from it.

On a free chain the Laplacian's eigenvectors are ``cos(pi nu (t + 1/2) / T)`` (``t = 0..T-1``, the
papers' ``cos(q_nu (t - 1/2))`` with 1-based t) with eigenvalues :func:`dispersion` (P2 §2.2,
Fig. 1b). A smooth rotation profile ``theta_t`` decomposes into these modes. On a ring the
spectrum is :func:`ring_dispersion`; the Mexican hat adds the gapped radial branch
:func:`radial_dispersion`.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_array, check_float, check_int, check_rng
from ..coupling import chain_laplacian
from ..gauge.twist import twist_profile


def dispersion(T, lam):
    """Eigenvalues ``h_nu = lam * (2 - 2 cos(pi nu / T))``, ``nu = 0..T-1``, of the chain Laplacian.

    This is the dispersion relation of the Goldstone modes (P2 §2.2, Fig. 1b; P1 §3.3). ``h_0 = 0`` is
    the global rotation; ``h_1 = 2 lam (1 - cos(pi/T)) ~ lam pi^2 / T^2`` is the gap that closes as
    ``T`` grows.

    Parameters
    ----------
    T : int
        Number of time steps, ``T >= 2``.
    lam : float
        Coupling strength, ``lam >= 0``.

    Returns
    -------
    numpy.ndarray of shape (T,)
        Sorted ascending.
    """
    T = check_int("T", T, minimum=2)
    lam = check_float("lam", lam, minimum=0.0)
    nu = np.arange(T)
    return lam * (2.0 - 2.0 * np.cos(np.pi * nu / T))


def dispersion_curve(q, lam):
    """The chain's dispersion relation as a function of the wave number, ``lam (2 - 2 cos q)``
    (P2 Fig. 1b): :func:`dispersion` samples it at ``q = pi nu / T``."""
    q = check_array("q", q)
    lam = check_float("lam", lam, minimum=0.0)
    return lam * (2 - 2 * np.cos(q))


def chain_modes(T, lam, weights=None, ring=False):
    """Eigenvalues (ascending) and orthonormal eigenvectors (columns) of the coupling Laplacian,
    weighted or not: the Goldstone modes of an irregular chain. ``(h, V)`` of
    ``numpy.linalg.eigh(chain_laplacian(T, lam, weights, ring))``."""
    return np.linalg.eigh(chain_laplacian(T, lam, weights, ring))


def ring_dispersion(T, lam):
    """Eigenvalues ``lam (2 - 2 cos(2 pi k / T))``, ``k = 0..T-1``, of the ring Laplacian, sorted.

    Parameters
    ----------
    T : int
        Number of time steps, ``>= 3``.
    lam : float
        Coupling strength, ``>= 0``.

    Returns
    -------
    numpy.ndarray of shape (T,)
        Ascending. ``h_0 = 0`` (global rotation); every other value appears twice for a standing
        cosine and sine wave, and the gap ``2 lam (1 - cos(2 pi / T))`` equals the chain's gap at
        ``T / 2`` steps (about four times the chain's gap at ``T``).
    """
    T = check_int("T", T, minimum=3)
    lam = check_float("lam", lam, minimum=0.0)
    k = np.arange(T)
    return np.sort(lam * (2.0 - 2.0 * np.cos(2.0 * np.pi * k / T)))


def radial_dispersion(T, lam, radius=1.0):
    """Radial (gapped) branch ``8 r^2 + lam (2 - 2 cos(pi nu / T))``, ``nu = 0..T-1``.

    The local loss ``(|z|^2 - r^2)^2`` has curvature ``8 r^2`` across the ring of minima and none
    along it; the coupling adds the chain Laplacian to both directions.
    """
    radius = check_float("radius", radius, minimum=0.0, strict_min=True)
    return 8.0 * radius ** 2 + dispersion(T, lam)


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


def twist_amplitudes(Z, frame=0):
    """Twist amplitude of each Goldstone mode ``nu`` in a configuration, shape ``(T,)``.

    The :func:`gauge_core.twist_profile` of ``Z`` against ``frame`` (a time step or a ``(d, N)``
    configuration) projected onto :func:`goldstone_modes`. Entry 0 is the global rotation, entry 1
    the slowest twist.
    """
    return mode_amplitudes(twist_profile(Z, frame))


def twist_from_amplitudes(amplitudes, radius=1.0, N=1):
    """A configuration on the ring of minima with twist profile ``theta = goldstone_modes(T) @ c``.

    Parameters
    ----------
    amplitudes : array_like of shape (T,)
        Mode amplitudes ``c_nu`` in radians (entry 0 is a global rotation).
    radius : float
        Length of every vector.
    N : int
        Vectors per step, at the evenly spread base phases of :func:`twist_mode`.

    Returns
    -------
    numpy.ndarray of shape (T, 2, N)
    """
    c = check_array("amplitudes", amplitudes, ndim=1)
    T = check_int("T (len(amplitudes))", c.size, minimum=2)
    radius = check_float("radius", radius, minimum=0.0, strict_min=True)
    N = check_int("N", N, minimum=1)
    theta = goldstone_modes(T) @ c
    angle = theta[:, None] + 2 * np.pi * np.arange(N)[None, :] / N
    return radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def random_twist(T, amplitude, rng, radius=1.0, N=1):
    """A random twist on the ring: ``c_0 = 0`` and ``c_nu ~ amplitude * N(0, 1)`` for ``nu >= 1``.

    Returns ``(Z, c)``: the configuration (shape ``(T, 2, N)``) and its mode amplitudes.
    """
    T = check_int("T", T, minimum=2)
    amplitude = check_float("amplitude", amplitude, minimum=0.0)
    rng = check_rng("rng", rng)
    c = np.zeros(T)
    c[1:] = amplitude * rng.standard_normal(T - 1)
    return twist_from_amplitudes(c, radius, N), c
