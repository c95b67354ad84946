"""Model-level refusals: reasoning-model rules, api-version gates, context length and the content
filter (reference §3, §4.8-4.10, §7)."""

from __future__ import annotations

import json
from typing import Any, Literal

import openai
import pytest

from aoai_lab.emulator import EmulatorServer
from aoai_lab.emulator.config import FILTER_TRIGGERS
from tests.emulator_http import (
    MAX_TOKENS_UNSUPPORTED,
    assert_azure_key_order,
    azure_client,
    bearer_header,
    classic_url,
    curl,
    key_header,
    messages,
    pretty,
    sse_events,
    user,
    v1_client,
    v1_url,
)

# §3.1 — the literal {modelName} is in Azure's real message.
MODEL_NEEDS_NEWER_VERSION = (
    b'{"error":{"code":"BadRequest","message":"Model {modelName} is enabled only for api versions '
    b'2024-12-01-preview and later"}}'
)
# §3.2 (a model error: pretty-printed on the wire)
UNKNOWN_STREAM_OPTIONS = pretty(
    b'{"error":{"message":"Unknown parameter: \'stream_options\'.","type":"invalid_request_error",'
    b'"param":"stream_options","code":"unknown_parameter"}}'
)
# §4.8, byte for byte (the capture is the violence category at medium severity).
PROMPT_FILTERED_VIOLENCE = (
    b'{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI\'s content '
    b"management policy. Please modify your prompt and retry. To learn more about our content filtering "
    b'policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766","type":null,'
    b'"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation",'
    b'"content_filter_result":{"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":false,'
    b'"detected":false},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,'
    b'"severity":"safe"},"violence":{"filtered":true,"severity":"medium"}}}}}'
)

Effort = Literal["none", "low", "medium", "high"]

PROMPT_TRIGGERS = [t for t in FILTER_TRIGGERS if t.where == "prompt"]
REPLY_TRIGGERS = [t for t in FILTER_TRIGGERS if t.where == "reply"]


def chat(endpoint: str, deployment: str, body: dict[str, Any], version: str = "2025-04-01-preview") -> Any:
    return curl(classic_url(endpoint, deployment, version), headers=key_header(), body=body)


def error_of(raw: Any) -> dict[str, Any]:
    error: dict[str, Any] = json.loads(raw.body)["error"]
    return error


# ---------------------------------------------------------------------------------------------
# Reasoning deployment (gpt-5.1)


def test_reasoning_model_rejects_max_tokens(emulator: EmulatorServer) -> None:
    raw = chat(emulator.endpoint, "gpt-5.1", {**user("hi"), "max_tokens": 50})
    assert (raw.status, raw.reason) == (400, "model_error")
    assert raw.body == MAX_TOKENS_UNSUPPORTED
    with pytest.raises(openai.BadRequestError) as caught:
        v1_client(emulator.endpoint).chat.completions.create(model="gpt-5.1", messages=messages("hi"), max_tokens=50)
    assert caught.value.code == "unsupported_parameter"
    assert caught.value.param == "max_tokens"
    assert "Use 'max_completion_tokens' instead." in caught.value.message


@pytest.mark.parametrize(
    ("name", "value"), [("temperature", 0.2), ("temperature", 0), ("temperature", 2), ("top_p", 0.5)]
)
def test_reasoning_model_rejects_non_default_sampling(emulator: EmulatorServer, name: str, value: float) -> None:
    raw = chat(emulator.endpoint, "gpt-5.1", {**user("hi"), name: value})
    assert (raw.status, raw.reason) == (400, "model_error")
    error = error_of(raw)
    assert (error["param"], error["type"]) == (name, "invalid_request_error")
    assert error["code"] in ("unsupported_value", "unsupported_parameter")
    assert f"'{name}'" in error["message"]


@pytest.mark.parametrize("name", ["temperature", "top_p"])
def test_reasoning_model_accepts_the_default_sampling_value(emulator: EmulatorServer, name: str) -> None:
    assert chat(emulator.endpoint, "gpt-5.1", {**user("hi"), name: 1}).status == 200


