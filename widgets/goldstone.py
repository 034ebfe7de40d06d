"""Chapter 03's panels: the gapless Goldstone spectrum and what it does to gradient descent.

- :func:`spectrum_panel`: finite-difference Hessian eigenvalues at the aligned minimum on top of the
  dispersion curve (P2 Fig. 1b), with the gapped radial branch.
- :func:`mode_decay_panel`: per-mode twist amplitudes at iteration ``k`` (bars) against the linear
  theory ``|c_nu(0)| |1 - eta h_nu|^k``, with an iteration slider, and the twist profile.
- :func:`decay_rate_panel`: per-mode decay rates measured from a GD run against ``eta h_nu``.
- :func:`untwist_scaling_panel`: GD steps to untwist against ``T`` on log-log axes, fitted slope.

All physics comes from :mod:`gauge_core` and :mod:`gauge_core.experiments.mode_decay`.
"""
from __future__ import annotations

import math

import ipywidgets as W
import numpy as np

import gauge_core as gc
from gauge_core import experiments as ex

from . import controls as C
from .base import Panel, autoscale, make_figure, positive, set_line
from .style import OKABE_ITO, THEORY_COLOUR

__all__ = ["spectrum_panel", "mode_decay_panel", "decay_rate_panel", "untwist_scaling_panel"]

ANGULAR = OKABE_ITO["blue"]
RADIAL = OKABE_ITO["vermillion"]
MEASURED = OKABE_ITO["vermillion"]
FROM_RATE = OKABE_ITO["blue"]


_Cache = ex.LRUCache
_stability_limit = gc.gd_stability_limit


