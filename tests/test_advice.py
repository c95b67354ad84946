"""Advice that fits the model in front of the learner (issue 9).

api-version recommendations by model family, everywhere they are shown; the tutorial's own
placeholder values named as such; the tutor's answers about keys. The checks run for real against
the in-process emulator over loopback HTTP.
"""

from __future__ import annotations

import re
from pathlib import Path

import openai
import pytest
from streamlit.testing.v1 import AppTest

from aoai_lab.advice import version_advice
from aoai_lab.check import run_check
from aoai_lab.connection import ApiStyle, Connection, from_input
from aoai_lab.diagnosis import CallContext, Diagnosis, example, from_http
from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from aoai_lab.guide import url_forms
from aoai_lab.i18n import LANGS, Lang
from aoai_lab.models import Family
from aoai_lab.preflight import TUTORIAL_ENDPOINT, TUTORIAL_KEY, blocking
from aoai_lab.preflight import run as preflight
from aoai_lab.versions import TUTORIAL_API_VERSION, V1_API, load_api_versions, recommended_api_versions

ROOT = Path(__file__).resolve().parents[1]
LATEST_GA = load_api_versions().latest_ga
DATED = re.compile(r"\d{4}-\d{2}-\d{2}(?:-preview)?")
RESOURCE_NOT_FOUND = b'{"error":{"code":"404","message": "Resource not found"}}'  # reference 3.2


def first_version(text: str) -> str:
    """The first dated api-version a text names: the one a learner would follow."""
    match = DATED.search(text)
    assert match, text
    return match[0]


# --- the recommendation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "first"),
    [
        ("reasoning", "2025-04-01-preview"),
        ("unknown", "2025-04-01-preview"),
        ("classic", LATEST_GA),
        ("embedding", LATEST_GA),
    ],
)
def test_recommendation_leads_with_a_version_the_family_accepts(family: Family, first: str) -> None:
    recommended = recommended_api_versions(family)
    assert recommended[0] == first
    assert recommended[-1] == V1_API


@pytest.mark.parametrize("family", ["reasoning", "unknown"])
def test_reasoning_advice_never_offers_a_version_reasoning_models_reject(family: Family) -> None:
    versions = load_api_versions()
    recommended = recommended_api_versions(family, versions)
    assert LATEST_GA not in recommended
    assert all(versions.supports(v, "reasoning_models") for v in recommended)


def test_a_newer_preview_added_at_run_time_becomes_the_reasoning_advice() -> None:
    versions = load_api_versions(["2025-05-01-preview"])
    assert recommended_api_versions("reasoning", versions)[0] == "2025-05-01-preview"


@pytest.mark.parametrize(("deployment", "family"), [("gpt-5.1", "reasoning"), ("gpt-4o-mini", "classic")])
def test_every_recommendation_passes_the_check_on_the_emulator(
    emulator: EmulatorServer, deployment: str, family: Family
) -> None:
    for version in recommended_api_versions(family):
        style: ApiStyle = "v1" if version == V1_API else "classic"
        api_version = "" if style == "v1" else version
        report = run_check(from_input(emulator.endpoint, DEMO_KEY, deployment, api_version, style))
        assert report.ok, (version, report.diagnosis.code)


@pytest.mark.parametrize(
    ("deployment", "known", "first"),
    [
        ("gpt-5.1", None, "2025-04-01-preview"),  # guessed from the name
        ("o4-mini", None, "2025-04-01-preview"),
        ("gpt-4o-mini", None, LATEST_GA),
        ("my-chat", None, "2025-04-01-preview"),  # a name that tells nothing: safe for every model
        ("my-chat", "classic", LATEST_GA),  # the check learned the model
        ("gpt-4o", "reasoning", "2025-04-01-preview"),  # what the check learned beats the name
        ("gpt-5.1", "unknown", "2025-04-01-preview"),  # "unknown" from a check is no knowledge
    ],
)
def test_the_family_comes_from_the_check_else_from_the_name(deployment: str, known: Family | None, first: str) -> None:
    assert version_advice(deployment, known).first == first


# --- diagnoses: the fix's first version works ----------------------------------------------


@pytest.mark.parametrize(
    ("deployment", "api_version", "code"),
    [
        ("gpt-5.1", TUTORIAL_API_VERSION, "api_version_unknown"),  # the tutorial as written
        ("gpt-5.1", "2024-10-21", "api_version_too_old_for_model"),
        ("gpt-5.1", "", "api_version_missing"),
        ("gpt-5.1", "0613", "api_version_is_model_version"),
        ("gpt-4o-mini", "", "api_version_missing"),
        ("gpt-4o-mini", TUTORIAL_API_VERSION, "api_version_unknown"),
    ],
)
@pytest.mark.parametrize("lang", LANGS)
def test_following_the_fix_passes_the_check(
    emulator: EmulatorServer, deployment: str, api_version: str, code: str, lang: Lang
) -> None:
    failed = run_check(from_input(emulator.endpoint, DEMO_KEY, deployment, api_version, "classic"))
    assert failed.diagnosis.code == code
    fix = failed.diagnosis.fix(lang)
    followed = first_version(fix)
    if deployment == "gpt-5.1":
        assert LATEST_GA not in fix, fix  # gpt-5.1 would refuse it
    fixed = run_check(from_input(emulator.endpoint, DEMO_KEY, deployment, followed, "classic"))
    assert fixed.ok, (followed, fixed.diagnosis.code)


