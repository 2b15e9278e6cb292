#!/usr/bin/env python3
"""Turns the results.csv of one bench/run.sh run into REPORT.md (table, same-run ratios against
the ceilings and the gSOAP peer, PostgreSQL table, issue 18's targets each met or not, machine,
command, the cost curves of bench/curves.py) and latency.svg (p50 and p99 latency per point
and server on SQLite, the ceilings and the peer, log scale). Every ratio comes from that one
file. Run by bench/run.sh, which sets BENCH_MINUTES to the run's length.

Usage: report.py RESULTS.csv REPORT.md LATENCY.svg "COMMAND"
"""
import csv
import math
import os
import platform
import statistics
import subprocess
import sys
from collections import defaultdict
from datetime import datetime, timezone

import curves
import svg

results, report, svg_path, command = sys.argv[1:5]
all_rows = list(csv.DictReader(open(results)))
pg_servers = {"pg-1node": 1, "pg-2nodes": 2}
rows = [r for r in all_rows if r["server"] not in pg_servers and not curves.is_curve_point(r["point"])]
pg_points = []
for r in all_rows:
    if r["server"] in pg_servers and r["point"] not in pg_points:
        pg_points.append(r["point"])
points = []
by = defaultdict(list)
for r in all_rows:
    by[(r["point"], r["server"])].append(r)
for r in rows:
    if r["point"] not in points:
        points.append(r["point"])
servers = [
    "ceiling",
    "quickxml",
    "soapstone",
    "soapstone-logged",
    "gsoap",
    "gsoap-threaded",
    "gsoap-wsse",
    "gsoap-wsse-threaded",
]
sizes = ["small", "medium", "large"]
# Soapstone as the message targets measure it: its default configuration (access lines on).
# The authenticated read runs without access lines and is set against GetItem without them.
default = "soapstone-logged"


def med(key, field):
    values = [float(r[field]) for r in by[key]]
    return statistics.median(values) if values else float("nan")


def fsyncs(key):
    values = [float(r["fsyncs_per_request"]) for r in by[key] if r.get("fsyncs_per_request")]
    return f"{statistics.median(values):.2f}" if values else "not measured"


def ratio(point, server, other):
    a, b = (point, server), (point, other)
    if a not in by or b not in by or server == other:
        return ""
    return f"{med(a, 'rps') / med(b, 'rps'):.0%}"


def summary(key):
    """The cells every table shares for the runs of `key`: median and spread of req/s, p50,
    p99, the peak RSS and the errors."""
    rps = [float(r["rps"]) for r in by[key]]
    return {
        "rps": f"{statistics.median(rps):,.0f}",
        "spread": f"{min(rps):,.0f}-{max(rps):,.0f}",
        "p50": f"{med(key, 'p50_us') / 1000:.2f} ms",
        "p99": f"{med(key, 'p99_us') / 1000:.2f} ms",
        "rss": f"{max(float(r['peak_rss_kb']) for r in by[key]) / 1024:.1f} MB",
        "errors": sum(int(r["errors"]) for r in by[key]),
    }


lines = [
    "| point | server | req/s (median) | req/s spread | p50 | p99 | peak RSS | server CPU / request | errors | vs ceiling | vs quick-xml loop |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
]
for point in points:
    for server in servers:
        key = (point, server)
        if key not in by:
            continue
        c = summary(key)
        lines.append(
            f"| {point} | {server} | {c['rps']} | {c['spread']} | {c['p50']} | {c['p99']} | {c['rss']} | "
            f"{med(key, 'cpu_us_per_request'):.1f} µs | {c['errors']} | {ratio(point, server, 'ceiling')} | "
            f"{ratio(point, server, 'quickxml')} |"
        )

pg_lines = [
    "| point | nodes | req/s (median) | req/s spread | p50 | p99 | node CPU / request | PostgreSQL CPU / request | fsyncs / request | peak RSS per node | errors |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
]
for point in pg_points:
    for server in pg_servers:
        key = (point, server)
        if key not in by:
            continue
        c = summary(key)
        pg_lines.append(
            f"| {point} | {pg_servers[server]} | {c['rps']} | {c['spread']} | {c['p50']} | {c['p99']} | "
            f"{med(key, 'cpu_us_per_request'):.1f} µs | {med(key, 'pg_cpu_us_per_request'):.1f} µs | {fsyncs(key)} | {c['rss']} | {c['errors']} |"
        )


