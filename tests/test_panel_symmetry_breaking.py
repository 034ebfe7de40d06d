"""Chapter 02's panels: symmetry_breaking_panel() and domain_wall_panel()."""
from widget_checks import (artist_data, artists, assert_finite, axes_limits, changed,  # noqa: I001
                           snapshot)

import numpy as np
import pytest

import gauge_core as gc
from gauge_core.experiments import vacua
from widgets import domain_wall_panel, symmetry_breaking_panel


def assert_data_finite(fig):
    """The data half of assert_finite, without the (slow) render; render once per test."""
    for a in artists(fig):
        assert np.all(np.isfinite(artist_data(a))), f"{type(a).__name__} has non-finite data"


def finish(panel):
    panel.player.run_to_end()
    return panel


@pytest.fixture(scope="module")
def ssb():
    """The default panel (3000-iteration runs)."""
    return finish(symmetry_breaking_panel())


@pytest.fixture(scope="module")
def quick():
    """Shorter runs (500 iterations) for the control and extreme-value tests."""
    return finish(symmetry_breaking_panel(steps=500))


def displayed(panel):
    """Pretend a browser shows the panel (its live figure said hello); messages go nowhere."""
    panel.live.send = lambda *args, **kwargs: None
    panel.live._on_msg(None, {"type": "hello", "width": 960, "ratio": 1}, [])
    return panel


def test_ssb_autoplays_evenly_in_log_time_once_displayed(monkeypatch):
    """A new panel is playing. Once displayed, its run reaches 3000 iterations after about 8 s of
    playback (from the first frame), log(1 + iteration) growing evenly with time, so the fast fall
    (first ~100 iterations) and the slow untwisting both take screen time; the slider follows."""
    import widgets.live.pacing as pb

    now = [0.0]
    monkeypatch.setattr(pb, "_now", lambda: now[0])
    p = displayed(symmetry_breaking_panel())
    assert p.live.playing and p.player.status().startswith("iteration 0 ")
    seen = {}
    for t in (0.0, 1.0, 2.0, 4.0, 6.0, 8.0):
        now[0] = 100.0 + t
        p.player.tick()
        seen[t] = p.run.iteration
    assert seen[0.0] == 1  # the first frame already moves: a restart is visible at once
    for t in (2.0, 4.0, 6.0):
        assert np.log1p(seen[t]) == pytest.approx(t / 8 * np.log1p(3000), abs=0.3), seen
    for _ in range(10_000):  # each tick still does at most one frame budget of work
        if p.player.done:
            break
        p.player.tick()
    assert p.run.iteration == 3000 and not p.live.playing
    assert p.controls["iteration"].value == 3000


def test_ssb_runs_to_the_end_and_keeps_snapshots(ssb):
    ssb.reset()
    finish(ssb)
    assert ssb.error is None
    assert ssb.run.iteration == 3000 and not ssb.run.diverged
    assert set(ssb.run.snapshots) == set(ssb.iterations)
    assert ssb.shown_iteration == ssb.state["iteration"] == 3000
    assert "steps per e-fold" in ssb.caption.value


def test_ssb_twist_decays_at_the_gd_rate_of_the_slowest_mode(ssb):
    """The nu = 1 twist shrinks by 1 - eta h_1 per GD step (measured from two snapshots)."""
    ssb.reset()
    finish(ssb)
    s = ssb.state
    measured = vacua.decay_factor(ssb.run, 1000, 2000)
    assert measured == pytest.approx(gc.gd_decay_factor(ssb.T, s["lam"], s["lr"])[1], abs=2e-6)


def test_ssb_scrubbing_is_answered_from_stacked_snapshots(quick):
    """After the run every snapshot is in the browser (stacked) and the slider is linked to the
    frame index; scrubbing does not rerun, and the kernel's artists show the same snapshot."""
    quick.reset()
    finish(quick)
    run = quick.run
    stack = quick.live._find(quick.twist_now).stack
    assert stack["y"].shape == (len(quick.iterations), quick.T)
    for it in (0, 10, 300, 500):
        quick.controls["iteration"].value = it
        j = quick.controls["iteration"].index
        assert quick.run is run and quick.shown_iteration == it
        np.testing.assert_allclose(quick.twist_now.get_ydata(), stack["y"][j])
    quick.reset()


def test_ssb_cold_start_has_no_twist(quick):
    quick.set(init="aligned")
    finish(quick)
    for k in quick.run.snapshots:
        assert np.abs(quick.profile(k)).max() < 1e-12, k
    quick.reset()


@pytest.mark.parametrize("name,value", [("lam", 3.0), ("init", "aligned"), ("scale", 0.01),
                                        ("seed", 5), ("lr", 0.01), ("iteration", 10)])
