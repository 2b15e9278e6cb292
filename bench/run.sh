#!/usr/bin/env bash
# Reproducible benchmark of Soapstone against two ceilings and the gSOAP peer on the shared
# bench contract, of UserService reads and writes (with the gSOAP wsse plugin as the peer of
# the authenticated read), and of UserService and OrderService on PostgreSQL with one and two
# nodes. Points beyond the sizes: large also at 16 connections (large-16); GetUser with a
# UsernameToken, with an s:SessionToken from a Login (GetUser-session) and X.509-signed
# (GetUser-x509, bench/sign.py); CreateUser and PlaceOrder with their fsyncs per request
# (perf stat); the cost curves by message size (Echo with 1 to 1,000 items) and by connections
# (1 to 1,024), Soapstone against gSOAP (bench/curves.py). Builds release binaries and the
# peer, checks that the peer, the quick-xml loop and Soapstone answer every message with the
# same values (bench/check_answers.py), pins servers (and PostgreSQL) and wrk to different
# cores, interleaves the servers run by run (A B C A B C ...), repeats each point, and writes
# results.csv, REPORT.md, latency.svg, cost-by-size.svg and cost-by-connections.svg into
# BENCH_OUT (default bench/); every ratio of the report comes from that one results.csv.
#
#   bench/run.sh                      # 3 repeats of 5 s per point (58 points a repeat, and the
#                                     # signing before each X.509 point; see REPORT.md for the time)
#   REPEATS=5 DURATION=10 bench/run.sh
#   REPEATS=1 DURATION=1 BENCH_OUT=/tmp/bench bench/run.sh   # a quick check of the harness
#
# Servers, all on 127.0.0.1 only:
#   ceiling   bare hyper returning a precomputed response of Soapstone's size (examples/bench_ceiling.rs)
#   quickxml  hyper + quick-xml event loop and writer, no typed structs (examples/bench_quickxml.rs)
#   soapstone the real server (`/bench` and UserService) on SQLite, without per-request access lines
#   soapstone-logged  the same in its default configuration (access lines on, to a file)
#   gsoap     gSOAP 2.8 from the Debian packages, built from the contract (bench/peers/gsoap),
#             in its default iterative loop (one request per connection)
#   gsoap-threaded  the same as a thread-per-connection server with HTTP keep-alive
#   gsoap-wsse, gsoap-wsse-threaded  the same with the wsse plugin checking a UsernameToken
#             (PasswordText): the peer of Soapstone's GetUser, answering GetItem
#   pg-1node  the real server on a throwaway PostgreSQL cluster of this run (bench/common.sh)
#   pg-2nodes two such servers on the same cluster, each loaded by its own wrk with half the
#             connections
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
DURATION=${DURATION:-5}
REPEATS=${REPEATS:-3}
out=${BENCH_OUT:-bench}

source bench/common.sh
# perf counts the fsyncs of the durable writes.
command -v perf >/dev/null || { apt-get update -qq && apt-get install -y -qq linux-perf >/dev/null; }
cargo build --release --locked --bin soapstone --example bench_ceiling --example bench_quickxml
bin=target/release
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; stop_postgres; rm -rf "$work"' EXIT
bench/peers/gsoap/build.sh "$work/gsoap"
gsoap=$work/gsoap
python3 bench/gen.py "$work" >/dev/null
# The messages of the cost-by-size curve (Echo with 1 to 1,000 items), fewest items first.
mapfile -t curve_items < <(cd "$work" && ls items-*.xml | sed 's/\.xml$//' | sort -t- -k2 -n)
mkdir -p "$out"
# The X.509 point: a CA Soapstone trusts for message signatures (`--signature-ca`; unsigned
# messages are not affected) and the admin's certificate it issued (the subject CN names the
# user), and a venv with the signing libraries, pinned as the interop suite pins them.
pki=$work/pki
mkdir -p "$pki"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.pem" -days 2 -subj "/CN=Soapstone bench CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$pki/admin.key" -out "$pki/admin.csr" -subj /CN=admin 2>/dev/null
openssl x509 -req -in "$pki/admin.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial -out "$pki/admin.pem" -days 2 2>/dev/null
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q $(grep -E '^(zeep|lxml|xmlsec)==' tests/interop/requirements.txt)

