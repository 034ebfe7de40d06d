"""Chapter 08's claims, regenerated from scratch and compared with the cache book/data/realistic.npz.

The experiment (widgets/realistic.py, CONFIG): sparse logistic dynamic factorisation (P1 §3.2 model
2, Eqs. 8–9) on synthetic drifting ratings, AdaGrad lr 1 (P1 §5.2's baseline), and the same AdaGrad
inside Goldstone-GD (P1 Algorithm 1, k1 = 100, k2 = 10) and inside the exact chain gauge step;
lambda = 10, gamma = 1; three seeds. This test reruns all of it (about 9 x 2000 iterations) and
asserts what the chapter reports:

* the cache is what the code produces now (curves to 1e-6 relative, floors to +-2 iterations);
* the coupling psi reaches its floor (within 1 % of the best final psi of the three runs, and stays
  there) at least K_GAUGE times sooner with the exact gauge step and at least K_GOLDSTONE times
  sooner with Goldstone-GD than with the AdaGrad baseline, on every seed (K measured and reported in
  the chapter; a baseline that never reaches the floor counts as reaching it at the last iteration);
* the total loss and the held-out log-likelihood are not worse with either gauge method (up to a
  small tolerance);
* embeddings are more comparable across time: higher median first-vs-last alignment, and more items
  find themselves among the 5 nearest first-step items of their last-step embedding.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

from widgets import realistic as R

# measured on the cached run (chapter 08 reports the smallest factor over the seeds: 3.79x for the
# exact step, 1.57x for Goldstone-GD; on the Goldstone part of psi alone 8.0x); asserted with a
# little slack for floating-point differences between machines
K_GAUGE = 3.5
K_GOLDSTONE = 1.5
K_TWIST = 7.0
LL_TOL = 1e-3          # nats per rating
LOSS_TOL = 1e-4        # relative


# the claims are asserted on the committed cache (fast) and on a fresh regeneration (slow: about
# 90 s of CPU time, 9 runs x 2000 iterations); `pytest -m "not slow"` skips the regeneration
SOURCES = ["cache", pytest.param("fresh", marks=pytest.mark.slow)]
_FRESH = {}


def _fresh():
    if "results" not in _FRESH:
        _FRESH["results"] = R.generate()
    return _FRESH["results"]


def _cached():
    if not os.path.exists(R.DATA_PATH):
        pytest.skip("no cache book/data/realistic.npz")
    return R.load()


@pytest.fixture(scope="module", params=SOURCES)
def results(request):
    """The results the claims are checked on: the committed cache or a fresh regeneration."""
    return _fresh() if request.param == "fresh" else _cached()


@pytest.mark.slow
def test_cache_matches_a_fresh_run():
    fresh, cached = _fresh(), _cached()
    assert R.config_of(cached) == R.config_of(fresh)
    for key, value in cached.items():
        if key.endswith(("_cpu", "_wall", "_gauge_time")):
            continue  # timings differ from machine to machine
        np.testing.assert_allclose(np.asarray(fresh[key], float), np.asarray(value, float),
                                   rtol=1e-6, atol=1e-9, err_msg=key)
    a, b = R.summarize(fresh), R.summarize(cached)
    for s in a:
        for m in R.METHOD_OPTIONS:
            x, y = a[s][m]["floor_at"], b[s][m]["floor_at"]
            assert (x is None) == (y is None) and (x is None or abs(x - y) <= 2), (s, m, x, y)


def _factor(row, method, steps):
    base = row["adagrad"]["floor_at"]
    base = steps if base is None else base
    other = row[method]["floor_at"]
    assert other is not None, f"{method} never reached the floor"
    return base / max(other, 1)


def test_psi_reaches_its_floor_sooner(results):
    rows = R.summarize(results)
    steps = R.CONFIG["steps"]
    assert len(rows) >= 3
    for s, row in rows.items():
        assert _factor(row, "gauge", steps) >= K_GAUGE, (s, row)
        assert _factor(row, "goldstone", steps) >= K_GOLDSTONE, (s, row)


def test_goldstone_part_of_psi_is_removed_much_sooner(results):
    """psi - psi(exact_gauge_step(psi)) drops below 1 % of the floor >= K_TWIST times sooner."""
    for s, row in R.summarize(results).items():
        base = row["adagrad"]["excess_below_tol_at"]
        base = R.CONFIG["steps"] if base is None else base
        assert base / row["gauge"]["excess_below_tol_at"] >= K_TWIST, (s, row)
        assert row["gauge"]["excess_below_tol_at"] < row["gauge"]["floor_at"]


def test_loss_and_heldout_likelihood_not_worse(results):
    for s, row in R.summarize(results).items():
        base = row["adagrad"]
        for m in ("gauge", "goldstone"):
            assert row[m]["final_loss"] <= base["final_loss"] * (1 + LOSS_TOL), (s, m)
            assert row[m]["test_ll"] >= base["test_ll"] - LL_TOL, (s, m)


def test_embeddings_comparable_across_time(results):
    for s, row in R.summarize(results).items():
        base = row["adagrad"]
        for m in ("gauge", "goldstone"):
            assert row[m]["median_alignment"] > base["median_alignment"], (s, m)
            # at iteration 400 (the exact step's floor) the baseline's neighbours are near chance
            assert row[m]["self_in_top_snap"] > base["self_in_top_snap"] + 0.3, (s, m)
        assert row["gauge"]["self_in_top"] > base["self_in_top"], s
        assert base["self_in_top_snap"] < 0.25 and row["gauge"]["self_in_top_snap"] >= 0.95, s


def test_gauge_overhead_is_small(results):
    """The gauge phases cost well under 5 % of the k1 inner steps they follow (P1 Table 1)."""
    for s in results["seeds"]:
        for m in ("gauge", "goldstone"):
            wall = float(results[f"seed{s}_{m}_wall"])
            gauge = float(results[f"seed{s}_{m}_gauge_time"])
            assert gauge / (wall - gauge) < 0.05, (s, m, gauge, wall)


# --- the same experiment at 1000 users + 1000 items (chapter 08, last section) -----------------
# book/data/realistic_large.npz holds R.compact(R.generate(R.LARGE_SEEDS, R.LARGE_CONFIG)): curves at
# ~340 iterations and the summarize() numbers (about 10 min of CPU per seed, so not regenerated in
# full here: the slow test reruns the first PREFIX iterations and compares them with the cache)
PREFIX = 200


def _large():
    if not os.path.exists(R.LARGE_PATH):
        pytest.skip("no cache book/data/realistic_large.npz")
    return R.load(R.LARGE_PATH)


def test_compact_keeps_the_summary():
    tiny = dict(T=6, n_users=8, n_items=9, d=3, ratings_per_step=120, steps=60, every=5, k1=10,
                snap=30)
    full = R.generate(seeds=(0,), config=tiny)
    small = R.compact(full)
    assert R.summarize_compact(small) == R.summarize(full)
    it = small["iterations"]
    assert it[0] == 0 and it[-1] == tiny["steps"] and np.all(np.diff(it) > 0)
    np.testing.assert_array_equal(small["seed0_gauge_psi"], full["seed0_gauge_psi"][it])


def test_large_cache_supports_the_chapter():
    """The numbers chapter 08's last section asserts, read from the cache (same bounds)."""
    res = _large()
    assert R.config_of(res) == R.LARGE_CONFIG
    assert os.path.getsize(R.LARGE_PATH) < 500_000
    assert res["iterations"].size <= 500
    rows = R.summarize_compact(res)
    _check_large_claims(rows, R.LARGE_CONFIG["steps"])


