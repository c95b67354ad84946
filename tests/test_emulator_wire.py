"""The emulator's success bodies and headers, byte for byte, plus the raw-HTTP helpers the other
``test_emulator_*`` files share.

Expected bytes are copied from ``shared/reference/azure-openai-wire-format.md`` (section in each
comment), never imported from the emulator, so a change to ``aoai_lab/emulator/wire.py`` that
breaks fidelity fails here.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from openai import AzureOpenAI, OpenAI
from openai.types.chat import ChatCompletionMessageParam

from aoai_lab.emulator import DEMO_KEY, EmulatorServer

# ---------------------------------------------------------------------------------------------
# Shared helpers (imported by the other test_emulator_* files)

CLASSIC_VERSION = "2025-04-01-preview"  # newest dated preview: every feature, reasoning models
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# §3.2 / §4.4 — note the space after "message":
RESOURCE_NOT_FOUND = b'{"error":{"code":"404","message": "Resource not found"}}'
# §4.3
DEPLOYMENT_NOT_FOUND = (
    b'{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist. '
    b'If you created the deployment within the last 5 minutes, please wait a moment and try again."}}'
)
# §4.1 — 224 bytes
INVALID_KEY = (
    b'{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. '
    b"Make sure to provide a valid key for an active subscription and use a correct regional API endpoint "
    b'for your resource."}}'
)
# §4.10
MAX_TOKENS_UNSUPPORTED = (
    b'{"error":{"message":"Unsupported parameter: \'max_tokens\' is not supported with this model. '
    b'Use \'max_completion_tokens\' instead.","type":"invalid_request_error","param":"max_tokens",'
    b'"code":"unsupported_parameter"}}'
)


@dataclass(frozen=True)
class Raw:
    """One HTTP response exactly as it came off the wire (as curl saw it)."""

    status: int
    reason: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    exit_code: int = 0  # curl's own exit status (18 = the body was cut short)

    def json(self) -> Any:
        return json.loads(self.body)


def parse_http(raw: bytes, exit_code: int = 0) -> Raw:
    """Split ``curl -i`` output into status line, headers and body (skipping any 1xx)."""
    while True:
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        _, status, *reason = lines[0].split(" ", 2)
        if not status.startswith("1"):
            break
        raw = body
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Raw(int(status), reason[0] if reason else "", headers, body, exit_code)


def curl(
    url: str,
    *,
    method: str = "POST",
    headers: Mapping[str, str] | None = None,
    body: Any = None,
    timeout: float = 20.0,
) -> Raw:
    """One request with the real ``curl``. ``body`` is bytes, or a value sent as JSON."""
    args = ["curl", "-s", "-i", "-X", method, "--max-time", str(timeout), "-H", "Expect:"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    data: bytes | None = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        args += ["-H", "Content-Type: application/json", "--data-binary", "@-"]
    args.append(url)
    done = subprocess.run(args, input=data, capture_output=True, timeout=timeout + 10, check=False)
    assert done.stdout.startswith(b"HTTP/"), (done.returncode, done.stderr)
    return parse_http(done.stdout, done.returncode)


def classic_url(endpoint: str, deployment: str, api_version: str | None = CLASSIC_VERSION) -> str:
    """The classic chat route, as ``AzureOpenAI`` builds it."""
    url = f"{endpoint}openai/deployments/{quote(deployment)}/chat/completions"
    return url if api_version is None else f"{url}?api-version={api_version}"


def v1_url(endpoint: str, api_version: str | None = None, path: str = "chat/completions") -> str:
    """A v1 route (``/openai/v1/...``), optionally with an ``api-version``."""
    url = f"{endpoint}openai/v1/{path}"
    return url if api_version is None else f"{url}?api-version={api_version}"


def key_header(key: str = DEMO_KEY) -> dict[str, str]:
    return {"api-key": key}


def bearer_header(key: str = DEMO_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def user(text: str) -> dict[str, Any]:
    """A minimal chat body with one user message."""
    return {"messages": [{"role": "user", "content": text}]}


def messages(text: str) -> list[ChatCompletionMessageParam]:
    return [{"role": "user", "content": text}]


def azure_client(
    endpoint: str, *, api_version: str = CLASSIC_VERSION, key: str = DEMO_KEY, timeout: float = 20.0
) -> AzureOpenAI:
    """The tutorial's client, without retries (a retry would hide what the emulator answered)."""
    return AzureOpenAI(azure_endpoint=endpoint, api_key=key, api_version=api_version, max_retries=0, timeout=timeout)


