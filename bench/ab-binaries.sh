#!/usr/bin/env bash
# Interleaved A/B of two soapstone binaries on the shared contract's small message (GetItem at
# /bench) with the DEFAULT configuration: access lines on (RUST_LOG unset, so info), written to
# a file as a deployment would. Server pinned to core 0, wrk to core 1, 16 connections; runs
# A B A B ... and prints each run and the medians.
#
#   bench/ab-binaries.sh BIN_A BIN_B            # 3 repeats of 5 s each
#   REPEATS=5 DURATION=10 bench/ab-binaries.sh BIN_A BIN_B
#   POINT=GetUser bench/ab-binaries.sh BIN_A BIN_B   # GetUser (samples/03-GetUser.xml: the
#                                               # admin's UsernameToken, PasswordText) of alice
#                                               # instead, each binary on a database of its own
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5}
REPEATS=${REPEATS:-3}
[ $# -eq 2 ] || { echo "usage: $0 BIN_A BIN_B" >&2; exit 2; }
source bench/common.sh
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
python3 bench/gen.py "$work" >/dev/null
body=$work/small.xml action=$(cat "$work/small.action") path=/bench getuser=""
[ "${POINT:-small}" = GetUser ] &&
  { body=samples/03-GetUser.xml action=http://soapstone.dev/users/GetUser path=/services/UserService getuser=yes; }

one() {
  local label=$1 bin=$2 repeat=$3 setup=""
  # GetUser's admin and alice, once per database.
  [ -n "$getuser" ] && [ ! -e "$work/$label.db" ] && setup=yes
  [ -n "$setup" ] &&
    printf 'soapstone-admin\n' | "$bin" user add --db "$work/$label.db" --role admin admin >/dev/null
  env -u RUST_LOG "${server_cpu[@]}" "$bin" serve --listen 127.0.0.1:0 --db "$work/$label.db" \
    >"$work/$label.log" 2>&1 &
  local pid=$!
  wait_for_address "$work/$label.log"
  [ -n "$setup" ] &&
    curl -sf -o /dev/null -H 'Content-Type: text/xml' --data-binary @samples/01-CreateUser.xml "http://$addr/services/UserService"
  curl -sf -o /dev/null -H 'Content-Type: text/xml' -H "SOAPAction: \"$action\"" \
    --data-binary @"$body" "http://$addr$path"
  local out
  out=$(BODY_FILE="$body" SOAPACTION="$action" "${load_cpu[@]}" \
    wrk -t1 -c16 -d"${DURATION}s" --latency -s bench/post.lua "http://$addr$path")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local lines; lines=$(grep -c 'soapstone::access' "$work/$label.log" || true)
  local line; line=$(grep '^RESULT' <<<"$out")
  local requests duration
  requests=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$line")
  duration=$(sed 's/.*duration_us=\([0-9]*\).*/\1/' <<<"$line")
  local rps; rps=$(awk -v r="$requests" -v d="$duration" 'BEGIN {printf "%.0f", r / (d / 1e6)}')
  echo "$label,$repeat,$rps,$lines"
  rm -f "$work/$label.log"
}

echo "binary,repeat,rps,access_lines"
for repeat in $(seq "$REPEATS"); do
  one A "$1" "$repeat"
  one B "$2" "$repeat"
done | tee "$work/runs.csv"
for label in A B; do
  median=$(grep "^$label," "$work/runs.csv" | cut -d, -f3 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "median $label: $median req/s"
done
