"""What one simulated learner does, in AOAI Lab and in the reference chat app.

AOAI Lab: open the Connect page, click "offline demo" (the check runs), open Chat. The reference
(the tutorial's plain ``st.write_stream`` chat) has nothing to connect: it is opened on its chat.
Then each sends chat turns and times, per turn, the first text of the reply and the end of the run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bench.long_replies import prompt, reply_marker
from bench.protocol import Session

DEMO_BUTTON = "connect.demo_button"


@dataclass
class Turn:
    """One chat turn, seconds from sending the message."""

    first_text: float | None
    complete: float
    bytes_in: int
    messages_in: int
    run_started: float | None = None  # the server began the run (queueing before it)
    question_shown: float | None = None  # the page drew the question (the run reached the chat)


@dataclass
class Learner:
    """One session's timings; ``error`` is set when it failed."""

    connect_s: float | None = None
    turns: list[Turn] = field(default_factory=list)
    error: str | None = None


async def open_chat(session: Session, app: str, timeout: float) -> float | None:
    """Open the app ready to chat; for AOAI Lab connect to the demo first (returns that time)."""
    if app != "aoai_lab":
        await session.open("", timeout=timeout)
        return None
    await session.open("connect", timeout=timeout)
    started = time.perf_counter()
    await session.click(DEMO_BUTTON, timeout=timeout)
    took = time.perf_counter() - started
    await session.rerun(page_name="chat", timeout=timeout)
    return took


async def chat_turn(session: Session, turn: int, tokens: int, timeout: float) -> Turn:
    """Send one ``tokens``-token question and wait until its run ends."""
    watch = session.watch(reply_marker(turn))
    question = session.watch(prompt(tokens, turn))
    bytes_before, messages_before = session.bytes_in, session.messages_in
    session.run_started_at = None
    started = time.perf_counter()
    await session.chat(prompt(tokens, turn), timeout=timeout)
    complete = time.perf_counter() - started

    def since(moment: float | None) -> float | None:
        return None if moment is None else moment - started

    return Turn(
        since(watch.seen_at),
        complete,
        session.bytes_in - bytes_before,
        session.messages_in - messages_before,
        since(session.run_started_at),
        since(question.seen_at),
    )


async def learner(url: str, app: str, turns: int, tokens: int, timeout: float = 180.0) -> Learner:
    """One whole session: open, connect, ``turns`` chat turns; never raises."""
    result = Learner()
    session = Session(url)
    try:
        result.connect_s = await open_chat(session, app, timeout)
        for turn in range(turns):
            result.turns.append(await chat_turn(session, turn, tokens, timeout))
            if result.turns[-1].first_text is None:  # e.g. a diagnosis card instead of a reply
                result.error = f"turn {turn}: no reply text; page shows {session.texts()[-3:]}"[:300]
                break
        if session.exceptions:
            result.error = f"exception on the page: {session.exceptions[0][:200]}"
    except Exception as error:  # a failed session is counted, not fatal
        result.error = f"{type(error).__name__}: {error}"[:300]
    finally:
        try:
            await session.close()
        except Exception as error:  # closing a broken socket can fail too
            result.error = result.error or f"close: {error}"
    return result
