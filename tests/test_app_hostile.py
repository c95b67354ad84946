"""The app under AppTest with the input learners really paste: no traceback, no key, on any page."""

from __future__ import annotations

import pytest

from aoai_lab.i18n import t
from tests.code_tabs import each_tab
from tests.hostile_inputs import hostile_cases
from tests.test_app import app, open_every_card, shown_text, visit

# A well-formed key of the learner's own (the demo key is public and shown on purpose).
TYPED_KEY = "0123456789abcdef" * 2


@pytest.mark.parametrize(("endpoint", "key", "code"), hostile_cases(TYPED_KEY, None))
def test_hostile_input_on_the_connect_page_and_every_page_after(endpoint: str | None, key: str, code: str) -> None:
    at = visit(app(), "connect.py")
    at.button(key="connect.demo_button").click().run()
    if endpoint is not None:
        at.text_input(key="connect.endpoint").set_value(endpoint).run()
    at.text_input(key="connect.api_key").set_value(key).run()
    at.button(key="connect.check").click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = "\n".join(text for _, text in shown_text(at))
    assert t(f"diag.{code}.title", "ko").split("{")[0] in shown
    for page in ("chat.py", "code.py", "log.py", "guide.py", "troubleshoot.py", "connect.py"):
        at = visit(at, page)
        if page == "troubleshoot.py":
            open_every_card(at)  # Troubleshoot draws only open cards: open each, as a learner can
        assert not at.exception, (page, [e.value for e in at.exception])
        # The Code page draws only its open tab (issue 12): open each one, as a learner can.
        views = [list(shown_text(at)) for _ in each_tab(at)] if page == "code.py" else [list(shown_text(at))]
        shown = "\n".join(text for view in views for _, text in view)
        assert key not in shown, page
        # The endpoint field keeps what the learner typed; nothing else may repeat the password.
        typed = "\n".join(text for view in views for kind, text in view if kind != "TextInput")
        assert "pa55word" not in typed, page


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://[::1",
        "http://127.0.0.1:99999/",
        "http://127.0.0.1:abc/",
        "https://my aoai-lab.openai.azure.com/",
        "https://" + "a" * 10240 + ".openai.azure.com/",
        "http://[::1]:1/",
    ],
)
def test_chat_and_the_log_survive_an_endpoint_no_check_has_vetted(endpoint: str) -> None:
    # Chat runs without pre-flight: the request fails, is explained and logged, never a traceback.
    at = visit(app(), "connect.py")
    at.button(key="connect.demo_button").click().run()
    at.text_input(key="connect.endpoint").set_value(endpoint).run()
    at.text_input(key="connect.api_key").set_value(TYPED_KEY).run()
    at = visit(at, "chat.py")
    at.chat_input[0].set_value("hi").run()
    assert not at.exception, [e.value for e in at.exception]
    at = visit(at, "log.py")
    assert not at.exception, [e.value for e in at.exception]
    assert TYPED_KEY not in "\n".join(text for _, text in shown_text(at))
