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

The first page needs only the demo's endpoint (the form is filled with it), not its server:
uvicorn and the emulator's routes cost ~80 ms of imports and ~25 ms of start-up (issue 12). So the
port is bound and listening at once, and the server starts on a background thread at the end of
the first run (``app.py``); a request that comes earlier waits in the listen backlog. Unlike the
warm-up (aoai_lab/warmup.py) it starts at once: a click on "offline demo" right after the first
page must not wait, and its ~0.1 s of imports barely delays that page's messages.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

import streamlit as st

from aoai_lab.connection import Connection
from aoai_lab.emulator.config import DEMO_KEY, DEMO_PORT, EmulatorConfig
from aoai_lab.emulator.listener import bind_loopback, listening
from aoai_lab.emulator.options import deployments
from aoai_lab.models import family_of
from aoai_lab.preflight import TUTORIAL_DEPLOYMENT
from aoai_lab.versions import recommended_api_versions

if TYPE_CHECKING:  # the server imports uvicorn and every route: only once it starts
    from aoai_lab.emulator.server import EmulatorServer

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


def reserve_port(port: int) -> socket.socket:
    """A loopback socket bound to ``port``, or to a free port when ``port`` is taken."""
    try:
        return bind_loopback(port=port)
    except OSError as error:  # EADDRINUSE: another app or emulator has it
        _log.info("demo port %d is taken (%s); using a free port", port, error)
        return bind_loopback(port=0)


class DemoServer:
    """The demo emulator: its port listens from the start, its server starts when asked."""

    def __init__(self, config: EmulatorConfig, port: int) -> None:
        self._config = config
        self._socket = listening(reserve_port(port))
        self.port: int = self._socket.getsockname()[1]
        self._lock = threading.Lock()
        self._server: EmulatorServer | None = None
        self._starting: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        """The resource endpoint, with the trailing slash the portal shows."""
        return f"http://127.0.0.1:{self.port}/"

    def serve(self) -> EmulatorServer:
        """The running server, started on the first call (returns once it accepts connections)."""
        with self._lock:
            if self._server is None:
                from aoai_lab.emulator.server import EmulatorServer

                self._server = EmulatorServer(self._config, sock=self._socket).start()
            return self._server

    def serve_in_background(self) -> None:
        """Start the server on a background thread (the first call only); returns at once."""
        with self._lock:
            if self._server is not None or self._starting is not None:
                return
            self._starting = threading.Thread(target=self.serve, name="aoai-lab-demo-start", daemon=True)
            self._starting.start()


def start_demo(config: EmulatorConfig, port: int) -> EmulatorServer:
    """An emulator serving on loopback ``port``, or on a free port when ``port`` is taken."""
    return DemoServer(config, port).serve()


def demo_config(tokens_per_second: float) -> EmulatorConfig:
    """The in-process demo's emulator: the default deployments, with a class-sized quota."""
    return EmulatorConfig(tokens_per_second=tokens_per_second, deployments=deployments((), DEMO_RPM, DEMO_TPM))


@st.cache_resource(show_spinner=False)
def demo_server() -> DemoServer:
    """The process's demo emulator on its stable port when it is free (its server not yet started)."""
    pace = float(os.environ.get(PACE_ENV, "40"))
    return DemoServer(demo_config(pace), preferred_port())


def start_serving() -> None:
    """Let this process's demo serve (in the background), unless the class has its own emulator."""
    if class_demo_url() is None:
        demo_server().serve_in_background()


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
