#!/usr/bin/env python3
"""Turns bench/results.csv into bench/REPORT.md (table, PostgreSQL table, targets, machine,
command) and bench/latency.svg (p50 and p99 latency per point and server on SQLite and the
ceilings, log scale). Run by bench/run.sh.

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

results, report, svg_path, command = sys.argv[1:5]
all_rows = list(csv.DictReader(open(results)))
pg_servers = {"pg-1node": 1, "pg-2nodes": 2}
rows = [r for r in all_rows if r["server"] not in pg_servers]
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
servers = ["ceiling", "quickxml", "soapstone", "soapstone-logged"]


def med(key, field):
    values = [float(r[field]) for r in by[key]]
    return statistics.median(values) if values else float("nan")


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
    "| point | nodes | req/s (median) | req/s spread | p50 | p99 | node CPU / request | PostgreSQL CPU / request | peak RSS per node | errors |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
]
for point in pg_points:
    for server in pg_servers:
        key = (point, server)
        if key not in by:
            continue
        c = summary(key)
        pg_lines.append(
            f"| {point} | {pg_servers[server]} | {c['rps']} | {c['spread']} | {c['p50']} | {c['p99']} | "
            f"{med(key, 'cpu_us_per_request'):.1f} µs | {med(key, 'pg_cpu_us_per_request'):.1f} µs | {c['rss']} | {c['errors']} |"
        )


def share_target(point, other, share):
    if (point, "soapstone") not in by or (point, other) not in by:
        return f"- {point}: not measured"
    r = med((point, "soapstone"), "rps") / med((point, other), "rps")
    return f"- {point}: Soapstone reaches {r:.0%} of {other} (target ≥ {share:.0%}): {'met' if r >= share else 'NOT met'}"


targets = [
    share_target("small", "ceiling", 0.85),
    share_target("medium", "quickxml", 0.75),
    share_target("large", "quickxml", 0.75),
]
if ("small", "soapstone-logged") in by and ("small", "ceiling") in by:
    logged = med(("small", "soapstone-logged"), "rps")
    r = logged / med(("small", "ceiling"), "rps")
    cost = 1 - logged / med(("small", "soapstone"), "rps")
    targets.append(
        f"- small with the default configuration (access lines on): {r:.0%} of ceiling (target ≥ 85%): "
        f"{'met' if r >= 0.85 else 'NOT met'}; the access lines cost {cost:.0%} of the req/s without them"
    )
for point in ("small", "medium", "large"):
    if (point, "soapstone") in by and (point, "ceiling") in by:
        r = med((point, "soapstone"), "p99_us") / med((point, "ceiling"), "p99_us")
        targets.append(f"- {point}: p99 is {r:.1f}x the ceiling's (target ≤ 2x): {'met' if r <= 2 else 'NOT met'}")
for point in ("small", "medium"):
    if (point, "soapstone") in by:
        rss = max(float(r["peak_rss_kb"]) for r in by[(point, "soapstone")]) / 1024
        targets.append(f"- {point}: peak RSS {rss:.1f} MB (target ≤ 32 MB): {'met' if rss <= 32 else 'NOT met'}")
if ("large", "soapstone") in by:
    rss = max(float(r["peak_rss_kb"]) for r in by[("large", "soapstone")]) / 1024
    targets.append(f"- large: peak RSS {rss:.1f} MB with 4 requests of 1 MB in flight (target ≤ 4x the message size per request in flight, 16 MB plus the idle baseline)")
errors = sum(int(r["errors"]) for r in all_rows)
targets.append(f"- errors and faults in all runs: {errors} (target 0): {'met' if errors == 0 else 'NOT met'}")
if any(t.endswith("NOT met") for t in targets):
    targets.append(
        "\nWhere the time goes for the targets not met: the perf profile in [PROFILE.md](PROFILE.md)"
        " (`bench/profile.sh`) and its analysis in [ANALYSIS.md](ANALYSIS.md)."
    )


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2") or platform.processor()
memory = sh("free -h | awk '/Mem:/ {print $2}'")
machine = f"{os.cpu_count()} cores ({cpu.strip()}), {memory} memory, Linux {platform.release()}, {sh('rustc --version')}, {sh('wrk -v 2>&1 | head -1')}"

doc = f"""# Soapstone benchmark report

