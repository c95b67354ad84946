"""One session's state: its language, its connection, its chat and its request log.

Everything per user lives in ``st.session_state`` under the keys below (one browser tab is one
session). Nothing here is cached across sessions: a key never reaches another user.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import streamlit as st

from aoai_lab import persistence
from aoai_lab.connection import Connection, from_form, load_configured
from aoai_lab.connection_status import ConnectionStatus, connection_status
from aoai_lab.i18n import DEFAULT_LANG, Lang, as_lang, t
from aoai_lab.model_limits import limits_for
from aoai_lab.models import Family, family_of
from aoai_lab.presenter import mask_resource
from aoai_lab.request import APIS, REASONING_EFFORTS, VERBOSITIES, Api, ChatParams, Sampling, parse_stop
from aoai_lab.requestlog import RequestLog, RequestRecord
from aoai_lab.structured_output import OutputFormat, SchemaProblem, parse_schema, starter_text
from aoai_lab.ui.demo import demo_connection, demo_endpoint

if TYPE_CHECKING:  # types only: the check and the chat client pull in the SDK
    from aoai_lab.check import CheckReport
    from aoai_lab.conversation import Entry

# Session-state keys (plain keys, not widget keys, so they survive page switches).
LANG = "lang"
PRESENTER = "presenter"
CONFIGURED = "configured_connection"
LAST_CHECK = "last_check"
MESSAGES = "chat_entries"
CHAT_FAILURE = "chat_failure"
LOG = "request_log"
CHATTED = "chat_replies"
TAB_TOKEN = "persist.token"  # noqa: S105 - a state key. This tab's token (aoai_lab.persistence); never shown or logged
CONNECTION_MEMO = "state.connection_memo"  # (the fields and what they gave, the Connection)
SAVED = "persist.saved"  # (the last snapshot saved, when)
SAVE_EVERY_S = 60.0  # an unchanged snapshot is saved again this often, so its TTL restarts


# The Connect page's fields *are* the connection: every page reads them (``connection()``).
# Their widgets keep their values across page switches (``persist_state="session"``).
FIELD_KEYS = {
    "endpoint": "connect.endpoint",
    "api_key": "connect.api_key",
    "deployment": "connect.deployment",
    "api_version": "connect.api_version",
    "style": "connect.style",
}

# The chat page's widget keys; the code page reads the same settings.
CHAT_SYSTEM = "chat.system"
CHAT_STREAM = "chat.stream"
CHAT_MAX_LENGTH = "chat.max_length"
CHAT_TEMPERATURE = "chat.temperature"
CHAT_EFFORT = "chat.reasoning_effort"
CHAT_API = "chat.api"
CHAT_TOP_P = "chat.top_p"
CHAT_STOP = "chat.stop"
CHAT_PRESENCE = "chat.presence_penalty"
CHAT_FREQUENCY = "chat.frequency_penalty"
CHAT_SEED = "chat.seed"
CHAT_VERBOSITY = "chat.verbosity"
CHAT_OUTPUT = "chat.output"  # text | json_object | json_schema
CHAT_SCHEMA = "chat.schema"
# The tutorial's own system prompt. None: the parameter is not sent (the service default applies).
CHAT_DEFAULTS: dict[str, Any] = {
    CHAT_SYSTEM: "You are a helpful AI assistant.",
    CHAT_STREAM: True,
    CHAT_MAX_LENGTH: 1024,
    CHAT_TEMPERATURE: 0.7,
    CHAT_EFFORT: "",
    CHAT_API: "chat",
    CHAT_TOP_P: None,
    CHAT_STOP: "",
    CHAT_PRESENCE: None,
    CHAT_FREQUENCY: None,
    CHAT_SEED: None,
    CHAT_VERBOSITY: "",
    CHAT_OUTPUT: "text",
    CHAT_SCHEMA: starter_text("person"),
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
    if TAB_TOKEN not in state:  # a new session: a reload, a reconnect or a new tab
        _restore(_tab_token())
    _keep_token_in_url()
    if FIELD_KEYS["endpoint"] not in state:
        # With nothing configured the app starts on the offline demo.
        fill(state[CONFIGURED] or demo_connection())
    defaults: dict[str, Any] = {
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


def _tab_token() -> str:
    """This tab's token: the one in the URL when it is one of ours, else a new one."""
    given = st.query_params.get(persistence.TOKEN_PARAM)
    token = given if given is not None and persistence.valid_token(given) else persistence.new_token()
    st.session_state[TAB_TOKEN] = token
    return token


