"""One session's state: its language, its connection, its chat and its request log.

Everything per user lives in ``st.session_state`` under the keys below (one browser tab is one
session). Nothing here is cached across sessions: a key never reaches another user.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

from aoai_lab.check import CheckReport
from aoai_lab.connection import Connection, load_configured
from aoai_lab.conversation import Entry
from aoai_lab.i18n import DEFAULT_LANG, Lang, as_lang, t
from aoai_lab.models import Family, family_of
from aoai_lab.request import REASONING_EFFORTS, ChatParams
from aoai_lab.requestlog import RequestLog, RequestRecord
from aoai_lab.ui.demo import demo_connection

# Session-state keys (plain keys, not widget keys, so they survive page switches).
LANG = "lang"
PRESENTER = "presenter"
CONNECTION = "connection"
CONFIGURED = "configured_connection"
REPORT = "check_report"
LAST_CHECK = "last_check"
MESSAGES = "chat_entries"
CHAT_FAILURE = "chat_failure"
LOG = "request_log"
CHATTED = "chat_replies"


# The chat page's widget keys; the code page reads the same settings.
CHAT_SYSTEM = "chat.system"
CHAT_STREAM = "chat.stream"
CHAT_MAX_LENGTH = "chat.max_length"
CHAT_TEMPERATURE = "chat.temperature"
CHAT_EFFORT = "chat.reasoning_effort"
# The tutorial's own system prompt.
CHAT_DEFAULTS: dict[str, Any] = {
    CHAT_SYSTEM: "You are a helpful AI assistant.",
    CHAT_STREAM: True,
    CHAT_MAX_LENGTH: 1024,
    CHAT_TEMPERATURE: 0.7,
    CHAT_EFFORT: "",
}
# Widget limits are enforced in the browser only; these are enforced again here.
MAX_LENGTH_LIMIT = 128_000


def _secrets() -> dict[str, Any]:
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets.toml: nothing configured on the server
        return {}


def init() -> None:
    """Set every key once per session; later runs leave them alone (idempotent)."""
    state = st.session_state
    if LANG not in state:
        state[LANG] = DEFAULT_LANG
    if PRESENTER not in state:
        state[PRESENTER] = False
    if CONFIGURED not in state:
        configured = load_configured(secrets=_secrets())
        state[CONFIGURED] = configured.connection if configured else None
    if CONNECTION not in state:
        # With nothing configured the app starts on the offline demo.
        state[CONNECTION] = state[CONFIGURED] or demo_connection()
    defaults: dict[str, Any] = {
        REPORT: None,
        LAST_CHECK: None,
        MESSAGES: [],
        CHAT_FAILURE: None,
        **CHAT_DEFAULTS,
        LOG: RequestLog(),
        CHATTED: 0,
    }
    for key, value in defaults.items():
        if key not in state:
            state[key] = value


def lang() -> Lang:
    """The session's language."""
    return as_lang(st.session_state.get(LANG))


def tr(key: str, **params: object) -> str:
    """``key`` from the catalog in the session's language."""
    return t(key, lang(), **params)


def presenter() -> bool:
    """True when presenter mode hides every secret on screen."""
    return bool(st.session_state.get(PRESENTER))


def connection() -> Connection:
    """The session's active connection."""
    conn: Connection = st.session_state[CONNECTION]
    return conn


def configured() -> Connection | None:
    """The connection configured on the server (.env, environment or secrets), if any."""
    conn: Connection | None = st.session_state.get(CONFIGURED)
    return conn


def report() -> CheckReport | None:
    """The check that validated the active connection (None if it was never checked)."""
    last: CheckReport | None = st.session_state.get(REPORT)
    return last if last is not None and last.connection == connection() else None


def last_check() -> CheckReport | None:
    """The last check run on the connect page, passed or failed."""
    last: CheckReport | None = st.session_state.get(LAST_CHECK)
    return last


def use_connection(conn: Connection) -> None:
    """Make ``conn`` the active connection, not checked yet."""
    st.session_state[CONNECTION] = conn
    st.session_state[REPORT] = None


def remember_check(check: CheckReport) -> None:
    """Keep a check; one that passed makes its connection the active one (chat uses it)."""
    st.session_state[LAST_CHECK] = check
    if check.ok:
        st.session_state[CONNECTION] = check.connection
        st.session_state[REPORT] = check


def family() -> Family:
    """The active deployment's model family: learned by the check, else guessed from its name."""
    last = report()
    if last is not None and last.ok:
        return last.family
    return family_of(connection().deployment)


def system_prompt() -> str:
    """The chat's system prompt."""
    return str(st.session_state.get(CHAT_SYSTEM, CHAT_DEFAULTS[CHAT_SYSTEM]))


def streaming() -> bool:
    """Whether the chat streams its replies."""
    return bool(st.session_state.get(CHAT_STREAM, True))


def chat_params() -> ChatParams:
    """The chat's parameters, named for the deployment's family and clamped on the server."""
    length = int(st.session_state.get(CHAT_MAX_LENGTH) or CHAT_DEFAULTS[CHAT_MAX_LENGTH])
    temperature = float(st.session_state.get(CHAT_TEMPERATURE, CHAT_DEFAULTS[CHAT_TEMPERATURE]))
    effort = str(st.session_state.get(CHAT_EFFORT) or "")
    return ChatParams.for_family(
        family(),
        max_length=max(1, min(length, MAX_LENGTH_LIMIT)),
        temperature=max(0.0, min(temperature, 2.0)),
        reasoning_effort=effort if effort in REASONING_EFFORTS else None,
    )


def entries() -> list[Entry]:
    """The conversation."""
    value: list[Entry] = st.session_state[MESSAGES]
    return value


def set_entries(items: list[Entry]) -> None:
    """Replace the conversation."""
    st.session_state[MESSAGES] = items


def request_log() -> RequestLog:
    """The session's request log."""
    log: RequestLog = st.session_state[LOG]
    return log


def record(records: Iterable[RequestRecord]) -> None:
    """Append to the session's request log."""
    log = request_log()
    for item in records:
        log.append(item)
