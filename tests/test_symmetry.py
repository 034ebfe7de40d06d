"""Symmetries of the loss (P1 §3.1-3.2, P2 Eqs. 3-5) and the rotation toolkit (P1 Eqs. 12-13)."""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc

MODELS = ["hat", "dense", "sparse"]


def _rodrigues(omega):
    """exp of the skew matrix [omega]_x in 3-D (Rodrigues' formula)."""
    theta = np.linalg.norm(omega)
    K = np.array([[0, -omega[2], omega[1]], [omega[2], 0, -omega[0]], [-omega[1], omega[0], 0]])
    K = K / theta
    return np.eye(3) + np.sin(theta) * K + (1 - np.cos(theta)) * K @ K


def _expm_taylor(A, squarings=20, terms=30):
    """Reference matrix exponential: scaling and squaring with a long Taylor series."""
    B = A / 2.0 ** squarings
    E, term = np.eye(A.shape[0]), np.eye(A.shape[0])
    for k in range(1, terms):
        term = term @ B / k
        E = E + term
    for _ in range(squarings):
        E = E @ E
    return E


# --- invariances of the loss ---------------------------------------------------------------------
@pytest.mark.parametrize("group", ["SO", "O"])
@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("name", MODELS)
def test_local_loss_invariant_under_any_orthogonal_matrix_per_step(name, d, group, model_factory,
                                                                   rng):
    """P1 §3.1 / Eq. 1: l(X_t; R Z_t) = l(X_t; Z_t) for every orthogonal R, independently per t
    (rotations and, for "O", reflections)."""
    model = model_factory(name, d=d, T=6)
    Z = model.random_init(rng)
    R = gc.random_rotation(d, rng, group=group, size=model.T)
    if group == "O":  # make sure reflections really are exercised
        R[0, :, 0] *= -1 if np.linalg.det(R[0]) > 0 else 1
        assert np.any(np.linalg.det(R) < 0)
    ZR = gc.apply_rotations(Z, R)
    assert model.local_loss(ZR) == pytest.approx(model.local_loss(Z), rel=1e-10)
    # the per-step loss, not only the sum, is invariant: rotate one step at a time
    for t in (0, model.T - 1):
        Rt = np.broadcast_to(np.eye(d), (model.T, d, d)).copy()
        Rt[t] = R[t]
        assert model.local_loss(gc.apply_rotations(Z, Rt)) == pytest.approx(model.local_loss(Z),
                                                                             rel=1e-10)


@pytest.mark.parametrize("group", ["SO", "O"])
@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("name", MODELS)
def test_full_loss_invariant_under_global_rotation(name, d, group, model_factory, rng):
    """P2 Eq. 3: the full loss L(R Z_1, ..., R Z_T) = L(Z) for one global orthogonal R."""
    model = model_factory(name, d=d, T=6, ring=(name == "hat"))
    Z = model.random_init(rng)
    R = gc.random_rotation(d, rng, group=group)
    ZR = gc.apply_rotations(Z, R)
    assert model.loss(ZR) == pytest.approx(model.loss(Z), rel=1e-10)
    assert model.coupling_loss(ZR) == pytest.approx(model.coupling_loss(Z), rel=1e-10)
    # the gradient is covariant: grad L(RZ) = R grad L(Z)
    np.testing.assert_allclose(model.grad(ZR), gc.apply_rotations(model.grad(Z), R),
                               rtol=1e-9, atol=1e-9 * np.abs(model.grad(Z)).max())


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("name", MODELS)
def test_full_loss_changes_under_generic_local_rotations(name, d, model_factory, rng):
    """P1 §3.1 / P2 §2.2: the coupling psi breaks the local symmetry, so L(R_t Z_t) != L(Z)."""
    model = model_factory(name, d=d, T=6)
    Z = model.random_init(rng)
    ZR = gc.apply_rotations(Z, gc.random_rotation(d, rng, size=model.T))
    assert abs(model.loss(ZR) - model.loss(Z)) > 1e-3 * model.coupling_loss(Z)
    assert model.local_loss(ZR) == pytest.approx(model.local_loss(Z), rel=1e-10)


