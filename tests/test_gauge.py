"""Gauge tools: the exact gauge step, gauge fixing, link variables, holonomy, twist and alignment
(P2 §3.2; P1 Eqs. 11–13)."""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc

REFERENCES = ["first", "last", "mean"]


def _dense_optimum(rng, T=7, m=5, n=6, d=3, lam=2.0):
    """A global minimum of a DynamicFactorization with the same X at every t (P1 §5.1): the
    truncated SVD, balanced between U and V, repeated at every step (psi = 0)."""
    X = rng.standard_normal((m, n))
    model = gc.DynamicFactorization(X, d, lam, T=T)
    P, s, Qh = np.linalg.svd(X, full_matrices=False)
    U = np.sqrt(s[:d])[:, None] * P[:, :d].T
    V = np.sqrt(s[:d])[:, None] * Qh[:d]
    Z = np.repeat(np.concatenate([U, V], axis=1)[None], T, axis=0)
    optimum = 0.5 * T * np.sum(s[d:] ** 2)
    return model, Z, optimum


def _reflect_second_half(Z):
    """Reflect the second half of the chain: a reflection domain wall."""
    Zw = Z.copy()
    F = np.eye(Z.shape[1])
    F[-1, -1] = -1.0
    Zw[Z.shape[0] // 2:] = F @ Zw[Z.shape[0] // 2:]
    return Zw


# --- the exact gauge step -------------------------------------------------------------------------
@pytest.mark.parametrize("group", ["SO", "O"])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", ["hat", "dense", "sparse"])
def test_exact_gauge_step_keeps_local_loss_and_never_raises_coupling(name, seed, group,
                                                                     model_factory):
    """P1 Eq. 11 / the exact step only rotates each Z_t, so sum_t l(X_t; Z_t) is
    unchanged [1e-10 relative], and psi cannot increase (R_t = I is a candidate), whatever the
    gauge fixing (first, last or mean frame)."""
    model = model_factory(name, d=3, T=7, seed=seed)
    Z = model.random_init(seed)
    for reference in REFERENCES:
        Z_new, R = gc.exact_gauge_step(Z, group=group, reference=reference)
        assert model.local_loss(Z_new) == pytest.approx(model.local_loss(Z), rel=1e-10)
        assert model.coupling_loss(Z_new) <= model.coupling_loss(Z) * (1 + 1e-12)
        assert model.coupling_loss(Z_new) < 0.95 * model.coupling_loss(Z)  # a real gain
        np.testing.assert_allclose(np.matmul(R, Z), Z_new, atol=1e-12)
        np.testing.assert_allclose(np.matmul(np.swapaxes(R, 1, 2), R),
                                   np.broadcast_to(np.eye(3), R.shape), atol=1e-12)
        if group == "SO":
            np.testing.assert_allclose(np.linalg.det(R), 1.0, atol=1e-12)


@pytest.mark.parametrize("group", ["SO", "O"])
def test_exact_gauge_step_is_optimal_per_link(group, rng):
    """on a chain the coupling over rotations separates into one Procrustes problem
    per link, so after the step every ||Z'_t - Z'_{t-1}|| equals min_U ||Z_t - U Z_{t-1}||, and no
    further local rotation lowers psi."""
    T, d, N = 8, 3, 5
    Z = rng.standard_normal((T, d, N))
    Z_new, _ = gc.exact_gauge_step(Z, group=group)
    U = gc.procrustes(np.matmul(Z[:-1], np.swapaxes(Z[1:], 1, 2)), group)
    best = np.linalg.norm(Z[1:] - np.matmul(U, Z[:-1]), axis=(1, 2))
    np.testing.assert_allclose(np.linalg.norm(Z_new[1:] - Z_new[:-1], axis=(1, 2)), best,
                               rtol=1e-10)
    coupling = gc.Coupling(T, 1.0)
    base = coupling.value(Z_new)
    for _ in range(50):
        trial = gc.apply_rotations(Z_new, gc.expm_skew(gc.random_skew(d, rng, 0.05, size=T)))
        assert coupling.value(trial) >= base - 1e-12
    # idempotent: a second step finds nothing left to do
    Z_again, R_again = gc.exact_gauge_step(Z_new, group=group)
    np.testing.assert_allclose(R_again, np.broadcast_to(np.eye(d), R_again.shape), atol=1e-10)
    np.testing.assert_allclose(Z_again, Z_new, atol=1e-10)


def test_exact_gauge_step_beats_goldstone_phase_and_handles_weights(rng):
    """positive edge weights do not change the optimum of the exact step, which is at
    least as good as one Goldstone-GD phase (P1 Algorithm 1 lines 6-9)."""
    T = 12
    w = rng.uniform(0.3, 3.0, T - 1)
    model = gc.MexicanHatChain(T, 1.0, d=3, N=4, weights=w)
    Z = model.random_init(rng)
    Z_exact, _ = gc.exact_gauge_step(Z)
    Lplus = np.linalg.pinv(model.coupling.laplacian)
    Z_gold = gc.goldstone_phase(Z, np.zeros((T, 3, 3)), model.coupling, Lplus, k2=10)
    assert model.coupling_loss(Z_exact) <= model.coupling_loss(Z_gold) + 1e-12
    assert model.coupling_loss(Z_exact) < model.coupling_loss(Z)
    unweighted = gc.Coupling(T, 1.0)
    # the same rotations are optimal for the unweighted chain
    for _ in range(20):
        trial = gc.apply_rotations(Z_exact, gc.expm_skew(gc.random_skew(3, rng, 0.05, size=T)))
        assert model.coupling_loss(trial) >= model.coupling_loss(Z_exact) - 1e-12
        assert unweighted.value(trial) >= unweighted.value(Z_exact) - 1e-12


@pytest.mark.parametrize("group", ["SO", "O"])
def test_exact_gauge_step_removes_pure_gauge_perturbation_of_dense_optimum(group, rng):
    """P2 §3.2 step 3 ("gauging away"): random local rotations of a global optimum of the dense
    factorisation (P1 §5.1) are undone completely: loss back to the optimum and psi ~ 0 [1e-10]."""
    model, Z_opt, optimum = _dense_optimum(rng)
    assert model.loss(Z_opt) == pytest.approx(optimum, rel=1e-12)
    Z_pert = gc.apply_rotations(Z_opt, gc.random_rotation(3, rng, group=group, size=model.T))
    assert model.loss(Z_pert) > optimum + 1.0
    Z_fixed, _ = gc.exact_gauge_step(Z_pert, group=group)
    assert model.loss(Z_fixed) == pytest.approx(optimum, rel=1e-10, abs=1e-10)
    assert model.coupling_loss(Z_fixed) < 1e-10


@pytest.mark.parametrize("d", [2, 3])
def test_exact_gauge_step_removes_pure_gauge_perturbation_of_hat_minimum(d, rng):
    """On the Mexican-hat chain: a minimum (loss 0) with random local rotations is restored
    to loss 0 [1e-10] by one exact gauge step."""
    model = gc.MexicanHatChain(9, 2.0, d=d, N=3)
    Z0 = gc.twist_mode(9, 1, 0.0, d=d, N=3)
    Z_pert = gc.apply_rotations(Z0, gc.random_rotation(d, rng, size=9))
    assert model.loss(Z_pert) > 0.1
    Z_fixed, _ = gc.exact_gauge_step(Z_pert)
    assert model.loss(Z_fixed) < 1e-10


def test_exact_gauge_step_with_SO_cannot_undo_reflections(rng):
    """reflections are not rotations; an SO(d) step leaves a reflected optimum
    above the optimum, the O(d) step restores it."""
    model, Z_opt, optimum = _dense_optimum(rng)
    R = gc.random_rotation(3, rng, size=model.T)
    R[model.T // 2:, :, 0] *= -1  # second half reflected
    Z_pert = gc.apply_rotations(Z_opt, R)
    so = model.loss(gc.exact_gauge_step(Z_pert, group="SO")[0])
    o = model.loss(gc.exact_gauge_step(Z_pert, group="O")[0])
    assert o == pytest.approx(optimum, rel=1e-10)
    assert so > optimum + 0.1


@pytest.mark.parametrize("reference", ["last", "mean"])
def test_references_differ_only_by_a_global_rotation(reference, rng):
    """P2 Eq. 3: gauge fixing to the first step, last step or mean frame gives the
    same loss, and the results differ by one global rotation G (the exact symmetry)."""
    model = gc.MexicanHatChain(8, 1.0, d=3, N=4)
    Z = model.random_init(rng)
    Z_first, R_first = gc.exact_gauge_step(Z, reference="first")
    Z_other, R_other = gc.exact_gauge_step(Z, reference=reference)
    assert model.loss(Z_other) == pytest.approx(model.loss(Z_first), rel=1e-12)
    G = R_other[0] @ R_first[0].T
    np.testing.assert_allclose(np.matmul(G, R_first), R_other, atol=1e-12)
    np.testing.assert_allclose(gc.apply_rotations(Z_first, G), Z_other, atol=1e-12)
    assert np.abs(G - np.eye(3)).max() > 1e-3  # a genuinely different gauge


@pytest.mark.parametrize("group", ["SO", "O"])
@pytest.mark.parametrize("d", [2, 3])
def test_reflection_domain_wall_repaired_only_with_O(d, group, rng):
    """an optimum of the dense factorisation with one half of the chain reflected (a
    reflection domain wall) is repaired by the exact step with O(d) links (back to the optimum) and
    not with SO(d) links."""
    model, Z, optimum = _dense_optimum(rng, T=10, d=d)
    Zw = _reflect_second_half(Z)
    assert model.loss(Zw) > optimum + 1.0
    Z_new, R = gc.exact_gauge_step(Zw, group=group)
    if group == "O":
        assert model.loss(Z_new) == pytest.approx(optimum, rel=1e-10)
        assert np.sum(np.linalg.det(R) < 0) == 5
    else:
        assert model.loss(Z_new) > optimum + 1.0


def test_reflection_domain_wall_is_metastable_under_gd_and_repaired_by_gauge_O(rng):
    """plain GD (and the SO(d) gauge step) stall at a reflection domain wall well above
    the optimum; method 'gauge' with group='O' repairs it."""
    model, Z, optimum = _dense_optimum(rng, T=10, d=3, lam=1.0)
    Zw = _reflect_second_half(Z)
    gd = gc.optimize(model, Zw, "gd", 1000, lr=0.05)
    so = gc.optimize(model, Zw, "gauge", 1000, lr=0.05, group="SO")
    fixed = gc.optimize(model, Zw, "gauge", 1000, lr=0.05, group="O")
    assert gd.loss[-1] > optimum + 0.2 * (gd.loss[0] - optimum)
    assert so.loss[-1] > optimum + 0.2 * (so.loss[0] - optimum)
    assert fixed.loss[-1] == pytest.approx(optimum, rel=1e-8)


def test_gauge_method_refuses_a_ring(rng):
    """On a ring the holonomy cannot be gauged away, so no exact step exists: the gauge method
    refuses a ring model (with or without the gauge-fixed start) and names the reason."""
    model = gc.MexicanHatChain(5, 1.0, d=2, N=3, ring=True)
    for options in ({}, {"gauge_at_start": True}):
        with pytest.raises(ValueError, match="holonomy"):
            gc.Run(model, rng.standard_normal(model.shape), "gauge", **options)


# --- gauge fixing ---------------------------------------------------------------------------------
@pytest.mark.parametrize("reference,index", [("first", 0), ("last", -1)])
def test_gauge_fix_first_last(reference, index, rng):
    """gauge fixing to the first (last) step makes its rotation the identity, and only
    multiplies all R_t by one global G."""
    R = gc.random_rotation(3, rng, size=6)
    F = gc.gauge_fix(R, reference)
    np.testing.assert_allclose(F[index], np.eye(3), atol=1e-12)
    G = F[0] @ R[0].T
    np.testing.assert_allclose(np.matmul(G, R), F, atol=1e-12)


def test_gauge_fix_mean_maximises_trace(rng):
    """the 'mean' gauge picks the rotation G maximising tr(sum_t G R_t)."""
    R = gc.random_rotation(3, rng, size=6)
    F = gc.gauge_fix(R, "mean")
    G = F[0] @ R[0].T
    np.testing.assert_allclose(np.matmul(G, R), F, atol=1e-12)
    best = np.trace(F.sum(axis=0))
    for _ in range(300):
        Q = gc.random_rotation(3, rng)
        assert np.trace(Q @ R.sum(axis=0)) <= best + 1e-12


# --- link variables, covariant difference, holonomy -----------------------------------------------
def test_link_variables_and_covariant_difference(rng):
    """||R_t Z_t - R_{t-1} Z_{t-1}|| = ||Z_t - U_t Z_{t-1}|| with U_t = R_t^T R_{t-1}."""
    T, d, N = 6, 3, 4
    Z = rng.standard_normal((T, d, N))
    R = gc.random_rotation(d, rng, size=T)
    U = gc.link_variables(R)
    assert U.shape == (T - 1, d, d)
    for t in range(1, T):
        np.testing.assert_allclose(U[t - 1], R[t].T @ R[t - 1], atol=1e-14)
    lhs = np.linalg.norm(gc.Coupling(T, 1.0).differences(gc.apply_rotations(Z, R)), axis=(1, 2))
    rhs = np.linalg.norm(gc.covariant_difference(Z, U), axis=(1, 2))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12)
    # the identity links give the ordinary difference
    np.testing.assert_allclose(gc.covariant_difference(Z, np.broadcast_to(np.eye(d), U.shape)),
                               Z[1:] - Z[:-1])


def test_ring_links_and_pure_gauge_holonomy(rng):
    """for links of a pure gauge R_t (ring=True adds U_0 = R_0^T R_{T-1}) the product
    around the loop is the identity: a pure gauge carries no flux."""
    R = gc.random_rotation(3, rng, size=7)
    U = gc.link_variables(R, ring=True)
    assert U.shape == (7, 3, 3)
    np.testing.assert_allclose(U[-1], R[0].T @ R[-1], atol=1e-14)
    np.testing.assert_allclose(gc.holonomy(U), np.eye(3), atol=1e-12)


def test_holonomy_is_ordered_product(rng):
    """the Wilson loop is the ordered product U_{T-1} ... U_1 U_0 (non-commuting)."""
    A, B, C = gc.random_rotation(3, rng, size=3)
    np.testing.assert_allclose(gc.holonomy(np.stack([A, B, C])), C @ B @ A, atol=1e-14)
    assert not np.allclose(C @ B @ A, A @ B @ C)


def test_holonomy_of_ring_links_is_gauge_covariant(rng):
    """the optimal links of a ring transform as U_t -> S_t U_t S_{t-1}^T under local
    rotations S_t, so the holonomy is conjugated and its rotation angle is gauge invariant (it
    cannot be gauged away)."""
    T, d = 6, 3
    Z = rng.standard_normal((T, d, 5))
    a, b = gc.edges(T, ring=True)

    def ring_links(Z):
        return gc.procrustes(np.matmul(Z[a], np.swapaxes(Z[b], 1, 2)), "SO")

    H = gc.holonomy(ring_links(Z))
    S = gc.random_rotation(d, rng, size=T)
    H_rot = gc.holonomy(ring_links(gc.apply_rotations(Z, S)))
    assert gc.rotation_angle(H) > 1e-2  # generic data: a real flux through the ring
    assert gc.rotation_angle(H_rot) == pytest.approx(gc.rotation_angle(H), rel=1e-9)
    np.testing.assert_allclose(H_rot, S[0] @ H @ S[0].T, atol=1e-10)


# --- twist profile and alignment ------------------------------------------------------------------
@pytest.mark.parametrize("T,nu,amplitude", [(10, 1, 0.5), (16, 2, 1.0), (7, 3, -0.3), (20, 1, 2.5)])
def test_twist_profile_of_twist_mode_is_cos_profile(T, nu, amplitude):
    """P2 §2.2 / spectra: a twist along Goldstone mode nu has angle a cos(pi nu (t + 1/2) / T),
    measured against step 0, i.e. up to the global offset (unwrapped for large a)."""
    Z = gc.twist_mode(T, nu, amplitude, N=3)
    theta = amplitude * np.cos(np.pi * nu * (np.arange(T) + 0.5) / T)
    np.testing.assert_allclose(gc.twist_profile(Z), theta - theta[0], atol=1e-12)
    # against an explicit reference: the untwisted configuration gives the profile itself
    ref = gc.twist_mode(T, nu, 0.0, N=3)[0]
    np.testing.assert_allclose(gc.twist_profile(Z, frame=ref), theta, atol=1e-12)
    # against the last step: the same up to a multiple of 2 pi (angles are defined mod 2 pi)
    diff = gc.twist_profile(Z, frame=-1) - (theta - theta[-1])
    np.testing.assert_allclose(np.angle(np.exp(1j * diff)), 0.0, atol=1e-12)
    np.testing.assert_allclose(diff, diff[0], atol=1e-12)  # unwrapped: one constant offset


def test_twist_profile_d3_is_rotation_angle(rng):
    """for d >= 3 the profile is the geodesic angle of the best rotation to Z_t."""
    T, d, N = 5, 3, 6
    Z0 = rng.standard_normal((d, N))
    G = gc.random_skew(d, rng, size=T) * np.linspace(0, 0.9, T)[:, None, None]
    R = gc.expm_skew(G)
    Z = np.matmul(R, Z0)
    np.testing.assert_allclose(gc.twist_profile(Z), gc.rotation_angle(R), atol=1e-10)


def test_twist_profile_few_vectors_is_mean_angle():
    """with N < d the profile is the mean angle between corresponding vectors."""
    T = 4
    angles = np.array([0.0, 0.2, 0.5, 0.9])
    Z = np.zeros((T, 3, 2))
    for t, a in enumerate(angles):  # two vectors in the xy-plane rotated about z
        Rz = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
        Z[t] = Rz @ np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
    np.testing.assert_allclose(gc.twist_profile(Z), angles, atol=1e-7)


def test_twist_profile_d1_is_sign_flip():
    """P1 §3.1: for d = 1, O(1) = {+1, -1}: the profile is 0 or pi."""
    Z = np.array([1.0, 2.0, -1.0, -3.0]).reshape(4, 1, 1)
    np.testing.assert_allclose(gc.twist_profile(Z), [0, 0, np.pi, np.pi])


def test_alignment_aligned_and_twisted(rng):
    """P1 Fig. 4 / P2 Fig. 3: cos(z_{1,i}, z_{T,i}) is 1 for aligned embeddings and cos(angle) for a
    twist (here cos(theta_{T-1} - theta_0) of twist_mode)."""
    model = gc.MexicanHatChain(9, 1.0, d=3, N=5)
    aligned = model.random_init(rng, kind="aligned")
    np.testing.assert_allclose(gc.alignment(aligned), 1.0, atol=1e-14)
    T, a = 9, 0.6
    Z = gc.twist_mode(T, 1, a, N=4)
    theta = a * np.cos(np.pi * (np.arange(T) + 0.5) / T)
    np.testing.assert_allclose(gc.alignment(Z), np.cos(theta[-1] - theta[0]), atol=1e-13)
    np.testing.assert_allclose(gc.alignment(Z, first=0, last=4), np.cos(theta[4] - theta[0]),
                               atol=1e-13)
    flipped = Z.copy()
    flipped[-1] *= -1
    np.testing.assert_allclose(gc.alignment(flipped), -np.cos(theta[-1] - theta[0]), atol=1e-13)


def test_alignment_of_zero_vector_is_zero():
    """alignment of a zero vector is defined as 0 (no NaN)."""
    Z = np.ones((3, 2, 2))
    Z[-1, :, 1] = 0.0
    np.testing.assert_allclose(gc.alignment(Z), [1.0, 0.0])


def test_so2_procrustes_beats_every_rotation_on_a_fine_grid(rng):
    """The closed form used for d = 2 against a brute-force search over rotation angles (an
    independent check), single and batched; d = 3 and the group O keep the SVD."""
    B = rng.standard_normal((40, 2, 2))
    U = gc.procrustes(B, "SO")
    np.testing.assert_allclose(np.linalg.det(U), 1.0, atol=1e-12)
    theta = np.linspace(-np.pi, np.pi, 20_001)
    c, s = np.cos(theta), np.sin(theta)
    # tr(R(theta) B) for every angle of the grid and every matrix of the batch
    grid = (c[:, None] * (B[:, 0, 0] + B[:, 1, 1]) + s[:, None] * (B[:, 0, 1] - B[:, 1, 0]))
    best = np.einsum("kij,kji->k", U, B)
    assert np.all(best >= grid.max(axis=0) - 1e-12)
    assert np.all(best <= grid.max(axis=0) + 1e-6)  # the grid's spacing, nothing better exists
    np.testing.assert_allclose(gc.procrustes(B[3], "SO"), U[3], atol=1e-14)
    assert gc.procrustes(np.zeros((2, 2)), "SO") == pytest.approx(np.eye(2))  # any angle: I


def test_temporal_gauge_rotations_are_the_running_products_of_the_links(rng):
    """The prefix scan that builds R_t = U_0^T ... U_{t-1}^T, against the plain loop, for chain
    lengths around powers of two."""
    from gauge_core.gauge.fixing import _rotations_from_links

    for T in (1, 2, 3, 4, 5, 8, 9, 63, 64, 65):
        for d in (2, 3):
            U = np.linalg.qr(rng.standard_normal((T - 1, d, d)))[0]
            R = _rotations_from_links(U)
            expected = [np.eye(d)]
            for t in range(1, T):
                expected.append(expected[-1] @ U[t - 1].T)
            np.testing.assert_allclose(R, np.array(expected), atol=1e-13)
