"""The chat page's parts: the status line, each message, one turn drawn in place, and the
choices for a question that got no reply. (The sidebar's settings are in ``chat_settings``,
the side-by-side Compare in ``chat_compare``.)

A turn runs the page once: the reply is streamed into its message, then its caption, warnings
and any failure are drawn right there, in place, instead of asking Streamlit for a second run
(``st.rerun()``) to redraw the whole history. The outcome is kept in a ``finally``, so a reply
cut by a rerun or a stop (a page switch, a setting flipped mid-stream) is kept and logged too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import streamlit as st

from aoai_lab.client import ChatResult, chat, stream_chat
from aoai_lab.connection import Connection
from aoai_lab.context_meter import measure
from aoai_lab.conversation import (
    Entry,
    ReplyInfo,
    ask,
    awaiting_reply,
    build_request,
    drop_pending,
    edit_pending,
    edit_question,
    operation_name,
    recent_start,
    regenerate,
    to_json,
    to_markdown,
    with_reply,
    without_cut_reply,
)
from aoai_lab.model_limits import limits_for
from aoai_lab.recording import chat_record
from aoai_lab.request import ChatRequest
from aoai_lab.requestlog import RequestLog
from aoai_lab.structured_output import OutputFormat, SchemaProblem, check_reply, contains_json_word
from aoai_lab.ui import state
from aoai_lab.ui.cards import connection_notice, diagnosis_card
from aoai_lab.ui.state import tr

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

# Session keys of the chat page (plain keys: they outlive the run that set them).
PROMPT = "chat.prompt"  # a message submitted from the input, picked up by the next run
RETRY = "chat.retry_requested"
EDITING = "chat.editing"
EDIT_TEXT = "chat.edit_text"
INPUT = "chat.input"
ACTION = "chat.action"  # why the next turn is sent: retry | regenerate | edit (the request log says so)
EDIT_AT = "chat.edit_at"  # the index of the past question being edited, if any
EDIT_PAST = "chat.edit_past"  # its text in the editor
DROPPED = "chat.dropped"  # how many later messages the last edit dropped (shown once)
BLOCKED = "chat.blocked"  # why the last question was not sent (a catalog key), if it was not
EARLIER = "chat.earlier.open"  # whether the earlier messages of a long chat are shown
LENGTH_PARAMS = {"reasoning": "max_completion_tokens", "classic": "max_tokens"}


def mode_label(kind: str) -> str:
    """What the connection points at, in words: the demo, a local server or Azure."""
    return tr({"demo": "sidebar.mode_demo", "local": "sidebar.mode_local"}.get(kind, "sidebar.mode_azure"))


def status_notice() -> None:
    """What Chat uses and why: the fields' values, and whether (and how) they were checked."""
    current = state.status()
    conn = current.connection
    host = state.shown(conn.host or "—")
    st.caption(
        tr(
            "chat.using",
            deployment=conn.deployment or "—",
            mode=mode_label(current.kind),
            host=host,
            family=tr(f"family.{state.family()}"),
        )
    )
    if connection_notice("chat", unchecked="not_checked"):
        st.page_link("pages/connect.py", label=tr("chat.go_connect"), icon=":material/cable:")


def reply_caption(info: ReplyInfo) -> str:
    """Tokens and timings under a reply (no time to first token without streaming)."""
    parts: list[str] = []
    if info.prompt_tokens is not None:
        parts.append(tr("chat.meta.tokens", prompt=info.prompt_tokens, completion=info.completion_tokens or 0))
    if info.reasoning_tokens:
        parts.append(tr("chat.meta.reasoning", tokens=info.reasoning_tokens))
    if info.ttft_ms is not None:
        parts.append(tr("chat.meta.ttft", ms=f"{info.ttft_ms:.0f}"))
    if info.latency_ms is not None:
        parts.append(tr("chat.meta.latency", seconds=f"{info.latency_ms / 1000:.2f}"))
    return " · ".join(parts)


