"""The emulator's command-line options as pure parsers (``python -m aoai_lab emulator``).

Each parser raises ``ValueError`` with a bilingual (Korean, then English) message that names the
bad value; the CLI turns it into an argparse error, never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from aoai_lab.emulator.config import DEFAULT_DEPLOYMENTS, FAULTS, Deployment, Fault
from aoai_lab.emulator.models import deployment_for, known_models
from aoai_lab.i18n import t


def _both(key: str, **params: object) -> str:
    return t(key, "ko", **params) + "\n" + t(key, "en", **params)


def positive_int(option: str, value: str) -> int:
    """``value`` as an integer above 0 (``--rpm``, ``--tpm``)."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(_both("emulator.cli.positive", option=option, value=value))
    return number


def parse_deployment(value: str) -> tuple[str, str]:
    """``NAME=MODEL`` → (name, model); the model must be one the emulator knows."""
    name, sep, model = value.partition("=")
    name, model = name.strip(), model.strip()
    if not sep or not name or not model or "/" in name:
        raise ValueError(_both("emulator.cli.deployment_shape", value=value))
    try:
        deployment_for(name, model)
    except KeyError:
        known = ", ".join(known_models())
        raise ValueError(_both("emulator.cli.unknown_model", name=name, model=model, known=known)) from None
    return name, model


def parse_fault_rate(value: str) -> tuple[Fault, float]:
    """``FAULT=P`` (``429=0.2``) → (fault, probability in [0, 1])."""
    fault, sep, rate_text = value.partition("=")
    try:
        rate = float(rate_text)
    except ValueError:
        rate = -1.0
    if not sep or not 0.0 <= rate <= 1.0:
        raise ValueError(_both("emulator.cli.fault_rate_shape", value=value))
    for known in FAULTS:
        if known == fault.strip():
            return known, rate
    raise ValueError(_both("emulator.cli.unknown_fault", fault=fault.strip(), known=", ".join(FAULTS)))


def deployments(
    pairs: Sequence[tuple[str, str]], rpm: int | None = None, tpm: int | None = None
) -> tuple[Deployment, ...]:
    """The demo deployments (or the ``--deployment`` ones instead), with ``--rpm``/``--tpm`` applied."""
    chosen = [deployment_for(name, model) for name, model in pairs] or list(DEFAULT_DEPLOYMENTS)
    return tuple(
        replace(d, rpm=rpm if rpm is not None else d.rpm, tpm=tpm if tpm is not None else d.tpm) for d in chosen
    )
