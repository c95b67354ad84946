"""Chat completion replies: the reply itself, as a whole body or as Azure's SSE stream (§5, §6)."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aoai_lab.emulator import structured, wire
from aoai_lab.emulator.config import Deployment
from aoai_lab.emulator.pacing import Pace
from aoai_lab.emulator.replies import compose_reply
from aoai_lab.tokens import message_text, split_tokens

logger = logging.getLogger(__name__)

# Reasoning tokens spent per reasoning_effort (deterministic stand-ins).
EFFORT_TOKENS = {"none": 0, "minimal": 8, "low": 16, "medium": 64, "high": 192, "xhigh": 384}


class StreamDropped(Exception):
    """Raised inside a streaming body to cut the connection mid-stream (``drop-stream`` fault)."""


@dataclass(frozen=True)
class Reply:
    """A reply ready to serialise, whole or as a stream. All ``n`` choices carry the same content."""

    deployment: Deployment
    pieces: list[str]
    finish_reason: str
    filtered: str | None
    prompt_tokens: int
    reasoning_tokens: int
    completion_id: str
    created: int
    n: int = 1
    tool_call: structured.ToolCall | None = None
    logprobs: bool = False

    @property
    def completion_tokens(self) -> int:
        """Visible plus reasoning tokens, over all choices."""
        visible = len(self.pieces) + (len(split_tokens(self.tool_call.arguments)) if self.tool_call else 0)
        return self.n * visible + self.reasoning_tokens

    @property
    def text(self) -> str:
        """The visible content of one choice."""
        return "".join(self.pieces)

    def usage(self) -> dict[str, Any]:
        """Azure's usage block (§5)."""
        return {
            "completion_tokens": self.completion_tokens,
            "completion_tokens_details": {
                "accepted_prediction_tokens": 0,
                "audio_tokens": 0,
                "reasoning_tokens": self.reasoning_tokens,
                "rejected_prediction_tokens": 0,
            },
            "prompt_tokens": self.prompt_tokens,
            "prompt_tokens_details": {"audio_tokens": 0, "cached_tokens": 0},
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }

    def envelope(self, obj: str) -> dict[str, Any]:
        """The fields every body and chunk shares."""
        return {
            "created": self.created,
            "id": self.completion_id,
            "model": self.deployment.model,
            "object": obj,
            "system_fingerprint": self.deployment.system_fingerprint,
        }

    def tool_calls(self) -> list[dict[str, Any]]:
        """The message's ``tool_calls`` (empty when the reply is text)."""
        if self.tool_call is None:
            return []
        function = {"arguments": self.tool_call.arguments, "name": self.tool_call.name}
        return [{"function": function, "id": self.tool_call.call_id, "type": "function"}]

    def logprobs_block(self) -> dict[str, Any] | None:
        """``choices[].logprobs`` when asked for: each piece certain (log probability 0)."""
        if not self.logprobs:
            return None
        content = [
            {"bytes": list(piece.encode("utf-8", "surrogatepass")), "logprob": 0.0, "token": piece, "top_logprobs": []}
            for piece in self.pieces
        ]
        return {"content": content, "refusal": None}

    def completion(self) -> dict[str, Any]:
        """The non-streaming ``chat.completion`` body."""
        message: dict[str, Any] = {
            "annotations": [],
            "content": None if self.tool_call else self.text,
            "refusal": None,
            "role": "assistant",
        }
        if self.tool_call:
            message["tool_calls"] = self.tool_calls()
        choices = [
            {
                "content_filter_results": wire.completion_filter_results(self.filtered),
                "finish_reason": self.finish_reason,
                "index": index,
                "logprobs": self.logprobs_block(),
                "message": message,
            }
            for index in range(self.n)
        ]
        prompt_results = [{"prompt_index": 0, "content_filter_results": wire.prompt_filter_results()}]
        return {
            **self.envelope("chat.completion"),
            "choices": choices,
            "prompt_filter_results": prompt_results,
            "usage": self.usage(),
        }


def _reasoning_tokens(body: Mapping[str, Any], deployment: Deployment) -> int:
    if deployment.kind != "reasoning":
        return 0
    return EFFORT_TOKENS.get(str(body.get("reasoning_effort") or deployment.default_effort), 0)


def _apply_stop(text: str, stop: object) -> tuple[str, bool]:
    """``text`` cut before the first stop sequence, and whether one was found."""
    sequences = [stop] if isinstance(stop, str) else [s for s in stop or () if isinstance(s, str) and s]  # type: ignore[attr-defined]
    cuts = [text.find(s) for s in sequences if s and s in text]
    return (text[: min(cuts)], True) if cuts else (text, False)


