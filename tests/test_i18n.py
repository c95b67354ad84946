"""The i18n catalog: both languages complete, every key used exists, no hard-coded text in pages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from aoai_lab.diagnosis import CODES, Diagnosis, example
from aoai_lab.i18n import LANGS, as_lang, catalog, t

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "pages").glob("*.py"))
SOURCES = [ROOT / "app.py", *PAGES, *sorted((ROOT / "aoai_lab").rglob("*.py"))]
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Arguments that are shown to the user when given as literals.
SHOWN_KWARGS = {"label", "help", "placeholder", "body", "caption", "text"}
# Streamlit calls whose first argument is shown to the user.
DISPLAY_CALLS = {
    "title", "header", "subheader", "markdown", "caption", "write", "text", "info", "warning", "error",
    "success", "toast", "badge", "button", "download_button", "link_button", "page_link", "text_input",
    "text_area", "number_input", "selectbox", "multiselect", "radio", "toggle", "checkbox", "slider",
    "segmented_control", "pills", "expander", "popover", "tabs", "metric", "chat_input", "status", "spinner",
}  # fmt: skip


def test_both_catalogs_have_the_same_keys() -> None:
    ko, en = catalog("ko"), catalog("en")
    assert set(ko) == set(en), sorted(set(ko) ^ set(en))
    assert len(ko) > 200


@pytest.mark.parametrize("lang", LANGS)
def test_no_empty_texts(lang: str) -> None:
    empty = [key for key, text in catalog(lang).items() if not text.strip()]
    assert not empty


def test_korean_catalog_is_korean_and_english_is_not() -> None:
    ko, en = catalog("ko"), catalog("en")
    hangul_in_ko = sum(1 for text in ko.values() if HANGUL.search(text))
    assert hangul_in_ko / len(ko) > 0.8
    # English texts may name the Korean language itself, nothing else.
    # The downloadable project's README is bilingual on purpose.
    bilingual = ("lang.ko", "code.readme.")
    assert [k for k, text in en.items() if HANGUL.search(text) and not k.startswith(bilingual)] == []


def test_placeholders_match_between_languages() -> None:
    ko, en = catalog("ko"), catalog("en")
    field = re.compile(r"(?<!\{)\{([a-z_]+)\}(?!\})")
    mismatched = [k for k in ko if set(field.findall(ko[k])) != set(field.findall(en[k]))]
    assert mismatched == []


# A catalog placeholder left in a text ({resource-name} and {modelName} are literal on purpose).
UNFILLED = re.compile(
    r"\{(deployment|api_version|param|host|seconds|suggestion|latest_ga|latest_preview|recommended|field|length|endpoint"
    r"|received)\}"
)


@pytest.mark.parametrize("code", CODES)
def test_every_diagnosis_reads_in_both_languages(code: str) -> None:
    for lang in LANGS:
        for part in ("title", "cause", "fix"):
            text = getattr(Diagnosis(code), part)(lang)
            assert text != f"diag.{code}.{part}"
            # Shown without a case behind it (the troubleshoot list), every placeholder is filled.
            assert not UNFILLED.search(getattr(example(code), part)(lang)), (code, part, lang)


def _literal_keys(path: Path) -> set[str]:
    """Catalog keys passed as literals to tr()/t() in one file."""
    keys = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            if name in ("tr", "t") and node.args and isinstance(node.args[0], ast.Constant):
                value = node.args[0].value
                if isinstance(value, str):
                    keys.add(value)
    return keys


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_literal_key_exists(path: Path) -> None:
    missing = sorted(k for k in _literal_keys(path) if k not in catalog("ko"))
    assert missing == []


def _shown_literals(path: Path) -> list[str]:
    """String literals a page hands to Streamlit to display."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr not in DISPLAY_CALLS:
            continue
        candidates = [node.args[0]] if node.args else []
        candidates += [kw.value for kw in node.keywords if kw.arg in SHOWN_KWARGS]
        for value in candidates:
            if (
                isinstance(value, ast.Constant)
                and isinstance(value.value, str)
                and re.search(r"[A-Za-z\uac00-\ud7a3]", value.value)
            ):
                found.append(value.value)
            if isinstance(value, ast.JoinedStr):
                parts = [v.value for v in value.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
                found += [p for p in parts if re.search(r"[A-Za-z\uac00-\ud7a3]{2,}", p)]
    return found


ALLOWED_LITERALS = {"pages/connect.py", "pages/chat.py", "pages/guide.py"}  # page paths for st.page_link


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_pages_have_no_hard_coded_ui_text(path: Path) -> None:
    shown = [s for s in _shown_literals(path) if s not in ALLOWED_LITERALS and not s.startswith(":material/")]
    assert shown == [], f"use tr() for: {shown}"
    assert not HANGUL.search(path.read_text(encoding="utf-8")), "Korean text belongs in the catalog"


def test_the_checker_catches_hard_coded_text(tmp_path: Path) -> None:
    page = tmp_path / "bad.py"
    page.write_text('import streamlit as st\nst.title("Hello")\nst.button(label=f"Run {1}")\n', encoding="utf-8")
    assert _shown_literals(page) == ["Hello", "Run "]


def test_missing_keys_and_placeholders_never_break_a_page() -> None:
    assert t("no.such.key", "en") == "no.such.key"
    assert t("diag.rate_limited.title", "en") == "Rate limit reached (429) — retry in {seconds} s"
    assert t("diag.rate_limited.title", "en", seconds=5) == "Rate limit reached (429) — retry in 5 s"
    assert as_lang("fr") == "ko" and as_lang("en") == "en"
