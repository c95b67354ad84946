"""Request validation like Azure's (issue 10): pure functions without HTTP, then the wire and the SDK.

Expected texts are copied from the public threads that quote Azure's answers (named next to each),
never imported from the emulator.
"""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletionFunctionToolParam

from aoai_lab.emulator import EmulatorServer
from aoai_lab.emulator.config import DEFAULT_DEPLOYMENTS, Deployment
from aoai_lab.emulator.validation import Problem, json_type, validate_chat
from aoai_lab.versions import load_api_versions
from tests.emulator_http import (
    INVALID_KEY,
    assert_azure_key_order,
    azure_client,
    classic_url,
    curl,
    key_header,
    messages,
    user,
)

GPT4O_MINI = next(d for d in DEFAULT_DEPLOYMENTS if d.name == "gpt-4o-mini")
GPT51 = next(d for d in DEFAULT_DEPLOYMENTS if d.name == "gpt-5.1")
VERSIONS = load_api_versions()


def check(
    body: dict[str, Any], deployment: Deployment = GPT4O_MINI, version: str = "2025-04-01-preview"
) -> Problem | None:
    return validate_chat(body, deployment, "classic", version, VERSIONS)


def hi(**extra: Any) -> dict[str, Any]:
    return {**user("hi"), **extra}


# ---------------------------------------------------------------------------------------------
# Pure validation


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("x", "a string"),
        ({}, "an object"),
        ([], "an array"),
        (1, "an integer"),
        (1.5, "a decimal"),
        (True, "a boolean"),
        (None, "null"),
    ],
)
def test_json_type_names_what_was_received(value: object, name: str) -> None:
    assert json_type(value) == name


def test_a_valid_request_has_no_problem() -> None:
    body = hi(temperature=0.2, top_p=0.9, n=2, stop=["\n"], seed=7, presence_penalty=1, frequency_penalty=-1)
    assert check(body) is None


def test_unknown_argument() -> None:
    # langchain-ai/langchain#8593, 567-labs/instructor#155
    assert check(hi(funtions=[])) == Problem("Unrecognized request argument supplied: funtions")
    two = check(hi(foo=1, bar=2))
    assert two is not None and two.message == "Unrecognized request arguments supplied: foo, bar"


def test_tools_on_an_api_version_that_predates_them() -> None:
    tools = [{"type": "function", "function": {"name": "f"}}]
    assert check(hi(tools=tools), version="2023-05-15") == Problem("Unrecognized request argument supplied: tools")
    assert check(hi(tools=tools), version="2024-02-01") is None


def test_stream_must_be_a_boolean() -> None:
    assert check(hi(stream="true")) == Problem(
        "Invalid type for 'stream': expected a boolean, but got a string instead.", "stream", "invalid_type"
    )


def test_a_string_is_a_string_not_an_object() -> None:
    problem = check(hi(response_format="json_object"))
    assert problem == Problem(
        "Invalid type for 'response_format': expected an object, but got a string instead.",
        "response_format",
        "invalid_type",
    )


@pytest.mark.parametrize(
    ("extra", "param", "code"),
    [
        ({"n": 0}, "n", "integer_below_min_value"),
        ({"n": 129}, "n", "integer_above_max_value"),
        ({"top_p": 1.5}, "top_p", "decimal_above_max_value"),
        ({"presence_penalty": 2.5}, "presence_penalty", "decimal_above_max_value"),
        ({"frequency_penalty": -3}, "frequency_penalty", "decimal_below_min_value"),
        ({"top_logprobs": 21, "logprobs": True}, "top_logprobs", "integer_above_max_value"),
        ({"seed": "1"}, "seed", "invalid_type"),
        ({"logprobs": "yes"}, "logprobs", "invalid_type"),
        ({"stop": 5}, "stop", "invalid_type"),
        ({"stop": ["a", "b", "c", "d", "e"]}, "stop", "array_above_max_length"),
        ({"n": 1.5}, "n", "invalid_type"),
    ],
)
def test_parameter_ranges_and_types(extra: dict[str, Any], param: str, code: str) -> None:
    problem = check(hi(**extra))
    assert problem is not None and (problem.param, problem.code) == (param, code), problem


def test_json_object_needs_the_word_json() -> None:
    # https://github.com/meta-llama/PurpleLlama/issues/94
    problem = check(hi(response_format={"type": "json_object"}))
    assert problem == Problem(
        "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        "messages",
    )
    assert check({**user("Answer in JSON"), "response_format": {"type": "json_object"}}) is None


