"""Panel tests for chapter 04 (widgets/gauge_phase.py, widgets/goldstone_knobs.py,
widgets/replica.py): construct, every control changes the figure, extremes never raise or draw
NaN, Reset restores the canonical setting, and the browser gets recorded frames to scrub."""
from __future__ import annotations

import widget_checks as wc  # noqa: I001  (selects the backend before widgets is imported)

import numpy as np
import pytest

import gauge_core as gc
from widgets import gauge_phase_panel, goldstone_knobs_panel, replica_panel


def _hello(panel):
    """Pretend a browser displayed the panel; returns the list the messages go to."""
    sent = []
    panel.live.send = lambda content, buffers=None: sent.append(content)
    panel.live._on_msg(None, {"type": "hello", "width": 960, "ratio": 1}, [])
    return sent


def _stacked(sent):
    return [a for m in sent if m.get("type") == "frame" for a in m["artists"] if a["op"] == "stack"]


# --- gauge phase panel (static, frames scrubbed in the browser) ---------------------------------
@pytest.fixture(scope="module")
def phase_panel():
    return gauge_phase_panel()


def test_phase_panel_constructs_and_sends_step_frames(phase_panel):
    p = phase_panel
    p.reset()
    assert p.error is None, p.error
    wc.assert_finite(p.fig)
    assert "gauge phase 4" in p.caption.value and "1 − 4s/T" in p.caption.value
    tr = p.trace
    assert tr.objective[-1] < tr.objective[0] and tr.exact[-1] < 0
    stacks = _stacked(_hello(p))
    rows = {a["fields"]["y"][2] for a in stacks if "y" in a["fields"]}
    assert rows == {p.state["k2"] + 1}  # one recorded frame per gauge step, for the slider


@pytest.mark.parametrize("name", ["model", "seed", "phase", "k2", "step_scale", "precondition",
                                  "warm_start", "step"])
def test_phase_panel_every_control_changes_the_figure(phase_panel, name):
    p = phase_panel
    p.reset()
    if name == "warm_start":
        p.controls["phase"].value = 6
    before = wc.snapshot(p.fig)
    w = p.controls[name]
    w.value = 3 if name == "step" else wc.other_value(w)
    assert p.error is None, p.error
    assert wc.changed(before, wc.snapshot(p.fig)), name
    wc.assert_finite_data(p.fig)
    p.reset()


def test_phase_panel_step_only_rewrites_the_caption(phase_panel):
    p = phase_panel
    p.reset()
    trace = p.trace
    p.controls["step"].value = 2
    assert p.trace is trace  # no recomputation: the frames are already in the browser
    assert "After 2 of 10 steps" in wc.panel_text(p)
    p.reset()


def test_phase_panel_extremes(phase_panel):
    p = phase_panel
    for model in ("xy", "replica"):
        p.set(model=model)
        wc.check_extremes(p)
    p.set(model="xy", step_scale=100.0, k2=50, step=50)  # far beyond s = T/2: runs away
    assert p.error is None and p.trace.diverged_at is not None
    assert "ran away" in p.caption.value
    wc.assert_finite(p.fig)
    p.reset()


def test_phase_panel_reset(phase_panel):
    p = phase_panel
    p.reset()
    default = wc.snapshot(p.fig)
    p.set(model="replica", phase=7, step_scale=0.25, precondition=False, k2=5)
    p.reset()
    assert p.state == p.defaults
    assert not wc.changed(default, wc.snapshot(p.fig))


# --- knobs panel (live runs) --------------------------------------------------------------------
OTHER_KNOBS = {"seed": 2, "lam": 1.0, "init": "aligned", "scale": 0.3, "inner": "adam", "k1": 20,
               "k2": 3, "step_scale": 0.25, "apply": "linear", "warm_start": False}


@pytest.fixture(scope="module")
def knobs_panel():
    return goldstone_knobs_panel(steps=1000)


def test_knobs_panel_runs_and_exact_rotations_beat_the_printed_update(knobs_panel):
    p = knobs_panel
    p.reset()
    p.player.run_to_end()
    assert p.error is None, p.error
    wc.assert_finite(p.fig)
    assert all(r.iteration == 1000 for r in p.runs.values())
    yours, printed = p.runs["yours"], p.runs["as printed"]
    assert yours.loss[-1] < printed.loss[-1] and yours.loss[-1] < p.runs["baseline"].loss[-1]
    assert "L* = " in p.caption.value and p.player.status().startswith("done")


