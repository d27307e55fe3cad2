"""Chart geometry stays inside the picture, ticks are round and labelled,
and the drawn SVG is escaped and well formed."""

import math
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from flask import render_template_string

from tracker.charts import bar_chart, date_ticks, line_chart, nice_step, percent, value_ticks

SVG = "{http://www.w3.org/2000/svg}"
READINGS = [
    (date(2026, 9, 30), 40),
    (date(2025, 12, 31), 56),
    (date(2026, 3, 31), 50),
    (date(2026, 6, 30), 44),
]


def autism(**changes):
    args = dict(
        title="Longest wait for an autism assessment",
        unit="weeks",
        points=READINGS,
        baseline=(date(2025, 10, 31), 56),
        target=(date(2027, 3, 31), 18),
        milestones=[(date(2026, 12, 31), 30, "Half way")],
        lower_is_better=True,
    )
    args.update(changes)
    return line_chart(**args)


def inside(chart, x, y) -> bool:
    return 0 <= x <= chart.width and 0 <= y <= chart.height


def in_plot(chart, x, y) -> bool:
    plot = chart.plot
    return plot.left <= x <= plot.right and plot.top <= y <= plot.bottom


# Line charts -------------------------------------------------------------------------------------


def test_every_mark_sits_inside_the_plot_and_the_view_box():
    chart = autism()
    marks = chart.readings + chart.milestones + [chart.baseline, chart.target]
    assert all(in_plot(chart, mark.x, mark.y) and inside(chart, mark.x, mark.y) for mark in marks)
    assert 0 < chart.plot.left < chart.plot.right < chart.width
    assert 0 < chart.plot.top < chart.plot.bottom < chart.legend_y < chart.height


def test_readings_are_drawn_in_date_order_and_lower_values_sit_lower():
    chart = autism()
    xs = [mark.x for mark in chart.readings]
    assert xs == sorted(xs)
    assert [mark.text for mark in chart.readings][0] == "31 December 2025: 56 weeks"
    by_value = {mark.label: mark.y for mark in chart.readings}
    assert by_value["40"] > by_value["56"]  # SVG y grows downwards
    assert chart.line.split(" ")[0] == f"{chart.readings[0].x},{chart.readings[0].y}"


def test_the_first_and_last_dates_touch_the_plot_edges():
    chart = autism()
    assert chart.baseline.x == chart.plot.left  # 31 October 2025 is the earliest date
    assert chart.target.x == chart.plot.right  # 31 March 2027 the latest


def test_value_ticks_are_round_labelled_and_cover_every_figure():
    chart = autism()
    labels = [tick.label for tick in chart.y_ticks]
    assert labels == ["10", "20", "30", "40", "50", "60"]
    assert chart.y_ticks[0].position == chart.plot.bottom and chart.y_ticks[-1].position == chart.plot.top
    positions = [tick.position for tick in chart.y_ticks]
    assert positions == sorted(positions, reverse=True)


def test_date_ticks_fall_on_quarters_inside_the_plot():
    chart = autism()
    assert [tick.label for tick in chart.x_ticks] == [
        "Jan 2026",
        "Apr 2026",
        "Jul 2026",
        "Oct 2026",
        "Jan 2027",
    ]
    assert all(chart.plot.left <= tick.position <= chart.plot.right for tick in chart.x_ticks)


def test_the_expected_path_runs_from_baseline_through_milestones_to_target():
    chart = autism()
    corners = chart.path.split(" ")
    assert corners[0] == f"{chart.baseline.x},{chart.baseline.y}"
    assert corners[1] == f"{chart.milestones[0].x},{chart.milestones[0].y}"
    assert corners[-1] == f"{chart.target.x},{chart.target.y}"
    assert [item.label for item in chart.legend] == [
        "Readings",
        "Expected path",
        "Target",
        "Baseline",
        "Milestone",
    ]
    assert all(item.x + 30 + len(item.label) * 8 < chart.width for item in chart.legend)


def test_no_path_without_a_baseline_and_a_dated_target():
    chart = autism(baseline=None, target=(None, 18), milestones=[])
    assert chart.path == "" and chart.baseline is None
    assert chart.target.x is None and in_plot(chart, chart.plot.left, chart.target.y)
    assert chart.rows[-1] == ("No date set", "Target", "18 weeks")


