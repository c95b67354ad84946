"""The built-in offline demo: one emulator per server process, shared by every session.

Sharing it is safe: it holds no secret (the demo key is public), and faults are asked for per
request, so one student's experiment never reaches another. It keeps no record of requests.
"""

from __future__ import annotations

import os

import streamlit as st

from aoai_lab.connection import Connection
from aoai_lab.emulator import DEMO_KEY, EmulatorConfig, EmulatorServer

DEMO_DEPLOYMENT = "gpt-5.1"  # the tutorial's deployment
DEMO_API_VERSION = "2025-04-01-preview"
# Streaming pace of the demo; tests set it to 0 (instant).
PACE_ENV = "AOAI_LAB_DEMO_TOKENS_PER_SECOND"


@st.cache_resource(show_spinner=False)
def demo_server() -> EmulatorServer:
    """The process's demo emulator on a free loopback port (started on first use)."""
    pace = float(os.environ.get(PACE_ENV, "40"))
    return EmulatorServer(EmulatorConfig(tokens_per_second=pace)).start()


def demo_connection() -> Connection:
    """A connection to the demo emulator, as a learner would type it."""
    return Connection(
        endpoint=demo_server().endpoint,
        api_key=DEMO_KEY,
        deployment=DEMO_DEPLOYMENT,
        api_version=DEMO_API_VERSION,
        style="classic",
        source="demo",
    )


def is_demo(connection: Connection) -> bool:
    """True when ``connection`` points at this process's demo emulator."""
    return connection.root == demo_server().endpoint.rstrip("/")
