"""Embeddings, legacy completions and the v1 Responses API (issue 10), with the real SDK and curl."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import openai
import pytest

from aoai_lab.emulator import EmulatorServer
from tests.emulator_http import azure_client, curl, key_header, v1_client, v1_url

OPERATION_NOT_SUPPORTED = (
    '{{"error":{{"code":"OperationNotSupported","message":"The {operation} operation does not work with the '
    "specified model, {model}. Please choose different model and try again. You can learn more about which "
    'models can be used with each operation here: https://go.microsoft.com/fwlink/?linkid=2197993."}}}}'
)  # §4.5; embeddings: run-llama/llama_index#6436; completion: langchain-ai/langchainjs#2633


def embeddings_url(endpoint: str, deployment: str, version: str = "2024-10-21") -> str:
    return f"{endpoint}openai/deployments/{deployment}/embeddings?api-version={version}"


# ---------------------------------------------------------------------------------------------
# Embeddings


def test_classic_embeddings_through_the_sdk(emulator: EmulatorServer) -> None:
    client = azure_client(emulator.endpoint, api_version="2024-10-21")
    first = client.embeddings.create(model="text-embedding-3-small", input="안녕하세요")
    again = client.embeddings.create(model="text-embedding-3-small", input="안녕하세요")
    other = client.embeddings.create(model="text-embedding-3-small", input="hello")
    vector = first.data[0].embedding
    assert len(vector) == 1536
    assert math.isclose(sum(v * v for v in vector), 1.0, rel_tol=1e-3)  # float32 on the wire (base64)
    assert vector == again.data[0].embedding and vector != other.data[0].embedding
    assert first.model == "text-embedding-3-small"
    assert first.usage.prompt_tokens == first.usage.total_tokens > 0


def test_v1_embeddings_with_dimensions(emulator: EmulatorServer) -> None:
    reply = v1_client(emulator.endpoint).embeddings.create(
        model="text-embedding-3-small", input=["one", "two", "three"], dimensions=256
    )
    assert [d.index for d in reply.data] == [0, 1, 2]
    assert {len(d.embedding) for d in reply.data} == {256}


def test_embeddings_float_format_on_the_wire(emulator: EmulatorServer) -> None:
    raw = curl(
        embeddings_url(emulator.endpoint, "text-embedding-3-small"),
        headers=key_header(),
        body={"input": "hi", "encoding_format": "float"},
    )
    assert raw.status == 200
    body = raw.json()
    assert body["object"] == "list" and body["data"][0]["object"] == "embedding"
    assert len(body["data"][0]["embedding"]) == 1536
    assert set(body["usage"]) == {"prompt_tokens", "total_tokens"}


def test_embeddings_dimensions_above_the_model(emulator: EmulatorServer) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        v1_client(emulator.endpoint).embeddings.create(model="text-embedding-3-small", input="x", dimensions=4096)
    assert caught.value.code == "integer_above_max_value"


def test_embeddings_on_a_chat_deployment(emulator: EmulatorServer) -> None:
    raw = curl(embeddings_url(emulator.endpoint, "gpt-4o-mini"), headers=key_header(), body={"input": "hi"})
    assert (raw.status, raw.reason) == (400, "BadRequest")
    expected = OPERATION_NOT_SUPPORTED.format(operation="embeddings", model="gpt-4o-mini-2024-07-18")
    assert raw.body == expected.encode()
    with pytest.raises(openai.BadRequestError) as caught:
        v1_client(emulator.endpoint).embeddings.create(model="gpt-5.1", input="hi")
    assert caught.value.code == "OperationNotSupported"


def test_embeddings_input_missing(emulator: EmulatorServer) -> None:
    raw = curl(embeddings_url(emulator.endpoint, "text-embedding-3-small"), headers=key_header(), body={})
    assert (raw.status, raw.reason) == (400, "model_error")
    assert raw.json()["error"]["message"] == "Missing required parameter: 'input'."


# ---------------------------------------------------------------------------------------------
# Legacy completions


@pytest.mark.parametrize("deployment", ["gpt-4o-mini", "gpt-5.1"])
def test_legacy_completions_on_a_chat_deployment(emulator: EmulatorServer, deployment: str) -> None:
    url = f"{emulator.endpoint}openai/deployments/{deployment}/completions?api-version=2024-10-21"
    raw = curl(url, headers=key_header(), body={"prompt": "Hello"})
    assert (raw.status, raw.reason) == (400, "BadRequest")
    model = {"gpt-4o-mini": "gpt-4o-mini-2024-07-18", "gpt-5.1": "gpt-5.1-2025-11-13"}[deployment]
    assert raw.body == OPERATION_NOT_SUPPORTED.format(operation="completion", model=model).encode()


def test_legacy_completions_through_the_sdk(emulator: EmulatorServer) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        azure_client(emulator.endpoint).completions.create(model="gpt-4o-mini", prompt="Hello")
    assert caught.value.code == "OperationNotSupported"
    assert "The completion operation does not work with the specified model" in caught.value.message


def test_legacy_completions_on_an_unknown_deployment(emulator: EmulatorServer) -> None:
    url = f"{emulator.endpoint}openai/deployments/nope/completions?api-version=2024-10-21"
    assert curl(url, headers=key_header(), body={"prompt": "Hello"}).reason == "DeploymentNotFound"


# ---------------------------------------------------------------------------------------------
# The v1 Responses API


def test_responses_through_the_sdk(emulator: EmulatorServer) -> None:
    reply = v1_client(emulator.endpoint).responses.create(model="gpt-5.1", input="Hello!", reasoning={"effort": "low"})
    assert reply.object == "response" and reply.status == "completed"
    assert reply.model == "gpt-5.1-2025-11-13"
    assert reply.output_text.startswith("[Offline demo · gpt-5.1]")
    assert [item.type for item in reply.output] == ["reasoning", "message"]
    assert reply.usage is not None
    assert reply.usage.output_tokens_details.reasoning_tokens == 16
    assert reply.usage.total_tokens == reply.usage.input_tokens + reply.usage.output_tokens


def test_responses_stream_through_the_sdk(emulator: EmulatorServer) -> None:
    stream = v1_client(emulator.endpoint).responses.create(
        model="gpt-4o-mini", input=[{"role": "user", "content": "Hello!"}], stream=True
    )
    events = list(stream)
    kinds = [event.type for event in events]
    assert kinds[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert kinds[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    completed = events[-1]
    assert completed.type == "response.completed"
    assert completed.response.output_text == deltas
    assert completed.response.usage is not None and completed.response.usage.output_tokens > 0


def test_responses_stream_of_a_reasoning_model_counts_reasoning_tokens(emulator: EmulatorServer) -> None:
    with v1_client(emulator.endpoint).responses.stream(
        model="gpt-5.1", input="hi", reasoning={"effort": "high"}
    ) as stream:
        final = stream.get_final_response()
    assert final.usage is not None and final.usage.output_tokens_details.reasoning_tokens == 192


def test_responses_raw_sse_shape(emulator: EmulatorServer) -> None:
    raw = curl(
        v1_url(emulator.endpoint, path="responses"),
        headers={"Authorization": "Bearer 00000000000000000000000000000000"},
        body={"model": "gpt-4o-mini", "input": "hi", "stream": True},
    )
    assert raw.status == 200 and raw.headers["content-type"].startswith("text/event-stream")
    blocks = [b for b in raw.body.split(b"\n\n") if b]
    for block in blocks:
        event_line, data_line = block.split(b"\n")
        kind = event_line.removeprefix(b"event: ").decode()
        assert json.loads(data_line.removeprefix(b"data: "))["type"] == kind
    assert b"[DONE]" not in raw.body


def test_responses_errors(emulator: EmulatorServer) -> None:
    client = v1_client(emulator.endpoint)
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model="gpt-4o-mini", input="hi", max_output_tokens=5)
    assert caught.value.code == "integer_below_min_value"
    with pytest.raises(openai.NotFoundError) as not_found:
        client.responses.create(model="gpt-4o", input="hi")
    assert not_found.value.code == "DeploymentNotFound"
    with pytest.raises(openai.BadRequestError) as on_embedding:
        client.responses.create(model="text-embedding-3-small", input="hi")
    assert on_embedding.value.code == "OperationNotSupported"


def test_responses_max_output_tokens_makes_it_incomplete(emulator: EmulatorServer) -> None:
    reply = v1_client(emulator.endpoint).responses.create(model="gpt-4o-mini", input="hi", max_output_tokens=16)
    assert reply.status == "incomplete"
    assert reply.incomplete_details is not None and reply.incomplete_details.reason == "max_output_tokens"


# ---------------------------------------------------------------------------------------------
# The OpenAPI description documents exactly the routes served


def documented_routes() -> list[tuple[str, str]]:
    """(method, path) pairs from docs/emulator-openapi.yaml (read with a regex: no YAML dependency)."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "emulator-openapi.yaml").read_text(encoding="utf-8")
    routes, path = [], None
    for line in text.splitlines():
        if match := re.match(r"^  (/openai/\S+):$", line):
            path = match[1]
        elif path and (method := re.match(r"^    (get|post):$", line)):
            routes.append((method[1].upper(), path))
    return routes


def test_every_documented_route_is_served(emulator: EmulatorServer) -> None:
    routes = documented_routes()
    assert len(routes) == 9
    for method, path in routes:
        url = emulator.endpoint + path.lstrip("/").replace("{deployment}", "gpt-4o-mini")
        url += "" if "/v1/" in path else "?api-version=2024-10-21"
        raw = curl(url, method=method, headers=key_header(), body={} if method == "POST" else None)
        assert raw.body != b'{"error":{"code":"404","message": "Resource not found"}}', (method, path)
        assert raw.status < 500
