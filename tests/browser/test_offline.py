"""Offline means offline: every page loads with every non-loopback request blocked, and tries none.

A classroom without internet (or a learner on a plane) must get the whole app. The browser is
allowed to reach this machine only; any other address it tries is recorded and refused, and the
favicon (which Chromium may fetch outside Playwright's routing) is checked in the DOM instead.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Route, expect

from aoai_lab.ui.frame import PAGE_SPECS
from tests.browser.app_pages import NewPage, check_connection, go_to, send_chat
from tests.browser.conftest import StreamlitServer, goto, wait_for_app

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
LOCAL_SCHEMES = ("data", "blob", "about", "chrome", "chrome-extension")
ICON_HREFS_JS = "() => [...document.querySelectorAll(\"link[rel~='icon']\")].map(l => l.href)"


def is_local(url: str) -> bool:
    """True for this machine and for URLs that never leave the browser (data:, blob:)."""
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (parts.hostname or "") in LOCAL_HOSTS


def test_every_page_loads_with_the_internet_blocked(app_server: StreamlitServer, new_page: NewPage) -> None:
    page = new_page()
    attempted: list[str] = []

    def only_loopback(route: Route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort("internetdisconnected")

    page.context.route("**/*", only_loopback)
    page.on("requestfailed", lambda request: None if is_local(request.url) else attempted.append(request.url))
    icons: set[str] = set()
    for spec in PAGE_SPECS:
        goto(page, f"{app_server.url}/{spec.name}")
        icons.update(page.evaluate(ICON_HREFS_JS))
    # What appears only after using the app (status badges, cards, a streamed reply) too.
    goto(page, f"{app_server.url}/connect")
    check_connection(page)
    go_to(page, "nav.chat")
    expect(send_chat(page, "안녕하세요")).to_have_count(2)
    wait_for_app(page)
    icons.update(page.evaluate(ICON_HREFS_JS))
    assert sorted(set(attempted)) == []
    assert icons, "the app sets a favicon"
    assert all(is_local(href) for href in icons), icons
