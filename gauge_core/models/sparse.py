"""Sparse dynamic Bernoulli (logistic) factorisation for +-1 ratings (P1 §3.2 model 2, Eqs. 6–9)."""
from __future__ import annotations

import numpy as np

from .._validate import check_array, check_float, check_index_array, check_int
from .base import EmbeddingModel


def _log_sigmoid(x):
    """``log(sigma(x)) = min(x, 0) - log1p(exp(-|x|))`` without overflow (~5x faster than
    ``-np.logaddexp(0, -x)``, same value to rounding)."""
    return np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class SparseLogisticFactorization(EmbeddingModel):
    """Sparse dynamic Bernoulli (logistic) factorisation for +-1 ratings (P1 §3.2 model 2, Eqs. 6–9).

    ``l(X_t; Z_t) = -sum_{(t,i,j,x) observed} log sigma(x u_{t,i}^T v_{t,j}) + gamma/2 ||Z_t||_F^2``
    with ``Z_t = [U_t, V_t]`` (users then items), plus ``psi``. The ``gamma`` term is rotation
    invariant, so it does not break the symmetry (P1 §3.2).

    Parameters
    ----------
    t, users, items : array_like of int, shape (K,)
        Time step, user index and item index of each observed rating.
    values : array_like of shape (K,)
        The ratings, each ``+1`` or ``-1``.
    T, n_users, n_items : int
        Sizes; every index must be in range.
    d : int
        Embedding dimension.
    lam : float
        Coupling strength (P1 §5.2 uses 10).
    gamma : float
        Strength of the local Gaussian regulariser (P1 §5.2 uses 1), ``>= 0``.
    weights, ring
        See :class:`Coupling`.
    """

    def __init__(self, t, users, items, values, T, n_users, n_items, d, lam, gamma=1.0,
                 weights=None, ring=False):
        T = check_int("T", T, minimum=2)
        self.n_users = check_int("n_users", n_users, minimum=1)
        self.n_items = check_int("n_items", n_items, minimum=1)
        super().__init__(T, d, self.n_users + self.n_items, lam, weights=weights, ring=ring)
        self.gamma = check_float("gamma", gamma, minimum=0.0)
        self.t, self.users, self.items, self.values = self._check_observations(t, users, items, values)
        # flat column indices into Z viewed as (T, d, N): used to gather and scatter per observation
        self._ucol = self.t * self.N + self.users
        self._icol = self.t * self.N + self.n_users + self.items
        # for the gradient: every rating scatters into its user column and its item column, so
        # one bincount per dimension over the concatenated columns does both (see _local)
        self._cols = np.concatenate([self._ucol, self._icol])

    def _check_observations(self, t, users, items, values):
        arrays = [check_index_array(name, arr, upper)
                  for name, arr, upper in (("t", t, self.T), ("users", users, self.n_users),
                                           ("items", items, self.n_items))]
        vals = check_array("values", values, ndim=1, min_size=0)
        if not np.all(np.abs(vals) == 1):
            raise ValueError("values must all be +1 or -1")
        if len({a.size for a in arrays} | {vals.size}) != 1:
            raise ValueError("t, users, items and values must have the same length")
        if vals.size == 0:
            raise ValueError("values must not be empty: at least one observed rating is needed")
        return (*arrays, vals)

    def scores(self, Z, t=None, users=None, items=None):
        """``u_{t,i}^T v_{t,j}`` for the given observations (default: the training ones)."""
        Z = self.check_Z(Z)
        if t is None and users is None and items is None:
            return self._scores(Z, self._ucol, self._icol)[0]
        if t is None or users is None or items is None:
            raise ValueError("t, users and items must be given together (or all omitted for the "
                             "training ratings)")
        t, users, items, _ = self._check_observations(t, users, items, np.ones(np.size(t)))
        return self._scores(Z, t * self.N + users, t * self.N + self.n_users + items)[0]

    def _scores(self, Z, ucol, icol):
        """Scores ``u^T v`` and ``Z`` as a contiguous ``(d, T*N)`` array.

        One 1-D ``np.take`` per dimension: cache friendly and several times faster than gathering
        ``(d, K)`` blocks and reducing them over the first axis.
        """
        flat = Z.transpose(1, 0, 2).reshape(self.d, -1)  # (d, T*N), a copy
        s = np.zeros(np.size(ucol))
        for row in flat:
            s += np.take(row, ucol) * np.take(row, icol)
        return s, flat

    def log_likelihood(self, Z, t, users, items, values):
        """Mean ``log sigma(x u^T v)`` per rating, e.g. on held-out data (P1 §5.2's metric)."""
        Z = self.check_Z(Z)
        t, users, items, values = self._check_observations(t, users, items, values)
        s, _ = self._scores(Z, t * self.N + users, t * self.N + self.n_users + items)
        return float(np.mean(_log_sigmoid(values * s)))

    def _local(self, Z):
        s, flat = self._scores(Z, self._ucol, self._icol)
        x = self.values
        value = -np.sum(_log_sigmoid(x * s)) + 0.5 * self.gamma * np.einsum("tdn,tdn->", Z, Z)
        coef = -x * _sigmoid(-x * s)  # d/ds of -log sigma(x s)
        K, size = x.size, self.T * self.N
        g = np.empty((self.d, size))
        w = np.empty(2 * K)
        for k, row in enumerate(flat):  # d is small; each bincount is vectorised over all ratings
            np.multiply(coef, np.take(row, self._icol), out=w[:K])  # d/du = coef v -> user column
            np.multiply(coef, np.take(row, self._ucol), out=w[K:])  # d/dv = coef u -> item column
            g[k] = np.bincount(self._cols, weights=w, minlength=size)
        g = g.reshape(self.d, self.T, self.N).transpose(1, 0, 2) + self.gamma * Z
        return value, g

    def __repr__(self):
        return (f"SparseLogisticFactorization(T={self.T}, n_users={self.n_users}, "
                f"n_items={self.n_items}, d={self.d}, lam={self.lam:g}, gamma={self.gamma:g}, "
                f"ratings={self.values.size})")