def v1_client(endpoint: str, *, key: str = DEMO_KEY, timeout: float = 20.0) -> OpenAI:
    """The v1 client: ``OpenAI(base_url=…/openai/v1/)``; the key goes as a Bearer token."""
    return OpenAI(base_url=endpoint + "openai/v1/", api_key=key, max_retries=0, timeout=timeout)


def sse_events(body: bytes) -> list[bytes]:
    """The ``data:`` payloads of an SSE body, in order (``[DONE]`` included)."""
    blocks = [block for block in body.split(b"\n\n") if block]
    assert all(block.startswith(b"data: ") for block in blocks), blocks
    return [block[len(b"data: ") :] for block in blocks]


def assert_azure_key_order(raw: bytes) -> None:
    """Every object's keys are alphabetical, except as Azure's captures show (§5, §6, §4.8):
    ``prompt_index`` first in a prompt_filter_results item, and detection results
    (jailbreak, protected material) as ``filtered`` then ``detected``."""

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        expected = sorted(keys)
        if "prompt_index" in keys:
            expected.remove("prompt_index")
            expected.insert(0, "prompt_index")
        if sorted(keys) == ["detected", "filtered"]:
            expected = ["filtered", "detected"]
        assert keys == expected, f"keys out of Azure's order: {keys}"
        return dict(pairs)

    json.loads(raw, object_pairs_hook=hook)


# ---------------------------------------------------------------------------------------------
# Success bodies


def _capture_template(model: str, fingerprint: bytes) -> re.Pattern[bytes]:
    """§5's real capture as a pattern: literal bytes except the values that vary per call."""
    safe = (
        b'"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},'
        b'"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}'
    )
    prompt_safe = (
        b'"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":false,"detected":false},'
        b'"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},'
        b'"violence":{"filtered":false,"severity":"safe"}'
    )
    parts = [
        b'{"choices":[{"content_filter_results":{' + safe + b'},"finish_reason":"stop","index":0,"logprobs":null,',
        b'"message":{"annotations":[],"content":',
        None,  # the reply text
        b',"refusal":null,"role":"assistant"}}],"created":',
        None,
        b',"id":"chatcmpl-',
        None,
        b'","model":"' + model.encode() + b'","object":"chat.completion",',
        b'"prompt_filter_results":[{"prompt_index":0,"content_filter_results":{' + prompt_safe + b"}}],",
        b'"system_fingerprint":' + fingerprint + b",",
        b'"usage":{"completion_tokens":',
        None,
        b',"completion_tokens_details":{"accepted_prediction_tokens":0,"audio_tokens":0,"reasoning_tokens":',
        None,
        b',"rejected_prediction_tokens":0},"prompt_tokens":',
        None,
        b',"prompt_tokens_details":{"audio_tokens":0,"cached_tokens":0},"total_tokens":',
        None,
        b"}}",
    ]
    holes = iter(
        [rb'("(?:[^"\\]|\\.)*")', rb"(\d+)", rb"([A-Za-z0-9]{29})", rb"(\d+)", rb"(\d+)", rb"(\d+)", rb"(\d+)"]
    )
    return re.compile(b"".join(next(holes) if part is None else re.escape(part) for part in parts))


def test_classic_success_body_is_byte_for_byte_the_reference_capture_layout(emulator: EmulatorServer) -> None:
    raw = curl(classic_url(emulator.endpoint, "gpt-4o-mini"), headers=key_header(), body=user("Tell me a story"))
    assert (raw.status, raw.reason) == (200, "OK")
    match = _capture_template("gpt-4o-mini-2024-07-18", b'"fp_57db37749c"').fullmatch(raw.body)
    assert match, raw.body
    content, _, _, completion, reasoning, prompt, total = match.groups()
    assert json.loads(content).startswith("[Offline demo · gpt-4o-mini]")
    assert int(reasoning) == 0
    assert int(total) == int(prompt) + int(completion) and int(completion) > 0
    assert raw.headers["content-type"] == "application/json"
    assert int(raw.headers["content-length"]) == len(raw.body)


def test_reasoning_success_body_has_dated_model_and_null_fingerprint(emulator: EmulatorServer) -> None:
    raw = curl(classic_url(emulator.endpoint, "gpt-5.1"), headers=key_header(), body=user("Tell me a story"))
    assert raw.status == 200
    assert _capture_template("gpt-5.1-2025-11-13", b"null").fullmatch(raw.body), raw.body
    assert b'"system_fingerprint":null' in raw.body
    assert_azure_key_order(raw.body)


