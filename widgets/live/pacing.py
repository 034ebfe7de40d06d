"""Pacing for :class:`widgets.live.player.Player`: runs that play at a watchable speed.

A Player advances every run for a time budget per browser frame; for the small models of chapters
01–02 that finishes thousands of iterations in a few frames, too fast to see the phases the
chapters talk about. These wrappers have the interface the Player needs (``advance``,
``iteration``, ``diverged``, ``diverged_at``, ``method``) and follow a clock that starts at their
first ``advance`` (the first frame the reader actually sees), so playback takes about
``seconds`` whatever the frame rate. They pace only while ``paced()`` is true (a panel passes
"its live figure is displayed"): headless use (tests, nbval, the static edition) and
:func:`finish` run at full speed.

- :class:`LogPaced` wraps a ``gauge_core.Run`` and lets it reach ``total`` evenly in log time, so
  the fast fall and the slow untwisting both get their share of the screen time; its first frame
  already takes the first step (evenly in log time that would come only after about a tenth of
  the playback, and a reader who has just moved a slider would see nothing happen);
- :class:`Replay` is a counter over frames computed beforehand, evenly in time.
"""
from __future__ import annotations

import math
import time


_now = time.perf_counter  # the playback clock (tests replace it)


class _Clock:
    def __init__(self, seconds):
        self.seconds = float(seconds)
        self.t0 = None

    def fraction(self):
        """Share of the playback time gone (0 at the first call)."""
        now = _now()
        if self.t0 is None:
            self.t0 = now
        return min(1.0, (now - self.t0) / self.seconds)


class LogPaced:
    """A run that reaches iteration ``total`` after about ``seconds``, evenly in log(iteration)."""

    def __init__(self, run, total, seconds=8.0, paced=lambda: True):
        self.run, self.total = run, int(total)
        self.clock = _Clock(seconds)
        self.paced = paced

    def advance(self, steps):
        if not self.paced():
            return self.run.advance(int(steps))
        f = self.clock.fraction()
        target = self.total if f >= 1.0 else int(math.expm1(f * math.log1p(self.total)))
        target = max(target, min(1, self.total))  # the first frame moves
        return self.run.advance(min(int(steps), max(target - self.run.iteration, 0)))

    def __getattr__(self, name):  # iteration, diverged, diverged_at, method, loss, Z, ...
        return getattr(self.run, name)


class Replay:
    """A counter from 0 to ``total`` in steps of ``every``, taking about ``seconds``; labelled
    ``method`` in the Player's status line."""

    diverged = False
    diverged_at = None

    def __init__(self, total, every=1, seconds=5.0, method="gd", paced=lambda: True):
        self.total, self.every, self.method = int(total), int(every), method
        self.clock = _Clock(seconds)
        self.paced = paced
        self.iteration = 0

    def advance(self, steps):
        if not self.paced():
            n = min(int(steps) * self.every, self.total - self.iteration)
            self.iteration += n
            return n
        f = self.clock.fraction()
        target = self.total if f >= 1.0 else int(f * self.total) // self.every * self.every
        n = max(0, min(target - self.iteration, int(steps) * self.every))
        self.iteration += n
        return n


def finish(player):
    """Run every (paced or plain) run of ``player`` to its end now, at full speed."""
    for run in player.runs.values():
        if isinstance(run, (LogPaced, Replay)):
            run.paced = lambda: False
    player.run_to_end()
