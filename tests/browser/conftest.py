"""Browser-suite fixtures: `streamlit run app.py` on a free port, one headless Chromium, and pages
that are screenshotted (with the server's log attached) when a test fails.

Modelled on Streamlit's own e2e suite (``e2e_playwright/conftest.py``): the server's output goes to
a temporary file, readiness is ``GET /_stcore/health`` answering ``ok``, and a page counts as loaded
when ``stApp`` is connected, not running and shows no skeletons.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from aoai_lab.connection import ENV_NAMES
from aoai_lab.ui.demo import PACE_ENV
from tests.browser.chromium import CHROMIUM_FLAGS, chromium_path

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
REQUIRE_BROWSER_ENV = "AOAI_LAB_REQUIRE_BROWSER"
# Generous limits for 2 slow CI cores. They bound waits; nothing asserts on timing.
SERVER_START_TIMEOUT_S = 60.0
APP_TIMEOUT_MS = 45_000
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}  # wide enough that the sidebar stays open
DEMO_PACE = "200"  # tokens per second: replies are still streamed, but take well under a second
LOG_TAIL_CHARS = 20_000

FAILED = pytest.StashKey[bool]()
SERVERS = pytest.StashKey[list["StreamlitServer"]]()


def _must_run_here(message: str) -> None:
    """Fail when CI requires the browser suite (``AOAI_LAB_REQUIRE_BROWSER=1``), else skip."""
    if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


# --- the server ------------------------------------------------------------------------------


@dataclass
class StreamlitServer:
    """One `streamlit run app.py` subprocess; its stdout and stderr go to ``log``."""

    url: str
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    def log_text(self) -> str:
        """Everything the server printed so far."""
        fd = self.log.fileno()
        # pread leaves the file offset alone: the child shares it and is still writing.
        return os.pread(fd, os.fstat(fd).st_size, 0).decode("utf-8", "replace")

    def log_tail(self) -> str:
        """The end of the log, short enough for a test report."""
        text = self.log_text()
        return text if len(text) <= LOG_TAIL_CHARS else "…\n" + text[-LOG_TAIL_CHARS:]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _server_env() -> dict[str, str]:
    """This process's environment minus any Azure OpenAI settings, so the app starts on the demo."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZURE_OPENAI_") and k not in ENV_NAMES}
    env[PACE_ENV] = DEMO_PACE
    env["PYTHONUNBUFFERED"] = "1"  # the log is readable while the server runs
    return env


def _healthy(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", "/_stcore/health")
        response = conn.getresponse()
        return response.status == 200 and response.read().strip() == b"ok"
    except OSError:  # not listening yet
        return False
    finally:
        conn.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextmanager
def streamlit_server() -> Iterator[StreamlitServer]:
    """Start a fresh `streamlit run app.py` from the repo root and wait until it answers ``ok``."""
    configured = [p for p in (REPO_ROOT / ".env", REPO_ROOT / ".streamlit" / "secrets.toml") if p.is_file()]
    if configured:
        # The app would read them and leave demo mode, which every test here relies on.
        _must_run_here(f"browser tests need the offline demo, but {', '.join(map(str, configured))} configures Azure")
    with tempfile.TemporaryFile(prefix="streamlit-", suffix=".log") as log:
        port = _free_port()
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ]
        # A file, not a PIPE: nobody reads a pipe during the test, and a full one blocks the server.
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=_server_env(), stdout=log, stderr=subprocess.STDOUT)
        server = StreamlitServer(f"http://127.0.0.1:{port}", process, log)
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT_S
            while not _healthy(port):
                if process.poll() is not None:
                    pytest.fail(f"streamlit exited with {process.returncode}:\n{server.log_tail()}", pytrace=False)
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"streamlit not healthy after {SERVER_START_TIMEOUT_S:.0f} s:\n{server.log_tail()}",
                        pytrace=False,
                    )
                time.sleep(0.25)
            yield server
        finally:
            _stop(process)


def _save_log(server: StreamlitServer, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}-server.log").write_text(server.log_text(), encoding="utf-8")


def _artifact_name(node: pytest.Item | pytest.Collector) -> str:
    return re.sub(r"[^\w.-]+", "_", node.name)


