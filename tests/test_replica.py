"""The P1 §5.1 replica (gauge_core.experiments.replica), reflection walls, and one gauge phase of
P1 Algorithm 1 taken apart (gauge_core.dissect_phase). The claims chapter 04 makes are in
tests/claims/test_ch04_goldstone_gd.py.

Equations cited: P1 Eq. 11 (coupling change under rotations), Eq. 14 (second-order objective L''),
Eq. 15 (M_{tt'}), Eq. 16 (natural-gradient step with L^+), Eq. 17 (step size rho'), Algorithm 1
line 9 (I + Gamma) and its exact form exp(Gamma).

The cached survey book/data/replica.npz (24 seeds x 5 settings x 5,000 iterations) holds the raw
measurements at the checkpoints; every claim below is derived from it at test time, and the slow
test regenerates all 24 seeds and compares (``make data`` rebuilds the file).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import gauge_core as gc
from gauge_core import (dissect_phase, factorization_optimum, generator_components,
                        reflection_walls, rotation_log)
from gauge_core.experiments import (P1_SETTINGS, SURVEY_CHECKPOINTS, SURVEY_SEEDS, ReplicaSurvey,
                                    p1_data, p1_replica, replica_survey, steps_to_converge)

DATA = Path(__file__).resolve().parent.parent / "book" / "data" / "replica.npz"


def _survey():
    return ReplicaSurvey.load(DATA)


def _wall_free(below=20):
    """Seeds (below ``below``) where neither GD nor Goldstone-GD ends with a wall, from the survey
    (its regeneration is checked by test_survey_file_regenerates)."""
    return [s for s in _survey().clean_seeds(("gd", "goldstone")) if s < below]


# --- the replica ----------------------------------------------------------------------------
def test_replica_setup_is_p1_5_1():
    rep = p1_replica(0)
    assert rep.model.shape == (30, 3, 20) and rep.model.lam == 10.0
    assert rep.X.shape == (10, 10) and np.allclose(rep.model.X[7], rep.X)
    s = np.linalg.svd(rep.X, compute_uv=False)
    assert s[2] > 1.0 > 0.2 > s[3]  # rank 3 plus noise of variance 1e-3
    again = p1_replica(0)
    assert np.array_equal(again.Z0, rep.Z0) and np.array_equal(again.X, rep.X)
    assert not np.array_equal(p1_replica(1).Z0, rep.Z0)


def test_optimum_is_attained_by_a_constant_best_rank_d_factorisation():
    rep = p1_replica(3)
    P, s, Qt = np.linalg.svd(rep.X)
    U = (P[:, :3] * np.sqrt(s[:3])).T
    V = np.sqrt(s[:3])[:, None] * Qt[:3]
    Z = np.repeat(np.concatenate([U, V], axis=1)[None], 30, axis=0)
    assert rep.model.loss(Z) == pytest.approx(rep.optimum, rel=1e-12)
    assert np.abs(rep.model.grad(Z)).max() < 1e-10
    assert factorization_optimum(rep.X, 3, 30) == rep.optimum


def test_replica_validation():
    with pytest.raises(ValueError, match="rng"):
        p1_replica(-1)
    with pytest.raises(TypeError, match="rng"):
        p1_replica(0.5)
    with pytest.raises(ValueError, match="init_scale"):
        p1_replica(0, init_scale=0.0)
    with pytest.raises(ValueError, match="X"):
        factorization_optimum(np.ones(3), 1, 2)


# --- reflection walls -----------------------------------------------------------------------
def test_reflection_walls_found_where_a_mirror_image_starts(rng):
    one = rng.standard_normal((3, 20))
    Z = np.repeat(one[None], 10, axis=0)
    assert len(reflection_walls(Z)) == 0
    P = np.diag([1.0, 1.0, -1.0])
    Z[6:] = P @ Z[6:]
    assert list(reflection_walls(Z)) == [6]
    # rotating every step on its own (a gauge transformation) moves no wall
    R = gc.random_rotation(3, rng, size=10)
    assert list(reflection_walls(gc.apply_rotations(Z, R))) == [6]
    # a reflection is invisible to the local loss of a factorisation: U^T V is unchanged
    rep = p1_replica(0)
    Zr = rep.Z0.copy()
    Zr[15:] = P @ Zr[15:]
    assert rep.model.local_loss(Zr) == pytest.approx(rep.model.local_loss(rep.Z0), rel=1e-12)


def test_reflection_walls_agree_with_the_procrustes_link_signs():
    """det(Z_{t-1} Z_t^T) has the sign of its polar (best orthogonal) factor: the same walls as
    gauge_core.link_signs, and the signs of the Procrustes links (an SVD per link)."""
    for seed in range(4):
        Z0 = p1_replica(seed).Z0
        assert len(reflection_walls(Z0)) == gc.count_walls(Z0)
        assert list(reflection_walls(Z0)) == list(np.nonzero(gc.link_signs(Z0) < 0)[0] + 1)
        U = gc.procrustes(np.matmul(Z0[:-1], np.swapaxes(Z0[1:], 1, 2)), "O")
        assert list(reflection_walls(Z0)) == list(np.nonzero(np.linalg.det(U) < 0)[0] + 1)


def test_reflection_walls_validation():
    with pytest.raises(ValueError):
        reflection_walls(np.ones((1, 2, 2)))


# --- rotation logarithm and components ------------------------------------------------------
@pytest.mark.parametrize("d", [2, 3, 4])
def test_rotation_log_inverts_expm(d, rng):
    G = gc.random_skew(d, rng, scale=0.5, size=25)
    R = gc.expm_skew(G)
    assert np.allclose(rotation_log(R), G, atol=1e-10)
    assert np.allclose(gc.expm_skew(rotation_log(R)), R, atol=1e-12)
    assert np.abs(rotation_log(np.eye(d)[None])).max() < 1e-14


def test_rotation_log_rejects_reflections():
    with pytest.raises(ValueError, match="rotations"):
        rotation_log(np.diag([1.0, -1.0]))
    with pytest.raises(ValueError, match="orthogonal"):
        rotation_log(2 * np.eye(2))


def test_generator_components():
    phi = 0.3
    G2 = np.array([[0.0, -phi], [phi, 0.0]])  # exp(G2) rotates by +phi
    assert generator_components(G2)[0] == pytest.approx(phi)
    R = gc.expm_skew(G2)
    assert np.allclose(R @ [1.0, 0.0], [np.cos(phi), np.sin(phi)])
    w = np.array([0.1, -0.2, 0.3])
    G3 = np.array([[0, -w[2], w[1]], [w[2], 0, -w[0]], [-w[1], w[0], 0]])
    assert np.allclose(generator_components(G3), w)
    assert np.allclose(gc.expm_skew(G3) @ w, w)  # the rotation vector is the axis
    assert generator_components(np.zeros((5, 4, 4))).shape == (5, 6)


# --- one gauge phase, dissected -------------------------------------------------------------
def _xy_phase(seed=0, phase=4):
    model = gc.MexicanHatChain(32, 1.0, d=2, N=1)
    starts = gc.PhaseStarts()
    run = gc.Run(model, model.random_init(np.random.default_rng(seed)), "goldstone", lr=0.02,
                 k1=50, k2=10, recorders=[starts])
    starts.advance_to_phase(run, phase)
    return model, run, starts.phases[phase - 1]


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("warm", [False, True])
def test_dissect_phase_reproduces_goldstone_phase(d, warm, rng):
    """Lines 6–9 of Algorithm 1 step by step give the library's gauge phase (Eqs. 14–17)."""
    model = gc.MexicanHatChain(9, 1.3, d=d, N=4)
    Z = model.random_init(rng, scale=0.8)
    raw = 0.05 * rng.standard_normal((9, d, d)) if warm else None
    Lplus = np.linalg.pinv(model.coupling.laplacian)
    tr = dissect_phase(Z, model.coupling, 7, 0.25, raw, Lplus=Lplus)
    ref = gc.goldstone_phase(Z, np.zeros((9, d, d)) if raw is None else raw.copy(),
                             model.coupling, Lplus, 7)
    assert np.allclose(tr.Z_exp, ref, atol=1e-12)
    assert tr.steps == 7 and tr.gamma.shape == (8, 9, d, d)
    for j in (0, 3, 7):
        assert tr.objective[j] == pytest.approx(gc.p1_objective(tr.gamma[j], Z, model.coupling))
        assert tr.exact[j] == pytest.approx(gc.exact_change(tr.gamma[j], Z, model.coupling))
    assert tr.rho == pytest.approx(0.25 * d / np.sum(Z ** 2))  # Eq. 17 x 0.25
    # exp(Gamma) is a rotation: the local loss does not move
    assert model.local_loss(tr.Z_exp) == pytest.approx(model.local_loss(Z), abs=1e-10)
    # I + Gamma stretches: (I + G)^T (I + G) = I - G^2
    assert tr.norm_growth_linear >= 1.0
    assert np.allclose(tr.Z_linear, Z + np.matmul(tr.gamma[-1], Z))
    # the reference optimum is the exact gauge step
    best = model.coupling_loss(gc.exact_gauge_step(Z)[0]) - model.coupling_loss(Z)
    assert tr.best == pytest.approx(best, abs=1e-10)