def build_reply(
    body: Mapping[str, Any], deployment: Deployment, prompt_tokens: int, limit: int | None, reply_filtered: bool
) -> Reply:
    """The demo reply to a validated chat request."""
    messages = body["messages"]
    text = compose_reply(messages, deployment.name)
    tool = structured.chosen_tool(body)
    call = None
    if tool is not None:
        last = next((message_text(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
        call = structured.tool_call(tool, "call_" + uuid.uuid4().hex[:24], last[:40] or "demo")
        text = ""
    else:
        text = structured.json_reply(text, body.get("response_format")) or _apply_stop(text, body.get("stop"))[0]
    pieces = split_tokens(text)
    finish, filtered = ("tool_calls" if call else "stop"), None
    if reply_filtered and not call:
        pieces, finish, filtered = pieces[: max(1, len(pieces) // 2)], "content_filter", "protected_material_text"
    reasoning = _reasoning_tokens(body, deployment)
    if limit is not None:
        reasoning = min(reasoning, limit)  # reasoning spends the budget first
        visible = limit - reasoning
        if len(pieces) > visible:
            pieces, finish = pieces[:visible], "length"
    n = body.get("n")
    return Reply(
        deployment=deployment,
        pieces=pieces,
        finish_reason=finish,
        filtered=filtered,
        prompt_tokens=prompt_tokens,
        reasoning_tokens=reasoning,
        completion_id=wire.completion_id(),
        created=int(time.time()),
        n=n if isinstance(n, int) and not isinstance(n, bool) and n > 0 else 1,
        tool_call=call,
        logprobs=body.get("logprobs") is True,
    )


def _chunk_choice(delta: dict[str, Any], filter_results: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return {
        "content_filter_results": filter_results,
        "delta": delta,
        "finish_reason": None,
        "index": index,
        "logprobs": None,
    }


def event(payload: dict[str, Any]) -> bytes:
    """One SSE ``data:`` event."""
    return b"data: " + wire.azure_json(payload) + b"\n\n"


def _token_event(reply: Reply, chunk: dict[str, Any], usage_null: dict[str, Any]) -> Callable[[str], bytes]:
    """The SSE event of one token (text, or a tool call's arguments), encoded once for all tokens."""
    slot = f"token-{uuid.uuid4().hex}"
    delta: dict[str, Any]
    if reply.tool_call is not None:
        delta = {"tool_calls": [{"function": {"arguments": slot}, "index": 0}]}
    else:
        delta = {"content": slot}
    choices = [_chunk_choice(delta, wire.completion_filter_results(), i) for i in range(reply.n)]
    fill = wire.azure_json_filler({**chunk, "choices": choices, **usage_null}, slot)
    return lambda text: b"data: " + fill(text) + b"\n\n"


async def stream(reply: Reply, tokens_per_second: float, include_usage: bool, drop: bool) -> AsyncIterator[bytes]:
    """Azure's event sequence (§6), ending with an error event if anything unexpected happens.

    A stream that meets an unexpected error mid-way sends one ``data: {"error": …}`` event and ends
    instead of hanging open (openai-python raises ``APIError`` from it).
    """
    try:
        async for chunk in _events(reply, tokens_per_second, include_usage, drop):
            yield chunk
    except (StreamDropped, asyncio.CancelledError):
        raise
    except Exception:
        logger.warning("emulator stream ended by an unexpected error", exc_info=True)
        error = {
            "error": {
                "message": "The server had an error while processing your request.",
                "type": "server_error",
                "param": None,
                "code": None,
            }
        }
        yield b"data: " + wire.compact(error) + b"\n\n"


async def _events(reply: Reply, tokens_per_second: float, include_usage: bool, drop: bool) -> AsyncIterator[bytes]:
    usage_null = {"usage": None} if include_usage else {}
    first = {
        "choices": [],
        "created": 0,
        "id": "",
        "model": "",
        "object": "",
        "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": wire.prompt_filter_results()}],
    }
    yield event(first)
    chunk = reply.envelope("chat.completion.chunk")
    role_delta = {"content": "", "refusal": None, "role": "assistant"}
    yield event({**chunk, "choices": [_chunk_choice(role_delta, {}, i) for i in range(reply.n)]})
    pieces = reply.pieces
    if reply.tool_call is not None:
        call = reply.tool_call
        head = {"function": {"arguments": "", "name": call.name}, "id": call.call_id, "index": 0, "type": "function"}
        yield event(
            {**chunk, "choices": [_chunk_choice({"tool_calls": [head]}, {}, i) for i in range(reply.n)], **usage_null}
        )
        pieces = split_tokens(call.arguments)
    if drop:  # cut in the middle; a reply too short for that, before its end
        pieces = pieces[: max(1, len(pieces) // 2)]
    async for write in Pace(tokens_per_second).writes(pieces, _token_event(reply, chunk, usage_null)):
        yield write
    if drop:
        raise StreamDropped
    finals = []
    for i in range(reply.n):
        final = _chunk_choice({}, wire.completion_filter_results(reply.filtered) if reply.filtered else {}, i)
        final["finish_reason"] = reply.finish_reason
        finals.append(final)
    yield event({**chunk, "choices": finals, **usage_null})
    if include_usage:
        yield event({**chunk, "choices": [], "usage": reply.usage()})
    yield b"data: [DONE]\n\n"
