"""Chapter 05's second panel: the exact gauge step on a chain (one Procrustes problem per link)
next to P1's iterative gauge phases (Algorithm 1, lines 6–9), from one start."""
from __future__ import annotations

import numpy as np

import gauge_core as gc
from gauge_core.experiments import START_MODELS, LRUCache, make_start, p1_phases

from . import controls as C
from .base import Panel, legend_above, live_figure, positive, set_line
from .live import limits
from .style import method_colour

__all__ = ["exact_vs_goldstone_panel"]

MODELS = START_MODELS


class ExactVsGoldstonePanel(Panel):
    """The exact gauge step against P1's iterative gauge phases, from the same configuration."""

    PHASES = 15

    def __init__(self, model="mf", seed=0, pre=100, k2=10, step=1.0, warm=True):
        controls = {
            "model": C.dropdown("model", [(v[0], k) for k, v in MODELS.items()], model,
                                width="440px"),
            "seed": C.seed_control(seed),
            "pre": C.dropdown("GD steps first", [30, 100, 300], pre, width="200px"),
            "k2": C.int_slider("k₂ (P1 steps per phase)", k2, 1, 20),
            "step": C.dropdown("step factor s on Eq. 17", [("1 (as printed)", 1.0), ("0.25", 0.25)],
                               step, width="280px"),
            "warm": C.dropdown("gauge fields between phases", [("kept (P1)", True),
                                                               ("reset to 0", False)], warm,
                               width="320px"),
        }
        fig, (self.ax_psi, self.ax_gap) = live_figure(9.6, 3.4, 1, 2)
        fig.subplots_adjust(wspace=0.3, left=0.08, right=0.98, top=0.84, bottom=0.16)
        super().__init__("Exact gauge step vs P1's gauge phases, same start", controls, fig)
        self._starts, self._phases = LRUCache(9), LRUCache(65)
        self._build()
        self.refresh(changed="init")

    def _build(self):
        cg, cx = method_colour("goldstone"), method_colour("gauge")
        ax = self.ax_psi
        track = self.live.track
        self.l_p1 = track(ax.plot([], [], "o-", ms=4, color=cg, label="P1 gauge phases")[0])
        self.l_exact = track(ax.plot([], [], "s-", ms=5, color=cx,
                                     label="exact gauge step (one shot)")[0])
        self.l_opt = track(ax.plot([], [], "--", lw=1, color=cx, label="ψ* (exact optimum)")[0])
        ax.set_xlabel("gauge phases applied")
        ax.set_ylabel("coupling ψ(Z)")
        legend_above(ax, ncol=2)
        ax = self.ax_gap
        self.l_gap = track(ax.plot([], [], "o-", ms=4, color=cg)[0])
        ax.set_yscale("log")
        ax.set_xlabel("gauge phases applied")
        ax.set_ylabel("ψ − ψ*  (P1 phases)")
        ax.set_title("distance to the exact optimum", fontsize="small")

    def _start(self, name, seed, pre):
        def make():
            model, Z = make_start(name, seed, pre)
            return model, Z, gc.exact_gauge_step(Z)[0]
        return self._starts.get_or((name, seed, pre), make)

    def update(self, changed=None):
        s = self.state
        model, Z, Ze = self._start(s["model"], s["seed"], s["pre"])
        self.model = model
        self.psi_start = model.coupling_loss(Z)
        self.psi_exact = model.coupling_loss(Ze)
        key = (s["model"], s["seed"], s["pre"], s["k2"], s["step"], s["warm"])
        psi, Zp = self._phases.get_or(key, lambda: p1_phases(
            model, Z, self.PHASES, s["k2"], s["step"], s["warm"]))
        ok = np.isfinite(psi)
        self.psi_p1 = psi[: int(np.argmin(ok)) if not ok.all() else ok.size]
        self.local_change = max(abs(model.local_loss(Ze) - model.local_loss(Z)),
                                abs(model.local_loss(Zp) - model.local_loss(Z)))
        n = np.arange(self.psi_p1.size)
        set_line(self.l_p1, n, self.psi_p1)
        set_line(self.l_exact, [0, 1], [self.psi_start, self.psi_exact])
        set_line(self.l_opt, [0, self.PHASES], [self.psi_exact] * 2)
        self.ax_psi.set_xlim(-0.3, self.PHASES + 0.3)
        self.ax_psi.set_ylim(*limits.padded(*limits.data_range(self.psi_p1, [self.psi_start,
                                                                             self.psi_exact])))
        floor = max(1e-15 * self.psi_start, 1e-300)
        self.gap = positive(self.psi_p1 - self.psi_exact, floor=floor)
        set_line(self.l_gap, n, self.gap)
        self.ax_gap.set_xlim(-0.3, self.PHASES + 0.3)
        self.ax_gap.set_ylim(*limits.decades(self.gap.min(), self.gap.max()))
        hit = np.nonzero(self.psi_p1 - self.psi_exact
                         <= 1e-3 * (self.psi_start - self.psi_exact))[0]
        reached = (f"P1 gets within 0.1 % of the exact gain after {hit[0]} phases" if hit.size
                   else f"P1 is not within 0.1 % of the exact gain after {n[-1]} phases")
        self.say("" if ok.all() else "<span style='color:#D55E00'>P1 phases diverged "
                 f"after phase {n[-1]}</span>")
        self.set_caption(
            f"{MODELS[s['model']][0]}, {s['pre']} plain-GD steps from a random start (seed "
            f"{s['seed']}). Coupling ψ = {self.psi_start:.6g} before; the exact gauge step (one SVD "
            f"per link) gives ψ* = {self.psi_exact:.6g} in one shot. P1 (k₂ = {s['k2']}, step "
            f"factor s = {s['step']:g}, Γ̃ {'kept' if s['warm'] else 'reset'}): ψ = "
            f"{self.psi_p1[min(1, n[-1])]:.6g} after one phase, {self.psi_p1[-1]:.6g} after "
            f"{n[-1]}; {reached}. Neither touches the local losses (largest change "
            f"{self.local_change:.1e}).")


def exact_vs_goldstone_panel(**kwargs):
    """The exact gauge step next to P1's iterative gauge phases, from the same starting point.

    Parameters
    ----------
    model : {"mf", "hat"}
    seed, pre, k2, step, warm
        Initial (and Reset) values: random start, plain-GD steps before, P1's steps per phase,
        factor on P1's Eq. 17 step size, whether Γ̃ is kept between phases.

    Returns
    -------
    ExactVsGoldstonePanel
    """
    return ExactVsGoldstonePanel(**kwargs)