# --- the gauge-invariant loss (P2 Eq. 5) ----------------------------------------------------------
@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("name", ["hat", "dense"])
def test_gauge_invariant_loss_is_gauge_invariant(name, d, model_factory, rng):
    """P2 Eq. 5 and §3.2: L'(Z~; Gamma~) = L'(Z; Gamma) with Z~_t = exp(-Gamma~_t) exp(Gamma_t) Z_t,
    for any new skew gauge fields Gamma~ [1e-10]."""
    model = model_factory(name, d=d, T=6)
    Z = model.random_init(rng)
    G = gc.random_skew(d, rng, scale=0.8, size=model.T)
    G_new = gc.random_skew(d, rng, scale=1.5, size=model.T)
    before = gc.gauge_invariant_loss(model, Z, G)
    Z_new = gc.gauge_transform(Z, G, G_new)
    after = gc.gauge_invariant_loss(model, Z_new, G_new)
    assert after == pytest.approx(before, rel=1e-10)
    # ...and the transformation really moved things: Z and the plain loss change
    assert np.abs(Z_new - Z).max() > 0.1
    assert abs(model.loss(Z_new) - model.loss(Z)) > 1e-6


def test_gauge_invariant_loss_definition(model_factory, rng):
    """P2 Eq. 5: L'(Z; Gamma) = L(exp(Gamma_1) Z_1, ..., exp(Gamma_T) Z_T); L'(Z; 0) = L(Z)."""
    model = model_factory("dense", d=3, T=5)
    Z = model.random_init(rng)
    G = gc.random_skew(3, rng, size=5)
    assert gc.gauge_invariant_loss(model, Z, np.zeros((5, 3, 3))) == pytest.approx(model.loss(Z),
                                                                                  rel=1e-14)
    RZ = np.stack([_expm_taylor(G[t]) @ Z[t] for t in range(5)])
    assert gc.gauge_invariant_loss(model, Z, G) == pytest.approx(model.loss(RZ), rel=1e-10)


def test_gauge_transform_to_zero_fields_applies_the_rotations(rng):
    """P2 §3.2 step 3: choosing Gamma~ = 0 ("gauging away") gives Z~_t = exp(Gamma_t) Z_t."""
    Z = rng.standard_normal((4, 3, 5))
    G = gc.random_skew(3, rng, size=4)
    np.testing.assert_allclose(gc.gauge_transform(Z, G, np.zeros_like(G)),
                               np.matmul(gc.expm_skew(G), Z), atol=1e-12)
    np.testing.assert_allclose(gc.gauge_transform(Z, G, G), Z, atol=1e-12)


def test_non_abelian_gauge_transformation(rng):
    """P2 §3.2: SO(d) is non-abelian for d >= 3, exp(-G~) exp(G) != exp(G - G~); equal for d = 2."""
    for d, equal in ((2, True), (3, False)):
        G, Gn = gc.random_skew(d, rng, size=2), gc.random_skew(d, rng, size=2)
        lhs = np.matmul(gc.expm_skew(-Gn), gc.expm_skew(G))
        rhs = gc.expm_skew(G - Gn)
        assert np.allclose(lhs, rhs, atol=1e-12) == equal


# --- expm_skew ------------------------------------------------------------------------------------
@pytest.mark.parametrize("d", [1, 2, 3, 5, 8])
def test_expm_skew_is_a_rotation(d, rng):
    """P1 Eq. 12: R_t = exp(Gamma_t) with Gamma_t skew is in SO(d): R^T R = I, det R = +1."""
    G = gc.random_skew(d, rng, scale=2.0, size=6)
    R = gc.expm_skew(G)
    assert R.shape == (6, d, d)
    np.testing.assert_allclose(np.matmul(np.swapaxes(R, 1, 2), R),
                               np.broadcast_to(np.eye(d), R.shape), atol=1e-12)
    np.testing.assert_allclose(np.linalg.det(R), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.matmul(R, gc.expm_skew(-G)), np.broadcast_to(np.eye(d), R.shape),
                               atol=1e-12)


def test_expm_skew_d2_closed_form():
    """P2 §4.3: for d = 2, exp(theta J) is the rotation by theta, J the 90-degree generator."""
    J = np.array([[0.0, -1.0], [1.0, 0.0]])
    for theta in (0.0, 0.3, -1.2, 3.0, 7.5):
        R = gc.expm_skew(theta * J)
        expected = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
        np.testing.assert_allclose(R, expected, atol=1e-13)


def test_expm_skew_d3_rodrigues(rng):
    """P1 Eq. 12 with d = 3: exp([omega]_x) is Rodrigues' rotation about omega by |omega|."""
    for _ in range(5):
        omega = rng.standard_normal(3) * 1.5
        K = np.array([[0, -omega[2], omega[1]], [omega[2], 0, -omega[0]], [-omega[1], omega[0], 0]])
        np.testing.assert_allclose(gc.expm_skew(K), _rodrigues(omega), atol=1e-12)


