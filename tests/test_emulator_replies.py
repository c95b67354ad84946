"""The demo replies (deterministic, marked as offline, a small tutor) and the request record."""

from __future__ import annotations

from typing import Any

from openai.types.chat import ChatCompletionMessageParam

from aoai_lab.emulator import DEMO_KEY, DEMO_KEY_2, FAULT_HEADER, EmulatorServer
from tests.emulator_http import (
    azure_client,
    bearer_header,
    classic_url,
    curl,
    key_header,
    messages,
    user,
    v1_client,
    v1_url,
)


def reply(endpoint: str, conversation: list[ChatCompletionMessageParam], deployment: str = "gpt-5.1") -> str:
    response = azure_client(endpoint).chat.completions.create(model=deployment, messages=conversation)
    return response.choices[0].message.content or ""


def test_replies_are_deterministic(emulator: EmulatorServer) -> None:
    client = azure_client(emulator.endpoint)
    first = client.chat.completions.create(model="gpt-4o-mini", messages=messages("What is a token?"))
    second = client.chat.completions.create(model="gpt-4o-mini", messages=messages("What is a token?"))
    assert first.choices[0].message.content == second.choices[0].message.content
    assert first.id != second.id  # ids are per call, the text is not
    assert first.usage == second.usage
    other = client.chat.completions.create(model="gpt-4o-mini", messages=messages("What is a prompt?"))
    assert other.choices[0].message.content != first.choices[0].message.content


def test_same_reply_on_both_routes(emulator: EmulatorServer) -> None:
    classic = reply(emulator.endpoint, messages("What is a token?"))
    v1 = v1_client(emulator.endpoint).chat.completions.create(model="gpt-5.1", messages=messages("What is a token?"))
    assert v1.choices[0].message.content == classic


def test_korean_input_is_marked_as_the_korean_offline_demo(emulator: EmulatorServer) -> None:
    text = reply(emulator.endpoint, messages("오늘 날씨는 어때요?"))
    assert text.startswith("[오프라인 데모 · gpt-5.1]")


def test_english_input_is_marked_as_the_offline_demo(emulator: EmulatorServer) -> None:
    text = reply(emulator.endpoint, messages("What is the weather like?"), deployment="gpt-4o-mini")
    assert text.startswith("[Offline demo · gpt-4o-mini]")


def test_tutor_explains_the_deployment_name_in_korean(emulator: EmulatorServer) -> None:
    text = reply(emulator.endpoint, messages("배포 이름이 뭔가요? model에 뭘 넣어야 하죠?"))
    assert text.startswith("[오프라인 데모")
    assert "배포 이름" in text
    assert "모델명" in text  # the deployment name, not the model name
    assert "DeploymentNotFound" in text


def test_tutor_explains_api_version_in_english(emulator: EmulatorServer) -> None:
    text = reply(emulator.endpoint, messages("Which api-version should I use?"))
    assert text.startswith("[Offline demo")
    assert "REST API" in text
    assert "2024-10-21" in text and "2025-04-01-preview" in text
    assert "/openai/v1/" in text
    assert "2026-01-01-preview" in text and "404" in text


def test_other_questions_get_an_account_of_what_arrived(emulator: EmulatorServer) -> None:
    conversation: list[ChatCompletionMessageParam] = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Summarise the plot of Hamlet"},
    ]
    text = reply(emulator.endpoint, conversation)
    assert "I received 2 message(s)" in text
    assert "“Summarise the plot of Hamlet” (28 characters)" in text
    assert "A system prompt arrived too (14 characters)." in text


def test_other_korean_questions_get_an_account_in_korean(emulator: EmulatorServer) -> None:
    text = reply(emulator.endpoint, messages("Azure OpenAI의 장점을 한 문장으로 설명해줘."))
    assert "메시지 1개를 받았습니다" in text
    assert "Azure OpenAI의 장점을 한 문장으로 설명해줘." in text


def test_long_messages_are_quoted_in_part(emulator: EmulatorServer) -> None:
    long = "Please summarise " + "lorem ipsum " * 40
    text = reply(emulator.endpoint, messages(long))
    assert f"({len(long)} characters)" in text
    assert long[:77] + "..." in text
    assert long not in text


# ---------------------------------------------------------------------------------------------
# The request record


def _find(emulator: EmulatorServer, marker: str) -> Any:
    found = [entry for entry in emulator.recorded() if marker in repr(entry.body)]
    assert len(found) == 1, found
    return found[0]


def test_record_keeps_method_path_query_scheme_and_body(emulator: EmulatorServer) -> None:
    body = {**user("record-marker-classic"), "max_tokens": 7}
    curl(classic_url(emulator.endpoint, "gpt-4o-mini", "2024-10-21"), headers=key_header(), body=body)
    entry = _find(emulator, "record-marker-classic")
    assert entry.method == "POST"
    assert entry.path == "/openai/deployments/gpt-4o-mini/chat/completions"
    assert dict(entry.query) == {"api-version": "2024-10-21"}
    assert entry.auth == "api-key"
    assert entry.fault is None
    assert entry.body == body


def test_record_of_v1_bearer_both_and_faults(emulator: EmulatorServer) -> None:
    body = {**user("record-marker-v1"), "model": "gpt-5.1"}
    curl(v1_url(emulator.endpoint, "preview"), headers=bearer_header(), body=body)
    entry = _find(emulator, "record-marker-v1")
    assert (entry.path, dict(entry.query), entry.auth) == (
        "/openai/v1/chat/completions",
        {"api-version": "preview"},
        "bearer",
    )
    curl(
        classic_url(emulator.endpoint, "gpt-4o-mini"),
        headers={**key_header(), **bearer_header(DEMO_KEY_2), FAULT_HEADER: "503"},
        body=user("record-marker-both"),
    )
    entry = _find(emulator, "record-marker-both")
    assert (entry.auth, entry.fault) == ("both", "503")


def test_record_keeps_refused_requests_too(emulator: EmulatorServer) -> None:
    curl(classic_url(emulator.endpoint, "gpt-4o-mini", None), body=user("record-marker-refused"))
    entry = _find(emulator, "record-marker-refused")
    assert (entry.auth, dict(entry.query)) == ("none", {})


def test_record_never_holds_a_key(emulator: EmulatorServer) -> None:
    canary = "canary0key0that0must0never0be0kept"
    url = classic_url(emulator.endpoint, "gpt-4o-mini")
    curl(url, headers=key_header(canary), body=user("hi"))
    curl(url, headers=bearer_header(canary), body=user("hi"))
    curl(v1_url(emulator.endpoint), headers=bearer_header(canary), body={**user("hi"), "model": "gpt-5.1"})
    curl(url, headers=key_header(), body=user("hi"))
    curl(url, headers={**key_header(DEMO_KEY_2), **bearer_header(DEMO_KEY)}, body=user("hi"))
    v1_client(emulator.endpoint).chat.completions.create(model="gpt-5.1", messages=messages("hi"))
    everything = repr(emulator.recorded())
    assert len(emulator.recorded()) > 5
    for secret in (canary, DEMO_KEY, DEMO_KEY_2):
        assert secret not in everything
