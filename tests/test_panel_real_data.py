"""Headless tests of chapter 09's panels (widgets/real_data.py, widgets/real_data_words.py) on the
committed caches. Expected values come from the result's methods (gauge_core.experiments), never
from the widgets."""
import widget_checks as wc  # noqa: I001  (panel test helpers)

import numpy as np
import pytest

from gauge_core.experiments import real_data as RD
from widgets import real_data_panel, word_aging_panel, word_trajectory_panel


@pytest.fixture(scope="module")
def results():
    return {"sotu": RD.load("sotu"), "movielens": RD.load("movielens")}


@pytest.fixture
def panel(results):
    return real_data_panel(results=results)


@pytest.fixture
def aging(results):
    return word_aging_panel(result=results["sotu"])


@pytest.fixture
def trajectory(results):
    return word_trajectory_panel(result=results["sotu"])


# --- the results panel ------------------------------------------------------------------------------
def test_results_panel_every_control_changes_the_figure(panel):
    wc.check_every_control_changes_figure(panel)


def test_results_panel_extremes_never_raise(panel):
    wc.check_extremes(panel)


@pytest.mark.parametrize("dataset", ["sotu", "movielens"])
def test_curves_and_floor_marks_come_from_the_result(panel, results, dataset):
    r = results[dataset]
    panel.set(dataset=dataset, seed=1, band=0.001)
    assert panel.error is None
    for k, m in enumerate(r.methods):
        x, y = panel.lines["psi"][k].get_data()
        assert len(x) == r.steps + 1
        np.testing.assert_allclose(y, np.maximum(r.psi_gap(m, 1), 1e-6 * r.floor(1)))
        at = r.floor_at(m, 1, 0.001)
        assert panel.marks[k].get_visible() == (at is not None)
        if at is not None:
            assert panel.marks[k].get_xdata()[0] == at
        cps, ll = panel.lines["ll"][k].get_data()
        np.testing.assert_array_equal(cps, r.checkpoints)
        np.testing.assert_allclose(ll, r.heldout_ll[(1, m)])
    assert panel.band_line.get_ydata()[0] == pytest.approx(0.001 * r.floor(1))
    text = wc.panel_text(panel)
    factor = r.speedup("gauge", 1, 0.001)[0]
    assert f"{factor:.2f}×" in text and f"{r.final_heldout_ll('gauge', 1):.4f}" in text


def test_histogram_rows_are_stacked_for_the_browser_and_follow_the_slider(panel, results):
    r = results["sotu"]
    panel.set(at="snap")
    t = panel.live._find(panel.lines["hist"][0])
    assert t.stack["y"].shape[0] == 2  # iteration snap, end: the slider picks one in the browser
    for at, row in (("snap", 0), ("end", 1)):
        panel.controls["at"].value = at
        counts, _ = r.alignment_histogram("adam", 0, at, bins=panel.bins, present_only=True)
        y = panel.lines["hist"][0].get_ydata()
        np.testing.assert_array_equal(y[1:-1:2], counts)
        np.testing.assert_array_equal(t.stack["y"][row], y)
        assert panel.at_line.get_xdata()[0] == (r.snap if at == "snap" else r.steps)


def test_band_and_at_only_move_lines(panel):
    """The band and the alignment slider change data, not the static background."""
    panel.live._dirty = False
    limits = wc.axes_limits(panel.fig)
    panel.controls["band"].value = 0.05
    panel.controls["at"].value = "end"
    assert not panel.live._dirty
    assert wc.axes_limits(panel.fig) == limits


def test_reset_restores_defaults_and_axes(panel):
    wc.check_reset_restores_defaults_and_axes(
        panel, lambda p: p.set(dataset="movielens", seed=1, band=0.05, at="end", items=False))


def test_legend_sits_above_every_axes(panel):
    wc.assert_legend_above_axes(panel.fig)


# --- word aging -------------------------------------------------------------------------------------
def test_aging_every_control_changes_the_figure(aging):
    wc.check_every_control_changes_figure(aging)


def test_aging_extremes_never_raise(aging):
    wc.check_extremes(aging)


def test_word_slider_moves_ring_neighbours_and_names(aging, results):
    r = results["sotu"]
    aging.controls["word"].value = "tax"
    for m in r.methods:
        a = r.aging("tax", m, "2020s", "1900s", 5, "snap")
        np.testing.assert_allclose(aging.dots[m].get_offsets()[:, 0], a.cosines)
        ring = aging.rings[m].get_offsets()[0]
        assert ring[0] == pytest.approx(a.cosines[r.names.index("tax")])
        top = aging.top[m].get_offsets()[:, 0]
        np.testing.assert_allclose(np.sort(top), np.sort(a.cosines[a.nearest]))
        named = {t.get_text().strip() for t in aging.labels[m] if hasattr(t, "get_text")}
        assert named == {r.names[j] for j in a.nearest}  # the picture names the neighbours
        assert f"number {a.self_rank} of" in aging.axes[r.methods.index(m)].get_title(loc="left")


def test_aging_names_never_leave_their_axes(aging):
    renderer = aging.fig.canvas.get_renderer()
    for word in ("world", "war", "administration", "appropriations"):
        aging.controls["word"].value = word
        for ax, m in zip(aging.axes, aging.r.methods):
            box = ax.get_window_extent(renderer)
            for t in aging.labels[m]:
                if hasattr(t, "get_text"):
                    ext = t.get_window_extent(renderer)
                    assert ext.x0 >= box.x0 - 2 and ext.x1 <= box.x1 + 2, (word, t.get_text())


# --- trajectories ---------------------------------------------------------------------------------
def _rotated_needs_a_reference(panel, name):
    if name == "rotated":  # within one decade a rotation changes nothing, by design
        panel.controls["compare"].value = "1900s"


def test_trajectory_every_control_changes_the_figure(trajectory):
    wc.check_every_control_changes_figure(trajectory, prepare=_rotated_needs_a_reference)


def test_trajectory_extremes_never_raise(trajectory):
    wc.check_extremes(trajectory)


def test_a_random_rotation_changes_only_the_cross_decade_curves(trajectory, results):
    r = results["sotu"]
    within = wc.snapshot(trajectory.fig)
    trajectory.controls["rotated"].value = True
    assert not wc.changed(within, wc.snapshot(trajectory.fig))  # gauge invariant
    trajectory.controls["compare"].value = "1900s"
    rotated = trajectory.lines[("gauge", 0)].get_ydata()
    trajectory.controls["rotated"].value = False
    trained = trajectory.lines[("gauge", 0)].get_ydata()
    np.testing.assert_allclose(trained, r.trajectory("war", ["peace"], "gauge", "1900s")[:, 0])
    t = r.period("1900s")
    assert rotated[t] == pytest.approx(trained[t])  # the reference decade rotates with itself
    assert np.max(np.abs(np.delete(rotated - trained, t))) > 0.3


def test_bad_anchor_count_is_rejected(results):
    with pytest.raises(ValueError, match="three"):
        word_trajectory_panel(anchors=("peace",), result=results["sotu"])
