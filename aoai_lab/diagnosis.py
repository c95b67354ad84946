"""The diagnosis engine: every way a connection or a call can fail, as one precise, explained code.

A :class:`Diagnosis` names a stable ``code``, the tutorial step it belongs to, and redacted
evidence. Its title, cause and fix come from the i18n catalog (``diag.<code>.title|cause|fix``),
so the same diagnosis reads in Korean or English. This module maps pre-flight findings, HTTP
error responses and client exceptions to diagnoses; it never sees or stores the key.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx2
import openai

from aoai_lab.i18n import Lang, t
from aoai_lab.models import is_model_name
from aoai_lab.versions import TUTORIAL_API_VERSION, load_api_versions

Step = Literal[1, 2, 3, 4]
Severity = Literal["error", "warning", "info"]

# Every code and the tutorial step it belongs to:
# 1 create the resource · 2 deploy a model · 3 copy key & endpoint · 4 call the API.
STEPS: Mapping[str, Step] = MappingProxyType(
    {
        "ok": 4,
        # values the learner entered
        "endpoint_missing": 3,
        "endpoint_missing_scheme": 3,
        "endpoint_insecure": 3,
        "endpoint_has_path": 3,
        "endpoint_is_portal": 3,
        "endpoint_is_foundry_project": 3,
        "endpoint_regional": 3,
        "endpoint_host_typo": 3,
        "endpoint_not_azure": 3,
        "key_missing": 3,
        "key_openai_format": 3,
        "key_whitespace": 3,
        "key_format_unusual": 3,
        "value_cleaned": 3,
        "deployment_missing": 2,
        "deployment_is_resource_id": 2,
        "deployment_is_model_version": 2,
        "api_version_missing": 4,
        "api_version_is_model_version": 4,
        "api_version_unknown": 4,
        "api_version_on_v1": 4,
        # the network
        "dns_failure": 1,
        "connection_failed": 3,
        "tls_error": 3,
        "timeout": 3,
        # what Azure answered
        "auth_invalid_key": 3,
        "auth_bearer_on_classic": 4,
        "auth_key_disabled": 1,
        "auth_forbidden_network": 1,
        "resource_not_found": 3,
        "deployment_not_found": 2,
        "operation_not_supported": 2,
        "api_version_too_old_for_model": 4,
        "unsupported_parameter": 4,
        "unknown_parameter": 4,
        "context_length_exceeded": 4,
        "rate_limited": 2,
        "content_filtered": 4,
        "bad_request": 4,
        "server_error": 4,
        "stream_interrupted": 4,
        "unexpected_response": 3,
    }
)
CODES: tuple[str, ...] = tuple(STEPS)

_SECRET_QUERY = re.compile(r"(key|token|sig|secret|password)", re.I)
_RETRY_AFTER_TEXT = re.compile(r"retry after (\d+) second", re.I)


@dataclass(frozen=True)
class Evidence:
    """What was observed, with nothing secret in it."""

    status: int | None = None
    error_code: str | None = None
    message: str | None = None
    request_id: str | None = None
    url: str | None = None
    detail: str | None = None

    def items(self) -> Iterator[tuple[str, str]]:
        """The fields that are set, as (name, text) pairs for display."""
        for name in ("status", "error_code", "message", "request_id", "url", "detail"):
            value = getattr(self, name)
            if value is not None and value != "":
                yield name, str(value)


@dataclass(frozen=True)
class Diagnosis:
    """One explained outcome: a stable code, its step, texts from the catalog, redacted evidence."""

    code: str
    evidence: Evidence = field(default_factory=Evidence)
    # Values for the catalog texts' placeholders (deployment name, seconds to wait, …).
    params: Mapping[str, str] = field(default_factory=dict)
    # Extra explanations (i18n keys) that apply to this case, e.g. "diag.hint.model_name".
    hints: tuple[str, ...] = ()
    severity: Severity = "error"

    def __post_init__(self) -> None:
        if self.code not in STEPS:
            raise ValueError(f"unknown diagnosis code {self.code!r}")

    @property
    def ok(self) -> bool:
        """True for the success outcome."""
        return self.code == "ok"

    @property
    def step(self) -> Step:
        """The tutorial step (1-4) where the fix lies."""
        return STEPS[self.code]

    def title(self, lang: Lang) -> str:
        """What happened, in one line."""
        return t(f"diag.{self.code}.title", lang, **self.params)

    def cause(self, lang: Lang) -> str:
        """Why it happened."""
        return t(f"diag.{self.code}.cause", lang, **self.params)

    def fix(self, lang: Lang) -> str:
        """What to do about it."""
        return t(f"diag.{self.code}.fix", lang, **self.params)

    def hint_texts(self, lang: Lang) -> list[str]:
        """The extra explanations in ``lang``."""
        return [t(key, lang, **self.params) for key in self.hints]

    def to_dict(self, lang: Lang) -> dict[str, Any]:
        """A JSON-ready form (for ``--json`` and the diagnostic report)."""
        return {
            "code": self.code,
            "step": self.step,
            "severity": self.severity,
            "title": self.title(lang),
            "cause": self.cause(lang),
            "fix": self.fix(lang),
            "hints": self.hint_texts(lang),
            "evidence": dict(self.evidence.items()),
        }


OK = Diagnosis("ok", severity="info")

# Typical values for the catalog's placeholders, so a code reads naturally when it is shown
# without a case behind it (the troubleshoot page's list).
EXAMPLE_PARAMS: Mapping[str, str] = MappingProxyType(
    {
        "deployment": "gpt-4o",
        "api_version": "2026-01-01-preview",
        "param": "max_tokens",
        "host": "portal.azure.com",
        "seconds": "5",
        "suggestion": "https://my-aoai-lab.openai.azure.com/",
        "endpoint": "https://my-aoai-lab.openai.azure.com/",
        "field": "endpoint",
        "length": "20",
        "received": "120",
    }
)


def example(code: str) -> Diagnosis:
    """``code`` with typical values in its texts (for a catalog of every diagnosis)."""
    return Diagnosis(code, params={**EXAMPLE_PARAMS, **load_api_versions().latest})


def redact_url(url: str) -> str:
    """``url`` without credentials or secret-looking query parameters."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    query = urlencode([(k, "***" if _SECRET_QUERY.search(k) else v) for k, v in parse_qsl(parts.query)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


