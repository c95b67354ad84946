"""The Streamlit app under AppTest: every page in both languages, and the main flows for real.

The app's client talks over real HTTP to the in-process demo emulator (paced at 0 here).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from aoai_lab.connection import Connection, from_form
from aoai_lab.conversation import Entry, ReplyInfo
from aoai_lab.diagnosis import CODES, STEPS
from aoai_lab.emulator import DEMO_KEY
from aoai_lab.i18n import LANGS, t
from aoai_lab.troubleshoot import BY_ID, CARDS, COMMON
from aoai_lab.ui.demo import demo_server
from aoai_lab.ui.frame import PAGE_SPECS
from aoai_lab.ui.state import FIELD_KEYS
from tests.test_i18n import UNFILLED

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGE_FILES = sorted(p.name for p in (ROOT / "pages").glob("*.py"))
WRONG_KEY = "0123456789abcdef" * 2  # well-formed, not accepted by the emulator
TIMEOUT = 60
PAGE_TITLES = {
    "guide.py": "guide.title",
    "connect.py": "connect.title",
    "chat.py": "chat.title",
    "code.py": "code.page.title",
    "log.py": "log.title",
    "troubleshoot.py": "trouble.title",
    "instructor.py": "instructor.title",
}


@pytest.fixture(autouse=True)
def _instant_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing configured on this "server": the app starts on the offline demo.
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT", "OPENAI_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AOAI_LAB_DEMO_TOKENS_PER_SECOND", "0")
    monkeypatch.chdir(ROOT / "tests")  # no .env here


def app(lang: str = "ko") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    return at.run()


def visit(at: AppTest, page: str) -> AppTest:
    return at.switch_page(f"pages/{page}").run()


def shown_text(at: AppTest) -> Iterator[tuple[str, str]]:
    """Every element's type and protobuf text, except password fields (whose value is the key)."""

    def walk(node: Any) -> Iterator[Any]:
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                yield from walk(child)
        else:
            yield node

    for element in walk(at._tree):
        proto = getattr(element, "proto", None)
        if proto is None or (type(element).__name__ == "TextInput" and getattr(proto, "type", 0) == 1):
            continue
        yield type(element).__name__, str(proto)


def connection_of(at: AppTest) -> Connection:
    """The session's connection: the values in the Connect page's fields (what every page uses)."""
    values = {name: str(at.session_state[key]) for name, key in FIELD_KEYS.items()}
    return from_form(
        values["endpoint"],
        values["api_key"],
        values["deployment"],
        values["api_version"],
        "v1" if values["style"] == "v1" else "classic",
        configured=at.session_state["configured_connection"],
        demo_root=demo_server().endpoint,
    ).connection


def set_fields(at: AppTest, **values: str) -> AppTest:
    """Change Connect fields from any page, as a learner's earlier edit would have."""
    for name, value in values.items():
        at.session_state[FIELD_KEYS[name]] = value
    return at


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


# --- structure -------------------------------------------------------------------------------


def test_every_page_file_is_registered_and_every_entry_has_a_file() -> None:
    assert sorted(spec.file for spec in PAGE_SPECS) == PAGE_FILES


def test_session_state_is_initialised_once() -> None:
    at = app()
    at.session_state["chat_entries"] = [Entry("user", "kept")]
    at.run()
    assert at.session_state["chat_entries"] == [Entry("user", "kept")]
    assert connection_of(at).source == "demo"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_renders_in_both_languages(page: str, lang: str) -> None:
    at = visit(app(lang), page)
    no_errors(at)
    title = t(PAGE_TITLES[page], lang)  # type: ignore[arg-type]
    assert [e.value for e in at.title] == [title]
    # The frame is there on every page: language switch, presenter mode, connection status.
    assert at.sidebar.toggle[0].label == t("sidebar.presenter", lang)  # type: ignore[arg-type]
    sidebar_text = " ".join(c.value for c in at.sidebar.caption)
    assert t("sidebar.deployment", lang) in sidebar_text  # type: ignore[arg-type]


def test_switching_language_translates_the_page() -> None:
    at = visit(app("ko"), "connect.py")
    assert at.title[0].value == t("connect.title", "ko")
    at.sidebar.button_group[0].set_value("en").run()
    assert at.title[0].value == t("connect.title", "en")
    assert at.button(key="connect.check").label == t("connect.check", "en")


