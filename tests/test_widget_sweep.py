"""All-extremes sweep over every panel of the book.

Every name in ``widgets.__all__`` ending in ``_panel`` is built with no arguments
and driven through

1. *one factor at a time*: each control to each of its levels (slider minimum and maximum, every
   option of a dropdown / toggle / checkbox, seeds 0, 2**31 - 1, 1 and 12345) with the others at
   their defaults, then back to its default, and
2. *pairwise*: a deterministic strength-2 covering array over the same levels (seeds: min/max), so
   every pair of controls meets in every combination of its levels ({min, max} x {min, max} for
   sliders, every option pair for dropdowns; a list longer than ``MAX_PAIRWISE_OPTIONS`` enters
   with an even spread of its options, the others are visited one factor at a time).

Each control change goes through the real observer path (``control.value = v``) and is followed by
a check that no exception escaped and ``panel.error is None``. After every combination: no drawn
artist carries NaN/inf, axis limits are finite, no title/label/legend/caption shows "nan"/"inf",
and the tick locators/formatters of every axis work (a ~1 ms stand-in for a draw, which catches
e.g. a log axis that reaches 1e300). Panels holding a :class:`widgets.live.player.Player` (found by
isinstance over ``panel.__dict__``) then advance chunks (1 per one-factor setting, ``SWEEP_CHUNKS``
per pairwise row) with ``runner.on_chunk()`` after each, are checked again, and a diverged
``gauge_core.Run`` must be labelled "diverged" (player status, status line, caption or figure text).
Full renders (``widget_checks.assert_finite``, i.e. ``savefig``; ~0.1-0.5 s CPU each) are the
expensive part, so they happen at ``SWEEP_RENDERS`` evenly spaced pairwise rows (first and last
included) and after the reset. Finally ``reset()`` must restore ``panel.defaults`` and the figure
data of the freshly constructed panel (compared right after the reset).

Tests are parametrised ``<panel>-<check>`` with check in constructs / no_error / finite /
divergence_labelled / reset. Each panel is swept once (lazily, cached) and each check reports what
the sweep found, every failing setting with a one-line repro. Known panel bugs are strict xfails in
``KNOWN_BUGS`` (remove the entry once the panel is fixed: strict turns the XPASS into a failure).
Panels added later are picked up without editing this file; a control of a type the sweep cannot
drive fails the ``constructs`` check rather than being skipped. ``test_sweep_finds_planted_bugs``
checks that the sweep does detect each kind of bug.

Environment knobs: ``SWEEP_RENDERS`` (pairwise rows rendered per panel, default 2),
``SWEEP_CHUNKS`` (chunks per pairwise row, default 2), ``SWEEP_STATS=path`` (per-panel counts and
timings as JSON).
"""
import widget_checks as wc  # noqa: I001  (panel test helpers)

import html
import json
import os
import re
import time
import warnings

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.quiver import Quiver

import widgets
from widgets.live.player import Player

PANELS = sorted(n for n in widgets.__all__ if n.endswith("_panel"))
CHECKS = ("constructs", "no_error", "finite", "divergence_labelled", "reset")
RENDERS = int(os.environ.get("SWEEP_RENDERS", "2"))
CHUNKS = int(os.environ.get("SWEEP_CHUNKS", "2"))
SEED_EXTRAS = (1, 12345)
MAX_PAIRWISE_OPTIONS = 6  # options of one choice control that enter the pairwise array  # seeds besides min and max, one factor at a time

# (panel, check) -> reason. Strict: once the lead fixes the panel the XPASS fails, so drop the line.
KNOWN_BUGS = {
    # (panel, check): reason. Empty: the two bugs this sweep found (a diverging overview run
    # overflowing the log axis, domain_wall_panel's reset resuming cached runs) are fixed.
}


