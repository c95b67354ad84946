"""Streams decoded as plain JSON (aoai_lab.sse): event syntax, and outcomes the same as the SDK's."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from aoai_lab.client import ChatResult, stream_chat
from aoai_lab.connection import Connection
from aoai_lab.emulator import DEMO_KEY
from aoai_lab.request import ChatRequest
from aoai_lab.sse import Event, events
from tests.loopback import web_server

HELLO = ChatRequest.simple("hello", "You are a helpful AI assistant.")


def test_events_join_data_lines_and_skip_comments() -> None:
    lines = [": keep-alive", "event: response.created", "data: {", "data: }", "", "id: 7", "", "data:[DONE]"]
    assert list(events(iter(lines))) == [Event("response.created", "{\n}"), Event(None, "[DONE]")]


def sse_body(*payloads: Any, done: bool = True) -> bytes:
    frames = [f"data: {json.dumps(p)}\n\n" for p in payloads]
    return ("".join(frames) + ("data: [DONE]\n\n" if done else "")).encode()


def chunk(content: str | None = None, finish: str | None = None, **extra: Any) -> dict[str, Any]:
    choice = {"index": 0, "delta": {"content": content} if content is not None else {}, "finish_reason": finish}
    return {"id": "c", "object": "chat.completion.chunk", "model": "gpt-4o-mini", "choices": [choice], **extra}


def streamed(body: bytes, request: ChatRequest = HELLO) -> tuple[str, ChatResult]:
    with web_server(body=body, content_type="text/event-stream") as port:
        stream = stream_chat(Connection(f"http://127.0.0.1:{port}/", DEMO_KEY, "d", "2024-10-21"), request)
        text = "".join(stream)
    assert stream.result is not None
    return text, stream.result


def test_a_chat_stream_reports_text_model_usage_and_finish() -> None:
    usage = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
    # Azure's prompt-filter event has no choices; anything after [DONE] is never read.
    body = sse_body(
        {"choices": [], "prompt_filter_results": []}, chunk("Hi"), chunk(" there"), chunk(finish="stop"), done=False
    )
    body += sse_body({"choices": [], "usage": usage}) + sse_body(chunk("AFTER-DONE"))
    text, result = streamed(body)
    assert text == "Hi there" and result.ok and result.finish_reason == "stop"
    assert result.model == "gpt-4o-mini" and result.usage is not None and result.usage.completion_tokens == 2


def test_an_error_event_breaks_the_stream_like_the_sdk() -> None:
    body = sse_body(chunk("partial"), {"error": {"message": "server overloaded", "code": "500"}})
    text, result = streamed(body)
    assert text == "partial" and result.interrupted and not result.stopped
    assert result.diagnosis.code == "stream_interrupted"
    assert result.diagnosis.evidence.detail == "APIError: server overloaded"


def test_a_body_that_is_not_json_breaks_the_stream() -> None:
    text, result = streamed(sse_body(chunk("a"), done=False) + b"data: {not json\n\n")
    assert text == "a" and result.interrupted and "JSONDecodeError" in (result.diagnosis.evidence.detail or "")


def test_a_failed_responses_stream_names_the_error() -> None:
    request = replace(HELLO, api="responses")
    failed = {"type": "response.failed", "response": {"status": "failed", "error": {"message": "model crashed"}}}
    delta = {"type": "response.output_text.delta", "delta": "Hel"}
    text, result = streamed(sse_body(delta, failed, done=False), request)
    assert text == "Hel" and result.interrupted
    assert result.diagnosis.evidence.detail == "ResponseStreamError: model crashed"
