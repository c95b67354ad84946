"""The pre-class smoke test: N concurrent one-token checks against the shared deployment.

It answers "will this deployment carry my class?": success rate, p50/p95 latency, and whether the
deployment's tokens-per-minute quota covers ``students × prompts per minute × tokens per prompt``.
Azure enforces TPM per deployment and counts ``max_tokens`` of each request against it
(https://learn.microsoft.com/azure/ai-foundry/openai/how-to/quota#understanding-rate-limits).
"""

from __future__ import annotations

import concurrent.futures
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from aoai_lab.client import ChatResult, chat
from aoai_lab.connection import Connection
from aoai_lab.request import ChatParams, ChatRequest
from aoai_lab.versions import load_api_versions

MAX_CONCURRENCY = 100


@dataclass(frozen=True)
class SmokeResult:
    """What N concurrent one-token checks found."""

    attempts: int
    successes: int
    latencies_ms: tuple[float, ...]
    codes: dict[str, int] = field(default_factory=dict)

    @property
    def success_rate(self) -> float:
        """Successes over attempts (0 when nothing ran)."""
        return self.successes / self.attempts if self.attempts else 0.0

    @property
    def p50_ms(self) -> float | None:
        """Median latency of successful checks."""
        return percentile(self.latencies_ms, 50)

    @property
    def p95_ms(self) -> float | None:
        """95th percentile latency of successful checks."""
        return percentile(self.latencies_ms, 95)


def percentile(values: tuple[float, ...] | list[float], pct: float) -> float | None:
    """The nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Capacity:
    """``students × prompts per minute × tokens per prompt`` against the deployment's TPM."""

    students: int
    prompts_per_minute: float
    tokens_per_prompt: int
    deployment_tpm: int

    @property
    def needed_tpm(self) -> int:
        """Tokens per minute the class will ask for at its peak."""
        return math.ceil(self.students * self.prompts_per_minute * self.tokens_per_prompt)

    @property
    def fits(self) -> bool:
        """True when the deployment's quota covers the class."""
        return self.needed_tpm <= self.deployment_tpm

    @property
    def formula(self) -> str:
        """The sum as shown on the page."""
        return (
            f"{self.students} × {self.prompts_per_minute:g} × {self.tokens_per_prompt} = {self.needed_tpm:,} TPM "
            f"{'≤' if self.fits else '>'} {self.deployment_tpm:,} TPM"
        )


def one_token_request(connection: Connection) -> ChatRequest:
    """A one-token chat, named the way the connection's api-version accepts."""
    versions = load_api_versions()
    new_name = connection.style == "v1" or versions.supports(connection.api_version, "max_completion_tokens")
    params = ChatParams(max_completion_tokens=1) if new_name else ChatParams(max_tokens=1)
    return ChatRequest.simple("ping", params=params)


def run_smoke(
    connection: Connection,
    count: int,
    *,
    send: Callable[[Connection, ChatRequest], ChatResult] | None = None,
) -> SmokeResult:
    """``count`` one-token checks at once (at most :data:`MAX_CONCURRENCY`); never raises."""
    count = max(1, min(count, MAX_CONCURRENCY))
    request = one_token_request(connection)
    sender = send or (lambda conn, req: chat(conn, req, timeout=30.0))
    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        results = list(pool.map(lambda _: sender(connection, request), range(count)))
    codes: dict[str, int] = {}
    for result in results:
        codes[result.diagnosis.code] = codes.get(result.diagnosis.code, 0) + 1
    latencies = tuple(r.latency_ms for r in results if r.ok)
    return SmokeResult(count, sum(1 for r in results if r.ok), latencies, codes)
