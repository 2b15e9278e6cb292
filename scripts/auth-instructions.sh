#!/usr/bin/env bash
# Instructions the server executes per request on the authenticated path, counted by callgrind
# (valgrind), which unlike a req/s figure does not depend on what else the machine is doing:
# GetItem of the bench contract (no authentication, the reference), GetUser with a
# UsernameToken (PasswordText, as samples/03-GetUser.xml; argon2 is paid once, then the
# verified token is remembered) and GetUser with an s:SessionToken from Login, on SQLite with
# the default configuration and access lines off (as bench/run.sh's soapstone points; ACCESS_LINES=on
# for the default configuration with them).
#
#   scripts/auth-instructions.sh BIN [BIN…]     e.g. two builds of `cargo build --profile
#                                               profiling`, to compare them
#   REQUESTS=4000 CONNECTIONS=16 scripts/auth-instructions.sh target/profiling/soapstone
#   KEEP=/tmp/profiles scripts/auth-instructions.sh BIN   # keeps each point's callgrind file
#                                               (N.POINT.callgrind) for callgrind_annotate
#   ACCESS_LINES=on scripts/auth-instructions.sh BIN       # the default configuration instead:
#                                               one access line per request (to a file)
#
# For each binary and point: 200 requests to warm up, callgrind's counters zeroed, REQUESTS
# requests over CONNECTIONS keep-alive connections, the counters dumped. Every thread of the
# server counts (the database writer, the audit task, the blocking pool). 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${REQUESTS:-2000}
CONNECTIONS=${CONNECTIONS:-16}
KEEP=${KEEP:-}
server_log=info,soapstone::access=warn
[ "${ACCESS_LINES:-off}" = on ] && server_log=info
[ $# -ge 1 ] || { sed -n '2,18p' "$0" >&2; exit 2; }
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
python3 bench/gen.py "$work" >/dev/null

printf '%-40s %-10s %14s\n' binary point instructions/request
n=0
for bin in "$@"; do
  n=$((n + 1))
  db="$work/$n.db"
  printf 'soapstone-admin\n' | "$bin" user add --db "$db" --role admin admin >/dev/null 2>&1
  RUST_LOG=$server_log valgrind --tool=callgrind --dump-instr=no \
    --callgrind-out-file="$work/callgrind.$n" "$bin" serve --listen 127.0.0.1:0 --db "$db" \
    --log-format human >"$work/server.$n.log" 2>&1 &
  pid=$!
  addr=""
  for _ in $(seq 600); do
    addr=$(grep -o 'listening on http://[0-9.:]*' "$work/server.$n.log" | head -1 | sed 's|listening on http://||' || true)
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { cat "$work/server.$n.log" >&2; exit 1; }
  python3 - "$addr" "$pid" "$work" "$n" "$REQUESTS" "$CONNECTIONS" "$bin" "$KEEP" <<'EOF'
import glob, http.client, os, re, shutil, subprocess, sys, threading

addr, pid, work, n, requests, connections, binary, keep = sys.argv[1:]
requests, connections = int(requests), int(connections)
host, port = addr.rsplit(":", 1)

def post(conn, path, action, body):
    conn.request("POST", path, body, {"Content-Type": "text/xml; charset=utf-8",
                                      "SOAPAction": '"%s"' % action})
    reply = conn.getresponse()
    data = reply.read()
    if reply.status != 200:
        sys.exit("%s %s: HTTP %d\n%s" % (path, action, reply.status, data.decode()))
    return data.decode()

def load(path, action, body, count):
    def worker(share):
        conn = http.client.HTTPConnection(host, int(port), timeout=600)
        for _ in range(share):
            post(conn, path, action, body)
        conn.close()
    shares = [count // connections + (1 if i < count % connections else 0) for i in range(connections)]
    threads = [threading.Thread(target=worker, args=(s,)) for s in shares if s]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

def dump(point):
    before = set(glob.glob(os.path.join(work, "callgrind.%s.*" % n)))
    subprocess.run(["callgrind_control", "-d", pid], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    new = set(glob.glob(os.path.join(work, "callgrind.%s.*" % n))) - before
    (path,) = new
    if keep:
        os.makedirs(keep, exist_ok=True)
        shutil.copy(path, os.path.join(keep, "%s.%s.callgrind" % (n, point)))
    text = open(path).read()
    return int(re.search(r"^(?:summary|totals): (\d+)", text, re.M).group(1))

conn = http.client.HTTPConnection(host, int(port), timeout=600)
login = post(conn, "/services/AuthService", "http://soapstone.dev/auth/Login",
             '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
             'xmlns:s="http://soapstone.dev/schema/security/v1"><soapenv:Body><s:Login>'
             '<s:username>admin</s:username><s:password>soapstone-admin</s:password>'
             '</s:Login></soapenv:Body></soapenv:Envelope>')
token = re.search(r"sessionToken>([^<]+)<", login).group(1)
password = open("samples/03-GetUser.xml").read().replace("<u:id>2</u:id>", "<u:id>1</u:id>")
session = re.sub(r"<wsse:Security.*</wsse:Security>",
                 '<s:SessionToken xmlns:s="http://soapstone.dev/schema/security/v1">%s</s:SessionToken>' % token,
                 password, flags=re.S)
points = [
    ("GetItem", "/bench", open(os.path.join(work, "small.action")).read().strip(),
     open(os.path.join(work, "small.xml")).read()),
    ("password", "/services/UserService", "http://soapstone.dev/users/GetUser", password),
    ("session", "/services/UserService", "http://soapstone.dev/users/GetUser", session),
]
for name, path, action, body in points:
    load(path, action, body, 200)
    subprocess.run(["callgrind_control", "-z", pid], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    load(path, action, body, requests)
    total = dump(name)
    print("%-40s %-10s %14.0f" % (binary, name, total / requests), flush=True)
EOF
  kill "$pid"; wait "$pid" 2>/dev/null || true
  pid=""
done
