#!/usr/bin/env bash
# Runs every test of Soapstone on a Debian machine with the Rust toolchain, in stages: installs
# what the build and the tests need (the OpenSSL and libxml2 headers and libclang for the build,
# curl for the TLS tests, xmllint (libxml2-utils) for schema validation, python3-venv for the
# third-party client tests; tests/interop/run.sh and tests/pages/run.sh install the rest they
# need), checks formatting and lints, runs the Rust tests, builds the binary and runs the
# third-party client, crash and Chromium suites against it.
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
}

# The stages, in order: `stage NAME DESCRIPTION COMMAND [ARGS...]`, one line each.
names=() descriptions=() commands=()
stage() {
    local name="$1" description="$2"
    shift 2
    names+=("$name")
    descriptions+=("$description")
    commands+=("$(printf '%q ' "$@")")
}
stage install "the Debian packages the build and the tests need" install_packages
stage fmt "cargo fmt --check" cargo fmt --all -- --check
stage clippy "cargo clippy" cargo clippy --locked --all-targets -- -D warnings
stage test "cargo test" cargo test --locked
stage build "cargo build: the binary the next stages run" cargo build --locked --bin soapstone
stage interop "third-party SOAP clients against the real server" bash tests/interop/run.sh
stage crash "kill -9 under concurrent writes" bash tests/crash/run.sh
stage pages "the HTML service pages end to end in headless Chromium" bash tests/pages/run.sh

declare -A selected=()
IFS=', ' read -r -a only <<<"${SOAPSTONE_TEST_ONLY:-${names[*]}}"
for want in "${only[@]}"; do
    if [[ " ${names[*]} " != *" $want "* ]]; then
        echo "SOAPSTONE_TEST_ONLY: unknown stage '$want' (stages: ${names[*]})" >&2
        exit 2
    fi
    selected[$want]=1
done

# Ctrl-C (or SIGTERM) ends the whole run, not just the stage that is running.
trap 'echo "==== interrupted" >&2; exit 130' INT TERM

results=() passed=0 failed=0
for i in "${!names[@]}"; do
    name="${names[$i]}"
    if [ -z "${selected[$name]:-}" ]; then
        results+=("$(printf '%-8s SKIP' "$name")")
        continue
    fi
    echo "==== stage $((i + 1))/${#names[@]} $name: ${descriptions[$i]}"
    start="$EPOCHREALTIME"
    # A subshell whose status is not tested, so `set -e` holds inside it and an `exit` in a
    # stage ends only that stage.
    (
        set -e
        eval "${commands[$i]}"
    )
    rc=$?
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

echo "==== summary"
printf '%s\n' "${results[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
