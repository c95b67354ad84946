"""Building HTTP responses with Azure's headers: one place for status, reason phrase and region."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from starlette.responses import Response, StreamingResponse

from aoai_lab.emulator import wire

# Internal header read by ``server.ReasonPhraseH11Protocol``: ASGI has no reason phrase field.
REASON_HEADER = "x-emulator-reason"


def headers(request_id: str, region: str | None, reason: str | None, extra: Mapping[str, str] | None) -> dict[str, str]:
    """Azure's common headers; gateway errors (401, 404 route) carry no region (§4.1)."""
    result = {"apim-request-id": request_id}
    if region is not None:
        result |= {
            "x-request-id": request_id,
            "x-ms-region": region,
            "x-ms-client-request-id": request_id,
            "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
            "x-content-type-options": "nosniff",
        }
    if reason is not None:
        result[REASON_HEADER] = reason
    return result | dict(extra or {})


def raw(
    status: int,
    body: bytes,
    request_id: str,
    *,
    reason: str | None = None,
    region: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> Response:
    """A JSON response with exactly ``body``."""
    return Response(
        body, status_code=status, headers=headers(request_id, region, reason, extra), media_type="application/json"
    )


def model_error(
    request_id: str,
    message: str,
    param: str | None,
    code: str | None,
    region: str | None = None,
    kind: str | None = "invalid_request_error",
) -> Response:
    """A 400 ``model_error`` from the model backend (pretty-printed, see ``wire``)."""
    body = wire.model_error(message, param, code, kind)
    return raw(400, body, request_id, reason=wire.REASON_PHRASES["model_error"], region=region)


def json(
    status: int,
    payload: dict[str, Any],
    request_id: str,
    *,
    region: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> Response:
    """A success body, serialised as Azure does (compact, alphabetical)."""
    return raw(status, wire.azure_json(payload), request_id, region=region, extra=extra)


def streaming(stream: AsyncIterator[bytes], request_id: str, region: str, extra: Mapping[str, str]) -> Response:
    """A ``text/event-stream`` response."""
    result = headers(request_id, region, None, extra) | {"cache-control": "no-cache", "x-accel-buffering": "no"}
    return StreamingResponse(stream, headers=result, media_type="text/event-stream")
