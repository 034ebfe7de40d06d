"""Chapter 06's experiments: the spectrum along local rotations at the aligned minimum, before and
after P1's ``L^+`` preconditioning, and iterations to converge against ``T`` for plain GD, heavy
ball tuned to the spectrum, Goldstone-GD and GD with the exact gauge step (gapless against
gapped)."""
from __future__ import annotations

import numpy as np

from .._validate import check_float, check_int
from ..coupling import Coupling, chain_laplacian
from ..models import MexicanHatChain
from ..optimize import Run, goldstone_phase
from ..spectra import (condition_number, dispersion, fd_hessian, preconditioned_spectrum,
                       radial_dispersion, spectrum_bounds, symmetry_hessian, twist_amplitudes,
                       twist_mode)
from ..theory import predicted_gd_iterations, tuned_momentum
from .runs import UntilConverged, power_law_slope

RADIAL_GAP = 8.0  # curvature of (|z|^2 - 1)^2 across the ring at |z| = 1
GD_T = (8, 16, 32)
GAUGE_T = (8, 16, 32, 64, 128)
CONVERGENCE_METHODS = ("gd", "momentum", "goldstone", "gauge")
TOL = 1e-6
K1, K2 = 10, 10
#: the convergence experiment's settings, by name (what a panel or a caption reports)
HIGGS_SETTINGS = {"gd_T": GD_T, "gauge_T": GAUGE_T, "k1": K1, "k2": K2, "tol": TOL}


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


def convergence_runs(lam, methods=CONVERGENCE_METHODS):
    """The runs of one coupling strength, keyed by ``(method, T)``, as :class:`UntilConverged`
    (built lazily). Every run starts from the slowest Goldstone twist (amplitude 1 rad) of the
    d = 2 Mexican-hat chain and stops when the loss has fallen to ``1e-6`` of its start (the
    minimum is 0). GD and the gauge methods' inner GD use ``lr = 1/(8 + 4 lam)``; heavy ball
    (``"momentum"``) is tuned to the spectrum at the minimum, ``gauge_core.tuned_momentum(
    *gauge_core.spectrum_bounds(model))``. Plain GD runs for ``T`` in :data:`GD_T`, the others
    for ``T`` in :data:`GAUGE_T`."""
    lr = stable_lr(lam)
    runs = {}
    for method in methods:
        for T in (GD_T if method == "gd" else GAUGE_T):
            if method == "gd":
                cap = 1.5 * predicted_gd_iterations(T, lam, lr, TOL) + 200
            else:
                cap = 20 * T * K1 + 2000
            runs[(method, T)] = UntilConverged(method, _maker(method, T, lam, lr), TOL, cap)
    return runs


def _maker(method, T, lam, lr):
    def make():
        model = MexicanHatChain(T, lam)
        Z0 = twist_mode(T, 1, amplitude=1.0)
        if method == "gd":
            return Run(model, Z0, "gd", lr=lr)
        if method == "momentum":
            return Run(model, Z0, "momentum", **tuned_momentum(*spectrum_bounds(model)))
        return Run(model, Z0, method, lr=lr, k1=K1, k2=K2)
    return make


def collect_convergence(runs):
    """``{method: (T array, iterations array)}`` for the runs that have converged."""
    out = {}
    for (method, T), r in runs.items():
        if r.converged_at is not None:
            Ts, ks = out.setdefault(method, ([], []))
            Ts.append(T)
            ks.append(r.converged_at)
    return {m: (np.array(v[0]), np.array(v[1], dtype=float)) for m, v in out.items()}


def convergence_data(lam, methods=CONVERGENCE_METHODS):
    """Run everything to the end for one ``lam`` (blocking): ``{method: (T, iterations)}``.

    Plain GD for ``T`` in 8, 16, 32; tuned momentum, Goldstone-GD and GD + exact gauge step
    (``k1 = k2 = 10``) for ``T`` in 8 … 128 (see :func:`convergence_runs`).
    """
    runs = convergence_runs(lam, methods)
    for r in runs.values():
        r.run_to_end()
    return collect_convergence(runs)


def convergence_slopes(data):
    """Fitted log-log slope of iterations against ``T`` per method (at least two points)."""
    return {m: power_law_slope(T, k) for m, (T, k) in data.items() if len(T) >= 2}


