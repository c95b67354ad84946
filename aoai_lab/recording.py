"""What the app writes into the session's request log for each call it makes.

Only the fields of :class:`~aoai_lab.requestlog.RequestRecord` travel: no key, no header value,
no message text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from aoai_lab.check import CheckReport
from aoai_lab.client import ChatResult, Usage
from aoai_lab.connection import Connection
from aoai_lab.experiments import Trial
from aoai_lab.requestlog import RequestRecord, host_of

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def _record(
    connection: Connection,
    page: str,
    operation: str,
    *,
    status: int | None,
    code: str,
    request_id: str | None,
    clock: Clock,
    latency_ms: float | None = None,
    ttft_ms: float | None = None,
    usage: Usage | None = None,
    streamed: bool = False,
) -> RequestRecord:
    return RequestRecord(
        time=clock(),
        page=page,
        operation=operation,
        api_style=connection.style,
        host=host_of(connection.endpoint),
        deployment=connection.deployment,
        status=status,
        code=code,
        request_id=request_id,
        ttft_ms=ttft_ms,
        latency_ms=latency_ms,
        prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None,
        reasoning_tokens=usage.reasoning_tokens if usage else None,
        streamed=streamed,
    )


def chat_record(result: ChatResult, connection: Connection, page: str, *, clock: Clock = _now) -> RequestRecord:
    """The record of one chat call."""
    return _record(
        connection,
        page,
        "chat_stream" if result.streamed else "chat",
        status=result.status,
        code=result.diagnosis.code,
        request_id=result.request_id,
        clock=clock,
        latency_ms=result.latency_ms,
        ttft_ms=result.ttft_ms,
        usage=result.usage,
        streamed=result.streamed,
    )


# The rungs that go over the network (pre-flight does not, and skipped rungs did nothing).
_LOGGED_RUNGS = {"dns": "dns", "tcp_tls": "tcp_tls", "key": "models", "deployment": "check_chat"}


def check_records(report: CheckReport, page: str, *, clock: Clock = _now) -> list[RequestRecord]:
    """One record per network rung the check climbed."""
    return [
        _record(
            report.connection,
            page,
            _LOGGED_RUNGS[rung.rung],
            status=rung.status,
            code=rung.diagnosis.code if rung.diagnosis else "ok",
            request_id=rung.request_id,
            clock=clock,
            latency_ms=rung.duration_ms,
        )
        for rung in report.rungs
        if rung.rung in _LOGGED_RUNGS and rung.state != "skipped"
    ]


def trial_records(trial: Trial, page: str = "troubleshoot", *, clock: Clock = _now) -> list[RequestRecord]:
    """The records of one troubleshooting experiment (pre-flight-only ones made no request)."""
    if trial.report is not None:
        return check_records(trial.report, page, clock=clock)
    if trial.result is not None:
        return [chat_record(trial.result, trial.connection, page, clock=clock)]
    if trial.experiment.kind == "bearer":
        evidence = trial.diagnosis.evidence
        return [
            _record(
                trial.connection,
                page,
                "chat",
                status=evidence.status,
                code=trial.diagnosis.code,
                request_id=evidence.request_id,
                clock=clock,
            )
        ]
    return []
