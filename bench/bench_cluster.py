"""A class beyond one process: N sessions against 1 and 2 app replicas behind nginx.

Uses the classroom launcher (``aoai_lab.classroom.cluster.start_cluster``: N ``streamlit run``
processes, Debian's nginx with sticky sessions and websocket upgrade) and the same learners as
``bench_classroom`` (open, connect to the demo, 3 turns of 300 tokens at 100 tokens/s). Each
replica has its own in-process demo, or with ``--external-emulator`` all share one emulator in its
own process (the setup docs/classroom.md recommends: ``demo_url``). CPU and peak RSS are summed
over the replicas; the external emulator's CPU is reported on its own line.

Goal (issue 12, 60 sessions, 2 processes): p95 first visible text ≤ 2 s, p95 reply complete
≤ 1.5× a lone session's, no errors, total RSS ≤ 600 MB.

    python3 -m bench.bench_cluster --sessions 60 --replicas 1 2
    python3 -m bench.bench_cluster --sessions 60 --replicas 1 2 --external-emulator
    python3 -m bench.bench_cluster --sessions 4 --replicas 2 --turns 1     # smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.bench_classroom import LoadResult, _crowd, lone_turn
from bench.common import Row, percentile, print_rows
from bench.launch import EXTERNAL_ENV
from bench.server import ROOT, cpu_seconds, emulator_server, memory_kb

SITE = Path(__file__).resolve().parent / "cluster_site"


def replica_pids(processes: Sequence[object]) -> list[int]:
    """The app replicas among a cluster's processes (not nginx, not Redis)."""
    pids = []
    for process in processes:
        pid = int(getattr(process, "pid", 0))
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"streamlit" in cmdline:
            pids.append(pid)
    return pids


@dataclass(frozen=True)
class ClusterRun:
    """One load on one cluster: the replicas' figures, and the CPU the rest of the machine spent
    meanwhile (the external emulator, 0 when in process; this load generator, which shares the
    cores with the servers here but runs in the students' browsers in a real class)."""

    load: LoadResult
    emulator_cpu_s: float
    generator_cpu_s: float


def run_cluster(
    replicas: int, sessions: int, *, turns: int, tokens: int, pace: float, spread: float, external: bool = False
) -> ClusterRun:
    """Start a cluster of ``replicas``, run the crowd through nginx, stop it; with ``external``, the
    demo is one emulator process for all replicas."""

    path = os.pathsep.join(p for p in (str(SITE), os.environ.get("PYTHONPATH", "")) if p)
    env = {
        "BENCH_CLUSTER_SITE": "1",
        "BENCH_REPO": str(ROOT),
        "PYTHONPATH": path,
        "AOAI_LAB_DEMO_TOKENS_PER_SECOND": str(pace),
    }
    emulator = emulator_server(pace).start() if external else None
    if emulator is not None:
        env[EXTERNAL_ENV] = emulator.url
    try:
        emulator_before = emulator.cpu() if emulator else 0.0
        generator_before = time.process_time()
        load = _load(replicas, sessions, env, turns, tokens, spread)
        generator = time.process_time() - generator_before
        return ClusterRun(load, emulator.cpu() - emulator_before if emulator else 0.0, generator)
    finally:
        if emulator is not None:
            emulator.stop()


def _load(replicas: int, sessions: int, env: dict[str, str], turns: int, tokens: int, spread: float) -> LoadResult:
    from aoai_lab.classroom.cluster import start_cluster

    with start_cluster(replicas, env=env) as cluster:
        pids = replica_pids(cluster.processes)
        if len(pids) != replicas:
            raise RuntimeError(f"expected {replicas} replicas, found {len(pids)}")
        before = sum(cpu_seconds(pid) for pid in pids)
        started = time.perf_counter()
        crowd = asyncio.run(_crowd(cluster.url, "aoai_lab", sessions, turns, tokens, spread))
        wall = time.perf_counter() - started
        cpu = sum(cpu_seconds(pid) for pid in pids) - before
        peak = sum(memory_kb(pid)[1] for pid in pids)
    return LoadResult("aoai_lab", sessions, crowd, cpu, peak / 1024, wall)


def bench(
    sessions: int = 60,
    replicas: Sequence[int] = (1, 2),
    *,
    turns: int = 3,
    tokens: int = 300,
    pace: float = 100,
    spread: float = 3.0,
    external: bool = False,
) -> list[Row]:
    """One load against each cluster size, plus a lone session for the goal's yardstick."""
    lone = lone_turn(turns, tokens, pace)
    loads = {
        n: run_cluster(n, sessions, turns=turns, tokens=tokens, pace=pace, spread=spread, external=external)
        for n in replicas
    }
    results = {n: run.load for n, run in loads.items()}
    base = results[replicas[0]]
    rows = [Row("cluster", "lone session: reply complete (median)", lone, None, "s")]
    where = ", external emulator" if external else ""
    cores = os.cpu_count() or 1
    for n, result in results.items():
        label = f"{sessions} sessions, {n} replica{'s' if n > 1 else ''}{where}"
        ref = base if n != replicas[0] else None

        def pair(
            value: float, ref_value: float | None, what: str, unit: str, note: str = "", label: str = label
        ) -> Row:
            return Row("cluster", f"{label}: {what}", value, ref_value, unit, f"{replicas[0]} replica", note)

        first, complete = result.values("first_text"), result.values("complete")
        base_first, base_complete = base.values("first_text"), base.values("complete")
        rows += [
            pair(percentile(first, 95), percentile(base_first, 95) if ref else None, "p95 first visible text", "s",
                 "goal ≤ 2 s"),
            pair(percentile(complete, 50), percentile(base_complete, 50) if ref else None, "p50 reply complete", "s"),
            pair(percentile(complete, 95), percentile(base_complete, 95) if ref else None, "p95 reply complete", "s",
                 f"goal ≤ {1.5 * lone:.1f} s (1.5× lone)"),
            pair(result.cpu_s, base.cpu_s if ref else None, "CPU, all replicas", "CPU-s"),
            pair(result.peak_rss_mb, base.peak_rss_mb if ref else None, "peak RSS, all replicas", "MB",
                 "goal ≤ 600 MB"),
            pair(result.errors, base.errors if ref else None, "failed sessions", "", f"wall {result.wall_s:.0f} s"),
        ]  # fmt: skip
        if external:
            rows.append(Row("cluster", f"{label}: CPU, the emulator", loads[n].emulator_cpu_s, None, "CPU-s"))
        rows.append(Row("cluster", f"{label}: CPU, this load generator", loads[n].generator_cpu_s, None, "CPU-s",
                        note=f"{cores} cores × wall = {cores * result.wall_s:.0f} CPU-s"))  # fmt: skip
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=60)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=300)
    parser.add_argument("--pace", type=float, default=100)
    parser.add_argument("--spread", type=float, default=3.0)
    parser.add_argument("--external-emulator", action="store_true", help="one emulator process for all replicas")
    args = parser.parse_args(argv)
    rows = bench(
        args.sessions,
        args.replicas,
        turns=args.turns,
        tokens=args.tokens,
        pace=args.pace,
        spread=args.spread,
        external=args.external_emulator,
    )
    print_rows(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
