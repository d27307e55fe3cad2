"""Dates and times as survey tools and people write them: day first, as in England,
unless the dates show otherwise."""

from datetime import datetime

import pytest

from tracker.dates import day_first_order, parse_date_time


@pytest.mark.parametrize(
    ("written", "moment"),
    [
        ("05/03/2026 14:02:11", datetime(2026, 3, 5, 14, 2, 11)),  # 5 March: day first
        ("05/03/2026 02:02:11 PM", datetime(2026, 3, 5, 14, 2, 11)),
        ("5.3.2026 9:05", datetime(2026, 3, 5, 9, 5)),
        (
            "31/03/2026",
            datetime(2026, 3, 31, 12, 0),
        ),  # a day alone is midday, so it stays that day in any zone
        ("2026-03-31 14:05", datetime(2026, 3, 31, 14, 5)),
        ("2026-03-31", datetime(2026, 3, 31, 12, 0)),
    ],
)
def test_dates_are_read_day_first(written, moment):
    assert parse_date_time(written) == moment


def test_dates_are_read_month_first_only_when_asked():
    assert parse_date_time("05/03/2026 14:02", day_first=False) == datetime(2026, 5, 3, 14, 2)


@pytest.mark.parametrize(
    "written", ["31/13/2026 10:00", "13/31/2026", "yesterday", "2026-02-30", "12/05/2026 13:00 PM", ""]
)
def test_what_is_not_a_date_is_none(written):
    assert parse_date_time(written) is None


def test_the_order_of_a_column_of_dates_comes_from_the_dates_themselves():
    assert day_first_order(["05/03/2026 09:00", "13/03/2026 09:00"])  # 13 can only be a day
    assert not day_first_order(
        ["05/03/2026 09:00 AM", "05/13/2026 09:00 AM"]
    )  # SurveyMonkey for a US account
    assert day_first_order(["05/03/2026", "06/03/2026", "", "not a date"])  # either way round: the UK way
