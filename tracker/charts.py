"""The geometry of server-drawn SVG charts; templates/_macros/charts.html draws them.

Charts need no JavaScript and no stylesheet: every colour, line and font is an SVG attribute,
so a chart looks the same on screen, on paper and in a PDF. Every text goes through Jinja and
is escaped. Each chart is an image with a title and a description that sums it up in words,
and the macros put a GOV.UK table of the same figures after it, since a picture alone does
not serve everyone.

The API other domains use (keep it stable):

    line_chart(title, unit, points, baseline=None, target=None, milestones=(), lower_is_better=True,
               chart_id=None) -> LineChart
        points      [(date, value)]: the readings, in any order
        baseline    (date, value) or None
        target      (date, value), or (None, value) for a target without a date, or None
        milestones  [(date, value)] or [(date, value, label)]
        unit        "weeks", "days", "%", "count" or any plural noun
        The dashed "expected path" runs from the baseline through the milestones to the
        target when both the baseline and the target have dates.

    bar_chart(title, bars, description="", scale="percent", chart_id=None) -> BarChart
        bars        [(label, count, base)]: a horizontal bar per answer, "32 of 39 (82%)".
                    `base` is how many were asked (the denominator). With scale="percent"
                    (the default) each bar is count / base, so bars with different bases
                    compare fairly, and every base must be above 0; with scale="count" the
                    bars are the counts themselves and `base` may be None.
        description a sentence put before the figures in the chart's description

    In a template:
        {% from "_macros/charts.html" import line_chart, bar_chart %}
        {{ line_chart(chart) }}                      the SVG, then the table of its figures
        {{ bar_chart(chart, table=False) }}          only when the page already has that table
        {{ bar_chart(chart, caption="Answers") }}    the table's caption (the chart's title by default)

    Both objects carry `rows` (the table's rows, as strings) and `empty` (nothing to draw).
"""

import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from tracker.dates import format_date, today
from tracker.templating import format_number

# GOV.UK Frontend colours; each line and mark has at least 3:1 contrast with white, each text 4.5:1
COLOURS = {
    "text": "#0b0c0c",  # black
    "secondary": "#505a5f",  # dark grey
    "grid": "#b1b4b6",  # mid grey, only for the guide lines behind the data
    "readings": "#1d70b8",  # blue
    "target": "#00703c",  # green
    "milestone": "#4c2c92",  # purple
    "background": "#ffffff",
}
FONT = "Arial, Helvetica, sans-serif"
CHAR_WIDTH = 7.2  # a generous average width of a 13px Arial character, for laying out labels


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Mark:
    x: float | None  # None for a target without a date: only its line is drawn
    y: float
    text: str  # what the mark says in full, for its tooltip: "30 September 2026: 40 weeks"
    label: str = ""  # the short value printed beside it: "40"


@dataclass(frozen=True)
class LegendItem:
    kind: str  # readings, path, target, baseline, milestone
    x: float
    label: str


@dataclass
class LineChart:
    id: str
    title: str
    description: str
    unit: str
    width: int
    height: int
    plot: Box
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    readings: list[Mark]
    line: str  # the readings as SVG polyline points
    baseline: Mark | None
    target: Mark | None
    milestones: list[Mark]
    path: str  # the expected path as polyline points, or ""
    legend: list[LegendItem]
    legend_y: float
    rows: list[tuple[str, str, str]]  # date, figure, value
    show_values: bool
    colours: dict = field(default_factory=lambda: dict(COLOURS))
    font: str = FONT

    @property
    def empty(self) -> bool:
        return not self.readings and self.baseline is None and self.target is None


@dataclass(frozen=True)
class Bar:
    lines: list[str]  # the label, wrapped
    label_y: float  # baseline of the label's first line
    y: float
    height: float
    width: float
    text: str  # "32 of 39 (82%)"
    text_x: float


