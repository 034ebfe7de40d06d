"""A matplotlib figure whose moving artists are drawn in the browser.

:class:`LiveFigure` is an ``anywidget`` that shows a figure in two layers, stacked exactly:

- **the background**: everything static (axes, ticks, labels, legends, titles, mathtext and the
  artists that do not move), rendered by matplotlib's Agg backend into a PNG. It is re-rendered
  only when something static changes: an axis limit or scale, the widget's width, the screen's
  pixel ratio, or an explicit :meth:`LiveFigure.invalidate`;
- **the live layer**: the artists registered with :meth:`LiveFigure.track` (lines, scatter
  points, bars, segments, filled polygons), drawn on an HTML canvas from numpy arrays sent as
  binary buffers. Their geometry uses the axes' exact data-to-pixel maps (linear or log),
  computed by matplotlib at the same moment the background was rendered, so the two layers agree
  to the pixel.

Panels keep using the matplotlib API (``line.set_data``, ``scatter.set_offsets``,
``bar.set_height``, ``ax.set_ylim``); :meth:`LiveFigure.flush` sends whatever changed. A line
that only grew is sent as its new tail. Tracked artists are marked ``animated``, so a normal
draw (the background) leaves them out while ``savefig`` (the static edition, tests) includes
them: headless use is plain matplotlib.

Frames during playback: while ``playing`` is true and the figure is in view, the browser sends a
``tick`` message every :data:`LEASE_INTERVAL` seconds, from the moment the widget is displayed
(that is autoplay, in JupyterLab and Voila alike). A tick is a lease: the kernel answers it with a
frame at once, then sends one frame every ``frame_interval`` ms from a timer on its event loop
until :data:`LEASE` seconds after the last tick. So a frame costs the kernel no incoming message
(each one costs ipykernel about 3.5 ms of CPU here, a third of a frame's budget), and a figure
that is hidden in a background tab stops costing anything within :data:`LEASE` seconds (one
scrolled out of view or closed sends ``away`` and stops at once, and pausing stops it as
well). Each tick says which
message the browser last received; the kernel sends no frame while more than :data:`MAX_AHEAD`
are on their way. Outside a Jupyter kernel (tests, nbval, scripts) every tick is answered with
exactly one frame and backgrounds are rendered at once.

A figure says ``hello`` (its width and pixel ratio) once it is first scrolled into view, and
gets its first background then; a view created again for an unchanged figure (JupyterLab's
windowed notebook does this while scrolling) gets the last render again, not a new one.

Thread safety: with ipykernel 7, comm messages may be handled on a subshell thread while a cell
runs on the main thread. Everything that touches a live figure (message handlers, panel
updates) runs under the module's re-entrant :data:`LOCK`.
"""
from __future__ import annotations

import asyncio
import io
import pathlib
import sys
import threading
import time

import anywidget
import numpy as np
import traitlets
from matplotlib.backends.backend_agg import FigureCanvasAgg

from . import pack
from .background import Background, axes_map

#: One lock for every live figure: matplotlib is not thread-safe, and ipykernel 7 may run widget
#: callbacks on a subshell thread while a cell runs.
LOCK = threading.RLock()

NOMINAL_DPI = 100.0  # a figure of w inches is at most 100 w CSS pixels wide
#: seconds between status-line updates during playback (text to read, not an animation: each
#: update is a message of its own and a layout pass in the page)
STATUS_INTERVAL = 0.1
#: seconds between the last frame that needs a new background and the render (a matplotlib
#: render holds the interpreter and a core for 100-300 ms; meanwhile the frame reaches the page
#: and is drawn, on a core the render does not take, and a key held down or a slider dragged gets
#: each of its frames at once, on the old axes, and one render when it stops) ...
BACKGROUND_DELAY = 0.08
#: ... but at most this many seconds after the first such frame (during playback whose limits keep
#: moving, and while a control is held)
BACKGROUND_MAX_WAIT = 0.4
#: seconds between the browser's ticks while a figure plays in view (live.js has the same number;
#: each tick costs ipykernel about 3.5 ms of CPU, so 2.5 a second rather than 5 saves a hundredth
#: of a core during playback)
LEASE_INTERVAL = 0.4
#: seconds a tick keeps frames coming: three tick intervals, so a late tick does not stall play
LEASE = 1.2
#: frames (and backgrounds) the kernel may have sent beyond what the browser said it received at
#: its last tick: 0.8 s of frames, a tick interval's worth (12) plus those in transit
MAX_AHEAD = 24


