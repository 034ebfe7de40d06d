"""The panel every chapter builds on: controls, a Reset button, a status line, a live figure and a
caption, with one safe update path.

A panel *is* an ``ipywidgets.VBox``, so a notebook cell just returns it. Its figure is a
:class:`widgets.live.LiveFigure`: matplotlib draws the static background, the browser draws the
artists the panel ``track``s. Tests drive it headless: set ``panel.controls[name].value`` and read
``panel.fig`` / ``panel.state``.
"""
from __future__ import annotations

import contextlib
import html
import os
import time

import ipywidgets as W
import numpy as np

from .live import LOCK, LiveFigure
from .live import figure as _figure
from .style import figsize, presentation_on

STATIC_ENV = "GAUGE_BOOK_STATIC"  # "1" while tools/export_html.py builds the static edition
FLOOR = 1e-300  # log axes: losses that reach exactly zero are drawn at the floor, never as NaN
CEILING = 1e100  # a run about to diverge can reach 1e273 first; log tick formatting overflows there
#: seconds between the frame that answers a control and the rest of the panel's state (caption,
#: status line, play bar): the page draws the frame first, in a display frame of its own, and
#: lays the new text out in a later one (measured in Chromium: 3-8 ms sooner per key press)
STATE_DELAY = 0.04


def live_figure(width, height, nrows=1, ncols=1, **subplot_kw):
    """A plain matplotlib figure (Agg canvas, no pyplot) for a :class:`LiveFigure`.

    ``width`` and ``height`` are inches at the book's style scale; 100 px per inch is the widest it
    is shown, and it shrinks to fit a narrower output area.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize(width, height))
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, **subplot_kw) if nrows * ncols > 0 else None
    return fig, axes


def positive(y, floor=FLOOR, ceiling=CEILING):
    """Values safe for a log axis: finite, clipped to ``[floor, ceiling]``."""
    y = np.asarray(y, dtype=float)
    return np.clip(np.nan_to_num(y, nan=floor, posinf=ceiling, neginf=floor), floor, ceiling)


def set_line(line, x, y):
    """Update a line in place; refuses non-finite data so that no panel ever draws NaN."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("refusing to draw non-finite data")
    line.set_data(x, y)


def legend_above(ax, *handles_and_labels, ncol=1):
    """A frameless small-type legend just above ``ax``, starting at its left edge.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    *handles_and_labels
        Passed on to ``ax.legend`` (none: every labelled artist of ``ax``).
    ncol : int
        Number of columns.

    Returns
    -------
    matplotlib.legend.Legend
    """
    return ax.legend(*handles_and_labels, loc="lower left", bbox_to_anchor=(0.0, 1.02), ncol=ncol,
                     fontsize="x-small", frameon=False, borderaxespad=0.0)


def autoscale(ax, x=True, y=True):
    ax.relim()
    ax.autoscale_view(scalex=x, scaley=y)