def reply_details(info: ReplyInfo) -> None:
    """The caption and the warnings under a reply: cut, filtered, stopped at the token limit."""
    caption = reply_caption(info)
    if caption:
        st.caption(caption)
    if info.interrupted:
        # The icon is the banner's own; the text carries none (one icon).
        st.warning(tr("chat.cut"), icon=":material/content_cut:")
    if info.filtered:
        st.warning(tr("chat.filtered"), icon=":material/shield:")
    if info.truncated:
        param = (
            "max_output_tokens"
            if state.chat_api() == "responses"
            else LENGTH_PARAMS["reasoning" if state.family() == "reasoning" else "classic"]
        )
        st.warning(tr("chat.length", param=param), icon=":material/short_text:")


def structured_reply(text: str, output: OutputFormat) -> None:
    """A structured reply: pretty JSON, and whether it is valid against the schema (or JSON at all)."""
    checked = check_reply(text, output)
    if checked.pretty is None:
        st.markdown(text)
        st.error(tr("chat.schema.reply_not_json"), icon=":material/data_object:")
        return
    st.code(checked.pretty, language="json", wrap_lines=True)
    if checked.valid:
        st.caption(f":material/check_circle: {tr(f'chat.schema.reply_valid.{output.kind}')}")
    else:
        st.error(tr("chat.schema.reply_invalid", errors="; ".join(checked.errors)), icon=":material/rule:")


def reply_body(text: str, output: OutputFormat | None) -> None:
    """A reply's text: Markdown, or pretty JSON when structured output was asked for."""
    if output is not None and text:
        structured_reply(text, output)
    else:
        st.markdown(text)


def show_entry(entry: Entry, index: int, *, last_reply: bool = False, sending: bool = False) -> None:
    """One message of the conversation, with its actions (copy, regenerate, edit)."""
    message = st.chat_message(entry.role)
    with message:
        if entry.role == "user" and st.session_state.get(EDIT_AT) == index:
            past_editor(index)
            return
        if entry.role == "assistant":
            reply_body(entry.content, entry.output)
        else:
            st.markdown(entry.content)
        if entry.info is not None:
            reply_details(entry.info)
        message_actions(message, entry, index, last_reply=last_reply, sending=sending)


def message_actions(
    message: DeltaGenerator, entry: Entry, index: int, *, last_reply: bool, sending: bool = False
) -> None:
    """Copy a reply, regenerate the last one, or edit a question and resend from there."""
    # A row only where two actions sit side by side (the last reply): one block fewer per message
    # on every run of a long conversation (issue 12).
    row = st.container(horizontal=True) if entry.role == "assistant" and last_reply else message
    if entry.role == "assistant":
        # Filled only while open: closed, every reply was sent (and drawn) twice (issue 12).
        copy = row.popover(
            tr("chat.copy"),
            icon=":material/content_copy:",
            type="tertiary",
            key=f"chat.copy.{index}",
            on_change="rerun",
        )
        if copy.open:
            with copy:
                st.caption(tr("chat.copy_help"))
                st.code(entry.content, language=None, wrap_lines=True)  # its copy button copies the raw reply
        if last_reply:
            row.button(
                tr("chat.regenerate"),
                icon=":material/autorenew:",
                type="tertiary",
                on_click=start_regenerate,
                key="chat.regenerate",
            )
    elif sending or not awaiting_reply(state.entries()) or index < len(state.entries()) - 1:
        # (An unanswered question has its own retry / edit / drop choices below the conversation.)
        row.button(
            tr("chat.edit_past"),
            icon=":material/edit:",
            type="tertiary",
            on_click=start_past_edit,
            args=(index,),
            key=f"chat.edit_at.{index}",
        )


def past_editor(index: int) -> None:
    """The editor of a past question: resending it drops every later message (said up front)."""
    later = len(state.entries()) - index - 1
    st.text_area(tr("chat.edit_label"), key=EDIT_PAST, height=80)
    if later:
        st.caption(f":material/warning: {tr('chat.edit_drops', count=later)}")
    row = st.container(horizontal=True)
    row.button(tr("chat.send_edit"), icon=":material/send:", on_click=send_past_edit, key="chat.send_past_edit")
    row.button(tr("chat.cancel_edit"), icon=":material/close:", on_click=cancel_past_edit, key="chat.cancel_past_edit")


