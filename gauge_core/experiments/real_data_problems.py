"""The two real-data problems of chapter 09: their settings, models and initial configurations.

- **SOTU** (dynamic word embeddings): per-decade shifted-PMI statistics of the State of the Union
  addresses (:func:`gauge_core.data.sotu_cooccurrence`) fitted by
  :class:`~gauge_core.experiments.real_data_model.SparseGaussianFactorization`, trained with Adam
  (P1 §5.3's baseline), Goldstone-GD and the exact gauge step, both with Adam inside and
  ``k1 = k2 = 10`` as in P1 §5.3.
- **MovieLens** (dynamic recommendation): yearly +-1 ratings 1995–2016
  (:func:`gauge_core.data.movielens_ratings`) fitted by
  :class:`gauge_core.SparseLogisticFactorization` with P1 §5.2's settings: ``lam = 10``,
  ``gamma = 1``, AdaGrad with learning-rate prefactor 1, Goldstone-GD with ``k1 = 100, k2 = 10``.

Every configuration is a plain dict (stored in the caches, so a cache says how it was made).
The ``*_LIVE`` settings are small enough for a live race panel (well under a second per 100
iterations); they reuse the same code at smaller sizes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import gauge_core as gc

from .real_data_model import SparseGaussianFactorization

__all__ = ["SOTU_CONFIG", "SOTU_LIVE", "MOVIELENS_CONFIG", "MOVIELENS_LIVE", "SOTU_METHODS",
           "MOVIELENS_METHODS", "Problem", "sotu_problem", "movielens_problem", "make_problem",
           "method_options", "CONFIGS"]

#: Chapter 09's word-embedding run. Sizes: 1,000 words x 2 (word and context vectors), d = 20,
#: T = 24 decades, ~90 k training (decade, word, context) entries. ``lam = 3`` has the best
#: validation log-likelihood of lam in (0.3, 1, 3, 10) (:func:`.real_data.lam_scan`, stored in the
#: cache); ``gamma = 1`` as P1 §5.2; init ``N(0, 0.1^2)`` (GloVe-like small random start); Adam
#: with ``lr = 0.01`` and P1 §5.3's ``k1 = k2 = 10``. Alignment: first (1790s) vs last (2020s);
#: embeddings kept for the 1790s, the 1900s (the decade with most text) and the 2020s.
SOTU_CONFIG = dict(
    dataset="sotu",
    # data (gauge_core.data.sotu_cooccurrence and the targets/weights built from it)
    vocab_size=1000, bin_years=10, window=4, min_pair_count=5, shift=1.0, x_max=20.0, alpha=0.75,
    validation=0.1, test=0.1, split_seed=0,
    # model and optimiser
    d=20, lam=3.0, gamma=1.0, init_scale=0.1, lr=0.01, k1=10, k2=10, steps=1500,
    # what is recorded
    every=25, snap=150, n_show=400, n_traj=100, align_periods=(0, -1),
    anchor_periods=(0, 11, -1),
)
#: A live-size version for an interactive race: 300 words, d = 10, window 2 and at least 10
#: co-occurrences per entry (~10 k entries; ~0.35 s of CPU per 100 iterations).
SOTU_LIVE = dict(SOTU_CONFIG, vocab_size=300, window=2, min_pair_count=10, d=10, steps=300,
                 n_show=300, n_traj=50)

#: Chapter 09's MovieLens run: P1 §5.2's hyper-parameters (lam = 10, gamma = 1, AdaGrad with
#: prefactor 1, k1 = 100, k2 = 10) on MovieLens latest-small in 22 yearly bins; d = 10 (P1: 30 on
#: 200 times more ratings); init ``N(0, 1)`` as chapter 08. Alignment: 1996 vs 2016 (1995 holds
#: only 3 ratings).
MOVIELENS_CONFIG = dict(
    dataset="movielens",
    first_year=1995, last_year=2016, bin_years=1, min_item_ratings=1, split_seed=0,
    d=10, lam=10.0, gamma=1.0, init_scale=1.0, lr=1.0, k1=100, k2=10, steps=1500,
    every=25, snap=150, n_show=400, n_traj=100, align_periods=(1, -1),
    anchor_periods=(1, -1),
)
#: A live-size version: only the 380 movies with at least 40 binarised ratings (~0.6 s of CPU per
#: 100 iterations).
MOVIELENS_LIVE = dict(MOVIELENS_CONFIG, min_item_ratings=40, steps=300, n_show=300, n_traj=50)

CONFIGS = {"sotu": SOTU_CONFIG, "movielens": MOVIELENS_CONFIG}
#: Methods compared and their options (the inner optimiser of the gauge methods is the baseline).
SOTU_METHODS = {"adam": {}, "goldstone": {"inner": "adam"}, "gauge": {"inner": "adam"}}
MOVIELENS_METHODS = {"adagrad": {}, "goldstone": {"inner": "adagrad"},
                     "gauge": {"inner": "adagrad"}}
METHODS = {"sotu": SOTU_METHODS, "movielens": MOVIELENS_METHODS}


@dataclass(eq=False)
class Problem:
    """A model on real data with its held-out entries and the names of its embedding vectors.

    Attributes
    ----------
    config : dict
    model : gauge_core.EmbeddingModel
    heldout : tuple
        Arguments after ``Z`` of ``model.log_likelihood`` for the held-out (test) entries.
    validation : tuple
        The same for the validation entries.
    names : tuple of str
        One name per *item* column (words; MovieLens: movie ids as strings).
    item_offset : int
        Column of ``Z`` where the items start (SOTU: 0, the word vectors; MovieLens: after the
        users).
    labels : tuple of str
        One label per time step.
    counts : numpy.ndarray of shape (T, n_items)
        Data per item and time step (word occurrences, or ratings in the training set).
    data : object
        The loader's result (kept in memory only; never written to a cache).
    """

    config: dict
    model: object
    heldout: tuple
    validation: tuple
    names: tuple
    item_offset: int
    labels: tuple
    counts: np.ndarray
    data: object

    @property
    def n_items(self):
        return len(self.names)

    def items(self, Z):
        """The item block of ``Z``, shape ``(T, d, n_items)`` (a view)."""
        return Z[:, :, self.item_offset:self.item_offset + self.n_items]

    def initial(self, seed):
        """The initial configuration of seed ``seed``: i.i.d. ``N(0, init_scale^2)`` entries.

        The same ``Z0`` is used for every method of a seed.
        """
        return self.model.random_init(np.random.default_rng(seed),
                                      scale=self.config["init_scale"])


def method_options(config, method):
    """Keyword arguments of :class:`gauge_core.Run` for ``method`` under ``config``."""
    opts = dict(METHODS[config["dataset"]][method])
    if method in ("goldstone", "gauge"):
        opts["k1"] = config["k1"]
    if method == "goldstone":
        opts["k2"] = config["k2"]
    return opts


def sotu_problem(config=None):
    """The SOTU dynamic word-embedding problem (see :data:`SOTU_CONFIG`).

    The targets are the shifted PMI of every kept (decade, word, context) entry, the confidence
    weights GloVe's ``min(1, n / x_max)^alpha``. Seeded random shares ``validation`` and ``test``
    of the unordered word pairs of each decade (both orientations together) are held out: the
    validation entries chose ``lam``, the test entries give the held-out log-likelihood.
    """
    from ..data import sotu_cooccurrence

    c = dict(SOTU_CONFIG, **(config or {}))
    data = sotu_cooccurrence(c["vocab_size"], c["bin_years"], c["window"], c["min_pair_count"])
    x = data.pmi(c["shift"])
    w = data.glove_weights(c["x_max"], c["alpha"])
    split = data.pair_split(c["validation"], c["test"], c["split_seed"])
    train = split == 0
    model = SparseGaussianFactorization(data.t[train], data.i[train], data.j[train], x[train],
                                        T=data.T, n_rows=data.V, n_cols=data.V, d=c["d"],
                                        lam=c["lam"], gamma=c["gamma"], confidence=w[train])
    held = [(data.t[k], data.i[k], data.j[k], x[k], w[k]) for k in (split == 1, split == 2)]
    return Problem(config=c, model=model, heldout=held[1], validation=held[0],
                   names=data.vocabulary, item_offset=0, labels=data.labels,
                   counts=np.asarray(data.word_counts), data=data)


def movielens_problem(config=None):
    """The MovieLens dynamic factorisation problem (see :data:`MOVIELENS_CONFIG`)."""
    from ..data import movielens_ratings

    c = dict(MOVIELENS_CONFIG, **(config or {}))
    data = movielens_ratings(c["first_year"], c["last_year"], c["bin_years"],
                             c["min_item_ratings"], seed=c["split_seed"])
    model = gc.SparseLogisticFactorization(*data.train.as_args(), T=data.T,
                                           n_users=data.n_users, n_items=data.n_items, d=c["d"],
                                           lam=c["lam"], gamma=c["gamma"])
    counts = np.zeros((data.T, data.n_items))
    np.add.at(counts, (data.train.t, data.train.items), 1.0)
    return Problem(config=c, model=model, heldout=data.test.as_args(),
                   validation=data.validation.as_args(),
                   names=tuple(str(m) for m in data.movie_ids), item_offset=data.n_users,
                   labels=data.labels, counts=counts, data=data)


def make_problem(config):
    """The problem a configuration describes (``config["dataset"]`` is "sotu" or "movielens")."""
    if not isinstance(config, dict) or config.get("dataset") not in CONFIGS:
        raise ValueError("config must be a dict with dataset 'sotu' or 'movielens', got "
                         f"{config!r:.80}")
    return (sotu_problem if config["dataset"] == "sotu" else movielens_problem)(config)
