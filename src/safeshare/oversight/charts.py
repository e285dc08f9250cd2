"""Server-rendered SVG charts of published tables: no scripts, no styles, only figures that
already passed disclosure control. A withheld figure is drawn as a labelled gap, never as a
bar, so a chart shows nothing its table does not.

Each chart names itself (`role="img"`, `<title>`, `<desc>` holding the table's summary); the
table beside it carries the same figures for anyone who cannot see the chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from safeshare.oversight.presentation import StatTable

WIDTH = 600
LABEL_WIDTH = 230
BAR_HEIGHT = 20
ROW_GAP = 10
FONT = "Arial, Helvetica, sans-serif"
BLUE = "#1d70b8"
TEXT = "#0b0c0c"
GREY = "#505a5f"
RULE = "#b1b4b6"
MAX_LABEL = 30


@dataclass(frozen=True)
class Bar:
    """One mark: its label, value (None when withheld or blank) and the text shown by it."""

    label: str
    value: float | None
    text: str


def bars(table: StatTable) -> list[Bar]:
    """The marks a table's chart draws, from its published figures only."""
    if table.chart is None:
        return []
    index = table.column_index(table.chart.column)
    found = []
    for row in table.body_rows:
        figure = row.figures[index]
        if figure.is_withheld:
            text = "withheld [c]"
        elif figure.value is None:
            text = f"none {figure.label}"
        else:
            text = figure.display
        found.append(Bar(row.heading, figure.value, text))
    return found


def short_label(text: str, limit: int = MAX_LABEL) -> str:
    """A label cut to fit beside a bar; the full label is in the table."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(
    x: float, y: float, content: str, *, anchor: str = "start", fill: str = TEXT, size: int = 14
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'fill="{fill}" text-anchor="{anchor}">{escape(content)}</text>'
    )


def _frame(table: StatTable, height: int, body: list[str]) -> str:
    key = escape(table.key)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-oversight-chart" role="img" '
        f'width="100%" viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="chart-{key}-title chart-{key}-desc">'
        f'<title id="chart-{key}-title">{escape(table.title)}</title>'
        f'<desc id="chart-{key}-desc">{escape(table.summary)}</desc>' + "".join(body) + "</svg>"
    )


def _horizontal(table: StatTable, marks: list[Bar], *, is_rate: bool) -> str:
    top = 24 if is_rate else 8
    plot = WIDTH - LABEL_WIDTH - 90
    scale_max = 1.0 if is_rate else max((m.value or 0.0) for m in marks) or 1.0
    body: list[str] = []
    height = top + len(marks) * (BAR_HEIGHT + ROW_GAP) + 8
    if is_rate:
        for fraction in (0.0, 0.5, 1.0):
            x = LABEL_WIDTH + plot * fraction
            body.append(
                f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 4}" '
                f'stroke="{RULE}" stroke-width="1"/>'
            )
            body.append(
                _text(x, top - 10, f"{round(fraction * 100)}%", anchor="middle", fill=GREY, size=12)
            )
    for i, mark in enumerate(marks):
        y = top + i * (BAR_HEIGHT + ROW_GAP)
        middle = y + BAR_HEIGHT / 2 + 5
        body.append(_text(LABEL_WIDTH - 8, middle, short_label(mark.label), anchor="end"))
        if mark.value is None:
            body.append(_text(LABEL_WIDTH + 4, middle, mark.text, fill=GREY))
            continue
        width = plot * (mark.value / scale_max)
        if width > 0:
            body.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" '
                f'height="{BAR_HEIGHT}" fill="{BLUE}"/>'
            )
        body.append(_text(LABEL_WIDTH + width + 6, middle, mark.text))
    body.append(
        f'<line x1="{LABEL_WIDTH}" y1="{top - 2}" x2="{LABEL_WIDTH}" y2="{height - 4}" '
        f'stroke="{TEXT}" stroke-width="1"/>'
    )
    return _frame(table, height, body)


def _columns(table: StatTable, marks: list[Bar]) -> str:
    left, right, top, bottom = 50, 10, 24, 44
    height = 260
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    scale_max = max((m.value or 0.0) for m in marks) or 1.0
    slot = plot_w / max(len(marks), 1)
    width = min(slot * 0.7, 48)
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - right}" y2="{top + plot_h}" '
        f'stroke="{TEXT}" stroke-width="1"/>',
        _text(left - 6, top + plot_h + 4, "0", anchor="end", fill=GREY, size=12),
        f'<line x1="{left}" y1="{top}" x2="{WIDTH - right}" y2="{top}" '
        f'stroke="{RULE}" stroke-width="1"/>',
        _text(left - 6, top + 4, f"{int(scale_max):,}", anchor="end", fill=GREY, size=12),
    ]
    every = max(1, round(len(marks) / 12))
    for i, mark in enumerate(marks):
        x = left + slot * i + (slot - width) / 2
        centre = x + width / 2
        if mark.value is None:
            body.append(_text(centre, top + plot_h - 6, "[c]", anchor="middle", fill=GREY, size=12))
        elif mark.value > 0:
            bar_h = plot_h * (mark.value / scale_max)
            body.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{width:.1f}" '
                f'height="{bar_h:.1f}" fill="{BLUE}"/>'
            )
        if i % every == 0:
            month, _, year = mark.label.partition(" ")
            body.append(_text(centre, top + plot_h + 18, month[:3], anchor="middle", size=12))
            if i == 0 or month == "January":
                body.append(
                    _text(centre, top + plot_h + 34, year, anchor="middle", fill=GREY, size=12)
                )
    return _frame(table, height, body)


def render_svg(table: StatTable) -> str:
    """The table's chart as standalone SVG markup, or "" if it has none."""
    marks = bars(table)
    if table.chart is None or not marks:
        return ""
    if table.chart.kind == "columns":
        return _columns(table, marks)
    return _horizontal(table, marks, is_rate=table.chart.kind == "rate")
