"""The Code page (AppTest): demo key, keyless code, api-version advice and presenter mode."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from aoai_lab.codegen import TARGETS
from aoai_lab.emulator import DEMO_KEY
from aoai_lab.i18n import t
from aoai_lab.ui import state
from tests.code_tabs import (
    SETUP_KEY,
    TARGET_KEY,
    each_tab,
    every_code,
    open_setup,
    open_tab,
    select_tab,
    tab_labels,
    target_of,
)
from tests.test_app import _instant_demo, app, chat_at, no_errors, set_fields, shown_text, visit

__all__ = ["_instant_demo"]  # the autouse fixture: nothing configured, the demo paced at 0

RESOURCE = "contoso-secret-lab"


def every_shown_text(at: AppTest) -> list[tuple[str, str]]:
    """What every tab of the Code page shows (only the open tab is drawn, so each is opened)."""
    return [item for _ in each_tab(at) for item in shown_text(at)]


def every_info(at: AppTest) -> list[str]:
    """Every info box over all the Code page's tabs (an unavailable target says why in its tab)."""
    return [i.value for _ in each_tab(at) for i in at.info]


def downloads(at: AppTest, prefix: str) -> list[str]:
    """The keys of the drawn download buttons whose key starts with ``prefix``."""
    return [b.key for b in at.get("download_button") if b.key and b.key.startswith(prefix)]


# --- only the open tab is drawn (issue 12) ------------------------------------------------------


def test_only_the_open_tab_is_drawn_and_another_tab_draws_when_opened() -> None:
    at = visit(app("en"), "code.py")
    no_errors(at)
    labels = tab_labels(at, TARGET_KEY)
    assert labels == [t(f"code.tab.{target}", "en") for target in TARGETS]  # every tab still listed
    # First visit: the Python tab only, the setup panel closed (12 blocks and 11 downloads before).
    assert open_tab(at, TARGET_KEY) == t("code.tab.python", "en")
    assert downloads(at, "code.download.") == ["code.download.python"]
    assert tab_labels(at, SETUP_KEY) == [] and downloads(at, "setup.download.") == []
    assert not any(w.key and w.key.startswith("setup.") for w in at.text_input)
    assert len(at.code) == 3  # Python, the install lines, the .env
    open_setup(at)  # the panel draws its form and the bash tab
    assert tab_labels(at, SETUP_KEY) == [
        t(f"code.setup.page.tab_{name}", "en") for name in ("bash", "powershell", "bicep")
    ]
    assert open_tab(at, SETUP_KEY) == t("code.setup.page.tab_bash", "en")
    assert downloads(at, "setup.download.") == ["setup.download.az-bash"]
    assert len(at.code) == 4  # and the bash setup script
    assert not any("<<'JSON'" in c.value for c in at.code)  # the curl snippet is not drawn hidden
    python = next(c.value for c in at.code if c.language == "python")

    select_tab(at, TARGET_KEY, t("code.tab.curl", "en"))
    assert downloads(at, "code.download.") == ["code.download.curl"]
    assert any("<<'JSON'" in c.value for c in at.code)
    assert python not in [c.value for c in at.code]  # the Python tab, now hidden, is not drawn
    assert at.download_button(key="code.zip")  # outside the tabs: always drawn
    assert any(c.value.startswith("pip install openai==") for c in at.code)

    select_tab(at, SETUP_KEY, t("code.setup.page.tab_bicep", "en"))
    assert downloads(at, "setup.download.") == ["setup.download.bicep"]
    assert not any(c.value.startswith("#!/usr/bin/env bash") for c in at.code)
    assert downloads(at, "code.download.") == ["code.download.curl"]  # the other tab set kept its tab