def present(*keys):
    return all(key in by for key in keys)


def verdict(ok):
    return "met" if ok else "NOT met"


def peer(point, family):
    """The faster gSOAP mode on a point (by median req/s): its server name, or None."""
    modes = [m for m in (family, f"{family}-threaded") if (point, m) in by]
    return max(modes, key=lambda m: med((point, m), "rps")) if modes else None


def cpu(key):
    return med(key, "cpu_us_per_request")


def rss_mb(key):
    return max(float(r["peak_rss_kb"]) for r in by[key]) / 1024


def connections(key):
    return int(by[key][0]["connections"])


def against_peer(label, ours, theirs, target):
    """The line comparing Soapstone's `ours` to the gSOAP peer's `theirs`, with verdicts when
    there is a target."""
    less = cpu(theirs) / cpu(ours)
    more = med(ours, "rps") / med(theirs, "rps")
    line = (
        f"- {label}: server CPU per request {cpu(ours):.1f} µs against {theirs[1]}'s {cpu(theirs):.1f} µs, "
        f"gSOAP's {less:.2f}x Soapstone's"
    )
    if target:
        line += f" (target ≥ 3x): {verdict(less >= 3)}"
    line += f"; req/s {med(ours, 'rps'):,.0f} against {med(theirs, 'rps'):,.0f}, Soapstone's {more:.2f}x gSOAP's"
    if target:
        line += f" (target ≥ 3x): {verdict(more >= 3)}"
    return line


targets = ["Against gSOAP, each point against the faster of its two modes in this run:", ""]
for point in sizes:
    theirs = peer(point, "gsoap")
    if present((point, default)) and theirs:
        targets.append(against_peer(f"{point}, default configuration", (point, default), (point, theirs), True))
    else:
        targets.append(f"- {point} against gSOAP: not measured")
theirs = peer("GetUser", "gsoap-wsse")
if present(("GetUser", "soapstone")) and theirs:
    targets.append(
        against_peer(
            "authenticated (Soapstone's GetUser, a database read and an audit event, against gSOAP's "
            "GetItem with the wsse plugin's UsernameToken check; no target)",
            ("GetUser", "soapstone"),
            ("GetUser", theirs),
            False,
        )
    )
else:
    targets.append("- authenticated point against gSOAP's wsse plugin: not measured")

targets += ["", "Against the ceilings (Soapstone in its default configuration, access lines on):", ""]
for point, other, wanted in (("small", "ceiling", 0.85), ("medium", "quickxml", 0.75), ("large", "quickxml", 0.75)):
    if not present((point, default), (point, other)):
        targets.append(f"- {point} against {other}: not measured")
        continue
    r = med((point, default), "rps") / med((point, other), "rps")
    line = f"- {point}: {r:.0%} of {other}'s req/s (target ≥ {wanted:.0%}): {verdict(r >= wanted)}"
    if present((point, "soapstone")):
        quiet = med((point, "soapstone"), "rps")
        line += (
            f"; without access lines {quiet / med((point, other), 'rps'):.0%}, "
            f"so the access lines cost {1 - med((point, default), 'rps') / quiet:.0%} of the req/s"
        )
    targets.append(line)

targets += ["", "The authenticated read against the bench call, both on Soapstone without access lines:", ""]
if present(("GetUser", "soapstone"), ("small", "soapstone")):
    r = med(("GetUser", "soapstone"), "rps") / med(("small", "soapstone"), "rps")
    targets.append(
        f"- GetUser with a UsernameToken (PasswordText, audited): {r:.0%} of GetItem's req/s (target ≥ 50%): {verdict(r >= 0.5)}"
    )
else:
    targets.append("- GetUser with a UsernameToken against GetItem: not measured")
