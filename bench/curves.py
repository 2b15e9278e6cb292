"""The cost curves of one bench/run.sh run, for bench/report.py: server CPU per request by
message size (Echo with 1 to 1,000 items at 16 connections, points items-N) and by concurrent
connections (GetItem at 1, 16, 256 and 1,024 connections: points small-cN, and the small point
for 16), for Soapstone in its default configuration and gSOAP in both its modes. Writes
cost-by-size.svg and cost-by-connections.svg (log-log line plots, plain SVG) and returns the
report's Markdown section with the figures they plot.
"""
import math

import svg

SERVERS = ("soapstone-logged", "gsoap", "gsoap-threaded")
CONNECTIONS = (1, 16, 256, 1024)


def is_curve_point(point):
    """A point that only the curves show (items-N, small-cN); the small point is also a size."""
    return point.startswith("items-") or point.startswith("small-c")


def size_points(by):
    """(item count, point) of the cost-by-size points present, fewest items first."""
    counts = {int(point[len("items-"):]) for point, _ in by if point.startswith("items-")}
    return [(n, f"items-{n}") for n in sorted(counts)]


def connection_points(by):
    """(connections, point) of the cost-by-connections points present."""
    named = [(c, "small" if c == 16 else f"small-c{c}") for c in CONNECTIONS]
    return [(c, point) for c, point in named if any((point, s) in by for s in SERVERS)]


def plot(path, title, xlabel, xs, series, colors):
    """A log-log line plot: `xs` the x values, `series` {server: [y or None per x]}."""
    width, height, left, right, top, bottom = 640, 380, 70, 34, 34, 70
    plot_w, plot_h = width - left - right, height - top - bottom
    lo, hi = svg.log_range([v for values in series.values() for v in values if v])
    x_lo, x_hi = math.log10(xs[0]), math.log10(xs[-1])

    def px(x):
        return left + (math.log10(x) - x_lo) / ((x_hi - x_lo) or 1) * plot_w

    def py(v):
        return top + plot_h - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * plot_h

    parts = svg.opening(width, height, left, title) + svg.decade_lines(lo, hi, py, left, width - right)
    for x in xs:
        parts.append(
            f'<line x1="{px(x):.1f}" x2="{px(x):.1f}" y1="{top}" y2="{top + plot_h}" stroke="#eef1f4"/>'
            f'<text x="{px(x):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{x:,}</text>'
        )
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h + 34}" text-anchor="middle">{xlabel}</text>')
    for server, values in series.items():
        dots = [(px(x), py(v), x, v) for x, v in zip(xs, values) if v]
        if len(dots) > 1:
            path_d = " ".join(f"{'M' if i == 0 else 'L'}{a:.1f},{b:.1f}" for i, (a, b, _, _) in enumerate(dots))
            parts.append(f'<path d="{path_d}" fill="none" stroke="{colors[server]}" stroke-width="2"/>')
        for a, b, x, v in dots:
            parts.append(
                f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3.5" fill="{colors[server]}"><title>{server} at {x:,}: {v:,.1f} µs</title></circle>'
            )
    svg.write(path, parts + svg.legend(series, colors, left, height - 10, 170))


def table(label, xs_points, by, med):
    """The figures of one curve: per x, each server's CPU per request and req/s."""
    head = f"| {label} | request bytes | " + " | ".join(f"{s} CPU / request" for s in SERVERS)
    head += " | " + " | ".join(f"{s} req/s" for s in SERVERS) + " | errors (" + ", ".join(SERVERS) + ") |"
    lines = [head, "|" + "---:|" * (3 + 2 * len(SERVERS))]
    for x, point in xs_points:
        keys = [(point, s) for s in SERVERS]
        size = next((by[k][0]["request_bytes"] for k in keys if k in by), "")
        cpu = [f"{med(k, 'cpu_us_per_request'):,.1f} µs" if k in by else "not measured" for k in keys]
        rps = [f"{med(k, 'rps'):,.0f}" if k in by else "" for k in keys]
        errors = [str(sum(int(r["errors"]) for r in by[k])) if k in by else "" for k in keys]
        lines.append(f"| {x:,} | {size} | " + " | ".join(cpu) + " | " + " | ".join(rps) + " | " + ", ".join(errors) + " |")
    return "\n".join(lines)


def section(by, med, out_dir, colors):
    """Writes the two plots into `out_dir` and returns the report's section (Markdown)."""
    curves = (
        ("cost-by-size.svg", "items", "items in the Echo message, 16 connections", size_points(by)),
        ("cost-by-connections.svg", "connections", "concurrent connections, GetItem (0.5 KB)", connection_points(by)),
    )
    parts = []
    for name, label, xlabel, xs_points in curves:
        if len(xs_points) < 2:
            parts.append(f"Cost by {label}: not measured in this run.")
            continue
        xs = [x for x, _ in xs_points]
        series = {
            s: [med((point, s), "cpu_us_per_request") if (point, s) in by else None for _, point in xs_points]
            for s in SERVERS
        }
        plot(f"{out_dir}/{name}", "Server CPU per request in µs (log scale)", xlabel, xs, series, colors)
        parts.append(f"{table(label, xs_points, by, med)}\n\n![cost by {label}]({name})")
    return "\n\n".join(parts)
