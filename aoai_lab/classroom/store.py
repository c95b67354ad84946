"""Where classroom counters live: one small interface, an in-process and a Redis implementation.

One process keeps its counters in memory (the default). Several replicas behind a load balancer
share them through Redis (``redis_url``): every check-and-count is one atomic Lua script there, so
a limit holds whichever replica a request lands on. Times are wall-clock seconds passed in by the
caller (replicas share a clock through NTP; limits are per minute, not per millisecond).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence
from typing import Any, Protocol

KEY_PREFIX = "aoai_lab:"


class LimitStore(Protocol):
    """Counters, sliding windows, flags and rankings, all keyed by short strings."""

    def take(self, key: str, limit: int, window: float, now: float) -> float:
        """Count one event in a sliding ``window``: 0 when admitted, else seconds until a slot frees."""
        ...

    def reserve(self, charges: Sequence[tuple[str, int, int | None]]) -> int:
        """Add each amount to its key if every key stays within its cap (None = no cap), all or
        nothing; return -1 when added, else the index of the first charge that would pass its cap."""
        ...

    def add(self, key: str, amount: int) -> int:
        """Add to a counter (negative to give back); the new value."""
        ...

    def get(self, key: str) -> int:
        """A counter's value (0 when unset)."""
        ...

    def put(self, key: str, value: str | None, ttl: float | None = None) -> None:
        """Set a flag (None deletes it), optionally expiring after ``ttl`` seconds."""
        ...

    def read(self, key: str) -> str | None:
        """A flag's value, None when unset or expired."""
        ...

    def bump(self, key: str, fields: dict[str, float], ttl: float) -> None:
        """Add to fields of a small map (per-minute statistics), which expires after ``ttl``."""
        ...

    def fields(self, key: str) -> dict[str, float]:
        """A map's fields."""
        ...

    def score(self, key: str, member: str, amount: float, *, replace: bool = False) -> None:
        """Add ``amount`` to (or set) a member's score in a ranking."""
        ...

    def top(self, key: str, count: int, min_score: float | None = None) -> list[tuple[str, float]]:
        """The highest-scored members (optionally only those scoring at least ``min_score``)."""
        ...


class MemoryStore:
    """The in-process store: plain dicts behind one lock (a class on one machine)."""

    def __init__(self, clock: Any = time.time) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._windows: dict[str, list[float]] = {}
        self._counters: dict[str, int] = {}
        self._flags: dict[str, tuple[str, float | None]] = {}
        self._maps: dict[str, tuple[dict[str, float], float]] = {}
        self._rankings: dict[str, dict[str, float]] = {}

    def take(self, key: str, limit: int, window: float, now: float) -> float:
        with self._lock:
            events = [t for t in self._windows.get(key, []) if t > now - window]
            if len(events) < limit:
                events.append(now)
                self._windows[key] = events
                return 0.0
            self._windows[key] = events
            return max(0.001, min(events) + window - now)

    def reserve(self, charges: Sequence[tuple[str, int, int | None]]) -> int:
        with self._lock:
            for index, (key, amount, cap) in enumerate(charges):
                if cap is not None and self._counters.get(key, 0) + amount > cap:
                    return index
            for key, amount, _ in charges:
                self._counters[key] = self._counters.get(key, 0) + amount
            return -1

    def add(self, key: str, amount: int) -> int:
        with self._lock:
            self._counters[key] = self._counters.get(key, 0) + amount
            return self._counters[key]

    def get(self, key: str) -> int:
        with self._lock:
            return self._counters.get(key, 0)

    def put(self, key: str, value: str | None, ttl: float | None = None) -> None:
        with self._lock:
            if value is None:
                self._flags.pop(key, None)
            else:
                self._flags[key] = (value, None if ttl is None else self._clock() + ttl)

    def read(self, key: str) -> str | None:
        with self._lock:
            hit = self._flags.get(key)
            if hit is None:
                return None
            value, expires = hit
            if expires is not None and expires <= self._clock():
                del self._flags[key]
                return None
            return value

    def bump(self, key: str, fields: dict[str, float], ttl: float) -> None:
        with self._lock:
            now = self._clock()
            current, expires = self._maps.get(key, ({}, now + ttl))
            if expires <= now:
                current = {}
            for name, amount in fields.items():
                current[name] = current.get(name, 0.0) + amount
            self._maps[key] = (current, now + ttl)
            # Expired maps go now and then, so a long class does not grow memory.
            if len(self._maps) > 512:
                self._maps = {k: v for k, v in self._maps.items() if v[1] > now}

    def fields(self, key: str) -> dict[str, float]:
        with self._lock:
            hit = self._maps.get(key)
            if hit is None or hit[1] <= self._clock():
                return {}
            return dict(hit[0])

    def score(self, key: str, member: str, amount: float, *, replace: bool = False) -> None:
        with self._lock:
            ranking = self._rankings.setdefault(key, {})
            ranking[member] = amount if replace else ranking.get(member, 0.0) + amount

    def top(self, key: str, count: int, min_score: float | None = None) -> list[tuple[str, float]]:
        with self._lock:
            items = [(m, s) for m, s in self._rankings.get(key, {}).items() if min_score is None or s >= min_score]
        return sorted(items, key=lambda item: (-item[1], item[0]))[:count]