@pytest.fixture(scope="module")
def _module_server(request: pytest.FixtureRequest) -> Iterator[StreamlitServer]:
    """One server for a test module; its log is saved if any test of the module failed."""
    failed_before = request.session.testsfailed
    with streamlit_server() as server:
        yield server
        if request.session.testsfailed > failed_before:
            _save_log(server, _artifact_name(request.node))


@pytest.fixture
def app_server(_module_server: StreamlitServer, request: pytest.FixtureRequest) -> StreamlitServer:
    """The module's shared server (sessions are per browser context, so tests don't see each other)."""
    request.node.stash.setdefault(SERVERS, []).append(_module_server)
    return _module_server


@pytest.fixture
def fresh_server(request: pytest.FixtureRequest) -> Iterator[StreamlitServer]:
    """A server of this test's own, started for it: its first session is this test's first request."""
    with streamlit_server() as server:
        request.node.stash.setdefault(SERVERS, []).append(server)
        yield server
        if request.node.stash.get(FAILED, False):
            _save_log(server, _artifact_name(request.node))


# --- the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium (or ``$CHROMIUM``); Playwright's own browser downloads are never used."""
    path = chromium_path()
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        _must_run_here(
            f"no Chromium at {path}: install Debian's chromium and fonts-noto-cjk "
            "(apt-get install chromium fonts-noto-cjk) or set CHROMIUM=/path/to/chromium"
        )
    return path


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator[Browser]:
    """One headless Chromium for the whole session; each test isolates itself in new contexts."""
    expect.set_options(timeout=APP_TIMEOUT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[[], Page]]:
    """Open pages, each in a new browser context (so a new Streamlit session, like a new student).

    When the test fails, every page still open is saved as
    ``test-artifacts/browser/<test-name>-<n>.png`` before the contexts close.
    """
    contexts: list[BrowserContext] = []
    pages: list[Page] = []

    def open_page() -> Page:
        context = browser.new_context(viewport=VIEWPORT, locale="ko-KR")
        context.set_default_timeout(APP_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        return page

    yield open_page
    try:
        if request.node.stash.get(FAILED, False):
            _screenshot_all(pages, _artifact_name(request.node))
    finally:
        for context in contexts:
            context.close()


def _screenshot_all(pages: list[Page], name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for number, page in enumerate(pages, start=1):
        if page.is_closed():
            continue
        try:
            # Streamlit scrolls inside its own containers, so a "full page" is only the viewport:
            # grow the viewport to the tallest scroll area first.
            height = page.evaluate(
                """() => Math.max(document.documentElement.scrollHeight, ...[...document.querySelectorAll('*')]
                    .filter(e => /(auto|scroll)/.test(getComputedStyle(e).overflowY)).map(e => e.scrollHeight))"""
            )
            page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], min(height, 12_000))})
            page.screenshot(path=ARTIFACTS / f"{name}-{number}.png", full_page=True)
        except PlaywrightError as error:  # a crashed page must not hide the test's own failure
            print(f"no screenshot of page {number}: {error}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Mark a failed test for the fixtures' teardown (screenshots) and attach the server log."""
    report = yield
    if report.failed:
        item.stash[FAILED] = True
        for server in item.stash.get(SERVERS, []):
            report.sections.append((f"streamlit log ({server.url}, {report.when})", server.log_tail()))
    return report


# --- helpers ---------------------------------------------------------------------------------


def wait_for_app(page: Page) -> None:
    """Wait until the app is connected, done running and fully drawn (as Streamlit's e2e suite does).

    Right after a load ``stApp`` says ``notRunning`` before the first run starts, so the
    skeleton placeholders are what tell that the page has actually been drawn.
    """
    page.wait_for_selector("[data-testid='stAppViewContainer']", state="attached")
    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED")
    # A short pause lets a rerun that an action just asked for begin before we look.
    page.wait_for_timeout(200)
    expect(app).to_have_attribute("data-test-script-state", "notRunning")
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)
    expect(page.locator("[data-stale='true']")).to_have_count(0)


def goto(page: Page, url: str) -> None:
    """Load ``url`` as a learner would (address bar) and wait for the app to be drawn."""
    response = page.goto(url)
    assert response is not None and response.status == 200, f"GET {url} -> {response and response.status}"
    wait_for_app(page)
