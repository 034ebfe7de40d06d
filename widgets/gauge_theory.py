"""Chapter 05's panels: charged embeddings, the exact gauge step, gauge fixing, abelian vs non-abelian.

- :func:`gauge_transformation_panel`: a random gauge transformation moves the embeddings ``Z`` and
  the gauge fields ``Gamma`` but not the gauge-invariant loss ``L'`` (P2 Eq. 5); link variables and
  the covariant difference show why.
- :func:`exact_vs_goldstone_panel`: the exact gauge step on a chain (one Procrustes problem per
  link) next to P1's iterative gauge phases (Algorithm 1, lines 6–9) from one start.
- :func:`gauge_fixing_panel`: the reference frame of the exact step (first, last, mean) rotates the
  result as a whole and never changes its loss.
- :func:`nonabelian_panel`: the error of P2 Eq. 6 against the exact coupling change, ``∝ ε²`` for
  ``d >= 3`` without the commutator and ``∝ ε³`` with it.
"""
from __future__ import annotations

import numpy as np

import gauge_core as gc
from gauge_core.experiments import (START_MODELS, LRUCache, expansion_errors, make_start,
                                    p1_phases, power_law_slope, relaxed_hat)

from . import controls as C
from .base import Panel, autoscale, make_figure, positive, set_line
from .style import OKABE_ITO, THEORY_COLOUR, TIME_CMAP, method_colour

__all__ = ["gauge_transformation_panel", "exact_vs_goldstone_panel", "gauge_fixing_panel",
           "nonabelian_panel"]

J = gc.unit_generator(2)  # generator of SO(2): exp(phi J) rotates by phi
MODELS = START_MODELS
_relaxed_hat = relaxed_hat
loglog_slope = power_law_slope


def _angles_of_rotations(R):
    """Signed angle of each 2x2 rotation, unwrapped along the first axis."""
    return np.unwrap(gc.planar_angle(R))


