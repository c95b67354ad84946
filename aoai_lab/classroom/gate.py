"""The classroom's limits, enforced on the server before a request leaves it, and its accounting.

Per session: requests per minute, ``max_output_tokens`` on every request, a token budget. For the
class (the shared deployment): a token budget, a pause switch and a back-off after Azure's 429.
Budgets are *reserved* before sending — the prompt estimate plus the (clamped) reply length —
and settled with the ``usage`` Azure returns, so concurrent requests on several replicas cannot
overspend together. A reply is clamped to what is left of the budget, never past it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from aoai_lab.classroom.config import ClassroomConfig
from aoai_lab.classroom.store import LimitStore

RefusalCode = Literal[
    "classroom_paused",
    "classroom_access_code",
    "classroom_rate_limit",
    "classroom_session_budget",
    "classroom_class_budget",
    "classroom_azure_busy",
]
MINUTE = 60.0
STATS_TTL = 2 * 3600.0  # per-minute statistics kept for a two-hour class
ACTIVE_SECONDS = 120.0  # a session seen in the last two minutes counts as active
# An Azure 429 is retried once only if it asks for at most this wait (a page must not hang).
MAX_RETRY_WAIT = 15.0

# Store keys (the store adds its own prefix).
PAUSED = "flag:paused"
AZURE_BUSY = "flag:azure_busy"
RETRY_SLOT = "win:retry429"
CLASS_TOKENS = "tok:class"
SEEN = "rank:seen"
TOKENS = "rank:tokens"


def session_tokens_key(session: str) -> str:
    """The counter of one session's tokens."""
    return f"tok:s:{session}"


def minute_key(now: float) -> str:
    """The statistics map of the minute ``now`` falls in."""
    return f"min:{int(now // MINUTE)}"


@dataclass(frozen=True)
class Refusal:
    """A request not sent: why (a diagnosis code) and when the student can go on (None: not today)."""

    code: RefusalCode
    retry_after: float | None = None


@dataclass(frozen=True)
class Ticket:
    """An admitted request: the tokens reserved for it and the reply length it may ask for."""

    session: str
    shared: bool
    prompt_tokens: int
    max_output: int
    reserved: int
    charged: tuple[str, ...]


