"""Claims about the kept embeddings of a real-data result: word aging and trajectories.

:class:`EmbeddingClaims` is a mixin of :class:`~.real_data_result.RealDataResult`; it reads the
embeddings the cache keeps for the first seed (``anchors``/``anchors_snap`` at a few time steps,
``trajectories`` at every time step) and never anything else.

Definitions
-----------
word aging (P1 Table 2)
    for an item ``w`` and two kept time steps ``q`` (query) and ``p`` (target): the items whose
    embedding at ``p`` has the largest cosine with ``w``'s embedding at ``q``. The *self rank* is
    the position of ``w`` itself in that list (1 = it finds itself first).
self-retrieval
    the share of the kept items whose self rank is at most ``k``.
hub
    the kept item that is among the ``k`` nearest of the most items: when two time steps are
    rotated against each other, a few items end up "near" almost every query.
trajectory
    ``cos(u_{t,w}, u_{t,a})`` for anchors ``a`` through time ``t``: a *gauge invariant* (rotating
    one time step's embeddings changes nothing), so no Goldstone twist can spoil it. Against a
    fixed reference step ``r``, ``cos(u_{t,w}, u_{r,a})`` compares vectors of different time
    steps and is meaningful only when the time steps are aligned.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["EmbeddingClaims", "Aging", "nearest_columns"]


def nearest_columns(query, pool, k=5):
    """``(indices, cosines)``: the ``k`` columns of ``pool`` (d x n) closest in cosine to
    ``query`` (d,), best first, and the cosine of every column."""
    q = np.asarray(query, dtype=float)
    p = np.asarray(pool, dtype=float)
    cos = (q @ p) / np.maximum(np.linalg.norm(q) * np.linalg.norm(p, axis=0), 1e-300)
    return np.argsort(-cos, kind="stable")[:k], cos


@dataclass(frozen=True)
class Aging:
    """One word-aging query: ``name`` at ``query_period`` against every kept item at
    ``target_period``.

    Attributes
    ----------
    name : str
    method : str
    query_period, target_period : int
    cosines : numpy.ndarray (n_items,)
        Cosine of ``name``'s query embedding with every kept item's target embedding.
    nearest : numpy.ndarray of int (k,)
        The ``k`` items with the largest cosine, best first.
    index : int
        Position of ``name`` among the kept items.
    self_rank : int
        1-based rank of ``name`` itself (1: it is its own nearest neighbour across time).
    """

    name: str
    method: str
    query_period: int
    target_period: int
    cosines: np.ndarray
    nearest: np.ndarray
    index: int
    self_rank: int

    @property
    def self_cosine(self):
        return float(self.cosines[self.index])


class EmbeddingClaims:
    """Word aging and trajectories from the embeddings kept in a result (a mixin).

    Needs the attributes ``names``, ``anchor_periods``, ``align_periods``, ``labels``,
    ``methods``, ``anchors``, ``anchors_snap``, ``trajectories`` and the ``_check`` and
    ``_name_index`` helpers of :class:`~.real_data_result.RealDataResult`.
    """

    def period(self, label):
        """The time step with label ``label`` (e.g. ``"1900s"``); an int is returned modulo T."""
        if isinstance(label, (int, np.integer)) and not isinstance(label, bool):
            if -self.T <= label < self.T:
                return int(label) % self.T
            raise ValueError(f"period must lie in [-{self.T}, {self.T - 1}], got {label}")
        try:
            return self.labels.index(label)
        except ValueError:
            raise ValueError(f"period must be one of {list(self.labels)} or an index, got "
                             f"{label!r}") from None

    def _slot(self, period):
        p = self.period(period)
        if p in self.anchor_periods:
            return self.anchor_periods.index(p)
        raise ValueError(f"period must be one of the kept periods {list(self.anchor_periods)} "
                         f"({', '.join(self.labels[q] for q in self.anchor_periods)}), got "
                         f"{period!r}")

    def _anchors(self, method, at):
        self._check(method, at=at)
        return (self.anchors if at == "end" else self.anchors_snap)[method]

    def _periods(self, query_period, target_period):
        return (self.align_periods[1] if query_period is None else query_period,
                self.align_periods[0] if target_period is None else target_period)

    def aging(self, name, method, query_period=None, target_period=None, k=5, at="end"):
        """"Word aging" (P1 Table 2) as an :class:`Aging` record (first seed).

        The periods default to the last and the first of ``align_periods`` and must be among
        ``anchor_periods``; ``at`` is ``"end"`` or ``"snap"``.
        """
        query_period, target_period = self._periods(query_period, target_period)
        E = self._anchors(method, at)
        i = self._name_index(name, list(self.names))
        query = E[self._slot(query_period)][:, i]
        idx, cos = nearest_columns(query, E[self._slot(target_period)], k)
        rank = 1 + int(np.sum(cos > cos[i]))
        return Aging(name, method, self.period(query_period), self.period(target_period),
                     cos, idx, i, rank)

    def nearest(self, name, method, query_period=None, target_period=None, k=5, at="end"):
        """The ``k`` kept items nearest across time to ``name`` (see :meth:`aging`), as a list
        of ``(name, cosine)``, best first."""
        a = self.aging(name, method, query_period, target_period, k, at)
        return [(self.names[j], float(a.cosines[j])) for j in a.nearest]

    def _nearest_across(self, method, query_period, target_period, k, at):
        """Row ``i``: the ``k`` kept items whose ``target_period`` embedding is nearest in cosine
        to item ``i``'s ``query_period`` embedding, best first (shape ``(n, k)``)."""
        query_period, target_period = self._periods(query_period, target_period)
        E = self._anchors(method, at)
        Q, P = E[self._slot(query_period)], E[self._slot(target_period)]
        Qn = Q / np.maximum(np.linalg.norm(Q, axis=0), 1e-30)
        Pn = P / np.maximum(np.linalg.norm(P, axis=0), 1e-30)
        return np.argsort(-(Qn.T @ Pn), axis=1, kind="stable")[:, :k]

    def self_retrieval(self, method, query_period=None, target_period=None, k=5, at="end"):
        """Share of kept items found among their own ``k`` nearest across the two periods
        (defaults as in :meth:`aging`)."""
        top = self._nearest_across(method, query_period, target_period, k, at)
        return float(np.mean(np.any(top == np.arange(top.shape[0])[:, None], axis=1)))

    def hub(self, method, query_period=None, target_period=None, k=5, at="end"):
        """``(name, count)``: the kept item that is among the ``k`` nearest across time (see
        :meth:`aging`) of the most kept items, and of how many. A misaligned pair of time steps
        shows as one "hub" that is near almost everything."""
        top = self._nearest_across(method, query_period, target_period, k, at)
        counts = np.bincount(top.ravel(), minlength=top.shape[0])
        j = int(np.argmax(counts))
        return self.names[j], int(counts[j])

    @property
    def trajectory_names(self):
        """The items whose embeddings are kept at every time step (most data first)."""
        n = next(iter(self.trajectories.values())).shape[-1] if self.trajectories else 0
        return tuple(self.names[:n])

    def rotated_trajectories(self, method, rng):
        """``method``'s kept trajectories with every time step rotated by its own Haar-random
        rotation: a gauge transformation, which leaves the loss and every within-step cosine
        unchanged."""
        from ..lie import random_rotation

        self._check(method)
        X = self.trajectories[method].astype(float)
        R = random_rotation(X.shape[1], rng, size=X.shape[0])
        return np.matmul(R, X)

    def trajectory(self, name, anchors, method, reference=None, rotate=None):
        """Cosine of ``name`` to each anchor item through time, shape ``(T, len(anchors))``.

        ``reference=None`` compares within each time step, ``cos(u_{t,name}, u_{t,a})``: a gauge
        invariant, so converged methods agree. ``reference=r`` (an index or a label) compares
        with the anchors' embeddings at time step ``r``, ``cos(u_{t,name}, u_{r,a})``,
        meaningful only if the time steps are aligned. ``rotate`` (an int seed or a Generator)
        first applies :meth:`rotated_trajectories`.
        """
        self._check(method)
        X = (self.trajectories[method].astype(float) if rotate is None
             else self.rotated_trajectories(method, rotate))
        pool = list(self.trajectory_names)
        i = self._name_index(name, pool)
        cols = [self._name_index(a, pool) for a in anchors]
        w = X[:, :, i]
        if reference is None:
            A = X[:, :, cols]
        else:
            r = self.period(reference)
            A = np.broadcast_to(X[r][None, :, cols], (self.T,) + X[r][:, cols].shape)
        num = np.einsum("td,tda->ta", w, A)
        den = np.linalg.norm(w, axis=1)[:, None] * np.linalg.norm(A, axis=1)
        return np.where(den > 0, num / np.maximum(den, 1e-30), 0.0)
