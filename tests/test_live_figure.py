"""The live drawing layer (widgets/live), headless: what the kernel sends and when.

A fake browser says hello and collects the messages; the JavaScript side is checked in Chromium
by tests/browser/test_live_layer.py.
"""
from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from widgets.live import LiveFigure
from widgets.live.player import Player


def figure(**kw):
    fig = Figure(figsize=(4, 3))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 1)
    return fig, ax


def connect(live, width=400, ratio=1.0):
    sent = []
    live.send = lambda content, buffers=None: sent.append((content, list(buffers or [])))
    live._on_msg(None, {"type": "hello", "width": width, "ratio": ratio}, [])
    return sent


def frames(sent):
    return [c for c, _ in sent if c["type"] == "frame"]


def backgrounds(sent):
    return [c for c, _ in sent if c["type"] == "background"]


def field(sent, content, name, artist_id=0):
    """The array a frame message carries for one field of one artist."""
    for c, buffers in sent:
        if c is content:
            for a in c["artists"]:
                if a["id"] == artist_id:
                    index, dtype, n = a["fields"][name][:3]
                    return np.frombuffer(buffers[index], dtype=np.dtype(dtype))
    raise KeyError(name)


def test_nothing_is_sent_before_a_browser_says_hello():
    fig, ax = figure()
    live = LiveFigure(fig)
    live.track(ax.plot([1, 2], [0.1, 0.2])[0])
    sent = []
    live.send = lambda content, buffers=None: sent.append(content)
    live.flush()
    assert sent == [] and not live.displayed


def test_hello_sends_background_then_data():
    fig, ax = figure()
    line = ax.plot([1, 2, 3], [0.1, 0.2, 0.4])[0]
    live = LiveFigure(fig)
    live.track(line)
    sent = connect(live)
    kinds = [c["type"] for c, _ in sent]
    assert kinds.index("background") < len(kinds) - 1 and kinds[-1] == "frame"
    png = sent[kinds.index("background")][1][0]
    assert bytes(png[:8]) == b"\x89PNG\r\n\x1a\n"
    last = frames(sent)[-1]
    np.testing.assert_array_equal(field(sent, last, "y"), [0.1, 0.2, 0.4])
    assert backgrounds(sent)[0]["scene"][0]["kind"] == "line"


def test_a_growing_line_is_sent_as_its_tail():
    fig, ax = figure()
    line = ax.plot([0.0], [0.5])[0]
    live = LiveFigure(fig)
    live.track(line)
    sent = connect(live)
    sent.clear()
    line.set_data(np.arange(4.0), [0.5, 0.4, 0.3, 0.2])
    live.flush()
    (msg,) = frames(sent)
    (entry,) = msg["artists"]
    assert entry["op"] == "extend"
    np.testing.assert_array_equal(field(sent, msg, "x"), [1.0, 2.0, 3.0])
    sent.clear()
    line.set_data([0.0, 1.0], [0.9, 0.8])  # not a prefix any more: the whole line
    live.flush()
    assert frames(sent)[0]["artists"][0]["op"] == "set"
    sent.clear()
    live.flush()  # nothing changed: nothing sent for the artist
    assert frames(sent)[0]["artists"] == []


def test_background_is_rendered_only_when_something_static_changes():
    fig, ax = figure()
    line = ax.plot([0.0, 1.0], [0.5, 0.6])[0]
    live = LiveFigure(fig)
    live.track(line)
    sent = connect(live)
    assert live.backgrounds_sent == 1
    for k in range(5):
        line.set_ydata([0.1 * k, 0.2])
        live.flush()
    assert live.backgrounds_sent == 1
    ax.set_ylim(0, 2)  # a new axis limit: a new background
    live.flush()
    assert live.backgrounds_sent == 2
    ax.set_title("new")  # not detected by itself: the panel says so
    live.invalidate()
    live.flush()
    assert live.backgrounds_sent == 3
    # the data go out before the slow background render, so the reader sees an answer at once
    sent.clear()
    ax.set_ylim(0, 3)
    line.set_ydata([0.3, 0.3])
    live.flush()
    assert [c["type"] for c, _ in sent][:2] == ["frame", "background"]


