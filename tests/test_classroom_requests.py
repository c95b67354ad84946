"""Classroom limits on real requests: the real openai SDK over real HTTP, through a counting proxy
in front of the emulator, and canary servers on loopback that must never be contacted."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from aoai_lab.check import run_check
from aoai_lab.classroom.config import ClassroomConfig
from aoai_lab.classroom.gate import Gate
from aoai_lab.classroom.seat import Seat, seated
from aoai_lab.classroom.store import MemoryStore, RedisStore
from aoai_lab.client import chat, stream_chat
from aoai_lab.connection import Connection, Normalised, from_input
from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from aoai_lab.request import ChatParams, ChatRequest
from tests.classroom_servers import Seen, canary_server, counting_proxy
from tests.loopback import closed_port

API_VERSION = "2025-04-01-preview"


@pytest.fixture
def proxy(emulator: EmulatorServer) -> Iterator[tuple[Connection, Seen]]:
    """The class's shared connection (a server-held key) to the emulator, through a counting proxy."""
    with counting_proxy(emulator.endpoint) as (port, seen):
        shared = Connection(f"http://127.0.0.1:{port}/", DEMO_KEY, "gpt-5.1", API_VERSION, "classic", "secrets")
        yield shared, seen


def seat(session: str = "student1", gate: Gate | None = None, **settings: object) -> Seat:
    gate = gate or Gate(ClassroomConfig(**settings), MemoryStore())  # type: ignore[arg-type]
    return Seat(gate, session, unlocked=True)


def ask(text: str, length: int = 50_000) -> ChatRequest:
    return ChatRequest.simple(text, params=ChatParams(max_completion_tokens=length))


def test_more_messages_than_the_limit_send_no_more_requests(proxy: tuple[Connection, Seen]) -> None:
    shared, seen = proxy
    with seated(seat(requests_per_minute=3, max_output_tokens=64)):
        sent = [chat(shared, ask(f"question {i}")) for i in range(3)]
        streams = [stream_chat(shared, ask(f"streamed {i}")) for i in range(2)]
        for stream in streams:
            assert list(stream) == []
    assert len(seen.chat_bodies) == 3
    assert all(result.ok for result in sent)
    refused = [stream.result for stream in streams]
    assert [r.diagnosis.code if r else None for r in refused] == ["classroom_rate_limit"] * 2
    first = refused[0]
    assert first is not None and 1 <= int(first.diagnosis.params["seconds"]) <= 60
    # The student's language: the message says when to go on.
    title = first.diagnosis.title("ko")
    assert "초 기다리세요" in title and "{" not in title
    assert all(body["max_completion_tokens"] <= 64 for body in seen.chat_bodies)


def test_every_output_parameter_is_clamped_whatever_was_asked(proxy: tuple[Connection, Seen]) -> None:
    shared, seen = proxy
    classic = shared.with_values(deployment="gpt-4o-mini")
    requests = [
        (shared, ask("a", 100_000)),
        (classic, ChatRequest.simple("b", params=ChatParams(max_tokens=9_999))),
        (classic, ChatRequest.simple("c")),  # nothing asked: a cap is still sent
        (shared, ChatRequest.simple("d", params=ChatParams(max_completion_tokens=10))),
    ]
    with seated(seat(max_output_tokens=32)):
        for conn, request in requests:
            assert chat(conn, request).ok
    lengths = [body.get("max_completion_tokens", body.get("max_tokens")) for body in seen.chat_bodies]
    assert lengths == [32, 32, 32, 10]


def test_usage_is_counted_and_a_budget_stops_requests(proxy: tuple[Connection, Seen]) -> None:
    shared, seen = proxy
    the_seat = seat(requests_per_minute=100, session_token_budget=400, max_output_tokens=200)
    with seated(the_seat):
        outcomes = [chat(shared, ask("Tell me about deployment names")) for _ in range(20)]
    spent = the_seat.gate.store.get("tok:s:student1")
    used = sum(r.usage.prompt_tokens + r.usage.completion_tokens for r in outcomes if r.usage)
    assert spent == used <= 400
    codes = [r.diagnosis.code for r in outcomes]
    assert "classroom_session_budget" in codes
    assert len(seen.chat_bodies) == codes.count("ok")


