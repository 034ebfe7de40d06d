"""Chapter 06's panels (widgets/higgs.py): every control changes the figure, extremes never raise
or draw NaN, Reset restores the canonical setting, the chunked runs stay out of the callback, and
the measured slopes are what the chapter says."""
import widget_checks as wc  # noqa: I001  (selects the ipympl backend first)

import numpy as np
import pytest

from widgets import higgs as H



@pytest.fixture(scope="module")
def spectrum():
    return H.higgs_spectrum_panel()


@pytest.fixture(scope="module")
def convergence():
    return H.higgs_convergence_panel()


# --- spectrum panel ----------------------------------------------------------------------------------
def test_spectrum_constructs_clean(spectrum):
    assert spectrum.error is None and spectrum.caption.value
    wc.assert_finite(spectrum.fig)


def test_spectrum_controls_change_figure_and_reset(spectrum):
    spectrum.reset()
    default = wc.snapshot(spectrum.fig)
    for name, value in (("T", 64), ("lam", 10.0)):
        before = wc.snapshot(spectrum.fig)
        spectrum.controls[name].value = value
        assert spectrum.error is None
        assert wc.changed(before, wc.snapshot(spectrum.fig)), name
        spectrum.reset()
    assert spectrum.state == spectrum.defaults
    assert not wc.changed(default, wc.snapshot(spectrum.fig))


def test_spectrum_cache_matches_direct_computation():
    """The panel scales the lam = 1 spectra; the direct computation at lam agrees."""
    for lam in (0.01, 3.0, 100.0):
        direct, scaled = H.spectra(16, lam), H._scaled(H.spectra(16, 1.0), lam)
        for key in direct:
            np.testing.assert_allclose(scaled[key], direct[key], rtol=1e-9, atol=1e-12)


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


# --- convergence panel -------------------------------------------------------------------------------
def test_convergence_constructs_with_default_data(convergence):
    assert convergence.error is None
    assert set(convergence.data) == {"gd", "goldstone", "gauge"}
    assert convergence.runner.done
    wc.assert_finite(convergence.fig)


def test_convergence_slopes(convergence):
    """GD: slope 2 +- 0.15 (T <= 32) and within 1 % of 1/(eta h_1) theory; the gauge methods flatter."""
    convergence.reset()
    s = convergence.slopes
    assert s["gd"] == pytest.approx(2.0, abs=0.15)
    assert abs(s["gauge"]) < 0.3
    assert s["goldstone"] < 1.2
    T, k = convergence.data["gd"]
    pred = [H.predicted_gd_iterations(t, 1.0, H.stable_lr(1.0)) for t in T]
    np.testing.assert_allclose(k, pred, rtol=0.01)
    assert convergence.data["gauge"][1].max() <= 20


def test_convergence_new_lambda_runs_in_chunks_then_caches(convergence):
    convergence.reset()
    before = wc.snapshot(convergence.fig)
    convergence.controls["lam"].value = 10.0
    assert convergence.error is None
    assert convergence.last_update_seconds < 1.0  # the callback only schedules the runs
    assert wc.changed(before, wc.snapshot(convergence.fig))  # theory line moved at once
    assert convergence.runner.play.playing and not convergence.runner.done
    assert "simulating" in convergence.status.value
    convergence.runner.advance_chunk()
    convergence.controls["lam"].value = 1.0  # cached: instant, stops the runner
    assert convergence.runner.done
    convergence.controls["lam"].value = 10.0  # resumes the pending runs
    convergence.runner.run_to_end()
    assert convergence.status.value == ""
    assert abs(convergence.slopes["gd"] - 2.0) < 0.15
    assert H.HiggsConvergencePanel._key(10.0) in convergence._cache
    after = wc.snapshot(convergence.fig)
    convergence.controls["lam"].value = 1.0
    convergence.controls["lam"].value = 10.0  # from the cache now
    assert not convergence.runner.play.playing
    assert not wc.changed(after, wc.snapshot(convergence.fig))
    wc.assert_finite_data(convergence.fig)


def test_convergence_extremes_and_reset(convergence):
    convergence.reset()
    default = wc.snapshot(convergence.fig)
    convergence.controls["lam"].value = 0.1  # slowest setting: a few chunks only
    for _ in range(3):
        convergence.runner.advance_chunk()
        convergence._draw()
    assert convergence.error is None
    wc.assert_finite(convergence.fig)
    convergence.reset()
    assert convergence.state == convergence.defaults
    assert convergence.runner.done
    assert not wc.changed(default, wc.snapshot(convergence.fig))
