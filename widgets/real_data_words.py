"""Chapter 09's word panels on the cached SOTU embeddings: word aging and word trajectories.

- :func:`word_aging_panel` (P1 Table 2): a word's embedding in one decade against every kept
  word's embedding in another, one row per method; the five nearest are coloured and named, the
  word itself is ringed.
- :func:`word_trajectory_panel`: a word's cosine to a few anchor words, decade by decade, within
  each decade (a gauge invariant) or against the anchors of one fixed decade; optionally after a
  random rotation of every decade (a gauge transformation) to show which of the two survives it.

Every number comes from the result's methods (:mod:`gauge_core.experiments.real_data_embeddings`).
"""
from __future__ import annotations

import html

import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D

from . import controls as C
from .base import Panel, live_figure, set_line
from .live import limits
from .real_data import load_result, method_names
from .style import OKABE_ITO, method_colour

__all__ = ["word_aging_panel", "word_trajectory_panel"]

K = 5  # neighbours shown
ANCHOR_COLOURS = (OKABE_ITO["black"], OKABE_ITO["vermillion"], OKABE_ITO["purple"])
ROTATION_SEED = 2026  # the random gauge transformation of the trajectory panel


def _jitter(n):
    """Fixed vertical positions in (-0.9, -0.1) for ``n`` dots (a low-discrepancy sequence)."""
    return -0.9 + 0.8 * ((np.arange(n) * 0.6180339887) % 1.0)


def _period_options(result):
    return [(result.labels[p], result.labels[p]) for p in result.anchor_periods]


class WordAgingPanel(Panel):
    """One row per method: every kept word placed by the cosine of its target-decade embedding
    with the chosen word's query-decade embedding. The five nearest are coloured and named; the
    word itself is ringed (its rank is in the row title)."""

    def __init__(self, word="world", query="2020s", target="1900s", at="snap", result=None):
        r = self.r = load_result("sotu") if result is None else result
        self.names = method_names(r)
        words = sorted(r.names)
        controls = {
            "word": C.selection_slider("word", words, word),
            "query": C.dropdown("word from", _period_options(r), query),
            "target": C.dropdown("neighbours from", _period_options(r), target),
            "at": C.dropdown("embeddings at", [(f"iteration {r.snap:,}", "snap"),
                                               (f"the end ({r.steps:,})", "end")], at),
        }
        n = len(r.methods)
        fig, axes = live_figure(9.6, 5.4, n, 1, sharex=True)
        fig.subplots_adjust(left=0.03, right=0.98, top=0.93, bottom=0.09, hspace=0.42)
        self.axes = list(np.atleast_1d(axes))
        super().__init__("Word aging (P1 Table 2): a word's nearest neighbours in another decade",
                         controls, fig)
        self._build_artists()
        self.refresh(changed="init")

    def _build_artists(self):
        track, n = self.live.track, len(self.r.names)
        self.y = _jitter(n)
        self.dots, self.top, self.rings, self.labels = {}, {}, {}, {}
        for ax, m in zip(self.axes, self.r.methods):
            self.dots[m] = track(ax.scatter(np.zeros(n), self.y, s=7, zorder=2,
                                            color=to_rgba(OKABE_ITO["grey"], 0.45)))
            self.top[m] = track(ax.scatter(np.zeros(K), np.zeros(K), s=36, zorder=3,
                                           color=method_colour(m)))
            self.rings[m] = track(ax.scatter([0.0], [0.0], s=130, facecolors="none",
                                             edgecolors=OKABE_ITO["black"], linewidths=1.6,
                                             zorder=4))
            self.labels[m] = []
            ax.set_ylim(-1.0, 1.75)
            ax.set_yticks([])
            for side in ("left", "right", "top"):
                ax.spines[side].set_visible(False)
        self.axes[-1].set_xlabel("cosine with the chosen word (grey: every kept word; coloured: "
                                 "the 5 nearest; ringed: the word itself)")

    def update(self, changed=None):
        s = self.state
        r = self.r
        self.aging = {m: r.aging(s["word"], m, s["query"], s["target"], K, s["at"])
                      for m in r.methods}
        lo, hi = limits.data_range(*(a.cosines for a in self.aging.values()))
        lo, hi = limits.padded(lo, hi, 0.03)
        for ax, m in zip(self.axes, r.methods):
            a = self.aging[m]
            self.dots[m].set_offsets(np.column_stack([a.cosines, self.y]))
            self.top[m].set_offsets(np.column_stack([a.cosines[a.nearest], self.y[a.nearest]]))
            self.rings[m].set_offsets([[a.self_cosine, self.y[a.index]]])
            self._label(ax, m, a)
            ax.set_xlim(lo, hi)
            ax.set_title(f"{self.names[m]}: '{s['word']}' ({s['query']}) is number "
                         f"{a.self_rank} of {len(r.names)} among the {s['target']} words "
                         f"(cos {a.self_cosine:.2f})", loc="left", fontsize="medium",
                         color=method_colour(m))
        self.live.invalidate()  # the names and titles are text: a new background
        self._caption()

    def _label(self, ax, m, a):
        """Name the five nearest above the strip, lowest cosine lowest, each right-aligned at the
        end of a thin leader from its dot (leaders then never cross a name)."""
        for t in self.labels[m]:
            t.remove()
        self.labels[m] = []
        order = sorted(a.nearest, key=lambda j: a.cosines[j])
        for level, j in enumerate(order):
            x, y = float(a.cosines[j]), float(self.y[j])
            ly = 0.1 + 0.33 * level
            colour = OKABE_ITO["black"] if j == a.index else method_colour(m)
            self.labels[m].append(ax.plot([x, x], [y, ly], lw=0.6, color=colour, zorder=1)[0])
            self.labels[m].append(ax.text(x, ly, self.r.names[j] + " ", ha="right",
                                          va="bottom", fontsize="small", color=colour,
                                          fontweight="bold" if j == a.index else "normal"))

    def _caption(self):
        s = self.state
        r = self.r
        parts = []
        for m in r.methods:
            a = self.aging[m]
            nn = ", ".join(f"<u>{r.names[j]}</u>" if j == a.index else r.names[j]
                           for j in a.nearest)
            share = r.self_retrieval(m, s["query"], s["target"], K, s["at"])
            parts.append(f"<b>{html.escape(self.names[m])}</b>: {nn} (over all {len(r.names)} "
                         f"words, {100 * share:.0f} % find themselves among their {K} nearest)")
        when = f"iteration {r.snap:,}" if s["at"] == "snap" else f"the end ({r.steps:,})"
        self.set_caption(
            f"'{html.escape(s['word'])}' in the {s['query']} against the {len(r.names)} most "
            f"frequent words in the {s['target']}, embeddings at {when} (seed "
            f"{r.seeds[0]}):<br>" + "<br>".join(parts))


