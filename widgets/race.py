"""The race: every method side by side from the same start, live, on any of the book's models.

One panel class serves every chapter (:func:`race_panel`). The reader picks the model, the
coupling λ, T, the initialisation (random per step, aligned, gauge-fixed; scale, seed), the gauge
methods' inner optimiser and k₁, and which entrants race (toggle buttons). The figure shows the
loss, the coupling energy ψ and the alignment cos(z_first, z_last) of every entrant against
iteration, and the embeddings of up to four entrants; the caption names the winner and by how much,
from the live curves. Everything physical comes from :mod:`gauge_core.experiments.race`.
"""
from __future__ import annotations

import html

import ipywidgets as W
import numpy as np

from gauge_core.experiments import race as rc

from . import controls as C
from .base import Panel, live_figure, positive, set_line
from .live import limits
from .live.player import Player
from .style import TIME_CMAP, method_colour, method_label

__all__ = ["race_panel"]

PICTURES = 4  # embedding pictures shown at most
STEPS = {"hat": 5000, "replica": 3000, "ratings": 1500, "sotu": 300, "movielens": 300}
T_RANGE = {"hat": (4, 256, 4), "replica": (4, 60, 2), "ratings": (4, 40, 2), "sotu": (4, 40, 2),
           "movielens": (4, 40, 2)}
INNER_DEFAULT = {"hat": "gd", "replica": "gd", "ratings": "adagrad", "sotu": "adam",
                 "movielens": "adagrad"}
SHORT = {"gd": "GD", "momentum": "momentum", "nesterov": "Nesterov", "adam": "Adam",
         "adagrad": "AdaGrad", "goldstone": "Goldstone-GD", "gauge": "exact gauge step",
         "gauge_start": "gauge-fixed start", "procrustes": "post-hoc Procrustes"}
TOL = 1e-6
LAM_DEFAULT = {"hat": 1.0, "replica": 10.0, "ratings": 10.0, "sotu": 3.0,
               "movielens": 10.0}  # the chapters' (and P1's) values


