"""Goldstone modes in motion: the two Hessian branches, per-mode GD decay and the ``T^2`` law.

Chapter 03 of the book measures three claims on the Mexican-hat chain (digest §7.1, Toy A) with
``d = 2``:

1. **Two branches.** At the aligned minimum the Hessian splits exactly into an angular (Goldstone)
   branch with the chain dispersion ``h_nu = lam (2 - 2 cos(pi nu / T))`` (P2 §2.2, Fig. 1b) and a
   radial branch ``8 r^2 + h_nu``, gapped by the curvature ``8 r^2`` of the hat at its rim.
2. **Per-mode decay.** Under plain GD with step ``lr`` the twist amplitude ``c_nu`` of mode ``nu``
   shrinks by the factor ``1 - lr h_nu`` per step (design.md §2), to first order in the amplitude.
3. **The T^2 law.** The slowest twist shrinks by ``e`` in ``-1 / ln(1 - lr h_1) ~ 1 / (lr h_1)
   ~ T^2 / (pi^2 lr lam)`` steps ([derived], digest §2.2).

Everything here is plain numpy; GD is the same update as ``optimize(..., "gd")`` without the
per-iteration bookkeeping, so that thousands of steps fit in a widget callback.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validate import check_array, check_float, check_int, check_rng
from .coupling import dispersion
from .models import EmbeddingModel, MexicanHatChain
from .spectra import fd_hessian, goldstone_modes, twist_mode

__all__ = [
    "radial_dispersion", "HessianBranches", "hessian_branches", "twist_from_amplitudes",
    "random_twist", "angle_profiles", "ModeHistory", "ModeRun", "gd_mode_history",
    "fit_decay_factors",
    "DecayRates", "measure_decay_rates", "untwist_theory", "untwist_iterations",
    "untwist_iterations_from_rate", "fit_power_law", "UntwistScaling", "untwist_scaling",
]


# --- the spectrum at the aligned minimum --------------------------------------------------------
def radial_dispersion(T, lam, radius=1.0):
    """Radial (gapped) branch ``8 r^2 + lam (2 - 2 cos(pi nu / T))``, ``nu = 0..T-1``.

    The local loss ``(|z|^2 - r^2)^2`` has curvature ``8 r^2`` across the ring of minima and none
    along it; the coupling adds the chain Laplacian to both directions (digest §7.1).
    """
    radius = check_float("radius", radius, minimum=0.0, strict_min=True)
    return 8.0 * radius ** 2 + dispersion(T, lam)


@dataclass
class HessianBranches:
    """The finite-difference Hessian of a ``d = 2`` model, split into its two branches.

    Attributes
    ----------
    angular : numpy.ndarray of shape (T * N,)
        Sorted eigenvalues of the Hessian restricted to the tangent (rotation) directions
        ``J z_{t,i} / |z_{t,i}|``: the Goldstone branch.
    radial : numpy.ndarray of shape (T * N,)
        Sorted eigenvalues restricted to the radial directions ``z_{t,i} / |z_{t,i}|``.
    eigenvalues : numpy.ndarray of shape (2 T N,)
        Sorted eigenvalues of the whole Hessian.
    off_block : float
        Largest ``|H|`` entry coupling a tangent to a radial direction (zero at the aligned minimum,
        so the two lists together are then exactly the whole spectrum).
    hessian : numpy.ndarray of shape (2 T N, 2 T N)
    """

    angular: np.ndarray
    radial: np.ndarray
    eigenvalues: np.ndarray
    off_block: float
    hessian: np.ndarray


def _check_planar(model):
    if not isinstance(model, EmbeddingModel):
        raise TypeError(f"model must be a gauge_core model, got {type(model).__name__}")
    if model.d != 2:
        raise ValueError(f"model must have d = 2 (planar embeddings), got d = {model.d}")


def hessian_branches(model, Z=None, eps=1e-5):
    """Finite-difference Hessian at ``Z`` and its angular and radial branches (P2 Fig. 1b).

    Parameters
    ----------
    model : EmbeddingModel
        A model with ``d = 2``, typically :class:`MexicanHatChain`.
    Z : array_like of shape (T, 2, N), optional
        Where to take the Hessian; no vector may be zero. Default: the aligned minimum
        ``twist_mode(T, 1, 0.0, N=N, radius=model.radius)`` of a :class:`MexicanHatChain`.
    eps : float
        Central-difference step of :func:`fd_hessian`.

    Returns
    -------
    HessianBranches
    """
    _check_planar(model)
    if Z is None:
        if not isinstance(model, MexicanHatChain):
            raise ValueError("Z must be given for models other than MexicanHatChain")
        Z = twist_mode(model.T, 1, 0.0, d=2, N=model.N, radius=model.radius)
    Z = model.check_Z(Z)
    H = fd_hessian(model, Z, eps)
    T, d, N = Z.shape
    norms = np.linalg.norm(Z, axis=1)  # (T, N)
    if np.any(norms < 1e-12):
        raise ValueError("Z has a zero vector: its tangent and radial directions are undefined")
    u = Z / norms[:, None, :]  # radial unit vectors, (T, 2, N)
    v = np.stack([-u[:, 1], u[:, 0]], axis=1)  # tangent: J u
    m = T * N
    P_rad = np.zeros((m, Z.size))
    P_ang = np.zeros((m, Z.size))
    rows = np.arange(m)
    t, i = np.divmod(rows, N)
    for k in range(2):  # flat index of component k of vector (t, i) in Z.ravel()
        cols = t * d * N + k * N + i
        P_rad[rows, cols] = u[t, k, i]
        P_ang[rows, cols] = v[t, k, i]
    H_ang = P_ang @ H @ P_ang.T
    H_rad = P_rad @ H @ P_rad.T
    off = float(np.abs(P_ang @ H @ P_rad.T).max())
    return HessianBranches(angular=np.linalg.eigvalsh(H_ang), radial=np.linalg.eigvalsh(H_rad),
                           eigenvalues=np.linalg.eigvalsh(H), off_block=off, hessian=H)


# --- twisted starting points --------------------------------------------------------------------
def twist_from_amplitudes(amplitudes, radius=1.0, N=1):
    """A configuration on the ring of minima with twist profile ``theta = goldstone_modes(T) @ c``.

    Parameters
    ----------
    amplitudes : array_like of shape (T,)
        Mode amplitudes ``c_nu`` in radians (entry 0 is a global rotation).
    radius : float
        Length of every vector.
    N : int
        Vectors per step, at the evenly spread base phases of :func:`twist_mode`.

    Returns
    -------
    numpy.ndarray of shape (T, 2, N)
    """
    c = check_array("amplitudes", amplitudes, ndim=1)
    T = check_int("T (len(amplitudes))", c.size, minimum=2)
    radius = check_float("radius", radius, minimum=0.0, strict_min=True)
    N = check_int("N", N, minimum=1)
    theta = goldstone_modes(T) @ c
    angle = theta[:, None] + 2 * np.pi * np.arange(N)[None, :] / N
    return radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def random_twist(T, amplitude, rng, radius=1.0, N=1):
    """A random twist on the ring: ``c_0 = 0`` and ``c_nu ~ amplitude * N(0, 1)`` for ``nu >= 1``.

    Returns ``(Z, c)``: the configuration (shape ``(T, 2, N)``) and its mode amplitudes.
    """
    T = check_int("T", T, minimum=2)
    amplitude = check_float("amplitude", amplitude, minimum=0.0)
    rng = check_rng("rng", rng)
    c = np.zeros(T)
    c[1:] = amplitude * rng.standard_normal(T - 1)
    return twist_from_amplitudes(c, radius, N), c


# --- GD, mode by mode ---------------------------------------------------------------------------
def _base_frame(N):
    phases = 2 * np.pi * np.arange(N) / N
    return np.stack([np.cos(phases), np.sin(phases)])  # (2, N)


def angle_profiles(Zs, reference=None):
    """:func:`twist_profile` of many ``d = 2`` configurations at once, shape ``(K, T)``.

    Parameters
    ----------
    Zs : array_like of shape (K, T, 2, N)
    reference : array_like of shape (2, N), optional
        Fixed reference frame; default the base phases of :func:`twist_mode` (so a twist mode's
        profile is exactly its angle).
    """
    Zs = check_array("Zs", Zs, ndim=4)
    if Zs.shape[2] != 2:
        raise ValueError(f"Zs must have shape (K, T, 2, N), got {Zs.shape}")
    N = Zs.shape[3]
    ref = _base_frame(N) if reference is None else check_array("reference", reference, ndim=2,
                                                               shape=(2, N))
    dot = np.einsum("ktdn,dn->kt", Zs, ref)
    cross = Zs[:, :, 1] @ ref[0] - Zs[:, :, 0] @ ref[1]
    return np.unwrap(np.arctan2(cross, dot), axis=1)


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


class ModeRun:
    """Resumable plain GD ``Z <- Z - lr grad L(Z)`` that records twist amplitudes on the way.

    The same update as ``optimize(model, Z0, "gd")`` without its per-iteration bookkeeping, so
    that a widget can extend a run step by step (``advance_to(k)``) and read any recorded
    iteration back at once.

    Parameters
    ----------
    model : EmbeddingModel with ``d = 2``
    Z0 : array_like of shape model.shape
    lr : float
        Step size, ``> 0``.
    record : sequence of int
        Iterations (``>= 0``) at which to keep a copy of ``Z``.
    reference : array_like of shape (2, N), optional
        Reference frame of the twist profile (see :func:`angle_profiles`).

    Attributes
    ----------
    iteration : int
        Steps done so far.
    Z : numpy.ndarray
        The current (last finite) configuration.
    diverged_at : int or None
        The first iteration whose loss or configuration was not finite; the run stops there.
    """

    def __init__(self, model, Z0, lr, record, reference=None):
        _check_planar(model)
        self.model = model
        self.Z = model.check_Z(Z0, "Z0").copy()
        self.lr = check_float("lr", lr, minimum=0.0, strict_min=True)
        its = [check_int("record", int(k) if isinstance(k, np.integer) else k, minimum=0)
               for k in record]
        if not its:
            raise ValueError("record must not be empty")
        self.record = np.unique(np.asarray(its, dtype=int))
        self._wanted = set(self.record.tolist())
        N = model.N
        self.reference = (_base_frame(N) if reference is None else
                          check_array("reference", reference, ndim=2, shape=(2, N)))
        self.iteration = 0
        self.diverged_at = None
        self.snapshots = {0: self.Z.copy()} if 0 in self._wanted else {}
        self._modes = None  # built on first use: T x T cosines

    @property
    def diverged(self):
        return self.diverged_at is not None

    def advance_to(self, k):
        """Run until iteration ``k`` (or divergence); returns the iteration reached."""
        k = check_int("k", int(k) if isinstance(k, np.integer) else k, minimum=0)
        model, lr, Z = self.model, self.lr, self.Z
        with np.errstate(all="ignore"):
            while self.iteration < k and self.diverged_at is None:
                local, coup, g = model.evaluate(Z)
                Znew = Z - lr * g
                if not (math.isfinite(local + coup) and math.isfinite(float(Znew.sum()))):
                    self.diverged_at = self.iteration + 1
                    break
                Z = Znew
                self.iteration += 1
                if self.iteration in self._wanted:
                    self.snapshots[self.iteration] = Z
        self.Z = Z
        return self.iteration

    def history(self):
        """The :class:`ModeHistory` of the iterations recorded so far."""
        its = sorted(self.snapshots)
        if not its:
            T = self.model.T
            return ModeHistory(np.zeros(0, dtype=int), np.zeros((0, T)), np.zeros((0, T)),
                               np.zeros(0), self.diverged_at)
        Zs = np.array([self.snapshots[k] for k in its])
        profiles = angle_profiles(Zs, self.reference)
        if self._modes is None:
            self._modes = goldstone_modes(self.model.T)
        r = float(getattr(self.model, "radius", 1.0))
        with np.errstate(over="ignore"):  # a run about to diverge has huge (finite) entries
            radial = np.abs(np.linalg.norm(Zs, axis=2) - r).max(axis=(1, 2)) / r
        return ModeHistory(np.array(its, dtype=int), profiles @ self._modes, profiles, radial,
                           self.diverged_at)


def gd_mode_history(model, Z0, lr, iterations, reference=None):
    """Run plain GD and record the twist amplitudes at the given iterations.

    Parameters
    ----------
    model : EmbeddingModel with ``d = 2``
    Z0 : array_like of shape model.shape
    lr : float
        Step size, ``> 0``.
    iterations : sequence of int
        Iterations (``>= 0``) at which to record; the run stops at the largest.
    reference : array_like of shape (2, N), optional
        Reference frame of the twist profile (see :func:`angle_profiles`).

    Returns
    -------
    ModeHistory
        Under design.md §2, ``amplitudes[:, nu]`` shrinks by ``1 - lr h_nu`` per step.
    """
    run = ModeRun(model, Z0, lr, iterations, reference)
    run.advance_to(int(run.record[-1]))
    return run.history()


def fit_decay_factors(amplitudes, rel_floor=1e-3):
    """Per-mode GD decay factor from amplitudes recorded at consecutive iterations.

    For each mode the least-squares factor ``f = sum c(k) c(k+1) / sum c(k)^2`` of
    ``c(k+1) = f c(k)``, over the leading run of steps in which ``|c(k)|`` stays above
    ``rel_floor`` times the largest initial amplitude (below that, round-off and the cubic coupling
    between modes take over). A sign change per step (``f < 0``, when ``lr h_nu > 1``) is fitted
    too.

    Parameters
    ----------
    amplitudes : array_like of shape (K, M)
        ``c(k)`` at ``K >= 2`` consecutive iterations, for ``M`` modes.
    rel_floor : float
        Relative amplitude below which steps are not used.

    Returns
    -------
    factors : numpy.ndarray of shape (M,)
        ``NaN`` for a mode that starts below the floor (not measurable).
    pairs : numpy.ndarray of int, shape (M,)
        Number of step pairs ``(k, k+1)`` each fit used (0 where not measurable).
    """
    C = check_array("amplitudes", amplitudes, ndim=2)
    if C.shape[0] < 2:
        raise ValueError(f"amplitudes needs at least 2 consecutive iterations, got {C.shape[0]}")
    rel_floor = check_float("rel_floor", rel_floor, minimum=0.0)
    scale = np.abs(C[0]).max()
    above = np.abs(C[:-1]) > rel_floor * scale
    # leading run of True per column: cumprod stops counting at the first False
    pairs = np.cumprod(above, axis=0).sum(axis=0).astype(int)
    k = np.arange(C.shape[0] - 1)[:, None]
    use = k < pairs[None, :]
    a, b = C[:-1] * use, C[1:] * use
    num, den = (a * b).sum(axis=0), (a * a).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        factors = np.where(pairs > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return factors, pairs


@dataclass
class DecayRates:
    """Measured against predicted per-step decay rates ``1 - f_nu`` of the twist modes.

    Attributes
    ----------
    nu : numpy.ndarray of int
        Mode numbers ``1..T-1``.
    theory : numpy.ndarray
        ``lr h_nu`` = ``1 - (1 - lr h_nu)`` (design.md §2).
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


