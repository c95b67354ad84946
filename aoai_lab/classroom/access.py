"""The access code (students) and the instructor password: constant-time, rate-limited.

``hmac.compare_digest`` takes the same time wherever the strings differ, so the code cannot be
guessed one character at a time (https://docs.python.org/3/library/hmac.html#hmac.compare_digest).
Wrong guesses are limited per session and for the whole class (a new tab is a new session).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from aoai_lab.classroom.store import LimitStore

TRIES_PER_SESSION = 5  # per minute
TRIES_PER_CLASS = 200  # per minute: a class typing it at once passes, a guessing script does not
WINDOW = 60.0


@dataclass(frozen=True)
class Attempt:
    """The outcome of one typed code: accepted, or wrong, or too many tries (wait ``retry_after``)."""

    ok: bool
    retry_after: float | None = None


def same_secret(typed: str, expected: str) -> bool:
    """Constant-time equality of two secrets (surrounding spaces from a paste do not count)."""
    return hmac.compare_digest(typed.strip().encode("utf-8"), expected.encode("utf-8"))


def attempt(store: LimitStore, kind: str, session: str, typed: str, expected: str, now: float) -> Attempt:
    """Check one typed secret (``kind``: "code" or "password"), counting it against the limits first."""
    for key, limit in ((f"win:{kind}:{session}", TRIES_PER_SESSION), (f"win:{kind}:all", TRIES_PER_CLASS)):
        wait = store.take(key, limit, WINDOW, now)
        if wait > 0:
            return Attempt(False, wait)
    return Attempt(same_secret(typed, expected))
