"""The live layer draws in the browser exactly where matplotlib draws.

The same data are drawn two ways: by matplotlib (``savefig``, live artists included) and by
``widgets/live/live.js`` in Chromium over the matplotlib background. For every artist (one
distinct colour each) the two images must put their ink in the same place: ≥ 97 % of each one's
ink pixels lie within 1 device pixel of the other's, and the ink centroids (antialiased pixels
weighted by coverage) agree to within 1 CSS pixel (measured: ≤ 0.6 px at ratio 1; the rest is
antialiasing). The scatter's colour-mapped colours agree to 12/255 per channel. Linear, log and
equal-aspect axes, markers, dashes, scatter colour maps, bars, segments, filled polygons and a
3-D line are covered, at device pixel ratios 1 and 2 and at a width narrower than the figure's.
"""
from __future__ import annotations

import io

import numpy as np
import pytest

import browserkit as bk
import livekit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium(playwright_instance):
    """A plain Chromium (not the shared persistent context: each test sets its own device pixel
    ratio), from the session's Playwright."""
    browser = playwright_instance.chromium.launch(executable_path=str(bk.CHROMIUM), headless=True,
                                                  args=bk.CHROMIUM_ARGS)
    yield browser
    browser.close()


def new_page(chromium, ratio):
    ctx = chromium.new_context(viewport={"width": 1000, "height": 800},
                               device_scale_factor=ratio)
    page = ctx.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return ctx, page, errors

COLOURS = {"line": "#D55E00", "dashed": "#0072B2", "markers": "#009E73", "bars": "#E69F00",
           "fill": "#CC79A7", "segments": "#56B4E9", "line3d": "#F0E442"}


def make_figure():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.0, 5.0))
    FigureCanvasAgg(fig)
    axes = [fig.add_subplot(2, 2, k) for k in (1, 2, 3)] + [fig.add_subplot(2, 2, 4,
                                                                            projection="3d")]
    fig.subplots_adjust(hspace=0.35, wspace=0.3)
    a, b, c, d = axes
    x = np.linspace(0, 10, 200)
    tracked = {}
    a.set_yscale("log")
    tracked["line"] = a.plot(x, np.exp(-x) + 1e-4, color=COLOURS["line"], lw=2)[0]
    tracked["dashed"] = a.plot(x, np.exp(-0.5 * x), "--", color=COLOURS["dashed"], lw=1.5)[0]
    a.set_title("log axis")
    t = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    tracked["markers"] = b.plot(np.cos(t), np.sin(t), "o", ms=6, color=COLOURS["markers"])[0]
    tracked["scatter"] = b.scatter(0.5 * np.cos(t), 0.5 * np.sin(t), c=t, cmap="viridis", s=30)
    b.set_aspect("equal")
    b.set_xlim(-1.3, 1.3)
    b.set_ylim(-1.3, 1.3)
    tracked["bars"] = c.bar(np.arange(8), np.arange(1, 9) ** 0.5, color=COLOURS["bars"], width=0.6)
    tracked["fill"] = c.fill_between(np.linspace(0, 7, 30), 0, 0.5 + 0.3 * np.sin(
        np.linspace(0, 7, 30)), color=COLOURS["fill"], alpha=1.0)
    segs = np.array([[[k, 1.0], [k + 0.5, 2.5]] for k in range(7)])
    tracked["segments"] = c.add_collection(LineCollection(segs, colors=COLOURS["segments"],
                                                          linewidths=2))
    c.set_xlim(-1, 8)
    c.set_ylim(0, 3.2)
    s = np.linspace(0, 4 * np.pi, 100)
    tracked["line3d"] = d.plot(np.cos(s), np.sin(s), s / 10, color=COLOURS["line3d"], lw=2)[0]
    return fig, tracked


def ink(img, colour, tol=70):
    """Pixels within ``tol`` (RGB distance) of ``colour``."""
    return ink_weight(img, colour, tol) > 0


