"""The first page's cost with and without the heavy imports (openai, pandas) it no longer needs.

``streamlit run app.py`` → the Guide's first run finished, over the websocket protocol (no
browser, so only the server is timed), with the server's CPU seconds by then. AOAI Lab as it
is, alternating with the ``eager-imports`` variant (openai and pandas imported before the first
page, as before issue 12).

    python3 -m bench.bench_first_page --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence

from aoai_lab.warmup import WARMUP_ENV
from bench.common import Row, median, print_rows
from bench.flows import DEMO_BUTTON
from bench.launch import VARIANT_ENV
from bench.protocol import Session
from bench.server import app, streamlit_server


async def _open(url: str) -> list[str]:
    session = Session(url)
    try:
        await session.open("", timeout=120)
        return session.texts()
    finally:
        await session.close()


def first_page(variant: str) -> tuple[float, float]:
    """(seconds from process start to the Guide drawn, server CPU seconds by then)."""
    with streamlit_server(app("aoai_lab"), env={VARIANT_ENV: variant}) as server:
        texts = asyncio.run(_open(server.url))
        took = time.perf_counter() - server.started_at
        if not texts:
            raise RuntimeError("the Guide drew no text")
        return took, server.cpu()


async def _guide_then_connect(url: str, reading: float) -> float:
    session = Session(url)
    try:
        await session.open("", timeout=120)
        await asyncio.sleep(reading)  # the learner reads the Guide
        await session.rerun(page_name="connect", timeout=120)
        started = time.perf_counter()
        await session.click(DEMO_BUTTON, timeout=120)
        return time.perf_counter() - started
    finally:
        await session.close()


def first_click(warm: bool, reading: float = 3.0) -> float:
    """Seconds for the first "offline demo" click of a fresh server, after ``reading`` s on the Guide."""
    env = {WARMUP_ENV: "1" if warm else "0"}
    with streamlit_server(app("aoai_lab"), env=env) as server:
        return asyncio.run(_guide_then_connect(server.url, reading))


def bench(rounds: int = 3) -> list[Row]:
    """Lazy (now) against eager (before), alternating."""
    got: dict[str, list[tuple[float, float]]] = {"": [], "eager-imports": []}
    for index in range(rounds):
        for variant in ("", "eager-imports") if index % 2 == 0 else ("eager-imports", ""):
            got[variant].append(first_page(variant))
    after, before = got[""], got["eager-imports"]
    clicks: dict[bool, list[float]] = {True: [], False: []}
    for index in range(rounds):
        for warm in (True, False) if index % 2 == 0 else (False, True):
            clicks[warm].append(first_click(warm))
    return [
        Row("fix: warm-up", "first demo click of a fresh server (websocket)", median(clicks[True]),
            median(clicks[False]), "s", "before (no warm-up)"),
        Row("fix: lazy imports", "process start → Guide drawn (websocket)", median([t for t, _ in after]),
            median([t for t, _ in before]), "s", "before (eager)"),
        Row("fix: lazy imports", "server CPU by then", median([c for _, c in after]),
            median([c for _, c in before]), "CPU-s", "before (eager)"),
    ]  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print_rows(bench(args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
