"""Classroom configuration: defaults, both sources, and every bad value named in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from aoai_lab.classroom import demo_url
from aoai_lab.classroom.config import DEFAULT_ALLOWED_HOSTS, ClassroomConfig, ConfigError, is_host_pattern, load


def test_off_without_a_section_or_variables() -> None:
    assert load({}, {}) is None
    assert load({"azure_openai": {"endpoint": "https://x.openai.azure.com/"}}, {"PATH": "/bin"}) is None


def test_an_empty_section_turns_it_on_with_the_issue_defaults() -> None:
    config = load({"classroom": {}}, {})
    assert config == ClassroomConfig()
    assert (config.requests_per_minute, config.max_output_tokens, config.session_token_budget) == (10, 1024, 50_000)
    assert config.class_token_budget is None
    assert config.allowed_hosts == DEFAULT_ALLOWED_HOSTS


def test_environment_overrides_secrets_and_reads_numbers_and_lists() -> None:
    secrets = {"classroom": {"requests_per_minute": 5, "access_code": "from-secrets"}}
    environ = {
        "AOAI_LAB_CLASSROOM_REQUESTS_PER_MINUTE": "20",
        "AOAI_LAB_CLASSROOM_CLASS_TOKEN_BUDGET": "2_000_000",
        "AOAI_LAB_CLASSROOM_ALLOWED_HOSTS": "my-class.openai.azure.com, *.services.ai.azure.com",
        "AOAI_LAB_CLASSROOM_REDIS_URL": "redis://redis:6379/0",
    }
    config = load(secrets, environ)
    assert config is not None
    assert config.requests_per_minute == 20
    assert config.class_token_budget == 2_000_000
    assert config.access_code == "from-secrets"
    assert config.allowed_hosts == ("my-class.openai.azure.com", "*.services.ai.azure.com")
    assert config.redis_url == "redis://redis:6379/0"


def test_variables_alone_turn_it_on() -> None:
    config = load(None, {"AOAI_LAB_CLASSROOM_ACCESS_CODE": "sunny-42"})
    assert config is not None and config.access_code == "sunny-42"


def test_secrets_never_show_in_repr() -> None:
    config = load({"classroom": {"access_code": "sunny-42", "instructor_password": "teach-me-please"}}, {})
    assert "sunny-42" not in repr(config) and "teach-me-please" not in repr(config)


BAD: list[tuple[dict[str, Any], str, str]] = [
    ({"requests_per_minut": 10}, "requests_per_minut", "unknown_key"),
    ({"requests_per_minute": -1}, "requests_per_minute", "not_positive"),
    ({"max_output_tokens": 0}, "max_output_tokens", "not_positive"),
    ({"session_token_budget": "lots"}, "session_token_budget", "not_a_number"),
    ({"class_token_budget": True}, "class_token_budget", "not_a_number"),
    ({"class_token_budget": 1.5}, "class_token_budget", "not_a_number"),
    ({"allowed_hosts": ["https://x.openai.azure.com"]}, "allowed_hosts", "bad_host_pattern"),
    ({"allowed_hosts": ["10.0.0.1"]}, "allowed_hosts", "bad_host_pattern"),
    ({"allowed_hosts": ["*"]}, "allowed_hosts", "bad_host_pattern"),
    ({"allowed_hosts": ["x.openai.azure.com:443"]}, "allowed_hosts", "bad_host_pattern"),
    ({"allowed_hosts": []}, "allowed_hosts", "empty_list"),
    ({"allowed_hosts": 3}, "allowed_hosts", "not_a_list"),
    ({"instructor_password": "short"}, "instructor_password", "too_short"),
    ({"access_code": 1234}, "access_code", "not_text"),
    ({"demo_url": "ftp://x"}, "demo_url", "bad_url"),
    ({"redis_url": "http://redis:6379"}, "redis_url", "bad_url"),
]


@pytest.mark.parametrize(("section", "key", "problem"), BAD)
def test_bad_values_stop_with_the_key_named_in_both_languages(section: dict[str, Any], key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load({"classroom": section}, {})
    assert (caught.value.key, caught.value.problem) == (key, problem)
    message = caught.value.message()
    assert message.count(f"`{key}`") == 2  # once in Korean, once in English
    assert "수업 설정" in message and "did not start" in message
    assert "{" not in message


def test_a_bad_environment_variable_is_named_too() -> None:
    with pytest.raises(ConfigError) as caught:
        load(None, {"AOAI_LAB_CLASSROOM_REQUESTS": "5"})
    assert caught.value.key == "requests"


@pytest.mark.parametrize(
    ("pattern", "ok"),
    [
        ("*.openai.azure.com", True),
        ("my-class.openai.azure.com", True),
        ("*.com", False),  # a whole top-level domain is not a class allow-list
        ("localhost", False),
        ("*.*.azure.com", False),
        ("-bad.azure.com", False),
        ("a..b.com", False),
        ("127.0.0.1", False),
    ],
)
def test_host_patterns(pattern: str, ok: bool) -> None:
    assert is_host_pattern(pattern) is ok


def test_demo_url_for_the_code_page() -> None:
    assert demo_url({}, {}) is None
    assert demo_url({"classroom": {"demo_url": "http://127.0.0.1:8765/"}}, {}) == "http://127.0.0.1:8765/"
    assert demo_url({"classroom": {"demo_url": "nope"}}, {}) is None  # a bad config: the app shows why
