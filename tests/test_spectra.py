"""Goldstone modes, twists, the GD decay law and the Hessian at the minimum (P2 §2.2, Fig. 1b)."""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc


@pytest.mark.parametrize("T", [2, 5, 16, 33])
def test_goldstone_modes_are_orthonormal_eigenvectors_of_chain_laplacian(T):
    """P2 §2.2: cos(q_nu (t - 1/2)) (1-based t) are the eigenvectors of L with eigenvalues h_nu."""
    lam = 1.7
    V = gc.goldstone_modes(T)
    L = gc.chain_laplacian(T, lam)
    np.testing.assert_allclose(V.T @ V, np.eye(T), atol=1e-12)
    np.testing.assert_allclose(L @ V, V * gc.dispersion(T, lam)[None, :], atol=1e-12)
    t = np.arange(1, T + 1)
    nu = 1
    profile = np.cos(np.pi * nu * (t - 0.5) / T)
    np.testing.assert_allclose(V[:, nu], profile / np.linalg.norm(profile), atol=1e-14)
    np.testing.assert_allclose(V[:, 0], 1 / np.sqrt(T), atol=1e-14)  # the global rotation


def test_twist_mode_is_on_the_ring_of_minima():
    """A twist moves along the ring of minima; it costs no local loss, only coupling
    psi = lam r^2 sum_t (1 - cos(theta_t - theta_{t-1})) per vector (chord length)."""
    T, lam, a, r, N = 12, 0.9, 0.8, 1.5, 4
    model = gc.MexicanHatChain(T, lam, d=3, N=N, radius=r)
    Z = gc.twist_mode(T, 2, a, d=3, N=N, radius=r)
    assert Z.shape == (T, 3, N)
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), r, rtol=1e-14)
    np.testing.assert_array_equal(Z[:, 2], 0.0)
    assert model.local_loss(Z) == pytest.approx(0.0, abs=1e-24)
    theta = a * np.cos(np.pi * 2 * (np.arange(T) + 0.5) / T)
    expected = lam * r ** 2 * N * np.sum(1 - np.cos(np.diff(theta)))
    assert model.coupling_loss(Z) == pytest.approx(expected, rel=1e-12)


def test_mode_amplitudes_inverts_goldstone_modes(rng):
    """P2 §2.2: any profile theta_t decomposes into Goldstone modes, theta = V c."""
    T = 11
    c = rng.standard_normal(T)
    theta = gc.goldstone_modes(T) @ c
    np.testing.assert_allclose(gc.mode_amplitudes(theta), c, atol=1e-12)


@pytest.mark.parametrize("nu", [1, 2, 5])
def test_twist_amplitudes_of_twist_mode(nu):
    """twist_mode(nu, a) has amplitude a ||cos profile|| in mode nu, ~0 in all other
    modes except nu = 0 (the global offset of measuring against step 0)."""
    T, a = 14, 0.05
    amps = gc.twist_amplitudes(gc.twist_mode(T, nu, a, N=2))
    norm = np.linalg.norm(np.cos(np.pi * nu * (np.arange(T) + 0.5) / T))
    assert amps[nu] == pytest.approx(a * norm, rel=1e-12)
    others = np.delete(amps, [0, nu])
    np.testing.assert_allclose(others, 0.0, atol=1e-12)


def test_gd_decay_factor_is_the_spectrum_of_the_gd_iteration_matrix():
    """GD on the coupling's quadratic form theta^T L theta / 2 is the linear map
    theta <- (I - lr L) theta, with L built edge by edge (P1 Eq. 7): its eigenvalues, computed
    numerically, are the decay factors, and each Goldstone mode is an eigenvector of it."""
    for T, lam, lr in ((9, 2.0, 0.05), (16, 0.7, 0.3), (5, 10.0, 0.01)):
        step = np.eye(T) - lr * gc.chain_laplacian(T, lam)
        f = gc.gd_decay_factor(T, lam, lr)
        np.testing.assert_allclose(np.sort(f), np.linalg.eigvalsh(step), atol=1e-13)
        V = gc.goldstone_modes(T)
        np.testing.assert_allclose(step @ V, V * f[None, :], atol=1e-13)


