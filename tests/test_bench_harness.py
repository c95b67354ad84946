"""The benchmark harness's own parts: its websocket protocol client against a real tiny app,
its long replies, its percentiles. Figures are never asserted (benchmarks print them)."""

from __future__ import annotations

from bench.common import Row, percentile
from bench.long_replies import long_text, prompt, reply_marker
from bench.protocol import Session
from bench.server import app, streamlit_server
from tests.event_loop import run_coroutine


def test_the_protocol_client_sees_a_rendered_app_and_clicks_its_button() -> None:
    async def drive(url: str) -> tuple[list[str], list[str], int]:
        session = Session(url)
        try:
            await session.open("", timeout=60)
            before = session.texts()
            await session.click("connect.demo_button", timeout=60)
            return before, session.texts(), session.runs_finished
        finally:
            await session.close()

    with streamlit_server(app("button_app")) as server:
        before, after, runs = run_coroutine(drive(server.url))
    assert "Connected" not in before
    assert "Connected" in after
    assert runs == 2


def test_long_replies_carry_the_marker_and_the_asked_length() -> None:
    text = long_text(300, "gpt-5.1", turn=2)
    assert text.startswith("[Offline demo · gpt-5.1] ")
    assert reply_marker(2) in text and reply_marker(2) not in prompt(300, 2)
    assert len(text.split("] ", 1)[1].split()) == 301  # the marker word plus 300 words


def test_percentiles_and_ratios() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5], 95) == 5
    assert Row("b", "w", 3.0, 2.0, "s").ratio == 1.5
    assert Row("b", "w", 3.0, None, "s").ratio is None
