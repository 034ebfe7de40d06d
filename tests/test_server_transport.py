"""gauge_book_server: kernel websockets without Nagle's algorithm, wired into every server the
book starts (``make lab``, ``make present``, the browser tests)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

import gauge_book_server as gbs

ROOT = Path(__file__).resolve().parent.parent


class _Handler:
    def __init__(self):
        self.nodelay = None

    def set_nodelay(self, value):
        self.nodelay = value


def test_connect_switches_nagle_off_then_connects_as_usual(monkeypatch):
    calls = []
    monkeypatch.setattr(ZMQChannelsWebsocketConnection, "connect",
                        lambda self: calls.append(self.websocket_handler.nodelay) or "future")

    conn = gbs.NoDelayConnection.__new__(gbs.NoDelayConnection)  # no kernel manager needed
    handler = _Handler()
    conn._trait_values["websocket_handler"] = handler  # a stand-in for the tornado handler
    assert conn.connect() == "future"
    assert handler.nodelay is True
    assert calls == [True]  # set before Jupyter Server's own connect runs


def test_flags_name_an_importable_connection_class():
    for flag, app in ((gbs.LAB_FLAG, "ServerApp"), (gbs.VOILA_FLAG, "Voila")):
        m = re.fullmatch(rf"--{app}\.kernel_websocket_connection_class=([\w.]+)\.(\w+)", flag)
        assert m, flag
        module = __import__(m.group(1), fromlist=[m.group(2)])
        assert issubclass(getattr(module, m.group(2)), ZMQChannelsWebsocketConnection)


def test_every_server_the_book_starts_uses_it():
    makefile = (ROOT / "Makefile").read_text()
    lab_recipe = re.search(r"^lab:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "$(LAB_NODELAY)" in lab_recipe
    assert re.search(rf"^LAB_NODELAY\s*:?=\s*{re.escape(gbs.LAB_FLAG)}\s*$", makefile, re.M)
    sys.path.insert(0, str(ROOT / "tools"))
    import make_apps

    assert gbs.VOILA_FLAG in make_apps.VOILA_FLAGS
    assert gbs.VOILA_FLAG in make_apps.voila_command("apps")
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    import inspect

    import browserkit

    assert "gauge_book_server.LAB_FLAG" in inspect.getsource(browserkit.start_lab)
