"""Second-order expansions of the coupling in the gauge fields: P1 Eq. 14 and P2 Eq. 6, against the
exact change P1 Eq. 11; all three take ``(Gamma, Z, coupling)``."""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc

EPS = (1e-2, 5e-3, 2.5e-3)


def _coupling(kind, T=7, lam=1.3, seed=0):
    rng = np.random.default_rng(seed)
    if kind == "chain":
        return gc.Coupling(T, lam)
    if kind == "weighted":
        return gc.Coupling(T, lam, weights=rng.uniform(0.5, 2.0, T - 1))
    if kind == "ring":
        return gc.Coupling(T, lam, ring=True)
    if kind == "weighted-ring":
        return gc.Coupling(T, lam, weights=rng.uniform(0.5, 2.0, T), ring=True)
    raise KeyError(kind)


def _error_ratios(approx, coupling, d, rng, N=5):
    """Errors |exact - approx| at eps, eps/2, eps/4 along a fixed random direction, and their ratios."""
    Z = rng.standard_normal((coupling.T, d, N))
    G0 = gc.random_skew(d, rng, 1.0, size=coupling.T)
    errs = [abs(gc.exact_change(e * G0, Z, coupling) - approx(e * G0, Z)) for e in EPS]
    return np.array(errs[:-1]) / np.array(errs[1:]), errs, Z, G0


@pytest.mark.parametrize("kind", ["chain", "weighted", "ring", "weighted-ring"])
@pytest.mark.parametrize("d", [2, 3, 4])
def test_p1_eq14_error_is_third_order(d, kind, rng):
    """P1 Eq. 14: L''(Gamma; M) equals psi(exp(Gamma) Z) - psi(Z) up to O(eps^3): halving eps
    divides the error by ~8 (ratio in [6, 10]) in every d, on weighted chains and rings."""
    coupling = _coupling(kind)

    def p1(G, Z):
        return gc.p1_objective(G, Z, coupling)

    ratios, errs, Z, G0 = _error_ratios(p1, coupling, d, rng)
    assert np.all((ratios > 6) & (ratios < 10)), ratios
    # the expansion captures the change itself: the error is tiny compared with it
    assert errs[0] < 1e-3 * abs(gc.exact_change(EPS[0] * G0, Z, coupling))


def test_p2_eq6_is_third_order_for_d2(rng):
    """P2 Eq. 6: for d = 2 (SO(2) abelian) the printed expansion is exact to second order: error
    ratio ~8."""
    coupling = _coupling("chain")
    ratios, *_ = _error_ratios(lambda G, Z: gc.p2_objective(G, Z, coupling), coupling, 2, rng)
    assert np.all((ratios > 6) & (ratios < 10)), ratios


@pytest.mark.parametrize("d", [3, 4])
def test_p2_eq6_misses_commutator_for_d3(d, rng):
    """P2 Eq. 6 as printed misses +1/2 [Gamma_t, Gamma_{t-1}] (derived in docs/architecture.md by
    expanding exp(-Gamma_t) exp(Gamma_{t-1}) to second order): for d >= 3 its error is only
    O(eps^2) (ratio ~4, in [3, 5]); adding the commutator restores O(eps^3)."""
    coupling = _coupling("chain")
    ratios, *_ = _error_ratios(lambda G, Z: gc.p2_objective(G, Z, coupling), coupling, d, rng)
    assert np.all((ratios > 3) & (ratios < 5)), ratios
    ratios_c, *_ = _error_ratios(
        lambda G, Z: gc.p2_objective(G, Z, coupling, commutator=True), coupling, d, rng)
    assert np.all((ratios_c > 6) & (ratios_c < 10)), ratios_c


@pytest.mark.parametrize("d", [2, 3, 4])
def test_second_order_expansions_agree_as_polynomials(d, rng):
    """P1 Eq. 14 vs P2 Eq. 6: the second-order Taylor polynomial is unique, so on skew Gamma of any
    size P1 Eq. 14 equals P2 Eq. 6 plus the commutator exactly, and equals P2 Eq. 6 as printed
    only for d = 2."""
    coupling = _coupling("chain")
    Z = rng.standard_normal((coupling.T, d, 4))
    G = gc.random_skew(d, rng, 0.7, size=coupling.T)
    p1 = gc.p1_objective(G, Z, coupling)
    p2c = gc.p2_objective(G, Z, coupling, commutator=True)
    p2 = gc.p2_objective(G, Z, coupling)
    assert p1 == pytest.approx(p2c, rel=1e-12, abs=1e-12)
    if d == 2:
        assert p1 == pytest.approx(p2, rel=1e-12, abs=1e-12)
    else:
        assert abs(p1 - p2) > 1e-3 * abs(p1)


