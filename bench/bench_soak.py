"""Memory over a long soak: is it bounded with the heap frozen (``aoai_lab/heap.py``)?

Waves of learners (open, connect to the demo, short instant chat turns, leave) against one
AOAI Lab server; after each wave the server's RSS is read. Closed sessions are kept for
``server.disconnectedSessionTTL`` (600 s in the repo's config, so a returning tab keeps its
chat); the soak shortens it so that what a wave leaves behind can actually be freed.

    python3 -m bench.bench_soak --waves 20 --sessions 10 --turns 5
    python3 -m bench.bench_soak --variant no-freeze        # the same without the freeze
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence

from bench.common import Row, print_rows
from bench.flows import learner
from bench.launch import VARIANT_ENV, VARIANTS
from bench.server import app, streamlit_server

TTL_SECONDS = 2


def soak(waves: int, sessions: int, turns: int, variant: str = "") -> list[tuple[int, float, float]]:
    """(wave, RSS MB after it, server CPU seconds so far) for every wave."""
    server = streamlit_server(app("aoai_lab"), env={"AOAI_LAB_DEMO_TOKENS_PER_SECOND": "0", VARIANT_ENV: variant})
    server.args = [*server.args, f"--server.disconnectedSessionTTL={TTL_SECONDS}"]
    samples = []
    with server:

        async def wave() -> int:
            crowd = await asyncio.gather(*(learner(server.url, "aoai_lab", turns, 20) for _ in range(sessions)))
            errors = [one.error for one in crowd if one.error]
            if errors:
                print(f"  e.g. {errors[0]}", flush=True)
            return len(errors)

        for index in range(waves):
            errors = asyncio.run(wave())
            time.sleep(TTL_SECONDS + 1)  # let the closed sessions expire
            rss, _ = server.memory_kb()
            samples.append((index + 1, rss / 1024, server.cpu()))
            print(f"wave {index + 1}: RSS {rss / 1024:.0f} MB, CPU {server.cpu():.1f} s, errors {errors}", flush=True)
    return samples


def rows(samples: list[tuple[int, float, float]], label: str) -> list[Row]:
    """First, middle and last waves' RSS, and the growth over the second half."""
    if not samples:
        return []
    half = samples[len(samples) // 2]
    last = samples[-1]
    return [
        Row("soak", f"{label}RSS after wave {samples[0][0]}", samples[0][1], None, "MB"),
        Row("soak", f"{label}RSS after wave {half[0]}", half[1], None, "MB"),
        Row("soak", f"{label}RSS after wave {last[0]}", last[1], None, "MB"),
        Row("soak", f"{label}RSS growth, second half", last[1] - half[1], None, "MB"),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--waves", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--variant", choices=VARIANTS, default=None)
    args = parser.parse_args(argv)
    variant = args.variant or ""
    label = f"{variant}: " if variant else ""
    print_rows(rows(soak(args.waves, args.sessions, args.turns, variant), label))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
