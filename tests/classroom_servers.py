"""Real servers the classroom tests start on loopback: redis-server, a counting proxy, a canary."""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from aoai_lab.classroom.store import forget_stores
from tests.loopback import serve_handler
from tests.tools import require_program


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@contextmanager
def redis_server(tmp: Path) -> Iterator[str]:
    """A throw-away redis-server on a free loopback port; yields its URL."""
    program = require_program("redis-server", "apt-get install redis-server")
    port = free_port()
    process = subprocess.Popen(
        [program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Seen:
    """What a loopback server received (paths and JSON bodies)."""

    requests: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, method: str, path: str, body: dict[str, Any]) -> None:
        with self.lock:
            self.requests.append((method, path, body))

    @property
    def chat_bodies(self) -> list[dict[str, Any]]:
        with self.lock:
            return [body for _, path, body in self.requests if path.split("?")[0].endswith("/chat/completions")]


@contextmanager
def counting_proxy(target: str) -> Iterator[tuple[int, Seen]]:
    """A plain HTTP proxy in front of ``target`` (the emulator) that records every request."""
    seen = Seen()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                body = {}
            seen.add(self.command, self.path, body)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            request = urllib.request.Request(  # noqa: S310 - the loopback emulator
                target.rstrip("/") + self.path, data=raw or None, headers=headers, method=self.command
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - loopback emulator
                    status, answer_headers, payload = answer.status, answer.headers, answer.read()
            except urllib.error.HTTPError as error:
                status, answer_headers, payload = error.code, error.headers, error.read()
            self.send_response(status)
            for name, value in answer_headers.items():
                if name.lower() not in ("transfer-encoding", "content-length", "connection"):
                    self.send_header(name, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _forward

        def log_message(self, format: str, *args: object) -> None:
            pass

    for port in serve_handler(Handler):
        yield port, seen


@contextmanager
def canary_server(redirect_to: str | None = None) -> Iterator[tuple[int, Seen]]:
    """A loopback server that records any request (and redirects it when asked): must see none."""
    seen = Seen()

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            seen.add(self.command, self.path, {})
            if redirect_to:
                self.send_response(307)
                self.send_header("location", redirect_to + self.path)
            else:
                self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        do_GET = do_POST = do_HEAD = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    for port in serve_handler(Handler):
        yield port, seen


AZURE_VARIABLES = ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT", "OPENAI_API_VERSION")


@contextmanager
def fresh_class(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A new class for one test: no Azure variables from this machine, no ``.env`` (the working
    directory is tests/), an instant demo, and empty counters before and after."""
    for name in AZURE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AOAI_LAB_DEMO_TOKENS_PER_SECOND", "0")
    monkeypatch.chdir(Path(__file__).resolve().parent)
    forget_stores()
    try:
        yield
    finally:
        forget_stores()
