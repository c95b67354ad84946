"""The v1 Responses API (``POST /openai/v1/responses``) for the chat deployments.

Bodies and the streaming event sequence follow OpenAI's Responses API as Azure serves it on
``/openai/v1/responses`` (SPEC-V1 ``OpenAI.Response``, ``OpenAI.ResponseStreamEvent``): events
``response.created`` → ``response.in_progress`` → ``response.output_item.added`` →
``response.content_part.added`` → ``response.output_text.delta``… → ``response.output_text.done`` →
``response.content_part.done`` → ``response.output_item.done`` → ``response.completed`` (with
usage, reasoning tokens included), each SSE carrying ``event:`` and a ``sequence_number``; no
``[DONE]``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from aoai_lab.emulator import structured, wire
from aoai_lab.emulator.completion import EFFORT_TOKENS
from aoai_lab.emulator.config import Deployment
from aoai_lab.emulator.pacing import Pace
from aoai_lab.emulator.replies import compose_reply
from aoai_lab.emulator.validation import Problem, invalid_type, json_type, unknown_arguments
from aoai_lab.tokens import estimate_prompt_tokens, split_tokens

logger = logging.getLogger(__name__)

RESPONSE_ARGUMENTS = frozenset(
    {
        "model", "input", "instructions", "stream", "max_output_tokens", "reasoning", "text", "tools",
        "tool_choice", "temperature", "top_p", "store", "metadata", "previous_response_id", "user",
        "parallel_tool_calls", "truncation", "include", "background", "service_tier", "stream_options",
        "prompt_cache_key", "safety_identifier", "top_logprobs", "max_tool_calls", "conversation", "prompt",
    }
)  # fmt: skip


def messages_of(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The request as chat messages (for the tutor reply and the token estimate)."""
    messages: list[dict[str, Any]] = []
    instructions = body.get("instructions")
    if isinstance(instructions, str):
        messages.append({"role": "system", "content": instructions})
    source = body.get("input")
    if isinstance(source, str):
        messages.append({"role": "user", "content": source})
    elif isinstance(source, list):
        for item in source:
            if isinstance(item, dict) and item.get("role") in ("user", "system", "developer", "assistant"):
                content = item.get("content")
                if isinstance(content, list):
                    content = [{"text": p.get("text", "")} for p in content if isinstance(p, dict)]
                messages.append({"role": item["role"], "content": content if isinstance(content, str | list) else ""})
    return messages


def validate(body: Mapping[str, Any], deployment: Deployment) -> Problem | None:
    """The Responses API's checks (OpenAI's wording), first problem wins."""
    if problem := unknown_arguments(body, RESPONSE_ARGUMENTS):
        return problem
    source = body.get("input")
    if source is not None and not isinstance(source, str | list):
        return invalid_type("input", "one of a string or array of input items", source)
    instructions = body.get("instructions")
    if instructions is not None and not isinstance(instructions, str):
        return invalid_type("instructions", "a string", instructions)
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        return invalid_type("stream", "a boolean", stream)
    limit = body.get("max_output_tokens")
    if limit is not None:
        if not isinstance(limit, int) or isinstance(limit, bool):
            return invalid_type("max_output_tokens", "an integer", limit)
        if limit < 16:
            # OpenAI's Responses API minimum.
            message = f"Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got {limit} instead."
            return Problem(message, "max_output_tokens", "integer_below_min_value")
        if limit > deployment.max_output_tokens:
            ceiling = deployment.max_output_tokens
            message = f"max_output_tokens is too large: {limit}. This model supports at most {ceiling} completion tokens, whereas you provided {limit}."
            return Problem(message, "max_output_tokens", "invalid_value")
    reasoning = body.get("reasoning")
    if reasoning is not None:
        if not isinstance(reasoning, dict):
            return invalid_type("reasoning", "an object", reasoning)
        effort = reasoning.get("effort")
        if effort is not None and deployment.kind != "reasoning":
            return Problem(
                "Unsupported parameter: 'reasoning.effort' is not supported with this model.",
                "reasoning.effort",
                "unsupported_parameter",
            )
        if effort is not None and effort not in deployment.reasoning_efforts:
            shown = effort if isinstance(effort, str) else json_type(effort)
            allowed = [f"'{e}'" for e in deployment.reasoning_efforts]
            listed = ", ".join(allowed[:-1]) + f", and {allowed[-1]}"
            return Problem(
                f"Unsupported value: 'reasoning.effort' does not support '{shown}' with this model. Supported values are: {listed}.",
                "reasoning.effort",
                "unsupported_value",
            )
    if deployment.kind == "reasoning":
        for name in ("temperature", "top_p"):
            value = body.get(name)
            if value is not None and value != 1:
                return Problem(
                    f"Unsupported parameter: '{name}' is not supported with this model.", name, "unsupported_parameter"
                )
    return None


