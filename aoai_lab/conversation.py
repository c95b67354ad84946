"""The chat page's conversation: its entries, the request it makes, and its exports.

Pure logic: the page keeps a list of :class:`Entry` in session state and calls these functions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from aoai_lab.client import ChatResult
from aoai_lab.connection import Connection
from aoai_lab.i18n import Lang, t
from aoai_lab.request import ChatParams, ChatRequest, Message
from aoai_lab.versions import load_api_versions


@dataclass(frozen=True)
class ReplyInfo:
    """What the page shows under a reply: its cost, timing and how it ended."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    reasoning_tokens: int | None = None
    ttft_ms: float | None = None
    latency_ms: float | None = None
    model: str | None = None
    request_id: str | None = None
    interrupted: bool = False
    filtered: bool = False

    @classmethod
    def of(cls, result: ChatResult) -> ReplyInfo:
        """The info of one chat result."""
        usage = result.usage
        return cls(
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
            reasoning_tokens=usage.reasoning_tokens if usage else None,
            ttft_ms=result.ttft_ms,
            latency_ms=result.latency_ms,
            model=result.model,
            request_id=result.request_id,
            interrupted=result.interrupted,
            filtered=result.finish_reason == "content_filter",
        )


@dataclass(frozen=True)
class Entry:
    """One message in the conversation; replies carry their :class:`ReplyInfo`."""

    role: str  # "user" | "assistant"
    content: str
    info: ReplyInfo | None = None


def build_request(
    entries: Sequence[Entry],
    system_prompt: str,
    params: ChatParams,
    connection: Connection,
    *,
    stream: bool,
) -> ChatRequest:
    """The request for the conversation so far (system prompt first, then every entry)."""
    messages = [Message("system", system_prompt)] if system_prompt.strip() else []
    messages += [Message("user" if e.role == "user" else "assistant", e.content) for e in entries]
    # The usage chunk needs an api-version that knows stream_options (reference §6).
    include_usage = stream and (
        connection.style == "v1" or load_api_versions().supports(connection.api_version, "stream_options")
    )
    return ChatRequest(tuple(messages), params, stream=stream, include_usage=include_usage)


def awaiting_reply(entries: Sequence[Entry]) -> bool:
    """True when the last entry is a question with no reply (a failed request to retry)."""
    return bool(entries) and entries[-1].role == "user"


def without_cut_reply(entries: Sequence[Entry]) -> list[Entry]:
    """The conversation ready for a retry: a reply cut midway is dropped, its question kept."""
    items = list(entries)
    if items and items[-1].role == "assistant" and items[-1].info and items[-1].info.interrupted:
        items.pop()
    return items


def with_reply(entries: Sequence[Entry], result: ChatResult) -> list[Entry]:
    """The conversation after a call: a reply is added when any text arrived (even cut short)."""
    items = list(entries)
    if result.text or result.ok:
        items.append(Entry("assistant", result.text, ReplyInfo.of(result)))
    return items


def to_markdown(entries: Sequence[Entry], system_prompt: str, deployment: str, lang: Lang) -> str:
    """The conversation as Markdown (for a handout or a help request)."""
    lines = [f"# {t('chat.export.title', lang)}", "", f"- {t('chat.export.deployment', lang)}: `{deployment}`"]
    if system_prompt.strip():
        lines += ["", f"## {t('chat.role.system', lang)}", "", system_prompt.strip()]
    for entry in entries:
        lines += ["", f"## {t('chat.role.' + entry.role, lang)}", "", entry.content]
        if entry.info and entry.info.interrupted:
            lines += ["", f"> {t('chat.cut', lang)}"]
        if entry.info and entry.info.filtered:
            lines += ["", f"> {t('chat.filtered', lang)}"]
    return "\n".join(lines) + "\n"


def to_json(entries: Sequence[Entry], system_prompt: str, params: ChatParams, deployment: str) -> bytes:
    """The conversation as JSON: the messages as sent, the parameters, and each reply's info."""
    payload = {
        "deployment": deployment,
        "system": system_prompt,
        "parameters": params.as_dict(),
        "messages": [
            {"role": e.role, "content": e.content, **({"info": asdict(e.info)} if e.info else {})} for e in entries
        ],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")


def last_question(entries: Sequence[Entry]) -> list[Entry]:
    """The conversation as it was when the last question was sent (its reply left out)."""
    items = list(entries)
    while items and items[-1].role != "user":
        items.pop()
    return items
