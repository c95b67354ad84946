"""What a learner sees in a real browser: deep links, the connect → chat path, isolated sessions and
Troubleshoot's experiments, against `streamlit run app.py` on the offline demo.

Texts come from the i18n catalog (``t(key, lang)``), never typed in here, so the tests follow the
catalog; the only literal is the emulator's reply marker.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from aoai_lab.emulator import DEMO_KEY
from aoai_lab.i18n import t
from tests.browser.app_pages import (
    KO_REPLY_MARKER,
    OPEN_ALL_EXPANDERS_JS,
    NewPage,
    assert_absent,
    assert_key_only_in_password_field,
    check_connection,
    enter_key,
    expect_frame,
    go_to,
    heading,
    key_field,
    literal_part,
    main,
    open_expander,
    reply_line,
    send_chat,
    sidebar,
)
from tests.browser.conftest import StreamlitServer, goto, wait_for_app

pytestmark = pytest.mark.browser

# --- the tests ----------------------------------------------------------------------------------


def test_deep_link_is_the_first_request_on_a_fresh_server(fresh_server: StreamlitServer, new_page: NewPage) -> None:
    """The first session of a new server process opens /chat directly and still gets the frame.

    Streamlit runs such a session in legacy multipage mode (pages/chat.py alone, no app.py),
    unless the app hands over to its navigation; this is the only moment that can go wrong.
    """
    first = new_page()
    goto(first, fresh_server.url + "/chat")
    assert urlsplit(first.url).path.rstrip("/").endswith("/chat")  # the query holds the reload token
    expect_frame(first)
    expect(heading(first, t("chat.title", "ko"))).to_be_visible()
    expect(first.get_by_test_id("stChatInput")).to_be_visible()

    # Another learner's deep link to another page.
    second = new_page()
    goto(second, fresh_server.url + "/connect")
    expect_frame(second)
    expect(heading(second, t("connect.title", "ko"))).to_be_visible()
    expect(key_field(second)).to_have_attribute("type", "password")

    # "Exactly like any other visit": the same sidebar as reaching Chat from the home page.
    third = new_page()
    goto(third, fresh_server.url + "/")
    go_to(third, "nav.chat")
    expect(heading(third, t("chat.title", "ko"))).to_be_visible()
    # (The menu and the sidebar's own content; the collapse arrow only shows under the mouse.)
    # to_have_text retries: the page's sidebar expander arrives after its title.
    for part in ("stSidebarNav", "stSidebarUserContent"):
        expect(third.get_by_test_id(part)).to_have_text(first.get_by_test_id(part).text_content() or "-")


def test_learner_connects_fixes_a_wrong_key_chats_and_switches_language(
    app_server: StreamlitServer, new_page: NewPage
) -> None:
    """Guide → Connect (demo, wrong key, fixed key) → Chat → English, in one session."""
    page = new_page()
    goto(page, app_server.url + "/")
    expect(heading(page, t("guide.title", "ko"))).to_be_visible()

    go_to(page, "nav.connect")
    expect(heading(page, t("connect.title", "ko"))).to_be_visible()

    # The offline demo fills the form and checks it at once, rung by rung in an st.status.
    main(page).get_by_role("button", name=t("connect.use_demo", "ko"), exact=True).click()
    timeline = main(page).get_by_test_id("stExpander").filter(has_text=t("connect.check_ok", "ko"))
    expect(timeline).to_be_visible()
    success = page.locator(".st-key-check-success")
    expect(success).to_contain_text(t("diag.ok.title", "ko"))
    wait_for_app(page)
    open_expander(timeline)  # collapsed once it passed
    for rung in ("rung.key", "rung.deployment"):
        expect(timeline).to_contain_text(f"{t(rung, 'ko')} — {t('rung.state.ok', 'ko')}")
    expect(key_field(page)).to_have_value(DEMO_KEY)
    expect(sidebar(page)).to_contain_text(literal_part("sidebar.checked_ok"))

    # A wrong (well-formed) key: the check explains it.
    enter_key(page, "0123456789abcdef" * 2)
    check_connection(page)
    diagnosis = page.locator(".st-key-diag-connect")
    expect(diagnosis).to_contain_text(t("diag.auth_invalid_key.title", "ko"))
    expect(success).to_have_count(0)

    # The right key: back to success.
    enter_key(page, DEMO_KEY)
    check_connection(page)
    expect(success).to_contain_text(t("diag.ok.title", "ko"))
    expect(diagnosis).to_have_count(0)

    go_to(page, "nav.chat")
    expect(heading(page, t("chat.title", "ko"))).to_be_visible()
    # The validated connection is the chat's.
    expect(sidebar(page)).to_contain_text(literal_part("sidebar.checked_ok"))
    expect(main(page)).not_to_contain_text(t("chat.not_checked", "ko"))
    # Replies are streamed (the default); the demo paces them at DEMO_PACE tokens per second.
    expect(sidebar(page).get_by_role("switch", name=t("chat.stream", "ko"), exact=True)).to_be_checked()
    question = "배포 이름과 모델 이름은 뭐가 달라?"
    messages = send_chat(page, question)
    expect(messages).to_have_count(2)
    expect(messages.nth(0)).to_contain_text(question)
    expect(messages.nth(1)).to_contain_text(KO_REPLY_MARKER)
    expect(messages.nth(1)).to_contain_text(literal_part("chat.meta.tokens"))  # shown once the reply is complete
    wait_for_app(page)
    reply = reply_line(messages.nth(1))

    # English: the frame and the page follow, the conversation stays.
    language = sidebar(page).get_by_role("radiogroup", name=t("sidebar.language", "ko"), exact=True)
    language.get_by_role("radio", name=t("lang.en", "ko"), exact=True).click()
    wait_for_app(page)
    expect(heading(page, t("chat.title", "en"))).to_be_visible()
    expect_frame(page, "en")
    expect(messages).to_have_count(2)
    expect(messages.nth(0)).to_contain_text(question)
    expect(messages.nth(1)).to_contain_text(KO_REPLY_MARKER)
    expect(messages.nth(1)).to_contain_text(literal_part("chat.meta.tokens", "en"))
    assert reply_line(messages.nth(1)) == reply  # the reply itself is kept as it came


def test_two_sessions_never_see_each_other(app_server: StreamlitServer, new_page: NewPage) -> None:
    """Two learners at once: A's key, check result and chat never reach B, and A's key is never text."""
    fake_key = "deadbeef" + secrets.token_hex(12)  # 32 hex chars, obviously fake, unique to this run
    marker = "marker" + secrets.token_hex(8)
    a, b = new_page(), new_page()
    goto(a, app_server.url + "/connect")
    goto(b, app_server.url + "/connect")

    # B validates the demo; A tries a key of its own and chats.
    main(b).get_by_role("button", name=t("connect.use_demo", "ko"), exact=True).click()
    expect(b.locator(".st-key-check-success")).to_be_visible()
    wait_for_app(b)

    enter_key(a, fake_key)
    check_connection(a)
    expect(a.locator(".st-key-diag-connect")).to_contain_text(t("diag.auth_invalid_key.title", "ko"))
    a.evaluate(OPEN_ALL_EXPANDERS_JS)  # evidence, diagnostic report, timeline: all of it on screen
    expect(a.locator(".st-key-diag-connect")).to_contain_text(t("card.evidence", "ko"))
    expect(main(a)).to_contain_text("AOAI Lab diagnostic report")  # drawn once its panel opened
    assert_key_only_in_password_field(a, fake_key)
    expect(key_field(a)).to_have_value(fake_key)  # the field keeps what A typed
    # A's connection is A's fields, and its check failed: the sidebar says so (issue 9).
    expect(sidebar(a)).to_contain_text(t("sidebar.checked_failed", "ko", code="auth_invalid_key"))

    go_to(a, "nav.chat")
    messages = send_chat(a, f"isolation test {marker}")
    # Chat sends A's values as they are: the same key error, explained; the question is kept.
    expect(a.locator(".st-key-diag-chat")).to_contain_text(t("diag.auth_invalid_key.title", "ko"))
    expect(messages.nth(0)).to_contain_text(marker)
    wait_for_app(a)
    assert_key_only_in_password_field(a, fake_key)

    # B, rerun on each of its pages after all of that: only its own state.
    b_success = b.locator(".st-key-check-success")
    go_to(b, "nav.chat")
    expect(heading(b, t("chat.title", "ko"))).to_be_visible()
    expect(main(b).get_by_test_id("stChatMessage")).to_have_count(0)
    assert_absent(b, fake_key, marker)
    go_to(b, "nav.connect")
    expect(b_success).to_contain_text(t("diag.ok.title", "ko"))
    expect(b.locator(".st-key-diag-connect")).to_have_count(0)
    expect(key_field(b)).to_have_value(DEMO_KEY)
    b.evaluate(OPEN_ALL_EXPANDERS_JS)
    expect(sidebar(b)).to_contain_text(literal_part("sidebar.checked_ok"))
    assert_absent(b, fake_key, marker, "auth_invalid_key", t("diag.auth_invalid_key.title", "ko"))


def test_troubleshoot_try_it_shows_the_diagnosis(app_server: StreamlitServer, new_page: NewPage) -> None:
    """Troubleshoot's "try it" on DeploymentNotFound reproduces it, with the model-name hint.

    A card's body is drawn only once it is open (issue 12): opening it reruns the page.
    """
    page = new_page()
    goto(page, app_server.url + "/troubleshoot")
    expect(heading(page, t("trouble.title", "ko"))).to_be_visible()
    cards = main(page).get_by_test_id("stExpander")
    try_buttons = main(page).get_by_role("button", name=t("trouble.try", "ko"), exact=True)
    expect(cards.first).to_be_visible()
    expect(try_buttons).to_have_count(0)  # every card closed, none of their bodies sent
    entry = cards.filter(has_text=literal_part("diag.deployment_not_found.title")).filter(
        has_text="deployment_not_found"
    )
    open_expander(entry)
    wait_for_app(page)  # the rerun that draws the body
    expect(try_buttons).to_have_count(1)
    entry.get_by_role("button", name=t("trouble.try", "ko"), exact=True).click()
    card = entry.locator(".st-key-diag-trial-deployment_not_found")
    expect(card).to_contain_text(literal_part("diag.deployment_not_found.title"))
    expect(card).to_contain_text(literal_part("diag.hint.model_name"))
    expect(card).not_to_contain_text("{deployment}")  # the card names the deployment it tried
    expect(entry).to_contain_text(t("trouble.reproduced", "ko"))
    wait_for_app(page)

    # Filtered out and back in, a card starts as on a fresh visit: closed, unless it has a result.
    other = cards.filter(has_text=literal_part("diag.timeout.title")).filter(has_text="timeout")
    open_expander(other)
    wait_for_app(page)
    expect(try_buttons).to_have_count(2)
    search = main(page).get_by_role("textbox", name=t("trouble.search", "ko"))
    search.fill("dns")
    wait_for_app(page)
    expect(entry).to_have_count(0)
    expect(other).to_have_count(0)
    search.fill("")
    wait_for_app(page)
    expect(other.locator("details")).not_to_have_attribute("open", "")
    expect(entry.locator("details").first).to_have_attribute("open", "")  # (the evidence is inside)
    expect(entry).to_contain_text(t("trouble.reproduced", "ko"))
    expect(try_buttons).to_have_count(1)


def test_sidebar_status_follows_the_check_at_once(app_server: StreamlitServer, new_page: NewPage) -> None:
    """After a check, the sidebar's connection box says so on the same screen, with no rerun.

    (It used to be drawn before the page ran, so it said "not checked yet" beside the success card.)
    """
    page = new_page()
    goto(page, app_server.url + "/connect")
    status = page.locator(".st-key-connection-status")
    expect(status).to_contain_text(t("sidebar.unchecked", "ko"))
    main(page).get_by_role("button", name=t("connect.use_demo", "ko"), exact=True).click()
    expect(page.locator(".st-key-check-success")).to_be_visible()
    wait_for_app(page)
    expect(status).to_contain_text(literal_part("sidebar.checked_ok"))
    expect(status).not_to_contain_text(t("sidebar.unchecked", "ko"))
