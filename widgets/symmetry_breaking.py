"""Chapter 02's first panel: spontaneous symmetry breaking by random initialisation.

``symmetry_breaking_panel()`` runs plain GD on the Mexican-hat chain (d = 2) and plays it by
itself, evenly in log time (the fast fall into the vacuum and the slow untwisting each get their
share): each site falls into its own vacuum, the twist profile forms, and the coupling slowly
irons it out. Once the run has finished, the iteration slider scrubs its snapshots in the browser.
"""
from __future__ import annotations

import ipywidgets as W
import matplotlib as mpl
import numpy as np

import gauge_core as gc
from gauge_core.experiments import SNAPSHOT_ITERATIONS, hat_chain_run, vacua

from . import controls as C
from .live.pacing import LogPaced, finish
from .base import Panel, live_figure, positive, set_line
from .hero import efold_text
from .live import limits
from .live.player import Player
from .style import OKABE_ITO, TIME_CMAP

__all__ = ["symmetry_breaking_panel"]

FLOOR = 1e-18  # losses below this are drawn on it


class SymmetryBreakingPanel(Panel):
    """Spontaneous symmetry breaking on the Mexican-hat chain, live and then scrubbed through time.

    Left: the vectors ``z_t`` in the plane, coloured by time step ``t`` (cividis), joined in time
    order, with the ring of minima. Middle: the twist profile ``θ_t − θ_0`` now (black) and at every
    snapshot before (coloured by iteration, viridis). Right: the loss and its two parts against
    iteration.
    """

    def __init__(self, T=12, lam=1.0, init="random", scale=1.0, seed=0, lr=0.03,
                 steps=SNAPSHOT_ITERATIONS[-1]):
        self.T = int(T)
        self.iterations = tuple(k for k in SNAPSHOT_ITERATIONS if k < steps) + (int(steps),)
        self.total = self.iterations[-1]
        controls = {
            "lam": C.coupling_control(lam),
            "init": C.init_control(init),
            "scale": C.scale_control(scale, lo=-3, hi=0),
            "seed": C.seed_control(seed),
            "lr": C.lr_control(lr, lo=-3, hi=-0.5),
            "iteration": C.selection_slider("show iteration", list(self.iterations), 0),
        }
        fig, (self.ax_plane, self.ax_twist, self.ax_loss) = live_figure(9.6, 3.6, 1, 3)
        fig.subplots_adjust(left=0.06, right=0.98, top=0.86, bottom=0.15, wspace=0.34)
        super().__init__("Every time step picks its own vacuum", controls, fig)
        self.player = Player(self.live, self._draw, restart=lambda: self.refresh("restart"))
        self._build_artists()
        W.jslink((self.controls["iteration"], "index"), (self.live, "frame_index"))
        self.refresh(changed="init")

    def _build_artists(self):
        ax = self.ax_plane
        phi = np.linspace(0, 2 * np.pi, 200)
        ax.plot(np.cos(phi), np.sin(phi), "--", color=OKABE_ITO["grey"], lw=0.9)
        ax.plot([0], [0], "+", color=OKABE_ITO["grey"])
        self.chain = self.live.track(ax.plot([], [], "-", color=OKABE_ITO["grey"], lw=0.8,
                                             zorder=2)[0])
        self.dots = self.live.track(ax.scatter(np.zeros(self.T), np.zeros(self.T),
                                               c=np.arange(self.T), cmap="cividis", vmin=0,
                                               vmax=self.T - 1, s=30, zorder=3,
                                               edgecolors="black", linewidths=0.4))
        ax.set_aspect("equal")
        ax.set_xlabel("z₁")
        ax.set_ylabel("z₂")
        ax.set_title("z_t (colour: t)", fontsize="medium")
        ax = self.ax_twist
        cmap = mpl.colormaps[TIME_CMAP]
        n = len(self.iterations)
        self.twist_lines = [self.live.track(ax.plot([], [], "-", lw=1.0, color=cmap(i / (n - 1)),
                                                    alpha=0.7)[0]) for i in range(n)]
        self.twist_now = self.live.track(ax.plot([], [], "o-", ms=3.5, lw=2.2,
                                                 color=OKABE_ITO["black"], zorder=4)[0])
        ax.set_xlabel("time step t")
        ax.set_ylabel("twist θ_t − θ_0 (rad)")
        ax.set_xlim(-0.5, self.T - 0.5)
        ax.set_title("twist now (black) and before", fontsize="medium")
        ax = self.ax_loss
        self.loss_lines = {
            "total": self.live.track(ax.plot([], [], color=OKABE_ITO["black"], label=r"loss $\mathcal{L}$")[0]),
            "local": self.live.track(ax.plot([], [], color=OKABE_ITO["blue"],
                                             label="local Σℓ (hat)")[0]),
            "coupling": self.live.track(ax.plot([], [], color=OKABE_ITO["vermillion"],
                                                label="coupling ψ")[0]),
        }
        self.loss_mark = self.live.track(ax.plot([], [], "--", color=OKABE_ITO["grey"], lw=1)[0])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(1, self.total + 1)
        ax.set_xlabel("iteration + 1")
        ax.set_ylabel("loss")
        ax.legend(loc="lower left", bbox_to_anchor=(-0.05, 1.0), ncol=3, fontsize="x-small",
                  frameon=False, handlelength=1.2, columnspacing=0.8, borderaxespad=0.2)

    # --- updating ---------------------------------------------------------------------------
    def update(self, changed=None):
        s = self.state
        if changed == "iteration":
            if not self.player.done:  # scrubbing during playback: finish the run first
                finish(self.player)
            self._show_snapshot(self.controls["iteration"].index)
            self._caption()
            return
        self.run = hat_chain_run(self.T, s["lam"], s["init"], s["scale"], s["seed"], s["lr"],
                                 snapshots=self.iterations)
        self.model = self.run.model
        self._profiles = {}
        for artist in [self.dots, self.chain, self.twist_now, self.loss_mark, *self.twist_lines]:
            self.live.stack(artist)  # live frames until the run has finished
        self._set_limits()
        self.live.invalidate()
        paced = LogPaced(self.run, self.total, seconds=8.0, paced=lambda: self.live.displayed)
        self.player.start({"gd": paced}, self.total)
        self._draw()

    def _set_limits(self):
        loss0 = self.run.loss[0]
        self.ax_loss.set_ylim(*limits.decades(FLOOR, 2 * loss0))
        twist = gc.twist_profile(self.run.Z)
        top = max(1.0, 1.08 * float(np.abs(twist).max()))
        self.ax_twist.set_ylim(-top, top)
        lim = max(1.4, 1.1 * float(np.abs(self.run.Z).max()))
        self.ax_plane.set_xlim(-lim, lim)
        self.ax_plane.set_ylim(-lim, lim)

    def _draw(self):
        """After every chunk of the live run: the current iterate and the curves so far."""
        run = self.run
        its = np.arange(run.loss.size) + 1.0
        for part, values in (("total", run.loss), ("local", run.local_loss),
                             ("coupling", run.coupling_loss)):
            set_line(self.loss_lines[part], its, positive(values, FLOOR))
        limits.widen(self.ax_loss, "y", FLOOR, float(positive(run.loss, FLOOR).max()), log=True)
        reached = [k for k in self.iterations if k in run.snapshots]
        for k, line in zip(self.iterations, self.twist_lines):
            line.set_visible(k in run.snapshots)
            if k in run.snapshots:
                set_line(line, np.arange(self.T), self.profile(k))
        self._show(run.Z, run.iteration)
        self._holding = True
        try:
            self.controls["iteration"].index = len(reached) - 1
        finally:
            self._holding = False
        self.live.frame_index = len(reached) - 1
        if self.player.done:
            self._finish()
        self.shown_iteration = run.iteration
        self._caption()

    def profile(self, k):
        """Twist profile of the snapshot at iteration ``k`` (cached)."""
        if k not in self._profiles:
            self._profiles[k] = gc.twist_profile(self.run.snapshots[k])
        return self._profiles[k]

    def _show(self, Z, iteration):
        Z = Z[:, :, 0]
        twist = gc.twist_profile(Z[:, :, None])
        self.dots.set_offsets(Z)
        set_line(self.chain, Z[:, 0], Z[:, 1])
        set_line(self.twist_now, np.arange(self.T), twist)
        limits.widen(self.ax_twist, "y", float(twist.min()), float(twist.max()))
        top = 1.1 * float(np.abs(Z).max())
        limits.widen(self.ax_plane, "x", -top, top)
        limits.widen(self.ax_plane, "y", -top, top)
        lo, hi = self.ax_loss.get_ylim()
        set_line(self.loss_mark, [iteration + 1, iteration + 1], [lo, hi])

    def _finish(self):
        """The run is over: give the browser every snapshot, so the slider scrubs there."""
        ks = [k for k in self.iterations if k in self.run.snapshots]
        Zs = np.stack([self.run.snapshots[k][:, :, 0] for k in ks])  # (K, T, 2)
        profiles = np.stack([self.profile(k) for k in ks])
        self.live.stack(self.dots, x=Zs[:, :, 0], y=Zs[:, :, 1])
        self.live.stack(self.chain, x=Zs[:, :, 0], y=Zs[:, :, 1])
        self.live.stack(self.twist_now, y=profiles)
        idx = np.arange(len(ks))
        for i, line in enumerate(self.twist_lines[:len(ks)]):
            # a later snapshot's line hides under the black one until the slider reaches it
            self.live.stack(line, y=profiles[np.maximum(idx, i)])
        lo, hi = self.ax_loss.get_ylim()
        self.live.stack(self.loss_mark, x=np.repeat(np.array(ks, float)[:, None] + 1, 2, axis=1),
                        y=np.tile([lo, hi], (len(ks), 1)))

    def _show_snapshot(self, j):
        """Snapshot ``j`` in the kernel's copy of the artists (the browser draws it from its
        stack): the static edition and tests see what the reader sees."""
        k = self.iterations[j]
        if k not in self.run.snapshots:
            k = max(self.run.snapshots)
        self._show(self.run.snapshots[k], k)
        for kk, line in zip(self.iterations, self.twist_lines):
            if kk in self.run.snapshots:
                set_line(line, np.arange(self.T), self.profile(kk if kk <= k else k))
        self.shown_iteration = k

    def _caption(self):
        s = self.state
        run = self.run
        k = self.shown_iteration
        Z = run.Z if k == run.iteration else run.snapshots[k]
        span = float(np.ptp(gc.twist_profile(Z)))
        a1 = float(gc.twist_amplitudes(Z)[1])
        init = "random per step" if s["init"] == "random" else "aligned (cold start)"
        text = (f"T = {self.T}, λ = {s['lam']:.3g}, {init} start at scale {s['scale']:.2g} "
                f"(seed {s['seed']}), plain GD with η = {s['lr']:.2g}. At iteration {k:,}: the "
                f"farthest site is {vacua.off_ring(Z):.2g} from the ring, the twist spans "
                f"{span:.3g} rad, the slowest-twist (ν = 1) amplitude is {abs(a1):.3g}, loss 𝓛 = "
                f"{run.loss[min(k, run.loss.size - 1)]:.3g}. Linear theory: GD shrinks the ν = 1 "
                f"twist by 1 − ηh₁ = {gc.gd_decay_factor(self.T, s['lam'], s['lr'])[1]:.5f} per "
                f"step (h₁ = {gc.dispersion(self.T, s['lam'])[1]:.3g}), "
                f"{efold_text(self.T, s['lam'], s['lr'])}.")
        if run.diverged:
            limit = gc.gd_stability_limit(self.T, s["lam"])
            text += (f" <b>Diverged at step {run.diverged_at}</b>: the stiff radial modes need "
                     f"η &lt; 2/h_max = {limit:.3g}, and a start far up the outer wall needs less.")
        self.set_caption(text)


def symmetry_breaking_panel(**kwargs):
    """Chapter 02: spontaneous symmetry breaking on the Mexican-hat chain (d = 2).

    One plain-GD run per setting (``steps`` iterations, default 3000) that plays by itself, evenly
    in log time, with snapshots at log-spaced iterations; once it has finished, the iteration
    slider scrubs the snapshots in the browser. Headless code calls
    ``panel.player.run_to_end()``.

    Parameters
    ----------
    T : int
        Number of time steps (fixed for the panel; default 12).
    lam, init, scale, seed, lr : initial (and Reset) values of the controls: coupling λ,
        initialisation ``"random"`` or ``"aligned"``, its scale (1e-3 to 1), seed, GD step size.
    steps : int
        Length of each run (default 3000); snapshots are kept at the iterations of
        :data:`gauge_core.experiments.SNAPSHOT_ITERATIONS` below it and at ``steps`` itself.

    Returns
    -------
    SymmetryBreakingPanel
    """
    return SymmetryBreakingPanel(**kwargs)