Generated {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} by `{command}`.

Machine: {machine}.

Each server is pinned to core 0 and wrk (one thread) to core 1; the servers run interleaved
(ceiling, quick-xml loop and Soapstone for each size, Soapstone with access lines for small, then the UserService points, then the
PostgreSQL points with 1 and 2 nodes; the whole round is repeated), with 16 keep-alive connections (4 for large). Soapstone runs its release
build, except for soapstone-logged, with per-request access lines off (`RUST_LOG=info,soapstone::access=warn`). Figures are
medians over the repeats; the spread is the range of req/s. On a shared machine absolute
figures drift; compare the ratios, which come from the same run.

Servers: **ceiling** is a bare hyper server answering with a precomputed response of
Soapstone's size (the HTTP ceiling, `examples/bench_ceiling.rs`); **quickxml** is hyper plus a
quick-xml event loop and writer doing the same work with no typed structs, validation or
envelope checks (the practical ceiling, `examples/bench_quickxml.rs`); **soapstone** is the
server itself, on the same path as every service; **soapstone-logged** (small only) is the
same server in its default configuration, one access line per request written to a file
through the non-blocking log writer. Its row against soapstone's is what the access lines
cost; how much the non-blocking writer saved against writing each line from the worker
thread is measured in [LOGGING.md](LOGGING.md) (release builds before and after, interleaved).

Messages (the shared bench contract, `bench/gen.py`): small = GetItem (0.5 KB), medium = Echo
with 50 items (10 KB), large = Echo with 5,000 items (1 MB). GetUser reads one user from the
database through the read pool (users are not cached; product reads are); CreateUser writes a
new user per request through the group-commit writer with `synchronous=FULL`.

{chr(10).join(lines)}

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

## Targets

{chr(10).join(targets)}

![latency](latency.svg)
"""
with open(report, "w") as out:
    out.write(doc)

colors = {"ceiling": "#8a96a3", "quickxml": "#3f7fbf", "soapstone": "#d9822b", "soapstone-logged": "#a0522d"}
width, height, left, top, bottom = 900, 420, 70, 30, 60
plot_w, plot_h = width - left - 20, height - top - bottom
values = [float(r[f]) for r in rows for f in ("p50_us", "p99_us")]
lo = 10 ** math.floor(math.log10(max(1.0, min(values))))
hi = 10 ** math.ceil(math.log10(max(values)))


def y(v):
    span = math.log10(hi) - math.log10(lo)
    return top + plot_h - (math.log10(max(v, lo)) - math.log10(lo)) / span * plot_h


parts = [
    f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
    f'<rect width="{width}" height="{height}" fill="white"/>',
    f'<text x="{left}" y="18" font-size="14">Latency per request in µs (log scale): p50 solid, p99 light</text>',
]
decade = lo
while decade <= hi:
    parts.append(
        f'<line x1="{left}" x2="{width - 20}" y1="{y(decade):.1f}" y2="{y(decade):.1f}" stroke="#dde2e7"/>'
        f'<text x="{left - 6}" y="{y(decade) + 4:.1f}" text-anchor="end">{decade:g}</text>'
    )
    decade *= 10
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
for k, server in enumerate(servers):
    parts.append(
        f'<rect x="{left + k * 140}" y="{height - 22}" width="12" height="12" fill="{colors[server]}"/>'
        f'<text x="{left + k * 140 + 18}" y="{height - 12}">{server}</text>'
    )
parts.append("</svg>")
with open(svg_path, "w") as out:
    out.write("\n".join(parts))
