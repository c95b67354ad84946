"""The emulator's listening socket, bound without importing the server (uvicorn and the routes).

The in-process demo binds its port on the first page, where only its endpoint is needed, and
lets the server start on that socket afterwards (aoai_lab/ui/demo.py, issue 12).
"""

from __future__ import annotations

import socket


def bind_loopback(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A TCP socket bound to ``host:port`` (0: a free port); ``OSError`` when the port is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def listening(sock: socket.socket, backlog: int = 128) -> socket.socket:
    """``sock``, accepting connections from now on: until a server serves it, they wait in the backlog."""
    sock.listen(backlog)
    return sock
