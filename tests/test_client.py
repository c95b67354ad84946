"""The chat client over real HTTP: results, batching, and every failure turned into a diagnosis."""

from __future__ import annotations

from collections.abc import Generator

import httpx2
import pytest

from aoai_lab.client import ChatStream, chat, stream_chat
from aoai_lab.connection import Connection
from aoai_lab.diagnosis import CallContext, from_exception, from_http
from aoai_lab.emulator import DEMO_KEY, Deployment, EmulatorConfig, EmulatorServer
from aoai_lab.request import ChatParams, ChatRequest, Message
from aoai_lab.tokens import estimate_tokens, split_tokens
from tests.loopback import web_server

HELLO = ChatRequest.simple("hello", "You are a helpful AI assistant.")


def conn(emulator: EmulatorServer, **changes: str) -> Connection:
    base = Connection(emulator.endpoint, DEMO_KEY, "gpt-4o-mini", "2024-10-21", "classic", "demo")
    return base.with_values(**changes) if changes else base


def drain(stream: ChatStream) -> list[str]:
    return list(stream)


def test_chat_returns_text_usage_and_ids(emulator: EmulatorServer) -> None:
    result = chat(conn(emulator), HELLO)
    assert result.ok and result.text.startswith("[Offline demo · gpt-4o-mini]")
    assert result.status == 200 and result.request_id and result.region == "Korea Central"
    assert result.model == "gpt-4o-mini-2024-07-18" and result.finish_reason == "stop"
    assert result.usage is not None and result.usage.completion_tokens == len(split_tokens(result.text))
    assert not result.streamed and result.latency_ms > 0


def test_stream_matches_the_whole_reply_and_reports_usage(emulator: EmulatorServer) -> None:
    whole = chat(conn(emulator), HELLO)
    stream = stream_chat(conn(emulator), ChatRequest(HELLO.messages, stream=True, include_usage=True))
    pieces = drain(stream)
    result = stream.result
    assert result is not None and result.ok and result.streamed
    assert "".join(pieces) == result.text == whole.text
    assert result.usage == whole.usage  # usage arrives in Azure's last, choice-less chunk
    assert result.ttft_ms is not None and result.ttft_ms <= result.latency_ms
    assert result.request_id and result.finish_reason == "stop"


def test_v1_style_streams_too(emulator: EmulatorServer) -> None:
    stream = stream_chat(conn(emulator, style="v1", api_version="", deployment="gpt-5.1"), HELLO)
    assert "".join(drain(stream)).startswith("[Offline demo · gpt-5.1]")
    assert stream.result is not None and stream.result.ok


def test_reasoning_tokens_are_reported(emulator: EmulatorServer) -> None:
    request = HELLO.with_params(ChatParams(max_completion_tokens=500, reasoning_effort="medium"))
    result = chat(conn(emulator, deployment="gpt-5.1", api_version="2025-04-01-preview"), request)
    assert result.ok and result.usage is not None and result.usage.reasoning_tokens > 0


def test_batching_yields_fewer_updates_than_tokens() -> None:
    with EmulatorServer(EmulatorConfig(tokens_per_second=100)) as paced:
        stream = stream_chat(conn(paced), HELLO, batch_interval=0.1)
        batches = drain(stream)
    assert stream.result is not None and stream.result.ok
    tokens = split_tokens(stream.result.text)
    assert len(tokens) > 15
    assert 1 < len(batches) < len(tokens) / 2
    assert batches[0] == tokens[0]  # the first token is shown at once
    assert "".join(batches) == stream.result.text


def test_unbatched_streaming_yields_every_token(emulator: EmulatorServer) -> None:
    stream = stream_chat(conn(emulator), HELLO, batch_interval=0)
    batches = drain(stream)
    assert stream.result is not None
    assert batches == split_tokens(stream.result.text)


