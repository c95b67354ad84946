"""How long the connection check takes: a passing ladder, and the failures that must not hang.

Prints figures only; run it as ``python -m bench.bench_check``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from aoai_lab.check import run_check
from aoai_lab.connection import from_input
from aoai_lab.emulator import DEMO_KEY, EmulatorConfig, EmulatorServer
from aoai_lab.experiments import closed_port

RUNS = 20


def timed(label: str, runs: int, action: Callable[[], str]) -> None:
    """Print the median and worst wall time of ``action`` (which returns the diagnosis code)."""
    times, codes = [], set()
    for _ in range(runs):
        started = time.perf_counter()
        codes.add(action())
        times.append((time.perf_counter() - started) * 1000)
    print(f"  {label:<38} median {statistics.median(times):8.1f} ms   max {max(times):8.1f} ms   -> {sorted(codes)}")


def main() -> None:
    with EmulatorServer(EmulatorConfig(tokens_per_second=0, timeout_fault_seconds=30)) as server:
        endpoint = server.endpoint

        def check(**changes: str) -> str:
            values = {
                "endpoint": endpoint,
                "key": DEMO_KEY,
                "deployment": "gpt-5.1",
                "api_version": "2025-04-01-preview",
            }
            values |= changes
            normalised = from_input(values["endpoint"], values["key"], values["deployment"], values["api_version"])
            return run_check(normalised, http_timeout=float(values.get("timeout", 10))).diagnosis.code

        print(f"connection check against the emulator ({RUNS} runs each):")
        timed("passing ladder (5 rungs)", RUNS, check)
        timed("wrong key (stops at the key rung)", RUNS, lambda: check(key="f" * 32))
        timed("model name as deployment", RUNS, lambda: check(deployment="gpt-4o"))
        timed("pre-flight error (no network)", RUNS, lambda: check(endpoint="portal.azure.com"))
        timed("refused port", RUNS, lambda: check(endpoint=f"http://127.0.0.1:{closed_port()}/"))
        timed("DNS failure (.invalid)", 5, lambda: check(endpoint="https://my-aoai-lab.invalid/"))


if __name__ == "__main__":
    main()
