"""Per-model limits as data (``aoai_lab/data/emulator_models.toml``) and deployments built from them.

``--deployment NAME=MODEL`` on the command line becomes a :class:`Deployment` whose family
(reasoning, classic, embedding), context window and output ceiling follow the model.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

from aoai_lab.emulator.config import Deployment, DeploymentKind

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "emulator_models.toml"


@dataclass(frozen=True)
class ModelSpec:
    """What the emulator knows about one dated model."""

    model: str
    kind: DeploymentKind
    input_tokens: int
    output_tokens: int
    dimensions: int
    flexible_dimensions: bool
    reasoning_efforts: tuple[str, ...]
    default_effort: str | None
    system_fingerprint: str | None


@cache
def load_models(path: Path = DATA_FILE) -> dict[str, ModelSpec]:
    """Every model in the data file, by its dated name."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {name: _spec(name, entry) for name, entry in data["models"].items()}


def _spec(name: str, entry: dict[str, Any]) -> ModelSpec:
    return ModelSpec(
        model=name,
        kind=cast(DeploymentKind, entry["kind"]),
        input_tokens=int(entry["input_tokens"]),
        output_tokens=int(entry.get("output_tokens", 0)),
        dimensions=int(entry.get("dimensions", 0)),
        flexible_dimensions=bool(entry.get("flexible_dimensions", False)),
        reasoning_efforts=tuple(entry.get("reasoning_efforts", ())),
        default_effort=entry.get("default_effort"),
        system_fingerprint=entry.get("system_fingerprint"),
    )


def known_models() -> list[str]:
    """The dated model names ``--deployment NAME=MODEL`` accepts."""
    return sorted(load_models())


def deployment_for(name: str, model: str, rpm: int = 600, tpm: int = 600_000) -> Deployment:
    """A deployment called ``name`` serving ``model``; raises ``KeyError`` for an unknown model.

    A short model name (``gpt-4o-mini``) picks the newest dated version the data file knows.
    """
    models = load_models()
    spec = models.get(model)
    if spec is None:
        dated = sorted(m for m in models if m.startswith(model + "-") and m[len(model) + 1 : len(model) + 2].isdigit())
        if not dated:
            raise KeyError(model)
        spec = models[dated[-1]]
    return Deployment(
        name=name,
        model=spec.model,
        kind=spec.kind,
        context_window=spec.input_tokens,
        max_output_tokens=spec.output_tokens or 16_384,
        dimensions=spec.dimensions,
        flexible_dimensions=spec.flexible_dimensions,
        rpm=rpm,
        tpm=tpm,
        reasoning_efforts=spec.reasoning_efforts,
        default_effort=spec.default_effort,
        system_fingerprint=spec.system_fingerprint,
    )