def test_target_is_the_exact_optimum_up_to_the_global_mode():
    """For d = 2 the unwrapped, mean-free log of the exact step's rotations is the optimum."""
    model, rec, ph = _xy_phase()
    tr = dissect_phase(ph["Z"], model.coupling, 10, 0.25)
    Zt = np.matmul(gc.expm_skew(tr.target), ph["Z"])
    assert model.coupling_loss(Zt) - tr.psi_before == pytest.approx(tr.best, abs=1e-10)
    assert abs(generator_components(tr.target).sum()) < 1e-10
    assert np.abs(np.diff(generator_components(tr.target)[:, 0])).max() < np.pi


@pytest.mark.parametrize("s", [0.25, 1.0])
def test_natural_gradient_rate_is_one_minus_4s_over_T(s):
    """With L^+ every twist mode shrinks by 1 - 4s/T per gauge step [derived for isotropic
    embeddings: the Hessian of L'' in phi is N|z|^2 L, Gamma = Gamma~ - Gamma~^T doubles the step,
    rho' = s d / sum|z|^2]. One phase from Gamma = 0 then captures 1 - (1 - 4s/T)^(2 k2) of the
    best decrease of psi."""
    model, rec, ph = _xy_phase()
    tr = dissect_phase(ph["Z"], model.coupling, 10, s, None, True)
    phi = generator_components(tr.gamma)[:, :, 0]
    inc = np.linalg.norm(np.diff(phi, axis=0), axis=1)
    q = 1 - 4 * s / 32
    assert np.allclose(inc[1:] / inc[:-1], q, rtol=2e-3)
    assert tr.exact[-1] / tr.best == pytest.approx(1 - q ** 20, abs=0.01)
    plain = dissect_phase(ph["Z"], model.coupling, 10, s, None, False)
    assert plain.exact[-1] / plain.best < 0.2  # without L^+ the long twist barely moves


