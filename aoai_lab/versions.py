"""Azure OpenAI api-versions: which exist, and which features each one accepts.

The list itself is data (``aoai_lab/data/api_versions.toml``); this module only reads it.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

from aoai_lab.models import Family

DATA_FILE = Path(__file__).parent / "data" / "api_versions.toml"
EXTRA_ENV = "AOAI_LAB_EXTRA_API_VERSIONS"

# The tutorial's snippet uses this version; it is not in Azure's published list.
TUTORIAL_API_VERSION = "2026-01-01-preview"

Feature = Literal["max_completion_tokens", "stream_options", "reasoning_effort", "reasoning_models"]

_DATED = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(-preview)?$")


@dataclass(frozen=True)
class ApiVersions:
    """The api-versions a resource may accept, and the first version date of each feature."""

    ga: tuple[str, ...]
    preview: tuple[str, ...]
    v1: tuple[str, ...]
    feature_since: dict[str, date]

    @property
    def dated(self) -> tuple[str, ...]:
        """Every dated version, oldest first."""
        return tuple(sorted(set(self.ga) | set(self.preview), key=_sort_key))

    @property
    def latest_ga(self) -> str:
        """The newest generally-available dated version."""
        return max(self.ga, key=_sort_key)

    @property
    def latest_preview(self) -> str:
        """The newest dated preview version."""
        return max(self.preview, key=_sort_key)

    @property
    def latest(self) -> dict[str, str]:
        """The newest GA and preview versions, as the catalog's ``latest_ga``/``latest_preview`` values."""
        return {"latest_ga": self.latest_ga, "latest_preview": self.latest_preview}

    def is_known(self, version: str) -> bool:
        """True when ``version`` is a dated version from the list."""
        return version in self.ga or version in self.preview

    def is_v1(self, version: str) -> bool:
        """True for the values the v1 API accepts (``v1``, ``preview``)."""
        return version in self.v1

    def supports(self, version: str, feature: Feature) -> bool:
        """Whether a dated ``version`` accepts ``feature``; the v1 API accepts all of them."""
        if self.is_v1(version):
            return True
        day = version_date(version)
        return day is not None and day >= self.feature_since[feature]

    def with_extra(self, versions: list[str]) -> ApiVersions:
        """A copy that also knows ``versions`` (added as previews or GA by their suffix)."""
        extra = [v.strip() for v in versions if _DATED.match(v.strip())]
        ga = tuple(dict.fromkeys([*self.ga, *(v for v in extra if not v.endswith("-preview"))]))
        preview = tuple(dict.fromkeys([*self.preview, *(v for v in extra if v.endswith("-preview"))]))
        return ApiVersions(ga=ga, preview=preview, v1=self.v1, feature_since=self.feature_since)


# The v1 API's entry in a recommendation: the ``/openai/v1/`` style, which takes no dated version.
V1_API = "v1"


def recommended_api_versions(family: Family, versions: ApiVersions | None = None) -> tuple[str, ...]:
    """The api-versions to recommend for a deployment of ``family``, best first.

    Every entry works for that family; the last one is :data:`V1_API` (the v1 style, no dated
    version), so ``result[0]`` is always a value for the api-version field of the classic style.
    Reasoning models (gpt-5.x, o-series) need a version from ``reasoning_models`` on: they answer
    an older one, such as GA 2024-10-21, with 400 "Model {modelName} is enabled only for api
    versions 2024-12-01-preview and later" (langchain4j/langchain4j#2636). Microsoft lists
    2025-04-01-preview and v1 for the o-series and v1 for gpt-5 (azure-ai-docs
    how-to/reasoning.md), and Azure serves gpt-5.1 on dated previews too (a 429 for gpt-5.1
    "under Azure OpenAI API version 2025-03-01-preview", dyad-sh/dyad#1849); wire-format
    reference §3.1, §4.7 and §7. A family not known yet gets the same advice, because that
    version also works for every classic model; classic and embedding models get the latest GA
    (generally available, the stable one) first.
    """
    known = versions if versions is not None else load_api_versions()
    for_reasoning = [v for v in known.dated if known.supports(v, "reasoning_models")]
    newest_for_reasoning = max(for_reasoning, key=_sort_key) if for_reasoning else known.latest_preview
    if family in ("reasoning", "unknown"):
        # No GA even for an unknown family: on a reasoning model the learner would meet the 400.
        return (newest_for_reasoning, V1_API)
    return (*dict.fromkeys([known.latest_ga, known.latest_preview]), V1_API)


def version_date(version: str) -> date | None:
    """The date in a dated api-version (``2024-10-21``, ``2025-04-01-preview``), else None."""
    match = _DATED.match(version)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _sort_key(version: str) -> tuple[date, bool]:
    # A GA version sorts after a preview of the same day.
    return (version_date(version) or date.min, not version.endswith("-preview"))


@cache
def _load_file(path: Path) -> ApiVersions:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return ApiVersions(
        ga=tuple(data["ga"]),
        preview=tuple(data["preview"]),
        v1=tuple(data["v1"]),
        feature_since={name: date.fromisoformat(day) for name, day in data["features"].items()},
    )


def load_api_versions(extra: list[str] | None = None) -> ApiVersions:
    """The known versions: the data file, plus ``AOAI_LAB_EXTRA_API_VERSIONS`` and ``extra``."""
    from_env = [v for v in os.environ.get(EXTRA_ENV, "").split(",") if v.strip()]
    versions = _load_file(DATA_FILE)
    added = [*from_env, *(extra or [])]
    return versions.with_extra(added) if added else versions
