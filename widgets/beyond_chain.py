"""Chapter 07's ring panel: plain GD and Goldstone-GD race from the same start on a ring of time
steps (winding, flux and holonomy, live). The irregular-gaps panel is in
:mod:`widgets.irregular_gaps`."""
from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogFormatterSciNotation, LogLocator, NullFormatter

import gauge_core as gc
from gauge_core.experiments import beyond_chain as B

from . import controls as C
from .base import Panel, live_figure, positive, set_line
from .live import limits
from .live.player import Player
from .style import OKABE_ITO, THEORY_COLOUR, TIME_CMAP, method_colour, method_label

__all__ = ["ring_panel"]

TWO_PI = 2.0 * np.pi
RACERS = ("gd", "goldstone")
K1, K2 = 10, 10


class RingPanel(Panel):
    """Plain GD and Goldstone-GD from the same start on a ring of ``T`` steps (Mexican hat, d = 2).

    Top: each method's ring of time steps (a clock face; every step's vectors drawn as sticks
    coloured by t), and the twist accumulated around the loop (the running sum of the best link
    angles, ending at the flux). Bottom: both losses with the plateau of the winding each has
    reached, and the winding (flux / 2π) and holonomy angle / 2π along the runs.
    """

    def __init__(self, w=2, T=32, lam=1.0, N=1, start="wound", lr=0.02, seed=0, steps=6000):
        controls = {
            "w": C.int_slider("winding w at start", w, 0, 12),
            "T": C.T_control(T, lo=8, hi=64, step=4),
            "lam": C.coupling_control(lam, lo=-1, hi=1),
            "N": C.int_slider("vectors per step N", N, 1, 3),
            "start": C.dropdown("start", [("wound ring (+ noise)", "wound"),
                                          ("random per step", "random")], start),
            "lr": C.lr_control(lr, lo=-3.5, hi=-0.5),
            "seed": C.seed_control(seed),
        }
        self.steps = int(steps)
        fig, _ = live_figure(9.6, 5.9, 0, 0)
        grid = fig.add_gridspec(2, 6, hspace=0.5, wspace=0.9, left=0.085, right=0.98, top=0.86,
                                bottom=0.09)
        self.ax_clock = {"gd": fig.add_subplot(grid[0, 0:2]),
                         "goldstone": fig.add_subplot(grid[0, 2:4])}
        self.ax_twist = fig.add_subplot(grid[0, 4:6])
        self.ax_loss = fig.add_subplot(grid[1, 0:3])
        self.ax_flux = fig.add_subplot(grid[1, 3:6])
        super().__init__("Plain GD vs Goldstone-GD on a ring: winding, flux and holonomy",
                         controls, fig)
        self.player = Player(self.live, self._draw, restart=lambda: self.refresh("restart"))
        self._build_artists()
        self.refresh(changed="init")

    def _build_artists(self):
        track = self.live.track
        circle = np.linspace(0, TWO_PI, 200)
        self.sticks, self.tips = {}, {}
        for m, ax in self.ax_clock.items():
            ax.plot(np.cos(circle), np.sin(circle), color=OKABE_ITO["grey"], lw=0.8)
            self.sticks[m] = track(ax.add_collection(LineCollection(np.zeros((1, 2, 2)),
                                                                    linewidths=2.0)))
            self.tips[m] = track(ax.scatter(np.zeros(1), np.zeros(1), s=10, zorder=3))
            ax.set_aspect("equal")
            ax.set_xlim(-1.55, 1.55)
            ax.set_ylim(-1.55, 1.55)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(method_label(m), color=method_colour(m), fontsize="medium")
        ax = self.ax_twist
        self.twist = {m: track(ax.plot([], [], "o-", ms=2.5, lw=1.2, color=method_colour(m))[0])
                      for m in RACERS}
        self.twist_start = track(ax.plot([], [], ":", color=OKABE_ITO["grey"])[0])
        ax.set_xlabel("time step t (t = T is t = 0 again)")
        ax.set_ylabel("twist round the loop (rad)")
        ax.set_title("Σ best link angles", fontsize="medium")
        ax = self.ax_loss
        self.loss = {m: track(ax.plot([], [], color=method_colour(m))[0]) for m in RACERS}
        ax.set_yscale("log")
        ax.set_xlabel("iteration")
        ax.set_ylabel("L − L_w")
        ax.set_title("loss above the plateau L_w of the winding held", fontsize="medium")
        ax.locator_params(axis="x", nbins=5)
        ax = self.ax_flux
        self.flux = {m: track(ax.plot([], [], color=method_colour(m))[0]) for m in RACERS}
        self.hol = {m: track(ax.plot([], [], ":", lw=1.8, color=method_colour(m))[0])
                    for m in RACERS}
        ax.set_xlabel("iteration")
        ax.set_ylabel("turns")
        ax.locator_params(axis="x", nbins=5)
        ax.set_title("flux / 2π = w + holonomy angle / 2π", fontsize="medium")
        black = dict(color=THEORY_COLOUR, lw=1.2)
        handles = [Line2D([], [], color=method_colour(m), lw=2, label=method_label(m))
                   for m in RACERS]
        handles += [Line2D([], [], ls="-", label="flux / 2π", **black),
                    Line2D([], [], ls=":", label="holonomy angle / 2π", **black),
                    Line2D([], [], ls=":", color=OKABE_ITO["grey"], label="twist at the start")]
        # above the axes: a legend never covers data
        self.fig.legend(handles=handles, loc="upper center", ncol=5, fontsize="small",
                        frameon=False, bbox_to_anchor=(0.5, 1.0))

    # --- state -> runs ---------------------------------------------------------------------
    def update(self, changed=None):
        s = self.state
        self.controls["w"].disabled = s["start"] != "wound"  # a random start has no set winding
        self.model = gc.MexicanHatChain(s["T"], s["lam"], d=2, N=s["N"], ring=True)
        self.Z0 = B.ring_start(self.model, s["start"], s["w"], rng=s["seed"])
        self.traces = {m: B.RingTrace(self.Z0) for m in RACERS}
        self.runs = {m: gc.Run(self.model, self.Z0, m, lr=s["lr"], k1=K1, k2=K2,
                               callback=self.traces[m]) for m in RACERS}
        self._set_limits()
        set_line(self.twist_start, np.arange(s["T"] + 1), self._twist(self.Z0))
        self._draw_clock_colours()
        self.player.start(self.runs, self.steps)
        self._draw()

    def _set_limits(self):
        s = self.state
        loss0 = float(self.runs["gd"].loss[0])
        self.floor = 1e-15 * loss0  # the loss of an unwound ring reaches machine precision
        ax = self.ax_loss
        ax.set_xlim(0, self.steps)
        ax.set_ylim(*limits.decades(self.floor, 2.0 * loss0))
        _log_ticks(ax)
        self.ax_flux.set_xlim(0, self.steps)
        f0 = gc.ring_flux(self.Z0) / TWO_PI
        self.ax_flux.set_ylim(*limits.padded(min(f0, 0.0) - 0.6, max(f0, 0.0) + 0.6))
        twist = self._twist(self.Z0)
        self.ax_twist.set_xlim(-0.5, s["T"] + 0.5)
        self.ax_twist.set_ylim(*limits.padded(min(twist.min(), 0.0) - 0.5,
                                              max(twist.max(), 0.0) + 0.5))

    def _draw_clock_colours(self):
        T, N = self.state["T"], self.state["N"]
        colours = colormaps[TIME_CMAP](np.tile(np.arange(T) / max(T - 1, 1), N))
        for m in RACERS:
            self.sticks[m].set_color(colours)
            self.tips[m].set_facecolor(colours)
            self.tips[m].set_edgecolor(colours)

    @staticmethod
    def _twist(Z):
        return np.concatenate([[0.0], np.cumsum(gc.link_angles(gc.ring_links(Z)))])

    def _draw(self):
        s = self.state
        T = s["T"]
        pos = np.stack([np.cos(TWO_PI * np.arange(T) / T), np.sin(TWO_PI * np.arange(T) / T)], 1)
        t = np.arange(T + 1)
        for m, run in self.runs.items():
            Z = run.Z
            scale = 0.45 / max(1.0, float(np.sqrt(np.sum(Z * Z, axis=1)).max()))
            segs = np.concatenate([np.stack([pos, pos + scale * Z[:, :, i]], axis=1)
                                   for i in range(s["N"])])
            self.sticks[m].set_segments(segs)
            self.tips[m].set_offsets(segs[:, 1])
            twist = self._twist(Z)
            set_line(self.twist[m], t, twist)
            limits.widen(self.ax_twist, "y", float(twist.min()), float(twist.max()))
            plateau = self._plateau(m)
            gap = positive(run.loss - (plateau or 0.0), floor=self.floor)
            set_line(self.loss[m], np.arange(gap.size), gap)
            if limits.widen(self.ax_loss, "y", self.floor, float(gap.max()), log=True):
                _log_ticks(self.ax_loss)
            tr = self.traces[m]
            fl = np.asarray(tr.flux) / TWO_PI
            ho = np.asarray(tr.holonomy) / TWO_PI
            set_line(self.flux[m], tr.iterations, fl)
            set_line(self.hol[m], tr.iterations, ho)
            limits.widen(self.ax_flux, "y", float(min(fl.min(), ho.min())),
                         float(max(fl.max(), ho.max())))
        self._caption()

    def _plateau(self, m):
        """The closed-form plateau of the winding run ``m`` has reached (None while the vectors
        of a step disagree, i.e. while the holonomy is not trivial, or if no wound state exists)."""
        s = self.state
        tr = self.traces[m]
        if abs(tr.holonomy[-1]) > 0.05:
            return None
        w = int(np.rint(tr.flux[-1] / TWO_PI))
        loss = gc.winding_plateau(s["T"], s["lam"], w, N=s["N"])[0]
        return loss if loss > 0 else None

    def _caption(self):
        self.set_caption(self._caption_html)  # built only when shown (at most 4/s in playback)

    def _caption_html(self):
        s = self.state
        T, lam = s["T"], s["lam"]
        start = (f"a ring wound w = {s['w']} times (angles jittered by 0.3 rad)"
                 if s["start"] == "wound" else f"a random start (seed {s['seed']})")
        parts = []
        for m, run in self.runs.items():
            tr = self.traces[m]
            w = int(np.rint(tr.flux[-1] / TWO_PI))
            hol = abs(tr.holonomy[-1])
            text = f"<b>{method_label(m)}</b>: loss {run.current_loss:.6g}, flux {tr.flux[-1] / TWO_PI:.3f} turns"
            plateau = self._plateau(m)
            if plateau is not None:
                text += f", so winding w = {w}; its plateau L_w = {plateau:.6g}"
                at = gc.iterations_to_converge(run.loss, plateau, 1e-6)
                if at is not None:
                    text += f", reached at iteration {at:,}"
            elif hol > 0.05:
                text += (f", holonomy angle {hol:.2f} rad: the vectors of a step disagree, so the "
                         f"flux is not a whole number of turns and no plateau formula applies")
            else:
                text += f", so winding w = {w}"
            if run.diverged:
                text += f"; <b>diverged at step {run.diverged_at}</b>: lower η"
            elif s["start"] == "wound" and w != s["w"] and s["N"] == 1:
                text += f"; <b>unwound from {s['w']} to {w}</b> (a phase slip)"
            parts.append(text)
        c = 1.0 - np.cos(TWO_PI * s["w"] / T)
        text = (f"Ring of T = {T} steps, λ = {lam:.3g}, N = {s['N']} vector(s) per step, "
                f"{start}, both methods with η = {s['lr']:.2g} (Goldstone-GD: a gauge phase of "
                f"k₂ = {K2} steps every k₁ = {K1}). After {self.player.iteration:,} iterations:<br>"
                + "<br>".join(parts))
        if s["N"] > 1:
            text += ("<br>With N > 1 every vector has its own hat, so the vectors of one step can "
                     "end with different windings; no rotation per step lines them all up, and the "
                     "holonomy angle then stays away from 0 (its loss is then drawn above 0, not above a plateau).")
        if s["start"] == "wound" and lam * c >= 2.0:
            text += "<br>No wound state with this w exists here (λc ≥ 2): the vectors shrink to 0."
        return text


def _log_ticks(ax):
    """Readable ticks on a log y axis: 1, 2, 5 per decade, as plain numbers, over at most two
    decades; otherwise whole decades only, never more than about six labels."""
    lo, hi = ax.get_ylim()
    decades = np.log10(hi / lo)
    if decades <= 2.01:
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    else:
        ax.yaxis.set_major_locator(LogLocator(numticks=6))
        ax.yaxis.set_major_formatter(LogFormatterSciNotation())
    ax.yaxis.set_minor_formatter(NullFormatter())


def ring_panel(**kwargs):
    """Chapter 07's ring race: plain GD and Goldstone-GD from the same wound or random ring.

    Parameters
    ----------
    w, T, lam, N, start, lr, seed
        Initial (and Reset) values of the controls: winding number of the start, time steps,
        coupling, vectors per step, ``"wound"`` or ``"random"``, step size, seed.
    steps : int
        Iterations per run.

    Returns
    -------
    RingPanel
    """
    return RingPanel(**kwargs)
