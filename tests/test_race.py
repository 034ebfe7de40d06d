"""The race experiment (gauge_core.experiments.race): fair starts, tuned momentum, standings."""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc
from gauge_core.experiments import race as rc


SYNTHETIC = tuple(m for m in rc.MODELS if m not in rc.REAL)


@pytest.mark.parametrize("model", SYNTHETIC)
def test_every_entrant_starts_from_the_same_configuration(model):
    p = rc.race_problem(model, T=8, lam=2.0, rng=3)
    runs, left_out = rc.race_runs(p, rc.RACERS, k1=5, steps=50)
    assert not left_out
    starts = {k: float(r.loss[0]) for k, r in runs.items() if k != "gauge_start"}
    assert len({round(v, 9) for v in starts.values()}) == 1
    # a gauge-fixed start rotates the steps: same local loss, no larger coupling
    g = runs["gauge_start"]
    assert g.local_loss[0] == pytest.approx(runs["gd"].local_loss[0], rel=1e-12)
    assert g.coupling_loss[0] <= runs["gd"].coupling_loss[0] + 1e-12


def test_initialisations():
    twisted = rc.race_problem("hat", T=32, init="random", rng=1).Z0
    aligned = rc.race_problem("hat", T=32, init="aligned", rng=1).Z0
    fixed = rc.race_problem("hat", T=32, init="gauge-fixed", rng=1).Z0
    assert np.ptp(gc.twist_profile(twisted)) > 1.0
    assert np.allclose(aligned, aligned[0])
    assert np.ptp(gc.twist_profile(fixed)) < 1e-9  # one vector per step: every link is exact
    # the gauge-fixed start is the random start, rotated: same lengths
    assert np.allclose(np.linalg.norm(fixed, axis=1), np.linalg.norm(twisted, axis=1))


def test_tuned_momentum_is_the_smallest_stable_margin():
    p = rc.race_problem("hat", T=32, lam=1.0, rng=0)
    t = rc.race_tuning(p, "momentum")
    assert t["margin"] in rc.MARGINS
    h_min, h_max = gc.spectrum_bounds(p.model)
    run = gc.Run(p.model, p.Z0, "momentum", lr=t["lr"], beta=t["beta"])
    run.advance(3000)
    assert not run.diverged and run.loss[-1] < 1e-6 * run.loss[0]
    k = rc.MARGINS.index(t["margin"])
    if k > 0:  # the next smaller margin does not survive the probe
        smaller = gc.tuned_momentum(h_min, rc.MARGINS[k - 1] * h_max)
        probe = gc.Run(p.model, p.Z0, "momentum", **smaller)
        probe.advance(rc.PROBE_STEPS)
        assert probe.diverged or probe.loss[-1] > probe.loss[0]


def test_post_hoc_alignment_only_rotates():
    p = rc.race_problem("replica", T=10, lam=10.0, rng=2)
    run = gc.Run(p.model, p.Z0, "gd", lr=0.01)
    run.advance(200)
    Zr, loss, psi, align = rc.post_hoc_alignment(p.model, run.Z)
    assert p.model.local_loss(Zr) == pytest.approx(p.model.local_loss(run.Z), rel=1e-10)
    assert psi <= p.model.coupling_loss(run.Z) + 1e-12
    assert loss == pytest.approx(p.model.local_loss(Zr) + psi)
    assert -1.0 <= align <= 1.0


def test_standings_from_known_curves():
    k = np.arange(101.0)
    curves = {"fast": 10.0 * 0.5 ** k, "slow": 10.0 * 0.9 ** k, "never": np.full(101, 10.0)}
    st = rc.standings(curves, minimum=0.0, tol=1e-6)
    # 10 * 0.5^n <= 1e-5 first at n = 20; 0.9^n <= 1e-6 first at n = 132 > 100: not finished
    assert st.winner() == ("fast", 20)
    assert st.iterations["slow"] is None and st.iterations["never"] is None
    assert st.margin() == np.inf
    st2 = rc.standings({"a": 0.5 ** k, "b": 0.7 ** k}, minimum=0.0, tol=1e-3)
    # 0.5^10 = 9.8e-4; 0.7^n <= 1e-3 first at n = 20 (0.7^19 = 1.14e-3)
    assert st2.finished == [("a", 10), ("b", 20)] and st2.margin() == 2.0


