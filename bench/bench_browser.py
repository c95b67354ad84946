"""What a learner sees in Chromium: start-up, page switches and the connect click.

Debian's Chromium (``/usr/lib/chromium/chromium``, or ``$CHROMIUM``) driven by Playwright, each
measurement alternating AOAI Lab and its reference in the same run:

* start-up: ``streamlit run`` → the first page's content visible (vs a one-line app), with the
  server's CPU seconds by then;
* page switch: click in the sidebar → the new page's title visible, per page (vs a 2-page app),
  twice per tab: the first visit (Streamlit's frontend loads the JavaScript of each widget kind
  the first time a tab draws one) and a later visit in the same tab;
* connect: click "offline demo" → the success card visible (vs a button and one ``st.success``);
* warm-up (``--only warmup``): the browser's warm-up against the same app without it
  (``AOAI_LAB_PREFETCH=0``, aoai_lab/ui/prefetch.py): the first visits of the tour above; the
  element each of Connect, Chat and Code is for (text input, chat input, highlighted code),
  visible after a click from a Guide read for :data:`READ_S`; and start-up.
* replay (``--only replay``): the page switches and the demo click in AOAI Lab, in its own
  elements replayed with none of its code (bench/replay.py), in that replay's bare frame (the
  same navigation; only the titles, the demo button and the success card) and in the small apps
  above: AOAI Lab ÷ the replay is what our code costs, the replay ÷ the frame what the content
  costs, the frame ÷ the small app what Streamlit's multipage frame costs.

Before each click the page is left to finish drawing (no DOM change for 300 ms), or the click
would be charged with the previous page's drawing; ``--no-settle`` clicks as soon as the run ends.

    python3 -m bench.bench_browser
    python3 -m bench.bench_browser --rounds 1 --only startup     # smoke run
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from playwright.sync_api import Browser, Page, sync_playwright

from aoai_lab.ui.demo import PORT_ENV
from aoai_lab.ui.prefetch import PREFETCH_ENV
from bench.common import Row, median, print_rows
from bench.replay import frame_env, recorded
from bench.server import Server, app, free_port, streamlit_server
from tests.browser.chromium import CHROMIUM_FLAGS, chromium_path

CHROMIUM = chromium_path()
FLAGS = CHROMIUM_FLAGS
TIMEOUT_MS = 90_000
T = TypeVar("T")
MAIN_H1 = "h1"  # the sidebar has none; chat pages have no stMain wrapper
SUCCESS = "[data-testid='stAlertContentSuccess']"
ENV = {"AOAI_LAB_DEMO_TOKENS_PER_SECOND": "100"}
# What a learner opens each page for; drawn only once that widget kind's JavaScript has loaded.
MAIN_WIDGET = {
    "connect": ("text input", "[data-testid='stTextInput'] input"),
    "chat": ("chat input", "[data-testid='stChatInput'] textarea"),
    "code": ("highlighted code", "[data-testid='stCode'] code span.token"),
}
REPLAYED = "its elements replayed"  # the reference name of bench/reference_apps/replay.py
FRAME = "its bare frame"  # the replay of bench/replay.py's frame_only: titles, the button, the card
READ_S = 2.0  # how long the learner reads the Guide first: the warm-up works while the tab is idle
# AOAI Lab's pages in menu order, by URL path ("" is the Guide).
OUR_PAGES = ("connect", "chat", "code", "log", "troubleshoot", "")


def _new_page(browser: Browser) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def _idle(page: Page) -> None:
    """Wait until the app says it is not running (the status widget gone)."""
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')")


# Resolves once the document has not changed for 300 ms (at most 5 s): the status widget goes away
# when the run ends, but the browser may still be drawing that page for hundreds of ms (first use
# of a widget kind loads and compiles its JS chunk; long pages render in several long tasks), and
# a click issued then would be charged with the previous page's drawing.
_QUIET_JS = """() => new Promise((resolve) => {
  let timer = null;
  const done = () => { observer.disconnect(); resolve(true); };
  const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, 300); });
  observer.observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
  timer = setTimeout(done, 300);
  setTimeout(done, 5000);
})"""


def _settle(page: Page, settle: bool) -> None:
    """Unless ``settle`` is off, wait until the previous page has finished drawing."""
    if settle:
        page.evaluate(_QUIET_JS)


def startup(browser: Browser, name: str, env: dict[str, str] = ENV) -> tuple[float, float]:
    """(seconds from ``streamlit run`` to content visible, server CPU seconds by then)."""
    server = streamlit_server(app(name), env=env)
    page = _new_page(browser)
    try:
        server.start()
        page.goto(server.url)
        page.locator(MAIN_H1 if name == "aoai_lab" else "text=Hello").first.wait_for(state="visible")
        seen = time.perf_counter() - server.started_at
        return seen, server.cpu()
    finally:
        page.context.close()
        server.stop()


def page_switches(
    browser: Browser, server: Server, paths: Sequence[str], settle: bool = True
) -> dict[str, tuple[float, float]]:
    """Seconds from the click on each sidebar link to that page's new title visible, for the
    first visit in a fresh tab and for the next tour of the same pages in that tab."""
    page = _new_page(browser)
    try:
        page.goto(server.url)
        page.locator(MAIN_H1).first.wait_for(state="visible")
        _idle(page)
        tours: list[dict[str, float]] = [{}, {}]
        for tour in tours:
            for path in paths:
                old = page.locator(MAIN_H1).first.inner_text()
                link = page.locator(f"[data-testid='stSidebarNav'] a[href$='/{path}']").first
                _settle(page, settle)
                started = time.perf_counter()
                link.click()
                page.wait_for_function(
                    "old => { const h = document.querySelector('h1'); return h && h.innerText && h.innerText !== old; }",
                    arg=old,
                )
                tour[path or "guide"] = time.perf_counter() - started
                _idle(page)
        return {name: (tours[0][name], tours[1][name]) for name in tours[0]}
    finally:
        page.context.close()


def main_widget(browser: Browser, server: Server, path: str) -> float:
    """Seconds from the click on ``path``'s link, in a fresh tab whose Guide was read for
    :data:`READ_S`, to that page's :data:`MAIN_WIDGET` visible."""
    page = _new_page(browser)
    try:
        page.goto(server.url)
        page.locator(MAIN_H1).first.wait_for(state="visible")
        _idle(page)
        _settle(page, True)
        page.wait_for_timeout(READ_S * 1000)
        started = time.perf_counter()
        page.locator(f"[data-testid='stSidebarNav'] a[href$='/{path}']").first.click()
        page.locator(MAIN_WIDGET[path][1]).first.wait_for(state="visible")
        return time.perf_counter() - started
    finally:
        page.context.close()


