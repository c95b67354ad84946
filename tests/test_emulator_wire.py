"""The emulator's success bodies and headers, byte for byte.

Expected bytes are copied from ``shared/reference/azure-openai-wire-format.md`` (section in each
comment), never imported from the emulator, so a change to ``aoai_lab/emulator/wire.py`` that
breaks fidelity fails here.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aoai_lab.emulator import EmulatorServer
from tests.emulator_http import (
    UUID,
    assert_azure_key_order,
    azure_client,
    bearer_header,
    classic_url,
    curl,
    key_header,
    messages,
    user,
    v1_url,
)

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
