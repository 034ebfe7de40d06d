"""Recorders: what a :class:`gauge_core.Run` tells observers about its iterations and gauge phases.

A recorder subclasses :class:`Recorder` and overrides the hooks it needs; the run calls
``start(run)`` once, ``step(run)`` after every recorded iteration (iteration 0 included, with
``run.Z`` and ``run.iteration`` current) and ``phase(run, Z)`` just before every gauge phase (``Z``
is the configuration the phase is about to rotate). Recorders observe: they must not modify the
arrays they are given.
"""
from __future__ import annotations

from .._validate import check_int


class Recorder:
    """Base class of the recorders; every hook does nothing."""

    def start(self, run):
        """Called once, before the start is recorded."""

    def step(self, run):
        """Called after every recorded iteration."""

    def phase(self, run, Z):
        """Called just before a gauge phase rotates ``Z``."""


class PhaseStarts(Recorder):
    """Keep the start of every gauge phase, so that any phase can be replayed and dissected.

    ``phases[p]`` is a dict with ``iteration`` (the inner step after which phase ``p + 1`` runs;
    0 for a phase at the start), ``Z`` (the configuration the phase receives) and ``gauge_raw``
    (Goldstone-GD's warm-start gauge fields ``Gamma~``, ``None`` for the exact step). Feeding ``Z``
    and ``gauge_raw`` with the run's ``k2`` and ``step_scale`` to :func:`gauge_core.dissect_phase`
    reproduces a Goldstone-GD phase exactly.

    Examples
    --------
    >>> import numpy as np, gauge_core as gc
    >>> model = gc.MexicanHatChain(T=8, lam=1.0)
    >>> starts = gc.PhaseStarts()
    >>> run = gc.Run(model, model.random_init(0), "goldstone", lr=0.05, k1=5, recorders=[starts])
    >>> starts.advance_to_phase(run, 2)
    2
    >>> [p["iteration"] for p in starts.phases]
    [5, 10]
    """

    def __init__(self):
        self.phases = []

    def phase(self, run, Z):
        raw = run.gauge_raw
        at_start = run.iteration == 0 and len(run.loss) == 0  # gauge_at_start: before iteration 0
        self.phases.append({"iteration": 0 if at_start else run.iteration + 1, "Z": Z.copy(),
                            "gauge_raw": None if raw is None else raw.copy()})

    def advance_to_phase(self, run, p):
        """Advance ``run`` until at least ``p`` gauge phases have started (or it diverged or
        stopped); returns the number of phases recorded."""
        p = check_int("p", p, minimum=0)
        while len(self.phases) < p and not run.diverged:
            need = p * run.k1 - run.iteration
            if run.advance(max(need, 1)) == 0:
                break
        return len(self.phases)


class Trajectory(Recorder):
    """Keep a copy of ``Z`` at every recorded iteration (``iterations``, ``Zs``); ``clear()``
    forgets what was kept, so a long run can be processed in chunks."""

    def __init__(self):
        self.iterations, self.Zs = [], []

    def step(self, run):
        self.iterations.append(run.iteration)
        self.Zs.append(run.Z.copy())

    def clear(self):
        self.iterations, self.Zs = [], []
