"""Where a page switch (and the connect click) goes, measured inside Chromium.

An init script in the page timestamps, with the page's own clock (``performance.now()``): the
click (capture phase), every websocket message sent (BackMsg) and received (ForwardMsg, bytes
kept and decoded here with ``streamlit.proto``), the first animation frame whose ``h1`` (or the
success card) differs from before the click, and the last DOM mutation in the main area. From
those, per page: click → BackMsg sent, → first ForwardMsg, → the run's ``script_finished``
(server work + transport), → target seen in a frame, → last DOM change (rendering after the last
message), and how many deltas / bytes the run sent.

    python3 -m bench.bench_breakdown --rounds 3
    python3 -m bench.bench_breakdown --rounds 3 --app two_pages --pages second ""
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page, sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.bench_browser import CHROMIUM, ENV, FLAGS, MAIN_H1, OUR_PAGES, SUCCESS, _idle, _new_page
from bench.common import median
from bench.flows import DEMO_BUTTON
from bench.protocol import Session
from bench.server import app, streamlit_server

KINDS = os.environ.get("BENCH_KINDS") == "1"  # print each page's element kinds (wire mode)
TAIL = os.environ.get("BENCH_TAIL") == "1"  # print the late DOM mutations (what keeps drawing)
# Runs in every document before Streamlit: wrap the WebSocket and watch the DOM.
INIT = """
(() => {
  const log = window.__bench = {click: null, sent: [], got: [], seen: null, lastMutation: null,
                                target: null, old: null};
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('message', (e) => {
      const t = performance.now();
      const bytes = new Uint8Array(e.data);
      let s = ''; for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
      log.got.push([t, btoa(s)]);
    });
    const send = ws.send.bind(ws);
    ws.send = (data) => { log.sent.push(performance.now()); return send(data); };
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  const now = () => {
    const el = log.target && document.querySelector(log.target);
    return el ? (el.innerText || 'present') : '';
  };
  window.__benchArm = (target) => {
    log.target = target; log.old = now(); log.click = null; log.sent = []; log.got = [];
    log.seen = null; log.lastMutation = null; log.tail = []; log.long = [];
  };
  document.addEventListener('click', () => {
    if (log.target === null || log.click !== null) return;
    log.click = performance.now();
    const frame = () => {
      if (log.seen !== null) return;
      if (now() && now() !== log.old) { log.seen = performance.now(); return; }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }, true);
  log.tail = []; log.long = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) log.long.push([e.startTime, e.duration]);
  }).observe({type: 'longtask', buffered: false});
  const describe = (n) => {
    const el = n.nodeType === 1 ? n : n.parentElement;
    const owner = el && el.closest('[data-testid]');
    return (owner ? owner.getAttribute('data-testid') : '?') + ' ' + (el ? el.tagName : '');
  };
  new MutationObserver((records) => {
    if (log.click === null) return;
    log.lastMutation = performance.now();
    for (const r of records.slice(0, 3)) log.tail.push([Math.round(log.lastMutation - log.click), r.type, describe(r.target)]);
    if (log.tail.length > 400) log.tail.splice(0, log.tail.length - 400);
  })
    .observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
})();
"""


@dataclass
class Breakdown:
    """One click, all times in ms from the click event in the page (``py_seen``: from Playwright's
    ``click()`` call to the target seen, as ``bench_browser`` measures)."""

    sent: float
    first_msg: float
    finished: float
    seen: float
    py_seen: float
    long_tasks: float
    long_end: float
    last_mutation: float
    deltas: int
    messages: int
    kbytes: float


def _measure(page: Page, target: str, click: Any) -> Breakdown:
    page.evaluate("t => window.__benchArm(t)", target)
    started = time.perf_counter()
    click()
    page.wait_for_function("() => window.__bench.seen !== null")
    py_seen = (time.perf_counter() - started) * 1000
    _idle(page)
    page.wait_for_timeout(700)  # let trailing messages and the last render land (not a measurement)
    log = page.evaluate("() => window.__bench")
    if TAIL:
        print(target, [t for t in log["tail"] if t[0] > log["seen"] - log["click"] + 50][-25:])
    t0 = log["click"]
    deltas = 0
    finished = None
    size = 0
    for t, data in log["got"]:
        raw = base64.b64decode(data)
        size += len(raw)
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        deltas += kind == "delta"
        if kind == "script_finished" and finished is None:
            finished = t - t0
    first = log["got"][0][0] - t0 if log["got"] else float("nan")
    return Breakdown(
        sent=(log["sent"][0] - t0) if log["sent"] else float("nan"),
        first_msg=first,
        finished=finished if finished is not None else float("nan"),
        seen=log["seen"] - t0,
        py_seen=py_seen,
        long_tasks=sum(d for t, d in log["long"] if t + d > t0),
        long_end=max((t + d - t0 for t, d in log["long"] if t + d > t0), default=0.0),
        last_mutation=(log["lastMutation"] or log["seen"]) - t0,
        deltas=deltas,
        messages=len(log["got"]),
        kbytes=size / 1024,
    )


def run(name: str, paths: Sequence[str], rounds: int, connect: bool) -> dict[str, list[Breakdown]]:
    """``rounds`` visits of each page in ``paths`` (and the demo click when ``connect``)."""
    out: dict[str, list[Breakdown]] = {}
    with sync_playwright() as playwright, streamlit_server(app(name), env=ENV) as server:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            for _ in range(rounds):
                page = _new_page(browser)
                page.add_init_script(INIT)
                page.goto(server.url)
                page.locator(MAIN_H1).first.wait_for(state="visible")
                _idle(page)
                visited: set[str] = set()
                for path in paths:
                    link = page.locator(f"[data-testid='stSidebarNav'] a[href$='/{path}']").first
                    out.setdefault(f"{path or 'guide'}" + ("" if path not in visited else " (again)"), []).append(
                        _measure(page, "h1", link.click)
                    )
                    visited.add(path)
                if connect:
                    page.goto(server.url + ("/connect" if name == "aoai_lab" else ""))
                    button = page.locator(".st-key-connect-demo_button button").first
                    button.wait_for(state="visible")
                    _idle(page)
                    out.setdefault("demo click", []).append(_measure(page, SUCCESS, button.click))
                page.context.close()
        finally:
            browser.close()
    return out


async def _wire(url: str, paths: Sequence[str], rounds: int, connect: bool) -> dict[str, list[tuple[float, int, int]]]:
    """Server + loopback only: (ms to the run's ``script_finished``, messages, bytes) per page, a
    websocket client (``bench.protocol``) in place of the browser."""
    out: dict[str, list[tuple[float, int, int]]] = {}
    for _ in range(rounds):
        session = Session(url)
        await session.open("")
        for path in [*paths, *(["connect"] if connect else [])]:
            before = (session.messages_in, session.bytes_in)
            started = time.perf_counter()
            await session.rerun(page_name=path)
            if KINDS:
                kinds = Counter(e.WhichOneof("type") for e in session.elements.values())
                print(path or "guide", len(session.elements), kinds.most_common(8))
            out.setdefault(path or "guide", []).append(
                ((time.perf_counter() - started) * 1000, session.messages_in - before[0], session.bytes_in - before[1])
            )
        if connect:
            before = (session.messages_in, session.bytes_in)
            started = time.perf_counter()
            await session.click(DEMO_BUTTON)
            out.setdefault("demo click", []).append(
                ((time.perf_counter() - started) * 1000, session.messages_in - before[0], session.bytes_in - before[1])
            )
        await session.close()
    return out


def wire(name: str, paths: Sequence[str], rounds: int, connect: bool) -> None:
    """Print the websocket-client figures for ``name``."""
    with streamlit_server(app(name), env=ENV) as server:
        got = asyncio.run(_wire(server.url, paths, rounds, connect))
    print("| page | script_finished at the client (ms) | messages | KB |")
    print("|---|---|---|---|")
    for page, items in got.items():
        print(f"| {page} | {median([i[0] for i in items]):.0f} | {median([i[1] for i in items]):.0f} "
              f"| {median([i[2] for i in items]) / 1024:.1f} |")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Print one line per page: medians over the rounds."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--app", default="aoai_lab")
    parser.add_argument("--pages", nargs="*", default=list(OUR_PAGES))
    parser.add_argument("--no-connect", action="store_true")
    parser.add_argument("--wire", action="store_true", help="a websocket client instead of Chromium")
    args = parser.parse_args(argv)
    if args.wire:
        wire(args.app, args.pages, args.rounds, connect=not args.no_connect and args.app == "aoai_lab")
        return 0
    got = run(args.app, args.pages, args.rounds, connect=not args.no_connect and args.app in ("aoai_lab", "button_app"))
    fields = (
        "sent",
        "first_msg",
        "finished",
        "seen",
        "py_seen",
        "long_tasks",
        "long_end",
        "last_mutation",
        "deltas",
        "messages",
        "kbytes",
    )
    print("| page | " + " | ".join(fields) + " |")
    print("|---" * (len(fields) + 1) + "|")
    for name, items in got.items():
        cells = [f"{median([getattr(b, f) for b in items]):.0f}" for f in fields]
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
