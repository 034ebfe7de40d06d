"""The background of a :class:`~widgets.live.LiveFigure`: everything static, rendered by Agg.

:class:`Background` keeps the last render of a figure (device pixels) and renders it again, whole
or only the axes whose limits changed (patched into the last render in place, when their regions
touch nothing else), and cuts PNG patches from it. :func:`axes_map` gives the browser each axes'
data-to-pixel map at the moment of the render, so that the live layer lands on the same pixels.
"""
from __future__ import annotations

import io

import numpy as np


class Background:
    """The last Agg render of ``fig`` and the means to update it.

    Attributes
    ----------
    buffer : numpy.ndarray of shape (H, W, 4) or None
        The current background, device pixels (None before the first render).
    partial_renders : int
        How many renders were of some axes only (for tests and benchmarks).
    """

    def __init__(self, fig):
        self.fig = fig
        self.buffer = None
        self.partial_renders = 0
        self._boxes = None  # each axes' tight box in the buffer, for the next partial render

    @property
    def whole(self):
        """The patch ``(x, y, w, h)`` covering the whole buffer."""
        return (0, 0, self.buffer.shape[1], self.buffer.shape[0])

    def render(self, changed_axes=None):
        """Render the figure at its current dpi: only the axes listed in ``changed_axes``
        (indices) when possible, else all of it. Returns the patch that changed."""
        patch = self._render_partial(changed_axes) if changed_axes else None
        if patch is not None:
            self.partial_renders += 1
            return patch
        fig = self.fig
        fig.canvas.draw()
        self.buffer = np.array(fig.canvas.buffer_rgba())
        # where each axes was drawn, for the next partial render (a third of the render's cost:
        # only for figures that can have one)
        renderer = fig.canvas.get_renderer()
        self._boxes = ([ax.get_tightbbox(renderer) for ax in fig.axes]
                       if self.partial_possible() else None)
        return self.whole

    def png(self, patch):
        """PNG bytes of the patch ``(x, y, w, h)`` of the buffer."""
        x, y, w, h = patch
        return _png(np.ascontiguousarray(self.buffer[y:y + h, x:x + w]).tobytes(), w, h)

    def partial_possible(self):
        """False for figures whose axes cannot be re-rendered alone: a layout engine moves
        every axes, figure-level artists may overlap any of them."""
        fig = self.fig
        return not (fig.get_layout_engine() is not None or fig.texts or fig.legends
                    or fig.images or fig.patches)

    def _render_partial(self, indices):
        """Re-render only some axes into the buffer; returns the changed region ``(x, y, w, h)``
        in device pixels, or None when a full render is needed (nothing cached, a new size, a
        layout engine, figure-level artists, or regions that overlap others)."""
        fig = self.fig
        if self.buffer is None or not self.partial_possible():
            return None
        W, H = fig.canvas.get_width_height()
        if self.buffer.shape[:2] != (H, W):
            return None
        renderer = fig.canvas.get_renderer()
        axes = fig.axes
        boxes = [ax.get_tightbbox(renderer) for ax in axes]
        old = self._boxes if self._boxes is not None and len(self._boxes) == len(axes) else None
        if old is None:
            return None
        region = None
        for k in indices:  # where the axes was drawn before (a moved label) and will be now
            for b in (boxes[k], old[k]):
                region = b if region is None else region.union([region, b])
        if region is None:
            return None
        region = region.expanded(1.0, 1.0).padded(2)
        if any(k not in indices and boxes[k].overlaps(region) for k in range(len(axes))):
            return None
        self._boxes = boxes
        shown = [ax.get_visible() for ax in axes]
        try:
            for k, ax in enumerate(axes):
                ax.set_visible(shown[k] and k in indices)
            fig.canvas.draw()
        finally:
            for ax, v in zip(axes, shown):
                ax.set_visible(v)
        fresh = np.asarray(fig.canvas.buffer_rgba())
        x0, x1 = max(int(region.x0), 0), min(int(np.ceil(region.x1)), W)
        y0, y1 = max(int(H - region.y1), 0), min(int(np.ceil(H - region.y0)), H)
        if x1 <= x0 or y1 <= y0:
            return None
        self.buffer[y0:y1, x0:x1] = fresh[y0:y1, x0:x1]
        return (x0, y0, x1 - x0, y1 - y0)


def axes_map(ax, H, ratio):
    """The data-to-CSS-pixel map of one axes: ``X = X0 + Xu (f(x) - u0) + Xv (g(y) - v0)`` with
    ``f, g`` the identity or ``log10``, plus its clip box (``H``: the render's height in device
    pixels, ``ratio``: device pixels per CSS pixel)."""
    three_d = getattr(ax, "name", "") == "3d"
    xlog = (not three_d) and ax.get_xscale() == "log"
    ylog = (not three_d) and ax.get_yscale() == "log"
    for scale in (ax.get_xscale(), ax.get_yscale()):
        if scale not in ("linear", "log") and not three_d:
            raise ValueError(f"the live layer supports linear and log axes, got {scale!r}")
    if three_d:
        u0, u1, v0, v1 = 0.0, 1.0, 0.0, 1.0
    else:
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        f = np.log10 if xlog else float
        g = np.log10 if ylog else float
        u0, u1, v0, v1 = float(f(x0)), float(f(x1)), float(g(y0)), float(g(y1))
        if u1 == u0:
            u1 = u0 + 1.0
        if v1 == v0:
            v1 = v0 + 1.0
    inv_f = (lambda u: 10.0 ** u) if xlog else (lambda u: u)
    inv_g = (lambda v: 10.0 ** v) if ylog else (lambda v: v)
    pts = ax.transData.transform([[inv_f(u0), inv_g(v0)], [inv_f(u1), inv_g(v0)],
                                  [inv_f(u0), inv_g(v1)]])
    X = pts[:, 0] / ratio
    Y = (H - pts[:, 1]) / ratio
    bb = ax.bbox
    return {"u0": u0, "du": u1 - u0, "v0": v0, "dv": v1 - v0, "xlog": xlog, "ylog": ylog,
            "X0": X[0], "Xu": X[1] - X[0], "Xv": X[2] - X[0],
            "Y0": Y[0], "Yu": Y[1] - Y[0], "Yv": Y[2] - Y[0],
            "clip": [bb.x0 / ratio, (H - bb.y1) / ratio, bb.width / ratio, bb.height / ratio]}


def _png(rgba, W, H):
    from PIL import Image  # Pillow comes with matplotlib

    buf = io.BytesIO()
    Image.frombuffer("RGBA", (W, H), bytes(rgba), "raw", "RGBA", 0, 1).save(
        buf, format="png", compress_level=1)
    return buf.getvalue()
