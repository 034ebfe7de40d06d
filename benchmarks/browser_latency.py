#!/usr/bin/env python3
"""Key press -> changed pixels, in a real browser, for each chapter's main panel.

For every book/NN_*.ipynb: JupyterLab (one server, temp copy of book/), Run All, then on the first
panel that has a slider and an ipympl canvas: N arrow-key presses (alternating directions) on its
first control that changes the figure (a slider; a drop-down if no slider does), each timed
*in the page* from the keydown event to the first animation frame whose canvas pixels differ.
Between presses every Play is paused and the pixels must be still for 0.6 s, so autoplaying runs
do not count as a response. Chapter 00's projector app is measured in
Voila too. Prints a markdown table (median, p90, max in ms); the target is a median <= 250 ms.

    python benchmarks/browser_latency.py                # all chapters, N = 15
    python benchmarks/browser_latency.py -n 5 00 03     # some chapters, fewer presses
    python benchmarks/browser_latency.py --no-voila --json out.json

Skips (exit 0) when /usr/bin/chromium is missing. The 2-core machine's load matters a lot: the
load average before and after is printed with the table.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
import browserkit as bk  # noqa: E402

TARGET_MS = 250


def _pick_control(page, panel, canvas):
    """The first control of the panel (sliders first) whose key press changes the figure."""
    tried = bk.press_until_changed(page, panel, canvas)
    if tried and tried[-1]["changed"]:
        return len(tried) - 1
    return None


def measure_panel(page, panel, canvas, n, timeout_ms=10000):
    idx = _pick_control(page, panel, canvas)
    if idx is None:
        return {"error": "no control of the first panel changes the figure"}
    kind, control = bk.controls_of(panel)[idx]
    name = bk.control_label(kind, control)
    first = bk.key_for(control, kind)
    other = {"ArrowRight": "ArrowLeft", "ArrowLeft": "ArrowRight",
             "ArrowDown": "ArrowUp", "ArrowUp": "ArrowDown"}[first]
    samples, misses = [], 0
    for i in range(n):
        bk.settle(page, canvas, quiet_ms=600)
        key = first if i % 2 == 0 else other
        page.evaluate(bk.JS_ARM_LATENCY, [canvas.element_handle(), timeout_ms])
        bk.operate(page, control, kind, key)
        ms = page.evaluate("window.__gaugeLatency")
        if ms is None:
            misses += 1
        else:
            samples.append(float(ms))
    bk.settle(page, canvas, quiet_ms=600)
    return {"control": name, "samples": samples, "misses": misses}


def lab_rows(chapters, n, tmp):
    rows = []
    server = bk.start_lab(tmp / "lab", sources=chapters)
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            ctx = bk.launch(pw)
            bk.Guard().install(ctx)
            try:
                for nb in chapters:
                    page = ctx.new_page()
                    try:
                        bk.lab_open(page, server, nb.name)
                        bk.lab_run_all(page)
                        state = bk.lab_wait_all_done(page)
                        panel, _, canvas = bk.first_panel(page)
                        panel.scroll_into_view_if_needed()
                        row = measure_panel(page, panel, canvas, n)
                        if state.get("errors"):  # Run All stopped later on; the panel still works
                            row["note"] = "error output after Run All"
                    except Exception as exc:  # noqa: BLE001 - reported in the table
                        row = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
                    finally:
                        page.close()
                        server.shutdown_kernels()
                    row.update(chapter=nb.stem, where="JupyterLab")
                    rows.append(row)
                    print(f"  {nb.stem}: {summary(row)}", file=sys.stderr, flush=True)
            finally:
                bk.close_browser(ctx)
    finally:
        server.stop()
    return rows


def voila_rows(chapters, n, tmp):
    registry = bk.make_apps.load_registry()
    rows = []
    wanted = [ch for ch in chapters if ch in registry]
    if not wanted:
        return rows
    server = bk.start_voila(tmp / "voila")
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            ctx = bk.launch(pw)
            bk.Guard().install(ctx)
            try:
                for ch in wanted:
                    page = ctx.new_page()
                    page.set_viewport_size({"width": 1280, "height": 800})
                    try:
                        panel, _, canvas = bk.voila_open(page, server, registry[ch]["notebook"])
                        row = measure_panel(page, panel, canvas, n)
                    except Exception as exc:  # noqa: BLE001
                        row = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
                    finally:
                        page.close()
                    row.update(chapter=Path(registry[ch]["notebook"]).stem, where="Voila (app)")
                    rows.append(row)
                    print(f"  {row['chapter']} (Voila): {summary(row)}", file=sys.stderr, flush=True)
            finally:
                bk.close_browser(ctx)
    finally:
        server.stop()
    return rows


def stats(samples):
    a = np.asarray(samples, float)
    return float(np.median(a)), float(np.percentile(a, 90)), float(a.max())


def summary(row):
    if row.get("error"):
        return row["error"]
    if not row["samples"]:
        return f"no response in {row['misses']} presses"
    med, p90, mx = stats(row["samples"])
    return f"median {med:.0f} ms, p90 {p90:.0f} ms, max {mx:.0f} ms"


def table(rows, n):
    lines = ["| chapter | front end | control | n | median ms | p90 ms | max ms | no response |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.get("error"):
            lines.append(f"| {r['chapter']} | {r['where']} | – | 0 | – | – | – | {r['error']} |")
            continue
        if r["samples"]:
            med, p90, mx = stats(r["samples"])
            flag = "" if med <= TARGET_MS else " ⚠"
            cells = f"{med:.0f}{flag} | {p90:.0f} | {mx:.0f}"
        else:
            cells = "– | – | –"
        note = f" ({r['note']})" if r.get("note") else ""
        lines.append(f"| {r['chapter']} | {r['where']} | {r['control']} | {len(r['samples'])} | "
                     f"{cells} | {r['misses']} of {n}{note} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", help="chapter numbers (default: all in book/)")
    parser.add_argument("-n", type=int, default=15, help="key presses per panel (default 15)")
    parser.add_argument("--no-voila", action="store_true", help="skip the Voila app of chapter 00")
    parser.add_argument("--voila", nargs="*", default=["00"], metavar="NN",
                        help="chapters whose app is measured in Voila (default: 00)")
    parser.add_argument("--json", type=Path, help="also write the raw samples here")
    args = parser.parse_args(argv)
    if not bk.chromium_available():
        print(f"browser_latency: skipped, {bk.CHROMIUM_MISSING}")
        return 0
    chapters = bk.chapters()
    if args.chapters:
        chapters = [p for p in chapters if p.name[:2] in {f"{int(c):02d}" for c in args.chapters}]
    if not chapters:
        print("browser_latency: no chapters to measure")
        return 0
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gauge-latency-") as tmp:
        rows = lab_rows(chapters, args.n, Path(tmp))
        if not args.no_voila:
            rows += voila_rows([f"{int(c):02d}" for c in args.voila], args.n, Path(tmp))
    load1 = os.getloadavg()[0]
    print(f"\n### Key press → changed canvas pixels (in-page, N = {args.n} per panel)\n")
    print(table(rows, args.n))
    print(f"\nTarget: median ≤ {TARGET_MS} ms (⚠ = above). Load average (1 min) {load0:.1f} before, "
          f"{load1:.1f} after, on {os.cpu_count()} cores; {time.perf_counter() - t0:.0f} s in all.")
    if args.json:
        args.json.write_text(json.dumps({"n": args.n, "load": [load0, load1], "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