def test_a_dropped_stream_keeps_the_partial_reply(emulator: EmulatorServer) -> None:
    stream = stream_chat(conn(emulator), HELLO, extra_headers={"x-emulator-fault": "drop-stream"})
    text = "".join(drain(stream))  # iteration itself never raises
    result = stream.result
    assert result is not None and result.interrupted and not result.ok
    assert result.diagnosis.code == "stream_interrupted"
    assert text and result.text == text
    assert result.diagnosis.params["received"] == str(len(text))
    whole = chat(conn(emulator), HELLO).text
    assert whole.startswith(text) and len(text) < len(whole)


def test_an_abandoned_stream_records_its_partial_text(emulator: EmulatorServer) -> None:
    stream = stream_chat(conn(emulator), HELLO, batch_interval=0)
    iterator = iter(stream)
    assert isinstance(iterator, Generator)
    first = next(iterator)
    iterator.close()  # what a Streamlit rerun does to a running generator
    assert stream.result is not None and stream.result.interrupted
    assert stream.result.text == first


def test_finish_settles_a_stream_the_consumer_stopped_reading(emulator: EmulatorServer) -> None:
    """A Streamlit rerun raises inside ``st.write_stream``'s loop: the generator is left
    suspended, not closed. ``finish`` (the page's ``finally``) settles it with what arrived."""
    stream = stream_chat(conn(emulator), HELLO, batch_interval=0)
    iterator = iter(stream)
    first = next(iterator)
    assert stream.result is None  # suspended: nothing has settled it yet
    result = stream.finish()
    assert result is not None and result.interrupted and result.stopped and not result.ok
    assert result.text == first and result.diagnosis.code == "stream_interrupted"
    assert result.status == 200 and result.request_id
    assert stream.finish() is result  # idempotent


def test_finish_keeps_a_whole_reply_whose_drawing_was_stopped(emulator: EmulatorServer) -> None:
    """Stopped after the last batch (while the page draws it): every word arrived, so it is a
    whole reply, not a cut one."""
    stream = stream_chat(conn(emulator), HELLO)
    text = "".join(stream)
    result = stream.finish()
    assert result is not None and result.ok and not result.interrupted and not result.stopped
    assert result.text == text


def test_finish_before_the_request_is_none(emulator: EmulatorServer) -> None:
    stream = stream_chat(conn(emulator), HELLO)
    assert stream.finish() is None  # never iterated: no request was sent
    iter(stream)  # created but never advanced: still nothing sent
    assert stream.finish() is None


def test_a_network_break_is_not_a_stop(emulator: EmulatorServer) -> None:
    stream = stream_chat(conn(emulator), HELLO, extra_headers={"x-emulator-fault": "drop-stream"})
    drain(stream)
    result = stream.finish()
    assert result is not None and result.interrupted and not result.stopped


def test_non_streaming_chat_has_no_time_to_first_token(emulator: EmulatorServer) -> None:
    result = chat(conn(emulator), HELLO)
    assert result.ok and result.ttft_ms is None and result.latency_ms > 0


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize(
    ("fault", "code", "status"),
    [
        ("429", "rate_limited", 429),
        ("500", "server_error", 500),
        ("500-gateway", "server_error", 500),
        ("503", "server_error", 503),
        ("key-disabled", "auth_key_disabled", 403),
        ("firewall", "auth_forbidden_network", 403),
    ],
)
def test_faults_become_diagnoses(emulator: EmulatorServer, fault: str, code: str, status: int, streamed: bool) -> None:
    headers = {"x-emulator-fault": fault}
    if streamed:
        stream = stream_chat(conn(emulator), HELLO, extra_headers=headers)
        assert drain(stream) == []
        result = stream.result
    else:
        result = chat(conn(emulator), HELLO, extra_headers=headers)
    assert result is not None and result.diagnosis.code == code
    assert result.status == status and result.diagnosis.evidence.status == status
    assert result.diagnosis.evidence.request_id