def test_only_the_demo_emulator_is_cached_across_sessions() -> None:
    # st.cache_* is shared by every user: it may hold nothing per user and no key.
    cached = []
    for path in [*ROOT.glob("pages/*.py"), ROOT / "app.py", *(ROOT / "aoai_lab").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                decorators = [ast.unparse(d) for d in node.decorator_list]
                if any("cache_" in d for d in decorators):
                    cached.append(f"{path.name}:{node.name}")
    assert cached == ["demo.py:demo_server"]


# --- connect ---------------------------------------------------------------------------------


def test_demo_connect_check_passes_and_records_each_rung() -> None:
    at = visit(app(), "connect.py")
    at.button(key="connect.demo_button").click().run()
    no_errors(at)
    assert at.success[0].value == f"**{t('diag.ok.title', 'ko')}**"
    facts = " ".join(m.value for m in at.markdown)
    assert f"**{t('card.model', 'ko')}** `gpt-5.1-2025-11-13`" in facts
    assert f"**{t('card.family', 'ko')}** {t('family.reasoning', 'ko')}" in facts
    log = at.session_state["request_log"]
    assert [r.operation for r in log.records] == ["dns", "tcp_tls", "models", "check_chat"]
    assert all(r.code == "ok" for r in log.records)
    assert not at.download_button(key="connect.download_env").disabled


def test_wrong_key_gets_a_diagnosis_then_the_fix_works() -> None:
    at = visit(app(), "connect.py")
    at.text_input(key="connect.api_key").set_value(WRONG_KEY).run()
    at.button(key="connect.check").click().run()
    no_errors(at)
    assert t("diag.auth_invalid_key.title", "ko") in at.error[0].value
    assert at.session_state["last_check"].diagnosis.code == "auth_invalid_key"
    # The connection is what the fields hold: the failed key, and the sidebar says it failed.
    assert connection_of(at).api_key == WRONG_KEY
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert t("sidebar.checked_failed", "ko", code="auth_invalid_key") in sidebar
    at.text_input(key="connect.api_key").set_value(DEMO_KEY).run()
    at.button(key="connect.check").click().run()
    assert at.session_state["last_check"].ok


def test_the_key_is_never_shown_as_text() -> None:
    at = visit(app(), "connect.py")
    at.text_input(key="connect.api_key").set_value(WRONG_KEY).run()
    at.button(key="connect.check").click().run()
    for page in ("connect.py", "chat.py", "guide.py", "troubleshoot.py"):
        visit(at, page)
        if page == "troubleshoot.py":
            open_every_card(at)  # every body a learner can open
        leaks = [kind for kind, text in shown_text(at) if WRONG_KEY in text or DEMO_KEY in text]
        assert leaks == [], page


def test_a_pasted_request_url_is_split_into_its_fields() -> None:
    at = visit(app(), "connect.py")
    url = "https://my-aoai-lab.openai.azure.com/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21"
    at.text_input(key="connect.endpoint").set_value(f'  "{url}"\n').run()
    no_errors(at)
    assert at.text_input(key="connect.endpoint").value == "https://my-aoai-lab.openai.azure.com/"
    assert at.text_input(key="connect.deployment").value == "my-gpt"
    assert at.text_input(key="connect.api_version").value == "2024-10-21"
    assert any("my-aoai-lab.openai.azure.com" in c.value for c in at.caption)


def test_findings_appear_under_the_fields() -> None:
    at = visit(app(), "connect.py")
    at.text_input(key="connect.endpoint").set_value("https://portal.azure.com/#home").run()
    at.text_input(key="connect.api_version").set_value("0613").run()
    errors = " ".join(e.value for e in at.error)
    assert t("diag.endpoint_is_portal.title", "ko") in errors
    assert t("diag.api_version_is_model_version.title", "ko") in errors
    before = len(at.session_state["request_log"])
    at.button(key="connect.check").click().run()
    assert at.session_state["last_check"].diagnosis.code == "endpoint_is_portal"
    assert len(at.session_state["request_log"]) == before  # pre-flight sends nothing


def test_presenter_mode_hides_the_key_field() -> None:
    at = visit(app(), "connect.py")
    assert any(ti.key == "connect.api_key" for ti in at.text_input)
    at.sidebar.toggle[0].set_value(True).run()
    assert all(ti.key != "connect.api_key" for ti in at.text_input)


def report_blocks(at: AppTest) -> list[str]:
    """The diagnostic reports the Connect page shows."""
    return [c.value for c in at.code if "AOAI Lab diagnostic report" in c.value]


def test_diagnostic_report_has_no_key() -> None:
    at = visit(app(), "connect.py")
    at.button(key="connect.demo_button").click().run()
    assert report_blocks(at) == []  # its panel is closed: nothing written, nothing drawn
    at.session_state["connect.report.open"] = True  # where a click on the panel leaves it
    report = report_blocks(at.run())
    assert report and DEMO_KEY not in report[0]
    assert "loopback (offline demo)" in report[0] and "last check: ok" in report[0]


def test_a_server_configured_key_stays_on_the_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    server_key = "fedcba9876543210" * 2
    from aoai_lab.ui.demo import demo_server

    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", demo_server().endpoint)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", server_key)
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT", "gpt-4o-mini")
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-10-21")
    at = visit(app(), "connect.py")
    assert connection_of(at).source == "env"
    assert at.text_input(key="connect.api_key").value == ""  # never put in a field
    assert all(server_key not in text for _, text in shown_text(at))
    # Aimed at another host, an empty key field does not borrow the server's key.
    at.text_input(key="connect.endpoint").set_value("https://evil.example.com/").run()
    at.button(key="connect.check").click().run()
    assert at.session_state["last_check"].diagnosis.code == "key_missing"


# --- chat ------------------------------------------------------------------------------------


def chat_at() -> AppTest:
    at = visit(app(), "connect.py")
    at.button(key="connect.demo_button").click().run()
    return visit(at, "chat.py")


