"""The three model families (P1 §3.2 and the Mexican-hat chain): losses, gradients and initialisation."""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc

MODELS = ["hat", "dense", "sparse"]
TOPOLOGIES = [
    pytest.param(dict(), id="chain"),
    pytest.param(dict(weighted=True), id="weighted"),
    pytest.param(dict(ring=True), id="ring"),
    pytest.param(dict(ring=True, weighted=True), id="weighted-ring"),
]


def _build(model_factory, name, topo, d=3, T=5, seed=0):
    topo = dict(topo)
    kw = {}
    if topo.pop("weighted", False):
        ring = topo.get("ring", False)
        kw["weights"] = np.random.default_rng(seed + 7).uniform(0.5, 2.0, T if ring else T - 1)
    kw.update(topo)
    return model_factory(name, d=d, T=T, seed=seed, **kw)


@pytest.mark.parametrize("topo", TOPOLOGIES)
@pytest.mark.parametrize("name", MODELS)
def test_gradient_matches_central_finite_differences(name, topo, model_factory, fd_gradient, rng):
    """P1 Eqs. 1-3: the analytic gradient of L = sum_t l(X_t; Z_t) + psi(Z) matches central
    finite differences (relative 1e-7) for every model, chain, ring and weighted edges."""
    model = _build(model_factory, name, topo)
    Z = model.random_init(rng)
    g = model.grad(Z)
    fd = fd_gradient(model.loss, Z)
    assert np.abs(g - fd).max() <= 1e-7 * np.abs(g).max()


@pytest.mark.parametrize("name", MODELS)
def test_loss_is_local_plus_coupling_and_evaluate_agrees(name, model_factory, rng):
    """P1 Eq. 1: L(Z) = sum_t l(X_t; Z_t) + psi(Z); evaluate() returns the same numbers as the
    validated methods."""
    model = model_factory(name, d=3)
    Z = model.random_init(rng)
    local, coup = model.local_loss(Z), model.coupling_loss(Z)
    assert model.loss(Z) == pytest.approx(local + coup, rel=1e-14)
    assert coup == pytest.approx(model.coupling.value(Z), rel=1e-14)
    e_local, e_coup, e_grad = model.evaluate(Z)
    assert e_local == pytest.approx(local, rel=1e-14)
    assert e_coup == pytest.approx(coup, rel=1e-14)
    np.testing.assert_allclose(e_grad, model.grad(Z), rtol=1e-14, atol=0)


@pytest.mark.parametrize("name", MODELS)
def test_loss_and_grad_do_not_modify_input(name, model_factory, rng):
    """library functions never modify their inputs."""
    model = model_factory(name, d=2)
    Z = model.random_init(rng)
    before = Z.copy()
    model.loss(Z), model.grad(Z), model.local_loss(Z), model.evaluate(Z)
    np.testing.assert_array_equal(Z, before)


def test_mexican_hat_local_loss_formula(rng):
    """The Mexican hat: l(Z_t) = sum_i (||z_{t,i}||^2 - radius^2)^2."""
    model = gc.MexicanHatChain(4, 1.0, d=3, N=2, radius=1.3)
    Z = rng.standard_normal(model.shape)
    expected = np.sum((np.sum(Z ** 2, axis=1) - 1.3 ** 2) ** 2)
    assert model.local_loss(Z) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("radius", [0.5, 1.0, 2.0])
def test_mexican_hat_minimum_is_zero_on_aligned_ring(radius):
    """the minimum 0 is attained on the ring |z| = radius, identical across time."""
    model = gc.MexicanHatChain(6, 2.0, d=2, N=3, radius=radius)
    Z = gc.twist_mode(6, 1, 0.0, N=3, radius=radius)
    assert model.minimum_loss == 0.0
    assert model.loss(Z) == pytest.approx(0.0, abs=1e-24)
    np.testing.assert_allclose(model.grad(Z), 0.0, atol=1e-13)
    # any point off the ring or any twist costs loss
    assert model.loss(1.01 * Z) > 0
    assert model.loss(gc.twist_mode(6, 1, 0.1, N=3, radius=radius)) > 0


def test_dense_factorization_local_loss_formula(rng):
    """P1 §3.2 model 1 (Eqs. 4-5): l = 1/2 ||X_t - U_t^T V_t||_F^2 with Z_t = (U_t, V_t)."""
    X = rng.standard_normal((3, 4, 5))
    model = gc.DynamicFactorization(X, 2, 0.5)
    assert model.shape == (3, 2, 9) and (model.m, model.n) == (4, 5)
    Z = model.random_init(rng)
    U, V = model.split(Z)
    assert U.shape == (3, 2, 4) and V.shape == (3, 2, 5)
    recon = np.stack([U[t].T @ V[t] for t in range(3)])
    np.testing.assert_allclose(model.reconstruction(Z), recon, rtol=1e-13)
    assert model.local_loss(Z) == pytest.approx(0.5 * np.sum((X - recon) ** 2), rel=1e-13)


