"""Classroom mode inside a Streamlit session: its configuration, its seat, the access code prompt.

The configuration is read once per session from ``st.secrets`` and the environment (never
``st.cache_*``: it holds the access code and the instructor password). The store behind the gate
is one per process (:func:`~aoai_lab.classroom.store.open_store`), shared by every session.
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
import time
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from aoai_lab.classroom.access import attempt
from aoai_lab.classroom.config import ClassroomConfig, ConfigError, load
from aoai_lab.classroom.gate import SEEN, Gate, session_tokens_key
from aoai_lab.classroom.seat import Seat
from aoai_lab.classroom.store import open_store
from aoai_lab.i18n import as_lang, t

CONFIG = "classroom.config"
SEAT_ID = "classroom.seat_id"
UNLOCKED = "classroom.unlocked"
CODE_INPUT = "classroom.code_input"
CODE_FLASH = "classroom.code_flash"
_OFF = "off"


def _secrets() -> dict[str, Any]:
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets.toml
        return {}


def config() -> ClassroomConfig | None:
    """This session's classroom configuration (None: classroom mode off); raises ConfigError."""
    cached = st.session_state.get(CONFIG)
    if cached is None:
        loaded = load(_secrets(), os.environ)
        st.session_state[CONFIG] = loaded or _OFF
        return loaded
    return cached if isinstance(cached, ClassroomConfig) else None


def stop_on_bad_config() -> ClassroomConfig | None:
    """Called first on every run: a bad ``[classroom]`` stops the app with a message naming the key."""
    try:
        conf = config()
    except ConfigError as error:
        st.error(error.message(), icon=":material/settings_alert:")
        st.stop()
    if conf is not None:
        # Every run marks the session present, for the instructor's "active sessions".
        with contextlib.suppress(Exception):  # a store outage is told where it matters (requests)
            Gate(conf, open_store(conf.redis_url)).store.score(SEEN, session_id(), time.time(), replace=True)
    return conf


def session_id() -> str:
    """This session's random id (anonymous; the instructor sees a prefix of it)."""
    if SEAT_ID not in st.session_state:
        st.session_state[SEAT_ID] = secrets.token_hex(8)
    return str(st.session_state[SEAT_ID])


def gate() -> Gate | None:
    """The class's gate, or None outside classroom mode (or with a bad configuration)."""
    try:
        conf = config()
    except ConfigError:
        return None
    return None if conf is None else Gate(conf, open_store(conf.redis_url))


def session_seat() -> Seat | None:
    """The running session's seat, or None outside a Streamlit run or outside classroom mode."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    the_gate = gate()
    if the_gate is None:
        return None
    unlocked = the_gate.config.access_code is None or bool(st.session_state.get(UNLOCKED))
    return Seat(the_gate, session_id(), unlocked)


def _lang() -> Any:
    return as_lang(st.session_state.get("lang"))


def _check_code() -> None:
    the_gate = gate()
    typed = str(st.session_state.get(CODE_INPUT) or "")
    st.session_state[CODE_INPUT] = ""  # the typed code is never sent back to the browser
    if the_gate is None or the_gate.config.access_code is None:
        return
    try:
        result = attempt(the_gate.store, "code", session_id(), typed, the_gate.config.access_code, the_gate.clock())
    except Exception:  # the store (Redis) is down: say so rather than fail the page
        st.session_state[CODE_FLASH] = ("error", "diag.classroom_unavailable.title", {})
        return
    st.session_state[UNLOCKED] = result.ok
    if result.ok:
        st.session_state[CODE_FLASH] = ("success", "classroom.access.accepted", {})
    elif result.retry_after is not None:
        st.session_state[CODE_FLASH] = (
            "error",
            "classroom.access.too_many",
            {"seconds": math.ceil(result.retry_after)},
        )
    else:
        st.session_state[CODE_FLASH] = ("error", "classroom.access.wrong", {})


def access_prompt() -> bool:
    """On the Connect page: ask for the access code once per session; True when the shared
    connection may be used (no code set, or the right one given). Outside classroom mode: True."""
    the_gate = gate()
    if the_gate is None or the_gate.config.access_code is None:
        return True
    lang = _lang()
    flash = st.session_state.pop(CODE_FLASH, None)
    if st.session_state.get(UNLOCKED):
        if flash:
            st.success(t(flash[1], lang, **flash[2]), icon=":material/lock_open:")
        return True
    with st.container(border=True, key="classroom-access"):
        st.markdown(f"**{t('classroom.access.title', lang)}**")
        st.caption(t("classroom.access.help", lang))
        st.text_input(
            t("classroom.access.label", lang), key=CODE_INPUT, type="password", on_change=_check_code, max_chars=200
        )
        st.button(t("classroom.access.submit", lang), key="classroom.access_submit", on_click=_check_code)
        if flash:
            (st.success if flash[0] == "success" else st.error)(t(flash[1], lang, **flash[2]))
    return False


def limits_caption() -> None:
    """On the Chat page: the class's limits and what this session has left (nothing outside classroom mode)."""
    the_gate = gate()
    if the_gate is None:
        return
    conf = the_gate.config
    lang = _lang()
    try:
        used = the_gate.store.get(session_tokens_key(session_id()))
        paused = the_gate.paused()
    except Exception:  # the store is down: the chat's own refusal explains it
        return
    if paused:
        st.warning(t("diag.classroom_paused.title", lang), icon=":material/pause_circle:")
    st.caption(
        t(
            "classroom.limits",
            lang,
            rpm=conf.requests_per_minute,
            max_output=conf.max_output_tokens,
            left=max(0, conf.session_token_budget - used),
            budget=conf.session_token_budget,
        )
    )


def demo_url() -> str | None:
    """The class demo endpoint students' snippets should use (``demo_url``), when set."""
    try:
        conf = config()
    except ConfigError:
        return None
    return None if conf is None else conf.demo_url
