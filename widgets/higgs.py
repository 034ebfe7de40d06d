"""Chapter 06's panels: from a gapless to a gapped spectrum, and what that does to convergence.

- :func:`higgs_spectrum_panel`: the curvature along local rotations (the symmetry subspace) at the
  aligned minimum of the d = 2 Mexican-hat chain, before and after P1's ``L^+`` preconditioning,
  with the condition numbers against T.
- :func:`higgs_convergence_panel`: iterations to converge against T for plain GD (simulated for
  small T, theory beyond), P1's Goldstone-GD and GD with the exact gauge step (simulated up to
  T = 128), one log–log plot per coupling strength λ.
"""
from __future__ import annotations

import html

import numpy as np

import gauge_core as gc
from gauge_core.experiments import (LRUCache, collect_convergence, condition_curves,
                                    convergence_data, convergence_runs, higgs_spectra,
                                    power_law_slope, scaled_spectra, stable_lr)
from gauge_core.experiments.higgs import GD_T, K1, TOL

from . import controls as C
from .base import Panel, autoscale, make_figure, set_line
from .runner import ChunkedRuns
from .style import OKABE_ITO, THEORY_COLOUR, method_colour, method_label

__all__ = ["higgs_spectrum_panel", "higgs_convergence_panel", "convergence_data"]

# the physics lives in gauge_core.experiments.higgs; these names stay for the panel tests
spectra = higgs_spectra
_scaled = scaled_spectra
predicted_gd_iterations = gc.predicted_gd_iterations
fitted_slope = power_law_slope


