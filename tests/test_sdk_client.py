"""One HTTP client per process under every SDK client: shared pool, per-call keys, no cookies.

Real SDK over real loopback HTTP to the emulator (and to a tiny cookie-setting server).
"""

from __future__ import annotations

import http.server
from collections.abc import Iterator
from contextlib import contextmanager

from aoai_lab.client import chat, make_sdk_client, shared_http_client
from aoai_lab.connection import Connection
from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from aoai_lab.request import ChatRequest
from tests.loopback import serve_handler

HELLO = ChatRequest.simple("hello", "You are a helpful AI assistant.")
WRONG_KEY = "9" * 32


def conn(emulator: EmulatorServer, key: str = DEMO_KEY, style: str = "classic") -> Connection:
    return Connection(emulator.endpoint, key, "gpt-4o-mini", "2024-10-21", style, "demo")  # type: ignore[arg-type]


def test_every_sdk_client_shares_one_http_client(emulator: EmulatorServer) -> None:
    classic = make_sdk_client(conn(emulator))
    v1 = make_sdk_client(conn(emulator, style="v1"))
    assert classic._client is v1._client is shared_http_client()


def test_the_shared_client_holds_no_credential_and_follows_no_redirect(emulator: EmulatorServer) -> None:
    make_sdk_client(conn(emulator))
    shared = shared_http_client()
    assert shared.follow_redirects is False
    headers = {name.lower() for name in shared.headers}
    assert not headers & {"api-key", "authorization"}
    assert DEMO_KEY not in repr(dict(shared.headers))


def test_keys_stay_per_call_on_the_shared_client(emulator: EmulatorServer) -> None:
    assert chat(conn(emulator, WRONG_KEY), HELLO).diagnosis.code != "ok"
    assert chat(conn(emulator), HELLO).ok  # the wrong key did not stick to the shared client
    assert chat(conn(emulator, WRONG_KEY), HELLO).status == 401


@contextmanager
def cookie_server() -> Iterator[tuple[int, list[str]]]:
    """Answers every request with a Set-Cookie and remembers the Cookie headers it received."""
    received: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            received.append(self.headers.get("cookie") or "")
            body = b'{"error": {"code": "Nope", "message": "no"}}'
            self.send_response(400)
            self.send_header("set-cookie", "affinity=learner-a; Path=/")
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    for port in serve_handler(Handler):
        yield port, received


def test_a_cookie_one_endpoint_sets_never_rides_on_the_next_request() -> None:
    with cookie_server() as (port, received):
        endpoint = f"http://127.0.0.1:{port}/"
        learner_a = Connection(endpoint, DEMO_KEY, "gpt-4o-mini", "2024-10-21", "classic", "manual")
        learner_b = Connection(endpoint, "1" * 32, "gpt-4o-mini", "2024-10-21", "classic", "manual")
        chat(learner_a, HELLO)
        chat(learner_b, HELLO)
    assert received == ["", ""]
    assert len(shared_http_client().cookies) == 0
