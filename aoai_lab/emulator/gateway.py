"""Gateway checks that run before any deployment is looked at: route + api-version, then auth."""

from __future__ import annotations

from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

from aoai_lab.emulator import respond, wire
from aoai_lab.emulator.config import FAULT_HEADER
from aoai_lab.emulator.entra import is_entra_token
from aoai_lab.emulator.state import AuthScheme, EmulatorState

Style = Literal["classic", "v1"]


def check_api_version(request: Request, state: EmulatorState, style: Style, request_id: str) -> Response | None:
    """404 for a missing/unknown classic api-version; 400 for a dated one on /openai/v1 (§3.2)."""
    version = request.query_params.get("api-version")
    versions = state.config.api_versions
    if style == "classic":
        if version is None or not versions.is_known(version):
            return respond.raw(404, wire.RESOURCE_NOT_FOUND, request_id)
    elif version is not None and not versions.is_v1(version):
        bad_request = wire.REASON_PHRASES["bad_request"]
        return respond.raw(400, wire.API_VERSION_NOT_SUPPORTED, request_id, reason=bad_request)
    return None


def auth_scheme(request: Request) -> AuthScheme:
    """Which auth header form a request used (recorded for tests; never the key itself)."""
    has_key = "api-key" in request.headers
    has_bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
    if has_key and has_bearer:
        return "both"
    return "api-key" if has_key else "bearer" if has_bearer else "none"


def check_auth(
    request: Request, state: EmulatorState, style: Style, request_id: str, fault: str | None = None
) -> Response | None:
    """401/403 as Azure's gateway answers them (§2, §4.1, §4.2), or None when the caller may pass.

    ``fault`` is the request's fault (header or ``--fault-rate`` draw); by default the header.
    """
    fault = fault if fault is not None else request.headers.get(FAULT_HEADER)
    if fault == "firewall":  # the network rule applies before anything looks at the key
        return respond.raw(
            403, wire.FIREWALL_DENIED, request_id, extra={"policy-id": "ThrowExceptionDueToTrafficDenied"}
        )
    denied = wire.REASON_PHRASES["permission_denied"]
    scheme = auth_scheme(request)
    if scheme == "bearer":
        token = request.headers["authorization"][len("bearer ") :].strip()
        if is_entra_token(token):
            return None  # keyless (Entra ID) auth: see entra.py for what is not checked
        if style == "classic":
            # A key sent as a Bearer token on the classic route is read as an Entra token (§2).
            return respond.raw(401, wire.BEARER_ON_CLASSIC, request_id)
        key = token
    elif scheme in ("api-key", "both"):
        key = request.headers["api-key"]
    else:
        return respond.raw(401, wire.MISSING_KEY, request_id, reason=denied)
    if fault == "key-disabled":
        return respond.raw(403, wire.KEY_AUTH_DISABLED, request_id)
    if key not in state.config.api_keys:
        # INFERRED for v1: an invalid key as Bearer gets the same 401 as an invalid api-key.
        return respond.raw(401, wire.INVALID_KEY, request_id, reason=denied)
    return None
