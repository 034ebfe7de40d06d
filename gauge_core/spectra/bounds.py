"""The extremes of the Hessian's non-zero spectrum, ``(h_min, h_max)``, for tuning an optimiser.

Plain GD, heavy-ball momentum and Nesterov's method are tuned from the smallest non-zero and the
largest Hessian eigenvalue (:func:`gauge_core.tuned_momentum`). The zero modes are the model's
exact symmetries (global rotations; for the Mexican hat also rotating one vector at every step):
no optimiser has to move along them, so they are left out.

- :func:`spectrum_bounds` gives the closed forms for :class:`gauge_core.MexicanHatChain` at its
  aligned minimum and falls back to :func:`hessian_extremes` otherwise.
- :func:`hessian_extremes` computes them numerically at any configuration: the exact spectrum of
  the finite-difference Hessian for small models (``method="dense"``), or Lanczos iterations with
  full reorthogonalisation on finite-difference Hessian-vector products (``method="lanczos"``).
"""
from __future__ import annotations

import numpy as np

from .._validate import check_choice, check_float, check_int, check_rng
from ..models.base import check_model
from ..models.hat import MexicanHatChain
from .hessians import fd_hessian
from .modes import dispersion, ring_dispersion

EXTREME_METHODS = ("auto", "dense", "lanczos")
DENSE_LIMIT = 1500  # parameters up to which "auto" diagonalises the whole fd Hessian


def laplacian_spectrum(coupling):
    """Eigenvalues of the coupling's Laplacian, ascending: the closed forms :func:`dispersion`
    (chain) and :func:`ring_dispersion` (ring) when unweighted, a dense eigensolve otherwise."""
    if np.all(coupling.weights == 1.0):
        return (ring_dispersion if coupling.ring else dispersion)(coupling.T, coupling.lam)
    return np.linalg.eigvalsh(coupling.laplacian)


def spectrum_bounds(model, Z=None, *, rtol=1e-8, method="auto", iterations=200, rng=0):
    """Smallest non-zero and largest Hessian eigenvalue ``(h_min, h_max)`` of ``model`` at ``Z``.

    For a :class:`gauge_core.MexicanHatChain` with ``Z=None`` (its aligned minimum, every vector on
    the ring of radius ``r`` and the same at every step) the Hessian is ``8 r^2`` on the radial
    directions plus the coupling's Laplacian ``L`` on every direction, so

    - ``h_min = h_1``, the smallest non-zero eigenvalue of ``L`` (the chain's
      ``lam (2 - 2 cos(pi / T))``), for ``d >= 2`` and ``lam > 0``; ``8 r^2`` otherwise;
    - ``h_max = 8 r^2 + h_{T-1}``, the top radial mode (at most ``8 r^2 + 4 lam``).

    Any other model or configuration goes to :func:`hessian_extremes` (``rtol``, ``method``,
    ``iterations`` and ``rng`` are passed on).

    Returns
    -------
    (float, float)
    """
    check_model(model)
    if Z is None:
        if not isinstance(model, MexicanHatChain):
            raise ValueError("Z must be given for models other than MexicanHatChain (the closed "
                             "forms hold at the Mexican-hat chain's aligned minimum only)")
        h = laplacian_spectrum(model.coupling)
        radial = 8.0 * model.radius ** 2
        soft = h[1] if (model.d >= 2 and model.lam > 0) else radial + h[0]
        return float(soft), float(radial + h[-1])
    return hessian_extremes(model, Z, rtol=rtol, method=method, iterations=iterations, rng=rng)


def hessian_extremes(model, Z, *, rtol=1e-8, method="auto", iterations=200, eps=1e-5, rng=0,
                     near_minimum=False):
    """``(h_min, h_max)`` of the Hessian at ``Z``, zero modes excluded, from finite differences.

    Eigenvalues with ``|h| <= rtol * h_max`` count as zero modes (symmetries and finite-difference
    noise of order ``eps^2``). ``method="dense"`` diagonalises :func:`fd_hessian` (exact, for at
    most 3000 parameters); ``"lanczos"`` runs ``iterations`` Lanczos steps (full
    reorthogonalisation) on Hessian-vector products ``(grad(Z + eps v) - grad(Z - eps v)) / 2 eps``:
    ``h_max`` converges in a few dozen steps, the smallest non-zero Ritz value approaches ``h_min``
    from above and is exact once ``iterations`` reaches the number of parameters. ``"auto"`` is
    dense up to 1500 parameters, Lanczos beyond.

    Raises ``ValueError`` if the remaining spectrum has a negative eigenvalue (not a minimum),
    unless ``near_minimum=True``: for a point on the way to a minimum (a run not yet converged)
    the negative eigenvalues are left out too and ``h_max`` is the largest ``|h|``.
    """
    check_model(model)
    Z = model.check_Z(Z)
    rtol = check_float("rtol", rtol, minimum=0.0)
    check_choice("method", method, EXTREME_METHODS)
    iterations = check_int("iterations", iterations, minimum=2)
    eps = check_float("eps", eps, minimum=0.0, strict_min=True)
    rng = check_rng("rng", rng)
    if method == "dense" or (method == "auto" and Z.size <= DENSE_LIMIT):
        h = np.linalg.eigvalsh(fd_hessian(model, Z, eps))
    else:
        h = _lanczos_ritz_values(model, Z, min(iterations, Z.size), eps, rng)
    top = float(np.abs(h).max())
    live = h[np.abs(h) > rtol * top]
    if near_minimum:
        live = np.append(live[live > 0], top)
    if live.size == 0:
        raise ValueError("the Hessian is zero at Z: no non-zero spectrum")
    if live.min() < 0:
        raise ValueError(f"the Hessian at Z has a negative eigenvalue {live.min():.3g}: Z is not "
                         "a minimum, so there is no (h_min, h_max) to tune for")
    return float(live.min()), float(live.max())


def _lanczos_ritz_values(model, Z, m, eps, rng):
    shape, n = Z.shape, Z.size
    flat = Z.ravel()

    def hvp(v):
        up = model.grad((flat + eps * v).reshape(shape)).ravel()
        down = model.grad((flat - eps * v).reshape(shape)).ravel()
        return (up - down) / (2.0 * eps)

    Q = np.zeros((m, n))
    alpha, beta = np.zeros(m), np.zeros(m)
    q = rng.standard_normal(n)
    q /= np.linalg.norm(q)
    k = 0
    for k in range(m):
        Q[k] = q
        w = hvp(q)
        alpha[k] = q @ w
        w -= Q[: k + 1].T @ (Q[: k + 1] @ w)  # full reorthogonalisation, twice for safety
        w -= Q[: k + 1].T @ (Q[: k + 1] @ w)
        b = np.linalg.norm(w)
        if k + 1 == m or b < 1e-12 * max(abs(alpha[k]), 1.0):
            break
        beta[k] = b
        q = w / b
    size = k + 1
    Tk = np.diag(alpha[:size]) + np.diag(beta[: size - 1], 1) + np.diag(beta[: size - 1], -1)
    return np.linalg.eigvalsh(Tk)
