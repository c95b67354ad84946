"""Loopback sockets that misbehave on purpose: the network failures a check must explain."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from aoai_lab.experiments import closed_port

__all__ = [
    "Canary",
    "canary_server",
    "closed_port",
    "redirect_server",
    "serve_handler",
    "silent_server",
    "trickle_server",
    "web_server",
]


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word (a black-holed endpoint)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        listener.close()


@contextmanager
def web_server(
    status: int = 200, body: bytes = b"<html>portal</html>", content_type: str = "text/html"
) -> Iterator[int]:
    """A plain HTTP server that answers every request the same way (a portal page, a captive login)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    yield from serve_handler(Handler)


@dataclass
class Canary:
    """A loopback server that must not be reached; ``hits`` lists the paths it was asked for."""

    port: int
    hits: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Where a redirect would send the client."""
        return f"http://127.0.0.1:{self.port}/openai/canary"


def serve_handler(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[int]:
    """Serve ``handler`` on a free loopback port in a thread; yields the port, stops on exit."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def canary_server() -> Iterator[Canary]:
    """A server that records every request (a redirect target nobody may follow)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    for port in serve_handler(Handler):
        yield Canary(port, hits)


@contextmanager
def redirect_server(status: int, location: str) -> Iterator[int]:
    """A server that answers every request with a ``status`` redirect to ``location``."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            self.send_response(status)
            self.send_header("location", location)
            self.send_header("content-length", "0")
            self.end_headers()

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    yield from serve_handler(Handler)


@dataclass
class Trickle:
    """A trickling server; ``answered`` counts the clients that waited for the whole answer."""

    port: int
    answered: int = 0


@contextmanager
def trickle_server(interval: float = 0.25) -> Iterator[Trickle]:
    """A server that answers every request one byte every ``interval`` seconds (~10 s in all).

    Each byte arrives well within any read timeout, so only a deadline on the whole call stops
    a client from waiting for all of it.
    """
    body = b'{"error":{"code":"slow"}}'
    head = b"HTTP/1.1 500 Slow\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(body)
    answer = (head + body)[: max(1, int(10 / interval))]
    trickle = Trickle(0)
    stop = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            try:
                for byte in answer:
                    if stop.wait(interval):
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
            except OSError:  # the client gave up: what a deadline should make it do
                return
            trickle.answered += 1

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    for port in serve_handler(Handler):
        trickle.port = port
        try:
            yield trickle
        finally:
            stop.set()  # before the server shuts down, so no handler is left mid-trickle
