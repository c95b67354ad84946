"""Streaming and long conversations, AOAI Lab against the tutorial's plain chat app.

* streaming: one long reply (``--reply-tokens``, streamed at ``--pace`` tokens/s): time to its
  first visible text and the websocket bytes and messages the turn cost;
* long conversations: after 1, 50 and 200 turns, the server CPU time, wall time and bytes of one
  rerun (the page redrawn with nothing new, as any click does).

Both apps run side by side; every measurement alternates between them.

    python3 -m bench.bench_conversation                          # the issue's figures
    python3 -m bench.bench_conversation --rounds 1 --turns 1 5   # a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench.common import Row, median, print_rows
from bench.flows import Turn, chat_turn, open_chat
from bench.launch import VARIANT_ENV, VARIANTS
from bench.protocol import Session
from bench.server import Server, app, streamlit_server

APPS = ("aoai_lab", "tutorial_chat")
REFERENCE = "tutorial chat app"
# Which learner flow each slot runs; a before/after run puts AOAI Lab (a fix undone) in the
# reference slot.
FLOW = {"aoai_lab": "aoai_lab", "tutorial_chat": "tutorial_chat"}
# AOAI Lab's reasoning deployment spends part of its 1,024-token default budget on reasoning.
DEFAULT_REPLY_TOKENS = 900


async def _one_reply(url: str, name: str, tokens: int) -> Turn:
    session = Session(url)
    try:
        await open_chat(session, FLOW[name], 120)
        return await chat_turn(session, 0, tokens, 300)
    finally:
        await session.close()


def streaming(servers: dict[str, Server], rounds: int, tokens: int) -> list[Row]:
    """First visible text and bytes of one ``tokens``-token reply, ``rounds`` times per app."""
    turns: dict[str, list[Turn]] = {name: [] for name in servers}
    for index in range(rounds):
        order = APPS if index % 2 == 0 else APPS[::-1]
        for name in order:
            turns[name].append(asyncio.run(_one_reply(servers[name].url, name, tokens)))

    def med(name: str, what: str) -> float:
        values = [getattr(t, what) for t in turns[name] if getattr(t, what) is not None]
        return median(values)

    label = f"{tokens}-token reply"
    return [
        Row("streaming", f"{label}: first text visible", med("aoai_lab", "first_text") * 1000,
            med("tutorial_chat", "first_text") * 1000, "ms", REFERENCE, "at the websocket client"),
        Row("streaming", f"{label}: websocket bytes", med("aoai_lab", "bytes_in") / 1024,
            med("tutorial_chat", "bytes_in") / 1024, "KB", REFERENCE),
        Row("streaming", f"{label}: websocket messages", med("aoai_lab", "messages_in"),
            med("tutorial_chat", "messages_in"), "", REFERENCE),
        Row("streaming", f"{label}: reply complete", med("aoai_lab", "complete"),
            med("tutorial_chat", "complete"), "s", REFERENCE),
    ]  # fmt: skip


@dataclass
class RerunCost:
    """One rerun: server CPU, wall time and bytes (medians over a few reruns)."""

    cpu_ms: float
    wall_ms: float
    bytes_in: float


async def _rerun_cost(session: Session, server: Server, repeats: int) -> RerunCost:
    cpu, wall, sizes = [], [], []
    for _ in range(repeats):
        before_cpu, before_bytes = server.cpu(), session.bytes_in
        started = time.perf_counter()
        await session.rerun(timeout=120)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((server.cpu() - before_cpu) * 1000)
        sizes.append(session.bytes_in - before_bytes)
    return RerunCost(median(cpu), median(wall), median(sizes))


async def _conversations(servers: dict[str, Server], checkpoints: Sequence[int], repeats: int) -> list[Row]:
    sessions = {name: Session(server.url) for name, server in servers.items()}
    done = dict.fromkeys(servers, 0)
    costs: dict[int, dict[str, RerunCost]] = {}
    try:
        for name, session in sessions.items():
            await open_chat(session, FLOW[name], 120)
        for index, checkpoint in enumerate(checkpoints):
            order = APPS if index % 2 == 0 else APPS[::-1]
            costs[checkpoint] = {}
            for name in order:
                while done[name] < checkpoint:
                    await chat_turn(sessions[name], done[name], 20, 120)
                    done[name] += 1
                costs[checkpoint][name] = await _rerun_cost(sessions[name], servers[name], repeats)
    finally:
        for session in sessions.values():
            await session.close()
    rows = []
    for checkpoint, by_app in costs.items():
        ours, ref = by_app["aoai_lab"], by_app["tutorial_chat"]
        what = f"rerun after {checkpoint} turns"
        rows += [
            Row("conversation", f"{what}: server CPU", ours.cpu_ms, ref.cpu_ms, "ms", REFERENCE, "10 ms ticks"),
            Row("conversation", f"{what}: wall", ours.wall_ms, ref.wall_ms, "ms", REFERENCE),
            Row("conversation", f"{what}: bytes", ours.bytes_in / 1024, ref.bytes_in / 1024, "KB", REFERENCE),
        ]
    first, last = checkpoints[0], checkpoints[-1]
    if last != first:
        growth = costs[last]["aoai_lab"].wall_ms / max(costs[first]["aoai_lab"].wall_ms, 1e-9)
        ref_growth = costs[last]["tutorial_chat"].wall_ms / max(costs[first]["tutorial_chat"].wall_ms, 1e-9)
        rows.append(
            Row("conversation", f"rerun wall, {last} turns ÷ {first}", growth, ref_growth, "×", REFERENCE, "goal ≤ 1.5")
        )
    return rows


def _servers(pace: float, before: str) -> dict[str, Server]:
    """Both slots; with ``before``, the reference slot is AOAI Lab with that fix undone."""
    if not before:
        return {name: streamlit_server(app(name), env={"AOAI_LAB_DEMO_TOKENS_PER_SECOND": str(pace)}) for name in APPS}
    env = {"AOAI_LAB_DEMO_TOKENS_PER_SECOND": str(pace)}
    return {
        "aoai_lab": streamlit_server(app("aoai_lab"), env=env),
        "tutorial_chat": streamlit_server(app("aoai_lab"), env={**env, VARIANT_ENV: before}),
    }


def bench(rounds: int = 3, tokens: int = DEFAULT_REPLY_TOKENS, turns: Sequence[int] = (1, 50, 200),
          pace: float = 100, repeats: int = 5, before: str = "") -> list[Row]:  # fmt: skip
    """Both parts, both apps running side by side (or AOAI Lab after and ``before`` a fix)."""
    global REFERENCE
    if before:
        FLOW["tutorial_chat"], REFERENCE = "aoai_lab", f"before ({before})"
    servers = _servers(pace, before)
    try:
        for server in servers.values():
            server.start()
        rows = streaming(servers, rounds, tokens) if rounds else []
        # Long conversations: instant replies, so 200 turns take minutes, not hours.
        for server in servers.values():
            server.stop()
        servers = _servers(0, before)
        for server in servers.values():
            server.start()
        if turns:
            rows += asyncio.run(_conversations(servers, sorted(turns), repeats))
        return rows
    finally:
        for server in servers.values():
            server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="long replies per app (0: skip)")
    parser.add_argument("--reply-tokens", type=int, default=DEFAULT_REPLY_TOKENS)
    parser.add_argument("--pace", type=float, default=100)
    parser.add_argument("--turns", type=int, nargs="*", default=[1, 50, 200], help="checkpoints (none: skip)")
    parser.add_argument("--repeats", type=int, default=5, help="reruns measured per checkpoint")
    parser.add_argument("--before-after", choices=VARIANTS, default="", help="AOAI Lab against itself without a fix")
    args = parser.parse_args(argv)
    print_rows(bench(args.rounds, args.reply_tokens, args.turns, args.pace, args.repeats, args.before_after))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