def test_chat_streams_a_reply_with_tokens_and_latency() -> None:
    at = chat_at()
    at.chat_input(key="chat.input").set_value("안녕! 배포 이름이 뭐야?").run()
    no_errors(at)
    user, assistant = at.chat_message[0], at.chat_message[1]
    assert user.name == "user" and assistant.name == "assistant"
    assert assistant.markdown[0].value.startswith("[오프라인 데모 · gpt-5.1]")
    caption = assistant.caption[0].value
    assert "토큰 입력" in caption and "첫 토큰" in caption
    record = at.session_state["request_log"].records[-1]
    assert (record.page, record.operation, record.code, record.streamed) == ("chat", "chat_stream", "ok", True)
    assert record.completion_tokens and record.ttft_ms is not None


def test_chat_parameters_follow_the_model_family() -> None:
    at = chat_at()
    labels = [n.label for n in at.sidebar.number_input]
    assert labels == [t("chat.max_completion_tokens", "ko")]
    assert [s.label for s in at.sidebar.selectbox] == [t("chat.reasoning_effort", "ko")]
    assert not at.sidebar.slider
    # A classic model gets temperature and max_tokens instead.
    at = visit(app(), "connect.py")
    at.text_input(key="connect.deployment").set_value("gpt-4o-mini").run()
    at.button(key="connect.check").click().run()
    visit(at, "chat.py")
    assert [n.label for n in at.sidebar.number_input] == [t("chat.max_tokens", "ko")]
    assert [s.label for s in at.sidebar.slider] == [t("chat.temperature", "ko")]


def test_a_failed_request_keeps_history_and_prompt_and_retry_works() -> None:
    at = chat_at()
    at.chat_input(key="chat.input").set_value("first question").run()
    # Point the session at a deployment that does not exist; the next call fails.
    set_fields(at, deployment="gpt-4o")
    at.chat_input(key="chat.input").set_value("second question").run()
    no_errors(at)
    entries = at.session_state["chat_entries"]
    assert [e.role for e in entries] == ["user", "assistant", "user"]
    assert entries[-1].content == "second question"
    assert t("diag.deployment_not_found.title", "ko").split("'")[0] in at.error[0].value
    assert any(t("diag.hint.model_name", "ko", deployment="gpt-4o") == i.value for i in at.info)
    # Fix the connection, retry with one click: the kept question gets its answer.
    set_fields(at, deployment="gpt-5.1")
    at.button(key="chat.retry_button").click().run()
    entries = at.session_state["chat_entries"]
    assert [e.role for e in entries] == ["user", "assistant", "user", "assistant"]
    assert at.session_state["chat_failure"] is None


def test_a_broken_stream_keeps_the_partial_reply_marked() -> None:
    at = chat_at()
    conn = connection_of(at)
    # Ask the emulator to cut this session's streams (the fault is per request, header-scoped).
    import aoai_lab.client as client_module

    original = client_module.make_sdk_client

    def cutting(connection: Any, **options: Any) -> Any:
        options["extra_headers"] = {"x-emulator-fault": "drop-stream"}
        return original(connection, **options)

    client_module.make_sdk_client = cutting
    try:
        at.chat_input(key="chat.input").set_value("hello").run()
    finally:
        client_module.make_sdk_client = original
    no_errors(at)
    reply = at.session_state["chat_entries"][-1]
    assert reply.role == "assistant" and reply.info.interrupted and reply.content
    assert any(w.value == t("chat.cut", "ko") for w in at.warning)
    assert t("diag.stream_interrupted.title", "ko") in at.error[0].value
    assert connection_of(at) == conn


def test_a_filtered_prompt_is_explained() -> None:
    at = chat_at()
    at.chat_input(key="chat.input").set_value("콘텐츠 필터 테스트").run()
    assert t("diag.content_filtered.title", "ko") in at.error[0].value
    assert at.session_state["chat_entries"][-1].content == "콘텐츠 필터 테스트"


def test_a_filtered_reply_is_shown_and_marked() -> None:
    at = chat_at()
    at.chat_input(key="chat.input").set_value("reply filter test please").run()
    reply = at.session_state["chat_entries"][-1]
    assert reply.info.filtered and reply.content
    assert any(w.value == t("chat.filtered", "ko") for w in at.warning)
    assert t("diag.content_filtered.title", "ko") in " ".join(w.value for w in at.warning)


def test_clear_and_exports() -> None:
    at = chat_at()
    assert at.download_button(key="chat.export_md").disabled
    at.session_state["chat_entries"] = [Entry("user", "q"), Entry("assistant", "a", ReplyInfo(prompt_tokens=3))]
    at.run()
    assert not at.download_button(key="chat.export_md").disabled
    assert not at.download_button(key="chat.export_json").disabled
    at.button(key="chat.clear").click().run()
    assert at.session_state["chat_entries"] == []


def test_non_streaming_chat(monkeypatch: pytest.MonkeyPatch) -> None:
    at = chat_at()
    at.sidebar.toggle(key="chat.stream").set_value(False).run()
    at.chat_input(key="chat.input").set_value("hello").run()
    no_errors(at)
    record = at.session_state["request_log"].records[-1]
    assert (record.operation, record.streamed, record.code) == ("chat", False, "ok")
    assert at.chat_message[1].markdown[0].value.startswith("[Offline demo · gpt-5.1]")


# --- troubleshoot ----------------------------------------------------------------------------


