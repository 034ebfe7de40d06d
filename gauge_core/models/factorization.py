"""Dense Gaussian dynamic matrix factorisation (P1 §3.2 model 1) and its exact optimum.

``l(X_t; Z_t) = 1/2 ||X_t - U_t^T V_t||_F^2`` with ``Z_t = [U_t, V_t]``. With the same data at every
step (P1 §5.1) the optimum is known in closed form (Eckart–Young), which is what the book's replica
experiment compares against.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_array, check_int
from .base import EmbeddingModel


class DynamicFactorization(EmbeddingModel):
    """Dense Gaussian dynamic matrix factorisation (P1 §3.2 model 1, Eqs. 4–6; the §5.1 set-up).

    ``l(X_t; Z_t) = 1/2 ||X_t - U_t^T V_t||_F^2`` with ``Z_t = [U_t, V_t]`` (``U_t`` is ``d x m``,
    ``V_t`` is ``d x n``, so ``N = m + n``), plus the coupling ``psi``. ``(R U)^T (R V) = U^T V``
    for any orthogonal ``R``, so every time step can be rotated on its own.

    Parameters
    ----------
    X : array_like of shape (T, m, n) or (m, n)
        The data; a 2-D array is used at every one of ``T`` time steps.
    d : int
        Embedding dimension (rank), ``>= 1``.
    lam : float
        Coupling strength, ``>= 0``.
    T : int, optional
        Number of time steps; required when ``X`` is 2-D, must match ``X`` when it is 3-D.
    weights, ring
        See :class:`Coupling`.
    """

    def __init__(self, X, d, lam, T=None, weights=None, ring=False):
        X = check_array("X", X, ndim=(2, 3))
        if X.ndim == 3 and X.shape[0] < 2:
            raise ValueError(f"X must have at least 2 time steps (shape (T, m, n)), got {X.shape}")
        if X.ndim == 2:
            if T is None:
                raise ValueError("T must be given when X is 2-D (the same data at every step)")
            T = check_int("T", T, minimum=2)
            X = np.broadcast_to(X, (T,) + X.shape)
        elif T is not None and check_int("T", T, minimum=2) != X.shape[0]:
            raise ValueError(f"T={T} does not match X.shape[0]={X.shape[0]}")
        self.X = X
        self.m, self.n = X.shape[1:]
        super().__init__(X.shape[0], d, self.m + self.n, lam, weights=weights, ring=ring)

    def split(self, Z):
        """Return the views ``(U, V)`` of ``Z``, shapes ``(T, d, m)`` and ``(T, d, n)``."""
        return Z[:, :, : self.m], Z[:, :, self.m:]

    def reconstruction(self, Z):
        """``U_t^T V_t`` for every t, shape ``(T, m, n)``."""
        U, V = self.split(self.check_Z(Z))
        return np.matmul(U.transpose(0, 2, 1), V)

    def _local(self, Z):
        U, V = self.split(Z)
        E = self.X - np.matmul(U.transpose(0, 2, 1), V)
        g = np.empty_like(Z)
        g[:, :, : self.m] = -np.matmul(V, E.transpose(0, 2, 1))
        g[:, :, self.m:] = -np.matmul(U, E)
        return 0.5 * np.einsum("tij,tij->", E, E), g

    def __repr__(self):
        return (f"DynamicFactorization(T={self.T}, m={self.m}, n={self.n}, d={self.d}, "
                f"lam={self.lam:g}{', ring=True' if self.ring else ''})")


def best_factorization(X, d, T=None):
    """The minimiser of every local loss of :class:`DynamicFactorization`, step by step.

    For each ``X_t`` the truncated SVD ``X_t ~ P_d S_d Q_d^T`` minimises
    ``1/2 ||X_t - U_t^T V_t||_F^2`` over rank-``d`` factors (Eckart–Young). This returns the
    balanced split ``U_t = S_d^{1/2} P_d^T``, ``V_t = S_d^{1/2} Q_d^T``; every ``R U_t, R V_t`` with ``R`` in
    O(d) is an equally good minimiser (P1 §3.1). Each step's orientation is whatever the SVD
    returns, so neighbouring steps are generally not aligned.

    Parameters
    ----------
    X : array_like of shape (T, m, n) or (m, n)
        The data (a 2-D array is used at every one of ``T`` steps).
    d : int
        Rank, ``1 <= d <= min(m, n)``.
    T : int, optional
        Number of steps; required when ``X`` is 2-D.

    Returns
    -------
    numpy.ndarray of shape (T, d, m + n)
        ``Z_t = [U_t, V_t]``.
    """
    X = check_array("X", X, ndim=(2, 3))
    if X.ndim == 2:
        if T is None:
            raise ValueError("T must be given when X is 2-D (the same data at every step)")
        X = np.broadcast_to(X, (check_int("T", T, minimum=1),) + X.shape)
    elif T is not None and check_int("T", T, minimum=1) != X.shape[0]:
        raise ValueError(f"T={T} does not match X.shape[0]={X.shape[0]}")
    m, n = X.shape[1:]
    d = check_int("d", d, minimum=1, maximum=min(m, n))
    P, s, Qh = np.linalg.svd(X, full_matrices=False)
    root = np.sqrt(s[:, :d])[:, :, None]
    U = root * np.swapaxes(P[:, :, :d], 1, 2)
    V = root * Qh[:, :d, :]
    return np.concatenate([U, V], axis=2)


def factorization_optimum(X, d, T):
    """Exact minimum of a dense dynamic factorisation whose data are the same at every step.

    With ``X_t = X`` for all t the coupling vanishes when every ``Z_t`` is the same best rank-``d``
    factorisation, so the minimum is ``T/2 * sum_{k >= d} sigma_k^2`` over the singular values of
    ``X`` (Eckart–Young), whatever the coupling strength.

    Parameters
    ----------
    X : array_like of shape (m, n)
    d : int
        Rank of the factorisation.
    T : int
        Number of time steps.
    """
    X = check_array("X", X, ndim=2)
    d = check_int("d", d, minimum=1)
    T = check_int("T", T, minimum=1)
    s = np.linalg.svd(X, compute_uv=False)
    return 0.5 * T * float(np.sum(s[d:] ** 2))
