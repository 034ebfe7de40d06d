"""Closed forms and fits: what the linear theory predicts, and how the book measures it.

- Plain GD on the chain multiplies Goldstone mode ``nu`` by ``1 - lr h_nu`` per step
  (:func:`gd_decay_factor`): a linear iteration ``Z <- (I - lr H) Z`` on the quadratic part of the
  loss, whose slowest rate is set by the gap ``h_1 ~ lam pi^2 / T^2`` (the ``T^2`` law,
  :func:`untwist_theory`, :func:`predicted_gd_iterations`); it is stable while ``lr < 2 / h_max``
  (:func:`gd_stability_limit`).
- Momentum tuned to the spectrum (Polyak's heavy ball; Nesterov's method; Goh, "Why Momentum Really
  Works", Distill 2017) contracts every mode by ``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)``
  (heavy ball) or ``1 - 1 / sqrt(kappa)`` (Nesterov) per step, ``kappa = h_max / h_min``
  (:func:`tuned_momentum`, :func:`tuned_rate`): ``sqrt(kappa) ~ T`` instead of ``kappa ~ T^2``.
- A relaxed wound ring has a plateau in closed form (:func:`winding_plateau`).
- Fits: :func:`fit_power_law` (log-log slope) and :func:`fit_decay_factors` (per-step factors).
"""
from __future__ import annotations

import math

import numpy as np

from ._validate import check_array, check_choice, check_float, check_int
from .spectra.modes import dispersion, radial_dispersion

TUNED_METHODS = ("gd", "momentum", "nesterov")


def gd_decay_factor(T, lam, lr):
    """Per-step factor ``1 - lr * h_nu`` by which GD shrinks each Goldstone mode, shape ``(T,)``.

    On the quadratic part of the loss GD is the linear map ``I - lr H``; along a Goldstone mode
    ``H`` acts as its dispersion value ``h_nu`` (:func:`gauge_core.dispersion`).
    """
    lr = check_float("lr", lr, minimum=0.0, strict_min=True)
    return 1.0 - lr * dispersion(T, lam)


def gd_stability_limit(T, lam, radius=1.0):
    """Largest stable GD step at the Mexican-hat chain's aligned minimum: ``2 / h_max``, with
    ``h_max = 8 r^2 + lam (2 - 2 cos(pi (T-1) / T))`` the top radial mode."""
    return 2.0 / float(radial_dispersion(T, lam, radius)[-1])


def untwist_theory(T, lam, lr):
    """Predicted GD steps to shrink the slowest twist by ``e``: ``-1 / ln(1 - lr h_1)``.

    ``T`` may be an int or an array of ints. About ``1 / (lr h_1) ~ T^2 / (pi^2 lr lam)`` for
    large ``T``. ``inf`` where ``1 - lr h_1`` is not in ``(0, 1)``.
    """
    lr = check_float("lr", lr, minimum=0.0, strict_min=True)
    if np.ndim(T):
        Ts = np.asarray(T)
        if not np.issubdtype(Ts.dtype, np.integer):
            raise TypeError(f"T must be an integer or an array of integers, got dtype {Ts.dtype}")
    else:
        Ts = np.atleast_1d(check_int("T", T, minimum=2))
    out = np.empty(Ts.shape)
    for j, t in enumerate(Ts.ravel()):
        f = 1.0 - lr * dispersion(check_int("T", int(t), minimum=2), lam)[1]
        out.ravel()[j] = -1.0 / math.log(f) if 0.0 < f < 1.0 else math.inf
    return out if np.ndim(T) else float(out[0])