def _keep_token_in_url() -> None:
    # A page switch may drop the query string: put the token back, so a reload still finds it.
    token = str(st.session_state[TAB_TOKEN])
    if st.query_params.get(persistence.TOKEN_PARAM) != token:
        st.query_params[persistence.TOKEN_PARAM] = token


def _snapshots() -> persistence.SnapshotStore:
    from aoai_lab.classroom import session as classroom_session
    from aoai_lab.classroom.config import ConfigError

    try:
        conf = classroom_session.config()
    except ConfigError:
        conf = None
    return persistence.open_snapshots(conf.redis_url if conf is not None else None)


def _key_kind(conn: Connection) -> str:
    """Where a connection's key came from, so a restored check gets the right one back."""
    if conn.key_on_server:
        return "server"
    if conn.source == "demo":
        return "demo"
    return "typed" if conn.api_key else "none"


def snapshot() -> dict[str, Any]:
    """What a reload brings back: language, fields (not the key), chat settings, conversation and
    the last check (its connection without a key)."""
    state = st.session_state
    last = last_check()
    return {
        "lang": lang(),
        "fields": {name: str(state.get(key) or "") for name, key in FIELD_KEYS.items() if name != "api_key"},
        "chat": {key: state.get(key, default) for key, default in CHAT_DEFAULTS.items()},
        "entries": list(state.get(MESSAGES) or []),
        "check": last,
        "check_key": _key_kind(last.connection) if last is not None else "none",
    }


def _restored_key(kind: str, root: str) -> str:
    conf = configured()
    if kind == "server" and conf is not None and conf.root == root:
        return conf.api_key
    if kind == "demo":
        return demo_connection().api_key
    return "" if kind == "none" else persistence.KEY_NOT_KEPT


def _restore(token: str) -> None:
    """Bring back this tab's snapshot, if the store still has one (a typed key is never in it)."""
    try:
        text = _snapshots().load(persistence.store_key(token))
    except Exception:  # a Redis outage must not stop the page: the session starts afresh
        return
    data = persistence.loads(text) if text is not None else None
    if data is None:
        return
    state = st.session_state
    state[LANG] = as_lang(data.get("lang"))
    fields = data.get("fields")
    if isinstance(fields, dict):
        for name, key in FIELD_KEYS.items():
            if name != "api_key":
                state[key] = str(fields.get(name) or "")
        endpoint = str(fields.get("endpoint") or "").rstrip("/")
        # The demo's key is no secret; any other key field starts empty (a server-held key is borrowed).
        state[FIELD_KEYS["api_key"]] = demo_connection().api_key if endpoint == demo_endpoint().rstrip("/") else ""
    chat = data.get("chat")
    if isinstance(chat, dict):
        for key in CHAT_DEFAULTS:
            if key in chat:
                state[key] = chat[key]
    entries = data.get("entries")
    if isinstance(entries, list):
        state[MESSAGES] = entries
    check = data.get("check")
    if check is not None and hasattr(check, "connection"):
        key = _restored_key(str(data.get("check_key")), check.connection.root)
        state[LAST_CHECK] = replace(check, connection=replace(check.connection, api_key=key))


def save_snapshot() -> None:
    """Save this tab's snapshot when it changed (or a minute passed): called at the end of a run.

    Unchanged is decided by comparing the snapshot with the one saved last, not by encoding it:
    at 200 turns, encoding the conversation on every run cost ~45 ms (issue 12).
    """
    state = st.session_state
    token = state.get(TAB_TOKEN)
    if token is None or MESSAGES not in state:
        return
    try:
        current = snapshot()  # frozen dataclasses and plain values: compared by value
        saved = state.get(SAVED)
        now = time.monotonic()
        if saved is not None and saved[0] == current and now - saved[1] < SAVE_EVERY_S:
            return
        _snapshots().save(persistence.store_key(str(token)), persistence.dumps(current))
        state[SAVED] = (current, now)
    except Exception:  # best effort: a failed save must never break the page the learner is on
        return


