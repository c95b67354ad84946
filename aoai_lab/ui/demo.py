"""The built-in offline demo: one emulator per server process, shared by every session.

Sharing it is safe: it holds no secret (the demo key is public), and faults are asked for per
request, so one student's experiment never reaches another. It keeps no record of requests.

It listens on a stable port (:data:`~aoai_lab.emulator.DEMO_PORT`, or ``AOAI_LAB_DEMO_PORT``), so
a snippet copied from the Code page still works after the app restarts; only when that port is
taken (a second app, ``python -m aoai_lab emulator``) does it take a free one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

import streamlit as st

from aoai_lab.connection import Connection
from aoai_lab.emulator import DEMO_KEY, DEMO_PORT, EmulatorConfig, EmulatorServer
from aoai_lab.models import family_of
from aoai_lab.preflight import TUTORIAL_DEPLOYMENT
from aoai_lab.versions import recommended_api_versions

DEMO_DEPLOYMENT = TUTORIAL_DEPLOYMENT
# What a reasoning deployment accepts (2025-04-01-preview today), from the api-version data.
DEMO_API_VERSION = recommended_api_versions(family_of(DEMO_DEPLOYMENT))[0]
# Streaming pace of the demo; tests set it to 0 (instant).
PACE_ENV = "AOAI_LAB_DEMO_TOKENS_PER_SECOND"
# The port the demo tries first; 0 asks for a free one every time.
PORT_ENV = "AOAI_LAB_DEMO_PORT"

_log = logging.getLogger(__name__)


def preferred_port(environ: Mapping[str, str] | None = None) -> int:
    """``AOAI_LAB_DEMO_PORT`` when it is a port number, else :data:`DEMO_PORT`."""
    raw = (os.environ if environ is None else environ).get(PORT_ENV, "").strip()
    if not raw:
        return DEMO_PORT
    if raw.isdigit() and int(raw) <= 65535:
        return int(raw)
    _log.warning("%s=%r is not a port number (0-65535); using %d", PORT_ENV, raw[:20], DEMO_PORT)
    return DEMO_PORT


def start_demo(config: EmulatorConfig, port: int) -> EmulatorServer:
    """An emulator on loopback ``port``, or on a free port when ``port`` is taken."""
    try:
        return EmulatorServer(config, port=port).start()
    except OSError as error:  # EADDRINUSE: another app or emulator has it
        _log.info("demo port %d is taken (%s); using a free port", port, error)
        return EmulatorServer(config, port=0).start()


@st.cache_resource(show_spinner=False)
def demo_server() -> EmulatorServer:
    """The process's demo emulator (started on first use) on its stable port when it is free."""
    pace = float(os.environ.get(PACE_ENV, "40"))
    return start_demo(EmulatorConfig(tokens_per_second=pace), preferred_port())


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
