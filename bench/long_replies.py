"""Long demo replies on request, for benchmarks: the emulator's own replies are a sentence or two.

A last user message ``BENCH-LONG <n>`` gets a reply of ``n`` words (``n`` streamed tokens) that
starts with the emulator's usual ``[Offline demo · …]`` marker; any other message keeps the
emulator's reply. Installed only by ``bench.launch`` in the processes the benchmarks start.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

PATTERN = re.compile(r"BENCH-LONG (\d+) turn (\d+)")
MARKER = "[Offline demo · "


def prompt(tokens: int, turn: int = 0) -> str:
    """The chat message that asks for a ``tokens``-token reply (``turn`` keeps messages distinct)."""
    return f"BENCH-LONG {tokens} turn {turn}"


def reply_marker(turn: int) -> str:
    """Text only the reply of ``turn`` contains: what a load client waits to see."""
    return f"reply{turn}:"


def long_text(tokens: int, deployment: str, turn: int = 0) -> str:
    """``tokens`` words after the demo marker (the marker's own words are not counted)."""
    words = " ".join(f"w{i % 100}" for i in range(tokens))
    return f"{MARKER}{deployment}] {reply_marker(turn)} {words}"


def _wrap(original: Callable[..., str]) -> Callable[..., str]:
    def compose(messages: Sequence[Mapping[str, object]], deployment: str, *args: Any, **kwargs: Any) -> str:
        last = next((m.get("content") for m in reversed(messages) if m.get("role") == "user"), "")
        match = PATTERN.match(last) if isinstance(last, str) else None
        if match:
            return long_text(int(match.group(1)), deployment, int(match.group(2)))
        return original(messages, deployment, *args, **kwargs)

    compose.__wrapped__ = original  # type: ignore[attr-defined]
    return compose


def install() -> None:
    """Replace ``compose_reply`` wherever the emulator's modules imported it."""
    import aoai_lab.emulator.app  # noqa: F401  (imports every module that uses compose_reply)
    from aoai_lab.emulator import replies

    original = replies.compose_reply
    wrapped = _wrap(original)
    for name, module in list(sys.modules.items()):
        if name.startswith("aoai_lab.emulator") and getattr(module, "compose_reply", None) is original:
            module.compose_reply = wrapped  # type: ignore[attr-defined]
