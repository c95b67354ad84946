"""The chat's issue-13 features in a real browser: the Responses API switch, a JSON-schema reply
shown as checked JSON, the context meter, regenerate, editing a past question and Compare.

Texts come from the i18n catalog; the only literals are the emulator's reply marker and JSON keys.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aoai_lab.i18n import Lang, t
from tests.browser.app_pages import (
    NewPage,
    heading,
    literal_part,
    main,
    open_chat,
    open_expander,
    send_chat,
    sidebar,
)
from tests.browser.conftest import StreamlitServer, goto, wait_for_app

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_responses_api_schema_reply_regenerate_and_edit(
    app_server: StreamlitServer, new_page: NewPage, lang: Lang
) -> None:
    page = new_page()
    open_chat(page, app_server.url, lang)

    # The API switch, with its one-line explanation.
    sidebar(page).get_by_text(t("chat.api.responses", lang), exact=True).click()
    wait_for_app(page)
    expect(sidebar(page)).to_contain_text(t("chat.api_note.responses", lang))

    # A JSON schema from a starter: the reply is pretty JSON, checked against it.
    schema = sidebar(page).get_by_test_id("stExpander").filter(has_text=t("chat.schema.title", lang))
    # Closed, the panel draws no body (issue 12). (CSS, not a role: a closed body is hidden, and
    # roles skip hidden elements.)
    expect(schema.locator("input, textarea")).to_have_count(0)
    open_expander(schema)
    wait_for_app(page)  # opening it reruns the page, which draws the body
    schema.get_by_text(t("chat.schema.kind_json_schema", lang), exact=True).click()
    wait_for_app(page)
    # The editor opens on the first starter ("extract name and age"); AppTest covers the others.
    expect(schema.get_by_role("textbox")).to_contain_text('"age"')
    messages = send_chat(page, "Kim is 30")
    expect(messages).to_have_count(2)
    reply = messages.nth(1)
    expect(reply.get_by_test_id("stCode")).to_contain_text('"age"')
    expect(reply).to_contain_text(t("chat.schema.reply_valid.json_schema", lang))
    expect(reply).to_contain_text(literal_part("chat.meta.tokens", lang))
    # The context meter, under the conversation.
    expect(main(page).get_by_test_id("stProgress")).to_contain_text(literal_part("chat.context.meter", lang))

    # Regenerate the last reply: still one question and one reply.
    reply.get_by_role("button", name=t("chat.regenerate", lang)).click()
    wait_for_app(page)
    expect(messages).to_have_count(2)
    expect(messages.nth(1).get_by_test_id("stCode")).to_contain_text('"name"')

    # A second turn, then edit the first question: the later turns are dropped, visibly.
    send_chat(page, "Lee is 41")
    expect(messages).to_have_count(4)
    wait_for_app(page)
    messages.nth(0).get_by_role("button", name=t("chat.edit_past", lang)).click()
    wait_for_app(page)
    expect(main(page)).to_contain_text(t("chat.edit_drops", lang, count=3))
    editor = messages.nth(0).get_by_role("textbox")
    editor.fill("Park is 25")
    main(page).get_by_role("button", name=t("chat.send_edit", lang), exact=True).click()
    wait_for_app(page)
    expect(main(page)).to_contain_text(t("chat.edit_dropped", lang, count=3))
    expect(messages).to_have_count(2)
    expect(messages.nth(0)).to_contain_text("Park is 25")


def test_compare_streams_two_settings_side_by_side(app_server: StreamlitServer, new_page: NewPage) -> None:
    page = new_page()
    goto(page, app_server.url + "/chat")
    expect(heading(page, t("chat.title", "ko"))).to_be_visible()
    panel = main(page).get_by_test_id("stExpander").filter(has_text=t("chat.compare.title", "ko"))
    # Closed, the panel draws no body: no input, box, slider or button to load (issue 12).
    expect(panel.locator("input, textarea, button")).to_have_count(0)
    open_expander(panel)
    wait_for_app(page)  # opening it reruns the page, which draws the body
    prompt = panel.get_by_role("textbox", name=t("chat.compare.prompt", "ko"), exact=True)
    prompt.fill("배포가 뭐야?")
    prompt.press("Enter")
    wait_for_app(page)
    panel.get_by_role("button", name=t("chat.compare.run", "ko")).click()
    wait_for_app(page)
    columns = panel.get_by_test_id("stColumn")
    expect(columns).to_have_count(2)
    for index in (0, 1):
        expect(columns.nth(index)).to_contain_text(literal_part("chat.meta.ttft"))
        expect(columns.nth(index)).to_contain_text("gpt-5.1")
    # Closed, its body goes; reopened, the prompt and both results come back.
    panel.locator("summary").click()
    wait_for_app(page)
    expect(panel.locator("input, textarea, button")).to_have_count(0)
    open_expander(panel)
    wait_for_app(page)
    expect(prompt).to_have_value("배포가 뭐야?")
    expect(columns).to_have_count(2)
    for index in (0, 1):
        expect(columns.nth(index)).to_contain_text(literal_part("chat.meta.ttft"))
