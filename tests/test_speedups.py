"""Measured speed-ups: the T^2 law of GD, Goldstone-GD and the exact gauge step, and the P1 §5.1
replica (P1 §5.1, Fig. 2 and Fig. 4).

Everything is counted in iterations (no timing asserts). The heavy tests are marked ``slow`` but run
in the default suite.
"""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc
from gauge_core.experiments import p1_replica

TS = (8, 16, 32, 64)
SEEDS = (0, 1, 2)
LAM = 1.0
ETA = 1.0 / (8.0 + 4.0 * LAM)  # eta = 1/(8 + 4 lam): half the stability limit of GD
GAUGE_OPTIONS = {"goldstone": dict(k1=10, k2=10), "gauge": dict(k1=10)}  # settings


def _twisted_start(T, seed):
    """The Mexican-hat chain started in the slowest Goldstone mode: twist nu = 1 with a random
    amplitude, random phases of N = 2 vectors and a small random radial perturbation."""
    rng = np.random.default_rng(seed)
    Z0 = gc.twist_mode(T, 1, rng.uniform(0.3, 0.6), N=2, phases=rng.uniform(0, 2 * np.pi, 2))
    return Z0 * (1.0 + 1e-3 * rng.standard_normal(Z0.shape))


def untwist_iterations(T, method, seed, cap=20000):
    """Iterations until the nu = 1 twist amplitude has shrunk by a factor e."""
    model = gc.MexicanHatChain(T, LAM, d=2, N=2)
    Z0 = _twisted_start(T, seed)
    a0 = abs(gc.twist_amplitudes(Z0)[1])
    hit = []

    def stop_when_untwisted(k, Z):
        if abs(gc.twist_amplitudes(Z)[1]) <= a0 / np.e:
            hit.append(k)
            return False
        return None

    gc.optimize(model, Z0, method, cap, lr=ETA, callback=stop_when_untwisted,
                **GAUGE_OPTIONS.get(method, {}))
    assert hit, f"{method} did not untwist T={T} within {cap} iterations"
    return hit[0]


@pytest.fixture(scope="module")
def untwist_table():
    """{method: array (seeds, T)} of e-fold untwisting iterations."""
    return {m: np.array([[untwist_iterations(T, m, s) for T in TS] for s in SEEDS], dtype=float)
            for m in ("gd", "goldstone", "gauge")}


def _slope(ts, its):
    return np.polyfit(np.log(ts), np.log(its), 1)[0]


@pytest.mark.slow
def test_gd_untwisting_time_is_one_over_eta_h1(untwist_table):
    """GD needs 1/(eta h_1) iterations to shrink the slowest Goldstone mode by e
    (79, 313, 1246, 4981 for T = 8..64) [2 %], for every seed."""
    predicted = np.array([1.0 / (ETA * gc.dispersion(T, LAM)[1]) for T in TS])
    expected = np.broadcast_to(predicted, (len(SEEDS), len(TS)))
    np.testing.assert_allclose(untwist_table["gd"], expected, rtol=0.02)


@pytest.mark.slow
def test_gd_untwisting_time_grows_as_T_squared(untwist_table):
    """P1 §3.3 / P2 §2.2 (condition number O(T^2)); log-log slope of GD's untwisting
    time against T is 2 +- 0.15 (per seed and for the mean)."""
    for row in untwist_table["gd"]:
        assert abs(_slope(TS, row) - 2.0) < 0.15
    assert abs(_slope(TS, untwist_table["gd"].mean(axis=0)) - 2.0) < 0.15


@pytest.mark.slow
@pytest.mark.parametrize("method", ["goldstone", "gauge"])
def test_gauge_methods_untwist_far_faster_and_scale_far_better(untwist_table, method):
    """P1 §5 ("an order of magnitude faster"), Goldstone-GD and the exact gauge step
    untwist >= 10x faster than GD at T >= 32 (every seed) and their time grows far more slowly with T
    (log-log slope < 1 against GD's 2)."""
    gd, fast = untwist_table["gd"], untwist_table[method]
    for j, T in enumerate(TS):
        if T >= 32:
            assert np.all(gd[:, j] >= 10 * fast[:, j]), (T, gd[:, j], fast[:, j])
    assert _slope(TS, fast.mean(axis=0)) < 1.0
    growth_fast = fast[:, -1].mean() / fast[:, 0].mean()
    growth_gd = gd[:, -1].mean() / gd[:, 0].mean()
    assert growth_fast < growth_gd / 10