if present(("GetUser-session", "soapstone"), ("small", "soapstone")):
    r = med(("GetUser-session", "soapstone"), "rps") / med(("small", "soapstone"), "rps")
    targets.append(
        f"- GetUser with an s:SessionToken (from a Login just before the point): {r:.0%} of GetItem's req/s (target ≥ 60%): {verdict(r >= 0.6)}"
    )
else:
    targets.append("- GetUser with an s:SessionToken against GetItem: not measured")
if present(("GetUser-x509", "soapstone"), ("small", "soapstone")):
    key = ("GetUser-x509", "soapstone")
    r = med(key, "rps") / med(("small", "soapstone"), "rps")
    targets.append(
        f"- X.509-signed GetUser (no target): {med(key, 'rps'):,.0f} req/s, {r:.0%} of GetItem's, server CPU per request "
        f"{cpu(key):.1f} µs, {fsyncs(key)} fsyncs per request, {summary(key)['errors']} errors (replays refused count as errors)"
    )
else:
    targets.append("- X.509-signed GetUser: not measured")

targets += ["", "Latency and memory (Soapstone in its default configuration):", ""]
# large is loaded with 4 connections for its throughput and again with 16 (point large-16).
for point in sizes:
    at16 = "large-16" if point == "large" else point
    if not present((at16, default), (at16, "ceiling")) or connections((at16, default)) != 16:
        targets.append(f"- {point}: p99 at 16 connections not measured")
        continue
    r = med((at16, default), "p99_us") / med((at16, "ceiling"), "p99_us")
    targets.append(f"- {point}: p99 at 16 connections is {r:.1f}x the ceiling's (target ≤ 2x): {verdict(r <= 2)}")
for point in ("small", "medium"):
    if present((point, default)):
        rss = rss_mb((point, default))
        targets.append(f"- {point}: peak RSS {rss:.1f} MB (target ≤ 32 MB): {verdict(rss <= 32)}")
    else:
        targets.append(f"- {point}: peak RSS not measured")
if present(("large", default), ("small", default)):
    key = ("large", default)
    in_flight = connections(key)
    message_mb = int(by[key][0]["request_bytes"]) / 2**20
    grown = rss_mb(key) - rss_mb(("small", default))
    allowed = 4 * message_mb * in_flight
    targets.append(
        f"- large: peak RSS {rss_mb(key):.1f} MB, {grown:.1f} MB above the small point's, with {in_flight} requests "
        f"of {message_mb:.2f} MB in flight (target ≤ 4x the message size per request in flight, {allowed:.1f} MB "
        f"above the small point's): {verdict(grown <= allowed)}"
    )
else:
    targets.append("- large: peak RSS not measured")

targets += ["", "Durable writes (authenticated):", ""]
for point, server, where in (
    ("CreateUser", "soapstone", "SQLite, `synchronous=FULL`"),
    ("CreateUser", "pg-1node", "PostgreSQL, 1 node"),
    ("PlaceOrder", "soapstone", "SQLite, `synchronous=FULL`"),
    ("PlaceOrder", "pg-1node", "PostgreSQL, 1 node"),
    ("CreateUser", "pg-2nodes", "PostgreSQL, 2 nodes"),
    ("PlaceOrder", "pg-2nodes", "PostgreSQL, 2 nodes"),
):
    key = (point, server)
    if not present(key):
        targets.append(f"- {point} ({where}): not measured")
        continue
    line = f"- {point} ({where}): {med(key, 'rps'):,.0f} req/s, server CPU per request {cpu(key):.1f} µs"
    if by[key][0]["pg_cpu_us_per_request"]:
        line += f", PostgreSQL CPU per request {med(key, 'pg_cpu_us_per_request'):.1f} µs"
    targets.append(line + f"; fsyncs per request {fsyncs(key)}")

