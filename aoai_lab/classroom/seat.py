"""The classroom seen from one request: which session sends it, and the hooks the client calls.

``aoai_lab.client`` asks :func:`admit` before every chat request and settles the
:class:`Admission` after it; pre-flight asks :func:`host_refusal` about every typed endpoint.
Outside classroom mode (no seat) both do nothing. A seat is found in a context variable (tests,
tools) or in the running Streamlit session; the CLI and worker threads have none.
"""

from __future__ import annotations

import contextlib
import math
import random
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from aoai_lab.classroom.gate import Gate, Refusal, Ticket
from aoai_lab.classroom.hostguard import HostRefusal, Resolver, check_endpoint
from aoai_lab.connection import Connection
from aoai_lab.diagnosis import Diagnosis, Evidence
from aoai_lab.models import family_of
from aoai_lab.request import ChatRequest
from aoai_lab.tokens import estimate_prompt_tokens, estimate_tokens

if TYPE_CHECKING:
    from aoai_lab.client import ChatResult

# Connections the server itself configured: the instructor's (.env, environment, secrets) and the
# built-in demo. Only what a session typed goes through the host guard.
TRUSTED_SOURCES = ("env", "secrets", "demo")


@dataclass(frozen=True)
class Seat:
    """One session of a class: its random id, whether it gave the access code, the class's gate."""

    gate: Gate
    session: str
    unlocked: bool
    resolve: Resolver | None = field(default=None, compare=False)


_current: ContextVar[Seat | None] = ContextVar("classroom_seat", default=None)


def current() -> Seat | None:
    """The seat of the request being made, or None outside classroom mode."""
    seat = _current.get()
    if seat is not None or "streamlit" not in sys.modules:
        return seat
    from aoai_lab.classroom.session import session_seat  # Streamlit only when it already runs

    return session_seat()


@contextmanager
def seated(seat: Seat | None) -> Iterator[None]:
    """Make ``seat`` the current one inside the block (tests and tools)."""
    token = _current.set(seat)
    try:
        yield
    finally:
        _current.reset(token)


def host_refusal(connection: Connection) -> HostRefusal | None:
    """Why a typed endpoint may not be called in classroom mode (None when it may, or mode is off)."""
    seat = current()
    if seat is None or connection.source in TRUSTED_SOURCES:
        return None
    return check_endpoint(connection.endpoint, seat.gate.config.allowed_hosts, seat.resolve)


def refusal_diagnosis(
    code: str, retry_after: float | None = None, params: Mapping[str, str] | None = None
) -> Diagnosis:
    """A refusal as a diagnosis (texts in ``locales/*/classroom.toml``), with when to go on."""
    params = dict(params or {})
    if retry_after is not None:
        params["seconds"] = str(max(1, math.ceil(retry_after)))
    return Diagnosis(code, Evidence(detail="classroom"), params, severity="warning")


def _length_param(request: ChatRequest, connection: Connection) -> str:
    if request.params.max_completion_tokens is not None:
        return "max_completion_tokens"
    if request.params.max_tokens is not None:
        return "max_tokens"
    # Nothing asked: the server still sets a cap, named the way the model family accepts it.
    return "max_completion_tokens" if family_of(connection.deployment) == "reasoning" else "max_tokens"


@dataclass
class Admission:
    """A request let through (possibly with a shorter reply length) or refused before sending."""

    request: ChatRequest
    seat: Seat | None = None
    ticket: Ticket | None = None
    refusal: Diagnosis | None = None
    _noted_429: Any = field(default=None, repr=False)

    def retry(self, result: ChatResult | None, text: str = "") -> bool:
        """After an Azure 429 on the shared deployment: wait its retry-after and say "send again",
        at most once per request and once per back-off in the whole class; else False."""
        if self.seat is None or self.ticket is None or not self.ticket.shared or result is None:
            return False
        if result.diagnosis.code != "rate_limited" or text or self._noted_429 is not None:
            return False
        seconds = float(result.diagnosis.params.get("seconds") or 0) or None
        gate = self.seat.gate
        # Counted now (the back-off starts for everyone); the reservation stays for the retry.
        gate.settle(
            self.ticket,
            total_tokens=None,
            received_tokens=0,
            outcome="rate_limited",
            retry_after=seconds,
            release=False,
        )
        self._noted_429 = result
        if not gate.claim_retry(seconds):
            return False
        time.sleep((seconds or 0) + random.uniform(0, 0.5))  # noqa: S311 - jitter, not a secret
        return True

    def settle(self, result: ChatResult | None, text: str = "") -> None:
        """Count what the request spent (Azure's usage, else an estimate) and free the rest."""
        if self.seat is None or self.ticket is None:
            return
        if result is not None and result is self._noted_429:
            self.seat.gate.release(self.ticket)  # counted when the retry was decided; not retried
            return
        usage = result.usage if result is not None else None
        outcome = result.diagnosis.code if result is not None else "stream_interrupted"
        seconds = result.diagnosis.params.get("seconds") if result is not None else None
        # A store outage must not break the reply that already came.
        with contextlib.suppress(Exception):
            self.seat.gate.settle(
                self.ticket,
                total_tokens=usage.prompt_tokens + usage.completion_tokens if usage else None,
                received_tokens=estimate_tokens(text or (result.text if result else "")),
                outcome=outcome,
                retry_after=float(seconds) if seconds else None,
            )


def admit(connection: Connection, request: ChatRequest) -> Admission:
    """Let ``request`` through the class's limits (clamping its reply length) or refuse it."""
    seat = current()
    if seat is None:
        return Admission(request)
    refused = host_refusal(connection)
    if refused is not None:
        return Admission(request, seat, refusal=refusal_diagnosis(refused.code, params=refused.params))
    name = _length_param(request, connection)
    requested = getattr(request.params, name)
    messages = request.body(connection.deployment)["messages"]
    try:
        outcome = seat.gate.admit(
            seat.session,
            shared=connection.key_on_server,
            unlocked=seat.unlocked,
            prompt_tokens=estimate_prompt_tokens(messages),
            requested_output=requested,
        )
    except Exception:  # Redis unreachable: refuse rather than send unmetered
        return Admission(request, seat, refusal=refusal_diagnosis("classroom_unavailable"))
    if isinstance(outcome, Refusal):
        return Admission(request, seat, refusal=refusal_diagnosis(outcome.code, outcome.retry_after))
    # Clamped here, in Python, whatever the page's widget allowed.
    if name == "max_completion_tokens":
        params = replace(request.params, max_completion_tokens=outcome.max_output)
    else:
        params = replace(request.params, max_tokens=outcome.max_output)
    clamped = request.with_params(params)
    return Admission(clamped, seat, ticket=outcome)
