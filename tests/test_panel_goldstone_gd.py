"""Panel tests for chapter 04 (widgets/goldstone_gd.py): construct, every control changes the
figure, extremes never raise or draw NaN, Reset restores the canonical setting.

The two run panels use ChunkedRuns: a control change restarts the runs, so the tests advance them
(``runner.run_to_end()`` on a short budget) before comparing figures.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import widget_checks as wc  # noqa: E402  (selects the ipympl backend first)

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from widgets import gauge_phase_panel, goldstone_knobs_panel, replica_panel  # noqa: E402

LATENCY = {}  # control -> [seconds], printed with -s for the report


def _note(panel, name):
    LATENCY.setdefault(f"{type(panel).__name__}.{name}", []).append(panel.last_update_seconds)


def _finish(panel, n=150):
    """Advance every run of a run panel by ``n`` iterations (past two gauge phases) and redraw."""
    for run in panel.runs.values():
        run.advance(n)
    panel._draw()



def _other(widget):
    """A different valid value for a control."""
    if hasattr(widget, "options") and widget.options:
        opts = [o[1] if isinstance(o, tuple) else o for o in widget.options]
        return next(o for o in opts if o != widget.value)
    if hasattr(widget, "max"):
        lo, hi = widget.min, widget.max
        if isinstance(widget.value, int):
            return widget.value + 1 if widget.value < hi else widget.value - 1
        return (widget.value + hi) / 2 if widget.value < hi else (widget.value + lo) / 2
    return widget.value + 1


def _extremes(widget):
    if hasattr(widget, "options") and widget.options:
        opts = [o[1] if isinstance(o, tuple) else o for o in widget.options]
        return [opts[0], opts[-1]]
    if type(widget).__name__ == "FloatLogSlider":
        return [widget.base ** widget.min, widget.base ** widget.max]
    if hasattr(widget, "max") and widget.max < 10 ** 6:
        return [widget.min, widget.max]
    return [0, 123456]  # seeds


# --- gauge phase panel ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def phase_panel():
    return gauge_phase_panel()


def test_phase_panel_constructs(phase_panel):
    p = phase_panel
    assert p.error is None, p.error
    wc.assert_finite(p.fig)
    assert "gauge phase 4" in p.caption.value and "1 − 4s/T" in p.caption.value
    tr = p.trace
    assert tr.objective[-1] < tr.objective[0] and tr.exact[-1] < 0


@pytest.mark.parametrize("name", ["model", "seed", "phase", "k2", "step", "step_scale",
                                  "precondition", "warm_start"])
def test_phase_panel_every_control_changes_the_figure(phase_panel, name):
    p = phase_panel
    p.reset()
    before = wc.snapshot(p.fig)
    p.controls[name].value = _other(p.controls[name])
    _note(p, name)
    assert p.error is None, p.error
    assert wc.changed(before, wc.snapshot(p.fig)), name
    wc.assert_finite_data(p.fig)
    p.reset()


def test_phase_panel_extremes(phase_panel):
    p = phase_panel
    for model in ("xy", "replica"):
        for name, w in p.controls.items():
            if name == "model":
                continue
            for v in _extremes(w):
                p.set(model=model, **{name: v})
                assert p.error is None, (model, name, v, p.error)
                wc.assert_finite_data(p.fig)
            p.reset()
    p.set(model="xy", step_scale=100.0, k2=50, step=50)  # far beyond s = T/2: runs away
    assert p.error is None and p.trace.diverged_at is not None
    assert "ran away" in p.caption.value
    wc.assert_finite(p.fig)
    p.reset()


def test_phase_panel_reset(phase_panel):
    p = phase_panel
    p.reset()
    default = wc.snapshot(p.fig)
    p.set(model="replica", phase=7, step_scale=1.0, precondition=False)
    p.reset()
    assert p.state == p.defaults
    assert not wc.changed(default, wc.snapshot(p.fig))


# --- knobs panel ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def knobs_panel():
    return goldstone_knobs_panel(steps=1000)


def test_knobs_panel_runs(knobs_panel):
    p = knobs_panel
    p.runner.run_to_end()
    assert p.error is None, p.error
    wc.assert_finite(p.fig)
    runs = p.runs
    assert all(r.iteration == 1000 for r in runs.values())
    # P1's Goldstone-GD beats its own inner GD on the default seed
    assert runs["P1 Goldstone-GD"].loss[-1] < runs["baseline"].loss[-1]
    assert "L* = " in p.caption.value


@pytest.mark.parametrize("name", ["seed", "inner", "k1", "k2", "step_scale", "apply",
                                  "warm_start", "steps"])
def test_knobs_panel_every_control_changes_the_figure(knobs_panel, name):
    p = knobs_panel
    p.reset()
    _finish(p)
    before = wc.snapshot(p.fig)
    w = p.controls[name]
    w.value = 1000 if name == "steps" and w.value != 1000 else (2000 if name == "steps"
                                                                 else _other(w))
    _note(p, name)
    if name != "steps":
        _finish(p)
    assert p.error is None, p.error
    assert wc.changed(before, wc.snapshot(p.fig)), name
    wc.assert_finite_data(p.fig)
    p.reset()


def test_knobs_panel_extremes_never_draw_nan(knobs_panel):
    p = knobs_panel
    bad = dict(step_scale=16.0, apply="linear", k1=1, k2=50, inner="adam", warm_start=True)
    p.set(**bad)
    for _ in range(3):  # a few chunks: enough to blow up if it is going to
        p.runner.advance_chunk()
        p._draw()
    assert p.error is None, p.error
    wc.assert_finite(p.fig)
    for name, w in p.controls.items():
        if name == "steps":
            continue
        for v in _extremes(w):
            p.set(**{name: v})
            _finish(p, 100)
            assert p.error is None, (name, v, p.error)
            wc.assert_finite_data(p.fig)
        p.reset()
    wc.assert_finite(p.fig)


def test_knobs_panel_reset(knobs_panel):
    p = knobs_panel
    p.reset()
    _finish(p)
    default = wc.snapshot(p.fig)
    p.set(k1=10, apply="linear", step_scale=1.0)
    p.reset()
    _finish(p)
    assert p.state == p.defaults
    assert not wc.changed(default, wc.snapshot(p.fig))


# --- replica panel --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rep_panel():
    return replica_panel(steps=1500, snapshot=800)


def test_replica_panel_runs(rep_panel):
    p = rep_panel
    p.runner.run_to_end()
    assert p.error is None, p.error
    wc.assert_finite(p.fig)
    _, _, cos_gd, walls_gd = p.shown["gd"]
    _, _, cos_gs, walls_gs = p.shown["goldstone"]
    assert walls_gd == walls_gs == 0
    assert cos_gs > cos_gd  # at iteration 800, GD is still twisted
    assert "Not reached" not in p.caption.value


@pytest.mark.parametrize("name", ["seed", "adam_lr", "steps", "snapshot"])
def test_replica_panel_every_control_changes_the_figure(rep_panel, name):
    p = rep_panel
    p.reset()
    _finish(p)
    before = wc.snapshot(p.fig)
    w = p.controls[name]
    w.value = 3000 if name == "steps" else (100 if name == "snapshot" else _other(w))
    _note(p, name)
    if name != "snapshot":
        _finish(p)
    assert p.error is None, p.error
    assert wc.changed(before, wc.snapshot(p.fig)), name
    wc.assert_finite_data(p.fig)
    p.reset()


def test_replica_panel_snapshot_not_reached_is_labelled(rep_panel):
    p = rep_panel
    p.reset()  # runs restarted, nothing advanced
    p.controls["snapshot"].value = 1500
    assert p.error is None
    assert "Not reached yet" in p.caption.value
    wc.assert_finite(p.fig)
    for v in _extremes(p.controls["snapshot"]) + _extremes(p.controls["adam_lr"]):
        key = "snapshot" if v in p.controls["snapshot"].options else "adam_lr"
        p.controls[key].value = v
        _finish(p, 100)
        assert p.error is None
        wc.assert_finite_data(p.fig)
    wc.assert_finite(p.fig)
    p.reset()


def test_replica_panel_reset(rep_panel):
    p = rep_panel
    p.reset()
    _finish(p)
    default = wc.snapshot(p.fig)
    p.set(seed=5, snapshot=200)
    p.reset()
    _finish(p)
    assert p.state == p.defaults
    assert not wc.changed(default, wc.snapshot(p.fig))


def test_print_latencies():
    """Not a check: with ``pytest -s`` this prints each control's callback time (report)."""
    for k, v in sorted(LATENCY.items()):
        print(f"{k:45s} median {1e3 * np.median(v):6.1f} ms  max {1e3 * np.max(v):6.1f} ms")
