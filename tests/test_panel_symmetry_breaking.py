"""Chapter 02's panels: symmetry_breaking_panel() and domain_wall_panel()."""
from widget_checks import artist_data, artists, assert_finite, changed, snapshot  # noqa: I001

import numpy as np
import pytest

import gauge_core as gc
from widgets import domain_wall_panel, symmetry_breaking_panel


def assert_data_finite(fig):
    """The data half of assert_finite, without the (slow) render; render once per test."""
    for a in artists(fig):
        assert np.all(np.isfinite(artist_data(a))), f"{type(a).__name__} has non-finite data"


def finish(panel):
    panel.runner.run_to_end()
    return panel


@pytest.fixture(scope="module")
def ssb():
    """The default panel (3000-iteration runs)."""
    return finish(symmetry_breaking_panel())


@pytest.fixture(scope="module")
def quick():
    """Shorter runs (500 iterations) for the control and extreme-value tests."""
    return finish(symmetry_breaking_panel(steps=500))


def test_ssb_runs_in_chunks_and_keeps_snapshots(ssb):
    ssb.reset()
    finish(ssb)
    assert ssb.error is None
    assert ssb.run.iteration == 3000 and not ssb.run.diverged
    assert set(ssb.run.snapshots) == set(ssb.iterations)
    assert ssb.shown_iteration == ssb.state["iteration"]
    assert "steps per e-fold" in ssb.caption.value


def test_ssb_twist_decays_at_the_gd_rate_of_the_slowest_mode(ssb):
    """design.md §2: the nu = 1 twist shrinks by 1 - eta*lam*(2 - 2cos(pi/T)) per GD step."""
    ssb.reset()
    finish(ssb)
    a = gc.twist_amplitudes(ssb.run.snapshots[1000])[1]
    b = gc.twist_amplitudes(ssb.run.snapshots[2000])[1]
    s = ssb.state
    theory = 1 - s["lr"] * gc.dispersion(ssb.T, s["lam"])[1]
    assert (b / a) ** (1 / 1000) == pytest.approx(theory, abs=2e-6)


def test_ssb_cold_start_has_no_twist(quick):
    quick.set(init="aligned", iteration=500)
    finish(quick)
    for k, prof in quick.profiles().items():
        assert np.abs(prof).max() < 1e-12, k
    quick.reset()


@pytest.mark.parametrize("name,value", [("lam", 3.0), ("init", "aligned"), ("scale", 0.01),
                                        ("seed", 5), ("lr", 0.01), ("iteration", 500)])
def test_ssb_every_control_changes_the_figure(quick, name, value):
    quick.reset()
    finish(quick)
    before = snapshot(quick.fig)
    quick.controls[name].value = value
    finish(quick)
    assert quick.error is None, quick.error
    assert changed(before, snapshot(quick.fig)), name
    quick.reset()


def test_ssb_scrubbing_does_not_rerun(quick):
    quick.reset()
    finish(quick)
    run = quick.run
    for it in (0, 10, 300, 500):
        quick.controls["iteration"].value = it
        assert quick.run is run and quick.shown_iteration == it
    quick.reset()


def test_ssb_extremes_are_labelled_not_raised(quick):
    for kw in (dict(lr=10 ** -0.5), dict(lam=100.0), dict(lam=0.01, scale=1e-3, iteration=0),
               dict(lr=1e-3, scale=1.0, iteration=500), dict(seed=2**31 - 1)):
        quick.set(**kw)
        finish(quick)
        assert quick.error is None, (kw, quick.error)
        assert_data_finite(quick.fig)
        if quick.run.diverged:
            assert "diverged at step" in quick.status.value
            assert "Diverged" in quick.caption.value
    quick.set(lam=100.0, lr=10 ** -0.5)
    finish(quick)
    assert quick.run.diverged and "diverged at step" in quick.status.value
    assert_finite(quick.fig)
    quick.reset()


def test_ssb_reset_restores_defaults_and_figure():
    p = finish(symmetry_breaking_panel(steps=500))
    first = snapshot(p.fig)
    p.set(lam=0.2, init="aligned", scale=0.05, seed=3, lr=0.01, iteration=50)
    finish(p)
    p.reset()
    finish(p)
    assert p.state == p.defaults
    assert not changed(first, snapshot(p.fig))


# --- domain walls ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def wall():
    """1000 iterations: the stall and the repair are both complete by then."""
    return finish(domain_wall_panel(steps=1000))


def _ratios(p):
    return {k: r.current_loss / p.optimum for k, r in p.runs.items()}


def test_wall_stalls_gd_and_only_O_links_repair_it(wall):
    """design.md §4: plain GD stalls far above the optimum at a reflection wall; the exact gauge
    step with SO(d) links cannot repair it, with O(d) links it does."""
    wall.reset()
    finish(wall)
    r = _ratios(wall)
    assert r["gd"] > 50 and r["gauge"] > 50
    wall.controls["group"].value = "O"
    finish(wall)
    r = _ratios(wall)
    assert r["gd"] > 50 and r["gauge"] < 1.001
    assert "0 wall(s)" in wall.caption.value
    wall.reset()


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


def test_wall_returning_to_a_setting_is_cached(wall):
    wall.reset()
    finish(wall)
    runs = dict(wall.runs)
    wall.controls["wall"].value = 3
    wall.controls["wall"].value = wall.defaults["wall"]
    assert wall.runs == runs and wall.runner.done


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
