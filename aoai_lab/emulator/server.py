"""Running the emulator: on a background thread (app and tests) or in the foreground (CLI)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from types import TracebackType
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from aoai_lab.emulator import wire
from aoai_lab.emulator.app import REASON_HEADER, EmulatorState, RecordedRequest, StreamDropped, create_app
from aoai_lab.emulator.config import EmulatorConfig
from aoai_lab.emulator.listener import bind_loopback

_REASON = REASON_HEADER.encode()
# A request (headers and body) must arrive within this many seconds, so a few idle or half-sent
# sockets cannot hold the server (slowloris). Keep-alive idleness is uvicorn's timeout_keep_alive.
REQUEST_READ_TIMEOUT = 10.0
# The 400 for a request that is not valid HTTP (malformed chunked body, bad header), in the gateway
# shape. INFERRED: Azure's front door answers these itself; its exact text is not captured.
_BAD_HTTP = wire.gateway_error_body("BadRequest", "Invalid HTTP request received.")


class _ReasonPhraseConnection:
    """Wraps an ``h11.Connection`` to give responses Azure's own reason phrases.

    ASGI cannot carry a reason phrase, and Azure uses non-standard ones that clients print
    (``401 PermissionDenied``, ``404 DeploymentNotFound``). The app names the phrase in an internal
    header; this wrapper moves it into the status line and drops the header.
    """

    def __init__(self, conn: h11.Connection) -> None:
        self._conn = conn

    def send(self, event: Any) -> bytes | None:
        if isinstance(event, h11.Response):
            reason = next((value for name, value in event.headers if name == _REASON), None)
            if reason is not None:
                headers = [(name, value) for name, value in event.headers if name != _REASON]
                event = h11.Response(status_code=event.status_code, headers=headers, reason=reason)
        data: bytes | None = self._conn.send(event)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


class ReasonPhraseH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with Azure's reason phrases (see ``_ReasonPhraseConnection``), a read
    deadline per request, and a JSON 400 for malformed HTTP."""

    read_timeout = REQUEST_READ_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conn = _ReasonPhraseConnection(self.conn)  # type: ignore[assignment]
        self._read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # uvicorn writes a response's head and body separately; with Nagle on (this transport's
        # socket came without TCP_NODELAY), every keep-alive request after the first waited ~40 ms
        # for the client's delayed ACK: 4 ms → 44 ms per call, twice per connection check (issue 12).
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._arm_read_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY):
            self._arm_read_deadline()
        else:  # the whole request has arrived (or the connection is done): no deadline
            self._disarm_read_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_read_deadline()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        self._disarm_read_deadline()  # idle keep-alive is uvicorn's own timeout from here
        super().on_response_complete()

    def _arm_read_deadline(self) -> None:
        if self._read_deadline is None and not self.transport.is_closing():
            self._read_deadline = self.loop.call_later(self.read_timeout, self._read_timed_out)

    def _disarm_read_deadline(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _read_timed_out(self) -> None:
        self._read_deadline = None
        if self.conn.their_state not in (h11.IDLE, h11.SEND_BODY) or self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # The app is waiting for a body that will not come: tell it the client is gone.
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        """Malformed HTTP (bad chunked body, bad header): a JSON 400 in Azure's shape, then close."""
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(_BAD_HTTP)).encode()),
            (b"connection", b"close"),
        ]
        try:
            for event in (
                h11.Response(status_code=400, headers=headers, reason=b"BadRequest"),
                h11.Data(data=_BAD_HTTP),
                h11.EndOfMessage(),
            ):
                self.transport.write(self.conn.send(event) or b"")
        except h11.LocalProtocolError:
            pass  # a response had already started: closing is all that is left
        self.transport.close()


class _DeliberateFaultFilter(logging.Filter):
    """Keeps deliberate faults out of the server log: a ``drop-stream`` cut, and a ``timeout``
    fault's request still held open when the server stops. Neither is a crash."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and _is_deliberate(record.exc_info[1]))


def _is_deliberate(error: BaseException | None) -> bool:
    """True when ``error`` or anything in its chain/group is a deliberate fault.

    Walks iteratively with a visited set: an exception chain can be cyclic (``a.__context__`` is
    ``b`` and ``b.__context__`` is ``a``), which once made this filter recurse until it crashed.
    """
    pending = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, StreamDropped | asyncio.CancelledError):
            return True
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend((current.__cause__, current.__context__))
    return False


def _quiet_deliberate_faults() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DeliberateFaultFilter) for f in logger.filters):
        logger.addFilter(_DeliberateFaultFilter())


def _protocol_for(config: EmulatorConfig) -> type[ReasonPhraseH11Protocol]:
    """The protocol class with this emulator's read deadline (uvicorn instantiates it per connection)."""
    return type("EmulatorH11Protocol", (ReasonPhraseH11Protocol,), {"read_timeout": config.request_read_timeout})


def _uvicorn_config(state: EmulatorState, host: str, port: int, log_level: str) -> uvicorn.Config:
    _quiet_deliberate_faults()
    return uvicorn.Config(
        create_app(state=state),
        host=host,
        port=port,
        http=_protocol_for(state.config),
        lifespan="off",
        log_level=log_level,
        access_log=False,
        server_header=False,
        # A ``timeout`` fault holds a request open; shutting down must not wait for it.
        timeout_graceful_shutdown=1,
    )


class EmulatorServer:
    """The emulator on a background thread, bound to a free loopback port.

    ``with EmulatorServer() as emulator:`` starts it and stops it cleanly; ``emulator.endpoint`` is
    what a learner would paste as ``AZURE_OPENAI_ENDPOINT``.
    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        sock: socket.socket | None = None,
    ) -> None:
        self.config = config or EmulatorConfig()
        self.state = EmulatorState(self.config)
        # ``sock``: a socket already bound (and maybe listening) by the caller, as the in-process
        # demo does so that its endpoint is known before this module is imported (aoai_lab/ui/demo.py).
        self._socket = sock if sock is not None else bind_loopback(host, port)
        self._host, self.port = self._socket.getsockname()[:2]
        self._server = uvicorn.Server(_uvicorn_config(self.state, self._host, self.port, "error"))
        self._thread = threading.Thread(target=self._run, name=f"aoai-emulator-{self.port}", daemon=True)

    @property
    def endpoint(self) -> str:
        """The resource endpoint, with the trailing slash the portal shows."""
        return f"http://{self._host}:{self.port}/"

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._socket]))

    def start(self, timeout: float = 10.0) -> EmulatorServer:
        """Start serving; returns once the server accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._socket.close()

    def recorded(self) -> list[RecordedRequest]:
        """What requests carried (only when ``config.record_requests`` is on)."""
        return self.state.recorded()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def serve_forever(config: EmulatorConfig, host: str, port: int) -> None:
    """Serve in the foreground until Ctrl+C (``python -m aoai_lab emulator``)."""
    # uvicorn shuts down cleanly on Ctrl+C, then re-raises it; without this the learner's
    # terminal ends in a KeyboardInterrupt traceback and the command exits as if it had failed.
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(_uvicorn_config(EmulatorState(config), host, port, "info")).run()
