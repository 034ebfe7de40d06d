"""gauge_core.vacua: the Mexican hat's ring of minima, rotations vs reflections, domain walls."""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc
from gauge_core import (best_factorization, count_walls, domain_signs, domain_wall,
                              hat_hessian, hat_potential, link_signs, reflection, unit_generator)


@pytest.mark.parametrize("radius", [0.5, 1.0, 1.7])
def test_hat_potential_is_the_mexican_hat_chain_local_loss(radius, rng):
    """The Mexican hat l(z) = (|z|^2 - r^2)^2 summed over sites is MexicanHatChain.local_loss."""
    model = gc.MexicanHatChain(5, 1.0, d=3, N=2, radius=radius)
    Z = model.random_init(rng)
    pts = np.swapaxes(Z, 1, 2)  # (T, N, d)
    assert hat_potential(pts, radius).sum() == pytest.approx(model.local_loss(Z), rel=1e-13)
    assert hat_potential(pts, radius).shape == (5, 2)


@pytest.mark.parametrize("d", [2, 3, 4])
@pytest.mark.parametrize("radius", [0.7, 1.0, 1.5])
def test_hat_hessian_on_the_ring_radial_8r2_and_d_minus_1_flat(d, radius, rng):
    """P1 Fig. 1a / P2 Fig. 2: on the ring the Hessian is 8 z z^T, curvature 8 r^2 across the ring
    and 0 along the d-1 symmetry directions; it matches finite differences of the model."""
    z = rng.standard_normal(d)
    z *= radius / np.linalg.norm(z)
    H = hat_hessian(z, radius)
    w, V = np.linalg.eigh(H)
    np.testing.assert_allclose(w[:-1], 0.0, atol=1e-12)
    assert w[-1] == pytest.approx(8 * radius ** 2, rel=1e-12)
    assert abs(V[:, -1] @ z) / radius == pytest.approx(1.0, rel=1e-12)  # the curved one is radial
    model = gc.MexicanHatChain(2, 0.0, d=d, N=1, radius=radius)
    Z = np.stack([z[:, None], z[:, None]])
    fd = gc.fd_hessian(model, Z, eps=1e-5)[:d, :d]
    np.testing.assert_allclose(fd, H, atol=1e-6 * max(1.0, radius ** 2))


def test_hat_hessian_top_of_the_hat_is_a_maximum():
    """At the symmetric point z = 0 the Hessian is -4 r^2 I: the top of the hat is unstable."""
    np.testing.assert_allclose(hat_hessian(np.zeros(3), 1.5), -4 * 1.5 ** 2 * np.eye(3))


@pytest.mark.parametrize("d", [1, 2, 3, 5])
def test_reflection_is_orthogonal_with_determinant_minus_one(d):
    """reflections are in O(d) but not in SO(d)."""
    F = reflection(d)
    np.testing.assert_allclose(F.T @ F, np.eye(d))
    assert np.linalg.det(F) == pytest.approx(-1.0)
    assert reflection(d, 0)[0, 0] == -1.0


@pytest.mark.parametrize("d", [2, 3, 4])
def test_exp_of_skew_never_reaches_a_reflection(d, rng):
    """P1 Eq. 12 / P2 Eq. 4: det exp(Gamma) = exp(tr Gamma) = +1 for every skew Gamma, so the
    reflection (det -1) is not exp of any generator."""
    G = gc.random_skew(d, rng, scale=3.0, size=200)
    dets = np.linalg.det(gc.expm_skew(G))
    np.testing.assert_allclose(dets, 1.0, atol=1e-12)


@pytest.mark.parametrize("d", [2, 3, 5])
def test_unit_generator_rotates_by_exactly_theta(d, rng):
    """exp(theta G) is a rotation by theta in one plane (P2 Eq. 4 with Gamma = theta G)."""
    for G in (unit_generator(d), unit_generator(d, rng)):
        np.testing.assert_allclose(G, -G.T, atol=1e-15)
        for theta in (0.3, 1.0, 2.5):
            assert gc.rotation_angle(gc.expm_skew(theta * G)) == pytest.approx(theta, rel=1e-10)
    np.testing.assert_array_equal(unit_generator(2), [[0.0, -1.0], [1.0, 0.0]])