def card_codes(at: AppTest) -> list[str]:
    """The codes of the Troubleshoot cards the page lists now, in order."""
    # The code is the label's last `…` (a title may quote a host in backticks too).
    return [e.label.split("`")[-2] for e in at.main.expander if e.label.endswith("`")]


def open_cards(at: AppTest, codes: list[str], *, is_open: bool = True) -> AppTest:
    """Open (or close) Troubleshoot cards and rerun, as a learner's click does.

    AppTest cannot click an expander; a card's open state lives under its key, where the click
    leaves it too. (Under AppTest every run is a legacy-pages run that frame.leave_legacy_pages_mode
    ends with ``st.stop()``, so Streamlit never drops the state of a card that is filtered out; in a
    browser it does: tests/browser/test_learner_path.py.)
    """
    listed = card_codes(at)
    if not set(codes) <= set(listed) and not at.toggle(key="trouble.all").value:
        at.toggle(key="trouble.all").set_value(True).run()  # beyond the common cards: show all
        listed = card_codes(at)
    assert set(codes) <= set(listed), f"cards not listed: {set(codes) - set(listed)}"
    for code in codes:
        at.session_state[f"trouble.card.{code}"] = is_open
    return at.run()


def open_card(at: AppTest, code: str) -> AppTest:
    """Open one Troubleshoot card: a card's body is drawn only once it is open."""
    return open_cards(at, [code])


def open_every_card(at: AppTest) -> AppTest:
    """Open every card the Troubleshoot page can list now (all of them unless a search or a step
    narrows the list), so a test sees every body a learner can."""
    show_all = at.toggle(key="trouble.all")
    if not show_all.value and not show_all.disabled:
        show_all.set_value(True).run()
    codes = card_codes(at)
    assert codes, "not on the Troubleshoot page, or no card listed"
    return open_cards(at, codes)


def test_troubleshoot_lists_the_common_cards_then_every_code_and_searches() -> None:
    at = visit(app(), "troubleshoot.py")
    # First the failures the tutorial leads to most often, in that order; every card on request.
    assert card_codes(at) == list(COMMON)
    assert at.caption[1].value == t("trouble.count_common", "ko", shown=len(COMMON), total=len(CARDS))
    at.toggle(key="trouble.all").set_value(True).run()
    assert card_codes(at)[: len(COMMON)] == list(COMMON)
    assert sorted(card_codes(at)) == sorted(card.id for card in CARDS)
    visit(at, "guide.py")
    visit(at, "troubleshoot.py")
    assert len(card_codes(at)) == len(CARDS)  # still all when the learner comes back
    # Listed without a case behind them, the texts still read naturally (typical values filled in).
    open_every_card(at)
    no_errors(at)
    assert all(card.cause("ko") in "\n".join(m.value for m in at.markdown) for card in CARDS)  # every body
    shown = [e.label for e in at.expander] + [m.value for m in at.markdown]
    assert not [text for text in shown if UNFILLED.search(text)]
    at.text_input(key="trouble.search").set_value("api-version").run()
    labels = [e.label for e in at.expander]
    assert 0 < len(labels) < len(CARDS)
    assert any("api_version_unknown" in label for label in labels)
    assert all("dns_failure" not in label for label in labels)
    at.text_input(key="trouble.search").set_value("").run()
    at.button_group(key="trouble.step").set_value(2).run()
    assert set(card_codes(at)) == {c for c in CODES if STEPS[c] == 2}


@pytest.mark.parametrize(
    "code", ["deployment_not_found", "rate_limited", "stream_interrupted", "auth_bearer_on_classic"]
)
def test_try_it_reproduces_the_failure(code: str) -> None:
    at = open_card(visit(app(), "troubleshoot.py"), code)
    at.button(key=f"try.{code}").click().run()
    no_errors(at)
    trial = at.session_state["trouble.trials"][code]
    assert trial.diagnosis.code == code
    assert any(c.value.endswith(t("trouble.reproduced", "ko")) for c in at.caption)
    records = at.session_state["request_log"].records
    assert records and records[-1].page == "troubleshoot" and records[-1].code == code


def test_try_it_is_offered_only_in_demo_mode() -> None:
    at = open_every_card(visit(app(), "troubleshoot.py"))
    assert at.button(key="try.timeout")
    set_fields(at, endpoint="https://my-aoai-lab.openai.azure.com/").run()
    assert len(at.markdown) >= len(CARDS)  # every card still open: its body is drawn…
    assert not [b for b in at.button if b.key and b.key.startswith("try.")]  # …without a "try"
    at.button(key="trouble.use_demo").click().run()
    assert at.button(key="try.timeout")


def try_buttons(at: AppTest) -> list[str]:
    return [b.key for b in at.button if b.key and b.key.startswith("try.")]


def test_a_card_draws_its_body_only_once_opened() -> None:
    # Closed, a card is its label alone (issue 12: 66 bodies cost the browser 300-400 ms a visit).
    at = visit(app(), "troubleshoot.py")
    assert len(card_codes(at)) == len(COMMON)
    assert [e.label for e in at.main.expander if e.children] == []
    assert try_buttons(at) == []
    open_card(at, "timeout")
    no_errors(at)
    assert try_buttons(at) == ["try.timeout"]
    assert BY_ID["timeout"].cause("ko") in "\n".join(m.value for m in at.markdown)
    assert [e.label for e in at.main.expander if e.children] == [f"{BY_ID['timeout'].title('ko')} · `timeout`"]
    open_cards(at, ["timeout"], is_open=False)  # closed again: the body goes
    assert try_buttons(at) == []