def test_the_tutorial_version_on_gpt_5_1_is_explained_for_a_reasoning_model(emulator: EmulatorServer) -> None:
    report = run_check(from_input(emulator.endpoint, DEMO_KEY, "gpt-5.1", TUTORIAL_API_VERSION, "classic"))
    hints = report.diagnosis.hint_texts("en")
    assert report.diagnosis.hints == ("diag.hint.tutorial_api_version", "diag.hint.version_reasoning")
    assert "'gpt-5.1' is a reasoning model" in hints[1]
    # The pre-flight warning shown under the field gives the same advice.
    warning = next(f for f in report.findings if f.code == "api_version_unknown")
    assert first_version(warning.diagnosis().fix("ko")) == "2025-04-01-preview"


@pytest.mark.parametrize(
    ("family", "first", "hint"),
    [
        (None, "2025-04-01-preview", "diag.hint.version_any_model"),
        ("classic", LATEST_GA, "diag.hint.version_classic"),
        ("reasoning", "2025-04-01-preview", "diag.hint.version_reasoning"),
    ],
)
def test_an_azure_404_is_advised_by_the_family_the_caller_knows(family: Family | None, first: str, hint: str) -> None:
    context = CallContext("my-chat", "2023-11-01-preview", "classic", "x.openai.azure.com", family=family)
    diagnosis = from_http(404, RESOURCE_NOT_FOUND, {}, context)
    assert diagnosis.code == "api_version_unknown"
    assert first_version(diagnosis.fix("en")) == first
    assert diagnosis.hints[-1] == hint


def test_azure_refusing_an_old_version_means_a_reasoning_model_whatever_the_name() -> None:
    body = b'{"error":{"code":"BadRequest","message":"Model {modelName} is enabled only for api versions 2024-12-01-preview and later"}}'
    diagnosis = from_http(400, body, {}, CallContext("my-chat", LATEST_GA, "classic", "x.openai.azure.com"))
    assert diagnosis.code == "api_version_too_old_for_model"
    assert first_version(diagnosis.fix("en")) == "2025-04-01-preview"
    assert "diag.hint.version_reasoning" in diagnosis.hints


def test_the_catalog_examples_give_the_tutorials_deployment_its_advice() -> None:
    # The Troubleshoot page shows every code with typical values; the tutorial deploys gpt-5.1.
    for lang in LANGS:
        assert first_version(example("api_version_unknown").fix(lang)) == "2025-04-01-preview"
        assert first_version(example("api_version_missing").fix(lang)) == "2025-04-01-preview"


# --- the tutorial's placeholders -------------------------------------------------------------


def _findings(endpoint: str = "https://my-lab-resource.openai.azure.com/", key: str = "0" * 32) -> dict[str, str]:
    found = preflight(from_input(endpoint, key, "gpt-5.1", "2025-04-01-preview", "classic"))
    return {f.code: f.severity for f in found}


@pytest.mark.parametrize("key", [TUTORIAL_KEY, "X" * 32, "x" * 31, "x" * 40])
def test_the_tutorials_key_is_named_and_stops_the_check(key: str) -> None:
    assert _findings(key=key) == {"key_is_tutorial_example": "error"}


@pytest.mark.parametrize("key", ["0" * 32, "x" * 8, "x" * 31 + "0", "abcdef" * 5 + "xx"])
def test_other_keys_are_not_the_tutorials(key: str) -> None:
    assert "key_is_tutorial_example" not in _findings(key=key)


@pytest.mark.parametrize(
    "endpoint",
    [
        TUTORIAL_ENDPOINT,
        "https://my-aoai-lab.openai.azure.com",
        "https://MY-AOAI-LAB.openai.azure.com/",
        "http://my-aoai-lab.openai.azure.com/",
        "my-aoai-lab.openai.azure.com",
    ],
)
def test_the_tutorials_endpoint_is_named(endpoint: str) -> None:
    assert _findings(endpoint=endpoint)["endpoint_is_tutorial_example"] == "warning"


@pytest.mark.parametrize(
    "endpoint", ["https://my-aoai-lab2.openai.azure.com/", "https://my-lab.openai.azure.com/", "http://[::1"]
)
def test_other_endpoints_are_not_the_tutorials(endpoint: str) -> None:
    assert "endpoint_is_tutorial_example" not in _findings(endpoint=endpoint)


