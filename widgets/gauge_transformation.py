"""Chapter 05's first panel: a gauge transformation of a twisted d = 2 chain. Z and Γ move, the
gauge-invariant loss L′ does not; link variables and the covariant difference show why."""
from __future__ import annotations

import numpy as np

from gauge_core.experiments import LRUCache
from gauge_core.experiments import gauge_theory as gt

from . import controls as C
from .base import Panel, legend_above, live_figure, set_line
from .live import limits
from .style import OKABE_ITO, THEORY_COLOUR

__all__ = ["gauge_transformation_panel"]

KINDS = [("random rotations", "random"), ("absorb the twist into Γ (unitary gauge)", "unitary")]


class GaugeTransformationPanel(Panel):
    """A gauge transformation ``Z_t -> exp(-Gamma~_t) exp(Gamma_t) Z_t`` on a twisted d = 2 chain.

    Left: per time step, the angle θ_t of the embedding, the gauge angle φ_t
    (``Gamma~_t = φ_t J``) and their sum, the only combination the loss sees; before (dotted)
    and after (solid). Right: per link, the naive difference ``||Z_t - Z_{t-1}||`` and the
    covariant difference ``||Z_t - U_t Z_{t-1}||`` with link variable ``U_t = R_t^T R_{t-1}``.
    """

    def __init__(self, T=16, seed=0, kind="random", strength=1.0, gauge_seed=1):
        controls = {
            "T": C.T_control(T, lo=4, hi=64, step=4),
            "seed": C.seed_control(seed),
            "kind": C.dropdown("new gauge", KINDS, kind, width="360px"),
            "strength": C.float_slider("random angle size σ (rad)", strength, 0.0, 3.0, 0.05),
            "gauge_seed": C.int_slider("gauge seed", gauge_seed, 0, 50, width="320px"),
        }
        fig, (self.ax_ang, self.ax_link) = live_figure(9.6, 3.5, 1, 2)
        fig.subplots_adjust(wspace=0.28, left=0.07, right=0.98, top=0.8, bottom=0.15)
        super().__init__("A gauge transformation: Z and Γ move, L′ does not", controls, fig)
        self._cache = LRUCache(4)
        self._build()
        self.refresh(changed="init")

    def _build(self):
        ax = self.ax_ang
        track = self.live.track
        c_z, c_g = OKABE_ITO["sky"], OKABE_ITO["orange"]
        self.l_theta0 = track(ax.plot([], [], ":", color=c_z)[0])
        self.l_theta1 = track(ax.plot([], [], "-", color=c_z, label="embedding angle θ_t")[0])
        self.l_phi1 = track(ax.plot([], [], "-", color=c_g, label="gauge angle φ_t")[0])
        self.l_inv0 = track(ax.plot([], [], "-", color=OKABE_ITO["grey"], lw=4, alpha=0.5,
                                    label="θ_t before (φ = 0)")[0])
        self.l_inv1 = track(ax.plot([], [], "--", color=THEORY_COLOUR,
                                    label="θ_t + φ_t after (what L′ sees)")[0])
        ax.axhline(0.0, color=OKABE_ITO["grey"], lw=0.6)
        ax.set_xlabel("time step t")
        ax.set_ylabel("angle (rad)")
        legend_above(ax, ncol=2)
        ax = self.ax_link
        self.l_naive0 = track(ax.plot([], [], ":", color=OKABE_ITO["vermillion"],
                                      label="naive, before")[0])
        self.l_naive1 = track(ax.plot([], [], "o-", ms=3, color=OKABE_ITO["vermillion"],
                                      label="naive ‖Z_t − Z_{t−1}‖")[0])
        self.l_cov0 = track(ax.plot([], [], "-", color=OKABE_ITO["grey"], lw=4, alpha=0.5,
                                    label="covariant, before")[0])
        self.l_cov1 = track(ax.plot([], [], "s--", ms=3, color=OKABE_ITO["blue"],
                                    label="covariant ‖Z_t − U_t Z_{t−1}‖")[0])
        ax.set_xlabel("link (t−1, t)")
        ax.set_ylabel("length of the difference")
        legend_above(ax, ncol=2)

    def _base(self, T, seed):
        return self._cache.get_or((T, seed), lambda: gt.relaxed_hat(T, seed))

    def update(self, changed=None):
        s = self.state
        random = s["kind"] == "random"
        for name in ("strength", "gauge_seed"):  # they mean nothing in the unitary gauge
            self.controls[name].disabled = not random
        model, Z = self._base(s["T"], s["seed"])
        self.result = r = gt.gauge_transformation(Z, model, s["kind"], s["strength"],
                                                  s["gauge_seed"])
        t = np.arange(s["T"])
        links = np.arange(1, s["T"])
        set_line(self.l_theta0, t, r.theta)
        set_line(self.l_theta1, t, r.theta_new)
        set_line(self.l_phi1, t, r.phi)
        set_line(self.l_inv0, t, r.theta)
        set_line(self.l_inv1, t, r.seen)
        set_line(self.l_naive0, links, r.naive)
        set_line(self.l_naive1, links, r.naive_new)
        set_line(self.l_cov0, links, r.covariant)
        set_line(self.l_cov1, links, r.covariant_new)
        self.ax_ang.set_xlim(-0.5, s["T"] - 0.5)
        self.ax_ang.set_ylim(*limits.padded(*limits.data_range(r.theta, r.theta_new, r.phi,
                                                               r.seen, [0.0])))
        self.ax_link.set_xlim(0.5, s["T"] - 0.5)
        top = limits.data_range(r.naive, r.naive_new, r.covariant, r.covariant_new)[1]
        self.ax_link.set_ylim(0.0, 1.08 * max(top, 1e-3))
        what = ("the exact gauge step's rotations moved into the gauge field, Γ~_t = −log R_t: "
                "the twist now lives in Γ (the unitary gauge)" if not random else
                f"random φ_t ~ N(0, σ²), σ = {s['strength']:.2f} rad, gauge seed {s['gauge_seed']}")
        self.set_caption(
            f"Mexican-hat chain, d = 2, T = {s['T']}, λ = 1, after 200 GD steps from a random start "
            f"(seed {s['seed']}); before: Γ = 0. New gauge: {what}. "
            f"Plain loss L(Z): {r.loss:.6g} → {r.loss_new:.6g}. Gauge-invariant loss L′(Z; Γ): "
            f"{r.invariant:.12g} → {r.invariant_new:.12g} (change "
            f"{abs(r.invariant_new - r.invariant):.1e}). The largest change of a covariant "
            f"difference is {np.abs(r.covariant_new - r.covariant).max():.1e}.")


def gauge_transformation_panel(**kwargs):
    """Apply a random (or twist-absorbing) gauge transformation and watch ``L'`` stay put.

    Parameters
    ----------
    T, seed, kind, strength, gauge_seed
        Initial (and Reset) values: chain length, seed of the chain's random start, ``"random"``
        or ``"unitary"``, standard deviation of the random gauge angles, seed of the random gauge.

    Returns
    -------
    GaugeTransformationPanel
    """
    return GaugeTransformationPanel(**kwargs)