@pytest.mark.parametrize("kind", ["chain", "weighted", "ring"])
@pytest.mark.parametrize("general", [False, True])
def test_p1_gradient_matches_finite_differences(kind, general, fd_gradient, rng):
    """P1 Eq. 16 needs grad L'': the analytic gradient against central finite differences [1e-8].

    The public functions only accept skew-symmetric Gamma, so finite differences in single matrix
    entries go through the internal polynomial of Eq. 14, which is defined for any matrices: its
    gradient must be right also at a general (non-skew) point, or the chain rule to Gamma~ fails.
    """
    from gauge_core.expansions import _p1_value_and_grad

    coupling = _coupling(kind, T=6)
    Z = rng.standard_normal((6, 3, 4))
    M = gc.transport_matrices(Z, coupling)
    G = rng.standard_normal((6, 3, 3)) if general else gc.random_skew(3, rng, 0.5, size=6)
    g = _p1_value_and_grad(G, M, coupling)[1]
    fd = fd_gradient(lambda X: _p1_value_and_grad(X, M, coupling, need_grad=False)[0], G)
    assert np.abs(g - fd).max() <= 1e-8 * np.abs(g).max()
    if not general:
        np.testing.assert_array_equal(gc.p1_gradient(G, Z, coupling), g)


def test_gradient_wrt_unconstrained_gauge_fields(fd_gradient, rng):
    """P1 Eq. 13: with Gamma = Gamma~ - Gamma~^T the gradient with respect to Gamma~ is g - g^T."""
    coupling = _coupling("weighted", T=5)
    Z = rng.standard_normal((5, 3, 4))
    raw = rng.standard_normal((5, 3, 3)) * 0.3
    g = gc.p1_gradient(gc.skew(raw), Z, coupling)
    fd = fd_gradient(lambda X: gc.p1_objective(gc.skew(X), Z, coupling), raw)
    np.testing.assert_allclose(g - np.swapaxes(g, 1, 2), fd, atol=1e-8 * np.abs(g).max())


def test_transport_matrices_are_p1_eq15(rng):
    """P1 Eq. 15: M_{tt'} = sum_i z_{t,i} z_{t',i}^T = Z_t Z_{t'}^T for each coupled pair."""
    Z = rng.standard_normal((5, 3, 4))
    c = gc.Coupling(5, 1.0, ring=True)
    M = gc.transport_matrices(Z, c)
    assert M.shape == (5, 3, 3)
    for e, (a, b) in enumerate(zip(*gc.edges(5, ring=True))):
        np.testing.assert_allclose(M[e], Z[a] @ Z[b].T, atol=1e-14)


def test_exact_change_is_p1_eq11(rng):
    """P1 Eq. 11: L'(Z; R) = psi(R Z) - psi(Z); zero for a global rotation (P2 Eq. 3)."""
    c = _coupling("weighted", T=6)
    Z = rng.standard_normal((6, 3, 4))
    G = gc.random_skew(3, rng, size=6)
    expected = c.value(np.matmul(gc.expm_skew(G), Z)) - c.value(Z)
    assert gc.exact_change(G, Z, c) == pytest.approx(expected, rel=1e-13)
    same = np.broadcast_to(gc.random_skew(3, rng), (6, 3, 3))
    assert gc.exact_change(same, Z, c) == pytest.approx(0.0, abs=1e-11)


def test_p1_objective_is_zero_for_global_rotation_and_zero_fields(rng):
    """P1 Eq. 14 respects the exact global symmetry (P2 Eq. 3): Gamma_t = Gamma for all t gives 0."""
    c = _coupling("chain")
    Z = rng.standard_normal((c.T, 3, 4))
    assert gc.p1_objective(np.zeros((c.T, 3, 3)), Z, c) == 0.0
    G = np.broadcast_to(gc.random_skew(3, rng), (c.T, 3, 3))
    assert gc.p1_objective(G, Z, c) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("kind", ["weighted", "ring", "weighted-ring"])
def test_p2_eq6_refuses_couplings_it_does_not_describe(kind, rng):
    """P2 Eq. 6 is written for one coupling strength on the links (t-1, t) of a chain: a ring or
    edge weights are refused with a message that names the coupling (P1 Eq. 14 covers them)."""
    c = _coupling(kind)
    Z = rng.standard_normal((c.T, 2, 3))
    G = gc.random_skew(2, rng, 0.1, size=c.T)
    with pytest.raises(ValueError, match="coupling"):
        gc.p2_objective(G, Z, c)
    assert np.isfinite(gc.p1_objective(G, Z, c))


def test_the_three_expansions_share_one_signature(rng):
    """exact_change, p1_objective and p2_objective all take (Gamma, Z, coupling)."""
    c = _coupling("chain")
    Z = rng.standard_normal((c.T, 3, 2))
    G = gc.random_skew(3, rng, 1e-3, size=c.T)
    values = [gc.exact_change(G, Z, c), gc.p1_objective(G, Z, c),
              gc.p2_objective(G, Z, c, commutator=True)]
    np.testing.assert_allclose(values, values[0], rtol=1e-5)
