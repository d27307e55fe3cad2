"""Dates as people in England read them: 3 March 2026, and times in UK local time."""

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


def today() -> date:
    """Today in England, whatever the server's own time zone:
    after 11pm in summer a UTC server is a day behind."""
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


_SLASHED = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?)?"
)


def slashed_parts(written: str) -> tuple[int, int] | None:
    """The first two numbers of a date written 31/03/2026 (or with dots or dashes),
    or None when it is not one."""
    match = _SLASHED.fullmatch(written.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def day_first_order(written: Iterable[str]) -> bool:
    """Whether a column of dates such as 05/03/2026 is written day first, as in England,
    from the dates themselves.

    A first number over 12 (13/05/2026) can only be a day; a second over 12 (05/13/2026) only a day
    too, so those dates are month first (as SurveyMonkey writes them for an account set up in the
    USA). When every date could be either, they are read day first: the UK way.
    """
    for text in written:
        parts = slashed_parts(text)
        if parts and parts[0] > 12:
            return True
        if parts and parts[1] > 12:
            return False
    return True


def parse_date_time(written: str, *, day_first: bool = True) -> datetime | None:
    """A date and time as a person or a spreadsheet writes it, with no time zone (local time);
    None when it is not one.

    Reads ISO (2026-03-31 14:05:09, 2026-03-31T14:05) and slashed dates, day first unless told
    otherwise: 31/03/2026, 31/03/2026 14:05, 31/03/2026 14:05:09, 31/03/2026 2:05 PM, and the same
    with dots or dashes. A date with no time counts as midday, so it stays on that day in any zone.
    """
    written = written.strip()
    if re.match(r"\d{4}-\d{2}-\d{2}", written):
        try:
            moment = datetime.fromisoformat(written)
        except ValueError:
            return None
        return moment if re.search(r"[T ]\d", written) or moment.tzinfo else moment.replace(hour=12)
    match = _SLASHED.fullmatch(written)
    if not match:
        return None
    first, second, year, hour, minute, seconds, half = match.groups()
    day, month = (first, second) if day_first else (second, first)
    hour = int(hour) if hour else 12
    if half and not 1 <= hour <= 12:
        return None
    if half:
        hour = hour % 12 + (12 if half.lower().startswith("p") else 0)
    try:
        return datetime(int(year), int(month), int(day), hour, int(minute or 0), int(seconds or 0))
    except ValueError:
        return None


def as_at_day(raw: str | None, what: str = "The as-at date") -> date:
    """An as-at date as an address or the command line gives it (YYYY-MM-DD); today when none is given. The
    one as-at rule for the dashboard, the exports and the command line: ValueError with the sentence to show
    when it is not a real day written that way, is after today, or is before 1900."""
    if raw is None or not raw.strip():
        return today()
    try:
        day = iso_day(raw.strip())
    except ValueError:
        raise ValueError(f"{what} must be a real date written as year-month-day, like 2026-03-31.") from None
    if day > today():
        raise ValueError(f"{what} must be today or in the past.")
    if day.year < 1900:
        raise ValueError(f"{what} must be in 1900 or later.")
    return day


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


# Target dates as councils write them in their plans ---------------------------------------------------------

_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (date(2000, number, 1).strftime("%B").lower(), date(2000, number, 1).strftime("%b").lower())
}
_MONTHS["sept"] = 9
_NO_DATE = {
    "",
    "tbc",
    "tba",
    "tbd",
    "to be confirmed",
    "to be agreed",
    "to be decided",
    "n/a",
    "na",
    "ongoing",
    "-",
    "?",
    "none",
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})")
_WORDS_DATE = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?[\s-]+({_MONTH})\.?,?[\s-]+(\d{{2}}|\d{{4}})")
_NUMBERED_MONTH = re.compile(r"(\d{1,2})[/.-](\d{4})")
_MONTH_YEAR = re.compile(rf"({_MONTH})\.?[\s'/-]+(\d{{2}}|\d{{4}})")
_QUARTER = re.compile(
    r"q([1-4])\s*(?:of\s+|fy\s*)?(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4})|"
    r"(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*q([1-4])"
)
_FINANCIAL_YEAR = re.compile(r"(?:fy\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})")
DUE_DATE_HINT = "write a date such as 31/03/2026, Mar-26, March 2026 or Q4 2025/26"


def _year(written: str) -> int:
    return 2000 + int(written) if len(written) == 2 else int(written)


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def _financial_year_end(first: str, second: str) -> int:
    """The year a financial year such as 2025/26 ends in (2026);
    ValueError when the two years do not follow."""
    start, end = _year(first), _year(second)
    if end != start + 1:
        raise ValueError(f"{first}/{second} is not a financial year: the second year must follow the first")
    return end


def uk_due_date(value: object) -> tuple[date | None, str | None]:
    """A target date as a council's plan writes it, read the English way: (the day, None), or (None, a
    warning) when the plan gives no date yet (blank, TBC, ongoing). ValueError, whose message is fit for the
    user, when it is written but cannot be read.

    31/03/2026, 31/3/26, 31.3.26, 31-03-2026, 2026-03-31 and 31 March 2026 are that day (day first, always);
    Mar-26, Mar 26, March 2026 and 03/2026 are the month's last day; Q4 2025/26 (or 2025/26 Q4) is the last
    day of the financial quarter (Q1 April to June, Q2 July to September, Q3 October to December, Q4 January
    to March); 2025/26 alone is the financial year's last day,
    31 March 2026. A spreadsheet's date cell is its day.
    """
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    written = " ".join(str(value or "").split())
    key = re.sub(r"^(?:by|end of|end|due|w/e|before)\s+", "", written.lower()).strip(" .")
    if key in _NO_DATE:
        return None, "no date given" if not written else f"“{written}” is not a date yet"
    try:
        day = _read_due_date(key)
    except ValueError:  # the parts of a date, but no such day: 31/02/2026, 2025/27
        raise ValueError(f"“{written}” is not a real date: {DUE_DATE_HINT}") from None
    if day is None:
        raise ValueError(f"“{written}” is not a date: {DUE_DATE_HINT}")
    return day, None


def _read_due_date(key: str) -> date | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", key):
        return iso_day(key)
    if match := _DAY_MONTH_YEAR.fullmatch(key):
        return date(_year(match.group(3)), int(match.group(2)), int(match.group(1)))
    if match := _WORDS_DATE.fullmatch(key):
        return date(_year(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
    if match := _MONTH_YEAR.fullmatch(key):
        return _month_end(_year(match.group(2)), _MONTHS[match.group(1)])
    if match := _NUMBERED_MONTH.fullmatch(key):
        return (
            _month_end(int(match.group(2)), int(match.group(1))) if 1 <= int(match.group(1)) <= 12 else None
        )
    if match := _QUARTER.fullmatch(key):
        quarter, first, second = (
            (match.group(1), match.group(2), match.group(3))
            if match.group(1)
            else (match.group(6), match.group(4), match.group(5))
        )
        ends = _financial_year_end(first, second)
        return _month_end(ends - 1, 3 * int(quarter) + 3) if quarter != "4" else date(ends, 3, 31)
    if match := _FINANCIAL_YEAR.fullmatch(key):
        return date(_financial_year_end(match.group(1), match.group(2)), 3, 31)
    return None
