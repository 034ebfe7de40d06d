"""Chapter 04's experiments on P1 Algorithm 1 itself: one gauge phase on the XY chain, the rate of
the natural-gradient gauge step, the step factor of Eq. 17 against the update rule of line 9, warm
start, and Adam on the clean chain.

Each function returns a small result object whose methods are the claims chapter 04 makes; the
chapter, its claims tests (``tests/claims/test_ch04_*.py``) and its panels call these.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_choice, check_float, check_int
from ..lie import generator_components
from ..models import MexicanHatChain
from ..optimize import PhaseStarts, Run, dissect_phase
from .replica import P1_SETTINGS, p1_replica
from .runs import steps_to_converge

#: The XY chain of chapters 00 and 03 with the Goldstone-GD settings chapter 04 dissects.
XY_SETTINGS = dict(T=32, lam=1.0, lr=0.02, k1=50, k2=10)
PHASE_MODELS = ("xy", "replica")


def phase_recorder(model="xy", rng=0):
    """A Goldstone-GD run (the book's settings) that keeps the start of every gauge phase.

    Parameters
    ----------
    model : {"xy", "replica"}
        The XY chain (``d = 2``, ``T = 32``, ``lam = 1``, one vector per step) or the P1 §5.1
        replica (``d = 3``, ``T = 30``, ``lam = 10``).
    rng : int or numpy.random.Generator
        Seed of the random start (and of the replica's data).

    Returns
    -------
    (gauge_core.Run, gauge_core.PhaseStarts)
        Advance with ``starts.advance_to_phase(run, p)``; ``starts.phases[p - 1]`` is what phase
        ``p`` receives.
    """
    check_choice("model", model, PHASE_MODELS)
    starts = PhaseStarts()
    if model == "xy":
        s = XY_SETTINGS
        chain = MexicanHatChain(s["T"], s["lam"], d=2, N=1)
        run = Run(chain, chain.random_init(rng), "goldstone", lr=s["lr"], k1=s["k1"], k2=s["k2"],
                  recorders=[starts])
    else:
        rep = p1_replica(rng)
        run = Run(rep.model, rep.Z0, "goldstone", recorders=[starts], **P1_SETTINGS["goldstone"])
    return run, starts


def xy_phase(rng=0, phase=4):
    """The XY chain's Goldstone-GD run stopped just before gauge phase ``phase``.

    Returns ``(model, Z, iteration)``: the chain, the configuration the phase receives and the
    number of inner steps done before it (``phase * k1``).
    """
    phase = check_int("phase", phase, minimum=1)
    run, starts = phase_recorder("xy", rng)
    if starts.advance_to_phase(run, phase) < phase:
        raise RuntimeError("the XY chain's run stopped before the requested gauge phase")
    start = starts.phases[phase - 1]
    return run.model, start["Z"], start["iteration"]


# --- the rate of one natural-gradient step --------------------------------------------------------
@dataclass
class RateCheck:
    """Measured against predicted convergence of one gauge phase (P1 Eq. 16 with ``L^+``).

    Attributes
    ----------
    step_scale : float
        The factor ``s`` on P1 Eq. 17.
    T, k2 : int
    shrink : numpy.ndarray
        Ratio of successive gauge-field increments, one per step after the first: how much the
        distance to the target shrinks per step.
    captured : float
        Fraction of the best possible decrease of ``psi`` that the phase achieved.
    """

    step_scale: float
    T: int
    k2: int
    shrink: np.ndarray
    captured: float

    @property
    def q(self):
        """Predicted shrink factor per step, ``1 - 4 s / T``."""
        return 1.0 - 4.0 * self.step_scale / self.T

    @property
    def captured_theory(self):
        """Predicted captured fraction after ``k2`` steps from zero, ``1 - q^(2 k2)``."""
        return 1.0 - self.q ** (2 * self.k2)


def natural_gradient_rate(Z, coupling, step_scale=0.25, k2=10):
    """Run one gauge phase from ``Gamma~ = 0`` and measure its rate (:class:`RateCheck`)."""
    step_scale = check_float("step_scale", step_scale, minimum=0.0, strict_min=True)
    k2 = check_int("k2", k2, minimum=3)
    tr = dissect_phase(Z, coupling, k2, step_scale)
    comp = generator_components(tr.gamma).reshape(tr.gamma.shape[0], -1)
    inc = np.linalg.norm(np.diff(comp, axis=0), axis=1)
    ratio = tr.exact[-1] / tr.best if tr.best < 0 else float("nan")
    return RateCheck(step_scale, coupling.T, tr.steps, inc[1:] / inc[:-1], float(ratio))


# --- the step factor of Eq. 17 and the update of line 9 -------------------------------------------
@dataclass
class StepFactorStudy:
    """Goldstone-GD on the replica with several step factors ``s`` (on P1 Eq. 17) and both update
    rules of Algorithm 1 line 9 (``"exp"``: exact rotation; ``"linear"``: P1's printed ``I + Gamma``).

    Attributes
    ----------
    seeds : tuple of int
    factors : tuple of float
    applies : tuple of str
    loss : numpy.ndarray, shape (len(applies), len(factors), len(seeds), steps + 1)
        Loss curves; ``inf`` after a run diverged.
    optimum : numpy.ndarray, shape (len(seeds),)
    """

    seeds: tuple
    factors: tuple
    applies: tuple
    loss: np.ndarray
    optimum: np.ndarray

    def _curves(self, apply, factor):
        if apply not in self.applies or factor not in self.factors:
            raise ValueError(f"the study has applies {self.applies} and factors {self.factors}, "
                             f"got {apply!r}, {factor!r}")
        return self.loss[self.applies.index(apply), self.factors.index(factor)]

    def at(self, apply, factor, iteration):
        """Loss over the optimum, one per seed, at ``iteration``."""
        return self._curves(apply, factor)[:, iteration] / self.optimum

    def ahead(self, apply, fast, slow, iteration):
        """Number of seeds on which factor ``fast`` has the lower loss at ``iteration``."""
        return int(np.sum(self._curves(apply, fast)[:, iteration]
                          < self._curves(apply, slow)[:, iteration]))

    def blowups(self, apply, factor):
        """Number of seeds whose loss rose above its starting value at some point (or diverged)."""
        L = self._curves(apply, factor)
        return int(np.sum(np.max(L, axis=1) > L[:, 0]))

    def median(self, apply, factor, iteration):
        """Median over the seeds of the loss over the optimum at ``iteration``."""
        return float(np.median(self.at(apply, factor, iteration)))


def step_factor_study(seeds=range(6), steps=400, factors=(0.25, 1.0, 4.0),
                      applies=("exp", "linear")):
    """Goldstone-GD (P1's k1 = 50, k2 = 10, warm start, the clipped GD of P1 §5.1 inside) on the
    replica of each seed with every step factor and update rule; returns a
    :class:`StepFactorStudy`."""
    seeds = tuple(check_int("seeds", s, minimum=0) for s in seeds)
    steps = check_int("steps", steps, minimum=1)
    factors = tuple(check_float("factors", f, minimum=0.0, strict_min=True) for f in factors)
    applies = tuple(check_choice("applies", a, ("exp", "linear")) for a in applies)
    loss = np.full((len(applies), len(factors), len(seeds), steps + 1), np.inf)
    optimum = np.empty(len(seeds))
    for si, seed in enumerate(seeds):
        rep = p1_replica(seed)
        optimum[si] = rep.optimum
        for ai, apply in enumerate(applies):
            for fi, s in enumerate(factors):
                run = Run(rep.model, rep.Z0, "goldstone", step_scale=s, apply=apply,
                          **P1_SETTINGS["goldstone"])
                run.advance(steps)
                loss[ai, fi, si, :run.loss.size] = run.loss
    return StepFactorStudy(seeds, factors, applies, loss, optimum)


# --- warm start and Adam on the clean chain -------------------------------------------------------
def warm_start_iterations(seeds=(0, 1, 2), tol=1e-6, max_steps=5000):
    """Iterations until the XY chain's loss falls to ``tol`` of its start under Goldstone-GD with
    the gauge fields kept between phases (P1's warm start) and reset to zero.

    Returns ``{seed: {"warm": n, "reset": n}}`` (``None`` if not converged by ``max_steps``).
    """
    s = XY_SETTINGS
    chain = MexicanHatChain(s["T"], s["lam"], d=2, N=1)
    out = {}
    for seed in seeds:
        Z0 = chain.random_init(check_int("seeds", seed, minimum=0))
        out[int(seed)] = {name: steps_to_converge(chain, Z0, "goldstone", 0.0, tol, max_steps,
                                                  lr=s["lr"], k1=s["k1"], k2=s["k2"],
                                                  warm_start=warm)
                          for name, warm in (("warm", True), ("reset", False))}
    return out


#: Methods and step sizes of the clean-chain comparison (GD at the stable step of the radial
#: modes for lam = 1, 1 / (8 + 4 lam); Adam at 0.01).
CHAIN_METHODS = (("gd", 1 / 12), ("adam", 0.01), ("goldstone", 1 / 12))


def slowest_twist_iterations(Ts=(8, 16, 32), tol=1e-6, max_steps=20000, methods=CHAIN_METHODS):
    """Iterations until the loss falls to ``tol`` of its start, from the slowest Goldstone mode of
    the XY chain (amplitude 0.5 rad), for each ``T`` and method (Goldstone-GD with ``k1 = 10``).

    Returns ``{T: {method: n}}``.
    """
    out = {}
    for T in Ts:
        T = check_int("Ts", T, minimum=2)
        chain = MexicanHatChain(T, 1.0)
        theta = 0.5 * np.cos(np.pi * (np.arange(T) + 0.5) / T)
        Z0 = np.stack([np.cos(theta), np.sin(theta)], axis=1)[:, :, None]
        out[T] = {m: steps_to_converge(chain, Z0, m, 0.0, tol, max_steps, lr=lr, k1=10)
                  for m, lr in methods}
    return out