# --- the T^2 law --------------------------------------------------------------------------------
def untwist_theory(T, lam, lr):
    """Predicted GD steps to shrink the slowest twist by ``e``: ``-1 / ln(1 - lr h_1)``.

    ``T`` may be an int or an array of ints. About ``1 / (lr h_1) ~ T^2 / (pi^2 lr lam)`` for
    large ``T`` ([derived], digest §2.2). ``inf`` where ``1 - lr h_1`` is not in ``(0, 1)``.
    """
    lr = check_float("lr", lr, minimum=0.0, strict_min=True)
    Ts = np.atleast_1d(np.asarray(T))
    out = np.empty(Ts.shape)
    for j, t in enumerate(Ts.ravel()):
        f = 1.0 - lr * dispersion(int(t), lam)[1]
        out.ravel()[j] = -1.0 / math.log(f) if 0.0 < f < 1.0 else math.inf
    return out if np.ndim(T) else float(out[0])


def _slowest_amplitude(Zs, phi):
    return angle_profiles(Zs) @ phi


def untwist_iterations(T, lam, lr, amplitude=0.01, radius=1.0, max_steps=200_000, chunk=256):
    """GD steps until the slowest twist has shrunk by ``e``, counted by running GD.

    Starts from ``twist_mode(T, 1, amplitude)`` on a :class:`MexicanHatChain` (``d = 2``,
    ``N = 1``) and returns the first iteration ``k`` with ``c_1(k) <= c_1(0) / e``, or ``None`` if
    that takes more than ``max_steps`` or the run diverges. The amplitude is checked at every step
    (in batches of ``chunk`` steps, so the cost is that of GD itself).
    """
    model = MexicanHatChain(T, lam, d=2, N=1, radius=radius)
    amplitude = check_float("amplitude", amplitude, minimum=0.0, strict_min=True)
    lr = check_float("lr", lr, minimum=0.0, strict_min=True)
    max_steps = check_int("max_steps", max_steps, minimum=1)
    chunk = check_int("chunk", chunk, minimum=1)
    phi = goldstone_modes(model.T)[:, 1]
    Z = twist_mode(model.T, 1, amplitude, d=2, N=1, radius=radius)
    target = float(_slowest_amplitude(Z[None], phi)[0]) / math.e
    k = 0
    with np.errstate(all="ignore"):
        while k < max_steps:
            batch = []
            for _ in range(min(chunk, max_steps - k)):
                Z = Z - lr * model.evaluate(Z)[2]
                batch.append(Z)
            if not np.isfinite(batch[-1]).all():
                return None
            c1 = _slowest_amplitude(np.array(batch), phi)
            hit = np.nonzero(c1 <= target)[0]
            if hit.size:
                return k + int(hit[0]) + 1
            k += len(batch)
    return None


