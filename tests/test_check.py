"""The check ladder against the emulator and misbehaving loopback sockets: one code per scenario."""

from __future__ import annotations

import time

import pytest

from aoai_lab.check import RUNGS, CheckReport, RungResult, run_check
from aoai_lab.client import chat, stream_chat
from aoai_lab.connection import Connection, Normalised, from_input
from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from aoai_lab.request import ChatRequest
from aoai_lab.support import diagnostic_report
from tests.hostile_inputs import KOREAN_KEY, NUL_KEY, hostile_cases
from tests.loopback import canary_server, closed_port, redirect_server, silent_server, trickle_server, web_server

GOOD_VERSION = "2025-04-01-preview"


def check(
    endpoint: str,
    *,
    key: str = DEMO_KEY,
    deployment: str = "gpt-5.1",
    api_version: str = GOOD_VERSION,
    style: str = "classic",
    **options: object,
) -> CheckReport:
    return run_check(from_input(endpoint, key, deployment, api_version, style), **options)  # type: ignore[arg-type]


def states(report: CheckReport) -> dict[str, str]:
    return {r.rung: r.state for r in report.rungs}


def test_demo_connection_passes_every_rung(emulator: EmulatorServer) -> None:
    seen: list[RungResult] = []
    report = check(emulator.endpoint, on_rung=seen.append)
    assert report.ok and report.diagnosis.code == "ok"
    assert [r.rung for r in seen] == list(RUNGS)
    assert all(r.state == "ok" for r in seen)
    assert report.model == "gpt-5.1-2025-11-13" and report.family == "reasoning"
    assert report.region == "Korea Central"
    deployment = seen[-1]
    assert deployment.status == 200 and deployment.request_id


def test_classic_model_and_v1_style(emulator: EmulatorServer) -> None:
    classic = check(emulator.endpoint, deployment="gpt-4o-mini", api_version="2024-10-21")
    assert classic.ok and classic.family == "classic"
    v1 = check(emulator.endpoint, api_version="", style="v1")
    assert v1.ok and v1.model == "gpt-5.1-2025-11-13"


def test_the_ladder_sends_the_length_parameter_the_api_version_accepts(emulator: EmulatorServer) -> None:
    check(emulator.endpoint, deployment="gpt-4o-mini", api_version="2024-06-01")
    old = [r for r in emulator.recorded() if r.path.endswith("/gpt-4o-mini/chat/completions")][-1]
    assert old.body["max_tokens"] == 1 and "max_completion_tokens" not in old.body
    check(emulator.endpoint, deployment="gpt-4o-mini", api_version="2024-10-21")
    new = [r for r in emulator.recorded() if r.path.endswith("/gpt-4o-mini/chat/completions")][-1]
    assert new.body["max_completion_tokens"] == 1 and "max_tokens" not in new.body


def test_preflight_error_stops_before_the_network(emulator: EmulatorServer) -> None:
    before = len(emulator.recorded())
    report = check("portal.azure.com", key="sk-" + "x" * 30)
    assert report.diagnosis.code == "endpoint_is_portal"
    assert states(report) == {
        "preflight": "failed",
        "dns": "skipped",
        "tcp_tls": "skipped",
        "key": "skipped",
        "deployment": "skipped",
    }
    assert len(emulator.recorded()) == before
    assert {f.code for f in report.findings} >= {"endpoint_is_portal", "key_openai_format"}


@pytest.mark.parametrize(
    ("changes", "code", "failed_rung"),
    [
        ({"key": "f" * 32}, "auth_invalid_key", "key"),
        ({"deployment": "gpt-4o"}, "deployment_not_found", "deployment"),
        ({"deployment": "my-typo"}, "deployment_not_found", "deployment"),
        ({"deployment": "text-embedding-3-small"}, "operation_not_supported", "deployment"),
        ({"api_version": "2024-10-21"}, "api_version_too_old_for_model", "deployment"),
        ({"api_version": "2026-01-01-preview"}, "api_version_unknown", "deployment"),
        ({"api_version": "2023-11-01-preview"}, "api_version_unknown", "deployment"),
    ],
)
def test_emulator_failures(emulator: EmulatorServer, changes: dict[str, str], code: str, failed_rung: str) -> None:
    report = check(emulator.endpoint, **changes)
    assert report.diagnosis.code == code
    assert states(report)[failed_rung] == "failed"
    later = RUNGS[RUNGS.index(failed_rung) + 1 :]
    assert all(states(report)[r] == "skipped" for r in later)
    assert report.diagnosis.evidence.status in (401, 404, 400)
    assert report.diagnosis.evidence.request_id


def test_model_name_as_deployment_gets_the_tutorials_warning(emulator: EmulatorServer) -> None:
    report = check(emulator.endpoint, deployment="gpt-35-turbo")
    assert report.diagnosis.code == "deployment_not_found"
    assert report.diagnosis.hints == ("diag.hint.model_name",)
    assert "gpt-35-turbo" in report.diagnosis.hint_texts("ko")[0]
    assert "배포 이름" in report.diagnosis.hint_texts("ko")[0]
    assert check(emulator.endpoint, deployment="my-typo").diagnosis.hints == ()


