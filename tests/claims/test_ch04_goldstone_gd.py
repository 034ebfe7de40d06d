"""Every claim chapter 04 (book/04_goldstone_gd.ipynb) makes, recomputed from gauge_core.

Cited: P1 Algorithm 1 (lines 6–9), Eq. 13 (Gamma = Gamma~ - Gamma~^T), Eq. 14 (L''), Eq. 15 (M),
Eq. 16 (natural gradient with L^+), Eq. 17 (step size rho'), §5.1 (the replica). Claims about the
step factor are aggregates over many seeds: whether one particular gauge phase raises the loss is
chaotic (it changes with the last bits of the arithmetic from one machine to the next), so no
assert here depends on a single phase of a single seed.
"""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc
from gauge_core.experiments import (ReplicaSurvey, natural_gradient_rate, p1_replica,
                                    replica_comparison, rotation_leftover,
                                    slowest_twist_iterations, step_factor_study, wall_repair,
                                    warm_start_iterations, xy_phase)
from gauge_core.experiments.replica import SURVEY_PATH

SEEDS = tuple(range(24))


@pytest.fixture(scope="module")
def phase():
    return xy_phase(rng=0, phase=4)


@pytest.fixture(scope="module")
def study():
    """Goldstone-GD on 24 replica seeds, s in {0.25, 1, 4}, line 9 exp or I + Gamma."""
    return step_factor_study(seeds=SEEDS, steps=400)


@pytest.fixture(scope="module")
def survey():
    return ReplicaSurvey.load(SURVEY_PATH)


# --- §1: one gauge phase by hand --------------------------------------------------------------------
def test_one_natural_gradient_step_by_hand_is_the_library_phase(phase):
    """Lines 7–8 written out (chain rule through Eq. 13, L^+ on the time index) give the first
    step of gc.dissect_phase; L'' falls at every step and follows the exact change of psi."""
    xy, Z, it = phase
    assert it == 200
    rho = xy.d / np.sum(Z ** 2)
    g = gc.p1_gradient(np.zeros((32, 2, 2)), Z, xy.coupling)
    raw = -rho * np.einsum("ts,sij->tij", xy.coupling.laplacian_pinv, g - g.transpose(0, 2, 1))
    tr = gc.dissect_phase(Z, xy.coupling, 10, 1.0)
    np.testing.assert_allclose(tr.gamma[1], raw - raw.transpose(0, 2, 1), atol=1e-14)
    assert np.all(np.diff(tr.objective) < 0)
    np.testing.assert_allclose(tr.objective, tr.exact, atol=1e-3)
    assert tr.exact[-1] < 0.9 * tr.best < 0  # ten steps at s = 1: most of the best decrease


def test_line_9_exp_keeps_the_local_loss_and_I_plus_Gamma_stretches(phase):
    xy, Z, _ = phase
    tr = gc.dissect_phase(Z, xy.coupling, 10, 1.0)
    assert abs(xy.local_loss(tr.Z_exp) - xy.local_loss(Z)) < 1e-10
    assert tr.psi_exp < tr.psi_before
    # (I + Gamma)^T (I + Gamma) = I - Gamma^2 = (1 + phi_t^2) I for d = 2: every vector longer
    phi = gc.generator_components(tr.gamma[-1])[:, 0]
    growth = np.linalg.norm(tr.Z_linear, axis=1)[:, 0] / np.linalg.norm(Z, axis=1)[:, 0]
    np.testing.assert_allclose(growth, np.sqrt(1 + phi ** 2), rtol=1e-12)
    assert tr.norm_growth_linear > 1.05


# --- §2: the rate law ---------------------------------------------------------------------------
@pytest.mark.parametrize("s", [0.25, 1.0])
def test_every_twist_shrinks_by_one_minus_4s_over_T(phase, s):
    """Measured shrink per natural-gradient step against the derived q = 1 - 4s/T, and the
    captured fraction against 1 - q^(2 k2)."""
    xy, Z, _ = phase
    r = natural_gradient_rate(Z, xy.coupling, s)
    np.testing.assert_allclose(r.shrink, 1 - 4 * s / 32, rtol=2e-3)
    assert r.captured == pytest.approx(1 - (1 - 4 * s / 32) ** 20, abs=0.01)


def test_newton_at_T_over_4_and_runaway_beyond_T_over_2(phase):
    xy, Z, _ = phase
    assert gc.dissect_phase(Z, xy.coupling, 1, 8.0).exact[1] / gc.dissect_phase(
        Z, xy.coupling, 1, 8.0).best > 0.99
    assert gc.dissect_phase(Z, xy.coupling, 50, 40.0).diverged_at is not None
    plain = gc.dissect_phase(Z, xy.coupling, 10, 1.0, precondition=False)
    assert plain.exact[-1] / plain.best < 0.1  # without L^+ the long twist barely moves


