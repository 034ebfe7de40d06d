"""Headless tests of chapter 07's irregular-gaps panel (widgets/irregular_gaps.py): spectrum,
slowest mode and the three-way race on a weighted chain."""
import widget_checks as wc  # noqa: I001  (panel test helpers)

import numpy as np
import pytest

import gauge_core as gc
from gauge_core.experiments import irregular_gaps as G
from widgets import weighted_chain_panel

OTHER = {"pattern": "random", "g": 5.0, "T": 64, "lam": 0.1, "seed": 7}


@pytest.fixture
def panel():
    return weighted_chain_panel(pattern="one long gap", g=50.0, T=32, lam=1.0, cap=3000)


def test_every_control_changes_the_figure(panel):
    wc.check_each_value_changes_played_figure(panel, OTHER)


def test_spectrum_and_mode_come_from_the_weighted_laplacian(panel):
    gaps = G.gap_pattern("one long gap", 32, 50.0)
    h = np.linalg.eigvalsh(gc.chain_laplacian(32, 1.0, 1 / gaps))
    np.testing.assert_allclose(panel.spec_w.get_ydata(), h[1:], rtol=1e-10)
    np.testing.assert_allclose(panel.mode_w.get_xdata(), G.observation_times(gaps))
    assert f"{h[1]:.4g}" in panel.caption.value


def test_the_race_runs_to_convergence_and_reports_it(panel):
    """Every method from the same start; each stops when its loss is 1e-6 of the start; the
    caption quotes the iteration counts, GD's the largest."""
    panel.player.run_to_end()
    runs = panel.runs
    starts = {m: float(r.run.loss[0]) for m, r in runs.items()}
    assert len(set(starts.values())) == 1
    done = {m: r.converged_at for m, r in runs.items()}
    assert done["gauge"] < done["goldstone"] < 3000 and done["gd"] is None  # cap 3000 < ~9000
    assert "not within 3,000" in panel.caption.value
    for m, r in runs.items():
        y = panel.race[m].get_ydata()
        np.testing.assert_allclose(y, np.maximum(r.run.loss[1:], panel.floor))


def test_g_is_disabled_for_regular_gaps(panel):
    wc.check_disabled_while(panel, "g", "pattern", "regular")


@pytest.mark.parametrize("pattern", G.GAP_PATTERNS)
def test_extremes_never_raise(panel, pattern):
    for T in (8, 128):
        for g in (1.0, 100.0):
            for lam in (0.01, 100.0):
                panel.set(pattern=pattern, T=T, g=g, lam=lam)
                wc.play_chunk(panel)
                assert panel.error is None, (pattern, T, g, lam, panel.error)
                wc.assert_finite_data(panel.fig)
    wc.assert_finite(panel.fig)


def test_reset_restores_defaults_axes_and_figure(panel):
    def play_bursts(p):
        p.set(pattern="bursts", g=80.0, T=100)
        p.player.run_to_end()

    wc.check_reset_restores_defaults_and_axes(panel, play_bursts)


def test_legend_sits_above_every_axes(panel):
    wc.assert_legend_above_axes(panel.fig)


def test_gap_patterns():
    assert np.all(G.gap_pattern("regular", 10, 5.0) == 1.0)
    gaps = G.gap_pattern("one long gap", 10, 5.0)
    assert gaps.shape == (9,) and gaps.max() == 5.0 and np.sum(gaps == 5.0) == 1
    assert np.sum(G.gap_pattern("weekends", 21, 3.0) == 3.0) == 4
    assert np.all(G.gap_pattern("random", 30, 10.0, rng=1) > 0)
    with pytest.raises(ValueError, match="pattern"):
        G.gap_pattern("fractal", 10, 2.0)
    with pytest.raises(ValueError, match="g"):
        G.gap_pattern("regular", 10, 0.5)
