"""The Goldstone spectrum of chapter 03, measured: the chain Laplacian's cosine eigenvectors, the
two branches of the Mexican-hat chain's Hessian at its aligned minimum, and how the gap closes.

Everything here compares a numerical object (an explicit matrix diagonalised, a finite-difference
Hessian) with the closed forms of :mod:`gauge_core.spectra` (P1 Eq. 7, P2 §2.2 and Fig. 1b).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_array, check_float, check_int
from ..coupling import chain_laplacian
from ..models import MexicanHatChain
from ..spectra import dispersion, dispersion_curve, hessian_branches, radial_dispersion

RADIAL_CURVATURE = 8.0  # d^2/drho^2 (rho^2 - r^2)^2 at rho = r, in units of r^2


def cosine_modes(T):
    """``cos(pi nu (t + 1/2) / T)`` for ``t = 0..T-1`` (rows) and ``nu = 0..T-1`` (columns),
    each column scaled to unit length: the claimed eigenvectors of the chain Laplacian, written
    out here from the formula (not from :func:`gauge_core.goldstone_modes`)."""
    T = check_int("T", T, minimum=2)
    t = np.arange(T)[:, None]
    nu = np.arange(T)[None, :]
    V = np.cos(np.pi * nu * (t + 0.5) / T)
    return V / np.sqrt(np.sum(V ** 2, axis=0))


@dataclass
class LaplacianModes:
    """The explicit chain Laplacian diagonalised, against the cosine formula.

    Attributes
    ----------
    L : numpy.ndarray
        ``chain_laplacian(T, lam)`` (P1 Eq. 7).
    eigenvalues : numpy.ndarray
        ``numpy.linalg.eigh`` of ``L``, ascending.
    vector_error : float
        Largest ``|L v - h v|`` over the cosine vectors ``v`` of :func:`cosine_modes` with
        ``h = lam (2 - 2 cos(pi nu / T))``: zero when they are eigenvectors.
    value_error : float
        Largest difference between the numerical eigenvalues and ``lam (2 - 2 cos(pi nu / T))``.
    overlap_error : float
        Largest ``1 - |<v_nu, u_nu>|`` between the cosine vectors and the numerical eigenvectors
        ``u_nu`` (the eigenvalues are distinct, so each eigenvector is unique up to sign).
    """

    L: np.ndarray
    eigenvalues: np.ndarray
    vector_error: float
    value_error: float
    overlap_error: float


def laplacian_modes(T, lam=1.0):
    """Diagonalise the explicit chain Laplacian and compare with its cosine eigenvectors."""
    L = chain_laplacian(T, lam)
    V = cosine_modes(T)
    h = dispersion(T, lam)
    vals, U = np.linalg.eigh(L)
    return LaplacianModes(L, vals, float(np.abs(L @ V - V * h).max()),
                          float(np.abs(vals - h).max()),
                          float(np.max(1.0 - np.abs(np.sum(U * V, axis=0)))))


def spectrum_curves(q, lam, radius=1.0):
    """The Hessian's two branches as curves of the wave number ``q`` (P2 Fig. 1b).

    Returns ``{"angular": lam (2 - 2 cos q), "radial": 8 r^2 + lam (2 - 2 cos q),
    "long_wave": lam q^2}`` (the last is the angular branch for ``q << 1``).
    """
    q = check_array("q", q)
    radius = check_float("radius", radius, minimum=0.0, strict_min=True)
    h = dispersion_curve(q, lam)
    return {"angular": h, "radial": RADIAL_CURVATURE * radius ** 2 + h,
            "long_wave": check_float("lam", lam, minimum=0.0) * q ** 2}


@dataclass
class SpectrumCheck:
    """The finite-difference Hessian at the aligned minimum against the two closed-form branches.

    Attributes
    ----------
    T, lam, radius
    branches : gauge_core.HessianBranches
        Eigenvalues sorted into rotation (angular) and radial directions.
    zero_modes : int
        Eigenvalues below ``1e-3 h_1`` in size (the global rotation: exactly one per vector).
    error : float
        Largest deviation of either branch from its closed form.
    gap : float
        ``h_1``, the smallest non-zero angular eigenvalue (numerical).
    gap_estimate : float
        ``lam pi^2 / T^2``, the long-wave estimate of the gap.
    kappa_twist, kappa_full : float
        ``h_(T-1) / h_1`` of the angular branch and ``h_max / h_1`` of the whole Hessian.
    radial_floor : float
        ``8 r^2``, below which the radial branch never goes (its gap).
    """

    T: int
    lam: float
    radius: float
    branches: object
    zero_modes: int
    error: float
    gap: float
    gap_estimate: float
    kappa_twist: float
    kappa_full: float
    radial_floor: float


def spectrum_check(T, lam=1.0, radius=1.0):
    """:class:`SpectrumCheck` of the ``d = 2``, ``N = 1`` Mexican-hat chain (``4 T`` gradient
    calls for the finite-difference Hessian)."""
    b = hessian_branches(MexicanHatChain(T, lam, d=2, N=1, radius=radius))
    h = dispersion(T, lam)
    zero = int(np.sum(np.abs(b.eigenvalues) < 1e-3 * h[1]))
    err = max(float(np.abs(b.angular - h).max()),
              float(np.abs(b.radial - radial_dispersion(T, lam, radius)).max()))
    gap = float(b.angular[1])
    return SpectrumCheck(int(T), float(lam), float(radius), b, zero, err, gap,
                         float(lam * np.pi ** 2 / T ** 2), float(b.angular[-1]) / gap,
                         float(b.eigenvalues[-1]) / gap, RADIAL_CURVATURE * radius ** 2)


@dataclass
class GapScaling:
    """The gap and the twist branch's condition number at several ``T`` (finite differences).

    ``shrink[j] = gap[j] / gap[j + 1]`` and ``growth[j] = kappa[j + 1] / kappa[j]``: both 4 per
    doubling of ``T`` for a gap ``~ 1 / T^2``.
    """

    T: np.ndarray
    gap: np.ndarray
    gap_estimate: np.ndarray
    kappa: np.ndarray

    @property
    def shrink(self):
        return self.gap[:-1] / self.gap[1:]

    @property
    def growth(self):
        return self.kappa[1:] / self.kappa[:-1]


def gap_scaling(Ts=(8, 16, 32), lam=1.0):
    """:class:`GapScaling` from :func:`spectrum_check` at each ``T`` of ``Ts`` (ascending)."""
    checks = [spectrum_check(int(t), lam) for t in Ts]
    return GapScaling(np.array([c.T for c in checks]), np.array([c.gap for c in checks]),
                      np.array([c.gap_estimate for c in checks]),
                      np.array([c.kappa_twist for c in checks]))
