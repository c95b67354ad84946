"""JSON text written by hand, so each target gets the string escaping its quoting needs.

The structure is always JSON's; only how a string is spelled changes (readable Korean and emoji
for here-docs and here-strings, pure ASCII with ``\\uXXXX`` for cmd.exe).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

JSON_SHORT_ESCAPES: Mapping[str, str] = MappingProxyType(
    {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
)
# Characters a cmd.exe JSON argument may carry as themselves; everything else becomes \uXXXX.
_CMD_JSON_SAFE = re.compile(r"[A-Za-z0-9 .,:;_\-+*/=?@#~$'{}\[\]`]")


def json_text(value: Any, encode_string: Callable[[str], str], indent: int | None) -> str:
    """``value`` as JSON, strings spelled by ``encode_string``; ``indent=None`` is one line without spaces."""
    return _json_value(value, encode_string, indent, 0)


def _json_value(value: Any, encode_string: Callable[[str], str], indent: int | None, depth: int) -> str:
    if isinstance(value, str):
        return encode_string(value)
    if isinstance(value, dict):
        items = [f"{encode_string(str(k))}:{'' if indent is None else ' '}" for k in value]
        parts = [
            k + _json_value(v, encode_string, indent, depth + 1) for k, v in zip(items, value.values(), strict=True)
        ]
        return _json_container("{", "}", parts, indent, depth)
    if isinstance(value, list | tuple):
        parts = [_json_value(v, encode_string, indent, depth + 1) for v in value]
        return _json_container("[", "]", parts, indent, depth)
    # Numbers, booleans and null: the standard encoder (no strings can reach here).
    return json.dumps(value, allow_nan=False)


def _json_container(open_: str, close: str, parts: list[str], indent: int | None, depth: int) -> str:
    if not parts:
        return open_ + close
    if indent is None:
        return open_ + ",".join(parts) + close
    inner = "\n" + " " * (indent * (depth + 1))
    return open_ + inner + ("," + inner).join(parts) + "\n" + " " * (indent * depth) + close


def u_escape(char: str) -> str:
    """``\\uXXXX`` for one character (a surrogate pair outside the BMP)."""
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_string_readable(text: str) -> str:
    """A JSON string that keeps printable text (Korean, emoji) as itself and escapes the rest."""
    out = []
    for char in text:
        if char in JSON_SHORT_ESCAPES:
            out.append(JSON_SHORT_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        else:  # control and invisible characters: visible as escapes, and safe on any line
            out.append(u_escape(char))
    return '"' + "".join(out) + '"'


def json_string_cmd(text: str) -> str:
    """A pure-ASCII JSON string with no character that cmd.exe or an argv parser treats specially.

    ``"`` ``\\`` ``%`` ``^`` ``&`` ``|`` ``<`` ``>`` ``!`` ``(`` ``)`` and everything non-ASCII
    become ``\\uXXXX``; newlines and tabs keep their short escapes (a backslash before a letter is
    literal to every parser involved).
    """
    out = []
    for char in text:
        if _CMD_JSON_SAFE.fullmatch(char):
            out.append(char)
        elif char in "\n\r\t":
            out.append(JSON_SHORT_ESCAPES[char])
        else:
            out.append(u_escape(char))
    return '"' + "".join(out) + '"'


def readable_json(value: Any) -> str:
    """Indented JSON with printable text kept as itself (here-docs, here-strings, HTTP, JavaScript)."""
    return json_text(value, json_string_readable, indent=2)
