"""Chapter 08's experiment: the sparse logistic dynamic factorisation (a P1 §5.2 analogue) on
drifting ratings, AdaGrad against the same AdaGrad inside Goldstone-GD and the exact gauge step.

The runs are too slow for a notebook cell (thousands of AdaGrad iterations per method), so
:func:`generate` runs them once for several seeds and :func:`save` caches the raw results in
``book/data/realistic.npz`` (every curve at every iteration, per-vector alignments, embeddings of
the items): ``make data`` rebuilds it, a slow test regenerates it and compares. The same experiment
at 1000 users + 1000 items (:data:`LARGE_CONFIG`, about 10 min of CPU per seed) is kept by
:func:`generate_large` in ``book/data/realistic_large.npz`` with the item embeddings replaced by
their nearest-neighbour lists (:func:`with_neighbour_lists`). Every number the chapter states is
derived from these raw results by :mod:`.realistic_summary`.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np

from ..gauge import alignment, exact_gauge_step
from ..models import SparseLogisticFactorization, drifting_ratings
from ..optimize import Run

__all__ = ["DATA_PATH", "CONFIG", "SEEDS", "LARGE_CONFIG", "LARGE_SEEDS", "LARGE_PATH",
           "METHOD_OPTIONS", "LABELS", "make_problem", "removable_coupling", "run_method",
           "run_seed", "generate", "save", "load", "config_of", "with_neighbour_lists",
           "generate_large", "first_below", "floor_iteration", "nearest_items", "speedups",
           "summarize", "summarize_compact", "item_cosines", "removable_efold", "phase_share",
           "comparability", "problem_facts", "Costs", "measure_costs", "floor_table",
           "twist_table", "fit_table", "comparability_table", "large_table"]

DATA_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "book", "data", "realistic.npz")

#: the set-up of the cached experiment (P1 §5.2 hyper-parameters; sizes chosen for run time)
CONFIG = dict(T=50, n_users=50, n_items=50, d=10, ratings_per_step=1000, drift=0.05, signal=3.0,
              test_fraction=0.3, lam=10.0, gamma=1.0, lr=1.0, k1=100, k2=10, init_scale=1.0,
              steps=2000, every=25, snap=400)
SEEDS = (0, 1, 2)
#: the same experiment at a thousand users and a thousand items (chapter 08's last section): same
#: hyper-parameters and the same 14 training ratings per user and per item per step, 3000 iterations
LARGE_CONFIG = dict(CONFIG, n_users=1000, n_items=1000, ratings_per_step=20000, steps=3000)
LARGE_SEEDS = (0, 1)
LARGE_PATH = os.path.join(os.path.dirname(DATA_PATH), "realistic_large.npz")
#: the three runs compared: P1's AdaGrad baseline and the two gauge methods with AdaGrad inside
METHOD_OPTIONS = {"adagrad": {}, "goldstone": {"inner": "adagrad"}, "gauge": {"inner": "adagrad"}}
LABELS = {"adagrad": "AdaGrad (P1's baseline)", "goldstone": "Goldstone-GD (P1), AdaGrad inside",
          "gauge": "AdaGrad + exact gauge step"}


def make_problem(seed, config=None):
    """Synthetic drifting ratings, the model and a random initial ``Z`` for one seed.

    Returns
    -------
    data : gauge_core.DriftingRatings
    model : gauge_core.SparseLogisticFactorization
    Z0 : numpy.ndarray of shape (T, d, n_users + n_items)
        i.i.d. ``N(0, init_scale^2)`` entries, so every time step breaks the symmetry its own way.
    """
    c = dict(CONFIG, **(config or {}))
    data = drifting_ratings(c["T"], c["n_users"], c["n_items"], d=c["d"],
                               ratings_per_step=c["ratings_per_step"], drift=c["drift"],
                               signal=c["signal"], test_fraction=c["test_fraction"], rng=seed)
    model = SparseLogisticFactorization(*data.train.as_args(), T=c["T"], n_users=c["n_users"],
                                           n_items=c["n_items"], d=c["d"], lam=c["lam"],
                                           gamma=c["gamma"])
    Z0 = model.random_init(np.random.default_rng(1000 + seed), scale=c["init_scale"])
    return data, model, Z0


def problem_facts(data, model, Z0):
    """The data set in numbers: training ratings per user (and per item) per time step, the
    held-out log-likelihood per rating of the random start, and chance level ``log(1/2)``."""
    c = {"T": model.T, "n_users": model.n_users}
    return {"n_train": len(data.train), "n_test": len(data.test),
            "per_user": len(data.train) / (c["T"] * c["n_users"]),
            "ll_start": model.log_likelihood(Z0, *data.test.as_args()),
            "chance": float(np.log(0.5))}


@dataclass
class Costs:
    """Measured CPU seconds: one inner AdaGrad step, one exact gauge step and one Goldstone-GD
    gauge phase (the least disturbed of a few repeats; a shared machine is noisy)."""

    per_iteration: float
    exact_step: float
    goldstone_phase: float
    k1: int

    def overhead(self, which):
        """Cost of one gauge step or phase over that of the ``k1`` inner steps it follows."""
        return getattr(self, which) / (self.k1 * self.per_iteration)

    def report(self):
        lines = [f"{1e3 * self.per_iteration:.1f} ms per AdaGrad step, so 300 iterations take "
                 f"{300 * self.per_iteration:.1f} s"]
        lines += [f"{name:16s} {1e3 * getattr(self, name):6.2f} ms = "
                  f"{100 * self.overhead(name):.2f} % of the k1 = {self.k1} inner steps it follows"
                  for name in ("exact_step", "goldstone_phase")]
        return "\n".join(lines)


def measure_costs(model, Z0, config=None, steps=20, repeats=3):
    """Time ``steps`` AdaGrad iterations, the exact gauge step and a Goldstone-GD phase on
    ``model`` (live timings: printed by the book, never asserted)."""
    from ..optimize import goldstone_phase

    c = dict(CONFIG, **(config or {}))
    run = Run(model, Z0, "adagrad", lr=c["lr"])
    t0 = time.process_time()
    run.advance(steps)
    per = (time.process_time() - t0) / steps

    def best_of(f):
        times = []
        for _ in range(repeats):
            t = time.process_time()
            f()
            times.append(time.process_time() - t)
        return min(times)

    raw = np.zeros((model.T, model.d, model.d))
    exact = best_of(lambda: exact_gauge_step(run.Z))
    phase = best_of(lambda: goldstone_phase(run.Z, raw, model.coupling,
                                            model.coupling.laplacian_pinv, c["k2"]))
    return Costs(per, exact, phase, c["k1"])


def removable_coupling(model, Z):
    """``psi(Z) - psi(exact_gauge_step(Z))``: the part of psi held in Goldstone twists."""
    return model.coupling.value(Z) - model.coupling.value(exact_gauge_step(Z)[0])


def run_method(model, Z0, method, config=None, steps=None):
    """One run of ``method`` with the chapter's settings; returns a dict of arrays and timings."""
    c = dict(CONFIG, **(config or {}))
    steps = c["steps"] if steps is None else steps
    every = c["every"]
    excess = []
    snap = {}

    def probe(k, Z):
        if k % every == 0:
            excess.append(removable_coupling(model, Z))
        if k == c["snap"]:
            snap["Z"] = Z.copy()

    opts = dict(METHOD_OPTIONS[method])
    if method != "adagrad":
        opts.update(k1=c["k1"], k2=c["k2"])
    excess.append(removable_coupling(model, Z0))
    run = Run(model, Z0, method, lr=c["lr"], callback=probe, **opts)
    cpu0 = time.process_time()
    run.advance(steps)
    cpu = time.process_time() - cpu0
    res = run.result()
    return {"loss": res.loss, "psi": res.coupling_loss, "excess": np.array(excess),
            "Z": res.Z, "Z_snap": snap.get("Z", res.Z), "wall": float(res.time[-1]),
            "cpu": float(cpu),
            "gauge_time": float(res.gauge_time), "diverged": bool(res.diverged)}


