"""Classroom mode in the app (AppTest): bad configuration, the access code, the chat's limit
message, and the instructor page (nothing before the password; counts, pause, smoke test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from aoai_lab.i18n import t
from tests.classroom_servers import Seen, counting_proxy, fresh_class

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
CODE = "sunny-42"
PASSWORD = "teach-me-please"


@pytest.fixture(autouse=True)
def _fresh_class(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with fresh_class(monkeypatch):
        yield


@pytest.fixture
def proxy(emulator: EmulatorServer) -> Iterator[tuple[str, Seen]]:
    with counting_proxy(emulator.endpoint) as (port, seen):
        yield f"http://127.0.0.1:{port}/", seen


def app(classroom: dict[str, Any] | None, endpoint: str | None = None, lang: str = "ko") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if classroom is not None:
        at.secrets["classroom"] = classroom
    if endpoint is not None:
        at.secrets["azure_openai"] = {
            "endpoint": endpoint,
            "api_key": DEMO_KEY,
            "deployment": "gpt-5.1",
            "api_version": "2025-04-01-preview",
        }
    at.session_state["lang"] = lang
    return at.run()


def visit(at: AppTest, page: str) -> AppTest:
    return at.switch_page(f"pages/{page}").run()


def texts(at: AppTest) -> str:
    parts = [e.value for kind in (at.error, at.warning, at.info, at.success, at.caption, at.markdown) for e in kind]
    return "\n".join(str(p) for p in parts)


def test_a_bad_setting_stops_the_app_with_its_name_and_nothing_else() -> None:
    at = app({"requests_per_minute": -5})
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert message.count("`requests_per_minute`") == 2 and "수업 설정" in message
    assert [e.value for e in at.title] == []  # no page ran


def test_the_instructor_page_is_inert_without_classroom_mode() -> None:
    at = visit(app(None), "instructor.py")
    assert not at.exception
    assert [i.value for i in at.info] == [t("classroom.off", "ko")]
    assert not at.text_input


def test_the_shared_connection_waits_for_the_access_code(proxy: tuple[str, Seen]) -> None:
    endpoint, seen = proxy
    at = visit(app({"access_code": CODE}, endpoint), "connect.py")
    at.button(key="connect.configured_button").click().run()
    # The check's chat rung was refused at home: the code comes first.
    assert "classroom_access_code" in texts(at)
    assert seen.chat_bodies == []
    at.text_input(key="classroom.code_input").set_value("wrong").run()
    assert t("classroom.access.wrong", "ko") in texts(at)
    at.text_input(key="classroom.code_input").set_value(CODE).run()
    assert t("classroom.access.accepted", "ko") in texts(at)
    at.button(key="connect.check").click().run()
    assert len(seen.chat_bodies) == 1


def test_the_chat_shows_the_limit_and_sends_no_more(proxy: tuple[str, Seen]) -> None:
    endpoint, seen = proxy
    at = visit(app({"requests_per_minute": 2, "max_output_tokens": 40}, endpoint), "connect.py")
    at.button(key="connect.configured_button").click().run()  # the check: one request
    at = visit(at, "chat.py")
    assert t("classroom.limits", "ko").split(":")[0] in texts(at)
    at.chat_input(key="chat.input").set_value("first").run()
    at.chat_input(key="chat.input").set_value("second").run()
    assert not at.exception
    shown = texts(at)
    assert t("diag.classroom_rate_limit.title", "ko").split("—")[0].strip() in shown
    assert len(seen.chat_bodies) == 2
    assert all(int(body.get("max_completion_tokens", body.get("max_tokens", 0))) <= 40 for body in seen.chat_bodies)


def test_the_instructor_page_shows_nothing_before_the_password(proxy: tuple[str, Seen]) -> None:
    endpoint, _ = proxy
    student = visit(app({"instructor_password": PASSWORD, "class_token_budget": 100_000}, endpoint), "connect.py")
    student.button(key="connect.configured_button").click().run()
    at = visit(app({"instructor_password": PASSWORD, "class_token_budget": 100_000}, endpoint), "instructor.py")
    assert not at.exception
    assert not at.metric and not at.dataframe and len(at.button) == 1  # the login button only
    at.text_input(key="classroom.instructor_login").set_value("guess-guess").run()
    assert t("instructor.wrong", "ko") in texts(at)
    assert not at.metric
    at.text_input(key="classroom.instructor_login").set_value(PASSWORD).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("instructor.active", "ko")] == "2"  # the student and the instructor
    assert int(metrics[t("instructor.requests_min", "ko")]) >= 1
    assert int(metrics[t("instructor.class_left", "ko")].replace(",", "")) < 100_000
    at.button(key="instructor.pause").click().run()
    assert t("instructor.paused", "ko") in texts(at)
    student = visit(student, "chat.py")
    assert t("diag.classroom_paused.title", "ko") in texts(student)
    student.chat_input(key="chat.input").set_value("hello?").run()
    assert texts(student).count(t("diag.classroom_paused.title", "ko")) >= 2  # banner and refusal


def test_the_smoke_test_reports_success_latency_and_capacity(proxy: tuple[str, Seen]) -> None:
    endpoint, seen = proxy
    at = visit(app({"instructor_password": PASSWORD}, endpoint), "instructor.py")
    at.text_input(key="classroom.instructor_login").set_value(PASSWORD).run()
    at.number_input(key="instructor.smoke_count").set_value(5).run()
    at.button(key="instructor.smoke_run").click().run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("instructor.smoke_success", "ko")] == "100%"
    assert metrics[t("instructor.smoke_p95", "ko")].endswith(" ms")
    assert len(seen.chat_bodies) == 5
    assert all(body.get("max_completion_tokens", body.get("max_tokens")) == 1 for body in seen.chat_bodies)
    assert "60 × 2 × 1500 = 180,000 TPM > 150,000 TPM" in texts(at)
    at.number_input(key="instructor.tpm").set_value(200_000).run()
    assert t("instructor.fits", "ko", formula="60 × 2 × 1500 = 180,000 TPM ≤ 200,000 TPM") in texts(at)
