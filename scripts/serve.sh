#!/usr/bin/env bash
# Builds and runs the Soapstone server (`soapstone serve`, embedded SQLite in ./data) on a
# Debian machine with the Rust toolchain: installs the Debian packages the build needs first
# (scripts/build-deps.sh), then `cargo run --release`. Arguments go to `serve`
# (e.g. `scripts/serve.sh --listen 127.0.0.1:9000`). SOAPSTONE_PROFILE=dev builds unoptimised,
# which is much quicker the first time (fine to try things out, not to measure).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-deps.sh
case "${SOAPSTONE_PROFILE:-release}" in
    release) exec cargo run --locked --release -- serve "$@" ;;
    dev) exec cargo run --locked -- serve "$@" ;;
    *) echo "SOAPSTONE_PROFILE must be release or dev" >&2; exit 2 ;;
esac
