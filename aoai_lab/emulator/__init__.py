"""A faithful local stand-in for the Azure OpenAI data plane (offline demo, classroom, tests)."""

from typing import TYPE_CHECKING, Any

from aoai_lab.emulator.config import (
    DEMO_KEY,
    DEMO_KEY_2,
    DEMO_PORT,
    FAULT_HEADER,
    FAULTS,
    Deployment,
    EmulatorConfig,
    Fault,
)

if TYPE_CHECKING:
    from aoai_lab.emulator.server import EmulatorServer, serve_forever

__all__ = [
    "DEMO_KEY",
    "DEMO_KEY_2",
    "DEMO_PORT",
    "FAULTS",
    "FAULT_HEADER",
    "Deployment",
    "EmulatorConfig",
    "EmulatorServer",
    "Fault",
    "serve_forever",
]


def __getattr__(name: str) -> Any:
    # The server pulls in uvicorn and every route (~80 ms of imports): only when it is asked for,
    # so ``aoai_lab.emulator.models`` and ``.config`` stay light for the first page (issue 12).
    if name in ("EmulatorServer", "serve_forever"):
        from aoai_lab.emulator import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