def test_a_card_with_a_result_starts_open() -> None:
    at = open_card(visit(app(), "troubleshoot.py"), "rate_limited")
    at.button(key="try.rate_limited").click().run()
    no_errors(at)
    # Met again once Streamlit dropped its open state (filtered out, or after leaving the page, in
    # a browser): a fresh session with the same result shows the card open, with the result.
    again = app()
    again.session_state["trouble.trials"] = at.session_state["trouble.trials"]
    visit(again, "troubleshoot.py")
    no_errors(again)
    assert try_buttons(again) == ["try.rate_limited"]
    assert any(c.value.endswith(t("trouble.reproduced", "ko")) for c in again.caption)
    open_cards(again, ["rate_limited"], is_open=False)  # the learner can still close it
    assert try_buttons(again) == []


# --- guide -----------------------------------------------------------------------------------


def checklist_lines(at: AppTest, icon: str) -> list[str]:
    """The Guide's checklist lines that start with ``icon``."""
    lines = [line for m in at.markdown for line in m.value.split("  \n")]
    return [line for line in lines if line.startswith(f":material/{icon}:")]


def test_guide_checklist_ticks_itself() -> None:
    at = app()
    assert len(checklist_lines(at, "check_box_outline_blank")) == 4
    assert not checklist_lines(at, "check_box")
    visit(at, "connect.py").button(key="connect.demo_button").click().run()
    visit(at, "chat.py").chat_input(key="chat.input").set_value("hi").run()
    visit(at, "guide.py")
    assert len(checklist_lines(at, "check_box")) == 4


def test_guide_draws_only_the_open_steps() -> None:
    at = app()
    first_click = t("guide.step1.click", "ko")
    assert any(first_click in m.value for m in at.markdown)  # step 1 starts open
    assert not any(t("guide.step2.click", "ko") in m.value for m in at.markdown)
    at.session_state["guide.step2.open"] = True  # where a click on the step leaves it
    at.run()
    assert any(t("guide.step2.click", "ko") in m.value for m in at.markdown)


def test_guide_draws_the_learners_own_url() -> None:
    at = app()
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "/openai/deployments/" in html and "gpt-5.1" in html and "api-version=2025-04-01-preview" in html
    assert "/openai/v1/chat/completions" in html
    at.sidebar.toggle[0].set_value(True).run()  # presenter mode
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "127.0.0.1" in html  # the local demo's address is not a secret
    set_fields(at, endpoint="https://my-secret-lab.openai.azure.com/").run()
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "my-secret-lab" not in html and "https://•••.openai.azure.com" in html
    assert all("my-secret-lab" not in c.value for c in at.sidebar.caption)


# --- request log -----------------------------------------------------------------------------


def test_the_log_shows_a_demo_chat_and_a_failed_check() -> None:
    at = visit(app(), "connect.py")
    at.button(key="connect.demo_button").click().run()
    at.text_input(key="connect.api_key").set_value(WRONG_KEY).run()
    at.button(key="connect.check").click().run()
    visit(at, "chat.py").chat_input(key="chat.input").set_value("hello").run()
    visit(at, "log.py")
    no_errors(at)
    table = at.dataframe[0].value
    rows = list(zip(table["operation"], table["code"], table["status_label"], strict=True))
    assert ("models", "auth_invalid_key", "401") in rows
    # Chat uses the values in the fields (the failed key), and the log says how that went.
    assert ("chat_stream", "auth_invalid_key", "401") in rows
    assert ("check_chat", "ok", "200") in rows
    assert ("dns", "ok", "—") in rows
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("log.requests", "ko")] == str(len(rows))
    # Filtering by code narrows the table to the failure.
    at.multiselect(key="log.code").set_value(["auth_invalid_key"]).run()
    assert list(at.dataframe[0].value["code"]) == ["auth_invalid_key"] * 2  # the check and the chat
    at.button(key="log.clear").click().run()
    assert len(at.session_state["request_log"]) == 0
    assert at.info[0].value == t("log.empty", "ko")


def test_the_log_never_holds_the_key() -> None:
    at = visit(app(), "connect.py")
    at.text_input(key="connect.api_key").set_value(WRONG_KEY).run()
    at.button(key="connect.check").click().run()
    visit(at, "log.py")
    assert WRONG_KEY not in at.dataframe[0].value.to_csv()
    assert WRONG_KEY not in repr(at.session_state["request_log"].records)


# --- code --------------------------------------------------------------------------------------


