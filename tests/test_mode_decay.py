"""The two Hessian branches (P2 §2.2, Fig. 1b), per-mode GD decay ``1 - lr h_nu`` and the ``T^2``
law of the untwisting time (gauge_core.spectra, gauge_core.theory, gauge_core.experiments.mode_decay)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import gauge_core as gc
from gauge_core import experiments as ex


@pytest.mark.parametrize("T, lam, r, N", [(8, 1.0, 1.0, 1), (12, 0.3, 1.5, 1), (6, 50.0, 0.4, 3)])
def test_hessian_branches_at_aligned_minimum(T, lam, r, N):
    """One zero mode, angular branch = lam(2 - 2cos(pi nu/T)) (P2 Fig. 1b), radial
    branch = 8 r^2 + the same; the two blocks do not couple, so together they are the spectrum.
    Holds also when the branches overlap (lam = 50, r = 0.4)."""
    model = gc.MexicanHatChain(T, lam, d=2, N=N, radius=r)
    b = gc.hessian_branches(model)
    h = np.repeat(gc.dispersion(T, lam), N)
    np.testing.assert_allclose(b.angular, h, atol=1e-6 * max(lam, 1))
    np.testing.assert_allclose(b.radial, np.repeat(gc.radial_dispersion(T, lam, r), N),
                               atol=1e-6 * max(lam, 1))
    assert b.off_block < 1e-6 * max(lam, 1)
    np.testing.assert_allclose(np.sort(np.r_[b.angular, b.radial]), b.eigenvalues, atol=1e-9)
    assert np.sum(np.abs(b.eigenvalues) < 1e-3 * gc.dispersion(T, lam)[1]) == N


def test_hessian_branches_off_the_minimum_couple():
    """Away from the aligned minimum (a twisted chain) tangent and radial directions mix."""
    model = gc.MexicanHatChain(8, 1.0)
    b = gc.hessian_branches(model, gc.twist_mode(8, 1, 0.8))
    assert b.off_block > 1e-3


def test_hessian_branches_validation():
    with pytest.raises(ValueError, match="d = 2"):
        gc.hessian_branches(gc.MexicanHatChain(4, 1.0, d=3))
    with pytest.raises(ValueError, match="zero vector"):
        gc.hessian_branches(gc.MexicanHatChain(4, 1.0), np.zeros((4, 2, 1)))
    with pytest.raises(TypeError, match="model"):
        gc.hessian_branches("hat")


def test_twist_from_amplitudes_round_trip(rng):
    """P2 §2.2: theta = sum_nu c_nu cos-mode; twist_amplitudes recovers c (on the ring)."""
    T = 10
    c = 0.2 * rng.standard_normal(T)
    Z = gc.twist_from_amplitudes(c, radius=1.3)
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), 1.3)
    np.testing.assert_allclose(gc.twist_amplitudes(Z, np.array([[1.0], [0.0]])), c, atol=1e-12)
    Z2, c2 = gc.random_twist(T, 0.1, 3)
    assert c2[0] == 0.0
    np.testing.assert_allclose(gc.angle_profiles(Z2[None])[0] @ gc.goldstone_modes(T), c2,
                               atol=1e-12)


def test_angle_profiles_match_twist_profile(rng):
    """The vectorised profile equals gauge_core.twist_profile against the same reference."""
    Zs = rng.standard_normal((5, 9, 2, 3))
    ref = rng.standard_normal((2, 3))
    got = gc.angle_profiles(Zs, ref)
    for k in range(5):
        np.testing.assert_allclose(got[k], gc.twist_profile(Zs[k], ref), atol=1e-12)
    with pytest.raises(ValueError, match="shape"):
        gc.angle_profiles(np.zeros((2, 4, 3, 1)))


def test_mode_history_reads_a_plain_gd_run():
    """The mode history is read from the snapshots of an ordinary GD run (one engine), and its
    amplitudes are the Goldstone-mode projections of the twist profiles."""
    model = gc.MexicanHatChain(8, 0.7)
    Z0 = gc.twist_mode(8, 2, 0.3)
    run = ex.mode_run(model, Z0, 0.05, [0, 5, 17])
    run.advance(17)
    res = gc.optimize(model, Z0, "gd", 17, lr=0.05, snapshots=(5, 17))
    np.testing.assert_array_equal(run.snapshots[5], res.snapshots[5])
    np.testing.assert_array_equal(run.Z, res.Z)
    hist = ex.mode_history(run)
    np.testing.assert_array_equal(hist.iterations, [0, 5, 17])
    np.testing.assert_allclose(hist.amplitudes[1], gc.twist_amplitudes(res.snapshots[5],
                                                                       gc.gauge.base_frame(1)),
                               atol=1e-12)
    with pytest.raises(ValueError, match="d = 2"):
        ex.mode_run(gc.MexicanHatChain(4, 1.0, d=3), np.ones((4, 3, 1)), 0.1, [0, 1])


def test_gd_decays_each_mode_by_one_minus_lr_h():
    """The amplitude of mode nu shrinks by 1 - lr h_nu per step (single-mode start)."""
    T, lam, lr, a = 16, 1.0, 0.1, 1e-3
    for nu in (1, 3, 9):
        model = gc.MexicanHatChain(T, lam)
        hist = ex.gd_mode_history(model, gc.twist_mode(T, nu, a), lr, [0, 40])
        f = 1 - lr * gc.dispersion(T, lam)[nu]
        assert hist.amplitudes[1, nu] / hist.amplitudes[0, nu] == pytest.approx(f ** 40, rel=1e-4)


def test_fit_decay_factors_exact_geometric_sequences():
    """A pure geometric sequence (including a sign-alternating one) gives its ratio back; modes
    below the floor from the start are reported as not measurable."""
    k = np.arange(30)[:, None]
    f_true = np.array([0.99, 0.5, -0.3, 0.0])
    C = np.where(k == 0, 1.0, f_true[None, :] ** k) * np.array([1.0, 2.0, 1.5, 1.0])
    C = np.c_[C, np.full(30, 1e-9)]
    f, pairs = gc.fit_decay_factors(C, rel_floor=1e-6)
    np.testing.assert_allclose(f[:4], f_true, atol=1e-12)
    assert np.isnan(f[4]) and pairs[4] == 0
    assert pairs[0] == 29 and pairs[3] == 1
    with pytest.raises(ValueError, match="at least 2"):
        gc.fit_decay_factors(np.ones((1, 3)))


def test_measured_rates_agree_with_theory():
    """Measured per-mode decay rates match lr h_nu; the error is second order in the twist
    amplitude. Measured on T = 32, lam = 1, lr = 0.1, 200 steps: 4.2e-4 at amplitude 1e-2,
    4.2e-6 at 1e-3, 4.2e-8 at 1e-4 (the README's "about 1e-8"), 4.2e-10 at 1e-5."""
    r = ex.measure_decay_rates(32, 1.0, 0.1, amplitude=0.01, steps=200, rng=0)
    assert r.ok.all()
    assert r.max_relative_error < 1e-3
    big = ex.measure_decay_rates(32, 1.0, 0.1, amplitude=0.1, steps=200, rng=0)
    assert big.max_relative_error / r.max_relative_error == pytest.approx(100, rel=0.3)
    tiny = ex.measure_decay_rates(32, 1.0, 0.1, amplitude=1e-4, steps=200, rng=0)
    assert tiny.ok.all() and tiny.max_relative_error < 1e-7
    assert r.max_relative_error / tiny.max_relative_error == pytest.approx(1e4, rel=0.3)


def test_measure_decay_rates_diverging_step_is_flagged():
    r = ex.measure_decay_rates(8, 1.0, 0.5, amplitude=0.01, steps=300)
    assert r.diverged_at is not None
    assert not np.any(np.isinf(r.measured))


def test_untwist_theory_and_counting():
    """GD needs about 1/(lr h_1) steps per e-fold of the slowest twist."""
    T, lam, lr = 16, 1.0, 0.1
    th = gc.untwist_theory(T, lam, lr)
    assert th == pytest.approx(1 / (lr * gc.dispersion(T, lam)[1]), rel=0.01)
    k = ex.untwist_iterations(T, lam, lr)
    assert k == math.ceil(th)
    assert ex.untwist_iterations_from_rate(T, lam, lr) == pytest.approx(th, rel=1e-4)
    assert ex.untwist_iterations(8, 1.0, 0.5) is None  # diverges
    assert ex.untwist_iterations(64, 1.0, 0.1, max_steps=100) is None  # budget exhausted
    np.testing.assert_allclose(gc.untwist_theory(np.array([8, 16]), lam, lr),
                               [gc.untwist_theory(8, lam, lr), th])
    assert gc.untwist_theory(8, 1.0, 10.0) == math.inf


def test_untwist_scaling_slope_is_two():
    """The log-log slope of GD's untwisting time against T is 2 (+-0.1): h_1 ~ lam pi^2 / T^2."""
    res = ex.untwist_scaling([8, 16], [32, 64, 128], 1.0, 0.1)
    np.testing.assert_array_equal(res.T, [8, 16, 32, 64, 128])
    np.testing.assert_array_equal(res.simulated, [True, True, False, False, False])
    assert res.slope == pytest.approx(2.0, abs=0.1)
    np.testing.assert_allclose(res.iterations, res.theory, rtol=0.02)
    with pytest.raises(ValueError, match="at least one"):
        ex.untwist_scaling([], [], 1.0, 0.1)


def test_fit_power_law():
    x = np.array([2.0, 4.0, 8.0])
    p, a = gc.fit_power_law(x, 3 * x ** 2)
    assert p == pytest.approx(2.0) and a == pytest.approx(3.0)
    with pytest.raises(ValueError):
        gc.fit_power_law([1.0], [1.0])


# --- the mode race (gauge_core.experiments.mode_race) --------------------------------------------
def _heavy_ball_by_hand(a, beta, steps):
    """c_{k+1} = a c_k - beta c_{k-1} from rest (c_{-1} = c_0 = 1), written out step by step."""
    prev, cur, out = 1.0, 1.0, [1.0]
    for _ in range(steps):
        prev, cur = cur, a * cur - beta * prev
        out.append(cur)
    return np.array(out)


def test_momentum_theory_matches_the_recursion_written_out():
    """Matrix powers (exact at tuned momentum's double roots) against the scalar recursion."""
    T, lam = 16, 1.0
    tm = gc.tuned_momentum(*gc.spectrum_bounds(gc.MexicanHatChain(T, lam)))
    ks = [0, 1, 2, 7, 50, 333]
    got = ex.theory_fraction(T, lam, "momentum", ks, tm["lr"], tm["beta"])
    h = lam * (2 - 2 * np.cos(np.pi * np.arange(T) / T))
    for nu in (0, 1, 5, T - 1):
        seq = _heavy_ball_by_hand(1 + tm["beta"] - tm["lr"] * h[nu], tm["beta"], max(ks))
        np.testing.assert_allclose(got[:, nu], seq[ks], rtol=1e-9, atol=1e-14)
    with pytest.raises(ValueError, match="k"):
        ex.theory_fraction(T, lam, "gd", [-1], 0.1)


def test_mode_race_records_the_twist_amplitudes_of_each_run():
    race = ex.mode_race(T=16, lam=1.0, lr=0.1, amplitude=1e-3, steps=300, count=30)
    np.testing.assert_allclose(np.abs(race.c0[1:]), 1e-3, rtol=1e-9)  # every mode at ±amplitude
    for run in race.runs.values():
        run.advance(300)
    for m in ex.MODE_RACERS:
        its, frac = race.recorded(m)
        np.testing.assert_array_equal(its, race.iterations)
        np.testing.assert_allclose(frac[-1], np.abs(gc.twist_amplitudes(
            race.runs[m].Z, gc.gauge.base_frame(1))[1:]) / 1e-3, atol=1e-9)
    # linear regime: GD and momentum follow the theory; the exact step leaves nothing after k1
    its, frac = race.recorded("gd")
    np.testing.assert_allclose(frac, race.theory("gd", its), atol=1e-5)
    its, frac = race.recorded("momentum")
    np.testing.assert_allclose(frac, race.theory("momentum", its), atol=1e-4)
    assert race.settings["momentum"]["margin"] == 1.0  # a small twist keeps the exact tuning
    its, left = race.twist_left("gauge")
    assert left[its >= 10].max() < 1e-12 and left[its < 10].min() > 0.3
    assert race.steps_to("gauge") == its[its >= 10][0] and race.steps_to("gd") is None


def test_mode_race_momentum_needs_about_sqrt_kappa_where_gd_needs_kappa():
    """Twist left 1e-3: tuned momentum in ~sqrt(kappa) ln(...) steps, GD (theory) in ~kappa."""
    race = ex.mode_race(T=32, amplitude=0.05, steps=2000, racers=("gd", "momentum"))
    for run in race.runs.values():
        run.advance(2000)
    h_min, h_max = gc.spectrum_bounds(race.model)
    root_kappa = np.sqrt(h_max / h_min)
    n = race.steps_to("momentum")
    assert 2 * root_kappa < n < 8 * root_kappa
    assert race.steps_to("gd") is None  # 2000 steps are not enough for GD


def test_mode_start_kinds_and_validation():
    Z = ex.mode_start(16, "modes", 0.1)
    c = gc.twist_amplitudes(Z, gc.gauge.base_frame(1))
    excited = np.nonzero(np.abs(c) > 1e-12)[0]
    np.testing.assert_array_equal(excited, [nu for nu in ex.FEW_MODES if nu < 16])
    assert ex.mode_start(8, "random", 0.5, rng=1).shape == (8, 2, 1)
    with pytest.raises(ValueError, match="start"):
        ex.mode_start(8, "spiral")
    with pytest.raises(ValueError, match="amplitude"):
        ex.mode_start(8, "twist", 0.0)
    with pytest.raises(ValueError, match="racers"):
        ex.mode_race(8, racers=("adam",))


def test_a_large_twist_gets_a_safety_margin_on_the_momentum_tuning():
    """Tuned exactly, the stiffest (radial) mode sits on the edge of stability; away from the ring
    the radial curvature 12 rho^2 - 4 exceeds 8, so from a large twist the exact tuning diverges
    and the race's rule takes a margin on h_max."""
    model = gc.MexicanHatChain(32, 1.0)
    Z0 = ex.mode_start(32, "twist", 0.5)
    exact = gc.Run(model, Z0, "momentum", **gc.tuned_momentum(*gc.spectrum_bounds(model)))
    exact.advance(600)
    assert exact.diverged
    race = ex.mode_race(T=32, amplitude=0.5, steps=500, racers=("momentum",))
    assert race.settings["momentum"]["margin"] > 1.0
    race.runs["momentum"].advance(500)
    assert not race.runs["momentum"].diverged


# --- the Laplacian and the two branches (gauge_core.experiments.goldstone_spectrum) --------------
@pytest.mark.parametrize("T", [2, 5, 16])
def test_chain_laplacian_has_the_cosine_eigenvectors(T):
    """P1 Eq. 7's matrix, diagonalised numerically, against cos(pi nu (t + 1/2) / T), t = 0..T-1."""
    res = ex.laplacian_modes(T, 0.7)
    assert res.L[0, 0] == pytest.approx(0.7) and res.L[1, 0] == pytest.approx(-0.7)
    assert res.vector_error < 1e-12 and res.value_error < 1e-12 and res.overlap_error < 1e-12
    V = ex.cosine_modes(T)
    np.testing.assert_allclose(V.T @ V, np.eye(T), atol=1e-12)


def test_spectrum_check_and_gap_scaling():
    c = ex.spectrum_check(16, 1.0, 1.0)
    assert c.zero_modes == 1 and c.error < 1e-6 and c.radial_floor == 8.0
    assert c.gap == pytest.approx(2 - 2 * np.cos(np.pi / 16), rel=1e-6)
    assert c.gap_estimate == pytest.approx(np.pi ** 2 / 256)
    g = ex.gap_scaling((8, 16, 32))
    np.testing.assert_allclose(g.shrink, 4.0, atol=0.15)
    np.testing.assert_allclose(g.growth, 4.0, atol=0.15)
    curves = ex.spectrum_curves(np.array([0.0, np.pi]), 2.0, 0.5)
    np.testing.assert_allclose(curves["angular"], [0.0, 8.0])
    np.testing.assert_allclose(curves["radial"], [2.0, 10.0])