def test_json_schema_on_an_api_version_that_predates_it() -> None:
    # dotnet/extensions#6130, langgenius/dify#8994 ('code': 'BadRequest')
    schema = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}
    problem = check(hi(response_format=schema), version="2024-06-01")
    assert problem is not None and problem.gateway == (
        b'{"error":{"code":"BadRequest","message":"response_format value as json_schema is enabled only for api '
        b'versions 2024-08-01-preview and later"}}'
    )
    assert check(hi(response_format=schema), version="2024-10-21") is None


def test_an_invalid_strict_schema() -> None:
    # https://github.com/dottxt-ai/outlines/issues/844 (Azure gpt-4o)
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    body = hi(
        response_format={"type": "json_schema", "json_schema": {"name": "default", "strict": True, "schema": schema}}
    )
    assert check(body) == Problem(
        "Invalid schema for response_format 'default': In context=(), 'additionalProperties' is required to be "
        "supplied and to be false.",
        "response_format",
    )


def test_tool_shapes() -> None:
    assert check(hi(tools=[{"type": "function"}])) == Problem(
        "Missing required parameter: 'tools[0].function'.", "tools[0].function", "missing_required_parameter"
    )
    assert check(hi(tools={"type": "function"})) == Problem(
        "Invalid type for 'tools': expected an array, but got an object instead.", "tools", "invalid_type"
    )
    problem = check(hi(tool_choice="auto"))
    assert problem is not None and problem.param == "tool_choice"
    tools = [{"type": "function", "function": {"name": "f"}}]
    bad_choice = check(hi(tools=tools, tool_choice="always"))
    assert bad_choice is not None and bad_choice.code == "invalid_value"


def test_output_ceiling_per_model() -> None:
    # https://github.com/charmbracelet/catwalk/issues/41
    assert check(hi(max_tokens=20000)) == Problem(
        "max_tokens is too large: 20000. This model supports at most 16384 completion tokens, whereas you "
        "provided 20000.",
        "max_tokens",
        "invalid_value",
    )
    assert check(hi(max_tokens=16384)) is None
    assert check(hi(max_completion_tokens=128_000), GPT51) is None
    above = check(hi(max_completion_tokens=128_001), GPT51)
    assert above is not None and above.param == "max_completion_tokens" and "128000" in above.message


def test_reasoning_models_refuse_stop_and_penalties() -> None:
    problem = check(hi(stop="x"), GPT51)
    assert problem is not None and problem.code == "unsupported_parameter" and problem.param == "stop"


# ---------------------------------------------------------------------------------------------
# Over HTTP: model errors pretty, gateway errors compact


def test_model_errors_are_pretty_printed(emulator: EmulatorServer) -> None:
    raw = curl(classic_url(emulator.endpoint, "gpt-4o-mini"), headers=key_header(), body=hi(stream="yes"))
    assert (raw.status, raw.reason) == (400, "model_error")
    expected = {
        "error": {
            "message": "Invalid type for 'stream': expected a boolean, but got a string instead.",
            "type": "invalid_request_error",
            "param": "stream",
            "code": "invalid_type",
        }
    }
    assert raw.body == json.dumps(expected, indent=2).encode() + b"\n"
    assert int(raw.headers["content-length"]) == len(raw.body)


def test_gateway_errors_stay_compact(emulator: EmulatorServer) -> None:
    raw = curl(classic_url(emulator.endpoint, "gpt-4o-mini"), headers=key_header("wrong"), body=hi())
    assert raw.body == INVALID_KEY and b"\n" not in raw.body


def test_json_schema_on_an_old_version_over_http(emulator: EmulatorServer) -> None:
    schema = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}
    raw = curl(
        classic_url(emulator.endpoint, "gpt-4o-mini", "2024-06-01"),
        headers=key_header(),
        body=hi(response_format=schema),
    )
    assert (raw.status, raw.reason) == (400, "BadRequest")
    assert raw.json()["error"]["code"] == "BadRequest"


def test_unknown_argument_through_the_sdk(emulator: EmulatorServer) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        azure_client(emulator.endpoint).chat.completions.create(
            model="gpt-4o-mini", messages=messages("hi"), extra_body={"temprature": 0.5}
        )
    assert caught.value.message.endswith("Unrecognized request argument supplied: temprature")


# ---------------------------------------------------------------------------------------------
# Replies that follow the request