# --- levels of a control --------------------------------------------------------------------------
class Level:
    """A symbolic setting of one control, resolved against the control's *current* bounds (some
    panels move a slider's max when another control changes)."""

    def __init__(self, kind, arg=None):
        self.kind, self.arg = kind, arg

    def apply(self, w):
        if self.kind == "min":
            w.value = _bound(w, "min")
        elif self.kind == "max":
            w.value = _bound(w, "max")
        elif self.kind == "index":
            n = len(w.options)  # options may have changed since the levels were listed
            w.index = min(self.arg, n - 1) if self.arg >= 0 else max(n + self.arg, 0)
        else:  # literal value
            w.value = self.arg

    def __repr__(self):
        return f"{self.kind}" if self.arg is None else f"{self.kind}={self.arg!r}"


def _bound(w, which):
    b = getattr(w, which)
    if isinstance(w, W.FloatLogSlider):
        return w.base ** b
    if isinstance(w, (W.IntRangeSlider, W.FloatRangeSlider)):
        return (b, b)
    return b


def levels_of(w):
    """(pairwise levels, extra one-factor levels) of a control. Raises TypeError if unknown."""
    if isinstance(w, (W.SelectionSlider, W.SelectionRangeSlider)):
        n = len(w.options)
        return ([Level("index", 0), Level("index", n - 1)] if n > 1 else [Level("index", 0)]), []
    if isinstance(w, (W.Dropdown, W.ToggleButtons, W.RadioButtons, W.Select)):
        n = len(w.options)
        if n <= MAX_PAIRWISE_OPTIONS:
            return [Level("index", i) for i in range(n)], []
        # long lists (chapter 09's 100 words): every option once, one factor at a time; a spread
        # of them pairwise (all pairs of two 100-option lists would be 10,000 rows)
        pair = sorted({int(round(k)) for k in np.linspace(0, n - 1, MAX_PAIRWISE_OPTIONS)})
        return ([Level("index", i) for i in pair],
                [Level("index", i) for i in range(n) if i not in pair])
    if isinstance(w, (W.Checkbox, W.ToggleButton)):
        return [Level("value", False), Level("value", True)], []
    if isinstance(w, (W.BoundedIntText,)):
        extra = [Level("value", v) for v in SEED_EXTRAS if w.min <= v <= w.max]
        return [Level("min"), Level("max")], extra
    if isinstance(w, (W.IntRangeSlider, W.FloatRangeSlider)):
        return [Level("min"), Level("max")], [Level("value", (w.min, w.max))]
    if isinstance(w, (W.IntSlider, W.FloatSlider, W.FloatLogSlider, W.BoundedFloatText)):
        return [Level("min"), Level("max")], []
    if isinstance(w, (W.IntText, W.FloatText)):
        return [Level("value", 0), Level("value", 1)], []
    raise TypeError(f"the sweep does not know how to drive a {type(w).__name__}")


# --- a deterministic strength-2 covering array ----------------------------------------------------
def covering_array(nlevels, candidates=24):
    """Rows (tuples of level indices) in which every pair of factors takes every pair of levels.

    Greedy and deterministic (AETG-like, fixed seed): each row starts from the smallest uncovered
    pair; ``candidates`` rows fill the other factors in different orders with the level that covers
    most still-uncovered pairs, and the row covering most pairs wins.
    """
    k = len(nlevels)
    if k == 0:
        return []
    if k == 1:
        return [(v,) for v in range(nlevels[0])]
    rng = np.random.default_rng(20180303)
    uncovered = {(i, a, j, b) for i in range(k) for j in range(i + 1, k)
                 for a in range(nlevels[i]) for b in range(nlevels[j])}

    def pairs(row):
        return {(p, row[p], q, row[q]) for p in range(k) for q in range(p + 1, k)}

    rows = []
    while uncovered:
        i, a, j, b = min(uncovered)
        best, best_gain = None, -1
        for c in range(candidates):
            row = [None] * k
            row[i], row[j] = a, b
            order = list(range(k)) if c == 0 else [int(f) for f in rng.permutation(k)]
            for f in order:
                if row[f] is not None:
                    continue
                tie = list(range(nlevels[f])) if c == 0 else list(rng.permutation(nlevels[f]))

                def gain(v, f=f):
                    return sum(((f, v, g, row[g]) if f < g else (g, row[g], f, v)) in uncovered
                               for g in range(k) if row[g] is not None)

                row[f] = max(tie, key=lambda v: (gain(v), -tie.index(v)))
            g = len(pairs(row) & uncovered)
            if g > best_gain:
                best, best_gain = tuple(int(v) for v in row), g
        uncovered -= pairs(best)
        rows.append(best)
    return rows