pid=""
addr=""
# start KIND SIZE: starts a server, sets pid and addr.
start() {
  local kind=$1 size=$2 log="$work/server.log"
  case $kind in
    soapstone) RUST_LOG=info,soapstone::access=warn "${server_cpu[@]}" "$bin/soapstone" serve --listen 127.0.0.1:0 --db "$work/soapstone.db" --signature-ca "$pki/ca.pem" --log-format human >"$log" 2>&1 & ;;
    soapstone-logged) env -u RUST_LOG "${server_cpu[@]}" "$bin/soapstone" serve --listen 127.0.0.1:0 --db "$work/soapstone.db" --signature-ca "$pki/ca.pem" --log-format human >"$log" 2>&1 & ;;
    ceiling) "${server_cpu[@]}" "$bin/examples/bench_ceiling" 127.0.0.1:0 "$work/$size.response" >"$log" 2>&1 & ;;
    quickxml) "${server_cpu[@]}" "$bin/examples/bench_quickxml" 127.0.0.1:0 >"$log" 2>&1 & ;;
    gsoap) "${server_cpu[@]}" "$gsoap/gsoap-bench" 127.0.0.1:0 iterative >"$log" 2>&1 & ;;
    gsoap-threaded) "${server_cpu[@]}" "$gsoap/gsoap-bench" 127.0.0.1:0 threaded >"$log" 2>&1 & ;;
    gsoap-wsse) "${server_cpu[@]}" "$gsoap/gsoap-bench-wsse" 127.0.0.1:0 iterative admin soapstone-admin >"$log" 2>&1 & ;;
    gsoap-wsse-threaded) "${server_cpu[@]}" "$gsoap/gsoap-bench-wsse" 127.0.0.1:0 threaded admin soapstone-admin >"$log" 2>&1 & ;;
  esac
  pid=$!
  wait_for_address "$log"
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# post BODY ACTION URL ANSWER: posts BODY, writes the answer to ANSWER, prints the HTTP status.
post() { curl -s -o "$4" -w '%{http_code}' -H 'Content-Type: text/xml' -H "SOAPAction: \"$2\"" --data-binary @"$1" "$3"; }
# same_answer EXPECTED ACTUAL: the two answers hold the same values, or the run stops.
same_answer() { python3 bench/check_answers.py wsdl/BenchService.wsdl "$1" "$2"; }
# refused BODY ACTION URL WHO [FAULT [WHAT]]: the request gets a fault whose text holds FAULT
# (default FailedAuthentication), or the run stops saying WHO did not refuse WHAT (default a
# wrong password).
refused() {
  local status; status=$(post "$1" "$2" "$3" "$work/refusal.xml")
  [ "$status" = 500 ] && grep -q "${5:-FailedAuthentication}" "$work/refusal.xml" ||
    { echo "$4 did not refuse ${6:-a wrong password} (HTTP $status):" >&2; cat "$work/refusal.xml" >&2; exit 1; }
}

# bench_data ADDR: alice (user 2) to read and to order for, and one product with a stock no
# run exhausts; PlaceOrder orders one of it per request, with a unique clientReference.
bench_data() {
  curl -sf -H 'Content-Type: text/xml' --data-binary @samples/01-CreateUser.xml "http://$1/services/UserService" >/dev/null
  sed 's|<cat:stock>10</cat:stock>|<cat:stock>2000000000</cat:stock>|' samples/10-CreateProduct.xml |
    curl -sf -H 'Content-Type: text/xml' -H 'SOAPAction: "http://soapstone.dev/catalog/CreateProduct"' --data-binary @- \
      "http://$1/services/CatalogService" >/dev/null
}
perl -0pe 's|\s*<ord:line>\s*<ord:sku>GADGET-2</ord:sku>.*?</ord:line>||s;
  s|<ord:quantity>2</ord:quantity>|<ord:quantity>1</ord:quantity>|;
  s|sample-order-1|bench-{{N}}|' samples/16-PlaceOrder.xml >"$work/placeorder.xml"
