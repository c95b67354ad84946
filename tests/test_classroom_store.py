"""The limit store: the same behaviour in memory and on a real redis-server on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from aoai_lab.classroom.store import LimitStore, MemoryStore, RedisStore
from tests.classroom_servers import redis_server


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(Path(tmp_path_factory.mktemp("redis"))) as url:
        yield url


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> LimitStore:
    if request.param == "memory":
        return MemoryStore()
    url = request.getfixturevalue("redis_url")
    # A fresh prefix per test: one server, independent tests.
    return RedisStore(url, prefix=f"test:{request.node.name}:")


def test_sliding_window(store: LimitStore) -> None:
    now = 1_000_000.0
    assert [store.take("w", 3, 60, now + i) for i in range(3)] == [0, 0, 0]
    wait = store.take("w", 3, 60, now + 10)
    assert wait == pytest.approx(50)  # the first event leaves the window at now + 60
    assert store.take("w", 3, 60, now + 60.5) == 0


def test_reserve_is_all_or_nothing(store: LimitStore) -> None:
    assert store.reserve([("a", 60, 100), ("b", 60, None)]) == -1
    assert store.reserve([("b", 10, None), ("a", 50, 100)]) == 1  # "a" would reach 110
    assert (store.get("a"), store.get("b")) == (60, 60)
    assert store.add("a", -20) == 40
    assert store.reserve([("a", 60, 100)]) == -1 and store.get("a") == 100


def test_flags_maps_and_rankings(store: LimitStore) -> None:
    store.put("f", "1")
    assert store.read("f") == "1"
    store.put("f", None)
    assert store.read("f") is None
    store.bump("m", {"requests": 1, "tokens": 30}, ttl=60)
    store.bump("m", {"requests": 1, "error:timeout": 1}, ttl=60)
    assert store.fields("m") == {"requests": 2, "tokens": 30, "error:timeout": 1}
    store.score("r", "s1", 10)
    store.score("r", "s2", 5)
    store.score("r", "s2", 10)
    store.score("r", "s3", 1, replace=True)
    assert store.top("r", 2) == [("s2", 15), ("s1", 10)]
    assert store.top("r", 10, min_score=10) == [("s2", 15), ("s1", 10)]


def test_memory_flags_expire() -> None:
    clock = Clock()
    store = MemoryStore(clock)
    store.put("busy", "x", ttl=5)
    clock.now += 4
    assert store.read("busy") == "x"
    clock.now += 2
    assert store.read("busy") is None


def test_redis_flags_expire(redis_url: str) -> None:
    store = RedisStore(redis_url, prefix="test:expire:")
    store.put("busy", "x", ttl=0.05)
    assert store.read("busy") == "x"
    import redis

    assert redis.Redis.from_url(redis_url).pttl("test:expire:busy") <= 50


def test_concurrent_reservations_never_pass_the_cap(store: LimitStore) -> None:
    admitted = []

    def worker() -> None:
        for _ in range(20):
            if store.reserve([("cap", 7, 100)]) == -1:
                admitted.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(admitted) == 100 // 7
    assert store.get("cap") == 7 * (100 // 7)


def test_two_clients_share_one_redis(redis_url: str) -> None:
    """Two replicas = two RedisStore objects on one server: a window fills across both."""
    one, two = RedisStore(redis_url, prefix="test:shared:"), RedisStore(redis_url, prefix="test:shared:")
    now = 2_000_000.0
    assert one.take("rpm", 2, 60, now) == 0
    assert two.take("rpm", 2, 60, now + 1) == 0
    assert one.take("rpm", 2, 60, now + 2) > 0
    assert two.take("rpm", 2, 60, now + 3) > 0
    assert one.ping() and two.ping()
