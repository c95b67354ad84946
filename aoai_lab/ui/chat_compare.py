"""Compare (the playground's side-by-side): one prompt sent with the chat's settings and with a
second variant (another deployment, effort or temperature), both replies streamed in turn.

The panel is drawn only while it is open (issue 12). Its widgets keep their values for the
session and the last results stay in the session, so closing and reopening it loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

from aoai_lab.client import stream_chat
from aoai_lab.compare import Variant, interleave, variant_params
from aoai_lab.conversation import Entry, ReplyInfo, build_request, operation_name
from aoai_lab.diagnosis import Diagnosis
from aoai_lab.model_limits import limits_for
from aoai_lab.models import family_of
from aoai_lab.recording import chat_record
from aoai_lab.request import REASONING_EFFORTS, ChatParams
from aoai_lab.ui import state
from aoai_lab.ui.cards import diagnosis_card
from aoai_lab.ui.chat_settings import or_default
from aoai_lab.ui.chat_view import reply_caption
from aoai_lab.ui.state import tr

COMPARE_PROMPT = "chat.compare.prompt"
COMPARE_DEPLOYMENT = "chat.compare.deployment"
COMPARE_EFFORT = "chat.compare.effort"
COMPARE_TEMPERATURE = "chat.compare.temperature"
COMPARE_RESULTS = "chat.compare.results"
COMPARE_OPEN = "chat.compare.open"  # the panel's open state (the expander's key)
# The chat deployment the deployment field was last filled with: while the field still holds it,
# it follows the connection (the field is kept for the session, across a visit to Connect).
COMPARE_FILLED = "chat.compare.filled"
CHAT_LENGTH_DEFAULT = state.CHAT_DEFAULTS[state.CHAT_MAX_LENGTH]


@dataclass(frozen=True)
class CompareSide:
    """One side's outcome, kept to redraw it: what was asked of whom, the reply and its figures."""

    label: str
    text: str
    info: ReplyInfo | None
    failure: Diagnosis | None


def settings_label(deployment: str, params: ChatParams) -> str:
    """``deployment · reasoning_effort=low`` (the settings that tell the two sides apart)."""
    shown = {k: v for k, v in params.as_dict().items() if k in ("reasoning_effort", "temperature")}
    setting = ", ".join(f"{k}={v}" for k, v in shown.items()) or tr("chat.default")
    return f"{deployment} · {setting}"


def compare_variant() -> tuple[Variant, tuple[str, ...]]:
    """The second side's widgets: its deployment, and the effort or temperature that differs."""
    conn = state.connection()
    typed = str(st.session_state.get(COMPARE_DEPLOYMENT) or "").strip()
    # Empty, or still the chat's deployment of an earlier visit: the chat's deployment now (a name
    # the learner typed is theirs to keep).
    if not typed or (typed == st.session_state.get(COMPARE_FILLED) and typed != conn.deployment):
        st.session_state[COMPARE_DEPLOYMENT] = conn.deployment
        st.session_state[COMPARE_FILLED] = conn.deployment
    st.text_input(tr("chat.compare.deployment"), key=COMPARE_DEPLOYMENT, persist_state="session")
    name = str(st.session_state.get(COMPARE_DEPLOYMENT) or "").strip() or conn.deployment
    same = name == conn.deployment
    family = state.family() if same else family_of(name)
    spec = limits_for(state.model_name() if same else name)
    efforts = spec.reasoning_efforts if spec is not None and spec.reasoning_efforts else REASONING_EFFORTS
    if family == "reasoning":
        if st.session_state.get(COMPARE_EFFORT) not in ("", *efforts):
            st.session_state[COMPARE_EFFORT] = ""
        effort = st.selectbox(
            tr("chat.reasoning_effort"),
            options=["", *efforts],
            format_func=or_default(),
            key=COMPARE_EFFORT,
            persist_state="session",
        )
        return Variant(name, reasoning_effort=effort or None), efforts
    temperature = st.slider(
        tr("chat.temperature"), 0.0, 2.0, value=1.0, step=0.1, key=COMPARE_TEMPERATURE, persist_state="session"
    )
    return Variant(name, temperature=float(temperature)), efforts