def test_step_factor_T_over_4_is_one_newton_step_and_beyond_T_over_2_runs_away():
    model, rec, ph = _xy_phase()
    tr = dissect_phase(ph["Z"], model.coupling, 10, 8.0, None, True)
    assert tr.exact[1] / tr.best > 0.99
    wild = dissect_phase(ph["Z"], model.coupling, 50, 40.0, None, True)
    assert wild.diverged_at is not None and wild.steps < 50
    for arr in (wild.gamma, wild.objective, wild.exact, wild.Z_exp):
        assert np.all(np.isfinite(arr))


def test_dissect_phase_validation():
    model = gc.MexicanHatChain(5, 1.0)
    Z = np.ones(model.shape)
    with pytest.raises(TypeError, match="coupling"):
        dissect_phase(Z, "chain")
    with pytest.raises(ValueError, match="T=5"):
        dissect_phase(np.ones((4, 2, 1)), model.coupling)
    with pytest.raises(ValueError, match="step_scale"):
        dissect_phase(Z, model.coupling, step_scale=0.0)
    with pytest.raises(ValueError, match="k2"):
        dissect_phase(Z, model.coupling, k2=-1)
    with pytest.raises(ValueError, match="gauge_raw"):
        dissect_phase(Z, model.coupling, gauge_raw=np.zeros((5, 3, 3)))


