#!/usr/bin/env bash
# The npm packages the generated JavaScript imports (openai, @azure/identity), pinned by
# tests/js/package-lock.json; tests/test_codegen_js.py runs the generated code with them.
set -euo pipefail
cd "$(dirname "$0")/../../tests/js"
npm ci --no-audit --no-fund --loglevel=error
