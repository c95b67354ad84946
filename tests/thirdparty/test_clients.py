"""Third-party Azure OpenAI clients against the emulator: langchain-openai's AzureChatOpenAI and
litellm, each for a call, a stream, a wrong key and a 429 (issue 10).

They pin their own openai versions, so they live in a separate venv made by
``.ci/setup.d/20-thirdparty.sh`` (default ``/opt/aoai-lab-venvs/thirdparty``, or
``AOAI_LAB_THIRDPARTY_VENV``) and run here as subprocesses.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from tests.tools import missing_tool

DRIVER = Path(__file__).with_name("drive.py")
VENV = Path(os.environ.get("AOAI_LAB_THIRDPARTY_VENV", "/opt/aoai-lab-venvs/thirdparty"))


def venv_python() -> str:
    python = VENV / "bin" / "python"
    if not python.exists():
        missing_tool("the third-party client venv", "bash .ci/setup.d/20-thirdparty.sh")
    return str(python)


def drive(client: str, scenario: str, endpoint: str) -> dict[str, Any]:
    done = subprocess.run(
        [venv_python(), str(DRIVER), client, scenario, endpoint, DEMO_KEY],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"},
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, (done.returncode, done.stdout[-2000:], done.stderr[-2000:])
    result: dict[str, Any] = json.loads(lines[-1])
    return result


CLIENTS = ["langchain", "litellm"]


@pytest.mark.parametrize("client", CLIENTS)
def test_call(emulator: EmulatorServer, client: str) -> None:
    result = drive(client, "call", emulator.endpoint)
    assert result["ok"], result
    assert result["text"].startswith("[Offline demo · gpt-4o-mini]")


@pytest.mark.parametrize("client", CLIENTS)
def test_stream(emulator: EmulatorServer, client: str) -> None:
    result = drive(client, "stream", emulator.endpoint)
    assert result["ok"], result
    assert result["text"].startswith("[Offline demo · gpt-4o-mini]")


@pytest.mark.parametrize("client", CLIENTS)
def test_wrong_key(emulator: EmulatorServer, client: str) -> None:
    result = drive(client, "wrong_key", emulator.endpoint)
    assert not result["ok"]
    assert result["status"] == 401, result
    assert "Access denied due to invalid subscription key" in result["message"]


@pytest.mark.parametrize("client", CLIENTS)
def test_rate_limited(emulator: EmulatorServer, client: str) -> None:
    result = drive(client, "429", emulator.endpoint)
    assert not result["ok"]
    assert result["status"] == 429, result
    assert "RateLimit" in result["error"]