def test_phase_starts_replay_the_run():
    """PhaseStarts records what every gauge phase of a Goldstone-GD run receives; dissecting one
    with the recorded warm start reproduces the run's own phase."""
    rep = p1_replica(2)
    starts = gc.PhaseStarts()
    run = gc.Run(rep.model, rep.Z0, "goldstone", snapshots=(100, 150), recorders=[starts],
                 **P1_SETTINGS["goldstone"])
    assert starts.advance_to_phase(run, 3) == 3
    assert [p["iteration"] for p in starts.phases] == [50, 100, 150]
    ref = gc.optimize(rep.model, rep.Z0, "goldstone", 150, **P1_SETTINGS["goldstone"])
    assert np.array_equal(run.Z, ref.Z)
    ph = starts.phases[1]
    tr = dissect_phase(ph["Z"], rep.model.coupling, 10, 0.25, ph["gauge_raw"])
    assert np.allclose(tr.Z_exp, run.snapshots[100], atol=1e-12)


def test_steps_to_converge_matches_a_full_run():
    model = gc.MexicanHatChain(16, 1.0)
    Z0 = model.random_init(np.random.default_rng(1))
    full = gc.iterations_to_converge(gc.optimize(model, Z0, "gd", 3000, lr=0.05).loss, 0.0, 1e-6)
    assert steps_to_converge(model, Z0, "gd", 0.0, 1e-6, 3000, lr=0.05) == full
    assert steps_to_converge(model, Z0, "gd", 0.0, 1e-12, 50, lr=0.05) is None


# --- the chapter's measured claims live in tests/claims/test_ch04_goldstone_gd.py -----------------


# --- the cached survey ----------------------------------------------------------------------
@pytest.mark.slow
def test_survey_file_regenerates():
    """Every seed of the cached survey is recomputed from scratch (about 45 s) and compared."""
    cached = _survey()
    fresh = replica_survey(SURVEY_SEEDS)
    assert list(fresh.methods) == list(cached.methods)
    assert list(cached.checkpoints) == list(SURVEY_CHECKPOINTS)
    assert list(cached.seeds) == list(SURVEY_SEEDS)
    np.testing.assert_allclose(fresh.optimum, cached.optimum, rtol=1e-12)
    for key in ("loss", "alignment"):
        np.testing.assert_allclose(getattr(fresh, key), getattr(cached, key), rtol=1e-6,
                                   atol=1e-9)
    np.testing.assert_array_equal(fresh.walls, cached.walls)


def test_survey_optimum_is_recomputed_from_the_data():
    """The stored optimum of every seed is the Eckart–Young minimum of that seed's data."""
    cached = _survey()
    for s, opt in zip(cached.seeds, cached.optimum):
        assert opt == pytest.approx(factorization_optimum(p1_data(int(s)), 3, 30), rel=1e-12)


def test_survey_reflection_walls_are_common():
    """Most random N(0, 1) starts end (at 5,000 iterations) with a reflection wall, under every
    optimiser: rotations cannot remove it, so Goldstone-GD is no cure."""
    survey = _survey()
    walled = survey.walled_counts()
    assert walled["gd"] >= 12 and walled["goldstone"] >= 12 and walled["adam"] >= 12
    assert survey.wall_fraction("goldstone") > 0.5
    # the wall-free seeds are those with no wall at the end under both GD and Goldstone-GD
    clean = survey.clean_seeds()
    ends = zip(survey.seeds, survey.final_walls("gd"), survey.final_walls("goldstone"))
    assert clean == [int(s) for s, gd, gs in ends if gd == 0 and gs == 0]
    # a wall costs loss: every walled Goldstone-GD run ends > 10x above the optimum
    walled_gs = survey.final_walls("goldstone") > 0
    assert np.all(survey.loss_over_optimum("goldstone")[walled_gs] > 10)