# ---------------------------------------------------------------------------------------------
class GaugeTransformationPanel(Panel):
    """A gauge transformation ``Z_t -> exp(-Gamma~_t) exp(Gamma_t) Z_t`` on a twisted d = 2 chain.

    Left: per time step, the angle θ_t of the embedding, the gauge field φ_t (``Gamma_t = φ_t J``)
    and their sum, the only combination the loss sees; before (dotted) and after (solid). Right: per
    link, the naive difference ``||Z_t - Z_{t-1}||`` and the covariant difference
    ``||Z_t - U_t Z_{t-1}||`` with link variable ``U_t = R_t^T R_{t-1}``.
    """

    def __init__(self, T=16, seed=0, kind="random", strength=1.0, gauge_seed=1):
        controls = {
            "T": C.T_control(T, lo=4, hi=64, step=4),
            "seed": C.seed_control(seed),
            "kind": C.dropdown("new gauge", [("random rotations", "random"),
                                              ("absorb the twist into Γ", "absorb")], kind),
            "strength": C.float_slider("random angle size σ (rad)", strength, 0.0, 3.0, 0.05),
            "gauge_seed": C.int_slider("gauge seed", gauge_seed, 0, 50),
        }
        fig, (self.ax_ang, self.ax_link) = make_figure(10.0, 3.6, 1, 2)
        fig.subplots_adjust(wspace=0.28, left=0.07, right=0.98, top=0.88, bottom=0.15)
        super().__init__("A gauge transformation: Z and Γ move, L′ does not", controls, fig)
        self._cache = LRUCache(1)
        self._build()
        self.refresh(changed="init")

    def _build(self):
        ax = self.ax_ang
        c_z, c_g, c_i = OKABE_ITO["sky"], OKABE_ITO["orange"], THEORY_COLOUR
        self.l_theta0 = ax.plot([], [], ":", color=c_z)[0]
        self.l_theta1 = ax.plot([], [], "-", color=c_z, label="embedding angle θ_t")[0]
        self.l_phi0 = ax.plot([], [], ":", color=c_g)[0]
        self.l_phi1 = ax.plot([], [], "-", color=c_g, label="gauge field φ_t")[0]
        self.l_inv0 = ax.plot([], [], "-", color=OKABE_ITO["grey"], lw=4, alpha=0.5)[0]
        self.l_inv1 = ax.plot([], [], "--", color=c_i, label="θ_t + φ_t (what L′ sees)")[0]
        ax.set_xlabel("time step t")
        ax.set_ylabel("angle (rad)")
        ax.set_title("dotted/grey: before · solid/dashed: after")
        ax.legend(loc="best", fontsize="small")
        ax = self.ax_link
        self.l_naive0 = ax.plot([], [], ":", color=OKABE_ITO["vermillion"])[0]
        self.l_naive1 = ax.plot([], [], "o-", ms=3, color=OKABE_ITO["vermillion"],
                                label="naive ‖Z_t − Z_{t−1}‖")[0]
        self.l_cov0 = ax.plot([], [], "-", color=OKABE_ITO["grey"], lw=4, alpha=0.5)[0]
        self.l_cov1 = ax.plot([], [], "s--", ms=3, color=OKABE_ITO["blue"],
                              label="covariant ‖Z_t − U_t Z_{t−1}‖")[0]
        ax.set_xlabel("link (t−1, t)")
        ax.set_ylabel("length of the difference")
        ax.set_title("per link")
        ax.legend(loc="best", fontsize="small")

    def _base(self, T, seed):
        return self._cache.get_or((T, seed), lambda: relaxed_hat(T, seed))

    def update(self, changed=None):
        s = self.state
        T = s["T"]
        self.model, Z = self._base(T, s["seed"])
        G0 = np.zeros((T, 2, 2))  # before: no gauge field, L' = L
        if s["kind"] == "absorb":
            _, R = gc.exact_gauge_step(Z)
            phi_new = -_angles_of_rotations(R)  # Gamma~ = -log R_t, so Z~ = R Z is untwisted
        else:
            phi_new = s["strength"] * np.random.default_rng(s["gauge_seed"]).standard_normal(T)
        G1 = phi_new[:, None, None] * J
        Z1 = gc.gauge_transform(Z, G0, G1)
        self.Z0, self.Z1, self.G0, self.G1 = Z, Z1, G0, G1
        self.Lp0 = gc.gauge_invariant_loss(self.model, Z, G0)
        self.Lp1 = gc.gauge_invariant_loss(self.model, Z1, G1)
        self.L0, self.L1 = self.model.loss(Z), self.model.loss(Z1)
        t = np.arange(T)
        inv = np.unwrap(np.arctan2(Z[:, 1, 0], Z[:, 0, 0]))  # angle of R_t z_t (R = I before)
        RZ1 = np.matmul(gc.expm_skew(G1), Z1)  # equals Z: the physical configuration
        inv1 = np.unwrap(np.arctan2(RZ1[:, 1, 0], RZ1[:, 0, 0]))
        inv1 += 2 * np.pi * np.round((inv[0] - inv1[0]) / (2 * np.pi))
        set_line(self.l_theta0, t, inv)
        set_line(self.l_theta1, t, inv1 - phi_new)  # a representative of the angle of z~_t
        set_line(self.l_phi0, t, np.zeros(T))
        set_line(self.l_phi1, t, phi_new)
        set_line(self.l_inv0, t, inv)
        set_line(self.l_inv1, t, inv1)
        autoscale(self.ax_ang)
        links = np.arange(1, T)
        U0 = gc.link_variables(gc.expm_skew(G0))
        U1 = gc.link_variables(gc.expm_skew(G1))
        norm = lambda D: np.sqrt(np.einsum("tdn,tdn->t", D, D))  # noqa: E731
        self.cov0 = norm(gc.covariant_difference(Z, U0))
        self.cov1 = norm(gc.covariant_difference(Z1, U1))
        self.naive1 = norm(Z1[1:] - Z1[:-1])
        set_line(self.l_naive0, links, norm(Z[1:] - Z[:-1]))
        set_line(self.l_naive1, links, self.naive1)
        set_line(self.l_cov0, links, self.cov0)
        set_line(self.l_cov1, links, self.cov1)
        autoscale(self.ax_link)
        self.ax_link.set_ylim(bottom=0.0)
        self.say("")
        what = ("Γ~ = −log R_t of the exact gauge step: the twist moves from Z into Γ"
                if s["kind"] == "absorb" else
                f"random φ~_t ~ N(0, σ²), σ = {s['strength']:.2f} rad, gauge seed {s['gauge_seed']}")
        self.set_caption(
            f"Mexican-hat chain, d = 2, T = {T}, λ = 1, after 200 GD steps from a random start "
            f"(seed {s['seed']}); before: Γ = 0. New gauge: {what}. "
            f"Plain loss L(Z): {self.L0:.6g} → {self.L1:.6g}. Gauge-invariant loss L′(Z; Γ): "
            f"{self.Lp0:.12g} → {self.Lp1:.12g} (change {abs(self.Lp1 - self.Lp0):.1e}). "
            f"The largest change of a covariant difference is "
            f"{np.abs(self.cov1 - self.cov0).max():.1e}.")