def test_covering_array_covers_all_pairs():
    for nlevels in ([2] * 9, [2, 5, 2, 3, 2, 4, 2, 2], [3], [4, 4], [2, 3, 2, 2, 2, 2, 2, 53]):
        rows = covering_array(nlevels)
        assert rows == covering_array(nlevels)  # deterministic
        k = len(nlevels)
        for i in range(k):
            for j in range(i + 1, k):
                seen = {(r[i], r[j]) for r in rows}
                assert len(seen) == nlevels[i] * nlevels[j], (nlevels, i, j)
        if k == 1:
            assert len(rows) == nlevels[0]
    assert len(covering_array([2] * 9)) <= 8  # binary: near the optimum of 6


# --- the sweep ------------------------------------------------------------------------------------
def artist_data(a):
    """Like ``widget_checks.artist_data``, but independent of whether the figure was drawn: a quiver
    is its offsets and arrow components (its arrow polygons only exist after a draw), a 3-D
    scatter/line its 3-D data (its 2-D offsets are projections made during a draw)."""
    if isinstance(a, Quiver):
        return np.concatenate([np.asarray(x, float).ravel() for x in (a.get_offsets(), a.U, a.V)])
    if getattr(a, "_offsets3d", None) is not None:
        parts = [np.asarray(x, float).ravel() for x in a._offsets3d]
        if a.get_array() is not None:
            parts.append(np.asarray(a.get_array(), float).ravel())
        return np.concatenate(parts)
    if hasattr(a, "get_data_3d"):
        return np.concatenate([np.asarray(x, float).ravel() for x in a.get_data_3d()])
    return wc.artist_data(a)


def snapshot(fig):
    return [artist_data(a) for a in wc.artists(fig)]


def fig_texts(fig):
    """Titles, axis labels, texts/annotations and legend entries (cheaper than a findobj walk)."""
    out = [t.get_text() for t in fig.texts if t.get_visible()]
    if getattr(fig, "_suptitle", None) is not None:
        out.append(fig._suptitle.get_text())
    legends = list(fig.legends)
    for ax in fig.axes:
        for t in (ax.title, getattr(ax, "_left_title", None), getattr(ax, "_right_title", None),
                  ax.xaxis.label, ax.yaxis.label,
                  getattr(getattr(ax, "zaxis", None), "label", None)):
            if t is not None and t.get_visible():
                out.append(t.get_text())
        out += [t.get_text() for t in ax.texts if t.get_visible()]
        if ax.get_legend() is not None:
            legends.append(ax.get_legend())
    for leg in legends:
        if leg.get_visible():
            out += [t.get_text() for t in leg.get_texts()]
    return " ".join(out)


_NAN_TEXT = re.compile(r"(?<![\w.])[-+−]?(nan|inf)(?![\w])", re.IGNORECASE)


