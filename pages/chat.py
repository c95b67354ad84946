"""Chat: a streaming conversation with the validated connection; failures explained in place."""

import streamlit as st

from aoai_lab.client import ChatResult, chat, stream_chat
from aoai_lab.conversation import (
    Entry,
    ReplyInfo,
    awaiting_reply,
    build_request,
    to_json,
    to_markdown,
    with_reply,
    without_cut_reply,
)
from aoai_lab.recording import chat_record
from aoai_lab.request import REASONING_EFFORTS
from aoai_lab.ui import frame, state
from aoai_lab.ui.cards import diagnosis_card
from aoai_lab.ui.demo import is_demo
from aoai_lab.ui.state import tr

frame.leave_legacy_pages_mode()

RETRY = "chat.retry_requested"


def reply_caption(info: ReplyInfo) -> str:
    """Tokens and timings under a reply."""
    parts = []
    if info.prompt_tokens is not None:
        parts.append(tr("chat.meta.tokens", prompt=info.prompt_tokens, completion=info.completion_tokens or 0))
    if info.reasoning_tokens:
        parts.append(tr("chat.meta.reasoning", tokens=info.reasoning_tokens))
    if info.ttft_ms is not None:
        parts.append(tr("chat.meta.ttft", ms=f"{info.ttft_ms:.0f}"))
    if info.latency_ms is not None:
        parts.append(tr("chat.meta.latency", seconds=f"{info.latency_ms / 1000:.2f}"))
    return " · ".join(parts)


def show_entry(entry: Entry) -> None:
    with st.chat_message(entry.role):
        st.markdown(entry.content)
        if entry.info is None:
            return
        st.caption(reply_caption(entry.info))
        if entry.info.interrupted:
            st.warning(tr("chat.cut"), icon=":material/content_cut:")
        if entry.info.filtered:
            st.warning(tr("chat.filtered"), icon=":material/shield:")


def respond(entries: list[Entry]) -> None:
    """Ask for a reply to ``entries`` (which end with the question), keeping everything on failure."""
    conn = state.connection()
    request = build_request(entries, state.system_prompt(), state.chat_params(), conn, stream=state.streaming())
    result: ChatResult | None = None
    with st.chat_message("assistant"):
        if request.stream:
            stream = stream_chat(conn, request)
            try:
                st.write_stream(stream)
            finally:
                if stream.result is None:  # a rerun cut the reply short: keep what arrived, marked
                    cut = Entry("assistant", stream.text, ReplyInfo(interrupted=True))
                    state.set_entries([*entries, cut] if stream.text else entries)
            result = stream.result
        else:
            with st.spinner(tr("chat.waiting")):
                result = chat(conn, request)
    if result is None:
        return
    state.record([chat_record(result, conn, "chat")])
    state.set_entries(with_reply(entries, result))
    st.session_state[state.CHAT_FAILURE] = None if result.ok else result.diagnosis
    if result.text:
        st.session_state[state.CHATTED] = st.session_state.get(state.CHATTED, 0) + 1
    st.rerun()


def clear() -> None:
    state.set_entries([])
    st.session_state[state.CHAT_FAILURE] = None


def retry() -> None:
    st.session_state[RETRY] = True


conn = state.connection()
family = state.family()

st.title(tr("chat.title"))
mode = tr("sidebar.mode_demo") if is_demo(conn) else tr("sidebar.mode_azure")
st.caption(tr("chat.using", deployment=conn.deployment or "—", mode=mode, family=tr(f"family.{family}")))
if state.report() is None:
    st.info(tr("chat.not_checked"), icon=":material/info:")
    st.page_link("pages/connect.py", label=tr("chat.go_connect"), icon=":material/cable:")

with st.sidebar.expander(tr("chat.settings"), expanded=True, icon=":material/tune:"):
    st.text_area(tr("chat.system"), key=state.CHAT_SYSTEM, height=90, persist_state="session")
    st.toggle(tr("chat.stream"), key=state.CHAT_STREAM, persist_state="session", help=tr("chat.stream_help"))
    if family == "reasoning":
        st.number_input(
            tr("chat.max_completion_tokens"),
            min_value=1,
            max_value=state.MAX_LENGTH_LIMIT,
            key=state.CHAT_MAX_LENGTH,
            persist_state="session",
        )
        st.selectbox(
            tr("chat.reasoning_effort"),
            options=["", *REASONING_EFFORTS],
            format_func=lambda value: value or tr("chat.default"),
            key=state.CHAT_EFFORT,
            persist_state="session",
        )
    else:
        st.slider(tr("chat.temperature"), 0.0, 2.0, step=0.1, key=state.CHAT_TEMPERATURE, persist_state="session")
        st.number_input(
            tr("chat.max_tokens"),
            min_value=1,
            max_value=state.MAX_LENGTH_LIMIT,
            key=state.CHAT_MAX_LENGTH,
            persist_state="session",
        )
    st.caption(tr(f"chat.params_note.{'reasoning' if family == 'reasoning' else 'classic'}"))

entries = state.entries()
for entry in entries:
    show_entry(entry)

failure = st.session_state.get(state.CHAT_FAILURE)
if failure is not None:
    diagnosis_card(failure, key="chat")
if awaiting_reply(entries) or (entries and entries[-1].info and entries[-1].info.interrupted):
    st.button(tr("chat.retry"), icon=":material/refresh:", on_click=retry, key="chat.retry_button")

tools = st.container(horizontal=True)
tools.button(tr("chat.clear"), icon=":material/delete_sweep:", on_click=clear, disabled=not entries, key="chat.clear")
system = state.system_prompt()
tools.download_button(
    tr("chat.export_md"),
    data=lambda: to_markdown(entries, system, conn.deployment, state.lang()).encode("utf-8"),
    file_name="aoai-lab-chat.md",
    mime="text/markdown",
    disabled=not entries,
    on_click="ignore",
    icon=":material/description:",
    key="chat.export_md",
)
params = state.chat_params()
tools.download_button(
    tr("chat.export_json"),
    data=lambda: to_json(entries, system, params, conn.deployment),
    file_name="aoai-lab-chat.json",
    mime="application/json",
    disabled=not entries,
    on_click="ignore",
    icon=":material/data_object:",
    key="chat.export_json",
)

# submit_mode="disable": a second message cannot abandon a reply that is still streaming.
prompt = st.chat_input(tr("chat.placeholder"), submit_mode="disable", key="chat.input")
if prompt:
    asked = [*without_cut_reply(entries), Entry("user", prompt)]
    state.set_entries(asked)
    st.session_state[state.CHAT_FAILURE] = None
    show_entry(asked[-1])
    respond(asked)
elif st.session_state.pop(RETRY, False):
    pending = without_cut_reply(entries)
    if awaiting_reply(pending):
        st.session_state[state.CHAT_FAILURE] = None
        respond(pending)
