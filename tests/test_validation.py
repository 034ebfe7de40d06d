"""Validation: bad input gives a clear ValueError/TypeError naming the parameter."""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc

HAT = gc.MexicanHatChain(5, 1.0, d=3, N=4)
HAT_RING = gc.MexicanHatChain(5, 1.0, d=2, N=1, ring=True)
Z_OK = np.random.default_rng(0).standard_normal((5, 3, 4))
Z_NAN = Z_OK.copy()
Z_NAN[1, 1, 1] = np.nan
Z_INF = Z_OK.copy()
Z_INF[0, 0, 0] = np.inf
G_OK = gc.random_skew(3, 0, size=5)
C_OK = gc.Coupling(5, 1.0)
X_OK = np.ones((3, 4))
R_OK = gc.random_rotation(3, 0, size=5)


def _sparse(**over):
    kw = dict(t=[0, 1, 1], users=[0, 1, 0], items=[0, 0, 1], values=[1, -1, 1], T=2, n_users=2,
              n_items=2, d=2, lam=1.0)
    kw.update(over)
    return gc.SparseLogisticFactorization(**kw)


# (id, callable, exception type, regex that must occur in the message: the parameter's name)
CASES = [
    # --- coupling ---------------------------------------------------------------------------------
    ("chain_laplacian-T-float", lambda: gc.chain_laplacian(5.0, 1.0), TypeError, "T"),
    ("chain_laplacian-T-bool", lambda: gc.chain_laplacian(True, 1.0), TypeError, "T"),
    ("chain_laplacian-T<2", lambda: gc.chain_laplacian(1, 1.0), ValueError, "T"),
    ("chain_laplacian-ring-T<3", lambda: gc.chain_laplacian(2, 1.0, ring=True), ValueError, "T"),
    ("chain_laplacian-lam<0", lambda: gc.chain_laplacian(5, -0.1), ValueError, "lam"),
    ("chain_laplacian-lam-nan", lambda: gc.chain_laplacian(5, np.nan), ValueError, "lam"),
    ("chain_laplacian-lam-inf", lambda: gc.chain_laplacian(5, np.inf), ValueError, "lam"),
    ("chain_laplacian-lam-str", lambda: gc.chain_laplacian(5, "1"), TypeError, "lam"),
    ("chain_laplacian-weights-shape", lambda: gc.chain_laplacian(5, 1.0, weights=[1, 1]),
     ValueError, "weights"),
    ("chain_laplacian-weights-ring-shape",
     lambda: gc.chain_laplacian(5, 1.0, weights=np.ones(4), ring=True), ValueError, "weights"),
    ("chain_laplacian-weights-nonpositive",
     lambda: gc.chain_laplacian(5, 1.0, weights=[1, 0, 1, 1]), ValueError, "weights"),
    ("chain_laplacian-weights-nan",
     lambda: gc.chain_laplacian(5, 1.0, weights=[1, np.nan, 1, 1]), ValueError, "weights"),
    ("chain_laplacian-weights-str", lambda: gc.chain_laplacian(5, 1.0, weights="abc"), TypeError,
     "weights"),
    ("dispersion-T<2", lambda: gc.dispersion(1, 1.0), ValueError, "T"),
    ("dispersion-lam<0", lambda: gc.dispersion(5, -1.0), ValueError, "lam"),
    ("Coupling-T", lambda: gc.Coupling(0, 1.0), ValueError, "T"),
    ("Coupling-lam", lambda: gc.Coupling(4, -2.0), ValueError, "lam"),
    # --- models -----------------------------------------------------------------------------------
    ("hat-T<2", lambda: gc.MexicanHatChain(1, 1.0), ValueError, "T"),
    ("hat-lam<0", lambda: gc.MexicanHatChain(4, -1.0), ValueError, "lam"),
    ("hat-d<1", lambda: gc.MexicanHatChain(4, 1.0, d=0), ValueError, "d"),
    ("hat-d-float", lambda: gc.MexicanHatChain(4, 1.0, d=2.5), TypeError, "d"),
    ("hat-N<1", lambda: gc.MexicanHatChain(4, 1.0, N=0), ValueError, "N"),
    ("hat-radius<=0", lambda: gc.MexicanHatChain(4, 1.0, radius=0.0), ValueError, "radius"),
    ("hat-ring-T<3", lambda: gc.MexicanHatChain(2, 1.0, ring=True), ValueError, "T"),
    ("loss-Z-shape", lambda: HAT.loss(np.zeros((5, 3, 3))), ValueError, "Z"),
    ("loss-Z-ndim", lambda: HAT.loss(np.zeros((5, 12))), ValueError, "Z"),
    ("loss-Z-nan", lambda: HAT.loss(Z_NAN), ValueError, "Z"),
    ("grad-Z-inf", lambda: HAT.grad(Z_INF), ValueError, "Z"),
    ("local_loss-Z-str", lambda: HAT.local_loss("Z"), TypeError, "Z"),
    ("coupling_loss-Z-None", lambda: HAT.coupling_loss(None), TypeError, "Z"),
    ("loss-Z-complex", lambda: HAT.loss(Z_OK + 0j), TypeError, "Z"),
    ("loss-Z-object", lambda: HAT.loss(np.array([[[None]]], dtype=object)), TypeError, "Z"),
    ("random_init-rng", lambda: HAT.random_init(1.5), TypeError, "rng"),
    ("random_init-rng-negative", lambda: HAT.random_init(-1), ValueError, "rng"),
    ("random_init-kind", lambda: HAT.random_init(0, kind="cold"), ValueError, "kind"),
    ("random_init-scale", lambda: HAT.random_init(0, scale=0.0), ValueError, "scale"),
    ("dense-X-nan", lambda: gc.DynamicFactorization(np.full((2, 3, 3), np.nan), 2, 1.0),
     ValueError, "X"),
    ("dense-X-ndim", lambda: gc.DynamicFactorization(np.ones(3), 2, 1.0, T=4), ValueError, "X"),
    ("dense-X-str", lambda: gc.DynamicFactorization("data", 2, 1.0, T=4), TypeError, "X"),
    ("dense-X-empty", lambda: gc.DynamicFactorization(np.ones((0, 3)), 2, 1.0, T=4), ValueError,
     "X"),
    ("dense-T-missing", lambda: gc.DynamicFactorization(X_OK, 2, 1.0), ValueError, "T"),
    ("dense-T-mismatch", lambda: gc.DynamicFactorization(np.ones((4, 3, 3)), 2, 1.0, T=5),
     ValueError, "T"),
    ("dense-T<2", lambda: gc.DynamicFactorization(np.ones((1, 3, 3)), 2, 1.0), ValueError, "T"),
    ("dense-d<1", lambda: gc.DynamicFactorization(X_OK, 0, 1.0, T=3), ValueError, "d"),
    ("dense-lam<0", lambda: gc.DynamicFactorization(X_OK, 2, -1.0, T=3), ValueError, "lam"),
    ("sparse-t-float", lambda: _sparse(t=[0.0, 1.0, 1.0]), TypeError, "t"),
    ("sparse-users-range", lambda: _sparse(users=[0, 2, 0]), ValueError, "users"),
    ("sparse-items-negative", lambda: _sparse(items=[0, -1, 0]), ValueError, "items"),
    ("sparse-t-range", lambda: _sparse(t=[0, 2, 1]), ValueError, "t"),
    ("sparse-values", lambda: _sparse(values=[1, 0, 1]), ValueError, "values"),
    ("sparse-values-nan", lambda: _sparse(values=[1, np.nan, 1]), ValueError, "values"),
    ("sparse-length", lambda: _sparse(items=[0, 0]), ValueError, "values"),
    ("sparse-empty", lambda: _sparse(t=np.array([], int), users=np.array([], int),
                                     items=np.array([], int), values=[]), ValueError, "values"),
    ("sparse-gamma", lambda: _sparse(gamma=-1.0), ValueError, "gamma"),
    ("sparse-n_users", lambda: _sparse(n_users=0), ValueError, "n_users"),
    ("sparse-n_items", lambda: _sparse(n_items=1.5), TypeError, "n_items"),
    # --- rotations --------------------------------------------------------------------------------
    ("random_rotation-d<1", lambda: gc.random_rotation(0, 0), ValueError, "d"),
    ("random_rotation-group", lambda: gc.random_rotation(3, 0, group="U"), ValueError, "group"),
    ("random_rotation-group-type", lambda: gc.random_rotation(3, 0, group=2), TypeError, "group"),
    ("random_rotation-size", lambda: gc.random_rotation(3, 0, size=0), ValueError, "size"),
    ("random_rotation-rng", lambda: gc.random_rotation(3, "seed"), TypeError, "rng"),
    ("random_skew-scale", lambda: gc.random_skew(3, 0, scale=-1.0), ValueError, "scale"),
    ("skew-A-ndim", lambda: gc.skew([1.0, 2.0]), ValueError, "A"),
    ("expm_skew-not-skew", lambda: gc.expm_skew(np.ones((3, 3))), ValueError, "Gamma"),
    ("expm_skew-shape", lambda: gc.expm_skew(np.zeros((2, 3))), ValueError, "Gamma"),
    ("expm_skew-nan", lambda: gc.expm_skew(np.full((2, 2), np.nan)), ValueError, "Gamma"),
    ("procrustes-shape", lambda: gc.procrustes(np.zeros((4, 2, 3))), ValueError, "B"),
    ("procrustes-group", lambda: gc.procrustes(np.zeros((4, 3, 3)), group="SU"), ValueError,
     "group"),
    # --- gauge tools ------------------------------------------------------------------------------
    ("apply_rotations-R-not-orthogonal", lambda: gc.apply_rotations(Z_OK, np.ones((3, 3))),
     ValueError, "R"),
    ("apply_rotations-R-shape", lambda: gc.apply_rotations(Z_OK, R_OK[:4]), ValueError, "R"),
    ("apply_rotations-Z-T<2", lambda: gc.apply_rotations(Z_OK[:1], np.eye(3)), ValueError, "Z"),
    ("apply_rotations-Z-nan", lambda: gc.apply_rotations(Z_NAN, np.eye(3)), ValueError, "Z"),
    ("gauge_invariant_loss-Gamma-shape", lambda: gc.gauge_invariant_loss(HAT, Z_OK, G_OK[:3]),
     ValueError, "Gamma"),
    ("gauge_invariant_loss-Gamma-not-skew",
     lambda: gc.gauge_invariant_loss(HAT, Z_OK, np.ones((5, 3, 3))), ValueError, "Gamma"),
    ("gauge_invariant_loss-Z", lambda: gc.gauge_invariant_loss(HAT, Z_NAN, G_OK), ValueError, "Z"),
    ("gauge_transform-Gamma_new", lambda: gc.gauge_transform(Z_OK, G_OK, G_OK[:, :2, :2]),
     ValueError, "Gamma_new"),
    ("gauge_transform-Gamma", lambda: gc.gauge_transform(Z_OK, np.ones((5, 3, 3)), G_OK),
     ValueError, "Gamma"),
    ("link_variables-R-T<2", lambda: gc.link_variables(np.eye(3)[None]), ValueError, "R"),
    ("link_variables-R-not-orthogonal", lambda: gc.link_variables(np.ones((4, 3, 3))), ValueError,
     "R"),
    ("covariant_difference-U-shape", lambda: gc.covariant_difference(Z_OK, R_OK), ValueError, "U"),
    ("holonomy-U-ndim", lambda: gc.holonomy(np.eye(3)), ValueError, "U"),
    ("gauge_fix-reference", lambda: gc.gauge_fix(R_OK, "middle"), ValueError, "reference"),
    ("gauge_fix-R-ndim", lambda: gc.gauge_fix(np.eye(3)), ValueError, "R"),
    ("exact_gauge_step-group", lambda: gc.exact_gauge_step(Z_OK, group="GL"), ValueError, "group"),
    ("exact_gauge_step-reference", lambda: gc.exact_gauge_step(Z_OK, reference=0), TypeError,
     "reference"),
    ("exact_gauge_step-reference-name", lambda: gc.exact_gauge_step(Z_OK, reference="middle"),
     ValueError, "reference"),
    ("gauge_at_start-on-ring", lambda: gc.Run(HAT_RING, np.ones((5, 2, 1)), "gauge",
                                               gauge_at_start=True), ValueError, "ring"),
    ("exact_gauge_step-Z-ndim", lambda: gc.exact_gauge_step(Z_OK[0]), ValueError, "Z"),
    ("exact_gauge_step-Z-T<2", lambda: gc.exact_gauge_step(Z_OK[:1]), ValueError, "Z"),
    ("twist_profile-frame-range", lambda: gc.twist_profile(Z_OK, 5), ValueError, "frame"),
    ("twist_profile-frame-shape", lambda: gc.twist_profile(Z_OK, np.ones((3, 3))), ValueError,
     "frame"),
    ("angle_profiles-frame-shape", lambda: gc.angle_profiles(np.ones((2, 5, 2, 3)), np.ones((2, 2))),
     ValueError, "frame"),
    ("alignment-first", lambda: gc.alignment(Z_OK, first=5), ValueError, "first"),
    ("alignment-last", lambda: gc.alignment(Z_OK, last=-6), ValueError, "last"),
    ("alignment-last-float", lambda: gc.alignment(Z_OK, last=1.0), TypeError, "last"),
    # --- spectra ----------------------------------------------------------------------------------
    ("goldstone_modes-T<2", lambda: gc.goldstone_modes(1), ValueError, "T"),
    ("twist_mode-nu>=T", lambda: gc.twist_mode(5, 5), ValueError, "nu"),
    ("twist_mode-nu<0", lambda: gc.twist_mode(5, -1), ValueError, "nu"),
    ("twist_mode-d<2", lambda: gc.twist_mode(5, 1, d=1), ValueError, "d"),
    ("twist_mode-amplitude-nan", lambda: gc.twist_mode(5, 1, np.nan), ValueError, "amplitude"),
    ("twist_mode-radius", lambda: gc.twist_mode(5, 1, radius=-1.0), ValueError, "radius"),
    ("twist_mode-phases", lambda: gc.twist_mode(5, 1, N=2, phases=[0.0]), ValueError, "phases"),
    ("mode_amplitudes-theta", lambda: gc.mode_amplitudes([1.0]), ValueError, "theta"),
    ("mode_amplitudes-theta-ndim", lambda: gc.mode_amplitudes(np.ones((2, 2))), ValueError,
     "theta"),
    ("gd_decay_factor-lr", lambda: gc.gd_decay_factor(5, 1.0, 0.0), ValueError, "lr"),
    ("gd_decay_factor-T", lambda: gc.gd_decay_factor(1, 1.0, 0.1), ValueError, "T"),
    ("fd_hessian-eps", lambda: gc.fd_hessian(HAT, Z_OK, eps=0.0), ValueError, "eps"),
    ("fd_hessian-Z", lambda: gc.fd_hessian(HAT, Z_OK[:, :2]), ValueError, "Z"),
    ("fd_hessian-too-big",
     lambda: gc.fd_hessian(gc.MexicanHatChain(1000, 1.0, N=2), np.zeros((1000, 2, 2))),
     ValueError, "Z"),
    # --- symmetry subspace ------------------------------------------------------------------------
    ("exact_change-coupling", lambda: gc.exact_change(G_OK, Z_OK, "chain"), TypeError,
     "coupling"),
    ("exact_change-Z-T", lambda: gc.exact_change(G_OK, Z_OK, gc.Coupling(6, 1.0)),
     ValueError, "Z"),
    ("exact_change-Gamma", lambda: gc.exact_change(G_OK[:, :2, :2], Z_OK, C_OK), ValueError,
     "Gamma"),
    ("exact_change-Gamma-nan", lambda: gc.exact_change(G_OK * np.nan, Z_OK, C_OK),
     ValueError, "Gamma"),
    ("p2_objective-coupling", lambda: gc.p2_objective(G_OK, Z_OK, 1.0), TypeError, "coupling"),
    ("p2_objective-ring", lambda: gc.p2_objective(G_OK, Z_OK, gc.Coupling(5, 1.0, ring=True)),
     ValueError, "coupling"),
    ("p2_objective-weighted",
     lambda: gc.p2_objective(G_OK, Z_OK, gc.Coupling(5, 1.0, weights=[1, 2, 1, 1])), ValueError,
     "coupling"),
    ("p2_objective-Z", lambda: gc.p2_objective(G_OK, Z_OK[0], C_OK), ValueError, "Z"),
    ("p2_objective-Gamma", lambda: gc.p2_objective(G_OK[:4], Z_OK, C_OK), ValueError, "Gamma"),
    # --- optimize ---------------------------------------------------------------------------------
    ("optimize-model", lambda: gc.optimize("hat", Z_OK, "gd", 1), TypeError, "model"),
    ("optimize-method", lambda: gc.optimize(HAT, Z_OK, "sgd", 1), ValueError, "method"),
    ("optimize-method-type", lambda: gc.optimize(HAT, Z_OK, None, 1), TypeError, "method"),
    ("optimize-steps<0", lambda: gc.optimize(HAT, Z_OK, "gd", -1), ValueError, "steps"),
    ("optimize-steps-float", lambda: gc.optimize(HAT, Z_OK, "gd", 2.0), TypeError, "steps"),
    ("optimize-lr<=0", lambda: gc.optimize(HAT, Z_OK, "gd", 1, lr=0.0), ValueError, "lr"),
    ("optimize-lr-negative", lambda: gc.optimize(HAT, Z_OK, "adam", 1, lr=-0.1), ValueError, "lr"),
    ("optimize-lr-nan", lambda: gc.optimize(HAT, Z_OK, "gd", 1, lr=np.nan), ValueError, "lr"),
    ("optimize-lr-str", lambda: gc.optimize(HAT, Z_OK, "gd", 1, lr="0.1"), TypeError, "lr"),
    ("optimize-Z0-shape", lambda: gc.optimize(HAT, Z_OK[:, :2], "gd", 1), ValueError, "Z0"),
    ("optimize-Z0-nan", lambda: gc.optimize(HAT, Z_NAN, "gd", 1), ValueError, "Z0"),
    ("optimize-Z0-overflow", lambda: gc.optimize(HAT, Z_OK * 1e200, "gd", 1), ValueError, "Z0"),
    ("optimize-clip", lambda: gc.optimize(HAT, Z_OK, "gd", 1, clip=0.0), ValueError, "clip"),
    ("optimize-decay", lambda: gc.optimize(HAT, Z_OK, "gd", 1, decay=-5.0), ValueError, "decay"),
    ("optimize-k1", lambda: gc.optimize(HAT, Z_OK, "goldstone", 1, k1=0), ValueError, "k1"),
    ("optimize-k2", lambda: gc.optimize(HAT, Z_OK, "goldstone", 1, k2=-1), ValueError, "k2"),
    ("optimize-inner", lambda: gc.optimize(HAT, Z_OK, "goldstone", 1, inner="lbfgs"), ValueError,
     "inner"),
    ("optimize-step_scale", lambda: gc.optimize(HAT, Z_OK, "goldstone", 1, step_scale=0.0),
     ValueError, "step_scale"),
    ("optimize-apply", lambda: gc.optimize(HAT, Z_OK, "goldstone", 1, apply="cayley"), ValueError,
     "apply"),
    ("optimize-group", lambda: gc.optimize(HAT, Z_OK, "gauge", 1, group="U"), ValueError, "group"),
    ("optimize-reference", lambda: gc.optimize(HAT, Z_OK, "gauge", 1, reference="middle"),
     ValueError, "reference"),
    ("optimize-beta1", lambda: gc.optimize(HAT, Z_OK, "adam", 1, beta1=1.0), ValueError, "beta1"),
    ("optimize-beta2", lambda: gc.optimize(HAT, Z_OK, "adam", 1, beta2=-0.1), ValueError, "beta2"),
    ("optimize-eps", lambda: gc.optimize(HAT, Z_OK, "adam", 1, eps=0.0), ValueError, "eps"),
    ("optimize-callback", lambda: gc.optimize(HAT, Z_OK, "gd", 1, callback=3), TypeError,
     "callback"),
    ("optimize-snapshots-negative", lambda: gc.optimize(HAT, Z_OK, "gd", 1, snapshots=[-1]),
     ValueError, "snapshots"),
    ("optimize-snapshots-float", lambda: gc.optimize(HAT, Z_OK, "gd", 1, snapshots=[1.5]),
     TypeError, "snapshots"),
    ("optimize-gauge-on-ring", lambda: gc.optimize(HAT_RING, np.ones((5, 2, 1)), "gauge", 1),
     ValueError, "ring"),
    ("Run.advance-steps", lambda: gc.Run(HAT, Z_OK, "gd").advance(-1), ValueError, "steps"),
    ("optimize-beta", lambda: gc.optimize(HAT, Z_OK, "momentum", 1, beta=1.0), ValueError, "beta"),
    ("optimize-beta-str", lambda: gc.optimize(HAT, Z_OK, "nesterov", 1, beta="0.9"), TypeError,
     "beta"),
    ("optimize-gauge_at_start-gd", lambda: gc.optimize(HAT, Z_OK, "gd", 1, gauge_at_start=True),
     ValueError, "gauge_at_start"),
    ("optimize-gauge_at_start-int", lambda: gc.optimize(HAT, Z_OK, "gauge", 1, gauge_at_start=1),
     TypeError, "gauge_at_start"),
    ("optimize-recorders", lambda: gc.optimize(HAT, Z_OK, "gd", 1, recorders=[3]), TypeError,
     "recorders"),
    ("Run.curves_since", lambda: gc.Run(HAT, Z_OK, "gd").curves_since(-1), ValueError, "k"),
    # --- tuning -----------------------------------------------------------------------------------
    ("tuned_momentum-h_min", lambda: gc.tuned_momentum(-1.0, 2.0), ValueError, "h_min"),
    ("tuned_momentum-h_max", lambda: gc.tuned_momentum(2.0, 1.0), ValueError, "h_max"),
    ("tuned_momentum-method", lambda: gc.tuned_momentum(1.0, 2.0, "gd"), ValueError, "method"),
    ("tuned_rate-method", lambda: gc.tuned_rate(1.0, 2.0, "adam"), ValueError, "method"),
    ("spectrum_bounds-model", lambda: gc.spectrum_bounds("hat"), TypeError, "model"),
    ("spectrum_bounds-Z-missing",
     lambda: gc.spectrum_bounds(gc.DynamicFactorization(X_OK, 2, 1.0, T=3)), ValueError, "Z"),
    ("hessian_extremes-method", lambda: gc.hessian_extremes(HAT, Z_OK, method="qr"), ValueError,
     "method"),
    ("hessian_extremes-iterations", lambda: gc.hessian_extremes(HAT, Z_OK, iterations=1),
     ValueError, "iterations"),
    ("iterations_to_converge-loss", lambda: gc.iterations_to_converge(np.ones((2, 2)), 0.0),
     ValueError, "loss"),
    ("iterations_to_converge-loss-empty", lambda: gc.iterations_to_converge([], 0.0), ValueError,
     "loss"),
    ("iterations_to_converge-tol", lambda: gc.iterations_to_converge([1.0], 0.0, tol=0.0),
     ValueError, "tol"),
    ("iterations_to_converge-target", lambda: gc.iterations_to_converge([1.0], np.nan),
     ValueError, "target"),
    # --- ratings ----------------------------------------------------------------------------------
    ("drifting_ratings-T", lambda: gc.drifting_ratings(1, 2, 2), ValueError, "T"),
    ("drifting_ratings-ratings_per_step", lambda: gc.drifting_ratings(3, 2, 2, ratings_per_step=0),
     ValueError, "ratings_per_step"),
    ("drifting_ratings-drift", lambda: gc.drifting_ratings(3, 2, 2, drift=-0.1), ValueError,
     "drift"),
    ("drifting_ratings-test_fraction", lambda: gc.drifting_ratings(3, 2, 2, test_fraction=1.0),
     ValueError, "test_fraction"),
    ("drifting_ratings-rng", lambda: gc.drifting_ratings(3, 2, 2, rng="x"), TypeError, "rng"),
]


