"""Panel tests for chapter 07 (widgets/beyond_chain.py): ring_panel and weighted_chain_panel."""
from __future__ import annotations

import widget_checks  # noqa: F401  (selects the ipympl backend first)
from widget_checks import artist_data, artists, assert_finite, changed, snapshot

import numpy as np
import pytest

from widgets.beyond_chain import GAP_PATTERNS, gap_pattern, ring_panel, weighted_chain_panel


def finite_data(fig):
    """The cheap half of assert_finite (no render): every artist's data is finite."""
    for a in artists(fig):
        assert np.all(np.isfinite(artist_data(a))), type(a).__name__


def _run_some(panel, n=3):
    for _ in range(n):
        panel.runner.advance_chunk()
    panel._draw()


# --- ring_panel --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ring():
    return ring_panel(steps=400)


RING_CHANGES = {"w": 5, "T": 16, "lam": 3.0, "N": 2, "start": "random", "method": "goldstone",
                "lr": 0.005, "seed": 3}


@pytest.mark.parametrize("name", list(RING_CHANGES))
def test_ring_each_control_changes_the_figure(ring, name):
    ring.reset()
    _run_some(ring)
    before = snapshot(ring.fig)
    ring.controls[name].value = RING_CHANGES[name]
    _run_some(ring)
    assert ring.error is None
    assert changed(before, snapshot(ring.fig)), name
    assert_finite(ring.fig)
    ring.reset()


def test_ring_extremes_never_raise(ring):
    for name, w in ring.controls.items():
        lo, hi = getattr(w, "min", None), getattr(w, "max", None)
        if lo is None or name == "seed":
            continue
        for v in (lo, hi):
            ring.controls[name].value = v
            _run_some(ring, 2)
            assert ring.error is None, (name, v, ring.error)
            finite_data(ring.fig)
        ring.reset()
    assert_finite(ring.fig)
    # a diverging step size with a random start: the run stops and is labelled
    ring.set(start="random", lr=10 ** -0.5, lam=10.0, T=64)
    ring.runner.run_to_end()
    assert ring.error is None
    assert ring.run.diverged
    assert "diverged" in ring.caption.value and "diverged" in ring.runner.label.value
    assert_finite(ring.fig)
    ring.reset()


def test_ring_keeps_its_winding_and_hits_the_plateau():
    panel = ring_panel(w=2, T=24, lam=1.0, method="goldstone", lr=0.05, steps=600)
    panel.runner.run_to_end()
    assert "winding number is w = 2" in panel.caption.value
    loss = panel.run._loss[-1]
    plateau = panel.plateau_line.get_ydata()[0]
    assert loss == pytest.approx(plateau, rel=1e-6)


def test_ring_reset_restores_defaults(ring):
    ring.reset()
    default = snapshot(ring.fig)
    ring.set(w=7, T=40, method="goldstone")
    ring.reset()
    assert ring.state == ring.defaults
    assert not changed(default, snapshot(ring.fig))


def test_ring_unwinding_is_reported():
    panel = ring_panel(w=10, T=32, lam=1.0, lr=0.05, steps=3000)
    panel.runner.run_to_end()
    assert "unwound" in panel.caption.value


# --- weighted_chain_panel ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def weighted():
    return weighted_chain_panel()


WEIGHTED_CHANGES = {"pattern": "random", "g": 5.0, "T": 64, "lam": 0.1}


@pytest.mark.parametrize("name", list(WEIGHTED_CHANGES))
def test_weighted_each_control_changes_the_figure(weighted, name):
    weighted.reset()
    before = snapshot(weighted.fig)
    weighted.controls[name].value = WEIGHTED_CHANGES[name]
    assert weighted.error is None
    assert changed(before, snapshot(weighted.fig)), name
    assert_finite(weighted.fig)
    weighted.reset()


def test_weighted_seed_changes_random_pattern(weighted):
    weighted.set(pattern="random")
    before = snapshot(weighted.fig)
    weighted.controls["seed"].value = 7
    assert changed(before, snapshot(weighted.fig))
    weighted.reset()


@pytest.mark.parametrize("pattern", GAP_PATTERNS)
def test_weighted_extremes_never_raise(weighted, pattern):
    for T in (8, 128):
        for g in (1.0, 100.0):
            for lam in (0.01, 100.0):
                weighted.set(pattern=pattern, T=T, g=g, lam=lam)
                assert weighted.error is None, (pattern, T, g, lam, weighted.error)
                finite_data(weighted.fig)
    assert_finite(weighted.fig)
    weighted.reset()


def test_weighted_reset_restores_defaults(weighted):
    weighted.reset()
    default = snapshot(weighted.fig)
    weighted.set(pattern="bursts", g=80.0, T=100)
    weighted.reset()
    assert weighted.state == weighted.defaults
    assert not changed(default, snapshot(weighted.fig))


def test_gap_patterns():
    assert np.all(gap_pattern("regular", 10, 5.0) == 1.0)
    gaps = gap_pattern("one long gap", 10, 5.0)
    assert gaps.shape == (9,) and gaps.max() == 5.0 and np.sum(gaps == 5.0) == 1
    assert np.sum(gap_pattern("weekends", 21, 3.0) == 3.0) == 4
    assert np.all(gap_pattern("random", 30, 10.0, rng=1) > 0)
    with pytest.raises(ValueError, match="pattern"):
        gap_pattern("fractal", 10, 2.0)


def test_latencies_are_recorded(weighted, ring):
    """Not a timed assertion: the numbers are reported in the chapter author's notes."""
    for panel, name, value in ((weighted, "g", 7.0), (ring, "w", 3)):
        panel.controls[name].value = value
        assert panel.last_update_seconds > 0
        panel.reset()