class _Tracked:
    __slots__ = ("artist", "kind", "ax", "sent", "stack", "stack_sent")

    def __init__(self, artist, kind, ax):
        self.artist, self.kind, self.ax = artist, kind, ax
        self.sent = None  # the arrays the browser holds, to send only what changed
        self.stack = None  # recorded frames {field: (K, n) array}, shown by frame_index
        self.stack_sent = False


class LiveFigure(anywidget.AnyWidget):
    """A figure whose tracked artists are drawn in the browser, over a static matplotlib background.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Its size in inches times 100 is the widest the figure is shown, in CSS pixels; it shrinks
        (everything scaled together, like a picture) to fit a narrower output area.
    player : bool
        Show a play/pause button, a progress bar and a status line above the figure.

    Attributes
    ----------
    playing : bool
        While true, a displayed widget asks the kernel for frames (``on_tick``).
    frame_index : int
        Spare slot for browser-side scrubbing (linked from a slider with ``jslink``).
    frames_sent, backgrounds_sent : int
        Counters, for tests and benchmarks.
    """

    _esm = pathlib.Path(__file__).with_name("live.js")
    _css = pathlib.Path(__file__).with_name("live.css")

    playing = traitlets.Bool(False).tag(sync=True)
    player = traitlets.Bool(False).tag(sync=True)
    nominal_width = traitlets.Int(600).tag(sync=True)
    nominal_height = traitlets.Int(400).tag(sync=True)
    frame_interval = traitlets.Int(33).tag(sync=True)  # ms between frames during playback
    status_text = traitlets.Unicode("").tag(sync=True)
    progress = traitlets.Float(-1.0).tag(sync=True)  # < 0: no progress bar
    frame_index = traitlets.Int(0).tag(sync=True)
    hidden = traitlets.List(traitlets.Int()).tag(sync=True)  # ids the reader toggled off
    toggles = traitlets.List(traitlets.Dict()).tag(sync=True)  # [{id, label, color}]

    def __init__(self, fig, *, player=False, on_tick=None, on_play=None, **kwargs):
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        w_in, h_in = fig.get_size_inches()
        super().__init__(player=bool(player), nominal_width=int(round(w_in * NOMINAL_DPI)),
                         nominal_height=int(round(h_in * NOMINAL_DPI)), **kwargs)
        self.fig = fig
        self.on_tick = on_tick
        self.on_play = on_play
        self._tracked = []
        self._view = None  # (css width, pixel ratio) once a browser has said hello
        self._dirty = True
        self._limits = None
        self._dpi_css = NOMINAL_DPI
        self._seq = 0
        self.frames_sent = 0
        self.backgrounds_sent = 0
        self.last_background_seconds = 0.0
        self._background = Background(fig)
        self._status_time = 0.0
        self._pending_status = None
        self._lease_until = 0.0  # perf_counter time until which frames keep coming
        self._seen = 0  # the last message the browser said it received
        self._timer = None  # the event loop's handle of the next frame, while playing
        self._due = 0.0  # perf_counter time the last frame was due (frames keep to a grid)
        self._reply_due = False
        self._background_due = None  # the event loop's handle of a deferred background render
        self._background_since = 0.0  # when the change that first needed it came
        self.on_msg(self._on_msg)
        self.observe(self._on_playing, names="playing")
        self.observe(self._apply_hidden, names="hidden")

    # --- registering artists ------------------------------------------------------------------
    def track(self, artist, marker=None):
        """Draw ``artist`` in the browser from now on; returns it unchanged.

        ``marker`` is needed for a scatter with square markers (``"s"``; default circle).
        """
        kind = pack.kind_of(artist)
        for m in pack.members(artist):
            m.set_animated(True)
        if marker is not None:
            artist._gb_marker = marker
        ax = pack.members(artist)[0].axes if pack.members(artist) else None
        if ax is None or ax.figure is not self.fig:
            raise ValueError("track() needs an artist that is already in this figure's axes")
        with LOCK:
            self._tracked.append(_Tracked(artist, kind, ax))
            self._dirty = True
        return artist

    def invalidate(self):
        """Ask for a new background at the next :meth:`flush` (titles, labels, static artists)."""
        self._dirty = True

    def stack(self, artist, **fields):
        """Give ``artist`` recorded frames: each field an array of shape ``(K, n)``.

        The browser then draws row ``frame_index`` of every stacked field (e.g. ``y`` of a line,
        ``h`` of bars) instead of the artist's own data, so a slider linked to ``frame_index``
        with ``ipywidgets.jslink`` scrubs through the frames without a kernel round trip.
        ``stack(artist)`` with no fields removes the frames.
        """
        t = self._find(artist)
        with LOCK:
            t.stack = {k: np.ascontiguousarray(np.asarray(v, dtype=float)) for k, v in
                       fields.items()} or None
            for k, v in (t.stack or {}).items():
                if v.ndim != 2:
                    raise ValueError(f"stacked field {k!r} must have shape (K, n), got {v.shape}")
            t.stack_sent = False

    def toggleable(self, artist, label):
        """A chip above the figure that shows or hides ``artist`` in the browser (no kernel)."""
        t = self._find(artist)
        k = self._tracked.index(t)
        colour = pack.style(t.artist, t.kind, self._dpi_css).get("color")
        self.toggles = [*self.toggles, {"id": k, "label": str(label), "color": colour}]

    def _apply_hidden(self, change):
        with LOCK:  # keep the static picture (savefig) in step with what the reader hid
            for k, t in enumerate(self._tracked):
                if any(g["id"] == k for g in self.toggles):
                    for m in pack.members(t.artist):
                        m.set_visible(k not in change["new"])

    def _find(self, artist):
        for t in self._tracked:
            if t.artist is artist:
                return t
        raise ValueError("this artist is not tracked by the live figure (call track() first)")

    @property
    def displayed(self):
        """True once a browser view has reported its size."""
        return self._view is not None

    # --- sending ------------------------------------------------------------------------------
    def flush(self, reply=False):
        """Send a new background if needed, then every tracked artist whose data changed.

        ``reply=True`` marks the frame as the answer to a browser tick. Without a browser view
        (tests, nbval) this only remembers that a background is due.
        """
        with LOCK:
            if self._view is None:
                return
            if self._background_needed():
                # the new data first, drawn at once on the old background; the new background
                # (a matplotlib render) follows and replaces both layers together
                self._send_frame(reply, stacks=False)  # recorded frames (scrubbing) later
                self._defer_background()
                return
            self._send_frame(reply)

    def _defer_background(self):
        """Render the background BACKGROUND_DELAY seconds after the last change that needs it
        (at once for a view that has none yet), at most BACKGROUND_MAX_WAIT after the first."""
        loop = kernel_loop()
        if loop is None:  # tests, scripts: render now
            self._render_background()
            return
        now = time.perf_counter()
        if self._background_due is not None:
            if now - self._background_since >= BACKGROUND_MAX_WAIT:
                return  # the render already due comes soon enough
            self._background_due.cancel()
        else:
            self._background_since = now
        delay = 0.0 if self._background.buffer is None else BACKGROUND_DELAY
        self._background_due = loop.call_later(delay, self._deferred_background)

    def _background_needed(self):
        return self._dirty or self._limits != self._current_limits()

    def _deferred_background(self):
        with LOCK:
            self._background_due = None
            if self._view is not None and self.comm is not None and self._background_needed():
                self._render_background()

    def _render_background(self):
        """Render and send the background (only the axes whose limits changed, when possible),
        then the recorded frames and anything that changed meanwhile."""
        limits = self._current_limits()
        changed = None
        if not self._dirty and self._limits is not None and len(limits) == len(self._limits):
            changed = [k for k, (a, b) in enumerate(zip(self._limits, limits)) if a != b]
        self._send_background(changed)
        self._send_frame(False, skip_empty=True)

    def _current_limits(self):
        # checked at every frame, so kept cheap: the axes' original positions (an equal-aspect
        # axes moves within it only when its limits change, which are compared anyway)
        return tuple(_limits_of(ax) for ax in self.fig.axes)

    def _send_background(self, changed_axes=None, render=True):
        """Render and send the background: all of it, or only the axes listed in
        ``changed_axes`` (indices) when their regions do not touch anything else.
        ``render=False`` sends the last render again, whole (for a new view of an unchanged
        figure)."""
        t0 = time.perf_counter()
        bg = self._background
        width, ratio = self._view
        w_in, h_in = self.fig.get_size_inches()
        css_w = float(min(width, self.nominal_width))
        # the browser keeps every array it has (in data units); only sizes in CSS pixels
        # (markers, line widths) depend on the scale, so a new scale means sending everything
        rescaled = css_w / w_in != self._dpi_css or bg.buffer is None
        self._dpi_css = css_w / w_in
        self.fig.set_dpi(self._dpi_css * ratio)
        patch = bg.render(changed_axes) if render else bg.whole
        H, W = bg.buffer.shape[:2]
        x, y, w, h = patch
        index = {id(ax): k for k, ax in enumerate(self.fig.axes)}
        scene = [dict(pack.style(t.artist, t.kind, self._dpi_css), id=k, kind=t.kind,
                      ax=index[id(t.ax)]) for k, t in enumerate(self._tracked)]
        self._seq += 1
        self.send({"type": "background", "seq": self._seq, "width": W / ratio,
                   "height": H / ratio, "patch": [x / ratio, y / ratio, w / ratio, h / ratio],
                   "full": patch == bg.whole,
                   "axes": [axes_map(ax, H, ratio) for ax in self.fig.axes], "scene": scene},
                  [bg.png(patch)])
        if rescaled:
            for t in self._tracked:
                t.sent = None
                t.stack_sent = False
        self._limits = self._current_limits()
        self._dirty = False
        self.backgrounds_sent += 1
        self.last_background_seconds = time.perf_counter() - t0

    def _send_frame(self, reply=False, skip_empty=False, stacks=True):
        updates, buffers, projections = [], [], {}
        for k, t in enumerate(self._tracked):
            vis = pack.visible(t.artist)
            new = pack.data(t.artist, t.kind, self._dpi_css, projections)
            op, fields = pack.diff(t.sent, new)
            if op is None and t.sent is not None and t.sent.get("_vis") == vis:
                continue
            entry = {"id": k, "op": op or "keep", "visible": vis, "fields": {}}
            for name, arr in fields.items():
                entry["fields"][name] = [len(buffers), arr.dtype.str, int(arr.shape[0])]
                buffers.append(np.ascontiguousarray(arr).tobytes())
            updates.append(entry)
            new["_vis"] = vis
            t.sent = new
        for k, t in enumerate(self._tracked):
            if t.stack_sent or not stacks:
                continue
            entry = {"id": k, "op": "stack", "fields": {}}
            for name, arr in (t.stack or {}).items():
                entry["fields"][name] = [len(buffers), arr.dtype.str, int(arr.shape[0]),
                                         int(arr.shape[1])]
                buffers.append(arr.tobytes())
            updates.append(entry)
            t.stack_sent = True
        if skip_empty and not updates:
            return
        self._seq += 1
        self.send({"type": "frame", "seq": self._seq, "reply": bool(reply), "artists": updates},
                  buffers)
        self.frames_sent += 1

    def set_status(self, text, progress=None):
        """The status line above the figure (and the progress bar, 0–1, if given).

        During playback at most every :data:`STATUS_INTERVAL` seconds; the last one of a playback
        always shows.
        """
        now = time.perf_counter()
        if self.playing and now - self._status_time < STATUS_INTERVAL:
            self._pending_status = (text, progress)
            return
        self._pending_status = None
        self._status_time = now
        if text != self.status_text:
            self.status_text = text
        if progress is not None and abs(progress - self.progress) > 1e-4:
            self.progress = float(progress)

    # --- messages from the browser ------------------------------------------------------------
    def _on_msg(self, _widget, content, _buffers):
        kind = content.get("type") if isinstance(content, dict) else None
        with LOCK:
            if kind in ("hello", "resize"):
                width = int(content.get("width") or self.nominal_width)
                ratio = float(content.get("ratio") or 1.0)
                view = (max(120, min(width, self.nominal_width)), min(max(ratio, 1.0), 3.0))
                if (kind == "hello" and view == self._view
                        and self._background.buffer is not None and not self._background_needed()):
                    self._resend()  # JupyterLab re-created the view (scrolling): no render
                elif kind == "hello" or view != self._view:
                    self._view = view
                    self._dirty = True
                    self.flush()
            elif kind == "away":  # scrolled out of view or closing: frames stop now
                self._lease_until = 0.0
            elif kind == "tick":
                self._lease_until = time.perf_counter() + LEASE
                seen = content.get("seen")
                if isinstance(seen, int) and not isinstance(seen, bool):
                    self._seen = max(self._seen, min(seen, self._seq))
                if self._timer is None:
                    self._due = time.perf_counter()
                    self._frame(reply=True)
                    self._schedule()
                else:
                    self._reply_due = True  # the timer's next frame answers it

    def _resend(self):
        """Everything again for a new view of a figure whose background has not changed: the
        last render (no matplotlib work) and every artist's arrays."""
        for t in self._tracked:
            t.sent = None
            t.stack_sent = False
        self._send_background(render=False)
        self._send_frame(False, skip_empty=True)

    # --- playback frames ----------------------------------------------------------------------
    def _frame(self, reply=False):
        """One frame of playback: the owner's chunk of work (``on_tick``), then what changed;
        the status line and play flag follow in one message."""
        with self.hold_sync():
            if self.on_tick is not None and self.playing:
                self.on_tick()
            self.flush(reply=reply)

    def _schedule(self):
        """The next frame one ``frame_interval`` after the last one was due, on the running
        event loop (none in tests and nbval: there each tick is answered by one frame). Frames
        keep to that grid, so a timer that fires a little late does not slow playback down; a
        kernel that fell behind by more than a frame starts a new grid."""
        loop = kernel_loop()
        if loop is None:
            return
        now = time.perf_counter()
        self._due += self.frame_interval / 1000.0
        if self._due < now - self.frame_interval / 1000.0:
            self._due = now
        self._timer = loop.call_later(max(0.0, self._due - now), self._on_timer)

    def _on_timer(self):
        with LOCK:
            self._timer = None
            if (not self.playing or self._view is None or self.comm is None
                    or time.perf_counter() > self._lease_until):
                return  # until the next tick starts the timer again
            if self._seq - self._seen <= MAX_AHEAD:
                self._frame(reply=self._reply_due)
                self._reply_due = False
            self._schedule()

    def _on_playing(self, change):
        with LOCK:
            if not change["new"] and self._pending_status is not None:
                self.set_status(*self._pending_status)
            if self.on_play is not None:
                self.on_play(change["new"])

    # --- the static picture -------------------------------------------------------------------
    def png(self, dpi=NOMINAL_DPI):
        """The whole figure, live artists included, as PNG bytes (static edition, tests)."""
        with LOCK:
            buf = io.BytesIO()
            self.fig.savefig(buf, format="png", dpi=dpi)
            return buf.getvalue()

    def _repr_png_(self):  # displayed alone in a static context
        return self.png()


def _limits_of(ax):
    view = ax.viewLim  # once: each access brings the shared axes' limits up to date
    return (tuple(view.intervalx), tuple(view.intervaly), ax.get_xscale(), ax.get_yscale(),
            tuple(ax.get_position(original=True).bounds))


def kernel_loop():
    """The event loop running this code when it runs in a Jupyter kernel (a widget's message
    handler), else None: tests, scripts and other programs' event loops (Playwright's, in the
    browser tests) get plain synchronous behaviour."""
    app = sys.modules.get("ipykernel.kernelapp")
    if app is None or not app.IPKernelApp.initialized():
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