# ================================================================================================
class SpectrumPanel(Panel):
    """Hessian eigenvalues at the aligned minimum of the Mexican-hat chain against ``q = pi nu/T``.

    Left: the whole spectrum on linear axes, the angular (Goldstone) branch on the dispersion curve
    ``lam (2 - 2 cos q)`` and the radial branch on ``8 r^2 + lam (2 - 2 cos q)``. Right: the
    angular branch on log-log axes, where the gap ``h_1`` and the ``lam q^2`` law show.
    """

    T_MAX = 32  # the fd Hessian costs 4T gradient calls; 32 keeps a fresh setting near 30 ms

    def __init__(self, T=16, lam=1.0, radius=1.0):
        controls = {
            "T": C.T_control(T, lo=4, hi=self.T_MAX, step=4),
            "lam": C.coupling_control(lam),
            "radius": C.float_slider("radius r", radius, 0.2, 2.0, 0.05),
        }
        fig, (self.ax_lin, self.ax_log) = make_figure(9.6, 3.7, 1, 2)
        fig.subplots_adjust(left=0.07, right=0.98, top=0.9, bottom=0.15, wspace=0.27)
        self._cache = _Cache(24)
        super().__init__("The Goldstone spectrum: Hessian eigenvalues at the minimum", controls,
                         fig)
        self._build_artists()
        self.refresh(changed="init")

    def _build_artists(self):
        q = np.linspace(0.0, np.pi, 200)
        self._q = q
        ax = self.ax_lin
        self.curve_ang = ax.plot(q, q, color=THEORY_COLOUR, lw=1.2,
                                 label="λ(2 − 2cos q)")[0]
        self.curve_rad = ax.plot(q, q, "--", color=THEORY_COLOUR, lw=1.2,
                                 label="8r² + λ(2 − 2cos q)")[0]
        self.pts_ang = ax.plot([], [], "o", ms=4.5, color=ANGULAR,
                               label="Hessian: angular (twist)")[0]
        self.pts_rad = ax.plot([], [], "s", ms=4, color=RADIAL, mfc="none",
                               label="Hessian: radial")[0]
        ax.set_xlim(0, np.pi * 1.02)
        ax.set_xticks([0, np.pi / 4, np.pi / 2, 3 * np.pi / 4, np.pi],
                      ["0", "π/4", "π/2", "3π/4", "π"])
        ax.set_xlabel("wave number q = πν/T")
        ax.set_ylabel("eigenvalue h")
        ax.set_title("whole spectrum")
        ax.legend(loc="upper left", fontsize="small", framealpha=0.9)
        ax = self.ax_log
        qq = np.geomspace(np.pi / self.T_MAX * 0.8, np.pi, 200)
        self._qq = qq
        self.log_curve = ax.plot(qq, qq, color=THEORY_COLOUR, lw=1.2, label="λ(2 − 2cos q)")[0]
        self.log_q2 = ax.plot(qq, qq, ":", color=OKABE_ITO["grey"], lw=1.2, label="λq²")[0]
        self.log_pts = ax.plot([], [], "o", ms=4.5, color=ANGULAR, label="Hessian, ν ≥ 1")[0]
        self.gap_line = ax.axhline(1.0, color=OKABE_ITO["green"], lw=1.0, ls="-.",
                                   label="gap h₁")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(qq[0], np.pi * 1.1)
        ax.set_xlabel("wave number q = πν/T")
        ax.set_ylabel("angular eigenvalue h_ν")
        ax.legend(loc="lower right", fontsize="small", framealpha=0.9)

    def _branches(self, T, lam, r):
        key = (T, round(lam, 12), round(r, 12))
        return self._cache.get_or(key, lambda: gc.hessian_branches(
            gc.MexicanHatChain(T, lam, d=2, N=1, radius=r)))

    def update(self, changed=None):
        s = self.state
        T, lam, r = int(s["T"]), float(s["lam"]), float(s["radius"])
        b = self._branches(T, lam, r)
        q_nu = np.pi * np.arange(T) / T
        set_line(self.curve_ang, self._q, gc.dispersion_curve(self._q, lam))
        set_line(self.curve_rad, self._q, 8 * r ** 2 + gc.dispersion_curve(self._q, lam))
        set_line(self.pts_ang, q_nu, b.angular)
        set_line(self.pts_rad, q_nu, b.radial)
        top = max(float(b.eigenvalues[-1]), 8 * r ** 2 + 4 * lam)
        self.ax_lin.set_ylim(-0.03 * top, 1.08 * top)
        theory = gc.dispersion(T, lam)
        set_line(self.log_curve, self._qq, positive(gc.dispersion_curve(self._qq, lam)))
        set_line(self.log_q2, self._qq, positive(lam * self._qq ** 2))
        set_line(self.log_pts, q_nu[1:], positive(b.angular[1:]))
        h1 = float(theory[1])
        self.gap_line.set_ydata([h1, h1])
        self.ax_log.set_ylim(0.3 * min(h1, lam * self._qq[0] ** 2), 3 * 4 * lam)
        self.ax_log.set_title(f"the gap h₁ = {b.angular[1]:.3g} closes as T grows")
        self._caption(T, lam, r, b, theory)

    def _caption(self, T, lam, r, b, theory):
        h1 = float(b.angular[1])
        zero = int(np.sum(np.abs(b.eigenvalues) < 1e-3 * theory[1]))
        err = max(float(np.abs(b.angular - theory).max()),
                  float(np.abs(b.radial - gc.radial_dispersion(T, lam, r)).max()))
        kappa_ang = float(b.angular[-1]) / h1
        kappa = float(b.eigenvalues[-1]) / h1
        self.set_caption(
            f"Mexican-hat chain with T = {T} steps, d = 2, N = 1, coupling λ = {lam:.3g}, ring "
            f"radius r = {r:.3g}: the finite-difference Hessian at the aligned minimum is "
            f"{2 * T}×{2 * T}. It has <b>exactly {zero} zero eigenvalue</b>"
            f"{'' if zero == 1 else 's'} (the global rotation); its angular branch sits on "
            f"λ(2 − 2cos q) and its radial branch on 8r² + λ(2 − 2cos q) to within {err:.1e}. "
            f"Gap h₁ = {h1:.4g} (λπ²/T² = {lam * np.pi ** 2 / T ** 2:.4g}); condition number of "
            f"the twist branch h_(T−1)/h₁ = {kappa_ang:,.0f}, of the whole Hessian "
            f"h_max/h₁ = {kappa:,.0f}. The radial branch never drops below 8r² = {8 * r * r:.3g}: "
            f"it is gapped, the twist branch is not.")


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
K_MAX = 5000
ITERATIONS = tuple(sorted({0, 10, 100, 1000, K_MAX}
                          | {int(round(x)) for x in np.geomspace(1, K_MAX, 55)}))
