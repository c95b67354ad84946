"""Plain-pytest tests of the logic behind the pages: conversation, guide drawings, report, recording."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from aoai_lab.check import CheckReport, run_check
from aoai_lab.client import ChatResult, Usage
from aoai_lab.connection import Connection, Normalised, from_form
from aoai_lab.connection_status import connection_status, kind_of, style_switch
from aoai_lab.conversation import (
    Entry,
    ReplyInfo,
    ask,
    awaiting_reply,
    build_request,
    drop_pending,
    edit_pending,
    to_json,
    to_markdown,
    with_reply,
    without_cut_reply,
)
from aoai_lab.diagnosis import OK, Diagnosis
from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from aoai_lab.experiments import EXPERIMENTS, run
from aoai_lab.guide import anatomy_html, checklist, flow_html, url_anatomy, url_forms
from aoai_lab.literal import code_span
from aoai_lab.presenter import mask_host, mask_resource, masked_endpoint, resource_name
from aoai_lab.recording import chat_record, check_records, trial_records
from aoai_lab.request import ChatParams
from aoai_lab.support import diagnostic_report, host_family

AZURE = Connection("https://my-aoai-lab.openai.azure.com/", "k" * 32, "gpt-5.1", "2024-10-21")
FIXED = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def result(text: str, *, ok: bool = True, interrupted: bool = False) -> ChatResult:
    diagnosis = OK if ok else Diagnosis("stream_interrupted" if interrupted else "server_error")
    return ChatResult(
        text=text,
        diagnosis=diagnosis,
        streamed=True,
        latency_ms=120.0,
        ttft_ms=30.0,
        status=200,
        usage=Usage(10, 5, 2),
        interrupted=interrupted,
    )


# --- conversation


def test_build_request_puts_the_system_prompt_first_and_gates_the_usage_chunk() -> None:
    entries = [Entry("user", "q1"), Entry("assistant", "a1"), Entry("user", "q2")]
    request = build_request(entries, "be brief", ChatParams(max_tokens=5), AZURE, stream=True)
    assert [m.role for m in request.messages] == ["system", "user", "assistant", "user"]
    assert request.include_usage  # 2024-10-21 knows stream_options
    old = build_request(entries, "", ChatParams(), AZURE.with_values(api_version="2024-06-01"), stream=True)
    assert not old.include_usage and old.messages[0].role == "user"
    assert build_request(
        entries, "", ChatParams(), AZURE.with_values(style="v1", api_version=""), stream=True
    ).include_usage
    assert not build_request(entries, "", ChatParams(), AZURE, stream=False).include_usage


def test_replies_retries_and_cut_replies() -> None:
    asked = [Entry("user", "q")]
    assert awaiting_reply(asked)
    failed = with_reply(asked, result("", ok=False))
    assert failed == asked and awaiting_reply(failed)  # the question stays, ready for a retry
    cut = with_reply(asked, result("partial", ok=False, interrupted=True))
    assert cut[-1].info is not None and cut[-1].info.interrupted and cut[-1].content == "partial"
    assert without_cut_reply(cut) == asked
    whole = with_reply(asked, result("answer"))
    assert without_cut_reply(whole) == whole and not awaiting_reply(whole)
    assert whole[-1].info == ReplyInfo(10, 5, 2, 30.0, 120.0, None, None, False, False)


def test_exports_keep_everything() -> None:
    entries = [
        Entry("user", '질문 "quoted" `code`'),
        Entry("assistant", "답", ReplyInfo(prompt_tokens=3, completion_tokens=1, interrupted=True)),
    ]
    markdown = to_markdown(entries, "시스템", "gpt-5.1", "ko")
    assert '질문 "quoted" `code`' in markdown and "`gpt-5.1`" in markdown and "✂️" in markdown
    assert to_markdown(entries, "", "gpt-5.1", "en").startswith("# AOAI Lab conversation")
    payload = json.loads(to_json(entries, "sys", ChatParams(max_completion_tokens=9), "gpt-5.1"))
    assert payload["parameters"] == {"max_completion_tokens": 9}
    assert payload["messages"][0] == {"role": "user", "content": '질문 "quoted" `code`'}
    assert payload["messages"][1]["info"]["interrupted"] is True


# --- guide


def test_url_anatomy_is_the_chat_url() -> None:
    for conn in (
        AZURE,
        AZURE.with_values(style="v1", api_version=""),
        AZURE.with_values(style="v1", api_version="preview"),
    ):
        assert "".join(s.text for s in url_anatomy(conn)) == conn.chat_url
    masked = "".join(s.text for s in url_anatomy(AZURE, mask_host=True))
    assert "my-aoai-lab" not in masked and masked.startswith("https://•••.openai.azure.com/openai/deployments/")
    forms = url_forms(AZURE.with_values(style="v1", api_version=""))
    # AZURE deploys gpt-5.1, a reasoning model: the version shown is one it accepts (issue 9).
    assert "".join(s.text for s in forms["classic"]).endswith("?api-version=2025-04-01-preview")


def test_anatomy_html_escapes_values() -> None:
    hostile = AZURE.with_values(deployment="<script>alert(1)</script>")
    html = anatomy_html(url_anatomy(hostile), {"endpoint": "e", "path": "p", "deployment": "d", "api_version": "v"})
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_flow_diagram_escapes_labels_and_ticks_done_steps() -> None:
    flow = flow_html(["a", "<b>bold</b>", "c", "d"], ["x", "<script>y</script>", "z"], [True, False, False, False])
    assert "<script>" not in flow and "&lt;script&gt;y&lt;/script&gt;" in flow and "2. &lt;b&gt;" in flow
    assert flow.count("✔") == 1 and "1. ✔ a" in flow and flow.count("⟶") == 3


def test_a_passed_checks_facts_show_what_the_server_sent_literally() -> None:
    from aoai_lab.ui.cards import success_facts

    conn = Connection("http://127.0.0.1:9/", "k", "d", "2025-04-01-preview")
    hostile = CheckReport(conn, (), (), OK, model="m`[click](http://evil.example)`", region="**x**", latency_ms=12.4)
    facts = success_facts(hostile)
    # Code spans: a link or emphasis in a server's model or region is shown as text, not rendered.
    assert "`m[click](http://evil.example)`" in facts and "`**x**`" in facts and "12 ms" in facts
    assert success_facts(CheckReport(conn, (), (), OK)).count("—") == 3  # nothing known: dashes


def test_the_sidebar_shows_a_servers_model_and_the_fields_literally() -> None:
    from aoai_lab.ui.frame import status_lines

    conn = Connection("http://127.0.0.1:9/", "k", "d`[x](http://evil.example)`\n\n# big", "2025-04-01-preview")
    hostile = CheckReport(conn, (), (), OK, model="m`**bold**`\n\n[click](http://evil.example)")
    lines = status_lines(connection_status(conn, hostile, demo_root=""))
    # Each outside value is one code span on its line: no link, heading or emphasis is rendered.
    assert lines[1].endswith(": `d[x](http://evil.example) # big`")
    assert lines[2].endswith("· `m**bold** [click](http://evil.example)`")
    assert all("\n" not in line for line in lines)
    empty = status_lines(connection_status(Connection("", "", "", ""), None, demo_root=""))
    assert empty[0].endswith(": —") and empty[1].endswith(": —")


def test_a_code_span_keeps_outside_text_literal() -> None:
    assert code_span("gpt-4o") == "`gpt-4o`"
    assert code_span("a`b``c  d\n\ne") == "`abc d e`"
    assert code_span(None) == code_span("") == code_span(" ` ") == "—"
    assert code_span("", empty="?") == "?"


def test_checklist_follows_the_rungs(emulator: EmulatorServer) -> None:
    good = run_check(Normalised(Connection(emulator.endpoint, DEMO_KEY, "gpt-5.1", "2025-04-01-preview")))
    assert checklist(good, 0).done() == [True, True, True, False]
    assert checklist(good, 2).done() == [True, True, True, True]
    wrong_deployment = run_check(Normalised(Connection(emulator.endpoint, DEMO_KEY, "nope", "2025-04-01-preview")))
    assert checklist(wrong_deployment, 0).done() == [True, False, True, False]
    assert checklist(None, 0).done() == [False] * 4


# --- report and recording


def test_diagnostic_report_names_the_host_family_only(emulator: EmulatorServer) -> None:
    assert host_family(AZURE) == "*.openai.azure.com"
    assert (
        host_family(AZURE.with_values(endpoint="https://x.cognitiveservices.azure.com/"))
        == "*.cognitiveservices.azure.com"
    )
    assert host_family(AZURE.with_values(endpoint="https://gw.contoso.com/")) == "other (not an Azure OpenAI host)"
    report = run_check(Normalised(Connection(emulator.endpoint, "f" * 32, "gpt-5.1", "2025-04-01-preview")))
    text = diagnostic_report(report.connection, report, now=FIXED)
    assert "f" * 32 not in text and "last check: auth_invalid_key (step 3)" in text
    assert "http status: 401" in text and "request id: " in text and "2026-11-26 12:00:00 UTC" in text
    assert "my-aoai-lab" not in diagnostic_report(AZURE, None, now=FIXED)


def test_records_hold_no_key_and_match_the_results(emulator: EmulatorServer) -> None:
    report = run_check(Normalised(Connection(emulator.endpoint, DEMO_KEY, "gpt-5.1", "2025-04-01-preview")))
    records = check_records(report, "connect", clock=lambda: FIXED)
    assert [r.operation for r in records] == ["dns", "tcp_tls", "models", "check_chat"]
    assert records[-1].status == 200 and records[-1].request_id
    chat = chat_record(result("x"), AZURE, "chat", clock=lambda: FIXED)
    assert (chat.host, chat.prompt_tokens, chat.reasoning_tokens, chat.code) == (
        "my-aoai-lab.openai.azure.com",
        10,
        2,
        "ok",
    )
    for record in [*records, chat]:
        assert DEMO_KEY not in repr(record) and AZURE.api_key not in repr(record)


def test_every_experiment_is_logged_as_it_ran(emulator: EmulatorServer) -> None:
    demo = Connection(emulator.endpoint, DEMO_KEY, "gpt-5.1", "2025-04-01-preview", "classic", "demo")
    for experiment in EXPERIMENTS:
        if experiment.code == "timeout":
            continue  # covered in test_experiments; it waits for a client timeout
        trial = run(experiment, demo)
        records = trial_records(trial, clock=lambda: FIXED)
        if experiment.kind == "preflight":
            assert records == []
        elif trial.report is not None and trial.report.rungs[0].state == "failed":
            assert records == []  # stopped before the network
        else:
            assert records and records[-1].code == experiment.code, experiment.code


def test_form_never_sends_the_server_key_elsewhere() -> None:
    server = Connection("https://class.openai.azure.com/", "s" * 32, "gpt-5.1", "2024-10-21", source="secrets")
    same = from_form(
        "https://class.openai.azure.com",
        "",
        "gpt-5.1",
        "2024-10-21",
        "classic",
        configured=server,
        demo_root="http://127.0.0.1:1/",
    )
    assert same.connection.api_key == "s" * 32 and same.connection.key_on_server
    other = from_form(
        "https://evil.example.com/",
        "",
        "gpt-5.1",
        "2024-10-21",
        "classic",
        configured=server,
        demo_root="http://127.0.0.1:1/",
    )
    assert other.connection.api_key == "" and other.connection.source == "manual"
    typed = from_form(
        "https://class.openai.azure.com/", "t" * 32, "d", "2024-10-21", "classic", configured=server, demo_root="x"
    )
    assert typed.connection.api_key == "t" * 32 and not typed.connection.key_on_server


# --- one truth about the connection (issue 9)


def checked(connection: Connection, *, ok: bool = True) -> CheckReport:
    diagnosis = OK if ok else Diagnosis("auth_invalid_key")
    return CheckReport(connection, (), (), diagnosis, model="gpt-5.1-2025-11-13" if ok else None)


DEMO_ROOT = "http://127.0.0.1:8123"
DEMO = Connection(DEMO_ROOT + "/", DEMO_KEY, "gpt-5.1", "2025-04-01-preview", "classic", "demo")


def test_status_follows_the_values_not_the_last_success() -> None:
    assert connection_status(DEMO, None, demo_root=DEMO_ROOT).check == "unchecked"
    passed = connection_status(DEMO, checked(DEMO), demo_root=DEMO_ROOT)
    assert (passed.kind, passed.check, passed.ok) == ("demo", "ok", True) and passed.report is not None
    for name, value in [
        ("endpoint", "http://127.0.0.1:9/"),
        ("api_key", "x" * 32),
        ("deployment", "gpt-4o-mini"),
        ("api_version", "2024-10-21"),
        ("style", "v1"),
    ]:
        edited = DEMO.with_values(**{name: value})
        status = connection_status(edited, checked(DEMO), demo_root=DEMO_ROOT)
        assert (status.check, status.changed, status.ok, status.report) == ("changed", (name,), False, None)
        assert status.last is not None  # the earlier check is still known, just not vouching
    failed = connection_status(DEMO, checked(DEMO, ok=False), demo_root=DEMO_ROOT)
    assert (failed.check, failed.ok) == ("failed", False) and failed.report is not None


def test_kind_tells_the_demo_a_local_server_and_azure_apart() -> None:
    assert kind_of(DEMO, DEMO_ROOT) == "demo"
    for endpoint in ("http://127.0.0.1:9/", "http://localhost:8000/", "http://[::1]:8000/"):
        assert kind_of(DEMO.with_values(endpoint=endpoint), DEMO_ROOT) == "local", endpoint
    assert kind_of(AZURE, DEMO_ROOT) == "azure"
    assert kind_of(DEMO.with_values(endpoint="http://[::1"), DEMO_ROOT) == "azure"  # unparsable: no traceback


def test_v1_puts_a_dated_api_version_aside_and_classic_brings_it_back() -> None:
    assert style_switch("2024-10-21", "", "v1", is_v1_version=False) == ("", "2024-10-21")
    assert style_switch("", "2024-10-21", "classic", is_v1_version=False) == ("2024-10-21", "")
    assert style_switch("preview", "", "v1", is_v1_version=True) == ("preview", "")  # v1's own value stays
    assert style_switch("2025-04-01-preview", "2024-10-21", "classic", is_v1_version=False) == (
        "2025-04-01-preview",
        "2024-10-21",
    )  # a value typed meanwhile wins


def test_mask_resource_hides_the_resource_name_wherever_it_stands() -> None:
    text = (
        "POST https://my-aoai-lab.openai.azure.com/openai/deployments/x · host MY-AOAI-LAB.openai.azure.com"
        " · my-aoai-lab-2 stays"
    )
    masked = mask_resource(text, AZURE)
    assert "my-aoai-lab." not in masked.lower() and masked.count("•••") == 2
    assert "https://•••.openai.azure.com/openai/deployments/x" in masked and "my-aoai-lab-2" in masked
    assert resource_name(AZURE.with_values(endpoint="my-aoai-lab.openai.azure.com")) == "my-aoai-lab"
    for endpoint in (DEMO.endpoint, "http://localhost:9/", "https://10.0.0.5/", "http://[::1", ""):
        assert resource_name(AZURE.with_values(endpoint=endpoint)) is None, endpoint
    assert mask_resource("127.0.0.1:8123", DEMO) == "127.0.0.1:8123"
    assert masked_endpoint(AZURE) == "https://•••.openai.azure.com/"
    assert mask_host("my-aoai-lab.openai.azure.com") == "•••.openai.azure.com"
    assert mask_host("my-aoai-lab.openai.azure.com:443") == "•••.openai.azure.com:443"
    kept = ("127.0.0.1", "127.0.0.1:8123", "localhost:80", "::1", "[::1]:8000", "10.0.0.5", "")
    assert [mask_host(h) for h in kept] == list(kept)


# --- chat keeps every word (issue 9)


def test_a_failed_question_is_replaced_edited_or_dropped_never_doubled() -> None:
    pending = [Entry("user", "q1"), Entry("assistant", "a1"), Entry("user", "failed")]
    asked = ask(pending, "new")
    assert [(e.role, e.content) for e in asked][-2:] == [("assistant", "a1"), ("user", "new")]
    assert edit_pending(pending, "fixed")[-1] == Entry("user", "fixed")
    assert drop_pending(pending) == pending[:2]
    cut = [Entry("user", "q1"), Entry("assistant", "par", ReplyInfo(interrupted=True))]
    assert [e.role for e in ask(cut, "next")] == ["user", "assistant", "user"]  # the cut reply stays
    assert drop_pending(cut) == cut and edit_pending(cut, "x") == cut


def test_reply_info_marks_the_token_limit_and_times_only_streams() -> None:
    limited = replace(result("partial"), finish_reason="length")
    assert ReplyInfo.of(limited).truncated and not ReplyInfo.of(result("whole")).truncated
    assert ReplyInfo.of(replace(result("x"), streamed=False)).ttft_ms is None
    assert ReplyInfo.of(result("x")).ttft_ms == 30.0
    markdown = to_markdown([Entry("assistant", "partial", ReplyInfo.of(limited))], "", "gpt-5.1", "en")
    assert "finish_reason: length" in markdown