def test_the_rows_hold_the_same_figures_as_the_chart_in_date_order():
    assert autism().rows == [
        ("31 October 2025", "Baseline", "56 weeks"),
        ("31 December 2025", "Reading", "56 weeks"),
        ("31 March 2026", "Reading", "50 weeks"),
        ("30 June 2026", "Reading", "44 weeks"),
        ("30 September 2026", "Reading", "40 weeks"),
        ("31 December 2026", "Milestone: Half way", "30 weeks"),
        ("31 March 2027", "Target", "18 weeks"),
    ]


def test_the_description_sums_the_chart_up_in_words():
    assert autism().description == (
        "Longest wait for an autism assessment, in weeks; lower is better. 4 readings from 31 December "
        "2025 to 30 September 2026, from 56 weeks to 40 weeks. Baseline 56 weeks on 31 October 2025. "
        "Milestone Half way: 30 weeks by 31 December 2026. Target 18 weeks by 31 March 2027."
    )


def test_one_reading_alone_still_has_room_and_ticks():
    chart = line_chart("Satisfaction", "%", [(date(2026, 5, 31), 82)], lower_is_better=False)
    mark = chart.readings[0]
    assert in_plot(chart, mark.x, mark.y) and chart.plot.left < mark.x < chart.plot.right
    assert len(chart.x_ticks) >= 1 and len(chart.y_ticks) >= 2
    assert chart.y_ticks[-1].label.endswith("%")
    assert "One reading: 82% on 31 May 2026" in chart.description and "higher is better" in chart.description


def test_nothing_to_draw_is_empty():
    chart = line_chart("EHC plans issued within 20 weeks", "%", [])
    assert chart.empty and chart.rows == []
    assert not line_chart("EHC plans", "%", [], target=(date(2027, 7, 31), 60)).empty


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2026, 1, 15), date(2026, 3, 20)),
        (date(2025, 10, 31), date(2027, 3, 31)),
        (date(2020, 1, 1), date(2030, 12, 31)),
        (date(2026, 5, 16), date(2026, 6, 15)),
    ],
)
def test_date_ticks_are_few_ordered_and_inside_the_range(first, last):
    ticks = date_ticks(first, last)
    assert 1 <= len(ticks) <= 6
    assert ticks == sorted(ticks) and first <= ticks[0] and ticks[-1] <= last


@pytest.mark.parametrize(("low", "high"), [(18, 56), (82, 90), (0, 0), (0.2, 0.9), (40, 40), (0, 1234)])
def test_value_ticks_cover_the_range_with_a_round_step(low, high):
    start, end, ticks = value_ticks(low, high)
    assert start <= low and end >= high and ticks[0] == start and ticks[-1] == end
    assert 2 <= len(ticks) <= 8
    step = round(ticks[1] - ticks[0], 10)
    assert round(step / 10 ** math.floor(math.log10(step)), 10) in {1, 2, 2.5, 5}
    assert all(round(b - a, 10) == step for a, b in zip(ticks, ticks[1:]))


def test_a_step_is_one_two_two_and_a_half_or_five_times_a_power_of_ten():
    assert [nice_step(span) for span in (38, 8, 0.7, 1234, 5)] == [10, 2, 0.2, 250, 1]


# Bar charts --------------------------------------------------------------------------------------


def satisfaction():
    return bar_chart(
        "How satisfied SENCOs were",
        [("Very satisfied", 32, 39), ("Satisfied", 6, 39), ("Not satisfied", 1, 39)],
        description="39 SENCO replies.",
    )


def test_bars_are_as_long_as_their_share_of_the_base():
    chart = satisfaction()
    full = chart.plot.right - chart.plot.left
    assert [bar.text for bar in chart.bars] == ["32 of 39 (82%)", "6 of 39 (15%)", "1 of 39 (3%)"]
    assert chart.bars[0].width == pytest.approx(full * 0.82, abs=0.1)
    assert chart.rows[0] == ("Very satisfied", "32", "39", "82%")
    assert chart.description == (
        "39 SENCO replies. Very satisfied: 32 of 39 (82%); Satisfied: 6 of 39 (15%); Not satisfied: "
        "1 of 39 (3%)."
    )


