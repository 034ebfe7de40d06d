"""The coupling psi and its Laplacian: P1 Eqs. 6-7, P2 §2.2 and Fig. 1b (the Goldstone dispersion)."""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc


def test_chain_laplacian_is_p1_eq7_tridiagonal():
    """P1 Eq. 7: L = lam * tridiag(-1, [1, 2, ..., 2, 1], -1) on a free chain."""
    lam = 2.5
    expected = lam * np.array([[1, -1, 0, 0, 0],
                               [-1, 2, -1, 0, 0],
                               [0, -1, 2, -1, 0],
                               [0, 0, -1, 2, -1],
                               [0, 0, 0, -1, 1]], dtype=float)
    np.testing.assert_array_equal(gc.chain_laplacian(5, lam), expected)


@pytest.mark.parametrize("T", [2, 3, 7, 30, 101])
@pytest.mark.parametrize("lam", [0.3, 1.0, 10.0])
def test_chain_laplacian_eigenvalues_equal_dispersion(T, lam):
    """P2 §2.2: the chain Laplacian's eigenvalues are h_nu = lam (2 - 2 cos(pi nu / T)) [1e-10]."""
    eig = np.linalg.eigvalsh(gc.chain_laplacian(T, lam))
    np.testing.assert_allclose(eig, gc.dispersion(T, lam), rtol=0, atol=1e-10 * lam * 4)


def test_dispersion_shape_and_limits():
    """P2 §2.2 / Fig. 1b: h_0 = 0 (global rotation), sorted, bounded by 4 lam, quadratic near 0."""
    T, lam = 40, 3.0
    h = gc.dispersion(T, lam)
    assert h.shape == (T,)
    assert h[0] == 0.0
    assert np.all(np.diff(h) > 0)
    assert h[-1] < 4 * lam
    q = np.pi * np.arange(T) / T
    np.testing.assert_allclose(h, lam * (2 - 2 * np.cos(q)), rtol=1e-14)


@pytest.mark.parametrize("T", [30, 50, 100, 1000])
@pytest.mark.parametrize("lam", [0.1, 1.0, 10.0])
def test_gap_closes_as_lam_pi2_over_T2(T, lam):
    """P1 §3.3 (de Abreu 2007): h_1 T^2 / (lam pi^2) is within 1 % of 1 for T >= 30."""
    h1 = gc.dispersion(T, lam)[1]
    assert abs(h1 * T ** 2 / (lam * np.pi ** 2) - 1) < 0.01


def test_gap_approximation_is_not_yet_good_at_small_T():
    """lam pi^2/T^2 is only the large-T form of h_1; at T = 8 it is off by > 1 %."""
    h1 = gc.dispersion(8, 1.0)[1]
    assert abs(h1 * 64 / np.pi ** 2 - 1) > 0.01


@pytest.mark.parametrize("ring", [False, True])
def test_weighted_laplacian_rows_sum_to_zero_and_symmetric(ring, rng):
    """P1 §3.2: L = D - A with D chosen so each row of L sums to 0; weighted edges keep this."""
    T, lam = 9, 1.7
    w = rng.uniform(0.2, 3.0, size=T if ring else T - 1)
    L = gc.chain_laplacian(T, lam, weights=w, ring=ring)
    np.testing.assert_allclose(L.sum(axis=1), 0.0, atol=1e-12)
    np.testing.assert_array_equal(L, L.T)
    # off-diagonal entries are exactly -lam * w_e on the edges and 0 elsewhere
    a, b = gc.edges(T, ring)
    expected_offdiag = np.zeros((T, T))
    expected_offdiag[a, b] = -lam * w
    expected_offdiag[b, a] = -lam * w
    off = L - np.diag(np.diag(L))
    np.testing.assert_allclose(off, expected_offdiag, atol=1e-15)
    # positive semi-definite with exactly one zero mode (connected graph)
    eig = np.linalg.eigvalsh(L)
    assert abs(eig[0]) < 1e-12 and eig[1] > 1e-6