def test_without_a_known_minimum_the_leader_must_have_settled():
    k = np.arange(101.0)
    settled = 1.0 + 0.5 ** k                      # at the floor from about n = 20 on
    late = 1.0 + np.where(k < 100, 1.0, 0.0) - 1e-9   # reaches the lowest value only at the end
    st = rc.standings({"settled": settled, "late": late}, minimum=None, tol=1e-6)
    assert st.iterations["late"] is None
    assert st.winner()[0] == "settled"
    bouncing = settled.copy()
    bouncing[60] = 1.5  # leaves the floor again: not finished
    assert rc.standings({"b": bouncing, "s": settled}).iterations["b"] is None


def test_a_ring_leaves_out_the_exact_gauge_step():
    p = rc.race_problem("hat", T=12, lam=1.0, ring=True)
    runs, left_out = rc.race_runs(p, ("gd", "goldstone", "gauge", "procrustes"), k1=5)
    assert set(runs) == {"gd", "goldstone"}
    assert set(left_out) == {"gauge", "procrustes"}
    assert all("ring" in why for why in left_out.values())


def test_alignment_trace_is_sampled_and_matches_the_run():
    p = rc.race_problem("hat", T=16, rng=4)
    runs, _ = rc.race_runs(p, ("gd", "procrustes"), steps=300)
    run = runs["gd"]
    run.advance(300)
    trace = run.recorders[0]
    assert trace.iterations == list(range(0, 301, 1))
    assert trace.alignment[-1] == pytest.approx(rc.mean_alignment(run.Z))
    assert len(trace.post_loss) == len(trace.iterations)


def test_hat_step_is_stable_from_a_wide_start():
    """The GD step follows the largest curvature of the start: from scale 3 plain GD at the
    minimum's step 1/(8 + 4 lam) diverges, the race's step does not."""
    p = rc.race_problem("hat", T=16, lam=1.0, scale=3.0, rng=0)
    naive = gc.Run(p.model, p.Z0, "gd", lr=1.0 / 12.0)
    naive.advance(500)
    assert naive.diverged
    run = gc.Run(p.model, p.Z0, "gd", **p.base["gd"])
    run.advance(500)
    assert not run.diverged and run.loss[-1] < run.loss[0]


def test_embedding_points_and_bad_input():
    p = rc.race_problem("replica", T=6, rng=0)
    x, y, t = rc.embedding_points(p, p.Z0, vectors=4)
    assert x.shape == y.shape == t.shape == (6 * 4,)
    with pytest.raises(ValueError, match="model"):
        rc.race_problem("nope")
    with pytest.raises(ValueError, match="ring"):
        rc.race_problem("replica", ring=True)
    with pytest.raises(ValueError, match="racers"):
        rc.race_runs(p, ())


@pytest.mark.parametrize("model", rc.REAL)
def test_real_data_race_at_live_size(model):
    """Chapter 09's live race: T comes from the data, every entrant starts from the same Z0, and
    tuned momentum is stable on it."""
    p = rc.race_problem(model, T=8, lam=5.0, rng=1)
    assert p.model.T == {"sotu": 24, "movielens": 22}[model] and p.minimum is None
    runs, left_out = rc.race_runs(p, (p.baseline, "momentum", "gauge"), inner=p.baseline, k1=20,
                                  steps=40)
    assert not left_out
    for run in runs.values():
        run.advance(40)
        assert not run.diverged and run.loss[-1] < run.loss[0]
    assert len({round(float(r.loss[0]), 6) for k, r in runs.items()}) == 1


def test_extremes_near_a_minimum_skip_negative_curvature():
    m = gc.MexicanHatChain(4, 1.0, d=2, N=1)
    Z = m.random_init(5, scale=0.3)  # inside the ring: negative curvature along the vectors
    h = np.linalg.eigvalsh(gc.fd_hessian(m, Z))
    assert h.min() < 0
    with pytest.raises(ValueError, match="negative"):
        gc.hessian_extremes(m, Z)
    h_min, h_max = gc.hessian_extremes(m, Z, near_minimum=True)
    assert h_max == pytest.approx(np.abs(h).max(), rel=1e-6)
    assert h_min == pytest.approx(h[h > 1e-8 * np.abs(h).max()].min(), rel=1e-6)