@pytest.mark.parametrize("effort", ["extreme", "max", "", "LOW"])
def test_reasoning_model_rejects_unknown_effort(emulator: EmulatorServer, effort: str) -> None:
    raw = chat(emulator.endpoint, "gpt-5.1", {**user("hi"), "reasoning_effort": effort})
    assert raw.status == 400
    error = error_of(raw)
    assert error["param"] == "reasoning_effort"
    assert error["code"] in ("unsupported_value", "invalid_value")
    assert "'low'" in error["message"] and "'high'" in error["message"]


@pytest.mark.parametrize(
    ("effort", "reasons"), [(None, False), ("none", False), ("low", True), ("medium", True), ("high", True)]
)
def test_reasoning_tokens_follow_the_effort(emulator: EmulatorServer, effort: Effort | None, reasons: bool) -> None:
    client = azure_client(emulator.endpoint)
    if effort is None:  # gpt-5.1 defaults to none (§7)
        response = client.chat.completions.create(model="gpt-5.1", messages=messages("hi"))
    else:
        response = client.chat.completions.create(model="gpt-5.1", messages=messages("hi"), reasoning_effort=effort)
    usage = response.usage
    assert usage is not None and usage.completion_tokens_details is not None
    reasoning = usage.completion_tokens_details.reasoning_tokens or 0
    assert (reasoning > 0) is reasons
    assert usage.completion_tokens > reasoning  # visible tokens too
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_more_effort_spends_more_reasoning_tokens(emulator: EmulatorServer) -> None:
    client = azure_client(emulator.endpoint)
    spent = []
    for effort in ("low", "medium", "high"):
        usage = client.chat.completions.create(model="gpt-5.1", messages=messages("hi"), reasoning_effort=effort).usage
        assert usage is not None and usage.completion_tokens_details is not None
        spent.append(usage.completion_tokens_details.reasoning_tokens or 0)
    assert spent == sorted(spent) and spent[0] < spent[-1]


@pytest.mark.parametrize("version", ["2024-10-21", "2024-06-01", "2024-02-01", "2024-10-01-preview", "2023-05-15"])
def test_reasoning_model_on_an_old_api_version(emulator: EmulatorServer, version: str) -> None:
    raw = chat(emulator.endpoint, "gpt-5.1", user("hi"), version)
    assert raw.status == 400
    assert raw.body == MODEL_NEEDS_NEWER_VERSION
    assert raw.headers["x-ms-region"] == "Korea Central"


def test_reasoning_model_from_2024_12_01_preview_on(emulator: EmulatorServer) -> None:
    for version in ("2024-12-01-preview", "2025-01-01-preview", "2025-04-01-preview"):
        assert chat(emulator.endpoint, "gpt-5.1", user("hi"), version).status == 200


# ---------------------------------------------------------------------------------------------
# Classic deployment (gpt-4o-mini)


def test_classic_model_accepts_max_tokens_and_temperature(emulator: EmulatorServer) -> None:
    raw = chat(
        emulator.endpoint,
        "gpt-4o-mini",
        {**user("hi"), "max_tokens": 50, "temperature": 0.2, "top_p": 0.5},
        "2024-10-21",
    )
    assert raw.status == 200
    response = azure_client(emulator.endpoint, api_version="2024-06-01").chat.completions.create(
        model="gpt-4o-mini", messages=messages("hi"), max_tokens=50, temperature=0.7
    )
    assert response.choices[0].finish_reason == "stop"


def test_classic_model_rejects_reasoning_effort(emulator: EmulatorServer) -> None:
    raw = chat(emulator.endpoint, "gpt-4o-mini", {**user("hi"), "reasoning_effort": "low"})
    assert (raw.status, raw.reason) == (400, "model_error")
    error = error_of(raw)
    assert (error["param"], error["code"]) == ("reasoning_effort", "unsupported_parameter")


@pytest.mark.parametrize(
    ("name", "value"), [("temperature", 2.5), ("temperature", -1), ("top_p", 1.5), ("max_tokens", 0)]
)
def test_out_of_range_parameters(emulator: EmulatorServer, name: str, value: float) -> None:
    raw = chat(emulator.endpoint, "gpt-4o-mini", {**user("hi"), name: value})
    assert raw.status == 400
    assert error_of(raw)["param"] == name


# ---------------------------------------------------------------------------------------------
# stream_options and the api-version


