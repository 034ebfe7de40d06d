"""Chapter 01's second panel: the Mexican hat, its ring of minima, and sites rolling onto it.

``mexican_hat_panel()`` draws the rotationally symmetric potential with its ring of minima, a few
sites rolling down onto the ring under gradient descent (it plays by itself; the iteration slider
scrubs the recorded frames in the browser), and the flat and curved directions with their
curvatures.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from gauge_core import hat_potential
from gauge_core.experiments import vacua

from . import controls as C
from .live.pacing import Replay
from .base import Panel, live_figure, set_line
from .live.player import Player
from .style import OKABE_ITO

__all__ = ["mexican_hat_panel"]

_BOX = dict(facecolor="white", alpha=0.85, edgecolor="none", pad=1.5)
PALETTE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "purple", "vermillion", "sky",
                                  "yellow", "black")]


class MexicanHatPanel(Panel):
    """The Mexican hat ``ℓ(z) = (|z|² − r²)²`` in the plane, sites relaxing onto its ring of minima.

    Left: the potential (grey shades), the ring of minima (dashed), the GD paths of a few sites from
    random starts up to the shown iteration, and at the end point of the first site two arrows:
    the curved (radial) and the flat (tangential) direction, labelled with the Hessian's
    curvatures. Right: the loss along those two directions through that point, and exactly along
    the ring.
    """

    STEPS = 150
    EVERY = 2  # iterations per frame (and per slider step)
    MAX_SITES = 12
    GRID = 161
    VIEW = 1.9  # half-width of the map in units of r: the hat is self-similar, l(r u) = r^4 l_1(u)

    def __init__(self, radius=1.0, n_sites=6, seed=0):
        self.frames = np.arange(0, self.STEPS + 1, self.EVERY)
        controls = {
            "radius": C.float_slider("ring radius r", radius, 0.5, 2.0, 0.1, fmt=".1f"),
            "n_sites": C.int_slider("sites", n_sites, 1, self.MAX_SITES),
            "seed": C.seed_control(seed),
            "iteration": C.selection_slider("show GD iteration", [int(k) for k in self.frames], 0),
        }
        fig, (self.ax_map, self.ax_cut) = live_figure(9.6, 4.3, 1, 2,
                                                      gridspec_kw={"width_ratios": [1.1, 1]})
        fig.subplots_adjust(left=0.07, right=0.98, top=0.91, bottom=0.12, wspace=0.25)
        super().__init__("The Mexican hat: a ring of equally good minima", controls, fig)
        self.player = Player(self.live, self._draw, restart=lambda: self.refresh("restart"))
        self._paths_key = None
        self._build_artists()
        W.jslink((self.controls["iteration"], "index"), (self.live, "frame_index"))
        self.refresh(changed="radius")

    def _build_artists(self):
        ax = self.ax_map
        self.image = ax.imshow(np.zeros((2, 2)), origin="lower", cmap="Greys", alpha=0.45,
                               extent=(-1, 1, -1, 1), vmin=0, vmax=1, interpolation="bilinear",
                               zorder=0)
        # the ring and the cuts are drawn live too: a new radius moves them at once, before
        # the potential's shading (the background) follows
        self.ring = self.live.track(ax.plot([], [], "--", color=OKABE_ITO["black"], lw=1.2)[0])
        self.site_colours = [PALETTE[i % len(PALETTE)] for i in range(self.MAX_SITES)]
        self.paths = [self.live.track(ax.plot([], [], "-", lw=1.3, color=c, zorder=2)[0])
                      for c in self.site_colours]
        self.starts = self.live.track(ax.scatter(np.zeros(1), np.zeros(1), s=22, facecolors="none",
                                                 edgecolors=OKABE_ITO["black"], linewidths=0.8,
                                                 zorder=3))
        self.heads = self.live.track(ax.scatter(np.zeros(1), np.zeros(1), s=40,
                                                c=[self.site_colours[0]], edgecolors="white",
                                                linewidths=0.7, zorder=4))
        self.arrows = ax.quiver([0, 0], [0, 0], [1, 0], [0, 1], color=[OKABE_ITO["vermillion"],
                                OKABE_ITO["blue"]], angles="xy", scale_units="xy", scale=1,
                                width=0.012, zorder=5)
        self.arrow_text = [ax.text(0.03, y, "", color=c, va="top", fontsize="small",
                                   fontweight="bold", transform=ax.transAxes, bbox=_BOX)
                           for y, c in ((0.97, OKABE_ITO["vermillion"]), (0.89, OKABE_ITO["blue"]))]
        ax.set_aspect("equal")
        ax.set_xlabel("z₁")
        ax.set_ylabel("z₂")
        ax = self.ax_cut
        self.cut_lines = {k: self.live.track(line) for k, line in {
            "across": ax.plot([], [], color=OKABE_ITO["vermillion"],
                              label="across the ring (radial)")[0],
            "quad": ax.plot([], [], ":", color=OKABE_ITO["vermillion"], label="½·κ_radial·s²")[0],
            "along_tangent": ax.plot([], [], color=OKABE_ITO["blue"],
                                     label="along the tangent line")[0],
            "along_ring": ax.plot([], [], "--", color=OKABE_ITO["black"],
                                  label="exactly along the ring")[0],
        }.items()}
        ax.set_xlabel("distance s from the point on the ring")
        ax.set_ylabel("ℓ")
        ax.set_title("loss through the blue site's end point", fontsize="medium")
        ax.legend(loc="upper center", fontsize="small", framealpha=0.85)

    # --- updating ---------------------------------------------------------------------------
    def update(self, changed=None):
        s = self.state
        if changed == "iteration":  # the reader scrubbed: the browser already shows the frame
            self.replay.iteration = self.replay.total  # stop the playback where the reader is
            self.player.start({"GD": self.replay}, self.replay.total, autoplay=False)
            self._show_frame(self.controls["iteration"].index)
            self._caption()
            return
        r, n = s["radius"], s["n_sites"]
        key = (r, n, s["seed"])
        if key != self._paths_key:
            self.path_data, self.lr = vacua.hat_site_paths(r, n, s["seed"], self.STEPS)
            self._paths_key = key
            self._draw_setting(r, n)
        self.replay = Replay(self.STEPS, every=self.EVERY, seconds=6.0, method="gd",
                             paced=lambda: self.live.displayed)
        self._show_frame(0)
        self._holding = True
        try:
            self.controls["iteration"].index = 0
        finally:
            self._holding = False
        self.player.start({"GD": self.replay}, self.replay.total)
        self._caption()

    def _draw_setting(self, r, n):
        """The potential, the ring, the curvature arrows and cuts, and every frame of the paths."""
        lim = self.VIEW * r
        grid = np.linspace(-lim, lim, self.GRID)
        self.image.set_data(hat_potential(np.stack(np.meshgrid(grid, grid), axis=-1), r))
        self.image.set_extent((-lim, lim, -lim, lim))
        self.image.set_clim(0.0, r ** 4)  # white on the ring, dark from the central bump up
        self.ax_map.set_xlim(-lim, lim)
        self.ax_map.set_ylim(-lim, lim)
        phi = np.linspace(0, 2 * np.pi, 241)
        set_line(self.ring, r * np.cos(phi), r * np.sin(phi))
        P = self.path_data[self.frames]  # (K, n, 2), one row per frame
        K = len(self.frames)
        upto = np.minimum(np.arange(K)[None, :], np.arange(K)[:, None])  # frame j shows rows <= j
        for i, line in enumerate(self.paths):
            line.set_visible(i < n)
            if i < n:
                self.live.stack(line, x=P[upto, i, 0], y=P[upto, i, 1])
        self.live.stack(self.heads, x=P[:, :, 0], y=P[:, :, 1])
        self.starts.set_offsets(P[0])
        self.heads.set_facecolors(self.site_colours[:n])
        # the point on the ring where site 0 ends, the Hessian's eigen-directions there, and cuts
        cut = vacua.hat_directions(self.path_data[-1, 0], r)
        self.curvatures = (cut["k_radial"], cut["k_tangent"])
        L = 0.6 * r
        e_r, e_t = cut["radial"], cut["tangent"]
        self.arrows.set_offsets(np.array([cut["point"], cut["point"]]))
        self.arrows.set_UVC([L * e_r[0], L * e_t[0]], [L * e_r[1], L * e_t[1]])
        self.arrow_text[0].set_text(f"curved (radial): κ = {cut['k_radial']:.2f}")
        self.arrow_text[1].set_text(f"flat (along the ring): κ = {abs(cut['k_tangent']):.2f}")
        self.ax_map.set_title(f"ℓ(z) = (|z|² − r²)², r = {r:.1f}: GD from random starts",
                              fontsize="medium")
        for name in ("across", "along_tangent", "along_ring"):
            set_line(self.cut_lines[name], cut["s"], cut[name])
        set_line(self.cut_lines["quad"], cut["s"], 0.5 * cut["k_radial"] * cut["s"] ** 2)
        self.ax_cut.set_xlim(-0.9 * r, 0.9 * r)
        self.ax_cut.set_ylim(-0.1 * r ** 4, 3.2 * r ** 4)
        self.live.invalidate()

    def _show_frame(self, j):
        """Frame ``j`` in the kernel's copy of the artists (the browser draws it from its stack)."""
        n = self.state["n_sites"]
        k = int(self.frames[j])
        P = self.path_data
        for i, line in enumerate(self.paths[:n]):
            set_line(line, P[: k + 1, i, 0], P[: k + 1, i, 1])
        self.heads.set_offsets(P[k])
        self.shown_iteration = k

    def _draw(self):
        """After every playback frame: move the slider with the replay (the link moves the
        browser's frame)."""
        j = self.replay.iteration // self.EVERY
        self.live.frame_index = j
        self._holding = True
        try:
            self.controls["iteration"].index = j
        finally:
            self._holding = False
        self._show_frame(j)
        self._caption()

    def _caption(self):
        P = self.path_data
        k = self.shown_iteration
        r, n = self.state["radius"], self.state["n_sites"]
        k_r, k_t = self.curvatures
        off = vacua.off_ring(P[k][:, :, None], r)
        angles = np.degrees(np.arctan2(P[-1, :, 1], P[-1, :, 0]))
        text = (f"{n} site{'s' if n > 1 else ''} from random starts (seed {self.state['seed']}), "
                f"plain GD with step η = 0.02/r² = {self.lr:.3g}. After {k} steps the farthest "
                f"site is {off:.2g} from the ring. They end at angles "
                f"{', '.join(f'{a:.0f}°' for a in angles[:6])}{' …' if n > 6 else ''}: every "
                f"angle is an equally good minimum, so each site keeps the direction it happened "
                f"to start in. Hessian at the blue site's end point: curvature {k_r:.3g} across the "
                f"ring and {k_t:.1e} along it: the flat direction is the rotation.")
        self.set_caption(text)


def mexican_hat_panel(**kwargs):
    """Chapter 01: the Mexican hat, its ring of minima, sites relaxing onto it (played by itself;
    the iteration slider scrubs the recorded GD iterations in the browser), and the flat
    (tangential) and curved (radial) directions with their curvatures.

    Parameters
    ----------
    radius : float
        Radius r of the ring of minima (0.5 to 2).
    n_sites : int
        Number of independent sites relaxing under GD (1 to 12).
    seed : int
        Seed of the random starts.

    Returns
    -------
    MexicanHatPanel
    """
    return MexicanHatPanel(**kwargs)
