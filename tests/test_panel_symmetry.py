"""Chapter 01's panels: symmetry_panel() and mexican_hat_panel()."""
from widget_checks import artist_data, artists, assert_finite, changed, snapshot  # noqa: I001


import numpy as np
import pytest

from widgets import mexican_hat_panel, symmetry_panel

def assert_data_finite(fig):
    """The data half of assert_finite, without the (slow) render; render once per test."""
    for a in artists(fig):
        assert np.all(np.isfinite(artist_data(a))), f"{type(a).__name__} has non-finite data"


SYM_CHANGES = [("d", 3), ("lam", 5.0), ("mode", "one"), ("angle", 90.0), ("reflect", True),
               ("show", "coupling"), ("seed", 3)]


@pytest.fixture(scope="module")
def sym():
    return symmetry_panel()


def test_symmetry_panel_default_is_a_global_rotation_that_changes_nothing(sym):
    """P2 Eq. 3: a global rotation leaves the local loss and the coupling unchanged."""
    sym.reset()
    assert sym.error is None
    v = sym.values
    assert abs(v["local_after"] - v["local_before"]) < 1e-12
    assert abs(v["coupling_after"] - v["coupling_before"]) < 1e-12
    assert "unchanged" in sym.caption.value and "Global rotation by 40°" in sym.caption.value
    assert_finite(sym.fig)


def test_symmetry_panel_one_step_rotation_moves_only_the_coupling(sym):
    """P1 §3.1: l(X_t; R Z_t) = l(X_t; Z_t), but psi penalises rotating one step alone."""
    sym.set(mode="one", step=2, angle=60.0, reflect=False)
    v = sym.values
    assert abs(v["local_after"] - v["local_before"]) < 1e-12
    assert v["coupling_after"] > v["coupling_before"] + 1.0
    assert "coupling ψ rises" in sym.caption.value
    sym.set(mode="global", angle=0.0, reflect=True)  # a global reflection: still a symmetry
    v = sym.values
    assert v["det"] == pytest.approx(-1.0)
    assert abs(v["coupling_after"] - v["coupling_before"]) < 1e-12
    sym.reset()


@pytest.mark.parametrize("name,value", SYM_CHANGES)
def test_symmetry_panel_every_control_changes_the_figure(sym, name, value):
    sym.reset()
    if name == "step":
        sym.set(mode="one")
    before = snapshot(sym.fig)
    sym.controls[name].value = value
    assert sym.error is None, sym.error
    assert changed(before, snapshot(sym.fig)), name
    sym.reset()


def test_symmetry_panel_step_changes_the_figure(sym):
    sym.set(mode="one", step=2)
    before = snapshot(sym.fig)
    sym.controls["step"].value = 4
    assert changed(before, snapshot(sym.fig))
    sym.reset()


def test_symmetry_panel_extremes_stay_finite(sym):
    for mode in ("global", "one", "random"):
        for d in (2, 3):
            for kw in (dict(angle=-180.0, lam=0.01, step=0), dict(angle=180.0, lam=100.0, step=5),
                       dict(angle=0.0, reflect=True, seed=2**31 - 1)):
                sym.set(mode=mode, d=d, **kw)
                assert sym.error is None, (mode, d, kw, sym.error)
                assert_data_finite(sym.fig)
    assert_finite(sym.fig)
    sym.reset()


def test_symmetry_panel_angle_is_answered_in_the_browser(sym):
    """Every angle's frame is stacked in the live figure and the angle slider is linked to the
    frame index, so dragging it needs no kernel round trip; the kernel's artists show the same
    frame."""
    sym.reset()
    sym.set(mode="one", step=2)
    marks = sym.live._find(sym.marks["coupling"]).stack
    assert marks["y"].shape == (sym.ANGLES.size, 1)
    sym.controls["angle"].value = 90.0
    k = sym.controls["angle"].index
    assert sym.marks["coupling"].get_ydata()[0] == pytest.approx(marks["y"][k, 0])
    assert sym.values["coupling_after"] == pytest.approx(marks["y"][k, 0])
    sym.reset()


