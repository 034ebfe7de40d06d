"""Chapter 09's results panel: the cached real-data runs (SOTU words, MovieLens ratings).

P1 Fig. 3 on real data (psi and the total loss against iteration, with the iteration at which
each method reaches the psi floor), the held-out log-likelihood, the share of psi held in
Goldstone twists, and the alignment histogram of P1 Fig. 4. Everything is read from
:mod:`gauge_core.experiments.real_data` (the caches); nothing is recomputed here. The word panels
are in :mod:`widgets.real_data_words`; the live race is :func:`widgets.race_panel` with
``model="sotu"`` or ``"movielens"``.
"""
from __future__ import annotations

import html

import ipywidgets as W
import numpy as np
from matplotlib.lines import Line2D

from gauge_core.experiments import real_data as RD

from . import controls as C
from .base import Panel, live_figure, positive, set_line
from .live import limits
from .style import OKABE_ITO, method_colour, method_label

__all__ = ["real_data_panel", "method_names", "load_result"]

DATASETS = [("SOTU word embeddings", "sotu"), ("MovieLens ratings", "movielens")]
ITEM_NAME = {"sotu": "words", "movielens": "movies"}
BANDS = [("0.1 %", 0.001), ("0.2 %", 0.002), ("0.5 %", 0.005), ("1 %", 0.01), ("2 %", 0.02),
         ("5 %", 0.05)]
SHARE_FLOOR = 1e-2  # twist share in %: below 0.01 % of psi it is drawn on the floor
LL_FROM = 100  # the held-out axis holds the curves from this iteration on
GAP_FLOOR = 1e-6  # gaps are drawn down to this fraction of the floor psi* (or of the best loss)


def load_result(dataset, results=None):
    """The cached result of ``dataset`` (from ``results`` if given there)."""
    if results is not None and dataset in results:
        return results[dataset]
    return RD.load(dataset)


def method_names(result):
    """``{method: display name}``: the baseline's own name, and the gauge methods with the
    baseline as their inner optimiser."""
    base = method_label(result.baseline)
    names = {result.baseline: base}
    for m in result.methods[1:]:
        names[m] = f"{base} + {'Goldstone-GD' if m == 'goldstone' else 'exact gauge step'}"
    return names


