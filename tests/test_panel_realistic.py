"""Headless tests of chapter 08's panels (widgets/realistic.py): the cached small runs (with the
item picture) and the cached large runs, on small generated results."""
import widget_checks as wc  # noqa: I001  (panel test helpers)

import os

import numpy as np
import pytest

from gauge_core.experiments import realistic as R
from widgets import large_runs_panel, realistic_panel

TINY = dict(T=6, n_users=8, n_items=9, d=3, ratings_per_step=120, steps=60, every=5, k1=10, snap=30)


@pytest.fixture(scope="module")
def tiny_results():
    return R.generate(seeds=(0, 1), config=TINY)


@pytest.fixture
def panel(tiny_results):
    return realistic_panel(tiny_results)


CHANGES = {"seed": 1, "quantity": "excess", "item": 4, "at": "end"}


def test_every_control_changes_the_figure(panel):
    """Every control, the item slider included, changes what is drawn."""
    wc.check_every_control_changes_figure(panel)


def test_item_slider_moves_the_ring_and_the_coloured_neighbours(panel, tiny_results):
    panel.controls["item"].value = 4
    cos = R.item_cosines(tiny_results, 0, 4, "_snap")
    for who, ring in panel.rings.items():
        x, y = ring.get_offsets()[0]
        assert x == pytest.approx(cos[who][4])
        np.testing.assert_allclose(panel.strips[who].get_offsets()[:, 0], cos[who])
        sizes = panel.strips[who].get_sizes()
        assert set(np.flatnonzero(sizes > sizes.min())) == set(np.argsort(-cos[who])[:5])
    assert "nearest first-step items to item 4" in panel.caption.value


def test_curves_and_floor_marks_come_from_the_summary(panel, tiny_results):
    rows = R.summarize(tiny_results)
    for m, line in panel.lines.items():
        x, y = line.get_data()
        psi = tiny_results[f"seed0_{m}_psi"]
        np.testing.assert_allclose(y, np.maximum(np.abs(psi[1:] - rows[0]["floor"]), 1e-3))
        at = rows[0][m]["floor_at"]
        if at is not None:
            assert panel.marks[m].get_xdata()[0] == max(at, 1)


def test_extremes_never_raise(panel):
    wc.check_extremes(panel)


def test_reset_restores_defaults_and_axes(panel):
    wc.check_reset_restores_defaults_and_axes(
        panel, lambda p: p.set(seed=1, quantity="loss", item=3, at="end"))


def test_legend_sits_above_every_axes(panel):
    wc.assert_legend_above_axes(panel.fig)


def test_large_runs_panel(tiny_results):
    p = large_runs_panel(R.with_neighbour_lists(tiny_results))
    wc.check_every_control_changes_figure(p)
    assert p.error is None
    for (s, m), line in p.lines.items():
        assert line.get_ydata().size == TINY["steps"]
    wc.assert_finite(p.fig)


def test_summary_definitions(tiny_results):
    rows = R.summarize(tiny_results)
    for row in rows.values():
        assert row["floor"] == min(row[m]["final_psi"] for m in R.METHOD_OPTIONS)
        for m in R.METHOD_OPTIONS:
            assert -np.log(2) * 2 < row[m]["test_ll"] < 0
            assert 0 <= row[m]["self_in_top"] <= 1


def test_floor_iteration():
    psi = np.array([10.0, 5.0, 1.0, 1.2, 1.005, 1.0])
    assert R.floor_iteration(psi, 1.0, tol=0.01) == 4
    assert R.floor_iteration(np.array([3.0, 2.0]), 1.0) is None
    assert R.floor_iteration(np.ones(4), 1.0) == 0


def test_nearest_items_finds_itself():
    rng = np.random.default_rng(0)
    pool = rng.standard_normal((4, 12))
    assert np.all(R.nearest_items(pool, pool, k=1)[:, 0] == np.arange(12))


@pytest.mark.skipif(not os.path.exists(R.DATA_PATH), reason="no cached results")
def test_default_panels_read_the_caches():
    for p in (realistic_panel(), large_runs_panel()):
        assert p.error is None
        wc.assert_finite(p.fig)
