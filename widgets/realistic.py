"""Chapter 08's panels: the cached sparse-factorisation runs, read without recomputing.

The experiment itself (generate, cache, summarise) is :mod:`gauge_core.experiments.realistic`; the
live race at a small size is :func:`widgets.race_panel` with ``model="ratings"``.
"""
from __future__ import annotations

import html

import numpy as np

from gauge_core.experiments import realistic as R

from . import controls as C
from .base import Panel, live_figure, positive, set_line
from .live import limits
from .style import OKABE_ITO, THEORY_COLOUR, method_colour

__all__ = ["realistic_panel", "large_runs_panel"]

QUANTITIES = [("coupling ψ − floor", "psi"), ("total loss − best", "loss"),
              ("gauge-removable part of ψ", "excess")]
YLABEL = {"psi": "|ψ − ψ*|", "loss": "|L − best final L|",
          "excess": "ψ − ψ(after exact gauge step)"}
SHORT = {"adagrad": "AdaGrad", "goldstone": "Goldstone-GD", "gauge": "exact step",
         "true": "ground truth"}
FLOOR = 1e-3  # the curves are drawn down to this (they are O(1)-O(1e3) above it)


def curve(results, seed, method, quantity, floor_psi, best_loss, every):
    """``(iterations, values)`` of one cached curve, from iteration 1 on (log axes)."""
    g = results[f"seed{seed}_{method}_{quantity}"]
    if quantity == "psi":
        y, x = g - floor_psi, np.arange(g.size)
    elif quantity == "loss":
        y, x = g - best_loss, np.arange(g.size)
    else:
        y, x = g, np.arange(g.size) * every
    keep = x >= 1
    return x[keep], positive(np.abs(y[keep]), floor=FLOOR)