def test_symmetry_panel_reset_restores_defaults_and_figure():
    p = symmetry_panel()
    first = snapshot(p.fig)
    p.set(d=3, mode="random", angle=-120.0, reflect=True, show="local", seed=5, lam=0.1)
    p.reset()
    assert p.state == p.defaults
    assert not changed(first, snapshot(p.fig))


# --- Mexican hat -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hat():
    return mexican_hat_panel()


@pytest.mark.parametrize("radius", [0.5, 1.0, 1.3, 2.0])
def test_mexican_hat_curvatures_are_8r2_and_0(hat, radius):
    """P1 Fig. 1a / P2 Fig. 2: curved across the ring (8 r^2), flat along it (0); the closed form
    is checked against finite differences of the model in tests/test_vacua.py."""
    hat.controls["radius"].value = radius
    k_r, k_t = hat.curvatures
    assert k_r == pytest.approx(8 * radius ** 2, rel=1e-12)
    assert abs(k_t) < 1e-12
    hat.reset()


def test_mexican_hat_plays_by_itself_and_sites_end_on_the_ring(hat):
    hat.reset()
    assert hat.live.playing and hat.player.status().startswith("iteration 0")
    hat.player.run_to_end()
    assert hat.state["iteration"] == 150 and hat.shown_iteration == 150
    P = hat.path_data
    r = hat.state["radius"]
    assert np.max(np.abs(np.linalg.norm(P[-1], axis=1) - r)) < 1e-6
    assert P.shape[1] == hat.state["n_sites"]
    hat.reset()


def test_mexican_hat_slider_scrubs_recorded_frames(hat):
    """Every frame of the paths is in the browser (stacked); scrubbing stops the playback and the
    kernel's copy of the artists follows the frame the browser shows."""
    hat.reset()
    stacked = hat.live._find(hat.paths[0]).stack
    assert stacked["x"].shape == (len(hat.frames), len(hat.frames))
    hat.controls["iteration"].value = 10
    assert not hat.live.playing and hat.shown_iteration == 10
    np.testing.assert_allclose(hat.paths[0].get_xdata(), hat.path_data[:11, 0, 0])
    np.testing.assert_allclose(stacked["x"][5, -1], hat.path_data[10, 0, 0])
    hat.reset()


@pytest.mark.parametrize("name,value", [("radius", 1.5), ("n_sites", 9), ("seed", 4),
                                        ("iteration", 10)])
def test_mexican_hat_every_control_changes_the_figure(hat, name, value):
    hat.reset()
    hat.player.run_to_end()
    before = snapshot(hat.fig)
    hat.controls[name].value = value
    assert hat.error is None, hat.error
    assert changed(before, snapshot(hat.fig)), name
    hat.reset()


def test_mexican_hat_extremes_stay_finite(hat):
    for kw in (dict(radius=0.5, n_sites=1, iteration=0),
               dict(radius=2.0, n_sites=12, iteration=150),
               dict(radius=0.5, n_sites=12, seed=2**31 - 1),
               dict(radius=2.0, n_sites=1, iteration=0)):
        hat.set(**kw)
        hat.player.run_to_end()
        assert hat.error is None, (kw, hat.error)
        assert_data_finite(hat.fig)
    assert_finite(hat.fig)
    hat.reset()


def test_mexican_hat_reset_restores_defaults_and_figure():
    p = mexican_hat_panel()
    first = snapshot(p.fig)
    p.set(radius=1.7, n_sites=3, seed=9)
    p.player.run_to_end()
    p.reset()
    assert p.state == p.defaults
    assert not changed(first, snapshot(p.fig))


def test_mexican_hat_replays_over_about_six_seconds_once_displayed(monkeypatch):
    import widgets.live.pacing as pb

    now = [0.0]
    monkeypatch.setattr(pb, "_now", lambda: now[0])
    p = mexican_hat_panel()
    p.live.send = lambda *args, **kwargs: None
    p.live._on_msg(None, {"type": "hello", "width": 960, "ratio": 1}, [])
    for t, expected in ((0.0, 0), (3.0, 74), (6.0, 150)):
        now[0] = t
        p.player.tick()
        assert p.state["iteration"] == expected and p.live.frame_index == expected // 2
    assert not p.live.playing
