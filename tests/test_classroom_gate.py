"""The gate: per-session request rate, reply clamp, session and class budgets, pause, 429 back-off."""

from __future__ import annotations

import pytest

from aoai_lab.classroom.access import attempt, same_secret
from aoai_lab.classroom.config import ClassroomConfig
from aoai_lab.classroom.gate import Gate, Refusal, Ticket
from aoai_lab.classroom.stats import short_id, snapshot
from aoai_lab.classroom.store import MemoryStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def make_gate(**settings: object) -> tuple[Gate, Clock]:
    clock = Clock()
    return Gate(ClassroomConfig(**settings), MemoryStore(clock), clock), clock  # type: ignore[arg-type]


def admit(gate: Gate, session: str = "aaaaaaaa", *, shared: bool = True, prompt: int = 20, output: int | None = 100):
    return gate.admit(session, shared=shared, unlocked=True, prompt_tokens=prompt, requested_output=output)


def test_requests_per_minute_then_the_wait_is_told() -> None:
    gate, clock = make_gate(requests_per_minute=3)
    assert all(isinstance(admit(gate), Ticket) for _ in range(3))
    clock.now += 15
    refused = admit(gate)
    assert isinstance(refused, Refusal) and refused.code == "classroom_rate_limit"
    assert refused.retry_after == pytest.approx(45)
    assert isinstance(admit(gate, "bbbbbbbb"), Ticket)  # per session
    clock.now += 46
    assert isinstance(admit(gate), Ticket)


def test_the_limit_applies_to_own_keys_and_the_demo_too_but_budgets_do_not() -> None:
    gate, _ = make_gate(requests_per_minute=2, session_token_budget=10)
    ticket = admit(gate, shared=False, prompt=500, output=5000)
    assert isinstance(ticket, Ticket) and ticket.max_output == 1024 and ticket.reserved == 0
    assert isinstance(admit(gate, shared=False), Ticket)
    assert isinstance(admit(gate, shared=False), Refusal)


@pytest.mark.parametrize(("asked", "sent"), [(100, 100), (5000, 1024), (None, 1024)])
def test_reply_length_is_clamped(asked: int | None, sent: int) -> None:
    gate, _ = make_gate()
    ticket = admit(gate, output=asked)
    assert isinstance(ticket, Ticket) and ticket.max_output == sent


def test_session_budget_clamps_the_last_reply_then_refuses() -> None:
    gate, _ = make_gate(session_token_budget=1000)
    first = admit(gate, prompt=100, output=1024)
    assert isinstance(first, Ticket) and first.max_output == 900  # never past the budget
    gate.settle(first, total_tokens=950, received_tokens=0, outcome="ok")
    second = admit(gate, prompt=20, output=1024)
    assert isinstance(second, Ticket) and second.max_output == 30
    gate.settle(second, total_tokens=50, received_tokens=0, outcome="ok")
    refused = admit(gate, prompt=20)
    assert refused == Refusal("classroom_session_budget", None)
    assert isinstance(admit(gate, "other123"), Ticket)


def test_class_budget_is_shared_by_every_session() -> None:
    gate, _ = make_gate(class_token_budget=300, requests_per_minute=100)
    spent = 0
    for session in ("s1111111", "s2222222", "s3333333"):
        ticket = admit(gate, session, prompt=20, output=80)
        assert isinstance(ticket, Ticket)
        spent += gate.settle(ticket, total_tokens=100, received_tokens=0, outcome="ok")
    assert spent == 300
    assert admit(gate, "s4444444") == Refusal("classroom_class_budget", None)