def test_expm_skew_matches_taylor_series(rng):
    """P1 Eq. 12: the exact matrix exponential (not a truncation), checked against an independent
    reference (the series, summed to convergence; scipy is not a dependency of the book)."""
    for scale in (0.3, 1.0, 3.0):
        G = gc.random_skew(6, rng, scale=scale)
        np.testing.assert_allclose(gc.expm_skew(G), _expm_taylor(G), atol=1e-10)


def test_expm_skew_small_angle_expansion(rng):
    """P1 Eq. 14's premise: exp(Gamma) = I + Gamma + Gamma^2/2 + O(Gamma^3)."""
    G0 = gc.random_skew(4, rng)
    errs = []
    for eps in (1e-2, 5e-3):
        G = eps * G0
        errs.append(np.abs(gc.expm_skew(G) - (np.eye(4) + G + G @ G / 2)).max())
    assert 6 < errs[0] / errs[1] < 10


# --- random rotations, angles, Procrustes ---------------------------------------------------------
@pytest.mark.parametrize("d", [1, 2, 3, 6])
def test_random_rotation_groups(d, rng):
    """P1 §3.1: the local symmetry group is O(d); its connected part SO(d) has det +1."""
    R = gc.random_rotation(d, rng, group="SO", size=200)
    np.testing.assert_allclose(np.matmul(np.swapaxes(R, 1, 2), R),
                               np.broadcast_to(np.eye(d), R.shape), atol=1e-12)
    np.testing.assert_allclose(np.linalg.det(R), 1.0, atol=1e-12)
    Q = gc.random_rotation(d, rng, group="O", size=200)
    det = np.linalg.det(Q)
    np.testing.assert_allclose(np.abs(det), 1.0, atol=1e-12)
    assert 50 < np.sum(det < 0) < 150  # reflections with probability 1/2
    single = gc.random_rotation(d, rng)
    assert single.shape == (d, d)


def test_random_rotation_is_reproducible_and_haar(rng):
    """P1 §3.1 (random local frames): seeded, and Haar on SO(3), where E[R] = 0, so the mean
    trace of many samples is ~0 (std 1/sqrt(n))."""
    R1 = gc.random_rotation(3, 11, size=4)
    np.testing.assert_array_equal(R1, gc.random_rotation(3, np.random.default_rng(11), size=4))
    R = gc.random_rotation(3, rng, size=4000)
    tr = np.trace(R, axis1=1, axis2=2)
    assert abs(tr.mean()) < 0.08  # 5 sigma for a std of 1 per sample
    assert abs(R.mean(axis=0)).max() < 0.06


def test_rotation_angle(rng):
    """P1 Eq. 12: the geodesic angle of exp(Gamma) is sqrt(sum_k theta_k^2) over rotation planes."""
    J = np.array([[0.0, -1.0], [1.0, 0.0]])
    assert gc.rotation_angle(gc.expm_skew(0.7 * J)) == pytest.approx(0.7)
    assert gc.rotation_angle(gc.expm_skew(-2.9 * J)) == pytest.approx(2.9)
    omega = np.array([0.3, -0.4, 1.2])
    assert gc.rotation_angle(_rodrigues(omega)) == pytest.approx(np.linalg.norm(omega))
    G4 = np.zeros((4, 4))
    G4[:2, :2] = 0.5 * J
    G4[2:, 2:] = 1.1 * J
    assert gc.rotation_angle(gc.expm_skew(G4)) == pytest.approx(np.hypot(0.5, 1.1))
    np.testing.assert_allclose(gc.rotation_angle(np.broadcast_to(np.eye(3), (4, 3, 3))), 0.0,
                               atol=1e-8)