def test_code_page_shows_the_conversation_masked_and_reveals_on_request() -> None:
    from tests.code_tabs import TARGET_KEY, every_code, open_tab

    at = chat_at()
    at.chat_input(key="chat.input").set_value("MARKER-77 배포 이름?").run()
    visit(at, "code.py")
    no_errors(at)
    assert open_tab(at, TARGET_KEY) == t("code.tab.python", "ko")  # the tutorial's language first
    codes = every_code(at)  # only the open tab is drawn: open each one (issue 12)
    assert any("MARKER-77" in c and "AzureOpenAI(" in c for c in codes)  # the tutorial-style Python
    assert any("MARKER-77" in c and "<<'JSON'" in c for c in codes)  # bash curl
    assert any('"stream": true' in c for c in codes)  # follows the chat's streaming setting
    assert all(DEMO_KEY not in c for c in codes)
    at.toggle(key="code.reveal").set_value(True).run()
    assert any(DEMO_KEY in c for c in every_code(at))
    # Presenter mode takes the key back off the screen and locks the switch.
    at.sidebar.toggle[0].set_value(True).run()
    assert at.toggle(key="code.reveal").disabled
    assert all(DEMO_KEY not in c for c in every_code(at))


def test_code_page_before_any_chat_shows_the_tutorials_request() -> None:
    from tests.code_tabs import TARGET_KEY, select_tab

    at = visit(app("en"), "code.py")
    assert any(t("code.cli.default_message", "en") in c.value for c in at.code)
    assert any(c.value.startswith("pip install openai==") for c in at.code)
    assert at.download_button(key="code.zip") and at.download_button(key="code.download.python")
    select_tab(at, TARGET_KEY, t("code.tab.curl", "en"))  # each download is drawn with its open tab
    assert at.download_button(key="code.zip") and at.download_button(key="code.download.curl")


def test_a_server_held_key_can_never_be_revealed(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.code_tabs import each_tab

    server_key = "fedcba9876543210" * 2
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://class-aoai.openai.azure.com/")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", server_key)
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT", "gpt-5.1")
    monkeypatch.setenv("OPENAI_API_VERSION", "2025-04-01-preview")
    at = visit(app(), "code.py")
    assert at.toggle(key="code.reveal").disabled
    at.session_state["code.reveal"] = True  # a forged value (the browser cannot click it) changes nothing
    at.run()
    assert all(server_key not in text for _ in each_tab(at) for _, text in shown_text(at))  # every tab


def test_a_cleared_language_falls_back_to_korean() -> None:
    at = app("en")
    at.sidebar.button_group[0].set_value(None).run()  # the browser forbids it; the server copes anyway
    no_errors(at)
    assert at.title[0].value == t("guide.title", "ko")


# --- one truth about the connection (issue 9) ---------------------------------------------------


def sidebar_text(at: AppTest) -> str:
    return " ".join(c.value for c in at.sidebar.caption)


def sidebar_badges(at: AppTest) -> str:
    return " ".join(m.value for m in at.sidebar.markdown)


def test_editing_a_field_after_a_passed_check_makes_the_connection_changed_not_checked() -> None:
    at = visit(app(), "connect.py")
    at.button(key="connect.demo_button").click().run()
    assert t("sidebar.checked_ok", "ko", model="`gpt-5.1-2025-11-13`") in sidebar_text(at)
    at.text_input(key="connect.deployment").set_value("gpt-4o-mini").run()
    no_errors(at)
    # Next to the fields: changed, which field; no success card for values not in the fields.
    changed = t("connect.status.changed", "ko", fields=t("connect.field.deployment", "ko"))
    assert changed in [w.value for w in at.warning]
    assert not at.success and not at.metric
    assert t("sidebar.changed", "ko") in sidebar_text(at)
    assert "gpt-4o-mini" in sidebar_text(at)
    # Chat uses the values in the fields, says they are not checked, and sends to them.
    visit(at, "chat.py")
    assert "**gpt-4o-mini**" in at.caption[0].value
    assert changed.split("(")[0].strip() not in " ".join(w.value for w in at.warning)  # Chat has its own text
    assert t("chat.changed", "ko", fields=t("connect.field.deployment", "ko")) in [w.value for w in at.warning]
    at.chat_input(key="chat.input").set_value("hello").run()
    no_errors(at)
    assert at.session_state["request_log"].records[-1].deployment == "gpt-4o-mini"
    assert at.chat_message[1].markdown[0].value.startswith("[Offline demo · gpt-4o-mini]")
    # Putting the checked value back makes the check speak for the fields again.
    set_fields(at, deployment="gpt-5.1").run()
    assert t("sidebar.checked_ok", "ko", model="`gpt-5.1-2025-11-13`") in sidebar_text(at)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("api_key", WRONG_KEY),
        ("endpoint", "http://127.0.0.1:9/"),
        ("api_version", "2024-10-21"),
        ("style", "v1"),
    ],
)
def test_every_field_counts_as_a_change(field: str, value: str) -> None:
    at = visit(app(), "connect.py")
    at.button(key="connect.demo_button").click().run()
    set_fields(at, **{field: value}).run()
    assert t("sidebar.changed", "ko") in sidebar_text(at)
    assert not at.success
    assert WRONG_KEY not in " ".join(text for _, text in shown_text(at))


def test_a_failed_check_is_the_connections_state_everywhere() -> None:
    at = visit(app(), "connect.py")
    at.button(key="connect.demo_button").click().run()
    at.text_input(key="connect.api_key").set_value(WRONG_KEY).run()
    at.button(key="connect.check").click().run()
    failed = t("sidebar.checked_failed", "ko", code="auth_invalid_key")
    assert failed in sidebar_text(at)
    assert t("connect.status.failed", "ko") in " ".join(c.value for c in at.caption)
    visit(at, "chat.py")
    assert failed in sidebar_text(at)
    assert t("chat.failed", "ko", code="auth_invalid_key") in [w.value for w in at.warning]


