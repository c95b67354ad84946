"""The first page must not pay for the openai SDK or pandas (issue 12: ~0.8 s and ~0.6 s).

Checked in a fresh interpreter: this test process has long imported both.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from aoai_lab.warmup import WARMUP_ENV

ROOT = Path(__file__).resolve().parents[1]
# The background warm-up (aoai_lab/warmup.py) imports both after the first page on purpose;
# off here, to prove the page itself never needs them.
NO_WARMUP = {**os.environ, WARMUP_ENV: "0"}

GUIDE_PATH = """
import sys
from streamlit.testing.v1 import AppTest

at = AppTest.from_file("app.py", default_timeout=60).run()
assert not at.exception, at.exception
assert at.title, "the Guide drew nothing"
heavy = sorted(name for name in ("openai", "pandas") if name in sys.modules)
print("HEAVY=" + ",".join(heavy))
"""


def test_the_guide_imports_neither_openai_nor_pandas() -> None:
    run = subprocess.run(
        [sys.executable, "-c", GUIDE_PATH],
        cwd=ROOT,
        env=NO_WARMUP,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "HEAVY=\n" in run.stdout, run.stdout[-500:]


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
