"""The connection a learner configures: endpoint, key, deployment, api-version and API style.

This module turns whatever was pasted into a clean :class:`Connection` (stripping quotes and
whitespace, splitting a full request URL into its parts) and loads one from ``.env``, the
environment or Streamlit secrets. Judging whether the values are *right* is ``preflight``'s job.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import SplitResult, parse_qs, quote, unquote, urlsplit

from dotenv import dotenv_values

ApiStyle = Literal["classic", "v1"]
Source = Literal["demo", "manual", "env", "secrets"]

# The names the openai SDK itself reads, plus the deployment (README, .env).
ENV_ENDPOINT = "AZURE_OPENAI_ENDPOINT"
ENV_KEY = "AZURE_OPENAI_API_KEY"
ENV_DEPLOYMENT = "AZURE_OPENAI_DEPLOYMENT"
ENV_API_VERSION = "OPENAI_API_VERSION"
ENV_STYLE = "AOAI_LAB_API_STYLE"
ENV_NAMES = (ENV_ENDPOINT, ENV_KEY, ENV_DEPLOYMENT, ENV_API_VERSION, ENV_STYLE)
# Server-held settings live in a secrets *section*: Streamlit copies root-level secrets into
# os.environ, where the SDK would silently pick the key up for every session.
SECRETS_SECTION = "azure_openai"
_SECRETS_FIELDS = {
    "endpoint": ENV_ENDPOINT,
    "api_key": ENV_KEY,
    "deployment": ENV_DEPLOYMENT,
    "api_version": ENV_API_VERSION,
    "style": ENV_STYLE,
}

# A DNS name is at most 253 characters (RFC 1035 §2.3.4); with a scheme, a port and a slash an
# endpoint is far below this. Longer input is a paste gone wrong, and is never echoed back whole.
MAX_ENDPOINT_LENGTH = 300
_QUOTES = "\"'`“”‘’<>"
_ASSIGNMENT = re.compile(r"^(?:export\s+)?[A-Z][A-Z0-9_]*\s*[=:]\s*")


@dataclass(frozen=True)
class Connection:
    """What is needed to call one deployment. The key never appears in ``repr``."""

    endpoint: str
    api_key: str = field(repr=False)
    deployment: str
    api_version: str
    style: ApiStyle = "classic"
    source: Source = "manual"

    @property
    def key_on_server(self) -> bool:
        """True when the key came from server configuration: never shown, never revealed."""
        return self.source in ("env", "secrets")

    @property
    def root(self) -> str:
        """The endpoint without its trailing slash (the portal shows one; URLs need none)."""
        return self.endpoint.rstrip("/")

    @property
    def host(self) -> str:
        """The endpoint's host name, or '' if it has none (or cannot be parsed)."""
        parts = safe_split(self.endpoint)
        return (parts.hostname or "") if parts else ""

    @property
    def v1_base_url(self) -> str:
        """The ``base_url`` for ``OpenAI(...)`` on the v1 API."""
        return f"{self.root}/openai/v1/"

    @property
    def chat_url(self) -> str:
        """The full chat completions URL this connection calls."""
        if self.style == "v1":
            query = f"?api-version={quote(self.api_version)}" if self.api_version else ""
            return f"{self.root}/openai/v1/chat/completions{query}"
        deployment = quote(self.deployment, safe="")
        return f"{self.root}/openai/deployments/{deployment}/chat/completions?api-version={quote(self.api_version)}"

    def with_values(self, **changes: str) -> Connection:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def safe_split(url: str) -> SplitResult | None:
    """``urlsplit(url)`` with its host and port readable, or None for a URL Python cannot parse.

    ``urlsplit`` raises ``ValueError`` for what learners really paste (``http://[::1``), and
    ``.port`` raises later for ``:99999`` or ``:abc``; callers get None instead of a traceback.
    """
    try:
        parts = urlsplit(url)
        _ = parts.hostname, parts.port
    except ValueError:
        return None
    return parts


def without_credentials(endpoint: str) -> tuple[str, bool]:
    """``endpoint`` without a ``user:password@`` before its host, and whether it had one."""
    scheme, sep, rest = endpoint.partition("://")
    if not sep:
        scheme, rest = "", endpoint
    authority_end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority = rest[:authority_end]
    if "@" not in authority:
        return endpoint, False
    stripped = authority.rpartition("@")[2] + rest[authority_end:]
    return (f"{scheme}://{stripped}" if sep else stripped), True


