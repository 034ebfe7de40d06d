"""The drawing layer every panel uses: static matplotlib background, moving artists in the browser.

- :class:`LiveFigure` (``widgets.live.figure``): the two-layer figure widget;
- :class:`Player` (``widgets.live.player``): optimisation runs advanced in time-boxed chunks, one
  chunk per browser frame, with autoplay, play/pause and restart.
"""
from .figure import LOCK, LiveFigure

__all__ = ["LOCK", "LiveFigure"]
