"""The browser's warm-up (aoai_lab/ui/prefetch.py): which chunks, the script, once per session.

That the chunks really load while the Guide is read, and that Connect, Chat and Code then fetch
no JavaScript of their own, is tested in Chromium (tests/browser/test_prefetch.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from aoai_lab.ui import prefetch
from aoai_lab.ui.prefetch import CHUNKS, PREFETCH_ENV, chunk_files, enabled, installed_chunks, script

ROOT = Path(__file__).resolve().parents[1]


def test_chunk_files_match_whole_component_names_in_the_order_asked() -> None:
    listing = [
        "Radio.BWQwdNIB.js",
        "TextInput.MPWivlu9.js",
        "TextInputHelper.AAAAAAAA.js",  # another component: not TextInput
        "recordbatch.BW_wpVG-.js",  # not record.esm
        "record.esm.DQrSs0W3.js",
        "ProgressBar.AAAAAAAA.js",
        "ProgressBar.BBBBBBBB.js",  # two files for one name: which one the frontend uses is unknown
        "Radio.BWQwdNIB.js.map",
        "index.DormvYxC.css",
    ]
    assert chunk_files(["TextInput", "record.esm", "Radio", "Missing", "ProgressBar"], listing) == [
        "TextInput.MPWivlu9.js",
        "record.esm.DQrSs0W3.js",
        "Radio.BWQwdNIB.js",
    ]


def test_every_chunk_exists_in_the_installed_streamlit() -> None:
    """A Streamlit upgrade that renames a widget's chunk fails here, not silently in the browser."""
    groups = installed_chunks()
    assert [len(group) for group in groups] == [len(group) for group in CHUNKS]
    for names, files in zip(CHUNKS, groups, strict=True):
        for name, file in zip(names, files, strict=True):
            assert file.startswith(name + ".") and (prefetch.static_js_dir() / file).is_file()


def test_the_script_imports_each_group_and_holds_nothing_else() -> None:
    html = script([["A.12345678.js", "B.12345678.js"], ["C.12345678.js"]])
    assert html.startswith("<script>") and html.endswith("</script>")
    assert re.findall(r"</?[A-Za-z]", html) == ["<s", "</s"]  # one script element, no other tag
    groups = json.loads(re.search(r"const groups = (\[.*?\]);", html)[1])  # type: ignore[index]
    assert groups == [["A.12345678.js", "B.12345678.js"], ["C.12345678.js"]]
    assert "import(new URL(chunk, entry.src).href)" in html  # the frontend's own URLs


def test_the_setting_switches_it_off() -> None:
    assert enabled({}) and enabled({PREFETCH_ENV: "1"})
    assert not enabled({PREFETCH_ENV: "0"}) and not enabled({PREFETCH_ENV: " 0 "})


def _sidebar_scripts(at: AppTest) -> list[str]:
    return [str(el.proto.body) for el in at.sidebar if el.type == "html" and "__aoaiLabPrefetch" in el.proto.body]


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("AOAI_LAB_DEMO_TOKENS_PER_SECOND", "0")
    monkeypatch.chdir(ROOT / "tests")  # no .env here
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)


def test_the_first_run_of_a_session_sends_the_script_and_later_runs_do_not(at: AppTest) -> None:
    at.run()
    assert _sidebar_scripts(at) == [script(installed_chunks())]
    top_level = at.sidebar.children
    assert top_level[max(top_level)].type == "html"  # last in the sidebar: nothing below it moves
    at.switch_page("pages/connect.py").run()
    assert _sidebar_scripts(at) == []
    at.switch_page("pages/guide.py").run()
    assert _sidebar_scripts(at) == []


def test_no_script_when_switched_off(at: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PREFETCH_ENV, "0")
    at.run()
    assert _sidebar_scripts(at) == [] and not at.exception
