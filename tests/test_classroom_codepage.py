"""Classroom mode on the Code page and in the menu (issue 11, "Students' laptops").

* with ``demo_url`` set, the demo snippets call the class demo with the demo key: the very code the
  page shows is run (Python, and curl in bash) against an emulator on a loopback port that plays
  the class demo, which must receive the request;
* with the shared key, the page says the key stays on the server and offers the student's own key
  variable or the class demo, in both languages, and the class key is in no snippet;
* the Instructor page is listed in the menu only in classroom mode.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from aoai_lab.codegen.laptop import code_target, laptop_demo
from aoai_lab.connection import Connection
from aoai_lab.conversation import Entry
from aoai_lab.emulator import DEMO_KEY, EmulatorConfig, EmulatorServer
from aoai_lab.i18n import LANGS, Lang, t
from aoai_lab.ui.demo import demo_server
from aoai_lab.ui.frame import PAGE_SPECS, visibility
from tests.classroom_servers import fresh_class
from tests.code_tabs import every_code
from tests.tools import require_program

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
CLASS_KEY = "class-key-" + uuid.uuid4().hex  # the instructor's key: must never reach a snippet
AZURE = "https://class-lab.openai.azure.com/"
PASSWORD = "teach-me-please"


@pytest.fixture(autouse=True)
def _fresh_class(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with fresh_class(monkeypatch):
        yield


@pytest.fixture
def class_demo() -> Iterator[EmulatorServer]:
    """The instructor's emulator (``python -m aoai_lab emulator``) that ``demo_url`` names."""
    with EmulatorServer(EmulatorConfig(tokens_per_second=0, record_requests=True)) as server:
        yield server


def app(
    classroom: dict[str, Any] | None,
    *,
    shared: bool = False,
    lang: str = "ko",
    question: str | None = None,
) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if classroom is not None:
        at.secrets["classroom"] = classroom
    if shared:
        at.secrets["azure_openai"] = {
            "endpoint": AZURE,
            "api_key": CLASS_KEY,
            "deployment": "gpt-4o-mini",
            "api_version": "2024-10-21",
        }
    at.session_state["lang"] = lang
    if question is not None:
        at.session_state["chat_entries"] = [Entry("user", question)]
    return at.run()


