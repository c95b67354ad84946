"""The downloadable example project: the Python program, ``.env.example``, requirements, README."""

from __future__ import annotations

import io
import zipfile

from aoai_lab.codegen.python import requirements
from aoai_lab.i18n import LANGS, Lang, t

_ZIP_DATE = (2025, 1, 1, 0, 0, 0)  # fixed, so the same request always zips to the same bytes


def pip_install_line(keyless: bool = False) -> str:
    """``pip install`` pinned to the openai (and python-dotenv) versions this app runs with."""
    return "pip install " + " ".join(requirements(keyless))


def zip_files(files: dict[str, str]) -> bytes:
    """``files`` (name → text) as a zip with fixed dates, so equal input gives equal bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_DATE), text.encode("utf-8"))
    return buffer.getvalue()


def readme(lang: Lang, *, keyless: bool = False) -> str:
    """Both languages, the chosen one first."""
    order = (lang, *(other for other in LANGS if other != lang))
    return "\n---\n\n".join(_readme_section(section_lang, keyless) for section_lang in order)


def _block(*commands: str) -> list[str]:
    return ["", "   ```", *(f"   {command}" for command in commands), "   ```", ""]


def _readme_section(lang: Lang, keyless: bool) -> str:
    env_step = "code.readme.step_env_keyless" if keyless else "code.readme.step_env"
    lines = [
        f"# {t('code.readme.title', lang)}",
        "",
        t("code.readme.intro", lang),
        "",
    ]
    if keyless:
        lines += [f"0. {t('code.readme.step_login', lang)}", *_block("az login")]
    lines += [
        f"1. {t(env_step, lang)}",
        *_block("cp .env.example .env        # macOS / Linux", "copy .env.example .env      # Windows"),
        f"2. {t('code.readme.step_python', lang)}",
        *_block(pip_install_line(keyless), "python main.py"),
        f"3. {t('code.readme.step_node', lang)}",
        *_block("npm install", "node main.mjs"),
        t("code.readme.keyless_role" if keyless else "code.readme.key_warning", lang),
        "",
    ]
    return "\n".join(lines)
