"""Troubleshooting experiments: make the offline emulator produce one exact failure on purpose.

Each :class:`Experiment` takes the demo connection, changes what a learner typically gets wrong
(or asks the emulator for a fault, scoped to that one request) and runs it the way the app would:
through the connection check, a chat call, a stream, or pre-flight only. The outcome is the
diagnosis the learner would see.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import httpx2

from aoai_lab.check import CheckReport, run_check
from aoai_lab.client import ChatResult, chat, stream_chat
from aoai_lab.connection import Connection, from_input
from aoai_lab.diagnosis import CallContext, Diagnosis, from_http
from aoai_lab.emulator import FAULT_HEADER
from aoai_lab.i18n import DEFAULT_LANG, Lang
from aoai_lab.preflight import TUTORIAL_ENDPOINT, TUTORIAL_KEY, Finding
from aoai_lab.preflight import run as preflight
from aoai_lab.request import ChatParams, ChatRequest

Kind = Literal["check", "chat", "stream", "preflight", "bearer"]

# Only the emulator's port is known in advance; these stand for "a port" and "the emulator's".
CLOSED_PORT = "{closed_port}"
EMULATOR_PORT = "{emulator_port}"
# Built from parts so no file holds a string shaped like a real OpenAI key.
OPENAI_STYLE_KEY = "sk-" + "proj-" + "demo" * 8
# What a trial says, in the page's language: the emulator answers in the language it is asked in.
HELLO: Mapping[Lang, str] = {"ko": "안녕하세요!", "en": "Hello!"}


@dataclass(frozen=True)
class Experiment:
    """How to provoke one diagnosis code against the demo connection."""

    code: str
    kind: Kind
    # Connection fields to change (endpoint, api_key, deployment, api_version, style).
    changes: Mapping[str, str] = field(default_factory=dict)
    fault: str | None = None
    params: ChatParams = field(default_factory=ChatParams)
    # The user message per language; the greeting when not set.
    messages: Mapping[Lang, str] = field(default_factory=lambda: HELLO)
    timeout: float = 10.0

    def message(self, lang: Lang = DEFAULT_LANG) -> str:
        """The user message this experiment sends from a page in ``lang``."""
        return self.messages[lang]


@dataclass(frozen=True)
class Trial:
    """What an experiment produced: the diagnosis and whatever the learner would have seen."""

    experiment: Experiment
    diagnosis: Diagnosis
    connection: Connection
    report: CheckReport | None = None
    result: ChatResult | None = None
    findings: tuple[Finding, ...] = ()


_RESOURCE_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ai-lab/providers/Microsoft.CognitiveServices/accounts/my-aoai-lab"

EXPERIMENTS: tuple[Experiment, ...] = (
    Experiment("endpoint_missing", "check", {"endpoint": ""}),
    Experiment("endpoint_missing_scheme", "chat", {"endpoint": "127.0.0.1:" + EMULATOR_PORT + "/"}),
    Experiment("endpoint_insecure", "check", {"endpoint": "http://my-aoai-lab.openai.azure.com/"}),
    Experiment("endpoint_has_path", "check", {"endpoint": "https://my-aoai-lab.openai.azure.com/openai/models"}),
    Experiment("endpoint_is_portal", "check", {"endpoint": "https://portal.azure.com/#home"}),
    Experiment(
        "endpoint_is_foundry_project",
        "check",
        {"endpoint": "https://my-aoai-lab.services.ai.azure.com/api/projects/my-project"},
    ),
    Experiment("endpoint_regional", "check", {"endpoint": "https://koreacentral.api.cognitive.microsoft.com/"}),
    Experiment("endpoint_host_typo", "check", {"endpoint": "https://my-aoai-lab.azure.openai.com/"}),
    Experiment("endpoint_not_azure", "preflight", {"endpoint": "https://api.openai.com/"}),
    Experiment("endpoint_is_tutorial_example", "preflight", {"endpoint": TUTORIAL_ENDPOINT}),
    # Input learners really paste (issue 9): refused before anything is sent, never a traceback.
    Experiment("endpoint_too_long", "check", {"endpoint": "https://" + "my-aoai-lab" * 40 + ".openai.azure.com/"}),
    Experiment("endpoint_malformed", "check", {"endpoint": "http://[::1"}),
    Experiment("endpoint_bad_port", "check", {"endpoint": "http://127.0.0.1:99999/"}),
    Experiment(
        "endpoint_has_credentials", "check", {"endpoint": "https://user:password@my-aoai-lab.openai.azure.com/"}
    ),
    Experiment("key_missing", "check", {"api_key": ""}),
    Experiment("key_openai_format", "check", {"api_key": OPENAI_STYLE_KEY}),
    Experiment("key_whitespace", "chat", {"api_key": "00000000000000000000000000000000\n"}),
    Experiment("key_format_unusual", "preflight", {"api_key": "0123456789abcdef0123"}),  # part of a key
    Experiment("key_is_tutorial_example", "check", {"api_key": TUTORIAL_KEY}),
    # Sent without pre-flight (a chat), to show what the SDK makes of them: h11 refuses the header.
    Experiment("key_control_char", "chat", {"api_key": "0000000000000000\x000000000000000000"}),
    Experiment("key_not_ascii", "chat", {"api_key": "키0000000000000000000000000000000"}),
    Experiment("value_cleaned", "preflight", {"endpoint": '"https://my-aoai-lab.openai.azure.com/"'}),
    Experiment("deployment_missing", "check", {"deployment": ""}),
    Experiment("deployment_is_resource_id", "check", {"deployment": _RESOURCE_ID}),
    Experiment("deployment_is_model_version", "preflight", {"deployment": "gpt-4o-2024-08-06"}),
    Experiment("api_version_missing", "check", {"api_version": ""}),
    Experiment("api_version_is_model_version", "check", {"api_version": "0613"}),
    Experiment("api_version_unknown", "check", {"api_version": "2026-01-01-preview"}),  # the tutorial's
    Experiment("api_version_on_v1", "chat", {"style": "v1", "api_version": "2024-10-21"}),
    Experiment("dns_failure", "check", {"endpoint": "https://my-aoai-lab.invalid/"}),
    Experiment("connection_failed", "check", {"endpoint": "http://127.0.0.1:" + CLOSED_PORT + "/"}),
    Experiment("tls_error", "check", {"endpoint": "https://127.0.0.1:" + EMULATOR_PORT + "/"}),
    Experiment("timeout", "chat", fault="timeout", timeout=2.0),
    Experiment("auth_invalid_key", "check", {"api_key": "f" * 32}),
    Experiment("auth_bearer_on_classic", "bearer"),
    Experiment("auth_key_disabled", "check", fault="key-disabled"),
    Experiment("auth_forbidden_network", "check", fault="firewall"),
    Experiment("resource_not_found", "chat", {"endpoint": "http://127.0.0.1:" + EMULATOR_PORT + "/openai/"}),
    Experiment("deployment_not_found", "check", {"deployment": "gpt-4o"}),  # the model name, not the deployment
    Experiment("operation_not_supported", "check", {"deployment": "text-embedding-3-small"}),
    Experiment("api_version_too_old_for_model", "check", {"api_version": "2024-10-21"}),
    Experiment("unsupported_parameter", "chat", params=ChatParams(max_tokens=50)),  # the tutorial's curl
    Experiment("unknown_parameter", "stream", {"deployment": "gpt-4o-mini", "api_version": "2024-06-01"}),
    Experiment(
        "context_length_exceeded",
        "chat",
        {"deployment": "gpt-4o-mini"},
        messages={"ko": "단어 " * 130_000, "en": "word " * 130_000},
    ),
    Experiment("rate_limited", "chat", fault="429"),
    # The emulator's filter triggers in both languages (README, "Content filter triggers").
    Experiment("content_filtered", "chat", messages={"ko": "콘텐츠 필터 테스트", "en": "content filter test"}),
    Experiment("bad_request", "chat", {"deployment": "gpt-4o-mini"}, params=ChatParams(temperature=5.0)),
    Experiment("server_error", "chat", fault="500"),
    Experiment("stream_interrupted", "stream", fault="drop-stream"),
)
BY_CODE: Mapping[str, Experiment] = {e.code: e for e in EXPERIMENTS}


def closed_port() -> int:
    """A loopback port nobody listens on (connections to it are refused)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


