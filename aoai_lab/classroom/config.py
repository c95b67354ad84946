"""Classroom mode's configuration: the ``[classroom]`` secrets section and ``AOAI_LAB_CLASSROOM_*``.

Classroom mode is on when either source names any key. Environment variables (for containers)
override the secrets file. Every value is validated before anything starts: a bad one raises
:class:`ConfigError`, which names the key and reads in Korean and English — the app shows it and
stops, so a class never runs half-configured (an unknown key is most often a typo of a limit).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aoai_lab.i18n import LANGS, t

SECTION = "classroom"
ENV_PREFIX = "AOAI_LAB_CLASSROOM_"
# Azure OpenAI's endpoint host names (the portal's "Keys and Endpoint" and AI Foundry):
# https://learn.microsoft.com/azure/ai-foundry/openai/reference#rest-api-versioning
DEFAULT_ALLOWED_HOSTS = ("*.openai.azure.com", "*.cognitiveservices.azure.com", "*.services.ai.azure.com")
MIN_PASSWORD = 8  # the instructor page is on the internet: a password shorter than this is refused

_INT_KEYS = ("requests_per_minute", "max_output_tokens", "session_token_budget", "class_token_budget")
_STR_KEYS = ("access_code", "instructor_password", "demo_url", "redis_url")
KEYS = (*_STR_KEYS, *_INT_KEYS, "allowed_hosts")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class ConfigError(Exception):
    """A classroom setting that cannot be used; ``message()`` names the key, in both languages."""

    def __init__(self, key: str, problem: str, **params: object) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem
        self.params = {k: str(v) for k, v in params.items()}

    def message(self) -> str:
        """Korean, then English, each naming the key (the app shows both: no session language yet)."""
        return "\n\n".join(
            t(f"classroom.config.{self.problem}", lang, setting=self.key, **self.params) for lang in LANGS
        )


@dataclass(frozen=True)
class ClassroomConfig:
    """Validated classroom settings (the limits, the host list and the optional shared services)."""

    access_code: str | None = field(default=None, repr=False)
    instructor_password: str | None = field(default=None, repr=False)
    requests_per_minute: int = 10
    max_output_tokens: int = 1024
    session_token_budget: int = 50_000
    class_token_budget: int | None = None
    allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS
    demo_url: str | None = None
    redis_url: str | None = field(default=None, repr=False)  # may hold a Redis password


def raw_settings(secrets: Mapping[str, Any] | None, environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The merged raw settings (environment over secrets), or None when classroom mode is off."""
    section = (secrets or {}).get(SECTION)
    found = section is not None
    values: dict[str, Any] = {}
    if found:
        if not isinstance(section, Mapping):
            raise ConfigError(SECTION, "not_a_table")
        values.update(section)
    for name, value in environ.items():
        if name.startswith(ENV_PREFIX):
            found = True
            # An empty variable means "not set" (compose's ${NAME:-} passes empty values along).
            if value.strip():
                values[name.removeprefix(ENV_PREFIX).lower()] = value
    return values if found else None


def parse(values: Mapping[str, Any]) -> ClassroomConfig:
    """Validate raw settings; the first problem raises :class:`ConfigError` naming its key."""
    for key in values:
        if key not in KEYS:
            raise ConfigError(key, "unknown_key", known=", ".join(KEYS))
    strings = {key: _string(key, values[key]) for key in _STR_KEYS if key in values}
    numbers = {key: _positive_int(key, values[key]) for key in _INT_KEYS if key in values}
    password = strings.get("instructor_password")
    if password is not None and len(password) < MIN_PASSWORD:
        raise ConfigError("instructor_password", "too_short", length=MIN_PASSWORD)
    for key, schemes in (("demo_url", ("http", "https")), ("redis_url", ("redis", "rediss", "unix"))):
        url = strings.get(key)
        if url is not None:
            _check_url(key, url, schemes)
    hosts = parse_host_patterns(values["allowed_hosts"]) if "allowed_hosts" in values else DEFAULT_ALLOWED_HOSTS
    return ClassroomConfig(
        access_code=strings.get("access_code"),
        instructor_password=password,
        requests_per_minute=numbers.get("requests_per_minute", 10),
        max_output_tokens=numbers.get("max_output_tokens", 1024),
        session_token_budget=numbers.get("session_token_budget", 50_000),
        class_token_budget=numbers.get("class_token_budget"),
        allowed_hosts=hosts,
        demo_url=strings.get("demo_url"),
        redis_url=strings.get("redis_url"),
    )


def load(secrets: Mapping[str, Any] | None, environ: Mapping[str, str]) -> ClassroomConfig | None:
    """The classroom configuration, or None when classroom mode is off; raises :class:`ConfigError`."""
    values = raw_settings(secrets, environ)
    return None if values is None else parse(values)


def _string(key: str, value: Any) -> str | None:
    if not isinstance(value, str):
        raise ConfigError(key, "not_text")
    value = value.strip()
    return value or None  # an empty value means "not set" (handy with compose variables)


def _positive_int(key: str, value: Any) -> int:
    if isinstance(value, bool):  # TOML true would otherwise read as 1
        raise ConfigError(key, "not_a_number", value=value)
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        if not re.fullmatch(r"-?\d+", text):
            raise ConfigError(key, "not_a_number", value=value)
        value = int(text)
    if not isinstance(value, int):
        raise ConfigError(key, "not_a_number", value=value)
    if value < 1:
        raise ConfigError(key, "not_positive", value=value)
    return value


def _check_url(key: str, value: str, schemes: tuple[str, ...]) -> None:
    parts = urlsplit(value)
    if parts.scheme not in schemes or (parts.scheme != "unix" and not parts.hostname):
        raise ConfigError(key, "bad_url", schemes=", ".join(f"{s}://" for s in schemes))


def parse_host_patterns(value: Any) -> tuple[str, ...]:
    """``allowed_hosts`` as a list (TOML) or comma-separated text (environment), each checked."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ConfigError("allowed_hosts", "not_a_list")
    patterns = []
    for item in items:
        pattern = str(item).strip().lower().rstrip(".")
        if not pattern:
            continue
        if not is_host_pattern(pattern):
            raise ConfigError("allowed_hosts", "bad_host_pattern", pattern=item)
        patterns.append(pattern)
    if not patterns:
        raise ConfigError("allowed_hosts", "empty_list")
    return tuple(patterns)


def is_host_pattern(pattern: str) -> bool:
    """A DNS name, optionally led by ``*.`` (one wildcard label); at least a name and a TLD."""
    name = pattern.removeprefix("*.")
    labels = name.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return False
    # A numeric top level domain would make an address ("10.0.0.1"), which is never a host name.
    return not labels[-1].isdigit()