def test_a_stale_tab_label_falls_back_to_the_first_tab() -> None:
    at = open_setup(visit(app("en"), "code.py"))
    at.session_state[TARGET_KEY] = "Fortran"  # a label from an older version, or forged
    at.session_state[SETUP_KEY] = "Terraform"
    at.run()
    no_errors(at)
    assert open_tab(at, TARGET_KEY) == t("code.tab.python", "en") == at.session_state[TARGET_KEY]
    assert open_tab(at, SETUP_KEY) == t("code.setup.page.tab_bash", "en") == at.session_state[SETUP_KEY]
    assert downloads(at, "code.download.") == ["code.download.python"]
    assert downloads(at, "setup.download.") == ["setup.download.az-bash"]


def test_a_new_target_order_never_raises_and_draws_the_open_tab() -> None:
    at = visit(app("en"), "code.py")
    select_tab(at, TARGET_KEY, t("code.tab.curl", "en"))
    # The Responses API puts Python (v1) first: the tab labels' order changes under the open tab.
    at.session_state[state.CHAT_API] = "responses"
    at.run()
    no_errors(at)
    assert tab_labels(at, TARGET_KEY)[0] == t("code.tab.python-v1", "en")
    opened = open_tab(at, TARGET_KEY)
    assert opened is not None and at.session_state[TARGET_KEY] == opened
    assert downloads(at, "code.download.") == [f"code.download.{target_of(opened, 'en')}"]
    # And back: a label that is no longer first still opens as it is.
    select_tab(at, TARGET_KEY, t("code.tab.http", "en"))
    assert downloads(at, "code.download.") == ["code.download.http"]


def test_the_language_switch_keeps_the_page_whole() -> None:
    at = open_setup(visit(app("en"), "code.py"))
    select_tab(at, TARGET_KEY, t("code.tab.javascript", "en"))
    select_tab(at, SETUP_KEY, t("code.setup.page.tab_powershell", "en"))
    at.sidebar.button_group[0].set_value("ko").run()
    no_errors(at)
    # The panel's label is its identity in Streamlit 1.67: in Korean it is a new, closed panel.
    open_setup(at)
    for key in (TARGET_KEY, SETUP_KEY):
        opened = open_tab(at, key)
        assert opened in tab_labels(at, key) and at.session_state[key] == opened
    assert len(downloads(at, "code.download.")) == 1 and len(downloads(at, "setup.download.")) == 1


# --- what the snippets say ----------------------------------------------------------------------


def test_demo_snippets_show_the_demo_key_beside_them() -> None:
    at = visit(chat_at(), "code.py")
    no_errors(at)
    infos = [i.value for i in at.info]
    assert any(DEMO_KEY in text for text in infos)
    assert all(DEMO_KEY not in code for code in every_code(at))  # still read from the environment


def test_a_real_resource_gets_no_demo_key() -> None:
    at = app()
    set_fields(at, endpoint=f"https://{RESOURCE}.openai.azure.com/", api_key="", deployment="gpt-5.1")
    at = visit(at, "code.py")
    no_errors(at)
    assert all(DEMO_KEY not in text for _, text in every_shown_text(at))


def test_keyless_switch_writes_entra_code_and_turns_reveal_off() -> None:
    at = visit(chat_at(), "code.py")
    at.toggle(key="code.keyless").set_value(True).run()
    no_errors(at)
    codes = every_code(at)
    python = next(code for code in codes if "from openai import" in code)
    assert "DefaultAzureCredential()" in python and "azure_ad_token_provider=token_provider" in python
    assert any("@azure/identity" in code for code in codes)
    assert any("az account get-access-token" in code for code in codes)
    assert at.toggle(key="code.reveal").disabled
    assert any(t("code.unavailable.no_keyless", "ko") in info for info in every_info(at))
    assert any("pip install" in code and "azure-identity==" in code for code in codes)