def lang() -> Lang:
    """The session's language."""
    return as_lang(st.session_state.get(LANG))


def tr(key: str, **params: object) -> str:
    """``key`` from the catalog in the session's language."""
    return t(key, lang(), **params)


def presenter() -> bool:
    """True when presenter mode hides every secret on screen."""
    return bool(st.session_state.get(PRESENTER))


def fill(conn: Connection) -> None:
    """Put a connection's values in the Connect page's fields (a key held by the server stays off
    the page). Call it before the fields are drawn in a run: from a callback, or on another page."""
    st.session_state[FIELD_KEYS["endpoint"]] = conn.endpoint
    st.session_state[FIELD_KEYS["api_key"]] = "" if conn.key_on_server else conn.api_key
    st.session_state[FIELD_KEYS["deployment"]] = conn.deployment
    st.session_state[FIELD_KEYS["api_version"]] = conn.api_version
    st.session_state[FIELD_KEYS["style"]] = conn.style


def field_values() -> dict[str, str]:
    """The Connect page's fields as they are now (the key too: never show this dict)."""
    return {name: str(st.session_state.get(key) or "") for name, key in FIELD_KEYS.items()}


def connection() -> Connection:
    """The session's connection: the values in the Connect page's fields, cleaned.

    An empty key field borrows the server's key only for the server's configured endpoint
    (``from_form``); a check is not needed for Chat and Code to use these values.
    """
    values = field_values()
    inputs = (tuple(values.values()), configured(), demo_endpoint())
    # A page asks many times per run; cleaning the same values again cost ~0.5 ms each (issue 12).
    # Kept in this session's state only: it holds the key.
    cached = st.session_state.get(CONNECTION_MEMO)
    if cached is not None and cached[0] == inputs:
        memo: Connection = cached[1]
        return memo
    conn = from_form(
        values["endpoint"],
        values["api_key"],
        values["deployment"],
        values["api_version"],
        "v1" if values["style"] == "v1" else "classic",
        configured=inputs[1],
        demo_root=inputs[2],
    ).connection
    st.session_state[CONNECTION_MEMO] = (inputs, conn)
    return conn


def configured() -> Connection | None:
    """The connection configured on the server (.env, environment or secrets), if any."""
    conn: Connection | None = st.session_state.get(CONFIGURED)
    return conn


def last_check() -> CheckReport | None:
    """The last check run on the connect page, passed or failed, on whatever values it had then."""
    last: CheckReport | None = st.session_state.get(LAST_CHECK)
    return last


def status() -> ConnectionStatus:
    """What the connection points at and whether these very values were checked (one truth)."""
    return connection_status(connection(), last_check(), demo_root=demo_endpoint())


def report() -> CheckReport | None:
    """The passed check of exactly the values in the fields (None if unchecked, changed or failed)."""
    current = status()
    return current.last if current.ok else None


def use_connection(conn: Connection) -> None:
    """Make ``conn`` the session's connection (its values go into the fields), not checked yet."""
    fill(conn)


def remember_check(check: CheckReport) -> None:
    """Keep a check: it speaks for the connection as long as the fields hold its values."""
    st.session_state[LAST_CHECK] = check


def _check_of_this_deployment() -> CheckReport | None:
    """The last check when it reached the model of the deployment now in the fields (same
    resource, same deployment name), else None: what a check learned about another one is no fact
    about this one."""
    conn = connection()
    last = last_check()
    if last is None or not last.model:
        return None
    same = (last.connection.root, last.connection.deployment) == (conn.root, conn.deployment)
    return last if same else None


def family() -> Family:
    """The deployment's model family: learned by a check of the same deployment, else guessed
    from its name."""
    last = _check_of_this_deployment()
    return last.family if last is not None else family_of(connection().deployment)


