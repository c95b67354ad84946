"""Routes, api-versions, the model list and deployments (reference §1, §3, §4.3-4.5, §8)."""

from __future__ import annotations

import openai
import pytest
from openai import AzureOpenAI, OpenAI

from aoai_lab.emulator import DEMO_KEY, EmulatorConfig, EmulatorServer
from aoai_lab.versions import EXTRA_ENV, TUTORIAL_API_VERSION, load_api_versions
from tests.emulator_http import (
    DEPLOYMENT_NOT_FOUND,
    RESOURCE_NOT_FOUND,
    UUID,
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

API_VERSION_NOT_SUPPORTED = b'{"error":{"code":"BadRequest","message":"API version not supported"}}'  # §3.2


def operation_not_supported(model: str) -> bytes:
    """§4.5, for a chat call to an embedding deployment."""
    return (
        '{"error":{"code":"OperationNotSupported","message":"The chatCompletion operation does not work with the '
        f"specified model, {model}. Please choose different model and try again. You can learn more about which "
        'models can be used with each operation here: https://go.microsoft.com/fwlink/?linkid=2197993."}}'
    ).encode()


def assert_resource_not_found(raw_status: int, raw_body: bytes) -> None:
    assert raw_status == 404
    assert raw_body == RESOURCE_NOT_FOUND


# ---------------------------------------------------------------------------------------------
# Classic route


@pytest.mark.parametrize(
    "version", ["2024-02-01", "2024-06-01", "2024-10-21", "2024-12-01-preview", "2025-04-01-preview"]
)
def test_classic_route_answers_on_every_known_version(emulator: EmulatorServer, version: str) -> None:
    raw = curl(classic_url(emulator.endpoint, "gpt-4o-mini", version), headers=key_header(), body=user("hi"))
    assert raw.status == 200
    assert raw.json()["object"] == "chat.completion"
    assert emulator.recorded()[-1].query == {"api-version": version}


def test_classic_route_with_trailing_slash_answers(emulator: EmulatorServer) -> None:
    url = f"{emulator.endpoint}openai/deployments/gpt-4o-mini/chat/completions/?api-version=2024-10-21"
    assert curl(url, headers=key_header(), body=user("hi")).status == 200


def test_sdk_classic_client_as_in_the_tutorial(emulator: EmulatorServer) -> None:
    client = AzureOpenAI(azure_endpoint=emulator.endpoint, api_key=DEMO_KEY, api_version="2025-04-01-preview")
    response = client.chat.completions.create(model="gpt-5.1", messages=messages("hello"))
    assert response.choices[0].message.content
    assert response.model == "gpt-5.1-2025-11-13"
    last = emulator.recorded()[-1]
    assert last.path == "/openai/deployments/gpt-5.1/chat/completions"
    assert last.query == {"api-version": "2025-04-01-preview"}


def test_classic_without_api_version_is_resource_not_found(emulator: EmulatorServer) -> None:
    raw = curl(classic_url(emulator.endpoint, "gpt-5.1", None), headers=key_header(), body=user("hi"))
    assert_resource_not_found(raw.status, raw.body)
    assert "x-ms-region" not in raw.headers
    assert UUID.match(raw.headers["apim-request-id"])


@pytest.mark.parametrize(
    "version",
    [TUTORIAL_API_VERSION, "2023-11-01-preview", "0613", "2024-05-13", "2025-05-01-preview", ""],
)
def test_classic_with_unknown_api_version_is_resource_not_found(emulator: EmulatorServer, version: str) -> None:
    raw = curl(classic_url(emulator.endpoint, "gpt-5.1", version), headers=key_header(), body=user("hi"))
    assert_resource_not_found(raw.status, raw.body)


def test_tutorial_api_version_is_404_through_the_sdk(emulator: EmulatorServer) -> None:
    assert TUTORIAL_API_VERSION == "2026-01-01-preview"
    client = azure_client(emulator.endpoint, api_version=TUTORIAL_API_VERSION)
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-5.1", messages=messages("hi"))
    assert caught.value.status_code == 404
    assert caught.value.body == {"code": "404", "message": "Resource not found"}


@pytest.mark.parametrize(
    ("suffix", "sent_path"),
    [
        ("openai", "/openai/openai/deployments/gpt-5.1/chat/completions"),
        ("openai/", "/openai/openai/deployments/gpt-5.1/chat/completions"),
        ("openai/v1/", "/openai/v1/openai/deployments/gpt-5.1/chat/completions"),
        ("openai/deployments/gpt-5.1", "/openai/deployments/gpt-5.1/openai/chat/completions"),
        (
            "openai/deployments/gpt-5.1/chat/completions",
            "/openai/deployments/gpt-5.1/chat/completions/openai/chat/completions",
        ),
    ],
)
def test_doubled_paths_from_a_wrong_azure_endpoint_are_404(
    emulator: EmulatorServer, suffix: str, sent_path: str
) -> None:
    """§1.4: a pasted endpoint with a path makes ``AzureOpenAI`` double it."""
    client = azure_client(emulator.endpoint + suffix)
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-5.1", messages=messages("hi"))
    assert caught.value.body == {"code": "404", "message": "Resource not found"}
    assert emulator.recorded()[-1].path == sent_path
    # And the raw bytes of the same mistake:
    raw = curl(
        emulator.endpoint.rstrip("/") + sent_path + "?api-version=2025-04-01-preview",
        headers=key_header(),
        body=user("hi"),
    )
    assert_resource_not_found(raw.status, raw.body)


def test_full_target_uri_as_endpoint_works_by_accident(emulator: EmulatorServer) -> None:
    """§1.4: the portal's Target URI with ``?api-version=`` ends up as the right URL."""
    target = f"{emulator.endpoint}openai/deployments/gpt-5.1/chat/completions?api-version=2025-04-01-preview"
    response = azure_client(target).chat.completions.create(model="gpt-5.1", messages=messages("hi"))
    assert response.model == "gpt-5.1-2025-11-13"


def test_openai_client_without_openai_v1_is_404(emulator: EmulatorServer) -> None:
    client = OpenAI(base_url=emulator.endpoint, api_key=DEMO_KEY, max_retries=0)
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-5.1", messages=messages("hi"))
    assert caught.value.body == {"code": "404", "message": "Resource not found"}
    assert emulator.recorded()[-1].path == "/chat/completions"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/"),
        ("GET", "/"),
        ("POST", "/openai"),
        ("POST", "/openai/chat/completions?api-version=2024-10-21"),
        ("POST", "/v1/chat/completions"),
        ("POST", "/openai/deployments/gpt-5.1/chat?api-version=2024-10-21"),
        ("POST", "/openai/deployments/chat/completions?api-version=2024-10-21"),
        ("GET", "/openai/deployments/gpt-5.1/chat/completions?api-version=2024-10-21"),
        ("GET", "/openai/v1/chat/completions"),
        ("POST", "/openai/v1/models"),
        ("GET", "/openai/deployments/gpt-5.1/models?api-version=2024-10-21"),
    ],
)
def test_anything_else_is_resource_not_found(emulator: EmulatorServer, method: str, path: str) -> None:
    raw = curl(emulator.endpoint.rstrip("/") + path, method=method, headers=key_header())
    assert_resource_not_found(raw.status, raw.body)


