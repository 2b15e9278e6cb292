#!/usr/bin/env bash
# Runs the zeep interop suite against the soapstone binary.
#
#   tests/interop/run.sh [pytest args...]
#
# Creates tests/interop/.venv on first use (installing python3-venv through apt
# when `python3 -m venv` does not work and we are root), installs the pinned
# requirements, then runs `pytest -q tests/interop` from the repository root.
# The server binary is $SOAPSTONE_BIN, by default target/debug/soapstone.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"

venv_works() {
    local probe
    probe="$(mktemp -d)"
    # Debian's python3 without python3-venv fails here (ensurepip is missing).
    if python3 -m venv "$probe/v" >/dev/null 2>&1; then
        rm -rf "$probe"
        return 0
    fi
    rm -rf "$probe"
    return 1
}

if [ ! -x "$venv/bin/python" ]; then
    if ! venv_works; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "python3 -m venv does not work; install python3-venv (as root) and retry" >&2
            exit 1
        fi
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq python3-venv
    fi
    rm -rf "$venv"
    python3 -m venv "$venv"
fi

"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"

cd "$repo_root"
exec "$venv/bin/python" -m pytest -q tests/interop "$@"
