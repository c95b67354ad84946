"""The Code page's snippets for the chat's Responses API and structured output (issue 13).

Each generated program is run against the recording emulator; what it sent must equal what the
app's own chat client sent for the same request: path, query, body and auth.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from aoai_lab.client import chat, stream_chat
from aoai_lab.codegen import generate, python_target
from aoai_lab.connection import Connection
from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from aoai_lab.emulator.state import RecordedRequest
from aoai_lab.request import Api, ChatParams, ChatRequest, Message
from aoai_lab.structured_output import STARTERS, OutputFormat
from tests.test_codegen_js import node_modules, run_node

ENV_BASE = {"LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}


def connection(emulator: EmulatorServer, deployment: str) -> Connection:
    return Connection(emulator.endpoint, DEMO_KEY, deployment, "2025-04-01-preview", "classic", "demo")


def request_for(marker: str, *, stream: bool, api: Api, output: OutputFormat | None = None) -> ChatRequest:
    messages = (Message("system", "You are a helpful AI assistant.\nAnswer briefly."), Message("user", f"hi {marker}"))
    params = ChatParams(max_completion_tokens=300, reasoning_effort="low")
    return ChatRequest(messages, params, stream=stream, api=api, output=output)


def send(conn: Connection, request: ChatRequest) -> bool:
    """The app's own chat client sends ``request`` (streaming when it streams)."""
    if not request.stream:
        return chat(conn, request).ok
    stream = stream_chat(conn, request)
    list(stream)
    return stream.result is not None and stream.result.ok


def records(emulator: EmulatorServer, marker: str) -> list[RecordedRequest]:
    return [r for r in emulator.recorded() if marker in json.dumps(r.body, ensure_ascii=False)]


def env(home: Path) -> dict[str, str]:
    import os

    return {**ENV_BASE, "PATH": os.environ["PATH"], "HOME": str(home), "AZURE_OPENAI_API_KEY": DEMO_KEY}


def assert_same(emulator: EmulatorServer, marker: str, request: ChatRequest, deployment: str) -> None:
    app, code = records(emulator, marker)
    assert code.body == app.body == request.wire_body(deployment)
    assert (code.path, code.query, code.auth) == (app.path, app.query, app.auth)


@pytest.mark.parametrize("stream", [False, True])
def test_python_responses_code_sends_the_chats_request(emulator: EmulatorServer, tmp_path: Path, stream: bool) -> None:
    marker = uuid.uuid4().hex
    conn = connection(emulator, "gpt-5.1")
    request = request_for(marker, stream=stream, api="responses")
    assert send(conn, request)
    target = python_target(conn, request)
    assert target == "python-v1"
    snippet = generate(target, conn, request, lang="en")
    assert "client.responses.create(" in snippet.code and "instructions=" in snippet.code
    (tmp_path / "main.py").write_text(snippet.code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "main.py"], cwd=tmp_path, env=env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "[Offline demo · gpt-5.1]" in result.stdout
    assert_same(emulator, marker, request, "gpt-5.1")
    assert records(emulator, marker)[-1].path == "/openai/v1/responses"


def test_curl_responses_code_sends_the_chats_request(emulator: EmulatorServer, tmp_path: Path) -> None:
    marker = uuid.uuid4().hex
    conn = connection(emulator, "gpt-5.1")
    request = request_for(marker, stream=False, api="responses")
    assert send(conn, request)
    code = generate("curl", conn, request, lang="en").code
    assert "/openai/v1/responses" in code
    result = subprocess.run(["bash", "-c", code], env=env(tmp_path), capture_output=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    assert_same(emulator, marker, request, "gpt-5.1")


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_javascript_carries_the_api_and_the_schema(emulator: EmulatorServer, tmp_path: Path, api: Api) -> None:
    modules = node_modules()
    marker = uuid.uuid4().hex
    conn = connection(emulator, "gpt-4o-mini")
    output = OutputFormat("json_schema", STARTERS["person"])
    request = ChatRequest(
        (Message("user", f"hi {marker}"),), ChatParams(max_tokens=200), stream=True, api=api, output=output
    )
    assert send(conn, request)
    code = generate("javascript", conn, request, lang="en").code
    result = run_node(tmp_path / "run", code, env(tmp_path), None, modules)
    assert result.returncode == 0, result.stderr
    assert '"name"' in result.stdout and '"age"' in result.stdout  # the schema's instance, streamed
    assert_same(emulator, marker, request, "gpt-4o-mini")


def test_http_snippet_names_the_responses_url(emulator: EmulatorServer) -> None:
    conn = connection(emulator, "gpt-5.1")
    code = generate("http", conn, request_for("x", stream=False, api="responses"), lang="en").code
    assert code.startswith(f"POST {conn.root}/openai/v1/responses HTTP/1.1")
    assert "api-version" not in code.splitlines()[0]