def display_endpoint(endpoint: str) -> str:
    """``endpoint`` fit to show or log: no ``user:password@``, no control characters, not too long."""
    text = "".join(ch if ch.isprintable() else "?" for ch in endpoint)
    scheme, sep, rest = text.partition("://")
    if sep:
        authority, slash, path = rest.partition("/")
        text = f"{scheme}://{authority.rpartition('@')[2]}{slash}{path}"
    return text if len(text) <= MAX_ENDPOINT_LENGTH else text[:60] + "…"


def url_host(hostname: str) -> str:
    """``hostname`` as written in a URL: an IPv6 literal keeps its brackets (``[::1]``)."""
    return f"[{hostname}]" if ":" in hostname else hostname


@dataclass(frozen=True)
class Normalised:
    """A connection cleaned from raw input, and what the cleaning did (as note codes)."""

    connection: Connection
    # (field, note) pairs: note ∈ stripped_whitespace, stripped_quotes, stripped_assignment,
    # stripped_credentials, split_url, split_resource_id
    notes: tuple[tuple[str, str], ...] = ()


def clean_value(raw: str) -> tuple[str, tuple[str, ...]]:
    """``raw`` without pasted whitespace, quotes or a leading ``NAME=``; and what was removed."""
    notes: list[str] = []
    value = raw
    if value != value.strip() or any(ch in value for ch in "\r\n\t"):
        notes.append("stripped_whitespace")
    value = re.sub(r"[\r\n\t]", "", value).strip()
    if _ASSIGNMENT.match(value):
        notes.append("stripped_assignment")
        value = _ASSIGNMENT.sub("", value, count=1).strip()
    stripped = value.strip(_QUOTES).strip()
    if stripped != value:
        notes.append("stripped_quotes")
        value = stripped
    return value, tuple(notes)


@dataclass(frozen=True)
class UrlParts:
    """What a pasted URL says: the resource endpoint and, if present, deployment, version, style."""

    endpoint: str
    deployment: str | None = None
    api_version: str | None = None
    style: ApiStyle | None = None


_DEPLOYMENT_PATH = re.compile(r"^/openai/deployments/(?P<deployment>[^/]+)(?:/.*)?$")
_V1_PATH = re.compile(r"^/openai/v1(?:/.*)?$")
_OPENAI_PATH = re.compile(r"^/openai/?$")


def split_url(url: str) -> UrlParts | None:
    """Split a full request URL pasted as the endpoint (``…/openai/deployments/X/…?api-version=Y``
    or ``…/openai/v1/…``); None when ``url`` is not such a URL."""
    parts = safe_split(url if "://" in url else f"https://{url}")
    if parts is None or not parts.hostname:
        return None
    scheme = parts.scheme if "://" in url else ""
    root = f"{scheme}://{parts.netloc}/" if scheme else f"{parts.netloc}/"
    version = parse_qs(parts.query).get("api-version", [None])[0]
    path = parts.path.rstrip("/") or "/"
    if match := _DEPLOYMENT_PATH.match(path):
        return UrlParts(root, unquote(match["deployment"]), version, "classic")
    if _V1_PATH.match(path):
        return UrlParts(root, None, version, "v1")
    if _OPENAI_PATH.match(path):
        return UrlParts(root, None, version, None)
    return None


_RESOURCE_ID_DEPLOYMENT = re.compile(
    r"/providers/Microsoft\.CognitiveServices/accounts/[^/]+/deployments/([^/?#]+)", re.I
)


def deployment_from_resource_id(value: str) -> str | None:
    """The deployment name inside a pasted ARM resource id, if it holds one."""
    match = _RESOURCE_ID_DEPLOYMENT.search(value)
    return match[1] if match else None