def compare() -> None:
    """Send one prompt to the chat's deployment and settings and to a second variant, side by side:
    both replies stream in turn, with tokens, time to first token and latency under each.

    Drawn only while open: closed, its inputs, box, slider, button and columns would cost the
    page's first visit their JavaScript for nothing (bench/README.md). A compare is only started
    from the open panel; the last results come back when it is reopened.
    """
    panel = st.expander(tr("chat.compare.title"), icon=":material/compare_arrows:", key=COMPARE_OPEN, on_change="rerun")
    if not panel.open:
        return
    with panel:
        st.caption(tr("chat.compare.intro"))
        st.text_input(tr("chat.compare.prompt"), key=COMPARE_PROMPT, persist_state="session")
        variant, efforts = compare_variant()
        prompt = str(st.session_state.get(COMPARE_PROMPT) or "").strip()
        run = st.button(
            tr("chat.compare.run"), icon=":material/play_arrow:", disabled=not prompt, key="chat.compare.run"
        )
        columns = st.columns(2)
        if run and prompt:
            st.session_state[COMPARE_RESULTS] = run_compare(prompt, variant, efforts, columns)
        else:
            for index, side in enumerate(st.session_state.get(COMPARE_RESULTS) or []):
                with columns[index % 2]:
                    show_compare_side(side, index)


def run_compare(prompt: str, variant: Variant, efforts: Sequence[str], columns: Sequence[Any]) -> list[CompareSide]:
    """Both requests streamed in turn into their columns; both logged (``…+compare``)."""
    conn = state.connection()
    api = state.chat_api()
    asked = [Entry("user", prompt)]
    params_a = state.chat_params()
    length = params_a.max_completion_tokens or params_a.max_tokens or int(CHAT_LENGTH_DEFAULT)
    params_b = variant_params(variant, max_length=length, effort_allowed=efforts)
    conn_b = conn.with_values(deployment=variant.deployment)
    sides = [(conn, params_a), (conn_b, params_b)]
    requests = [build_request(asked, state.system_prompt(), p, c, stream=True, api=api) for c, p in sides]
    streams = [stream_chat(c, r) for (c, _), r in zip(sides, requests, strict=True)]
    labels = [settings_label(c.deployment, p) for c, p in sides]
    holders = []
    for column, label in zip(columns, labels, strict=True):
        with column:
            st.markdown(f"**{label}**")
            holders.append(st.empty())
    texts = ["", ""]
    log = state.request_log()
    outcomes: list[CompareSide] = []
    try:
        for index, piece in interleave(streams):
            texts[index] += piece
            holders[index].markdown(texts[index])
    finally:  # a stop mid-stream still keeps and logs both sides
        for (side_conn, _), stream, label in zip(sides, streams, labels, strict=True):
            result = stream.finish()
            if result is None:
                continue
            record = chat_record(result, side_conn, "chat")
            log.append(replace(record, operation=operation_name(True, api, "compare")))
            info = ReplyInfo.of(result) if (result.text or result.ok) else None
            outcomes.append(CompareSide(label, result.text, info, None if result.ok else result.diagnosis))
    for index, side in enumerate(outcomes):
        with columns[index % 2]:
            holders[index].empty()
            show_compare_side(side, index, with_label=False)
    return outcomes


def show_compare_side(side: CompareSide, index: int, *, with_label: bool = True) -> None:
    """One side: its label, the reply, its figures, or why it failed."""
    if with_label:
        st.markdown(f"**{side.label}**")
    if side.text:
        st.markdown(side.text)
    if side.info is not None:
        st.caption(reply_caption(side.info))
    if side.failure is not None:
        diagnosis_card(side.failure, key=f"compare-{index}")
