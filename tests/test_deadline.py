"""One deadline over many socket operations: the pieces the check's ``--timeout`` is built on."""

from __future__ import annotations

import httpx2
import pytest

from aoai_lab import deadline
from tests.loopback import trickle_server


def test_outside_a_deadline_nothing_is_bounded() -> None:
    assert deadline.remaining() is None
    assert deadline.bounded(7.0) == 7.0 and deadline.bounded(None) is None


def test_a_deadline_cuts_every_timeout_and_a_nested_one_never_extends_it() -> None:
    with deadline.within(5.0):
        assert deadline.bounded(60.0) is not None and deadline.bounded(60.0) <= 5.0  # type: ignore[operator]
        assert deadline.bounded(1.0) == 1.0
        with deadline.within(100.0):
            left = deadline.remaining()
            assert left is not None and left <= 5.0
        with deadline.within(0.0):
            assert deadline.remaining() == 0.0
    assert deadline.remaining() is None


def test_the_transport_installs_its_backend() -> None:
    # transport() reaches into httpx2's pool (there is no public hook); a renamed attribute fails here.
    built = deadline.transport()
    assert isinstance(built._pool._network_backend, deadline.DeadlineBackend)


def test_a_trickle_is_cut_at_the_deadline_not_at_the_end_of_the_answer() -> None:
    with trickle_server(interval=0.25) as trickle, httpx2.Client(transport=deadline.transport(), timeout=10) as client:
        with deadline.within(1.0), pytest.raises(httpx2.TimeoutException):
            client.get(f"http://127.0.0.1:{trickle.port}/")
        assert trickle.answered == 0


def test_a_spent_deadline_refuses_to_connect() -> None:
    with (
        trickle_server() as trickle,
        httpx2.Client(transport=deadline.transport()) as client,
        deadline.within(0.0),
        pytest.raises(httpx2.ConnectTimeout),
    ):
        client.get(f"http://127.0.0.1:{trickle.port}/")
