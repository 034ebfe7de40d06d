"""Chapter 04's first panel: one gauge phase of Goldstone-GD taken apart (P1 Algorithm 1, lines 6–9).

Step through the ``k2`` natural-gradient steps and watch ``L''`` fall and the gauge-field profile
approach the twist it removes. The steps of one phase are computed once per setting
(:func:`gauge_core.dissect_phase`) and sent to the browser as recorded frames: the "show step j"
slider scrubs them without a round trip to the kernel.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

import gauge_core as gc
from gauge_core.experiments import LRUCache
from gauge_core.experiments import goldstone_gd as ggd

from . import controls as C
from .base import Panel, legend_above, live_figure, set_line
from .live import limits
from .style import OKABE_ITO, THEORY_COLOUR, method_colour

__all__ = ["gauge_phase_panel"]

COMPONENT_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["green"])
COMPONENT_AXIS = {2: "gauge angle φ_t (rad)", 3: "rotation vector of Γ_t (rad)"}
MODEL_LABEL = {"xy": "XY chain (d = 2, T = 32, λ = 1)",
               "replica": "P1 §5.1 replica (d = 3, T = 30, λ = 10)"}
K2_MAX = 50


class GaugePhasePanel(Panel):
    """One gauge phase of Goldstone-GD, step by step (P1 Algorithm 1, lines 6–9).

    A Goldstone-GD run with the book's settings is recorded up to the chosen phase (cached per
    model and seed); that phase is then replayed with the panel's ``k2``, step factor,
    preconditioner and warm start. Left: ``L''`` (P1 Eq. 14) and the exact change of the coupling
    after each gauge step, with the best any rotation can do. Right: the gauge-field profile after
    step ``j`` against the profile of the exact optimum (the twist the phase removes).
    """

    def __init__(self, model="xy", seed=0, phase=4, k2=10, step=10, step_scale=1.0,
                 precondition=True, warm_start=False):
        controls = {
            "model": C.dropdown("model", [(v, k) for k, v in MODEL_LABEL.items()], model,
                                width="330px"),
            "seed": C.seed_control(seed),
            "phase": C.int_slider("gauge phase p", phase, 1, 30, width="330px"),
            "k2": C.int_slider("k₂ (gauge steps)", k2, 1, K2_MAX),
            "step_scale": C.log_slider("step factor s", step_scale, -2, 2, step=0.05, fmt=".3g",
                                       width="330px"),
            "precondition": C.dropdown("preconditioner", [("L⁺ (natural gradient)", True),
                                                          ("none (plain gradient)", False)],
                                       precondition, width="280px"),
            "warm_start": C.dropdown("phase starts from", [("zero gauge fields", False),
                                                           ("the previous phase's (P1)", True)],
                                     warm_start, width="330px"),
            "step": C.int_slider("show step j", step, 0, K2_MAX, width="330px"),
        }
        fig, (self.ax_obj, self.ax_prof) = live_figure(9.6, 3.7, 1, 2)
        fig.subplots_adjust(wspace=0.3, left=0.08, right=0.98, top=0.8, bottom=0.14)
        self._recorders = LRUCache(8)
        super().__init__("One gauge phase, dissected (P1 Algorithm 1, lines 6–9)", controls, fig)
        self._build_artists()
        # scrubbing the recorded steps happens in the browser (the kernel only writes the caption)
        self._link = W.jslink((self.controls["step"], "value"), (self.live, "frame_index"))
        self.refresh(changed="init")

    def _build_artists(self):
        ax = self.ax_obj
        track = self.live.track
        self.obj_line = track(ax.plot([], [], "o-", ms=3, color=method_colour("goldstone"),
                                      label="L''(Γ)  (P1 Eq. 14)")[0])
        self.exact_line = track(ax.plot([], [], "s--", ms=3, color=OKABE_ITO["blue"],
                                        label="exact ψ(e^Γ Z) − ψ(Z)")[0])
        self.best_line = track(ax.plot([], [], ":", color=THEORY_COLOUR,
                                       label="best rotation (exact gauge step)")[0])
        self.now_marker = track(ax.plot([], [], "o", ms=9, mfc="none", mec=THEORY_COLOUR,
                                        label="step j")[0])
        ax.axhline(0.0, color=OKABE_ITO["grey"], lw=0.6)
        ax.set_xlabel("gauge step j")
        ax.set_ylabel("change of the coupling ψ")
        legend_above(ax, ncol=2)
        ax = self.ax_prof
        self.prof_lines = [track(ax.plot([], [], "o-", ms=3, color=c)[0])
                           for c in COMPONENT_COLOURS]
        self.target_lines = [track(ax.plot([], [], "--", color=c, lw=1.2)[0])
                             for c in COMPONENT_COLOURS]
        ax.axhline(0.0, color=OKABE_ITO["grey"], lw=0.6)
        ax.set_xlabel("time step t")
        legend_above(ax, [self.prof_lines[0], self.target_lines[0]],
                     ["gauge field after step j", "target: the exact optimum"], ncol=2)

    def _recorder(self, s):
        run, starts = self._recorders.get_or((s["model"], s["seed"]),
                                             lambda: ggd.phase_recorder(s["model"], s["seed"]))
        starts.advance_to_phase(run, s["phase"])
        return run, starts

    def _set_step_max(self, k2):
        """The step slider ends at k2; changing its range must not refresh the panel."""
        step = self.controls["step"]
        if step.max != k2:
            self._holding, held = True, self._holding
            try:
                step.max = k2
            finally:
                self._holding = held

    def reset(self):
        self._set_step_max(K2_MAX)  # so that the default step is not clipped by the current k2
        super().reset()

    def set(self, **values):
        self._set_step_max(K2_MAX)
        super().set(**values)

    def update(self, changed=None):
        s = self.state
        if changed == "step" and getattr(self, "trace", None) is not None:
            self._show_step()
            return
        run, starts = self._recorder(s)
        p = min(s["phase"], len(starts.phases))
        if p == 0:
            raise RuntimeError("the run diverged before its first gauge phase")
        ph = starts.phases[p - 1]
        raw = ph["gauge_raw"] if s["warm_start"] else None
        self.trace = tr = gc.dissect_phase(ph["Z"], run.model.coupling, s["k2"], s["step_scale"],
                                           raw, s["precondition"])
        self.phase_info = (p, ph["iteration"], run.model)
        self._set_step_max(s["k2"])
        steps = np.arange(tr.steps + 1)
        set_line(self.obj_line, steps, tr.objective)
        set_line(self.exact_line, steps, tr.exact)
        set_line(self.best_line, [0, max(tr.steps, 1)], [tr.best, tr.best])
        self.ax_obj.set_xlim(-0.5, max(tr.steps, 1) + 0.5)
        self.ax_obj.set_ylim(*limits.padded(*limits.data_range(tr.objective, tr.exact,
                                                               [tr.best, 0.0])))
        # every step's marker and gauge-field profile, as frames the step slider scrubs
        self.live.stack(self.now_marker, x=np.repeat(steps[:, None], 2, axis=1),
                        y=np.c_[tr.objective, tr.exact])
        comp = gc.generator_components(tr.gamma)  # (k2 + 1, T, k)
        target = gc.generator_components(tr.target)
        t = np.arange(run.model.T)
        for k, (line, tline) in enumerate(zip(self.prof_lines, self.target_lines)):
            on = k < comp.shape[2]
            line.set_visible(on)
            tline.set_visible(on)
            if on:
                set_line(tline, t, target[:, k])
                set_line(line, t, comp[0, :, k])
                self.live.stack(line, y=comp[:, :, k])
            else:
                self.live.stack(line)
        self.ax_prof.set_xlim(-0.5, run.model.T - 0.5)
        self.ax_prof.set_ylim(*limits.padded(*limits.data_range(comp, target, [0.0])))
        d = run.model.d
        self.ax_prof.set_ylabel(COMPONENT_AXIS.get(d, "gauge field (rad)"))
        self.ax_prof.set_title("gauge field after step j vs the twist it removes"
                               + (": x blue, y red, z green" if d == 3 else ""),
                               fontsize="small", pad=22)
        self.live.invalidate()
        self._show_step()

    def _show_step(self):
        """Set the artists to step j (what a static picture shows) and write the caption."""
        tr = self.trace
        j = min(self.controls["step"].value, tr.steps)
        set_line(self.now_marker, [j, j], [tr.objective[j], tr.exact[j]])
        comp = gc.generator_components(tr.gamma[j])
        t = np.arange(comp.shape[0])
        for k, line in enumerate(self.prof_lines[:comp.shape[1]]):
            set_line(line, t, comp[:, k])
        self._caption(j)

    def _caption(self, j):
        s, tr = self.state, self.trace
        p, it, model = self.phase_info
        T = model.T
        rate = 4 * s["step_scale"] / T
        parts = [
            f"{MODEL_LABEL[s['model']]}, seed {s['seed']}, gauge phase {p} (after {it:,} inner "
            f"steps of a Goldstone-GD run). Step size ρ′ = {tr.rho:.3g} ({s['step_scale']:.3g} × "
            f"P1 Eq. 17{'' if s['precondition'] else ' ÷ largest Laplacian eigenvalue, no L⁺'}).",
        ]
        if tr.exact[j] > 0:
            parts.append(f"After {j} of {tr.steps} steps these rotations would <b>raise</b> ψ by "
                         f"{tr.exact[j]:.3g}; the best rotation lowers it by {-tr.best:.3g}.")
        else:
            got = f"{100 * tr.exact[j] / tr.best:.0f} % of " if tr.best < 0 else ""
            parts.append(f"After {j} of {tr.steps} steps the exact coupling change is "
                         f"{tr.exact[j]:+.3g}, {got}the best rotation's {tr.best:+.3g}.")
        if s["precondition"] and abs(1 - rate) < 1:
            parts.append(f"With L⁺ every twist wavelength shrinks by about the same factor per "
                         f"step, q = 1 − 4s/T = {1 - rate:.3g} near the optimum.")
        elif s["precondition"]:
            parts.append(f"Here q = 1 − 4s/T = {1 - rate:.3g}: each step overshoots the target by "
                         f"more than it corrects, so the gauge fields oscillate and grow.")
        else:
            parts.append("Without L⁺ the short wiggles go first and the long half-wave barely "
                         "moves: the T² problem again, now inside the symmetry subspace.")
        parts.append(f"Transformation back: exp(Γ) leaves the local loss unchanged and gives "
                     f"ψ = {tr.psi_exp:.4g} (from {tr.psi_before:.4g}); I + Γ gives "
                     f"ψ = {tr.psi_linear:.4g} and stretches the embeddings by "
                     f"{100 * (tr.norm_growth_linear - 1):.2g} %.")
        if tr.diverged_at is not None:
            parts.append(f"<b>The gauge steps ran away at step {tr.diverged_at}</b> (step factor "
                         f"too large: beyond s = T/2 = {T / 2:.0f} the iteration oscillates and "
                         f"grows).")
        if s["warm_start"] and p > 1:
            parts.append("The phase starts from the previous phase's gauge fields, which were "
                         "already applied once: re-applying them acts like momentum and can "
                         "raise ψ.")
        self.set_caption(" ".join(parts))


def gauge_phase_panel(**kwargs):
    """One gauge phase of Goldstone-GD dissected (chapter 04).

    Parameters
    ----------
    model : {"xy", "replica"}
        The XY chain (d = 2, T = 32, λ = 1) or the P1 §5.1 replica (d = 3, T = 30, λ = 10).
    seed, phase, k2, step, step_scale, precondition, warm_start
        Initial (and Reset) values of the controls.

    Returns
    -------
    GaugePhasePanel
    """
    return GaugePhasePanel(**kwargs)
