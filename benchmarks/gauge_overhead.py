#!/usr/bin/env python
"""Cost of the gauge phases relative to the ordinary optimiser steps (P1 Table 1).

For ``MexicanHatChain(T=100, lam=1, d=10, N)`` with N in {100, 1000, 10000}, times

- ``k1 = 50`` plain GD steps (``Run.advance(50)``: gradient, update and loss bookkeeping),
- one exact gauge step (``gc.exact_gauge_step``: T-1 SVDs of d x d matrices plus O(T N d^2) products),
- one Goldstone-GD phase with ``k2 = 10`` (``gc.goldstone_phase``: P1 Algorithm 1 lines 6-9; the
  pseudo-inverse L^+ is computed once per run, outside the timing, as ``Run`` does),

and reports each gauge phase as a percentage of the 50 GD steps (the per-phase overhead of the
"gauge" and "goldstone" methods with k1 = 50). Also reports the time of one GD step at
T = 100, d = 10, N = 2000, and the bookkeeping of ``gc.Run`` itself: iterations per second of
plain GD on ``MexicanHatChain(64, 1)`` inside ``Run`` against a bare loop
``Z -= lr * model.evaluate(Z)[2]`` (CPU seconds, so that other jobs on the machine matter less).
Best of several repeats.

    python benchmarks/gauge_overhead.py           # N up to 10000 (~1 minute)
    python benchmarks/gauge_overhead.py --quick   # N up to 1000
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import gauge_core as gc  # noqa: E402

T, D, LAM, K1, K2 = 100, 10, 1.0, 50, 10
LR = 0.01  # timing does not depend on it; small enough that no run diverges


def best_of(fn, repeats):
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def setup(N, seed=0):
    model = gc.MexicanHatChain(T, LAM, d=D, N=N)
    Z0 = model.random_init(seed, scale=1.0 / np.sqrt(D))  # |z| ~ 1, on the scale of the hat
    return model, Z0


def time_gd_steps(model, Z0, steps, repeats):
    def go():
        run = gc.Run(model, Z0, "gd", lr=LR)
        t0 = time.perf_counter()
        run.advance(steps)
        elapsed = time.perf_counter() - t0
        assert run.iteration == steps and not run.diverged
        return elapsed
    return min(go() for _ in range(repeats))


def run_overhead(steps=20_000, repeats=5):
    """Iterations per CPU second of GD inside ``gc.Run`` and in a bare loop (best of repeats)."""
    model = gc.MexicanHatChain(64, 1.0)
    Z0 = model.random_init(0)

    def inside():
        run = gc.Run(model, Z0, "gd", lr=0.05)
        t0 = time.process_time()
        run.advance(steps)
        return steps / (time.process_time() - t0)

    def bare():
        Z = Z0.copy()
        t0 = time.process_time()
        for _ in range(steps):
            Z = Z - 0.05 * model.evaluate(Z)[2]
        return steps / (time.process_time() - t0)

    return max(inside() for _ in range(repeats)), max(bare() for _ in range(repeats))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N in {100, 1000} only")
    args = parser.parse_args(argv)
    Ns = (100, 1000) if args.quick else (100, 1000, 10000)

    print(f"# Gauge-phase overhead: MexicanHatChain(T={T}, lam={LAM:g}, d={D}, N)\n")
    print(f"| N | {K1} GD steps (s) | exact gauge step (s) | % of {K1} GD steps | "
          f"Goldstone phase k2={K2} (s) | % of {K1} GD steps |")
    print("|---|---|---|---|---|---|")
    t_start = time.perf_counter()
    for N in Ns:
        model, Z0 = setup(N)
        repeats = 2 if N >= 10000 else 5
        t_gd = time_gd_steps(model, Z0, K1, repeats)
        Z = gc.optimize(model, Z0, "gd", 5, lr=LR).Z  # a typical iterate
        t_exact = best_of(lambda: gc.exact_gauge_step(Z), repeats)
        coupling = model.coupling
        Lplus = np.linalg.pinv(coupling.laplacian, hermitian=True)
        t_gold = best_of(lambda: gc.goldstone_phase(Z, np.zeros((T, D, D)), coupling, Lplus, K2),
                         repeats)
        print(f"| {N} | {t_gd:.4f} | {t_exact:.5f} | {100 * t_exact / t_gd:.1f} % | "
              f"{t_gold:.5f} | {100 * t_gold / t_gd:.1f} % |", flush=True)

    model, Z0 = setup(2000)
    per_step = time_gd_steps(model, Z0, 20, 3) / 20
    print(f"\nOne GD step at T={T}, d={D}, N=2000: {1e3 * per_step:.2f} ms "
          f"(best of 3 runs of 20 steps)")
    inside, bare = run_overhead()
    print(f"GD on MexicanHatChain(64, 1) inside gc.Run: {inside:,.0f} iterations per CPU second; "
          f"bare loop: {bare:,.0f} (Run's bookkeeping: {1e6 * (1 / inside - 1 / bare):.1f} us "
          f"per iteration)")
    print(f"Total benchmark time: {time.perf_counter() - t_start:.1f} s")


if __name__ == "__main__":
    main()