# ---------------------------------------------------------------------------------------------
# v1 route


@pytest.mark.parametrize("version", [None, "v1", "preview"])
def test_v1_route_accepts_no_version_v1_or_preview(emulator: EmulatorServer, version: str | None) -> None:
    body = {**user("hi"), "model": "gpt-5.1"}
    raw = curl(v1_url(emulator.endpoint, version), headers=key_header(), body=body)
    assert raw.status == 200
    assert raw.json()["model"] == "gpt-5.1-2025-11-13"


@pytest.mark.parametrize("version", ["2024-10-21", "2025-04-01-preview", TUTORIAL_API_VERSION])
def test_v1_route_with_a_dated_version_is_400(emulator: EmulatorServer, version: str) -> None:
    raw = curl(v1_url(emulator.endpoint, version), headers=key_header(), body={**user("hi"), "model": "gpt-5.1"})
    assert raw.status == 400
    assert raw.body == API_VERSION_NOT_SUPPORTED


def test_sdk_v1_client(emulator: EmulatorServer) -> None:
    response = v1_client(emulator.endpoint).chat.completions.create(model="gpt-4o-mini", messages=messages("hi"))
    assert response.model == "gpt-4o-mini-2024-07-18"
    last = emulator.recorded()[-1]
    assert (last.path, dict(last.query), last.auth) == ("/openai/v1/chat/completions", {}, "bearer")
    assert isinstance(last.body, dict) and last.body["model"] == "gpt-4o-mini"


