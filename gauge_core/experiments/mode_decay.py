"""Goldstone modes in motion: per-mode GD decay and the ``T^2`` law of the untwisting time.

Chapter 03 measures, on the Mexican-hat chain with ``d = 2``:

1. **Per-mode decay.** Under plain GD with step ``lr`` the twist amplitude ``c_nu`` of mode ``nu``
   shrinks by the factor ``1 - lr h_nu`` per step (:func:`gauge_core.gd_decay_factor`), to first
   order in the amplitude (:func:`measure_decay_rates`).
2. **The T^2 law.** The slowest twist shrinks by ``e`` in ``-1 / ln(1 - lr h_1) ~ 1 / (lr h_1)
   ~ T^2 / (pi^2 lr lam)`` steps (:func:`gauge_core.untwist_theory`, :func:`untwist_scaling`).

Every run is a :class:`gauge_core.Run` with method ``"gd"``: the amplitudes are read from its
snapshots (:func:`mode_history`) or from a :class:`gauge_core.Trajectory` recorder.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validate import check_float, check_int
from ..gauge import angle_profiles
from ..models import MexicanHatChain
from ..models.base import check_model
from ..optimize import Run, Trajectory
from ..spectra import dispersion, dispersion_curve, goldstone_modes, random_twist, twist_mode
from ..theory import fit_decay_factors, fit_power_law, untwist_theory


@dataclass
class ModeHistory:
    """Twist amplitudes of a GD run at chosen iterations.

    Attributes
    ----------
    iterations : numpy.ndarray of int, shape (K,)
        The requested iterations that were reached (all of them unless the run diverged).
    amplitudes : numpy.ndarray of shape (K, T)
        ``c_nu(k)``: the twist profile at iteration ``k`` projected on :func:`goldstone_modes`.
    profiles : numpy.ndarray of shape (K, T)
        The twist profiles ``theta_t(k)`` themselves.
    radial_error : numpy.ndarray of shape (K,)
        ``max |(|z_{t,i}| - r)| / r`` at each recorded iteration (how far off the ring the run is;
        ``r`` is the model's radius, 1 for models without one).
    diverged_at : int or None
        The first iteration whose loss or gradient was not finite.
    """

    iterations: np.ndarray
    amplitudes: np.ndarray
    profiles: np.ndarray
    radial_error: np.ndarray
    diverged_at: int | None = None

    @property
    def diverged(self):
        return self.diverged_at is not None


def _check_planar(model):
    check_model(model)
    if model.d != 2:
        raise ValueError(f"model must have d = 2 (planar embeddings), got d = {model.d}")


def mode_run(model, Z0, lr, iterations):
    """A plain-GD :class:`gauge_core.Run` keeping snapshots at ``iterations`` for
    :func:`mode_history` (advance it with ``run.advance(k - run.iteration)``)."""
    _check_planar(model)
    its = [check_int("iterations", int(k) if isinstance(k, np.integer) else k, minimum=0)
           for k in iterations]
    if not its:
        raise ValueError("iterations must not be empty")
    return Run(model, Z0, "gd", lr=check_float("lr", lr, minimum=0.0, strict_min=True),
               snapshots=its)


def mode_history(run, frame=None):
    """The :class:`ModeHistory` of a run's snapshots so far (the twist amplitudes at each).

    ``frame`` is the reference of the twist profile (see :func:`gauge_core.angle_profiles`;
    default the base phases of :func:`gauge_core.twist_mode`).
    """
    T = run.model.T
    its = sorted(run.snapshots)
    if not its:
        return ModeHistory(np.zeros(0, dtype=int), np.zeros((0, T)), np.zeros((0, T)),
                           np.zeros(0), run.diverged_at)
    Zs = np.array([run.snapshots[k] for k in its])
    profiles = angle_profiles(Zs, frame)
    r = float(getattr(run.model, "radius", 1.0))
    with np.errstate(over="ignore"):  # a run about to diverge has huge (finite) entries
        radial = np.abs(np.linalg.norm(Zs, axis=2) - r).max(axis=(1, 2)) / r
    return ModeHistory(np.array(its, dtype=int), profiles @ goldstone_modes(T), profiles, radial,
                       run.diverged_at)


def gd_mode_history(model, Z0, lr, iterations, frame=None):
    """Run plain GD and record the twist amplitudes at the given iterations.

    Parameters
    ----------
    model : EmbeddingModel with ``d = 2``
    Z0 : array_like of shape model.shape
    lr : float
        Step size, ``> 0``.
    iterations : sequence of int
        Iterations (``>= 0``) at which to record; the run stops at the largest.
    frame : array_like of shape (2, N), optional
        Reference frame of the twist profile (see :func:`gauge_core.angle_profiles`).

    Returns
    -------
    ModeHistory
        Under the linear theory ``amplitudes[:, nu]`` shrinks by ``1 - lr h_nu`` per step.
    """
    iterations = list(iterations)
    run = mode_run(model, Z0, lr, iterations)
    run.advance(int(max(iterations)))
    return mode_history(run, frame)


@dataclass
class DecayRates:
    """Measured against predicted per-step decay rates ``1 - f_nu`` of the twist modes.

    Attributes
    ----------
    nu : numpy.ndarray of int
        Mode numbers ``1..T-1``.
    theory : numpy.ndarray
        ``lr h_nu`` = ``1 - (1 - lr h_nu)`` (:func:`gauge_core.gd_decay_factor`).
    measured : numpy.ndarray
        ``1 - f_nu`` from :func:`fit_decay_factors` (``NaN`` where not measurable).
    relative_error : numpy.ndarray
        ``|measured / theory - 1|``.
    pairs : numpy.ndarray of int
        Step pairs used per mode.
    initial : numpy.ndarray
        The starting amplitudes ``c_nu(0)``.
    diverged_at : int or None
    """

    nu: np.ndarray
    theory: np.ndarray
    measured: np.ndarray
    relative_error: np.ndarray
    pairs: np.ndarray
    initial: np.ndarray
    diverged_at: int | None = None

    @property
    def ok(self):
        """Mask of the modes that could be measured."""
        return np.isfinite(self.measured)

    @property
    def max_relative_error(self):
        """Largest relative error over the measured modes (``inf`` if none was measured)."""
        ok = self.ok
        return float(self.relative_error[ok].max()) if ok.any() else math.inf


def measure_decay_rates(T, lam, lr, amplitude=0.01, steps=200, rng=0, radius=1.0,
                        rel_floor=1e-3):
    """Run GD from a small random twist of every mode and fit each mode's decay rate.

    The start is :func:`random_twist` (all modes ``nu >= 1`` excited, ``c_0 = 0``) on a
    :class:`MexicanHatChain` with ``d = 2``, ``N = 1``. The amplitudes are recorded at every one of
    ``steps`` GD steps and :func:`fit_decay_factors` fits ``c_nu(k+1) = f_nu c_nu(k)``.

    Parameters
    ----------
    T : int
    lam : float
    lr : float
        GD step size.
    amplitude : float
        Standard deviation of the mode amplitudes in radians; the linear theory is exact as
        ``amplitude -> 0``, the corrections grow like ``amplitude^2``.
    steps : int
        Number of GD steps recorded, ``>= 1``.
    rng : numpy.random.Generator or int
    radius : float
    rel_floor : float
        See :func:`fit_decay_factors`.

    Returns
    -------
    DecayRates
    """
    model = MexicanHatChain(T, lam, d=2, N=1, radius=radius)
    steps = check_int("steps", steps, minimum=1)
    Z0, c0 = random_twist(model.T, amplitude, rng, radius)
    hist = gd_mode_history(model, Z0, lr, range(steps + 1))
    theory = lr * dispersion(model.T, model.lam)[1:]
    if hist.iterations.size >= 2:
        f, pairs = fit_decay_factors(hist.amplitudes[:, 1:], rel_floor)
    else:
        f, pairs = np.full(model.T - 1, np.nan), np.zeros(model.T - 1, dtype=int)
    measured = 1.0 - f
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.abs(measured / theory - 1.0)
    return DecayRates(np.arange(1, model.T), theory, measured, rel, pairs, c0[1:],
                      hist.diverged_at)


def rate_curve(q, lam, lr):
    """The predicted per-step decay rate ``1 - (1 - lr h(q)) = lr lam (2 - 2 cos q)`` as a curve
    of the wave number ``q`` (what :func:`measure_decay_rates` measures at ``q = pi nu / T``)."""
    return check_float("lr", lr, minimum=0.0) * dispersion_curve(q, lam)


def _slowest_amplitude(Zs, phi):
    return angle_profiles(Zs) @ phi


def untwist_iterations(T, lam, lr, amplitude=0.01, radius=1.0, max_steps=200_000, chunk=256):
    """GD steps until the slowest twist has shrunk by ``e``, counted by running GD.

    Starts from ``twist_mode(T, 1, amplitude)`` on a :class:`MexicanHatChain` (``d = 2``,
    ``N = 1``) and returns the first iteration ``k`` with ``c_1(k) <= c_1(0) / e``, or ``None`` if
    that takes more than ``max_steps`` or the run diverges. The amplitude is checked at every step
    (in batches of ``chunk`` steps recorded by a :class:`gauge_core.Trajectory`).
    """
    model = MexicanHatChain(T, lam, d=2, N=1, radius=radius)
    amplitude = check_float("amplitude", amplitude, minimum=0.0, strict_min=True)
    lr = check_float("lr", lr, minimum=0.0, strict_min=True)
    max_steps = check_int("max_steps", max_steps, minimum=1)
    chunk = check_int("chunk", chunk, minimum=1)
    phi = goldstone_modes(model.T)[:, 1]
    Z0 = twist_mode(model.T, 1, amplitude, d=2, N=1, radius=radius)
    target = float(_slowest_amplitude(Z0[None], phi)[0]) / math.e
    path = Trajectory()
    run = Run(model, Z0, "gd", lr=lr, recorders=[path])
    while run.iteration < max_steps:
        path.clear()
        run.advance(min(chunk, max_steps - run.iteration))
        if run.diverged or not path.Zs:
            return None
        hit = np.nonzero(_slowest_amplitude(np.array(path.Zs), phi) <= target)[0]
        if hit.size:
            return path.iterations[int(hit[0])]
    return None


def untwist_iterations_from_rate(T, lam, lr, amplitude=0.01, steps=50, radius=1.0):
    """GD steps to shrink the slowest twist by ``e``, from the decay factor of a short GD run.

    Runs ``steps`` GD steps from ``twist_mode(T, 1, amplitude)``, fits the per-step factor ``f_1``
    of the slowest amplitude (:func:`gauge_core.fit_decay_factors`) and returns ``-1 / ln f_1``:
    the e-folding time if the measured factor held throughout. ``None`` if the run diverged or
    ``f_1`` is not in ``(0, 1)``.
    """
    model = MexicanHatChain(T, lam, d=2, N=1, radius=radius)
    Z0 = twist_mode(model.T, 1, check_float("amplitude", amplitude, minimum=0.0,
                                            strict_min=True), d=2, N=1, radius=radius)
    steps = check_int("steps", steps, minimum=1)
    run = mode_run(model, Z0, lr, range(steps + 1))
    run.advance(steps)
    if run.diverged:
        return None
    # only the slowest mode is needed: project on it alone (a T x T projection is wasted here)
    Zs = np.array([run.snapshots[k] for k in sorted(run.snapshots)])
    c1 = _slowest_amplitude(Zs, goldstone_modes(model.T)[:, 1])
    f = float(fit_decay_factors(c1[:, None], rel_floor=0.0)[0][0])
    if not 0.0 < f < 1.0:
        return None
    return -1.0 / math.log(f)


@dataclass
class UntwistScaling:
    """Iterations to untwist against ``T``, measured two ways, with the fitted exponent.

    Attributes
    ----------
    T : numpy.ndarray of int
        All chain lengths, ascending.
    iterations : numpy.ndarray
        Measured steps per e-fold of the slowest twist (``NaN`` where the run diverged or exceeded
        its budget).
    simulated : numpy.ndarray of bool
        True where counted by running GD to the e-fold (:func:`untwist_iterations`), False where
        converted from a short run's decay factor (:func:`untwist_iterations_from_rate`).
    theory : numpy.ndarray
        :func:`untwist_theory`.
    slope, prefactor : float
        ``iterations ~ prefactor * T^slope`` fitted to the measured points (``NaN`` if fewer
        than two).
    """

    T: np.ndarray
    iterations: np.ndarray
    simulated: np.ndarray
    theory: np.ndarray
    slope: float
    prefactor: float

    @property
    def ok(self):
        return np.isfinite(self.iterations)

    def fit(self, T):
        """The fitted power law ``prefactor * T^slope`` at ``T`` (``NaN`` without a fit)."""
        return self.prefactor * np.asarray(T, dtype=float) ** self.slope


def untwist_scaling(T_simulate, T_rate, lam, lr, amplitude=0.01, rate_steps=50, radius=1.0,
                    max_steps=200_000):
    """The ``T^2`` law: measure GD's untwisting time at several ``T`` and fit the exponent.

    Parameters
    ----------
    T_simulate : sequence of int
        Chain lengths whose e-folding time is counted by running GD all the way
        (:func:`untwist_iterations`; cost about ``T^2 / (pi^2 lr lam)`` steps each).
    T_rate : sequence of int
        Chain lengths measured from the per-step decay factor of a ``rate_steps``-step run
        (:func:`untwist_iterations_from_rate`; cheap at any ``T``).
    lam, lr, amplitude, radius, max_steps
        As in :func:`untwist_iterations`.

    Returns
    -------
    UntwistScaling
    """
    sim = [check_int("T_simulate", int(t) if isinstance(t, np.integer) else t, minimum=2)
           for t in T_simulate]
    rate = [check_int("T_rate", int(t) if isinstance(t, np.integer) else t, minimum=2)
            for t in T_rate]
    if not sim and not rate:
        raise ValueError("give at least one chain length in T_simulate or T_rate")
    rows = [(t, True) for t in sim] + [(t, False) for t in rate]
    rows.sort()
    Ts = np.array([t for t, _ in rows], dtype=int)
    simulated = np.array([s for _, s in rows], dtype=bool)
    its = np.empty(len(rows))
    for j, (t, s) in enumerate(rows):
        k = (untwist_iterations(t, lam, lr, amplitude, radius, max_steps) if s else
             untwist_iterations_from_rate(t, lam, lr, amplitude, rate_steps, radius))
        its[j] = np.nan if k is None else float(k)
    ok = np.isfinite(its)
    slope, pre = (fit_power_law(Ts[ok], its[ok]) if ok.sum() >= 2 else (math.nan, math.nan))
    return UntwistScaling(Ts, its, simulated, untwist_theory(Ts, lam, lr), slope, pre)


def scaling_plan(lam, lr, Ts, budget):
    """Which chain lengths to count by simulation: smallest first, while the predicted steps fit
    ``budget`` GD steps in total. Returns ``(T_simulate, T_rate)`` for :func:`untwist_scaling`."""
    pred = untwist_theory(np.asarray(Ts), lam, lr)
    sim, rate, used = [], [], 0.0
    for t, p in zip(Ts, pred):
        if math.isfinite(p) and used + p <= budget:
            sim.append(int(t))
            used += p
        else:
            rate.append(int(t))
    return sim, rate