@pytest.mark.parametrize("call,exc,param", [pytest.param(c, e, p, id=i) for i, c, e, p in CASES])
def test_bad_input_raises_naming_the_parameter(call, exc, param):
    """Every bad argument raises ValueError/TypeError whose message
    names the parameter."""
    with pytest.raises(exc, match=rf"\b{param}\b"):
        call()


# Public functions whose validation was added after this suite found the gaps (each used to raise a
# raw numpy/Python error, IndexError, AttributeError or a matmul ValueError, or return NaN).
MISSING = [
    ("p1_objective-Gamma-nan", lambda: gc.p1_objective(G_OK * np.nan, Z_OK, C_OK), ValueError,
     "Gamma"),
    ("p1_objective-Gamma-shape", lambda: gc.p1_objective(G_OK[:3], Z_OK, C_OK), ValueError,
     "Gamma"),
    ("p1_objective-coupling", lambda: gc.p1_objective(G_OK, Z_OK, "chain"), TypeError, "coupling"),
    ("p1_objective-Z", lambda: gc.p1_objective(G_OK, Z_OK[:3], C_OK), ValueError, "Z"),
    ("p1_gradient-Gamma-shape", lambda: gc.p1_gradient(G_OK[:, :2, :2], Z_OK, C_OK), ValueError,
     "Gamma"),
    ("transport_matrices-Z-shape", lambda: gc.transport_matrices(Z_OK[:3], C_OK), ValueError, "Z"),
    ("transport_matrices-coupling", lambda: gc.transport_matrices(Z_OK, None), TypeError,
     "coupling"),
    ("gauge_invariant_loss-model", lambda: gc.gauge_invariant_loss("hat", Z_OK, G_OK), TypeError,
     "model"),
    ("fd_hessian-model", lambda: gc.fd_hessian("hat", Z_OK), TypeError, "model"),
    ("holonomy-U-not-square", lambda: gc.holonomy(np.zeros((3, 2, 3))), ValueError, "U"),
    ("rotation_angle-R-not-square", lambda: gc.rotation_angle(np.zeros((2, 3))), ValueError, "R"),
    ("optimize-snapshots-int", lambda: gc.optimize(HAT, Z_OK, "gd", 1, snapshots=5), TypeError,
     "snapshots"),
    ("iterations_to_converge-loss-str", lambda: gc.iterations_to_converge(["a"], 0.0), TypeError,
     "loss"),
]


@pytest.mark.parametrize("call,exc,param", [pytest.param(c, e, p, id=i) for i, c, e, p in MISSING])
def test_unvalidated_public_functions(call, exc, param):
    """The same contract for the remaining public functions."""
    with pytest.raises(exc, match=rf"\b{param}\b"):
        call()

