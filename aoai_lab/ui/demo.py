"""The built-in offline demo: one emulator per server process, shared by every session.

Sharing it is safe: it holds no secret (the demo key is public), and faults are asked for per
request, so one student's experiment never reaches another. It keeps no record of requests.

In classroom mode with ``demo_url`` set, the class's own emulator (its own process, started by
the instructor) *is* the demo: no in-process one is started. An emulator inside the app's process
shares the GIL with the server; at 60 sessions its 300-token replies took 33 s instead of 3
(issue 12).

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
from aoai_lab.emulator.options import deployments
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
# The demo's per-deployment quota. One demo deployment serves a whole class, and Azure's 600 RPM
# is checked over 10 s or even 1 s windows ("600 RPM ⇒ more than 10 requests in one second →
# 429", MicrosoftDocs/azure-ai-docs articles/ai-foundry/openai/how-to/quota.md): a class clicking
# "check" together would meet 429s no lesson asked for. The ``429`` fault still teaches them.
DEMO_RPM = 1_000_000
DEMO_TPM = 10_000_000_000

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


def demo_config(tokens_per_second: float) -> EmulatorConfig:
    """The in-process demo's emulator: the default deployments, with a class-sized quota."""
    return EmulatorConfig(tokens_per_second=tokens_per_second, deployments=deployments((), DEMO_RPM, DEMO_TPM))


@st.cache_resource(show_spinner=False)
def demo_server() -> EmulatorServer:
    """The process's demo emulator (started on first use) on its stable port when it is free."""
    pace = float(os.environ.get(PACE_ENV, "40"))
    return start_demo(demo_config(pace), preferred_port())


def class_demo_url() -> str | None:
    """The classroom's external demo emulator (``demo_url``, ending in ``/``), or None."""
    from aoai_lab.classroom import demo_url  # session-cached configuration inside a run

    url = (demo_url() or "").strip()
    return url.rstrip("/") + "/" if url else None


def demo_endpoint() -> str:
    """Where the demo is: the class's ``demo_url`` when set, else this process's own emulator."""
    return class_demo_url() or demo_server().endpoint


def demo_connection() -> Connection:
    """A connection to the demo emulator, as a learner would type it."""
    return Connection(
        endpoint=demo_endpoint(),
        api_key=DEMO_KEY,
        deployment=DEMO_DEPLOYMENT,
        api_version=DEMO_API_VERSION,
        style="classic",
        source="demo",
    )


def is_demo(connection: Connection) -> bool:
    """True when ``connection`` points at the demo emulator (``demo_endpoint``)."""
    return connection.root == demo_endpoint().rstrip("/")
