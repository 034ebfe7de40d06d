"""Chapter 06's panels: from a gapless to a gapped spectrum, and what that does to convergence.

- :func:`higgs_spectrum_panel`: the curvature along local rotations (the symmetry subspace) at the
  aligned minimum of the d = 2 Mexican-hat chain, before and after P1's ``L^+`` preconditioning,
  with the condition numbers against T.
- :func:`higgs_convergence_panel`: iterations to converge against T for plain GD, heavy ball tuned
  to the spectrum, P1's Goldstone-GD and GD with the exact gauge step. The runs play live: each
  point appears when its run converges, and the fitted slopes follow.

The numbers come from :mod:`gauge_core.experiments` (``higgs_spectra``, ``spectrum_summary``,
``condition_curves``, ``convergence_runs``).
"""
from __future__ import annotations

import html

import numpy as np

import gauge_core as gc
from gauge_core import experiments as ex

from . import controls as C
from .base import Panel, live_figure, set_line
from .live import limits
from .live.player import Player
from .style import OKABE_ITO, THEORY_COLOUR, method_colour, method_label

__all__ = ["higgs_spectrum_panel", "higgs_convergence_panel"]


class HiggsSpectrumPanel(Panel):
    """Gapless Goldstone spectrum vs the flat spectrum after ``L^+`` preconditioning."""

    T_GRID = np.unique(np.round(np.geomspace(4, 256, 25)).astype(int))

    def __init__(self, T=32, lam=1.0):
        controls = {"T": C.T_control(T, lo=4, hi=128, step=4), "lam": C.coupling_control(lam)}
        fig, (self.ax_spec, self.ax_kappa) = live_figure(9.6, 4.2, 1, 2)
        fig.subplots_adjust(wspace=0.3, left=0.08, right=0.98, top=0.78, bottom=0.13)
        super().__init__("Gapless before, flat after: the spectrum along local rotations",
                         controls, fig)
        self._cache = ex.LRUCache(64)  # T -> spectra at lam = 1 (two eigen-decompositions per T)
        self._build()
        self.refresh(changed="init")

    def _build(self):
        ax, track = self.ax_spec, self.live.track
        cg, cx = method_colour("gd"), method_colour("gauge")
        self.l_radial = track(ax.plot([], [], "^", ms=3, color=OKABE_ITO["grey"],
                                      label="radial modes (gapped)")[0])
        self.l_theory = track(ax.plot([], [], "-", lw=1, color=THEORY_COLOUR,
                                      label="λ(2 − 2cos q) (dispersion)")[0])
        self.l_sym = track(ax.plot([], [], "o", ms=3, color=cg, label="rotations: Hessian H")[0])
        self.l_pre = track(ax.plot([], [], "s", ms=3, color=cx,
                                   label="rotations after L⁺: L⁺H")[0])
        ax.set_yscale("log")
        ax.set_xlim(0, 1.02)
        ax.set_xlabel("wave number q_ν / π = ν / T")
        ax.set_ylabel("eigenvalue")
        ax = self.ax_kappa
        self.k_full = track(ax.plot([], [], "-", color=cg, label="full Hessian (what GD sees)")[0])
        self.k_sym = track(ax.plot([], [], "--", color=OKABE_ITO["orange"],
                                   label="H on rotations")[0])
        self.k_pre = track(ax.plot([], [], "-", color=cx, label="L⁺H on rotations")[0])
        self.k_now = track(ax.plot([], [], "o", ms=7, mfc="none", color=THEORY_COLOUR,
                                   label="current T (numerical)")[0])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(3.5, 300)
        ax.set_xlabel("time steps T")
        ax.set_ylabel("condition number κ")
        ax.set_title("condition number against T")
        handles = [self.l_theory, self.l_sym, self.l_pre, self.l_radial, self.k_full, self.k_sym,
                   self.k_pre, self.k_now]
        self.fig.legend(handles, [h.get_label() for h in handles], loc="upper center", ncol=4,
                        fontsize="small", frameon=False, bbox_to_anchor=(0.5, 1.0))

    def update(self, changed=None):
        s = self.state
        T, lam = s["T"], s["lam"]
        sp = ex.scaled_spectra(self._cache.get_or(T, lambda: ex.higgs_spectra(T, 1.0)), lam)
        self.spectra = sp
        self.summary = ex.spectrum_summary(T, lam, sp)
        q = np.arange(1, T) / T
        set_line(self.l_sym, q, sp["sym"][1:])
        set_line(self.l_radial, q, sp["radial"][1:])
        set_line(self.l_theory, q, gc.dispersion(T, lam)[1:])
        set_line(self.l_pre, q, sp["pre"][1:])
        self.ax_spec.set_ylim(*limits.decades(0.5 * min(float(sp["sym"][1]), 1.0),
                                              2 * float(sp["radial"][-1])))
        title = f"T = {T}, λ = {lam:.3g} (zero mode ν = 0 not shown)"
        if self.ax_spec.get_title() != title:
            self.ax_spec.set_title(title)
            self.live.invalidate()
        sm = self.summary
        self.kappa = {"sym": sm["kappa_sym"], "pre": sm["kappa_pre"], "full": sm["kappa_full"]}
        Ts = self.T_GRID
        curves = ex.condition_curves(Ts, lam)
        set_line(self.k_full, Ts, curves["full"])
        set_line(self.k_sym, Ts, curves["sym"])
        set_line(self.k_pre, Ts, curves["pre"])
        set_line(self.k_now, [T, T, T], [self.kappa["full"], self.kappa["sym"], self.kappa["pre"]])
        self.ax_kappa.set_ylim(*limits.decades(0.5, 2 * float(curves["full"].max())))
        lo, hi = sm["pre_range"]
        self.set_caption(
            f"d = 2 Mexican-hat chain at its aligned minimum, T = {T}, λ = {lam:.3g}. Along local "
            f"rotations the curvature is the coupling's alone: its smallest non-zero eigenvalue is "
            f"h₁ = {sm['h1']:.3g} and its condition number κ = {sm['kappa_sym']:,.0f} "
            f"(≈ 4T²/π² = {sm['kappa_estimate']:,.0f}, whatever λ). GD also has to respect the "
            f"stiff radial modes up to {sm['radial_top']:.3g}: full κ = {sm['kappa_full']:,.0f}. "
            f"Preconditioned with L⁺ the rotation spectrum is flat: every non-zero eigenvalue of "
            f"L⁺H lies in [{lo:.6f}, {hi:.6f}], κ = {sm['kappa_pre']:.6f}. GD with "
            f"η = 1/(8 + 4λ) needs about {sm['gd_steps']:,.0f} steps to shrink the slowest "
            f"twist's loss a million-fold.")


