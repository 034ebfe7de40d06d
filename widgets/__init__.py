"""widgets: the interactive panels of the gauge book (ipywidgets; what moves is drawn in the
browser by :mod:`widgets.live`).

Every panel is one call, e.g. ``from widgets import overview_panel; overview_panel()``; it returns
an ``ipywidgets.VBox`` subclass (:class:`widgets.base.Panel`) with ``controls``, ``state``, ``fig``
and ``reset()``. Panels map controls to ``gauge_core`` calls and draw; no physics lives here.

Every public ``*_panel`` function of the package's modules is exported here.
"""
import importlib as _importlib
import pkgutil as _pkgutil

from .base import Panel
from .style import METHODS, OKABE_ITO, method_colour, method_label, use_presentation_style

__all__ = ["Panel", "METHODS", "OKABE_ITO", "method_colour", "method_label",
           "use_presentation_style"]

_CORE = {"base", "style", "controls", "live"}
for _info in sorted(_pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name.startswith("_") or _info.name in _CORE:
        continue
    _mod = _importlib.import_module(f"{__name__}.{_info.name}")
    for _name in getattr(_mod, "__all__", ()):
        if _name.endswith("_panel"):
            globals()[_name] = getattr(_mod, _name)
            __all__.append(_name)
