"""The browser's warm-up in Chromium: while the Guide is read, the widget code of Connect, Chat and
Code is loaded, and those pages then fetch no JavaScript of their own (aoai_lab/ui/prefetch.py)."""

from __future__ import annotations

from playwright.sync_api import Page, Request, expect

from aoai_lab.i18n import t
from aoai_lab.ui.prefetch import installed_chunks
from tests.browser.app_pages import NewPage, go_to, heading
from tests.browser.conftest import StreamlitServer, goto

JS_DIR = "/static/js/"
PREFETCHED = [file for group in installed_chunks() for file in group]
ALL_LOADED_JS = """files => files.every(f =>
    performance.getEntriesByType('resource').some(e => e.name.endsWith('/static/js/' + f)))"""


def _record_js(page: Page) -> list[str]:
    requested: list[str] = []

    def on_request(request: Request) -> None:
        if JS_DIR in request.url:
            requested.append(request.url.rsplit("/", 1)[-1])

    page.on("request", on_request)
    return requested


def test_the_next_pages_widget_code_loads_while_the_guide_is_read(
    app_server: StreamlitServer, new_page: NewPage
) -> None:
    page = new_page()
    requested = _record_js(page)
    goto(page, app_server.url + "/")
    page.wait_for_function(ALL_LOADED_JS, arg=PREFETCHED)  # with no click: loaded for a page not open yet
    assert "__aoaiLabPrefetch" not in (page.locator("body").text_content() or "")  # the script removed itself
    before = len(requested)

    for nav, title in (("nav.connect", "connect.title"), ("nav.chat", "chat.title"), ("nav.code", "code.page.title")):
        go_to(page, nav)
        expect(heading(page, t(title, "ko"))).to_be_visible()
    expect(page.locator("[data-testid='stCode']").first).to_be_visible()  # the highlighter's first use

    assert requested[before:] == [], "these pages still fetched their own widget code"


def test_a_tab_opened_on_another_page_loads_them_too(app_server: StreamlitServer, new_page: NewPage) -> None:
    """The script comes with a session's first run, whichever page that is; Code's highlighter is
    not Connect's own code, so its arrival proves the script ran."""
    page = new_page()
    goto(page, app_server.url + "/connect")
    page.wait_for_function(ALL_LOADED_JS, arg=PREFETCHED)
    assert page.evaluate("window.__aoaiLabPrefetch") is True


def test_it_waits_while_the_learner_is_busy(app_server: StreamlitServer, new_page: NewPage) -> None:
    """Evaluating the highlighter holds the browser ~300 ms: never while keys are being pressed."""
    page = new_page()
    requested = _record_js(page)
    page.goto(app_server.url + "/")
    for _ in range(20):  # a key every 200 ms for 4 s, from before the first run arrives
        page.keyboard.press("Shift")
        page.wait_for_timeout(200)
    expect(heading(page, t("guide.title", "ko"))).to_be_visible()
    assert [file for file in requested if file in PREFETCHED] == []
    page.wait_for_function(ALL_LOADED_JS, arg=PREFETCHED)  # once the learner is still