def gauge_transformation_panel(**kwargs):
    """Apply a random (or twist-absorbing) gauge transformation and watch ``L'`` stay put.

    Parameters
    ----------
    T, seed, kind, strength, gauge_seed
        Initial (and Reset) values: chain length, seed of the chain's random start, ``"random"`` or
        ``"absorb"``, standard deviation of the random gauge angles, seed of the random gauge.

    Returns
    -------
    GaugeTransformationPanel
    """
    return GaugeTransformationPanel(**kwargs)


# ---------------------------------------------------------------------------------------------
class ExactVsGoldstonePanel(Panel):
    """The exact gauge step against P1's iterative gauge phases, from the same configuration."""

    PHASES = 15

    def __init__(self, model="mf", seed=0, pre=100, k2=10, step=0.25, warm=True):
        controls = {
            "model": C.dropdown("model", [(v[0], k) for k, v in MODELS.items()], model,
                                width="420px"),
            "seed": C.seed_control(seed),
            "pre": C.dropdown("GD steps first", [30, 100, 300], pre, width="200px"),
            "k2": C.int_slider("k₂ (P1 steps per phase)", k2, 1, 20),
            "step": C.toggles("P1 step ρ′", [("×0.25 (authors' code)", 0.25),
                                              ("×1 (Eq. 17)", 1.0)], step),
            "warm": C.toggles("Γ̃ between phases", [("kept (P1)", True), ("reset", False)], warm),
        }
        fig, (self.ax_psi, self.ax_gap) = make_figure(10.0, 3.6, 1, 2)
        fig.subplots_adjust(wspace=0.3, left=0.08, right=0.98, top=0.88, bottom=0.15)
        super().__init__("Exact gauge step vs P1's gauge phases, same start", controls, fig)
        self._starts, self._phases = LRUCache(9), LRUCache(65)
        self._build()
        self.refresh(changed="init")

    def _build(self):
        cg, cx = method_colour("goldstone"), method_colour("gauge")
        ax = self.ax_psi
        self.l_p1 = ax.plot([], [], "o-", ms=4, color=cg, label="P1 gauge phases")[0]
        self.l_exact = ax.plot([], [], "s-", ms=5, color=cx, label="exact gauge step (one shot)")[0]
        self.l_opt = ax.axhline(0.0, ls="--", lw=1, color=cx)
        ax.set_xlabel("gauge phases applied")
        ax.set_ylabel("coupling ψ(Z)")
        ax.set_title("coupling before and after")
        ax.legend(loc="upper right", fontsize="small")
        ax = self.ax_gap
        self.l_gap = ax.plot([], [], "o-", ms=4, color=cg, label="P1: ψ − ψ*")[0]
        ax.set_yscale("log")
        ax.set_xlabel("gauge phases applied")
        ax.set_ylabel("ψ − ψ* (ψ* = exact step)")
        ax.set_title("distance to the exact optimum")

    def _start(self, name, seed, pre):
        def make():
            model, Z = make_start(name, seed, pre)
            return model, Z, gc.exact_gauge_step(Z)[0]
        return self._starts.get_or((name, seed, pre), make)

    def update(self, changed=None):
        s = self.state
        model, Z, Ze = self._start(s["model"], s["seed"], s["pre"])
        self.model = model
        self.psi_start = model.coupling_loss(Z)
        self.psi_exact = model.coupling_loss(Ze)
        key = (s["model"], s["seed"], s["pre"], s["k2"], s["step"], s["warm"])
        # each setting is computed once (about 1-2 ms per phase)
        self.psi_p1, Zp = self._phases.get_or(key, lambda: p1_phases(
            model, Z, self.PHASES, s["k2"], s["step"], s["warm"]))
        ok = np.isfinite(self.psi_p1)
        self.psi_p1 = self.psi_p1[: int(np.argmin(ok)) if not ok.all() else ok.size]
        self.local_change = max(abs(model.local_loss(Ze) - model.local_loss(Z)),
                                abs(model.local_loss(Zp) - model.local_loss(Z)))
        n = np.arange(self.psi_p1.size)
        set_line(self.l_p1, n, self.psi_p1)
        set_line(self.l_exact, [0, 1], [self.psi_start, self.psi_exact])
        self.l_opt.set_ydata([self.psi_exact, self.psi_exact])
        self.ax_psi.set_xlim(-0.3, self.PHASES + 0.3)
        autoscale(self.ax_psi, x=False)
        floor = max(1e-15 * self.psi_start, 1e-300)
        self.gap = np.maximum(self.psi_p1 - self.psi_exact, floor)
        set_line(self.l_gap, n, positive(self.gap))
        self.ax_gap.set_xlim(-0.3, self.PHASES + 0.3)
        autoscale(self.ax_gap, x=False)
        k_hit = np.nonzero(self.psi_p1 - self.psi_exact <= 1e-3 * (self.psi_start - self.psi_exact))[0]
        hit = (f"P1 gets within 0.1 % of the exact gain after {k_hit[0]} phases"
               if k_hit.size else f"P1 is not within 0.1 % of the exact gain after {n[-1]} phases")
        self.say("" if ok.all() else "<span style='color:#D55E00'>P1 phases diverged "
                 f"after phase {n[-1]}</span>")
        self.set_caption(
            f"{MODELS[s['model']][0]}, {s['pre']} plain-GD steps from a random start (seed "
            f"{s['seed']}). Coupling ψ = {self.psi_start:.6g} before; the exact gauge step (one SVD "
            f"per link) gives ψ* = {self.psi_exact:.6g} in one shot. P1 (k₂ = {s['k2']}, ρ′ × "
            f"{s['step']:g}, Γ̃ {'kept' if s['warm'] else 'reset'}): ψ = "
            f"{self.psi_p1[min(1, n[-1])]:.6g} after one phase, {self.psi_p1[-1]:.6g} after "
            f"{n[-1]}; {hit}. Neither touches the local losses (largest change "
            f"{self.local_change:.1e}).")


