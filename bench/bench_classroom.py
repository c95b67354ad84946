"""Classroom load: N learners at once, AOAI Lab against the tutorial's plain chat app.

Each learner is a websocket client (:mod:`bench.protocol`): open, connect to the demo (AOAI Lab
only), then ``--turns`` chat turns of ``--tokens`` tokens streamed at ``--pace`` tokens/s.
Reported per app: p50/p95 time to the reply's first visible text and to the end of the turn,
errors, server CPU seconds and peak RSS.

    python3 -m bench.bench_classroom --sessions 30 60          # the issue's figures
    python3 -m bench.bench_classroom --sessions 3 --turns 1    # a smoke run
    python3 -m bench.bench_classroom --external-emulator       # the demo in its own process
    python3 -m bench.bench_classroom --profile /tmp/prof       # py-spy on the server meanwhile
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.common import Row, median, percentile, print_rows
from bench.flows import Learner, learner
from bench.launch import EXTERNAL_ENV, VARIANT_ENV, VARIANTS
from bench.server import Server, app, emulator_server, streamlit_server

APPS = ("aoai_lab", "tutorial_chat")
REFERENCE = "tutorial chat app"


@dataclass
class LoadResult:
    """One app under one load."""

    app: str
    sessions: int
    learners: list[Learner]
    cpu_s: float
    peak_rss_mb: float
    wall_s: float

    def values(self, what: str) -> list[float]:
        """Every turn's ``first_text`` or ``complete`` time, in seconds."""
        out: list[float] = []
        for one in self.learners:
            for turn in one.turns:
                value = turn.first_text if what == "first_text" else turn.complete
                if value is not None:
                    out.append(value)
        return out

    @property
    def errors(self) -> int:
        """Sessions that failed or showed an exception."""
        return sum(1 for one in self.learners if one.error)


async def _crowd(url: str, name: str, sessions: int, turns: int, tokens: int, spread: float) -> list[Learner]:
    rng = random.Random(sessions)  # the same arrival pattern for both apps

    async def one() -> Learner:
        await asyncio.sleep(rng.uniform(0, spread))
        return await learner(url, name, turns, tokens)

    return list(await asyncio.gather(*(one() for _ in range(sessions))))


def _profile(server: Server, out: Path, seconds: int) -> subprocess.Popen[bytes] | None:
    py_spy = shutil.which("py-spy")
    if py_spy is None:
        print("py-spy not found (pip install py-spy==0.4.3): no profile")
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    args = [py_spy, "record", "--pid", str(server.pid), "--duration", str(seconds), "--rate", "50"]
    args += ["--format", "raw", "--output", str(out), "--gil", "--nonblocking"]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_load(
    name: str,
    sessions: int,
    *,
    turns: int,
    tokens: int,
    pace: float,
    spread: float,
    external: bool = False,
    profile: Path | None = None,
    url: str | None = None,
    variant: str = "",
) -> LoadResult:
    """Start ``name`` (unless ``url`` is given), run the crowd against it, stop it.

    ``variant`` undoes named fixes in the server (``bench.launch.VARIANTS``) for before/after runs.
    """
    emulator = emulator_server(pace).start() if external else None
    env = {"AOAI_LAB_DEMO_TOKENS_PER_SECOND": str(pace), VARIANT_ENV: variant}
    env.update({k: v for k, v in os.environ.items() if k.startswith("BENCH_")})  # experiments pass through
    if emulator is not None:
        env[EXTERNAL_ENV] = emulator.url
    server = streamlit_server(app(name), env=env)
    try:
        server.start()
        tag = f"{name}-{sessions}{'-' + variant if variant else ''}{'-ext' if external else ''}"
        spy = _profile(server, profile / f"{tag}.txt", 600) if profile else None
        cpu_before = server.cpu()
        started = time.perf_counter()
        crowd = asyncio.run(_crowd(url or server.url, name, sessions, turns, tokens, spread))
        wall = time.perf_counter() - started
        cpu = server.cpu() - cpu_before
        _, peak = server.memory_kb()
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its profile on Ctrl-C, not on SIGTERM
            spy.wait(60)
        return LoadResult(name, sessions, crowd, cpu, peak / 1024, wall)
    finally:
        server.stop()
        if emulator is not None:
            emulator.stop()


