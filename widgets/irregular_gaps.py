"""Chapter 07's irregular-gaps panel: a gap pattern -> the weighted chain's spectrum, its slowest
mode, and plain GD, Goldstone-GD and the exact gauge step racing on that chain (live)."""
from __future__ import annotations

import numpy as np

import gauge_core as gc
from gauge_core.experiments import UntilConverged
from gauge_core.experiments import irregular_gaps as G

from . import controls as C
from .base import Panel, live_figure, positive, set_line
from .live import limits
from .live.player import Player
from .style import OKABE_ITO, THEORY_COLOUR, method_colour, method_label

__all__ = ["weighted_chain_panel"]

RACERS = ("gd", "goldstone", "gauge")
TOL = 1e-6
K1, K2 = 10, 10
NAMES = {"one long gap": "One long gap", "regular": "Regular gaps", "random": "Random gaps",
         "weekends": "Weekend gaps", "bursts": "Bursts"}


class WeightedChainPanel(Panel):
    """Irregular time gaps as edge weights ``1/gap`` (a Brownian-motion prior).

    Top left: the spectrum of the weighted chain Laplacian against a regular chain with the same
    number of observations over the same time span. Top right: the slowest non-trivial mode (the
    softest Goldstone twist) against observation time. Bottom: the loss of plain GD, Goldstone-GD
    and GD with the exact gauge step from one random start on this chain, each run until its loss
    has fallen to 1e-6 of its start.
    """

    def __init__(self, pattern="one long gap", g=50.0, T=32, lam=1.0, seed=0, cap=50_000):
        controls = {
            "pattern": C.dropdown("gap pattern", list(G.GAP_PATTERNS), pattern),
            "g": C.log_slider("long gap / spread g", g, 0, 2),
            "T": C.T_control(T, lo=8, hi=128, step=4),
            "lam": C.coupling_control(lam),
            "seed": C.seed_control(seed),
        }
        self.cap = int(cap)
        fig, _ = live_figure(9.6, 5.6, 0, 0)
        grid = fig.add_gridspec(2, 2, hspace=0.55, wspace=0.25, left=0.08, right=0.98, top=0.9,
                                bottom=0.09)
        self.ax_spec = fig.add_subplot(grid[0, 0])
        self.ax_mode = fig.add_subplot(grid[0, 1])
        self.ax_race = fig.add_subplot(grid[1, :])
        super().__init__("Irregular time gaps: spectrum, slowest mode, and the race", controls, fig)
        self.player = Player(self.live, self._draw, restart=lambda: self.refresh("restart"))
        self._build_artists()
        self.refresh(changed="init")

    def _build_artists(self):
        track = self.live.track
        ax = self.ax_spec
        self.spec_reg = track(ax.plot([], [], "-", color=THEORY_COLOUR, lw=1,
                                      label="regular, same span")[0])
        self.spec_w = track(ax.plot([], [], "o", ms=3, color=OKABE_ITO["vermillion"],
                                    label="these gaps")[0])
        ax.set_yscale("log")
        ax.set_xlabel("mode index ν")
        ax.set_ylabel("eigenvalue h_ν of L")
        ax = self.ax_mode
        self.mode_reg = track(ax.plot([], [], "-", color=THEORY_COLOUR, lw=1)[0])
        self.mode_w = track(ax.plot([], [], "o-", ms=3, color=OKABE_ITO["vermillion"])[0])
        ax.axhline(0.0, color=OKABE_ITO["grey"], lw=0.6)
        ax.set_xlabel("observation time (a regular gap is 1)")
        ax.set_ylabel("slowest mode (unit norm)")
        ax.set_title("slowest twist: where the chain bends", fontsize="medium")
        ax = self.ax_race
        self.race = {m: track(ax.plot([], [], color=method_colour(m), label=method_label(m))[0])
                     for m in RACERS}
        self.tol_line = ax.axhline(1.0, color=OKABE_ITO["grey"], lw=0.8, ls=":")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("iteration")
        ax.set_ylabel("loss L(Z)")
        # one legend for every plot, above them all, so that it never covers data
        self.fig.legend(handles=[self.spec_w, self.spec_reg, *self.race.values()],
                        loc="upper center", ncol=5, fontsize="small", frameon=False,
                        bbox_to_anchor=(0.5, 1.0))

    def update(self, changed=None):
        s = self.state
        T, lam = s["T"], s["lam"]
        self.controls["g"].disabled = s["pattern"] == "regular"
        gaps = G.gap_pattern(s["pattern"], T, s["g"], rng=s["seed"])
        times = G.observation_times(gaps)
        span = times[-1]
        weights = gc.edge_gaps_to_weights(gaps)
        h, V = gc.chain_modes(T, lam, weights)
        h_reg, V_reg = gc.chain_modes(T, lam, np.full(T - 1, (T - 1) / span))
        self.spectra = (gaps, span, h, h_reg)
        nu = np.arange(1, T)
        set_line(self.spec_w, nu, positive(h[1:]))
        set_line(self.spec_reg, nu, positive(h_reg[1:]))
        self.ax_spec.set_xlim(*limits.padded(1, T - 1))
        self.ax_spec.set_ylim(*limits.decades(min(h[1], h_reg[1]), max(h[-1], h_reg[-1])))
        set_line(self.mode_w, times, V[:, 1] * np.sign(V[0, 1] or 1.0))
        set_line(self.mode_reg, np.linspace(0.0, span, T), V_reg[:, 1] * np.sign(V_reg[0, 1] or 1.0))
        self.ax_mode.set_xlim(*limits.padded(0.0, span))
        top = float(max(np.abs(V[:, 1]).max(), np.abs(V_reg[:, 1]).max()))
        self.ax_mode.set_ylim(*limits.padded(-top, top))
        self.ax_spec.set_title(f"spectrum, h₁ = {h[1]:.3g}", fontsize="medium")
        # the race: every method with GD's stable step size on this chain
        self.lr = G.stable_gap_lr(lam, weights)
        model = gc.MexicanHatChain(T, lam, weights=weights)
        Z0 = model.random_init(np.random.default_rng(s["seed"]), scale=0.5)
        self.runs = {m: UntilConverged(m, self._maker(model, Z0, m), TOL, self.cap)
                     for m in RACERS}
        for r in self.runs.values():
            r.finish_line = self.cap
            r.advance(0)  # build the run now: its start loss sets the axes
        loss0 = float(self.runs["gd"].run.loss[0])
        self.floor = 1e-15 * loss0
        self.ax_race.set_xlim(1, self.cap)
        self.ax_race.set_ylim(*limits.decades(TOL * loss0 * 0.1, 2 * loss0))
        self.tol_line.set_ydata([TOL * loss0, TOL * loss0])
        self.ax_race.set_title(f"the race on these gaps (η = {self.lr:.3g}, dotted: converged, "
                               f"1e-6 of the start)", fontsize="medium")
        self.live.invalidate()
        self.player.start(self.runs, self.cap)
        self._draw()

    def _maker(self, model, Z0, method):
        return lambda: gc.Run(model, Z0, method, lr=self.lr, k1=K1, k2=K2)

    def _draw(self):
        for m, r in self.runs.items():
            loss = r.run.loss
            y = positive(loss[1:], floor=self.floor)
            set_line(self.race[m], np.arange(1, loss.size), y)
            if y.size:
                limits.widen(self.ax_race, "y", float(y.min()), float(y.max()), log=True)
        self._caption()

    def _caption(self):
        s = self.state
        T, lam = s["T"], s["lam"]
        gaps, span, h, h_reg = self.spectra
        ratio = h_reg[1] / max(h[1], 1e-300)
        text = (f"{NAMES[s['pattern']]} (g = {s['g']:.3g}), T = {T} observations over a span of "
                f"{span:.4g} time units, λ = {lam:.3g}, edge weights 1/gap. Algebraic connectivity "
                f"h₁ = {h[1]:.4g}, against {h_reg[1]:.4g} for evenly spread observations over the "
                f"same span ({ratio:.3g}× as many GD steps per e-fold of the slowest twist). "
                f"Largest eigenvalue {h[-1]:.4g} (regular {h_reg[-1]:.4g}), so the condition "
                f"number h_max/h₁ is {h[-1] / max(h[1], 1e-300):.3g}.")
        if s["pattern"] == "one long gap" and s["g"] >= 10:  # a weak spring: two stiff blocks
            text += (f" Two stiff halves joined by one weak spring λ/g behave like two masses: "
                     f"h₁ ≈ (λ/g)(1/m₁ + 1/m₂) = {G.two_block_estimate(gaps, lam):.4g}.")
        done = []
        for m, r in self.runs.items():
            if r.converged_at is not None:
                done.append(f"{method_label(m)} {r.converged_at:,}")
            elif r.diverged:
                done.append(f"{method_label(m)} diverged at step {r.diverged_at}")
            elif r.finished:
                done.append(f"{method_label(m)} not within {self.cap:,}")
        if done:
            text += "<br>Iterations to 1e-6 of the start loss: " + "; ".join(done) + "."
        self.set_caption(text)


def weighted_chain_panel(**kwargs):
    """Chapter 07's irregular-gaps panel: gap pattern -> spectrum, slowest mode and the race.

    Parameters
    ----------
    pattern, g, T, lam, seed
        Initial (and Reset) values: gap pattern (see
        :func:`gauge_core.experiments.beyond_chain.gap_pattern`), long gap length or spread,
        number of observations, coupling, seed (of the random pattern and of the start).
    cap : int
        Iterations after which a run that has not converged stops.

    Returns
    -------
    WeightedChainPanel
    """
    return WeightedChainPanel(**kwargs)
