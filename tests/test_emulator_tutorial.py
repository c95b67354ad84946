"""The tutorial's own step-4 snippets, run for real against the emulator.

``TUTORIAL_PYTHON`` and the curl below are copied verbatim from step 4 of
``shared/tutorial/azure-openai-tutorial.ko.md``; a test replaces only the endpoint, the key and,
where it says so, the api-version.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from tests.emulator_http import (
    MAX_TOKENS_UNSUPPORTED,
    RESOURCE_NOT_FOUND,
    parse_http,
)

TUTORIAL_PYTHON = """import os
from openai import AzureOpenAI

# 환경 변수 설정 (또는 직접 문자열 입력)
endpoint = "https://my-aoai-lab.openai.azure.com/" # 복사한 엔드포인트
key = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" # 복사한 KEY 1

client = AzureOpenAI(
    azure_endpoint=endpoint,
    api_key=key,
    api_version="2026-01-01-preview" # 최신 API 버전 확인 필요
)

response = client.chat.completions.create(
    model="gpt-5.1", # Azure OpenAI Studio에서 설정한 '배포 이름'
    messages=[
        {"role": "system", "content": "You are a helpful AI assistant."},
        {"role": "user", "content": "Azure OpenAI의 장점을 한 문장으로 설명해줘."}
    ]
)

print(response.choices[0].message.content)
"""

TUTORIAL_ENDPOINT = "https://my-aoai-lab.openai.azure.com/"
TUTORIAL_KEY = "x" * 32
TUTORIAL_CURL_URL = (
    "https://my-aoai-lab.openai.azure.com/openai/deployments/gpt-5.1/chat/completions?api-version=2026-01-01-preview"
)
TUTORIAL_CURL_BODY = """{
  "messages": [{"role": "user", "content": "Hello!"}],
  "max_tokens": 50
}"""


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def tutorial_python(endpoint: str, api_version: str | None) -> str:
    """The snippet with our endpoint and key, and ``api_version`` if given (else the tutorial's)."""
    code = _replace_once(TUTORIAL_PYTHON, TUTORIAL_ENDPOINT, endpoint)
    code = _replace_once(code, TUTORIAL_KEY, DEMO_KEY)
    if api_version is not None:
        code = _replace_once(code, '"2026-01-01-preview"', f'"{api_version}"')
    return code


def run_python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "test_aoai.py"  # the tutorial's file name
    script.write_text(code, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path
    )


def tutorial_curl(endpoint: str, api_version: str | None = None, deployment: str = "gpt-5.1") -> list[str]:
    url = _replace_once(TUTORIAL_CURL_URL, TUTORIAL_ENDPOINT, endpoint)
    if api_version is not None:
        url = _replace_once(url, "2026-01-01-preview", api_version)
    if deployment != "gpt-5.1":
        url = _replace_once(url, "/gpt-5.1/", f"/{deployment}/")
    # The tutorial's command, plus -s -i to see the status line and headers.
    return [
        "curl",
        "-s",
        "-i",
        url,
        "-H",
        "Content-Type: application/json",
        "-H",
        f"api-key: {DEMO_KEY}",
        "-d",
        TUTORIAL_CURL_BODY,
    ]


def test_tutorial_python_prints_a_reply(emulator: EmulatorServer, tmp_path: Path) -> None:
    done = run_python(tutorial_python(emulator.endpoint, "2025-04-01-preview"), tmp_path)
    assert done.returncode == 0, done.stderr
    printed = done.stdout.strip()
    assert printed.startswith("[오프라인 데모 · gpt-5.1]")
    assert "Azure OpenAI의 장점을 한 문장으로 설명해줘." in printed
    assert "시스템 프롬프트도 받았습니다" in printed  # the system message arrived too
    entry = emulator.recorded()[-1]
    assert entry.path == "/openai/deployments/gpt-5.1/chat/completions"
    assert entry.auth == "api-key"


def test_tutorial_python_with_its_own_api_version_fails_with_404(emulator: EmulatorServer, tmp_path: Path) -> None:
    done = run_python(tutorial_python(emulator.endpoint, None), tmp_path)
    assert done.returncode == 1
    assert "openai.NotFoundError" in done.stderr
    assert "Resource not found" in done.stderr
    assert emulator.recorded()[-1].query == {"api-version": "2026-01-01-preview"}


def test_tutorial_curl_as_written_gets_404(emulator: EmulatorServer) -> None:
    done = subprocess.run(tutorial_curl(emulator.endpoint), capture_output=True, timeout=30, check=False)
    raw = parse_http(done.stdout)
    assert raw.status == 404
    assert raw.body == RESOURCE_NOT_FOUND


def test_tutorial_curl_with_a_valid_version_hits_the_reasoning_rule(emulator: EmulatorServer) -> None:
    done = subprocess.run(
        tutorial_curl(emulator.endpoint, "2025-04-01-preview"), capture_output=True, timeout=30, check=False
    )
    raw = parse_http(done.stdout)
    assert (raw.status, raw.reason) == (400, "model_error")
    assert raw.body == MAX_TOKENS_UNSUPPORTED


def test_tutorial_curl_against_a_classic_deployment_succeeds(emulator: EmulatorServer) -> None:
    command = tutorial_curl(emulator.endpoint, "2024-10-21", deployment="gpt-4o-mini")
    raw = parse_http(subprocess.run(command, capture_output=True, timeout=30, check=False).stdout)
    assert raw.status == 200
    payload = raw.json()
    assert payload["model"] == "gpt-4o-mini-2024-07-18"
    assert payload["choices"][0]["message"]["content"].startswith("[Offline demo · gpt-4o-mini] Hello!")
    assert payload["usage"]["completion_tokens"] <= 50
