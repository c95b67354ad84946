"""Classification on its own: (status, body, headers) or an exception → one diagnosis code.

The bodies are Azure's own, as captured in the wire-format reference
(/work/shared/reference/azure-openai-wire-format.md §3-§4, each with its issue-thread source);
the exceptions are the real classes the openai SDK, httpx2, h11 and the socket layer raise.
The end-to-end tests (test_check.py, test_client.py) prove the same codes over real HTTP.
"""

from __future__ import annotations

import socket
import ssl
from typing import Any

import h11
import httpx2
import openai
import pytest

from aoai_lab.diagnosis import CODES, HIDDEN, CallContext, from_exception, from_http, redact_url, scrub
from aoai_lab.i18n import LANGS
from tests.test_i18n import UNFILLED

CLASSIC = CallContext("gpt-5.1", "2025-04-01-preview", "classic", "my-aoai-lab.openai.azure.com", "https://x/")
KEY = "0123456789abcdef" + "\x00" + "0123456789abcde"

# §4.1
INVALID_KEY = (
    b'{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. '
    b"Make sure to provide a valid key for an active subscription and use a correct regional API endpoint "
    b'for your resource."}}'
)
# §4.2
BEARER = b'{"statusCode":401,"message":"Unauthorized. Access token is missing, invalid, audience is incorrect."}'
KEY_DISABLED = (
    b'{"error":{"code":"AuthenticationTypeDisabled","message":"Key based authentication is disabled for this '
    b'resource."}}'
)
FIREWALL = b'{"error":{"code":"403","message": "Access denied due to Virtual Network/Firewall rules."}}'
# §4.3, §4.4
DEPLOYMENT_NOT_FOUND = (
    b'{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}'
)
RESOURCE_NOT_FOUND = b'{"error":{"code":"404","message": "Resource not found"}}'
# §3.2
TOO_OLD = (
    b'{"error":{"code":"BadRequest","message":"Model {modelName} is enabled only for api versions '
    b'2024-12-01-preview and later"}}'
)
ON_V1 = b'{"error":{"code":"BadRequest","message":"API version not supported"}}'
UNKNOWN_PARAM = (
    b'{"error":{"message":"Unknown parameter: \'stream_options\'.","type":"invalid_request_error",'
    b'"param":"stream_options","code":"unknown_parameter"}}'
)
UNSUPPORTED = (
    b'{"error":{"message":"Unsupported parameter: \'max_tokens\' is not supported with this model. Use '
    b'\'max_completion_tokens\' instead.","type":"invalid_request_error","param":"max_tokens",'
    b'"code":"unsupported_parameter"}}'
)
NOT_SUPPORTED = (
    b'{"error":{"code":"OperationNotSupported","message":"The chatCompletion operation does not work with the '
    b'specified model, text-embedding-ada-002."}}'
)
FILTERED = b'{"error":{"message":"The response was filtered","type":null,"param":"prompt","code":"content_filter"}}'
TOO_LONG = (
    b'{"error":{"message":"maximum context length","type":"invalid_request_error","code":"context_length_exceeded"}}'
)