def run_seed(seed, config=None, methods=tuple(METHOD_OPTIONS)):
    """All methods from the same data and initialisation; results as flat ``name -> array``."""
    c = dict(CONFIG, **(config or {}))
    data, model, Z0 = make_problem(seed, c)
    out = {}
    for m in methods:
        r = run_method(model, Z0, m, c)
        Z = r.pop("Z")
        Zs = r.pop("Z_snap")
        if m == "adagrad":
            out["adagrad_Z_snap"] = Zs
        out[f"{m}_alignment_snap"] = alignment(Zs)
        out[f"{m}_items_first_snap"] = Zs[0, :, c["n_users"]:]
        out[f"{m}_items_last_snap"] = Zs[-1, :, c["n_users"]:]
        out.update({f"{m}_{k}": np.asarray(v) for k, v in r.items()})
        out[f"{m}_test_ll"] = np.asarray(model.log_likelihood(Z, *data.test.as_args()))
        out[f"{m}_alignment"] = alignment(Z)
        out[f"{m}_items_first"] = Z[0, :, c["n_users"]:]
        out[f"{m}_items_last"] = Z[-1, :, c["n_users"]:]
    out["true_items_first"] = data.true_Z[0, :, c["n_users"]:]
    out["true_items_last"] = data.true_Z[-1, :, c["n_users"]:]
    out["true_alignment"] = alignment(data.true_Z)
    out["chance_ll"] = np.asarray(np.log(0.5))
    return out