def test_v1_without_model_is_400(emulator: EmulatorServer) -> None:
    raw = curl(v1_url(emulator.endpoint), headers=key_header(), body=user("hi"))
    assert raw.status == 400
    assert raw.json()["error"]["type"] == "invalid_request_error"


# ---------------------------------------------------------------------------------------------
# Model lists (§8)


def test_classic_models_list(emulator: EmulatorServer) -> None:
    raw = curl(f"{emulator.endpoint}openai/models?api-version=2024-10-21", method="GET", headers=key_header())
    assert raw.status == 200
    payload = raw.json()
    assert payload["object"] == "list"
    ids = [item["id"] for item in payload["data"]]
    assert {"gpt-5.1-2025-11-13", "gpt-4o-mini-2024-07-18", "text-embedding-3-small"} <= set(ids)
    for item in payload["data"]:
        assert item["object"] == "model"
        assert {"capabilities", "created_at", "lifecycle_status", "status"} <= set(item)
    embedding = next(item for item in payload["data"] if item["id"] == "text-embedding-3-small")
    assert embedding["capabilities"]["embeddings"] is True
    assert embedding["capabilities"]["chat_completion"] is False


def test_classic_models_needs_auth_and_api_version(emulator: EmulatorServer) -> None:
    base = f"{emulator.endpoint}openai/models"
    assert curl(f"{base}?api-version=2024-10-21", method="GET").status == 401
    assert curl(f"{base}?api-version=2024-10-21", method="GET", headers=key_header("nope")).body.startswith(
        b'{"error":{"code":"401"'
    )
    missing = curl(base, method="GET", headers=key_header())
    assert_resource_not_found(missing.status, missing.body)
    unknown = curl(f"{base}?api-version={TUTORIAL_API_VERSION}", method="GET", headers=key_header())
    assert_resource_not_found(unknown.status, unknown.body)


def test_v1_models_list(emulator: EmulatorServer) -> None:
    raw = curl(v1_url(emulator.endpoint, path="models"), method="GET", headers=bearer_header())
    assert raw.status == 200
    payload = raw.json()
    assert payload["object"] == "list"
    assert all(item["object"] == "model" and "id" in item and "owned_by" in item for item in payload["data"])
    assert "gpt-5.1-2025-11-13" in [item["id"] for item in payload["data"]]
    assert curl(v1_url(emulator.endpoint, path="models"), method="GET", headers=key_header()).status == 200
    assert curl(v1_url(emulator.endpoint, path="models"), method="GET").status == 401
    dated = curl(v1_url(emulator.endpoint, "2024-10-21", path="models"), method="GET", headers=key_header())
    assert (dated.status, dated.body) == (400, API_VERSION_NOT_SUPPORTED)


def test_sdk_model_lists(emulator: EmulatorServer) -> None:
    v1_ids = [model.id for model in v1_client(emulator.endpoint).models.list()]
    classic_ids = [model.id for model in azure_client(emulator.endpoint).models.list()]
    assert "gpt-4o-mini-2024-07-18" in v1_ids
    assert sorted(v1_ids) == sorted(classic_ids)
    assert emulator.recorded()[-1].path == "/openai/models"


# ---------------------------------------------------------------------------------------------
# Api-versions added by the user


def test_an_added_api_version_is_accepted() -> None:
    config = EmulatorConfig(tokens_per_second=0, api_versions=load_api_versions(["2025-05-01-preview"]))
    with EmulatorServer(config) as em:
        raw = curl(classic_url(em.endpoint, "gpt-5.1", "2025-05-01-preview"), headers=key_header(), body=user("hi"))
        assert raw.status == 200
        assert (
            curl(
                classic_url(em.endpoint, "gpt-5.1", "2025-06-01-preview"), headers=key_header(), body=user("hi")
            ).status
            == 404
        )


