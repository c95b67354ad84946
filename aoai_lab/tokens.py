"""A deterministic, tokenizer-free token estimate (the emulator's usage figures and limits).

Real models use BPE; this estimate only needs to be stable and of the right order: about four
ASCII characters per token and about one token per Hangul syllable or other non-ASCII character.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

# Per-message overhead and reply priming, as OpenAI documents for chat models.
MESSAGE_OVERHEAD = 3
REPLY_PRIMING = 3

_PIECE = re.compile(r"\s*\S+|\s+")


def estimate_tokens(text: str) -> int:
    """Tokens in ``text``: ceil(ascii / 4) + one per non-ASCII character."""
    # The ASCII characters are what an ASCII encoding keeps: counted in C, not a loop per
    # character (the Chat page estimates the whole conversation on every run).
    ascii_chars = len(text) if text.isascii() else len(text.encode("ascii", "ignore"))
    return math.ceil(ascii_chars / 4) + (len(text) - ascii_chars)


def message_text(content: object) -> str:
    """The text of a message ``content``: a string, or the text parts of a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
    return ""


def estimate_prompt_tokens(messages: Iterable[Mapping[str, object]]) -> int:
    """Prompt tokens for a chat request's ``messages``."""
    total = REPLY_PRIMING
    for message in messages:
        total += MESSAGE_OVERHEAD + estimate_tokens(message_text(message.get("content")))
    return total


def split_tokens(text: str) -> list[str]:
    """``text`` as streaming pieces (a word with its leading space); joined they give ``text``."""
    return _PIECE.findall(text)