def generate(seeds=SEEDS, config=None, methods=tuple(METHOD_OPTIONS)):
    """Run every seed; returns ``{"seed{s}_{key}": array}`` plus the configuration."""
    c = dict(CONFIG, **(config or {}))
    out = {f"config_{k}": np.asarray(v) for k, v in c.items()}
    out["seeds"] = np.asarray(seeds)
    for s in seeds:
        for k, v in run_seed(s, c, methods).items():
            if k == "adagrad_Z_snap" and s != seeds[0]:
                continue  # one full configuration is enough for the chapter's gauge-phase probe
            out[f"seed{s}_{k}"] = v
    return out


def save(results, path=DATA_PATH):
    """Write ``results`` (a dict of arrays) to ``path`` as a compressed ``.npz``."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.savez_compressed(path, **results)


def load(path=DATA_PATH):
    """The cached results as a plain dict of arrays."""
    with np.load(path) as f:
        return {k: f[k] for k in f.files}


def config_of(results):
    """The configuration stored with ``results`` (the ``config_*`` entries) as a dict."""
    return {k[len("config_"):]: results[k].item() for k in results if k.startswith("config_")}


def with_neighbour_lists(results, k=5):
    """``results`` with every item embedding replaced by its ``k`` nearest-neighbour list.

    For each method and for the ground truth, ``items_last`` and ``items_first`` (at the end and at
    iteration ``snap``) become ``nn`` / ``nn_snap``: for every item, the ``k`` first-step items
    nearest to its last-step embedding (:func:`gauge_core.experiments.nearest_items`). The full
    configuration kept for the gauge-phase probe is dropped; every curve is kept as it is. This
    keeps the large cache small while every number of the chapter stays computable from it.
    """
    out = {}
    for key, value in results.items():
        if key.endswith("_Z_snap") or "_items_" in key:
            continue
        out[key] = value
    for s in results["seeds"]:
        pre = f"seed{int(s)}_"
        for who in [m for m in METHOD_OPTIONS if pre + m + "_psi" in results] + ["true"]:
            for sfx in ("", "_snap"):
                last, first = pre + f"{who}_items_last{sfx}", pre + f"{who}_items_first{sfx}"
                if last in results:
                    nn = nearest_items(results[last], results[first], k)
                    out[pre + f"{who}_nn{sfx}"] = nn.astype(np.int16 if nn.max() < 2 ** 15 else int)
    return out


def generate_large(seeds=LARGE_SEEDS, config=None, k=5):
    """:func:`generate` with :data:`LARGE_CONFIG` (about 10 min of CPU per seed), then
    :func:`with_neighbour_lists`; the curves are kept at every iteration (``iterations``)."""
    c = dict(LARGE_CONFIG, **(config or {}))
    out = with_neighbour_lists(generate(seeds, c), k)
    out["iterations"] = np.arange(c["steps"] + 1)
    return out


# the derived numbers, importable from here too (``from gauge_core.experiments import realistic``)
from .realistic_summary import (comparability, comparability_table,  # noqa: E402
                                first_below, fit_table, floor_iteration, floor_table,
                                item_cosines, large_table, nearest_items, phase_share,
                                removable_efold, speedups, summarize, summarize_compact,
                                twist_table)
