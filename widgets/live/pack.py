"""Turn matplotlib artists into what the browser layer draws: a style (sent with the background)
and data arrays (sent every frame, only what changed: :func:`diff`).

Supported artists, with the matplotlib properties that are honoured:

- ``Line2D`` (``ax.plot``): colour, alpha, linewidth, linestyle (solid and dash patterns),
  marker (``o . s ^ v D x +``), markersize, marker face/edge colour and edge width; drawstyle
  ``"default"`` only.
- ``PathCollection`` (``ax.scatter``): offsets, per-point face colours (a colour-mapped array is
  mapped here, in Python), sizes, edge colour and width; marker circle or square.
- ``BarContainer`` (``ax.bar``): x, width, bottom, height and face colour of every bar.
- ``LineCollection``: straight segments with per-segment colours and widths.
- ``PolyCollection`` (``ax.fill_between``): filled polygons with one face colour.
- ``Line3D`` and ``Path3DCollection`` on 3-D axes: projected with the axes' current view.

Every size is converted from points to CSS pixels with the figure's current CSS dpi, so the
browser draws exactly the geometry matplotlib would.
"""
from __future__ import annotations

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.container import BarContainer
from matplotlib.lines import Line2D

try:  # 3-D support is optional: mpl_toolkits ships with matplotlib, but import it lazily
    from mpl_toolkits.mplot3d import art3d, proj3d
except ImportError:  # pragma: no cover
    art3d = proj3d = None

MARKERS = {"o": "circle", ".": "point", "s": "square", "^": "triangle_up", "v": "triangle_down",
           "D": "diamond", "d": "diamond", "x": "x", "+": "plus"}


def rgba(colour, alpha=None):
    """``[r, g, b, a]`` in 0–1, or ``None`` for ``"none"``."""
    if colour is None or (isinstance(colour, str) and colour.lower() == "none"):
        return None
    c = mcolors.to_rgba(colour, alpha)
    return [round(float(v), 4) for v in c]


def kind_of(artist):
    """The layer's name for a supported artist, or raise ``TypeError``."""
    if art3d is not None and isinstance(artist, art3d.Line3D):
        return "line3d"
    if art3d is not None and isinstance(artist, art3d.Path3DCollection):
        return "scatter3d"
    if isinstance(artist, Line2D):
        return "line"
    if isinstance(artist, PathCollection):
        return "scatter"
    if isinstance(artist, BarContainer):
        return "bars"
    if isinstance(artist, LineCollection):
        return "segments"
    if isinstance(artist, PolyCollection):
        return "polygons"
    raise TypeError(f"the live layer cannot draw a {type(artist).__name__}; supported: Line2D, "
                    "PathCollection (scatter), BarContainer (bar), LineCollection, "
                    "PolyCollection (fill_between), and their 3-D versions")


def members(artist):
    """The matplotlib artists that make up a tracked artist (a bar container has many)."""
    return list(artist.patches) if isinstance(artist, BarContainer) else [artist]


def _px(points, dpi):
    return float(points) * dpi / 72.0


