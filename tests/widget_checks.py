"""Helpers for headless panel tests: finite-artist checks, data snapshots, control values.

Panels draw through :class:`widgets.live.LiveFigure` (plain matplotlib figures with an Agg
canvas), so no backend has to be chosen; pyplot is left on the non-interactive Agg backend.
"""
import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.collections import Collection  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402


def artists(fig):
    """Every visible data-carrying artist of a figure (lines, collections, images, bars)."""
    out = []
    for ax in fig.axes:
        for a in list(ax.lines) + list(ax.collections) + list(ax.images) + list(ax.patches):
            if a.get_visible():
                out.append(a)
    return out


def artist_data(a):
    """The numeric data of one artist as a flat float array."""
    if isinstance(a, Line2D):
        x, y = a.get_data()
        return np.concatenate([np.asarray(x, float).ravel(), np.asarray(y, float).ravel()])
    if isinstance(a, AxesImage):
        return np.asarray(a.get_array(), float).ravel()
    if isinstance(a, Rectangle):
        return np.array([a.get_x(), a.get_y(), a.get_width(), a.get_height()], float)
    if isinstance(a, Collection):
        parts = [np.asarray(a.get_offsets(), float).ravel()]
        arr = a.get_array()
        if arr is not None:
            parts.append(np.asarray(arr, float).ravel())
        for p in getattr(a, "get_paths", lambda: [])()[:200]:
            parts.append(np.asarray(p.vertices, float).ravel())
        return np.concatenate(parts) if parts else np.zeros(0)
    return np.zeros(0)


def snapshot(fig):
    """All artist data of a figure, for before/after comparisons."""
    return [artist_data(a) for a in artists(fig)]


def changed(before, after):
    """True if any artist's data differs between two snapshots."""
    if len(before) != len(after):
        return True
    return any(b.shape != a.shape or not np.allclose(b, a, equal_nan=False)
               for b, a in zip(before, after))


def assert_finite(fig):
    """No artist carries NaN or inf, and the figure renders."""
    for a in artists(fig):
        data = artist_data(a)
        assert np.all(np.isfinite(data)), f"{type(a).__name__} {a.get_label()!r} has non-finite data"
    fig.savefig(io.BytesIO(), format="png")


def texts(fig):
    """All visible text of a figure (titles, labels, annotations), joined."""
    return " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_visible())


def control_values(w):
    """Values worth visiting on one control: every option of a choice, both ends of a slider,
    a few seeds for a seed box."""
    import ipywidgets as W

    if isinstance(w, W.SelectionSlider):
        values = [o[1] if isinstance(o, tuple) else o for o in w.options]
        return [values[0], values[-1]]
    if isinstance(w, (W.ToggleButton, W.Checkbox)):
        return [not w.value, w.value]
    if isinstance(w, (W.Dropdown, W.ToggleButtons, W.RadioButtons)):
        return [o[1] if isinstance(o, tuple) else o for o in w.options]
    if isinstance(w, W.FloatLogSlider):
        return [w.base ** w.min, w.base ** w.max]
    if isinstance(w, (W.IntSlider, W.FloatSlider)):
        return [w.min, w.max]
    return [0, 7, 2**31 - 1]  # seed box


def other_value(w):
    """A value of ``w`` different from its current one (the far end for a slider)."""
    import ipywidgets as W

    if isinstance(w, W.FloatLogSlider):
        return w.base ** w.min if abs(np.log(w.value) / np.log(w.base) - w.min) > 0.5 \
            else w.base ** w.max
    return next(v for v in control_values(w) if v != w.value)


def assert_finite_data(fig):
    """The data half of :func:`assert_finite`, without the (slow) full render."""
    for a in artists(fig):
        assert np.all(np.isfinite(artist_data(a))), f"{a.get_label()!r} has non-finite data"


def panel_text(panel):
    """Caption and status line of a panel as plain text."""
    import re

    return re.sub("<[^>]+>", "", panel.caption.value + " " + panel.status.value)


