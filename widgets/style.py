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
    "goldstone": ("Goldstone-GD (P1)", OKABE_ITO["green"]),
    "gauge": ("GD + exact gauge step", OKABE_ITO["blue"]),
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


def use_presentation_style(on=True):
    """Switch every panel created afterwards to large fonts and figures (projector mode)."""
    _STYLE.update(scale=1.45 if on else 1.0, font=15.0 if on else 10.0, presentation=bool(on))
    mpl.rcParams.update({"font.size": _STYLE["font"], "axes.titlesize": _STYLE["font"] * 1.1,
                         "axes.labelsize": _STYLE["font"], "legend.fontsize": _STYLE["font"] * 0.9,
                         "lines.linewidth": 2.2 if on else 1.5})


def presentation_on():
    return _STYLE["presentation"]


def figsize(width, height):
    """A figure size scaled for the current style."""
    return (width * _STYLE["scale"], height * _STYLE["scale"])
