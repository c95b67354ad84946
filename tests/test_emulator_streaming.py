"""Streaming (reference §6): the raw SSE bytes, the SDK's view of them, and the pace."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx2
import pytest

from aoai_lab.emulator import DEMO_KEY, EmulatorConfig, EmulatorServer
from tests.emulator_http import (
    assert_azure_key_order,
    azure_client,
    classic_url,
    curl,
    key_header,
    messages,
    sse_events,
    user,
    v1_client,
    v1_url,
)

# §6, first event of the capture, byte for byte.
FIRST_EVENT = (
    b'{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,'
    b'"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":false,'
    b'"detected":false},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,'
    b'"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}]}'
)
SAFE = (
    b'{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},'
    b'"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}'
)
TAIL = rb',"created":(?P<created>\d+),"id":"(?P<id>chatcmpl-[A-Za-z0-9]{29})","model":"gpt-4o-mini-2024-07-18","object":"chat.completion.chunk","system_fingerprint":"fp_57db37749c"'
# §6, the role chunk, the content chunks and the final chunk of the capture (with include_usage).
ROLE_CHUNK = re.compile(
    re.escape(
        b'{"choices":[{"content_filter_results":{},"delta":{"content":"","refusal":null,"role":"assistant"},'
        b'"finish_reason":null,"index":0,"logprobs":null}]'
    )
    + TAIL
    + rb"\}"
)
CONTENT_CHUNK = re.compile(
    re.escape(b'{"choices":[{"content_filter_results":' + SAFE + b',"delta":{"content":')
    + rb'("(?:[^"\\]|\\.)*")'
    + re.escape(b'},"finish_reason":null,"index":0,"logprobs":null}]')
    + TAIL
    + rb'(?P<usage_null>,"usage":null)?\}'
)
FINAL_CHUNK = re.compile(
    re.escape(b'{"choices":[{"content_filter_results":{},"delta":{},"finish_reason":"stop","index":0,"logprobs":null}]')
    + TAIL
    + rb'(?P<usage_null>,"usage":null)?\}'
)
USAGE_CHUNK = re.compile(rb'\{"choices":\[\]' + TAIL + rb',"usage":(?P<usage>\{.*\})\}')

STORY = "Tell me a story about streams"


def stream_body(text: str = STORY, **extra: Any) -> dict[str, Any]:
    return {**user(text), "stream": True, **extra}


def test_raw_sse_sequence_with_usage(emulator: EmulatorServer) -> None:
    body = stream_body(stream_options={"include_usage": True})
    raw = curl(classic_url(emulator.endpoint, "gpt-4o-mini"), headers=key_header(), body=body)
    assert raw.status == 200
    assert raw.headers["content-type"].startswith("text/event-stream")
    assert raw.headers["x-ms-region"] == "Korea Central"
    assert "x-ratelimit-remaining-requests" in raw.headers
    assert raw.body.endswith(b"data: [DONE]\n\n")
    events = sse_events(raw.body)
    assert events[0] == FIRST_EVENT
    role = ROLE_CHUNK.fullmatch(events[1])
    assert role, events[1]
    contents = [CONTENT_CHUNK.fullmatch(event) for event in events[2:-3]]
    assert contents and all(contents), events[2:-3]
    assert all(match and match.group("usage_null") for match in contents)  # "usage":null on every chunk
    final = FINAL_CHUNK.fullmatch(events[-3])
    assert final and final.group("usage_null"), events[-3]
    usage_match = USAGE_CHUNK.fullmatch(events[-2])
    assert usage_match, events[-2]
    assert events[-1] == b"[DONE]"
    # One id and one created for the whole stream.
    matches = [m for m in [role, final, usage_match, *contents] if m]
    assert {(m.group("id"), m.group("created")) for m in matches} == {(role.group("id"), role.group("created"))}
    for event in events[:-1]:
        assert_azure_key_order(event)
    usage = json.loads(usage_match.group("usage"))
    assert usage["completion_tokens"] == len(contents)
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 0


def test_raw_sse_sequence_without_usage(emulator: EmulatorServer) -> None:
    raw = curl(classic_url(emulator.endpoint, "gpt-4o-mini"), headers=key_header(), body=stream_body())
    events = sse_events(raw.body)
    assert events[0] == FIRST_EVENT
    assert ROLE_CHUNK.fullmatch(events[1])
    assert all(CONTENT_CHUNK.fullmatch(event) for event in events[2:-2])
    final = FINAL_CHUNK.fullmatch(events[-2])
    assert final and final.group("usage_null") is None
    assert events[-1] == b"[DONE]"
    assert not any(b'"usage"' in event for event in events)


def test_raw_stream_text_equals_the_whole_reply(emulator: EmulatorServer) -> None:
    url = classic_url(emulator.endpoint, "gpt-4o-mini")
    whole = curl(url, headers=key_header(), body=user(STORY)).json()["choices"][0]["message"]["content"]
    events = sse_events(curl(url, headers=key_header(), body=stream_body()).body)
    pieces = [json.loads(event)["choices"][0]["delta"].get("content", "") for event in events[1:-1]]
    assert "".join(pieces) == whole
    assert len([p for p in pieces if p]) > 5  # streamed in several pieces, not one blob


@pytest.mark.parametrize("deployment", ["gpt-5.1", "gpt-4o-mini"])
@pytest.mark.parametrize("style", ["classic", "v1"])
def test_sdk_stream(emulator: EmulatorServer, deployment: str, style: str) -> None:
    client = azure_client(emulator.endpoint) if style == "classic" else v1_client(emulator.endpoint)
    chunks = list(
        client.chat.completions.create(
            model=deployment, messages=messages(STORY), stream=True, stream_options={"include_usage": True}
        )
    )
    first = chunks[0]
    assert first.choices == []  # the IndexError trap: chunks[0].choices[0] would fail
    assert (first.id, first.model, first.object, first.created) == ("", "", "", 0)
    first_data: dict[str, Any] = first.to_dict()
    assert first_data["prompt_filter_results"][0]["prompt_index"] == 0
    assert chunks[1].choices[0].delta.role == "assistant"
    assert chunks[1].choices[0].delta.content == ""
    finals = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert [c.choices[0].finish_reason for c in finals] == ["stop"]
    last = chunks[-1]
    assert last.choices == [] and last.usage is not None
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    whole = client.chat.completions.create(model=deployment, messages=messages(STORY))
    assert text == whole.choices[0].message.content
    assert whole.usage is not None and last.usage.completion_tokens == whole.usage.completion_tokens
    model = "gpt-5.1-2025-11-13" if deployment == "gpt-5.1" else "gpt-4o-mini-2024-07-18"
    assert {c.model for c in chunks[1:]} == {model}


def test_sdk_stream_reports_reasoning_tokens(emulator: EmulatorServer) -> None:
    stream = v1_client(emulator.endpoint).chat.completions.create(
        model="gpt-5.1",
        messages=messages("hi"),
        stream=True,
        stream_options={"include_usage": True},
        reasoning_effort="medium",
    )
    usage = list(stream)[-1].usage
    assert usage is not None and usage.completion_tokens_details is not None
    assert (usage.completion_tokens_details.reasoning_tokens or 0) > 0


def test_stream_truncated_by_max_completion_tokens(emulator: EmulatorServer) -> None:
    stream = azure_client(emulator.endpoint).chat.completions.create(
        model="gpt-5.1", messages=messages(STORY), stream=True, max_completion_tokens=3
    )
    chunks = [c for c in stream if c.choices]
    assert chunks[-1].choices[0].finish_reason == "length"
    assert len([c for c in chunks if c.choices[0].delta.content]) == 3


def test_raw_v1_stream(emulator: EmulatorServer) -> None:
    raw = curl(v1_url(emulator.endpoint), headers=key_header(), body={**stream_body(), "model": "gpt-4o-mini"})
    events = sse_events(raw.body)
    assert events[0] == FIRST_EVENT
    assert events[-1] == b"[DONE]"


# ---------------------------------------------------------------------------------------------
# Pace


def _timed_stream(endpoint: str, max_tokens: int) -> tuple[float, int]:
    """Seconds to read a whole stream, and how many content pieces it had."""
    body = {**stream_body(), "max_tokens": max_tokens}
    start = time.monotonic()
    with httpx2.stream(
        "POST", classic_url(endpoint, "gpt-4o-mini"), headers={"api-key": DEMO_KEY}, json=body, timeout=30
    ) as response:
        assert response.status_code == 200
        data = response.read()
    elapsed = time.monotonic() - start
    pieces = sum(1 for event in sse_events(data)[2:-1] if b'"delta":{"content"' in event)
    return elapsed, pieces


def test_tokens_per_second_paces_the_stream(emulator: EmulatorServer) -> None:
    with EmulatorServer(EmulatorConfig(tokens_per_second=20)) as paced:
        paced_seconds, pieces = _timed_stream(paced.endpoint, max_tokens=12)
    assert pieces == 12
    expected = pieces / 20
    assert paced_seconds >= 0.5 * expected
    instant_seconds, instant_pieces = _timed_stream(emulator.endpoint, max_tokens=12)
    assert instant_pieces == pieces
    assert instant_seconds < paced_seconds  # tokens_per_second=0 does not wait between pieces
