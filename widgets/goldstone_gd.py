"""Chapter 04's panels: P1's Algorithm 1 taken apart, its knobs, and the P1 §5.1 replica.

* :func:`gauge_phase_panel`: one gauge phase dissected. Step through the ``k2`` natural-gradient
  steps and watch ``L''`` fall and the gauge-field profile approach the twist it removes.
* :func:`goldstone_knobs_panel`: Goldstone-GD on the replica with every knob of Algorithm 1
  (``k1``, ``k2``, step factor, ``exp`` or ``I + Gamma``, warm start, inner optimiser) against
  the plain inner optimiser and P1's own setting.
* :func:`replica_panel`: the P1 §5.1 replica: loss curves of GD, Adam and Goldstone-GD, each
  embedding vector's path through time in 3-D (P1 Fig. 2), and the histogram of
  ``cos(z_1, z_T)`` (P1 Fig. 4).
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

import gauge_core as gc
from gauge_core.experiments import P1_SETTINGS, LRUCache, p1_replica

from . import controls as C
from .base import Panel, autoscale, make_figure, positive, set_line
from .runner import ChunkedRuns
from .style import OKABE_ITO, TIME_CMAP, THEORY_COLOUR, method_colour, method_label

__all__ = ["gauge_phase_panel", "goldstone_knobs_panel", "replica_panel"]

COMPONENT_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["green"])
COMPONENT_AXIS = {2: "gauge angle φ_t (rad)",
                  3: "rotation vector of Γ_t (rad): x blue, y red, z green"}
XY = dict(T=32, lam=1.0, lr=0.02, k1=50)  # the XY chain of chapters 00 and 03


def _walls_text(n):
    return "no reflection wall" if n == 0 else f"{n} reflection wall{'s' if n > 1 else ''}"


# ------------------------------------------------------------------------------------------------
class GaugePhasePanel(Panel):
    """One gauge phase of Goldstone-GD, step by step (P1 Algorithm 1, lines 6–9).

    A Goldstone-GD run with P1's settings is recorded up to the chosen phase (cached per model and
    seed); the phase is then replayed with the panel's ``k2``, step factor, preconditioner and
    warm start. Left: ``L''`` (P1 Eq. 14) and the exact change of the coupling after each gauge
    step, with the best any rotation can do. Right: the gauge-field profile after step ``j``
    against the profile of the exact optimum (the twist the phase removes).
    """

    def __init__(self, model="xy", seed=0, phase=4, k2=10, step=10, step_scale=0.25,
                 precondition=True, warm_start=False):
        controls = {
            "model": C.dropdown("model", [("XY chain (d = 2, T = 32)", "xy"),
                                          ("P1 §5.1 replica (d = 3, T = 30)", "replica")], model,
                                width="300px"),
            "seed": C.seed_control(seed),
            "phase": C.int_slider("gauge phase p", phase, 1, 30),
            "k2": C.int_slider("k₂ (gauge steps)", k2, 1, 50),
            "step": C.int_slider("show step j", step, 0, max(k2, 1)),
            "step_scale": C.log_slider("step factor s", step_scale, -2, 2, step=0.05, fmt=".3g"),
            "precondition": C.toggles("preconditioner", [("L⁺ (natural gradient)", True),
                                                         ("none (plain gradient)", False)],
                                      precondition),
            "warm_start": C.toggles("phase starts from", [("previous Γ̃ (P1)", True),
                                                          ("Γ̃ = 0", False)], warm_start),
        }
        fig, (self.ax_obj, self.ax_prof) = make_figure(10.0, 3.9, 1, 2)
        fig.subplots_adjust(wspace=0.3, left=0.08, right=0.98, top=0.88, bottom=0.15)
        self._recorders = LRUCache(8)
        super().__init__("One gauge phase, dissected (P1 Algorithm 1, lines 6–9)", controls, fig)
        self._build_artists()
        self.refresh(changed="model")

    def _build_artists(self):
        ax = self.ax_obj
        self.obj_line = ax.plot([], [], "o-", ms=3, color=method_colour("goldstone"),
                                label="L''(Γ)  (P1 Eq. 14)")[0]
        self.exact_line = ax.plot([], [], "s--", ms=3, color=OKABE_ITO["blue"],
                                  label="exact ψ(e^Γ Z) − ψ(Z)")[0]
        self.best_line = ax.plot([], [], ":", color=THEORY_COLOUR,
                                 label="best rotation (exact gauge step)")[0]
        self.now_marker = ax.plot([], [], "o", ms=9, mfc="none", mec=THEORY_COLOUR)[0]
        ax.axhline(0.0, color=OKABE_ITO["grey"], lw=0.6)
        ax.set_xlabel("gauge step j")
        ax.set_ylabel("change of the coupling ψ")
        ax.legend(loc="best", fontsize="small")
        ax = self.ax_prof
        self.prof_lines = [ax.plot([], [], "o-", ms=3, color=c)[0] for c in COMPONENT_COLOURS]
        self.target_lines = [ax.plot([], [], "--", color=c, lw=1.2)[0] for c in COMPONENT_COLOURS]
        ax.axhline(0.0, color=OKABE_ITO["grey"], lw=0.6)
        ax.set_xlabel("time step t")
        ax.set_ylabel("gauge field (rad)")
        ax.legend([self.prof_lines[0], self.target_lines[0]],
                  ["after step j", "target: exact optimum"], loc="upper right", fontsize="small")

    def _widen_step(self):
        """Let the step slider reach 50 before several controls change at once, so that a new
        ``step`` is not clipped by the old ``k2``."""
        self._holding, held = True, self._holding
        try:
            self.controls["step"].max = 50
        finally:
            self._holding = held

    def reset(self):
        self._widen_step()
        super().reset()

    def set(self, **values):
        self._widen_step()
        super().set(**values)

    @staticmethod
    def _make_recorder(model_name, seed):
        """A Goldstone-GD run with P1's settings that keeps the start of every gauge phase."""
        starts = gc.PhaseStarts()
        if model_name == "xy":
            model = gc.MexicanHatChain(XY["T"], XY["lam"], d=2, N=1)
            Z0 = model.random_init(np.random.default_rng(seed))
            run = gc.Run(model, Z0, "goldstone", lr=XY["lr"], k1=XY["k1"], k2=10,
                         recorders=[starts])
        else:
            rep = p1_replica(seed)
            run = gc.Run(rep.model, rep.Z0, "goldstone", recorders=[starts],
                         **P1_SETTINGS["goldstone"])
        return run, starts

    def _recorder(self, s):
        run, starts = self._recorders.get_or((s["model"], s["seed"]),
                                             lambda: self._make_recorder(s["model"], s["seed"]))
        starts.advance_to_phase(run, s["phase"])
        return run, starts

    def update(self, changed=None):
        s = self.state
        rec, starts = self._recorder(s)
        p = min(s["phase"], len(starts.phases))
        if p == 0:
            raise RuntimeError("the run diverged before its first gauge phase")
        ph = starts.phases[p - 1]
        raw = ph["gauge_raw"] if s["warm_start"] else None
        self.trace = tr = gc.dissect_phase(ph["Z"], rec.model.coupling, s["k2"], s["step_scale"],
                                           raw, s["precondition"])
        self.phase_info = (p, ph["iteration"], rec)
        step = self.controls["step"]
        if step.max != s["k2"]:  # the step slider ends at k2 (changing it must not refresh)
            self._holding, held = True, self._holding
            try:
                step.max = s["k2"]
            finally:
                self._holding = held
        j = min(step.value, tr.steps)
        steps = np.arange(tr.steps + 1)
        set_line(self.obj_line, steps, tr.objective)
        set_line(self.exact_line, steps, tr.exact)
        set_line(self.best_line, [0, max(tr.steps, 1)], [tr.best, tr.best])
        set_line(self.now_marker, [j, j], [tr.objective[j], tr.exact[j]])
        self.ax_obj.set_xlim(-0.5, max(tr.steps, 1) + 0.5)
        autoscale(self.ax_obj, x=False)
        self.ax_obj.set_title(f"phase {p} (after iteration {ph['iteration']:,}): "
                              f"L'' and ψ, step {j} of {tr.steps}")
        d = rec.model.d
        comp = gc.generator_components(tr.gamma[j])
        target = gc.generator_components(tr.target)
        t = np.arange(rec.model.T)
        for k, (line, tline) in enumerate(zip(self.prof_lines, self.target_lines)):
            on = k < comp.shape[1]
            line.set_visible(on)
            tline.set_visible(on)
            if on:
                set_line(line, t, comp[:, k])
                set_line(tline, t, target[:, k])
        autoscale(self.ax_prof)
        self.ax_prof.set_ylabel(COMPONENT_AXIS[d] if d in COMPONENT_AXIS else "gauge field (rad)")
        self.ax_prof.set_title(f"gauge field after step {j} vs the twist it removes")
        self._caption(s, tr, j, p, ph["iteration"])

    def _caption(self, s, tr, j, p, it):
        T = self.phase_info[2].model.T
        rate = 4 * s["step_scale"] / T
        got = tr.exact[j] / tr.best if tr.best < 0 else float("nan")
        parts = [
            f"{'XY chain' if s['model'] == 'xy' else 'P1 §5.1 replica'}, seed {s['seed']}, gauge "
            f"phase {p} (after {it:,} inner steps of a Goldstone-GD run with P1's settings). "
            f"Step size ρ' = {tr.rho:.3g} ({s['step_scale']:.3g} × P1 Eq. 17"
            f"{'' if s['precondition'] else ' ÷ largest Laplacian eigenvalue, no L⁺'}).",
        ]
        if tr.exact[j] > 0:
            parts.append(f"After {j} of {tr.steps} steps these rotations would <b>raise</b> ψ by "
                         f"{tr.exact[j]:.3g}; the best rotation lowers it by {-tr.best:.3g}.")
        else:
            parts.append(f"After {j} of {tr.steps} steps the exact coupling change is "
                         f"{tr.exact[j]:+.3g}, {'' if np.isnan(got) else f'{100 * got:.0f} % of'} "
                         f"the best rotation's {tr.best:+.3g}.")
        if s["precondition"] and abs(1 - rate) < 1:
            parts.append(f"With L⁺ every twist wavelength shrinks by about the same factor per "
                         f"step, 1 − 4s/T = {1 - rate:.3g} near the optimum.")
        elif s["precondition"]:
            parts.append(f"Here 1 − 4s/T = {1 - rate:.3g}: each step overshoots the target by more "
                         f"than it corrects, so the gauge fields oscillate and grow.")
        else:
            parts.append("Without L⁺ the short wiggles go first and the long half-wave barely "
                         "moves: the T² problem again, now inside the symmetry subspace.")
        parts.append(f"Transformation back: exp(Γ) leaves the local loss unchanged and gives "
                     f"ψ = {tr.psi_exp:.4g} (from {tr.psi_before:.4g}); I + Γ gives "
                     f"ψ = {tr.psi_linear:.4g} and stretches the embeddings by "
                     f"{100 * (tr.norm_growth_linear - 1):.2g} %.")
        if tr.diverged_at is not None:
            parts.append(f"<b>The gauge steps ran away at step {tr.diverged_at}</b> (step factor "
                         f"too large: beyond about s = T/2 = {T / 2:.0f} the iteration "
                         f"oscillates and grows).")
        if s["warm_start"] and p > 1:
            parts.append("The phase starts from the previous phase's gauge fields, which were "
                         "already applied: re-applying them acts like momentum and can raise ψ.")
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