def test_gd_decay_factor_matches_a_run_on_the_linear_iteration(rng):
    """Run the GD iteration itself on a random profile of the pure coupling and fit the factor per
    mode from consecutive steps: it is the predicted one (no formula shared with the library)."""
    T, lam, lr = 12, 1.5, 0.2
    L = gc.chain_laplacian(T, lam)
    theta = rng.standard_normal(T)
    path = [theta]
    for _ in range(30):
        theta = theta - lr * (L @ theta)  # the gradient of theta^T L theta / 2
        path.append(theta)
    c = np.array(path) @ gc.goldstone_modes(T)
    measured = (c[1:] * c[:-1]).sum(axis=0) / (c[:-1] ** 2).sum(axis=0)
    np.testing.assert_allclose(measured, gc.gd_decay_factor(T, lam, lr), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("T,lam,nu", [(8, 1.0, 1), (16, 1.0, 1), (24, 0.5, 2), (20, 10.0, 3),
                                      (40, 3.0, 1), (12, 1.0, 5)])
def test_gd_decay_rate_of_goldstone_twist_equals_dispersion(T, lam, nu):
    """Under GD with step lr the amplitude of twist mode nu of the Mexican-hat chain decays by
    1 - lr lam (2 - 2 cos(pi nu / T)) per step (the linear theory; measured to 1e-3 relative at
    amplitude 1e-3, the error being second order in the amplitude)."""
    lr = 1.0 / (8.0 + 4.0 * lam)
    k = 300
    res = gc.optimize(gc.MexicanHatChain(T, lam), gc.twist_mode(T, nu, 1e-3), "gd", k, lr=lr,
                      snapshots=[0, k])
    a0 = gc.twist_amplitudes(res.snapshots[0])[nu]
    a1 = gc.twist_amplitudes(res.snapshots[k])[nu]
    measured_rate = 1 - (a1 / a0) ** (1 / k)
    predicted_rate = lr * lam * (2 - 2 * np.cos(np.pi * nu / T))
    assert measured_rate == pytest.approx(predicted_rate, rel=1e-3)
    assert (a1 / a0) == pytest.approx(gc.gd_decay_factor(T, lam, lr)[nu] ** k, rel=1e-3)


def test_gd_decay_is_independent_of_radius():
    """The decay factor 1 - eta h_nu does not depend on the radius of the ring: the angular
    curvature of the coupling is lam r^2 (2 - 2 cos q) per vector, and so is the gradient's."""
    T, lam, nu, lr, k = 12, 1.0, 1, 0.01, 200
    rates = []
    for r in (0.5, 2.0):
        model = gc.MexicanHatChain(T, lam, radius=r)
        res = gc.optimize(model, gc.twist_mode(T, nu, 1e-3, radius=r), "gd", k, lr=lr,
                          snapshots=[0, k])
        a0, a1 = (gc.twist_amplitudes(res.snapshots[s])[nu] for s in (0, k))
        rates.append(1 - (a1 / a0) ** (1 / k))
    predicted = lr * gc.dispersion(T, lam)[nu]
    np.testing.assert_allclose(rates, predicted, rtol=1e-3)


@pytest.mark.parametrize("T,lam,radius", [(20, 1.0, 1.0), (12, 3.0, 1.5), (15, 0.2, 0.7)])
def test_hessian_at_aligned_minimum(T, lam, radius):
    """The Mexican-hat chain's Hessian: at the aligned minimum exactly one eigenvalue is ~0 (the
    global rotation), the next equals lam (2 - 2cos(pi/T)) [1e-3 relative], and the T radial modes
    are gapped: radial block = 8 r^2 I + L, so they lie in [8 r^2, 8 r^2 + 4 lam]. The whole
    spectrum is {h_nu} U {8 r^2 + h_nu}."""
    model = gc.MexicanHatChain(T, lam, d=2, N=1, radius=radius)
    Z = gc.twist_mode(T, 1, 0.0, radius=radius)
    H = gc.fd_hessian(model, Z)
    assert H.shape == (2 * T, 2 * T)
    np.testing.assert_array_equal(H, H.T)
    ev = np.linalg.eigvalsh(H)
    h = gc.dispersion(T, lam)
    assert np.sum(np.abs(ev) < 1e-6 * lam) == 1
    assert ev[1] == pytest.approx(h[1], rel=1e-3)
    gap = 8 * radius ** 2
    radial = ev[T:]
    assert radial.min() >= gap - 1e-6 and radial.max() <= gap + 4 * lam + 1e-6
    assert 4 * lam < gap and ev[T - 1] < 4 * lam + 1e-6  # the whole angular branch is below it
    expected = np.sort(np.concatenate([h, gap + h]))
    np.testing.assert_allclose(ev, expected, atol=1e-5)


def test_fd_hessian_matches_analytic_hessian(rng):
    """P1 §3.3: H = (local Hessian) + L (x) I; for the Mexican hat the local block per vector is
    8 z z^T + 4 (|z|^2 - r^2) I."""
    T, lam, d, N = 4, 1.3, 3, 2
    model = gc.MexicanHatChain(T, lam, d=d, N=N)
    Z = rng.standard_normal(model.shape)
    H = gc.fd_hessian(model, Z, eps=1e-4)
    # analytic Hessian in Z.ravel() order: index (t, k, i) -> t*d*N + k*N + i
    n = T * d * N
    Ha = np.zeros((n, n))
    L = gc.chain_laplacian(T, lam)
    idx = np.arange(n).reshape(T, d, N)
    for t in range(T):
        for i in range(N):
            z = Z[t, :, i]
            block = 8 * np.outer(z, z) + 4 * (z @ z - 1) * np.eye(d)
            Ha[np.ix_(idx[t, :, i], idx[t, :, i])] += block
    for t in range(T):
        for s in range(T):
            for k in range(d):
                for i in range(N):
                    Ha[idx[t, k, i], idx[s, k, i]] += L[t, s]
    np.testing.assert_allclose(H, Ha, atol=1e-6)


def test_hessian_in_rotation_subspace_is_laplacian():
    """P1 §3.3: restricted to local rotations (the symmetry subspace) the Hessian is L: the
    quadratic form of tangential displacements delta_t = phi_t J z equals phi^T L phi r^2."""
    T, lam = 10, 2.0
    model = gc.MexicanHatChain(T, lam, d=2, N=1)
    Z = gc.twist_mode(T, 1, 0.0)
    H = gc.fd_hessian(model, Z)
    J = np.array([[0.0, -1.0], [1.0, 0.0]])
    V = gc.goldstone_modes(T)
    for nu in (1, 4, 9):
        delta = (V[:, nu][:, None, None] * np.matmul(J, Z)).ravel()
        assert delta @ H @ delta == pytest.approx(gc.dispersion(T, lam)[nu], rel=1e-6)
