#!/usr/bin/env bash
# Installs everything the test suite needs into .venv and tools/cypher-lint, then runs pytest.
# Used by the README's test command and by CI (.ci/run). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
npm ci --prefix tools/cypher-lint --no-audit --no-fund --loglevel=error
# The dashboard's browser tests drive Debian's Chromium through Playwright (never `playwright install`).
command -v chromium >/dev/null || { apt-get update && apt-get install -y --no-install-recommends chromium; }

status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure, not a pass" >&2
  exit 1
fi
exit "$status"