@dataclass
class BarChart:
    id: str
    title: str
    description: str
    scale: str
    width: int
    height: int
    plot: Box
    ticks: list[Tick]
    bars: list[Bar]
    rows: list[tuple[str, str, str, str]]  # label, count, base, percent
    colours: dict = field(default_factory=lambda: dict(COLOURS))
    font: str = FONT

    @property
    def empty(self) -> bool:
        return not self.bars


def make_id(title: str, given: str | None = None) -> str:
    """The id the SVG's title and description hang on; pass your own when two charts share a title."""
    return given or "chart-" + (re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "figure")


def value_text(value: float, unit: str) -> str:
    """40 weeks, 1 week, 82%, 12 (a count): as the status sentences say it."""
    number = format_number(value)
    if unit == "%":
        return f"{number}%"
    if unit in ("count", ""):
        return number
    return f"{number} {unit[:-1] if value == 1 and unit.endswith('s') else unit}"


def percent(count: float, base: float) -> int:
    """Whole percent, halves rounded up, as the survey pages state them: 32 of 39 is 82%."""
    return math.floor(count * 100 / base + 0.5)


# Scales -----------------------------------------------------------------------------------


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` intervals."""
    raw = span / ticks if span > 0 else 1
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if multiple * magnitude >= raw:
            return multiple * magnitude
    return 10 * magnitude


def value_ticks(low: float, high: float) -> tuple[float, float, list[float]]:
    """The axis's range and round tick values covering every value."""
    if low == high:
        low, high = (0, 1) if low == 0 else (low - abs(low) * 0.1, high + abs(high) * 0.1)
    step = nice_step(high - low)
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    count = round((end - start) / step)
    return start, end, [round(start + i * step, 10) for i in range(count + 1)]


MONTH_STEPS = (1, 2, 3, 4, 6, 12, 24, 36, 60, 120)


def date_ticks(first: date, last: date, most: int = 6) -> list[date]:
    """First days of months, evenly spaced (quarters start in January, April, July, October)."""
    for step in MONTH_STEPS:
        months = []
        year, month = first.year, first.month
        if first.day != 1:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        while date(year, month, 1) <= last:
            if (month - 1) % min(step, 12) == 0 and (step <= 12 or year % (step // 12) == 0):
                months.append(date(year, month, 1))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        if len(months) <= most:
            return months if len(months) >= 2 else [first, last] if first != last else [first]
    return [first, last]


def _scale(low: float, high: float, out_low: float, out_high: float):
    span = high - low
    return lambda value: round(out_low + (value - low) * (out_high - out_low) / span, 1)


# Line chart -------------------------------------------------------------------------------


LINE_WIDTH, LINE_HEIGHT = 640, 320
LINE_PLOT = Box(64, 36, LINE_WIDTH - 36, 236)


def _inputs(points, baseline, target, milestones):
    """The figures in date order, as floats; a baseline needs both parts, a target its value."""
    readings = sorted(((day, float(value)) for day, value in points), key=lambda pair: pair[0])
    stones = sorted(((m[0], float(m[1]), m[2] if len(m) > 2 else "") for m in milestones), key=lambda m: m[0])
    baseline = (
        (baseline[0], float(baseline[1])) if baseline and baseline[0] and baseline[1] is not None else None
    )
    target = (target[0], float(target[1])) if target and target[1] is not None else None
    return readings, stones, baseline, target


def _axes(readings, stones, baseline, target, unit):
    """The functions from a date and a value to x and y, and the labelled ticks of both axes."""
    dates = (
        [d for d, _ in readings] + [m[0] for m in stones] + [p[0] for p in (baseline, target) if p and p[0]]
    )
    values = [v for _, v in readings] + [m[1] for m in stones] + [p[1] for p in (baseline, target) if p]
    first, last = (min(dates), max(dates)) if dates else (today(), today())
    if first == last:
        first, last = first - timedelta(days=15), last + timedelta(days=15)
    x_of_day = _scale(0, (last - first).days, LINE_PLOT.left, LINE_PLOT.right)
    low, high, y_values = value_ticks(min(values), max(values))
    y = _scale(low, high, LINE_PLOT.bottom, LINE_PLOT.top)

    def x(day: date) -> float:
        return x_of_day((day - first).days)

    x_ticks = [Tick(x(day), _month_label(day)) for day in date_ticks(first, last)]
    y_ticks = [Tick(y(value), value_text(value, "%" if unit == "%" else "")) for value in y_values]
    return x, y, x_ticks, y_ticks


def line_chart(
    title: str,
    unit: str,
    points: Sequence[tuple[date, float]],
    baseline: tuple | None = None,
    target: tuple | None = None,
    milestones: Sequence[tuple] = (),
    lower_is_better: bool = True,
    chart_id: str | None = None,
) -> LineChart:
    """Readings over time against the baseline, milestones, target and the path between them."""
    readings, stones, baseline, target = _inputs(points, baseline, target, milestones)
    chart = LineChart(
        id=make_id(title, chart_id),
        title=title,
        unit=unit,
        width=LINE_WIDTH,
        height=LINE_HEIGHT,
        plot=LINE_PLOT,
        description=_line_description(title, unit, readings, baseline, target, stones, lower_is_better),
        rows=_line_rows(unit, readings, baseline, target, stones),
        x_ticks=[],
        y_ticks=[],
        readings=[],
        line="",
        baseline=None,
        target=None,
        milestones=[],
        path="",
        legend=[],
        legend_y=LINE_PLOT.bottom + 56,
        show_values=len(readings) <= 12,
    )
    if not (readings or stones or baseline or target):
        return chart
    x, y, chart.x_ticks, chart.y_ticks = _axes(readings, stones, baseline, target, unit)
    short = "%" if unit == "%" else ""
    chart.readings = [
        Mark(x(d), y(v), f"{format_date(d)}: {value_text(v, unit)}", value_text(v, short))
        for d, v in readings
    ]
    chart.line = " ".join(f"{mark.x},{mark.y}" for mark in chart.readings)
    if baseline:
        chart.baseline = Mark(
            x(baseline[0]),
            y(baseline[1]),
            f"Baseline: {value_text(baseline[1], unit)} on {format_date(baseline[0])}",
        )
    if target:
        by = f" by {format_date(target[0])}" if target[0] else ""
        chart.target = Mark(
            x(target[0]) if target[0] else None, y(target[1]), f"Target: {value_text(target[1], unit)}{by}"
        )
    chart.milestones = [
        Mark(
            x(d), y(v), f"Milestone{': ' + label if label else ''}: {value_text(v, unit)} by {format_date(d)}"
        )
        for d, v, label in stones
    ]
    if baseline and target and target[0]:
        route = sorted([baseline, *((d, v) for d, v, _ in stones), target])
        chart.path = " ".join(f"{x(d)},{y(v)}" for d, v in route)
    chart.legend = _legend(chart.readings, chart.path, chart.target, chart.baseline, chart.milestones)
    return chart


def _month_label(day: date) -> str:
    """Mar 2026 for the first of a month; 15 Mar 2026 for the ends of a short range."""
    if day.day != 1:
        return f"{day.day} {day:%b %Y}"
    return f"{day:%b %Y}"


def _legend(readings, path, target, baseline, milestones) -> list[LegendItem]:
    wanted = [
        ("readings", "Readings", bool(readings)),
        ("path", "Expected path", bool(path)),
        ("target", "Target", target is not None),
        ("baseline", "Baseline", baseline is not None),
        ("milestone", "Milestone", bool(milestones)),
    ]
    items, x = [], 64.0
    for kind, label, shown in wanted:
        if shown:
            items.append(LegendItem(kind, round(x, 1), label))
            x += 30 + len(label) * CHAR_WIDTH + 18
    return items


def _line_rows(unit, readings, baseline, target, stones) -> list[tuple[str, str, str]]:
    rows = []
    if baseline:
        rows.append((baseline[0], 0, "Baseline", baseline[1]))
    rows += [(d, 1, "Reading", v) for d, v in readings]
    rows += [(d, 2, f"Milestone: {label}" if label else "Milestone", v) for d, v, label in stones]
    if target and target[0]:
        rows.append((target[0], 3, "Target", target[1]))
    rows.sort(key=lambda row: (row[0], row[1]))
    table = [(format_date(d), figure, value_text(v, unit)) for d, _, figure, v in rows]
    if target and not target[0]:
        table.append(("No date set", "Target", value_text(target[1], unit)))
    return table


def _line_description(title, unit, readings, baseline, target, stones, lower_is_better) -> str:
    words = [
        f"{title}, in {'percent' if unit == '%' else unit}; {'lower' if lower_is_better else 'higher'} "
        "is better."
    ]
    if readings:
        (first_on, first_value), (last_on, last_value) = readings[0], readings[-1]
        if len(readings) == 1:
            words.append(f"One reading: {value_text(last_value, unit)} on {format_date(last_on)}.")
        else:
            words.append(
                f"{len(readings)} readings from {format_date(first_on)} to {format_date(last_on)}, "
                f"from {value_text(first_value, unit)} to {value_text(last_value, unit)}."
            )
    else:
        words.append("No readings yet.")
    if baseline:
        words.append(f"Baseline {value_text(baseline[1], unit)} on {format_date(baseline[0])}.")
    for day, value, label in stones:
        words.append(
            f"Milestone{' ' + label if label else ''}: {value_text(value, unit)} by {format_date(day)}."
        )
    if target:
        by = f" by {format_date(target[0])}" if target[0] else ""
        words.append(f"Target {value_text(target[1], unit)}{by}.")
    return " ".join(words)


# Bar chart --------------------------------------------------------------------------------


def bar_chart(
    title: str,
    bars: Sequence[tuple[str, float, float | None]],
    description: str = "",
    scale: str = "percent",
    chart_id: str | None = None,
) -> BarChart:
    """Horizontal bars, one per answer, each labelled with its count, its base and its percentage."""
    if scale not in ("percent", "count"):
        raise ValueError("scale is 'percent' or 'count'")
    if scale == "percent" and any(not base or base <= 0 for _, _, base in bars):
        raise ValueError("every bar needs a base above 0 to be shown as a percentage")
    width, label_gap, bar_height, row_gap = 640, 18, 22, 14
    plot_left, plot_right = 8, width - 150
    top: float
    ticks_at: list[float]
    if scale == "percent":
        top, ticks_at = 100, [0, 25, 50, 75, 100]
    else:
        _, top, ticks_at = value_ticks(0, max([count for _, count, _ in bars] or [1]) or 1)
    length = _scale(0, top, plot_left, plot_right)

    drawn, rows, y = [], [], 12.0
    for label, count, base in bars:
        lines = textwrap.wrap(str(label), 80) or [""]
        share = percent(count, base) if base else None
        text = f"{format_number(count)} of {format_number(base)} ({share}%)" if base else format_number(count)
        bar_y = y + len(lines) * label_gap
        # a count above its base (a data error) stops at the axis's end; its words still say the figure
        bar_width = round(
            min(max(length(share if scale == "percent" else count) - plot_left, 0), plot_right - plot_left), 1
        )
        drawn.append(Bar(lines, y + 13, bar_y, bar_height, bar_width, text, plot_left + bar_width + 8))
        rows.append(
            (
                str(label),
                format_number(count),
                format_number(base) if base else "",
                f"{share}%" if base else "",
            )
        )
        y = bar_y + bar_height + row_gap
    plot = Box(plot_left, 4, plot_right, y)
    ticks = [
        Tick(length(value), f"{format_number(value)}%" if scale == "percent" else format_number(value))
        for value in ticks_at
    ]
    summary = "; ".join(f"{label}: {bar.text}" for (label, _, _), bar in zip(bars, drawn))
    words = " ".join(
        part for part in (description.strip(), f"{summary}." if summary else "No answers yet.") if part
    )
    return BarChart(
        id=make_id(title, chart_id),
        title=title,
        description=words,
        scale=scale,
        width=width,
        height=int(y + 28),
        plot=plot,
        ticks=ticks,
        bars=drawn,
        rows=rows,
    )
