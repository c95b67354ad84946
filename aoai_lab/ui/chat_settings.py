"""The chat's settings in the sidebar: the API, the system prompt, streaming, the parameters
the deployment's model accepts, and structured output.

Every setting's widget keeps its value for the session (``persist_state="session"``): the Code
page reads the same keys, and the structured-output panel is drawn only while it is open
(issue 12), so its choices must keep applying while its widgets are not drawn.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from aoai_lab.request import APIS, MIN_OUTPUT_TOKENS, VERBOSITIES
from aoai_lab.structured_output import STARTERS, SchemaProblem, starter_text
from aoai_lab.ui import state
from aoai_lab.ui.state import tr

MORE = "chat.more_params"  # the classic models' further parameters are drawn
STARTER = "chat.schema_starter"
# The structured-output panel's open state (the expander's key): its body is drawn only when open.
SCHEMA_OPEN = "chat.schema.open"
OUTPUT_KINDS = ("text", "json_object", "json_schema")


# Option labels are translated while the page runs, not when a widget formats an option later
# (AppTest and a rerun may call ``format_func`` outside this session's run).
def labels(keys: dict[str, str]) -> dict[str, str]:
    """Each option's label in the session's language."""
    return {value: tr(key) for value, key in keys.items()}


def or_default() -> Callable[[str], str]:
    """A ``format_func`` showing "" as the model's default."""
    default = tr("chat.default")
    return lambda value: value or default


def settings() -> None:
    """The chat's settings: the API, the system prompt, streaming, the parameters the deployment's
    model accepts on that API (the others are not drawn, so never sent) and structured output."""
    with st.sidebar.expander(tr("chat.settings"), expanded=True, icon=":material/tune:"):
        st.radio(
            tr("chat.api.label"),
            options=list(APIS),
            format_func=labels({value: f"chat.api.{value}" for value in APIS}).__getitem__,
            key=state.CHAT_API,
            horizontal=True,
            persist_state="session",
        )
        st.caption(tr(f"chat.api_note.{state.chat_api()}"))
        st.text_area(tr("chat.system"), key=state.CHAT_SYSTEM, height=90, persist_state="session")
        st.toggle(tr("chat.stream"), key=state.CHAT_STREAM, persist_state="session", help=tr("chat.stream_help"))
        if state.family() == "reasoning":
            reasoning_settings()
        else:
            classic_settings()
    # Drawn only while open: closed, its radio, starter box and 220-px editor cost the first
    # visit their JavaScript for nothing (bench/README.md). Its choices apply either way.
    panel = st.sidebar.expander(
        tr("chat.schema.title"), icon=":material/data_object:", key=SCHEMA_OPEN, on_change="rerun"
    )
    if panel.open:
        with panel:
            output_settings()


def length_input(label_key: str, responses: bool) -> None:
    """The reply length; the Responses API takes at least 16 (a smaller value kept from Chat
    Completions is raised before the widget is drawn, which would refuse it)."""
    low = MIN_OUTPUT_TOKENS if responses else 1
    value = st.session_state.get(state.CHAT_MAX_LENGTH)
    if isinstance(value, int | float) and value < low:
        st.session_state[state.CHAT_MAX_LENGTH] = low
    st.number_input(
        tr(label_key),
        min_value=low,
        max_value=state.MAX_LENGTH_LIMIT,
        key=state.CHAT_MAX_LENGTH,
        persist_state="session",
    )


def reasoning_settings() -> None:
    """max_completion_tokens, the efforts the model accepts, and verbosity where it exists."""
    responses = state.chat_api() == "responses"
    length_input("chat.max_output_tokens" if responses else "chat.max_completion_tokens", responses)
    efforts = state.efforts()
    if st.session_state.get(state.CHAT_EFFORT) not in ("", *efforts):
        st.session_state[state.CHAT_EFFORT] = ""  # a value another model took; this one refuses it
    st.selectbox(
        tr("chat.reasoning_effort"),
        options=["", *efforts],
        format_func=or_default(),
        key=state.CHAT_EFFORT,
        persist_state="session",
    )
    if state.verbosity_supported():
        st.selectbox(
            tr("chat.verbosity"),
            options=["", *VERBOSITIES],
            format_func=or_default(),
            key=state.CHAT_VERBOSITY,
            persist_state="session",
        )
    st.caption(tr(f"chat.params_note.reasoning{'_responses' if responses else ''}"))


def classic_settings() -> None:
    """temperature and max_tokens; top_p, stop, penalties and seed behind "more parameters"."""
    responses = state.chat_api() == "responses"
    st.slider(tr("chat.temperature"), 0.0, 2.0, step=0.1, key=state.CHAT_TEMPERATURE, persist_state="session")
    length_input("chat.max_output_tokens" if responses else "chat.max_tokens", responses)
    st.caption(tr(f"chat.params_note.classic{'_responses' if responses else ''}"))
    if not st.toggle(tr("chat.more"), key=MORE, help=tr("chat.more_help"), persist_state="session"):
        return
    blank = tr("chat.default")
    st.number_input(
        "top_p",
        min_value=0.0,
        max_value=1.0,
        step=0.05,
        key=state.CHAT_TOP_P,
        placeholder=blank,
        persist_state="session",
    )
    if responses:
        st.caption(tr("chat.responses_lacks"))
        return
    st.text_area(tr("chat.stop"), key=state.CHAT_STOP, height=68, help=tr("chat.stop_help"), persist_state="session")
    for key, name in ((state.CHAT_PRESENCE, "presence_penalty"), (state.CHAT_FREQUENCY, "frequency_penalty")):
        st.number_input(
            name, min_value=-2.0, max_value=2.0, step=0.1, key=key, placeholder=blank, persist_state="session"
        )
    st.number_input(
        tr("chat.seed"), min_value=0, step=1, key=state.CHAT_SEED, placeholder=blank, help=tr("chat.seed_help"),
        persist_state="session",
    )  # fmt: skip


def load_starter() -> None:
    """Put the chosen starter schema in the editor (the starter box's callback)."""
    name = st.session_state.get(STARTER)
    if name in STARTERS:
        st.session_state[state.CHAT_SCHEMA] = starter_text(str(name))


def output_settings() -> None:
    """Plain text, JSON mode, or a JSON schema edited here (starting from a starter schema)."""
    st.radio(
        tr("chat.schema.kind"),
        options=list(OUTPUT_KINDS),
        format_func=labels({v: f"chat.schema.kind_{v}" for v in OUTPUT_KINDS}).__getitem__,
        key=state.CHAT_OUTPUT,
        persist_state="session",
    )
    kind = st.session_state.get(state.CHAT_OUTPUT)
    if kind == "json_object":
        st.caption(tr("chat.schema.json_mode_note"))
    if kind != "json_schema":
        return
    st.selectbox(
        tr("chat.schema.starter"),
        options=list(STARTERS),
        format_func=labels({name: f"chat.schema.starters.{name}" for name in STARTERS}).__getitem__,
        key=STARTER,
        on_change=load_starter,
        index=None,
        placeholder=tr("chat.schema.starter_placeholder"),
        persist_state="page",  # the starter last loaded, still named after the panel is reopened
    )
    st.text_area(tr("chat.schema.editor"), key=state.CHAT_SCHEMA, height=220, persist_state="session")
    output = state.chat_output()
    if isinstance(output, SchemaProblem):
        st.error(tr(output.key, detail=output.detail[:200]), icon=":material/error:")
    else:
        st.caption(tr("chat.schema.strict_note"))
