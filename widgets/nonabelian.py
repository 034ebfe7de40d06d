"""Chapter 05's last panel: abelian d = 2 against non-abelian d ≥ 3. Left: the error of the
second-order expansions against the exact coupling change (P2 Eq. 6 without the commutator errs at
O(ε²) for d ≥ 3). Right: what that costs near alignment, the fraction of the best decrease of ψ
that the minimiser of each expansion misses."""
from __future__ import annotations

import numpy as np

from gauge_core.experiments import LRUCache, eq6_shortfall, expansion_errors

from . import controls as C
from .base import Panel, legend_above, live_figure, positive, set_line
from .live import limits
from .style import OKABE_ITO

__all__ = ["nonabelian_panel"]

LABELS = {"p2": "P2 Eq. 6 as printed", "p2c": "P2 Eq. 6 + ½[Γ_t, Γ_{t−1}]", "p1": "P1 Eq. 14"}
STYLE = {"p2": ("o-", OKABE_ITO["vermillion"], 6), "p2c": ("s-", OKABE_ITO["blue"], 6),
         "p1": ("x", OKABE_ITO["black"], 8)}


class NonAbelianPanel(Panel):
    """Log–log errors of the second-order expansions, and the decrease their minimisers miss."""

    def __init__(self, d=3, seed=0):
        controls = {
            "d": C.toggles("embedding dimension d", [("2 (abelian)", 2), ("3", 3), ("4", 4)], d),
            "seed": C.seed_control(seed),
        }
        fig, (self.ax, self.ax_miss) = live_figure(9.6, 3.7, 1, 2)
        fig.subplots_adjust(wspace=0.3, left=0.08, right=0.98, top=0.8, bottom=0.14)
        super().__init__("Abelian d = 2 vs non-abelian d ≥ 3: the missing commutator", controls,
                         fig)
        self._cache = LRUCache(16)
        track = self.live.track
        ax = self.ax
        self.lines = {k: track(ax.plot([], [], st, color=c, ms=ms)[0])
                      for k, (st, c, ms) in STYLE.items()}
        self.guides = {p: track(ax.plot([], [], ":", color=OKABE_ITO["grey"], lw=1)[0])
                       for p in (2, 3)}
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("size of the gauge fields ε = ‖Γ‖")
        ax.set_ylabel("|expansion − exact ψ change|")
        ax = self.ax_miss
        self.miss = {k: track(ax.plot([], [], STYLE[k][0], color=STYLE[k][1], ms=5,
                                      label=LABELS[k] + (" (= P1 Eq. 14)" if k == "p2c" else ""))[0])
                     for k in ("p2", "p2c")}
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("twist per link near alignment (rad)")
        ax.set_ylabel("missed fraction of the best ψ decrease")
        legend_above(ax)
        self.refresh(changed="init")

    def _compute(self, d, seed):
        return self._cache.get_or((d, seed), lambda: (expansion_errors(d, seed),
                                                      eq6_shortfall(d=d, rng=seed)))

    def update(self, changed=None):
        s = self.state
        result, short = self._compute(s["d"], s["seed"])
        self.eps, self.errors, self.slopes = result.eps, result.errors, result.slopes()
        self.shortfall, self.miss_slopes = short, short.slopes()
        for k, line in self.lines.items():
            set_line(line, self.eps, positive(self.errors[k]))
            line.set_label(f"{LABELS[k]}: slope {self.slopes[k]:.2f}")
        for p, line in self.guides.items():
            ref = self.errors["p2" if p == 2 else "p2c"][0]
            set_line(line, self.eps, positive(ref * (self.eps / self.eps[0]) ** p))
            line.set_label(f"ε^{p} guide")
        self.guides[2].set_visible(s["d"] >= 3)
        shown = list(self.lines.values()) + [g for g in self.guides.values() if g.get_visible()]
        legend_above(self.ax, shown, [h.get_label() for h in shown], ncol=2)
        self.ax.set_xlim(*limits.decades(self.eps.min(), self.eps.max()))
        every = np.concatenate([positive(v) for v in self.errors.values()])
        self.ax.set_ylim(*limits.decades(every.min(), every.max()))
        for k, line in self.miss.items():
            set_line(line, short.eps, positive(short.missed[k]))
        self.ax_miss.set_xlim(*limits.decades(short.eps.min(), short.eps.max()))
        both = np.concatenate([positive(v) for v in short.missed.values()])
        self.ax_miss.set_ylim(*limits.decades(both.min(), both.max()))
        self.live.invalidate()
        near = int(np.argmin(np.abs(short.eps - 0.05)))
        self.set_caption(
            f"Left: T = 6 steps, N = 5 random vectors per step in d = {s['d']}, gauge fields Γ = εG "
            f"along a random skew direction G (seed {s['seed']}). Fitted log–log slopes: printed "
            f"P2 Eq. 6 {self.slopes['p2']:.2f}, with the commutator {self.slopes['p2c']:.2f}, P1 "
            f"Eq. 14 {self.slopes['p1']:.2f}; slope 3 means exact to second order, slope 2 means a "
            f"second-order term is wrong. Right: an aligned chain (T = 8, N = 6) twisted by a "
            f"random rotation per link, each expansion minimised exactly: near alignment the "
            f"printed Eq. 6 misses {100 * short.missed['p2'][near]:.2g} % of the best decrease at "
            f"a twist of {short.eps[near]:.2g} rad per link (with the commutator "
            f"{100 * short.missed['p2c'][near]:.2g} %), and both shrink like ε^2 (slopes "
            f"{self.miss_slopes['p2']:.2f} and {self.miss_slopes['p2c']:.2f}): the commutator "
            f"multiplies the antisymmetric part of Z_{{t−1}}Z_tᵀ, which vanishes as the twist "
            f"does.")


def nonabelian_panel(**kwargs):
    """Error of P2 Eq. 6 with and without the commutator against ε, and the decrease of ψ that
    their minimisers miss near alignment (chapter 05).

    Parameters
    ----------
    d : {2, 3, 4}
    seed : int

    Returns
    -------
    NonAbelianPanel
    """
    return NonAbelianPanel(**kwargs)
