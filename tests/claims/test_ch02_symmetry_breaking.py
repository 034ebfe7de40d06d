"""Chapter 02's claims, recomputed from gauge_core: spontaneous symmetry breaking on the
Mexican-hat chain, the measured decay of the slowest twist, and reflection domain walls (the
stall, its two flat directions, the repair with O(d) links).
"""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc
from gauge_core.experiments import hat_chain_run, vacua

T, LAM, LR = 12, 1.0, 0.03


@pytest.fixture(scope="module")
def run():
    r = hat_chain_run(T, LAM, "random", 1.0, rng=0, lr=LR)
    r.advance(3000)
    return r


@pytest.fixture(scope="module")
def stall():
    return vacua.wall_stall(lam=1.0, wall=5, rng=0, steps=5000)


def test_uncoupled_sites_keep_their_direction_and_cover_the_ring():
    """No coupling: each site reaches the ring without turning; the final directions have no
    preferred angle (mean resultant length of order 1/sqrt(200))."""
    s = vacua.uncoupled_sites(n=200, steps=300, scale=0.5, lr=0.03, rng=0)
    assert s["off_ring"] < 1e-10 and s["turned"] < 1e-10
    assert s["spread"] < 3 / np.sqrt(200)


def test_two_phases_fast_fall_then_slow_untwisting(run):
    h = vacua.chain_history(run, (0, 100, 3000))
    off, span = dict(zip(h["iteration"], h["off ring"])), dict(zip(h["iteration"],
                                                                   h["twist span (rad)"]))
    assert off[100] < 0.07 and span[100] > 1
    assert span[3000] < 0.01


def test_slowest_twist_decays_at_one_minus_eta_h1(run):
    """Measured from two snapshots, against h_1 from the eigenvalues of the explicit matrix λL."""
    h1 = np.linalg.eigvalsh(gc.chain_laplacian(T, LAM))[1]
    measured = vacua.decay_factor(run, 1000, 2000)
    assert (1 - measured) / (LR * h1) == pytest.approx(1.0, abs=1e-3)


def test_cold_start_random_scales_and_coupling():
    cold = vacua.cold_start(T, LAM, LR, steps=200, below=1e-8)
    assert cold["twist"] < 1e-12 and cold["iterations"] <= 60
    s = vacua.scale_survey(T, LAM, LR, scales=(1.0, 1e-3), seeds=range(5))
    a1 = s["mean |a_1| at iteration 300"]
    assert a1[1] > 0.5 and 1 / 3 < a1[1] / a1[0] < 3
    assert min(s["lowest loss at iteration 1000"]) > 1e-5
    assert gc.untwist_theory(T, 0.1, LR) > 9 * gc.untwist_theory(T, 1.0, LR)
    strong = hat_chain_run(T, 10.0, "random", 1.0, rng=0, lr=LR)
    strong.advance(300)
    assert np.ptp(gc.twist_profile(strong.Z)) < 0.01


def test_the_largest_step_of_the_panel_diverges():
    r = hat_chain_run(T, LAM, "random", 1.0, rng=0, lr=10 ** -0.5)
    r.advance(100)
    assert r.diverged and 10 ** -0.5 > gc.gd_stability_limit(T, LAM)


def test_gd_stalls_at_a_wall_in_a_metastable_state(stall):
    """Far above the optimum, unchanged between 1,000 and 5,000 steps, zero gradient, no negative
    curvature, one wall. The stall costs at most the perfect wall's coupling (GD only goes down)
    and at least a third of it."""
    assert abs(stall.ratio(1000) / stall.ratio() - 1) < 1e-6
    assert stall.grad_norm() < 1e-6 and stall.walls() == 1
    w = stall.hessian_eigenvalues()
    assert w[0] > -1e-6 and abs(w[1]) < 1e-6 and w[2] > 0.01
    perfect = stall.model.coupling_loss(gc.domain_wall(stall.Z_opt, 5))
    gap = stall.loss[-1] - stall.optimum
    assert perfect / 3 < gap < stall.model.loss(stall.Z_start) - stall.optimum
    assert perfect == pytest.approx(2 * np.sum(stall.Z_opt[0, -1] ** 2))


