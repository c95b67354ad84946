"""What the app knows about model names: which family a model belongs to and which names are models.

A *deployment* name is chosen by the learner; a *model* name is Azure's. The tutorial's most common
mistake is using one for the other, so the app needs to recognise model names when it sees them.
"""

from __future__ import annotations

import re
from typing import Literal

Family = Literal["reasoning", "classic", "embedding", "unknown"]

# Base model names a learner is likely to type as a deployment name (the portal shows these).
KNOWN_MODEL_NAMES: tuple[str, ...] = (
    "gpt-35-turbo", "gpt-35-turbo-16k", "gpt-3.5-turbo", "gpt-4", "gpt-4-32k", "gpt-4-turbo",
    "gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano",
    "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-5-chat", "gpt-5.1", "gpt-5.1-chat", "gpt-5.2",
    "o1", "o1-mini", "o3", "o3-mini", "o4-mini",
    "text-embedding-ada-002", "text-embedding-3-small", "text-embedding-3-large",
)  # fmt: skip

# o-series and the gpt-5 family (except the -chat variants) are reasoning models (DOC-REASONING §7).
_REASONING = re.compile(r"^(o\d(-mini|-pro)?|gpt-5(\.\d)?(-mini|-nano|-pro|-codex)?)(-\d{4}-\d{2}-\d{2})?$")
_EMBEDDING = re.compile(r"^text-embedding-")
_CLASSIC = re.compile(r"^(gpt-3|gpt-35|gpt-4|gpt-5(\.\d)?-chat)")
# A dated model version such as gpt-4o-2024-08-06 or a bare model version such as 2024-07-18 / 0613.
_MODEL_VERSION = re.compile(
    r"^(?:[a-z0-9.\-]+-)?(\d{4}-\d{2}-\d{2}|0301|0314|0613|1106(-preview)?|0125(-preview)?)$", re.I
)


def family_of(model: str) -> Family:
    """The family of a model name or dated model (``gpt-5.1-2025-11-13`` → ``reasoning``)."""
    name = model.strip().lower()
    if _EMBEDDING.match(name):
        return "embedding"
    if _REASONING.match(name):
        return "reasoning"
    if _CLASSIC.match(name):
        return "classic"
    return "unknown"


def is_model_name(name: str) -> bool:
    """True when ``name`` is a base model name Azure shows, such as ``gpt-4o`` or ``gpt-35-turbo``."""
    return name.strip().lower() in KNOWN_MODEL_NAMES


def looks_like_model_version(name: str) -> bool:
    """True for a model version string (``gpt-4o-2024-08-06``, ``2024-07-18``, ``0613``)."""
    return bool(_MODEL_VERSION.match(name.strip()))
