"""Troubleshoot search: what learners paste finds its card (issue 9).

A pure table of pasted strings first; then the exact text the real openai SDK prints for real
failures against the emulator; then the page itself under AppTest, and trials in its language.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path

import openai
import pytest
from streamlit.testing.v1 import AppTest

from aoai_lab.connection import Connection
from aoai_lab.diagnosis import CODES
from aoai_lab.emulator import DEMO_KEY, FAULT_HEADER, EmulatorServer
from aoai_lab.experiments import BY_CODE, EXPERIMENTS, Experiment, run
from aoai_lab.i18n import LANGS, Lang, t
from aoai_lab.troubleshoot import BY_ID, CARDS, COMMON, NOTES, PASTED, Card, common_first, normalise, search
from tests.loopback import closed_port
from tests.test_app import card_codes, open_card, open_every_card

ROOT = Path(__file__).resolve().parents[1]


def first(query: str) -> str:
    found = search(query)
    assert found, query
    return found[0].id


# --- the pure search -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "card"),
    [
        # Azure error codes
        ("DeploymentNotFound", "deployment_not_found"),
        ("OperationNotSupported", "operation_not_supported"),
        ("AuthenticationTypeDisabled", "auth_key_disabled"),
        ("context_length_exceeded", "context_length_exceeded"),
        ("content_filter", "content_filtered"),
        # SDK exception names
        ("NotFoundError", "deployment_not_found"),
        ("openai.NotFoundError", "deployment_not_found"),
        ("APIConnectionError", "connection_failed"),
        ("AuthenticationError", "auth_invalid_key"),
        ("RateLimitError", "rate_limited"),
        ("APITimeoutError", "timeout"),
        ("IndexError", "stream_empty_choices"),
        ("IndexError: list index out of range", "stream_empty_choices"),
        ("ModuleNotFoundError: No module named 'openai'", "openai_not_installed"),
        # words of Azure's and the SDK's own messages
        ("Unsupported parameter", "unsupported_parameter"),
        ("unsupported parameter", "unsupported_parameter"),
        ("Missing credentials", "key_missing"),
        ("Resource not found", "resource_not_found"),
        ("API version not supported", "api_version_on_v1"),
        ("is enabled only for api versions 2024-12-01-preview and later", "api_version_too_old_for_model"),
        ("Access denied due to invalid subscription key or wrong API endpoint.", "auth_invalid_key"),
        ("Unrecognized request argument supplied: stream_options", "unknown_parameter"),
        ("Illegal header value b'abc\\n'", "key_whitespace"),
        ("[Errno 11001] getaddrinfo failed", "dns_failure"),
        # the tutorial's example values
        ("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "key_is_tutorial_example"),
        ("https://my-aoai-lab.openai.azure.com/", "endpoint_is_tutorial_example"),
        # the card's own words and code, in either language
        ("deployment 404", "deployment_not_found"),
        ("배포 이름", "deployment_missing"),
        ("rate_limited", "rate_limited"),
        ("rate limit", "rate_limited"),
    ],
)
def test_a_pasted_string_finds_its_card_first(query: str, card: str) -> None:
    assert first(query) == card


@pytest.mark.parametrize(
    ("query", "cards"),
    [
        ("NotFoundError", {"deployment_not_found", "resource_not_found", "api_version_unknown"}),
        ("APIConnectionError", {"connection_failed", "dns_failure", "key_whitespace", "endpoint_missing_scheme"}),
        ("AuthenticationError", {"auth_invalid_key", "auth_bearer_on_classic"}),
        ("Resource not found", {"resource_not_found", "api_version_unknown", "api_version_missing"}),
    ],
)
def test_a_shared_name_lists_every_card_it_may_mean(query: str, cards: set[str]) -> None:
    assert cards <= {card.id for card in search(query)}


@pytest.mark.parametrize("query", ["DeploymentNotFound", "IndexError", "Missing credentials", "api-version"])
def test_search_narrows_the_list(query: str) -> None:
    assert 0 < len(search(query)) < len(CARDS) // 2


def test_an_empty_query_lists_every_card_in_order() -> None:
    assert search("") == search("   ") == list(CARDS)
    assert [c.id for c in CARDS[: len(CODES) - 1]] == [code for code in CODES if code != "ok"]


def test_nothing_matches_nonsense() -> None:
    assert search("zzqx-no-such-thing") == []


def test_short_names_match_whole_words_only() -> None:
    # "SSLError" inside another name is not an SSL error; on its own it is.
    assert "tls_error" not in {c.id for c in search("MySSLErrorHandler")}
    assert first("ssl.SSLError: [SSL: CERTIFICATE_VERIFY_FAILED]") == "tls_error"


def test_normalise_drops_quotes_and_spaces() -> None:
    assert normalise("  No module named 'openai'\n") == "no module named openai"
    assert normalise("`api_version`  argument") == "api_version argument"


def test_every_pasted_string_points_at_real_cards() -> None:
    for term, cards in PASTED:
        assert cards and all(card in BY_ID for card in cards), term


@pytest.mark.parametrize("card", NOTES, ids=lambda c: c.id)
@pytest.mark.parametrize("lang", LANGS)
def test_notes_read_in_both_languages(card: Card, lang: Lang) -> None:
    for text in (card.title(lang), card.cause(lang), card.fix(lang)):
        assert text and not text.startswith("trouble.note.")


# --- what the real SDK prints ----------------------------------------------------------------


def pasted(action: Callable[[], object]) -> str:
    """What a learner copies from the terminal: the exception's last line, as Python prints it."""
    try:
        action()
    except Exception as error:  # the point: any exception the SDK raises
        return "".join(traceback.format_exception_only(error))
    raise AssertionError("expected the call to fail")