@pytest.mark.parametrize("version", ["2024-06-01", "2024-02-01", "2024-05-01-preview"])
def test_stream_options_before_its_api_version(emulator: EmulatorServer, version: str) -> None:
    body = {**user("hi"), "stream": True, "stream_options": {"include_usage": True}}
    raw = chat(emulator.endpoint, "gpt-4o-mini", body, version)
    assert (raw.status, raw.reason) == (400, "model_error")
    assert raw.body == UNKNOWN_STREAM_OPTIONS


def test_stream_options_before_its_api_version_through_the_sdk(emulator: EmulatorServer) -> None:
    client = azure_client(emulator.endpoint, api_version="2024-06-01")
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model="gpt-4o-mini", messages=messages("hi"), stream=True, stream_options={"include_usage": True}
        )
    assert caught.value.code == "unknown_parameter"


@pytest.mark.parametrize("version", ["2024-10-21", "2024-09-01-preview"])
def test_stream_options_on_a_version_that_has_it(emulator: EmulatorServer, version: str) -> None:
    body = {**user("hi"), "stream": True, "stream_options": {"include_usage": True}}
    raw = chat(emulator.endpoint, "gpt-4o-mini", body, version)
    assert raw.status == 200
    events = sse_events(raw.body)
    assert events[-1] == b"[DONE]"
    assert json.loads(events[-2])["usage"]["total_tokens"] > 0


def test_stream_options_of_the_wrong_type_is_a_400_not_a_crash(emulator: EmulatorServer) -> None:
    raw = chat(emulator.endpoint, "gpt-4o-mini", {**user("hi"), "stream": True, "stream_options": True})
    assert (raw.status, raw.reason) == (400, "model_error")
    error = error_of(raw)
    assert (error["param"], error["code"]) == ("stream_options", "invalid_type")


# ---------------------------------------------------------------------------------------------
# Malformed requests


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "messages"),
        ({"messages": []}, "messages"),
        ({"messages": "hi"}, "messages"),
        ({"messages": [{"role": "robot", "content": "hi"}]}, "messages[0].role"),
        ({"messages": [{"role": "user"}]}, "messages[0].content"),
    ],
)
def test_malformed_messages(emulator: EmulatorServer, body: dict[str, Any], param: str) -> None:
    raw = chat(emulator.endpoint, "gpt-4o-mini", body)
    assert (raw.status, raw.reason) == (400, "model_error")
    assert error_of(raw)["param"] == param


def test_body_that_is_not_json(emulator: EmulatorServer) -> None:
    raw = curl(classic_url(emulator.endpoint, "gpt-4o-mini"), headers=key_header(), body=b"{not json")
    assert raw.status == 400
    assert error_of(raw)["type"] == "invalid_request_error"


# ---------------------------------------------------------------------------------------------
# Context length (§4.9)


def test_over_long_input_is_context_length_exceeded(emulator: EmulatorServer) -> None:
    text = "word " * 120_000  # 600 kB: ~150,000 estimated tokens, over gpt-4o-mini's 128,000
    raw = chat(emulator.endpoint, "gpt-4o-mini", user(text))
    assert (raw.status, raw.reason) == (400, "model_error")
    error = error_of(raw)
    assert list(error) == ["message", "type", "param", "code"]  # OpenAI's order, not alphabetical
    assert (error["type"], error["param"], error["code"]) == (
        "invalid_request_error",
        "messages",
        "context_length_exceeded",
    )
    assert error["message"].startswith(
        "This model's maximum context length is 128000 tokens. However, your messages resulted in "
    )
    assert error["message"].endswith(" tokens. Please reduce the length of the messages.")
    with pytest.raises(openai.BadRequestError) as caught:
        v1_client(emulator.endpoint).chat.completions.create(model="gpt-4o-mini", messages=messages(text))
    assert caught.value.code == "context_length_exceeded"


def test_input_plus_max_tokens_over_the_window(emulator: EmulatorServer) -> None:
    text = "word " * 100_000  # ~125,000 tokens: fits alone, not with 10,000 more for the reply
    assert chat(emulator.endpoint, "gpt-4o-mini", {**user(text), "max_tokens": 10}).status == 200
    raw = chat(emulator.endpoint, "gpt-4o-mini", {**user(text), "max_tokens": 10_000})
    assert raw.status == 400
    error = error_of(raw)
    assert error["code"] == "context_length_exceeded"
    assert "in the completion). Please reduce the length of the messages or completion." in error["message"]


