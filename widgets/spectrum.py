"""Chapter 03's spectrum panels: the gapless Goldstone branch and the ``T^2`` law it implies.

- :func:`spectrum_panel`: finite-difference Hessian eigenvalues at the aligned minimum on top of
  the dispersion curves (P2 Fig. 1b), the gapless angular branch and the gapped radial one.
- :func:`untwist_scaling_panel`: GD steps per e-fold of the slowest twist against ``T`` on
  log-log axes, with the fitted slope.

Neither panel optimises for long (each answer takes a few dozen milliseconds), so neither has a
player; the numbers come from :mod:`gauge_core.experiments` (``spectrum_check``,
``spectrum_curves``, ``untwist_scaling``).
"""
from __future__ import annotations

import math

import numpy as np

import gauge_core as gc
from gauge_core import experiments as ex

from . import controls as C
from .base import Panel, live_figure, positive, set_line
from .live import limits
from .style import OKABE_ITO, THEORY_COLOUR

__all__ = ["spectrum_panel", "untwist_scaling_panel"]

ANGULAR = OKABE_ITO["blue"]
RADIAL = OKABE_ITO["vermillion"]
PI_TICKS = ([0, np.pi / 4, np.pi / 2, 3 * np.pi / 4, np.pi], ["0", "π/4", "π/2", "3π/4", "π"])


class SpectrumPanel(Panel):
    """Hessian eigenvalues at the aligned minimum of the Mexican-hat chain against ``q = pi nu/T``.

    Left: the whole spectrum on linear axes, the angular (Goldstone) branch on the dispersion curve
    ``lam (2 - 2 cos q)`` and the radial branch on ``8 r^2 + lam (2 - 2 cos q)``. Right: the
    angular branch on log-log axes, where the gap ``h_1`` and the long-wave law ``lam q^2`` show.
    """

    T_MAX = 32  # the fd Hessian costs 4T gradient calls; 32 keeps a fresh setting near 30 ms

    def __init__(self, T=16, lam=1.0, radius=1.0):
        controls = {
            "T": C.T_control(T, lo=4, hi=self.T_MAX, step=4),
            "lam": C.coupling_control(lam),
            "radius": C.float_slider("radius r", radius, 0.2, 2.0, 0.05),
        }
        fig, (self.ax_lin, self.ax_log) = live_figure(9.6, 4.0, 1, 2)
        fig.subplots_adjust(left=0.07, right=0.98, top=0.76, bottom=0.14, wspace=0.27)
        self._cache = ex.LRUCache(24)
        super().__init__("The Goldstone spectrum: Hessian eigenvalues at the minimum", controls,
                         fig)
        self._build_artists()
        self.refresh(changed="init")

    def _build_artists(self):
        track = self.live.track
        self._q = np.linspace(0.0, np.pi, 200)
        ax = self.ax_lin
        self.curve_ang = track(ax.plot([], [], color=THEORY_COLOUR, lw=1.2,
                                       label="λ(2 − 2cos q)")[0])
        self.curve_rad = track(ax.plot([], [], "--", color=THEORY_COLOUR, lw=1.2,
                                       label="8r² + λ(2 − 2cos q)")[0])
        self.pts_ang = track(ax.plot([], [], "o", ms=4.5, color=ANGULAR,
                                     label="Hessian: angular (twist)")[0])
        self.pts_rad = track(ax.plot([], [], "s", ms=4, color=RADIAL, mfc="none",
                                     label="Hessian: radial")[0])
        ax.set_xlim(0, np.pi * 1.02)
        ax.set_xticks(*PI_TICKS)
        ax.set_xlabel("wave number q = πν/T")
        ax.set_ylabel("eigenvalue h")
        ax.set_title("whole spectrum")
        ax = self.ax_log
        self._qq = np.geomspace(np.pi / self.T_MAX * 0.8, np.pi, 200)
        self.log_curve = track(ax.plot([], [], color=THEORY_COLOUR, lw=1.2)[0])
        self.log_q2 = track(ax.plot([], [], ":", color=OKABE_ITO["grey"], lw=1.2,
                                    label="λq² (long waves)")[0])
        self.log_pts = track(ax.plot([], [], "o", ms=4.5, color=ANGULAR)[0])
        self.gap_line = track(ax.plot([], [], "-.", color=OKABE_ITO["green"], lw=1.0,
                                      label="gap h₁")[0])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(self._qq[0], np.pi * 1.1)
        ax.set_xlabel("wave number q = πν/T")
        ax.set_ylabel("angular eigenvalue h_ν, ν ≥ 1")
        # one legend strip above both plots: it never covers a point
        handles = [self.curve_ang, self.curve_rad, self.pts_ang, self.pts_rad, self.log_q2,
                   self.gap_line]
        self.fig.legend(handles, [h.get_label() for h in handles], loc="upper center", ncol=3,
                        fontsize="small", frameon=False, bbox_to_anchor=(0.5, 1.0))

    def _check(self, T, lam, r):
        key = (T, round(lam, 12), round(r, 12))
        return self._cache.get_or(key, lambda: ex.spectrum_check(T, lam, r))

    def update(self, changed=None):
        s = self.state
        T, lam, r = int(s["T"]), float(s["lam"]), float(s["radius"])
        c = self._check(T, lam, r)
        b = c.branches
        q_nu = np.pi * np.arange(T) / T
        curves = ex.spectrum_curves(self._q, lam, r)
        set_line(self.curve_ang, self._q, curves["angular"])
        set_line(self.curve_rad, self._q, curves["radial"])
        set_line(self.pts_ang, q_nu, b.angular)
        set_line(self.pts_rad, q_nu, b.radial)
        top = max(float(b.eigenvalues[-1]), float(curves["radial"].max()))
        self.ax_lin.set_ylim(-0.03 * top, 1.08 * top)
        log = ex.spectrum_curves(self._qq, lam, r)
        set_line(self.log_curve, self._qq, positive(log["angular"]))
        set_line(self.log_q2, self._qq, positive(log["long_wave"]))
        set_line(self.log_pts, q_nu[1:], positive(b.angular[1:]))
        set_line(self.gap_line, self.ax_log.get_xlim(), [c.gap, c.gap])
        self.ax_log.set_ylim(*limits.decades(0.5 * min(c.gap, float(log["long_wave"][0])),
                                             2 * float(log["long_wave"][-1])))
        title = f"angular branch, gap h₁ = {c.gap:.3g}"
        if self.ax_log.get_title() != title:
            self.ax_log.set_title(title)
            self.live.invalidate()
        self._caption(c)

    def _caption(self, c):
        self.set_caption(
            f"Mexican-hat chain with T = {c.T} steps, d = 2, N = 1, coupling λ = {c.lam:.3g}, "
            f"ring radius r = {c.radius:.3g}: the finite-difference Hessian at the aligned minimum "
            f"is {2 * c.T}×{2 * c.T}. It has <b>exactly {c.zero_modes} zero eigenvalue</b>"
            f"{'' if c.zero_modes == 1 else 's'} (the global rotation); its angular branch sits on "
            f"λ(2 − 2cos q) and its radial branch on 8r² + λ(2 − 2cos q) to within {c.error:.1e}. "
            f"Gap h₁ = {c.gap:.4g} (λπ²/T² = {c.gap_estimate:.4g}); condition number of the twist "
            f"branch h_(T−1)/h₁ = {c.kappa_twist:,.0f}, of the whole Hessian h_max/h₁ = "
            f"{c.kappa_full:,.0f}. The radial branch never drops below 8r² = "
            f"{c.radial_floor:.3g}: it is gapped, the twist branch is not.")


