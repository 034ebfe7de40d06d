"""Chapter 07's experiments on a ring (winding, flux, holonomy) and with reflection domain walls;
the irregular time gaps are in :mod:`.irregular_gaps`.

Every function returns arrays or a small result dataclass whose claims are methods; the chapter,
its panels (``widgets/beyond_chain.py``) and ``tests/claims/test_ch07_beyond_chain.py`` call them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_choice, check_int, check_rng
from ..coupling import Coupling
from ..gauge import (apply_rotations, domain_wall, exact_gauge_step, holonomy_angle, ring_flux,
                     winding_number, wound_ring)
from ..lie import random_rotation
from ..models import DynamicFactorization, MexicanHatChain, best_factorization
from ..optimize import goldstone_phase, iterations_to_converge, optimize
from ..theory import winding_plateau

__all__ = ["RingTrace", "ring_start", "WoundRelaxation", "wound_relaxation", "RingSurvey", "random_ring_survey",
           "frustrated_ring", "mixed_winding_ring", "flux_report", "signed_holonomy", "Frustration",
           "frustration", "ReflectionWall", "reflection_wall"]

TWO_PI = 2.0 * np.pi


# --- the ring --------------------------------------------------------------------------------------
class RingTrace:
    """A ``Run`` callback that samples the flux and the holonomy angle every ``every`` iterations
    (about 0.1 ms each); ``iterations``, ``flux``, ``holonomy`` are lists (radians)."""

    def __init__(self, Z0, every=20):
        self.every = check_int("every", every, minimum=1)
        self.iterations, self.flux, self.holonomy = [0], [ring_flux(Z0)], [holonomy_angle(Z0)]

    def __call__(self, iteration, Z):
        if iteration % self.every == 0:
            self.iterations.append(iteration)
            self.flux.append(ring_flux(Z))
            self.holonomy.append(holonomy_angle(Z))


def ring_start(model, start="wound", w=2, noise=0.3, rng=0):
    """A start on the ring ``model`` (d = 2): ``"wound"`` (:func:`gauge_core.wound_ring` with
    winding ``w`` and angle noise ``noise``) or ``"random"`` (i.i.d. N(0, 1) entries)."""
    check_choice("start", start, ("wound", "random"))
    if start == "wound":
        return wound_ring(model.T, w, N=model.N, noise=noise, rng=rng)
    return model.random_init(np.random.default_rng(rng))


@dataclass
class WoundRelaxation:
    """Plain GD and Goldstone-GD from the same noisy wound ring."""

    model: MexicanHatChain
    w: int
    Z0: np.ndarray
    results: dict             # method -> OptimizeResult
    plateau: tuple            # winding_plateau(T, lam, w): (loss, psi, r^2)
    phase_dpsi: float         # psi change of one long Goldstone-GD gauge phase on GD's end state
    phase_winding: int        # winding after that phase

    def winding(self, method):
        return winding_number(self.results[method].Z)

    def loss_error(self, method):
        """``|L - L_w| / L_w`` at the end."""
        return abs(self.results[method].loss[-1] / self.plateau[0] - 1.0)

    def psi_error(self, method):
        return abs(self.model.coupling_loss(self.results[method].Z) / self.plateau[1] - 1.0)

    def r2_error(self, method):
        """Largest ``| |z|^2 / r^2 - 1 |`` over every vector at the end."""
        return float(np.max(np.abs(np.sum(self.results[method].Z ** 2, axis=1)
                                   / self.plateau[2] - 1.0)))

    def at_plateau(self, method, tol=1e-6):
        """First iteration with the loss gap to ``L_w`` below ``tol`` of its start."""
        return iterations_to_converge(self.results[method].loss, self.plateau[0], tol)

    def speedup(self):
        return self.at_plateau("gd") / self.at_plateau("goldstone")

    def report(self):
        """The comparison as printed text, one line per method."""
        L, psi, r2 = self.plateau
        lines = [f"theory: L_w = {L:.8f}, psi_w = {psi:.8f}, r^2 = {r2:.6f}"]
        for m in self.results:
            lines.append(f"{m:9s}: winding {self.w} -> {self.winding(m)}; |L/L_w - 1| = "
                         f"{self.loss_error(m):.0e}, |psi/psi_w - 1| = {self.psi_error(m):.0e}, "
                         f"max ||z|^2/r^2 - 1| = {self.r2_error(m):.0e}; on the plateau after "
                         f"{self.at_plateau(m):,} iterations")
        lines.append(f"Goldstone-GD is {self.speedup():.1f}x sooner; one long gauge phase (k2 = 50)"
                     f" on GD's end state changes psi by {self.phase_dpsi:.1e}, winding "
                     f"{self.phase_winding}")
        return "\n".join(lines)


def wound_relaxation(T=24, lam=1.0, w=2, noise=0.3, rng=0, steps=2000, lr=0.05, k1=10, k2=10):
    """GD and Goldstone-GD relax a ring wound ``w`` times (angles jittered by ``noise``) onto the
    plateau of its winding; then one long gauge phase (``k2 = 50``) is applied to GD's end state."""
    model = MexicanHatChain(T, lam, ring=True)
    Z0 = wound_ring(T, w, noise=noise, rng=rng)
    results = {"gd": optimize(model, Z0, "gd", steps, lr=lr),
               "goldstone": optimize(model, Z0, "goldstone", steps, lr=lr, k1=k1, k2=k2)}
    Z = results["gd"].Z
    Z_phase = goldstone_phase(Z, np.zeros((T, 2, 2)), model.coupling,
                              model.coupling.laplacian_pinv, k2=50)
    dpsi = model.coupling_loss(Z_phase) - model.coupling_loss(Z)
    return WoundRelaxation(model, int(w), Z0, results, winding_plateau(T, lam, w), float(dpsi),
                           winding_number(Z_phase))


