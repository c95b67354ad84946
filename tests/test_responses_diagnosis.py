"""The Responses API's own errors, diagnosed (issue 13).

Each row sends a parameter of the other API through the real openai SDK to the emulator on
loopback (the v1 route and the classic route), and the diagnosis of the emulator's real answer
must name the parameter and its counterpart, in Korean and in English. Azure's own wording
(captured bodies, cited in aoai_lab/diagnosis.py) is diagnosed the same way, and the Responses API
on a deployment route gets its own 404 explanation.
"""

from __future__ import annotations

import re
from typing import Any

import httpx2
import openai
import pytest

from aoai_lab.diagnosis import CallContext, Diagnosis, from_exception, from_http
from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from aoai_lab.i18n import LANGS

CHAT_DEPLOYMENT = "gpt-4o-mini"
REASONING_DEPLOYMENT = "gpt-5.1"
CLASSIC_VERSION = "2025-04-01-preview"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def diagnosed(error: openai.APIStatusError, deployment: str, style: str = "v1") -> Diagnosis:
    url = str(error.request.url)
    context = CallContext(deployment=deployment, style=style, host="127.0.0.1", url=url, secrets=(DEMO_KEY,))
    return from_exception(error, context)


def v1_client(emulator: EmulatorServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{emulator.endpoint}openai/v1/", api_key=DEMO_KEY, max_retries=0)


def classic_client(emulator: EmulatorServer) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(
        azure_endpoint=emulator.endpoint, api_key=DEMO_KEY, api_version=CLASSIC_VERSION, max_retries=0
    )


def assert_reads(diagnosis: Diagnosis, *needles: str) -> None:
    """Title, cause and fix in both languages, every placeholder filled, naming ``needles``."""
    for lang in LANGS:
        texts = [diagnosis.title(lang), diagnosis.cause(lang), diagnosis.fix(lang), *diagnosis.hint_texts(lang)]
        assert not any(text.startswith("diag.") for text in texts), texts
        assert not [text for text in texts if PLACEHOLDER.search(text)], texts
        joined = "\n".join(texts)
        for needle in needles:
            assert needle in joined, (lang, needle, joined)


# --- Chat Completions parameters sent to the Responses API ------------------------------------

TO_RESPONSES: list[tuple[str, Any, str, str]] = [
    # (parameter, value, deployment, what the Responses API calls it; "-": nothing)
    ("messages", [{"role": "user", "content": "hi"}], CHAT_DEPLOYMENT, "input"),
    ("max_tokens", 50, CHAT_DEPLOYMENT, "max_output_tokens"),
    ("max_completion_tokens", 50, REASONING_DEPLOYMENT, "max_output_tokens"),
    ("reasoning_effort", "low", REASONING_DEPLOYMENT, "reasoning.effort"),
    ("response_format", {"type": "json_object"}, CHAT_DEPLOYMENT, "text.format"),
    ("stop", ["END"], CHAT_DEPLOYMENT, "-"),
    ("seed", 7, CHAT_DEPLOYMENT, "-"),
    ("presence_penalty", 0.5, CHAT_DEPLOYMENT, "-"),
    ("frequency_penalty", 0.5, CHAT_DEPLOYMENT, "-"),
]


@pytest.mark.parametrize(("param", "value", "deployment", "replacement"), TO_RESPONSES, ids=lambda v: str(v)[:24])
def test_a_chat_parameter_sent_to_the_responses_api(
    emulator: EmulatorServer, param: str, value: Any, deployment: str, replacement: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        v1_client(emulator).responses.create(model=deployment, input="hi", extra_body={param: value})
    assert str(caught.value.request.url).endswith("/openai/v1/responses")
    diagnosis = diagnosed(caught.value, deployment)
    assert diagnosis.code == "param_for_responses_api"
    assert diagnosis.step == 4 and diagnosis.evidence.status == 400
    assert diagnosis.params["param"] == param and diagnosis.params["replacement"] == replacement
    assert ("diag.hint.no_counterpart" in diagnosis.hints) == (replacement == "-")
    assert_reads(diagnosis, f"'{param}'", replacement)


# --- Responses API parameters sent to Chat Completions, on both routes ------------------------

TO_CHAT: list[tuple[str, Any, str]] = [
    ("input", "hi", "messages"),
    ("instructions", "Be brief.", "messages (role system)"),
    ("max_output_tokens", 50, "max_completion_tokens / max_tokens"),
    ("reasoning", {"effort": "low"}, "reasoning_effort"),
    ("text", {"format": {"type": "text"}}, "response_format / verbosity"),
]


@pytest.mark.parametrize("route", ["v1", "classic"])
@pytest.mark.parametrize(("param", "value", "replacement"), TO_CHAT, ids=lambda v: str(v)[:24])
def test_a_responses_parameter_sent_to_chat_completions(
    emulator: EmulatorServer, route: str, param: str, value: Any, replacement: str
) -> None:
    client = v1_client(emulator) if route == "v1" else classic_client(emulator)
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model=CHAT_DEPLOYMENT, messages=[{"role": "user", "content": "hi"}], extra_body={param: value}
        )
    assert "/chat/completions" in str(caught.value.request.url)
    diagnosis = diagnosed(caught.value, CHAT_DEPLOYMENT, "v1" if route == "v1" else "classic")
    assert diagnosis.code == "param_for_chat_api"
    assert diagnosis.params["param"] == param and diagnosis.params["replacement"] == replacement
    assert_reads(diagnosis, f"'{param}'", replacement)


# --- Azure's own wording (captured bodies, cited in aoai_lab/diagnosis.py) --------------------

RESPONSES_URL = "https://my-aoai-lab.openai.azure.com/openai/v1/responses"
CHAT_URL = "https://my-aoai-lab.openai.azure.com/openai/v1/chat/completions"
AZURE_BODIES: list[tuple[str, dict[str, Any], str, str, str]] = [
    (
        RESPONSES_URL,
        {
            "message": "Unsupported parameter: 'messages'. In the Responses API, this parameter has moved to 'input'.",
            "type": "invalid_request_error",
            "param": None,
            "code": "unsupported_parameter",
        },
        "param_for_responses_api",
        "messages",
        "input",
    ),
    (
        RESPONSES_URL,
        {
            "message": "Unsupported parameter: 'max_completion_tokens'. In the Responses API, this parameter has moved to 'max_output_tokens'.",
            "type": "invalid_request_error",
            "param": None,
            "code": "unsupported_parameter",
        },
        "param_for_responses_api",
        "max_completion_tokens",
        "max_output_tokens",
    ),
    (
        RESPONSES_URL,
        {
            "message": "Unknown parameter: 'max_tokens'.",
            "type": "invalid_request_error",
            "param": "max_tokens",
            "code": "unknown_parameter",
        },
        "param_for_responses_api",
        "max_tokens",
        "max_output_tokens",
    ),
    (
        CHAT_URL,
        {
            "message": "Unknown parameter: 'max_output_tokens'.",
            "type": "invalid_request_error",
            "param": "max_output_tokens",
            "code": "unknown_parameter",
        },
        "param_for_chat_api",
        "max_output_tokens",
        "max_completion_tokens / max_tokens",
    ),
]


@pytest.mark.parametrize(("url", "error", "code", "param", "replacement"), AZURE_BODIES, ids=lambda v: str(v)[:30])
def test_azures_own_wording_is_diagnosed_the_same_way(
    url: str, error: dict[str, Any], code: str, param: str, replacement: str
) -> None:
    diagnosis = from_http(400, {"error": error}, {}, CallContext(deployment="gpt-5.1", style="v1", url=url))
    assert diagnosis.code == code
    assert diagnosis.params["param"] == param and diagnosis.params["replacement"] == replacement
    assert_reads(diagnosis, param, replacement)


# --- the Responses API on a classic deployment route ------------------------------------------


def test_the_responses_api_on_a_deployment_route_is_a_404_explained(emulator: EmulatorServer) -> None:
    # As a learner would build it from the classic pattern: the deployment in the path, an api-version.
    client = openai.OpenAI(
        base_url=f"{emulator.endpoint}openai/deployments/{CHAT_DEPLOYMENT}/",
        api_key="unused",
        default_headers={"api-key": DEMO_KEY},
        default_query={"api-version": CLASSIC_VERSION},
        max_retries=0,
    )
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.create(model=CHAT_DEPLOYMENT, input="hi")
    url = str(caught.value.request.url)
    assert f"/openai/deployments/{CHAT_DEPLOYMENT}/responses?api-version={CLASSIC_VERSION}" in url
    context = CallContext(
        deployment=CHAT_DEPLOYMENT, api_version=CLASSIC_VERSION, style="classic", host="127.0.0.1", url=url
    )
    diagnosis = from_exception(caught.value, context)
    assert diagnosis.code == "responses_on_classic_route"
    assert diagnosis.evidence.status == 404
    assert_reads(diagnosis, "/openai/v1/", CHAT_DEPLOYMENT)


def test_the_same_404_on_chat_completions_is_not_blamed_on_the_responses_api(emulator: EmulatorServer) -> None:
    url = f"{emulator.endpoint}openai/chat/completions?api-version={CLASSIC_VERSION}"  # no deployment segment
    response = httpx2.post(url, headers={"api-key": DEMO_KEY}, json={"messages": []}, timeout=10.0)
    assert response.status_code == 404
    context = CallContext(deployment="", api_version=CLASSIC_VERSION, style="classic", host="127.0.0.1", url=url)
    assert from_http(404, response.content, dict(response.headers), context).code == "resource_not_found"


# --- what stays as it was ---------------------------------------------------------------------


def test_a_parameter_unknown_to_an_old_api_version_is_still_an_api_version_problem(emulator: EmulatorServer) -> None:
    client = openai.AzureOpenAI(azure_endpoint=emulator.endpoint, api_key=DEMO_KEY, api_version="2024-06-01")
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model=CHAT_DEPLOYMENT,
            messages=[{"role": "user", "content": "hi"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    assert diagnosed(caught.value, CHAT_DEPLOYMENT, "classic").code == "unknown_parameter"


def test_max_tokens_on_a_reasoning_model_is_still_unsupported_parameter(emulator: EmulatorServer) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        v1_client(emulator).chat.completions.create(
            model=REASONING_DEPLOYMENT, messages=[{"role": "user", "content": "hi"}], max_tokens=50
        )
    assert diagnosed(caught.value, REASONING_DEPLOYMENT).code == "unsupported_parameter"


def test_an_unknown_deployment_on_the_responses_api_is_still_deployment_not_found(emulator: EmulatorServer) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        v1_client(emulator).responses.create(model="no-such-deployment", input="hi")
    assert diagnosed(caught.value, "no-such-deployment").code == "deployment_not_found"
