"""Chapter 00's hero panel: one random start, plain GD against a gauge method, side by side."""
from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

import gauge_core as gc

from . import controls as C
from .base import Panel, live_figure, positive, set_line
from .live import limits
from .live.player import Player
from .style import OKABE_ITO, TIME_CMAP, method_colour, method_label

__all__ = ["overview_panel"]


def efold_text(T, lam, lr):
    """"about N steps per e-fold" of the slowest twist, or why there is no such number."""
    steps = gc.untwist_theory(T, lam, lr)
    if np.isfinite(steps):
        return f"about {steps:,.0f} steps per e-fold"
    return "no steady decay at this step size (1 − ηh₁ ≤ 0: the slowest twist overshoots)"


class OverviewPanel(Panel):
    """Plain GD and a gauge method from the same random start on the Mexican-hat chain (d = 2).

    Left: the loss of both runs against iteration. Middle: the twist profile (angle of each time
    step against the first) now and at the start. Right: the embedding vectors of every time step,
    coloured by t, for each method.
    """

    def __init__(self, T=32, lam=1.0, lr=0.02, steps=20000, seed=0):
        controls = {
            "lam": C.coupling_control(lam),
            "T": C.T_control(T, lo=4, hi=128),
            "init": C.init_control("random"),
            "scale": C.scale_control(1.0),
            "seed": C.seed_control(seed),
            "lr": C.lr_control(lr, lo=-3.5, hi=-0.5),
            "gauge": C.dropdown("gauge method", [("exact gauge step every k₁", "gauge"),
                                                 ("Goldstone-GD (P1 Alg. 1)", "goldstone")], "gauge"),
            "k1": C.k1_control(10, 1, 100),
            "steps": C.dropdown("iterations", [2000, 5000, 20000, 50000], steps),
        }
        fig, axes = live_figure(9.6, 6.0, 2, 2)
        fig.subplots_adjust(hspace=0.42, wspace=0.28, left=0.08, right=0.97, top=0.93, bottom=0.09)
        self.ax_loss, self.ax_twist, self.ax_gd, self.ax_gauge = axes.ravel()
        super().__init__("Plain GD vs a gauge method, same random start", controls, fig)
        self.player = Player(self.live, self._draw, restart=lambda: self.refresh("restart"))
        self._legend_method = None
        self._build_artists()
        self.refresh(changed="init")

    # --- drawing ----------------------------------------------------------------------------
    def _build_artists(self):
        ax = self.ax_loss
        self.loss_lines = {m: self.live.track(ax.plot([], [], color=method_colour(m),
                                                      label=method_label(m))[0])
                           for m in ("gd", "gauge", "goldstone")}
        ax.set_yscale("log")
        ax.locator_params(axis="x", nbins=4)
        ax.set_xlabel("iteration")
        ax.set_ylabel(r"loss $\mathcal{L}(Z)$")
        ax.text(0.98, 0.05, "losses below 10⁻¹⁵ × the start are drawn on the floor",
                transform=ax.transAxes, ha="right", va="bottom", fontsize="x-small",
                color=OKABE_ITO["grey"])
        ax = self.ax_twist
        self.twist_lines = {m: self.live.track(ax.plot([], [], "o-", ms=3, color=method_colour(m))[0])
                            for m in ("gd", "gauge", "goldstone")}
        self.twist_start = self.live.track(ax.plot([], [], ":", color=OKABE_ITO["grey"])[0])
        ax.set_xlabel("time step t")
        ax.set_ylabel("twist θ_t − θ_0 (rad)")
        ax.locator_params(nbins=4)
        circle = np.linspace(0, 2 * np.pi, 200)
        self.scatters = {}
        for ax, kind in ((self.ax_gd, "gd"), (self.ax_gauge, "gauge")):
            ax.plot(np.cos(circle), np.sin(circle), color=OKABE_ITO["grey"], lw=0.8)
            self.scatters[kind] = self.live.track(ax.scatter(
                np.zeros(2), np.zeros(2), c=[0, 1], cmap=TIME_CMAP, s=18, vmin=0, vmax=1, zorder=3))
            ax.set_aspect("equal")
            ax.set_xlim(-1.6, 1.6)
            ax.set_ylim(-1.6, 1.6)
            ax.set_xticks([])  # the grey unit circle gives the scale; tick labels cost redraw time
            ax.set_yticks([])
            ax.set_xlabel("z₁ (grey: the unit circle)")
            ax.set_ylabel("z₂")

    def _legends(self, method):
        """Legends above the two upper axes, where they cannot cover data. Built from proxy lines
        (never from the tracked ones, whose visibility changes while the panel plays), so the same
        setting always gives the same legend."""
        def proxy(m, **kw):
            return Line2D([], [], color=method_colour(m), **kw)

        above = dict(loc="lower left", bbox_to_anchor=(0.0, 1.01), frameon=False,
                     fontsize="small", handlelength=1.6, columnspacing=1.0, borderaxespad=0.0)
        self.ax_loss.legend([proxy("gd"), proxy(method)],
                            [method_label("gd"), method_label(method)], ncol=2, **above)
        self.ax_twist.legend([proxy("gd", marker="o", ms=3), proxy(method, marker="o", ms=3),
                              Line2D([], [], ls=":", color=OKABE_ITO["grey"])],
                             ["plain GD", "gauge method", "at the start"], ncol=3, **above)

    def update(self, changed=None):
        s = self.state
        self.model = gc.MexicanHatChain(s["T"], s["lam"], d=2, N=1)
        Z0 = self.model.random_init(np.random.default_rng(s["seed"]), s["init"], s["scale"])
        self.runs = {
            "gd": gc.Run(self.model, Z0, "gd", lr=s["lr"]),
            s["gauge"]: gc.Run(self.model, Z0, s["gauge"], lr=s["lr"], k1=s["k1"], k2=10),
        }
        self.Z0 = Z0
        if s["gauge"] != self._legend_method:  # a legend costs milliseconds: only when it changes
            self._legends(s["gauge"])
            self._legend_method = s["gauge"]
        self._set_limits(Z0)
        if changed in ("gauge", "init", "reset") or isinstance(changed, tuple):
            self.live.invalidate()  # the legend may differ
        set_line(self.twist_start, np.arange(s["T"]), gc.twist_profile(Z0))
        for scatter in self.scatters.values():  # colour = time step: fixed for the setting
            scatter.set_array(np.arange(s["T"]) / max(s["T"] - 1, 1))
        self.player.start(self.runs, s["steps"])
        self._draw()

    def _set_limits(self, Z0):
        """Axes for this setting, chosen once: the background is re-rendered only if a run leaves
        them (a diverging one) or the setting changes."""
        s = self.state
        loss0 = max(r.loss[0] for r in self.runs.values())
        self.floor = loss0 * 1e-15  # machine precision: the exact step's loss is drawn on this floor
        self.ax_loss.set_xlim(0, max(s["steps"], 1))
        self.ax_loss.set_ylim(*limits.decades(self.floor, 2 * loss0))
        twist = gc.twist_profile(Z0)
        self.ax_twist.set_xlim(-0.5, s["T"] - 0.5)
        self.ax_twist.set_ylim(*limits.padded(min(twist.min(), 0.0), max(twist.max(), 0.0)))
        lim = max(1.6, 1.1 * float(np.abs(Z0).max()))
        for ax in (self.ax_gd, self.ax_gauge):
            ax.set_xlim(-lim, lim)
            ax.set_ylim(-lim, lim)

    def _draw(self):
        s = self.state
        T = s["T"]
        t = np.arange(T)
        g = s["gauge"]
        for m, line in self.loss_lines.items():
            line.set_visible(m in self.runs)
            if m in self.runs:
                loss = self.runs[m].loss
                shown = positive(loss, floor=self.floor)
                set_line(line, np.arange(loss.size), shown)
                limits.widen(self.ax_loss, "y", self.floor, float(shown.max()), log=True)
        for m, line in self.twist_lines.items():
            line.set_visible(m in self.runs)
            if m in self.runs:
                twist = gc.twist_profile(self.runs[m].Z)
                set_line(line, t, twist)
                limits.widen(self.ax_twist, "y", float(twist.min()), float(twist.max()))
        for kind, ax, run in ((("gd", self.ax_gd, self.runs["gd"])),
                              ("gauge", self.ax_gauge, self.runs[g])):
            Z = run.Z[:, :, 0]
            self.scatters[kind].set_offsets(Z)
            top = 1.1 * float(np.abs(Z).max())
            limits.widen(ax, "x", -top, top)
            limits.widen(ax, "y", -top, top)
            title = f"{method_label(run.method)}: z_t, t = 0…{T - 1} (colour)"
            if ax.get_title() != title:
                ax.set_title(title)
                self.live.invalidate()
        self._caption()

    def _caption(self):
        self.set_caption(self._caption_html)

    def _caption_html(self):
        s = self.state
        T, lam, lr = s["T"], s["lam"], s["lr"]
        gd, other = self.runs["gd"], self.runs[s["gauge"]]
        limit = gc.gd_stability_limit(T, lam)
        span = lambda r: np.ptp(gc.twist_profile(r.Z))  # noqa: E731
        text = (f"T = {T} time steps, coupling λ = {lam:.3g}, step size η = {lr:.2g}, "
                f"{'random' if s['init'] == 'random' else 'aligned'} start (scale "
                f"{s['scale']:.2g}, seed {s['seed']}). After {gd.iteration:,} iterations plain GD "
                f"has loss {gd.loss[-1]:.3g} and its twist spans {span(gd):.2f} rad; "
                f"{method_label(other.method)} has loss {other.loss[-1]:.3g} and a twist of "
                f"{span(other):.2f} rad. Linear theory: GD shrinks the slowest twist by "
                f"1 − ηh₁ = {gc.gd_decay_factor(T, lam, lr)[1]:.6f} per step "
                f"(h₁ = {gc.dispersion(T, lam)[1]:.3g}), {efold_text(T, lam, lr)}.")
        if lr > limit:
            text += (f" <b>η exceeds the stability limit 2/h_max = {limit:.3g} of the stiff "
                     f"radial modes</b>: expect divergence.")
        return text


def overview_panel(**kwargs):
    """The hero panel of chapter 00: plain GD vs a gauge method from one random start.

    Parameters
    ----------
    T, lam, lr, steps, seed
        Initial (and Reset) values of the controls.

    Returns
    -------
    OverviewPanel
    """
    return OverviewPanel(**kwargs)
