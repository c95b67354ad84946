"""A faithful local stand-in for the Azure OpenAI data plane (offline demo, classroom, tests)."""

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
