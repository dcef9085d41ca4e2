#!/usr/bin/env bash
# Create (once) the project's virtual environment in .venv and install the project into it,
# editable, with the extras given as arguments (e.g. `bash scripts/venv.sh test`).
# On a bare Debian machine it first installs Python's venv module (python3-venv) with apt,
# as root or through sudo. Nothing is installed into the system's Python.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
fi
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
extras="${1:-}"
spec="."
if [ -n "$extras" ]; then spec=".[$extras]"; fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$spec"
