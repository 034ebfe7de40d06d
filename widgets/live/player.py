"""Optimisation runs that advance one time-boxed chunk per browser frame.

A :class:`Player` owns named ``gauge_core.Run`` objects and a :class:`~widgets.live.LiveFigure`.
While the figure's ``playing`` flag is set, every frame (one every ``frame_interval`` ms while the
browser's ticks keep the figure's frame timer going, see :mod:`widgets.live.figure`) runs one
chunk of at most ``budget`` seconds over all unfinished runs, then calls the panel's ``draw``;
the figure then sends what changed. Playback therefore starts by itself as soon as the figure is
displayed (autoplay), stops costing anything soon after nobody is watching, and a control change
is answered between two chunks. Headless code (tests, nbval, the static edition) calls
:meth:`Player.run_to_end`.
"""
from __future__ import annotations

import time

from ..style import method_label

#: Seconds of optimisation per browser frame. At 30 frames/s this keeps the kernel below about
#: a quarter of a core including drawing, so a class can share one server.
BUDGET = 0.005


class Player:
    """Advance runs towards ``total`` iterations, one chunk per frame of a live figure.

    Parameters
    ----------
    live : widgets.live.LiveFigure
        The figure whose ticks drive the runs; its play bar is switched on.
    draw : callable
        ``draw()`` updates the panel's artists from the runs (called after every chunk).
    restart : callable, optional
        ``restart()`` rebuilds the runs from iteration 0; called when the reader presses ▶ on a
        finished run.
    budget : float
        Seconds of optimisation per frame.
    """

    def __init__(self, live, draw, restart=None, budget=BUDGET):
        self.live = live
        self.draw = draw
        self.restart = restart
        self.budget = float(budget)
        self.runs = {}
        self.total = 0
        self._chunk = 10
        live.player = True
        live.on_tick = self.tick
        live.on_play = self._on_play

    # --- control --------------------------------------------------------------------------------
    def start(self, runs, total, autoplay=True):
        """Replace the runs (name -> ``gauge_core.Run``) and play them from iteration 0."""
        self.runs = dict(runs)
        self.total = int(total)
        self._chunk = 10  # small first chunk: the first frame comes fast
        self._show_status()
        self.live.playing = bool(autoplay) and not self.done

    @property
    def done(self):
        """True when every run has reached ``total`` or diverged."""
        return all(r.iteration >= self.total or r.diverged for r in self.runs.values())

    @property
    def iteration(self):
        """The iteration the slowest live run has reached."""
        live = [r.iteration for r in self.runs.values() if not r.diverged]
        return min(live) if live else self.total

    def tick(self):
        """One browser frame: a chunk of work, then redraw (the figure sends the changes)."""
        if not self.done:
            self.advance_chunk()
            self.on_chunk()
        if self.done:
            self.live.playing = False
            self._show_status()

    def on_chunk(self):
        """Redraw the panel and the status line after a chunk (headless tests call this too)."""
        self.draw()
        self._show_status()

    def advance_chunk(self):
        """Advance every unfinished run by the same number of iterations, as many as the slowest
        of them does in its share of the budget; True if work remains.

        The runs move in lockstep, so at every frame the curves compare the methods at the same
        iteration (a cheap run does not race ahead of an expensive one).
        """
        live = [k for k, r in self.runs.items() if r.iteration < self.total and not r.diverged]
        steps = self._chunk
        seconds_per_step = 0.0
        for k in live:
            run = self.runs[k]
            n = min(steps, self.total - run.iteration)
            t0 = time.perf_counter()
            run.advance(n)
            seconds_per_step += (time.perf_counter() - t0) / max(n, 1)
        # the next chunk of every run together takes about `budget` seconds
        self._chunk = max(1, min(int(self.budget / max(seconds_per_step, 1e-9)), 100_000))
        return not self.done

    def run_to_end(self):
        """Finish every run now (blocking): for headless use and the static edition."""
        while self.advance_chunk():
            pass
        self.live.playing = False
        self.draw()
        self._show_status()

    def _on_play(self, playing):
        if playing and self.done and self.restart is not None:
            self.restart()  # ▶ on a finished run plays it again from iteration 0

    # --- status line ----------------------------------------------------------------------------
    def status(self):
        """The status line: progress and any divergence, as HTML."""
        if not self.runs:
            return ""
        notes = [f"{method_label(r.method) if k == r.method else k}: diverged at step "
                 f"{r.diverged_at}" for k, r in self.runs.items() if r.diverged]
        text = (f"done: {self.total:,} iterations" if self.done
                else f"iteration {self.iteration:,} / {self.total:,}")
        if notes:
            text += " · <span style='color:#D55E00'>" + "; ".join(notes) + "</span>"
        return text

    def _show_status(self):
        self.live.set_status(self.status(), self.iteration / max(self.total, 1))
