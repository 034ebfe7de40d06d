"""Running an optimiser until it has converged: the criterion every chapter and benchmark uses.

A run has converged once its loss gap to a known minimum has shrunk to ``tol`` of its start,
``loss - target <= tol * (loss_0 - target)`` (:func:`gauge_core.iterations_to_converge`).
:func:`steps_to_converge` stops a run as soon as that happens; :class:`UntilConverged` does the
same in chunks for a panel's Play button.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_float, check_int
from ..optimize import Run, iterations_to_converge


def steps_to_converge(model, Z0, method, target, tol=1e-6, max_steps=20000, chunk=100,
                      lr=None, **options):
    """Iterations until the loss gap closes to ``tol`` of its start, stopping as soon as it does.

    The run is advanced in chunks of ``chunk`` iterations and stopped at convergence, so a fast
    method costs little.

    Returns
    -------
    int or None
        ``None`` if not converged within ``max_steps`` (or diverged).
    """
    max_steps = check_int("max_steps", max_steps, minimum=0)
    chunk = check_int("chunk", chunk, minimum=1)
    run = Run(model, Z0, method, lr, **options)
    while True:
        n = iterations_to_converge(run.loss, target, tol)
        if n is not None:
            return n
        if run.iteration >= max_steps or run.diverged:
            return None
        if run.advance(min(chunk, max_steps - run.iteration)) == 0:
            return None


def run_to_tolerance(model, Z0, method, cap, tol=1e-6, target=0.0, **options):
    """Advance a run in growing chunks until the relative loss gap reaches ``tol`` or ``cap``.

    Returns ``(iterations or None, seconds of computing up to it, diverged)``.
    """
    cap = check_int("cap", cap, minimum=1)
    run = Run(model, Z0, method, **options)
    while run.iteration < cap and not run.diverged:
        run.advance(min(cap - run.iteration, max(1000, run.iteration // 2)))
        k = iterations_to_converge(run.loss, target, tol)
        if k is not None:
            return k, float(run.time[k]), False
    return None, float(run.time[-1]), run.diverged


class UntilConverged:
    """A :class:`gauge_core.Run` that counts as finished once its loss has fallen to ``tol`` of its
    start (the minimum is 0) or after ``cap`` iterations, so that every run of a batch stops at its
    own convergence. It has the interface of a run that ``widgets.live.player.Player`` plays
    (``advance``, ``iteration``, ``diverged``, ``diverged_at``, ``method``).

    The run is built on the first :meth:`advance`, so that starting a batch costs nothing
    (Goldstone-GD builds ``L^+`` at construction).
    """

    def __init__(self, method, make_run, tol, cap):
        self.method = method
        self.tol = check_float("tol", tol, minimum=0.0, strict_min=True)
        self.cap = int(cap)
        self._make_run = make_run
        self.run = None
        self.converged_at = None
        self.finish_line = self.cap  # a panel sets it to its runner's total

    def _check(self, iteration, Z):
        if self.run.current_loss <= self._target:
            self.converged_at = iteration
            return False
        return True

    @property
    def finished(self):
        return self.run is not None and (self.converged_at is not None or self.run.diverged
                                         or self.run.iteration >= self.cap)

    @property
    def iteration(self):
        if self.run is None:
            return 0
        return self.finish_line if self.finished else self.run.iteration

    @property
    def diverged(self):
        return self.run is not None and self.run.diverged

    @property
    def diverged_at(self):
        return None if self.run is None else self.run.diverged_at

    def advance(self, n):
        if self.run is None:
            self.run = self._make_run()
            self._target = self.tol * self.run.loss[0]
            self.run.callback = self._check
        if self.finished:
            return 0
        return self.run.advance(min(n, self.cap - self.run.iteration))

    def run_to_end(self, chunk=10_000):
        """Advance until finished (blocking); returns ``converged_at`` (``None`` if not)."""
        self.advance(0)
        while not self.finished:
            self.advance(chunk)
        return self.converged_at


def power_law_slope(x, y, floor=1e-300):
    """Log-log slope of ``y`` against ``x`` (:func:`gauge_core.fit_power_law`), with ``y`` clipped
    at ``floor`` so that an exact zero does not stop the fit."""
    from ..theory import fit_power_law

    return fit_power_law(x, np.maximum(np.asarray(y, dtype=float), floor))[0]
