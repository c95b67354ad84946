"""Work the first page does not need, done in the background once that page is on its way.

The Guide needs neither the openai SDK nor pandas (issue 12: ~0.8 s and ~0.6 s of import), so
they are imported lazily; but then the first "offline demo" click or the first visit to the
request log paid for them while the learner waited. They are imported on a background thread
instead, while the learner reads the Guide, and the heap is frozen after them (aoai_lab/heap.py).
Once per process. Set ``AOAI_LAB_WARMUP=0`` to switch the imports off (the test that proves the Guide needs neither does).

That work waits :data:`DELAY_S` after the first run. The run ending is not the page arriving:
Streamlit's event loop still has to send the run's messages, and a thread that imports holds the
GIL in 5 ms slices, so each send waited behind it. Started at the end of the run, the warm-up
made the first page take 1.18 s from its first websocket frame to its title visible, against
0.68 s with the delay (issue 12; bench/README.md, round four).
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Sequence

from aoai_lab.heap import freeze_new_imports
from aoai_lab.switches import switched_on

WARMUP_ENV = "AOAI_LAB_WARMUP"
# What the Connect and Chat pages (the SDK) and the request log (pandas) import first.
MODULES: tuple[str, ...] = ("openai", "pandas")

# Long enough for the first page's messages to leave, short next to reading the Guide.
DELAY_S = 1.0

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_started = False


def enabled(environ: dict[str, str] | None = None) -> bool:
    """False when ``AOAI_LAB_WARMUP`` is ``0``."""
    return switched_on(WARMUP_ENV, environ)


def start(modules: Sequence[str] = MODULES, delay: float = DELAY_S) -> threading.Thread | None:
    """Import ``modules`` on a daemon thread in ``delay`` seconds, the first time only; the thread or None."""
    global _started
    if not enabled():
        return None
    with _lock:
        if _started:
            return None
        _started = True
    thread = threading.Thread(target=_import_all, args=(tuple(modules), delay), name="aoai-lab-warmup", daemon=True)
    thread.start()
    return thread


def after_run() -> None:
    """At the end of every run: the process's first run starts the warm-up, which freezes the heap
    after its imports; any other run freezes what it imported itself (the SDK, pandas), if anything."""
    if start() is None:
        freeze_new_imports()


def _import_all(modules: tuple[str, ...], delay: float) -> None:
    time.sleep(delay)  # the first page's messages first (see the module's docstring)
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # a page importing it later reports the real problem
            _log.warning("warm-up import of %s failed", name, exc_info=True)
    freeze_new_imports()  # what the imports built never needs collecting
