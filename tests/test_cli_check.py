"""``python -m aoai_lab check``: the right code, the right exit status, no key, one deadline.

The command runs in-process through ``cli.main()`` (what ``__main__`` calls), with the working
directory and environment isolated per test; one smoke test runs the real ``python -m aoai_lab``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aoai_lab import cli
from aoai_lab.connection import ENV_NAMES
from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from tests.hostile_inputs import hostile_cases
from tests.loopback import closed_port, silent_server, trickle_server

ROOT = Path(__file__).resolve().parents[1]
SECRET = "abcdef0123456789abcdef0123456789"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No .env and no AZURE_* variable from the developer's machine reaches a test."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = cli.main(["check", *args])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def check_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    status, output = run(capsys, *args, "--json")
    return status, json.loads(output), output


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
def test_codes_against_the_emulator(
    capsys: pytest.CaptureFixture[str], emulator: EmulatorServer, changes: dict[str, str], code: str
) -> None:
    status, report, output = check_json(capsys, *values(emulator.endpoint, **changes))
    assert report["diagnosis"]["code"] == code
    assert status == (0 if code == "ok" else 1)
    assert SECRET not in output and DEMO_KEY not in output


def test_json_lists_every_rung_and_the_texts(capsys: pytest.CaptureFixture[str], emulator: EmulatorServer) -> None:
    _, report, _ = check_json(capsys, *values(emulator.endpoint, deployment="gpt-4o"), "--lang", "en")
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
def test_codes_without_a_server(capsys: pytest.CaptureFixture[str], endpoint: str, code: str) -> None:
    status, report, _ = check_json(capsys, *values(endpoint))
    assert (status, report["diagnosis"]["code"]) == (1, code)


def test_refused_and_silent_servers_fail_fast(capsys: pytest.CaptureFixture[str]) -> None:
    status, report, _ = check_json(capsys, *values(f"http://127.0.0.1:{closed_port()}/"))
    assert (status, report["diagnosis"]["code"]) == (1, "connection_failed")
    with silent_server() as port:
        status, report, _ = check_json(capsys, *values(f"http://127.0.0.1:{port}/"), "--timeout", "1")
    assert (status, report["diagnosis"]["code"]) == (1, "timeout")


def test_timeout_bounds_the_whole_check_even_against_a_trickle(capsys: pytest.CaptureFixture[str]) -> None:
    # Each byte arrives long before a read timeout; only --timeout as one deadline stops the wait.
    with trickle_server(interval=0.25) as trickle:
        status, report, _ = check_json(capsys, *values(f"http://127.0.0.1:{trickle.port}/"), "--timeout", "1.5")
        assert trickle.answered == 0  # the CLI hung up before the (10 s) answer was through
    assert (status, report["diagnosis"]["code"]) == (1, "timeout")
    assert [r["state"] for r in report["rungs"]] == ["ok", "ok", "ok", "failed", "skipped"]


@pytest.mark.parametrize(("endpoint", "key", "code"), hostile_cases(DEMO_KEY, "EMULATOR"))
@pytest.mark.parametrize("as_json", [True, False])
def test_hostile_input_never_gives_a_traceback(
    capsys: pytest.CaptureFixture[str], emulator: EmulatorServer, endpoint: str, key: str, code: str, as_json: bool
) -> None:
    endpoint = emulator.endpoint if endpoint == "EMULATOR" else endpoint
    status, output = run(capsys, *values(endpoint, key=key), *(["--json"] if as_json else ["--lang", "en"]))
    assert status == 1
    if as_json:
        assert json.loads(output)["diagnosis"]["code"] == code
    else:
        assert f"[{code} ·" in output and "Traceback" not in output
    assert key not in output and "pa55word" not in output and len(output) < 20_000


def test_values_default_to_dotenv_and_environment(
    capsys: pytest.CaptureFixture[str], emulator: EmulatorServer, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated / ".env").write_text(
        f"AZURE_OPENAI_ENDPOINT={emulator.endpoint}\nAZURE_OPENAI_API_KEY={SECRET}\n"
        "AZURE_OPENAI_DEPLOYMENT=gpt-4o-mini\nOPENAI_API_VERSION=2024-10-21\n",
        encoding="utf-8",
    )
    status, report, output = check_json(capsys)
    assert (status, report["diagnosis"]["code"]) == (1, "auth_invalid_key")
    assert SECRET not in output
    # An environment variable overrides .env; a flag overrides both.
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", DEMO_KEY)
    status, report, _ = check_json(capsys)
    assert status == 0 and report["model"] == "gpt-4o-mini-2024-07-18"
    status, report, _ = check_json(capsys, "--deployment", "nope")
    assert report["diagnosis"]["code"] == "deployment_not_found"


def test_v1_style(capsys: pytest.CaptureFixture[str], emulator: EmulatorServer) -> None:
    status, report, _ = check_json(capsys, *values(emulator.endpoint, version=""), "--style", "v1")
    assert status == 0 and report["connection"]["style"] == "v1"
    status, report, _ = check_json(capsys, *values(emulator.endpoint), "--style", "v1")
    assert report["diagnosis"]["code"] == "api_version_on_v1"


def test_human_output_in_english(capsys: pytest.CaptureFixture[str], emulator: EmulatorServer) -> None:
    status, output = run(capsys, *values(emulator.endpoint), "--lang", "en")
    assert status == 0 and "Connected" in output and "✔" in output


def test_smoke_as_a_real_process(emulator: EmulatorServer, isolated: Path) -> None:
    """``python -m aoai_lab check`` itself: Korean by default, exit status 1, the key never printed."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(isolated)}
    korean = subprocess.run(
        [sys.executable, "-m", "aoai_lab", "check", *values(emulator.endpoint, key=SECRET)],
        capture_output=True,
        text=True,
        timeout=60,  # a generous guard: a check that hangs fails here instead of stalling the suite
        cwd=isolated,
        env=env,
        check=False,
    )
    assert korean.returncode == 1
    assert "키가 맞지 않습니다 (401)" in korean.stdout and "✘" in korean.stdout
    assert SECRET not in korean.stdout + korean.stderr
