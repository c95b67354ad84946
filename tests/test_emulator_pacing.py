"""The emulator's stream pace: a fixed schedule, catching up in one write, each token encoded once.

The event loop's clock is replaced by a fake one (``asyncio`` as the pacing module sees it), so
the schedule is checked exactly, without timing the machine.
"""

from __future__ import annotations

import json
import types
from collections.abc import Iterator
from typing import Any

import pytest

from aoai_lab.emulator import completion, pacing, responses_api, wire
from aoai_lab.emulator.completion import Reply, _chunk_choice, event
from aoai_lab.emulator.config import Deployment
from aoai_lab.emulator.structured import ToolCall
from aoai_lab.tokens import split_tokens
from tests.event_loop import run_coroutine


class FakeClock:
    """The loop's clock: ``sleep`` moves it by the delay asked, plus any lateness planned."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []
        self.late: dict[int, float] = {}  # the n-th sleep (from 1) wakes this much late

    def time(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.slept.append(delay)
        self.now += delay + self.late.get(len(self.slept), 0.0)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    fake = FakeClock()
    monkeypatch.setattr(pacing, "asyncio", types.SimpleNamespace(get_running_loop=lambda: fake, sleep=fake.sleep))
    yield fake


def test_a_late_wake_up_is_not_added_to_the_rest_of_the_reply(clock: FakeClock) -> None:
    async def five_tokens() -> list[float]:
        pace, times = pacing.Pace(10), []
        for _ in range(5):
            await pace.next_token()
            times.append(round(clock.now - 100.0, 6))
        return times

    clock.late = {2: 0.25}  # the second wake-up is 250 ms late: tokens 3 and 4 are already due
    assert run_coroutine(five_tokens()) == [0.1, 0.45, 0.45, 0.45, 0.5]
    assert clock.slept[2:4] == [0.0, 0.0]  # due tokens still let the other streams run once


def test_no_rate_means_no_waiting(clock: FakeClock) -> None:
    async def go() -> bool:
        pace = pacing.Pace(0)
        await pace.next_token()
        return pace.behind()

    assert run_coroutine(go()) is False and clock.slept == []


def _reply(pieces: list[str], n: int = 1, tool_call: ToolCall | None = None) -> Reply:
    deployment = Deployment(name="d", model="gpt-4o-mini-2024-07-18", kind="classic")
    return Reply(deployment, pieces, "stop", None, 5, 0, "chatcmpl-x", 1, n=n, tool_call=tool_call)


def _whole_events(reply: Reply, pieces: list[str], delta_of: Any = lambda piece: {"content": piece}) -> bytes:
    """The token events of ``reply`` as the stream encoded them before the template: each whole."""
    envelope = reply.envelope("chat.completion.chunk")
    filters = wire.completion_filter_results()
    return b"".join(
        event({**envelope, "choices": [_chunk_choice(delta_of(p), filters, i) for i in range(reply.n)], "usage": None})
        for p in pieces
    )


def _chunks(reply: Reply, rate: float) -> list[bytes]:
    async def go() -> list[bytes]:
        return [chunk async for chunk in completion._events(reply, rate, include_usage=True, drop=False)]

    return run_coroutine(go())


def test_a_stream_that_fell_behind_sends_its_due_tokens_in_one_write(clock: FakeClock) -> None:
    pieces = ["He", "llo", ", ", "wor", "ld", "!"]
    clock.late = {2: 0.35}  # 4 tokens at 10/s are due by the time the second wake-up comes
    chunks = _chunks(_reply(pieces), 10)
    # On schedule: one event per write; behind: the due ones together; the bytes are unchanged.
    assert [chunk.count(b"data: ") for chunk in chunks] == [1, 1, 1, 4, 1, 1, 1, 1]
    assert b"".join(chunks[2:-3]) == _whole_events(_reply(pieces), pieces)


def test_on_schedule_every_token_is_its_own_write(clock: FakeClock) -> None:
    chunks = _chunks(_reply(["a", "b", "c"]), 10)
    assert [chunk.count(b"data: ") for chunk in chunks] == [1] * len(chunks)
    assert clock.slept == pytest.approx([0.1, 0.1, 0.1])


def test_the_responses_stream_sends_its_due_deltas_in_one_write_too(clock: FakeClock) -> None:
    deployment = Deployment(name="d", model="gpt-4o-mini-2024-07-18", kind="classic")
    reply = responses_api.build({"input": "hi", "stream": True, "model": "d"}, deployment)

    async def go() -> list[bytes]:
        return [chunk async for chunk in responses_api._events(reply, 10)]

    clock.late = {2: 0.35}  # as above: 4 deltas are due by the time the second wake-up comes
    chunks = run_coroutine(go())
    deltas = [chunk.count(b"event: response.output_text.delta\n") for chunk in chunks]
    assert [n for n in deltas if n] == [1, 4] + [1] * (len(reply.pieces) - 5)
    events = [e for e in b"".join(chunks).split(b"\n\n") if e]
    numbers = [json.loads(e.split(b"data: ", 1)[1])["sequence_number"] for e in events]
    assert numbers == list(range(len(events)))  # built in order, each once, whatever the writes
    text = [json.loads(e.split(b"data: ", 1)[1]).get("delta") for e in events if b"output_text.delta" in e]
    assert "".join(text) == reply.text


@pytest.mark.parametrize(
    "text", ["plain", 'quote " and \\ backslash', "줄\n바꿈\t탭", "\ud800 lone surrogate", "", "😀"]
)
def test_a_filled_event_is_byte_for_byte_the_encoded_one(text: str) -> None:
    def payload(value: Any) -> dict[str, Any]:
        return {"id": "x", "choices": [{"delta": {"content": value}, "index": 0, "b": [1, {"z": 1, "a": 2}]}]}

    fill = wire.azure_json_filler(payload("slot-7d1e"), "slot-7d1e")
    assert fill(text) == wire.azure_json(payload(text))


@pytest.mark.parametrize(
    ("reply", "delta_of"),
    [
        (_reply(["둘", " choices"], n=2), lambda piece: {"content": piece}),
        (
            _reply([], tool_call=ToolCall("call_1", "get_weather", '{"city": "서울"}')),
            lambda piece: {"tool_calls": [{"function": {"arguments": piece}, "index": 0}]},
        ),
    ],
    ids=["two choices", "tool call"],
)
def test_every_token_event_is_the_event_encoded_whole(reply: Reply, delta_of: Any) -> None:
    pieces = split_tokens(reply.tool_call.arguments) if reply.tool_call else reply.pieces
    assert _whole_events(reply, pieces, delta_of) in b"".join(_chunks(reply, 0))
