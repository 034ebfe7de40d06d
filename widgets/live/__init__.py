"""The drawing layer every panel uses: static matplotlib background, moving artists in the browser.

- :class:`LiveFigure` (``widgets.live.figure``): the two-layer figure widget, its messages and
  its playback frames;
- ``widgets.live.background``: the Agg background, whole or one axes at a time, and each axes'
  data-to-pixel map; ``widgets.live.pack``: artists as styles and arrays, and what changed;
- :class:`Player` (``widgets.live.player``): optimisation runs advanced in time-boxed chunks, one
  chunk per frame, with autoplay, play/pause and restart.
"""
from .figure import LOCK, LiveFigure

__all__ = ["LOCK", "LiveFigure"]