ours = [r for r in all_rows if r["server"].startswith("soapstone") or r["server"] in pg_servers]
errors = sum(int(r["errors"]) for r in ours)
peer_errors = sum(int(r["errors"]) for r in all_rows if r not in ours)
targets += [
    "",
    f"- errors and faults in Soapstone's runs: {errors} (target 0): {verdict(errors == 0)}; "
    f"in the other servers' runs: {peer_errors}",
]
if any("NOT met" in t for t in targets):
    targets.append(
        "\nWhere the time goes for the targets not met: the perf profile in [PROFILE.md](PROFILE.md)"
        " (`bench/profile.sh`) and its analysis in [ANALYSIS.md](ANALYSIS.md)."
    )


def share(ours, other):
    return f"{med(ours, 'rps') / med(other, 'rps'):.0%}" if present(ours, other) else ""


def fold(ours, other):
    """Soapstone's req/s as a multiple of the peer's, and the peer's CPU per request as a
    multiple of Soapstone's."""
    if not other or not present(ours, other):
        return "", ""
    return f"{med(ours, 'rps') / med(other, 'rps'):.2f}x", f"{cpu(other) / cpu(ours):.2f}x"


def ratio_row(label, config, key, peer_key):
    """A row of the same-run ratios: Soapstone's `key` against the ceilings of its point and
    the gSOAP peer's `peer_key` (None when the peer did not run)."""
    point = key[0]
    peer_cell, rps_fold, cpu_fold = "not measured", "", ""
    if peer_key and present(peer_key):
        peer_cell = f"{peer_key[1]} ({med(peer_key, 'rps'):,.0f} req/s)"
        rps_fold = f"{med(key, 'rps') / med(peer_key, 'rps'):.2f}x"
        cpu_fold = f"{cpu(peer_key) / cpu(key):.2f}x"
    return (
        f"| {label} | {config} | {med(key, 'rps'):,.0f} | {share(key, (point, 'ceiling'))} | "
        f"{share(key, (point, 'quickxml'))} | {peer_cell} | {rps_fold} | {cpu_fold} |"
    )


ratio_lines = [
    "| point | Soapstone | req/s | vs ceiling | vs quick-xml loop | gSOAP (faster mode) | req/s vs gSOAP | gSOAP's CPU / request vs Soapstone's |",
    "|---|---|---:|---:|---:|---|---:|---:|",
]
for point in sizes:
    theirs = peer(point, "gsoap")
    for server, config in ((default, "default configuration"), ("soapstone", "without access lines")):
        if present((point, server)):
            ratio_lines.append(ratio_row(point, config, (point, server), (point, theirs) if theirs else None))
if present(("GetUser", "soapstone")):
    theirs = peer("GetUser", "gsoap-wsse")
    ratio_lines.append(
        ratio_row("GetUser (authenticated)", "without access lines", ("GetUser", "soapstone"), ("GetUser", theirs) if theirs else None)
    )


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


processor = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2") or platform.processor()
memory = sh("free -h | awk '/Mem:/ {print $2}'")
gsoap_version = sh("dpkg-query -W -f='${Version}' gsoap")
machine = (
    f"{os.cpu_count()} cores ({processor.strip()}), {memory} memory, Linux {platform.release()}, "
    f"{sh('rustc --version')}, {sh('g++ --version | head -1')}, gSOAP {gsoap_version} (Debian), "
    f"{sh('wrk -v 2>&1 | head -1')}"
)

minutes = f", which took {os.environ['BENCH_MINUTES']} minutes" if os.environ.get("BENCH_MINUTES") else ""
colors = {
    "ceiling": "#8a96a3",
    "quickxml": "#3f7fbf",
    "soapstone": "#d9822b",
    "soapstone-logged": "#a0522d",
    "gsoap": "#5a9e4b",
    "gsoap-threaded": "#2e6b24",
    "gsoap-wsse": "#9c6fbf",
    "gsoap-wsse-threaded": "#5e3a80",
}
curve_section = curves.section(by, med, os.path.dirname(os.path.abspath(report)), colors)