def test_switching_to_v1_puts_a_dated_api_version_aside_and_back() -> None:
    at = visit(app(), "connect.py")
    assert at.text_input(key="connect.api_version").value == "2025-04-01-preview"
    at.radio(key="connect.style").set_value("v1").run()
    no_errors(at)
    assert at.text_input(key="connect.api_version").value == ""
    assert t("connect.style_cleared", "ko", version="2025-04-01-preview") in " ".join(c.value for c in at.caption)
    at.button(key="connect.check").click().run()
    assert at.session_state["last_check"].ok  # no api_version_on_v1
    at.radio(key="connect.style").set_value("classic").run()
    assert at.text_input(key="connect.api_version").value == "2025-04-01-preview"


def test_a_local_server_that_is_not_the_demo_is_labelled_local() -> None:
    at = visit(app(), "connect.py")
    assert t("sidebar.mode_demo", "ko") in sidebar_badges(at)
    at.text_input(key="connect.endpoint").set_value("http://127.0.0.1:9/").run()
    assert t("sidebar.mode_local", "ko") in sidebar_badges(at)
    assert t("sidebar.mode_azure", "ko") not in sidebar_badges(at)
    visit(at, "chat.py")
    assert t("sidebar.mode_local", "ko") in at.caption[0].value
    assert t("sidebar.mode_azure", "ko") not in at.caption[0].value


# --- chat keeps every word (issue 9) ------------------------------------------------------------


def stopping_write_stream(after: int | None) -> Any:
    """``st.write_stream`` as a page switch leaves it: the browser asks to stop the script after
    ``after`` batches have arrived (None: after the last one, while the reply is drawn).

    The request goes through Streamlit's own script requests, so the StopException comes from
    Streamlit's next yield point, and every later ``st.session_state`` access raises it again,
    exactly as on a real server.
    """
    import streamlit
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    real = streamlit.write_stream

    def write_stream(stream: Any, **options: Any) -> Any:
        ctx = get_script_run_ctx()
        requests = ctx.script_requests if ctx is not None else None
        assert requests is not None

        def pieces() -> Iterator[str]:
            for number, piece in enumerate(stream, start=1):
                yield piece
                if after is not None and number >= after:
                    requests.request_stop()
            requests.request_stop()

        return real(pieces(), **options)

    return write_stream


@pytest.mark.parametrize("after", [1, None])
def test_a_reply_cut_by_a_rerun_is_kept_marked_and_logged(monkeypatch: pytest.MonkeyPatch, after: int | None) -> None:
    import streamlit

    at = chat_at()
    logged = len(at.session_state["request_log"])
    monkeypatch.setattr(streamlit, "write_stream", stopping_write_stream(after))
    at.chat_input(key="chat.input").set_value("hello").run()
    monkeypatch.undo()
    no_errors(at)
    question, reply = at.session_state["chat_entries"]
    assert question.content == "hello" and reply.role == "assistant" and reply.content
    records = at.session_state["request_log"].records
    assert len(records) == logged + 1 and records[-1].operation == "chat_stream"
    if after is None:  # every word had arrived: a whole reply, logged as one
        assert not reply.info.interrupted and records[-1].code == "ok"
    else:
        assert reply.info.interrupted and records[-1].code == "stream_interrupted"
        at.run()  # the next run draws it: marked as cut, with retry; not explained as a failure
        assert [w.value for w in at.warning].count(t("chat.cut", "ko")) == 1
        assert at.button(key="chat.retry_button")
        assert at.session_state["chat_failure"] is None


def test_the_cut_warning_has_one_icon() -> None:
    emoji = [ch for lang in LANGS for ch in t("chat.cut", lang) if ord(ch) > 0x2000 and not ch.isalpha()]
    assert emoji == []


def test_a_reply_stopped_at_the_token_limit_says_so() -> None:
    at = chat_at()
    at.sidebar.number_input(key="chat.max_length").set_value(8).run()
    at.chat_input(key="chat.input").set_value("hello").run()
    no_errors(at)
    reply = at.session_state["chat_entries"][-1]
    assert reply.info.truncated
    assert t("chat.length", "ko", param="max_completion_tokens") in [w.value for w in at.warning]


def test_a_failed_question_is_never_sent_twice_in_a_row() -> None:
    at = chat_at()
    set_fields(at, deployment="no-such-deployment")
    at.chat_input(key="chat.input").set_value("first").run()
    no_errors(at)
    assert [e.role for e in at.session_state["chat_entries"]] == ["user"]
    # The learner chooses: retry, edit or drop; a new message cannot be sent meanwhile.
    assert at.chat_input(key="chat.input").proto.disabled
    assert t("chat.pending", "ko") in " ".join(c.value for c in at.caption)
    for key in ("chat.retry_button", "chat.edit_button", "chat.drop_button"):
        assert at.button(key=key)
    # Edit, with the connection fixed: the edited question is sent, once.
    set_fields(at, deployment="gpt-5.1")
    at.button(key="chat.edit_button").click().run()
    assert at.text_area(key="chat.edit_text").value == "first"
    at.text_area(key="chat.edit_text").set_value("first, edited")
    at.button(key="chat.send_edit").click().run()
    no_errors(at)
    entries = at.session_state["chat_entries"]
    assert (entries[0].role, entries[0].content) == ("user", "first, edited")
    assert [e.role for e in entries] == ["user", "assistant"]
    assert not at.chat_input(key="chat.input").proto.disabled
    # Drop: a failed question leaves the conversation on request.
    set_fields(at, deployment="no-such-deployment")
    at.chat_input(key="chat.input").set_value("second").run()
    at.button(key="chat.drop_button").click().run()
    assert [e.role for e in at.session_state["chat_entries"]] == ["user", "assistant"]
    assert at.session_state["chat_failure"] is None