@pytest.mark.slow
def test_random_start_relative_gap_at_T64():
    """Goldstone-GD >= 10x faster than GD at T >= 32, measured from random starts
    (N(0, 0.5^2), Mexican-hat chain, T = 64) as iterations to a relative loss gap of 1e-6, over
    3 seeds."""
    T = 64
    model = gc.MexicanHatChain(T, LAM, d=2, N=1)
    for seed in SEEDS:
        Z0 = model.random_init(seed, scale=0.5)
        its = {}
        for method, cap in (("gd", 40000), ("goldstone", 4000), ("gauge", 4000)):
            run = gc.Run(model, Z0, method, lr=ETA, **GAUGE_OPTIONS.get(method, {}))
            its[method] = None
            while its[method] is None and run.iteration < cap and not run.diverged:
                run.advance(500)
                its[method] = gc.iterations_to_converge(run.result().loss, 0.0, 1e-6)
            assert its[method] is not None, (seed, method)
        assert its["gd"] >= 10 * its["goldstone"], its
        assert its["gd"] >= 10 * its["gauge"], its


# --- P1 §5.1 replica ------------------------------------------------------------------------------
REPLICA_SEEDS = (0, 1, 2, 3)
REPLICA_BUDGET = 5000


def _replica(seed):
    """P1 §5.1 (gauge_core.experiments.p1_replica): the same X at each of T = 30 steps, d = 3,
    lam = 10, Z0 ~ N(0, 1)."""
    rep = p1_replica(seed)
    return rep.model, rep.Z0


def _improper_end_to_end(Z):
    """True if Z_{T-1} is closer to a reflection of Z_0 than to a rotation (an odd number of
    reflection domain walls between the ends,)."""
    U = gc.procrustes((Z[0] @ Z[-1].T)[None], "O")[0]
    return bool(np.linalg.det(U) < 0)


@pytest.fixture(scope="module")
def replica_runs():
    """Final Z of baseline GD and Goldstone-GD for each seed, same inner settings (P1 §5.1: clipped
    GD with g_bar = 0.01, rho_0 = 1, s_bar = 100; Goldstone-GD k1 = 50, k2 = 10)."""
    out = {}
    for seed in REPLICA_SEEDS:
        model, Z0 = _replica(seed)
        for method in ("gd", "goldstone"):
            res = gc.optimize(model, Z0, method, REPLICA_BUDGET, lr=1.0, clip=0.01, decay=100,
                              k1=50, k2=10)
            assert not res.diverged
            out[seed, method] = res.Z
    return out


@pytest.mark.slow
@pytest.mark.parametrize("seed", REPLICA_SEEDS)
def test_p1_replica_goldstone_gd_removes_the_twist_gd_leaves(replica_runs, seed):
    """P1 §5.1 / Fig. 2: after the same budget (5000 iterations) GD still carries a Goldstone twist
    (largest rotation angle of a time step against step 0 > 0.1 rad) while Goldstone-GD has removed
    it (< 0.03 rad, >= 10x smaller). Holds for every seed measured (0-11)."""
    gd = gc.twist_profile(replica_runs[seed, "gd"]).max()
    gold = gc.twist_profile(replica_runs[seed, "goldstone"]).max()
    assert gd > 0.1
    assert gold < 0.03
    assert gd >= 10 * gold


@pytest.mark.slow
@pytest.mark.parametrize("seed", REPLICA_SEEDS)
def test_p1_replica_misalignment_is_a_reflection_domain_wall(replica_runs, seed):
    """On the P1 §5.1 replica: a mean alignment cos(z_1, z_T) < 0.8 after 5000
    iterations happens exactly when the two ends are related by an improper O(3) transformation (an
    odd number of reflection walls, which no rotation-based method removes); otherwise both methods
    end with alignment > 0.98."""
    for method in ("gd", "goldstone"):
        Z = replica_runs[seed, method]
        mean_alignment = gc.alignment(Z).mean()
        if _improper_end_to_end(Z):
            assert mean_alignment < 0.8, (method, mean_alignment)
        else:
            assert mean_alignment > 0.98, (method, mean_alignment)


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="the claim as stated does not hold (not a library bug): on "
                   "seeds 0 and 2 GD ends at mean alignment 0.987 / 0.989 (no reflection wall, a "
                   "residual twist of ~0.18 rad only costs cos ~0.98); GD falls below 0.8 only when "
                   "a reflection domain wall forms, see test_p1_replica_misalignment_is_a_"
                   "reflection_domain_wall")
def test_p1_replica_literal_alignment_claim(replica_runs):
    """The claim as once stated: after 5000 iterations GD has mean alignment < 0.8 and Goldstone-GD
    > 0.99, for every seed."""
    for seed in REPLICA_SEEDS:
        assert gc.alignment(replica_runs[seed, "gd"]).mean() < 0.8
        assert gc.alignment(replica_runs[seed, "goldstone"]).mean() > 0.99
