"""Chapter 04's knobs panel: Goldstone-GD on the P1 §5.1 replica with every knob of Algorithm 1,
against the plain inner optimiser and Algorithm 1 exactly as printed, live."""
from __future__ import annotations

import numpy as np

import gauge_core as gc
from gauge_core.experiments import P1_SETTINGS
from gauge_core.experiments import race as rc

from . import controls as C
from .base import Panel, legend_above, live_figure, positive, set_line
from .live import limits
from .live.player import Player
from .style import THEORY_COLOUR, method_colour, method_label

__all__ = ["goldstone_knobs_panel"]

INNER = {"gd": ("GD, clipped, decaying (P1 §5.1)", P1_SETTINGS["gd"]),
         "adam": ("Adam, step 0.01", P1_SETTINGS["adam"])}
INITS = [("random per step", "random"), ("aligned (no twist)", "aligned"),
         ("gauge-fixed (exact step at the start)", "gauge-fixed")]
INIT_LABEL = {"random": "random", "aligned": "aligned", "gauge-fixed": "gauge-fixed"}
KINDS = ("baseline", "as printed", "yours")


def walls_text(n):
    return "no reflection wall" if n == 0 else f"{n} reflection wall{'s' if n > 1 else ''}"


class GoldstoneKnobsPanel(Panel):
    """Goldstone-GD's knobs on the P1 §5.1 replica, live.

    Three runs from the same start: the inner optimiser alone, Algorithm 1 as printed in P1
    (``k1 = 50``, ``k2 = 10``, step factor 1 on Eq. 17, the truncated update ``I + Gamma`` of line
    9, warm start) and Goldstone-GD with the panel's setting. Left: the loss; right: the coupling
    ψ, the part a gauge phase acts on.
    """

    def __init__(self, seed=0, lam=10.0, init="random", scale=1.0, inner="gd", k1=50, k2=10,
                 step_scale=1.0, apply="exp", warm_start=True, steps=2000):
        controls = {
            "seed": C.seed_control(seed),
            "lam": C.coupling_control(lam, lo=-1, hi=2),
            "init": C.dropdown("initialisation", INITS, init, width="330px"),
            "scale": C.scale_control(scale, lo=-1, hi=0.5),
            "inner": C.dropdown("inner optimiser", [(v[0], k) for k, v in INNER.items()], inner,
                                width="330px"),
            "k1": C.k1_control(k1, 1, 200),
            "k2": C.int_slider("k₂ (gauge steps)", k2, 0, 50),
            "step_scale": C.dropdown("step factor s on Eq. 17",
                                     [("0.25", 0.25), ("1 (Eq. 17 as printed)", 1.0), ("4", 4.0),
                                      ("16", 16.0)], step_scale, width="300px"),
            "apply": C.dropdown("line 9", [("exp(Γ), exact rotation", "exp"),
                                           ("I + Γ, as printed", "linear")], apply, width="260px"),
            "warm_start": C.dropdown("gauge fields", [("kept between phases (P1)", True),
                                                      ("reset to 0 each phase", False)],
                                     warm_start, width="300px"),
            "steps": C.dropdown("iterations", [1000, 2000, 3000, 5000], steps, width="200px"),
        }
        fig, (self.ax_loss, self.ax_psi) = live_figure(9.6, 3.6, 1, 2)
        fig.subplots_adjust(wspace=0.28, left=0.08, right=0.98, top=0.8, bottom=0.14)
        super().__init__("Goldstone-GD's knobs on the P1 §5.1 replica", controls, fig)
        self.player = Player(self.live, self._draw, restart=lambda: self.refresh("restart"))
        self._build_artists()
        self.refresh(changed="init")

    def _build_artists(self):
        styles = {"baseline": dict(color=method_colour("gd")),
                  "as printed": dict(color=method_colour("goldstone"), ls="--", lw=1.2),
                  "yours": dict(color=method_colour("goldstone"), lw=1.8)}
        self.lines = {}
        for ax, what in ((self.ax_loss, "loss"), (self.ax_psi, "psi")):
            for kind in KINDS:
                self.lines[what, kind] = self.live.track(ax.plot([], [], **styles[kind])[0])
            ax.set_yscale("log")
            ax.set_xlabel("iteration (inner steps)")
        self.optimum_line = self.live.track(self.ax_loss.plot([], [], ":", color=THEORY_COLOUR)[0])
        self.ax_loss.set_ylabel("loss L(Z)")
        self.ax_psi.set_ylabel("coupling ψ(Z)")
        for ax in (self.ax_loss, self.ax_psi):  # labels stay put when the ticks change width
            ax.yaxis.set_label_coords(-0.12, 0.5)
        self.ax_psi.set_title("coupling ψ: what a gauge phase lowers", fontsize="small")

    def _legend(self, inner):
        handles = [self.lines["loss", k] for k in KINDS] + [self.optimum_line]
        labels = [f"{method_label(inner)} alone", "Algorithm 1 as printed (s = 1, I + Γ)",
                  "your Goldstone-GD", "optimum L*"]
        legend_above(self.ax_loss, handles, labels, ncol=2)

    def update(self, changed=None):
        s = self.state
        self.problem = pb = rc.race_problem("replica", T=30, lam=s["lam"], init=s["init"],
                                            scale=s["scale"], rng=s["seed"])
        opts = dict(INNER[s["inner"]][1])
        model, Z0 = pb.model, pb.Z0
        self.runs = {
            "baseline": gc.Run(model, Z0, s["inner"], **opts),
            "as printed": gc.Run(model, Z0, "goldstone", inner=s["inner"], k1=50, k2=10,
                                 step_scale=1.0, apply="linear", warm_start=True, **opts),
            "yours": gc.Run(model, Z0, "goldstone", inner=s["inner"], k1=s["k1"], k2=s["k2"],
                            step_scale=s["step_scale"], apply=s["apply"],
                            warm_start=s["warm_start"], **opts),
        }
        colour = method_colour(s["inner"])
        self.lines["loss", "baseline"].set_color(colour)
        self.lines["psi", "baseline"].set_color(colour)
        self._legend(s["inner"])
        start = max(r.loss[0] for r in self.runs.values())
        psi0 = max(r.coupling_loss[0] for r in self.runs.values())
        self.ax_loss.set_xlim(0, s["steps"])
        self.ax_psi.set_xlim(0, s["steps"])
        self.ceiling = (1e3 * start, 1e3 * psi0)
        self.ax_loss.set_ylim(*limits.decades(0.5 * pb.minimum, 2 * start))
        self.ax_psi.set_ylim(*limits.decades(max(psi0 * 1e-6, 1e-12), 2 * psi0))
        set_line(self.optimum_line, [0, s["steps"]], [pb.minimum] * 2)
        self.live.invalidate()
        self.player.start(self.runs, s["steps"])
        self._draw()

    def _draw(self):
        for kind, run in self.runs.items():
            x = np.arange(run.loss.size)
            # a run that blows up is drawn off the top of the chart, not on a 1e100 axis
            loss = positive(run.loss, ceiling=self.ceiling[0])
            psi = positive(run.coupling_loss, ceiling=self.ceiling[1])
            set_line(self.lines["loss", kind], x, loss)
            set_line(self.lines["psi", kind], x, psi)
            limits.widen(self.ax_loss, "y", float(loss.min()), float(loss.max()), log=True)
            limits.widen(self.ax_psi, "y", float(psi.min()), float(psi.max()), log=True)
        self._caption()

    def _caption(self):
        s = self.state
        names = {"baseline": f"{method_label(s['inner'])} alone",
                 "as printed": "as printed", "yours": "yours"}
        bits = []
        for kind, run in self.runs.items():
            w = len(gc.reflection_walls(run.Z))
            txt = (f"{names[kind]}: loss {run.loss[-1] / self.problem.minimum:.3g} × L*"
                   f"{'' if w == 0 else ', ' + walls_text(w)}")
            if run.diverged:
                txt += f" <b>(diverged at step {run.diverged_at})</b>"
            bits.append(txt)
        it = min(r.iteration for r in self.runs.values())
        text = (f"Replica seed {s['seed']}, λ = {s['lam']:.3g}, {INIT_LABEL[s['init']]} start "
                f"(scale {s['scale']:.2g}), inner optimiser: {INNER[s['inner']][0]}. Your setting: "
                f"k₁ = {s['k1']}, k₂ = {s['k2']}, step factor s = {s['step_scale']:g}, "
                f"{'exact exp(Γ)' if s['apply'] == 'exp' else 'I + Γ'}, gauge fields "
                f"{'kept' if s['warm_start'] else 'reset each phase'}. At iteration {it:,}: "
                + "; ".join(bits) + f". The optimum is L* = {self.problem.minimum:.4g}.")
        if any(len(gc.reflection_walls(r.Z)) for r in self.runs.values()):
            text += (" A reflection wall is a pair of neighbouring time steps that only a mirror "
                     "image can align: no rotation, so no gauge phase, removes it.")
        self.set_caption(text)


def goldstone_knobs_panel(**kwargs):
    """Goldstone-GD on the P1 §5.1 replica with every knob of Algorithm 1, live (chapter 04).

    Parameters
    ----------
    seed, lam, init, scale, inner, k1, k2, step_scale, apply, warm_start, steps
        Initial (and Reset) values of the controls.

    Returns
    -------
    GoldstoneKnobsPanel
    """
    return GoldstoneKnobsPanel(**kwargs)
