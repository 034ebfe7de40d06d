"""Chapter 05's live panel: a running GD watched in the gauge the reader chooses.

- no gauge step: plain GD;
- the exact gauge step every k₁ steps, gauge fixed by the frame of the first step, of the last
  step or by the mean frame: the same loss curve, a different global orientation;
- absorb the twist into Γ (the unitary gauge): the same plain GD, shown with its twist moved into
  the gauge field; dropping that field is what the exact gauge step would gain at that moment.
"""
from __future__ import annotations

import numpy as np

import gauge_core as gc
from gauge_core.experiments import gauge_theory as gt

from . import controls as C
from .base import Panel, legend_above, live_figure, positive, set_line
from .live import limits
from .live.player import Player
from .style import OKABE_ITO, THEORY_COLOUR, TIME_CMAP, method_colour, method_label

__all__ = ["gauge_choice_panel"]

GAUGES = [("no gauge step (plain GD)", "none"),
          ("gauge step, frame of step 0 fixed (R₀ = I)", "first"),
          ("gauge step, frame of step T−1 fixed", "last"),
          ("gauge step, mean frame fixed", "mean"),
          ("absorb the twist into Γ (unitary gauge)", "unitary")]
GAUGE_LABEL = dict((v, k) for k, v in GAUGES)
X_AXIS = np.array([[1.0], [0.0]])  # angles are measured from the z₁ axis