HTTP_CASES: list[tuple[int, Any, dict[str, str], CallContext, str]] = [
    (401, INVALID_KEY, {}, CLASSIC, "auth_invalid_key"),
    (401, BEARER, {}, CLASSIC, "auth_bearer_on_classic"),
    (403, KEY_DISABLED, {}, CLASSIC, "auth_key_disabled"),
    (403, FIREWALL, {}, CLASSIC, "auth_forbidden_network"),
    (404, DEPLOYMENT_NOT_FOUND, {}, CLASSIC, "deployment_not_found"),
    (404, RESOURCE_NOT_FOUND, {}, CLASSIC, "resource_not_found"),
    (404, RESOURCE_NOT_FOUND, {}, CallContext("gpt-5.1", "2023-11-01-preview"), "api_version_unknown"),
    (
        404,
        RESOURCE_NOT_FOUND,
        {},
        CallContext("gpt-5.1", "", "classic", "eastus.api.cognitive.microsoft.com"),
        "endpoint_regional",
    ),
    (400, TOO_OLD, {}, CLASSIC, "api_version_too_old_for_model"),
    (400, ON_V1, {}, CallContext("gpt-5.1", "2024-10-21", "v1"), "api_version_on_v1"),
    (400, UNKNOWN_PARAM, {}, CLASSIC, "unknown_parameter"),
    (400, UNSUPPORTED, {}, CLASSIC, "unsupported_parameter"),
    (400, NOT_SUPPORTED, {}, CLASSIC, "operation_not_supported"),
    (400, FILTERED, {}, CLASSIC, "content_filtered"),
    (400, TOO_LONG, {}, CLASSIC, "context_length_exceeded"),
    (400, b'{"error":{"code":"invalid_request","message":"?"}}', {}, CLASSIC, "bad_request"),
    (429, b'{"error":{"code":"429","message":"Rate limit"}}', {"retry-after": "7"}, CLASSIC, "rate_limited"),
    (500, b"{}", {}, CLASSIC, "server_error"),
    (503, None, {}, CLASSIC, "server_error"),
    (301, b"", {"location": "https://elsewhere.example/"}, CLASSIC, "redirected"),
    (302, b"", {"Location": "https://login.example/?password=x"}, CLASSIC, "redirected"),
    (307, b"", {}, CLASSIC, "redirected"),
    (308, b"<html>moved</html>", {"location": "/openai/"}, CLASSIC, "redirected"),
    (418, b"<html>teapot</html>", {}, CLASSIC, "unexpected_response"),
]


@pytest.mark.parametrize(("status", "body", "headers", "context", "code"), HTTP_CASES)
def test_http_classification(status: int, body: Any, headers: dict[str, str], context: CallContext, code: str) -> None:
    diagnosis = from_http(status, body, headers, context)
    assert diagnosis.code == code
    assert diagnosis.evidence.status == status
    for lang in LANGS:
        for text in (diagnosis.title(lang), diagnosis.cause(lang), diagnosis.fix(lang)):
            assert text and not UNFILLED.search(text), text


def test_a_redirect_names_its_target_without_secrets() -> None:
    diagnosis = from_http(302, b"", {"Location": "https://u:pw@login.example/?password=x&next=/"}, CLASSIC)
    assert diagnosis.evidence.detail == "location: https://login.example/?password=%2A%2A%2A&next=%2F"
    assert "302" in diagnosis.title("en")
    assert from_http(307, b"", {}, CLASSIC).evidence.detail == "location: (none)"


def test_rate_limit_reads_the_seconds_to_wait() -> None:
    assert from_http(429, b"{}", {"retry-after": "7"}, CLASSIC).params["seconds"] == "7"
    assert from_http(429, b"{}", {"retry-after-ms": "2500"}, CLASSIC).params["seconds"] == "2"


def _request() -> httpx2.Request:
    return httpx2.Request("POST", "https://my-aoai-lab.openai.azure.com/openai/deployments/gpt-5.1/chat/completions")


