"""The context meter: the conversation's tokens against the model's input window.

The count is the app's estimate (:mod:`aoai_lab.tokens`, the same one the emulator enforces);
after a reply the service's own ``prompt_tokens`` is more exact, so the larger of the two is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from aoai_lab.request import Message
from aoai_lab.tokens import estimate_prompt_tokens

Level = Literal["ok", "warn", "over"]
# Warn once the next turn could overflow: past 80% the reply and the next question rarely fit.
WARN_RATIO = 0.8


@dataclass(frozen=True)
class Meter:
    """Tokens used against the window (``window`` None: unknown model, no ratio)."""

    used: int
    window: int | None

    @property
    def ratio(self) -> float | None:
        """How full the window is, 0..1 (None without a window)."""
        return None if not self.window else min(1.0, self.used / self.window)

    @property
    def level(self) -> Level:
        """ok, warn (past :data:`WARN_RATIO`) or over (the next request will be refused)."""
        if not self.window:
            return "ok"
        if self.used >= self.window:
            return "over"
        return "warn" if self.used >= WARN_RATIO * self.window else "ok"


def measure(messages: Sequence[Message], window: int | None, reported: int | None = None) -> Meter:
    """The meter for ``messages`` (what the next request sends, before the new question)."""
    estimate = estimate_prompt_tokens(m.as_dict() for m in messages) if messages else 0
    return Meter(max(estimate, reported or 0), window)
