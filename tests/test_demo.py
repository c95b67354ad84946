"""The built-in demo's port: stable across restarts, configurable, a free one only when taken;
its server starts after the first page, and a request sent before then waits for it."""

from __future__ import annotations

import socket
import threading
import time

import httpx2
import pytest

from aoai_lab.emulator import DEMO_KEY, DEMO_PORT, EmulatorConfig
from aoai_lab.ui.demo import DEMO_API_VERSION, DEMO_DEPLOYMENT, PORT_ENV, DemoServer, preferred_port, start_demo
from aoai_lab.versions import load_api_versions
from tests.loopback import closed_port


@pytest.mark.parametrize(
    ("value", "port"),
    [
        (None, DEMO_PORT),
        ("", DEMO_PORT),
        ("9123", 9123),
        (" 9123 ", 9123),
        ("0", 0),
        ("abc", DEMO_PORT),
        ("99999", DEMO_PORT),
    ],
)
def test_preferred_port(value: str | None, port: int) -> None:
    assert preferred_port({} if value is None else {PORT_ENV: value}) == port


def _answers(endpoint: str) -> bool:
    response = httpx2.get(f"{endpoint}openai/v1/models", headers={"api-key": DEMO_KEY}, timeout=10)
    return response.status_code == 200


def test_a_restarted_demo_comes_back_on_the_same_port() -> None:
    port = closed_port()
    config = EmulatorConfig(tokens_per_second=0)
    first = start_demo(config, port)
    endpoint = first.endpoint
    first.stop()
    second = start_demo(config, port)
    try:
        # A snippet copied from the first run still reaches the demo.
        assert second.endpoint == endpoint == f"http://127.0.0.1:{port}/"
        assert _answers(endpoint)
    finally:
        second.stop()


def test_a_taken_port_gives_a_free_one() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        server = start_demo(EmulatorConfig(tokens_per_second=0), port)
        try:
            assert server.port not in (port, 0)
            assert _answers(server.endpoint)
        finally:
            server.stop()


def test_the_demo_uses_the_tutorials_deployment_and_a_version_it_accepts() -> None:
    assert DEMO_DEPLOYMENT == "gpt-5.1"
    assert load_api_versions().supports(DEMO_API_VERSION, "reasoning_models")


def test_a_request_sent_before_the_server_starts_waits_for_it() -> None:
    demo = DemoServer(EmulatorConfig(tokens_per_second=0), 0)
    outcome: list[object] = []

    def ask() -> None:
        try:
            outcome.append(_answers(demo.endpoint))
        except httpx2.HTTPError as error:  # refused: the port was not listening yet
            outcome.append(repr(error))

    asking = threading.Thread(target=ask)
    asking.start()
    time.sleep(0.3)
    assert outcome == []  # neither answered nor refused: waiting in the listen backlog
    demo.serve_in_background()
    demo.serve_in_background()  # once only
    asking.join(15)
    try:
        assert outcome == [True]
    finally:
        demo.serve().stop()
