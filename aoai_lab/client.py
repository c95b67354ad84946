"""The chat client: the real openai SDK, built from a :class:`Connection` with explicit credentials.

``chat`` and ``stream_chat`` never raise for anything the service or the network does: every
outcome is a :class:`ChatResult` with a :class:`~aoai_lab.diagnosis.Diagnosis`, the text so far,
usage, timings and the request id — what the chat page shows and the request log records.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import TYPE_CHECKING, Any

import httpx2

if TYPE_CHECKING:  # the SDK is imported on first use: the Guide page never needs it (issue 12)
    from openai import OpenAI

from aoai_lab import deadline
from aoai_lab.classroom import seat as classroom_seat
from aoai_lab.connection import Connection
from aoai_lab.diagnosis import (
    OK,
    CallContext,
    Diagnosis,
    Evidence,
    from_exception,
    redact_url,
    request_id_of,
    scrub,
    unexpected_response,
)
from aoai_lab.request import ChatRequest, responses_route
from aoai_lab.sse import json_events

# Interactive use: fail fast and let the learner retry; the SDK default (600 s, 2 retries) would
# leave a page hanging on a bad endpoint.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
# How often a stream hands text to the UI. Batching keeps a shared server responsive: one
# rerender per token costs ~20x the CPU and bandwidth (streamlit-practice.md §2.2).
BATCH_INTERVAL = 0.08


_shared_http: httpx2.Client | None = None
_shared_lock = threading.Lock()


def _cookieless_jar() -> CookieJar:
    """A cookie jar that stores nothing: the HTTP client is shared by every session, and a cookie
    one learner's endpoint sets must never ride along on another learner's request."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def shared_http_client() -> httpx2.Client:
    """The one HTTP client (connection pool + SSL context) of this process, made on first use.

    Building it per request cost ~48 ms of CPU (an SSL context, even for ``http://``), twice per
    check and once per chat turn (issue 12). It holds no credential: keys, api-version and
    headers are set per SDK client, and per-request timeouts override the client's. Redirects are
    never followed (the SDK's own client would): a 3xx from an endpoint is reported, and the
    ``api-key`` header is never replayed to wherever a redirect points.
    """
    global _shared_http
    with _shared_lock:
        if _shared_http is None or _shared_http.is_closed:
            from openai import DefaultHttpxClient  # the SDK's limits and timeout defaults

            # The transport bounds every socket operation by aoai_lab.deadline (the check's one deadline).
            _shared_http = DefaultHttpxClient(
                follow_redirects=False, cookies=_cookieless_jar(), transport=deadline.transport()
            )
        return _shared_http


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
    Every SDK client shares :func:`shared_http_client` (no redirects followed, no cookies kept).
    """
    from openai import AzureOpenAI, OpenAI

    http_timeout = httpx2.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))
    headers = dict(extra_headers or {})
    http_client = shared_http_client()
    if connection.style == "v1":
        query = {"api-version": connection.api_version} if connection.api_version else None
        return OpenAI(
            base_url=connection.v1_base_url,
            api_key=connection.api_key,
            default_query=query,
            default_headers=headers,
            timeout=http_timeout,
            max_retries=max_retries,
            http_client=http_client,
        )
    return AzureOpenAI(
        azure_endpoint=connection.endpoint,
        api_key=connection.api_key,
        api_version=connection.api_version,
        default_headers=headers,
        timeout=http_timeout,
        max_retries=max_retries,
        http_client=http_client,
    )


def call_context(connection: Connection, request: ChatRequest | None = None) -> CallContext:
    """What a diagnosis needs to know about the call; the key only to scrub it from error texts."""
    responses = request is not None and request.api == "responses"
    if responses:  # what was really called: the v1 route, without the classic api-version
        connection = responses_route(connection)
    return CallContext(
        deployment=connection.deployment,
        api_version=connection.api_version,
        style=connection.style,
        host=connection.host,
        url=responses_url(connection) if responses else connection.chat_url,
        secrets=(connection.api_key,),
    )


def responses_connection(connection: Connection) -> Connection:
    """The connection the Responses API is called on: always the v1 route (``responses_route``)."""
    return responses_route(connection)


def responses_url(connection: Connection) -> str:
    """The Responses API URL of ``connection`` (for diagnoses; the SDK builds its own)."""
    return f"{responses_connection(connection).v1_base_url}responses"


def _send(connection: Connection, request: ChatRequest, client: OpenAI, *, stream: bool) -> Any:
    """One raw SDK call for ``request`` on its API: Chat Completions or the Responses API."""
    if request.api == "responses":
        body = request.responses_body(connection.deployment)
        if not stream:
            body.pop("stream", None)
        return client.responses.with_raw_response.create(**body)
    body = request.body(connection.deployment)
    if stream:
        body["stream"] = True
    else:
        body = {k: v for k, v in body.items() if k not in ("stream", "stream_options")}
    return client.chat.completions.with_raw_response.create(**body)


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
    # True when the app itself stopped reading (a rerun), not the service or the network.
    stopped: bool = False

    @property
    def ok(self) -> bool:
        """True when the reply arrived whole."""
        return self.diagnosis.ok


def _field(raw: Any, name: str) -> Any:
    """``name`` of an SDK model or of the same object decoded as JSON (a stream's events)."""
    return raw.get(name) if isinstance(raw, Mapping) else getattr(raw, name, None)


def _usage(raw: Any) -> Usage | None:
    if not raw:
        return None
    if _field(raw, "input_tokens") is not None:  # the Responses API's usage names
        details = _field(raw, "output_tokens_details")
        return Usage(
            prompt_tokens=int(_field(raw, "input_tokens") or 0),
            completion_tokens=int(_field(raw, "output_tokens") or 0),
            reasoning_tokens=int(_field(details, "reasoning_tokens") or 0 if details else 0),
        )
    details = _field(raw, "completion_tokens_details")
    return Usage(
        prompt_tokens=int(_field(raw, "prompt_tokens") or 0),
        completion_tokens=int(_field(raw, "completion_tokens") or 0),
        reasoning_tokens=int(_field(details, "reasoning_tokens") or 0 if details else 0),
    )


def content_type_problem(raw: Any, expected: str, context: CallContext) -> Diagnosis | None:
    """A diagnosis when a 2xx response is not ``expected`` (JSON or SSE) — i.e. not Azure OpenAI."""
    content_type = str(raw.headers.get("content-type", ""))
    if content_type.startswith(expected):
        return None
    return unexpected_response(raw.status_code, content_type, context)


def response_finish(response: Any) -> str | None:
    """A Responses API result's end in Chat Completions' words (``finish_reason``).

    ``status: incomplete`` with ``incomplete_details.reason`` ``max_output_tokens`` is the length
    limit, ``content_filter`` the filter (SPEC-V1 ``OpenAI.Response.incomplete_details``).
    """
    status = _field(response, "status") if response else None
    if status == "incomplete":
        details = _field(response, "incomplete_details")
        reason = _field(details, "reason") if details else None
        return "length" if reason == "max_output_tokens" else str(reason or "length")
    return "stop" if status == "completed" else None


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
    """One non-streaming chat call (``request.stream`` is ignored).

    In classroom mode it first passes the class's limits (``aoai_lab.classroom.seat``): a refused
    request is never sent, the reply length is clamped, and an Azure 429 on the shared deployment
    is retried at most once, after its retry-after.
    """
    admission = classroom_seat.admit(connection, request)
    if admission.refusal is not None:
        return _failed_with(admission.refusal, clock(), clock, streamed=False)
    options: dict[str, Any] = {"timeout": timeout, "extra_headers": extra_headers, "clock": clock}
    result = _chat_once(connection, admission.request, **options)
    if admission.retry(result):
        result = _chat_once(connection, admission.request, **options)
    admission.settle(result)
    return result


def _chat_once(
    connection: Connection,
    request: ChatRequest,
    *,
    timeout: float,
    extra_headers: Mapping[str, str] | None,
    clock: Callable[[], float],
) -> ChatResult:
    target = responses_connection(connection) if request.api == "responses" else connection
    started = clock()
    try:
        client = make_sdk_client(target, timeout=timeout, extra_headers=extra_headers)
        raw = _send(target, request, client, stream=False)
        problem = content_type_problem(raw, "application/json", call_context(connection, request))
        if problem:
            return _failed_with(problem, started, clock, streamed=False)
        completion = raw.parse()
    except Exception as error:  # every failure becomes a diagnosis, never a traceback
        return _failed(error, connection, started, clock, streamed=False, request=request)
    latency = (clock() - started) * 1000
    headers = dict(raw.headers)
    request_id, region = _ids(headers)
    if request.api == "responses":
        text, finish = completion.output_text or "", response_finish(completion)
    else:
        choice = completion.choices[0] if completion.choices else None
        text = (choice.message.content or "") if choice else ""
        finish = choice.finish_reason if choice else None
    return ChatResult(
        text=text,
        diagnosis=_finish_diagnosis(finish, headers, raw.status_code),
        streamed=False,
        latency_ms=latency,
        ttft_ms=None,  # the whole reply arrives at once: there is no first token to time
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
    request: ChatRequest | None = None,
) -> ChatResult:
    diagnosis = from_exception(error, call_context(connection, request))
    return _failed_with(diagnosis, started, clock, streamed=streamed)


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
    with ``result.interrupted`` and the partial text kept.

    A consumer can also stop reading at any moment: Streamlit stops a script for a rerun (a
    page switch, a widget change, a reconnect) by raising inside ``st.write_stream``'s loop,
    which leaves this generator suspended, or ends it just after the last batch, while it
    draws. ``result`` alone cannot tell those apart, so a consumer calls :meth:`finish` in its
    ``finally``: it settles the outcome either way, keeping every character that arrived.
    """

    connection: Connection
    request: ChatRequest
    batch_interval: float = BATCH_INTERVAL
    timeout: float = READ_TIMEOUT
    extra_headers: Mapping[str, str] | None = None
    clock: Callable[[], float] = time.perf_counter
    result: ChatResult | None = field(default=None, init=False)
    _parts: list[str] = field(default_factory=list, init=False, repr=False)
    _running: Iterator[str] | None = field(default=None, init=False, repr=False)

    @property
    def text(self) -> str:
        """The text received so far."""
        return "".join(self._parts)

    def __iter__(self) -> Iterator[str]:
        self._running = self._run()
        return self._running

    def finish(self) -> ChatResult | None:
        """The call's outcome, however the consumer stopped reading; None if it never started.

        A stream still suspended is closed here (its HTTP response too) and ends as
        ``interrupted`` with the text that arrived; one that already ended keeps its result,
        even when the consumer was stopped while drawing its last batch.
        """
        if self.result is None and isinstance(self._running, Generator):
            self._running.close()  # runs the generator's GeneratorExit branch: partial result
        return self.result

    def _run(self) -> Iterator[str]:
        # Classroom mode: the class's limits first (see ``chat``); the usage is settled however it ends.
        admission = classroom_seat.admit(self.connection, self.request)
        if admission.refusal is not None:
            self.result = _failed_with(admission.refusal, self.clock(), self.clock, streamed=True)
            return
        self.request = admission.request
        try:
            yield from self._attempt()
            if admission.retry(self.result, self.text):
                yield from self._attempt()
        finally:
            admission.settle(self.result, self.text)

    def _attempt(self) -> Iterator[str]:
        responses = self.request.api == "responses"
        target = responses_connection(self.connection) if responses else self.connection
        started = self.clock()
        try:
            client = make_sdk_client(target, timeout=self.timeout, extra_headers=self.extra_headers)
            raw = _send(target, self.request, client, stream=True)
            problem = content_type_problem(raw, "text/event-stream", call_context(self.connection, self.request))
            if problem:
                raw.http_response.close()
                self.result = _failed_with(problem, started, self.clock, streamed=True)
                return
            # Events decoded as plain JSON, not SDK models: ~30x cheaper per chunk (aoai_lab.sse).
            stream = json_events(raw.http_response)
        except Exception as error:  # every failure becomes a diagnosis, never a traceback
            self.result = _failed(error, self.connection, started, self.clock, streamed=True, request=self.request)
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
            raw.http_response.close()  # also when the generator never started

    def _batches(self, stream: Any, state: _StreamState) -> Iterator[str]:
        pending: list[str] = []
        last_flush = self.clock()
        pieces = _response_pieces if self.request.api == "responses" else _chat_pieces
        for piece in pieces(stream, state):
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

    def _result(
        self, state: _StreamState, diagnosis: Diagnosis, interrupted: bool, *, stopped: bool = False
    ) -> ChatResult:
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
            stopped=stopped,
        )

    def _finished(self, state: _StreamState) -> ChatResult:
        return self._result(state, _finish_diagnosis(state.finish_reason, state.headers, state.status), False)

    def _interrupted(self, state: _StreamState, error: BaseException | None) -> ChatResult:
        request_id, _ = _ids(state.headers)
        # Scrubbed like every other error text: no exception message may carry the key to a page.
        cause = (
            f"{type(error).__name__}: {scrub(str(error), (self.connection.api_key,))}" if error else "closed by the app"
        )
        evidence = Evidence(
            status=state.status,
            request_id=request_id,
            url=redact_url(call_context(self.connection, self.request).url),
            detail=cause[:300],
        )
        params = {"received": str(len(self.text))}
        return self._result(state, Diagnosis("stream_interrupted", evidence, params), True, stopped=error is None)


def _chat_pieces(stream: Any, state: _StreamState) -> Iterator[str]:
    """The text of a Chat Completions stream (its events' JSON); its model, usage and finish
    reason go to ``state``."""
    for chunk in stream:
        if not isinstance(chunk, dict):
            continue
        state.model = state.model or chunk.get("model") or None
        if chunk.get("usage"):
            state.usage = _usage(chunk["usage"])
        choices = chunk.get("choices")
        if not choices:  # Azure's prompt-filter event and the usage event have no choices
            continue
        choice = choices[0]
        state.finish_reason = choice.get("finish_reason") or state.finish_reason
        delta = choice.get("delta")
        piece = delta.get("content") if delta else None
        if piece:
            yield piece


class ResponseStreamError(RuntimeError):
    """An ``error`` or ``response.failed`` event in a Responses API stream (the stream broke)."""


def _response_pieces(stream: Any, state: _StreamState) -> Iterator[str]:
    """The text of a Responses API stream (``response.output_text.delta`` events); the final
    ``response.completed``/``response.incomplete`` event carries the usage and how it ended."""
    for event in stream:
        if not isinstance(event, dict):
            continue
        kind = event.get("type", "")
        if kind == "response.output_text.delta" and event.get("delta"):
            yield event["delta"]
        elif kind in ("response.created", "response.completed", "response.incomplete"):
            response = event.get("response") or {}
            state.model = state.model or response.get("model") or None
            if kind != "response.created":
                state.usage = _usage(response.get("usage"))
                state.finish_reason = response_finish(response)
        elif kind in ("error", "response.failed"):
            error = (event.get("response") or {}).get("error")
            message = event.get("message") or (_field(error, "message") if error else None) or error
            raise ResponseStreamError(str(message or kind))


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