def predicted_gd_iterations(T, lam, lr, tol=1e-6):
    """Plain-GD iterations until the slowest Goldstone twist has shrunk the loss gap by ``tol``.

    GD multiplies the amplitude of twist mode 1 by ``1 - lr h_1`` per step
    (:func:`gd_decay_factor`), ``h_1 = lam (2 - 2 cos(pi / T))``; the loss gap is quadratic in the
    amplitude, so it reaches ``tol`` times its start after ``ln(1/tol) / (-2 ln|1 - lr h_1|)`` steps.
    ``~ T^2 ln(1/tol) / (2 pi^2 lr lam)`` for large ``T``: the ``T^2`` law. Only the slowest mode is
    modelled; the step must also be stable for the model's stiff (radial) modes.

    Parameters
    ----------
    T : int
        Number of time steps, ``>= 2``.
    lam : float
        Coupling strength, ``> 0``.
    lr : float
        GD step size, ``0 < lr h_1 < 2``.
    tol : float
        Relative loss gap to reach, ``0 < tol < 1``.

    Returns
    -------
    float
    """
    T = check_int("T", T, minimum=2)
    lam = check_float("lam", lam, minimum=0.0, strict_min=True)
    lr = check_float("lr", lr, minimum=0.0, strict_min=True)
    tol = check_float("tol", tol, minimum=0.0, maximum=1.0, strict_min=True)
    h1 = dispersion(T, lam)[1]
    factor = abs(1.0 - lr * h1)
    if lr * h1 >= 2.0:
        raise ValueError(f"lr * h_1 = {lr * h1:.3g} >= 2: GD diverges along the slowest mode")
    if factor == 0.0 or tol == 1.0:
        return 1.0 if tol < 1.0 else 0.0
    return math.log(tol) / (2.0 * math.log(factor))


def winding_plateau(T, lam, w, radius=1.0, N=1):
    """Loss of the relaxed, uniformly wound ring of the Mexican-hat model (:class:`MexicanHatChain`).

    With ``c = 1 - cos(2 pi w / T)`` every edge costs ``lam r^2 c`` per vector and every vector
    ``(r^2 - a^2)^2`` (``a`` = radius). Minimising over the common length gives
    ``r^2 = a^2 - lam c / 2`` and the plateau

        ``L_w = N T (lam c a^2 - (lam c)^2 / 4)``, of which the coupling is ``psi_w = N T lam c r^2``.

    If ``lam c >= 2 a^2`` no wound state exists (the vectors shrink to zero, ``L = N T a^4``).

    Parameters
    ----------
    T : int
        Time steps, ``>= 3``.
    lam : float
        Coupling strength, ``>= 0``.
    w : int
        Winding number.
    radius : float
        Radius ``a`` of the ring of minima, ``> 0``.
    N : int
        Vectors per time step, ``>= 1``.

    Returns
    -------
    loss, coupling, r2 : float
        The plateau of the full loss, its coupling part and the squared length of the vectors.
    """
    T = check_int("T", T, minimum=3)
    lam = check_float("lam", lam, minimum=0.0)
    w = check_int("w", w)
    a2 = check_float("radius", radius, minimum=0.0, strict_min=True) ** 2
    N = check_int("N", N, minimum=1)
    lc = lam * (1.0 - np.cos(2.0 * np.pi * w / T))
    r2 = a2 - 0.5 * lc
    if r2 <= 0.0:
        return float(N * T * a2 * a2), 0.0, 0.0
    return float(N * T * (lc * a2 - 0.25 * lc * lc)), float(N * T * lc * r2), float(r2)


def fit_power_law(x, y):
    """Least-squares fit of ``log y = p log x + log a``; returns ``(p, a)``.

    Needs at least two points with ``x, y > 0``.
    """
    x = check_array("x", x, ndim=1)
    y = check_array("y", y, ndim=1, shape=(x.size,))
    if x.size < 2 or np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("fit_power_law needs at least two points with x > 0 and y > 0")
    p, loga = np.polyfit(np.log(x), np.log(y), 1)
    return float(p), float(np.exp(loga))