class RacePanel(Panel):
    """Several optimisers from one start, live: loss, ψ, alignment and embedding pictures."""

    def __init__(self, model="hat", racers=("gd", "momentum", "goldstone", "gauge"), lam=None,
                 T=None, init="random", scale=1.0, seed=0, k1=50, inner=None, steps=None,
                 ring=False, title=None):
        if model not in rc.MODELS:
            raise ValueError(f"model must be one of {list(rc.MODELS)}, got {model!r}")
        self.ring = bool(ring)
        lam = LAM_DEFAULT[model] if lam is None else lam
        lo, hi, step = T_RANGE[model]
        T = T or {"hat": 64, "replica": 30, "ratings": 20}.get(model, 20)
        controls = {
            "model": C.dropdown("model", [("Mexican-hat chain", "hat"),
                                          ("P1 §5.1 factorisation", "replica"),
                                          ("sparse logistic ratings", "ratings"),
                                          ("SOTU word embeddings (real)", "sotu"),
                                          ("MovieLens ratings (real)", "movielens")], model),
            "lam": C.coupling_control(lam, lo=-2, hi=2),
            "T": C.int_slider("time steps T", T, lo, hi, step),
            "init": C.dropdown("initialisation", [("random per step", "random"),
                                                  ("aligned (no twist)", "aligned"),
                                                  ("gauge-fixed", "gauge-fixed")], init),
            "scale": C.scale_control(scale),
            "seed": C.seed_control(seed),
            "inner": C.dropdown("inner optimiser", [(SHORT[m], m) for m in rc.PLAIN],
                                inner or INNER_DEFAULT[model]),
            "k1": C.k1_control(k1, 1, 200),
            "steps": C.dropdown("iterations", [300, 1000, 1500, 3000, 5000, 20000],
                                steps or STEPS[model]),
        }
        available = [r for r in rc.RACERS if not (ring and r in ("gauge", "gauge_start",
                                                                  "procrustes"))]
        for r in available:
            controls[f"race_{r}"] = W.ToggleButton(
                value=r in racers, description=SHORT[r], tooltip=f"race {SHORT[r]}",
                layout=W.Layout(width="auto"))
        fig, _ = live_figure(9.6, 6.0, 0, 0)
        grid = fig.add_gridspec(2, PICTURES, height_ratios=(1.15, 1.0), hspace=0.45, wspace=0.3,
                                left=0.07, right=0.98, top=0.86, bottom=0.04)
        # the legend has a strip of its own above the plots: it never covers a curve
        self.ax_key = fig.add_axes((0.02, 0.93, 0.96, 0.06))
        self.ax_key.set_axis_off()
        top = grid[0, :].subgridspec(1, 3, wspace=0.32)
        self.ax_loss, self.ax_psi, self.ax_align = (fig.add_subplot(top[0, k]) for k in range(3))
        self.ax_pics = [fig.add_subplot(grid[1, k]) for k in range(PICTURES)]
        super().__init__(title or "The race: every method from the same start", controls, fig)
        self.player = Player(self.live, self._draw, restart=lambda: self.refresh("restart"))
        self._build_artists()
        self.refresh(changed="init")

    # --- figure ---------------------------------------------------------------------------------
    def _build_artists(self):
        self.lines = {}
        for r in rc.RACERS:
            style = dict(color=method_colour(r), lw=1.6, ls="--" if r == "procrustes" else "-")
            self.lines[r] = {ax: self.live.track(ax.plot([], [], **style)[0])
                             for ax in (self.ax_loss, self.ax_psi, self.ax_align)}
        for ax, name in ((self.ax_loss, "loss"), (self.ax_psi, "coupling ψ(Z)")):
            ax.set_yscale("log")
            ax.set_xlabel("iteration")
            ax.set_title(name)
            ax.locator_params(axis="x", nbins=3)
        self.ax_align.set_title("alignment cos(z₀, z_T−1)")
        self.ax_align.set_xlabel("iteration")
        self.ax_align.set_ylim(-1.05, 1.05)
        self.ax_align.locator_params(axis="x", nbins=3)
        self.pics = []
        for ax in self.ax_pics:
            sc = self.live.track(ax.scatter(np.zeros(2), np.zeros(2), c=[0, 1], cmap=TIME_CMAP,
                                            s=10, vmin=0, vmax=1))
            ax.set_xticks([])
            ax.set_yticks([])
            self.pics.append(sc)

    def _racers(self):
        return [r for r in rc.RACERS if self.controls.get(f"race_{r}") is not None
                and self.controls[f"race_{r}"].value]

    def _label(self, r):
        inner = self.state["inner"]
        if r in ("goldstone", "gauge", "gauge_start") and inner != "gd":
            return f"{SHORT[inner]} + {SHORT[r]}"
        return method_label(r)

    # --- a new setting --------------------------------------------------------------------------
    def _fit_T_range(self, model):
        """Each model has its own range of T (set before T itself, so no value is clipped)."""
        lo, hi, step = T_RANGE[model]
        w = self.controls["T"]
        if (w.min, w.max, w.step) != (lo, hi, step):
            w.max = max(hi, w.max)  # widen first: min/max must stay ordered while they move
            w.min, w.max, w.step = lo, hi, step

    def reset(self):
        self._holding = True
        try:
            self._fit_T_range(self.defaults["model"])
        finally:
            self._holding = False
        super().reset()

    def update(self, changed=None):
        s = self.state
        if changed == "model":  # and the model's usual inner optimiser and run length
            self._holding = True
            try:
                self._fit_T_range(s["model"])
                self.controls["inner"].value = INNER_DEFAULT[s["model"]]
                self.controls["steps"].value = STEPS[s["model"]]
            finally:
                self._holding = False
            s = self.state
        self.controls["inner"].disabled = not any(
            r in ("goldstone", "gauge", "gauge_start") for r in self._racers())
        self.controls["k1"].disabled = not any(r in ("goldstone", "gauge")
                                               for r in self._racers())
        self.controls["T"].disabled = s["model"] in rc.REAL  # the data fix T
        self.problem = rc.race_problem(s["model"], s["T"], s["lam"], s["init"], s["scale"],
                                       s["seed"], self.ring)
        racers = self._racers()
        if not racers:  # not an error: the reader is choosing
            self.runs, self.left_out, self.shown = {}, {}, []
            self._set_axes()
            self.player.start({}, s["steps"])
            self.say("")
            self.set_caption("Choose at least one entrant to race (the buttons above).")
            return
        self.runs, self.left_out = rc.race_runs(self.problem, racers, s["inner"], s["k1"],
                                                s["steps"])
        self.shown = [r for r in racers if r in self.runs or (r == "procrustes" and "gd" in
                                                                self.runs)]
        if not self.shown:  # an honest answer, not an error: nothing stable to race here
            self._set_axes()
            self.player.start({}, s["steps"])
            self.set_caption("None of the chosen entrants can race from this start: " + "; ".join(
                f"{SHORT[k]}: {html.escape(v)}" for k, v in self.left_out.items()) + ".")
            return
        self._set_axes()
        self.live.invalidate()  # legends and titles follow the entrants
        self.player.start(self.runs, s["steps"])
        self._draw()

    def _set_axes(self):
        s = self.state
        # with a known minimum L* the loss axis shows the gap L - L* (convergence is visible on
        # a log axis); otherwise the loss itself
        known = self.problem.minimum is not None
        self.offset = self.problem.minimum if known else None
        loss0 = max([float(r.loss[0]) - (self.offset or 0.0) for r in self.runs.values()] or [1.0])
        psi0 = max([float(r.coupling_loss[0]) for r in self.runs.values()] or [1.0])
        self.floor = {"loss": max(loss0 * 1e-13, 1e-300),
                      "psi": max(psi0 * (1e-12 if known else 1e-4), 1e-300)}
        self.cap = {"loss": 1e3 * loss0, "psi": 1e3 * max(psi0, 1e-12)}
        for ax in (self.ax_loss, self.ax_psi, self.ax_align):
            ax.set_xlim(0, s["steps"])
        self.ax_loss.set_ylim(*limits.decades(self.floor["loss"], 2 * loss0))
        self.ax_loss.set_title("loss gap L − L*" if known else "L − (lowest L so far)")
        self.ax_psi.set_ylim(*limits.decades(self.floor["psi"], 2 * max(psi0, 1e-12)))
        handles = [self.lines[r][self.ax_loss] for r in self.shown]
        for r, h in zip(self.shown, handles):
            h.set_label(self._label(r))
        if self.ax_key.get_legend() is not None:
            self.ax_key.get_legend().remove()
        if handles:
            self.ax_key.legend(handles, [h.get_label() for h in handles], loc="center",
                               ncol=min(len(handles), 4), fontsize="small", frameon=False)
        for r, lines in self.lines.items():
            for line in lines.values():
                line.set_visible(r in self.shown)
                set_line(line, [], [])
        pics = self.shown[:PICTURES]
        for k, ax in enumerate(self.ax_pics):
            ax.set_visible(k < len(pics))
            if k < len(pics):
                ax.set_title(self._label(pics[k]), fontsize="small", color=method_colour(pics[k]))
        self._pic_limits = [None] * PICTURES

    # --- every frame ----------------------------------------------------------------------------
    def _curves(self, r):
        """``(x, loss, psi, (iterations, alignment))`` of an entrant so far."""
        run = self.runs["gd" if r == "procrustes" else r]
        trace = run.recorders[0]
        its = np.asarray(trace.iterations, dtype=float)
        if r == "procrustes":
            return (its, np.asarray(trace.post_loss), np.asarray(trace.post_coupling),
                    (its, np.asarray(trace.post_alignment)))
        x = np.arange(run.loss.size, dtype=float)
        return x, run.loss, run.coupling_loss, (its, np.asarray(trace.alignment))

    def _draw(self):
        if not self.shown:
            return
        offset = self.offset
        if offset is None:  # no known minimum: measure against the best any entrant has found
            offset = min(float(np.min(self._curves(r)[1])) for r in self.shown)
            offset -= self.floor["loss"]
        for r in self.shown:
            x, loss, psi, (its, align) = self._curves(r)
            lines = self.lines[r]
            for ax, curve, key in ((self.ax_loss, loss - offset, "loss"),
                                   (self.ax_psi, psi, "psi")):
                shown = positive(curve, floor=self.floor[key])
                set_line(lines[ax], x, shown)
                # a diverging entrant leaves through the top; it never squashes the others
                limits.widen(ax, "y", self.floor[key], min(float(shown.max()), self.cap[key]),
                             log=True)
            set_line(lines[self.ax_align], its, align)
        for k, r in enumerate(self.shown[:PICTURES]):
            run = self.runs["gd" if r == "procrustes" else r]
            Z = run.Z if r != "procrustes" else rc.post_hoc_alignment(self.problem.model,
                                                                      run.Z)[0]
            x, y, t = rc.embedding_points(self.problem, Z)
            self.pics[k].set_offsets(np.column_stack([x, y]))
            self.pics[k].set_array(t / max(t.max(), 1.0))
            top = 1.1 * float(max(np.abs(x).max(), np.abs(y).max(), 1e-9))
            ax = self.ax_pics[k]
            if self._pic_limits[k] is None:
                self._pic_limits[k] = top
                ax.set_xlim(-top, top)
                ax.set_ylim(-top, top)
            top = min(top, 10 * self._pic_limits[k])
            limits.widen(ax, "x", -top, top)
            limits.widen(ax, "y", -top, top)
        self._caption()

    def _caption(self):
        s = self.state
        curves = {}
        for r in self.shown:
            if r == "procrustes":
                continue
            curves[r] = self.runs[r].loss
        if not curves:
            self.set_caption("Post-hoc Procrustes aligns plain GD's embeddings after the fact: "
                             "switch on another entrant to race against.")
            return
        st = rc.standings(curves, self.problem.minimum, TOL)
        target = ("its exact minimum" if self.problem.minimum is not None
                  else "the lowest loss any entrant has reached")
        its = self.player.iteration
        head = (f"{html.escape(self.problem.model.__class__.__name__)}, T = "
                f"{self.problem.model.T}, λ = "
                f"{s['lam']:.3g}, {s['init']} start (scale {s['scale']:.2g}, seed {s['seed']}). ")
        win = st.winner()
        if win is None:
            best = min(curves, key=lambda r: float(curves[r][-1]))
            text = (f"After {its:,} iterations no entrant has closed its loss gap to {target} "
                    f"by a factor 10⁶ yet; lowest loss so far: <b>{self._label(best)}</b> "
                    f"({float(curves[best][-1]):.4g}).")
        else:
            name, n = win
            margin = st.margin()
            runner = st.finished[1] if len(st.finished) > 1 else None
            text = (f"<b>{self._label(name)}</b> closed its loss gap to {target} by a factor 10⁶ "
                    f"first, in {n:,} iterations")
            text += (f", {margin:.1f}× fewer than {self._label(runner[0])} ({runner[1]:,})."
                     if runner else "; no other entrant has yet.")
        notes = []
        for opt in ("momentum", "nesterov"):
            if opt in curves or (opt == self.state["inner"] and any(
                    r in curves for r in ("goldstone", "gauge", "gauge_start"))):
                t = rc.race_tuning(self.problem, opt)
                notes.append(f"{SHORT[opt]} tuned to the spectrum: η = {t['lr']:.3g}, β = "
                             f"{t['beta']:.3f} (h_max margin ×{t['margin']:g})")
        if "procrustes" in self.shown:
            notes.append("post-hoc Procrustes: GD's embeddings aligned after the fact, at every "
                         "frame (the dashed curve and its picture)")
        for r, why in self.left_out.items():
            notes.append(f"{SHORT[r]} left out: {html.escape(why)}")
        for r in curves:
            if self.runs[r].diverged:
                notes.append(f"<span style='color:#D55E00'>{self._label(r)} diverged at step "
                             f"{self.runs[r].diverged_at}</span>")
        self.set_caption(head + text + (" " + "; ".join(notes) + "." if notes else ""))


def race_panel(**kwargs):
    """The race panel: several optimisers from the same start, live, on one of the book's models.

    Parameters
    ----------
    model : {"hat", "replica", "ratings", "sotu", "movielens"}
        The Mexican-hat chain, P1 §5.1's dense factorisation, or a small sparse logistic
        factorisation of drifting ratings; or real data (chapter 09): SOTU word embeddings,
        MovieLens ratings (live sizes).
    racers : sequence of str
        Entrants switched on at the start, from ``gauge_core.experiments.race.RACERS``.
    lam, T, init, scale, seed, k1, inner, steps
        Initial (and Reset) values of the controls.
    ring : bool
        Close the hat chain into a ring (the exact gauge step then drops out).
    title : str, optional

    Returns
    -------
    RacePanel
    """
    return RacePanel(**kwargs)
