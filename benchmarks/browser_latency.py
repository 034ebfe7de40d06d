#!/usr/bin/env python3
"""The live layer in a real browser: autoplay, frame rate, kernel CPU, key press → changed pixels.

JupyterLab (one server over a temp copy of book/) and Debian's Chromium. For each chapter:

1. **autoplay**: Run All, touch nothing but the scroll bar (each optimising panel is scrolled
   into view in turn, as a reader does: figures out of view ask for no frames); seconds until
   its status shows an iteration above 0 and it has drawn a few frames, counted from the end of
   Run All for the first panel and from the scroll for the others; the slowest panel is
   reported (``-`` if the chapter has none);
2. **playback** (chapter 00's hero panel, T = 64): frames per second the live figure draws over
   3 s while it plays (each with new data), the GD iterations per second behind them, the
   kernel's CPU time per second of playback (from /proc; 1.0 = one core busy) and the median
   round trip of a tick (browser asks for a frame → the frame arrives);
3. **key press → changed pixels** on the chapter's first panel: N arrow-key presses on its first
   slider (playback paused), each timed in the page from keydown to the drawing call that made
   the live figure differ (background image or canvas pixels; ``browserkit.JS_ARM_LATENCY``
   hashes the pixels only after animation frames in which the figure's canvases drew, and the
   ipympl baseline is watched the same way). Reported as median and p90;
4. **baseline**: the same measure on a bare ipympl figure with one line that a slider updates
   through ``set_data`` + ``draw_idle`` (the old drawing path), measured in the same run, and the
   ratio of each chapter's median to it;
5. **comm round trip**: a bare anywidget that answers each message from the page with one
   message (no drawing): the floor under every answer the kernel gives. The server runs with
   ``gauge_book_server.NoDelayConnection``, as ``make lab`` does; ``--nagle`` measures Jupyter
   Server's default websocket instead (messages wait up to 40 ms for the page's delayed
   acknowledgement).

    python benchmarks/browser_latency.py            # all chapters, N = 15
    python benchmarks/browser_latency.py -n 5 00 03
    python benchmarks/browser_latency.py --json out.json
    python benchmarks/browser_latency.py --nagle 00      # Jupyter Server's default websocket

Budgets (issue "Live by default"): autoplay < 2 s; ≥ 30 frames/s with ≥ 1,000 iterations/s;
median ≤ 50 ms, p90 ≤ 100 ms; ratio ≤ 0.4; ≤ 0.25 core. The machine's load average is printed:
on a busy 2-core machine every number gets worse.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
import browserkit as bk  # noqa: E402
import livekit as lk  # noqa: E402

BASELINE_CELL = """%matplotlib widget
import ipywidgets as W, matplotlib.pyplot as plt, numpy as np
plt.ioff()
fig, ax = plt.subplots(figsize=(6, 3))
x = np.linspace(0, 10, 400)
line, = ax.plot(x, np.sin(x))
fig.canvas.header_visible = False
s = W.IntSlider(value=1, min=1, max=50, description="k", continuous_update=False)
def on(change):
    line.set_ydata(np.sin(change["new"] * x / 5))
    fig.canvas.draw_idle()
s.observe(on, names="value")
W.VBox([s, fig.canvas])"""

# A bare comm echo: the page sends a message, the kernel answers with one, nothing is drawn.
ECHO_CELL = """import anywidget
class Echo(anywidget.AnyWidget):
    _esm = '''
    export default { render({ model, el }) {
      el.className = "gb-echo";
      let answered = null;
      model.on("msg:custom", () => { if (answered) answered(); });
      el.roundTrips = async (n) => {
        const out = [];
        for (let i = 0; i < n; i++) {
          const t0 = performance.now();
          await new Promise((resolve) => { answered = resolve; model.send({ ping: i }); });
          out.push(performance.now() - t0);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return out;
      };
    } }'''
echo = Echo()
echo.on_msg(lambda widget, content, buffers: widget.send({"pong": content.get("ping")}))
echo"""


JS_PLAYBACK = """([root, ms]) => new Promise((resolve) => {
  const f0 = +root.dataset.frames, t0 = performance.now(), trips = [];
  const timer = setInterval(() => {
    if (root.dataset.roundTrip) trips.push(+root.dataset.roundTrip);
    const t = performance.now() - t0;
    if (t >= ms) {
      clearInterval(timer);
      resolve({fps: (+root.dataset.frames - f0) / (t / 1000), trips});
    }
  }, 100);
})"""


def baseline_notebook(folder):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python",
                                  "name": "python3"}, "language_info": {"name": "python"}}
    nb.cells = [nbformat.v4.new_code_cell(BASELINE_CELL), nbformat.v4.new_code_cell(ECHO_CELL)]
    path = Path(folder) / "zz_ipympl_baseline.ipynb"
    nbformat.write(nb, path)
    return path


def kernel_cpu(server):
    """Total CPU seconds of the server's kernels (read from /proc)."""
    total = 0.0
    for pid in bk._children(server.proc.pid):
        try:
            if "ipykernel" not in Path(f"/proc/{pid}/cmdline").read_text():
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def percentile(xs, q):
    return float(np.percentile(xs, q)) if xs else float("nan")


