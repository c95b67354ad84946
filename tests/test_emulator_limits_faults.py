"""Rate limits (reference §4.7) and the faults a request can ask for with ``x-emulator-fault``
(§4.2, §4.11), each scoped to its one request."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator

import openai
import pytest

from aoai_lab.emulator import DEMO_KEY, FAULT_HEADER, FAULTS, Deployment, EmulatorConfig, EmulatorServer
from tests.emulator_http import (
    UUID,
    Raw,
    azure_client,
    classic_url,
    curl,
    key_header,
    messages,
    sse_events,
    user,
    v1_client,
)

KEY_AUTH_DISABLED = (
    b'{"error":{"code":"AuthenticationTypeDisabled","message":"Key based authentication is disabled for this '
    b'resource."}}'
)  # §4.2
FIREWALL = b'{"error":{"code":"403","message": "Access denied due to Virtual Network/Firewall rules."}}'  # §4.2, 90 B
GATEWAY_500 = re.compile(
    rb'\{ "statusCode": 500, "message": "Internal server error", "activityId": "([0-9a-f-]{36})" \}'
)  # §4.11, 111 B
RATE_LIMITED = re.compile(
    r'\{"error":\{"code":"429","message":"Requests to the ChatCompletions_Create Operation under Azure OpenAI API '
    r"version (?P<version>[^ ]+) have exceeded (?P<kind>call|token) rate limit of your current OpenAI S0 pricing "
    r"tier\. Please retry after (?P<seconds>\d+) seconds\. Please go here: https://aka\.ms/oai/quotaincrease if "
    r'you would like to further increase the default rate limit\."\}\}'
)  # §4.7
SERVER_ERROR = (
    "The server had an error while processing your request. Sorry about that! You can retry your request, or "
    "contact us through an Azure support request at: https://go.microsoft.com/fwlink/?linkid=2213926 if the "
    "error persists. (Please include the request ID {} in your message.)"
)  # §4.11


def faulted(endpoint: str, fault: str, deployment: str = "gpt-4o-mini", **kwargs: float) -> Raw:
    body = {**user("hi"), **kwargs}
    return curl(classic_url(endpoint, deployment), headers={**key_header(), FAULT_HEADER: fault}, body=body)


def assert_next_request_is_fine(endpoint: str) -> None:
    raw = curl(classic_url(endpoint, "gpt-4o-mini"), headers=key_header(), body=user("and now?"))
    assert raw.status == 200
    assert raw.json()["choices"][0]["finish_reason"] == "stop"


# ---------------------------------------------------------------------------------------------
# Rate limits


@pytest.fixture
def limited() -> Iterator[EmulatorServer]:
    """Deployments whose 10-second window holds 2 requests (12 RPM) and 200 tokens (1200 TPM).

    Azure checks quota over 1-10 s windows (DOC-QUOTA, reference §4.7), so a window's share of the
    per-minute rate is what a burst can spend.
    """
    deployments = (
        Deployment(name="tiny-rpm", model="gpt-4o-mini-2024-07-18", kind="classic", rpm=12),
        Deployment(name="tiny-tpm", model="gpt-4o-mini-2024-07-18", kind="classic", tpm=1200),
    )
    config = EmulatorConfig(deployments=deployments, tokens_per_second=0, record_requests=True)
    with EmulatorServer(config) as server:
        yield server


def test_third_request_in_a_row_is_429(limited: EmulatorServer) -> None:
    url = classic_url(limited.endpoint, "tiny-rpm", "2024-10-21")
    first = curl(url, headers=key_header(), body=user("one"))
    second = curl(url, headers=key_header(), body=user("two"))
    assert (first.status, second.status) == (200, 200)
    assert [first.headers["x-ratelimit-remaining-requests"], second.headers["x-ratelimit-remaining-requests"]] == [
        "1",
        "0",
    ]
    third = curl(url, headers=key_header(), body=user("three"))
    assert third.status == 429
    match = RATE_LIMITED.fullmatch(third.body.decode())
    assert match, third.body
    assert (match["version"], match["kind"]) == ("2024-10-21", "call")
    seconds = int(match["seconds"])
    assert 1 <= seconds <= 60
    assert third.headers["retry-after"] == str(seconds)
    assert third.headers["retry-after-ms"] == str(seconds * 1000)
    assert third.headers["x-ratelimit-remaining-requests"] == "0"
    assert third.headers["x-ms-region"] == "Korea Central"
    assert third.headers["policy-id"] == "DeploymentRatelimit-Call"
    # Other deployments have their own quota.
    assert curl(classic_url(limited.endpoint, "tiny-tpm"), headers=key_header(), body=user("hi")).status == 200


def test_rate_limit_through_the_sdk(limited: EmulatorServer) -> None:
    client = azure_client(limited.endpoint)
    for _ in range(2):
        client.chat.completions.create(model="tiny-rpm", messages=messages("hi"))
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="tiny-rpm", messages=messages("hi"))
    assert caught.value.status_code == 429
    assert caught.value.code == "429"
    assert "Please retry after" in caught.value.message
    assert int(caught.value.response.headers["retry-after"]) >= 1


def test_token_rate_limit(limited: EmulatorServer) -> None:
    url = classic_url(limited.endpoint, "tiny-tpm")
    body = {**user("x" * 400), "max_tokens": 50}  # ~100 prompt tokens + 50 for the reply: fits 200 once
    first = curl(url, headers=key_header(), body=body)
    assert first.status == 200
    assert int(first.headers["x-ratelimit-remaining-tokens"]) < 100
    second = curl(url, headers=key_header(), body=body)
    assert second.status == 429
    match = RATE_LIMITED.fullmatch(second.body.decode())
    assert match, second.body
    assert match["kind"] == "token"
    assert "token rate limit" in second.json()["error"]["message"]
    assert second.headers["retry-after"] == match["seconds"]
    assert second.headers["policy-id"] == "DeploymentRatelimit-Token"


def test_a_refused_request_spends_no_quota(limited: EmulatorServer) -> None:
    url = classic_url(limited.endpoint, "tiny-rpm")
    assert curl(url, headers=key_header(), body={**user("hi"), "max_tokens": 0}).status == 400
    assert curl(url, headers=key_header("wrong"), body=user("hi")).status == 401
    assert [curl(url, headers=key_header(), body=user("hi")).status for _ in range(3)] == [200, 200, 429]


# ---------------------------------------------------------------------------------------------
# Faults


def test_fault_429(emulator: EmulatorServer) -> None:
    raw = faulted(emulator.endpoint, "429")
    assert raw.status == 429
    match = RATE_LIMITED.fullmatch(raw.body.decode())
    assert match, raw.body
    assert raw.headers["retry-after"] == match["seconds"]
    assert raw.headers["retry-after-ms"] == str(int(match["seconds"]) * 1000)
    assert "x-ratelimit-remaining-requests" in raw.headers
    assert_next_request_is_fine(emulator.endpoint)


def test_fault_429_spends_no_quota(limited: EmulatorServer) -> None:
    url = classic_url(limited.endpoint, "tiny-rpm")
    assert curl(url, headers={**key_header(), FAULT_HEADER: "429"}, body=user("hi")).status == 429
    assert [curl(url, headers=key_header(), body=user("hi")).status for _ in range(2)] == [200, 200]


def test_fault_500(emulator: EmulatorServer) -> None:
    raw = faulted(emulator.endpoint, "500")
    assert raw.status == 500
    request_id = raw.headers["apim-request-id"]
    assert UUID.match(request_id)
    expected = {
        "error": {"message": SERVER_ERROR.format(request_id), "type": "server_error", "param": None, "code": None}
    }
    # The OpenAI-style 500 comes from the model backend: pretty-printed like every model error.
    assert raw.body == json.dumps(expected, indent=2).encode() + b"\n"
    with pytest.raises(openai.InternalServerError) as caught:
        azure_client(emulator.endpoint).chat.completions.create(
            model="gpt-4o-mini", messages=messages("hi"), extra_headers={FAULT_HEADER: "500"}
        )
    assert caught.value.status_code == 500
    assert_next_request_is_fine(emulator.endpoint)


def test_fault_500_gateway(emulator: EmulatorServer) -> None:
    raw = faulted(emulator.endpoint, "500-gateway")
    assert raw.status == 500
    match = GATEWAY_500.fullmatch(raw.body)
    assert match, raw.body
    assert len(raw.body) == 111
    assert match.group(1).decode() == raw.headers["apim-request-id"]
    assert raw.headers["x-ms-region"] == "Korea Central"
    assert "x-ms-client-request-id" in raw.headers
    assert_next_request_is_fine(emulator.endpoint)


def test_fault_503(emulator: EmulatorServer) -> None:
    raw = faulted(emulator.endpoint, "503")
    assert raw.status == 503
    assert raw.json()["error"]["code"] == "503"
    assert int(raw.headers["retry-after"]) > 0
    assert_next_request_is_fine(emulator.endpoint)


def test_fault_timeout(emulator: EmulatorServer) -> None:
    client = azure_client(emulator.endpoint, timeout=1.0)
    start = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        client.chat.completions.create(
            model="gpt-4o-mini", messages=messages("hi"), extra_headers={FAULT_HEADER: "timeout"}
        )
    assert time.monotonic() - start < emulator.config.timeout_fault_seconds  # the client gave up first
    assert_next_request_is_fine(emulator.endpoint)


def test_fault_drop_stream_through_the_sdk(emulator: EmulatorServer) -> None:
    stream = azure_client(emulator.endpoint).chat.completions.create(
        model="gpt-4o-mini",
        messages=messages("Tell me a story"),
        stream=True,
        extra_headers={FAULT_HEADER: "drop-stream"},
    )
    received: list[str] = []
    with pytest.raises(openai.APIConnectionError):
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    assert received  # the stream had started: some content arrived before the break
    whole = azure_client(emulator.endpoint).chat.completions.create(
        model="gpt-4o-mini", messages=messages("Tell me a story")
    )
    assert len("".join(received)) < len(whole.choices[0].message.content or "")


def test_fault_drop_stream_raw(emulator: EmulatorServer) -> None:
    body = {**user("Tell me a story"), "stream": True}
    raw = curl(
        classic_url(emulator.endpoint, "gpt-4o-mini"), headers={**key_header(), FAULT_HEADER: "drop-stream"}, body=body
    )
    assert raw.status == 200
    assert raw.exit_code == 18  # curl: "partial file", the chunked body never ended
    assert b"data: [DONE]" not in raw.body
    events = [event for event in raw.body.split(b"\n\n") if event.startswith(b"data: ")]
    assert any(b'"delta":{"content":"' in event and b'"content":""' not in event for event in events)
    assert b'"finish_reason":"stop"' not in raw.body
    assert_next_request_is_fine(emulator.endpoint)


def test_fault_key_disabled(emulator: EmulatorServer) -> None:
    raw = faulted(emulator.endpoint, "key-disabled")
    assert (raw.status, raw.body) == (403, KEY_AUTH_DISABLED)
    with pytest.raises(openai.PermissionDeniedError) as caught:
        v1_client(emulator.endpoint).chat.completions.create(
            model="gpt-4o-mini", messages=messages("hi"), extra_headers={FAULT_HEADER: "key-disabled"}
        )
    assert caught.value.code == "AuthenticationTypeDisabled"
    assert_next_request_is_fine(emulator.endpoint)


def test_fault_firewall(emulator: EmulatorServer) -> None:
    raw = faulted(emulator.endpoint, "firewall")
    assert (raw.status, raw.body) == (403, FIREWALL)
    assert len(raw.body) == 90 == int(raw.headers["content-length"])
    assert raw.headers["policy-id"] == "ThrowExceptionDueToTrafficDenied"
    assert "x-ms-region" not in raw.headers
    # The network rule applies before the key is looked at.
    wrong_key = curl(
        classic_url(emulator.endpoint, "gpt-4o-mini"),
        headers={"api-key": "wrong", FAULT_HEADER: "firewall"},
        body=user("hi"),
    )
    assert (wrong_key.status, wrong_key.body) == (403, FIREWALL)
    assert_next_request_is_fine(emulator.endpoint)


@pytest.mark.parametrize("fault", FAULTS)
def test_every_fault_is_scoped_to_its_request(emulator: EmulatorServer, fault: str) -> None:
    body = {**user("Tell me a story"), "stream": True}
    url = classic_url(emulator.endpoint, "gpt-4o-mini")
    if fault == "timeout":
        args = ["curl", "-s", "--max-time", "1", "-H", f"api-key: {DEMO_KEY}", "-H", f"{FAULT_HEADER}: timeout"]
        done = subprocess.run([*args, "--json", json.dumps(body), url], capture_output=True, timeout=10, check=False)
        assert (done.returncode, done.stdout) == (28, b"")  # curl: operation timed out, nothing received
    else:
        raw = curl(url, headers={**key_header(), FAULT_HEADER: fault}, body=body)
        assert raw.status != 200 or fault == "drop-stream"
        assert b"data: [DONE]" not in raw.body
    assert emulator.recorded()[-1].fault == fault
    for _ in range(2):
        assert_next_request_is_fine(emulator.endpoint)
    streamed = curl(classic_url(emulator.endpoint, "gpt-4o-mini"), headers=key_header(), body=body)
    assert sse_events(streamed.body)[-1] == b"[DONE]"


def test_an_unknown_fault_value_is_ignored(emulator: EmulatorServer) -> None:
    raw = faulted(emulator.endpoint, "meteor-strike")
    assert raw.status == 200
    assert emulator.recorded()[-1].fault is None
