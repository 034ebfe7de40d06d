"""gauge_core.higgs: the symmetry-subspace Hessian and its spectrum before and after L^+ (chapter 06).

Equations: P1 Eq. 7 (chain Laplacian), P1 Eq. 11 (coupling change under local rotations), P1 Eq. 16
(natural gradient with L^+), P2 §2.2 (gapless dispersion, condition number O(T^2)),
(GD decay factor 1 - lr h_nu per step).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import gauge_core as gc
from gauge_core import (condition_number, predicted_gd_iterations, preconditioned_spectrum,
                              so_basis, symmetry_hessian)


def _fd_hessian_of_rotations(Z, coupling, h=1e-4):
    """Central second differences of x -> psi(exp(Gamma(x)) Z) - psi(Z) (P1 Eq. 11, exact)."""
    T, d, _ = Z.shape
    G = so_basis(d)
    k = G.shape[0]
    n = T * k
    E = np.eye(n)

    def f(x):
        return gc.exact_change(np.einsum("tp,pij->tij", x.reshape(T, k), G), Z, coupling)

    H = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            H[i, j] = H[j, i] = (f(h * (E[i] + E[j])) - f(h * (E[i] - E[j]))
                                 - f(h * (E[j] - E[i])) + f(-h * (E[i] + E[j]))) / (4 * h * h)
    return H


def test_so_basis_generates_rotations_by_the_angle():
    G = so_basis(2)
    assert G.shape == (1, 2, 2)
    np.testing.assert_allclose(gc.expm_skew(0.3 * G[0]),
                               [[np.cos(0.3), -np.sin(0.3)], [np.sin(0.3), np.cos(0.3)]], atol=1e-14)
    G3 = so_basis(3)
    assert G3.shape == (3, 3, 3)
    np.testing.assert_allclose(G3 + np.swapaxes(G3, 1, 2), 0.0)
    # orthogonal basis, each of squared Frobenius norm 2
    np.testing.assert_allclose(np.einsum("pij,qij->pq", G3, G3), 2 * np.eye(3))


@pytest.mark.parametrize("d", [2, 3, 4])
@pytest.mark.parametrize("ring", [False, True])
def test_symmetry_hessian_matches_finite_differences_of_exact_rotation(d, ring, rng):
    """The analytic Hessian equals the curvature of the exact psi(exp(Gamma) Z) (P1 Eq. 11)."""
    T = 4
    coupling = gc.Coupling(T, 1.7, weights=rng.uniform(0.5, 2.0, T if ring else T - 1), ring=ring)
    Z = rng.standard_normal((T, d, 3))
    H = symmetry_hessian(Z, coupling)
    np.testing.assert_allclose(H, H.T)
    np.testing.assert_allclose(H, _fd_hessian_of_rotations(Z, coupling), atol=1e-5 * np.abs(H).max())


def test_d2_aligned_hessian_is_laplacian_times_norm(rng):
    """d = 2 at the aligned minimum: H = ||Z_0||_F^2 L (P1 §3.3, H(psi) = L ⊗ ...)."""
    T, lam = 12, 0.7
    Z0 = rng.standard_normal((2, 5))
    Z = np.repeat(Z0[None], T, axis=0)
    coupling = gc.Coupling(T, lam)
    H = symmetry_hessian(Z, coupling)
    np.testing.assert_allclose(H, np.sum(Z0 ** 2) * gc.chain_laplacian(T, lam), atol=1e-12)
    np.testing.assert_allclose(np.linalg.eigvalsh(H),
                               np.sum(Z0 ** 2) * gc.dispersion(T, lam), atol=1e-10)


def test_preconditioning_flattens_the_spectrum(rng):
    """(L^+ ⊗ I) H = P ⊗ K at the aligned minimum (P1 Eq. 16): k zeros, then eig(K), T - 1 times each."""
    T, lam, d = 10, 2.3, 3
    Z0 = rng.standard_normal((d, 4))
    Z = np.repeat(Z0[None], T, axis=0)
    coupling = gc.Coupling(T, lam)
    H = symmetry_hessian(Z, coupling)
    G = so_basis(d)
    K = -np.einsum("pij,qjl,li->pq", G, G, Z0 @ Z0.T)
    K = 0.5 * (K + K.T)
    np.testing.assert_allclose(H, np.kron(coupling.laplacian, K), atol=1e-10)
    ev = preconditioned_spectrum(H, coupling.laplacian)
    np.testing.assert_allclose(ev[:3], 0.0, atol=1e-10)
    expected = np.sort(np.repeat(np.linalg.eigvalsh(K), T - 1))
    np.testing.assert_allclose(ev[3:], expected, rtol=1e-9)


@pytest.mark.parametrize("T", [8, 32, 128])
def test_condition_number_t_squared_versus_one(T):
    """kappa(L) = h_{T-1}/h_1 ~ 4T^2/pi^2 (P2 §2.2); kappa(L^+ L) = 1, for any lam."""
    for lam in (0.1, 10.0):
        L = gc.chain_laplacian(T, lam)
        kappa = condition_number(np.linalg.eigvalsh(L))
        h = gc.dispersion(T, lam)
        assert kappa == pytest.approx(h[-1] / h[1], rel=1e-8)
        assert kappa == pytest.approx(4 * T ** 2 / np.pi ** 2, rel=0.05)
        Z = np.zeros((T, 2, 1))
        Z[:, 0, 0] = 1.0
        H = symmetry_hessian(Z, gc.Coupling(T, lam))
        assert condition_number(preconditioned_spectrum(H, L)) == pytest.approx(1.0, abs=1e-8)


def test_condition_number_flags_negative_and_rejects_zero():
    assert condition_number([0.0, 1.0, 4.0]) == 4.0
    assert condition_number([-1.0, 0.0, 2.0]) == math.inf
    with pytest.raises(ValueError, match="all zero"):
        condition_number([0.0, 0.0])


@pytest.mark.parametrize("T", [8, 16])
def test_predicted_gd_iterations_match_simulation(T):
    """GD from the slowest twist reaches a 1e-6 loss gap when (1 - lr h_1)^(2k) = 1e-6."""
    lam = 1.0
    lr = 1.0 / (8.0 + 4.0 * lam)
    model = gc.MexicanHatChain(T, lam)
    pred = predicted_gd_iterations(T, lam, lr, 1e-6)
    res = gc.optimize(model, gc.twist_mode(T, 1, amplitude=1.0), "gd", int(1.2 * pred), lr=lr)
    measured = gc.iterations_to_converge(res.loss, 0.0, 1e-6)
    assert measured == pytest.approx(pred, rel=0.02)


def test_predicted_gd_iterations_t_squared_and_validation():
    k = [predicted_gd_iterations(T, 1.0, 0.05) for T in (64, 128, 256)]
    slopes = np.diff(np.log(k)) / np.log(2.0)
    np.testing.assert_allclose(slopes, 2.0, atol=0.01)
    with pytest.raises(ValueError, match="lr"):
        predicted_gd_iterations(4, 1.0, 10.0)
    with pytest.raises(ValueError, match="tol"):
        predicted_gd_iterations(4, 1.0, 0.1, tol=0.0)
    with pytest.raises(TypeError, match="T"):
        predicted_gd_iterations(4.5, 1.0, 0.1)


def test_validation_names_the_parameter():
    with pytest.raises(TypeError, match="coupling"):
        symmetry_hessian(np.ones((3, 2, 1)), "chain")
    with pytest.raises(ValueError, match="Z"):
        symmetry_hessian(np.ones((4, 2, 1)), gc.Coupling(3, 1.0))
    with pytest.raises(ValueError, match="H"):
        preconditioned_spectrum(np.eye(5), gc.chain_laplacian(3, 1.0))
    with pytest.raises(ValueError, match="d"):
        so_basis(1)


# --- chapter 06's checks (gauge_core.experiments.higgs) ------------------------------------------
from gauge_core import experiments as ex  # noqa: E402


def test_aligned_hessian_is_the_laplacian_and_the_full_hessian_has_two_branches():
    err = ex.aligned_hessian_errors(16, 1.0)
    assert err["H_vs_L"] < 1e-12 and err["cloud"] < 1e-12 and err["full_vs_branches"] < 1e-5


def test_condition_table_before_and_after_preconditioning():
    table = ex.condition_table((8, 32), (0.1, 10.0))
    for (T, lam), (before, after) in table.items():
        assert before == pytest.approx(4 * T * T / np.pi ** 2, rel=0.2)
        assert after == pytest.approx(1.0, abs=1e-9)
    assert table[(32, 0.1)][0] == pytest.approx(table[(32, 10.0)][0], rel=1e-9)
    cloud = ex.condition_table((8, 64), (1.0,), d=3, N=5, rng=1)
    assert cloud[(64, 1.0)][0] > 30 * cloud[(8, 1.0)][0]
    assert cloud[(64, 1.0)][1] == pytest.approx(cloud[(8, 1.0)][1], rel=1e-8)


@pytest.mark.parametrize("T", [8, 32, 128])
def test_one_natural_gradient_step_shrinks_the_twist_by_one_minus_four_s_over_T(T):
    """P1 Eq. 17 on the d = 2 chain: rho' = s d / sum |z|^2 = 2s/T and L^+ L = P, so one step
    multiplies a small slowest twist by 1 - 2 rho' = 1 - 4s/T (measured through goldstone_phase)."""
    assert ex.natural_step_factor(T, 0.25) == pytest.approx(1 - 1 / T, abs=1e-6)
    assert ex.natural_step_factor(T, 0.5) == pytest.approx(1 - 2 / T, abs=1e-6)
    assert ex.one_step_scale(T) == pytest.approx(T / 4, rel=1e-6)