def press_samples(page, panel, root, n, timeout_ms=5000):
    """Key press → changed pixels, ``n`` times on the panel's first slider."""
    handle = panel.locator(".widget-slider .noUi-handle").first
    if not handle.count():
        return [], "no slider"
    panel.scroll_into_view_if_needed()
    samples = []
    for i in range(n):
        pause(root)
        page.wait_for_timeout(350)
        key = bk.key_for(handle) if i % 2 == 0 else {"ArrowRight": "ArrowLeft",
                                                      "ArrowLeft": "ArrowRight"}[bk.key_for(handle)]
        handle.focus()
        page.evaluate(lk.JS_ARM_LATENCY, [root.element_handle(), timeout_ms])
        page.keyboard.press(key)
        ms = page.evaluate("window.__gaugeLatency")
        if ms is not None:
            samples.append(float(ms))
    pause(root)
    return samples, None


def pause(root):
    if root.evaluate("(r) => r.dataset.playing") == "1":
        root.locator("button.gb-live-play").click()


def wait_autoplay(page, t_done, limit_s=10.0):
    """Seconds until each optimising panel, scrolled into view in turn (figures out of view ask
    for no frames), shows an iteration above 0 and has drawn a few frames; the slowest panel's
    time is returned (None if the chapter has none, inf if one never moved). The first panel's
    clock starts at the end of Run All, the others' when they are scrolled to."""
    players = page.locator(bk.LIVE_FIGURE + "[data-player='1']")
    worst = None
    for k in range(players.count()):
        fig = players.nth(k)
        bk.look_at(fig)
        t0 = t_done if k == 0 else time.time()
        took = float("inf")
        while time.time() - t0 < limit_s:
            st = fig.evaluate(lk.JS_LIVE_STATE)
            m = re.search(r"(iteration|done:)\s*([\d,]+)", st["status"])
            if m and int(m.group(2).replace(",", "")) > 0 and st["frames"] > 2:
                took = time.time() - t0
                break
            page.wait_for_timeout(50)
        worst = took if worst is None else max(worst, took)
    return worst


def playback(page, server, root):
    """Frames/s, iterations/s and kernel cores while the hero panel plays (3 s window)."""
    bk.look_at(root)
    root.locator("button.gb-live-play").click() if root.evaluate(
        "(r) => r.dataset.playing") != "1" else None
    page.wait_for_timeout(400)
    it0 = iteration(root)
    c0, w0 = kernel_cpu(server), time.time()
    # frames drawn (the live figure counts its draws; hashing the canvas every animation frame
    # would itself slow the page down) and the ticks' round trips, sampled every 100 ms
    stats = page.evaluate(JS_PLAYBACK, [root.element_handle(), 3000])
    c1, w1, it1 = kernel_cpu(server), time.time(), iteration(root)
    trips = stats["trips"]
    return {"fps": stats["fps"], "iterations_per_s": (it1 - it0) / (w1 - w0),
            "kernel_cores": (c1 - c0) / (w1 - w0),
            "round_trip_ms": percentile(trips, 50) if trips else float("nan")}


def iteration(root):
    m = re.search(r"([\d,]+)\s*/", root.evaluate(lk.JS_LIVE_STATE)["status"])
    return int(m.group(1).replace(",", "")) if m else 0


def comm_round_trips(page, n=40):
    """Round trips (ms) of ``n`` messages through the baseline notebook's bare echo widget."""
    echo = page.locator(".gb-echo").first
    echo.wait_for(state="attached")  # an empty element: never "visible"
    page.wait_for_timeout(300)
    return echo.evaluate("(el, n) => el.roundTrips(n)", n)


