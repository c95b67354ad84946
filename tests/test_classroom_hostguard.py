"""The host guard: in classroom mode a typed endpoint reaches only public Azure OpenAI hosts."""

from __future__ import annotations

import pytest

from aoai_lab.classroom.config import DEFAULT_ALLOWED_HOSTS
from aoai_lab.classroom.hostguard import check_endpoint, host_matches, is_public, literal_address

PUBLIC = ["20.41.2.9"]


def public(host: str) -> list[str]:
    return PUBLIC


def test_an_azure_endpoint_on_https_passes() -> None:
    for endpoint in (
        "https://my-class.openai.azure.com/",
        "https://my-class.cognitiveservices.azure.com",
        "https://proj.services.ai.azure.com/",
        "https://MY-CLASS.OpenAI.Azure.com.:443/",
    ):
        assert check_endpoint(endpoint, DEFAULT_ALLOWED_HOSTS, public) is None, endpoint


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://my-class.openai.azure.com/",
        "http://127.0.0.1:8765/",
        "ftp://my-class.openai.azure.com/",
    ],
)
def test_anything_but_https_is_refused(endpoint: str) -> None:
    refusal = check_endpoint(endpoint, DEFAULT_ALLOWED_HOSTS, public)
    assert refusal is not None and refusal.code == "classroom_https_only"


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1/",
        "https://localhost/",
        "https://2130706433/",  # 127.0.0.1 in decimal
        "https://0x7f000001/",  # in hex
        "https://0x7f.1/",
        "https://0177.0.0.1/",  # in octal
        "https://127.1/",
        "https://[::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[fe80::1%25eth0]/",
        "https://169.254.169.254/",
        "https://metadata.google.internal/",
        "https://10.0.0.5/",
        "https://192.168.1.1/",
        "https://my-class.openai.azure.com:8501/",  # another port
        "https://user:pw@my-class.openai.azure.com/",
        "https://openai.azure.com.evil.example/",
        "https://evil-openai.azure.com.attacker.net/",
        "https://my-class.openai.azure.com:notaport/",
    ],
)
def test_this_machine_private_ranges_and_other_hosts_are_refused(endpoint: str) -> None:
    refusal = check_endpoint(endpoint, DEFAULT_ALLOWED_HOSTS, public)
    assert refusal is not None and refusal.code == "classroom_host_refused", endpoint


@pytest.mark.parametrize("address", ["127.0.0.1", "169.254.169.254", "10.1.2.3", "::1", "fd00::1", "::ffff:10.0.0.1"])
def test_a_public_name_that_resolves_inside_is_refused(address: str) -> None:
    refusal = check_endpoint("https://sneaky.openai.azure.com/", DEFAULT_ALLOWED_HOSTS, lambda host: [address])
    assert refusal is not None and refusal.code == "classroom_host_private"
    assert refusal.params == {"host": "sneaky.openai.azure.com", "address": address}


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    refusal = check_endpoint("https://x.openai.azure.com/", DEFAULT_ALLOWED_HOSTS, lambda host: [*PUBLIC, "127.0.0.1"])
    assert refusal is not None and refusal.code == "classroom_host_private"


def test_the_resolver_is_not_asked_about_refused_hosts() -> None:
    asked: list[str] = []

    def resolve(host: str) -> list[str]:
        asked.append(host)
        return PUBLIC

    check_endpoint("https://127.0.0.1/", DEFAULT_ALLOWED_HOSTS, resolve)
    check_endpoint("https://example.com/", DEFAULT_ALLOWED_HOSTS, resolve)
    assert asked == []


def test_patterns() -> None:
    assert host_matches("a.b.openai.azure.com", ["*.openai.azure.com"])
    assert not host_matches("openai.azure.com", ["*.openai.azure.com"])
    assert host_matches("my-class.openai.azure.com", ["my-class.openai.azure.com"])
    assert not host_matches("other.openai.azure.com", ["my-class.openai.azure.com"])


def test_literal_addresses_in_every_spelling() -> None:
    assert str(literal_address("2130706433")) == "127.0.0.1"
    assert str(literal_address("0x7f.1")) == "127.0.0.1"
    assert str(literal_address("[::1]")) == "::1"
    assert literal_address("my-class.openai.azure.com") is None
    assert is_public(literal_address("20.41.2.9"))  # type: ignore[arg-type]
    assert not is_public(literal_address("::ffff:169.254.169.254"))  # type: ignore[arg-type]
    assert not is_public(literal_address("2002:7f00:1::"))  # type: ignore[arg-type]  # 6to4 of 127.0.0.1
