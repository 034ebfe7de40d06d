#!/usr/bin/env python
"""Iterations and seconds to converge: GD, tuned momentum, Adam, Goldstone-GD, the exact gauge step.

Model: the Mexican-hat chain ``MexicanHatChain(T, lam, d=2, N=1)``, whose minimum loss is 0. Each run starts from the same random configuration (seed 0, entries N(0, 0.5^2))
and stops at a relative loss gap of 1e-6, ``gc.iterations_to_converge(loss, 0.0, 1e-6)``.

Step sizes: GD and the inner GD steps of "goldstone" and "gauge" use ``lr = c / (8 r^2 + 4 lam)``
with ``c = 1`` and ``r = 1`` (8 r^2 is the radial curvature at the minimum, 4 lam the largest
coupling eigenvalue: half the stability limit of GD); Adam uses ``lr = 0.01``. Heavy-ball
momentum is tuned to the spectrum at the minimum (Polyak: ``gc.tuned_momentum(h_min, m h_max)``
with ``gc.spectrum_bounds(model)``), with the smallest margin ``m`` in 1, 2, 4, ... 64 whose
300-step probe from the start is stable (the race panel's tuning,
``gauge_core.experiments.race.stable_tuning``); the table prints ``m``. Goldstone-GD and the gauge method
use P1 §5.1's schedule ``k1 = 50, k2 = 10`` (Goldstone-GD: 0.25 x P1 Eq. 17, exact exp update,
warm-started gauge fields). Runs that do not converge within the iteration cap print ">cap".

Seconds are the optimiser's own wall time up to the converged iteration (``result.time``).

    python benchmarks/convergence.py           # full grid, a few minutes
    python benchmarks/convergence.py --quick   # reduced grid, seconds
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))


import gauge_core as gc  # noqa: E402
from gauge_core.experiments import run_to_tolerance as _run_to_tolerance  # noqa: E402
from gauge_core.experiments.race import stable_tuning  # noqa: E402

METHODS = ("gd", "momentum", "adam", "goldstone", "gauge")
TOL = 1e-6
INIT_SCALE = 0.5
C = 1.0
ADAM_LR = 0.01


def gd_lr(lam, radius=1.0):
    """The stable GD step used for GD and the inner steps of the gauge methods."""
    return C / (8.0 * radius ** 2 + 4.0 * lam)


def run_to_tolerance(model, Z0, method, cap, **options):
    """Iterations to a relative loss gap of TOL (or ``None`` after ``cap``), seconds, diverged
    (:func:`gauge_core.experiments.run_to_tolerance`)."""
    return _run_to_tolerance(model, Z0, method, cap, tol=TOL, **options)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced grid (T <= 32, lam = 1)")
    parser.add_argument("--cap", type=int, default=None,
                        help="iteration cap per run (default 200000, --quick 20000)")
    args = parser.parse_args(argv)
    Ts = (8, 16, 32) if args.quick else (8, 16, 32, 64, 128, 256)
    lams = (1.0,) if args.quick else (0.1, 1.0, 10.0)
    cap = args.cap or (20_000 if args.quick else 200_000)

    print("# Convergence to a relative loss gap of 1e-6: MexicanHatChain(T, lam, d=2, N=1)\n")
    print(f"- start: `model.random_init(0, scale={INIT_SCALE})` (seed 0), minimum loss 0")
    print(f"- GD and inner steps of goldstone/gauge: lr = {C:g} / (8 r^2 + 4 lam), r = 1; "
          f"adam: lr = {ADAM_LR:g}")
    print("- goldstone: P1 Algorithm 1, k1 = 50, k2 = 10, 0.25 x Eq. 17, exp update; "
          "gauge: exact gauge step every k1 = 50 steps")
    print(f"- iteration cap per run: {cap} (\">cap\" = not converged within it)\n")
    print("| T | lam | lr (GD) | momentum margin | "
          + " | ".join(f"{m} iters | {m} s" for m in METHODS) + " |")
    print("|---|---|---|---|" + "---|---|" * len(METHODS))
    t_start = time.perf_counter()
    for lam in lams:
        for T in Ts:
            model = gc.MexicanHatChain(T, lam, d=2, N=1)
            Z0 = model.random_init(0, scale=INIT_SCALE)
            cells = []
            tuned = stable_tuning(model, Z0, *gc.spectrum_bounds(model))
            for method in METHODS:
                if method == "momentum":
                    options = {"lr": tuned["lr"], "beta": tuned["beta"]}
                else:
                    options = {"lr": ADAM_LR if method == "adam" else gd_lr(lam)}
                k, secs, diverged = run_to_tolerance(model, Z0, method, cap, **options)
                label = "diverged" if diverged else (f">{cap}" if k is None else str(k))
                cells += [label, f"{secs:.3f}"]
            print(f"| {T} | {lam:g} | {gd_lr(lam):.4f} | {tuned['margin']:g} | " + " | ".join(cells)
                  + " |", flush=True)
    print(f"\nTotal benchmark time: {time.perf_counter() - t_start:.1f} s")


if __name__ == "__main__":
    main()