FEW_MODES = (1, 2, 4, 8)
INIT_OPTIONS = [("random twist on the ring", "twist"),
                (f"a few modes (ν = {', '.join(map(str, FEW_MODES))})", "modes"),
                ("random per step (Gaussian)", "random"),
                ("aligned (cold start)", "aligned")]


class ModeDecayPanel(Panel):
    """Per-mode twist amplitudes under plain GD, at an iteration chosen with a (log) slider.

    Left: bars ``|c_nu(k)|`` for ``nu = 1..T-1`` and the linear theory
    ``|c_nu(k_0)| |1 - eta h_nu|^(k - k_0)`` as black ticks (``k_0 = 0`` for starts on the ring;
    for a Gaussian start, the first recorded iteration at which every vector sits on the ring and
    neighbours differ by less than 0.3 rad). Right: the twist profile ``theta_t`` at ``k``, at
    ``k_0``, and the theory's profile. The GD run is extended lazily up to the slider's value and
    cached, so moving the slider back is a lookup.
    """

    T_MAX = 64

    def __init__(self, T=32, lam=1.0, lr=0.1, init="twist", amplitude=0.05, seed=0,
                 iteration=100):
        controls = {
            "T": C.T_control(T, lo=4, hi=self.T_MAX, step=4),
            "lam": C.coupling_control(lam),
            "lr": C.lr_control(lr, lo=-3, hi=0),
            "init": C.dropdown("start", INIT_OPTIONS, init),
            "amplitude": C.log_slider("amplitude / scale", amplitude, -3, 0),
            "seed": C.seed_control(seed),
            "iteration": W.SelectionSlider(options=ITERATIONS, value=iteration,
                                           description="iteration k", continuous_update=True,
                                           style={"description_width": "initial"},
                                           layout=W.Layout(width="420px")),
        }
        fig, (self.ax_bars, self.ax_prof) = make_figure(9.6, 3.7, 1, 2,
                                                        gridspec_kw={"width_ratios": [1.4, 1]})
        fig.subplots_adjust(left=0.07, right=0.98, top=0.9, bottom=0.15, wspace=0.25)
        self._runs = _Cache(8)
        super().__init__("Which twists linger: mode-by-mode decay under gradient descent",
                         controls, fig)
        self._build_artists()
        self.refresh(changed="init")

    def _build_artists(self):
        ax = self.ax_bars
        nus = np.arange(1, self.T_MAX)
        self.ghost = ax.plot([], [], drawstyle="steps-mid", color=OKABE_ITO["grey"], lw=0.9,
                             label="|c_ν(k₀)|, where it started")[0]
        self.bars = ax.bar(nus, np.zeros(nus.size), width=0.8, color=ANGULAR,
                           label="|c_ν(k)| measured")
        self.theory_pts = ax.plot([], [], "_", ms=7, mew=2, color=THEORY_COLOUR,
                                  label="|c_ν(k₀)| |1 − ηh_ν|^(k−k₀)")[0]
        ax.set_xlabel("mode ν (wavelength 2T/ν steps)")
        ax.set_ylabel("twist amplitude |c_ν| (rad)")
        ax.legend(loc="upper right", fontsize="small", framealpha=0.9)
        ax = self.ax_prof
        self.prof_start = ax.plot([], [], ":", color=OKABE_ITO["grey"], label="at k₀")[0]
        self.prof_theory = ax.plot([], [], "--", color=THEORY_COLOUR, lw=1.2, zorder=3,
                                   label="theory at k")[0]
        self.prof_now = ax.plot([], [], "o-", ms=3, color=ANGULAR, label="GD at k")[0]
        ax.set_xlabel("time step t")
        ax.set_ylabel("twist θ_t (rad)")
        ax.set_title("twist profile")
        ax.legend(loc="upper right", fontsize="small", framealpha=0.9)

    # --- runs -----------------------------------------------------------------------------------
    def _key(self, s):
        return (int(s["T"]), round(float(s["lam"]), 12), round(float(s["lr"]), 12), s["init"],
                round(float(s["amplitude"]), 12), int(s["seed"]))

    def _make_run(self, s):
        T, lam, lr, init, amp = (int(s["T"]), float(s["lam"]), float(s["lr"]), s["init"],
                                 float(s["amplitude"]))
        model = gc.MexicanHatChain(T, lam, d=2, N=1)
        rng = np.random.default_rng(int(s["seed"]))
        if init == "twist":
            Z0 = gc.random_twist(T, amp, rng)[0]
        elif init == "modes":
            c = np.zeros(T)
            c[[nu for nu in FEW_MODES if nu < T]] = amp
            Z0 = gc.twist_from_amplitudes(c)
        else:  # the library's own initialisations, as in chapter 00
            Z0 = model.random_init(rng, init, amp)
        return ex.ModeRecording(model, Z0, lr, ITERATIONS)

    def _anchor(self, s, hist):
        """Index into ``hist`` of the iteration from which the linear theory is drawn, or None."""
        if s["init"] != "random":
            return 0
        steps = np.abs(np.diff(hist.profiles, axis=1)).max(axis=1)
        ok = np.nonzero((hist.radial_error < 0.05) & (steps < 0.3))[0]
        return int(ok[0]) if ok.size else None

    def update(self, changed=None):
        s = self.state
        T, lam, lr = int(s["T"]), float(s["lam"]), float(s["lr"])
        k = int(s["iteration"])
        run = self._runs.get_or(self._key(s), lambda: self._make_run(s))
        run.advance_to(k)
        hist = run.history()
        j = int(np.searchsorted(hist.iterations, k, side="right")) - 1  # last recorded <= k
        k_shown = int(hist.iterations[j])
        c_now = hist.amplitudes[j]
        c_start = hist.amplitudes[0]
        a = self._anchor(s, hist)
        if a is not None and a > j:
            a = None
        h = gc.dispersion(T, lam)
        f = gc.gd_decay_factor(T, lam, lr)
        c_ref = hist.amplitudes[a] if a is not None else c_start  # where the ghost outline is
        top = max(1.1 * float(np.abs(c_ref[1:]).max()), 1e-3)
        # bars
        for nu, rect in enumerate(self.bars, start=1):
            if nu < T:
                rect.set_visible(True)
                rect.set_height(min(abs(float(c_now[nu])), 1.02 * top))
            else:
                rect.set_visible(False)
        self.ax_bars.set_xlim(0.3, T - 0.3)
        self.ax_bars.set_ylim(0, top)
        t = np.arange(T)
        modes = gc.goldstone_modes(T)
        if a is not None:
            k0 = int(hist.iterations[a])
            ca = hist.amplitudes[a]
            with np.errstate(all="ignore"):
                growth = np.where(k_shown == k0, 1.0, np.abs(f) ** (k_shown - k0))
                signed = np.where(k_shown == k0, 1.0, np.sign(f) ** (k_shown - k0) * growth)
            theory = np.minimum(np.nan_to_num(np.abs(ca) * growth, nan=0.0, posinf=1e300),
                                1.02 * top)
            set_line(self.theory_pts, np.arange(1, T), theory[1:])
            prof_th = modes @ np.nan_to_num(ca * signed, nan=0.0, posinf=1e6, neginf=-1e6)
            set_line(self.prof_theory, t, np.clip(prof_th, -1e6, 1e6))
            set_line(self.prof_start, t, hist.profiles[a])
            self.prof_theory.set_visible(not run.diverged)  # growing modes: a useless picture
            set_line(self.ghost, np.arange(1, T), np.minimum(np.abs(ca[1:]), 1.02 * top))
            self.ghost.set_visible(True)
            self.theory_pts.set_visible(True)
        else:
            k0 = None
            self.theory_pts.set_visible(False)
            self.prof_theory.set_visible(False)
            self.ghost.set_visible(False)
            set_line(self.prof_start, t, hist.profiles[0])
        set_line(self.prof_now, t, hist.profiles[j])
        ref = hist.profiles[j] if run.diverged else hist.profiles[a if a is not None else 0]
        lo, hi = float(ref.min()), float(ref.max())
        pad = max(0.1 * (hi - lo), 0.01)
        self.ax_prof.set_xlim(-0.5, T - 0.5)
        self.ax_prof.set_ylim(lo - pad, hi + pad)
        self.ax_bars.set_title(f"mode amplitudes at iteration k = {k_shown:,}")
        self._status(run, k, k_shown, T, lam, lr)
        self._caption(s, hist, j, a, k0, f, h)

    def _status(self, run, k, k_shown, T, lam, lr):
        if run.diverged:
            self.say(f"<span style='color:#D55E00'>GD diverged at step {run.diverged_at:,}: "
                     f"η = {lr:.3g} exceeds the stability limit 2/h_max = "
                     f"{_stability_limit(T, lam):.3g} (or the start is too far from the ring "
                     f"for this step size). Showing iteration {k_shown:,}, the last one "
                     f"recorded.</span>")
        elif lr > _stability_limit(T, lam):
            self.say(f"<span style='color:#D55E00'>Unstable: η = {lr:.3g} exceeds the stability "
                     f"limit 2/h_max = {_stability_limit(T, lam):.3g}. The fastest (radial) modes "
                     f"grow instead of decaying, so the linear theory no longer applies, even "
                     f"though the run has not blown up yet.</span>")
        else:
            self.say("")

    def _caption(self, s, hist, j, a, k0, f, h):
        T, lr, k = int(s["T"]), float(s["lr"]), int(hist.iterations[j])
        starts = {"twist": f"a random twist on the ring (every mode, amplitude "
                           f"{s['amplitude']:.3g} rad)",
                  "modes": f"modes ν = {', '.join(str(n) for n in FEW_MODES if n < T)} at "
                           f"{s['amplitude']:.3g} rad each",
                  "random": f"a Gaussian start, every entry N(0, {s['amplitude']:.3g}²) "
                            f"(spontaneous symmetry breaking)",
                  "aligned": "an aligned cold start (the same vector at every step)"}
        text = (f"T = {T}, λ = {s['lam']:.3g}, η = {lr:.3g}, seed {s['seed']}; start: "
                f"{starts[s['init']]}. ")
        with np.errstate(divide="ignore"):
            efold = np.where(lr * h[1:] > 0, 1.0 / (lr * h[1:]), np.inf)
        text += (f"Each GD step multiplies mode ν by 1 − ηh_ν: one e-fold of the slowest twist "
                 f"(ν = 1) takes 1/(ηh₁) ≈ {efold[0]:,.0f} steps, of the fastest (ν = {T - 1}) "
                 f"{efold[-1]:.3g}. ")
        if s["init"] == "aligned":
            text += ("There is no twist at all here, so there is nothing slow to remove: "
                     "the bars stay at zero.")
        elif a is None:
            text += (f"At k = {k:,} the run is still in its nonlinear first phase (some vectors "
                     f"are off the ring or neighbours differ by more than 0.3 rad), so no "
                     f"linear prediction is drawn yet.")
        else:
            ca, cn = hist.amplitudes[a], hist.amplitudes[j]
            big = np.abs(ca) > 1e-9 * max(float(np.abs(ca[1:]).max()), 1e-300)
            big[0] = False
            with np.errstate(all="ignore"):
                keep = np.abs(cn) / np.where(big, np.abs(ca), 1.0)
                pred = np.abs(f) ** (k - k0)
            # the slowest mode, and the shortest wave that still holds >= 1 % in theory (the
            # one being removed right now); fainter modes are round-off and cubic mode coupling
            alive = [nu for nu in range(2, T) if big[nu] and pred[nu] >= 0.01]
            shown = [nu for nu in (1, alive[-1] if alive else 2) if nu < T and big[nu]]
            parts = [f"mode ν = {nu} kept {100 * keep[nu]:.3g} % (theory {100 * pred[nu]:.3g} %)"
                     for nu in shown]
            gone = int(np.sum(big & (keep < 1e-6)))
            if parts:
                text += (f"From k₀ = {k0:,} to k = {k:,} " + ", ".join(parts)
                         + f"; {gone} of the {int(big.sum())} excited modes are below a "
                         f"millionth of their start. ")
            if s["init"] == "random":
                text += (f"The Gaussian start also carries a global rotation c₀ = "
                         f"{hist.amplitudes[j][0]:.3g} (not drawn): it costs nothing and never "
                         f"decays.")
        self.set_caption(text)