class Sweep:
    """One panel, built once and driven through all levels; findings per check."""

    def __init__(self, name, factory=None):
        self.name = name
        self.findings = {c: [] for c in CHECKS}
        self.stats = dict(rows=0, changes=0, renders=0, chunks=0, diverged_seen=0)
        self.panel = None
        self.advanced = 0  # chunks advanced since the last control change (for repro lines)
        self.construct_error = None
        self.swept = False
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            self.panel = (factory or getattr(widgets, name))()
        except Exception as exc:  # a factory that raises is a finding, not a crash of the module
            self.construct_error = f"{type(exc).__name__}: {exc}"
            return
        p = self.panel
        attrs = [k for k, v in p.__dict__.items() if isinstance(v, Player)]
        self.runners = [p.__dict__[k] for k in attrs]
        self.runner_attr = attrs[0] if attrs else "runner"
        self.fresh = snapshot(p.fig)
        self.levels, self.extras, self.order = {}, {}, list(p.controls)
        for k, w in p.controls.items():
            try:
                self.levels[k], self.extras[k] = levels_of(w)
            except TypeError as exc:
                self.findings["constructs"].append(f"control {k!r}: {exc}")
        if p.error is not None:
            self.findings["constructs"].append(f"panel.error at construction: {p.error!r}")
        self._check_data("constructs", "construction")  # rendered after reset (same state)
        self._check_divergence("construction")
        self.stats["construct_s"] = time.perf_counter() - t0
        self.stats["construct_cpu_s"] = time.process_time() - c0

    # --- checks -----------------------------------------------------------------------------
    def repro(self):
        """One line that reaches the current state from a fresh panel (non-default controls)."""
        p = self.panel
        diff = {k: v for k, v in p.state.items() if v != p.defaults[k]}
        line = (f"p = widgets.{self.name}(); "
                f"[setattr(p.controls[k], 'value', v) for k, v in {diff!r}.items()]")
        if self.advanced:
            r = f"p.{self.runner_attr}"
            line += f"; {self.advanced} x ({r}.advance_chunk(); {r}.on_chunk())"
        return line

    def _check_error(self, where):
        err = self.panel.error
        if err is not None:
            self.findings["no_error"].append(f"{where}: panel.error = {type(err).__name__}: {err}"
                                             f"\n      repro: {self.repro()}")

    def _check_data(self, check, where):
        fig = self.panel.fig
        bad = []
        for a in wc.artists(fig):
            data = artist_data(a)
            if not np.all(np.isfinite(data)):
                bad.append(f"{type(a).__name__} {a.get_label()!r}")
        for ax in fig.axes:
            for lim in (ax.get_xlim(), ax.get_ylim()):
                if not np.all(np.isfinite(lim)):
                    bad.append(f"axis limits {lim}")
        try:  # ticks are what a draw chokes on first (e.g. a log axis up to 1e300); ~1 ms
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                for ax in fig.axes:
                    for axis in ax._axis_map.values():
                        axis.major.formatter.format_ticks(axis.get_majorticklocs())
                        axis.minor.formatter.format_ticks(axis.get_minorticklocs())
        except Exception as exc:
            self.findings[check].append(
                f"{where}: tick computation failed (the figure cannot be drawn): "
                f"{type(exc).__name__}: {exc}\n      repro: {self.repro()}")
        words = [t for t in (fig_texts(fig), html.unescape(re.sub("<[^>]+>", " ",
                 self.panel.caption.value))) if _NAN_TEXT.search(t)]
        for t in words:
            m = _NAN_TEXT.search(t)
            bad.append(f"text shows {m.group(0)!r}: ...{t[max(0, m.start() - 60):m.end() + 20]}...")
        if bad:
            self.findings[check].append(f"{where}: non-finite: {'; '.join(bad)}\n      repro: "
                                        f"{self.repro()}")

    def _render(self, check, where):
        self.stats["renders"] += 1
        try:
            wc.assert_finite(self.panel.fig)
        except Exception as exc:
            self.findings[check].append(f"{where}: render failed: {type(exc).__name__}: {exc}"
                                        f"\n      repro: {self.repro()}")

    def _check_divergence(self, where):
        p = self.panel
        for r in self.runners:
            div = [k for k, run in r.runs.items() if getattr(run, "diverged", False)]
            if not div:
                continue
            self.stats["diverged_seen"] += 1
            text = " ".join((r.status(), p.status.value, p.caption.value, fig_texts(p.fig)))
            if "diverged" not in text.lower():
                self.findings["divergence_labelled"].append(
                    f"{where}: runs {div} diverged but neither the runner label, the status, the "
                    f"caption nor the figure says 'diverged'\n      repro: {self.repro()} then "
                    f"advance the runner")

    # --- driving ----------------------------------------------------------------------------
    def _set(self, k, level, where):
        w = self.panel.controls[k]
        self.stats["changes"] += 1
        self.advanced = 0
        try:
            level.apply(w)
        except Exception as exc:
            self.findings["no_error"].append(
                f"{where}: setting {k} to {level} raised {type(exc).__name__}: {exc}"
                f"\n      repro: {self.repro()}; then {k} -> {level}")
            return
        ms = 1000 * self.panel.last_update_seconds
        if ms > self.stats.get("max_update_ms", 0):
            self.stats["max_update_ms"], self.stats["slowest_control"] = round(ms, 1), k
        self._check_error(f"{where}, after {k} -> {level}")

    def _chunks(self, where, n):
        for r in self.runners:
            for _ in range(n):
                if r.done:
                    break
                self.stats["chunks"] += 1
                self.advanced += 1
                try:
                    r.advance_chunk()
                    r.on_chunk()
                except Exception as exc:
                    self.findings["no_error"].append(
                        f"{where}: advancing the runner raised {type(exc).__name__}: {exc}"
                        f"\n      repro: {self.repro()}")
                    break
        self._check_error(f"{where}, after chunks")

    def _combination(self, where, render, chunks):
        self.stats["rows"] += 1
        self._check_data("finite", where)
        self._check_divergence(where)
        if self.runners and chunks:
            self._chunks(where, chunks)
            self._check_data("finite", f"{where}, after {chunks} chunk(s)")
            self._check_divergence(f"{where}, after {chunks} chunk(s)")
        if render:
            self._render("finite", where)

    def run(self):
        if self.swept or self.panel is None:
            return
        self.swept = True
        t0, c0 = time.perf_counter(), time.process_time()
        p, order = self.panel, self.order
        known = [k for k in order if k in self.levels]
        # 1. one factor at a time, the others at their defaults
        default_of = {k: Level("value", p.defaults[k]) for k in known}
        for k in known:
            for lv in self.levels[k] + self.extras[k]:
                self._set(k, lv, f"one factor: {k} = {lv}")
                self._combination(f"one factor: {k} = {lv}", render=False, chunks=1)
            self._set(k, default_of[k], f"one factor: {k} back to default")
        # 2. pairwise covering array over the levels, applied in control order
        rows = covering_array([len(self.levels[k]) for k in known])
        # full renders at RENDERS evenly spaced rows, first and last included
        render_at = ({int(round(x)) for x in np.linspace(0, len(rows) - 1, RENDERS)}
                     if RENDERS > 0 and rows else set())
        for n, row in enumerate(rows):
            where = f"pairwise row {n + 1}/{len(rows)}"
            for k, li in zip(known, row):
                self._set(k, self.levels[k][li], where)
            self._combination(where, render=n in render_at, chunks=CHUNKS)
        self.stats["pairwise_rows"] = len(rows)
        self.stats["sweep_s"] = time.perf_counter() - t0
        self.stats["sweep_cpu_s"] = time.process_time() - c0

    def check_reset(self):
        p = self.panel
        # leave the defaults first (the last pairwise row may equal them in some controls)
        for k in self.order:
            lv = next((lv for lv in reversed(self.levels.get(k, []))), None)
            if lv is not None:
                self._set(k, lv, "before reset")
        try:
            p.reset()
        except Exception as exc:
            self.findings["reset"].append(f"reset() raised {type(exc).__name__}: {exc}")
            return
        if p.error is not None:
            self.findings["reset"].append(f"panel.error after reset: {p.error!r}")
        wrong = {k: (v, p.defaults[k]) for k, v in p.state.items() if v != p.defaults[k]}
        if wrong:
            self.findings["reset"].append(f"controls not back at defaults (now, default): {wrong}")
        now = snapshot(p.fig)
        if wc.changed(self.fresh, now):
            if len(now) != len(self.fresh):
                detail = f"{len(now)} visible artists after reset, {len(self.fresh)} when fresh"
            else:
                idx = [i for i, (a, b) in enumerate(zip(self.fresh, now))
                       if a.shape != b.shape or not np.allclose(a, b)]
                arts = wc.artists(p.fig)
                detail = "artists differ: " + ", ".join(
                    f"#{i} {type(arts[i]).__name__} {arts[i].get_label()!r}" for i in idx[:6])
            self.findings["reset"].append(
                f"figure data after reset() differs from the freshly constructed panel ({detail})"
                f"\n      repro: from test_widget_sweep import snapshot; "
                f"p = widgets.{self.name}(); "
                f"s = snapshot(p.fig); <sweep>; p.reset(); wc.changed(s, snapshot(p.fig))")
        self._render("reset", "after reset")

    def close(self):
        if self.panel is not None:
            plt.close(self.panel.fig)


