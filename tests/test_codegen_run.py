"""The generated bash curl and Python really run, and send exactly the request the app sends.

Each case sends its request twice to the emulator: once with the app's own client
(``make_sdk_client(conn).chat.completions.create(**request.body(deployment))``) and once by running
the generated code in a subprocess. A unique marker in the last message finds both in the
emulator's record; path, query, body and auth scheme must be identical, and the body must be
``request.body(deployment)``. PowerShell and cmd.exe cannot run here: ``test_codegen_shells.py``
checks them with models of those shells.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import uuid
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

import pytest

from aoai_lab.client import make_sdk_client
from aoai_lab.codegen import Target, generate, project_zip
from aoai_lab.connection import ENV_ENDPOINT, ENV_KEY, ApiStyle, Connection, dotenv_text
from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from aoai_lab.emulator.app import RecordedRequest
from aoai_lab.i18n import t
from aoai_lab.request import ChatParams, ChatRequest, Message
from tests.shell_models import TRICKY_MESSAGES

# The code is generated with this endpoint where the running code must take the emulator's from
# the environment or .env instead: if the override were ignored, the request would go nowhere.
UNREACHABLE_ENDPOINT = "https://my-aoai-lab.openai.azure.com/"

EndpointSource = Literal["default", "env", "dotenv"]


@dataclass(frozen=True)
class Case:
    """One request and how the generated code gets its endpoint and key."""

    message: str  # key of TRICKY_MESSAGES
    style: ApiStyle
    stream: bool
    slash: bool  # the endpoint ends with "/"
    endpoint_from: EndpointSource
    deployment: str = "gpt-5.1"
    system: bool = False
    v1_version: bool = False  # a v1 connection that sets api-version=preview
    reveal: bool = False  # key written into the code instead of read from the environment

    @property
    def id(self) -> str:
        parts = [
            self.message,
            self.style,
            "stream" if self.stream else "once",
            "slash" if self.slash else "noslash",
            self.endpoint_from,
            self.deployment,
        ]
        parts += [
            flag for flag, on in (("system", self.system), ("preview", self.v1_version), ("reveal", self.reveal)) if on
        ]
        return "-".join(parts)


def _rotating_cases(endpoint_sources: tuple[EndpointSource, ...]) -> list[Case]:
    """Every corpus message with four (style, stream, slash) combinations that cover each value
    of each dimension, the other options rotating so every combination of them appears somewhere."""
    combos: tuple[tuple[ApiStyle, bool, bool], ...] = (
        ("classic", False, True),
        ("classic", True, False),
        ("v1", False, False),
        ("v1", True, True),
    )
    cases: list[Case] = []
    for message in TRICKY_MESSAGES:
        for style, stream, slash in combos:
            n = len(cases)
            cases.append(
                Case(
                    message,
                    style,
                    stream,
                    slash,
                    endpoint_from=endpoint_sources[n % len(endpoint_sources)],
                    deployment="gpt-4o-mini" if n % 3 == 1 else "gpt-5.1",
                    system=n % 2 == 0,
                    v1_version=style == "v1" and n % 5 < 2,
                    reveal=n % 7 == 3,
                )
            )
    return cases


def _full_cross(message: str, endpoint_sources: tuple[EndpointSource, ...]) -> list[Case]:
    """Every style x stream x slash for one message, the endpoint source alternating."""
    combos: list[tuple[ApiStyle, bool, bool]] = [
        (style, stream, slash) for style in ("classic", "v1") for stream in (False, True) for slash in (True, False)
    ]
    return [
        Case(message, style, stream, slash, endpoint_sources[n % len(endpoint_sources)], system=True, v1_version=n == 5)
        for n, (style, stream, slash) in enumerate(combos)
    ]


def _python_rotation() -> list[Case]:
    """Each corpus message once. A Python run costs about a CPU-second (importing openai), so the
    options rotate instead of crossing; together with the full cross below every value of every
    option runs, streaming and not, in both styles."""
    sources: tuple[EndpointSource, ...] = ("default", "env", "dotenv")
    cases: list[Case] = []
    for n, message in enumerate(TRICKY_MESSAGES):
        style: ApiStyle = "classic" if n % 2 == 0 else "v1"
        cases.append(
            Case(
                message,
                style,
                stream=n % 4 in (1, 2),
                slash=n % 3 != 0,
                endpoint_from=sources[n % 3],
                deployment="gpt-4o-mini" if n % 3 == 1 else "gpt-5.1",
                system=n % 2 == 1 or message == "big_10k",
                v1_version=style == "v1" and n % 4 == 1,
                reveal=n == 4,
            )
        )
    return cases


BASH_CASES = _rotating_cases(("default", "env")) + _full_cross("cmd_specials", ("default", "env"))
PYTHON_CASES = _python_rotation() + _full_cross("dollar_backtick", ("env", "dotenv"))


def make_request(case: Case, marker: str) -> ChatRequest:
    """The case's request; ``marker`` makes it findable in the emulator's record."""
    text = TRICKY_MESSAGES[case.message]
    if case.deployment == "gpt-5.1":  # a reasoning deployment: its own parameter names
        params = ChatParams(max_completion_tokens=64, reasoning_effort="low")
    else:
        params = ChatParams(max_tokens=64, temperature=0.3)
    messages: tuple[Message, ...] = ()
    if case.system:
        messages = (
            Message("system", f"시스템 프롬프트 (system prompt): {text}"),
            Message("user", "첫 질문"),
            Message("assistant", f"이전 답변: {text[:200]}"),
        )
    messages += (Message("user", f"[{marker}]\n{text}"),)
    return ChatRequest(messages, params, stream=case.stream, include_usage=case.stream)


def app_connection(emulator: EmulatorServer, case: Case) -> Connection:
    """The connection the app itself uses for this case."""
    endpoint = emulator.endpoint if case.slash else emulator.endpoint.rstrip("/")
    version = "2025-04-01-preview" if case.style == "classic" else "preview" if case.v1_version else ""
    return Connection(endpoint, DEMO_KEY, case.deployment, version, case.style, source="manual")


def send_with_app_client(connection: Connection, request: ChatRequest) -> None:
    """The request as the app sends it."""
    result: Any = make_sdk_client(connection).chat.completions.create(**request.body(connection.deployment))
    if request.stream:
        for _ in result:
            pass


def base_env(home: Path) -> dict[str, str]:
    """A clean environment: nothing from the test runner's AZURE_*/OPENAI_* or proxy settings."""
    return {"PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}


def runtime_env(app: Connection, case: Case, home: Path) -> dict[str, str]:
    env = base_env(home)
    if case.endpoint_from == "env":
        env[ENV_ENDPOINT] = app.endpoint
        env["AZURE_OPENAI_DEPLOYMENT"] = app.deployment
        if app.api_version:
            env["OPENAI_API_VERSION"] = app.api_version
    if not case.reveal and case.endpoint_from != "dotenv":
        env[ENV_KEY] = DEMO_KEY
    return env


def code_connection(app: Connection, case: Case, *, python: bool) -> Connection:
    """The connection the code is generated from. Where the running code must read a value from
    the environment or .env, the generated default is deliberately wrong."""
    if case.endpoint_from == "default":
        return app
    if not python:  # shells read only the endpoint (and key) from the environment
        return app.with_values(endpoint=UNREACHABLE_ENDPOINT)
    version = "2024-10-21" if app.style == "classic" else "v1" if app.api_version else ""
    return app.with_values(endpoint=UNREACHABLE_ENDPOINT, deployment="not-this-deployment", api_version=version)


def records_for(emulator: EmulatorServer, marker: str) -> list[RecordedRequest]:
    return [r for r in emulator.recorded() if marker in json.dumps(r.body, ensure_ascii=False)]


def assert_same_request(emulator: EmulatorServer, marker: str, app: Connection, request: ChatRequest) -> None:
    """The app's request and the generated code's request reached the emulator identically."""
    records = records_for(emulator, marker)
    assert len(records) == 2, [(r.path, r.query) for r in records]
    sent_by_app, sent_by_code = records
    assert sent_by_code.body == request.body(app.deployment)
    assert sent_by_code.body == sent_by_app.body
    expected = urlsplit(app.chat_url)
    assert sent_by_code.method == sent_by_app.method == "POST"
    assert sent_by_code.path == sent_by_app.path == expected.path
    assert sent_by_code.query == sent_by_app.query == dict(parse_qsl(expected.query))
    assert sent_by_code.auth == sent_by_app.auth == ("bearer" if app.style == "v1" else "api-key")


# ---------------------------------------------------------------------------------------------
# bash


def run_bash(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["bash", "-c", code], env=env, capture_output=True, timeout=30, check=False)


@pytest.mark.parametrize("case", BASH_CASES, ids=lambda case: case.id)
def test_bash_curl_sends_the_apps_request(emulator: EmulatorServer, tmp_path: Path, case: Case) -> None:
    marker = uuid.uuid4().hex
    app = app_connection(emulator, case)
    request = make_request(case, marker)
    send_with_app_client(app, request)
    snippet = generate("curl", code_connection(app, case, python=False), request, reveal_key=case.reveal)
    result = run_bash(snippet.code, runtime_env(app, case, tmp_path))
    assert result.returncode == 0, result.stderr.decode()
    assert (b"data: " in result.stdout) == case.stream
    assert b'"choices"' in result.stdout
    assert_same_request(emulator, marker, app, request)


def test_bash_refuses_to_send_without_a_key(emulator: EmulatorServer, tmp_path: Path) -> None:
    """${AZURE_OPENAI_API_KEY:?} stops curl before it sends a keyless request."""
    marker = uuid.uuid4().hex
    case = Case("quotes", "classic", False, True, "default")
    app = app_connection(emulator, case)
    snippet = generate("curl", app, make_request(case, marker))
    result = run_bash(snippet.code, base_env(tmp_path))
    assert result.returncode != 0
    assert b"AZURE_OPENAI_API_KEY" in result.stderr
    assert records_for(emulator, marker) == []


# ---------------------------------------------------------------------------------------------
# Python (both variants); the subprocesses run in parallel once per module


@dataclass(frozen=True)
class GeneratedRun:
    """One case: sent once by the app's client (``marker`` in its message), then run as generated code."""

    marker: str
    app: Connection
    request: ChatRequest
    result: subprocess.CompletedProcess[str]


# Runs a generated program: (workdir, code, environment, .env text or None) → the finished process.
Runner = Callable[[Path, str, dict[str, str], str | None], subprocess.CompletedProcess[str]]


def run_generated(
    emulator: EmulatorServer,
    root: Path,
    cases: Sequence[Case],
    target_of: Callable[[Case], Target],
    runner: Runner,
    *,
    workers: int,
) -> dict[str, GeneratedRun]:
    """Every case sent by the app's client, then its generated program run (in parallel)."""
    jobs: list[tuple[Case, str, Connection, ChatRequest, Callable[[], subprocess.CompletedProcess[str]]]] = []
    for case in cases:
        marker = uuid.uuid4().hex
        app = app_connection(emulator, case)
        request = make_request(case, marker)
        send_with_app_client(app, request)
        code = generate(target_of(case), code_connection(app, case, python=True), request, reveal_key=case.reveal).code
        dotenv = dotenv_text(app, include_key=not case.reveal) if case.endpoint_from == "dotenv" else None
        env = runtime_env(app, case, root)
        workdir = root / case.id

        def job(workdir: Path = workdir, code: str = code, env: dict[str, str] = env, dotenv: str | None = dotenv):
            return runner(workdir, code, env, dotenv)

        jobs.append((case, marker, app, request, job))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [(case, marker, app, request, pool.submit(job)) for case, marker, app, request, job in jobs]
        return {
            case.id: GeneratedRun(marker, app, request, future.result())
            for case, marker, app, request, future in futures
        }


def assert_generated_run(emulator: EmulatorServer, run: GeneratedRun, case: Case) -> None:
    """The program ran, printed the reply (and the usage when streaming), and sent the app's request."""
    assert run.result.returncode == 0, run.result.stderr
    assert run.result.stdout.strip()
    if case.stream:  # the loop survived Azure's empty-choices chunk and printed the usage
        assert t("code.output.usage", "ko") in run.result.stdout
    assert_same_request(emulator, run.marker, run.app, run.request)


def run_python(workdir: Path, code: str, env: dict[str, str], dotenv: str | None) -> subprocess.CompletedProcess[str]:
    workdir.mkdir(parents=True)
    (workdir / "main.py").write_text(code, encoding="utf-8")
    if dotenv is not None:
        (workdir / ".env").write_text(dotenv, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "main.py"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def python_runs(emulator: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, GeneratedRun]:
    """Every Python case: sent once by the app's client, then run as generated code."""
    root = tmp_path_factory.mktemp("python-runs")
    return run_generated(
        emulator,
        root,
        PYTHON_CASES,
        lambda case: "python-v1" if case.style == "v1" else "python",
        run_python,
        workers=8,
    )


@pytest.mark.parametrize("case", PYTHON_CASES, ids=lambda case: case.id)
def test_python_sends_the_apps_request(
    emulator: EmulatorServer, python_runs: dict[str, GeneratedRun], case: Case
) -> None:
    assert_generated_run(emulator, python_runs[case.id], case)


# ---------------------------------------------------------------------------------------------
# Headers: the emulator records only the auth scheme, so a capturing server compares them whole


@pytest.fixture
def capture() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A server that records each request's headers and answers with a minimal chat completion."""
    captured: list[dict[str, str]] = []
    reply = json.dumps(
        {
            "id": "chatcmpl-capture",
            "object": "chat.completion",
            "created": 0,
            "model": "gpt-5.1-2025-11-13",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}],
        }
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            captured.append({name.lower(): value for name, value in self.headers.items()})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", captured
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("style", ["classic", "v1"])
def test_generated_headers_match_the_apps(
    capture: tuple[str, list[dict[str, str]]], tmp_path: Path, style: ApiStyle
) -> None:
    endpoint, captured = capture
    app = Connection(endpoint, DEMO_KEY, "gpt-5.1", "2025-04-01-preview" if style == "classic" else "", style)
    request = ChatRequest.simple('짧은 질문 "q" $x')
    send_with_app_client(app, request)
    env = base_env(tmp_path) | {ENV_KEY: DEMO_KEY}
    assert run_bash(generate("curl", app, request).code, env).returncode == 0
    target: Target = "python-v1" if style == "v1" else "python"
    assert run_python(tmp_path / "py", generate(target, app, request).code, env, None).returncode == 0

    def auth_view(headers: dict[str, str]) -> dict[str, str | None]:
        return {name: headers.get(name) for name in ("content-type", "api-key", "authorization")}

    app_headers, bash_headers, python_headers = (auth_view(h) for h in captured)
    expected_auth = (
        {"authorization": f"Bearer {DEMO_KEY}", "api-key": None}
        if style == "v1"
        else {"api-key": DEMO_KEY, "authorization": None}
    )
    assert app_headers == {"content-type": "application/json", **expected_auth}
    assert bash_headers == app_headers
    assert python_headers == app_headers


# ---------------------------------------------------------------------------------------------
# The downloadable project


@pytest.mark.parametrize("style", ["classic", "v1"])
def test_zip_main_runs_against_the_emulator(emulator: EmulatorServer, tmp_path: Path, style: ApiStyle) -> None:
    """Unzip, copy .env.example to .env, paste the key, run main.py: the app's request arrives."""
    marker = uuid.uuid4().hex
    case = Case("korean", style, style == "v1", True, "dotenv", system=True)
    app = app_connection(emulator, case)
    request = make_request(case, marker)
    send_with_app_client(app, request)
    with zipfile.ZipFile(io.BytesIO(project_zip(app, request))) as archive:
        archive.extractall(tmp_path / "project")
    project = tmp_path / "project"
    example = (project / ".env.example").read_text(encoding="utf-8")
    assert f"{ENV_KEY}=\n" in example  # the learner pastes the key
    (project / ".env").write_text(example.replace(f"{ENV_KEY}=\n", f"{ENV_KEY}={DEMO_KEY}\n"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "main.py"],
        cwd=project,
        env=base_env(tmp_path),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert_same_request(emulator, marker, app, request)


@pytest.mark.parametrize("style", ["classic", "v1"])
def test_python_without_a_key_says_what_to_do(emulator: EmulatorServer, tmp_path: Path, style: ApiStyle) -> None:
    """No key anywhere: one sentence naming AZURE_OPENAI_API_KEY, no KeyError traceback, nothing sent
    (issue 9: not the SDK's message about OPENAI_API_KEY either)."""
    marker = uuid.uuid4().hex
    case = Case("quotes", style, False, True, "default")
    app = app_connection(emulator, case)
    code = generate(python_target_for(style), app, make_request(case, marker), lang="en").code
    result = run_python(tmp_path / "run", code, base_env(tmp_path), None)
    assert result.returncode == 1
    assert result.stderr.strip() == t("code.output.missing_key_dotenv", "en", name=ENV_KEY)
    assert "Traceback" not in result.stderr and "api_key client option" not in result.stderr
    assert records_for(emulator, marker) == []


def python_target_for(style: ApiStyle) -> Target:
    return "python-v1" if style == "v1" else "python"