def test_the_tutorials_api_version_is_explained(emulator: EmulatorServer) -> None:
    report = check(emulator.endpoint, api_version="2026-01-01-preview")
    assert report.diagnosis.hints == ("diag.hint.tutorial_api_version", "diag.hint.version_reasoning")
    # gpt-5.1 is a reasoning model: the GA 2024-10-21 would fail next (issue 9).
    assert "2025-04-01-preview" in report.diagnosis.fix("en") and "2024-10-21" not in report.diagnosis.fix("en")
    # The key rung used a known version, so the key was proven good before the failure.
    assert states(report)["key"] == "ok"


@pytest.mark.parametrize(
    ("fault", "code"), [("key-disabled", "auth_key_disabled"), ("firewall", "auth_forbidden_network")]
)
def test_gateway_refusals(emulator: EmulatorServer, fault: str, code: str) -> None:
    report = check(emulator.endpoint, extra_headers={"x-emulator-fault": fault})
    assert report.diagnosis.code == code and report.diagnosis.evidence.status == 403
    assert states(report)["key"] == "failed"


@pytest.mark.parametrize(("fault", "code"), [("429", "rate_limited"), ("500", "server_error"), ("503", "server_error")])
def test_deployment_rung_faults(emulator: EmulatorServer, fault: str, code: str) -> None:
    report = check(emulator.endpoint, extra_headers={"x-emulator-fault": fault})
    assert report.diagnosis.code == code
    if code == "rate_limited":
        assert report.diagnosis.params["seconds"] == "5"


def test_http_timeout_fails_in_seconds(emulator: EmulatorServer) -> None:
    started = time.monotonic()
    report = check(emulator.endpoint, extra_headers={"x-emulator-fault": "timeout"}, http_timeout=1.0)
    assert report.diagnosis.code == "timeout"
    assert states(report)["deployment"] == "failed"
    assert time.monotonic() - started < 10  # it never waits for the 3 s the emulator holds


def test_dns_failure() -> None:
    # .invalid never resolves (RFC 2606), so this needs no outside network.
    report = check("https://my-aoai-lab-does-not-exist.invalid/")
    assert report.diagnosis.code == "dns_failure"
    assert states(report)["dns"] == "failed"
    assert report.diagnosis.params["host"] == "my-aoai-lab-does-not-exist.invalid"


def test_connection_refused() -> None:
    report = check(f"http://127.0.0.1:{closed_port()}/")
    assert report.diagnosis.code == "connection_failed"
    assert states(report) == {
        "preflight": "ok",
        "dns": "ok",
        "tcp_tls": "failed",
        "key": "skipped",
        "deployment": "skipped",
    }


def test_tls_error_against_a_plain_http_server() -> None:
    with web_server() as port:
        report = check(f"https://127.0.0.1:{port}/")
    assert report.diagnosis.code == "tls_error"
    assert states(report)["tcp_tls"] == "failed"


def test_tls_handshake_timeout() -> None:
    with silent_server() as port:
        report = check(f"https://127.0.0.1:{port}/", network_timeout=0.5)
    assert report.diagnosis.code == "timeout"
    assert states(report)["tcp_tls"] == "failed"


def test_http_silence_times_out() -> None:
    with silent_server() as port:
        report = check(f"http://127.0.0.1:{port}/", http_timeout=0.5)
    assert report.diagnosis.code == "timeout"
    assert states(report)["key"] == "failed"


def test_a_web_page_is_an_unexpected_response() -> None:
    with web_server() as port:
        report = check(f"http://127.0.0.1:{port}/")
    assert report.diagnosis.code == "unexpected_response"
    assert "text/html" in (report.diagnosis.evidence.detail or "")


def test_a_404_web_server_is_resource_not_found() -> None:
    body = b'{"error":{"code":"404","message": "Resource not found"}}'
    with web_server(404, body, "application/json") as port:
        report = check(f"http://127.0.0.1:{port}/")
    assert report.diagnosis.code == "resource_not_found"


def test_report_json_never_holds_the_key(emulator: EmulatorServer) -> None:
    secret = "abcdef0123456789abcdef0123456789"
    for report in (check(emulator.endpoint, key=secret), check(emulator.endpoint, key=DEMO_KEY)):
        for lang in ("ko", "en"):
            dumped = str(report.to_dict(lang))
            assert secret not in dumped and DEMO_KEY not in dumped


def test_a_connection_without_notes_checks_the_same(emulator: EmulatorServer) -> None:
    conn = Connection(emulator.endpoint, DEMO_KEY, "gpt-4o-mini", "2024-10-21")
    assert run_check(Normalised(conn)).ok