def connect_click(browser: Browser, server: Server, path: str, settle: bool = True) -> float:
    """Seconds from the click on the demo button of the page at ``path`` to the success card visible."""
    page = _new_page(browser)
    try:
        page.goto(f"{server.url}/{path}")
        # Streamlit puts a widget's key in a class, with "." spelled "-".
        button = page.locator(".st-key-connect-demo_button button").first
        button.wait_for(state="visible")
        _idle(page)
        _settle(page, settle)
        started = time.perf_counter()
        button.click()
        page.locator(SUCCESS).first.wait_for(state="visible")
        return time.perf_counter() - started
    finally:
        page.context.close()


def _alternate(rounds: int, names: Sequence[str], measure: Callable[[str], T]) -> dict[str, list[T]]:
    """``measure`` each of ``names`` ``rounds`` times, reversing their order every other round."""
    results: dict[str, list[T]] = {name: [] for name in names}
    for index in range(rounds):
        for name in names if index % 2 == 0 else names[::-1]:
            results[name].append(measure(name))
    return results


PARTS = ("startup", "pages", "connect", "warmup", "replay")


def bench(rounds: int = 3, only: Sequence[str] = PARTS[:3], *, settle: bool = True) -> list[Row]:
    """The chosen parts, ``rounds`` alternations each."""
    rows: list[Row] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            if "startup" in only:
                got = _alternate(rounds, ("aoai_lab", "one_line"), lambda name: startup(browser, name))
                ours = [v for v in got["aoai_lab"] if isinstance(v, tuple)]
                ref = [v for v in got["one_line"] if isinstance(v, tuple)]
                rows += [
                    Row("start-up", "streamlit run → first page visible", median([s for s, _ in ours]),
                        median([s for s, _ in ref]), "s", "one-line app"),
                    Row("start-up", "server CPU by then", median([c for _, c in ours]),
                        median([c for _, c in ref]), "CPU-s", "one-line app"),
                ]  # fmt: skip
            if "pages" in only:
                rows += _pages(browser, rounds, settle)
            if "connect" in only:
                rows += _connect(browser, rounds, settle)
            if "warmup" in only:
                rows += _warmup(browser, rounds, settle)
            if "replay" in only:
                rows += _replay(browser, rounds, settle)
        finally:
            browser.close()
    return rows


