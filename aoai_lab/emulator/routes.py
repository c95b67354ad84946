"""Routing: which handler answers which Azure OpenAI data-plane path, and the checks each runs.

Checks run in the order Azure's gateway and model backend apply them (reference §9): route and
api-version, then auth, then the deployment, then the operation and the model's parameters, then
quota, then the content filter. Each request may ask for one fault with ``x-emulator-fault`` (or
meet one drawn from ``--fault-rate``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from aoai_lab.emulator import completion, embeddings, respond, responses_api, wire
from aoai_lab.emulator.config import FAULT_HEADER, FAULTS, Deployment
from aoai_lab.emulator.gateway import Style, auth_scheme, check_api_version, check_auth
from aoai_lab.emulator.ratelimit import Admission
from aoai_lab.emulator.state import EmulatorState, RecordedRequest
from aoai_lab.emulator.validation import Problem, completion_limit, has_lone_surrogate, validate_chat
from aoai_lab.tokens import estimate_prompt_tokens, message_text

logger = logging.getLogger(__name__)

_DEPLOYMENT = r"^/openai/deployments/(?P<deployment>[^/]+)/"
_CLASSIC = {
    "chat": re.compile(_DEPLOYMENT + r"chat/completions/?$"),
    "embeddings": re.compile(_DEPLOYMENT + r"embeddings/?$"),
    # "/deployments/chat/completions" (no deployment) stays a route 404, as before.
    "completions": re.compile(r"^/openai/deployments/(?P<deployment>(?!chat/)[^/]+)/completions/?$"),
}
_V1 = {
    "chat": re.compile(r"^/openai/v1/chat/completions/?$"),
    "embeddings": re.compile(r"^/openai/v1/embeddings/?$"),
    "completions": re.compile(r"^/openai/v1/completions/?$"),
    "responses": re.compile(r"^/openai/v1/responses/?$"),
}
_CLASSIC_MODELS = re.compile(r"^/openai/models/?$")
_V1_MODELS = re.compile(r"^/openai/v1/models/?$")
# Bodies above this are refused before parsing (Azure's own limit is larger; a local demo needs less).
# The 400's text is INFERRED: no capture of Azure's answer to an oversized body was found.
MAX_BODY_BYTES = 8 * 1024 * 1024
# Azure's operation names in OperationNotSupported and 429 texts (§4.5, §4.7).
_OPERATION = {
    "chat": "chatCompletion",
    "embeddings": "embeddings",
    "completions": "completion",
    "responses": "responses",
}
_QUOTA_OPERATION = {
    "chat": "ChatCompletions_Create",
    "embeddings": "Embeddings_Create",
    "responses": "Responses_Create",
}


@dataclass(frozen=True)
class Call:
    """A parsed request, once route, auth and deployment have passed."""

    style: Style
    operation: str
    api_version: str
    deployment: Deployment
    body: dict[str, Any]
    request_id: str
    fault: str | None


async def dispatch(request: Request, state: EmulatorState) -> Response:
    """Answer one request; an unexpected error becomes Azure's 500, never a traceback to the client."""
    try:
        return await _route(request, state)
    except ClientDisconnect:
        return Response(status_code=499)  # nobody is listening any more
    except Exception:
        logger.warning("emulator: unexpected error on %s %s", request.method, request.url.path, exc_info=True)
        request_id = wire.new_request_id()
        return respond.raw(500, wire.server_error(request_id), request_id, region=state.config.region)


async def _route(request: Request, state: EmulatorState) -> Response:
    path, method = request.url.path, request.method
    if method == "POST":
        for operation, pattern in _CLASSIC.items():
            if match := pattern.match(path):
                return await _post(request, state, "classic", operation, match["deployment"])
        for operation, pattern in _V1.items():
            if pattern.match(path):
                return await _post(request, state, "v1", operation, None)
    if method == "GET" and _CLASSIC_MODELS.match(path):
        return await _models(request, state, "classic")
    if method == "GET" and _V1_MODELS.match(path):
        return await _models(request, state, "v1")
    state.record(_recorded(request, None))
    return respond.raw(404, wire.RESOURCE_NOT_FOUND, wire.new_request_id())


def _fault(request: Request, state: EmulatorState) -> str | None:
    asked = request.headers.get(FAULT_HEADER)
    return asked if asked in FAULTS else state.random_fault()


def parse_body(raw: bytes) -> tuple[Any, bool]:
    """The JSON body and whether it parsed. Deep nesting, invalid UTF-8 and lone surrogates do not."""
    if not raw:
        return None, False
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None, False
    if has_lone_surrogate(value):
        return None, False
    return value, True