def rows(ours: LoadResult, ref: LoadResult, label: str = "") -> list[Row]:
    """The table lines comparing two loads."""
    n = f"{ours.sessions} sessions{label}"
    out = []
    for what, title in (("first_text", "first visible text"), ("complete", "reply complete")):
        for q in (50, 95):
            out.append(
                Row(
                    "classroom",
                    f"{n}: p{q} {title}",
                    percentile(ours.values(what), q),
                    percentile(ref.values(what), q),
                    "s",
                    REFERENCE,
                )
            )
    out.append(Row("classroom", f"{n}: server CPU", ours.cpu_s, ref.cpu_s, "CPU-s", REFERENCE))
    out.append(Row("classroom", f"{n}: peak RSS", ours.peak_rss_mb, ref.peak_rss_mb, "MB", REFERENCE))
    note = f"wall {ours.wall_s:.0f} s vs {ref.wall_s:.0f} s"
    out.append(Row("classroom", f"{n}: failed sessions", ours.errors, ref.errors, "", REFERENCE, note))
    return out


def lone_turn(turns: int, tokens: int, pace: float) -> float:
    """A lone AOAI Lab session's median reply-complete time (the goal's yardstick)."""
    result = run_load("aoai_lab", 1, turns=turns, tokens=tokens, pace=pace, spread=0)
    return median(result.values("complete"))


def bench(
    sessions: Sequence[int],
    *,
    turns: int = 3,
    tokens: int = 300,
    pace: float = 100,
    spread: float = 3.0,
    external: bool = False,
    profile: Path | None = None,
) -> list[Row]:
    """Both apps at every size, alternating which goes first."""
    out: list[Row] = []
    label = ", external emulator" if external else ""
    for index, size in enumerate(sessions):
        order = APPS if index % 2 == 0 else APPS[::-1]
        results = {
            name: run_load(
                name, size, turns=turns, tokens=tokens, pace=pace, spread=spread, external=external, profile=profile
            )
            for name in order
        }
        for name, result in results.items():
            errors = [one.error for one in result.learners if one.error]
            if errors:
                print(f"{name} at {size}: {len(errors)} failed, e.g. {errors[0]}")
        out += rows(results["aoai_lab"], results["tutorial_chat"], label)
    return out


def before_after(
    variant: str,
    sessions: Sequence[int],
    *,
    turns: int = 3,
    tokens: int = 300,
    pace: float = 100,
    spread: float = 3.0,
    external: bool = False,
    profile: Path | None = None,
) -> list[Row]:
    """AOAI Lab with a fix (after) against the same server with it undone (before), alternating."""
    out: list[Row] = []
    for index, size in enumerate(sessions):
        order = ("", variant) if index % 2 == 0 else (variant, "")
        got = {
            v: run_load("aoai_lab", size, turns=turns, tokens=tokens, pace=pace, spread=spread,
                        external=external, profile=profile, variant=v)
            for v in order
        }  # fmt: skip
        for row in rows(got[""], got[variant], f", fix {variant}"):
            out.append(Row(f"fix: {variant}", row.what, row.ours, row.reference, row.unit, "before", row.note))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, nargs="+", default=[30, 60])
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=300)
    parser.add_argument("--pace", type=float, default=100, help="tokens per second of the emulator")
    parser.add_argument("--spread", type=float, default=3.0, help="sessions arrive over this many seconds")
    parser.add_argument("--external-emulator", action="store_true")
    parser.add_argument("--profile", type=Path, help="write py-spy raw profiles (GIL-holding samples) here")
    parser.add_argument("--before-after", choices=VARIANTS, help="AOAI Lab with this fix against without it")
    args = parser.parse_args(argv)
    if args.before_after:
        print_rows(
            before_after(
                args.before_after,
                args.sessions,
                turns=args.turns,
                tokens=args.tokens,
                pace=args.pace,
                spread=args.spread,
                external=args.external_emulator,
                profile=args.profile,
            )
        )
        return 0
    print_rows(
        bench(
            args.sessions,
            turns=args.turns,
            tokens=args.tokens,
            pace=args.pace,
            spread=args.spread,
            external=args.external_emulator,
            profile=args.profile,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
