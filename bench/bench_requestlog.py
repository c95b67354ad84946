"""Time ``to_dataframe`` + ``summarise`` on a full request log (500 records, the maximum).

Prints figures only; run it as ``python -m bench.bench_requestlog``.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from aoai_lab.requestlog import DEFAULT_MAX_SIZE, RequestLog, RequestRecord, summarise, to_dataframe

RUNS = 50
WARMUP = 3
_START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_OPERATIONS = ("dns", "tcp_tls", "models", "chat", "chat_stream")
_OUTCOMES = ((200, "ok"), (200, "ok"), (200, "ok"), (429, "rate_limited"), (401, "auth_invalid_key"), (None, "timeout"))


def _record(rng: random.Random, i: int) -> RequestRecord:
    """A plausible record; chat rows carry usage and streamed ones a TTFT."""
    operation = rng.choice(_OPERATIONS)
    status, code = rng.choice(_OUTCOMES)
    chat = operation in ("chat", "chat_stream") and code == "ok"
    streamed = operation == "chat_stream"
    completion = rng.randint(10, 800) if chat else None
    return RequestRecord(
        time=_START + timedelta(seconds=i),
        page="chat" if operation.startswith("chat") else "connect",
        operation=operation,
        api_style=rng.choice(("classic", "v1")),
        host="my-resource.openai.azure.com",
        deployment="gpt-5.1",
        status=status,
        code=code,
        request_id=f"req-{i}" if status is not None else None,
        ttft_ms=rng.uniform(80, 900) if streamed and chat else None,
        latency_ms=rng.uniform(20, 5000),
        prompt_tokens=rng.randint(20, 4000) if chat else None,
        completion_tokens=completion,
        reasoning_tokens=rng.randint(0, completion) if completion is not None else None,
        streamed=streamed,
    )


def full_log(seed: int = 0) -> RequestLog:
    """A log filled to its maximum."""
    rng = random.Random(seed)
    log = RequestLog()
    for i in range(DEFAULT_MAX_SIZE):
        log.append(_record(rng, i))
    return log


def main() -> None:
    """Print the median, min and max time of ``summarise(to_dataframe(records))`` over RUNS runs."""
    records = full_log().records
    for _ in range(WARMUP):
        summarise(to_dataframe(records))
    timings_ms: list[float] = []
    for _ in range(RUNS):
        start = time.perf_counter()
        summarise(to_dataframe(records))
        timings_ms.append((time.perf_counter() - start) * 1000)
    print(f"to_dataframe + summarise, {len(records)} records, {RUNS} runs:")
    print(f"  median {statistics.median(timings_ms):.2f} ms  (min {min(timings_ms):.2f}, max {max(timings_ms):.2f})")


if __name__ == "__main__":
    main()