def prepared(experiment: Experiment, demo: Connection) -> Connection:
    """The demo connection with the experiment's changes (ports filled in)."""
    emulator_port = str(httpx2.URL(demo.endpoint).port or "")
    values = {
        name: value.replace(EMULATOR_PORT, emulator_port).replace(CLOSED_PORT, str(closed_port()))
        for name, value in experiment.changes.items()
    }
    return demo.with_values(**values)


def run(experiment: Experiment, demo: Connection, lang: Lang = DEFAULT_LANG) -> Trial:
    """Run ``experiment`` against the demo connection, asking in ``lang`` (the page's language)."""
    connection = prepared(experiment, demo)
    headers = {FAULT_HEADER: experiment.fault} if experiment.fault else None
    request = ChatRequest.simple(experiment.message(lang), params=experiment.params)
    if experiment.kind in ("check", "preflight"):
        normalised = from_input(
            connection.endpoint,
            connection.api_key,
            connection.deployment,
            connection.api_version,
            connection.style,
            connection.source,
        )
        if experiment.kind == "preflight":
            findings = tuple(preflight(normalised))
            finding = next(f for f in findings if f.code == experiment.code)
            return Trial(experiment, finding.diagnosis(), normalised.connection, findings=findings)
        report = run_check(normalised, extra_headers=headers, http_timeout=experiment.timeout)
        return Trial(experiment, report.diagnosis, normalised.connection, report=report, findings=report.findings)
    if experiment.kind == "bearer":
        return Trial(experiment, _bearer_on_classic(connection, experiment.message(lang)), connection)
    if experiment.kind == "stream":
        stream = stream_chat(
            connection,
            ChatRequest(request.messages, request.params, stream=True, include_usage=True),
            extra_headers=headers,
            timeout=experiment.timeout,
        )
        for _ in stream:
            pass
        assert stream.result is not None  # set when iteration ends
        return Trial(experiment, stream.result.diagnosis, connection, result=stream.result)
    result = chat(connection, request, extra_headers=headers, timeout=experiment.timeout)
    return Trial(experiment, result.diagnosis, connection, result=result)


def _bearer_on_classic(connection: Connection, message: str) -> Diagnosis:
    """Send the key as ``Authorization: Bearer`` on the classic route, as some clients do."""
    url = connection.chat_url
    body = ChatRequest.simple(message).body(connection.deployment)
    headers = {"Authorization": f"Bearer {connection.api_key}"}
    response = httpx2.post(url, headers=headers, json=body, timeout=10.0)
    context = CallContext(connection.deployment, connection.api_version, connection.style, connection.host, url)
    return from_http(response.status_code, response.content, dict(response.headers), context)
