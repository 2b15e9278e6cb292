#!/usr/bin/env python3
"""Summarise `perf report --no-children --sort dso,symbol --stdio` output as Markdown: the
share of samples per component (kernel, allocator, each crate, each soapstone module) and the
hottest user-space symbols.

  perf_groups.py REPORT.txt TITLE [TOP]
"""
import collections
import re
import sys

LINE = re.compile(r"\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.*)")


def component(dso, symbol):
    if dso.startswith("[kernel"):
        return "kernel (TCP, syscalls, wake-ups)"
    if dso == "[vdso]":
        return "clock (vdso)"
    if dso.startswith("libc"):
        if re.search(r"malloc|free|realloc|_int_|unlink_chunk|consolidate", symbol):
            return "allocator (glibc malloc/free)"
        if re.search(r"mem(move|cpy|cmp|set)", symbol):
            return "memcpy/memcmp (glibc)"
        return "other glibc"
    parts = symbol.lstrip("<").split("::")
    if parts[0] == "soapstone" and len(parts) > 1:
        return f"soapstone::{parts[1]}"
    return parts[0].split(" ")[0]


def main():
    path, title = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    groups, symbols = collections.Counter(), collections.Counter()
    with open(path, encoding="utf-8", errors="replace") as report:
        for line in report:
            match = LINE.match(line)
            if not match:
                continue
            share, dso = float(match.group(1)), match.group(2)
            # perf pads the symbol column (and may add columns after it).
            symbol = re.split(r"\s{2,}", match.group(4).strip())[0]
            groups[component(dso, symbol)] += share
            if not dso.startswith("[kernel"):
                symbols[symbol] += share
    print(f"### {title}\n")
    print("| component | share of server CPU samples |\n|---|---:|")
    for name, share in groups.most_common():
        if share >= 0.3:
            print(f"| {name} | {share:.1f}% |")
    print(f"\nHottest user-space symbols (self time):\n")
    print("| symbol | self |\n|---|---:|")
    for name, share in symbols.most_common(top):
        print(f"| `{name[:120].replace('|', '/')}` | {share:.1f}% |")
    print()


main()
