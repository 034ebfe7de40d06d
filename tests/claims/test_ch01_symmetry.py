"""Chapter 01's claims, recomputed from gauge_core: which transformations leave which part of the
loss unchanged (rotations, reflections, stretches), and the Mexican hat's curvatures.

Invariances are checked numerically on the models themselves (losses evaluated before and after);
the curvatures come from finite differences of the model's gradient, compared with 8 r² and 0.
"""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc
from gauge_core.experiments import fitted_start, symmetry_data, vacua


@pytest.fixture(scope="module")
def setup():
    X = symmetry_data(T=6, rng=0)
    return X, {d: (gc.DynamicFactorization(X, d, 1.0), fitted_start(X, d)) for d in (2, 3)}


@pytest.mark.parametrize("d", [2, 3])
def test_a_global_rotation_changes_nothing(setup, d):
    _, models = setup
    model, Z = models[d]
    c = vacua.loss_changes(model, Z, gc.apply_rotations(Z, gc.random_rotation(d, 1)))
    assert c.moved > 0.1 and abs(c.local) < 1e-12 and abs(c.coupling) < 1e-12


def test_rotating_steps_separately_moves_only_the_coupling(setup):
    _, models = setup
    model, Z = models[2]
    assert model.coupling_loss(Z) < 1
    for R in (vacua.one_step_rotations(6, 2, step=2, angle=np.radians(60)),
              gc.random_rotation(2, 3, size=6)):
        c = vacua.loss_changes(model, Z, gc.apply_rotations(Z, R))
        assert abs(c.local) < 1e-12 and c.coupling > 10


def test_reflections_are_a_symmetry_no_rotation_reaches(setup):
    _, models = setup
    model, Z = models[2]
    F = gc.reflection(2)
    R = np.repeat(np.eye(2)[None], 6, axis=0)
    R[2] = F
    assert abs(vacua.loss_changes(model, Z, gc.apply_rotations(Z, R)).local) < 1e-12
    every = vacua.loss_changes(model, Z, gc.apply_rotations(Z, F))
    assert abs(every.local) < 1e-12 and abs(every.coupling) < 1e-12
    assert vacua.exp_determinants(count=1000, rng=1) < 1e-12
    res = vacua.undo_reflection(Z[2], F)
    assert res["SO"] > np.linalg.norm(Z[2]) and res["O"] < 1e-12
    assert vacua.undo_reflection(np.array([[0.6], [0.8]]), F)["SO"] < 1e-12


@pytest.mark.parametrize("rng", [0, 1, 2])
def test_factorisation_is_GL_invariant_hat_regulariser_and_coupling_are_not(rng):
    """U -> A U, V -> A^-T V keeps U^T V for any invertible A: the factorisation's local loss does
    not change; the Mexican hat, a norm regulariser and the coupling do. An orthogonal R changes
    none of them."""
    rows, A = vacua.group_check(rng=rng)
    assert abs(np.linalg.det(A)) > 1e-3
    assert not np.allclose(A.T @ A, np.eye(2), atol=1e-2)  # not orthogonal
    assert all(r < 1e-12 for r, _ in rows.values())
    assert rows["factorisation, local loss"][1] < 1e-12
    for name in ("factorisation + norm regulariser", "Mexican hat, local loss",
                 "coupling ψ (global transformation)"):
        assert rows[name][1] > 1e-3, name


def test_GL_invariance_is_local_a_different_matrix_at_every_step(setup):
    """Each step's local loss only sees U_t^T V_t, so even a different invertible A_t at every step
    keeps the local loss (and every reconstruction)."""
    _, models = setup
    model, Z = models[3]
    rng = np.random.default_rng(5)
    W = np.stack([vacua.transform_factors(model, Z[t:t + 1], vacua.random_invertible(3, rng))[0]
                  for t in range(6)])
    np.testing.assert_allclose(model.reconstruction(W), model.reconstruction(Z), atol=1e-12)
    assert abs(model.local_loss(W) - model.local_loss(Z)) < 1e-12
    assert abs(model.coupling_loss(W) - model.coupling_loss(Z)) > 1e-2


def test_one_step_reflection_cannot_be_rotated_away_in_d2_but_costs_little_in_d3(setup):
    """Panel prompt 5: over every angle, the reflected step's coupling stays far above the rotated
    one's minimum in d = 2 (the rotated minimum is the aligned start, θ = 0); in d = 3 the
    reflection flips an axis rank-2 data hardly use."""
    X, models = setup
    angles = np.linspace(-180, 180, 73)
    low = {(d, r): vacua.symmetry_scan(X, d, angles, "one", step=2, reflect=r)["coupling"].min()
           for d in (2, 3) for r in (False, True)}
    assert low[2, False] == pytest.approx(models[2][0].coupling_loss(models[2][1]))
    assert low[2, True] > 10 * low[2, False]
    assert low[3, True] < 1.2 * low[3, False]


@pytest.mark.parametrize("radius", [0.5, 1.0, 1.5, 2.0])
def test_mexican_hat_curvatures(radius):
    """Finite differences of the model's gradient on the ring: 0 along the rotation, 8 r² across;
    -4 r² at the top; along the tangent line the loss is exactly s⁴ (|z + s t|² = r² + s²)."""
    hat = vacua.hat_curvatures(radius=radius, angle=0.7)
    assert abs(hat["curvatures"][0]) < 1e-6 * radius**2
    assert hat["curvatures"][1] == pytest.approx(8 * radius**2, rel=1e-6)
    assert hat["overlap"] == pytest.approx(1.0, abs=1e-8)
    assert np.allclose(hat["top"], -4 * radius**2)
    cut = vacua.hat_directions(np.array([0.3, -0.2]), radius)
    np.testing.assert_allclose(cut["along_tangent"], cut["s"] ** 4, atol=1e-12 * radius**4)
    assert np.abs(cut["along_ring"]).max() < 1e-12 * radius**4


def test_hat_sites_end_on_the_ring_where_they_started_pointing():
    P, lr = vacua.hat_site_paths(radius=1.0, n_sites=6, rng=0, steps=150)
    assert lr == 0.02
    assert np.abs(np.linalg.norm(P[-1], axis=1) - 1).max() < 1e-6
    turned = np.angle(np.exp(1j * (np.arctan2(P[-1, :, 1], P[-1, :, 0])
                                   - np.arctan2(P[0, :, 1], P[0, :, 0]))))
    assert np.abs(turned).max() < 1e-10


def test_exercise_answers(setup):
    """Exercise 2: d − 1 flat directions on the sphere in d = 4; exercise 3: rotating the last
    step by 90° changes only the last link, by λ/2 Δ‖Z_5 − Z_4‖²."""
    eig = np.linalg.eigvalsh(gc.hat_hessian(np.array([1.0, 0, 0, 0]), 1.0))
    assert np.sum(np.abs(eig) < 1e-9) == 3
    _, models = setup
    model, Z = models[2]
    turned = gc.apply_rotations(Z, vacua.one_step_rotations(6, 2, step=5, angle=np.pi / 2))
    Q = np.array([[0.0, -1.0], [1.0, 0.0]])
    by_hand = 0.5 * (np.sum((Q @ Z[5] - Z[4]) ** 2) - np.sum((Z[5] - Z[4]) ** 2))
    assert model.coupling_loss(turned) - model.coupling_loss(Z) == pytest.approx(by_hand)
