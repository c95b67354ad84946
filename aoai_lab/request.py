"""One chat request, described once: the chat client sends it and the code generator writes it.

Keeping a single description is what makes the generated code *exactly* the request the app
sends: both take the body from :meth:`ChatRequest.body`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from aoai_lab.connection import Connection
from aoai_lab.models import Family
from aoai_lab.structured_output import OutputFormat

Role = Literal["system", "developer", "user", "assistant"]

# The parameter each family accepts for the reply length (DOC-REASONING §7).
LENGTH_PARAM: dict[Family, str] = {
    "reasoning": "max_completion_tokens",
    "classic": "max_tokens",
    "embedding": "max_tokens",
    "unknown": "max_tokens",
}
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high")
# gpt-5's verbosity: Chat Completions takes it top-level, the Responses API as ``text.verbosity``
# (https://community.openai.com/t/evals-invalid-reasoning-effort-for-non-reasoning-model-gpt-5-chat-latest/1341785/4,
# https://community.openai.com/t/unknown-parameter-verbosity-ed-responses-api/1337071/11).
VERBOSITIES = ("low", "medium", "high")
# The two APIs a chat can be sent through.
Api = Literal["chat", "responses"]
APIS: tuple[Api, ...] = ("chat", "responses")
# The Responses API's smallest max_output_tokens (aoai_lab/emulator/responses_api.py quotes the error).
MIN_OUTPUT_TOKENS = 16


def responses_route(connection: Connection) -> Connection:
    """The connection the Responses API is called on: always the v1 route.

    Azure serves ``POST /openai/v1/responses`` on the v1 API, which needs no api-version
    (https://learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle); a classic-style
    connection's dated api-version is left off rather than sent where it means nothing.
    """
    if connection.style == "v1":
        return connection
    return replace(connection, style="v1", api_version="")


# Azure takes at most four stop sequences (the emulator quotes the 400 in validation.range_problem).
MAX_STOP = 4


def parse_stop(text: str) -> tuple[str, ...]:
    """Stop sequences typed one per line (empty lines ignored, at most :data:`MAX_STOP`)."""
    return tuple(line for line in text.splitlines() if line.strip())[:MAX_STOP]


@dataclass(frozen=True)
class Message:
    """One chat message."""

    role: Role
    content: str

    def as_dict(self) -> dict[str, str]:
        """The message as it goes on the wire."""
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class ChatParams:
    """Generation parameters; ``None`` means "not sent" (the service default applies)."""

    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    temperature: float | None = None
    reasoning_effort: str | None = None
    top_p: float | None = None
    stop: tuple[str, ...] | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    seed: int | None = None
    verbosity: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The parameters that are set, in a stable order (Chat Completions names)."""
        values = {
            "max_tokens": self.max_tokens,
            "max_completion_tokens": self.max_completion_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "stop": list(self.stop) if self.stop else None,
            "presence_penalty": self.presence_penalty,
            "frequency_penalty": self.frequency_penalty,
            "seed": self.seed,
            "reasoning_effort": self.reasoning_effort,
            "verbosity": self.verbosity,
        }
        return {name: value for name, value in values.items() if value is not None}

    def responses_dict(self) -> dict[str, Any]:
        """The same parameters as the Responses API names them.

        One length limit (``max_output_tokens``, at least 16), ``reasoning.effort`` and
        ``text.verbosity``; stop, penalties and seed do not exist there and are left out.
        """
        body: dict[str, Any] = {}
        limit = self.max_completion_tokens if self.max_completion_tokens is not None else self.max_tokens
        if limit is not None:
            body["max_output_tokens"] = max(MIN_OUTPUT_TOKENS, limit)
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.top_p is not None:
            body["top_p"] = self.top_p
        if self.reasoning_effort is not None:
            body["reasoning"] = {"effort": self.reasoning_effort}
        if self.verbosity is not None:
            body["text"] = {"verbosity": self.verbosity}
        return body

    @classmethod
    def for_family(
        cls,
        family: Family,
        *,
        max_length: int | None = None,
        temperature: float | None = None,
        reasoning_effort: str | None = None,
        sampling: Sampling | None = None,
        verbosity: str | None = None,
    ) -> ChatParams:
        """Parameters named the way ``family`` accepts them.

        Reasoning models take ``max_completion_tokens``, ``reasoning_effort`` and ``verbosity`` and
        only the default sampling; classic models take ``max_tokens``, ``temperature`` and the
        other :class:`Sampling` parameters. What a family rejects is never set (DOC-REASONING §7).
        """
        if family == "reasoning":
            return cls(max_completion_tokens=max_length, reasoning_effort=reasoning_effort, verbosity=verbosity)
        extra = sampling or Sampling()
        return cls(
            max_tokens=max_length,
            temperature=temperature,
            top_p=extra.top_p,
            stop=extra.stop or None,
            presence_penalty=extra.presence_penalty,
            frequency_penalty=extra.frequency_penalty,
            seed=extra.seed,
        )


@dataclass(frozen=True)
class Sampling:
    """The classic models' further sampling parameters; ``None`` (or no stop) means "not sent"."""

    top_p: float | None = None
    stop: tuple[str, ...] = ()
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    seed: int | None = None


@dataclass(frozen=True)
class ChatRequest:
    """A chat completions request, independent of how it is sent."""

    messages: tuple[Message, ...]
    params: ChatParams = field(default_factory=ChatParams)
    stream: bool = False
    # Ask for the usage chunk at the end of a stream (needs api-version >= 2024-09-01-preview).
    include_usage: bool = False
    # Which API carries it: Chat Completions, or the v1 Responses API (``responses_body``).
    api: Api = "chat"
    # Structured output: JSON mode or a JSON schema (None: plain text).
    output: OutputFormat | None = None

    def body(self, model: str) -> dict[str, Any]:
        """The JSON body, exactly as ``client.chat.completions.create(**body)`` sends it.

        ``model`` is the deployment name: in the body for the v1 API; the SDK also sends it on the
        classic route, where Azure takes the deployment from the URL and ignores it.
        """
        body: dict[str, Any] = {"model": model, "messages": [m.as_dict() for m in self.messages]}
        body |= self.params.as_dict()
        if self.output is not None:
            body["response_format"] = self.output.chat_format()
        if self.stream:
            body["stream"] = True
            if self.include_usage:
                body["stream_options"] = {"include_usage": True}
        return body

    def responses_body(self, model: str) -> dict[str, Any]:
        """The JSON body, exactly as ``client.responses.create(**body)`` sends it.

        The system prompt becomes ``instructions``; the turns become ``input`` messages. The
        Responses API reports usage in its final event, so there is no ``stream_options``.
        """
        system = [m.content for m in self.messages if m.role in ("system", "developer")]
        body: dict[str, Any] = {"model": model}
        if system:
            body["instructions"] = "\n\n".join(system)
        body["input"] = [m.as_dict() for m in self.messages if m.role not in ("system", "developer")]
        body |= self.params.responses_dict()
        if self.output is not None:
            body["text"] = {**body.get("text", {}), "format": self.output.responses_format()}
        if self.stream:
            body["stream"] = True
        return body

    def wire_body(self, model: str) -> dict[str, Any]:
        """The body for the API this request goes to (``api``)."""
        return self.responses_body(model) if self.api == "responses" else self.body(model)

    def with_params(self, params: ChatParams) -> ChatRequest:
        """The same request with other parameters."""
        return replace(self, params=params)

    @classmethod
    def simple(cls, user: str, system: str | None = None, **kwargs: Any) -> ChatRequest:
        """A one-turn request (and an optional system prompt)."""
        messages = ((Message("system", system),) if system else ()) + (Message("user", user),)
        return cls(messages=messages, **kwargs)