def test_ssb_every_control_changes_the_figure(quick, name, value):
    quick.reset()
    finish(quick)
    before = snapshot(quick.fig)
    quick.controls[name].value = value
    finish(quick)
    if name == "iteration":
        quick.controls[name].value = value
    assert quick.error is None, quick.error
    assert changed(before, snapshot(quick.fig)), name
    quick.reset()


def test_ssb_extremes_are_labelled_not_raised(quick):
    for kw in (dict(lr=10 ** -0.5), dict(lam=100.0), dict(lam=0.01, scale=1e-3),
               dict(lr=1e-3, scale=1.0), dict(seed=2**31 - 1)):
        quick.set(**kw)
        finish(quick)
        assert quick.error is None, (kw, quick.error)
        assert_data_finite(quick.fig)
        if quick.run.diverged:
            assert "diverged at step" in quick.player.status()
            assert "Diverged" in quick.caption.value
    quick.set(lam=100.0, lr=10 ** -0.5)
    finish(quick)
    assert quick.run.diverged and "diverged at step" in quick.player.status()
    quick.controls["iteration"].value = 500  # past the divergence: the last snapshot reached
    assert quick.error is None
    assert_finite(quick.fig)
    quick.reset()


def test_ssb_reset_restores_defaults_and_figure():
    p = symmetry_breaking_panel(steps=500)
    first = snapshot(p.fig)
    limits = axes_limits(p.fig)
    p.set(lam=0.2, init="aligned", scale=0.05, seed=3, lr=0.01)
    finish(p)
    p.reset()
    assert p.state == p.defaults
    assert not changed(first, snapshot(p.fig))
    assert axes_limits(p.fig) == limits


# --- domain walls ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def wall():
    """1000 iterations: the stall and the repair are both complete by then."""
    return finish(domain_wall_panel(steps=1000))


def _ratios(p):
    return {k: r.current_loss / p.optimum for k, r in p.runs.items()}


def test_wall_stalls_gd_and_only_O_links_repair_it(wall):
    """Plain GD stalls far above the optimum at a reflection wall; the exact gauge step with SO(d)
    links cannot repair it, with O(d) links it does."""
    wall.reset()
    finish(wall)
    r = _ratios(wall)
    assert r["gd"] > 50 and r["gauge"] > 50
    wall.controls["group"].value = "O"
    finish(wall)
    r = _ratios(wall)
    assert r["gd"] > 50 and r["gauge"] < 1.001
    assert "0 wall(s)" in wall.caption.value
    assert "O(d) links" in wall.fig.legends[0].get_texts()[2].get_text()
    wall.reset()


def test_wall_autoplays_for_about_eight_seconds(monkeypatch):
    import widgets.live.pacing as pb

    now = [0.0]
    monkeypatch.setattr(pb, "_now", lambda: now[0])
    p = displayed(domain_wall_panel())
    assert p.live.playing and p.player.status().startswith("iteration 0 ")
    for t, lo, hi in ((0.0, 1, 1), (4.0, 30, 80)):
        now[0] = t
        p.player.tick()
        assert all(lo <= r.iteration <= hi for r in p.runs.values()), (t, p.player.status())
    now[0] = 8.0
    for _ in range(10_000):  # how many ticks depends on the machine: each fills the frame budget
        if p.player.done:
            break
        p.player.tick()
    assert all(r.iteration == 3000 for r in p.runs.values()) and not p.live.playing


@pytest.mark.parametrize("name,value", [("group", "O"), ("wall", 2), ("lam", 3.0), ("seed", 2)])
def test_wall_every_control_changes_the_figure(wall, name, value):
    wall.reset()
    finish(wall)
    before = snapshot(wall.fig)
    wall.controls[name].value = value
    finish(wall)
    assert wall.error is None, wall.error
    assert changed(before, snapshot(wall.fig)), name
    wall.reset()


def test_wall_extremes_stay_finite(wall):
    for kw in (dict(wall=1, lam=0.1, group="O"), dict(wall=9, lam=10.0, group="SO"),
               dict(wall=1, lam=10.0, seed=2**31 - 1)):
        wall.set(**kw)
        finish(wall)
        assert wall.error is None, (kw, wall.error)
        assert_data_finite(wall.fig)
    assert_finite(wall.fig)
    wall.reset()


def test_wall_reset_restores_defaults_and_figure():
    p = finish(domain_wall_panel(steps=1000))
    first = snapshot(p.fig)
    p.set(group="O", wall=2, lam=0.3, seed=1)
    finish(p)
    p.reset()
    finish(p)
    assert p.state == p.defaults
    assert not changed(first, snapshot(p.fig))
