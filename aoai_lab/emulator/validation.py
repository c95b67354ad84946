"""Request validation as Azure OpenAI's model backend does it: pure functions, no HTTP.

Each check returns a :class:`Problem` (the 400 body's message, param, code) or None. Texts are
quoted from real Azure/OpenAI answers where a public thread shows them (URL next to each);
"INFERRED" marks wording built by analogy with a quoted sibling.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from aoai_lab.emulator import wire
from aoai_lab.emulator.config import Deployment
from aoai_lab.tokens import estimate_prompt_tokens, message_text
from aoai_lab.versions import ApiVersions, version_date

_ROLES = ("system", "assistant", "user", "function", "tool", "developer")
# Parameters reasoning models reject outright (DOC-REASONING §7; §4.10 captures).
_REASONING_UNSUPPORTED = ("presence_penalty", "frequency_penalty", "logprobs", "top_logprobs", "logit_bias", "stop")
# First dated api-version that accepts json_schema (the BadRequest text names 2024-08-01-preview):
# https://github.com/dotnet/extensions/issues/6130
_JSON_SCHEMA_SINCE = date(2024, 8, 1)
# Dated api-versions before these answer "Unrecognized request argument supplied: …" (the argument
# did not exist in that version's contract): functions arrived in 2023-07-01-preview, tools,
# tool_choice, response_format and seed in 2023-12-01-preview (DOC-LIFECYCLE; the errors are quoted
# in langchain-ai/langchain#8593, Azure/azure-sdk-for-java#38115, 567-labs/instructor#155).
_ARGUMENT_SINCE = {
    "functions": date(2023, 7, 1),
    "function_call": date(2023, 7, 1),
    "tools": date(2023, 12, 1),
    "tool_choice": date(2023, 12, 1),
    "response_format": date(2023, 12, 1),
    "seed": date(2023, 12, 1),
    "logprobs": date(2023, 12, 1),
    "top_logprobs": date(2023, 12, 1),
}
# Parameters the dated api-versions gate with OpenAI's "Unknown parameter" (versions.toml features).
_UNKNOWN_BEFORE = ("max_completion_tokens", "stream_options", "reasoning_effort")

# Every top-level argument a chat completion accepts (SPEC-V1 CreateChatCompletionRequest plus the
# Azure extensions ``data_sources`` and ``user_security_context``). Anything else is refused.
CHAT_ARGUMENTS = frozenset(
    {
        "messages", "model", "audio", "data_sources", "frequency_penalty", "function_call", "functions",
        "logit_bias", "logprobs", "max_completion_tokens", "max_tokens", "metadata", "modalities", "n",
        "parallel_tool_calls", "prediction", "presence_penalty", "prompt_cache_key", "reasoning_effort",
        "response_format", "safety_identifier", "seed", "service_tier", "stop", "store", "stream",
        "stream_options", "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user",
        "user_security_context", "verbosity", "web_search_options",
    }
)  # fmt: skip

# Expected JSON type of each typed argument.
_TYPES: dict[str, str] = {
    "stream": "boolean",
    "logprobs": "boolean",
    "parallel_tool_calls": "boolean",
    "store": "boolean",
    "n": "integer",
    "seed": "integer",
    "top_logprobs": "integer",
    "max_tokens": "integer",
    "max_completion_tokens": "integer",
    "temperature": "decimal",
    "top_p": "decimal",
    "presence_penalty": "decimal",
    "frequency_penalty": "decimal",
    "stream_options": "object",
    "response_format": "object",
    "logit_bias": "object",
    "metadata": "object",
    "tools": "array",
    "user": "string",
    "reasoning_effort": "string",
}
_ARTICLE = {"boolean": "a boolean", "integer": "an integer", "decimal": "a decimal", "object": "an object"}
_ARTICLE |= {"array": "an array", "string": "a string"}


@dataclass(frozen=True)
class Problem:
    """Why a request is refused: an OpenAI-style model error, or a compact gateway body."""

    message: str
    param: str | None = None
    code: str | None = None
    kind: str | None = "invalid_request_error"
    gateway: bytes | None = None  # set: answer this compact BadRequest body instead


def json_type(value: object) -> str:
    """How OpenAI names the JSON type of ``value`` in "but got … instead" ("a string", "an object")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _is_type(value: object, expected: str) -> bool:
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "decimal":
        return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if expected == "string":
        return isinstance(value, str)
    if expected == "array":
        return isinstance(value, list)
    return isinstance(value, dict)