def _pages(browser: Browser, rounds: int, settle: bool) -> list[Row]:
    with streamlit_server(app("aoai_lab"), env=ENV) as ours, streamlit_server(app("two_pages")) as ref:
        servers = {"aoai_lab": ours, "two_pages": ref}
        paths = {"aoai_lab": OUR_PAGES, "two_pages": ("second", "")}
        got = _alternate(
            rounds, ("aoai_lab", "two_pages"), lambda n: page_switches(browser, servers[n], paths[n], settle)
        )
    rows = []
    for tour, when in ((0, "first visit in a tab"), (1, "again, same tab")):
        ref_times = [t[tour] for run in got["two_pages"] if isinstance(run, dict) for t in run.values()]
        for path in OUR_PAGES:
            times = [run[path or "guide"][tour] for run in got["aoai_lab"] if isinstance(run, dict)]
            rows.append(Row("page switch", f"→ {path or 'guide'}, {when}: title visible", median(times) * 1000,
                            median(ref_times) * 1000, "ms", "2-page app"))  # fmt: skip
    return rows


def _connect(browser: Browser, rounds: int, settle: bool) -> list[Row]:
    with streamlit_server(app("aoai_lab"), env=ENV) as ours, streamlit_server(app("button_app")) as ref:
        servers = {"aoai_lab": ours, "button_app": ref}
        paths = {"aoai_lab": "connect", "button_app": ""}
        got = _alternate(
            rounds, ("aoai_lab", "button_app"), lambda n: connect_click(browser, servers[n], paths[n], settle)
        )
    ours_t = [float(v) for v in got["aoai_lab"] if isinstance(v, float)]
    ref_t = [float(v) for v in got["button_app"] if isinstance(v, float)]
    return [Row("connect", "click offline demo → success card", median(ours_t) * 1000, median(ref_t) * 1000,
                "ms", "button + one write")]  # fmt: skip


def _widget_on(browser: Browser, servers: dict[str, Server], path: str) -> Callable[[str], float]:
    return lambda name: main_widget(browser, servers[name], path)


def _warmup(browser: Browser, rounds: int, settle: bool) -> list[Row]:
    """The browser's warm-up on against off (the same app): first visits, main widgets, start-up."""
    envs = {"on": ENV, "off": {**ENV, PREFETCH_ENV: "0"}}
    with (
        streamlit_server(app("aoai_lab"), env=envs["on"]) as on,
        streamlit_server(app("aoai_lab"), env=envs["off"]) as off,
    ):
        servers = {"on": on, "off": off}
        tours = _alternate(rounds, ("on", "off"), lambda n: page_switches(browser, servers[n], OUR_PAGES, settle))
        widgets = {path: _alternate(rounds, ("on", "off"), _widget_on(browser, servers, path)) for path in MAIN_WIDGET}
    rows = []
    for path in OUR_PAGES:
        on_t, off_t = ([run[path or "guide"][0] for run in tours[n] if isinstance(run, dict)] for n in ("on", "off"))
        rows.append(Row("fix: browser warm-up", f"→ {path or 'guide'}, first visit in a tab: title visible",
                        median(on_t) * 1000, median(off_t) * 1000, "ms", "before (no warm-up)"))  # fmt: skip
    for path, (what, _) in MAIN_WIDGET.items():
        rows.append(Row("fix: browser warm-up", f"→ {path} after {READ_S:g} s on the Guide: {what} visible",
                        median(widgets[path]["on"]) * 1000, median(widgets[path]["off"]) * 1000, "ms",
                        "before (no warm-up)"))  # fmt: skip
    starts = _alternate(rounds, ("on", "off"), lambda n: startup(browser, "aoai_lab", envs[n]))
    on_s, off_s = ([s for s, _ in starts[n]] for n in ("on", "off"))
    rows.append(Row("fix: browser warm-up", "streamlit run → first page visible", median(on_s), median(off_s), "s",
                    "before (no warm-up)"))  # fmt: skip
    return rows


