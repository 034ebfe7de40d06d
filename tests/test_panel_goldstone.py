"""Chapter 03's panels (widgets/goldstone.py): every control changes the figure, extremes never
raise or draw NaN, diverging step sizes are labelled, Reset restores the canonical setting."""

import widget_checks as wc  # noqa: I001  (selects the ipympl backend first)

import numpy as np
import pytest

from widgets import goldstone as G


FACTORIES = {
    "spectrum": lambda: G.spectrum_panel(),
    "mode_decay": lambda: G.mode_decay_panel(iteration=100),
    "decay_rate": lambda: G.decay_rate_panel(),
    "untwist": lambda: G.untwist_scaling_panel(),
}


@pytest.fixture(scope="module", params=list(FACTORIES))
def panel(request):
    return FACTORIES[request.param]()


def test_constructs_clean(panel):
    assert panel.error is None
    assert panel.caption.value
    wc.assert_finite(panel.fig)


def _prepare(panel, name):
    """A control that only matters in one setting is tested in that setting."""
    if isinstance(panel, G.ModeDecayPanel) and name == "amplitude":
        panel.controls["init"].value = "twist"


def test_every_control_changes_the_figure_and_reset_restores(panel):
    wc.check_every_control_changes_figure(panel, _prepare)


def test_extremes_never_raise_or_draw_nan(panel):
    wc.check_extremes(panel)


# --- panel-specific claims ----------------------------------------------------------------------
def test_spectrum_exactly_one_zero_mode_and_branches():
    p = G.spectrum_panel(T=16, lam=1.0, radius=1.0)
    assert "exactly 1 zero eigenvalue" in wc.panel_text(p)
    b = p._branches(16, 1.0, 1.0)
    np.testing.assert_allclose(b.angular, G.gc.dispersion(16, 1.0), atol=1e-6)
    x, y = p.pts_rad.get_data()
    assert np.min(y) == pytest.approx(8.0, abs=1e-6)


def test_mode_decay_long_waves_linger_short_ones_vanish():
    p = G.mode_decay_panel(T=32, lam=1.0, lr=0.1, init="twist", iteration=100)
    heights = np.array([r.get_height() for r in p.bars[:31]])
    start = np.abs(p._runs[p._key(p.state)].history().amplitudes[0, 1:])
    keep = heights / start
    assert keep[0] > 0.85  # nu = 1: (1 - 0.1 h_1)^100 = 0.908
    assert np.all(keep[15:] < 1e-6)
    # bars follow the theory envelope (linear regime at amplitude 0.05)
    _, th = p.theory_pts.get_data()
    np.testing.assert_allclose(heights[:4], th[:4], rtol=0.02)
    # the iteration slider only reads the cached run
    p.controls["iteration"].value = 1000
    h1000 = np.array([r.get_height() for r in p.bars[:31]])
    assert h1000[0] < heights[0]
    assert "1,000" in p.ax_bars.get_title()


def test_mode_decay_gaussian_start_anchors_theory_after_the_fast_phase():
    p = G.mode_decay_panel(init="random", amplitude=0.1, lr=0.05, iteration=0)
    assert not p.theory_pts.get_visible()
    assert "nonlinear first phase" in wc.panel_text(p)
    p.controls["iteration"].value = 1000
    assert p.theory_pts.get_visible()
    assert "global rotation" in wc.panel_text(p)


def test_mode_decay_diverging_step_is_labelled():
    p = G.mode_decay_panel(T=16, lr=1.0, iteration=1000)
    assert p.error is None
    assert "diverged at step" in wc.panel_text(p)
    wc.assert_finite(p.fig)


def test_mode_decay_aligned_start_has_no_twist():
    p = G.mode_decay_panel(init="aligned", iteration=100)
    heights = np.array([r.get_height() for r in p.bars if r.get_visible()])
    assert heights.max() < 1e-9
    assert "no twist at all" in wc.panel_text(p)


def test_decay_rates_within_a_tenth_of_a_percent():
    p = G.decay_rate_panel(T=32, lam=1.0, lr=0.1, amplitude=0.01)
    r = p._rates(p.state)
    assert r.max_relative_error < 1e-3
    assert "better than 0.1 %" in wc.panel_text(p)
    p.controls["lr"].value = 1.0  # far beyond the stability limit
    assert p.error is None and "diverged" in wc.panel_text(p)
    wc.assert_finite(p.fig)


def test_untwist_slope_close_to_two_and_methods_labelled():
    p = G.untwist_scaling_panel(lam=1.0, lr=0.1)
    res = p._scaling(1.0, 0.1)
    assert res.slope == pytest.approx(2.0, abs=0.15)
    np.testing.assert_array_equal(res.T[res.simulated], [8, 16])
    assert "Counted by running GD" in wc.panel_text(p) and "per-step factor" in wc.panel_text(p)
    p.controls["lr"].value = 10 ** p.controls["lr"].max  # 0.5: unstable
    assert p.error is None and "diverged" in wc.panel_text(p)
    wc.assert_finite(p.fig)