class RealisticPanel(Panel):
    """Top left: the chosen curve for each method (log axes), with each method's floor iteration.
    Top right: histograms of the first-vs-last cosine of every embedding vector (P1 Fig. 4).
    Bottom: the chosen item's last-step embedding against every first-step item, per method: the
    five nearest are coloured, the item itself is ringed (P1 Table 2's "word aging")."""

    def __init__(self, results, seed=None, quantity="psi", item=0, at="snap"):
        self.results = results
        self.summary = R.summarize(results)
        self.seeds = seeds = [int(s) for s in results["seeds"]]
        self.cfg = cfg = R.config_of(results)
        self.methods = [m for m in R.METHOD_OPTIONS if f"seed{seeds[0]}_{m}_psi" in results]
        controls = {
            "seed": C.dropdown("seed", seeds, seeds[0] if seed is None else seed),
            "quantity": C.dropdown("curve", QUANTITIES, quantity),
            "item": C.int_slider("item to follow", item, 0, cfg["n_items"] - 1, width="320px"),
            "at": C.dropdown("embeddings at", [(f"iteration {cfg['snap']}", "snap"),
                                               (f"the end ({cfg['steps']:,})", "end")], at),
        }
        fig, _ = live_figure(9.6, 5.9, 0, 0)
        grid = fig.add_gridspec(2, 2, height_ratios=(1.25, 1.0), hspace=0.5, wspace=0.25,
                                left=0.13, right=0.98, top=0.88, bottom=0.09)
        self.ax_curve = fig.add_subplot(grid[0, 0])
        self.ax_hist = fig.add_subplot(grid[0, 1])
        self.ax_items = fig.add_subplot(grid[1, :])
        super().__init__("Sparse logistic factorisation on drifting ratings (cached runs)",
                         controls, fig)
        self._build_artists()
        self.refresh(changed="init")

    def _build_artists(self):
        track = self.live.track
        ax = self.ax_curve
        self.lines = {m: track(ax.plot([], [], color=method_colour(m), label=R.LABELS[m])[0])
                      for m in self.methods}
        self.marks = {m: track(ax.plot([], [], ":", lw=1, color=method_colour(m))[0])
                      for m in self.methods}
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("iteration")
        self.fig.legend(handles=list(self.lines.values()), loc="upper center", ncol=3,
                        fontsize="small", frameon=False, bbox_to_anchor=(0.5, 1.0))
        self.bins = np.linspace(-1, 1, 41)
        # step outlines drawn as lines (one artist per method; their data are visible to tests)
        self.bars = {m: track(self.ax_hist.plot([], [], color=method_colour(m), lw=1.5)[0])
                     for m in self.methods}
        self.ax_hist.set_xlabel("cos(z_first, z_last) per embedding vector")
        self.ax_hist.set_ylabel("count")
        self.ax_hist.set_xlim(-1, 1)
        ax = self.ax_items
        rows = self.methods + ["true"]
        n = self.cfg["n_items"]
        self.strips, self.rings = {}, {}
        for k, who in enumerate(rows):
            y = len(rows) - 1 - k
            self.strips[who] = track(ax.scatter(np.zeros(n), np.full(n, y), s=12, zorder=2))
            self.rings[who] = track(ax.scatter([0.0], [y], s=110, facecolors="none",
                                               edgecolors=THEORY_COLOUR, linewidths=1.6,
                                               zorder=3))
        ax.set_yticks(range(len(rows)), [SHORT[w] for w in reversed(rows)])
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_xlim(-1.05, 1.05)
        ax.set_xlabel("cosine between the item's last-step vector and each first-step item")
        self.rows = rows

    def update(self, changed=None):
        s = self.state
        seed, q = s["seed"], s["quantity"]
        row = self.summary[seed]
        g = lambda key: self.results[f"seed{seed}_{key}"]  # noqa: E731
        best_loss = min(float(g(f"{m}_loss")[-1]) for m in self.methods)
        top = 1.0
        for m in self.methods:
            x, y = curve(self.results, seed, m, q, row["floor"], best_loss, self.cfg["every"])
            set_line(self.lines[m], x, y)
            top = max(top, float(y.max()))
        self.ax_curve.set_xlim(1, self.cfg["steps"])
        self.ax_curve.set_ylim(*limits.decades(FLOOR, 2 * top))
        lo, hi = self.ax_curve.get_ylim()
        for m in self.methods:
            at = row[m]["floor_at"]
            shown = at is not None and q == "psi"
            self.marks[m].set_visible(shown)
            set_line(self.marks[m], [max(at or 1, 1)] * 2, [lo, hi])
        self.ax_curve.set_ylabel(YLABEL[q])
        self.ax_curve.set_title(f"seed {seed}: floor ψ* = {row['floor']:.5g}"
                                + (" (dotted: reached)" if q == "psi" else ""), fontsize="medium")
        sfx = "_snap" if s["at"] == "snap" else ""
        when = f"iteration {self.cfg['snap'] if sfx else self.cfg['steps']:,}"
        self.ax_hist.set_title(f"alignment across time at {when}", fontsize="medium")
        heights = [1]
        xs = np.concatenate([[self.bins[0]], np.repeat(self.bins, 2)[1:-1], [self.bins[-1]]])
        for m in self.methods:
            counts, _ = np.histogram(g(f"{m}_alignment{sfx}"), bins=self.bins)
            set_line(self.bars[m], xs, np.concatenate([[0], np.repeat(counts, 2), [0]]))
            heights.append(int(counts.max()))
        self.ax_hist.set_ylim(0, 1.1 * max(heights))
        self._items(seed, s["item"], sfx, when)
        self.live.invalidate()  # titles and labels follow the setting

    def _items(self, seed, item, sfx, when):
        cos = R.item_cosines(self.results, seed, item, sfx)
        self.ax_items.set_title(f"item {item} at t = T−1 against every item at t = 0 ({when}): "
                                "5 nearest coloured, the item itself ringed", fontsize="medium")
        self.nearest = {}
        for k, who in enumerate(self.rows):
            c = cos[who]
            y = len(self.rows) - 1 - k
            nearest = np.argsort(-c)[:5]
            self.nearest[who] = nearest
            colour = np.array(_rgba(THEORY_COLOUR if who == "true" else method_colour(who)))
            colours = np.tile(_rgba(OKABE_ITO["grey"], 0.35), (c.size, 1))
            colours[nearest] = colour
            sizes = np.full(c.size, 10.0)
            sizes[nearest] = 34.0
            self.strips[who].set_offsets(np.column_stack([c, np.full(c.size, y)]))
            self.strips[who].set_facecolor(colours)
            self.strips[who].set_edgecolor(colours)
            self.strips[who].set_sizes(sizes)
            self.rings[who].set_offsets([[c[item], y]])
        self._caption(seed, item, sfx, when)

    def _caption(self, seed, item, sfx, when):
        cfg, row = self.cfg, self.summary[self.state["seed"]]
        parts = []
        for m in self.methods:
            r = row[m]
            at = "not within 1 % by the end" if r["floor_at"] is None else f"{r['floor_at']:,}"
            nn = ", ".join(f"<u>{j}</u>" if j == item else str(j) for j in self.nearest[m])
            parts.append(f"<b>{html.escape(R.LABELS[m])}</b>: ψ within 1 % of the floor from "
                         f"iteration {at}; held-out log-likelihood {r['test_ll']:.4f}; median "
                         f"alignment at {when} {r['median_alignment' + sfx]:.2f}; nearest "
                         f"first-step items to item {item}: {nn}")
        truth = ", ".join(f"<u>{j}</u>" if j == item else str(j) for j in self.nearest["true"])
        self.set_caption(
            f"T = {cfg['T']}, {cfg['n_users']} users, {cfg['n_items']} items, d = {cfg['d']}, "
            f"λ = {cfg['lam']:g}, γ = {cfg['gamma']:g}, AdaGrad lr {cfg['lr']:g}, k₁ = "
            f"{cfg['k1']}, k₂ = {cfg['k2']}, seed {seed}.<br>" + "<br>".join(parts)
            + f"<br>Ground truth: {truth} (item {item} underlined where it finds itself).")


