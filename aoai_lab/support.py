"""The diagnostic report a learner pastes into a help request: everything useful, no key.

It names the host *family* (``*.openai.azure.com``), not the resource, so it can be posted in a
class chat without exposing anything.
"""

from __future__ import annotations

import platform
import sys
from datetime import UTC, datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version

import aoai_lab
from aoai_lab.check import CheckReport
from aoai_lab.classroom.evidence import EVERYTHING, StudentView
from aoai_lab.client import ChatResult
from aoai_lab.connection import Connection
from aoai_lab.preflight import AZURE_HOST_SUFFIXES, is_loopback


def host_family(connection: Connection) -> str:
    """The kind of host, without the resource name: ``*.openai.azure.com``, ``loopback``, ``other``."""
    host = connection.host.lower()
    if not host:
        return "(none)"
    if is_loopback(host):
        return "loopback (offline demo)"
    suffix = next((s for s in AZURE_HOST_SUFFIXES if host.endswith(s)), None)
    return f"*{suffix}" if suffix else "other (not an Azure OpenAI host)"


@cache  # installed versions do not change while the process runs; the lookup reads metadata files
def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def diagnostic_report(
    connection: Connection,
    check: CheckReport | None,
    last_chat: ChatResult | None = None,
    *,
    now: datetime | None = None,
    view: StudentView = EVERYTHING,
) -> str:
    """A plain-text report of versions, connection shape and the last outcomes (never the key).

    ``view``: in classroom mode, what a student may see of a response (a non-Azure host's error
    code and request id are withheld, issue 11); outside it, everything."""
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = [
        "AOAI Lab diagnostic report (contains no key)",
        f"time: {when}",
        f"aoai-lab {aoai_lab.__version__} · openai {_package('openai')} · streamlit {_package('streamlit')}",
        f"python {sys.version.split()[0]} · {platform.system()} {platform.machine()}",
        "",
        f"host: {host_family(connection)}",
        f"api style: {connection.style}",
        f"api-version: {connection.api_version or '(none)'}",
        f"deployment: {connection.deployment or '(none)'}",
        f"key: {'set' if connection.api_key else 'empty'}, {len(connection.api_key)} characters",
    ]
    if check is not None:
        rungs = ", ".join(f"{r.rung}={r.state}" for r in check.rungs)
        lines += ["", f"last check: {check.diagnosis.code} (step {check.diagnosis.step})", f"rungs: {rungs}"]
        evidence = view.evidence(check.diagnosis.evidence)
        lines += _evidence_lines(evidence.status, evidence.error_code, evidence.request_id)
        if check.model:
            lines.append(f"model: {check.model} · region: {check.region or '?'}")
    if last_chat is not None:
        lines += ["", f"last chat: {last_chat.diagnosis.code}"]
        evidence = view.evidence(last_chat.diagnosis.evidence)
        request_id = last_chat.request_id if evidence == last_chat.diagnosis.evidence else None
        lines += _evidence_lines(last_chat.status, evidence.error_code, request_id)
    return "\n".join(lines) + "\n"


def _evidence_lines(status: int | None, error_code: str | None, request_id: str | None) -> list[str]:
    return [
        f"http status: {status if status is not None else '(no response)'}",
        f"error code: {error_code or '-'}",
        f"request id: {request_id or '-'}",
    ]
