"""Locating the external programs some tests drive (redis-server, nginx, node, az, venvs).

``.ci/run`` installs every one of them and sets ``AOAI_LAB_REQUIRE_TOOLS=1``, which turns a
missing tool into a failure; on a developer machine without it the test is skipped with a
message that says how to install it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REQUIRE_TOOLS_ENV = "AOAI_LAB_REQUIRE_TOOLS"
ROOT = Path(__file__).resolve().parents[1]


def missing_tool(what: str, how: str) -> None:
    """Fail under CI (``AOAI_LAB_REQUIRE_TOOLS=1``), otherwise skip, naming ``how`` to install."""
    message = f"{what} is not installed ({how}; `bash .ci/run` installs it)"
    if os.environ.get(REQUIRE_TOOLS_ENV) == "1":
        pytest.fail(message)
    pytest.skip(message)


def require_program(name: str, how: str) -> str:
    """The path of program ``name`` on PATH (or under /usr/sbin), or fail/skip."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")
    if found is None:
        missing_tool(name, how)
        raise AssertionError("unreachable")  # pragma: no cover - missing_tool always raises
    return found