def style(artist, kind, dpi):
    """Drawing style of a tracked artist in CSS pixels at ``dpi`` (CSS pixels per inch)."""
    first = members(artist)[0] if members(artist) else artist
    s = {"visible": bool(first.get_visible()) if kind != "bars" else True,
         "zorder": float(first.get_zorder()), "clip": bool(first.get_clip_on())}
    if kind in ("line", "line3d"):
        ls = artist.get_linestyle()
        offset, dashes = artist._dash_pattern  # (offset, sequence in points) scaled by linewidth
        marker = artist.get_marker()
        if marker not in (None, "None", "", " ") and marker not in MARKERS:
            raise ValueError(f"live lines support markers {sorted(MARKERS)}, got {marker!r}")
        if artist.get_drawstyle() not in ("default", None):
            raise ValueError("live lines support drawstyle='default' only")
        s.update(
            color=rgba(artist.get_color(), artist.get_alpha()),
            lw=_px(artist.get_linewidth(), dpi) if ls not in ("None", "", " ", "none") else 0.0,
            dash=[_px(v, dpi) for v in dashes] if dashes else [],
            dash_offset=_px(offset, dpi),
            marker=MARKERS.get(marker),
            ms=_px(artist.get_markersize(), dpi),
            mfc=rgba(artist.get_markerfacecolor(), artist.get_alpha()),
            mec=rgba(artist.get_markeredgecolor(), artist.get_alpha()),
            mew=_px(artist.get_markeredgewidth(), dpi),
        )
    elif kind in ("scatter", "scatter3d"):
        s.update(marker="square" if getattr(artist, "_gb_marker", "o") == "s" else "circle",
                 lw=_px(float(np.atleast_1d(artist.get_linewidths())[0]), dpi) if
                 len(np.atleast_1d(artist.get_linewidths())) else 0.0)
    elif kind == "bars":
        s["visible"] = any(p.get_visible() for p in artist.patches) if artist.patches else True
    elif kind == "segments":
        s.update(dash=[])
    elif kind == "polygons":
        face, edge = artist.get_facecolor(), artist.get_edgecolor()
        widths = np.atleast_1d(artist.get_linewidths())
        s.update(color=rgba(face[0]) if len(face) else None,
                 edge=rgba(edge[0]) if len(edge) else None,
                 lw=_px(float(widths[0]), dpi) if widths.size else 0.0)
    return s


def data(artist, kind, dpi, projections=None):
    """The arrays that change from frame to frame, as a dict of named float64/uint8 arrays.

    ``projections`` caches each 3-D axes' projection matrix for one frame (computing it costs
    more than projecting a few hundred points).
    """
    if kind == "line":
        return {"x": np.asarray(artist.get_xdata(), dtype=float),
                "y": np.asarray(artist.get_ydata(), dtype=float)}
    if kind == "line3d":
        xs, ys, zs = (np.asarray(v, dtype=float) for v in artist.get_data_3d())
        x, y, _ = proj3d.proj_transform(xs, ys, zs, _projection(artist.axes, projections))
        return {"x": np.asarray(x, dtype=float), "y": np.asarray(y, dtype=float)}
    if kind in ("scatter", "scatter3d"):
        if kind == "scatter3d":
            xs, ys, zs = (np.asarray(v, dtype=float) for v in artist._offsets3d)
            x, y, _ = proj3d.proj_transform(xs, ys, zs, _projection(artist.axes, projections))
            xy = np.column_stack([x, y])
        else:
            xy = np.asarray(artist.get_offsets(), dtype=float).reshape(-1, 2)
        _map_colours(artist)
        fc = np.asarray(artist.get_facecolor(), dtype=float).reshape(-1, 4)
        ec = np.asarray(artist.get_edgecolor(), dtype=float).reshape(-1, 4)
        sizes = np.asarray(artist.get_sizes(), dtype=float)
        n = xy.shape[0]
        return {"x": xy[:, 0].copy(), "y": xy[:, 1].copy(),
                "fc": _per_point(fc, n), "ec": _per_point(ec, n),
                "d": np.sqrt(np.resize(sizes, n) if sizes.size else np.full(n, 36.0)) * dpi / 72.0}
    if kind == "bars":
        ps = artist.patches
        fc = np.array([p.get_facecolor() for p in ps], dtype=float).reshape(-1, 4)
        vis = np.array([p.get_visible() for p in ps], dtype=bool)
        return {"x": np.array([p.get_x() for p in ps], dtype=float),
                "w": np.array([p.get_width() for p in ps], dtype=float),
                "y": np.array([p.get_y() for p in ps], dtype=float),
                "h": np.array([p.get_height() for p in ps], dtype=float),
                "fc": _to_u8(np.where(vis[:, None], fc, 0.0))}
    if kind == "segments":
        segs = artist.get_segments()
        if any(len(s) != 2 for s in segs):
            raise ValueError("live LineCollections must hold straight two-point segments")
        xy = np.asarray(segs, dtype=float).reshape(-1, 4)
        colours = np.asarray(artist.get_colors(), dtype=float).reshape(-1, 4)
        widths = np.asarray(artist.get_linewidths(), dtype=float)
        n = xy.shape[0]
        return {"x0": xy[:, 0].copy(), "y0": xy[:, 1].copy(), "x1": xy[:, 2].copy(),
                "y1": xy[:, 3].copy(), "c": _per_point(colours, n),
                "lw": np.resize(widths, n) * dpi / 72.0 if widths.size else np.ones(n)}
    if kind == "polygons":
        paths = artist.get_paths()
        # a CLOSEPOLY vertex carries no position (it is often (0, 0)): drop it, the browser closes
        verts = [np.asarray(p.vertices, dtype=float)[_drawn(p)] for p in paths]
        lengths = np.array([len(v) for v in verts], dtype=float)
        flat = np.concatenate(verts) if verts else np.zeros((0, 2))
        return {"x": flat[:, 0].copy(), "y": flat[:, 1].copy(), "n": lengths}
    raise TypeError(kind)  # pragma: no cover - kind_of guards this


