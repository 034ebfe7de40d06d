"""Chapter 03's mode-by-mode panels (widgets/mode_decay.py): the four-method mode race plays by
itself, its bars follow the linear theory, the finished frames are stacked for browser-side
scrubbing, and the decay-rate panel measures every mode to 0.1 %."""
import widget_checks as wc  # noqa: I001  (panel test helpers)

import numpy as np
import pytest

import gauge_core as gc
from gauge_core import experiments as ex
from widgets import mode_decay as M

OTHER = {"T": 16, "lam": 10.0, "lr": 0.02, "init": "modes", "amplitude": 0.2, "seed": 3,
         "k1": 25, "steps": 500}


@pytest.fixture
def race():
    return M.mode_decay_panel(T=32, lam=1.0, lr=0.1, init="twist", amplitude=0.05, seed=0,
                              steps=500)


def test_playback_is_paced_in_log_time(race):
    """While a browser watches, each frame advances a run by at most 5 % of its iterations: the
    first hundred iterations (where the short waves die) are not over in the first frame."""
    race.live.send = lambda content, buffers=None: None
    race.live._on_msg(None, {"type": "hello", "width": 960, "ratio": 1}, [])
    its = []
    for _ in range(30):
        wc.play_chunk(race)
        its.append(race.race.runs["gd"].iteration)
    steps = np.diff(its)
    assert its[0] <= 2 and np.all(steps <= np.maximum(1, 0.05 * np.array(its[:-1])) + 1e-9)
    assert its[-1] < 100


def test_autoplays_and_finishes_headless(race):
    assert race.error is None
    assert race.live.player and race.live.playing  # starts by itself once displayed
    assert set(race.player.runs) == set(ex.MODE_RACERS)
    race.player.run_to_end()
    assert race.player.done and "done: 500 iterations" in race.player.status()
    assert not race.live.playing
    wc.assert_finite(race.fig)


def test_every_control_changes_the_figure_and_reset_restores(race):
    default = wc.snapshot(race.fig)
    wc.check_each_value_changes_played_figure(race, OTHER, steps_axis=race.ax_left)
    assert race.state == race.defaults
    assert not wc.changed(default, wc.snapshot(race.fig))


def test_seed_is_disabled_when_nothing_is_random(race):
    wc.check_disabled_while(race, "seed", "init", "modes")


def test_gd_bars_follow_the_linear_theory_and_the_gauge_step_removes_every_mode(race):
    race.player.run_to_end()
    T, its = 32, race.race.iterations
    heights = {m: np.array([r.get_height() for r in race.bars[m][:T - 1]]) for m in race.bars}
    factor = gc.gd_decay_factor(T, 1.0, 0.1)[1:]  # the closed form, not the panel's theory line
    np.testing.assert_allclose(heights["gd"], np.abs(factor) ** 500, atol=2e-3)
    assert heights["gd"][0] > 0.5 and np.all(heights["gd"][10:] < 1e-6)  # gapless: ν = 1 lingers
    assert heights["gauge"].max() < 1e-9  # the exact step removed every mode at k1
    assert heights["momentum"].max() < 1e-3 < heights["gd"][0]
    _, theory = race.theory_bars["gd"].get_data()
    np.testing.assert_allclose(theory, np.abs(factor) ** 500, rtol=1e-9)
    assert its[-1] == 500


def test_finished_frames_are_stacked_and_the_slider_scrubs_them(race):
    assert race.scrub.disabled and not race._stacked  # nothing to scrub while it plays
    race.player.run_to_end()
    assert race._stacked and not race.scrub.disabled
    K = race.race.iterations.size
    assert list(race.scrub.options) == [int(k) for k in race.race.iterations]
    assert race.scrub.index == K - 1 == race.live.frame_index
    stack = race.live._find(race.bars["gd"]).stack["h"]
    assert stack.shape == (K, M.T_MAX - 1)
    k = int(np.searchsorted(race.race.iterations, 100))
    expected = np.abs(gc.gd_decay_factor(32, 1.0, 0.1)[1:]) ** race.race.iterations[k]
    np.testing.assert_allclose(stack[k, :31], expected, atol=2e-3)
    assert stack[0, :31].min() == pytest.approx(1.0)  # every mode starts whole
    race.live.frame_index = k  # what the jslinked slider does in the browser
    assert f"k = {race.race.iterations[k]:,}" in race.caption.value
    race.controls["lam"].value = 3.0  # a new setting clears the frames until it has finished
    assert not race._stacked and race.scrub.disabled
    assert race.live._find(race.bars["gd"]).stack is None


def test_browser_gets_the_stacked_frames_once():
    p = M.mode_decay_panel(T=8, steps=500)
    sent = []
    p.live.send = lambda content, buffers=None: sent.append((content, list(buffers or [])))
    p.live._on_msg(None, {"type": "hello", "width": 960, "ratio": 1}, [])
    p.player.run_to_end()
    p.live.flush()
    stacks = [a for c, _ in sent if c["type"] == "frame" for a in c["artists"]
              if a["op"] == "stack" and a["fields"]]
    assert len(stacks) == len(ex.MODE_RACERS) + 2 + 1  # bars, two theory lines, the marker
    n = len(sent)
    p.live.frame_index = 3
    p.live.flush()
    assert not any(a["op"] == "stack" for c, _ in sent[n:] if c["type"] == "frame"
                   for a in c["artists"])


def test_diverging_step_is_stopped_and_labelled():
    p = M.mode_decay_panel(T=16, lr=1.0, steps=500)
    p.player.run_to_end()
    assert p.error is None
    assert "diverged at step" in p.player.status()
    wc.assert_finite(p.fig)


def test_gaussian_start_hides_the_linear_theory():
    p = M.mode_decay_panel(init="random", amplitude=0.3, steps=500)
    p.player.run_to_end()
    assert not p.theory_bars["gd"].get_visible() and not p.left_theory["gd"].get_visible()
    assert "Gaussian start" in p.caption.value
    wc.assert_finite(p.fig)


@pytest.mark.parametrize("name", ["T", "lam", "lr", "amplitude", "k1"])
def test_slider_extremes_never_raise_or_draw_nan(name):
    p = M.mode_decay_panel(steps=500)
    w = p.controls[name]
    lo, hi = (w.base ** w.min, w.base ** w.max) if hasattr(w, "base") else (w.min, w.max)
    for v in (lo, hi):
        w.value = v
        wc.play_chunk(p)
        assert p.error is None
        wc.assert_finite_data(p.fig)
    wc.assert_finite(p.fig)


# --- the decay-rate panel ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rates():
    return M.decay_rate_panel()


def test_decay_rate_controls_and_reset(rates):
    wc.check_every_control_changes_figure(rates)


def test_decay_rate_extremes(rates):
    wc.check_extremes(rates)


def test_decay_rates_within_a_tenth_of_a_percent():
    p = M.decay_rate_panel(T=32, lam=1.0, lr=0.1, amplitude=0.01)
    r = p._rates(p.state)
    assert r.max_relative_error < 1e-3
    assert "better than 0.1 %" in wc.panel_text(p)
    p.controls["lr"].value = 1.0  # far beyond the stability limit
    assert p.error is None and "diverged" in wc.panel_text(p)
    wc.assert_finite(p.fig)
