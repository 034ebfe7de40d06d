"""One visual language for every panel: colour-blind-safe colours, method names, figure sizes.

Okabe–Ito colours for categories (methods), viridis for sequences (time steps). A method has the
same name and colour in every chapter. ``use_presentation_style()`` enlarges fonts and figures for
a projector.
"""
from __future__ import annotations

import matplotlib as mpl

OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
    "grey": "#999999",
}

#: display name and colour of every optimiser, used by every legend in the book
METHODS = {
    "gd": ("plain GD", OKABE_ITO["vermillion"]),
    "adam": ("Adam", OKABE_ITO["orange"]),
    "adagrad": ("AdaGrad", OKABE_ITO["purple"]),
    "momentum": ("momentum (tuned)", OKABE_ITO["sky"]),
    "nesterov": ("Nesterov (tuned)", OKABE_ITO["grey"]),
    "goldstone": ("Goldstone-GD (P1)", OKABE_ITO["green"]),
    "gauge": ("GD + exact gauge step", OKABE_ITO["blue"]),
    "gauge_start": ("gauge-fixed start only", "#B59B00"),  # Okabe–Ito yellow, darkened to read on white
    "procrustes": ("GD + post-hoc Procrustes", OKABE_ITO["black"]),
}

THEORY_COLOUR = OKABE_ITO["black"]
TIME_CMAP = "viridis"

_STYLE = {"scale": 1.0, "font": 10.0, "presentation": False}


def method_label(method):
    """The book-wide display name of an optimiser."""
    return METHODS[method][0]


def method_colour(method):
    """The book-wide colour of an optimiser."""
    return METHODS[method][1]


# Projector mode: figures 1.2x larger (a 10-inch panel is 1200 px wide, so it fits a 1280-px
# projector) with 1.5x larger fonts, and larger widget controls (ipywidgets' CSS variables).
PRESENTATION_SCALE = 1.2
PRESENTATION_FONT = 15.0
PRESENTATION_CSS = """<style>
:root, body {
  --jp-widgets-font-size: 17px;
  --jp-widgets-inline-height: 34px;
  --jp-widgets-slider-handle-size: 20px;
  --jp-widgets-slider-track-thickness: 6px;
  --jp-widgets-progress-thickness: 24px;
}
.jupyter-widgets .widget-label, .jupyter-widgets .widget-readout, .jupyter-widgets .widget-html-content,
.jupyter-widgets select, .jupyter-widgets input, .jupyter-widgets button { font-size: 17px; }
/* the controls' fixed 260-px widths would squeeze the larger labels: size them to content */
.jupyter-widgets.widget-inline-hbox:not(.widget-hprogress) { width: auto !important; max-width: none !important;
  margin-right: 14px; }
.jupyter-widgets.widget-hslider .slider-container { min-width: 170px; }
.jupyter-widgets.widget-readout { min-width: 3.5em; }
</style>"""


def use_presentation_style(on=True):
    """Switch every panel created afterwards to large fonts and figures (projector mode).

    Figures grow by ``PRESENTATION_SCALE`` and fonts by 1.5x; when called in a running kernel
    (a notebook, Voila), it also displays a ``<style>`` block that enlarges the controls.
    ``use_presentation_style(False)`` switches back (for panels created afterwards).
    """
    _STYLE.update(scale=PRESENTATION_SCALE if on else 1.0, font=PRESENTATION_FONT if on else 10.0,
                  presentation=bool(on))
    mpl.rcParams.update({"font.size": _STYLE["font"], "axes.titlesize": _STYLE["font"] * 1.1,
                         "axes.labelsize": _STYLE["font"], "legend.fontsize": _STYLE["font"] * 0.9,
                         "lines.linewidth": 2.2 if on else 1.5})
    if on and _in_kernel():
        from IPython.display import HTML, display

        display(HTML(PRESENTATION_CSS))


def _in_kernel():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def presentation_on():
    return _STYLE["presentation"]


def figsize(width, height):
    """A figure size scaled for the current style."""
    return (width * _STYLE["scale"], height * _STYLE["scale"])
