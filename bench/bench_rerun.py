"""Server-side cost of one rerun, without a browser: each page's switch and the demo click.

Streamlit's ``AppTest`` runs the real scripts in this process (the in-process demo paced at 0);
it times the script run only, not the websocket or the browser's drawing, so it isolates what the
server does per click (``bench_browser`` measures what a learner sees). Figures, never asserts.

    python3 -m bench.bench_rerun                 # medians of 7 switches per page, 15 demo clicks
    python3 -m bench.bench_rerun --rounds 3
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("connect", "chat", "code", "log", "troubleshoot", "guide")


def _fresh(page: str | None = None) -> object:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = "ko"
    at = at.run()
    return at.switch_page(f"pages/{page}.py").run() if page else at


def page_switches(rounds: int) -> dict[str, float]:
    """Median seconds of one switch to each page (one session, after a warm-up visit to each)."""
    at = _fresh()
    for page in PAGES:
        at = at.switch_page(f"pages/{page}.py").run()  # type: ignore[attr-defined]
    times: dict[str, list[float]] = {page: [] for page in PAGES}
    for _ in range(rounds):
        for page in PAGES:
            started = time.perf_counter()
            at = at.switch_page(f"pages/{page}.py").run()  # type: ignore[attr-defined]
            times[page].append(time.perf_counter() - started)
    return {page: statistics.median(values) for page, values in times.items()}


def demo_clicks(clicks: int) -> float:
    """Median seconds of the "offline demo" click (check + drawing), each on a fresh session."""
    for _ in range(2):  # warm-up: lazy imports, the demo emulator, the shared HTTP client
        _fresh("connect").button(key="connect.demo_button").click().run()  # type: ignore[attr-defined]
    times = []
    for _ in range(clicks):
        at = _fresh("connect")
        started = time.perf_counter()
        at.button(key="connect.demo_button").click().run()  # type: ignore[attr-defined]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7, help="switches measured per page")
    parser.add_argument("--clicks", type=int, default=15, help="demo clicks measured")
    args = parser.parse_args(argv)
    os.environ.setdefault("AOAI_LAB_DEMO_TOKENS_PER_SECOND", "0")
    os.chdir(ROOT / "tests")  # no .env here: nothing configured, the app starts on the demo
    logging.disable(logging.WARNING)  # AppTest's "missing ScriptRunContext" noise
    for page, seconds in page_switches(args.rounds).items():
        print(f"switch to {page:<13} {seconds * 1000:7.1f} ms (server, median)")
    print(f"offline demo click      {demo_clicks(args.clicks) * 1000:7.1f} ms (server, median)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
