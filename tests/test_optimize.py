"""Optimisers: GD, Adam, AdaGrad, Goldstone-GD (P1 Algorithm 1) and the exact gauge step,
all in one Run engine."""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc

ALL_METHODS = ["gd", "momentum", "nesterov", "adam", "adagrad", "goldstone", "gauge"]


def _hat(T=10, lam=1.0, **kw):
    return gc.MexicanHatChain(T, lam, **kw)


def _assert_results_identical(a, b):
    for name in ("loss", "local_loss", "coupling_loss"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(a.Z, b.Z)
    assert a.iterations == b.iterations and a.diverged == b.diverged
    assert a.snapshots.keys() == b.snapshots.keys()
    for k in a.snapshots:
        np.testing.assert_array_equal(a.snapshots[k], b.snapshots[k])


@pytest.mark.parametrize("method", ALL_METHODS)
def test_result_arrays_have_length_iterations_plus_one(method):
    """per-iteration loss, local_loss, coupling_loss and wall time, start included."""
    model = _hat(d=3, N=2)
    Z0 = model.random_init(0, scale=0.5)
    res = gc.optimize(model, Z0, method, 37, lr=0.02, k1=10)
    assert res.method == method and res.iterations == 37 and not res.diverged
    assert res.diverged_at is None
    for arr in (res.loss, res.local_loss, res.coupling_loss, res.time):
        assert arr.shape == (38,)
        assert np.all(np.isfinite(arr))
    np.testing.assert_allclose(res.loss, res.local_loss + res.coupling_loss, rtol=1e-14)
    assert res.loss[0] == pytest.approx(model.loss(Z0), rel=1e-14)
    assert res.loss[-1] == pytest.approx(model.loss(res.Z), rel=1e-14)
    assert res.loss[-1] < res.loss[0]
    assert np.all(np.diff(res.time) >= 0) and res.time[0] == 0.0
    assert (res.gauge_time > 0) == (method in ("goldstone", "gauge"))


def test_zero_steps():
    """steps = 0 returns just the start."""
    model = _hat()
    Z0 = model.random_init(1)
    res = gc.optimize(model, Z0, "gd", 0, snapshots=[0, 5])
    assert res.iterations == 0 and res.loss.shape == (1,)
    np.testing.assert_array_equal(res.Z, Z0)
    assert list(res.snapshots) == [0]


@pytest.mark.parametrize("method", ["gd", "goldstone", "gauge"])
def test_divergence_is_detected_and_stops_cleanly(method):
    """a diverging run stops at the first non-finite loss, keeps only
    finite values, returns the last finite Z and sets diverged / diverged_at."""
    model = _hat(T=10, lam=1.0)
    Z0 = model.random_init(0)
    res = gc.optimize(model, Z0, method, 100, lr=10.0)
    assert res.diverged and res.diverged_at is not None
    assert res.iterations < 100
    assert res.diverged_at == res.iterations + 1
    assert res.loss.shape == (res.iterations + 1,)
    for arr in (res.loss, res.local_loss, res.coupling_loss, res.time):
        assert np.all(np.isfinite(arr))
    assert np.all(np.isfinite(res.Z))
    assert model.loss(res.Z) == pytest.approx(res.loss[-1], rel=1e-12)
    # the failing iterate really was non-finite: one more GD step from Z overflows
    with np.errstate(all="ignore"):
        nxt = res.Z - 10.0 * model.evaluate(res.Z)[2]
        assert not (np.all(np.isfinite(nxt)) and np.isfinite(model.evaluate(nxt)[0]))


def test_run_refuses_non_finite_start():
    """a start whose loss overflows is rejected up front."""
    model = _hat()
    with pytest.raises(ValueError, match="Z0"):
        gc.Run(model, np.full(model.shape, 1e200), "gd")


def test_snapshots():
    """snapshots at requested iterations that were reached, as copies."""
    model = _hat(d=2, N=2)
    Z0 = model.random_init(2)
    res = gc.optimize(model, Z0, "gauge", 30, lr=0.02, k1=7, snapshots=[0, 7, np.int64(20), 99])
    assert sorted(res.snapshots) == [0, 7, 20]
    np.testing.assert_array_equal(res.snapshots[0], Z0)
    short = gc.optimize(model, Z0, "gauge", 20, lr=0.02, k1=7)
    np.testing.assert_array_equal(res.snapshots[20], short.Z)
    assert model.loss(res.snapshots[7]) == pytest.approx(res.loss[7], rel=1e-14)


def test_callback_false_stops_and_none_continues():
    """callback(iteration, Z) after every iteration; returning
    False stops the run, anything else continues."""
    model = _hat()
    Z0 = model.random_init(3)
    seen = []

    def stop_at_5(k, Z):
        seen.append((k, model.loss(Z)))
        return False if k == 5 else None

    res = gc.optimize(model, Z0, "gd", 50, lr=0.02, callback=stop_at_5)
    assert res.iterations == 5 and res.loss.shape == (6,)
    assert [k for k, _ in seen] == [1, 2, 3, 4, 5]
    np.testing.assert_allclose([v for _, v in seen], res.loss[1:], rtol=1e-14)
    assert not res.diverged
    res_all = gc.optimize(model, Z0, "gd", 12, lr=0.02, callback=lambda k, Z: 0)
    assert res_all.iterations == 12


@pytest.mark.parametrize("method", ALL_METHODS)
def test_run_advance_in_chunks_is_bit_identical(method):
    """Run.advance in chunks gives bit-identical results to
    one optimize call (the optimiser state, including warm-started gauge fields, carries over)."""
    model = _hat(T=9, d=3, N=2)
    Z0 = model.random_init(4, scale=0.7)
    kw = dict(lr=0.03, k1=6, k2=4, snapshots=[5, 17, 40])
    whole = gc.optimize(model, Z0, method, 45, **kw)
    run = gc.Run(model, Z0, method, **kw)
    done = sum(run.advance(k) for k in (1, 6, 0, 13, 25))
    assert done == 45
    _assert_results_identical(whole, run.result())


@pytest.mark.parametrize("method", ALL_METHODS)
def test_same_seed_same_result(method):
    """the same seed gives bit-identical runs."""
    model = gc.DynamicFactorization(np.random.default_rng(0).standard_normal((4, 5)), 2, 3.0, T=6)
    a = gc.optimize(model, model.random_init(7), method, 30, lr=0.01, k1=10)
    b = gc.optimize(model, model.random_init(np.random.default_rng(7)), method, 30, lr=0.01, k1=10)
    _assert_results_identical(a, b)


@pytest.mark.parametrize("method", ALL_METHODS)
def test_inputs_are_never_modified(method):
    """optimize does not modify Z0, the data X or the model."""
    X = np.random.default_rng(1).standard_normal((6, 4, 5))
    X_before = X.copy()
    model = gc.DynamicFactorization(X, 2, 1.0)
    Z0 = model.random_init(5)
    Z0_before = Z0.copy()
    res = gc.optimize(model, Z0, method, 25, lr=0.01, k1=5, snapshots=[3])
    np.testing.assert_array_equal(Z0, Z0_before)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(model.X, X_before)
    res.snapshots[3][:] = 0.0  # snapshots are copies, not views of the live state
    assert np.any(res.Z != 0)


# --- the update rules, step by step ---------------------------------------------------------------
def test_gd_update_rule_with_clip_and_decay(rng):
    """P1 §5.1 baseline: clipped GD, rho_s = rho_0 (s_bar / (s + s_bar))^0.7, gradients clipped to
    [-g_bar, g_bar]."""
    model = _hat(T=5, d=2, N=2)
    Z = model.random_init(rng)
    lr, clip, s_bar = 0.5, 0.05, 3.0
    res = gc.optimize(model, Z, "gd", 4, lr=lr, clip=clip, decay=s_bar, snapshots=range(5))
    for s in range(4):
        g = np.clip(model.grad(Z), -clip, clip)
        Z = Z - lr * (s_bar / (s + s_bar)) ** 0.7 * g
        np.testing.assert_allclose(res.snapshots[s + 1], Z, rtol=1e-13, atol=1e-15)
    plain = gc.optimize(model, res.snapshots[0], "gd", 1, lr=lr)
    np.testing.assert_allclose(plain.Z, res.snapshots[0] - lr * model.grad(res.snapshots[0]),
                               rtol=1e-14)


def test_adam_update_rule(rng):
    """P1 §5 (Adam, Kingma & Ba): bias-corrected first and second moments."""
    model = _hat(T=5, d=2, N=2)
    Z = model.random_init(rng)
    lr, b1, b2, eps = 0.01, 0.8, 0.99, 1e-6
    res = gc.optimize(model, Z, "adam", 3, lr=lr, beta1=b1, beta2=b2, eps=eps, snapshots=[1, 2, 3])
    m = np.zeros_like(Z)
    v = np.zeros_like(Z)
    for k in range(1, 4):
        g = model.grad(Z)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        Z = Z - lr * (m / (1 - b1 ** k)) / (np.sqrt(v / (1 - b2 ** k)) + eps)
        np.testing.assert_allclose(res.snapshots[k], Z, rtol=1e-13)


def test_adagrad_update_rule(rng):
    """P1 §5.2 baseline (AdaGrad): step lr g / (sqrt(sum g^2) + eps)."""
    model = _hat(T=5, d=2, N=2)
    Z = model.random_init(rng)
    lr = 0.1
    res = gc.optimize(model, Z, "adagrad", 3, lr=lr, snapshots=[1, 2, 3])
    acc = np.zeros_like(Z)
    for k in range(1, 4):
        g = model.grad(Z)
        acc += g * g
        Z = Z - lr * g / (np.sqrt(acc) + 1e-8)
        np.testing.assert_allclose(res.snapshots[k], Z, rtol=1e-13)


def test_default_learning_rates():
    """Default lr 0.01 (gd, momentum, nesterov, adam) and 0.1 (adagrad)."""
    model = _hat()
    Z0 = model.random_init(0)
    assert gc.Run(model, Z0, "gd").lr == 0.01
    assert gc.Run(model, Z0, "momentum").lr == gc.Run(model, Z0, "nesterov").lr == 0.01
    assert gc.Run(model, Z0, "adam").lr == 0.01
    assert gc.Run(model, Z0, "adagrad").lr == 0.1
    assert gc.Run(model, Z0, "goldstone", inner="adagrad").lr == 0.1
    assert set(gc.METHODS) == set(ALL_METHODS)


# --- the gauge methods ----------------------------------------------------------------------------
def test_gauge_method_is_gd_plus_exact_step_every_k1(rng):
    """Method 'gauge' = the inner optimiser plus the exact gauge step after every
    k1 inner steps."""
    model = _hat(T=8, d=3, N=3)
    Z0 = model.random_init(rng)
    k1, lr = 5, 0.02
    res = gc.optimize(model, Z0, "gauge", 2 * k1, lr=lr, k1=k1, snapshots=[k1 - 1, k1])
    Z = Z0.copy()
    for k in range(2 * k1):
        Z = Z - lr * model.grad(Z)
        if k == k1 - 2:
            np.testing.assert_allclose(res.snapshots[k1 - 1], Z, rtol=1e-12)
        if (k + 1) % k1 == 0:
            Z = gc.exact_gauge_step(Z)[0]
        if k == k1 - 1:
            np.testing.assert_allclose(res.snapshots[k1], Z, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(res.Z, Z, rtol=1e-11, atol=1e-13)


def test_goldstone_method_is_p1_algorithm_1(rng):
    """P1 Algorithm 1: k1 inner steps, then a gauge phase (Eq. 15 M, Eq. 17 step, k2 natural-
    gradient steps with L^+, transformation back), with warm-started gauge fields."""
    model = _hat(T=8, d=3, N=3, weights=rng.uniform(0.5, 2.0, 7))
    Z0 = model.random_init(rng)
    k1, k2, lr = 4, 3, 0.02
    res = gc.optimize(model, Z0, "goldstone", 3 * k1, lr=lr, k1=k1, k2=k2)
    Lplus = np.linalg.pinv(model.coupling.laplacian, hermitian=True)
    raw = np.zeros((8, 3, 3))
    Z = Z0.copy()
    for k in range(3 * k1):
        Z = Z - lr * model.grad(Z)
        if (k + 1) % k1 == 0:
            Z = gc.goldstone_phase(Z, raw, model.coupling, Lplus, k2)
    assert np.abs(raw).max() > 0  # warm start: the gauge fields persist between phases
    np.testing.assert_allclose(res.Z, Z, rtol=1e-11, atol=1e-13)


def test_goldstone_phase_natural_gradient_step_p1_eq16_eq17(rng):
    """P1 Eqs. 16-17: one step Gamma~ <- Gamma~ - rho' L^+ grad_{Gamma~} L'' from Gamma~ = 0, with
    rho' = step_scale * d / sum ||z||^2; the update is applied as Z_t <- exp(Gamma_t) Z_t."""
    T, d = 6, 3
    c = gc.Coupling(T, 2.0)
    Z = rng.standard_normal((T, d, 4))
    Lplus = np.linalg.pinv(c.laplacian)
    raw = np.zeros((T, d, d))
    Z_new = gc.goldstone_phase(Z, raw, c, Lplus, k2=1, step_scale=0.5)
    g = gc.p1_gradient(np.zeros((T, d, d)), Z, c)
    rho = 0.5 * d / np.sum(Z ** 2)
    expected_raw = -rho * np.einsum("ts,sij->tij", Lplus, g - np.swapaxes(g, 1, 2))
    np.testing.assert_allclose(raw, expected_raw, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(Z_new, np.matmul(gc.expm_skew(gc.skew(expected_raw)), Z),
                               rtol=1e-12, atol=1e-14)


def test_goldstone_phase_exp_keeps_local_loss_and_lowers_coupling():
    """a gauge step with an exact exp(Gamma) update leaves sum_t l unchanged [1e-10]
    and lowers psi on a twisted chain."""
    T = 16
    model = _hat(T=T, lam=1.0, d=3, N=2)
    Z = gc.twist_mode(T, 1, 1.0, d=3, N=2) * 1.1  # off the ring too: local loss > 0
    Lplus = np.linalg.pinv(model.coupling.laplacian)
    Z_new = gc.goldstone_phase(Z, np.zeros((T, 3, 3)), model.coupling, Lplus, k2=10)
    assert model.local_loss(Z_new) == pytest.approx(model.local_loss(Z), rel=1e-10)
    assert model.coupling_loss(Z_new) < 0.5 * model.coupling_loss(Z)


def test_goldstone_phase_linear_apply_inflates_norms_and_warm_start_flag(rng):
    """the truncated update I + Gamma is not orthogonal, (I+G)^T (I+G) = I - G^2 >= I,
    so norms never shrink; warm_start=False resets the gauge fields to zero (P1 keeps them)."""
    T = 8
    c = gc.Coupling(T, 1.0)
    Z = gc.twist_mode(T, 1, 1.0, d=3, N=2)
    Lplus = np.linalg.pinv(c.laplacian)
    raw = np.zeros((T, 3, 3))
    Z_lin = gc.goldstone_phase(Z, raw, c, Lplus, k2=5, apply="linear", warm_start=False)
    np.testing.assert_array_equal(raw, 0.0)
    assert np.all(np.linalg.norm(Z_lin, axis=1) >= np.linalg.norm(Z, axis=1) - 1e-14)
    assert np.linalg.norm(Z_lin) > np.linalg.norm(Z) + 1e-8
    raw2 = np.zeros((T, 3, 3))
    Z_exp = gc.goldstone_phase(Z, raw2, c, Lplus, k2=5, apply="exp", warm_start=True)
    assert np.abs(raw2).max() > 0
    np.testing.assert_allclose(np.linalg.norm(Z_exp, axis=1), np.linalg.norm(Z, axis=1), rtol=1e-12)


@pytest.mark.parametrize("options", [dict(apply="linear"), dict(warm_start=False),
                                     dict(inner="adam", lr=0.01), dict(inner="adagrad", lr=0.05),
                                     dict(step_scale=1.0), dict(k2=0)])
def test_goldstone_variants_run(options):
    """The controls of Goldstone-GD: the I + Gamma update, reset gauge fields, Adam or
    AdaGrad inner steps, P1's literal Eq. 17 scale, or no gauge steps at all all run and lower L."""
    model = _hat(T=12, d=2, N=2)
    Z0 = gc.twist_mode(12, 1, 0.8, N=2) * 1.05
    options = {"lr": 0.05, "k1": 10, **options}
    res = gc.optimize(model, Z0, "goldstone", 100, **options)
    assert not res.diverged and np.all(np.isfinite(res.loss))
    assert res.loss[-1] < 0.5 * res.loss[0]


def test_goldstone_on_a_ring_untwists_and_gauge_refuses_it():
    """on a ring P1's iterative method still applies; the exact step does not exist."""
    T = 12
    model = gc.MexicanHatChain(T, 1.0, d=2, N=1, ring=True)
    theta = 0.6 * np.sin(2 * np.pi * np.arange(T) / T)  # a smooth, winding-free ring twist
    Z0 = np.stack([np.cos(theta), np.sin(theta)], axis=1)[:, :, None]
    res = gc.optimize(model, Z0, "goldstone", 50, lr=0.05, k1=10)
    gd = gc.optimize(model, Z0, "gd", 50, lr=0.05)
    assert res.coupling_loss[-1] < 0.1 * gd.coupling_loss[-1]
    with pytest.raises(ValueError, match="ring"):
        gc.optimize(model, Z0, "gauge", 5)
    with pytest.raises(ValueError, match="ring"):
        gc.Run(model, Z0, "gauge")


def test_gauge_method_options_group_and_reference(rng):
    """the gauge method exposes SO/O links and the reference frame; 'last' and
    'first' runs differ only by a global rotation and have identical losses."""
    model = _hat(T=8, d=3, N=3)
    Z0 = model.random_init(rng)
    first = gc.optimize(model, Z0, "gauge", 20, lr=0.02, k1=5, reference="first")
    last = gc.optimize(model, Z0, "gauge", 20, lr=0.02, k1=5, reference="last")
    np.testing.assert_allclose(first.loss, last.loss, rtol=1e-10)
    G = gc.procrustes(np.matmul(first.Z[:1], np.swapaxes(last.Z[:1], 1, 2)), "O")[0]
    np.testing.assert_allclose(gc.apply_rotations(first.Z, G), last.Z, atol=1e-10)
    with_O = gc.optimize(model, Z0, "gauge", 20, lr=0.02, k1=5, group="O")
    assert with_O.loss[-1] <= first.loss[-1] + 1e-9


# --- iterations_to_converge -----------------------------------------------------------------------
def test_iterations_to_converge():
    """the relative loss gap, first k with
    loss[k] - target <= tol (loss[0] - target), else None."""
    loss = np.array([10.0, 5.0, 1.0, 0.1, 0.01, 0.001])
    assert gc.iterations_to_converge(loss, 0.0, 1e-2) == 3
    assert gc.iterations_to_converge(loss, 0.0, 1e-3) == 4
    assert gc.iterations_to_converge(loss, 0.0, 1e-5) is None
    assert gc.iterations_to_converge(loss, 1.0, 0.5) == 1  # 5 - 1 <= 0.5 * 9
    assert gc.iterations_to_converge(loss, 1.0, 0.4) == 2
    assert gc.iterations_to_converge(loss, 20.0) == 0  # already below the target
