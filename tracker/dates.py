"""Dates as people in England read them: 3 March 2026, and times in UK local time."""

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


def today() -> date:
    """Today in England, whatever the server's own time zone: after 11pm in summer a UTC server is a day behind."""
    return datetime.now(LONDON).date()


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(LONDON)
        return f"{local.day} {local:%B %Y} at {local:%H:%M}"
    return f"{value.day} {value:%B %Y}"


def iso_day(raw: str) -> date:
    """A day written exactly as YYYY-MM-DD, as addresses and the command line take it; ValueError otherwise
    (date.fromisoformat alone would also take 20260331 or a week date like 2026-W10-1)."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
        raise ValueError(f"not a day written as YYYY-MM-DD: {raw!r}")
    return date.fromisoformat(raw)


def bank_holidays(years: Iterable[int]) -> frozenset[date]:
    """England's bank holidays in those years, substitute days included (the `holidays` package's
    rules for England, shipped with it: nothing is fetched)."""
    return frozenset().union(*(_bank_holidays_in(year) for year in years))


@cache
def _bank_holidays_in(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]).keys())


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England."""
    return day.weekday() < 5 and day not in bank_holidays([day.year])


def add_working_days(start: date, count: int) -> date:
    """The day `count` working days after `start` (before it when negative), skipping weekends and
    England's bank holidays. `add_working_days(d, 0)` is `d` itself, working day or not."""
    step = 1 if count >= 0 else -1
    day, left = start, abs(count)
    while left:
        day += timedelta(days=step)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after `start` up to and including `end` (0 when end <= start)."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        days += is_working_day(day)
    return days
