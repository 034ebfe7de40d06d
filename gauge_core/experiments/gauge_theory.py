"""Chapter 05's experiments: twisted starting points, P1's gauge phases against the exact gauge
step, the errors of the second-order expansions (P1 Eq. 14, P2 Eq. 6) against the exact coupling
change and what the missing commutator costs near alignment, and a plain GD run watched in the
gauge the reader chooses."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_choice, check_float, check_int, check_rng
from ..coupling import Coupling
from ..expansions import exact_change, p1_objective, p2_objective
from ..gauge import (covariant_difference, exact_gauge_step, gauge_invariant_loss, gauge_transform,
                     link_variables)
from ..lie import expm_skew, planar_angle, random_skew, so_basis
from ..models import DynamicFactorization, MexicanHatChain
from ..optimize import Recorder, Run, goldstone_phase, optimize
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


# --- what the missing commutator costs near alignment --------------------------------------------
@dataclass
class Eq6Shortfall:
    """Fraction of the best decrease of ``psi`` that the minimiser of a second-order model misses,
    against the size of the twist.

    ``missed[name]`` for ``"p2"`` (P2 Eq. 6 as printed) and ``"p2c"`` (with the commutator, which
    equals P1 Eq. 14 on a chain): ``1 - (psi change at the model's minimiser) / (best psi change)``,
    one value per ``eps``. Both minimisers are taken over mean-free gauge fields (the global rotation
    ``L^+`` leaves alone), and the best change is the exact gauge step's.
    """

    eps: np.ndarray
    missed: dict

    def slopes(self):
        """Log-log slope of each missed fraction against ``eps`` (2: it vanishes like eps^2)."""
        return {k: power_law_slope(self.eps, v) for k, v in self.missed.items()}

    def ratio(self):
        """``missed["p2"] / missed["p2c"]`` per ``eps``: how much more the printed Eq. 6 misses."""
        return self.missed["p2"] / self.missed["p2c"]


def _quadratic(f, n):
    """``(b, H)`` of a quadratic ``f(x) = f(0) + b.x + x.H.x / 2`` on ``R^n``, by polarisation
    (exact for a quadratic, up to round-off)."""
    f0 = f(np.zeros(n))
    E = np.eye(n)
    fp = np.array([f(E[i]) for i in range(n)])
    fm = np.array([f(-E[i]) for i in range(n)])
    H = np.diag(fp + fm - 2.0 * f0)
    for i in range(n):
        for j in range(i + 1, n):
            H[i, j] = H[j, i] = f(E[i] + E[j]) - fp[i] - fp[j] + f0
    return (fp - fm) / 2.0, H


def eq6_shortfall(eps=None, d=3, T=8, N=6, rng=0):
    """How much of the best decrease of the coupling the minimiser of P2 Eq. 6 misses near alignment.

    One random ``d x N`` configuration is repeated at every step (aligned), then step ``t`` is
    rotated by the product of ``t`` random rotations of angle ``eps`` each (a twist of ``eps`` per
    link). For each ``eps`` both second-order models (printed, with commutator) are minimised
    exactly over mean-free gauge fields, the rotations are applied exactly, and the change of
    ``psi`` is compared with the exact gauge step's.

    Returns
    -------
    Eq6Shortfall
    """
    d = check_int("d", d, minimum=2)
    T = check_int("T", T, minimum=3)
    N = check_int("N", N, minimum=d)
    rng = check_rng("rng", rng)
    eps = np.logspace(-2.5, -0.5, 6) if eps is None else np.asarray(eps, dtype=float)
    coupling = Coupling(T, 1.0)
    Z0 = rng.standard_normal((d, N))
    G = random_skew(d, rng, size=T)
    G *= np.sqrt(2.0) / np.linalg.norm(G, axis=(1, 2))[:, None, None]  # rotation angle 1 each
    basis = so_basis(d)
    k = basis.shape[0]
    # an orthonormal basis of the mean-free time profiles (the complement of the global mode)
    Q = np.linalg.qr(np.c_[np.ones(T), np.eye(T)[:, :T - 1]])[0][:, 1:]
    n = (T - 1) * k

    def gamma(x):
        return np.einsum("sp,ts,pij->tij", x.reshape(T - 1, k), Q, basis)

    missed = {"p2": [], "p2c": []}
    for e in eps:
        R = np.empty((T, d, d))
        R[0] = np.eye(d)
        for t in range(1, T):
            R[t] = expm_skew(check_float("eps", e, minimum=0.0, strict_min=True) * G[t]) @ R[t - 1]
        Z = np.matmul(R, Z0[None])
        best = coupling.value(exact_gauge_step(Z)[0]) - coupling.value(Z)
        for name, comm in (("p2", False), ("p2c", True)):
            b, H = _quadratic(lambda x: p2_objective(gamma(x), Z, coupling, commutator=comm), n)
            x = -np.linalg.solve(H, b)
            missed[name].append(1.0 - exact_change(gamma(x), Z, coupling) / best)
    return Eq6Shortfall(eps, {k_: np.array(v) for k_, v in missed.items()})


# --- a running GD watched in a chosen gauge --------------------------------------------------------
#: The gauge choices of chapter 05's live panel: plain GD, the exact gauge step every ``k1`` steps
#: with one of the three reference frames, or plain GD shown in the unitary gauge.
GAUGE_CHOICES = ("none", "first", "last", "mean", "unitary")


def unitary_view(Z):
    """The unitary gauge of a ``d = 2`` configuration: the twist moved into the gauge field.

    Returns ``(Z_tilde, phi)``: ``Z_tilde_t = R_t Z_t`` with the exact gauge step's rotations
    (mean frame), which is as untwisted as rotations can make it, and the gauge angles ``phi_t``
    of ``Gamma~_t = phi_t J = -log R_t``, so that ``exp(Gamma~_t) Z_tilde_t = Z_t``: the gauge-invariant
    loss ``L'(Z_tilde; Gamma~)`` equals ``L(Z)``.
    """
    Z_tilde, R = exact_gauge_step(Z, reference="mean")
    return Z_tilde, -np.unwrap(planar_angle(R))


class UnitaryLoss(Recorder):
    """Every ``every`` iterations, the loss ``L(Z_tilde)`` of the unitary-gauge configuration with
    its gauge field dropped (``Gamma~ = 0``): what the exact gauge step would reach at that moment.
    ``iterations`` and ``loss`` grow as the run goes."""

    def __init__(self, every=10):
        self.every = check_int("every", every, minimum=1)
        self.iterations, self.loss = [], []

    def step(self, run):
        if run.iteration % self.every == 0:
            self.iterations.append(run.iteration)
            self.loss.append(float(run.model.loss(exact_gauge_step(run.Z)[0])))


def gauge_choice_run(model, Z0, gauge, lr, k1=50, every=10):
    """The run chapter 05's live panel plays for one gauge choice (:data:`GAUGE_CHOICES`).

    ``"none"`` and ``"unitary"``: plain GD (the unitary gauge only changes how it is looked at; its
    run also records :class:`UnitaryLoss`); ``"first"``, ``"last"``, ``"mean"``: GD with the exact
    gauge step every ``k1`` steps, gauge fixed to that reference frame.

    Returns
    -------
    (gauge_core.Run, UnitaryLoss or None)
    """
    check_choice("gauge", gauge, GAUGE_CHOICES)
    if gauge in ("none", "unitary"):
        rec = UnitaryLoss(every) if gauge == "unitary" else None
        return Run(model, Z0, "gd", lr, recorders=[rec] if rec else ()), rec
    return Run(model, Z0, "gauge", lr, k1=k1, reference=gauge), None


# --- one gauge transformation of a twisted d = 2 chain, measured -----------------------------------
@dataclass
class GaugeTransformation:
    """A gauge transformation ``Z_t -> exp(-Gamma~_t) exp(Gamma_t) Z_t`` of a d = 2 chain with
    ``Gamma = 0`` before, measured per time step and per link.

    Attributes
    ----------
    model : MexicanHatChain
    Z, Z_new : numpy.ndarray
        The configuration before and after.
    theta, theta_new : numpy.ndarray, shape (T,)
        Angle of the first embedding vector at each step, before and after (unwrapped).
    phi : numpy.ndarray, shape (T,)
        The new gauge angles, ``Gamma~_t = phi_t J``.
    seen : numpy.ndarray, shape (T,)
        ``theta_new + phi``: the angle of ``exp(Gamma~_t) Z~_t``, all that ``L'`` sees.
    naive, naive_new, covariant, covariant_new : numpy.ndarray, shape (T - 1,)
        Per link ``||Z_t - Z_{t-1}||`` and ``||Z_t - U_t Z_{t-1}||`` (``U_t = R_t^T R_{t-1}``),
        before and after.
    loss, loss_new : float
        The plain loss ``L(Z)`` before and after.
    invariant, invariant_new : float
        The gauge-invariant loss ``L'(Z; Gamma)`` (P2 Eq. 5) before and after.
    """

    model: object
    Z: np.ndarray
    Z_new: np.ndarray
    theta: np.ndarray
    theta_new: np.ndarray
    phi: np.ndarray
    seen: np.ndarray
    naive: np.ndarray
    naive_new: np.ndarray
    covariant: np.ndarray
    covariant_new: np.ndarray
    loss: float
    loss_new: float
    invariant: float
    invariant_new: float


def _link_lengths(D):
    return np.sqrt(np.einsum("tdn,tdn->t", D, D))


def gauge_transformation(Z, model, kind="random", strength=1.0, rng=1):
    """Apply a new gauge to a ``d = 2`` configuration ``Z`` that has no gauge field yet.

    Parameters
    ----------
    Z : array_like of shape (T, 2, N)
    model : EmbeddingModel
    kind : {"random", "unitary"}
        ``"random"``: gauge angles ``phi_t ~ N(0, strength^2)`` drawn from ``rng``;
        ``"unitary"``: ``Gamma~_t = -log R_t`` with the exact gauge step's rotations, which moves
        the whole twist from ``Z`` into the gauge field (the unitary gauge).

    Returns
    -------
    GaugeTransformation
    """
    check_choice("kind", kind, ("random", "unitary"))
    Z = np.asarray(Z, dtype=float)
    T = Z.shape[0]
    if kind == "unitary":
        phi = unitary_view(Z)[1]
    else:
        phi = check_float("strength", strength, minimum=0.0) * check_rng(
            "rng", rng).standard_normal(T)
    J = so_basis(2)[0]
    G0, G1 = np.zeros((T, 2, 2)), phi[:, None, None] * J
    Z1 = gauge_transform(Z, G0, G1)
    theta = np.unwrap(np.arctan2(Z[:, 1, 0], Z[:, 0, 0]))
    seen = np.unwrap(np.arctan2(*(np.matmul(expm_skew(G1), Z1)[:, ::-1, 0].T)))
    seen += 2 * np.pi * np.round((theta[0] - seen[0]) / (2 * np.pi))
    U0, U1 = link_variables(expm_skew(G0)), link_variables(expm_skew(G1))
    return GaugeTransformation(
        model=model, Z=Z, Z_new=Z1, theta=theta, theta_new=seen - phi, phi=phi, seen=seen,
        naive=_link_lengths(Z[1:] - Z[:-1]), naive_new=_link_lengths(Z1[1:] - Z1[:-1]),
        covariant=_link_lengths(covariant_difference(Z, U0)),
        covariant_new=_link_lengths(covariant_difference(Z1, U1)),
        loss=float(model.loss(Z)), loss_new=float(model.loss(Z1)),
        invariant=float(gauge_invariant_loss(model, Z, G0)),
        invariant_new=float(gauge_invariant_loss(model, Z1, G1)))


# --- the exact step against P1's phases, and the three reference frames on a running GD ---------
@dataclass
class ExactVsPhases:
    """The coupling before, after the exact gauge step, and after each of P1's pure gauge phases
    (no GD in between) for several settings ``(step_scale, warm_start)``.

    Attributes
    ----------
    psi_start, psi_exact : float
    psi : dict[(float, bool), numpy.ndarray]
        ``psi`` after 0, 1, ... phases.
    local_change : float
        Largest change of the local loss caused by any of the rotations (round-off only).
    """

    psi_start: float
    psi_exact: float
    psi: dict
    local_change: float

    def removed(self):
        """Fraction of the starting coupling the exact step removes in one shot."""
        return 1.0 - self.psi_exact / self.psi_start

    def missing(self, step_scale, warm_start=True, phases=-1):
        """Fraction of the exact step's gain still missing after ``phases`` P1 phases."""
        psi = self.psi[step_scale, warm_start][phases]
        return (psi - self.psi_exact) / (self.psi_start - self.psi_exact)

    def rises(self, step_scale, warm_start=True):
        """Number of phases after which ``psi`` went up."""
        return int(np.sum(np.diff(self.psi[step_scale, warm_start]) > 0))

    def never_below(self, rtol=1e-9):
        """True if no P1 phase ever went below the exact optimum (it is the minimum)."""
        return all(np.all(v >= self.psi_exact * (1 - rtol)) for v in self.psi.values())


def exact_vs_phases(model_name="mf", rng=0, pre=100, phases=15, k2=10,
                    settings=((1.0, True), (0.25, True), (1.0, False), (0.25, False))):
    """:func:`make_start`, then the exact gauge step and P1's phases for every setting."""
    model, Z = make_start(model_name, rng, pre)
    Ze = exact_gauge_step(Z)[0]
    psi, change = {}, abs(model.local_loss(Ze) - model.local_loss(Z))
    for s, warm in settings:
        psi[s, warm], Zp = p1_phases(model, Z, phases, k2, s, warm)
        change = max(change, abs(model.local_loss(Zp) - model.local_loss(Z)))
    return ExactVsPhases(float(model.coupling_loss(Z)), float(model.coupling_loss(Ze)), psi,
                         float(change))


def reference_curves(T=32, lam=1.0, rng=0, k1=50, steps=2000):
    """GD with the exact gauge step on the d = 2 hat chain, once per reference frame.

    Returns ``{reference: (loss curve, final Z)}`` for ``"first"``, ``"last"`` and ``"mean"``.
    """
    model = MexicanHatChain(T, lam, d=2, N=1)
    Z0 = model.random_init(rng)
    out = {}
    for ref in ("first", "last", "mean"):
        run = gauge_choice_run(model, Z0, ref, 1.0 / (8.0 + 4.0 * lam), k1)[0]
        run.advance(check_int("steps", steps, minimum=1))
        out[ref] = (run.loss.copy(), run.Z.copy())
    return out
