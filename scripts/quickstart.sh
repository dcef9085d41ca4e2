#!/usr/bin/env bash
# The README's two commands, for a bare Debian 12 machine (as root or as a user with sudo):
#   bash scripts/quickstart.sh serve   installs into .venv and opens the dashboard on the documented scenario
#   bash scripts/quickstart.sh test    installs Chromium and the test extras, then runs the whole suite
# Anything after the first word goes to `backchannel serve` or to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-}"
shift || true
case "$what" in
  serve)
    bash scripts/venv.sh
    exec .venv/bin/backchannel serve "$@"
    ;;
  test)
    bash scripts/install-test-deps.sh
    exec .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: bash scripts/quickstart.sh serve|test [ARGS...]" >&2
    exit 2
    ;;
esac
