"""The standalone emulator: ``python -m aoai_lab emulator`` as a real process, driven with curl."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from aoai_lab.emulator import DEMO_KEY, DEMO_KEY_2
from tests.emulator_http import INVALID_KEY, classic_url, curl, key_header, user

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_listening(process: subprocess.Popen[str], port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"the emulator did not listen on port {port} within {timeout} s")


@contextmanager
def cli_emulator(*extra: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``python -m aoai_lab emulator`` on a free port; stopped with Ctrl+C (SIGINT) at the end."""
    port = free_port()
    command = [sys.executable, "-m", "aoai_lab", "emulator", "--port", str(port), "--tokens-per-second", "0", *extra]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_listening(process, port)
        yield f"http://127.0.0.1:{port}/", process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_cli_emulator_serves_and_stops_cleanly() -> None:
    with cli_emulator() as (endpoint, process):
        raw = curl(classic_url(endpoint, "gpt-5.1"), headers=key_header(), body=user("Hello!"))
        assert raw.status == 200
        assert raw.json()["choices"][0]["message"]["content"].startswith("[Offline demo · gpt-5.1]")
        assert curl(classic_url(endpoint, "gpt-5.1"), headers=key_header(DEMO_KEY_2), body=user("hi")).status == 200
        not_found = curl(classic_url(endpoint, "gpt-5.1", "2026-01-01-preview"), headers=key_header(), body=user("hi"))
        assert not_found.status == 404
        wrong = curl(classic_url(endpoint, "gpt-5.1"), headers=key_header("nope"), body=user("hi"))
        assert (wrong.status, wrong.reason) == (401, "PermissionDenied")  # reason phrases survive in the CLI too
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr  # Ctrl+C is the documented way to stop it
    assert "Finished server process" in stderr
    assert f"AOAI Lab emulator: {endpoint}" in stdout
    assert "gpt-5.1 (gpt-5.1-2025-11-13)" in stdout
    assert "Traceback" not in stderr


def test_cli_key_option_makes_only_that_key_valid() -> None:
    with cli_emulator("--key", "MYKEY") as (endpoint, process):
        url = classic_url(endpoint, "gpt-4o-mini")
        assert curl(url, headers=key_header("MYKEY"), body=user("hi")).status == 200
        for other in (DEMO_KEY, DEMO_KEY_2, "mykey"):
            refused = curl(url, headers=key_header(other), body=user("hi"))
            assert (refused.status, refused.body) == (401, INVALID_KEY)
        process.terminate()  # SIGTERM: uvicorn shuts down, then ends by the signal as usual
        stdout, stderr = process.communicate(timeout=15)
    assert process.returncode in (0, -signal.SIGTERM)
    assert "Finished server process" in stderr
    assert "Traceback" not in stderr
    assert "1 key(s) from --key" in stdout
    assert "MYKEY" not in stdout  # the key itself is never printed


def test_cli_api_version_option_adds_a_version() -> None:
    with cli_emulator("--api-version", "2025-05-01-preview") as (endpoint, _):
        raw = curl(classic_url(endpoint, "gpt-5.1", "2025-05-01-preview"), headers=key_header(), body=user("hi"))
        assert raw.status == 200


def test_cli_help_documents_every_option() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "aoai_lab", "emulator", "--help"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    for option in ("--rpm", "--tpm", "--deployment", "--fault-rate", "--key", "--tokens-per-second"):
        assert option in done.stdout
    assert DEMO_KEY in done.stdout and DEMO_KEY_2 in done.stdout  # the default keys, as the README states them


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--deployment", "no-equals-sign"], "NAME=MODEL"),
        (["--deployment", "chat=gpt-99"], "gpt-99"),
        (["--fault-rate", "429=1.5"], "FAULT=P"),
        (["--fault-rate", "meteor=0.5"], "meteor"),
        (["--rpm", "0"], "--rpm"),
    ],
)
def test_cli_bad_options_get_a_bilingual_message(args: list[str], says: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "aoai_lab", "emulator", *args], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert says in done.stderr and "Traceback" not in done.stderr
    assert any("\uac00" <= ch <= "\ud7a3" for ch in done.stderr)  # Korean first, then English


def test_cli_deployment_rpm_and_fault_rate() -> None:
    options = ("--deployment", "my-chat=gpt-4o-mini", "--deployment", "my-emb=text-embedding-3-large", "--rpm", "6")
    with cli_emulator(*options) as (endpoint, _):
        url = classic_url(endpoint, "my-chat", "2024-10-21")
        first = curl(url, headers=key_header(), body=user("hi"))
        assert first.status == 200 and first.json()["model"] == "gpt-4o-mini-2024-07-18"
        assert curl(url, headers=key_header(), body=user("hi")).status == 429  # 6 RPM: one per 10-second window
        assert curl(classic_url(endpoint, "gpt-5.1"), headers=key_header(), body=user("hi")).status == 404
        emb = f"{endpoint}openai/deployments/my-emb/embeddings?api-version=2024-10-21"
        vector = curl(emb, headers=key_header(), body={"input": "x", "encoding_format": "float"}).json()
        assert len(vector["data"][0]["embedding"]) == 3072  # the family and dimension follow the model
    with cli_emulator("--fault-rate", "503=1") as (endpoint, _):
        assert curl(classic_url(endpoint, "gpt-4o-mini"), headers=key_header(), body=user("hi")).status == 503
