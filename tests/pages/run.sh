#!/usr/bin/env bash
# End-to-end test of the HTML service pages (/services, /services/<Service>, /bench) in Debian's
# headless Chromium, driven by playwright-core.
#
#   tests/pages/run.sh
#
# Installs what it needs when it is missing (as root, non-interactively): the Debian package
# chromium when /usr/bin/chromium is missing, nodejs and npm when `node` or `npm` is missing,
# and tests/pages/node_modules from package-lock.json (`npm ci`) when it is missing or older
# than the lock file. No browser is ever downloaded: playwright-core drives /usr/bin/chromium.
#
# Then starts the server ($SOAPSTONE_BIN, by default target/debug/soapstone) on a free port and
# a fresh database, runs pages_test.js against it, stops the server with SIGTERM and exits with
# the test's status (or 1 when the server does not stop cleanly). Screenshots are left in
# tests/pages/output/ (git-ignored).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
binary="${SOAPSTONE_BIN:-$repo_root/target/debug/soapstone}"

STARTUP_TIMEOUT_S=30
SHUTDOWN_TIMEOUT_S=10
TEST_TIMEOUT_S=100

if [ ! -x "$binary" ]; then
    echo "server binary not found: $binary (build it or set SOAPSTONE_BIN)" >&2
    exit 1
fi

# --- Debian packages -----------------------------------------------------------------------

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)

if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing: ${need_apt[*]}; install them (as root: apt-get install ${need_apt[*]}) and retry" >&2
        exit 1
    fi
    echo "== installing ${need_apt[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# playwright-core 1.65 declares Node.js >= 20 (Debian 12's own nodejs package is 18).
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
    echo "warning: node $(node --version) is older than the v20 that playwright-core 1.65 (tests/pages) declares" >&2
fi

# --- playwright-core -------------------------------------------------------------------------

if [ ! -d "$here/node_modules/playwright-core" ] ||
    [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
    echo "== npm ci in $here" >&2
    (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

# --- the server --------------------------------------------------------------------------------

tmp="$(mktemp -d)"
log="$tmp/server.log"
server_pid=""

stop_server() {
    # Prints nothing and returns the server's exit status after SIGTERM (137 if it had to be killed).
    [ -n "$server_pid" ] || return 0
    local pid="$server_pid" waited=0
    server_pid=""
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        if [ "$waited" -ge $((SHUTDOWN_TIMEOUT_S * 10)) ]; then
            echo "server did not stop within ${SHUTDOWN_TIMEOUT_S} s of SIGTERM; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    local rc=0
    wait "$pid" 2>/dev/null || rc=$?
    return "$rc"
}

cleanup() {
    stop_server || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The samples on the pages authenticate as this admin (samples/README.md).
echo "soapstone-admin" | "$binary" user add --db "$tmp/db.sqlite" --role admin admin >/dev/null 2>>"$log"
"$binary" serve --listen 127.0.0.1:0 --db "$tmp/db.sqlite" </dev/null >/dev/null 2>"$log" &
server_pid=$!

base_url=""
for _ in $(seq $((STARTUP_TIMEOUT_S * 10))); do
    base_url="$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -o 'listening on http://[^ ]*' | head -n1 | sed 's/^listening on //; s:/*$::')" || true
    [ -n "$base_url" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "server exited before listening:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$base_url" ]; then
    echo "server did not log 'listening on http://...' within ${STARTUP_TIMEOUT_S} s:" >&2
    cat "$log" >&2
    exit 1
fi
echo "== pages: headless $(/usr/bin/chromium --version 2>/dev/null) against $base_url" >&2

# --- the test ----------------------------------------------------------------------------------

status=0
timeout --kill-after=5 "$TEST_TIMEOUT_S" node "$here/pages_test.js" "$base_url" || status=$?
[ "$status" -eq 124 ] && echo "pages_test.js did not finish within ${TEST_TIMEOUT_S} s" >&2

server_rc=0
stop_server || server_rc=$?
if [ "$server_rc" -ne 0 ]; then
    echo "server exited with $server_rc after SIGTERM" >&2
    [ "$status" -ne 0 ] || status=1
fi
if [ "$status" -ne 0 ]; then
    echo "--- server log ---" >&2
    sed 's/\x1b\[[0-9;]*m//g' "$log" | tail -n 50 >&2
fi
echo "screenshots: $here/output/" >&2
exit "$status"