# ------------------------------------------------------------------------------------------------
INNER = {"gd": ("GD, clipped, decaying (P1 §5.1)", P1_SETTINGS["gd"]),
         "adam": ("Adam, step 0.01", P1_SETTINGS["adam"])}


class GoldstoneKnobsPanel(Panel):
    """Goldstone-GD's knobs on the P1 §5.1 replica, against the plain inner optimiser.

    Three runs from the same start: the inner optimiser alone, Goldstone-GD with P1's setting
    (k1 = 50, k2 = 10, 0.25 × Eq. 17, exact exponential, warm start) and Goldstone-GD with the
    panel's setting. Left: the loss; right: the coupling ψ, the part a gauge phase acts on.
    """

    def __init__(self, seed=0, k1=50, k2=10, step_scale=0.25, apply="exp", warm_start=True,
                 inner="gd", steps=2000):
        controls = {
            "seed": C.seed_control(seed),
            "inner": C.dropdown("inner optimiser", [(v[0], k) for k, v in INNER.items()], inner,
                                width="300px"),
            "k1": C.k1_control(k1, 1, 200),
            "k2": C.int_slider("k₂ (gauge steps)", k2, 0, 50),
            "step_scale": C.dropdown("step factor s", [("0.1", 0.1), ("0.25 (authors' code)", 0.25),
                                                       ("1 (P1 Eq. 17 as printed)", 1.0),
                                                       ("4", 4.0), ("16", 16.0)], step_scale),
            "apply": C.toggles("back-transformation", [("exp(Γ) exact", "exp"),
                                                       ("I + Γ (P1 line 9)", "linear")], apply),
            "warm_start": C.toggles("gauge fields", [("warm start (P1)", True),
                                                     ("reset to 0", False)], warm_start),
            "steps": C.dropdown("iterations", [1000, 2000, 3000, 5000], steps),
        }
        fig, (self.ax_loss, self.ax_psi) = make_figure(10.0, 3.8, 1, 2)
        fig.subplots_adjust(wspace=0.28, left=0.08, right=0.98, top=0.9, bottom=0.15)
        self.runner = ChunkedRuns(self._draw)
        super().__init__("Goldstone-GD's knobs on the P1 §5.1 replica", controls, fig,
                         extra=[self.runner.box])
        self._build_artists()
        self.refresh(changed="seed")

    KINDS = ("baseline", "P1 Goldstone-GD", "your Goldstone-GD")

    def _build_artists(self):
        self.lines = {}
        for ax, what in ((self.ax_loss, "loss"), (self.ax_psi, "psi")):
            for kind in self.KINDS:
                style = dict(color=method_colour("goldstone"))
                if kind == "baseline":
                    style = dict(color=method_colour("gd"))
                elif kind == "P1 Goldstone-GD":
                    style.update(ls="--", lw=1.2)
                else:
                    style.update(color=OKABE_ITO["blue"], lw=1.8)
                self.lines[what, kind] = ax.plot([], [], label=kind, **style)[0]
            ax.set_yscale("log")
            ax.set_xlabel("iteration (inner steps)")
        self.lines["loss", "optimum"] = self.ax_loss.plot([], [], ":", color=THEORY_COLOUR,
                                                          label="optimum L*")[0]
        self.ax_loss.set_ylabel("loss L(Z)")
        self.ax_psi.set_ylabel("coupling ψ(Z)")
        self.ax_loss.set_title("loss")
        self.ax_psi.set_title("coupling ψ: what a gauge phase lowers")
        self._legend = self.ax_loss.legend(loc="upper right", fontsize="small")

    def update(self, changed=None):
        s = self.state
        self.rep = rep = p1_replica(s["seed"])
        name, inner = INNER[s["inner"]]
        opts = dict(inner)
        k2 = s["k2"]
        self.runs = {
            "baseline": gc.Run(rep.model, rep.Z0, s["inner"], **opts),
            "P1 Goldstone-GD": gc.Run(rep.model, rep.Z0, "goldstone", inner=s["inner"], k1=50,
                                      k2=10, **opts),
            "your Goldstone-GD": gc.Run(rep.model, rep.Z0, "goldstone", inner=s["inner"],
                                        k1=s["k1"], k2=k2, step_scale=s["step_scale"],
                                        apply=s["apply"], warm_start=s["warm_start"], **opts),
        }
        self.lines["loss", "baseline"].set_color(method_colour(s["inner"]))
        self.lines["psi", "baseline"].set_color(method_colour(s["inner"]))
        self._legend.get_texts()[0].set_text(f"{method_label(s['inner'])} alone")
        for handle in (self._legend.legend_handles[0],):
            handle.set_color(method_colour(s["inner"]))
        self.runner.start(self.runs, s["steps"])
        self._draw()

    def _draw(self):
        s = self.state
        for kind, run in self.runs.items():
            loss = run.loss
            psi = run.coupling_loss
            x = np.arange(loss.size)
            set_line(self.lines["loss", kind], x, positive(loss))
            set_line(self.lines["psi", kind], x, positive(psi))
        set_line(self.lines["loss", "optimum"], [0, s["steps"]], [self.rep.optimum] * 2)
        for ax in (self.ax_loss, self.ax_psi):
            ax.set_xlim(0, s["steps"])
            autoscale(ax, x=False)
        self._caption()
        self.fig.canvas.draw_idle()

    def _caption(self):
        s = self.state
        bits = []
        for kind, run in self.runs.items():
            w = len(gc.reflection_walls(run.Z))
            txt = (f"{kind}: loss {run.loss[-1]:.4g}, ψ {run.coupling_loss[-1]:.3g}"
                   f"{'' if w == 0 else ', ' + _walls_text(w)}")
            if run.diverged:
                txt += f" <b>(diverged at step {run.diverged_at})</b>"
            bits.append(txt)
        it = min(r.iteration for r in self.runs.values())
        text = (f"Replica seed {s['seed']}, inner optimiser: {INNER[s['inner']][0]}. Your setting: "
                f"k₁ = {s['k1']}, k₂ = {s['k2']}, step factor {s['step_scale']:g} × P1 Eq. 17, "
                f"{'exact exp(Γ)' if s['apply'] == 'exp' else 'I + Γ'}, "
                f"{'warm start' if s['warm_start'] else 'gauge fields reset each phase'}. "
                f"At iteration {it:,}: " + "; ".join(bits) +
                f". The optimum is L* = {self.rep.optimum:.4g}.")
        if any(len(gc.reflection_walls(r.Z)) for r in self.runs.values()):
            text += (" A reflection wall is a pair of neighbouring time steps that only a mirror "
                     "image can align: no rotation, so no gauge phase, removes it.")
        self.set_caption(text)


