"""Structured output: JSON mode or a JSON schema, on both APIs, and checking the reply against it.

Chat Completions takes ``response_format`` = ``{"type": "json_schema", "json_schema": {name, schema,
strict}}``; the Responses API takes the same fields flattened in ``text.format``
(https://learn.microsoft.com/azure/ai-foundry/openai/how-to/structured-outputs; SPEC-V1
``OpenAI.ResponseTextFormatConfiguration``). JSON mode needs the word "json" somewhere in the
messages, or Azure answers 400 (the emulator quotes the text in ``validation.response_format_problem``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

OutputKind = Literal["json_object", "json_schema"]
SCHEMA_NAME = "reply"


@dataclass(frozen=True)
class OutputFormat:
    """What shape the reply must have: any JSON object (JSON mode) or an instance of ``schema``."""

    kind: OutputKind
    schema: Mapping[str, Any] = field(default_factory=dict)
    name: str = SCHEMA_NAME
    strict: bool = True

    def chat_format(self) -> dict[str, Any]:
        """``response_format`` for Chat Completions."""
        if self.kind == "json_object":
            return {"type": "json_object"}
        return {
            "type": "json_schema",
            "json_schema": {"name": self.name, "schema": dict(self.schema), "strict": self.strict},
        }

    def responses_format(self) -> dict[str, Any]:
        """``text.format`` for the Responses API (the json_schema fields one level up)."""
        if self.kind == "json_object":
            return {"type": "json_object"}
        return {"type": "json_schema", "name": self.name, "schema": dict(self.schema), "strict": self.strict}


# Starter schemas; strict mode wants every property required and no additional properties.
STARTERS: dict[str, dict[str, Any]] = {
    "person": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
        "additionalProperties": False,
    },
    "sentiment": {
        "type": "object",
        "properties": {
            "sentiment": {"type": "string", "enum": ["positive", "neutral", "negative"]},
            "reason": {"type": "string"},
        },
        "required": ["sentiment", "reason"],
        "additionalProperties": False,
    },
    "todo": {
        "type": "object",
        "properties": {
            "tasks": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"title": {"type": "string"}, "done": {"type": "boolean"}},
                    "required": ["title", "done"],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["tasks"],
        "additionalProperties": False,
    },
}


def starter_text(name: str) -> str:
    """A starter schema as the editor shows it."""
    return json.dumps(STARTERS[name], indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class SchemaProblem:
    """Why the editor's text is not a usable schema: a catalog key and the parser's detail."""

    key: str
    detail: str = ""


def parse_schema(text: str) -> Mapping[str, Any] | SchemaProblem:
    """The editor's text as a JSON schema object, or what is wrong with it."""
    # jsonschema ships with Streamlit (via altair); it has no type stubs.
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
    from jsonschema.exceptions import SchemaError  # type: ignore[import-untyped]

    try:
        value = json.loads(text)
    except ValueError as error:
        return SchemaProblem("chat.schema.not_json", str(error))
    if not isinstance(value, dict):
        return SchemaProblem("chat.schema.not_object")
    try:
        Draft202012Validator.check_schema(value)
    except SchemaError as error:
        return SchemaProblem("chat.schema.invalid", error.message)
    return value


def contains_json_word(texts: list[str]) -> bool:
    """True when any text says "json" (JSON mode's rule, case-insensitive)."""
    return any("json" in text.lower() for text in texts)


@dataclass(frozen=True)
class ReplyCheck:
    """A structured reply: pretty-printed when it is JSON, and what the schema finds wrong."""

    pretty: str | None
    errors: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        """True when the reply is JSON and (if there is a schema) an instance of it."""
        return self.pretty is not None and not self.errors


def check_reply(text: str, output: OutputFormat) -> ReplyCheck:
    """Parse a reply and validate it against ``output``'s schema (JSON mode: any JSON object)."""
    from jsonschema import Draft202012Validator

    try:
        value = json.loads(text)
    except ValueError:
        return ReplyCheck(None)
    pretty = json.dumps(value, indent=2, ensure_ascii=False)
    if output.kind == "json_object":
        return ReplyCheck(pretty, () if isinstance(value, dict) else ("not an object",))
    validator = Draft202012Validator(dict(output.schema))
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.path))
    return ReplyCheck(pretty, tuple(f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors[:5]))
