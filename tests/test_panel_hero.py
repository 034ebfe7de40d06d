"""Headless tests of chapter 00's hero panel (widgets/hero.py)."""
import widget_checks as wc  # noqa: I001  (panel test helpers)

import numpy as np
import pytest

import gauge_core as gc
from widgets import overview_panel

OTHER = {"lam": 10.0, "T": 16, "init": "aligned", "scale": 0.3, "seed": 5, "lr": 0.005,
         "gauge": "goldstone", "k1": 25, "steps": 5000}


@pytest.fixture
def panel():
    return overview_panel(T=32, lam=1.0, lr=0.02, steps=2000, seed=0)


def test_every_control_changes_the_figure_or_the_runs(panel):
    """Each control maps to a gauge_core call: changing it changes what is drawn (after a chunk
    for the controls that only affect how the runs proceed)."""
    wc.check_each_value_changes_played_figure(panel, OTHER, steps_axis=panel.ax_loss)


def test_gd_stays_twisted_while_the_gauge_run_untwists(panel):
    """Chapter 00's claim, read off the panel: after the run GD's twist is visible, the gauge
    method's is gone, and the loss gap is many orders of magnitude."""
    panel.player.run_to_end()
    gd, gauge = panel.runs["gd"], panel.runs["gauge"]
    assert gd.iteration == gauge.iteration == 2000
    assert np.ptp(gc.twist_profile(gd.Z)) > 0.1
    assert np.ptp(gc.twist_profile(gauge.Z)) < 1e-6
    assert gauge.current_loss < 1e-6 * gd.current_loss
    twist_gd = panel.twist_lines["gd"].get_ydata()
    np.testing.assert_allclose(twist_gd, gc.twist_profile(gd.Z))
    assert "GD + exact gauge step" in panel.caption.value and "T = 32" in panel.caption.value


def test_diverging_step_is_stopped_and_labelled(panel):
    """A step size beyond 2/(8 + 4 lam) diverges: the run stops, the label says so, no NaN."""
    panel.set(lr=10 ** -0.5, lam=100.0)
    panel.player.run_to_end()
    assert panel.runs["gd"].diverged
    assert "diverged at step" in panel.player.status()
    assert "stability limit" in panel.caption.value
    wc.assert_finite(panel.fig)


@pytest.mark.parametrize("name", ["lam", "T", "scale", "lr", "k1"])
def test_slider_extremes_never_raise_or_draw_nan(panel, name):
    wc.check_slider_ends_after_a_chunk(panel, name)


def test_reset_restores_defaults_and_figure(panel):
    default = wc.snapshot(panel.fig)
    panel.set(**OTHER)
    panel.player.advance_chunk()
    panel.reset()
    assert panel.state == panel.defaults
    assert not wc.changed(default, wc.snapshot(panel.fig))


def _axes_state(panel):
    """Limits of every axes and every legend's entries (text and swatch visibility)."""
    state = wc.axes_limits(panel.fig)
    for ax in panel.fig.axes:
        leg = ax.get_legend()
        if leg is not None:
            state.append(([t.get_text() for t in leg.get_texts()],
                          [h.get_visible() for h in leg.legend_handles]))
    return state


def test_reset_restores_axes_and_legends_exactly(panel):
    """Reset after other settings have played gives the axes limits and legends of a fresh panel
    (no swatch lost, no axis left at a wider range)."""
    fresh = _axes_state(panel)
    panel.set(T=128, gauge="goldstone", scale=3.0)
    panel.player.run_to_end()
    assert _axes_state(panel) != fresh
    panel.reset()
    assert _axes_state(panel) == fresh
    assert all(all(vis) for _, vis in fresh[4:])


def test_legends_sit_above_the_data(panel):
    """Legends are placed above their axes, so they never cover a curve."""
    panel.player.run_to_end()
    renderer = panel.fig.canvas.get_renderer()
    for ax in (panel.ax_loss, panel.ax_twist):
        box = ax.get_legend().get_window_extent(renderer)
        assert box.y0 >= ax.bbox.y1 - 1, ax.get_ylabel()
        assert box.x1 <= panel.fig.bbox.x1 + 1


def test_exact_gauge_loss_is_drawn_on_a_floor(panel):
    """At machine precision the exact gauge method's loss is drawn as a flat floor (1e-15 of the
    start), not as round-off noise."""
    panel.player.run_to_end()
    gauge = panel.runs["gauge"]
    assert gauge.current_loss < panel.floor  # the run itself is far below the floor
    y = panel.loss_lines["gauge"].get_ydata()
    tail = y[len(y) // 2:]
    assert np.all(tail == panel.floor)
    assert panel.floor == pytest.approx(1e-15 * gauge.loss[0])


def test_caption_numbers_come_from_gauge_core(panel):
    """The caption quotes gauge_core's decay factor, steps per e-fold and stability limit."""
    panel.player.run_to_end()  # the caption is throttled while playing; the last one always shows
    s = panel.state
    assert f"{gc.gd_decay_factor(s['T'], s['lam'], s['lr'])[1]:.6f}" in panel.caption.value
    assert f"{gc.untwist_theory(s['T'], s['lam'], s['lr']):,.0f} steps" in panel.caption.value
    panel.set(lam=10.0, lr=0.05)
    panel.player.run_to_end()
    limit = gc.gd_stability_limit(s["T"], 10.0)
    assert 0.04 < limit < 0.05 and f"{limit:.3g}" in panel.caption.value


def test_the_optimiser_choice_is_called_gauge_method(panel):
    assert panel.controls["gauge"].description == "gauge method"
