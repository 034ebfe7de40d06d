"""In-kernel latency of every panel: control change -> update -> redraw requested.

Builds every ``*_panel`` exported by ``widgets`` with its defaults, then drives each control
through its minimum, maximum, a middle value and its default (every option of a dropdown), several
rounds, timing each update (``Panel.last_update_seconds``: the observer running, the figure's
artists updated and ``draw_idle`` called, as with ipympl in a notebook). A second column reports
the full Agg render of the figure (``fig.canvas.draw()``), which ipympl performs when the browser
asks for the new image.

Usage: ``python benchmarks/widget_latency.py [--rounds 3] [--panel NAME]``. Prints markdown.
"""
import argparse
import statistics
import time

import matplotlib

matplotlib.use("module://ipympl.backend_nbagg")

import ipywidgets as W  # noqa: E402
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


def measure(name, rounds):
    factory = getattr(widgets, name)
    t0 = time.perf_counter()
    panel = factory()
    build = time.perf_counter() - t0
    rows, every = [], []
    for cname, w in panel.controls.items():
        cb, render = [], []
        for _ in range(rounds):
            for v in control_values(w):
                if v == w.value:
                    continue
                w.value = v
                cb.append(panel.last_update_seconds * 1e3)
                t1 = time.perf_counter()
                panel.fig.canvas.draw()
                render.append((time.perf_counter() - t1) * 1e3)
        if cb:
            rows.append((cname, len(cb), statistics.median(cb), pct(cb, 95), max(cb),
                         statistics.median(render)))
            every += cb
    panel.reset()
    import matplotlib.pyplot as plt

    plt.close(panel.fig)
    return build, rows, every


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--panel", action="append")
    args = ap.parse_args()
    names = args.panel or [n for n in widgets.__all__ if n.endswith("_panel")]
    summary = []
    for name in names:
        build, rows, every = measure(name, args.rounds)
        print(f"\n### {name} (built in {build * 1e3:.0f} ms)\n")
        print("| control | updates | callback median ms | p95 ms | max ms | full render median ms |")
        print("|---|---:|---:|---:|---:|---:|")
        for cname, n, med, p95, mx, rend in rows:
            print(f"| {cname} | {n} | {med:.1f} | {p95:.1f} | {mx:.1f} | {rend:.0f} |")
        if every:
            summary.append((name, len(every), statistics.median(every), pct(every, 95),
                            max(every), statistics.median([r[5] for r in rows])))
    print("\n### summary: control change -> redraw requested, in the kernel (goal p50 <= 50 ms, "
          "p95 <= 100 ms)\n")
    print("| panel | updates | p50 ms | p95 ms | max ms | full Agg render p50 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, n, med, p95, mx, rend in summary:
        print(f"| {name} | {n} | {med:.1f} | {p95:.1f} | {mx:.1f} | {rend:.0f} |")


if __name__ == "__main__":
    main()