def code_page(at: AppTest) -> AppTest:
    at = at.switch_page("pages/code.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def code_blocks(at: AppTest, language: str) -> list[str]:
    """Every ``language`` block over all the Code page's tabs (the open tab's first)."""
    return every_code(at, language)


def page_text(at: AppTest) -> str:
    parts = [e.value for kind in (at.info, at.caption, at.markdown, at.warning) for e in kind]
    return "\n".join(str(p) for p in parts)


def clean_env(home: Path) -> dict[str, str]:
    """A laptop's environment: no AZURE_*/OPENAI_* variables, no proxy."""
    return {"PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}


def received(server: EmulatorServer, marker: str) -> list[Any]:
    return [r for r in server.recorded() if marker in str(r.body)]


# --- the decision, as a pure function -------------------------------------------------------------


DEMO = Connection("http://127.0.0.1:8765/", DEMO_KEY, "gpt-5.1", "2025-04-01-preview", "classic", "demo")
SHARED = Connection(AZURE, CLASS_KEY, "gpt-4o-mini", "2024-10-21", "classic", "secrets")


def test_demo_snippets_go_to_the_class_demo_with_the_demo_key() -> None:
    aim = code_target(DEMO, demo=DEMO, on_demo=True, classroom=True, demo_url="http://10.0.0.5:8765/")
    assert aim.connection.endpoint == "http://10.0.0.5:8765/"
    assert aim.connection.api_key == DEMO_KEY and aim.reveal_key
    assert aim.notice == "code.classroom.demo_url"


def test_presenter_mode_writes_no_key_even_the_demo_one() -> None:
    aim = code_target(DEMO, demo=DEMO, on_demo=True, classroom=True, demo_url="http://10.0.0.5:8765/", presenter=True)
    assert aim.connection.endpoint == "http://10.0.0.5:8765/" and not aim.reveal_key


def test_the_shared_key_is_never_revealed_whatever_the_browser_asked() -> None:
    aim = code_target(SHARED, demo=DEMO, on_demo=False, classroom=True, demo_url=None, reveal=True)
    assert aim.connection == SHARED and not aim.reveal_key
    assert aim.notice == "code.classroom.server_key"


def test_the_class_demo_is_offered_instead_of_the_shared_key() -> None:
    aim = code_target(SHARED, demo=DEMO, on_demo=False, classroom=True, demo_url="http://lab:8765", choice="class_demo")
    assert aim.connection == laptop_demo(DEMO, "http://lab:8765")
    assert CLASS_KEY not in repr(aim) and aim.connection.api_key == DEMO_KEY and aim.reveal_key
    # Without a demo_url there is no class demo to choose: the own-key code stays.
    own = code_target(SHARED, demo=DEMO, on_demo=False, classroom=True, demo_url=None, choice="class_demo")
    assert own.connection == SHARED


def test_outside_classroom_mode_nothing_changes() -> None:
    aim = code_target(DEMO, demo=DEMO, on_demo=True, classroom=False, demo_url="http://10.0.0.5:8765/", reveal=True)
    assert aim.connection == DEMO and aim.reveal_key and aim.notice is None


# --- the page's code runs unchanged on a laptop -------------------------------------------------


def test_the_pages_python_runs_unchanged_against_the_class_demo(class_demo: EmulatorServer, tmp_path: Path) -> None:
    marker = f"laptop-python-{uuid.uuid4().hex}"
    at = code_page(app({"demo_url": class_demo.endpoint}, question=marker))
    assert any(class_demo.endpoint in text for text in page_text(at).splitlines())
    python = code_blocks(at, "python")[0]
    assert class_demo.endpoint in python and DEMO_KEY in python
    assert demo_server().endpoint not in python  # not the server's own loopback demo
    run = subprocess.run(
        [sys.executable, "-c", python], env=clean_env(tmp_path), cwd=tmp_path, capture_output=True, timeout=120
    )
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-2000:]
    assert len(received(class_demo, marker)) == 1


def test_the_pages_curl_runs_unchanged_against_the_class_demo(class_demo: EmulatorServer, tmp_path: Path) -> None:
    require_program("curl", "apt-get install curl")
    marker = f"laptop-curl-{uuid.uuid4().hex}"
    at = code_page(app({"demo_url": class_demo.endpoint}, question=marker))
    curl = next(code for code in code_blocks(at, "bash") if "curl " in code)
    assert class_demo.endpoint in curl and DEMO_KEY in curl
    run = subprocess.run(["bash", "-c", curl], env=clean_env(tmp_path), cwd=tmp_path, capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-2000:]
    assert len(received(class_demo, marker)) == 1
    assert b'"chat.completion' in run.stdout  # the class demo's answer came back


def test_without_demo_url_the_demo_code_is_the_servers_as_before() -> None:
    at = code_page(app({"instructor_password": PASSWORD}))
    assert all(DEMO_KEY not in code for code in code_blocks(at, "python"))
    assert t("code.classroom.demo_url", "ko", url="").split("`")[0] not in page_text(at)


# --- the shared key stays on the server -----------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_shared_key_stays_on_the_server_and_the_class_demo_is_offered(lang: Lang) -> None:
    at = code_page(app({"demo_url": "http://10.0.0.5:8765/"}, shared=True, lang=lang))
    infos = [i.value for i in at.info]
    assert t("code.classroom.server_key", lang) in infos
    assert all(CLASS_KEY not in code for code in every_code(at))
    python = code_blocks(at, "python")[0]
    assert "AZURE_OPENAI_API_KEY" in python and AZURE in python  # the student's own key variable
    choice = at.radio(key="code.classroom_choice")
    assert choice.options == [t(f"code.classroom.choice_{c}", lang) for c in ("own_key", "class_demo")]

    at = choice.set_value("class_demo").run()
    assert not at.exception
    python = code_blocks(at, "python")[0]
    assert "http://10.0.0.5:8765/" in python and DEMO_KEY in python and AZURE not in python
    assert t("code.classroom.demo_chosen", lang, url="http://10.0.0.5:8765/") in [i.value for i in at.info]
    assert all(CLASS_KEY not in code for code in every_code(at))


def test_without_a_class_demo_only_the_own_key_code_is_offered() -> None:
    at = code_page(app({"instructor_password": PASSWORD}, shared=True, lang="en"))
    assert t("code.classroom.server_key", "en") in [i.value for i in at.info]
    assert not [r for r in at.radio if r.key == "code.classroom_choice"]
    assert all(CLASS_KEY not in code for code in every_code(at))


# --- the Instructor page in the menu ---------------------------------------------------------------


def test_classroom_only_pages_are_hidden_outside_classroom_mode() -> None:
    instructor = next(spec for spec in PAGE_SPECS if spec.file == "instructor.py")
    assert visibility(instructor, classroom=False) == "hidden"
    assert visibility(instructor, classroom=True) == "visible"
    assert all(visibility(s, classroom=False) == "visible" for s in PAGE_SPECS if s is not instructor)


@pytest.fixture
def menu(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The menu the app asked ``st.navigation`` for: url path -> visibility (recorded, then drawn)."""
    seen: dict[str, str] = {}
    real = st.navigation

    def recording(pages: Any, **kwargs: Any) -> Any:
        seen.clear()
        seen.update({page.url_path: page.visibility for page in pages})
        return real(pages, **kwargs)

    monkeypatch.setattr(st, "navigation", recording)
    return seen


def test_the_menu_lists_the_instructor_page_only_in_classroom_mode(menu: dict[str, str]) -> None:
    at = app(None)
    assert not at.exception
    assert menu["instructor"] == "hidden"
    assert menu["chat"] == "visible" and menu["code"] == "visible"

    at = app({"instructor_password": PASSWORD})
    assert not at.exception
    assert menu["instructor"] == "visible"