def _chained(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


def _header_error() -> BaseException:
    """What h11 raises (through httpcore2, httpx2 and the SDK) for a key with a NUL in it."""
    try:
        h11.Request(method="GET", target="/", headers=[(b"host", b"x"), (b"api-key", KEY.encode())])
    except h11.LocalProtocolError as error:
        local = error
    return _chained(
        openai.APIConnectionError(request=_request()), _chained(httpx2.LocalProtocolError(str(local)), local)
    )


def _non_ascii_error() -> BaseException:
    try:
        "키abc".encode("ascii")
    except UnicodeEncodeError as error:
        return error
    raise AssertionError("unreachable")


EXCEPTION_CASES: list[tuple[str, BaseException, str]] = [
    ("sdk timeout", openai.APITimeoutError(request=_request()), "timeout"),
    (
        "read timeout",
        _chained(openai.APIConnectionError(request=_request()), httpx2.ReadTimeout("timed out")),
        "timeout",
    ),
    ("socket timeout", TimeoutError("timed out"), "timeout"),
    ("dns", socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "dns_failure"),
    ("dns text", httpx2.ConnectError("[Errno -2] Name or service not known"), "dns_failure"),
    ("tls", ssl.SSLCertVerificationError(1, "CERTIFICATE_VERIFY_FAILED"), "tls_error"),
    ("refused", ConnectionRefusedError(111, "Connection refused"), "connection_failed"),
    ("reset", ConnectionResetError(104, "Connection reset by peer"), "connection_failed"),
    (
        "no scheme",
        httpx2.UnsupportedProtocol("Request URL is missing an 'http://' or 'https://' protocol."),
        "endpoint_missing_scheme",
    ),
    ("header NUL", _header_error(), "key_control_char"),
    ("non-ascii key", _non_ascii_error(), "key_not_ascii"),
    ("anything else", RuntimeError("boom"), "connection_failed"),
]


@pytest.mark.parametrize(("name", "error", "code"), EXCEPTION_CASES, ids=[c[0] for c in EXCEPTION_CASES])
def test_exception_classification(name: str, error: BaseException, code: str) -> None:
    context = CallContext("gpt-5.1", "2025-04-01-preview", "classic", "h", "https://h/", secrets=(KEY,))
    diagnosis = from_exception(error, context)
    assert diagnosis.code == code
    shown = "\n".join(value for _, value in diagnosis.evidence.items())  # raw, not a repr
    assert KEY not in shown and repr(KEY)[1:-1] not in shown and "0123456789abcdef" not in shown


def test_an_sdk_status_error_is_classified_by_its_response() -> None:
    response = httpx2.Response(404, content=DEPLOYMENT_NOT_FOUND, request=_request())
    error = openai.NotFoundError("Error code: 404", response=response, body=None)
    assert from_exception(error, CLASSIC).code == "deployment_not_found"


def test_a_whitespace_key_is_still_told_as_whitespace() -> None:
    context = CallContext(secrets=("0123456789abcdef\n0123456789abcdef",))
    error = httpx2.LocalProtocolError("Illegal header value b'0123456789abcdef\\n0123456789abcdef'")
    diagnosis = from_exception(error, context)
    assert diagnosis.code == "key_whitespace"
    assert "0123456789abcdef" not in (diagnosis.evidence.detail or "")


@pytest.mark.parametrize(
    "text",
    [
        f"Illegal header value b'{KEY.encode()!r}'",
        f"Illegal header value {KEY!r}",
        f"boom {KEY} boom",
        f"boom {KEY.encode('unicode_escape').decode()} boom",
        f"header value {KEY}",
    ],
)
def test_scrub_removes_the_key_in_every_spelling(text: str) -> None:
    scrubbed = scrub(text, (KEY,))
    assert HIDDEN in scrubbed
    assert "0123456789abcdef" not in scrubbed


def test_scrub_hides_quoted_header_values_without_knowing_the_secret() -> None:
    assert scrub("Illegal header value b'sekrit\\x00value'") == f"Illegal header value {HIDDEN}"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://[::1]:8765/openai/models?api-version=1", "http://[::1]:8765/openai/models?api-version=1"),
        ("https://[2001:db8::1]/x", "https://[2001:db8::1]/x"),
        ("https://user:pw@host.example:8443/p?api-key=k&a=b", "https://host.example:8443/p?api-key=%2A%2A%2A&a=b"),
        ("http://[::1", "(invalid URL)"),
        ("http://127.0.0.1:99999/", "(invalid URL)"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_every_code_reads_in_both_languages() -> None:
    from aoai_lab.diagnosis import example

    for code in CODES:
        for lang in LANGS:
            diagnosis = example(code)
            assert not diagnosis.title(lang).startswith("diag."), code
            for text in (diagnosis.title(lang), diagnosis.cause(lang), diagnosis.fix(lang)):
                assert not UNFILLED.search(text), (code, lang, text)


def test_a_server_echoing_the_key_in_its_error_message_is_scrubbed() -> None:
    body = b'{"error":{"code":"401","message":"Invalid key 0123456789abcdef0123456789abcdef for this proxy"}}'
    context = CallContext(secrets=("0123456789abcdef0123456789abcdef",))
    diagnosis = from_http(401, body, {}, context)
    assert diagnosis.code == "auth_invalid_key"
    assert diagnosis.evidence.message == f"Invalid key {HIDDEN} for this proxy"
