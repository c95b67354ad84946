"""Classroom mode: one shared server for a whole workshop, safe to put on the internet (issue 11).

- :mod:`config` — the ``[classroom]`` settings and their validation;
- :mod:`hostguard` — which endpoints a shared server may call (no loopback/private/metadata);
- :mod:`store` — the counters: in-process, or Redis for several replicas;
- :mod:`gate` — requests per minute, reply-length cap, token budgets, pause, Azure 429 back-off;
- :mod:`access` — the access code and instructor password (constant time, rate-limited);
- :mod:`seat` — the hooks the chat client and pre-flight call;
- :mod:`stats`, :mod:`smoke` — the instructor page's figures and pre-class smoke test;
- :mod:`session`, :mod:`instructor` — the Streamlit side; :mod:`cluster` — replicas behind nginx.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from aoai_lab.classroom.config import ClassroomConfig, ConfigError, load

__all__ = ["ClassroomConfig", "ConfigError", "demo_url", "load"]


def demo_url(secrets: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """The class demo endpoint (``demo_url``) the Code page's demo snippets should point at, or None.

    Inside a Streamlit run with no arguments it reads the session's configuration; otherwise the
    given secrets and environment. A bad configuration gives None (the app shows the error).
    """
    if secrets is None and environ is None:
        import sys

        if "streamlit" in sys.modules:
            from streamlit.runtime.scriptrunner import get_script_run_ctx

            if get_script_run_ctx() is not None:
                from aoai_lab.classroom.session import demo_url as session_demo_url

                return session_demo_url()
    try:
        conf = load(secrets, os.environ if environ is None else environ)
    except ConfigError:
        return None
    return None if conf is None else conf.demo_url
