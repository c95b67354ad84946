"""A reload loses nothing that matters, and never brings back a typed key (issue 13).

The store is tested on its own (expiry, bounds, hashing, no key in a payload); the page under
AppTest: a new session with the same tab token gets the conversation, the chat settings and the
last check back, with the key field empty.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from aoai_lab import persistence
from aoai_lab.check import run_check
from aoai_lab.classroom.store import MemoryStore
from aoai_lab.connection import Connection, Normalised
from aoai_lab.connection_status import changed_fields
from aoai_lab.conversation import Entry, ReplyInfo
from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from aoai_lab.i18n import Lang
from aoai_lab.persistence import FlagSnapshots, MemorySnapshots, dumps, loads, store_key
from aoai_lab.ui.state import CHAT_TEMPERATURE, FIELD_KEYS, LAST_CHECK, MESSAGES, SAVED, TAB_TOKEN
from tests.test_chat_page import APP, chat_page, send

TYPED = "typed-key-0123456789abcdef0123456789"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _instant_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT", "OPENAI_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AOAI_LAB_DEMO_TOKENS_PER_SECOND", "0")
    monkeypatch.chdir(Path(__file__).resolve().parent)


# --- tokens and the store --------------------------------------------------------------------


def test_tokens_are_long_random_and_only_ours_are_accepted() -> None:
    tokens = {persistence.new_token() for _ in range(50)}
    assert len(tokens) == 50
    assert all(persistence.valid_token(token) and len(token) >= 32 for token in tokens)  # >= 192 bits
    for bad in ("", "short", "x" * 65, "a" * 31 + "!", None, 12345):
        assert not persistence.valid_token(bad)


def test_the_store_holds_a_hash_of_the_token_never_the_token() -> None:
    token = persistence.new_token()
    key = store_key(token)
    assert token not in key and key.startswith(persistence.KEY_PREFIX) and len(key) == len(persistence.KEY_PREFIX) + 64
    assert store_key(token) == key != store_key(persistence.new_token())


def test_entries_expire_after_the_ttl_since_last_use() -> None:
    clock = Clock()
    store = MemorySnapshots(ttl=100.0, clock=clock)
    store.save("a", "one")
    clock.now += 90
    assert store.load("a") == "one"  # use restarts the TTL
    clock.now += 90
    assert store.load("a") == "one"
    clock.now += 101
    assert store.load("a") is None
    assert len(store) == 0


def test_the_store_keeps_at_most_max_entries_least_recently_used_go_first() -> None:
    store = MemorySnapshots(max_entries=3, clock=Clock())
    for name in "abc":
        store.save(name, name)
    assert store.load("a") == "a"  # "b" is now the least recently used
    store.save("d", "d")
    assert len(store) == 3
    assert store.load("b") is None
    assert [store.load(name) for name in "acd"] == ["a", "c", "d"]


def test_the_store_keeps_at_most_max_total_bytes() -> None:
    store = MemorySnapshots(max_total_bytes=250, clock=Clock())
    for name in "abc":
        store.save(name, name * 100)
    assert store.total_bytes <= 250 and len(store) == 2
    assert store.load("a") is None and store.load("c") == "c" * 100
    store.save("c", "c")  # replacing an entry counts its new size only
    assert store.total_bytes == 101


def test_an_entry_is_bounded_the_oldest_turns_go_first() -> None:
    big = "x" * 20_000
    entries = [Entry("user" if i % 2 == 0 else "assistant", f"{i} {big}") for i in range(60)]
    text = dumps({"entries": entries, "lang": "ko"})
    assert len(text.encode()) <= persistence.MAX_BYTES
    back = loads(text)
    assert back is not None
    kept = back["entries"]
    assert 0 < len(kept) < 60
    assert kept[-1] == entries[-1]  # the newest turn survives
    with pytest.raises(ValueError, match="too large"):
        MemorySnapshots().save("k", "y" * (persistence.MAX_BYTES + 1))


def test_the_classroom_store_keeps_snapshots_with_a_ttl() -> None:
    clock = Clock()
    flags = MemoryStore(clock=clock)
    store = FlagSnapshots(flags, ttl=50.0)
    store.save("k", "payload")
    clock.now += 40
    assert store.load("k") == "payload"  # and its TTL restarts
    clock.now += 40
    assert store.load("k") == "payload"
    clock.now += 51
    assert store.load("k") is None


def test_a_connection_is_stored_without_its_key_and_comes_back_with_an_empty_one() -> None:
    conn = Connection("https://example.openai.azure.com/", TYPED, "gpt-4o-mini", "2024-10-21")
    entry = Entry("assistant", "hi", ReplyInfo(prompt_tokens=3, model="gpt-4o-mini"))
    text = dumps({"conn": conn, "entries": [entry], "pair": (1, "two")})
    assert TYPED not in text and "api_key" not in text
    back = loads(text)
    assert back is not None
    assert back["conn"] == Connection("https://example.openai.azure.com/", "", "gpt-4o-mini", "2024-10-21")
    assert back["entries"] == [entry] and back["pair"] == (1, "two")


def test_on_redis_any_replica_restores_it_with_a_ttl_and_no_token_in_redis(tmp_path: Path) -> None:
    import redis

    from aoai_lab.classroom.store import RedisStore
    from tests.classroom_servers import redis_server

    with redis_server(tmp_path) as url:
        token = persistence.new_token()
        one, two = FlagSnapshots(RedisStore(url)), FlagSnapshots(RedisStore(url))  # two replicas
        one.save(store_key(token), dumps({"entries": [Entry("user", "hello")]}))
        back = two.load(store_key(token))
        assert back is not None and loads(back) == {"entries": [Entry("user", "hello")]}
        raw = redis.Redis.from_url(url, decode_responses=True)
        keys = raw.keys("*")
        assert keys == ["aoai_lab:" + store_key(token)] and not [k for k in keys if token in k]
        assert 0 < raw.pttl(keys[0]) <= persistence.TTL_S * 1000


@pytest.mark.parametrize(
    "payload",
    ['{"__t": "Popen", "args": ["sh"]}', "not json", '{"__map": {"x": {"__t": "os.system"}}}', "[]"],
)
def test_a_damaged_or_hostile_entry_is_ignored(payload: str) -> None:
    assert loads(payload) is None


# --- a new session with the same token, under AppTest ----------------------------------------


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_new_session_restores_conversation_settings_and_check_but_not_the_typed_key(
    emulator: EmulatorServer, lang: Lang
) -> None:
    # The emulator is not the app's demo: its key is a typed one, as a learner's Azure key would be.
    at = chat_page(emulator, deployment="gpt-4o-mini", lang=lang, preset={CHAT_TEMPERATURE: 0.3})
    send(at, "remember me")
    check = run_check(Normalised(Connection(emulator.endpoint, DEMO_KEY, "gpt-4o-mini", "2025-04-01-preview")))
    assert check.ok
    at.session_state[LAST_CHECK] = check
    at.run()
    token = at.session_state[TAB_TOKEN]
    assert persistence.valid_token(token)
    before = at.session_state[MESSAGES]
    assert before[0].content == "remember me" and len(before) == 2

    saved = persistence.open_snapshots(None).load(store_key(token))
    assert saved is not None
    assert DEMO_KEY not in saved and "api_key" not in saved
    assert token not in saved
    assert "remember me" in json.dumps(json.loads(saved), ensure_ascii=False)

    again = AppTest.from_file(APP, default_timeout=60)
    again.query_params[persistence.TOKEN_PARAM] = token
    again.run()
    again = again.switch_page("pages/chat.py").run()
    assert not again.exception, [e.value for e in again.exception]
    state = again.session_state
    assert state["lang"] == lang
    assert [(e.role, e.content) for e in state[MESSAGES]] == [(e.role, e.content) for e in before]
    assert state[CHAT_TEMPERATURE] == 0.3
    assert state[FIELD_KEYS["endpoint"]] == emulator.endpoint
    assert state[FIELD_KEYS["deployment"]] == "gpt-4o-mini"
    assert state[FIELD_KEYS["api_key"]] == ""  # the learner types it again
    restored = state[LAST_CHECK]
    assert restored.ok and restored.model == check.model
    assert restored.connection.api_key != DEMO_KEY
    # Without the key the check no longer speaks for the fields: the page says the key changed.
    assert "api_key" in changed_fields(
        restored.connection, Connection(emulator.endpoint, "", "gpt-4o-mini", "2025-04-01-preview")
    )
    # The conversation is drawn again.
    shown = [m.markdown[0].value for m in again.chat_message if m.markdown]
    assert "remember me" in shown


def test_a_run_that_changes_nothing_saves_nothing_and_a_change_is_saved_at_once(emulator: EmulatorServer) -> None:
    at = chat_page(emulator, deployment="gpt-4o-mini")
    send(at, "first question")
    token = at.session_state[TAB_TOKEN]
    saved = at.session_state[SAVED]
    at.run()
    at.run()
    assert at.session_state[SAVED] is saved  # same snapshot: not encoded nor stored again
    send(at, "second question")
    assert at.session_state[SAVED] is not saved
    stored = persistence.open_snapshots(None).load(store_key(token))
    assert stored is not None and "second question" in json.dumps(json.loads(stored), ensure_ascii=False)


def test_an_unknown_or_foreign_token_starts_afresh(emulator: EmulatorServer) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params[persistence.TOKEN_PARAM] = "not a token; drop table"
    at.run()
    assert not at.exception
    token = at.session_state[TAB_TOKEN]
    assert persistence.valid_token(token) and token != "not a token; drop table"
    assert at.session_state[MESSAGES] == []


def test_a_key_held_by_the_server_keeps_working_after_a_reload(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = {
        "AZURE_OPENAI_ENDPOINT": emulator.endpoint,
        "AZURE_OPENAI_API_KEY": DEMO_KEY,
        "AZURE_OPENAI_DEPLOYMENT": "gpt-4o-mini",
        "OPENAI_API_VERSION": "2025-04-01-preview",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert at.session_state[FIELD_KEYS["api_key"]] == ""  # a server-held key is never on the page
    configured = at.session_state["configured_connection"]
    check = run_check(Normalised(configured))
    assert check.ok and check.connection.key_on_server
    at.session_state[LAST_CHECK] = check
    at.run()
    token = at.session_state[TAB_TOKEN]
    saved = persistence.open_snapshots(None).load(store_key(token))
    assert saved is not None and DEMO_KEY not in saved

    again = AppTest.from_file(APP, default_timeout=60)
    again.query_params[persistence.TOKEN_PARAM] = token
    again.run()
    assert not again.exception
    assert again.session_state[FIELD_KEYS["api_key"]] == ""
    restored = again.session_state[LAST_CHECK]
    # The server's key comes from the server again: the restored check still speaks for the fields.
    assert restored.connection.api_key == DEMO_KEY and restored.ok
    assert changed_fields(restored.connection, configured) == ()
