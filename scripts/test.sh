#!/usr/bin/env bash
# Runs every test of Soapstone on a Debian machine with the Rust toolchain, in stages: installs
# what the build and the tests need (the OpenSSL and libxml2 headers and libclang for the build,
# curl for the TLS tests, xmllint (libxml2-utils) for schema validation, python3-venv for the
# third-party client tests; tests/interop/run.sh and tests/pages/run.sh install the rest they
# need), checks formatting and lints, runs the Rust tests, builds the binary and runs the
# third-party client, crash and Chromium suites against it. The Rust integration suites and the
# zeep suite run twice: on SQLite and on PostgreSQL.
#
# For the whole run it starts one throwaway PostgreSQL cluster and one redis-server (installed
# by the install stage: Debian's postgresql and redis-server) in a temporary folder, on free
# loopback ports, and gives every stage their URLs, SOAPSTONE_TEST_PG (a superuser, trust
# authentication; the tests make their own databases in it) and SOAPSTONE_TEST_REDIS. They are
# stopped and the folder removed when the run ends, however it ends. As root, PostgreSQL runs
# as the `postgres` user. When they cannot start, the stages that need them fail.
#
#   scripts/test.sh
#   SOAPSTONE_TEST_ONLY=interop,pages scripts/test.sh    # only these stages (comma-separated)
#   SOAPSTONE_BIN=/path/to/soapstone scripts/test.sh     # the binary of the server suites
#
# Every selected stage runs, even when an earlier one failed; each one's output stays as it is,
# after a banner line starting with `==== stage`. The end is one summary line per stage (name,
# PASS, FAIL or SKIP, seconds) and, as the very last line, `N passed, M failed`. The exit status
# is 1 when a stage failed (2 when SOAPSTONE_TEST_ONLY names an unknown stage), else 0.
set -uo pipefail
cd "$(dirname "$0")/.."

export SOAPSTONE_BIN="${SOAPSTONE_BIN:-$PWD/target/debug/soapstone}"

