"""Per-deployment requests-per-minute and tokens-per-minute buckets, as Azure quotas behave."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    """A bucket of ``capacity`` that refills continuously over one minute."""

    capacity: float
    clock: Callable[[], float] = time.monotonic
    level: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self) -> None:
        self.level = self.capacity
        self.updated = self.clock()

    def _refill(self) -> None:
        now = self.clock()
        self.level = min(self.capacity, self.level + (now - self.updated) * self.capacity / 60.0)
        self.updated = now

    def wait_for(self, amount: float) -> float:
        """Seconds until ``amount`` is available (0 when it is available now)."""
        self._refill()
        missing = min(amount, self.capacity) - self.level
        return 0.0 if missing <= 0 else missing * 60.0 / self.capacity

    def take(self, amount: float) -> None:
        """Remove ``amount`` (call after ``wait_for`` returned 0)."""
        self._refill()
        self.level -= amount

    @property
    def remaining(self) -> int:
        """Whole units left now."""
        self._refill()
        return max(0, math.floor(self.level))


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
        """Buckets for ``rpm`` requests and ``tpm`` tokens per minute."""
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
