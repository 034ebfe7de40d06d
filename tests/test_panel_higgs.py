"""Chapter 06's panels (widgets/higgs.py): every control changes the figure, extremes never raise
or draw NaN, Reset restores the canonical setting, the convergence runs play live (points appear
as runs converge) and the measured slopes are what the chapter says."""
import widget_checks as wc  # noqa: I001  (panel test helpers)

import numpy as np
import pytest

import gauge_core as gc
from gauge_core import experiments as ex
from widgets import higgs as H


@pytest.fixture(scope="module")
def spectrum():
    return H.higgs_spectrum_panel()


@pytest.fixture
def convergence():
    return H.higgs_convergence_panel()


# --- spectrum panel ----------------------------------------------------------------------------------
def test_spectrum_constructs_clean(spectrum):
    assert spectrum.error is None and spectrum.caption.value
    assert spectrum.live is not None
    wc.assert_finite(spectrum.fig)


def test_spectrum_controls_change_figure_and_reset(spectrum):
    wc.check_every_control_changes_figure(spectrum)
    limits = wc.axes_limits(spectrum.fig)
    spectrum.set(T=128, lam=100.0)
    spectrum.reset()
    assert wc.axes_limits(spectrum.fig) == limits


def test_spectrum_extremes(spectrum):
    for T in (4, 128):
        for lam in (0.01, 100.0):
            spectrum.set(T=T, lam=lam)
            assert spectrum.error is None, (T, lam, spectrum.error)
            wc.assert_finite_data(spectrum.fig)
            # gapless before (kappa ~ 4T^2/pi^2, any lam), flat after
            assert spectrum.kappa["sym"] == pytest.approx(4 * T * T / np.pi ** 2, rel=0.25)
            assert spectrum.kappa["pre"] == pytest.approx(1.0, abs=1e-8)
            assert spectrum.kappa["full"] > spectrum.kappa["sym"]
    wc.assert_finite(spectrum.fig)
    spectrum.reset()


def test_spectrum_points_are_the_numerical_eigenvalues(spectrum):
    spectrum.reset()
    _, sym = spectrum.l_sym.get_data()
    H_ = gc.symmetry_hessian(ex.aligned_minimum(32), gc.Coupling(32, 1.0))
    np.testing.assert_allclose(sym, np.linalg.eigvalsh(H_)[1:], rtol=1e-9)
    _, pre = spectrum.l_pre.get_data()
    np.testing.assert_allclose(pre, 1.0, atol=1e-9)


# --- convergence panel -------------------------------------------------------------------------------
def test_convergence_autoplays_from_empty(convergence):
    """Nothing is precomputed: the panel starts empty and playing; points appear as runs finish."""
    assert convergence.error is None
    assert convergence.live.playing and not convergence.player.done
    assert all(line.get_xdata().size == 0 for line in convergence.pts.values())
    seen = []
    while not convergence.player.done:
        wc.play_chunk(convergence)
        seen.append(sum(line.get_xdata().size for line in convergence.pts.values()))
    assert seen == sorted(seen) and seen[-1] == len(convergence.runs)
    assert len(set(seen)) > 3  # the points arrived over several frames, not all at once
    wc.assert_finite(convergence.fig)


def test_convergence_slopes(convergence):
    """GD: slope 2 +- 0.15 (T <= 32) and within 1 % of its theory; tuned momentum slope 1 (its
    iterations grow like sqrt(kappa) ~ T); the exact gauge step flat; Goldstone-GD between."""
    convergence.player.run_to_end()
    s = convergence.slopes
    assert s["gd"] == pytest.approx(2.0, abs=0.15)
    assert s["momentum"] == pytest.approx(1.0, abs=0.1)
    assert abs(s["gauge"]) < 0.3
    assert 0.5 < s["goldstone"] < 1.2
    T, k = convergence.data["gd"]
    pred = [gc.predicted_gd_iterations(int(t), 1.0, 1 / 12) for t in T]
    np.testing.assert_allclose(k, pred, rtol=0.01)
    assert convergence.data["gauge"][1].max() <= 20
    assert "slope" in wc.texts(convergence.fig)


def test_convergence_lambda_restarts_live_and_reset(convergence):
    convergence.player.run_to_end()
    default = wc.snapshot(convergence.fig)
    convergence.controls["lam"].value = 10.0
    assert convergence.error is None
    assert convergence.live.playing and not convergence.player.done  # the new λ plays
    assert wc.changed(default, wc.snapshot(convergence.fig))  # theory line moved at once
    convergence.player.run_to_end()
    assert abs(convergence.slopes["gd"] - 2.0) < 0.15
    assert convergence.data["gauge"][1].max() > 20  # smaller eta: the radial relaxation is slower
    convergence.reset()
    assert convergence.state == convergence.defaults
    convergence.player.run_to_end()
    assert not wc.changed(default, wc.snapshot(convergence.fig))


def test_convergence_extremes(convergence):
    w = convergence.controls["lam"]
    for v in (w.base ** w.min, w.base ** w.max):
        w.value = v
        wc.play_chunk(convergence, 3)
        assert convergence.error is None
        wc.assert_finite(convergence.fig)
