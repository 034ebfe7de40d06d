"""Chapter 02's panels: spontaneous symmetry breaking by random initialisation, and reflection
domain walls.

``symmetry_breaking_panel()`` runs plain GD on the Mexican-hat chain (d = 2) once per setting,
keeps snapshots at log-spaced iterations, and lets the reader scrub through them: each site falls
into its own vacuum, the twist profile forms, and the coupling slowly irons it out.
``domain_wall_panel()`` starts a dynamic factorisation at its optimum with part of the chain
reflected, and compares plain GD with GD plus the exact gauge step with SO(d) or O(d) links.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

import gauge_core as gc
from gauge_core import count_walls
from gauge_core.experiments import (SNAPSHOT_ITERATIONS, LRUCache, hat_chain_run, wall_data,
                                    wall_start)

from . import controls as C
from .base import Panel, autoscale, make_figure, positive, set_line
from .runner import ChunkedRuns
from .style import OKABE_ITO, TIME_CMAP, method_colour, method_label

__all__ = ["symmetry_breaking_panel", "domain_wall_panel"]

_LRU = LRUCache


class SymmetryBreakingPanel(Panel):
    """Spontaneous symmetry breaking on the Mexican-hat chain, scrubbed through time.

    Left: the vectors ``z_t`` in the plane at the chosen iteration, coloured by time step ``t``
    (cividis), joined in time order, with the ring of minima. Middle: the twist profile
    ``θ_t − θ_0`` at every snapshot up to the chosen iteration, coloured by iteration (viridis),
    the chosen one in bold. Right: the loss and its two parts against iteration.

    A new setting starts one plain-GD run (3000 iterations by default) that advances in chunks (Play/Pause;
    about 50 ms of work per chunk); finished runs are cached. The iteration slider only reads
    snapshots, so scrubbing is instant.
    """

    def __init__(self, T=12, lam=1.0, init="random", scale=1.0, seed=0, lr=0.03, iteration=200,
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
            "iteration": W.SelectionSlider(options=list(self.iterations), value=iteration,
                                           description="show iteration", continuous_update=True,
                                           style={"description_width": "initial"},
                                           layout=W.Layout(width="420px")),
        }
        fig, (self.ax_plane, self.ax_twist, self.ax_loss) = make_figure(11.0, 3.7, 1, 3)
        fig.subplots_adjust(left=0.06, right=0.98, top=0.88, bottom=0.15, wspace=0.32)
        self.runner = ChunkedRuns(self._draw_all, budget=0.05)
        super().__init__("Every time step picks its own vacuum", controls, fig,
                         extra=[self.runner.box])
        self._cache = _LRU(24)
        self._build_artists()
        self.refresh(changed="lam")

    def _build_artists(self):
        import matplotlib as mpl

        ax = self.ax_plane
        phi = np.linspace(0, 2 * np.pi, 200)
        ax.plot(np.cos(phi), np.sin(phi), "--", color=OKABE_ITO["grey"], lw=0.9)
        ax.plot([0], [0], "+", color=OKABE_ITO["grey"])
        self.chain = ax.plot([], [], "-", color=OKABE_ITO["grey"], lw=0.8, zorder=2)[0]
        self.dots = ax.scatter(np.zeros(self.T), np.zeros(self.T), c=np.arange(self.T),
                               cmap="cividis", vmin=0, vmax=self.T - 1, s=30, zorder=3,
                               edgecolors="black", linewidths=0.4)
        ax.set_aspect("equal")
        ax.set_xlabel("z₁")
        ax.set_ylabel("z₂")
        ax = self.ax_twist
        cmap = mpl.colormaps[TIME_CMAP]
        n = len(self.iterations)
        self.twist_lines = [ax.plot([], [], "-", lw=1.0, color=cmap(i / (n - 1)), alpha=0.7)[0]
                            for i in range(n)]
        self.twist_now = ax.plot([], [], "o-", ms=3.5, lw=2.2, color=OKABE_ITO["black"])[0]
        ax.set_xlabel("time step t")
        ax.set_ylabel("twist θ_t − θ_0 (rad)")
        ax.set_xlim(-0.5, self.T - 0.5)
        ax = self.ax_loss
        self.loss_lines = {
            "total": ax.plot([], [], color=OKABE_ITO["black"], label="loss L")[0],
            "local": ax.plot([], [], color=OKABE_ITO["blue"], label="local Σℓ (hat)")[0],
            "coupling": ax.plot([], [], color=OKABE_ITO["vermillion"], label="coupling ψ")[0],
        }
        self.loss_mark = ax.axvline(1, color=OKABE_ITO["grey"], ls="--", lw=1)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(1, self.total + 1)
        ax.set_xlabel("iteration + 1")
        ax.set_ylabel("loss")
        ax.legend(loc="lower left", fontsize="small")

    def update(self, changed=None):
        s = self.state
        if changed != "iteration":
            key = (s["lam"], s["init"], s["scale"], s["seed"], s["lr"])
            if key not in self._cache:
                self._cache.put(key, hat_chain_run(self.T, *key, snapshots=self.iterations))
            self.run = self._cache[key]
            self.model = self.run.model
            self._profiles = {}
            self.runner.start({"gd": self.run}, self.total)
            self._draw_run()
        self._draw_time()

    # --- drawing ----------------------------------------------------------------------------
    def _draw_all(self):
        self._draw_run()
        self._draw_time()
        self.fig.canvas.draw_idle()

    def profiles(self):
        """Twist profile (``gauge_core.twist_profile``) of every snapshot reached so far."""
        for k, Z in self.run.snapshots.items():
            if k not in self._profiles:
                self._profiles[k] = gc.twist_profile(Z)
        return self._profiles

    def _draw_run(self):
        run = self.run
        loss = run.loss
        its = np.arange(loss.size) + 1.0
        for part, values in (("total", loss), ("local", run.local_loss),
                             ("coupling", run.coupling_loss)):
            set_line(self.loss_lines[part], its, positive(values, 1e-18))
        autoscale(self.ax_loss, x=False)
        prof = self.profiles()
        tmax = max(1.0, max(float(np.abs(p).max()) for p in prof.values()))
        self.ax_twist.set_ylim(-1.08 * tmax, 1.08 * tmax)
        if run.diverged:
            limit = 2.0 / (8.0 + 4.0 * self.state["lam"])
            self.say(f"<span style='color:#D55E00'>plain GD diverged at step {run.diverged_at} "
                     f"(η = {self.state['lr']:.2g}; the radial modes need η &lt; 2/(8 + 4λ) = "
                     f"{limit:.3g}, and a start far up the outer wall needs less); the plots end "
                     f"at the last finite snapshot.</span>")
        else:
            self.say("")

    def _draw_time(self):
        it = self.state["iteration"]
        run = self.run
        prof = self.profiles()
        t = np.arange(self.T)
        shown = max(k for k in prof if k <= it) if any(k <= it for k in prof) else min(prof)
        for k, line in zip(self.iterations, self.twist_lines):
            vis = k in prof and k <= shown
            line.set_visible(vis)
            if vis:
                set_line(line, t, prof[k])
        set_line(self.twist_now, t, prof[shown])
        Z = run.snapshots[shown][:, :, 0]
        self.dots.set_offsets(Z)
        set_line(self.chain, Z[:, 0], Z[:, 1])
        lim = max(1.4, 1.1 * float(np.abs(Z).max()))
        self.ax_plane.set_xlim(-lim, lim)
        self.ax_plane.set_ylim(-lim, lim)
        self.ax_plane.set_title(f"z_t at iteration {shown} (colour: t)", fontsize="medium")
        self.ax_twist.set_title(f"twist profiles up to iteration {shown}", fontsize="medium")
        self.ax_loss.set_title("loss and its parts", fontsize="medium")
        self.loss_mark.set_xdata([shown + 1, shown + 1])
        self.shown_iteration = shown
        self._caption(shown)

    def _caption(self, k):
        s = self.state
        run = self.run
        Z = run.snapshots[k]
        radial = float(np.max(np.abs(np.sqrt(np.sum(Z[:, :, 0] * Z[:, :, 0], axis=1)) - 1.0)))
        span = float(np.ptp(self._profiles[k]))
        h1 = gc.dispersion(self.T, s["lam"])[1]
        a1 = float(gc.twist_amplitudes(Z)[1])
        init = ("random per step" if s["init"] == "random" else "aligned (cold start)")
        text = (f"T = {self.T}, λ = {s['lam']:.3g}, {init} start at scale {s['scale']:.2g} "
                f"(seed {s['seed']}), plain GD with η = {s['lr']:.2g}. At iteration {k}: the "
                f"farthest site is {radial:.2g} from the ring, the twist spans {span:.3g} rad, "
                f"the slowest-twist (ν = 1) amplitude is {abs(a1):.3g}, loss L = "
                f"{run.loss[k]:.3g}. Theory: GD shrinks the ν = 1 twist by "
                f"1 − ηh₁ = {1 - s['lr'] * h1:.5f} per step (h₁ = λ(2 − 2cos(π/T)) = {h1:.3g}), "
                f"about {1 / (s['lr'] * h1):,.0f} steps per e-fold.")
        if k < self.state["iteration"] and not run.diverged:
            text += f" <i>(run in progress: iteration {run.iteration:,} of {self.total:,})</i>"
        if run.diverged:
            text += f" <b>Diverged at step {run.diverged_at}.</b>"
        self.set_caption(text)


def symmetry_breaking_panel(**kwargs):
    """Chapter 02: spontaneous symmetry breaking on the Mexican-hat chain (d = 2), scrubbed in time.

    One plain-GD run per setting (``steps`` iterations, default 3000, advanced in chunks with Play/Pause, finished
    runs cached) with snapshots at log-spaced iterations; the iteration slider only reads
    snapshots, so scrubbing is instant. Headless code calls ``panel.runner.run_to_end()``.

    Parameters
    ----------
    T : int
        Number of time steps (fixed for the panel; default 12).
    lam, init, scale, seed, lr : initial (and Reset) values of the controls: coupling λ,
        initialisation ``"random"`` or ``"aligned"``, its scale (1e-3 to 1), seed, GD step size.
    iteration : int
        Initially shown iteration, one of :data:`SNAPSHOT_ITERATIONS`.
    steps : int
        Length of each run (default 3000); snapshots are kept at the iterations of
        :data:`SNAPSHOT_ITERATIONS` below it and at ``steps`` itself.

    Returns
    -------
    SymmetryBreakingPanel
    """
    return SymmetryBreakingPanel(**kwargs)


# ---------------------------------------------------------------------------------------------
class DomainWallPanel(Panel):
    """A reflection domain wall in a dynamic factorisation: plain GD stalls, O(d) links repair it.

    Left: the loss above the optimum against iteration for plain GD and for GD plus the exact gauge
    step (SO(d) or O(d) links, every k₁ = 10 steps). Right: the coupling cost of each link at the
    start and now; a reflection wall is the one expensive link.
    """

    def __init__(self, T=10, d=2, lam=1.0, wall=5, group="SO", seed=0, lr=0.02, steps=3000):
        self.T, self.d, self.lr, self.steps = int(T), int(d), float(lr), int(steps)
        controls = {
            "group": C.group_control(group),
            "wall": C.int_slider("wall before step", wall, 1, self.T - 1),
            "lam": C.coupling_control(lam, lo=-1, hi=1),
            "seed": C.seed_control(seed),
        }
        fig, (self.ax_loss, self.ax_links) = make_figure(10.0, 3.8, 1, 2)
        fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.14, wspace=0.28)
        self.runner = ChunkedRuns(self._draw)
        super().__init__("A reflection domain wall", controls, fig, extra=[self.runner.box])
        self._runs = _LRU(64)
        self._build_artists()
        self.refresh(changed="wall")

    def _build_artists(self):
        ax = self.ax_loss
        self.loss_lines = {"gd": ax.plot([], [], "-", lw=2.6, color=method_colour("gd"))[0],
                           "gauge": ax.plot([], [], "--", lw=1.6, color=method_colour("gauge"))[0]}
        ax.legend([self.loss_lines["gd"], self.loss_lines["gauge"]],
                  [method_label("gd"), "GD + exact gauge step"], loc="upper right",
                  fontsize="small")
        ax.set_yscale("log")
        ax.set_xlabel("iteration")
        ax.set_ylabel("loss above the optimum, L − L*")
        ax.set_xlim(0, self.steps)
        ax = self.ax_links
        links = np.arange(1, self.T)
        self.link_lines = {
            "start": ax.plot(links, np.ones(self.T - 1), ":", marker="o", ms=4,
                             color=OKABE_ITO["grey"], label="at the start")[0],
            "gd": ax.plot(links, np.ones(self.T - 1), "-", marker="o", ms=4,
                          color=method_colour("gd"), label=method_label("gd"))[0],
            "gauge": ax.plot(links, np.ones(self.T - 1), "--", marker="s", ms=4,
                             color=method_colour("gauge"), label="GD + exact gauge step")[0],
        }
        self.legend = ax.legend(loc="lower left", fontsize="small")
        ax.set_yscale("log")
        ax.set_xlabel("link between steps t − 1 and t")
        ax.set_ylabel("coupling cost λ/2 ‖Z_t − Z_{t−1}‖²")
        ax.set_xticks(links)

    def _model(self, lam, seed):
        X = wall_data(d=self.d, rng=seed)
        return X, gc.DynamicFactorization(X, self.d, lam, T=self.T)

    def update(self, changed=None):
        s = self.state
        X, model = self._model(s["lam"], s["seed"])
        Zs, Z0 = wall_start(model, X, s["wall"], s["seed"])
        self.model, self.Z_opt, self.Z0 = model, Zs, Z0
        self.optimum = model.loss(Zs)
        if changed == "reset":  # Reset means "start again": forget partly advanced runs
            self._runs = _LRU(64)
        base = (s["wall"], s["lam"], s["seed"])
        if base + ("gd",) not in self._runs:
            self._runs.put(base + ("gd",), gc.Run(model, Z0, "gd", lr=self.lr))
        gkey = base + ("gauge", s["group"])
        if gkey not in self._runs:
            self._runs.put(gkey, gc.Run(model, Z0, "gauge", lr=self.lr, k1=10, group=s["group"]))
        self.runs = {"gd": self._runs[base + ("gd",)], "gauge": self._runs[gkey]}
        self.runner.start(self.runs, self.steps)
        self.legend.get_texts()[2].set_text(f"GD + exact gauge step, {s['group']}(d) links")
        set_line(self.link_lines["start"], np.arange(1, self.T), positive(self._link_costs(Z0)))
        self._draw()

    def _link_costs(self, Z):
        return self.model.coupling.link_costs(Z)

    def _draw(self):
        s = self.state
        for k, run in self.runs.items():
            loss = run.loss
            set_line(self.loss_lines[k], np.arange(loss.size), positive(loss - self.optimum, 1e-16))
            set_line(self.link_lines[k], np.arange(1, self.T), positive(self._link_costs(run.Z)))
        for ax, lines in ((self.ax_loss, self.loss_lines.values()),
                          (self.ax_links, self.link_lines.values())):
            y = np.concatenate([np.asarray(line.get_ydata(), float) for line in lines])
            ax.set_ylim(y.min() / 3.0, y.max() * 3.0)  # at least a decade, even for flat curves
        self.ax_loss.set_title(f"λ = {s['lam']:.3g}, wall before step {s['wall']}, "
                               f"{s['group']}(d) links", fontsize="medium")
        self.ax_links.set_title("coupling cost per link", fontsize="medium")
        self._caption()
        self.fig.canvas.draw_idle()

    def _caption(self):
        s = self.state
        gd, ga = self.runs["gd"], self.runs["gauge"]
        ratio = lambda r: r.current_loss / self.optimum  # noqa: E731
        text = (f"T = {self.T} steps of the same 6×5 rank-{self.d} data (seed {s['seed']}), "
                f"d = {self.d}, λ = {s['lam']:.3g}. Start: the optimum (L* = {self.optimum:.4g}) "
                f"with steps {s['wall']}–{self.T - 1} reflected, plus noise 0.01. After "
                f"{gd.iteration:,} iterations (η = {self.lr:g}) plain GD is at {ratio(gd):.3g}× "
                f"the optimum with {count_walls(gd.Z)} wall(s) left; GD + exact gauge step with "
                f"{s['group']}(d) links (every 10 steps) after {ga.iteration:,} iterations is at "
                f"{ratio(ga):.3g}× with {count_walls(ga.Z)} wall(s).")
        for k, r in self.runs.items():
            if r.diverged:
                text += f" <b>{method_label(r.method)} diverged at step {r.diverged_at}.</b>"
        self.set_caption(text)


def domain_wall_panel(**kwargs):
    """Chapter 02: a reflection domain wall; plain GD stalls, the exact gauge step with O(d) links
    repairs it, with SO(d) links it cannot.

    The runs advance in chunks (Play/Pause); finished runs are cached, so returning to a setting is
    instant. Headless code calls ``panel.runner.run_to_end()``.

    Parameters
    ----------
    T, d : int
        Chain length and rank (fixed for the panel; defaults 10 and 2).
    lam, wall, group, seed : initial (and Reset) values of the controls: coupling λ (0.1 to 10),
        the first reflected step, ``"SO"`` or ``"O"`` links, and the seed of data and noise.
    lr, steps : GD step size and number of iterations.

    Returns
    -------
    DomainWallPanel
    """
    return DomainWallPanel(**kwargs)
