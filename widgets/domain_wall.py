"""Chapter 02's second panel: a reflection domain wall in a dynamic factorisation.

``domain_wall_panel()`` starts a dynamic factorisation at its optimum with part of the chain
reflected, and runs plain GD and GD plus the exact gauge step with SO(d) or O(d) links side by
side; the runs play by themselves, evenly in log time.
"""
from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

import gauge_core as gc
from gauge_core.experiments import wall_data, wall_start

from . import controls as C
from .live.pacing import LogPaced
from .base import Panel, live_figure, positive, set_line
from .live import limits
from .live.player import Player
from .style import OKABE_ITO, method_colour, method_label

__all__ = ["domain_wall_panel"]

GAP_FLOOR = 1e-12  # loss gaps below this fraction of the start are drawn on the floor
COST_FLOOR = 1e-8  # link costs below this are drawn on the floor


class DomainWallPanel(Panel):
    """A reflection domain wall: plain GD stalls, the exact gauge step with O(d) links repairs it.

    Left: the loss above the optimum against iteration for plain GD and for GD plus the exact gauge
    step (SO(d) or O(d) links, every k₁ = 10 steps). Right: the coupling cost of each link at the
    start and now; a reflection wall is the one expensive link.
    """

    def __init__(self, T=10, d=2, lam=1.0, wall=5, group="SO", seed=0, lr=0.02, steps=3000):
        self.T, self.d, self.lr, self.steps = int(T), int(d), float(lr), int(steps)
        controls = {
            "group": C.group_control(group),
            "wall": C.int_slider("wall before step", wall, 1, self.T - 1),
            "lam": C.coupling_control(lam, lo=-1, hi=1),
            "seed": C.seed_control(seed),
        }
        fig, (self.ax_loss, self.ax_links) = live_figure(9.6, 3.8, 1, 2)
        fig.subplots_adjust(left=0.08, right=0.98, top=0.86, bottom=0.14, wspace=0.28)
        super().__init__("A reflection domain wall", controls, fig)
        self.player = Player(self.live, self._draw, restart=lambda: self.refresh("restart"))
        self._build_artists()
        self.refresh(changed="init")

    def _build_artists(self):
        ax = self.ax_loss
        self.loss_lines = {"gd": self.live.track(ax.plot([], [], "-", lw=2.6,
                                                         color=method_colour("gd"))[0]),
                           "gauge": self.live.track(ax.plot([], [], "--", lw=1.6,
                                                            color=method_colour("gauge"))[0])}
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(1, self.steps + 1)
        ax.set_xlabel("iteration + 1")
        ax.set_ylabel(r"loss above the optimum, $\mathcal{L} - \mathcal{L}^*$")
        ax = self.ax_links
        links = np.arange(1, self.T)
        self.link_lines = {
            "start": self.live.track(ax.plot([], [], ":", marker="o", ms=4,
                                             color=OKABE_ITO["grey"])[0]),
            "gd": self.live.track(ax.plot([], [], "-", marker="o", ms=4,
                                          color=method_colour("gd"))[0]),
            "gauge": self.live.track(ax.plot([], [], "--", marker="s", ms=4,
                                             color=method_colour("gauge"))[0]),
        }
        ax.set_yscale("log")
        ax.set_xlim(0.5, self.T - 0.5)
        ax.set_xlabel("link between steps t − 1 and t")
        ax.set_ylabel(r"coupling cost $\frac{\lambda}{2}\,\|Z_t - Z_{t-1}\|^2$")
        ax.set_xticks(links)

    def _legend(self, group):
        """One legend above both axes (proxies: the same setting always gives the same legend)."""
        handles = [Line2D([], [], color=OKABE_ITO["grey"], ls=":", marker="o", ms=4),
                   Line2D([], [], color=method_colour("gd"), lw=2.6, marker="o", ms=4),
                   Line2D([], [], color=method_colour("gauge"), ls="--", marker="s", ms=4)]
        labels = ["at the start", method_label("gd"), f"GD + exact gauge step, {group}(d) links"]
        for leg in list(self.fig.legends):
            leg.remove()
        self.fig.legend(handles, labels, loc="upper center", ncol=3, frameon=False,
                        fontsize="small", bbox_to_anchor=(0.5, 1.0))

    def update(self, changed=None):
        s = self.state
        X = wall_data(d=self.d, rng=s["seed"])
        model = gc.DynamicFactorization(X, self.d, s["lam"], T=self.T)
        self.Z_opt, self.Z0 = wall_start(model, X, s["wall"], s["seed"])
        self.model = model
        self.optimum = model.loss(self.Z_opt)
        self.runs = {"gd": gc.Run(model, self.Z0, "gd", lr=self.lr),
                     "gauge": gc.Run(model, self.Z0, "gauge", lr=self.lr, k1=10,
                                     group=s["group"])}
        gap0 = self.runs["gd"].loss[0] - self.optimum
        self.floor = GAP_FLOOR * gap0
        self.ax_loss.set_ylim(*limits.decades(self.floor, 2 * gap0))
        costs0 = positive(self._link_costs(self.Z0), COST_FLOOR)
        self.ax_links.set_ylim(*limits.decades(COST_FLOOR, 3 * costs0.max()))
        set_line(self.link_lines["start"], np.arange(1, self.T), costs0)
        self._legend(s["group"])
        self.live.invalidate()
        self.player.start({k: LogPaced(r, self.steps, seconds=8.0, paced=lambda: self.live.displayed)
                           for k, r in self.runs.items()}, self.steps)
        self._draw()

    def _link_costs(self, Z):
        return self.model.coupling.link_costs(Z)

    def _draw(self):
        for k, run in self.runs.items():
            gap = positive(run.loss - self.optimum, self.floor)
            set_line(self.loss_lines[k], np.arange(gap.size) + 1.0, gap)
            limits.widen(self.ax_loss, "y", self.floor, float(gap.max()), log=True)
            costs = positive(self._link_costs(run.Z), COST_FLOOR)
            set_line(self.link_lines[k], np.arange(1, self.T), costs)
            limits.widen(self.ax_links, "y", COST_FLOOR, float(costs.max()), log=True)
        self._caption()

    def _caption(self):
        s = self.state
        gd, ga = self.runs["gd"], self.runs["gauge"]
        ratio = lambda r: r.current_loss / self.optimum  # noqa: E731
        text = (f"T = {self.T} steps of the same 6×5 rank-{self.d} data (seed {s['seed']}), "
                f"d = {self.d}, λ = {s['lam']:.3g}. Start: the optimum (𝓛* = {self.optimum:.4g}) "
                f"with steps {s['wall']}–{self.T - 1} reflected, plus noise 0.01. After "
                f"{gd.iteration:,} iterations (η = {self.lr:g}) plain GD is at {ratio(gd):.3g}× "
                f"the optimum with {gc.count_walls(gd.Z)} wall(s) left; GD + exact gauge step with "
                f"{s['group']}(d) links (every 10 steps) after {ga.iteration:,} iterations is at "
                f"{ratio(ga):.3g}× with {gc.count_walls(ga.Z)} wall(s).")
        for r in self.runs.values():
            if r.diverged:
                text += f" <b>{method_label(r.method)} diverged at step {r.diverged_at}.</b>"
        self.set_caption(text)


def domain_wall_panel(**kwargs):
    """Chapter 02: a reflection domain wall; plain GD stalls, the exact gauge step with O(d) links
    repairs it, with SO(d) links it cannot.

    The runs play by themselves, evenly in log time. Headless code calls
    ``panel.player.run_to_end()``.

    Parameters
    ----------
    T, d : int
        Chain length and rank (fixed for the panel; defaults 10 and 2).
    lam, wall, group, seed : initial (and Reset) values of the controls: coupling λ (0.1 to 10),
        the first reflected step, ``"SO"`` or ``"O"`` links, and the seed of data and noise.
    lr, steps : GD step size and number of iterations.

    Returns
    -------
    DomainWallPanel
    """
    return DomainWallPanel(**kwargs)
