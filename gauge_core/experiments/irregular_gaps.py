"""Chapter 07's experiments with irregular time gaps: gap patterns, the weighted chain's spectrum
and slowest mode, and plain GD, Goldstone-GD and the exact gauge step racing on it.

Irregular gaps enter as edge weights ``1/gap`` (a Brownian-motion prior: the change over a gap of
length ``g`` has variance proportional to ``g``). The chapter, its panel
(``widgets/irregular_gaps.py``) and ``tests/claims/test_ch07_beyond_chain.py`` call these.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validate import check_choice, check_float, check_int, check_rng
from ..coupling import chain_laplacian, edge_gaps_to_weights
from ..models import MexicanHatChain
from .runs import steps_to_converge

__all__ = ["GAP_PATTERNS", "GAP_RACE_PATTERNS", "gap_pattern", "observation_times",
           "two_block_estimate", "stable_gap_lr", "LongGap", "long_gap_spectra", "GapRace",
           "gap_race"]


GAP_PATTERNS = ("regular", "one long gap", "random", "weekends", "bursts")


def gap_pattern(pattern, T, g, rng=0):
    """Time gaps between ``T`` consecutive observations, shape ``(T-1,)``.

    Parameters
    ----------
    pattern : {"regular", "one long gap", "random", "weekends", "bursts"}
        ``"regular"``: all gaps 1. ``"one long gap"``: gap ``g`` in the middle, 1 elsewhere.
        ``"random"``: log-normal gaps with median 1 and spread ``log g`` (exponent's std
        ``log(g) / 2``). ``"weekends"``: four gaps of 1 then one of ``g`` (trading days, ``g = 3``
        is a weekend). ``"bursts"``: bursts of 8 observations 1 apart, separated by gaps ``g``.
    T : int
        Number of observations, ``>= 2``.
    g : float
        Length of the long gaps (or the spread), ``>= 1``.
    rng : int or numpy.random.Generator
        Used by ``"random"`` only.
    """
    check_choice("pattern", pattern, GAP_PATTERNS)
    T = check_int("T", T, minimum=2)
    g = check_float("g", g, minimum=1.0)
    gaps = np.ones(T - 1)
    if pattern == "one long gap":
        gaps[(T - 1) // 2] = g
    elif pattern == "random":
        gaps = np.exp(0.5 * np.log(g) * check_rng("rng", rng).standard_normal(T - 1))
    elif pattern == "weekends":
        gaps[4::5] = g
    elif pattern == "bursts":
        gaps[7::8] = g
    return gaps


def observation_times(gaps):
    """The times of the observations, ``0`` and the running sum of ``gaps``."""
    return np.concatenate([[0.0], np.cumsum(np.asarray(gaps, dtype=float))])


def two_block_estimate(gaps, lam):
    """``h_1 ~ (lam/g)(1/m_1 + 1/m_2)``: the chain cut at its longest gap ``g`` into blocks of
    ``m_1`` and ``m_2`` steps, each block stiff, joined by one weak spring ``lam/g`` (two masses
    on a spring: the relative coordinate has the reduced mass ``m_1 m_2 / (m_1 + m_2)``)."""
    gaps = np.asarray(gaps, dtype=float)
    k = int(np.argmax(gaps))
    m1, m2 = k + 1, gaps.size - k
    return float(lam / gaps[k] * (1.0 / m1 + 1.0 / m2))


def stable_gap_lr(lam, weights):
    """``1 / (8 + 4 lam w_max)``: half the GD stability limit of the Mexican-hat chain with edge
    weights ``w`` (radial curvature 8, largest coupling eigenvalue at most ``4 lam w_max``)."""
    return 1.0 / (8.0 + 4.0 * float(lam) * float(np.max(weights)))


@dataclass
class LongGap:
    """The weighted chain with one long gap ``g`` in the middle, for several ``g``."""

    T: int
    lam: float
    gs: tuple
    h1: np.ndarray            # algebraic connectivity (second-smallest eigenvalue of L)
    estimate: np.ndarray      # the two-block estimate
    jump_share: np.ndarray    # share of the slowest mode's total change made across the gap

    def row(self, g):
        """``(h1, estimate, jump_share)`` of gap ``g``."""
        k = self.gs.index(g)
        return float(self.h1[k]), float(self.estimate[k]), float(self.jump_share[k])

    def report(self):
        """The spectra as printed text, one line per gap (the regular chain first)."""
        h_reg = float(np.linalg.eigvalsh(chain_laplacian(self.T, self.lam))[1])
        return "\n".join([f"regular chain (all gaps 1): h_1 = {h_reg:.6f}"] + [
            "one long gap g = {:3.0f}: h_1 = {:.6f}, two-block estimate {:.6f}, share of the "
            "slowest mode's change made across the gap {:.2f}".format(g, *self.row(g))
            for g in self.gs])


def long_gap_spectra(T=32, lam=1.0, gs=(1.0, 50.0, 200.0)):
    """Spectra of chains with one long gap ``g`` in the middle (eigenvalues of the weighted
    Laplacian, numerically) against the two-block estimate."""
    h1, est, share = [], [], []
    for g in gs:
        gaps = gap_pattern("one long gap", T, g)
        h, V = np.linalg.eigh(chain_laplacian(T, lam, edge_gaps_to_weights(gaps)))
        jumps = np.abs(np.diff(V[:, 1]))
        h1.append(h[1])
        est.append(two_block_estimate(gaps, lam))
        share.append(jumps[int(np.argmax(gaps))] / jumps.sum())
    return LongGap(int(T), float(lam), tuple(gs), np.array(h1), np.array(est), np.array(share))


@dataclass
class GapRace:
    """Iterations until the loss gap falls to ``tol`` of its start, per gap pattern and method,
    from the same random starts (one per seed); ``None`` if not within ``cap``."""

    T: int
    lam: float
    seeds: tuple
    patterns: dict            # name -> (pattern, g)
    h1: dict                  # name -> algebraic connectivity of that chain
    lr: dict                  # name -> GD step size used (stable for its largest weight)
    iterations: dict = field(default_factory=dict)  # (name, method) -> list over seeds

    def median(self, name, method):
        return float(np.median(self.iterations[name, method]))

    def slowdown(self, name, method, reference="regular"):
        """Median iterations on ``name`` over those on the ``reference`` pattern."""
        return self.median(name, method) / self.median(reference, method)

    def speedup(self, name, method, baseline="gd"):
        """Median of ``baseline / method`` over the seeds, on pattern ``name``."""
        a, b = self.iterations[name, baseline], self.iterations[name, method]
        return float(np.median([x / y for x, y in zip(a, b)]))

    def report(self):
        """The race as printed text: one line per gap pattern, iterations per method and seed."""
        methods = sorted({m for _, m in self.iterations}, key=["gd", "goldstone", "gauge"].index)
        return "\n".join(
            f"{name:22s} h_1 = {self.h1[name]:.5f}  eta = {self.lr[name]:.4f} | iterations: "
            + ", ".join(f"{m} " + "/".join(f"{n:,}" if n is not None else "-"
                                          for n in self.iterations[name, m]) for m in methods)
            for name in self.patterns)


#: the comparison chapter 07 shows: a regular chain and three irregular ones (T = 32)
GAP_RACE_PATTERNS = {"regular": ("regular", 1.0), "one long gap (g = 50)": ("one long gap", 50.0),
                     "bursts (g = 20)": ("bursts", 20.0), "random (g = 10)": ("random", 10.0)}


def gap_race(patterns=None, T=32, lam=1.0, seeds=(0, 1, 2), methods=("gd", "goldstone", "gauge"),
             scale=0.5, tol=1e-6, cap=200_000, k1=10, k2=10):
    """Plain GD, Goldstone-GD and the exact gauge step on Mexican-hat chains with irregular gaps
    (edge weights ``1/gap``), each from the same random starts.

    Every method uses the same inner step size, :func:`stable_gap_lr` of that chain. The random
    pattern draws its gaps with ``rng=0``.
    """
    patterns = dict(GAP_RACE_PATTERNS if patterns is None else patterns)
    T = check_int("T", T, minimum=4)
    race = GapRace(T, float(lam), tuple(int(s) for s in seeds), patterns, {}, {})
    for name, (pattern, g) in patterns.items():
        w = edge_gaps_to_weights(gap_pattern(pattern, T, g, rng=0))
        model = MexicanHatChain(T, lam, weights=w)
        race.h1[name] = float(np.linalg.eigvalsh(model.coupling.laplacian)[1])
        race.lr[name] = lr = stable_gap_lr(lam, w)
        for m in methods:
            race.iterations[name, m] = [
                steps_to_converge(model, model.random_init(np.random.default_rng(s), scale=scale),
                                  m, 0.0, tol=tol, max_steps=cap, chunk=500, lr=lr, k1=k1, k2=k2)
                for s in race.seeds]
    return race