@pytest.mark.parametrize("d", [2, 3])
def test_best_factorization_minimises_every_local_loss(d, rng):
    """Eckart–Young: the balanced truncated SVD gives local loss 1/2 sum of the discarded sigma^2
    at every step, and U_t U_t^T = V_t V_t^T (balanced)."""
    X = rng.standard_normal((4, 6, 5))
    Z = best_factorization(X, d)
    model = gc.DynamicFactorization(X, d, 1.0)
    s = np.linalg.svd(X, compute_uv=False)
    assert model.local_loss(Z) == pytest.approx(0.5 * np.sum(s[:, d:] ** 2), rel=1e-12)
    U, V = model.split(Z)
    np.testing.assert_allclose(U @ np.swapaxes(U, 1, 2), V @ np.swapaxes(V, 1, 2), atol=1e-12)
    # the local gradient vanishes at the minimiser
    np.testing.assert_allclose(model.grad(Z) - model.coupling.grad(Z), 0.0, atol=1e-10)
    Z2 = best_factorization(X[0], d, T=3)
    assert Z2.shape == (3, d, 11)


def _aligned_optimum(d=2, T=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((d, 6)).T @ rng.standard_normal((d, 5))
    return best_factorization(X, d, T=T)


@pytest.mark.parametrize("d", [2, 3])
def test_domain_wall_keeps_local_loss_and_shows_in_link_signs(d, rng):
    """reflecting the steps t >= k leaves every local loss unchanged and puts exactly
    one det -1 link between k-1 and k; the signs survive any local SO(d) rotations."""
    Z = _aligned_optimum(d)
    model = gc.DynamicFactorization(np.zeros((6, 6, 5)), d, 1.0)
    for k in range(1, 6):
        W = domain_wall(Z, k)
        assert model.local_loss(W) == pytest.approx(model.local_loss(Z), abs=1e-12)
        expected = np.ones(5)
        expected[k - 1] = -1
        np.testing.assert_array_equal(link_signs(W), expected)
        assert count_walls(W) == 1
        np.testing.assert_array_equal(domain_signs(W), np.r_[np.ones(k), -np.ones(6 - k)])
        R = gc.random_rotation(d, rng, size=6)
        np.testing.assert_array_equal(link_signs(gc.apply_rotations(W, R)), expected)
    assert count_walls(Z) == 0
    assert count_walls(domain_wall(Z, 0)) == 0  # a global reflection is a symmetry, not a wall
    assert count_walls(domain_wall(Z, 6)) == 0


def test_exact_gauge_step_with_O_links_removes_the_wall_SO_cannot():
    """the exact gauge step with O(d) links repairs a reflection wall (coupling back
    to zero), with SO(d) links the wall stays."""
    Z = _aligned_optimum(2)
    W = domain_wall(Z, 3)
    model = gc.DynamicFactorization(np.zeros((6, 6, 5)), 2, 1.0)
    fixed_O, _ = gc.exact_gauge_step(W, group="O")
    fixed_SO, _ = gc.exact_gauge_step(W, group="SO")
    assert model.coupling_loss(fixed_O) < 1e-20
    assert model.coupling_loss(fixed_SO) > 0.1 * model.coupling_loss(W)
    assert count_walls(fixed_SO) == 1 and count_walls(fixed_O) == 0


def test_validation_names_the_parameter():
    with pytest.raises(ValueError, match="radius"):
        hat_potential([1.0, 0.0], radius=0.0)
    with pytest.raises(ValueError, match="point"):
        hat_hessian(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="axis"):
        reflection(2, axis=2)
    with pytest.raises(ValueError, match="d"):
        unit_generator(1)
    with pytest.raises(ValueError, match="T must be given"):
        best_factorization(np.ones((3, 3)), 1)
    with pytest.raises(ValueError, match="d must be <="):
        best_factorization(np.ones((2, 3, 3)), 4)
    with pytest.raises(ValueError, match="position"):
        domain_wall(np.ones((3, 2, 2)), 4)
    with pytest.raises(ValueError, match="at least 2"):
        link_signs(np.ones((1, 2, 2)))
    with pytest.raises(TypeError, match="rng"):
        unit_generator(3, rng="x")
