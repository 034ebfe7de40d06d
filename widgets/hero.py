"""Chapter 00's hero panel: one random start, plain GD against GD with gauge fixing, side by side."""
from __future__ import annotations

import numpy as np

import gauge_core as gc

from . import controls as C
from .base import Panel, autoscale, make_figure, positive, set_line
from .runner import ChunkedRuns
from .style import OKABE_ITO, TIME_CMAP, method_colour, method_label

__all__ = ["overview_panel"]


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
            "gauge": C.dropdown("gauge fixing", [("exact gauge step every k₁", "gauge"),
                                                 ("Goldstone-GD (P1 Alg. 1)", "goldstone")], "gauge"),
            "k1": C.k1_control(10, 1, 100),
            "steps": C.dropdown("iterations", [2000, 5000, 20000, 50000], steps),
        }
        fig, axes = make_figure(10.0, 6.2, 2, 2)
        fig.subplots_adjust(hspace=0.45, wspace=0.28, left=0.08, right=0.97, top=0.93, bottom=0.09)
        self.ax_loss, self.ax_twist, self.ax_gd, self.ax_gauge = axes.ravel()
        self.runner = ChunkedRuns(self._draw)
        super().__init__("Plain GD vs gauge fixing, same random start", controls, fig,
                         extra=[self.runner.box])
        self._build_artists()
        self.refresh(changed="init")

    # --- drawing ----------------------------------------------------------------------------
    def _build_artists(self):
        ax = self.ax_loss
        self.loss_lines = {m: ax.plot([], [], color=method_colour(m), label=method_label(m))[0]
                           for m in ("gd", "gauge", "goldstone")}
        ax.set_yscale("log")
        ax.locator_params(axis="x", nbins=4)
        ax.set_xlabel("iteration")
        ax.set_ylabel("loss L(Z)")
        ax.set_title("loss")
        ax = self.ax_twist
        self.twist_lines = {m: ax.plot([], [], "o-", ms=3, color=method_colour(m))[0]
                            for m in ("gd", "gauge", "goldstone")}
        self.twist_start = ax.plot([], [], ":", color=OKABE_ITO["grey"], label="at the start")[0]
        ax.set_xlabel("time step t")
        ax.set_ylabel("twist θ_t − θ_0 (rad)")
        ax.locator_params(nbins=4)  # few tick labels: ipympl re-renders every text on each redraw
        ax.set_title("twist profile now")
        ax.legend(loc="upper right", fontsize="small")
        circle = np.linspace(0, 2 * np.pi, 200)
        self.scatters = {}
        for ax, kind in ((self.ax_gd, "gd"), (self.ax_gauge, "gauge")):
            ax.plot(np.cos(circle), np.sin(circle), color=OKABE_ITO["grey"], lw=0.8)
            self.scatters[kind] = ax.scatter(np.zeros(2), np.zeros(2), c=[0, 1], cmap=TIME_CMAP,
                                             s=18, vmin=0, vmax=1, zorder=3)
            ax.set_aspect("equal")
            ax.set_xlim(-1.6, 1.6)
            ax.set_ylim(-1.6, 1.6)
            ax.set_xticks([])  # the grey unit circle gives the scale; tick labels cost redraw time
            ax.set_yticks([])
            ax.set_xlabel("z₁ (grey: the unit circle)")
            ax.set_ylabel("z₂")

    def update(self, changed=None):
        s = self.state
        self.model = gc.MexicanHatChain(s["T"], s["lam"], d=2, N=1)
        Z0 = self.model.random_init(np.random.default_rng(s["seed"]), s["init"], s["scale"])
        self.runs = {
            "gd": gc.Run(self.model, Z0, "gd", lr=s["lr"]),
            s["gauge"]: gc.Run(self.model, Z0, s["gauge"], lr=s["lr"], k1=s["k1"], k2=10),
        }
        self.Z0 = Z0
        shown = [self.loss_lines[m] for m in ("gd", s["gauge"])]
        self.ax_loss.legend(shown, [line.get_label() for line in shown], loc="upper right",
                            fontsize="small")
        self.runner.start(self.runs, s["steps"])
        self._draw()

    def _draw(self):
        s = self.state
        T = s["T"]
        t = np.arange(T)
        g = s["gauge"]
        for m, line in self.loss_lines.items():
            line.set_visible(m in self.runs)
            if m in self.runs:
                loss = self.runs[m].loss
                set_line(line, np.arange(loss.size), positive(loss))
        self.ax_loss.set_xlim(0, max(s["steps"], 1))
        autoscale(self.ax_loss, x=False)
        for m, line in self.twist_lines.items():
            line.set_visible(m in self.runs)
            if m in self.runs:
                set_line(line, t, gc.twist_profile(self.runs[m].Z))
        set_line(self.twist_start, t, gc.twist_profile(self.Z0))
        autoscale(self.ax_twist)
        colours = t / max(T - 1, 1)
        for kind, ax, run in ((("gd", self.ax_gd, self.runs["gd"])),
                              ("gauge", self.ax_gauge, self.runs[g])):
            Z = run.Z[:, :, 0]
            self.scatters[kind].set_offsets(Z)
            self.scatters[kind].set_array(colours)
            lim = max(1.6, 1.1 * float(np.abs(Z).max()))
            ax.set_xlim(-lim, lim)
            ax.set_ylim(-lim, lim)
            ax.set_title(f"{method_label(run.method)}: z_t, t = 0…{T - 1} (colour)")
        self._caption()
        self.fig.canvas.draw_idle()

    def _caption(self):
        s = self.state
        gd, other = self.runs["gd"], self.runs[s["gauge"]]
        h1 = gc.dispersion(s["T"], s["lam"])[1]
        limit = 2.0 / (8.0 + 4.0 * s["lam"])
        span = lambda r: np.ptp(gc.twist_profile(r.Z))  # noqa: E731
        text = (f"T = {s['T']} time steps, coupling λ = {s['lam']:.3g}, step size η = {s['lr']:.2g}, "
                f"{'random' if s['init'] == 'random' else 'aligned'} start (scale "
                f"{s['scale']:.2g}, seed {s['seed']}). After {gd.iteration:,} iterations plain GD "
                f"has loss {gd.loss[-1]:.3g} and its twist spans {span(gd):.2f} rad; "
                f"{method_label(other.method)} has loss {other.loss[-1]:.3g} and a twist of "
                f"{span(other):.2f} rad. The slowest twist decays by a factor 1 − ηh₁ = "
                f"{gc.gd_decay_factor(s['T'], s['lam'], s['lr'])[1]:.6f} per GD step (h₁ = λ(2 − 2cos(π/T)) = {h1:.3g}), "
                f"so GD needs about {1 / (s['lr'] * h1):,.0f} steps per e-fold.")
        if s["lr"] > limit:
            text += (f" <b>η exceeds the stability limit 2/(8 + 4λ) = {limit:.3g} of the radial "
                     f"modes</b>: expect divergence.")
        self.set_caption(text)


def overview_panel(**kwargs):
    """The hero panel of chapter 00: plain GD vs GD with gauge fixing from one random start.

    Parameters
    ----------
    T, lam, lr, steps, seed
        Initial (and Reset) values of the controls.

    Returns
    -------
    OverviewPanel
    """
    return OverviewPanel(**kwargs)
