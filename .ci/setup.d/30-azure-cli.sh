#!/usr/bin/env bash
# azure-cli from PyPI, in its own venv (it pins many packages; never the main environment).
# tests/test_codegen_az.py checks every generated `az` command and flag against this CLI's own
# command table, so a renamed flag fails the build. No Azure account is used.
set -euo pipefail
VERSION=2.91.0
VENV=${AOAI_LAB_AZ_VENV:-/opt/aoai-lab-venvs/azure-cli}
if [ -x "$VENV/bin/az" ] && "$VENV/bin/python" -m pip show azure-cli 2>/dev/null | grep -q "^Version: $VERSION$"; then
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "azure-cli==$VERSION"
