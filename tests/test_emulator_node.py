"""Streaming shapes with the openai npm package run by Node (issue 10): chat completions (with
Azure's empty-choices first event and the usage chunk) and the v1 Responses API event stream.

Uses the npm packages ``.ci/setup.d/10-node.sh`` installs into ``tests/js/node_modules``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from aoai_lab.emulator import DEMO_KEY, EmulatorServer
from tests.tools import missing_tool, require_program

SCRIPT = Path(__file__).resolve().parent / "emulator_js" / "stream.mjs"
OPENAI_INDEX = Path(__file__).resolve().parent / "js" / "node_modules" / "openai" / "index.mjs"


def test_openai_npm_streams_from_the_emulator(emulator: EmulatorServer) -> None:
    node = require_program("node", "sudo apt-get install nodejs")
    if not OPENAI_INDEX.exists():
        missing_tool("the openai npm package", "bash .ci/setup.d/10-node.sh")
    done = subprocess.run(
        [node, str(SCRIPT), OPENAI_INDEX.as_uri(), emulator.endpoint, DEMO_KEY],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["text"].startswith("[Offline demo · gpt-4o-mini]")
    assert seen["emptyChoices"] == 2  # Azure's filter-results event first, the usage chunk last
    assert seen["usage"]["total_tokens"] == seen["usage"]["prompt_tokens"] + seen["usage"]["completion_tokens"]
    assert seen["events"][0] == "response.created" and seen["events"][-1] == "response.completed"
    assert "response.output_text.delta" in seen["events"]
    assert seen["deltas"] and seen["outputText"] == seen["deltas"]
    assert seen["reasoningTokens"] == 0  # gpt-5.1 defaults to reasoning effort "none"