def test_dense_factorization_2d_data_repeats_at_every_step(rng):
    """P1 §5.1: the same X at every t; a 2-D X equals the explicitly repeated 3-D data."""
    X = rng.standard_normal((4, 5))
    m2 = gc.DynamicFactorization(X, 3, 1.5, T=6)
    m3 = gc.DynamicFactorization(np.repeat(X[None], 6, axis=0), 3, 1.5)
    Z = m2.random_init(rng)
    assert m2.loss(Z) == pytest.approx(m3.loss(Z), rel=1e-14)
    np.testing.assert_allclose(m2.grad(Z), m3.grad(Z), rtol=1e-14)


def test_dense_factorization_exact_rank_d_data_has_zero_loss(rng):
    """P1 §5.1: an exact rank-d factorisation repeated over time is a global minimum (L = 0)."""
    Ub, Vb = rng.standard_normal((3, 4)), rng.standard_normal((3, 5))
    model = gc.DynamicFactorization(Ub.T @ Vb, 3, 10.0, T=5)
    Z = np.repeat(np.concatenate([Ub, Vb], axis=1)[None], 5, axis=0)
    assert model.loss(Z) == pytest.approx(0.0, abs=1e-20)
    np.testing.assert_allclose(model.grad(Z), 0.0, atol=1e-12)


def test_sparse_logistic_local_loss_formula(sparse_model_factory, rng):
    """P1 §3.2 model 2 (Eqs. 8-9): l = -sum log sigma(x u^T v) + gamma/2 ||Z_t||^2."""
    model = sparse_model_factory(d=3, gamma=0.7)
    Z = model.random_init(rng)
    U = Z[:, :, : model.n_users]
    V = Z[:, :, model.n_users:]
    s = np.array([U[t, :, i] @ V[t, :, j] for t, i, j in zip(model.t, model.users, model.items)])
    expected = np.sum(np.log1p(np.exp(-model.values * s))) + 0.35 * np.sum(Z ** 2)
    assert model.local_loss(Z) == pytest.approx(expected, rel=1e-12)


def test_sparse_logistic_scores_are_u_dot_v(sparse_model_factory, rng):
    """P1 Eq. 8: scores(Z) returns u_{t,i}^T v_{t,j} for each (training or given) rating."""
    model = sparse_model_factory(d=3)
    Z = model.random_init(rng)
    U, V = Z[:, :, : model.n_users], Z[:, :, model.n_users:]
    s = np.array([U[t, :, i] @ V[t, :, j] for t, i, j in zip(model.t, model.users, model.items)])
    out = model.scores(Z)
    assert isinstance(out, np.ndarray) and out.shape == s.shape
    np.testing.assert_allclose(out, s, rtol=1e-12)
    sub = model.scores(Z, model.t[:5], model.users[:5], model.items[:5])
    np.testing.assert_allclose(sub, s[:5], rtol=1e-12)


def test_sparse_logistic_log_likelihood(sparse_model_factory, rng):
    """P1 §5.2: the test metric is the mean log sigma(x u^T v) per rating."""
    model = sparse_model_factory(d=2)
    Z = model.random_init(rng)
    t, u, i, x = model.t[:7], model.users[:7], model.items[:7], model.values[:7]
    U, V = Z[:, :, : model.n_users], Z[:, :, model.n_users:]
    s = np.array([U[a, :, b] @ V[a, :, c] for a, b, c in zip(t, u, i)])
    expected = np.mean(-np.log1p(np.exp(-x * s)))
    assert model.log_likelihood(Z, t, u, i, x) == pytest.approx(expected, rel=1e-12)


def test_sparse_logistic_is_stable_for_large_scores(sparse_model_factory):
    """P1 Eq. 8: log sigma must not overflow for large |u^T v| (the loss stays finite)."""
    model = sparse_model_factory(d=2, gamma=0.0, lam=0.0)
    Z = 1e3 * np.ones(model.shape)
    assert np.isfinite(model.loss(Z)) and np.all(np.isfinite(model.grad(Z)))


@pytest.mark.parametrize("name", MODELS)
def test_random_init_kinds_and_reproducibility(name, model_factory):
    """Random per step (SSB) versus aligned cold start; seeded."""
    model = model_factory(name, d=2)
    Z1 = model.random_init(np.random.default_rng(3))
    Z2 = model.random_init(3)
    np.testing.assert_array_equal(Z1, Z2)
    assert Z1.shape == model.shape
    assert model.coupling_loss(Z1) > 0  # every step breaks the symmetry its own way
    Za = model.random_init(4, kind="aligned", scale=0.3)
    assert model.coupling_loss(Za) == 0.0
    np.testing.assert_array_equal(Za[0], Za[-1])
    Zs = model.random_init(5, scale=0.01)
    assert np.abs(Zs).max() < 0.1