def test_the_placeholder_texts_say_it_is_the_tutorials_value_and_where_to_copy_yours() -> None:
    found = preflight(from_input(TUTORIAL_ENDPOINT, TUTORIAL_KEY, "gpt-5.1", "2025-04-01-preview", "classic"))
    assert [f.code for f in blocking(found)] == ["key_is_tutorial_example"]
    for finding in found:
        diagnosis = finding.diagnosis()
        assert diagnosis.step == 3
        assert "tutorial's example value; paste your own from step 3" in diagnosis.fix("en")
        assert "튜토리얼의 예시 값입니다" in diagnosis.fix("ko") and "3단계" in diagnosis.fix("ko")


def test_the_check_names_the_tutorials_key_before_sending_it(emulator: EmulatorServer) -> None:
    before = len(emulator.recorded())
    report = run_check(from_input(emulator.endpoint, TUTORIAL_KEY, "gpt-5.1", "2025-04-01-preview", "classic"))
    assert report.diagnosis.code == "key_is_tutorial_example"
    assert report.rungs[0].state == "failed" and len(emulator.recorded()) == before


# --- the pages -------------------------------------------------------------------------------


@pytest.fixture
def demo_app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT", "OPENAI_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AOAI_LAB_DEMO_TOKENS_PER_SECOND", "0")
    monkeypatch.chdir(ROOT / "tests")  # no .env here
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    return at.run()


@pytest.mark.parametrize(("deployment", "placeholder"), [("gpt-5.1", "2025-04-01-preview"), ("gpt-4o-mini", LATEST_GA)])
def test_the_empty_api_version_field_suggests_the_familys_version(
    demo_app: AppTest, deployment: str, placeholder: str
) -> None:
    at = demo_app.switch_page("pages/connect.py").run()
    at.session_state["connect.deployment"] = deployment
    at.session_state["connect.api_version"] = ""
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="connect.api_version").placeholder == placeholder


def test_the_guide_advises_the_familys_version(demo_app: AppTest) -> None:
    at = demo_app.switch_page("pages/guide.py").run()
    assert not at.exception, [e.value for e in at.exception]
    advice = next(w.value for w in at.warning if "2026-01-01-preview" in w.value)
    assert "(gpt-5.1)에는 **2025-04-01-preview**" in advice  # the demo deploys gpt-5.1


def test_the_guides_classic_url_uses_the_familys_version_when_the_connection_has_none() -> None:
    v1 = Connection("https://my-lab-resource.openai.azure.com/", "", "gpt-5.1", "", "v1")
    classic = "".join(s.text for s in url_forms(v1)["classic"])
    assert classic.endswith("?api-version=2025-04-01-preview")
    mini = "".join(s.text for s in url_forms(v1, family="classic")["classic"])
    assert mini.endswith(f"?api-version={LATEST_GA}")


# --- the offline tutor about keys ------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("My API key leaked on GitHub. What should I do?", ("Regenerate Key 1", "KEY 2", "401")),
        ("키가 유출된 것 같아요. 어떻게 해야 하나요?", ("다시 생성", "KEY 2", "401")),
        ("What is the difference between KEY 1 and KEY 2?", ("KEY 1 and KEY 2 are equal", "without downtime")),
        ("KEY 1과 KEY 2는 뭐가 달라요?", ("똑같은 권한", "중단 없이")),
        ("How do I rotate my keys?", ("Regenerate Key 1",)),
    ],
)
def test_the_tutor_answers_key_questions_over_real_http(
    emulator: EmulatorServer, question: str, expected: tuple[str, ...]
) -> None:
    client = openai.AzureOpenAI(
        azure_endpoint=emulator.endpoint, api_key=DEMO_KEY, api_version="2025-04-01-preview", max_retries=0
    )
    reply = client.chat.completions.create(model="gpt-5.1", messages=[{"role": "user", "content": question}])
    text = reply.choices[0].message.content or ""
    for phrase in expected:
        assert phrase in text, (phrase, text)


def test_a_plain_key_question_still_gets_the_general_answer(emulator: EmulatorServer) -> None:
    client = openai.AzureOpenAI(
        azure_endpoint=emulator.endpoint, api_key=DEMO_KEY, api_version="2025-04-01-preview", max_retries=0
    )
    reply = client.chat.completions.create(model="gpt-5.1", messages=[{"role": "user", "content": "Where is my key?"}])
    assert "Keys and Endpoint" in (reply.choices[0].message.content or "")
    assert "Regenerate" not in (reply.choices[0].message.content or "")


def test_diagnosis_is_unchanged_for_codes_without_advice() -> None:
    # Only api-version codes carry the family's explanation.
    diagnosis = from_http(404, b'{"error":{"code":"DeploymentNotFound","message":"x"}}', {}, CallContext("gpt-5.1"))
    assert isinstance(diagnosis, Diagnosis) and diagnosis.code == "deployment_not_found"
    assert not any(h.startswith("diag.hint.version_") for h in diagnosis.hints)