def spectrum_panel(**kwargs):
    """Chapter 03: Hessian eigenvalues at the aligned minimum on the dispersion curve (P2 Fig. 1b).

    Parameters
    ----------
    T : int
        Time steps (4–32; the finite-difference Hessian is ``2T x 2T``).
    lam : float
        Coupling strength.
    radius : float
        Radius ``r`` of the ring of minima (sets the radial gap ``8 r^2``).

    Returns
    -------
    SpectrumPanel
    """
    return SpectrumPanel(**kwargs)


# ================================================================================================
T_SCALING = (8, 16, 32, 64, 128, 256)
SIM_BUDGET = 400  # GD steps the panel may spend counting e-folds directly, per setting
RATE_STEPS = 20


class UntwistScalingPanel(Panel):
    """GD steps per e-fold of the slowest twist against ``T``, log-log, with the fitted slope.

    Small ``T`` are counted by running GD until ``c_1`` has shrunk by ``e`` (as long as the
    predicted steps fit a budget of ``SIM_BUDGET`` steps); the others are converted from the
    per-step factor measured in a ``RATE_STEPS``-step run. The line is ``-1/ln(1 - eta h_1)``.
    """

    def __init__(self, lam=1.0, lr=0.1):
        controls = {"lam": C.coupling_control(lam, lo=-1, hi=1),
                    "lr": C.lr_control(lr, lo=-3, hi=-0.3)}
        fig, self.ax = live_figure(6.4, 4.2)
        fig.subplots_adjust(left=0.14, right=0.97, top=0.9, bottom=0.13)
        self._cache = ex.LRUCache(16)
        self._Tline = np.unique(np.geomspace(6, 300, 40).astype(int))
        super().__init__("The T² law: GD steps to untwist against chain length", controls, fig)
        self._build_artists()
        self.refresh(changed="init")

    def _build_artists(self):
        ax, track = self.ax, self.live.track
        self.theory = track(ax.plot([], [], color=THEORY_COLOUR, lw=1.2,
                                    label="theory −1/ln(1 − ηh₁)")[0])
        self.fit = track(ax.plot([], [], ":", color=OKABE_ITO["grey"], lw=1.5,
                                 label="power-law fit")[0])
        self.sim = track(ax.plot([], [], "o", ms=7, color=RADIAL, label="counted by running GD")[0])
        self.rate = track(ax.plot([], [], "s", ms=7, mfc="none", mew=1.5, color=ANGULAR,
                                  label=f"from the decay factor of a {RATE_STEPS}-step run")[0])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(5, 330)
        ax.set_xticks(T_SCALING, [str(t) for t in T_SCALING])
        ax.minorticks_off()
        ax.set_xlabel("time steps T")
        ax.set_ylabel("GD steps per e-fold of the slowest twist")
        ax.legend(loc="upper left", fontsize="small", framealpha=0.9)

    def _scaling(self, lam, lr):
        key = (round(lam, 12), round(lr, 12))

        def make():
            sim, rate = ex.scaling_plan(lam, lr, T_SCALING, SIM_BUDGET)
            return ex.untwist_scaling(sim, rate, lam, lr, rate_steps=RATE_STEPS)

        return self._cache.get_or(key, make)

    def update(self, changed=None):
        s = self.state
        lam, lr = float(s["lam"]), float(s["lr"])
        res = self._scaling(lam, lr)
        line = gc.untwist_theory(self._Tline, lam, lr)
        fin = np.isfinite(line)
        set_line(self.theory, self._Tline[fin], line[fin])
        ok = res.ok
        set_line(self.sim, res.T[ok & res.simulated], res.iterations[ok & res.simulated])
        set_line(self.rate, res.T[ok & ~res.simulated], res.iterations[ok & ~res.simulated])
        fitted = math.isfinite(res.slope)
        self.fit.set_visible(fitted)
        if fitted:
            set_line(self.fit, self._Tline, res.fit(self._Tline))
        title = (f"fitted slope {res.slope:.3f} (theory → 2)" if fitted
                 else "no fit: too few measured points")
        if self.ax.get_title() != title:
            self.ax.set_title(title)
            self.live.invalidate()
        span = limits.data_range(line[fin], res.iterations[ok])
        self.ax.set_ylim(*limits.decades(*(span or (1.0, 10.0))))
        self._status(res, lam, lr)
        self._caption(lam, lr, res)

    def _status(self, res, lam, lr):
        bad = res.T[~res.ok]
        if bad.size:
            self.say(f"<span style='color:#D55E00'>GD diverged or did not finish for "
                     f"T = {', '.join(map(str, bad))}: η = {lr:.3g} is above the stability "
                     f"limit 2/h_max ≈ {gc.gd_stability_limit(int(bad[0]), lam):.3g}.</span>")
        elif lr > gc.gd_stability_limit(int(res.T.max()), lam):
            self.say(f"<span style='color:#D55E00'>Unstable: η = {lr:.3g} exceeds the stability "
                     f"limit 2/h_max ≈ {gc.gd_stability_limit(int(res.T.max()), lam):.3g}; the "
                     f"counts above are not the linear theory's.</span>")
        else:
            self.say("")

    def _caption(self, lam, lr, res):
        ok = res.ok

        def fmt(mask):
            return ", ".join(f"T = {t}: {k:,.0f} (theory {th:,.0f})" for t, k, th in
                             zip(res.T[mask], res.iterations[mask], res.theory[mask]))
        sim, rate = ok & res.simulated, ok & ~res.simulated
        text = f"λ = {lam:.3g}, η = {lr:.3g}; start twist_mode(T, ν = 1, 0.01 rad). "
        if sim.any():
            text += f"Counted by running GD until c₁ fell by e: {fmt(sim)}. "
        if rate.any():
            text += (f"Converted from the per-step factor f₁ of a {RATE_STEPS}-step run as "
                     f"−1/ln f₁ (a full run would cost too long here): {fmt(rate)}. ")
        if math.isfinite(res.slope):
            text += (f"A straight-line fit of log(steps) against log T has slope "
                     f"<b>{res.slope:.3f}</b>: GD's untwisting time grows like T², since "
                     f"h₁ ≈ λπ²/T².")
        self.set_caption(text)


def untwist_scaling_panel(**kwargs):
    """Chapter 03: GD steps per e-fold of the slowest twist against ``T`` (log-log, fitted slope).

    Parameters
    ----------
    lam : float
        Coupling strength.
    lr : float
        GD step size.

    Returns
    -------
    UntwistScalingPanel
    """
    return UntwistScalingPanel(**kwargs)