@dataclass
class RingSurvey:
    """Random starts on a ring: the winding at the start and at the end of each method, and the
    iterations to the plateau of the winding reached."""

    T: int
    lam: float
    seeds: tuple
    start_winding: dict       # seed -> w
    end_winding: dict         # (seed, method) -> w
    iterations: dict          # (seed, method) -> iterations to the plateau (or None)

    def wound(self, method):
        """How many seeds end with a non-zero winding under ``method``."""
        return sum(self.end_winding[s, method] != 0 for s in self.seeds)

    def disagreements(self):
        """Seeds on which the two methods end in different windings."""
        return [s for s in self.seeds if self.end_winding[s, "gd"] != self.end_winding[s, "goldstone"]]

    def median_speedup(self):
        return float(np.median([self.iterations[s, "gd"] / self.iterations[s, "goldstone"]
                                for s in self.seeds]))

    def report(self):
        """The survey as printed text, one line per seed and a summary line."""
        lines = [f"seed {s}: start w = {self.start_winding[s]:+d} | " + " | ".join(
            f"{m} ends at w = {self.end_winding[s, m]:+d} after {self.iterations[s, m]} it"
            for m in ("gd", "goldstone")) for s in self.seeds]
        lines.append(f"ended wound: plain GD {self.wound('gd')} of {len(self.seeds)}, Goldstone-GD "
                     f"{self.wound('goldstone')} of {len(self.seeds)}; the two disagree on seeds "
                     f"{self.disagreements()}; median speed-up {self.median_speedup():.1f}x")
        return "\n".join(lines)


def random_ring_survey(T=16, lam=1.0, seeds=(0, 1, 2, 3), scale=0.5, lr=0.05,
                       steps=(("gd", 1500), ("goldstone", 400)), k1=10, k2=10):
    """GD and Goldstone-GD from random starts (i.i.d. N(0, scale^2)) on a ring of ``T`` steps."""
    model = MexicanHatChain(T, lam, ring=True)
    survey = RingSurvey(int(T), float(lam), tuple(int(s) for s in seeds), {}, {}, {})
    for s in survey.seeds:
        Z0 = model.random_init(np.random.default_rng(s), scale=scale)
        survey.start_winding[s] = winding_number(Z0)
        for method, n in steps:
            res = optimize(model, Z0, method, n, lr=lr, k1=k1, k2=k2)
            w_end = winding_number(res.Z)
            survey.end_winding[s, method] = w_end
            survey.iterations[s, method] = iterations_to_converge(
                res.loss, winding_plateau(T, lam, w_end)[0], 1e-6)
    return survey


def frustrated_ring(T):
    """Two vectors per step on a ring (d = 2): vector 0 fixed at ``(1, 0)``, vector 1 turning once
    around it in the course of the ring. Its best links have holonomy angle ``pi``."""
    T = check_int("T", T, minimum=3)
    th = TWO_PI * np.arange(T) / T
    Z = np.zeros((T, 2, 2))
    Z[:, 0, 0] = 1.0
    Z[:, 0, 1], Z[:, 1, 1] = np.cos(th), np.sin(th)
    return Z


def mixed_winding_ring(T, windings=(1, 2), radii=(1.0, 0.5)):
    """``N = len(windings)`` vectors per step (d = 2), vector ``i`` of length ``radii[i]`` wound
    ``windings[i]`` times round the ring. With different windings the best link of each edge is
    a compromise, so the flux is not a whole number of turns: it is ``2 pi w`` plus the holonomy
    angle."""
    if len(windings) != len(radii):
        raise ValueError("windings and radii must have the same length")
    return np.concatenate([r * wound_ring(T, w) for w, r in zip(windings, radii)], axis=2)


