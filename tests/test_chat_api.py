"""Chat on both APIs over real HTTP: what the client sends is what the emulator received.

Chat Completions and the Responses API (issue 13): bodies, streaming, usage with reasoning tokens,
the length limit, errors turned into diagnoses, and structured output checked against its schema.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from aoai_lab.client import chat, responses_connection, stream_chat
from aoai_lab.connection import Connection
from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from aoai_lab.request import ChatParams, ChatRequest, Message, Sampling, parse_stop
from aoai_lab.structured_output import STARTERS, OutputFormat, check_reply

SYSTEM = "You are a helpful AI assistant."
TURNS = (Message("system", SYSTEM), Message("user", "hi"), Message("assistant", "hello"), Message("user", "again"))


def conn(emulator: EmulatorServer, deployment: str = "gpt-5.1", style: str = "classic") -> Connection:
    version = "2025-04-01-preview" if style == "classic" else ""
    return Connection(emulator.endpoint, DEMO_KEY, deployment, version, style, "demo")  # type: ignore[arg-type]


def last_body(emulator: EmulatorServer, suffix: str) -> Any:
    return [r for r in emulator.recorded() if r.path.endswith(suffix)][-1].body


REASONING = ChatParams(max_completion_tokens=400, reasoning_effort="low")
CLASSIC = ChatParams.for_family(
    "classic",
    max_length=300,
    temperature=0.3,
    sampling=Sampling(top_p=0.9, stop=("###",), presence_penalty=0.5, frequency_penalty=-0.5, seed=7),
)


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    ("deployment", "params"),
    [
        ("gpt-5.1", REASONING),
        ("gpt-4o-mini", CLASSIC),
        ("gpt-5.1", ChatParams(reasoning_effort="high", verbosity="low")),
    ],
)
def test_responses_api_sends_the_body_the_request_describes(
    emulator: EmulatorServer, deployment: str, params: ChatParams, stream: bool
) -> None:
    request = ChatRequest(TURNS, params, stream=stream, api="responses")
    connection = conn(emulator, deployment)
    if stream:
        result = stream_chat(connection, request)
        text = "".join(result)
        outcome = result.result
    else:
        outcome = chat(connection, request)
        text = outcome.text
    assert outcome is not None and outcome.ok, outcome and outcome.diagnosis
    received = last_body(emulator, "/openai/v1/responses")
    assert received == request.responses_body(deployment)
    # Classic sampling parameters that do not exist on the Responses API are never sent.
    assert not {"stop", "seed", "presence_penalty", "frequency_penalty", "messages"} & set(received)
    assert received["instructions"] == SYSTEM and received["input"][-1] == {"role": "user", "content": "again"}
    assert text == outcome.text and text.startswith(f"[Offline demo · {deployment}]")
    assert outcome.usage is not None and outcome.usage.prompt_tokens > 0 and outcome.finish_reason == "stop"


def test_responses_on_a_classic_connection_goes_to_the_v1_route_without_api_version(emulator: EmulatorServer) -> None:
    connection = conn(emulator)
    assert responses_connection(connection).style == "v1"
    chat(connection, ChatRequest(TURNS, REASONING, api="responses"))
    record = [r for r in emulator.recorded() if r.path.endswith("/responses")][-1]
    assert record.path == "/openai/v1/responses" and "api-version" not in record.query


def test_reasoning_tokens_are_reported_by_both_apis(emulator: EmulatorServer) -> None:
    for api in ("chat", "responses"):
        result = chat(conn(emulator), ChatRequest(TURNS, REASONING, api=api))
        assert result.ok and result.usage is not None and result.usage.reasoning_tokens > 0, api
        streamed = stream_chat(conn(emulator), ChatRequest(TURNS, REASONING, stream=True, api=api, include_usage=True))
        list(streamed)
        assert streamed.result is not None and streamed.result.usage == result.usage, api


def test_chat_completions_sends_every_classic_parameter(emulator: EmulatorServer) -> None:
    request = ChatRequest(TURNS, CLASSIC)
    result = chat(conn(emulator, "gpt-4o-mini"), request)
    assert result.ok
    received = last_body(emulator, "/gpt-4o-mini/chat/completions")
    assert received == request.body("gpt-4o-mini")
    assert (received["top_p"], received["stop"], received["seed"]) == (0.9, ["###"], 7)
    assert (received["presence_penalty"], received["frequency_penalty"]) == (0.5, -0.5)


def test_a_reasoning_family_never_gets_classic_sampling() -> None:
    params = ChatParams.for_family("reasoning", max_length=50, sampling=Sampling(top_p=0.5, seed=3), verbosity="low")
    assert params.as_dict() == {"max_completion_tokens": 50, "verbosity": "low"}


def test_responses_length_limit_is_reported_as_length(emulator: EmulatorServer) -> None:
    request = ChatRequest(TURNS, ChatParams(max_tokens=16), api="responses")
    result = chat(conn(emulator, "gpt-4o-mini"), request)
    assert result.ok and result.finish_reason == "length"
    assert last_body(emulator, "/responses")["max_output_tokens"] == 16
    # Below the Responses API's minimum of 16 the body is raised to it, never sent to get a 400.
    assert ChatParams(max_tokens=5).responses_dict() == {"max_output_tokens": 16}


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_errors_become_diagnoses_on_both_apis(emulator: EmulatorServer, api: str) -> None:
    # reasoning_effort on a classic model: Azure's 400, explained, never a traceback.
    request = ChatRequest(TURNS, ChatParams(reasoning_effort="low"), api=api)  # type: ignore[arg-type]
    result = chat(conn(emulator, "gpt-4o-mini"), request)
    assert not result.ok and result.status == 400
    assert result.diagnosis.code != "ok" and result.diagnosis.evidence.status == 400
    streamed = stream_chat(conn(emulator, "no-such-deployment"), ChatRequest(TURNS, stream=True, api=api))  # type: ignore[arg-type]
    assert list(streamed) == [] and streamed.result is not None and streamed.result.status == 404


@pytest.mark.parametrize("api", ["chat", "responses"])
@pytest.mark.parametrize("stream", [False, True])
def test_structured_output_on_both_apis_is_valid_against_the_schema(
    emulator: EmulatorServer, api: str, stream: bool
) -> None:
    output = OutputFormat("json_schema", STARTERS["person"])
    request = ChatRequest(TURNS, stream=stream, api=api, output=output)  # type: ignore[arg-type]
    connection = conn(emulator, "gpt-4o-mini")
    if stream:
        handle = stream_chat(connection, request)
        list(handle)
        result = handle.result
    else:
        result = chat(connection, request)
    assert result is not None and result.ok
    checked = check_reply(result.text, output)
    assert checked.valid and set(json.loads(result.text)) == {"name", "age"}
    received = last_body(emulator, "/responses" if api == "responses" else "/chat/completions")
    assert received == request.wire_body("gpt-4o-mini")
    if api == "responses":
        assert received["text"]["format"] == {
            "type": "json_schema",
            "name": "reply",
            "schema": STARTERS["person"],
            "strict": True,
        }
    else:
        assert received["response_format"]["json_schema"]["schema"] == STARTERS["person"]


def test_json_mode_replies_with_an_object(emulator: EmulatorServer) -> None:
    output = OutputFormat("json_object")
    messages = (Message("system", "Answer in JSON."), Message("user", "hi"))
    for api in ("chat", "responses"):
        result = chat(conn(emulator, "gpt-4o-mini"), ChatRequest(messages, api=api, output=output))
        assert result.ok and check_reply(result.text, output).valid, api


def test_a_reply_that_breaks_the_schema_is_reported() -> None:
    output = OutputFormat("json_schema", STARTERS["person"])
    bad = check_reply('{"name": "Kim", "age": "ten", "extra": 1}', output)
    assert bad.pretty is not None and not bad.valid
    assert any("age" in e for e in bad.errors) and any("extra" in e for e in bad.errors)
    assert check_reply("not json", output).pretty is None


def test_stop_sequences_are_one_per_line_and_at_most_four() -> None:
    assert parse_stop("a\n\n b\nc\nd\ne") == ("a", " b", "c", "d")
    assert parse_stop("  \n") == ()
