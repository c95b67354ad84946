"""Short-window rate limits (DOC-QUOTA: 1-10 s windows, reference §4.7) and buckets that never lock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aoai_lab.emulator import Deployment, EmulatorConfig, EmulatorServer
from aoai_lab.emulator.ratelimit import DeploymentQuota, TokenBucket
from tests.emulator_http import classic_url, curl, key_header, user


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_holds_ten_seconds_of_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(60, clock)
    assert bucket.capacity == 10
    for _ in range(10):
        assert bucket.wait_for(1) == 0
        bucket.take(1)
    assert bucket.wait_for(1) == pytest.approx(1.0)  # 60 RPM refills one request a second
    clock.now += 1
    assert bucket.wait_for(1) == 0


def test_one_huge_request_cannot_lock_the_deployment() -> None:
    clock = FakeClock()
    quota = DeploymentQuota.per_minute(600, 600_000, clock)
    assert quota.admit(10**15).allowed  # a full bucket admits it...
    assert quota.tokens.level == 0  # ...and it empties the bucket, no further
    refused = quota.admit(100)
    assert not refused.allowed and refused.retry_after == 1
    clock.now += 1
    assert quota.admit(100).allowed


@pytest.fixture
def sixty_rpm() -> Iterator[EmulatorServer]:
    deployment = Deployment(name="class", model="gpt-4o-mini-2024-07-18", kind="classic", rpm=60)
    with EmulatorServer(EmulatorConfig(deployments=(deployment,), tokens_per_second=0)) as server:
        yield server


def test_a_burst_of_a_dozen_at_60_rpm_meets_a_429(sixty_rpm: EmulatorServer) -> None:
    url = classic_url(sixty_rpm.endpoint, "class", "2024-10-21")
    statuses = [curl(url, headers=key_header(), body=user("hi")).status for _ in range(12)]
    assert 429 in statuses
    assert statuses[:10] == [200] * 10  # the 10-second window holds ten requests at 60 RPM


def test_max_completion_tokens_of_10_to_the_15_does_not_lock_anyone_out(emulator: EmulatorServer) -> None:
    url = classic_url(emulator.endpoint, "gpt-5.1")
    huge = curl(url, headers=key_header(), body={**user("hi"), "max_completion_tokens": 10**15})
    assert huge.status == 400
    assert huge.json()["error"]["code"] == "invalid_value"
    assert curl(url, headers=key_header(), body=user("hi")).status == 200
