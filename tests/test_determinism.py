"""Same seed, same bits: gauge_core's randomness and optimisers are exactly reproducible.

The book asserts numbers it computes, teachers re-run cells in class, and nbval re-runs whole
chapters; all of that relies on a seed fixing every bit of a result. Checked here with
``np.array_equal`` (not ``allclose``):

- ``random_init`` (both kinds, every model), ``drifting_ratings``, ``random_rotation`` and
  ``random_skew`` repeat for the same seed, and an int seed equals ``default_rng(seed)``;
- ``optimize`` repeats for every method (and the main option combinations);
- ``Run.advance`` in chunks (any split, including empty chunks and a callback that pauses the run)
  gives exactly the result of one ``optimize`` call;
- a short optimisation run in two fresh interpreters (different hash seeds) hashes to the same
  bytes, and to the bytes computed in this process.

Wall-clock fields (``time``, ``gauge_time``) are the only fields allowed to differ.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import gauge_core as gc
from gauge_core import INIT_KINDS

STEPS = 40


def _models():
    ratings = gc.drifting_ratings(5, 4, 5, d=2, ratings_per_step=40, rng=3).train
    return {
        "hat": gc.MexicanHatChain(8, 1.0, d=3, N=2),
        "dense": gc.DynamicFactorization(np.random.default_rng(1).standard_normal((6, 4, 5)), 2,
                                         0.8),
        "sparse": gc.SparseLogisticFactorization(*ratings.as_args(), T=5, n_users=4, n_items=5,
                                                 d=2, lam=3.0, gamma=0.5),
    }


MODELS = _models()
LR = {"hat": 0.02, "dense": 0.01, "sparse": 0.05}

OPTION_SETS = {
    "defaults": dict(k1=5, k2=3),
    "adam-inner": dict(k1=4, inner="adam"),
    "linear-cold": dict(k1=3, apply="linear", warm_start=False, step_scale=1.0),
    "schedule-clip": dict(k1=6, decay=20.0, clip=1.0),
    "O-last": dict(k1=5, group="O", reference="last"),
    "mean-gauge": dict(k1=5, reference="mean"),
}


def assert_same_result(a, b, what=""):
    """Every field but the wall-clock ones is bit-identical."""
    for f in ("loss", "local_loss", "coupling_loss", "Z"):
        x, y = getattr(a, f), getattr(b, f)
        assert x.shape == y.shape and np.array_equal(x, y), f"{what}: {f} differs"
    assert (a.method, a.iterations, a.diverged, a.diverged_at) == \
        (b.method, b.iterations, b.diverged, b.diverged_at), what
    assert a.snapshots.keys() == b.snapshots.keys(), what
    for k in a.snapshots:
        assert np.array_equal(a.snapshots[k], b.snapshots[k]), f"{what}: snapshot {k} differs"
    assert a.time.shape == b.time.shape


# ------------------------------------------------------------------------------------------------
# Random generators
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", INIT_KINDS)
@pytest.mark.parametrize("name", list(MODELS))
def test_random_init_same_seed_same_bits(name, kind):
    m = MODELS[name]
    a = m.random_init(123, kind, 0.7)
    b = m.random_init(123, kind, 0.7)
    c = m.random_init(np.random.default_rng(123), kind, 0.7)
    assert np.array_equal(a, b) and np.array_equal(a, c)
    assert not np.array_equal(a, m.random_init(124, kind, 0.7))


def test_drifting_ratings_same_seed_same_bits():
    kw = dict(d=3, ratings_per_step=50, drift=0.1, signal=1.5, test_fraction=0.25)
    a = gc.drifting_ratings(6, 7, 8, rng=9, **kw)
    b = gc.drifting_ratings(6, 7, 8, rng=9, **kw)
    c = gc.drifting_ratings(6, 7, 8, rng=np.random.default_rng(9), **kw)
    for other in (b, c):
        for part in ("train", "test"):
            for x, y in zip(getattr(a, part).as_args(), getattr(other, part).as_args()):
                assert x.dtype == y.dtype and np.array_equal(x, y)
        assert np.array_equal(a.true_Z, other.true_Z)
        assert (a.T, a.n_users, a.n_items) == (other.T, other.n_users, other.n_items)
    d = gc.drifting_ratings(6, 7, 8, rng=10, **kw)
    assert not np.array_equal(a.train.values, d.train.values) or \
        not np.array_equal(a.true_Z, d.true_Z)


@pytest.mark.parametrize("group", ["SO", "O"])
def test_random_rotations_and_skews_same_seed(group):
    assert np.array_equal(gc.random_rotation(4, 5, group, size=3),
                          gc.random_rotation(4, np.random.default_rng(5), group, size=3))
    assert np.array_equal(gc.random_skew(4, 5, 0.3, size=3), gc.random_skew(4, 5, 0.3, size=3))


def test_a_shared_generator_advances_state():
    """Passing one Generator twice gives two different draws (its state is consumed)."""
    rng = np.random.default_rng(0)
    m = MODELS["hat"]
    assert not np.array_equal(m.random_init(rng), m.random_init(rng))


# ------------------------------------------------------------------------------------------------
# Optimisers
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", gc.METHODS)
@pytest.mark.parametrize("name", list(MODELS))
def test_optimize_twice_same_bits(name, method):
    m = MODELS[name]
    Z0 = m.random_init(7)
    opts = dict(lr=LR[name], k1=5, k2=3, snapshots=(0, 10, STEPS))
    a = gc.optimize(m, Z0, method, STEPS, **opts)
    b = gc.optimize(m, Z0.copy(), method, STEPS, **opts)
    assert a.iterations == STEPS and not a.diverged
    assert_same_result(a, b, f"{name}/{method}")


@pytest.mark.parametrize("options", list(OPTION_SETS))
@pytest.mark.parametrize("method", ["goldstone", "gauge", "adam"])
def test_optimize_options_twice_same_bits(method, options):
    m = MODELS["hat"]
    Z0 = m.random_init(3)
    a = gc.optimize(m, Z0, method, STEPS, lr=0.02, **OPTION_SETS[options])
    b = gc.optimize(m, Z0, method, STEPS, lr=0.02, **OPTION_SETS[options])
    assert_same_result(a, b, f"{method}/{options}")


def test_diverging_run_same_bits():
    m = MODELS["hat"]
    a = gc.optimize(m, m.random_init(0), "gd", STEPS, lr=0.8)
    b = gc.optimize(m, m.random_init(0), "gd", STEPS, lr=0.8)
    assert a.diverged
    assert_same_result(a, b, "diverging gd")


CHUNKINGS = {"one": (STEPS,), "1+rest": (1, STEPS - 1), "7+13+20": (7, 13, 20),
             "eights": (8,) * 5, "with-empty": (3, 0, 0, STEPS - 3), "ones": (1,) * STEPS,
             "overshoot": (25, 25)}


@pytest.mark.parametrize("chunks", list(CHUNKINGS))
@pytest.mark.parametrize("method", gc.METHODS)
def test_run_in_chunks_equals_one_optimize_call(method, chunks):
    for name, m in MODELS.items():
        Z0 = m.random_init(11)
        opts = dict(lr=LR[name], k1=5, k2=3, snapshots=(0, 6, 17, STEPS))
        ref = gc.optimize(m, Z0, method, STEPS, **opts)
        run = gc.Run(m, Z0, method, **opts)
        done = 0
        for c in CHUNKINGS[chunks]:
            done += run.advance(min(c, STEPS - done))
        assert done == STEPS
        assert_same_result(run.result(), ref, f"{name}/{method}/{chunks}")
        assert np.array_equal(run.loss, ref.loss)
        assert np.array_equal(run.coupling_loss, ref.coupling_loss)


@pytest.mark.parametrize("method", gc.METHODS)
def test_run_paused_by_callback_then_resumed(method):
    """A callback returning False pauses the run; resuming continues bit for bit."""
    m = MODELS["dense"]
    Z0 = m.random_init(2)
    ref = gc.optimize(m, Z0, method, STEPS, lr=LR["dense"], k1=4, decay=10.0)
    pause_at = {9, 10, 23}
    run = gc.Run(m, Z0, method, lr=LR["dense"], k1=4, decay=10.0,
                 callback=lambda it, Z: it not in pause_at)
    while run.iteration < STEPS:
        run.advance(STEPS - run.iteration)
    assert_same_result(run.result(), ref, f"paused {method}")


# ------------------------------------------------------------------------------------------------
# Fresh interpreters
# ------------------------------------------------------------------------------------------------
HASH_SCRIPT = textwrap.dedent("""
    import hashlib
    import numpy as np
    import gauge_core as gc

    def digest():
        h = hashlib.sha256()
        m = gc.MexicanHatChain(12, 1.0, d=3, N=2)
        for method in gc.METHODS:
            r = gc.optimize(m, m.random_init(11), method, 60, lr=0.02, k1=10, k2=5,
                            snapshots=(30,))
            for a in (r.loss, r.local_loss, r.coupling_loss, r.Z, r.snapshots[30]):
                h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
        data = gc.drifting_ratings(4, 5, 6, d=2, ratings_per_step=30, rng=4)
        sm = gc.SparseLogisticFactorization(*data.train.as_args(), T=4, n_users=5, n_items=6,
                                            d=2, lam=2.0)
        r = gc.optimize(sm, sm.random_init(1), "gauge", 30, lr=0.05, k1=5)
        for a in (*data.train.as_args(), data.true_Z, r.loss, r.Z):
            h.update(np.ascontiguousarray(a).tobytes())
        return h.hexdigest()

    if __name__ == "__main__":
        print(digest())
""")


def _digest_in_subprocess(tmp_path, hashseed):
    script = tmp_path / "digest_script.py"
    script.write_text(HASH_SCRIPT)
    env = dict(os.environ, PYTHONHASHSEED=str(hashseed))
    out = subprocess.run([sys.executable, "-B", str(script)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_fresh_interpreters_hash_to_the_same_bytes(tmp_path):
    first = _digest_in_subprocess(tmp_path, 0)
    second = _digest_in_subprocess(tmp_path, 4242)
    assert len(first) == 64
    assert first == second, "two fresh interpreters gave different results for the same seeds"
    namespace = {"__name__": "digest_in_process"}
    exec(compile(HASH_SCRIPT, "digest_script.py", "exec"), namespace)
    assert namespace["digest"]() == first, "this process and a fresh interpreter disagree"
