"""Embedding models with a per-time-step rotational symmetry, coupled along time.

Every model has the form of P1 Eq. 1 / P2 Eq. 1: ``L(Z) = sum_t l(X_t; Z_t) + psi(Z)``, with
``Z`` of shape ``(T, d, N)`` (T time steps, each a d x N matrix of N embedding vectors) and a local
loss ``l`` invariant under ``Z_t -> R Z_t`` for every orthogonal ``R`` (P1 §3.1).
"""
from __future__ import annotations

import numpy as np

from ._validate import check_array, check_choice, check_float, check_int, check_rng
from .coupling import Coupling

INIT_KINDS = ("random", "aligned")


class EmbeddingModel:
    """Base class: a local loss per time step plus the nearest-neighbour coupling ``psi``.

    Subclasses implement ``_local(Z) -> (value, grad)``. Public methods validate ``Z``.

    Attributes
    ----------
    T, d, N : int
        Number of time steps, embedding dimension and number of embedding vectors per step.
    lam : float
        Coupling strength.
    coupling : Coupling
        The coupling term ``psi`` (chain or ring, optional edge weights).
    minimum_loss : float or None
        The global minimum of the loss where it is known in closed form, else ``None``.
    """

    minimum_loss = None

    def __init__(self, T, d, N, lam, weights=None, ring=False):
        self.T = check_int("T", T, minimum=2)
        self.d = check_int("d", d, minimum=1)
        self.N = check_int("N", N, minimum=1)
        self.coupling = Coupling(self.T, lam, weights=weights, ring=ring)
        self.lam = self.coupling.lam

    @property
    def shape(self):
        """The shape ``(T, d, N)`` of a configuration ``Z``."""
        return (self.T, self.d, self.N)

    @property
    def ring(self):
        return self.coupling.ring

    def check_Z(self, Z, name="Z"):
        """Validate a configuration and return it as a float64 array (never modified)."""
        return check_array(name, Z, ndim=3, shape=self.shape)

    # --- the loss and its parts -------------------------------------------------------------
    def local_loss(self, Z):
        """``sum_t l(X_t; Z_t)``, the symmetric part of the loss."""
        return float(self._local(self.check_Z(Z))[0])

    def coupling_loss(self, Z):
        """``psi(Z)``, the coupling that breaks the per-step symmetry."""
        return self.coupling._value(self.check_Z(Z))

    def loss(self, Z):
        """The full loss ``L(Z) = local_loss(Z) + coupling_loss(Z)``."""
        Z = self.check_Z(Z)
        return float(self._local(Z)[0]) + self.coupling._value(Z)

    def grad(self, Z):
        """Analytic gradient of the full loss, shape ``(T, d, N)``."""
        Z = self.check_Z(Z)
        return self.evaluate(Z)[2]

    def evaluate(self, Z):
        """``(local_loss, coupling_loss, grad)`` in one pass, without validation (hot path).

        ``Z`` must already be a float64 array of the model's shape; optimisers call this once per
        iteration.
        """
        local, g = self._local(Z)
        return float(local), self.coupling._add_value_and_grad(Z, g), g

    def random_init(self, rng, kind="random", scale=1.0):
        """A random initial configuration.

        Parameters
        ----------
        rng : numpy.random.Generator or int
            Source of randomness (an int is used as a seed).
        kind : {"random", "aligned"}
            ``"random"``: every entry i.i.d. ``N(0, scale^2)``, so each time step breaks the
            symmetry its own way (spontaneous symmetry breaking, P2 §2.2). ``"aligned"`` ("cold
            start"): one random ``d x N`` matrix repeated at every time step, so no twist at all.
        scale : float
            Standard deviation of the entries, ``> 0``.

        Returns
        -------
        numpy.ndarray of shape (T, d, N)
        """
        rng = check_rng("rng", rng)
        check_choice("kind", kind, INIT_KINDS)
        scale = check_float("scale", scale, minimum=0.0, strict_min=True)
        if kind == "random":
            return scale * rng.standard_normal(self.shape)
        one = scale * rng.standard_normal(self.shape[1:])
        return np.repeat(one[None], self.T, axis=0)

    def _local(self, Z):  # pragma: no cover - abstract
        raise NotImplementedError


class MexicanHatChain(EmbeddingModel):
    """The XY-like toy: a Mexican-hat loss per embedding vector, coupled along time.

    ``l(Z_t) = sum_i (||z_{t,i}||^2 - radius^2)^2`` (digest §7.1, Toy A; the potential of P1 Fig. 1a
    and P2 Fig. 2), plus ``psi``. Minimum ``0`` at any configuration with all vectors on the ring of
    radius ``radius`` and identical across time. At that minimum the Hessian has one zero mode per
    global rotation generator, angular modes ``lam * (2 - 2cos(pi nu/T)) * (per-vector factor)``
    and radial modes gapped at about ``8 radius^2``.

    Parameters
    ----------
    T : int
        Number of time steps, ``>= 2``.
    lam : float
        Coupling strength, ``>= 0``.
    d : int
        Embedding dimension, ``>= 1`` (``d = 2`` is the XY model).
    N : int
        Number of independent embedding vectors per time step.
    radius : float
        Radius of the ring of minima, ``> 0``.
    weights, ring
        See :class:`Coupling`.
    """

    minimum_loss = 0.0

    def __init__(self, T, lam, d=2, N=1, radius=1.0, weights=None, ring=False):
        super().__init__(T, d, N, lam, weights=weights, ring=ring)
        self.radius = check_float("radius", radius, minimum=0.0, strict_min=True)

    def _local(self, Z):
        excess = np.einsum("tdn,tdn->tn", Z, Z)
        excess -= self.radius ** 2
        flat = excess.ravel()
        value = float(np.dot(flat, flat))
        excess *= 4.0
        return value, np.multiply(Z, excess[:, None, :])

    def __repr__(self):
        return (f"MexicanHatChain(T={self.T}, lam={self.lam:g}, d={self.d}, N={self.N}, "
                f"radius={self.radius:g}{', ring=True' if self.ring else ''})")


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
        arrays = []
        for name, arr, upper in (("t", t, self.T), ("users", users, self.n_users),
                                 ("items", items, self.n_items)):
            a = np.asarray(arr)
            if a.ndim != 1 or not np.issubdtype(a.dtype, np.integer):
                raise TypeError(f"{name} must be a 1-D array of integers, got dtype {a.dtype} "
                                f"and shape {a.shape}")
            if a.size and (a.min() < 0 or a.max() >= upper):
                raise ValueError(f"{name} must lie in [0, {upper - 1}]")
            arrays.append(a.astype(np.int64))
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
