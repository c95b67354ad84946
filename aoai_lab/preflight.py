"""Pre-flight checks: what is wrong with the entered values, found without any network call.

Each check returns :class:`Finding` objects (error, warning or info), never raises. An error
stops the connection check before it sends anything; a warning is shown and the check goes on
(real Azure has the last word); info says what the cleaning did ("we split the URL you pasted").
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import SplitResult

from aoai_lab.advice import version_advice
from aoai_lab.classroom import seat as classroom_seat
from aoai_lab.connection import (
    MAX_ENDPOINT_LENGTH,
    Connection,
    Normalised,
    display_endpoint,
    safe_split,
    url_host,
)
from aoai_lab.diagnosis import Diagnosis, Evidence, Severity
from aoai_lab.models import looks_like_model_version
from aoai_lab.versions import TUTORIAL_API_VERSION, ApiVersions, load_api_versions

Field = str  # "endpoint" | "api_key" | "deployment" | "api_version"

AZURE_HOST_SUFFIXES = (
    ".openai.azure.com",
    ".cognitiveservices.azure.com",
    ".services.ai.azure.com",
    # sovereign clouds
    ".openai.azure.us",
    ".cognitiveservices.azure.us",
    ".openai.azure.cn",
    ".cognitiveservices.azure.cn",
)
PORTAL_HOSTS = (
    "portal.azure.com",
    "oai.azure.com",
    "ai.azure.com",
    "ml.azure.com",
    "portal.azure.us",
    "portal.azure.cn",
)
_LOOPBACK_NAMES = ("localhost",)

_HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")
# 84-character Cognitive Services key (reference §2: "legacy CASK", signature JQQJ99 … ACOG).
_CASK84 = re.compile(r"^[A-Za-z0-9]{52}JQQJ99[A-Za-z0-9][A-L][A-Za-z0-9]{12}AAA[A-Za-z0-9+/]ACOG[A-Za-z0-9]{4}$")
_MODEL_DATES = (
    "2023-03-01",
    "2023-06-13",
    "2023-11-06",
    "2024-01-25",
    "2024-04-09",
    "2024-05-13",
    "2024-07-18",
    "2024-08-06",
    "2024-09-12",
    "2024-11-20",
    "2024-12-17",
    "2025-01-31",
    "2025-04-14",
    "2025-04-16",
    "2025-08-07",
    "2025-11-13",
)  # model versions learners paste as api-version (gpt-4o 2024-05-13, gpt-5 2025-08-07, …)
_API_VERSION_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")
# The tutorial's own example values (azure-openai-tutorial.ko.md, step 4's Python and curl):
# learners run the snippet before replacing them with the values from step 3.
TUTORIAL_ENDPOINT = "https://my-aoai-lab.openai.azure.com/"
TUTORIAL_KEY = "x" * 32
TUTORIAL_DEPLOYMENT = "gpt-5.1"  # also the offline demo's deployment and the handouts' default
_TUTORIAL_HOST = "my-aoai-lab.openai.azure.com"
# Its key is 32 x; a few more or fewer is the same placeholder, miscounted.
_PLACEHOLDER_KEY = re.compile(r"^x{16,}$", re.I)


@dataclass(frozen=True)
class Finding:
    """One thing pre-flight noticed about one field."""

    code: str
    severity: Severity
    field_name: Field
    params: Mapping[str, str] = field(default_factory=dict)
    hints: tuple[str, ...] = ()

    def diagnosis(self) -> Diagnosis:
        """The finding as a diagnosis (to show in the same card)."""
        return Diagnosis(self.code, Evidence(detail=self.field_name), self.params, self.hints, self.severity)


def run(normalised: Normalised, versions: ApiVersions | None = None) -> list[Finding]:
    """Every finding for a cleaned connection: first what cleaning did, then each field's checks."""
    versions = versions or load_api_versions()
    connection = normalised.connection
    findings = [*_cleaning_findings(normalised)]
    # Classroom mode: a typed endpoint must be an allowed public Azure host; said first (aoai_lab/classroom).
    refused = classroom_seat.host_refusal(connection) if connection.endpoint else None
    if refused is not None:
        findings.append(Finding(refused.code, "error", "endpoint", refused.params))
    findings += check_endpoint(connection.endpoint) + check_tutorial_endpoint(connection.endpoint)
    findings += check_tutorial_key(connection.api_key) or check_key(connection.api_key)
    findings += check_deployment(connection.deployment)
    findings += check_api_version(connection, versions)
    return findings


def blocking(findings: list[Finding]) -> list[Finding]:
    """The findings that stop a connection check (errors)."""
    return [f for f in findings if f.severity == "error"]