@dataclass(frozen=True)
class TurnSink:
    """Where one turn's outcome is kept, taken from the session *before* the reply streams.

    A script stopped mid-stream (a page switch sends STOP) raises ``StopException`` again at
    every ``st.session_state`` access, so the ``finally`` that keeps a cut reply must not touch
    it: it changes the session's own list and log in place instead.
    """

    entries: list[Entry]  # the session's conversation list itself
    log: RequestLog
    connection: Connection
    request: ChatRequest
    action: str | None = None

    def keep(self, asked: list[Entry], result: ChatResult) -> None:
        """The reply (whole or cut) into the conversation, the call into the request log (which
        API, and why it was sent: a retry, a regeneration or an edit)."""
        record = chat_record(result, self.connection, "chat")
        self.log.append(replace(record, operation=operation_name(result.streamed, self.request.api, self.action)))
        self.entries[:] = with_reply(asked, result, api=self.request.api, output=self.request.output)


@dataclass(frozen=True)
class Turn:
    """What one run sends: the conversation ending with the question, and why it is sent."""

    asked: list[Entry]
    action: str | None = None  # None: a new question; else retry | regenerate | edit


def send_problem(request: ChatRequest, output: OutputFormat | SchemaProblem | None) -> str | None:
    """Why ``request`` must not be sent (a catalog key), checked in one place before any request.

    Structured output the service would refuse is explained here instead of costing a 400:
    an unusable schema, or JSON mode without the word "json" in the messages (Azure's rule).
    """
    if isinstance(output, SchemaProblem):
        return "chat.schema.blocked_invalid"
    json_mode = output is not None and output.kind == "json_object"
    if json_mode and not contains_json_word([m.content for m in request.messages]):
        return "chat.schema.blocked_json_word"
    return None


def explain(result: ChatResult) -> None:
    """After a turn that ran to the end: the failure to explain, and the Guide's chat tick."""
    # A reply the app itself stopped reading is marked on the reply; it is not a failure to explain.
    st.session_state[state.CHAT_FAILURE] = None if result.ok or result.stopped else result.diagnosis
    if result.text:
        st.session_state[state.CHATTED] = st.session_state.get(state.CHATTED, 0) + 1


def current_request(asked: list[Entry]) -> ChatRequest:
    """The request the chat sends for ``asked`` with the settings as they are now."""
    output = state.chat_output()
    return build_request(
        asked,
        state.system_prompt(),
        state.chat_params(),
        state.connection(),
        stream=state.streaming(),
        api=state.chat_api(),
        output=output if isinstance(output, OutputFormat) else None,
    )


def respond(turn: Turn) -> None:
    """Ask for a reply to ``turn.asked`` (the conversation, ending with the question) and draw it in place.

    Whatever happens (a failure, or the script stopped mid-stream by a page switch or a rerun)
    the question stays, every character that arrived is kept, and the call is logged.
    """
    asked = turn.asked
    conn = state.connection()
    request = current_request(asked)
    # The one place a request is stopped before it is sent.
    blocked = send_problem(request, state.chat_output())
    if blocked is not None:
        st.session_state[BLOCKED] = blocked
        return
    sink = TurnSink(state.entries(), state.request_log(), conn, request, turn.action)
    slot = st.empty()
    result: ChatResult | None = None
    reply_box = slot.chat_message("assistant")
    with reply_box:
        body = st.empty()
        if request.stream:
            stream = stream_chat(conn, request)
            try:
                with body:
                    st.write_stream(stream)
            finally:  # also when a rerun or a stop ends the script inside the stream's loop
                result = stream.finish()
                if result is not None:
                    sink.keep(asked, result)
            if request.output is not None and result is not None and result.text:
                with body.container():  # the raw stream gives way to the pretty, checked JSON
                    structured_reply(result.text, request.output)
        else:
            with st.spinner(tr("chat.waiting")):
                result = chat(conn, request)
                sink.keep(asked, result)  # before the spinner's exit, itself a point where a stop lands
            if result.text:
                with body.container():
                    reply_body(result.text, request.output)
        if result is not None and (result.text or result.ok):
            reply_details(ReplyInfo.of(result))
            entries = state.entries()
            if entries and entries[-1].role == "assistant":  # the reply just kept: copy, regenerate
                message_actions(reply_box, entries[-1], len(entries) - 1, last_reply=True)
    if result is None:
        return
    if not (result.text or result.ok):
        slot.empty()  # no reply to show: the failure card below explains
    explain(result)