def test_settle_uses_usage_else_an_estimate_and_gives_back_the_rest() -> None:
    gate, _ = make_gate(session_token_budget=10_000)
    ticket = admit(gate, prompt=50, output=1000)
    assert isinstance(ticket, Ticket) and gate.store.get("tok:class") == 1050
    assert gate.settle(ticket, total_tokens=None, received_tokens=30, outcome="stream_interrupted") == 80
    assert gate.store.get("tok:class") == 80
    failed = admit(gate, prompt=50)
    assert isinstance(failed, Ticket)
    assert gate.settle(failed, total_tokens=None, received_tokens=0, outcome="auth_invalid_key") == 0
    assert gate.store.get("tok:class") == 80


def test_pause_stops_only_the_shared_connection() -> None:
    gate, _ = make_gate()
    gate.pause(True)
    assert admit(gate) == Refusal("classroom_paused", None)
    assert isinstance(admit(gate, shared=False), Ticket)
    gate.pause(False)
    assert isinstance(admit(gate), Ticket)


def test_the_access_code_is_needed_for_the_shared_connection_only() -> None:
    gate, _ = make_gate(access_code="sunny-42")
    locked = gate.admit("s", shared=True, unlocked=False, prompt_tokens=5, requested_output=5)
    assert locked == Refusal("classroom_access_code", None)
    assert isinstance(gate.admit("s", shared=False, unlocked=False, prompt_tokens=5, requested_output=5), Ticket)


def test_an_azure_429_makes_everyone_wait_and_allows_one_retry() -> None:
    gate, clock = make_gate(requests_per_minute=100)
    ticket = admit(gate, "s1111111")
    assert isinstance(ticket, Ticket)
    gate.settle(ticket, total_tokens=None, received_tokens=0, outcome="rate_limited", retry_after=6)
    busy = admit(gate, "s2222222")
    assert isinstance(busy, Refusal) and busy.code == "classroom_azure_busy"
    assert busy.retry_after == pytest.approx(6)
    assert gate.claim_retry(6) is True
    assert gate.claim_retry(6) is False  # one retry per back-off for the whole class
    assert gate.claim_retry(60) is False  # too long to hold a page
    clock.now += 7
    assert isinstance(admit(gate, "s2222222"), Ticket)
    assert snapshot(gate).azure_429 == 1 and snapshot(gate).last_retry_after == 6


def test_the_snapshot_counts_requests_errors_and_sessions_without_content() -> None:
    gate, clock = make_gate(class_token_budget=10_000, requests_per_minute=2)
    for session, tokens, outcome in (("aaaa1111", 100, "ok"), ("bbbb2222", 300, "ok"), ("aaaa1111", 0, "timeout")):
        ticket = admit(gate, session)
        assert isinstance(ticket, Ticket)
        gate.settle(ticket, total_tokens=tokens or None, received_tokens=0, outcome=outcome)
    admit(gate, "aaaa1111")  # refused: third in a minute
    clock.now += 30
    shot = snapshot(gate)
    assert shot.active_sessions == 2
    assert sum(row.requests for row in shot.minutes) == 3
    assert sum(row.tokens for row in shot.minutes) == 400
    assert shot.errors == {"timeout": 1}
    assert shot.refusals == {"classroom_rate_limit": 1}
    assert shot.top_sessions == (("#bbbb22", 300), ("#aaaa11", 100))
    assert shot.class_remaining == 9_600
    assert len(shot.minutes) == 30


def test_access_code_compare_and_rate_limit() -> None:
    store = MemoryStore()
    assert same_secret(" sunny-42 ", "sunny-42") and not same_secret("sunny-43", "sunny-42")
    results = [attempt(store, "code", "s", "guess", "sunny-42", 100.0 + i) for i in range(6)]
    assert [r.ok for r in results] == [False] * 6
    assert results[4].retry_after is None and results[5].retry_after is not None
    # Even the right code waits once the tries are spent; another session is not affected.
    assert attempt(store, "code", "s", "sunny-42", "sunny-42", 110.0).ok is False
    assert attempt(store, "code", "t", "sunny-42", "sunny-42", 110.0).ok is True


def test_short_ids_are_prefixes_of_random_ids() -> None:
    assert short_id("0123456789abcdef") == "#012345"
