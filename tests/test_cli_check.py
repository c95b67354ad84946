"""``python -m aoai_lab check`` as a real subprocess: the right code, the right exit status, no key."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from tests.loopback import closed_port, silent_server

ROOT = Path(__file__).resolve().parents[1]
SECRET = "abcdef0123456789abcdef0123456789"


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(cwd or ROOT)}
    # A generous guard: a check that hangs fails here instead of stalling the suite.
    return subprocess.run(
        [sys.executable, "-m", "aoai_lab", "check", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd or ROOT / "tests",
        env=base | (env or {}),
        check=False,
    )


def check_json(*args: str, **options: Any) -> tuple[int, dict[str, Any], str]:
    result = run_cli(*args, "--json", **options)
    return result.returncode, json.loads(result.stdout), result.stdout + result.stderr


def values(
    endpoint: str, *, key: str = DEMO_KEY, deployment: str = "gpt-5.1", version: str = "2025-04-01-preview"
) -> list[str]:
    return ["--endpoint", endpoint, "--key", key, "--deployment", deployment, "--api-version", version]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({}, "ok"),
        ({"key": SECRET}, "auth_invalid_key"),
        ({"deployment": "gpt-35-turbo"}, "deployment_not_found"),
        ({"deployment": "text-embedding-3-small"}, "operation_not_supported"),
        ({"version": "2026-01-01-preview"}, "api_version_unknown"),
        ({"version": "2024-06-01"}, "api_version_too_old_for_model"),
        ({"version": "0613"}, "api_version_is_model_version"),
        ({"key": "sk-" + "x" * 30}, "key_openai_format"),
    ],
)
def test_codes_against_the_emulator(emulator: EmulatorServer, changes: dict[str, str], code: str) -> None:
    status, report, output = check_json(*values(emulator.endpoint, **changes))
    assert report["diagnosis"]["code"] == code
    assert status == (0 if code == "ok" else 1)
    assert SECRET not in output and DEMO_KEY not in output


def test_json_lists_every_rung_and_the_texts(emulator: EmulatorServer) -> None:
    _, report, _ = check_json(*values(emulator.endpoint, deployment="gpt-4o"), "--lang", "en")
    rungs = report["rungs"]
    assert [r["rung"] for r in rungs] == ["preflight", "dns", "tcp_tls", "key", "deployment"]
    diagnosis = report["diagnosis"]
    assert diagnosis["step"] == 2 and diagnosis["title"].startswith("No deployment named")
    assert diagnosis["evidence"]["status"] == "404" and diagnosis["evidence"]["request_id"]
    assert any("model name" in hint for hint in diagnosis["hints"])


@pytest.mark.parametrize(
    ("endpoint", "code"),
    [
        ("https://my-aoai-lab-typo.invalid/", "dns_failure"),
        ("portal.azure.com", "endpoint_is_portal"),
        ("https://my-aoai-lab.azure.openai.com/", "endpoint_host_typo"),
    ],
)
def test_codes_without_a_server(endpoint: str, code: str) -> None:
    status, report, _ = check_json(*values(endpoint))
    assert (status, report["diagnosis"]["code"]) == (1, code)


def test_refused_and_silent_servers_fail_fast() -> None:
    status, report, _ = check_json(*values(f"http://127.0.0.1:{closed_port()}/"))
    assert (status, report["diagnosis"]["code"]) == (1, "connection_failed")
    with silent_server() as port:
        status, report, _ = check_json(*values(f"http://127.0.0.1:{port}/"), "--timeout", "1")
    assert (status, report["diagnosis"]["code"]) == (1, "timeout")


def test_values_default_to_dotenv_and_environment(emulator: EmulatorServer, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"AZURE_OPENAI_ENDPOINT={emulator.endpoint}\nAZURE_OPENAI_API_KEY={SECRET}\n"
        "AZURE_OPENAI_DEPLOYMENT=gpt-4o-mini\nOPENAI_API_VERSION=2024-10-21\n",
        encoding="utf-8",
    )
    status, report, output = check_json(cwd=tmp_path)
    assert (status, report["diagnosis"]["code"]) == (1, "auth_invalid_key")
    assert SECRET not in output
    # An environment variable overrides .env; a flag overrides both.
    status, report, _ = check_json(cwd=tmp_path, env={"AZURE_OPENAI_API_KEY": DEMO_KEY})
    assert status == 0 and report["model"] == "gpt-4o-mini-2024-07-18"
    status, report, _ = check_json("--deployment", "nope", cwd=tmp_path, env={"AZURE_OPENAI_API_KEY": DEMO_KEY})
    assert report["diagnosis"]["code"] == "deployment_not_found"


def test_v1_style(emulator: EmulatorServer) -> None:
    status, report, _ = check_json(
        "--endpoint",
        emulator.endpoint,
        "--key",
        DEMO_KEY,
        "--deployment",
        "gpt-5.1",
        "--api-version",
        "",
        "--style",
        "v1",
    )
    assert status == 0 and report["connection"]["style"] == "v1"
    status, report, _ = check_json(*values(emulator.endpoint), "--style", "v1")
    assert report["diagnosis"]["code"] == "api_version_on_v1"


def test_human_output_in_both_languages(emulator: EmulatorServer) -> None:
    korean = run_cli(*values(emulator.endpoint, key=SECRET))
    assert korean.returncode == 1
    assert "키가 맞지 않습니다 (401)" in korean.stdout and "✘" in korean.stdout
    english = run_cli(*values(emulator.endpoint), "--lang", "en")
    assert english.returncode == 0 and "Connected" in english.stdout
    assert SECRET not in korean.stdout + korean.stderr
