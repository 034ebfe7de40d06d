"""The experiments layer (gauge_core.experiments): the helpers every chapter, test and benchmark
shares, and the cheap claims of the limit grid (issue 11: the gauge-fixed start is within 2x of a
twist-free start)."""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc
from gauge_core import experiments as ex


def test_lru_cache_keeps_the_most_recently_used():
    calls = []
    cache = ex.LRUCache(2)

    def make(v):
        calls.append(v)
        return v

    assert cache.get_or("a", lambda: make(1)) == 1
    assert cache.get_or("b", lambda: make(2)) == 2
    assert cache.get_or("a", lambda: make(9)) == 1  # a hit, and "a" is now the most recent
    cache.put("c", 3)  # evicts "b", the least recently used
    assert "b" not in cache and "a" in cache and len(cache) == 2
    assert cache["a"] == 1 and calls == [1, 2]
    with pytest.raises(KeyError):
        cache["b"]
    with pytest.raises(ValueError, match="size"):
        ex.LRUCache(0)


def test_until_converged_stops_where_the_full_run_converges():
    model = gc.MexicanHatChain(12, 1.0)
    Z0 = gc.twist_mode(12, 1, 1.0)
    lr = ex.stable_lr(1.0)
    full = gc.optimize(model, Z0, "gd", 2000, lr=lr).loss
    expected = gc.iterations_to_converge(full, 0.0, 1e-6)
    runner = ex.UntilConverged("gd", lambda: gc.Run(model, Z0, "gd", lr=lr), 1e-6, 2000)
    assert runner.iteration == 0 and not runner.finished
    assert runner.run_to_end(chunk=37) == expected
    assert runner.finished and runner.run.iteration == expected
    assert ex.steps_to_converge(model, Z0, "gd", 0.0, 1e-6, 2000, lr=lr) == expected


def test_run_to_tolerance_counts_and_caps():
    model = gc.MexicanHatChain(8, 1.0)
    Z0 = model.random_init(7, scale=0.5)
    k, seconds, diverged = ex.run_to_tolerance(model, Z0, "gauge", 5000, lr=1 / 12, k1=50)
    full = gc.optimize(model, Z0, "gauge", 200, lr=1 / 12, k1=50).loss
    assert k == gc.iterations_to_converge(full, 0.0, 1e-6) and seconds >= 0 and not diverged
    assert ex.run_to_tolerance(model, Z0, "gd", 10, lr=1e-4)[0] is None


@pytest.mark.parametrize("d,p2", [(2, 3.0), (3, 2.0)])
def test_expansion_errors_slopes(d, p2):
    result = ex.expansion_errors(d, rng=0)
    eps, errors = result  # unpacks like the tuple it replaces
    slopes = result.slopes()
    assert slopes["p2"] == pytest.approx(p2, abs=0.1)
    assert slopes["p2c"] == pytest.approx(3.0, abs=0.1) and slopes["p1"] == pytest.approx(3.0, abs=0.1)
    assert ex.power_law_slope(eps, errors["p1"]) == slopes["p1"]


def test_higgs_spectra_scale_with_lambda_and_match_the_dispersion():
    base = ex.higgs_spectra(16, 1.0)
    np.testing.assert_allclose(base["sym"], gc.dispersion(16, 1.0), atol=1e-12)
    for lam in (0.1, 7.0):
        direct, scaled = ex.higgs_spectra(16, lam), ex.scaled_spectra(base, lam)
        for key in direct:
            np.testing.assert_allclose(scaled[key], direct[key], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("T,lam", [(8, 0.1), (32, 1.0), (32, 10.0)])
def test_gauge_fixed_start_is_within_twice_the_twist_free_start(T, lam):
    """Issue 11's goal on cheap cells of the limit grid (benchmarks/limit.py runs all of it):
    the exact gauge method with gauge_at_start needs at most twice the iterations of the same
    method from a start with no twist, while without the start step it waits k1 = 50 steps."""
    cell = ex.limit_cell(T, lam, methods=("aligned", "gauge_at_start", "gauge"))
    aligned, start, late = (cell[m][0] for m in ("aligned", "gauge_at_start", "gauge"))
    assert start <= 2 * aligned, cell
    assert late > 50 > start, cell


def test_p1_data_is_the_replica_recipe():
    """One recipe: p1_replica's data, p1_data and the domain-wall data of chapter 02 agree."""
    np.testing.assert_array_equal(ex.p1_replica(4).X, ex.p1_data(4))
    np.testing.assert_array_equal(ex.wall_data(m=6, n=5, d=2, rng=3),
                                  ex.p1_data(3, m=6, n=5, rank=2, noise_var=1e-3))
