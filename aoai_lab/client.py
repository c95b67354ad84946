"""The chat client: the real openai SDK, built from a :class:`Connection` with explicit credentials.

``chat`` and ``stream_chat`` never raise for anything the service or the network does: every
outcome is a :class:`ChatResult` with a :class:`~aoai_lab.diagnosis.Diagnosis`, the text so far,
usage, timings and the request id — what the chat page shows and the request log records.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx2
from openai import AzureOpenAI, OpenAI

from aoai_lab.connection import Connection
from aoai_lab.diagnosis import (
    OK,
    CallContext,
    Diagnosis,
    Evidence,
    from_exception,
    redact_url,
    request_id_of,
    unexpected_response,
)
from aoai_lab.request import ChatRequest

# Interactive use: fail fast and let the learner retry; the SDK default (600 s, 2 retries) would
# leave a page hanging on a bad endpoint.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
# How often a stream hands text to the UI. Batching keeps a shared server responsive: one
# rerender per token costs ~20x the CPU and bandwidth (streamlit-practice.md §2.2).
BATCH_INTERVAL = 0.08


def make_sdk_client(
    connection: Connection,
    *,
    timeout: float = READ_TIMEOUT,
    max_retries: int = 0,
    extra_headers: Mapping[str, str] | None = None,
) -> OpenAI:
    """The SDK client the app uses for ``connection``.

    Credentials are always passed explicitly: with ``api_key=None`` the SDK would silently fall
    back to ``AZURE_OPENAI_API_KEY`` from the server's environment, i.e. someone else's key.
    Classic style: ``AzureOpenAI(azure_endpoint, api_key, api_version)`` as in the tutorial.
    v1 style: ``OpenAI(base_url=…/openai/v1/, api_key)``, adding ``api-version`` only if one is set.
    """
    http_timeout = httpx2.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))
    headers = dict(extra_headers or {})
    if connection.style == "v1":
        query = {"api-version": connection.api_version} if connection.api_version else None
        return OpenAI(
            base_url=connection.v1_base_url,
            api_key=connection.api_key,
            default_query=query,
            default_headers=headers,
            timeout=http_timeout,
            max_retries=max_retries,
        )
    return AzureOpenAI(
        azure_endpoint=connection.endpoint,
        api_key=connection.api_key,
        api_version=connection.api_version,
        default_headers=headers,
        timeout=http_timeout,
        max_retries=max_retries,
    )


def call_context(connection: Connection) -> CallContext:
    """What a diagnosis needs to know about the call (nothing secret)."""
    return CallContext(
        deployment=connection.deployment,
        api_version=connection.api_version,
        style=connection.style,
        host=connection.host,
        url=connection.chat_url,
    )


@dataclass(frozen=True)
class Usage:
    """Token counts reported by the service."""

    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int = 0


@dataclass(frozen=True)
class ChatResult:
    """The outcome of one chat call, successful or not."""

    text: str
    diagnosis: Diagnosis
    streamed: bool
    latency_ms: float
    ttft_ms: float | None = None
    status: int | None = None
    request_id: str | None = None
    region: str | None = None
    model: str | None = None
    finish_reason: str | None = None
    usage: Usage | None = None
    # True when a stream broke midway: ``text`` is the part that arrived.
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        """True when the reply arrived whole."""
        return self.diagnosis.ok


def _usage(raw: Any) -> Usage | None:
    if raw is None:
        return None
    details = getattr(raw, "completion_tokens_details", None)
    return Usage(
        prompt_tokens=int(raw.prompt_tokens or 0),
        completion_tokens=int(raw.completion_tokens or 0),
        reasoning_tokens=int(getattr(details, "reasoning_tokens", 0) or 0),
    )


def content_type_problem(raw: Any, expected: str, context: CallContext) -> Diagnosis | None:
    """A diagnosis when a 2xx response is not ``expected`` (JSON or SSE) — i.e. not Azure OpenAI."""
    content_type = str(raw.headers.get("content-type", ""))
    if content_type.startswith(expected):
        return None
    return unexpected_response(raw.status_code, content_type, context)


def _ids(headers: Mapping[str, str]) -> tuple[str | None, str | None]:
    return request_id_of(headers), headers.get("x-ms-region")


def _finish_diagnosis(finish_reason: str | None, headers: Mapping[str, str], status: int) -> Diagnosis:
    """A reply the content filter cut is not an error, but it must be explained, not swallowed."""
    if finish_reason != "content_filter":
        return OK
    request_id, _ = _ids(headers)
    evidence = Evidence(status=status, error_code="content_filter", request_id=request_id, detail="finish_reason")
    return Diagnosis("content_filtered", evidence, hints=("diag.hint.reply_filtered",), severity="warning")


def chat(
    connection: Connection,
    request: ChatRequest,
    *,
    timeout: float = READ_TIMEOUT,
    extra_headers: Mapping[str, str] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> ChatResult:
    """One non-streaming chat call (``request.stream`` is ignored)."""
    body = {k: v for k, v in request.body(connection.deployment).items() if k not in ("stream", "stream_options")}
    started = clock()
    try:
        client = make_sdk_client(connection, timeout=timeout, extra_headers=extra_headers)
        raw = client.chat.completions.with_raw_response.create(**body)
        problem = content_type_problem(raw, "application/json", call_context(connection))
        if problem:
            return _failed_with(problem, started, clock, streamed=False)
        completion = raw.parse()
    except Exception as error:  # every failure becomes a diagnosis, never a traceback
        return _failed(error, connection, started, clock, streamed=False)
    latency = (clock() - started) * 1000
    headers = dict(raw.headers)
    request_id, region = _ids(headers)
    choice = completion.choices[0] if completion.choices else None
    finish = choice.finish_reason if choice else None
    return ChatResult(
        text=(choice.message.content or "") if choice else "",
        diagnosis=_finish_diagnosis(finish, headers, raw.status_code),
        streamed=False,
        latency_ms=latency,
        ttft_ms=latency,
        status=raw.status_code,
        request_id=request_id,
        region=region,
        model=completion.model,
        finish_reason=finish,
        usage=_usage(completion.usage),
    )


def _failed(
    error: BaseException,
    connection: Connection,
    started: float,
    clock: Callable[[], float],
    *,
    streamed: bool,
) -> ChatResult:
    return _failed_with(from_exception(error, call_context(connection)), started, clock, streamed=streamed)


def _failed_with(diagnosis: Diagnosis, started: float, clock: Callable[[], float], *, streamed: bool) -> ChatResult:
    return ChatResult(
        text="",
        diagnosis=diagnosis,
        streamed=streamed,
        latency_ms=(clock() - started) * 1000,
        status=diagnosis.evidence.status,
        request_id=diagnosis.evidence.request_id,
    )


@dataclass
class ChatStream:
    """A streaming chat call: iterate for batched text; ``result`` is set when it ends.

    Iteration never raises for service or network failures. A stream that breaks midway ends
    with ``result.interrupted`` and the partial text kept; one abandoned by the consumer (a
    Streamlit rerun) also records its partial text.
    """

    connection: Connection
    request: ChatRequest
    batch_interval: float = BATCH_INTERVAL
    timeout: float = READ_TIMEOUT
    extra_headers: Mapping[str, str] | None = None
    clock: Callable[[], float] = time.perf_counter
    result: ChatResult | None = field(default=None, init=False)
    _parts: list[str] = field(default_factory=list, init=False, repr=False)

    @property
    def text(self) -> str:
        """The text received so far."""
        return "".join(self._parts)

    def __iter__(self) -> Iterator[str]:
        body = self.request.body(self.connection.deployment)
        body["stream"] = True
        started = self.clock()
        try:
            client = make_sdk_client(self.connection, timeout=self.timeout, extra_headers=self.extra_headers)
            raw = client.chat.completions.with_raw_response.create(**body)
            problem = content_type_problem(raw, "text/event-stream", call_context(self.connection))
            if problem:
                raw.http_response.close()
                self.result = _failed_with(problem, started, self.clock, streamed=True)
                return
            stream = raw.parse()
        except Exception as error:  # every failure becomes a diagnosis, never a traceback
            self.result = _failed(error, self.connection, started, self.clock, streamed=True)
            return
        state = _StreamState(headers=dict(raw.headers), status=raw.status_code, started=started)
        try:
            yield from self._batches(stream, state)
        except Exception as error:  # the stream broke midway: keep what arrived, and show all of it
            self.result = self._interrupted(state, error)
            if len(self.text) > state.shown:
                yield self.text[state.shown :]
        except GeneratorExit:  # the consumer went away (rerun, closed tab): record the partial reply
            self.result = self._interrupted(state, None)
            raise
        else:
            self.result = self._finished(state)
        finally:
            stream.close()

    def _batches(self, stream: Any, state: _StreamState) -> Iterator[str]:
        pending: list[str] = []
        last_flush = self.clock()
        for chunk in stream:
            state.model = state.model or chunk.model or None
            if getattr(chunk, "usage", None):
                state.usage = _usage(chunk.usage)
            if not chunk.choices:  # Azure's prompt-filter event and the usage event have no choices
                continue
            choice = chunk.choices[0]
            state.finish_reason = choice.finish_reason or state.finish_reason
            piece = choice.delta.content if choice.delta else None
            if not piece:
                continue
            if state.ttft is None:
                state.ttft = (self.clock() - state.started) * 1000
            self._parts.append(piece)
            pending.append(piece)
            now = self.clock()
            # The first piece goes out at once (time to first token is what learners notice).
            if len(self._parts) == 1 or now - last_flush >= self.batch_interval:
                state.shown += sum(map(len, pending))
                yield "".join(pending)
                pending.clear()
                last_flush = now
        if pending:
            state.shown += sum(map(len, pending))
            yield "".join(pending)

    def _result(self, state: _StreamState, diagnosis: Diagnosis, interrupted: bool) -> ChatResult:
        request_id, region = _ids(state.headers)
        return ChatResult(
            text=self.text,
            diagnosis=diagnosis,
            streamed=True,
            latency_ms=(self.clock() - state.started) * 1000,
            ttft_ms=state.ttft,
            status=state.status,
            request_id=request_id,
            region=region,
            model=state.model,
            finish_reason=state.finish_reason,
            usage=state.usage,
            interrupted=interrupted,
        )

    def _finished(self, state: _StreamState) -> ChatResult:
        return self._result(state, _finish_diagnosis(state.finish_reason, state.headers, state.status), False)

    def _interrupted(self, state: _StreamState, error: BaseException | None) -> ChatResult:
        request_id, _ = _ids(state.headers)
        cause = f"{type(error).__name__}: {error}" if error else "closed by the app"
        evidence = Evidence(
            status=state.status,
            request_id=request_id,
            url=redact_url(self.connection.chat_url),
            detail=cause[:300],
        )
        params = {"received": str(len(self.text))}
        return self._result(state, Diagnosis("stream_interrupted", evidence, params), True)


@dataclass
class _StreamState:
    """What a stream has told us so far."""

    headers: dict[str, str]
    status: int
    started: float
    model: str | None = None
    finish_reason: str | None = None
    usage: Usage | None = None
    ttft: float | None = None
    shown: int = 0  # characters handed to the consumer so far


def stream_chat(connection: Connection, request: ChatRequest, **options: Any) -> ChatStream:
    """A streaming chat call; iterate it for text batches, then read ``.result``."""
    return ChatStream(connection, request, **options)
