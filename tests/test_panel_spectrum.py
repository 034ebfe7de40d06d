"""Chapter 03's spectrum panels (widgets/spectrum.py): every control changes the figure, extremes
never raise or draw NaN, diverging step sizes are labelled, Reset restores the canonical setting."""
import widget_checks as wc  # noqa: I001  (panel test helpers)

import numpy as np
import pytest

import gauge_core as gc
from widgets import spectrum as S


FACTORIES = {"spectrum": lambda: S.spectrum_panel(), "untwist": lambda: S.untwist_scaling_panel()}


@pytest.fixture(scope="module", params=list(FACTORIES))
def panel(request):
    return FACTORIES[request.param]()


def test_constructs_clean_on_the_live_layer(panel):
    assert panel.error is None and panel.caption.value
    assert panel.live is not None and not hasattr(panel, "player")  # answers at once, no runs
    wc.assert_finite(panel.fig)


def test_every_control_changes_the_figure_and_reset_restores(panel):
    wc.check_every_control_changes_figure(panel)


def test_extremes_never_raise_or_draw_nan(panel):
    wc.check_extremes(panel)


def test_spectrum_exactly_one_zero_mode_and_branches():
    p = S.spectrum_panel(T=16, lam=1.0, radius=1.0)
    assert "exactly 1 zero eigenvalue" in wc.panel_text(p)
    _, ang = p.pts_ang.get_data()
    np.testing.assert_allclose(ang, gc.dispersion(16, 1.0), atol=1e-6)
    _, rad = p.pts_rad.get_data()
    assert np.min(rad) == pytest.approx(8.0, abs=1e-6)
    _, gap = p.gap_line.get_data()
    np.testing.assert_allclose(gap, gc.dispersion(16, 1.0)[1], rtol=1e-6)


def test_reset_restores_axes_exactly():
    p = S.spectrum_panel()
    limits = wc.axes_limits(p.fig)
    p.set(T=32, lam=10.0, radius=0.3)
    p.reset()
    assert wc.axes_limits(p.fig) == limits


def test_untwist_slope_close_to_two_and_methods_labelled():
    p = S.untwist_scaling_panel(lam=1.0, lr=0.1)
    res = p._scaling(1.0, 0.1)
    assert res.slope == pytest.approx(2.0, abs=0.15)
    np.testing.assert_array_equal(res.T[res.simulated], [8, 16])
    assert "Counted by running GD" in wc.panel_text(p) and "per-step factor" in wc.panel_text(p)
    _, fit = p.fit.get_data()
    np.testing.assert_allclose(fit, res.prefactor * p._Tline ** res.slope)
    p.controls["lr"].value = 10 ** p.controls["lr"].max  # 0.5: unstable
    assert p.error is None and "diverged" in wc.panel_text(p)
    wc.assert_finite(p.fig)