@pytest.mark.parametrize("group", ["SO", "O"])
def test_procrustes_is_optimal(group, rng):
    """U = procrustes(Z_s Z_t^T) minimises ||Z_t - U Z_s|| over SO(d) (or O(d))."""
    d, N = 3, 6
    Zs, Zt = rng.standard_normal((2, 8, d, N))
    B = np.matmul(Zs, np.swapaxes(Zt, 1, 2))
    U = gc.procrustes(B, group)
    np.testing.assert_allclose(np.matmul(np.swapaxes(U, 1, 2), U),
                               np.broadcast_to(np.eye(d), U.shape), atol=1e-12)
    if group == "SO":
        np.testing.assert_allclose(np.linalg.det(U), 1.0, atol=1e-12)
    best = np.linalg.norm(Zt - np.matmul(U, Zs), axis=(1, 2))
    for _ in range(200):
        trial = gc.random_rotation(d, rng, group=group, size=8)
        assert np.all(best <= np.linalg.norm(Zt - np.matmul(trial, Zs), axis=(1, 2)) + 1e-12)
    # small perturbations of the optimum in the group never improve it either
    for _ in range(20):
        W = gc.expm_skew(gc.random_skew(d, rng, scale=1e-3, size=8))
        assert np.all(best <= np.linalg.norm(Zt - np.matmul(np.matmul(W, U), Zs), axis=(1, 2))
                      + 1e-12)


def test_procrustes_recovers_an_exact_rotation(rng):
    """if Z_t = Q Z_s exactly, the Procrustes link is Q (O(d): also a reflection)."""
    Zs = rng.standard_normal((3, 7))
    for group in ("SO", "O"):
        Q = gc.random_rotation(3, rng, group=group, size=1)
        Zt = Q @ Zs
        np.testing.assert_allclose(gc.procrustes(Zs[None] @ np.swapaxes(Zt, 1, 2), group), Q,
                                   atol=1e-12)


def test_procrustes_SO_differs_from_O_for_reflections(rng):
    """a reflection cannot be reached by SO(d) links; the O(d) link finds it."""
    Zs = rng.standard_normal((1, 3, 7))
    P = np.diag([1.0, 1.0, -1.0])
    Zt = P @ Zs
    B = np.matmul(Zs, np.swapaxes(Zt, 1, 2))
    U_O, U_SO = gc.procrustes(B, "O"), gc.procrustes(B, "SO")
    assert np.linalg.norm(Zt - U_O @ Zs) < 1e-10
    assert np.linalg.norm(Zt - U_SO @ Zs) > 0.1
    assert np.linalg.det(U_SO[0]) == pytest.approx(1.0)


def test_procrustes_single_matrix_SO(rng):
    """procrustes accepts a single (d, d) matrix as well as a batch, including the
    Kabsch correction when the O(d) optimum is a reflection."""
    B = rng.standard_normal((3, 3))
    for M in (B, -B):  # one of the two has an improper O(3) optimum
        U = gc.procrustes(M, "SO")
        assert U.shape == (3, 3)
        assert np.linalg.det(U) == pytest.approx(1.0)
        np.testing.assert_allclose(U, gc.procrustes(M[None], "SO")[0], atol=1e-14)
    assert min(np.linalg.det(gc.procrustes(M, "O")) for M in (B, -B)) < 0


def test_procrustes_single_matrix_O(rng):
    """the unbatched O(d) Procrustes equals the batched one."""
    B = rng.standard_normal((3, 3))
    np.testing.assert_allclose(gc.procrustes(B, "O"), gc.procrustes(B[None], "O")[0], atol=1e-14)


def test_skew_and_random_skew(rng):
    """P1 Eq. 13: Gamma_t = Gamma~_t - Gamma~_t^T is skew-symmetric for any Gamma~."""
    A = rng.standard_normal((5, 3, 3))
    S = gc.skew(A)
    np.testing.assert_allclose(S, A - np.swapaxes(A, 1, 2))
    np.testing.assert_allclose(S, -np.swapaxes(S, 1, 2))
    R = gc.random_skew(4, rng, scale=2.0, size=3)
    assert R.shape == (3, 4, 4)
    np.testing.assert_array_equal(R, -np.swapaxes(R, 1, 2))
    assert np.abs(R).max() > 0
    np.testing.assert_array_equal(gc.random_skew(3, rng, scale=0.0), np.zeros((3, 3)))


def test_apply_rotations_per_step_and_global(rng):
    """P1 Eq. 10: the local transformation Z_t -> R_t Z_t; a (d, d) R is the global rotation."""
    Z = rng.standard_normal((4, 3, 5))
    R = gc.random_rotation(3, rng, size=4)
    out = gc.apply_rotations(Z, R)
    for t in range(4):
        np.testing.assert_allclose(out[t], R[t] @ Z[t], atol=1e-14)
    G = gc.random_rotation(3, rng)
    np.testing.assert_allclose(gc.apply_rotations(Z, G), gc.apply_rotations(Z, np.stack([G] * 4)))
