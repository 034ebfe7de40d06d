"""The P1 §5.1 artificial-data experiment: one recipe for the data, the replica, and the survey.

A dense dynamic factorisation with ``d = 3``, ``T = 30``, ``lam = 10`` and the *same* data
``X = U^T V + noise`` at every time step, so the optimum is known in closed form
(:func:`gauge_core.factorization_optimum`). :data:`P1_SETTINGS` holds the optimiser settings the
book uses; :func:`replica_survey` runs many seeds and returns a :class:`ReplicaSurvey`, whose
methods are the claims chapter 04 makes (reflection walls are common, which seeds stay clean).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields

import numpy as np

from .._validate import check_float, check_int, check_rng
from ..gauge import alignment, exact_gauge_step, reflection_walls
from ..models import DynamicFactorization, factorization_optimum
from ..optimize import Run, optimize

#: Optimiser settings for the replica (``gauge_core.optimize`` keyword arguments per method).
#: ``"gd"`` is P1 §5.1's tuned baseline: gradients clipped to ``[-0.01, 0.01]``, step
#: ``rho_s = 1 * (100 / (s + 100))^0.7``. ``"goldstone"`` is Goldstone-GD with the same inner
#: optimiser and P1's ``k1 = 50``, ``k2 = 10`` (``step_scale`` 0.25 and the exact exponential are
#: the library defaults). ``"adam"`` uses step 0.01 with the same schedule shape, ``s_bar = 1000``.
P1_SETTINGS = {
    "gd": dict(lr=1.0, clip=0.01, decay=100.0),
    "goldstone": dict(lr=1.0, clip=0.01, decay=100.0, k1=50, k2=10),
    "adam": dict(lr=0.01, decay=1000.0),
}

#: What :func:`replica_survey` runs by default: P1's three settings, plus Adam with the larger
#: step 0.1 (P1 §5.3's prefactor) alone and as Goldstone-GD's inner optimiser.
SURVEY_SETTINGS = dict(P1_SETTINGS, **{
    "adam_0.1": dict(method="adam", lr=0.1, decay=1000.0),
    "goldstone_adam_0.1": dict(method="goldstone", inner="adam", lr=0.1, decay=1000.0, k1=50,
                               k2=10),
})

#: Iterations at which :func:`replica_survey` records its numbers.
SURVEY_CHECKPOINTS = (500, 1000, 1500, 2000, 3000, 5000)
#: The seeds of the cached survey ``book/data/replica.npz`` (``make data`` regenerates them all).
SURVEY_SEEDS = tuple(range(24))
SURVEY_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "book", "data", "replica.npz")


def p1_data(rng=0, m=10, n=10, rank=3, noise_var=1e-3):
    """P1 §5.1's data: ``X = U^T V + sqrt(noise_var) * E`` with standard normal ``U`` (rank x m),
    ``V`` (rank x n) and ``E`` (m x n), drawn in this order from ``rng``."""
    rng = check_rng("rng", rng)
    m = check_int("m", m, minimum=1)
    n = check_int("n", n, minimum=1)
    rank = check_int("rank", rank, minimum=1)
    noise_var = check_float("noise_var", noise_var, minimum=0.0)
    U = rng.standard_normal((rank, m))
    V = rng.standard_normal((rank, n))
    return U.T @ V + np.sqrt(noise_var) * rng.standard_normal((m, n))


@dataclass
class Replica:
    """The P1 §5.1 set-up for one seed.

    Attributes
    ----------
    model : DynamicFactorization
    Z0 : numpy.ndarray of shape (T, d, m + n)
        The random initial configuration, i.i.d. ``N(0, init_scale^2)``.
    X : numpy.ndarray of shape (m, n)
        The data, the same at every time step.
    optimum : float
        The exact minimum of the loss (:func:`gauge_core.factorization_optimum`).
    seed : int or None
        The seed, when ``rng`` was one.
    """

    model: DynamicFactorization
    Z0: np.ndarray
    X: np.ndarray
    optimum: float
    seed: int | None


def p1_replica(rng=0, T=30, d=3, lam=10.0, m=10, n=10, rank=3, noise_var=1e-3, init_scale=1.0):
    """The P1 §5.1 artificial-data experiment for one seed.

    :func:`p1_data` used at every one of ``T`` time steps of a :class:`DynamicFactorization` with
    embedding dimension ``d`` and coupling ``lam``; ``Z0`` is i.i.d. ``N(0, init_scale^2)``, drawn
    from the same ``rng`` after the data.

    Parameters
    ----------
    rng : int or numpy.random.Generator
        Seed (non-negative) or generator of all four draws.
    T, d, lam, m, n, rank, noise_var, init_scale
        Sizes and scales; the defaults are P1 §5.1 (``init_scale`` is not stated in the paper).

    Returns
    -------
    Replica
    """
    seed = rng if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) else None
    rng = check_rng("rng", rng)
    T = check_int("T", T, minimum=2)
    d = check_int("d", d, minimum=1)
    init_scale = check_float("init_scale", init_scale, minimum=0.0, strict_min=True)
    X = p1_data(rng, m, n, rank, noise_var)
    model = DynamicFactorization(X, d, lam, T=T)
    Z0 = model.random_init(rng, scale=init_scale)
    return Replica(model, Z0, X, factorization_optimum(X, d, T), None if seed is None else int(seed))


@dataclass
class ReplicaSurvey:
    """Outcome of GD, Goldstone-GD and Adam on the replica for many seeds (raw measurements).

    Attributes
    ----------
    seeds : numpy.ndarray of int, shape (S,)
    methods : numpy.ndarray of str, shape (M,)
    checkpoints : numpy.ndarray of int, shape (C,)
    optimum : numpy.ndarray, shape (S,)
    loss, alignment : numpy.ndarray, shape (M, S, C)
        Loss and mean cosine ``cos(z_1, z_T)`` (:func:`gauge_core.alignment`) at each checkpoint.
    walls : numpy.ndarray of int, shape (M, S, C)
        Number of :func:`gauge_core.reflection_walls`. A run that diverged records ``nan`` / ``-1``
        after it stopped.
    """

    seeds: np.ndarray
    methods: np.ndarray
    checkpoints: np.ndarray
    optimum: np.ndarray
    loss: np.ndarray
    alignment: np.ndarray
    walls: np.ndarray

    def index(self, method):
        """Position of ``method`` in :attr:`methods`."""
        names = [str(m) for m in self.methods]
        if method not in names:
            raise ValueError(f"method must be one of {names}, got {method!r}")
        return names.index(method)

    def final_walls(self, method):
        """Walls at the last checkpoint, one per seed."""
        return self.walls[self.index(method), :, -1]

    def walled_counts(self):
        """``{method: number of seeds that end with a reflection wall}``."""
        return {str(m): int(np.sum(self.final_walls(str(m)) > 0)) for m in self.methods}

    def wall_fraction(self, method):
        """Fraction of the seeds that end with a reflection wall under ``method``."""
        return self.walled_counts()[method] / len(self.seeds)

    def clean(self, methods=("gd", "goldstone")):
        """Mask of the seeds that end without a wall under every one of ``methods``."""
        return np.logical_and.reduce([self.final_walls(m) == 0 for m in methods])

    def clean_seeds(self, methods=("gd", "goldstone")):
        """The seeds that end without a wall under every one of ``methods``, ascending."""
        return [int(s) for s in self.seeds[self.clean(methods)]]

    def loss_over_optimum(self, method, checkpoint=-1):
        """``loss / L*`` per seed at one checkpoint (an index into :attr:`checkpoints`)."""
        return self.loss[self.index(method), :, checkpoint] / self.optimum

    def as_dict(self):
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def save(self, path=SURVEY_PATH):
        np.savez_compressed(path, **self.as_dict())

    @classmethod
    def load(cls, path=SURVEY_PATH):
        with np.load(path) as f:
            return cls(**{name.name: f[name.name] for name in fields(cls)})


def replica_survey(seeds=SURVEY_SEEDS, steps=5000, checkpoints=SURVEY_CHECKPOINTS, settings=None,
                   **replica_kw):
    """Run GD, Goldstone-GD and Adam on the replica for many seeds and record the outcome.

    Parameters
    ----------
    seeds : iterable of int
    steps : int
        Iterations per run.
    checkpoints : sequence of int
        Iterations (``<= steps``) at which the numbers are recorded.
    settings : dict, optional
        Name -> ``optimize`` options (with ``method`` if the name is not a method);
        :data:`SURVEY_SETTINGS` by default.
    **replica_kw
        Passed to :func:`p1_replica`.

    Returns
    -------
    ReplicaSurvey
    """
    seeds = [check_int("seeds", s, minimum=0) for s in seeds]
    steps = check_int("steps", steps, minimum=1)
    checkpoints = [check_int("checkpoints", c, minimum=0, maximum=steps) for c in checkpoints]
    settings = dict(SURVEY_SETTINGS if settings is None else settings)
    methods = list(settings)
    shape = (len(methods), len(seeds), len(checkpoints))
    loss, align = np.full(shape, np.nan), np.full(shape, np.nan)
    walls = np.full(shape, -1, dtype=int)
    optimum = np.empty(len(seeds))
    for si, seed in enumerate(seeds):
        rep = p1_replica(seed, **replica_kw)
        optimum[si] = rep.optimum
        for mi, name in enumerate(methods):
            opts = dict(settings[name])
            method = opts.pop("method", name)
            run = Run(rep.model, rep.Z0, method, snapshots=checkpoints, **opts)
            run.advance(steps)
            for ci, c in enumerate(checkpoints):
                if c in run.snapshots:
                    Zc = run.snapshots[c]
                    loss[mi, si, ci] = run.loss[c]
                    align[mi, si, ci] = float(np.mean(alignment(Zc)))
                    walls[mi, si, ci] = len(reflection_walls(Zc))
    return ReplicaSurvey(np.array(seeds), np.array(methods), np.array(checkpoints), optimum, loss,
                         align, walls)


# --- the chapter's comparisons on single seeds ------------------------------------------------------
@dataclass
class ReplicaComparison:
    """GD, Adam and Goldstone-GD (:data:`P1_SETTINGS`) from the same start, one entry per seed.

    Attributes
    ----------
    seeds : tuple of int
    steps : int
    loss, mean_cos : dict[str, numpy.ndarray]
        Final loss and mean ``cos(z_first, z_last)`` per method, one value per seed.
    walls : dict[str, numpy.ndarray]
        Reflection walls at the end, per method and seed.
    optimum : numpy.ndarray
    Z : dict[str, list of numpy.ndarray]
        The final configurations.
    """

    seeds: tuple
    steps: int
    loss: dict
    mean_cos: dict
    walls: dict
    optimum: np.ndarray
    Z: dict

    def loss_ratio(self, slow, fast):
        """``loss[slow] / loss[fast]`` per seed."""
        return self.loss[slow] / self.loss[fast]


def replica_comparison(seeds=(0, 2, 3), steps=1500, methods=("gd", "adam", "goldstone")):
    """Run each method of :data:`P1_SETTINGS` for ``steps`` iterations on the replica of each seed;
    returns a :class:`ReplicaComparison`."""
    seeds = tuple(check_int("seeds", s, minimum=0) for s in seeds)
    steps = check_int("steps", steps, minimum=1)
    loss = {m: np.empty(len(seeds)) for m in methods}
    cos = {m: np.empty(len(seeds)) for m in methods}
    walls = {m: np.empty(len(seeds), dtype=int) for m in methods}
    Zs = {m: [] for m in methods}
    optimum = np.empty(len(seeds))
    for si, seed in enumerate(seeds):
        rep = p1_replica(seed)
        optimum[si] = rep.optimum
        for m in methods:
            res = optimize(rep.model, rep.Z0, m, steps, **P1_SETTINGS[m])
            loss[m][si] = res.loss[-1]
            cos[m][si] = float(np.mean(alignment(res.Z)))
            walls[m][si] = len(reflection_walls(res.Z))
            Zs[m].append(res.Z)
    return ReplicaComparison(seeds, steps, loss, cos, walls, optimum, Zs)


def rotation_leftover(model, Z):
    """What rotations can still do for ``Z``, and what they cannot.

    Returns ``(psi, removable, stretch)``: the coupling, the fraction of it the exact gauge step
    (the best rotation of every time step) removes, and the spread over ``t`` of
    ``||U_t||^2 - ||V_t||^2``, a quantity no rotation changes but the factorisation's larger
    GL(d) symmetry ``U -> A U, V -> A^{-T} V`` does (a stretch mode).
    """
    psi = float(model.coupling_loss(Z))
    removable = 1.0 - float(model.coupling_loss(exact_gauge_step(Z)[0])) / psi if psi > 0 else 0.0
    U, V = model.split(Z)
    balance = np.sum(U ** 2, axis=(1, 2)) - np.sum(V ** 2, axis=(1, 2))
    return psi, removable, float(np.ptp(balance))


def wall_repair(rng=1, steps=1500, polish=500, lr=0.01):
    """Goldstone-GD on the replica of one seed, then one exact gauge step with O(d) links (which
    may reflect) and ``polish`` plain-GD steps.

    Returns ``(replica, stuck_Z, repaired_result)``.
    """
    rep = p1_replica(rng)
    stuck = optimize(rep.model, rep.Z0, "goldstone", check_int("steps", steps, minimum=1),
                     **P1_SETTINGS["goldstone"]).Z
    repaired = optimize(rep.model, exact_gauge_step(stuck, group="O")[0], "gd",
                        check_int("polish", polish, minimum=0), lr=lr)
    return rep, stuck, repaired
