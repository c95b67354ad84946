"""Azure OpenAI bodies, byte for byte where the reference gives them.

Every literal here is quoted from ``../shared/reference/azure-openai-wire-format.md`` (section in
the comment). Gateway errors keep Azure's odd spacing; model errors keep OpenAI's key order
(message, type, param, code); success bodies are serialised with alphabetical keys, as Azure does.
"""

from __future__ import annotations

import json
import uuid
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

REASON_PHRASES = {
    "permission_denied": "PermissionDenied",
    "deployment_not_found": "DeploymentNotFound",
    "model_error": "model_error",
    "bad_request": "BadRequest",
}


def operation_not_supported(model: str) -> bytes:
    """§4.5 — a chat call to a deployment that cannot chat (an embedding model)."""
    message = (
        f"The chatCompletion operation does not work with the specified model, {model}. Please choose "
        "different model and try again. You can learn more about which models can be used with each "
        "operation here: https://go.microsoft.com/fwlink/?linkid=2197993."
    )
    return compact({"error": {"code": "OperationNotSupported", "message": message}})


def model_error(message: str, param: str | None, code: str | None) -> bytes:
    """§4.9 / §4.10 — an OpenAI-style error from the model backend (key order as Azure sends it)."""
    return compact({"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}})


def server_error(request_id: str) -> bytes:
    """§4.11 — the OpenAI-style 500."""
    message = (
        "The server had an error while processing your request. Sorry about that! You can retry your "
        "request, or contact us through an Azure support request at: "
        "https://go.microsoft.com/fwlink/?linkid=2213926 if the error persists. "
        f"(Please include the request ID {request_id} in your message.)"
    )
    return compact({"error": {"message": message, "type": "server_error", "param": None, "code": None}})


def gateway_error(activity_id: str) -> bytes:
    """§4.11 — the gateway 500, spaced exactly as captured (111 bytes with a UUID)."""
    return f'{{ "statusCode": 500, "message": "Internal server error", "activityId": "{activity_id}" }}'.encode()


def rate_limited(api_version: str, kind: str, retry_after: int) -> bytes:
    """§4.7 — the classic 429 wording; ``kind`` is ``call`` (requests) or ``token``."""
    message = (
        f"Requests to the ChatCompletions_Create Operation under Azure OpenAI API version {api_version} have "
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
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


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
