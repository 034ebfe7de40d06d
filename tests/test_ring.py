"""Tests of gauge_core.ring: the ring spectrum, winding number, flux, holonomy and the wound plateau.

Equations cited are those of the module docstrings (chapter 07 of the book) and of the papers:
the coupling on a ring is P1 Eq. 6 with the extra edge (T-1, 0); its Laplacian is P1 Eq. 7 closed.
"""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc
from gauge_core import (edge_gaps_to_weights, holonomy_angle, link_angles, ring_dispersion,
                             ring_flux, ring_links, winding_number, winding_plateau, wound_ring)


@pytest.mark.parametrize("T", [3, 8, 31])
def test_ring_dispersion_matches_ring_laplacian(T):
    """Eigenvalues of the ring Laplacian are lam (2 - 2 cos(2 pi k / T)) [1e-10]."""
    L = gc.chain_laplacian(T, 2.5, ring=True)
    np.testing.assert_allclose(np.linalg.eigvalsh(L), ring_dispersion(T, 2.5), atol=1e-10)


def test_ring_gap_is_chain_gap_at_half_length():
    """2 lam (1 - cos(2 pi/T)) on a ring of T equals the chain gap at T/2, ~4x the chain gap at T."""
    T = 40
    np.testing.assert_allclose(ring_dispersion(T, 1.0)[1], gc.dispersion(T // 2, 1.0)[1])
    assert ring_dispersion(T, 1.0)[1] / gc.dispersion(T, 1.0)[1] == pytest.approx(4.0, rel=0.01)


@pytest.mark.parametrize("w", [-3, 0, 1, 5])
@pytest.mark.parametrize("N", [1, 3])
def test_wound_ring_has_its_winding_and_trivial_holonomy(w, N):
    Z = wound_ring(24, w, N=N)
    assert Z.shape == (24, 2, N)
    assert winding_number(Z) == w
    assert ring_flux(Z) == pytest.approx(2 * np.pi * w, abs=1e-9)
    assert holonomy_angle(Z) == pytest.approx(0.0, abs=1e-7)


def test_ring_links_transport_each_step_onto_the_next():
    """The links of a rigidly wound ring map Z_{t-1} exactly onto Z_t (closing link last)."""
    Z = wound_ring(10, 2, N=2)
    U = ring_links(Z)
    np.testing.assert_allclose(np.matmul(U[:-1], Z[:-1]), Z[1:], atol=1e-12)
    np.testing.assert_allclose(U[-1] @ Z[-1], Z[0], atol=1e-12)
    np.testing.assert_allclose(link_angles(U), 2 * np.pi * 2 / 10)


def test_pure_gauge_links_have_identity_holonomy(rng):
    """link_variables of any local rotations telescope around the loop to the identity."""
    for d in (2, 3):
        R = gc.random_rotation(d, rng, size=12)
        P = gc.holonomy(gc.link_variables(R, ring=True))
        np.testing.assert_allclose(P, np.eye(d), atol=1e-12)


def frustrated_ring(T):
    """Vector 0 fixed, vector 1 turning once around the year: a genuine holonomy of pi."""
    th = 2 * np.pi * np.arange(T) / T
    Z = np.zeros((T, 2, 2))
    Z[:, 0, 0] = 1.0
    Z[:, 0, 1], Z[:, 1, 1] = np.cos(th), np.sin(th)
    return Z


def test_holonomy_angle_is_gauge_invariant_but_winding_is_not(rng):
    """Local rotations conjugate the holonomy (angle unchanged); finite ones may change w."""
    Z = frustrated_ring(16)
    assert holonomy_angle(Z) == pytest.approx(np.pi, abs=1e-9)
    for _ in range(5):
        R = gc.random_rotation(2, rng, size=16)
        assert holonomy_angle(gc.apply_rotations(Z, R)) == pytest.approx(np.pi, abs=1e-9)
    # a pure winding is removed by the rotations R_t = rot(-2 pi w t / T): w is not gauge invariant
    Zw = wound_ring(16, 3)
    th = -2 * np.pi * 3 * np.arange(16) / 16
    R = np.stack([np.stack([np.cos(th), -np.sin(th)], -1), np.stack([np.sin(th), np.cos(th)], -1)], 1)
    assert winding_number(gc.apply_rotations(Zw, R)) == 0


def test_holonomy_angle_works_in_three_dimensions(rng):
    Z = rng.standard_normal((9, 3, 5))
    R = gc.random_rotation(3, rng, size=9)
    assert holonomy_angle(gc.apply_rotations(Z, R)) == pytest.approx(holonomy_angle(Z), abs=1e-9)


@pytest.mark.parametrize("T,lam,w", [(32, 1.0, 1), (32, 1.0, 3), (20, 0.5, 2)])
def test_gd_relaxes_a_noisy_wound_ring_to_the_plateau(T, lam, w):
    """Module docstring: L_w = N T (lam c - (lam c)^2 / 4), r^2 = 1 - lam c / 2, c = 1 - cos(2 pi w/T)."""
    model = gc.MexicanHatChain(T, lam, N=2, ring=True)
    Z0 = wound_ring(T, w, N=2, noise=0.2, rng=1)
    res = gc.optimize(model, Z0, "gd", 4000, lr=0.05)
    loss, coupling, r2 = winding_plateau(T, lam, w, N=2)
    assert winding_number(res.Z) == w
    assert res.loss[-1] == pytest.approx(loss, rel=1e-8)
    assert model.coupling_loss(res.Z) == pytest.approx(coupling, rel=1e-4)
    np.testing.assert_allclose(np.sum(res.Z ** 2, axis=1), r2, rtol=1e-4)


def test_plateau_without_wound_state():
    """lam c >= 2: the wound state does not exist, the plateau is N T a^4 with r = 0."""
    loss, coupling, r2 = winding_plateau(8, 4.0, 2, radius=1.0, N=1)  # c = 1, lam c = 4
    assert (loss, coupling, r2) == (8.0, 0.0, 0.0)


def test_gaps_to_weights():
    np.testing.assert_allclose(edge_gaps_to_weights([1.0, 2.0, 4.0]), [1.0, 0.5, 0.25])
    with pytest.raises(ValueError, match="gaps"):
        edge_gaps_to_weights([1.0, 0.0])


def test_validation_names_the_parameter():
    with pytest.raises(ValueError, match="T"):
        ring_dispersion(2, 1.0)
    with pytest.raises(ValueError, match="d = 2"):
        ring_flux(np.zeros((5, 3, 2)))
    with pytest.raises(TypeError, match="w"):
        wound_ring(8, 1.5)
    with pytest.raises(ValueError, match="group"):
        ring_links(np.ones((5, 2, 2)), group="U")
    with pytest.raises(ValueError, match="U must hold"):
        link_angles(np.zeros((3, 3, 3)))