# login_session ADDR: logs the admin in (AuthService Login) and writes the session point's
# request: GetUser with the session's token in an s:SessionToken header instead of the
# UsernameToken. Called before every session point, so no session outlives its point.
sed -e 's|<s:username>alice</s:username>|<s:username>admin</s:username>|' -e 's|alice-password-2|soapstone-admin|' \
  samples/27-Login.xml >"$work/login.xml"
login_session() {
  local token
  post "$work/login.xml" http://soapstone.dev/auth/Login "http://$1/services/AuthService" "$work/login.response" >/dev/null
  token=$(perl -ne 'print $1 if m{<(?:\w+:)?sessionToken>([^<]+)<}' "$work/login.response")
  [ -n "$token" ] || { echo "Soapstone did not log the admin in:" >&2; cat "$work/login.response" >&2; exit 1; }
  perl -0pe "s{<wsse:Security.*?</wsse:Security>}{<s:SessionToken xmlns:s=\"http://soapstone.dev/schema/security/v1\">$token</s:SessionToken>}s" \
    "$work/getuser.xml" >"$work/getuser-session.xml"
}
# sign_requests COUNT: COUNT distinct signed GetUser requests (bench/sign.py) into
# getuser-x509.bodies for the X.509 point, and one more into getuser-x509.xml for its warm-up:
# one signing run of COUNT + 1, the first message split off. Called right before every X.509
# point: each message is accepted once, while it is fresh.
sign_requests() {
  "$work/venv/bin/python" bench/sign.py "$work/getuser-unsigned.xml" "$pki/admin.pem" "$pki/admin.key" $(($1 + 1)) "$work/signed.all"
  perl -0777 -e 'my ($first, $rest) = split /\0/, <STDIN>, 2;
    open my $warm, ">", $ARGV[0] or die; print $warm $first; open my $all, ">", $ARGV[1] or die; print $all $rest' \
    "$work/getuser-x509.xml" "$work/getuser-x509.bodies" <"$work/signed.all"
}

# The admin the samples authenticate as (UsernameToken, PasswordText: argon2 is paid once,
# then the verified token is cached), created before the first start.
printf 'soapstone-admin\n' | "$bin/soapstone" user add --db "$work/soapstone.db" --role admin admin >/dev/null
# The ceiling answers with Soapstone's own response bytes.
start soapstone -
for size in small medium large "${curve_items[@]}"; do
  curl -sf -H 'Content-Type: text/xml' -H "SOAPAction: \"$(cat "$work/$size.action")\"" \
    --data-binary @"$work/$size.xml" "http://$addr/bench" >"$work/$size.response"
done
cp "$work/large.response" "$work/large-16.response"
# UserService data: users to read, and a CreateUser template with a unique name per request
# and no password (what is measured is the write; argon2 costs ~20 ms of CPU by design).
bench_data "$addr"
cp samples/03-GetUser.xml "$work/getuser.xml"
perl -0pe 's|<wsse:Security.*?</wsse:Security>||s' samples/03-GetUser.xml >"$work/getuser-unsigned.xml"
sed -e 's|<u:username>alice</u:username>|<u:username>w{{N}}</u:username>|' \
    -e 's|alice@example.com|w{{N}}@example.com|' -e '/<u:password>/d' samples/01-CreateUser.xml >"$work/createuser.xml"
# The authenticated point's request to the gSOAP peer: GetItem (small) with GetUser's
# wsse:Security header; and both with a wrong password.
perl -0777 -e 'my ($small, $getuser) = map { local @ARGV = ($_); <> } @ARGV;
  my ($header) = $getuser =~ m{(<soapenv:Header>.*?</soapenv:Header>)}s;
  $small =~ s{<soapenv:Header/>}{$header} or die "small.xml has no empty Header\n"; print $small' \
  "$work/small.xml" "$work/getuser.xml" >"$work/small-wsse.xml"
