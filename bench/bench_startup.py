"""Where start-up goes: ``streamlit run`` → the first page visible in Chromium, split in parts.

For AOAI Lab and the one-line app, alternately, each from a fresh process:

* server up: the process answers HTTP;
* first run: the first script run's start and its length, timed inside the server
  (``bench.launch``, ``BENCH_RUN_LOG``);
* last frame: the last websocket frame the browser got before the page was visible;
* visible: the page's title (``h1``; "Hello" for the one-line app) visible.

Times are from the process start, medians over the rounds. To compare with an earlier commit,
run this file in a ``git worktree`` of it (with this ``bench/`` copied in) and compare the ratios.

    python3 -m bench.bench_startup --rounds 5
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from playwright.sync_api import Browser, WebSocket, sync_playwright

from bench.bench_browser import CHROMIUM, ENV, FLAGS, MAIN_H1, _alternate, _new_page
from bench.common import Row, median, print_rows
from bench.launch import RUN_LOG_ENV
from bench.server import app, streamlit_server

PARTS = ("server up", "first run starts", "first run ends", "last frame", "visible")


def one_start(browser: Browser, script: Path, title: str) -> dict[str, float]:
    """The parts of one start-up, in seconds from the process start."""
    with tempfile.TemporaryDirectory() as tmp:
        run_log = Path(tmp) / "runs.log"
        server = streamlit_server(script, env={**ENV, RUN_LOG_ENV: str(run_log)})
        page = _new_page(browser)
        frames: list[float] = []

        def on_socket(socket: WebSocket) -> None:
            socket.on("framereceived", lambda _frame: frames.append(time.perf_counter()))

        try:
            server.start()
            page.on("websocket", on_socket)
            page.goto(server.url)
            page.locator(title).first.wait_for(state="visible")
            visible = time.perf_counter()
            # The server's wall clock against this process's perf_counter, both read now.
            wall_offset = time.time() - visible
            # The title can be visible before the run ends (what runs after the page's last element).
            deadline = time.monotonic() + 30
            while not run_log.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            started, length = (float(v) for v in run_log.read_text(encoding="utf-8").split()[:2])
        finally:
            page.context.close()
            server.stop()
    begin = server.started_at
    run_start = started - wall_offset - begin
    return {
        "server up": server.ready_after,
        "first run starts": run_start,
        "first run ends": run_start + length,
        "last frame": max((f for f in frames if f <= visible), default=visible) - begin,
        "visible": visible - begin,
    }


def bench(rounds: int = 5) -> list[Row]:
    """``rounds`` alternations of AOAI Lab with the one-line app."""
    apps = {"aoai_lab": (app("aoai_lab"), MAIN_H1), "one_line": (app("one_line"), "text=Hello")}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            got = _alternate(rounds, list(apps), lambda name: one_start(browser, *apps[name]))
        finally:
            browser.close()
    for runs in got.values():
        for run in runs:
            run["first run's length"] = run["first run ends"] - run["first run starts"]

    def part(name: str, key: str) -> float:
        return median([run[key] for run in got[name]])

    return [
        Row("start-up parts", key, part("aoai_lab", key), part("one_line", key), "s", "one-line app")
        for key in (*PARTS, "first run's length")
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    print_rows(bench(args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