class RealDataPanel(Panel):
    """Top: psi - psi*, the total loss above the best final loss, the held-out log-likelihood,
    each against iteration (dotted: where psi enters the floor band for good). Bottom: the
    histogram of cos(u_first, u_last) per item at two iterations (the slider swaps them in the
    browser), and the share of psi a rotation of each time step could remove (the twist)."""

    def __init__(self, dataset="sotu", seed=0, band=0.01, at="snap", present_only=True,
                 results=None):
        self.results = dict(results or {})
        first = self._result(dataset)
        self.when = {"snap": first.snap, "end": first.steps}
        controls = {
            "dataset": C.dropdown("data", DATASETS, dataset),
            "seed": C.dropdown("seed", list(first.seeds), seed, width="120px"),
            "band": C.selection_slider("floor band", BANDS, band),
            "at": C.selection_slider("alignment at iteration",
                                     [(f"{first.snap:,}", "snap"), (f"{first.steps:,}", "end")],
                                     at),
            "items": C.dropdown("items", [("with data at both ends", True), ("all", False)],
                                present_only),
        }
        fig, _ = live_figure(9.6, 5.9, 0, 0)
        grid = fig.add_gridspec(2, 1, height_ratios=(1.0, 1.0), hspace=0.55, left=0.08,
                                right=0.96, top=0.86, bottom=0.09)
        top = grid[0].subgridspec(1, 3, wspace=0.5)
        bottom = grid[1].subgridspec(1, 2, wspace=0.25, width_ratios=(1.35, 1.0))
        self.ax_psi, self.ax_loss, self.ax_ll = (fig.add_subplot(top[0, k]) for k in range(3))
        self.ax_hist, self.ax_twist = (fig.add_subplot(bottom[0, k]) for k in range(2))
        super().__init__("Real data: the cached runs (P1 Fig. 3 and Fig. 4)", controls, fig)
        self._build_artists()
        W.jslink((self.controls["at"], "index"), (self.live, "frame_index"))
        self.refresh(changed="init")

    def _result(self, dataset):
        if dataset not in self.results:
            self.results[dataset] = load_result(dataset)
        return self.results[dataset]

    # --- figure -----------------------------------------------------------------------------
    def _build_artists(self):
        track = self.live.track
        self.lines = {}
        for key, ax in (("psi", self.ax_psi), ("loss", self.ax_loss), ("ll", self.ax_ll),
                        ("hist", self.ax_hist), ("twist", self.ax_twist)):
            self.lines[key] = [track(ax.plot([], [], lw=1.5)[0]) for _ in range(3)]
        self.marks = [track(self.ax_psi.plot([], [], ":", lw=1.2)[0]) for _ in range(3)]
        self.band_line = track(self.ax_psi.plot([], [], "--", lw=1, color=OKABE_ITO["grey"])[0])
        self.at_line = track(self.ax_twist.plot([], [], ":", lw=1.2,
                                                color=OKABE_ITO["black"])[0])
        for ax, title in ((self.ax_psi, "coupling ψ − floor ψ*"),
                          (self.ax_loss, "loss L − best final L"),
                          (self.ax_ll, "held-out log-likelihood")):
            ax.set_title(title, fontsize="medium")
            ax.set_xlabel("iteration")
            ax.locator_params(axis="x", nbins=4)
        self.ax_psi.set_yscale("log")
        self.ax_loss.set_yscale("log")
        self.ax_ll.set_ylabel("nats per entry")
        self.ax_hist.set_xlim(-1, 1)
        self.ax_hist.set_xticks([-1, -0.5, 0, 0.5, 1])
        self.ax_hist.set_xlabel("cos(u_first, u_last) per item")
        self.ax_hist.set_ylabel("count")
        self.ax_twist.set_yscale("log")
        self.ax_twist.set_xlabel("iteration")
        self.ax_twist.set_ylabel("% of ψ")
        self.ax_twist.set_title("twist: ψ a gauge step removes", fontsize="medium")
        self.ax_twist.locator_params(axis="x", nbins=4)
        self.bins = np.linspace(-1, 1, 41)

    def _legend(self, r):
        for lg in list(self.fig.legends):
            lg.remove()
        names = method_names(r)
        handles = [Line2D([], [], color=method_colour(m), lw=2) for m in r.methods]
        handles.append(Line2D([], [], ls="--", lw=1, color=OKABE_ITO["grey"]))
        self.fig.legend(handles, [names[m] for m in r.methods] + ["floor band"],
                        loc="upper center", ncol=4, fontsize="small", frameon=False,
                        bbox_to_anchor=(0.5, 0.995))

    # --- a new setting ----------------------------------------------------------------------
    def update(self, changed=None):
        s = self.state
        r = self._result(s["dataset"])
        if s["seed"] not in r.seeds:
            raise ValueError(f"the {s['dataset']} cache has seeds {list(r.seeds)}")
        self.r = r
        if changed not in ("band", "at"):  # those two move lines only: no new background
            self._curves(r, s["seed"])
            self._histograms(r, s["seed"], s["items"])
            self._legend(r)
            self.live.invalidate()  # titles and the legend follow the data set
        self._floor_marks(r, s["seed"], s["band"])
        self._show_at()
        self._caption()

    def _curves(self, r, seed):
        x = np.arange(r.steps + 1, dtype=float)
        cps = np.asarray(r.checkpoints, dtype=float)
        floor = {"psi": GAP_FLOOR * r.floor(seed), "loss": GAP_FLOOR * r.best_final_loss(seed)}
        tops = {"psi": 0.0, "loss": 0.0}
        lls, shares = [], []
        for k, m in enumerate(r.methods):
            colour = method_colour(m)
            for key, y in (("psi", r.psi_gap(m, seed)), ("loss", r.loss_gap(m, seed))):
                shown = positive(y, floor=floor[key])
                line = self.lines[key][k]
                line.set_color(colour)
                set_line(line, x, shown)
                tops[key] = max(tops[key], float(shown.max()))
            ll = np.asarray(r.heldout_ll[(seed, m)], dtype=float)
            self.lines["ll"][k].set_color(colour)
            set_line(self.lines["ll"][k], cps, ll)
            lls.append(ll[cps >= LL_FROM] if np.any(cps >= LL_FROM) else ll)
            share = positive(100 * r.twist_shares(m, seed), floor=SHARE_FLOOR)
            self.lines["twist"][k].set_color(colour)
            set_line(self.lines["twist"][k], cps, share)
            shares.append(share)
            self.marks[k].set_color(colour)
        for ax in (self.ax_psi, self.ax_loss, self.ax_ll, self.ax_twist):
            ax.set_xlim(0, r.steps)
        self.ax_psi.set_ylim(*limits.decades(floor["psi"], 2 * tops["psi"]))
        self.ax_loss.set_ylim(*limits.decades(floor["loss"], 2 * tops["loss"]))
        # the random start is far below: the axis shows the last stretch, where methods could differ
        self.ax_ll.set_ylim(*limits.padded(*limits.data_range(*lls)))
        self.ax_twist.set_ylim(*limits.decades(SHARE_FLOOR, 2 * max(float(np.max(shares)), 1.0)))

    def _histograms(self, r, seed, present_only):
        xs = np.concatenate([[self.bins[0]], np.repeat(self.bins, 2)[1:-1], [self.bins[-1]]])
        top = 1
        self.hist_rows = {}
        for k, m in enumerate(r.methods):
            rows = []
            for at in ("snap", "end"):
                counts, _ = r.alignment_histogram(m, seed, at, bins=self.bins,
                                                  present_only=present_only)
                rows.append(np.concatenate([[0], np.repeat(counts, 2), [0]]))
                top = max(top, int(counts.max()))
            line = self.lines["hist"][k]
            line.set_color(method_colour(m))
            self.live.stack(line, y=np.array(rows))  # the "at" slider picks the row in the browser
            self.hist_rows[k] = (xs, rows)
        self.ax_hist.set_ylim(0, 1.1 * top)
        n = r.n_present if present_only else r.n_items
        self.ax_hist.set_title(f"alignment of {n:,} {ITEM_NAME[r.dataset]}, "
                               f"{r.labels[r.align_periods[0]]} vs "
                               f"{r.labels[r.align_periods[1]]}", fontsize="medium")
        lo, hi = self.ax_twist.get_ylim()
        self.live.stack(self.at_line, x=np.array([[r.snap, r.snap], [r.steps, r.steps]]))
        self.at_y = (lo, hi)

    def _show_at(self):
        """The artists' own data follow the "at" slider too (for savefig and tests); the browser
        already shows the row it picked."""
        row = 0 if self.state["at"] == "snap" else 1
        for k, (xs, rows) in self.hist_rows.items():
            set_line(self.lines["hist"][k], xs, rows[row])
        x = self.r.snap if row == 0 else self.r.steps
        set_line(self.at_line, [x, x], list(self.at_y))

    def _floor_marks(self, r, seed, band):
        lo, hi = self.ax_psi.get_ylim()
        for k, m in enumerate(r.methods):
            at = r.floor_at(m, seed, band)
            self.marks[k].set_visible(at is not None)
            set_line(self.marks[k], [at or 0] * 2, [lo, hi])
        level = max(band * r.floor(seed), lo)
        set_line(self.band_line, [0, r.steps], [level, level])

    # --- caption ------------------------------------------------------------------------------
    def _caption(self):
        s = self.state
        r, seed, band, at = self.r, s["seed"], s["band"], s["at"]
        names = method_names(r)
        c = r.config
        what = ("SOTU: 1,000 words, T = 24 decades, d = 20, λ = 3, Adam lr 0.01, k₁ = k₂ = 10"
                if r.dataset == "sotu" else
                f"MovieLens: {r.n_items:,} movies, T = {r.T} years, d = {c['d']}, λ = "
                f"{c['lam']:g}, γ = {c['gamma']:g}, AdaGrad lr {c['lr']:g}, k₁ = {c['k1']}, "
                f"k₂ = {c['k2']}")
        when = self.when[at]
        items = "items with data at both ends" if s["items"] else "all items"
        parts = []
        for m in r.methods:
            k = r.floor_at(m, seed, band)
            factor, lower = r.speedup(m, seed, band)
            reach = (f"within {100 * band:g} % of ψ* from iteration {k:,}" if k is not None
                     else f"not within {100 * band:g} % of ψ* by the end")
            if m != r.baseline and factor is not None:
                reach += f" (<b>{'≥ ' if lower else ''}{factor:.2f}×</b> the baseline's speed)"
            parts.append(
                f"<b>{html.escape(names[m])}</b>: ψ {reach}; held-out log-likelihood "
                f"{r.final_heldout_ll(m, seed):.4f}; median alignment at iteration {when:,} "
                f"{r.median_alignment(m, seed, at, present_only=s['items']):.2f}")
        share = 100 * r.removable_share(r.baseline, seed, 100)
        self.set_caption(
            f"{what}; seed {seed}, ψ* = {r.floor(seed):,.1f}, {r.steps:,} iterations.<br>"
            + "<br>".join(parts)
            + f"<br>At iteration 100 the twist holds {share:.1f} % of "
            f"{html.escape(names[r.baseline])}'s ψ. Alignment over {items}.")


def real_data_panel(dataset="sotu", seed=0, band=0.01, at="snap", present_only=True,
                    results=None):
    """Chapter 09's results panel: the cached SOTU or MovieLens runs, read without recomputing.

    Parameters
    ----------
    dataset : {"sotu", "movielens"}
    seed : int
        One of the cached seeds.
    band : float
        The floor band: psi "reaches its floor" when it stays within ``band * psi*`` (one of
        0.001, 0.002, 0.005, 0.01, 0.02, 0.05).
    at : {"snap", "end"}
        Iteration of the alignment histogram (the cache's ``snap`` or the end of the run).
    present_only : bool
        Histogram over the items with data at both compared time steps only.
    results : dict, optional
        ``{dataset: RealDataResult}`` instead of the caches (tests).

    Returns
    -------
    RealDataPanel
    """
    return RealDataPanel(dataset, seed, band, at, present_only, results)
