"""Chapter 08's numbers, derived from the raw results of :mod:`.realistic` (never stored).

Definitions used in the chapter
-------------------------------
floor
    ``psi* = min over methods of psi_m(S)``, the best final coupling of the compared runs.
reaches its floor
    the first iteration ``k`` after which ``psi_m`` stays within ``tol = 1 %`` of ``psi*`` until the
    end of the run (``None`` if it is not within the band at the end), :func:`floor_iteration`.
gauge-removable part of psi
    ``psi(Z) - psi(exact_gauge_step(Z))``: the coupling that a rotation of each time step could
    remove, i.e. the energy stored in Goldstone twists (the exact step is optimal on a chain).
"""
from __future__ import annotations

import numpy as np

from .realistic import METHOD_OPTIONS, config_of


def floor_iteration(psi, floor, tol=0.01):
    """First iteration after which ``psi`` stays within ``tol * floor`` of ``floor`` (or None)."""
    psi = np.asarray(psi, dtype=float)
    outside = np.nonzero(np.abs(psi - floor) > tol * abs(floor))[0]
    if outside.size == 0:
        return 0
    k = int(outside[-1]) + 1
    return k if k < psi.size else None


def first_below(values, threshold, every=1):
    """First (sampled) iteration at which ``values`` drops to ``threshold`` and stays there."""
    values = np.asarray(values, dtype=float)
    above = np.nonzero(values > threshold)[0]
    if above.size == 0:
        return 0
    k = int(above[-1]) + 1
    return k * every if k < values.size else None


def nearest_items(query, pool, k=5):
    """Indices of the ``k`` columns of ``pool`` with the largest cosine to each column of ``query``."""
    q = query / np.maximum(np.linalg.norm(query, axis=0), 1e-300)
    p = pool / np.maximum(np.linalg.norm(pool, axis=0), 1e-300)
    return np.argsort(-(q.T @ p), axis=1)[:, :k]


def _neighbours(g, who, sfx, k):
    """The ``k``-nearest-neighbour lists of ``who`` (a method or ``"true"``): stored ones (large
    cache) or computed from the item embeddings (small cache)."""
    try:
        return g(f"{who}_nn{sfx}")[:, :k]
    except KeyError:
        return nearest_items(g(f"{who}_items_last{sfx}"), g(f"{who}_items_first{sfx}"), k)


def _overlap(nn, true_nn, k):
    return float(np.mean([len(set(nn[j]) & set(true_nn[j])) / k for j in range(nn.shape[0])]))


def _self_in_top(nn):
    return float(np.mean([j in nn[j] for j in range(nn.shape[0])]))


def summarize(results, tol=0.01, k=5):
    """Per-seed numbers the chapter reports (floors, floor iterations, losses, alignment,
    neighbours), computed from the raw results: ``{seed: {"floor": ..., "true_median_alignment":
    ..., method: {name: value}}}``."""
    c = config_of(results)
    methods = [m for m in METHOD_OPTIONS if f"seed{int(results['seeds'][0])}_{m}_psi" in results]
    rows = {}
    for s in results["seeds"]:
        s = int(s)
        g = lambda key: results[f"seed{s}_{key}"]  # noqa: E731
        floor = min(float(g(f"{m}_psi")[-1]) for m in methods)
        row = {"floor": floor, "true_median_alignment": float(np.median(g("true_alignment")))}
        true_nn = _neighbours(g, "true", "", k)
        for m in methods:
            psi = g(f"{m}_psi")
            nn, nn_snap = _neighbours(g, m, "", k), _neighbours(g, m, "_snap", k)
            row[m] = {
                "median_alignment_snap": float(np.median(g(f"{m}_alignment_snap"))),
                "self_in_top_snap": _self_in_top(nn_snap),
                "true_nn_overlap_snap": _overlap(nn_snap, true_nn, k),
                "floor_at": floor_iteration(psi, floor, tol),
                "final_psi": float(psi[-1]),
                "final_loss": float(g(f"{m}_loss")[-1]),
                "test_ll": float(g(f"{m}_test_ll")),
                "median_alignment": float(np.median(g(f"{m}_alignment"))),
                "excess_final": float(g(f"{m}_excess")[-1]),
                "excess_below_tol_at": first_below(g(f"{m}_excess"), tol * floor, c["every"]),
                "self_in_top": _self_in_top(nn),
                "true_nn_overlap": _overlap(nn, true_nn, k),
                "cpu": float(g(f"{m}_cpu")), "wall": float(g(f"{m}_wall")),
                "gauge_time": float(g(f"{m}_gauge_time")),
            }
        rows[s] = row
    return rows


#: the large cache holds the same raw results (neighbour lists instead of embeddings)
summarize_compact = summarize


def speedups(rows, method, key="floor_at", steps=None):
    """``baseline / method`` of an iteration count per seed (``key`` ``"floor_at"`` or
    ``"excess_below_tol_at"``); a baseline that never gets there counts as ``steps``."""
    out = {}
    for s, row in rows.items():
        base = row["adagrad"][key]
        base = steps if base is None else base
        other = row[method][key]
        out[s] = None if base is None or other is None else base / max(other, 1)
    return out
