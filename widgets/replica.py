"""Chapter 04's replica panel: P1 §5.1 live. GD, Adam and Goldstone-GD from the same start; the
loss, the histogram of cos(z_first, z_last) (P1 Fig. 4) and every embedding vector's path through
time in 3-D (P1 Fig. 2).

The configurations at a few iterations are kept as the runs pass them; the "show iteration"
slider scrubs those recorded frames in the browser (the 3-D points are projected with the axes'
view in Python and sent once per frame set).
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

import gauge_core as gc
from gauge_core.experiments import P1_SETTINGS
from gauge_core.experiments import race as rc

from . import controls as C
from .base import Panel, legend_above, live_figure, positive, set_line
from .goldstone_knobs import INIT_LABEL, INITS, walls_text
from .live import limits
from .live.player import Player
from .style import OKABE_ITO, THEORY_COLOUR, TIME_CMAP, method_colour, method_label

__all__ = ["replica_panel"]

METHODS = ("gd", "adam", "goldstone")
PICTURED = ("gd", "goldstone")
SNAPSHOTS = (0, 100, 200, 400, 800, 1500, 3000, 5000)
BINS = np.linspace(-1.0, 1.0, 21)
#: Vectors whose path through time is drawn as a line (all vectors are drawn as points): each 3-D
#: line is projected again for every frame the browser gets, so a few keep playback smooth.
PATHS = 6


def _project(ax, xyz):
    """2-D coordinates the live layer draws for 3-D points, with the axes' current view."""
    from mpl_toolkits.mplot3d import proj3d

    flat = np.asarray(xyz, dtype=float).reshape(-1, 3)
    x, y, _ = proj3d.proj_transform(flat[:, 0], flat[:, 1], flat[:, 2], ax.get_proj())
    shape = np.shape(xyz)[:-1]
    return np.asarray(x, dtype=float).reshape(shape), np.asarray(y, dtype=float).reshape(shape)


def _histogram(Z):
    counts, _ = np.histogram(np.clip(gc.alignment(Z), -1, 1), BINS)
    x = np.repeat(BINS, 2)
    y = np.r_[0.0, np.repeat(counts, 2).astype(float), 0.0]
    return x, y


