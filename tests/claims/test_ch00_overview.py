"""Chapter 00's claims, recomputed from gauge_core: the gauge method's speed-up, the T² law of the
slowest twist, and what the coupling λ does to it at a fixed and at a stability-limited step size.

The closed forms (``gc.dispersion``, ``gc.untwist_theory``, ``gc.gd_stability_limit``) are checked
against eigenvalues of explicit matrices: the chain Laplacian and the finite-difference Hessian of
the Mexican-hat chain at its aligned minimum.
"""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc
from gauge_core.experiments import vacua


def hessian_spectrum(T, lam):
    """Eigenvalues of the fd Hessian of the Mexican-hat chain at an aligned minimum (z_t = e_1)."""
    model = gc.MexicanHatChain(T, lam, d=2, N=1)
    Z = np.zeros((T, 2, 1))
    Z[:, 0, 0] = 1.0
    return np.linalg.eigvalsh(gc.fd_hessian(model, Z))


def test_gauge_method_is_more_than_ten_times_faster_on_every_seed():
    """'What you just saw, in numbers': T = 32, λ = 1, η = 0.02, seeds 0–2."""
    s = vacua.gauge_speedups(T=32, lam=1.0, lr=0.02, seeds=(0, 1, 2), k1=10)
    assert np.all(s.ratios() > 10)
    assert np.all(s.gauge < 100) and np.all(s.gd > 1000)
    # the counts are first crossings of the loss curves of full runs
    model = gc.MexicanHatChain(32, 1.0)
    Z0 = model.random_init(np.random.default_rng(1))
    gauge = gc.optimize(model, Z0, "gauge", 200, lr=0.02, k1=10).loss
    assert s.gauge[1] == np.argmax(gauge <= 1e-6 * gauge[0])


@pytest.mark.parametrize("T", [16, 32, 64, 128])
def test_steps_per_efold_follow_the_smallest_laplacian_eigenvalue(T):
    """1/(η h_1) with h_1 the smallest non-zero eigenvalue of the explicit matrix λL; / T² it tends
    to 1/(π² η λ)."""
    lam, lr = 1.0, 0.02
    h1 = np.linalg.eigvalsh(gc.chain_laplacian(T, lam))[1]
    assert gc.untwist_theory(T, lam, lr) == pytest.approx(-1 / np.log(1 - lr * h1), rel=1e-9)
    assert gc.untwist_theory(T, lam, lr) / T**2 == pytest.approx(1 / (np.pi**2 * lr * lam),
                                                                rel=4 / T**2 + lr * h1)


def test_fixed_step_counts_scale_as_one_over_lambda_until_the_step_diverges():
    """At fixed η the count is ∝ 1/λ; η = 0.02 is past the stability limit 2/h_max for λ = 100,
    with h_max the largest eigenvalue of the fd Hessian."""
    T = 16
    table = vacua.efold_steps(T, [1.0, 10.0, 100.0], lr=0.02)
    fixed = table["steps at η = 0.02"]
    assert fixed[0] / fixed[1] == pytest.approx(10.0, rel=0.01)
    assert np.isinf(fixed[2])
    for lam in (1.0, 10.0, 100.0):
        limit = 2 / hessian_spectrum(T, lam)[-1]
        assert gc.gd_stability_limit(T, lam) == pytest.approx(limit, rel=1e-6)
    assert 0.02 > gc.gd_stability_limit(T, 100.0)


def test_at_the_largest_comfortable_step_lambda_drops_out():
    """With η = 1/h_max the count is the condition number h_max/h_1 of the Hessian (its smallest
    non-zero and largest eigenvalues), which tends to 4T²/π² as λ grows. (At T = 64 the twist is
    the softest mode up to λ ≈ 8 T²/π² ≈ 3300; beyond, the uniform radial mode, curvature 8, is.)"""
    T = 64
    table = vacua.efold_steps(T, [1.0, 100.0, 1000.0], lr=0.02)
    scaled = table["steps at η = 1/h_max"]
    for lam, steps in zip((1.0, 100.0, 1000.0), scaled):
        w = hessian_spectrum(T, lam)
        h1, hmax = w[w > 1e-6 * w[-1]][0], w[-1]  # skip the (fd-noisy) zero mode
        assert steps == pytest.approx(-1 / np.log(1 - h1 / hmax), rel=1e-5)
    assert scaled[2] == pytest.approx(4 * T**2 / np.pi**2, rel=0.02)
    assert scaled[0] > 2 * scaled[1]  # at small λ the coupling still helps
    assert scaled[1] / scaled[2] - 1 < 0.02


def test_exercise_answers():
    """Exercise 1: about 83,000 steps per e-fold at T = 128; exercise 2: doubling T divides h_1 by
    about 4."""
    h1 = np.linalg.eigvalsh(gc.chain_laplacian(128, 1.0))[1]
    assert 1 / (0.02 * h1) == pytest.approx(128**2 / (np.pi**2 * 0.02), rel=1e-3)
    ratio = gc.dispersion(128, 1.0)[1] / gc.dispersion(256, 1.0)[1]
    assert ratio == pytest.approx(4.0, rel=0.005)
