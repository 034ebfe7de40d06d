"""Drive the live layer's JavaScript (widgets/live/live.js) in Chromium without Jupyter.

:func:`render_offline` renders a :class:`widgets.live.LiveFigure` in a bare page: the messages the
kernel would send are captured in Python and replayed to ``live.js`` through a minimal stand-in
for anywidget's model (``get``, ``set``, ``on``, ``send``, ``save_changes``). This checks the
drawing itself, fast, and is what the pixel-agreement test uses. It also holds the in-page
helpers the browser tests and benchmarks use on live figures inside JupyterLab and Voila.
"""
from __future__ import annotations

import base64
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIVE_JS = ROOT / "widgets" / "live" / "live.js"
LIVE_CSS = ROOT / "widgets" / "live" / "live.css"

import browserkit as bk  # noqa: E402  (tests/browser is on sys.path for tests and benchmarks)

# What a live figure shows (backgrounds applied + the live canvas's pixels), and the keydown →
# changed-pixels timer: the same in-page helpers as for any panel figure.
JS_LIVE_HASH = bk.JS_CANVAS_HASH
JS_ARM_LATENCY = bk.JS_ARM_LATENCY  # resolves window.__gaugeLatency

# Counts distinct frames (live canvas pixels changed) over `ms` milliseconds.
JS_COUNT_FRAMES = """([root, ms]) => new Promise((resolve) => {
  const hash = %s;
  let last = hash(root), n = 0;
  const t0 = performance.now();
  const tick = () => {
    const h = hash(root);
    if (h !== last) { n += 1; last = h; }
    if (performance.now() - t0 >= ms) { resolve(n / (ms / 1000)); return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})""" % JS_LIVE_HASH

JS_LIVE_STATE = """(r) => ({frames: +r.dataset.frames, backgrounds: +r.dataset.backgrounds,
  playing: r.dataset.playing === '1',
  status: (r.querySelector('.gb-live-status') || {textContent: ''}).textContent})"""

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>%s
body { margin: 0; background: white; } #host { width: %dpx; }</style></head>
<body><div id="host"></div><script type="module">
const src = atob("%s");
const mod = await import(URL.createObjectURL(new Blob([src], {type: "text/javascript"})));
const state = %s;
const handlers = {};
window.__sent = [];
const model = {
  get: (k) => state[k],
  set: (k, v) => { state[k] = v; (handlers["change:" + k] || []).forEach((f) => f()); },
  save_changes: () => {},
  on: (ev, f) => { (handlers[ev] = handlers[ev] || []).push(f); },
  off: () => {},
  send: (msg) => window.__sent.push(msg),
};
window.__deliver = (msg, b64s) => {
  const buffers = b64s.map((b) => { const s = atob(b); const u = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return new DataView(u.buffer); });
  (handlers["msg:custom"] || []).forEach((f) => f(msg, buffers));
};
window.__set = (k, v) => model.set(k, v);
mod.default.render({model, el: document.getElementById("host")});
window.__ready = true;
</script></body></html>"""


def capture(live):
    """Replace ``live.send`` by a recorder; returns the list the messages go to."""
    sent = []
    live.send = lambda content, buffers=None: sent.append((content, list(buffers or [])))
    return sent


def render_offline(page, live, width=None, ratio=1.0):
    """Show ``live`` in ``page`` (a bare Chromium page) as the browser would, return its root.

    The figure is told it is ``width`` CSS pixels wide (default: its nominal width) at the given
    device pixel ratio; every message it sends is replayed to ``live.js``.
    """
    width = int(width or live.nominal_width)
    sent = capture(live)
    state = {k: getattr(live, k) for k in ("playing", "player", "nominal_width", "nominal_height",
                                           "frame_interval", "status_text", "progress",
                                           "frame_index", "hidden", "toggles")}
    page.set_content(_PAGE % (LIVE_CSS.read_text(), width,
                              base64.b64encode(LIVE_JS.read_bytes()).decode(), json.dumps(state)))
    page.wait_for_function("window.__ready === true")
    live._on_msg(None, {"type": "hello", "width": width, "ratio": ratio}, [])
    deliver(page, sent)
    root = page.locator(".gb-live")
    page.wait_for_function("() => +document.querySelector('.gb-live').dataset.backgrounds > 0")
    return root, sent


def deliver(page, sent):
    """Replay (and forget) the messages a live figure has sent so far."""
    while sent:
        content, buffers = sent.pop(0)
        page.evaluate("([m, b]) => window.__deliver(m, b)",
                      [json.loads(json.dumps(content)),
                       [base64.b64encode(bytes(b)).decode() for b in buffers]])
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