@dataclass(frozen=True)
class ResponseReply:
    """One Responses API answer, whole or streamed."""

    body: Mapping[str, Any]
    deployment: Deployment
    pieces: list[str]
    input_tokens: int
    reasoning_tokens: int
    status: str  # completed | incomplete
    response_id: str
    message_id: str
    reasoning_id: str
    created: int

    @property
    def text(self) -> str:
        """The reply's text."""
        return "".join(self.pieces)

    def usage(self) -> dict[str, Any]:
        """The Responses API usage block; ``output_tokens`` includes reasoning tokens."""
        output = len(self.pieces) + self.reasoning_tokens
        return {
            "input_tokens": self.input_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": output,
            "output_tokens_details": {"reasoning_tokens": self.reasoning_tokens},
            "total_tokens": self.input_tokens + output,
        }

    def message(self, status: str, text: str | None) -> dict[str, Any]:
        """The assistant message item (``text`` None: no content part yet)."""
        content = [] if text is None else [self.part(text)]
        return {"content": content, "id": self.message_id, "role": "assistant", "status": status, "type": "message"}

    @staticmethod
    def part(text: str) -> dict[str, Any]:
        """An ``output_text`` content part."""
        return {"annotations": [], "logprobs": [], "text": text, "type": "output_text"}

    def output(self, done: bool) -> list[dict[str, Any]]:
        """The output items: a reasoning item (reasoning models), then the message."""
        items: list[dict[str, Any]] = []
        if self.deployment.kind == "reasoning":
            items.append({"id": self.reasoning_id, "summary": [], "type": "reasoning"})
        if done:
            items.append(self.message("completed", self.text))
        return items

    def resource(self, status: str) -> dict[str, Any]:
        """The ``response`` object in ``status`` (in_progress while streaming, then final)."""
        final = status != "in_progress"
        body = self.body
        effort = (body.get("reasoning") or {}).get("effort") or self.deployment.default_effort
        incomplete = {"reason": "max_output_tokens"} if status == "incomplete" else None
        return {
            "background": False,
            "created_at": self.created,
            "error": None,
            "id": self.response_id,
            "incomplete_details": incomplete,
            "instructions": body.get("instructions"),
            "max_output_tokens": body.get("max_output_tokens"),
            "metadata": body.get("metadata") or {},
            "model": self.deployment.model,
            "object": "response",
            "output": self.output(final) if final else [],
            "parallel_tool_calls": True,
            "previous_response_id": body.get("previous_response_id"),
            "reasoning": {"effort": effort if self.deployment.kind == "reasoning" else None, "summary": None},
            "service_tier": "default",
            "status": status,
            "store": body.get("store", True),
            "temperature": body.get("temperature", 1.0),
            "text": body.get("text") or {"format": {"type": "text"}},
            "tool_choice": body.get("tool_choice", "auto"),
            "tools": body.get("tools") or [],
            "top_p": body.get("top_p", 1.0),
            "truncation": "disabled",
            "usage": self.usage() if final else None,
            "user": body.get("user"),
        }


