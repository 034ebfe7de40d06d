"""Chapter 01's panels: the symmetries of an embedding loss, and the Mexican hat.

``symmetry_panel()`` rotates (and optionally reflects) the embeddings of a small dynamic matrix
factorisation, globally, at one time step, or differently at every step, and shows which parts of
the loss notice. ``mexican_hat_panel()`` draws the rotationally symmetric potential with its ring of
minima, a few sites rolling down onto the ring under gradient descent, and the flat and curved
directions with their curvatures.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib.collections import LineCollection

import gauge_core as gc
from gauge_core import hat_potential, hat_principal_curvatures, reflection, unit_generator
from gauge_core.experiments import fitted_start, symmetry_data

from . import controls as C
from .base import Panel, make_figure, set_line
from .style import OKABE_ITO

__all__ = ["symmetry_panel", "mexican_hat_panel"]

MODES = (("all steps together (global)", "global"), ("one time step only", "one"),
         ("a different random rotation per step", "random"))
SHOW = (("all three parts", "all"), ("local loss", "local"), ("coupling ψ", "coupling"),
        ("total loss", "total"))
PART_COLOURS = {"local": OKABE_ITO["blue"], "coupling": OKABE_ITO["vermillion"],
                "total": OKABE_ITO["black"]}
STYLES = {"local": "-", "coupling": "-", "total": "--"}
_BOX = dict(facecolor="white", alpha=0.85, edgecolor="none", pad=1.5)
PART_LABELS = {"local": "local loss Σ ℓ", "coupling": "coupling ψ", "total": "total L"}


class SymmetryPanel(Panel):
    """Rotate or reflect the embeddings of a dynamic factorisation and watch the loss.

    Left: local loss, coupling and total loss against the rotation angle, the current angle marked.
    Right: the embedding vectors of two neighbouring time steps in the plane of the first two axes
    (circles: the ``U`` columns, squares: the ``V`` columns), joined by the differences that the
    coupling penalises.
    """

    ANGLES = np.linspace(-180.0, 180.0, 73)

    def __init__(self, T=6, d=2, lam=1.0, angle=40.0, mode="global", step=2, reflect=False,
                 show="all", seed=0):
        self.T = int(T)
        controls = {
            "d": C.toggles("dimension d", [("d = 2", 2), ("d = 3", 3)], d),
            "lam": C.coupling_control(lam),
            "mode": C.dropdown("rotate", list(MODES), mode, width="330px"),
            "step": C.int_slider("step k", step, 0, self.T - 1),
            "angle": C.float_slider("angle θ (°)", angle, -180.0, 180.0, 5.0, fmt=".0f"),
            "reflect": W.Checkbox(value=bool(reflect), description="also reflect (det = −1)",
                                  indent=False, layout=W.Layout(width="190px")),
            "show": C.dropdown("show", list(SHOW), show, width="230px"),
            "seed": C.seed_control(seed),
        }
        fig, (self.ax_curve, self.ax_plane) = make_figure(9.6, 3.9, 1, 2)
        fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.14, wspace=0.28)
        super().__init__("Which transformations does the loss notice?", controls, fig)
        self._cache = {}
        self._build_artists()
        self.refresh(changed="d")

    # --- physics (cached) -------------------------------------------------------------------
    def _setup(self, d, seed):
        key = ("setup", d, seed)
        if key not in self._cache:
            X = symmetry_data(self.T, rng=seed)
            model = gc.DynamicFactorization(X, d, 1.0)  # lam = 1: the coupling scales with lam
            Z0 = fitted_start(X, d)
            rng = np.random.default_rng(seed + 1000)
            gens = np.stack([unit_generator(d, rng) for _ in range(self.T)])
            factors = rng.uniform(-1.0, 1.0, self.T)
            self._cache[key] = (model, Z0, gens, factors)
        return self._cache[key]

    def rotations(self, angles_deg, d, seed, mode, step, reflect):
        """The per-step orthogonal matrices for each angle, shape ``(A, T, d, d)``."""
        _, _, gens, factors = self._setup(d, seed)
        theta = np.radians(np.atleast_1d(np.asarray(angles_deg, dtype=float)))
        G = np.zeros((self.T, d, d))
        acting = np.zeros(self.T, dtype=bool)
        if mode == "global":
            G[:] = unit_generator(d)
            acting[:] = True
        elif mode == "one":
            G[step] = unit_generator(d)
            acting[step] = True
        else:
            G = gens * factors[:, None, None]
            acting[:] = True
        R = gc.expm_skew(theta[:, None, None, None] * G[None])
        if reflect:
            F = np.where(acting[:, None, None], reflection(d), np.eye(d))
            R = np.matmul(R, F[None])
        return R

    def _losses(self, Zs, model):
        local = np.array([model.local_loss(Z) for Z in Zs])
        coup = np.array([model.coupling_loss(Z) for Z in Zs])
        return local, coup

    def curves(self, d, seed, mode, step, reflect):
        """Local loss and coupling (at λ = 1) at every angle of :attr:`ANGLES` (cached)."""
        key = ("curves", d, seed, mode, step if mode == "one" else None, bool(reflect))
        if key not in self._cache:
            model, Z0, _, _ = self._setup(d, seed)
            R = self.rotations(self.ANGLES, d, seed, mode, step, reflect)
            self._cache[key] = self._losses(np.matmul(R, Z0[None]), model)
        return self._cache[key]

    # --- drawing ----------------------------------------------------------------------------
    def _build_artists(self):
        ax = self.ax_curve
        self.curve_lines = {p: ax.plot([], [], STYLES[p], color=PART_COLOURS[p],
                                       label=PART_LABELS[p])[0]
                            for p in ("local", "coupling", "total")}
        self.marks = {p: ax.plot([], [], "o", ms=7, color=PART_COLOURS[p])[0]
                      for p in ("local", "coupling", "total")}
        self.vline = ax.axvline(0.0, color=OKABE_ITO["grey"], lw=1, ls="--")
        ax.set_xlim(-180, 180)
        ax.set_xticks(np.arange(-180, 181, 60))
        ax.set_xlabel("rotation angle θ (degrees)")
        ax.set_ylabel("loss")
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize="small",
                  frameon=False, handlelength=1.5, columnspacing=1.0)
        ax = self.ax_plane
        self.links = LineCollection([], colors=OKABE_ITO["grey"], linewidths=1.0, zorder=1)
        ax.add_collection(self.links)
        self.points = {}
        for which, colour in (("a", OKABE_ITO["sky"]), ("b", OKABE_ITO["orange"])):
            self.points[which, "U"] = ax.plot([], [], "o", ms=6, color=colour, zorder=3)[0]
            self.points[which, "V"] = ax.plot([], [], "s", ms=6, color=colour, mfc="white",
                                              mew=1.6, zorder=3)[0]
        ax.axhline(0, color=OKABE_ITO["grey"], lw=0.5)
        ax.axvline(0, color=OKABE_ITO["grey"], lw=0.5)
        ax.set_aspect("equal")
        ax.set_xlabel("axis 1")
        ax.set_ylabel("axis 2")

    def update(self, changed=None):
        s = self.state
        d, seed, mode, step, reflect = s["d"], s["seed"], s["mode"], s["step"], s["reflect"]
        lam, angle = s["lam"], s["angle"]
        model, Z0, _, _ = self._setup(d, seed)
        local_c, coup_c = self.curves(d, seed, mode, step, reflect)
        curves = {"local": local_c, "coupling": lam * coup_c, "total": local_c + lam * coup_c}
        R = self.rotations([0.0, angle], d, seed, mode, step, reflect)
        Zs = np.matmul(R, Z0[None])
        (l0, l1), (c0, c1) = self._losses(np.stack([Z0, Zs[1]]), model)
        now = {"local": l1, "coupling": lam * c1, "total": l1 + lam * c1}
        #: the live numbers of the caption: losses before and after the transformation
        self.values = {"local_before": l0, "local_after": l1, "coupling_before": lam * c0,
                       "coupling_after": lam * c1, "det": gc.orientation(R[1])}
        shown = ("local", "coupling", "total") if s["show"] == "all" else (s["show"],)
        lo, hi = np.inf, -np.inf
        for p, line in self.curve_lines.items():
            vis = p in shown
            line.set_visible(vis)
            self.marks[p].set_visible(vis)
            set_line(line, self.ANGLES, curves[p])
            set_line(self.marks[p], [angle], [now[p]])
            if vis:
                lo, hi = min(lo, curves[p].min(), now[p]), max(hi, curves[p].max(), now[p])
        pad = max(0.06 * (hi - lo), 0.05 * abs(hi), 1e-3)
        self.ax_curve.set_ylim(lo - pad, hi + pad)
        self.vline.set_xdata([angle, angle])
        self._draw_plane(Zs[1], step, d, model)
        self._caption(l0, l1, lam * c0, lam * c1, gc.orientation(R[1]))

    def _pair(self, step):
        return (step, step + 1) if step < self.T - 1 else (step - 1, step)

    def _draw_plane(self, Z, step, d, model):
        a, b = self._pair(step)
        m = model.m
        segs = np.stack([Z[a, :2].T, Z[b, :2].T], axis=1)  # (N, 2, 2)
        self.links.set_segments(list(segs))
        for which, t in (("a", a), ("b", b)):
            set_line(self.points[which, "U"], Z[t, 0, :m], Z[t, 1, :m])
            set_line(self.points[which, "V"], Z[t, 0, m:], Z[t, 1, m:])
        lim = 1.15 * float(np.sqrt(np.sum(Z * Z, axis=1)).max())
        self.ax_plane.set_xlim(-lim, lim)
        self.ax_plane.set_ylim(-lim, lim)
        proj = "" if d == 2 else " (projection on axes 1–2)"
        self.ax_plane.set_title(f"steps {a} (blue) and {b} (orange){proj}", fontsize="medium")

    def _caption(self, l0, l1, c0, c1, dets):
        s = self.state
        theta = s["angle"]
        dl, dc = l1 - l0, c1 - c0

        def verdict(delta, ref, what):
            if abs(delta) <= 1e-9 * max(1.0, abs(ref)):
                return f"{what} unchanged (Δ = {delta:.1e})"
            word = "rises" if delta > 0 else "falls"
            return f"{what} {word} by {abs(delta):.3g} (from {ref:.3g} to {ref + delta:.3g})"

        refl = " combined with a reflection" if s["reflect"] else ""
        if s["mode"] == "global":
            what = f"Global rotation by {theta:.0f}°{refl} (the same matrix at all {self.T} steps)"
        elif s["mode"] == "one":
            what = f"Rotating step k = {s['step']} alone by {theta:.0f}°{refl}"
        else:
            what = (f"A different rotation at every step (angles up to ±{abs(theta):.0f}°, "
                    f"random planes, seed {s['seed']}){refl}")
        det_text = ", ".join(sorted({f"{x:+.0f}" for x in np.round(dets[np.abs(dets) > 0.5])}))
        text = (f"{what}: {verdict(dl, l0, 'local loss')}, {verdict(dc, c0, 'coupling ψ')}; "
                f"total L = {l1 + c1:.4g}. det R_t = {det_text}. Model: T = {self.T} steps of 6×5 "
                f"rank-2 data, d = {s['d']}, λ = {s['lam']:.3g}, each step fitted on its own and "
                f"rotated into line with its neighbours.")
        self.set_caption(text)


def symmetry_panel(**kwargs):
    """Chapter 01: rotate or reflect the embeddings of a dynamic factorisation, watch the loss.

    A :class:`gauge_core.DynamicFactorization` with ``T`` steps of slowly drifting 6×5 rank-2 data.
    Controls: dimension ``d`` (2 or 3), coupling λ, what to rotate (all steps together, one step,
    a different random rotation per step), which step, the angle, an extra reflection
    (determinant −1), which part of the loss to show, and the seed of the data.

    Parameters
    ----------
    T, d, lam, angle, mode, step, reflect, show, seed
        Initial (and Reset) values of the controls; ``mode`` is ``"global"``, ``"one"`` or
        ``"random"``, ``show`` is ``"all"``, ``"local"``, ``"coupling"`` or ``"total"``.

    Returns
    -------
    SymmetryPanel
    """
    return SymmetryPanel(**kwargs)


# ---------------------------------------------------------------------------------------------
class MexicanHatPanel(Panel):
    """The Mexican hat ``ℓ(z) = (|z|² − r²)²`` in the plane, sites relaxing onto its ring of minima.

    Left: the potential (grey shades), the ring of minima (dashed), the GD paths of a few sites from
    random starts up to the chosen iteration, and at the end point of the first site two arrows:
    the curved (radial) and the flat (tangential) direction, labelled with the Hessian's
    curvatures. Right: the loss along those two directions through that point, and exactly along
    the ring.
    """

    STEPS = 150
    MAX_SITES = 12
    GRID = 161

    def __init__(self, radius=1.0, n_sites=6, seed=0, iteration=None):
        it = self.STEPS if iteration is None else int(iteration)
        controls = {
            "radius": C.float_slider("ring radius r", radius, 0.5, 2.0, 0.1, fmt=".1f"),
            "n_sites": C.int_slider("sites", n_sites, 1, self.MAX_SITES),
            "seed": C.seed_control(seed),
            "iteration": C.int_slider("show GD iteration", it, 0, self.STEPS),
        }
        fig, (self.ax_map, self.ax_cut) = make_figure(9.6, 4.3, 1, 2,
                                                      gridspec_kw={"width_ratios": [1.1, 1]})
        fig.subplots_adjust(left=0.07, right=0.98, top=0.91, bottom=0.12, wspace=0.25)
        super().__init__("The Mexican hat: a ring of equally good minima", controls, fig)
        self._paths_key = None
        self._build_artists()
        self.refresh(changed="radius")

    VIEW = 1.9  # half-width of the map in units of r: the hat is self-similar, l(r u) = r^4 l_1(u)

    def _build_artists(self):
        ax = self.ax_map
        self.image = ax.imshow(np.zeros((2, 2)), origin="lower", cmap="Greys", alpha=0.45,
                               extent=(-1, 1, -1, 1), vmin=0, vmax=1, interpolation="bilinear",
                               zorder=0)
        self.ring = ax.plot([], [], "--", color=OKABE_ITO["black"], lw=1.2,
                            label="ring of minima")[0]
        palette = [OKABE_ITO[k] for k in ("blue", "orange", "green", "purple", "vermillion",
                                          "sky", "yellow", "black")]
        self.site_colours = [palette[i % len(palette)] for i in range(self.MAX_SITES)]
        self.paths = [ax.plot([], [], "-", lw=1.3, color=c, zorder=2)[0] for c in self.site_colours]
        self.starts = ax.scatter(np.zeros(1), np.zeros(1), s=22, facecolors="none",
                                 edgecolors=OKABE_ITO["black"], linewidths=0.8, zorder=3)
        self.heads = ax.scatter(np.zeros(1), np.zeros(1), s=40, c=[self.site_colours[0]],
                                edgecolors="white", linewidths=0.7, zorder=4)
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
        self.cut_lines = {
            "radial": ax.plot([], [], color=OKABE_ITO["vermillion"],
                              label="across the ring (radial)")[0],
            "quad": ax.plot([], [], ":", color=OKABE_ITO["vermillion"], label="½·κ_radial·s²")[0],
            "tangent": ax.plot([], [], color=OKABE_ITO["blue"], label="along the tangent line")[0],
            "ring": ax.plot([], [], "--", color=OKABE_ITO["black"],
                            label="exactly along the ring")[0],
        }
        ax.set_xlabel("distance s from the point on the ring")
        ax.set_ylabel("ℓ")
        ax.legend(loc="upper center", fontsize="small", framealpha=0.85)

    def _compute_paths(self, r, n, seed):
        key = (r, n, seed)
        if key != self._paths_key:
            model = gc.MexicanHatChain(max(n, 2), 0.0, d=2, N=1, radius=r)
            Z0 = model.random_init(np.random.default_rng(seed), "random", 0.7 * r)
            self.lr = 0.02 / r ** 2
            res = gc.optimize(model, Z0, "gd", self.STEPS, lr=self.lr,
                              snapshots=range(self.STEPS + 1))
            if res.diverged:  # not expected at this step size; keep the finite part
                self.say(f"<span style='color:#D55E00'>diverged at step {res.diverged_at}</span>")
            else:
                self.say("")
            snaps = [res.snapshots[k][:n, :, 0] for k in sorted(res.snapshots)]
            self.path_data = np.stack(snaps)  # (K, n, 2)
            self._paths_key = key
        return self.path_data

    def update(self, changed=None):
        s = self.state
        r, n, seed, k = s["radius"], s["n_sites"], s["seed"], s["iteration"]
        if r != getattr(self, "_image_r", None):
            self._image_r = r
            lim = self.VIEW * r
            grid = np.linspace(-lim, lim, self.GRID)
            pts = np.stack(np.meshgrid(grid, grid), axis=-1)
            self.image.set_data(hat_potential(pts, r))
            self.image.set_extent((-lim, lim, -lim, lim))
            self.image.set_clim(0.0, r ** 4)  # white on the ring, dark from the central bump up
            self.ax_map.set_xlim(-lim, lim)
            self.ax_map.set_ylim(-lim, lim)
            phi = np.linspace(0, 2 * np.pi, 241)
            set_line(self.ring, r * np.cos(phi), r * np.sin(phi))
        P = self._compute_paths(r, n, seed)
        k = min(k, P.shape[0] - 1)
        for i, line in enumerate(self.paths):
            line.set_visible(i < n)
            if i < n:
                set_line(line, P[: k + 1, i, 0], P[: k + 1, i, 1])
        self.starts.set_offsets(P[0])
        self.heads.set_offsets(P[k])
        self.heads.set_facecolors(self.site_colours[:n])
        # the point on the ring where site 0 is heading, and the Hessian's eigen-directions there
        end = P[-1, 0]
        zstar = r * end / max(float(np.sqrt(end @ end)), 1e-12)
        w, V = hat_principal_curvatures(zstar, r)
        radial_i = int(np.argmax(np.abs(V.T @ zstar)))
        e_r, e_t = V[:, radial_i], V[:, 1 - radial_i]
        e_r = e_r if e_r @ zstar > 0 else -e_r
        k_r, k_t = w[radial_i], w[1 - radial_i]
        self.curvatures = (float(k_r), float(k_t))
        L = 0.6 * r
        self.arrows.set_offsets(np.array([zstar, zstar]))
        self.arrows.set_UVC([L * e_r[0], L * e_t[0]], [L * e_r[1], L * e_t[1]])
        self.arrow_text[0].set_text(f"curved (radial): κ = {k_r:.2f}")
        self.arrow_text[1].set_text(f"flat (along the ring): κ = {abs(k_t):.2f}")
        self.ax_map.set_title(f"ℓ(z) = (|z|² − r²)², r = {r:.1f} · GD iteration {k}",
                              fontsize="medium")
        # 1-D cuts through zstar
        sgrid = np.linspace(-0.9 * r, 0.9 * r, 121)
        radial = hat_potential(zstar + sgrid[:, None] * e_r, r)
        tangent = hat_potential(zstar + sgrid[:, None] * e_t, r)
        phi0 = np.arctan2(zstar[1], zstar[0])
        on_ring = r * np.stack([np.cos(phi0 + sgrid / r), np.sin(phi0 + sgrid / r)], axis=1)
        set_line(self.cut_lines["radial"], sgrid, radial)
        set_line(self.cut_lines["quad"], sgrid, 0.5 * k_r * sgrid ** 2)
        set_line(self.cut_lines["tangent"], sgrid, tangent)
        set_line(self.cut_lines["ring"], sgrid, hat_potential(on_ring, r))
        self.ax_cut.set_xlim(-0.9 * r, 0.9 * r)
        self.ax_cut.set_ylim(-0.1 * r ** 4, 3.2 * r ** 4)
        self.ax_cut.set_title("loss through the blue site's end point", fontsize="medium")
        self._caption(P, k, r, n, k_r, k_t)

    def _caption(self, P, k, r, n, k_r, k_t):
        radii = np.sqrt(np.sum(P[k] * P[k], axis=1))
        angles = np.degrees(np.arctan2(P[-1, :, 1], P[-1, :, 0]))
        off = float(np.max(np.abs(radii - r)))
        text = (f"{n} site{'s' if n > 1 else ''} from random starts (seed {self.state['seed']}), "
                f"plain GD with step η = 0.02/r² = {self.lr:.3g}. After {k} steps the farthest "
                f"site is {off:.2g} from the ring. They end at angles "
                f"{', '.join(f'{a:.0f}°' for a in angles[:6])}{' …' if n > 6 else ''}: every "
                f"angle is an equally good minimum, so each site keeps the direction it happened "
                f"to start in. Hessian at the blue site's end point: curvature {k_r:.3g} across the "
                f"ring (8r² = {8 * r * r:.3g}) and {k_t:.1e} along it: the flat direction is the "
                f"rotation.")
        self.set_caption(text)


def mexican_hat_panel(**kwargs):
    """Chapter 01: the Mexican hat, its ring of minima, sites relaxing onto it, and the flat
    (tangential) and curved (radial) directions with their curvatures.

    Parameters
    ----------
    radius : float
        Radius r of the ring of minima (0.5 to 2).
    n_sites : int
        Number of independent sites relaxing under GD (1 to 12).
    seed : int
        Seed of the random starts.
    iteration : int, optional
        GD iteration shown (default: the last, 150).

    Returns
    -------
    MexicanHatPanel
    """
    return MexicanHatPanel(**kwargs)