def submit() -> None:
    """The chat input's callback: keep the message for this run to send (the input is drawn last)."""
    prompt = st.session_state.get(INPUT)
    if prompt:
        st.session_state[PROMPT] = str(prompt)


def retry() -> None:
    st.session_state[RETRY] = True
    st.session_state[ACTION] = "retry"


def start_regenerate() -> None:
    """Ask for the last reply again: the reply is dropped and its question resent."""
    state.set_entries(regenerate(state.entries()))
    st.session_state[RETRY] = True
    st.session_state[ACTION] = "regenerate"


def start_past_edit(index: int) -> None:
    entries = state.entries()
    st.session_state[EDIT_AT] = index
    st.session_state[EDIT_PAST] = entries[index].content if index < len(entries) else ""


def send_past_edit() -> None:
    """Resend an edited past question: every later message is dropped (and the page says how many)."""
    index = st.session_state.get(EDIT_AT)
    text = str(st.session_state.get(EDIT_PAST) or "").strip()
    st.session_state[EDIT_AT] = None
    entries = state.entries()
    if not isinstance(index, int) or not text or index >= len(entries):
        return
    st.session_state[DROPPED] = len(entries) - index - 1
    state.set_entries(edit_question(entries, index, text))
    st.session_state[RETRY] = True
    st.session_state[ACTION] = "edit"


def cancel_past_edit() -> None:
    st.session_state[EDIT_AT] = None


def start_edit() -> None:
    pending = state.entries()
    st.session_state[EDITING] = True
    st.session_state[EDIT_TEXT] = pending[-1].content if awaiting_reply(pending) else ""


def send_edit() -> None:
    text = str(st.session_state.get(EDIT_TEXT) or "").strip()
    st.session_state[EDITING] = False
    if text:
        state.set_entries(edit_pending(state.entries(), text))
        st.session_state[RETRY] = True
        st.session_state[ACTION] = "edit"


def cancel_edit() -> None:
    st.session_state[EDITING] = False


def drop() -> None:
    state.set_entries(drop_pending(state.entries()))
    st.session_state[state.CHAT_FAILURE] = None
    st.session_state[EDITING] = False


def clear() -> None:
    state.set_entries([])
    st.session_state[state.CHAT_FAILURE] = None
    st.session_state[EDITING] = False
    st.session_state[EDIT_AT] = None


def after_turn() -> None:
    """Below the conversation: the failure explained, and the learner's choices for what is left."""
    entries = state.entries()
    dropped = st.session_state.pop(DROPPED, 0)
    if dropped:
        st.info(tr("chat.edit_dropped", count=dropped), icon=":material/content_cut:")
    failure = st.session_state.get(state.CHAT_FAILURE)
    if failure is not None:
        diagnosis_card(failure, key="chat")
    blocked = st.session_state.get(BLOCKED)
    if blocked and awaiting_reply(entries):
        st.warning(tr(blocked), icon=":material/data_object:")
    context_meter()
    if awaiting_reply(entries):
        st.caption(f":material/help: {tr('chat.pending')}")
        if st.session_state.get(EDITING):
            st.text_area(tr("chat.edit_label"), key=EDIT_TEXT, height=80)
            row = st.container(horizontal=True)
            row.button(tr("chat.send_edit"), icon=":material/send:", on_click=send_edit, key="chat.send_edit")
            row.button(tr("chat.cancel_edit"), icon=":material/close:", on_click=cancel_edit, key="chat.cancel_edit")
            return
        row = st.container(horizontal=True)
        row.button(tr("chat.retry"), icon=":material/refresh:", on_click=retry, key="chat.retry_button")
        row.button(tr("chat.edit"), icon=":material/edit:", on_click=start_edit, key="chat.edit_button")
        row.button(tr("chat.drop"), icon=":material/delete:", on_click=drop, key="chat.drop_button")
    elif entries and entries[-1].info and entries[-1].info.interrupted:
        st.button(tr("chat.retry"), icon=":material/refresh:", on_click=retry, key="chat.retry_button")