def test_only_the_axes_that_changed_are_rendered_again():
    fig = Figure(figsize=(8, 3))
    FigureCanvasAgg(fig)
    a, b = fig.subplots(1, 2)
    fig.subplots_adjust(wspace=0.7)
    live = LiveFigure(fig)
    live.track(a.plot([0, 1], [0, 1])[0])
    live.track(b.plot([0, 1], [1, 0])[0])
    sent = connect(live, width=800)
    sent.clear()
    b.set_ylim(-2, 2)
    live.flush()
    (bg,) = backgrounds(sent)
    assert not bg["full"] and live._background.partial_renders == 1
    x, y, w, h = bg["patch"]
    assert x > 330 and w < 450  # the right-hand axes only
    # the patched background equals a full render, pixel for pixel
    patched = live._background.buffer.copy()
    fig.canvas.draw()
    assert np.array_equal(patched, np.asarray(fig.canvas.buffer_rgba()))
    # wider tick labels push the y label left: the patch must also clear where it was
    b.set_ylabel("a label that moves")
    live.invalidate()
    live.flush()
    b.set_ylim(-20000, 20000)
    live.flush()
    assert live._background.partial_renders == 2
    patched = live._background.buffer.copy()
    fig.canvas.draw()
    assert np.array_equal(patched, np.asarray(fig.canvas.buffer_rgba()))
    sent.clear()
    live.invalidate()  # an explicit invalidate always renders everything
    live.flush()
    assert backgrounds(sent)[0]["full"]


def test_axes_map_reproduces_matplotlib_transform():
    fig, ax = figure()
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 10)
    live = LiveFigure(fig)
    live.track(ax.plot([1, 2], [0.1, 1])[0])
    sent = connect(live, width=400, ratio=2.0)
    a = backgrounds(sent)[0]["axes"][0]
    fig.set_dpi(fig.dpi)  # as rendered: 2 device px per CSS px
    H = fig.bbox.height
    for x, y in [(3.0, 0.01), (7.5, 2.0)]:
        X = a["X0"] + a["Xu"] * (x - a["u0"]) / a["du"] + a["Xv"] * (np.log10(y) - a["v0"]) / a["dv"]
        Y = a["Y0"] + a["Yu"] * (x - a["u0"]) / a["du"] + a["Yv"] * (np.log10(y) - a["v0"]) / a["dv"]
        px, py = ax.transData.transform((x, y))
        assert X == pytest.approx(px / 2.0, abs=1e-9)
        assert Y == pytest.approx((H - py) / 2.0, abs=1e-9)


def test_width_shrinks_the_figure_to_fit():
    fig, ax = figure()
    live = LiveFigure(fig)
    live.track(ax.plot([1, 2], [0.1, 0.2])[0])
    sent = connect(live, width=250)
    bg = backgrounds(sent)[0]
    assert bg["width"] == pytest.approx(250, abs=1)
    assert bg["height"] == pytest.approx(250 * 3 / 4, abs=1)
    sent.clear()
    live._on_msg(None, {"type": "resize", "width": 380, "ratio": 1.0}, [])
    assert backgrounds(sent)[0]["width"] == pytest.approx(380, abs=1)


def test_static_picture_includes_the_live_artists():
    fig, ax = figure()
    line = ax.plot([0, 10], [0.5, 0.5], color="red", lw=8)[0]
    live = LiveFigure(fig)
    live.track(line)
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(live.png())).convert("RGB")).astype(int)
    red = (img[..., 0] > 200) & (img[..., 1] < 60) & (img[..., 2] < 60)
    assert red.sum() > 100  # savefig draws animated artists
    fig.canvas.draw()  # a plain draw (the background) leaves them out
    bg = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    assert ((bg[..., 0] > 200) & (bg[..., 1] < 60) & (bg[..., 2] < 60)).sum() == 0


