"""The chat page (issue 13) under AppTest, against a recording emulator on loopback.

Every request the page sends is compared with what the emulator received: the API switch, the
parameters each family and API accept (the others never sent), structured output, the context
meter, and copy / regenerate / edit with the request log saying why each request was sent.
The structured-output and Compare panels draw their bodies only while open (issue 12): a test
opens them as a learner's click does (``click_panel``) before it reads their widgets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from aoai_lab.conversation import RECENT_MESSAGES, Entry, recent_start
from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from aoai_lab.i18n import Lang, t
from aoai_lab.request import ChatParams, ChatRequest, Message
from aoai_lab.structured_output import STARTERS
from aoai_lab.ui.state import CHAT_DEFAULTS, CHAT_SYSTEM, FIELD_KEYS

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SYSTEM = str(CHAT_DEFAULTS[CHAT_SYSTEM])
SCHEMA = "chat.schema.title"  # the panels drawn only while open, by their titles' catalog keys
COMPARE = "chat.compare.title"


@pytest.fixture(autouse=True)
def _instant_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT", "OPENAI_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AOAI_LAB_DEMO_TOKENS_PER_SECOND", "0")
    monkeypatch.chdir(ROOT / "tests")


def chat_page(
    emulator: EmulatorServer, deployment: str = "gpt-5.1", lang: str = "ko", preset: dict[str, Any] | None = None
) -> AppTest:
    """The chat page, its connection pointed at the recording emulator (``preset``: earlier settings)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    values = {
        "endpoint": emulator.endpoint,
        "api_key": DEMO_KEY,
        "deployment": deployment,
        "api_version": "2025-04-01-preview",
        "style": "classic",
    }
    for name, value in values.items():
        at.session_state[FIELD_KEYS[name]] = value
    for key, value in (preset or {}).items():
        at.session_state[key] = value
    return at.switch_page("pages/chat.py").run()


def click_panel(at: AppTest, title_key: str, *, open_: bool = True) -> AppTest:
    """Open (or close) the panel titled ``title_key`` as a learner's click does, and rerun.

    AppTest cannot click an expander, so this sends what the browser sends: the expander's own
    widget state. An expander that does not track its state has no id to send it to (the assert).
    """
    label = t(title_key, at.session_state["lang"])
    ids = [e.proto.id for e in at.expander if e.label == label]
    assert len(ids) == 1 and ids[0], f"{title_key}: {len(ids)} panel(s), id {ids}"
    return toggle_block(at, ids[0], open_)


def toggle_block(at: AppTest, block_id: str, open_: bool) -> AppTest:
    """Send an expander's or popover's own open/closed state, as the browser does, and rerun."""
    states = at._tree.get_widget_states()
    states.widgets.append(WidgetState(id=block_id, bool_value=open_))
    at._run(states)
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_copy(at: AppTest, index: int) -> AppTest:
    """Open the "copy" popover of the reply at ``index`` as a click does (its own widget state)."""

    def blocks(node: Any) -> list[Any]:
        children = getattr(node, "children", None)
        found = [node] if getattr(node, "proto", None) is not None and hasattr(node.proto, "popover") else []
        return (
            found + [b for child in (children or {}).values() for b in blocks(child)]
            if isinstance(children, dict)
            else found
        )

    ids = [b.proto.id for b in blocks(at._tree) if b.proto.WhichOneof("type") == "popover"]
    ids = [i for i in ids if i.endswith(f"-chat.copy.{index}")]
    assert len(ids) == 1, f"copy popover of message {index}: {ids}"
    return toggle_block(at, ids[0], True)


