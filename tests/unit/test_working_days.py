"""England's working days: weekends and bank holidays skipped, substitute days included."""

from datetime import date

import pytest

from tracker.dates import add_working_days, bank_holidays, is_working_day, working_days_between


def test_christmas_2026_skips_the_holidays_and_the_substitute_boxing_day():
    # Boxing Day 2026 is a Saturday, so Monday 28 December is the bank holiday instead
    assert date(2026, 12, 28) in bank_holidays([2026])
    assert add_working_days(date(2026, 12, 21), 5) == date(2026, 12, 30)
    assert working_days_between(date(2026, 12, 21), date(2026, 12, 31)) == 6


def test_easter_2026_skips_good_friday_and_easter_monday():
    assert not is_working_day(date(2026, 4, 3))
    assert not is_working_day(date(2026, 4, 6))
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)


def test_counting_back_and_across_a_year_end():
    assert add_working_days(date(2026, 4, 7), -1) == date(2026, 4, 2)
    assert add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)


@pytest.mark.parametrize("day", [date(2026, 12, 5), date(2026, 12, 6)])
def test_weekends_are_not_working_days(day):
    assert not is_working_day(day)


def test_zero_days_is_the_day_itself():
    assert add_working_days(date(2026, 12, 5), 0) == date(2026, 12, 5)
    assert working_days_between(date(2026, 12, 10), date(2026, 12, 1)) == 0


def test_today_is_the_day_in_london_not_on_the_servers_clock(monkeypatch):
    from datetime import datetime, timezone

    import tracker.dates

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 7, 1, 23, 30, tzinfo=timezone.utc).astimezone(
                tz
            )  # 00:30 on 2 July in London

    monkeypatch.setattr(tracker.dates, "datetime", Clock)
    assert tracker.dates.today() == date(2026, 7, 2)


@pytest.mark.parametrize(
    ("raw", "sentence"),
    [
        ("2026-02-30", "The as-at date must be a real date written as year-month-day, like 2026-03-31."),
        ("20260331", "The as-at date must be a real date written as year-month-day, like 2026-03-31."),
        ("31/03/2026", "The as-at date must be a real date written as year-month-day, like 2026-03-31."),
        ("2999-01-01", "The as-at date must be today or in the past."),
        ("1899-12-31", "The as-at date must be in 1900 or later."),
    ],
)
def test_the_one_as_at_rule_refuses_in_one_sentence(raw, sentence):
    from tracker.dates import as_at_day

    with pytest.raises(ValueError) as refused:
        as_at_day(raw)
    assert str(refused.value) == sentence


def test_the_one_as_at_rule_reads_a_day_and_gives_today_for_none():
    from tracker.dates import as_at_day, today

    assert as_at_day(" 2026-03-31 ") == date(2026, 3, 31)
    assert as_at_day(None) == as_at_day("") == today()