def ink_weight(img, colour, tol=70):
    """How much of ``colour`` each pixel holds, 1 at the colour, falling to 0 at distance ``tol``
    (antialiased edge pixels count in proportion, so centroids are sub-pixel accurate)."""
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)
    dist = np.linalg.norm(img[..., :3].astype(float) - rgb, axis=-1)
    return np.clip(1.0 - dist / tol, 0.0, 1.0)


def centroid(w):
    ys, xs = np.indices(w.shape)
    return (xs * w).sum() / w.sum(), (ys * w).sum() / w.sum()


def axes_window(artist, fig, dpi, margin=4):
    """Row and column slices of the artist's axes in an image rendered at ``dpi`` (so that
    similar colours in other axes do not count)."""
    art = artist.patches[0] if hasattr(artist, "patches") else artist
    fig.set_dpi(dpi)
    fig.canvas.draw()
    bb, H = art.axes.bbox, fig.bbox.height
    return (slice(max(int(H - bb.y1) - margin, 0), int(H - bb.y0) + margin),
            slice(max(int(bb.x0) - margin, 0), int(bb.x1) + margin))


def dilate(mask, r=1):
    out = mask.copy()
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            out |= np.roll(np.roll(mask, dy, 0), dx, 1)
    return out


def load_png(data):
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


@pytest.mark.parametrize("ratio,width,rescale", [(1.0, None, False), (2.0, None, False),
                                                (1.0, 560, False), (1.0, None, True)])
def test_browser_draws_where_matplotlib_draws(chromium, ratio, width, rescale):
    """``rescale``: after the first render one axes gets new limits, so the browser shows a
    background patched in place (only that axes re-rendered) with new data on top."""
    from widgets.live import LiveFigure

    fig, tracked = make_figure()
    live = LiveFigure(fig)
    for name, artist in tracked.items():
        live.track(artist)
    ctx, page, errors = new_page(chromium, ratio)
    try:
        root, sent = livekit.render_offline(page, live, width=width, ratio=ratio)
        if rescale:
            fig.axes[0].set_ylim(1e-5, 30)
            tracked["line"].set_ydata(np.exp(-0.8 * tracked["line"].get_xdata()) + 1e-5)
            live.flush()
            assert live._background.partial_renders == 1
            livekit.deliver(page, sent)
            page.wait_for_function("() => +document.querySelector('.gb-live').dataset"
                                   ".backgrounds >= 2")
        shot = load_png(root.locator(".gb-live-stage").screenshot())
    finally:
        ctx.close()
    assert not errors, errors
    assert shot.shape[1] / ratio == pytest.approx(width or live.nominal_width, abs=1)
    dpi = shot.shape[1] / fig.get_size_inches()[0]
    reference = load_png(live.png(dpi=dpi))
    assert reference.shape[:2] == shot.shape[:2]
    for name, colour in COLOURS.items():
        win = axes_window(tracked[name], fig, dpi)
        a, b = ink(reference[win], colour), ink(shot[win], colour)
        assert a.sum() > 20, f"{name}: matplotlib drew almost nothing"
        assert b.sum() > 20, f"{name}: the browser drew almost nothing"
        covered_ab = (a & dilate(b)).sum() / a.sum()
        covered_ba = (b & dilate(a)).sum() / b.sum()
        (xa, ya), (xb, yb) = (centroid(ink_weight(reference[win], colour)),
                              centroid(ink_weight(shot[win], colour)))
        shift = np.hypot(xa - xb, ya - yb)
        assert covered_ab >= 0.97 and covered_ba >= 0.97, (
            f"{name}: only {covered_ab:.3f} / {covered_ba:.3f} of the ink agrees within 1 px")
        assert shift <= ratio, f"{name}: ink centroids differ by {shift / ratio:.2f} CSS px"
    # the colour map is applied in Python, so the scatter's colours are matplotlib's own
    fig.set_dpi(dpi)
    fig.canvas.draw()
    H = fig.bbox.height
    for x, y in fig.axes[1].transData.transform(tracked["scatter"].get_offsets()):
        r, c = int(H - y), int(x)
        diff = np.abs(reference[r, c, :3].astype(int) - shot[r, c, :3].astype(int)).max()
        assert diff <= 12, f"scatter colour at ({r}, {c}) differs by {diff}"
