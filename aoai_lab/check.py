"""The connection check: a ladder of rungs that stops at the first failure and reports every rung.

pre-flight → DNS → TCP/TLS → the key (``GET …/models``) → a 1-token chat call to the deployment.
Each rung has a short timeout, the SDK never retries, and the whole ladder has one deadline
(:mod:`aoai_lab.deadline`) that bounds every socket read, so neither an unreachable endpoint nor
one that trickles a byte every few seconds holds the check longer than ``timeout``. The key rung lists models with the latest GA api-version whatever the learner chose, so
a wrong key and a wrong api-version are told apart.
"""

from __future__ import annotations

import concurrent.futures
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from aoai_lab import deadline
from aoai_lab.client import call_context, chat, content_type_problem, make_sdk_client
from aoai_lab.connection import Connection, Normalised, display_endpoint, safe_split
from aoai_lab.diagnosis import OK, CallContext, Diagnosis, from_exception, request_id_of
from aoai_lab.i18n import Lang
from aoai_lab.models import Family, family_of
from aoai_lab.preflight import Finding, blocking, run
from aoai_lab.request import ChatParams, ChatRequest
from aoai_lab.versions import ApiVersions, load_api_versions

Rung = Literal["preflight", "dns", "tcp_tls", "key", "deployment"]
RUNGS: tuple[Rung, ...] = ("preflight", "dns", "tcp_tls", "key", "deployment")
RungState = Literal["ok", "warning", "failed", "skipped"]

NETWORK_TIMEOUT = 5.0
HTTP_TIMEOUT = 10.0
# The whole ladder, every rung included (the CLI's --timeout, the Connect page's check).
CHECK_TIMEOUT = 20.0
PING = "ping"


@dataclass(frozen=True)
class RungResult:
    """One rung's outcome and the facts it established (addresses, TLS version, model, …)."""

    rung: Rung
    state: RungState
    duration_ms: float = 0.0
    facts: Mapping[str, str] = field(default_factory=dict)
    diagnosis: Diagnosis | None = None
    status: int | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class CheckReport:
    """Every rung, the pre-flight findings and the one diagnosis that sums the check up."""

    connection: Connection
    rungs: tuple[RungResult, ...]
    findings: tuple[Finding, ...]
    diagnosis: Diagnosis
    model: str | None = None
    region: str | None = None
    latency_ms: float | None = None

    @property
    def ok(self) -> bool:
        """True when the deployment answered."""
        return self.diagnosis.ok

    @property
    def family(self) -> Family:
        """The model family learned from the reply (decides the chat parameters)."""
        return family_of(self.model) if self.model else "unknown"

    def to_dict(self, lang: Lang) -> dict[str, Any]:
        """A JSON-ready report with no key in it (``check --json``, diagnostic report)."""
        conn = self.connection
        return {
            "ok": self.ok,
            "connection": {
                "endpoint": display_endpoint(conn.endpoint),
                "deployment": conn.deployment,
                "api_version": conn.api_version,
                "style": conn.style,
            },
            "rungs": [
                {
                    "rung": r.rung,
                    "state": r.state,
                    "duration_ms": round(r.duration_ms, 1),
                    "facts": dict(r.facts),
                    **({"status": r.status} if r.status is not None else {}),
                    **({"request_id": r.request_id} if r.request_id else {}),
                }
                for r in self.rungs
            ],
            "findings": [{"code": f.code, "severity": f.severity, "field": f.field_name} for f in self.findings],
            "diagnosis": self.diagnosis.to_dict(lang),
            "model": self.model,
            "family": self.family,
            "region": self.region,
        }


class _RungFailed(Exception):
    def __init__(self, result: RungResult) -> None:
        super().__init__(result.rung)
        self.result = result