for name in getuser small-wsse; do sed 's|>soapstone-admin<|>wrong-password<|' "$work/$name.xml" >"$work/$name-wrong.xml"; done
[ "$(post "$work/getuser.xml" http://soapstone.dev/users/GetUser "http://$addr/services/UserService" "$work/getuser.response")" = 200 ] ||
  { echo "Soapstone does not answer GetUser:" >&2; cat "$work/getuser.response" >&2; exit 1; }
refused "$work/getuser-wrong.xml" http://soapstone.dev/users/GetUser "http://$addr/services/UserService" Soapstone
# The session and X.509 points: each request answered, a wrong session token refused, a
# signed message refused when it comes again.
login_session "$addr"
[ "$(post "$work/getuser-session.xml" http://soapstone.dev/users/GetUser "http://$addr/services/UserService" "$work/getuser.response")" = 200 ] ||
  { echo "Soapstone does not answer GetUser with a session:" >&2; cat "$work/getuser.response" >&2; exit 1; }
perl -pe 's{(<s:SessionToken[^>]*>)[^<]+}{${1}bench-no-such-session}' "$work/getuser-session.xml" >"$work/getuser-session-wrong.xml"
refused "$work/getuser-session-wrong.xml" http://soapstone.dev/users/GetUser "http://$addr/services/UserService" "Soapstone (session)"
sign_requests 1
[ "$(post "$work/getuser-x509.xml" http://soapstone.dev/users/GetUser "http://$addr/services/UserService" "$work/getuser.response")" = 200 ] ||
  { echo "Soapstone does not answer a signed GetUser:" >&2; cat "$work/getuser.response" >&2; exit 1; }
refused "$work/getuser-x509.xml" http://soapstone.dev/users/GetUser "http://$addr/services/UserService" Soapstone \
  'replayed message' 'a replayed signed message'
stop

# The quick-xml loop and the gSOAP peer answer every message with Soapstone's values, and the
# peer's wsse variant answers the authenticated GetItem so too, and refuses a wrong password.
for kind in quickxml gsoap gsoap-threaded; do
  start "$kind" -
  for size in small medium large "${curve_items[@]}"; do
    post "$work/$size.xml" "$(cat "$work/$size.action")" "http://$addr/bench" "$work/answer.xml" >/dev/null
    same_answer "$work/$size.response" "$work/answer.xml"
  done
  stop
done
for kind in gsoap-wsse gsoap-wsse-threaded; do
  start "$kind" -
  post "$work/small-wsse.xml" urn:bench#GetItem "http://$addr/bench" "$work/answer.xml" >/dev/null
  same_answer "$work/small.response" "$work/answer.xml"
  refused "$work/small-wsse-wrong.xml" urn:bench#GetItem "http://$addr/bench" "$kind"
  stop
done

# PostgreSQL: the same admin and the same data (bench_data).
start_postgres
printf 'soapstone-admin\n' | "$bin/soapstone" user add --db "$pg_url" --role admin admin >/dev/null
pids=()
addrs=()
# start_nodes N: starts N Soapstone nodes on the PostgreSQL cluster, sets pids and addrs.
start_nodes() {
  local i
  pids=()
  addrs=()
  for i in $(seq "$1"); do
    RUST_LOG=info,soapstone::access=warn "${server_cpu[@]}" "$bin/soapstone" serve --listen 127.0.0.1:0 --db "$pg_url" --log-format human >"$work/node$i.log" 2>&1 &
    pids+=($!)
    wait_for_address "$work/node$i.log"
    addrs+=("$addr")
  done
}
stop_nodes() {
  local p
  kill "${pids[@]}"
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
start_nodes 1
bench_data "${addrs[0]}"
stop_nodes

results=$out/results.csv
echo "point,server,repeat,rps,p50_us,p99_us,peak_rss_kb,cpu_us_per_request,errors,pg_cpu_us_per_request,connections,request_bytes,fsyncs_per_request" >"$results"
tick_us=$((1000000 / $(getconf CLK_TCK)))
# result FIELD FILE: the number after FIELD= in the RESULT line of a wrk output (bench/post.lua).
result() { grep '^RESULT' "$2" | sed "s/.*$1=\([0-9]*\).*/\1/"; }
# per_request TICKS REQUESTS: CPU µs per request.
per_request() { awk -v t=$(($1 * tick_us)) -v r="$2" 'BEGIN {printf "%.1f", t / (r > 0 ? r : 1)}'; }
# warm_up BODY ACTION URL TAG: one request, which also checks the answer (a write template gets
# a name of its own).
warm_up() {
  sed "s/{{N}}/warm$4/g" "$1" >"$work/warmup.xml"
  curl -sf -o /dev/null -H 'Content-Type: text/xml' -H "SOAPAction: \"$2\"" --data-binary @"$work/warmup.xml" "$3" \
    || { echo "$3 $2: the server does not answer correctly" >&2; exit 1; }
}

# The points whose fsyncs are counted: the durable writes, and the X.509 read (the server
# remembers every signed message it accepts).
counts_fsyncs() { case $1 in CreateUser | PlaceOrder | GetUser-x509) return 0 ;; *) return 1 ;; esac; }
fsync_perf=""
# fsyncs_start PIDS: starts counting the fsync and fdatasync calls of the processes PIDS
# (comma-separated; perf follows their threads and the children they fork from then on).
fsyncs_start() {
  perf stat -x, -o "$work/fsyncs.out" -e syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync -p "$1" &
  fsync_perf=$!
  sleep 0.2
}
# fsyncs_stop: stops the count; the run stops if perf has no count of both events (it could
# not attach). An event that did not occur reads "<not counted>": 0.
fsyncs_stop() {
  kill -INT "$fsync_perf"
  wait "$fsync_perf" || true
  [ "$(grep -c 'sys_enter_f' "$work/fsyncs.out")" = 2 ] || { echo "perf did not count the fsyncs:" >&2; cat "$work/fsyncs.out" >&2; exit 1; }
}
# fsyncs_per_request REQUESTS: the counted calls per request.
fsyncs_per_request() { awk -F, -v r="$1" '/sys_enter_f/ {n += $1} END {printf "%.2f", n / (r > 0 ? r : 1)}' "$work/fsyncs.out"; }

# run KIND POINT BODY ACTION PATH CONNECTIONS REPEAT: BODY is a request, or NAME.bodies (the
# X.509 point's signed messages, each sent once, with NAME.xml for the warm-up).
run() {
  local kind=$1 point=$2 body=$3 action=$4 path=$5 connections=$6 repeat=$7
  local warm=$body bodies=""
  [ "${body%.bodies}" != "$body" ] && { warm=${body%.bodies}.xml; bodies=$body; }
  start "$kind" "$point"
  case $point in
    GetUser-session) login_session "$addr" ;;
    GetUser-x509) sign_requests "$signed_count" ;;
  esac
  warm_up "$warm" "$action" "http://$addr$path" "$repeat"
  local before; before=$(cpu_ticks "$pid")
  counts_fsyncs "$point" && fsyncs_start "$pid"
  RUN="$repeat" BODY_FILE="$warm" BODIES_FILE="$bodies" SOAPACTION="$action" "${load_cpu[@]}" wrk -t1 -c"$connections" -d"${DURATION}s" --latency -s bench/post.lua "http://$addr$path" >"$work/wrk.out"
  # A server that ended (or is a zombie) has no VmHWM.
  grep -q VmHWM "/proc/$pid/status" 2>/dev/null || { echo "$kind ended under load on $point:" >&2; cat "$work/server.log" >&2; exit 1; }
  local after; after=$(cpu_ticks "$pid")
  local rss; rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  local requests rps fsyncs=""
  requests=$(result requests "$work/wrk.out")
  counts_fsyncs "$point" && { fsyncs_stop; fsyncs=$(fsyncs_per_request "$requests"); }
  stop
  rps=$(awk -v r="$requests" -v d="$(result duration_us "$work/wrk.out")" 'BEGIN {printf "%.0f", r / (d / 1e6)}')
  echo "$point,$kind,$repeat,$rps,$(result p50_us "$work/wrk.out"),$(result p99_us "$work/wrk.out"),$rss,$(per_request $((after - before)) "$requests"),$(result errors "$work/wrk.out"),,$connections,$(stat -c %s "$warm"),$fsyncs" | tee -a "$results"
}