def invalid_type(name: str, expected: str, value: object) -> Problem:
    """OpenAI's invalid_type error, naming the type actually received."""
    message = f"Invalid type for '{name}': expected {expected}, but got {json_type(value)} instead."
    return Problem(message, name, "invalid_type")


def unknown_arguments(body: Mapping[str, Any], known: frozenset[str] = CHAT_ARGUMENTS) -> Problem | None:
    """ "Unrecognized request argument supplied: functions" (langchain-ai/langchain#8593, instructor#155)."""
    unknown = [name for name in body if name not in known]
    if not unknown:
        return None
    if len(unknown) == 1:
        return Problem(f"Unrecognized request argument supplied: {unknown[0]}")
    return Problem("Unrecognized request arguments supplied: " + ", ".join(unknown))


def version_problem(body: Mapping[str, Any], version: str, versions: ApiVersions) -> Problem | None:
    """Arguments a dated (classic) api-version predates."""
    day = version_date(version)
    if versions.is_v1(version) or day is None:
        return None
    for name in _UNKNOWN_BEFORE:
        if body.get(name) is not None and not versions.supports(version, name):  # type: ignore[arg-type]
            return Problem(f"Unknown parameter: '{name}'.", name, "unknown_parameter")
    unrecognized = [n for n, since in _ARGUMENT_SINCE.items() if body.get(n) is not None and day < since]
    if unrecognized:
        return unknown_arguments({n: None for n in unrecognized}, frozenset())
    response_format = body.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema" and day < _JSON_SCHEMA_SINCE:
        return Problem("", gateway=wire.JSON_SCHEMA_NEEDS_NEWER_API_VERSION)
    return None


def messages_problem(messages: object) -> Problem | None:
    """The ``messages`` array: present, an array, not empty, each a message with a known role."""
    if messages is None:
        return Problem("Missing required parameter: 'messages'.", "messages", "missing_required_parameter")
    if not isinstance(messages, list):
        return invalid_type("messages", "an array", messages)
    if not messages:
        empty = (
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead."
        )
        return Problem(empty, "messages", "empty_array")
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(message, dict):
            return invalid_type(where, "an object", message)
        role = message.get("role")
        if role not in _ROLES:
            supported = "'system', 'assistant', 'user', 'function', 'tool', and 'developer'"
            shown = role if isinstance(role, str) else json_type(role)
            return Problem(
                f"Invalid value: '{shown}'. Supported values are: {supported}.", f"{where}.role", "invalid_value"
            )
        content = message.get("content")
        if content is None and role != "assistant":
            return Problem(
                f"Missing required parameter: '{where}.content'.", f"{where}.content", "missing_required_parameter"
            )
        if content is not None and not isinstance(content, str | list):
            expected = "one of a string or array of objects"
            return invalid_type(f"{where}.content", expected, content)
    return None


def type_problem(body: Mapping[str, Any]) -> Problem | None:
    """Each typed argument has its JSON type (null counts as absent, as OpenAI treats it)."""
    for name, expected in _TYPES.items():
        value = body.get(name)
        if value is not None and not _is_type(value, expected):
            return invalid_type(name, _ARTICLE[expected], value)
    stop = body.get("stop")
    if stop is not None and not (
        isinstance(stop, str) or (isinstance(stop, list) and all(isinstance(s, str) for s in stop))
    ):
        return invalid_type("stop", "one of a string or array of strings", stop)
    return None


def _range(name: str, value: float, low: float, high: float, number: str) -> Problem | None:
    if value > high:
        message = (
            f"Invalid '{name}': {number} above maximum value. Expected a value <= {high:g}, but got {value} instead."
        )
        return Problem(message, name, f"{number}_above_max_value")
    if value < low:
        message = (
            f"Invalid '{name}': {number} below minimum value. Expected a value >= {low:g}, but got {value} instead."
        )
        return Problem(message, name, f"{number}_below_min_value")
    return None


