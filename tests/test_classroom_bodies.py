"""In classroom mode a student sees the diagnosis, never a raw body from a host that is not Azure's
(issue 11).

A student cannot type a non-Azure endpoint in classroom mode (pre-flight refuses it), so the
non-Azure host here is the one the *instructor* configured as the shared connection: a loopback
server that answers every request with a secret-looking error body and request id. The pure rule
(:mod:`aoai_lab.classroom.evidence`) is tested on a diagnosis the real check made from that
server's answer; the Connect page (AppTest) is tested with the same server behind the shared
connection: with classroom mode on, neither the card nor the diagnostic report holds any of the
body; with it off, the same page shows it (so the test can fail).
"""

from __future__ import annotations

import http.server
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from aoai_lab.check import run_check
from aoai_lab.classroom.config import DEFAULT_ALLOWED_HOSTS
from aoai_lab.classroom.evidence import (
    EVERYTHING,
    WITHHELD_PARAM,
    StudentView,
    raw_allowed,
    student_diagnosis,
    student_evidence,
)
from aoai_lab.connection import Connection, Normalised
from aoai_lab.diagnosis import Diagnosis, Evidence
from aoai_lab.emulator import DEMO_KEY
from aoai_lab.requestlog import RequestRecord
from aoai_lab.support import diagnostic_report
from tests.classroom_servers import fresh_class
from tests.test_app import shown_text

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SECRET = "s3cr3t-" + uuid.uuid4().hex  # in the body's message, code and param, and the request id
AZURE_URL = "https://class-lab.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"


