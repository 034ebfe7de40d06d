"""Heavy-ball momentum and Nesterov (inner steps of every method), their tuning from the spectrum,
the gauge-fixed start, and the cheap live curves of a Run.

- update rules against hand-written reference loops (Polyak's heavy ball
  ``x_{k+1} = x_k - lr g(x_k) + beta (x_k - x_{k-1})``; Sutskever's form of Nesterov);
- the tuned heavy ball contracts every mode of a quadratic with the chain Laplacian spectrum by
  ``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)`` per step, measured from a run;
- ``spectrum_bounds`` of the Mexican-hat chain (closed forms) against the finite-difference Hessian,
  and the Lanczos route against the dense one;
- ``gauge_at_start``: flat twist profile, local loss unchanged, coupling not increased.
"""
from __future__ import annotations

import numpy as np
import pytest

import gauge_core as gc


class CouplingOnly(gc.EmbeddingModel):
    """A quadratic: no local loss, only the coupling; its Hessian is the chain Laplacian (x) I."""

    def _local(self, Z):
        return 0.0, np.zeros_like(Z)


def _hat(T=6, **kw):
    return gc.MexicanHatChain(T, 1.3, d=2, N=2, **kw)


# --- update rules -------------------------------------------------------------------------------
def test_heavy_ball_update_rule_against_polyak(rng):
    model = _hat()
    Z0 = model.random_init(rng, scale=0.8)
    lr, beta = 0.03, 0.7
    res = gc.optimize(model, Z0, "momentum", 6, lr=lr, beta=beta, snapshots=range(7))
    prev, Z = Z0, Z0
    for k in range(1, 7):
        prev, Z = Z, Z - lr * model.grad(Z) + beta * (Z - prev)
        np.testing.assert_allclose(res.snapshots[k], Z, rtol=1e-12, atol=1e-14)


def test_nesterov_update_rule_against_sutskever(rng):
    """v <- beta v - lr g(x + beta v), x <- x + v; the run's iterate is the look-ahead point
    y = x + beta v, at which the gradient is taken."""
    model = _hat()
    Z0 = model.random_init(rng, scale=0.8)
    lr, beta = 0.03, 0.6
    res = gc.optimize(model, Z0, "nesterov", 6, lr=lr, beta=beta, snapshots=range(7))
    x, v = Z0, np.zeros_like(Z0)
    for k in range(1, 7):
        v = beta * v - lr * model.grad(x + beta * v)
        x = x + v
        np.testing.assert_allclose(res.snapshots[k], x + beta * v, rtol=1e-12, atol=1e-14)


def test_momentum_with_beta_zero_is_gd(rng):
    model = _hat()
    Z0 = model.random_init(rng)
    gd = gc.optimize(model, Z0, "gd", 20, lr=0.02)
    for method in ("momentum", "nesterov"):
        np.testing.assert_array_equal(gc.optimize(model, Z0, method, 20, lr=0.02, beta=0.0).Z,
                                      gd.Z)


@pytest.mark.parametrize("inner", ["momentum", "nesterov"])
def test_momentum_inner_of_the_gauge_method_rotates_its_velocity(inner, rng):
    """As the inner optimiser of the exact gauge method the velocity is rotated with Z by each
    gauge step: a reference loop doing exactly that reproduces the run."""
    model = _hat(T=7)
    Z0 = model.random_init(rng)
    k1, lr, beta = 4, 0.02, 0.8
    res = gc.optimize(model, Z0, "gauge", 12, lr=lr, beta=beta, k1=k1, inner=inner)
    Z, v = Z0.copy(), np.zeros_like(Z0)
    for k in range(12):
        if inner == "momentum":
            v = beta * v + lr * model.grad(Z)
            Z = Z - v
        else:
            g = lr * model.grad(Z)
            v = beta * v - g
            Z = Z - (g - beta * v)
        if (k + 1) % k1 == 0:
            Z, R = gc.exact_gauge_step(Z)
            v = np.matmul(R, v)
    np.testing.assert_allclose(res.Z, Z, rtol=1e-11, atol=1e-13)
    assert gc.optimize(model, Z0, "goldstone", 12, lr=lr, beta=beta, k1=k1, inner=inner).loss[-1] \
        < res.loss[0]


