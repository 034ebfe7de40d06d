#!/usr/bin/env python
"""How close the exact gauge method gets to a start with no twist at all (issue 11, the limit grid).

Model: ``MexicanHatChain(T, lam, d=2, N=1)``, start ``random_init(7, scale=0.5)``. Every run stops
at a relative loss gap of 1e-6 against its own start (``gc.iterations_to_converge`` semantics):

- ``aligned``: GD + exact gauge step (``k1 = 50``) from ``random_init(7, "aligned", 0.5)``: the
  same random vectors at every step, so no twist at all (the limit);
- ``gauge+start``: the same optimiser from the random start with ``gauge_at_start=True`` (one
  exact gauge step on ``Z0`` before the first gradient step); ``ratio`` = gauge+start / aligned,
  goal <= 2;
- beside them, from the random start: ``gauge`` (without the start step: the first gauge step comes
  after ``k1`` GD steps), Goldstone-GD (``k1 = 50``, ``k2 = 10``), heavy-ball momentum tuned to the
  spectrum at the aligned minimum (``gc.tuned_momentum(*gc.spectrum_bounds(model))``; and tuned
  for ``[h_min, 4 h_max]``, a safety margin on the stiff end) and Adam (``lr = 0.01``).

GD steps use ``lr = 1 / (8 + 4 lam)``. Runs that do not converge within the iteration cap print
">cap"; a run that blows up prints "diverged".

    python benchmarks/limit.py            # T in {8, 32, 128, 512, 1024}, lam in {0.01 ... 100}
    python benchmarks/limit.py --quick    # T in {8, 128}, lam in {0.1, 10}
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from gauge_core.experiments import LIMIT_LAMBDAS, LIMIT_METHODS, LIMIT_T, limit_cell  # noqa: E402

COLUMNS = {"aligned": "aligned", "gauge_at_start": "gauge+start", "gauge": "gauge",
           "goldstone": "Goldstone-GD", "momentum": "momentum (tuned)",
           "momentum_safe": "momentum (tuned, 4 h_max)", "adam": "Adam"}


def label(cell, cap):
    k, _, diverged = cell
    return "diverged" if diverged else (f">{cap:,}" if k is None else f"{k:,}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="T in {8, 128}, lam in {0.1, 10}")
    parser.add_argument("--cap", type=int, default=20_000, help="iteration cap per run")
    args = parser.parse_args(argv)
    Ts = (8, 128) if args.quick else LIMIT_T
    lams = (0.1, 10.0) if args.quick else LIMIT_LAMBDAS

    print("# Iterations to a relative loss gap of 1e-6: MexicanHatChain(T, lam, d=2, N=1), seed 7\n")
    print("| T | lam | " + " | ".join(COLUMNS[m] for m in LIMIT_METHODS[:2])
          + " | ratio | " + " | ".join(COLUMNS[m] for m in LIMIT_METHODS[2:]) + " |")
    print("|---:|---:|" + "---:|" * (len(LIMIT_METHODS) + 1))
    t_start, worst = time.perf_counter(), 0.0
    for lam in lams:
        for T in Ts:
            cell = limit_cell(T, lam, cap=args.cap)
            k_aligned, k_start = cell["aligned"][0], cell["gauge_at_start"][0]
            ratio = (k_start / k_aligned if k_start is not None and k_aligned
                     else float("nan"))
            worst = max(worst, ratio) if ratio == ratio else float("inf")
            cells = [label(cell[m], args.cap) for m in LIMIT_METHODS]
            print(f"| {T} | {lam:g} | {cells[0]} | {cells[1]} | {ratio:.2f} | "
                  + " | ".join(cells[2:]) + " |", flush=True)
    print(f"\nLargest ratio gauge+start / aligned: {worst:.2f} (goal <= 2)")
    print(f"Total benchmark time: {time.perf_counter() - t_start:.1f} s")


if __name__ == "__main__":
    main()
