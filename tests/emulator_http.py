"""Raw-HTTP helpers and reference bytes shared by the ``test_emulator_*`` files.

Expected bytes are copied from ``shared/reference/azure-openai-wire-format.md`` (section in each
comment), never imported from the emulator, so a change that breaks fidelity fails the tests.
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

from aoai_lab.emulator import DEMO_KEY

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


def pretty(compact: bytes) -> bytes:
    """A model error as Azure sends it: two-space indented, trailing newline (issue 10; Content-Length
    170 for a 137-byte compact body in Azure/azure-sdk-for-net#40645)."""
    return json.dumps(json.loads(compact), indent=2, ensure_ascii=False).encode() + b"\n"


# §4.10 (a model error: pretty-printed on the wire)
MAX_TOKENS_UNSUPPORTED = pretty(
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
