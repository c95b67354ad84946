"""Issue 9 in a real browser: what the page says about the connection and the chat stays true.

- Editing a field after a passed check: the Connect page, the sidebar and Chat say "changed,
  not checked", and Chat sends to the edited values.
- Switching pages while a reply streams: the reply is kept with what arrived, marked as cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from aoai_lab.connection import ENV_DEPLOYMENT
from aoai_lab.i18n import t
from tests.browser import conftest
from tests.browser.app_pages import (
    KO_REPLY_MARKER,
    NewPage,
    go_to,
    heading,
    literal_part,
    main,
    send_chat,
    sidebar,
)
from tests.browser.conftest import SERVERS, StreamlitServer, goto, wait_for_app

pytestmark = pytest.mark.browser

# Slow enough that a reply is still streaming when the learner clicks away (about 10 s a reply).
SLOW_PACE = "6"


@pytest.fixture
def slow_server(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[StreamlitServer]:
    """A server of this test's own whose demo streams slowly."""
    monkeypatch.setattr(conftest, "DEMO_PACE", SLOW_PACE)
    with conftest.streamlit_server() as server:
        request.node.stash.setdefault(SERVERS, []).append(server)
        yield server


def field(page: Page, env_name: str) -> Locator:
    """A Connect field by the environment variable its label names (the same in both languages)."""
    return main(page).get_by_role("textbox", name=re.compile(re.escape(env_name)))


def test_editing_after_a_passed_check_is_changed_not_checked(app_server: StreamlitServer, new_page: NewPage) -> None:
    page = new_page()
    goto(page, app_server.url + "/connect")
    main(page).get_by_role("button", name=t("connect.use_demo", "ko"), exact=True).click()
    success = page.locator(".st-key-check-success")
    expect(success).to_contain_text(t("diag.ok.title", "ko"))
    wait_for_app(page)
    expect(sidebar(page)).to_contain_text(literal_part("sidebar.checked_ok"))

    # The learner edits the deployment: the old verdict no longer speaks for the fields.
    deployment = field(page, ENV_DEPLOYMENT)
    deployment.fill("gpt-4o-mini")
    deployment.press("Enter")
    wait_for_app(page)
    changed = t("connect.status.changed", "ko", fields=t("connect.field.deployment", "ko"))
    expect(main(page)).to_contain_text(changed)
    expect(success).to_have_count(0)
    expect(sidebar(page)).to_contain_text(t("sidebar.changed", "ko"))
    expect(sidebar(page)).not_to_contain_text(literal_part("sidebar.checked_ok"))
    expect(sidebar(page)).to_contain_text("gpt-4o-mini")

    # Chat uses the edited values, and says they are not checked.
    go_to(page, "nav.chat")
    expect(main(page)).to_contain_text(t("chat.changed", "ko", fields=t("connect.field.deployment", "ko")))
    messages = send_chat(page, "안녕")
    expect(messages.nth(1)).to_contain_text(f"{KO_REPLY_MARKER} · gpt-4o-mini]")
    wait_for_app(page)


def test_a_reply_cut_by_a_page_switch_is_kept_and_marked(slow_server: StreamlitServer, new_page: NewPage) -> None:
    page = new_page()
    goto(page, slow_server.url + "/chat")
    expect(heading(page, t("chat.title", "ko"))).to_be_visible()
    messages = send_chat(page, "배포 이름과 모델 이름은 뭐가 달라?")
    expect(messages.nth(1)).to_contain_text(KO_REPLY_MARKER)  # the reply has started…
    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-script-state", "running")  # …and is still streaming
    arrived = messages.nth(1).inner_text()

    go_to(page, "nav.guide")  # the learner clicks away mid-reply
    expect(heading(page, t("guide.title", "ko"))).to_be_visible()
    go_to(page, "nav.chat")

    messages = main(page).get_by_test_id("stChatMessage")
    expect(messages).to_have_count(2)
    reply = messages.nth(1)
    expect(reply).to_contain_text(KO_REPLY_MARKER)
    expect(reply).to_contain_text(t("chat.cut", "ko"))
    kept = reply.inner_text()
    first_line = arrived.splitlines()[0]
    assert first_line in kept  # what had arrived is still there
    expect(main(page).get_by_role("button", name=t("chat.retry", "ko"), exact=True)).to_be_visible()
    # One icon on the warning: the banner's own.
    warning = reply.get_by_test_id("stAlert").filter(has_text=t("chat.cut", "ko"))
    expect(warning.get_by_test_id("stAlertDynamicIcon")).to_have_count(1)
    assert "✂" not in warning.inner_text()