def test_v1_success_body_has_the_same_layout(emulator: EmulatorServer) -> None:
    raw = curl(
        v1_url(emulator.endpoint), headers=bearer_header(), body={**user("Tell me a story"), "model": "gpt-4o-mini"}
    )
    assert raw.status == 200
    assert _capture_template("gpt-4o-mini-2024-07-18", b'"fp_57db37749c"').fullmatch(raw.body), raw.body


def test_success_headers(emulator: EmulatorServer) -> None:
    raw = curl(classic_url(emulator.endpoint, "gpt-5.1"), headers=key_header(), body=user("headers please"))
    assert raw.status == 200
    headers = raw.headers
    assert UUID.match(headers["apim-request-id"])
    assert headers["x-request-id"] == headers["apim-request-id"]
    assert headers["x-ms-region"] == "Korea Central"
    assert int(headers["x-ratelimit-remaining-requests"]) >= 0
    assert int(headers["x-ratelimit-remaining-tokens"]) >= 0
    assert headers["x-ms-deployment-name"] == "gpt-5.1"  # the alias; the body carries the dated model
    assert json.loads(raw.body)["model"] == "gpt-5.1-2025-11-13"
    # Each request gets its own id.
    again = curl(classic_url(emulator.endpoint, "gpt-5.1"), headers=key_header(), body=user("headers please"))
    assert again.headers["apim-request-id"] != headers["apim-request-id"]


def test_key_order_with_a_filtered_reply(emulator: EmulatorServer) -> None:
    raw = curl(classic_url(emulator.endpoint, "gpt-4o-mini"), headers=key_header(), body=user("reply filter test"))
    assert raw.status == 200
    assert b'"protected_material_text":{"filtered":true,"detected":true}' in raw.body
    assert_azure_key_order(raw.body)


def test_sdk_sees_azure_extensions(emulator: EmulatorServer) -> None:
    response = azure_client(emulator.endpoint).chat.completions.create(model="gpt-4o-mini", messages=messages("hey"))
    assert response.model == "gpt-4o-mini-2024-07-18"
    assert response.object == "chat.completion"
    assert response.id.startswith("chatcmpl-") and len(response.id) == len("chatcmpl-CB38CGNFrrplmi6y7Sw64xcY6QqIm")
    assert response.system_fingerprint == "fp_57db37749c"
    data: dict[str, Any] = response.to_dict()
    assert data["prompt_filter_results"][0]["prompt_index"] == 0
    assert set(data["prompt_filter_results"][0]["content_filter_results"]) == {
        "hate",
        "jailbreak",
        "self_harm",
        "sexual",
        "violence",
    }
    assert data["choices"][0]["content_filter_results"]["violence"] == {"filtered": False, "severity": "safe"}
    assert response.choices[0].message.refusal is None
    assert response.usage is not None
    assert response.usage.prompt_tokens_details is not None
    assert response.usage.prompt_tokens_details.cached_tokens == 0
    assert response.usage.completion_tokens_details is not None
    assert response.usage.completion_tokens_details.reasoning_tokens == 0


def test_max_tokens_truncates_with_finish_reason_length(emulator: EmulatorServer) -> None:
    client = azure_client(emulator.endpoint)
    full = client.chat.completions.create(model="gpt-4o-mini", messages=messages("Tell me a story"))
    short = client.chat.completions.create(model="gpt-4o-mini", messages=messages("Tell me a story"), max_tokens=3)
    assert full.choices[0].finish_reason == "stop"
    assert short.choices[0].finish_reason == "length"
    assert short.usage is not None and short.usage.completion_tokens == 3
    full_text = full.choices[0].message.content or ""
    short_text = short.choices[0].message.content or ""
    assert short_text and full_text.startswith(short_text) and len(short_text) < len(full_text)


def test_max_completion_tokens_truncates_a_reasoning_reply(emulator: EmulatorServer) -> None:
    client = azure_client(emulator.endpoint)
    plain = client.chat.completions.create(
        model="gpt-5.1", messages=messages("Tell me a story"), max_completion_tokens=4
    )
    assert plain.choices[0].finish_reason == "length"
    assert plain.usage is not None and plain.usage.completion_tokens == 4
    # Reasoning spends the budget too: visible + reasoning tokens never exceed the limit.
    thinking = client.chat.completions.create(
        model="gpt-5.1", messages=messages("Tell me a story"), max_completion_tokens=20, reasoning_effort="low"
    )
    assert thinking.choices[0].finish_reason == "length"
    usage = thinking.usage
    assert usage is not None and usage.completion_tokens == 20
    assert usage.completion_tokens_details is not None
    assert 0 < (usage.completion_tokens_details.reasoning_tokens or 0) <= 20