def test_stacked_frames_and_toggles():
    fig, ax = figure()
    line = ax.plot(np.arange(3.0), np.zeros(3))[0]
    live = LiveFigure(fig)
    live.track(line)
    live.stack(line, y=np.arange(12.0).reshape(4, 3) / 12)
    sent = connect(live)
    stacks = [a for c in frames(sent) for a in c["artists"] if a["op"] == "stack"]
    assert stacks and stacks[0]["fields"]["y"][2:] == [4, 3]
    with pytest.raises(ValueError, match="shape"):
        live.stack(line, y=np.zeros(3))
    live.toggleable(line, "zero line")
    assert live.toggles == [{"id": 0, "label": "zero line", "color": live.toggles[0]["color"]}]
    live.hidden = [0]  # the reader hid it in the browser: the static picture follows
    assert not line.get_visible()
    live.hidden = []
    assert line.get_visible()


def test_unsupported_artists_are_refused_clearly():
    fig, ax = figure()
    live = LiveFigure(fig)
    with pytest.raises(TypeError, match="cannot draw"):
        live.track(ax.text(0, 0, "hi"))
    other, ax2 = figure()
    with pytest.raises(ValueError, match="already in this figure"):
        live.track(ax2.plot([1], [1])[0])


class FakeRun:
    method = "gd"

    def __init__(self, speed=7, diverge_at=None):
        self.iteration, self.speed, self.diverge_at = 0, speed, diverge_at

    @property
    def diverged(self):
        return self.diverge_at is not None and self.iteration >= self.diverge_at

    @property
    def diverged_at(self):
        return self.diverge_at if self.diverged else None

    def advance(self, n):
        n = min(n, self.speed)
        self.iteration += n
        return n


def test_player_autoplays_advances_per_tick_and_restarts_when_finished():
    fig, ax = figure()
    live = LiveFigure(fig)
    live.track(ax.plot([0], [0])[0])
    draws, restarts = [], []
    player = Player(live, lambda: draws.append(1), restart=lambda: restarts.append(1))
    player.start({"gd": FakeRun()}, total=30)
    assert live.playing and live.player  # autoplay: the browser starts ticking when displayed
    connect(live)
    for _ in range(10):
        live._on_msg(None, {"type": "tick"}, [])
    assert player.done and not live.playing
    assert "done: 30 iterations" in live.status_text and live.progress == pytest.approx(1.0)
    assert draws
    live.playing = True  # ▶ on a finished run plays it again
    assert restarts == [1]


def test_player_labels_a_diverged_run_and_run_to_end_finishes():
    fig, ax = figure()
    live = LiveFigure(fig)
    player = Player(live, lambda: None)
    player.start({"gd": FakeRun(speed=5, diverge_at=12), "adam": FakeRun(speed=5)}, total=40)
    player.run_to_end()
    assert player.done and not live.playing
    assert "diverged at step 12" in player.status()


# --- frames from the kernel's timer (a tick is a lease) ------------------------------------------
def _playing_figure(total=10_000):
    fig, ax = figure()
    live = LiveFigure(fig)
    line = live.track(ax.plot([0], [0])[0])
    run = FakeRun(speed=1)
    player = Player(live, lambda: line.set_data(np.arange(run.iteration + 1.0) % 10,
                                                np.zeros(run.iteration + 1)))
    player.start({"gd": run}, total=total)
    sent = connect(live)
    return live, run, sent


@pytest.fixture
def kernel_loop(monkeypatch):
    """Let live figures use the running event loop, as they do inside a Jupyter kernel."""
    import asyncio

    from widgets.live import figure as F

    def running_loop():
        try:
            return asyncio.get_running_loop()
        except RuntimeError:
            return None

    monkeypatch.setattr(F, "kernel_loop", running_loop)


def _run_loop(live, seconds, ticks=(), sent=None):
    """Run an event loop for ``seconds``, sending a tick at each time in ``ticks`` (seconds, with
    the browser's ``seen`` set to the last message it received); returns the frames' send times."""
    import asyncio
    import time as _time

    stamps = []
    original = live.send

    def send(content, buffers=None):
        stamps.append((_time.perf_counter(), content.get("type")))
        original(content, buffers)

    live.send = send

    async def main():
        t0 = _time.perf_counter()
        for at in ticks:
            await asyncio.sleep(max(0.0, at - (_time.perf_counter() - t0)))
            seen = max((c["seq"] for c, _ in sent), default=0) if sent is not None else 0
            live._on_msg(None, {"type": "tick", "seen": seen}, [])
        await asyncio.sleep(max(0.0, seconds - (_time.perf_counter() - t0)))
        return t0

    t0 = asyncio.run(main())
    return [t - t0 for t, kind in stamps if kind == "frame"]


