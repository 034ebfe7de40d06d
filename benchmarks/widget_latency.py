"""In-kernel cost of every panel: control change -> update -> messages sent to the browser.

Builds every ``*_panel`` exported by ``widgets`` with its defaults and attaches a simulated
browser view to its live figure (the ``hello`` message a browser sends, 1x pixel ratio; the
messages the kernel would send are counted instead of sent). Then drives each control through its
minimum, maximum, a middle value and its default (every option of a drop-down), several rounds,
timing each update (``Panel.last_update_seconds``: the observer, the panel's update and the live
layer's flush: packing the moving artists and, only when something static changed, rendering a
new matplotlib background). The table says how often a control change needed a new background
and how long those renders took; everything else costs only the numpy packing.

What the reader sees in the browser adds the round trip and the canvas paint:
``browser_latency.py`` measures that.

Usage: ``python benchmarks/widget_latency.py [--rounds 3] [--panel NAME]``. Prints markdown.
"""
import argparse
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import widgets  # noqa: E402


def control_values(w):
    """Values to visit for one control: ends, middle and default (options for choice widgets)."""
    default = w.value
    if isinstance(w, (W.Dropdown, W.ToggleButtons, W.RadioButtons, W.Select)):
        vals = [o[1] if isinstance(o, tuple) else o for o in w.options]
        return vals + [default]
    if isinstance(w, W.FloatLogSlider):
        lo, hi = w.base ** w.min, w.base ** w.max
        return [lo, hi, float(np.sqrt(lo * hi)), default]
    if isinstance(w, (W.IntSlider, W.FloatSlider, W.BoundedIntText, W.BoundedFloatText)):
        mid = (w.min + w.max) / 2
        mid = int(mid) if isinstance(w.value, int) else mid
        return [w.min, w.max, mid, default]
    if isinstance(w, (W.Checkbox, W.ToggleButton)):
        return [not default, default]
    if isinstance(w, W.IntText):
        return [default + 1, default]
    return [default]


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


class _Outbox:
    """Stands in for the browser: counts the live figure's messages and their bytes."""

    def __init__(self):
        self.messages = 0
        self.bytes = 0
        self.first_at = None  # perf_counter() of the first message since the last arm()

    def arm(self):
        self.first_at = None

    def __call__(self, content, buffers=None):
        self.messages += 1
        self.bytes += sum(len(b) for b in (buffers or ()))
        if self.first_at is None:
            self.first_at = time.perf_counter()


def attach_view(live, outbox):
    """Give a live figure the view a browser would announce, sending into ``outbox``."""
    live.send = outbox
    live._on_msg(live, {"type": "hello", "width": live.nominal_width, "ratio": 1.0}, [])


def measure(name, rounds):
    factory = getattr(widgets, name)
    t0 = time.perf_counter()
    panel = factory()
    build = time.perf_counter() - t0
    live, outbox = panel.live, _Outbox()
    attach_view(live, outbox)
    rows, every, first_all, bg_all = [], [], [], []
    for cname, w in panel.controls.items():
        upd, first, bg_times, n_bg = [], [], [], 0
        for _ in range(rounds):
            for v in control_values(w):
                if v == w.value or w.disabled:
                    continue
                before = live.backgrounds_sent
                outbox.arm()
                t_change = time.perf_counter()
                w.value = v
                upd.append(panel.last_update_seconds * 1e3)
                if outbox.first_at is not None:
                    first.append((outbox.first_at - t_change) * 1e3)
                if live.backgrounds_sent > before:
                    n_bg += 1
                    bg_times.append(live.last_background_seconds * 1e3)
        if upd:
            rows.append((cname, len(upd), statistics.median(first), pct(first, 95),
                         statistics.median(upd), pct(upd, 95), n_bg,
                         statistics.median(bg_times) if bg_times else float("nan")))
            every += upd
            first_all += first
            bg_all += bg_times
    panel.reset()
    plt.close(panel.fig)
    return build, rows, every, first_all, bg_all, outbox


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--panel", action="append")
    args = ap.parse_args()
    names = args.panel or [n for n in widgets.__all__ if n.endswith("_panel")]
    summary = []
    for name in names:
        build, rows, every, first_all, bg_all, outbox = measure(name, args.rounds)
        print(f"\n### {name} (built in {build * 1e3:.0f} ms)\n")
        print("| control | updates | first frame p50 ms | p95 ms | whole update p50 ms | p95 ms | "
              "new backgrounds | background render p50 ms |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for cname, n, f50, f95, med, p95, n_bg, bg in rows:
            print(f"| {cname} | {n} | {f50:.1f} | {f95:.1f} | {med:.1f} | {p95:.1f} | {n_bg} | "
                  f"{bg:.0f} |")
        if every:
            summary.append((name, len(every), statistics.median(first_all), pct(first_all, 95),
                            statistics.median(every), pct(every, 95), len(bg_all),
                            statistics.median(bg_all) if bg_all else float("nan"),
                            outbox.bytes / max(outbox.messages, 1) / 1e3))
    print("\n### summary: control change -> first frame sent / whole update, in the kernel\n")
    print("| panel | updates | first frame p50 ms | p95 ms | whole update p50 ms | p95 ms | "
          "with a new background | background render p50 ms | kB per message |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, n, f50, f95, med, p95, n_bg, bg, kb in summary:
        print(f"| {name} | {n} | {f50:.1f} | {f95:.1f} | {med:.1f} | {p95:.1f} | {n_bg} | "
              f"{bg:.0f} | {kb:.1f} |")


if __name__ == "__main__":
    main()
