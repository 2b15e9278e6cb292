#!/usr/bin/env bash
# Runs the kill -9 crash suite (tests/crash) against the soapstone binary ($SOAPSTONE_BIN, by
# default target/debug/soapstone) with the interop venv's pytest; it only needs the Python
# standard library and pytest. Installs nothing: tests/interop/run.sh creates the venv.
#
#   tests/crash/run.sh [pytest args...]      # CRASH_CYCLES, CRASH_WRITERS, CRASH_SEED
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python="$repo_root/tests/interop/.venv/bin/python"
if [ ! -x "$python" ]; then
    echo "missing $python: run tests/interop/run.sh once to create the venv" >&2
    exit 1
fi
cd "$repo_root"
exec "$python" -m pytest -q --tb=short tests/crash "$@"