def _rgba(colour, alpha=1.0):
    from matplotlib.colors import to_rgba

    return to_rgba(colour, alpha)


class LargeRunsPanel(Panel):
    """The cached runs at 1,000 users and 1,000 items: one curve per method and seed (seed 0
    solid, seed 1 dashed), with the 1 % band of the floor."""

    def __init__(self, results, quantity="psi"):
        self.results = results
        self.summary = R.summarize(results)
        self.seeds = [int(s) for s in results["seeds"]]
        self.cfg = R.config_of(results)
        self.methods = [m for m in R.METHOD_OPTIONS if f"seed{self.seeds[0]}_{m}_psi" in results]
        controls = {"quantity": C.dropdown("curve", QUANTITIES, quantity)}
        fig, ax = live_figure(8.0, 3.6)
        fig.subplots_adjust(left=0.1, right=0.98, top=0.8, bottom=0.15)
        self.ax = ax
        super().__init__("1,000 users + 1,000 items (cached runs, two seeds)", controls, fig)
        styles = ("-", "--", ":")
        self.lines = {(s, m): self.live.track(ax.plot([], [], styles[k % 3], lw=1.4,
                                                      color=method_colour(m))[0])
                      for k, s in enumerate(self.seeds) for m in self.methods}
        self.band = self.live.track(ax.plot([], [], ":", color=OKABE_ITO["grey"], lw=1)[0])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("iteration")
        handles = [self.lines[self.seeds[0], m] for m in self.methods]
        for m, h in zip(self.methods, handles):
            h.set_label(R.LABELS[m])
        fig.legend(handles=handles, loc="upper center", ncol=3, fontsize="small", frameon=False,
                   bbox_to_anchor=(0.5, 1.0))
        self.refresh(changed="init")

    def update(self, changed=None):
        q = self.state["quantity"]
        top = 1.0
        for (s, m), line in self.lines.items():
            row = self.summary[s]
            best = min(float(self.results[f"seed{s}_{k}_loss"][-1]) for k in self.methods)
            x, y = curve(self.results, s, m, q, row["floor"], best, self.cfg["every"])
            set_line(line, x, y)
            top = max(top, float(y.max()))
        band = 0.01 * self.summary[self.seeds[0]]["floor"]
        self.band.set_visible(q == "psi")
        set_line(self.band, [1, self.cfg["steps"]], [band, band])
        self.ax.set_xlim(1, self.cfg["steps"])
        self.ax.set_ylim(*limits.decades(FLOOR, 2 * top))
        self.ax.set_ylabel(YLABEL[q])
        seeds = ", ".join(f"seed {s} {'solid' if k == 0 else 'dashed'}"
                          for k, s in enumerate(self.seeds))
        self.ax.set_title(f"{seeds}" + ("; grey dotted: 1 % of the floor" if q == "psi" else ""),
                          fontsize="medium")
        self.live.invalidate()
        rows = self.summary
        parts = []
        for m in self.methods:
            ats = [rows[s][m]["floor_at"] for s in self.seeds]
            parts.append(f"{html.escape(R.LABELS[m])}: ψ within 1 % of its floor from iteration "
                         + " and ".join("never" if a is None else f"{a:,}" for a in ats))
        self.set_caption(f"T = {self.cfg['T']}, {self.cfg['n_users']:,} users, "
                         f"{self.cfg['n_items']:,} items, d = {self.cfg['d']}, "
                         f"{self.cfg['steps']:,} iterations, seeds {self.seeds}. "
                         + "; ".join(parts) + ".")


def realistic_panel(results=None, **kwargs):
    """Chapter 08's panel: the cached sparse-factorisation runs, read without recomputing.

    Parameters
    ----------
    results : dict, optional
        Output of :func:`gauge_core.experiments.realistic.generate` (default: the cache in
        ``book/data/realistic.npz``).
    seed, quantity, item, at
        Initial (and Reset) values of the controls: which seed, which curve (``"psi"``,
        ``"loss"`` or ``"excess"``), which item to follow across time, and whether the
        embeddings are shown at iteration ``snap`` or at the end.

    Returns
    -------
    RealisticPanel
    """
    return RealisticPanel(R.load() if results is None else results, **kwargs)


def large_runs_panel(results=None, quantity="psi"):
    """Chapter 08's large-size result: the cached runs at 1,000 users and 1,000 items.

    Parameters
    ----------
    results : dict, optional
        Output of :func:`gauge_core.experiments.realistic.generate_large` (default: the cache in
        ``book/data/realistic_large.npz``).
    quantity : {"psi", "loss", "excess"}
        Initial (and Reset) curve.

    Returns
    -------
    LargeRunsPanel
    """
    return LargeRunsPanel(R.load(R.LARGE_PATH) if results is None else results, quantity)