def sdk(endpoint: str, key: str = DEMO_KEY, api_version: str = "2025-04-01-preview") -> openai.AzureOpenAI:
    return openai.AzureOpenAI(azure_endpoint=endpoint, api_key=key, api_version=api_version, max_retries=0)


HELLO = [{"role": "user", "content": "Hello!"}]


def _read_first_choice(client: openai.AzureOpenAI) -> None:
    # The tutorial-style loop that crashes on Azure's first streamed event (empty choices).
    for chunk in client.chat.completions.create(model="gpt-5.1", messages=HELLO, stream=True):  # type: ignore[arg-type]
        print(chunk.choices[0].delta.content or "", end="")  # type: ignore[union-attr]


def test_the_sdks_own_output_finds_its_card(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_AD_TOKEN", "OPENAI_API_VERSION", "AZURE_OPENAI_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    url = emulator.endpoint
    chat = sdk(url).chat.completions
    cases: list[tuple[Callable[[], object], str, str]] = [
        (lambda: chat.create(model="gpt-4o", messages=HELLO), "NotFoundError", "deployment_not_found"),  # type: ignore[arg-type]
        (
            lambda: chat.create(model="text-embedding-3-small", messages=HELLO),  # type: ignore[arg-type]
            "does not work with the specified model",  # the SDK prints Azure's message, not its code
            "operation_not_supported",
        ),
        (
            lambda: chat.create(model="gpt-5.1", messages=HELLO, max_tokens=50),  # type: ignore[arg-type]
            "Unsupported parameter",
            "unsupported_parameter",
        ),
        (
            lambda: sdk(url, key="f" * 32).chat.completions.create(model="gpt-5.1", messages=HELLO),  # type: ignore[arg-type]
            "AuthenticationError",
            "auth_invalid_key",
        ),
        (
            lambda: sdk(url, api_version="2026-01-01-preview").chat.completions.create(model="gpt-5.1", messages=HELLO),  # type: ignore[arg-type]
            "Resource not found",
            "resource_not_found",
        ),
        (
            lambda: sdk(f"http://127.0.0.1:{closed_port()}/").chat.completions.create(model="gpt-5.1", messages=HELLO),  # type: ignore[arg-type]
            "APIConnectionError",
            "connection_failed",
        ),
        (
            lambda: chat.create(model="gpt-5.1", messages=HELLO, extra_headers={FAULT_HEADER: "429"}),  # type: ignore[arg-type]
            "RateLimitError",
            "rate_limited",
        ),
        (
            lambda: openai.AzureOpenAI(azure_endpoint=url, api_version="2025-04-01-preview"),
            "Missing credentials",
            "key_missing",
        ),
        (
            lambda: openai.AzureOpenAI(azure_endpoint=url, api_key=DEMO_KEY),
            "OPENAI_API_VERSION",
            "api_version_missing",
        ),
        (lambda: _read_first_choice(sdk(url)), "IndexError", "stream_empty_choices"),
    ]
    for action, shows, card in cases:
        text = pasted(action)
        assert shows in text, text
        assert first(text) == card, text


@pytest.mark.parametrize("lang", LANGS)
def test_a_cards_body_is_one_block_with_its_step_cause_and_fix(lang: Lang) -> None:
    for card in CARDS:
        body = card.body(lang)
        where = t("card.step", lang, step=card.step, name=t(f"guide.step{card.step}.short", lang))
        assert not set(where) & set("[]"), where  # a bracket would end the small grey type early
        assert body.startswith(f":small[:gray[{where}]]  \n**"), card.id
        assert body.endswith(card.fix(lang)) and f"** {card.cause(lang)}  \n**" in body, card.id
        assert body.count("\n") == 2, card.id  # three lines of one Markdown element


# --- the page --------------------------------------------------------------------------------


@pytest.fixture
def demo_app(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], AppTest]:
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT", "OPENAI_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AOAI_LAB_DEMO_TOKENS_PER_SECOND", "0")
    monkeypatch.chdir(ROOT / "tests")  # no .env here

    def start(lang: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["lang"] = lang
        return at.run().switch_page("pages/troubleshoot.py").run()

    return start


@pytest.mark.parametrize(
    ("query", "card"),
    [
        ("openai.NotFoundError: Error code: 404 - {'error': {'code': 'DeploymentNotFound'}}", "deployment_not_found"),
        ("IndexError: list index out of range", "stream_empty_choices"),
        ("Missing credentials", "key_missing"),
    ],
)
def test_the_page_filters_by_what_was_pasted(demo_app: Callable[[str], AppTest], query: str, card: str) -> None:
    at = demo_app("ko")
    assert len(at.expander) == len(COMMON)  # nothing searched: the common cards
    at.text_input(key="trouble.search").set_value(query).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = card_codes(at)
    assert shown[0] == card and len(shown) < len(CARDS) // 2


def test_a_note_says_it_is_about_the_learners_program(demo_app: Callable[[str], AppTest]) -> None:
    at = demo_app("ko")
    at.text_input(key="trouble.search").set_value("IndexError").run()
    open_every_card(at)
    assert any(c.value == t("trouble.own_program", "ko") for c in at.caption)


@pytest.mark.parametrize(("lang", "marker"), [("en", "[Offline demo"), ("ko", "[오프라인 데모")])
def test_a_trial_runs_in_the_pages_language(demo_app: Callable[[str], AppTest], lang: str, marker: str) -> None:
    at = demo_app("ko")
    if lang == "en":
        at.session_state["lang"] = "en"  # as the language control does, before its widget exists
        at = at.switch_page("pages/troubleshoot.py").run()
    open_card(at, "stream_interrupted")
    at.button(key="try.stream_interrupted").click().run()
    assert not at.exception, [e.value for e in at.exception]
    trial = at.session_state["trouble.trials"]["stream_interrupted"]
    assert trial.diagnosis.code == "stream_interrupted"
    assert trial.result is not None and trial.result.text.startswith(marker), trial.result.text


# --- trials in either language ---------------------------------------------------------------


@pytest.mark.parametrize("experiment", [e for e in EXPERIMENTS if e.code != "timeout"], ids=lambda e: e.code)
def test_every_experiment_reproduces_its_code_in_english(emulator: EmulatorServer, experiment: Experiment) -> None:
    demo = Connection(emulator.endpoint, DEMO_KEY, "gpt-5.1", "2025-04-01-preview", "classic", "demo")
    assert run(experiment, demo, "en").diagnosis.code == experiment.code


@pytest.mark.parametrize(("lang", "marker"), [("en", "[Offline demo"), ("ko", "[오프라인 데모")])
def test_an_experiment_asks_in_the_language_it_is_given(emulator: EmulatorServer, lang: Lang, marker: str) -> None:
    demo = Connection(emulator.endpoint, DEMO_KEY, "gpt-5.1", "2025-04-01-preview", "classic", "demo")
    trial = run(BY_CODE["stream_interrupted"], demo, lang)
    assert trial.result is not None and trial.result.text.startswith(marker)
    filtered = run(BY_CODE["content_filtered"], demo, lang)
    assert filtered.diagnosis.code == "content_filtered"
    request = [r for r in emulator.recorded() if r.path.endswith("/chat/completions")][-1]
    assert request.body["messages"][-1]["content"] == BY_CODE["content_filtered"].message(lang)


def test_the_common_cards_come_first_and_the_rest_keep_their_order() -> None:
    assert len(set(COMMON)) == len(COMMON) and set(COMMON) <= set(BY_ID)
    listed = [card.id for card in common_first()]
    assert listed[: len(COMMON)] == list(COMMON)
    assert listed[len(COMMON) :] == [card.id for card in CARDS if card.id not in COMMON]
    # Every step of the tutorial has a failure among the first cards.
    assert {BY_ID[code].step for code in COMMON} == {1, 2, 3, 4}
