"""Bar charts drawn on the server as SVG: no script, print cleanly, scale to a phone's width.

Each bar's label sits above it so the bars can use the whole width. The chart is an image with a
title and a text alternative listing every value; the same figures are in the table under it.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from webapp.dashboard_tables import Chart

WIDTH = 400
LABEL = 18  # height of a label line
BAR = 14
GAP = 12  # between one point and the next
ROOM_FOR_VALUE = 56
COLOURS = ("#1d70b8", "#f47738")  # GOV.UK blue and orange; the legend names them
LONGEST_LABEL = 56


def bar_chart(chart: Chart, title: str, chart_id: str) -> Markup:
    if not chart.points or not any(v for _, values in chart.points for v in values):
        return Markup('<p class="chart-empty">No cases to chart for this period.</p>')
    top = LABEL + 6 if len(chart.series) > 1 else 0
    step = LABEL + BAR * len(chart.series) + GAP
    height = top + step * len(chart.points)
    largest = max(v for _, values in chart.points for v in values) or 1
    scale = (WIDTH - ROOM_FOR_VALUE) / largest
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"'
        f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_description(chart))}</desc>',
    ]
    if len(chart.series) > 1:
        parts.append(_legend(chart.series))
    for index, (label, values) in enumerate(chart.points):
        y = top + index * step
        parts.append(f'<text class="chart__label" x="0" y="{y + LABEL - 5}">{escape(_short(label))}</text>')
        for n, value in enumerate(values):
            bar_y = y + LABEL + n * BAR
            length = max(round(value * scale, 1), 1 if value else 0)
            colour = COLOURS[n % len(COLOURS)]
            parts.append(
                f'<rect x="0" y="{bar_y}" width="{length}" height="{BAR - 2}" fill="{colour}"></rect>'
                f'<text class="chart__value" x="{length + 4}" y="{bar_y + BAR - 4}">'
                f"{escape(_number(value))}{escape(chart.unit)}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(series: tuple[str, ...]) -> str:
    items = []
    x = 0
    for n, name in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        items.append(
            f'<rect x="{x}" y="2" width="12" height="12" fill="{colour}"></rect>'
            f'<text class="chart__label" x="{x + 16}" y="13">{escape(name)}</text>'
        )
        x += 24 + 8 * len(name)
    return "<g>" + "".join(items) + "</g>"


def _description(chart: Chart) -> str:
    def one(label: str, values: tuple[float, ...]) -> str:
        if len(chart.series) == 1:
            return f"{label}: {_number(values[0])}{chart.unit}"
        pairs = ", ".join(f"{s} {_number(v)}{chart.unit}" for s, v in zip(chart.series, values, strict=True))
        return f"{label}: {pairs}"

    return "; ".join(one(label, values) for label, values in chart.points) + "."


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _short(label: str) -> str:
    return label if len(label) <= LONGEST_LABEL else label[: LONGEST_LABEL - 1] + "…"