def send(at: AppTest, text: str) -> AppTest:
    at.chat_input(key="chat.input").set_value(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def received(emulator: EmulatorServer, suffix: str) -> Any:
    return [r for r in emulator.recorded() if r.path.endswith(suffix)][-1].body


def count(emulator: EmulatorServer) -> int:
    return len(emulator.recorded())


def operations(at: AppTest) -> list[str]:
    return [r.operation for r in at.session_state["request_log"].records]


# --- 1. the API switch ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_responses_api_switch_sends_what_the_emulator_receives(emulator: EmulatorServer, lang: Lang) -> None:
    at = chat_page(emulator, lang=lang)
    assert t("chat.api_note.chat", lang) in [c.value for c in at.sidebar.caption]
    at.sidebar.radio(key="chat.api").set_value("responses").run()
    assert t("chat.api_note.responses", lang) in [c.value for c in at.sidebar.caption]
    labels = [n.label for n in at.sidebar.number_input]
    assert labels == [t("chat.max_output_tokens", lang)]
    at.sidebar.selectbox(key="chat.reasoning_effort").set_value("low").run()
    send(at, "hello")
    expected = ChatRequest(
        (Message("system", SYSTEM), Message("user", "hello")),
        ChatParams(max_completion_tokens=1024, reasoning_effort="low"),
        stream=True,
        api="responses",
    )
    assert received(emulator, "/openai/v1/responses") == expected.responses_body("gpt-5.1")
    reply = at.session_state["chat_entries"][-1]
    assert reply.api == "responses" and reply.content.startswith("[")
    caption = at.chat_message[1].caption[0].value
    assert t("chat.meta.reasoning", lang, tokens=reply.info.reasoning_tokens) in caption
    assert reply.info.reasoning_tokens > 0 and operations(at)[-1] == "responses_stream"


def test_a_responses_api_error_is_diagnosed_like_a_chat_error(emulator: EmulatorServer) -> None:
    at = chat_page(emulator, deployment="no-such-deployment")
    at.sidebar.radio(key="chat.api").set_value("responses").run()
    send(at, "hello")
    failure = at.session_state["chat_failure"]
    assert failure is not None and failure.evidence.status == 404
    assert [e.role for e in at.session_state["chat_entries"]] == ["user"]
    assert at.button(key="chat.retry_button")


# --- 2. parameters -------------------------------------------------------------------------------


def test_classic_parameters_are_sent_and_responses_hides_the_ones_it_lacks(emulator: EmulatorServer) -> None:
    at = chat_page(emulator, deployment="gpt-4o-mini")
    assert at.sidebar.number_input(key="chat.max_length").value is not None
    at.sidebar.toggle(key="chat.more_params").set_value(True).run()
    at.sidebar.number_input(key="chat.top_p").set_value(0.9)
    at.sidebar.text_area(key="chat.stop").set_value("###\nEND")
    at.sidebar.number_input(key="chat.presence_penalty").set_value(0.5)
    at.sidebar.number_input(key="chat.frequency_penalty").set_value(-0.5)
    at.sidebar.number_input(key="chat.seed").set_value(42).run()
    send(at, "hello")
    body = received(emulator, "/gpt-4o-mini/chat/completions")
    params = {
        k: body[k]
        for k in ("temperature", "max_tokens", "top_p", "stop", "presence_penalty", "frequency_penalty", "seed")
    }
    assert params == {
        "temperature": 0.7,
        "max_tokens": 1024,
        "top_p": 0.9,
        "stop": ["###", "END"],
        "presence_penalty": 0.5,
        "frequency_penalty": -0.5,
        "seed": 42,
    }
    assert "reasoning_effort" not in body and "max_completion_tokens" not in body
    # The Responses API has no stop, penalties or seed: not drawn, not sent.
    at.sidebar.radio(key="chat.api").set_value("responses").run()
    keys = {n.key for n in at.sidebar.number_input}
    assert "chat.seed" not in keys and "chat.presence_penalty" not in keys
    assert t("chat.responses_lacks", "ko") in [c.value for c in at.sidebar.caption]
    send(at, "again")
    body = received(emulator, "/openai/v1/responses")
    assert {"temperature": 0.7, "top_p": 0.9, "max_output_tokens": 1024}.items() <= body.items()
    assert not {"stop", "seed", "presence_penalty", "frequency_penalty"} & set(body)


def test_reasoning_models_offer_only_their_efforts_and_verbosity_where_it_exists(emulator: EmulatorServer) -> None:
    at = chat_page(emulator)
    # gpt-5.1 accepts none/low/medium/high (no "minimal"); sampling parameters are not drawn.
    assert at.sidebar.selectbox(key="chat.reasoning_effort").options == [
        "(모델 기본값)",
        "none",
        "low",
        "medium",
        "high",
    ]
    assert not at.sidebar.slider and not [w for w in at.sidebar.toggle if w.key == "chat.more_params"]
    # verbosity: not on a dated classic api-version's Chat Completions; on the Responses API, yes.
    assert not [s for s in at.sidebar.selectbox if s.key == "chat.verbosity"]
    at.sidebar.radio(key="chat.api").set_value("responses").run()
    at.sidebar.selectbox(key="chat.verbosity").set_value("low").run()
    send(at, "hello")
    assert received(emulator, "/openai/v1/responses")["text"] == {"verbosity": "low"}


def test_an_effort_another_model_took_is_not_sent_to_one_that_refuses_it(emulator: EmulatorServer) -> None:
    # "minimal" was chosen for gpt-5; gpt-5.1 refuses it (emulator_models.toml).
    at = chat_page(emulator, preset={"chat.reasoning_effort": "minimal"})
    assert at.sidebar.selectbox(key="chat.reasoning_effort").value == ""
    send(at, "hello")
    assert "reasoning_effort" not in received(emulator, "/gpt-5.1/chat/completions")
    assert at.session_state["chat_failure"] is None


# --- 3. structured output ------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_a_schema_reply_is_pretty_json_validated_against_the_schema(emulator: EmulatorServer, api: str) -> None:
    at = chat_page(emulator, deployment="gpt-4o-mini", lang="en")
    at.sidebar.radio(key="chat.api").set_value(api).run()
    click_panel(at, SCHEMA)
    at.sidebar.radio(key="chat.output").set_value("json_schema").run()
    at.sidebar.selectbox(key="chat.schema_starter").set_value("sentiment").run()
    assert json.loads(str(at.sidebar.text_area(key="chat.schema").value)) == STARTERS["sentiment"]
    send(at, "I love this app")
    suffix = "/openai/v1/responses" if api == "responses" else "/gpt-4o-mini/chat/completions"
    body = received(emulator, suffix)
    schema = (
        body["text"]["format"]["schema"] if api == "responses" else body["response_format"]["json_schema"]["schema"]
    )
    assert schema == STARTERS["sentiment"]
    reply = at.chat_message[1]
    shown = json.loads(reply.code[0].value)
    assert set(shown) == {"sentiment", "reason"} and reply.code[0].language == "json"
    assert t("chat.schema.reply_valid.json_schema", "en") in " ".join(c.value for c in reply.caption)


def test_an_invalid_schema_or_json_mode_without_json_is_explained_not_sent(emulator: EmulatorServer) -> None:
    at = chat_page(emulator, deployment="gpt-4o-mini", lang="en")
    click_panel(at, SCHEMA)
    at.sidebar.radio(key="chat.output").set_value("json_schema").run()
    at.sidebar.text_area(key="chat.schema").set_value('{"type": "object",').run()
    assert any(e.value.startswith(t("chat.schema.not_json", "en", detail="")) for e in at.sidebar.error)
    before = count(emulator)
    send(at, "hello")
    assert count(emulator) == before  # nothing sent
    assert t("chat.schema.blocked_invalid", "en") in [w.value for w in at.warning]
    # JSON mode needs "json" in the messages (Azure's 400): explained; after an edit it is sent.
    at.sidebar.radio(key="chat.output").set_value("json_object").run()
    at.button(key="chat.retry_button").click().run()
    assert count(emulator) == before
    assert t("chat.schema.blocked_json_word", "en") in [w.value for w in at.warning]
    at.button(key="chat.edit_button").click().run()
    at.text_area(key="chat.edit_text").set_value("hello, answer in JSON")
    at.button(key="chat.send_edit").click().run()
    assert count(emulator) == before + 1
    assert received(emulator, "/chat/completions")["response_format"] == {"type": "json_object"}
    assert t("chat.schema.reply_valid.json_object", "en") in " ".join(c.value for c in at.chat_message[1].caption)


# --- 4. the context meter ------------------------------------------------------------------------


@pytest.mark.parametrize(("chars", "level"), [(10, None), (900_000, "warn"), (1_100_000, "over")])
def test_the_context_meter_warns_before_the_window_overflows(
    emulator: EmulatorServer, chars: int, level: str | None
) -> None:
    from aoai_lab.conversation import Entry

    at = chat_page(emulator)
    at.session_state["chat_entries"] = [Entry("user", "x" * chars), Entry("assistant", "ok")]
    at.run()
    progress = at.get("progress")
    assert progress and "272,000" in progress[0].proto.text
    warnings = [w.value for w in at.warning]
    if level is None:
        assert t("chat.context.warn", "ko") not in warnings and t("chat.context.over", "ko") not in warnings
    else:
        assert t(f"chat.context.{level}", "ko") in warnings


def test_an_unknown_model_shows_tokens_without_a_window(emulator: EmulatorServer) -> None:
    from aoai_lab.conversation import Entry

    at = chat_page(emulator, deployment="my-own-name")
    at.session_state["chat_entries"] = [Entry("user", "abcd")]
    at.run()
    assert not at.get("progress")
    assert any(t("chat.context.unknown", "ko", used="").split("{")[0][:6] in c.value for c in at.caption)


# --- 5. per message ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_copy_regenerate_and_edit_are_recorded(emulator: EmulatorServer, lang: Lang) -> None:
    at = chat_page(emulator, lang=lang)
    send(at, "first")
    send(at, "second")
    entries = at.session_state["chat_entries"]
    assert [e.role for e in entries] == ["user", "assistant", "user", "assistant"]
    # Copy: each reply's raw text sits in a code block (with its copy button), drawn once opened.
    assert not at.chat_message[1].code
    open_copy(at, 1)
    assert entries[1].content in [c.value for c in at.chat_message[1].code]
    # Regenerate: only the last reply offers it; the question is sent again, once.
    assert at.button(key="chat.regenerate")
    before = count(emulator)
    at.button(key="chat.regenerate").click().run()
    assert count(emulator) == before + 1 and len(at.session_state["chat_entries"]) == 4
    assert received(emulator, "/chat/completions")["messages"][-1] == {"role": "user", "content": "second"}
    assert operations(at)[-1] == "chat_stream+regenerate"
    # Edit the first question: the later turns are dropped, visibly, and the edit is sent.
    at.button(key="chat.edit_at.0").click().run()
    assert at.text_area(key="chat.edit_past").value == "first"
    assert t("chat.edit_drops", lang, count=3) in " ".join(c.value for c in at.caption)
    at.text_area(key="chat.edit_past").set_value("first, edited")
    at.button(key="chat.send_past_edit").click().run()
    entries = at.session_state["chat_entries"]
    assert (entries[0].role, entries[0].content, len(entries)) == ("user", "first, edited", 2)
    assert t("chat.edit_dropped", lang, count=3) in [i.value for i in at.info]
    assert received(emulator, "/chat/completions")["messages"][1:] == [{"role": "user", "content": "first, edited"}]
    assert operations(at)[-1] == "chat_stream+edit"
    table = at.session_state["request_log"].records
    assert [r.operation.partition("+")[0] for r in table][-4:] == ["chat_stream"] * 4


def test_a_cancelled_edit_changes_nothing(emulator: EmulatorServer) -> None:
    at = chat_page(emulator)
    send(at, "first")
    before = count(emulator)
    at.button(key="chat.edit_at.0").click().run()
    at.button(key="chat.cancel_past_edit").click().run()
    assert at.session_state["chat_entries"][0].content == "first"
    assert count(emulator) == before
    assert not [a for a in at.text_area if a.key == "chat.edit_past"]


# --- the Code page writes the same request -------------------------------------------------------


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_code_page_writes_the_chats_api_and_schema(emulator: EmulatorServer, lang: Lang) -> None:
    at = chat_page(emulator, deployment="gpt-4o-mini", lang=lang)
    at.sidebar.radio(key="chat.api").set_value("responses").run()
    click_panel(at, SCHEMA)
    at.sidebar.radio(key="chat.output").set_value("json_schema").run()
    at.sidebar.selectbox(key="chat.schema_starter").set_value("person").run()
    send(at, "Kim is 30")
    sent = received(emulator, "/openai/v1/responses")
    at.switch_page("pages/code.py").run()
    assert not at.exception, [e.value for e in at.exception]
    python = next(c.value for c in at.code if "client.responses.create(" in c.value)
    assert "base_url=f\"{endpoint.rstrip('/')}/openai/v1/\"" in python
    assert '"schema": {"type": "object"' in python and "max_output_tokens=1024" in python
    assert f"temperature={sent['temperature']}" in python


def test_a_length_below_the_responses_minimum_is_raised_not_refused(emulator: EmulatorServer) -> None:
    at = chat_page(emulator, preset={"chat.max_length": 8})
    assert at.sidebar.number_input(key="chat.max_length").value == 8
    at.sidebar.radio(key="chat.api").set_value("responses").run()
    assert not at.exception and at.sidebar.number_input(key="chat.max_length").value == 16
    send(at, "hello")
    assert received(emulator, "/openai/v1/responses")["max_output_tokens"] == 16
    assert at.session_state["chat_entries"][-1].info.truncated
    assert t("chat.length", "ko", param="max_output_tokens") in [w.value for w in at.warning]


def test_a_non_streamed_json_mode_reply_is_checked_too(emulator: EmulatorServer) -> None:
    at = chat_page(emulator, deployment="gpt-4o-mini", lang="en")
    at.sidebar.toggle(key="chat.stream").set_value(False).run()
    click_panel(at, SCHEMA)
    at.sidebar.radio(key="chat.output").set_value("json_object").run()
    assert t("chat.schema.json_mode_note", "en") in [c.value for c in at.sidebar.caption]
    send(at, "reply in json please")
    body = received(emulator, "/gpt-4o-mini/chat/completions")
    assert body["response_format"] == {"type": "json_object"} and "stream" not in body
    reply = at.chat_message[1]
    assert json.loads(reply.code[0].value) == json.loads(at.session_state["chat_entries"][-1].content)
    assert t("chat.schema.reply_valid.json_object", "en") in " ".join(c.value for c in reply.caption)


# --- compare -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_compare_sends_one_prompt_with_two_settings_side_by_side(emulator: EmulatorServer, lang: Lang) -> None:
    at = chat_page(emulator, lang=lang)
    at.sidebar.selectbox(key="chat.reasoning_effort").set_value("low").run()
    click_panel(at, COMPARE)
    assert at.text_input(key="chat.compare.deployment").value == "gpt-5.1"
    at.text_input(key="chat.compare.prompt").set_value("why?")
    at.selectbox(key="chat.compare.effort").set_value("high").run()
    before = count(emulator)
    at.button(key="chat.compare.run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    sent = [r.body for r in emulator.recorded()[before:]]
    assert sorted(b["reasoning_effort"] for b in sent) == ["high", "low"]
    assert all(b["messages"][-1] == {"role": "user", "content": "why?"} and b["stream"] for b in sent)
    assert at.session_state["chat_entries"] == []  # not part of the conversation
    sides = at.session_state["chat.compare.results"]
    assert [s.label for s in sides] == ["gpt-5.1 · reasoning_effort=low", "gpt-5.1 · reasoning_effort=high"]
    assert sides[1].info.reasoning_tokens > sides[0].info.reasoning_tokens
    assert all(s.info.ttft_ms is not None and s.info.latency_ms for s in sides)
    figures = [sides[i].info for i in (0, 1)]
    shown = [c.value for c in at.caption]
    assert all(
        any(f"{info.ttft_ms:.0f} ms" in c and str(info.completion_tokens) in c for c in shown) for info in figures
    )
    assert operations(at)[-2:] == ["chat_stream+compare", "chat_stream+compare"]
    # Redrawn after a rerun, unchanged.
    at.run()
    assert [s.label for s in at.session_state["chat.compare.results"]] == [s.label for s in sides]


def compare_gpt_4o_mini(emulator: EmulatorServer) -> AppTest:
    """The Chat page (gpt-5.1) with Compare open, set to "hi" against gpt-4o-mini at temperature 0.2."""
    at = chat_page(emulator)
    click_panel(at, COMPARE)
    at.text_input(key="chat.compare.prompt").set_value("hi")
    at.text_input(key="chat.compare.deployment").set_value("gpt-4o-mini").run()
    at.slider(key="chat.compare.temperature").set_value(0.2).run()
    return at


def test_compare_two_deployments_each_gets_its_familys_parameters(emulator: EmulatorServer) -> None:
    at = compare_gpt_4o_mini(emulator)
    before = count(emulator)
    at.button(key="chat.compare.run").click().run()
    by_path = {r.path: r.body for r in emulator.recorded()[before:]}
    classic = by_path["/openai/deployments/gpt-4o-mini/chat/completions"]
    reasoning = by_path["/openai/deployments/gpt-5.1/chat/completions"]
    assert classic["temperature"] == 0.2 and classic["max_tokens"] == 1024 and "reasoning_effort" not in classic
    assert "temperature" not in reasoning and reasoning["max_completion_tokens"] == 1024
    assert all(s.failure is None for s in at.session_state["chat.compare.results"])


# --- panels drawn only while open (issue 12) -----------------------------------------------------


def keys(widgets: Any) -> set[str]:
    return {w.key for w in widgets}


def compare_values(at: AppTest) -> tuple[Any, ...]:
    prompt, deployment = (at.text_input(key=f"chat.compare.{name}").value for name in ("prompt", "deployment"))
    return prompt, deployment, at.slider(key="chat.compare.temperature").value


def test_closed_panels_draw_no_body_and_opening_draws_it(emulator: EmulatorServer) -> None:
    # A returning learner's JSON schema: even then, the closed panel draws no editor.
    at = chat_page(emulator, deployment="gpt-4o-mini", lang="en", preset={"chat.output": "json_schema"})
    bodies = {e.label: bool(e.children) for e in at.expander}
    assert bodies == {t("chat.settings", "en"): True, t(SCHEMA, "en"): False, t(COMPARE, "en"): False}
    assert keys(at.sidebar.radio) == {"chat.api"} and keys(at.sidebar.text_area) == {"chat.system"}
    assert "chat.compare.run" not in keys(at.button)
    assert not at.main.text_input and not at.main.slider and not at.main.columns
    click_panel(at, SCHEMA)
    click_panel(at, COMPARE)
    assert at.sidebar.radio(key="chat.output").value == "json_schema"
    assert {"chat.schema_starter"} <= keys(at.sidebar.selectbox) and "chat.schema" in keys(at.sidebar.text_area)
    assert {"chat.compare.prompt", "chat.compare.deployment"} <= keys(at.text_input)
    assert "chat.compare.run" in keys(at.button) and keys(at.main.slider) == {"chat.compare.temperature"}
    # Closed again: the bodies go; the settings panel (open by default) stays drawn throughout.
    click_panel(at, COMPARE, open_=False)
    click_panel(at, SCHEMA, open_=False)
    assert "chat.compare.run" not in keys(at.button) and not at.main.text_input
    assert keys(at.sidebar.radio) == {"chat.api"} and keys(at.sidebar.text_area) == {"chat.system"}


def test_a_schema_chosen_in_the_open_panel_keeps_applying_once_it_is_closed(emulator: EmulatorServer) -> None:
    at = chat_page(emulator, deployment="gpt-4o-mini", lang="en")
    click_panel(at, SCHEMA)
    at.sidebar.radio(key="chat.output").set_value("json_schema").run()
    at.sidebar.selectbox(key="chat.schema_starter").set_value("sentiment").run()
    click_panel(at, SCHEMA, open_=False)
    assert "chat.schema" not in keys(at.sidebar.text_area)
    send(at, "I love this app")
    sent = received(emulator, "/gpt-4o-mini/chat/completions")["response_format"]["json_schema"]["schema"]
    assert sent == STARTERS["sentiment"]
    # Reopened on the same visit: the choice, the starter last loaded and the editor's text.
    click_panel(at, SCHEMA)
    assert at.sidebar.radio(key="chat.output").value == "json_schema"
    assert at.sidebar.selectbox(key="chat.schema_starter").value == "sentiment"
    assert json.loads(str(at.sidebar.text_area(key="chat.schema").value)) == STARTERS["sentiment"]
    click_panel(at, SCHEMA, open_=False)
    # Another page and back: the Code page writes the schema; Chat (its panel closed) still sends it.
    at.switch_page("pages/code.py").run()
    assert not at.exception, [e.value for e in at.exception]
    python = next(c.value for c in at.code if "response_format" in c.value)
    assert '"sentiment"' in python and '"reason"' in python
    at.switch_page("pages/chat.py").run()
    assert "chat.schema" not in keys(at.sidebar.text_area)
    before = count(emulator)
    send(at, "It is fine, I guess")
    assert count(emulator) == before + 1
    sent = received(emulator, "/gpt-4o-mini/chat/completions")["response_format"]["json_schema"]["schema"]
    assert sent == STARTERS["sentiment"]
    assert json.loads(at.chat_message[3].code[0].value).keys() == {"sentiment", "reason"}


def test_compare_keeps_its_values_and_results_when_closed_and_reopened(emulator: EmulatorServer) -> None:
    at = compare_gpt_4o_mini(emulator)
    at.button(key="chat.compare.run").click().run()
    sides = at.session_state["chat.compare.results"]
    assert len(sides) == 2 and all(s.text for s in sides)
    before = count(emulator)

    def results_shown() -> bool:
        shown = [m.value for m in at.markdown]
        return all(f"**{s.label}**" in shown and s.text in shown for s in sides)

    assert results_shown()
    click_panel(at, COMPARE, open_=False)
    assert not at.main.text_input and not results_shown()
    click_panel(at, COMPARE)
    assert compare_values(at) == ("hi", "gpt-4o-mini", 0.2) and results_shown()
    # Another page and back: closed again, its values kept for the session.
    at.switch_page("pages/log.py").run()
    at.switch_page("pages/chat.py").run()
    assert not at.main.text_input
    click_panel(at, COMPARE)
    assert compare_values(at) == ("hi", "gpt-4o-mini", 0.2) and results_shown()
    # A reasoning deployment's effort is kept too.
    at.text_input(key="chat.compare.deployment").set_value("gpt-5.1").run()
    at.selectbox(key="chat.compare.effort").set_value("high").run()
    click_panel(at, COMPARE, open_=False)
    click_panel(at, COMPARE)
    assert at.selectbox(key="chat.compare.effort").value == "high"
    assert count(emulator) == before  # opening and closing sent nothing: only the run button does


def test_compares_deployment_follows_the_connection_until_one_is_typed(emulator: EmulatorServer) -> None:
    at = chat_page(emulator)
    click_panel(at, COMPARE)
    assert at.text_input(key="chat.compare.deployment").value == "gpt-5.1"

    def connect_to(deployment: str) -> None:
        at.switch_page("pages/connect.py").run()
        at.text_input(key="connect.deployment").set_value(deployment).run()
        at.switch_page("pages/chat.py").run()
        click_panel(at, COMPARE)

    connect_to("gpt-4o-mini")  # untouched, the field follows the chat's deployment…
    assert at.text_input(key="chat.compare.deployment").value == "gpt-4o-mini"
    at.text_input(key="chat.compare.deployment").set_value("my-other").run()
    connect_to("gpt-5.1")  # …a name the learner typed stays
    assert at.text_input(key="chat.compare.deployment").value == "my-other"


# --- a long chat: only the recent messages are drawn (issue 12) ---------------------------------


def long_chat(turns: int) -> list[Entry]:
    """``turns`` questions and replies, each text naming its place (Q7, A7)."""
    return [Entry(role, f"{role[0].upper()}{n}") for n in range(turns) for role in ("user", "assistant")]


def test_recent_start_keeps_whole_turns() -> None:
    assert recent_start(long_chat(3)) == 0  # short: everything drawn
    assert recent_start(long_chat(30), recent=40) == 20  # 60 messages: the last 40, from a question
    assert long_chat(30)[recent_start(long_chat(30), recent=40)].role == "user"
    pending = [*long_chat(30), Entry("user", "unanswered")]  # 61 messages: start moves to a question
    assert recent_start(pending, recent=40) == 22 and pending[22].role == "user"
    assert recent_start(long_chat(30), recent=0) == 60  # nothing recent: all earlier


def test_a_long_chat_draws_its_recent_messages_and_the_rest_on_demand(emulator: EmulatorServer) -> None:
    entries = long_chat(RECENT_MESSAGES)  # twice as many messages as are drawn at once
    at = chat_page(emulator, lang="en", preset={"chat_entries": entries})
    start = recent_start(entries)
    assert start == RECENT_MESSAGES
    drawn = [m.markdown[0].value for m in at.chat_message]
    assert drawn == [e.content for e in entries[start:]]  # the recent half only, in order
    assert t("chat.earlier_count", "en", count=start) in [c.value for c in at.caption]
    click_panel(at, "chat.earlier")
    drawn = [m.markdown[0].value for m in at.chat_message]
    assert drawn == [e.content for e in entries]  # all of it, in order
    # An earlier question can be edited from there, like any other.
    at.button(key="chat.edit_at.0").click().run()
    assert at.text_area(key="chat.edit_past").value == "U0"
    click_panel(at, "chat.earlier", open_=False)
    assert len(at.chat_message) == len(entries) - start