async def _read(request: Request) -> bytes | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _post(
    request: Request, state: EmulatorState, style: Style, operation: str, path_name: str | None
) -> Response:
    request_id = wire.new_request_id()
    fault = _fault(request, state)
    raw = await _read(request)
    body, parsed = parse_body(raw or b"")
    state.record(_recorded(request, body if parsed else (raw or b"").decode("utf-8", "replace"), fault))
    refusal = check_api_version(request, state, style, request_id) or check_auth(
        request, state, style, request_id, fault or ""
    )
    if refusal:
        return refusal
    region = state.config.region
    if raw is None:
        return respond.model_error(request_id, "Request body too large.", None, None, region)
    if not isinstance(body, dict):
        return respond.model_error(request_id, wire.INVALID_JSON_BODY, None, None)
    name = path_name if style == "classic" else body.get("model")
    if style == "v1" and not isinstance(name, str):
        return respond.model_error(request_id, "you must provide a model parameter", None, None)
    deployment = state.config.deployment(str(name))
    if deployment is None:
        return respond.raw(404, wire.DEPLOYMENT_NOT_FOUND, request_id, reason="DeploymentNotFound", region=region)
    version = request.query_params.get("api-version", "v1")
    call = Call(style, operation, version, deployment, body, request_id, fault)
    wrong = _operation_refusal(call, state)
    if wrong:
        return wrong
    if operation == "embeddings":
        return await _embeddings(call, state)
    if operation == "responses":
        return await _responses(call, state)
    return await _chat(call, state)


def _operation_refusal(call: Call, state: EmulatorState) -> Response | None:
    """OperationNotSupported (§4.5): chat/responses on an embedding model, embeddings on a chat
    model, and legacy completions on anything (no completion model is deployed)."""
    kind = call.deployment.kind
    wrong = (
        call.operation == "completions"
        or (call.operation in ("chat", "responses") and kind == "embedding")
        or (call.operation == "embeddings" and kind != "embedding")
    )
    if not wrong:
        return None
    body = wire.operation_not_supported(call.deployment.model, _OPERATION[call.operation])
    return respond.raw(400, body, call.request_id, reason="BadRequest", region=state.config.region)


def _problem(call: Call, problem: Problem, region: str) -> Response:
    if problem.gateway is not None:
        bad_request = wire.REASON_PHRASES["bad_request"]
        return respond.raw(400, problem.gateway, call.request_id, reason=bad_request, region=region)
    return respond.model_error(call.request_id, problem.message, problem.param, problem.code, region, problem.kind)


def _admit(call: Call, state: EmulatorState, tokens: int) -> tuple[Response | None, dict[str, str]]:
    """Quota: the 429 to answer (if any) and the x-ratelimit headers for the success."""
    quota = state.quotas[call.deployment.name]
    if call.fault == "429":
        # A simulated 429 is refused, so it spends no quota: the next request must not feel it.
        admission = Admission(False, 5, "call", quota.requests.remaining, quota.tokens.remaining)
    else:
        admission = quota.admit(tokens)
    quota_headers = {
        "x-ratelimit-remaining-requests": str(admission.remaining_requests),
        "x-ratelimit-remaining-tokens": str(admission.remaining_tokens),
    }
    if admission.allowed:
        return None, quota_headers
    retry_after = admission.retry_after
    headers = {
        **quota_headers,
        "retry-after": str(retry_after),
        "retry-after-ms": str(retry_after * 1000),
        "x-ratelimit-reset-requests": str(retry_after),
        "policy-id": "DeploymentRatelimit-" + ("Call" if admission.exceeded == "call" else "Token"),
    }
    body = wire.rate_limited(call.api_version, admission.exceeded, retry_after, _QUOTA_OPERATION[call.operation])
    return respond.raw(429, body, call.request_id, region=state.config.region, extra=headers), quota_headers


async def _server_fault(call: Call, state: EmulatorState) -> Response | None:
    region = state.config.region
    if call.fault == "500":
        return respond.raw(500, wire.server_error(call.request_id), call.request_id, region=region)
    if call.fault == "500-gateway":
        return respond.raw(500, wire.gateway_error(call.request_id), call.request_id, region=region)
    if call.fault == "503":
        return respond.raw(503, wire.SERVICE_UNAVAILABLE, call.request_id, region=region, extra={"retry-after": "10"})
    if call.fault == "timeout":
        await asyncio.sleep(state.config.timeout_fault_seconds)
    return None


