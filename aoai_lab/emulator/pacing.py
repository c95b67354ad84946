"""A streamed reply's pace: tokens on a fixed schedule, as a deployment generates them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable


class Pace:
    """Waits until a reply's next token is due: the n-th token (from 1) is due ``n / rate``
    seconds after the first wait began.

    A schedule, not a sleep per token: each wake-up is a little late, and a sleep per token added
    every lateness to the reply. A lone 300-token reply at 100 tokens/s took 3.3 s, not 3.0 s,
    and under a classroom load on the emulator's machine far more (issue 12), where a real
    deployment's speed does not depend on the server that reads it. A token already due is ready
    after one pass of the event loop, so a stream that is behind catches up without starving the
    others, and :meth:`writes` sends the tokens that are due together in one write. A rate of 0
    or less: no waiting at all.
    """

    def __init__(self, tokens_per_second: float) -> None:
        self._interval = 1.0 / tokens_per_second if tokens_per_second > 0 else 0.0
        self._start: float | None = None
        self._count = 0

    def behind(self) -> bool:
        """True when the next token is already due (a stream that fell behind the schedule)."""
        if not self._interval or self._start is None:
            return False
        return asyncio.get_running_loop().time() >= self._due(self._count + 1)

    async def next_token(self) -> None:
        """Return when the next token is due."""
        if not self._interval:
            return
        loop = asyncio.get_running_loop()
        if self._start is None:
            self._start = loop.time()
        self._count += 1
        await asyncio.sleep(max(0.0, self._due(self._count) - loop.time()))

    async def writes(self, pieces: Iterable[str], event: Callable[[str], bytes]) -> AsyncIterator[bytes]:
        """The ``event`` of each of ``pieces`` (a token each), built once its token is due; the
        events due together (a stream that fell behind) in one write.

        A write per token cost the emulator half its time in socket writes under a class's load
        (issue 12, round six); the bytes are the same either way.
        """
        due: list[bytes] = []  # events built but not yet sent: several only while behind
        for piece in pieces:
            if due and not self.behind():  # the next token must wait: send what is due first
                yield b"".join(due)
                due.clear()
            await self.next_token()
            due.append(event(piece))
        if due:  # the last token, with any others still due
            yield b"".join(due)

    def _due(self, n: int) -> float:
        """When the n-th token is due, on the loop's clock (once the pace has started)."""
        assert self._start is not None
        return self._start + n * self._interval