@dataclass
class _Ladder:
    connection: Connection
    versions: ApiVersions
    network_timeout: float
    http_timeout: float
    extra_headers: Mapping[str, str] | None
    on_rung: Callable[[RungResult], None] | None
    clock: Callable[[], float]
    done: list[RungResult] = field(default_factory=list)

    def report(self, result: RungResult) -> RungResult:
        self.done.append(result)
        if self.on_rung:
            self.on_rung(result)
        if result.state == "failed":
            raise _RungFailed(result)
        return result

    def elapsed(self, started: float) -> float:
        return (self.clock() - started) * 1000

    @property
    def host_port(self) -> tuple[str, int]:
        parts = safe_split(self.connection.endpoint)  # pre-flight has refused what cannot parse
        if parts is None:
            return "", 0
        return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)

    def left(self, timeout: float) -> float:
        """``timeout`` cut to what is left of the check's deadline."""
        return deadline.bounded(timeout) or 0.0

    def out_of_time(self, rung: Rung, started: float) -> RungResult:
        """The rung that was due when the check's deadline ran out."""
        diagnosis = from_exception(TimeoutError("the check's deadline passed"), self._context())
        return RungResult(rung, "failed", self.elapsed(started), diagnosis=diagnosis)

    def dns(self) -> RungResult:
        host, port = self.host_port
        started = self.clock()
        if self.left(self.network_timeout) <= 0:
            return self.out_of_time("dns", started)
        # getaddrinfo has no timeout of its own; run it where we can stop waiting.
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        try:
            future = pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
            infos = future.result(self.left(self.network_timeout))
        except Exception as error:
            diagnosis = from_exception(_as_dns_error(error), self._context())
            return RungResult("dns", "failed", self.elapsed(started), diagnosis=diagnosis)
        finally:
            pool.shutdown(wait=False)
        addresses = sorted({str(info[4][0]) for info in infos})
        return RungResult("dns", "ok", self.elapsed(started), {"addresses": ", ".join(addresses[:4])})

    def tcp_tls(self) -> RungResult:
        host, port = self.host_port
        started = self.clock()
        facts = {"port": str(port)}
        if self.left(self.network_timeout) <= 0:
            return self.out_of_time("tcp_tls", started)
        try:
            with socket.create_connection((host, port), timeout=self.left(self.network_timeout)) as sock:
                if self.connection.endpoint.lower().startswith("https://"):
                    sock.settimeout(self.left(self.network_timeout))  # the handshake gets what is left
                    context = ssl.create_default_context()
                    with context.wrap_socket(sock, server_hostname=host) as tls:
                        facts["tls"] = tls.version() or ""
        except Exception as error:
            diagnosis = from_exception(error, self._context())
            return RungResult("tcp_tls", "failed", self.elapsed(started), facts, diagnosis)
        return RungResult("tcp_tls", "ok", self.elapsed(started), facts)

    def key(self) -> RungResult:
        # The latest GA version, whatever the learner chose: this rung tests the key alone.
        probe = self.connection
        if probe.style == "classic":
            probe = probe.with_values(api_version=self.versions.latest_ga)
        started = self.clock()
        context = CallContext(
            probe.deployment, probe.api_version, probe.style, probe.host, _models_url(probe), (probe.api_key,)
        )
        diagnosis: Diagnosis | None
        try:
            client = make_sdk_client(probe, timeout=self.left(self.http_timeout), extra_headers=self.extra_headers)
            raw = client.models.with_raw_response.list()
            diagnosis = content_type_problem(raw, "application/json", context)
            listed = 0 if diagnosis else len(raw.parse().data)
        except Exception as error:
            diagnosis = from_exception(error, context)
        if diagnosis is not None:
            evidence = diagnosis.evidence
            elapsed = self.elapsed(started)
            return RungResult("key", "failed", elapsed, {}, diagnosis, evidence.status, evidence.request_id)
        facts = {"models": str(listed)}
        elapsed = self.elapsed(started)
        return RungResult("key", "ok", elapsed, facts, status=raw.status_code, request_id=request_id_of(raw.headers))

    def deployment(self) -> tuple[RungResult, str | None, str | None, float]:
        connection = self.connection
        supports_new = connection.style == "v1" or self.versions.supports(
            connection.api_version, "max_completion_tokens"
        )
        # One token, named the way every family accepts on this api-version.
        params = ChatParams(max_completion_tokens=1) if supports_new else ChatParams(max_tokens=1)
        request = ChatRequest.simple(PING, params=params)
        result = chat(
            connection,
            request,
            timeout=self.left(self.http_timeout),
            extra_headers=self.extra_headers,
            clock=self.clock,
        )
        if result.diagnosis.ok or result.diagnosis.code == "content_filtered":
            facts = {
                "model": result.model or "",
                "region": result.region or "",
                "finish_reason": result.finish_reason or "",
            }
            rung = RungResult(
                "deployment", "ok", result.latency_ms, facts, status=result.status, request_id=result.request_id
            )
            return rung, result.model, result.region, result.latency_ms
        rung = RungResult(
            "deployment",
            "failed",
            result.latency_ms,
            diagnosis=result.diagnosis,
            status=result.status,
            request_id=result.request_id,
        )
        return rung, None, None, result.latency_ms

    def _context(self) -> CallContext:
        return replace(call_context(self.connection), secrets=(self.connection.api_key,))


