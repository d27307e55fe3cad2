"""Target dates as councils write them in their plans, read the English way (tracker.dates.uk_due_date)."""

from datetime import date, datetime

import pytest

from tracker.dates import uk_due_date


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("31/03/2026", date(2026, 3, 31)),
        ("31/3/26", date(2026, 3, 31)),
        ("31.3.26", date(2026, 3, 31)),
        ("31-03-2026", date(2026, 3, 31)),
        ("01/04/2026", date(2026, 4, 1)),  # day first, always: never 4 January
        ("2026-03-31", date(2026, 3, 31)),
        ("31 March 2026", date(2026, 3, 31)),
        ("1st Sept 2026", date(2026, 9, 1)),
        (" by 30 June 2026 ", date(2026, 6, 30)),
    ],
)
def test_a_day_is_that_day(written, day):
    assert uk_due_date(written) == (day, None)


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("Mar-26", date(2026, 3, 31)),
        ("Mar 26", date(2026, 3, 31)),
        ("March 2026", date(2026, 3, 31)),
        ("Feb-28", date(2028, 2, 29)),  # a leap year's February
        ("Sept 2026", date(2026, 9, 30)),
        ("Dec-26", date(2026, 12, 31)),
        ("03/2026", date(2026, 3, 31)),
        ("End of June 2026", date(2026, 6, 30)),
    ],
)
def test_a_month_is_its_last_day(written, day):
    assert uk_due_date(written) == (day, None)


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("Q1 2025/26", date(2025, 6, 30)),  # April to June
        ("Q2 2025-26", date(2025, 9, 30)),  # July to September
        ("Q3 2025/2026", date(2025, 12, 31)),  # October to December
        ("Q4 2025/26", date(2026, 3, 31)),  # January to March: the next calendar year
        ("q4 fy25/26", date(2026, 3, 31)),
        ("2025/26 Q4", date(2026, 3, 31)),
        ("2025/26", date(2026, 3, 31)),  # the financial year alone: its last day
    ],
)
def test_a_financial_quarter_is_its_last_day(written, day):
    assert uk_due_date(written) == (day, None)


def test_a_date_cell_is_its_day():
    assert uk_due_date(datetime(2026, 3, 31, 0, 0)) == (date(2026, 3, 31), None)
    assert uk_due_date(date(2026, 3, 31)) == (date(2026, 3, 31), None)


@pytest.mark.parametrize(
    ("written", "warning"),
    [
        ("TBC", "“TBC” is not a date yet"),
        ("tbc.", "“tbc.” is not a date yet"),
        ("To be confirmed", "“To be confirmed” is not a date yet"),
        ("Ongoing", "“Ongoing” is not a date yet"),
        ("", "no date given"),
        (None, "no date given"),
        ("   ", "no date given"),
    ],
)
def test_tbc_and_blank_are_no_date_with_a_warning(written, warning):
    assert uk_due_date(written) == (None, warning)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("soon", "“soon” is not a date: write a date such as 31/03/2026, Mar-26, March 2026 or Q4 2025/26"),
        ("Q4 2026", "“Q4 2026” is not a date"),  # calendar or financial? the plan must say
        ("Q5 2025/26", "“Q5 2025/26” is not a date"),
        ("31/02/2026", "“31/02/2026” is not a real date"),
        ("Q4 2025/27", "“Q4 2025/27” is not a real date"),
        ("13/2026", "“13/2026” is not a date"),
    ],
)
def test_anything_else_is_refused_in_words(written, message):
    with pytest.raises(ValueError) as refused:
        uk_due_date(written)
    assert str(refused.value).startswith(message)
