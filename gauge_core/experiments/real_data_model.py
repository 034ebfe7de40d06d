"""A sparse, weighted Gaussian dynamic factorisation: P1 §3.2 model 1 on observed entries only.

The dynamic word embeddings of chapter 09 are fitted with this model to per-decade PMI
statistics of the State of the Union corpus (:mod:`gauge_core.data.sotu`).

Why this model
--------------
P1 §5.3 trains Dynamic Word Embeddings (P1 §3.2 model 3: skip-gram with negative sampling and a
time-series prior). Skip-gram with ``k`` negative samples implicitly factorises the shifted PMI
matrix ``PMI - log k`` (Levy & Goldberg 2014), so a least-squares fit of ``u_i^T v_j`` to shifted
PMI is P1's model 1 (Gaussian factorisation, Eqs. 4–6) applied to the statistics that model 3
summarises. A dense ``V x V`` PMI matrix per period is mostly undefined (unobserved pairs have
``PMI = -inf``) and too large to train live, so, as GloVe does, only observed entries enter the
loss, each with a confidence weight that grows with its count. The loss is

``L(Z) = 1/2 sum_{(t,i,j) observed} c_{tij} (x_{tij} - u_{t,i}^T v_{t,j})^2
        + gamma/2 sum_t ||Z_t||_F^2 + psi(Z)``

with ``Z_t = [U_t, V_t]`` (``d x n_rows`` word vectors, then ``d x n_cols`` context vectors).

Symmetry group (stated exactly; the tests check each line)
----------------------------------------------------------
- The data term depends on ``Z_t`` only through the products ``u_{t,i}^T v_{t,j}``, so it is
  invariant under ``U_t -> A U_t, V_t -> A^{-T} V_t`` for any invertible ``A``: the group GL(d),
  per time step.
- ``gamma/2 ||Z_t||^2`` is invariant only under orthogonal ``A`` (``A^{-T} = A``). With
  ``gamma > 0`` the local symmetry is therefore O(d) per time step, the group the gauge methods
  act on (the exact gauge step and Goldstone-GD rotate each ``Z_t`` as a whole, ``U_t`` and
  ``V_t`` together). With ``gamma = 0`` the extra non-orthogonal directions (rescaling ``U_t`` up
  and ``V_t`` down) are flat too, and no rotation removes them: use ``gamma > 0``.
- The coupling ``psi`` is invariant only under the same orthogonal ``R`` at every time step: the
  full loss keeps a global O(d) symmetry only.
"""
from __future__ import annotations

import numbers

import numpy as np

import gauge_core as gc

from .._validate import check_index_array

__all__ = ["SparseGaussianFactorization"]


def _finite_vector(name, values, size, positive=False):
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got {type(values).__name__}")
    a = np.asarray(values)
    if a.dtype == object or not np.issubdtype(a.dtype, np.number) or np.iscomplexobj(a):
        raise TypeError(f"{name} must be a real array of numbers, got dtype {a.dtype}")
    a = a.astype(np.float64)
    if a.shape != (size,):
        raise ValueError(f"{name} must have shape ({size},), got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must contain only finite numbers")
    if positive and np.any(a <= 0):
        raise ValueError(f"{name} must be > 0 everywhere")
    return a