@pytest.mark.parametrize("T", [3, 4, 10, 31])
def test_ring_spectrum(T):
    """Periodic chain: the ring Laplacian's spectrum is lam (2 - 2 cos(2 pi k / T))."""
    lam = 0.8
    eig = np.linalg.eigvalsh(gc.chain_laplacian(T, lam, ring=True))
    k = np.arange(T)
    expected = np.sort(lam * (2 - 2 * np.cos(2 * np.pi * k / T)))
    np.testing.assert_allclose(eig, expected, atol=1e-12)
    rows = gc.chain_laplacian(T, lam, ring=True).sum(axis=1)
    np.testing.assert_allclose(rows, 0.0, atol=1e-12)


def test_laplacian_with_zero_coupling_is_zero():
    """P1 Eq. 6: lam = 0 decouples the time steps entirely."""
    np.testing.assert_array_equal(gc.chain_laplacian(6, 0.0), np.zeros((6, 6)))


def test_edges_chain_and_ring():
    """P1 Eq. 6: nearest-neighbour edges (t, t+1); a ring adds (T-1, 0)."""
    a, b = gc.edges(4)
    np.testing.assert_array_equal(a, [0, 1, 2])
    np.testing.assert_array_equal(b, [1, 2, 3])
    a, b = gc.edges(4, ring=True)
    np.testing.assert_array_equal(a, [0, 1, 2, 3])
    np.testing.assert_array_equal(b, [1, 2, 3, 0])


@pytest.mark.parametrize("ring,weighted",
                         [(False, False), (False, True), (True, False), (True, True)])
def test_coupling_value_is_half_trace_ZtLZ(ring, weighted, rng):
    """P1 Eq. 2: psi(Z) = 1/2 Tr(Z^T L Z), and its gradient is L Z (Hessian L (x) I)."""
    T, d, N, lam = 7, 3, 4, 1.9
    w = rng.uniform(0.5, 2.0, size=T if ring else T - 1) if weighted else None
    c = gc.Coupling(T, lam, weights=w, ring=ring)
    Z = rng.standard_normal((T, d, N))
    L = gc.chain_laplacian(T, lam, weights=w, ring=ring)
    np.testing.assert_allclose(c.laplacian, L)
    expected = 0.5 * np.einsum("ts,tdn,sdn->", L, Z, Z)
    assert c.value(Z) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(c.grad(Z), np.einsum("ts,sdn->tdn", L, Z), atol=1e-12)


def test_coupling_value_explicit_sum(rng):
    """P2 §2.2: psi = lam/2 sum_{t=2}^T ||Z_t - Z_{t-1}||_F^2 on an unweighted chain."""
    T, lam = 6, 0.7
    Z = rng.standard_normal((T, 2, 3))
    c = gc.Coupling(T, lam)
    expected = lam / 2 * sum(np.sum((Z[t] - Z[t - 1]) ** 2) for t in range(1, T))
    assert c.value(Z) == pytest.approx(expected, rel=1e-13)
    np.testing.assert_allclose(c.differences(Z), Z[1:] - Z[:-1])


def test_ring_differences_include_closing_edge(rng):
    """On a ring the edge (T-1, 0) is coupled too."""
    Z = rng.standard_normal((5, 2, 2))
    c = gc.Coupling(5, 1.0, ring=True)
    D = c.differences(Z)
    assert D.shape == (5, 2, 2)
    np.testing.assert_allclose(D[-1], Z[0] - Z[-1])


def test_coupling_is_zero_for_identical_steps(rng):
    """P1 §3.2: psi vanishes iff all Z_t coincide (the aligned configuration)."""
    one = rng.standard_normal((3, 4))
    Z = np.repeat(one[None], 8, axis=0)
    c = gc.Coupling(8, 5.0, ring=True)
    assert c.value(Z) == 0.0
    np.testing.assert_array_equal(c.grad(Z), 0.0)