def flux_report(name, Z):
    """One line: the flux in turns, the winding number and the holonomy angle in turns."""
    return (f"{name:24s} flux / 2pi = {ring_flux(Z) / TWO_PI:.6f}   w = {winding_number(Z)}   "
            f"holonomy angle / 2pi = {holonomy_angle(Z) / TWO_PI:.6f}")


def signed_holonomy(Z):
    """``ring_flux(Z) - 2 pi winding_number(Z)``, in ``(-pi, pi]``: the holonomy angle with its
    sign (d = 2), so that ``flux = 2 pi w + signed_holonomy``."""
    return float(ring_flux(Z) - TWO_PI * winding_number(Z))


@dataclass
class Frustration:
    """What gauge transformations can and cannot do on the frustrated ring."""

    T: int
    lam: float
    holonomy: float           # holonomy angle of the given configuration
    holonomy_gauged: list     # the same after random gauge transformations
    psi_given: float          # ring coupling of the configuration as given
    psi_cut: float            # after the exact chain step on the ring cut open
    psi_goldstone: list       # after Goldstone-GD gauge phases, from several random gauges

    def psi_minimum(self):
        """``lam T (1 - cos(2 pi / T))``: every link turned by the same angle ``a`` with
        ``T a = 0`` or ``2 pi`` costs ``lam/2 sum [(2 - 2cos a) + (2 - 2cos(2pi/T - a))]``, least at
        ``a = 0`` or ``a = 2 pi / T`` (a gauge transformation keeps the sum of the link angles at a
        multiple of ``2 pi``, and the cost is convex in each angle near there)."""
        return self.lam * self.T * (1.0 - np.cos(TWO_PI / self.T))


def frustration(T=24, lam=1.0, rng=2, n_gauges=5, n_starts=3, phases=60, k2=10):
    """The frustrated ring under random gauges, the cut-open chain step and Goldstone-GD's gauge
    phases (``phases`` phases of ``k2`` steps from each of ``n_starts`` random gauges)."""
    rng = check_rng("rng", rng)
    Z = frustrated_ring(T)
    coupling = Coupling(T, lam, ring=True)
    gauged = [holonomy_angle(apply_rotations(Z, random_rotation(2, rng, size=T)))
              for _ in range(n_gauges)]
    psi_gs = []
    for _ in range(n_starts):
        Zg = apply_rotations(Z, random_rotation(2, rng, size=T))
        raw = np.zeros((T, 2, 2))
        for _ in range(phases):
            Zg = goldstone_phase(Zg, raw, coupling, coupling.laplacian_pinv, k2=k2)
        psi_gs.append(coupling.value(Zg))
    return Frustration(int(T), float(lam), holonomy_angle(Z), gauged, coupling.value(Z),
                       coupling.value(exact_gauge_step(Z)[0]), psi_gs)


# --- reflection walls ------------------------------------------------------------------------------
@dataclass
class ReflectionWall:
    """A dense dynamic factorisation at its optimum with the second half mirrored."""

    model: DynamicFactorization
    Z_opt: np.ndarray
    Z_wall: np.ndarray
    psi_after_step: dict      # group -> psi after one exact gauge step on the wall
    final_loss: dict          # run name -> loss after `steps` iterations

    def stalled(self, name, floor=1.0):
        return self.final_loss[name] > floor


WALL_RUNS = {"plain GD": ("gd", {}), "GD + exact step, SO(d)": ("gauge", {"group": "SO"}),
             "GD + exact step, O(d)": ("gauge", {"group": "O"})}


def reflection_wall(T=20, d=3, lam=10.0, m=10, n=10, rng=0, noise=0.05, steps=2000, lr=0.01,
                    k1=50):
    """Rank-``d`` data, the same at every step; the optimum (each step's best factorisation) with
    steps ``t >= T/2`` reflected; plain GD and GD with the exact step (SO(d) and O(d) links) from
    the wall plus a little noise."""
    rng = check_rng("rng", rng)
    X = rng.standard_normal((d, m)).T @ rng.standard_normal((d, n))
    model = DynamicFactorization(X, d, lam, T=T)
    Z_opt = best_factorization(X, d, T=T)
    Z_wall = domain_wall(Z_opt, T // 2)
    psi = {g: model.coupling_loss(exact_gauge_step(Z_wall, group=g)[0]) for g in ("SO", "O")}
    Z0 = Z_wall + noise * rng.standard_normal(Z_wall.shape)
    final = {name: float(optimize(model, Z0, method, steps, lr=lr, k1=k1, **opts).loss[-1])
             for name, (method, opts) in WALL_RUNS.items()}
    return ReflectionWall(model, Z_opt, Z_wall, psi, final)