class ReplicaPanel(Panel):
    """P1 §5.1 replica: GD, Adam and Goldstone-GD from the same start, live.

    Top left: the loss (log). Top right: the histogram of ``cos(z_first,i, z_last,i)`` over the
    embedding vectors at the chosen iteration (P1 Fig. 4). Bottom: every embedding vector's path
    through the time steps in 3-D, coloured by t, for GD and Goldstone-GD at the chosen iteration
    (P1 Fig. 2). A twisted vector draws an arc; an aligned one a dot.
    """

    def __init__(self, seed=0, lam=10.0, init="random", scale=1.0, adam_lr=0.01, snapshot=800,
                 steps=3000):
        controls = {
            "seed": C.seed_control(seed),
            "lam": C.coupling_control(lam, lo=-1, hi=2),
            "init": C.dropdown("initialisation", INITS, init, width="330px"),
            "scale": C.scale_control(scale, lo=-1, hi=0.5),
            "adam_lr": C.dropdown("Adam step size", [0.003, 0.01, 0.03, 0.1], adam_lr,
                                  width="200px"),
            "steps": C.dropdown("iterations", [1500, 3000, 5000], steps, width="200px"),
            "snapshot": C.selection_slider("show iteration", list(SNAPSHOTS), snapshot),
        }
        fig, _ = live_figure(9.6, 5.9, 0, 0)
        grid = fig.add_gridspec(2, 2, height_ratios=(1.0, 1.25), hspace=0.32, wspace=0.22,
                                left=0.08, right=0.98, top=0.9, bottom=0.01)
        self.ax_loss = fig.add_subplot(grid[0, 0])
        self.ax_hist = fig.add_subplot(grid[0, 1])
        self.ax3d = {m: fig.add_subplot(grid[1, k], projection="3d")
                     for k, m in enumerate(PICTURED)}
        super().__init__("P1 §5.1 replica: GD, Adam and Goldstone-GD (P1 Figs. 2 and 4)",
                         controls, fig)
        self.player = Player(self.live, self._draw, restart=lambda: self.refresh("restart"))
        self._build_artists()
        self._link = W.jslink((self.controls["snapshot"], "index"), (self.live, "frame_index"))
        self.refresh(changed="init")

    def _build_artists(self):
        track = self.live.track
        ax = self.ax_loss
        self.loss_lines = {m: track(ax.plot([], [], color=method_colour(m),
                                            label=method_label(m))[0]) for m in METHODS}
        self.optimum_line = track(ax.plot([], [], ":", color=THEORY_COLOUR, label="optimum L*")[0])
        self.snap_line = track(ax.plot([], [], color=OKABE_ITO["grey"], lw=0.8,
                                       label="shown iteration")[0])
        ax.set_yscale("log")
        ax.set_xlabel("iteration")
        ax.set_ylabel("loss L(Z)")
        ax.yaxis.set_label_coords(-0.12, 0.5)  # stays put when the tick labels change width
        legend_above(ax, ncol=3)
        ax = self.ax_hist
        self.hist_lines = {m: track(ax.plot([], [], color=method_colour(m), lw=1.6)[0])
                           for m in METHODS}
        ax.set_xlim(-1.02, 1.02)
        ax.set_xlabel("cos(z_first,i, z_last,i): first vs last time step")
        ax.set_ylabel("embedding vectors")
        ax.set_title("alignment of each vector at the shown iteration", fontsize="small")
        self.paths3d, self.points3d = {}, {}
        for m, ax in self.ax3d.items():
            self.paths3d[m] = []
            self.points3d[m] = track(ax.scatter([0.0], [0.0], [0.0], s=5, c=[0.0],
                                                cmap=TIME_CMAP, vmin=0, vmax=1,
                                                depthshade=False))
            ax.tick_params(labelsize=6, pad=0)
            ax.set_title(f"{method_label(m)}: vectors through time (colour: t)",
                         fontsize="small", pad=0)

    def _ensure_paths(self, N):
        """One grey 3-D line for each of the first ``PATHS`` embedding vectors."""
        N = min(N, PATHS)
        for m, ax in self.ax3d.items():
            while len(self.paths3d[m]) < N:
                line = ax.plot([0.0, 0.0], [0.0, 0.0], [0.0, 0.0], color=OKABE_ITO["grey"],
                               lw=0.6)[0]
                self.paths3d[m].append(self.live.track(line))
            for i, line in enumerate(self.paths3d[m]):
                line.set_visible(i < N)

    def update(self, changed=None):
        s = self.state
        if changed == "snapshot" and getattr(self, "runs", None):
            self._show_frame()
            return
        self.problem = pb = rc.race_problem("replica", T=30, lam=s["lam"], init=s["init"],
                                            scale=s["scale"], rng=s["seed"])
        snaps = [k for k in SNAPSHOTS if k <= s["steps"]]
        adam = dict(P1_SETTINGS["adam"], lr=s["adam_lr"])
        settings = {"gd": P1_SETTINGS["gd"], "adam": adam, "goldstone": P1_SETTINGS["goldstone"]}
        self.runs = {m: gc.Run(pb.model, pb.Z0, m, snapshots=snaps, **settings[m])
                     for m in METHODS}
        self._ensure_paths(pb.model.shape[2])
        loss0 = max(r.loss[0] for r in self.runs.values())
        self.ceiling = 1e3 * loss0
        self.ax_loss.set_xlim(0, s["steps"])
        self.ax_loss.set_ylim(*limits.decades(0.5 * pb.minimum, 2 * loss0))
        self.ax_hist.set_ylim(0, pb.model.shape[2] + 1)
        self._lim3d = 0.0
        self._frames_key = None
        self._set_3d_limits(pb.Z0)
        self.live.invalidate()
        self.player.start(self.runs, s["steps"])
        self._draw()

    def _set_3d_limits(self, *Zs):
        """Cube limits that hold the given configurations; True if they changed (the projected
        frames must then be sent again)."""
        lim = max(1.05 * max(float(np.abs(Z).max()) for Z in Zs), 1e-3)
        if abs(lim - self._lim3d) <= 0.02 * self._lim3d:
            return False
        self._lim3d = lim
        for ax in self.ax3d.values():
            for setter in (ax.set_xlim3d, ax.set_ylim3d, ax.set_zlim3d):
                setter(-self._lim3d, self._lim3d)
        self.live.invalidate()
        return True

    def _at(self, run, k):
        """The configuration at iteration ``k`` if reached, else the latest one."""
        if k in run.snapshots:
            return run.snapshots[k], k
        return run.Z, run.iteration

    def _draw(self):
        for m, run in self.runs.items():
            loss = positive(run.loss, ceiling=self.ceiling)
            set_line(self.loss_lines[m], np.arange(loss.size), loss)
            limits.widen(self.ax_loss, "y", float(loss.min()), float(loss.max()), log=True)
        set_line(self.optimum_line, [0, self.state["steps"]], [self.problem.minimum] * 2)
        self._stack_frames()
        self._show_frame()

    def _stack_frames(self):
        """Send every shown iteration's picture as a recorded frame, whenever one more snapshot
        has been reached (or the 3-D limits grew): the slider then scrubs them in the browser."""
        options = list(self.controls["snapshot"].options)
        key = tuple(tuple(sorted(r.snapshots)) for r in self.runs.values())
        if key == self._frames_key:
            return
        # the cube holds the pictured runs' recorded configurations after the start (a random
        # start is several times larger than what the runs settle to)
        later = [Z for m in PICTURED for k, Z in self.runs[m].snapshots.items() if k > 0]
        self._set_3d_limits(*(later or [self.problem.Z0]))
        self._frames_key = key
        lo, hi = self.ax_loss.get_ylim()
        self.live.stack(self.snap_line, x=np.repeat(np.array(options, float)[:, None], 2, 1),
                        y=np.tile([lo, hi], (len(options), 1)))
        for m, run in self.runs.items():
            self.live.stack(self.hist_lines[m],
                            y=np.array([_histogram(self._at(run, k)[0])[1] for k in options]))
        for m, ax in self.ax3d.items():
            Zs = np.array([self._at(self.runs[m], k)[0] for k in options])  # (K, T, d, N)
            paths = np.transpose(Zs, (0, 3, 1, 2))  # (K, N, T, d): each vector through time
            px, py = _project(ax, paths)
            for i, line in enumerate(self.paths3d[m][:min(paths.shape[1], PATHS)]):
                self.live.stack(line, x=px[:, i], y=py[:, i])
            pts = np.transpose(Zs, (0, 1, 3, 2)).reshape(len(options), -1, 3)
            qx, qy = _project(ax, pts)
            self.live.stack(self.points3d[m], x=qx, y=qy)

    def _show_frame(self):
        """Set every artist to the shown iteration (what a static picture shows), and caption."""
        k = self.state["snapshot"]
        lo, hi = self.ax_loss.get_ylim()
        set_line(self.snap_line, [k, k], [lo, hi])
        self.shown = {}
        for m, run in self.runs.items():
            Z, at = self._at(run, k)
            set_line(self.hist_lines[m], *_histogram(Z))
            self.shown[m] = (Z, at, float(gc.alignment(Z).mean()), len(gc.reflection_walls(Z)))
        T, _, N = self.problem.model.shape
        colours = np.repeat(np.arange(T) / max(T - 1, 1), N)
        for m in self.ax3d:
            Z = self.shown[m][0]
            for i, line in enumerate(self.paths3d[m][:min(N, PATHS)]):
                line.set_data_3d(Z[:, 0, i], Z[:, 1, i], Z[:, 2, i])
            flat = np.transpose(Z, (0, 2, 1)).reshape(-1, 3)
            self.points3d[m]._offsets3d = (flat[:, 0], flat[:, 1], flat[:, 2])
            self.points3d[m].set_array(colours)
        self._caption(k)

    def _caption(self, k):
        s = self.state
        bits = []
        for m, run in self.runs.items():
            Z, at, mean_cos, walls = self.shown[m]
            bits.append(f"{method_label(m)} loss {run.loss[at] / self.problem.minimum:.3g} × L*, "
                        f"mean cos {mean_cos:.3f}{'' if walls == 0 else ', ' + walls_text(walls)}")
        pending = [method_label(m) for m, run in self.runs.items() if k not in run.snapshots]
        text = (f"Replica seed {s['seed']} (d = 3, T = 30, λ = {s['lam']:.3g}, N = 20 vectors, "
                f"{INIT_LABEL[s['init']]} start, scale {s['scale']:.2g}); GD as P1 §5.1 (clip "
                f"0.01, step 1, decay 100), Adam step {s['adam_lr']:g} (decay 1000), Goldstone-GD "
                f"k₁ = 50, k₂ = 10 with the same inner GD. At iteration {k:,}: " + "; ".join(bits)
                + f". Optimum L* = {self.problem.minimum:.4g}.")
        if pending:
            text += (f" (Not reached yet by {', '.join(pending)}: showing the latest iterate.)")
        if any(v[3] for v in self.shown.values()):
            text += (" A reflection wall splits a vector's path into mirror-image clusters; "
                     "rotations cannot remove it.")
        self.set_caption(text)


def replica_panel(**kwargs):
    """The P1 §5.1 replica live: loss curves, 3-D paths (P1 Fig. 2) and the alignment histogram
    (P1 Fig. 4) for GD, Adam and Goldstone-GD (chapter 04).

    Parameters
    ----------
    seed, lam, init, scale, adam_lr, snapshot, steps
        Initial (and Reset) values of the controls.

    Returns
    -------
    ReplicaPanel
    """
    return ReplicaPanel(**kwargs)
