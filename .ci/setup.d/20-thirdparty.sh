#!/usr/bin/env bash
# Third-party Azure OpenAI clients the emulator must keep working with (issue 10), in their own
# venv: they pin their own openai versions, which must never touch the main environment.
# tests/thirdparty/test_clients.py runs them as subprocesses against the emulator.
set -euo pipefail
LANGCHAIN_OPENAI=1.7.4
LITELLM=1.110.2
VENV=${AOAI_LAB_THIRDPARTY_VENV:-/opt/aoai-lab-venvs/thirdparty}
if [ -x "$VENV/bin/python" ] \
  && "$VENV/bin/python" -m pip show langchain-openai 2>/dev/null | grep -q "^Version: $LANGCHAIN_OPENAI$" \
  && "$VENV/bin/python" -m pip show litellm 2>/dev/null | grep -q "^Version: $LITELLM$"; then
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check \
  "langchain-openai==$LANGCHAIN_OPENAI" "litellm==$LITELLM"
