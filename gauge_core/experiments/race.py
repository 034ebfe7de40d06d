"""The race: several optimisers from the same start on one of the book's models.

Entrants (:data:`RACERS`):

- the plain optimisers ``"gd"``, ``"momentum"``, ``"nesterov"``, ``"adam"``, ``"adagrad"``; heavy-ball
  momentum and Nesterov are *tuned to the spectrum* (:func:`race_tuning`), so the comparison is
  with well-tuned momentum (√κ), not with a strawman;
- the gauge methods, with any of those as inner optimiser (``inner``): ``"goldstone"`` (P1
  Algorithm 1), ``"gauge"`` (the exact gauge step every ``k1`` steps) and ``"gauge_start"`` (the
  exact gauge step applied once, to the start, then the inner optimiser alone);
- ``"procrustes"``: the practitioner's usual fix, plain GD whose embeddings are aligned *after the
  fact* by one exact gauge step at the moment they are looked at (:func:`post_hoc_alignment`); it
  is derived from the ``"gd"`` run, not a run of its own.

Models (:func:`race_problem`): ``"hat"`` the Mexican-hat chain (``d = 2``, one vector per step,
chain or ring), ``"replica"`` P1 §5.1's dense factorisation, ``"ratings"`` a small sparse logistic
factorisation of drifting ratings (P1 §5.2's model at a size that runs live).
:class:`Standings` names the winner from the curves: the first entrant whose loss gap to the
minimum has shrunk by ``tol`` (relative to its start), and by how many times fewer iterations.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validate import check_bool, check_choice, check_float, check_int, check_rng
from ..gauge import alignment, exact_gauge_step
from ..models import MexicanHatChain, best_factorization
from ..optimize import Recorder, Run, iterations_to_converge
from ..spectra import hessian_extremes, spectrum_bounds
from ..theory import tuned_momentum
from . import realistic
from .cache import LRUCache
from .replica import P1_SETTINGS, p1_replica

MODELS = ("hat", "replica", "ratings", "sotu", "movielens")
#: models on real data (chapter 09): T is set by the data
REAL = ("sotu", "movielens")
INITS = ("random", "aligned", "gauge-fixed")
PLAIN = ("gd", "momentum", "nesterov", "adam", "adagrad")
GAUGE = ("goldstone", "gauge", "gauge_start")
RACERS = PLAIN + GAUGE + ("procrustes",)
#: the sparse model's live size (P1 §5.2's hyper-parameters, 20 steps, 30 users and 30 items)
RATINGS_CONFIG = dict(T=20, n_users=30, n_items=30, d=5, ratings_per_step=300)
#: margins on h_max tried, smallest first, when momentum is tuned (see race_tuning)
MARGINS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
PROBE_STEPS = 300
LARGE = 20_000  # parameters above which tuning uses shorter runs (the real-data models)

_cache = LRUCache(16)


@dataclass
class RaceProblem:
    """One model, one start and the settings every entrant shares.

    Attributes
    ----------
    name : str
        ``"hat"``, ``"replica"`` or ``"ratings"``.
    model : gauge_core.EmbeddingModel
    Z0 : numpy.ndarray
        The common start (already gauge-fixed when ``init="gauge-fixed"``).
    minimum : float or None
        The exact minimum of the loss where it is known (hat: 0; replica: Eckart–Young).
    base : dict
        ``{optimiser: optimize options}`` for the plain optimisers except the tuned ones
        (step sizes, clipping and schedules of the book's chapters for this model); a missing
        ``"gd"`` entry means GD's step is ``1 / h_max`` (:func:`race_tuning`'s spectrum).
    baseline : str
        The optimiser the book's chapter (and P1) uses as baseline for this model.
    key : tuple
        What identifies the problem (for caches).
    """

    name: str
    model: object
    Z0: np.ndarray
    minimum: float | None
    base: dict
    key: tuple
    baseline: str = "gd"


def race_problem(model="hat", T=32, lam=1.0, init="random", scale=1.0, rng=0, ring=False):
    """Build the model, the common start and the shared optimiser settings.

    Parameters
    ----------
    model : {"hat", "replica", "ratings", "sotu", "movielens"}
    T : int
        Time steps (the replica's default in P1 is 30, the live ratings model's 20); ignored for
        the real data sets (SOTU: 24 decades; MovieLens: 22 years), whose live sizes are
        ``real_data_problems.SOTU_LIVE`` and ``MOVIELENS_LIVE``.
    lam : float
        Coupling strength.
    init : {"random", "aligned", "gauge-fixed"}
        ``"random"``: i.i.d. entries, every step breaks the symmetry its own way; ``"aligned"``: one
        random configuration repeated at every step (no twist); ``"gauge-fixed"``: the random start
        with the exact gauge step applied once (every entrant then starts untwisted).
    scale : float
        Standard deviation of the start's entries.
    rng : int or numpy.random.Generator
        Seed of the start (and of the replica's data).
    ring : bool
        Close the hat chain into a ring (only ``model="hat"``; the exact step then does not exist).

    Returns
    -------
    RaceProblem
    """
    check_choice("model", model, MODELS)
    T = check_int("T", T, minimum=3 if ring else 2)
    lam = check_float("lam", lam, minimum=0.0, strict_min=True)
    check_choice("init", init, INITS)
    scale = check_float("scale", scale, minimum=0.0, strict_min=True)
    ring = check_bool("ring", ring)
    seed = rng if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) else None
    rng = check_rng("rng", rng)
    if ring and model != "hat":
        raise ValueError("ring=True is available for model='hat' only")
    kind = "aligned" if init == "aligned" else "random"
    baseline = {"ratings": "adagrad", "sotu": "adam", "movielens": "adagrad"}.get(model, "gd")
    if model == "hat":
        m = MexicanHatChain(T, lam, d=2, N=1, ring=ring)
        Z0 = m.random_init(rng, kind, scale)
        base = {"gd": dict(lr=hat_step(m, Z0)), "adam": dict(lr=0.01), "adagrad": dict(lr=0.1)}
        minimum = 0.0
    elif model == "replica":
        rep = p1_replica(rng, T=T, lam=lam, init_scale=scale)
        m = rep.model
        Z0 = rep.Z0 if kind == "random" else m.random_init(rng, kind, scale)
        base = {"gd": dict(P1_SETTINGS["gd"]), "adam": dict(P1_SETTINGS["adam"]),
                "adagrad": dict(lr=0.1)}
        minimum = rep.optimum
    elif model == "ratings":
        config = dict(RATINGS_CONFIG, T=T, lam=lam, init_scale=scale)
        _, m, Z0 = realistic.make_problem(int(rng.integers(2**31)), config)
        if kind == "aligned":
            Z0 = m.random_init(rng, kind, scale)
        base = {"adam": dict(lr=0.05), "adagrad": dict(lr=1.0)}
        minimum = None
    else:
        from . import real_data_problems as rdp  # pandas and the data packages, on demand

        live = rdp.SOTU_LIVE if model == "sotu" else rdp.MOVIELENS_LIVE
        m = rdp.make_problem(dict(live, lam=lam)).model
        Z0 = m.random_init(rng, kind, scale * live["init_scale"])
        T = m.T
        base = {"adam": dict(lr=0.01), "adagrad": dict(lr=1.0)}
        minimum = None
    if init == "gauge-fixed":
        Z0 = exact_gauge_step(Z0)[0] if not ring else Z0
    key = (model, T, float(lam), init, float(scale), seed, ring)
    return RaceProblem(model, m, Z0, minimum, base, key, baseline)


def hat_step(model, Z0):
    """GD step ``1 / h_max`` for the Mexican-hat chain, stable from ``Z0`` to the minimum.

    The hat ``(|z|^2 - r^2)^2`` has Hessian ``4 (|z|^2 - r^2) I + 8 z z^T``, largest eigenvalue
    ``12 |z|^2 - 4 r^2`` (along ``z``), ``8 r^2`` on the ring; the coupling adds at most ``4 lam``.
    Far from the ring (a large initial scale) the curvature is larger than at the minimum, so the
    step is set by the largest vector of the start (the chain's own step ``1 / (8 r^2 + 4 lam)``
    when the start is inside the ring's curvature).
    """
    r2 = model.radius ** 2
    top = max(12.0 * float(np.max(np.einsum("tdn,tdn->tn", Z0, Z0))) - 4.0 * r2, 8.0 * r2)
    return 1.0 / (top + 4.0 * model.lam)


def race_tuning(problem, method="momentum"):
    """Step size and momentum for ``method`` ("momentum" or "nesterov"), tuned to the spectrum.

    ``(h_min, h_max)`` come from :func:`gauge_core.spectrum_bounds` at a minimum: the closed forms
    for the hat chain, the Eckart–Young optimum for the replica, and for the other models the end
    of a 400-step run of the exact gauge method (near a minimum; eigenvalues below ``1e-3 h_max``
    count as its soft symmetry directions, and negative ones of the unconverged point are left
    out). Tuned exactly (Polyak), the stiffest mode sits on the
    edge of stability, and far from the minimum the curvature is larger, so the run can diverge
    from a random start: the margins :data:`MARGINS` on ``h_max`` are tried in turn and the first
    whose :data:`PROBE_STEPS`-step probe from the problem's start neither diverges nor ends above
    its start is used (a third of that, and a 100-step reference run, above :data:`LARGE`
    parameters). Cached per problem.

    Returns
    -------
    dict
        ``lr``, ``beta`` and ``margin``.
    """
    check_choice("method", method, ("momentum", "nesterov"))
    return _cache.get_or((problem.key, method), lambda: _tune(problem, method))


def _bounds(problem):
    m = problem.model
    if isinstance(m, MexicanHatChain):  # closed forms, chain or ring
        return spectrum_bounds(m)
    if problem.name == "replica":
        return spectrum_bounds(m, best_factorization(m.X[0], m.d, m.T))
    large = problem.Z0.size > LARGE
    run = Run(m, problem.Z0, "gauge", inner=problem.baseline, k1=100, gauge_at_start=True,
              **problem.base[problem.baseline])
    run.advance(100 if large else 400)
    # Lanczos: h_max converges in a few dozen steps; on the large real-data models 40 steps keep
    # the tuning near a second, at the price of an h_min estimate from above (less momentum)
    return hessian_extremes(m, run.Z, rtol=1e-3, iterations=40 if large else 200,
                            near_minimum=True)


def _tune(problem, method):
    h_min, h_max = _cache.get_or((problem.key, "bounds"), lambda: _bounds(problem))
    steps = PROBE_STEPS // 3 if problem.Z0.size > LARGE else PROBE_STEPS
    return stable_tuning(problem.model, problem.Z0, h_min, h_max, method, steps)


def stable_tuning(model, Z0, h_min, h_max, method="momentum", probe_steps=PROBE_STEPS):
    """Polyak's tuning for ``[h_min, margin * h_max]`` with the smallest margin that is stable
    from ``Z0``.

    The margins :data:`MARGINS` are tried in turn; a margin passes when a ``probe_steps``-step run
    from ``Z0`` neither diverges nor ends above its starting loss.

    Returns
    -------
    dict
        ``lr``, ``beta`` and ``margin``.

    Raises
    ------
    ValueError
        If every margin diverges.
    """
    check_choice("method", method, ("momentum", "nesterov"))
    probe_steps = check_int("probe_steps", probe_steps, minimum=1)
    for margin in MARGINS:
        opts = tuned_momentum(h_min, margin * h_max, method)
        probe = Run(model, Z0, method, **opts)
        probe.advance(probe_steps)
        if not probe.diverged and probe.loss[-1] <= probe.loss[0]:
            return dict(opts, margin=margin)
    raise ValueError(f"no stable {method} step found for this start (margins up to "
                     f"{MARGINS[-1]:g} x h_max diverge)")


def racer_options(problem, name, inner="gd", k1=50):
    """``(method, options)`` for one entrant (``"procrustes"`` runs plain GD)."""
    check_choice("racer", name, RACERS)
    check_choice("inner", inner, PLAIN)
    k1 = check_int("k1", k1, minimum=1)

    def plain(opt):
        if opt in ("momentum", "nesterov"):
            t = race_tuning(problem, opt)
            return {"lr": t["lr"], "beta": t["beta"]}
        if opt == "gd" and "gd" not in problem.base:  # 1 / h_max of the spectrum at a minimum
            return {"lr": 1.0 / _cache.get_or((problem.key, "bounds"),
                                               lambda: _bounds(problem))[1]}
        return dict(problem.base[opt])

    if name == "procrustes":
        return "gd", plain("gd")
    if name in PLAIN:
        return name, plain(name)
    opts = dict(plain(inner), inner=inner, k1=k1)
    if name == "goldstone":
        return "goldstone", dict(opts, k2=10)
    if name == "gauge_start":
        return "gauge", dict(opts, gauge_at_start=True, k1=10**9)
    return "gauge", opts


class AlignmentTrace(Recorder):
    """Sampled along a run every ``every`` iterations: the mean alignment ``cos(z_0, z_{T-1})``
    and, with ``post_hoc``, the loss, coupling and alignment after a post-hoc Procrustes
    alignment (:func:`post_hoc_alignment`). Arrays ``iterations``, ``alignment``, ``post_loss``,
    ``post_coupling``, ``post_alignment``."""

    def __init__(self, every=1, post_hoc=False):
        self.every = check_int("every", every, minimum=1)
        self.post_hoc = bool(post_hoc)
        self.iterations, self.alignment = [], []
        self.post_loss, self.post_coupling, self.post_alignment = [], [], []

    def step(self, run):
        if run.iteration % self.every:
            return
        self.iterations.append(run.iteration)
        self.alignment.append(mean_alignment(run.Z))
        if self.post_hoc:
            _, loss, psi, align = post_hoc_alignment(run.model, run.Z)
            self.post_loss.append(loss)
            self.post_coupling.append(psi)
            self.post_alignment.append(align)


def race_runs(problem, racers, inner="gd", k1=50, steps=5000):
    """One fresh :class:`gauge_core.Run` per entrant, all from ``problem.Z0``, each with an
    :class:`AlignmentTrace` (``run.recorders[0]``) sampled about 300 times over ``steps`` (``"procrustes"`` shares the
    ``"gd"`` run, which then also traces the post-hoc alignment).

    Returns
    -------
    runs : dict of gauge_core.Run
    left_out : dict of str
        Entrants that could not race, with the reason (no exact gauge step on a ring; no stable
        momentum step for this start).
    """
    names = list(dict.fromkeys(racers))
    if not names:
        raise ValueError("racers must name at least one entrant")
    steps = check_int("steps", steps, minimum=1)
    every = max(1, steps // 300)
    runs, left_out = {}, {}
    for name in names:
        if problem.model.ring and name in ("gauge", "gauge_start", "procrustes"):
            left_out[name] = "no exact gauge step on a ring (the holonomy cannot be gauged away)"
            continue
        key = "gd" if name == "procrustes" else name
        if key in runs:
            continue
        try:
            method, opts = racer_options(problem, key, inner, k1)
        except ValueError as exc:
            left_out[name] = str(exc)
            continue
        trace = AlignmentTrace(every, post_hoc="procrustes" in names and key == "gd")
        runs[key] = Run(problem.model, problem.Z0, method, recorders=[trace], **opts)
    return runs, left_out


def post_hoc_alignment(model, Z):
    """What GD's embeddings look like after the usual after-the-fact alignment: one exact gauge
    step (a Procrustes problem per link). Returns ``(Z aligned, loss, coupling, mean
    alignment)``; on a ring (no exact step) ``Z`` is returned as it is."""
    Zr = Z if model.ring else exact_gauge_step(Z)[0]
    return Zr, model.loss(Zr), model.coupling_loss(Zr), float(np.mean(alignment(Zr)))


def embedding_points(problem, Z, vectors=6):
    """A fixed 2-D picture of the embeddings: ``(x, y, t)`` for every step ``t`` of the first
    ``vectors`` embedding vectors (the hat: its one vector, as it is).

    Factorisations are projected on a fixed plane (the top two left singular vectors of the
    start's first step, a d x N matrix), the same for every entrant and every frame, so a twist shows as vectors
    spreading along arcs and an aligned chain as tight clusters (P1 Fig. 2).
    """
    Z = np.asarray(Z, dtype=float)
    T, d, N = Z.shape
    if d == 2 and N == 1:
        return Z[:, 0, 0].copy(), Z[:, 1, 0].copy(), np.arange(T, dtype=float)
    P = _cache.get_or((problem.key, "plane"), lambda: _plane(problem.Z0))
    k = min(vectors, N)
    pts = np.einsum("ad,tdn->tan", P, Z[:, :, :k])  # (T, 2, k)
    t = np.repeat(np.arange(T, dtype=float), k)
    return pts[:, 0, :].ravel(), pts[:, 1, :].ravel(), t


def _plane(Z0):
    u, _, _ = np.linalg.svd(Z0[0], full_matrices=False)
    return u[:, :2].T.copy()  # (2, d)


def mean_alignment(Z):
    """Mean cosine between each embedding vector at the first and at the last step."""
    return float(np.mean(alignment(Z)))


@dataclass
class Standings:
    """Who reached the target first, from the loss curves.

    The target of an entrant is a loss gap ``L - L*`` at most ``tol`` times its starting gap, with
    ``L*`` the exact minimum where known, else the lowest loss any entrant has reached.
    """

    iterations: dict
    reference: float
    tol: float

    @property
    def finished(self):
        """Entrants that reached the target, fastest first: ``[(name, iterations), ...]``."""
        done = [(k, n) for k, n in self.iterations.items() if n is not None]
        return sorted(done, key=lambda kv: kv[1])

    def winner(self):
        """``(name, iterations)`` of the fastest entrant, or ``None`` if none has finished."""
        done = self.finished
        return done[0] if done else None

    def margin(self):
        """How many times fewer iterations the winner needed than the runner-up (``inf`` if no
        other entrant finished), or ``None`` without a winner."""
        done = self.finished
        if not done:
            return None
        if len(done) == 1:
            return math.inf
        return done[1][1] / max(done[0][1], 1)


def standings(curves, minimum=None, tol=1e-6):
    """:class:`Standings` from ``{name: loss curve}``.

    With a known ``minimum`` an entrant finishes at the first iteration whose gap is within
    ``tol`` of its starting gap. Without one the reference is the lowest loss any entrant has
    reached so far, which the leader touches by definition at its last iteration; so an entrant
    only counts as finished if it got there within the first 90 % of its run and stayed there.
    """
    tol = check_float("tol", tol, minimum=0.0, strict_min=True)
    known = minimum is not None
    if not known:
        finite = [float(np.min(c)) for c in curves.values() if len(c)]
        minimum = min(finite) if finite else 0.0
    its = {}
    for k, c in curves.items():
        c = np.asarray(c, dtype=float)
        n = iterations_to_converge(c, minimum, tol) if c.size > 1 else None
        if n is not None and not known:
            target = minimum + tol * (c[0] - minimum)
            if n > 0.9 * (c.size - 1) or np.any(c[n:] > target):
                n = None
        its[k] = n
    return Standings(its, float(minimum), tol)
