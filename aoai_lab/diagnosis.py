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
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlunsplit

from aoai_lab.advice import version_advice
from aoai_lab.connection import safe_split, url_host
from aoai_lab.i18n import Lang, t
from aoai_lab.models import Family, is_model_name
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
        "endpoint_too_long": 3,
        "endpoint_malformed": 3,
        "endpoint_bad_port": 3,
        "endpoint_has_credentials": 3,
        "endpoint_is_tutorial_example": 3,
        "key_missing": 3,
        "key_openai_format": 3,
        "key_whitespace": 3,
        "key_format_unusual": 3,
        "key_control_char": 3,
        "key_not_ascii": 3,
        "key_is_tutorial_example": 3,
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
        "param_for_responses_api": 4,
        "param_for_chat_api": 4,
        "responses_on_classic_route": 4,
        "context_length_exceeded": 4,
        "rate_limited": 2,
        "content_filtered": 4,
        "bad_request": 4,
        "server_error": 4,
        "stream_interrupted": 4,
        "unexpected_response": 3,
        "redirected": 3,
        # classroom mode (aoai_lab/classroom; texts in locales/*/classroom.toml): not sent
        "classroom_host_refused": 3,
        "classroom_https_only": 3,
        "classroom_host_private": 3,
        "classroom_paused": 4,
        "classroom_access_code": 4,
        "classroom_rate_limit": 4,
        "classroom_session_budget": 4,
        "classroom_class_budget": 4,
        "classroom_azure_busy": 4,
        "classroom_unavailable": 4,
    }
)
CODES: tuple[str, ...] = tuple(STEPS)
# Codes whose fix recommends an api-version: the advice depends on the model family.
VERSION_CODES = frozenset(
    {
        "api_version_missing",
        "api_version_is_model_version",
        "api_version_unknown",
        "api_version_too_old_for_model",
        "unknown_parameter",
    }
)

_SECRET_QUERY = re.compile(r"(key|token|sig|secret|password)", re.I)
# h11 quotes the whole header value it refuses ("Illegal header value b'<the key>'"), and the
# api-key header is the only one a learner types: the quoted value is never kept.
_HEADER_VALUE = re.compile(r"""(header (?:value|name)\s*)(b?(['"]).*?\3|\S+)""", re.I | re.S)
HIDDEN = "(hidden)"
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
        "api_version": TUTORIAL_API_VERSION,
        "param": "max_tokens",
        "replacement": "max_output_tokens",
        "host": "portal.azure.com",
        "seconds": "5",
        "suggestion": "https://my-aoai-lab.openai.azure.com/",
        "endpoint": "https://my-aoai-lab.openai.azure.com/",
        "field": "endpoint",
        "length": "20",
        "received": "120",
        "status": "301",
        "port": "99999",
        "address": "169.254.169.254",  # classroom_host_private
    }
)


def example(code: str) -> Diagnosis:
    """``code`` with typical values in its texts (for a catalog of every diagnosis)."""
    # The advice is the one for the tutorial's own deployment, gpt-5.1 (a reasoning model).
    return Diagnosis(code, params={**EXAMPLE_PARAMS, **version_advice("gpt-5.1").params()})


