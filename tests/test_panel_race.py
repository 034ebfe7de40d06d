"""The race panel (widgets/race.py): every model, every control, divergence, reset."""
from __future__ import annotations

import widget_checks as wc  # noqa: F401  (selects the widget backend first)
import numpy as np
import pytest

from widgets import race_panel


@pytest.mark.parametrize("model", ["hat", "replica", "ratings"])  # real data: tests/test_race.py
def test_each_model_races_to_a_named_winner(model):
    p = race_panel(model=model, T=8, steps=1000)
    assert p.error is None, p.error
    p.player.run_to_end()
    text = wc.panel_text(p)
    assert "closed its loss gap" in text or "no entrant has closed" in text
    wc.assert_finite(p.fig)
    # every shown entrant's loss curve covers the run
    for r in p.shown:
        if r != "procrustes":
            line = p.lines[r][p.ax_loss]
            assert len(line.get_xdata()) == p.runs[r].iteration + 1


def test_the_hat_race_is_won_by_the_exact_gauge_step():
    """Measured, not assumed: on the twisted hat chain the exact gauge step reaches the 1e-6 gap
    first among GD, tuned momentum, Goldstone-GD and itself."""
    p = race_panel(model="hat", T=32, steps=5000)
    p.player.run_to_end()
    from gauge_core.experiments import race as rc

    st = rc.standings({r: p.runs[r].loss for r in p.runs}, 0.0, 1e-6)
    assert st.winner()[0] == "gauge"
    assert "GD + exact gauge step</b> closed" in p.caption.value


def test_every_control_changes_the_figure_or_the_runs():
    p = race_panel(model="hat", T=8, steps=1000)
    for name, w in p.controls.items():
        if name in ("steps",):
            continue
        setting = lambda: {k: (r.method, r.inner, r.lr, r.k1, float(r.loss[0]))  # noqa: E731
                           for k, r in getattr(p, "runs", {}).items()}
        before = setting()
        snap = wc.snapshot(p.fig)
        w.value = wc.other_value(w)
        assert p.error is None, (name, p.error)
        after = setting()
        assert wc.changed(snap, wc.snapshot(p.fig)) or before != after, name
        p.reset()
    assert p.state == p.defaults


def test_no_entrant_is_a_clear_message_and_a_ring_drops_the_exact_step():
    p = race_panel(model="hat", T=8, racers=("gd",))
    p.controls["race_gd"].value = False
    assert p.error is None and "Choose at least one entrant" in p.caption.value
    ring = race_panel(model="hat", T=12, ring=True, racers=("gd", "goldstone"))
    assert "race_gauge" not in ring.controls and ring.error is None
    assert set(ring.runs) == {"gd", "goldstone"}


def test_a_diverging_entrant_is_stopped_labelled_and_does_not_squash_the_axes():
    p = race_panel(model="hat", T=8, racers=("gd", "adam"), steps=1000)
    p.runs["gd"].lr = 5.0  # far beyond stability: the run must stop and be labelled
    p.player.run_to_end()
    assert p.runs["gd"].diverged
    assert "diverged at step" in p.caption.value or "diverged" in p.player.status()
    lo, hi = p.ax_loss.get_ylim()
    assert hi <= 1e4 * p.runs["adam"].loss[0]
    wc.assert_finite(p.fig)


def test_reset_restores_axes_and_legend():
    p = race_panel(model="hat", T=16, steps=1000)
    ylim, legend = p.ax_loss.get_ylim(), [t.get_text() for t in p.ax_key.get_legend().get_texts()]
    p.controls["T"].value = 64
    p.controls["race_adam"].value = True
    p.player.run_to_end()
    p.reset()
    assert p.ax_loss.get_ylim() == ylim
    assert [t.get_text() for t in p.ax_key.get_legend().get_texts()] == legend
    assert np.isfinite(p.ax_psi.get_ylim()).all()