# ---------------------------------------------------------------------------------------------
# Content filter (§4.8)


def test_prompt_filter_body_is_byte_for_byte_the_reference(emulator: EmulatorServer) -> None:
    raw = chat(emulator.endpoint, "gpt-4o-mini", user("This is a content filter test."))
    assert raw.status == 400
    assert raw.body == PROMPT_FILTERED_VIOLENCE
    assert raw.headers["x-ms-region"] == "Korea Central"


@pytest.mark.parametrize("trigger", PROMPT_TRIGGERS, ids=lambda t: t.phrase)
@pytest.mark.parametrize("route", ["classic", "v1"])
def test_each_prompt_trigger_is_refused(emulator: EmulatorServer, trigger: Any, route: str) -> None:
    text = f"Please run the {trigger.phrase.upper()} now"  # matching ignores case
    if route == "classic":
        raw = chat(emulator.endpoint, "gpt-5.1", user(text))
    else:
        raw = curl(v1_url(emulator.endpoint), headers=bearer_header(), body={**user(text), "model": "gpt-5.1"})
    assert raw.status == 400
    error = error_of(raw)
    assert (error["code"], error["param"], error["type"], error["status"]) == ("content_filter", "prompt", None, 400)
    inner = error["innererror"]
    assert inner["code"] == "ResponsibleAIPolicyViolation"
    results = inner["content_filter_result"]
    assert results[trigger.category]["filtered"] is True
    others = [name for name, result in results.items() if name != trigger.category]
    assert all(results[name]["filtered"] is False for name in others)
    if trigger.category == "jailbreak":
        assert results["jailbreak"] == {"filtered": True, "detected": True}
    else:
        assert results[trigger.category]["severity"] != "safe"


def test_prompt_trigger_through_the_sdk(emulator: EmulatorServer) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        azure_client(emulator.endpoint).chat.completions.create(model="gpt-5.1", messages=messages("탈옥 테스트"))
    assert caught.value.code == "content_filter"
    assert isinstance(caught.value.body, dict)
    assert caught.value.body["innererror"]["content_filter_result"]["jailbreak"]["detected"] is True


def test_system_messages_do_not_trip_the_filter(emulator: EmulatorServer) -> None:
    body = {"messages": [{"role": "system", "content": "content filter test"}, {"role": "user", "content": "hi"}]}
    assert chat(emulator.endpoint, "gpt-4o-mini", body).status == 200


@pytest.mark.parametrize("trigger", REPLY_TRIGGERS, ids=lambda t: t.phrase)
def test_each_reply_trigger_filters_the_completion(emulator: EmulatorServer, trigger: Any) -> None:
    raw = chat(emulator.endpoint, "gpt-4o-mini", user(f"{trigger.phrase} please"))
    assert raw.status == 200
    assert_azure_key_order(raw.body)
    choice = json.loads(raw.body)["choices"][0]
    assert choice["finish_reason"] == "content_filter"
    assert choice["content_filter_results"][trigger.category] == {"filtered": True, "detected": True}
    full = chat(emulator.endpoint, "gpt-4o-mini", user("something else entirely please"))
    assert len(choice["message"]["content"]) < len(json.loads(full.body)["choices"][0]["message"]["content"])


@pytest.mark.parametrize("trigger", REPLY_TRIGGERS, ids=lambda t: t.phrase)
def test_each_reply_trigger_filters_the_stream(emulator: EmulatorServer, trigger: Any) -> None:
    client = azure_client(emulator.endpoint)
    stream = client.chat.completions.create(model="gpt-5.1", messages=messages(trigger.phrase), stream=True)
    chunks = [chunk for chunk in stream if chunk.choices]
    final = chunks[-1].choices[0]
    assert final.finish_reason == "content_filter"
    final_data: dict[str, Any] = final.to_dict()
    assert final_data["content_filter_results"][trigger.category] == {"filtered": True, "detected": True}
    assert all(chunk.choices[0].finish_reason is None for chunk in chunks[:-1])