def tools() -> None:
    """Clear and export, for the conversation as it stands at the end of this run."""
    entries = state.entries()
    conn = state.connection()
    system = state.system_prompt()
    params = state.chat_params()
    lang = state.lang()
    row = st.container(horizontal=True)
    row.button(tr("chat.clear"), icon=":material/delete_sweep:", on_click=clear, disabled=not entries, key="chat.clear")
    row.download_button(
        tr("chat.export_md"),
        data=lambda: to_markdown(entries, system, conn.deployment, lang).encode("utf-8"),
        file_name="aoai-lab-chat.md",
        mime="text/markdown",
        disabled=not entries,
        on_click="ignore",
        icon=":material/description:",
        key="chat.export_md",
    )
    row.download_button(
        tr("chat.export_json"),
        data=lambda: to_json(entries, system, params, conn.deployment),
        file_name="aoai-lab-chat.json",
        mime="application/json",
        disabled=not entries,
        on_click="ignore",
        icon=":material/data_object:",
        key="chat.export_json",
    )


def plan_turn() -> Turn | None:
    """What this run sends, settled in the conversation *before* it is drawn: a new message, a
    retry (a cut reply is replaced), a regenerated reply or an edited question. None when nothing
    is to be sent."""
    entries = state.entries()
    prompt = st.session_state.pop(PROMPT, None)
    action = st.session_state.pop(ACTION, None)
    if prompt:
        asked, action = ask(entries, str(prompt)), None
    elif st.session_state.pop(RETRY, False):
        asked = without_cut_reply(entries)
        if not awaiting_reply(asked):
            return None
    else:
        return None
    state.set_entries(asked)
    st.session_state[state.CHAT_FAILURE] = None
    st.session_state[BLOCKED] = None
    return Turn(asked, action if isinstance(action, str) else None)


def conversation(*, sending: bool = False) -> None:
    """Every message so far; the last reply can be regenerated. ``sending``: the last question is
    being answered in this run, so it is not a pending one (it can be edited like any other)."""
    entries = state.entries()
    last = len(entries) - 1
    start = recent_start(entries)
    if start:  # a long chat: older messages are drawn only while this is open (issue 12)
        # A fixed label: an expander's identity includes it, and a count in it would close the
        # expander at every new turn.
        st.caption(tr("chat.earlier_count", count=start))
        earlier = st.expander(tr("chat.earlier"), key=EARLIER, on_change="rerun", icon=":material/history:")
        if earlier.open:
            with earlier:
                for index in range(start):
                    show_entry(entries[index], index, sending=sending)
    for index in range(start, len(entries)):
        entry = entries[index]
        show_entry(entry, index, last_reply=index == last and entry.role == "assistant", sending=sending)


def context_meter() -> None:
    """The conversation's tokens against the model's input window, with a warning before it overflows."""
    entries = state.entries()
    if not entries:
        return
    spec = limits_for(state.model_name())
    request = current_request(entries)
    meter = measure(request.messages, spec.input_tokens if spec else None)
    if meter.window is None:
        st.caption(f":material/data_usage: {tr('chat.context.unknown', used=f'{meter.used:,}')}")
        return
    ratio = meter.ratio or 0.0
    text = tr("chat.context.meter", used=f"{meter.used:,}", window=f"{meter.window:,}", percent=f"{ratio:.0%}")
    st.progress(ratio, text=text)
    if meter.level != "ok":
        st.warning(tr(f"chat.context.{meter.level}"), icon=":material/warning:")


def chat_input() -> None:
    """The message box, closed while a question waits for the learner's choice."""
    pending = awaiting_reply(state.entries())
    placeholder = tr("chat.pending_placeholder") if pending else tr("chat.placeholder")
    # submit_mode="disable": a second message cannot abandon a reply that is still streaming.
    st.chat_input(placeholder, submit_mode="disable", key=INPUT, disabled=pending, on_submit=submit)