def _cleaning_findings(normalised: Normalised) -> list[Finding]:
    """Info findings for what cleaning did; each carries one hint, the line the page shows."""
    connection = normalised.connection
    notes = dict.fromkeys(normalised.notes)  # one note per (field, kind), in order
    findings: list[Finding] = []
    for name, note in notes:
        if note == "stripped_credentials":
            # An error, not info: a password pasted into an address is a leak to fix at its source.
            host = url_host(connection.host) or "…"
            findings.append(Finding("endpoint_has_credentials", "error", name, {"host": host}))
        elif note == "split_url":
            shown = display_endpoint(connection.endpoint)  # never a pasted user:password@
            params = {"endpoint": shown, "suggestion": shown}
            findings.append(Finding("endpoint_has_path", "info", name, params, ("diag.hint.split_url",)))
        elif note == "split_resource_id":
            params = {"deployment": connection.deployment}
            findings.append(
                Finding("deployment_is_resource_id", "info", name, params, ("diag.hint.split_resource_id",))
            )
        elif name == "api_key":
            findings.append(Finding("key_whitespace", "info", name, {}, ("diag.hint.cleaned",)))
        else:
            findings.append(Finding("value_cleaned", "info", name, {"field": name}, ("diag.hint.value_cleaned",)))
    unique: dict[tuple[str, str], Finding] = {}
    for finding in findings:  # several cleanings of one value read as one note
        unique.setdefault((finding.code, finding.field_name), finding)
    return list(unique.values())


def is_loopback(host: str) -> bool:
    """True for this machine (the emulator runs here)."""
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_endpoint(endpoint: str) -> list[Finding]:
    """Findings for the endpoint value; the most specific mistake is reported first."""
    if not endpoint:
        return [Finding("endpoint_missing", "error", "endpoint")]
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        return [Finding("endpoint_too_long", "error", "endpoint", {"length": str(len(endpoint))})]
    if any(_is_control(ch) or ch.isspace() for ch in endpoint):
        return [Finding("endpoint_malformed", "error", "endpoint")]
    has_scheme = "://" in endpoint
    text = endpoint if has_scheme else "https://" + endpoint.lstrip("/")
    parts = safe_split(text)
    if parts is None:
        return [_unparsable(text)]
    if parts.username is not None or parts.password is not None:
        # Never echo what was before the "@": it is somebody's password.
        return [Finding("endpoint_has_credentials", "error", "endpoint", {"host": url_host(parts.hostname or "")})]
    host = (parts.hostname or "").lower()
    # What the address *is* matters more than how it is written: say "portal" before "no https://".
    if host in PORTAL_HOSTS or host.endswith(".portal.azure.com"):
        return [Finding("endpoint_is_portal", "error", "endpoint", {"host": host})]
    if "/api/projects/" in parts.path + "/":
        suggestion = f"https://{url_host(host)}/"
        return [Finding("endpoint_is_foundry_project", "error", "endpoint", {"suggestion": suggestion})]
    if host.endswith(".api.cognitive.microsoft.com"):
        return [Finding("endpoint_regional", "error", "endpoint", {"host": host})]
    typo = _host_typo(host)
    if typo:
        return [Finding("endpoint_host_typo", "error", "endpoint", {"host": host, "suggestion": f"https://{typo}/"})]
    netloc = _netloc(parts)
    if not has_scheme or not host or parts.scheme not in ("http", "https"):
        suggestion = f"https://{netloc}/" if host else "https://…"
        return [Finding("endpoint_missing_scheme", "error", "endpoint", {"suggestion": suggestion})]
    findings: list[Finding] = []
    if parts.scheme == "http" and not is_loopback(host):
        findings.append(Finding("endpoint_insecure", "error", "endpoint", {"suggestion": f"https://{netloc}/"}))
    if parts.path.strip("/") or parts.query:
        suggestion = f"{parts.scheme}://{netloc}/"
        findings.append(Finding("endpoint_has_path", "error", "endpoint", {"suggestion": suggestion}))
    if not is_loopback(host) and not host.endswith(AZURE_HOST_SUFFIXES):
        findings.append(Finding("endpoint_not_azure", "warning", "endpoint", {"host": host}))
    return findings


def _is_control(ch: str) -> bool:
    """NUL, bell, escape, … (Unicode category Cc): never part of a URL or a key."""
    return unicodedata.category(ch) == "Cc"


def _netloc(parts: SplitResult) -> str:
    """Host and port as written in a URL, without any ``user:password@`` (IPv6 keeps brackets)."""
    host = url_host(parts.hostname or "")
    return f"{host}:{parts.port}" if parts.port is not None else host


def _unparsable(text: str) -> Finding:
    """The finding for an endpoint Python's URL parser rejects: a bad port, or a broken address."""
    netloc = text.partition("://")[2].partition("/")[0].rpartition("@")[2]
    host, colon, port = netloc.rpartition(":")
    if colon and "]" not in port and (host.endswith("]") or "[" not in host):
        # Only the port is wrong (":99999", ":abc"): say so, quoting at most a short port.
        shown = port if port.isascii() and port.isalnum() and len(port) <= 6 else "…"
        return Finding("endpoint_bad_port", "error", "endpoint", {"port": shown})
    return Finding("endpoint_malformed", "error", "endpoint")