# Installs the Debian packages the build (scripts/build-deps.sh) and the stages below need,
# when they are missing.
install_packages() {
    local need_apt=()
    command -v xmllint >/dev/null 2>&1 || need_apt+=(libxml2-utils)
    python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need_apt+=(python3-venv)
    command -v curl >/dev/null 2>&1 || need_apt+=(curl)
    bash scripts/build-deps.sh "${need_apt[@]}"
    local need_servers=()
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need_servers+=(postgresql)
    command -v redis-server >/dev/null 2>&1 || need_servers+=(redis-server)
    if [ ${#need_servers[@]} -eq 0 ]; then
        return 0
    fi
    local as_root=()
    [ "$(id -u)" -eq 0 ] || as_root=(sudo)
    echo "servers: installing ${need_servers[*]}"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${need_servers[@]}" >/dev/null
}

# The throwaway servers of the run (see the top): their folder, and whether they are up.
servers_dir="" servers_up=0

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Runs a command as the owner of the servers: `postgres` when we are root, else ourselves.
as_server_user() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

start_servers() {
    local pg_bin pg_port redis_port
    pg_bin="$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1)"
    if [ -z "$pg_bin" ] || ! command -v redis-server >/dev/null 2>&1; then
        echo "servers: PostgreSQL (/usr/lib/postgresql/*/bin) or redis-server is not installed" >&2
        return 1
    fi
    servers_dir="$(mktemp -d)" || return 1
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$servers_dir" || return 1
    fi
    pg_port="$(free_port)" && redis_port="$(free_port)" || return 1
    as_server_user "$pg_bin/initdb" -D "$servers_dir/pg" -A trust -U soapstone >"$servers_dir/initdb.log" 2>&1 || {
        cat "$servers_dir/initdb.log" >&2
        return 1
    }
    as_server_user "$pg_bin/pg_ctl" -D "$servers_dir/pg" -l "$servers_dir/pg.log" -w -t 60 \
        -o "-p $pg_port -k $servers_dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off" \
        start >/dev/null || {
        cat "$servers_dir/pg.log" >&2
        return 1
    }
    as_server_user redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
        --daemonize yes --dir "$servers_dir" --pidfile "$servers_dir/redis.pid" \
        --logfile "$servers_dir/redis.log" || return 1
    export SOAPSTONE_TEST_PG="postgres://soapstone@127.0.0.1:$pg_port"
    export SOAPSTONE_TEST_REDIS="redis://127.0.0.1:$redis_port"
    echo "servers: PostgreSQL at $SOAPSTONE_TEST_PG, redis at $SOAPSTONE_TEST_REDIS (in $servers_dir)"
}

stop_servers() {
    [ -n "$servers_dir" ] || return 0
    local pg_ctl pid
    pg_ctl="$(compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' | sort -V | tail -n 1)"
    if [ -f "$servers_dir/pg/postmaster.pid" ]; then
        as_server_user "$pg_ctl" -D "$servers_dir/pg" -m fast -w -t 60 stop >/dev/null
    fi
    if [ -f "$servers_dir/redis.pid" ]; then
        pid="$(cat "$servers_dir/redis.pid")"
        kill "$pid" 2>/dev/null
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    rm -rf "$servers_dir"
    servers_dir=""
    echo "servers: stopped"
}

# The stages, in order: `stage NAME NEEDS DESCRIPTION COMMAND [ARGS...]`, one line each; NEEDS
# is `servers` for a stage that fails without the PostgreSQL and redis servers, else `-`.
names=() needs=() descriptions=() commands=()
stage() {
    local name="$1" need="$2" description="$3"
    shift 3
    names+=("$name")
    needs+=("$need")
    descriptions+=("$description")
    commands+=("$(printf '%q ' "$@")")
}
stage install - "the Debian packages the build and the tests need" install_packages
stage fmt - "cargo fmt --check" cargo fmt --all -- --check
stage clippy - "cargo clippy" cargo clippy --locked --all-targets -- -D warnings
stage test servers "cargo test (on SQLite; the in-crate PostgreSQL tests too)" cargo test --locked
stage test-pg servers "the unit tests and the service suites on PostgreSQL" \
    env SOAPSTONE_TEST_DB=postgres cargo test --locked --no-fail-fast --lib --test users --test commerce \
    --test security --test protocol --test credentials --test credential_cache --test tracing --test mtom
stage build - "cargo build: the binary the next stages run" cargo build --locked --bin soapstone
stage interop servers "third-party SOAP clients against the real server (zeep also on PostgreSQL)" \
    bash tests/interop/run.sh
stage crash - "kill -9 under concurrent writes" bash tests/crash/run.sh
stage pages - "the HTML service pages end to end in headless Chromium" bash tests/pages/run.sh

declare -A selected=()
IFS=', ' read -r -a only <<<"${SOAPSTONE_TEST_ONLY:-${names[*]}}"
for want in "${only[@]}"; do
    if [[ " ${names[*]} " != *" $want "* ]]; then
        echo "SOAPSTONE_TEST_ONLY: unknown stage '$want' (stages: ${names[*]})" >&2
        exit 2
    fi
    selected[$want]=1
done

# Ctrl-C (or SIGTERM) ends the whole run, not just the stage that is running; the servers are
# stopped however the run ends.
trap 'echo "==== interrupted" >&2; exit 130' INT TERM
trap stop_servers EXIT

results=() passed=0 failed=0 servers_tried=0
for i in "${!names[@]}"; do
    name="${names[$i]}"
    if [ -z "${selected[$name]:-}" ]; then
        results+=("$(printf '%-8s SKIP' "$name")")
        continue
    fi
    # The servers start once, after the install stage (which installs them).
    if [ "$name" != install ] && [ "$servers_tried" -eq 0 ]; then
        servers_tried=1
        echo "==== servers: starting PostgreSQL and redis"
        if start_servers; then
            servers_up=1
        else
            echo "==== servers: could not start; the stages that need them fail" >&2
        fi
    fi
    echo "==== stage $((i + 1))/${#names[@]} $name: ${descriptions[$i]}"
    start="$EPOCHREALTIME"
    if [ "${needs[$i]}" = servers ] && [ "$servers_up" -eq 0 ]; then
        echo "stage $name needs the PostgreSQL and redis servers, which did not start" >&2
        rc=1
    else
        # A subshell whose status is not tested, so `set -e` holds inside it and an `exit` in
        # a stage ends only that stage.
        (
            set -e
            eval "${commands[$i]}"
        )
        rc=$?
    fi
    seconds="$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"
    if [ "$rc" -eq 0 ]; then
        verdict=PASS
        passed=$((passed + 1))
    else
        verdict=FAIL
        failed=$((failed + 1))
    fi
    echo "==== stage $name: $verdict (exit $rc) in $seconds s"
    results+=("$(printf '%-8s %s %8s s' "$name" "$verdict" "$seconds")")
done

stop_servers
echo "==== summary"
printf '%s\n' "${results[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