def test_without_streaming_no_time_to_first_token_is_shown() -> None:
    at = chat_at()
    at.sidebar.toggle(key="chat.stream").set_value(False).run()
    at.chat_input(key="chat.input").set_value("hello").run()
    caption = at.chat_message[1].caption[0].value
    ttft = t("chat.meta.ttft", "ko", ms="0").split("0")[0].strip()
    assert t("chat.meta.latency", "ko", seconds="0").split("0")[0].strip() in caption
    assert ttft not in caption
    assert at.session_state["request_log"].records[-1].ttft_ms is None


def element_order(at: AppTest) -> list[str]:
    """The main area's elements in page order: widget keys, or type names."""
    order: list[str] = []

    def walk(node: Any) -> None:
        order.append(getattr(node, "key", None) or type(node).__name__)
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for index in sorted(children):
                walk(children[index])

    walk(at.main)
    return order


def test_a_turn_runs_the_page_once_and_the_tools_stay_above_the_conversation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from aoai_lab.ui import chat_view

    at = chat_at()
    runs: list[int] = []
    original = chat_view.status_notice

    def counted() -> None:
        runs.append(1)
        original()

    monkeypatch.setattr(chat_view, "status_notice", counted)
    at.chat_input(key="chat.input").set_value("hello").run()
    no_errors(at)
    assert len(runs) == 1  # no st.rerun() after the turn
    # The finished turn is drawn in place: caption under the reply, tools enabled.
    assert at.chat_message[1].caption and not at.button(key="chat.clear").disabled
    order = element_order(at)
    assert order.index("chat.clear") < order.index("ChatMessage")


# --- presenter mode hides the resource name (issue 9) -------------------------------------------


def test_presenter_mode_hides_the_resource_name_everywhere() -> None:
    from aoai_lab.diagnosis import Diagnosis, Evidence

    secret = "my-secret-lab"
    at = visit(app(), "connect.py")
    # No scheme: pre-flight stops the check (no network) with a fix that quotes the host.
    at.text_input(key="connect.endpoint").set_value(f"{secret}.openai.azure.com").run()
    at.button(key="connect.check").click().run()
    assert any(secret in text for _, text in shown_text(at))  # shown while presenter mode is off
    at.sidebar.toggle[0].set_value(True).run()
    no_errors(at)
    assert all(ti.key != "connect.endpoint" for ti in at.text_input)
    url = f"https://{secret}.openai.azure.com/openai/deployments/gpt-5.1/chat/completions"
    at.session_state["chat_failure"] = Diagnosis(
        "connection_failed", Evidence(url=url, detail=f"Could not reach {secret}.openai.azure.com")
    )
    at.session_state["chat_entries"] = [Entry("user", "hi")]
    # An earlier call to another resource of the learner's, in the request log.
    from aoai_lab.client import ChatResult
    from aoai_lab.recording import chat_record

    other = Connection("https://other-secret-lab.openai.azure.com/", "k" * 32, "gpt-5.1", "2025-04-01-preview")
    failed = ChatResult("", Diagnosis("connection_failed"), streamed=True, latency_ms=5.0)
    at.session_state["request_log"].append(chat_record(failed, other, "chat"))
    visit(at, "log.py")
    assert list(at.dataframe[0].value["host"]) == ["•••.openai.azure.com"]
    for page in ("connect.py", "chat.py", "guide.py", "log.py", "troubleshoot.py"):
        visit(at, page)
        if page == "troubleshoot.py":
            open_every_card(at)  # every body a learner can open
        no_errors(at)
        leaks = [kind for kind, text in shown_text(at) if secret in text.lower() or "other-secret" in text.lower()]
        assert leaks == [], page
        if page in ("connect.py", "chat.py", "guide.py"):  # masked, not dropped
            assert any("•••" in text for _, text in shown_text(at)), page


def test_code_uses_the_edited_values_and_says_they_are_not_checked() -> None:
    at = visit(app(), "connect.py")
    at.button(key="connect.demo_button").click().run()
    visit(at, "code.py")
    no_errors(at)
    notices = [t(f"notice.{name}", "ko", fields="", code="").split("(")[0] for name in ("changed", "failed")]
    assert not [w for w in at.warning if any(w.value.startswith(n) for n in notices)]
    set_fields(at, deployment="gpt-4o-mini").run()
    changed = t("notice.changed", "ko", fields=t("connect.field.deployment", "ko"))
    assert changed in [w.value for w in at.warning]
    assert any("gpt-4o-mini" in c.value for c in at.code)
