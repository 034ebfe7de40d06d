#!/usr/bin/env python
"""Chapter 09's real data: what loading, training and regenerating cost, and the headline numbers.

Prints four tables:

1. load and preprocess time of each data set (cold: the loaders' in-memory caches bypassed);
2. cost per iteration of each method at the cached size and at the live size (CPU ms, best of
   three chunks of ``--chunk`` iterations; the gauge phases included, as they run every ``k1``);
3. the CPU seconds of the cached runs (the cost of ``make data``), read from the caches, or
   measured afresh with ``--regenerate`` (writes to a temporary directory, ~15 minutes);
4. the headline numbers per data set, seed and method, recomputed from the caches' raw curves:
   speed-up to the psi floor (1 % and 0.1 %), iteration at which the twist (removable psi) is
   gone and its share of psi at iteration 100,
   held-out log-likelihood, median alignment at the snapshot iteration and at the end.

    python benchmarks/real_data.py                 # tables 1-4 from the caches (~1 minute)
    python benchmarks/real_data.py --regenerate    # also rerun the full experiments
"""
from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import gauge_core as gc  # noqa: E402
from gauge_core.data import (load_movielens_frame, load_sotu_frame, movielens_ratings,  # noqa: E402
                             sotu_cooccurrence)
from gauge_core.experiments import real_data as RD  # noqa: E402
from gauge_core.experiments import real_data_problems as P  # noqa: E402


def table(header, rows):
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| " + " | ".join(str(x) for x in r) + " |")
    print()


def load_times():
    rows = []
    c = P.SOTU_CONFIG
    t0 = time.perf_counter()
    frame = load_sotu_frame()
    t1 = time.perf_counter()
    s = sotu_cooccurrence(c["vocab_size"], c["bin_years"], c["window"], c["min_pair_count"],
                          frame=frame)
    t2 = time.perf_counter()
    rows.append(("SOTU", f"{t1 - t0:.2f}", f"{t2 - t1:.2f}",
                 f"{s.n_addresses} addresses, T = {s.T}, V = {s.V}, {s.n_pairs:,} entries"))
    c = P.MOVIELENS_CONFIG
    t0 = time.perf_counter()
    frame = load_movielens_frame()
    t1 = time.perf_counter()
    m = movielens_ratings(c["first_year"], c["last_year"], c["bin_years"], c["min_item_ratings"],
                          seed=c["split_seed"], frame=frame)
    t2 = time.perf_counter()
    rows.append(("MovieLens", f"{t1 - t0:.2f}", f"{t2 - t1:.2f}",
                 f"{m.n_raw:,} ratings -> {m.n_ratings:,} binarised, T = {m.T}, "
                 f"{m.n_users} users, {m.n_items:,} movies"))
    table(["data", "load table s", "preprocess s", "result"], rows)


def per_iteration(chunk):
    rows = []
    for label, config in (("SOTU", P.SOTU_CONFIG), ("SOTU live", P.SOTU_LIVE),
                          ("MovieLens", P.MOVIELENS_CONFIG), ("MovieLens live", P.MOVIELENS_LIVE)):
        problem = P.make_problem(config)
        Z0 = problem.initial(0)
        cells = []
        for method in P.METHODS[config["dataset"]]:
            run = gc.Run(problem.model, Z0, method, lr=config["lr"],
                         **P.method_options(config, method))
            best = np.inf
            for _ in range(3):
                t0 = time.process_time()
                run.advance(chunk)
                best = min(best, time.process_time() - t0)
            cells.append(f"{method} {1e3 * best / chunk:.1f}")
        rows.append((label, repr(problem.model), ", ".join(cells),
                     f"{100 * 1e3 * best / chunk / 1e3:.2f} s" if "live" in label else ""))
    table(["problem", "model", "CPU ms per iteration", "live: s per 100 iterations (gauge)"], rows)


def regenerate_cost(fresh):
    rows = []
    for name in ("sotu", "movielens"):
        if fresh:
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                result = RD.run_experiment(P.CONFIGS[name])
                RD.save(result, os.path.join(tmp, f"real_{name}.npz"))
                wall = time.perf_counter() - t0
        else:
            result = RD.load(name)
            wall = None
        cpu = sum(result.wall.values())
        size = os.path.getsize(RD.cache_path(name)) / 1e3 if os.path.exists(
            RD.cache_path(name)) else float("nan")
        rows.append((name, len(result.seeds), len(result.methods), result.steps,
                     f"{cpu:.0f}", "" if wall is None else f"{wall:.0f}", f"{size:.0f}"))
    table(["cache", "seeds", "methods", "iterations", "CPU s of the runs", "wall s (fresh)",
           "file kB"], rows)


def _factor(result, method, seed, tol):
    factor, lower = result.speedup(method, seed, tol)
    if factor is None:
        return "never"
    return ("≥ " if lower else "") + f"{factor:.2f}x"


def headline():
    rows = []
    for name in ("sotu", "movielens"):
        r = RD.load(name)
        for s, row in r.summary().items():
            for m in r.methods:
                v = row[m]
                rows.append((name, s, m, f"{row['floor']:.1f}", v["floor_at"],
                             _factor(r, m, s, 0.01), r.floor_at(m, s, 0.001),
                             _factor(r, m, s, 0.001), v["twist_gone_at"],
                             f"{round(100 * r.removable_share(m, s, 100), 1) + 0.0:.1f} %",
                             f"{v['heldout_ll']:.5f}",
                             f"{r.median_alignment(m, s, at='snap', present_only=True):.3f}",
                             f"{r.median_alignment(m, s, present_only=True):.3f}"))
    table(["data", "seed", "method", "floor psi*", "at floor (1 %)", "speed-up (1 %)",
           "at floor (0.1 %)", "speed-up (0.1 %)", "twist gone (1 %)", "twist share at it. 100",
           "held-out LL", "median alignment at snap (150)", "median alignment at end"], rows)
    print("(median alignment over the items with data at both ends, as in chapter 09)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chunk", type=int, default=50, help="iterations per timed chunk")
    ap.add_argument("--regenerate", action="store_true", help="rerun the full experiments")
    args = ap.parse_args()
    print("## Load and preprocess\n")
    load_times()
    print("## Cost per iteration\n")
    per_iteration(args.chunk)
    print("## Cost of the cached runs (make data)\n")
    regenerate_cost(args.regenerate)
    print("## Headline numbers (from the caches)\n")
    headline()


if __name__ == "__main__":
    main()