# KEYS[1] window; ARGV limit, window seconds, now, unique member.
_TAKE = """
local key = KEYS[1]
local limit, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  return '0'
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""
# KEYS counters; ARGV amount and cap (-1 = none) per key.
_RESERVE = """
for i = 1, #KEYS do
  local cap = tonumber(ARGV[2 * i])
  if cap >= 0 and tonumber(redis.call('GET', KEYS[i]) or '0') + tonumber(ARGV[2 * i - 1]) > cap then
    return i - 1
  end
end
for i = 1, #KEYS do redis.call('INCRBY', KEYS[i], ARGV[2 * i - 1]) end
return -1
"""


class RedisStore:
    """The shared store for several replicas; every key is prefixed (one Redis can serve others)."""

    def __init__(self, url: str, *, prefix: str = KEY_PREFIX, client: Any = None) -> None:
        import redis  # only a scaled-out class needs the package

        self._redis = client or redis.Redis.from_url(url, decode_responses=True, socket_timeout=2.0)
        self._prefix = prefix
        self._take = self._redis.register_script(_TAKE)
        self._reserve = self._redis.register_script(_RESERVE)

    def _k(self, key: str) -> str:
        return self._prefix + key

    def ping(self) -> bool:
        """True when Redis answers (the instructor page says so)."""
        return bool(self._redis.ping())

    def take(self, key: str, limit: int, window: float, now: float) -> float:
        wait = float(self._take(keys=[self._k(key)], args=[limit, window, now, uuid.uuid4().hex]))
        return 0.0 if wait <= 0 else max(0.001, wait)

    def reserve(self, charges: Sequence[tuple[str, int, int | None]]) -> int:
        args: list[int] = []
        for _, amount, cap in charges:
            args += [amount, -1 if cap is None else cap]
        return int(self._reserve(keys=[self._k(key) for key, _, _ in charges], args=args))

    def add(self, key: str, amount: int) -> int:
        return int(self._redis.incrby(self._k(key), amount))

    def get(self, key: str) -> int:
        return int(self._redis.get(self._k(key)) or 0)

    def put(self, key: str, value: str | None, ttl: float | None = None) -> None:
        if value is None:
            self._redis.delete(self._k(key))
        elif ttl is None:
            self._redis.set(self._k(key), value)
        else:
            self._redis.set(self._k(key), value, px=max(1, round(ttl * 1000)))

    def read(self, key: str) -> str | None:
        value = self._redis.get(self._k(key))
        return None if value is None else str(value)

    def bump(self, key: str, fields: dict[str, float], ttl: float) -> None:
        pipe = self._redis.pipeline()
        for name, amount in fields.items():
            pipe.hincrbyfloat(self._k(key), name, amount)
        pipe.pexpire(self._k(key), round(ttl * 1000))
        pipe.execute()

    def fields(self, key: str) -> dict[str, float]:
        return {str(k): float(v) for k, v in self._redis.hgetall(self._k(key)).items()}

    def score(self, key: str, member: str, amount: float, *, replace: bool = False) -> None:
        if replace:
            self._redis.zadd(self._k(key), {member: amount})
        else:
            self._redis.zincrby(self._k(key), amount, member)

    def top(self, key: str, count: int, min_score: float | None = None) -> list[tuple[str, float]]:
        low = "-inf" if min_score is None else min_score
        rows: Any = self._redis.zrevrangebyscore(self._k(key), "+inf", low, start=0, num=count, withscores=True)
        return [(str(row[0]), float(row[1])) for row in rows]


_stores: dict[str | None, LimitStore] = {}
_stores_lock = threading.Lock()


def open_store(redis_url: str | None) -> LimitStore:
    """The process's store for ``redis_url`` (None: in memory), made once and shared by sessions."""
    with _stores_lock:
        store = _stores.get(redis_url)
        if store is None:
            store = RedisStore(redis_url) if redis_url else MemoryStore()
            _stores[redis_url] = store
        return store


def forget_stores() -> None:
    """Drop the process's stores (tests start each class afresh)."""
    with _stores_lock:
        _stores.clear()