# --- the sweep finds planted bugs ----------------------------------------------------------------
class _PlantedBugsPanel(widgets.Panel):
    """A tiny panel with one bug per check, switched on by control extremes."""

    def __init__(self):
        import gauge_core as gc

        from widgets import controls as C
        from widgets.base import live_figure, set_line

        class MutePlayer(Player):
            def status(self):  # planted: hides the "diverged at step" note
                return "running"

        self.gc, self.set_line = gc, set_line
        controls = {"x": C.float_slider("x", 0.5, 0.0, 1.0, 0.1),
                    "mode": C.dropdown("mode", ["ok", "nan", "raise"], "ok"),
                    "lr": C.lr_control(0.01, lo=-3, hi=1),
                    "flag": W.Checkbox(value=False),
                    "seed": C.seed_control(0)}
        fig, self.ax = live_figure(3, 2)
        self.line = self.ax.plot([0, 1], [0, 1])[0]
        self.updates = 0
        super().__init__("planted bugs", controls, fig)
        self.runner = MutePlayer(self.live, self._draw)
        self.live.track(self.line)
        self.refresh()

    def update(self, changed=None):
        s = self.state
        if s["mode"] == "raise" and s["x"] == 1.0:
            raise RuntimeError("planted exception")
        model = self.gc.MexicanHatChain(4, 1.0, d=2, N=1)
        Z0 = model.random_init(np.random.default_rng(s["seed"]))
        self.runner.start({"gd": self.gc.Run(model, Z0, "gd", lr=s["lr"])}, 500)
        self.updates += 1
        self._draw()

    def _draw(self):
        s = self.state
        y = np.nan if (s["mode"] == "nan" and s["flag"]) else s["x"]
        # planted reset bug: the data depend on how many updates ran
        self.line.set_data([0.0, 1.0], [float(self.updates > 1), y])


