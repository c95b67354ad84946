"""Advice fitted to the model in front of the learner: which api-version to recommend, and why.

The recommendation itself is :func:`aoai_lab.versions.recommended_api_versions`; this module
decides *for which family* (what the check learned, else a guess from the deployment name) and
turns it into the values and the explanation the catalog texts use. It stays free of the SDK and
of Streamlit, so the Guide and Connect pages can use it cheaply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aoai_lab.models import Family, family_of
from aoai_lab.versions import ApiVersions, load_api_versions, recommended_api_versions

# One explanation per family, shown under an api-version diagnosis (diag.hint.*).
_HINTS: Mapping[Family, str] = {
    "reasoning": "diag.hint.version_reasoning",
    "classic": "diag.hint.version_classic",
    "embedding": "diag.hint.version_classic",
    "unknown": "diag.hint.version_any_model",
}


@dataclass(frozen=True)
class VersionAdvice:
    """The api-versions to recommend for one deployment, best first, and why."""

    deployment: str
    family: Family
    recommended: tuple[str, ...]
    latest_ga: str
    latest_preview: str

    @property
    def first(self) -> str:
        """The dated version to put in the api-version field of the classic style."""
        return self.recommended[0]

    @property
    def hint(self) -> str:
        """The catalog key that explains the recommendation for this family."""
        return _HINTS[self.family]

    def params(self) -> dict[str, str]:
        """Values for the catalog's placeholders: ``{recommended}``, ``{latest_ga}``, … ."""
        return {
            "recommended": self.first,
            "latest_ga": self.latest_ga,
            "latest_preview": self.latest_preview,
        }


def version_advice(deployment: str, known: Family | None = None, versions: ApiVersions | None = None) -> VersionAdvice:
    """The advice for ``deployment``: ``known`` is the family the check learned from the model.

    When the check has not reached the model (it failed earlier, or has not run), the family is
    guessed from the deployment name; a name that tells nothing gets the advice that works for
    every model (see :func:`recommended_api_versions`).
    """
    versions = versions if versions is not None else load_api_versions()
    family = known if known is not None and known != "unknown" else family_of(deployment)
    return VersionAdvice(
        deployment=deployment,
        family=family,
        recommended=recommended_api_versions(family, versions),
        latest_ga=versions.latest_ga,
        latest_preview=versions.latest_preview,
    )