def higgs_spectrum_panel(**kwargs):
    """Eigenvalues along local rotations before and after ``L^+`` preconditioning, and κ against T.

    Parameters
    ----------
    T, lam
        Initial (and Reset) values of the number of time steps and the coupling strength.

    Returns
    -------
    HiggsSpectrumPanel
    """
    return HiggsSpectrumPanel(**kwargs)


# ---------------------------------------------------------------------------------------------
T_LINE = np.unique(np.round(np.geomspace(8, 256, 30)).astype(int))
SHORT = {"gd": "plain GD", "momentum": "tuned momentum", "goldstone": "Goldstone-GD",
         "gauge": "exact gauge step"}


class HiggsConvergencePanel(Panel):
    """Iterations to converge against T on one log–log plot, filled in live as runs converge."""

    def __init__(self, lam=1.0):
        lam_control = C.coupling_control(lam, lo=-1, hi=1)
        lam_control.step = 0.5  # λ in {0.1, 0.316, 1, 3.16, 10}
        controls = {"lam": lam_control}
        fig, self.ax = live_figure(9.6, 4.4)
        fig.subplots_adjust(left=0.085, right=0.64, top=0.92, bottom=0.12)
        super().__init__("Iterations to converge against T: gapless vs gapped", controls, fig)
        # three times the default budget: 18 runs share it, and a reader waits for the last
        # point (plain GD at T = 32: 8,600 iterations at λ = 1, 60,000 at λ = 0.1)
        self.player = Player(self.live, self._draw, restart=lambda: self.refresh("restart"),
                             budget=0.015)
        self._build()
        self.refresh(changed="init")

    def _build(self):
        ax, track = self.ax, self.live.track
        self.l_theory = track(ax.plot([], [], "--", color=method_colour("gd"), lw=1.2,
                                      label="plain GD, theory\nln(10⁶)/(−2 ln(1 − ηh₁))")[0])
        self.pts = {m: track(ax.plot([], [], "o-" if m != "gd" else "o", ms=6,
                                     color=method_colour(m))[0])
                    for m in ex.CONVERGENCE_METHODS}
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("time steps T")
        ax.set_ylabel("iterations until loss ≤ 10⁻⁶ × start")
        ax.set_xlim(6, 300)
        ax.set_xticks([8, 16, 32, 64, 128, 256], ["8", "16", "32", "64", "128", "256"])
        ax.minorticks_off()

    def update(self, changed=None):
        lam = float(self.state["lam"])
        self.lam = lam
        self.runs = ex.convergence_runs(lam)
        keyed = {f"{SHORT[m]}, T = {T}": r for (m, T), r in self.runs.items()}
        total = max(r.cap for r in self.runs.values())
        for r in self.runs.values():
            r.finish_line = total
        self.theory = ex.predicted_gd_curve(T_LINE, lam)
        set_line(self.l_theory, T_LINE, self.theory)
        self.ax.set_ylim(*limits.decades(5.0, 2 * float(self.theory.max())))
        title = (f"λ = {lam:.3g}: GD and inner GD η = 1/(8 + 4λ) = {ex.stable_lr(lam):.3g}, "
                 f"k₁ = k₂ = {ex.HIGGS_SETTINGS['k1']}")
        if self.ax.get_title() != title:
            self.ax.set_title(title, fontsize="medium")
        self._labels = None
        self.player.start(keyed, total)
        self._draw()

    def _draw(self):
        data = ex.collect_convergence(self.runs)
        self.data = data
        self.slopes = ex.convergence_slopes({m: v for m, v in data.items() if len(v[0]) >= 3})
        labels = []
        for m, line in self.pts.items():
            T, k = data.get(m, (np.zeros(0), np.zeros(0)))
            set_line(line, T, k)
            slope = f", slope {self.slopes[m]:.2f}" if m in self.slopes else ""
            labels.append(f"{method_label(m)}{slope}")
        if labels != self._labels:  # a new point changed a slope: the legend is redrawn once
            self._labels = labels
            handles = [self.l_theory, *self.pts.values()]
            # beside the plot, not on it: the points land anywhere in the axes
            self.ax.legend(handles, [self.l_theory.get_label(), *labels], loc="upper left",
                           bbox_to_anchor=(1.02, 1.0), fontsize="small", frameon=False)
            self.live.invalidate()
        self._caption()

    def _caption(self):
        d, lam = self.data, self.lam
        n_done = sum(r.finished for r in self.runs.values())
        parts = [f"The d = 2 Mexican-hat chain (λ = {lam:.3g}) starts in its slowest Goldstone "
                 f"twist (amplitude 1 rad); a run has converged when its loss is 10⁻⁶ of the start. "
                 f"{n_done} of {len(self.runs)} runs have finished; each point appears when its "
                 f"run converges."]
        if "gd" in d:
            T, k = d["gd"]
            pred = ex.predicted_gd_curve(T, lam)
            err = float(np.max(np.abs(k / pred - 1)))
            parts.append(f"Plain GD is simulated for T ≤ {max(ex.HIGGS_SETTINGS['gd_T'])} only and matches "
                         f"the dashed theory to {100 * err:.2f} % so far; beyond that the line is "
                         f"the prediction, {self.theory[-1]:,.0f} iterations at T = {T_LINE[-1]}.")
        for m in ("momentum", "goldstone", "gauge"):
            if m in d:
                T, k = d[m]
                parts.append(f"{method_label(m)}: {int(k[0]):,} iterations at T = {T[0]}, "
                             f"{int(k[-1]):,} at T = {T[-1]}.")
        if "momentum" in self.slopes and "gauge" in self.slopes:
            parts.append(f"Tuned momentum grows like √κ ∝ T (slope {self.slopes['momentum']:.2f}); "
                         f"the exact gauge step does not grow (slope {self.slopes['gauge']:.2f}).")
        self.set_caption(html.escape(" ".join(parts)))


def higgs_convergence_panel(**kwargs):
    """Iterations to converge against T for GD, tuned momentum, Goldstone-GD and the exact gauge
    step, played live (each point appears when its run converges).

    Parameters
    ----------
    lam : float
        Initial (and Reset) coupling strength, one of 0.1, 0.316, 1, 3.16, 10.

    Returns
    -------
    HiggsConvergencePanel
    """
    return HiggsConvergencePanel(**kwargs)