@pytest.mark.parametrize("name", list(OTHER_KNOBS) + ["steps"])
def test_knobs_panel_every_control_changes_the_figure(knobs_panel, name):
    p = knobs_panel
    p.reset()

    def play():  # past a few gauge phases: warm starts differ from the second phase on
        while p.player.iteration < 3 * p.controls["k1"].value and not p.player.done:
            wc.play_chunk(p)

    play()
    before = wc.snapshot(p.fig)
    p.controls[name].value = 2000 if name == "steps" else OTHER_KNOBS[name]
    play()
    assert p.error is None, (name, p.error)
    assert wc.changed(before, wc.snapshot(p.fig)), name
    wc.assert_finite_data(p.fig)
    p.reset()


def test_knobs_panel_controls_autoplay_and_extremes(knobs_panel):
    p = knobs_panel
    p.reset()
    assert p.live.playing  # a control change restarts and plays at once
    for name, w in p.controls.items():
        if name == "steps":
            continue
        for v in wc.control_values(w):
            p.set(**{name: v})
            wc.play_chunk(p)
            assert p.error is None, (name, v, p.error)
            wc.assert_finite_data(p.fig)
        p.reset()
    p.set(step_scale=16.0, apply="linear", k1=1, k2=50)  # blows up: drawn, never NaN
    wc.play_chunk(p, 20)
    assert p.error is None
    wc.assert_finite(p.fig)
    p.reset()


def test_knobs_panel_reset(knobs_panel):
    p = knobs_panel
    p.reset()
    default = wc.snapshot(p.fig)  # at iteration 0 (chunk sizes follow the machine's speed)
    p.set(k1=10, apply="linear", step_scale=0.25, lam=1.0)
    wc.play_chunk(p, 2)
    p.reset()
    assert p.state == p.defaults
    assert not wc.changed(default, wc.snapshot(p.fig))


# --- replica panel (live runs, 3-D pictures) ----------------------------------------------------
@pytest.fixture(scope="module")
def rep_panel():
    return replica_panel(steps=1500, snapshot=800)


def test_replica_panel_runs(rep_panel):
    p = rep_panel
    p.reset()
    p.player.run_to_end()
    assert p.error is None, p.error
    wc.assert_finite(p.fig)
    _, _, cos_gd, walls_gd = p.shown["gd"]
    _, _, cos_gs, walls_gs = p.shown["goldstone"]
    assert walls_gd == walls_gs == 0
    assert cos_gs > cos_gd  # at iteration 800, GD is still twisted
    assert "Not reached" not in p.caption.value
    # the pictured 3-D paths are the runs' configurations at the shown iteration
    Z = p.runs["goldstone"].snapshots[800]
    np.testing.assert_allclose(p.paths3d["goldstone"][3].get_data_3d()[0], Z[:, 0, 3])
    np.testing.assert_allclose(gc.alignment(Z).mean(), cos_gs)


def test_replica_panel_sends_frames_for_every_shown_iteration(rep_panel):
    p = rep_panel
    p.reset()
    p.player.run_to_end()
    stacks = _stacked(_hello(p))
    K = len(p.controls["snapshot"].options)
    assert stacks and all(a["fields"]["x"][2] == K for a in stacks if "x" in a["fields"])
    kinds = {p.live._tracked[a["id"]].kind for a in stacks}
    assert {"line3d", "scatter3d", "line"} <= kinds


@pytest.mark.parametrize("name, value", [("seed", 2), ("lam", 1.0), ("init", "gauge-fixed"),
                                         ("scale", 0.3), ("adam_lr", 0.1), ("steps", 3000),
                                         ("snapshot", 100)])
def test_replica_panel_every_control_changes_the_figure(rep_panel, name, value):
    p = rep_panel
    p.reset()
    wc.play_chunk(p, 3)
    before = wc.snapshot(p.fig)
    p.controls[name].value = value
    if name != "snapshot":
        wc.play_chunk(p, 3)
    assert p.error is None, p.error
    assert wc.changed(before, wc.snapshot(p.fig)), name
    wc.assert_finite_data(p.fig)
    p.reset()


def test_replica_panel_unreached_snapshot_is_labelled_and_extremes(rep_panel):
    p = rep_panel
    p.reset()
    p.controls["snapshot"].value = 1500
    assert p.error is None and "Not reached yet" in p.caption.value
    for name in ("snapshot", "adam_lr", "lam", "scale", "init"):
        for v in wc.control_values(p.controls[name]):
            p.controls[name].value = v
            wc.play_chunk(p)
            assert p.error is None, (name, v, p.error)
            wc.assert_finite_data(p.fig)
    wc.assert_finite(p.fig)
    p.reset()


def test_replica_panel_reset(rep_panel):
    p = rep_panel
    p.reset()
    default = wc.snapshot(p.fig)  # at iteration 0 (chunk sizes follow the machine's speed)
    p.set(seed=5, snapshot=200, lam=1.0)
    wc.play_chunk(p, 2)
    p.reset()
    assert p.state == p.defaults
    assert not wc.changed(default, wc.snapshot(p.fig))
