"""One chat request, described once: the chat client sends it and the code generator writes it.

Keeping a single description is what makes the generated code *exactly* the request the app
sends: both take the body from :meth:`ChatRequest.body`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from aoai_lab.models import Family

Role = Literal["system", "developer", "user", "assistant"]

# The parameter each family accepts for the reply length (DOC-REASONING §7).
LENGTH_PARAM: dict[Family, str] = {
    "reasoning": "max_completion_tokens",
    "classic": "max_tokens",
    "embedding": "max_tokens",
    "unknown": "max_tokens",
}
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high")


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

    def as_dict(self) -> dict[str, Any]:
        """The parameters that are set, in a stable order."""
        values = {
            "max_tokens": self.max_tokens,
            "max_completion_tokens": self.max_completion_tokens,
            "temperature": self.temperature,
            "reasoning_effort": self.reasoning_effort,
        }
        return {name: value for name, value in values.items() if value is not None}

    @classmethod
    def for_family(
        cls,
        family: Family,
        *,
        max_length: int | None = None,
        temperature: float | None = None,
        reasoning_effort: str | None = None,
    ) -> ChatParams:
        """Parameters named the way ``family`` accepts them.

        Reasoning models take ``max_completion_tokens`` and ``reasoning_effort`` and only the
        default temperature; classic models take ``max_tokens`` and ``temperature``.
        """
        if family == "reasoning":
            return cls(max_completion_tokens=max_length, reasoning_effort=reasoning_effort)
        return cls(max_tokens=max_length, temperature=temperature)


@dataclass(frozen=True)
class ChatRequest:
    """A chat completions request, independent of how it is sent."""

    messages: tuple[Message, ...]
    params: ChatParams = field(default_factory=ChatParams)
    stream: bool = False
    # Ask for the usage chunk at the end of a stream (needs api-version >= 2024-09-01-preview).
    include_usage: bool = False

    def body(self, model: str) -> dict[str, Any]:
        """The JSON body, exactly as ``client.chat.completions.create(**body)`` sends it.

        ``model`` is the deployment name: in the body for the v1 API; the SDK also sends it on the
        classic route, where Azure takes the deployment from the URL and ignores it.
        """
        body: dict[str, Any] = {"model": model, "messages": [m.as_dict() for m in self.messages]}
        body |= self.params.as_dict()
        if self.stream:
            body["stream"] = True
            if self.include_usage:
                body["stream_options"] = {"include_usage": True}
        return body

    def with_params(self, params: ChatParams) -> ChatRequest:
        """The same request with other parameters."""
        return replace(self, params=params)

    @classmethod
    def simple(cls, user: str, system: str | None = None, **kwargs: Any) -> ChatRequest:
        """A one-turn request (and an optional system prompt)."""
        messages = ((Message("system", system),) if system else ()) + (Message("user", user),)
        return cls(messages=messages, **kwargs)