def _filter_trigger(state: EmulatorState, messages: list[dict[str, Any]], where: str) -> str | None:
    text = " ".join(message_text(m.get("content")) for m in messages if m.get("role") == "user").lower()
    return next(
        (t.category for t in state.config.filter_triggers if t.where == where and t.phrase.lower() in text),
        None,
    )


async def _chat(call: Call, state: EmulatorState) -> Response:
    deployment, body, region = call.deployment, call.body, state.config.region
    versions = state.config.api_versions
    if (
        call.style == "classic"
        and deployment.kind == "reasoning"
        and not versions.supports(call.api_version, "reasoning_models")
    ):
        bad_request = wire.REASON_PHRASES["bad_request"]
        return respond.raw(400, wire.MODEL_NEEDS_NEWER_API_VERSION, call.request_id, reason=bad_request, region=region)
    problem = validate_chat(body, deployment, call.style, call.api_version, versions)
    if problem is not None:
        return _problem(call, problem, region)
    prompt_tokens = estimate_prompt_tokens(body["messages"])
    limit = completion_limit(body)
    refused, quota_headers = _admit(call, state, prompt_tokens + (limit or 0))
    if refused:
        return refused
    if fault := await _server_fault(call, state):
        return fault
    trigger = _filter_trigger(state, body["messages"], "prompt")
    if trigger:
        results = wire.prompt_filter_results(trigger)
        return respond.raw(400, wire.prompt_filtered(results), call.request_id, region=region)
    filtered = _filter_trigger(state, body["messages"], "reply") is not None
    reply = completion.build_reply(body, deployment, prompt_tokens, limit, filtered)
    headers = {**quota_headers, "x-ms-deployment-name": deployment.name}
    if body.get("stream") is True:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        drop = call.fault == "drop-stream"
        events = completion.stream(reply, state.config.tokens_per_second, include_usage, drop)
        return respond.streaming(events, call.request_id, region, headers)
    return respond.json(200, reply.completion(), call.request_id, region=region, extra=headers)


async def _embeddings(call: Call, state: EmulatorState) -> Response:
    region = state.config.region
    problem = embeddings.validate(call.body, call.deployment)
    if problem is not None:
        return _problem(call, problem, region)
    refused, quota_headers = _admit(call, state, embeddings.prompt_tokens(call.body))
    if refused:
        return refused
    if fault := await _server_fault(call, state):
        return fault
    payload = embeddings.response(call.body, call.deployment)
    return respond.json(200, payload, call.request_id, region=region, extra=quota_headers)


async def _responses(call: Call, state: EmulatorState) -> Response:
    region = state.config.region
    problem = responses_api.validate(call.body, call.deployment)
    if problem is not None:
        return _problem(call, problem, region)
    messages = responses_api.messages_of(call.body)
    limit = call.body.get("max_output_tokens")
    refused, quota_headers = _admit(call, state, estimate_prompt_tokens(messages) + (limit or 0))
    if refused:
        return refused
    if fault := await _server_fault(call, state):
        return fault
    reply = responses_api.build(call.body, call.deployment)
    headers = {**quota_headers, "x-ms-served-model": call.deployment.model}
    if call.body.get("stream") is True:
        events = responses_api.stream(reply, state.config.tokens_per_second)
        return respond.streaming(events, call.request_id, region, headers)
    return respond.json(200, reply.resource(reply.status), call.request_id, region=region, extra=headers)


async def _models(request: Request, state: EmulatorState, style: Style) -> Response:
    request_id = wire.new_request_id()
    state.record(_recorded(request, None))
    refusal = check_api_version(request, state, style, request_id) or check_auth(request, state, style, request_id)
    if refusal:
        return refusal
    created = 1_731_456_000
    models = sorted({d.model for d in state.config.deployments} | {"gpt-4o-2024-08-06", "gpt-4.1-2025-04-14"})
    if style == "v1":
        data = [{"created": created, "id": m, "object": "model", "owned_by": "system"} for m in models]
    else:
        data = [_catalog_entry(m, created) for m in models]
    return respond.json(200, {"data": data, "object": "list"}, request_id)


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


def _recorded(request: Request, body: Any, fault: str | None = None) -> RecordedRequest:
    asked = request.headers.get(FAULT_HEADER)
    return RecordedRequest(
        method=request.method,
        path=request.url.path,
        query=dict(request.query_params),
        auth=auth_scheme(request),
        fault=asked if asked in FAULTS else fault,
        body=body,
    )
