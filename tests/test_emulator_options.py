"""The emulator's command-line parsers and per-model data, as pure functions."""

from __future__ import annotations

import pytest

from aoai_lab.emulator import options
from aoai_lab.emulator.config import DEFAULT_DEPLOYMENTS
from aoai_lab.emulator.models import deployment_for, load_models


def test_every_default_deployment_matches_the_model_data() -> None:
    models = load_models()
    for deployment in DEFAULT_DEPLOYMENTS:
        spec = models[deployment.model]
        assert (deployment.kind, deployment.context_window) == (spec.kind, spec.input_tokens)
        if spec.kind != "embedding":
            assert deployment.max_output_tokens == spec.output_tokens
        else:
            assert deployment.dimensions == spec.dimensions


@pytest.mark.parametrize(
    ("model", "kind", "dated"),
    [
        ("gpt-4o-mini", "classic", "gpt-4o-mini-2024-07-18"),
        ("gpt-5.1", "reasoning", "gpt-5.1-2025-11-13"),
        ("gpt-4o", "classic", "gpt-4o-2024-11-20"),  # the newest dated version
        ("text-embedding-3-large", "embedding", "text-embedding-3-large"),
    ],
)
def test_the_family_follows_the_model(model: str, kind: str, dated: str) -> None:
    deployment = deployment_for("mine", model)
    assert (deployment.name, deployment.kind, deployment.model) == ("mine", kind, dated)


def test_gpt_4o_mini_is_not_read_as_gpt_4o() -> None:
    assert deployment_for("x", "gpt-4o").model.startswith("gpt-4o-2")


def test_parse_deployment() -> None:
    assert options.parse_deployment("my-chat=gpt-4o-mini") == ("my-chat", "gpt-4o-mini")
    for bad in ("my-chat", "=gpt-4o-mini", "my-chat=", "a/b=gpt-4o-mini", "x=gpt-99"):
        with pytest.raises(ValueError, match=r"--deployment"):
            options.parse_deployment(bad)


def test_parse_fault_rate() -> None:
    assert options.parse_fault_rate("429=0.2") == ("429", 0.2)
    assert options.parse_fault_rate("drop-stream=1") == ("drop-stream", 1.0)
    for bad in ("429", "429=2", "429=-0.1", "429=lots", "meteor=0.5"):
        with pytest.raises(ValueError, match=r"--fault-rate"):
            options.parse_fault_rate(bad)


def test_errors_are_bilingual() -> None:
    with pytest.raises(ValueError) as caught:
        options.parse_fault_rate("429=2")
    korean, english = str(caught.value).split("\n")
    assert "받은 값" in korean and "not '429=2'" in english


def test_rpm_and_tpm_apply_to_every_deployment() -> None:
    chosen = options.deployments([("a", "gpt-4o-mini"), ("b", "gpt-5.1")], rpm=6, tpm=1000)
    assert [(d.name, d.rpm, d.tpm) for d in chosen] == [("a", 6, 1000), ("b", 6, 1000)]
    assert options.deployments([]) == DEFAULT_DEPLOYMENTS
    assert options.positive_int("--rpm", "60") == 60
    with pytest.raises(ValueError, match="--rpm"):
        options.positive_int("--rpm", "zero")
