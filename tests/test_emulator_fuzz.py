"""A bounded fuzz of every emulator route (hypothesis): no input makes it answer 500 or crash.

Budget: ``AOAI_LAB_FUZZ_EXAMPLES`` examples per test (default 150), derandomized so a CI failure
reproduces locally. The routes are the ones described in ``docs/emulator-openapi.yaml``.
"""

from __future__ import annotations

import http.client
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aoai_lab.emulator import DEMO_KEY, EmulatorConfig, EmulatorServer
from aoai_lab.emulator.config import DEFAULT_DEPLOYMENTS
from aoai_lab.emulator.validation import CHAT_ARGUMENTS

EXAMPLES = int(os.environ.get("AOAI_LAB_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PATHS = [
    "openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21",
    "openai/deployments/gpt-5.1/chat/completions?api-version=2025-04-01-preview",
    "openai/deployments/gpt-4o-mini/chat/completions?api-version=2023-05-15",
    "openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21",
    "openai/deployments/gpt-4o-mini/completions?api-version=2024-10-21",
    "openai/v1/chat/completions",
    "openai/v1/embeddings",
    "openai/v1/responses",
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
roles = st.sampled_from(["user", "system", "assistant", "tool", "developer", "robot", ""]) | json_values
message = st.fixed_dictionaries(
    {}, optional={"role": roles, "content": st.text(max_size=40) | json_values, "name": json_values}
)
arguments = sorted(
    CHAT_ARGUMENTS
    | {"input", "dimensions", "encoding_format", "max_output_tokens", "reasoning", "instructions", "bogus"}
)
bodies = st.fixed_dictionaries(
    {"messages": st.lists(message, max_size=3) | json_values},
    optional={name: json_values for name in arguments if name != "messages"}
    | {
        "model": st.sampled_from(["gpt-4o-mini", "gpt-5.1", "text-embedding-3-small", "nope"]) | json_values,
        "input": st.text(max_size=30) | st.lists(st.text(max_size=10), max_size=3) | json_values,
        "stream": st.booleans() | json_values,
    },
)


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


class Client:
    """Plain ``http.client`` over loopback, one connection per request (a 400 may close it)."""

    def __init__(self, port: int) -> None:
        self.port = port

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Answer(response.status, response.getheader("content-type") or "", response.read())
        finally:
            connection.close()


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[Client]:
    # Quota high enough that the fuzz meets validation, not (only) 429s.
    deployments = tuple(replace(d, rpm=10**6, tpm=10**12) for d in DEFAULT_DEPLOYMENTS)
    config = EmulatorConfig(deployments=deployments, tokens_per_second=0)
    with EmulatorServer(config) as server:
        yield Client(server.port)


def _assert_sane(answer: Answer) -> None:
    assert answer.status < 500, (answer.status, answer.body[:500])
    if answer.content_type.startswith("application/json"):
        json.loads(answer.body)
    else:
        assert answer.content_type.startswith("text/event-stream"), answer.content_type


@FUZZ
@given(path=st.sampled_from(PATHS), body=bodies)
def test_json_bodies_never_get_a_500(fuzzed: Client, path: str, body: dict[str, Any]) -> None:
    headers = {"api-key": DEMO_KEY, "content-type": "application/json"}
    data = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
    _assert_sane(fuzzed.request("POST", "/" + path, data, headers))


@FUZZ
@given(path=st.sampled_from(PATHS), data=st.binary(max_size=300))
def test_raw_bytes_never_get_a_500(fuzzed: Client, path: str, data: bytes) -> None:
    _assert_sane(fuzzed.request("POST", "/" + path, data, {"api-key": DEMO_KEY}))


@FUZZ
@given(
    path=st.text(alphabet="abcdefghijklmnopqrstuvwxyz/-._?=&%0123456789", max_size=60),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
    header=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
)
def test_any_path_method_and_key_never_get_a_500(fuzzed: Client, path: str, method: str, header: str) -> None:
    headers = {"api-key": header, "authorization": "Bearer " + header}
    answer = fuzzed.request(method, "/" + path.lstrip("/"), None, headers)
    assert answer.status < 500, (answer.status, answer.body[:300])