def redact_url(url: str) -> str:
    """``url`` without credentials or secret-looking query parameters (IPv6 keeps its brackets)."""
    parts = safe_split(url)
    if parts is None:
        return "(invalid URL)"
    netloc = url_host(parts.hostname or "")
    if parts.port is not None:
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
    # Values that must never reach a diagnosis (the key), scrubbed from exception texts.
    secrets: tuple[str, ...] = field(default=(), repr=False, compare=False)
    # The model family, when a check has learned it (the api-version advice depends on it).
    family: Family | None = None


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
        # A proxy or a look-alike server may echo the api-key header back in its error message.
        message=scrub(message, context.secrets) if message else message,
        request_id=request_id_of(headers),
        url=redact_url(context.url) if context.url else None,
    )
    diag_code, hints, extra = _classify(status, code, message or "", param, parsed, headers, context)
    # Azure's refusal of an old version is itself proof of a reasoning model.
    known = "reasoning" if diag_code == "api_version_too_old_for_model" else context.family
    advice = version_advice(context.deployment, known)
    params = {
        "deployment": context.deployment,
        "api_version": context.api_version,
        "param": param or "",
        "host": context.host,
        **advice.params(),
    }
    if diag_code in VERSION_CODES:
        hints = (*hints, advice.hint)
    if diag_code == "redirected":
        location = {k.lower(): v for k, v in headers.items()}.get("location", "")
        evidence = replace(evidence, detail=f"location: {redact_url(location) if location else '(none)'}")
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
    if 300 <= status < 400:
        # Never followed (the key would go wherever the Location points): reported as is.
        return "redirected", (), {"status": str(status)}
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
    if status == 400 and (mismatch := api_mismatch(message, param, context.url)) is not None:
        return mismatch
    if status == 400:
        diag_code, hints = _bad_request(code, message.lower(), param)
        return diag_code, hints, {}
    return "unexpected_response", (), {}


def _not_found(code: str | None, context: CallContext) -> _Classified:
    if code == "DeploymentNotFound":
        return "deployment_not_found", ("diag.hint.model_name",) if is_model_name(context.deployment) else (), {}
    if _CLASSIC_RESPONSES.search(_path_of(context.url)):
        return "responses_on_classic_route", (), {}
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


# ---------------------------------------------------------------------------------------------
# Chat Completions vs the Responses API (issue 13)

# A Chat Completions parameter sent to the Responses API -> what the Responses API calls it ("" :
# no counterpart, leave it out). OpenAI's refusals, relayed by Azure, name the new place:
# "Unsupported parameter: 'messages'. In the Responses API, this parameter has moved to 'input'."
# (captured on Azure, /openai/responses?api-version=2025-04-01-preview, gpt-5.2-codex, in a public
# health report, Feb 2026), "... 'max_completion_tokens' ... moved to 'max_output_tokens'",
# "... 'reasoning_effort' ... moved to 'reasoning.effort'", "... 'response_format' ... moved to
# 'text.format'"; any other: "Unknown parameter: 'max_tokens'." (code unknown_parameter). Parameter
# list: https://platform.openai.com/docs/api-reference/responses/create and
# https://learn.microsoft.com/azure/ai-foundry/openai/how-to/responses ; stop, seed and the
# penalties have no Responses counterpart (aoai_lab/request.py ChatParams.responses_dict).
CHAT_ONLY: Mapping[str, str] = MappingProxyType(
    {
        "messages": "input",
        "max_tokens": "max_output_tokens",
        "max_completion_tokens": "max_output_tokens",
        "reasoning_effort": "reasoning.effort",
        "response_format": "text.format",
        "verbosity": "text.verbosity",
        "stop": "",
        "seed": "",
        "presence_penalty": "",
        "frequency_penalty": "",
        "n": "",
        "logprobs": "",
        "stream_options": "",
    }
)
# A Responses API parameter sent to Chat Completions -> its Chat Completions counterpart. Chat
# Completions refuses it as "Unknown parameter: 'max_output_tokens'." (code unknown_parameter) or,
# on dated classic api-versions, "Unrecognized request argument supplied: input" (reference §3.2).
RESPONSES_ONLY: Mapping[str, str] = MappingProxyType(
    {
        "input": "messages",
        "instructions": "messages (role system)",
        "max_output_tokens": "max_completion_tokens / max_tokens",
        "reasoning": "reasoning_effort",
        "text": "response_format / verbosity",
        "previous_response_id": "messages",
        "truncation": "",
    }
)
# "Unknown parameter: 'x'.", "Unsupported parameter: 'x'. ...", "Unrecognized request argument supplied: x"
_REFUSED_PARAM = re.compile(
    r"(?:unknown parameter|unsupported parameter|unrecognized request argument supplied):?\s*'?([A-Za-z_][\w.]*)'?",
    re.I,
)
# The Responses API lives on the v1 route only: /openai/v1/responses (GA, no api-version). A
# deployment-scoped /openai/deployments/{d}/responses is no route at all (Azure's spec has none:
# https://learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle), so Azure answers
# its generic 404 "Resource not found" (reference §3.2; the status for this path is INFERRED from
# Azure's answer to every unknown route). The older preview route /openai/responses?api-version=…
# exists only for dated previews from 2025-03-01-preview (reference §1.1).
_CLASSIC_RESPONSES = re.compile(r"/openai/(?:deployments/[^/]+/)?responses/?$")