class GaugeChoicePanel(Panel):
    """Plain GD on the Mexican-hat chain (d = 2, one vector per step), live, in a chosen gauge.

    Left: the loss of plain GD, of GD with the exact gauge step (gauge-fixed modes) and, in the
    unitary gauge, the loss with the gauge field dropped. Middle: the angle of every time step now
    (and the gauge angle φ_t in the unitary gauge). Right: the embedding vectors, coloured by t.
    """

    def __init__(self, gauge="first", lam=1.0, T=32, seed=0, k1=50, steps=5000):
        controls = {
            "gauge": C.dropdown("gauge", GAUGES, gauge, width="360px"),
            "lam": C.coupling_control(lam),
            "T": C.T_control(T, lo=4, hi=128),
            "seed": C.seed_control(seed),
            "k1": C.k1_control(k1, 1, 200),
            "steps": C.dropdown("iterations", [1000, 5000, 20000], steps, width="200px"),
        }
        fig, (self.ax_loss, self.ax_ang, self.ax_vec) = live_figure(9.6, 3.6, 1, 3)
        fig.subplots_adjust(wspace=0.42, left=0.08, right=0.98, top=0.78, bottom=0.15)
        super().__init__("Gauge choices on a running GD", controls, fig)
        self.player = Player(self.live, self._draw, restart=lambda: self.refresh("restart"))
        self._build()
        self.refresh(changed="init")

    def _build(self):
        track = self.live.track
        ax = self.ax_loss
        self.l_gd = track(ax.plot([], [], color=method_colour("gd"), label="plain GD")[0])
        self.l_gauge = track(ax.plot([], [], color=method_colour("gauge"),
                                     label="GD + exact gauge step")[0])
        self.l_dropped = track(ax.plot([], [], "--", color=THEORY_COLOUR,
                                       label="unitary gauge, Γ̃ dropped")[0])
        ax.set_yscale("log")
        ax.set_xlabel("iteration")
        ax.set_ylabel("loss")
        ax.locator_params(axis="x", nbins=4)
        ax = self.ax_ang
        self.a_start = track(ax.plot([], [], ":", color=OKABE_ITO["grey"], label="start")[0])
        self.a_gd = track(ax.plot([], [], ".", ms=3, color=method_colour("gd"),
                                  label="plain GD")[0])
        self.a_now = track(ax.plot([], [], "o-", ms=3, color=method_colour("gauge"),
                                   label="shown run")[0])
        self.a_phi = track(ax.plot([], [], "-", color=OKABE_ITO["orange"],
                                   label="gauge angle φ_t")[0])
        self.a_ref = track(ax.plot([], [], "o", ms=10, mfc="none", mec=THEORY_COLOUR,
                                   label="fixed frame")[0])
        ax.set_xlabel("time step t")
        ax.set_ylabel("angle of z_t (rad)")
        for a in (self.ax_loss, ax):  # labels stay put when the tick labels change width
            a.yaxis.set_label_coords(-0.25, 0.5)
        ax = self.ax_vec
        circle = np.linspace(0, 2 * np.pi, 200)
        ax.plot(np.cos(circle), np.sin(circle), color=OKABE_ITO["grey"], lw=0.8)
        self.v_gd = track(ax.scatter(np.zeros(1), np.zeros(1), s=6, color=OKABE_ITO["grey"]))
        self.v_now = track(ax.scatter(np.zeros(2), np.zeros(2), c=[0, 1], cmap=TIME_CMAP, s=16,
                                      vmin=0, vmax=1, zorder=3))
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("z₁ (grey circle: radius 1)")
        ax.set_ylabel("z₂")

    def update(self, changed=None):
        s = self.state
        g = s["gauge"]
        self.controls["k1"].disabled = g in ("none", "unitary")  # no gauge step in these modes
        self.model = gc.MexicanHatChain(s["T"], s["lam"], d=2, N=1)
        self.Z0 = self.model.random_init(s["seed"])
        lr = 1.0 / (8.0 + 4.0 * s["lam"])  # the stable step of the radial modes
        gd, self.recorder = gt.gauge_choice_run(self.model, self.Z0, "unitary" if g == "unitary"
                                                else "none", lr)
        self.runs = {"gd": gd}
        if g in ("first", "last", "mean"):
            self.runs["gauge"] = gt.gauge_choice_run(self.model, self.Z0, g, lr, s["k1"])[0]
        self._legends(g)
        loss0 = gd.loss[0]
        self.floor = 1e-15 * loss0
        self.ax_loss.set_xlim(0, s["steps"])
        self.ax_loss.set_ylim(*limits.decades(self.floor, 2 * loss0))
        start = gc.twist_profile(self.Z0, X_AXIS)
        self.ax_ang.set_xlim(-0.5, s["T"] - 0.5)
        self.ax_ang.set_ylim(*limits.padded(*limits.data_range(start, [0.0])))
        set_line(self.a_start, np.arange(s["T"]), start)
        lim = max(1.5, 1.1 * float(np.abs(self.Z0).max()))
        self.ax_vec.set_xlim(-lim, lim)
        self.ax_vec.set_ylim(-lim, lim)
        self.live.invalidate()
        self.player.start(self.runs, s["steps"])
        self._draw()

    def _legends(self, g):
        shown = [self.l_gd] + ([self.l_gauge] if g in ("first", "last", "mean") else []) + (
            [self.l_dropped] if g == "unitary" else [])
        legend_above(self.ax_loss, shown, [h.get_label() for h in shown])
        self.a_now.set_label("z̃_t: Z in the unitary gauge" if g == "unitary" else
                             "plain GD" if g == "none" else "GD + exact gauge step")
        self.a_now.set_color(THEORY_COLOUR if g == "unitary" else method_colour(
            "gd" if g == "none" else "gauge"))
        angle = [self.a_start, self.a_now] + ([self.a_gd] if g != "none" else []) + (
            [self.a_phi] if g == "unitary" else []) + ([self.a_ref] if g in ("first", "last")
                                                       else [])
        legend_above(self.ax_ang, angle, [h.get_label() for h in angle], ncol=2)
        self.ax_vec.set_title(GAUGE_LABEL[g].split(" (")[0], fontsize="small")

    def _draw(self):
        s = self.state
        g = s["gauge"]
        T = s["T"]
        t = np.arange(T)
        gd = self.runs["gd"]
        shown_run = self.runs.get("gauge", gd)
        for line, run in ((self.l_gd, gd), (self.l_gauge, self.runs.get("gauge"))):
            line.set_visible(run is not None)
            if run is not None:
                loss = positive(run.loss, floor=self.floor)
                set_line(line, np.arange(loss.size), loss)
                limits.widen(self.ax_loss, "y", self.floor, float(loss.max()), log=True)
        rec = self.recorder
        self.l_dropped.set_visible(rec is not None)
        if rec is not None and rec.iterations:
            set_line(self.l_dropped, rec.iterations, positive(rec.loss, floor=self.floor))
        if g == "unitary":
            Z_view, phi = gt.unitary_view(gd.Z)
        else:
            Z_view, phi = shown_run.Z, None
        theta = gc.twist_profile(Z_view, X_AXIS)
        theta_gd = gc.twist_profile(gd.Z, X_AXIS)
        set_line(self.a_now, t, theta)
        self.a_gd.set_visible(g != "none")
        set_line(self.a_gd, t, theta_gd)
        self.a_phi.set_visible(phi is not None)
        if phi is not None:
            set_line(self.a_phi, t, phi)
        self.a_ref.set_visible(g in ("first", "last"))
        k = 0 if g == "first" else T - 1
        set_line(self.a_ref, [k], [theta[k]])
        for arr in (theta, theta_gd) + ((phi,) if phi is not None else ()):
            limits.widen(self.ax_ang, "y", float(arr.min()), float(arr.max()))
        self.v_gd.set_visible(g != "none")
        self.v_gd.set_offsets(gd.Z[:, :, 0])
        self.v_now.set_offsets(Z_view[:, :, 0])
        self.v_now.set_array(t / max(T - 1, 1))
        self.theta, self.phi = theta, phi
        self._caption(g, gd, shown_run, theta)

    def _caption(self, g, gd, run, theta):
        s = self.state
        head = (f"Mexican-hat chain, d = 2, T = {s['T']}, λ = {s['lam']:.3g}, step size "
                f"1/(8 + 4λ), random start (seed {s['seed']}). Gauge: {GAUGE_LABEL[g]}. ")
        if g == "none":
            body = (f"At iteration {gd.iteration:,} plain GD has loss {gd.loss[-1]:.3g}; its twist "
                    f"spans {np.ptp(theta):.2f} rad and unwinds at GD's slow pace.")
        elif g == "unitary":
            dropped = self.recorder.loss[-1] if self.recorder.loss else float("nan")
            body = (f"At iteration {gd.iteration:,} plain GD has loss L(Z) = L′(Z̃; Γ̃) = "
                    f"{gd.loss[-1]:.3g}: choosing a gauge changes nothing physical. In this gauge "
                    f"Z̃ is untwisted (angles spread over {np.ptp(theta):.2g} rad) and the twist "
                    f"sits in the gauge field (φ spans {np.ptp(self.phi):.2f} rad): the Goldstone "
                    f"mode has been eaten by Γ. Dropping Γ̃ would give loss {dropped:.3g}: that "
                    f"is the exact gauge step.")
        else:
            kept = {"first": "step 0 keeps its frame", "last": f"step {s['T'] - 1} keeps its frame",
                    "mean": "the mean frame stays put"}[g]
            body = (f"At iteration {run.iteration:,}: plain GD has loss {gd.loss[-1]:.3g}, "
                    f"{method_label('gauge')} (every k₁ = {s['k1']} steps) has {run.loss[-1]:.3g}. "
                    f"At every gauge step {kept}; the other two frames give exactly the same "
                    f"loss curve, only the whole chain points elsewhere.")
        self.set_caption(head + body)


def gauge_choice_panel(**kwargs):
    """A running GD on the Mexican-hat chain in the gauge the reader chooses (chapter 05).

    Parameters
    ----------
    gauge : {"none", "first", "last", "mean", "unitary"}
    lam, T, seed, k1, steps
        Initial (and Reset) values of the controls.

    Returns
    -------
    GaugeChoicePanel
    """
    return GaugeChoicePanel(**kwargs)
