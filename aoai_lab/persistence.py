"""A reload loses nothing that matters: the conversation, the chat settings and the last check
come back in a new Streamlit session, a typed key never does (issue 13).

Mechanism, and why:

* **A per-tab token in the URL.** Each tab gets ``secrets.token_urlsafe(24)`` (192 random bits)
  in its query string (``?s=…``, ``st.query_params``). A reload or a reconnect after a dropped
  Wi-Fi keeps the URL, so the new session finds its token; another tab gets its own. Cookies
  were not an option: ``st.context.cookies`` is read-only in Streamlit 1.67, and a cookie set
  from an HTML component lives in an iframe, not on the app's origin. Anyone who gets the whole
  URL (copied into a chat, say) gets the conversation: the same as being handed the open tab.
* **A server-side store keyed by a hash.** The store holds ``sha256(token)`` only, so neither a
  memory dump nor Redis ``KEYS`` reveals a token; there is no listing API, and 192 random bits
  cannot be guessed. The token is never logged or shown (it is in the address bar only).
* **Bounded and expiring.** An entry expires :data:`TTL_S` after its last use; in process the
  store keeps at most :data:`MAX_ENTRIES` and :data:`MAX_TOTAL_BYTES` (least recently used go
  first); an entry is at most
  :data:`MAX_BYTES` (the oldest turns are dropped to fit). In classroom mode with ``redis_url``
  the snapshot goes to the classroom's Redis (same connection settings) with a TTL, so any
  replica behind the load balancer can restore it.
* **No key, ever.** Connections are written without ``api_key``; a check made with a typed key
  comes back marked so that the page says the key is missing until it is typed again. A key held
  by the server keeps working: it comes from the server's configuration, not from the snapshot.
* **JSON, with an allow-list.** Snapshots are JSON; only the dataclasses listed in
  :func:`_types` can be rebuilt (no pickle: a tampered Redis entry cannot run code).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, Protocol

TOKEN_PARAM = "s"  # noqa: S105 - the query parameter's name, not a secret
TTL_S = 2 * 3600.0
MAX_ENTRIES = 1000
MAX_BYTES = 256_000
# All in-process snapshots together; the least recently used go first past this (a class of 40
# with long conversations stays far below it).
MAX_TOTAL_BYTES = 64_000_000
KEY_PREFIX = "snapshot:"
# token_urlsafe(24) is 32 characters; anything else in the URL is ignored (a new token is made).
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
# Stands for a typed key in a restored check: it never equals a field, so the check reads "changed".
KEY_NOT_KEPT = "\x00typed key not kept\x00"


def new_token() -> str:
    """A fresh unguessable tab token (192 bits)."""
    return secrets.token_urlsafe(24)


def valid_token(value: object) -> bool:
    """True when ``value`` looks like a token we made (anything else is replaced, never trusted)."""
    return isinstance(value, str) and bool(_TOKEN_RE.match(value))


def store_key(token: str) -> str:
    """The store's key for a token: its hash, so the store never holds a token."""
    return KEY_PREFIX + hashlib.sha256(token.encode()).hexdigest()


# --- stores ----------------------------------------------------------------------------------


class SnapshotStore(Protocol):
    """Where snapshots live, by hashed key."""

    def save(self, key: str, payload: str) -> None:
        """Keep ``payload`` under ``key`` for :data:`TTL_S` from now."""
        ...

    def load(self, key: str) -> str | None:
        """The payload under ``key`` (its TTL restarts), None when unknown or expired."""
        ...