def test_a_tick_keeps_frames_coming_at_the_frame_interval_until_its_lease_ends(monkeypatch,
                                                                              kernel_loop):
    from widgets.live import figure as F

    monkeypatch.setattr(F, "MAX_AHEAD", 1000)  # the lease alone ends it here
    live, run, sent = _playing_figure()
    times = _run_loop(live, F.LEASE + 0.6, ticks=[0.0], sent=sent)
    # one frame at once, then one per frame_interval until LEASE seconds after the tick
    expected = 1 + int(F.LEASE / (live.frame_interval / 1000))
    assert abs(len(times) - expected) <= 2, (len(times), expected)
    assert times[0] < 0.02 and times[-1] < F.LEASE + 0.05
    gaps = np.diff(times)
    assert np.median(gaps) == pytest.approx(live.frame_interval / 1000, rel=0.3)
    assert run.iteration == len(times)  # every frame carried one chunk of work


def test_ticks_every_lease_interval_keep_playback_going_and_a_pause_stops_it(kernel_loop):
    from widgets.live import figure as F

    live, run, sent = _playing_figure()
    seconds = 3 * F.LEASE  # several leases, each renewed before it ends
    ticks = list(np.arange(0.0, seconds, F.LEASE_INTERVAL))
    times = _run_loop(live, seconds, ticks=ticks, sent=sent)
    assert len(times) >= 0.8 * seconds / (live.frame_interval / 1000)  # no gap between leases
    assert np.max(np.diff(times)) < 4 * live.frame_interval / 1000
    live.playing = False  # the reader pauses: the timer stops although the lease is still valid
    n = len(frames(sent))
    _run_loop(live, 0.3)
    assert len(frames(sent)) == n


def test_no_frames_while_the_browser_is_more_than_max_ahead_behind(kernel_loop):
    from widgets.live import figure as F

    live, run, sent = _playing_figure()
    # the browser never reports anything received: the kernel stops MAX_AHEAD messages ahead
    live._seen = live._seq
    times = _run_loop(live, 1.5, ticks=[0.0, 0.2, 0.4], sent=None)
    assert len(times) in (F.MAX_AHEAD, F.MAX_AHEAD + 1), len(times)


def test_scatter_colours_follow_a_new_colour_array_map_and_limits():
    """Packing skips the colour mapping while nothing it depends on changed; any change shows."""
    from widgets.live import pack

    fig, ax = figure()
    sc = ax.scatter([1, 2, 3], [0.2, 0.4, 0.6], c=[0.0, 0.5, 1.0], cmap="viridis", vmin=0, vmax=1)
    first = pack.data(sc, "scatter", 100.0)["fc"]
    sc.set_offsets([[3, 0.1], [2, 0.2], [1, 0.3]])
    np.testing.assert_array_equal(pack.data(sc, "scatter", 100.0)["fc"], first)
    for change in (lambda: sc.set_array(np.array([1.0, 0.5, 0.0])), lambda: sc.set_cmap("magma"),
                   lambda: sc.set_clim(0, 4), lambda: sc.set_alpha(0.5)):
        before = pack.data(sc, "scatter", 100.0)["fc"]
        change()
        after = pack.data(sc, "scatter", 100.0)["fc"]
        assert not np.array_equal(after, before)
        sc.update_scalarmappable()  # what matplotlib itself would draw
        np.testing.assert_array_equal(after, pack._to_u8(sc.get_facecolor()))