def mode_decay_panel(**kwargs):
    """Chapter 03: per-mode twist amplitudes under GD at a chosen iteration, against theory.

    Parameters
    ----------
    T, lam, lr : int, float, float
        Time steps, coupling and GD step size.
    init : {"twist", "modes", "random", "aligned"}
        Start: a random twist on the ring, a few modes, a Gaussian random start, or a cold start.
    amplitude : float
        Twist amplitude in radians (on-ring starts) or the entries' scale (Gaussian and cold start).
    seed : int
    iteration : int
        Initial iteration shown; one of ``widgets.goldstone.ITERATIONS``.

    Returns
    -------
    ModeDecayPanel
    """
    return ModeDecayPanel(**kwargs)


# ================================================================================================
class DecayRatePanel(Panel):
    """Per-mode decay rates ``1 - f_nu`` fitted from a GD run, against ``eta h_nu`` (:func:`gauge_core.gd_decay_factor`).

    Left: rate against ``q`` (log scale), theory curve and measured points. Right: the relative
    error per mode, with the 0.1 % line.
    """

    def __init__(self, T=32, lam=1.0, lr=0.1, amplitude=0.01, seed=0, steps=200):
        controls = {
            "T": C.T_control(T, lo=4, hi=64, step=4),
            "lam": C.coupling_control(lam),
            "lr": C.lr_control(lr, lo=-3, hi=0),
            "amplitude": C.log_slider("twist amplitude (rad)", amplitude, -3, 0),
            "seed": C.seed_control(seed),
        }
        self.steps = int(steps)
        fig, (self.ax_rate, self.ax_err) = make_figure(9.6, 3.5, 1, 2)
        fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.16, wspace=0.28)
        self._cache = _Cache(16)
        super().__init__("Decay rate of every mode: measured against 1 − (1 − ηh_ν)", controls,
                         fig)
        self._build_artists()
        self.refresh(changed="init")

    def _build_artists(self):
        ax = self.ax_rate
        self._q = np.linspace(np.pi / 64 * 0.5, np.pi, 300)
        self.theory = ax.plot([], [], color=THEORY_COLOUR, lw=1.2, label="theory ηλ(2 − 2cos q)")[0]
        self.measured = ax.plot([], [], "o", ms=4.5, color=MEASURED, mfc="none",
                                label="measured 1 − f_ν")[0]
        ax.set_yscale("log")
        ax.set_xlim(0, np.pi * 1.02)
        ax.set_xticks([0, np.pi / 4, np.pi / 2, 3 * np.pi / 4, np.pi],
                      ["0", "π/4", "π/2", "3π/4", "π"])
        ax.set_xlabel("wave number q = πν/T")
        ax.set_ylabel("decay rate per GD step")
        ax.legend(loc="lower right", fontsize="small", framealpha=0.9)
        ax = self.ax_err
        self.err = ax.plot([], [], "o", ms=4.5, color=MEASURED)[0]
        self.err_line = ax.axhline(1e-3, color=OKABE_ITO["grey"], ls=":", lw=1.2,
                                   label="0.1 %")
        ax.set_yscale("log")
        ax.set_xlabel("mode ν")
        ax.set_ylabel("|measured / theory − 1|")
        ax.legend(loc="upper right", fontsize="small", framealpha=0.9)

    def _rates(self, s):
        key = (int(s["T"]), round(float(s["lam"]), 12), round(float(s["lr"]), 12),
               round(float(s["amplitude"]), 12), int(s["seed"]))
        return self._cache.get_or(key, lambda: ex.measure_decay_rates(
            int(s["T"]), float(s["lam"]), float(s["lr"]), float(s["amplitude"]), self.steps,
            int(s["seed"])))

    def update(self, changed=None):
        s = self.state
        T, lam, lr = int(s["T"]), float(s["lam"]), float(s["lr"])
        r = self._rates(s)
        set_line(self.theory, self._q, positive(lr * gc.dispersion_curve(self._q, lam)))
        ok = r.ok & (r.measured > 0)
        q = np.pi * r.nu / T
        set_line(self.measured, q[ok], r.measured[ok])
        set_line(self.err, r.nu[ok], positive(r.relative_error[ok], 1e-16))
        self.ax_rate.set_ylim(0.3 * lr * lam * (2 - 2 * np.cos(self._q[0])),
                              3 * max(4 * lr * lam, float(r.measured[ok].max()) if ok.any()
                                      else 1e-300))
        self.ax_err.set_xlim(0, T)
        autoscale(self.ax_err, x=False)
        lo, hi = self.ax_err.get_ylim()
        self.ax_err.set_ylim(min(lo, 1e-6), max(hi, 3e-3))
        worst = r.max_relative_error
        self.ax_err.set_title(f"worst mode: {100 * worst:.2g} % off" if ok.any()
                              else "no mode measurable")
        if r.diverged_at is not None:
            self.say(f"<span style='color:#D55E00'>GD diverged at step {r.diverged_at}: "
                     f"η = {lr:.3g} exceeds the stability limit 2/h_max = "
                     f"{_stability_limit(T, lam):.3g}. Rates are fitted from the steps before."
                     f"</span>")
        else:
            self.say("")
        self._caption(s, r, ok)

    def _caption(self, s, r, ok):
        T = int(s["T"])
        n_ok = int(ok.sum())
        text = (f"GD on the Mexican-hat chain (T = {T}, λ = {s['lam']:.3g}, η = {s['lr']:.3g}) "
                f"from a random twist of every mode ν = 1…{T - 1} with amplitudes "
                f"{s['amplitude']:.3g}·N(0, 1) rad (seed {s['seed']}); {self.steps} steps "
                f"recorded, each mode's factor f_ν fitted from c_ν(k+1) = f_ν c_ν(k) while |c_ν| "
                f"stays above 10⁻³ of the largest start. ")
        if n_ok:
            i = int(np.nanargmax(np.where(ok, r.relative_error, -1)))
            worst = float(r.relative_error[i])
            text += (f"{n_ok} of {T - 1} modes measured; the worst, ν = {r.nu[i]}, is "
                     f"{100 * worst:.2g} % off its prediction ηh_ν = {r.theory[i]:.4g} "
                     f"({'better' if worst < 1e-3 else 'worse'} than 0.1 %). ")
        else:
            text += "No mode could be measured (the run diverged at once). "
        text += ("The prediction is the linear theory: its error grows like the amplitude "
                 "squared.")
        self.set_caption(text)


