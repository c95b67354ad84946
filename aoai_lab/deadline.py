"""One deadline for a whole operation (the connection check), enforced on every socket operation.

httpx's timeouts are per operation: a server that trickles one byte every few seconds never trips a
10 s read timeout and can hold a request for minutes. Inside :func:`within`, every connect, TLS
handshake, read and write of an HTTP client built on :func:`transport` waits at most for the time
left, and fails with httpx's own timeout once it is gone. The deadline lives in a context
variable, so the process's one shared HTTP client serves every session and only the calls made
inside ``within`` are bounded.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpcore2
import httpx2

_DEADLINE: ContextVar[float | None] = ContextVar("aoai_lab_deadline", default=None)


@contextmanager
def within(seconds: float) -> Iterator[float]:
    """Bound everything inside to ``seconds`` from now; a nested deadline never extends an outer one."""
    deadline = time.monotonic() + max(0.0, seconds)
    outer = _DEADLINE.get()
    token = _DEADLINE.set(deadline if outer is None else min(deadline, outer))
    try:
        yield deadline
    finally:
        _DEADLINE.reset(token)


def remaining() -> float | None:
    """Seconds left before the current deadline (0 once it has passed), or None outside one."""
    deadline = _DEADLINE.get()
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def bounded(timeout: float | None) -> float | None:
    """``timeout`` cut to the time left (None means no limit at all)."""
    left = remaining()
    if left is None:
        return timeout
    return left if timeout is None else min(timeout, left)


def _limit(timeout: float | None, error: type[Exception]) -> float | None:
    limit = bounded(timeout)
    if limit is not None and limit <= 0:
        raise error("the deadline passed")
    return limit


class _Stream(httpcore2.NetworkStream):
    """A socket stream whose every operation waits at most until the deadline."""

    def __init__(self, inner: httpcore2.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _limit(timeout, httpcore2.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _limit(timeout, httpcore2.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> _Stream:
        tls = self._inner.start_tls(ssl_context, server_hostname, _limit(timeout, httpcore2.ConnectTimeout))
        return _Stream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore2.NetworkBackend):
    """httpcore's socket backend with :func:`within`'s deadline applied to every operation."""

    def __init__(self, inner: httpcore2.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore2.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.NetworkStream:
        limit = _limit(timeout, httpcore2.ConnectTimeout)
        return _Stream(self._inner.connect_tcp(host, port, limit, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore2.NetworkStream:
        limit = _limit(timeout, httpcore2.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, limit, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def transport(**options: Any) -> httpx2.HTTPTransport:
    """An ``httpx2.HTTPTransport`` (same ``options``) whose sockets honour :func:`within`.

    httpx has no public hook for the network backend, so the pool it builds is given ours; the
    check in ``tests/test_deadline.py`` fails loudly if a new httpx2 renames that attribute.
    """
    built = httpx2.HTTPTransport(**options)
    pool = built._pool
    pool._network_backend = DeadlineBackend(pool._network_backend)
    return built