def visible(artist):
    """True if any part of the artist is visible."""
    parts = members(artist)
    return any(m.get_visible() for m in parts) if parts else False


def diff(old, new):
    """What to send of ``new`` (arrays by field, from :func:`data`) when the browser holds
    ``old``: ``("set", all fields)``, ``("extend", tails)`` for arrays that only grew, or
    ``(None, {})`` if nothing changed."""
    if old is None or old.keys() - {"_vis"} != new.keys():
        return "set", new
    if all(np.array_equal(old[k], new[k]) for k in new):
        return None, {}
    n_old = {k: old[k].shape[0] for k in new}
    if (len(set(n_old.values())) == 1 and all(new[k].shape[0] >= n_old[k] for k in new)
            and all(np.array_equal(new[k][:n_old[k]], old[k]) for k in new)):
        return "extend", {k: new[k][n_old[k]:] for k in new}
    return "set", new


def _map_colours(artist):
    """``artist.update_scalarmappable()``, skipped when its array, colour map, norm limits and
    alpha are those of the last call (a scatter coloured by time step keeps its colours while its
    points move: the mapping would be most of the cost of packing it)."""
    norm = artist.norm
    key = (artist.get_array(), artist.get_cmap(), type(norm), getattr(norm, "vmin", None),
           getattr(norm, "vmax", None), artist.get_alpha())
    last = getattr(artist, "_gb_mapped", None)
    if last is not None and last[0] is key[0] and key[0] is not None and last[1:] == key[1:]:
        return
    artist.update_scalarmappable()
    artist._gb_mapped = key  # holds the array itself, so its identity cannot be reused


def _projection(ax, cache):
    if cache is None:
        return ax.get_proj()
    if id(ax) not in cache:
        cache[id(ax)] = ax.get_proj()
    return cache[id(ax)]


def _drawn(path):
    """Mask of the vertices of a path that are real points (not CLOSEPOLY / STOP markers)."""
    if path.codes is None:
        return np.ones(len(path.vertices), dtype=bool)
    return ~np.isin(path.codes, (path.CLOSEPOLY, path.STOP))


def _to_u8(c):
    return np.clip(np.rint(np.asarray(c, dtype=float) * 255.0), 0, 255).astype(np.uint8)


def _per_point(c, n):
    """Per-point RGBA as uint8 of shape ``(n, 4)`` (one colour is repeated)."""
    if c.shape[0] == 0:
        c = np.zeros((1, 4))
    if c.shape[0] != n:
        c = np.resize(c, (n, 4))
    return _to_u8(c)
