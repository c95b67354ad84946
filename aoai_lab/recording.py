"""What the app writes into the session's request log for each call it makes.

Only the fields of :class:`~aoai_lab.requestlog.RequestRecord` travel: no key, no header value,
no message text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from aoai_lab.check import CheckReport
from aoai_lab.client import ChatResult
from aoai_lab.connection import Connection
from aoai_lab.experiments import Trial
from aoai_lab.requestlog import RequestRecord, host_of

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def chat_record(result: ChatResult, connection: Connection, page: str, *, clock: Clock = _now) -> RequestRecord:
    """The record of one chat call."""
    usage = result.usage
    return RequestRecord(
        time=clock(),
        page=page,
        operation="chat_stream" if result.streamed else "chat",
        api_style=connection.style,
        host=host_of(connection.endpoint),
        deployment=connection.deployment,
        status=result.status,
        code=result.diagnosis.code,
        request_id=result.request_id,
        ttft_ms=result.ttft_ms,
        latency_ms=result.latency_ms,
        prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None,
        reasoning_tokens=usage.reasoning_tokens if usage else None,
        streamed=result.streamed,
    )


# The rungs that go over the network (pre-flight does not, and skipped rungs did nothing).
_LOGGED_RUNGS = {"dns": "dns", "tcp_tls": "tcp_tls", "key": "models", "deployment": "check_chat"}


def check_records(report: CheckReport, page: str, *, clock: Clock = _now) -> list[RequestRecord]:
    """One record per network rung the check climbed."""
    connection = report.connection
    records = []
    for rung in report.rungs:
        if rung.rung not in _LOGGED_RUNGS or rung.state == "skipped":
            continue
        records.append(
            RequestRecord(
                time=clock(),
                page=page,
                operation=_LOGGED_RUNGS[rung.rung],
                api_style=connection.style,
                host=host_of(connection.endpoint),
                deployment=connection.deployment,
                status=rung.status,
                code=rung.diagnosis.code if rung.diagnosis else "ok",
                request_id=rung.request_id,
                ttft_ms=None,
                latency_ms=rung.duration_ms,
                prompt_tokens=None,
                completion_tokens=None,
                reasoning_tokens=None,
                streamed=False,
            )
        )
    return records


def trial_records(trial: Trial, page: str = "troubleshoot", *, clock: Clock = _now) -> list[RequestRecord]:
    """The records of one troubleshooting experiment (pre-flight-only ones made no request)."""
    if trial.report is not None:
        return check_records(trial.report, page, clock=clock)
    if trial.result is not None:
        return [chat_record(trial.result, trial.connection, page, clock=clock)]
    if trial.experiment.kind == "bearer":
        evidence = trial.diagnosis.evidence
        connection = trial.connection
        return [
            RequestRecord(
                time=clock(),
                page=page,
                operation="chat",
                api_style=connection.style,
                host=host_of(connection.endpoint),
                deployment=connection.deployment,
                status=evidence.status,
                code=trial.diagnosis.code,
                request_id=evidence.request_id,
                ttft_ms=None,
                latency_ms=None,
                prompt_tokens=None,
                completion_tokens=None,
                reasoning_tokens=None,
                streamed=False,
            )
        ]
    return []
