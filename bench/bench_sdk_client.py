"""CPU per chat call: one shared HTTP client per process against a new one per call.

``make_sdk_client`` used to build ``AzureOpenAI`` → an HTTP client → an SSL context for every
request (issue 12: ~48 ms of CPU per call). The emulator runs in its own process, so this
process's CPU time is the client side alone. Shared and per-call alternate, ``--rounds`` times.

    python3 -m bench.bench_sdk_client --calls 50 --rounds 3
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from bench.common import Row, median, print_rows
from bench.server import emulator_server


def cpu_per_call(endpoint: str, calls: int, shared: bool) -> float:
    """Median-free mean CPU milliseconds of ``calls`` non-streaming chat calls."""
    from openai import DefaultHttpxClient

    from aoai_lab import client
    from aoai_lab.connection import Connection
    from aoai_lab.emulator import DEMO_KEY
    from aoai_lab.request import ChatRequest

    original = client.shared_http_client
    if not shared:
        client.shared_http_client = lambda: DefaultHttpxClient(follow_redirects=False)
    try:
        conn = Connection(endpoint, DEMO_KEY, "gpt-4o-mini", "2024-10-21", "classic", "demo")
        request = ChatRequest.simple("hello", "You are a helpful AI assistant.")
        client.chat(conn, request)  # warm: imports, first connection
        started = time.process_time()
        for _ in range(calls):
            assert client.chat(conn, request).ok
        return (time.process_time() - started) * 1000 / calls
    finally:
        client.shared_http_client = original


def bench(calls: int = 50, rounds: int = 3) -> list[Row]:
    """Shared against per-call, alternating."""
    got: dict[bool, list[float]] = {True: [], False: []}
    with emulator_server(0) as emulator:
        endpoint = emulator.url + "/"
        for index in range(rounds):
            for shared in (True, False) if index % 2 == 0 else (False, True):
                got[shared].append(cpu_per_call(endpoint, calls, shared))
    return [
        Row("fix: shared HTTP client", "client CPU per chat call", median(got[True]), median(got[False]), "ms",
            "new client per call")
    ]  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print_rows(bench(args.calls, args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
