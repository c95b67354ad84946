"""What learners really paste that once broke the check: one corpus for the ladder, the CLI and
the app (issue 9), each entry with the diagnosis code it must get instead of a traceback."""

from __future__ import annotations

from aoai_lab.emulator import DEMO_KEY

NUL_KEY = "abcdef0123" + "\x00" + "456789abcdef0123456789a"
ESC_KEY = "abcdef0123" + "\x1b" + "456789abcdef0123456789a"
KOREAN_KEY = "키" + DEMO_KEY[1:]

# (endpoint, code): each with an otherwise good key.
HOSTILE_ENDPOINTS: tuple[tuple[str, str], ...] = (
    ("http://[::1", "endpoint_malformed"),
    ("http://127.0.0.1:99999/", "endpoint_bad_port"),
    ("http://127.0.0.1:abc/", "endpoint_bad_port"),
    ("https://" + "a" * 10240 + ".openai.azure.com/", "endpoint_too_long"),
    ("http://user:pa55word@127.0.0.1:8765/", "endpoint_has_credentials"),
)
# (key, code): each on an otherwise good endpoint.
HOSTILE_KEYS: tuple[tuple[str, str], ...] = (
    (NUL_KEY, "key_control_char"),
    (ESC_KEY, "key_control_char"),
    (KOREAN_KEY, "key_not_ascii"),
)


def hostile_cases(good_key: str, good_endpoint: str | None) -> list[tuple[str | None, str, str]]:
    """``(endpoint, key, code)`` for every entry: a bad endpoint with ``good_key``, a bad key on
    ``good_endpoint`` (a placeholder the test replaces, or None for "leave the field as it is")."""
    return [(endpoint, good_key, code) for endpoint, code in HOSTILE_ENDPOINTS] + [
        (good_endpoint, key, code) for key, code in HOSTILE_KEYS
    ]
