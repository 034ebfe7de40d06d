"""Gapless against gapped, mode by mode: plain GD, tuned momentum and the gauge methods on the same
twisted chain, with every twist mode's amplitude recorded as they run (chapter 03).

Under plain GD twist mode ``nu`` keeps the fraction ``|1 - lr h_nu|^k`` after ``k`` steps
(:func:`gauge_core.gd_decay_factor`): the long waves (small ``h_nu``) linger, the short ones
vanish. Heavy-ball momentum tuned to the spectrum (:func:`gauge_core.tuned_momentum`) contracts
every mode by at most ``sqrt(beta)`` per step, so the slowest mode needs ``~ sqrt(kappa)`` steps
instead of ``kappa``. The gauge methods remove the twist through the gauge field instead: the
exact gauge step all of it at once, Goldstone-GD every mode by the same factor per phase. This
module runs the four side by side (:func:`mode_race`) and gives the linear theory of the first two
(:func:`theory_fraction`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_choice, check_float, check_int, check_rng
from ..gauge import angle_profiles
from ..models import MexicanHatChain
from ..optimize import Recorder, Run
from ..spectra import dispersion, goldstone_modes, twist_from_amplitudes
from ..theory import gd_decay_factor

MODE_RACERS = ("gd", "momentum", "goldstone", "gauge")
STARTS = ("twist", "modes", "random")
FEW_MODES = (1, 2, 4, 8)
FRAMES = 120  # recorded iterations per run (log-spaced), what an iteration slider scrubs
EXCITED = 1e-6  # a mode counts as excited if |c_nu(0)| exceeds this fraction of the largest


def mode_start(T, start="twist", amplitude=0.05, rng=0):
    """The common start of a mode race on the ``d = 2``, ``N = 1`` Mexican-hat chain.

    Parameters
    ----------
    T : int
    start : {"twist", "modes", "random"}
        ``"twist"``: a twist on the ring with every mode ``nu >= 1`` at ``amplitude`` and a
        random sign (equal amplitudes, so every mode's fraction left is measured as cleanly as
        every other's); ``"modes"``: modes
        :data:`FEW_MODES` (those below ``T``) at ``amplitude`` each; ``"random"``: every entry
        ``N(0, amplitude^2)``, each step breaking the symmetry its own way (chapter 02).
    amplitude : float
        Radians for the two twists, the entries' standard deviation for ``"random"``.
    rng : int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray of shape (T, 2, 1)
    """
    T = check_int("T", T, minimum=2)
    check_choice("start", start, STARTS)
    amplitude = check_float("amplitude", amplitude, minimum=0.0, strict_min=True)
    rng = check_rng("rng", rng)
    if start == "random":
        return MexicanHatChain(T, 1.0).random_init(rng, "random", amplitude)
    c = np.zeros(T)
    if start == "twist":
        c[1:] = amplitude * rng.choice((-1.0, 1.0), T - 1)
    else:
        c[[nu for nu in FEW_MODES if nu < T]] = amplitude
    return twist_from_amplitudes(c)


def frame_grid(steps, count=FRAMES):
    """Iterations to record: 0 and about ``count`` log-spaced iterations up to ``steps``."""
    steps = check_int("steps", steps, minimum=1)
    count = check_int("count", count, minimum=2)
    return np.unique(np.r_[0, np.round(np.geomspace(1, steps, count)).astype(int)])


class ModeFrames(Recorder):
    """Twist amplitudes ``c_nu`` (:func:`gauge_core.twist_amplitudes` against the base frame)
    at the iterations of a grid: ``amplitudes[:count]`` are filled."""

    def __init__(self, iterations, T):
        self.iterations = np.asarray(iterations, dtype=int)
        self._row = {int(k): j for j, k in enumerate(self.iterations)}
        self._modes = goldstone_modes(T)
        self.amplitudes = np.zeros((self.iterations.size, T))
        self.count = 0

    def step(self, run):
        j = self._row.get(run.iteration)
        if j is not None:
            self.amplitudes[j] = amplitudes_of(run.Z, self._modes)
            self.count = j + 1


def amplitudes_of(Z, modes=None):
    """Twist amplitudes of one ``d = 2`` configuration against the base frame (``modes`` is
    :func:`gauge_core.goldstone_modes`, passed in to save recomputing it)."""
    Z = np.asarray(Z, dtype=float)
    modes = goldstone_modes(Z.shape[0]) if modes is None else modes
    return angle_profiles(Z[None])[0] @ modes


def theory_fraction(T, lam, method, k, lr, beta=0.0):
    """Linear theory: the fraction ``c_nu(k) / c_nu(0)`` of every twist mode left after ``k``
    steps, shape ``(len(k), T)``.

    ``"gd"``: ``(1 - lr h_nu)^k``. ``"momentum"`` (heavy ball from rest,
    ``c_{k+1} = (1 + beta - lr h) c_k - beta c_{k-1}``, ``c_{-1} = c_0``): the first entry of
    ``M^k (1, 1)`` with ``M = [[1 + beta - lr h, -beta], [1, 0]]``, by matrix powers (exact also
    at the double roots of tuned momentum).
    """
    check_choice("method", method, ("gd", "momentum"))
    ks = np.atleast_1d(np.asarray(k, dtype=int))
    if ks.size and ks.min() < 0:
        raise ValueError("k must be >= 0")
    if method == "gd":
        f = gd_decay_factor(T, lam, lr)
        with np.errstate(over="ignore", under="ignore"):
            return f[None, :] ** ks[:, None]
    beta = check_float("beta", beta, minimum=0.0, maximum=1.0)
    a = 1.0 + beta - lr * dispersion(T, lam)
    M = np.zeros((T, 2, 2))
    M[:, 0, 0], M[:, 0, 1], M[:, 1, 0] = a, -beta, 1.0
    out = np.empty((ks.size, T))
    order = np.argsort(ks)
    power, done = np.broadcast_to(np.eye(2), (T, 2, 2)).copy(), 0
    with np.errstate(over="ignore", invalid="ignore"):
        for j in order:  # M^k from M^(previous k): one matrix power of the gap per grid point
            power = power @ np.linalg.matrix_power(M, int(ks[j]) - done)
            done = int(ks[j])
            out[j] = power[:, 0, 0] + power[:, 0, 1]
    return out


@dataclass
class ModeRace:
    """Several optimisers from one start, with the twist amplitudes of each recorded on a grid.

    Attributes
    ----------
    model : gauge_core.MexicanHatChain
    Z0 : numpy.ndarray
    c0 : numpy.ndarray of shape (T,)
        Twist amplitudes of the start.
    excited : numpy.ndarray of bool, shape (T,)
        Modes ``nu >= 1`` the start excites (``|c_nu(0)|`` above :data:`EXCITED` of the largest).
    iterations : numpy.ndarray of int
        The recording grid (:func:`frame_grid`).
    runs : dict[str, gauge_core.Run]
    frames : dict[str, ModeFrames]
    settings : dict[str, dict]
        The options each run was made with (tuned momentum: ``lr``, ``beta``, ``margin``).
    """

    model: MexicanHatChain
    Z0: np.ndarray
    c0: np.ndarray
    excited: np.ndarray
    iterations: np.ndarray
    runs: dict
    frames: dict
    settings: dict

    def run_to_end(self):
        """Advance every run to the end of the recording grid (blocking); returns ``self``."""
        end = int(self.iterations[-1])
        for run in self.runs.values():
            run.advance(max(0, end - run.iteration))
        return self

    def fraction(self, c):
        """``|c_nu / c_nu(0)|`` for ``nu >= 1`` (0 where the start does not excite the mode)."""
        c = np.asarray(c, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(self.excited, np.abs(c) / np.where(self.excited, np.abs(self.c0), 1), 0)
        return np.nan_to_num(out[..., 1:], nan=0.0, posinf=1e300)

    def now(self, method):
        """Fraction of every mode ``nu >= 1`` left in the run's current configuration."""
        return self.fraction(amplitudes_of(self.runs[method].Z, self.frames[method]._modes))

    def recorded(self, method):
        """``(iterations, fractions)`` of the grid points the run has reached so far."""
        fr = self.frames[method]
        return self.iterations[:fr.count], self.fraction(fr.amplitudes[:fr.count])

    def twist_left(self, method):
        """``(iterations, ||c(k)|| / ||c(0)||)`` over the excited modes, on the grid so far."""
        fr = self.frames[method]
        norm = np.linalg.norm(np.where(self.excited, fr.amplitudes[:fr.count], 0.0), axis=1)
        return self.iterations[:fr.count], norm / max(self._norm0, 1e-300)

    @property
    def _norm0(self):
        return float(np.linalg.norm(np.where(self.excited, self.c0, 0.0)))

    def theory(self, method, k):
        """Linear theory of the fractions at iterations ``k`` (``(len(k), T - 1)``), or ``None``
        for the gauge methods (no closed form here)."""
        if method not in ("gd", "momentum"):
            return None
        s = self.settings[method]
        f = theory_fraction(self.model.T, self.model.lam, method, k, s["lr"], s.get("beta", 0.0))
        return np.abs(f[:, 1:]) * self.excited[1:]

    def theory_twist_left(self, method, k):
        """Linear theory of ``||c(k)|| / ||c(0)||`` (``None`` for the gauge methods)."""
        f = self.theory(method, k)
        if f is None:
            return None
        return np.linalg.norm(f * np.abs(self.c0[1:]), axis=1) / max(self._norm0, 1e-300)

    def theory_steps_to(self, left=1e-3, k_max=10**8):
        """Plain GD's iterations until the twist left is at most ``left`` by the linear theory
        (bisection: every factor ``1 - lr h_nu`` lies in ``(-1, 1)`` for a stable step, so the
        twist left only falls), or ``None`` if not within ``k_max`` or the step is unstable."""
        if self.theory_twist_left("gd", [k_max])[0] > left:
            return None
        lo, hi = 0, int(k_max)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if self.theory_twist_left("gd", [mid])[0] > left else (lo, mid)
        return hi

    def steps_to(self, method, left=1e-3):
        """First recorded iteration at which the twist left is at most ``left``, or ``None``."""
        its, tl = self.twist_left(method)
        hit = np.nonzero(tl <= left)[0]
        return int(its[hit[0]]) if hit.size else None


def tuned_settings(model, Z0):
    """Heavy ball tuned to the spectrum of ``model`` at its minimum, with the race's safety rule
    (:func:`gauge_core.experiments.race.race_tuning`): ``gauge_core.tuned_momentum(h_min,
    margin * h_max)`` with the smallest margin in 1, 2, 4, 8 whose probe from ``Z0`` does not
    diverge. A small twist on the ring keeps margin 1 (the exact tuning)."""
    from .race import RaceProblem, race_tuning

    key = ("mode race", model.T, float(model.lam), hash(np.asarray(Z0).tobytes()))
    problem = RaceProblem("hat", model, np.asarray(Z0, dtype=float), 0.0, {}, key)
    return dict(race_tuning(problem, "momentum"))


def mode_race(T=32, lam=1.0, lr=0.1, start="twist", amplitude=0.05, rng=0, k1=10, steps=2000,
              racers=MODE_RACERS, count=FRAMES):
    """Plain GD, tuned momentum, Goldstone-GD and the exact gauge step from one start.

    Nothing is run yet: advance ``race.runs[m]`` (a player does it chunk by chunk), then read
    :meth:`ModeRace.recorded` / :meth:`ModeRace.twist_left`.

    Parameters
    ----------
    T, lam : int, float
        The ``d = 2``, ``N = 1`` Mexican-hat chain.
    lr : float
        Step size of plain GD and of the gauge methods' inner GD.
    start, amplitude, rng
        See :func:`mode_start`.
    k1 : int
        Inner steps per gauge phase (Goldstone-GD also takes ``k2 = 10`` natural-gradient steps).
    steps : int
        Length of the recording grid.
    racers : sequence of str
        A subset of :data:`MODE_RACERS`.
    count : int
        Points of the recording grid.

    Returns
    -------
    ModeRace
    """
    model = MexicanHatChain(T, lam, d=2, N=1)
    lr = check_float("lr", lr, minimum=0.0, strict_min=True)
    k1 = check_int("k1", k1, minimum=1)
    for r in racers:
        check_choice("racers", r, MODE_RACERS)
    Z0 = mode_start(model.T, start, amplitude, rng)
    grid = frame_grid(steps, count)
    settings = {"gd": {"lr": lr}, "goldstone": {"lr": lr, "k1": k1, "k2": 10},
                "gauge": {"lr": lr, "k1": k1}}
    if "momentum" in racers:
        settings["momentum"] = tuned_settings(model, Z0)
    runs, frames = {}, {}
    for m in dict.fromkeys(racers):
        frames[m] = ModeFrames(grid, model.T)
        opts = {k: v for k, v in settings[m].items() if k != "margin"}
        runs[m] = Run(model, Z0, m, recorders=[frames[m]], **opts)
    c0 = amplitudes_of(Z0)
    excited = np.abs(c0) > EXCITED * max(float(np.abs(c0[1:]).max()), 1e-300)
    excited[0] = False
    return ModeRace(model, Z0, c0, excited, grid, runs, frames, settings)
