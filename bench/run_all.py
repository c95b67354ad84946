"""Every benchmark in one command, bounded in time, loopback only; the table goes to bench/README.md.

    python3 -m bench.run_all                 # the issue's sizes (about 15–25 minutes on 2 cores)
    python3 -m bench.run_all --quick         # small N everywhere (a few minutes)
    python3 -m bench.run_all --only emulator classroom

Each benchmark alternates AOAI Lab and its reference in the same run and reports the ratio of
medians. A benchmark that fails or overruns its time budget is reported as such in the table and
the others still run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import queue
import re
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import (
    bench_browser,
    bench_classroom,
    bench_cluster,
    bench_conversation,
    bench_emulator,
    bench_first_page,
    bench_sdk_client,
    bench_startup,
)
from bench.common import HEADER, Row, machine

README = Path(__file__).resolve().parent / "README.md"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"

# name -> (full run, quick run, time budget in seconds for the full run)
PLANS: dict[str, tuple[Callable[[], list[Row]], Callable[[], list[Row]], float]] = {
    "browser": (
        lambda: bench_browser.bench(rounds=3),
        lambda: bench_browser.bench(rounds=1),
        600,
    ),
    # The page switches and the demo click against AOAI Lab's own elements replayed (bench/replay.py).
    "replay": (
        lambda: bench_browser.bench(rounds=3, only=("replay",)),
        lambda: bench_browser.bench(rounds=1, only=("replay",)),
        600,
    ),
    "startup": (
        lambda: bench_startup.bench(rounds=5),
        lambda: bench_startup.bench(rounds=1),
        300,
    ),
    "conversation": (
        lambda: bench_conversation.bench(rounds=3, turns=(1, 50, 200)),
        lambda: bench_conversation.bench(rounds=1, tokens=300, turns=(1, 10), repeats=3),
        900,
    ),
    "classroom": (
        lambda: bench_classroom.bench([30, 60]),
        lambda: bench_classroom.bench([10], turns=2),
        1200,
    ),
    "emulator": (
        lambda: bench_emulator.bench(),
        lambda: bench_emulator.bench(seconds=2, streams=20),
        180,
    ),
    # Each fix of issue 12 against the same app with it undone (bench/launch.py VARIANTS).
    "fixes": (
        lambda: _fixes(rounds=3, turns=(1, 50)),
        lambda: _fixes(rounds=1, turns=(1,)),
        900,
    ),
    # The setup docs/classroom.md recommends: the demo in its own process, shared by the replicas.
    "cluster": (
        lambda: bench_cluster.bench(60, (1, 2), external=True),
        lambda: bench_cluster.bench(10, (1, 2), turns=2, external=True),
        1200,
    ),
}


def _fixes(rounds: int, turns: tuple[int, ...]) -> list[Row]:
    rows = bench_sdk_client.bench(calls=30, rounds=rounds) + bench_first_page.bench(rounds)
    rows += bench_browser.bench(rounds, only=("warmup",))
    # Both GC changes undone = Streamlit's gc.collect(2) after every run over an unfrozen heap.
    gc = bench_conversation.bench(rounds=0, turns=turns, repeats=5, before="no-freeze,post-script-gc")
    return rows + [Row(f"fix: GC, {r.benchmark}", r.what, r.ours, r.reference, r.unit, "before", r.note) for r in gc]


def _child(name: str, quick: bool, out: multiprocessing.Queue[Any]) -> None:
    full, small, _ = PLANS[name]
    try:
        out.put(("ok", (small if quick else full)()))
    except BaseException:  # report it in the table, keep the other benchmarks
        out.put(("error", traceback.format_exc(limit=3)))


def run_one(name: str, quick: bool, budget: float) -> tuple[list[Row], str | None]:
    """Run one benchmark in a child process, killed (with its servers) after ``budget`` seconds."""
    results: multiprocessing.Queue[Any] = multiprocessing.Queue()
    child = multiprocessing.Process(target=_child, args=(name, quick, results), daemon=False)
    child.start()
    try:
        kind, value = results.get(timeout=budget)
    except queue.Empty:
        child.terminate()
        child.join(10)
        return [], f"stopped after its {budget:.0f} s budget"
    child.join(30)
    if kind == "error":
        return [], str(value).strip().splitlines()[-1][:300]
    return list(value), None


def table(rows: Sequence[Row], problems: dict[str, str], started: datetime, seconds: float, quick: bool) -> str:
    """The Markdown block written into the README."""
    lines = [
        BEGIN,
        f"Run {started:%Y-%m-%d %H:%M} UTC ({'quick' if quick else 'full'}, {seconds / 60:.1f} min) on {machine()}.",
        "",
        HEADER,
        *(row.markdown() for row in rows),
    ]
    for name, problem in problems.items():
        lines.append(f"| {name} | not measured | — | — | — | {problem} |")
    lines.append(END)
    return "\n".join(lines)


def write_readme(block: str, readme: Path = README) -> None:
    """Replace the results block in ``readme`` (appending one if there is none)."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small N everywhere")
    parser.add_argument("--only", nargs="+", choices=list(PLANS), default=list(PLANS))
    parser.add_argument("--no-write", action="store_true", help="print the table, leave bench/README.md alone")
    args = parser.parse_args(argv)
    started, clock = datetime.now(UTC), time.perf_counter()
    rows: list[Row] = []
    problems: dict[str, str] = {}
    for name in args.only:
        budget = PLANS[name][2] / (3 if args.quick else 1)
        print(f"== {name} (budget {budget:.0f} s)", flush=True)
        got, problem = run_one(name, args.quick, budget)
        rows += got
        if problem:
            problems[name] = problem
            print(f"   {problem}", flush=True)
    block = table(rows, problems, started, time.perf_counter() - clock, args.quick)
    print(block)
    if not args.no_write:
        write_readme(block)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
