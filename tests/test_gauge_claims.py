"""The quantitative claims of chapters 05 and 06, checked on the library directly.

- gauge invariance of L' (P2 Eq. 5) under Z~_t = exp(-Gamma~_t) exp(Gamma_t) Z_t;
- gauge fixing (first / last / mean reference) changes only a global rotation of
  the exact gauge step's result, never its loss [1e-12 relative];
- P2 Eq. 6 as printed errs by O(eps^2) for d >= 3, by O(eps^3) for d = 2 and with the commutator;
- P1's gauge phases never undershoot the exact gauge step, and each of P1's
  natural-gradient steps shrinks the d = 2 slowest twist by exactly 1 - 4 s / T (P1 Eq. 16-17).
"""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc
from gauge_core.experiments import p1_data

REFS = ("first", "last", "mean")


def _p1_model(seed=0, T=12):
    """P1 §5.1's data (noise variance 9e-4) at T steps, d = 3, lam = 10."""
    return gc.DynamicFactorization(p1_data(seed, noise_var=9e-4), 3, 10.0, T=T)


def test_gauge_transformation_keeps_Lprime(rng):
    model = _p1_model()
    Z = model.random_init(rng)
    G, Gn = (gc.random_skew(3, rng, scale=0.8, size=model.T) for _ in range(2))
    Zn = gc.gauge_transform(Z, G, Gn)
    before, after = gc.gauge_invariant_loss(model, Z, G), gc.gauge_invariant_loss(model, Zn, Gn)
    assert after == pytest.approx(before, rel=1e-12)
    assert np.abs(Zn - Z).max() > 0.1                       # the embeddings did move
    assert abs(model.loss(Zn) - model.loss(Z)) > 1e-6 * model.loss(Z)  # and so did the plain loss


def test_procrustes_accepts_a_single_matrix(rng):
    """Regression: _procrustes failed on an unbatched (d, d) input with group 'SO' (scalar det)."""
    B = rng.standard_normal((3, 3))
    U = gc.procrustes(B, "SO")
    np.testing.assert_allclose(U, gc.procrustes(B[None], "SO")[0], atol=1e-14)
    assert np.linalg.det(U) == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["hat", "dense"])
@pytest.mark.parametrize("group", ["SO", "O"])
def test_gauge_fixing_changes_orientation_never_loss(name, group, rng):
    if name == "hat":
        model = gc.MexicanHatChain(10, 1.0, d=3, N=4)
    else:
        model = _p1_model()
    Z = gc.optimize(model, model.random_init(rng), "gd", 50, lr=0.01).Z
    res = {r: gc.exact_gauge_step(Z, group=group, reference=r) for r in REFS}
    losses = np.array([model.loss(res[r][0]) for r in REFS])
    assert np.ptp(losses) <= 1e-12 * losses.max()
    assert losses.max() <= model.loss(Z) * (1 + 1e-12)
    for r in ("last", "mean"):
        G = np.matmul(res[r][1], np.swapaxes(res["first"][1], 1, 2))  # G_t = R_t(r) R_t(first)^T
        np.testing.assert_allclose(G, np.broadcast_to(G[0], G.shape), atol=1e-10)
        np.testing.assert_allclose(res[r][0], np.matmul(G[0], res["first"][0]), atol=1e-10)
    # the mean frame: (1/T) sum_t R_t is as close to the identity as a global rotation allows
    Rm = res["mean"][1]
    assert np.trace(Rm.sum(axis=0)) >= np.trace(res["first"][1].sum(axis=0)) - 1e-9


@pytest.mark.parametrize("d", [2, 3, 4])
def test_eq6_error_scaling(d):
    """Halving eps divides the error of printed Eq. 6 by ~4 for d >= 3 (by ~8 for d = 2), and the
    commutator-corrected form by ~8 in every d."""
    rng = np.random.default_rng(d)
    T, lam = 6, 1.3
    coupling = gc.Coupling(T, lam)
    Z = rng.standard_normal((T, d, 5))
    G = gc.random_skew(d, rng, size=T)
    G /= np.linalg.norm(G)
    eps = np.array([1e-3, 2e-3, 4e-3, 8e-3, 1.6e-2, 3.2e-2])
    err = {c: np.array([abs(gc.p2_objective(e * G, Z, coupling, commutator=c)
                            - gc.exact_change(e * G, Z, coupling)) for e in eps])
           for c in (False, True)}
    slope = {c: np.polyfit(np.log(eps), np.log(err[c]), 1)[0] for c in err}
    assert slope[True] == pytest.approx(3.0, abs=0.1)
    assert slope[False] == pytest.approx(3.0 if d == 2 else 2.0, abs=0.1)


def test_p1_phases_never_beat_the_exact_step(rng):
    model = _p1_model(T=16)
    Z = gc.optimize(model, model.random_init(rng), "gd", 100, lr=0.01).Z
    psi_exact = model.coupling_loss(gc.exact_gauge_step(Z)[0])
    Lplus = np.linalg.pinv(model.coupling.laplacian, hermitian=True)
    raw = np.zeros((model.T, 3, 3))
    Zp = Z
    for _ in range(25):
        Zp = gc.goldstone_phase(Zp, raw, model.coupling, Lplus, 10, 1.0, "exp", False)
        assert model.coupling_loss(Zp) >= psi_exact * (1 - 1e-9)
    assert model.coupling_loss(Zp) == pytest.approx(psi_exact, rel=1e-6)
    assert model.local_loss(Zp) == pytest.approx(model.local_loss(Z), rel=1e-10)


@pytest.mark.parametrize("T", [8, 32, 128])
@pytest.mark.parametrize("s", [0.25, 1.0])
def test_natural_gradient_step_factor(T, s):
    """One L^+-preconditioned step with rho' = s d / sum|z|^2 shrinks the slowest d = 2 twist by
    1 - 4 s / T: a flat spectrum crossed in steps of size 1/T (chapter 06)."""
    model = gc.MexicanHatChain(T, 1.0)
    Z = gc.twist_mode(T, 1, amplitude=1e-3)
    Lplus = np.linalg.pinv(model.coupling.laplacian, hermitian=True)
    Z1 = gc.goldstone_phase(Z, np.zeros((T, 2, 2)), model.coupling, Lplus, 1, s, "exp", False)
    ratio = gc.twist_amplitudes(Z1)[1] / gc.twist_amplitudes(Z)[1]
    assert ratio == pytest.approx(1 - 4 * s / T, abs=1e-6)
