"""Page helpers shared by the browser tests: locators, navigation, chat, secret checks.

Texts come from the i18n catalog (``t(key, lang)``), so the helpers follow the catalog.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from aoai_lab.connection import ENV_KEY
from aoai_lab.i18n import Lang, catalog, t
from aoai_lab.ui.frame import PAGE_SPECS, PAGES_DIR
from tests.browser.conftest import goto, wait_for_app

NewPage = Callable[[], Page]
# The offline demo marks every reply to a Korean message with this (aoai_lab/emulator/replies.py).
KO_REPLY_MARKER = "[오프라인 데모"
# Every input's type and value (the HTML attribute can lag behind what was typed).
INPUT_VALUES_JS = "() => [...document.querySelectorAll('input, textarea')].map(e => [e.type, e.value])"
# The page's HTML with password inputs' values dropped: the one place a typed key may live.
HTML_WITHOUT_PASSWORDS_JS = """() => {
    const root = document.documentElement.cloneNode(true);
    for (const input of root.querySelectorAll("input[type='password']")) input.removeAttribute('value');
    return root.outerHTML;
}"""
OPEN_ALL_EXPANDERS_JS = "() => document.querySelectorAll('details:not([open]) > summary').forEach(s => s.click())"


# --- catalog and locator helpers ----------------------------------------------------------------


def literal_part(key: str, lang: Lang = "ko") -> str:
    """The longest piece of a catalog text without placeholders (for texts shown with values)."""
    pieces = re.split(r"\{[^{}]*\}", catalog(lang)[key])
    return max(pieces, key=len).strip()


def nav_titles(lang: Lang, *, classroom: bool = False) -> list[str]:
    """The menu the app should show: every ``pages/*.py``, known ones in ``PAGE_SPECS`` order
    (classroom-only pages, the Instructor page, only in classroom mode)."""
    files = sorted(p.name for p in PAGES_DIR.glob("*.py") if not p.name.startswith("_"))
    hidden = set() if classroom else {spec.file for spec in PAGE_SPECS if spec.classroom_only}
    known = [spec.file for spec in PAGE_SPECS if spec.file in files and spec.file not in hidden]
    ordered = known + [f for f in files if f not in known and f not in hidden]
    return [t(f"nav.{Path(f).stem}", lang) for f in ordered]


def sidebar(page: Page) -> Locator:
    return page.get_by_test_id("stSidebar")


def main(page: Page) -> Locator:
    return page.get_by_role("main")


def heading(page: Page, text: str) -> Locator:
    return main(page).get_by_role("heading", level=1, name=text, exact=True)


def go_to(page: Page, nav_key: str, lang: Lang = "ko") -> None:
    """Switch pages through the sidebar menu, as a learner does."""
    sidebar(page).get_by_role("link", name=t(nav_key, lang), exact=True).click()
    wait_for_app(page)


def open_chat(page: Page, url: str, lang: Lang) -> None:
    """Open the app at ``url`` in ``lang`` (picked in the sidebar, as a learner does) and go to Chat."""
    goto(page, url + "/")
    if lang == "en":
        sidebar(page).get_by_text("English", exact=True).click()
        wait_for_app(page)
    go_to(page, "nav.chat", lang)
    expect(heading(page, t("chat.title", lang))).to_be_visible()


def open_expander(expander: Locator) -> None:
    """Open an ``st.expander`` and wait out its opening animation.

    While the body grows (about 300 ms) a click aimed at a button inside can land on the body
    instead and be lost (seen under load), so nothing inside is clicked before it ends.
    """
    expander.locator("summary").click()
    expect(expander.locator("details")).to_have_attribute("open", "")
    handle = expander.element_handle()
    expander.page.wait_for_function("e => e.getAnimations({subtree: true}).length === 0", arg=handle)


def key_field(page: Page) -> Locator:
    # The label carries the env variable's name in both languages.
    return main(page).get_by_role("textbox", name=re.compile(re.escape(ENV_KEY)))


def enter_key(page: Page, key: str) -> None:
    """Type a key and commit it with Enter.

    Enter commits at once. Tab would not: it lands on the field's own show-password button, so
    the value waits for the live-input pause, and a click in that window would carry the old key.
    """
    field = key_field(page)
    field.fill(key)
    field.press("Enter")
    wait_for_app(page)


def check_connection(page: Page) -> None:
    main(page).get_by_role("button", name=t("connect.check", "ko"), exact=True).click()
    wait_for_app(page)


def send_chat(page: Page, text: str) -> Locator:
    """Send ``text`` through the chat input; return the chat's messages."""
    box = page.get_by_test_id("stChatInput").locator("textarea")
    box.fill(text)
    box.press("Enter")
    return main(page).get_by_test_id("stChatMessage")


def reply_line(message: Locator) -> str:
    """The demo's reply text in a chat message (its first line starting with the marker)."""
    return next(line for line in message.inner_text().splitlines() if line.startswith(KO_REPLY_MARKER))


def expect_frame(page: Page, lang: Lang = "ko") -> None:
    """The app's own frame: its menu in ``lang`` (no legacy file-name entries) and the sidebar."""
    bar = sidebar(page)
    expect(page.get_by_test_id("stSidebarNavLink").get_by_test_id("stMarkdownContainer")).to_have_text(nav_titles(lang))
    # Legacy multipage mode would list the entry script and files by name ("app", "chat", …).
    expect(bar.get_by_role("link", name=re.compile(r"^app$", re.IGNORECASE))).to_have_count(0)
    expect(bar.get_by_role("switch", name=t("sidebar.presenter", lang), exact=True)).to_be_visible()
    language = bar.get_by_role("radiogroup", name=t("sidebar.language", lang), exact=True)
    for code in ("ko", "en"):
        expect(language.get_by_role("radio", name=t(f"lang.{code}", lang), exact=True)).to_be_visible()
    status = page.locator(".st-key-connection-status")
    expect(status).to_contain_text(t("sidebar.connection", lang))
    expect(status).to_contain_text(t("sidebar.mode_demo", lang))


def assert_absent(page: Page, *secrets_: str) -> None:
    """None of ``secrets_`` is anywhere on the page: text, HTML or any input's value."""
    text = page.locator("body").inner_text()
    html = page.content()
    values = page.evaluate(INPUT_VALUES_JS)
    for secret in secrets_:
        assert secret not in text
        assert secret not in html
        assert not [value for _, value in values if secret in value]


def assert_key_only_in_password_field(page: Page, key: str) -> None:
    """``key`` may sit in the password field's value, and nowhere else (never rendered as text)."""
    assert key not in page.locator("body").inner_text()
    assert key not in page.evaluate(HTML_WITHOUT_PASSWORDS_JS)
    assert key[-16:] not in page.evaluate(HTML_WITHOUT_PASSWORDS_JS)  # nor its tail
    holders = [kind for kind, value in page.evaluate(INPUT_VALUES_JS) if key in value]
    assert holders in ([], ["password"]), holders