def from_input(
    endpoint: str,
    api_key: str,
    deployment: str,
    api_version: str,
    style: ApiStyle = "classic",
    source: Source = "manual",
) -> Normalised:
    """Clean raw field values into a :class:`Connection`, splitting a pasted full URL into parts.

    Values found in a pasted URL fill the other fields only where those are empty or disagree
    with the URL (the URL is what the learner copied most recently).
    """
    notes: list[tuple[str, str]] = []
    cleaned: dict[str, str] = {}
    for name, raw in (
        ("endpoint", endpoint),
        ("api_key", api_key),
        ("deployment", deployment),
        ("api_version", api_version),
    ):
        value, value_notes = clean_value(raw)
        cleaned[name] = value
        notes.extend((name, note) for note in value_notes)

    # A pasted "user:password@" never enters the Connection, so no page, log or snippet can
    # show it; the note makes pre-flight refuse the endpoint until the learner removes it.
    cleaned["endpoint"], had_credentials = without_credentials(cleaned["endpoint"])
    if had_credentials:
        notes.append(("endpoint", "stripped_credentials"))

    parts = split_url(cleaned["endpoint"])
    if parts and parts.endpoint.rstrip("/") != cleaned["endpoint"].rstrip("/"):
        cleaned["endpoint"] = parts.endpoint
        cleaned["deployment"] = parts.deployment or cleaned["deployment"]
        cleaned["api_version"] = parts.api_version or cleaned["api_version"]
        style = parts.style or style
        notes.append(("endpoint", "split_url"))

    from_id = deployment_from_resource_id(cleaned["deployment"])
    if from_id:
        cleaned["deployment"] = from_id
        notes.append(("deployment", "split_resource_id"))

    connection = Connection(
        endpoint=cleaned["endpoint"],
        api_key=cleaned["api_key"],
        deployment=cleaned["deployment"],
        api_version=cleaned["api_version"],
        style=style,
        source=source,
    )
    return Normalised(connection, tuple(notes))


def load_configured(
    *,
    dotenv_path: Path | None = Path(".env"),
    environ: Mapping[str, str] | None = None,
    secrets: Mapping[str, object] | None = None,
) -> Normalised | None:
    """The connection configured on this machine, or None when nothing is configured.

    Precedence, lowest first: ``.env`` file, environment variables, the ``[azure_openai]``
    section of Streamlit secrets. ``.env`` is read without touching ``os.environ``.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, str] = {}
    source: Source = "env"
    if dotenv_path is not None and dotenv_path.is_file():
        values |= {k: v for k, v in dotenv_values(dotenv_path).items() if k in ENV_NAMES and v}
    values |= {name: environ[name] for name in ENV_NAMES if environ.get(name)}
    section = (secrets or {}).get(SECRETS_SECTION)
    if isinstance(section, Mapping):
        from_secrets = {_SECRETS_FIELDS[k]: str(v) for k, v in section.items() if k in _SECRETS_FIELDS and v}
        if from_secrets:
            values |= from_secrets
            source = "secrets"
    if not any(values.get(name) for name in (ENV_ENDPOINT, ENV_KEY, ENV_DEPLOYMENT)):
        return None
    style: ApiStyle = "v1" if values.get(ENV_STYLE, "").strip().lower() == "v1" else "classic"
    return from_input(
        values.get(ENV_ENDPOINT, ""),
        values.get(ENV_KEY, ""),
        values.get(ENV_DEPLOYMENT, ""),
        values.get(ENV_API_VERSION, ""),
        style=style,
        source=source,
    )


def dotenv_text(connection: Connection, *, include_key: bool) -> str:
    """A ``.env`` file for ``connection`` (the key only when ``include_key``)."""
    key = connection.api_key if include_key else ""
    lines = [
        f"{ENV_ENDPOINT}={connection.endpoint}",
        f"{ENV_KEY}={key}",
        f"{ENV_DEPLOYMENT}={connection.deployment}",
        f"{ENV_API_VERSION}={connection.api_version}",
        f"{ENV_STYLE}={connection.style}",
    ]
    return "\n".join(lines) + "\n"


def from_form(
    endpoint: str,
    api_key: str,
    deployment: str,
    api_version: str,
    style: ApiStyle,
    *,
    configured: Connection | None,
    demo_root: str,
) -> Normalised:
    """The connection the connect page's fields describe.

    A typed key always wins. An empty key field falls back to the server-held key only when the
    endpoint is the configured one: the server's key must never be sent to an address a session
    typed (it could be anyone's server).
    """
    normalised = from_input(endpoint, api_key, deployment, api_version, style)
    conn = normalised.connection
    if not conn.api_key and configured is not None and configured.api_key and conn.root == configured.root:
        conn = replace(conn, api_key=configured.api_key, source=configured.source)
    elif conn.root == demo_root.rstrip("/"):
        conn = replace(conn, source="demo")
    return Normalised(conn, normalised.notes)
