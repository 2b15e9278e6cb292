#!/usr/bin/env bash
# Where the server's time goes under the benchmark load: perf samples of the release build
# (with line tables: the `profiling` profile) serving the small, medium and large bench
# messages and the authenticated read (GetUser of samples/03-GetUser.xml: the admin's
# UsernameToken, PasswordText, audited), written as component and symbol tables to
# bench/PROFILE.md.
#
#   bench/profile.sh                 # 10 s of load per size, 6 s of it sampled
#   SECONDS_PER_SIZE=20 bench/profile.sh
#
# Pinning as in bench/run.sh: the server on core 0, wrk on core 1; 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_SIZE=${SECONDS_PER_SIZE:-10}
sample=$((SECONDS_PER_SIZE * 6 / 10))

source bench/common.sh
command -v perf >/dev/null || { apt-get update -qq && apt-get install -y -qq linux-perf >/dev/null; }
cargo build --profile profiling --locked --bin soapstone
bin=target/profiling/soapstone
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
python3 bench/gen.py "$work" >/dev/null

out=bench/PROFILE.md
{
  echo "# Soapstone under load: where the time goes"
  echo
  echo "Generated $(date -u '+%Y-%m-%d %H:%M UTC') by \`SECONDS_PER_SIZE=$SECONDS_PER_SIZE bench/profile.sh\`:"
  echo "\`perf record -F 1999\` of the server process for ${sample} s of a ${SECONDS_PER_SIZE} s wrk run"
  echo "(16 connections, 4 for large), release build with line tables, access lines off."
  echo "Shares are of the server's CPU samples (all its threads, kernel included)."
  echo
} >"$out"
cp samples/03-GetUser.xml "$work/GetUser.xml"
echo http://soapstone.dev/users/GetUser >"$work/GetUser.action"
for size in small medium large GetUser; do
  connections=16; [ "$size" = large ] && connections=4
  path=/bench; [ "$size" = GetUser ] && path=/services/UserService
  [ "$size" = GetUser ] && printf 'soapstone-admin\n' | "$bin" user add --db "$work/$size.db" --role admin admin >/dev/null
  RUST_LOG=info,soapstone::access=warn "${server_cpu[@]}" "$bin" serve --listen 127.0.0.1:0 --db "$work/$size.db" >"$work/server.log" 2>&1 &
  pid=$!
  wait_for_address "$work/server.log"
  [ "$size" = GetUser ] && curl -sf -o /dev/null -H 'Content-Type: text/xml' --data-binary @samples/01-CreateUser.xml "http://$addr/services/UserService"
  RUN=1 BODY_FILE="$work/$size.xml" SOAPACTION="$(cat "$work/$size.action")" "${load_cpu[@]}" \
    wrk -t1 -c"$connections" -d"${SECONDS_PER_SIZE}s" -s bench/post.lua "http://$addr$path" >"$work/wrk.txt" &
  load=$!
  sleep $(((SECONDS_PER_SIZE - sample) / 2))
  perf record -q -F 1999 -p "$pid" -o "$work/perf.data" -- sleep "$sample" >/dev/null 2>&1
  wait "$load"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  perf report -i "$work/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null >"$work/report.txt"
  result=$(grep '^RESULT' "$work/wrk.txt" | sed 's/^RESULT //')
  python3 bench/perf_groups.py "$work/report.txt" "$size ($result)" 20 >>"$out"
  perf report -i "$work/perf.data" --no-children --sort comm --stdio 2>/dev/null |
    awk '/^ *[0-9.]+%/ {line = line sep $2 " " $1; sep = ", "} END {print "\nBy thread: " line ".\n"}' >>"$out"
done
echo "wrote $out"