def test_the_key_disabled_link_opens_the_keyless_code() -> None:
    at = app()
    at.query_params["auth"] = "entra"
    at = visit(at, "code.py")
    no_errors(at)
    assert at.toggle(key="code.keyless").value is True
    assert any("DefaultAzureCredential" in c.value for c in at.code)  # in the tab that opens first


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
    assert any(RESOURCE in code for code in every_code(at))  # visible without presenter mode
    at.sidebar.toggle[0].set_value(True).run()
    no_errors(at)
    leaks = [kind for kind, text in every_shown_text(at) if RESOURCE in text and kind != "DownloadButton"]
    assert leaks == []


def test_presenter_mode_hides_the_resource_name_in_the_setup_commands() -> None:
    at = open_setup(visit(app("en"), "code.py"))
    at.text_input(key="setup.resource").set_value(RESOURCE).run()
    assert any(RESOURCE in code for code in every_code(at))
    at.sidebar.toggle[0].set_value(True).run()
    no_errors(at)
    assert at.text_input(key="setup.resource").proto.type == 1  # a password field
    assert [kind for kind, text in every_shown_text(at) if RESOURCE in text and kind != "DownloadButton"] == []
    assert any("az cognitiveservices account create --name •••" in code for code in every_code(at))


def test_setup_section_writes_the_learners_names_and_refuses_bad_ones() -> None:
    at = open_setup(visit(app("en"), "code.py"))
    at.text_input(key="setup.resource_group").set_value("rg-my-class").run()
    at.text_input(key="setup.resource").set_value("class-lab-07").run()
    at.selectbox(key="setup.model").set_value("gpt-4o-mini").run()
    no_errors(at)
    codes = every_code(at)
    bash = next(code for code in codes if code.startswith("#!/usr/bin/env bash"))
    assert "az group create --name rg-my-class" in bash
    assert "--model-name gpt-4o-mini --model-version 2024-07-18" in bash
    assert "--deployment-name gpt-4o-mini" in bash
    assert any("param accountName string = 'class-lab-07'" in code for code in codes)
    at.text_input(key="setup.resource").set_value("class_lab").run()
    assert [w.value for w in at.warning] == [t("code.setup.bad.resource", "en")]
    assert tab_labels(at, SETUP_KEY) == []  # no setup tabs at all
    assert not any(code.startswith("#!/usr/bin/env bash") for code in every_code(at))


def test_keyless_setup_assigns_the_role_instead_of_reading_the_key() -> None:
    at = open_setup(visit(app("en"), "code.py"))
    at.toggle(key="code.keyless").set_value(True).run()
    bash = next(code for code in at.code if code.value.startswith("#!/usr/bin/env bash")).value  # open first
    assert "az role assignment create" in bash and "'Cognitive Services OpenAI User'" in bash
    assert "keys list" not in bash


def test_the_key_disabled_diagnosis_links_to_the_keyless_code() -> None:
    # Troubleshoot draws a card's body (its "try" button) only once the card is open.
    from tests.test_app import open_card

    at = open_card(visit(app("en"), "troubleshoot.py"), "auth_key_disabled")
    at.button(key="try.auth_key_disabled").click().run()
    no_errors(at)
    links = [link.proto for link in at.get("page_link")]
    keyless = [link for link in links if link.label == t("code.page.keyless_link", "en")]
    assert len(keyless) == 1
    assert (keyless[0].page, keyless[0].query_string) == ("code", "auth=entra")
    # Another failure gets no such link.
    open_card(at, "deployment_not_found").button(key="try.deployment_not_found").click().run()
    assert sum(link.proto.label == t("code.page.keyless_link", "en") for link in at.get("page_link")) == 1


def test_the_setup_panel_keeps_the_learners_names_while_closed() -> None:
    at = open_setup(visit(app("en"), "code.py"))
    at.text_input(key="setup.resource").set_value("class-lab-42").run()
    open_setup(at, False)
    assert not any(w.key == "setup.resource" for w in at.text_input)  # closed: no form drawn
    visit(at, "chat.py")
    at = open_setup(visit(at, "code.py"))
    assert at.text_input(key="setup.resource").value == "class-lab-42"
    assert any("class-lab-42" in c.value for c in at.code)