# --- tuning from the spectrum -------------------------------------------------------------------
def _mode_envelopes(Zs, T):
    """Per Goldstone mode, D_k = sqrt(c_k^2 - c_{k-1} c_{k+1}): exactly |b| r^k for a mode
    c_k = (a + b k) r^k (double root) and A r^k |sin theta| for c_k = A r^k cos(k theta + phi)."""
    c = np.asarray(Zs)[:, :, 0, 0] @ gc.goldstone_modes(T)
    return np.sqrt(np.abs(c[1:-1] ** 2 - c[:-2] * c[2:]))


@pytest.mark.parametrize("T", [8, 16])
def test_tuned_heavy_ball_rate_matches_polyak_on_the_chain_spectrum(T, rng):
    """On psi alone (Hessian = chain Laplacian, h_1 .. h_{T-1}) heavy ball with the tuned lr and
    beta contracts every non-zero mode by (sqrt(kappa) - 1) / (sqrt(kappa) + 1) per step; the rate
    is measured from a run (per-mode envelopes), not from the formula."""
    lam = 1.0
    model = CouplingOnly(T, 1, 1, lam)
    h = np.linalg.eigvalsh(model.coupling.laplacian)  # numerically, not the dispersion formula
    h_min, h_max = h[1], h[-1]
    tuned = gc.tuned_momentum(h_min, h_max, "momentum")
    kappa = h_max / h_min
    rate = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    assert gc.tuned_rate(h_min, h_max, "momentum") == pytest.approx(rate, rel=1e-14)
    steps = 40
    res = gc.optimize(model, rng.standard_normal(model.shape), "momentum", steps,
                      snapshots=range(steps + 1), **tuned)
    D = _mode_envelopes([res.snapshots[k] for k in range(steps + 1)], T)[:, 1:]
    measured = D[1:] / D[:-1]
    np.testing.assert_allclose(measured, rate, rtol=1e-6)
    # plain GD at its best step 2/(h_min + h_max) is far slower: (kappa - 1)/(kappa + 1) per step
    assert gc.tuned_rate(h_min, h_max, "gd") > rate ** 0.5


def test_tuned_nesterov_slowest_mode_contracts_by_one_minus_inverse_root_kappa(rng):
    T, lam = 12, 1.0
    model = CouplingOnly(T, 1, 1, lam)
    h = np.linalg.eigvalsh(model.coupling.laplacian)
    tuned = gc.tuned_momentum(h[1], h[-1], "nesterov")
    assert tuned["lr"] == pytest.approx(1 / h[-1])
    Z0 = gc.goldstone_modes(T)[:, 1].reshape(T, 1, 1)  # the slowest mode alone: a double root
    steps = 40
    res = gc.optimize(model, Z0, "nesterov", steps, snapshots=range(steps + 1), **tuned)
    D = _mode_envelopes([res.snapshots[k] for k in range(steps + 1)], T)[:, 1]
    np.testing.assert_allclose(D[1:] / D[:-1], gc.tuned_rate(h[1], h[-1], "nesterov"), rtol=1e-6)


def test_tuned_momentum_validation():
    with pytest.raises(ValueError, match="h_min"):
        gc.tuned_momentum(0.0, 1.0)
    with pytest.raises(ValueError, match="h_max"):
        gc.tuned_momentum(2.0, 1.0)
    with pytest.raises(ValueError, match="method"):
        gc.tuned_momentum(1.0, 2.0, "adam")


@pytest.mark.parametrize("T,lam,d,radius,ring", [(8, 1.0, 2, 1.0, False), (6, 0.3, 3, 1.4, False),
                                                 (7, 2.0, 2, 0.8, True)])
def test_spectrum_bounds_of_the_hat_chain_match_the_fd_hessian(T, lam, d, radius, ring):
    """Closed forms at the aligned minimum: h_min = h_1 of the Laplacian, h_max = 8 r^2 + h_{T-1}
    (the top radial mode), against the eigenvalues of the finite-difference Hessian."""
    model = gc.MexicanHatChain(T, lam, d=d, N=2, radius=radius, ring=ring)
    h_min, h_max = gc.spectrum_bounds(model)
    Z = np.zeros(model.shape)
    Z[:, 0, :] = radius  # every vector on the ring, the same at every step
    ev = np.linalg.eigvalsh(gc.fd_hessian(model, Z))
    live = ev[np.abs(ev) > 1e-6 * ev.max()]
    assert h_min == pytest.approx(live.min(), rel=1e-6)
    assert h_max == pytest.approx(live.max(), rel=1e-6)
    assert h_max <= 8 * radius ** 2 + 4 * lam
    assert gc.spectrum_bounds(model, Z) == pytest.approx((h_min, h_max), rel=1e-6)


