"""Chapter 01's first panel: which orthogonal transformations of a factorisation the loss notices.

``symmetry_panel()`` rotates (and optionally reflects) the embeddings of a small dynamic matrix
factorisation, globally, at one time step, or differently at every step, and shows which parts of
the loss notice. Every angle of the slider is computed when the setting changes and sent to the
browser, so dragging the angle is answered there, without a round trip to the kernel.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib.collections import LineCollection

import gauge_core as gc
from gauge_core.experiments import symmetry_data, vacua

from . import controls as C
from .base import Panel, live_figure, set_line
from .style import OKABE_ITO

__all__ = ["symmetry_panel"]

MODES = (("all steps together (global)", "global"), ("one time step only", "one"),
         ("a different random rotation per step", "random"))
SHOW = (("all three parts", "all"), ("local loss", "local"), ("coupling ψ", "coupling"),
        ("total loss", "total"))
PARTS = ("local", "coupling", "total")
PART_COLOURS = {"local": OKABE_ITO["blue"], "coupling": OKABE_ITO["vermillion"],
                "total": OKABE_ITO["black"]}
STYLES = {"local": "-", "coupling": "-", "total": "--"}
PART_LABELS = {"local": "local loss Σ ℓ", "coupling": "coupling ψ", "total": r"total $\mathcal{L}$"}


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
        angles = [float(a) for a in self.ANGLES]
        angle = min(angles, key=lambda a: abs(a - float(angle)))
        controls = {
            "d": C.toggles("dimension d", [("d = 2", 2), ("d = 3", 3)], d),
            "lam": C.coupling_control(lam),
            "mode": C.dropdown("rotate", list(MODES), mode, width="330px"),
            "step": C.int_slider("step k", step, 0, self.T - 1, width="280px"),
            "angle": C.selection_slider("angle θ (°)", [(f"{a:.0f}", a) for a in angles], angle),
            "reflect": W.Checkbox(value=bool(reflect), description="also reflect (det = −1)",
                                  indent=False, layout=W.Layout(width="190px")),
            "show": C.dropdown("show", list(SHOW), show, width="230px"),
            "seed": C.seed_control(seed),
        }
        fig, (self.ax_curve, self.ax_plane) = live_figure(9.6, 3.9, 1, 2)
        fig.subplots_adjust(left=0.08, right=0.98, top=0.88, bottom=0.14, wspace=0.28)
        super().__init__("Which transformations does the loss notice?", controls, fig)
        self._cache = {}
        self._build_artists()
        # dragging the angle shows a frame the browser already holds
        W.jslink((self.controls["angle"], "index"), (self.live, "frame_index"))
        self.refresh(changed="d")

    # --- physics (cached per setting) -------------------------------------------------------
    def scan(self, d, seed, mode, step, reflect):
        """:func:`gauge_core.experiments.vacua.symmetry_scan` at every angle of the slider."""
        key = (d, seed, mode, step if mode == "one" else None, bool(reflect))
        if key not in self._cache:
            if ("data", seed) not in self._cache:
                self._cache["data", seed] = symmetry_data(self.T, rng=seed)
            self._cache[key] = vacua.symmetry_scan(self._cache["data", seed], d, self.ANGLES,
                                                   mode, step, reflect, rng=seed)
        return self._cache[key]

    def curves(self, d, seed, mode, step, reflect):
        """Local loss and coupling (at λ = 1) at every angle of :attr:`ANGLES`."""
        scan = self.scan(d, seed, mode, step, reflect)
        return scan["local"], scan["coupling"]

    # --- drawing ----------------------------------------------------------------------------
    def _build_artists(self):
        ax = self.ax_curve
        self.curve_lines = {p: self.live.track(ax.plot([], [], STYLES[p], color=PART_COLOURS[p],
                                                       label=PART_LABELS[p])[0]) for p in PARTS}
        self.marks = {p: self.live.track(ax.plot([], [], "o", ms=7, color=PART_COLOURS[p])[0])
                      for p in PARTS}
        self.vline = self.live.track(ax.plot([], [], "--", color=OKABE_ITO["grey"], lw=1)[0])
        ax.set_xlim(-180, 180)
        ax.set_xticks(np.arange(-180, 181, 60))
        ax.set_xlabel("rotation angle θ (degrees)")
        ax.set_ylabel("loss")
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize="small",
                  frameon=False, handlelength=1.5, columnspacing=1.0)
        ax = self.ax_plane
        self.links = self.live.track(ax.add_collection(LineCollection(
            np.zeros((1, 2, 2)), colors=OKABE_ITO["grey"], linewidths=1.0, zorder=1)))
        self.points = {}
        for which, colour in (("a", OKABE_ITO["sky"]), ("b", OKABE_ITO["orange"])):
            self.points[which, "U"] = self.live.track(
                ax.plot([], [], "o", ms=6, color=colour, zorder=3)[0])
            self.points[which, "V"] = self.live.track(
                ax.plot([], [], "s", ms=6, color=colour, mfc="white", mew=1.6, zorder=3)[0])
        ax.axhline(0, color=OKABE_ITO["grey"], lw=0.5)
        ax.axvline(0, color=OKABE_ITO["grey"], lw=0.5)
        ax.set_aspect("equal")
        ax.set_xlabel("axis 1")
        ax.set_ylabel("axis 2")

    def update(self, changed=None):
        s = self.state
        scan = self.scan(s["d"], s["seed"], s["mode"], s["step"], s["reflect"])
        k = self.controls["angle"].index
        lam = s["lam"]
        curves = {"local": scan["local"], "coupling": lam * scan["coupling"],
                  "total": scan["local"] + lam * scan["coupling"]}
        local0, coup0 = scan["before"]
        #: the live numbers of the caption: losses before and after the transformation
        self.values = {"local_before": local0, "local_after": curves["local"][k],
                       "coupling_before": lam * coup0, "coupling_after": curves["coupling"][k],
                       "det": gc.orientation(scan["R"][k])}
        if changed != "angle":
            self._draw_setting(scan, curves)
        self._draw_angle(scan, curves, k)
        self._caption()

    def _draw_setting(self, scan, curves):
        """Everything that depends on the setting but not on the angle, and the frames of every
        angle for the browser."""
        s = self.state
        shown = PARTS if s["show"] == "all" else (s["show"],)
        lo = min(curves[p].min() for p in shown)
        hi = max(curves[p].max() for p in shown)
        pad = max(0.06 * (hi - lo), 0.05 * abs(hi), 1e-3)
        self.ax_curve.set_ylim(lo - pad, hi + pad)
        for p in PARTS:
            self.curve_lines[p].set_visible(p in shown)
            self.marks[p].set_visible(p in shown)
            set_line(self.curve_lines[p], self.ANGLES, curves[p])
            self.live.stack(self.marks[p], x=self.ANGLES[:, None], y=curves[p][:, None])
        ylim = self.ax_curve.get_ylim()
        A = self.ANGLES.size
        self.live.stack(self.vline, x=np.repeat(self.ANGLES[:, None], 2, axis=1),
                        y=np.tile(ylim, (A, 1)))
        a, b = self._pair(s["step"])
        Z, m = scan["Z"], scan["model"].m
        self.live.stack(self.links, x0=Z[:, a, 0], y0=Z[:, a, 1], x1=Z[:, b, 0], y1=Z[:, b, 1])
        for which, t in (("a", a), ("b", b)):
            self.live.stack(self.points[which, "U"], x=Z[:, t, 0, :m], y=Z[:, t, 1, :m])
            self.live.stack(self.points[which, "V"], x=Z[:, t, 0, m:], y=Z[:, t, 1, m:])
        # rotations and reflections keep every vector's length: one box fits every angle
        lim = 1.15 * float(np.sqrt(np.sum(Z[A // 2] ** 2, axis=1)).max())
        self.ax_plane.set_xlim(-lim, lim)
        self.ax_plane.set_ylim(-lim, lim)
        proj = "" if s["d"] == 2 else " (projection on axes 1–2)"
        self.ax_plane.set_title(f"steps {a} (blue) and {b} (orange){proj}", fontsize="medium")
        self.live.invalidate()

    def _draw_angle(self, scan, curves, k):
        """The artists at the current angle (the browser shows the same frame from its stack)."""
        s = self.state
        angle = float(self.ANGLES[k])
        for p in PARTS:
            set_line(self.marks[p], [angle], [curves[p][k]])
        set_line(self.vline, [angle, angle], list(self.ax_curve.get_ylim()))
        a, b = self._pair(s["step"])
        Z, m = scan["Z"][k], scan["model"].m
        self.links.set_segments(list(np.stack([Z[a, :2].T, Z[b, :2].T], axis=1)))
        for which, t in (("a", a), ("b", b)):
            set_line(self.points[which, "U"], Z[t, 0, :m], Z[t, 1, :m])
            set_line(self.points[which, "V"], Z[t, 0, m:], Z[t, 1, m:])

    def _pair(self, step):
        return (step, step + 1) if step < self.T - 1 else (step - 1, step)

    def _caption(self):
        s = self.state
        v = self.values
        theta = s["angle"]
        l0, l1, c0, c1 = (v["local_before"], v["local_after"], v["coupling_before"],
                          v["coupling_after"])

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
        dets = v["det"]
        det_text = ", ".join(sorted({f"{x:+.0f}" for x in np.round(dets[np.abs(dets) > 0.5])}))
        text = (f"{what}: {verdict(l1 - l0, l0, 'local loss')}, "
                f"{verdict(c1 - c0, c0, 'coupling ψ')}; total 𝓛 = {l1 + c1:.4g}. "
                f"det R_t = {det_text}. Model: T = {self.T} steps of 6×5 rank-2 data, "
                f"d = {s['d']}, λ = {s['lam']:.3g}, each step fitted on its own and rotated into "
                f"line with its neighbours.")
        self.set_caption(text)


def symmetry_panel(**kwargs):
    """Chapter 01: rotate or reflect the embeddings of a dynamic factorisation, watch the loss.

    A :class:`gauge_core.DynamicFactorization` with ``T`` steps of slowly drifting 6×5 rank-2 data.
    Controls: dimension ``d`` (2 or 3), coupling λ, what to rotate (all steps together, one step,
    a different random rotation per step), which step (and which pair of steps is drawn), the
    angle (every 5°, answered in the browser), an extra reflection (determinant −1), which part of
    the loss to show, and the seed of the data.

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