@pytest.mark.slow
def test_large_cache_prefix_matches_a_fresh_run():
    res = _large()
    seeds = tuple(int(s) for s in res["seeds"])[:1]
    fresh = R.generate(seeds, dict(R.LARGE_CONFIG, steps=PREFIX))
    it = res["iterations"]
    keep = it <= PREFIX
    n_excess = PREFIX // R.LARGE_CONFIG["every"] + 1
    for s in seeds:
        for m in R.METHOD_OPTIONS:
            for q in ("psi", "loss"):
                np.testing.assert_allclose(fresh[f"seed{s}_{m}_{q}"][it[keep]],
                                           res[f"seed{s}_{m}_{q}"][keep], rtol=1e-9,
                                           err_msg=f"seed {s} {m} {q}")
            np.testing.assert_allclose(fresh[f"seed{s}_{m}_excess"][:n_excess],
                                       res[f"seed{s}_{m}_excess"][:n_excess], rtol=1e-9,
                                       err_msg=f"seed {s} {m} excess")


def _check_large_claims(rows, steps):
    """The asserts of chapter 08's section 6 (keep in step with /tmp/nbsrc/nb08.py)."""
    chance = 5 / R.LARGE_CONFIG["n_items"]
    rows = list(rows.values())
    assert all(r[m]["floor_at"] is not None for r in rows for m in R.METHOD_OPTIONS)
    assert all(r["gauge"]["floor_at"] < r["goldstone"]["floor_at"] < r["adagrad"]["floor_at"]
               for r in rows)
    gauge = [_factor(r, "gauge", steps) for r in rows]
    goldstone = [_factor(r, "goldstone", steps) for r in rows]
    assert 3 < min(gauge) and max(gauge) < 10, gauge             # measured 3.52x and 7.00x
    assert 1.3 < min(goldstone) and max(goldstone) < 2.5, goldstone  # measured 1.50x and 1.62x
    twist = [r["adagrad"]["excess_below_tol_at"] / r["gauge"]["excess_below_tol_at"] for r in rows]
    assert 4 < min(twist) and max(twist) < 5, twist
    for r in rows:
        for m in ("goldstone", "gauge"):
            assert r[m]["final_loss"] < r["adagrad"]["final_loss"]
            assert 0 <= r[m]["test_ll"] - r["adagrad"]["test_ll"] < 5e-4
        assert r["adagrad"]["median_alignment_snap"] < 0.2 < 0.6 < r["gauge"]["median_alignment_snap"]
        assert r["adagrad"]["self_in_top_snap"] < 2.5 * chance < 20 * chance < r["gauge"]["self_in_top_snap"]
        assert (r["gauge"]["median_alignment"] - 0.05 < r["adagrad"]["median_alignment"]
                < r["gauge"]["median_alignment"])