def test_timeouts_in_both_modes(emulator: EmulatorServer) -> None:
    headers = {"x-emulator-fault": "timeout"}
    assert chat(conn(emulator), HELLO, extra_headers=headers, timeout=0.5).diagnosis.code == "timeout"
    stream = stream_chat(conn(emulator), HELLO, extra_headers=headers, timeout=0.5)
    drain(stream)
    assert stream.result is not None and stream.result.diagnosis.code == "timeout"


def test_rate_limit_from_a_real_quota() -> None:
    tiny = Deployment(name="tiny", model="gpt-4o-mini-2024-07-18", kind="classic", rpm=1)
    with EmulatorServer(EmulatorConfig(deployments=(tiny,), tokens_per_second=0)) as server:
        first = chat(conn(server, deployment="tiny"), HELLO)
        second = chat(conn(server, deployment="tiny"), HELLO)
    assert first.ok
    assert second.diagnosis.code == "rate_limited"
    assert int(second.diagnosis.params["seconds"]) >= 1
    assert second.diagnosis.params["seconds"] in second.diagnosis.title("en")


def test_model_family_parameter_errors(emulator: EmulatorServer) -> None:
    reasoning = conn(emulator, deployment="gpt-5.1", api_version="2025-04-01-preview")
    result = chat(reasoning, HELLO.with_params(ChatParams(max_tokens=50)))  # the tutorial's curl
    assert result.diagnosis.code == "unsupported_parameter"
    assert result.diagnosis.params["param"] == "max_tokens"
    assert result.diagnosis.hints == ("diag.hint.max_tokens_reasoning",)
    result = chat(reasoning, HELLO.with_params(ChatParams(temperature=0.2)))
    assert (result.diagnosis.code, result.diagnosis.hints) == (
        "unsupported_parameter",
        ("diag.hint.temperature_reasoning",),
    )
    result = chat(reasoning, HELLO.with_params(ChatParams(reasoning_effort="extreme")))
    assert (result.diagnosis.code, result.diagnosis.hints) == ("unsupported_parameter", ("diag.hint.reasoning_effort",))
    # The same parameters named for the family work.
    fixed = ChatParams.for_family("reasoning", max_length=50, temperature=0.2, reasoning_effort="low")
    assert chat(reasoning, HELLO.with_params(fixed)).ok


def test_a_parameter_newer_than_the_api_version(emulator: EmulatorServer) -> None:
    stream = stream_chat(
        conn(emulator, api_version="2024-06-01"), ChatRequest(HELLO.messages, stream=True, include_usage=True)
    )
    drain(stream)
    assert stream.result is not None and stream.result.diagnosis.code == "unknown_parameter"
    assert stream.result.diagnosis.params["param"] == "stream_options"


def test_context_length_exceeded(emulator: EmulatorServer) -> None:
    huge = ChatRequest.simple("word " * 130_000)
    result = chat(conn(emulator), huge)
    assert result.diagnosis.code == "context_length_exceeded"


def test_api_version_on_v1_from_the_server(emulator: EmulatorServer) -> None:
    result = chat(conn(emulator, style="v1", api_version="2024-10-21"), HELLO)
    assert result.diagnosis.code == "api_version_on_v1" and result.status == 400


def test_doubled_path_is_resource_not_found(emulator: EmulatorServer) -> None:
    result = chat(conn(emulator, endpoint=emulator.endpoint + "openai/"), HELLO)
    assert result.diagnosis.code == "resource_not_found" and result.status == 404


def test_content_filter_in_the_prompt_and_in_the_reply(emulator: EmulatorServer) -> None:
    blocked = chat(conn(emulator), ChatRequest.simple("please run the content filter test"))
    assert blocked.diagnosis.code == "content_filtered" and blocked.status == 400
    assert blocked.diagnosis.evidence.error_code == "content_filter"
    stream = stream_chat(conn(emulator), ChatRequest.simple("응답 필터 테스트 부탁해"))
    text = "".join(drain(stream))
    result = stream.result
    assert result is not None and result.finish_reason == "content_filter"
    assert result.diagnosis.code == "content_filtered" and result.diagnosis.severity == "warning"
    assert result.diagnosis.hints == ("diag.hint.reply_filtered",)
    assert text and not result.interrupted  # the partial reply is kept and shown