def test_the_access_code_and_the_pause_keep_requests_home(proxy: tuple[Connection, Seen]) -> None:
    shared, seen = proxy
    gate = Gate(ClassroomConfig(access_code="sunny-42"), MemoryStore())
    with seated(Seat(gate, "s1", unlocked=False)):
        assert chat(shared, ask("hi")).diagnosis.code == "classroom_access_code"
    gate.pause(True)
    with seated(Seat(gate, "s1", unlocked=True)):
        assert chat(shared, ask("hi")).diagnosis.code == "classroom_paused"
    assert seen.chat_bodies == []


def test_an_azure_429_is_retried_once_and_nobody_else_piles_on(proxy: tuple[Connection, Seen]) -> None:
    shared, seen = proxy
    gate = Gate(ClassroomConfig(requests_per_minute=100), MemoryStore())
    fault = {"x-emulator-fault": "429"}  # the emulator answers 429 with retry-after: 5
    results: dict[str, object] = {}

    def student(name: str) -> None:
        with seated(Seat(gate, name, unlocked=True)):
            results[name] = chat(shared, ask("hi"), extra_headers=fault)

    lead = threading.Thread(target=student, args=("s-lead",))
    lead.start()
    # Wait until Azure's 429 was seen (the back-off is set), then a classmate tries.
    while gate.store.read("flag:azure_busy") is None:
        lead.join(0.01)
    student("s-other")
    lead.join()
    assert len(seen.chat_bodies) == 2  # the first try and its single retry; the classmate sent nothing
    assert results["s-other"].diagnosis.code == "classroom_azure_busy"  # type: ignore[attr-defined]
    assert results["s-lead"].diagnosis.code == "rate_limited"  # type: ignore[attr-defined]


def typed(endpoint: str) -> Normalised:
    return from_input(endpoint, DEMO_KEY, "gpt-5.1", API_VERSION)


@pytest.mark.parametrize(
    "spelling",
    [
        "http://127.0.0.1:{port}/",
        "https://127.0.0.1:{port}/",
        "https://localhost:{port}/",
        "https://2130706433:{port}/",
        "https://0x7f.1:{port}/",
        "https://[::ffff:127.0.0.1]:{port}/",
        "http://[::1]:{port}/",
    ],
)
def test_a_canary_on_loopback_receives_nothing(spelling: str) -> None:
    with canary_server() as (port, seen), seated(seat()):
        normalised = typed(spelling.format(port=port))
        report = run_check(normalised)
        result = chat(normalised.connection, ask("hi"))
    assert seen.requests == []
    assert report.diagnosis.code in ("classroom_host_refused", "classroom_https_only")
    assert [r.state for r in report.rungs] == ["failed", "skipped", "skipped", "skipped", "skipped"]
    assert result.diagnosis.code == report.diagnosis.code


def test_a_redirecting_server_and_its_target_receive_nothing() -> None:
    with canary_server() as (target, target_seen), canary_server(f"http://127.0.0.1:{target}") as (port, seen):
        with seated(seat()):
            report = run_check(typed(f"http://127.0.0.1:{port}/"))
        assert report.diagnosis.code == "classroom_https_only"
        assert seen.requests == [] and target_seen.requests == []


def test_a_public_name_resolving_to_loopback_is_refused_before_connecting() -> None:
    gate = Gate(ClassroomConfig(), MemoryStore())
    with canary_server() as (_port, seen), seated(Seat(gate, "s", True, resolve=lambda host: ["127.0.0.1"])):
        report = run_check(typed("https://canary.openai.azure.com/"))
    assert report.diagnosis.code == "classroom_host_private"
    assert report.diagnosis.title("en") == "`canary.openai.azure.com` points at a private address"
    assert seen.requests == []


def test_outside_classroom_mode_a_learner_may_aim_at_their_own_server(emulator: EmulatorServer) -> None:
    normalised = typed(emulator.endpoint)
    assert run_check(normalised).ok


def test_the_configured_and_demo_connections_are_the_servers_own(proxy: tuple[Connection, Seen]) -> None:
    shared, _ = proxy
    with seated(seat()):
        assert run_check(Normalised(shared)).ok  # http on loopback, but configured by the instructor


def test_a_store_that_does_not_answer_refuses_rather_than_sends(proxy: tuple[Connection, Seen]) -> None:
    shared, seen = proxy
    gate = Gate(ClassroomConfig(), RedisStore(f"redis://127.0.0.1:{closed_port()}/0"))
    with seated(Seat(gate, "s", unlocked=True)):
        result = chat(shared, ask("hi"))
    assert result.diagnosis.code == "classroom_unavailable"
    assert seen.chat_bodies == []