class Gate:
    """The limits of one class over one store (in memory or Redis)."""

    def __init__(self, config: ClassroomConfig, store: LimitStore, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.store = store
        self.clock = clock

    # --- before sending
    def admit(
        self, session: str, *, shared: bool, unlocked: bool, prompt_tokens: int, requested_output: int | None
    ) -> Ticket | Refusal:
        """Admit one request or say why not. Only the shared deployment is paused, coded and budgeted;
        the per-minute limit and the reply-length cap apply to every request the server sends."""
        now = self.clock()
        self.store.score(SEEN, session, now, replace=True)
        refusal = self._shared_refusal(unlocked, now) if shared else None
        if refusal is None:
            wait = self.store.take(f"win:rpm:{session}", self.config.requests_per_minute, MINUTE, now)
            if wait > 0:
                refusal = Refusal("classroom_rate_limit", wait)
        if refusal is not None:
            self._count(now, {f"refused:{refusal.code}": 1})
            return refusal
        wanted = min(requested_output or self.config.max_output_tokens, self.config.max_output_tokens)
        if not shared:
            return Ticket(session, False, prompt_tokens, max(1, wanted), 0, ())
        return self._reserve(session, prompt_tokens, wanted, now)

    def _shared_refusal(self, unlocked: bool, now: float) -> Refusal | None:
        if self.store.read(PAUSED) is not None:
            return Refusal("classroom_paused", None)
        if not unlocked:
            return Refusal("classroom_access_code", None)
        busy = self.store.read(AZURE_BUSY)
        if busy is not None and float(busy) > now:
            return Refusal("classroom_azure_busy", float(busy) - now)
        return None

    def _budgets(self, session: str) -> list[tuple[str, int | None, RefusalCode]]:
        return [
            (session_tokens_key(session), self.config.session_token_budget, "classroom_session_budget"),
            (CLASS_TOKENS, self.config.class_token_budget, "classroom_class_budget"),
        ]

    def _reserve(self, session: str, prompt_tokens: int, wanted: int, now: float) -> Ticket | Refusal:
        budgets = self._budgets(session)
        # Clamp the reply to what is left of the tightest budget; refuse when not even one token is.
        left = min((cap - self.store.get(key) for key, cap, _ in budgets if cap is not None), default=None)
        output = wanted if left is None else min(wanted, left - prompt_tokens)
        if output < 1:
            code = next(c for key, cap, c in budgets if cap is not None and cap - self.store.get(key) == left)
            self._count(now, {f"refused:{code}": 1})
            return Refusal(code, None)
        reserved = prompt_tokens + output
        failed = self.store.reserve([(key, reserved, cap) for key, cap, _ in budgets])
        if failed >= 0:  # another request took the rest meanwhile
            self._count(now, {f"refused:{budgets[failed][2]}": 1})
            return Refusal(budgets[failed][2], None)
        return Ticket(session, True, prompt_tokens, output, reserved, tuple(key for key, _, _ in budgets))

    # --- after the answer
    def settle(
        self,
        ticket: Ticket,
        *,
        total_tokens: int | None,
        received_tokens: int,
        outcome: str,
        sent: bool = True,
        retry_after: float | None = None,
        release: bool = True,
    ) -> int:
        """Count what a request spent and give back the rest of its reservation; the tokens counted.

        ``total_tokens`` is Azure's ``usage`` when it came; otherwise (a stream cut short, an
        error) the spend is estimated as the prompt plus the reply text received, and nothing for
        a request that never reached the service or was refused by it before generating.
        With ``release=False`` the reservation is kept (the request is about to be retried).
        """
        now = self.clock()
        if total_tokens is not None:
            spent = total_tokens
        elif received_tokens > 0:
            spent = ticket.prompt_tokens + received_tokens
        else:
            spent = 0
        for key in ticket.charged:
            self.store.add(key, spent - (ticket.reserved if release else 0))
        if spent:
            self.store.score(TOKENS, ticket.session, spent)
        stats: dict[str, float] = {"requests": 1 if sent else 0, "tokens": spent}
        if outcome != "ok":
            stats[f"error:{outcome}"] = 1
        if outcome == "rate_limited" and ticket.shared:
            stats["azure_429"] = 1
            stats["retry_after_sum"] = retry_after or 0
            if retry_after:
                # Everyone waits as long as Azure asked: many sessions must not retry together.
                self.store.put(AZURE_BUSY, str(now + retry_after), ttl=retry_after)
                self.store.put("flag:last_retry_after", str(retry_after), ttl=STATS_TTL)
        self._count(now, stats)
        return spent

    def release(self, ticket: Ticket) -> None:
        """Give back a reservation that was never spent."""
        for key in ticket.charged:
            self.store.add(key, -ticket.reserved)

    def claim_retry(self, retry_after: float | None) -> bool:
        """Whether this session may retry an Azure 429 once: only one per back-off, in the whole class."""
        if not retry_after or retry_after > MAX_RETRY_WAIT:
            return False
        return self.store.take(RETRY_SLOT, 1, retry_after, self.clock()) == 0

    # --- the instructor's switch
    def pause(self, paused: bool) -> None:
        """Pause (or resume) the shared connection for everyone."""
        self.store.put(PAUSED, "1" if paused else None)

    def paused(self) -> bool:
        """Whether the shared connection is paused."""
        return self.store.read(PAUSED) is not None

    def _count(self, now: float, stats: dict[str, float]) -> None:
        self.store.bump(minute_key(now), {k: v for k, v in stats.items() if v}, STATS_TTL)
