"""Configuration of the emulator: keys, deployments, pacing, limits, faults and filter triggers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

from aoai_lab.versions import ApiVersions, load_api_versions

# The demo keys are public (they are in the README): they unlock only the local emulator.
# They have the 32-hex-character shape of a classic Azure key so pre-flight checks accept them.
DEMO_KEY = "00000000000000000000000000000000"
DEMO_KEY_2 = "11111111111111111111111111111111"
# Where the demo listens (the app's built-in demo and ``python -m aoai_lab emulator``), so a
# copied snippet keeps working across restarts.
DEMO_PORT = 8765

DeploymentKind = Literal["reasoning", "classic", "embedding"]

# Faults a request can ask for with the header ``x-emulator-fault``. They apply to that one
# request only, so one student's experiment never reaches another's session.
Fault = Literal["429", "500", "500-gateway", "503", "timeout", "drop-stream", "key-disabled", "firewall"]
FAULTS: tuple[Fault, ...] = get_args(Fault)
FAULT_HEADER = "x-emulator-fault"


@dataclass(frozen=True)
class Deployment:
    """One deployment: the learner's name for it and the dated model behind it."""

    name: str
    model: str
    kind: DeploymentKind
    context_window: int = 128_000  # the most the prompt may use (models.toml ``input_tokens``)
    # The ceiling for max_tokens / max_completion_tokens (models.toml ``output_tokens``).
    max_output_tokens: int = 16_384
    # Embedding deployments: vector length, and whether ``dimensions`` may shorten it.
    dimensions: int = 0
    flexible_dimensions: bool = False
    rpm: int = 600
    tpm: int = 600_000
    # Accepted ``reasoning_effort`` values and the default (reasoning deployments only).
    reasoning_efforts: tuple[str, ...] = ()
    default_effort: str | None = None
    system_fingerprint: str | None = None


DEFAULT_DEPLOYMENTS: tuple[Deployment, ...] = (
    Deployment(
        name="gpt-5.1",
        model="gpt-5.1-2025-11-13",
        kind="reasoning",
        context_window=272_000,  # gpt-5 family input limit (DOC-REASONING)
        max_output_tokens=128_000,
        reasoning_efforts=("none", "low", "medium", "high"),
        default_effort="none",  # gpt-5.1 defaults to none
    ),
    Deployment(
        name="gpt-4o-mini",
        model="gpt-4o-mini-2024-07-18",
        kind="classic",
        context_window=128_000,
        max_output_tokens=16_384,  # https://github.com/charmbracelet/catwalk/issues/41
        system_fingerprint="fp_57db37749c",
    ),
    Deployment(
        name="text-embedding-3-small",
        model="text-embedding-3-small",
        kind="embedding",
        context_window=8_191,
        dimensions=1536,
        flexible_dimensions=True,
    ),
)


@dataclass(frozen=True)
class FilterTrigger:
    """A demo phrase that makes the content filter act, in the prompt or in the reply."""

    phrase: str
    where: Literal["prompt", "reply"]
    category: str  # hate | sexual | violence | self_harm | jailbreak | protected_material_text


# Documented in the README. Matching ignores case.
FILTER_TRIGGERS: tuple[FilterTrigger, ...] = (
    FilterTrigger("content filter test", "prompt", "violence"),
    FilterTrigger("콘텐츠 필터 테스트", "prompt", "violence"),
    FilterTrigger("jailbreak test", "prompt", "jailbreak"),
    FilterTrigger("탈옥 테스트", "prompt", "jailbreak"),
    FilterTrigger("reply filter test", "reply", "protected_material_text"),
    FilterTrigger("응답 필터 테스트", "reply", "protected_material_text"),
)


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything the emulator can be told. The defaults are the offline demo."""

    api_keys: tuple[str, ...] = (DEMO_KEY, DEMO_KEY_2)
    deployments: tuple[Deployment, ...] = DEFAULT_DEPLOYMENTS
    api_versions: ApiVersions = field(default_factory=load_api_versions)
    # Streaming pace; close to a real deployment. 0 streams instantly (tests).
    tokens_per_second: float = 40.0
    region: str = "Korea Central"
    # How long a ``timeout`` fault keeps the client waiting before answering.
    timeout_fault_seconds: float = 30.0
    # Keep what requests carried (never the key) so tests can assert it. Off for the app:
    # the demo emulator is shared by every session of a classroom server.
    record_requests: bool = False
    filter_triggers: tuple[FilterTrigger, ...] = FILTER_TRIGGERS
    # Probability in [0, 1] that a request meets each fault without asking for it (``--fault-rate``),
    # for an instructor who wants a class to meet real-world flakiness. Empty: never.
    fault_rates: tuple[tuple[Fault, float], ...] = ()
    # A request's headers and body must arrive within this many seconds (slow/half-sent requests).
    request_read_timeout: float = 10.0

    def deployment(self, name: str) -> Deployment | None:
        """The deployment called ``name`` (exact, as Azure matches it), or None."""
        return next((d for d in self.deployments if d.name == name), None)