def decay_rate_panel(**kwargs):
    """Chapter 03: measured per-mode GD decay rates against ``eta h_nu`` (:func:`gauge_core.gd_decay_factor`).

    Parameters
    ----------
    T, lam, lr : int, float, float
    amplitude : float
        Standard deviation of the starting mode amplitudes (radians).
    seed : int
    steps : int
        GD steps recorded (fixed for the panel's lifetime).

    Returns
    -------
    DecayRatePanel
    """
    return DecayRatePanel(**kwargs)


# ================================================================================================
T_SCALING = (8, 16, 32, 64, 128, 256)
SIM_BUDGET = 400  # GD steps the panel may spend counting e-folds directly, per setting
RATE_STEPS = 20


def scaling_plan(lam, lr, Ts=T_SCALING, budget=SIM_BUDGET):
    """:func:`gauge_core.experiments.scaling_plan` with the panel's grid and budget."""
    return ex.scaling_plan(lam, lr, Ts, budget)


class UntwistScalingPanel(Panel):
    """GD steps per e-fold of the slowest twist against ``T``, log-log, with the fitted slope.

    Small ``T`` are counted by running GD until ``c_1`` has shrunk by ``e`` (as long as the
    predicted steps fit a budget of ``SIM_BUDGET`` steps); the others are converted from the
    per-step factor measured in a ``RATE_STEPS``-step run. The line is ``-1/ln(1 - eta h_1)``.
    """

    def __init__(self, lam=1.0, lr=0.1):
        controls = {"lam": C.coupling_control(lam, lo=-1, hi=1),
                    "lr": C.lr_control(lr, lo=-3, hi=-0.3)}
        fig, self.ax = make_figure(6.0, 4.0)
        fig.subplots_adjust(left=0.14, right=0.97, top=0.9, bottom=0.13)
        self._cache = _Cache(16)
        self._Tline = np.unique(np.geomspace(6, 300, 40).astype(int))
        super().__init__("The T² law: GD steps to untwist against chain length", controls, fig)
        self._build_artists()
        self.refresh(changed="init")

    def _build_artists(self):
        ax = self.ax
        self.theory = ax.plot([], [], color=THEORY_COLOUR, lw=1.2,
                              label="theory −1/ln(1 − ηh₁)")[0]
        self.fit = ax.plot([], [], ":", color=OKABE_ITO["grey"], lw=1.5, label="power-law fit")[0]
        self.sim = ax.plot([], [], "o", ms=7, color=MEASURED, label="counted by running GD")[0]
        self.rate = ax.plot([], [], "s", ms=7, mfc="none", mew=1.5, color=FROM_RATE,
                            label=f"from the decay factor of a {RATE_STEPS}-step run")[0]
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(5, 330)
        ax.set_xticks(T_SCALING, [str(t) for t in T_SCALING])
        ax.set_xlabel("time steps T")
        ax.set_ylabel("GD steps per e-fold of the slowest twist")
        ax.legend(loc="upper left", fontsize="small", framealpha=0.9)

    def _scaling(self, lam, lr):
        key = (round(lam, 12), round(lr, 12))

        def make():
            sim, rate = scaling_plan(lam, lr)
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
        if math.isfinite(res.slope):
            set_line(self.fit, self._Tline, res.prefactor * self._Tline ** res.slope)
            self.fit.set_visible(True)
            self.ax.set_title(f"fitted slope {res.slope:.3f} (theory → 2)")
        else:
            self.fit.set_visible(False)
            self.ax.set_title("no fit: too few measured points")
        autoscale(self.ax, x=False)
        bad = res.T[~ok]
        if bad.size:
            self.say(f"<span style='color:#D55E00'>GD diverged or did not finish for "
                     f"T = {', '.join(map(str, bad))}: η = {lr:.3g} is above the stability "
                     f"limit 2/h_max ≈ {_stability_limit(int(bad[0]), lam):.3g}.</span>")
        elif lr > _stability_limit(int(res.T.max()), lam):
            self.say(f"<span style='color:#D55E00'>Unstable: η = {lr:.3g} exceeds the stability "
                     f"limit 2/h_max ≈ {_stability_limit(int(res.T.max()), lam):.3g}; the counts "
                     f"above are not the linear theory's.</span>")
        else:
            self.say("")
        self._caption(lam, lr, res)

    def _caption(self, lam, lr, res):
        ok = res.ok

        def fmt(mask):
            return ", ".join(f"T = {t}: {k:,.0f} (theory {th:,.0f})" for t, k, th in
                             zip(res.T[mask], res.iterations[mask], res.theory[mask]))
        sim, rate = ok & res.simulated, ok & ~res.simulated
        text = (f"λ = {lam:.3g}, η = {lr:.3g}; start twist_mode(T, ν = 1, 0.01 rad). ")
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