# run_pg NODES POINT BODY ACTION PATH REPEAT: 16 connections over NODES nodes on PostgreSQL, one
# wrk per node at once; req/s and errors are the sums, p50 and p99 those of the slower node,
# CPU per request that of all nodes and that of the whole PostgreSQL cluster; the fsyncs those
# of the nodes and of the cluster (its processes, and the backends it forks during the run).
run_pg() {
  local nodes=$1 point=$2 body=$3 action=$4 path=$5 repeat=$6 i p
  local server=pg-${nodes}node; [ "$nodes" -gt 1 ] && server=${server}s
  start_nodes "$nodes"
  for i in "${!addrs[@]}"; do warm_up "$body" "$action" "http://${addrs[$i]}$path" "r${repeat}n${nodes}x$i"; done
  local node_before=0 node_after=0 pg_before pg_after wrk_pids=()
  for p in "${pids[@]}"; do node_before=$((node_before + $(cpu_ticks "$p"))); done
  pg_before=$(postgres_ticks)
  counts_fsyncs "$point" &&
    fsyncs_start "$(printf '%s\n' "${pids[@]}" "$pg_postmaster" $(ps -o pid= --ppid "$pg_postmaster") | paste -sd,)"
  for i in "${!addrs[@]}"; do
    RUN="r${repeat}n${nodes}x$i" BODY_FILE="$body" SOAPACTION="$action" "${load_cpu[@]}" wrk -t1 -c$((16 / nodes)) -d"${DURATION}s" --latency -s bench/post.lua "http://${addrs[$i]}$path" >"$work/wrk$i.out" &
    wrk_pids+=($!)
  done
  for p in "${wrk_pids[@]}"; do wait "$p"; done
  for p in "${pids[@]}"; do node_after=$((node_after + $(cpu_ticks "$p"))); done
  pg_after=$(postgres_ticks)
  local rss=0 requests=0 rps=0 p50=0 p99=0 errors=0 out fsyncs=""
  for p in "${pids[@]}"; do rss=$(awk -v m="$rss" '/VmHWM/ {print ($2 > m ? $2 : m)}' "/proc/$p/status"); done
  for i in "${!addrs[@]}"; do
    out=$work/wrk$i.out
    requests=$((requests + $(result requests "$out")))
    errors=$((errors + $(result errors "$out")))
    rps=$(awk -v s="$rps" -v r="$(result requests "$out")" -v d="$(result duration_us "$out")" 'BEGIN {printf "%.0f", s + r / (d / 1e6)}')
    p50=$(( $(result p50_us "$out") > p50 ? $(result p50_us "$out") : p50 ))
    p99=$(( $(result p99_us "$out") > p99 ? $(result p99_us "$out") : p99 ))
  done
  counts_fsyncs "$point" && { fsyncs_stop; fsyncs=$(fsyncs_per_request "$requests"); }
  stop_nodes
  echo "$point,$server,$repeat,$rps,$p50,$p99,$rss,$(per_request $((node_after - node_before)) "$requests"),$errors,$(per_request $((pg_after - pg_before)) "$requests"),16,$(stat -c %s "$body"),$fsyncs" | tee -a "$results"
}

