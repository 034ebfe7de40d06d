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

from .realistic import METHOD_OPTIONS, config_of, removable_coupling


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


def item_cosines(results, seed, item, sfx="_snap"):
    """Cosine between item ``item``'s last-step embedding and every first-step item embedding,
    for each method (embeddings at iteration ``snap`` with ``sfx="_snap"``, at the end with
    ``""``) and for the ground truth: ``{who: array of shape (n_items,)}``. Needs the item
    embeddings (the small cache), not neighbour lists."""
    g = lambda key: results[f"seed{int(seed)}_{key}"]  # noqa: E731
    methods = [m for m in METHOD_OPTIONS if f"seed{int(seed)}_{m}_psi" in results]
    out = {}
    for who in methods + ["true"]:
        s = "" if who == "true" else sfx
        last, first = g(f"{who}_items_last{s}"), g(f"{who}_items_first{s}")
        q = last[:, item] / max(float(np.linalg.norm(last[:, item])), 1e-300)
        p = first / np.maximum(np.linalg.norm(first, axis=0), 1e-300)
        out[who] = q @ p
    return out


def removable_efold(results, seed=0, method="adagrad", window=(400, 1400)):
    """Iterations per e-fold of the gauge-removable part of psi, from a straight-line fit of its
    logarithm over the iterations in ``window`` (the recorded points every ``every`` steps)."""
    c = config_of(results)
    e = np.asarray(results[f"seed{int(seed)}_{method}_excess"], dtype=float)
    k = np.arange(e.size) * c["every"]
    keep = (k >= window[0]) & (k <= window[1])
    return float(-1.0 / np.polyfit(k[keep], np.log(e[keep]), 1)[0])


def phase_share(model, Z, k2=10, step_scale=0.25):
    """Share of the gauge-removable psi of ``Z`` that one Goldstone-GD gauge phase (P1 Algorithm 1
    lines 6-9, ``k2`` steps, Eq. 17 times ``step_scale``, from zero gauge fields) removes."""
    from ..optimize import goldstone_phase

    T, d = Z.shape[0], Z.shape[1]
    after = goldstone_phase(Z, np.zeros((T, d, d)), model.coupling, model.coupling.laplacian_pinv,
                            k2, step_scale=step_scale)
    return float((model.coupling.value(Z) - model.coupling.value(after))
                 / removable_coupling(model, Z))


def comparability(rows, sfx=""):
    """Seed means of the comparability measures: ``{method: {"alignment", "self_in_top",
    "overlap"}}`` plus ``"true"`` (``{"alignment"}``); at iteration ``snap`` with
    ``sfx="_snap"``."""
    rows = list(rows.values())
    out = {m: {"alignment": float(np.mean([r[m]["median_alignment" + sfx] for r in rows])),
               "self_in_top": float(np.mean([r[m]["self_in_top" + sfx] for r in rows])),
               "overlap": float(np.mean([r[m]["true_nn_overlap" + sfx] for r in rows]))}
           for m in METHOD_OPTIONS if m in rows[0]}
    out["true"] = {"alignment": float(np.mean([r["true_median_alignment"] for r in rows]))}
    return out


# --- the chapter's tables, as printed text ---------------------------------------------------------
def _speedup_line(rows, key="floor_at"):
    return "speed-up over AdaGrad per seed: " + "; ".join(
        f"{m} " + ", ".join(f"{v:.2f}x" for v in speedups(rows, m, key).values())
        for m in ("gauge", "goldstone"))


def floor_table(rows):
    """Floor, floor iterations and speed-ups per seed."""
    lines = [f"seed {s}: floor psi* = {r['floor']:.2f} | reached at "
             + ", ".join(f"{m} {r[m]['floor_at']}" for m in METHOD_OPTIONS)
             for s, r in rows.items()]
    return "\n".join(lines + [_speedup_line(rows)])


def twist_table(rows):
    """When the gauge-removable part of psi falls below 1 % of the floor, per seed and method."""
    lines = [f"seed {s}: removable part below 1 % of psi* from iteration "
             + ", ".join(f"{m} {r[m]['excess_below_tol_at']}" for m in METHOD_OPTIONS)
             + f"  |  psi at its floor: gauge {r['gauge']['floor_at']}" for s, r in rows.items()]
    twist = speedups(rows, "gauge", "excess_below_tol_at")
    lines.append(f"on the Goldstone part alone the exact step is {min(twist.values()):.1f}-"
                 f"{max(twist.values()):.1f}x faster")
    return "\n".join(lines)


def fit_table(rows):
    """Final total loss and held-out log-likelihood per seed and method."""
    return "\n".join(
        f"seed {s}: final loss " + "  ".join(f"{m} {r[m]['final_loss']:.2f}" for m in METHOD_OPTIONS)
        + "   |   held-out LL " + "  ".join(f"{m} {r[m]['test_ll']:.5f}" for m in METHOD_OPTIONS)
        for s, r in rows.items())


def comparability_table(rows, labels, when=(("iteration 400", "_snap"), ("the end", ""))):
    """The seed means of :func:`comparability` at each of ``when``, one line per method."""
    lines = []
    for name, sfx in when:
        comp = comparability(rows, sfx)
        lines.append(f"at {name} (ground truth: median alignment {comp['true']['alignment']:.3f}):")
        lines += [f"   {labels[m]:36s} median alignment {comp[m]['alignment']:.3f}   finds itself "
                  f"in top 5: {100 * comp[m]['self_in_top']:5.1f} %   true-neighbour overlap "
                  f"{100 * comp[m]['overlap']:4.1f} %" for m in METHOD_OPTIONS]
    return "\n".join(lines)


def large_table(rows, snap=400):
    """Chapter 08's section 6 per seed: floors, likelihoods, untwisting, comparability."""
    lines = []
    for s, r in rows.items():
        lines.append(f"seed {s}: floor psi* = {r['floor']:.0f} | reached at "
                     + ", ".join(f"{m} {r[m]['floor_at']}" for m in METHOD_OPTIONS)
                     + " | held-out LL " + "  ".join(f"{r[m]['test_ll']:.5f}" for m in METHOD_OPTIONS)
                     + f" | removable part below 1 %: adagrad {r['adagrad']['excess_below_tol_at']}"
                     f", gauge {r['gauge']['excess_below_tol_at']}")
        lines.append(f"        median alignment / finds itself in top 5 at iteration {snap}: "
                     + ", ".join(f"{m} {r[m]['median_alignment_snap']:.2f} / "
                                 f"{100 * r[m]['self_in_top_snap']:.1f} %" for m in METHOD_OPTIONS)
                     + "; at the end: " + ", ".join(f"{m} {r[m]['median_alignment']:.2f}"
                                                    for m in METHOD_OPTIONS))
    return "\n".join(lines + [_speedup_line(rows)])