class WordTrajectoryPanel(Panel):
    """A word's cosine to three anchor words through the decades: the exact gauge step (solid)
    and the baseline (dashed), within each decade or against the anchors of one decade,
    optionally after rotating every decade at random."""

    def __init__(self, word="war", anchors=("peace", "military", "world"), compare="same",
                 rotated=False, result=None):
        r = self.r = load_result("sotu") if result is None else result
        self.names = method_names(r)
        words = sorted(r.trajectory_names)
        if len(anchors) != 3:
            raise ValueError(f"anchors must name three words, got {anchors!r}")
        compare_options = [("the same decade", "same")] + [
            (f"the anchors' {r.labels[p]} vectors", r.labels[p]) for p in r.anchor_periods]
        controls = {
            "word": C.selection_slider("word", words, word),
            **{f"anchor{k}": C.dropdown(f"anchor {k + 1}", words, a)
               for k, a in enumerate(anchors)},
            "compare": C.dropdown("compare with", compare_options, compare),
            "rotated": C.dropdown("every decade", [("as trained", False),
                                                   ("rotated at random (a gauge transformation)",
                                                    True)], rotated),
        }
        fig, ax = live_figure(9.6, 3.9)
        fig.subplots_adjust(left=0.08, right=0.98, top=0.84, bottom=0.12)
        self.ax = ax
        super().__init__("A word through time: its cosine to three anchor words, decade by decade",
                         controls, fig)
        self.methods = (r.baseline, "gauge")
        self.lines = {(m, k): self.live.track(ax.plot([], [], "--" if m == r.baseline else "-",
                                                      lw=1.2 if m == r.baseline else 2.0,
                                                      color=ANCHOR_COLOURS[k])[0])
                      for m in self.methods for k in range(3)}
        ax.set_xlim(-0.5, r.T - 0.5)
        ax.set_ylim(-1.05, 1.05)
        ticks = list(range(0, r.T, 3))
        ax.set_xticks(ticks, [r.labels[t] for t in ticks])
        ax.set_ylabel("cosine")
        ax.axhline(0, color=OKABE_ITO["grey"], lw=0.6)
        self.refresh(changed="init")

    def _legend(self, word, anchors):
        for lg in list(self.fig.legends):
            lg.remove()
        handles = [Line2D([], [], color=c, lw=2) for c in ANCHOR_COLOURS]
        handles += [Line2D([], [], color=OKABE_ITO["grey"], lw=2),
                    Line2D([], [], color=OKABE_ITO["grey"], lw=1.2, ls="--")]
        labels = [f"cos({word}, {a})" for a in anchors]
        labels += [self.names["gauge"], self.names[self.r.baseline]]
        self.fig.legend(handles, labels, loc="upper center", ncol=5, fontsize="small",
                        frameon=False, bbox_to_anchor=(0.5, 1.0), columnspacing=1.2)

    def update(self, changed=None):
        s = self.state
        r = self.r
        anchors = [s[f"anchor{k}"] for k in range(3)]
        reference = None if s["compare"] == "same" else s["compare"]
        rotate = ROTATION_SEED if s["rotated"] else None
        t = np.arange(r.T, dtype=float)
        self.curves = {}
        for m in self.methods:
            cos = r.trajectory(s["word"], anchors, m, reference=reference, rotate=rotate)
            self.curves[m] = cos
            for k in range(3):
                set_line(self.lines[(m, k)], t, cos[:, k])
        self._legend(s["word"], anchors)
        self.ax.set_title(
            ("within each decade, cos(u_t,word, u_t,anchor)" if reference is None else
             f"against the anchors' {reference} vectors, cos(u_t,word, u_{reference},anchor)")
            + ("; every decade rotated at random" if rotate else ""), fontsize="medium")
        self.live.invalidate()
        self._caption(anchors, reference)

    def _caption(self, anchors, reference):
        r = self.r
        gap = float(np.max(np.abs(self.curves["gauge"] - self.curves[r.baseline])))
        where = ("within each decade" if reference is None
                 else f"against the anchors' {reference} vectors")
        rot = (" after a random rotation of every decade (the loss is unchanged by it)"
               if self.state["rotated"] else "")
        self.set_caption(
            f"Final embeddings (iteration {r.steps:,}, seed {r.seeds[0]}), {where}{rot}. "
            f"Largest difference between {html.escape(self.names['gauge'])} and "
            f"{html.escape(self.names[r.baseline])} over all decades and anchors: {gap:.3f}. "
            f"Kept for the {len(r.trajectory_names)} most frequent words; where a word is rare "
            "in a decade its vector is carried by the coupling from its neighbours.")