def check_every_control_changes_figure(panel, prepare=None):
    """Each control, moved away from the default, changes the figure's data (no error, nothing
    non-finite); Reset then restores the defaults and the default figure.

    ``prepare(panel, name)`` may set other controls first (for a control that only matters in
    some setting).
    """
    panel.reset()
    default = snapshot(panel.fig)
    for name, w in panel.controls.items():
        if prepare is not None:
            prepare(panel, name)
        before = snapshot(panel.fig)
        w.value = other_value(w)
        assert panel.error is None, (name, panel.error)
        assert changed(before, snapshot(panel.fig)), f"control {name} changed nothing"
        assert_finite_data(panel.fig)
        panel.reset()
    assert panel.state == panel.defaults
    assert not changed(default, snapshot(panel.fig))


def check_extremes(panel):
    """Every control at each of its :func:`control_values`: no error escapes, no non-finite
    data; the figure is rendered once per control (at its last value)."""
    for name, w in panel.controls.items():
        for v in control_values(w):
            w.value = v
            assert panel.error is None, (name, v, panel.error)
            assert_finite_data(panel.fig)
        assert_finite(panel.fig)
        panel.reset()


def axes_limits(fig):
    """The ``(x limits, y limits)`` of every axes of a figure, in order."""
    return [(ax.get_xlim(), ax.get_ylim()) for ax in fig.axes]


def check_reset_restores_defaults_and_axes(panel, move):
    """After ``move(panel)`` takes the panel away from its defaults, Reset restores the default
    state, every axes' limits and the default figure."""
    default, limits = snapshot(panel.fig), axes_limits(panel.fig)
    move(panel)
    panel.reset()
    assert panel.state == panel.defaults
    assert axes_limits(panel.fig) == limits
    assert not changed(default, snapshot(panel.fig))


def assert_legend_above_axes(fig):
    """The figure legend sits above the drawn extent of every axes (1 px tolerance)."""
    renderer = fig.canvas.get_renderer()
    legend = fig.legends[0].get_window_extent(renderer)
    for ax in fig.axes:
        assert legend.y0 >= ax.get_tightbbox(renderer).y1 - 1
    return legend


def play_chunk(panel, n=1):
    """Advance a panel's runs by ``n`` chunks and draw each, as its play loop does."""
    for _ in range(n):
        panel.player.advance_chunk()
        panel.player.on_chunk()


def check_each_value_changes_played_figure(panel, values, prepare=None, steps_axis=None):
    """Each control set to its value in ``values`` (name -> value) between two played chunks
    changes the figure (no error, nothing non-finite); Reset after each.

    ``prepare(panel, name)`` may set other controls first. With ``steps_axis``, the ``"steps"``
    control is checked by the player's target and that axes' right limit instead (the run
    length may not change anything drawn yet).
    """
    for name, value in values.items():
        if prepare is not None:
            prepare(panel, name)
        play_chunk(panel)
        before = snapshot(panel.fig)
        panel.controls[name].value = value
        play_chunk(panel)
        assert panel.error is None, (name, panel.error)
        if name == "steps" and steps_axis is not None:
            assert panel.player.total == value and steps_axis.get_xlim()[1] == value
        else:
            assert changed(before, snapshot(panel.fig)), f"control {name} changed nothing"
        assert_finite(panel.fig)
        panel.reset()


def check_slider_ends_after_a_chunk(panel, name):
    """Slider ``name`` at each end, a chunk played: no error, nothing non-finite, and the
    figure renders."""
    w = panel.controls[name]
    for v in control_values(w):
        w.value = v
        play_chunk(panel)
        assert panel.error is None, (name, v, panel.error)
        assert_finite(panel.fig)


def check_disabled_while(panel, name, control, value):
    """Control ``name`` is enabled at the defaults, disabled once ``control`` is set to
    ``value``, and enabled again after Reset."""
    assert not panel.controls[name].disabled
    panel.controls[control].value = value
    assert panel.controls[name].disabled
    panel.reset()
    assert not panel.controls[name].disabled
