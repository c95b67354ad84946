"""Import what later pages need in the background, once the first page has been drawn.

The Guide needs neither the openai SDK nor pandas (issue 12: ~0.8 s and ~0.6 s of import), so
they are imported lazily; but then the first "offline demo" click or the first visit to the
request log paid for them while the learner waited. Importing them on a background thread right
after the first run moves that cost to while the learner reads the Guide. Once per process.
Set ``AOAI_LAB_WARMUP=0`` to switch it off (the test that proves the Guide needs neither does).
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from collections.abc import Sequence

from aoai_lab.heap import freeze_new_imports

WARMUP_ENV = "AOAI_LAB_WARMUP"
# What the Connect and Chat pages (the SDK) and the request log (pandas) import first.
MODULES: tuple[str, ...] = ("openai", "pandas")

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_started = False


def enabled(environ: dict[str, str] | None = None) -> bool:
    """False when ``AOAI_LAB_WARMUP`` is ``0``."""
    return (os.environ if environ is None else environ).get(WARMUP_ENV, "1").strip() != "0"


def start(modules: Sequence[str] = MODULES) -> threading.Thread | None:
    """Start importing ``modules`` on a daemon thread, the first time only; the thread or None."""
    global _started
    if not enabled():
        return None
    with _lock:
        if _started:
            return None
        _started = True
    thread = threading.Thread(target=_import_all, args=(tuple(modules),), name="aoai-lab-warmup", daemon=True)
    thread.start()
    return thread


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # a page importing it later reports the real problem
            _log.warning("warm-up import of %s failed", name, exc_info=True)
    freeze_new_imports()  # what the imports built never needs collecting