def test_second_zero_mode_is_a_GL_stretch(stall):
    """The Hessian's null space at the stall is spanned by the global rotation and a global stretch
    U -> (I + εS) U, V -> (I − εS) V: its vectors lie in the GL(2) orbit directions, and the plane
    of the rotation and the fitted S is the same plane."""
    modes = vacua.zero_modes(stall.model, stall.Z, count=2)
    assert modes.outside.max() < 1e-5
    assert modes.cosines.min() > 1 - 1e-9
    assert np.allclose(modes.stretch, modes.stretch.T)
    assert abs(modes.stretch[1, 1]) < 1e-3 and abs(modes.stretch[0, 0]) > 0.99  # ≈ diag(1, 0)
    assert modes.along < 1e-5 < 1 < modes.largest
    assert modes.eigenvalues[2] > 1e3 * abs(modes.eigenvalues[1])


def test_the_stretch_is_flat_by_direct_loss_evaluations(stall):
    """Independently of any Hessian: moving along exp(εS) changes the loss by O(ε⁴) at most, while
    stretching the other axis costs at second order."""
    modes = vacua.zero_modes(stall.model, stall.Z, count=2)
    m, Z = stall.model, stall.Z
    w, V = np.linalg.eigh(modes.stretch)
    other = np.outer(V[:, 0], V[:, 0])

    def change(S, eps):
        A = V @ np.diag(np.exp(eps * w)) @ V.T if S is modes.stretch else np.eye(2) + eps * S
        return m.loss(vacua.transform_factors(m, Z, A)) - m.loss(Z)

    assert abs(change(modes.stretch, 1e-2)) < 1e-8
    assert change(other, 1e-2) > 1e-4


def test_all_of_gl2_is_flat_at_the_aligned_optimum(stall):
    """Where all neighbours agree, no GL(2) move costs coupling: d² = 4 zero modes, all GL moves."""
    modes = vacua.zero_modes(stall.model, stall.Z_opt, count=4)
    assert np.abs(modes.eigenvalues[:4]).max() < 1e-6 and modes.eigenvalues[4] > 0.05
    assert modes.outside.max() < 1e-6


def test_only_O_links_repair_the_wall(stall):
    so, o = vacua.gauge_repair(stall, "SO"), vacua.gauge_repair(stall, "O")
    assert so["largest rotation (rad)"] < 1e-5 and so["walls"] == 1
    assert so["right after"] == pytest.approx(stall.ratio(), rel=1e-9)
    assert o["after polish"] < 1 + 1e-6 and o["walls"] == 0


def test_random_N01_starts_leave_walls_that_only_O_links_remove(stall):
    so = vacua.wall_survey(stall, "SO", seeds=range(8), steps=600)
    o = vacua.wall_survey(stall, "O", seeds=range(8), steps=600)
    assert np.sum(so["loss / optimum"] > 2) >= 3 and np.sum(o["loss / optimum"] > 2) == 0
    assert all(w == 0 for w in o["walls"])
    stuck = so["loss / optimum"] > 2
    assert all(w >= 1 for w, s in zip(so["walls"], stuck) if s)


def test_walls_at_an_end_and_strong_coupling_are_removed_by_gd(stall):
    for wall in (1, 9):
        assert vacua.wall_outcomes(stall.X, 1.0, wall, 1000)[-1] < 1.001
    assert vacua.wall_outcomes(stall.X, 10.0, 5, 3000)[-1] < 1.001
    assert vacua.wall_outcomes(stall.X, 0.1, 5, 3000)[-1] > 10


def test_gd_spreads_the_wall_and_the_first_O_gauge_step_removes_most_of_it(stall):
    start, end = (stall.model.coupling.link_costs(Z) for Z in (stall.Z_start, stall.Z))
    assert np.sum(start > 0.1) == 1 and np.sum(end > 0.1) >= 3
    o_run = gc.optimize(stall.model, stall.Z_start, "gauge", 12, lr=0.02, k1=10, group="O")
    assert o_run.loss[10] < 0.5 * o_run.loss[9]


def test_random_orthogonal_frames_give_T_minus_1_over_2_walls_on_average(stall):
    rng = np.random.default_rng(2)
    counts = [gc.count_walls(gc.apply_rotations(stall.Z_opt, gc.random_rotation(2, rng, group="O",
                                                                                 size=10)))
              for _ in range(500)]
    assert np.mean(counts) == pytest.approx(4.5, rel=0.05)