def test_n_returns_n_choices(emulator: EmulatorServer) -> None:
    reply = azure_client(emulator.endpoint).chat.completions.create(model="gpt-4o-mini", messages=messages("hi"), n=3)
    assert [c.index for c in reply.choices] == [0, 1, 2]
    assert reply.usage is not None and reply.usage.completion_tokens % 3 == 0


def test_stop_cuts_the_reply(emulator: EmulatorServer) -> None:
    client = azure_client(emulator.endpoint)
    full = client.chat.completions.create(model="gpt-4o-mini", messages=messages("hi")).choices[0].message.content
    assert full is not None and "connection" in full
    cut = client.chat.completions.create(model="gpt-4o-mini", messages=messages("hi"), stop=["connection"])
    assert cut.choices[0].message.content == full[: full.index("connection")]


def test_logprobs_when_asked(emulator: EmulatorServer) -> None:
    reply = azure_client(emulator.endpoint).chat.completions.create(
        model="gpt-4o-mini", messages=messages("hi"), logprobs=True
    )
    logprobs = reply.choices[0].logprobs
    assert logprobs is not None and logprobs.content
    assert "".join(t.token for t in logprobs.content) == reply.choices[0].message.content


def test_json_mode_reply_is_json(emulator: EmulatorServer) -> None:
    reply = azure_client(emulator.endpoint).chat.completions.create(
        model="gpt-4o-mini", messages=messages("Reply in JSON please"), response_format={"type": "json_object"}
    )
    content = reply.choices[0].message.content
    assert content is not None and isinstance(json.loads(content), dict)


def test_json_schema_reply_matches_the_schema(emulator: EmulatorServer) -> None:
    schema = {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string", "enum": ["sun", "rain"]}},
            "ok": {"type": "boolean"},
        },
        "required": ["city", "days", "tags", "ok"],
        "additionalProperties": False,
    }
    response_format = {"type": "json_schema", "json_schema": {"name": "trip", "strict": True, "schema": schema}}
    raw = curl(
        classic_url(emulator.endpoint, "gpt-4o-mini"), headers=key_header(), body=hi(response_format=response_format)
    )
    assert raw.status == 200, raw.body
    value = json.loads(raw.json()["choices"][0]["message"]["content"])
    assert set(value) == {"city", "days", "tags", "ok"}
    assert isinstance(value["city"], str) and isinstance(value["days"], int) and isinstance(value["ok"], bool)
    assert value["tags"] == ["sun"]


WEATHER_TOOL: ChatCompletionFunctionToolParam = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "additionalProperties": False,
        },
    },
}


def test_a_tool_call_when_asked_to_use_a_declared_tool(emulator: EmulatorServer) -> None:
    client = azure_client(emulator.endpoint)
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=messages("Use get_weather for Seoul"),
        tools=[WEATHER_TOOL],
    )
    choice = reply.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None and choice.message.tool_calls
    call = choice.message.tool_calls[0]
    assert call.type == "function" and call.function.name == "get_weather"
    assert set(json.loads(call.function.arguments)) == {"city"}
    # Without a mention the model answers in text; tool_choice="required" forces the call.
    plain = client.chat.completions.create(model="gpt-4o-mini", messages=messages("hi"), tools=[WEATHER_TOOL])
    assert plain.choices[0].finish_reason == "stop"
    forced = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=messages("hi"),
        tools=[WEATHER_TOOL],
        tool_choice="required",
    )
    assert forced.choices[0].finish_reason == "tool_calls"


def test_a_streamed_tool_call(emulator: EmulatorServer) -> None:
    stream = azure_client(emulator.endpoint).chat.completions.create(
        model="gpt-4o-mini",
        messages=messages("call get_weather"),
        tools=[WEATHER_TOOL],
        stream=True,
    )
    names, arguments, finish = [], "", None
    for chunk in stream:
        for choice in chunk.choices:
            for call in choice.delta.tool_calls or []:
                if call.function and call.function.name:
                    names.append(call.function.name)
                arguments += (call.function.arguments or "") if call.function else ""
            finish = choice.finish_reason or finish
    assert names == ["get_weather"] and finish == "tool_calls"
    assert set(json.loads(arguments)) == {"city"}


def test_bodies_keep_azure_key_order(emulator: EmulatorServer) -> None:
    raw = curl(classic_url(emulator.endpoint, "gpt-4o-mini"), headers=key_header(), body=hi(n=2, logprobs=True))
    assert raw.status == 200
    assert_azure_key_order(raw.body)
