"""Keep Streamlit's collection after every script run cheap: freeze what the imports built.

Streamlit runs ``gc.collect(2)`` after every script run (``runner.postScriptGC``, in
``ScriptRunner._on_script_finished``). A full collection walks every tracked object; with the
app's imports (streamlit, the openai SDK, pandas) that is ~155k objects and 100–150 ms holding the
GIL, per rerun, per session — 84% of the GIL-holding samples at 60 sessions (issue 12).
``gc.freeze()`` moves every object alive now to a permanent generation that collections skip
(https://docs.python.org/3/library/gc.html#gc.freeze). Module-level objects live as long as the
process anyway, so freezing them loses nothing. With many sessions even the collection of what
they create cost a sixth of the GIL, so ``.streamlit/config.toml`` also turns the per-run
collection off; Python's own generational collector still walks what sessions create, and
``bench/bench_soak.py`` shows memory stays bounded.

Freezing happens once the background warm-up has imported the SDK and pandas (aoai_lab/warmup.py;
not at the end of the first run, where its full collection held the GIL while the first page's
messages waited to be sent) and again only when a run imported new modules: a handful of times
per process, never per rerun.
"""

from __future__ import annotations

import gc
import sys
import threading

_lock = threading.Lock()
_frozen_modules = 0


def freeze_new_imports() -> bool:
    """Freeze the heap if modules were imported since the last freeze; True if it froze.

    One collection first, so garbage made while importing is freed rather than kept forever.
    """
    global _frozen_modules
    with _lock:
        count = len(sys.modules)
        if count <= _frozen_modules:
            return False
        gc.collect()
        gc.freeze()
        _frozen_modules = count
        return True