def test_the_default_emulator_does_not_know_that_version(emulator: EmulatorServer) -> None:
    raw = curl(classic_url(emulator.endpoint, "gpt-5.1", "2025-05-01-preview"), headers=key_header(), body=user("hi"))
    assert_resource_not_found(raw.status, raw.body)


def test_api_versions_added_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EXTRA_ENV, "2025-05-01-preview, 2025-06-01")
    assert EXTRA_ENV == "AOAI_LAB_EXTRA_API_VERSIONS"
    with EmulatorServer(EmulatorConfig(tokens_per_second=0)) as em:
        client = azure_client(em.endpoint, api_version="2025-05-01-preview")
        assert client.chat.completions.create(model="gpt-5.1", messages=messages("hi")).choices
        raw = curl(classic_url(em.endpoint, "gpt-4o-mini", "2025-06-01"), headers=key_header(), body=user("hi"))
        assert raw.status == 200
        assert (
            curl(classic_url(em.endpoint, "gpt-5.1", "2025-07-01"), headers=key_header(), body=user("hi")).status == 404
        )


# ---------------------------------------------------------------------------------------------
# Deployments


@pytest.mark.parametrize(
    ("deployment", "model"), [("gpt-5.1", "gpt-5.1-2025-11-13"), ("gpt-4o-mini", "gpt-4o-mini-2024-07-18")]
)
def test_default_deployments_answer_with_their_dated_model(
    emulator: EmulatorServer, deployment: str, model: str
) -> None:
    classic = azure_client(emulator.endpoint).chat.completions.create(model=deployment, messages=messages("hi"))
    v1 = v1_client(emulator.endpoint).chat.completions.create(model=deployment, messages=messages("hi"))
    assert classic.model == model
    assert v1.model == model


def test_embedding_deployment_cannot_chat(emulator: EmulatorServer) -> None:
    expected = operation_not_supported("text-embedding-3-small")
    classic = curl(classic_url(emulator.endpoint, "text-embedding-3-small"), headers=key_header(), body=user("hi"))
    assert (classic.status, classic.body) == (400, expected)
    body = {**user("hi"), "model": "text-embedding-3-small"}
    v1 = curl(v1_url(emulator.endpoint), headers=bearer_header(), body=body)
    assert (v1.status, v1.body) == (400, expected)
    with pytest.raises(openai.BadRequestError) as caught:
        azure_client(emulator.endpoint).chat.completions.create(model="text-embedding-3-small", messages=messages("hi"))
    assert caught.value.code == "OperationNotSupported"


@pytest.mark.parametrize("name", ["gpt-4o", "gpt-5", "my deployment", "GPT-5.1x"])
def test_unknown_deployment_on_the_classic_route(emulator: EmulatorServer, name: str) -> None:
    raw = curl(classic_url(emulator.endpoint, name), headers=key_header(), body=user("hi"))
    assert (raw.status, raw.reason) == (404, "DeploymentNotFound")
    assert raw.body == DEPLOYMENT_NOT_FOUND
    assert raw.headers["x-ms-region"] == "Korea Central"
    assert UUID.match(raw.headers["apim-request-id"])


def test_unknown_deployment_on_the_v1_route(emulator: EmulatorServer) -> None:
    raw = curl(v1_url(emulator.endpoint), headers=bearer_header(), body={**user("hi"), "model": "gpt-4o"})
    assert (raw.status, raw.reason, raw.body) == (404, "DeploymentNotFound", DEPLOYMENT_NOT_FOUND)
    assert raw.headers["x-ms-region"] == "Korea Central"
    # The catalog's dated ids are not deployment names either (§8).
    dated = curl(v1_url(emulator.endpoint), headers=bearer_header(), body={**user("hi"), "model": "gpt-5.1-2025-11-13"})
    assert (dated.status, dated.body) == (404, DEPLOYMENT_NOT_FOUND)


def test_unknown_deployment_through_both_sdk_clients(emulator: EmulatorServer) -> None:
    for client in (azure_client(emulator.endpoint), v1_client(emulator.endpoint)):
        with pytest.raises(openai.NotFoundError) as caught:
            client.chat.completions.create(model="gpt-4o", messages=messages("hi"))
        assert caught.value.code == "DeploymentNotFound"
