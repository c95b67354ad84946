"""Per-deployment request and token rate limits, checked over short windows as Azure does.

Microsoft's quota doc (DOC-QUOTA, MicrosoftDocs/azure-ai-docs articles/ai-foundry/openai/how-to/
quota.md, "Understanding rate limits"): RPM and TPM are evaluated over short periods of 1 or 10
seconds, not per minute -- "600 RPM ⇒ more than 10 requests in one second → 429" (reference §4.7).
So each bucket holds a 10-second share of the per-minute rate and refills continuously: at 60 RPM a
burst of a dozen requests meets a 429 after the tenth.

A request larger than a whole bucket is admitted only when the bucket is full and then empties
it; it never drives the bucket below zero. (Before, ``max_completion_tokens: 10**15`` pushed the
token bucket so far negative that every later request was refused for hours.)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# The evaluation window, seconds (DOC-QUOTA: 1 or 10 s; the longer one lets small quotas burst).
WINDOW_SECONDS = 10.0


@dataclass
class TokenBucket:
    """A bucket for ``rate_per_minute`` that holds one window's share and refills continuously."""

    rate_per_minute: float
    clock: Callable[[], float] = time.monotonic
    window: float = WINDOW_SECONDS
    level: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self) -> None:
        self.level = self.capacity
        self.updated = self.clock()

    @property
    def capacity(self) -> float:
        """What the bucket holds when full: the window's share of the rate, at least one unit."""
        return max(1.0, self.rate_per_minute * self.window / 60.0)

    @property
    def per_second(self) -> float:
        """The refill rate."""
        return self.rate_per_minute / 60.0

    def _refill(self) -> None:
        now = self.clock()
        self.level = min(self.capacity, self.level + (now - self.updated) * self.per_second)
        self.updated = now

    def _cost(self, amount: float) -> float:
        # A request bigger than the whole bucket costs the whole bucket, never more.
        return min(max(amount, 0.0), self.capacity)

    def wait_for(self, amount: float) -> float:
        """Seconds until ``amount`` is available (0 when it is available now)."""
        self._refill()
        missing = self._cost(amount) - self.level
        return 0.0 if missing <= 1e-9 else missing / self.per_second

    def take(self, amount: float) -> None:
        """Remove ``amount`` (call after ``wait_for`` returned 0); the level never goes below zero."""
        self._refill()
        self.level = max(0.0, self.level - self._cost(amount))

    @property
    def remaining(self) -> int:
        """Whole units left now."""
        self._refill()
        return max(0, math.floor(self.level + 1e-9))


@dataclass(frozen=True)
class Admission:
    """The outcome of asking for one request's worth of quota."""

    allowed: bool
    retry_after: int  # whole seconds, at least 1 when refused
    exceeded: str  # "call" or "token" (the word Azure uses in the 429 message)
    remaining_requests: int
    remaining_tokens: int


@dataclass
class DeploymentQuota:
    """The two buckets of one deployment."""

    requests: TokenBucket
    tokens: TokenBucket

    @classmethod
    def per_minute(cls, rpm: int, tpm: int, clock: Callable[[], float] = time.monotonic) -> DeploymentQuota:
        """Buckets for ``rpm`` requests and ``tpm`` tokens per minute, over short windows."""
        return cls(TokenBucket(rpm, clock), TokenBucket(tpm, clock))

    def admit(self, tokens: int) -> Admission:
        """Take one request and ``tokens`` tokens, or say how long to wait."""
        wait_requests = self.requests.wait_for(1)
        wait_tokens = self.tokens.wait_for(tokens)
        if wait_requests or wait_tokens:
            exceeded = "call" if wait_requests >= wait_tokens else "token"
            retry_after = max(1, math.ceil(max(wait_requests, wait_tokens)))
            return Admission(False, retry_after, exceeded, self.requests.remaining, self.tokens.remaining)
        self.requests.take(1)
        self.tokens.take(tokens)
        return Admission(True, 0, "", self.requests.remaining, self.tokens.remaining)
