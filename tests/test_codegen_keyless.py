"""The keyless (Microsoft Entra ID) code runs unchanged and sends a bearer token, not a key.

No Entra ID can run here, so one thing is stood in for: the ``az`` program. Python's and
JavaScript's ``DefaultAzureCredential`` reach ``AzureCliCredential``, which runs
``az account get-access-token --output json --resource https://cognitiveservices.azure.com``
and reads ``accessToken`` and ``expires_on`` (azure-identity ``_credentials/azure_cli.py``;
@azure/identity ``azureCliCredential.js``); the curl code runs ``az … --query accessToken
--output tsv``. The fake ``az`` put first on PATH answers exactly those calls with the emulator's
demo token (:func:`aoai_lab.emulator.entra.demo_token`: a JWT for the Azure OpenAI audience, its
signature not checked) and fails on any other call, so a wrong scope or resource fails the test.
``AZURE_TOKEN_CREDENTIALS=AzureCliCredential`` (read by both libraries) keeps the chain from
probing the managed-identity endpoint, which is not on loopback; everything else is real.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from aoai_lab.codegen import generate, unavailable
from aoai_lab.codegen.model import ENTRA_RESOURCE, ENTRA_SCOPE
from aoai_lab.codegen.python import AZURE_IDENTITY_VERSION, requirements
from aoai_lab.connection import ENV_KEY, ApiStyle, Connection
from aoai_lab.emulator import EmulatorServer
from aoai_lab.emulator.entra import demo_token
from aoai_lab.request import ChatRequest
from tests.test_codegen_js import node_modules, run_node
from tests.test_codegen_run import (
    Case,
    app_connection,
    base_env,
    make_request,
    records_for,
    run_bash,
    run_python,
    send_with_app_client,
)

FAKE_AZ = """#!{python}
# A stand-in for the Azure CLI (no Entra ID can run offline): answers only the token calls the
# keyless code makes, with the emulator's demo token.
import json, sys
args = sys.argv[1:]
def value(flag):
    return args[args.index(flag) + 1] if flag in args else None
if args[:2] != ["account", "get-access-token"] or value("--resource") != {resource!r}:
    sys.exit("fake az: unexpected call: " + " ".join(args))
token = {token!r}
if value("--query") == "accessToken" and value("--output") == "tsv":
    print(token)
elif value("--output") == "json" and value("--query") is None:
    print(json.dumps({{"accessToken": token, "expiresOn": {expires_on!r}, "expires_on": {expires!r},
                      "subscription": "00000000-0000-0000-0000-000000000000",
                      "tenant": "00000000-0000-0000-0000-000000000000", "tokenType": "Bearer"}}))
else:
    sys.exit("fake az: unexpected output form: " + " ".join(args))