doc = f"""# Soapstone benchmark report

Generated {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} by `{command}`{minutes}.

Machine: {machine}.

Each server is pinned to core 0 and wrk (one thread) to core 1; the servers run interleaved
(for each size the ceiling, the quick-xml loop, Soapstone without and with access lines and
gSOAP in its two modes, then the UserService points with gSOAP's wsse variant beside GetUser,
then the PostgreSQL points with 1 and 2 nodes; the whole round is repeated), with 16
connections (4 for large). Soapstone runs its release build, with per-request access lines off
(`RUST_LOG=info,soapstone::access=warn`) except for soapstone-logged. Figures are medians over
the repeats; the spread is the range of req/s. Every figure and ratio below comes from this
one run: on a shared machine absolute figures drift, so compare the ratios.

Servers: **ceiling** is a bare hyper server answering with a precomputed response of
Soapstone's size (the HTTP ceiling, `examples/bench_ceiling.rs`); **quickxml** is hyper plus a
quick-xml event loop and writer doing the same work with no typed structs, validation or
envelope checks (the practical ceiling, `examples/bench_quickxml.rs`); **soapstone** is the
server itself, on the same path as every service; **soapstone-logged** is the same server in
its default configuration, one access line per request written to a file through the
non-blocking log writer. Its row against soapstone's is what the access lines cost; how much
the non-blocking writer saved against writing each line from the worker thread is measured in
[LOGGING.md](LOGGING.md) (release builds before and after, interleaved).

**gsoap** is the peer: gSOAP from the Debian packages, its data binding generated from the
same contract by wsdl2h and soapcpp2 and compiled with g++ -O2 (`bench/peers/gsoap`), in its
default iterative loop (one thread, one request per connection: wrk reconnects for each
request); **gsoap-threaded** is gSOAP's multi-threaded stand-alone server, a thread per
connection with HTTP keep-alive (at most 100 requests per connection, gSOAP's default). The
ratios take, on each point, whichever of the two was faster in this run, and say which.
**gsoap-wsse** and **gsoap-wsse-threaded** are the same with the gSOAP wsse plugin: on the
GetUser point they answer GetItem with the same `wsse:Security` header as Soapstone's GetUser
request, the plugin checking the UsernameToken (PasswordText) against one configured user in
memory, with no user store and no audit trail. Before the runs, bench/run.sh checks that the
quick-xml loop and both gSOAP modes answer every message with Soapstone's values
(`bench/check_answers.py`: decimals numerically, dateTimes as instants), that the wsse
variants answer the authenticated GetItem so too, and that they and Soapstone refuse a wrong
password.

Messages (the shared bench contract, `bench/gen.py`): small = GetItem (0.5 KB), medium = Echo
with 50 items (10 KB), large = Echo with 5,000 items (1 MB). GetUser reads one user from the
database through the read pool (that read is not cached; product reads are), authenticated
with a UsernameToken (PasswordText; the verified password and the caller's credentials come
from the credential cache, checked against the credential generation on every call) and
audited; CreateUser writes a
new user per request through the group-commit writer with `synchronous=FULL`; PlaceOrder orders
one unit of one product with a huge stock for alice, with a unique clientReference per request
(as on PostgreSQL below). **GetUser-session** is the same GetUser with an `s:SessionToken`
header instead of the UsernameToken: before each such point bench/run.sh logs the admin in
(AuthService Login), so no session can expire during a point (`session_ttl` is 3600 s), and it
checks before the runs that the request is answered and that a wrong token is refused.
**GetUser-x509** is GetUser signed with an X.509 certificate (CN=admin) issued by a CA of the
run that the server trusts (`--signature-ca`; its responses go out unsigned, the default without
`signature_cert`): the Body and a fresh `wsu:Timestamp` signed with RSA-SHA256 by
`bench/sign.py` (zeep's signature code, python-xmlsec), every message with ids and a signature
of its own, since the server accepts each signed message once (it remembers it in the
database). Right before each such point bench/run.sh signs 1.5 times as many messages as a 1 s
warm-up showed the server answers in the point's duration, plus 1,000, and wrk sends each once
(were they to run out, the replays are refused and show as errors); before the runs it checks
that a signed message is answered and refused when sent again. **large-16** is the large message
at 16 connections (large itself is loaded with 4), for the p99 target at 16 connections.

Fsyncs per request (CreateUser, PlaceOrder, GetUser-x509, and their PostgreSQL points) are the
`syscalls:sys_enter_fsync` plus `syscalls:sys_enter_fdatasync` events that `perf stat -p`
counts during the wrk window, divided by the requests served: on SQLite of the server process
(all its threads), on PostgreSQL of the node(s), the postmaster and every process of the
cluster (perf follows the backends it forks during the window). The other points are not
counted (empty in results.csv): tracing syscalls costs the traced process a little on every
system call.

{chr(10).join(lines)}

## Same-run ratios

{chr(10).join(ratio_lines)}

## PostgreSQL points

The same server on PostgreSQL (`--db postgres://...`): a throwaway cluster that bench/run.sh
starts for the run (initdb in a temporary folder, default settings, so `fsync=on` and
`synchronous_commit=on`), pinned to core 0 with the node(s), wrk on core 1. With 1 node, one
Soapstone node gets 16 connections; with 2 nodes, two Soapstone processes on the same cluster are
each loaded by its own wrk with 8 connections at the same time: req/s and errors are the sums,
p50 and p99 those of the slower of the two. Node CPU is the user + system time of all nodes,
PostgreSQL CPU that of the postmaster and all its processes (backends, WAL writer,
checkpointer...), each divided by the requests served. GetUser reads alice (users are not
cached), CreateUser writes a new user without a password, PlaceOrder orders one unit of one
product for alice with a unique clientReference: every order locks and updates that one row,
so orders queue on its lock (held until the commit has flushed the WAL), the case of one hot
product. On this 2-core machine the node(s), PostgreSQL and wrk compete for the cores: two
nodes share core 0 with PostgreSQL, so they show the cost of running two nodes, not the gain
of adding a machine.
In results.csv these rows are the servers pg-1node and pg-2nodes.

{chr(10).join(pg_lines) if pg_points else "Not measured in this run."}

## Cost curves

How server CPU per request grows with the message size and with the concurrent connections,
for Soapstone in its default configuration (access lines on) and gSOAP in both modes, in the
same interleaved rounds as the points above (medians over the repeats). By size: Echo with 1,
10, 100 and 1,000 items (the medium and large messages have 50 and 5,000) at 16 connections. By
connections: GetItem at 1, 16 (the small point), 256 and 1,024 connections, one wrk thread.
gSOAP's iterative mode serves one connection at a time (wrk reconnects for every request, its
connects queue in the listen backlog, 1,024 as Soapstone's, and can time out: errors); its
threaded mode starts a thread per connection.

{curve_section}

## Targets

{chr(10).join(targets)}

![latency](latency.svg)
"""
with open(report, "w") as out:
    out.write(doc)

