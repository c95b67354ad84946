"""Authentication (reference §2, §4.1, §4.2) and where it sits in the order of checks (§9)."""

from __future__ import annotations

import openai
import pytest

from aoai_lab.emulator import DEMO_KEY, DEMO_KEY_2, EmulatorConfig, EmulatorServer
from tests.emulator_http import (
    INVALID_KEY,
    RESOURCE_NOT_FOUND,
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

# §2 / §4.2 — not the usual {"error": …} envelope.
BEARER_ON_CLASSIC = (
    b'{"statusCode":401,"message":"Unauthorized. Access token is missing, invalid, audience is incorrect '
    b'(https://cognitiveservices.azure.com), or have expired."}'
)
WRONG_KEY = "f" * 32  # a well-formed key that is not this resource's


def v1_body(text: str = "hi", model: str = "gpt-4o-mini") -> dict[str, object]:
    return {**user(text), "model": model}


@pytest.mark.parametrize("key", [DEMO_KEY, DEMO_KEY_2])
def test_api_key_header_on_both_routes(emulator: EmulatorServer, key: str) -> None:
    assert curl(classic_url(emulator.endpoint, "gpt-4o-mini"), headers=key_header(key), body=user("hi")).status == 200
    assert curl(v1_url(emulator.endpoint), headers=key_header(key), body=v1_body()).status == 200


def test_bearer_key_is_accepted_on_v1(emulator: EmulatorServer) -> None:
    raw = curl(v1_url(emulator.endpoint), headers=bearer_header(), body=v1_body())
    assert raw.status == 200
    assert emulator.recorded()[-1].auth == "bearer"


def test_bearer_key_only_on_the_classic_route_is_401(emulator: EmulatorServer) -> None:
    raw = curl(classic_url(emulator.endpoint, "gpt-4o-mini"), headers=bearer_header(), body=user("hi"))
    assert raw.status == 401
    assert raw.body == BEARER_ON_CLASSIC
    assert "x-ms-region" not in raw.headers


def test_wrong_key_is_the_exact_224_byte_401(emulator: EmulatorServer) -> None:
    raw = curl(classic_url(emulator.endpoint, "gpt-4o-mini"), headers=key_header(WRONG_KEY), body=user("hi"))
    assert (raw.status, raw.reason) == (401, "PermissionDenied")
    assert raw.body == INVALID_KEY
    assert len(raw.body) == 224 == int(raw.headers["content-length"])
    assert raw.headers["content-type"] == "application/json"
    assert "x-ms-region" not in raw.headers
    assert "apim-request-id" in raw.headers


def test_wrong_key_as_bearer_on_v1_is_the_same_401(emulator: EmulatorServer) -> None:
    raw = curl(v1_url(emulator.endpoint), headers=bearer_header(WRONG_KEY), body=v1_body())
    assert (raw.status, raw.reason, raw.body) == (401, "PermissionDenied", INVALID_KEY)
    assert "x-ms-region" not in raw.headers


@pytest.mark.parametrize(
    "foreign", ["sk-" + "proj-demo", "k", DEMO_KEY + "0", DEMO_KEY[:-1], DEMO_KEY_2.replace("1", "I")]
)
def test_foreign_keys_are_refused(emulator: EmulatorServer, foreign: str) -> None:
    raw = curl(classic_url(emulator.endpoint, "gpt-4o-mini"), headers=key_header(foreign), body=user("hi"))
    assert (raw.status, raw.body) == (401, INVALID_KEY)


def test_sdk_wrong_key_raises_authentication_error(emulator: EmulatorServer) -> None:
    for client in (azure_client(emulator.endpoint, key=WRONG_KEY), v1_client(emulator.endpoint, key=WRONG_KEY)):
        with pytest.raises(openai.AuthenticationError) as caught:
            client.chat.completions.create(model="gpt-4o-mini", messages=messages("hi"))
        assert caught.value.status_code == 401
        assert caught.value.code == "401"


@pytest.mark.parametrize("route", ["classic", "v1"])
def test_both_headers_authenticate_on_api_key(emulator: EmulatorServer, route: str) -> None:
    """openai-python < 2.34 sends api-key and Bearer together (§1.4); api-key decides."""
    url = classic_url(emulator.endpoint, "gpt-4o-mini") if route == "classic" else v1_url(emulator.endpoint)
    body = user("hi") if route == "classic" else v1_body()
    good_key = curl(url, headers={**key_header(), **bearer_header(WRONG_KEY)}, body=body)
    assert good_key.status == 200
    assert emulator.recorded()[-1].auth == "both"
    bad_key = curl(url, headers={**key_header(WRONG_KEY), **bearer_header()}, body=body)
    assert (bad_key.status, bad_key.body) == (401, INVALID_KEY)


@pytest.mark.parametrize("route", ["classic", "v1", "classic-models", "v1-models"])
def test_no_auth_at_all_is_401(emulator: EmulatorServer, route: str) -> None:
    method, url, body = {
        "classic": ("POST", classic_url(emulator.endpoint, "gpt-4o-mini"), user("hi")),
        "v1": ("POST", v1_url(emulator.endpoint), v1_body()),
        "classic-models": ("GET", f"{emulator.endpoint}openai/models?api-version=2024-10-21", None),
        "v1-models": ("GET", v1_url(emulator.endpoint, path="models"), None),
    }[route]
    raw = curl(url, method=method, body=body)
    assert raw.status == 401
    assert raw.json()["error"]["code"] == "401"
    assert "x-ms-region" not in raw.headers
    assert emulator.recorded()[-1].auth == "none"


def test_route_and_api_version_are_checked_before_the_key(emulator: EmulatorServer) -> None:
    """§9: a wrong key on a wrong route or version still gets the 404."""
    unknown_version = classic_url(emulator.endpoint, "gpt-4o-mini", "2026-01-01-preview")
    raw = curl(unknown_version, headers=key_header(WRONG_KEY), body=user("hi"))
    assert (raw.status, raw.body) == (404, RESOURCE_NOT_FOUND)
    doubled = f"{emulator.endpoint}openai/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"
    assert curl(doubled, body=user("hi")).body == RESOURCE_NOT_FOUND


def test_key_is_checked_before_the_deployment(emulator: EmulatorServer) -> None:
    """§9: an unknown deployment with a wrong key is a 401, not a DeploymentNotFound."""
    raw = curl(classic_url(emulator.endpoint, "no-such-deployment"), headers=key_header(WRONG_KEY), body=user("hi"))
    assert (raw.status, raw.body) == (401, INVALID_KEY)


def test_custom_keys_replace_the_demo_keys() -> None:
    custom = "0123456789abcdef" * 2
    with EmulatorServer(EmulatorConfig(api_keys=(custom,), tokens_per_second=0)) as em:
        url = classic_url(em.endpoint, "gpt-4o-mini")
        assert curl(url, headers=key_header(custom), body=user("hi")).status == 200
        assert curl(url, headers=key_header(DEMO_KEY), body=user("hi")).body == INVALID_KEY
        response = v1_client(em.endpoint, key=custom).chat.completions.create(model="gpt-5.1", messages=messages("hi"))
        assert response.choices