def range_problem(body: Mapping[str, Any]) -> Problem | None:
    """Numeric ranges (OpenAI's ``integer_below_min_value`` / ``decimal_above_max_value`` family)."""
    checks: tuple[tuple[str, float, float, str], ...] = (
        ("max_tokens", 1, math.inf, "integer"),
        ("max_completion_tokens", 1, math.inf, "integer"),
        ("n", 1, 128, "integer"),
        ("top_logprobs", 0, 20, "integer"),
        ("temperature", 0, 2, "decimal"),
        ("top_p", 0, 1, "decimal"),
        ("presence_penalty", -2, 2, "decimal"),
        ("frequency_penalty", -2, 2, "decimal"),
    )
    for name, low, high, number in checks:
        value = body.get(name)
        if value is not None and (problem := _range(name, value, low, high, number)):
            return problem
    stop = body.get("stop")
    if isinstance(stop, list) and len(stop) > 4:
        message = f"Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length {len(stop)} instead."
        return Problem(message, "stop", "array_above_max_length")
    options = body.get("stream_options")
    if options is not None and body.get("stream") is not True:
        # BerriAI/litellm#5803 quotes it (param stream_options, code null; the same model backend).
        return Problem("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options")
    return None


def response_format_problem(body: Mapping[str, Any]) -> Problem | None:
    """``response_format``: its type, JSON mode's "json" rule, and a json_schema's schema."""
    response_format = body.get("response_format")
    if not isinstance(response_format, dict):
        return None
    kind = response_format.get("type")
    if kind is None:
        return Problem(
            "Missing required parameter: 'response_format.type'.", "response_format.type", "missing_required_parameter"
        )
    if kind not in ("text", "json_object", "json_schema"):
        shown = kind if isinstance(kind, str) else json_type(kind)
        supported = "'text', 'json_object', and 'json_schema'"
        return Problem(
            f"Invalid value: '{shown}'. Supported values are: {supported}.", "response_format.type", "invalid_value"
        )
    if kind == "json_object":
        text = " ".join(message_text(m.get("content")) for m in body.get("messages") or () if isinstance(m, dict))
        if "json" not in text.lower():
            # https://github.com/meta-llama/PurpleLlama/issues/94 (param messages, code null)
            message = (
                "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'."
            )
            return Problem(message, "messages")
    if kind == "json_schema":
        return json_schema_problem(response_format.get("json_schema"))
    return None


def json_schema_problem(spec: object) -> Problem | None:
    """A ``response_format.json_schema`` block: name, schema, and strict mode's rules."""
    where = "response_format.json_schema"
    if spec is None:
        return Problem(f"Missing required parameter: '{where}'.", where, "missing_required_parameter")
    if not isinstance(spec, dict):
        return invalid_type(where, "an object", spec)
    name = spec.get("name")
    if name is None:
        return Problem(f"Missing required parameter: '{where}.name'.", f"{where}.name", "missing_required_parameter")
    if not isinstance(name, str):
        return invalid_type(f"{where}.name", "a string", name)
    schema = spec.get("schema", {})
    if not isinstance(schema, dict):
        return invalid_type(f"{where}.schema", "an object", schema)
    if spec.get("strict") is True:
        reason = strict_schema_problem(schema, ())
        if reason:
            # https://github.com/dottxt-ai/outlines/issues/844 (Azure gpt-4o; param response_format, code null)
            return Problem(f"Invalid schema for response_format '{name}': {reason}", "response_format")
    return None


