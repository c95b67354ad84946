"""The demo a class uses (issue 12): the instructor's emulator when ``demo_url`` is set (no
in-process one is started), and an in-process demo whose quota a whole class never meets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from streamlit.testing.v1 import AppTest

from aoai_lab.emulator import DEMO_KEY, FAULT_HEADER, EmulatorConfig, EmulatorServer
from aoai_lab.i18n import t
from aoai_lab.ui import demo
from aoai_lab.ui.demo import DEMO_DEPLOYMENT, demo_config, start_demo
from tests.classroom_servers import fresh_class

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _fresh_class(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with fresh_class(monkeypatch):
        yield


def test_with_demo_url_the_demo_is_the_class_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[bool] = []

    def in_process_demo() -> EmulatorServer:
        started.append(True)
        raise RuntimeError("the in-process demo was started")

    monkeypatch.setattr(demo, "demo_server", in_process_demo)
    with EmulatorServer(EmulatorConfig(tokens_per_second=0, record_requests=True)) as class_demo:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.secrets["classroom"] = {"demo_url": class_demo.endpoint}
        at.session_state["lang"] = "ko"
        at = at.run().switch_page("pages/connect.py").run()
        at.button(key="connect.demo_button").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.success[0].value == f"**{t('diag.ok.title', 'ko')}**"
        paths = [r.path for r in class_demo.recorded()]
    assert at.session_state["connect.endpoint"] == class_demo.endpoint
    assert any(path.endswith("/chat/completions") for path in paths), paths
    assert started == []


def _burst(endpoint: str, count: int, fault: str | None = None) -> list[int]:
    """``count`` chat requests at once, as a class clicking "check" together; their statuses."""
    url = f"{endpoint}openai/deployments/{DEMO_DEPLOYMENT}/chat/completions?api-version=2025-04-01-preview"
    body = {"messages": [{"role": "user", "content": "hi"}]}
    headers = {"api-key": DEMO_KEY, **({FAULT_HEADER: fault} if fault else {})}
    with httpx2.Client(timeout=30) as http:
        return [http.post(url, json=body, headers=headers).status_code for _ in range(count)]


def test_a_class_never_meets_the_demos_quota_but_the_fault_still_teaches_429() -> None:
    config = demo_config(0)
    # Azure's default is 600 RPM per deployment, checked per 10 s: a class of 60 checking together
    # would meet it. The demo's quota is orders of magnitude above what a class can send.
    assert all(d.rpm >= 100 * 600 and d.tpm >= 100 * 600_000 for d in config.deployments)
    assert {d.name for d in config.deployments} == {d.name for d in EmulatorConfig().deployments}
    class_sized = start_demo(config, 0)
    try:
        assert set(_burst(class_sized.endpoint, 200)) == {200}
        assert _burst(class_sized.endpoint, 1, fault="429") == [429]
    finally:
        class_sized.stop()