@pytest.fixture(autouse=True)
def _fresh_class(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with fresh_class(monkeypatch):
        yield


@pytest.fixture
def leaky_server() -> Iterator[str]:
    """A non-Azure host on loopback whose every answer is a 400 with secrets in its body."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            self.rfile.read(length)
            body = json.dumps(
                {"error": {"code": f"Code-{SECRET}", "message": f"internal token={SECRET}", "param": f"{SECRET}!"}}
            ).encode()
            self.send_response(400)
            self.send_header("content-type", "application/json")
            self.send_header("apim-request-id", f"id-{SECRET}")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer  # http.server's handler names

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


CLASSROOM = StudentView(DEFAULT_ALLOWED_HOSTS, ("http://127.0.0.1:8765",))


# --- the rule ---------------------------------------------------------------------------------------


def test_only_azure_hosts_and_this_servers_demo_keep_their_raw_evidence() -> None:
    hosts = DEFAULT_ALLOWED_HOSTS
    assert raw_allowed(AZURE_URL, hosts)
    assert raw_allowed("https://x.cognitiveservices.azure.com/openai/v1/chat/completions", hosts)
    assert raw_allowed("http://127.0.0.1:8765/openai/x", hosts, ("http://127.0.0.1:8765/",))
    for url in (
        "http://class-lab.openai.azure.com/openai/x",  # not https
        "https://class-lab.openai.azure.com:8443/openai/x",  # another port
        "https://openai.azure.com.evil.example/openai/x",
        "http://127.0.0.1:9999/openai/x",  # loopback, but not this server's demo
        "http://127.0.0.1:87650/openai/x",  # a root is a prefix only up to a slash
        None,
    ):
        assert not raw_allowed(url, hosts, ("http://127.0.0.1:8765",)), url
    assert raw_allowed("http://10.0.0.1/x", None)  # classroom mode off: everything as before


def test_a_non_azure_body_leaves_only_status_and_url() -> None:
    evidence = Evidence(400, f"Code-{SECRET}", SECRET, f"id-{SECRET}", "http://10.0.0.1/openai/x", SECRET)
    assert student_evidence(evidence, DEFAULT_ALLOWED_HOSTS) == Evidence(status=400, url="http://10.0.0.1/openai/x")
    azure = Evidence(400, "unsupported_parameter", "Unsupported parameter: 'max_tokens'", "abc", AZURE_URL)
    assert student_evidence(azure, DEFAULT_ALLOWED_HOSTS) == azure
    refusal = Evidence(detail="classroom")  # a classroom refusal: nothing was received
    assert student_evidence(refusal, DEFAULT_ALLOWED_HOSTS) == refusal


def test_an_odd_param_is_withheld_from_the_titles_a_plain_name_stays() -> None:
    odd = Diagnosis("unsupported_parameter", Evidence(400, url="http://10.0.0.1/x"), {"param": f"{SECRET}!"})
    assert student_diagnosis(odd, DEFAULT_ALLOWED_HOSTS).params["param"] == WITHHELD_PARAM
    plain = Diagnosis("unsupported_parameter", Evidence(400, url="http://10.0.0.1/x"), {"param": "max_tokens"})
    assert student_diagnosis(plain, DEFAULT_ALLOWED_HOSTS).params["param"] == "max_tokens"


def test_a_real_check_of_a_leaky_host_shows_nothing_of_its_body(leaky_server: str) -> None:
    conn = Connection(leaky_server, DEMO_KEY, "gpt-4o", "2024-10-21", "classic", "secrets")
    report = run_check(Normalised(conn))
    assert SECRET in json.dumps(report.diagnosis.to_dict("en"))  # what the check saw: the test can fail
    shown = CLASSROOM.diagnosis(report.diagnosis)
    assert shown.code == report.diagnosis.code  # the diagnosis itself stays
    for lang in ("ko", "en"):
        assert SECRET not in json.dumps(shown.to_dict(lang))
    assert SECRET not in diagnostic_report(conn, report, view=CLASSROOM)
    assert SECRET in diagnostic_report(conn, report, view=EVERYTHING)


# --- the Connect page ---------------------------------------------------------------------------------


def connect_page(endpoint: str, classroom: dict[str, Any] | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if classroom is not None:
        at.secrets["classroom"] = classroom
    at.secrets["azure_openai"] = {
        "endpoint": endpoint,
        "api_key": DEMO_KEY,
        "deployment": "gpt-4o",
        "api_version": "2024-10-21",
    }
    at.session_state["lang"] = "ko"  # (connect.style formats its options per run: an AppTest click needs ko)
    at.run()
    at = at.switch_page("pages/connect.py").run()
    at.button(key="connect.configured_button").click().run()  # the shared connection, checked
    for expander in at.expander:  # as a student opening every detail
        expander.proto.expanded = True
    assert not at.exception, [e.value for e in at.exception]
    return at


def logged(at: AppTest) -> str:
    """The session's request log, every field of every row (what the Log page and its CSV show)."""
    return repr(at.session_state["request_log"].records)


def test_in_classroom_mode_the_card_report_and_log_hold_none_of_the_body(leaky_server: str) -> None:
    at = connect_page(leaky_server, {"instructor_password": "teach-me-please"})
    everything = "\n".join(text for _, text in shown_text(at))
    assert "bad_request" in everything  # the diagnosis is shown…
    assert SECRET not in everything  # …and nothing the host sent
    assert "bad_request" in logged(at) and SECRET not in logged(at)


def test_outside_classroom_mode_the_same_page_shows_the_evidence(leaky_server: str) -> None:
    at = connect_page(leaky_server, None)
    assert SECRET in "\n".join(text for _, text in shown_text(at))
    assert SECRET in logged(at)  # the request id, as before


def test_a_log_row_keeps_a_request_id_only_from_azure_or_this_servers_demo() -> None:
    row = RequestRecord(
        datetime.now(UTC), "chat", "chat", "classic", "10.0.0.1:8080", "gpt-4o", 400, "bad_request",
        f"id-{SECRET}", None, 12.0, None, None, None, False,
    )  # fmt: skip
    assert CLASSROOM.record(row).request_id is None
    assert CLASSROOM.record(replace(row, host="lab.openai.azure.com")).request_id == f"id-{SECRET}"
    assert CLASSROOM.record(replace(row, host="127.0.0.1:8765")).request_id == f"id-{SECRET}"  # the demo
    assert EVERYTHING.record(row) == row
