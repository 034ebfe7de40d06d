"""Headless tests of chapter 07's ring panel (widgets/beyond_chain.py): plain GD and Goldstone-GD
racing on a ring."""
import widget_checks as wc  # noqa: I001  (panel test helpers)

import io

import numpy as np
import pytest

import gauge_core as gc
from widgets import ring_panel

OTHER = {"w": 5, "T": 16, "lam": 3.0, "N": 2, "start": "random", "lr": 0.005, "seed": 3}
TWO_PI = 2 * np.pi


@pytest.fixture
def panel():
    return ring_panel(w=2, T=32, lam=1.0, N=1, start="wound", lr=0.02, seed=0, steps=400)


def test_every_control_changes_the_figure(panel):
    """Each control changes what is drawn (after a chunk for those that act on the runs only)."""
    def seed_needs_a_random_start(p, name):
        if name == "seed":
            p.set(start="random")

    wc.check_each_value_changes_played_figure(panel, OTHER, prepare=seed_needs_a_random_start)


def test_both_methods_race_from_the_same_start(panel):
    assert set(panel.runs) == {"gd", "goldstone"}
    assert panel.runs["gd"].loss[0] == panel.runs["goldstone"].loss[0]
    np.testing.assert_array_equal(panel.runs["gd"].Z, panel.runs["goldstone"].Z)


def test_wound_ring_keeps_its_winding_and_lands_on_the_plateau():
    """The chapter's claim, read off the panel: both keep w = 2, both end on the closed-form
    plateau, and the drawn curve is the loss above it."""
    panel = ring_panel(w=2, T=24, lam=1.0, lr=0.05, steps=2000)
    panel.player.run_to_end()
    plateau = gc.winding_plateau(24, 1.0, 2)[0]
    for m, run in panel.runs.items():
        assert gc.winding_number(run.Z) == 2
        assert run.loss[-1] == pytest.approx(plateau, rel=1e-6)
        y = panel.loss[m].get_ydata()
        np.testing.assert_allclose(y[:50], run.loss[:50] - plateau)
    text = wc.panel_text(panel)
    assert text.count("winding w = 2") == 2 and "reached at iteration" in text


def test_flux_trace_equals_gauge_core(panel):
    panel.player.run_to_end()
    for m, run in panel.runs.items():
        y = panel.flux[m].get_ydata()
        assert y[-1] == pytest.approx(gc.ring_flux(run.Z) / TWO_PI, abs=1e-9)
        assert panel.hol[m].get_ydata()[-1] == pytest.approx(gc.holonomy_angle(run.Z) / TWO_PI,
                                                            abs=1e-9)


def test_unwinding_is_reported():
    panel = ring_panel(w=10, T=32, lam=1.0, lr=0.05, steps=3000)
    panel.player.run_to_end()
    assert "unwound" in wc.panel_text(panel)


def test_mismatched_windings_have_no_plateau():
    """N = 2, random start, seed 0: GD's two vectors end with different windings, so the flux is
    not a whole number of turns and the caption says why no plateau applies."""
    panel = ring_panel(start="random", N=2, seed=0, steps=3000)
    panel.player.run_to_end()
    gd = panel.runs["gd"]
    assert gc.holonomy_angle(gd.Z) > 1.0
    assert panel._plateau("gd") is None
    assert "not a whole number of turns" in wc.panel_text(panel)


def test_winding_slider_is_disabled_for_a_random_start(panel):
    wc.check_disabled_while(panel, "w", "start", "random")


def test_diverging_step_is_stopped_and_labelled(panel):
    panel.set(start="random", lr=10 ** -0.5, lam=10.0, T=64)
    panel.player.run_to_end()
    assert panel.error is None
    assert panel.runs["gd"].diverged
    assert "diverged at step" in panel.player.status()
    assert "diverged at step" in wc.panel_text(panel)
    wc.assert_finite(panel.fig)


@pytest.mark.parametrize("name", ["w", "T", "lam", "N", "lr"])
def test_slider_extremes_never_raise_or_draw_nan(panel, name):
    wc.check_slider_ends_after_a_chunk(panel, name)


def test_reset_restores_defaults_axes_and_figure(panel):
    axes = wc.axes_limits(panel.fig)

    def play_elsewhere(p):
        p.set(w=7, T=40, start="random", N=2)
        p.player.run_to_end()
        assert wc.axes_limits(p.fig) != axes

    wc.check_reset_restores_defaults_and_axes(panel, play_elsewhere)


def test_legend_sits_above_every_axes(panel):
    panel.player.run_to_end()
    legend = wc.assert_legend_above_axes(panel.fig)
    assert legend.x0 >= -1 and legend.x1 <= panel.fig.bbox.x1 + 1


def test_loss_axis_has_readable_ticks(panel):
    """At most about six labelled ticks on the log loss axis, and no minor tick labels."""
    panel.player.run_to_end()
    panel.fig.savefig(io.BytesIO())  # lays out the ticks
    ax = panel.ax_loss
    labels = [t for t in ax.get_yticklabels() if t.get_text()]
    lo, hi = ax.get_ylim()
    inside = [t for t in labels if lo <= t.get_position()[1] <= hi]
    assert 2 <= len(inside) <= 7
    assert not any(t.get_text() for t in ax.get_yticklabels(minor=True))