def test_lanczos_extremes_match_the_dense_spectrum(rng):
    """Lanczos on finite-difference Hessian-vector products finds the same (h_min, h_max) as the
    dense finite-difference Hessian, here at the optimum of a dense factorisation (zero modes from
    the symmetry excluded)."""
    X = rng.standard_normal((3, 7)).T @ rng.standard_normal((3, 6))
    model = gc.DynamicFactorization(X, 3, 2.0, T=5)
    Z = np.repeat(gc.best_factorization(X, 3, T=1), 5, axis=0)
    dense = gc.hessian_extremes(model, Z, method="dense", rtol=1e-6)
    lanczos = gc.hessian_extremes(model, Z, method="lanczos", iterations=Z.size, rtol=1e-6)
    np.testing.assert_allclose(lanczos, dense, rtol=1e-5)
    with pytest.raises(ValueError, match="negative"):
        gc.hessian_extremes(model, model.random_init(0))


# --- gauge-fixed start --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["hat", "dense"])
def test_gauge_at_start_untwists_Z0_before_the_first_step(name, model_factory, rng):
    model = model_factory(name, d=2, T=9)
    Z0 = model.random_init(rng)
    run = gc.Run(model, Z0, "gauge", lr=0.01, gauge_at_start=True)
    start = run.Z
    # the twist is gone: the start is the exact gauge step's optimum, whose link rotations are all I
    np.testing.assert_allclose(start, gc.exact_gauge_step(Z0)[0], atol=1e-12)
    links = gc.procrustes(np.matmul(start[:-1], np.swapaxes(start[1:], 1, 2)), "SO")
    np.testing.assert_allclose(links, np.broadcast_to(np.eye(2), links.shape), atol=1e-9)
    assert model.local_loss(start) == pytest.approx(model.local_loss(Z0), rel=1e-12)
    assert model.coupling_loss(start) <= model.coupling_loss(Z0) * (1 + 1e-12)
    assert run.loss[0] == pytest.approx(model.loss(start), rel=1e-14)
    assert run.gauge_time > 0 and run.time[0] == run.gauge_time


def test_gauge_at_start_flattens_the_twist_profile():
    T = 16
    model = gc.MexicanHatChain(T, 1.0, d=2, N=1)
    Z0 = gc.twist_mode(T, 1, 1.2) * 1.1
    run = gc.Run(model, Z0, "gauge", lr=0.05, gauge_at_start=True)
    assert np.ptp(gc.twist_profile(Z0)) > 2.0
    assert np.ptp(gc.twist_profile(run.Z)) < 1e-12


def test_gauge_at_start_options_and_records():
    model = _hat(T=8)
    Z0 = model.random_init(3)
    starts = gc.PhaseStarts()
    run = gc.Run(model, Z0, "goldstone", lr=0.02, k1=5, gauge_at_start=True, recorders=[starts])
    assert [p["iteration"] for p in starts.phases] == [0]
    run.advance(5)
    assert [p["iteration"] for p in starts.phases] == [0, 5]
    # P1's phase at the start is a rotation too: the local loss does not move
    assert model.local_loss(starts.phases[1]["Z"]) > 0
    assert gc.Run(model, Z0, "goldstone", gauge_at_start=True).local_loss[0] == \
        pytest.approx(model.local_loss(Z0), rel=1e-12)
    with pytest.raises(ValueError, match="gauge_at_start"):
        gc.Run(model, Z0, "gd", gauge_at_start=True)


# --- live curves ------------------------------------------------------------------------------
def test_curves_are_read_only_views_and_curves_since_gives_the_new_part():
    model = _hat(T=8)
    run = gc.Run(model, model.random_init(0), "gauge", lr=0.02, k1=5)
    run.advance(3000)  # past the first growth of the buffers
    loss = run.loss
    assert loss.shape == (3001,) and not loss.flags.writeable
    with pytest.raises(ValueError):
        loss[0] = 0.0
    assert np.shares_memory(loss, run.loss)  # no copy
    np.testing.assert_array_equal(loss, run.result().loss)
    seen = run.iteration
    run.advance(7)
    new = run.curves_since(seen + 1)
    np.testing.assert_array_equal(new["iterations"], np.arange(seen + 1, seen + 8))
    np.testing.assert_array_equal(new["loss"], run.loss[seen + 1:])
    np.testing.assert_array_equal(new["loss"], new["local_loss"] + new["coupling_loss"])
    assert run.curves_since(10 ** 9)["loss"].size == 0
    assert run.current_loss == run.loss[-1]
