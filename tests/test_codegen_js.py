"""The generated JavaScript really runs under Node.js with the official ``openai`` npm package,
and sends exactly the request the app sends.

Same method as ``test_codegen_run.py``: each case is sent once by the app's own client and once by
running the generated ``main.mjs`` with ``node`` (``tests/js`` holds the npm packages, installed by
``.ci/setup.d/10-node.sh``); the emulator's record of both must match, path, query, body and auth
scheme. The corpus is the same tricky-message corpus as the Python and curl snippets.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest

from aoai_lab.codegen import generate
from aoai_lab.codegen.javascript import NODE_ENGINES, NPM_PACKAGES, npm_install_line, package_json
from aoai_lab.connection import ENV_KEY, ApiStyle, Connection, dotenv_text
from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from aoai_lab.i18n import t
from aoai_lab.request import ChatRequest
from tests.test_codegen_run import (
    PYTHON_CASES,
    Case,
    GeneratedRun,
    app_connection,
    assert_generated_run,
    assert_same_request,
    base_env,
    capture,
    code_connection,
    make_request,
    records_for,
    run_generated,
    send_with_app_client,
)
from tests.tools import ROOT, missing_tool, require_program

JS_DIR = ROOT / "tests" / "js"
__all__ = ["capture"]  # the capturing server fixture, shared with test_codegen_run.py
# The Python corpus rotation: every message once plus the full style x stream x slash cross, with
# the endpoint from the code, the environment and .env, and the key revealed in one case.
JS_CASES = PYTHON_CASES


def node_modules() -> Path:
    """tests/js/node_modules with the pinned packages, or fail/skip saying how to install them."""
    require_program("node", "apt-get install nodejs npm")
    modules = JS_DIR / "node_modules"
    if not (modules / "openai" / "package.json").is_file():
        missing_tool("tests/js/node_modules", "cd tests/js && npm ci")
    return modules


def run_node(
    workdir: Path, code: str, env: dict[str, str], dotenv: str | None, modules: Path
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` as ``main.mjs`` in ``workdir`` (its node_modules a link to the pinned packages)."""
    workdir.mkdir(parents=True)
    (workdir / "node_modules").symlink_to(modules, target_is_directory=True)
    (workdir / "main.mjs").write_text(code, encoding="utf-8")
    if dotenv is not None:
        (workdir / ".env").write_text(dotenv, encoding="utf-8")
    return subprocess.run(
        ["node", "main.mjs"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def node_runs(emulator: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, GeneratedRun]:
    """Every case: sent once by the app's client, then run as generated JavaScript (in parallel)."""
    modules = node_modules()
    root = tmp_path_factory.mktemp("node-runs")

    def runner(workdir: Path, code: str, env: dict[str, str], dotenv: str | None) -> subprocess.CompletedProcess[str]:
        return run_node(workdir, code, env, dotenv, modules)

    return run_generated(emulator, root, JS_CASES, lambda _case: "javascript", runner, workers=4)


@pytest.mark.parametrize("case", JS_CASES, ids=lambda case: case.id)
def test_javascript_sends_the_apps_request(
    emulator: EmulatorServer, node_runs: dict[str, GeneratedRun], case: Case
) -> None:
    assert_generated_run(emulator, node_runs[case.id], case)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_javascript_without_a_key_says_what_to_do(emulator: EmulatorServer, tmp_path: Path, lang: str) -> None:
    """No key: one sentence naming AZURE_OPENAI_API_KEY, exit 1, nothing sent; not the SDK's error."""
    modules = node_modules()
    marker = uuid.uuid4().hex
    case = Case("quotes", "classic", False, True, "default")
    app = app_connection(emulator, case)
    code = generate("javascript", app, make_request(case, marker), lang="ko" if lang == "ko" else "en").code
    result = run_node(tmp_path / "run", code, base_env(tmp_path), None, modules)
    assert result.returncode == 1
    assert result.stderr.strip() == t("code.output.missing_key_dotenv", "ko" if lang == "ko" else "en", name=ENV_KEY)
    assert "OpenAIError" not in result.stderr
    assert records_for(emulator, marker) == []


def test_dotenv_does_not_override_the_environment(emulator: EmulatorServer, tmp_path: Path) -> None:
    """A variable already set wins over .env (as python-dotenv's load_dotenv does)."""
    modules = node_modules()
    marker = uuid.uuid4().hex
    case = Case("korean", "v1", False, False, "env")
    app = app_connection(emulator, case)
    request = make_request(case, marker)
    send_with_app_client(app, request)
    code = generate("javascript", code_connection(app, case, python=True), request).code
    wrong = app.with_values(endpoint="http://127.0.0.1:9/", deployment="not-this-deployment")
    env = base_env(tmp_path) | {"AZURE_OPENAI_ENDPOINT": app.endpoint, "AZURE_OPENAI_DEPLOYMENT": app.deployment}
    env[ENV_KEY] = DEMO_KEY
    result = run_node(tmp_path / "run", code, env, dotenv_text(wrong, include_key=False), modules)
    assert result.returncode == 0, result.stderr
    assert_same_request(emulator, marker, app, request)


def test_the_pinned_npm_packages_are_the_ones_tested() -> None:
    """The versions the zip's package.json asks for are the ones tests/js installs and runs."""
    tested = json.loads((JS_DIR / "package.json").read_text(encoding="utf-8"))
    assert tested["dependencies"] == NPM_PACKAGES
    lock = json.loads((JS_DIR / "package-lock.json").read_text(encoding="utf-8"))
    for name, version in NPM_PACKAGES.items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    assert npm_install_line() == f"npm install openai@{NPM_PACKAGES['openai']}"
    assert npm_install_line(keyless=True).endswith(f"@azure/identity@{NPM_PACKAGES['@azure/identity']}")
    shipped = json.loads(package_json(keyless=True))
    assert shipped["dependencies"] == NPM_PACKAGES
    assert shipped["engines"] == {"node": NODE_ENGINES}
    assert shipped["type"] == "module"


@pytest.mark.parametrize("style", ["classic", "v1"])
def test_javascript_headers_match_the_apps(
    capture: tuple[str, list[dict[str, str]]], tmp_path: Path, style: ApiStyle
) -> None:
    """The auth and content-type headers, compared whole on a capturing server (the emulator
    records only the auth scheme)."""
    modules = node_modules()
    endpoint, captured = capture
    app = Connection(endpoint, DEMO_KEY, "gpt-5.1", "2025-04-01-preview" if style == "classic" else "", style)
    request = ChatRequest.simple('짧은 질문 "q" $x')
    send_with_app_client(app, request)
    env = base_env(tmp_path) | {ENV_KEY: DEMO_KEY}
    result = run_node(tmp_path / "js", generate("javascript", app, request).code, env, None, modules)
    assert result.returncode == 0, result.stderr

    def auth_view(headers: dict[str, str]) -> dict[str, str | None]:
        return {name: headers.get(name) for name in ("content-type", "api-key", "authorization")}

    app_headers, js_headers = (auth_view(h) for h in captured)
    assert app_headers["api-key" if style == "classic" else "authorization"] is not None
    assert js_headers == app_headers