# --- hostile input (issue 9) ------------------------------------------------------------------


@pytest.mark.parametrize(("endpoint", "key", "code"), hostile_cases(DEMO_KEY, "EMULATOR"))
def test_hostile_input_gets_a_diagnosis_not_a_traceback(
    emulator: EmulatorServer, endpoint: str, key: str, code: str
) -> None:
    endpoint = emulator.endpoint if endpoint == "EMULATOR" else endpoint
    before = len(emulator.recorded())
    report = check(endpoint, key=key)
    assert report.diagnosis.code == code
    assert states(report)["preflight"] == "failed"
    assert len(emulator.recorded()) == before  # refused before anything was sent
    shown = str(report.to_dict("ko")) + str(report.to_dict("en")) + diagnostic_report(report.connection, report)
    assert key not in shown and "pa55word" not in shown and len(shown) < 20_000
    for lang in ("ko", "en"):
        assert report.diagnosis.title(lang) and not report.diagnosis.title(lang).startswith("diag.")


@pytest.mark.parametrize(
    ("key", "code"),
    [
        (NUL_KEY, "key_control_char"),
        (KOREAN_KEY, "key_not_ascii"),
        (DEMO_KEY[:16] + "\n" + DEMO_KEY[16:], "key_whitespace"),
    ],
)
def test_chat_with_a_bad_key_never_quotes_it(demo_connection: Connection, key: str, code: str) -> None:
    # Chat runs no pre-flight: h11 refuses the header and quotes its value, which must not reach the page.
    result = chat(demo_connection.with_values(api_key=key), ChatRequest.simple("hi"))
    assert result.diagnosis.code == code
    # The raw texts, not a repr (which would escape a backslash twice and hide a quoted key).
    evidence = [value for _, value in result.diagnosis.evidence.items()]
    texts = [result.diagnosis.title("en"), result.diagnosis.cause("en"), result.diagnosis.fix("en")]
    shown = "\n".join(evidence + texts)
    assert key not in shown and repr(key)[1:-1] not in shown
    assert key.encode("unicode_escape").decode() not in shown


def test_ipv6_literals_keep_their_brackets_in_evidence() -> None:
    with web_server(404, b'{"error":{"code":"404","message":"Resource not found"}}', "application/json") as port:
        # The loopback server listens on IPv4 only, so [::1] is refused: the URL is still shown whole.
        report = check(f"http://[::1]:{port}/")
    assert report.diagnosis.code == "connection_failed"
    assert report.diagnosis.evidence.url and report.diagnosis.evidence.url.startswith(f"http://[::1]:{port}/openai/")
    assert report.to_dict("en")["connection"]["endpoint"] == f"http://[::1]:{port}/"


# --- redirects are reported, never followed ---------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_the_check_never_follows_a_redirect(status: int) -> None:
    with canary_server() as canary, redirect_server(status, canary.url) as port:
        report = check(f"http://127.0.0.1:{port}/")
    assert canary.hits == []
    assert report.diagnosis.code == "redirected" and report.diagnosis.evidence.status == status
    assert report.diagnosis.evidence.detail == f"location: {canary.url}"
    assert str(status) in report.diagnosis.title("ko") and str(status) in report.diagnosis.title("en")


@pytest.mark.parametrize("status", [301, 302, 307])
@pytest.mark.parametrize("stream", [False, True])
def test_chat_never_follows_a_redirect(status: int, stream: bool) -> None:
    with canary_server() as canary, redirect_server(status, canary.url) as port:
        connection = Connection(f"http://127.0.0.1:{port}/", DEMO_KEY, "gpt-5.1", GOOD_VERSION)
        if stream:
            running = stream_chat(connection, ChatRequest.simple("hi", stream=True))
            assert list(running) == []
            assert running.result is not None
            result = running.result
        else:
            result = chat(connection, ChatRequest.simple("hi"))
    assert canary.hits == []
    assert result.diagnosis.code == "redirected" and result.status == status


# --- one deadline for the whole check ---------------------------------------------------------


def test_a_trickling_server_cannot_hold_the_check_past_its_deadline() -> None:
    # Each byte comes well inside the 10 s read timeout; only the check's deadline stops the wait.
    with trickle_server(interval=0.25) as trickle:
        report = check(f"http://127.0.0.1:{trickle.port}/", timeout=1.5)
        assert trickle.answered == 0  # the check gave up before the (10 s) answer was through
    assert report.diagnosis.code == "timeout"
    assert states(report)["key"] == "failed" and states(report)["deployment"] == "skipped"


def test_a_spent_deadline_fails_the_next_rung_as_a_timeout() -> None:
    with silent_server() as port:
        report = check(f"http://127.0.0.1:{port}/", timeout=0.0)
    assert report.diagnosis.code == "timeout"
    assert states(report) == {
        "preflight": "ok",
        "dns": "failed",
        "tcp_tls": "skipped",
        "key": "skipped",
        "deployment": "skipped",
    }
