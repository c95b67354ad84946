"""Shared fixtures: a real emulator on loopback, driven over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aoai_lab.connection import Connection
from aoai_lab.emulator import DEMO_KEY, EmulatorConfig, EmulatorServer


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    """One instant (unpaced) emulator for the whole test session, recording what it receives."""
    with EmulatorServer(EmulatorConfig(tokens_per_second=0, record_requests=True, timeout_fault_seconds=3)) as server:
        yield server


@pytest.fixture
def demo_connection(emulator: EmulatorServer) -> Connection:
    """A classic-route connection to the emulator's reasoning deployment (the tutorial's gpt-5.1)."""
    return Connection(
        endpoint=emulator.endpoint,
        api_key=DEMO_KEY,
        deployment="gpt-5.1",
        api_version="2025-04-01-preview",
        style="classic",
        source="demo",
    )