def goldstone_knobs_panel(**kwargs):
    """Goldstone-GD on the P1 §5.1 replica with every knob of Algorithm 1 (chapter 04).

    Parameters
    ----------
    seed, k1, k2, step_scale, apply, warm_start, inner, steps
        Initial (and Reset) values of the controls.

    Returns
    -------
    GoldstoneKnobsPanel
    """
    return GoldstoneKnobsPanel(**kwargs)


# ------------------------------------------------------------------------------------------------
SNAPSHOTS = (0, 100, 200, 400, 800, 1500, 3000, 5000)
BINS = np.linspace(-1.0, 1.0, 21)


class ReplicaPanel(Panel):
    """P1 §5.1 replica: GD, Adam and Goldstone-GD from the same random start.

    Top left: the loss (log). Top right: the histogram of ``cos(z_{1,i}, z_{T,i})`` over the
    N = 20 embedding vectors at the chosen iteration (P1 Fig. 4). Bottom: every embedding vector's
    path through the T = 30 time steps in 3-D, coloured by t, for GD and Goldstone-GD at the
    chosen iteration (P1 Fig. 2). A twisted vector draws an arc; an aligned one a dot.
    """

    METHODS = ("gd", "adam", "goldstone")

    def __init__(self, seed=0, adam_lr=0.01, snapshot=800, steps=3000):
        controls = {
            "seed": C.seed_control(seed),
            "adam_lr": C.dropdown("Adam step size", [0.003, 0.01, 0.03, 0.1], adam_lr,
                                  width="200px"),
            "steps": C.dropdown("iterations", [1500, 3000, 5000], steps, width="200px"),
            "snapshot": W.SelectionSlider(options=list(SNAPSHOTS), value=snapshot,
                                          description="show iteration", continuous_update=False,
                                          style={"description_width": "initial"},
                                          layout=W.Layout(width="300px")),
        }
        fig, _ = make_figure(10.0, 7.4, 1, 1)
        fig.delaxes(fig.axes[0])
        self.ax_loss = fig.add_subplot(2, 2, 1)
        self.ax_hist = fig.add_subplot(2, 2, 2)
        self.ax3d = {"gd": fig.add_subplot(2, 2, 3, projection="3d"),
                     "goldstone": fig.add_subplot(2, 2, 4, projection="3d")}
        fig.subplots_adjust(hspace=0.3, wspace=0.25, left=0.08, right=0.97, top=0.94, bottom=0.03)
        self.runner = ChunkedRuns(self._draw)
        super().__init__("P1 §5.1 replica: GD, Adam and Goldstone-GD (P1 Figs. 2 and 4)",
                         controls, fig, extra=[self.runner.box])
        self._build_artists()
        self.refresh(changed="seed")

    def _build_artists(self):
        ax = self.ax_loss
        self.loss_lines = {m: ax.plot([], [], color=method_colour(m), label=method_label(m))[0]
                           for m in self.METHODS}
        self.optimum_line = ax.plot([], [], ":", color=THEORY_COLOUR, label="optimum L*")[0]
        self.snap_line = ax.plot([], [], color=OKABE_ITO["grey"], lw=0.8)[0]
        ax.set_yscale("log")
        ax.set_xlabel("iteration")
        ax.set_ylabel("loss L(Z)")
        ax.legend(loc="upper right", fontsize="small")
        ax = self.ax_hist
        self.hist_lines = {m: ax.plot([], [], color=method_colour(m), lw=1.6,
                                     label=method_label(m))[0] for m in self.METHODS}
        ax.set_xlim(-1.02, 1.02)
        ax.set_xlabel("cos(z₁,ᵢ, z_T,ᵢ): first vs last time step")
        ax.set_ylabel("number of embedding vectors")
        ax.legend(loc="upper left", fontsize="small")
        self.scatter3d, self.paths3d = {}, {}
        from mpl_toolkits.mplot3d.art3d import Line3DCollection

        for m, ax in self.ax3d.items():
            self.paths3d[m] = Line3DCollection([np.zeros((2, 3))], colors=OKABE_ITO["grey"],
                                               linewidths=0.6)
            ax.add_collection3d(self.paths3d[m], autolim=False)
            self.scatter3d[m] = ax.scatter([0.0], [0.0], [0.0], s=5, c=[0.0], cmap=TIME_CMAP,
                                           vmin=0, vmax=1, depthshade=False)
            ax.tick_params(labelsize=7, pad=0)

    def update(self, changed=None):
        s = self.state
        if changed in ("snapshot",) and getattr(self, "runs", None):
            self._draw()
            return
        self.rep = rep = p1_replica(s["seed"])
        snaps = [k for k in SNAPSHOTS if k <= s["steps"]]
        adam = dict(P1_SETTINGS["adam"], lr=s["adam_lr"])
        self.runs = {
            "gd": gc.Run(rep.model, rep.Z0, "gd", snapshots=snaps, **P1_SETTINGS["gd"]),
            "adam": gc.Run(rep.model, rep.Z0, "adam", snapshots=snaps, **adam),
            "goldstone": gc.Run(rep.model, rep.Z0, "goldstone", snapshots=snaps,
                                **P1_SETTINGS["goldstone"]),
        }
        self.runner.start(self.runs, s["steps"])
        self._draw()

    def _at(self, run, k):
        """The configuration at iteration ``k`` if reached, else the latest one."""
        if k in run.snapshots:
            return run.snapshots[k], k
        return run.Z, run.iteration

    def _draw(self):
        s = self.state
        k = s["snapshot"]
        for m, run in self.runs.items():
            loss = run.loss
            set_line(self.loss_lines[m], np.arange(loss.size), positive(loss))
        set_line(self.optimum_line, [0, s["steps"]], [self.rep.optimum] * 2)
        self.ax_loss.set_xlim(0, s["steps"])
        autoscale(self.ax_loss, x=False)
        lo, hi = self.ax_loss.get_ylim()
        set_line(self.snap_line, [k, k], [lo, hi])
        self.ax_loss.set_ylim(lo, hi)
        self.ax_loss.set_title(f"loss; grey line: iteration {k:,}")
        self.shown = {}
        top = 1
        for m, run in self.runs.items():
            Z, at = self._at(run, k)
            cos = gc.alignment(Z)
            counts, _ = np.histogram(np.clip(cos, -1, 1), BINS)
            top = max(top, counts.max())
            x = np.repeat(BINS, 2)[1:-1]
            y = np.repeat(counts, 2).astype(float)
            set_line(self.hist_lines[m], np.r_[x[0], x, x[-1]], np.r_[0.0, y, 0.0])
            self.shown[m] = (Z, at, float(cos.mean()), len(gc.reflection_walls(Z)))
        self.ax_hist.set_ylim(0, top + 1)
        self.ax_hist.set_title(f"alignment of each vector at iteration {k:,}")
        T, _, N = self.rep.model.shape
        colours = np.repeat(np.arange(T) / (T - 1), N)  # time step of every point
        for m, ax in self.ax3d.items():
            Z, at, mean_cos, walls = self.shown[m]
            pts = np.transpose(Z, (2, 0, 1))  # (N, T, d): path of each vector through time
            self.paths3d[m].set_segments(list(pts))
            flat = np.transpose(Z, (0, 2, 1)).reshape(-1, 3)
            self.scatter3d[m]._offsets3d = (flat[:, 0], flat[:, 1], flat[:, 2])
            self.scatter3d[m].set_array(colours)
            lim = max(float(np.abs(Z).max()), 1e-3) * 1.05
            for setter in (ax.set_xlim3d, ax.set_ylim3d, ax.set_zlim3d):
                setter(-lim, lim)
            ax.set_title(f"{method_label(m)}, iteration {at:,}\nmean cos {mean_cos:.2f}, "
                         f"{_walls_text(walls)}", fontsize="small")
        self._caption(k)
        self.fig.canvas.draw_idle()

    def _caption(self, k):
        s = self.state
        bits = []
        for m, run in self.runs.items():
            Z, at, mean_cos, walls = self.shown[m]
            loss = run.loss[at]
            bits.append(f"{method_label(m)} loss {loss:.4g}, mean cos {mean_cos:.3f}"
                        f"{'' if walls == 0 else ', ' + _walls_text(walls)}")
        pending = [method_label(m) for m, run in self.runs.items() if k not in run.snapshots]
        text = (f"Replica seed {s['seed']} (d = 3, T = 30, λ = 10, N = 20 vectors); GD as P1 §5.1 "
                f"(clip 0.01, step 1, decay 100), Adam step {s['adam_lr']:g} (decay 1000), "
                f"Goldstone-GD k₁ = 50, k₂ = 10 with the same inner GD. At iteration {k:,}: "
                + "; ".join(bits) + f". Optimum L* = {self.rep.optimum:.4g}.")
        if pending:
            text += (f" (Not reached yet by {', '.join(pending)}: showing the latest iterate; "
                     f"press ▶.)")
        if any(v[3] for v in self.shown.values()):
            text += (" A reflection wall splits a vector's path into mirror-image clusters; "
                     "rotations cannot remove it.")
        self.set_caption(text)


def replica_panel(**kwargs):
    """The P1 §5.1 replica: loss curves, 3-D paths (P1 Fig. 2) and the alignment histogram
    (P1 Fig. 4) for GD, Adam and Goldstone-GD (chapter 04).

    Parameters
    ----------
    seed, adam_lr, snapshot, steps
        Initial (and Reset) values of the controls.

    Returns
    -------
    ReplicaPanel
    """
    return ReplicaPanel(**kwargs)
