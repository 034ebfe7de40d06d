"""Chapter 05's experiments: twisted starting points, P1's gauge phases against the exact gauge
step, and the errors of the second-order expansions (P1 Eq. 14, P2 Eq. 6) against the exact
coupling change."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_choice, check_int, check_rng
from ..coupling import Coupling
from ..expansions import exact_change, p1_objective, p2_objective
from ..lie import random_skew
from ..models import DynamicFactorization, MexicanHatChain
from ..optimize import goldstone_phase, optimize
from .replica import p1_data
from .runs import power_law_slope

#: the two models of chapter 05's comparison: label and the plain-GD step of the warm-up
START_MODELS = {
    "hat": ("Mexican-hat chain, d = 2, N = 3, T = 32, λ = 1", 0.05),
    "mf": ("matrix factorisation, d = 3, T = 30, λ = 10 (P1 §5.1)", 0.01),
}


def warm_up(model, Z0, steps, lr):
    """``steps`` plain-GD steps from ``Z0``; a start far out on the hat can diverge at ``lr``, so
    the step is halved until the run stays finite (the book's seeds never need it)."""
    for _ in range(30):
        result = optimize(model, Z0, "gd", steps, lr=lr)
        if not result.diverged:
            return result.Z
        lr /= 2
    raise RuntimeError("the plain-GD warm-up diverged even at a tiny step size")


def relaxed_hat(T, rng, N=1, steps=200, lr=0.05, lam=1.0):
    """A d = 2 Mexican-hat chain after ``steps`` GD steps from a random start (seeded by ``rng``):
    on the ring, still twisted. Returns ``(model, Z)``."""
    model = MexicanHatChain(T, lam, d=2, N=N)
    Z0 = model.random_init(check_rng("rng", rng))
    return model, warm_up(model, Z0, steps, lr)


def make_start(model_name, rng, pre):
    """One of :data:`START_MODELS` and its configuration after ``pre`` plain-GD steps from a random
    start drawn from ``rng``. Returns ``(model, Z)``."""
    check_choice("model_name", model_name, tuple(START_MODELS))
    if model_name == "hat":
        model = MexicanHatChain(32, 1.0, d=2, N=3)
    else:
        model = DynamicFactorization(p1_data(0), 3, 10.0, T=30)
    Z0 = model.random_init(check_rng("rng", rng))
    return model, warm_up(model, Z0, check_int("pre", pre, minimum=0), START_MODELS[model_name][1])


def p1_phases(model, Z, phases, k2=10, step_scale=0.25, warm_start=True):
    """Coupling ``psi`` after each of ``phases`` pure gauge phases of P1 Algorithm 1 (lines 6–9).

    No GD steps in between, so only the gauge sub-solver is compared. Returns ``(psi, Z_final)``
    with ``psi[0]`` the starting value.
    """
    Lplus = model.coupling.laplacian_pinv
    raw = np.zeros((model.T, model.d, model.d))
    psi = [model.coupling_loss(Z)]
    for _ in range(phases):
        Z = goldstone_phase(Z, raw, model.coupling, Lplus, k2, step_scale, "exp", warm_start)
        psi.append(model.coupling_loss(Z))
    return np.array(psi), Z


@dataclass
class ExpansionErrors:
    """Errors of the second-order expansions against the exact coupling change, per ``eps``.

    ``errors[name]`` for ``"p2"`` (P2 Eq. 6 as printed), ``"p2c"`` (with the commutator) and
    ``"p1"`` (P1 Eq. 14). Unpacks as ``eps, errors``.
    """

    eps: np.ndarray
    errors: dict

    def __iter__(self):
        return iter((self.eps, self.errors))

    def slopes(self):
        """Log-log slope of each error against ``eps``: 3 means exact to second order."""
        return {k: power_law_slope(self.eps, v) for k, v in self.errors.items()}


def expansion_errors(d, rng=0, T=6, N=5, lam=1.0, eps=None):
    """Errors of P2 Eq. 6 (as printed and with the commutator) and P1 Eq. 14 against the exact change.

    ``Gamma = eps * G`` for a random skew direction ``G`` (unit Frobenius norm over all steps) and a
    random ``Z``, both drawn from ``rng``.

    Returns
    -------
    ExpansionErrors
    """
    rng = check_rng("rng", rng)
    coupling = Coupling(T, lam)
    Z = rng.standard_normal((T, d, N))
    G = random_skew(d, rng, size=T)
    G /= np.linalg.norm(G)
    eps = np.logspace(-3, -1.3, 10) if eps is None else np.asarray(eps, dtype=float)
    err = {"p2": [], "p2c": [], "p1": []}
    for e in eps:
        exact = exact_change(e * G, Z, coupling)
        err["p2"].append(abs(p2_objective(e * G, Z, coupling) - exact))
        err["p2c"].append(abs(p2_objective(e * G, Z, coupling, commutator=True) - exact))
        err["p1"].append(abs(p1_objective(e * G, Z, coupling) - exact))
    return ExpansionErrors(eps, {k: np.array(v) for k, v in err.items()})