# How many signed messages an X.509 point needs: one and a half times what Soapstone answers in
# DURATION at the rate of a 1 s warm-up on 3,000 of them, plus 1,000. Were wrk to run out
# nonetheless, it sends them again and the server refuses each as a replay: errors in the report.
start soapstone -
sign_requests 3000
warm_up "$work/getuser-x509.xml" http://soapstone.dev/users/GetUser "http://$addr/services/UserService" sizing
BODY_FILE="$work/getuser-x509.xml" BODIES_FILE="$work/getuser-x509.bodies" SOAPACTION=http://soapstone.dev/users/GetUser "${load_cpu[@]}" \
  wrk -t1 -c16 -d1s -s bench/post.lua "http://$addr/services/UserService" >"$work/wrk.out"
stop
signed_count=$(awk -v r="$(result requests "$work/wrk.out")" -v d="$(result duration_us "$work/wrk.out")" -v s="$DURATION" \
  'BEGIN {printf "%.0f", 1.5 * r / (d / 1e6) * s + 1000}')
echo "signing $signed_count messages before each X.509 point"

for repeat in $(seq "$REPEATS"); do
  for size in small medium large; do
    connections=16; [ "$size" = large ] && connections=4
    for kind in ceiling quickxml soapstone soapstone-logged gsoap gsoap-threaded; do
      run "$kind" "$size" "$work/$size.xml" "$(cat "$work/$size.action")" /bench "$connections" "$repeat"
    done
  done
  # large at 16 connections too, for the p99 target (judged at 16 connections at every size).
  for kind in ceiling quickxml soapstone soapstone-logged gsoap gsoap-threaded; do
    run "$kind" large-16 "$work/large.xml" "$(cat "$work/large.action")" /bench 16 "$repeat"
  done
  # The cost curves (bench/curves.py), Soapstone in its default configuration against both
  # gSOAP modes: by message size at 16 connections, and by connections with the small message
  # (its 16-connection row is the small point's).
  for size in "${curve_items[@]}"; do
    for kind in soapstone-logged gsoap gsoap-threaded; do
      run "$kind" "$size" "$work/$size.xml" urn:bench#Echo /bench 16 "$repeat"
    done
  done
  for connections in 1 256 1024; do
    for kind in soapstone-logged gsoap gsoap-threaded; do
      run "$kind" "small-c$connections" "$work/small.xml" "$(cat "$work/small.action")" /bench "$connections" "$repeat"
    done
  done
  run soapstone GetUser "$work/getuser.xml" http://soapstone.dev/users/GetUser /services/UserService 16 "$repeat"
  run soapstone GetUser-session "$work/getuser-session.xml" http://soapstone.dev/users/GetUser /services/UserService 16 "$repeat"
  run soapstone GetUser-x509 "$work/getuser-x509.bodies" http://soapstone.dev/users/GetUser /services/UserService 16 "$repeat"
  for kind in gsoap-wsse gsoap-wsse-threaded; do
    run "$kind" GetUser "$work/small-wsse.xml" urn:bench#GetItem /bench 16 "$repeat"
  done
  run soapstone CreateUser "$work/createuser.xml" http://soapstone.dev/users/CreateUser /services/UserService 16 "$repeat"
  run soapstone PlaceOrder "$work/placeorder.xml" http://soapstone.dev/orders/PlaceOrder /services/OrderService 16 "$repeat"
  for nodes in 1 2; do
    run_pg "$nodes" GetUser "$work/getuser.xml" http://soapstone.dev/users/GetUser /services/UserService "$repeat"
    run_pg "$nodes" CreateUser "$work/createuser.xml" http://soapstone.dev/users/CreateUser /services/UserService "$repeat"
    run_pg "$nodes" PlaceOrder "$work/placeorder.xml" http://soapstone.dev/orders/PlaceOrder /services/OrderService "$repeat"
  done
done

BENCH_MINUTES=$((($(date +%s) - started + 30) / 60)) python3 bench/report.py "$results" "$out/REPORT.md" "$out/latency.svg" "DURATION=$DURATION REPEATS=$REPEATS bench/run.sh"
echo "wrote $out/results.csv, $out/REPORT.md, $out/latency.svg and the cost curves' SVGs"
