"""What the gauge book asks of the Jupyter server that JupyterLab and Voila run on.

One thing: kernel websockets that put every message on the wire at once.

Jupyter Server (2.x) leaves Nagle's algorithm on for the websocket between the server and the
browser. A kernel message that follows another one closely (a live figure's frame right after the
kernel's "busy" status) then waits in the server's TCP stack until the browser acknowledges the
first one, and browsers delay that acknowledgement by up to 40 ms (Linux's minimum delayed-ACK
time). Every answer from the kernel paid it: on this project's 2-core machine a bare comm message
from the kernel reached the page 43–45 ms after it was sent, and 5–6 ms with ``TCP_NODELAY``
(``benchmarks/browser_latency.py``, "comm round trip"). Messages are not merged any more, which
costs a few bytes of TCP/IP headers per message: nothing next to a frame of floats.

Use it with::

    jupyter lab --ServerApp.kernel_websocket_connection_class=gauge_book_server.NoDelayConnection
    voila --Voila.kernel_websocket_connection_class=gauge_book_server.NoDelayConnection

(:data:`LAB_FLAG` and :data:`VOILA_FLAG`; ``make lab``, ``make present`` and the browser tests
pass them). The module imports only Jupyter Server, so the server process stays light.
"""
from __future__ import annotations

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

__all__ = ["NoDelayConnection", "LAB_FLAG", "VOILA_FLAG"]


class NoDelayConnection(ZMQChannelsWebsocketConnection):
    """Jupyter Server's kernel websocket connection with ``TCP_NODELAY`` on the browser's socket."""

    def connect(self):
        """Switch off Nagle's algorithm on the websocket, then connect as usual."""
        # the websocket handshake is over when the handler opens the connection, so the
        # handler's stream exists here
        self.websocket_handler.set_nodelay(True)
        return super().connect()


_CLASS = f"{__name__}.{NoDelayConnection.__name__}"
#: command-line flag for ``jupyter lab`` / ``jupyter server``
LAB_FLAG = f"--ServerApp.kernel_websocket_connection_class={_CLASS}"
#: command-line flag for ``voila``
VOILA_FLAG = f"--Voila.kernel_websocket_connection_class={_CLASS}"
