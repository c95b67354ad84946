"""Classroom mode in a real browser: app replicas behind nginx sharing Redis, no secret in any
frame or response of a student's whole session, and two students at once with the instructor
watching. Servers are started by ``aoai_lab.classroom.cluster`` (Debian's nginx and redis-server).
"""

from __future__ import annotations

import http.client
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from playwright.sync_api import Browser, Page, Response, expect

from aoai_lab.classroom.cluster import REPLICA_HEADER, ROUTE_COOKIE, Cluster, start_cluster
from aoai_lab.emulator import EmulatorConfig, EmulatorServer
from aoai_lab.i18n import t
from aoai_lab.troubleshoot import CARDS
from tests.browser.app_pages import OPEN_ALL_EXPANDERS_JS, go_to, main, send_chat, sidebar
from tests.browser.conftest import APP_TIMEOUT_MS, VIEWPORT, goto, wait_for_app
from tests.tools import require_program

pytestmark = pytest.mark.browser

SHARED_KEY = secrets.token_hex(16)  # the instructor's key: only the emulator and the server know it
CODE = "code-" + secrets.token_hex(6)
PASSWORD = "pw-" + secrets.token_hex(8)


def _title(code: str) -> str:
    """A diagnosis title's literal part (before a "— wait N s")."""
    return t(f"diag.{code}.title", "ko").split("—")[0].strip()


@pytest.fixture(scope="module")
def shared_emulator() -> Iterator[EmulatorServer]:
    """The class's "Azure": an emulator that accepts only the instructor's key."""
    config = EmulatorConfig(api_keys=(SHARED_KEY,), tokens_per_second=0, record_requests=True)
    with EmulatorServer(config) as server:
        yield server


def class_env(emulator: EmulatorServer, **classroom: object) -> dict[str, str]:
    env = {
        "AZURE_OPENAI_ENDPOINT": emulator.endpoint,
        "AZURE_OPENAI_API_KEY": SHARED_KEY,
        "AZURE_OPENAI_DEPLOYMENT": "gpt-5.1",
        "OPENAI_API_VERSION": "2025-04-01-preview",
        "AOAI_LAB_DEMO_TOKENS_PER_SECOND": "200",
    }
    env |= {f"AOAI_LAB_CLASSROOM_{name.upper()}": str(value) for name, value in classroom.items()}
    return env


@pytest.fixture
def cluster_factory(tmp_path: Path) -> Iterator[Any]:
    require_program("nginx", "apt-get install nginx-light")
    require_program("redis-server", "apt-get install redis-server")
    started: list[Cluster] = []

    def make(replicas: int, env: dict[str, str], *, start_redis: bool = False) -> Cluster:
        cluster = start_cluster(
            replicas, env=env, start_redis=start_redis, workdir=tmp_path / f"c{len(started)}", expose_replica=True
        )
        started.append(cluster)
        return cluster

    yield make
    for cluster in started:
        cluster.stop()


def student(browser: Browser, cluster: Cluster, route: str | None = None) -> Page:
    context = browser.new_context(viewport=VIEWPORT, locale="ko-KR")
    context.set_default_timeout(APP_TIMEOUT_MS)
    if route is not None:
        context.add_cookies([{"name": ROUTE_COOKIE, "value": route, "url": cluster.url}])
    return context.new_page()


def routes_to_each_replica(cluster: Cluster) -> list[str]:
    """A route cookie per replica, found by asking nginx which replica answers."""
    port = int(cluster.url.rsplit(":", 1)[1])
    found: dict[str, str] = {}
    for number in range(200):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/_stcore/health", headers={"Cookie": f"{ROUTE_COOKIE}=r{number}"})
        answer = conn.getresponse()
        answer.read()
        found.setdefault(str(answer.getheader(REPLICA_HEADER)), f"r{number}")
        conn.close()
        if len(found) == len(cluster.replicas):
            return list(found.values())
    raise AssertionError(f"nginx spread 200 routes over {sorted(found)} only")


def type_code(page: Page, code: str) -> None:
    field = main(page).get_by_label(t("classroom.access.label", "ko"), exact=True)
    field.fill(code)
    field.press("Enter")
    wait_for_app(page)


def use_class_connection(page: Page) -> None:
    main(page).get_by_role("button", name=t("connect.use_configured.env", "ko"), exact=True).click()
    wait_for_app(page)


def test_two_replicas_share_the_class_budget_and_the_code_tries(
    browser: Browser, cluster_factory: Any, shared_emulator: EmulatorServer
) -> None:
    env = class_env(
        shared_emulator, access_code=CODE, class_token_budget=150, max_output_tokens=30, requests_per_minute=100
    )
    cluster = cluster_factory(2, env, start_redis=True)
    store = redis.Redis.from_url(cluster.redis_url)
    first, second = routes_to_each_replica(cluster)
    a, b = student(browser, cluster, first), student(browser, cluster, second)
    for page in (a, b):
        goto(page, cluster.url + "/connect")
    # Wrong codes on both replicas count in one class-wide window.
    for page, wrong in ((a, 2), (b, 3)):
        for _ in range(wrong):
            type_code(page, "nope")
            expect(main(page)).to_contain_text(t("classroom.access.wrong", "ko"))
    assert store.zcard("aoai_lab:win:code:all") == 5
    # A spends the class budget on replica 0 …
    type_code(a, CODE)
    use_class_connection(a)
    go_to(a, "nav.chat")  # through the menu: a page load would be a new session
    spend_until_refused(a, "classroom_class_budget")
    spent = int(store.get("aoai_lab:tok:class") or 0)
    assert 0 < spent <= 150
    # … and B, on replica 1, gets only what A left: the class counter is one, in Redis.
    type_code(b, CODE)
    assert store.zcard("aoai_lab:win:code:all") == 7
    use_class_connection(b)
    go_to(b, "nav.chat")
    spend_until_refused(b, "classroom_class_budget")
    assert spent < int(store.get("aoai_lab:tok:class") or 0) <= 150
    assert store.get("aoai_lab:flag:paused") is None


