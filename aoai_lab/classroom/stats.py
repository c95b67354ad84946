"""What the instructor page shows: a snapshot of the class from the store (never chat content).

Sessions appear under anonymised ids (a random per-session id, shortened); the per-minute
statistics are those :class:`~aoai_lab.classroom.gate.Gate` counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aoai_lab.classroom.gate import ACTIVE_SECONDS, CLASS_TOKENS, MINUTE, SEEN, TOKENS, Gate, minute_key


@dataclass(frozen=True)
class MinuteRow:
    """One minute of the class."""

    minute: int  # epoch minute
    requests: int
    tokens: int
    refused: int
    errors: int


@dataclass(frozen=True)
class Snapshot:
    """The class now."""

    active_sessions: int
    minutes: tuple[MinuteRow, ...]
    errors: dict[str, int] = field(default_factory=dict)
    refusals: dict[str, int] = field(default_factory=dict)
    top_sessions: tuple[tuple[str, int], ...] = ()
    class_tokens: int = 0
    class_budget: int | None = None
    azure_429: int = 0
    last_retry_after: float | None = None
    paused: bool = False

    @property
    def class_remaining(self) -> int | None:
        """Tokens left in the class budget (None without one)."""
        return None if self.class_budget is None else max(0, self.class_budget - self.class_tokens)


def short_id(session: str) -> str:
    """The id the instructor sees for a session (a prefix of its random id)."""
    return f"#{session[:6]}"


def snapshot(gate: Gate, minutes: int = 30, top: int = 10) -> Snapshot:
    """The last ``minutes`` of the class, totals over that window and the biggest spenders."""
    now = gate.clock()
    rows = []
    errors: dict[str, int] = {}
    refusals: dict[str, int] = {}
    azure_429 = 0
    first = int(now // MINUTE) - minutes + 1
    for minute in range(first, int(now // MINUTE) + 1):
        values = gate.store.fields(minute_key(minute * MINUTE))
        refused = errored = 0
        for name, value in values.items():
            if name.startswith("error:"):
                errors[name[6:]] = errors.get(name[6:], 0) + int(value)
                errored += int(value)
            elif name.startswith("refused:"):
                refusals[name[8:]] = refusals.get(name[8:], 0) + int(value)
                refused += int(value)
        azure_429 += int(values.get("azure_429", 0))
        rows.append(MinuteRow(minute, int(values.get("requests", 0)), int(values.get("tokens", 0)), refused, errored))
    last_retry = gate.store.read("flag:last_retry_after")
    return Snapshot(
        active_sessions=len(gate.store.top(SEEN, 100_000, min_score=now - ACTIVE_SECONDS)),
        minutes=tuple(rows),
        errors=errors,
        refusals=refusals,
        top_sessions=tuple((short_id(s), int(n)) for s, n in gate.store.top(TOKENS, top)),
        class_tokens=gate.store.get(CLASS_TOKENS),
        class_budget=gate.config.class_token_budget,
        azure_429=azure_429,
        last_retry_after=float(last_retry) if last_retry else None,
        paused=gate.paused(),
    )
