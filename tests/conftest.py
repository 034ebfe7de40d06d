"""Shared fixtures for the gauge_core tests."""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc


@pytest.fixture
def rng():
    """A fresh, seeded ``numpy.random.Generator`` per test (tests stay independent and repeatable)."""
    return np.random.default_rng(20180303)


def _central_fd_gradient(f, x, h=1e-6):
    """Gradient of the scalar ``f`` at ``x`` by central finite differences, same shape as ``x``."""
    x = np.array(x, dtype=float, copy=True)
    g = np.zeros_like(x)
    xf, gf = x.reshape(-1), g.reshape(-1)
    for k in range(xf.size):
        orig = xf[k]
        xf[k] = orig + h
        fp = f(x)
        xf[k] = orig - h
        fm = f(x)
        xf[k] = orig
        gf[k] = (fp - fm) / (2.0 * h)
    return g


@pytest.fixture
def fd_gradient():
    """``fd_gradient(f, x, h=1e-6)``: central finite-difference gradient of a scalar function."""
    return _central_fd_gradient


def make_sparse_model(T=4, n_users=5, n_items=6, d=3, lam=2.0, gamma=0.5, seed=1, **kw):
    """A small :class:`gauge_core.SparseLogisticFactorization` on synthetic drifting ratings."""
    data = gc.drifting_ratings(T, n_users, n_items, d=2, ratings_per_step=30, rng=seed)
    return gc.SparseLogisticFactorization(*data.train.as_args(), T=T, n_users=n_users,
                                          n_items=n_items, d=d, lam=lam, gamma=gamma, **kw)


@pytest.fixture
def sparse_model_factory():
    """Factory for small sparse logistic models (P1 §3.2 model 2)."""
    return make_sparse_model


def make_model(name, d=2, T=6, lam=1.3, seed=0, **kw):
    """One of the three model families with small sizes: ``"hat"``, ``"dense"`` or ``"sparse"``."""
    rng = np.random.default_rng(seed)
    if name == "hat":
        return gc.MexicanHatChain(T, lam, d=d, N=kw.pop("N", 3), **kw)
    if name == "dense":
        return gc.DynamicFactorization(rng.standard_normal((T, 4, 5)), d, lam, **kw)
    if name == "sparse":
        return make_sparse_model(T=T, d=d, lam=lam, seed=seed, **kw)
    raise KeyError(name)


MODEL_NAMES = ("hat", "dense", "sparse")


@pytest.fixture
def model_factory():
    """``model_factory(name, d=2, T=6, lam=1.3, seed=0, **kw)`` for name in hat/dense/sparse."""
    return make_model


@pytest.fixture(autouse=True)
def _close_figures():
    """Panels keep their figures alive through pyplot; close them after every test."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