def run(chapters, n, out_json=None, nagle=False):
    from playwright.sync_api import sync_playwright

    rows, extra = [], {}
    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        base_nb = baseline_notebook(tmp)
        server = bk.start_lab(Path(tmp) / "lab", sources=list(chapters) + [base_nb],
                              nodelay=not nagle)
        try:
            with sync_playwright() as pw:
                ctx = bk.launch(pw)
                bk.Guard().install(ctx)
                try:
                    page = ctx.new_page()
                    # the old path first: ipympl, one line, draw_idle
                    bk.lab_open(page, server, base_nb.name)
                    bk.lab_run_all(page)
                    bk.lab_wait_all_done(page)
                    canvas = page.locator(bk.PANEL_CANVAS).first
                    canvas.wait_for(state="visible")
                    handle = page.locator(".widget-slider .noUi-handle").first
                    base = []
                    for i in range(n):
                        bk.wait_stable(page, canvas, quiet_ms=400)
                        handle.focus()
                        page.evaluate(bk.JS_ARM_LATENCY, [canvas.element_handle(), 5000])
                        page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
                        ms = page.evaluate("window.__gaugeLatency")
                        if ms is not None:
                            base.append(float(ms))
                    extra["baseline_median_ms"] = percentile(base, 50)
                    trips = comm_round_trips(page)
                    extra["comm_round_trip_ms"] = {"median": percentile(trips, 50),
                                                   "p90": percentile(trips, 90)}
                    extra["nagle"] = nagle
                    page.close()
                    for nb in chapters:
                        page = ctx.new_page()
                        bk.lab_open(page, server, nb.name)
                        bk.lab_run_all(page)
                        bk.lab_wait_all_done(page)
                        t_done = time.time()
                        auto = wait_autoplay(page, t_done)
                        root = page.locator(".gb-live").first
                        panel = page.locator(".jp-OutputArea-output").filter(
                            has=page.locator(".gb-live")).first
                        row = {"chapter": nb.stem[:2], "autoplay_s": auto}
                        if nb.stem.startswith("00") and root.count():
                            # restart the hero from iteration 0 and measure while it plays
                            panel.locator("button:has-text('Reset')").click()
                            page.wait_for_timeout(300)
                            extra["playback"] = playback(page, server, root)
                        samples, why = (press_samples(page, panel, root, n) if root.count()
                                        else ([], "no live panel"))
                        row.update(median=percentile(samples, 50), p90=percentile(samples, 90),
                                   n=len(samples), note=why)
                        rows.append(row)
                        page.close()
                finally:
                    bk.close_browser(ctx)
        finally:
            server.stop()
    report(rows, extra, load0, os.getloadavg())
    if out_json:
        Path(out_json).write_text(json.dumps({"rows": rows, **extra}, indent=2))


def report(rows, extra, load0, load1):
    base = extra.get("baseline_median_ms", float("nan"))
    print(f"load average before {load0[0]:.2f}, after {load1[0]:.2f}")
    print(f"baseline (bare ipympl line, draw_idle): median {base:.0f} ms")
    if "comm_round_trip_ms" in extra:
        c = extra["comm_round_trip_ms"]
        how = "Jupyter Server's default, Nagle on" if extra.get("nagle") else "NoDelayConnection"
        print(f"comm round trip (bare echo widget, {how}): median {c['median']:.1f} ms, "
              f"p90 {c['p90']:.1f} ms")
    print()
    print("| chapter | autoplay, slowest panel (s) | key → pixels median (ms) | p90 (ms) | ratio to ipympl |")
    print("|---|---|---|---|---|")
    for r in rows:
        auto = "-" if r["autoplay_s"] is None else f"{r['autoplay_s']:.2f}"
        print(f"| {r['chapter']} | {auto} | {r['median']:.0f} | {r['p90']:.0f} | "
              f"{r['median'] / base:.2f} |" + (f" {r['note']}" if r.get("note") else ""))
    if "playback" in extra:
        p = extra["playback"]
        print(f"\nhero panel playback: {p['fps']:.1f} frames/s, "
              f"{p['iterations_per_s']:,.0f} iterations/s, kernel {p['kernel_cores']:.2f} core, "
              f"tick round trip median {p['round_trip_ms']:.0f} ms")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("chapters", nargs="*", help="two-digit chapter numbers (default: all)")
    ap.add_argument("-n", type=int, default=15, help="key presses per chapter")
    ap.add_argument("--json", help="also write the numbers to this file")
    ap.add_argument("--nagle", action="store_true",
                    help="serve without gauge_book_server.NoDelayConnection (Jupyter's default)")
    args = ap.parse_args(argv)
    if not bk.chromium_available():
        print(bk.CHROMIUM_MISSING)
        return 0
    chapters = [p for p in bk.chapters() if not args.chapters or p.stem[:2] in args.chapters]
    run(chapters, args.n, args.json, nagle=args.nagle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