width, height, left, top, bottom = 1200, 420, 70, 30, 60
plot_w, plot_h = width - left - 20, height - top - bottom
lo, hi = svg.log_range([max(1.0, float(r[f])) for r in rows for f in ("p50_us", "p99_us")])


def y(v):
    span = math.log10(hi) - math.log10(lo)
    return top + plot_h - (math.log10(max(v, lo)) - math.log10(lo)) / span * plot_h


parts = svg.opening(width, height, left, "Latency per request in µs (log scale): p50 solid, p99 light")
parts += svg.decade_lines(lo, hi, y, left, width - 20)
group_w = plot_w / max(1, len(points))
for i, point in enumerate(points):
    present = [s for s in servers if (point, s) in by]
    bar_w = group_w * 0.8 / max(1, len(present))
    for j, server in enumerate(present):
        x = left + i * group_w + group_w * 0.1 + j * bar_w
        for field, opacity in (("p99_us", 0.35), ("p50_us", 1.0)):
            v = med((point, server), field)
            parts.append(
                f'<rect x="{x:.1f}" y="{y(v):.1f}" width="{bar_w * 0.9:.1f}" height="{top + plot_h - y(v):.1f}" '
                f'fill="{colors[server]}" fill-opacity="{opacity}"><title>{point} {server} {field[:3]} {v:.0f} µs</title></rect>'
            )
    parts.append(f'<text x="{left + i * group_w + group_w / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle">{point}</text>')
svg.write(svg_path, parts + svg.legend(servers, colors, left, height - 12, 138))
