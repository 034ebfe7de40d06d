"""The result of a real-data experiment and the claims chapter 09 states, computed from raw arrays.

Definitions
-----------
floor ``psi*`` (per seed)
    the smallest *final* coupling ``psi_m(S)`` over the compared methods ``m``.
reaches the floor
    the first iteration ``k`` after which ``|psi_m - psi*| <= tol * psi*`` holds until the end of
    the run (``tol = 1 %`` by default); ``None`` if it does not hold at the end. "Stays" matters:
    psi is not monotone (it dips while the embeddings shrink from the random start).
speed-up to the floor
    ``k_baseline / k_m``; when the baseline never reaches the floor it is a lower bound
    ``S / k_m`` (``S`` = iterations run), flagged as such.
removable psi, twist gone
    ``psi(Z) - psi(exact_gauge_step(Z))`` is the coupling a rotation of each time step could
    remove, the energy held in Goldstone twists (recorded at ``checkpoints``); the twist is gone
    at the first checkpoint after which it stays below ``tol * psi*``.
alignment
    ``cos(z_a,i, z_b,i)`` of every item (word or movie) between the two ``align_periods``
    (P1 Fig. 4, P2 Fig. 3), at the end of the run (``at="end"``) or at iteration ``snap``
    (``at="snap"``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .real_data_embeddings import Aging, EmbeddingClaims, nearest_columns
# chapter 08's definition, the one copy: "reaches the floor" means the same in both chapters
from .realistic import floor_iteration

__all__ = ["RealDataResult", "Aging", "floor_iteration", "nearest_columns", "cosine_columns"]

WHEN = ("end", "snap")


def cosine_columns(A, B):
    """Cosine between matching columns of ``A`` and ``B`` (both d x n); 0 for a zero vector."""
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    num = np.einsum("dn,dn->n", A, B)
    den = np.linalg.norm(A, axis=0) * np.linalg.norm(B, axis=0)
    return np.where(den > 0, num / np.maximum(den, 1e-300), 0.0)


@dataclass(eq=False)
class RealDataResult(EmbeddingClaims):
    """Raw results of one real-data experiment (all seeds, all methods) and its claims.

    Attributes
    ----------
    config : dict
        The configuration (see :mod:`.real_data_problems`).
    seeds : tuple of int
    methods : tuple of str
        Baseline first, then ``"goldstone"`` and ``"gauge"``.
    labels : tuple of str
        One label per time step.
    names : tuple of str
        Names of the ``n_show`` items whose embeddings are kept (most data first): words, or
        MovieLens movie ids (titles come from the loader at run time, never from the cache).
    anchor_periods : tuple of int
        Time steps at which the shown items' embeddings are kept.
    align_periods : (int, int)
        The two time steps compared by the alignment.
    checkpoints : numpy.ndarray of int
        Iterations at which likelihoods, removable psi and median alignment were recorded.
    snap : int
        The iteration of the ``at="snap"`` embeddings and alignments.
    psi, loss : dict[(seed, method)] -> numpy.ndarray (float32, steps + 1)
        Coupling and total loss at every iteration.
    heldout_ll, validation_ll, removable_psi, alignment_curve : dict[(seed, method)] -> ndarray
        At ``checkpoints``: test and validation log-likelihood per entry, removable psi, median
        alignment over all items.
    alignment, alignment_snap : dict[(seed, method)] -> numpy.ndarray (float32, n_items)
        Per-item alignment at the end and at ``snap``, all items.
    present : numpy.ndarray of bool (n_items,)
        Items with training data at both ``align_periods``.
    anchors, anchors_snap : dict[method] -> numpy.ndarray (float32, P, d, n_show)
        Embeddings of the shown items at ``anchor_periods``, first seed, end and ``snap``.
    trajectories : dict[method] -> numpy.ndarray (float32, T, d, n_traj)
        Final embeddings of the first ``n_traj`` shown items at every time step, first seed.
    wall, gauge_time : dict[(seed, method)] -> float
        CPU seconds per run and the part spent in gauge phases.
    diverged : dict[(seed, method)] -> bool
    lam_scan : numpy.ndarray of shape (n, 2) or None
        Rows ``(lam, validation log-likelihood)`` of ``real_data.lam_scan`` (SOTU only).
    """

    config: dict
    seeds: tuple
    methods: tuple
    labels: tuple
    names: tuple
    anchor_periods: tuple
    align_periods: tuple
    checkpoints: np.ndarray
    snap: int
    present: np.ndarray
    psi: dict = field(default_factory=dict)
    loss: dict = field(default_factory=dict)
    heldout_ll: dict = field(default_factory=dict)
    validation_ll: dict = field(default_factory=dict)
    removable_psi: dict = field(default_factory=dict)
    alignment_curve: dict = field(default_factory=dict)
    alignment: dict = field(default_factory=dict)
    alignment_snap: dict = field(default_factory=dict)
    anchors: dict = field(default_factory=dict)
    anchors_snap: dict = field(default_factory=dict)
    trajectories: dict = field(default_factory=dict)
    wall: dict = field(default_factory=dict)
    gauge_time: dict = field(default_factory=dict)
    diverged: dict = field(default_factory=dict)
    lam_scan: np.ndarray = None

    # --- basics -------------------------------------------------------------------------------
    @property
    def dataset(self):
        return self.config["dataset"]

    @property
    def baseline(self):
        return self.methods[0]

    @property
    def steps(self):
        return int(self.psi[(self.seeds[0], self.baseline)].size - 1)

    @property
    def T(self):
        return len(self.labels)

    def _check(self, method=None, seed=None, at=None):
        if method is not None and method not in self.methods:
            raise ValueError(f"method must be one of {list(self.methods)}, got {method!r}")
        if seed is not None and seed not in self.seeds:
            raise ValueError(f"seed must be one of {list(self.seeds)}, got {seed!r}")
        if at is not None and at not in WHEN:
            raise ValueError(f"at must be one of {list(WHEN)}, got {at!r}")

    def _name_index(self, name, pool):
        try:
            return pool.index(name)
        except ValueError:
            raise ValueError(f"{name!r} is not among the {len(pool)} items kept in this result "
                             f"(e.g. {', '.join(pool[:5])})") from None

    # --- psi floor and speed-up -------------------------------------------------------------
    def floor(self, seed):
        """``psi*``: the smallest final psi over the methods of ``seed``."""
        self._check(seed=seed)
        return min(float(self.psi[(seed, m)][-1]) for m in self.methods)

    def floor_at(self, method, seed, tol=0.01):
        """Iteration at which ``method`` reaches the floor of ``seed`` (None if never)."""
        self._check(method, seed)
        return floor_iteration(self.psi[(seed, method)], self.floor(seed), tol)

    def speedup(self, method, seed, tol=0.01):
        """``(factor, is_lower_bound)``: the baseline's floor iteration over ``method``'s.

        ``(None, False)`` if ``method`` never reaches the floor. If the baseline does not reach
        it within the run, the factor is ``steps / k_method`` and ``is_lower_bound`` is True.
        """
        k = self.floor_at(method, seed, tol)
        if k is None:
            return None, False
        base = self.floor_at(self.baseline, seed, tol)
        if base is None:
            return self.steps / max(k, 1), True
        return base / max(k, 1), False

    def twist_gone_at(self, method, seed, tol=0.01):
        """First checkpoint after which the removable psi stays below ``tol * psi*`` (or None)."""
        self._check(method, seed)
        r = np.asarray(self.removable_psi[(seed, method)])
        above = np.flatnonzero(r > tol * self.floor(seed))
        if above.size == 0:
            return 0
        k = int(above[-1]) + 1
        return int(self.checkpoints[k]) if k < r.size else None

    def removable_share(self, method, seed, iteration):
        """Removable psi over psi at the checkpoint ``iteration``: the twisted share of psi."""
        self._check(method, seed)
        hits = np.flatnonzero(self.checkpoints == iteration)
        if hits.size == 0:
            every = int(self.checkpoints[1] - self.checkpoints[0])
            raise ValueError(f"iteration must be a checkpoint (a multiple of {every}), "
                             f"got {iteration!r}")
        k = int(hits[0])
        return float(self.removable_psi[(seed, method)][k] / self.psi[(seed, method)][iteration])

    def twist_shares(self, method, seed):
        """Removable psi over psi at every checkpoint: the twisted share of psi, shape
        ``(len(checkpoints),)``."""
        self._check(method, seed)
        psi = np.asarray(self.psi[(seed, method)], dtype=float)[self.checkpoints]
        return np.asarray(self.removable_psi[(seed, method)], dtype=float) / psi

    # --- curves ---------------------------------------------------------------------------------
    def best_final_loss(self, seed):
        """The lowest final total loss over the methods of ``seed``."""
        self._check(seed=seed)
        return min(float(self.loss[(seed, m)][-1]) for m in self.methods)

    def psi_gap(self, method, seed):
        """``|psi_m - psi*|`` at every iteration (how far psi is from the floor)."""
        self._check(method, seed)
        return np.abs(np.asarray(self.psi[(seed, method)], dtype=float) - self.floor(seed))

    def loss_gap(self, method, seed):
        """``|L_m - L_best|`` at every iteration, ``L_best`` the lowest final loss of ``seed``."""
        self._check(method, seed)
        return np.abs(np.asarray(self.loss[(seed, method)], dtype=float)
                      - self.best_final_loss(seed))

    # --- fit ----------------------------------------------------------------------------------
    def final_heldout_ll(self, method, seed):
        """Test log-likelihood per held-out entry at the end of the run (nats)."""
        self._check(method, seed)
        return float(self.heldout_ll[(seed, method)][-1])

    def final_loss(self, method, seed):
        self._check(method, seed)
        return float(self.loss[(seed, method)][-1])

    # --- alignment ----------------------------------------------------------------------------
    def _alignment(self, method, seed, at, present_only):
        self._check(method, seed, at)
        a = (self.alignment if at == "end" else self.alignment_snap)[(seed, method)]
        return a[self.present] if present_only else a

    def median_alignment(self, method, seed, at="end", present_only=False):
        """Median per-item alignment (items with data at both ends only if ``present_only``)."""
        return float(np.median(self._alignment(method, seed, at, present_only)))

    def alignment_histogram(self, method, seed, at="end", bins=40, present_only=False):
        """``(counts, edges)`` of the per-item alignment on ``[-1, 1]`` (P1 Fig. 4)."""
        return np.histogram(self._alignment(method, seed, at, present_only), bins=bins,
                            range=(-1.0, 1.0))

    @property
    def n_items(self):
        return int(self.present.size)

    @property
    def n_present(self):
        """Items with training data at both ``align_periods``."""
        return int(np.sum(self.present))

    # --- one table ---------------------------------------------------------------------------
    def summary(self, tol=0.01):
        """``{seed: {"floor": psi*, method: {...}}}`` of every headline number, computed now."""
        out = {}
        for s in self.seeds:
            row = {"floor": self.floor(s)}
            for m in self.methods:
                factor, lower = self.speedup(m, s, tol)
                row[m] = {"floor_at": self.floor_at(m, s, tol), "speedup": factor,
                          "speedup_is_lower_bound": lower,
                          "twist_gone_at": self.twist_gone_at(m, s, tol),
                          "final_psi": float(self.psi[(s, m)][-1]),
                          "final_loss": self.final_loss(m, s),
                          "heldout_ll": self.final_heldout_ll(m, s),
                          "median_alignment": self.median_alignment(m, s),
                          "median_alignment_snap": self.median_alignment(m, s, at="snap"),
                          "wall": self.wall[(s, m)], "gauge_time": self.gauge_time[(s, m)],
                          "diverged": self.diverged[(s, m)]}
            out[s] = row
        return out

    # --- storage -----------------------------------------------------------------------------
    PER_RUN = ("psi", "loss", "heldout_ll", "validation_ll", "removable_psi", "alignment_curve",
               "alignment", "alignment_snap", "wall", "gauge_time", "diverged")
    PER_METHOD = ("anchors", "anchors_snap", "trajectories")
    FLOAT32 = ("psi", "loss", "alignment", "alignment_snap", "anchors", "anchors_snap",
               "trajectories")

    def to_arrays(self):
        """A flat ``{name: numpy array}`` dict for ``numpy.savez_compressed``."""
        out = {f"config_{k}": np.asarray(v) for k, v in self.config.items()}
        out.update(seeds=np.asarray(self.seeds), methods=np.asarray(self.methods),
                   labels=np.asarray(self.labels), names=np.asarray(self.names),
                   anchor_periods=np.asarray(self.anchor_periods),
                   align_periods=np.asarray(self.align_periods), checkpoints=self.checkpoints,
                   snap=np.asarray(self.snap), present=np.asarray(self.present))
        for name in self.PER_RUN:
            dtype = np.float32 if name in self.FLOAT32 else None
            for (s, m), v in getattr(self, name).items():
                out[f"seed{s}_{m}_{name}"] = np.asarray(v, dtype)
        for name in self.PER_METHOD:
            for m, v in getattr(self, name).items():
                out[f"{m}_{name}"] = np.asarray(v, np.float32)
        if self.lam_scan is not None:
            out["lam_scan"] = np.asarray(self.lam_scan)
        return out

    @classmethod
    def from_arrays(cls, arrays):
        """Inverse of :meth:`to_arrays`."""
        a = dict(arrays)
        config = {k[len("config_"):]: (a[k].item() if a[k].ndim == 0 else tuple(a[k].tolist()))
                  for k in a if k.startswith("config_")}
        seeds = tuple(int(s) for s in a["seeds"])
        methods = tuple(str(m) for m in a["methods"])
        res = cls(config=config, seeds=seeds, methods=methods,
                  labels=tuple(str(x) for x in a["labels"]),
                  names=tuple(str(x) for x in a["names"]),
                  anchor_periods=tuple(int(p) for p in a["anchor_periods"]),
                  align_periods=tuple(int(p) for p in a["align_periods"]),
                  checkpoints=a["checkpoints"], snap=int(a["snap"]), present=a["present"],
                  lam_scan=a.get("lam_scan"))
        scalar = {"wall": float, "gauge_time": float, "diverged": bool}
        for name in cls.PER_RUN:
            store = getattr(res, name)
            for s in seeds:
                for m in methods:
                    v = a[f"seed{s}_{m}_{name}"]
                    store[(s, m)] = scalar[name](v) if name in scalar else v
        for name in cls.PER_METHOD:
            store = getattr(res, name)
            for m in methods:
                if f"{m}_{name}" in a:
                    store[m] = a[f"{m}_{name}"]
        return res

    def best_lam(self):
        """The ``lam`` with the highest validation log-likelihood in :attr:`lam_scan`."""
        if self.lam_scan is None:
            raise ValueError(f"this {self.dataset} result has no lam scan (lam was fixed)")
        return float(self.lam_scan[np.argmax(self.lam_scan[:, 1]), 0])
