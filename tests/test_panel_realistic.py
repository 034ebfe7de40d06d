"""Panel tests for chapter 08 (widgets/realistic.py): realistic_panel on small generated results."""
from __future__ import annotations

import os

import widget_checks  # noqa: F401  (selects the ipympl backend first)
from widget_checks import assert_finite, changed, snapshot

import numpy as np
import pytest

from widgets import realistic as R

TINY = dict(T=6, n_users=8, n_items=9, d=3, ratings_per_step=120, steps=60, every=5, k1=10, snap=30)


@pytest.fixture(scope="module")
def tiny_results():
    return R.generate(seeds=(0, 1), config=TINY)


@pytest.fixture(scope="module")
def panel(tiny_results):
    return R.realistic_panel(tiny_results)


CHANGES = {"seed": 1, "quantity": "excess", "item": 4, "at": "end"}


@pytest.mark.parametrize("name", list(CHANGES))
def test_each_control_changes_the_figure(panel, name):
    panel.reset()
    before = snapshot(panel.fig)
    caption = panel.caption.value
    panel.controls[name].value = CHANGES[name]
    assert panel.error is None
    if name == "item":  # the item only changes the neighbour list in the caption
        assert panel.caption.value != caption
    else:
        assert changed(before, snapshot(panel.fig)), name
    assert_finite(panel.fig)
    panel.reset()


def test_loss_curve_and_extremes(panel):
    for q in ("psi", "loss", "excess"):
        for item in (panel.controls["item"].min, panel.controls["item"].max):
            for seed, at in ((0, "end"), (1, "snap")):
                panel.set(quantity=q, item=item, seed=seed, at=at)
                assert panel.error is None, (q, item, seed, panel.error)
        assert_finite(panel.fig)
    panel.reset()


def test_reset_restores_defaults(panel):
    panel.reset()
    default = snapshot(panel.fig)
    panel.set(seed=1, quantity="loss", item=3, at="end")
    panel.reset()
    assert panel.state == panel.defaults
    assert not changed(default, snapshot(panel.fig))


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
def test_default_panel_reads_the_cache():
    p = R.realistic_panel()
    assert p.error is None
    assert_finite(p.fig)
