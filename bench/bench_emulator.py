"""The emulator alone, in its own process (``python -m aoai_lab emulator``), over loopback HTTP.

* requests/s and p50/p99 latency of non-streaming chat calls at concurrency 1, 10 and 50
  (instant replies: the emulator's own overhead);
* slow streams held: ``--streams`` streaming calls at once, each paced at ``--stream-pace``
  tokens/s; the slowest is compared with the pace alone (a stream held back by the others
  shows as a ratio above 1).

    python3 -m bench.bench_emulator
    python3 -m bench.bench_emulator --seconds 1 --concurrency 1 5 --streams 5   # smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence

import httpx2

from bench.common import Row, percentile, print_rows
from bench.long_replies import prompt
from bench.server import emulator_server

KEY = "00000000000000000000000000000000"  # the emulator's public demo key (README)
PATH = "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2025-04-01-preview"


async def _closed_loop(url: str, concurrency: int, seconds: float) -> tuple[int, list[float]]:
    """``concurrency`` workers sending back-to-back requests for ``seconds``; (errors, latencies)."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    body = {"messages": [{"role": "user", "content": "Hello!"}], "max_tokens": 50}
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(base_url=url, headers={"api-key": KEY}, limits=limits, timeout=60) as client:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                reply = await client.post(PATH, json=body)
                if reply.status_code == 200:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return errors, latencies


async def _streams(url: str, count: int, tokens: int) -> tuple[int, list[float]]:
    """``count`` streaming calls at once of ``tokens`` tokens each; (errors, durations)."""
    body = {"messages": [{"role": "user", "content": prompt(tokens)}], "max_tokens": tokens + 50, "stream": True}
    limits = httpx2.Limits(max_connections=count)
    async with httpx2.AsyncClient(base_url=url, headers={"api-key": KEY}, limits=limits, timeout=120) as client:

        async def one() -> float | None:
            started = time.perf_counter()
            async with client.stream("POST", PATH, json=body) as reply:
                if reply.status_code != 200:
                    return None
                last = b""
                async for chunk in reply.aiter_bytes():
                    last = chunk
            return time.perf_counter() - started if last.rstrip().endswith(b"[DONE]") else None

        results = await asyncio.gather(*(one() for _ in range(count)))
    durations = [r for r in results if r is not None]
    return count - len(durations), durations


def bench(
    concurrency: Sequence[int] = (1, 10, 50),
    seconds: float = 5.0,
    streams: int = 50,
    stream_pace: float = 20,
    stream_tokens: int = 40,
) -> list[Row]:
    """Both parts, each against a fresh emulator process."""
    rows: list[Row] = []
    with emulator_server(0) as emulator:
        for level in concurrency:
            errors, latencies = asyncio.run(_closed_loop(emulator.url, level, seconds))
            note = f"{errors} errors" if errors else ""
            rows += [
                Row("emulator", f"concurrency {level}: requests/s", len(latencies) / seconds, None, "req/s", note=note),
                Row("emulator", f"concurrency {level}: p50", percentile(latencies, 50) * 1000, None, "ms"),
                Row("emulator", f"concurrency {level}: p99", percentile(latencies, 99) * 1000, None, "ms"),
            ]
    if streams:
        with emulator_server(stream_pace) as emulator:
            errors, durations = asyncio.run(_streams(emulator.url, streams, stream_tokens))
        ideal = stream_tokens / stream_pace
        rows.append(
            Row(
                "emulator",
                f"{streams} slow streams held ({stream_tokens} tokens at {stream_pace:g}/s): slowest",
                max(durations, default=float("nan")),
                ideal,
                "s",
                "the pace alone",
                f"{errors} failed" if errors else "all completed",
            )
        )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=5.0, help="per concurrency level")
    parser.add_argument("--streams", type=int, default=50)
    parser.add_argument("--stream-pace", type=float, default=20)
    parser.add_argument("--stream-tokens", type=int, default=40)
    args = parser.parse_args(argv)
    print_rows(bench(args.concurrency, args.seconds, args.streams, args.stream_pace, args.stream_tokens))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