def word_aging_panel(word="world", query="2020s", target="1900s", at="snap", result=None):
    """P1 Table 2 on the SOTU embeddings: a word's nearest neighbours in another decade.

    Parameters
    ----------
    word : str
        One of the 400 kept words.
    query, target : str
        Decade labels among the kept ones (``"1790s"``, ``"1900s"``, ``"2020s"``).
    at : {"snap", "end"}
        Embeddings at the cache's ``snap`` iteration or at the end of the run.
    result : RealDataResult, optional
        Instead of the SOTU cache (tests).

    Returns
    -------
    WordAgingPanel
    """
    return WordAgingPanel(word, query, target, at, result)


def word_trajectory_panel(word="war", anchors=("peace", "military", "world"), compare="same",
                          rotated=False, result=None):
    """A SOTU word's cosine to three anchor words through the decades.

    Parameters
    ----------
    word : str
        One of the words kept at every decade (the 100 most frequent).
    anchors : three str
    compare : str
        ``"same"`` (within each decade) or a kept decade label (against the anchors there).
    rotated : bool
        Rotate every decade's embeddings at random first (a gauge transformation).
    result : RealDataResult, optional

    Returns
    -------
    WordTrajectoryPanel
    """
    return WordTrajectoryPanel(word, tuple(anchors), compare, rotated, result)
