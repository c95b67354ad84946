"""The emulator's ASGI app: Azure OpenAI's data-plane routes, checks and bodies.

Checks run in the order Azure's gateway and model backend apply them (reference §9): route and
api-version, then auth, then the deployment, then the model's api-version and parameters, then
quota, then the content filter. Each request may ask for one fault with ``x-emulator-fault``.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from aoai_lab.emulator import wire
from aoai_lab.emulator.config import FAULT_HEADER, FAULTS, Deployment, EmulatorConfig
from aoai_lab.emulator.ratelimit import Admission, DeploymentQuota
from aoai_lab.emulator.replies import compose_reply
from aoai_lab.tokens import estimate_prompt_tokens, message_text, split_tokens

Style = Literal["classic", "v1"]
AuthScheme = Literal["api-key", "bearer", "both", "none"]

# Internal header read by ``server.ReasonPhraseH11Protocol``: ASGI has no reason phrase field.
REASON_HEADER = "x-emulator-reason"

_CLASSIC_CHAT = re.compile(r"^/openai/deployments/(?P<deployment>[^/]+)/chat/completions/?$")
_V1_CHAT = re.compile(r"^/openai/v1/chat/completions/?$")
_CLASSIC_MODELS = re.compile(r"^/openai/models/?$")
_V1_MODELS = re.compile(r"^/openai/v1/models/?$")

# Reasoning tokens spent per reasoning_effort (deterministic stand-ins).
_EFFORT_TOKENS = {"none": 0, "minimal": 8, "low": 16, "medium": 64, "high": 192, "xhigh": 384}
_ROLES = ("system", "assistant", "user", "function", "tool", "developer")
# Parameters reasoning models reject outright (DOC-REASONING §7).
_REASONING_UNSUPPORTED = ("presence_penalty", "frequency_penalty", "logprobs", "top_logprobs", "logit_bias")
_MISSING_KEY = (
    b'{"error":{"code":"401","message":"Access denied due to missing subscription key. Make sure to include '
    b'subscription key when making requests to an API."}}'
)  # APIM's wording; UNCONFIRMED for Azure OpenAI.


@dataclass(frozen=True)
class RecordedRequest:
    """What one request carried, for tests. Never the key: only which auth header form was used."""

    method: str
    path: str
    query: Mapping[str, str]
    auth: AuthScheme
    fault: str | None
    body: Any


class StreamDropped(Exception):
    """Raised inside a streaming body to cut the connection mid-stream (``drop-stream`` fault)."""


class EmulatorState:
    """Mutable state of one emulator: quota buckets and, when enabled, the request record."""

    def __init__(self, config: EmulatorConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.quotas = {d.name: DeploymentQuota.per_minute(d.rpm, d.tpm, clock) for d in config.deployments}
        self._recorded: deque[RecordedRequest] = deque(maxlen=1000)
        self._lock = threading.Lock()

    def record(self, entry: RecordedRequest) -> None:
        """Keep ``entry`` if recording is on (bounded)."""
        if self.config.record_requests:
            with self._lock:
                self._recorded.append(entry)

    def recorded(self) -> list[RecordedRequest]:
        """A snapshot of the recorded requests, oldest first."""
        with self._lock:
            return list(self._recorded)


@dataclass(frozen=True)
class _Call:
    """A parsed chat request, once route, auth and deployment have passed."""

    style: Style
    api_version: str
    deployment: Deployment
    body: dict[str, Any]
    request_id: str
    fault: str | None


def create_app(config: EmulatorConfig | None = None, state: EmulatorState | None = None) -> Starlette:
    """The emulator as an ASGI app. ``state`` may be passed in so a caller can read the record."""
    state = state or EmulatorState(config or EmulatorConfig())

    async def dispatch(request: Request) -> Response:
        return await _dispatch(request, state)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    app = Starlette(routes=[Route("/{path:path}", dispatch, methods=methods)])
    app.state.emulator = state
    return app


async def _dispatch(request: Request, state: EmulatorState) -> Response:
    path = request.url.path
    method = request.method
    if method == "POST" and (match := _CLASSIC_CHAT.match(path)):
        return await _chat(request, state, "classic", match["deployment"])
    if method == "POST" and _V1_CHAT.match(path):
        return await _chat(request, state, "v1", None)
    if method == "GET" and _CLASSIC_MODELS.match(path):
        return await _models(request, state, "classic")
    if method == "GET" and _V1_MODELS.match(path):
        return await _models(request, state, "v1")
    state.record(_recorded(request, None))
    return _raw(404, wire.RESOURCE_NOT_FOUND, wire.new_request_id())


# ---------------------------------------------------------------------------------------------
# Gateway checks: route + api-version, then auth


def _check_api_version(request: Request, state: EmulatorState, style: Style, request_id: str) -> Response | None:
    version = request.query_params.get("api-version")
    versions = state.config.api_versions
    if style == "classic":
        if version is None or not versions.is_known(version):
            return _raw(404, wire.RESOURCE_NOT_FOUND, request_id)
    elif version is not None and not versions.is_v1(version):
        return _raw(400, wire.API_VERSION_NOT_SUPPORTED, request_id, reason=wire.REASON_PHRASES["bad_request"])
    return None


def _auth_scheme(request: Request) -> AuthScheme:
    has_key = "api-key" in request.headers
    has_bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
    if has_key and has_bearer:
        return "both"
    return "api-key" if has_key else "bearer" if has_bearer else "none"


def _check_auth(request: Request, state: EmulatorState, style: Style, request_id: str) -> Response | None:
    fault = request.headers.get(FAULT_HEADER)
    if fault == "firewall":  # the network rule applies before anything looks at the key
        return _raw(403, wire.FIREWALL_DENIED, request_id, extra={"policy-id": "ThrowExceptionDueToTrafficDenied"})
    scheme = _auth_scheme(request)
    if scheme in ("api-key", "both"):
        key = request.headers["api-key"]
    elif scheme == "bearer" and style == "v1":
        key = request.headers["authorization"][len("bearer ") :].strip()
    elif scheme == "bearer":
        # A key sent as a Bearer token on the classic route is read as an Entra token (§2).
        return _raw(401, wire.BEARER_ON_CLASSIC, request_id)
    else:
        return _raw(401, _MISSING_KEY, request_id, reason=wire.REASON_PHRASES["permission_denied"])
    if fault == "key-disabled":
        return _raw(403, wire.KEY_AUTH_DISABLED, request_id)
    if key not in state.config.api_keys:
        # INFERRED for v1: an invalid key as Bearer gets the same 401 as an invalid api-key.
        return _raw(401, wire.INVALID_KEY, request_id, reason=wire.REASON_PHRASES["permission_denied"])
    return None


# ---------------------------------------------------------------------------------------------
# GET models


async def _models(request: Request, state: EmulatorState, style: Style) -> Response:
    request_id = wire.new_request_id()
    state.record(_recorded(request, None))
    refusal = _check_api_version(request, state, style, request_id) or _check_auth(request, state, style, request_id)
    if refusal:
        return refusal
    created = 1_731_456_000
    models = sorted({d.model for d in state.config.deployments} | {"gpt-4o-2024-08-06", "gpt-4.1-2025-04-14"})
    if style == "v1":
        data = [{"created": created, "id": m, "object": "model", "owned_by": "system"} for m in models]
    else:
        data = [_catalog_entry(m, created) for m in models]
    return _json(200, {"data": data, "object": "list"}, request_id)


def _catalog_entry(model: str, created: int) -> dict[str, Any]:
    embedding = model.startswith("text-embedding")
    return {
        "capabilities": {
            "chat_completion": not embedding,
            "completion": False,
            "embeddings": embedding,
            "fine_tune": False,
            "inference": True,
        },
        "created_at": created,
        "deprecation": {"inference": created + 2 * 365 * 86_400},
        "id": model,
        "lifecycle_status": "generally-available",
        "object": "model",
        "status": "succeeded",
    }


# ---------------------------------------------------------------------------------------------
# POST chat/completions


async def _chat(request: Request, state: EmulatorState, style: Style, path_deployment: str | None) -> Response:
    request_id = wire.new_request_id()
    fault = request.headers.get(FAULT_HEADER)
    raw = await request.body()
    body = _parse_json(raw)
    state.record(_recorded(request, body if body is not None else raw.decode("utf-8", "replace")))
    refusal = _check_api_version(request, state, style, request_id) or _check_auth(request, state, style, request_id)
    if refusal:
        return refusal
    if not isinstance(body, dict):
        message = "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
        return _raw(400, wire.model_error(message, None, None), request_id, reason="model_error")

    name = path_deployment if style == "classic" else body.get("model")
    if style == "v1" and not isinstance(name, str):
        return _model_error(request_id, "you must provide a model parameter", None, None)
    deployment = state.config.deployment(str(name))
    if deployment is None:
        return _raw(404, wire.DEPLOYMENT_NOT_FOUND, request_id, reason="DeploymentNotFound", region=state.config.region)

    version = request.query_params.get("api-version", "v1")
    call = _Call(style, version, deployment, body, request_id, fault)
    refusal = _check_model(call, state)
    if refusal:
        return refusal

    prompt_tokens = estimate_prompt_tokens(body["messages"])
    limit = _completion_limit(body)
    quota = state.quotas[deployment.name]
    if fault == "429":
        # A simulated 429 is refused, so it spends no quota: the next request must not feel it.
        admission = Admission(False, 5, "call", quota.requests.remaining, quota.tokens.remaining)
    else:
        admission = quota.admit(prompt_tokens + (limit or 0))
    quota_headers = {
        "x-ratelimit-remaining-requests": str(admission.remaining_requests),
        "x-ratelimit-remaining-tokens": str(admission.remaining_tokens),
    }
    if not admission.allowed:
        retry_after = admission.retry_after
        exceeded = admission.exceeded
        headers = {
            **quota_headers,
            "retry-after": str(retry_after),
            "retry-after-ms": str(retry_after * 1000),
            "x-ratelimit-reset-requests": str(retry_after),
            "policy-id": "DeploymentRatelimit-" + ("Call" if exceeded == "call" else "Token"),
        }
        body_429 = wire.rate_limited(version, exceeded, retry_after)
        return _raw(429, body_429, request_id, region=state.config.region, extra=headers)

    server_fault = await _server_fault(call, state)
    if server_fault:
        return server_fault

    trigger = _filter_trigger(state, body["messages"], "prompt")
    if trigger:
        results = wire.prompt_filter_results(trigger)
        return _raw(400, wire.prompt_filtered(results), request_id, region=state.config.region)

    reply = _build_reply(call, state, prompt_tokens, limit)
    headers = {**quota_headers, "x-ms-deployment-name": deployment.name}
    if body.get("stream") is True:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        stream = _stream(reply, state.config.tokens_per_second, include_usage, drop=fault == "drop-stream")
        return _streaming(stream, request_id, state.config.region, headers)
    return _json(200, reply.completion(), request_id, region=state.config.region, extra=headers)


def _check_model(call: _Call, state: EmulatorState) -> Response | None:
    """Model-level refusals: operation, api-version for the model, then each parameter."""
    deployment, body, request_id = call.deployment, call.body, call.request_id
    versions = state.config.api_versions
    region = state.config.region
    if deployment.kind == "embedding":
        return _raw(400, wire.operation_not_supported(deployment.model), request_id, reason="BadRequest", region=region)
    if (
        call.style == "classic"
        and deployment.kind == "reasoning"
        and not versions.supports(call.api_version, "reasoning_models")
    ):
        body_400 = wire.MODEL_NEEDS_NEWER_API_VERSION
        return _raw(400, body_400, request_id, reason=wire.REASON_PHRASES["bad_request"], region=region)
    problem = _messages_problem(body.get("messages"))
    if problem is None and call.style == "classic":
        problem = _version_problem(body, call.api_version, state)
    if problem is None:
        problem = _parameter_problem(body, deployment)
    if problem is None:
        problem = _context_problem(body, deployment)
    if problem is not None:
        message, param, code = problem
        return _model_error(request_id, message, param, code, region)
    return None


Problem = tuple[str, str | None, str | None]


def _messages_problem(messages: object) -> Problem | None:
    if messages is None:
        return ("Missing required parameter: 'messages'.", "messages", "missing_required_parameter")
    if not isinstance(messages, list):
        return (
            "Invalid type for 'messages': expected an array, but got an object instead.",
            "messages",
            "invalid_type",
        )
    if not messages:
        empty = (
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead."
        )
        return (empty, "messages", "empty_array")
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            return (f"Invalid type for 'messages[{index}]': expected an object.", f"messages[{index}]", "invalid_type")
        role = message.get("role")
        if role not in _ROLES:
            supported = "'system', 'assistant', 'user', 'function', 'tool', and 'developer'"
            message_text_ = f"Invalid value: '{role}'. Supported values are: {supported}."
            return (message_text_, f"messages[{index}].role", "invalid_value")
        content = message.get("content")
        if content is None and role != "assistant":
            missing = f"Missing required parameter: 'messages[{index}].content'."
            return (missing, f"messages[{index}].content", "missing_required_parameter")
        if content is not None and not isinstance(content, str | list):
            invalid = f"Invalid type for 'messages[{index}].content': expected one of a string or array of objects."
            return (invalid, f"messages[{index}].content", "invalid_type")
    return None


def _version_problem(body: Mapping[str, Any], version: str, state: EmulatorState) -> Problem | None:
    """A parameter that the (classic, dated) api-version predates gets ``unknown_parameter``."""
    versions = state.config.api_versions
    gated = ("max_completion_tokens", "stream_options", "reasoning_effort")
    for name in gated:
        if body.get(name) is not None and not versions.supports(version, name):  # type: ignore[arg-type]
            return (f"Unknown parameter: '{name}'.", name, "unknown_parameter")
    return None


def _parameter_problem(body: Mapping[str, Any], deployment: Deployment) -> Problem | None:
    options = body.get("stream_options")
    if options is not None and not isinstance(options, dict):
        # Was an AttributeError (HTTP 500) when streaming read ``stream_options.include_usage``.
        return ("Invalid type for 'stream_options': expected an object.", "stream_options", "invalid_type")
    for name in ("max_tokens", "max_completion_tokens"):
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            return (
                f"Invalid type for '{name}': expected an integer, but got a {type(value).__name__} instead.",
                name,
                "invalid_type",
            )
        if value < 1:
            below = f"Invalid '{name}': integer below minimum value. Expected a value >= 1, but got {value} instead."
            return (below, name, "integer_below_min_value")
    for name, high in (("temperature", 2.0), ("top_p", 1.0)):
        value = body.get(name)
        if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
            return (
                f"Invalid type for '{name}': expected a decimal, but got a {type(value).__name__} instead.",
                name,
                "invalid_type",
            )
        if value is not None and value > high:
            above = (
                f"Invalid '{name}': decimal above maximum value. Expected a value <= {high:g}, but got {value} instead."
            )
            return (above, name, "decimal_above_max_value")
        if value is not None and value < 0:
            below = f"Invalid '{name}': decimal below minimum value. Expected a value >= 0, but got {value} instead."
            return (below, name, "decimal_below_min_value")
    if deployment.kind == "reasoning":
        return _reasoning_problem(body, deployment)
    if body.get("reasoning_effort") is not None:
        return (
            "Unsupported parameter: 'reasoning_effort' is not supported with this model.",
            "reasoning_effort",
            "unsupported_parameter",
        )
    return None


def _reasoning_problem(body: Mapping[str, Any], deployment: Deployment) -> Problem | None:
    """Reasoning models: no max_tokens, only default sampling, a known reasoning_effort (§4.10)."""
    if body.get("max_tokens") is not None:
        message = (
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."
        )
        return (message, "max_tokens", "unsupported_parameter")
    for name in ("temperature", "top_p"):
        value = body.get(name)
        if value is not None and value != 1:
            message = f"Unsupported value: '{name}' does not support {value} with this model. Only the default (1) value is supported."
            return (message, name, "unsupported_value")
    for name in _REASONING_UNSUPPORTED:
        if body.get(name) is not None:
            return (f"Unsupported parameter: '{name}' is not supported with this model.", name, "unsupported_parameter")
    effort = body.get("reasoning_effort")
    if effort is not None and effort not in deployment.reasoning_efforts:
        allowed = [f"'{e}'" for e in deployment.reasoning_efforts]
        listed = ", ".join(allowed[:-1]) + f", and {allowed[-1]}"
        message = f"Unsupported value: 'reasoning_effort' does not support '{effort}' with this model. Supported values are: {listed}."
        return (message, "reasoning_effort", "unsupported_value")
    return None


def _context_problem(body: Mapping[str, Any], deployment: Deployment) -> Problem | None:
    prompt = estimate_prompt_tokens(body["messages"])
    window = deployment.context_window
    if prompt > window:
        message = (
            f"This model's maximum context length is {window} tokens. However, your messages resulted in "
            f"{prompt} tokens. Please reduce the length of the messages."
        )
        return (message, "messages", "context_length_exceeded")
    limit = _completion_limit(body)
    if deployment.kind == "classic" and limit is not None and prompt + limit > window:
        message = (
            f"This model's maximum context length is {window} tokens. However, you requested {prompt + limit} "
            f"tokens ({prompt} in the messages, {limit} in the completion). Please reduce the length of the "
            "messages or completion."
        )
        return (message, "messages", "context_length_exceeded")
    return None


def _completion_limit(body: Mapping[str, Any]) -> int | None:
    value = body.get("max_completion_tokens")
    if value is None:
        value = body.get("max_tokens")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def _server_fault(call: _Call, state: EmulatorState) -> Response | None:
    region = state.config.region
    if call.fault == "500":
        return _raw(500, wire.server_error(call.request_id), call.request_id, region=region)
    if call.fault == "500-gateway":
        return _raw(500, wire.gateway_error(call.request_id), call.request_id, region=region)
    if call.fault == "503":
        return _raw(503, wire.SERVICE_UNAVAILABLE, call.request_id, region=region, extra={"retry-after": "10"})
    if call.fault == "timeout":
        await asyncio.sleep(state.config.timeout_fault_seconds)
    return None


def _filter_trigger(state: EmulatorState, messages: list[dict[str, Any]], where: str) -> str | None:
    text = " ".join(message_text(m.get("content")) for m in messages if m.get("role") == "user").lower()
    return next(
        (t.category for t in state.config.filter_triggers if t.where == where and t.phrase.lower() in text),
        None,
    )


# ---------------------------------------------------------------------------------------------
# Replies


@dataclass(frozen=True)
class _Reply:
    """A reply ready to serialise, whole or as a stream."""

    deployment: Deployment
    pieces: list[str]
    finish_reason: str
    filtered: str | None
    prompt_tokens: int
    reasoning_tokens: int
    completion_id: str
    created: int

    @property
    def completion_tokens(self) -> int:
        return len(self.pieces) + self.reasoning_tokens

    def usage(self) -> dict[str, Any]:
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
        return {
            "created": self.created,
            "id": self.completion_id,
            "model": self.deployment.model,
            "object": obj,
            "system_fingerprint": self.deployment.system_fingerprint,
        }

    def completion(self) -> dict[str, Any]:
        message: dict[str, Any] = {
            "annotations": [],
            "content": "".join(self.pieces),
            "refusal": None,
            "role": "assistant",
        }
        choice = {
            "content_filter_results": wire.completion_filter_results(self.filtered),
            "finish_reason": self.finish_reason,
            "index": 0,
            "logprobs": None,
            "message": message,
        }
        prompt_results = [{"prompt_index": 0, "content_filter_results": wire.prompt_filter_results()}]
        return {
            **self.envelope("chat.completion"),
            "choices": [choice],
            "prompt_filter_results": prompt_results,
            "usage": self.usage(),
        }


def _build_reply(call: _Call, state: EmulatorState, prompt_tokens: int, limit: int | None) -> _Reply:
    deployment, body = call.deployment, call.body
    pieces = split_tokens(compose_reply(body["messages"], deployment.name))
    finish, filtered = "stop", None
    if _filter_trigger(state, body["messages"], "reply"):
        pieces, finish, filtered = pieces[: max(1, len(pieces) // 2)], "content_filter", "protected_material_text"
    reasoning = 0
    if deployment.kind == "reasoning":
        reasoning = _EFFORT_TOKENS.get(str(body.get("reasoning_effort") or deployment.default_effort), 0)
    if limit is not None:
        reasoning = min(reasoning, limit)  # reasoning spends the budget first
        visible = limit - reasoning
        if len(pieces) > visible:
            pieces, finish = pieces[:visible], "length"
    return _Reply(
        deployment=deployment,
        pieces=pieces,
        finish_reason=finish,
        filtered=filtered,
        prompt_tokens=prompt_tokens,
        reasoning_tokens=reasoning,
        completion_id=wire.completion_id(),
        created=int(time.time()),
    )


async def _stream(reply: _Reply, tokens_per_second: float, include_usage: bool, drop: bool) -> AsyncIterator[bytes]:
    """Azure's event sequence (§6): filter results with empty choices, role, content, finish, usage."""
    usage_null = {"usage": None} if include_usage else {}
    first = {
        "choices": [],
        "created": 0,
        "id": "",
        "model": "",
        "object": "",
        "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": wire.prompt_filter_results()}],
    }
    yield _event(first)
    role_delta = {"content": "", "refusal": None, "role": "assistant"}
    yield _event({**reply.envelope("chat.completion.chunk"), "choices": [_chunk_choice(role_delta, {})]})
    cut_at = max(1, len(reply.pieces) // 2)
    for index, piece in enumerate(reply.pieces):
        if drop and index == cut_at:
            raise StreamDropped
        if tokens_per_second > 0:
            await asyncio.sleep(1.0 / tokens_per_second)
        choice = _chunk_choice({"content": piece}, wire.completion_filter_results())
        yield _event({**reply.envelope("chat.completion.chunk"), "choices": [choice], **usage_null})
    if drop:  # a reply too short to cut in the middle is cut before its end
        raise StreamDropped
    final = _chunk_choice({}, wire.completion_filter_results(reply.filtered) if reply.filtered else {})
    final["finish_reason"] = reply.finish_reason
    yield _event({**reply.envelope("chat.completion.chunk"), "choices": [final], **usage_null})
    if include_usage:
        yield _event({**reply.envelope("chat.completion.chunk"), "choices": [], "usage": reply.usage()})
    yield b"data: [DONE]\n\n"


def _chunk_choice(delta: dict[str, Any], filter_results: dict[str, Any]) -> dict[str, Any]:
    return {
        "content_filter_results": filter_results,
        "delta": delta,
        "finish_reason": None,
        "index": 0,
        "logprobs": None,
    }


def _event(payload: dict[str, Any]) -> bytes:
    return b"data: " + wire.azure_json(payload) + b"\n\n"


# ---------------------------------------------------------------------------------------------
# Responses


def _headers(
    request_id: str, region: str | None, reason: str | None, extra: Mapping[str, str] | None
) -> dict[str, str]:
    headers = {"apim-request-id": request_id}
    if region is not None:  # gateway errors (401, 404 route) carry no region (§4.1)
        headers |= {
            "x-request-id": request_id,
            "x-ms-region": region,
            "x-ms-client-request-id": request_id,
            "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
            "x-content-type-options": "nosniff",
        }
    if reason is not None:
        headers[REASON_HEADER] = reason
    return headers | dict(extra or {})


def _raw(
    status: int,
    body: bytes,
    request_id: str,
    *,
    reason: str | None = None,
    region: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> Response:
    headers = _headers(request_id, region, reason, extra)
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def _model_error(
    request_id: str, message: str, param: str | None, code: str | None, region: str | None = None
) -> Response:
    return _raw(400, wire.model_error(message, param, code), request_id, reason="model_error", region=region)


def _json(
    status: int,
    payload: dict[str, Any],
    request_id: str,
    *,
    region: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> Response:
    return _raw(status, wire.azure_json(payload), request_id, region=region, extra=extra)


def _streaming(stream: AsyncIterator[bytes], request_id: str, region: str, extra: Mapping[str, str]) -> Response:
    headers = _headers(request_id, region, None, extra) | {"cache-control": "no-cache", "x-accel-buffering": "no"}
    return StreamingResponse(stream, headers=headers, media_type="text/event-stream")


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        return None


def _recorded(request: Request, body: Any) -> RecordedRequest:
    fault = request.headers.get(FAULT_HEADER)
    return RecordedRequest(
        method=request.method,
        path=request.url.path,
        query=dict(request.query_params),
        auth=_auth_scheme(request),
        fault=fault if fault in FAULTS else None,
        body=body,
    )
