"""Chapter 08: the sparse logistic dynamic factorisation (P1 §5.2 analogue) on drifting ratings.

The experiment is too slow to run in a notebook cell (thousands of AdaGrad iterations per method),
so :func:`generate` runs it once for several seeds and :func:`save` caches the curves in
``book/data/realistic.npz``; the notebook and :func:`realistic_panel` read the cache, and
``tests/test_realistic_claims.py`` regenerates it and compares. :func:`generate_large` runs the same
experiment at 1000 users + 1000 items (:data:`LARGE_CONFIG`, ~10 min of CPU per seed) and keeps a
:func:`compact` copy in ``book/data/realistic_large.npz`` (the test reruns its first 200
iterations). Everything here except the panel is plain numpy on top of ``gauge_core``.

Definitions used in the chapter
-------------------------------
floor
    ``psi* = min over methods of psi_m(S)``, the best final coupling of the compared runs.
reaches its floor
    the first iteration ``k`` after which ``psi_m`` stays within ``tol = 1 %`` of ``psi*`` until the
    end of the run (``None`` if it is not within the band at the end).
gauge-removable part of psi
    ``psi(Z) - psi(exact_gauge_step(Z))``: the coupling that a rotation of each time step could
    remove, i.e. the energy stored in Goldstone twists (the exact step is optimal on a chain).
"""
from __future__ import annotations

import os
import time

import numpy as np

import gauge_core as gc

__all__ = ["realistic_panel", "CONFIG", "METHOD_OPTIONS", "LABELS", "make_problem", "run_method",
           "run_seed", "generate", "save", "load", "floor_iteration", "summarize",
           "nearest_items", "DATA_PATH", "LARGE_CONFIG", "LARGE_PATH", "generate_large",
           "compact", "summarize_compact"]

DATA_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "book",
                         "data", "realistic.npz")

#: the set-up of the cached experiment (P1 §5.2 hyper-parameters; sizes chosen for run time)
CONFIG = dict(T=50, n_users=50, n_items=50, d=10, ratings_per_step=1000, drift=0.05, signal=3.0,
              test_fraction=0.3, lam=10.0, gamma=1.0, lr=1.0, k1=100, k2=10, init_scale=1.0,
              steps=2000, every=25, snap=400)
SEEDS = (0, 1, 2)
#: the same experiment at a thousand users and a thousand items (chapter 08's last section): same
#: hyper-parameters and the same 14 training ratings per user and per item per step, 3000 iterations
LARGE_CONFIG = dict(CONFIG, n_users=1000, n_items=1000, ratings_per_step=20000, steps=3000)
LARGE_SEEDS = (0,)
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
    data = gc.drifting_ratings(c["T"], c["n_users"], c["n_items"], d=c["d"],
                               ratings_per_step=c["ratings_per_step"], drift=c["drift"],
                               signal=c["signal"], test_fraction=c["test_fraction"], rng=seed)
    model = gc.SparseLogisticFactorization(*data.train.as_args(), T=c["T"], n_users=c["n_users"],
                                           n_items=c["n_items"], d=c["d"], lam=c["lam"],
                                           gamma=c["gamma"])
    Z0 = model.random_init(np.random.default_rng(1000 + seed), scale=c["init_scale"])
    return data, model, Z0


def removable_coupling(model, Z):
    """``psi(Z) - psi(exact_gauge_step(Z))``: the part of psi held in Goldstone twists."""
    return model.coupling.value(Z) - model.coupling.value(gc.exact_gauge_step(Z)[0])


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
    run = gc.Run(model, Z0, method, lr=c["lr"], callback=probe, **opts)
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
        out[f"{m}_alignment_snap"] = gc.alignment(Zs)
        out[f"{m}_items_first_snap"] = Zs[0, :, c["n_users"]:]
        out[f"{m}_items_last_snap"] = Zs[-1, :, c["n_users"]:]
        out.update({f"{m}_{k}": np.asarray(v) for k, v in r.items()})
        out[f"{m}_test_ll"] = np.asarray(model.log_likelihood(Z, *data.test.as_args()))
        out[f"{m}_alignment"] = gc.alignment(Z)
        out[f"{m}_items_first"] = Z[0, :, c["n_users"]:]
        out[f"{m}_items_last"] = Z[-1, :, c["n_users"]:]
    out["true_items_first"] = data.true_Z[0, :, c["n_users"]:]
    out["true_items_last"] = data.true_Z[-1, :, c["n_users"]:]
    out["true_alignment"] = gc.alignment(data.true_Z)
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
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.savez_compressed(path, **results)