# ---------------------------------------------------------------------------------------------
# HTTP responses


def _error_fields(body: Any) -> tuple[str | None, str | None, str | None]:
    """(code, message, param) from Azure's two error shapes (``error`` envelope or ``statusCode``)."""
    if not isinstance(body, Mapping):
        return None, None, None
    error = body.get("error")
    if isinstance(error, Mapping):
        code = error.get("code")
        return (
            str(code) if code is not None else None,
            str(error.get("message") or "") or None,
            str(error.get("param")) if error.get("param") is not None else None,
        )
    if "statusCode" in body:
        return str(body.get("statusCode")), str(body.get("message") or "") or None, None
    return None, None, None


def _parse_body(raw: bytes | str | Mapping[str, Any] | None) -> Any:
    if raw is None or isinstance(raw, Mapping):
        return raw
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """The request id Azure puts on every response (``apim-request-id``, else ``x-request-id``)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    return lowered.get("apim-request-id") or lowered.get("x-request-id")


def retry_after_seconds(headers: Mapping[str, str], message: str | None) -> int | None:
    """Seconds to wait before retrying: ``retry-after-ms``, ``retry-after``, or the message text."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        if "retry-after-ms" in lowered:
            return max(1, round(float(lowered["retry-after-ms"]) / 1000))
        if "retry-after" in lowered:
            return max(1, round(float(lowered["retry-after"])))
    except ValueError:
        pass
    match = _RETRY_AFTER_TEXT.search(message or "")
    return int(match[1]) if match else None


@dataclass(frozen=True)
class CallContext:
    """What the caller knows about the failed call (to tell similar failures apart)."""

    deployment: str = ""
    api_version: str = ""
    style: str = "classic"
    host: str = ""
    url: str = ""


def from_http(
    status: int,
    body: bytes | str | Mapping[str, Any] | None,
    headers: Mapping[str, str],
    context: CallContext,
) -> Diagnosis:
    """The diagnosis for an HTTP error response from Azure (or the emulator)."""
    parsed = _parse_body(body)
    code, message, param = _error_fields(parsed)
    evidence = Evidence(
        status=status,
        error_code=code,
        message=message,
        request_id=request_id_of(headers),
        url=redact_url(context.url) if context.url else None,
    )
    params = {
        "deployment": context.deployment,
        "api_version": context.api_version,
        "param": param or "",
        "host": context.host,
        **load_api_versions().latest,
    }

    diag_code, hints, extra = _classify(status, code, message or "", param, parsed, headers, context)
    return Diagnosis(diag_code, evidence, {**params, **extra}, hints)


# (code, hint keys, extra text parameters)
_Classified = tuple[str, tuple[str, ...], dict[str, str]]


