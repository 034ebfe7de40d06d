"""Long optimisations in short chunks, with a progress readout and Play/Pause.

A :class:`ChunkedRuns` owns several ``gauge_core.Run`` objects that advance together. Each chunk
works for at most ``budget`` seconds (default 60 ms), so the kernel never stalls; the ``Play``
widget ticks in the browser and every tick runs one chunk and redraws. Headless code (tests,
nbval, the static edition) calls :meth:`advance_chunk` or :meth:`run_to_end` directly.
"""
from __future__ import annotations

import time

import ipywidgets as W

from .style import method_label


class ChunkedRuns:
    """Advance named runs towards ``total`` iterations in time-boxed chunks.

    Parameters
    ----------
    on_chunk : callable
        Called after every chunk (the panel redraws there).
    budget : float
        Seconds of work per chunk.
    interval : int
        Milliseconds between Play ticks.
    """

    def __init__(self, on_chunk, budget=0.06, interval=120):
        self.runs = {}
        self.total = 0
        self.on_chunk = on_chunk
        self.budget = budget
        self.play = W.Play(value=0, min=0, max=10**9, step=1, interval=interval,
                           description="Play/Pause", show_repeat=False)
        self.play.observe(self._tick, names="value")
        self.progress = W.FloatProgress(value=0.0, min=0.0, max=1.0,
                                        layout=W.Layout(width="180px"))
        self.label = W.HTML()
        self.box = W.HBox([self.play, self.progress, self.label],
                          layout=W.Layout(align_items="center"))
        self._steps_per_chunk = {}

    # --- control ----------------------------------------------------------------------------
    def start(self, runs, total, autoplay=True):
        """Replace the runs (dict name -> gauge_core.Run) and restart from iteration 0."""
        self.runs = dict(runs)
        self.total = int(total)
        self._steps_per_chunk = {k: 50 for k in self.runs}
        self._refresh_label()
        if autoplay and not self.done:
            self.play.playing = True

    def _tick(self, change):
        if self.done:
            self.play.playing = False
            return
        self.advance_chunk()
        self.on_chunk()

    @property
    def done(self):
        return all(r.iteration >= self.total or r.diverged for r in self.runs.values())

    def advance_chunk(self):
        """Advance every unfinished run for a share of the time budget. Returns True if work remains."""
        live = [k for k, r in self.runs.items() if r.iteration < self.total and not r.diverged]
        share = self.budget / max(len(live), 1)
        for k in live:
            run = self.runs[k]
            n = min(self._steps_per_chunk[k], self.total - run.iteration)
            t0 = time.perf_counter()
            run.advance(n)
            dt = time.perf_counter() - t0
            # adapt the chunk so that the next one takes about `share` seconds
            rate = n / max(dt, 1e-6)
            self._steps_per_chunk[k] = max(1, min(int(rate * share), 100_000))
        self._refresh_label()
        if self.done:
            self.play.playing = False
        return not self.done

    def run_to_end(self):
        """Finish every run now (blocking; for notebooks' static output and tests)."""
        while self.advance_chunk():
            pass
        self.on_chunk()

    # --- display ----------------------------------------------------------------------------
    def _refresh_label(self):
        if not self.runs:
            self.label.value = ""
            return
        live = [r.iteration for r in self.runs.values() if not r.diverged]
        its = min(live) if live else self.total
        self.progress.value = its / max(self.total, 1)
        notes = [f"{method_label(r.method) if k == r.method else k}: diverged at step "
                 f"{r.diverged_at}" for k, r in self.runs.items() if r.diverged]
        text = f"iteration {its:,} / {self.total:,}"
        if self.done:
            text = f"done: {self.total:,} iterations"
        if notes:
            text += " · <span style='color:#D55E00'>" + "; ".join(notes) + "</span>"
        self.label.value = text