def exact_vs_goldstone_panel(**kwargs):
    """The exact gauge step next to P1's iterative gauge phases, from the same starting point.

    Parameters
    ----------
    model : {"mf", "hat"}
    seed, pre, k2, step, warm
        Initial (and Reset) values: random start, plain-GD steps before, P1's steps per phase,
        factor on P1's Eq. 17 step size, whether Γ̃ is kept between phases.

    Returns
    -------
    ExactVsGoldstonePanel
    """
    return ExactVsGoldstonePanel(**kwargs)


# ---------------------------------------------------------------------------------------------
REF_LABEL = {"first": "first step", "last": "last step", "mean": "mean frame"}


class GaugeFixingPanel(Panel):
    """The exact gauge step with three gauge fixings: same loss, different global orientation."""

    def __init__(self, reference="first", T=16, seed=0):
        controls = {
            "reference": C.reference_control(reference),
            "T": C.T_control(T, lo=4, hi=64, step=4),
            "seed": C.seed_control(seed),
        }
        fig, (self.ax_vec, self.ax_rot) = make_figure(10.0, 4.0, 1, 2)
        fig.subplots_adjust(wspace=0.3, left=0.07, right=0.98, top=0.9, bottom=0.13)
        super().__init__("Gauge fixing: a choice of reference frame", controls, fig)
        self._cache = LRUCache(1)
        self._build()
        self.refresh(changed="init")

    def _build(self):
        ax = self.ax_vec
        circle = np.linspace(0, 2 * np.pi, 200)
        ax.plot(np.cos(circle), np.sin(circle), color=OKABE_ITO["grey"], lw=0.8)
        self.sc_before = ax.scatter(np.zeros(1), np.zeros(1), s=8, color=OKABE_ITO["grey"],
                                    alpha=0.5, label="before")
        self.sc_after = ax.scatter(np.zeros(2), np.zeros(2), c=[0, 1], cmap=TIME_CMAP, s=20,
                                   vmin=0, vmax=1, zorder=3, label="after (colour: t)")
        ax.set_aspect("equal")
        ax.set_xlim(-1.7, 1.7)
        ax.set_ylim(-1.7, 1.7)
        ax.set_xlabel("z₁")
        ax.set_ylabel("z₂")
        ax.legend(loc="upper right", fontsize="small")
        ax = self.ax_rot
        cols = {"first": OKABE_ITO["blue"], "last": OKABE_ITO["orange"], "mean": OKABE_ITO["purple"]}
        self.l_rot = {r: ax.plot([], [], "-", color=c, label=f"reference: {REF_LABEL[r]}")[0]
                      for r, c in cols.items()}
        ax.set_xlabel("time step t")
        ax.set_ylabel("angle of R_t (rad)")
        ax.set_title("rotations applied by the exact step")
        ax.legend(loc="best", fontsize="small")

    def _base(self, T, seed):
        def make():
            model, Z = relaxed_hat(T, seed, N=3, steps=100)
            return model, Z, {r: gc.exact_gauge_step(Z, reference=r) for r in gc.REFERENCES}
        return self._cache.get_or((T, seed), make)

    def update(self, changed=None):
        s = self.state
        ref = s["reference"]
        model, Z, res = self._base(s["T"], s["seed"])
        self.model, self.Z = model, Z
        self.losses = {r: model.loss(res[r][0]) for r in res}
        self.angles = {r: _angles_of_rotations(res[r][1]) for r in res}
        Zr = res[ref][0]
        T, _, N = Z.shape
        self.sc_before.set_offsets(np.transpose(Z, (0, 2, 1)).reshape(-1, 2))
        self.sc_after.set_offsets(np.transpose(Zr, (0, 2, 1)).reshape(-1, 2))
        self.sc_after.set_array(np.repeat(np.arange(T) / max(T - 1, 1), N))
        lim = max(1.7, 1.1 * float(np.abs(Z).max()), 1.1 * float(np.abs(Zr).max()))
        self.ax_vec.set_xlim(-lim, lim)
        self.ax_vec.set_ylim(-lim, lim)
        self.ax_vec.set_title(f"after the exact step, reference: {REF_LABEL[ref]}")
        t = np.arange(T)
        for r, line in self.l_rot.items():
            set_line(line, t, self.angles[r])
            line.set_linewidth(3.0 if r == ref else 1.2)
            line.set_alpha(1.0 if r == ref else 0.6)
        autoscale(self.ax_rot)
        offset = self.angles[ref] - self.angles["first"]
        self.global_angle = float(np.mean(offset))
        self.offset_spread = float(np.ptp(offset))
        spread = max(self.losses.values()) - min(self.losses.values())
        self.loss_spread = spread
        self.set_caption(
            f"Mexican-hat chain, d = 2, N = 3 vectors per step, T = {T}, λ = 1, after 100 GD steps "
            f"from a random start (seed {s['seed']}): loss {model.loss(Z):.6g}. After the exact gauge "
            f"step the loss is {self.losses['first']:.12g} (first step), "
            f"{self.losses['last']:.12g} (last step), {self.losses['mean']:.12g} (mean frame): "
            f"largest difference {spread:.1e}. " + (
                "Switch the reference frame: the whole result turns by one global angle."
                if ref == "first" else
                f"The '{REF_LABEL[ref]}' result is the 'first step' result turned by one global "
                f"angle, {self.global_angle:+.3f} rad at every t (spread {self.offset_spread:.1e} "
                f"rad)."))