def untwist_iterations_from_rate(T, lam, lr, amplitude=0.01, steps=50, radius=1.0):
    """GD steps to shrink the slowest twist by ``e``, from the decay factor of a short GD run.

    Runs ``steps`` GD steps from ``twist_mode(T, 1, amplitude)``, fits the per-step factor ``f_1``
    of the slowest amplitude (:func:`fit_decay_factors`) and returns ``-1 / ln f_1``: the
    e-folding time if the measured factor held throughout. ``None`` if the run diverged or
    ``f_1`` is not in ``(0, 1)``.
    """
    model = MexicanHatChain(T, lam, d=2, N=1, radius=radius)
    Z0 = twist_mode(model.T, 1, check_float("amplitude", amplitude, minimum=0.0,
                                            strict_min=True), d=2, N=1, radius=radius)
    steps = check_int("steps", steps, minimum=1)
    run = ModeRun(model, Z0, lr, range(steps + 1))
    run.advance_to(steps)
    if run.diverged:
        return None
    # only the slowest mode is needed: project on it alone (a T x T projection is wasted here)
    Zs = np.array([run.snapshots[k] for k in sorted(run.snapshots)])
    c1 = _slowest_amplitude(Zs, goldstone_modes(model.T)[:, 1])
    f = float(fit_decay_factors(c1[:, None], rel_floor=0.0)[0][0])
    if not 0.0 < f < 1.0:
        return None
    return -1.0 / math.log(f)


def fit_power_law(x, y):
    """Least-squares fit of ``log y = p log x + log a``; returns ``(p, a)``.

    Needs at least two points with ``x, y > 0``.
    """
    x = check_array("x", x, ndim=1)
    y = check_array("y", y, ndim=1, shape=(x.size,))
    if x.size < 2 or np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("fit_power_law needs at least two points with x > 0 and y > 0")
    p, loga = np.polyfit(np.log(x), np.log(y), 1)
    return float(p), float(np.exp(loga))


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