def test_a_new_view_of_an_unchanged_figure_gets_the_last_render_again_without_rendering():
    """JupyterLab re-creates a widget's view when it scrolls back into the window: the kernel
    sends the same background (no matplotlib render) and every artist's data again."""
    fig, ax = figure()
    live = LiveFigure(fig)
    line = live.track(ax.plot([1, 2, 3], [0.1, 0.5, 0.2])[0])
    sent = connect(live)
    first = backgrounds(sent)[-1]
    png0 = [b for c, b in sent if c is first][0][0]
    draws = []
    fig.canvas.draw = lambda *a: draws.append(1)  # any render from here on would show up
    sent.clear()
    live._on_msg(None, {"type": "hello", "width": 400, "ratio": 1.0}, [])
    again = backgrounds(sent)
    assert len(again) == 1 and again[0]["full"] and not draws
    assert [b for c, b in sent if c is again[0]][0][0] == png0
    assert again[0]["axes"] == first["axes"]
    np.testing.assert_array_equal(field(sent, frames(sent)[-1], "y"), [0.1, 0.5, 0.2])
    # a changed figure (or another size) is rendered as before
    del fig.canvas.draw
    line.axes.set_ylim(0, 2)
    sent.clear()
    live._on_msg(None, {"type": "hello", "width": 400, "ratio": 1.0}, [])
    assert len(backgrounds(sent)) == 1 and backgrounds(sent)[0]["axes"] != first["axes"]


def test_away_ends_the_lease_at_once(kernel_loop):
    live, run, sent = _playing_figure()
    import asyncio

    async def main():
        live._on_msg(None, {"type": "tick", "seen": 0}, [])
        await asyncio.sleep(0.1)
        n = len(frames(sent))
        live._on_msg(None, {"type": "away"}, [])
        await asyncio.sleep(0.3)
        return n

    n = asyncio.run(main())
    assert n >= 2 and len(frames(sent)) <= n + 1


def test_outside_a_kernel_every_tick_gets_one_frame_even_under_an_event_loop():
    """Scripts and tests that run their own event loop (Playwright's, here asyncio's) keep the
    synchronous behaviour: a background at once, one frame per tick, no timer."""
    import asyncio

    live, run, sent = _playing_figure()
    fig_ax = live.fig.axes[0]

    async def main():
        fig_ax.set_ylim(0, 5)
        live.flush()
        assert backgrounds(sent)[-1]["axes"][0]["dv"] == pytest.approx(5)  # rendered at once
        n = len(frames(sent))
        live._on_msg(None, {"type": "tick", "seen": live._seq}, [])
        await asyncio.sleep(0.2)
        return n

    n = asyncio.run(main())
    assert len(frames(sent)) == n + 1 and live._timer is None


def _changes_on_a_loop(live, line, every, seconds):
    """Change the y limits every ``every`` seconds for ``seconds`` (a key held down), flushing
    each time as a panel does, on a running event loop; returns the times of the changes and the
    send times of frames and backgrounds, in seconds from the first change."""
    import asyncio
    import time as _time

    stamps = []
    original = live.send

    def send(content, buffers=None):
        stamps.append((_time.perf_counter(), content["type"]))
        original(content, buffers)

    live.send = send

    async def main():
        t0 = _time.perf_counter()
        k = 0
        while _time.perf_counter() - t0 < seconds:
            k += 1
            stamps.append((_time.perf_counter(), "change"))
            line.axes.set_ylim(0, 1 + k)
            live.flush()
            await asyncio.sleep(every)
        await asyncio.sleep(1.0)  # whatever is still due
        return t0

    t0 = asyncio.run(main())
    return {kind: [t - t0 for t, k in stamps if k == kind]
            for kind in ("change", "frame", "background")}


