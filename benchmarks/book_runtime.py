"""Wall time of every chapter under nbval, one by one and as a whole book; repeat/reverse runs.

Each ``book/NN_*.ipynb`` runs in its own pytest call
(``python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider -q book/NN_x.ipynb``,
a fresh kernel each), timed in wall seconds. Then the whole book runs in one pytest call. The
"cell s" column sums nbval's per-cell call durations (the kernel's share; the rest of the wall
time is pytest start-up, plugin import and kernel start, about 3-4 s per call).

Determinism checks: ``--repeat 3`` runs the whole book three times in a row (each time in a new
pytest call), ``--reverse`` runs the chapters in reverse order (per notebook and whole book), so a
chapter that depends on files or state left by an earlier one shows up.

Usage::

    python benchmarks/book_runtime.py [--repeat N] [--reverse] [--skip-each] [--skip-book]
                                      [--only PATTERN] [--timeout S] [--cell-timeout S]

Prints markdown (tables, then the failing cells with the end of pytest's output). Exits 1 if any
run failed or timed out, 0 otherwise (also when the book has no notebooks yet). The machine is
shared: the load average is printed next to the numbers.
"""
from __future__ import annotations

import argparse
import fnmatch
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BOOK = REPO / "book"
NBVAL = ["-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider", "-q"]
DURATION = re.compile(r"^\s*([0-9.]+)s\s+call\s+(\S+\.ipynb)::(.+?)\s*$")
SUMMARY = re.compile(r"\b\d+ (passed|failed|error|errors|skipped|xfailed)\b")
FAILED = re.compile(r"^(FAILED|ERROR) (\S+\.ipynb)(::\S.*?)?(?: - .*)?$")
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # nbval colours its reports


def notebooks(only=None, reverse=False):
    nbs = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))
    if only:
        nbs = [p for p in nbs if fnmatch.fnmatch(p.name, only)]
    return nbs[::-1] if reverse else nbs


def run_pytest(paths, timeout, cell_timeout):
    """One pytest call over ``paths``; returns a dict with wall seconds, status and details."""
    cmd = [sys.executable, *NBVAL, "--durations=0", "--durations-min=0", "-rfE"]
    if cell_timeout:
        cmd.append(f"--nbval-cell-timeout={cell_timeout}")
    cmd += [str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p) for p in paths]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        out = ANSI.sub("", out)
        return {"seconds": time.perf_counter() - t0, "status": "TIMEOUT", "rc": None,
                "summary": f"timed out after {timeout} s", "cells": {}, "failed": [],
                "tail": out[-3000:]}
    seconds = time.perf_counter() - t0
    out = ANSI.sub("", proc.stdout + proc.stderr)
    cells = {}
    for line in out.splitlines():
        m = DURATION.match(line)
        if m:
            cells.setdefault(Path(m.group(2)).name, []).append(float(m.group(1)))
    summary = next((ln.strip("= ") for ln in reversed(out.splitlines()) if SUMMARY.search(ln)),
                   out.strip().splitlines()[-1] if out.strip() else "")
    failed = [ln.strip() for ln in out.splitlines() if FAILED.match(ln.strip())]
    if proc.returncode == 0:
        status = "pass"
    elif proc.returncode == 5:
        status = "FAIL (no cells collected)"
    else:
        status = "FAIL"
    return {"seconds": seconds, "status": status, "rc": proc.returncode, "summary": summary,
            "cells": cells, "failed": failed, "tail": out[-3000:]}


def load():
    try:
        return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "load average unknown"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=1, help="run the whole book N times in a row")
    ap.add_argument("--reverse", action="store_true", help="run the chapters in reverse order")
    ap.add_argument("--skip-each", action="store_true", help="skip the per-notebook runs")
    ap.add_argument("--skip-book", action="store_true", help="skip the whole-book run(s)")
    ap.add_argument("--only", help="glob on notebook file names, e.g. '0[0-3]_*'")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per pytest call")
    ap.add_argument("--cell-timeout", type=int, default=120,
                    help="nbval's per-cell timeout (as in `make test`; 0 to leave nbval's default)")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be >= 1")

    nbs = notebooks(args.only, args.reverse)
    order = "reverse" if args.reverse else "reading"
    print(f"# Book runtime under nbval ({len(nbs)} notebooks, {order} order)\n")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {load()} at start.\n")
    if not nbs:
        print("book/: no notebooks yet, nothing to run.")
        return 0

    failures = []
    if not args.skip_each:
        print("## Each notebook in its own pytest call\n")
        print("| notebook | wall s | cell s | cells | result |")
        print("|---|---:|---:|---:|---|")
        wall = cell = 0.0
        passed = 0
        for nb in nbs:
            r = run_pytest([nb], args.timeout, args.cell_timeout)
            c = r["cells"].get(nb.name, [])
            wall += r["seconds"]
            cell += sum(c)
            passed += r["status"] == "pass"
            print(f"| {nb.name} | {r['seconds']:.1f} | {sum(c):.1f} | {len(c)} | "
                  f"{r['status']}{'' if r['status'] == 'pass' else ': ' + r['summary']} |",
                  flush=True)
            if r["status"] != "pass":
                failures.append((nb.name, r))
        print(f"| **total** | **{wall:.1f}** | **{cell:.1f}** | | **{passed}/{len(nbs)} pass** |\n")

    if not args.skip_book:
        print(f"## Whole book in one pytest call ({order} order, {args.repeat} run"
              f"{'s' if args.repeat > 1 else ''})\n")
        print("| run | wall s | cell s | cells | result |")
        print("|---:|---:|---:|---:|---|")
        for k in range(1, args.repeat + 1):
            r = run_pytest(nbs, args.timeout * max(1, len(nbs)), args.cell_timeout)
            c = [x for v in r["cells"].values() for x in v]
            print(f"| {k} | {r['seconds']:.1f} | {sum(c):.1f} | {len(c)} | {r['status']}: "
                  f"{r['summary']} |", flush=True)
            if r["status"] != "pass":
                failures.append((f"whole book, run {k}", r))
        print()

    print(f"{load()} at the end.\n")
    if failures:
        print("## Failures\n")
        for name, r in failures:
            print(f"### {name} ({r['status']}, exit code {r['rc']})\n")
            for line in r["failed"]:
                print(f"- `{line}`")
            print("\n```\n" + r["tail"].strip()[-2000:] + "\n```\n")
        return 1
    print("All runs passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
