"""Chapter 08's panel: the cached sparse-factorisation runs, read without recomputing.

The experiment itself (generate, cache, summarise) is :mod:`gauge_core.experiments.realistic` and
:mod:`gauge_core.experiments.realistic_summary`; the names below are re-exported for the chapter's
tests.
"""
from __future__ import annotations

import html

import numpy as np

from gauge_core.experiments.realistic import (CONFIG, DATA_PATH, LABELS, LARGE_CONFIG,
                                              LARGE_PATH, LARGE_SEEDS, METHOD_OPTIONS, SEEDS,
                                              config_of, generate, generate_large, load,
                                              make_problem, removable_coupling, run_method,
                                              run_seed, save, with_neighbour_lists)
from gauge_core.experiments.realistic_summary import (first_below, floor_iteration,
                                                      nearest_items, summarize,
                                                      summarize_compact)

from . import controls as C
from .base import Panel, make_figure, positive, set_line
from .style import method_colour

__all__ = ["realistic_panel", "CONFIG", "METHOD_OPTIONS", "LABELS", "make_problem", "run_method",
           "run_seed", "generate", "save", "load", "floor_iteration", "summarize",
           "nearest_items", "DATA_PATH", "LARGE_CONFIG", "LARGE_PATH", "LARGE_SEEDS",
           "generate_large", "with_neighbour_lists", "summarize_compact", "config_of",
           "removable_coupling", "first_below", "SEEDS"]


class RealisticPanel(Panel):
    """Left: the chosen curve for each method (log axes), with each method's floor iteration.
    Right: histograms of the first-vs-last cosine of every embedding vector (P1 Fig. 4)."""

    def __init__(self, results, seed=None, quantity="psi", item=0, at="snap"):
        self.results = results
        self.summary = summarize(results)
        self.seeds = seeds = [int(s) for s in results["seeds"]]
        self.cfg = cfg = config_of(results)
        self.methods = methods = [m for m in METHOD_OPTIONS
                                  if f"seed{seeds[0]}_{m}_psi" in results]
        seed = seeds[0] if seed is None else seed
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
        g = lambda key: self.results[f"seed{seed}_{key}"]  # noqa: E731
        row = self.summary[seed]
        every = self.cfg["every"]
        best_loss = min(float(g(f"{m}_loss")[-1]) for m in self.methods)
        top = 1.0
        for m in self.methods:
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
        self.ax_curve.set_xlim(1, self.cfg["steps"])
        self.ax_curve.set_ylim(1e-3, top * 2)
        self.ax_curve.set_ylabel({"psi": "|ψ − ψ*|", "loss": "|L − best final L|",
                                  "excess": "ψ − ψ(after exact gauge step)"}[q])
        self.ax_curve.set_title(f"seed {seed}: floor ψ* = {row['floor']:.5g}")
        heights = []
        sfx = "_snap" if s["at"] == "snap" else ""
        when = f"iteration {self.cfg['snap']}" if sfx else f"iteration {self.cfg['steps']}"
        self.ax_hist.set_title(f"alignment across time at {when} (P1 Fig. 4)")
        for m in self.methods:
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
        cfg = self.cfg
        parts = []
        for m in self.methods:
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


def realistic_panel(results=None, **kwargs):
    """Chapter 08's panel: the cached sparse-factorisation runs, read without recomputing.

    Parameters
    ----------
    results : dict, optional
        Output of :func:`gauge_core.experiments.realistic.generate` (default: the cache in
        ``book/data/realistic.npz``).
    seed, quantity, item, at
        Initial (and Reset) values of the controls: which seed, which curve (``"psi"``,
        ``"loss"`` or ``"excess"``), which item's nearest neighbours to list, and whether the
        embeddings are shown at iteration ``snap`` or at the end.

    Returns
    -------
    RealisticPanel
    """
    return RealisticPanel(load() if results is None else results, **kwargs)