"""


def keyless_env(home: Path) -> dict[str, str]:
    """A clean environment with the fake az first on PATH and no key anywhere."""
    bin_dir = home / "fake-bin"
    bin_dir.mkdir(exist_ok=True)
    expires = int(time.time()) + 3600
    script = FAKE_AZ.format(
        python=sys.executable,
        resource=ENTRA_RESOURCE,
        token=demo_token(),
        expires=expires,
        expires_on=time.strftime("%Y-%m-%d %H:%M:%S.000000", time.localtime(expires)),
    )
    az = bin_dir / "az"
    az.write_text(script, encoding="utf-8")
    az.chmod(0o755)
    env = base_env(home)
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    env["AZURE_TOKEN_CREDENTIALS"] = "AzureCliCredential"
    env["AZURE_CONFIG_DIR"] = str(home / "azure-config")
    return env


def assert_keyless_request(emulator: EmulatorServer, marker: str, app: Connection, request: ChatRequest) -> None:
    """The code's request equals the app's, but authenticated with a bearer token."""
    records = records_for(emulator, marker)
    assert len(records) == 2, [(r.path, r.auth) for r in records]
    sent_by_app, sent_by_code = records
    assert sent_by_code.body == sent_by_app.body == request.body(app.deployment)
    assert (sent_by_code.path, sent_by_code.query) == (sent_by_app.path, sent_by_app.query)
    assert sent_by_code.auth == "bearer"


CASES = [
    Case("korean", "classic", False, True, "default", system=True),
    Case("dollar_backtick", "classic", True, False, "default"),
    Case("quotes", "v1", False, False, "default"),
    Case("emoji", "v1", True, True, "default", v1_version=True),
]


@pytest.mark.parametrize("language", ["python", "javascript", "curl"])
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_keyless_code_sends_a_bearer_token(emulator: EmulatorServer, tmp_path: Path, case: Case, language: str) -> None:
    marker = uuid.uuid4().hex
    app = app_connection(emulator, case)
    request = make_request(case, marker)
    send_with_app_client(app, request)
    target = ("python-v1" if case.style == "v1" else "python") if language == "python" else language
    code = generate(target, app, request, keyless=True).code
    assert ENV_KEY not in code
    env = keyless_env(tmp_path)
    if language == "python":
        result: subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes] = run_python(
            tmp_path / "run", code, env, None
        )
    elif language == "javascript":
        result = run_node(tmp_path / "run", code, env, None, node_modules())
    else:
        result = run_bash(code, env)
    assert result.returncode == 0, result.stderr
    assert_keyless_request(emulator, marker, app, request)


def test_keyless_curl_stops_when_az_has_no_token(emulator: EmulatorServer, tmp_path: Path) -> None:
    """Not signed in (az fails): curl is not run with an empty bearer token."""
    marker = uuid.uuid4().hex
    case = Case("quotes", "classic", False, True, "default")
    app = app_connection(emulator, case)
    env = keyless_env(tmp_path)
    (tmp_path / "fake-bin" / "az").write_text("#!/bin/sh\necho 'Please run az login' >&2\nexit 1\n")
    result = run_bash(generate("curl", app, make_request(case, marker), keyless=True).code, env)
    assert result.returncode != 0
    assert records_for(emulator, marker) == []


@pytest.mark.parametrize("style", ["classic", "v1"])
def test_keyless_is_offered_where_a_token_fits(style: ApiStyle) -> None:
    connection = Connection("https://my-aoai-lab.openai.azure.com/", "", "gpt-5.1", "2024-10-21", style)
    if style == "v1":
        connection = connection.with_values(api_version="")
    reasons = unavailable(connection, ChatRequest.simple("hi"), keyless=True)
    python = "python-v1" if style == "v1" else "python"
    assert python not in reasons and "javascript" not in reasons and "curl" not in reasons
    for target in ("curl-powershell", "curl-cmd", "powershell", "http"):
        assert reasons[target] == "code.unavailable.no_keyless"


def test_keyless_code_names_the_scope_and_the_role() -> None:
    connection = Connection("https://my-aoai-lab.openai.azure.com/", "", "gpt-5.1", "2024-10-21")
    request = ChatRequest.simple("hi")
    python = generate("python", connection, request, keyless=True)
    assert f'"{ENTRA_SCOPE}"' in python.code
    assert "get_bearer_token_provider(" in python.code and "azure_ad_token_provider=token_provider" in python.code
    javascript = generate("javascript", connection, request, keyless=True)
    assert "getBearerTokenProvider(credential" in javascript.code
    assert "azureADTokenProvider: tokenProvider" in javascript.code
    assert (
        f"az account get-access-token --resource {ENTRA_RESOURCE}"
        in generate("curl", connection, request, keyless=True).code
    )
    for snippet in (python, javascript):
        assert "code.note.keyless_role" in snippet.notes


def test_the_pinned_azure_identity_is_the_one_tested() -> None:
    """The keyless requirements pin the azure-identity these tests ran the code with."""
    assert importlib.metadata.version("azure-identity") == AZURE_IDENTITY_VERSION
    assert f"azure-identity=={AZURE_IDENTITY_VERSION}" in requirements(keyless=True)
    assert not any(pin.startswith("azure-identity") for pin in requirements())