class Panel(W.VBox):
    """Base class of every panel.

    Subclasses pass their controls (a dict name -> widget) and figure, then implement
    :meth:`update`, which redraws from ``self.state``. Every control change goes through
    :meth:`refresh`, which times the update, shows errors in the status line instead of a
    traceback, and asks the front end to redraw.

    Attributes
    ----------
    controls : dict[str, ipywidgets.Widget]
    defaults : dict[str, object]
        Control values at construction: the canonical setting that Reset restores.
    fig : matplotlib.figure.Figure
    caption : ipywidgets.HTML
        Built from live values by the subclass.
    status : ipywidgets.HTML
        Progress, divergence and error messages.
    last_update_seconds : float
        Duration of the last update (for benchmarks).
    """

    def __init__(self, title, controls, fig, extra=(), below=()):
        self.title = title
        self.controls = dict(controls)
        self.defaults = {k: w.value for k, w in self.controls.items()}
        self.fig = fig
        self.live = LiveFigure(fig)
        # no fixed width: 100% plus the widget's margins would overflow the output area
        self.caption = W.HTML(layout=W.Layout(width="auto", max_width="100%"))
        self.status = W.HTML(layout=W.Layout(min_height="1.6em"))
        self.reset_button = W.Button(description="Reset", icon="undo", tooltip="back to the "
                                     "canonical setting", layout=W.Layout(width="90px"))
        self.reset_button.on_click(lambda _: self.reset())
        self.last_update_seconds = 0.0
        self.error = None
        self._holding = False
        self._caption_text = None
        self._caption_time = 0.0
        self._caption_due = False  # set during refresh: the caption follows the frame
        self._refreshing = False
        header = W.HTML(f"<b style='font-size:{'1.5em' if presentation_on() else '1.1em'}'>"
                        f"{html.escape(title)}</b>")
        box = W.Box(list(self.controls.values()) + [self.reset_button],
                    layout=W.Layout(display="flex", flex_flow="row wrap", align_items="center"))
        super().__init__([header, box, *extra, self.status, self.live, *below, self.caption])
        for name, w in self.controls.items():
            w.observe(self._on_change, names="value")
        # the last caption of a playback is never throttled away
        self.live.observe(lambda c: None if c["new"] else self._apply_caption(), names="playing")

    # --- state ------------------------------------------------------------------------------
    @property
    def state(self):
        """Current control values, by name."""
        return {k: w.value for k, w in self.controls.items()}

    def reset(self):
        """Restore the canonical setting (all controls at once, one redraw)."""
        self._holding = True
        try:
            for k, v in self.defaults.items():
                self.controls[k].value = v
        finally:
            self._holding = False
        self.refresh(changed="reset")

    def set(self, **values):
        """Set several controls at once with a single redraw.

        :meth:`update` receives the control's name when one control is set (exactly as when the
        reader moves it), or a tuple of names for several.
        """
        self._holding = True
        try:
            for k, v in values.items():
                self.controls[k].value = v
        finally:
            self._holding = False
        self.refresh(changed=next(iter(values)) if len(values) == 1 else tuple(values))

    # --- updating ---------------------------------------------------------------------------
    def _on_change(self, change):
        if not self._holding:
            name = next((k for k, w in self.controls.items() if w is change["owner"]), None)
            self.refresh(changed=name)

    def refresh(self, changed=None):
        """Run :meth:`update` safely and redraw.

        The frame goes to the browser first; the state of the live figure, caption and status
        line (play flag, status text, progress, caption) follows ``STATE_DELAY`` seconds later
        when a browser shows the figure (at once otherwise), in one message per widget. The caption's text is built then
        too, so building it does not delay the frame.
        """
        holds = contextlib.ExitStack()
        with LOCK:
            try:
                for w in (self.live, self.caption, self.status):
                    holds.enter_context(w.hold_sync())
                t0 = time.perf_counter()
                self._refreshing = True
                try:
                    self.update(changed)
                    self.error = None
                except Exception as exc:  # a widget never shows a traceback
                    self.error = exc
                    self.say("<span style='color:#D55E00'>Could not update: "
                             f"{html.escape(str(exc))}</span>")
                finally:
                    self._refreshing = False
                self.live.flush()
                self.last_update_seconds = time.perf_counter() - t0
            except BaseException:
                holds.close()
                raise
        loop = _figure.kernel_loop()
        if loop is None or not self.live.displayed:  # tests, nbval; no frame to go first
            self._send_state(holds)
        else:
            loop.call_later(STATE_DELAY, self._send_state, holds)

    def _send_state(self, holds):
        with LOCK:
            try:
                if self._caption_due:
                    self._apply_caption()
            finally:
                holds.close()

    def update(self, changed=None):  # pragma: no cover - abstract
        raise NotImplementedError

    def say(self, message):
        """Show a short HTML message in the status line."""
        self.status.value = message

    def set_caption(self, text):
        """The caption under the figure, from live values: HTML, or a function that returns it
        (then called only when the caption is actually refreshed, so a panel that sets it after
        every frame pays for the text only a few times a second).

        During playback it is refreshed at most four times a second (a caption is text the reader
        reads, not an animation); the last one of a playback always shows.
        """
        self._caption_text = text
        if self._refreshing:  # built and sent after the frame
            self._caption_due = True
            return
        playing = self.live.playing
        if not playing or time.perf_counter() - self._caption_time >= 0.25:
            self._apply_caption()

    def _apply_caption(self):
        if self._caption_text is not None:
            text = self._caption_text() if callable(self._caption_text) else self._caption_text
            self.caption.value = f"<div style='max-width:52em'>{text}</div>"
            self._caption_time = time.perf_counter()
        self._caption_due = False

    def _repr_png_(self):
        """A picture of the panel for the static edition (``make html``), else nothing.

        Only when ``GAUGE_BOOK_STATIC=1`` (set by ``tools/export_html.py``): then any runs a
        :class:`~widgets.live.player.Player` drives are finished first, so the picture shows the panel's result, not iteration 0. In a live
        session this returns ``None``, so displaying a panel costs no extra full render.
        """
        if os.environ.get(STATIC_ENV) != "1":
            return None
        import io

        from .live.player import Player

        with LOCK:
            for value in list(vars(self).values()):
                if isinstance(value, Player):
                    value.run_to_end()
            buf = io.BytesIO()
            self.fig.savefig(buf, format="png")
            return buf.getvalue()
