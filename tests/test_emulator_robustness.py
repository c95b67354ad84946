"""Nothing breaks the emulator (issue 10): hostile bodies get Azure's 400, streams end, sockets time out."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from aoai_lab.emulator import DEMO_KEY, EmulatorConfig, EmulatorServer, completion, wire
from aoai_lab.emulator.completion import StreamDropped
from aoai_lab.emulator.server import _is_deliberate
from tests.emulator_http import classic_url, curl, key_header, sse_events, user, v1_url
from tests.event_loop import run_coroutine

INVALID_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP "
    "library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
)


@pytest.fixture(scope="module")
def quick() -> Iterator[EmulatorServer]:
    """An emulator that gives a slow request half a second to arrive."""
    with EmulatorServer(EmulatorConfig(tokens_per_second=0, request_read_timeout=0.5)) as server:
        yield server


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # deeper than Python's recursion limit
        b'{"messages":[{"role":"user","content":"\\ud800"}]}',  # a lone surrogate
        b'{"messages":[{"role":"user","content":"\xff\xfe"}]}',  # invalid UTF-8
        b'{"messages":[{"role":"user","content":"\\udfff x \\ud83d"}],"stream":true}',
        b"\x00\x01\x02",
        b'{"a":' * 5000 + b"1" + b"}" * 5000,
    ],
    ids=["deep-array", "lone-surrogate", "invalid-utf8", "surrogates-streaming", "binary", "deep-object"],
)
def test_hostile_bodies_get_a_400_in_azures_shape(emulator: EmulatorServer, body: bytes) -> None:
    raw = curl(classic_url(emulator.endpoint, "gpt-4o-mini"), headers=key_header(), body=body)
    assert (raw.status, raw.reason) == (400, "model_error"), raw.body[:300]
    error = raw.json()["error"]
    if error["message"] != INVALID_JSON:  # a parsed (but wrong) body names the problem instead
        assert error["type"] == "invalid_request_error"


def test_a_deeply_nested_body_on_v1(emulator: EmulatorServer) -> None:
    raw = curl(v1_url(emulator.endpoint), headers=key_header(), body=b"[" * 100_000)
    assert raw.status == 400 and raw.json()["error"]["message"] == INVALID_JSON


def _raw_exchange(port: int, data: bytes, timeout: float = 10.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def test_a_malformed_chunked_body_gets_a_json_400(quick: EmulatorServer) -> None:
    request = (
        b"POST /openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21 HTTP/1.1\r\n"
        b"Host: x\r\napi-key: " + DEMO_KEY.encode() + b"\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\nZZZ-not-a-size\r\n{}\r\n0\r\n\r\n"
    )
    answer = _raw_exchange(quick.port, request)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"content-type: application/json" in head.lower()
    assert json.loads(body)["error"]["code"] == "BadRequest"


def test_half_sent_headers_time_out(quick: EmulatorServer) -> None:
    # The server closes the socket (recv returns b"") instead of waiting forever for the rest.
    answer = _raw_exchange(quick.port, b"POST /openai/v1/chat/completions HTTP/1.1\r\nHost: x\r\n")
    assert answer == b""


def test_a_half_sent_body_times_out(quick: EmulatorServer) -> None:
    request = (
        b"POST /openai/v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        + DEMO_KEY.encode()
        + b'\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"model":'
    )
    assert _raw_exchange(quick.port, request) == b""


def test_the_server_still_answers_after_hostile_sockets(quick: EmulatorServer) -> None:
    _raw_exchange(quick.port, b"GARBAGE\r\n\r\n")
    assert curl(classic_url(quick.endpoint, "gpt-4o-mini"), headers=key_header(), body=user("hi")).status == 200


def test_a_stream_meeting_an_unexpected_error_ends_with_an_error_event(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = completion._token_event

    def flaky(*args: Any) -> Callable[[str], bytes]:  # the third token's event fails to build
        token_event, calls = real(*args), {"n": 0}

        def build(text: str) -> bytes:
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("boom")
            return token_event(text)

        return build

    monkeypatch.setattr(completion, "_token_event", flaky)
    raw = curl(classic_url(emulator.endpoint, "gpt-4o-mini"), headers=key_header(), body={**user("hi"), "stream": True})
    assert raw.exit_code == 0  # the stream ended; it did not hang until curl's timeout
    events = sse_events(raw.body)
    last = json.loads(events[-1])
    assert last["error"]["type"] == "server_error"
    assert sum(b'"delta":{"content"' in event for event in events[:-1]) == 3  # the role, then two tokens


def test_stream_unit_ends_on_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from aoai_lab.emulator.config import DEFAULT_DEPLOYMENTS

    reply = completion.build_reply(user("hi"), DEFAULT_DEPLOYMENTS[1], 10, None, False)

    def broken(*_: object) -> dict[str, object]:
        raise ValueError("bad")

    monkeypatch.setattr(wire, "completion_filter_results", broken)

    async def collect() -> list[bytes]:
        return [chunk async for chunk in completion.stream(reply, 0, False, False)]

    chunks = run_coroutine(collect())
    assert chunks[-1].startswith(b'data: {"error"')


def test_the_shutdown_filter_survives_a_cyclic_exception_chain() -> None:
    first, second = ValueError("a"), KeyError("b")
    first.__context__, second.__context__ = second, first
    assert _is_deliberate(first) is False
    dropped = StreamDropped()
    first.__cause__ = dropped
    assert _is_deliberate(second) is True
    group = BaseExceptionGroup("g", [first])
    assert _is_deliberate(group) is True
