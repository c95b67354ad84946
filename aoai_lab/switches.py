"""On/off settings in the environment (``AOAI_LAB_WARMUP``, ``AOAI_LAB_PREFETCH``): on unless ``0``."""

from __future__ import annotations

import os
from collections.abc import Mapping


def switched_on(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """False when the variable ``name`` is ``0`` (spaces ignored), True when it is unset or anything else."""
    return (os.environ if environ is None else environ).get(name, "1").strip() != "0"