class MemorySnapshots:
    """The in-process store: an LRU map with a TTL per entry, behind one lock."""

    def __init__(
        self,
        *,
        ttl: float = TTL_S,
        max_entries: int = MAX_ENTRIES,
        max_total_bytes: int = MAX_TOTAL_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._max = max_entries
        self._max_total = max_total_bytes
        self._total = 0
        self._clock = clock
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    @property
    def total_bytes(self) -> int:
        """The size of every payload held (UTF-8 bytes)."""
        with self._lock:
            return self._total

    def save(self, key: str, payload: str) -> None:
        size = len(payload.encode())
        if size > MAX_BYTES:  # callers shrink first; this is the last guard
            raise ValueError("snapshot too large")
        with self._lock:
            self._drop(key)
            self._items[key] = (payload, self._clock() + self._ttl)
            self._total += size
            while len(self._items) > self._max or self._total > self._max_total:
                self._drop(next(iter(self._items)))

    def _drop(self, key: str) -> None:
        hit = self._items.pop(key, None)
        if hit is not None:
            self._total -= len(hit[0].encode())

    def load(self, key: str) -> str | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return None
            now = self._clock()
            if hit[1] <= now:
                self._drop(key)
                return None
            self._items[key] = (hit[0], now + self._ttl)
            self._items.move_to_end(key)
            return hit[0]


class FlagSnapshots:
    """Snapshots in the classroom's store (Redis with ``redis_url``): one flag with a TTL each."""

    def __init__(self, flags: Any, *, ttl: float = TTL_S) -> None:
        self._flags = flags  # an aoai_lab.classroom.store.LimitStore
        self._ttl = ttl

    def save(self, key: str, payload: str) -> None:
        if len(payload.encode()) > MAX_BYTES:
            raise ValueError("snapshot too large")
        self._flags.put(key, payload, self._ttl)

    def load(self, key: str) -> str | None:
        value: str | None = self._flags.read(key)
        if value is not None:
            self._flags.put(key, value, self._ttl)
        return value


_memory = MemorySnapshots()


def open_snapshots(redis_url: str | None) -> SnapshotStore:
    """Redis (the classroom's) when configured, else this process's memory."""
    if not redis_url:
        return _memory
    from aoai_lab.classroom.store import open_store

    return FlagSnapshots(open_store(redis_url))


# --- the codec -------------------------------------------------------------------------------


def _types() -> dict[str, type[Any]]:
    # Imported here: the check pulls in the SDK, which a first page load should not wait for.
    from aoai_lab.check import CheckReport, RungResult
    from aoai_lab.connection import Connection
    from aoai_lab.conversation import Entry, ReplyInfo
    from aoai_lab.diagnosis import Diagnosis, Evidence
    from aoai_lab.preflight import Finding
    from aoai_lab.structured_output import OutputFormat

    kinds = (CheckReport, RungResult, Connection, Entry, ReplyInfo, Diagnosis, Evidence, Finding, OutputFormat)
    return {kind.__name__: kind for kind in kinds}


def encode(value: Any) -> Any:
    """``value`` as plain JSON data; a connection's ``api_key`` is left out (never stored)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if name not in _types():
            raise TypeError(f"not storable: {name}")
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "api_key"}
        return {"__t": name, **fields}
    if isinstance(value, tuple):
        return {"__tuple": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, Mapping):
        return {"__map": {str(k): encode(v) for k, v in value.items()}}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"not storable: {type(value).__name__}")


def decode(data: Any) -> Any:
    """The inverse of :func:`encode`; only allow-listed dataclasses are rebuilt (a connection with
    an empty key)."""
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    if "__tuple" in data:
        return tuple(decode(item) for item in data["__tuple"])
    if "__map" in data:
        return {str(k): decode(v) for k, v in data["__map"].items()}
    kind = _types().get(str(data.get("__t")))
    if kind is None:
        raise ValueError("unknown type in snapshot")
    names = {f.name for f in dataclasses.fields(kind)}
    values = {k: decode(v) for k, v in data.items() if k in names}
    if "api_key" in names:
        values["api_key"] = ""
    return kind(**values)


def dumps(snapshot: Mapping[str, Any]) -> str:
    """A snapshot as JSON within :data:`MAX_BYTES`: the oldest turns go first when it is too big."""
    data = dict(snapshot)
    entries = list(data.get("entries") or [])
    while True:
        data["entries"] = entries
        text = json.dumps(encode(data), ensure_ascii=False, separators=(",", ":"))
        if len(text.encode()) <= MAX_BYTES or not entries:
            return text
        entries = entries[max(1, len(entries) // 4) :]


def loads(text: str) -> dict[str, Any] | None:
    """A snapshot from JSON, None when it is not one of ours (a damaged entry is ignored)."""
    try:
        data = decode(json.loads(text))
    except (ValueError, TypeError, KeyError):
        return None
    return data if isinstance(data, dict) else None
