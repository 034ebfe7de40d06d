"""Factories for the controls shared by every panel, so that they look and behave the same.

All sliders use ``continuous_update=False``: the figure follows when the reader lets go, which keeps
a classroom of laptops responsive.
"""
from __future__ import annotations

import ipywidgets as W

_STYLE = {"description_width": "initial"}
_LAYOUT = dict(width="260px")
TRACK_PX = 150  # a slider's track never gets narrower than this (the layout test asks 120)
READOUT_PX = 64
CHAR_PX = 7.6  # the widgets' 13-px font, per character of a description
DROPDOWN_EXTRA_PX = 48  # a drop-down's arrow, padding and the gap after its description


def _layout(width=None):
    return W.Layout(width=width or _LAYOUT["width"])


def _slider_layout(description, width=None):
    """Wide enough for the description, a usable track (TRACK_PX) and the readout: a long label
    must never squeeze the track to nothing."""
    need = int(CHAR_PX * len(description)) + TRACK_PX + READOUT_PX + 16
    if width is not None:
        need = max(need, int(str(width).rstrip("px")))
    return W.Layout(width=f"{need}px", min_width=f"{need}px")


def log_slider(description, value, lo, hi, step=0.1, fmt=".3g", width=None):
    """A log-scale float slider from ``10**lo`` to ``10**hi``."""
    return W.FloatLogSlider(value=value, base=10, min=lo, max=hi, step=step,
                            description=description, readout_format=fmt,
                            continuous_update=False, style=_STYLE,
                            layout=_slider_layout(description, width))


def float_slider(description, value, lo, hi, step, fmt=".2f", width=None):
    return W.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                         readout_format=fmt, continuous_update=False, style=_STYLE,
                         layout=_slider_layout(description, width))


def int_slider(description, value, lo, hi, step=1, width=None):
    return W.IntSlider(value=value, min=lo, max=hi, step=step, description=description,
                       continuous_update=False, style=_STYLE,
                       layout=_slider_layout(description, width))


def selection_slider(description, options, value, width=None):
    """A slider over a list of values (e.g. recorded iterations), same look as the others."""
    return W.SelectionSlider(options=options, value=value, description=description,
                             continuous_update=False, style=_STYLE,
                             layout=_slider_layout(description, width))


def dropdown(description, options, value, width=None):
    """``options`` is a list of ``(label, value)`` pairs or of values.

    Without ``width`` the drop-down is wide enough for its description and its longest option
    (at least 260 px, at most 520 px), so the shown choice is not cut off.
    """
    if width is None:
        longest = max((len(str(o[0] if isinstance(o, tuple) else o)) for o in options), default=0)
        need = int(CHAR_PX * (len(description) + longest)) + DROPDOWN_EXTRA_PX
        width = f"{min(max(need, 260), 520)}px"
    return W.Dropdown(options=options, value=value, description=description, style=_STYLE,
                      layout=_layout(width))


def toggles(description, options, value):
    return W.ToggleButtons(options=options, value=value, description=description, style=_STYLE)


# --- the book's shared controls, named the same everywhere -----------------------------------
def coupling_control(value=1.0, lo=-2, hi=2):
    """Coupling strength lambda, log scale."""
    return log_slider("coupling λ", value, lo, hi)


def T_control(value=32, lo=4, hi=128, step=4):
    """Number of time steps T."""
    return int_slider("time steps T", value, lo, hi, step)


def init_control(value="random"):
    """Initialisation type: random per time step, or aligned ("cold start")."""
    return dropdown("initialisation", [("random per step", "random"),
                                       ("aligned (cold start)", "aligned")], value)


def scale_control(value=1.0, lo=-2, hi=1):
    """Initialisation scale (standard deviation of the entries), log scale."""
    return log_slider("init scale", value, lo, hi)


def seed_control(value=0):
    return W.BoundedIntText(value=value, min=0, max=2**31 - 1, description="seed",
                            style=_STYLE, layout=_layout("150px"))


def lr_control(value=0.05, lo=-4, hi=0):
    """Step size of the (inner) optimiser, log scale."""
    return log_slider("step size η", value, lo, hi, fmt=".2g")


def optimiser_control(value="gd", options=("gd", "adam", "adagrad")):
    from .style import method_label

    return dropdown("optimiser", [(method_label(m), m) for m in options], value)


def gauge_control(value="gauge"):
    """Gauge method: off, the exact gauge step every k1 steps, or P1's Goldstone-GD."""
    return dropdown("gauge method", [("off (plain optimiser)", "off"),
                                     ("exact gauge step every k₁", "gauge"),
                                     ("Goldstone-GD (P1 Alg. 1)", "goldstone")], value)


def reference_control(value="first"):
    return dropdown("reference frame", [("first step", "first"), ("last step", "last"),
                                        ("mean frame", "mean")], value)


def group_control(value="SO"):
    return toggles("links", [("SO(d)", "SO"), ("O(d)", "O")], value)


def k1_control(value=10, lo=1, hi=200):
    return int_slider("k₁ (steps per gauge phase)", value, lo, hi)