def gauge_fixing_panel(**kwargs):
    """Gauge fixing as a choice of reference frame for the exact gauge step.

    Parameters
    ----------
    reference : {"first", "last", "mean"}
    T, seed
        Initial (and Reset) values.

    Returns
    -------
    GaugeFixingPanel
    """
    return GaugeFixingPanel(**kwargs)


# ---------------------------------------------------------------------------------------------
class NonAbelianPanel(Panel):
    """Log–log error of the second-order expansions against the exact coupling change."""

    LABELS = {"p2": "P2 Eq. 6 as printed", "p2c": "P2 Eq. 6 + ½[Γ_t, Γ_{t−1}]",
              "p1": "P1 Eq. 14"}

    def __init__(self, d=3, seed=0):
        controls = {
            "d": C.toggles("embedding dimension d", [("2 (abelian)", 2), ("3", 3), ("4", 4)], d),
            "seed": C.seed_control(seed),
        }
        fig, self.ax = make_figure(6.4, 4.0)
        fig.subplots_adjust(left=0.14, right=0.97, top=0.9, bottom=0.13)
        super().__init__("Abelian d = 2 vs non-abelian d ≥ 3: the missing commutator", controls, fig)
        ax = self.ax
        style = {"p2": ("o-", OKABE_ITO["vermillion"], 6), "p2c": ("s-", OKABE_ITO["blue"], 6),
                 "p1": ("x", OKABE_ITO["black"], 8)}
        self.lines = {k: ax.plot([], [], st, color=c, ms=ms)[0] for k, (st, c, ms) in style.items()}
        self.guides = {p: ax.plot([], [], ":", color=OKABE_ITO["grey"], lw=1)[0] for p in (2, 3)}
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("size of the gauge fields ε = ‖Γ‖")
        ax.set_ylabel("|expansion − exact ψ change|")
        self.refresh(changed="init")

    def update(self, changed=None):
        s = self.state
        result = expansion_errors(s["d"], s["seed"])
        self.eps, self.errors, self.slopes = result.eps, result.errors, result.slopes()
        for k, line in self.lines.items():
            set_line(line, self.eps, positive(self.errors[k]))
            line.set_label(f"{self.LABELS[k]}: slope {self.slopes[k]:.2f}")
        for p, line in self.guides.items():
            ref = self.errors["p2" if p == 2 else "p2c"][0]
            set_line(line, self.eps, positive(ref * (self.eps / self.eps[0]) ** p))
        self.guides[2].set_visible(s["d"] >= 3)
        self.ax.legend(loc="lower right", fontsize="small")
        autoscale(self.ax)
        self.ax.set_title(f"d = {s['d']}: {'abelian, SO(2)' if s['d'] == 2 else 'non-abelian'}")
        self.set_caption(
            f"T = 6 steps, N = 5 random vectors per step in d = {s['d']}, gauge fields Γ = εG along a "
            f"random skew direction G (seed {s['seed']}). Fitted log–log slopes: printed P2 Eq. 6 "
            f"{self.slopes['p2']:.2f}, with the commutator {self.slopes['p2c']:.2f}, P1 Eq. 14 "
            f"{self.slopes['p1']:.2f}. Slope 3 means exact to second order; slope 2 means a "
            f"second-order term is wrong. Dotted lines: ε² and ε³ guides.")


def nonabelian_panel(**kwargs):
    """Error of P2 Eq. 6 with and without the commutator, against ε, on log–log axes.

    Parameters
    ----------
    d : {2, 3, 4}
    seed : int

    Returns
    -------
    NonAbelianPanel
    """
    return NonAbelianPanel(**kwargs)