def _models_url(connection: Connection) -> str:
    if connection.style == "v1":
        return f"{connection.root}/openai/v1/models"
    return f"{connection.root}/openai/models?api-version={connection.api_version}"


def _as_dns_error(error: BaseException) -> BaseException:
    if isinstance(error, concurrent.futures.TimeoutError | TimeoutError):
        # A resolver that does not answer in time is still a name-resolution failure.
        return socket.gaierror(socket.EAI_AGAIN, "name resolution timed out")
    return error


def run_check(
    normalised: Normalised,
    *,
    versions: ApiVersions | None = None,
    network_timeout: float = NETWORK_TIMEOUT,
    http_timeout: float = HTTP_TIMEOUT,
    timeout: float = CHECK_TIMEOUT,
    extra_headers: Mapping[str, str] | None = None,
    on_rung: Callable[[RungResult], None] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> CheckReport:
    """Climb the ladder for ``normalised``; ``on_rung`` sees each rung as it finishes.

    ``timeout`` bounds the whole ladder; ``network_timeout`` and ``http_timeout`` bound one rung.
    """
    with deadline.within(timeout):
        return _climb(normalised, versions, network_timeout, http_timeout, extra_headers, on_rung, clock)


def _climb(
    normalised: Normalised,
    versions: ApiVersions | None,
    network_timeout: float,
    http_timeout: float,
    extra_headers: Mapping[str, str] | None,
    on_rung: Callable[[RungResult], None] | None,
    clock: Callable[[], float],
) -> CheckReport:
    versions = versions or load_api_versions()
    connection = normalised.connection
    ladder = _Ladder(connection, versions, network_timeout, http_timeout, extra_headers, on_rung, clock)
    findings = tuple(run(normalised, versions))
    errors = blocking(list(findings))
    warnings = [f for f in findings if f.severity == "warning"]
    model = region = None
    latency = None
    try:
        if errors:
            ladder.report(RungResult("preflight", "failed", diagnosis=errors[0].diagnosis()))
        facts = {"findings": str(len(findings))} if findings else {}
        ladder.report(RungResult("preflight", "warning" if warnings else "ok", facts=facts))
        ladder.report(ladder.dns())
        ladder.report(ladder.tcp_tls())
        ladder.report(ladder.key())
        rung, model, region, latency = ladder.deployment()
        ladder.report(rung)
    except _RungFailed as failed:
        assert failed.result.diagnosis is not None  # a failed rung always carries its diagnosis
        skipped = [RungResult(r, "skipped") for r in RUNGS[len(ladder.done) :]]
        for result in skipped:
            ladder.report(result)
        return CheckReport(connection, tuple(ladder.done), findings, failed.result.diagnosis, latency_ms=latency)
    return CheckReport(connection, tuple(ladder.done), findings, OK, model, region, latency)
