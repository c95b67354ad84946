"""The emulator's mutable state: quota buckets and, when enabled, the record of requests."""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aoai_lab.emulator.config import EmulatorConfig
from aoai_lab.emulator.ratelimit import DeploymentQuota

AuthScheme = Literal["api-key", "bearer", "both", "none"]


@dataclass(frozen=True)
class RecordedRequest:
    """What one request carried, for tests. Never the key: only which auth header form was used."""

    method: str
    path: str
    query: Mapping[str, str]
    auth: AuthScheme
    fault: str | None
    body: Any


class EmulatorState:
    """Mutable state of one emulator: quota buckets and, when enabled, the request record."""

    def __init__(self, config: EmulatorConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.quotas = {d.name: DeploymentQuota.per_minute(d.rpm, d.tpm, clock) for d in config.deployments}
        self._recorded: deque[RecordedRequest] = deque(maxlen=1000)
        self._lock = threading.Lock()
        # Seeded so a class run with ``--fault-rate`` is reproducible for the instructor.
        self._random = random.Random(0)  # noqa: S311 -- fault draws, not security

    def record(self, entry: RecordedRequest) -> None:
        """Keep ``entry`` if recording is on (bounded)."""
        if self.config.record_requests:
            with self._lock:
                self._recorded.append(entry)

    def recorded(self) -> list[RecordedRequest]:
        """A snapshot of the recorded requests, oldest first."""
        with self._lock:
            return list(self._recorded)

    def random_fault(self) -> str | None:
        """A fault drawn from ``config.fault_rates`` for a request that asked for none, or None."""
        with self._lock:
            for fault, rate in self.config.fault_rates:
                if rate > 0 and self._random.random() < rate:
                    return fault
        return None