def strict_schema_problem(schema: Mapping[str, Any], context: tuple[str, ...]) -> str | None:
    """Why a strict schema is refused (OpenAI's structured-outputs rules), or None."""
    where = "In context=(" + ", ".join(f"'{c}'" for c in context) + ("," if len(context) == 1 else "") + ")"
    if not context and schema.get("type") != "object":
        got = schema.get("type")
        return f"schema must be a JSON Schema of 'type: \"object\"', got 'type: \"{got}\"'."
    if schema.get("type") == "object" or "properties" in schema:
        if schema.get("additionalProperties") is not False:
            return f"{where}, 'additionalProperties' is required to be supplied and to be false."
        properties = schema.get("properties") or {}
        required = schema.get("required") or []
        missing = [key for key in properties if key not in required]
        if missing:
            return f"{where}, 'required' is required to be supplied and to be an array including every key in properties. Missing '{missing[0]}'."
        for key, sub in properties.items():
            if isinstance(sub, dict) and (problem := strict_schema_problem(sub, (*context, "properties", key))):
                return problem
    items = schema.get("items")
    if isinstance(items, dict):
        return strict_schema_problem(items, (*context, "items"))
    return None


def tools_problem(body: Mapping[str, Any]) -> Problem | None:
    """``tools`` and ``tool_choice`` shapes (OpenAI's wording)."""
    tools = body.get("tools")
    names: list[str] = []
    for index, tool in enumerate(tools or ()):
        where = f"tools[{index}]"
        if not isinstance(tool, dict):
            return invalid_type(where, "an object", tool)
        if tool.get("type") != "function":
            shown = tool.get("type")
            if shown is None:
                return Problem(
                    f"Missing required parameter: '{where}.type'.", f"{where}.type", "missing_required_parameter"
                )
            return Problem(
                f"Invalid value: '{shown}'. Supported values are: 'function' and 'custom'.",
                f"{where}.type",
                "invalid_value",
            )
        function = tool.get("function")
        if function is None:
            return Problem(
                f"Missing required parameter: '{where}.function'.", f"{where}.function", "missing_required_parameter"
            )
        if not isinstance(function, dict):
            return invalid_type(f"{where}.function", "an object", function)
        name = function.get("name")
        if not isinstance(name, str):
            if name is None:
                return Problem(
                    f"Missing required parameter: '{where}.function.name'.",
                    f"{where}.function.name",
                    "missing_required_parameter",
                )
            return invalid_type(f"{where}.function.name", "a string", name)
        parameters = function.get("parameters")
        if parameters is not None and not isinstance(parameters, dict):
            return invalid_type(f"{where}.function.parameters", "an object", parameters)
        names.append(name)
    choice = body.get("tool_choice")
    if choice is None:
        return None
    if not tools:
        # OpenAI's wording (INFERRED identical on Azure's model backend).
        return Problem(
            "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", "tool_choice"
        )
    if isinstance(choice, str):
        if choice not in ("none", "auto", "required"):
            return Problem(
                f"Invalid value: '{choice}'. Supported values are: 'none', 'auto', and 'required'.",
                "tool_choice",
                "invalid_value",
            )
        return None
    if not isinstance(choice, dict):
        return invalid_type("tool_choice", "one of a string or an object", choice)
    function = choice.get("function")
    name = function.get("name") if isinstance(function, dict) else None
    if choice.get("type") != "function" or not isinstance(name, str):
        return Problem(
            "Missing required parameter: 'tool_choice.function'.", "tool_choice.function", "missing_required_parameter"
        )
    if name not in names:
        # INFERRED wording.
        return Problem(f"Invalid value for 'tool_choice': function '{name}' not found in 'tools'.", "tool_choice")
    return None


def reasoning_problem(body: Mapping[str, Any], deployment: Deployment) -> Problem | None:
    """Reasoning models: no max_tokens, only default sampling, a known reasoning_effort (§4.10)."""
    if body.get("max_tokens") is not None:
        message = (
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."
        )
        return Problem(message, "max_tokens", "unsupported_parameter")
    for name in ("temperature", "top_p"):
        value = body.get(name)
        if value is not None and value != 1:
            message = f"Unsupported value: '{name}' does not support {value} with this model. Only the default (1) value is supported."
            return Problem(message, name, "unsupported_value")
    for name in _REASONING_UNSUPPORTED:
        if body.get(name) is not None:
            return Problem(
                f"Unsupported parameter: '{name}' is not supported with this model.", name, "unsupported_parameter"
            )
    effort = body.get("reasoning_effort")
    if effort is not None and effort not in deployment.reasoning_efforts:
        allowed = [f"'{e}'" for e in deployment.reasoning_efforts]
        listed = ", ".join(allowed[:-1]) + f", and {allowed[-1]}"
        message = f"Unsupported value: 'reasoning_effort' does not support '{effort}' with this model. Supported values are: {listed}."
        return Problem(message, "reasoning_effort", "unsupported_value")
    return None