def fit_decay_factors(amplitudes, rel_floor=1e-3):
    """Per-mode GD decay factor from amplitudes recorded at consecutive iterations.

    For each mode the least-squares factor ``f = sum c(k) c(k+1) / sum c(k)^2`` of
    ``c(k+1) = f c(k)``, over the leading run of steps in which ``|c(k)|`` stays above
    ``rel_floor`` times the largest initial amplitude (below that, round-off and the cubic coupling
    between modes take over). A sign change per step (``f < 0``, when ``lr h_nu > 1``) is fitted
    too.

    Parameters
    ----------
    amplitudes : array_like of shape (K, M)
        ``c(k)`` at ``K >= 2`` consecutive iterations, for ``M`` modes.
    rel_floor : float
        Relative amplitude below which steps are not used.

    Returns
    -------
    factors : numpy.ndarray of shape (M,)
        ``NaN`` for a mode that starts below the floor (not measurable).
    pairs : numpy.ndarray of int, shape (M,)
        Number of step pairs ``(k, k+1)`` each fit used (0 where not measurable).
    """
    C = check_array("amplitudes", amplitudes, ndim=2)
    if C.shape[0] < 2:
        raise ValueError(f"amplitudes needs at least 2 consecutive iterations, got {C.shape[0]}")
    rel_floor = check_float("rel_floor", rel_floor, minimum=0.0)
    scale = np.abs(C[0]).max()
    above = np.abs(C[:-1]) > rel_floor * scale
    # leading run of True per column: cumprod stops counting at the first False
    pairs = np.cumprod(above, axis=0).sum(axis=0).astype(int)
    k = np.arange(C.shape[0] - 1)[:, None]
    use = k < pairs[None, :]
    a, b = C[:-1] * use, C[1:] * use
    num, den = (a * b).sum(axis=0), (a * a).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        factors = np.where(pairs > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return factors, pairs


def _kappa(h_min, h_max):
    h_min = check_float("h_min", h_min, minimum=0.0, strict_min=True)
    h_max = check_float("h_max", h_max, minimum=0.0, strict_min=True)
    if h_max < h_min:
        raise ValueError(f"h_max must be >= h_min, got h_min={h_min:g}, h_max={h_max:g}")
    return h_min, h_max, h_max / h_min


def tuned_momentum(h_min, h_max, method="momentum"):
    """Step size and momentum that make heavy ball or Nesterov fastest on a spectrum in
    ``[h_min, h_max]`` (Polyak 1964; Nesterov 1983; Goh, Distill 2017).

    - ``"momentum"`` (heavy ball, ``Z <- Z - lr g + beta (Z - Z_prev)``):
      ``lr = 4 / (sqrt(h_max) + sqrt(h_min))^2``, ``beta = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2``;
      every mode then contracts by ``sqrt(beta)`` per step.
    - ``"nesterov"`` (gradient at the look-ahead point): ``lr = 1 / h_max``,
      ``beta = (sqrt(kappa) - 1) / (sqrt(kappa) + 1)``; the slowest mode contracts by
      ``1 - 1 / sqrt(kappa)`` per step.

    Parameters
    ----------
    h_min, h_max : float
        Smallest non-zero and largest Hessian eigenvalue, ``0 < h_min <= h_max``
        (:func:`gauge_core.spectrum_bounds`).
    method : {"momentum", "nesterov"}

    Returns
    -------
    dict
        ``{"lr": ..., "beta": ...}``, ready to pass to :func:`gauge_core.optimize` with ``method``
        (or as ``inner`` of a gauge method).
    """
    check_choice("method", method, ("momentum", "nesterov"))
    h_min, h_max, kappa = _kappa(h_min, h_max)
    root = math.sqrt(kappa)
    if method == "momentum":
        return {"lr": 4.0 / (math.sqrt(h_max) + math.sqrt(h_min)) ** 2,
                "beta": ((root - 1.0) / (root + 1.0)) ** 2}
    return {"lr": 1.0 / h_max, "beta": (root - 1.0) / (root + 1.0)}


def tuned_rate(h_min, h_max, method="momentum"):
    """Per-step contraction of the slowest mode under the tuned method, ``kappa = h_max / h_min``.

    ``"gd"`` (``lr = 2 / (h_min + h_max)``): ``(kappa - 1) / (kappa + 1)``; ``"momentum"``
    (:func:`tuned_momentum`): ``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)``; ``"nesterov"``:
    ``1 - 1 / sqrt(kappa)``. Steps per e-fold: ``-1 / ln(rate)``.
    """
    check_choice("method", method, TUNED_METHODS)
    _, _, kappa = _kappa(h_min, h_max)
    root = math.sqrt(kappa)
    if method == "gd":
        return (kappa - 1.0) / (kappa + 1.0)
    if method == "momentum":
        return (root - 1.0) / (root + 1.0)
    return 1.0 - 1.0 / root