# --- §3: one story for Eq. 17 ---------------------------------------------------------------------
def test_eq17_as_printed_works_with_exact_rotations(study):
    """With exp(Gamma) no run blows up at any factor, and s = 1 is ahead of s = 0.25 at
    iteration 400 on nearly every seed (measured: 23 or 24 of 24)."""
    assert all(study.blowups("exp", s) == 0 for s in study.factors)
    assert study.ahead("exp", 1.0, 0.25, 400) >= 20
    assert study.median("exp", 1.0, 400) < study.median("exp", 0.25, 400)


def test_the_overshoot_comes_from_I_plus_Gamma(study):
    """With line 9's I + Gamma, s = 1 blows up on many seeds (measured 10 of 24, s = 0.25: 3) and
    its median loss at iteration 400 is far above the exact update's (measured 28x)."""
    assert study.blowups("linear", 1.0) >= 6
    assert study.blowups("linear", 1.0) > study.blowups("linear", 0.25)
    assert study.median("linear", 1.0, 400) > 10 * study.median("exp", 1.0, 400)
    assert study.blowups("linear", 4.0) >= 20


def test_a_larger_factor_stalls_even_with_exact_rotations(study):
    """s = 4 with exp(Gamma): no blow-up, but the median loss at 400 is several times higher."""
    assert study.median("exp", 4.0, 400) > 3 * study.median("exp", 1.0, 400)


# --- §4: the replica ------------------------------------------------------------------------------
def test_goldstone_gd_untwists_the_replica_where_gd_does_not():
    """P1 §5.1 / Fig. 4 analogue on the chapter's seeds 0, 2, 3 after 1,500 iterations."""
    cmp = replica_comparison(seeds=(0, 2, 3), steps=1500)
    assert all(np.all(w == 0) for w in cmp.walls.values())
    assert np.all(cmp.mean_cos["goldstone"] > 0.99) and cmp.mean_cos["gd"].mean() < 0.8
    assert np.all(cmp.loss_ratio("gd", "goldstone") > 5)
    assert np.all(cmp.loss_ratio("adam", "goldstone") > 10)


def test_the_chapter_seeds_are_the_first_wall_free_ones(survey):
    assert survey.clean_seeds()[:3] == [0, 2, 3]


# --- optional sections ------------------------------------------------------------------------------
def test_reset_converges_sooner_than_warm_start_on_the_clean_chain():
    warm = warm_start_iterations(seeds=(0, 1, 2, 3, 4, 5))
    assert sum(n["reset"] < n["warm"] for n in warm.values()) >= 5


def test_adam_is_not_slow_on_the_clean_chain():
    counts = slowest_twist_iterations(Ts=(8, 16, 32))
    assert counts[32]["adam"] * 10 < counts[32]["gd"]
    assert all(c["adam"] < 2 * c["goldstone"] for c in counts.values())
    assert counts[32]["gd"] / counts[8]["gd"] > 12 > 3 > counts[32]["adam"] / counts[8]["adam"]


def test_walls_are_common_with_the_books_initialisation(survey):
    """With the N(0, 1) start, more than half of the 24 seeds end with a trapped wall under every
    optimiser; a start has many walls (more than 5 of 29 links on every seed)."""
    assert min(survey.walled_counts().values()) > len(survey.seeds) / 2
    assert min(len(gc.reflection_walls(p1_replica(int(s)).Z0)) for s in survey.seeds) > 5


def test_an_O_d_gauge_step_repairs_a_trapped_wall():
    rep, stuck, repaired = wall_repair(rng=1)
    assert len(gc.reflection_walls(stuck)) > 0 and len(gc.reflection_walls(repaired.Z)) == 0
    assert repaired.loss[-1] < 1.1 * rep.optimum


def test_stretch_modes_remain_after_goldstone_gd(survey):
    cmp = replica_comparison(seeds=(0,), steps=1500, methods=("gd", "goldstone"))
    model = p1_replica(0).model
    _, removable_gd, _ = rotation_leftover(model, cmp.Z["gd"][0])
    _, removable_gs, stretch_gs = rotation_leftover(model, cmp.Z["goldstone"][0])
    assert removable_gs < 0.2 < 0.5 < removable_gd and stretch_gs > 0.5
    assert np.all(survey.loss_over_optimum("goldstone")[survey.clean()] > 1.05)


def test_gauge_phases_speed_up_adam_with_a_larger_step(survey):
    both = survey.clean(("adam_0.1", "goldstone_adam_0.1"))
    assert both.sum() >= 3
    assert np.all(survey.loss_over_optimum("goldstone_adam_0.1", 0)[both]
                  <= survey.loss_over_optimum("adam_0.1", 0)[both])
