"""The plain-SVG pieces bench/report.py's latency.svg and bench/curves.py's cost plots share:
the opening with a title, log-scale grid lines with their labels, the legend, the file."""
import math


def log_range(values):
    """The decades enclosing `values` (all > 0): (lo, hi)."""
    return 10 ** math.floor(math.log10(min(values))), 10 ** math.ceil(math.log10(max(values)))


def opening(width, height, left, title):
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="18" font-size="14">{title}</text>',
    ]


def decade_lines(lo, hi, y, x1, x2):
    """A grid line and label at each decade from `lo` to `hi`; `y` maps a value to its row."""
    parts, decade = [], lo
    while decade <= hi:
        parts.append(
            f'<line x1="{x1}" x2="{x2}" y1="{y(decade):.1f}" y2="{y(decade):.1f}" stroke="#dde2e7"/>'
            f'<text x="{x1 - 6}" y="{y(decade) + 4:.1f}" text-anchor="end">{decade:g}</text>'
        )
        decade *= 10
    return parts


def legend(servers, colors, left, bottom, step):
    """A colour swatch and name per server in a row whose baseline is `bottom`."""
    return [
        f'<rect x="{left + k * step}" y="{bottom - 10}" width="12" height="12" fill="{colors[server]}"/>'
        f'<text x="{left + k * step + 18}" y="{bottom}">{server}</text>'
        for k, server in enumerate(servers)
    ]


def write(path, parts):
    with open(path, "w") as out:
        out.write("\n".join(parts + ["</svg>"]))
