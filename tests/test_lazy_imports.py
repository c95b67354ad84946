"""The first page must not pay for the openai SDK or pandas (issue 12: ~0.8 s and ~0.6 s).

Checked in a fresh interpreter: this test process has long imported both.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aoai_lab.warmup import WARMUP_ENV

ROOT = Path(__file__).resolve().parents[1]
# The background warm-up (aoai_lab/warmup.py) imports both after the first page on purpose;
# off here, to prove the page itself never needs them.
NO_WARMUP = {**os.environ, WARMUP_ENV: "0"}

# Who imported each module first, by thread: the demo's server may start on its own thread.
GUIDE_PATH = """
import importlib.abc, sys, threading
from streamlit.testing.v1 import AppTest

first_import = {}

class Recorder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        first_import.setdefault(name, threading.current_thread().name)
        return None

sys.meta_path.insert(0, Recorder())
at = AppTest.from_file("app.py", default_timeout=60).run()
assert not at.exception, at.exception
assert at.title, "the Guide drew nothing"
heavy = sorted(name for name in ("openai", "pandas") if name in sys.modules)
print("HEAVY=" + ",".join(heavy))
page_thread = sorted(name for name in HTTP_STACK if first_import.get(name, "").startswith("ScriptRunner"))
print("ON_PAGE=" + ",".join(page_thread))
for thread in threading.enumerate():  # started by the run's last line: let it finish
    if thread.name == "aoai-lab-demo-start":
        thread.join(30)
print("DEMO_SERVER=" + first_import.get("aoai_lab.emulator.server", ""))
"""
# What the first page used to import for the check and the demo's server (~200 ms; issue 12).
HTTP_STACK = ("uvicorn", "starlette", "httpx2", "httpcore2", "trio", "aoai_lab.check", "aoai_lab.emulator.server")


def _guide_run() -> str:
    run = subprocess.run(
        [sys.executable, "-c", f"HTTP_STACK = {HTTP_STACK!r}\n" + GUIDE_PATH],
        cwd=ROOT,
        env=NO_WARMUP,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def test_the_guide_imports_neither_openai_nor_pandas() -> None:
    out = _guide_run()
    assert "HEAVY=\n" in out, out[-500:]


def test_the_guide_leaves_the_http_stack_and_the_demo_server_to_other_threads() -> None:
    out = _guide_run()
    assert "ON_PAGE=\n" in out, out[-500:]
    # The demo's server still starts, on its own thread, once the page has been drawn.
    assert "DEMO_SERVER=aoai-lab-demo-start\n" in out, out[-500:]


def test_the_modules_the_frame_imports_stay_light() -> None:
    code = "import sys, aoai_lab.ui.state, aoai_lab.ui.frame, aoai_lab.check, aoai_lab.requestlog, aoai_lab.recording;"
    code += "print(sorted(n for n in ('openai', 'pandas') if n in sys.modules))"
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "[]"


WARMED = """
import sys
from aoai_lab import warmup

thread = warmup.start(("json", "pandas"))
assert thread is not None and warmup.start() is None  # once per process
thread.join(120)
print("PANDAS=" + str("pandas" in sys.modules))
"""


def test_the_warm_up_imports_them_in_the_background_once() -> None:
    env = {k: v for k, v in os.environ.items() if k != WARMUP_ENV}
    run = subprocess.run(
        [sys.executable, "-c", WARMED], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "PANDAS=True" in run.stdout


def test_the_warm_up_can_be_switched_off() -> None:
    from aoai_lab.warmup import enabled

    assert enabled({}) and enabled({WARMUP_ENV: "1"})
    assert not enabled({WARMUP_ENV: "0"})


AFTER_RUN = """
import gc, sys, threading
from aoai_lab import warmup

warmup.after_run()  # the process's first run
print("AT_ONCE=" + str(gc.get_freeze_count() > 0))
for thread in threading.enumerate():
    if thread.name == "aoai-lab-warmup":
        thread.join(120)
print("LATER=" + str(gc.get_freeze_count() > 0) + "," + str("pandas" in sys.modules))
"""


@pytest.mark.parametrize(("warm_up", "at_once", "later"), [("1", False, "True,True"), ("0", True, "True,False")])
def test_the_first_run_leaves_the_heap_freeze_to_the_warm_up(warm_up: str, at_once: bool, later: str) -> None:
    # Its full collection would hold the GIL while the first page's messages wait to be sent;
    # with the warm-up off there is nothing to wait for, and the run freezes at once.
    run = subprocess.run(
        [sys.executable, "-c", AFTER_RUN],
        cwd=ROOT,
        env={**os.environ, WARMUP_ENV: warm_up},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"AT_ONCE={at_once}" in run.stdout and f"LATER={later}" in run.stdout, run.stdout[-500:]