def shown(text: str) -> str:
    """``text`` as it may appear on screen: in presenter mode without any resource name."""
    if not presenter():
        return text
    last = last_check()
    connections = [connection(), *([last.connection] if last is not None else [])]
    conf = configured()
    if conf is not None:
        connections.append(conf)
    return mask_resource(text, *connections)


def system_prompt() -> str:
    """The chat's system prompt."""
    return str(st.session_state.get(CHAT_SYSTEM, CHAT_DEFAULTS[CHAT_SYSTEM]))


def streaming() -> bool:
    """Whether the chat streams its replies."""
    return bool(st.session_state.get(CHAT_STREAM, True))


def model_name() -> str:
    """The deployment's model: learned by a check of the same deployment, else its name."""
    last = _check_of_this_deployment()
    return str(last.model) if last is not None else connection().deployment


def efforts() -> tuple[str, ...]:
    """The reasoning_effort values the deployment's model accepts (all of them when unknown)."""
    spec = limits_for(model_name())
    return spec.reasoning_efforts if spec is not None and spec.reasoning_efforts else REASONING_EFFORTS


def chat_api() -> Api:
    """The API the chat sends through: Chat Completions or the Responses API."""
    value = st.session_state.get(CHAT_API)
    return value if value in APIS else "chat"


def verbosity_supported() -> bool:
    """verbosity is a gpt-5 parameter; on Chat Completions it is sent only on the v1 API, where it
    is documented (a dated classic api-version may not know it); the Responses API always has it."""
    model = model_name().lower()
    return (
        family() == "reasoning"
        and model.startswith("gpt-5")
        and (chat_api() == "responses" or connection().style == "v1")
    )


def _number(key: str, low: float, high: float) -> float | None:
    value = st.session_state.get(key)
    return None if value is None else max(low, min(float(value), high))


def chat_params() -> ChatParams:
    """The chat's parameters, named for the deployment's family and clamped on the server.

    Only what the family and the API accept is set: the rest is never sent (issue 13).
    """
    length = int(st.session_state.get(CHAT_MAX_LENGTH) or CHAT_DEFAULTS[CHAT_MAX_LENGTH])
    temperature = float(st.session_state.get(CHAT_TEMPERATURE, CHAT_DEFAULTS[CHAT_TEMPERATURE]))
    effort = str(st.session_state.get(CHAT_EFFORT) or "")
    verbosity = str(st.session_state.get(CHAT_VERBOSITY) or "")
    seed = st.session_state.get(CHAT_SEED)
    # stop, penalties and seed exist on Chat Completions only (aoai_lab.request.ChatParams.responses_dict).
    classic_only = chat_api() == "chat"
    sampling = Sampling(
        top_p=_number(CHAT_TOP_P, 0.0, 1.0),
        stop=parse_stop(str(st.session_state.get(CHAT_STOP) or "")) if classic_only else (),
        presence_penalty=_number(CHAT_PRESENCE, -2.0, 2.0) if classic_only else None,
        frequency_penalty=_number(CHAT_FREQUENCY, -2.0, 2.0) if classic_only else None,
        seed=int(seed) if seed is not None and classic_only else None,
    )
    return ChatParams.for_family(
        family(),
        max_length=max(1, min(length, MAX_LENGTH_LIMIT)),
        temperature=max(0.0, min(temperature, 2.0)),
        reasoning_effort=effort if effort in efforts() else None,
        sampling=sampling,
        verbosity=verbosity if verbosity in VERBOSITIES and verbosity_supported() else None,
    )


def chat_output() -> OutputFormat | SchemaProblem | None:
    """The structured output asked for: None for plain text, a problem when the schema is unusable."""
    kind = st.session_state.get(CHAT_OUTPUT)
    if kind == "json_object":
        return OutputFormat("json_object")
    if kind != "json_schema":
        return None
    schema = parse_schema(str(st.session_state.get(CHAT_SCHEMA) or ""))
    return schema if isinstance(schema, SchemaProblem) else OutputFormat("json_schema", schema)


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
    """Append to the session's request log (classroom mode: no non-Azure host's request id, issue 11)."""
    from aoai_lab.ui.cards import student_view  # cards imports this module

    log, view = request_log(), student_view()
    for item in records:
        log.append(view.record(item))