def _host_typo(host: str) -> str | None:
    """A corrected host for common misspellings of an Azure OpenAI host, else None."""
    if host.endswith(".azure.openai.com"):  # swapped parts, as in the SDK's own docstring (§1.3)
        return host.removesuffix(".azure.openai.com") + ".openai.azure.com"
    if host.endswith(AZURE_HOST_SUFFIXES) or is_loopback(host):
        return None
    name, _, rest = host.partition(".")
    # e.g. "openai.azure.co", "openai.azur.com", "openai-azure.com", "openaiazure.com"
    squashed = re.sub(r"[^a-z]", "", rest)
    if name and squashed in ("openaiazurecom", "openaiazureco", "openaiazurcom", "openaiazurecon", "azureopenaicom"):
        return f"{name}.openai.azure.com"
    if name and squashed in ("cognitiveservicesazurecom", "cognitiveserviceazurecom"):
        return f"{name}.cognitiveservices.azure.com"
    return None


def check_key(key: str) -> list[Finding]:
    """Findings for the API key (format problems are warnings: Azure decides)."""
    if not key:
        return [Finding("key_missing", "error", "api_key")]
    if key.startswith("sk-"):
        return [Finding("key_openai_format", "error", "api_key")]
    if any(ch.isspace() for ch in key):
        return [Finding("key_whitespace", "error", "api_key")]
    # A header value cannot hold these: the SDK would fail with 'Connection error.' or a
    # UnicodeEncodeError, which reads like a network problem. The key itself is never quoted.
    if any(_is_control(ch) for ch in key):
        return [Finding("key_control_char", "error", "api_key")]
    if not key.isascii():
        return [Finding("key_not_ascii", "error", "api_key")]
    if not (_HEX32.match(key) or _CASK84.match(key)):
        return [Finding("key_format_unusual", "warning", "api_key", {"length": str(len(key))})]
    return []


def check_tutorial_key(key: str) -> list[Finding]:
    """The tutorial's placeholder key (``xxxx…``): an error, no Azure key looks like it."""
    if _PLACEHOLDER_KEY.match(key):
        return [Finding("key_is_tutorial_example", "error", "api_key")]
    return []


def check_tutorial_endpoint(endpoint: str) -> list[Finding]:
    """The tutorial's example endpoint: a warning, since one learner may really own that name."""
    parts = safe_split(endpoint if "://" in endpoint else "https://" + endpoint.lstrip("/"))
    # An address that cannot be parsed is check_endpoint's to explain.
    if parts is not None and (parts.hostname or "").lower() == _TUTORIAL_HOST:
        return [Finding("endpoint_is_tutorial_example", "warning", "endpoint", {"endpoint": TUTORIAL_ENDPOINT})]
    return []


def check_deployment(deployment: str) -> list[Finding]:
    """Findings for the deployment name."""
    if not deployment:
        return [Finding("deployment_missing", "error", "deployment")]
    if deployment.lower().startswith("/subscriptions/") or "/providers/" in deployment.lower():
        return [Finding("deployment_is_resource_id", "error", "deployment")]
    if looks_like_model_version(deployment):
        return [Finding("deployment_is_model_version", "warning", "deployment", {"deployment": deployment})]
    return []


def check_api_version(connection: Connection, versions: ApiVersions) -> list[Finding]:
    """Findings for the api-version, which depend on the API style."""
    version = connection.api_version
    advice = version_advice(connection.deployment, versions=versions)
    # The recommendation fits the deployment's family (gpt-5.1 must not be told 2024-10-21).
    latest = {**advice.params(), "deployment": connection.deployment}
    if connection.style == "v1":
        if version and not versions.is_v1(version):
            return [Finding("api_version_on_v1", "error", "api_version", {"api_version": version})]
        return []
    if not version:
        return [Finding("api_version_missing", "error", "api_version", latest, (advice.hint,))]
    if versions.is_known(version):
        return []
    if _is_model_version(version):
        params = {"api_version": version, **latest}
        return [Finding("api_version_is_model_version", "error", "api_version", params, (advice.hint,))]
    tutorial = ("diag.hint.tutorial_api_version",) if version == TUTORIAL_API_VERSION else ()
    hints = (*tutorial, advice.hint)
    return [Finding("api_version_unknown", "warning", "api_version", {"api_version": version, **latest}, hints)]


def _is_model_version(version: str) -> bool:
    if not _API_VERSION_SHAPE.match(version):
        return looks_like_model_version(version)
    return version[:10] in _MODEL_DATES and not version.endswith("-preview")
