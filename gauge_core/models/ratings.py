"""Synthetic drifting +-1 ratings for the sparse logistic factorisation (a P1 §5.2 analogue).

Users' and items' true embeddings drift slowly along time (a Gaussian random walk, the generative
story behind the coupling ``psi``); each time step observes a sparse random set of (user, item)
pairs with rating ``x = +1`` with probability ``sigma(u^T v)``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_array, check_float, check_int, check_rng


@dataclass(frozen=True)
class Ratings:
    """Observed ratings, one entry per rating.

    Attributes
    ----------
    t, users, items : numpy.ndarray of int
        Time step, user and item of each rating.
    values : numpy.ndarray of float
        The ratings, ``+1`` or ``-1``.
    """

    t: np.ndarray
    users: np.ndarray
    items: np.ndarray
    values: np.ndarray

    def __post_init__(self):
        arrays = {}
        for name in ("t", "users", "items"):
            a = np.asarray(getattr(self, name))
            if a.ndim != 1 or not np.issubdtype(a.dtype, np.integer):
                raise TypeError(f"{name} must be a 1-D array of integers, got dtype {a.dtype} "
                                f"and shape {a.shape}")
            if a.size and a.min() < 0:
                raise ValueError(f"{name} must be non-negative")
            arrays[name] = a.astype(np.int64)
        arrays["values"] = check_array("values", self.values, ndim=1, min_size=0)
        if not np.all(np.abs(arrays["values"]) == 1):
            raise ValueError("values must all be +1 or -1")
        if len({a.size for a in arrays.values()}) != 1:
            raise ValueError("t, users, items and values must have the same length")
        for name, a in arrays.items():  # frozen dataclass: store the validated arrays
            object.__setattr__(self, name, a)

    def __len__(self):
        return int(self.values.size)

    def as_args(self):
        """``(t, users, items, values)``, the order the model's methods take."""
        return self.t, self.users, self.items, self.values


@dataclass(frozen=True)
class DriftingRatings:
    """A synthetic data set: training and test ratings plus the ground-truth embeddings."""

    train: Ratings
    test: Ratings
    T: int
    n_users: int
    n_items: int
    true_Z: np.ndarray  # (T, d_true, n_users + n_items)


def drifting_ratings(T, n_users, n_items, d=10, ratings_per_step=2000, drift=0.05,
                     signal=2.0, test_fraction=0.3, rng=0):
    """Generate synthetic ratings whose latent embeddings drift along time.

    Parameters
    ----------
    T : int
        Number of time steps, ``>= 2``.
    n_users, n_items : int
        Number of users and items, ``>= 1``.
    d : int
        Dimension of the true embeddings.
    ratings_per_step : int
        Ratings observed per time step (before the train/test split), ``>= 1``.
    drift : float
        Standard deviation of each step of the embeddings' random walk, relative to their scale.
    signal : float
        Typical size of ``u^T v``: larger means less noisy ratings.
    test_fraction : float
        Fraction of ratings held out, in ``[0, 1)``.
    rng : numpy.random.Generator or int
        Source of randomness.

    Returns
    -------
    DriftingRatings
    """
    T = check_int("T", T, minimum=2)
    n_users = check_int("n_users", n_users, minimum=1)
    n_items = check_int("n_items", n_items, minimum=1)
    d = check_int("d", d, minimum=1)
    per_step = check_int("ratings_per_step", ratings_per_step, minimum=1)
    drift = check_float("drift", drift, minimum=0.0)
    signal = check_float("signal", signal, minimum=0.0)
    test_fraction = check_float("test_fraction", test_fraction, minimum=0.0, maximum=0.99)
    rng = check_rng("rng", rng)

    N = n_users + n_items
    scale = np.sqrt(signal / np.sqrt(d))  # so that u^T v has standard deviation ~ signal
    steps = drift * scale * rng.standard_normal((T, d, N))
    steps[0] = scale * rng.standard_normal((d, N))
    Z = np.cumsum(steps, axis=0)

    t = np.repeat(np.arange(T), per_step)
    users = rng.integers(0, n_users, size=t.size)
    items = rng.integers(0, n_items, size=t.size)
    s = np.einsum("kd,kd->k", Z[t, :, users], Z[t, :, n_users + items])
    values = np.where(rng.random(t.size) < 0.5 * (1.0 + np.tanh(0.5 * s)), 1.0, -1.0)

    is_test = rng.random(t.size) < test_fraction
    pick = lambda mask: Ratings(t[mask], users[mask], items[mask], values[mask])  # noqa: E731
    return DriftingRatings(pick(~is_test), pick(is_test), T, n_users, n_items, Z)
