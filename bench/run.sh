#!/usr/bin/env bash
# Reproducible benchmark of Soapstone against two ceilings on the shared bench contract, and
# of UserService reads and writes. Builds release binaries, pins servers and wrk to different
# cores, interleaves the servers run by run (A B C A B C ...), repeats each point, and writes
# bench/results.csv, bench/REPORT.md and bench/latency.svg.
#
#   bench/run.sh                      # 3 repeats of 5 s per point (about 6 minutes)
#   REPEATS=5 DURATION=10 bench/run.sh
#
# Servers, all on 127.0.0.1 only:
#   ceiling   bare hyper returning a precomputed response of Soapstone's size (examples/bench_ceiling.rs)
#   quickxml  hyper + quick-xml event loop and writer, no typed structs (examples/bench_quickxml.rs)
#   soapstone the real server (`/bench` and UserService), without per-request access lines
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5}
REPEATS=${REPEATS:-3}

source bench/common.sh
cargo build --release --locked --bin soapstone --example bench_ceiling --example bench_quickxml
bin=target/release
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
python3 bench/gen.py "$work" >/dev/null

pid=""
addr=""
# start KIND SIZE: starts a server, sets pid and addr.
start() {
  local kind=$1 size=$2 log="$work/server.log"
  case $kind in
    soapstone) RUST_LOG=info,soapstone::access=warn "${server_cpu[@]}" "$bin/soapstone" serve --listen 127.0.0.1:0 --db "$work/soapstone.db" --log-format human >"$log" 2>&1 & ;;
    ceiling) "${server_cpu[@]}" "$bin/examples/bench_ceiling" 127.0.0.1:0 "$work/$size.response" >"$log" 2>&1 & ;;
    quickxml) "${server_cpu[@]}" "$bin/examples/bench_quickxml" 127.0.0.1:0 >"$log" 2>&1 & ;;
  esac
  pid=$!
  wait_for_address "$log"
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# The admin the samples authenticate as (UsernameToken, PasswordText: argon2 is paid once,
# then the verified token is cached), created before the first start.
printf 'soapstone-admin\n' | "$bin/soapstone" user add --db "$work/soapstone.db" --role admin admin >/dev/null
# The ceiling answers with Soapstone's own response bytes.
start soapstone -
for size in small medium large; do
  curl -sf -H 'Content-Type: text/xml' -H "SOAPAction: \"$(cat "$work/$size.action")\"" \
    --data-binary @"$work/$size.xml" "http://$addr/bench" >"$work/$size.response"
done
# UserService data: users to read, and a CreateUser template with a unique name per request
# and no password (what is measured is the write; argon2 costs ~20 ms of CPU by design).
curl -sf -H 'Content-Type: text/xml' --data-binary @samples/01-CreateUser.xml "http://$addr/services/UserService" >/dev/null
cp samples/03-GetUser.xml "$work/getuser.xml"
sed -e 's|<u:username>alice</u:username>|<u:username>w{{N}}</u:username>|' \
    -e 's|alice@example.com|w{{N}}@example.com|' -e '/<u:password>/d' samples/01-CreateUser.xml >"$work/createuser.xml"
stop

# run KIND SIZE BODY ACTION PATH CONNECTIONS
results=bench/results.csv
echo "point,server,repeat,rps,p50_us,p99_us,peak_rss_kb,cpu_us_per_request,errors" >"$results"
run() {
  local kind=$1 point=$2 body=$3 action=$4 path=$5 connections=$6 repeat=$7
  start "$kind" "$point"
  # Warm-up, which also checks the answer (a write template gets a name of its own).
  sed "s/{{N}}/warm$repeat/g" "$body" >"$work/warmup.xml"
  curl -sf -o /dev/null -H 'Content-Type: text/xml' -H "SOAPAction: \"$action\"" --data-binary @"$work/warmup.xml" "http://$addr$path" \
    || { echo "$kind $point: the server does not answer correctly" >&2; exit 1; }
  local before; before=$(cpu_ticks "$pid")
  local out; out=$(RUN="$repeat" BODY_FILE="$body" SOAPACTION="$action" "${load_cpu[@]}" wrk -t1 -c"$connections" -d"${DURATION}s" --latency -s bench/post.lua "http://$addr$path")
  local after; after=$(cpu_ticks "$pid")
  local rss; rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  stop
  local line; line=$(grep '^RESULT' <<<"$out")
  local requests duration p50 p99 errors
  requests=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$line")
  duration=$(sed 's/.*duration_us=\([0-9]*\).*/\1/' <<<"$line")
  p50=$(sed 's/.*p50_us=\([0-9]*\).*/\1/' <<<"$line")
  p99=$(sed 's/.*p99_us=\([0-9]*\).*/\1/' <<<"$line")
  errors=$(sed 's/.*errors=\([0-9]*\).*/\1/' <<<"$line")
  local tick_us=$((1000000 / $(getconf CLK_TCK)))
  local rps cpu
  rps=$(awk -v r="$requests" -v d="$duration" 'BEGIN {printf "%.0f", r / (d / 1e6)}')
  cpu=$(awk -v t=$(((after - before) * tick_us)) -v r="$requests" 'BEGIN {printf "%.1f", t / (r > 0 ? r : 1)}')
  echo "$point,$kind,$repeat,$rps,$p50,$p99,$rss,$cpu,$errors" | tee -a "$results"
}

for repeat in $(seq "$REPEATS"); do
  for size in small medium large; do
    connections=16; [ "$size" = large ] && connections=4
    for kind in ceiling quickxml soapstone; do
      run "$kind" "$size" "$work/$size.xml" "$(cat "$work/$size.action")" /bench "$connections" "$repeat"
    done
  done
  run soapstone GetUser "$work/getuser.xml" http://soapstone.dev/users/GetUser /services/UserService 16 "$repeat"
  run soapstone CreateUser "$work/createuser.xml" http://soapstone.dev/users/CreateUser /services/UserService 16 "$repeat"
done

python3 bench/report.py "$results" bench/REPORT.md bench/latency.svg "DURATION=$DURATION REPEATS=$REPEATS bench/run.sh"
echo "wrote bench/REPORT.md and bench/latency.svg"