def build(body: Mapping[str, Any], deployment: Deployment) -> ResponseReply:
    """The demo answer to a validated Responses request."""
    messages = messages_of(body)
    text = compose_reply(messages, deployment.name)
    pieces = split_tokens(structured.json_reply(text, chat_format(body)) or text)
    reasoning = 0
    if deployment.kind == "reasoning":
        effort = (body.get("reasoning") or {}).get("effort") or deployment.default_effort
        reasoning = EFFORT_TOKENS.get(str(effort), 0)
    status = "completed"
    limit = body.get("max_output_tokens")
    if isinstance(limit, int):
        reasoning = min(reasoning, limit)
        if len(pieces) > limit - reasoning:
            pieces, status = pieces[: limit - reasoning], "incomplete"
    hex_id = uuid.uuid4().hex
    return ResponseReply(
        body=body,
        deployment=deployment,
        pieces=pieces,
        input_tokens=estimate_prompt_tokens(messages),
        reasoning_tokens=reasoning,
        status=status,
        response_id="resp_" + hex_id + hex_id[:16],
        message_id="msg_" + hex_id[::-1] + hex_id[:16],
        reasoning_id="rs_" + hex_id[1:] + hex_id[:17],
        created=int(time.time()),
    )


def chat_format(body: Mapping[str, Any]) -> dict[str, Any] | None:
    """``text.format`` in Chat Completions' ``response_format`` shape (the json_schema fields sit
    one level up in the Responses API), so JSON mode and schemas answer alike on both APIs."""
    options = body.get("text")
    fmt = options.get("format") if isinstance(options, dict) else None
    if not isinstance(fmt, dict):
        return None
    if fmt.get("type") == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": fmt.get("name"), "schema": fmt.get("schema")}}
    return fmt


def _sse(kind: str, payload: dict[str, Any], sequence: int) -> bytes:
    data = {"type": kind, "sequence_number": sequence, **payload}
    return f"event: {kind}\n".encode() + b"data: " + wire.compact(data) + b"\n\n"


async def stream(reply: ResponseReply, tokens_per_second: float) -> AsyncIterator[bytes]:
    """The Responses API event sequence (see the module docstring); an unexpected error ends it
    with an ``error`` event instead of leaving the stream open."""
    sent = 0
    try:
        async for chunk in _events(reply, tokens_per_second):
            sent += 1
            yield chunk
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.warning("emulator responses stream ended by an unexpected error", exc_info=True)
        error = {
            "code": "server_error",
            "message": "The server had an error while processing your request.",
            "param": None,
        }
        yield _sse("error", error, sent)


async def _events(reply: ResponseReply, tokens_per_second: float) -> AsyncIterator[bytes]:
    sequence = 0

    def emit(kind: str, payload: dict[str, Any]) -> bytes:
        nonlocal sequence
        chunk = _sse(kind, payload, sequence)
        sequence += 1
        return chunk

    yield emit("response.created", {"response": reply.resource("in_progress")})
    yield emit("response.in_progress", {"response": reply.resource("in_progress")})
    index = 0
    if reply.deployment.kind == "reasoning":
        item = {"id": reply.reasoning_id, "summary": [], "type": "reasoning"}
        yield emit("response.output_item.added", {"item": item, "output_index": 0})
        yield emit("response.output_item.done", {"item": item, "output_index": 0})
        index = 1
    where = {"item_id": reply.message_id, "output_index": index, "content_index": 0}
    yield emit("response.output_item.added", {"item": reply.message("in_progress", None), "output_index": index})
    yield emit("response.content_part.added", {**where, "part": reply.part("")})

    def delta(piece: str) -> bytes:
        return emit("response.output_text.delta", {**where, "delta": piece, "logprobs": []})

    async for write in Pace(tokens_per_second).writes(reply.pieces, delta):
        yield write
    yield emit("response.output_text.done", {**where, "text": reply.text, "logprobs": []})
    yield emit("response.content_part.done", {**where, "part": reply.part(reply.text)})
    yield emit("response.output_item.done", {"item": reply.message("completed", reply.text), "output_index": index})
    final = "response.completed" if reply.status == "completed" else "response.incomplete"
    yield emit(final, {"response": reply.resource(reply.status)})
