"""What the app knows about a deployment's model: its context window, output ceiling and the
reasoning efforts it accepts — from the same data file the emulator enforces
(``aoai_lab/data/emulator_models.toml``, sources cited there).
"""

from __future__ import annotations

import re

from aoai_lab.emulator.models import ModelSpec, load_models

_DATED = re.compile(r"-\d{4}-\d{2}-\d{2}$")


def limits_for(model: str) -> ModelSpec | None:
    """The newest known version of ``model`` (a dated name, or a base name like ``gpt-4o-mini``).

    ``None`` for a name the data does not know, e.g. a deployment named freely: the page then
    offers every value and shows no context window.
    """
    models = load_models()
    name = model.strip().lower()
    if name in models:
        return models[name]
    dated = sorted(m for m in models if _DATED.sub("", m) == name)
    return models[dated[-1]] if dated else None