def _path_of(url: str) -> str:
    parts = safe_split(url) if url else None
    return parts.path if parts is not None else ""


def api_mismatch(message: str, param: str | None, url: str) -> _Classified | None:
    """A parameter of the other API (Chat Completions vs Responses), or None when it is not that."""
    found = _REFUSED_PARAM.search(message)
    name = param or (found.group(1) if found else "")
    if not name:
        return None
    responses = _path_of(url).rstrip("/").endswith("/responses")
    table, code = (CHAT_ONLY, "param_for_responses_api") if responses else (RESPONSES_ONLY, "param_for_chat_api")
    if name not in table:
        return None
    hints = () if table[name] else ("diag.hint.no_counterpart",)
    return code, hints, {"param": name, "replacement": table[name] or "-"}


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
    # Imported here, not at the top: the Guide page must not pay for the SDK or httpx2 (issue 12).
    import httpx2
    import openai

    if isinstance(error, openai.APIStatusError):
        return from_http(error.status_code, error.response.content, dict(error.response.headers), context)
    url = redact_url(context.url) if context.url else None
    params = {"host": context.host, "deployment": context.deployment, "api_version": context.api_version}
    for inner in _chain(error):
        evidence = Evidence(url=url, detail=f"{type(inner).__name__}: {_short(inner, context.secrets)}")
        if isinstance(inner, UnicodeEncodeError) and inner.encoding == "ascii":
            # httpx encodes header values as ASCII; the api-key header is the one a learner types.
            return Diagnosis("key_not_ascii", replace(evidence, detail=type(inner).__name__), params)
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
            control = any(not ch.isspace() and not ch.isprintable() for s in context.secrets for ch in s)
            return Diagnosis("key_control_char" if control else "key_whitespace", evidence, params)
        if "unknown url type" in text or "Request URL is missing an 'http://' or 'https://'" in text:
            return Diagnosis("endpoint_missing_scheme", evidence, params)
        if "Name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
            return Diagnosis("dns_failure", evidence, params)
        if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text:
            return Diagnosis("tls_error", evidence, params)
    detail = f"{type(error).__name__}: {_short(error, context.secrets)}"
    return Diagnosis("connection_failed", Evidence(url=url, detail=detail), params)


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` without any quoted header value and without ``secrets`` in any spelling.

    An exception may quote the key raw, escaped as in Python source (``\\x00``) or as bytes
    (``b'…'``); every one of those spellings is replaced.
    """
    text = _HEADER_VALUE.sub(lambda m: m[1] + HIDDEN, text)
    for secret in filter(None, secrets):
        spellings = {
            secret,
            repr(secret)[1:-1],
            secret.encode("unicode_escape").decode("ascii"),
            str(secret.encode("utf-8", "backslashreplace"))[2:-1],
        }
        for spelling in sorted(spellings, key=len, reverse=True):
            text = text.replace(spelling, HIDDEN)
    return text


def _short(error: BaseException, secrets: tuple[str, ...] = ()) -> str:
    # Scrubbed before it is cut, so a key cut in half at the limit cannot survive.
    text = scrub(str(error).strip() or repr(error), secrets)
    return text if len(text) <= 300 else text[:297] + "..."
