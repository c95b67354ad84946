"""The chat page's conversation: its entries, the request it makes, and its exports.

Pure logic: the page keeps a list of :class:`Entry` in session state and calls these functions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from aoai_lab.connection import Connection
from aoai_lab.i18n import Lang, t
from aoai_lab.request import Api, ChatParams, ChatRequest, Message
from aoai_lab.structured_output import OutputFormat
from aoai_lab.versions import load_api_versions

if TYPE_CHECKING:  # a type only: the client module pulls in the SDK
    from aoai_lab.client import ChatResult


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
    # finish_reason "length": the reply stopped at the token limit the request set.
    truncated: bool = False

    @classmethod
    def of(cls, result: ChatResult) -> ReplyInfo:
        """The info of one chat result."""
        usage = result.usage
        return cls(
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
            reasoning_tokens=usage.reasoning_tokens if usage else None,
            # Without streaming the whole reply comes at once: there is no first token to time.
            ttft_ms=result.ttft_ms if result.streamed else None,
            latency_ms=result.latency_ms,
            model=result.model,
            request_id=result.request_id,
            interrupted=result.interrupted,
            filtered=result.finish_reason == "content_filter",
            truncated=result.finish_reason == "length",
        )


@dataclass(frozen=True)
class Entry:
    """One message in the conversation; replies carry their :class:`ReplyInfo`."""

    role: str  # "user" | "assistant"
    content: str
    info: ReplyInfo | None = None
    # A reply: the API it came through, and the structured output it was asked for (if any).
    api: str = "chat"
    output: OutputFormat | None = None


def build_request(
    entries: Sequence[Entry],
    system_prompt: str,
    params: ChatParams,
    connection: Connection,
    *,
    stream: bool,
    api: Api = "chat",
    output: OutputFormat | None = None,
) -> ChatRequest:
    """The request for the conversation so far (system prompt first, then every entry)."""
    messages = [Message("system", system_prompt)] if system_prompt.strip() else []
    messages += [Message("user" if e.role == "user" else "assistant", e.content) for e in entries]
    # The usage chunk needs an api-version that knows stream_options (reference §6); the
    # Responses API always reports usage in its last event.
    include_usage = (
        stream
        and api == "chat"
        and (connection.style == "v1" or load_api_versions().supports(connection.api_version, "stream_options"))
    )
    return ChatRequest(tuple(messages), params, stream=stream, include_usage=include_usage, api=api, output=output)


def awaiting_reply(entries: Sequence[Entry]) -> bool:
    """True when the last entry is a question with no reply (a failed request to retry)."""
    return bool(entries) and entries[-1].role == "user"


def without_cut_reply(entries: Sequence[Entry]) -> list[Entry]:
    """The conversation ready for a retry: a reply cut midway is dropped, its question kept."""
    items = list(entries)
    if items and items[-1].role == "assistant" and items[-1].info and items[-1].info.interrupted:
        items.pop()
    return items


def ask(entries: Sequence[Entry], prompt: str) -> list[Entry]:
    """The conversation with a new question at the end.

    A question whose request failed is never sent again silently, as a second user turn in a
    row: the learner retries, edits or drops it (the page offers the three). Should a new
    message arrive while one is pending anyway, it takes the pending one's place (an edit).
    A reply cut midway stays: it is what the learner saw, and the turns still alternate.
    """
    items = list(entries)
    if awaiting_reply(items):
        items.pop()
    return [*items, Entry("user", prompt)]


def edit_pending(entries: Sequence[Entry], text: str) -> list[Entry]:
    """The conversation with the unanswered question replaced by ``text`` (ready to send)."""
    items = list(entries)
    if awaiting_reply(items):
        items[-1] = Entry("user", text)
    return items


def drop_pending(entries: Sequence[Entry]) -> list[Entry]:
    """The conversation without its unanswered question."""
    items = list(entries)
    if awaiting_reply(items):
        items.pop()
    return items


def with_reply(
    entries: Sequence[Entry], result: ChatResult, *, api: str = "chat", output: OutputFormat | None = None
) -> list[Entry]:
    """The conversation after a call: a reply is added when any text arrived (even cut short)."""
    items = list(entries)
    if result.text or result.ok:
        items.append(Entry("assistant", result.text, ReplyInfo.of(result), api=api, output=output))
    return items


def to_markdown(entries: Sequence[Entry], system_prompt: str, deployment: str, lang: Lang) -> str:
    """The conversation as Markdown (for a handout or a help request)."""
    lines = [f"# {t('chat.export.title', lang)}", "", f"- {t('chat.export.deployment', lang)}: `{deployment}`"]
    if system_prompt.strip():
        lines += ["", f"## {t('chat.role.system', lang)}", "", system_prompt.strip()]
    for entry in entries:
        lines += ["", f"## {t('chat.role.' + entry.role, lang)}", "", entry.content]
        if entry.info and entry.info.interrupted:
            lines += ["", f"> ✂️ {t('chat.cut', lang)}"]  # the page shows the icon apart from the text
        if entry.info and entry.info.filtered:
            lines += ["", f"> {t('chat.filtered', lang)}"]
        if entry.info and entry.info.truncated:
            lines += ["", f"> {t('chat.length_export', lang)}"]
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


# How many recent messages the Chat page draws; older ones wait behind "earlier messages". Every
# message is several elements, and a 200-turn chat redrew ~1,000 of them on every click (issue 12).
RECENT_MESSAGES = 40


def recent_start(entries: Sequence[Entry], recent: int = RECENT_MESSAGES) -> int:
    """The index of the first message drawn in full: at most ``recent`` messages are, starting
    at a question so that no reply is shown without the question it answers."""
    start = max(0, len(entries) - recent)
    while 0 < start < len(entries) and entries[start].role != "user":
        start += 1
    return start


def regenerate(entries: Sequence[Entry]) -> list[Entry]:
    """The conversation ready to ask for the last reply again: that reply is dropped."""
    return last_question(entries)


def edit_question(entries: Sequence[Entry], index: int, text: str) -> list[Entry]:
    """The conversation up to the question at ``index``, replaced by ``text``; later turns dropped."""
    if not (0 <= index < len(entries)) or entries[index].role != "user":
        return list(entries)
    return [*entries[:index], Entry("user", text)]


def operation_name(streamed: bool, api: str, action: str | None = None) -> str:
    """The request log's operation of a chat turn: which API, streamed or not, and why it was sent
    (``+regenerate``, ``+edit``; a plain new question has no suffix)."""
    base = ("responses" if api == "responses" else "chat") + ("_stream" if streamed else "")
    return f"{base}+{action}" if action else base
