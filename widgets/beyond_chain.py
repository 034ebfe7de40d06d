"""Chapter 07's panels: time on a ring (winding, flux, holonomy) and irregular time gaps."""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection

import gauge_core as gc
from gauge_core import (holonomy_angle, link_angles, ring_flux, ring_links, winding_plateau,
                        wound_ring)

from . import controls as C
from .base import Panel, autoscale, make_figure, positive, set_line
from .runner import ChunkedRuns
from .style import OKABE_ITO, THEORY_COLOUR, TIME_CMAP, method_colour, method_label

__all__ = ["ring_panel", "weighted_chain_panel", "gap_pattern", "GAP_PATTERNS"]

TWO_PI = 2.0 * np.pi


# --- ring ------------------------------------------------------------------------------------
class RingPanel(Panel):
    """The Mexican-hat model on a ring of T time steps, from a wound or a random start.

    Top left: the ring of time steps (a "clock" of the seasons) with each step's embedding vector
    drawn as a stick, coloured by t. Top right: the twist around the loop, the running sum of the
    best link angles, whose end value is the flux ``2 pi w`` (+ holonomy). Bottom left: loss against
    iteration with the closed-form plateau of the current winding number. Bottom right: the
    winding number ``flux / 2 pi`` and the holonomy angle along the run.
    """

    def __init__(self, w=2, T=32, lam=1.0, N=1, start="wound", method="gd", lr=0.02, seed=0,
                 steps=6000):
        controls = {
            "w": C.int_slider("winding w at start", w, 0, 12),
            "T": C.T_control(T, lo=8, hi=64, step=4),
            "lam": C.coupling_control(lam, lo=-1, hi=1),
            "N": C.int_slider("vectors per step N", N, 1, 3),
            "start": C.dropdown("start", [("wound ring (+ noise)", "wound"),
                                          ("random per step", "random")], start),
            "method": C.dropdown("optimiser", [(method_label("gd"), "gd"),
                                               (method_label("goldstone"), "goldstone")], method),
            "lr": C.lr_control(lr, lo=-3.5, hi=-0.5),
            "seed": C.seed_control(seed),
        }
        self.steps = int(steps)
        fig, axes = make_figure(10.0, 6.4, 2, 2)
        fig.subplots_adjust(hspace=0.42, wspace=0.26, left=0.07, right=0.97, top=0.94, bottom=0.08)
        self.ax_ring, self.ax_twist, self.ax_loss, self.ax_flux = axes.ravel()
        self.runner = ChunkedRuns(self._draw)
        super().__init__("A twisted ring: winding, flux and holonomy", controls, fig,
                         extra=[self.runner.box])
        self._build_artists()
        self.refresh(changed="init")

    def _build_artists(self):
        ax = self.ax_ring
        circle = np.linspace(0, TWO_PI, 200)
        ax.plot(np.cos(circle), np.sin(circle), color=OKABE_ITO["grey"], lw=0.8)
        self.sticks = LineCollection(np.zeros((2, 2, 2)), cmap=TIME_CMAP, linewidths=2.0)
        self.sticks.set_array(np.array([0.0, 1.0]))
        self.sticks.set_clim(0.0, 1.0)
        ax.add_collection(self.sticks)
        self.tips = ax.scatter(np.zeros(2), np.zeros(2), c=[0.0, 1.0], cmap=TIME_CMAP, s=10,
                               vmin=0, vmax=1, zorder=3)
        ax.set_aspect("equal")
        ax.set_xlim(-1.7, 1.7)
        ax.set_ylim(-1.7, 1.7)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title("time steps around the loop, z_t as sticks")
        ax = self.ax_twist
        self.twist_line = ax.plot([], [], "o-", ms=3, color=OKABE_ITO["blue"],
                                  label="Σ link angles")[0]
        self.twist_ref = ax.plot([], [], "--", color=THEORY_COLOUR, lw=1,
                                 label="uniform twist 2πw t/T")[0]
        ax.set_xlabel("time step t (t = T is t = 0 again)")
        ax.set_ylabel("accumulated twist (rad)")
        ax.set_title("twist around the loop")
        ax.legend(loc="upper left", fontsize="small")
        ax = self.ax_loss
        self.loss_line = ax.plot([], [], color=method_colour("gd"))[0]
        self.plateau_line = ax.plot([], [], "--", color=THEORY_COLOUR, lw=1,
                                    label="plateau of winding w (theory)")[0]
        ax.set_yscale("log")
        ax.set_xlabel("iteration")
        ax.set_ylabel("loss L(Z)")
        ax.legend(loc="upper right", fontsize="small")
        ax = self.ax_flux
        self.flux_line = ax.plot([], [], color=OKABE_ITO["blue"], label="winding = flux / 2π")[0]
        self.hol_line = ax.plot([], [], color=OKABE_ITO["orange"],
                                label="holonomy angle / 2π")[0]
        ax.set_xlabel("iteration")
        ax.set_ylabel("turns")
        ax.set_title("flux and holonomy")
        ax.legend(loc="upper right", fontsize="small")

    # --- state -> runs -------------------------------------------------------------------
    def _initial(self, s):
        if s["start"] == "wound":
            return wound_ring(s["T"], s["w"], N=s["N"], noise=0.3, rng=s["seed"])
        return self.model.random_init(np.random.default_rng(s["seed"]))

    def update(self, changed=None):
        s = self.state
        self.model = gc.MexicanHatChain(s["T"], s["lam"], d=2, N=s["N"], ring=True)
        self.Z0 = self._initial(s)
        self.trace = ([0], [ring_flux(self.Z0) / TWO_PI], [holonomy_angle(self.Z0) / TWO_PI])
        self.run = gc.Run(self.model, self.Z0, s["method"], lr=s["lr"], k1=10, k2=10,
                          callback=self._probe)
        self.runner.start({s["method"]: self.run}, self.steps)
        self._draw()

    def _probe(self, iteration, Z):
        """Sample flux and holonomy every 20 iterations (about 0.1 ms each)."""
        if iteration % 20 == 0:
            its, fl, ho = self.trace
            its.append(iteration)
            fl.append(ring_flux(Z) / TWO_PI)
            ho.append(holonomy_angle(Z) / TWO_PI)

    def _draw(self):
        s = self.state
        T = s["T"]
        run = self.run
        Z = run.Z
        U = ring_links(Z)
        angles = link_angles(U)
        flux = float(angles.sum())
        hol = holonomy_angle(Z)
        its, fl, ho = self.trace
        if its[-1] != run.iteration:
            its.append(run.iteration)
            fl.append(flux / TWO_PI)
            ho.append(hol / TWO_PI)
        w_now = int(np.rint(flux / TWO_PI))
        # the clock: step t sits at angle 2 pi t / T; its vectors are sticks from there
        pos = np.stack([np.cos(TWO_PI * np.arange(T) / T), np.sin(TWO_PI * np.arange(T) / T)], 1)
        scale = 0.45 / max(1.0, float(np.sqrt(np.sum(Z * Z, axis=1)).max()))
        segs, colours = [], []
        for i in range(s["N"]):
            tip = pos + scale * Z[:, :, i]
            segs.append(np.stack([pos, tip], axis=1))
            colours.append(np.arange(T) / max(T - 1, 1))
        segs = np.concatenate(segs)
        colours = np.concatenate(colours)
        self.sticks.set_segments(segs)
        self.sticks.set_array(colours)
        self.tips.set_offsets(segs[:, 1])
        self.tips.set_array(colours)
        # twist around the loop
        t = np.arange(T + 1)
        set_line(self.twist_line, t, np.concatenate([[0.0], np.cumsum(angles)]))
        set_line(self.twist_ref, t, TWO_PI * w_now * t / T)
        autoscale(self.ax_twist)
        lo, hi = self.ax_twist.get_ylim()
        if hi - lo < 1.0:  # a flat (unwound) profile: show it flat, not its rounding noise
            mid = 0.5 * (hi + lo)
            self.ax_twist.set_ylim(mid - 0.5, mid + 0.5)
        # loss and plateau
        loss = run.loss
        colour = method_colour(s["method"])
        self.loss_line.set_color(colour)
        set_line(self.loss_line, np.arange(loss.size), positive(loss))
        plateau, _, r2 = winding_plateau(T, s["lam"], w_now, N=s["N"])
        self.plateau_line.set_visible(plateau > 0)
        if plateau > 0:
            set_line(self.plateau_line, [0, self.steps], [plateau, plateau])
        self.ax_loss.set_xlim(0, self.steps)
        autoscale(self.ax_loss, x=False)
        self.ax_loss.set_title(f"loss, {method_label(s['method'])}")
        set_line(self.flux_line, its, fl)
        set_line(self.hol_line, its, ho)
        self.ax_flux.set_xlim(0, self.steps)
        autoscale(self.ax_flux, x=False)
        self._caption(w_now, flux, hol, plateau, r2)
        self.fig.canvas.draw_idle()

    def _caption(self, w_now, flux, hol, plateau, r2):
        s = self.state
        run = self.run
        T, lam = s["T"], s["lam"]
        c = 1.0 - np.cos(TWO_PI * w_now / T)
        r2_now = float(np.mean(np.sum(run.Z ** 2, axis=1)))
        start = (f"wound start w = {s['w']}" if s["start"] == "wound"
                 else f"random start (seed {s['seed']})")
        text = (f"Ring of T = {T} steps, λ = {lam:.3g}, N = {s['N']} vector(s) per step, {start}, "
                f"{method_label(s['method'])} with η = {s['lr']:.2g}. After {run.iteration:,} "
                f"iterations the loss is {run.current_loss:.6g}; the flux is {flux / TWO_PI:.3f} turns, "
                f"so the winding number is w = {w_now}, and the holonomy angle is {hol:.2g} rad. "
                f"A uniformly wound ring with w = {w_now} has plateau "
                f"N T (λc − (λc)²/4) = {plateau:.6g} with c = 1 − cos(2πw/T) = {c:.3g} and "
                f"r² = 1 − λc/2 = {r2:.4g} (measured mean |z|² {r2_now:.4g}).")
        if s["N"] > 1:
            text += (" With N > 1 every vector has its own hat, so the vectors of one step can also "
                     "turn against each other; a gauge rotation turns them only together, and the "
                     "flux of the best links is then not a whole number until they line up.")
        if run.diverged:
            text += f" <b>The run diverged at step {run.diverged_at}</b>: lower η."
        elif s["start"] == "wound" and w_now != s["w"]:
            text += (f" The ring <b>unwound from w = {s['w']} to {w_now}</b>: a vector passed "
                     f"through the top of the hat (a phase slip).")
        if lam * (1.0 - np.cos(TWO_PI * s["w"] / T)) >= 2.0:
            text += " No wound state with this w exists here (λc ≥ 2): the vectors would shrink to 0."
        self.set_caption(text)


