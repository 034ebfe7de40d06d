"""Chapter 05's panels (widgets/gauge_transformation.py, widgets/exact_step.py,
widgets/gauge_choice.py, widgets/nonabelian.py): every control changes the figure, extremes never
raise or draw NaN, controls that do nothing are disabled, Reset restores the canonical setting."""

import widget_checks as wc  # noqa: I001  (selects the backend before widgets is imported)

import numpy as np
import pytest

from gauge_core.experiments import unitary_view
from widgets import (exact_vs_goldstone_panel, gauge_choice_panel, gauge_transformation_panel,
                     nonabelian_panel)

STATIC = {
    "transformation": gauge_transformation_panel,
    "exact_vs_p1": exact_vs_goldstone_panel,
    "nonabelian": nonabelian_panel,
}


@pytest.fixture(scope="module", params=list(STATIC))
def panel(request):
    return STATIC[request.param]()


def test_constructs_clean(panel):
    assert panel.error is None
    assert panel.caption.value
    wc.assert_finite(panel.fig)


def _prepare(panel, name):
    """A control that only matters in one setting is tested in that setting."""
    if name in ("strength", "gauge_seed"):
        panel.controls["kind"].value = "random"


def test_every_control_changes_the_figure_and_reset_restores(panel):
    wc.check_every_control_changes_figure(panel, _prepare)


def test_extremes_never_raise_or_draw_nan(panel):
    wc.check_extremes(panel)


def test_unitary_gauge_disables_the_random_gauge_controls():
    p = gauge_transformation_panel()
    assert not p.controls["strength"].disabled and not p.controls["gauge_seed"].disabled
    p.set(kind="unitary")
    assert p.controls["strength"].disabled and p.controls["gauge_seed"].disabled
    r = p.result
    assert np.ptp(r.theta_new) < 1e-12  # the twist left Z ...
    np.testing.assert_allclose(r.seen, r.theta, atol=1e-12)  # ... and lives in Gamma~ alone
    p.reset()
    assert not p.controls["strength"].disabled


# --- the live gauge-choice panel ------------------------------------------------------------------
OTHER = {"gauge": "mean", "lam": 10.0, "T": 16, "seed": 3, "k1": 10, "steps": 1000}


@pytest.fixture
def choice():
    return gauge_choice_panel(steps=1000)


def test_choice_every_control_changes_the_figure(choice):
    wc.check_each_value_changes_played_figure(choice, OTHER, steps_axis=choice.ax_loss)


@pytest.mark.parametrize("gauge", ["none", "first", "last", "mean", "unitary"])
def test_choice_every_gauge_runs_to_the_end(choice, gauge):
    p = choice
    p.set(gauge=gauge)
    assert p.live.playing
    assert p.controls["k1"].disabled == (gauge in ("none", "unitary"))
    p.player.run_to_end()
    assert p.error is None and p.player.status().startswith("done")
    wc.assert_finite(p.fig)
    gd = p.runs["gd"]
    if gauge in ("first", "last", "mean"):
        assert p.runs["gauge"].loss[-1] < 1e-6 * gd.loss[-1]
        assert p.runs["gauge"].reference == gauge
    if gauge == "unitary":
        Zt, phi = unitary_view(gd.Z)
        np.testing.assert_allclose(p.phi, phi)
        assert np.ptp(p.theta) < 1e-9  # Z~ untwisted
        assert p.recorder.loss[-1] <= gd.loss[-1]  # dropping the gauge field only helps
        assert "eaten" in p.caption.value


def test_choice_extremes(choice):
    p = choice
    for name in ("lam", "T", "k1"):
        for v in wc.control_values(p.controls[name]):
            p.controls[name].value = v
            wc.play_chunk(p, 2)
            assert p.error is None, (name, v, p.error)
            wc.assert_finite(p.fig)
        p.reset()


def test_choice_reset(choice):
    p = choice
    default = wc.snapshot(p.fig)
    p.set(**OTHER)
    wc.play_chunk(p)
    p.reset()
    assert p.state == p.defaults
    assert not wc.changed(default, wc.snapshot(p.fig))