# --- the chapter's checks ---------------------------------------------------------------------
def aligned_hessian_errors(T, lam, rng=0):
    """How exactly the curvature along local rotations is the chain Laplacian (``d = 2``).

    Returns a dict: ``"H_vs_L"`` (max ``|H - L|`` at the aligned minimum with ``|z| = 1``),
    ``"full_vs_branches"`` (the finite-difference Hessian's eigenvalues against
    ``{h_nu} ∪ {8 + h_nu}``) and ``"cloud"`` (three random vectors per step, aligned: max
    ``|H - (sum_i |z_i|^2) L|``).
    """
    model = MexicanHatChain(T, lam)
    Z = aligned_minimum(T)
    L = chain_laplacian(T, lam)
    H = symmetry_hessian(Z, model.coupling)
    full = np.linalg.eigvalsh(fd_hessian(model, Z))
    h = dispersion(T, lam)
    expected = np.sort(np.concatenate([h, RADIAL_GAP + h]))
    cloud = np.random.default_rng(rng).standard_normal((2, 3))
    H3 = symmetry_hessian(np.repeat(cloud[None], T, axis=0), model.coupling)
    return {"H_vs_L": float(np.abs(H - L).max()),
            "full_vs_branches": float(np.abs(full - expected).max()),
            "cloud": float(np.abs(H3 - np.sum(cloud ** 2) * L).max())}


def condition_table(Ts=(8, 32, 128), lams=(0.1, 10.0), d=2, N=1, rng=None):
    """Condition numbers along local rotations at the aligned minimum, before and after ``L^+``:
    ``{(T, lam): (kappa(H), kappa(L^+ H))}``. ``d = 2``, ``N = 1`` uses unit vectors; otherwise
    one random ``(d, N)`` cloud (seed ``rng``) repeated at every step."""
    cloud = (aligned_minimum(2, N)[0] if (d == 2 and rng is None)
             else np.random.default_rng(rng).standard_normal((d, N)))
    out = {}
    for T in Ts:
        for lam in lams:
            c = Coupling(int(T), lam)
            H = symmetry_hessian(np.repeat(cloud[None], int(T), axis=0), c)
            out[(int(T), float(lam))] = (condition_number(np.linalg.eigvalsh(H)),
                                         condition_number(preconditioned_spectrum(H, c.laplacian)))
    return out


def natural_step_factor(T, step_scale=0.25, amplitude=1e-3):
    """Factor by which one natural-gradient step of Goldstone-GD (``k2 = 1``, no warm start)
    shrinks the slowest twist of the ``d = 2`` chain (``lam = 1``), measured."""
    m = MexicanHatChain(T, 1.0)
    Z = twist_mode(T, 1, amplitude=amplitude)
    after = goldstone_phase(Z, np.zeros((T, 2, 2)), m.coupling, k2=1, step_scale=step_scale,
                            warm_start=False)
    return float(twist_amplitudes(after)[1] / twist_amplitudes(Z)[1])


def one_step_scale(T, probe=0.25):
    """The step factor ``s`` at which one natural-gradient step removes the slowest twist,
    found from measurements: the factor is affine in ``s`` for a small twist (``1`` at ``s = 0``),
    so ``s = probe / (1 - natural_step_factor(T, probe))``."""
    return probe / (1.0 - natural_step_factor(T, probe))


def gd_iterations_against_lambda(T, lams, lr=None):
    """Predicted plain-GD iterations (:func:`gauge_core.predicted_gd_iterations`) at each ``lam``:
    with a fixed step ``lr`` they fall like ``1 / lam``; with ``lr = None`` the chapter's step
    ``1 / (8 + 4 lam)`` is used, and since ``lr lam -> 1/4`` they approach a ``lam``-free limit."""
    return np.array([predicted_gd_iterations(T, lam, stable_lr(lam) if lr is None else lr, TOL)
                     for lam in lams])


def predicted_gd_curve(Ts, lam):
    """Predicted plain-GD iterations against ``T`` at the chapter's step ``1 / (8 + 4 lam)``
    (:func:`gauge_core.predicted_gd_iterations`), for the dashed line beyond the simulated ``T``."""
    return np.array([predicted_gd_iterations(int(T), lam, stable_lr(lam), TOL) for T in Ts])


def spectrum_summary(T, lam, spectra=None):
    """What the spectrum panel states, from :func:`higgs_spectra` (or ``spectra`` at ``lam``):
    the gap ``h1``, condition numbers (rotations alone, full Hessian, after ``L^+``), their
    long-wave estimate ``4 T^2 / pi^2``, the top radial mode, the range of ``L^+ H`` and GD's
    predicted iterations at ``lr = 1 / (8 + 4 lam)``."""
    sp = higgs_spectra(T, lam) if spectra is None else spectra
    return {"h1": float(sp["sym"][1]), "kappa_sym": condition_number(sp["sym"]),
            "kappa_full": condition_number(np.concatenate([sp["sym"], sp["radial"]])),
            "kappa_pre": condition_number(sp["pre"]), "kappa_estimate": 4 * T * T / np.pi ** 2,
            "radial_top": float(sp["radial"][-1]), "pre_range": (float(sp["pre"][1]),
                                                                  float(sp["pre"][-1])),
            "gd_steps": predicted_gd_iterations(T, lam, stable_lr(lam), TOL)}
