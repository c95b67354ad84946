"""Azure OpenAI bodies, byte for byte where the reference gives them.

Every fixed body and text the emulator sends is here, quoted from
``../shared/reference/azure-openai-wire-format.md`` (section in the comment) or from the public
issue thread named next to it. The one exception is deliberate: parameter-validation messages are
templates filled with the request's own values ("Invalid type for 'stream': expected a boolean, but
got a string instead."), so they sit next to their check in ``validation.py``, each with its source.
Success bodies are serialised with alphabetical keys, as Azure does.

Two families of errors, serialised differently (reference §4):

* **Gateway errors** -- Azure's front door answers before any model sees the request: 401/403
  auth, 404 route and ``DeploymentNotFound``, ``OperationNotSupported``, the api-version
  ``BadRequest`` bodies, 429 rate limits, the gateway 500. They are **compact** (``compact``), with
  Azure's odd spacing kept where captured (224-byte 401, 307-byte OperationNotSupported, 90-byte
  firewall 403, 111-byte gateway 500).
* **Model errors** -- the OpenAI-style ``{"error": {"message", "type", "param", "code"}}`` bodies
  from the model backend (parameter validation, context length, the OpenAI-style 500). They come
  back **pretty-printed**: two-space indentation and a trailing newline (``pretty``). Evidence:
  Azure/azure-sdk-for-net#40645 shows ``Content-Length: 170`` for a body whose compact form is 137
  bytes; ``json.dumps(indent=2) + "\n"`` of a four-field error adds exactly those 33 bytes.
  The prompt content-filter 400 stays compact: every capture of it (§4.8) is compact.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

# §3.2 / §4.4 — note the space after "message":
RESOURCE_NOT_FOUND = b'{"error":{"code":"404","message": "Resource not found"}}'

# §4.1 — exactly 224 bytes, reason phrase PermissionDenied, no x-ms-region.
INVALID_KEY = (
    b'{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. '
    b"Make sure to provide a valid key for an active subscription and use a correct regional API endpoint "
    b'for your resource."}}'
)

# §2 / §4.2 — a key sent only as Bearer on the classic route: not the usual envelope.
BEARER_ON_CLASSIC = (
    b'{"statusCode":401,"message":"Unauthorized. Access token is missing, invalid, audience is incorrect '
    b'(https://cognitiveservices.azure.com), or have expired."}'
)

# §4.3 — reason phrase DeploymentNotFound.
DEPLOYMENT_NOT_FOUND = (
    b'{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist. '
    b'If you created the deployment within the last 5 minutes, please wait a moment and try again."}}'
)

# §3.2 — a dated api-version on a /openai/v1 path.
API_VERSION_NOT_SUPPORTED = b'{"error":{"code":"BadRequest","message":"API version not supported"}}'

# §3.1 — the literal {modelName} placeholder is in Azure's real message.
MODEL_NEEDS_NEWER_API_VERSION = (
    b'{"error":{"code":"BadRequest","message":"Model {modelName} is enabled only for api versions '
    b'2024-12-01-preview and later"}}'
)

# §4.2
KEY_AUTH_DISABLED = (
    b'{"error":{"code":"AuthenticationTypeDisabled","message":"Key based authentication is disabled for this '
    b'resource."}}'
)
FIREWALL_DENIED = b'{"error":{"code":"403","message": "Access denied due to Virtual Network/Firewall rules."}}'

# §4.11 — 503 wording is UNCONFIRMED (third-party catalogues).
SERVICE_UNAVAILABLE = (
    b'{"error":{"code":"503","message":"The service is temporarily unable to process your request. '
    b'Please try again later."}}'
)

# APIM's wording; UNCONFIRMED for Azure OpenAI.
MISSING_KEY = (
    b'{"error":{"code":"401","message":"Access denied due to missing subscription key. Make sure to include '
    b'subscription key when making requests to an API."}}'
)

# The model backend's answer to a body that is not JSON (invalid_request_error, param/code null).
# OpenAI's own copy adds "If you have trouble figuring out how to fix this, please contact us through
# our help center at help.openai.com." (ChatGPTNextWeb/NextChat#4064, pretty-printed); that sentence
# is left out here as it names OpenAI's help center -- Azure's exact variant is UNCONFIRMED.
INVALID_JSON_BODY = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP "
    "library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
)

# https://github.com/dotnet/extensions/issues/6130, Azure/azure-sdk-for-net#46579 and
# langgenius/dify#8994 (``'code': 'BadRequest'``): json_schema on an api-version that predates it.
JSON_SCHEMA_NEEDS_NEWER_API_VERSION = (
    b'{"error":{"code":"BadRequest","message":"response_format value as json_schema is enabled only for api '
    b'versions 2024-08-01-preview and later"}}'
)

REASON_PHRASES = {
    "permission_denied": "PermissionDenied",
    "deployment_not_found": "DeploymentNotFound",
    "model_error": "model_error",
    "bad_request": "BadRequest",
}


def operation_not_supported(model: str, operation: str = "chatCompletion") -> bytes:
    """§4.5 — an operation the deployment's model cannot do.

    ``chatCompletion`` (chat on an embedding model), ``embeddings`` (run-llama/llama_index#6436:
    "The embeddings operation does not work with the specified model, gpt-35-turbo. …") or
    ``completion`` (legacy /completions on a chat model, langchain-ai/langchainjs#2633).
    """
    message = (
        f"The {operation} operation does not work with the specified model, {model}. Please choose "
        "different model and try again. You can learn more about which models can be used with each "
        "operation here: https://go.microsoft.com/fwlink/?linkid=2197993."
    )
    return compact({"error": {"code": "OperationNotSupported", "message": message}})


def model_error(message: str, param: str | None, code: str | None, kind: str | None = "invalid_request_error") -> bytes:
    """§4.9 / §4.10 — an OpenAI-style error from the model backend (key order as Azure sends it, pretty)."""
    return pretty({"error": {"message": message, "type": kind, "param": param, "code": code}})


def gateway_error_body(code: str, message: str) -> bytes:
    """A compact gateway-style ``{"error":{"code","message"}}`` body."""
    return compact({"error": {"code": code, "message": message}})


def server_error(request_id: str) -> bytes:
    """§4.11 — the OpenAI-style 500."""
    message = (
        "The server had an error while processing your request. Sorry about that! You can retry your "
        "request, or contact us through an Azure support request at: "
        "https://go.microsoft.com/fwlink/?linkid=2213926 if the error persists. "
        f"(Please include the request ID {request_id} in your message.)"
    )
    return pretty({"error": {"message": message, "type": "server_error", "param": None, "code": None}})


def gateway_error(activity_id: str) -> bytes:
    """§4.11 — the gateway 500, spaced exactly as captured (111 bytes with a UUID)."""
    return f'{{ "statusCode": 500, "message": "Internal server error", "activityId": "{activity_id}" }}'.encode()


def rate_limited(api_version: str, kind: str, retry_after: int, operation: str = "ChatCompletions_Create") -> bytes:
    """§4.7 — the classic 429 wording; ``kind`` is ``call`` (requests) or ``token``.

    ``operation`` is ``ChatCompletions_Create``, ``Embeddings_Create`` (langchain#12986) or
    ``Responses_Create`` (INFERRED by analogy).
    """
    message = (
        f"Requests to the {operation} Operation under Azure OpenAI API version {api_version} have "
        f"exceeded {kind} rate limit of your current OpenAI S0 pricing tier. Please retry after {retry_after} "
        "seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the "
        "default rate limit."
    )
    return compact({"error": {"code": "429", "message": message}})


def prompt_filtered(results: dict[str, Any]) -> bytes:
    """§4.8 — the prompt tripped the content filter (HTTP 400)."""
    message = (
        "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. "
        "Please modify your prompt and retry. To learn more about our content filtering policies please read "
        "our documentation: https://go.microsoft.com/fwlink/?linkid=2198766"
    )
    error = {
        "message": message,
        "type": None,
        "param": "prompt",
        "code": "content_filter",
        "status": 400,
        # Categories in Azure's (alphabetical) order, as in the §4.8 capture.
        "innererror": {"code": "ResponsibleAIPolicyViolation", "content_filter_result": _alphabetical(results)},
    }
    return compact({"error": error})


def compact(value: Any) -> bytes:
    """JSON with no spaces, keys in the order given."""
    return _encode(json.dumps(value, ensure_ascii=False, separators=(",", ":")), value, (",", ":"), None)


def _encode(text: str, value: Any, separators: tuple[str, str] | None, indent: int | None) -> bytes:
    # A lone surrogate cannot be UTF-8: escape it as JSON does (\ud800) instead of failing, which
    # once left a stream open forever mid-reply.
    try:
        return text.encode()
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True, separators=separators, indent=indent).encode()


def pretty(value: Any) -> bytes:
    """JSON as the model backend sends errors: two-space indent, keys in the order given, final newline."""
    return _encode(json.dumps(value, ensure_ascii=False, indent=2), value, None, 2) + b"\n"


# A detection result (jailbreak, protected material) keeps the order Azure sends:
# ``{"filtered":…,"detected":…}`` (§4.8, §5, §6 captures), not alphabetical.
_DETECTION_KEYS = ["filtered", "detected"]


def _alphabetical(value: Any) -> Any:
    if isinstance(value, dict):
        keys = sorted(value)
        # Azure puts prompt_index first inside prompt_filter_results items (§5, §6 captures).
        if "prompt_index" in value:
            keys.remove("prompt_index")
            keys.insert(0, "prompt_index")
        if sorted(keys) == sorted(_DETECTION_KEYS):
            keys = list(_DETECTION_KEYS)
        return {key: _alphabetical(value[key]) for key in keys}
    if isinstance(value, list):
        return [_alphabetical(item) for item in value]
    return value


def azure_json(value: Any) -> bytes:
    """A success body as Azure serialises it: compact, keys alphabetical."""
    return compact(_alphabetical(value))


def azure_json_filler(value: Any, slot: str) -> Callable[[str], bytes]:
    """A fast ``azure_json`` for many copies of ``value`` that differ in one string: ``value``
    holds ``slot`` wherever that string goes, and the function returns the same bytes as
    ``azure_json`` of ``value`` with ``slot`` replaced by its argument (but for a lone surrogate in
    the argument, which is escaped on its own rather than with the whole document as ASCII).

    A stream's token events differ only in their text; sorting and encoding each whole event
    was ~15 % of the emulator's CPU under a classroom load (issue 12). ``slot`` must occur in
    ``value`` only where the string goes (use a random one).
    """
    parts = azure_json(value).split(compact(slot))

    def fill(text: str) -> bytes:
        return compact(text).join(parts)

    return fill


def new_request_id() -> str:
    """A fresh ``apim-request-id`` / ``x-request-id``."""
    return str(uuid.uuid4())


def completion_id() -> str:
    """A ``chatcmpl-…`` id of Azure's length."""
    return "chatcmpl-" + uuid.uuid4().hex[:29]


def severity_results(filtered: str | None = None, severity: str = "medium") -> dict[str, Any]:
    """Severity-category filter results; ``filtered`` names the one category that tripped."""
    return {
        category: {"filtered": category == filtered, "severity": severity if category == filtered else "safe"}
        for category in ("hate", "self_harm", "sexual", "violence")
    }


def prompt_filter_results(filtered: str | None = None) -> dict[str, Any]:
    """Filter results for a prompt: severity categories plus the jailbreak detector."""
    results = severity_results(filtered)
    results["jailbreak"] = {"filtered": filtered == "jailbreak", "detected": filtered == "jailbreak"}
    return results


def completion_filter_results(filtered: str | None = None) -> dict[str, Any]:
    """Filter results for a completion; protected material is a detector, the rest severities."""
    results = severity_results(None if filtered == "protected_material_text" else filtered)
    if filtered == "protected_material_text":
        results["protected_material_text"] = {"filtered": True, "detected": True}
    return results