def test_bearer_key_on_the_classic_route(emulator: EmulatorServer) -> None:
    url = f"{emulator.endpoint}openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"
    response = httpx2.post(
        url, headers={"Authorization": f"Bearer {DEMO_KEY}"}, json={"messages": [{"role": "user", "content": "hi"}]}
    )
    context = CallContext(deployment="gpt-4o-mini", api_version="2024-10-21", url=url)
    diagnosis = from_http(response.status_code, response.content, dict(response.headers), context)
    assert diagnosis.code == "auth_bearer_on_classic"


def test_malformed_values_the_sdk_rejects(emulator: EmulatorServer) -> None:
    # The SDK reports both as "Connection error."; the diagnosis names the real cause (reference §1.4).
    spaced_key = chat(conn(emulator, api_key=DEMO_KEY + "\n"), HELLO)
    assert spaced_key.diagnosis.code == "key_whitespace"
    no_scheme = chat(conn(emulator, endpoint=emulator.endpoint.removeprefix("http://")), HELLO)
    assert no_scheme.diagnosis.code == "endpoint_missing_scheme"


def test_html_instead_of_json() -> None:
    with web_server() as port:
        endpoint = f"http://127.0.0.1:{port}/"
        result = chat(Connection(endpoint, DEMO_KEY, "d", "2024-10-21"), HELLO)
        stream = stream_chat(Connection(endpoint, DEMO_KEY, "d", "2024-10-21"), HELLO)
        drain(stream)
    assert result.diagnosis.code == "unexpected_response"
    assert stream.result is not None and stream.result.diagnosis.code == "unexpected_response"


def test_unknown_exception_is_still_a_diagnosis() -> None:
    diagnosis = from_exception(RuntimeError("boom"), CallContext(url="https://x.openai.azure.com/?api-key=secret"))
    assert diagnosis.code == "connection_failed"
    assert "secret" not in str(diagnosis.evidence)


def test_the_sdk_never_reads_the_servers_key(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # A key in the server's environment must never stand in for a session's empty key.
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", DEMO_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", DEMO_KEY)
    result = chat(conn(emulator, api_key=""), HELLO)
    assert not result.ok
    v1 = chat(conn(emulator, api_key="", style="v1", api_version=""), HELLO)
    assert not v1.ok


def test_messages_roundtrip_exactly(emulator: EmulatorServer) -> None:
    tricky = "따옴표 \" ' $HOME `x` %PATH% ^ ! \\ \n\t 🎉"
    request = ChatRequest(
        (Message("system", "sys"), Message("user", tricky)), ChatParams(max_tokens=30, temperature=0.5)
    )
    chat(conn(emulator), request)
    received = [r for r in emulator.recorded() if _last_content(r.body) == tricky]
    assert received and received[-1].body == request.body("gpt-4o-mini")


def _last_content(body: object) -> object:
    """The last message's content of a recorded request body; None for any other shape (the
    shared emulator also recorded other tests' malformed bodies: no messages, strings for messages)."""
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list) or not messages or not isinstance(messages[-1], dict):
        return None
    return messages[-1].get("content")


@pytest.mark.parametrize(
    ("text", "tokens"),
    [("", 0), ("abcd", 1), ("abcde", 2), ("안녕", 2), ("안녕 hi", 3), ("🧪 ok", 2), ("é" + "a" * 8, 3)],
)
def test_the_token_estimate_counts_ascii_by_fours_and_anything_else_one_each(text: str, tokens: int) -> None:
    assert estimate_tokens(text) == tokens
