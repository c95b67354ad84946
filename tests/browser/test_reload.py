"""A reload in a real browser brings the conversation back; another browser does not get it (issue 13).

The tab's token rides in the query string (aoai_lab/persistence.py): a reload keeps the URL, a
page switch keeps the token, and a new browser context (another student) starts empty.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from aoai_lab import persistence
from aoai_lab.i18n import Lang, t
from tests.browser.app_pages import NewPage, go_to, heading, main, open_chat, send_chat
from tests.browser.conftest import StreamlitServer, goto, wait_for_app

pytestmark = pytest.mark.browser

TOKEN_IN_URL = re.compile(rf"[?&]{persistence.TOKEN_PARAM}=[A-Za-z0-9_-]{{32,64}}")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_reload_brings_the_conversation_back_and_another_browser_does_not_see_it(
    app_server: StreamlitServer, new_page: NewPage, lang: Lang
) -> None:
    page = new_page()
    open_chat(page, app_server.url, lang)
    question = f"remember this {lang}"
    messages = send_chat(page, question)
    expect(messages).to_have_count(2)
    wait_for_app(page)
    expect(page).to_have_url(TOKEN_IN_URL)

    page.reload()
    wait_for_app(page)
    expect(heading(page, t("chat.title", lang))).to_be_visible()  # same page, same language
    restored = main(page).get_by_test_id("stChatMessage")
    expect(restored).to_have_count(2)
    expect(restored.first).to_contain_text(question)

    # A page switch keeps the token: a reload there still finds the conversation.
    go_to(page, "nav.connect", lang)
    expect(page).to_have_url(TOKEN_IN_URL)
    page.reload()
    wait_for_app(page)
    go_to(page, "nav.chat", lang)
    expect(main(page).get_by_test_id("stChatMessage").first).to_contain_text(question)

    # Another browser (a classmate) opening the app gets its own, empty conversation.
    other = new_page()
    goto(other, app_server.url + "/")
    go_to(other, "nav.chat", "ko")
    expect(heading(other, t("chat.title", "ko"))).to_be_visible()
    expect(main(other).get_by_test_id("stChatMessage")).to_have_count(0)
    assert other.url != page.url
