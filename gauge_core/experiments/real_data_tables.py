"""Chapter 09's tables: the claims of a :class:`~.real_data_result.RealDataResult` as text.

Every number is computed by the result's methods when the table is made (nothing is stored); the
chapter prints these, and ``tests/claims/test_ch09_real_data.py`` asserts on the same methods.
"""
from __future__ import annotations

__all__ = ["floor_table", "twist_table", "fit_table", "alignment_table", "aging_table"]


def _names(result):
    base = {"adam": "Adam", "adagrad": "AdaGrad"}.get(result.baseline, result.baseline)
    return {result.baseline: base, "goldstone": f"{base} + Goldstone-GD",
            "gauge": f"{base} + exact gauge step"}


def floor_table(result, tol=0.01):
    """Iteration at which psi enters the floor band for good, and the speed-up, per seed."""
    names = _names(result)
    lines = [f"{result.dataset}: psi within {100 * tol:g} % of the floor psi* and staying there"]
    for s in result.seeds:
        row = []
        for m in result.methods:
            k = result.floor_at(m, s, tol)
            factor, lower = result.speedup(m, s, tol)
            at = "never" if k is None else f"{k:,}"
            fx = "" if factor is None or m == result.baseline else \
                f" ({'>= ' if lower else ''}{factor:.2f}x)"
            row.append(f"{names[m]} {at}{fx}")
        lines.append(f"  seed {s} (psi* = {result.floor(s):,.1f}): " + "; ".join(row))
    return "\n".join(lines)


def twist_table(result, iteration=100, tol=0.01):
    """Share of psi held in Goldstone twists at ``iteration``, and when the twist is gone."""
    names = _names(result)
    lines = [f"{result.dataset}: removable share of psi at iteration {iteration}; twist below "
             f"{100 * tol:g} % of psi* from iteration"]
    for s in result.seeds:
        row = []
        for m in result.methods:
            gone = result.twist_gone_at(m, s, tol)
            share = 100 * result.removable_share(m, s, iteration)
            row.append(f"{names[m]} {abs(share) if abs(share) < 5e-3 else share:.2f} %, "
                       f"gone at {'never' if gone is None else f'{gone:,}'}")
        lines.append(f"  seed {s}: " + "; ".join(row))
    return "\n".join(lines)


def fit_table(result, base_rate=None):
    """Final held-out log-likelihood and total loss per seed and method (and a base rate)."""
    names = _names(result)
    lines = [f"{result.dataset}: held-out log-likelihood per entry (nats) and final loss"]
    for s in result.seeds:
        lines.append(f"  seed {s}: " + "; ".join(
            f"{names[m]} {result.final_heldout_ll(m, s):.5f} (L = {result.final_loss(m, s):,.1f})"
            for m in result.methods))
    if base_rate is not None:
        lines.append(f"  base rate (predict the training share of likes for every rating): "
                     f"{base_rate:.5f}")
    return "\n".join(lines)


def alignment_table(result, present_only=True):
    """Median alignment cos(u_first, u_last) at the snapshot and at the end, per seed."""
    names = _names(result)
    first, last = (result.labels[p] for p in result.align_periods)
    n = result.n_present if present_only else result.n_items
    lines = [f"{result.dataset}: median cos(u_{first}, u_{last}) over {n:,} items, at iteration "
             f"{result.snap:,} -> {result.steps:,}"]
    for s in result.seeds:
        lines.append(f"  seed {s}: " + "; ".join(
            f"{names[m]} {result.median_alignment(m, s, 'snap', present_only):.2f} -> "
            f"{result.median_alignment(m, s, 'end', present_only):.2f}" for m in result.methods))
    return "\n".join(lines)


def aging_table(result, pairs=((-1, 11), (11, 0), (-1, 0)), k=5):
    """Share of the kept items that find themselves among their ``k`` nearest across two
    periods (query -> target), at the snapshot and at the end (first seed)."""
    names = _names(result)
    lines = [f"{result.dataset}: share of the {len(result.names)} kept items among their own "
             f"{k} nearest across time, iteration {result.snap:,} -> {result.steps:,}"]
    for q, t in pairs:
        lines.append(f"  {result.labels[result.period(q)]} -> {result.labels[result.period(t)]}: "
                     + "; ".join(
                         f"{names[m]} {100 * result.self_retrieval(m, q, t, k, 'snap'):.0f} % -> "
                         f"{100 * result.self_retrieval(m, q, t, k, 'end'):.0f} %"
                         for m in result.methods))
    lines.append(f"  chance: {100 * k / len(result.names):.2f} %")
    q, t = pairs[0]
    lines.append(f"  the most common neighbour ({result.labels[result.period(q)]} -> "
                 f"{result.labels[result.period(t)]}, iteration {result.snap:,}): " + "; ".join(
                     "{}: '{}' for {} words".format(names[m], *result.hub(m, q, t, k, "snap"))
                     for m in result.methods))
    return "\n".join(lines)