def _classify(
    status: int,
    code: str | None,
    message: str,
    param: str | None,
    parsed: Any,
    headers: Mapping[str, str],
    context: CallContext,
) -> _Classified:
    if status == 401:
        bearer = isinstance(parsed, Mapping) and "statusCode" in parsed
        return ("auth_bearer_on_classic" if bearer else "auth_invalid_key"), (), {}
    if status == 403:
        return ("auth_key_disabled" if code == "AuthenticationTypeDisabled" else "auth_forbidden_network"), (), {}
    if status == 404:
        return _not_found(code, context)
    if status == 429:
        seconds = retry_after_seconds(headers, message)
        return "rate_limited", (), {"seconds": str(seconds) if seconds is not None else "?"}
    if status >= 500:
        return "server_error", (), {}
    if status == 400:
        diag_code, hints = _bad_request(code, message.lower(), param)
        return diag_code, hints, {}
    return "unexpected_response", (), {}


def _not_found(code: str | None, context: CallContext) -> _Classified:
    if code == "DeploymentNotFound":
        return "deployment_not_found", ("diag.hint.model_name",) if is_model_name(context.deployment) else (), {}
    if context.host.endswith(".api.cognitive.microsoft.com"):
        return "endpoint_regional", (), {}
    if context.style == "classic" and context.api_version and not load_api_versions().is_known(context.api_version):
        hints = ("diag.hint.tutorial_api_version",) if context.api_version == TUTORIAL_API_VERSION else ()
        return "api_version_unknown", hints, {}
    return "resource_not_found", (), {}


def _bad_request(code: str | None, text: str, param: str | None) -> tuple[str, tuple[str, ...]]:
    if code == "BadRequest" and "api version not supported" in text:
        return "api_version_on_v1", ()
    if "is enabled only for api versions" in text:
        return "api_version_too_old_for_model", ()
    if code == "OperationNotSupported":
        return "operation_not_supported", ()
    if code == "content_filter":
        return "content_filtered", ()
    if code == "context_length_exceeded":
        return "context_length_exceeded", ()
    if code == "unknown_parameter" or "unrecognized request argument" in text:
        return "unknown_parameter", ()
    if code in ("unsupported_parameter", "unsupported_value", "invalid_value"):
        hints = {
            "max_tokens": ("diag.hint.max_tokens_reasoning",),
            "temperature": ("diag.hint.temperature_reasoning",),
            "top_p": ("diag.hint.temperature_reasoning",),
            "reasoning_effort": ("diag.hint.reasoning_effort",),
        }
        return "unsupported_parameter", hints.get(param or "", ())
    return "bad_request", ()


def unexpected_response(status: int, content_type: str, context: CallContext) -> Diagnosis:
    """A response that is not Azure OpenAI's (HTML from a portal page, a captive Wi-Fi login, …)."""
    evidence = Evidence(
        status=status,
        url=redact_url(context.url) if context.url else None,
        detail=f"content-type: {content_type or '(none)'}",
    )
    return Diagnosis("unexpected_response", evidence, {"host": context.host})


# ---------------------------------------------------------------------------------------------
# Exceptions


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def from_exception(error: BaseException, context: CallContext) -> Diagnosis:
    """The diagnosis for an exception raised by the openai SDK, httpx2 or a socket."""
    if isinstance(error, openai.APIStatusError):
        return from_http(error.status_code, error.response.content, dict(error.response.headers), context)
    url = redact_url(context.url) if context.url else None
    params = {"host": context.host, "deployment": context.deployment, "api_version": context.api_version}
    for inner in _chain(error):
        evidence = Evidence(url=url, detail=f"{type(inner).__name__}: {_short(inner)}")
        if isinstance(inner, openai.APITimeoutError | httpx2.TimeoutException | TimeoutError | socket.timeout):
            return Diagnosis("timeout", evidence, params)
        if isinstance(inner, socket.gaierror):
            return Diagnosis("dns_failure", evidence, params)
        if isinstance(inner, ssl.SSLError | ssl.CertificateError):
            return Diagnosis("tls_error", evidence, params)
        if isinstance(inner, ConnectionRefusedError | ConnectionResetError):
            return Diagnosis("connection_failed", evidence, params)
        text = str(inner)
        # The SDK turns malformed values into a "Connection error." (reference §1.4).
        if "Illegal header value" in text:
            return Diagnosis("key_whitespace", evidence, params)
        if "unknown url type" in text or "Request URL is missing an 'http://' or 'https://'" in text:
            return Diagnosis("endpoint_missing_scheme", evidence, params)
        if "Name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
            return Diagnosis("dns_failure", evidence, params)
        if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text:
            return Diagnosis("tls_error", evidence, params)
    detail = f"{type(error).__name__}: {_short(error)}"
    return Diagnosis("connection_failed", Evidence(url=url, detail=detail), params)


def _short(error: BaseException) -> str:
    text = str(error).strip() or repr(error)
    return text if len(text) <= 300 else text[:297] + "..."