def test_gd_iterations_fall_like_one_over_lambda_at_fixed_eta_only():
    """At fixed eta the predicted iterations scale as 1/lam; at eta = 1/(8 + 4 lam), eta lam -> 1/4
    and they approach ln(1e6) / (-2 ln(1 - (1 - cos(pi/T)) / 2)), independent of lam."""
    T = 32
    fixed = ex.gd_iterations_against_lambda(T, [1.0, 10.0, 100.0], lr=0.01)
    np.testing.assert_allclose(fixed[0] / fixed[1:], [10.0, 100.0], rtol=0.01)
    limit = np.log(1e6) / (-2 * np.log(1 - (1 - np.cos(np.pi / T)) / 2))
    scaled = ex.gd_iterations_against_lambda(T, [1.0, 100.0, 1e4])
    assert scaled[0] > 2.9 * limit
    assert scaled[1] == pytest.approx(limit, rel=0.03)
    assert scaled[2] == pytest.approx(limit, rel=3e-4)


def test_convergence_runs_include_tuned_momentum():
    runs = ex.convergence_runs(1.0, methods=("momentum",))
    assert sorted(T for _, T in runs) == list(ex.HIGGS_SETTINGS["gauge_T"])
    r = runs[("momentum", 32)]
    r.run_to_end()
    tuned = gc.tuned_momentum(*gc.spectrum_bounds(gc.MexicanHatChain(32, 1.0)))
    assert r.run.lr == pytest.approx(tuned["lr"])
    assert r.converged_at is not None and r.converged_at < 0.1 * predicted_gd_iterations(
        32, 1.0, ex.stable_lr(1.0))
