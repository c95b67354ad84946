"""The Code page (AppTest): demo key, keyless code, api-version advice and presenter mode."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from aoai_lab.emulator import DEMO_KEY
from aoai_lab.i18n import t
from tests.test_app import _instant_demo, app, chat_at, no_errors, set_fields, shown_text, visit

__all__ = ["_instant_demo"]  # the autouse fixture: nothing configured, the demo paced at 0

RESOURCE = "contoso-secret-lab"


def codes(at: AppTest) -> list[str]:
    return [c.value for c in at.code]


def test_demo_snippets_show_the_demo_key_beside_them() -> None:
    at = visit(chat_at(), "code.py")
    no_errors(at)
    infos = [i.value for i in at.info]
    assert any(DEMO_KEY in text for text in infos)
    assert all(DEMO_KEY not in code for code in codes(at))  # still read from the environment


def test_a_real_resource_gets_no_demo_key() -> None:
    at = app()
    set_fields(at, endpoint=f"https://{RESOURCE}.openai.azure.com/", api_key="", deployment="gpt-5.1")
    at = visit(at, "code.py")
    no_errors(at)
    assert all(DEMO_KEY not in text for _, text in shown_text(at))


def test_keyless_switch_writes_entra_code_and_turns_reveal_off() -> None:
    at = visit(chat_at(), "code.py")
    at.toggle(key="code.keyless").set_value(True).run()
    no_errors(at)
    python = next(code for code in codes(at) if "from openai import" in code)
    assert "DefaultAzureCredential()" in python and "azure_ad_token_provider=token_provider" in python
    assert any("@azure/identity" in code for code in codes(at))
    assert any("az account get-access-token" in code for code in codes(at))
    assert at.toggle(key="code.reveal").disabled
    assert any(t("code.unavailable.no_keyless", "ko") in i.value for i in at.info)
    assert any("pip install" in code and "azure-identity==" in code for code in codes(at))


def test_the_key_disabled_link_opens_the_keyless_code() -> None:
    at = app()
    at.query_params["auth"] = "entra"
    at = visit(at, "code.py")
    no_errors(at)
    assert at.toggle(key="code.keyless").value is True
    assert any("DefaultAzureCredential" in code for code in codes(at))


@pytest.mark.parametrize(("deployment", "expected", "never"), [("gpt-5.1", "2025-04-01-preview", "2024-10-21")])
def test_api_version_advice_follows_the_model_family(deployment: str, expected: str, never: str) -> None:
    at = app("en")
    set_fields(at, deployment=deployment)
    at = visit(at, "code.py")
    notes = [m.value for m in at.markdown if "api-version" in m.value]
    assert notes and expected in notes[0] and never not in notes[0]


def test_presenter_mode_hides_the_resource_name_on_the_code_page() -> None:
    at = app()
    set_fields(at, endpoint=f"https://{RESOURCE}.openai.azure.com/", api_key="", deployment="gpt-5.1")
    at = visit(at, "code.py")
    assert any(RESOURCE in code for code in codes(at))  # visible without presenter mode
    at.sidebar.toggle[0].set_value(True).run()
    no_errors(at)
    leaks = [kind for kind, text in shown_text(at) if RESOURCE in text and kind != "DownloadButton"]
    assert leaks == []


def test_presenter_mode_hides_the_resource_name_in_the_setup_commands() -> None:
    at = visit(app("en"), "code.py")
    at.text_input(key="setup.resource").set_value(RESOURCE).run()
    assert any(RESOURCE in code for code in codes(at))
    at.sidebar.toggle[0].set_value(True).run()
    no_errors(at)
    assert at.text_input(key="setup.resource").proto.type == 1  # a password field
    assert [kind for kind, text in shown_text(at) if RESOURCE in text and kind != "DownloadButton"] == []
    assert any("az cognitiveservices account create --name •••" in code for code in codes(at))


def test_setup_section_writes_the_learners_names_and_refuses_bad_ones() -> None:
    at = visit(app("en"), "code.py")
    at.text_input(key="setup.resource_group").set_value("rg-my-class").run()
    at.text_input(key="setup.resource").set_value("class-lab-07").run()
    at.selectbox(key="setup.model").set_value("gpt-4o-mini").run()
    no_errors(at)
    bash = next(code for code in codes(at) if code.startswith("#!/usr/bin/env bash"))
    assert "az group create --name rg-my-class" in bash
    assert "--model-name gpt-4o-mini --model-version 2024-07-18" in bash
    assert "--deployment-name gpt-4o-mini" in bash
    assert any("param accountName string = 'class-lab-07'" in code for code in codes(at))
    at.text_input(key="setup.resource").set_value("class_lab").run()
    assert [w.value for w in at.warning] == [t("code.setup.bad.resource", "en")]
    assert not any(code.startswith("#!/usr/bin/env bash") for code in codes(at))


def test_keyless_setup_assigns_the_role_instead_of_reading_the_key() -> None:
    at = visit(app("en"), "code.py")
    at.toggle(key="code.keyless").set_value(True).run()
    bash = next(code for code in codes(at) if code.startswith("#!/usr/bin/env bash"))
    assert "az role assignment create" in bash and "'Cognitive Services OpenAI User'" in bash
    assert "keys list" not in bash


def test_the_key_disabled_diagnosis_links_to_the_keyless_code() -> None:
    at = visit(app("en"), "troubleshoot.py")
    at.button(key="try.auth_key_disabled").click().run()
    no_errors(at)
    links = [link.proto for link in at.get("page_link")]
    keyless = [link for link in links if link.label == t("code.page.keyless_link", "en")]
    assert len(keyless) == 1
    assert (keyless[0].page, keyless[0].query_string) == ("code", "auth=entra")
    # Another failure gets no such link.
    at.button(key="try.deployment_not_found").click().run()
    assert sum(link.proto.label == t("code.page.keyless_link", "en") for link in at.get("page_link")) == 1