def load(path=DATA_PATH):
    """The cached results as a plain dict of arrays."""
    with np.load(path) as f:
        return {k: f[k] for k in f.files}


def config_of(results):
    return {k[len("config_"):]: results[k].item() for k in results if k.startswith("config_")}


def floor_iteration(psi, floor, tol=0.01):
    """First iteration after which ``psi`` stays within ``tol * floor`` of ``floor`` (or None)."""
    psi = np.asarray(psi, dtype=float)
    outside = np.nonzero(np.abs(psi - floor) > tol * abs(floor))[0]
    if outside.size == 0:
        return 0
    k = int(outside[-1]) + 1
    return k if k < psi.size else None


def first_below(values, threshold, every=1):
    """First (sampled) iteration at which ``values`` drops to ``threshold`` and stays there."""
    values = np.asarray(values, dtype=float)
    above = np.nonzero(values > threshold)[0]
    if above.size == 0:
        return 0
    k = int(above[-1]) + 1
    return k * every if k < values.size else None


def log_iterations(steps, points=400):
    """At most ``points`` iterations in ``[0, steps]``: every one of the first ~50, then
    log-spaced, plus a linear grid so that the tail is not sparse either."""
    grid = np.round(np.logspace(0, np.log10(steps), points // 2)).astype(int)
    lin = np.round(np.linspace(0, steps, points // 2)).astype(int)
    return np.unique(np.concatenate([[0], grid, lin, [steps]]))


def compact(results, points=400):
    """A small copy of :func:`generate`'s output for the large run (the cache stays < 500 KB).

    The ``psi`` and ``loss`` curves are kept at :func:`log_iterations` only (``iterations``), the
    gauge-removable part of ``psi`` as it is (every ``every`` iterations), and every number of
    :func:`summarize` (computed on the full curves) as ``seed{s}_{method}_{name}``
    (``floor_at = -1`` for "not within the band at the end"); embeddings are dropped.
    """
    c = config_of(results)
    idx = log_iterations(c["steps"], points)
    out = {k: v for k, v in results.items() if k.startswith("config_") or k == "seeds"}
    out["iterations"] = idx
    for s, row in summarize(results).items():
        out[f"seed{s}_floor"] = np.asarray(row["floor"])
        out[f"seed{s}_true_median_alignment"] = np.asarray(row["true_median_alignment"])
        for m in METHOD_OPTIONS:
            if m not in row:
                continue
            for q in ("psi", "loss"):
                out[f"seed{s}_{m}_{q}"] = results[f"seed{s}_{m}_{q}"][idx]
            out[f"seed{s}_{m}_excess"] = results[f"seed{s}_{m}_excess"]
            for k, v in row[m].items():
                out[f"seed{s}_{m}_{k}"] = np.asarray(-1 if v is None else v)
    return out


def summarize_compact(results):
    """:func:`summarize`'s rows read back from a :func:`compact` cache."""
    rows = {}
    for s in results["seeds"]:
        s = int(s)
        row = {"floor": float(results[f"seed{s}_floor"]),
               "true_median_alignment": float(results[f"seed{s}_true_median_alignment"])}
        for m in METHOD_OPTIONS:
            pre = f"seed{s}_{m}_"
            names = [k[len(pre):] for k in results if k.startswith(pre)]
            if not names:
                continue
            row[m] = {k: float(results[pre + k]) for k in names
                      if k not in ("psi", "loss", "excess")}
            row[m]["floor_at"] = None if row[m]["floor_at"] < 0 else int(row[m]["floor_at"])
        rows[s] = row
    return rows


def generate_large(seeds=LARGE_SEEDS, config=None, points=400):
    """:func:`generate` with :data:`LARGE_CONFIG`, then :func:`compact` (about 10 min of CPU per seed)."""
    return compact(generate(seeds, dict(LARGE_CONFIG, **(config or {}))), points)


def nearest_items(query, pool, k=5):
    """Indices of the ``k`` columns of ``pool`` with the largest cosine to each column of ``query``."""
    q = query / np.maximum(np.linalg.norm(query, axis=0), 1e-300)
    p = pool / np.maximum(np.linalg.norm(pool, axis=0), 1e-300)
    return np.argsort(-(q.T @ p), axis=1)[:, :k]


def summarize(results, tol=0.01, k=5):
    """Per-seed numbers the chapter reports (floors, factors, losses, alignment, neighbours)."""
    c = config_of(results)
    methods = [m for m in METHOD_OPTIONS if f"seed{int(results['seeds'][0])}_{m}_psi" in results]
    rows = {}
    for s in results["seeds"]:
        s = int(s)
        g = lambda key: results[f"seed{s}_{key}"]  # noqa: E731
        floor = min(float(g(f"{m}_psi")[-1]) for m in methods)
        row = {"floor": floor, "true_median_alignment": float(np.median(g("true_alignment")))}
        true_nn = nearest_items(g("true_items_last"), g("true_items_first"), k)
        for m in methods:
            psi = g(f"{m}_psi")
            nn = nearest_items(g(f"{m}_items_last"), g(f"{m}_items_first"), k)
            nn_snap = nearest_items(g(f"{m}_items_last_snap"), g(f"{m}_items_first_snap"), k)
            n_items = nn.shape[0]
            row[m] = {
                "median_alignment_snap": float(np.median(g(f"{m}_alignment_snap"))),
                "self_in_top_snap": float(np.mean([j in nn_snap[j] for j in range(n_items)])),
                "true_nn_overlap_snap": float(np.mean([len(set(nn_snap[j]) & set(true_nn[j])) / k
                                                       for j in range(n_items)])),
                "floor_at": floor_iteration(psi, floor, tol),
                "final_psi": float(psi[-1]),
                "final_loss": float(g(f"{m}_loss")[-1]),
                "test_ll": float(g(f"{m}_test_ll")),
                "median_alignment": float(np.median(g(f"{m}_alignment"))),
                "excess_final": float(g(f"{m}_excess")[-1]),
                "excess_below_tol_at": first_below(g(f"{m}_excess"), tol * floor, c["every"]),
                "self_in_top": float(np.mean([j in nn[j] for j in range(n_items)])),
                "true_nn_overlap": float(np.mean([len(set(nn[j]) & set(true_nn[j])) / k
                                                  for j in range(n_items)])),
                "cpu": float(g(f"{m}_cpu")), "wall": float(g(f"{m}_wall")),
                "gauge_time": float(g(f"{m}_gauge_time")),
            }
        rows[s] = row
    return rows


# --- the panel -------------------------------------------------------------------------------
def _panel_imports():
    from . import controls as C
    from .base import Panel, autoscale, make_figure, positive, set_line
    from .style import OKABE_ITO, method_colour, method_label
    return C, Panel, autoscale, make_figure, positive, set_line, OKABE_ITO, method_colour, method_label


def realistic_panel(results=None, **kwargs):
    """Chapter 08's panel: the cached sparse-factorisation runs, read without recomputing.

    Parameters
    ----------
    results : dict, optional
        Output of :func:`generate` (default: the cache in ``book/data/realistic.npz``).
    seed, quantity, item
        Initial (and Reset) values of the controls: which seed, which curve (``"psi"``,
        ``"loss"`` or ``"excess"``) and which item's nearest neighbours to list.

    Returns
    -------
    Panel
    """
    C, Panel, autoscale, make_figure, positive, set_line, OKABE_ITO, method_colour, method_label = \
        _panel_imports()
    import html

    results = load() if results is None else results
    summary = summarize(results)
    seeds = [int(s) for s in results["seeds"]]
    cfg = config_of(results)
    methods = [m for m in METHOD_OPTIONS if f"seed{seeds[0]}_{m}_psi" in results]

    class RealisticPanel(Panel):
        """Left: the chosen curve for each method (log axes), with each method's floor iteration.
        Right: histograms of the first-vs-last cosine of every embedding vector (P1 Fig. 4)."""

        def __init__(self, seed=seeds[0], quantity="psi", item=0, at="snap"):
            controls = {
                "seed": C.dropdown("seed", seeds, seed),
                "quantity": C.dropdown("curve", [("coupling ψ − floor", "psi"),
                                                 ("total loss − best", "loss"),
                                                 ("gauge-removable part of ψ", "excess")],
                                       quantity),
                "item": C.int_slider("item", item, 0, cfg["n_items"] - 1),
                "at": C.dropdown("embeddings at", [(f"iteration {cfg['snap']}", "snap"),
                                                   (f"the end ({cfg['steps']})", "end")], at),
            }
            fig, axes = make_figure(10.0, 3.8, 1, 2)
            fig.subplots_adjust(wspace=0.28, left=0.08, right=0.97, top=0.88, bottom=0.15)
            self.ax_curve, self.ax_hist = axes
            super().__init__("Sparse logistic factorisation on drifting ratings (cached runs)",
                             controls, fig)
            self.lines = {m: self.ax_curve.plot([], [], color=method_colour(m),
                                                label=LABELS[m])[0] for m in methods}
            self.marks = {m: self.ax_curve.axvline(1, color=method_colour(m), lw=0.8, ls=":")
                          for m in methods}
            self.ax_curve.set_xscale("log")
            self.ax_curve.set_yscale("log")
            self.ax_curve.set_xlabel("iteration")
            self.ax_curve.legend(loc="lower left", fontsize="small")
            bins = np.linspace(-1, 1, 41)
            self.bins = bins
            # step outlines drawn as lines (their data is visible to the tests, unlike patches)
            self.bars = {m: self.ax_hist.plot([], [], color=method_colour(m), lw=1.5)[0]
                         for m in methods}
            self.ax_hist.set_xlabel("cos(z_first, z_last) per embedding vector")
            self.ax_hist.set_ylabel("count")
            self.refresh(changed="init")

        def update(self, changed=None):
            s = self.state
            seed, q = s["seed"], s["quantity"]
            g = lambda key: results[f"seed{seed}_{key}"]  # noqa: E731
            row = summary[seed]
            every = cfg["every"]
            best_loss = min(float(g(f"{m}_loss")[-1]) for m in methods)
            top = 1.0
            for m in methods:
                if q == "psi":
                    y = g(f"{m}_psi") - row["floor"]
                    x = np.arange(y.size)
                elif q == "loss":
                    y = g(f"{m}_loss") - best_loss
                    x = np.arange(y.size)
                else:
                    y = g(f"{m}_excess")
                    x = np.arange(y.size) * every
                keep = x >= 1
                yy = positive(np.abs(y[keep]), floor=1e-6)
                set_line(self.lines[m], x[keep], yy)
                top = max(top, float(yy.max()))
                at = row[m]["floor_at"]
                self.marks[m].set_visible(at is not None and q == "psi")
                if at is not None:
                    self.marks[m].set_xdata([max(at, 1), max(at, 1)])
            self.ax_curve.set_xlim(1, cfg["steps"])
            self.ax_curve.set_ylim(1e-3, top * 2)
            self.ax_curve.set_ylabel({"psi": "|ψ − ψ*|", "loss": "|L − best final L|",
                                      "excess": "ψ − ψ(after exact gauge step)"}[q])
            self.ax_curve.set_title(f"seed {seed}: floor ψ* = {row['floor']:.5g}")
            heights = []
            sfx = "_snap" if s["at"] == "snap" else ""
            when = f"iteration {cfg['snap']}" if sfx else f"iteration {cfg['steps']}"
            self.ax_hist.set_title(f"alignment across time at {when} (P1 Fig. 4)")
            for m in methods:
                counts, _ = np.histogram(g(f"{m}_alignment{sfx}"), bins=self.bins)
                xs = np.repeat(self.bins, 2)[1:-1]
                ys = np.repeat(counts, 2)
                set_line(self.bars[m], np.concatenate([[xs[0]], xs, [xs[-1]]]),
                         np.concatenate([[0], ys, [0]]))
                heights.append(counts.max())
            self.ax_hist.set_xlim(-1, 1)
            self.ax_hist.set_ylim(0, 1.1 * max(max(heights), 1))
            self._caption(seed, s["item"], row, g, sfx, when)

        def _caption(self, seed, item, row, g, sfx, when):
            parts = []
            for m in methods:
                r = row[m]
                at = "not within 1 % by the end" if r["floor_at"] is None else f"{r['floor_at']:,}"
                nn = nearest_items(g(f"{m}_items_last{sfx}")[:, [item]],
                                   g(f"{m}_items_first{sfx}"))[0]
                parts.append(f"<b>{html.escape(LABELS[m])}</b>: ψ within 1 % of the floor "
                             f"from iteration {at}; held-out log-likelihood {r['test_ll']:.4f}; "
                             f"median alignment at {when} {r['median_alignment' + sfx]:.2f}; "
                             f"nearest first-step items to item {item}'s last-step vector: "
                             f"{', '.join(('<u>%d</u>' % j) if j == item else str(j) for j in nn)}")
            true_nn = nearest_items(g("true_items_last")[:, [item]], g("true_items_first"))[0]
            self.set_caption(
                f"T = {cfg['T']}, {cfg['n_users']} users, {cfg['n_items']} items, d = {cfg['d']}, "
                f"λ = {cfg['lam']:g}, γ = {cfg['gamma']:g}, AdaGrad lr {cfg['lr']:g}, k₁ = "
                f"{cfg['k1']}, k₂ = {cfg['k2']}, seed {seed}. " + "<br>".join(parts)
                + f"<br>Ground truth: {', '.join(map(str, true_nn))} (item {item} underlined "
                "where it finds itself).")

    return RealisticPanel(**kwargs)