def _replay(browser: Browser, rounds: int, settle: bool) -> list[Row]:
    """The page tour and the demo click in four apps, alternating: AOAI Lab, its own elements
    replayed with none of its code (bench/replay.py), that replay's bare frame (only the titles,
    the button and the card) and the small reference apps. Three rows each: AOAI Lab ÷ the
    replay (what our code costs), the replay ÷ the frame (what the content costs) and the frame
    ÷ the small app (what Streamlit's multipage frame costs); their product is the goal's ratio."""
    env = {**ENV, PORT_ENV: str(free_port())}  # one demo port for both AOAI Lab servers: the pages show it
    with (
        recorded(OUR_PAGES, env) as replay_env,
        streamlit_server(app("aoai_lab"), env=env) as ours,
        streamlit_server(app("replay"), env=replay_env) as replay,
        streamlit_server(app("replay"), env=frame_env(replay_env)) as frame,
        streamlit_server(app("two_pages")) as two_pages,
        streamlit_server(app("button_app")) as button_app,
    ):
        tour_of = {
            "aoai_lab": (ours, OUR_PAGES),
            "replay": (replay, OUR_PAGES),
            "frame": (frame, OUR_PAGES),
            "two_pages": (two_pages, ("second", "")),
        }
        tours = _alternate(rounds, list(tour_of), lambda n: page_switches(browser, *tour_of[n], settle))
        click_on = {
            "aoai_lab": (ours, "connect"),
            "replay": (replay, "connect"),
            "frame": (frame, "connect"),
            "button_app": (button_app, ""),
        }
        clicks = _alternate(rounds, list(click_on), lambda n: connect_click(browser, *click_on[n], settle))
    rows = []
    for tour, when in ((0, "first visit in a tab"), (1, "again, same tab")):
        small = median([t[tour] for run in tours["two_pages"] for t in run.values()]) * 1000
        for path in OUR_PAGES:
            what = f"→ {path or 'guide'}, {when}: title visible"
            ours_t, replay_t, frame_t = (
                median([run[path or "guide"][tour] for run in tours[n]]) * 1000 for n in ("aoai_lab", "replay", "frame")
            )
            rows += _three_ways("page switch", what, (ours_t, replay_t, frame_t, small), "2-page app")
    ours_c, replay_c, frame_c, small_c = (median(clicks[n]) * 1000 for n in click_on)
    return [*rows, *_three_ways("connect", "click offline demo → success card", (ours_c, replay_c, frame_c, small_c),
                                "button + one write")]  # fmt: skip


def _three_ways(part: str, what: str, times: tuple[float, float, float, float], small_app: str) -> list[Row]:
    """AOAI Lab, the replay, the bare frame and the small app's times (ms) as three ratio rows."""
    ours, replay, frame, small = times
    return [
        Row(f"{part}: our code", what, ours, replay, "ms", REPLAYED),
        Row(f"{part}: content", f"{what} (the replay)", replay, frame, "ms", FRAME),
        Row(f"{part}: frame", f"{what} (the bare frame)", frame, small, "ms", small_app),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS[:3]))
    parser.add_argument(
        "--no-settle",
        action="store_true",
        help="click as soon as the run ends, not once the page has stopped changing for 300 ms",
    )
    args = parser.parse_args(argv)
    print_rows(bench(args.rounds, args.only, settle=not args.no_settle))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