def test_bars_and_their_words_stay_inside_the_view_box():
    chart = bar_chart("Answers", [("A very long answer " * 12, 39, 39), ("None", 0, 39)])
    assert len(chart.bars[0].lines) > 1
    for bar in chart.bars:
        assert inside(chart, chart.plot.left + bar.width, bar.y + bar.height)
        assert bar.text_x + len(bar.text) * 8 <= chart.width
        assert all(len(line) * 7.5 < chart.width for line in bar.lines)
    assert [tick.label for tick in chart.ticks] == ["0%", "25%", "50%", "75%", "100%"]
    assert chart.bars[1].width == 0


def test_a_count_above_its_base_stays_inside_the_axis_but_says_its_figure():
    chart = bar_chart("Answers", [("Yes", 45, 39)])
    assert chart.plot.left + chart.bars[0].width == chart.plot.right
    assert chart.bars[0].text == "45 of 39 (115%)"


def test_percentages_round_halves_up_as_the_survey_pages_do():
    assert (percent(32, 39), percent(3, 22), percent(7, 22), percent(1, 8)) == (82, 14, 32, 13)


def test_a_count_scale_needs_no_base():
    chart = bar_chart(
        "Comments by theme", [("Waiting times", 12, None), ("Communication", 7, None)], scale="count"
    )
    assert chart.bars[0].width > chart.bars[1].width
    assert [bar.text for bar in chart.bars] == ["12", "7"]
    assert chart.ticks[-1].position == chart.plot.right


def test_a_percentage_needs_a_base_above_zero():
    with pytest.raises(ValueError):
        bar_chart("Answers", [("Yes", 3, 0)])
    with pytest.raises(ValueError):
        bar_chart("Answers", [("Yes", 3, 10)], scale="pie")


# Drawn by the macros -----------------------------------------------------------------------------


def draw(app, macro: str, chart, **options) -> str:
    with app.test_request_context():
        return render_template_string(
            '{% from "_macros/charts.html" import line_chart, bar_chart %}{{ '
            + macro
            + "(chart, **options) }}",
            chart=chart,
            options=options,
        )


def svg_of(html: str) -> ET.Element:
    return ET.fromstring(html[html.index("<svg") : html.index("</svg>") + 6])


def test_the_line_chart_is_an_image_named_by_its_title_and_description_with_a_table(app):
    html = draw(app, "line_chart", autism(chart_id="autism"))
    svg = svg_of(html)
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "autism-title autism-desc"
    assert svg.find(f"{SVG}title").text == "Longest wait for an autism assessment"
    assert svg.find(f"{SVG}desc").get("id") == "autism-desc"
    assert svg.get("viewBox") == "0 0 640 320"
    assert len(svg.findall(f"{SVG}circle")) >= 4
    assert any(line.get("stroke-dasharray") == "8 5" for line in svg.iter(f"{SVG}line"))  # the target
    assert '<table class="govuk-table' in html and "30 September 2026" in html[html.index("<table") :]


def test_every_colour_is_an_attribute_so_the_chart_needs_no_stylesheet(app):
    svg = svg_of(draw(app, "line_chart", autism()))
    assert (
        svg.get("class") == "app-chart"
    )  # its size only, from the stylesheet: the policy allows no style attribute
    for element in list(svg.iter())[1:]:
        assert element.get("class") is None
    assert {circle.get("fill") for circle in svg.iter(f"{SVG}circle")} <= {"#1d70b8", "#ffffff"}


def test_text_in_charts_is_escaped(app):
    html = draw(app, "line_chart", line_chart("<script>alert(1)</script>", "weeks", READINGS))
    assert "<script>" not in html and "&lt;script&gt;" in html
    html = draw(app, "bar_chart", bar_chart("Answers", [("<b>Yes</b>", 1, 2)]))
    assert "<b>" not in html and "&lt;b&gt;Yes&lt;/b&gt;" in html
    svg_of(html)  # still well formed


def test_the_bar_chart_can_leave_its_table_to_the_page(app):
    with_table = draw(app, "bar_chart", satisfaction(), caption="SENCO answers")
    without = draw(app, "bar_chart", satisfaction(), table=False)
    assert "SENCO answers</caption>" in with_table and "<table" not in without
    assert len(svg_of(without).findall(f"{SVG}rect")) == 4  # the background and three bars


def test_an_empty_chart_says_so_instead_of_drawing(app):
    html = draw(app, "line_chart", line_chart("EHC plans", "%", []))
    assert "<svg" not in html and "There are no figures to draw yet." in html