def ring_panel(**kwargs):
    """Chapter 07's ring panel: a wound or random ring relaxing under GD or Goldstone-GD.

    Parameters
    ----------
    w, T, lam, N, start, method, lr, seed
        Initial (and Reset) values of the controls: winding number of the start, time steps,
        coupling, vectors per step, ``"wound"`` or ``"random"``, ``"gd"`` or ``"goldstone"``,
        step size, seed.
    steps : int
        Iterations per run.

    Returns
    -------
    RingPanel
    """
    return RingPanel(**kwargs)


# --- irregular gaps --------------------------------------------------------------------------
GAP_PATTERNS = ("regular", "one long gap", "random", "weekends", "bursts")


def gap_pattern(pattern, T, g, rng=0):
    """Time gaps between ``T`` consecutive observations, shape ``(T-1,)``.

    Parameters
    ----------
    pattern : {"regular", "one long gap", "random", "weekends", "bursts"}
        ``"regular"``: all gaps 1. ``"one long gap"``: gap ``g`` in the middle, 1 elsewhere.
        ``"random"``: log-normal gaps with median 1 and spread ``log g`` (exponent's std
        ``log(g) / 2``). ``"weekends"``: four gaps of 1 then one of ``g`` (trading days, ``g = 3``
        is a weekend). ``"bursts"``: bursts of 8 observations 1 apart, separated by gaps ``g``.
    T : int
        Number of observations, ``>= 2``.
    g : float
        Length of the long gaps (or the spread), ``>= 1``.
    rng : int or numpy.random.Generator
        Used by ``"random"`` only.
    """
    if pattern not in GAP_PATTERNS:
        raise ValueError(f"pattern must be one of {GAP_PATTERNS}, got {pattern!r}")
    T = int(T)
    g = float(g)
    gaps = np.ones(T - 1)
    if pattern == "one long gap":
        gaps[(T - 1) // 2] = g
    elif pattern == "random":
        gaps = np.exp(0.5 * np.log(g) * np.random.default_rng(rng).standard_normal(T - 1))
    elif pattern == "weekends":
        gaps[4::5] = g
    elif pattern == "bursts":
        gaps[7::8] = g
    return gaps


class WeightedChainPanel(Panel):
    """Irregular time gaps as edge weights ``1/gap`` (a Brownian-motion prior).

    Left: the spectrum of the weighted chain Laplacian against that of a regular chain with the
    same number of observations and the same total time span. Right: the slowest non-trivial mode
    (the Fiedler vector, the softest Goldstone twist) plotted against observation time.
    """

    def __init__(self, pattern="one long gap", g=50.0, T=32, lam=1.0, seed=0):
        controls = {
            "pattern": C.dropdown("gap pattern", list(GAP_PATTERNS), pattern),
            "g": C.log_slider("long gap / spread g", g, 0, 2),
            "T": C.T_control(T, lo=8, hi=128, step=4),
            "lam": C.coupling_control(lam),
            "seed": C.seed_control(seed),
        }
        fig, axes = make_figure(10.0, 3.6, 1, 2)
        fig.subplots_adjust(wspace=0.28, left=0.08, right=0.97, top=0.88, bottom=0.15)
        self.ax_spec, self.ax_mode = axes
        super().__init__("Irregular time gaps: spectrum and slowest mode", controls, fig)
        self._build_artists()
        self.refresh(changed="init")

    def _build_artists(self):
        ax = self.ax_spec
        self.spec_reg = ax.plot([], [], "-", color=THEORY_COLOUR, lw=1,
                                label="regular chain, same span")[0]
        self.spec_w = ax.plot([], [], "o", ms=3.5, color=OKABE_ITO["vermillion"],
                              label="weighted chain")[0]
        ax.set_yscale("log")
        ax.set_xlabel("mode index ν")
        ax.set_ylabel("eigenvalue h_ν of L")
        ax.legend(loc="lower right", fontsize="small")
        ax = self.ax_mode
        self.mode_reg = ax.plot([], [], "--", color=THEORY_COLOUR, lw=1,
                                label="regular chain")[0]
        self.mode_w = ax.plot([], [], "o-", ms=3, color=OKABE_ITO["vermillion"],
                              label="weighted chain")[0]
        ax.axhline(0.0, color=OKABE_ITO["grey"], lw=0.6)
        ax.set_xlabel("observation time (units of the shortest gap)")
        ax.set_ylabel("slowest mode (unit norm)")
        ax.legend(loc="upper right", fontsize="small")

    def update(self, changed=None):
        s = self.state
        T, lam = s["T"], s["lam"]
        gaps = gap_pattern(s["pattern"], T, s["g"], rng=s["seed"])
        times = np.concatenate([[0.0], np.cumsum(gaps)])
        span = times[-1]
        h, V = gc.chain_modes(T, lam, gc.edge_gaps_to_weights(gaps))
        h_reg, V_reg = gc.chain_modes(T, lam, np.full(T - 1, (T - 1) / span))
        nu = np.arange(T)
        set_line(self.spec_w, nu[1:], positive(h[1:]))
        set_line(self.spec_reg, nu[1:], positive(h_reg[1:]))
        autoscale(self.ax_spec)
        mode = V[:, 1] * np.sign(V[0, 1] or 1.0)
        mode_reg = V_reg[:, 1] * np.sign(V_reg[0, 1] or 1.0)
        set_line(self.mode_w, times, mode)
        set_line(self.mode_reg, np.linspace(0.0, span, T), mode_reg)
        autoscale(self.ax_mode)
        self.ax_spec.set_title(f"spectrum, algebraic connectivity h₁ = {h[1]:.3g}")
        self.ax_mode.set_title("slowest twist: where the chain bends")
        ratio = h_reg[1] / max(h[1], 1e-300)
        name = {"one long gap": "One long gap", "regular": "Regular gaps", "random": "Random gaps",
                "weekends": "Weekend gaps", "bursts": "Bursts"}[s["pattern"]]
        text = (f"{name} (g = {s['g']:.3g}), T = {T} observations over a "
                f"span of {span:.4g} time units, λ = {lam:.3g}, edge weights 1/gap. Algebraic "
                f"connectivity h₁ = {h[1]:.4g}, against {h_reg[1]:.4g} for evenly spread "
                f"observations over the same span: plain GD needs {ratio:.3g}× as many steps to "
                f"untwist the slowest mode. Largest eigenvalue {h[-1]:.4g} (regular "
                f"{h_reg[-1]:.4g}), so the condition number h_max/h₁ is {h[-1] / max(h[1], 1e-300):.3g}.")
        if s["pattern"] == "one long gap":
            m1 = (T - 1) // 2 + 1
            est = lam / s["g"] * (1.0 / m1 + 1.0 / (T - m1))
            text += (f" Two stiff halves of {m1} and {T - m1} steps joined by one weak spring λ/g "
                     f"behave like two masses: h₁ ≈ (λ/g)(1/{m1} + 1/{T - m1}) = {est:.4g}.")
        self.set_caption(text)


def weighted_chain_panel(**kwargs):
    """Chapter 07's irregular-gaps panel: gap pattern -> spectrum and slowest mode.

    Parameters
    ----------
    pattern, g, T, lam, seed
        Initial (and Reset) values: gap pattern (see :func:`gap_pattern`), long gap length or
        spread, number of observations, coupling, seed of the random pattern.

    Returns
    -------
    WeightedChainPanel
    """
    return WeightedChainPanel(**kwargs)
