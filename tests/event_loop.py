"""Running a coroutine from a test, whatever else holds the main thread's event loop.

The browser tests keep Playwright's sync API alive for the whole session, and it runs an event
loop in the main thread: ``asyncio.run`` there fails with "cannot be called from a running event
loop" depending only on test order. A worker thread has no loop, so the coroutine gets its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion on a fresh event loop in a worker thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