def test_a_held_key_gets_every_frame_at_once_and_one_render_after_it_stops(kernel_loop):
    from widgets.live import figure as F

    fig, ax = figure()
    live = LiveFigure(fig)
    line = live.track(ax.plot([1, 2, 3], [0.1, 0.5, 0.2])[0])
    connect(live)
    # changes 30 ms apart for 0.25 s: shorter than the longest wait, so one render at the end
    sent = _changes_on_a_loop(live, line, every=0.03, seconds=0.25)
    changes = sent["change"]
    assert len(changes) >= 5
    # every change answered by a frame at once
    assert len(sent["frame"]) >= len(changes)
    assert np.max(np.subtract(sent["frame"][:len(changes)], changes)) < 0.02
    assert len(sent["background"]) == 1
    render = sent["background"][0] - live.last_background_seconds  # when the render began
    # not before BACKGROUND_DELAY after the last change; late only by the event loop's slack
    due = changes[-1] + F.BACKGROUND_DELAY
    assert due - 0.01 <= render <= due + 0.15
    # and the render shows the last limits
    assert live._limits == live._current_limits()


def test_changes_that_never_stop_still_get_a_render_every_max_wait(kernel_loop):
    from widgets.live import figure as F

    fig, ax = figure()
    live = LiveFigure(fig)
    line = live.track(ax.plot([1, 2, 3], [0.1, 0.5, 0.2])[0])
    connect(live)
    sent = _changes_on_a_loop(live, line, every=0.02, seconds=1.5)
    renders = sent["background"]
    assert len(renders) >= 2
    assert renders[0] <= F.BACKGROUND_MAX_WAIT + F.BACKGROUND_DELAY + 0.1
    assert np.max(np.diff(renders)) <= F.BACKGROUND_MAX_WAIT + F.BACKGROUND_DELAY + 0.25


def test_the_first_background_of_a_new_view_is_not_delayed(kernel_loop):
    import asyncio
    import time as _time

    fig, ax = figure()
    live = LiveFigure(fig)
    live.track(ax.plot([1, 2, 3], [0.1, 0.5, 0.2])[0])
    stamps = []
    live.send = lambda content, buffers=None: stamps.append((_time.perf_counter(),
                                                             content["type"]))

    async def main():
        t0 = _time.perf_counter()
        live._on_msg(None, {"type": "hello", "width": 400, "ratio": 1.0}, [])
        await asyncio.sleep(0.5)
        return t0

    t0 = asyncio.run(main())
    first = [t - t0 for t, kind in stamps if kind == "background"]
    assert len(first) == 1
    assert first[0] - live.last_background_seconds < 0.06  # began at once, not 80 ms later


def test_a_control_change_sends_its_frame_first_and_the_panel_text_after_it(kernel_loop):
    """In a kernel, the frame answering a control leaves at once; the caption, status line and
    play bar follow STATE_DELAY later (the page draws the frame before it lays out text), and the
    caption then describes the new setting."""
    import asyncio
    import time as _time

    from widgets import base, overview_panel

    panel = overview_panel(T=16)
    live = panel.live
    events = []
    live.send = lambda content, buffers=None: events.append((_time.perf_counter(),
                                                             content["type"]))
    live._on_msg(None, {"type": "hello", "width": 600, "ratio": 1.0}, [])
    for name, w in (("caption", panel.caption), ("status", panel.status), ("state", live)):
        original = w.send_state

        def send_state(key=None, _name=name, _original=original):
            events.append((_time.perf_counter(), _name))
            return _original(key)

        w.send_state = send_state
    lam = panel.controls["lam"]
    new = lam.value * 2 if lam.value * 2 <= lam.max else lam.value / 2

    async def main():
        await asyncio.sleep(0.3)  # the first background
        events.clear()
        t0 = _time.perf_counter()
        lam.value = new
        await asyncio.sleep(0.3)
        return t0

    t0 = asyncio.run(main())
    kinds = [k for _, k in events]
    assert kinds[0] == "frame", kinds
    first_frame = events[0][0]
    caption = [t for t, k in events if k == "caption"]
    assert caption and caption[0] - first_frame >= base.STATE_DELAY - 0.005
    assert first_frame - t0 < 0.1
    assert f"{new:.3g}" in panel.caption.value


def test_without_a_kernel_the_panel_text_is_current_when_refresh_returns():
    from widgets import overview_panel

    panel = overview_panel(T=16)
    connect(panel.live)
    lam = panel.controls["lam"]
    new = lam.value * 2 if lam.value * 2 <= lam.max else lam.value / 2
    lam.value = new
    assert f"{new:.3g}" in panel.caption.value
