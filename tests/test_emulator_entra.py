"""Keyless (Entra ID) auth on the emulator: the contract the Code page's Entra snippets rely on."""

from __future__ import annotations

import base64
import json

import openai
import pytest
from openai import AzureOpenAI, OpenAI

from aoai_lab.emulator import EmulatorServer
from aoai_lab.emulator.entra import demo_token, is_entra_token, token_claims
from tests.emulator_http import classic_url, curl, user

# §4.2 — what Azure answers for a missing/invalid/wrong-audience/expired token on the classic route.
TOKEN_REFUSED = (
    b'{"statusCode":401,"message":"Unauthorized. Access token is missing, invalid, audience is incorrect '
    b'(https://cognitiveservices.azure.com), or have expired."}'
)


def jwt(payload: dict[str, object]) -> str:
    def part(value: bytes) -> str:
        return base64.urlsafe_b64encode(value).rstrip(b"=").decode()

    return ".".join([part(b'{"alg":"RS256","typ":"JWT"}'), part(json.dumps(payload).encode()), part(b"sig")])


def test_demo_token_is_a_jwt_for_cognitive_services() -> None:
    token = demo_token(expires_in=60)
    claims = token_claims(token)
    assert claims is not None and claims["aud"] == "https://cognitiveservices.azure.com"
    assert is_entra_token(token)
    assert not is_entra_token(demo_token(expires_in=-1))


@pytest.mark.parametrize(
    ("token", "accepted"),
    [
        (jwt({"aud": "https://cognitiveservices.azure.com/", "exp": 4_000_000_000}), True),
        (jwt({"aud": "https://cognitiveservices.azure.com", "exp": 4_000_000_000}), True),
        (jwt({"aud": "https://management.azure.com/", "exp": 4_000_000_000}), False),
        (jwt({"aud": "https://cognitiveservices.azure.com", "exp": 1_000}), False),
        (jwt({"aud": "https://cognitiveservices.azure.com"}), False),
        (jwt({"aud": "https://cognitiveservices.azure.com", "exp": "never"}), False),
        ("00000000000000000000000000000000", False),
        ("a.b", False),
        ("!!!.@@@.###", False),
    ],
)
def test_which_tokens_pass(token: str, accepted: bool) -> None:
    assert is_entra_token(token) is accepted


def test_entra_snippet_classic_route(emulator: EmulatorServer) -> None:
    client = AzureOpenAI(
        azure_endpoint=emulator.endpoint,
        azure_ad_token_provider=demo_token,
        api_version="2025-04-01-preview",
        max_retries=0,
    )
    reply = client.chat.completions.create(model="gpt-5.1", messages=[{"role": "user", "content": "hi"}])
    assert reply.choices[0].message.content
    assert emulator.recorded()[-1].auth == "bearer"


def test_entra_snippet_v1_route(emulator: EmulatorServer) -> None:
    client = OpenAI(base_url=emulator.endpoint + "openai/v1/", api_key=demo_token(), max_retries=0)
    assert client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]).choices


def test_expired_or_foreign_tokens_are_refused_on_the_classic_route(emulator: EmulatorServer) -> None:
    url = classic_url(emulator.endpoint, "gpt-4o-mini")
    for token in (demo_token(expires_in=-10), jwt({"aud": "https://graph.microsoft.com", "exp": 4_000_000_000})):
        raw = curl(url, headers={"Authorization": f"Bearer {token}"}, body=user("hi"))
        assert (raw.status, raw.body) == (401, TOKEN_REFUSED)


def test_an_expired_token_on_v1_is_an_invalid_key(emulator: EmulatorServer) -> None:
    client = OpenAI(base_url=emulator.endpoint + "openai/v1/", api_key=demo_token(expires_in=-10), max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])


def test_keyless_auth_survives_disabled_key_auth(emulator: EmulatorServer) -> None:
    # disableLocalAuth turns keys off, not Entra ID (§4.2): the fault refuses only a key.
    url = classic_url(emulator.endpoint, "gpt-4o-mini")
    fault = {"x-emulator-fault": "key-disabled"}
    assert curl(url, headers={**fault, "Authorization": f"Bearer {demo_token()}"}, body=user("hi")).status == 200
    assert curl(url, headers={**fault, "api-key": "00000000000000000000000000000000"}, body=user("hi")).status == 403