def spend_until_refused(page: Page, code: str) -> None:
    """Chat until the limit ``code`` refuses a message (each reply is at most max_output_tokens)."""
    for number in range(15):
        send_chat(page, f"Tell me about deployment names, part {number}")
        wait_for_app(page)
        if _title(code) in main(page).inner_text():
            return
    raise AssertionError(f"{code} never refused a message")


def test_no_secret_in_any_frame_or_response_of_a_students_session(
    browser: Browser, cluster_factory: Any, shared_emulator: EmulatorServer
) -> None:
    env = class_env(shared_emulator, access_code=CODE, instructor_password=PASSWORD)
    cluster = cluster_factory(1, env)
    page = student(browser, cluster)
    frames: list[bytes] = []
    responses: list[Response] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(_bytes(payload))))
    page.on("response", lambda response: responses.append(response))
    downloads: list[bytes] = []

    goto(page, cluster.url + "/")
    go_to(page, "nav.connect")
    type_code(page, CODE)
    use_class_connection(page)
    expect(main(page)).to_contain_text(t("connect.check_ok", "ko"))
    go_to(page, "nav.chat")
    send_chat(page, "배포 이름이 뭐야?")
    wait_for_app(page)
    send_chat(page, "콘텐츠 필터 테스트")  # an error: the content filter blocks the prompt
    wait_for_app(page)
    expect(main(page)).to_contain_text(t("diag.content_filtered.title", "ko"))
    for name in ("chat", "code", "connect", "log", "troubleshoot", "instructor", "guide"):
        go_to(page, f"nav.{name}")
        if name == "troubleshoot":  # every card, not only the common ones listed first
            main(page).get_by_text(t("trouble.show_all", "ko", total=len(CARDS)), exact=True).click()
            wait_for_app(page)
        page.evaluate(OPEN_ALL_EXPANDERS_JS)
        wait_for_app(page)
        if name == "troubleshoot":  # a card's body comes with the rerun its opening asks for
            expect(main(page).get_by_text(t("card.cause", "ko"), exact=True)).to_have_count(len(CARDS))
        for button in main(page).get_by_test_id("stDownloadButton").locator("button:enabled").all():
            if not button.is_visible():  # in a tab not shown
                continue
            with page.expect_download() as download:
                button.click()
            downloads.append(Path(download.value.path()).read_bytes())
    expect(sidebar(page)).to_be_visible()
    bodies = []
    for response in responses:
        try:
            bodies.append(response.body())
        except Exception:  # noqa: S112 - a websocket upgrade or a redirect has no body
            continue
    everything = [*frames, *bodies, *downloads]
    assert len(frames) > 20 and downloads, (len(frames), len(downloads))
    for secret in (SHARED_KEY, CODE, PASSWORD):
        leaks = [blob[:200] for blob in everything if secret.encode() in blob]
        assert leaks == [], secret


def _bytes(payload: str | bytes) -> bytes:
    return payload.encode() if isinstance(payload, str) else payload


def test_two_students_are_limited_apart_and_the_instructor_counts_both(
    browser: Browser, cluster_factory: Any, shared_emulator: EmulatorServer
) -> None:
    env = class_env(shared_emulator, instructor_password=PASSWORD, requests_per_minute=2)
    cluster = cluster_factory(1, env)
    a, b = student(browser, cluster), student(browser, cluster)
    marker = "marker" + secrets.token_hex(6)
    for page in (a, b):
        goto(page, cluster.url + "/connect")
        use_class_connection(page)  # the check: one request each
        go_to(page, "nav.chat")
    send_chat(a, f"{marker} deployment?")
    wait_for_app(a)
    send_chat(a, "again")
    wait_for_app(a)
    expect(main(a)).to_contain_text(_title("classroom_rate_limit"))
    # B has its own minute: its message goes through, and nothing of A's reaches it.
    send_chat(b, "배포 이름이 뭐야?")
    wait_for_app(b)
    expect(main(b).get_by_test_id("stChatMessage")).to_have_count(2)
    assert _title("classroom_rate_limit") not in main(b).inner_text()
    assert marker not in b.content()
    teacher = student(browser, cluster)
    goto(teacher, cluster.url + "/instructor")
    assert not main(teacher).get_by_test_id("stMetric").count()
    field = main(teacher).get_by_label(t("instructor.password", "ko"), exact=True)
    field.fill(PASSWORD)
    field.press("Enter")
    wait_for_app(teacher)
    active = main(teacher).get_by_test_id("stMetric").filter(has_text=t("instructor.active", "ko"))
    expect(active).to_contain_text("3")  # two students and the instructor
    expect(main(teacher)).to_contain_text("classroom_rate_limit")
    assert marker not in teacher.content()
