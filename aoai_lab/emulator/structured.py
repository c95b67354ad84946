"""Structured replies: JSON mode, ``json_schema`` instances, and tool calls.

The demo model cannot think, but what it returns must have the shape the learner asked for: valid
JSON in JSON mode, an instance of the schema for ``json_schema``, and a well-formed tool call when
the learner asks it to use a declared tool (or forces one with ``tool_choice``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aoai_lab.tokens import message_text

_MAX_DEPTH = 8


def example_for(schema: Mapping[str, Any], text: str, root: Mapping[str, Any] | None = None, depth: int = 0) -> Any:
    """A value matching ``schema`` (the JSON Schema subset structured outputs allow); strings get ``text``."""
    root = root if root is not None else schema
    if depth > _MAX_DEPTH:
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        return example_for(target if isinstance(target, Mapping) else {}, text, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    for key in ("anyOf", "oneOf", "allOf"):
        options = schema.get(key)
        if isinstance(options, list) and options and isinstance(options[0], Mapping):
            return example_for(options[0], text, root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        return {
            key: example_for(sub if isinstance(sub, Mapping) else {}, text, root, depth + 1)
            for key, sub in properties.items()
        }
    if kind == "array":
        items = schema.get("items")
        return [example_for(items, text, root, depth + 1)] if isinstance(items, Mapping) else []
    if kind == "integer":
        return int(schema.get("minimum", 0))
    if kind == "number":
        return float(schema.get("minimum", 0))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return text


def json_reply(text: str, response_format: object) -> str | None:
    """The reply's content in JSON mode / for a json_schema, or None for plain text."""
    if not isinstance(response_format, Mapping):
        return None
    if response_format.get("type") == "json_object":
        return json.dumps({"reply": text}, ensure_ascii=False)
    if response_format.get("type") == "json_schema":
        spec = response_format.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        value = example_for(schema if isinstance(schema, Mapping) else {"type": "object"}, text)
        return json.dumps(value, ensure_ascii=False)
    return None


@dataclass(frozen=True)
class ToolCall:
    """One function call the demo model makes."""

    call_id: str
    name: str
    arguments: str  # a JSON object, as the API sends it


def _words(name: str) -> list[str]:
    # get_weather → "get_weather", "get weather"; the learner may write either.
    return [name.lower(), re.sub(r"[_\-]+", " ", name).lower()]


def chosen_tool(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The declared function the demo model calls, or None to answer in text.

    ``tool_choice`` ``required`` or a named function forces a call; ``auto`` (the default) calls a
    tool when the last user message names it. After a ``tool`` message the model answers in text.
    """
    tools = [
        t["function"]
        for t in body.get("tools") or ()
        if isinstance(t, Mapping) and isinstance(t.get("function"), Mapping)
    ]
    choice = body.get("tool_choice", "auto")
    messages: Sequence[Mapping[str, Any]] = body.get("messages") or ()
    if not tools or choice == "none" or (messages and messages[-1].get("role") == "tool"):
        return None
    if isinstance(choice, Mapping):
        wanted = choice.get("function", {}).get("name")
        return next((t for t in tools if t.get("name") == wanted), None)
    if choice == "required":
        first: Mapping[str, Any] = tools[0]
        return first
    last = next((message_text(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "").lower()
    return next((t for t in tools if any(w in last for w in _words(str(t.get("name", ""))))), None)


def tool_call(function: Mapping[str, Any], call_id: str, text: str) -> ToolCall:
    """A call of ``function`` with arguments that match its ``parameters`` schema."""
    parameters = function.get("parameters")
    arguments = example_for(parameters, text) if isinstance(parameters, Mapping) else {}
    if not isinstance(arguments, dict):
        arguments = {}
    return ToolCall(call_id, str(function.get("name")), json.dumps(arguments, ensure_ascii=False))