class SparseGaussianFactorization(gc.EmbeddingModel):
    """Weighted least squares on observed entries, coupled along time (see the module docstring).

    Parameters
    ----------
    t, rows, cols : array_like of int, shape (K,)
        Time step, row (word) and column (context) index of each observed entry.
    targets : array_like of float, shape (K,)
        The observed values ``x_{tij}`` (e.g. shifted PMI).
    confidence : array_like of float, shape (K,), optional
        Positive weights ``c_{tij}`` (default 1).
    T, n_rows, n_cols : int
        Sizes; ``Z`` has shape ``(T, d, n_rows + n_cols)``.
    d : int
        Embedding dimension.
    lam : float
        Coupling strength, ``>= 0``.
    gamma : float
        Rotation-invariant regulariser ``gamma/2 ||Z_t||^2``, ``>= 0``.
    weights, ring
        Edge weights and periodic time of the coupling (see :class:`gauge_core.Coupling`).
    """

    def __init__(self, t, rows, cols, targets, T, n_rows, n_cols, d, lam, gamma=0.0,
                 confidence=None, weights=None, ring=False):
        for name, value in (("T", T), ("n_rows", n_rows), ("n_cols", n_cols)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(f"{name} must be an integer, got {value!r}")
            if value < 1:
                raise ValueError(f"{name} must be >= 1, got {value!r}")
        self.n_rows, self.n_cols = int(n_rows), int(n_cols)
        super().__init__(T, d, self.n_rows + self.n_cols, lam, weights=weights, ring=ring)
        if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real):
            raise TypeError(f"gamma must be a real number, got {gamma!r}")
        if not np.isfinite(gamma) or gamma < 0:
            raise ValueError(f"gamma must be a finite number >= 0, got {gamma!r}")
        self.gamma = float(gamma)
        self.t = check_index_array("t", t, self.T)
        self.rows = check_index_array("rows", rows, self.n_rows)
        self.cols = check_index_array("cols", cols, self.n_cols)
        K = self.t.size
        if K == 0:
            raise ValueError("at least one observed entry is needed (t, rows, cols are empty)")
        if self.rows.size != K or self.cols.size != K:
            raise ValueError("t, rows and cols must have the same length")
        self.targets = _finite_vector("targets", targets, K)
        self.confidence = (np.ones(K) if confidence is None
                           else _finite_vector("confidence", confidence, K, positive=True))
        # flat column indices into Z viewed as (d, T*N), as in gc.SparseLogisticFactorization
        self._ucol = self.t * self.N + self.rows
        self._vcol = self.t * self.N + self.n_rows + self.cols
        self._cols = np.concatenate([self._ucol, self._vcol])

    @property
    def n_observed(self):
        return int(self.targets.size)

    def split(self, Z):
        """Views ``(U, V)`` of ``Z``: shapes ``(T, d, n_rows)`` and ``(T, d, n_cols)``."""
        return Z[:, :, : self.n_rows], Z[:, :, self.n_rows:]

    def _scores(self, Z, ucol, vcol):
        flat = Z.transpose(1, 0, 2).reshape(self.d, -1)  # (d, T*N), a copy
        s = np.zeros(np.size(ucol))
        for row in flat:
            s += np.take(row, ucol) * np.take(row, vcol)
        return s, flat

    def predict(self, Z, t=None, rows=None, cols=None):
        """``u_{t,i}^T v_{t,j}`` for the given entries (default: the training entries)."""
        Z = self.check_Z(Z)
        if t is None and rows is None and cols is None:
            return self._scores(Z, self._ucol, self._vcol)[0]
        if t is None or rows is None or cols is None:
            raise ValueError("t, rows and cols must be given together (or all omitted)")
        t = check_index_array("t", t, self.T)
        rows = check_index_array("rows", rows, self.n_rows)
        cols = check_index_array("cols", cols, self.n_cols)
        if not (t.size == rows.size == cols.size):
            raise ValueError("t, rows and cols must have the same length")
        return self._scores(Z, t * self.N + rows, t * self.N + self.n_rows + cols)[0]

    def log_likelihood(self, Z, t, rows, cols, targets, confidence=None):
        """Mean Gaussian log-density ``log N(x; u^T v, 1/c)`` per entry (e.g. on held-out entries).

        The model's own likelihood: the data term is ``-sum log N(x; u^T v, 1/c)`` up to a
        constant, so this is the held-out counterpart of the training loss, in nats per entry.
        """
        s = self.predict(Z, t, rows, cols)
        x = _finite_vector("targets", targets, s.size)
        c = np.ones(s.size) if confidence is None else _finite_vector("confidence", confidence,
                                                                      s.size, positive=True)
        return float(np.mean(0.5 * np.log(c / (2 * np.pi)) - 0.5 * c * (x - s) ** 2))

    def _local(self, Z):
        s, flat = self._scores(Z, self._ucol, self._vcol)
        r = s - self.targets
        r *= self.confidence  # c (s - x) = d/ds of c/2 (x - s)^2
        value = 0.5 * float(np.dot(r, s - self.targets))
        if self.gamma:
            value += 0.5 * self.gamma * float(np.einsum("tdn,tdn->", Z, Z))
        K, size = r.size, self.T * self.N
        g = np.empty((self.d, size))
        w = np.empty(2 * K)
        for k, row in enumerate(flat):  # d is small; each bincount is vectorised over all entries
            np.multiply(r, np.take(row, self._vcol), out=w[:K])  # d/du_i = r v_j
            np.multiply(r, np.take(row, self._ucol), out=w[K:])  # d/dv_j = r u_i
            g[k] = np.bincount(self._cols, weights=w, minlength=size)
        g = g.reshape(self.d, self.T, self.N).transpose(1, 0, 2)
        if self.gamma:
            g = g + self.gamma * Z
        else:
            g = np.ascontiguousarray(g)
        return value, g

    def __repr__(self):
        return (f"SparseGaussianFactorization(T={self.T}, n_rows={self.n_rows}, "
                f"n_cols={self.n_cols}, d={self.d}, lam={self.lam:g}, gamma={self.gamma:g}, "
                f"observed={self.n_observed})")
