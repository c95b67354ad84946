"""Pre-flight checks and input cleaning, on a corpus of the malformed values learners paste."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from aoai_lab.connection import from_input, load_configured, split_url
from aoai_lab.i18n import LANGS
from aoai_lab.preflight import blocking, run
from tests.test_i18n import UNFILLED

HEX_KEY = "0123456789abcdef0123456789ABCDEF"
# The 84-character key layout from reference §2, built here so no file holds a key-shaped literal.
CASK_KEY = "A" * 52 + "JQQ" + "J99" + "x" + "B" + "c" * 12 + "AAAB" + "ACOG" + "1234"
# Not the tutorial's own example endpoint (my-aoai-lab), which pre-flight names as such.
ENDPOINT = "https://my-lab-resource.openai.azure.com/"


@dataclass(frozen=True)
class Case:
    """One pasted input and what pre-flight must make of it."""

    endpoint: str = ENDPOINT
    key: str = HEX_KEY
    deployment: str = "gpt-5.1"
    api_version: str = "2024-10-21"
    style: str = "classic"
    # codes that must be found (code, severity)
    expect: tuple[tuple[str, str], ...] = ()
    # cleaned values that must result
    fixed_endpoint: str | None = None
    fixed_deployment: str | None = None
    fixed_api_version: str | None = None
    fixed_key: str | None = None
    fixed_style: str | None = None


FULL_URL = ENDPOINT + "openai/deployments/gpt-5.1/chat/completions?api-version=2025-04-01-preview"
CORPUS: list[Case] = [
    # --- clean values: nothing to say
    Case(),
    Case(key=CASK_KEY),
    Case(endpoint="https://my-aoai-lab.cognitiveservices.azure.com/"),
    Case(endpoint="https://my-aoai-lab.services.ai.azure.com/"),
    Case(endpoint="https://my-aoai-lab.openai.azure.com"),  # no trailing slash is fine
    Case(endpoint="http://127.0.0.1:8765/", api_version="2025-04-01-preview"),
    Case(style="v1", api_version=""),
    Case(style="v1", api_version="preview"),
    # --- whitespace, quotes and assignments pasted around values
    Case(endpoint="  " + ENDPOINT + "\n", expect=(("value_cleaned", "info"),), fixed_endpoint=ENDPOINT),
    Case(endpoint=f'"{ENDPOINT}"', expect=(("value_cleaned", "info"),), fixed_endpoint=ENDPOINT),
    Case(endpoint=f"'{ENDPOINT}'", fixed_endpoint=ENDPOINT),
    Case(endpoint=f"AZURE_OPENAI_ENDPOINT={ENDPOINT}", fixed_endpoint=ENDPOINT),
    Case(endpoint=f'export AZURE_OPENAI_ENDPOINT="{ENDPOINT}"', fixed_endpoint=ENDPOINT),
    Case(key=HEX_KEY + "\n", expect=(("key_whitespace", "info"),), fixed_key=HEX_KEY),
    Case(key=" " + HEX_KEY + " ", expect=(("key_whitespace", "info"),), fixed_key=HEX_KEY),
    Case(key=f'"{HEX_KEY}"', expect=(("key_whitespace", "info"),), fixed_key=HEX_KEY),
    Case(key=HEX_KEY + "\r\n", fixed_key=HEX_KEY),
    Case(key=f"AZURE_OPENAI_API_KEY={HEX_KEY}", fixed_key=HEX_KEY),
    Case(key="0123456789abcdef 0123456789ABCDEF", expect=(("key_whitespace", "error"),)),
    Case(deployment=" gpt-5.1\t", expect=(("value_cleaned", "info"),), fixed_deployment="gpt-5.1"),
    Case(api_version="“2024-10-21”", fixed_api_version="2024-10-21"),
    Case(api_version="api-version=2024-10-21", expect=(), fixed_api_version="api-version=2024-10-21"),
    # --- full URLs pasted as the endpoint
    Case(
        endpoint=FULL_URL,
        deployment="",
        api_version="",
        expect=(("endpoint_has_path", "info"),),
        fixed_endpoint=ENDPOINT,
        fixed_deployment="gpt-5.1",
        fixed_api_version="2025-04-01-preview",
    ),
    Case(endpoint=FULL_URL, deployment="other", fixed_deployment="gpt-5.1"),
    Case(
        endpoint=ENDPOINT + "openai/deployments/my%20dep/chat/completions?api-version=2024-10-21",
        fixed_deployment="my dep",
    ),
    Case(
        endpoint=ENDPOINT + "openai/v1/chat/completions",
        api_version="",
        fixed_endpoint=ENDPOINT,
        fixed_style="v1",
    ),
    Case(
        endpoint=ENDPOINT + "openai/v1/",
        api_version="",
        fixed_endpoint=ENDPOINT,
        fixed_style="v1",
    ),
    Case(endpoint=ENDPOINT + "openai", fixed_endpoint=ENDPOINT),
    Case(endpoint=ENDPOINT + "openai/", fixed_endpoint=ENDPOINT),
    Case(
        endpoint=ENDPOINT + "openai/deployments/gpt-4o/chat/completions",
        fixed_deployment="gpt-4o",
        fixed_api_version="2024-10-21",
    ),
    Case(
        endpoint=ENDPOINT + "openai/v1/chat/completions?api-version=2024-10-21",
        expect=(("api_version_on_v1", "error"),),
        fixed_style="v1",
    ),
    Case(endpoint=ENDPOINT + "models", expect=(("endpoint_has_path", "error"),)),
    Case(endpoint=ENDPOINT + "?foo=bar", expect=(("endpoint_has_path", "error"),)),
    # --- the wrong kind of address
    Case(endpoint="my-aoai-lab.openai.azure.com", expect=(("endpoint_missing_scheme", "error"),)),
    Case(
        endpoint="my-aoai-lab.openai.azure.com/openai/deployments/x/chat/completions?api-version=2024-10-21",
        expect=(("endpoint_has_path", "info"), ("endpoint_missing_scheme", "error")),
        fixed_deployment="x",
    ),
    Case(endpoint="http://my-aoai-lab.openai.azure.com/", expect=(("endpoint_insecure", "error"),)),
    Case(endpoint="https://portal.azure.com/#@contoso/resource/x/overview", expect=(("endpoint_is_portal", "error"),)),
    Case(endpoint="portal.azure.com", expect=(("endpoint_is_portal", "error"),)),
    Case(endpoint="https://oai.azure.com/portal/abc/deployment", expect=(("endpoint_is_portal", "error"),)),
    Case(endpoint="https://ai.azure.com/build/deployments", expect=(("endpoint_is_portal", "error"),)),
    Case(endpoint="https://ml.azure.com/", expect=(("endpoint_is_portal", "error"),)),
    Case(endpoint="https://eastus.api.cognitive.microsoft.com/", expect=(("endpoint_regional", "error"),)),
    Case(endpoint="https://koreacentral.api.cognitive.microsoft.com", expect=(("endpoint_regional", "error"),)),
    Case(endpoint="https://my-aoai-lab.azure.openai.com/", expect=(("endpoint_host_typo", "error"),)),
    Case(endpoint="https://my-aoai-lab.openai.azure.co/", expect=(("endpoint_host_typo", "error"),)),
    Case(endpoint="https://my-aoai-lab.openai-azure.com/", expect=(("endpoint_host_typo", "error"),)),
    Case(endpoint="https://my-aoai-lab.openai.azur.com/", expect=(("endpoint_host_typo", "error"),)),
    Case(
        endpoint="https://api.openai.com/v1", expect=(("endpoint_not_azure", "warning"), ("endpoint_has_path", "error"))
    ),
    Case(endpoint="https://gateway.contoso.com/", expect=(("endpoint_not_azure", "warning"),)),
    Case(
        endpoint="https://my-hub.services.ai.azure.com/api/projects/my-project",
        expect=(("endpoint_is_foundry_project", "error"),),
    ),
    Case(endpoint="", expect=(("endpoint_missing", "error"),)),
    Case(endpoint="ftp://my-aoai-lab.openai.azure.com/", expect=(("endpoint_missing_scheme", "error"),)),
    # --- keys
    Case(key="", expect=(("key_missing", "error"),)),
    Case(key="sk-proj-" + "a" * 40, expect=(("key_openai_format", "error"),)),
    Case(key="sk-" + "b" * 48, expect=(("key_openai_format", "error"),)),
    Case(key=HEX_KEY[:20], expect=(("key_format_unusual", "warning"),)),
    Case(key=HEX_KEY + "0", expect=(("key_format_unusual", "warning"),)),
    Case(key=CASK_KEY[:80], expect=(("key_format_unusual", "warning"),)),
    Case(key="xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", expect=(("key_is_tutorial_example", "error"),)),  # the tutorial's
    # --- hostile input (issue 9): a clear finding, never a traceback, the secret never echoed
    Case(endpoint="http://[::1", expect=(("endpoint_malformed", "error"),)),
    Case(endpoint="http://127.0.0.1:99999/", expect=(("endpoint_bad_port", "error"),)),
    Case(endpoint="http://127.0.0.1:abc/", expect=(("endpoint_bad_port", "error"),)),
    Case(endpoint="https://[::1]:70000/", expect=(("endpoint_bad_port", "error"),)),
    Case(endpoint="https://my-aoai-lab.openai.azure.com:abc", expect=(("endpoint_bad_port", "error"),)),
    Case(endpoint="https://" + "a" * 10240 + ".openai.azure.com/", expect=(("endpoint_too_long", "error"),)),
    Case(endpoint="https://my-aoai\x00lab.openai.azure.com/", expect=(("endpoint_malformed", "error"),)),
    Case(endpoint="https://my aoai-lab.openai.azure.com/", expect=(("endpoint_malformed", "error"),)),
    Case(
        endpoint="https://user:pa55word@my-aoai-lab.openai.azure.com/", expect=(("endpoint_has_credentials", "error"),)
    ),
    Case(endpoint="http://admin:pa55word@127.0.0.1:8765/", expect=(("endpoint_has_credentials", "error"),)),
    Case(endpoint="http://[::1]:8765/", api_version="2025-04-01-preview"),  # IPv6 loopback is fine
    Case(key=HEX_KEY[:10] + "\x00" + HEX_KEY[11:], expect=(("key_control_char", "error"),)),
    Case(key=HEX_KEY[:10] + "\x07" + HEX_KEY[11:], expect=(("key_control_char", "error"),)),
    Case(key="키" + HEX_KEY[1:], expect=(("key_not_ascii", "error"),)),
    Case(key="０１２３４５６７８９abcdef0123456789abcdef", expect=(("key_not_ascii", "error"),)),  # full-width
    # --- deployments
    Case(deployment="", expect=(("deployment_missing", "error"),)),
    Case(
        deployment="/subscriptions/0000/resourceGroups/rg-ai-lab/providers/Microsoft.CognitiveServices/accounts/my-aoai-lab",
        expect=(("deployment_is_resource_id", "error"),),
    ),
    Case(
        deployment="/subscriptions/0000/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a/deployments/gpt-5.1",
        expect=(("deployment_is_resource_id", "info"),),
        fixed_deployment="gpt-5.1",
    ),
    Case(deployment="gpt-4o-2024-08-06", expect=(("deployment_is_model_version", "warning"),)),
    Case(deployment="2024-07-18", expect=(("deployment_is_model_version", "warning"),)),
    Case(deployment="gpt-4o"),  # a model name can be a deployment name (the tutorial recommends it)
    # --- api-versions
    Case(api_version="", expect=(("api_version_missing", "error"),)),
    Case(api_version="0613", expect=(("api_version_is_model_version", "error"),)),
    Case(api_version="1106-Preview", expect=(("api_version_is_model_version", "error"),)),
    Case(api_version="2024-05-13", expect=(("api_version_is_model_version", "error"),)),
    Case(api_version="2025-08-07", expect=(("api_version_is_model_version", "error"),)),
    Case(api_version="gpt-4o-2024-08-06", expect=(("api_version_is_model_version", "error"),)),
    Case(api_version="2026-01-01-preview", expect=(("api_version_unknown", "warning"),)),
    Case(api_version="2023-11-01-preview", expect=(("api_version_unknown", "warning"),)),
    Case(api_version="latest", expect=(("api_version_unknown", "warning"),)),
    Case(api_version="v1", expect=(("api_version_unknown", "warning"),)),
    Case(style="v1", api_version="2024-10-21", expect=(("api_version_on_v1", "error"),)),
    Case(style="v1", api_version="2025-04-01-preview", expect=(("api_version_on_v1", "error"),)),
    # --- several things at once
    Case(
        endpoint="portal.azure.com",
        key="sk-" + "c" * 30,
        deployment="",
        api_version="0613",
        expect=(
            ("endpoint_is_portal", "error"),
            ("key_openai_format", "error"),
            ("deployment_missing", "error"),
            ("api_version_is_model_version", "error"),
        ),
    ),
]


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 50


@pytest.mark.parametrize(
    "case", CORPUS, ids=lambda c: f"{c.endpoint[:40]}|{c.key[:6]}|{c.deployment[:20]}|{c.api_version}"
)
def test_preflight_corpus(case: Case) -> None:
    normalised = from_input(case.endpoint, case.key, case.deployment, case.api_version, case.style)  # type: ignore[arg-type]
    findings = run(normalised)
    found = {(f.code, f.severity) for f in findings}
    for expected in case.expect:
        assert expected in found, f"expected {expected}, got {sorted(found)}"
    if not case.expect and all(v is None for v in (case.fixed_endpoint, case.fixed_key, case.fixed_deployment)):
        assert not blocking(findings), sorted(found)
    conn = normalised.connection
    if case.fixed_endpoint is not None:
        assert conn.endpoint == case.fixed_endpoint
    if case.fixed_key is not None:
        assert conn.api_key == case.fixed_key
    if case.fixed_deployment is not None:
        assert conn.deployment == case.fixed_deployment
    if case.fixed_api_version is not None:
        assert conn.api_version == case.fixed_api_version
    if case.fixed_style is not None:
        assert conn.style == case.fixed_style
    # Every finding reads in both languages, with no placeholder left unfilled.
    for finding in findings:
        diagnosis = finding.diagnosis()
        for lang in LANGS:
            for part in ("title", "cause", "fix"):
                text = getattr(diagnosis, part)(lang)
                assert text and not text.startswith("diag."), text
                assert not UNFILLED.search(text), text
            for hint in diagnosis.hint_texts(lang):
                assert not UNFILLED.search(hint), hint


def test_clean_values_are_clean() -> None:
    findings = run(from_input(ENDPOINT, HEX_KEY, "gpt-5.1", "2024-10-21"))
    assert findings == []


def test_info_findings_each_carry_one_line_to_show() -> None:
    findings = run(from_input(f' "{FULL_URL}" ', f"'{HEX_KEY}'\n", "", ""))
    infos = [f for f in findings if f.severity == "info"]
    assert infos and all(len(f.hints) == 1 for f in infos)


def test_the_tutorial_version_gets_its_own_hint() -> None:
    findings = run(from_input(ENDPOINT, HEX_KEY, "gpt-5.1", "2026-01-01-preview"))
    assert findings[0].hints[0] == "diag.hint.tutorial_api_version"
    assert "2025-04-01-preview" in findings[0].diagnosis().hint_texts("en")[0]


def test_user_added_versions_are_known(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AOAI_LAB_EXTRA_API_VERSIONS", "2025-06-01-preview")
    assert run(from_input(ENDPOINT, HEX_KEY, "gpt-5.1", "2025-06-01-preview")) == []


def test_split_url_ignores_plain_endpoints() -> None:
    assert split_url(ENDPOINT) is None
    assert split_url("https://portal.azure.com/#home") is None
    parts = split_url(FULL_URL)
    assert parts is not None and (parts.deployment, parts.api_version, parts.style) == (
        "gpt-5.1",
        "2025-04-01-preview",
        "classic",
    )


def test_connection_repr_hides_the_key() -> None:
    conn = from_input(ENDPOINT, HEX_KEY, "gpt-5.1", "2024-10-21").connection
    assert HEX_KEY not in repr(conn)


def test_load_configured_precedence(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        f'AZURE_OPENAI_ENDPOINT="{ENDPOINT}"\nAZURE_OPENAI_API_KEY={HEX_KEY}\nAZURE_OPENAI_DEPLOYMENT=from-dotenv\n'
        "OPENAI_API_VERSION=2024-10-21\n",
        encoding="utf-8",
    )
    loaded = load_configured(dotenv_path=dotenv, environ={})
    assert loaded is not None
    assert (loaded.connection.deployment, loaded.connection.source) == ("from-dotenv", "env")
    assert loaded.connection.endpoint == ENDPOINT
    # The environment overrides .env; a secrets section overrides both.
    loaded = load_configured(dotenv_path=dotenv, environ={"AZURE_OPENAI_DEPLOYMENT": "from-env"})
    assert loaded is not None and loaded.connection.deployment == "from-env"
    secrets = {"azure_openai": {"deployment": "from-secrets", "style": "v1"}}
    loaded = load_configured(dotenv_path=dotenv, environ={"AZURE_OPENAI_DEPLOYMENT": "x"}, secrets=secrets)
    assert loaded is not None
    assert (loaded.connection.deployment, loaded.connection.style, loaded.connection.source) == (
        "from-secrets",
        "v1",
        "secrets",
    )
    assert loaded.connection.key_on_server


def test_nothing_configured_means_demo(tmp_path: Path) -> None:
    assert load_configured(dotenv_path=tmp_path / "missing.env", environ={}) is None
    # Root-level secrets are not read as a connection: only the [azure_openai] section is.
    assert load_configured(dotenv_path=None, environ={}, secrets={"AZURE_OPENAI_API_KEY": HEX_KEY}) is None


PASSWORD = "pa55word-hunter2"


@pytest.mark.parametrize(
    "endpoint",
    [
        f"https://user:{PASSWORD}@my-aoai-lab.openai.azure.com/",
        f"https://user:{PASSWORD}@my-aoai-lab.openai.azure.com/openai/deployments/x/chat/completions",
        f"http://user:{PASSWORD}@[::1]:8765/",
        f"http://user:{PASSWORD}@127.0.0.1:99999/",
        f"https://:{PASSWORD}@my-aoai-lab.openai.azure.com/",
        f"u:{PASSWORD}@my-aoai-lab.openai.azure.com/?x=1",  # no scheme
    ],
)
def test_a_password_in_the_endpoint_is_refused_and_never_echoed(endpoint: str) -> None:
    findings = run(from_input(endpoint, HEX_KEY, "gpt-5.1", "2024-10-21"))
    assert blocking(findings)
    for finding in findings:
        diagnosis = finding.diagnosis()
        shown = str(dict(finding.params)) + str(diagnosis.to_dict("ko")) + str(diagnosis.to_dict("en"))
        assert PASSWORD not in shown


def test_ipv6_literals_keep_their_brackets_in_suggestions() -> None:
    findings = run(from_input("http://[2001:db8::1]:8443/models", HEX_KEY, "gpt-5.1", "2024-10-21"))
    suggestions = {f.code: f.params.get("suggestion") for f in findings}
    assert suggestions["endpoint_insecure"] == "https://[2001:db8::1]:8443/"
    assert suggestions["endpoint_has_path"] == "http://[2001:db8::1]:8443/"


def test_a_key_finding_never_quotes_the_key() -> None:
    for key in (HEX_KEY[:10] + "\x00" + HEX_KEY[11:], "키" + HEX_KEY[1:]):
        for finding in run(from_input(ENDPOINT, key, "gpt-5.1", "2024-10-21")):
            for lang in LANGS:
                assert key not in str(finding.diagnosis().to_dict(lang))
