"""The i18n catalog: every user-visible string, in Korean (default) and English.

Strings live in ``aoai_lab/locales/<lang>/*.toml``, one file per area of the app so that areas can
be edited independently. Nested TOML tables become dotted keys (``[diag.timeout] title = …`` →
``diag.timeout.title``). Placeholders use ``str.format`` syntax: ``t("x", "ko", n=3)``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, get_args

Lang = Literal["ko", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)
DEFAULT_LANG: Lang = "ko"
LOCALES_DIR = Path(__file__).parent / "locales"


def _flatten(table: Mapping[str, Any], prefix: str, out: dict[str, str], origin: Path) -> None:
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _flatten(value, f"{full}.", out, origin)
        elif isinstance(value, str):
            if full in out:
                raise ValueError(f"duplicate i18n key {full!r} in {origin}")
            out[full] = value
        else:
            raise TypeError(f"i18n key {full!r} in {origin} must be a string, not {type(value).__name__}")


@cache
def catalog(lang: Lang) -> Mapping[str, str]:
    """Every key of one language, read once per process (the catalog is read-only data)."""
    out: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.toml")):
        _flatten(tomllib.loads(path.read_text(encoding="utf-8")), "", out, path)
    return MappingProxyType(out)


def as_lang(value: object) -> Lang:
    """``value`` if it is a supported language code, else the default language."""
    return next((lang for lang in LANGS if lang == value), DEFAULT_LANG)


def t(key: str, lang: Lang, **params: object) -> str:
    """The text for ``key`` in ``lang``, with ``params`` filled in.

    A key missing from the catalog is a bug (tests check both catalogs have the same keys); it
    shows as the key itself rather than breaking the page. So does a placeholder with no value.
    """
    text = catalog(lang).get(key)
    if text is None:
        return key
    try:
        # Always formatted, so a literal brace is written {{ }} everywhere in the catalog.
        return text.format_map(_KeepMissing(params))
    except ValueError:  # a malformed brace in a translation must not break the page
        return text


class _KeepMissing(dict[str, object]):
    """Leaves a placeholder with no value as it is (``{modelName}`` is literal in Azure's text)."""

    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


def has(key: str, lang: Lang = DEFAULT_LANG) -> bool:
    """Whether ``key`` exists in the catalog."""
    return key in catalog(lang)
