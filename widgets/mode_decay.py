"""Chapter 03's mode-by-mode panels: which twists linger, and how fast each one decays.

- :func:`mode_decay_panel`: plain GD, tuned momentum, Goldstone-GD and the exact gauge step from
  one twisted start, live: for each, the fraction of every twist mode ``nu`` left at the current
  iteration (bars, with the linear theory for GD and momentum), and the twist left against
  iteration. When the runs are done, the iteration slider scrubs the recorded frames in the
  browser.
- :func:`decay_rate_panel`: per-mode decay rates measured from a GD run against ``eta h_nu``.

The runs and every number come from :mod:`gauge_core.experiments` (``mode_race``,
``measure_decay_rates``).
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

import gauge_core as gc
from gauge_core import experiments as ex

from . import controls as C
from .base import Panel, live_figure, positive, set_line
from .live import LOCK, limits
from .live.player import Player
from .style import OKABE_ITO, THEORY_COLOUR, method_colour, method_label

__all__ = ["mode_decay_panel", "decay_rate_panel"]

T_MAX = 64
FLOOR = 1e-16  # round-off: a twist removed exactly is drawn on this floor
BAR_TOP = 1.2  # fractions above this (a diverging run) are drawn at it
START_OPTIONS = [("every mode, ±amplitude", "twist"),
                 (f"a few modes (ν = {', '.join(map(str, ex.FEW_MODES))})", "modes"),
                 ("random per step (Gaussian)", "random")]


class _Paced:
    """A run played in logarithmic time while a browser watches (``watched()``): each frame
    advances it by at most ``growth`` of its iteration count (at least one step), so the first
    hundred iterations, where the short waves die, take as long on screen as the last thousand
    (the right-hand axis is logarithmic too). Headless (tests, the static edition) it runs freely."""

    def __init__(self, run, watched, growth=0.05):
        self.run, self.watched, self.growth = run, watched, growth

    def __getattr__(self, name):  # iteration, diverged, diverged_at, method: the run's own
        return getattr(self.run, name)

    def advance(self, n):
        if self.watched():
            n = min(int(n), max(1, int(self.growth * self.run.iteration)))
        return self.run.advance(n)


class ModeDecayPanel(Panel):
    """Four optimisers from one twisted start, every twist mode's fraction left, live.

    Left (2 x 2): for each method the bars ``|c_nu(k) / c_nu(0)|``, ``nu = 1..T-1``, at the
    current iteration ``k``, and (black line) the linear theory for GD, ``|1 - eta h_nu|^k``, and
    for momentum (the heavy-ball recursion). Right: the twist left ``||c(k)|| / ||c(0)||`` of
    every method against ``k`` (log-log), theory dashed. After the runs, the iteration slider
    shows any recorded iteration without asking the kernel.
    """

    def __init__(self, T=32, lam=1.0, lr=0.1, init="twist", amplitude=0.05, seed=0, k1=10,
                 steps=2000):
        controls = {
            "T": C.T_control(T, lo=4, hi=T_MAX, step=4),
            "lam": C.coupling_control(lam),
            "lr": C.lr_control(lr, lo=-3, hi=0),
            "init": C.dropdown("start", START_OPTIONS, init, width="290px"),
            "amplitude": C.log_slider("amplitude (rad) / scale", amplitude, -3, 0),
            "seed": C.seed_control(seed),
            "k1": C.k1_control(k1, 1, 100),
            "steps": C.dropdown("iterations", [500, 2000, 10000, 50000], steps, width="170px"),
        }
        self.scrub = C.selection_slider("iteration k (after the run)", [0], 0, width="520px")
        self.scrub.disabled = True
        fig, _ = live_figure(9.6, 5.6, 0, 0)
        grid = fig.add_gridspec(2, 3, width_ratios=(1, 1, 1.3), left=0.075, right=0.985,
                                top=0.93, bottom=0.1, hspace=0.42, wspace=0.34)
        self.ax_bars = {m: fig.add_subplot(grid[j // 2, j % 2])
                        for j, m in enumerate(ex.MODE_RACERS)}
        self.ax_left = fig.add_subplot(grid[:, 2])
        super().__init__("Gapless → gapped: every twist mode under four optimisers", controls,
                         fig, below=[self.scrub])
        W.jslink((self.scrub, "index"), (self.live, "frame_index"))
        self.live.observe(self._on_frame, names="frame_index")
        self.player = Player(self.live, self._draw, restart=lambda: self.refresh("restart"))
        self._stacked = False
        self._build_artists()
        self.refresh(changed="init")

    # --- artists --------------------------------------------------------------------------------
    def _build_artists(self):
        track = self.live.track
        nus = np.arange(1, T_MAX)
        self.bars, self.theory_bars = {}, {}
        for j, (m, ax) in enumerate(self.ax_bars.items()):
            self.bars[m] = track(ax.bar(nus, np.zeros(nus.size), width=0.8,
                                        color=method_colour(m)))
            ax.axhline(1.0, color=OKABE_ITO["grey"], lw=0.8, ls=":")
            if m in ("gd", "momentum"):
                self.theory_bars[m] = track(ax.plot([], [], color=THEORY_COLOUR, lw=1.0)[0])
            ax.set_ylim(0, BAR_TOP * 1.05)
            ax.set_title(method_label(m), color=method_colour(m), fontsize="medium")
            if j >= 2:
                ax.set_xlabel("twist mode ν (long waves left)")
            if j % 2 == 0:
                ax.set_ylabel("fraction left |c_ν(k)/c_ν(0)|")
        ax = self.ax_left
        self.left_lines = {m: track(ax.plot([], [], color=method_colour(m), lw=1.6)[0])
                           for m in ex.MODE_RACERS}
        self.left_theory = {m: track(ax.plot([], [], "--", color=method_colour(m), lw=1.0)[0])
                            for m in ("gd", "momentum")}
        self.marker = track(ax.plot([], [], color=OKABE_ITO["grey"], lw=1.0)[0])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("iteration k")
        ax.set_ylabel("twist left ‖c(k)‖ / ‖c(0)‖")
        ax.set_title("all modes together (dashed: linear theory)", fontsize="medium")

    # --- runs -----------------------------------------------------------------------------------
    def update(self, changed=None):
        s = self.state
        T = int(s["T"])
        self.controls["seed"].disabled = s["init"] == "modes"  # a few modes: nothing random
        self.race = ex.mode_race(T, s["lam"], s["lr"], s["init"], s["amplitude"], int(s["seed"]),
                                 int(s["k1"]), int(s["steps"]))
        self._unstack()
        for m, ax in self.ax_bars.items():
            ax.set_xlim(0.3, T - 0.3)
            for nu, rect in enumerate(self.bars[m], start=1):
                rect.set_visible(nu < T)
                rect.set_height(0.0)
        self.ax_left.set_xlim(1, max(int(s["steps"]), 10))
        self.ax_left.set_ylim(*limits.decades(FLOOR, 2.0))
        watched = lambda: self.live.displayed  # noqa: E731
        self.player.start({m: _Paced(r, watched) for m, r in self.race.runs.items()},
                          int(s["steps"]))
        self._draw()

    def _fractions(self, m, rows):
        """Bar heights for every bar (``T_MAX - 1`` of them), clipped for display."""
        out = np.zeros((rows.shape[0], T_MAX - 1))
        out[:, :rows.shape[1]] = np.clip(np.nan_to_num(rows, nan=0.0, posinf=BAR_TOP), 0, BAR_TOP)
        return out

    def _draw(self):
        race = self.race
        linear = self.state["init"] != "random"  # no linear theory through the nonlinear start
        for m, run in race.runs.items():
            heights = self._fractions(m, race.now(m)[None])[0]
            for rect, h in zip(self.bars[m], heights):
                rect.set_height(h)
            its, left = race.twist_left(m)
            keep = its >= 1
            set_line(self.left_lines[m], its[keep], positive(np.minimum(left[keep], 1e3), FLOOR))
            if m in self.theory_bars:
                th = race.theory(m, [run.iteration])[0]
                set_line(self.theory_bars[m], np.arange(1, race.model.T),
                         np.clip(th, 0, BAR_TOP))
                self.theory_bars[m].set_visible(linear)
                tl = race.theory_twist_left(m, its[keep])
                set_line(self.left_theory[m], its[keep], positive(np.minimum(tl, 1e3), FLOOR))
                self.left_theory[m].set_visible(linear)
            if keep.any():
                limits.widen(self.ax_left, "y", FLOOR, float(min(left[keep].max(), 1e3)),
                             log=True)
        if self.player.done and not self._stacked:
            self._stack()
        self._caption()

    # --- scrubbing recorded frames in the browser -------------------------------------------
    def _stack(self):
        race = self.race
        K = race.iterations.size
        lo, hi = self.ax_left.get_ylim()
        for m in race.runs:
            its, rows = race.recorded(m)
            rows = np.vstack([rows, np.repeat(rows[-1:], K - rows.shape[0], axis=0)])
            self.live.stack(self.bars[m], h=self._fractions(m, rows))
            if m in self.theory_bars:
                th = np.clip(race.theory(m, race.iterations), 0, BAR_TOP)
                self.live.stack(self.theory_bars[m], y=th)
        ks = np.maximum(race.iterations, 1).astype(float)
        set_line(self.marker, [ks[-1], ks[-1]], [lo, hi])
        self.live.stack(self.marker, x=np.c_[ks, ks], y=np.tile([lo, hi], (K, 1)))
        self.scrub.options = [int(k) for k in race.iterations]
        self.scrub.index = K - 1
        self.live.frame_index = K - 1
        self.scrub.disabled = False
        self._stacked = True

    def _unstack(self):
        if self._stacked:
            for m in self.bars:
                self.live.stack(self.bars[m])
            for line in self.theory_bars.values():
                self.live.stack(line)
            self.live.stack(self.marker)
        set_line(self.marker, [], [])
        self.scrub.disabled = True
        self._stacked = False

    def _on_frame(self, change):
        with LOCK:
            if self._stacked:
                self._caption(frame=int(change["new"]))

    # --- caption --------------------------------------------------------------------------------
    def _caption(self, frame=None):
        s, race = self.state, self.race
        T = race.model.T
        mom = race.settings.get("momentum", {})
        starts = {"twist": f"every twist mode ν = 1…{T - 1} at ±{s['amplitude']:.3g} rad",
                  "modes": f"modes ν = {', '.join(str(n) for n in ex.FEW_MODES if n < T)} at "
                           f"{s['amplitude']:.3g} rad each",
                  "random": f"a Gaussian start, every entry N(0, {s['amplitude']:.3g}²)"}
        text = (f"T = {T}, λ = {s['lam']:.3g}; start: {starts[s['init']]} (seed {s['seed']}). "
                f"GD and the gauge methods' inner GD use η = {s['lr']:.3g} (stable below "
                f"{gc.gd_stability_limit(T, s['lam']):.3g}); momentum is tuned to the spectrum: "
                f"η = {mom.get('lr', float('nan')):.3g}, β = {mom.get('beta', float('nan')):.3g}")
        if mom.get("margin", 1.0) > 1.0:
            text += (f" (for a top curvature {mom['margin']:g}× h_max: tuned exactly it diverged "
                     f"from this start)")
        text += f"; the gauge methods act every k₁ = {s['k1']} steps. "
        k = int(race.iterations[frame]) if frame is not None else None
        parts = []
        for m in race.runs:
            its, left = race.twist_left(m)
            if not its.size:
                continue
            j = (len(its) - 1 if k is None else int(np.searchsorted(its, k, side="right")) - 1)
            j = max(j, 0)
            parts.append(f"{method_label(m)} {100 * left[j]:.3g} %")
        at = f"k = {k:,}" if k is not None else f"k = {self.player.iteration:,}"
        text += f"Twist left at {at}: " + ", ".join(parts) + ". "
        reached = {m: race.steps_to(m, 1e-3) for m in race.runs}
        done = [f"{method_label(m)} {n:,}" for m, n in reached.items() if n is not None]
        if done:
            text += "Iterations to remove 99.9 % of it: " + ", ".join(done) + "."
        self.set_caption(text)


def mode_decay_panel(**kwargs):
    """Chapter 03: every twist mode under GD, tuned momentum, Goldstone-GD and the exact gauge step.

    Parameters
    ----------
    T, lam, lr : int, float, float
        Time steps, coupling and the GD step size (GD and the gauge methods' inner GD).
    init : {"twist", "modes", "random"}
        Start: every mode at ±amplitude, a few modes, or a Gaussian random start.
    amplitude : float
        Twist amplitude in radians (twists) or the entries' scale (Gaussian start).
    seed : int
    k1 : int
        Inner steps per gauge phase.
    steps : int
        Iterations of each run (500, 2000, 10000 or 50000).

    Returns
    -------
    ModeDecayPanel
    """
    return ModeDecayPanel(**kwargs)


# ================================================================================================
class DecayRatePanel(Panel):
    """Per-mode decay rates ``1 - f_nu`` fitted from a GD run, against ``eta h_nu``.

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
        fig, (self.ax_rate, self.ax_err) = live_figure(9.6, 3.6, 1, 2)
        fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.16, wspace=0.28)
        self._cache = ex.LRUCache(16)
        super().__init__("Decay rate of every mode: measured against 1 − (1 − ηh_ν)", controls,
                         fig)
        self._build_artists()
        self.refresh(changed="init")

    def _build_artists(self):
        ax, track = self.ax_rate, self.live.track
        self._q = np.linspace(np.pi / 64 * 0.5, np.pi, 300)
        self.theory = track(ax.plot([], [], color=THEORY_COLOUR, lw=1.2,
                                    label="theory ηλ(2 − 2cos q)")[0])
        self.measured = track(ax.plot([], [], "o", ms=4.5, color=OKABE_ITO["vermillion"],
                                      mfc="none", label="measured 1 − f_ν")[0])
        ax.set_yscale("log")
        ax.set_xlim(0, np.pi * 1.02)
        ax.set_xticks([0, np.pi / 4, np.pi / 2, 3 * np.pi / 4, np.pi],
                      ["0", "π/4", "π/2", "3π/4", "π"])
        ax.set_xlabel("wave number q = πν/T")
        ax.set_ylabel("decay rate per GD step")
        ax.legend(loc="lower right", fontsize="small", framealpha=0.9)
        ax = self.ax_err
        self.err = track(ax.plot([], [], "o", ms=4.5, color=OKABE_ITO["vermillion"])[0])
        self.err_line = track(ax.plot([], [], ":", color=OKABE_ITO["grey"], lw=1.2)[0])
        ax.set_yscale("log")
        ax.set_xlabel("mode ν")
        ax.set_ylabel("|measured / theory − 1|")

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
        curve = positive(ex.rate_curve(self._q, lam, lr))
        set_line(self.theory, self._q, curve)
        ok = r.ok & (r.measured > 0)
        q = np.pi * r.nu / T
        set_line(self.measured, q[ok], r.measured[ok])
        errors = positive(r.relative_error[ok], 1e-16)
        set_line(self.err, r.nu[ok], errors)
        self.ax_rate.set_ylim(*limits.decades(0.3 * curve[0], 3 * max(
            float(curve.max()), float(r.measured[ok].max()) if ok.any() else 1e-300)))
        self.ax_err.set_xlim(0, T)
        span = limits.data_range(errors) or (1e-6, 1e-3)
        self.ax_err.set_ylim(*limits.decades(min(span[0], 1e-6), max(span[1], 3e-3)))
        set_line(self.err_line, [0, T], [1e-3, 1e-3])
        worst = r.max_relative_error
        title = (f"worst mode: {100 * worst:.2g} % off (dotted: 0.1 %)" if ok.any()
                 else "no mode measurable")
        if self.ax_err.get_title() != title:
            self.ax_err.set_title(title)
            self.live.invalidate()
        if r.diverged_at is not None:
            self.say(f"<span style='color:#D55E00'>GD diverged at step {r.diverged_at}: "
                     f"η = {lr:.3g} exceeds the stability limit 2/h_max = "
                     f"{gc.gd_stability_limit(T, lam):.3g}. Rates are fitted from the steps "
                     f"before.</span>")
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
    """Chapter 03: measured per-mode GD decay rates against ``eta h_nu``.

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