def test_sweep_finds_planted_bugs():
    sw = Sweep("planted", _PlantedBugsPanel)
    sw.run()
    sw.check_reset()
    sw.close()
    assert not sw.findings["constructs"]
    assert any("planted exception" in f for f in sw.findings["no_error"])
    assert any("non-finite" in f and "Line2D" in f for f in sw.findings["finite"])
    assert sw.findings["divergence_labelled"] and sw.stats["diverged_seen"]
    assert any("differs from the freshly constructed" in f for f in sw.findings["reset"])
    assert sw.stats["renders"] <= RENDERS + 1


_CURRENT = {}


def _sweep_for(name):
    """The panel's Sweep; building a new panel closes the previous one's figure."""
    sw = _CURRENT.get(name)
    if sw is None:
        for old in _CURRENT.values():
            _save_stats(old)
            old.close()
        _CURRENT.clear()
        sw = _CURRENT[name] = Sweep(name)
    return sw


_STATS = {}


def _save_stats(sw):
    path = os.environ.get("SWEEP_STATS")
    _STATS[sw.name] = dict(sw.stats, findings={c: len(f) for c, f in sw.findings.items()})
    if path:
        with open(path, "w") as fh:
            json.dump(_STATS, fh, indent=1, sort_keys=True)


def _params():
    out = []
    for name in PANELS:
        for check in CHECKS:
            reason = KNOWN_BUGS.get((name, check))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(name, check, id=f"{name}-{check}", marks=marks))
    return out


def test_panels_discovered():
    assert PANELS, "no *_panel in widgets.__all__"
    assert "overview_panel" in PANELS


@pytest.mark.parametrize("name,check", _params())
def test_sweep(name, check):
    sw = _sweep_for(name)
    if sw.panel is None:
        pytest.fail(f"{name}() raised at construction: {sw.construct_error}")
    if check == "reset":
        sw.run()
        sw.check_reset()
        _save_stats(sw)
    elif check != "constructs":
        sw.run()
    found = sw.findings[check]
    if found:
        shown = "\n  - ".join(found[:8])
        more = f"\n  ... and {len(found) - 8} more" if len(found) > 8 else ""
        pytest.fail(f"{name}: {len(found)} finding(s) for {check}:\n  - {shown}{more}",
                    pytrace=False)