class HiggsSpectrumPanel(Panel):
    """Gapless Goldstone spectrum vs the flat spectrum after ``L^+`` preconditioning."""

    T_GRID = np.unique(np.round(np.geomspace(4, 256, 25)).astype(int))

    def __init__(self, T=32, lam=1.0):
        controls = {"T": C.T_control(T, lo=4, hi=128, step=4), "lam": C.coupling_control(lam)}
        fig, (self.ax_spec, self.ax_kappa) = make_figure(10.0, 4.0, 1, 2)
        fig.subplots_adjust(wspace=0.3, left=0.08, right=0.98, top=0.9, bottom=0.13)
        super().__init__("Gapless before, flat after: the spectrum along local rotations",
                         controls, fig)
        self._cache = LRUCache(64)  # T -> spectra at lam = 1 (two eigen-decompositions per T)
        self._build()
        self.refresh(changed="init")

    def _build(self):
        ax = self.ax_spec
        cg, cx = method_colour("gd"), method_colour("gauge")
        self.l_radial = ax.plot([], [], "^", ms=3, color=OKABE_ITO["grey"],
                                label="radial modes (gapped)")[0]
        self.l_theory = ax.plot([], [], "-", lw=1, color=THEORY_COLOUR,
                                label="λ(2 − 2cos q) (dispersion)")[0]
        self.l_sym = ax.plot([], [], "o", ms=3, color=cg, label="rotations: Hessian H")[0]
        self.l_pre = ax.plot([], [], "s", ms=3, color=cx, label="rotations after L⁺: L⁺H")[0]
        ax.set_yscale("log")
        ax.set_xlabel("wave number q_ν / π = ν / T")
        ax.set_ylabel("eigenvalue")
        ax.legend(loc="lower right", fontsize="small")
        ax = self.ax_kappa
        self.k_full = ax.plot([], [], "-", color=cg, label="full Hessian (what GD sees)")[0]
        self.k_sym = ax.plot([], [], "--", color=OKABE_ITO["orange"], label="H on rotations")[0]
        self.k_pre = ax.plot([], [], "-", color=cx, label="L⁺H on rotations")[0]
        self.k_now = ax.plot([], [], "o", ms=7, mfc="none", color=THEORY_COLOUR,
                             label="current T (numerical)")[0]
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("time steps T")
        ax.set_ylabel("condition number κ")
        ax.set_title("condition number against T")
        ax.legend(loc="upper left", fontsize="small")

    def update(self, changed=None):
        s = self.state
        T, lam = s["T"], s["lam"]
        sp = scaled_spectra(self._cache.get_or(T, lambda: higgs_spectra(T, 1.0)), lam)
        self.spectra = sp
        q = np.arange(1, T) / T
        set_line(self.l_sym, q, sp["sym"][1:])
        set_line(self.l_radial, q, sp["radial"][1:])
        set_line(self.l_theory, q, gc.dispersion(T, lam)[1:])
        set_line(self.l_pre, q, sp["pre"][1:])
        autoscale(self.ax_spec)
        self.ax_spec.set_title(f"T = {T}, λ = {lam:.3g}: zero mode ν = 0 not shown")
        self.kappa = {"sym": gc.condition_number(sp["sym"]), "pre": gc.condition_number(sp["pre"]),
                      "full": gc.condition_number(np.concatenate([sp["sym"], sp["radial"]]))}
        Ts = self.T_GRID
        curves = condition_curves(Ts, lam)
        set_line(self.k_full, Ts, curves["full"])
        set_line(self.k_sym, Ts, curves["sym"])
        set_line(self.k_pre, Ts, curves["pre"])
        set_line(self.k_now, [T, T, T], [self.kappa["full"], self.kappa["sym"], self.kappa["pre"]])
        autoscale(self.ax_kappa)
        self.ax_kappa.set_ylim(0.5, None)
        steps = gc.predicted_gd_iterations(T, lam, stable_lr(lam))
        self.set_caption(
            f"d = 2 Mexican-hat chain at its aligned minimum, T = {T}, λ = {lam:.3g}. Along local "
            f"rotations the curvature is the coupling's alone: its smallest non-zero eigenvalue is "
            f"h₁ = {sp['sym'][1]:.3g} and its condition number κ = {self.kappa['sym']:,.0f} "
            f"(≈ 4T²/π² = {4 * T * T / np.pi ** 2:,.0f}, whatever λ). GD also has to respect the "
            f"stiff radial modes up to {sp['radial'][-1]:.3g}: full κ = {self.kappa['full']:,.0f}. "
            f"Preconditioned with L⁺ the rotation spectrum is flat: every non-zero eigenvalue of "
            f"L⁺H lies in [{sp['pre'][1]:.6f}, {sp['pre'][-1]:.6f}], κ = {self.kappa['pre']:.6f}. "
            f"GD with η = 1/(8 + 4λ) needs about {steps:,.0f} steps to shrink the slowest twist's "
            f"loss a million-fold.")


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
class HiggsConvergencePanel(Panel):
    """Iterations to converge against T, one log–log plot, for a few coupling strengths."""

    def __init__(self, lam=1.0):
        lam_control = C.coupling_control(lam, lo=-1, hi=1)
        lam_control.step = 0.5  # λ in {0.1, 0.316, 1, 3.16, 10}: each computed once, then cached
        controls = {"lam": lam_control}
        fig, self.ax = make_figure(7.0, 4.4)
        fig.subplots_adjust(left=0.12, right=0.97, top=0.9, bottom=0.12)
        self.runner = ChunkedRuns(self._draw, budget=0.06)
        super().__init__("Iterations to converge against T: gapless vs gapped", controls, fig,
                         extra=[self.runner.box])
        self._cache, self._pending = {}, {}
        self._build()
        # the canonical λ is computed now, so the figure is complete on first display
        self._cache[self._key(self.controls["lam"].value)] = convergence_data(
            self.controls["lam"].value)
        self.refresh(changed="init")

    @staticmethod
    def _key(lam):
        return round(float(np.log10(lam)), 3)

    def _build(self):
        ax = self.ax
        self.l_theory = ax.plot([], [], "--", color=method_colour("gd"), lw=1.2)[0]
        self.pts = {m: ax.plot([], [], "o-" if m != "gd" else "o", ms=6, color=method_colour(m))[0]
                    for m in ("gd", "goldstone", "gauge")}
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("time steps T")
        ax.set_ylabel("iterations until loss ≤ 10⁻⁶ × start")
        ax.set_xlim(6, 300)

    def update(self, changed=None):
        lam = self.state["lam"]
        key = self._key(lam)
        if key in self._cache:
            self.runner.play.playing = False
            self.runner.start({}, 0, autoplay=False)
        else:
            runs = self._pending.setdefault(key, convergence_runs(lam))
            total = max(r.cap for r in runs.values())
            for r in runs.values():
                r.finish_line = total
            self.runner.start(runs, total)
        self._draw()

    def _draw(self):
        lam = self.state["lam"]
        key = self._key(lam)
        if key in self._cache:
            data, done = self._cache[key], True
        else:
            runs = self._pending.get(key, {})
            data = collect_convergence(runs)
            done = bool(runs) and all(r.finished for r in runs.values())
            if done:
                self._cache[key] = data
                self._pending.pop(key, None)
        self.data = data
        Tgrid = np.unique(np.round(np.geomspace(8, 256, 30)).astype(int))
        theory = np.array([gc.predicted_gd_iterations(T, lam, stable_lr(lam), TOL) for T in Tgrid])
        set_line(self.l_theory, Tgrid, theory)
        self.l_theory.set_label("plain GD, theory ln(10⁶)/(−2 ln(1 − ηh₁))")
        self.slopes = {}
        for m, line in self.pts.items():
            T, k = data.get(m, (np.zeros(0), np.zeros(0)))
            set_line(line, T, k)
            if T.size >= 3:
                self.slopes[m] = power_law_slope(T, k)
            what = "simulated" if m != "gd" else f"simulated, T ≤ {max(GD_T)}"
            slope = f", slope {self.slopes[m]:.2f}" if m in self.slopes else ""
            line.set_label(f"{method_label(m)} ({what}{slope})")
        self.ax.legend(loc="upper left", fontsize="small")
        autoscale(self.ax, x=False)
        self.ax.set_title(f"λ = {lam:.3g}, η = 1/(8 + 4λ) = {stable_lr(lam):.3g}, k₁ = k₂ = {K1}")
        if done:
            self.say("")
        else:
            n = sum(r.finished for r in self._pending.get(key, {}).values())
            self.say(f"simulating λ = {lam:.3g} for the first time: {n} of "
                     f"{len(self._pending.get(key, {}))} runs finished (press ▶ if paused)")
        self._caption(lam, theory, Tgrid)
        self.fig.canvas.draw_idle()

    def _caption(self, lam, theory, Tgrid):
        d = self.data
        parts = [f"The d = 2 Mexican-hat chain (λ = {lam:.3g}) starts in its slowest Goldstone twist "
                 f"(amplitude 1 rad); a run has converged when its loss is 10⁻⁶ of the start."]
        if "gd" in d:
            T, k = d["gd"]
            pred = [gc.predicted_gd_iterations(t, lam, stable_lr(lam), TOL) for t in T]
            err = float(np.max(np.abs(k / np.array(pred) - 1)))
            parts.append(f"Plain GD is simulated for T ≤ {T.max()} only ({int(k.max()):,} "
                         f"iterations at T = {T.max()}) and matches the theory line to "
                         f"{100 * err:.2f} %; beyond that the dashed line is the prediction, "
                         f"{theory[-1]:,.0f} iterations at T = {Tgrid[-1]}.")
        for m in ("goldstone", "gauge"):
            if m in d:
                T, k = d[m]
                parts.append(f"{method_label(m)}: {int(k[0])} iterations at T = {T[0]}, "
                             f"{int(k[-1])} at T = {T[-1]}.")
        self.set_caption(html.escape(" ".join(parts)))


def higgs_convergence_panel(**kwargs):
    """Iterations to converge against T for GD, Goldstone-GD and the exact gauge step.

    Parameters
    ----------
    lam : float
        Initial (and Reset) coupling strength, one of 0.1, 0.316, 1, 3.16, 10.

    Returns
    -------
    HiggsConvergencePanel
    """
    return HiggsConvergencePanel(**kwargs)
