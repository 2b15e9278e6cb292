#!/usr/bin/env python3
"""Reads `cargo bench --bench codec` output on stdin and prints each decode group's medians,
the ratio of soapstone to the namespace-correct hand-written reference, and the ratio of the
generated decoders to the hand-written ones they replaced (both on the engine's path)."""
import re
import sys

UNITS = {"ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}
name = None
medians = {}
for line in sys.stdin:
    line = line.rstrip("\n")
    m = re.match(r"^(\S.*?)\s*(time:\s*\[.*)?$", line)
    if line and not line.startswith(" ") and not line.startswith("Benchmarking"):
        name = line.split("time:")[0].strip()
    t = re.search(r"time:\s*\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
    if t and name:
        medians[name] = float(t.group(1)) * UNITS[t.group(2)]
for size in ("small", "medium", "large"):
    group = {k.split("/", 1)[1]: v for k, v in medians.items() if k.startswith(f"decode {size}/")}
    if not group:
        continue
    ref = group.get("hand-written quick-xml (namespaces)")
    ours = group.get("soapstone")
    cells = ", ".join(f"{k} {v:.2f} us" for k, v in group.items())
    before = group.get("soapstone, hand-written decoders")
    ratio = f"{ours / ref:.2f}x" if ref and ours else "?"
    generated = f"{ours / before:.2f}x" if before and ours else "?"
    print(
        f"decode {size}: {cells}; soapstone / namespace-correct hand-written = {ratio}; "
        f"generated / hand-written decoders = {generated}"
    )