def completion_limit(body: Mapping[str, Any]) -> int | None:
    """The reply budget the request set (max_completion_tokens, else max_tokens), if any."""
    value = body.get("max_completion_tokens")
    if value is None:
        value = body.get("max_tokens")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def ceiling_problem(body: Mapping[str, Any], deployment: Deployment) -> Problem | None:
    """A reply budget above the model's output ceiling.

    "max_tokens is too large: 20000. This model supports at most 16384 completion tokens, whereas you
    provided 20000." (param max_tokens, code invalid_value): https://github.com/charmbracelet/catwalk/issues/41
    The same text with ``max_completion_tokens`` is INFERRED.
    """
    for name in ("max_completion_tokens", "max_tokens"):
        value = body.get(name)
        if isinstance(value, int) and value > deployment.max_output_tokens:
            ceiling = deployment.max_output_tokens
            message = f"{name} is too large: {value}. This model supports at most {ceiling} completion tokens, whereas you provided {value}."
            return Problem(message, name, "invalid_value")
    return None


def context_problem(body: Mapping[str, Any], deployment: Deployment) -> Problem | None:
    """The prompt (and, for classic models, prompt + reply budget) against the context window (§4.9)."""
    prompt = estimate_prompt_tokens(body["messages"])
    window = deployment.context_window
    if prompt > window:
        message = (
            f"This model's maximum context length is {window} tokens. However, your messages resulted in "
            f"{prompt} tokens. Please reduce the length of the messages."
        )
        return Problem(message, "messages", "context_length_exceeded")
    limit = completion_limit(body)
    if deployment.kind == "classic" and limit is not None and prompt + limit > window:
        message = (
            f"This model's maximum context length is {window} tokens. However, you requested {prompt + limit} "
            f"tokens ({prompt} in the messages, {limit} in the completion). Please reduce the length of the "
            "messages or completion."
        )
        return Problem(message, "messages", "context_length_exceeded")
    return None


def has_lone_surrogate(value: object) -> bool:
    """True when any string in ``value`` holds a lone UTF-16 surrogate (``"\\ud800"`` in the JSON)."""
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any(0xD800 <= ord(ch) <= 0xDFFF for ch in item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def validate_chat(
    body: Mapping[str, Any], deployment: Deployment, style: str, api_version: str, versions: ApiVersions
) -> Problem | None:
    """Every model-side check of a chat request, in the order Azure reports them (first problem wins)."""
    checks: tuple[Callable[[], Problem | None], ...] = (
        lambda: unknown_arguments(body),
        lambda: version_problem(body, api_version, versions) if style == "classic" else None,
        lambda: messages_problem(body.get("messages")),
        lambda: type_problem(body),
        lambda: range_problem(body),
        lambda: response_format_problem(body),
        lambda: tools_problem(body),
        lambda: reasoning_problem(body, deployment) if deployment.kind == "reasoning" else _effort_problem(body),
        lambda: ceiling_problem(body, deployment),
        lambda: context_problem(body, deployment),
    )
    for check in checks:
        problem = check()
        if problem is not None:
            return problem
    return None


def _effort_problem(body: Mapping[str, Any]) -> Problem | None:
    if body.get("reasoning_effort") is not None:
        message = "Unsupported parameter: 'reasoning_effort' is not supported with this model."
        return Problem(message, "reasoning_effort", "unsupported_parameter")
    return None


def names(items: Sequence[Mapping[str, Any]]) -> list[str]:
    """The function names declared in ``tools``."""
    return [
        str(t["function"]["name"]) for t in items if isinstance(t, Mapping) and isinstance(t.get("function"), Mapping)
    ]
