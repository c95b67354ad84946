"""Debian's Chromium as the browser tests and the benchmarks launch it (no pytest needed here)."""

from __future__ import annotations

import os

DEFAULT_CHROMIUM = "/usr/lib/chromium/chromium"  # the real binary; /usr/bin/chromium is a shell wrapper
# Without the background-networking flags Chromium keeps dialling Google on this closed network.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """The Chromium binary to launch: ``$CHROMIUM``, else Debian's."""
    return os.environ.get("CHROMIUM", DEFAULT_CHROMIUM)
