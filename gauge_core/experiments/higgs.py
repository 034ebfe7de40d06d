"""Chapter 06's experiments: the spectrum along local rotations at the aligned minimum, before and
after P1's ``L^+`` preconditioning, and iterations to converge against ``T`` for plain GD,
Goldstone-GD and GD with the exact gauge step (gapless against gapped)."""
from __future__ import annotations

import numpy as np

from .._validate import check_float, check_int
from ..coupling import Coupling
from ..models import MexicanHatChain
from ..optimize import Run
from ..spectra import (dispersion, preconditioned_spectrum, radial_dispersion, symmetry_hessian,
                       twist_mode)
from ..theory import predicted_gd_iterations
from .runs import UntilConverged, power_law_slope

RADIAL_GAP = 8.0  # curvature of (|z|^2 - 1)^2 across the ring at |z| = 1
GD_T = (8, 16, 24, 32)
GAUGE_T = (8, 16, 32, 64, 128)
TOL = 1e-6
K1, K2 = 10, 10


def aligned_minimum(T, N=1):
    """The aligned minimum of the d = 2 Mexican-hat chain: every z_{t,i} = (1, 0)."""
    T = check_int("T", T, minimum=2)
    Z = np.zeros((T, 2, check_int("N", N, minimum=1)))
    Z[:, 0, :] = 1.0
    return Z


def higgs_spectra(T, lam):
    """Eigenvalues at the aligned minimum: symmetry subspace, radial modes, after ``L^+``.

    Returns a dict with ``"sym"`` (the ``T`` eigenvalues of the symmetry-subspace Hessian,
    numerical, :func:`gauge_core.symmetry_hessian`), ``"radial"`` (``8 + lam (2 - 2 cos q)``, the
    gapped branch across the ring) and ``"pre"`` (eigenvalues of ``(L^+) H``, numerical).
    """
    coupling = Coupling(T, lam)
    H = symmetry_hessian(aligned_minimum(T), coupling)
    return {"sym": np.linalg.eigvalsh(H), "radial": radial_dispersion(T, lam),
            "pre": preconditioned_spectrum(H, coupling.laplacian)}


def scaled_spectra(base, lam):
    """:func:`higgs_spectra` at ``lam`` from the ``lam = 1`` result: ``H`` scales with ``lam``,
    ``L^+ H`` does not (``L`` and ``H`` both carry one factor ``lam``)."""
    lam = check_float("lam", lam, minimum=0.0)
    return {"sym": lam * base["sym"], "radial": RADIAL_GAP + lam * (base["radial"] - RADIAL_GAP),
            "pre": base["pre"]}


def condition_curves(Ts, lam):
    """Closed-form condition numbers against ``T``: ``{"full", "sym", "pre"}`` arrays (the full
    Hessian ``(8 + h_max) / h_1``, the rotations alone ``h_max / h_1``, after ``L^+``: 1)."""
    h1 = np.array([dispersion(int(t), lam)[1] for t in Ts])
    hmax = np.array([dispersion(int(t), lam)[-1] for t in Ts])
    return {"full": (RADIAL_GAP + hmax) / h1, "sym": hmax / h1, "pre": np.ones_like(h1)}


def stable_lr(lam):
    """The GD step used throughout: ``1 / (8 + 4 lam)``, half the radial stability limit."""
    return 1.0 / (RADIAL_GAP + 4.0 * lam)


def convergence_runs(lam):
    """The runs of one coupling strength, keyed by ``(method, T)``, as :class:`UntilConverged`
    (built lazily). Every run starts from the slowest Goldstone twist (amplitude 1 rad) of the
    d = 2 Mexican-hat chain, uses ``lr = 1/(8 + 4 lam)`` and stops when the loss has fallen to
    ``1e-6`` of its start (the minimum is 0)."""
    lr = stable_lr(lam)
    runs = {}
    for T in GD_T:
        cap = 1.5 * predicted_gd_iterations(T, lam, lr, TOL) + 200
        make = (lambda T=T: Run(MexicanHatChain(T, lam), twist_mode(T, 1, amplitude=1.0), "gd",
                                lr=lr))
        runs[("gd", T)] = UntilConverged("gd", make, TOL, cap)
    for method in ("goldstone", "gauge"):
        for T in GAUGE_T:
            make = (lambda T=T, method=method: Run(
                MexicanHatChain(T, lam), twist_mode(T, 1, amplitude=1.0), method, lr=lr,
                k1=K1, k2=K2))
            runs[(method, T)] = UntilConverged(method, make, TOL, 20 * T * K1 + 2000)
    return runs


def collect_convergence(runs):
    """``{method: (T array, iterations array)}`` for the runs that have converged."""
    out = {}
    for (method, T), r in runs.items():
        if r.converged_at is not None:
            Ts, ks = out.setdefault(method, ([], []))
            Ts.append(T)
            ks.append(r.converged_at)
    return {m: (np.array(v[0]), np.array(v[1], dtype=float)) for m, v in out.items()}


def convergence_data(lam):
    """Run everything to the end for one ``lam`` (blocking): ``{method: (T, iterations)}``.

    Plain GD for ``T`` in 8, 16, 24, 32; Goldstone-GD and GD + exact gauge step (``k1 = k2 = 10``)
    for ``T`` in 8 … 128 (see :func:`convergence_runs`).
    """
    runs = convergence_runs(lam)
    for r in runs.values():
        r.run_to_end()
    return collect_convergence(runs)


def convergence_slopes(data):
    """Fitted log-log slope of iterations against ``T`` per method (at least two points)."""
    return {m: power_law_slope(T, k) for m, (T, k) in data.items() if len(T) >= 2}
